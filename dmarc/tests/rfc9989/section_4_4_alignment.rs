//! RFC 9989 §3.2.10 and §4.4 (Identifier Alignment), §4.10.2 (Identifier Alignment
//! Evaluation), with the examples of Appendix B.1 and §11.8.

use tegami_dmarc::{Alignment, DmarcResult};

use super::*;

fn alignment(
    zone: &ZoneResolver,
    author: &str,
    spf: Option<&str>,
    dkim: &[&str],
) -> (Alignment, Alignment) {
    let (verdict, _) = evaluate(zone, input(author, spf, dkim));
    let author = verdict.deciding().unwrap();
    (author.spf, author.dkim)
}

#[test]
fn appendix_b_1_examples() {
    let relaxed = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    use Alignment::*;
    let cases: &[(&str, Option<&str>, &[&str], (Alignment, Alignment))] = &[
        // B.1.1 Example 1: SPF in strict alignment.
        (
            "example.com",
            Some("example.com"),
            &[],
            (Aligned, NoIdentifier),
        ),
        // B.1.1 Example 2: SPF in relaxed alignment (a child of the Author Domain).
        (
            "example.com",
            Some("child.example.com"),
            &[],
            (Aligned, NoIdentifier),
        ),
        // B.1.1 Example 3: no SPF alignment.
        (
            "child.example.com",
            Some("example.net"),
            &[],
            (NotAligned, NoIdentifier),
        ),
        // B.1.2 Example 1: DKIM in strict alignment.
        (
            "example.com",
            None,
            &["example.com"],
            (NoIdentifier, Aligned),
        ),
        // B.1.2 Example 2: DKIM in relaxed alignment (a parent of the Author Domain).
        (
            "child.example.com",
            None,
            &["example.com"],
            (NoIdentifier, Aligned),
        ),
        // B.1.2 Example 3: no DKIM alignment.
        (
            "child.example.com",
            None,
            &["example.net"],
            (NoIdentifier, NotAligned),
        ),
        // §4.4.1: "it is considered to produce a DMARC pass result if any DKIM-Authenticated
        // Identifier aligns".
        (
            "example.com",
            None,
            &["other.example", "example.com"],
            (NoIdentifier, Aligned),
        ),
        // Table 1: foo.example.com and news.example.com share example.com.
        (
            "news.example.com",
            Some("foo.example.com"),
            &[],
            (Aligned, NoIdentifier),
        ),
        // Label-wise: badexample.com is not below example.com.
        (
            "example.com",
            Some("badexample.com"),
            &["badexample.com"],
            (NotAligned, NotAligned),
        ),
    ];
    for (author, spf, dkim, expected) in cases {
        assert_eq!(
            alignment(&relaxed, author, *spf, dkim),
            *expected,
            "{author} {spf:?} {dkim:?}"
        );
    }
}

#[test]
fn strict_mode_needs_identical_domains() {
    // §3.2.10.2 and §4.7 adkim/aspf "s".
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s")]);
    assert_eq!(
        alignment(
            &zone,
            "example.com",
            Some("mail.example.com"),
            &["mail.example.com"]
        ),
        (Alignment::NotAligned, Alignment::NotAligned)
    );
    assert_eq!(
        alignment(&zone, "example.com", Some("example.com"), &["EXAMPLE.com"]),
        (Alignment::Aligned, Alignment::Aligned)
    );
    // Strict alignment needs no tree walk (§4.10.2 Note): one query only.
    let (_, asked) = evaluate(&zone, input("example.com", Some("mail.example.com"), &[]));
    assert_eq!(asked, ["_dmarc.example.com TXT"]);
}

#[test]
fn helo_identity_and_failed_results_never_align() {
    // §4.4.2: "DMARC relies solely on SPF validation of the MAIL FROM identity"; B.1:
    // "Alignment cannot exist if SPF does not produce a passing result" (likewise DKIM).
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    let helo = tegami_spf::Verdict {
        result: tegami_spf::SpfResult::Pass,
        identity: tegami_spf::Identity::Helo,
        domain: "example.com".into(),
        sender: "postmaster@example.com".into(),
        explanation: None,
        reason: String::new(),
        mechanism: None,
    };
    let softfail = tegami_spf::Verdict {
        result: tegami_spf::SpfResult::SoftFail,
        identity: tegami_spf::Identity::MailFrom,
        ..helo.clone()
    };
    for verdict in [helo, softfail] {
        let input = Input::for_domain(domain("example.com")).spf(&verdict);
        let (found, _) = evaluate(&zone, input);
        assert_eq!(found.result, DmarcResult::Fail);
        assert_eq!(found.deciding().unwrap().spf, Alignment::NoIdentifier);
    }
}

#[test]
fn relaxed_alignment_section_11_8() {
    // §11.8: a psd=n record at mail.example.com makes it the Organizational Domain, so
    // evil.example.com no longer aligns with it.
    let zone = zone(&[
        ("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n"),
        ("_dmarc.example.com", "v=DMARC1; p=none"),
    ]);
    assert_eq!(
        alignment(&zone, "a.mail.example.com", None, &["mail.example.com"]),
        (Alignment::NoIdentifier, Alignment::Aligned)
    );
    assert_eq!(
        alignment(&zone, "evil.example.com", None, &["mail.example.com"]),
        (Alignment::NoIdentifier, Alignment::NotAligned)
    );
}

#[test]
fn unrelated_names_need_no_walk() {
    // Organizational Domains are ancestors-or-self, so names without a common top label are
    // never aligned: only the policy query is made.
    let zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    let (_, asked) = evaluate(
        &zone,
        input("example.com", Some("example.net"), &["example.org"]),
    );
    assert_eq!(asked, ["_dmarc.example.com TXT"]);
}

#[test]
fn alignment_walk_failure_is_temperror_unless_another_aligns() {
    let mut zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=reject")]);
    zone.fail_temporarily("_dmarc.mail.example.com", None);
    let (verdict, _) = evaluate(&zone, input("example.com", None, &["mail.example.com"]));
    assert_eq!(verdict.result, DmarcResult::TempError);
    let (verdict, _) = evaluate(
        &zone,
        input("example.com", Some("example.com"), &["mail.example.com"]),
    );
    assert_eq!(verdict.result, DmarcResult::Pass);
}
