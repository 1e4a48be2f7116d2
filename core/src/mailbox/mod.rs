//! The RFC 5321 Path, Mailbox and address-literal grammar, shared by SMTP and SPF.
//!
//! [RFC 5321 §4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2):
//!
//! ```text
//! Reverse-path   = Path / "<>"
//! Forward-path   = Path
//! Path           = "<" [ A-d-l ":" ] Mailbox ">"
//! A-d-l          = At-domain *( "," At-domain )
//! At-domain      = "@" Domain
//! Mailbox        = Local-part "@" ( Domain / address-literal )
//! Local-part     = Dot-string / Quoted-string
//! ```
//!
//! with the UTF-8 extensions of [RFC 6531 §3.3](https://www.rfc-editor.org/rfc/rfc6531#section-3.3)
//! in local parts and domains. Source routes are parsed and dropped (RFC 5321 §4.1.1.3 and
//! Appendix C). What the grammar forbids stays forbidden, because lenient address parsers are
//! how spoofed senders pass authentication: a second unquoted `@`, a comment `(` or a stray
//! backslash outside quotes is a syntax error (attacks A5, A11 and A12 of "Composition Kills",
//! USENIX Security 2020).
//!
//! ```
//! use tegami_core::mailbox::{Mailbox, ReversePath};
//!
//! let (path, rest) = ReversePath::parse(b"<@relay.example:Joe.Q@Example.COM> SIZE=100")?;
//! let ReversePath::Mailbox(mailbox) = path else { unreachable!() };
//! assert_eq!(mailbox.to_string(), "Joe.Q@example.com");
//! assert_eq!(rest, b" SIZE=100");
//! assert!(Mailbox::parse(b"admin@legit.example(.attacker.example").is_err());
//! # Ok::<(), tegami_core::mailbox::MailboxError>(())
//! ```

mod parse;

use alloc::boxed::Box;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::domain::Domain;

/// A mailbox: `local-part@domain` or `local-part@[address-literal]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    local_part: Box<str>,
    domain: MailboxDomain,
    utf8: bool,
}

/// The part of a mailbox after the `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailboxDomain {
    /// A domain name, in A-label form.
    Domain(Domain),
    /// An address literal in brackets.
    AddressLiteral(AddressLiteral),
}

/// An address literal, RFC 5321 §4.1.3.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressLiteral {
    /// `[192.0.2.1]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`.
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a General-address-literal with a standardized tag other than `IPv6`.
    General {
        /// The tag before the colon.
        tag: Box<str>,
        /// The content after the colon.
        content: Box<str>,
    },
}

/// A mailbox checked against the same grammar as [`Mailbox`], borrowing the text it was parsed
/// from: a command parser hands it out without allocating, and [`MailboxRef::into_owned`] makes
/// the [`Mailbox`] when the value must outlive the text.
///
/// It shows the mailbox as written when its domain is a plain name, and as the owned value
/// shows it otherwise (an internationalised name in lower-case A-labels); a domain name becomes
/// lower case in the owned value. Two are equal when their owned values are.
///
/// ```
/// use tegami_core::mailbox::MailboxRef;
///
/// let (mailbox, rest) = MailboxRef::parse_path(b"<Jane@Example.COM> SIZE=10")?;
/// assert_eq!(mailbox.to_string(), "Jane@Example.COM");
/// assert_eq!(rest, b" SIZE=10");
/// assert_eq!(mailbox.into_owned().to_string(), "Jane@example.com");
/// # Ok::<(), tegami_core::mailbox::MailboxError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MailboxRef<'a> {
    repr: Repr<'a>,
}

