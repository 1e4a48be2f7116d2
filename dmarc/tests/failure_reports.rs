//! Failure reports (RFC 9991, ARF of RFC 5965 with RFC 6591's fields) against
//! `../shared/conformance/dmarc/failure/`: every sample reads, the five with an expected parse
//! (`mail-auth-arf/*.json`) match it field by field, and write → read is the identity over
//! generated reports.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::Value;
use tegami_dmarc::report::failure::{
    AuthFailure, FailureForm, FailureReport, Feedback, FeedbackType, parse_failure_report,
};

fn corpus() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/dmarc/failure");
    assert!(
        dir.is_dir(),
        "conformance folder {} is missing: ../shared must sit beside the project",
        dir.display()
    );
    dir
}

/// White space collapsed, CRs dropped: how two renderings of one folded value compare.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_sample_reads() {
    let mut count = 0;
    for folder in ["mail-auth-arf", "parsedmarc"] {
        for entry in std::fs::read_dir(corpus().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            let parsed =
                parse_failure_report(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            println!(
                "{name}: {:?} {:?} {:?} domains {:?}",
                parsed.form,
                parsed.report.feedback.feedback_type,
                parsed.report.feedback.auth_failure,
                parsed.report.feedback.reported_domain
            );
            if name.starts_with("exim_plain_text") {
                assert_eq!(parsed.form, FailureForm::PlainText);
                let feedback = &parsed.report.feedback;
                assert_eq!(feedback.reported_domain, ["example.com"]);
                assert_eq!(feedback.source_ip, "203.0.113.68".parse().ok());
                assert!(parsed.report.headers_only);
                let headers = String::from_utf8(parsed.report.original.clone().unwrap()).unwrap();
                assert!(headers.starts_with("Received: from [203.0.113.68]"));
            } else {
                assert_eq!(parsed.form, FailureForm::Arf, "{name}");
                assert!(parsed.report.original.is_some(), "{name}: no original");
            }
            count += 1;
        }
    }
    assert_eq!(count, 10);
    // The same report with LF and with CRLF line ends reads the same.
    let read = |name: &str| {
        parse_failure_report(&std::fs::read(corpus().join("parsedmarc").join(name)).unwrap())
            .unwrap()
            .report
            .feedback
    };
    assert_eq!(
        read("dmarc_ruf_report_linkedin.eml"),
        read("dmarc_ruf_report_linkedin.crlf.eml")
    );
}

fn json_str(value: &Value) -> Option<&str> {
    value.as_str()
}

/// The JSON model's word for an optional value ("Unspecified" when absent).
fn auth_failure_word(failure: Option<&AuthFailure>) -> &'static str {
    match failure {
        None => "Unspecified",
        Some(AuthFailure::Adsp) => "Adsp",
        Some(AuthFailure::BodyHash) => "BodyHash",
        Some(AuthFailure::Revoked) => "Revoked",
        Some(AuthFailure::Signature) => "Signature",
        Some(AuthFailure::Spf) => "Spf",
        Some(AuthFailure::Dmarc) => "Dmarc",
        Some(AuthFailure::Unregistered(_)) => "Other",
    }
}

fn feedback_type_word(kind: &FeedbackType) -> &'static str {
    match kind {
        FeedbackType::Abuse => "Abuse",
        FeedbackType::AuthFailure => "AuthFailure",
        FeedbackType::Fraud => "Fraud",
        FeedbackType::NotSpam => "NotSpam",
        FeedbackType::Other => "Other",
        FeedbackType::Virus => "Virus",
        FeedbackType::Unregistered(_) => "Other",
    }
}

