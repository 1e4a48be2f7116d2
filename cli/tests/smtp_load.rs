//! Sustained load on `tegami smtp serve` over loopback (SECURITY.md, family 6): many concurrent
//! clients, some of which hang up in the middle of DATA. Every message the server acknowledged
//! is stored whole, no message it did not acknowledge is stored, the number of sessions never
//! exceeds `--max-connections`, and the server's peak memory stays under a bound set by its
//! limits, not by the amount of mail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/serve.rs"]
mod serve;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serve::{Peer, scratch, serve, without_results};

const MAX_CONNECTIONS: usize = 8;
const MAX_SIZE: usize = 256 * 1024;
const CLIENTS: usize = 32;
const MESSAGES_PER_CLIENT: usize = 16;

fn start(dir: &Path) -> Peer {
    serve(
        dir,
        &[
            "--max-connections",
            &MAX_CONNECTIONS.to_string(),
            "--max-size",
            &MAX_SIZE.to_string(),
        ],
    )
}

/// A line-oriented SMTP client over a raw socket.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    /// Connects and reads the greeting: `None` when the server said 421 (too many sessions).
    fn connect(port: u16) -> Option<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut client = Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        match client.reply() {
            220 => Some(client),
            421 => None,
            code => panic!("greeting {code}"),
        }
    }

    /// Connects, waiting while the server is full (each wait is short; the count is bounded).
    fn connect_patiently(port: u16) -> Client {
        for _ in 0..2_000 {
            if let Some(client) = Client::connect(port) {
                return client;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the server stayed full");
    }

    /// Reads one (possibly multi-line) reply and returns its code.
    fn reply(&mut self) -> u16 {
        loop {
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).unwrap();
            assert!(read > 0, "the server closed the connection");
            let code = line.get(..3).and_then(|c| c.parse().ok()).unwrap();
            if line.as_bytes().get(3) != Some(&b'-') {
                return code;
            }
        }
    }

    fn command(&mut self, line: &str) -> u16 {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }
}

/// A small deterministic generator, so a failing run can be repeated.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A message of `size` octets or a little more, with a Message-ID naming it.
fn message(id: &str, size: usize) -> Vec<u8> {
    let mut text = format!(
        "From: load@client.example\r\nTo: sink@mx.test\r\nMessage-ID: <{id}@load.test>\r\n\
         Subject: load {id}\r\n\r\n"
    );
    let mut line = 0;
    while text.len() < size {
        // Lines that start with a dot exercise dot-stuffing under load.
        text.push_str(&format!(".{id} line {line} {}\r\n", "x".repeat(line % 70)));
        line += 1;
    }
    text.into_bytes()
}

/// The message dot-stuffed for DATA (RFC 5321 §4.5.2), without the final dot.
fn stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 16);
    let mut line_start = true;
    for &byte in message {
        if line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        line_start = byte == b'\n';
    }
    out
}

/// One client's run: messages on one connection each; some abandoned in the middle of DATA.
/// Returns the messages the server acknowledged, by Message-ID.
fn client_run(port: u16, index: usize) -> Vec<(String, Vec<u8>)> {
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15 ^ (index as u64 + 1));
    let mut acknowledged = Vec::new();
    for number in 0..MESSAGES_PER_CLIENT {
        let id = format!("c{index}m{number}");
        let size = 1_000 + (random.next() % 240_000) as usize;
        let body = message(&id, size);
        let data = stuffed(&body);
        let abandon = random.next().is_multiple_of(3);
        let mut client = Client::connect_patiently(port);
        assert_eq!(client.command("EHLO client.example"), 250);
        assert_eq!(client.command("MAIL FROM:<load@client.example>"), 250);
        assert_eq!(client.command("RCPT TO:<sink@mx.test>"), 250);
        assert_eq!(client.command("DATA"), 354);
        if abandon {
            // Half the message, then the connection drops: nothing may be stored.
            client.writer.write_all(&data[..data.len() / 2]).unwrap();
            client.writer.flush().unwrap();
            drop(client);
            continue;
        }
        client.writer.write_all(&data).unwrap();
        let code = client.command(".");
        assert_eq!(code, 250, "{id}");
        acknowledged.push((id, body));
        let _ = client.command("QUIT");
    }
    acknowledged
}

/// The Message-ID (`c<client>m<number>`) of a stored message.
fn id_of(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let (_, rest) = text.split_once("Message-ID: <").unwrap();
    let (id, _) = rest.split_once('@').unwrap();
    id.to_owned()
}

/// The server's peak resident memory (VmHWM), in KiB.
fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn the_session_limit_answers_421_and_frees_its_places() {
    let dir = scratch("load-limit");
    let server = start(&dir);
    let held: Vec<Client> = (0..MAX_CONNECTIONS)
        .map(|_| Client::connect(server.port).expect("a place under the limit"))
        .collect();
    assert!(
        Client::connect(server.port).is_none(),
        "one over the limit is answered 421"
    );
    drop(held);
    // The places come back as the sessions end.
    let mut client = Client::connect_patiently(server.port);
    assert_eq!(client.command("QUIT"), 221);
}

#[test]
fn sustained_load_with_disconnects_mid_data_loses_and_invents_nothing() {
    let dir = scratch("load");
    let server = start(&dir);
    let port = server.port;
    let acknowledged = Arc::new(Mutex::new(BTreeMap::new()));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|index| {
            let acknowledged = Arc::clone(&acknowledged);
            std::thread::spawn(move || {
                for (id, body) in client_run(port, index) {
                    acknowledged.lock().unwrap().insert(id, body);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > CLIENTS * MESSAGES_PER_CLIENT / 2);
    assert!(acknowledged.len() < CLIENTS * MESSAGES_PER_CLIENT);

    // Sessions of abandoned messages end on their own; give them a moment, then compare.
    std::thread::sleep(Duration::from_millis(500));
    let maildir = dir.join("maildir");
    let mut stored = BTreeMap::new();
    for entry in std::fs::read_dir(maildir.join("new")).unwrap() {
        let message = without_results(&std::fs::read(entry.unwrap().path()).unwrap());
        let id = id_of(&message);
        assert!(
            stored.insert(id.clone(), message).is_none(),
            "{id} stored twice"
        );
    }
    let stored_ids: Vec<&String> = stored.keys().collect();
    let acknowledged_ids: Vec<&String> = acknowledged.keys().collect();
    assert_eq!(
        stored_ids, acknowledged_ids,
        "stored and acknowledged differ"
    );
    for (id, body) in &acknowledged {
        assert!(stored[id] == *body, "{id} was not stored whole");
    }
    assert_eq!(
        std::fs::read_dir(maildir.join("tmp")).unwrap().count(),
        0,
        "files left in tmp/"
    );

    // Memory: bounded by the limits (8 sessions, each with a 64 KiB read buffer and at most
    // one 256 KiB message with its stored copy: a few MiB), not by the mail that passed
    // through (over 30 MiB acknowledged). 40 MiB leaves room for the binary, the zone and the
    // thread stacks; a server that kept messages or sessions would exceed it.
    let through: usize = acknowledged.values().map(Vec::len).sum();
    assert!(through > 30 << 20, "only {through} octets acknowledged");
    let peak = peak_memory_kib(server.child.id());
    assert!(peak < 40 * 1024, "peak resident memory {peak} KiB");
}
