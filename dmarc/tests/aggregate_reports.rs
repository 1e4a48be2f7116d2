//! Aggregate reports (RFC 9990) against `../shared/conformance/dmarc/aggregate/`: every sample
//! unpacks and parses (XML, gzip, zip and report emails, sloppy ones included), `empty.xml` is
//! refused, and the samples that come with an expected parse (`mail-auth/*.json`) match it
//! field by field. Then write → parse is the identity in both forms, over generated reports.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::field_reassign_with_default,
    clippy::cast_possible_truncation
)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value;
use tegami_dkim::DkimResult;
use tegami_dmarc::report::unpack::unpack;
use tegami_dmarc::report::{
    AggregateReport, AlignmentResult, DiscoveryMethod, Disposition, DkimAuthResult, Extension,
    OverrideReason, OverrideType, ParsedReport, ReportForm, ReportRecord, SpfAuthResult, SpfScope,
    parse_aggregate,
};
use tegami_dmarc::{AlignmentMode, Policy};
use tegami_spf::SpfResult;

fn corpus() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/dmarc/aggregate");
    assert!(
        dir.is_dir(),
        "conformance folder {} is missing: ../shared must sit beside the project",
        dir.display()
    );
    dir
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_none_or(|e| e != "json") {
            out.push(path);
        }
    }
}

