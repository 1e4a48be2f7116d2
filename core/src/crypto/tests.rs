//! One test list, run against every backend that is compiled in.
#![cfg_attr(
    not(any(feature = "ring", feature = "aws-lc")),
    allow(dead_code, unused_imports, unused_macros)
)]

use alloc::vec::Vec;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::*;

const RSA2048_PKCS1: &str = include_str!("../../tests/data/rsa2048-pkcs1.pem");
const RSA2048_PKCS8: &str = include_str!("../../tests/data/rsa2048-pkcs8.pem");
const ED25519_PKCS8: &str = include_str!("../../tests/data/ed25519-pkcs8.pem");
/// A 512-bit RSA key as SubjectPublicKeyInfo, made with `openssl genrsa 512`.
const RSA512_SPKI: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMtvPjgkShUNNhNfk4wkNT44WgGB2HS2weXe7zu8plDGrHGanr+AUpfvjE5rYGConz0vAvGtX7M80EOhZBjE6H8CAwEAAQ==";

/// The RFC 8463 Appendix A fixtures, read from `../shared`.
struct Rfc8463 {
    ed25519_key: PublicKey,
    rsa_key: PublicKey,
    /// (algorithm, header data, signature) per DKIM-Signature of the Appendix A.3 message.
    signatures: Vec<(SigningAlgorithm, Vec<u8>, Vec<u8>)>,
    ed25519_seed: [u8; 32],
    rsa_private_pem: String,
}

fn shared(path: &str) -> String {
    let full = format!(
        "{}/../../shared/conformance/dkim/rfc8463/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "conformance fixture {full} is missing ({error}): ../shared must sit beside the project"
        )
    })
}

/// Unfolds the header fields of a message into (name, raw value) pairs.
fn header_fields(message: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in message.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            let last = fields.last_mut().expect("continuation after a field");
            last.1.push_str("\r\n");
            last.1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("field has a colon");
            fields.push((name.to_owned(), value.to_owned()));
        }
    }
    fields
}

/// RFC 6376 §3.4.2 relaxed header canonicalization of one field, without the CRLF.
fn relaxed(name: &str, value: &str) -> String {
    let unfolded = value.replace("\r\n", "");
    let compressed = unfolded
        .split([' ', '\t'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    format!("{}:{}", name.trim().to_ascii_lowercase(), compressed)
}

/// The value with the `b=` tag's value removed (RFC 6376 §3.7).
fn without_b(value: &str) -> String {
    let mut out = String::new();
    for (index, tag) in value.split(';').enumerate() {
        if index > 0 {
            out.push(';');
        }
        match tag.split_once('=') {
            Some((name, _)) if name.trim() == "b" => {
                out.push_str(name);
                out.push('=');
            }
            _ => out.push_str(tag),
        }
    }
    out
}

fn load_rfc8463() -> Rfc8463 {
    let text = shared("001.txt");
    let (records, message) = text
        .split_once("\n\n")
        .expect("records, blank line, message");
    let key = |selector: &str| {
        let line = records
            .lines()
            .find(|line| line.starts_with(selector))
            .expect("key record");
        let p = line.split("p=").nth(1).expect("p= tag").trim();
        let key_type = if line.contains("k=ed25519") {
            KeyType::Ed25519
        } else {
            KeyType::Rsa
        };
        PublicKey::from_dkim_base64(key_type, p).expect("appendix key parses")
    };
    let fields = header_fields(message);
    let mut signatures = Vec::new();
    for (name, value) in fields
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("DKIM-Signature"))
    {
        let tags: Vec<(String, String)> = value
            .split(';')
            .filter_map(|tag| tag.split_once('='))
            .map(|(name, value)| {
                (
                    name.trim().to_owned(),
                    value.split_whitespace().collect::<String>(),
                )
            })
            .collect();
        let tag = |wanted: &str| {
            tags.iter()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.clone())
                .expect("tag present")
        };
        let algorithm = SigningAlgorithm::from_dkim_name(&tag("a")).expect("known algorithm");
        let mut data = String::new();
        // RFC 6376 §5.4.2: each name takes the next unused instance from the bottom.
        let mut used = Vec::new();
        for wanted in tag("h").split(':') {
            let found = fields.iter().enumerate().rev().find(|(index, (field, _))| {
                field.eq_ignore_ascii_case(wanted.trim()) && !used.contains(index)
            });
            if let Some((index, (field, field_value))) = found {
                used.push(index);
                data.push_str(&relaxed(field, field_value));
                data.push_str("\r\n");
            }
        }
        data.push_str(&relaxed(name, &without_b(value)));
        let signature = STANDARD.decode(tag("b")).expect("b= is base64");
        signatures.push((algorithm, data.into_bytes(), signature));
    }
    let seed = STANDARD
        .decode(shared("rfc8032_7_1.key").trim())
        .expect("seed is base64");
    Rfc8463 {
        ed25519_key: key("brisbane"),
        rsa_key: key("test"),
        signatures,
        ed25519_seed: seed.try_into().expect("32-octet seed"),
        rsa_private_pem: shared("test.private"),
    }
}

