//! [`Problem`]: what was wrong with a message, and where.

use core::fmt;

/// Something wrong with the input that the parser worked around, at a byte offset.
///
/// Parsing never fails on real mail; it records each deviation from the RFCs here so that a
/// filter can decide what to make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Offset in the input given to the parser (for header values: in the message).
    pub offset: usize,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// The kinds of [`Problem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A header line that is neither a field (`name:`) nor a continuation line
    /// (RFC 5322 §2.2).
    #[error("header line without a field name and colon")]
    HeaderLineWithoutColon,
    /// A continuation line before the first field.
    #[error("continuation line before any header field")]
    ContinuationWithoutField,
    /// The message ends inside the header block (no empty line before the body).
    #[error("header block not terminated by an empty line")]
    UnterminatedHeader,
    /// A comment `(` without its `)`.
    #[error("unterminated comment")]
    UnterminatedComment,
    /// A quoted-string `"` without its closing quote.
    #[error("unterminated quoted-string")]
    UnterminatedQuotedString,
    /// A domain-literal `[` without its `]`.
    #[error("unterminated domain-literal")]
    UnterminatedDomainLiteral,
    /// A backslash outside a quoted-string or comment (RFC 5322 allows quoted-pair only there).
    #[error("quoted-pair outside a quoted-string or comment")]
    QuotedPairOutsideQuotes,
    /// Text that fits no address where an address was expected.
    #[error("text that is not an address")]
    NotAnAddress,
    /// Text after a complete address and before the next comma.
    #[error("text after the end of an address")]
    TrailingText,
    /// An angle-addr `<` without its `>`.
    #[error("angle-addr without its closing '>'")]
    UnterminatedAngleAddr,
    /// A group without its terminating `;`.
    #[error("group without its terminating ';'")]
    UnterminatedGroup,
    /// An obsolete source route `<@relay:user@domain>` (RFC 5322 §4.4).
    #[error("obsolete source route in an address")]
    ObsoleteRoute,
    /// An encoded-word inside an addr-spec, where RFC 2047 §5 forbids it; it is not decoded.
    #[error("encoded-word inside an addr-spec")]
    EncodedWordInAddress,
    /// Octets that are not UTF-8 inside an address.
    #[error("octets that are not UTF-8 in an address")]
    NonUtf8Address,
    /// The domain of an address is not a valid domain name.
    #[error("invalid domain in an address")]
    InvalidDomain,
    /// An address whose domain is a domain-literal (`[192.0.2.1]`).
    #[error("address with a domain-literal")]
    DomainLiteral,
    /// A display name that itself reads as an email address.
    #[error("display name that looks like an address")]
    DisplayNameLooksLikeAddress,
    /// An encoded-word that does not decode (unknown charset, bad encoding letter, bad data).
    #[error("encoded-word that does not decode")]
    BadEncodedWord,
    /// An empty element in an address list (`a@x, , b@y`), allowed only by the obsolete syntax.
    #[error("empty element in an address list")]
    EmptyListElement,
    /// A `Content-Type` without a valid `type/subtype`; read as `text/plain` (RFC 2045 §5.2).
    #[error("invalid Content-Type")]
    InvalidContentType,
    /// A multipart without a `boundary` parameter; its body is kept as one leaf.
    #[error("multipart without a boundary parameter")]
    MissingBoundary,
    /// A multipart whose boundary never appears in its body.
    #[error("multipart boundary not found in the body")]
    BoundaryNotFound,
    /// A multipart without its closing delimiter (`--boundary--`); the last part runs to
    /// the end.
    #[error("multipart without its closing delimiter")]
    MissingCloseDelimiter,
    /// Nesting deeper than the configured limit; the part is kept as a leaf.
    #[error("parts nested deeper than the limit")]
    TooDeep,
    /// More parts than the configured limit; the rest are left out.
    #[error("more parts than the limit")]
    TooManyParts,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at octet {}", self.kind, self.offset)
    }
}
