//! SMTP replies: codes, RFC 3463 enhanced status codes, single- and multi-line forms.
//!
//! [RFC 5321 §4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2):
//!
//! ```text
//! Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
//!                  Reply-code [ SP textstring ] CRLF
//! Reply-code     = %x32-35 %x30-35 %x30-39
//! textstring     = 1*(%d09 / %d32-126)
//! ```
//!
//! and [RFC 3463 §2](https://www.rfc-editor.org/rfc/rfc3463#section-2) /
//! [RFC 2034 §4](https://www.rfc-editor.org/rfc/rfc2034#section-4): an enhanced status code
//! `class "." subject "." detail` opens the text of every line.
//!
//! ```
//! use tegami_smtp_proto::{EnhancedStatus, Reply, ReplyParse};
//!
//! let reply = Reply::new(250, Some(EnhancedStatus::new(2, 1, 0)), "Sender OK");
//! assert_eq!(reply.to_string(), "250 2.1.0 Sender OK\r\n");
//!
//! let ReplyParse::Complete { reply, consumed } =
//!     Reply::parse(b"250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\nrest")?
//! else { unreachable!() };
//! assert_eq!(consumed, 47);
//! assert_eq!(reply.lines(), ["mx.example", "PIPELINING", "SIZE 1000"]);
//! # Ok::<(), tegami_smtp_proto::ReplyError>(())
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use std::io::Write as _;

/// An SMTP reply: a three-digit code, an optional enhanced status code and one or more lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply<'a> {
    code: u16,
    enhanced: Option<EnhancedStatus>,
    lines: Vec<Cow<'a, str>>,
}

/// An RFC 3463 enhanced status code `class.subject.detail`, such as `5.7.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedStatus {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject: 0 to 999.
    pub subject: u16,
    /// The detail: 0 to 999.
    pub detail: u16,
}

/// The outcome of [`Reply::parse`] on bytes that may hold only part of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyParse<'a> {
    /// A whole reply, and how many octets it took (the rest is the next reply).
    Complete {
        /// The reply.
        reply: Reply<'a>,
        /// Octets consumed from the input, including the last CRLF.
        consumed: usize,
    },
    /// The reply is not complete yet: call again with more bytes.
    Incomplete,
}

/// Why bytes are not an SMTP reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A line does not start with three digits in the ranges of RFC 5321 §4.2.
    #[error("invalid reply code at octet {0}")]
    InvalidCode(usize),
    /// A line of a multi-line reply carries another code than the first line.
    #[error("reply code changes inside a multi-line reply at octet {0}")]
    MixedCodes(usize),
    /// The fourth octet of a line is neither a space, a hyphen nor the line end.
    #[error("expected ' ' or '-' after the reply code at octet {0}")]
    InvalidSeparator(usize),
    /// A line is longer than the limit given to the parser.
    #[error("reply line exceeds {0} octets")]
    LineTooLong(usize),
    /// The reply has more lines than the limit given to the parser.
    #[error("reply exceeds {0} lines")]
    TooManyLines(usize),
    /// A line holds a bare CR or LF, NUL or an octet that is not UTF-8.
    #[error("invalid octet in reply text at octet {0}")]
    InvalidText(usize),
}

/// How [`Reply::parse_with`] bounds what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// The longest line, CRLF included: 512 by RFC 5321 §4.5.3.1.5, more for peers that
    /// exceed it.
    pub max_line: usize,
    /// The most lines in one reply (an EHLO reply of a large server has about twenty).
    pub max_lines: usize,
}

impl Default for ReplyLimits {
    fn default() -> ReplyLimits {
        ReplyLimits {
            max_line: 2048,
            max_lines: 100,
        }
    }
}

impl<'a> Reply<'a> {
    /// A reply with one line of text (which may be empty).
    pub fn new(code: u16, enhanced: Option<EnhancedStatus>, text: impl Into<Cow<'a, str>>) -> Self {
        Reply {
            code,
            enhanced,
            lines: alloc::vec![text.into()],
        }
    }