macro_rules! backend_tests {
    ($module:ident, $backend:expr) => {
        mod $module {
            use super::*;

            fn backend() -> impl CryptoBackend {
                $backend
            }

            #[test]
            fn rfc8463_appendix_a_both_signatures_verify() {
                let fixtures = load_rfc8463();
                assert_eq!(fixtures.signatures.len(), 2);
                for (algorithm, data, signature) in &fixtures.signatures {
                    let key = match algorithm {
                        SigningAlgorithm::Ed25519Sha256 => &fixtures.ed25519_key,
                        _ => &fixtures.rsa_key,
                    };
                    assert_eq!(
                        verify(
                            &backend(),
                            &VerifyPolicy::default(),
                            *algorithm,
                            key,
                            data,
                            signature
                        ),
                        Ok(()),
                        "{algorithm} signature of RFC 8463 Appendix A.3"
                    );
                }
            }

            #[test]
            fn rfc8463_appendix_a_ed25519_signing_is_exact() {
                let fixtures = load_rfc8463();
                let backend = backend();
                let key = backend
                    .signing_key(
                        &PrivateKey::ed25519_seed(fixtures.ed25519_seed),
                        &SignPolicy::default(),
                    )
                    .expect("seed loads");
                assert_eq!(key.public_key(), fixtures.ed25519_key);
                let (_, data, expected) = fixtures
                    .signatures
                    .iter()
                    .find(|(algorithm, _, _)| *algorithm == SigningAlgorithm::Ed25519Sha256)
                    .expect("ed25519 signature");
                assert_eq!(&sign(&backend, &key, data).expect("signs"), expected);
            }

            #[test]
            fn tampered_data_does_not_verify() {
                let fixtures = load_rfc8463();
                for (algorithm, data, signature) in &fixtures.signatures {
                    let key = match algorithm {
                        SigningAlgorithm::Ed25519Sha256 => &fixtures.ed25519_key,
                        _ => &fixtures.rsa_key,
                    };
                    let mut tampered = data.clone();
                    tampered[0] ^= 0x20;
                    assert_eq!(
                        verify(
                            &backend(),
                            &VerifyPolicy::default(),
                            *algorithm,
                            key,
                            &tampered,
                            signature
                        ),
                        Err(VerifyError::BadSignature)
                    );
                }
            }

            #[test]
            fn rsa_512_is_refused_with_a_typed_error() {
                let key = PublicKey::from_dkim_base64(KeyType::Rsa, RSA512_SPKI).expect("parses");
                assert_eq!(key.bits(), 512);
                assert_eq!(
                    verify(
                        &backend(),
                        &VerifyPolicy::default(),
                        SigningAlgorithm::RsaSha256,
                        &key,
                        b"data",
                        &[0; 64]
                    ),
                    Err(VerifyError::RsaTooSmall {
                        bits: 512,
                        minimum: 1024
                    })
                );
                // A policy cannot go under the RFC 8301 floor.
                let mut lax = VerifyPolicy::default();
                lax.min_rsa_bits = 256;
                assert_eq!(
                    verify(
                        &backend(),
                        &lax,
                        SigningAlgorithm::RsaSha256,
                        &key,
                        b"data",
                        &[0; 64]
                    ),
                    Err(VerifyError::RsaTooSmall {
                        bits: 512,
                        minimum: 1024
                    })
                );
            }

            #[test]
            fn rsa_sha1_needs_an_opt_in() {
                let fixtures = load_rfc8463();
                assert_eq!(
                    verify(
                        &backend(),
                        &VerifyPolicy::default(),
                        SigningAlgorithm::RsaSha1,
                        &fixtures.rsa_key,
                        b"x",
                        &[0; 128]
                    ),
                    Err(VerifyError::AlgorithmNotAllowed(SigningAlgorithm::RsaSha1))
                );
                let mut old = VerifyPolicy::default();
                old.allow_rsa_sha1 = true;
                assert_eq!(
                    verify(
                        &backend(),
                        &old,
                        SigningAlgorithm::RsaSha1,
                        &fixtures.rsa_key,
                        b"x",
                        &[0; 128]
                    ),
                    Err(VerifyError::BadSignature)
                );
            }

            #[test]
            fn key_type_must_fit_the_algorithm() {
                let fixtures = load_rfc8463();
                assert_eq!(
                    verify(
                        &backend(),
                        &VerifyPolicy::default(),
                        SigningAlgorithm::Ed25519Sha256,
                        &fixtures.rsa_key,
                        b"x",
                        &[0; 64]
                    ),
                    Err(VerifyError::KeyTypeMismatch(
                        SigningAlgorithm::Ed25519Sha256
                    ))
                );
            }

            #[test]
            fn small_rsa_signing_keys_are_refused() {
                let fixtures = load_rfc8463();
                let key = PrivateKey::from_pem(&fixtures.rsa_private_pem).expect("pem loads");
                assert!(matches!(
                    backend().signing_key(&key, &SignPolicy::default()),
                    Err(KeyError::RsaTooSmall {
                        bits: 1024,
                        minimum: 2048
                    })
                ));
                // The opt-in passes our check; the backend itself signs only with 2048 bits up.
                let mut small = SignPolicy::default();
                small.allow_small_rsa = true;
                assert!(matches!(
                    backend().signing_key(&key, &small),
                    Err(KeyError::Rejected(_))
                ));
            }

            #[test]
            fn every_private_key_encoding_signs_and_verifies() {
                let backend = backend();
                for (pem, algorithm) in [
                    (RSA2048_PKCS1, SigningAlgorithm::RsaSha256),
                    (RSA2048_PKCS8, SigningAlgorithm::RsaSha256),
                    (ED25519_PKCS8, SigningAlgorithm::Ed25519Sha256),
                ] {
                    let private = PrivateKey::from_pem(pem).expect("pem loads");
                    let key = backend
                        .signing_key(&private, &SignPolicy::default())
                        .expect("key loads");
                    assert_eq!(key.algorithm(), algorithm);
                    let signature = sign(&backend, &key, b"header data").expect("signs");
                    // Through DNS and back, as a verifier sees it.
                    let published = key.public_key().to_dkim_base64();
                    let public = PublicKey::from_dkim_base64(algorithm.key_type(), &published)
                        .expect("p= parses");
                    assert_eq!(public, key.public_key());
                    assert_eq!(
                        verify(
                            &backend,
                            &VerifyPolicy::default(),
                            algorithm,
                            &public,
                            b"header data",
                            &signature
                        ),
                        Ok(())
                    );
                }
            }

            #[test]
            fn sha256_known_answer() {
                // FIPS 180-2 Appendix B.1.
                let digest = backend().digest(HashAlgorithm::Sha256, b"abc");
                assert_eq!(
                    format!("{digest:?}"),
                    "Digest(ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad)"
                );
            }
        }
    };
}

