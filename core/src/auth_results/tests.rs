use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

fn parse(value: &str) -> AuthenticationResults<'_> {
    AuthenticationResults::parse(value.as_bytes()).unwrap_or_else(|e| panic!("{value:?}: {e}"))
}

#[test]
fn rfc8601_appendix_b2_none() {
    let header = parse(" example.org 1; none");
    assert_eq!(header.authserv_id, "example.org");
    assert_eq!(header.version, Some(1));
    assert!(header.results.is_empty());
}

#[test]
fn rfc8601_appendix_b3_spf() {
    let header = parse(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
    let spf = &header.results[0];
    assert_eq!((spf.method.as_ref(), spf.result.as_ref()), ("spf", "pass"));
    assert_eq!(spf.property("smtp", "mailfrom"), Some("example.net"));
}

#[test]
fn rfc8601_appendix_b4_several_methods() {
    let header = parse(
        " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n          spf=pass smtp.mailfrom=example.net",
    );
    assert_eq!(header.results.len(), 2);
    assert_eq!(header.results[0].comments, vec![Cow::Borrowed("cram-md5")]);
    assert_eq!(
        header.results[0].property("smtp", "auth"),
        Some("sender@example.net")
    );
    let iprev = parse(" example.com; iprev=pass\r\n          policy.iprev=192.0.2.200");
    assert_eq!(
        iprev.results[0].property("policy", "iprev"),
        Some("192.0.2.200")
    );
}

#[test]
fn rfc8601_appendix_b5_multiple_mtas() {
    let header = parse(
        " mail-router.example.net;\r\n          dkim=pass (good signature) header.d=newyork.example.com\r\n                  header.b=oINEO8hg;\r\n          dkim=fail (bad signature) header.d=mail-router.example.net\r\n                  header.b=EToRSuvU",
    );
    let dkim: Vec<_> = header.results_of("DKIM").collect();
    assert_eq!(dkim.len(), 2);
    assert_eq!(dkim[0].property("header", "b"), Some("oINEO8hg"));
    assert_eq!(dkim[1].result, "fail");
    assert_eq!(dkim[1].comments, vec![Cow::Borrowed("bad signature")]);
}

#[test]
fn rfc8601_appendix_b6_reasons_and_identities() {
    let header = parse(
        " example.com;\r\n    dkim=pass reason=\"good signature\"\r\n      header.i=@mail-router.example.net;\r\n    dkim=fail reason=\"bad signature\"\r\n      header.i=@newyork.example.com",
    );
    assert_eq!(header.results[0].reason.as_deref(), Some("good signature"));
    assert_eq!(
        header.results[1].property("header", "i"),
        Some("@newyork.example.com")
    );
}

#[test]
fn rfc8601_appendix_b7_comment_heavy() {
    let header = parse(
        " foo.example.net (foobar) 1 (baz);\r\n    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n      policy (A dot can go here) . (like that) expired\r\n      (this surprised me) = (as I wasn't expecting it) 1362471462",
    );
    assert_eq!(header.authserv_id, "foo.example.net");
    assert_eq!(header.version, Some(1));
    assert_eq!(
        header.comments,
        vec![Cow::Borrowed("foobar"), Cow::Borrowed("baz")]
    );
    let dkim = &header.results[0];
    assert_eq!(dkim.method_version, Some(1));
    assert_eq!(dkim.result, "fail");
    assert_eq!(dkim.property("policy", "expired"), Some("1362471462"));
    assert_eq!(dkim.comments.len(), 7);
}

#[test]
fn composition_kills_a4_comment_is_not_part_of_the_domain() {
    let header = parse(" mx.example; dkim=pass header.d=legitimate.com(.attacker.com)");
    assert_eq!(
        header.results[0].property("header", "d"),
        Some("legitimate.com")
    );
    assert_eq!(
        header.results[0].comments,
        vec![Cow::Borrowed(".attacker.com")]
    );
    // An unterminated comment is an error, never silently part of a value.
    let error = AuthenticationResults::parse(
        b" mx.example; dkim=pass header.d=legitimate.com(.attacker.com",
    )
    .expect_err("unterminated");
    assert_eq!(error.kind, AuthResultsErrorKind::Unterminated);
    // We quote such a value when we write it.
    let mut own = AuthenticationResults::new("mx.example");
    own.results
        .push(MethodResult::new("dkim", "pass").with_property(
            "header",
            "d",
            "legitimate.com(.attacker.com",
        ));
    assert!(
        own.to_field()
            .contains("header.d=\"legitimate.com(.attacker.com\"")
    );
}

#[test]
fn errors_are_typed_with_offsets() {
    let kind = |text: &str| {
        AuthenticationResults::parse(text.as_bytes())
            .expect_err(text)
            .kind
    };
    assert_eq!(kind(""), AuthResultsErrorKind::ExpectedAuthservId);
    assert_eq!(
        kind(" example.com spf=pass"),
        AuthResultsErrorKind::ExpectedSemicolon
    );
    assert_eq!(
        kind(" example.com; spf pass"),
        AuthResultsErrorKind::ExpectedEquals
    );
    assert_eq!(
        kind(" example.com; spf=pass smtp:mailfrom=x"),
        AuthResultsErrorKind::ExpectedDot
    );
    assert_eq!(
        kind(" example.com; spf=pass smtp.mailfrom="),
        AuthResultsErrorKind::ExpectedValue
    );
    assert_eq!(kind(" \"open"), AuthResultsErrorKind::Unterminated);
    let deep = format!(" x; a=b {}", "(".repeat(40));
    assert_eq!(kind(&deep), AuthResultsErrorKind::TooDeep);
    assert_eq!(
        AuthenticationResults::parse(b" example.com; spf=pass smtp.mailfrom=\xff")
            .expect_err("utf8"),
        AuthResultsError {
            kind: AuthResultsErrorKind::InvalidUtf8,
            offset: 37
        }
    );
}

#[test]
fn emit_folds_at_78_columns() {
    let mut header = AuthenticationResults::new("mx.example.org");
    header.results.push(
        MethodResult::new("dkim", "pass")
            .with_comment("2048-bit key; unprotected key")
            .with_property(
                "header",
                "d",
                "a-rather-long-subdomain.of-an-organisation.example.com",
            )
            .with_property(
                "header",
                "i",
                "@a-rather-long-subdomain.of-an-organisation.example.com",
            )
            .with_property("header", "s", "selector2024")
            .with_property("header", "b", "Ab+/cd=="),
    );
    header
        .results
        .push(MethodResult::new("dmarc", "pass").with_property("header", "from", "example.com"));
    let field = header.to_field();
    for line in field.split("\r\n") {
        assert!(line.len() <= 78, "{line:?} is {} long", line.len());
    }
    assert!(field.contains("header.b=\"Ab+/cd==\""));
    let value = field.strip_prefix("Authentication-Results:").expect("name");
    assert_eq!(parse(value), header);
}

#[test]
fn remove_own_instances_handles_case_and_broken_fields() {
    let mut fields: Vec<(String, Vec<u8>)> = vec![
        (
            "Authentication-Results".into(),
            b" \"MX.example.org\"; none".to_vec(),
        ),
        (
            "Authentication-Results".into(),
            b" (c) mx.example.org (x".to_vec(),
        ),
        (
            "Authentication-Results".into(),
            b" mx.example.org.evil; spf=pass".to_vec(),
        ),
    ];
    let removed = remove_own_instances(&mut fields, "mx.example.org", |(name, value)| {
        (name.as_str(), value.as_slice())
    });
    assert_eq!(removed, 2);
    assert_eq!(fields.len(), 1);
    assert_eq!(
        authserv_id_of(b" (comment) example.net; x"),
        Some(Cow::Borrowed("example.net"))
    );
}

fn keyword() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,8}[a-z0-9]"
}

