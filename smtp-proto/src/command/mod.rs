//! SMTP commands, RFC 5321 §4.1.1, with the commands of the extensions this crate speaks.
//!
//! [RFC 5321 §4.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1): verbs are
//! case-insensitive, arguments follow one space, and a line ends with CRLF. [`Command::parse`]
//! takes one line without its CRLF; framing lines (and their length limits) is the session's job.
//!
//! ```
//! use tegami_smtp_proto::{Command, command::Body};
//!
//! let Command::Mail { from, parameters } =
//!     Command::parse(b"MAIL FROM:<jane@Example.COM> SIZE=1024 BODY=8BITMIME")?
//! else { unreachable!() };
//! // The path borrows the line; the owned value a session keeps has its domain in lower case.
//! assert_eq!(from.to_string(), "<jane@Example.COM>");
//! assert_eq!(from.into_owned().to_string(), "<jane@example.com>");
//! assert_eq!(parameters.size, Some(1024));
//! assert_eq!(parameters.body, Some(Body::EightBitMime));
//!
//! let command = Command::parse(b"rcpt to:<Postmaster>")?;
//! assert_eq!(command.to_string(), "RCPT TO:<Postmaster>\r\n");
//! # Ok::<(), tegami_smtp_proto::CommandError>(())
//! ```

mod parameters;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub(crate) use parameters::is_keyword_octet;
pub use parameters::{
    Body, MailAuth, MailParameters, Notify, OriginalRecipient, RcptParameters, Ret,
};
use tegami_core::ascii;
use tegami_core::mailbox::{Mailbox, MailboxError, MailboxRef, ReversePathRef};

use crate::reply::{EnhancedStatus, Reply};

