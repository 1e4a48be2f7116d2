//! RFC 9989 §5.3 (Mail Receiver Actions), §4.7 `t` (testing mode), §5.4, and §11.5 (several
//! Author Domains).

use tegami_dmarc::{ArcSeal, DmarcResult, Policy, PolicyOverride, RecordedPass};
use tegami_mime::Author;

use super::*;

fn from(header: &str) -> Input {
    Input::from_author(&Author::from_message(
        format!("{header}\r\nSubject: x\r\n\r\n").as_bytes(),
    ))
}

#[test]
fn author_domain_from_the_from_field() {
    // §5.3.1: the domain of RFC5322.From; "If the domain is a U-label, the domain MUST be
    // converted to an A-label".
    let zone = zone(&[("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject")]);
    let (verdict, asked) = evaluate(&zone, from("From: Anna <anna@bücher.example>"));
    assert_eq!(asked[0], "_dmarc.xn--bcher-kva.example TXT");
    assert_eq!(verdict.result, DmarcResult::Fail);
}

#[test]
fn zero_or_unreadable_author_domains_are_permerror() {
    // §5.3.1: "If zero or more than one domain is extracted ... DMARC validation is not
    // possible"; §4.4: no alignment with a malformed or absent From.
    let zone = zone(&[]);
    for header in [
        "Sender: a@example.com",
        "From: undisclosed-recipients:;",
        "From: <@bank.example:a@evil.example>",
    ] {
        let (verdict, asked) = evaluate(&zone, from(header));
        assert_eq!(verdict.result, DmarcResult::PermError, "{header}");
        assert_eq!(verdict.disposition, Policy::Quarantine, "{header}");
        assert!(asked.is_empty());
    }
}

#[test]
fn several_author_domains_each_evaluated_strictest_wins() {
    // §11.5: "apply the DMARC mechanism to each domain found in the RFC5322.From field as the
    // Author Domain and apply the most strict policy selected among the checks that fail."
    let zone = zone(&[
        ("_dmarc.bank.example", "v=DMARC1; p=reject"),
        ("_dmarc.shop.example", "v=DMARC1; p=quarantine"),
    ]);
    let input = from("From: a@shop.example, b@bank.example").dkim_pass(domain("shop.example"));
    let (verdict, _) = evaluate(&zone, input);
    assert_eq!(verdict.result, DmarcResult::Fail);
    assert_eq!(verdict.disposition, Policy::Reject);
    assert_eq!(verdict.from_domain(), Some(&domain("bank.example")));
    assert_eq!(verdict.authors.len(), 2);
    // "Limiting the number of Author Domains processed will avoid this risk. If not all
    // Author Domains are processed, then the DMARC evaluation is incomplete."
    let many = from("From: a@a.example, b@b.example, c@c.example, d@d.example, e@e.example");
    let (verdict, asked) = evaluate(&zone, many);
    assert_eq!(verdict.result, DmarcResult::PermError);
    assert!(asked.is_empty());
}

#[test]
fn pass_needs_one_aligned_identifier() {
    // §5.3.5.
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    let (verdict, _) = evaluate(
        &zone,
        input("example.com", Some("evil.example"), &["example.com"]),
    );
    assert_eq!(verdict.result, DmarcResult::Pass);
    assert_eq!(verdict.disposition, Policy::None);
    let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
    assert_eq!(verdict.result, DmarcResult::Fail);
    assert_eq!(verdict.disposition, Policy::Reject);
}

#[test]
fn testing_mode_lowers_the_policy_one_level() {
    // §4.7 t=y: "if the policy is quarantine and the value of the t tag is y, a policy of
    // none will be applied ... if the policy is reject ... quarantine"; "no effect on any
    // policy that is none".
    let cases = [
        ("v=DMARC1; p=reject; t=y", Policy::Quarantine),
        ("v=DMARC1; p=quarantine; t=y", Policy::None),
        ("v=DMARC1; p=none; t=y", Policy::None),
        ("v=DMARC1; p=reject; t=n", Policy::Reject),
        ("v=DMARC1; p=reject; pct=0", Policy::Quarantine),
    ];
    for (record, disposition) in cases {
        let zone = zone(&[("_dmarc.example.com", record)]);
        let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
        assert_eq!(verdict.result, DmarcResult::Fail, "{record}");
        assert_eq!(verdict.disposition, disposition, "{record}");
        assert_eq!(verdict.policy(), zone_policy(record), "{record}");
    }
}

fn zone_policy(record: &str) -> Option<Policy> {
    tegami_dmarc::Record::parse(record.as_bytes())
        .ok()
        .and_then(|r| r.policy)
}

#[test]
fn p_none_never_changes_handling() {
    // §5.4: "discovered policies of p=none MUST NOT modify existing mail handling processes."
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=none")]);
    let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
    assert_eq!(verdict.result, DmarcResult::Fail);
    assert_eq!(verdict.disposition, Policy::None);
}

