//! DMARC evaluation (RFC 9989) on ready DNS answers: tegami beside mail-auth on the same
//! From domains, identifiers and records.
//!
//! Three messages: `aligned` (SPF and DKIM for the Author Domain itself: one policy query, no
//! walk), `relaxed` (a subdomain author with identifiers of sibling subdomains: policy
//! discovery and alignment by tree walks) and `spoof` (identifiers of another domain: a fail).
//! Both sides start from a parsed From field and finished SPF and DKIM results; every DNS
//! answer is ready in memory (our `ZoneResolver`, mail-auth's cache).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tegami_core::dns::{self, ZoneResolver};
use tegami_core::domain::Domain;
use tegami_dmarc::{Config, DmarcResult, Evaluation, Input};
use tegami_mime::Author;

const ZONE: &str =
    "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.com\"\n";

/// (name, From address, SPF-authenticated MAIL FROM domain, DKIM d=, expected result)
const CASES: [(&str, &str, &str, &str, DmarcResult); 3] = [
    (
        "aligned",
        "alice@example.com",
        "example.com",
        "example.com",
        DmarcResult::Pass,
    ),
    (
        "relaxed",
        "news@news.example.com",
        "bounce.example.com",
        "mail.example.com",
        DmarcResult::Pass,
    ),
    (
        "spoof",
        "ceo@example.com",
        "attacker.example",
        "attacker.example",
        DmarcResult::Fail,
    ),
];

/// The `_dmarc` names the walks of these cases ask that hold no record.
pub const EMPTY: [&str; 6] = [
    "com",
    "news.example.com",
    "bounce.example.com",
    "mail.example.com",
    "attacker.example",
    "example",
];

fn dmarc(c: &mut Criterion) {
    let zone = ZoneResolver::from_master_file(ZONE).unwrap();
    for (name, from, spf, dkim, expected) in CASES {
        let mut group = c.benchmark_group(format!("dmarc/{name}"));
        let message = format!("From: {from}\r\nSubject: s\r\n\r\n");
        let author = Author::from_message(message.as_bytes());
        let spf_domain = Domain::try_from(spf).unwrap();
        let dkim_domain = Domain::try_from(dkim).unwrap();
        let evaluate = |author: &Author| {
            let input = Input::from_author(author)
                .spf_pass(spf_domain.clone())
                .dkim_pass(dkim_domain.clone());
            dns::resolve(&mut Evaluation::new(input, Config::default()), &zone).unwrap()
        };
        assert_eq!(evaluate(&author).result, expected);
        group.bench_function("tegami", |b| b.iter(|| evaluate(black_box(&author))));
        group.bench_function("tegami+from", |b| {
            b.iter(|| evaluate(&Author::from_message(black_box(message.as_bytes()))));
        });
        #[cfg(feature = "peers")]
        peer::evaluate(&mut group, &message, spf, dkim, expected);
        group.finish();
    }
}

#[cfg(feature = "peers")]
mod peer {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use criterion::BenchmarkGroup;
    use criterion::measurement::WallTime;
    use mail_auth::dkim::Signature;
    use mail_auth::dmarc::DmarcRecord;
    use mail_auth::dmarc::verify::DmarcParameters;
    use mail_auth::dns::TxtRecordParser;
    use mail_auth::hickory_resolver::proto::op::ResponseCode;
    use mail_auth::{
        AuthenticatedMessage, DkimOutput, DkimResult, DnsError, Error, MessageAuthenticator,
        Parameters, ResolverCache, SpfOutput, SpfResult, TxtRecord,
    };
    use tegami_benches::mail_auth_cache::{Caches, ready};
    use tegami_dmarc::DmarcResult;

    const RECORD: &[u8] = b"v=DMARC1; p=reject; rua=mailto:d@example.com";

    pub(super) fn evaluate(
        group: &mut BenchmarkGroup<'_, WallTime>,
        message: &str,
        spf: &str,
        dkim: &str,
        expected: DmarcResult,
    ) {
        let authenticator = MessageAuthenticator::new_cloudflare().expect("resolver object");
        let caches = Caches::default();
        let later = Instant::now() + Duration::from_secs(86_400);
        caches.txt.insert(
            "_dmarc.example.com.".into(),
            TxtRecord::from(DmarcRecord::parse(RECORD).unwrap()),
            later,
        );
        for name in super::EMPTY {
            caches.txt.insert(
                format!("_dmarc.{name}.").into_boxed_str(),
                TxtRecord::Error(Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain))),
                later,
            );
        }
        let parsed = AuthenticatedMessage::parse(message.as_bytes()).expect("parses");
        let signature = Signature::parse(
            format!("v=1; a=rsa-sha256; d={dkim}; s=s; h=from; bh=AAAA; b=AAAA").as_bytes(),
        )
        .expect("signature parses");
        let dkim_output = [DkimOutput::from(DkimResult::Pass).with_signature(&signature)];
        let spf_output = SpfOutput::new(spf.to_owned()).with_result(SpfResult::Pass);
        let check = |message: &AuthenticatedMessage<'_>| {
            let parameters = DmarcParameters::new(message, &dkim_output, spf, &spf_output);
            ready(authenticator.verify_dmarc(Parameters::new(parameters).with_cache(&caches)))
        };
        let output = check(&parsed);
        let passed = output.dkim_result() == &mail_auth::DmarcResult::Pass
            || output.spf_result() == &mail_auth::DmarcResult::Pass;
        assert_eq!(passed, expected == DmarcResult::Pass, "{output:?}");
        group.bench_function("peer/mail-auth", |b| b.iter(|| check(black_box(&parsed))));
        // The same with the policy record parsed from its text on every message, as a cache
        // miss (and every sans-IO caller) has it.
        group.bench_function("peer/mail-auth+parse", |b| {
            b.iter(|| {
                caches.txt.insert(
                    "_dmarc.example.com.".into(),
                    TxtRecord::from(DmarcRecord::parse(black_box(RECORD)).unwrap()),
                    later,
                );
                check(black_box(&parsed))
            });
        });
    }
}

/// `dmarc/record`: parsing the policy record alone, the one text every evaluation reads.
fn record(c: &mut Criterion) {
    const TEXT: &[u8] = b"v=DMARC1; p=reject; rua=mailto:d@example.com";
    let mut group = c.benchmark_group("dmarc/record");
    group.bench_function("tegami", |b| {
        b.iter(|| tegami_dmarc::Record::parse(black_box(TEXT)).unwrap());
    });
    #[cfg(feature = "peers")]
    group.bench_function("peer/mail-auth", |b| {
        use mail_auth::dmarc::DmarcRecord as Dmarc;
        use mail_auth::dns::TxtRecordParser;
        b.iter(|| Dmarc::parse(black_box(TEXT)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, dmarc, record);
criterion_main!(benches);
