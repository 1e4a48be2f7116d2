//! "Weak Links in Authentication Chains: A Large-scale Analysis of Email Sender Spoofing
//! Attacks" (Shen et al., USENIX Security 2021): its fourteen attacks, each as far as a library
//! decides it, through the whole receive pipeline (SPF, DKIM, ARC, DMARC). The attacker
//! controls `attacker.example` (SPF passes for 198.51.100.0/24) and wants its mail shown as
//! coming from `bank.example` (`p=reject`). The messages are our own, written from the
//! paper's descriptions.
//!
//! A1 (the authenticated user differs from MAIL FROM) is decided in the SMTP session and
//! tested in `tests/smtp.rs`; the forwarding attacks A10 and A11 use the example zone's mailing
//! list (`lists.example.org`) as the forwarder.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use tegami::arc::{SealSpec, Sealer};
use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::crypto::{CryptoBackend as _, PrivateKey, RingBackend, SignPolicy};
use tegami::core::dns::{ZoneResolver, resolve};
use tegami::core::domain::Domain;
use tegami::dkim::{Selector, Signer, SigningSpec};
use tegami::dmarc::{DmarcResult, Policy, PolicyOverride, PolicyTag};
use tegami::mime::{Author, ProblemKind};

const NOW: u64 = 1_795_424_500;
const ATTACKER_IP: &str = "198.51.100.7";

fn zone() -> ZoneResolver {
    ZoneResolver::from_master_file(concat!(
        "bank.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n",
        "bank.example. 300 IN A 192.0.2.1\n",
        "_dmarc.bank.example. 300 IN TXT \"v=DMARC1; p=reject\"\n",
        // A host of the bank that sends no mail and publishes no SPF record.
        "mail.bank.example. 300 IN A 192.0.2.2\n",
        "attacker.example. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n",
        "attacker.example. 300 IN A 198.51.100.1\n",
        // bаnk.example with a Cyrillic "а" (U+0430), registered by the attacker.
        "xn--bnk-6cd.example. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n",
        "xn--bnk-6cd.example. 300 IN A 198.51.100.1\n",
    ))
    .unwrap()
}

fn domain(name: &str) -> Domain {
    Domain::try_from(name).unwrap()
}

/// Runs the pipeline on `header` (CRLF-separated fields) and a short body, sent by the attacker.
fn run_with(
    zone: &ZoneResolver,
    connection: Connection,
    message: &[u8],
    config: Config,
) -> Outcome {
    let mut pipeline = Authenticator::new(connection, config, NOW);
    pipeline.handle_input(message).unwrap();
    pipeline.handle_end();
    resolve(&mut pipeline, zone).unwrap()
}

fn attacker(mail_from: &str, helo: &str) -> Connection {
    Connection {
        ip: ATTACKER_IP.parse().unwrap(),
        helo: helo.into(),
        mail_from: mail_from.into(),
    }
}

fn message(header: &str) -> Vec<u8> {
    format!("{header}\r\nTo: victim@mx.example.net\r\nSubject: invoice\r\n\r\nPlease pay.\r\n")
        .into_bytes()
}

/// The attacker's message with its own MAIL FROM (SPF passes for attacker.example).
fn run(header: &str) -> Outcome {
    run_with(
        &zone(),
        attacker("x@attacker.example", "mx.attacker.example"),
        &message(header),
        Config::new("mx.example.net"),
    )
}

/// Never a pass for the victim: either DMARC fails for bank.example with its policy, or the
/// From cannot be read one way (permerror) and is not delivered as is.
fn assert_not_pass_for_bank(outcome: &Outcome) {
    let verdict = &outcome.dmarc;
    match verdict.result {
        DmarcResult::PermError => assert_ne!(verdict.disposition, Policy::None, "{verdict:#?}"),
        DmarcResult::Fail => {
            assert!(
                verdict
                    .authors
                    .iter()
                    .any(|a| a.domain == domain("bank.example")),
                "{verdict:#?}"
            );
            assert_eq!(verdict.disposition, Policy::Reject, "{verdict:#?}");
        }
        _ => panic!("{verdict:#?}"),
    }
    assert!(
        !outcome.field().contains("dmarc=pass"),
        "{}",
        outcome.field()
    );
}