#[cfg(feature = "ring")]
backend_tests!(ring_backend, RingBackend);
#[cfg(feature = "aws-lc")]
backend_tests!(aws_lc_backend, AwsLcBackend);

#[test]
fn pkcs1_public_keys_are_accepted() {
    let spki = PublicKey::from_dkim_base64(KeyType::Rsa, RSA512_SPKI).expect("parses");
    let PublicKey::Rsa { modulus, exponent } = &spki else {
        panic!("rsa key")
    };
    let pkcs1 = PublicKey::rsa_pkcs1_der(modulus, exponent);
    assert_eq!(PublicKey::from_dkim(KeyType::Rsa, &pkcs1), Ok(spki.clone()));
    assert_eq!(
        PublicKey::from_dkim(KeyType::Rsa, &spki.to_dkim()),
        Ok(spki)
    );
}

#[test]
fn malformed_keys_are_typed_errors() {
    assert_eq!(
        PublicKey::from_dkim(KeyType::Rsa, b"\x30\x05\x02"),
        Err(KeyError::Der("truncated"))
    );
    assert_eq!(
        PublicKey::from_dkim(KeyType::Ed25519, &[0; 31]),
        Err(KeyError::Ed25519Length(31))
    );
    assert_eq!(
        PublicKey::from_dkim_base64(KeyType::Rsa, "!!"),
        Err(KeyError::Base64)
    );
    assert!(matches!(
        PrivateKey::from_pem("no pem here"),
        Err(KeyError::Pem(_))
    ));
    assert!(matches!(
        PrivateKey::from_pem("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"),
        Err(KeyError::UnsupportedPemLabel(label)) if label == "CERTIFICATE"
    ));
}

