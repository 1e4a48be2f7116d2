//! DNS answers as hostile input (SECURITY.md, denial of service and hostile DNS): oversized TXT
//! records, many records, NUL and control bytes inside records, and the errors a resolver
//! reports for CNAME loops. The pipeline runs to its end on each, with the RFCs' results and
//! no panic; the answers' size bounds the work.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::example;
use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::dns::{
    Answer, DnsError, Query, QueryKind, Record, Resolver, TxtRecord, ZoneResolver, resolve,
};

const NOW: u64 = 1_795_424_500;

/// The example zone with some answers replaced.
struct Hostile {
    zone: ZoneResolver,
    replaced: Vec<(&'static str, QueryKind, Answer)>,
}

impl Resolver for Hostile {
    fn lookup(&self, query: &Query) -> Answer {
        for (name, kind, answer) in &self.replaced {
            if query.name.eq_ignore_ascii_case(name) && query.kind == *kind {
                return answer.clone();
            }
        }
        self.zone.lookup(query)
    }
}

fn txt(strings: &[&[u8]]) -> Record {
    Record::Txt(TxtRecord::from_strings(strings.iter().copied()))
}

/// Runs the pipeline on the signed example with some answers replaced.
fn run(replaced: Vec<(&'static str, QueryKind, Answer)>) -> Outcome {
    let zone =
        ZoneResolver::from_master_file(&String::from_utf8(example("example.com.zone")).unwrap())
            .unwrap();
    let resolver = Hostile { zone, replaced };
    let connection = Connection {
        ip: "192.0.2.25".parse().unwrap(),
        helo: "mail.example.com".into(),
        mail_from: "alice@example.com".into(),
    };
    let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), NOW);
    let message = example("signed.eml");
    // Feed the whole message up front, then drive to the end.
    pipeline.handle_input(&message).unwrap();
    pipeline.handle_end();
    resolve(&mut pipeline, &resolver).unwrap()
}

fn dkim_results(outcome: &Outcome) -> Vec<&'static str> {
    outcome.dkim.iter().map(|d| d.result.as_str()).collect()
}

#[test]
fn oversized_txt_records() {
    // A 1 MiB SPF record of 4,000-octet strings: read, found to ask for too many lookups.
    let chunk = "a:x.example.com ".repeat(250);
    let strings: Vec<Vec<u8>> = std::iter::once(b"v=spf1 ".to_vec())
        .chain((0..262).map(|_| chunk.as_bytes().to_vec()))
        .collect();
    let huge = Record::Txt(TxtRecord::new(strings));
    let outcome = run(vec![("example.com", QueryKind::Txt, Ok(vec![huge]))]);
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "permerror");
    // DKIM still carries DMARC.
    assert_eq!(outcome.dmarc.result.as_str(), "pass");

    // A 1 MiB DKIM key record: the key does not parse; that signature fails, the other passes.
    let key = [b"v=DKIM1; k=ed25519; p=".to_vec(), vec![b'A'; 1 << 20]].concat();
    let outcome = run(vec![(
        "ed2026._domainkey.example.com",
        QueryKind::Txt,
        Ok(vec![Record::Txt(TxtRecord::new(vec![key]))]),
    )]);
    let results = dkim_results(&outcome);
    assert!(results.contains(&"pass"), "{results:?}");
    assert!(
        results.iter().any(|r| *r == "permerror" || *r == "fail"),
        "{results:?}"
    );
}

#[test]
fn many_records() {
    // 2,000 SPF records: more than one is a permerror (RFC 7208 §4.5).
    let records: Vec<Record> = (0..2_000).map(|_| txt(&[b"v=spf1 -all"])).collect();
    let outcome = run(vec![("example.com", QueryKind::Txt, Ok(records))]);
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "permerror");
    // 2,000 DMARC records: none applies (RFC 9989 §4.10.1 takes exactly one).
    let records: Vec<Record> = (0..2_000).map(|_| txt(&[b"v=DMARC1; p=none"])).collect();
    let outcome = run(vec![("_dmarc.example.com", QueryKind::Txt, Ok(records))]);
    assert_ne!(outcome.dmarc.disposition.as_str(), "reject");
    // 2,000 unrelated TXT records beside the real SPF record: ignored.
    let mut records: Vec<Record> = (0..2_000)
        .map(|i| txt(&[format!("site-verification={i}").as_bytes()]))
        .collect();
    records.push(txt(&[b"v=spf1 ip4:192.0.2.0/24 -all"]));
    let outcome = run(vec![("example.com", QueryKind::Txt, Ok(records))]);
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "pass");
}

#[test]
fn nul_and_control_bytes_in_records() {
    let outcome = run(vec![
        (
            "example.com",
            QueryKind::Txt,
            Ok(vec![txt(&[b"v=spf1 ip4:192.0.2.0/24\0 -all"])]),
        ),
        (
            "_dmarc.example.com",
            QueryKind::Txt,
            Ok(vec![txt(&[b"v=DMARC1; p=rej\x01ect\x1b[2J"])]),
        ),
        (
            "ed2026._domainkey.example.com",
            QueryKind::Txt,
            Ok(vec![txt(&[
                b"v=DKIM1; k=ed25519\0; p=UrUk5IiytEcbFCnC+JXP6FbAPs2EfMx+tEAFqeCW2t0=",
            ])]),
        ),
    ]);
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "permerror");
    let field = outcome.field();
    // Nothing of the hostile bytes reaches the header field.
    assert!(
        field
            .bytes()
            .all(|b| b == b'\r' || b == b'\n' || b == b'\t' || (0x20..0x7f).contains(&b)),
        "{field:?}"
    );
}

#[test]
fn resolver_errors_for_cname_loops_are_temporary_failures() {
    // A resolver that meets a CNAME loop reports a failure (SERVFAIL); the protocols make it a
    // temperror and DMARC does not reject on it.
    let outcome = run(vec![
        ("example.com", QueryKind::Txt, Err(DnsError::Temporary)),
        (
            "ed2026._domainkey.example.com",
            QueryKind::Txt,
            Err(DnsError::Temporary),
        ),
        (
            "rsa2026._domainkey.example.com",
            QueryKind::Txt,
            Err(DnsError::Temporary),
        ),
    ]);
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "temperror");
    assert!(
        dkim_results(&outcome).iter().all(|r| *r == "temperror"),
        "{:?}",
        dkim_results(&outcome)
    );
    // RFC 9989 §5.3.6: the message can be said neither to pass nor to fail.
    assert_eq!(outcome.dmarc.result.as_str(), "temperror");
    assert_eq!(outcome.dmarc.disposition.as_str(), "none");
    // (That a failing lookup for a domain that could not align changes nothing is shown in
    // the documentation of `tegami_dmarc::Input::spf_temperror`.)
}