#[test]
fn weak_links_a2_from_differs_from_mail_from() {
    // A2: the envelope is the attacker's own (SPF pass), the From is the bank's.
    let outcome = run("From: ceo@bank.example");
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "pass");
    assert_eq!(outcome.dmarc.result, DmarcResult::Fail);
    assert_not_pass_for_bank(&outcome);
    assert!(
        outcome.field().contains("header.from=bank.example"),
        "{}",
        outcome.field()
    );
}

#[test]
fn weak_links_a3_empty_mail_from() {
    // A3: a null reverse-path makes SPF check the HELO name (RFC 7208 §2.4); a HELO pass is
    // never an SPF-Authenticated Identifier for DMARC (RFC 9989 §4.4.2).
    for helo in ["mx.attacker.example", "attacker.example"] {
        let outcome = run_with(
            &zone(),
            attacker("", helo),
            &message("From: ceo@bank.example"),
            Config::new("mx.example.net"),
        );
        let spf = outcome.spf.as_ref().unwrap();
        assert_eq!(spf.identity, tegami::spf::Identity::Helo);
        assert_not_pass_for_bank(&outcome);
    }
    // A HELO naming the bank itself, from the attacker's address: SPF fails outright.
    let outcome = run_with(
        &zone(),
        attacker("", "bank.example"),
        &message("From: ceo@bank.example"),
        Config::new("mx.example.net"),
    );
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "fail");
    assert_not_pass_for_bank(&outcome);
}

#[test]
fn weak_links_a4_multiple_from_fields() {
    // A4: one client shows the first From, another the last; DMARC evaluates both.
    for header in [
        "From: ceo@bank.example\r\nFrom: x@attacker.example",
        "From: x@attacker.example\r\nFrom: ceo@bank.example",
    ] {
        let outcome = run(header);
        assert_not_pass_for_bank(&outcome);
    }
}

#[test]
fn weak_links_a5_multiple_addresses_in_from() {
    // A5: several mailboxes, in the forms the paper lists.
    for header in [
        "From: <ceo@bank.example>, <x@attacker.example>",
        "From: <x@attacker.example>, <ceo@bank.example>",
        "From: [ceo@bank.example], <x@attacker.example>",
        "From: <ceo@bank.example>,<x@attacker.example>",
    ] {
        assert_not_pass_for_bank(&run(header));
    }
}

#[test]
fn weak_links_a6_parsing_inconsistencies() {
    // A6: a route portion, an empty list element, comments inside the addr-spec, and a
    // truncating character.
    for header in [
        "From: <@attacker.example,@relay.example:ceo@bank.example>",
        "From: <ceo@bank.example>,,<x@attacker.example>",
        "From: ,<ceo@bank.example>",
        "From: <ceo(x@attacker.example)@bank.example(attacker.example)>",
        "From: ceo@bank.example\u{0}@attacker.example",
        "From: <ceo@bank.example\u{0}.attacker.example>",
    ] {
        assert_not_pass_for_bank(&run(header));
    }
    // A comment inside the addr-spec is no part of it: the domain read is bank.example,
    // never the text of the comment.
    let author = Author::from_message(&message(
        "From: <ceo(x@attacker.example)@bank.example(attacker.example)>",
    ));
    assert_eq!(author.domains(), [domain("bank.example")]);
}

