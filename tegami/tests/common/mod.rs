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

pub(crate) mod nsd;
pub(crate) mod readme;

use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::dns::{self, Resolver};

/// The verdicts of an outcome in the words of the README's example table.
pub(crate) fn table_verdicts(outcome: &Outcome) -> readme::Verdicts {
    readme::Verdicts {
        spf: outcome
            .spf
            .as_ref()
            .map(|s| s.result.as_str().to_owned())
            .unwrap_or_default(),
        dkim: outcome
            .dkim
            .iter()
            .map(|d| (d.result.as_str().to_owned(), d.domain.clone()))
            .collect(),
        arc: outcome
            .arc
            .as_ref()
            .map(|a| a.status.as_str().to_owned())
            .unwrap_or_default(),
        dmarc: outcome.dmarc.result.as_str().to_owned(),
        disposition: outcome.dmarc.disposition.as_str().to_owned(),
    }
}

/// Runs the pipeline over one row of the README's example table.
pub(crate) fn run_example(row: &readme::ExampleRow, resolver: &impl Resolver) -> Outcome {
    let connection = Connection {
        ip: row.ip.parse().unwrap(),
        helo: row.helo.clone(),
        mail_from: row.sender.clone(),
    };
    let mut config = Config::new(readme::EXAMPLES_AUTHSERV_ID);
    for domain in row.trusted_forwarders() {
        config
            .dmarc
            .trusted_forwarders
            .push(domain.parse().unwrap());
    }
    let mut authenticator = Authenticator::new(connection, config, readme::EXAMPLES_NOW);
    authenticator.handle_input(&example(&row.file)).unwrap();
    authenticator.handle_end();
    dns::resolve(&mut authenticator, resolver).unwrap()
}