/// Unpacks and parses one sample: the reports it holds.
fn read(path: &Path) -> Vec<ParsedReport> {
    let data = std::fs::read(path).unwrap();
    let unpacked = unpack(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    unpacked
        .iter()
        .map(|file| {
            parse_aggregate(&file.xml).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect()
}

#[test]
fn every_sample_parses() {
    let mut paths = Vec::new();
    files(&corpus(), &mut paths);
    paths.sort();
    let mut reports = 0;
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "empty.xml" {
            let data = std::fs::read(path).unwrap();
            assert!(unpack(&data).is_err(), "empty.xml must be refused");
            continue;
        }
        let parsed = read(path);
        assert!(!parsed.is_empty(), "{}: no report", path.display());
        for report in &parsed {
            assert!(
                !report.report.records.is_empty(),
                "{}: no records",
                path.display()
            );
            println!(
                "{name}: {} records, {} problems {:?}",
                report.report.records.len(),
                report.problems.len(),
                report
                    .problems
                    .iter()
                    .take(3)
                    .map(|p| p.kind.to_string())
                    .collect::<Vec<_>>()
            );
        }
        reports += parsed.len();
    }
    assert_eq!(paths.len(), 44, "samples found");
    assert_eq!(reports, 43, "reports read");
}

#[test]
fn sloppy_samples_say_what_was_wrong() {
    let dir = corpus();
    let problems = |path: &str| -> Vec<String> {
        read(&dir.join(path))[0]
            .problems
            .iter()
            .map(|p| p.kind.to_string())
            .collect()
    };
    let invalid_xml = problems("parsedmarc/aggregate/invalid_xml.xml");
    assert!(
        invalid_xml.iter().any(|p| p.contains("kept as text")),
        "{invalid_xml:?}"
    );
    let report = &read(&dir.join("parsedmarc/aggregate/invalid_xml.xml"))[0].report;
    assert_eq!(report.metadata.email, "<bad-xml@bad-xml.net>");
    assert!(
        report.records[0]
            .identifiers
            .header_from
            .starts_with("bad<xml.net")
    );
    let utf8 = problems("parsedmarc/aggregate/invalid_utf_8.xml");
    assert!(utf8.iter().any(|p| p.contains("UTF-8")), "{utf8:?}");
    let bad = problems("opendmarc/bad.com!example.com!1337140800!1337227200.xml");
    assert!(bad.iter().any(|p| p.contains("source_ip")), "{bad:?}");
    assert!(bad.iter().any(|p| p.contains("windows-1252")), "{bad:?}");
    // "Pass" in capitals is read as pass.
    let upper = read(&dir.join("parsedmarc/aggregate_invalid/report_with_upper_cased_pass.xml"));
    let record = &upper[0].report.records[0];
    assert!(
        record.row.policy_evaluated.dkim.is_some() || record.row.policy_evaluated.spf.is_some()
    );
    // The three forms of one report read the same.
    let xml = read(&dir.join("parsedmarc/extract_report/nice-input.xml"));
    let gz = read(&dir.join("parsedmarc/extract_report/nice-input.xml.gz"));
    let zip = read(&dir.join("parsedmarc/extract_report/nice-input.xml.zip"));
    assert_eq!(xml[0].report, gz[0].report);
    assert_eq!(xml[0].report, zip[0].report);
}

#[test]
fn rfc9990_samples_are_read_as_such() {
    let dir = corpus();
    for path in [
        "mail-auth/004.xml",
        "parsedmarc/aggregate/rfc9990-sample.xml",
    ] {
        let parsed = &read(&dir.join(path))[0];
        assert_eq!(parsed.form, ReportForm::Rfc9990, "{path}");
        assert!(parsed.problems.is_empty(), "{path}: {:?}", parsed.problems);
        let policy = &parsed.report.policy;
        assert_eq!(policy.discovery_method, Some(DiscoveryMethod::TreeWalk));
        assert_eq!(policy.np, Some(Policy::None));
        assert_eq!(policy.testing, Some(false));
        let generator = parsed.report.metadata.generator.as_deref();
        assert_eq!(generator, Some("Example DMARC Aggregate Reporter v1.2"));
    }
    let legacy = &read(&dir.join("mail-auth/005.xml"))[0];
    assert_eq!(legacy.form, ReportForm::Rfc7489);
    assert_eq!(legacy.report.policy.pct, Some(100));
}

// ---- the expected parses of mail-auth ----

fn json_str(value: &Value) -> Option<&str> {
    value.as_str()
}

/// The JSON model's enum word for an optional value ("Unspecified" when absent).
fn word<T>(value: Option<T>, name: impl Fn(T) -> &'static str) -> &'static str {
    value.map_or("Unspecified", name)
}

fn policy_word(p: Policy) -> &'static str {
    match p {
        Policy::None => "None",
        Policy::Quarantine => "Quarantine",
        Policy::Reject => "Reject",
    }
}

fn check_optional_policy(field: &str, ours: Option<Policy>, theirs: &Value) {
    if theirs.is_null() {
        return; // The JSON model leaves the key out for reports without it.
    }
    assert_eq!(word(ours, policy_word), theirs.as_str().unwrap(), "{field}");
}

fn alignment_word(mode: AlignmentMode) -> &'static str {
    match mode {
        AlignmentMode::Relaxed => "Relaxed",
        AlignmentMode::Strict => "Strict",
    }
}

fn pass_fail(result: AlignmentResult) -> &'static str {
    match result {
        AlignmentResult::Pass => "Pass",
        AlignmentResult::Fail => "Fail",
    }
}

fn disposition_word(d: Disposition) -> &'static str {
    match d {
        Disposition::None => "None",
        Disposition::Pass => "Pass",
        Disposition::Quarantine => "Quarantine",
        Disposition::Reject => "Reject",
    }
}

/// The JSON model has no words for RFC 7489's `forwarded` and `sampled_out` and files them
/// under `Other`; we keep them.
fn override_word(kind: OverrideType) -> &'static str {
    match kind {
        OverrideType::LocalPolicy => "LocalPolicy",
        OverrideType::MailingList => "MailingList",
        OverrideType::Other | OverrideType::Forwarded | OverrideType::SampledOut => "Other",
        OverrideType::PolicyTestMode => "PolicyTestMode",
        OverrideType::TrustedForwarder => "TrustedForwarder",
    }
}

fn dkim_word(result: DkimResult) -> &'static str {
    match result {
        DkimResult::None => "None",
        DkimResult::Pass => "Pass",
        DkimResult::Fail => "Fail",
        DkimResult::Policy => "Policy",
        DkimResult::Neutral => "Neutral",
        DkimResult::TempError => "TempError",
        DkimResult::PermError => "PermError",
    }
}