#[test]
fn weak_links_a7_encoded_from() {
    // A7: an encoded word in the addr-spec is never decoded (RFC 2047 §5): the From cannot be
    // read one way, DMARC is permerror and the message is not shown as the bank's.
    // "ceo@bank.example" and U+FFFF, base64 in encoded words, before the attacker's domain.
    let header = "From: <=?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?==?utf-8?b?77+/?=@attacker.example>";
    let outcome = run(header);
    assert_eq!(outcome.dmarc.result, DmarcResult::PermError);
    assert_not_pass_for_bank(&outcome);
    let author = Author::from_message(&message(header));
    assert!(
        author
            .problems()
            .iter()
            .any(|p| p.kind == ProblemKind::EncodedWordInAddress),
        "{author:#?}"
    );
    // An encoded display name that decodes to the bank's address: the Author Domain is the
    // attacker's (its own DMARC), and mime flags the display name for a client to show.
    let header = "From: =?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?= <x@attacker.example>";
    let outcome = run(header);
    assert_eq!(
        outcome.dmarc.from_domain(),
        Some(&domain("attacker.example"))
    );
    let author = Author::from_message(&message(header));
    assert!(
        author
            .problems()
            .iter()
            .any(|p| p.kind == ProblemKind::DisplayNameLooksLikeAddress),
        "{author:#?}"
    );
}

#[test]
fn weak_links_a8_sender_field_is_not_the_author() {
    // A8: clients show Sender ("on behalf of") beside or instead of From. DMARC judges the
    // From field only: a Sender naming the bank changes nothing.
    let outcome = run("Sender: ceo@bank.example\r\nFrom: x@attacker.example");
    assert_eq!(
        outcome.dmarc.from_domain(),
        Some(&domain("attacker.example"))
    );
    assert!(
        !outcome.field().contains("bank.example"),
        "{}",
        outcome.field()
    );
    // No From at all, only a Sender: no Author Domain (permerror), never the Sender's.
    let outcome = run("Sender: ceo@bank.example");
    assert_eq!(outcome.dmarc.result, DmarcResult::PermError);
    assert_not_pass_for_bank(&outcome);
}

#[test]
fn weak_links_a9_subdomain_without_spf() {
    // A9: mail.bank.example exists but publishes no SPF record; SPF says none. The
    // organisational domain's policy covers it (sp defaults to p): reject.
    let outcome = run_with(
        &zone(),
        attacker("ceo@mail.bank.example", "mx.attacker.example"),
        &message("From: ceo@mail.bank.example"),
        Config::new("mx.example.net"),
    );
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "none");
    assert_eq!(outcome.dmarc.result, DmarcResult::Fail);
    assert_eq!(outcome.dmarc.disposition, Policy::Reject);
    let deciding = outcome.dmarc.deciding().unwrap();
    assert_eq!(deciding.policy_tag, Some(PolicyTag::Sp));
    assert_eq!(deciding.policy_domain, Some(domain("bank.example")));
    // A name that does not exist is covered as well (np defaults to sp).
    let outcome = run("From: ceo@ghost.bank.example");
    assert_eq!(outcome.dmarc.result, DmarcResult::Fail);
    assert_eq!(outcome.dmarc.disposition, Policy::Reject);
}

/// The example zone, where `lists.example.org` forwards mail and signs and seals as
/// `list2026`.
fn example_zone() -> ZoneResolver {
    ZoneResolver::from_master_file(&String::from_utf8(common::example("example.com.zone")).unwrap())
        .unwrap()
}