#[test]
fn mail_auth_expected_parses() {
    for index in 1..=5 {
        let eml = corpus().join(format!("mail-auth-arf/00{index}.eml"));
        let expected: Value =
            serde_json::from_slice(&std::fs::read(eml.with_extension("json")).unwrap()).unwrap();
        let parsed = parse_failure_report(&std::fs::read(&eml).unwrap()).unwrap();
        let f = &parsed.report.feedback;
        let at = |field: &str| format!("00{index}: {field}");
        assert_eq!(
            feedback_type_word(&f.feedback_type),
            expected["feedback_type"],
            "{}",
            at("type")
        );
        assert_eq!(
            f.arrival_time(),
            expected["arrival_date"].as_i64(),
            "{}",
            at("arrival_date")
        );
        let results: Vec<String> = f.authentication_results.iter().map(|r| squash(r)).collect();
        let theirs: Vec<String> = expected["authentication_results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| squash(r.as_str().unwrap()))
            .collect();
        assert_eq!(results, theirs, "{}", at("authentication_results"));
        // The JSON model counts one incident when the field is absent.
        assert_eq!(
            f.incidents.unwrap_or(1),
            expected["incidents"].as_u64().unwrap()
        );
        assert_eq!(
            f.original_envelope_id.as_deref(),
            json_str(&expected["original_envelope_id"])
        );
        assert_eq!(
            f.original_mail_from.as_deref(),
            json_str(&expected["original_mail_from"])
        );
        assert_eq!(
            f.original_rcpt_to.first().map(String::as_str),
            json_str(&expected["original_rcpt_to"])
        );
        let list = |key: &str| -> Vec<String> {
            expected[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            f.reported_domain,
            list("reported_domain"),
            "{}",
            at("reported_domain")
        );
        assert_eq!(
            f.reported_uri,
            list("reported_uri"),
            "{}",
            at("reported_uri")
        );
        assert_eq!(
            f.reporting_mta.as_deref(),
            json_str(&expected["reporting_mta"])
        );
        let ip = f.source_ip.map(|ip| ip.to_string());
        assert_eq!(
            ip.as_deref(),
            json_str(&expected["source_ip"]),
            "{}",
            at("source_ip")
        );
        assert_eq!(f.user_agent.as_deref(), json_str(&expected["user_agent"]));
        let version = f.version.as_deref().map(|v| v.parse::<u64>().unwrap());
        assert_eq!(version, expected["version"].as_u64());
        assert_eq!(
            u64::from(f.source_port.unwrap_or(0)),
            expected["source_port"].as_u64().unwrap()
        );
        assert_eq!(
            auth_failure_word(f.auth_failure.as_ref()),
            expected["auth_failure"],
            "{}",
            at("auth_failure")
        );
        assert_eq!(
            f.delivery_result.is_none(),
            expected["delivery_result"] == "Unspecified"
        );
        assert_eq!(
            f.identity_alignment.is_none(),
            expected["identity_alignment"] == "Unspecified"
        );
        for (ours, key) in [
            (&f.dkim_domain, "dkim_domain"),
            (&f.dkim_identity, "dkim_identity"),
            (&f.dkim_selector, "dkim_selector"),
            (&f.dkim_selector_dns, "dkim_selector_dns"),
            (&f.dkim_adsp_dns, "dkim_adsp_dns"),
            (&f.spf_dns, "spf_dns"),
        ] {
            assert_eq!(ours.as_deref(), json_str(&expected[key]), "{}", at(key));
        }
        for (ours, key) in [
            (&f.dkim_canonicalized_header, "dkim_canonicalized_header"),
            (&f.dkim_canonicalized_body, "dkim_canonicalized_body"),
        ] {
            let theirs = json_str(&expected[key]).map(squash);
            assert_eq!(ours.as_deref().map(squash), theirs, "{}", at(key));
        }
        // The JSON model keeps a text/rfc822-headers part as `headers` (it does not keep
        // message/rfc822 parts).
        if let Some(headers) = json_str(&expected["headers"]) {
            assert!(parsed.report.headers_only, "{}", at("headers"));
            let ours =
                String::from_utf8_lossy(parsed.report.original.as_deref().unwrap()).into_owned();
            assert_eq!(squash(&ours), squash(headers), "{}", at("headers"));
        }
    }
}

// ---- write → read ----

fn value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9.@<>;=()/_+-]{1,20}( [a-zA-Z0-9.@<>;=()/_+-]{1,20}){0,8}"
}

fn feedback() -> impl Strategy<Value = Feedback> {
    let kinds = prop_oneof![
        Just(FeedbackType::AuthFailure),
        Just(FeedbackType::Abuse),
        Just(FeedbackType::Fraud),
        Just(FeedbackType::Virus),
        "x-[a-z]{1,8}".prop_map(FeedbackType::Unregistered),
    ];
    let failures = prop_oneof![
        Just(AuthFailure::Dmarc),
        Just(AuthFailure::BodyHash),
        Just(AuthFailure::Signature),
        Just(AuthFailure::Spf),
        Just(AuthFailure::Revoked),
    ];
    (
        (
            kinds,
            proptest::option::of(value()),
            proptest::option::of(value()),
            proptest::option::of(0u64..1000),
        ),
        (
            proptest::option::of(value()),
            proptest::collection::vec(value(), 0..3),
            proptest::option::of("[a-z]{1,8}\\.example"),
        ),
        (
            proptest::option::of(any::<[u8; 4]>()),
            proptest::option::of(any::<u16>()),
            proptest::collection::vec(value(), 0..3),
        ),
        (
            proptest::collection::vec("[a-z]{1,8}\\.example", 0..3),
            proptest::option::of(failures),
            proptest::option::of(value()),
        ),
        proptest::collection::vec(("X-[A-Za-z]{1,10}", value()), 0..3),
    )
        .prop_map(
            |(
                (kind, agent, date, incidents),
                (mail_from, rcpt, mta),
                (ip, port, results),
                (domains, failure, dkim),
                other,
            )| {
                let mut feedback = Feedback::new(kind);
                feedback.user_agent = agent;
                feedback.arrival_date = date;
                feedback.incidents = incidents;
                feedback.original_mail_from = mail_from;
                feedback.original_rcpt_to = rcpt;
                feedback.reporting_mta = mta;
                feedback.source_ip = ip.map(std::net::IpAddr::from);
                feedback.source_port = port;
                feedback.authentication_results = results;
                feedback.reported_domain = domains;
                feedback.auth_failure = failure;
                feedback.dkim_domain = dkim.clone();
                feedback.identity_alignment = dkim.map(|_| "dkim".to_owned());
                feedback.other_fields = other;
                feedback
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn write_read_identity(
        feedback in feedback(),
        text in "[a-zA-Z0-9 .,]{0,60}",
        original in proptest::option::of("[a-zA-Z0-9: ]{1,40}"),
        headers_only in any::<bool>(),
    ) {
        let original = original.map(|o| format!("Subject: {o}\r\nFrom: a@example.com\r\n\r\nbody\r\n").into_bytes());
        let headers_only = headers_only && original.is_some();
        let report = FailureReport { feedback, text: text.trim_end().to_owned(), original, headers_only };
        let message = report.to_message("dmarc@receiver.example", "ruf@example.com", "<x@receiver.example>", 1_763_856_000);
        let parsed = parse_failure_report(&message).unwrap();
        prop_assert_eq!(parsed.form, FailureForm::Arf);
        prop_assert_eq!(&parsed.report, &report);
        // What the writer makes is DKIM-signable as it is: CRLF lines within 998 octets.
        prop_assert!(message.windows(2).all(|w| w[1] != b'\n' || w[0] == b'\r'));
    }
}
