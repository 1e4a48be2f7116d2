//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use tegami_core::dns::{self, ZoneResolver};

use crate::{
    ChainStatus, Config, MAX_INSTANCE, MessageSignature, Seal, Validator, results_instance,
    results_payload,
};

/// Any value parses as each ARC field or is refused; what parses keeps the RFC's invariants.
pub fn set(data: &[u8]) {
    if let Ok(signature) = MessageSignature::parse(data) {
        assert!((1..=MAX_INSTANCE).contains(&signature.instance));
        assert!(!signature.signature.is_empty() && !signature.body_hash.is_empty());
        assert!(
            !signature
                .signed_headers
                .iter()
                .any(|name| name.eq_ignore_ascii_case("arc-seal"))
        );
    }
    if let Ok(seal) = Seal::parse(data) {
        assert!((1..=MAX_INSTANCE).contains(&seal.instance));
    }
    if let Ok(instance) = results_instance(data) {
        assert!((1..=MAX_INSTANCE).contains(&instance));
    }
    assert!(data.ends_with(results_payload(data)));
}

/// The ValiMail suite's key, so its sealed messages (the seeds) validate.
const ZONE: &str = concat!(
    "dummy._domainkey.example.org. 60 IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n",
);

/// Any message validates to the same result in any chunking; a passing chain names an
/// oldest passing instance within it.
pub fn validator(data: &[u8]) {
    static ZONE_RESOLVER: std::sync::OnceLock<ZoneResolver> = std::sync::OnceLock::new();
    let zone = ZONE_RESOLVER
        .get_or_init(|| ZoneResolver::from_master_file(ZONE).expect("the fixed zone parses"));
    let run = |chunk: usize| {
        let mut validator = Validator::new(Config::default());
        for piece in data.chunks(chunk) {
            validator.handle_input(piece).expect("input before the end");
        }
        validator.handle_end();
        dns::resolve(&mut validator, zone).expect("the validator keeps its contract")
    };
    let whole = run(data.len().max(1));
    let step = data.first().map_or(1, |&b| usize::from(b % 13) + 1);
    assert_eq!(run(step), whole);
    if whole.status == ChainStatus::Pass {
        let oldest = whole
            .oldest_pass
            .expect("a passing chain has an oldest pass");
        assert!((1..=whole.instances).contains(&oldest));
    }
}
