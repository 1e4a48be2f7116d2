//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::command::Command;
use crate::reply::{Reply, ReplyLimits, ReplyParse};
use crate::sasl::{self, Credentials, Mechanism};
use crate::server::{Event, Server, ServerConfig};

/// Any line is a command or an error; a command's wire form parses back to the same wire form.
pub fn command(data: &[u8]) {
    let Ok(command) = Command::parse(data) else {
        return;
    };
    let written = command.to_string();
    let line = written
        .strip_suffix("\r\n")
        .expect("commands end with CRLF");
    let again = Command::parse(line.as_bytes()).expect("a written command parses");
    assert_eq!(again.to_string(), written);
}

/// Any bytes are a reply, a partial reply or an error; a reply written out parses back equal.
pub fn reply(data: &[u8]) {
    let limits = ReplyLimits {
        max_line: 512,
        max_lines: 20,
    };
    let Ok(ReplyParse::Complete { reply, consumed }) = Reply::parse_with(data, limits) else {
        return;
    };
    assert!(consumed <= data.len());
    let mut wire = Vec::new();
    reply.write_to(&mut wire);
    match Reply::parse(&wire) {
        Ok(ReplyParse::Complete {
            reply: again,
            consumed,
        }) => {
            assert_eq!(consumed, wire.len());
            assert_eq!(again, reply);
        }
        other => panic!("written reply does not parse: {other:?}"),
    }
    if let Some(ehlo) = crate::ehlo::Ehlo::from_reply(&reply) {
        let _ = ehlo.to_reply();
    }
}

/// Every SASL decoder takes any bytes; PLAIN credentials encode back to the same credentials.
pub fn sasl(data: &[u8]) {
    let _ = sasl::decode_response(data);
    let _ = sasl::decode_xoauth2(data);
    let _ = sasl::decode_oauthbearer(data);
    let half = data.len() / 2;
    let _ = sasl::decode_login(
        data.get(..half).unwrap_or_default(),
        data.get(half..).unwrap_or_default(),
    );
    if let Ok(Credentials::Password {
        authorization_id,
        username,
        password,
    }) = sasl::decode_plain(data)
    {
        let mut message = authorization_id.unwrap_or_default().into_bytes();
        message.push(0);
        message.extend_from_slice(username.as_bytes());
        message.push(0);
        message.extend_from_slice(password.expose().as_bytes());
        assert_eq!(message, data);
    }
    // CRAM-MD5: a response read back is the one a client computes for the same fields only
    // when its digest verifies; it never verifies against another password.
    if let Ok(credentials) = sasl::cram_md5::decode_response("<1.2@fuzz>", data) {
        let username = credentials.username().to_owned();
        let computed = sasl::cram_md5::response(&username, data, "<1.2@fuzz>");
        let again = sasl::cram_md5::decode_response("<1.2@fuzz>", computed.as_bytes())
            .expect("a computed response reads");
        assert!(again.verify_cram_md5(data));
    }
    // SCRAM: a client-first message the server reads keeps its names; whatever a server
    // sends a client, the client errs or answers, and never verifies a signature it did not
    // compute.
    if let Ok(first) = sasl::scram::ClientFirst::parse(data) {
        assert!(!first.username().is_empty());
        let keys = sasl::scram::ScramKeys::derive(b"pw", b"salt", 1);
        if let Ok(server) = sasl::scram::ServerExchange::new(first, "srv", keys) {
            let _ = server.finish(data);
        }
    }
    if let Ok(mut client) = sasl::scram::ClientExchange::new("user", None, b"pw", "abc") {
        // Bound the work a hostile i= asks for in this target: counts of two digits at most.
        let small = data
            .split(|&b| b == b',')
            .all(|field| !field.starts_with(b"i=") || field.len() <= 4);
        if small {
            let _ = client.client_final(data);
        }
        assert!(client.verify_server_final(data).is_err() || data.starts_with(b"v="));
    }
}

/// A server session fed arbitrary client bytes: the first byte picks the chunk size and the
/// application's answers. Whatever arrives, the session sends only valid replies, hands out no
/// more data than it received, and behaves the same whether the bytes come whole or in chunks.
pub fn server(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control % 32) + 1;
    let whole = session(control, &[input]);
    let pieces: Vec<&[u8]> = input.chunks(chunk).collect();
    let split = session(control, &pieces);
    assert_eq!(whole, split, "chunking changed the session");
    let (out, _, data_len) = whole;
    assert!(data_len <= input.len());
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        match Reply::parse(rest) {
            Ok(ReplyParse::Complete { consumed, .. }) => {
                rest = rest.get(consumed..).unwrap_or_default();
            }
            other => panic!("the server sent something that is not a reply: {other:?}"),
        }
    }
}

