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
