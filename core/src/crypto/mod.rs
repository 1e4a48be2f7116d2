//! Pluggable crypto for DKIM and ARC: algorithms, keys, policies and backends.
//!
//! The protocols need three things: verifying a signature with a key published in DNS,
//! signing with a key that may live outside the process (an HSM or a KMS, through
//! [`SigningKey`]), and hashing. A [`CryptoBackend`] provides the primitives; ring
//! ([`RingBackend`], feature `ring`, the default) and aws-lc-rs ([`AwsLcBackend`], feature
//! `aws-lc`, which can also generate RSA keys) pass the same test list. With neither feature
//! the types and traits stay, so crates that need no crypto (SPF, DMARC records) or bring their
//! own backend do not pull one in.
//!
//! Policy is applied here, once, so every caller gets it: rsa-sha1 verifies only when
//! [`VerifyPolicy::allow_rsa_sha1`] is set, RSA keys under 1024 bits never verify, and signing
//! keys under 2048 bits load only when [`SignPolicy::allow_small_rsa`] is set
//! ([RFC 8301 §3.1–3.2](https://www.rfc-editor.org/rfc/rfc8301#section-3)).
//!
//! Mind the [RFC 8463 §3](https://www.rfc-editor.org/rfc/rfc8463#section-3) detail: Ed25519
//! signs the SHA-256 hash of the header data, where RSA signs the header data itself (hashing it
//! inside RSASSA-PKCS1-v1_5). [`sign`] and [`verify`] take the header data and do the right
//! thing for each algorithm.
//!
//! ```
//! # #[cfg(feature = "ring")] {
//! use tegami_core::crypto::{
//!     self, CryptoBackend, DefaultBackend, PrivateKey, SignPolicy, SigningKey, VerifyPolicy,
//! };
//!
//! let backend = DefaultBackend::default();
//! let seed = [7u8; 32];
//! let key = backend.signing_key(&PrivateKey::ed25519_seed(seed), &SignPolicy::default())?;
//! let signature = crypto::sign(&backend, &key, b"from:joe@example.com\r\n")?;
//! let public = key.public_key();
//! crypto::verify(&backend, &VerifyPolicy::default(), key.algorithm(), &public,
//!     b"from:joe@example.com\r\n", &signature)?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod algorithm;
#[cfg(feature = "aws-lc")]
mod aws_lc;
mod backend;
#[cfg(any(feature = "ring", feature = "aws-lc"))]
mod backend_impl;
mod der;
mod error;
mod pem;
mod policy;
mod private_key;
mod public_key;
#[cfg(feature = "ring")]
mod ring;

pub use algorithm::{HashAlgorithm, KeyType, SigningAlgorithm};
#[cfg(feature = "aws-lc")]
pub use aws_lc::{AwsLcBackend, AwsLcSigningKey};
pub use backend::{CryptoBackend, Digest, Hasher, SigningKey, sign, verify};
pub use error::{KeyError, SignError, VerifyError};
pub use policy::{RSA_VERIFY_FLOOR_BITS, SignPolicy, VerifyPolicy};
pub use private_key::PrivateKey;
pub use public_key::PublicKey;
#[cfg(feature = "ring")]
pub use ring::{RingBackend, RingSigningKey};

/// The backend used when the caller names none: ring when its feature is on, else aws-lc-rs.
#[cfg(feature = "ring")]
pub type DefaultBackend = RingBackend;
/// The backend used when the caller names none: ring when its feature is on, else aws-lc-rs.
#[cfg(all(not(feature = "ring"), feature = "aws-lc"))]
pub type DefaultBackend = AwsLcBackend;

#[cfg(test)]
mod tests;