/// One SMTP command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// `EHLO` with the client's name (a domain or address literal, as written).
    Ehlo(&'a str),
    /// `HELO` with the client's name, as written.
    Helo(&'a str),
    /// `MAIL FROM:`.
    Mail {
        /// The reverse path: `<>` or the sender's mailbox, checked, borrowing the line.
        from: ReversePathRef<'a>,
        /// The ESMTP parameters.
        parameters: MailParameters<'a>,
    },
    /// `RCPT TO:`.
    Rcpt {
        /// The recipient, checked, borrowing the line.
        to: ForwardPathRef<'a>,
        /// The ESMTP parameters.
        parameters: RcptParameters<'a>,
    },
    /// `DATA`.
    Data,
    /// `BDAT` (RFC 3030 §2): a chunk of `size` octets follows the command line.
    Bdat {
        /// The chunk's length in octets.
        size: u64,
        /// `LAST`: this chunk ends the message.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `VRFY` with its argument.
    Vrfy(&'a str),
    /// `EXPN` with its argument.
    Expn(&'a str),
    /// `HELP` with an optional topic.
    Help(Option<&'a str>),
    /// `NOOP` with an optional argument, which is ignored.
    Noop(Option<&'a str>),
    /// `QUIT`.
    Quit,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH` (RFC 4954 §4): a SASL mechanism and an optional initial response
    /// (base64, or `=` for an empty one).
    Auth {
        /// The mechanism name, as written.
        mechanism: &'a str,
        /// The initial response, still base64-encoded.
        initial_response: Option<&'a str>,
    },
}

/// The argument of RCPT TO.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    /// `<Postmaster>` without a domain: the receiving host's postmaster (RFC 5321 §4.1.1.3).
    Postmaster,
    /// A recipient mailbox (which may be `Postmaster@domain`).
    Mailbox(Mailbox),
}

/// The argument of RCPT TO as the command line holds it; [`ForwardPathRef::into_owned`] gives
/// the [`ForwardPath`] a session keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardPathRef<'a> {
    /// `<Postmaster>` without a domain.
    Postmaster,
    /// A recipient mailbox.
    Mailbox(MailboxRef<'a>),
}

impl ForwardPathRef<'_> {
    /// The owned path.
    pub fn into_owned(self) -> ForwardPath {
        match self {
            ForwardPathRef::Postmaster => ForwardPath::Postmaster,
            ForwardPathRef::Mailbox(mailbox) => ForwardPath::Mailbox(mailbox.into_owned()),
        }
    }
}

impl<'a> From<&'a ForwardPath> for ForwardPathRef<'a> {
    fn from(path: &'a ForwardPath) -> ForwardPathRef<'a> {
        match path {
            ForwardPath::Postmaster => ForwardPathRef::Postmaster,
            ForwardPath::Mailbox(mailbox) => ForwardPathRef::Mailbox(mailbox.into()),
        }
    }
}

/// Why a line is not a command the session can carry out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The verb is not a command this crate knows.
    #[error("unrecognised command")]
    Unrecognised,
    /// The line is not UTF-8.
    #[error("command is not UTF-8")]
    InvalidUtf8,
    /// A bare CR, LF or NUL inside the line.
    #[error("bare CR, LF or NUL in command")]
    InvalidOctet,
    /// A command that takes an argument came without it, or one that takes none came with one.
    #[error("missing or unexpected argument")]
    InvalidArgument,
    /// MAIL without `FROM:` or RCPT without `TO:`.
    #[error("expected FROM: or TO:")]
    MissingKeyword,
    /// The reverse path of MAIL is malformed.
    #[error("invalid reverse path: {0}")]
    InvalidReversePath(MailboxError),
    /// The forward path of RCPT is malformed.
    #[error("invalid forward path: {0}")]
    InvalidForwardPath(MailboxError),
    /// A parameter breaks the `esmtp-param` grammar.
    #[error("malformed parameter")]
    MalformedParameter,
    /// A known parameter has a value it does not allow.
    #[error("invalid {0} parameter")]
    InvalidParameter(&'static str),
    /// A parameter appears twice.
    #[error("parameter repeated")]
    DuplicateParameter,
}

impl<'a> Command<'a> {
    /// Parses one command line, without its CRLF.
    ///
    /// A space after `FROM:` or `TO:`, which RFC 5321 §3.3 notes as a common client error, is
    /// accepted; so are several spaces between parameters. Everything else follows the grammar.
    ///
    /// # Errors
    ///
    /// [`CommandError`] saying what is wrong; [`CommandError::reply`] gives the reply a server
    /// sends for it.
    pub fn parse(line: &'a [u8]) -> Result<Command<'a>, CommandError> {
        // Command lines are short: a test of every octet without an early exit, which the
        // compiler vectorises, costs less than a call to a search.
        let forbidden = line.iter().fold(false, |found, &byte| {
            found | matches!(byte, 0 | b'\r' | b'\n')
        });
        if forbidden {
            return Err(CommandError::InvalidOctet);
        }
        // A line that is only a verb taking no argument needs no text: answer it first.
        if line.len() <= 8 && line.is_ascii() {
            match verb_word(line) {
                DATA => return Ok(Command::Data),
                RSET => return Ok(Command::Rset),
                QUIT => return Ok(Command::Quit),
                STARTTLS => return Ok(Command::StartTls),
                NOOP => return Ok(Command::Noop(None)),
                HELP => return Ok(Command::Help(None)),
                _ => {}
            }
        }
        let line = core::str::from_utf8(line).map_err(|_| CommandError::InvalidUtf8)?;
        // Every verb has at most eight letters (STARTTLS): compare them upper-cased as one word.
        let (verb, argument) = match line.bytes().take(9).position(|byte| byte == b' ') {
            Some(space) => (line.get(..space).unwrap_or_default(), line.get(space + 1..)),
            None if line.len() <= 8 => (line, None),
            None => return Err(CommandError::Unrecognised),
        };
        let verb_number = verb_word(verb.as_bytes());
        let verb_is = |name: &str| verb_number == verb_word(name.as_bytes());
        if verb_is("EHLO") || verb_is("HELO") {
            // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF; the name is one word.
            let name = argument
                .map(|argument| argument.trim_end_matches(' '))
                .filter(|name| !name.is_empty() && !name.as_bytes().contains(&b' '))
                .ok_or(CommandError::InvalidArgument)?;
            return Ok(if verb_is("EHLO") {
                Command::Ehlo(name)
            } else {
                Command::Helo(name)
            });
        }
        if verb_is("MAIL") {
            let rest = keyword(argument, "FROM:")?;
            let (from, rest) =
                ReversePathRef::parse_str(rest).map_err(CommandError::InvalidReversePath)?;
            let parameters = parameters::mail_parameters(after_path(rest)?)?;
            return Ok(Command::Mail { from, parameters });
        }
        if verb_is("RCPT") {
            let rest = keyword(argument, "TO:")?;
            let (to, rest) = forward_path(rest)?;
            let parameters = parameters::rcpt_parameters(after_path(rest)?)?;
            return Ok(Command::Rcpt { to, parameters });
        }
        if verb_is("BDAT") {
            // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF, RFC 3030 §2
            let argument = argument.ok_or(CommandError::InvalidArgument)?;
            let (size, marker) = match ascii::split_once(argument, b' ') {
                Some((size, marker)) => (size, Some(marker)),
                None => (argument, None),
            };
            let last = match marker {
                None => false,
                Some(marker) if marker.eq_ignore_ascii_case("LAST") => true,
                Some(_) => return Err(CommandError::InvalidArgument),
            };
            let size = Some(size)
                .filter(|size| !size.is_empty() && size.len() <= 20)
                .filter(|size| size.bytes().all(|byte| byte.is_ascii_digit()))
                .and_then(|size| size.parse().ok())
                .ok_or(CommandError::InvalidArgument)?;
            return Ok(Command::Bdat { size, last });
        }
        if verb_is("AUTH") {
            // auth-command = "AUTH" SP sasl-mech [SP initial-response], RFC 4954 §4
            let argument = argument.ok_or(CommandError::InvalidArgument)?;
            let (mechanism, initial_response) = match ascii::split_once(argument, b' ') {
                Some((mechanism, response)) => (mechanism, Some(response)),
                None => (argument, None),
            };
            // sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
            let mechanism_ok = (1..=20).contains(&mechanism.len())
                && mechanism
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
            if !mechanism_ok || initial_response.is_some_and(str::is_empty) {
                return Err(CommandError::InvalidArgument);
            }
            return Ok(Command::Auth {
                mechanism,
                initial_response,
            });
        }
        // A verb that takes no argument, built only once the argument is known to be absent
        // (a closure taking the command would move the whole value through it).
        let bare = || match argument {
            None => Ok(()),
            Some(_) => Err(CommandError::InvalidArgument),
        };
        let text = |argument: Option<&'a str>| {
            argument
                .filter(|text| !text.trim().is_empty())
                .ok_or(CommandError::InvalidArgument)
        };
        match verb_number {
            DATA => bare().map(|()| Command::Data),
            RSET => bare().map(|()| Command::Rset),
            QUIT => bare().map(|()| Command::Quit),
            STARTTLS => bare().map(|()| Command::StartTls),
            VRFY => Ok(Command::Vrfy(text(argument)?)),
            EXPN => Ok(Command::Expn(text(argument)?)),
            HELP => Ok(Command::Help(argument.filter(|topic| !topic.is_empty()))),
            NOOP => Ok(Command::Noop(argument)),
            _ => Err(CommandError::Unrecognised),
        }
    }

    /// Appends the command in wire form, CRLF included.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(ToString::to_string(self).as_bytes());
    }
}

impl fmt::Display for Command<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Ehlo(name) => write!(f, "EHLO {name}")?,
            Command::Helo(name) => write!(f, "HELO {name}")?,
            Command::Mail { from, parameters } => {
                let mut text = String::new();
                parameters.write_to(&mut text);
                write!(f, "MAIL FROM:{from}{text}")?;
            }
            Command::Rcpt { to, parameters } => {
                let mut text = String::new();
                parameters.write_to(&mut text);
                write!(f, "RCPT TO:{to}{text}")?;
            }
            Command::Data => f.write_str("DATA")?,
            Command::Bdat { size, last: true } => write!(f, "BDAT {size} LAST")?,
            Command::Bdat { size, last: false } => write!(f, "BDAT {size}")?,
            Command::Rset => f.write_str("RSET")?,
            Command::Vrfy(text) => write!(f, "VRFY {text}")?,
            Command::Expn(text) => write!(f, "EXPN {text}")?,
            Command::Help(Some(topic)) => write!(f, "HELP {topic}")?,
            Command::Help(None) => f.write_str("HELP")?,
            Command::Noop(Some(text)) => write!(f, "NOOP {text}")?,
            Command::Noop(None) => f.write_str("NOOP")?,
            Command::Quit => f.write_str("QUIT")?,
            Command::StartTls => f.write_str("STARTTLS")?,
            Command::Auth {
                mechanism,
                initial_response: Some(response),
            } => write!(f, "AUTH {mechanism} {response}")?,
            Command::Auth {
                mechanism,
                initial_response: None,
            } => write!(f, "AUTH {mechanism}")?,
        }
        f.write_str("\r\n")
    }
}

impl fmt::Display for ForwardPathRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPathRef::Postmaster => f.write_str("<Postmaster>"),
            ForwardPathRef::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}

impl fmt::Display for ForwardPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<Postmaster>"),
            ForwardPath::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}

impl CommandError {
    /// The reply a server sends for this error (RFC 5321 §4.2.2, RFC 3463 §3.6).
    pub fn reply(&self) -> Reply<'static> {
        let (code, detail, text) = match self {
            CommandError::Unrecognised => (500, (5, 1), "Command unrecognised"),
            CommandError::InvalidUtf8 | CommandError::InvalidOctet => {
                (500, (5, 2), "Invalid characters in command")
            }
            CommandError::InvalidArgument => (501, (5, 4), "Syntax error in arguments"),
            CommandError::MissingKeyword => (501, (5, 4), "Expected FROM:<path> or TO:<path>"),
            CommandError::InvalidReversePath(_) => (501, (1, 7), "Bad sender address syntax"),
            CommandError::InvalidForwardPath(_) => {
                (501, (1, 3), "Bad destination mailbox address syntax")
            }
            CommandError::MalformedParameter
            | CommandError::InvalidParameter(_)
            | CommandError::DuplicateParameter => (501, (5, 4), "Invalid parameter"),
        };
        Reply::new(code, Some(EnhancedStatus::new(5, detail.0, detail.1)), text)
    }
}

const DATA: u64 = verb_word(b"DATA");
const RSET: u64 = verb_word(b"RSET");
const QUIT: u64 = verb_word(b"QUIT");
const STARTTLS: u64 = verb_word(b"STARTTLS");
const VRFY: u64 = verb_word(b"VRFY");
const EXPN: u64 = verb_word(b"EXPN");
const HELP: u64 = verb_word(b"HELP");
const NOOP: u64 = verb_word(b"NOOP");

/// A verb of at most eight octets, upper-cased, packed into one number (octet `i` in bits
/// `8i..8i+8`, the rest zero), so that comparing verbs costs one instruction. Distinct verbs
/// give distinct numbers because a verb holds no NUL (refused before).
const fn verb_word(verb: &[u8]) -> u64 {
    let mut word = 0;
    let mut shift = 0;
    let mut rest = verb;
    while let [first, tail @ ..] = rest
        && shift < 64
    {
        word |= (first.to_ascii_uppercase() as u64) << shift;
        shift += 8;
        rest = tail;
    }
    word
}

/// The path after `FROM:` or `TO:`; one space after the colon is tolerated.
fn keyword<'a>(argument: Option<&'a str>, name: &str) -> Result<&'a str, CommandError> {
    let argument = argument.ok_or(CommandError::MissingKeyword)?;
    let head = argument
        .get(..name.len())
        .filter(|head| head.eq_ignore_ascii_case(name))
        .ok_or(CommandError::MissingKeyword)?;
    let rest = argument.get(head.len()..).unwrap_or_default();
    Ok(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The parameters after a path: nothing, or a space and then parameters.
fn after_path(rest: &str) -> Result<&str, CommandError> {
    if rest.is_empty() {
        return Ok(rest);
    }
    rest.strip_prefix(' ')
        .ok_or(CommandError::MalformedParameter)
}

/// `"<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path`, RFC 5321 §4.1.1.3.
fn forward_path(input: &str) -> Result<(ForwardPathRef<'_>, &str), CommandError> {
    if let Some(head) = input.get(..12)
        && head.eq_ignore_ascii_case("<Postmaster>")
    {
        return Ok((
            ForwardPathRef::Postmaster,
            input.get(12..).unwrap_or_default(),
        ));
    }
    let (mailbox, rest) =
        MailboxRef::parse_path_str(input).map_err(CommandError::InvalidForwardPath)?;
    Ok((ForwardPathRef::Mailbox(mailbox), rest))
}

#[cfg(test)]
mod tests;
