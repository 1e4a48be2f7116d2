//! RFC 9989 §4.7 (DMARC Policy Record Format) and §4.8 (Formal Definition).

use tegami_dmarc::record::{
    AlignmentMode, FailureOptions, Policy, PsdFlag, Record, RecordError, RecordWarningKind,
};

use super::*;

#[test]
fn v_must_be_first_and_exactly_dmarc1() {
    // §4.7 v: "This tag MUST be the first tag in the list ... the only possible value is
    // DMARC1 ... If the tag is not the first in the list, or the tag is absent, or the value is
    // not DMARC1, then the entire record MUST be ignored." §4.8: %s"DMARC1" (case-sensitive).
    let cases: &[(&str, Result<(), RecordError>)] = &[
        ("v=DMARC1; p=none", Ok(())),
        ("v = DMARC1 ;p=none", Ok(())),
        ("p=none; v=DMARC1", Err(RecordError::VersionNotFirst)),
        ("p=none", Err(RecordError::VersionNotFirst)),
        ("v=dmarc1; p=none", Err(RecordError::WrongVersion)),
        ("v=DMARC2; p=none", Err(RecordError::WrongVersion)),
        ("v=spf1 -all", Err(RecordError::WrongVersion)),
        ("", Err(RecordError::VersionNotFirst)),
    ];
    for (text, expected) in cases {
        assert_eq!(
            Record::parse(text.as_bytes()).map(|_| ()),
            *expected,
            "{text}"
        );
    }
}

#[test]
fn unknown_tags_are_ignored() {
    // §4.7: "unknown tags MUST be ignored"; §4.8 again.
    let record = Record::parse(b"v=DMARC1; p=reject; future=1; x-tag=yes").unwrap();
    assert_eq!(record.policy, Some(Policy::Reject));
    assert_eq!(
        record
            .warnings
            .iter()
            .filter(|w| w.kind == RecordWarningKind::Unknown)
            .count(),
        2
    );
}

#[test]
fn syntax_errors_fall_back_to_defaults() {
    // §4.8: "Syntax errors in the remainder of the record MUST be discarded in favor of default
    // values (if any) or ignored outright."
    let cases: &[(&str, fn(&Record) -> bool)] = &[
        ("v=DMARC1; p=none; adkim=x", |r| {
            r.dkim_alignment == AlignmentMode::Relaxed
        }),
        ("v=DMARC1; p=none; aspf=strict", |r| {
            r.spf_alignment == AlignmentMode::Relaxed
        }),
        ("v=DMARC1; p=none; psd=maybe", |r| r.psd == PsdFlag::Unknown),
        ("v=DMARC1; p=none; t=yes", |r| !r.testing()),
        ("v=DMARC1; p=none; fo=0:1", |r| {
            r.failure_options == FailureOptions::default()
        }),
        ("v=DMARC1; p=none; fo=x", |r| {
            r.failure_options == FailureOptions::default()
        }),
        ("v=DMARC1; p=none; garbage; adkim=s", |r| {
            r.dkim_alignment == AlignmentMode::Strict
        }),
        ("v=DMARC1; p=reject; p=none", |r| {
            r.policy == Some(Policy::Reject)
        }),
    ];
    for (text, check) in cases {
        let record = Record::parse(text.as_bytes()).unwrap();
        assert!(check(&record), "{text}: {record:?}");
        assert!(!record.warnings.is_empty(), "{text}: no warning");
    }
}

#[test]
fn tag_values_of_table_2() {
    // §4.8 Table 2 and the value rules: dmarc-request, dmarc-yorn, dmarc-psd, dmarc-rors,
    // dmarc-fo.
    let record = Record::parse(
        b"v=DMARC1; p=quarantine; sp=reject; np=none; adkim=s; aspf=s; psd=n; t=y; fo=1:d:s",
    )
    .unwrap();
    assert_eq!(record.policy, Some(Policy::Quarantine));
    assert_eq!(record.subdomain_policy, Some(Policy::Reject));
    assert_eq!(record.nonexistent_policy, Some(Policy::None));
    assert_eq!(record.dkim_alignment, AlignmentMode::Strict);
    assert_eq!(record.spf_alignment, AlignmentMode::Strict);
    assert_eq!(record.psd, PsdFlag::No);
    assert!(record.testing());
    assert_eq!(
        record.failure_options,
        FailureOptions {
            all_fail: false,
            any_fail: true,
            dkim: true,
            spf: true
        }
    );
    assert!(record.warnings.is_empty());
    // Keywords are case-insensitive ABNF strings (RFC 5234 §2.3).
    let record = Record::parse(b"v=DMARC1; p=REJECT; ADKIM=S").unwrap();
    assert_eq!(record.policy, Some(Policy::Reject));
    assert_eq!(record.dkim_alignment, AlignmentMode::Strict);
}

#[test]
fn p_missing_counts_as_none() {
    // §4.7 p: "If this tag is not present in an otherwise syntactically valid DMARC Policy
    // Record, then the record is treated as if it included p=none".
    let record = Record::parse(b"v=DMARC1").unwrap();
    assert_eq!(
        record.effective_policies(false),
        Some((Policy::None, Policy::None, Policy::None))
    );
    // RFC 7489 §6.6.3 required p: without it only a valid rua keeps the record.
    assert_eq!(record.effective_policies(true), None);
}

