//! `pipeline/64KiB`: the whole receive pipeline against the four machines it drives.
//!
//! The message is `examples/message.eml` with its body repeated to 64 KiB, signed by
//! example.com (rsa-sha256) and ARC-sealed by lists.example.org (rsa-sha256), arriving from the
//! list's server; DNS answers come from the bundled zone, in memory (answers ready).
//!
//! Rows: `floor/crates-in-sequence` runs SPF, DKIM, ARC and DMARC one after the other, each
//! through its own crate exactly as a caller without the facade would (the sum of the crates'
//! work, measured in one row); `tegami/authenticator` is `tegami::Authenticator` doing the
//! same and also writing the Authentication-Results field. `part/{spf,dkim,arc,dmarc}` are the
//! four machines alone. The acceptance bound: the pipeline costs at most 1.10 floors.

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a bench without its fixture must stop loudly"
)]

use std::hint::black_box;
use std::net::IpAddr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegami::arc::{ChainStatus, SealSpec, Sealer, Validator};
use tegami::authenticator::{Authenticator, Config, Connection};
use tegami::core::crypto::{CryptoBackend as _, PrivateKey, RingBackend, SignPolicy};
use tegami::core::dns::{self, ZoneResolver};
use tegami::dkim::{Signer, SigningSpec, Verifier};
use tegami::dmarc::{Evaluation as DmarcEvaluation, Input as DmarcInput};
use tegami::mime::Author;
use tegami::spf::Evaluation as SpfEvaluation;

const NOW: u64 = 1_795_426_000;
const SIZE: usize = 64 * 1024;
const IP: &str = "198.51.100.10";
const HELO: &str = "mail.lists.example.org";
const SENDER: &str = "team-bounces@lists.example.org";

fn example(name: &str) -> String {
    let path = format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("bench fixture {path}: {error}"))
}

fn key(name: &str) -> tegami::core::crypto::RingSigningKey {
    let pem = example(&format!("keys/{name}"));
    RingBackend
        .signing_key(
            &PrivateKey::from_pem(&pem).expect("pem"),
            &SignPolicy::default(),
        )
        .expect("key")
}

/// The 64 KiB message, signed and sealed, with CRLF line ends.
fn message() -> Vec<u8> {
    let text = example("message.eml").replace('\n', "\r\n");
    let (header, body) = text.split_once("\r\n\r\n").expect("fixture has a body");
    let mut plain = format!("{header}\r\n\r\n").into_bytes();
    while plain.len() < SIZE {
        plain.extend_from_slice(body.as_bytes());
    }
    let author = key("rsa2026.pem");
    let mut signer = Signer::new(
        vec![SigningSpec::new(
            &author,
            "example.com".parse().expect("domain"),
            "rsa2026".try_into().expect("selector"),
        )],
        NOW - 60,
    );
    signer.handle_input(&plain);
    let mut signed = signer.finish().expect("signs").concat().into_bytes();
    signed.extend_from_slice(&plain);

    let list = key("list2026.pem");
    let mut spec = SealSpec::new(
        &list,
        "lists.example.org".parse().expect("domain"),
        "list2026".try_into().expect("selector"),
        "lists.example.org",
    );
    spec.chain_status = Some(ChainStatus::None);
    let mut sealer = Sealer::with_backend(RingBackend, spec, NOW - 30);
    let results = "Authentication-Results: lists.example.org; dkim=pass header.d=example.com\r\n";
    sealer.handle_input(results.as_bytes());
    sealer.handle_input(&signed);
    let set = sealer.finish().expect("seals").expect("a new chain");
    let mut out = set.to_prepend().into_bytes();
    out.extend_from_slice(results.as_bytes());
    out.extend_from_slice(&signed);
    out
}

fn header(message: &[u8]) -> &[u8] {
    let end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header");
    message.get(..end + 2).expect("header")
}

