use proptest::prelude::*;

use super::*;

fn context(ip: &str) -> MacroContext<'static> {
    MacroContext {
        sender_local: "strong-bad",
        sender_domain: "email.example.com",
        domain: "email.example.com",
        ip: ip.parse().expect("ip"),
        validated_name: "mx.example.org",
        helo: "mx.example.org",
        receiver: "receiver.example",
        now: Some(1_700_000_000),
    }
}

fn expand(text: &str, ip: &str) -> String {
    MacroString::parse(text).expect(text).expand(&context(ip))
}

#[test]
fn rfc7208_section_7_4_examples() {
    let v4 = "192.0.2.3";
    for (macro_text, expected) in [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        (
            "%{ir}.%{v}._spf.%{d2}",
            "3.2.0.192.in-addr._spf.example.com",
        ),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        (
            "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
        ),
        (
            "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
            "3.2.0.192.in-addr.strong.lp._spf.example.com",
        ),
        (
            "%{d2}.trusted-domains.example.net",
            "example.com.trusted-domains.example.net",
        ),
    ] {
        assert_eq!(expand(macro_text, v4), expected, "{macro_text}");
    }
    // The RFC prints the nibbles in lower case; we write them in upper case as the openspf
    // suite expects. DNS compares names case-insensitively, so the lookup is the same.
    assert!(
        expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01").eq_ignore_ascii_case(
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        )
    );
}

#[test]
fn escapes_and_url_encoding() {
    assert_eq!(expand("a%%b%_c%-d", "192.0.2.3"), "a%b c%20d");
    assert_eq!(
        expand("%{S}", "192.0.2.3"),
        "strong-bad%40email.example.com"
    );
    assert_eq!(expand("%{L}", "192.0.2.3"), "strong-bad");
}

#[test]
fn explanation_only_letters() {
    assert_eq!(MacroString::parse("%{c}"), Err(MacroError::ExplanationOnly));
    assert_eq!(
        MacroString::parse("%{t}.example"),
        Err(MacroError::ExplanationOnly)
    );
    let explanation =
        MacroString::parse_explanation("%{c} is not one of %{d}'s, says %{r} at %{t}")
            .expect("explanation");
    assert_eq!(
        explanation.expand(&context("2001:db8::cb01")),
        "2001:db8::cb01 is not one of email.example.com's, says receiver.example at 1700000000"
    );
}

#[test]
fn malformed_macros() {
    assert_eq!(MacroString::parse("%"), Err(MacroError::BadPercent));
    assert_eq!(MacroString::parse("%x"), Err(MacroError::BadPercent));
    assert_eq!(MacroString::parse("%{d"), Err(MacroError::BadExpand));
    assert_eq!(MacroString::parse("%{x}"), Err(MacroError::UnknownLetter));
    assert_eq!(MacroString::parse("%{d0}"), Err(MacroError::ZeroDigits));
    assert_eq!(MacroString::parse("%{d2?}"), Err(MacroError::BadExpand));
    assert_eq!(MacroString::parse("a b"), Err(MacroError::BadCharacter));
}

#[test]
fn long_expansions_are_cut_from_the_left() {
    let long_local = format!("{}.{}", "a".repeat(63), "b".repeat(63));
    let context = MacroContext {
        sender_local: &long_local,
        ..context("192.0.2.3")
    };
    let spec = MacroString::parse("%{l}.%{l}.%{l}.example.com").expect("spec");
    let name = spec.expand_domain(&context);
    assert!(name.len() <= 253, "{}", name.len());
    assert!(name.ends_with(".example.com"));
    assert!(name.starts_with('b') || name.starts_with('a'));
}

proptest! {
    #[test]
    fn expansion_stays_within_limits(local in "[a-z0-9.-]{0,200}", spec in "(%\\{[lodhiv][0-9]{0,2}r?[.-]?\\}|[a-z]{1,8}|\\.){1,12}") {
        if let Ok(spec) = MacroString::parse(&spec) {
            let context = MacroContext { sender_local: &local, ..context("2001:db8::1") };
            prop_assert!(spec.expand_domain(&context).len() <= 253);
        }
    }

    #[test]
    fn display_round_trips(spec in "(%\\{[slodiphv]([1-9][0-9]?)?r?[.+,/_=-]{0,2}\\}|%%|%_|%-|[a-z.]{1,8}){0,8}") {
        let parsed = MacroString::parse(&spec).expect("generated strings are valid");
        prop_assert_eq!(MacroString::parse(&parsed.to_string()), Ok(parsed));
    }
}

#[test]
fn a_single_label_over_253_octets_is_removed_too() {
    // Found by fuzzing: with no dot left to cut at, the last label goes as well (§7.3 removes
    // whole labels), and the empty name is never sent to DNS.
    let long_local = "x".repeat(300);
    let context = MacroContext {
        sender_local: &long_local,
        ..context("192.0.2.3")
    };
    let spec = MacroString::parse("%{l}").expect("spec");
    assert_eq!(spec.expand_domain(&context), "");
    let with_tail = MacroString::parse("%{l}.example.com").expect("spec");
    assert_eq!(with_tail.expand_domain(&context), "example.com");
}
