//! SMTP attacks, each a named test through the facade's `tegami::smtp` sessions: SMTP
//! smuggling (2023), STARTTLS command and response injection ("Why TLS is better without
//! STARTTLS", USENIX Security 2021), pipelining abuse, and the envelope cases of "Composition
//! Kills" (USENIX Security 2020) and "Weak Links in Authentication Chains" (USENIX Security
//! 2021) that an SMTP session decides. SECURITY.md lists them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tegami::smtp::client::{Client, ClientConfig, ClientError, ClientEvent};
use tegami::smtp::sasl::Mechanism;
use tegami::smtp::server::{AfterStartTls, Event, Refusal, Server, ServerConfig};

/// What the application behind a server session saw.
#[derive(Debug, Default)]
struct Seen {
    out: String,
    senders: Vec<String>,
    recipients: Vec<String>,
    messages: Vec<Vec<u8>>,
    refused: Vec<Refusal>,
    start_tls: bool,
    closed: bool,
}

/// Feeds `input` in one read and accepts every request.
fn serve(config: ServerConfig, input: &[u8]) -> (Server, Seen) {
    let mut server = Server::new(config);
    let mut seen = Seen::default();
    server.handle_input(input);
    let mut out = Vec::new();
    let mut current = Vec::new();
    while let Some(event) = server.poll(&mut out) {
        let request = event.request();
        match event {
            Event::Mail { from, .. } => seen.senders.push(from.to_string()),
            Event::Recipient { to, .. } => seen.recipients.push(to.to_string()),
            Event::Data(chunk) => current.extend_from_slice(chunk),
            Event::MessageComplete { .. } => seen.messages.push(std::mem::take(&mut current)),
            Event::MessageRefused { reason } => {
                current.clear();
                seen.refused.push(reason);
            }
            Event::StartTls => seen.start_tls = true,
            Event::Close => seen.closed = true,
            _ => {}
        }
        if let Some(request) = request {
            server.accept(request).unwrap();
        }
    }
    seen.out = String::from_utf8(out).unwrap();
    (server, seen)
}

fn relay() -> ServerConfig {
    ServerConfig::new("mx.example")
}

const ENVELOPE: &str = "EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<b@mx.example>\r\n";

/// A first message whose data ends with `end`, followed by a forged second transaction.
fn smuggle(end: &str) -> Seen {
    let input = format!(
        "{ENVELOPE}DATA\r\nFrom: a@c.example\r\n\r\nfirst{end}MAIL FROM:<ceo@bank.example>\r\n\
         RCPT TO:<victim@mx.example>\r\nDATA\r\nFrom: ceo@bank.example\r\n\r\nforged\r\n.\r\n"
    );
    serve(relay(), input.as_bytes()).1
}

/// The smuggled transaction never reaches the application and the first message is refused.
fn assert_smuggling_refused(end: &str) {
    let seen = smuggle(end);
    assert!(seen.messages.is_empty(), "{end:?}: {:?}", seen.messages);
    assert_eq!(seen.senders, ["<a@c.example>"], "{end:?}");
    assert_eq!(seen.refused, [Refusal::BareLineEnding], "{end:?}");
    assert!(
        seen.out
            .ends_with("550 5.6.0 Bare CR or LF in message data; refused\r\n"),
        "{end:?}"
    );
}

#[test]
fn smtp_smuggling_lf_dot_lf() {
    assert_smuggling_refused("\n.\n");
}

#[test]
fn smtp_smuggling_lf_dot_crlf() {
    assert_smuggling_refused("\n.\r\n");
}

#[test]
fn smtp_smuggling_cr_dot_crlf() {
    assert_smuggling_refused("\r.\r\n");
}

#[test]
fn smtp_smuggling_crlf_dot_cr() {
    assert_smuggling_refused("\r\n.\r");
}

#[test]
fn smtp_smuggling_crlf_dot_lf() {
    assert_smuggling_refused("\r\n.\n");
}

#[test]
fn smtp_smuggling_cr_dot_cr() {
    assert_smuggling_refused("\r.\r");
}

#[test]
fn smtp_smuggling_lf_dot_cr_lf() {
    // A CR and an LF with the dot between: neither is a CRLF.
    assert_smuggling_refused("\n.\r");
}

