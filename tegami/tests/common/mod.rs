//! Helpers shared by the facade's integration tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

/// The path of a file in the workspace's `examples/`.
pub(crate) fn example_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

/// A file of `examples/` with CRLF line ends: the examples are stored with LF, SMTP carries CRLF.
pub(crate) fn example(name: &str) -> Vec<u8> {
    let bytes = std::fs::read(example_path(name)).unwrap();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
    let mut previous = 0;
    for &b in &bytes {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}
