//! Canonicalization, [RFC 6376 §3.4](https://www.rfc-editor.org/rfc/rfc6376#section-3.4).

mod body;
mod header;

use core::fmt;

pub use body::BodyCanonicalizer;
pub use header::{
    canonicalize_header, canonicalize_without_signature_value, without_signature_value,
};

/// One canonicalization algorithm (RFC 6376 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Canonicalization {
    /// `simple`: tolerates almost no change (§3.4.1, §3.4.3).
    #[default]
    Simple,
    /// `relaxed`: tolerates whitespace changes and header re-folding (§3.4.2, §3.4.4).
    Relaxed,
}

impl Canonicalization {
    /// Reads an algorithm name, case-insensitively.
    pub fn from_name(name: &str) -> Option<Canonicalization> {
        if name.eq_ignore_ascii_case("simple") {
            Some(Canonicalization::Simple)
        } else if name.eq_ignore_ascii_case("relaxed") {
            Some(Canonicalization::Relaxed)
        } else {
            None
        }
    }

    /// The algorithm's name as the `c=` tag writes it.
    pub fn name(self) -> &'static str {
        match self {
            Canonicalization::Simple => "simple",
            Canonicalization::Relaxed => "relaxed",
        }
    }
}

impl fmt::Display for Canonicalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `c=` tag: header and body canonicalization (RFC 6376 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CanonicalizationPair {
    /// How header fields are canonicalized.
    pub header: Canonicalization,
    /// How the body is canonicalized.
    pub body: Canonicalization,
}

impl CanonicalizationPair {
    /// `relaxed/relaxed`, what signers should use: it survives re-folding and whitespace changes.
    pub const RELAXED: CanonicalizationPair = CanonicalizationPair {
        header: Canonicalization::Relaxed,
        body: Canonicalization::Relaxed,
    };

    /// Reads a `c=` value: `header[/body]`, the body defaulting to `simple` (RFC 6376 §3.5).
    pub fn parse(value: &str) -> Option<CanonicalizationPair> {
        let (header, body) = match value.split_once('/') {
            Some((header, body)) => (header, Canonicalization::from_name(body)?),
            None => (value, Canonicalization::Simple),
        };
        Some(CanonicalizationPair {
            header: Canonicalization::from_name(header)?,
            body,
        })
    }
}

impl fmt::Display for CanonicalizationPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.header, self.body)
    }
}

/// SP / HTAB, the `WSP` of RFC 5234.
pub(crate) fn is_wsp(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}
