//! Macro strings of [RFC 7208 §7](https://www.rfc-editor.org/rfc/rfc7208#section-7): parsed
//! once, expanded per evaluation.
//!
//! ```text
//! macro-string = *( macro-expand / macro-literal )
//! macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//! macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
//! transformers = *DIGIT [ "r" ]
//! delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
//! ```

use core::fmt;
use std::borrow::Cow;

/// A validated macro string; displays back to the text it was parsed from.
///
/// The text is checked once when parsed and expanded straight from it, so a string without
/// macros (most domain-specs) costs one allocation and expands to itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacroString {
    text: Box<str>,
    /// Where the literal text after the last `%{...}` starts.
    tail_start: usize,
    /// The string ends with a macro-expand (`%{...}`, `%%`, `%_` or `%-`).
    ends_in_expand: bool,
    /// Some `%` appears: expansion must walk the text.
    has_percent: bool,
    /// The `p` macro appears.
    uses_p: bool,
}

/// One `%{...}` expansion, borrowed from the string's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Macro<'t> {
    /// The letter, lower case.
    pub(crate) letter: MacroLetter,
    /// Written in upper case: URL-escape the expansion (§7.3).
    pub(crate) url_escape: bool,
    /// Keep only this many right-hand parts.
    pub(crate) digits: Option<usize>,
    /// Reverse the parts.
    pub(crate) reverse: bool,
    /// Split on these characters instead of `.`.
    pub(crate) delimiters: &'t str,
}

/// The macro letters of RFC 7208 §7.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacroLetter {
    /// `s`: the sender, `local-part@domain`.
    Sender,
    /// `l`: the local part of the sender.
    LocalPart,
    /// `o`: the domain of the sender.
    SenderDomain,
    /// `d`: the domain being checked.
    Domain,
    /// `i`: the client IP, dotted (nibbles for IPv6).
    Ip,
    /// `p`: the validated domain name of the client IP (discouraged).
    ValidatedName,
    /// `v`: `in-addr` or `ip6`.
    IpVersion,
    /// `h`: the HELO/EHLO domain.
    Helo,
    /// `c`: the client IP in its usual text form (explanations only).
    ClientIp,
    /// `r`: the receiving host (explanations only).
    Receiver,
    /// `t`: the current time in seconds since the epoch (explanations only).
    Timestamp,
}

/// Why a macro string is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MacroError {
    /// A `%` is not followed by `{`, `%`, `_` or `-`.
    #[error("'%' must start a macro, '%%', '%_' or '%-'")]
    BadPercent,
    /// A `%{` is not closed, or holds something other than letter, digits, `r` and delimiters.
    #[error("malformed macro expansion")]
    BadExpand,
    /// An unknown macro letter.
    #[error("unknown macro letter")]
    UnknownLetter,
    /// `c`, `r` or `t` outside an explanation (§7.2).
    #[error("macro letter allowed only in explanations")]
    ExplanationOnly,
    /// A digit transformer of zero.
    #[error("digit transformer of zero")]
    ZeroDigits,
    /// A character outside `macro-literal` (a space, a control, non-ASCII).
    #[error("invalid character in macro string")]
    BadCharacter,
}

/// Values the macros expand to, for one evaluation.
#[derive(Debug, Clone)]
pub(crate) struct MacroContext<'a> {
    pub(crate) sender_local: &'a str,
    pub(crate) sender_domain: &'a str,
    pub(crate) domain: &'a str,
    pub(crate) ip: core::net::IpAddr,
    pub(crate) validated_name: &'a str,
    pub(crate) helo: &'a str,
    pub(crate) receiver: &'a str,
    pub(crate) now: Option<u64>,
}

impl MacroString {
    /// Parses a macro string of a record term (no spaces; `c`, `r`, `t` refused).
    ///
    /// # Errors
    ///
    /// [`MacroError`] naming the problem.
    pub fn parse(text: &str) -> Result<MacroString, MacroError> {
        Self::parse_with(text, false)
    }

    /// Parses an `explain-string` (§6.2): spaces allowed, and `c`, `r`, `t`.
    ///
    /// # Errors
    ///
    /// [`MacroError`] naming the problem.
    pub fn parse_explanation(text: &str) -> Result<MacroString, MacroError> {
        Self::parse_with(text, true)
    }

