//! The aws-lc-rs backend, which can also generate keys.

super::backend_impl::ring_like_backend!(
    aws_lc_rs,
    AwsLcBackend,
    AwsLcHasher,
    AwsLcSigningKey,
    "aws-lc-rs"
);

impl AwsLcBackend {
    /// Generates an RSA key of 2048, 3072, 4096 or 8192 bits, as PKCS#8.
    ///
    /// # Errors
    ///
    /// [`KeyError::Rejected`] for another size or a failure of the generator.
    pub fn generate_rsa(&self, bits: usize) -> Result<PrivateKey, KeyError> {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::rsa::KeySize;

        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => return Err(KeyError::Rejected("unsupported rsa key size".into())),
        };
        let pair = aws_lc_rs::rsa::KeyPair::generate(size)
            .map_err(|_| KeyError::Rejected("rsa key generation failed".into()))?;
        let der = pair
            .as_der()
            .map_err(|_| KeyError::Rejected("rsa key encoding failed".into()))?;
        PrivateKey::from_der(der.as_ref())
    }

    /// Generates an Ed25519 key, as PKCS#8.
    ///
    /// # Errors
    ///
    /// [`KeyError::Rejected`] for a failure of the generator.
    pub fn generate_ed25519(&self) -> Result<PrivateKey, KeyError> {
        let document = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(
            &aws_lc_rs::rand::SystemRandom::new(),
        )
        .map_err(|_| KeyError::Rejected("ed25519 key generation failed".into()))?;
        PrivateKey::from_der(document.as_ref())
    }
}
