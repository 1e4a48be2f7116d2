//! Aggregate report reading (RFC 9990): `parse_aggregate` on a large generated report, beside
//! the floor of walking the same bytes with quick-xml's event reader without building anything
//! (the reader `parse_aggregate` itself is built on). Throughput in bytes (MB/s) and in
//! records (records/s), one group each, measured in the same run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quick_xml::Reader;
use quick_xml::events::Event;
use tegami_dkim::DkimResult;
use tegami_dmarc::report::{
    AggregateReport, AlignmentResult, Disposition, DkimAuthResult, ReportForm, ReportRecord,
    SpfAuthResult, SpfScope, parse_aggregate,
};
use tegami_spf::SpfResult;

const RECORDS: usize = 20_000;

/// A report of `RECORDS` records in the shape large receivers send: one DKIM and one SPF
/// result each, a mix of passes and failures.
fn large_report() -> String {
    let mut report = AggregateReport::default();
    report.version = Some("1.0".into());
    report.metadata.org_name = "Large Receiver".into();
    report.metadata.email = "dmarc-reports@receiver.example".into();
    report.metadata.report_id = "7f8c2b1e-5d4a-4c1b-9a55-0d3b6e2f9c11".into();
    report.metadata.begin = 1_763_856_000;
    report.metadata.end = 1_763_942_399;
    report.policy.domain = "example.com".into();
    report.policy.p = Some(tegami_dmarc::Policy::Reject);
    for index in 0..RECORDS {
        let pass = index % 5 != 0;
        let mut record = ReportRecord::default();
        record.row.source_ip = Some(std::net::IpAddr::from([
            198,
            51,
            (index / 250) as u8,
            (index % 250) as u8,
        ]));
        record.row.count = 1 + (index as u64 % 37);
        let aligned = if pass {
            AlignmentResult::Pass
        } else {
            AlignmentResult::Fail
        };
        record.row.policy_evaluated.disposition = Some(if pass {
            Disposition::None
        } else {
            Disposition::Reject
        });
        record.row.policy_evaluated.dkim = Some(aligned);
        record.row.policy_evaluated.spf = Some(aligned);
        record.identifiers.header_from = "example.com".into();
        record.identifiers.envelope_from = Some(format!("bounce{}.example.com", index % 9));
        record.auth_results.dkim.push(DkimAuthResult {
            domain: "example.com".into(),
            selector: Some("s2026".into()),
            result: Some(if pass {
                DkimResult::Pass
            } else {
                DkimResult::Fail
            }),
            human_result: None,
        });
        record.auth_results.spf.push(SpfAuthResult {
            domain: format!("bounce{}.example.com", index % 9),
            scope: Some(SpfScope::MailFrom),
            result: Some(if pass {
                SpfResult::Pass
            } else {
                SpfResult::SoftFail
            }),
            human_result: None,
        });
        report.records.push(record);
    }
    report.to_xml(ReportForm::Rfc9990)
}

/// The floor: every event of the document, nothing kept.
fn quick_xml_events(xml: &[u8]) -> usize {
    let mut reader = Reader::from_reader(xml);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return events,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
            Err(_) => return 0,
        }
    }
}

fn report_parse(c: &mut Criterion) {
    let xml = large_report();
    let bytes = xml.as_bytes();
    let parsed = parse_aggregate(bytes).unwrap();
    assert!(quick_xml_events(bytes) > RECORDS * 30);
    assert_eq!(parsed.report.records.len(), RECORDS);
    assert!(parsed.problems.is_empty());

    let mut group = c.benchmark_group("aggregate_report_bytes");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("floor/quick_xml_events", |b| {
        b.iter(|| quick_xml_events(black_box(bytes)));
    });
    group.bench_function("tegami/parse_aggregate", |b| {
        b.iter(|| parse_aggregate(black_box(bytes)).unwrap());
    });
    group.finish();

    let mut group = c.benchmark_group("aggregate_report_records");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("floor/quick_xml_events", |b| {
        b.iter(|| quick_xml_events(black_box(bytes)));
    });
    group.bench_function("tegami/parse_aggregate", |b| {
        b.iter(|| parse_aggregate(black_box(bytes)).unwrap());
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = report_parse
}
criterion_main!(benches);