/// What the forwarder (`lists.example.org`) does: authenticate on arrival, then sign as
/// itself and seal with the arrival results. Returns the arrival outcome and the forwarded
/// message.
fn forward(arrival: Connection, message: &[u8]) -> (Outcome, Vec<u8>) {
    let zone = example_zone();
    let outcome = run_with(&zone, arrival, message, Config::new("lists.example.org"));
    let results = format!("{}\r\n", outcome.field());
    let pem = String::from_utf8(common::example("keys/list2026.pem")).unwrap();
    let key = RingBackend
        .signing_key(&PrivateKey::from_pem(&pem).unwrap(), &SignPolicy::default())
        .unwrap();
    let selector = Selector::try_from("list2026").unwrap();
    let spec = SigningSpec::new(&key, domain("lists.example.org"), selector.clone());
    let mut signer = Signer::new(vec![spec], NOW);
    signer.handle_input(message);
    let dkim = signer.finish().unwrap().concat();
    let mut spec = SealSpec::new(
        &key,
        domain("lists.example.org"),
        selector,
        "lists.example.org",
    );
    spec.chain_status = outcome.arc.as_ref().map(|arc| arc.status);
    let mut sealer = Sealer::with_backend(RingBackend, spec, NOW);
    sealer.handle_input(results.as_bytes());
    sealer.handle_input(dkim.as_bytes());
    sealer.handle_input(message);
    let set = sealer.finish().unwrap().unwrap();
    let forwarded = [
        set.to_prepend().as_bytes(),
        results.as_bytes(),
        dkim.as_bytes(),
        message,
    ]
    .concat();
    (outcome, forwarded)
}

/// The final receiver, which trusts the forwarder's ARC seal.
fn receive_forwarded(forwarded: &[u8]) -> Outcome {
    let mut config = Config::new("mx.example.net");
    config.dmarc.trusted_forwarders = vec![domain("lists.example.org")];
    run_with(
        &example_zone(),
        Connection {
            ip: "198.51.100.10".parse().unwrap(),
            helo: "mail.lists.example.org".into(),
            mail_from: "team-bounces@lists.example.org".into(),
        },
        forwarded,
        config,
    )
}

fn post_from_alice() -> Vec<u8> {
    b"From: Alice <alice@example.com>\r\nTo: team@lists.example.org\r\n\
      Subject: new bank details\r\nDate: Tue, 17 Nov 2026 09:00:00 +0000\r\n\
      Message-ID: <post@example.com>\r\n\r\nPlease pay the invoice to our new account.\r\n"
        .to_vec()
}

#[test]
fn weak_links_a10_unauthorised_forwarding_is_not_laundered_by_a_trusted_seal() {
    // A10: the attacker sends a spoof of Alice to the forwarder, which forwards it with a valid
    // signature and seal of its own. The forwarder's arrival check failed the spoof and its
    // seal says so; the final receiver, although it trusts the forwarder, keeps the policy.
    let (arrival, forwarded) = forward(
        attacker("alice@example.com", "mx.attacker.example"),
        &post_from_alice(),
    );
    assert_eq!(arrival.dmarc.result, DmarcResult::Fail);
    let outcome = receive_forwarded(&forwarded);
    assert_eq!(outcome.arc.as_ref().unwrap().status.as_str(), "pass");
    assert_eq!(outcome.dmarc.result, DmarcResult::Fail);
    assert_eq!(outcome.dmarc.disposition, Policy::Reject);
    assert!(outcome.dmarc.deciding().unwrap().overrides.is_empty());
    assert!(
        outcome.dmarc.reason().contains("recorded no pass"),
        "{}",
        outcome.dmarc.reason()
    );

    // The same path for Alice's genuine post (from example.com's own server, 192.0.2.25): the
    // seal records her SPF pass, and the trusted forwarder's override applies.
    let (arrival, forwarded) = forward(
        Connection {
            ip: "192.0.2.25".parse().unwrap(),
            helo: "mail.example.com".into(),
            mail_from: "alice@example.com".into(),
        },
        &post_from_alice(),
    );
    assert_eq!(arrival.dmarc.result, DmarcResult::Pass);
    let outcome = receive_forwarded(&forwarded);
    assert_eq!(outcome.dmarc.result, DmarcResult::Fail);
    assert_eq!(outcome.dmarc.disposition, Policy::None);
    assert_eq!(
        outcome.dmarc.deciding().unwrap().overrides,
        [PolicyOverride::TrustedForwarder(domain(
            "lists.example.org"
        ))]
    );
}

