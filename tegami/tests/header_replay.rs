//! "Composition Kills" (USENIX Security 2020) A14 and A18: header fields added to a signed
//! message after signing. The signer oversigns the fields a reader trusts (its `h=` names each
//! of them once more than the message holds), so a second From or Subject breaks the
//! signature instead of being shown to the reader next to a valid one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use tegami::core::crypto::{CryptoBackend, PrivateKey, RingBackend, SignPolicy};
use tegami::core::dns::{self, ZoneResolver};
use tegami::dkim::{Config, DkimResult, Signer, SigningSpec, Verifier};

const NOW: u64 = 1_795_424_500;

fn example(name: &str) -> String {
    String::from_utf8(common::example(name)).unwrap()
}

/// `examples/message.eml` in CRLF form, signed with the demo ed25519 key of the example zone.
fn signed() -> String {
    let message = example("message.eml");
    let key = PrivateKey::from_pem(&example("keys/ed2026.pem")).unwrap();
    let key = RingBackend
        .signing_key(&key, &SignPolicy::default())
        .unwrap();
    let spec = SigningSpec::new(
        &key,
        "example.com".parse().unwrap(),
        "ed2026".try_into().unwrap(),
    );
    let mut signer = Signer::new(vec![spec], NOW);
    signer.handle_input(message.as_bytes());
    let field = signer.finish().unwrap().remove(0);
    format!("{field}{message}")
}

fn verify(message: &str) -> DkimResult {
    let zone = ZoneResolver::from_master_file(&example("example.com.zone")).unwrap();
    let mut verifier = Verifier::new(Config::default(), NOW);
    verifier.handle_input(message.as_bytes()).unwrap();
    verifier.handle_end();
    dns::resolve(&mut verifier, &zone).unwrap()[0].result
}

#[test]
fn the_signed_example_verifies() {
    assert_eq!(verify(&signed()), DkimResult::Pass);
}

#[test]
fn composition_kills_a14_added_from_breaks_the_signature() {
    let message = signed();
    // A second From on top: many readers show the topmost one.
    let attacked = format!("From: \"Bank\" <ceo@bank.example>\r\n{message}");
    assert_eq!(verify(&attacked), DkimResult::Fail);
    // ... and at the bottom of the header, where some verifiers look.
    let (head, body) = message.split_once("\r\n\r\n").unwrap();
    let attacked = format!("{head}\r\nFrom: ceo@bank.example\r\n\r\n{body}");
    assert_eq!(verify(&attacked), DkimResult::Fail);
}

#[test]
fn composition_kills_a18_replayed_message_with_a_new_subject_fails() {
    let message = signed();
    let (head, body) = message.split_once("\r\n\r\n").unwrap();
    let attacked = format!("{head}\r\nSubject: Urgent: new bank details\r\n\r\n{body}");
    assert_eq!(verify(&attacked), DkimResult::Fail);
    let attacked = format!("Reply-To: attacker@evil.example\r\n{message}");
    assert_eq!(verify(&attacked), DkimResult::Fail);
}