#[test]
fn smtp_smuggling_tolerated_bare_lf_still_ends_only_at_crlf_dot_crlf() {
    let mut config = relay();
    config.allow_bare_line_endings = true;
    let input = format!(
        "{ENVELOPE}DATA\r\nfirst\n.\nMAIL FROM:<ceo@bank.example>\r\nRCPT TO:<victim@mx.example>\r\n.\r\n"
    );
    let (_, seen) = serve(config, input.as_bytes());
    assert_eq!(seen.senders, ["<a@c.example>"]);
    assert_eq!(
        seen.messages,
        [b"first\n.\nMAIL FROM:<ceo@bank.example>\r\nRCPT TO:<victim@mx.example>\r\n".to_vec()]
    );
}

#[test]
fn smtp_smuggling_bdat_is_length_framed() {
    // With BDAT the data is counted, not scanned: a "." line inside is content.
    let chunk = "x\r\n.\r\nMAIL FROM:<ceo@bank.ex>\r\n";
    let input = format!("{ENVELOPE}BDAT {} LAST\r\n{chunk}", chunk.len());
    let (_, seen) = serve(relay(), input.as_bytes());
    assert_eq!(seen.senders, ["<a@c.example>"]);
    assert_eq!(
        seen.messages,
        [b"x\r\n.\r\nMAIL FROM:<ceo@bank.ex>\r\n".to_vec()]
    );
}

#[test]
fn starttls_command_injection_is_discarded() {
    let mut config = relay();
    config.tls_available = true;
    let (mut server, seen) = serve(
        config,
        b"EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\n",
    );
    assert!(seen.start_tls);
    assert!(seen.senders.is_empty());
    server.handle_tls_established();
    let mut out = Vec::new();
    server.handle_input(b"RCPT TO:<b@mx.example>\r\n");
    assert!(server.poll(&mut out).is_none());
    assert_eq!(
        out, b"503 5.5.1 Send MAIL first\r\n",
        "the injected MAIL did not survive the handshake"
    );
}

#[test]
fn starttls_command_injection_is_refused_when_configured() {
    let mut config = relay();
    config.tls_available = true;
    config.pipelined_after_starttls = AfterStartTls::Refuse;
    let (_, seen) = serve(
        config,
        b"EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\n",
    );
    assert!(!seen.start_tls && seen.closed);
    assert!(
        seen.out
            .ends_with("451 4.7.0 Commands pipelined after STARTTLS; closing\r\n")
    );
}

#[test]
fn starttls_response_injection_is_refused_by_the_client() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    let mut out = Vec::new();
    client.handle_input(b"220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n");
    assert!(client.poll(&mut out).is_none());
    client.handle_input(b"220 2.0.0 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n");
    assert_eq!(
        client.poll(&mut out),
        Some(ClientEvent::Failed(ClientError::InjectionAfterStartTls))
    );
}

#[test]
fn starttls_stripped_by_a_man_in_the_middle_fails_a_required_policy() {
    let mut config = ClientConfig::new("c.example");
    config.tls = tegami::smtp::client::TlsPolicy::Required;
    let mut client = Client::new(config);
    let mut out = Vec::new();
    client.handle_input(b"220 mx ESMTP\r\n250-mx\r\n250 PIPELINING\r\n");
    assert_eq!(
        client.poll(&mut out),
        Some(ClientEvent::Failed(ClientError::TlsUnavailable))
    );
}

#[test]
fn pipelining_abuse_is_bounded_by_the_error_limit() {
    let mut config = relay();
    config.max_errors = 10;
    let input = "NOT A COMMAND\r\n".repeat(10_000);
    let (_, seen) = serve(config, input.as_bytes());
    assert!(seen.closed);
    assert_eq!(
        seen.out.matches("500 ").count(),
        10,
        "the session stops reading at the limit"
    );
}