    /// A reply with several lines of text; an empty list becomes one empty line.
    pub fn multiline(
        code: u16,
        enhanced: Option<EnhancedStatus>,
        lines: impl IntoIterator<Item = Cow<'a, str>>,
    ) -> Self {
        let mut lines: Vec<Cow<'a, str>> = lines.into_iter().collect();
        if lines.is_empty() {
            lines.push(Cow::Borrowed(""));
        }
        Reply {
            code,
            enhanced,
            lines,
        }
    }

    /// Parses one reply at the start of `input` with the default [`ReplyLimits`].
    ///
    /// # Errors
    ///
    /// [`ReplyError`] when the bytes cannot be an SMTP reply; a reply cut short is
    /// [`ReplyParse::Incomplete`], not an error.
    pub fn parse(input: &'a [u8]) -> Result<ReplyParse<'a>, ReplyError> {
        Reply::parse_with(input, ReplyLimits::default())
    }

    /// Parses one reply at the start of `input`.
    ///
    /// The enhanced status code is taken from the first line when it starts with one whose class
    /// matches the reply code's first digit (RFC 3463 §2), and removed from every line that
    /// repeats it. Lines end at CRLF; a lone LF is accepted as a line end from peers that send it.
    ///
    /// # Errors
    ///
    /// [`ReplyError`] when the bytes cannot be an SMTP reply or exceed `limits`.
    pub fn parse_with(input: &'a [u8], limits: ReplyLimits) -> Result<ReplyParse<'a>, ReplyError> {
        // First pass: frame and check every line, and count them.
        let mut position = 0;
        let mut code = None;
        let mut count = 0;
        // Where the first lines end, so the second pass need not search again.
        let mut ends = [0usize; KNOWN_ENDS];
        loop {
            let rest = input.get(position..).unwrap_or_default();
            // One search finds the line end of a clean line: the first LF, CR or NUL is its LF
            // or the CR of its CRLF. Only a line with a stray CR or NUL is searched again.
            let first_stop = memchr::memchr3(b'\n', b'\r', 0, rest);
            let clean = match first_stop.map(|at| (at, rest.get(at).copied())) {
                Some((at, Some(b'\n'))) => Some(at),
                Some((at, Some(b'\r'))) if rest.get(at + 1) == Some(&b'\n') => Some(at + 1),
                _ => None,
            };
            let Some(newline) = clean.or_else(|| memchr::memchr(b'\n', rest)) else {
                if rest.len() >= limits.max_line {
                    return Err(ReplyError::LineTooLong(limits.max_line));
                }
                return Ok(ReplyParse::Incomplete);
            };
            if newline + 1 > limits.max_line {
                return Err(ReplyError::LineTooLong(limits.max_line));
            }
            let line = rest.get(..newline).unwrap_or_default();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line_code = reply_code(line).ok_or(ReplyError::InvalidCode(position))?;
            match code {
                None => code = Some(line_code),
                Some(first) if first != line_code => return Err(ReplyError::MixedCodes(position)),
                Some(_) => {}
            }
            let last = match line.get(3) {
                None | Some(b' ') => true,
                Some(b'-') => false,
                Some(_) => return Err(ReplyError::InvalidSeparator(position + 3)),
            };
            let text = line.get(4..).unwrap_or_default();
            // The line ends at its first LF, so only a NUL or a CR can hide inside it.
            if clean.is_none()
                && let Some(bad) = memchr::memchr2(0, b'\r', text)
            {
                return Err(ReplyError::InvalidText(position + 4 + bad));
            }
            if count == limits.max_lines {
                return Err(ReplyError::TooManyLines(limits.max_lines));
            }
            if let Some(end) = ends.get_mut(count) {
                *end = position + newline;
            }
            count += 1;
            position += newline + 1;
            if last {
                break;
            }
        }
        // The texts are UTF-8 (RFC 6531 §3.7.4) and the framing is ASCII, so one check of the
        // whole reply finds the first bad octet of any text, at its offset in `input`.
        let whole = core::str::from_utf8(input.get(..position).unwrap_or_default())
            .map_err(|error| ReplyError::InvalidText(error.valid_up_to()))?;
        let mut lines: Vec<Cow<'a, str>> = Vec::with_capacity(count);
        let mut start = 0;
        for index in 0..count {
            let end = match ends.get(index) {
                Some(&end) => end,
                None => memchr::memchr(b'\n', whole.as_bytes().get(start..).unwrap_or_default())
                    .map_or(whole.len(), |offset| start + offset),
            };
            let line = whole.get(start..end).unwrap_or_default();
            let line = line.strip_suffix('\r').unwrap_or(line);
            lines.push(Cow::Borrowed(line.get(4..).unwrap_or_default()));
            start = end + 1;
        }
        let code = code.unwrap_or_default();
        let class = u8::try_from(code / 100).unwrap_or_default();
        let enhanced = lines
            .first()
            .and_then(|first| EnhancedStatus::parse_prefix(first))
            .filter(|(status, _)| status.class == class)
            .map(|(status, _)| status);
        if let Some(status) = enhanced {
            for line in &mut lines {
                if let Cow::Borrowed(text) = line
                    && let Some((found, rest)) = EnhancedStatus::parse_prefix(text)
                    && found == status
                {
                    *line = Cow::Borrowed(rest);
                }
            }
        }
        Ok(ReplyParse::Complete {
            reply: Reply {
                code,
                enhanced,
                lines,
            },
            consumed: position,
        })
    }

    /// The three-digit reply code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The enhanced status code, if the reply has one.
    pub fn enhanced(&self) -> Option<EnhancedStatus> {
        self.enhanced
    }

    /// The text of each line, without code, separator or enhanced status code.
    pub fn lines(&self) -> &[Cow<'a, str>] {
        &self.lines
    }

    /// Whether the code is 2yz.
    pub fn is_positive_completion(&self) -> bool {
        self.code / 100 == 2
    }

    /// Whether the code is 3yz (send more: DATA's 354, AUTH's 334).
    pub fn is_positive_intermediate(&self) -> bool {
        self.code / 100 == 3
    }

    /// Whether the code is 4yz: try again later.
    pub fn is_transient_failure(&self) -> bool {
        self.code / 100 == 4
    }

    /// Whether the code is 5yz: do not repeat the same command.
    pub fn is_permanent_failure(&self) -> bool {
        self.code / 100 == 5
    }

    /// Appends the reply in wire form: every line but the last with `-`, each ending in CRLF;
    /// a CR or LF inside a line's text is written as a space, so text can never end a reply early.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let count = self.lines.len().max(1);
        for index in 0..count {
            let text = self.lines.get(index).map_or("", |line| line.as_ref());
            let separator = if index + 1 == count { ' ' } else { '-' };
            // Writing into a Vec cannot fail.
            let _ = write!(out, "{:03}{separator}", self.code.min(999));
            if let Some(status) = self.enhanced {
                let _ = write!(out, "{status}");
                if !text.is_empty() {
                    out.push(b' ');
                }
            }
            out.extend(text.bytes().map(|byte| match byte {
                b'\r' | b'\n' => b' ',
                other => other,
            }));
            out.extend_from_slice(b"\r\n");
        }
    }

    /// Copies borrowed text so the reply outlives its input.
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            lines: self
                .lines
                .into_iter()
                .map(|line| Cow::Owned(line.into_owned()))
                .collect(),
        }
    }
}

