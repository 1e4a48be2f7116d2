//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use tegami_core::dns::{
    self, Answer, Query, QueryKind, Record as DnsRecord, Resolver, TxtRecord, ZoneResolver,
};
use tegami_core::domain::Domain;

use crate::psl::PublicSuffixList;
use crate::record::Record;
use crate::{ArcSeal, Config, Discovery, DmarcResult, Evaluation, Input, Policy};

/// Any TXT text is a DMARC record or not; a record's canonical text parses back to itself.
pub fn record(data: &[u8]) {
    if let Ok(record) = Record::parse(data) {
        let text = record.to_string();
        let again = Record::parse(text.as_bytes()).expect("canonical text is a DMARC record");
        assert_eq!(again.to_string(), text);
        assert_eq!(again.policy, record.policy);
        assert_eq!(again.psd, record.psd);
        let _ = record.effective_policies(false);
        let _ = crate::bimi::eligibility(&record);
    }
    let _ = crate::bimi::BimiRecord::parse(data);
    let _ = crate::bimi::BimiSelector::parse(data);
}

/// Counts the queries a machine makes.
struct Counting<'a> {
    zone: &'a ZoneResolver,
    txt: std::cell::Cell<usize>,
}

impl Resolver for Counting<'_> {
    fn lookup(&self, query: &Query) -> Answer {
        if query.kind == QueryKind::Txt {
            self.txt.set(self.txt.get() + 1);
        }
        self.zone.lookup(query)
    }
}

/// An evaluation against a fuzzed zone. The input's lines: a From field value, the SPF
/// domain, the DKIM domains (space-separated), then zone lines: `name text` for a TXT record,
/// `!name` for a name that fails temporarily, `#name` for a name with no records.
pub fn evaluation(data: &[u8]) {
    let mut lines = data.split(|&b| b == b'\n');
    let from = lines.next().unwrap_or_default();
    let spf = lines.next().unwrap_or_default();
    let dkim = lines.next().unwrap_or_default();
    let mut zone = ZoneResolver::default();
    for line in lines {
        let text = String::from_utf8_lossy(line);
        if let Some(name) = text.strip_prefix('!') {
            zone.fail_temporarily(name.trim(), None);
        } else if let Some(name) = text.strip_prefix('#') {
            zone.insert_name(name.trim());
        } else if let Some((name, txt)) = text.split_once(' ') {
            zone.insert(name, DnsRecord::Txt(TxtRecord::from_strings([txt])));
        }
    }
    let author = tegami_mime::Author::from_fields([(from, 0)]);
    let mut input = Input::from_author(&author);
    if let Ok(domain) = Domain::try_from(spf) {
        input = input.spf_pass(domain);
    }
    let mut starts = 1 + author.domains().len();
    for name in dkim.split(|&b| b == b' ') {
        if let Ok(domain) = Domain::try_from(name) {
            input = input.dkim_pass(domain);
            starts += 1;
        }
    }
    // The DKIM line read as a trusted forwarder's recorded results, too.
    let forwarder = Domain::try_from("fwd.example").expect("a domain");
    let seal = ArcSeal::from_results(forwarder.clone(), dkim);
    starts += seal.passed.len();
    let vouches = !seal.passed.is_empty();
    input = input.arc_pass(vec![seal]);
    for discovery in [
        Discovery::TreeWalk,
        Discovery::PublicSuffixList(PublicSuffixList::Bundled),
    ] {
        let counting = Counting {
            zone: &zone,
            txt: std::cell::Cell::new(0),
        };
        let config = Config {
            discovery,
            trusted_forwarders: vec![forwarder.clone()],
            ..Config::default()
        };
        let verdict = dns::resolve(&mut Evaluation::new(input.clone(), config), &counting)
            .expect("the evaluation keeps its contract");
        // Each walk asks at most eight names (RFC 9989 §4.10); walks share answers.
        assert!(
            counting.txt.get() <= 8 * starts,
            "{} TXT queries",
            counting.txt.get()
        );
        if verdict.result == DmarcResult::Pass {
            assert_eq!(verdict.disposition, Policy::None);
            assert!(
                verdict
                    .authors
                    .iter()
                    .all(|a| a.spf.is_aligned() || a.dkim.is_aligned())
            );
        }
        // The forwarder's override needs a recorded pass (RFC 8617 §7.2.1).
        let overridden = verdict.authors.iter().any(|a| {
            a.overrides
                .iter()
                .any(|o| matches!(o, crate::PolicyOverride::TrustedForwarder(_)))
        });
        assert!(vouches || !overridden);
        if verdict.result != DmarcResult::Fail && verdict.result != DmarcResult::PermError {
            assert_eq!(verdict.disposition, Policy::None);
        }
    }
}

/// Any bytes read as an aggregate report, or refused; a report read is written in both forms,
/// and writing what those read back gives the same text (writing is a fixed point after one
/// round).
pub fn aggregate_report(data: &[u8]) {
    use crate::report::{ReadLimits, ReportForm, parse_aggregate, parse_aggregate_with};

    let limits = ReadLimits {
        max_records: 64,
        max_depth: 16,
        max_problems: 64,
    };
    let Ok(parsed) = parse_aggregate_with(data, &limits) else {
        return;
    };
    for form in [ReportForm::Rfc9990, ReportForm::Rfc7489] {
        let xml = parsed.report.to_xml(form);
        let again = parse_aggregate(xml.as_bytes()).expect("a written report reads back");
        assert_eq!(again.form, form);
        assert_eq!(again.report.to_xml(form), xml, "writing is a fixed point");
    }
}

/// Any bytes unpacked as XML, gzip, zip or email within the limits; whatever comes out is
/// read as a report or refused.
pub fn unpack(data: &[u8]) {
    use crate::report::unpack::{UnpackLimits, unpack_with};

    let limits = UnpackLimits {
        max_size: 1 << 20,
        max_total: 2 << 20,
        max_reports: 8,
    };
    if let Ok(files) = unpack_with(data, &limits) {
        let total: usize = files.iter().map(|f| f.xml.len()).sum();
        assert!(total <= limits.max_total && files.len() <= limits.max_reports);
        for file in files {
            let _ = crate::report::parse_aggregate(&file.xml);
        }
    }
}

/// Any bytes read as a failure report, or refused; a report read is written, and writing
/// what that reads back gives the same message (a fixed point after one round).
pub fn failure_report(data: &[u8]) {
    use crate::report::failure::{Feedback, parse_failure_report};

    let _ = Feedback::parse(data);
    let Ok(parsed) = parse_failure_report(data) else {
        return;
    };
    let _ = parsed.report.feedback.arrival_time();
    let write = |report: &crate::report::failure::FailureReport| {
        report.to_message("a@b.example", "c@d.example", "<m@b.example>", 0)
    };
    let message = write(&parsed.report);
    let again = parse_failure_report(&message).expect("a written report reads back");
    let second = write(&again.report);
    let again = parse_failure_report(&second).expect("a written report reads back");
    assert_eq!(write(&again.report), second, "writing is a fixed point");
}
