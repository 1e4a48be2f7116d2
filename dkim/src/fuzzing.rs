//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use alloc::vec::Vec;

use tegami_core::dns::{self, ZoneResolver};

use crate::canon::{
    BodyCanonicalizer, Canonicalization, canonicalize_header, canonicalize_without_signature_value,
    without_signature_value,
};
use crate::{Config, KeyRecord, Signature, SignatureConfig, Verifier};

/// Any value parses or is refused; a parsed signature keeps the RFC's invariants.
pub fn signature(data: &[u8]) {
    for allow_legacy_version in [false, true] {
        let config = SignatureConfig {
            allow_legacy_version,
        };
        if let Ok(signature) = Signature::parse(data, &config) {
            let identity = &signature.identity.domain;
            assert!(identity == &signature.domain || identity.is_subdomain_of(&signature.domain));
            assert!(
                signature
                    .signed_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case("from"))
            );
            if let (Some(t), Some(x)) = (signature.timestamp, signature.expiration) {
                assert!(x > t);
            }
            assert!(signature.key_name().ends_with(signature.domain.as_str()));
        }
    }
}

/// Any record parses or is refused; a parsed key matches the record's key type.
pub fn key_record(data: &[u8]) {
    if let Ok(record) = KeyRecord::parse(data)
        && let Some(key) = &record.key
    {
        assert_eq!(key.key_type(), record.key_type);
    }
}

/// Chunked canonicalization equals one-chunk canonicalization, relaxed output has no
/// whitespace the algorithm removes, and canonicalizing twice changes nothing; the same input
/// as a header field: relaxed output holds no folding or whitespace run, canonicalizing it
/// again changes nothing, and canonicalizing around a `b=` value equals canonicalizing the
/// field without it.
pub fn canonicalizer(data: &[u8]) {
    let Some((&step, body)) = data.split_first() else {
        return;
    };
    header_field(body);
    for algorithm in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let whole = canonical(algorithm, body, body.len().max(1));
        let chunked = canonical(algorithm, body, usize::from(step % 17) + 1);
        assert_eq!(whole, chunked);
        assert!(whole.is_empty() || whole.ends_with(b"\r\n"));
        assert!(!whole.ends_with(b"\r\n\r\n"));
        if algorithm == Canonicalization::Relaxed {
            assert!(!whole.contains(&b'\t'));
            assert!(!whole.windows(2).any(|w| w == b"  "));
            assert!(!whole.windows(3).any(|w| w == b" \r\n"));
        }
        assert_eq!(canonical(algorithm, &whole, whole.len().max(1)), whole);
    }
}

fn header_field(field: &[u8]) {
    let mut relaxed = Vec::new();
    canonicalize_header(Canonicalization::Relaxed, field, &mut relaxed);
    // The name is only lower-cased and trimmed (a valid one holds no whitespace).
    if let Some(colon) = relaxed.iter().position(|&b| b == b':') {
        let value = &relaxed[colon + 1..];
        assert!(!value.iter().any(|&b| matches!(b, b'\t' | b'\r' | b'\n')));
        assert!(!value.windows(2).any(|w| w == b"  "));
        assert!(!value.starts_with(b" ") && !value.ends_with(b" "));
    }
    let mut again = Vec::new();
    canonicalize_header(Canonicalization::Relaxed, &relaxed, &mut again);
    assert_eq!(again, relaxed);
    for algorithm in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let mut cut = Vec::new();
        canonicalize_without_signature_value(algorithm, field, &mut cut);
        let mut copied = Vec::new();
        canonicalize_header(algorithm, &without_signature_value(field), &mut copied);
        assert_eq!(cut, copied);
    }
}

fn canonical(algorithm: Canonicalization, body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut canon = BodyCanonicalizer::new(algorithm);
    for piece in body.chunks(chunk) {
        canon.feed(piece, &mut |bytes: &[u8]| out.extend_from_slice(bytes));
    }
    canon.finish(&mut |bytes: &[u8]| out.extend_from_slice(bytes));
    out
}

/// The keys the verifier target's messages may name: the RFC 8463 Appendix A keys (so its
/// signed message, a seed, verifies) and a revoked one.
const ZONE: &str = concat!(
    "brisbane._domainkey.football.example.com. 60 IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n",
    "test._domainkey.football.example.com. 60 IN TXT \"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n",
    "revoked._domainkey.football.example.com. 60 IN TXT \"v=DKIM1; k=ed25519; p=\"\n",
);

/// Any message verifies to one result per DKIM-Signature field, the same in any chunking.
pub fn verifier(data: &[u8]) {
    static ZONE_RESOLVER: std::sync::OnceLock<ZoneResolver> = std::sync::OnceLock::new();
    let zone = ZONE_RESOLVER
        .get_or_init(|| ZoneResolver::from_master_file(ZONE).expect("the fixed zone parses"));
    let run = |chunk: usize| {
        let mut verifier = Verifier::new(Config::default(), 1_700_000_000);
        for piece in data.chunks(chunk) {
            verifier.handle_input(piece).expect("input before the end");
        }
        verifier.handle_end();
        dns::resolve(&mut verifier, zone).expect("the verifier keeps its contract")
    };
    let whole = run(data.len().max(1));
    let step = data.first().map_or(1, |&b| usize::from(b % 13) + 1);
    assert_eq!(run(step), whole);
}
