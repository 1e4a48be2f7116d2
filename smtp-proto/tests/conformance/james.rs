//! The Apache James SMTP transcripts: `C:` lines the client writes, `S:` lines (regular
//! expressions) the server answers.
//!
//! What is compared: each reply's code, and for the EHLO reply every extension James lists
//! (keyword and AUTH mechanisms), and the text of AUTH's 334 challenges, which is protocol.
//! Reply texts are each server's own wording and are not compared. The server runs with
//! James's settings in these transcripts: STARTTLS offered, AUTH LOGIN and PLAIN offered
//! without TLS. Where James answers by its own policy rather than an RFC, [`DIVERGENCES`]
//! says so and what we answer.

use tegami_smtp_proto::server::{AfterStartTls, ServerConfig};
use tegami_smtp_proto::{Ehlo, Extension, Reply};

use super::harness::{Connection, Policy};
use super::shared;

/// (file, expected reply line, our reply code, why).
const DIVERGENCES: &[(&str, &str, u16, &str)] = &[
    (
        "authplain.test",
        "334 VXNlcm5hbWU6",
        503,
        "AUTH before EHLO: AUTH is a service extension, offered only in the EHLO reply \
         (RFC 4954 §3, RFC 5321 §4.1.1.1); James accepts it. The exchange itself passes \
         with an EHLO first (`james_auth_login_after_ehlo`).",
    ),
    (
        "starttls_session_fixation.test",
        "501 .*",
        503,
        "STARTTLS after AUTH and in a mail transaction is refused by both; it is a bad \
         sequence of commands (503, RFC 5321 §4.2.4), not a parameter syntax error (501)",
    ),
];

/// `AUTH=LOGIN PLAIN` is a line James adds for clients of the 1990s that predate RFC 2554;
/// no RFC defines it, so we do not send it.
const NOT_OFFERED: &[&str] = &["AUTH=LOGIN PLAIN"];

const FILES: &[&str] = &[
    "authplain.test",
    "data_starts_with_starttls.test",
    "data_with_starttls.test",
    "helo.test",
    "rcpt_with_starttls.test",
    "starttls.test",
    "starttls_session_fixation.test",
    "starttls_with_injection.test",
];

enum Line {
    Client(String),
    Server(String),
}

fn lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter_map(|line| {
            if let Some(rest) = line.strip_prefix("C: ").or(line.strip_prefix("C:")) {
                Some(Line::Client(rest.to_owned()))
            } else {
                line.strip_prefix("S: ")
                    .map(|rest| Line::Server(rest.to_owned()))
            }
        })
        .collect()
}

fn config(file: &str) -> ServerConfig {
    let mut config = ServerConfig::new("mydomain.tld");
    config.tls_available = true;
    config.auth_mechanisms = vec![
        tegami_smtp_proto::sasl::Mechanism::Login,
        tegami_smtp_proto::sasl::Mechanism::Plain,
    ];
    config.auth_requires_tls = false;
    if file == "starttls_with_injection.test" {
        // James refuses STARTTLS with commands pipelined behind it; our default discards them
        // (tested in the server's unit tests); both keep them out of the TLS session.
        config.pipelined_after_starttls = AfterStartTls::Refuse;
    }
    config
}

fn policy() -> Policy {
    Policy {
        user: "bob@mydomain.tld",
        password: "secret",
    }
}

#[test]
fn james_transcripts() {
    let mut diverged = 0;
    for file in FILES {
        diverged += run(file, &lines(&shared(&format!("james/{file}"))));
    }
    assert_eq!(diverged, DIVERGENCES.len());
}

#[test]
fn james_auth_login_after_ehlo() {
    let mut script = vec![
        Line::Server("220 .*".into()),
        Line::Client("EHLO yopmail.com".into()),
        Line::Server("250 .*".into()),
    ];
    script.extend(lines(&shared("james/authplain.test")).into_iter().skip(1));
    assert_eq!(run("authplain.test (after EHLO)", &script), 0);
}

/// Runs one transcript; returns how many divergences it met (and asserts each).
fn run(file: &str, script: &[Line]) -> usize {
    let mut connection = Connection::new(config(file), policy());
    let mut diverged = 0;
    let mut index = 0;
    while index < script.len() {
        match &script[index] {
            Line::Client(text) => {
                let bytes = if text.contains("\\r\\n") {
                    text.replace("\\r\\n", "\r\n")
                } else {
                    format!("{text}\r\n")
                };
                connection.send(bytes.as_bytes());
                index += 1;
            }
            Line::Server(_) => {
                // One reply: lines up to one whose fourth character is a space.
                let mut expected = Vec::new();
                while let Some(Line::Server(line)) = script.get(index) {
                    expected.push(line.clone());
                    index += 1;
                    if line.as_bytes().get(3) == Some(&b' ') {
                        break;
                    }
                }
                let Some(reply) = connection.reply() else {
                    panic!("{file}: no reply where James sends {expected:?}");
                };
                if let Some((.., code, why)) = DIVERGENCES
                    .iter()
                    .find(|(name, line, ..)| *name == file && *line == expected[0])
                {
                    assert_eq!(reply.code(), *code, "{file}: {why}");
                    println!("{file}: {} -> {}: {why}", expected[0], reply.code());
                    diverged += 1;
                    // The transcript cannot go on after a different answer.
                    return diverged;
                }
                compare(file, &expected, &reply);
            }
        }
    }
    diverged
}

fn compare(file: &str, expected: &[String], reply: &Reply<'_>) {
    let code: u16 = expected[0][..3].parse().unwrap();
    assert_eq!(
        reply.code(),
        code,
        "{file}: expected {expected:?}, got {reply}"
    );
    if code == 334 {
        assert_eq!(reply.lines()[0], expected[0][4..], "{file}: SASL challenge");
    }
    if expected.len() > 1 {
        let ehlo = Ehlo::from_reply(reply).unwrap_or_else(|| panic!("{file}: not EHLO: {reply}"));
        for line in &expected[1..] {
            let capability = &line[4..];
            if NOT_OFFERED.contains(&capability) {
                continue;
            }
            let wanted = Extension::parse(capability).unwrap();
            let offered = match &wanted {
                Extension::Auth(mechanisms) => mechanisms
                    .iter()
                    .all(|mechanism| ehlo.offers_auth(mechanism)),
                other => ehlo.offers(other.keyword()),
            };
            assert!(offered, "{file}: {capability} not offered in {reply}");
        }
    }
}
