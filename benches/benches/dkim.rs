//! `dkim/{verify,sign}/{1KiB,64KiB,1MiB}`: relaxed/relaxed rsa-sha256 over a message whose body
//! is the fixture's body text repeated to the size.
//!
//! Rows: `floor/sha256+rsa` (SHA-256 of the body plus one RSA operation: a verification, or a
//! signature, over the header data; the least any DKIM implementation must do),
//! `tegami/rsa-sha256` (the streaming verifier or signer, key lookup through the offline zone
//! included), `tegami/ed25519-sha256` for the signer, and with `--features peers`
//! `peer/mail-auth` (parse and verify with the key cached, or sign). With `--features aws-lc`
//! the sign groups also time `aws-lc/floor-sha256+rsa` and `aws-lc/rsa-sha256`: the same floor
//! and signer on the aws-lc-rs backend (ring stays the floor the ratios use).

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a bench without its fixture must stop loudly; offsets come from the fixture"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegami_core::crypto::{
    self, CryptoBackend, HashAlgorithm, Hasher, PrivateKey, RingBackend, RingSigningKey,
    SignPolicy, SigningAlgorithm, SigningKey, VerifyPolicy,
};
use tegami_core::dns::{self, ZoneResolver};
use tegami_dkim::{Config, DkimResult, Signer, SigningSpec, Verifier};

const NOW: u64 = 1_800_000_000;
const SIZES: [(&str, usize); 3] = [("1KiB", 1024), ("64KiB", 64 * 1024), ("1MiB", 1024 * 1024)];

fn fixture(name: &str) -> String {
    let path = format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("bench fixture {path}: {error}"))
}

/// The fixture message with CRLF line ends and its body repeated to `size` octets.
fn message(size: usize) -> (Vec<u8>, usize) {
    let text = fixture("dkim_message.eml").replace('\n', "\r\n");
    let (header, body) = text.split_once("\r\n\r\n").expect("fixture has a body");
    let mut out = format!("{header}\r\n\r\n").into_bytes();
    let header_len = out.len();
    while out.len() - header_len < size {
        out.extend_from_slice(body.as_bytes());
    }
    out.truncate(header_len + size);
    // End on a line boundary, as SMTP delivers.
    out.truncate(out.len() - 2);
    out.extend_from_slice(b"\r\n");
    (out, header_len)
}

fn keys() -> (RingSigningKey, RingSigningKey, ZoneResolver) {
    let policy = SignPolicy::default();
    let rsa = RingBackend
        .signing_key(
            &PrivateKey::from_pem(&fixture("dkim_rsa.pem")).expect("pem"),
            &policy,
        )
        .expect("rsa key");
    let ed = RingBackend
        .signing_key(&PrivateKey::ed25519_seed([5; 32]), &policy)
        .expect("ed25519 key");
    let zone = ZoneResolver::from_master_file(&format!(
        "rsa._domainkey.example.com. 300 IN TXT \"v=DKIM1; p={}\"\n\
         ed._domainkey.example.com. 300 IN TXT \"v=DKIM1; k=ed25519; p={}\"\n",
        rsa.public_key().to_dkim_base64(),
        ed.public_key().to_dkim_base64()
    ))
    .expect("zone");
    (rsa, ed, zone)
}

fn sign(key: &RingSigningKey, selector: &str, message: &[u8]) -> Vec<u8> {
    let spec = SigningSpec::new(
        key,
        "example.com".parse().expect("domain"),
        selector.try_into().expect("selector"),
    );
    let mut signer = Signer::new(vec![spec], NOW);
    signer.handle_input(message);
    let fields = signer.finish().expect("signs");
    fields.concat().into_bytes()
}

fn verify(message: &[u8], zone: &ZoneResolver) -> DkimResult {
    let mut verifier = Verifier::new(Config::default(), NOW);
    verifier.handle_input(message).expect("open");
    verifier.handle_end();
    let results = dns::resolve(&mut verifier, zone).expect("runs");
    results
        .first()
        .map_or(DkimResult::None, |result| result.result)
}

/// SHA-256 of the body, the least a verifier or signer hashes.
fn body_hash(body: &[u8]) -> crypto::Digest {
    let mut hasher = RingBackend.hasher(HashAlgorithm::Sha256);
    hasher.update(body);
    hasher.finish()
}

