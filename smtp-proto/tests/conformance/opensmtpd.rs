//! The OpenSMTPD regression scenarios (`smtpscript` files): 69 test cases over HELO/EHLO,
//! command order, MAIL and RCPT paths and parameters, pipelining, limits and STARTTLS.
//!
//! The server runs with OpenSMTPD's limits where a scenario tests them (5 errors, 1000
//! recipients, 100 messages per session): those numbers are that server's policy, and ours
//! are configuration. Four expectations encode OpenSMTPD's leniency rather than RFC 5321; each
//! is listed in [`DIVERGENCES`] with the reason, and asserted the other way round.

use std::collections::HashMap;

use tegami_smtp_proto::server::ServerConfig;

use super::harness::{Connection, Policy};
use super::shared;

/// (file, test case, ordinal of the `expect` in the case, what we answer, why).
const DIVERGENCES: &[(&str, &str, usize, Expect, &str)] = &[
    (
        "test.mailfrom",
        "mailfrom.at-sign",
        3,
        Expect::PermFail,
        "`<@>` is no Reverse-path in RFC 5321 §4.1.2 (OpenSMTPD reads it as `<>`)",
    ),
    (
        "test.mailfrom",
        "mailfrom.src-route",
        3,
        Expect::PermFail,
        "`whatever:` is no A-d-l: an At-domain starts with `@` (RFC 5321 §4.1.2)",
    ),
    (
        "test.rcptto",
        "rcptto.src-route",
        4,
        Expect::PermFail,
        "`whatever:` is no A-d-l: an At-domain starts with `@` (RFC 5321 §4.1.2)",
    ),
    (
        "test.smtp0",
        "#8",
        4,
        Expect::PermFail,
        "the script's RCPT line holds a bare LF (a typo: test.smtp1 has the same case without \
         it); a bare LF in a command is refused (RFC 5321 §2.3.8)",
    ),
];

const FILES: &[&str] = &[
    "test.mailfrom",
    "test.rcptto",
    "test.smtp0",
    "test.smtp1",
    "test.smtp2",
    "test.smtp4",
    "test.tls",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Any,
    Ok,
    Helo,
    TempFail,
    PermFail,
}

#[derive(Debug, Clone)]
enum Statement {
    Expect(Expect),
    ExpectDisconnect,
    Writeln(String),
    Repeat(usize, Vec<Statement>),
    Call(String),
    StartTls,
}

struct Case {
    name: String,
    body: Vec<Statement>,
}

#[test]
fn opensmtpd_scenarios() {
    let mut total = 0;
    let mut diverged = 0;
    for file in FILES {
        let (procs, cases) = parse(&shared(&format!("opensmtpd/{file}")));
        for case in cases {
            let mut run = Run {
                connection: Connection::new(
                    config(),
                    Policy {
                        user: "",
                        password: "",
                    },
                ),
                procs: &procs,
                expects: 0,
                file,
                case: &case.name,
                diverged: 0,
            };
            run.block(&case.body);
            total += 1;
            diverged += run.diverged;
        }
    }
    assert_eq!(total, 69, "the suite has 69 test cases");
    assert_eq!(
        diverged,
        DIVERGENCES.len(),
        "every listed divergence was met"
    );
    println!("opensmtpd: {total} cases, {diverged} documented divergences");
}

fn config() -> ServerConfig {
    let mut config = ServerConfig::new("regress.example");
    config.tls_available = true;
    config.max_errors = 5;
    config.max_recipients = 1000;
    config.max_messages = Some(100);
    config
}

struct Run<'a> {
    connection: Connection,
    procs: &'a HashMap<String, Vec<Statement>>,
    expects: usize,
    file: &'a str,
    case: &'a str,
    diverged: usize,
}

