//! Errors of key loading, signing and verification.

use super::SigningAlgorithm;

/// A key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not PEM, or its base64 is broken.
    #[error("malformed PEM: {0}")]
    Pem(&'static str),
    /// The PEM label names no key type tegami reads.
    #[error("unsupported PEM label {0:?}")]
    UnsupportedPemLabel(String),
    /// The base64 of a DKIM `p=` value is broken.
    #[error("key data is not valid base64")]
    Base64,
    /// The DER structure is not a key of the expected form.
    #[error("malformed key structure: {0}")]
    Der(&'static str),
    /// The key is of an algorithm tegami does not use.
    #[error("unsupported key algorithm")]
    UnsupportedAlgorithm,
    /// An Ed25519 key is not 32 octets.
    #[error("ed25519 key is {0} octets, not 32")]
    Ed25519Length(usize),
    /// The RSA key is smaller than the policy allows.
    #[error("rsa key of {bits} bits is under the minimum of {minimum}")]
    RsaTooSmall {
        /// The modulus length.
        bits: usize,
        /// The smallest length allowed.
        minimum: usize,
    },
    /// The RSA key is larger than the backends support (8192 bits).
    #[error("rsa key of {0} bits is over the maximum of 8192")]
    RsaTooLarge(usize),
    /// The backend refused the key (inconsistent, or a size it does not sign with).
    #[error("the crypto backend rejected the key: {0}")]
    Rejected(String),
}

/// A signature could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The algorithm is not one tegami signs with (rsa-sha1).
    #[error("{0} is not used for signing")]
    AlgorithmNotAllowed(SigningAlgorithm),
    /// The key store or backend failed.
    #[error("signing failed: {0}")]
    Backend(String),
}

/// A signature did not verify, or could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The algorithm is refused by policy (rsa-sha1 without opt-in).
    #[error("{0} is not allowed by policy")]
    AlgorithmNotAllowed(SigningAlgorithm),
    /// The key's type does not fit the algorithm.
    #[error("key type does not match {0}")]
    KeyTypeMismatch(SigningAlgorithm),
    /// The RSA key is smaller than the policy allows.
    #[error("rsa key of {bits} bits is under the minimum of {minimum}")]
    RsaTooSmall {
        /// The modulus length.
        bits: usize,
        /// The smallest length allowed.
        minimum: usize,
    },
    /// The RSA key is larger than the backends support.
    #[error("rsa key of {0} bits is over the maximum of 8192")]
    RsaTooLarge(usize),
    /// The signature does not match the data and key.
    #[error("signature does not verify")]
    BadSignature,
}
