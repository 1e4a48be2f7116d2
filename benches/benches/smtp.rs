//! SMTP: command parsing, the EHLO reply, and the DATA phase, beside smtp-proto.
//!
//! - `smtp/command_parse`: every line of `data/smtp_commands.txt` (EHLO, MAIL and RCPT with
//!   parameters, DATA, RSET, NOOP, AUTH, QUIT) parsed into typed commands.
//! - `smtp/ehlo_reply`: a twelve-line EHLO reply parsed into its extensions.
//! - `smtp/data_unstuff/1MiB`: a server session in its DATA phase, fed the dot-stuffed body of
//!   `data/dkim_message.eml` repeated to 1 MiB in 64 KiB reads, handing out un-stuffed chunks.
//!   The floor scans the same bytes for line ends with memchr.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegami_smtp_proto::server::{Event, Server, ServerConfig};
use tegami_smtp_proto::{Command, Ehlo, Reply, ReplyParse};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn command_parse(c: &mut Criterion) {
    let text = data("smtp_commands.txt");
    let lines: Vec<&[u8]> = text.split_inclusive(|&byte| byte == b'\n').collect();
    let mut group = c.benchmark_group("smtp/command_parse");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("tegami", |b| {
        b.iter(|| {
            for line in &lines {
                let line = line.strip_suffix(b"\r\n").unwrap();
                black_box(Command::parse(black_box(line)).unwrap());
            }
        });
    });
    #[cfg(feature = "peers")]
    group.bench_function("peer/smtp-proto", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(smtp_proto::Request::parse(&mut black_box(*line).iter()).unwrap());
            }
        });
    });
    group.finish();
}

fn ehlo_reply(c: &mut Criterion) {
    let text = data("smtp_ehlo_reply.txt");
    let mut group = c.benchmark_group("smtp/ehlo_reply");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("tegami", |b| {
        b.iter(|| {
            let ReplyParse::Complete { reply, .. } = Reply::parse(black_box(&text)).unwrap() else {
                panic!("incomplete");
            };
            black_box(Ehlo::from_reply(&reply).unwrap().extensions.len());
        });
    });
    #[cfg(feature = "peers")]
    group.bench_function("peer/smtp-proto", |b| {
        b.iter(|| {
            let reply = smtp_proto::EhloResponse::parse(&mut black_box(&text).iter()).unwrap();
            black_box(reply.capabilities);
        });
    });
    group.finish();
}

/// The message body, dot-stuffed as a client sends it, repeated to at least 1 MiB.
fn stuffed_body() -> Vec<u8> {
    let message = data("dkim_message.eml");
    let mut body = Vec::new();
    while body.len() < 1 << 20 {
        tegami_smtp_proto::client::dot_stuff(&message, &mut body);
    }
    body
}

fn data_unstuff(c: &mut Criterion) {
    let body = stuffed_body();
    let mut group = c.benchmark_group("smtp/data_unstuff");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("floor", |b| {
        b.iter(|| black_box(memchr::memchr_iter(b'\n', black_box(&body)).count()));
    });
    group.bench_function("tegami", |b| {
        b.iter_batched(
            || {
                let mut server = Server::new(ServerConfig::new("mx.example"));
                let mut out = Vec::new();
                server.handle_input(
                    b"HELO c\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<b@mx.example>\r\nDATA\r\n",
                );
                while let Some(event) = server.poll(&mut out) {
                    if let Some(request) = event.request() {
                        server.accept(request).unwrap();
                    }
                }
                server
            },
            |mut server| {
                let mut out = Vec::new();
                let mut received = 0;
                for chunk in body.chunks(64 * 1024).chain([&b".\r\n"[..]]) {
                    server.handle_input(chunk);
                    while let Some(event) = server.poll(&mut out) {
                        if let Event::Data(bytes) = event {
                            received += bytes.len();
                        }
                    }
                }
                black_box(received)
            },
            criterion::BatchSize::SmallInput,
        );
    });
    #[cfg(feature = "peers")]
    group.bench_function("peer/smtp-proto", |b| {
        let mut terminated = body.clone();
        terminated.extend_from_slice(b".\r\n");
        b.iter(|| {
            let mut receiver = smtp_proto::request::receiver::DataReceiver::new();
            let mut message = Vec::with_capacity(body.len());
            for chunk in terminated.chunks(64 * 1024) {
                receiver.ingest(&mut chunk.iter(), &mut message);
            }
            black_box(message.len())
        });
    });
    group.finish();
}

criterion_group!(benches, command_parse, ehlo_reply, data_unstuff);
criterion_main!(benches);
