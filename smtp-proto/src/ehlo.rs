//! The EHLO reply: the server's name, a greeting and the service extensions it offers.
//!
//! [RFC 5321 §4.1.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1):
//!
//! ```text
//! ehlo-ok-rsp  = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//!                / ( "250-" Domain [ SP ehlo-greet ] CRLF
//!                *( "250-" ehlo-line CRLF )
//!                "250" SP ehlo-line CRLF )
//! ehlo-line    = ehlo-keyword *( SP ehlo-param )
//! ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//! ```
//!
//! ```
//! use tegami_smtp_proto::{Ehlo, Extension, Reply, ReplyParse};
//!
//! let ReplyParse::Complete { reply, .. } =
//!     Reply::parse(b"250-mx.example hi\r\n250-SIZE 35882577\r\n250-AUTH PLAIN LOGIN\r\n250 CHUNKING\r\n")?
//! else { unreachable!() };
//! let ehlo = Ehlo::from_reply(&reply).expect("a 250 reply");
//! assert_eq!(ehlo.domain, "mx.example");
//! assert!(ehlo.extensions.contains(&Extension::Size(Some(35882577))));
//! assert!(ehlo.offers_auth("plain"));
//! # Ok::<(), tegami_smtp_proto::ReplyError>(())
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use tegami_core::ascii;

use crate::reply::Reply;

/// A parsed EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ehlo<'a> {
    /// The server's name, from the first line.
    pub domain: &'a str,
    /// The rest of the first line.
    pub greeting: &'a str,
    /// The extensions, one per further line, in order.
    pub extensions: Vec<Extension<'a>>,
}

/// One service extension of an EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Extension<'a> {
    /// `8BITMIME`, RFC 6152.
    EightBitMime,
    /// `AUTH` with its SASL mechanisms, RFC 4954 §3.
    Auth(Words<'a>),
    /// `BINARYMIME`, RFC 3030 §3.
    BinaryMime,
    /// `CHUNKING` (BDAT), RFC 3030 §2.
    Chunking,
    /// `DSN`, RFC 3461.
    Dsn,
    /// `ENHANCEDSTATUSCODES`, RFC 2034.
    EnhancedStatusCodes,
    /// `PIPELINING`, RFC 2920.
    Pipelining,
    /// `REQUIRETLS`, RFC 8689.
    RequireTls,
    /// `SIZE` with the largest message accepted (none or 0: no fixed limit), RFC 1870.
    Size(Option<u64>),
    /// `SMTPUTF8`, RFC 6531.
    SmtpUtf8,
    /// `STARTTLS`, RFC 3207.
    StartTls,
    /// Any other keyword with its parameters as written.
    Other {
        /// The keyword.
        keyword: &'a str,
        /// The parameters after it.
        parameters: Words<'a>,
    },
}

/// The words after an EHLO keyword (the mechanisms of `AUTH`, the parameters of another
/// extension), borrowed from the reply line and read on demand: spaces separate them, and a
/// run of spaces counts as one. Two lists are equal when their words are.
///
/// ```
/// use tegami_smtp_proto::ehlo::Words;
///
/// let words = Words::new(" PLAIN  LOGIN ");
/// assert_eq!(words.iter().collect::<Vec<_>>(), ["PLAIN", "LOGIN"]);
/// assert_eq!(words, Words::new("PLAIN LOGIN"));
/// assert_eq!(words.len(), 2);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Words<'a>(&'a str);

impl<'a> Words<'a> {
    /// The words of `text`, separated by spaces.
    pub fn new(text: &'a str) -> Words<'a> {
        Words(text)
    }

    /// The words, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
        self.into_iter()
    }

    /// How many words there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there is no word.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl<'a> IntoIterator for Words<'a> {
    type Item = &'a str;
    type IntoIter = core::iter::Filter<ascii::Split<'a>, fn(&&'a str) -> bool>;

    fn into_iter(self) -> Self::IntoIter {
        let nonempty: fn(&&'a str) -> bool = |word| !word.is_empty();
        ascii::split(self.0, b' ').filter(nonempty)
    }
}

