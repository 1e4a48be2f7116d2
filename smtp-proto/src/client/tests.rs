use alloc::vec;

use proptest::prelude::*;

use super::*;
use crate::reply::EnhancedStatus;
use crate::sasl::scram::ScramKeys;
use crate::sasl::{Credentials, Mechanism, SaslError};
use crate::server::{Event, Server, ServerConfig};

/// Runs a client against a server in memory until both are quiet; TLS handshakes complete
/// at once. `refuse` names recipients the server rejects. Returns the client's events and the
/// messages the server stored.
fn converse(
    client: &mut Client,
    server: &mut Server,
    refuse: &[&str],
) -> (Vec<ClientEvent>, Vec<Vec<u8>>) {
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let (mut events, mut stored, mut current) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..200 {
        let mut server_tls = false;
        while let Some(event) = server.poll(&mut to_client) {
            let request = event.request();
            let mut accept = true;
            match &event {
                Event::Data(chunk) => current.extend_from_slice(chunk),
                Event::MessageComplete { .. } => stored.push(core::mem::take(&mut current)),
                Event::Recipient { to, .. } => accept = !refuse.contains(&to.to_string().as_str()),
                Event::Authenticate {
                    credentials: Credentials::Password { password, .. },
                    ..
                } => {
                    accept = password.expose() == "hunter2";
                }
                Event::Authenticate { credentials, .. }
                    if matches!(credentials, Credentials::CramMd5 { .. }) =>
                {
                    accept = credentials.verify_cram_md5(b"hunter2");
                }
                Event::ScramKeys { .. } => accept = false,
                Event::StartTls => server_tls = true,
                _ => {}
            }
            if let (Event::ScramKeys { .. }, Some(request)) = (&event, request) {
                server.scram_keys(request, scram_keys()).unwrap();
                continue;
            }
            if let Some(request) = request {
                if accept {
                    server.accept(request).unwrap();
                } else {
                    server
                        .reject(
                            request,
                            Reply::new(550, Some(EnhancedStatus::new(5, 1, 1)), "no"),
                        )
                        .unwrap();
                }
            }
        }
        client.handle_input(&core::mem::take(&mut to_client));
        let mut client_tls = false;
        while let Some(event) = client.poll(&mut to_server) {
            client_tls |= event == ClientEvent::StartTls;
            events.push(event);
        }
        if server_tls && client_tls {
            server.handle_tls_established();
            client.handle_tls_established();
            events.extend(client.poll(&mut to_server));
        }
        if to_server.is_empty() && !server_tls && events.last() == Some(&ClientEvent::Close) {
            break;
        }
        server.handle_input(&core::mem::take(&mut to_server));
    }
    (events, stored)
}

fn delivered(events: &[ClientEvent]) -> Vec<&Delivery> {
    events
        .iter()
        .filter_map(|event| match event {
            ClientEvent::Delivered(delivery) => Some(delivery),
            _ => None,
        })
        .collect()
}

/// The server's stored SCRAM keys for jane's password "hunter2".
fn scram_keys() -> ScramKeys {
    ScramKeys::derive(b"hunter2", b"jane's salt", 4096)
}

const MESSAGE: &[u8] = b"Subject: hi\r\n\r\n.leading dot\r\n..two\r\nlast line without CRLF";

#[test]
fn delivers_with_bdat_in_crlf_lines() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.send_message(
        Envelope::new("<a@c.example>", ["<b@mx.example>"]).unwrap(),
        MESSAGE.to_vec(),
    );
    client.quit();
    let (events, stored) = converse(
        &mut client,
        &mut Server::new(ServerConfig::new("mx.example")),
        &[],
    );
    let mut expected = MESSAGE.to_vec();
    expected.extend_from_slice(b"\r\n");
    assert_eq!(stored, [expected]);
    assert!(delivered(&events)[0].is_accepted());
    assert_eq!(events.last(), Some(&ClientEvent::Close));
}