    fn parse_with(text: &str, explanation: bool) -> Result<MacroString, MacroError> {
        let bytes = text.as_bytes();
        let mut position = 0;
        let mut tail_start = 0;
        let mut ends_in_expand = false;
        let mut uses_p = false;
        let mut has_percent = false;
        while let Some(&byte) = bytes.get(position) {
            match byte {
                b'%' => {
                    has_percent = true;
                    match bytes.get(position + 1) {
                        Some(b'%' | b'_' | b'-') => {
                            position += 2;
                            ends_in_expand = true;
                            continue;
                        }
                        Some(b'{') => {
                            let body_start = position + 2;
                            let close = bytes
                                .get(body_start..)
                                .and_then(|rest| rest.iter().position(|&b| b == b'}'))
                                .ok_or(MacroError::BadExpand)?;
                            let body = text
                                .get(body_start..body_start + close)
                                .ok_or(MacroError::BadExpand)?;
                            let parsed = parse_macro(body, explanation)?;
                            uses_p |= parsed.letter == MacroLetter::ValidatedName;
                            position = body_start + close + 1;
                            tail_start = position;
                            ends_in_expand = true;
                            continue;
                        }
                        _ => return Err(MacroError::BadPercent),
                    }
                }
                b' ' if explanation => {}
                // macro-literal = %x21-24 / %x26-7E
                0x21..=0x7e => {}
                _ => return Err(MacroError::BadCharacter),
            }
            ends_in_expand = false;
            position += 1;
        }
        Ok(MacroString {
            text: text.into(),
            tail_start,
            ends_in_expand,
            has_percent,
            uses_p,
        })
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the string uses the `p` macro, which needs extra DNS lookups.
    pub fn uses_validated_name(&self) -> bool {
        self.uses_p
    }

    /// Whether the string ends with a macro-expand (the second form of §7.1 `domain-end`).
    pub(crate) fn ends_in_expand(&self) -> bool {
        self.ends_in_expand
    }

    /// The text after the last `%{...}`: where a `domain-end` top label must be.
    pub(crate) fn literal_tail(&self) -> &str {
        self.text.get(self.tail_start..).unwrap_or_default()
    }

    /// Expands the string (§7.3).
    pub(crate) fn expand(&self, context: &MacroContext<'_>) -> String {
        if !self.has_percent {
            return self.text.to_string();
        }
        let text = &*self.text;
        let mut out = String::with_capacity(text.len() + 32);
        let mut rest = text;
        while let Some(at) = rest.find('%') {
            out.push_str(rest.get(..at).unwrap_or_default());
            let after = rest.get(at + 1..).unwrap_or_default();
            let consumed = match after.as_bytes().first() {
                Some(b'%') => {
                    out.push('%');
                    1
                }
                Some(b'_') => {
                    out.push(' ');
                    1
                }
                Some(b'-') => {
                    out.push_str("%20");
                    1
                }
                _ => {
                    // Validated at parse time: "{" body "}".
                    let close = after.find('}').unwrap_or(after.len().saturating_sub(1));
                    if let Ok(m) = parse_macro(after.get(1..close).unwrap_or_default(), true) {
                        expand_macro(&m, context, &mut out);
                    }
                    close + 1
                }
            };
            rest = after.get(consumed..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    }

    /// Expands the string as a domain name to look up: a trailing dot dropped, and names over
    /// 253 octets cut from the left, label by label (§7.3).
    pub(crate) fn expand_domain(&self, context: &MacroContext<'_>) -> Cow<'_, str> {
        if !self.has_percent {
            // Without macros the text is the name: borrowed, unless it must be cut.
            let name = self.text.strip_suffix('.').unwrap_or(&self.text);
            if name.len() <= 253 {
                return Cow::Borrowed(name);
            }
        }
        let mut name = self.expand(context);
        if name.ends_with('.') {
            name.pop();
        }
        let mut cut = 0;
        while name.len() - cut > 253 {
            // Whole labels go from the left; a last label that is still too long goes too.
            cut = name
                .get(cut..)
                .and_then(|rest| rest.find('.'))
                .map_or(name.len(), |dot| cut + dot + 1);
        }
        name.drain(..cut);
        Cow::Owned(name)
    }
}

impl fmt::Display for MacroString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `macro-letter transformers *delimiter` inside `%{ }`.
fn parse_macro(body: &str, explanation: bool) -> Result<Macro<'_>, MacroError> {
    let mut chars = body.chars();
    let letter_char = chars.next().ok_or(MacroError::BadExpand)?;
    let letter = match letter_char.to_ascii_lowercase() {
        's' => MacroLetter::Sender,
        'l' => MacroLetter::LocalPart,
        'o' => MacroLetter::SenderDomain,
        'd' => MacroLetter::Domain,
        'i' => MacroLetter::Ip,
        'p' => MacroLetter::ValidatedName,
        'v' => MacroLetter::IpVersion,
        'h' => MacroLetter::Helo,
        'c' => MacroLetter::ClientIp,
        'r' => MacroLetter::Receiver,
        't' => MacroLetter::Timestamp,
        _ => return Err(MacroError::UnknownLetter),
    };
    if !explanation
        && matches!(
            letter,
            MacroLetter::ClientIp | MacroLetter::Receiver | MacroLetter::Timestamp
        )
    {
        return Err(MacroError::ExplanationOnly);
    }
    let rest = chars.as_str();
    let digit_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = rest.split_at(digit_len);
    let digits = if digits.is_empty() {
        None
    } else {
        // Absurdly long digit runs mean "all parts": clamp rather than fail.
        let value: usize = digits.parse().unwrap_or(usize::MAX);
        if value == 0 {
            return Err(MacroError::ZeroDigits);
        }
        Some(value)
    };
    let (reverse, delimiters) = match rest.strip_prefix(['r', 'R']) {
        Some(after) => (true, after),
        None => (false, rest),
    };
    if !delimiters.chars().all(|c| ".-+,/_=".contains(c)) {
        return Err(MacroError::BadExpand);
    }
    Ok(Macro {
        letter,
        url_escape: letter_char.is_ascii_uppercase(),
        digits,
        reverse,
        delimiters,
    })
}

fn expand_macro(m: &Macro<'_>, context: &MacroContext<'_>, out: &mut String) {
    let value = letter_value(m.letter, context);
    let transformed = if m.digits.is_some() || m.reverse || !m.delimiters.is_empty() {
        let delimiters: &str = if m.delimiters.is_empty() {
            "."
        } else {
            m.delimiters
        };
        let mut parts: Vec<&str> = value.split(|c| delimiters.contains(c)).collect();
        if m.reverse {
            parts.reverse();
        }
        if let Some(keep) = m.digits {
            let skip = parts.len().saturating_sub(keep);
            parts.drain(..skip);
        }
        parts.join(".")
    } else {
        value
    };
    if m.url_escape {
        url_escape(&transformed, out);
    } else {
        out.push_str(&transformed);
    }
}

fn letter_value(letter: MacroLetter, context: &MacroContext<'_>) -> String {
    use core::net::IpAddr;
    match letter {
        MacroLetter::Sender => format!("{}@{}", context.sender_local, context.sender_domain),
        MacroLetter::LocalPart => context.sender_local.into(),
        MacroLetter::SenderDomain => context.sender_domain.into(),
        MacroLetter::Domain => context.domain.into(),
        MacroLetter::Ip => match context.ip {
            IpAddr::V4(v4) => v4.to_string(),
            // Upper-case nibbles, as the SPF test suite and its reference implementation write
            // them; DNS names compare case-insensitively, so lookups are the same either way.
            IpAddr::V6(v6) => nibbles(&v6.octets(), false).to_ascii_uppercase(),
        },
        MacroLetter::ValidatedName => context.validated_name.into(),
        MacroLetter::IpVersion => match context.ip {
            IpAddr::V4(_) => "in-addr".into(),
            IpAddr::V6(_) => "ip6".into(),
        },
        MacroLetter::Helo => context.helo.into(),
        MacroLetter::ClientIp => context.ip.to_string(),
        MacroLetter::Receiver => context.receiver.into(),
        MacroLetter::Timestamp => context
            .now
            .map_or_else(|| "0".into(), |now| now.to_string()),
    }
}

/// The nibbles of an IPv6 address, dot-separated, most significant first (or reversed for
/// `ip6.arpa` names).
pub(crate) fn nibbles(octets: &[u8; 16], reversed: bool) -> String {
    let mut digits: Vec<char> = octets
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0x0f])
        .map(|nibble| char::from_digit(u32::from(nibble), 16).unwrap_or('0'))
        .collect();
    if reversed {
        digits.reverse();
    }
    let mut out = String::with_capacity(63);
    for (index, digit) in digits.into_iter().enumerate() {
        if index > 0 {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

/// URL-escapes as RFC 3986 §2.1 does, keeping the unreserved characters (§7.3).
fn url_escape(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

#[cfg(test)]
mod tests;
