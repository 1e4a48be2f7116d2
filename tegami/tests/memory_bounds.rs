//! Memory under giant hostile inputs (SECURITY.md, denial of service): a counting allocator
//! measures the peak each piece of work allocates, and each peak must stay under a bound
//! stated in terms of the input: zero-copy parsing costs a small fraction of the input, a
//! decode costs about its output, the streaming pipeline costs the header block and not the
//! body, and the configured part and depth limits cap what a message of any size can build.
//! `benches/benches/dos.rs` shows the time of the same inputs is linear.
//!
//! Its own test binary, because the counting allocator is global; the tests run one at a time
//! (a lock) so one test's allocations do not count in another's peak.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Mutex;

use peak_alloc::PeakAlloc;
use tegami::authenticator::{Authenticator, Config, Connection};
use tegami::core::dns::{ZoneResolver, resolve};
use tegami::mime::{HeaderBlock, Message, encoded_word};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// One measurement at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const MIB: usize = 1 << 20;

/// Peak bytes allocated while `work` runs, above what was live before it.
fn peak_during<T>(work: impl FnOnce() -> T) -> (usize, T) {
    let base = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let out = work();
    (ALLOCATOR.peak_usage().saturating_sub(base), out)
}

fn base64_lines(octets: usize) -> Vec<u8> {
    // 76 columns of base64 per line (RFC 2045 §6.8), 57 decoded octets each.
    let line = b"VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZywgdHdpY2UgYW5kIGFn\r\n";
    line.iter()
        .copied()
        .cycle()
        .take(octets / 57 * line.len())
        .collect()
}

#[test]
fn a_giant_base64_attachment_costs_its_decoded_size() {
    let _serial = serial();
    let mut message = b"From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
        see attached\r\n--b\r\nContent-Type: application/octet-stream\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    message.extend_from_slice(&base64_lines(48 * MIB));
    message.extend_from_slice(b"--b--\r\n");
    let input = message.len();

    let (parse_peak, parts) = peak_during(|| Message::parse(&message).parts().len());
    assert_eq!(parts, 3);
    let (decode_peak, decoded) = peak_during(|| {
        let parsed = Message::parse(&message);
        parsed.part(2).map(|attachment| attachment.decoded().len())
    });
    let decoded = decoded.unwrap();
    eprintln!("base64: input {input}, parse {parse_peak}, decode {decode_peak}, decoded {decoded}");
    // Structure: spans into the buffer, not copies.
    assert!(parse_peak < 64 * 1024, "parse peak {parse_peak}");
    // Decoding: the decoded octets (3/4 of the input) and little more.
    assert!(decoded > 45 * MIB);
    assert!(
        decode_peak < decoded + decoded / 8 + MIB,
        "decode peak {decode_peak}"
    );
}

#[test]
fn a_giant_header_block_costs_a_span_per_field() {
    let _serial = serial();
    // 200,000 fields, and one field folded over 200,000 lines.
    let mut header = Vec::new();
    for n in 0..200_000 {
        header.extend_from_slice(format!("X-Field-{n}: value {n}\r\n").as_bytes());
    }
    header.extend_from_slice(b"Subject: start");
    for _ in 0..200_000 {
        header.extend_from_slice(b"\r\n  folded text");
    }
    header.extend_from_slice(b"\r\n\r\nbody\r\n");
    let input = header.len();
    let (peak, fields) = peak_during(|| HeaderBlock::parse(&header).fields().len());
    eprintln!("header: input {input}, peak {peak}, fields {fields}");
    assert_eq!(fields, 200_001);
    // A 48-octet span per field and the growth of their vector, nothing per octet of the
    // folded field: linear in the number of fields.
    assert!(peak < 100 * fields, "peak {peak} for {fields} fields");
}

#[test]
fn the_pipeline_keeps_no_more_header_than_its_limit() {
    let _serial = serial();
    // 16 MiB of minimal header fields: the pipeline keeps at most the DKIM verifier's header
    // limit (1 MiB by default) and what mime builds over it.
    let mut message = Vec::new();
    while message.len() < 16 * MIB {
        message.extend_from_slice(b"a:\r\n");
    }
    message.extend_from_slice(b"From: alice@example.com\r\n\r\nbody\r\n");
    let limit = tegami::dkim::Config::default().max_header_bytes;
    let (peak, outcome) = peak_during(|| run_pipeline(&message, &[]));
    eprintln!(
        "pipeline header: input {}, limit {limit}, peak {peak}",
        message.len()
    );
    assert_ne!(outcome.dmarc.result.as_str(), "pass");
    // A field costs up to 100 octets of spans for its 4 octets: 25 times the limit, and not
    // a function of the 16 MiB.
    assert!(peak < 30 * limit, "peak {peak}");
}