#[test]
fn delivers_with_data_dot_stuffed() {
    let mut config = ClientConfig::new("c.example");
    config.prefer_chunking = false;
    let mut client = Client::new(config);
    client.send_message(
        Envelope::new("<a@c.example>", ["<b@mx.example>"]).unwrap(),
        MESSAGE.to_vec(),
    );
    client.quit();
    let (events, stored) = converse(
        &mut client,
        &mut Server::new(ServerConfig::new("mx.example")),
        &[],
    );
    let mut expected = MESSAGE.to_vec();
    expected.extend_from_slice(b"\r\n");
    assert_eq!(stored, [expected]);
    assert!(delivered(&events)[0].is_accepted());
}

#[test]
fn without_pipelining_one_command_at_a_time() {
    let mut server_config = ServerConfig::new("mx.example");
    server_config.pipelining = false;
    server_config.chunking = false;
    let mut client = Client::new(ClientConfig::new("c.example"));
    let envelope = Envelope::new(
        "<a@c.example>",
        ["<b@mx.example>", "<x@mx.example>", "<d@mx.example>"],
    )
    .unwrap();
    client.send_message(envelope, b"body\r\n".to_vec());
    client.quit();
    let (events, stored) = converse(
        &mut client,
        &mut Server::new(server_config),
        &["<x@mx.example>"],
    );
    assert_eq!(stored, [b"body\r\n".to_vec()]);
    let delivery = delivered(&events)[0];
    let accepted: Vec<String> = delivery
        .accepted_recipients()
        .map(ToString::to_string)
        .collect();
    assert_eq!(accepted, ["<b@mx.example>", "<d@mx.example>"]);
    assert_eq!(delivery.recipients[1].1.code(), 550);
}

#[test]
fn several_messages_and_a_refused_one() {
    for chunking in [true, false] {
        let mut config = ClientConfig::new("c.example");
        config.prefer_chunking = chunking;
        let mut client = Client::new(config);
        let first = client.send_message(
            Envelope::new("<a@c.example>", ["<x@mx.example>"]).unwrap(),
            b"one\r\n".to_vec(),
        );
        let second = client.send_message(
            Envelope::new("<>", ["<b@mx.example>"]).unwrap(),
            b"two\r\n".to_vec(),
        );
        client.quit();
        let (events, stored) = converse(
            &mut client,
            &mut Server::new(ServerConfig::new("mx.example")),
            &["<x@mx.example>"],
        );
        assert_eq!(stored, [b"two\r\n".to_vec()], "chunking {chunking}");
        let deliveries = delivered(&events);
        assert_eq!((deliveries[0].id, deliveries[1].id), (first, second));
        assert!(!deliveries[0].is_accepted());
        assert!(deliveries[1].is_accepted());
    }
}

#[test]
fn submission_with_starttls_and_auth() {
    for mechanisms in [
        vec![Mechanism::Plain, Mechanism::Login],
        vec![Mechanism::Login],
    ] {
        let mut server_config = ServerConfig::submission("smtp.example");
        server_config.auth_mechanisms = mechanisms;
        let mut config = ClientConfig::new("c.example");
        config.tls = TlsPolicy::Required;
        config.credentials = Some(("jane".into(), Secret::new("hunter2".into())));
        let mut client = Client::new(config);
        client.send_message(
            Envelope::new("<jane@c.example>", ["<b@mx.example>"]).unwrap(),
            b"x\r\n".to_vec(),
        );
        client.quit();
        let mut server = Server::new(server_config);
        let (events, stored) = converse(&mut client, &mut server, &[]);
        assert!(client.tls_active() && client.authenticated(), "{events:?}");
        assert_eq!(stored.len(), 1);
    }
}

#[test]
fn wrong_password_fails_the_session() {
    let mut config = ClientConfig::new("c.example");
    config.credentials = Some(("jane".into(), Secret::new("wrong".into())));
    let mut client = Client::new(config);
    client.send_message(
        Envelope::new("<jane@c.example>", ["<b@mx.example>"]).unwrap(),
        b"x\r\n".to_vec(),
    );
    let (events, stored) = converse(
        &mut client,
        &mut Server::new(ServerConfig::submission("smtp.example")),
        &[],
    );
    assert!(stored.is_empty());
    assert!(
        matches!(
            events.as_slice(),
            [
                ..,
                ClientEvent::StartTls,
                ClientEvent::Failed(ClientError::AuthenticationFailed(_)),
                ClientEvent::Close
            ]
        ),
        "{events:?}"
    );
}

