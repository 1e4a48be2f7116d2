//! The Mail::DKIM verifier corpus: every row of `expected-results.tsv` is asserted in two named
//! modes.
//!
//! - **strict** (`Config::default()`): RFC 6376 + RFC 8301. A row keeps the source's verdict
//!   unless its `modern_flags` say it relies on something these RFCs refuse (no `v=`, a draft
//!   `v=`, rsa-sha1, RSA under 1024 bits); then it must be `invalid`.
//! - **legacy** (`allow_legacy_version` + `allow_rsa_sha1`): accepts the drafts' `v=` and
//!   `q=dns` and rsa-sha1. RSA keys under 1024 bits stay refused (RFC 8301; neither crypto
//!   backend verifies them), so those rows must be `invalid`, except where the body hash fails
//!   first.
//!
//! Rows flagged `domainkeys` are out of scope: DomainKeys (RFC 4870) is historic and not
//! implemented, so a DomainKey-Signature is no DKIM signature and the verdict is `none`. The
//! draft-00 rows the source skips (`good_ietf00_*`, no `bh=`) must be `invalid` in both modes.

use tegami_dkim::{Config, DkimResult, SignatureConfig, SignatureResult};

use crate::{crlf, shared, verify, zone_of_lines};

/// A clock after every signature's `t=` and before most `x=`; `ignore_7`'s `x=` lies before.
const NOW: u64 = 1_720_000_000;

fn strict() -> Config {
    Config::default()
}

fn legacy() -> Config {
    let mut config = Config::default();
    let mut signature = SignatureConfig::default();
    signature.allow_legacy_version = true;
    config.signature = signature;
    config.crypto.allow_rsa_sha1 = true;
    config
}

/// The source's vocabulary for a whole message.
fn verdict(results: &[SignatureResult]) -> &'static str {
    if results.iter().any(|r| r.result == DkimResult::Pass) {
        "pass"
    } else if results.iter().any(|r| r.result == DkimResult::Fail) {
        "fail"
    } else if results.is_empty() {
        "none"
    } else {
        "invalid"
    }
}

struct Row {
    file: String,
    source: String,
    flags: Vec<String>,
}

fn rows() -> Vec<Row> {
    let table = String::from_utf8(shared("mail-dkim/expected-results.tsv")).unwrap();
    let rows: Vec<Row> = table
        .lines()
        .skip(1)
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            Row {
                file: columns[0].into(),
                source: columns[1].into(),
                flags: columns[7]
                    .split(',')
                    .filter(|flag| *flag != "-" && !flag.is_empty())
                    .map(String::from)
                    .collect(),
            }
        })
        .collect();
    assert_eq!(rows.len(), 79, "the corpus lists 79 messages");
    rows
}

fn expected(row: &Row, legacy: bool) -> &'static str {
    let flag = |name: &str| row.flags.iter().any(|f| f == name || f.starts_with(name));
    if flag("domainkeys") {
        return "none";
    }
    if row.source == "skip" {
        return "invalid";
    }
    let source = match row.source.as_str() {
        "pass" => "pass",
        "fail" => "fail",
        "invalid" => "invalid",
        other => panic!("unknown verdict {other}"),
    };
    let refused = if legacy {
        // The body hash is checked before the key, so a damaged body fails whatever the key.
        flag("rsa<1024") && row.file != "bad_ietf01_1.txt"
    } else {
        flag("no-v=") || flag("v=") || flag("rsa-sha1") || flag("rsa<1024")
    };
    if refused { "invalid" } else { source }
}

