//! Verifying (and signing) a 100 MB message keeps memory flat in the body size: a counting
//! allocator shows the peak stays below the header size plus a small constant.
//!
//! Its own test binary, because the counting allocator is global.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use peak_alloc::PeakAlloc;
use tegami_core::crypto::{CryptoBackend, PrivateKey, RingBackend, SignPolicy};
use tegami_core::dns::{self, ZoneResolver};
use tegami_dkim::{Config, DkimResult, Signer, SigningSpec, Verifier};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const BODY_BYTES: usize = 100 * 1024 * 1024;

fn body_chunk() -> Vec<u8> {
    let line =
        b"The quick brown fox  jumps over the lazy dog;\tpack my box with five dozen jugs \r\n";
    line.iter().copied().cycle().take(64 * 1024).collect()
}

/// Peak bytes allocated while `work` runs, above what was live before it.
fn peak_during(work: impl FnOnce()) -> usize {
    let base = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    work();
    ALLOCATOR.peak_usage().saturating_sub(base)
}

#[test]
fn a_100_mb_body_costs_no_memory() {
    let header = b"From: a@example.com\r\nTo: b@example.net\r\nSubject: big\r\n\r\n".to_vec();
    let chunk = body_chunk();
    let key = RingBackend
        .signing_key(&PrivateKey::ed25519_seed([3; 32]), &SignPolicy::default())
        .unwrap();
    let zone = ZoneResolver::from_master_file(&format!(
        "s._domainkey.example.com. 300 IN TXT \"v=DKIM1; k=ed25519; p={}\"\n",
        tegami_core::crypto::SigningKey::public_key(&key).to_dkim_base64()
    ))
    .unwrap();

    let mut fields = Vec::new();
    let signing_peak = peak_during(|| {
        let spec = SigningSpec::new(
            &key,
            "example.com".parse().unwrap(),
            "s".try_into().unwrap(),
        );
        let mut signer = Signer::new(vec![spec], 1_700_000_000);
        signer.handle_input(&header);
        for _ in 0..BODY_BYTES / chunk.len() {
            signer.handle_input(&chunk);
        }
        fields = signer.finish().unwrap();
    });

    let field = fields[0].clone().into_bytes();
    let mut results = Vec::new();
    let verifying_peak = peak_during(|| {
        let mut verifier = Verifier::new(Config::default(), 1_700_000_001);
        verifier.handle_input(&field).unwrap();
        verifier.handle_input(&header).unwrap();
        for _ in 0..BODY_BYTES / chunk.len() {
            verifier.handle_input(&chunk).unwrap();
        }
        verifier.handle_end();
        results = dns::resolve(&mut verifier, &zone).unwrap();
    });
    assert_eq!(
        results[0].result,
        DkimResult::Pass,
        "{}",
        results[0].reason()
    );
    let header_size = field.len() + header.len();
    println!(
        "peak: signing {signing_peak} B, verifying {verifying_peak} B, header {header_size} B"
    );
    // The header block is kept (with growth slack), plus parsed signatures and key records and
    // the body hasher's 8 KiB staging buffer: a constant, whatever the body size.
    let allowance = 2 * header_size + 32 * 1024;
    assert!(
        verifying_peak < allowance,
        "verifying peaked at {verifying_peak} B"
    );
    assert!(
        signing_peak < allowance,
        "signing peaked at {signing_peak} B"
    );
}