#[test]
fn required_tls_without_starttls_fails() {
    let mut config = ClientConfig::new("c.example");
    config.tls = TlsPolicy::Required;
    let mut client = Client::new(config);
    client.send_message(
        Envelope::new("<a@c.example>", ["<b@mx.example>"]).unwrap(),
        b"x\r\n".to_vec(),
    );
    let (events, _) = converse(
        &mut client,
        &mut Server::new(ServerConfig::new("mx.example")),
        &[],
    );
    assert_eq!(
        events,
        [
            ClientEvent::Failed(ClientError::TlsUnavailable),
            ClientEvent::Close
        ]
    );
}

#[test]
fn starttls_response_injection_is_refused() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    let mut out = Vec::new();
    client.handle_input(b"220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n");
    assert_eq!(client.poll(&mut out), None);
    assert_eq!(out, b"EHLO c.example\r\nSTARTTLS\r\n");
    // A man in the middle appends a forged reply behind the 220, in the plaintext.
    client.handle_input(b"220 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n");
    assert_eq!(
        client.poll(&mut out),
        Some(ClientEvent::Failed(ClientError::InjectionAfterStartTls))
    );
    assert_eq!(client.poll(&mut out), Some(ClientEvent::Close));
}

#[test]
fn helo_fallback_and_missing_extensions() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    let envelope = Envelope::new("<j\u{f6}rg@c.example>", ["<b@mx.example>"]).unwrap();
    client.send_message(envelope, b"x\r\n".to_vec());
    let mut out = Vec::new();
    client.handle_input(b"220 old.example\r\n500 what?\r\n250 old.example\r\n");
    assert_eq!(
        client.poll(&mut out),
        Some(ClientEvent::Failed(ClientError::MissingExtension(
            "SMTPUTF8"
        )))
    );
    assert_eq!(out, b"EHLO c.example\r\nHELO c.example\r\n");
}

#[test]
fn dot_stuffing() {
    let mut out = Vec::new();
    dot_stuff(b".a\r\nb\n.c\r.\r\n", &mut out);
    assert_eq!(out, b"..a\r\nb\r\n..c\r\n..\r\n");
    out.clear();
    dot_stuff(b"", &mut out);
    assert_eq!(out, b"");
}

proptest! {
    #[test]
    fn any_message_arrives_byte_identical_with_bdat(message in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut client = Client::new(ClientConfig::new("c.example"));
        let mut envelope = Envelope::new("<a@c.example>", ["<b@mx.example>"]).unwrap();
        envelope.parameters.body = Some(Body::BinaryMime);
        client.send_message(envelope, message.clone());
        client.quit();
        let (events, stored) = converse(&mut client, &mut Server::new(ServerConfig::new("mx.example")), &[]);
        prop_assert_eq!(stored, vec![message]);
        prop_assert_eq!(events.last(), Some(&ClientEvent::Close));
    }

    #[test]
    fn arbitrary_server_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..6)) {
        let mut client = Client::new(ClientConfig::new("c.example"));
        client.send_message(Envelope::new("<a@c.example>", ["<b@mx.example>"]).unwrap(), b"x".to_vec());
        let mut out = Vec::new();
        for chunk in chunks {
            client.handle_input(&chunk);
            while client.poll(&mut out).is_some() {}
        }
    }
}

/// Found by fuzzing: replies that arrive together with the EHLO reply must be read in the same
/// poll, or the session waits for input that already came.
#[test]
fn replies_in_one_read_are_all_processed() {
    let mut client = Client::new(ClientConfig::new("c.example"));
    client.send_message(
        Envelope::new("<a@c.example>", ["<b@mx.example>"]).unwrap(),
        b"x\r\n".to_vec(),
    );
    client.quit();
    client.handle_input(b"220 mx\r\n250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n250 ok\r\n250 ok\r\n250 ok\r\n221 bye\r\n");
    let mut out = Vec::new();
    let mut events = Vec::new();
    while let Some(event) = client.poll(&mut out) {
        events.push(event);
    }
    assert!(delivered(&events)[0].is_accepted(), "{events:?}");
    assert_eq!(events.last(), Some(&ClientEvent::Close));
}

