//! Private keys as files hold them.

use alloc::vec::Vec;

use super::der::{self, Reader};
use super::{KeyError, KeyType, pem};
use crate::secret::Secret;

/// A private key in one of the encodings tegami reads, not yet handed to a backend.
///
/// The key material sits in a [`Secret`], so it never prints.
#[derive(Debug, Clone)]
pub enum PrivateKey {
    /// PKCS#1 RSAPrivateKey DER (RFC 8017 A.1.2), PEM label `RSA PRIVATE KEY`.
    RsaPkcs1(Secret<Vec<u8>>),
    /// PKCS#8 PrivateKeyInfo DER (RFC 5208, RFC 5958) holding an RSA key, PEM label
    /// `PRIVATE KEY`.
    RsaPkcs8(Secret<Vec<u8>>),
    /// PKCS#8 DER holding an Ed25519 key (RFC 8410).
    Ed25519Pkcs8(Secret<Vec<u8>>),
    /// A raw 32-octet Ed25519 seed (RFC 8032 §5.1.5), as some DKIM tools store it.
    Ed25519Seed(Secret<[u8; 32]>),
}

impl PrivateKey {
    /// Reads the first PEM block of `text`: `RSA PRIVATE KEY` (PKCS#1) or `PRIVATE KEY`
    /// (PKCS#8, RSA or Ed25519).
    ///
    /// # Errors
    ///
    /// [`KeyError::Pem`] for broken framing, [`KeyError::UnsupportedPemLabel`] for another
    /// label (encrypted keys included), then as [`PrivateKey::from_der`].
    pub fn from_pem(text: &str) -> Result<PrivateKey, KeyError> {
        let (label, der) = pem::decode(text)?;
        match label {
            "RSA PRIVATE KEY" => {
                check_pkcs1(&der)?;
                Ok(PrivateKey::RsaPkcs1(Secret::new(der)))
            }
            "PRIVATE KEY" => PrivateKey::from_pkcs8(der),
            other => Err(KeyError::UnsupportedPemLabel(other.into())),
        }
    }

    /// Reads DER, telling PKCS#1 from PKCS#8 by its structure.
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`] for bytes that are neither, [`KeyError::UnsupportedAlgorithm`] for a
    /// PKCS#8 key of another algorithm.
    pub fn from_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
        // PKCS#8 has an AlgorithmIdentifier SEQUENCE after its version; PKCS#1 has INTEGERs.
        let mut outer = Reader::new(der);
        let mut body = outer.sequence()?;
        body.read(der::TAG_INTEGER)?;
        if body.peek_tag() == Some(der::TAG_SEQUENCE) {
            PrivateKey::from_pkcs8(der.to_vec())
        } else {
            check_pkcs1(der)?;
            Ok(PrivateKey::RsaPkcs1(Secret::new(der.to_vec())))
        }
    }

    /// Wraps a raw Ed25519 seed.
    pub fn ed25519_seed(seed: [u8; 32]) -> PrivateKey {
        PrivateKey::Ed25519Seed(Secret::new(seed))
    }

    /// The key as a PEM file: `RSA PRIVATE KEY` for PKCS#1, `PRIVATE KEY` (PKCS#8) for the rest;
    /// a raw Ed25519 seed is wrapped in PKCS#8 (RFC 8410 §7).
    ///
    /// ```
    /// use tegami_core::crypto::PrivateKey;
    ///
    /// let pem = PrivateKey::ed25519_seed([7; 32]).to_pem();
    /// let again = PrivateKey::from_pem(pem.expose())?;
    /// assert_eq!(again.to_pem().expose(), pem.expose());
    /// # Ok::<(), tegami_core::crypto::KeyError>(())
    /// ```
    pub fn to_pem(&self) -> Secret<String> {
        let (label, der): (&str, Vec<u8>) = match self {
            PrivateKey::RsaPkcs1(der) => ("RSA PRIVATE KEY", der.expose().clone()),
            PrivateKey::RsaPkcs8(der) | PrivateKey::Ed25519Pkcs8(der) => {
                ("PRIVATE KEY", der.expose().clone())
            }
            PrivateKey::Ed25519Seed(seed) => {
                let mut der = ED25519_PKCS8_PREFIX.to_vec();
                der.extend_from_slice(seed.expose());
                ("PRIVATE KEY", der)
            }
        };
        Secret::new(pem::encode(label, &der))
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self {
            PrivateKey::RsaPkcs1(_) | PrivateKey::RsaPkcs8(_) => KeyType::Rsa,
            PrivateKey::Ed25519Pkcs8(_) | PrivateKey::Ed25519Seed(_) => KeyType::Ed25519,
        }
    }

    /// `PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm AlgorithmIdentifier,
    /// privateKey OCTET STRING, ... }`, RFC 5958 §2.
    fn from_pkcs8(der: Vec<u8>) -> Result<PrivateKey, KeyError> {
        let mut outer = Reader::new(&der);
        let mut info = outer.sequence()?;
        outer.finish()?;
        info.read(der::TAG_INTEGER)?;
        let oid = info.algorithm_identifier()?;
        let key = info.read(der::TAG_OCTET_STRING)?;
        if oid == der::OID_RSA_ENCRYPTION {
            check_pkcs1(key)?;
            Ok(PrivateKey::RsaPkcs8(Secret::new(der)))
        } else if oid == der::OID_ED25519 {
            Ok(PrivateKey::Ed25519Pkcs8(Secret::new(der)))
        } else {
            Err(KeyError::UnsupportedAlgorithm)
        }
    }
}

/// PrivateKeyInfo { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING
/// (32 octets) } } up to the seed, RFC 8410 §7.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Checks the outline of an RSAPrivateKey: a SEQUENCE starting with version and modulus.
fn check_pkcs1(der: &[u8]) -> Result<(), KeyError> {
    let mut outer = Reader::new(der);
    let mut key = outer.sequence()?;
    outer.finish()?;
    key.read(der::TAG_INTEGER)?;
    key.unsigned_integer()?;
    Ok(())
}

#[cfg(any(feature = "ring", feature = "aws-lc"))]
/// The RSA modulus length of a PKCS#1 or PKCS#8 RSA key, in bits.
pub(crate) fn rsa_modulus_bits(key: &PrivateKey) -> Result<usize, KeyError> {
    let pkcs1: &[u8] = match key {
        PrivateKey::RsaPkcs1(der) => der.expose(),
        PrivateKey::RsaPkcs8(der) => {
            let mut outer = Reader::new(der.expose());
            let mut info = outer.sequence()?;
            info.read(der::TAG_INTEGER)?;
            info.algorithm_identifier()?;
            info.read(der::TAG_OCTET_STRING)?
        }
        PrivateKey::Ed25519Pkcs8(_) | PrivateKey::Ed25519Seed(_) => {
            return Err(KeyError::UnsupportedAlgorithm);
        }
    };
    let mut outer = Reader::new(pkcs1);
    let mut fields = outer.sequence()?;
    fields.read(der::TAG_INTEGER)?;
    let modulus = fields.unsigned_integer()?;
    Ok(modulus.first().map_or(0, |&top| {
        (modulus.len() - 1) * 8 + (8 - top.leading_zeros() as usize)
    }))
}