fn spf_word(result: SpfResult) -> &'static str {
    match result {
        SpfResult::None => "None",
        SpfResult::Neutral => "Neutral",
        SpfResult::Pass => "Pass",
        SpfResult::Fail => "Fail",
        SpfResult::SoftFail => "SoftFail",
        SpfResult::TempError => "TempError",
        SpfResult::PermError => "PermError",
    }
}

fn check_extensions(ours: &[Extension], theirs: &Value) {
    let theirs = theirs.as_array().map(Vec::as_slice).unwrap_or_default();
    assert_eq!(ours.len(), theirs.len(), "extensions");
    for (ours, theirs) in ours.iter().zip(theirs) {
        assert_eq!(ours.name, theirs["name"].as_str().unwrap());
        assert_eq!(ours.definition.as_deref(), json_str(&theirs["definition"]));
    }
}

fn check_record(index: usize, ours: &ReportRecord, theirs: &Value) {
    let at = |field: &str| format!("record {index}: {field}");
    let row = &theirs["row"];
    let ip = ours.row.source_ip.map(|ip| ip.to_string());
    assert_eq!(
        ip.as_deref(),
        row["source_ip"].as_str(),
        "{}",
        at("source_ip")
    );
    assert_eq!(
        ours.row.count,
        row["count"].as_u64().unwrap(),
        "{}",
        at("count")
    );
    let evaluated = &row["policy_evaluated"];
    let ev = &ours.row.policy_evaluated;
    assert_eq!(
        word(ev.disposition, disposition_word),
        evaluated["disposition"],
        "{}",
        at("disposition")
    );
    assert_eq!(
        word(ev.dkim, pass_fail),
        evaluated["dkim"],
        "{}",
        at("dkim")
    );
    assert_eq!(word(ev.spf, pass_fail), evaluated["spf"], "{}", at("spf"));
    let reasons = evaluated["reason"].as_array().unwrap();
    assert_eq!(ev.reasons.len(), reasons.len(), "{}", at("reasons"));
    for (OverrideReason { kind, comment }, theirs) in ev.reasons.iter().zip(reasons) {
        assert_eq!(
            word(*kind, override_word),
            theirs["type_"],
            "{}",
            at("reason")
        );
        assert_eq!(
            comment.as_deref(),
            json_str(&theirs["comment"]),
            "{}",
            at("comment")
        );
    }
    let identifiers = &theirs["identifiers"];
    let ids = &ours.identifiers;
    assert_eq!(
        ids.header_from,
        identifiers["header_from"],
        "{}",
        at("header_from")
    );
    // The JSON model writes an absent envelope_from as "".
    let envelope_from = ids.envelope_from.as_deref().unwrap_or("");
    assert_eq!(
        envelope_from,
        identifiers["envelope_from"],
        "{}",
        at("envelope_from")
    );
    assert_eq!(
        ids.envelope_to.as_deref(),
        json_str(&identifiers["envelope_to"]),
        "{}",
        at("envelope_to")
    );
    let auth = &theirs["auth_results"];
    let dkim = auth["dkim"].as_array().unwrap();
    assert_eq!(
        ours.auth_results.dkim.len(),
        dkim.len(),
        "{}",
        at("dkim results")
    );
    for (
        DkimAuthResult {
            domain,
            selector,
            result,
            human_result,
        },
        theirs,
    ) in ours.auth_results.dkim.iter().zip(dkim)
    {
        assert_eq!(
            domain,
            theirs["domain"].as_str().unwrap(),
            "{}",
            at("dkim domain")
        );
        assert_eq!(
            selector.as_deref().unwrap_or(""),
            theirs["selector"].as_str().unwrap_or("")
        );
        assert_eq!(
            word(*result, dkim_word),
            theirs["result"],
            "{}",
            at("dkim result")
        );
        assert_eq!(human_result.as_deref(), json_str(&theirs["human_result"]));
    }
    let spf = auth["spf"].as_array().unwrap();
    assert_eq!(
        ours.auth_results.spf.len(),
        spf.len(),
        "{}",
        at("spf results")
    );
    for (
        SpfAuthResult {
            domain,
            scope,
            result,
            human_result,
        },
        theirs,
    ) in ours.auth_results.spf.iter().zip(spf)
    {
        assert_eq!(
            domain,
            theirs["domain"].as_str().unwrap(),
            "{}",
            at("spf domain")
        );
        let scope = word(*scope, |s| match s {
            SpfScope::MailFrom => "MailFrom",
            SpfScope::Helo => "Helo",
        });
        assert_eq!(scope, theirs["scope"], "{}", at("spf scope"));
        assert_eq!(
            word(*result, spf_word),
            theirs["result"],
            "{}",
            at("spf result")
        );
        assert_eq!(human_result.as_deref(), json_str(&theirs["human_result"]));
    }
    check_extensions(&ours.extensions, &theirs["extensions"]);
}

