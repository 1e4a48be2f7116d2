//! What a machine asks the resolver.

use core::fmt;

/// Identifies one query handed out by a machine; answers are matched to queries by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueryId(pub u32);

impl fmt::Display for QueryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The record types tegami's protocols look up, in the order of their RFC 1035 / RFC 3596
/// type numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QueryKind {
    /// IPv4 host address (type 1).
    A,
    /// Domain name pointer, for reverse lookups (type 12).
    Ptr,
    /// Mail exchange (type 15).
    Mx,
    /// Text strings (type 16): SPF, DKIM keys, DMARC and more.
    Txt,
    /// IPv6 host address (type 28, RFC 3596).
    Aaaa,
}

impl QueryKind {
    /// All kinds, in type-number order.
    pub const ALL: [QueryKind; 5] = [
        QueryKind::A,
        QueryKind::Ptr,
        QueryKind::Mx,
        QueryKind::Txt,
        QueryKind::Aaaa,
    ];

    /// The mnemonic of the type as zone files write it (`TXT`, `AAAA`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            QueryKind::A => "A",
            QueryKind::Ptr => "PTR",
            QueryKind::Mx => "MX",
            QueryKind::Txt => "TXT",
            QueryKind::Aaaa => "AAAA",
        }
    }

    /// Parses a mnemonic, case-insensitively; `None` for a type tegami never asks.
    pub fn from_mnemonic(text: &str) -> Option<QueryKind> {
        QueryKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for QueryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One DNS question: the `name` to look up, the `kind` of record, and the `id` to answer with.
///
/// `name` is in presentation form without the trailing dot (`_dmarc.example.com`). It is not a
/// validated [`Domain`](crate::domain::Domain): SPF macros and DKIM selectors build names with
/// underscores and other octets that DNS carries but host names do not allow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// The id to pass back to `handle_answer`.
    pub id: QueryId,
    /// The name to look up, without the trailing dot.
    pub name: String,
    /// The record type to look up.
    pub kind: QueryKind,
}