/// A submission over STARTTLS with these mechanisms offered and this password; the client's
/// events, and whether the server saw the client authenticated with which mechanism.
fn submit(
    mechanisms: Vec<Mechanism>,
    password: &str,
    client_nonce: Option<&str>,
    keys: Option<ScramKeys>,
) -> (Vec<ClientEvent>, Option<Mechanism>) {
    let mut server_config = ServerConfig::submission("smtp.example");
    server_config.auth_mechanisms = mechanisms;
    let mut config = ClientConfig::new("c.example");
    config.tls = TlsPolicy::Required;
    config.credentials = Some(("jane".into(), Secret::new(password.into())));
    config.sasl_nonce = client_nonce.map(Into::into);
    let mut client = Client::new(config);
    client.send_message(
        Envelope::new("<jane@c.example>", ["<b@mx.example>"]).unwrap(),
        b"x\r\n".to_vec(),
    );
    client.quit();
    let mut server = Server::new(server_config);
    server.set_sasl_nonce("c2VydmVyLW5vbmNl").unwrap();
    let events = match keys {
        None => converse(&mut client, &mut server, &[]).0,
        // A server whose keys are not jane's: answer the SCRAM request with them.
        Some(keys) => {
            let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
            let mut events = Vec::new();
            for _ in 0..50 {
                while let Some(event) = server.poll(&mut to_client) {
                    let request = event.request();
                    let scram = matches!(event, Event::ScramKeys { .. });
                    let starttls = event == Event::StartTls;
                    match request {
                        Some(request) if scram => server.scram_keys(request, keys.clone()).unwrap(),
                        Some(request) => server.accept(request).unwrap(),
                        None if starttls => {
                            server.handle_tls_established();
                        }
                        None => {}
                    }
                }
                client.handle_input(&core::mem::take(&mut to_client));
                while let Some(event) = client.poll(&mut to_server) {
                    if event == ClientEvent::StartTls {
                        client.handle_tls_established();
                    }
                    events.push(event);
                }
                server.handle_input(&core::mem::take(&mut to_server));
            }
            events
        }
    };
    (events, server.authenticated().map(|a| a.mechanism))
}

#[test]
fn scram_sha256_is_preferred_when_a_nonce_is_configured() {
    let all = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ];
    let (events, mechanism) = submit(all.clone(), "hunter2", Some("Y2xpZW50LW5vbmNl"), None);
    assert_eq!(mechanism, Some(Mechanism::ScramSha256), "{events:?}");
    assert_eq!(delivered(&events).len(), 1);
    // Without a client nonce: PLAIN.
    let (_, mechanism) = submit(all, "hunter2", None, None);
    assert_eq!(mechanism, Some(Mechanism::Plain));
    // CRAM-MD5 when it is all the server has.
    let (events, mechanism) = submit(vec![Mechanism::CramMd5], "hunter2", None, None);
    assert_eq!(mechanism, Some(Mechanism::CramMd5), "{events:?}");
    // SCRAM only, and no nonce: nothing to use.
    let (events, _) = submit(vec![Mechanism::ScramSha256], "hunter2", None, None);
    assert!(
        events.contains(&ClientEvent::Failed(ClientError::NoAuthMechanism)),
        "{events:?}"
    );
}

#[test]
fn challenge_response_failures() {
    for mechanism in [Mechanism::ScramSha256, Mechanism::CramMd5] {
        let (events, authenticated) =
            submit(vec![mechanism], "hunter3", Some("Y2xpZW50LW5vbmNl"), None);
        assert_eq!(authenticated, None);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, ClientEvent::Failed(ClientError::AuthenticationFailed(_)))),
            "{mechanism}: {events:?}"
        );
    }
    // A server that checks the proof but cannot sign (its server key is not jane's): the
    // client stops before saying yes; the server never sees it authenticated.
    let mut keys = scram_keys();
    keys.server_key = [7; 32];
    let (events, authenticated) = submit(
        vec![Mechanism::ScramSha256],
        "hunter2",
        Some("Y2xpZW50LW5vbmNl"),
        Some(keys),
    );
    assert_eq!(authenticated, None);
    assert!(
        events.contains(&ClientEvent::Failed(ClientError::Sasl(
            SaslError::InvalidServerSignature
        ))),
        "{events:?}"
    );
}
