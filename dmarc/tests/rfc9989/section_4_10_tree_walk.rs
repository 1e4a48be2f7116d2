//! RFC 9989 §4.10 (DNS Tree Walk), §4.10.2's selection of the Organizational Domain, and the
//! examples of §4.10, §4.10.2, §5.1.8 and Appendix B.4, query for query.

use tegami_dmarc::tree_walk::{TreeWalk, walk_targets};
use tegami_dmarc::{DmarcResult, Policy};

use super::*;

/// Runs one walk, returning the `_dmarc` names queried in order and the Organizational Domain.
fn walk(zone: &ZoneResolver, start: &str) -> (Vec<String>, Option<String>) {
    let recording = Recording {
        inner: zone,
        asked: RefCell::new(Vec::new()),
    };
    let outcome = dns::resolve(&mut TreeWalk::new(domain(start)), &recording).unwrap();
    let asked = recording
        .asked
        .into_inner()
        .into_iter()
        .map(|q| q.trim_end_matches(" TXT").to_owned())
        .collect();
    (asked, outcome.organizational_domain.map(|d| d.to_string()))
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn eight_queries_at_most_section_4_10() {
    // §4.10 steps 3-4 and the illustration: "a full DNS Tree Walk would require the following
    // eight queries".
    let (asked, org) = walk(&zone(&[]), "a.b.c.d.e.f.g.h.i.j.mail.example.com");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
            "_dmarc.g.h.i.j.mail.example.com",
            "_dmarc.h.i.j.mail.example.com",
            "_dmarc.i.j.mail.example.com",
            "_dmarc.j.mail.example.com",
            "_dmarc.mail.example.com",
            "_dmarc.example.com",
            "_dmarc.com",
        ])
    );
    // §4.10.2: "If this process does not determine the Organizational Domain, then the initial
    // target domain is the Organizational Domain."
    assert_eq!(org.as_deref(), Some("a.b.c.d.e.f.g.h.i.j.mail.example.com"));
}

#[test]
fn zone_cut_beyond_eight_labels_is_never_seen_section_5_1_8() {
    // §5.1.8: the psd=n record at b.c.d.e.f.g.example.com "will never be discovered".
    let zone = zone(&[
        ("_dmarc.example.com", "v=DMARC1; p=none"),
        (
            "_dmarc.b.c.d.e.f.g.example.com",
            "v=DMARC1; p=reject; psd=n",
        ),
    ]);
    let (asked, org) = walk(&zone, "mail.a.b.c.d.e.f.g.example.com");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.mail.a.b.c.d.e.f.g.example.com",
            "_dmarc.c.d.e.f.g.example.com",
            "_dmarc.d.e.f.g.example.com",
            "_dmarc.e.f.g.example.com",
            "_dmarc.f.g.example.com",
            "_dmarc.g.example.com",
            "_dmarc.example.com",
            "_dmarc.com",
        ])
    );
    assert_eq!(org.as_deref(), Some("example.com"));
}

#[test]
fn targets_of_short_and_exactly_eight_label_names() {
    // §4.10 step 4 and §4.10.1: eight or fewer labels walk one label at a time.
    let targets: Vec<String> = walk_targets(&domain("a.b.c.d.e.example.com"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(targets.len(), 7);
    let eight = domain("a.b.c.d.e.f.example.com");
    let targets = walk_targets(&eight);
    assert_eq!(targets.len(), 8);
    assert_eq!(targets[1].as_str(), "b.c.d.e.f.example.com");
    assert_eq!(walk_targets(&domain("com")).len(), 1);
}

#[test]
fn selection_examples_of_section_4_10_2() {
    // "If there are DMARC Policy Records published at _dmarc.mail.example.com and
    // _dmarc.example.com ... the Organizational Domain for this domain would be example.com."
    let both = zone(&[
        ("_dmarc.mail.example.com", "v=DMARC1; p=none"),
        ("_dmarc.example.com", "v=DMARC1; p=none"),
    ]);
    let (asked, org) = walk(&both, "a.mail.example.com");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.a.mail.example.com",
            "_dmarc.mail.example.com",
            "_dmarc.example.com",
            "_dmarc.com"
        ])
    );
    assert_eq!(org.as_deref(), Some("example.com"));
    // "... a DMARC Policy Record at _dmarc.mail.example.com with the psd tag set to n, then
    // the Organizational Domain for this domain would be mail.example.com." The walk stops
    // there (§4.10 step 6).
    let psd_n = zone(&[
        ("_dmarc.mail.example.com", "v=DMARC1; p=none; psd=n"),
        ("_dmarc.example.com", "v=DMARC1; p=none"),
    ]);
    let (asked, org) = walk(&psd_n, "a.mail.example.com");
    assert_eq!(
        asked,
        names(&["_dmarc.a.mail.example.com", "_dmarc.mail.example.com"])
    );
    assert_eq!(org.as_deref(), Some("mail.example.com"));
    // "... only yields a DMARC Policy Record at _dmarc.com and that record contains the tag
    // psd=y, then the Organizational Domain for this domain would be example.com."
    let psd_y = zone(&[("_dmarc.com", "v=DMARC1; p=none; psd=y")]);
    let (_, org) = walk(&psd_y, "a.mail.example.com");
    assert_eq!(org.as_deref(), Some("example.com"));
    // A psd=y record at the start itself is not "other than the one for the domain where the
    // tree walk started": the start is its own Organizational Domain.
    let (asked, org) = walk(&psd_y, "com");
    assert_eq!(asked, names(&["_dmarc.com"]));
    assert_eq!(org.as_deref(), Some("com"));
}

