//! RFC 9989 §4.10.1 (DMARC Policy Discovery) and the non-existent domains of §3.2.13.

use tegami_dmarc::{DmarcResult, ExistenceTest, Policy, PolicyTag};

use super::*;

/// Evaluates a message from `author` with no aligned identifier and returns
/// (result, policy domain, policy, tag).
fn discover(
    zone: &ZoneResolver,
    author: &str,
    config: Config,
) -> (
    DmarcResult,
    Option<String>,
    Option<Policy>,
    Option<PolicyTag>,
) {
    let (verdict, _) = evaluate_with(zone, input(author, None, &[]), config);
    let author = verdict.deciding().unwrap();
    (
        verdict.result,
        author.policy_domain.as_ref().map(ToString::to_string),
        author.policy,
        author.policy_tag,
    )
}

#[test]
fn where_the_policy_comes_from() {
    // "The DMARC Policy Record to be applied ... the Author Domain; the Organizational Domain
    // of the Author Domain; the Public Suffix Domain of the Author Domain", p for the Author
    // Domain's own record, sp or np for an ancestor's.
    let zone = {
        let mut zone = zone(&[
            (
                "_dmarc.example.com",
                "v=DMARC1; p=reject; sp=quarantine; np=none",
            ),
            ("_dmarc.own.example.com", "v=DMARC1; p=none"),
            (
                "_dmarc.bank.example",
                "v=DMARC1; p=quarantine; np=reject; psd=y",
            ),
            ("_dmarc.giant.bank.example", "v=DMARC1; p=none; sp=none"),
        ]);
        zone.insert_name("mail.example.com");
        zone.insert_name("newcorp.bank.example");
        zone
    };
    let cases: &[(
        &str,
        (DmarcResult, Option<&str>, Option<Policy>, Option<PolicyTag>),
    )] = &[
        // The Author Domain's own record: p.
        (
            "example.com",
            (
                DmarcResult::Fail,
                Some("example.com"),
                Some(Policy::Reject),
                Some(PolicyTag::P),
            ),
        ),
        (
            "own.example.com",
            (
                DmarcResult::Fail,
                Some("own.example.com"),
                Some(Policy::None),
                Some(PolicyTag::P),
            ),
        ),
        // An existing subdomain: sp.
        (
            "mail.example.com",
            (
                DmarcResult::Fail,
                Some("example.com"),
                Some(Policy::Quarantine),
                Some(PolicyTag::Sp),
            ),
        ),
        // A non-existent subdomain (NXDOMAIN, §3.2.13): np.
        (
            "ghost.example.com",
            (
                DmarcResult::Fail,
                Some("example.com"),
                Some(Policy::None),
                Some(PolicyTag::Np),
            ),
        ),
        // An Organizational Domain with its own record: the PSD record is not used (the Note
        // at the end of §4.10.1).
        (
            "mail.giant.bank.example",
            (
                DmarcResult::Fail,
                Some("giant.bank.example"),
                Some(Policy::None),
                Some(PolicyTag::Sp),
            ),
        ),
        // No record at the Organizational Domain newcorp.bank.example: the PSD's record, as a
        // subdomain of it (exists: sp falls back to p).
        (
            "newcorp.bank.example",
            (
                DmarcResult::Fail,
                Some("bank.example"),
                Some(Policy::Quarantine),
                Some(PolicyTag::Sp),
            ),
        ),
        (
            "x.ghostcorp.bank.example",
            (
                DmarcResult::Fail,
                Some("bank.example"),
                Some(Policy::Reject),
                Some(PolicyTag::Np),
            ),
        ),
    ];
    for (author, (result, policy_domain, policy, tag)) in cases {
        let found = discover(&zone, author, Config::default());
        assert_eq!(
            found,
            (*result, policy_domain.map(str::to_owned), *policy, *tag),
            "{author}"
        );
    }
}