#[test]
fn local_overrides_are_reasons() {
    // §5.4 and B.3.1: a receiver "can consult external information to override" the policy,
    // and reports it as a PolicyOverride (RFC 9990).
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    let config = Config {
        trusted_forwarders: vec![domain("lists.example.org")],
        trusted_mailing_lists: vec![domain("dev.example.net")],
        ..Config::default()
    };
    // The list recorded the author's DKIM pass on arrival (RFC 8617 §7.2.1).
    let seal =
        ArcSeal::new(domain("lists.example.org")).with(RecordedPass::Dkim(domain("example.com")));
    let input = input("example.com", None, &[]).arc_pass(vec![seal]);
    let (verdict, _) = evaluate_with(&zone, input, config.clone());
    assert_eq!(verdict.result, DmarcResult::Fail);
    assert_eq!(verdict.disposition, Policy::None);
    assert_eq!(
        verdict.deciding().unwrap().overrides,
        [PolicyOverride::TrustedForwarder(domain(
            "lists.example.org"
        ))]
    );
    let input = super::input("example.com", None, &[]).mailing_list(domain("dev.example.net"));
    let (verdict, _) = evaluate_with(&zone, input, config.clone());
    assert_eq!(verdict.disposition, Policy::None);
    let seal =
        ArcSeal::new(domain("untrusted.example")).with(RecordedPass::Dkim(domain("example.com")));
    let input = super::input("example.com", None, &[]).arc_pass(vec![seal]);
    let (verdict, _) = evaluate_with(&zone, input, config);
    assert_eq!(verdict.disposition, Policy::Reject);
}

#[test]
fn a_trusted_forwarder_vouches_only_for_what_passed_on_its_arrival() {
    // RFC 8617 §7.2.1: the receiver reads the trusted intermediary's recorded results. A
    // spoof sent to the forwarder arrives there failing; its seal must not launder it.
    let zone = zone(&[
        ("_dmarc.example.com", "v=DMARC1; p=reject"),
        (
            "_dmarc.strict.example",
            "v=DMARC1; p=reject; adkim=s; aspf=s",
        ),
    ]);
    let config = Config {
        trusted_forwarders: vec![domain("lists.example.org")],
        ..Config::default()
    };
    let list = || ArcSeal::new(domain("lists.example.org"));
    let run = |author: &str, seal: ArcSeal| {
        let input = input(author, None, &[]).arc_pass(vec![seal]);
        evaluate_with(&zone, input, config.clone()).0
    };
    let vouched = [
        // dmarc=pass for the Author Domain itself.
        (
            "example.com",
            list().with(RecordedPass::Dmarc(domain("example.com"))),
        ),
        // Relaxed alignment of a recorded SPF (MAIL FROM) or DKIM pass.
        (
            "example.com",
            list().with(RecordedPass::Spf(domain("bounces.example.com"))),
        ),
        (
            "example.com",
            list().with(RecordedPass::Dkim(domain("mail.example.com"))),
        ),
    ];
    for (author, seal) in vouched {
        let verdict = run(author, seal.clone());
        assert_eq!(verdict.result, DmarcResult::Fail, "{seal:?}");
        assert_eq!(verdict.disposition, Policy::None, "{seal:?}");
    }
    let not_vouched = [
        // Nothing recorded as passing (the spoof failed at the forwarder).
        ("example.com", list()),
        // A pass for someone else: the attacker's own domain, or a dmarc pass of another
        // author.
        (
            "example.com",
            list().with(RecordedPass::Dkim(domain("attacker.example"))),
        ),
        (
            "example.com",
            list().with(RecordedPass::Dmarc(domain("mail.example.com"))),
        ),
        // Aligned only in relaxed mode, and the author asks for strict.
        (
            "strict.example",
            list().with(RecordedPass::Dkim(domain("mail.strict.example"))),
        ),
        (
            "strict.example",
            list().with(RecordedPass::Spf(domain("bounces.strict.example"))),
        ),
    ];
    for (author, seal) in not_vouched {
        let verdict = run(author, seal.clone());
        assert_eq!(verdict.disposition, Policy::Reject, "{seal:?}");
        assert!(verdict.deciding().unwrap().overrides.is_empty());
        assert!(
            verdict
                .reason()
                .contains("trusted forwarder lists.example.org recorded no pass"),
            "{}",
            verdict.reason()
        );
    }
}

#[test]
fn authentication_results_method() {
    // §9.1: header.from and policy.dmarc.
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject; t=y")]);
    let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
    assert_eq!(
        verdict.to_auth_result().to_string(),
        "dmarc=fail (p=reject sp=reject t=y dis=quarantine) reason=\"no SPF pass, no DKIM pass\" header.from=example.com policy.dmarc=quarantine"
    );
}