fn check_report(ours: &AggregateReport, theirs: &Value) {
    let version: f64 = ours.version.as_deref().map_or(0.0, |v| v.parse().unwrap());
    assert!(
        (version - theirs["version"].as_f64().unwrap()).abs() < 1e-9,
        "version"
    );
    let meta = &theirs["report_metadata"];
    let ours_meta = &ours.metadata;
    assert_eq!(ours_meta.org_name, meta["org_name"]);
    assert_eq!(ours_meta.email, meta["email"]);
    assert_eq!(
        ours_meta.extra_contact_info.as_deref(),
        json_str(&meta["extra_contact_info"])
    );
    assert_eq!(ours_meta.report_id, meta["report_id"]);
    assert_eq!(
        ours_meta.begin,
        meta["date_range"]["begin"].as_u64().unwrap()
    );
    assert_eq!(ours_meta.end, meta["date_range"]["end"].as_u64().unwrap());
    let errors: Vec<&str> = meta["error"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(ours_meta.errors, errors);
    assert_eq!(ours_meta.generator.as_deref(), json_str(&meta["generator"]));
    let policy = &theirs["policy_published"];
    let ours_policy = &ours.policy;
    assert_eq!(ours_policy.domain, policy["domain"]);
    assert_eq!(
        ours_policy.version_published.as_deref(),
        json_str(&policy["version_published"])
    );
    assert_eq!(
        word(ours_policy.adkim, alignment_word),
        policy["adkim"],
        "adkim"
    );
    assert_eq!(
        word(ours_policy.aspf, alignment_word),
        policy["aspf"],
        "aspf"
    );
    check_optional_policy("p", ours_policy.p, &policy["p"]);
    check_optional_policy("sp", ours_policy.sp, &policy["sp"]);
    check_optional_policy("np", ours_policy.np, &policy["np"]);
    assert_eq!(
        ours_policy.testing.unwrap_or(false),
        policy["testing"].as_bool().unwrap()
    );
    if !policy["discovery_method"].is_null() {
        let method = word(ours_policy.discovery_method, |m| match m {
            DiscoveryMethod::Psl => "Psl",
            DiscoveryMethod::TreeWalk => "Treewalk",
        });
        assert_eq!(method, policy["discovery_method"]);
    }
    assert_eq!(ours_policy.fo.as_deref(), json_str(&policy["fo"]));
    let records = theirs["record"].as_array().unwrap();
    assert_eq!(ours.records.len(), records.len(), "records");
    for (index, (ours, theirs)) in ours.records.iter().zip(records).enumerate() {
        check_record(index, ours, theirs);
    }
    check_extensions(&ours.extensions, &theirs["extensions"]);
}

#[test]
fn mail_auth_expected_parses() {
    let dir = corpus().join("mail-auth");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let expected: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let sample = ["xml", "eml"]
            .iter()
            .map(|ext| path.with_extension(ext))
            .find(|p| p.exists())
            .unwrap();
        let parsed = read(&sample);
        assert_eq!(parsed.len(), 1, "{}", sample.display());
        println!("checking {}", sample.display());
        check_report(&parsed[0].report, &expected);
        checked += 1;
    }
    assert_eq!(checked, 10);
}

// ---- write → parse ----

