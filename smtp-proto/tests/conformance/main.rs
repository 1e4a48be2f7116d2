//! SMTP conformance: the OpenSMTPD regression scenarios and the Apache James transcripts from
//! `../shared/conformance/smtp/`, run through interpreters of their script formats against the
//! server session, with a client written here that speaks bytes to it in memory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::string_slice
)]

mod harness;
mod james;
mod opensmtpd;

use std::path::PathBuf;

/// A file of the SMTP conformance folder; a missing `../shared` fails loudly.
pub(crate) fn shared(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/smtp")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "conformance file {} is missing ({error}): ../shared must sit beside the project",
            full.display()
        )
    })
}