impl PartialEq for Words<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Words<'_> {}

impl core::hash::Hash for Words<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        for word in self.iter() {
            word.hash(state);
        }
    }
}

impl fmt::Display for Words<'_> {
    /// The words joined by single spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, word) in self.iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
}

impl<'a> Ehlo<'a> {
    /// Reads a 250 reply to EHLO; `None` for any other code or an empty first line.
    pub fn from_reply(reply: &'a Reply<'_>) -> Option<Ehlo<'a>> {
        if reply.code() != 250 {
            return None;
        }
        let mut lines = reply.lines().iter().map(Cow::as_ref);
        let first = lines.next()?;
        let (domain, greeting) = ascii::split_once(first, b' ').unwrap_or((first, ""));
        if domain.is_empty() {
            return None;
        }
        let mut extensions = Vec::with_capacity(lines.len());
        // A loop of pushes: `extend` with `filter_map` moved each value through a slower path.
        for line in lines {
            if let Some(extension) = Extension::parse(line) {
                extensions.push(extension);
            }
        }
        Some(Ehlo {
            domain,
            greeting,
            extensions,
        })
    }

    /// The reply in wire form with code 250.
    pub fn to_reply(&self) -> Reply<'static> {
        let first = if self.greeting.is_empty() {
            String::from(self.domain)
        } else {
            alloc::format!("{} {}", self.domain, self.greeting)
        };
        let lines = core::iter::once(first)
            .chain(self.extensions.iter().map(ToString::to_string))
            .map(Cow::Owned);
        Reply::multiline(250, None, lines)
    }

    /// Whether an extension with this keyword is offered (case-insensitive).
    pub fn offers(&self, keyword: &str) -> bool {
        self.extensions
            .iter()
            .any(|extension| extension.keyword().eq_ignore_ascii_case(keyword))
    }

    /// Whether `AUTH` lists this mechanism (case-insensitive).
    pub fn offers_auth(&self, mechanism: &str) -> bool {
        self.extensions.iter().any(|extension| match extension {
            Extension::Auth(mechanisms) => mechanisms
                .iter()
                .any(|offered| offered.eq_ignore_ascii_case(mechanism)),
            _ => false,
        })
    }

    /// The `SIZE` limit, if the server states one.
    pub fn size_limit(&self) -> Option<u64> {
        self.extensions
            .iter()
            .find_map(|extension| match extension {
                Extension::Size(limit) => limit.filter(|&limit| limit > 0),
                _ => None,
            })
    }
}