/// `dkim/body/1MiB`: where a body's time goes: SHA-256 alone, canonicalizing alone, both (piece
/// by piece, and through the staged body hashes the verifier and signer use).
fn body(c: &mut Criterion) {
    use tegami_dkim::canon::{BodyCanonicalizer, Canonicalization};

    let (message, header_len) = message(1024 * 1024);
    let body = &message[header_len..];
    let mut group = c.benchmark_group("dkim/body/1MiB");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("floor/sha256", |b| b.iter(|| body_hash(black_box(body))));
    for (name, algorithm) in [
        ("relaxed", Canonicalization::Relaxed),
        ("simple", Canonicalization::Simple),
    ] {
        group.bench_function(format!("tegami/canonicalize-{name}"), |b| {
            b.iter(|| {
                let mut length = 0;
                let mut canon = BodyCanonicalizer::new(algorithm);
                canon.feed(black_box(body), &mut |piece: &[u8]| length += piece.len());
                canon.finish(&mut |piece: &[u8]| length += piece.len());
                length
            });
        });
        group.bench_function(format!("tegami/canonicalize-and-hash-{name}"), |b| {
            b.iter(|| {
                let mut hasher = RingBackend.hasher(HashAlgorithm::Sha256);
                let mut canon = BodyCanonicalizer::new(algorithm);
                canon.feed(black_box(body), &mut |piece: &[u8]| hasher.update(piece));
                canon.finish(&mut |piece: &[u8]| hasher.update(piece));
                hasher.finish()
            });
        });
    }
    group.bench_function("tegami/body-hashes-relaxed", |b| {
        use tegami_dkim::stream::BodyHashes;
        b.iter(|| {
            let mut hashes = BodyHashes::new();
            let id = hashes.add(
                &RingBackend,
                Canonicalization::Relaxed,
                HashAlgorithm::Sha256,
                None,
            );
            hashes.feed(black_box(body));
            hashes.finish().get(id)
        });
    });
    group.finish();
}

fn dkim(c: &mut Criterion) {
    let (rsa, ed, zone) = keys();
    // The header data of a typical signature: the signed fields plus the signature field.
    let header_data = vec![b'h'; 700];
    let header_signature = crypto::sign(&RingBackend, &rsa, &header_data).expect("sign");
    let public = rsa.public_key();
    for (label, size) in SIZES {
        let (message, header_len) = message(size);
        let body = &message[header_len..];
        let signed = [sign(&rsa, "rsa", &message), message.clone()].concat();
        assert_eq!(verify(&signed, &zone), DkimResult::Pass);

        let mut group = c.benchmark_group(format!("dkim/verify/{label}"));
        group.throughput(Throughput::Bytes(message.len() as u64));
        group.bench_function("floor/sha256+rsa", |b| {
            b.iter(|| {
                let digest = body_hash(black_box(body));
                let verified = crypto::verify(
                    &RingBackend,
                    &VerifyPolicy::default(),
                    SigningAlgorithm::RsaSha256,
                    &public,
                    black_box(&header_data),
                    &header_signature,
                );
                (digest, verified.is_ok())
            });
        });
        group.bench_function("tegami/rsa-sha256", |b| {
            b.iter(|| verify(black_box(&signed), &zone));
        });
        #[cfg(feature = "peers")]
        peer::verify(&mut group, &signed, &public);
        group.finish();

        let mut group = c.benchmark_group(format!("dkim/sign/{label}"));
        group.throughput(Throughput::Bytes(message.len() as u64));
        group.bench_function("floor/sha256+rsa", |b| {
            b.iter(|| {
                let digest = body_hash(black_box(body));
                let signature = crypto::sign(&RingBackend, &rsa, black_box(&header_data));
                (digest, signature.is_ok())
            });
        });
        group.bench_function("tegami/rsa-sha256", |b| {
            b.iter(|| sign(&rsa, "rsa", black_box(&message)));
        });
        group.bench_function("tegami/ed25519-sha256", |b| {
            b.iter(|| sign(&ed, "ed", black_box(&message)));
        });
        #[cfg(feature = "aws-lc")]
        aws_lc::sign(&mut group, &message, header_len, &header_data);
        #[cfg(feature = "peers")]
        peer::sign(&mut group, &message, &fixture("dkim_rsa.pem"));
        group.finish();
    }
}

#[cfg(feature = "aws-lc")]
mod aws_lc {
    use std::hint::black_box;

