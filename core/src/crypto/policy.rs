//! What keys and algorithms a caller accepts.

/// The smallest RSA key tegami verifies with, whatever the policy (RFC 8301 §3.2).
pub const RSA_VERIFY_FLOOR_BITS: usize = 1024;

/// What a verifier accepts (RFC 8301 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyPolicy {
    /// Verify `rsa-sha1` signatures. Off by default: RFC 8301 §3.1 says verifiers must not
    /// consider them valid. Turn it on only to study old archives.
    pub allow_rsa_sha1: bool,
    /// The smallest RSA modulus accepted, in bits. Values under 1024 are treated as 1024:
    /// RFC 8301 §3.2 forbids smaller keys.
    pub min_rsa_bits: usize,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy {
            allow_rsa_sha1: false,
            min_rsa_bits: RSA_VERIFY_FLOOR_BITS,
        }
    }
}

impl VerifyPolicy {
    /// The minimum in force, never under the RFC 8301 floor.
    pub fn effective_min_rsa_bits(&self) -> usize {
        self.min_rsa_bits.max(RSA_VERIFY_FLOOR_BITS)
    }
}

/// What a signer accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SignPolicy {
    /// Load RSA signing keys of 1024 to 2047 bits. RFC 8301 §3.2 says signers must use at least
    /// 1024 bits and should use 2048; we refuse under 2048 unless this is set. ring and aws-lc-rs
    /// themselves sign only with 2048 bits or more, so with them the key is still refused, as
    /// [`KeyError::Rejected`](super::KeyError::Rejected).
    pub allow_small_rsa: bool,
}

impl SignPolicy {
    /// The smallest RSA signing key this policy loads.
    pub fn min_rsa_bits(&self) -> usize {
        if self.allow_small_rsa {
            RSA_VERIFY_FLOOR_BITS
        } else {
            2048
        }
    }
}
