use alloc::borrow::Cow;

use proptest::prelude::*;

use super::*;

fn parse(line: &str) -> Result<Command<'_>, CommandError> {
    Command::parse(line.as_bytes())
}

#[test]
fn verbs_are_case_insensitive() {
    assert_eq!(
        parse("ehlo client.example"),
        Ok(Command::Ehlo("client.example"))
    );
    assert_eq!(parse("HeLo x"), Ok(Command::Helo("x")));
    assert_eq!(parse("data"), Ok(Command::Data));
    assert_eq!(parse("StartTLS"), Ok(Command::StartTls));
    assert_eq!(parse("NOOP"), Ok(Command::Noop(None)));
    assert_eq!(parse("HELP mail"), Ok(Command::Help(Some("mail"))));
    assert_eq!(parse("VRFY jane"), Ok(Command::Vrfy("jane")));
}

#[test]
fn helo_needs_one_name() {
    assert_eq!(parse("HELO"), Err(CommandError::InvalidArgument));
    assert_eq!(parse("HELO "), Err(CommandError::InvalidArgument));
    assert_eq!(parse("EHLO a b"), Err(CommandError::InvalidArgument));
    assert_eq!(parse(" HELO x"), Err(CommandError::Unrecognised));
}

#[test]
fn mail_from_paths() {
    let Ok(Command::Mail { from, parameters }) = parse("MAIL FROM:<>") else {
        panic!()
    };
    assert_eq!(from, ReversePathRef::Null);
    assert_eq!(parameters, MailParameters::default());
    assert!(matches!(
        parse("MAIL FROM: <a@b.example>"),
        Ok(Command::Mail { .. })
    ));
    assert!(matches!(
        parse("MAIL FROM:<@r.example:a@b.example>"),
        Ok(Command::Mail { .. })
    ));
    for bad in [
        "MAIL FROM:<a>",
        "MAIL FROM:<a@>",
        "MAIL FROM:<@a>",
        "MAIL FROM:< @a>",
    ] {
        assert!(
            matches!(parse(bad), Err(CommandError::InvalidReversePath(_))),
            "{bad}"
        );
    }
    assert_eq!(parse("MAIL FROM"), Err(CommandError::MissingKeyword));
    assert_eq!(parse("MAIL <a@b>"), Err(CommandError::MissingKeyword));
    assert_eq!(
        parse("MAIL FROM:<a@b.example>x"),
        Err(CommandError::MalformedParameter)
    );
}