impl fmt::Display for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write_to(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

impl EnhancedStatus {
    /// An enhanced status code; see RFC 3463 §3 for the subjects and details.
    pub const fn new(class: u8, subject: u16, detail: u16) -> EnhancedStatus {
        EnhancedStatus {
            class,
            subject,
            detail,
        }
    }

    /// Parses `class.subject.detail` at the start of `text`, returning the rest after the
    /// following space (RFC 3463 §2: `class` is 2, 4 or 5; subject and detail 1 to 3 digits).
    pub fn parse_prefix(text: &str) -> Option<(EnhancedStatus, &str)> {
        let bytes = text.as_bytes();
        let class = match bytes.first() {
            Some(b'2') => 2,
            Some(b'4') => 4,
            Some(b'5') => 5,
            _ => return None,
        };
        if bytes.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, after_subject) = digits(bytes, 2)?;
        if bytes.get(after_subject) != Some(&b'.') {
            return None;
        }
        let (detail, end) = digits(bytes, after_subject + 1)?;
        let rest = match bytes.get(end) {
            None => "",
            Some(b' ') => text.get(end + 1..).unwrap_or_default(),
            Some(_) => return None,
        };
        Some((EnhancedStatus::new(class, subject, detail), rest))
    }
}

impl fmt::Display for EnhancedStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// How many line ends [`Reply::parse_with`] keeps from its first pass (an EHLO reply of a
/// large server has about twenty lines); it searches again for the ends of further lines.
const KNOWN_ENDS: usize = 32;

