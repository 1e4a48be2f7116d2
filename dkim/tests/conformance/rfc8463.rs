//! RFC 8463 Appendix A: the ed25519-sha256 and rsa-sha256 signatures of A.3 verify with the
//! A.2 keys, and signing the A.3 header data with the A.1 ed25519 key gives the A.3 `b=` value.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tegami_core::crypto::{self, CryptoBackend, PrivateKey, RingBackend, SignPolicy};
use tegami_dkim::canon::Canonicalization;
use tegami_dkim::{Config, DkimResult, Signature, SignatureConfig};

use crate::{crlf, shared, verify, zone_of_lines};

/// The key lines and the CRLF message of `001.txt`.
fn vector() -> (String, Vec<u8>) {
    let text = String::from_utf8(shared("rfc8463/001.txt")).unwrap();
    let (keys, message) = text.split_once("\n\n").unwrap();
    (keys.to_owned(), crlf(message.as_bytes()))
}

#[test]
fn rfc8463_appendix_a_both_signatures_verify_in_any_chunking() {
    let (keys, message) = vector();
    let zone = zone_of_lines(&keys);
    for chunk in [1, 2, 3, 7, 64, message.len()] {
        let results = verify(&message, &zone, Config::default(), 1_700_000_000, chunk);
        let seen: Vec<(&str, DkimResult)> = results
            .iter()
            .map(|result| (result.algorithm.as_str(), result.result))
            .collect();
        assert_eq!(
            seen,
            [
                ("ed25519-sha256", DkimResult::Pass),
                ("rsa-sha256", DkimResult::Pass)
            ],
            "chunk {chunk}: {results:?}"
        );
    }
}

/// The header block and its DKIM-Signature fields (whole, without the final CRLF).
fn signature_fields(message: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
    let header = message[..end].to_vec();
    let text = String::from_utf8(header.clone()).unwrap();
    let mut fields: Vec<String> = Vec::new();
    for line in text.split("\r\n").filter(|line| !line.is_empty()) {
        if line.starts_with(' ') || line.starts_with('\t') {
            let last = fields.last_mut().unwrap();
            last.push_str("\r\n");
            last.push_str(line);
        } else {
            fields.push(line.to_owned());
        }
    }
    let signatures = fields
        .into_iter()
        .filter(|field| field.starts_with("DKIM-Signature:"))
        .map(String::into_bytes)
        .collect();
    (header, signatures)
}

#[test]
fn rfc8463_appendix_a_ed25519_signing_is_byte_for_byte() {
    let (_, message) = vector();
    let (header, fields) = signature_fields(&message);
    let keys =
        [
            PrivateKey::from_pem(&String::from_utf8(shared("rfc8463/rfc8032_7_1.key")).unwrap())
                .unwrap_or_else(|_| {
                    let seed = STANDARD
                        .decode(
                            String::from_utf8(shared("rfc8463/rfc8032_7_1.key"))
                                .unwrap()
                                .trim(),
                        )
                        .unwrap();
                    PrivateKey::ed25519_seed(seed.try_into().unwrap())
                }),
        ];
    assert_eq!(fields.len(), 2);
    // The RSA signature of A.3 is checked by the verification test: ring and aws-lc both refuse
    // to load its 1024-bit private key for signing, so only the ed25519 one is re-made here.
    for (field, key) in fields.iter().zip(&keys).take(1) {
        let value = &field[field.iter().position(|&b| b == b':').unwrap() + 1..];
        let signature = Signature::parse(value, &SignatureConfig::default()).unwrap();
        assert_eq!(signature.canonicalization.header, Canonicalization::Relaxed);
        let names: Vec<&str> = signature.signed_headers.iter().collect();
        let data =
            tegami_dkim::signed_header_data(&header, &names, Canonicalization::Relaxed, field);
        let key = RingBackend
            .signing_key(key, &SignPolicy::default())
            .unwrap();
        assert_eq!(crypto::SigningKey::algorithm(&key), signature.algorithm);
        let produced = crypto::sign(&RingBackend, &key, &data).unwrap();
        assert_eq!(
            STANDARD.encode(&produced),
            signature.signature_text,
            "{}",
            signature.algorithm
        );
    }
}
