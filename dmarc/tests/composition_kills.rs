//! "Composition Kills: A Case Study of Email Sender Authentication" (Chen et al., USENIX
//! Security 2020), the attacks DMARC decides: A1, A6, A9 to A13 and B1. In each, the attacker
//! authenticates its own domain (`attacker.example`, SPF and DKIM pass) and shows the victim's
//! (`bank.example`, `p=reject`) in the From field. The verdict must never be `pass` for the
//! victim; the messages are our own, written from the paper's descriptions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tegami_core::dns::{ZoneResolver, resolve};
use tegami_core::domain::Domain;
use tegami_dmarc::{Config, DmarcResult, Evaluation, Input, Policy, Verdict};
use tegami_mime::Author;

fn zone() -> ZoneResolver {
    ZoneResolver::from_master_file(concat!(
        "_dmarc.bank.example. 300 IN TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject\"\n",
        "bank.example. 300 IN A 192.0.2.1\n",
        "attacker.example. 300 IN A 198.51.100.1\n",
    ))
    .unwrap()
}

fn domain(name: &str) -> Domain {
    Domain::try_from(name).unwrap()
}

/// Evaluates a message whose From field is `from`, with the attacker's SPF and DKIM passing.
fn verdict(from: &[u8]) -> Verdict {
    let mut message = b"From:".to_vec();
    message.extend_from_slice(from);
    message.extend_from_slice(b"\r\nSubject: invoice\r\n\r\nbody\r\n");
    let input = Input::from_author(&Author::from_message(&message))
        .spf_pass(domain("attacker.example"))
        .dkim_pass(domain("attacker.example"));
    resolve(&mut Evaluation::new(input, Config::default()), &zone()).unwrap()
}

/// Not a pass for the victim: either a failing verdict that names bank.example, or no
/// Author Domain at all (permerror).
fn assert_not_pass_for_bank(verdict: &Verdict) {
    assert_ne!(verdict.result, DmarcResult::Pass, "{verdict:#?}");
    match verdict.result {
        DmarcResult::PermError => assert_ne!(verdict.disposition, Policy::None),
        _ => {
            assert_eq!(verdict.result, DmarcResult::Fail, "{verdict:#?}");
            assert_eq!(verdict.from_domain(), Some(&domain("bank.example")));
            assert_eq!(verdict.disposition, Policy::Reject);
        }
    }
}

#[test]
fn a1_helo_identity_of_a_non_existent_subdomain() {
    // A1: MAIL FROM at a non-existent subdomain gives SPF none, and the HELO check passes for
    // the attacker; DMARC must not align with the HELO identity.
    let helo_pass = tegami_spf::Verdict {
        result: tegami_spf::SpfResult::Pass,
        identity: tegami_spf::Identity::Helo,
        domain: "ghost.bank.example".into(),
        sender: "postmaster@ghost.bank.example".into(),
        explanation: None,
        reason: String::new(),
        mechanism: None,
    };
    let author = Author::from_message(b"From: ceo@ghost.bank.example\r\n\r\n");
    let input = Input::from_author(&author).spf(&helo_pass);
    let verdict = resolve(&mut Evaluation::new(input, Config::default()), &zone()).unwrap();
    assert_eq!(verdict.result, DmarcResult::Fail);
    // The non-existent subdomain (NXDOMAIN) takes np: reject.
    assert_eq!(verdict.disposition, Policy::Reject);
    assert_eq!(
        verdict.deciding().unwrap().policy_tag,
        Some(tegami_dmarc::PolicyTag::Np)
    );
}

#[test]
fn a6_multiple_from_fields() {
    let mut message = b"From: ceo@bank.example\r\nFrom: x@attacker.example\r\n".to_vec();
    message.extend_from_slice(b"Subject: s\r\n\r\n");
    let input =
        Input::from_author(&Author::from_message(&message)).dkim_pass(domain("attacker.example"));
    let verdict = resolve(&mut Evaluation::new(input, Config::default()), &zone()).unwrap();
    assert_not_pass_for_bank(&verdict);
    assert_eq!(verdict.result, DmarcResult::Fail);
}

#[test]
fn a9_multiple_addresses_in_one_from() {
    assert_not_pass_for_bank(&verdict(b" ceo@bank.example, x@attacker.example"));
    assert_not_pass_for_bank(&verdict(b" x@attacker.example, ceo@bank.example"));
}

#[test]
fn a10_encoded_address() {
    // The addr-spec's local part is an encoded word that decodes to ceo@bank.example.
    assert_not_pass_for_bank(&verdict(
        b" =?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?=@attacker.example",
    ));
    assert_not_pass_for_bank(&verdict(
        b" =?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?=, <x@attacker.example>",
    ));
}

#[test]
fn a11_route_portion() {
    assert_not_pass_for_bank(&verdict(
        b" <@bank.example,@relay.example:x@attacker.example>",
    ));
    assert_not_pass_for_bank(&verdict(b" <@bank.example:x@attacker.example>"));
}

#[test]
fn a12_quoted_pairs() {
    assert_not_pass_for_bank(&verdict(b" <ceo@bank.example\\,@attacker.example>"));
    assert_not_pass_for_bank(&verdict(b" ceo\\@bank.example@attacker.example"));
}

#[test]
fn a13_delimiter_precedence() {
    for from in [
        &b" ceo@bank.example <x@attacker.example>"[..],
        b" <ceo@bank.example>;<x@attacker.example>",
        b" <x@attacker.example> ceo@bank.example",
        b" ceo@bank.example(<x@attacker.example>)x@attacker.example",
    ] {
        let verdict = verdict(from);
        assert_eq!(verdict.result, DmarcResult::PermError, "{verdict:#?}");
        assert_not_pass_for_bank(&verdict);
    }
    // Legal, with a display name that reads as the victim's address: the Author Domain is
    // attacker.example (mime flags the display name), never bank.example.
    let verdict = verdict(b" \"ceo@bank.example\" <x@attacker.example>");
    assert_eq!(verdict.from_domain(), Some(&domain("attacker.example")));
    assert_ne!(verdict.result, DmarcResult::Fail);
}

#[test]
fn b1_invisible_characters() {
    // Zero-width space and other invisible characters inside the domain.
    for from in [
        " ceo@bank.exam\u{200b}ple",
        " ceo@bank\u{200d}.example",
        " ceo@bank.example\u{feff}",
    ] {
        assert_not_pass_for_bank(&verdict(from.as_bytes()));
    }
    // A soft hyphen is removed by IDNA mapping: the domain then is bank.example, and the
    // attacker's identifiers do not align with it.
    assert_not_pass_for_bank(&verdict(" ceo@bank.exam\u{ad}ple".as_bytes()));
}