#[test]
fn weak_links_a11_forwarders_signature_does_not_align_with_the_author() {
    // A11: the attacker obtains the forwarder's valid DKIM signature over its spoof and replays
    // the signed message to the victim directly. The signature passes for lists.example.org,
    // which is not aligned with example.com: DMARC fails with example.com's policy.
    let (_, forwarded) = forward(
        attacker("alice@example.com", "mx.attacker.example"),
        &post_from_alice(),
    );
    let outcome = run_with(
        &example_zone(),
        attacker("x@attacker.example", "mx.attacker.example"),
        &forwarded,
        Config::new("mx.example.net"),
    );
    assert!(
        outcome
            .dkim
            .iter()
            .any(|d| d.result.as_str() == "pass" && d.domain == "lists.example.org"),
        "{:#?}",
        outcome.dkim
    );
    assert_eq!(outcome.dmarc.result, DmarcResult::Fail);
    assert_eq!(outcome.dmarc.from_domain(), Some(&domain("example.com")));
    assert_eq!(outcome.dmarc.disposition, Policy::Reject);
}

#[test]
fn weak_links_a12_idn_homograph_is_its_own_domain() {
    // A12: bаnk.example with a Cyrillic "а" looks like bank.example. It is another domain: the
    // attacker's, evaluated (and reported in the A-R field) as its A-label, which a client can
    // show instead of the look-alike.
    let outcome = run("From: ceo@b\u{430}nk.example");
    assert_eq!(
        outcome.dmarc.from_domain(),
        Some(&domain("xn--bnk-6cd.example"))
    );
    assert!(
        outcome.field().contains("header.from=xn--bnk-6cd.example"),
        "{}",
        outcome.field()
    );
    assert!(!outcome.field().contains("header.from=bank.example"));
}

#[test]
fn weak_links_a13_invisible_and_semantic_characters() {
    // A13: control characters (U+0000 to U+001F), U+FFxx and extra semantic characters that a
    // client drops or renders away, leaving bank.example on screen.
    for header in [
        "From: ceo@bank.exa\u{1}mple",
        "From: ceo@bank\u{fff0}.example",
        "From: ceo@ba@nk.example",
        "From: <ceo@bank.example\u{1f}@attacker.example>",
        "From: <ceo@bank.example\u{0}@attacker.example>",
    ] {
        let outcome = run(header);
        assert_eq!(outcome.dmarc.result, DmarcResult::PermError, "{header:?}");
        assert_ne!(outcome.dmarc.disposition, Policy::None, "{header:?}");
    }
    // U+FF0E (fullwidth full stop) is a label separator in IDNA (UTS #46 maps it to "."): the
    // domain is the attacker's subdomain, evaluated and reported whole, never cut at U+FF0E.
    let outcome = run("From: ceo@bank.example\u{ff0e}attacker.example");
    let whole = domain("bank.example.attacker.example");
    assert_eq!(outcome.dmarc.from_domain(), Some(&whole));
    assert!(
        outcome
            .field()
            .contains("header.from=bank.example.attacker.example"),
        "{}",
        outcome.field()
    );
}

#[test]
fn weak_links_a14_bidirectional_overrides() {
    // A14: U+202E (right-to-left override) and U+202D make "moc.knab@..." display as the bank's
    // address. Such an address has no valid domain: permerror, not delivered as is.
    for header in [
        "From: \u{202e}elpmaxe.knab@\u{202d}ceo",
        "From: <ceo@\u{202e}elpmaxe.knab>",
        "From: ceo@bank.example\u{202e}",
    ] {
        let outcome = run(header);
        assert_eq!(outcome.dmarc.result, DmarcResult::PermError, "{header:?}");
        assert_ne!(outcome.dmarc.disposition, Policy::None, "{header:?}");
    }
}
