//! ARC end to end: a mailing list breaks SPF and DKIM and its seal lets the final receiver see
//! what the list saw; and seal → validate passes for any message, hop count and chunking.

use proptest::prelude::*;
use tegami_arc::{ChainStatus, Config, SealSpec, Sealer, Validator};
use tegami_core::crypto::{
    CryptoBackend, PrivateKey, RingBackend, RingSigningKey, SignPolicy, SigningKey,
};
use tegami_core::dns::{self, ZoneResolver};
use tegami_dkim::{DkimResult, Signer, SigningSpec, Verifier};
use tegami_spf::{Evaluation, SpfResult};

fn key(seed: u8) -> RingSigningKey {
    RingBackend
        .signing_key(
            &PrivateKey::ed25519_seed([seed; 32]),
            &SignPolicy::default(),
        )
        .unwrap()
}

fn key_record(name: &str, key: &RingSigningKey) -> String {
    format!(
        "{name}. 300 IN TXT \"v=DKIM1; k=ed25519; p={}\"\n",
        key.public_key().to_dkim_base64()
    )
}

fn seal(message: &[u8], key: &RingSigningKey, domain: &str, authserv_id: &str) -> Vec<u8> {
    let spec = SealSpec::new(
        key,
        domain.parse().unwrap(),
        "arc".try_into().unwrap(),
        authserv_id,
    );
    let mut sealer = Sealer::with_backend(RingBackend, spec, 1_700_000_000);
    sealer.handle_input(message);
    let set = sealer.finish().unwrap().expect("a set");
    [set.to_prepend().as_bytes(), message].concat()
}

fn validate(message: &[u8], zone: &ZoneResolver, chunk: usize) -> tegami_arc::ArcResult {
    let mut validator = Validator::new(Config::default());
    for piece in message.chunks(chunk.max(1)) {
        validator.handle_input(piece).unwrap();
    }
    validator.handle_end();
    dns::resolve(&mut validator, zone).unwrap()
}

#[test]
fn mailing_list_breaks_spf_and_dkim_and_arc_names_the_list() {
    let author = key(1);
    let list = key(2);
    let zone = ZoneResolver::from_master_file(&format!(
        "example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n{}{}",
        key_record("s1._domainkey.example.com", &author),
        key_record("arc._domainkey.lists.example.org", &list),
    ))
    .unwrap();

    // The author's server signs.
    let original = b"From: Alice <alice@example.com>\r\nTo: team@lists.example.org\r\nSubject: Lunch\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\r\nLunch at noon?\r\n";
    let spec = SigningSpec::new(
        &author,
        "example.com".parse().unwrap(),
        "s1".try_into().unwrap(),
    );
    let mut signer = Signer::new(vec![spec], 1_700_000_000);
    signer.handle_input(original);
    let signed = [signer.finish().unwrap().concat().as_bytes(), &original[..]].concat();

    // The list receives it from the author's server: SPF and DKIM pass there.
    let mut spf = Evaluation::new(
        "192.0.2.10".parse().unwrap(),
        "mail.example.com",
        "alice@example.com",
    );
    assert_eq!(
        dns::resolve(&mut spf, &zone).unwrap().result,
        SpfResult::Pass
    );
    let mut verifier = Verifier::new(tegami_dkim::Config::default(), 1_700_000_100);
    verifier.handle_input(&signed).unwrap();
    verifier.handle_end();
    assert_eq!(
        dns::resolve(&mut verifier, &zone).unwrap()[0].result,
        DkimResult::Pass
    );

    // The list records that, tags the subject, adds a footer, and seals.
    let text = String::from_utf8(signed)
        .unwrap()
        .replace("Subject: Lunch", "Subject: [team] Lunch")
        .replace(
            "Lunch at noon?\r\n",
            "Lunch at noon?\r\n-- \r\nteam mailing list\r\n",
        );
    let received = format!(
        "Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=alice@example.com;\r\n dkim=pass header.d=example.com; arc=none\r\n{text}"
    );
    let forwarded = seal(
        received.as_bytes(),
        &list,
        "lists.example.org",
        "lists.example.org",
    );

    // The final receiver gets it from the list's server: SPF and DKIM fail, ARC passes.
    let mut spf = Evaluation::new(
        "198.51.100.7".parse().unwrap(),
        "mail.lists.example.org",
        "alice@example.com",
    );
    assert_eq!(
        dns::resolve(&mut spf, &zone).unwrap().result,
        SpfResult::Fail
    );
    let mut verifier = Verifier::new(tegami_dkim::Config::default(), 1_700_000_200);
    verifier.handle_input(&forwarded).unwrap();
    verifier.handle_end();
    assert_eq!(
        dns::resolve(&mut verifier, &zone).unwrap()[0].result,
        DkimResult::Fail
    );
    let arc = validate(&forwarded, &zone, 64);
    assert_eq!(arc.status, ChainStatus::Pass, "{:?}", arc.failure);
    assert_eq!(arc.seal_domains, ["lists.example.org"]);
    let field = arc.to_auth_result();
    assert_eq!(field.result, "pass");
    assert!(
        field
            .comments
            .iter()
            .any(|comment| comment.contains("lists.example.org"))
    );

    // What the list saw travels in the AAR for a receiver that trusts the list.
    let aar = forwarded
        .split(|&b| b == b'\n')
        .find(|line| line.starts_with(b"ARC-Authentication-Results:"))
        .unwrap();
    assert!(
        String::from_utf8_lossy(aar)
            .starts_with("ARC-Authentication-Results: i=1; lists.example.org;")
    );

    // A change after sealing breaks the chain at the newest AMS.
    let tampered = String::from_utf8(forwarded)
        .unwrap()
        .replace("noon?", "one?");
    let broken = validate(tampered.as_bytes(), &zone, 1000);
    assert_eq!(broken.status, ChainStatus::Fail);
    assert_eq!(broken.failed_instance, Some(1));
}

/// A message with `hops` forwarders, each recording its results and sealing.
fn forwarded(body: &str, hops: u32, keys: &[RingSigningKey]) -> Vec<u8> {
    let mut message = format!("From: a@example.com\r\nSubject: x\r\n\r\n{body}").into_bytes();
    for hop in 1..=hops {
        // Three organisations take turns; each hop has its own authserv-id.
        let domain = format!("hop{}.example", hop % 3);
        let authserv_id = format!("mx{hop}.{domain}");
        let status = if hop == 1 { "none" } else { "pass" };
        let results = format!("Authentication-Results: {authserv_id}; arc={status}\r\n");
        message = [results.as_bytes(), &message].concat();
        let key = &keys[usize::try_from(hop % 3).unwrap()];
        message = seal(&message, key, &domain, &authserv_id);
    }
    message
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn seal_then_validate_passes_for_any_hop_count_and_chunking(
        body in "[a-z \t\r\n]{0,300}",
        hops in 1u32..=50,
        chunk in 1usize..200,
    ) {
        let keys = [key(10), key(11), key(12)];
        let zone = ZoneResolver::from_master_file(&(0..3).map(|i| key_record(&format!("arc._domainkey.hop{i}.example"), &keys[i])).collect::<String>()).unwrap();
        let message = forwarded(&body, hops, &keys);
        let result = validate(&message, &zone, chunk);
        prop_assert_eq!(result.status, ChainStatus::Pass, "{:?}", result.failure);
        prop_assert_eq!(result.instances, hops);
        prop_assert_eq!(result.oldest_pass, Some(1));
    }
}
