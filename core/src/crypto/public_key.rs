//! Public keys as DKIM key records publish them.

use alloc::vec::Vec;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::der::{self, Reader};
use super::{KeyError, KeyType};

/// A verifying key: an RSA modulus and exponent, or a raw Ed25519 key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum PublicKey {
    /// An RSA public key (RFC 8017 §3.1).
    Rsa {
        /// The modulus `n`, big-endian, without leading zero octets.
        modulus: Vec<u8>,
        /// The public exponent `e`, big-endian, without leading zero octets.
        exponent: Vec<u8>,
    },
    /// An Ed25519 public key (RFC 8032 §5.1.5).
    Ed25519([u8; 32]),
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PublicKey::Rsa { .. } => write!(f, "PublicKey::Rsa({} bits)", self.bits()),
            PublicKey::Ed25519(_) => f.write_str("PublicKey::Ed25519"),
        }
    }
}

impl PublicKey {
    /// Reads the decoded `p=` data of a DKIM key record of type `key_type`.
    ///
    /// RSA keys may be SubjectPublicKeyInfo (what `openssl rsa -pubout` writes and nearly every
    /// domain publishes) or a bare PKCS#1 RSAPublicKey (RFC 6376 §3.6.1 names that structure).
    /// Ed25519 keys are the raw 32 octets of RFC 8463 §4.2.
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`] or [`KeyError::UnsupportedAlgorithm`] for data that is not such a key,
    /// [`KeyError::Ed25519Length`] for an Ed25519 key of the wrong length.
    pub fn from_dkim(key_type: KeyType, data: &[u8]) -> Result<PublicKey, KeyError> {
        match key_type {
            KeyType::Rsa => rsa_from_spki(data)
                .or_else(|spki_error| rsa_from_pkcs1(data).map_err(|_| spki_error)),
            KeyType::Ed25519 => data
                .try_into()
                .map(PublicKey::Ed25519)
                .map_err(|_| KeyError::Ed25519Length(data.len())),
        }
    }

    /// Reads a base64 `p=` value (whitespace allowed, as in folded DNS text).
    ///
    /// # Errors
    ///
    /// [`KeyError::Base64`] for broken base64, then as [`PublicKey::from_dkim`].
    pub fn from_dkim_base64(key_type: KeyType, value: &str) -> Result<PublicKey, KeyError> {
        // The ASCII whitespace octets compared one by one, with no early exit: the compiler
        // vectorises that (keys run to 400 octets), not a table test.
        let whitespace = |byte: u8| {
            (byte == b' ') | (byte == b'\t') | (byte == b'\n') | (byte == 0x0c) | (byte == b'\r')
        };
        let spaced = value
            .bytes()
            .fold(0u8, |spaced, byte| spaced | u8::from(whitespace(byte)));
        let data = if spaced != 0 {
            let mut compact = Vec::with_capacity(value.len());
            compact.extend(value.bytes().filter(|byte| !byte.is_ascii_whitespace()));
            encodify::base64::STANDARD.decode(compact)
        } else {
            // Strict, and vectorised: a key is decoded for every message its domain signs.
            encodify::base64::STANDARD.decode(value)
        }
        .map_err(|_| KeyError::Base64)?;
        PublicKey::from_dkim(key_type, &data)
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Rsa { .. } => KeyType::Rsa,
            PublicKey::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// The key length in bits: the RSA modulus length, or 256 for Ed25519.
    pub fn bits(&self) -> usize {
        match self {
            PublicKey::Rsa { modulus, .. } => modulus.first().map_or(0, |&top| {
                (modulus.len() - 1) * 8 + (8 - top.leading_zeros() as usize)
            }),
            PublicKey::Ed25519(_) => 256,
        }
    }

    /// The `p=` data to publish: SubjectPublicKeyInfo DER for RSA, the raw key for Ed25519.
    pub fn to_dkim(&self) -> Vec<u8> {
        match self {
            PublicKey::Rsa { modulus, exponent } => {
                let pkcs1 = PublicKey::rsa_pkcs1_der(modulus, exponent);
                let mut algorithm = Vec::new();
                der::write(&mut algorithm, der::TAG_OID, der::OID_RSA_ENCRYPTION);
                der::write(&mut algorithm, der::TAG_NULL, &[]);
                let mut bits = Vec::with_capacity(pkcs1.len() + 1);
                bits.push(0);
                bits.extend_from_slice(&pkcs1);
                let mut spki = Vec::new();
                der::write(&mut spki, der::TAG_SEQUENCE, &algorithm);
                der::write(&mut spki, der::TAG_BIT_STRING, &bits);
                let mut out = Vec::new();
                der::write(&mut out, der::TAG_SEQUENCE, &spki);
                out
            }
            PublicKey::Ed25519(key) => key.to_vec(),
        }
    }

    /// The `p=` value to publish, in base64.
    pub fn to_dkim_base64(&self) -> String {
        STANDARD.encode(self.to_dkim())
    }

    /// The RSA public key as PKCS#1 RSAPublicKey DER, as the backends take it.
    pub(crate) fn rsa_pkcs1_der(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
        let mut integers = Vec::new();
        der::write_unsigned(&mut integers, modulus);
        der::write_unsigned(&mut integers, exponent);
        let mut out = Vec::new();
        der::write(&mut out, der::TAG_SEQUENCE, &integers);
        out
    }

    #[cfg(any(feature = "ring", feature = "aws-lc"))]
    /// Reads a PKCS#1 RSAPublicKey as the backends emit it.
    pub(crate) fn from_rsa_pkcs1(data: &[u8]) -> Result<PublicKey, KeyError> {
        rsa_from_pkcs1(data)
    }
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT
/// STRING }`, RFC 5280 §4.1.
fn rsa_from_spki(data: &[u8]) -> Result<PublicKey, KeyError> {
    let mut outer = Reader::new(data);
    let mut spki = outer.sequence()?;
    outer.finish()?;
    let oid = spki.algorithm_identifier()?;
    if oid != der::OID_RSA_ENCRYPTION {
        return Err(KeyError::UnsupportedAlgorithm);
    }
    let key = spki.bit_string()?;
    spki.finish()?;
    rsa_from_pkcs1(key)
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`, RFC 8017 A.1.1.
fn rsa_from_pkcs1(data: &[u8]) -> Result<PublicKey, KeyError> {
    let mut outer = Reader::new(data);
    let mut key = outer.sequence()?;
    outer.finish()?;
    let modulus = key.unsigned_integer()?.to_vec();
    let exponent = key.unsigned_integer()?.to_vec();
    key.finish()?;
    if modulus.is_empty() || exponent.is_empty() {
        return Err(KeyError::Der("zero modulus or exponent"));
    }
    Ok(PublicKey::Rsa { modulus, exponent })
}
