use super::*;
use crate::domain::Domain;

fn mailbox(text: &str) -> Mailbox {
    Mailbox::parse(text.as_bytes()).unwrap_or_else(|error| panic!("{text}: {error}"))
}

fn kind(text: &str) -> MailboxErrorKind {
    Mailbox::parse(text.as_bytes()).expect_err(text).kind
}

#[test]
fn rfc5321_examples_are_accepted() {
    // RFC 5321 §4.1.1.3 and Appendix D.
    let (path, rest) = ReversePath::parse(b"<Smith@bar.com>").expect("valid");
    assert_eq!(path.to_string(), "<Smith@bar.com>");
    assert!(rest.is_empty());
    let (forward, _) = parse_path(b"<@hosta.int,@jkl.org:userc@d.bar.org>").expect("source route");
    assert_eq!(forward.to_string(), "userc@d.bar.org");
    assert_eq!(
        ReversePath::parse(b"<> SIZE=1").expect("null"),
        (ReversePath::Null, &b" SIZE=1"[..])
    );
    assert_eq!(
        mailbox("Postmaster@Example.COM").to_string(),
        "Postmaster@example.com"
    );
}

#[test]
fn local_part_forms() {
    assert_eq!(mailbox("a.b+tag@example.org").local_part(), "a.b+tag");
    let quoted = mailbox(r#""john \"q\" public"@example.org"#);
    assert_eq!(quoted.local_part(), r#""john \"q\" public""#);
    // A quoted local part may hold '@' and '(': the domain is still the one after the quote.
    let tricky = mailbox(r#""admin@legit.example"@attacker.example"#);
    assert_eq!(
        tricky.domain_name().map(Domain::as_str),
        Some("attacker.example")
    );
    assert_eq!(kind(".a@example.org"), MailboxErrorKind::InvalidLocalPart);
    assert_eq!(kind("a..b@example.org"), MailboxErrorKind::InvalidLocalPart);
    assert_eq!(kind("@example.org"), MailboxErrorKind::InvalidLocalPart);
    assert_eq!(
        kind("\"open@example.org"),
        MailboxErrorKind::UnterminatedQuote
    );
}

#[test]
fn address_literals() {
    assert_eq!(
        mailbox("user@[192.0.2.1]").domain(),
        &MailboxDomain::AddressLiteral(AddressLiteral::Ipv4("192.0.2.1".parse().expect("ip")))
    );
    assert_eq!(
        mailbox("user@[IPv6:2001:db8::1]").to_string(),
        "user@[IPv6:2001:db8::1]"
    );
    assert!(matches!(
        mailbox("user@[x-tag:some.thing]").domain(),
        MailboxDomain::AddressLiteral(AddressLiteral::General { .. })
    ));
    assert_eq!(
        kind("user@[300.0.0.1]"),
        MailboxErrorKind::InvalidAddressLiteral
    );
    assert_eq!(
        kind("user@[192.0.2.1"),
        MailboxErrorKind::InvalidAddressLiteral
    );
}

#[test]
fn smtputf8_mailboxes() {
    let m = mailbox("用户@例子.广告");
    assert!(m.requires_smtputf8());
    assert_eq!(
        m.domain_name().map(Domain::as_str),
        Some("xn--fsqu00a.xn--4rr70v")
    );
    assert!(!mailbox("user@example.org").requires_smtputf8());
}

#[test]
fn composition_kills_a5_comment_in_path_is_refused() {
    let error = ReversePath::parse(b"<any@legitimate.com(.attack.com>").expect_err("comment");
    assert!(matches!(error.kind, MailboxErrorKind::InvalidDomain(_)));
    assert_eq!(error.offset, 19);
}

#[test]
fn composition_kills_a11_second_at_is_refused() {
    assert!(matches!(
        ReversePath::parse(b"<admin@legitimate.com@attack.com>")
            .expect_err("two @")
            .kind,
        MailboxErrorKind::InvalidDomain(_)
    ));
    assert!(matches!(
        kind("admin@legitimate.com@attack.com"),
        MailboxErrorKind::InvalidDomain(_)
    ));
}

#[test]
fn composition_kills_a12_backslash_outside_quotes_is_refused() {
    assert!(matches!(
        ReversePath::parse(br"<admin@legitimate.com\,@attack.com>")
            .expect_err("backslash")
            .kind,
        MailboxErrorKind::InvalidDomain(_)
    ));
    assert_eq!(
        kind(r"admin\@legitimate.com@attack.com"),
        MailboxErrorKind::ExpectedAt
    );
}

#[test]
fn structure_errors() {
    assert_eq!(
        parse_path(b"user@example.org").expect_err("no <").kind,
        MailboxErrorKind::ExpectedOpeningBracket
    );
    assert!(matches!(
        parse_path(b"<user@example.org").expect_err("no >").kind,
        MailboxErrorKind::InvalidDomain(_) | MailboxErrorKind::ExpectedClosingBracket
    ));
    assert_eq!(
        parse_path(b"<@a.example;x@b.example>")
            .expect_err("route")
            .kind,
        MailboxErrorKind::InvalidDomain(crate::domain::DomainError::InvalidOctet {
            offset: 9,
            byte: b';'
        })
    );
    assert_eq!(
        parse_path(b"<@a.example>").expect_err("route").kind,
        MailboxErrorKind::InvalidSourceRoute
    );
    assert!(matches!(
        kind("user@example.org."),
        MailboxErrorKind::InvalidDomain(_)
    ));
    assert!(matches!(
        kind("user@exa mple.org"),
        MailboxErrorKind::InvalidDomain(_)
    ));
    assert!(matches!(
        kind("user@example.org\0"),
        MailboxErrorKind::InvalidDomain(_)
    ));
}

#[test]
fn borrowed_paths_check_the_same_and_become_the_owned_ones() {
    for text in [
        "<Jane.Doe@Example.COM>",
        "<>",
        "<@relay.example,@other.example:b@c.example>",
        "<user@[192.0.2.1]>",
        "<user@[IPv6:2001:db8::1]>",
        "<user@[x-tag:some.thing]>",
        "<用户@例子.广告>",
        "<\"quoted @ part\"@example.org>",
        "<a@xn--fsqu00a.xn--4rr70v>",
    ] {
        let (borrowed, rest) = ReversePathRef::parse(text.as_bytes()).expect(text);
        let (owned, owned_rest) = ReversePath::parse(text.as_bytes()).expect(text);
        assert_eq!(rest, owned_rest, "{text}");
        assert_eq!(borrowed.clone().into_owned(), owned, "{text}");
        // Borrowing the owned path shows it as the owned path shows itself.
        assert_eq!(ReversePathRef::from(&owned).to_string(), owned.to_string());
        assert_eq!(ReversePathRef::from(&owned).into_owned(), owned, "{text}");
        // The borrowed path shows what was written, which parses to the same owned path.
        let shown = borrowed.to_string();
        let (again, _) = ReversePath::parse(shown.as_bytes()).expect(&shown);
        assert_eq!(again, owned, "{text}");
    }
    assert_eq!(
        ReversePathRef::parse(b"<Jane@Example.COM>")
            .expect("valid")
            .0
            .to_string(),
        "<Jane@Example.COM>"
    );
    for bad in [
        &b"<admin@legitimate.com(.attack.com>"[..],
        b"<admin@legitimate.com@attack.com>",
        b"<a@example.org.>",
        b"<a@-bad.example>",
        b"<a@[300.0.0.1]>",
    ] {
        assert_eq!(
            ReversePathRef::parse(bad).map(|(path, rest)| (path.into_owned(), rest)),
            ReversePath::parse(bad),
            "{bad:?}"
        );
        assert!(ReversePathRef::parse(bad).is_err());
    }
    let bare = MailboxRef::parse(b"postmaster@Example.ORG").expect("valid");
    assert_eq!(bare.local_part(), "postmaster");
    assert!(!bare.requires_smtputf8());
    assert_eq!(
        bare.into_owned(),
        Mailbox::parse(b"postmaster@example.org").expect("valid")
    );
    assert_eq!(
        MailboxRef::parse(b"a@[192.0.2.1]x")
            .expect_err("trailing")
            .kind,
        MailboxErrorKind::TrailingText
    );
}

proptest::proptest! {
    /// Whatever the input, the borrowed parse accepts and refuses what the owned parse does,
    /// at the same offsets, and shows a path that parses to the same owned value.
    #[test]
    fn borrowed_and_owned_parses_agree(text in "<[a-zA-Z0-9.@\\[\\]:\"\\\\ ()<>,é用-]{0,30}>?.{0,3}") {
        let borrowed = ReversePathRef::parse(text.as_bytes());
        let owned = ReversePath::parse(text.as_bytes());
        match (&borrowed, &owned) {
            (Ok((path, rest)), Ok((owned_path, owned_rest))) => {
                proptest::prop_assert_eq!(rest, owned_rest);
                proptest::prop_assert_eq!(&path.clone().into_owned(), owned_path);
                // What it shows parses to the same mailbox (an IDNA name shows as A-labels,
                // so the SMTPUTF8 flag may differ).
                let shown = path.to_string();
                let again = ReversePath::parse(shown.as_bytes()).map(|(again, _)| again);
                match (again, owned_path) {
                    (Ok(ReversePath::Mailbox(again)), ReversePath::Mailbox(owned)) => {
                        proptest::prop_assert_eq!(again.local_part(), owned.local_part());
                        proptest::prop_assert_eq!(again.domain(), owned.domain());
                    }
                    (again, owned) => proptest::prop_assert_eq!(again.as_ref(), Ok(owned)),
                }
            }
            (Err(error), Err(owned_error)) => proptest::prop_assert_eq!(error, owned_error),
            _ => proptest::prop_assert!(false, "borrowed {:?}, owned {:?}", borrowed, owned),
        }
        // The text entry point slices the same pieces as the octet one.
        let from_text = ReversePathRef::parse_str(&text)
            .map(|(path, rest)| (path, rest.as_bytes()));
        proptest::prop_assert_eq!(from_text, borrowed);
        let forward = MailboxRef::parse_path_str(&text).map(|(mailbox, rest)| (mailbox, rest.as_bytes()));
        proptest::prop_assert_eq!(forward, MailboxRef::parse_path(text.as_bytes()));
    }
}
