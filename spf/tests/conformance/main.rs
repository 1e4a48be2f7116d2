//! SPF conformance: the RFC 7208 suite and the mail-auth suite from `../shared/conformance/spf/`,
//! loaded at test time and run case by case through `ZoneResolver`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod mail_auth_suite;
mod rfc7208_suite;

use std::net::IpAddr;
use std::path::PathBuf;

use tegami_core::dns::{self, Answer, Query, Resolver, ZoneResolver};
use tegami_spf::{Config, Evaluation, Verdict};

/// The conformance folder; a missing `../shared` fails loudly.
pub(crate) fn shared(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/spf")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "conformance file {} is missing ({error}): ../shared must sit beside the project",
            full.display()
        )
    })
}

/// The zone of one scenario, with the reference harness's two extra rules: a name with a label
/// over 63 octets, and an absent name under `error.`, fail temporarily.
pub(crate) struct SuiteResolver(pub(crate) ZoneResolver);

impl Resolver for SuiteResolver {
    fn lookup(&self, query: &Query) -> Answer {
        let name = query.name.to_ascii_lowercase();
        if name.split('.').any(|label| label.len() > 63) {
            return Err(dns::DnsError::Temporary);
        }
        let answer = self.0.lookup(query);
        if (name == "error" || name.ends_with(".error")) && answer == Err(dns::DnsError::NxDomain) {
            return Err(dns::DnsError::Temporary);
        }
        answer
    }
}

/// Runs one evaluation to its verdict.
pub(crate) fn evaluate(
    resolver: &impl Resolver,
    ip: &str,
    helo: &str,
    sender: &str,
    receiver: Option<&str>,
) -> Verdict {
    let ip: IpAddr = ip.parse().unwrap_or_else(|_| panic!("test IP {ip}"));
    let mut config = Config::default();
    config.receiver = receiver.map(str::to_owned);
    let mut evaluation = Evaluation::with_config(ip, helo, sender, config);
    dns::resolve(&mut evaluation, resolver).expect("the machine keeps its contract")
}

/// Prints the tally and fails with every failing case listed.
pub(crate) fn report(suite: &str, passed: usize, failures: &[String]) {
    println!("{suite}: {passed} passed, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{suite}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
