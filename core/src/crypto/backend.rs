//! The backend traits and the two calls that apply policy around them.

use alloc::vec::Vec;

use super::{
    HashAlgorithm, KeyError, KeyType, PrivateKey, PublicKey, SignError, SignPolicy,
    SigningAlgorithm, VerifyError, VerifyPolicy,
};

/// The primitives a crypto library provides to tegami.
///
/// Implementations do no policy: [`sign`] and [`verify`] apply it, and apply the RFC 8463
/// pre-hash for Ed25519, before they call in.
pub trait CryptoBackend {
    /// A running hash.
    type Hasher: Hasher;
    /// A signing key loaded into this backend.
    type SigningKey: SigningKey;

    /// Starts a hash.
    fn hasher(&self, algorithm: HashAlgorithm) -> Self::Hasher;

    /// Loads a private key for signing, refusing keys the policy does not allow.
    ///
    /// # Errors
    ///
    /// [`KeyError::RsaTooSmall`] under the policy's minimum, [`KeyError::RsaTooLarge`] over
    /// 8192 bits, [`KeyError::Rejected`] when the backend refuses the key.
    fn signing_key(
        &self,
        key: &PrivateKey,
        policy: &SignPolicy,
    ) -> Result<Self::SigningKey, KeyError>;

    /// Checks `signature` over `message` with the bare primitive of `algorithm`:
    /// RSASSA-PKCS1-v1_5 with the algorithm's hash (RFC 8017 §8.2), or PureEdDSA (RFC 8032
    /// §5.1.7) over `message` itself. No policy applies here.
    ///
    /// # Errors
    ///
    /// [`VerifyError::BadSignature`] when it does not verify, [`VerifyError::KeyTypeMismatch`]
    /// when the key does not fit the algorithm.
    fn verify_primitive(
        &self,
        algorithm: SigningAlgorithm,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError>;

    /// Hashes `data` in one call.
    fn digest(&self, algorithm: HashAlgorithm, data: &[u8]) -> Digest {
        let mut hasher = self.hasher(algorithm);
        hasher.update(data);
        hasher.finish()
    }
}

/// A running hash.
pub trait Hasher {
    /// Feeds more data.
    fn update(&mut self, data: &[u8]);
    /// Ends the hash and returns the digest.
    fn finish(self) -> Digest;
}

/// A key that signs, wherever it lives: in memory, in an HSM, in a KMS.
///
/// Implement it for a key store by signing the bytes given with the bare primitive of
/// [`SigningKey::algorithm`]: RSASSA-PKCS1-v1_5 with SHA-256 for rsa-sha256, PureEdDSA for
/// ed25519-sha256. [`sign`] hands Ed25519 keys the SHA-256 hash of the header data (RFC 8463
/// §3), so a key store never needs to know about DKIM.
pub trait SigningKey: Send + Sync {
    /// The algorithm this key signs with (never rsa-sha1).
    fn algorithm(&self) -> SigningAlgorithm;

    /// The public half, to publish in DNS.
    fn public_key(&self) -> PublicKey;

    /// Signs `message` with the bare primitive.
    ///
    /// # Errors
    ///
    /// [`SignError::Backend`] when the key store fails.
    fn sign_primitive(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

impl<K: SigningKey + ?Sized> SigningKey for &K {
    fn algorithm(&self) -> SigningAlgorithm {
        (**self).algorithm()
    }

    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }

    fn sign_primitive(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        (**self).sign_primitive(message)
    }
}

/// A digest of at most 32 octets, kept inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest {
    bytes: [u8; 32],
    len: usize,
}

impl Digest {
    /// Copies a digest of at most 32 octets; longer input is cut at 32.
    pub fn new(value: &[u8]) -> Digest {
        let mut bytes = [0; 32];
        let len = value.len().min(32);
        bytes
            .iter_mut()
            .zip(value)
            .for_each(|(slot, &byte)| *slot = byte);
        Digest { bytes, len }
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Digest(")?;
        for byte in self.as_ref() {
            write!(f, "{byte:02x}")?;
        }
        f.write_str(")")
    }
}

/// Signs DKIM or ARC header data (RFC 6376 §3.7) with `key`.
///
/// For ed25519-sha256 the key signs the SHA-256 hash of `header_data` (RFC 8463 §3); for
/// rsa-sha256 it signs `header_data` itself.
///
/// # Errors
///
/// [`SignError::AlgorithmNotAllowed`] for a key that claims rsa-sha1, or the key's own error.
pub fn sign<B: CryptoBackend + ?Sized>(
    backend: &B,
    key: &(impl SigningKey + ?Sized),
    header_data: &[u8],
) -> Result<Vec<u8>, SignError> {
    match key.algorithm() {
        SigningAlgorithm::RsaSha1 => Err(SignError::AlgorithmNotAllowed(SigningAlgorithm::RsaSha1)),
        SigningAlgorithm::RsaSha256 => key.sign_primitive(header_data),
        SigningAlgorithm::Ed25519Sha256 => {
            let digest = backend.digest(HashAlgorithm::Sha256, header_data);
            key.sign_primitive(digest.as_ref())
        }
    }
}

/// Verifies a DKIM or ARC signature over header data under `policy`.
///
/// # Errors
///
/// [`VerifyError::AlgorithmNotAllowed`] for rsa-sha1 unless the policy allows it,
/// [`VerifyError::KeyTypeMismatch`], [`VerifyError::RsaTooSmall`] (never under 1024 bits,
/// RFC 8301 §3.2), [`VerifyError::RsaTooLarge`], and [`VerifyError::BadSignature`].
pub fn verify<B: CryptoBackend + ?Sized>(
    backend: &B,
    policy: &VerifyPolicy,
    algorithm: SigningAlgorithm,
    key: &PublicKey,
    header_data: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    if algorithm == SigningAlgorithm::RsaSha1 && !policy.allow_rsa_sha1 {
        return Err(VerifyError::AlgorithmNotAllowed(algorithm));
    }
    if key.key_type() != algorithm.key_type() {
        return Err(VerifyError::KeyTypeMismatch(algorithm));
    }
    match key.key_type() {
        KeyType::Rsa => {
            let bits = key.bits();
            let minimum = policy.effective_min_rsa_bits();
            if bits < minimum {
                return Err(VerifyError::RsaTooSmall { bits, minimum });
            }
            if bits > RSA_MAX_BITS {
                return Err(VerifyError::RsaTooLarge(bits));
            }
            backend.verify_primitive(algorithm, key, header_data, signature)
        }
        KeyType::Ed25519 => {
            let digest = backend.digest(HashAlgorithm::Sha256, header_data);
            backend.verify_primitive(algorithm, key, digest.as_ref(), signature)
        }
    }
}

/// The largest RSA key both backends handle.
pub(crate) const RSA_MAX_BITS: usize = 8192;
