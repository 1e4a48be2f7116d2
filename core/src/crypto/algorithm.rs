//! The DKIM signing algorithms and their parts.

use core::fmt;

/// A DKIM `a=` signing algorithm (RFC 6376 §3.3, RFC 8463 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    /// `rsa-sha1`: verify only, and only when policy allows (RFC 8301 §3.1).
    RsaSha1,
    /// `rsa-sha256` (RFC 6376 §3.3.2).
    RsaSha256,
    /// `ed25519-sha256` (RFC 8463 §3).
    Ed25519Sha256,
}

impl SigningAlgorithm {
    /// Parses an `a=` value; the names are case-insensitive.
    pub fn from_dkim_name(name: &str) -> Option<SigningAlgorithm> {
        [Self::RsaSha1, Self::RsaSha256, Self::Ed25519Sha256]
            .into_iter()
            .find(|algorithm| algorithm.dkim_name().eq_ignore_ascii_case(name))
    }

    /// The `a=` value.
    pub fn dkim_name(self) -> &'static str {
        match self {
            Self::RsaSha1 => "rsa-sha1",
            Self::RsaSha256 => "rsa-sha256",
            Self::Ed25519Sha256 => "ed25519-sha256",
        }
    }

    /// The key type the algorithm needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Self::RsaSha1 | Self::RsaSha256 => KeyType::Rsa,
            Self::Ed25519Sha256 => KeyType::Ed25519,
        }
    }

    /// The hash of the algorithm, also used for the body hash `bh=`.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaSha1 => HashAlgorithm::Sha1,
            Self::RsaSha256 | Self::Ed25519Sha256 => HashAlgorithm::Sha256,
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dkim_name())
    }
}

/// A DKIM key type, the `k=` tag of a key record (RFC 6376 §3.6.1, RFC 8463 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `k=rsa`, the default.
    Rsa,
    /// `k=ed25519`.
    Ed25519,
}

impl KeyType {
    /// Parses a `k=` value, case-insensitively.
    pub fn from_dkim_name(name: &str) -> Option<KeyType> {
        if name.eq_ignore_ascii_case("rsa") {
            Some(KeyType::Rsa)
        } else if name.eq_ignore_ascii_case("ed25519") {
            Some(KeyType::Ed25519)
        } else {
            None
        }
    }

    /// The `k=` value.
    pub fn dkim_name(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// A hash algorithm of DKIM (`h=` of a key record, the body hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1, for verifying old signatures only.
    Sha1,
    /// SHA-256.
    Sha256,
}

impl HashAlgorithm {
    /// The length of a digest in octets.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
        }
    }
}
