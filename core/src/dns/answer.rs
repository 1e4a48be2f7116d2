//! What the resolver answers.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

/// The outcome of one [`Query`](super::Query): the records found, or why there are none.
///
/// An empty `Ok` list means the same as [`DnsError::NoRecords`]; resolvers should prefer the
/// error, and machines treat both alike.
pub type Answer = Result<Vec<Record>, DnsError>;

/// Why a lookup returned no records.
///
/// The protocols tell these cases apart: SPF counts NXDOMAIN and empty answers as void lookups
/// ([RFC 7208 §4.6.4](https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4)), DMARC decides
/// that a domain does not exist from them, and a temporary failure becomes `temperror`
/// everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// The name does not exist (RCODE 3, NXDOMAIN).
    #[error("name does not exist")]
    NxDomain,
    /// The name exists but holds no records of the asked type (NOERROR with no answer).
    #[error("no records of this type")]
    NoRecords,
    /// The lookup failed and may succeed later (SERVFAIL, timeout, unreachable server).
    #[error("temporary DNS failure")]
    Temporary,
}

/// One resource record of a kind tegami asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Record {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// A host name from a PTR record, without the trailing dot.
    Ptr(String),
    /// A mail exchange.
    Mx(MxRecord),
    /// A TXT record with its character-strings kept apart.
    Txt(TxtRecord),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
}

/// An MX record: a preference and the exchange host, without the trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MxRecord {
    /// Lower is preferred.
    pub preference: u16,
    /// The exchange's host name; `""` for the null MX of RFC 7505 (`MX 0 .`).
    pub exchange: String,
}

/// One TXT record: a list of character-strings of at most 255 octets each (RFC 1035 §3.3.14).
///
/// Records are kept apart from each other (several `v=spf1` records are an error, several DKIM
/// key records are not), and the strings of a record stay apart until a protocol joins them.
/// A record is one allocation whatever its number of strings, and [`TxtRecord::joined`]
/// borrows the text of the usual one-string record.
///
/// ```
/// use tegami_core::dns::TxtRecord;
///
/// let record = TxtRecord::from_strings(["v=spf1 ", "-all"]);
/// assert_eq!(record.strings().collect::<Vec<_>>(), [&b"v=spf1 "[..], b"-all"]);
/// assert_eq!(&*record.joined(), b"v=spf1 -all");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TxtRecord {
    /// Each character-string after its length (eight octets, little-endian).
    data: Box<[u8]>,
}

/// The length prefix of a string in [`TxtRecord`]'s buffer.
const LENGTH: usize = size_of::<usize>();

impl TxtRecord {
    /// Creates a record from its character-strings.
    pub fn new(strings: Vec<Vec<u8>>) -> TxtRecord {
        TxtRecord::from_strings(strings)
    }

    /// Creates a record of one character-string per item.
    pub fn from_strings<I, S>(strings: I) -> TxtRecord
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut data = Vec::new();
        for string in strings {
            let string = string.as_ref();
            data.extend_from_slice(&string.len().to_le_bytes());
            data.extend_from_slice(string);
        }
        TxtRecord {
            data: data.into_boxed_slice(),
        }
    }

    /// The character-strings, in order.
    pub fn strings(&self) -> TxtStrings<'_> {
        TxtStrings { rest: &self.data }
    }

    /// The strings joined without separators, as SPF (RFC 7208 §3.3), DKIM (RFC 6376
    /// §3.6.2.2) and DMARC read a record; borrowed for a record of one string.
    pub fn joined(&self) -> Cow<'_, [u8]> {
        let mut strings = self.strings();
        match (strings.next(), strings.next()) {
            (None, _) => Cow::Borrowed(&[]),
            (Some(only), None) => Cow::Borrowed(only),
            (Some(_), Some(_)) => Cow::Owned(self.concatenated()),
        }
    }

    /// The strings joined without separators, as a new vector (see [`TxtRecord::joined`]).
    pub fn concatenated(&self) -> Vec<u8> {
        let mut joined = Vec::with_capacity(self.data.len());
        for string in self.strings() {
            joined.extend_from_slice(string);
        }
        joined
    }
}

/// The character-strings of a [`TxtRecord`], from [`TxtRecord::strings`].
#[derive(Debug, Clone)]
pub struct TxtStrings<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for TxtStrings<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (length, rest) = self.rest.split_first_chunk::<LENGTH>()?;
        let (string, rest) = rest.split_at_checked(usize::from_le_bytes(*length))?;
        self.rest = rest;
        Some(string)
    }
}