/// What a [`MailboxRef`] holds: three words, so that a parsed command moves cheaply.
#[derive(Debug, Clone)]
enum Repr<'a> {
    /// `local-part@domain` as written, the domain of plain LDH labels; the `@` at `at`.
    Plain { text: &'a str, at: u32 },
    /// A mailbox with an internationalised domain name or an address literal, parsed into its
    /// owned form (these need allocations anyway).
    Parsed(Box<Mailbox>),
    /// An owned mailbox, borrowed.
    Of(&'a Mailbox),
}

/// The domain part of a [`MailboxRef`], for comparisons.
enum DomainView<'b> {
    Plain(&'b str),
    Owned(&'b MailboxDomain),
}

/// [`ReversePath`] borrowing its text: `<>` or a [`MailboxRef`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReversePathRef<'a> {
    /// `<>`.
    Null,
    /// A sender mailbox.
    Mailbox(MailboxRef<'a>),
}

/// The argument of MAIL FROM: a mailbox or the null path `<>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath {
    /// `<>`: bounces and other messages that must not cause replies (RFC 5321 §4.5.5).
    Null,
    /// A sender mailbox.
    Mailbox(Mailbox),
}

/// A syntax error in a path or mailbox, and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at octet {offset}")]
pub struct MailboxError {
    /// What is wrong.
    pub kind: MailboxErrorKind,
    /// The octet offset into the input.
    pub offset: usize,
}

/// What is wrong with a path or mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MailboxErrorKind {
    /// The path does not start with `<`.
    #[error("expected '<'")]
    ExpectedOpeningBracket,
    /// The path does not end with `>` after the mailbox (a second `@`, a comment, ...).
    #[error("expected '>'")]
    ExpectedClosingBracket,
    /// The local part is empty or not a Dot-string or Quoted-string.
    #[error("invalid local part")]
    InvalidLocalPart,
    /// A quoted local part has no closing quote.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// No `@` after the local part.
    #[error("expected '@'")]
    ExpectedAt,
    /// The domain is not a valid name.
    #[error("invalid domain: {0}")]
    InvalidDomain(crate::domain::DomainError),
    /// The address literal is malformed.
    #[error("invalid address literal")]
    InvalidAddressLiteral,
    /// The source route is malformed.
    #[error("invalid source route")]
    InvalidSourceRoute,
    /// Text follows a bare mailbox.
    #[error("unexpected trailing text")]
    TrailingText,
    /// The input is not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
}

impl Mailbox {
    /// Parses a whole bare mailbox (no angle brackets), as SPF receives the MAIL FROM identity.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    pub fn parse(input: &[u8]) -> Result<Mailbox, MailboxError> {
        MailboxRef::parse(input).map(MailboxRef::into_owned)
    }

    /// The local part as written (a Quoted-string keeps its quotes and escapes).
    pub fn local_part(&self) -> &str {
        &self.local_part
    }

    /// The domain or address literal.
    pub fn domain(&self) -> &MailboxDomain {
        &self.domain
    }

    /// The domain name, if the mailbox has one rather than an address literal.
    pub fn domain_name(&self) -> Option<&Domain> {
        match &self.domain {
            MailboxDomain::Domain(domain) => Some(domain),
            MailboxDomain::AddressLiteral(_) => None,
        }
    }

    /// Whether the mailbox needs SMTPUTF8 (RFC 6531): non-ASCII in the local part or U-labels
    /// in the domain as written.
    pub fn requires_smtputf8(&self) -> bool {
        self.utf8
    }
}