/// `Reply-code = %x32-35 %x30-35 %x30-39`, RFC 5321 §4.2.
fn reply_code(line: &[u8]) -> Option<u16> {
    match line {
        [
            first @ b'2'..=b'5',
            second @ b'0'..=b'5',
            third @ b'0'..=b'9',
            ..,
        ] => Some(
            u16::from(first - b'0') * 100 + u16::from(second - b'0') * 10 + u16::from(third - b'0'),
        ),
        _ => None,
    }
}

/// `1*3digit` from `start`, with no leading zero unless the number is zero (RFC 3463 §2).
fn digits(bytes: &[u8], start: usize) -> Option<(u16, usize)> {
    let count = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    if !(1..=3).contains(&count) {
        return None;
    }
    let field = bytes.get(start..start + count)?;
    if count > 1 && field.first() == Some(&b'0') {
        return None;
    }
    let value = field
        .iter()
        .fold(0u16, |value, digit| value * 10 + u16::from(digit - b'0'));
    Some((value, start + count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(input: &[u8]) -> (Reply<'_>, usize) {
        match Reply::parse(input).unwrap() {
            ReplyParse::Complete { reply, consumed } => (reply, consumed),
            ReplyParse::Incomplete => panic!("incomplete"),
        }
    }

    #[test]
    fn single_line_with_enhanced_status() {
        let (reply, consumed) = complete(b"550 5.7.1 Relaying denied\r\n");
        assert_eq!(consumed, 27);
        assert_eq!(reply.code(), 550);
        assert_eq!(reply.enhanced(), Some(EnhancedStatus::new(5, 7, 1)));
        assert_eq!(reply.lines(), ["Relaying denied"]);
        assert!(reply.is_permanent_failure());
    }

    #[test]
    fn status_of_another_class_is_text() {
        let (reply, _) = complete(b"250 5.1.1 odd\r\n");
        assert_eq!(reply.enhanced(), None);
        assert_eq!(reply.lines(), ["5.1.1 odd"]);
    }

    #[test]
    fn bare_code_and_code_with_space() {
        assert_eq!(complete(b"354\r\n").0.lines(), [""]);
        assert_eq!(complete(b"220 \r\n").0.lines(), [""]);
    }

    #[test]
    fn incomplete_until_the_last_line() {
        assert_eq!(
            Reply::parse(b"250-a\r\n250-b\r\n").unwrap(),
            ReplyParse::Incomplete
        );
        assert_eq!(Reply::parse(b"250 a").unwrap(), ReplyParse::Incomplete);
        assert_eq!(Reply::parse(b"").unwrap(), ReplyParse::Incomplete);
    }

    #[test]
    fn errors() {
        assert_eq!(Reply::parse(b"hello\r\n"), Err(ReplyError::InvalidCode(0)));
        assert_eq!(
            Reply::parse(b"250-a\r\n251 b\r\n"),
            Err(ReplyError::MixedCodes(7))
        );
        assert_eq!(
            Reply::parse(b"250xa\r\n"),
            Err(ReplyError::InvalidSeparator(3))
        );
        assert_eq!(
            Reply::parse(b"250 a\0\r\n"),
            Err(ReplyError::InvalidText(5))
        );
        // A bad UTF-8 octet in a later line is reported at its offset in the input.
        assert_eq!(
            Reply::parse(b"250-ok\r\n250 b\xffd\r\n"),
            Err(ReplyError::InvalidText(13))
        );
        assert_eq!(
            Reply::parse(b"250 a\rb\r\n"),
            Err(ReplyError::InvalidText(5))
        );
        assert_eq!(Reply::parse(b"650 a\r\n"), Err(ReplyError::InvalidCode(0)));
        let long = alloc::vec![b'2'; 3000];
        assert_eq!(Reply::parse(&long), Err(ReplyError::LineTooLong(2048)));
    }

    #[test]
    fn stray_cr_and_nul_are_found_wherever_the_line_ends() {
        // A CR at the end of the input may be the CR of a CRLF still to come.
        assert_eq!(Reply::parse(b"250 a\r").unwrap(), ReplyParse::Incomplete);
        // Without its LF a stray octet waits for the line end, as a clean line does.
        assert_eq!(Reply::parse(b"250 a\rb").unwrap(), ReplyParse::Incomplete);
        assert_eq!(
            Reply::parse(b"250-ok\n250 a\0\n"),
            Err(ReplyError::InvalidText(12))
        );
        assert_eq!(
            Reply::parse(b"250-ok\r\n250 a\rb\r\n"),
            Err(ReplyError::InvalidText(13))
        );
        assert_eq!(complete(b"250-a\n250 b\r\n").0.lines(), ["a", "b"]);
    }

    #[test]
    fn lines_past_the_first_pass_record_are_found_again() {
        let mut input = Vec::new();
        for line in 0..KNOWN_ENDS + 8 {
            input.extend_from_slice(alloc::format!("250-line {line}\r\n").as_bytes());
        }
        input.extend_from_slice(b"250 last\r\n");
        let (reply, consumed) = complete(&input);
        assert_eq!(consumed, input.len());
        assert_eq!(reply.lines().len(), KNOWN_ENDS + 9);
        assert_eq!(
            reply.lines()[KNOWN_ENDS + 3],
            alloc::format!("line {}", KNOWN_ENDS + 3)
        );
        assert_eq!(reply.lines()[KNOWN_ENDS + 8], "last");
    }

    #[test]
    fn writes_multiline_and_neutralises_line_ends() {
        let reply = Reply::multiline(
            250,
            None,
            ["mx.example".into(), "PIPELINING".into(), "SIZE 10".into()],
        );
        assert_eq!(
            reply.to_string(),
            "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n"
        );
        let reply = Reply::new(554, Some(EnhancedStatus::new(5, 0, 0)), "a\r\n250 b");
        assert_eq!(reply.to_string(), "554 5.0.0 a  250 b\r\n");
    }

    #[test]
    fn enhanced_status_digits() {
        assert_eq!(
            EnhancedStatus::parse_prefix("4.4.10 x"),
            Some((EnhancedStatus::new(4, 4, 10), "x"))
        );
        assert_eq!(EnhancedStatus::parse_prefix("4.04.1 x"), None);
        assert_eq!(EnhancedStatus::parse_prefix("3.1.1 x"), None);
        assert_eq!(EnhancedStatus::parse_prefix("5.1.1000"), None);
    }
}