    use criterion::BenchmarkGroup;
    use criterion::measurement::WallTime;
    use tegami_core::crypto::{
        self, AwsLcBackend, CryptoBackend, HashAlgorithm, Hasher, PrivateKey, SignPolicy,
    };
    use tegami_dkim::{Signer, SigningSpec};

    use super::{NOW, fixture};

    /// The sign group's floor and signer on aws-lc-rs, hashing included.
    pub(super) fn sign(
        group: &mut BenchmarkGroup<'_, WallTime>,
        message: &[u8],
        header_len: usize,
        header_data: &[u8],
    ) {
        let backend = AwsLcBackend;
        let key = backend
            .signing_key(
                &PrivateKey::from_pem(&fixture("dkim_rsa.pem")).expect("pem"),
                &SignPolicy::default(),
            )
            .expect("rsa key");
        let body = &message[header_len..];
        group.bench_function("aws-lc/floor-sha256+rsa", |b| {
            b.iter(|| {
                let mut hasher = backend.hasher(HashAlgorithm::Sha256);
                hasher.update(black_box(body));
                let signature = crypto::sign(&backend, &key, black_box(header_data));
                (hasher.finish(), signature.is_ok())
            });
        });
        group.bench_function("aws-lc/rsa-sha256", |b| {
            b.iter(|| {
                let spec = SigningSpec::new(
                    &key,
                    "example.com".parse().expect("domain"),
                    "rsa".try_into().expect("selector"),
                );
                let mut signer = Signer::with_backend(AwsLcBackend, vec![spec], NOW);
                signer.handle_input(black_box(message));
                signer.finish().expect("signs")
            });
        });
    }
}

#[cfg(feature = "peers")]
mod peer {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use criterion::BenchmarkGroup;
    use criterion::measurement::WallTime;
    use mail_auth::crypto::{RsaKey, Sha256};
    use mail_auth::dkim::{DkimSigner, DomainKey};
    use mail_auth::dns::TxtRecordParser;
    use mail_auth::headers::HeaderWriter;
    use mail_auth::{
        AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache,
        TxtRecord,
    };
    use tegami_benches::mail_auth_cache::{Caches, ready};

    /// Parses and verifies with the key already in mail-auth's cache.
    pub(super) fn verify(
        group: &mut BenchmarkGroup<'_, WallTime>,
        signed: &[u8],
        public: &tegami_core::crypto::PublicKey,
    ) {
        let authenticator = MessageAuthenticator::new_cloudflare().expect("resolver object");
        let caches = Caches::default();
        let record = format!("v=DKIM1; p={}", public.to_dkim_base64());
        caches.txt.insert(
            "rsa._domainkey.example.com.".into(),
            TxtRecord::from(DomainKey::parse(record.as_bytes())),
            Instant::now() + Duration::from_secs(86_400),
        );
        let check = |message: &[u8]| {
            let message = AuthenticatedMessage::parse(message).expect("parses");
            let outputs =
                ready(authenticator.verify_dkim(Parameters::new(&message).with_cache(&caches)));
            outputs.first().map(|output| output.result().clone())
        };
        assert_eq!(check(signed), Some(DkimResult::Pass));
        group.bench_function("peer/mail-auth", |b| b.iter(|| check(black_box(signed))));
    }

    /// Signs with the same key, fields and canonicalization.
    pub(super) fn sign(group: &mut BenchmarkGroup<'_, WallTime>, message: &[u8], pem: &str) {
        // The PEM shortcut; its replacement wants rustls-pki-types as one more dependency.
        #[allow(deprecated)]
        let signer = DkimSigner::from_key(RsaKey::<Sha256>::from_rsa_pem(pem).expect("key"))
            .domain("example.com")
            .selector("rsa")
            .headers([
                "From",
                "To",
                "Cc",
                "Subject",
                "Date",
                "Message-ID",
                "MIME-Version",
            ])
            .header_canonicalization(mail_auth::dkim::Canonicalization::Relaxed)
            .body_canonicalization(mail_auth::dkim::Canonicalization::Relaxed);
        assert!(signer.sign(message).is_ok());
        group.bench_function("peer/mail-auth", |b| {
            b.iter(|| signer.sign(black_box(message)).expect("signs").to_header());
        });
    }
}

criterion_group!(benches, body, dkim);
criterion_main!(benches);