impl<'a> MailboxRef<'a> {
    /// Parses a whole bare mailbox (no angle brackets), as [`Mailbox::parse`] does.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    pub fn parse(input: &'a [u8]) -> Result<MailboxRef<'a>, MailboxError> {
        let (mailbox, end) = parse::mailbox(input, None, 0)?;
        if end != input.len() {
            return Err(MailboxError {
                kind: MailboxErrorKind::TrailingText,
                offset: end,
            });
        }
        Ok(mailbox)
    }

    /// Parses a Path at the start of `input`, as [`parse_path`] does, returning the rest after
    /// `>`.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    #[inline]
    pub fn parse_path(input: &'a [u8]) -> Result<(MailboxRef<'a>, &'a [u8]), MailboxError> {
        let (mailbox, end) = parse::path(input, None)?;
        Ok((mailbox, input.get(end..).unwrap_or_default()))
    }

    /// [`MailboxRef::parse_path`] on text, such as a command line already checked for UTF-8:
    /// the pieces are sliced from it without a second check.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    #[inline]
    pub fn parse_path_str(input: &'a str) -> Result<(MailboxRef<'a>, &'a str), MailboxError> {
        let (mailbox, end) = parse::path(input.as_bytes(), Some(input))?;
        Ok((mailbox, input.get(end..).unwrap_or_default()))
    }

    /// A mailbox of the grammar; `text` is `local-part@domain` with the `@` at `at`, the domain
    /// of plain LDH labels.
    pub(crate) fn plain(text: &'a str, at: usize) -> MailboxRef<'a> {
        match u32::try_from(at) {
            Ok(at) => MailboxRef {
                repr: Repr::Plain { text, at },
            },
            // A local part over 4 GiB: keep it whole rather than cut an offset.
            Err(_) => MailboxRef::parsed(
                text.get(..at).unwrap_or_default(),
                MailboxDomain::Domain(Domain::from_plain(text.get(at + 1..).unwrap_or_default())),
                false,
            ),
        }
    }

    /// Any other mailbox of the grammar, in its owned form.
    pub(crate) fn parsed(
        local_part: &str,
        domain: MailboxDomain,
        domain_utf8: bool,
    ) -> MailboxRef<'a> {
        MailboxRef {
            repr: Repr::Parsed(Box::new(Mailbox {
                local_part: local_part.into(),
                domain,
                utf8: domain_utf8 || !local_part.is_ascii(),
            })),
        }
    }

    /// The local part as written.
    pub fn local_part(&self) -> &str {
        match &self.repr {
            Repr::Plain { text, at } => text.get(..*at as usize).unwrap_or_default(),
            Repr::Parsed(mailbox) => mailbox.local_part(),
            Repr::Of(mailbox) => mailbox.local_part(),
        }
    }

    /// Whether the mailbox needs SMTPUTF8 (RFC 6531), as [`Mailbox::requires_smtputf8`].
    pub fn requires_smtputf8(&self) -> bool {
        match &self.repr {
            // The domain is plain LDH: only the local part can hold UTF-8.
            Repr::Plain { .. } => !self.local_part().is_ascii(),
            Repr::Parsed(mailbox) => mailbox.utf8,
            Repr::Of(mailbox) => mailbox.utf8,
        }
    }

    /// The owned mailbox: the local part copied, the domain name lower-cased.
    pub fn into_owned(self) -> Mailbox {
        match self.repr {
            Repr::Plain { text, at } => {
                let at = at as usize;
                let local_part = text.get(..at).unwrap_or_default();
                Mailbox {
                    local_part: local_part.into(),
                    domain: MailboxDomain::Domain(Domain::from_plain(
                        text.get(at + 1..).unwrap_or_default(),
                    )),
                    utf8: !local_part.is_ascii(),
                }
            }
            Repr::Parsed(mailbox) => *mailbox,
            Repr::Of(mailbox) => mailbox.clone(),
        }
    }

    fn domain_view(&self) -> DomainView<'_> {
        match &self.repr {
            Repr::Plain { text, at } => {
                DomainView::Plain(text.get(*at as usize + 1..).unwrap_or_default())
            }
            Repr::Parsed(mailbox) => DomainView::Owned(&mailbox.domain),
            Repr::Of(mailbox) => DomainView::Owned(&mailbox.domain),
        }
    }
}

/// Two mailboxes are equal when their owned forms are: the same local part, the same domain
/// whatever its case.
impl PartialEq for MailboxRef<'_> {
    fn eq(&self, other: &MailboxRef<'_>) -> bool {
        let domains_equal = match (self.domain_view(), other.domain_view()) {
            (DomainView::Plain(one), DomainView::Plain(two)) => one.eq_ignore_ascii_case(two),
            (DomainView::Plain(plain), DomainView::Owned(MailboxDomain::Domain(name)))
            | (DomainView::Owned(MailboxDomain::Domain(name)), DomainView::Plain(plain)) => {
                name.as_str().eq_ignore_ascii_case(plain)
            }
            (DomainView::Owned(one), DomainView::Owned(two)) => one == two,
            _ => false,
        };
        domains_equal
            && self.local_part() == other.local_part()
            && self.requires_smtputf8() == other.requires_smtputf8()
    }
}

