//! `spf/*`: `check_host()` with every answer ready (nothing cached between iterations).
//!
//! Rows: `floor/parse-records` (parsing each record once, the least any evaluator must do),
//! `tegami/evaluate`, and with `--features peers` `peer/mail-auth` (its SPF check with the
//! same records put in a fresh cache each iteration, parsed there as it would parse them).

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a bench without its fixture must stop loudly"
)]

use std::hint::black_box;
use std::net::IpAddr;

use criterion::{Criterion, criterion_group, criterion_main};
use tegami_core::dns::{self, QueryKind, Record as DnsRecord, Resolver, ZoneResolver};
use tegami_spf::{Evaluation, Record, SpfResult};

struct Case {
    name: &'static str,
    zone_file: &'static str,
    ip: &'static str,
    sender: &'static str,
    expected: SpfResult,
}

const CASES: [Case; 2] = [
    Case {
        name: "five_includes",
        zone_file: "spf_includes.zone",
        ip: "198.51.100.77",
        sender: "joe@example.com",
        expected: SpfResult::Pass,
    },
    Case {
        name: "small_ip4",
        zone_file: "spf_ip4.zone",
        ip: "192.0.2.10",
        sender: "joe@example.org",
        expected: SpfResult::Pass,
    },
];

/// The zone and its SPF records as (owner, text).
fn load(file: &str) -> (ZoneResolver, Vec<(String, String)>) {
    let path = format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("bench fixture {path}: {error}"));
    let zone = ZoneResolver::from_master_file(&text).expect("fixture zone parses");
    let owners: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with(';') && !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .map(|owner| owner.trim_end_matches('.').to_owned())
        .collect();
    let records = owners
        .into_iter()
        .filter_map(|owner| match zone.lookup_name(&owner, QueryKind::Txt) {
            Ok(records) => records.into_iter().find_map(|record| match record {
                DnsRecord::Txt(txt) => {
                    Some((owner.clone(), String::from_utf8(txt.concatenated()).ok()?))
                }
                _ => None,
            }),
            Err(_) => None,
        })
        .collect();
    (zone, records)
}

fn spf(c: &mut Criterion) {
    for case in &CASES {
        let (zone, records) = load(case.zone_file);
        let ip: IpAddr = case.ip.parse().expect("ip");
        let mut group = c.benchmark_group(format!("spf/{}", case.name));
        group.bench_function("floor/parse-records", |b| {
            b.iter(|| {
                records
                    .iter()
                    .filter(|(_, text)| Record::parse(black_box(text)).is_ok())
                    .count()
            });
        });
        let check = |zone: &ZoneResolver| {
            let mut evaluation = Evaluation::new(ip, "mx.example.org", case.sender);
            dns::resolve(&mut evaluation, zone).expect("runs").result
        };
        assert_eq!(check(&zone), case.expected);
        group.bench_function("tegami/evaluate", |b| b.iter(|| check(black_box(&zone))));
        #[cfg(feature = "peers")]
        peer::bench(&mut group, &records, ip, case.sender, case.expected);
        group.finish();
    }
}

#[cfg(feature = "peers")]
mod peer {
    use std::hint::black_box;
    use std::net::IpAddr;
    use std::time::{Duration, Instant};

    use criterion::BenchmarkGroup;
    use criterion::measurement::WallTime;
    use mail_auth::dns::TxtRecordParser;
    use mail_auth::spf::SpfRecord;
    use mail_auth::spf::verify::SpfParameters;
    use mail_auth::{MessageAuthenticator, Parameters, ResolverCache, TxtRecord};
    use tegami_benches::mail_auth_cache::{Caches, ready};
    use tegami_spf::SpfResult;

    pub(super) fn bench(
        group: &mut BenchmarkGroup<'_, WallTime>,
        records: &[(String, String)],
        ip: IpAddr,
        sender: &str,
        expected: SpfResult,
    ) {
        let authenticator = MessageAuthenticator::new_cloudflare().expect("resolver object");
        let valid_until = Instant::now() + Duration::from_secs(86_400);
        let check = || {
            let caches = Caches::default();
            for (owner, text) in records {
                caches.txt.insert(
                    format!("{owner}.").into_boxed_str(),
                    TxtRecord::from(SpfRecord::parse(text.as_bytes())),
                    valid_until,
                );
            }
            let parameters =
                SpfParameters::mail_from(ip, "mx.example.org", "mx.example.org", sender);
            ready(authenticator.check_host(Parameters::new(parameters).with_cache(&caches)))
                .result()
        };
        assert_eq!(format!("{:?}", check()).to_lowercase(), expected.as_str());
        group.bench_function("peer/mail-auth", |b| b.iter(|| black_box(check())));
    }
}

criterion_group!(benches, spf);
criterion_main!(benches);
