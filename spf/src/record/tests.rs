use proptest::prelude::*;

use super::*;

fn kind(text: &str) -> RecordErrorKind {
    Record::parse(text).expect_err(text).kind
}

#[test]
fn parses_every_mechanism_and_modifier() {
    let text = "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx/30 mx:%{d}.example \
                ptr ptr:example.org ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d} \
                redirect=_spf.example.net exp=explain._spf.%{d} x-custom=%{l}";
    let record = Record::parse(text).expect("valid");
    assert_eq!(record.terms().len(), 14);
    assert_eq!(
        record.redirect().map(MacroString::as_str),
        Some("_spf.example.net")
    );
    assert_eq!(
        record.explanation().map(MacroString::as_str),
        Some("explain._spf.%{d}")
    );
    let cidr = record.directives().find_map(|d| match &d.mechanism {
        Mechanism::A {
            domain: Some(_),
            cidr,
        } => Some(*cidr),
        _ => None,
    });
    assert_eq!(
        cidr,
        Some(DualCidr {
            ip4: Some(24),
            ip6: Some(64)
        })
    );
    assert_eq!(record.to_string(), text.replace("+all", "all"));
}

#[test]
fn version_and_selection() {
    assert!(Record::is_spf(b"v=spf1"));
    assert!(Record::is_spf(b"V=SPF1 -all"));
    assert!(!Record::is_spf(b"v=spf10"));
    assert!(!Record::is_spf(b"v=spf1-all"));
    assert_eq!(kind("spf1 -all"), RecordErrorKind::NotSpf);
}

#[test]
fn syntax_errors_are_typed() {
    assert_eq!(kind("v=spf1 foo"), RecordErrorKind::UnknownMechanism);
    assert_eq!(kind("v=spf1 include"), RecordErrorKind::BadArgument);
    assert_eq!(kind("v=spf1 all:x.example"), RecordErrorKind::BadArgument);
    assert_eq!(kind("v=spf1 include:foo"), RecordErrorKind::BadDomainEnd);
    assert_eq!(kind("v=spf1 a:example.123"), RecordErrorKind::BadDomainEnd);
    assert_eq!(kind("v=spf1 ip4:192.0.2.0/33"), RecordErrorKind::BadNetwork);
    assert_eq!(kind("v=spf1 ip4:192.0.2.01"), RecordErrorKind::BadNetwork);
    assert_eq!(
        kind("v=spf1 ip6:2001:db8::/129"),
        RecordErrorKind::BadNetwork
    );
    assert_eq!(kind("v=spf1 a/024"), RecordErrorKind::BadNetwork);
    assert_eq!(
        kind("v=spf1 redirect=a.example redirect=b.example"),
        RecordErrorKind::DuplicateModifier
    );
    assert_eq!(
        kind("v=spf1 exp=a.example exp=b.example"),
        RecordErrorKind::DuplicateModifier
    );
    assert!(matches!(
        kind("v=spf1 exists:%{x}.example"),
        RecordErrorKind::Macro(_)
    ));
    assert_eq!(kind("v=spf1 -all\t"), RecordErrorKind::BadCharacter);
}

fn spec() -> impl Strategy<Value = String> {
    (
        "([a-z0-9_]{1,6}\\.|%\\{[dlo]([1-9])?r?\\}\\.){1,3}",
        "[a-z]{2,6}",
    )
        .prop_map(|(head, top)| format!("{head}{top}"))
}

fn mechanism() -> impl Strategy<Value = String> {
    let cidr = prop_oneof![
        Just(String::new()),
        (0u8..=32).prop_map(|p| format!("/{p}")),
        (0u8..=128).prop_map(|p| format!("//{p}")),
        (0u8..=32, 0u8..=128).prop_map(|(a, b)| format!("/{a}//{b}")),
    ];
    prop_oneof![
        Just("all".to_owned()),
        spec().prop_map(|s| format!("include:{s}")),
        (proptest::option::of(spec()), cidr.clone())
            .prop_map(|(s, c)| format!("a{}{c}", s.map(|s| format!(":{s}")).unwrap_or_default())),
        (proptest::option::of(spec()), cidr)
            .prop_map(|(s, c)| format!("mx{}{c}", s.map(|s| format!(":{s}")).unwrap_or_default())),
        proptest::option::of(spec())
            .prop_map(|s| format!("ptr{}", s.map(|s| format!(":{s}")).unwrap_or_default())),
        (any::<[u8; 4]>(), proptest::option::of(0u8..=32)).prop_map(|(a, p)| format!(
            "ip4:{}{}",
            Ipv4Addr::from(a),
            p.map(|p| format!("/{p}")).unwrap_or_default()
        )),
        (any::<[u8; 16]>(), proptest::option::of(0u8..=128)).prop_map(|(a, p)| format!(
            "ip6:{}{}",
            Ipv6Addr::from(a),
            p.map(|p| format!("/{p}")).unwrap_or_default()
        )),
        spec().prop_map(|s| format!("exists:{s}")),
    ]
}

proptest! {
    #[test]
    fn display_then_parse_round_trips(
        directives in proptest::collection::vec((proptest::sample::select(vec!["", "+", "-", "~", "?"]), mechanism()), 0..8),
        redirect in proptest::option::of(spec()),
        unknown in proptest::option::of("[a-z][a-z0-9._-]{0,5}=[a-z%{}.]{0,6}".prop_filter("valid macro", |m| MacroString::parse(m.split_once('=').map_or("", |p| p.1)).is_ok())),
    ) {
        let mut text = String::from("v=spf1");
        for (qualifier, mechanism) in &directives {
            text.push_str(&format!(" {qualifier}{mechanism}"));
        }
        if let Some(unknown) = unknown.filter(|u| !u.starts_with("redirect=") && !u.starts_with("exp=")) {
            text.push_str(&format!(" {unknown}"));
        }
        if let Some(redirect) = redirect {
            text.push_str(&format!(" redirect={redirect}"));
        }
        let record = Record::parse(&text).expect(&text);
        let displayed = record.to_string();
        prop_assert_eq!(Record::parse(&displayed), Ok(record));
    }
}

proptest! {
    /// `ip4:` networks display as the standard library writes the address.
    #[test]
    fn ip4_networks_display_as_dotted_quads(address in any::<u32>(), prefix in proptest::option::of(0u8..=32)) {
        let network = Ipv4Addr::from(address);
        let mechanism = Mechanism::Ip4 { network, prefix };
        let expected = match prefix {
            Some(prefix) => format!("ip4:{network}/{prefix}"),
            None => format!("ip4:{network}"),
        };
        prop_assert_eq!(mechanism.to_string(), expected);
    }
}
