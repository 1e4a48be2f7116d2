//! DKIM conformance: the Mail::DKIM verifier corpus and the RFC 8463 Appendix A vectors from
//! `../shared/conformance/dkim/`, loaded at test time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod dkimpy;
mod mail_dkim;
mod rfc8463;

use std::path::PathBuf;

use tegami_core::dns::{self, Record, TxtRecord, ZoneResolver};
use tegami_dkim::{Config, SignatureResult, Verifier};

/// A file of the DKIM conformance folder; a missing `../shared` fails loudly.
pub(crate) fn shared(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/dkim")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|error| {
        panic!(
            "conformance file {} is missing ({error}): ../shared must sit beside the project",
            full.display()
        )
    })
}

/// LF line ends become CRLF (the suites store some messages with LF, as their harnesses do).
pub(crate) fn crlf(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 40);
    let mut previous = 0;
    for &byte in message {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

/// A zone of `<name> <TXT text>` lines, the format of both suites' key files.
pub(crate) fn zone_of_lines(text: &str) -> ZoneResolver {
    let mut zone = ZoneResolver::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let (name, value) = line.split_once(char::is_whitespace).unwrap();
        let value = value.trim();
        if value == "NXDOMAIN" {
            continue;
        }
        if value.starts_with("~~") {
            zone.fail_temporarily(name, None);
            continue;
        }
        let value = if value == "\"\"" { "" } else { value };
        zone.insert(name, Record::Txt(TxtRecord::from_strings([value])));
    }
    zone
}

/// Verifies `message`, fed in chunks of `chunk` octets.
pub(crate) fn verify(
    message: &[u8],
    zone: &ZoneResolver,
    config: Config,
    now: u64,
    chunk: usize,
) -> Vec<SignatureResult> {
    let mut verifier = Verifier::new(config, now);
    for piece in message.chunks(chunk.max(1)) {
        verifier.handle_input(piece).unwrap();
    }
    verifier.handle_end();
    dns::resolve(&mut verifier, zone).unwrap()
}
