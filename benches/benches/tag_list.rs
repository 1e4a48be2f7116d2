//! `tag_list/*`: parsing RFC 6376 §3.2 tag-lists.
//!
//! Rows per input: `floor/memchr` (finding every `;`, the least any parser must do),
//! `tegami/parse`, `tegami/parse+base64` (the same work as a peer that decodes `b=` and `bh=`)
//! and, with `--features peers`, the peer crates.

#![allow(clippy::panic, reason = "a bench without its fixture must stop loudly")]

use std::hint::black_box;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegami_core::tag_list::TagList;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("bench fixture {path}: {error}"))
}

fn tag_list(c: &mut Criterion) {
    for name in ["dkim_signature", "dkim_key_record", "dmarc_record"] {
        let input = fixture(&format!("{name}.txt"));
        let mut group = c.benchmark_group(format!("tag_list/{name}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function("floor/memchr", |b| {
            b.iter(|| memchr::memchr_iter(b';', black_box(&input)).count());
        });
        group.bench_function("tegami/parse", |b| {
            b.iter(|| TagList::parse(black_box(&input)).map(|list| list.len()));
        });
        if name == "dkim_signature" {
            group.bench_function("tegami/parse+base64", |b| {
                b.iter(|| {
                    let list = TagList::parse(black_box(&input)).ok()?;
                    let decode = |tag: &str| {
                        let value = list
                            .iter()
                            .find(|t| t.name() == tag)?
                            .value_without_whitespace();
                        STANDARD.decode(value.as_bytes()).ok()
                    };
                    Some((decode("b")?.len(), decode("bh")?.len()))
                });
            });
            #[cfg(feature = "peers")]
            group.bench_function("peer/mail-auth", |b| {
                b.iter(|| mail_auth::dkim::Signature::parse(black_box(&input)).is_ok());
            });
        }
        group.finish();
    }
}

criterion_group!(benches, tag_list);
criterion_main!(benches);
