//! Verification results, in the words of [RFC 8601 §2.7.1](https://www.rfc-editor.org/rfc/rfc8601#section-2.7.1).

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use tegami_core::auth_results::MethodResult;
use tegami_core::crypto::{SigningAlgorithm, VerifyError};

use crate::key_record::KeyRecordError;
use crate::signature::{Signature, SignatureError};

/// The result of one signature (RFC 8601 §2.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DkimResult {
    /// The message was not signed.
    None,
    /// The signature verified.
    Pass,
    /// The signature or the body hash did not verify.
    Fail,
    /// The signature is valid by the protocol but not acceptable to local policy.
    Policy,
    /// The signature could not be read or processed.
    Neutral,
    /// A temporary error (a failed key lookup).
    TempError,
    /// A permanent error (no key, a revoked key, a broken rule).
    PermError,
}

impl DkimResult {
    /// The RFC 8601 word, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            DkimResult::None => "none",
            DkimResult::Pass => "pass",
            DkimResult::Fail => "fail",
            DkimResult::Policy => "policy",
            DkimResult::Neutral => "neutral",
            DkimResult::TempError => "temperror",
            DkimResult::PermError => "permerror",
        }
    }
}

impl fmt::Display for DkimResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature did not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// The DKIM-Signature field itself is unusable.
    #[error("{0}")]
    Signature(SignatureError),
    /// The signature was not checked: the message carries more than the configured number.
    #[error("not checked: more than {0} signatures")]
    TooManySignatures(usize),
    /// The header block is larger than the configured limit.
    #[error("header block exceeds {0} octets")]
    HeaderTooLarge(usize),
    /// `x=` has passed (RFC 6376 §3.5).
    #[error("signature expired at {0}")]
    Expired(u64),
    /// `t=` lies in the future beyond the allowed clock skew.
    #[error("signature timestamp {0} is in the future")]
    FromTheFuture(u64),
    /// The algorithm is refused by policy (rsa-sha1, RFC 8301).
    #[error("{0} is not accepted (RFC 8301)")]
    AlgorithmRefused(SigningAlgorithm),
    /// No key record exists (NXDOMAIN or no TXT record, RFC 6376 §6.1.2).
    #[error("no key record")]
    KeyNotFound,
    /// The key lookup failed temporarily.
    #[error("key lookup failed temporarily")]
    KeyLookupFailed,
    /// The key record is unusable.
    #[error("{0}")]
    KeyRecord(KeyRecordError),
    /// The key record has an empty `p=`.
    #[error("key revoked")]
    KeyRevoked,
    /// The key's `k=` type does not match `a=`.
    #[error("key type does not match the algorithm")]
    KeyTypeMismatch,
    /// The key's `h=` does not allow the signature's hash.
    #[error("key does not allow the hash algorithm")]
    HashNotAllowed,
    /// The key's `s=` does not allow email.
    #[error("key is not for email")]
    ServiceNotEmail,
    /// The key has `t=s` but `i=` is a subdomain of `d=`.
    #[error("key requires i= domain to equal d=")]
    StrictIdentity,
    /// `l=` is larger than the canonical body.
    #[error("l= of {signed} exceeds the body length {total}")]
    BodyLengthExceeded {
        /// The `l=` value.
        signed: u64,
        /// The canonical body length.
        total: u64,
    },
    /// The body hash differs from `bh=`.
    #[error("body hash did not verify")]
    BodyHashMismatch,
    /// The crypto check refused or failed the signature.
    #[error("{0}")]
    Crypto(VerifyError),
    /// The signature covers only part of the body and policy refuses that.
    #[error("signature covers {signed} of {total} body octets")]
    PartialBody {
        /// Octets signed (`l=`).
        signed: u64,
        /// Octets in the canonical body.
        total: u64,
    },
}

impl Failure {
    /// The RFC 8601 result this failure gives.
    pub fn result(&self) -> DkimResult {
        match self {
            Failure::Signature(error) => error.result(),
            Failure::TooManySignatures(_) => DkimResult::Neutral,
            Failure::KeyLookupFailed => DkimResult::TempError,
            Failure::AlgorithmRefused(_)
            | Failure::PartialBody { .. }
            | Failure::Crypto(VerifyError::AlgorithmNotAllowed(_))
            | Failure::Crypto(VerifyError::RsaTooSmall { .. }) => DkimResult::Policy,
            Failure::BodyHashMismatch | Failure::Crypto(VerifyError::BadSignature) => {
                DkimResult::Fail
            }
            _ => DkimResult::PermError,
        }
    }
}

/// What verification found for one DKIM-Signature field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureResult {
    /// The result.
    pub result: DkimResult,
    /// Why it is not `pass`; `None` when it is.
    pub failure: Option<Failure>,
    /// The parsed signature, when it could be parsed (shared with the verifier, not copied).
    pub signature: Option<Arc<Signature>>,
    /// `d=` as written (empty if absent), for reports even when parsing failed.
    pub domain: String,
    /// `s=` as written (empty if absent).
    pub selector: String,
    /// `a=` as written (empty if absent).
    pub algorithm: String,
    /// The key record says the domain is testing DKIM (`t=y`).
    pub testing: bool,
    /// `l=` and the canonical body length, when `l=` leaves part of the body unsigned.
    pub partial_body: Option<(u64, u64)>,
}

impl SignatureResult {
    /// The reason in words: the failure, or `"signature verified"`.
    pub fn reason(&self) -> String {
        match &self.failure {
            Some(failure) => failure.to_string(),
            None if self.partial_body.is_some() => {
                "signature verified over part of the body".into()
            }
            None => "signature verified".into(),
        }
    }

    /// The `dkim` result of an Authentication-Results field (RFC 8601 §2.7.1, RFC 6008):
    /// `header.d`, `header.i`, `header.s`, `header.a` and the first eight characters of
    /// `header.b`.
    pub fn to_auth_result(&self) -> MethodResult<'static> {
        let mut result = MethodResult::new("dkim", self.result.as_str());
        if let Some(failure) = &self.failure {
            result = result.with_reason(failure.to_string());
        }
        match &self.signature {
            Some(signature) => {
                let prefix: String = signature.signature_text.chars().take(8).collect();
                result
                    .with_property("header", "d", signature.domain.to_string())
                    .with_property("header", "i", signature.identity.to_string())
                    .with_property("header", "s", signature.selector.to_string())
                    .with_property("header", "a", signature.algorithm.dkim_name())
                    .with_property("header", "b", prefix)
            }
            None if !self.domain.is_empty() => {
                result.with_property("header", "d", self.domain.clone())
            }
            None => result,
        }
    }
}

/// The `dkim` results of an Authentication-Results field for a whole message: one per
/// signature, or `dkim=none` when there is none.
pub fn auth_results(results: &[SignatureResult]) -> Vec<MethodResult<'static>> {
    if results.is_empty() {
        return alloc::vec![MethodResult::new("dkim", "none")];
    }
    results
        .iter()
        .map(SignatureResult::to_auth_result)
        .collect()
}