fn text() -> impl Strategy<Value = String> {
    // Printable text including the characters XML escapes, trimmed as the reader trims.
    "[a-zA-Z0-9 .@<>&\"'!_=;:/\u{e9}\u{65e5}-]{1,24}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn domain() -> impl Strategy<Value = String> {
    "[a-z]{1,10}\\.(example|test|com)"
}

fn record(form: ReportForm) -> impl Strategy<Value = ReportRecord> {
    let modern = form == ReportForm::Rfc9990;
    let dispositions: Vec<Disposition> = if modern {
        vec![
            Disposition::None,
            Disposition::Pass,
            Disposition::Quarantine,
            Disposition::Reject,
        ]
    } else {
        vec![
            Disposition::None,
            Disposition::Quarantine,
            Disposition::Reject,
        ]
    };
    let kinds: Vec<OverrideType> = if modern {
        vec![
            OverrideType::LocalPolicy,
            OverrideType::MailingList,
            OverrideType::Other,
            OverrideType::PolicyTestMode,
            OverrideType::TrustedForwarder,
            OverrideType::Forwarded,
            OverrideType::SampledOut,
        ]
    } else {
        vec![
            OverrideType::LocalPolicy,
            OverrideType::MailingList,
            OverrideType::Other,
            OverrideType::PolicyTestMode,
            OverrideType::TrustedForwarder,
        ]
    };
    let dkim_results = [
        DkimResult::None,
        DkimResult::Pass,
        DkimResult::Fail,
        DkimResult::Policy,
        DkimResult::Neutral,
        DkimResult::TempError,
        DkimResult::PermError,
    ];
    let spf_results = [
        SpfResult::None,
        SpfResult::Neutral,
        SpfResult::Pass,
        SpfResult::Fail,
        SpfResult::SoftFail,
        SpfResult::TempError,
        SpfResult::PermError,
    ];
    let dkim = (
        domain(),
        "[a-z0-9]{1,12}",
        proptest::sample::select(dkim_results.to_vec()),
        proptest::option::of(text()),
    )
        .prop_map(|(domain, selector, result, human_result)| DkimAuthResult {
            domain,
            selector: Some(selector),
            result: Some(result),
            human_result,
        });
    let spf = (
        domain(),
        proptest::sample::select(vec![SpfScope::MailFrom, SpfScope::Helo]),
        proptest::sample::select(spf_results.to_vec()),
        proptest::option::of(text()),
    )
        .prop_map(move |(domain, scope, result, human_result)| SpfAuthResult {
            domain,
            scope: Some(scope),
            result: Some(result),
            human_result: if modern { human_result } else { None },
        });
    let reason = (
        proptest::sample::select(kinds),
        proptest::option::of(text()),
    )
        .prop_map(|(kind, comment)| OverrideReason {
            kind: Some(kind),
            comment,
        });
    let extension = ("[a-z]{1,8}", "[a-z]{1,8}").prop_map(|(name, value)| Extension {
        name,
        definition: Some("urn:example:ext".into()),
        content: format!("<value>{value}</value>"),
    });
    let ip = any::<[u8; 16]>().prop_map(|bytes| {
        if bytes[0] % 2 == 0 {
            std::net::IpAddr::from([bytes[1], bytes[2], bytes[3], bytes[4]])
        } else {
            std::net::IpAddr::from(bytes)
        }
    });
    (
        (
            ip,
            0u64..1_000_000,
            proptest::sample::select(dispositions),
            any::<(bool, bool)>(),
        ),
        proptest::collection::vec(reason, 0..3),
        (
            domain(),
            proptest::option::of(domain()),
            proptest::option::of(domain()),
        ),
        proptest::collection::vec(dkim, 0..4),
        proptest::collection::vec(spf, if modern { 0..2 } else { 1..3 }),
        proptest::collection::vec(extension, if modern { 0..2 } else { 0..1 }),
    )
        .prop_map(
            move |(
                (ip, count, disposition, (dkim_pass, spf_pass)),
                reasons,
                (header_from, envelope_from, envelope_to),
                dkim,
                spf,
                extensions,
            )| {
                let mut record = ReportRecord::default();
                record.row.source_ip = Some(ip);
                record.row.count = count;
                let aligned = |pass| {
                    if pass {
                        AlignmentResult::Pass
                    } else {
                        AlignmentResult::Fail
                    }
                };
                record.row.policy_evaluated.disposition = Some(disposition);
                record.row.policy_evaluated.dkim = Some(aligned(dkim_pass));
                record.row.policy_evaluated.spf = Some(aligned(spf_pass));
                record.row.policy_evaluated.reasons = reasons;
                record.identifiers.header_from = header_from;
                // The RFC 7489 form always writes envelope_from.
                record.identifiers.envelope_from = if modern {
                    envelope_from
                } else {
                    Some(envelope_from.unwrap_or_default())
                };
                record.identifiers.envelope_to = envelope_to;
                record.auth_results.dkim = dkim;
                record.auth_results.spf = spf;
                record.extensions = if modern { extensions } else { Vec::new() };
                record
            },
        )
}

