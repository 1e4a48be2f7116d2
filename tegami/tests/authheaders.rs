//! Interop with authheaders (Python; pyspf for SPF, dkimpy for DKIM and ARC, its own DMARC):
//! given the same messages and the same DNS data — an nsd serving the example zone, asked by
//! both sides — it reaches the same SPF, DKIM, ARC and DMARC results as the pipeline for
//! every example message of the README.
//!
//! authheaders runs from the virtualenv `scripts/interop-venv.sh` makes (with pyspf); nsd is
//! installed by `.ci/run`. A missing peer fails the test, saying which.
//!
//! Where the two may differ by design, the comparison says so and why:
//! - authheaders verifies only the first DKIM-Signature of a message (dkimpy's `DKIM.verify`
//!   takes index 0); the pipeline checks every one (RFC 6376 §6.1: a verifier may check
//!   several, and DMARC, RFC 9989 §4.4, passes with any aligned passing signature). Its one
//!   `dkim` result is compared with the pipeline's result for that same first signature.
//! - `policy.dmarc`: RFC 9989 §9.1 registers it as "the evaluated DMARC policy applied/to be
//!   applied after policy options have been processed", which the pipeline writes (`none` for
//!   a message that passed). authheaders writes the record's requested policy whatever the
//!   result, so for a passing message its value is compared with the record's `p`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::indexing_slicing
)]

mod common;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::readme::{EXAMPLES_NOW, example_rows};
use common::{example_path, nsd, run_example, table_verdicts};
use serde_json::{Value, json};
use tegami::core::dns::ZoneResolver;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The interpreter with authheaders and pyspf.
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("TEGAMI_INTEROP_PYTHON") {
        return PathBuf::from(path);
    }
    let output = Command::new("bash")
        .arg(root().join("scripts/interop-venv.sh"))
        .output()
        .unwrap_or_else(|error| {
            panic!("authheaders interop: cannot run scripts/interop-venv.sh: {error}")
        });
    assert!(
        output.status.success(),
        "authheaders interop: the peer virtualenv could not be made (PyPI unreachable?): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

#[test]
fn authheaders_reaches_the_same_results_for_every_example() {
    // authheaders has no trusted-forwarder setting: the rows with flags are the pipeline's own.
    let rows: Vec<_> = example_rows()
        .into_iter()
        .filter(|row| row.flags.is_empty())
        .collect();
    let server = nsd::start("authheaders");
    let cases: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "file": example_path(&row.file),
                "ip": row.ip,
                "helo": row.helo,
                "sender": row.sender,
            })
        })
        .collect();
    let mut child = Command::new(python())
        .arg(root().join("tegami/tests/interop/authheaders_peer.py"))
        .arg(server.server.port().to_string())
        .arg(EXAMPLES_NOW.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the authheaders peer starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "authheaders peer failed: {}\nnsd: {}",
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    let theirs: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(theirs.len(), rows.len());

    let zone = ZoneResolver::from_master_file(&server.zone_text).unwrap();
    for (row, theirs) in rows.iter().zip(&theirs) {
        let outcome = run_example(row, &zone);
        let ours = table_verdicts(&outcome);
        println!("{}: authheaders {}", row.file, theirs["field"]);
        let context = format!("{}: authheaders said {}", row.file, theirs["field"]);
        assert_eq!(theirs["spf"], ours.spf.as_str(), "spf, {context}");
        assert_eq!(theirs["arc"], ours.arc.as_str(), "arc, {context}");
        assert_eq!(theirs["dmarc"], ours.dmarc.as_str(), "dmarc, {context}");
        // Its one DKIM result is for the message's first signature.
        let first = &ours.dkim[0];
        assert_eq!(theirs["dkim"].as_array().unwrap().len(), 1, "{context}");
        assert_eq!(theirs["dkim"][0][0], first.0.as_str(), "dkim, {context}");
        assert_eq!(theirs["dkim"][0][1], first.1.as_str(), "dkim d=, {context}");
        // The policy applied to a failing message; the record's policy for a passing one.
        let policy = match ours.dmarc.as_str() {
            "fail" => Some(ours.disposition.as_str()),
            "pass" => outcome.dmarc.policy().map(tegami::dmarc::Policy::as_str),
            _ => None,
        };
        if let Some(policy) = policy {
            assert_eq!(theirs["dmarc_policy"], policy, "dmarc policy, {context}");
        }
    }
}
