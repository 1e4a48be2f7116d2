//! ARC conformance: the ValiMail suite from `../shared/conformance/arc/`, loaded at test time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod scenario;
mod signing;
mod validation;

use std::path::PathBuf;

/// A file of the ARC conformance folder; a missing `../shared` fails loudly.
pub(crate) fn shared(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/arc")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "conformance file {} is missing ({error}): ../shared must sit beside the project",
            full.display()
        )
    })
}

/// LF line ends become CRLF, as the suite's harness does.
pub(crate) fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// The suite's YAML with repeated test names made unique: four validation test names appear
/// twice in one scenario, which our YAML reader refuses. The second gets a `#2` suffix; the
/// suite's own harness reads scenarios into dictionaries, where the later one wins, so the
/// tests skip a name that has a `#2` twin (171 tests remain, as SOURCES.md counts).
pub(crate) fn unique_test_names(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len());
    let mut seen = std::collections::HashSet::new();
    for line in yaml.lines() {
        if line.starts_with("---") {
            seen.clear();
        }
        let is_test_name = line.starts_with("  ")
            && !line.starts_with("   ")
            && line.trim_end().ends_with(':')
            && line
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if is_test_name && !seen.insert(line.trim().to_owned()) {
            out.push_str(&format!("  {}#2:", line.trim().trim_end_matches(':')));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