#[test]
fn temporary_failure_stops_the_walk() {
    let mut zone = zone(&[("_dmarc.example.com", "v=DMARC1; p=none")]);
    zone.fail_temporarily("_dmarc.mail.example.com", None);
    let (asked, org) = walk(&zone, "a.mail.example.com");
    assert_eq!(asked.len(), 2);
    assert_eq!(org, None);
}

#[test]
fn appendix_b_4_1_simple() {
    // Author example.com, MAIL FROM example.com, DKIM signing.example.com; records at
    // example.com and signing.example.com, none at com.
    let zone = zone(&[
        ("_dmarc.example.com", "v=DMARC1; p=reject"),
        ("_dmarc.signing.example.com", "v=DMARC1; p=none"),
    ]);
    let (asked, org) = walk(&zone, "example.com");
    assert_eq!(asked, names(&["_dmarc.example.com", "_dmarc.com"]));
    assert_eq!(org.as_deref(), Some("example.com"));
    let (asked, org) = walk(&zone, "signing.example.com");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.signing.example.com",
            "_dmarc.example.com",
            "_dmarc.com"
        ])
    );
    assert_eq!(org.as_deref(), Some("example.com"));
    // The whole evaluation asks each name once; SPF and DKIM are both aligned.
    let (verdict, asked) = evaluate(
        &zone,
        input("example.com", Some("example.com"), &["signing.example.com"]),
    );
    assert_eq!(verdict.result, DmarcResult::Pass);
    assert!(verdict.spf_aligned() && verdict.dkim_aligned());
    let mut sorted = asked.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), asked.len(), "a name asked twice: {asked:?}");
    assert_eq!(asked[0], "_dmarc.example.com TXT");
    assert_eq!(
        sorted,
        names(&[
            "_dmarc.com TXT",
            "_dmarc.example.com TXT",
            "_dmarc.signing.example.com TXT"
        ])
    );
    // "since the RFC5322.From domain has a DMARC Policy Record, that is the policy domain."
    assert_eq!(
        verdict.deciding().unwrap().policy_domain,
        Some(domain("example.com"))
    );
}

#[test]
fn appendix_b_4_2_deep() {
    let zone = zone(&[
        ("_dmarc.example.com", "v=DMARC1; p=reject"),
        ("_dmarc.signing.example.com", "v=DMARC1; p=none"),
    ]);
    let (asked, org) = walk(&zone, "a.b.c.d.e.f.g.h.i.j.k.example.com");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com",
            "_dmarc.g.h.i.j.k.example.com",
            "_dmarc.h.i.j.k.example.com",
            "_dmarc.i.j.k.example.com",
            "_dmarc.j.k.example.com",
            "_dmarc.k.example.com",
            "_dmarc.example.com",
            "_dmarc.com",
        ])
    );
    assert_eq!(org.as_deref(), Some("example.com"));
    let (verdict, asked) = evaluate(
        &zone,
        input(
            "a.b.c.d.e.f.g.h.i.j.k.example.com",
            Some("example.com"),
            &["signing.example.com"],
        ),
    );
    assert_eq!(verdict.result, DmarcResult::Pass);
    assert!(verdict.spf_aligned() && verdict.dkim_aligned());
    // "the policy domain is the highest element in the DNS tree with a DMARC Policy Record,
    // example.com."
    let author = verdict.deciding().unwrap();
    assert_eq!(author.policy_domain, Some(domain("example.com")));
    assert_eq!(author.organizational_domain, Some(domain("example.com")));
    // The author's walk comes first and in the RFC's order; the DKIM walk adds one name.
    let txt: Vec<_> = asked.iter().filter(|q| q.ends_with(" TXT")).collect();
    assert_eq!(txt.len(), 9, "{asked:?}");
    assert_eq!(txt[0], "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com TXT");
    assert_eq!(txt[7], "_dmarc.com TXT");
    assert_eq!(txt[8], "_dmarc.signing.example.com TXT");
}

#[test]
fn appendix_b_4_3_psd() {
    let zone = zone(&[
        ("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y"),
        ("_dmarc.giant.bank.example", "v=DMARC1; p=quarantine"),
    ]);
    // "the tree walk finds the DMARC Policy Record at _dmarc.giant.bank.example, then the DMARC
    // Policy Record at _dmarc.bank.example, and stops because of the psd=y flag."
    let (asked, org) = walk(&zone, "giant.bank.example");
    assert_eq!(
        asked,
        names(&["_dmarc.giant.bank.example", "_dmarc.bank.example"])
    );
    assert_eq!(org.as_deref(), Some("giant.bank.example"));
    let (asked, org) = walk(&zone, "mail.giant.bank.example");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.mail.giant.bank.example",
            "_dmarc.giant.bank.example",
            "_dmarc.bank.example"
        ])
    );
    assert_eq!(org.as_deref(), Some("giant.bank.example"));
    let (asked, org) = walk(&zone, "mail.mega.bank.example");
    assert_eq!(
        asked,
        names(&[
            "_dmarc.mail.mega.bank.example",
            "_dmarc.mega.bank.example",
            "_dmarc.bank.example"
        ])
    );
    assert_eq!(org.as_deref(), Some("mega.bank.example"));
    // "Since SPF is aligned, it can be used to determine if the message has a DMARC pass."
    let (verdict, _) = evaluate(
        &zone,
        input(
            "giant.bank.example",
            Some("mail.giant.bank.example"),
            &["mail.mega.bank.example"],
        ),
    );
    assert_eq!(verdict.result, DmarcResult::Pass);
    let author = verdict.deciding().unwrap();
    assert_eq!(author.spf, tegami_dmarc::Alignment::Aligned);
    assert_eq!(author.dkim, tegami_dmarc::Alignment::NotAligned);
    assert_eq!(author.policy_domain, Some(domain("giant.bank.example")));
    assert_eq!(author.policy, Some(Policy::Quarantine));
}