impl Run<'_> {
    fn block(&mut self, statements: &[Statement]) {
        for statement in statements {
            self.statement(statement);
        }
    }

    fn statement(&mut self, statement: &Statement) {
        let at = format!("{} {}", self.file, self.case);
        match statement {
            Statement::Writeln(line) => {
                assert!(!self.connection.closed, "{at}: write after close");
                self.connection.send(format!("{line}\r\n").as_bytes());
            }
            Statement::Expect(expect) => {
                self.expects += 1;
                let mut expect = *expect;
                if let Some((.., ours, why)) =
                    DIVERGENCES.iter().find(|(file, case, ordinal, ..)| {
                        *file == self.file && *case == self.case && *ordinal == self.expects
                    })
                {
                    println!("{at}: expect {expect:?} -> {ours:?}: {why}");
                    expect = *ours;
                    self.diverged += 1;
                }
                let reply = self
                    .connection
                    .reply()
                    .unwrap_or_else(|| panic!("{at}: no reply for expect #{}", self.expects));
                let class = reply.code() / 100;
                let ok = match expect {
                    Expect::Any => true,
                    Expect::Ok => matches!(class, 2 | 3) && reply.lines().len() == 1,
                    Expect::Helo => class == 2,
                    Expect::TempFail => class == 4,
                    Expect::PermFail => class == 5,
                };
                assert!(ok, "{at}: expect #{} {expect:?}, got {reply}", self.expects);
            }
            Statement::ExpectDisconnect => {
                // OpenSMTPD may close without a word; we say 421 first, as RFC 5321 §3.8 asks.
                let mut replies = Vec::new();
                while let Some(reply) = self.connection.reply() {
                    replies.push(reply.code());
                }
                assert!(
                    replies.last().is_none_or(|&code| code == 421),
                    "{at}: replies before disconnect: {replies:?}"
                );
                assert!(self.connection.closed, "{at}: the server did not close");
            }
            Statement::Repeat(count, body) => {
                for _ in 0..*count {
                    self.block(body);
                }
            }
            Statement::Call(name) => {
                let body = self
                    .procs
                    .get(name)
                    .unwrap_or_else(|| panic!("no proc {name}"));
                self.block(&body.clone());
            }
            Statement::StartTls => self.connection.start_tls(),
        }
    }
}

/// Tokens of the script language: words, quoted strings (which may span lines), braces.
fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '#' => while chars.next().is_some_and(|c| c != '\n') {},
            '"' => {
                chars.next();
                let mut string = String::from("\"");
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    string.push(c);
                }
                tokens.push(string);
            }
            '{' | '}' => {
                tokens.push(c.to_string());
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '{' || c == '}' || c == '"' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(word);
            }
        }
    }
    tokens
}

fn parse(text: &str) -> (HashMap<String, Vec<Statement>>, Vec<Case>) {
    let tokens = tokens(text);
    let mut position = 0;
    let mut procs = HashMap::new();
    let mut cases = Vec::new();
    while position < tokens.len() {
        match tokens[position].as_str() {
            "proc" => {
                let name = tokens[position + 1].clone();
                position += 2;
                procs.insert(name, block(&tokens, &mut position));
            }
            "test-case" => {
                position += 1;
                let mut name = format!("#{}", cases.len() + 1);
                if tokens[position] == "name" {
                    name = tokens[position + 1].trim_start_matches('"').to_owned();
                    position += 2;
                }
                let body = block(&tokens, &mut position);
                cases.push(Case { name, body });
            }
            other => panic!("unexpected token {other}"),
        }
    }
    (procs, cases)
}

fn block(tokens: &[String], position: &mut usize) -> Vec<Statement> {
    assert_eq!(tokens[*position], "{");
    *position += 1;
    let mut body = Vec::new();
    while tokens[*position] != "}" {
        body.push(statement(tokens, position));
    }
    *position += 1;
    body
}

fn statement(tokens: &[String], position: &mut usize) -> Statement {
    let word = tokens[*position].clone();
    *position += 1;
    match word.as_str() {
        "writeln" => {
            let text = tokens[*position].trim_start_matches('"').to_owned();
            *position += 1;
            Statement::Writeln(text)
        }
        "expect" => {
            let what = tokens[*position].clone();
            *position += 1;
            if what == "disconnect" {
                return Statement::ExpectDisconnect;
            }
            assert_eq!(what, "smtp");
            let expect = match tokens.get(*position).map(String::as_str) {
                Some("ok") => Expect::Ok,
                Some("helo") => Expect::Helo,
                Some("tempfail") => Expect::TempFail,
                Some("permfail") => Expect::PermFail,
                _ => return Statement::Expect(Expect::Any),
            };
            *position += 1;
            Statement::Expect(expect)
        }
        "repeat" => {
            let count = tokens[*position].parse().unwrap();
            *position += 1;
            let body = if tokens[*position] == "{" {
                block(tokens, position)
            } else {
                vec![statement(tokens, position)]
            };
            Statement::Repeat(count, body)
        }
        "call" => {
            let name = tokens[*position].clone();
            *position += 1;
            Statement::Call(name)
        }
        "starttls" => Statement::StartTls,
        other => panic!("unknown statement {other}"),
    }
}
