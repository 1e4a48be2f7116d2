//! The example table of the workspace README ("Example messages"): what `tegami auth` reports
//! for each example message. Tests compare the pipeline (through the zone, a real DNS server,
//! the CLI and authheaders) with this table, so the README cannot drift from the code.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

/// The clock of the table: after every example's signature time.
pub(crate) const EXAMPLES_NOW: u64 = 1_795_426_000;
/// The receiver of the table.
pub(crate) const EXAMPLES_AUTHSERV_ID: &str = "mx.example.net";

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExampleRow {
    /// The message, in `examples/`.
    pub(crate) file: String,
    /// Flags after the message (`--trusted-forwarder D`).
    pub(crate) flags: Vec<String>,
    pub(crate) ip: String,
    pub(crate) helo: String,
    pub(crate) sender: String,
    pub(crate) verdicts: Verdicts,
}

impl ExampleRow {
    /// The domains of `--trusted-forwarder`.
    pub(crate) fn trusted_forwarders(&self) -> Vec<String> {
        self.flags
            .windows(2)
            .filter(|pair| pair[0] == "--trusted-forwarder")
            .map(|pair| pair[1].clone())
            .collect()
    }
}

/// The verdicts of one row, as words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdicts {
    pub(crate) spf: String,
    /// `(result, d=)` per DKIM-Signature, in the order of the message.
    pub(crate) dkim: Vec<(String, String)>,
    pub(crate) arc: String,
    pub(crate) dmarc: String,
    pub(crate) disposition: String,
}

/// The rows of the README's example table.
pub(crate) fn example_rows() -> Vec<ExampleRow> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("the workspace README");
    let mut lines = readme
        .lines()
        .skip_while(|line| !line.starts_with("| message | --ip |"));
    let header: Vec<&str> = cells(lines.next().expect("the example table's header"));
    assert_eq!(
        header,
        [
            "message",
            "--ip",
            "--helo",
            "--sender",
            "spf",
            "dkim",
            "arc",
            "dmarc",
            "disposition"
        ]
    );
    let rows: Vec<ExampleRow> = lines
        .skip(1)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells = cells(line);
            assert_eq!(cells.len(), header.len(), "{line}");
            let mut words = cells[0].split('`').map(str::trim).filter(|w| !w.is_empty());
            let file = words.next().unwrap().to_owned();
            let flags = words
                .flat_map(|w| w.split_whitespace().map(String::from).collect::<Vec<_>>())
                .collect();
            let dkim = cells[5]
                .split(", ")
                .map(|entry| {
                    let (result, domain) = entry
                        .split_once(" (")
                        .unwrap_or_else(|| panic!("dkim cell entry `{entry}`"));
                    (result.to_owned(), domain.trim_end_matches(')').to_owned())
                })
                .collect();
            ExampleRow {
                file,
                flags,
                ip: cells[1].to_owned(),
                helo: cells[2].to_owned(),
                sender: cells[3].to_owned(),
                verdicts: Verdicts {
                    spf: cells[4].to_owned(),
                    dkim,
                    arc: cells[6].to_owned(),
                    dmarc: cells[7].to_owned(),
                    disposition: cells[8].to_owned(),
                },
            }
        })
        .collect();
    assert!(
        rows.len() >= 6,
        "the README's example table has {} rows",
        rows.len()
    );
    rows
}

fn cells(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}
