//! `arc/validate/3-hop-64KiB`: validating a chain of three forwarders (rsa-sha256, relaxed)
//! on a 64 KiB message.
//!
//! Rows: `floor/sha256+4rsa` (SHA-256 of the body plus four RSA verifications: the newest
//! ARC-Message-Signature and three seals, the least a validator does),
//! `tegami/validate` (which also checks the older message signatures for `oldest-pass`),
//! `tegami/validate-without-oldest-pass` (newest signature and the seals only), and
//! with `--features peers` `peer/mail-auth` (parse and verify with the keys cached).

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a bench without its fixture must stop loudly; offsets come from the fixture"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegami_arc::{ChainStatus, Config, SealSpec, Sealer, Validator};
use tegami_core::crypto::{
    self, CryptoBackend, HashAlgorithm, Hasher, PrivateKey, RingBackend, RingSigningKey,
    SignPolicy, SigningAlgorithm, SigningKey, VerifyPolicy,
};
use tegami_core::dns::{self, ZoneResolver};

const NOW: u64 = 1_800_000_000;
const HOPS: [&str; 3] = ["one.example", "two.example", "three.example"];

fn fixture(name: &str) -> String {
    let path = format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("bench fixture {path}: {error}"))
}

/// The fixture message with its body repeated to 64 KiB, sealed by three hops.
fn chain(key: &RingSigningKey) -> (Vec<u8>, usize) {
    let text = fixture("dkim_message.eml").replace('\n', "\r\n");
    let (header, body) = text.split_once("\r\n\r\n").expect("fixture has a body");
    let mut message = format!("{header}\r\n\r\n").into_bytes();
    let header_len = message.len();
    while message.len() - header_len < 64 * 1024 {
        message.extend_from_slice(body.as_bytes());
    }
    let body_len = message.len() - header_len;
    for (hop, domain) in HOPS.iter().enumerate() {
        let status = if hop == 0 { "none" } else { "pass" };
        let results = format!("Authentication-Results: mx.{domain}; arc={status}\r\n");
        message = [results.as_bytes(), &message].concat();
        let spec = SealSpec::new(
            key,
            domain.parse().expect("domain"),
            "arc".try_into().expect("selector"),
            &format!("mx.{domain}"),
        );
        let mut sealer = Sealer::with_backend(RingBackend, spec, NOW);
        sealer.handle_input(&message);
        let set = sealer.finish().expect("seals").expect("a set");
        message = [set.to_prepend().as_bytes(), &message].concat();
    }
    (message, body_len)
}

fn arc(c: &mut Criterion) {
    let key = RingBackend
        .signing_key(
            &PrivateKey::from_pem(&fixture("dkim_rsa.pem")).expect("pem"),
            &SignPolicy::default(),
        )
        .expect("rsa key");
    let public = key.public_key();
    let zone = ZoneResolver::from_master_file(
        &HOPS
            .iter()
            .map(|domain| {
                format!(
                    "arc._domainkey.{domain}. 300 IN TXT \"v=DKIM1; p={}\"\n",
                    public.to_dkim_base64()
                )
            })
            .collect::<String>(),
    )
    .expect("zone");
    let (message, body_len) = chain(&key);
    let body = &message[message.len() - body_len..];
    let validate_with = |message: &[u8], config: Config| {
        let mut validator = Validator::new(config);
        validator.handle_input(message).expect("open");
        validator.handle_end();
        dns::resolve(&mut validator, &zone).expect("runs").status
    };
    let validate = |message: &[u8]| validate_with(message, Config::default());
    let mut newest_only = Config::default();
    newest_only.find_oldest_pass = false;
    assert_eq!(validate(&message), ChainStatus::Pass);
    let header_data = vec![b'h'; 700];
    let signature = crypto::sign(&RingBackend, &key, &header_data).expect("sign");

    let mut group = c.benchmark_group("arc/validate/3-hop-64KiB");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("floor/sha256+4rsa", |b| {
        b.iter(|| {
            let mut hasher = RingBackend.hasher(HashAlgorithm::Sha256);
            hasher.update(black_box(body));
            let digest = hasher.finish();
            let verified = (0..4).all(|_| {
                crypto::verify(
                    &RingBackend,
                    &VerifyPolicy::default(),
                    SigningAlgorithm::RsaSha256,
                    &public,
                    black_box(&header_data),
                    &signature,
                )
                .is_ok()
            });
            (digest, verified)
        });
    });
    group.bench_function("tegami/validate", |b| {
        b.iter(|| validate(black_box(&message)));
    });
    group.bench_function("tegami/validate-without-oldest-pass", |b| {
        b.iter(|| validate_with(black_box(&message), newest_only.clone()));
    });
    #[cfg(feature = "peers")]
    peer::validate(&mut group, &message, &public);
    group.finish();
}

#[cfg(feature = "peers")]
mod peer {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use criterion::BenchmarkGroup;
    use criterion::measurement::WallTime;
    use mail_auth::dkim::DomainKey;
    use mail_auth::dns::TxtRecordParser;
    use mail_auth::{
        ArcResult, AuthenticatedMessage, MessageAuthenticator, Parameters, ResolverCache, TxtRecord,
    };
    use tegami_benches::mail_auth_cache::{Caches, ready};

    /// Parses and validates with the keys already in mail-auth's cache.
    pub(super) fn validate(
        group: &mut BenchmarkGroup<'_, WallTime>,
        message: &[u8],
        public: &tegami_core::crypto::PublicKey,
    ) {
        let authenticator = MessageAuthenticator::new_cloudflare().expect("resolver object");
        let caches = Caches::default();
        let record = format!("v=DKIM1; p={}", public.to_dkim_base64());
        for domain in super::HOPS {
            caches.txt.insert(
                format!("arc._domainkey.{domain}.").into_boxed_str(),
                TxtRecord::from(DomainKey::parse(record.as_bytes())),
                Instant::now() + Duration::from_secs(86_400),
            );
        }
        let check = |message: &[u8]| {
            let message = AuthenticatedMessage::parse(message).expect("parses");
            let output =
                ready(authenticator.verify_arc(Parameters::new(&message).with_cache(&caches)));
            output.result().clone()
        };
        assert_eq!(check(message), ArcResult::Pass);
        group.bench_function("peer/mail-auth", |b| b.iter(|| check(black_box(message))));
    }
}

criterion_group!(benches, arc);
criterion_main!(benches);
