//! MIME parsing beside mail-parser, on the same messages.
//!
//! - `mime/large`: a 1.4 MB message (text and HTML alternatives, a 1 MiB attachment in base64)
//!   made with tegami's builder;
//! - `mime/small`: the example messages (`examples/*.eml`, signed, forwarded by a list, a
//!   spoof), parsed one after the other;
//! - `mime/japanese`: `examples/japanese.eml` (ISO-2022-JP header and body).
//!
//! Rows: `floor/memchr` finds every line end of the input (the least a parser that looks at
//! every line does); `floor/base64` decodes the base64 bodies alone with encodify's SIMD
//! decoder, which tegami and mail-parser both use (the least a full decode does);
//! `tegami/structure` is `Message::parse` (the part tree over the borrowed
//! input, nothing decoded); `tegami/decode` parses and decodes what a mail client shows (the
//! Subject, From, every text part through its charset, every other part's transfer encoding and
//! file name); `peer/mail-parser` is mail-parser 1.0's `parse` (also lazy) with the same fields
//! read and decoded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegami_mime::builder::Builder;
use tegami_mime::transfer::TransferEncoding;
use tegami_mime::{Message, Part};

fn example(name: &str) -> Vec<u8> {
    let text = std::fs::read(format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    // Stored with LF; mail travels with CRLF.
    let mut out = Vec::with_capacity(text.len() + text.len() / 20);
    for &byte in &text {
        if byte == b'\n' {
            out.push(b'\r');
        }
        out.push(byte);
    }
    out
}

fn large() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let attachment: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let text =
        "Dear team,\nthe quarterly figures are attached. Régis will present them.\n".repeat(40);
    let html = format!(
        "<html><body><p>{}</p></body></html>",
        text.replace('\n', "<br>")
    );
    Builder::multipart("mixed")
        .mailbox("From", Some("Anna Müller"), "anna@example.com")
        .mailbox("To", None, "team@example.org")
        .text_field("Subject", "Quarterly figures – Q3")
        .field("Message-ID", "<q3@example.com>")
        .part(
            Builder::multipart("alternative")
                .part(Builder::text("plain", &text))
                .part(Builder::text("html", &html)),
        )
        .part(Builder::attachment(
            "application/pdf",
            "figures.pdf",
            &attachment,
        ))
        .build()
}

/// What a mail client shows, decoded by tegami; returns a number so nothing is optimised away.
fn tegami_decode(raw: &[u8]) -> usize {
    let message = Message::parse(raw);
    let mut seen = message.subject().map_or(0, |s| s.len());
    if let Some(from) = message.from() {
        seen += from.mailboxes().map(|m| m.address().len()).sum::<usize>();
    }
    for part in message.leaves() {
        if part.content_type().is("text") {
            seen += part.text().len();
        } else {
            seen += part.decoded().len() + part.filename().map_or(0, |n| n.len());
        }
    }
    seen
}

#[cfg(feature = "peers")]
fn peer_decode(raw: &[u8]) -> usize {
    let message = mail_parser::MessageParser::new().parse(raw).unwrap();
    let mut seen = message.subject().map_or(0, str::len);
    if let Some(from) = message.from() {
        seen += from
            .mailboxes()
            .map(|m| m.address().map_or(0, str::len))
            .sum::<usize>();
    }
    for part in message.parts() {
        if part.is_multipart() {
            continue;
        }
        if part.is_text() || part.is_content_type("text", "html") {
            seen += part.text().map_or(0, |t| t.len());
        } else {
            seen += part.decoded().len() + part.attachment_name().map_or(0, str::len);
        }
    }
    seen
}

fn bench(c: &mut Criterion, name: &str, messages: &[Vec<u8>]) {
    let bytes: usize = messages.iter().map(Vec::len).sum();
    // Both read and decode the same octets.
    #[cfg(feature = "peers")]
    for m in messages {
        assert_eq!(tegami_decode(m), peer_decode(m), "{name}");
    }
    let mut group = c.benchmark_group(format!("mime/{name}"));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("floor/memchr", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| memchr::memchr_iter(b'\n', black_box(m)).count())
                .sum::<usize>()
        });
    });
    // The base64 bodies, found once: the row times their decoding alone.
    let encoded: Vec<&[u8]> = messages
        .iter()
        .flat_map(|m| {
            Message::parse(m)
                .leaves()
                .filter(|part| part.encoding() == TransferEncoding::Base64)
                .map(Part::body)
                .collect::<Vec<_>>()
        })
        .collect();
    if !encoded.is_empty() {
        group.bench_function("floor/base64", |b| {
            b.iter(|| {
                encoded
                    .iter()
                    .map(|body| {
                        let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
                        encodify::base64::MIME
                            .decode_append(black_box(body), &mut out)
                            .unwrap();
                        out.len()
                    })
                    .sum::<usize>()
            });
        });
    }
    group.bench_function("tegami/structure", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| Message::parse(black_box(m)).parts().len())
                .sum::<usize>()
        });
    });
    group.bench_function("tegami/decode", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| tegami_decode(black_box(m)))
                .sum::<usize>()
        });
    });
    #[cfg(feature = "peers")]
    group.bench_function("peer/mail-parser", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| peer_decode(black_box(m)))
                .sum::<usize>()
        });
    });
    group.finish();
}

fn mime(c: &mut Criterion) {
    bench(c, "large", &[large()]);
    let small: Vec<Vec<u8>> = ["signed.eml", "mailing-list.eml", "spoof.eml", "message.eml"]
        .iter()
        .map(|name| example(name))
        .collect();
    bench(c, "small", &small);
    bench(c, "japanese", &[example("japanese.eml")]);
}

criterion_group!(benches, mime);
criterion_main!(benches);
