//! The body of a backend over a crate with ring's API; ring and aws-lc-rs share it.

/// Defines `$backend` and `$signing_key` over the crate `$krate`.
macro_rules! ring_like_backend {
    ($krate:ident, $backend:ident, $hasher:ident, $signing_key:ident, $name:literal) => {
        use alloc::string::ToString;
        use alloc::vec::Vec;

        use $krate::signature::KeyPair as _;

        use crate::crypto::backend::RSA_MAX_BITS;
        use crate::crypto::private_key::rsa_modulus_bits;
        use crate::crypto::{
            CryptoBackend, Digest, HashAlgorithm, Hasher, KeyError, KeyType, PrivateKey,
            PublicKey, SignError, SignPolicy, SigningAlgorithm, SigningKey, VerifyError,
        };

        #[doc = concat!("The ", $name, " crypto backend.")]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $backend;

        #[doc = concat!("A running hash of the ", $name, " backend.")]
        pub struct $hasher($krate::digest::Context);

        impl Hasher for $hasher {
            fn update(&mut self, data: &[u8]) {
                self.0.update(data);
            }

            fn finish(self) -> Digest {
                Digest::new(self.0.finish().as_ref())
            }
        }

        #[doc = concat!("A private key loaded into the ", $name, " backend.")]
        pub struct $signing_key {
            inner: Inner,
            public: PublicKey,
        }

        enum Inner {
            Rsa($krate::signature::RsaKeyPair),
            Ed25519($krate::signature::Ed25519KeyPair),
        }

        impl core::fmt::Debug for $signing_key {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($signing_key))
                    .field("public", &self.public)
                    .finish_non_exhaustive()
            }
        }

        impl $signing_key {
            /// Loads `key`, refusing what `policy` does not allow.
            ///
            /// # Errors
            ///
            /// As [`CryptoBackend::signing_key`].
            pub fn new(key: &PrivateKey, policy: &SignPolicy) -> Result<$signing_key, KeyError> {
                let rejected = |error: $krate::error::KeyRejected| KeyError::Rejected(error.to_string());
                if key.key_type() == KeyType::Rsa {
                    let bits = rsa_modulus_bits(key)?;
                    let minimum = policy.min_rsa_bits();
                    if bits < minimum {
                        return Err(KeyError::RsaTooSmall { bits, minimum });
                    }
                    if bits > RSA_MAX_BITS {
                        return Err(KeyError::RsaTooLarge(bits));
                    }
                }
                let inner = match key {
                    PrivateKey::RsaPkcs1(der) => Inner::Rsa(
                        $krate::signature::RsaKeyPair::from_der(der.expose()).map_err(rejected)?,
                    ),
                    PrivateKey::RsaPkcs8(der) => Inner::Rsa(
                        $krate::signature::RsaKeyPair::from_pkcs8(der.expose()).map_err(rejected)?,
                    ),
                    PrivateKey::Ed25519Pkcs8(der) => Inner::Ed25519(
                        $krate::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.expose())
                            .map_err(rejected)?,
                    ),
                    PrivateKey::Ed25519Seed(seed) => Inner::Ed25519(
                        $krate::signature::Ed25519KeyPair::from_seed_unchecked(seed.expose())
                            .map_err(rejected)?,
                    ),
                };
                let public = match &inner {
                    Inner::Rsa(pair) => PublicKey::from_rsa_pkcs1(pair.public_key().as_ref())?,
                    Inner::Ed25519(pair) => {
                        PublicKey::from_dkim(KeyType::Ed25519, pair.public_key().as_ref())?
                    }
                };
                Ok($signing_key { inner, public })
            }
        }

        impl SigningKey for $signing_key {
            fn algorithm(&self) -> SigningAlgorithm {
                match self.inner {
                    Inner::Rsa(_) => SigningAlgorithm::RsaSha256,
                    Inner::Ed25519(_) => SigningAlgorithm::Ed25519Sha256,
                }
            }

            fn public_key(&self) -> PublicKey {
                self.public.clone()
            }

            fn sign_primitive(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
                match &self.inner {
                    Inner::Rsa(pair) => {
                        let mut signature = alloc::vec![0; self.public.bits().div_ceil(8)];
                        pair.sign(
                            &$krate::signature::RSA_PKCS1_SHA256,
                            &$krate::rand::SystemRandom::new(),
                            message,
                            &mut signature,
                        )
                        .map_err(|_| SignError::Backend(concat!($name, " rsa signing failed").into()))?;
                        Ok(signature)
                    }
                    Inner::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
                }
            }
        }

        impl CryptoBackend for $backend {
            type Hasher = $hasher;
            type SigningKey = $signing_key;

            fn hasher(&self, algorithm: HashAlgorithm) -> $hasher {
                $hasher($krate::digest::Context::new(match algorithm {
                    HashAlgorithm::Sha1 => &$krate::digest::SHA1_FOR_LEGACY_USE_ONLY,
                    HashAlgorithm::Sha256 => &$krate::digest::SHA256,
                }))
            }

            fn signing_key(
                &self,
                key: &PrivateKey,
                policy: &SignPolicy,
            ) -> Result<$signing_key, KeyError> {
                $signing_key::new(key, policy)
            }

            fn verify_primitive(
                &self,
                algorithm: SigningAlgorithm,
                key: &PublicKey,
                message: &[u8],
                signature: &[u8],
            ) -> Result<(), VerifyError> {
                use $krate::signature::{
                    ED25519, RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, RsaPublicKeyComponents,
                    UnparsedPublicKey,
                };
                let outcome = match (algorithm, key) {
                    (SigningAlgorithm::RsaSha1, PublicKey::Rsa { modulus, exponent }) => {
                        RsaPublicKeyComponents { n: modulus, e: exponent }.verify(
                            &RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                            message,
                            signature,
                        )
                    }
                    (SigningAlgorithm::RsaSha256, PublicKey::Rsa { modulus, exponent }) => {
                        RsaPublicKeyComponents { n: modulus, e: exponent }.verify(
                            &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                            message,
                            signature,
                        )
                    }
                    (SigningAlgorithm::Ed25519Sha256, PublicKey::Ed25519(key)) => {
                        UnparsedPublicKey::new(&ED25519, key).verify(message, signature)
                    }
                    _ => return Err(VerifyError::KeyTypeMismatch(algorithm)),
                };
                outcome.map_err(|_| VerifyError::BadSignature)
            }
        }
    };
}

pub(crate) use ring_like_backend;
