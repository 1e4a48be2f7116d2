//! `tegami smtp serve` as a child process for the SMTP tests, and reading what it stored.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh scratch folder for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tegami-smtp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A child process killed when dropped, with the port it printed as `listening on ...:PORT`.
pub(crate) struct Peer {
    pub(crate) child: Child,
    pub(crate) port: u16,
    /// Kept open: a peer that writes to a closed pipe may die of it.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Peer {
    pub(crate) fn start(mut command: Command) -> Peer {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .rsplit([':', ' '])
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Peer {
            child,
            port,
            _stdout: stdout,
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `tegami` binary under test.
pub(crate) fn tegami() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tegami"))
}

/// A stored message without the Authentication-Results field the server put in front: what
/// the client sent. Asserts that the field is there.
pub(crate) fn without_results(stored: &[u8]) -> Vec<u8> {
    assert!(
        stored.starts_with(b"Authentication-Results: mx.test;"),
        "no Authentication-Results in front"
    );
    let mut end = 0;
    while let Some(offset) = stored[end..].windows(2).position(|pair| pair == b"\r\n") {
        end += offset + 2;
        if !matches!(stored.get(end), Some(b' ' | b'\t')) {
            break;
        }
    }
    stored[end..].to_vec()
}

/// `tegami smtp serve` on the example zone (offline DNS, so authentication is quick and the
/// same everywhere).
pub(crate) fn serve(dir: &Path, extra: &[&str]) -> Peer {
    let mut command = tegami();
    command
        .arg("--zone")
        .arg(root().join("examples/example.com.zone"));
    command
        .args([
            "smtp",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--hostname",
            "mx.test",
            "--out",
        ])
        .arg(dir.join("maildir"))
        .args(extra);
    Peer::start(command)
}