#[test]
fn mail_parameters() {
    let Ok(Command::Mail { parameters, .. }) = parse(
        "MAIL FROM:<a@b.example> size=99  BODY=BINARYMIME SMTPUTF8 RET=HDRS ENVID=x+2By \
         AUTH=e+3Dv@b.example REQUIRETLS XFOO=1 XBAR",
    ) else {
        panic!()
    };
    assert_eq!(parameters.size, Some(99));
    assert_eq!(parameters.body, Some(Body::BinaryMime));
    assert!(parameters.smtputf8 && parameters.require_tls);
    assert_eq!(parameters.ret, Some(Ret::Headers));
    assert_eq!(parameters.envid.as_deref(), Some("x+y"));
    assert_eq!(
        parameters.auth,
        Some(MailAuth::Identity(Cow::Owned("e=v@b.example".into())))
    );
    assert_eq!(
        parameters.unknown,
        [("XFOO".into(), Some("1".into())), ("XBAR".into(), None)]
    );
    for bad in [
        "MAIL FROM:<> SIZE=x",
        // size-value = 1*20DIGIT (RFC 1870 §6): no sign, and it must fit 64 bits.
        "MAIL FROM:<> SIZE=+1",
        "MAIL FROM:<> SIZE=18446744073709551616",
        "MAIL FROM:<> SIZE=1 SIZE=2",
        "MAIL FROM:<> BODY=9BIT",
        "MAIL FROM:<> SMTPUTF8=yes",
        "MAIL FROM:<> ENVID=a=b",
        "MAIL FROM:<> AUTH",
        "MAIL FROM:<> =x",
        "MAIL FROM:<> X=",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn rcpt_paths_and_parameters() {
    assert_eq!(
        parse("RCPT TO:<postmaster>"),
        Ok(Command::Rcpt {
            to: ForwardPathRef::Postmaster,
            parameters: RcptParameters::default()
        })
    );
    let Ok(Command::Rcpt { to, parameters }) =
        parse("RCPT TO:<b@c.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b+40c.example")
    else {
        panic!()
    };
    assert_eq!(to.to_string(), "<b@c.example>");
    assert_eq!(
        parameters.notify,
        Some(Notify {
            success: true,
            failure: false,
            delay: true
        })
    );
    assert_eq!(
        parameters.orcpt.as_ref().map(|o| o.address.as_ref()),
        Some("b@c.example")
    );
    assert!(parse("RCPT TO:<> ").is_err());
    assert!(parse("RCPT TO:<b@c.example> NOTIFY=NEVER,SUCCESS").is_err());
    assert!(parse("RCPT TO:<b@c.example> ORCPT=b@c").is_err());
    let Ok(Command::Rcpt { parameters, .. }) = parse("RCPT TO:<b@c.example> SIZE=1") else {
        panic!()
    };
    assert_eq!(parameters.unknown, [("SIZE".into(), Some("1".into()))]);
}

#[test]
fn bdat_and_auth() {
    assert_eq!(
        parse("BDAT 100 LAST"),
        Ok(Command::Bdat {
            size: 100,
            last: true
        })
    );
    assert_eq!(
        parse("BDAT 0"),
        Ok(Command::Bdat {
            size: 0,
            last: false
        })
    );
    assert!(parse("BDAT").is_err());
    assert!(parse("BDAT -1").is_err());
    assert!(parse("BDAT 1 FIRST").is_err());
    assert_eq!(
        parse("AUTH PLAIN AGEAYg=="),
        Ok(Command::Auth {
            mechanism: "PLAIN",
            initial_response: Some("AGEAYg==")
        })
    );
    assert!(parse("AUTH").is_err());
    assert!(parse("AUTH PLAIN ").is_err());
}

#[test]
fn bare_line_ends_and_nul_are_refused() {
    assert_eq!(parse("RCPT TO:<a\n@b>"), Err(CommandError::InvalidOctet));
    assert_eq!(parse("NOOP \r"), Err(CommandError::InvalidOctet));
    assert_eq!(Command::parse(b"NOOP \xff"), Err(CommandError::InvalidUtf8));
}

#[test]
fn error_replies() {
    assert_eq!(CommandError::Unrecognised.reply().code(), 500);
    assert_eq!(CommandError::MissingKeyword.reply().code(), 501);
}

fn command() -> impl Strategy<Value = String> {
    let mailbox = "[a-z]{1,8}@[a-z]{1,8}\\.example";
    prop_oneof![
        "[a-z]{1,10}".prop_map(|name| format!("EHLO {name}")),
        (
            mailbox,
            proptest::option::of(1u64..100_000),
            any::<bool>(),
            "[!-*,-<>-~]{0,12}"
        )
            .prop_map(|(mailbox, size, utf8, envid)| {
                let mut line = format!("MAIL FROM:<{mailbox}>");
                if let Some(size) = size {
                    line.push_str(&format!(" SIZE={size}"));
                }
                if utf8 {
                    line.push_str(" SMTPUTF8");
                }
                if !envid.is_empty() {
                    line.push_str(&format!(" ENVID={envid}"));
                }
                line
            }),
        (mailbox, any::<bool>()).prop_map(|(mailbox, notify)| if notify {
            format!("RCPT TO:<{mailbox}> NOTIFY=FAILURE")
        } else {
            format!("RCPT TO:<{mailbox}>")
        }),
        (0u64..1_000_000, any::<bool>()).prop_map(|(size, last)| if last {
            format!("BDAT {size} LAST")
        } else {
            format!("BDAT {size}")
        }),
        Just("DATA".to_owned()),
        Just("QUIT".to_owned()),
    ]
}

proptest! {
    #[test]
    fn display_parses_back(line in command()) {
        let parsed = Command::parse(line.as_bytes()).unwrap();
        let written = parsed.to_string();
        prop_assert_eq!(&written, &format!("{line}\r\n"));
        let again = written.trim_end_matches("\r\n").to_owned();
        prop_assert_eq!(Command::parse(again.as_bytes()).unwrap(), parsed);
    }

    #[test]
    fn never_panics(line in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Command::parse(&line);
    }
}