#[test]
fn private_keys_never_print() {
    let key = PrivateKey::from_pem(RSA2048_PKCS1).expect("loads");
    assert_eq!(format!("{key:?}"), "RsaPkcs1(Secret(..))");
}

#[cfg(feature = "aws-lc")]
#[test]
fn aws_lc_generates_keys_that_sign() {
    let backend = AwsLcBackend;
    for private in [backend.generate_rsa(2048), backend.generate_ed25519()] {
        let private = private.expect("generates");
        let key = backend
            .signing_key(&private, &SignPolicy::default())
            .expect("loads");
        let signature = sign(&backend, &key, b"data").expect("signs");
        assert_eq!(
            verify(
                &backend,
                &VerifyPolicy::default(),
                key.algorithm(),
                &key.public_key(),
                b"data",
                &signature
            ),
            Ok(())
        );
    }
}

proptest::proptest! {
    /// The strict decoder keys and signatures go through (encodify's, vectorised) accepts and
    /// refuses exactly what the `base64` crate's strict standard engine does, and decodes alike.
    #[test]
    fn strict_base64_decoders_agree(text in proptest::collection::vec(
        proptest::prop_oneof![
            8 => proptest::sample::select(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()
            ),
            1 => proptest::sample::select(b"=-_ \r\n\t\x00\xff".to_vec()),
        ],
        0..120,
    )) {
        proptest::prop_assert_eq!(
            encodify::base64::STANDARD.decode(&text).ok(),
            STANDARD.decode(&text).ok()
        );
    }

    /// The same near the valid texts: whole quads, an end of `=`, `==` or `===`, a stray
    /// character somewhere.
    #[test]
    fn strict_base64_decoders_agree_near_valid(
        quads in proptest::collection::vec(proptest::sample::select(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()
        ), 0..40),
        end in proptest::sample::select(vec![&b""[..], b"=", b"==", b"===", b"A=", b"AB==", b"AQ==", b"AAE="]),
        stray in proptest::option::of((proptest::num::usize::ANY, proptest::sample::select(b"= \n\x80".to_vec()))),
    ) {
        let mut text = quads;
        text.truncate(text.len() / 4 * 4);
        text.extend_from_slice(end);
        if let Some((at, byte)) = stray && !text.is_empty() {
            let at = at % text.len();
            text[at] = byte;
        }
        proptest::prop_assert_eq!(
            encodify::base64::STANDARD.decode(&text).ok(),
            STANDARD.decode(&text).ok()
        );
    }

    /// Every byte string's encoding decodes back, whatever its length modulo three.
    #[test]
    fn strict_base64_round_trips(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        proptest::prop_assert_eq!(
            encodify::base64::STANDARD.decode(STANDARD.encode(&bytes)).ok(),
            Some(bytes)
        );
    }
}