fn spf(zone: &ZoneResolver) -> tegami::spf::Verdict {
    let ip: IpAddr = IP.parse().expect("ip");
    let mut config = tegami::spf::Config::default();
    config.now = Some(NOW);
    dns::resolve(
        &mut SpfEvaluation::with_config(ip, HELO, SENDER, config),
        zone,
    )
    .expect("spf")
}

fn dkim(zone: &ZoneResolver, message: &[u8]) -> Vec<tegami::dkim::SignatureResult> {
    let mut verifier = Verifier::new(tegami::dkim::Config::default(), NOW);
    verifier.handle_input(message).expect("input");
    verifier.handle_end();
    dns::resolve(&mut verifier, zone).expect("dkim")
}

fn arc(zone: &ZoneResolver, message: &[u8]) -> tegami::arc::ArcResult {
    let mut validator = Validator::new(tegami::arc::Config::default());
    validator.handle_input(message).expect("input");
    validator.handle_end();
    dns::resolve(&mut validator, zone).expect("arc")
}

fn dmarc(
    zone: &ZoneResolver,
    message: &[u8],
    spf: &tegami::spf::Verdict,
    dkim: &[tegami::dkim::SignatureResult],
    arc: &tegami::arc::ArcResult,
) -> tegami::dmarc::Verdict {
    let mut input = DmarcInput::from_author(&Author::from_message(header(message)))
        .spf(spf)
        .dkim(dkim);
    if arc.status == ChainStatus::Pass {
        input = input.arc_pass(tegami::authenticator::arc_seals(arc));
    }
    dns::resolve(
        &mut DmarcEvaluation::new(input, tegami::dmarc::Config::default()),
        zone,
    )
    .expect("dmarc")
}

fn pipeline(c: &mut Criterion) {
    let zone = ZoneResolver::from_master_file(&example("example.com.zone")).expect("zone");
    let message = message();
    let connection = || Connection {
        ip: IP.parse().expect("ip"),
        helo: HELO.into(),
        mail_from: SENDER.into(),
    };

    // The fixture must exercise everything: SPF, DKIM and ARC pass, DMARC passes by DKIM.
    let checked = {
        let spf = spf(&zone);
        let dkim = dkim(&zone, &message);
        let arc = arc(&zone, &message);
        let verdict = dmarc(&zone, &message, &spf, &dkim, &arc);
        (
            spf.result.as_str(),
            dkim.first().map(|d| d.result.as_str()),
            arc.status.as_str(),
            verdict.result.as_str(),
        )
    };
    assert_eq!(
        checked,
        ("pass", Some("pass"), "pass", "pass"),
        "bench fixture"
    );

    let mut group = c.benchmark_group("pipeline/64KiB");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("floor/crates-in-sequence", |b| {
        b.iter(|| {
            let spf = spf(&zone);
            let dkim = dkim(&zone, black_box(&message));
            let arc = arc(&zone, &message);
            black_box(dmarc(&zone, &message, &spf, &dkim, &arc))
        });
    });
    group.bench_function("tegami/authenticator", |b| {
        b.iter(|| {
            let mut pipeline = Authenticator::new(connection(), Config::new("mx.example.net"), NOW);
            pipeline.handle_input(black_box(&message)).expect("input");
            pipeline.handle_end();
            black_box(dns::resolve(&mut pipeline, &zone).expect("pipeline"))
        });
    });
    let (spf_verdict, dkim_results, arc_result) =
        (spf(&zone), dkim(&zone, &message), arc(&zone, &message));
    group.bench_function("part/spf", |b| b.iter(|| black_box(spf(&zone))));
    group.bench_function("part/dkim", |b| {
        b.iter(|| black_box(dkim(&zone, black_box(&message))));
    });
    group.bench_function("part/arc", |b| {
        b.iter(|| black_box(arc(&zone, black_box(&message))));
    });
    group.bench_function("part/dmarc", |b| {
        b.iter(|| {
            black_box(dmarc(
                &zone,
                &message,
                &spf_verdict,
                &dkim_results,
                &arc_result,
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