fn report(form: ReportForm) -> impl Strategy<Value = AggregateReport> {
    let modern = form == ReportForm::Rfc9990;
    let policy = proptest::sample::select(vec![Policy::None, Policy::Quarantine, Policy::Reject]);
    let mode = proptest::sample::select(vec![AlignmentMode::Relaxed, AlignmentMode::Strict]);
    (
        (
            text(),
            text(),
            proptest::option::of(text()),
            text(),
            any::<(u32, u32)>(),
            proptest::collection::vec(text(), 0..2),
            proptest::option::of(text()),
        ),
        (
            domain(),
            proptest::option::of(proptest::sample::select(vec![
                DiscoveryMethod::Psl,
                DiscoveryMethod::TreeWalk,
            ])),
            policy.clone(),
            proptest::option::of(policy.clone()),
            proptest::option::of(policy),
            proptest::option::of("[01ds:]{1,5}"),
        ),
        (
            proptest::option::of(mode.clone()),
            proptest::option::of(mode),
            proptest::option::of(any::<bool>()),
        ),
        proptest::collection::vec(record(form), 1..5),
    )
        .prop_map(
            move |(
                (org, email, extra, id, (begin, end), errors, generator),
                (domain, method, p, sp, np, fo),
                (adkim, aspf, testing),
                records,
            )| {
                let mut report = AggregateReport::default();
                report.version = modern.then(|| "1.0".to_owned());
                report.metadata.org_name = org;
                report.metadata.email = email;
                report.metadata.extra_contact_info = extra;
                report.metadata.report_id = id;
                report.metadata.begin = u64::from(begin);
                report.metadata.end = u64::from(end);
                report.metadata.errors = errors;
                report.metadata.generator = if modern { generator } else { None };
                report.policy.domain = domain;
                report.policy.discovery_method = method;
                report.policy.p = Some(p);
                report.policy.sp = sp;
                report.policy.np = np;
                report.policy.fo = fo;
                report.policy.adkim = adkim;
                report.policy.aspf = aspf;
                report.policy.testing = testing;
                report.records = records;
                report
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn rfc9990_write_parse_identity(report in report(ReportForm::Rfc9990)) {
        let xml = report.to_xml(ReportForm::Rfc9990);
        let parsed = parse_aggregate(xml.as_bytes()).unwrap();
        prop_assert_eq!(parsed.form, ReportForm::Rfc9990);
        prop_assert!(parsed.problems.is_empty(), "{:?}\n{}", parsed.problems, xml);
        prop_assert_eq!(parsed.report, report);
    }

    #[test]
    fn rfc7489_write_parse_identity(report in report(ReportForm::Rfc7489)) {
        let xml = report.to_xml(ReportForm::Rfc7489);
        let parsed = parse_aggregate(xml.as_bytes()).unwrap();
        prop_assert_eq!(parsed.form, ReportForm::Rfc7489);
        prop_assert!(parsed.problems.is_empty(), "{:?}\n{}", parsed.problems, xml);
        prop_assert_eq!(parsed.report, report);
    }
}

// ---- the RFC 7489 form against rua-schema.xsd ----

/// The interpreter of the peers' virtualenv (made by `scripts/interop-venv.sh`, with lxml).
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("TEGAMI_INTEROP_PYTHON") {
        return PathBuf::from(path);
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/interop-venv.sh");
    let output = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|error| panic!("schema check: cannot run {}: {error}", script.display()));
    assert!(
        output.status.success(),
        "schema check: the Python virtualenv with lxml could not be made (PyPI unreachable?): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

/// Validates written reports with libxml2 (through lxml) against
/// `../shared/conformance/dmarc/schema/rua-schema.xsd`.
///
/// That file cannot be loaded as it is by a conforming XSD processor: it declares
/// `targetNamespace="urn:ietf:params:xml:ns:dmarc-2.0"` but refers to its own types without a
/// prefix and without a default namespace, which XSD 1.0 (Structures §3.15.3, QName
/// resolution) resolves to no namespace; libxml2 stops with "References from this schema to
/// components in no namespace are not allowed". RFC 7489 Appendix C's schema has the same
/// defect. The check repairs it in memory the way RFC 7489 reports are written, with no
/// namespace: it drops the `targetNamespace` attribute, and changes nothing else.
#[test]
fn rfc7489_form_validates_against_the_schema() {
    let schema = corpus().join("../schema/rua-schema.xsd");
    assert!(schema.is_file(), "{} is missing", schema.display());
    let dir = std::env::temp_dir().join(format!("tegami-rua-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = report(ReportForm::Rfc7489);
    let mut paths = Vec::new();
    for index in 0..50 {
        let report = strategy.new_tree(&mut runner).unwrap().current();
        let path = dir.join(format!("{index}.xml"));
        std::fs::write(&path, report.to_xml(ReportForm::Rfc7489)).unwrap();
        paths.push(path);
    }
    // A report read from the wild, written back in the RFC 7489 form.
    for sample in [
        "mail-auth/003.xml",
        "mail-auth/005.xml",
        "parsedmarc/aggregate/usssa.com!example.com!1538784000!1538870399.xml",
    ] {
        let parsed = &read(&corpus().join(sample))[0];
        let path = dir.join(format!("sample-{}.xml", paths.len()));
        std::fs::write(&path, parsed.report.to_xml(ReportForm::Rfc7489)).unwrap();
        paths.push(path);
    }
    let script = r#"
import sys
from lxml import etree
tree = etree.parse(sys.argv[1])
del tree.getroot().attrib["targetNamespace"]
schema = etree.XMLSchema(tree)
bad = 0
for path in sys.argv[2:]:
    if not schema.validate(etree.parse(path)):
        bad += 1
        print(path, schema.error_log.last_error)
print("validated", len(sys.argv) - 2 - bad, "of", len(sys.argv) - 2)
sys.exit(1 if bad else 0)
"#;
    let output = std::process::Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .args(&paths)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("validated 53 of 53"));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- statistics ----

/// 10,000 generated reports (domains, sources and reporters drawn from small sets so that
/// they repeat), summarised by `SummaryBuilder` and recounted here the plain way.
#[test]
fn summary_of_ten_thousand_reports_equals_a_recount() {
    use std::collections::{BTreeMap, HashMap};
    use tegami_dmarc::report::summary::{Day, SummaryBuilder, TOP};

    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let aligned = |bit: u64| {
        if bit == 0 {
            AlignmentResult::Fail
        } else {
            AlignmentResult::Pass
        }
    };
    let dispositions = [
        Disposition::None,
        Disposition::Pass,
        Disposition::Quarantine,
        Disposition::Reject,
    ];
    let mut reports = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let mut report = AggregateReport::default();
        report.metadata.org_name = format!("reporter{}", next(8));
        report.metadata.begin = 1_760_000_000 + next(30) * 86_400 + next(86_400);
        for _ in 0..1 + next(4) {
            let mut record = ReportRecord::default();
            record.identifiers.header_from = format!("d{}.example", next(12));
            record.row.source_ip = Some(std::net::IpAddr::from([192, 0, 2, next(50) as u8]));
            record.row.count = next(1_000);
            let evaluated = &mut record.row.policy_evaluated;
            evaluated.dkim = Some(aligned(next(2)));
            evaluated.spf = Some(aligned(next(2)));
            evaluated.disposition = Some(dispositions[next(4) as usize]);
            report.records.push(record);
        }
        reports.push(report);
    }
    let mut builder = SummaryBuilder::new();
    for report in &reports {
        builder.add(report);
    }
    let summary = builder.finish();

    // The recount.
    let pass = |r: &ReportRecord| {
        r.row.policy_evaluated.dkim == Some(AlignmentResult::Pass)
            || r.row.policy_evaluated.spf == Some(AlignmentResult::Pass)
    };
    let mut messages = 0u64;
    let mut dmarc_pass = 0u64;
    let mut spf_aligned = 0u64;
    let mut dkim_aligned = 0u64;
    let mut rejected = 0u64;
    let mut records = 0u64;
    let mut by_domain: HashMap<String, (u64, u64)> = HashMap::new();
    let mut by_day: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let mut failing_sources: HashMap<String, u64> = HashMap::new();
    let mut failing_reporters: HashMap<String, u64> = HashMap::new();
    for report in &reports {
        for record in &report.records {
            records += 1;
            let count = record.row.count;
            messages += count;
            let evaluated = &record.row.policy_evaluated;
            if pass(record) {
                dmarc_pass += count;
            } else {
                *failing_sources
                    .entry(record.row.source_ip.unwrap().to_string())
                    .or_default() += count;
                *failing_reporters
                    .entry(report.metadata.org_name.clone())
                    .or_default() += count;
            }
            if evaluated.spf == Some(AlignmentResult::Pass) {
                spf_aligned += count;
            }
            if evaluated.dkim == Some(AlignmentResult::Pass) {
                dkim_aligned += count;
            }
            if evaluated.disposition == Some(Disposition::Reject) {
                rejected += count;
            }
            let domain = by_domain
                .entry(record.identifiers.header_from.clone())
                .or_default();
            domain.0 += count;
            domain.1 += if pass(record) { count } else { 0 };
            let day = by_day.entry(report.metadata.begin / 86_400).or_default();
            day.0 += count;
            day.1 += if pass(record) { count } else { 0 };
        }
    }
    assert_eq!(summary.reports, 10_000);
    assert_eq!(summary.records, records);
    assert_eq!(summary.total.messages, messages);
    assert_eq!(summary.total.dmarc_pass, dmarc_pass);
    assert_eq!(summary.total.spf_aligned, spf_aligned);
    assert_eq!(summary.total.dkim_aligned, dkim_aligned);
    assert_eq!(summary.total.reject, rejected);
    assert_eq!(summary.domains.len(), by_domain.len());
    for domain in &summary.domains {
        let (m, p) = by_domain[&domain.domain];
        assert_eq!(
            (domain.total.messages, domain.total.dmarc_pass),
            (m, p),
            "{}",
            domain.domain
        );
        let days: u64 = domain.days.iter().map(|(_, c)| c.messages).sum();
        assert_eq!(days, m);
    }
    let days: Vec<(Day, u64, u64)> = summary
        .days
        .iter()
        .map(|(d, c)| (*d, c.messages, c.dmarc_pass))
        .collect();
    let expected: Vec<(Day, u64, u64)> = by_day
        .into_iter()
        .map(|(d, (m, p))| (Day(d), m, p))
        .collect();
    assert_eq!(days, expected);
    let top = |map: HashMap<String, u64>| {
        let mut list: Vec<(String, u64)> = map.into_iter().filter(|(_, m)| *m > 0).collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        list.truncate(TOP);
        list
    };
    let ours = |list: &[tegami_dmarc::report::summary::Ranked]| -> Vec<(String, u64)> {
        list.iter().map(|r| (r.name.clone(), r.messages)).collect()
    };
    assert_eq!(ours(&summary.top_failing_sources), top(failing_sources));
    assert_eq!(ours(&summary.top_failing_reporters), top(failing_reporters));
    assert_eq!(summary.top_failing_sources.len(), TOP);
}