#[test]
fn mail_dkim_corpus_every_row_in_both_modes() {
    let zone = zone_of_lines(&String::from_utf8(shared("mail-dkim/FAKE_DNS.dat")).unwrap());
    let mut failures = Vec::new();
    let mut counts = [0usize; 2];
    for row in rows() {
        let message = crlf(&shared(&format!("mail-dkim/corpus/{}", row.file)));
        for (mode, legacy_mode) in [("strict", false), ("legacy", true)] {
            let config = if legacy_mode { legacy() } else { strict() };
            let results = verify(&message, &zone, config, NOW, 4096);
            let got = verdict(&results);
            let want = expected(&row, legacy_mode);
            if got == want {
                counts[usize::from(legacy_mode)] += 1;
            } else {
                let reasons: Vec<String> = results.iter().map(SignatureResult::reason).collect();
                failures.push(format!(
                    "{} [{mode}]: got {got}, want {want} {reasons:?}",
                    row.file
                ));
            }
        }
    }
    println!(
        "mail-dkim corpus: strict {}/79, legacy {}/79",
        counts[0], counts[1]
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The precise result of the first signature where the corpus tests one rule.
#[test]
fn mail_dkim_corpus_rule_by_rule() {
    let zone = zone_of_lines(&String::from_utf8(shared("mail-dkim/FAKE_DNS.dat")).unwrap());
    let cases = [
        ("badkey_1.txt", DkimResult::PermError, "no key record"),
        ("badkey_2.txt", DkimResult::PermError, "key revoked"),
        (
            "badkey_3.txt",
            DkimResult::PermError,
            "unsupported key record version",
        ),
        (
            "badkey_4.txt",
            DkimResult::PermError,
            "malformed key record",
        ),
        (
            "badkey_5.txt",
            DkimResult::PermError,
            "unsupported key type k=foobar",
        ),
        (
            "badkey_6.txt",
            DkimResult::PermError,
            "key is not for email",
        ),
        (
            "badkey_7.txt",
            DkimResult::PermError,
            "key does not allow the hash algorithm",
        ),
        (
            "badkey_10.txt",
            DkimResult::PermError,
            "key requires i= domain to equal d=",
        ),
        (
            "badkey_11.txt",
            DkimResult::PermError,
            "key does not allow the hash algorithm",
        ),
        (
            "badkey_14.txt",
            DkimResult::TempError,
            "key lookup failed temporarily",
        ),
        (
            "badkey_15.txt",
            DkimResult::TempError,
            "key lookup failed temporarily",
        ),
        (
            "ignore_1.txt",
            DkimResult::Neutral,
            "unsupported version v=5",
        ),
        (
            "ignore_2.txt",
            DkimResult::Neutral,
            "unsupported algorithm a=rsa-md5",
        ),
        (
            "ignore_3.txt",
            DkimResult::Neutral,
            "unsupported algorithm a=dsa-sha1",
        ),
        (
            "ignore_4.txt",
            DkimResult::Neutral,
            "unsupported canonicalization c=future",
        ),
        (
            "ignore_5.txt",
            DkimResult::Neutral,
            "unsupported query method q=http",
        ),
        (
            "ignore_6.txt",
            DkimResult::Neutral,
            "unsupported query method q=dns/special",
        ),
        ("ignore_7.txt", DkimResult::PermError, "signature expired"),
        (
            "ignore_8.txt",
            DkimResult::PermError,
            "identity domain is not within d=",
        ),
        ("good_83176.txt", DkimResult::Pass, "signature verified"),
        (
            "bad_1878954.txt",
            DkimResult::Fail,
            "body hash did not verify",
        ),
        (
            "goodkey_ed25519.txt",
            DkimResult::Pass,
            "signature verified",
        ),
        (
            "badkey1_ed25519.txt",
            DkimResult::PermError,
            "ed25519 key is 44 octets",
        ),
        (
            "badkey2_ed25519.txt",
            DkimResult::Fail,
            "signature does not verify",
        ),
        (
            "badkey3_ed25519.txt",
            DkimResult::Fail,
            "body hash did not verify",
        ),
        (
            "badkey4_ed25519.txt",
            DkimResult::PermError,
            "no key record",
        ),
        (
            "badkey5_ed25519.txt",
            DkimResult::PermError,
            "malformed key record",
        ),
    ];
    for (file, result, reason) in cases {
        let message = crlf(&shared(&format!("mail-dkim/corpus/{file}")));
        let results = verify(&message, &zone, legacy(), NOW, 4096);
        assert_eq!(results[0].result, result, "{file}: {}", results[0].reason());
        assert!(
            results[0].reason().contains(reason),
            "{file}: {}",
            results[0].reason()
        );
    }
}

/// `multiple_2`: four signatures, each judged on its own.
#[test]
fn mail_dkim_multiple_signatures_judged_one_by_one() {
    let zone = zone_of_lines(&String::from_utf8(shared("mail-dkim/FAKE_DNS.dat")).unwrap());
    let message = crlf(&shared("mail-dkim/corpus/multiple_2.txt"));
    let results = verify(&message, &zone, legacy(), NOW, 7);
    let words: Vec<DkimResult> = results.iter().map(|r| r.result).collect();
    assert_eq!(
        words,
        [
            DkimResult::Neutral,
            DkimResult::Pass,
            DkimResult::Fail,
            DkimResult::Neutral
        ]
    );
}