#[test]
fn pathological_encoded_words_cost_linear_memory() {
    let _serial = serial();
    // 400,000 adjacent encoded words, each a charset switch, Q and B alternating.
    let mut text = Vec::new();
    for n in 0..400_000 {
        if n % 2 == 0 {
            text.extend_from_slice(b"=?iso-8859-1?q?caf=E9?= ");
        } else {
            text.extend_from_slice(b"=?utf-8?b?w6k=?= ");
        }
    }
    let input = text.len();
    let (peak, decoded) = peak_during(|| encoded_word::decode_text(&text).len());
    eprintln!("encoded words: input {input}, peak {peak}, output {decoded}");
    assert!(decoded > 0);
    // The unfolded input and the output: linear in the input.
    assert!(
        peak < input + 2 * decoded + MIB,
        "peak {peak} for output {decoded}"
    );
}

#[test]
fn part_and_depth_limits_cap_what_any_message_builds() {
    let _serial = serial();
    // 200,000 (then 400,000) parts in one multipart, and nesting 100,000 deep: the default
    // limits (10,000 parts, depth 32) stop both, so the tree's size does not follow the input.
    let mut many = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
    for _ in 0..200_000 {
        many.extend_from_slice(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
    }
    let mut twice = many.clone();
    twice.extend_from_slice(&many[45..]);
    many.extend_from_slice(b"--b--\r\n");
    twice.extend_from_slice(b"--b--\r\n");
    let mut deep = Vec::new();
    for n in 0..100_000 {
        deep.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"d{n}\"\r\n\r\n--d{n}\r\n")
                .as_bytes(),
        );
    }
    for (name, input) in [
        ("many parts", &many),
        ("many parts, twice the input", &twice),
        ("deep nesting", &deep),
    ] {
        let (peak, parts) = peak_during(|| Message::parse(input).parts().len());
        eprintln!("{name}: input {}, peak {peak}, parts {parts}", input.len());
        assert!(parts <= 10_000, "{name}: {parts} parts");
        // About 1.3 KiB per kept part, nothing per part left out: the limits cap the tree
        // near 13 MiB, and twice the input costs no more.
        assert!(peak < 16 * MIB, "{name}: peak {peak}");
    }
}

#[test]
fn the_pipeline_streams_a_giant_body() {
    let _serial = serial();
    // The signed example with 64 MiB of body appended, fed in 64 KiB chunks: SPF, DKIM, ARC and
    // DMARC keep the header block and hash the body as it passes.
    let message = common::example("signed.eml");
    let chunk: Vec<u8> = b"more body text, line after line, for a long time\r\n"
        .iter()
        .copied()
        .cycle()
        .take(64 * 1024)
        .collect();
    let header_len = message.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let chunks = vec![chunk.as_slice(); 1024];
    let (peak, outcome) = peak_during(|| run_pipeline(&message, &chunks));
    eprintln!("pipeline: header {header_len}, peak {peak}");
    // The body changed, so DKIM fails; what matters is that nothing held the body.
    assert_eq!(outcome.dkim[0].result.as_str(), "fail");
    assert!(peak < header_len + 256 * 1024, "peak {peak}");
}

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The pipeline over `message` (then `more` chunks), with the example zone.
fn run_pipeline(message: &[u8], more: &[&[u8]]) -> tegami::authenticator::Outcome {
    let zone = ZoneResolver::from_master_file(
        &String::from_utf8(common::example("example.com.zone")).unwrap(),
    )
    .unwrap();
    let connection = Connection {
        ip: "192.0.2.25".parse().unwrap(),
        helo: "mail.example.com".into(),
        mail_from: "alice@example.com".into(),
    };
    let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), 1_795_424_500);
    pipeline.handle_input(message).unwrap();
    for chunk in more {
        pipeline.handle_input(chunk).unwrap();
    }
    pipeline.handle_end();
    resolve(&mut pipeline, &zone).unwrap()
}