fn session(control: u8, chunks: &[&[u8]]) -> (Vec<u8>, Vec<String>, usize) {
    let mut config = ServerConfig::new("mx.example");
    config.auth_mechanisms = alloc::vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::XOAuth2,
        Mechanism::OAuthBearer,
        Mechanism::CramMd5,
        Mechanism::ScramSha256
    ];
    config.auth_requires_tls = control & 0x20 != 0;
    config.tls_available = true;
    config.tls_at_start = control & 0x10 != 0;
    config.max_message_size = Some(2000);
    config.max_recipients = 5;
    config.max_errors = 50;
    config.max_command_line = 200;
    config.allow_bare_line_endings = control & 0x40 != 0;
    let reject = control & 0x80 != 0;
    let mut server = Server::new(config);
    server.set_sasl_nonce("fuzz-nonce").expect("a valid nonce");
    // One PBKDF2 iteration: the keys' strength is not what is tested here.
    let keys = sasl::scram::ScramKeys::derive(b"pw", b"salt", 1);
    let mut out = Vec::new();
    let mut events = Vec::new();
    let mut data_len = 0;
    let mut decisions = 0usize;
    // The greeting goes out at the first poll, before any input.
    for chunk in core::iter::once(&&b""[..]).chain(chunks) {
        server.handle_input(chunk);
        while let Some(event) = server.poll(&mut out) {
            let request = event.request();
            match &event {
                Event::Data(bytes) => data_len += bytes.len(),
                // The handshake is not run: what follows STARTTLS in the input is plaintext
                // the session must drop, however it was chunked.
                other => events.push(alloc::format!("{other:?}")),
            }
            let scram = matches!(event, Event::ScramKeys { .. });
            if let Some(request) = request {
                decisions += 1;
                if scram && !(reject && decisions.is_multiple_of(3)) {
                    server
                        .scram_keys(request, keys.clone())
                        .expect("the pending request");
                } else if reject && decisions.is_multiple_of(3) {
                    server
                        .reject(request, Reply::new(550, None, "no"))
                        .expect("the pending request");
                } else {
                    server.accept(request).expect("the pending request");
                }
            }
        }
    }
    (out, events, data_len)
}

/// A client session fed arbitrary server bytes, whole and in chunks: same events, same output.
pub fn client(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control % 32) + 1;
    let whole = client_session(control, &[input]);
    let pieces: Vec<&[u8]> = input.chunks(chunk).collect();
    let split = client_session(control, &pieces);
    // Bytes behind the 220 to STARTTLS are refused when they arrive with it and go to the
    // TLS library otherwise: there the two runs may part, by design.
    let tls = |events: &[String]| events.iter().any(|event| event.contains("StartTls"));
    if !tls(&whole.1) && !tls(&split.1) {
        assert_eq!(whole, split, "chunking changed the session");
    }
}

fn client_session(control: u8, chunks: &[&[u8]]) -> (Vec<u8>, Vec<String>) {
    use crate::client::{Client, ClientConfig, ClientEvent, Envelope, TlsPolicy};
    let mut config = ClientConfig::new("c.example");
    config.prefer_chunking = control & 0x20 != 0;
    config.tls = if control & 0x40 != 0 {
        TlsPolicy::Required
    } else {
        TlsPolicy::Opportunistic
    };
    if control & 0x80 != 0 {
        config.credentials = Some(("jane".into(), tegami_core::Secret::new("pw".into())));
        config.allow_plaintext_auth = true;
    }
    let mut client = Client::new(config);
    for to in [
        ["<b@mx.example>"].as_slice(),
        &["<c@mx.example>", "<d@mx.example>"],
    ] {
        let envelope = Envelope::new("<a@c.example>", to.iter().copied()).expect("valid paths");
        client.send_message(envelope, b"Subject: x\r\n\r\n.body\r\n".to_vec());
    }
    client.quit();
    let mut out = Vec::new();
    let mut events = Vec::new();
    for chunk in core::iter::once(&&b""[..]).chain(chunks) {
        client.handle_input(chunk);
        while let Some(event) = client.poll(&mut out) {
            events.push(alloc::format!("{event:?}"));
            if event == ClientEvent::StartTls {
                // Whatever follows would go to the TLS library, not to the session; when it
                // arrived in the same read as the 220, the session has refused it already.
                return (out, events);
            }
        }
    }
    (out, events)
}

/// MTA-STS records and policies and TLS-RPT records: any bytes parse or fail cleanly; a parsed
/// policy's own patterns match the names they describe.
pub fn records(data: &[u8]) {
    let _ = crate::mta_sts::StsRecord::parse(data);
    let _ = crate::tls_rpt::TlsRptRecord::parse(data);
    if let Ok(policy) = crate::mta_sts::Policy::parse(data) {
        for pattern in &policy.mx {
            let host = pattern.replace("*.", "x.");
            assert!(policy.matches_mx(&host), "{pattern} does not match {host}");
        }
    }
    // A TLS report that reads is written back to JSON that reads the same.
    if let Ok(report) = crate::tls_rpt::Report::from_json(data) {
        let again = crate::tls_rpt::Report::from_json(report.to_json().as_bytes())
            .expect("a written report reads");
        assert_eq!(again, report);
    }
}
