//! Denial of service: hostile inputs at 1x and 10x their size, to show that the work grows
//! linearly (SECURITY.md, "each of these linear in size"). Each group holds the two sizes of
//! one input with a byte throughput, so equal MB/s at both sizes means linear time; a
//! quadratic parser would be ten times slower per byte at 10x. `dos_ratios.py`-style reading:
//! compare the two rows' MB/s in the same run.
//!
//! Inputs: a header block of many fields, one field folded over many lines, a large base64
//! part decoded, a Subject of many encoded words decoded, a Subject of many unfinished encoded
//! words, a multipart of many parts, MIME nested to the depth limit and beyond, a Content-Type
//! of many words and no parameter, a Content-Type of many parameters (plain and RFC 2231
//! sections), a From field of many domains read for DMARC, a DKIM-Signature with a very long
//! `h=`, a tag-list of many tags, and an aggregate report of many records.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tegami_dkim::{Signature, SignatureConfig};
use tegami_dmarc::report::parse_aggregate;
use tegami_mime::Message;
use tegami_mime::author::Author;

/// The base size of each input; the second row is ten times this.
fn scales() -> [(&'static str, usize); 2] {
    [("1x", 1), ("10x", 10)]
}

fn many_fields(n: usize) -> Vec<u8> {
    let mut m = String::new();
    for i in 0..1_000 * n {
        let _ = write!(
            m,
            "X-Field-{i}: value number {i} of a long header block\r\n"
        );
    }
    m.push_str("From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n");
    m.into_bytes()
}

fn long_folded_field(n: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nSubject: start");
    for i in 0..2_000 * n {
        let _ = write!(m, "\r\n folded continuation line {i}");
    }
    m.push_str("\r\n\r\nbody\r\n");
    m.into_bytes()
}

fn big_base64(n: usize) -> Vec<u8> {
    let mut m = String::from(
        "From: a@example.com\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
    for _ in 0..3_000 * n {
        m.push_str(line);
    }
    m.into_bytes()
}

/// A Content-Type value of many words and no `=`: every word follows white space, where a
/// parameter could start without its `;`.
fn content_type_words(n: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nContent-Type: text/plain; a");
    for i in 0..2_000 * n {
        let _ = write!(m, " word{i}");
        if i % 8 == 7 {
            m.push_str("\r\n");
        }
    }
    m.push_str("\r\n\r\nbody\r\n");
    m.into_bytes()
}

/// A Content-Type of many parameters, half of them RFC 2231 sections, names repeating.
fn content_type_parameters(n: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nContent-Type: text/plain");
    for i in 0..1_000 * n {
        let _ = write!(m, ";\r\n p{}*{}={i}", i % (500 * n), i % 2);
    }
    m.push_str("\r\n\r\nbody\r\n");
    m.into_bytes()
}

fn encoded_words(n: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nSubject:");
    for i in 0..500 * n {
        let _ = write!(
            m,
            " =?UTF-8?Q?w=C3=A9rd_{i}?= =?ISO-2022-JP?B?GyRCJEIbKEI=?=\r\n"
        );
    }
    m.push_str("\r\nbody\r\n");
    m.into_bytes()
}

/// A Subject of many encoded words that never end: each could run to a `?=` far away.
fn unfinished_encoded_words(n: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nSubject:");
    for i in 0..2_000 * n {
        let _ = write!(m, " =?utf-8?q?w{i}");
        if i % 8 == 7 {
            m.push_str("\r\n");
        }
    }
    m.push_str("\r\n\r\nbody\r\n");
    m.into_bytes()
}

fn many_parts(n: usize) -> Vec<u8> {
    let mut m =
        String::from("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
    for i in 0..500 * n {
        let _ = write!(m, "--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n");
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}

fn deep_nesting(n: usize) -> Vec<u8> {
    // Nested far past the depth limit (32): the rest is one leaf, read once.
    let depth = 200 * n;
    let mut m = String::from("From: a@example.com\r\n");
    for i in 0..depth {
        let _ = write!(
            m,
            "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
        );
    }
    m.push_str("Content-Type: text/plain\r\n\r\nleaf\r\n");
    for i in (0..depth).rev() {
        let _ = write!(m, "--b{i}--\r\n");
    }
    m.into_bytes()
}

fn long_h(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..2_000 * n).map(|i| format!("x-header-{i}")).collect();
    format!(
        "v=1; a=rsa-sha256; d=example.com; s=s1; c=relaxed/relaxed; h=from:{}; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA",
        names.join(":")
    )
    .into_bytes()
}

/// A From field of many addresses in as many domains, read for DMARC.
fn from_many_domains(n: usize) -> Vec<u8> {
    let mut m = String::from("From: ");
    for i in 0..1_000 * n {
        let _ = write!(m, "u{i}@d{i}.example,\r\n ");
    }
    m.push_str("last@example.com\r\nSubject: s\r\n\r\nbody\r\n");
    m.into_bytes()
}

/// A DKIM-Signature of many (unknown) tags: each name must be checked against the others.
fn many_tags(n: usize) -> Vec<u8> {
    let mut value = String::from("v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA");
    for i in 0..2_000 * n {
        let _ = write!(value, "; x{i}=y");
    }
    value.into_bytes()
}

fn many_records(n: usize) -> Vec<u8> {
    let mut xml = String::from(
        "<feedback><report_metadata><org_name>r</org_name><email>e</email><report_id>1</report_id><date_range><begin>0</begin><end>1</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published>",
    );
    for i in 0..1_000 * n {
        let _ = write!(
            xml,
            "<record><row><source_ip>192.0.2.{}</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>fail</result></spf></auth_results></record>",
            i % 250
        );
    }
    xml.push_str("</feedback>");
    xml.into_bytes()
}

type Input = fn(usize) -> Vec<u8>;

fn mime_inputs(c: &mut Criterion) {
    let inputs: [(&str, Input); 9] = [
        ("mime_many_fields", many_fields),
        ("mime_long_folded_field", long_folded_field),
        ("mime_base64_part", big_base64),
        ("mime_encoded_words", encoded_words),
        ("mime_unfinished_encoded_words", unfinished_encoded_words),
        ("mime_many_parts", many_parts),
        ("mime_deep_nesting", deep_nesting),
        ("mime_content_type_words", content_type_words),
        ("mime_content_type_parameters", content_type_parameters),
    ];
    for (name, make) in inputs {
        let mut group = c.benchmark_group(name);
        for (scale, n) in scales() {
            let input = make(n);
            group.throughput(Throughput::Bytes(input.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(scale), &input, |b, input| {
                b.iter(|| {
                    let message = Message::parse(black_box(input));
                    let subject = message.subject();
                    let decoded: usize = message.leaves().map(|p| p.decoded().len()).sum();
                    (subject.map(|s| s.len()), decoded, message.parts().len())
                });
            });
        }
        group.finish();
    }
}

fn other_inputs(c: &mut Criterion) {
    let signatures: [(&str, Input); 2] = [("dkim_long_h", long_h), ("dkim_many_tags", many_tags)];
    for (name, make) in signatures {
        let mut group = c.benchmark_group(name);
        for (scale, n) in scales() {
            let input = make(n);
            group.throughput(Throughput::Bytes(input.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(scale), &input, |b, input| {
                b.iter(|| Signature::parse(black_box(input), &SignatureConfig::default()).is_ok());
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("mime_author_many_domains");
    for (scale, n) in scales() {
        let input = from_many_domains(n);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(scale), &input, |b, input| {
            b.iter(|| Author::from_message(black_box(input)).domains().len());
        });
    }
    group.finish();
    let mut group = c.benchmark_group("dmarc_report_records");
    for (scale, n) in scales() {
        let input = many_records(n);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(scale), &input, |b, input| {
            b.iter(|| {
                parse_aggregate(black_box(input))
                    .unwrap()
                    .report
                    .records
                    .len()
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = mime_inputs, other_inputs
}
criterion_main!(benches);