impl Eq for MailboxRef<'_> {}

impl<'a> From<&'a Mailbox> for MailboxRef<'a> {
    fn from(mailbox: &'a Mailbox) -> MailboxRef<'a> {
        MailboxRef {
            repr: Repr::Of(mailbox),
        }
    }
}

impl<'a> ReversePathRef<'a> {
    /// Parses `<>` or a Path at the start of `input`, as [`ReversePath::parse`] does.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    #[inline]
    pub fn parse(input: &'a [u8]) -> Result<(ReversePathRef<'a>, &'a [u8]), MailboxError> {
        if input.starts_with(b"<>") {
            return Ok((ReversePathRef::Null, input.get(2..).unwrap_or_default()));
        }
        let (mailbox, rest) = MailboxRef::parse_path(input)?;
        Ok((ReversePathRef::Mailbox(mailbox), rest))
    }

    /// [`ReversePathRef::parse`] on text, slicing the pieces from it without a second UTF-8
    /// check.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    #[inline]
    pub fn parse_str(input: &'a str) -> Result<(ReversePathRef<'a>, &'a str), MailboxError> {
        if input.starts_with("<>") {
            return Ok((ReversePathRef::Null, input.get(2..).unwrap_or_default()));
        }
        let (mailbox, rest) = MailboxRef::parse_path_str(input)?;
        Ok((ReversePathRef::Mailbox(mailbox), rest))
    }

    /// The owned path.
    pub fn into_owned(self) -> ReversePath {
        match self {
            ReversePathRef::Null => ReversePath::Null,
            ReversePathRef::Mailbox(mailbox) => ReversePath::Mailbox(mailbox.into_owned()),
        }
    }
}

impl<'a> From<&'a ReversePath> for ReversePathRef<'a> {
    fn from(path: &'a ReversePath) -> ReversePathRef<'a> {
        match path {
            ReversePath::Null => ReversePathRef::Null,
            ReversePath::Mailbox(mailbox) => ReversePathRef::Mailbox(mailbox.into()),
        }
    }
}

impl ReversePath {
    /// Parses `<>` or a Path at the start of `input`, returning the rest after `>`.
    ///
    /// # Errors
    ///
    /// [`MailboxError`] with the offset of the first problem.
    #[inline]
    pub fn parse(input: &[u8]) -> Result<(ReversePath, &[u8]), MailboxError> {
        if input.starts_with(b"<>") {
            return Ok((ReversePath::Null, input.get(2..).unwrap_or_default()));
        }
        let (mailbox, rest) = parse_path(input)?;
        Ok((ReversePath::Mailbox(mailbox), rest))
    }
}

/// Parses a Forward-path (`Path`) at the start of `input`, returning the mailbox and the rest
/// after `>`; the source route, if any, is checked and dropped.
///
/// # Errors
///
/// [`MailboxError`] with the offset of the first problem.
#[inline]
pub fn parse_path(input: &[u8]) -> Result<(Mailbox, &[u8]), MailboxError> {
    let (mailbox, rest) = MailboxRef::parse_path(input)?;
    Ok((mailbox.into_owned(), rest))
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.domain)
    }
}

impl fmt::Display for MailboxRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Plain { text, .. } => f.write_str(text),
            Repr::Parsed(mailbox) => write!(f, "{mailbox}"),
            Repr::Of(mailbox) => write!(f, "{mailbox}"),
        }
    }
}

impl fmt::Display for ReversePathRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePathRef::Null => f.write_str("<>"),
            ReversePathRef::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}

impl fmt::Display for MailboxDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailboxDomain::Domain(domain) => write!(f, "{domain}"),
            MailboxDomain::AddressLiteral(literal) => write!(f, "{literal}"),
        }
    }
}

impl fmt::Display for AddressLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressLiteral::Ipv4(address) => write!(f, "[{address}]"),
            AddressLiteral::Ipv6(address) => write!(f, "[IPv6:{address}]"),
            AddressLiteral::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

impl fmt::Display for ReversePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Mailbox(mailbox) => write!(f, "<{mailbox}>"),
        }
    }
}

#[cfg(test)]
mod tests;