#[test]
fn invalid_p_sp_or_np_fall_back_to_none_only_with_rua() {
    // §4.10.1: no valid p, or an invalid sp or np: with a valid rua URI, "MUST act as if a
    // record containing p=none was retrieved"; otherwise no DMARC processing.
    let none = Some((Policy::None, Policy::None, Policy::None));
    let cases: &[(&str, Option<(Policy, Policy, Policy)>)] = &[
        ("v=DMARC1; p=bogus", None),
        ("v=DMARC1; p=bogus; rua=mailto:a@example.com", none),
        ("v=DMARC1; p=reject; sp=bogus", None),
        (
            "v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.com",
            none,
        ),
        (
            "v=DMARC1; p=reject; np=bogus; rua=mailto:a@example.com",
            none,
        ),
        ("v=DMARC1; p=reject; np=bogus; rua=not a uri", None),
    ];
    for (text, expected) in cases {
        let record = Record::parse(text.as_bytes()).unwrap();
        assert_eq!(record.effective_policies(false), *expected, "{text}");
        assert_eq!(record.is_usable(false), expected.is_some(), "{text}");
    }
}

#[test]
fn np_falls_back_to_sp_then_p() {
    // §4.7 np: "If the np tag is absent, the policy specified by the sp tag (if the sp tag is
    // present) or the policy specified by the p tag, if the sp tag is not present, MUST be
    // applied"; §4.7 sp: absent sp and np, "the policy specified by the p tag MUST be applied".
    let cases: &[(&str, (Policy, Policy, Policy))] = &[
        (
            "v=DMARC1; p=reject",
            (Policy::Reject, Policy::Reject, Policy::Reject),
        ),
        (
            "v=DMARC1; p=reject; sp=none",
            (Policy::Reject, Policy::None, Policy::None),
        ),
        (
            "v=DMARC1; p=none; np=reject",
            (Policy::None, Policy::None, Policy::Reject),
        ),
        (
            "v=DMARC1; p=none; sp=quarantine; np=reject",
            (Policy::None, Policy::Quarantine, Policy::Reject),
        ),
    ];
    for (text, expected) in cases {
        let record = Record::parse(text.as_bytes()).unwrap();
        assert_eq!(record.effective_policies(false), Some(*expected), "{text}");
    }
}

#[test]
fn report_uris() {
    // §4.6 comma-separated URIs; §4.8 obs-dmarc-report-size: "reporters should ignore" it;
    // §4.7 rua: a URI that is not valid is left out.
    let record = Record::parse(
        b"v=DMARC1; p=none; rua=mailto:a@example.com!10m, mailto:b@example.net,https://r.example/x; ruf=junk,mailto:f@example.org",
    )
    .unwrap();
    let rua: Vec<_> = record
        .aggregate_uris
        .iter()
        .map(tegami_dmarc::record::ReportUri::uri)
        .collect();
    assert_eq!(
        rua,
        [
            "mailto:a@example.com",
            "mailto:b@example.net",
            "https://r.example/x"
        ]
    );
    assert_eq!(record.aggregate_uris[0].size_limit(), Some("10m"));
    assert_eq!(
        record.aggregate_uris[1]
            .mailto_domain()
            .map(|d| d.to_string()),
        Some("example.net".into())
    );
    assert_eq!(record.failure_uris.len(), 1);
    assert!(
        record
            .warnings
            .iter()
            .any(|w| w.kind == RecordWarningKind::InvalidUri)
    );
}

#[test]
fn historic_tags_are_reported_and_pct_zero_is_testing() {
    // §9.3: pct, rf, ri are historic; Appendix A.6: t=y stands for pct=0, t=n for pct=100.
    let record = Record::parse(b"v=DMARC1; p=reject; pct=0; rf=afrf; ri=3600").unwrap();
    assert_eq!(record.percent, Some(0));
    assert_eq!(record.report_formats, ["afrf"]);
    assert_eq!(record.report_interval, Some(3600));
    assert!(record.testing());
    assert_eq!(
        record
            .warnings
            .iter()
            .filter(|w| w.kind == RecordWarningKind::Historic)
            .count(),
        3
    );
    assert!(
        !Record::parse(b"v=DMARC1; p=reject; pct=100")
            .unwrap()
            .testing()
    );
    assert!(
        !Record::parse(b"v=DMARC1; p=reject; pct=50")
            .unwrap()
            .testing()
    );
    assert!(
        !Record::parse(b"v=DMARC1; p=reject; pct=0; t=n")
            .unwrap()
            .testing()
    );
}

#[test]
fn text_round_trip() {
    let text = "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; psd=n; t=y; rua=mailto:a@example.com; fo=1:d";
    let record = Record::parse(text.as_bytes()).unwrap();
    assert_eq!(record.to_string(), text);
    assert_eq!(
        Record::parse(record.to_string().as_bytes()).unwrap(),
        record
    );
}

#[test]
fn character_strings_are_concatenated() {
    // §4.5: "the module performing DMARC evaluation MUST concatenate these strings".
    let zone = ZoneResolver::from_master_file(
        "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=rej\" \"ect\"\n",
    )
    .unwrap();
    let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
    assert_eq!(verdict.policy(), Some(Policy::Reject));
}

#[test]
fn several_records_or_foreign_records_at_one_name() {
    // §4.10 step 2: "Records that do not start with a v tag that identifies the current
    // version of DMARC are discarded. If multiple DMARC Policy Records are returned for a
    // single target, they are all discarded."
    let zone = zone(&[
        ("_dmarc.example.com", "v=DMARC1; p=reject"),
        ("_dmarc.example.com", "v=DMARC1; p=none"),
        ("_dmarc.example.org", "v=DMARC1; p=quarantine"),
        ("_dmarc.example.org", "v=spf1 -all"),
    ]);
    let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
    assert_eq!(verdict.result, tegami_dmarc::DmarcResult::None);
    let (verdict, _) = evaluate(&zone, input("example.org", None, &[]));
    assert_eq!(verdict.policy(), Some(Policy::Quarantine));
}