#[test]
fn no_record_means_no_dmarc() {
    // "If the set produced by the DNS Tree Walk contains no DMARC Policy Record ... Mail
    // Receivers MUST NOT apply the DMARC mechanism to the message."
    let (verdict, asked) = evaluate(&zone(&[]), input("mail.example.com", None, &[]));
    assert_eq!(verdict.result, DmarcResult::None);
    assert_eq!(verdict.disposition, Policy::None);
    assert_eq!(
        asked,
        [
            "_dmarc.mail.example.com TXT",
            "_dmarc.example.com TXT",
            "_dmarc.com TXT"
        ]
    );
}

#[test]
fn unusable_record_means_no_dmarc() {
    // "Otherwise, the Mail Receiver applies no DMARC processing to this message."
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=bogus")]);
    let (verdict, _) = evaluate(&zone, input("example.com", None, &[]));
    assert_eq!(verdict.result, DmarcResult::None);
    // ... and with a valid rua it acts as p=none.
    let zone2 = super::zone(&[(
        "_dmarc.example.com",
        "v=DMARC1; p=bogus; rua=mailto:d@example.com",
    )]);
    let (verdict, _) = evaluate(&zone2, input("example.com", None, &[]));
    assert_eq!(verdict.result, DmarcResult::Fail);
    assert_eq!(verdict.policy(), Some(Policy::None));
    assert_eq!(verdict.disposition, Policy::None);
}

#[test]
fn temporary_dns_failure_is_temperror() {
    // "Handling of DNS errors ... is left to the discretion of the Mail Receiver"; §5.3.6:
    // such a message "cannot be considered to pass or fail".
    let mut zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    zone.fail_temporarily("_dmarc.mail.example.com", None);
    let (verdict, _) = evaluate(&zone, input("mail.example.com", None, &[]));
    assert_eq!(verdict.result, DmarcResult::TempError);
    assert_eq!(verdict.disposition, Policy::None);
}

#[test]
fn existence_is_asked_only_when_np_matters() {
    let mut zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject; np=quarantine")]);
    zone.insert_name("mail.example.com");
    let (_, asked) = evaluate(&zone, input("mail.example.com", None, &[]));
    assert!(
        asked.contains(&"mail.example.com A".to_owned()),
        "{asked:?}"
    );
    let zone = super::zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    let (_, asked) = evaluate(&zone, input("mail.example.com", None, &[]));
    assert!(!asked.iter().any(|q| q.ends_with(" A")), "{asked:?}");
}

#[test]
fn rfc_9091_existence_test_is_an_option() {
    // A name with only a TXT record exists for RFC 9989 but has no A, AAAA or MX records, the
    // test of RFC 9091 §2.7.
    let zone = zone(&[
        ("_dmarc.example.com", "v=DMARC1; p=none; np=reject"),
        ("txtonly.example.com", "hello"),
    ]);
    let (_, _, policy, tag) = discover(&zone, "txtonly.example.com", Config::default());
    assert_eq!((policy, tag), (Some(Policy::None), Some(PolicyTag::Sp)));
    let config = Config {
        existence: ExistenceTest::NoMailRecords,
        ..Config::default()
    };
    let (_, _, policy, tag) = discover(&zone, "txtonly.example.com", config);
    assert_eq!((policy, tag), (Some(Policy::Reject), Some(PolicyTag::Np)));
}

#[test]
fn public_suffix_list_discovery_of_rfc_7489() {
    // RFC 7489 §6.6.3: the Author Domain, else the Organizational Domain from the PSL.
    let zone = zone(&[("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine")]);
    let config = Config {
        discovery: tegami_dmarc::Discovery::PublicSuffixList(Default::default()),
        ..Config::default()
    };
    let (verdict, asked) = evaluate_with(&zone, input("a.b.example.co.uk", None, &[]), config);
    assert_eq!(
        asked,
        ["_dmarc.a.b.example.co.uk TXT", "_dmarc.example.co.uk TXT"]
    );
    assert_eq!(verdict.policy(), Some(Policy::Quarantine));
}