fn free_text() -> impl Strategy<Value = String> {
    "[ -~]{0,20}"
}

fn method_result() -> impl Strategy<Value = MethodResult<'static>> {
    (
        keyword(),
        proptest::option::of(0u32..5),
        keyword(),
        proptest::option::of(free_text()),
        proptest::collection::vec((keyword(), keyword(), free_text()), 0..4),
        proptest::collection::vec(free_text(), 0..2),
    )
        .prop_map(
            |(method, method_version, result, reason, properties, comments)| {
                let mut built = MethodResult::new(method, result);
                built.method_version = method_version;
                built.reason = reason.map(Cow::Owned);
                for (ptype, name, value) in properties {
                    built = built.with_property(ptype, name, value);
                }
                for comment in comments {
                    built = built.with_comment(comment);
                }
                built
            },
        )
        .prop_filter("'none' alone reads as no-result", |result| {
            result.method != "none"
        })
}

proptest! {
    #[test]
    fn emit_then_parse_round_trips(
        authserv_id in free_text().prop_filter("non-empty", |id| !id.is_empty()),
        version in proptest::option::of(1u32..3),
        results in proptest::collection::vec(method_result(), 0..4),
        comments in proptest::collection::vec(free_text(), 0..2),
    ) {
        let header = AuthenticationResults { authserv_id: Cow::Owned(authserv_id), version, results, comments: comments.into_iter().map(Cow::Owned).collect() };
        let field = header.to_field();
        let value = field.strip_prefix("Authentication-Results:").expect("name");
        let parsed = AuthenticationResults::parse(value.as_bytes()).expect("emitted fields parse");
        prop_assert_eq!(parsed, header);
    }

    #[test]
    fn parse_never_panics_and_reparses(input in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(header) = AuthenticationResults::parse(&input) {
            let field = header.to_field();
            let value = field.strip_prefix("Authentication-Results:").expect("name");
            let again = AuthenticationResults::parse(value.as_bytes());
            prop_assert!(again.is_ok(), "{:?} re-emitted as {:?}", header, field);
        }
    }
}

#[test]
fn folded_comments_are_unfolded() {
    // Found by fuzzing: a comment folded over two lines must read back without the CRLF, as
    // RFC 5322 §2.2.3 unfolding says, so that emitting and parsing again gives the same text.
    let header =
        parse(" mx.example; dkim=pass (2048-bit key\r\n\t; unprotected) header.d=example.com");
    assert_eq!(
        header.results[0].comments,
        vec![Cow::<str>::Owned("2048-bit key\t; unprotected".into())]
    );
    let field = header.to_field();
    assert_eq!(
        parse(field.strip_prefix("Authentication-Results:").expect("name")),
        header
    );
}

#[test]
fn backslash_before_a_line_break_escapes_nothing() {
    // Found by fuzzing: "\\\n" in a comment is no quoted-pair; the break unfolds away.
    let header = parse(" mx.example; dkim=pass (a\\\nb)");
    assert_eq!(
        header.results[0].comments,
        vec![Cow::<str>::Owned("ab".into())]
    );
    let field = header.to_field();
    assert_eq!(
        parse(field.strip_prefix("Authentication-Results:").expect("name")),
        header
    );
}