impl<'a> Extension<'a> {
    /// Parses one `ehlo-line`; `None` when its keyword breaks the grammar.
    #[inline]
    pub fn parse(line: &'a str) -> Option<Extension<'a>> {
        let line = line.trim_start_matches(' ');
        // ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), ended by a space or the line.
        let keyword_len = line
            .bytes()
            .position(|byte| !crate::command::is_keyword_octet(byte))
            .unwrap_or(line.len());
        let (keyword, rest) = line.split_at_checked(keyword_len)?;
        let keyword_ok = keyword
            .bytes()
            .next()
            .is_some_and(|byte| byte.is_ascii_alphanumeric())
            && rest.bytes().next().is_none_or(|byte| byte == b' ');
        if !keyword_ok {
            return None;
        }
        let words = Words(rest);
        let is = |name: &str| keyword.eq_ignore_ascii_case(name);
        // The keyword's length picks the few names it can be.
        Some(match keyword.len() {
            3 if is("DSN") => Extension::Dsn,
            4 if is("AUTH") => Extension::Auth(words),
            4 if is("SIZE") => {
                Extension::Size(words.iter().next().and_then(|size| size.parse().ok()))
            }
            8 if is("8BITMIME") => Extension::EightBitMime,
            8 if is("CHUNKING") => Extension::Chunking,
            8 if is("SMTPUTF8") => Extension::SmtpUtf8,
            8 if is("STARTTLS") => Extension::StartTls,
            10 if is("BINARYMIME") => Extension::BinaryMime,
            10 if is("PIPELINING") => Extension::Pipelining,
            10 if is("REQUIRETLS") => Extension::RequireTls,
            19 if is("ENHANCEDSTATUSCODES") => Extension::EnhancedStatusCodes,
            _ => Extension::Other {
                keyword,
                parameters: words,
            },
        })
    }

    /// The keyword as the RFC writes it.
    pub fn keyword(&self) -> &str {
        match self {
            Extension::EightBitMime => "8BITMIME",
            Extension::Auth(_) => "AUTH",
            Extension::BinaryMime => "BINARYMIME",
            Extension::Chunking => "CHUNKING",
            Extension::Dsn => "DSN",
            Extension::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            Extension::Pipelining => "PIPELINING",
            Extension::RequireTls => "REQUIRETLS",
            Extension::Size(_) => "SIZE",
            Extension::SmtpUtf8 => "SMTPUTF8",
            Extension::StartTls => "STARTTLS",
            Extension::Other { keyword, .. } => keyword,
        }
    }
}

impl fmt::Display for Extension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())?;
        match self {
            Extension::Auth(mechanisms) => mechanisms
                .iter()
                .try_for_each(|mechanism| write!(f, " {mechanism}")),
            Extension::Size(Some(limit)) => write!(f, " {limit}"),
            Extension::Other { parameters, .. } => parameters
                .iter()
                .try_for_each(|parameter| write!(f, " {parameter}")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::ReplyParse;

    #[test]
    fn round_trip() {
        let ehlo = Ehlo {
            domain: "mx.example",
            greeting: "at your service",
            extensions: alloc::vec![
                Extension::Pipelining,
                Extension::Size(Some(10)),
                Extension::Auth(Words::new("PLAIN LOGIN")),
                Extension::Other {
                    keyword: "X-FOO",
                    parameters: Words::new("a b")
                },
            ],
        };
        let mut wire = Vec::new();
        ehlo.to_reply().write_to(&mut wire);
        assert_eq!(
            wire,
            b"250-mx.example at your service\r\n250-PIPELINING\r\n250-SIZE 10\r\n\
              250-AUTH PLAIN LOGIN\r\n250 X-FOO a b\r\n"
        );
        let Ok(ReplyParse::Complete { reply, .. }) = Reply::parse(&wire) else {
            panic!()
        };
        assert_eq!(Ehlo::from_reply(&reply), Some(ehlo));
    }

    #[test]
    fn keywords_follow_the_ehlo_keyword_grammar() {
        assert_eq!(Extension::parse("pipelining"), Some(Extension::Pipelining));
        assert_eq!(
            Extension::parse("  AUTH  PLAIN   LOGIN "),
            Some(Extension::Auth(Words::new("PLAIN LOGIN")))
        );
        assert_eq!(
            Extension::parse("X-1 a"),
            Some(Extension::Other {
                keyword: "X-1",
                parameters: Words::new("a")
            })
        );
        // Names of another length are other keywords, however they start.
        assert_eq!(
            Extension::parse("DSNX"),
            Some(Extension::Other {
                keyword: "DSNX",
                parameters: Words::new("")
            })
        );
        for bad in ["", " ", "-X", "SIZE=10", "AUTH,PLAIN", "ÄUTH", "8BIT\tMIME"] {
            assert_eq!(Extension::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn size_zero_is_no_limit() {
        let reply = Reply::multiline(250, None, ["mx".into(), "SIZE 0".into()]);
        assert_eq!(
            Ehlo::from_reply(&reply).and_then(|ehlo| ehlo.size_limit()),
            None
        );
        assert_eq!(Ehlo::from_reply(&Reply::new(550, None, "no")), None);
    }
}