#[test]
fn pipelined_commands_after_data_wait_for_the_decision() {
    let input = format!("{ENVELOPE}DATA\r\nx\r\n.\r\nMAIL FROM:<second@c.example>\r\n");
    let mut server = Server::new(relay());
    server.handle_input(input.as_bytes());
    let mut out = Vec::new();
    let mut order = Vec::new();
    while let Some(event) = server.poll(&mut out) {
        let request = event.request();
        order.push(
            format!("{event:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned(),
        );
        if let Some(request) = request {
            server.accept(request).unwrap();
        }
    }
    let complete = order
        .iter()
        .position(|event| event == "MessageComplete")
        .unwrap();
    let second = order.iter().rposition(|event| event == "Mail").unwrap();
    assert!(complete < second, "{order:?}");
}

#[test]
fn composition_kills_a5_comment_in_mail_from_is_refused() {
    // An address parser that reads `(` as a comment start takes legitimate.example as the
    // domain; SPF would check attack.example. RFC 5321 has no comments: 501.
    let input = "EHLO c\r\nMAIL FROM:<any@attack.example(.legitimate.example>\r\n";
    let (_, seen) = serve(relay(), input.as_bytes());
    assert!(seen.senders.is_empty());
    assert!(
        seen.out
            .ends_with("501 5.1.7 Bad sender address syntax\r\n")
    );
}

#[test]
fn composition_kills_a11_source_route_is_dropped_consistently() {
    let input = "EHLO c\r\nMAIL FROM:<@attack.example,@relay.example:admin@legitimate.example>\r\n";
    let (server, seen) = serve(relay(), input.as_bytes());
    // The application (and SPF after it) sees the one mailbox the route leads to.
    assert_eq!(seen.senders, ["<admin@legitimate.example>"]);
    assert_eq!(
        server.envelope().unwrap().from.to_string(),
        "<admin@legitimate.example>"
    );
}

#[test]
fn composition_kills_a12_quoted_pair_is_kept_in_the_local_part() {
    let input = "EHLO c\r\nMAIL FROM:<\"admin\\@legitimate.example\"@attack.example>\r\n";
    let (_, seen) = serve(relay(), input.as_bytes());
    // The domain is attack.example, whatever the quoted local part looks like.
    assert_eq!(
        seen.senders,
        ["<\"admin\\@legitimate.example\"@attack.example>"]
    );
}

#[test]
fn composition_kills_a13_second_at_sign_is_refused() {
    let input = "EHLO c\r\nMAIL FROM:<admin@legitimate.example@attack.example>\r\n";
    let (_, seen) = serve(relay(), input.as_bytes());
    assert!(seen.senders.is_empty());
    assert!(seen.out.contains("501 5.1.7"));
}

#[test]
fn weak_links_a1_auth_identity_differs_from_mail_from() {
    let mut config = ServerConfig::submission("smtp.example");
    config.auth_requires_tls = false;
    config.auth_mechanisms = vec![Mechanism::Plain];
    // jane authenticates, then claims to be the CEO.
    let input = "EHLO c\r\nAUTH PLAIN AGphbmUAaHVudGVyMg==\r\nMAIL FROM:<ceo@example.com>\r\n";
    let (server, seen) = serve(config, input.as_bytes());
    assert_eq!(seen.senders, ["<ceo@example.com>"]);
    let who = server.authenticated().unwrap();
    assert_eq!(
        who.username, "jane",
        "the application gets both and decides"
    );
}

#[test]
fn weak_links_raw_0xff_in_an_address_is_refused() {
    let (_, seen) = serve(
        relay(),
        b"EHLO c\r\nMAIL FROM:<adm\xffin@legitimate.example>\r\n",
    );
    assert!(seen.senders.is_empty());
    assert!(
        seen.out
            .ends_with("500 5.5.2 Invalid characters in command\r\n")
    );
}

#[test]
fn weak_links_encoded_word_in_mail_from_is_never_decoded() {
    // `=?utf-8?b?...?=` is a valid Dot-string (`=` and `?` are atext), so the path is accepted
    // as written: its domain is attack.example, and nothing decodes the word into
    // admin@legit.example.
    let input = "EHLO c\r\nMAIL FROM:<=?utf-8?b?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?=@attack.example>\r\n";
    let (server, seen) = serve(relay(), input.as_bytes());
    assert_eq!(
        seen.senders,
        ["<=?utf-8?b?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?=@attack.example>"]
    );
    let envelope = server.envelope().unwrap();
    let tegami::core::mailbox::ReversePath::Mailbox(mailbox) = &envelope.from else {
        panic!("not null");
    };
    assert_eq!(mailbox.domain_name().unwrap().as_str(), "attack.example");
}
