//! The message corpus of mail-parser (`../shared/conformance/mime/mail-parser/eml/`), read in
//! place: every message in its two forms (every CR removed, checked against `NNN.json`; every
//! bare LF made CRLF, against `NNN.crlf.json`).
//!
//! Compared, on the fields we model:
//! - the leaf parts in document order (embedded messages included, multiparts left out), each
//!   as its kind (`text` for `text/*` but HTML, `html`, `binary` for the rest) and its content:
//!   text through [`Part::text`](tegami_mime::Part::text), anything else as
//!   [`Part::decoded`](tegami_mime::Part::decoded) octets. Their `Text` and `Html` bodies map
//!   to ours as text, `Binary` and `InlineBinary` as octets;
//! - the Subject of the top-level message.
//!
//! Offsets, header models and the text/html/attachment index lists are that library's own and
//! are not compared. A message we judge wrongly expected is listed in `JUDGED` with the reason
//! and the RFC section; the test fails when a listed message starts to agree, and on any other
//! difference.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use tegami_mime::Message;

/// Messages judged wrongly expected: (set/name.form, reason with the RFC section).
const JUDGED: &[(&str, &str)] = &[
    (
        "rfc/000.json",
        "the audio/basic part declares base64 but holds prose: characters outside the alphabet are ignored (RFC 2045 §6.8) and the damage flagged; the part stays octets, as its type says, where that library falls back to text",
    ),
    (
        "rfc/000.crlf.json",
        "the audio/basic part declares base64 but holds prose: characters outside the alphabet are ignored (RFC 2045 §6.8) and the damage flagged; the part stays octets, as its type says, where that library falls back to text",
    ),
    (
        "rfc/006.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "malformed/015.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "malformed/018.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "thirdparty/003.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "thirdparty/016.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "thirdparty/018.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "thirdparty/019.json",
        "a quoted-printable hard line break stands for CRLF in the canonical form (RFC 2045 §6.7 rule 4), so we decode it as CRLF also in a file stored with LF; that library keeps the file's LF",
    ),
    (
        "malformed/000.json",
        "every delimiter line starts a body part, and an empty body part is still a part (RFC 2046 §5.1.1); we keep the four empty parts, where that library drops them",
    ),
    (
        "malformed/000.crlf.json",
        "every delimiter line starts a body part, and an empty body part is still a part (RFC 2046 §5.1.1); we keep the four empty parts, where that library drops them",
    ),
    (
        "malformed/001.json",
        "the inner multipart (boundary `a`) sees no `--a` line before the outer `--ab` ends it, so it has no parts; the `--a` line that follows is content of the outer text/plain part (RFC 2046 §5.1.1)",
    ),
    (
        "malformed/001.crlf.json",
        "the inner multipart (boundary `a`) sees no `--a` line before the outer `--ab` ends it, so it has no parts; the `--a` line that follows is content of the outer text/plain part (RFC 2046 §5.1.1)",
    ),
    (
        "malformed/009.json",
        "nested multiparts reuse one boundary, which RFC 2046 §5.1.1 forbids (a delimiter must not occur in the encapsulated parts); we split each at the first matching lines, that library reads the rest as text",
    ),
    (
        "malformed/009.crlf.json",
        "nested multiparts reuse one boundary, which RFC 2046 §5.1.1 forbids (a delimiter must not occur in the encapsulated parts); we split each at the first matching lines, that library reads the rest as text",
    ),
    (
        "malformed/012.json",
        "nested multiparts reuse one boundary, which RFC 2046 §5.1.1 forbids (a delimiter must not occur in the encapsulated parts); we split each at the first matching lines, that library reads the rest as text",
    ),
    (
        "malformed/012.crlf.json",
        "nested multiparts reuse one boundary, which RFC 2046 §5.1.1 forbids (a delimiter must not occur in the encapsulated parts); we split each at the first matching lines, that library reads the rest as text",
    ),
    (
        "malformed/013.json",
        "nested multiparts reuse one boundary, which RFC 2046 §5.1.1 forbids (a delimiter must not occur in the encapsulated parts); we split each at the first matching lines, that library reads the rest as text",
    ),
    (
        "malformed/013.crlf.json",
        "nested multiparts reuse one boundary, which RFC 2046 §5.1.1 forbids (a delimiter must not occur in the encapsulated parts); we split each at the first matching lines, that library reads the rest as text",
    ),
    (
        "malformed/016.json",
        "the boundaries are longer than RFC 2046 §5.1.1 allows (70) and prefixes of each other; lines of an inner boundary found after the outer delimiter are inside a text/plain part and stay its content",
    ),
    (
        "malformed/016.crlf.json",
        "the boundaries are longer than RFC 2046 §5.1.1 allows (70) and prefixes of each other; lines of an inner boundary found after the outer delimiter are inside a text/plain part and stay its content",
    ),
    (
        "malformed/021.json",
        "the first part has two Content-Type fields (RFC 2045 §5: one per entity) and no empty line; we read the first field (multipart/alternative), that library the last",
    ),
    (
        "malformed/021.crlf.json",
        "the first part has two Content-Type fields (RFC 2045 §5: one per entity) and no empty line; we read the first field (multipart/alternative), that library the last",
    ),
    (
        "malformed/022.json",
        "the message/rfc822 part holds no header field: its line is read as a malformed header line (RFC 5322 §2.2, reported as a problem) and the embedded message has an empty body; the text stays in the part's raw bytes",
    ),
    (
        "malformed/022.crlf.json",
        "the message/rfc822 part holds no header field: its line is read as a malformed header line (RFC 5322 §2.2, reported as a problem) and the embedded message has an empty body; the text stays in the part's raw bytes",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Leaf {
    Text(String),
    Html(String),
    Binary(Vec<u8>),
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/mime/mail-parser/eml")
}

/// Their leaves, walking nested messages in place.
fn expected_leaves(model: &Value, out: &mut Vec<Leaf>) {
    let parts = model["parts"].as_array().unwrap();
    walk(parts, 0, out);
}

fn walk(parts: &[Value], index: usize, out: &mut Vec<Leaf>) {
    let body = &parts[index]["body"];
    let Some((kind, value)) = body.as_object().and_then(|o| o.iter().next()) else {
        return;
    };
    match kind.as_str() {
        "Multipart" => {
            for child in value.as_array().unwrap() {
                walk(
                    parts,
                    usize::try_from(child.as_u64().unwrap()).unwrap(),
                    out,
                );
            }
        }
        "Message" => expected_leaves(value, out),
        "Text" => out.push(Leaf::Text(value.as_str().unwrap().to_owned())),
        "Html" => out.push(Leaf::Html(value.as_str().unwrap().to_owned())),
        _ => out.push(Leaf::Binary(
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|b| u8::try_from(b.as_u64().unwrap()).unwrap())
                .collect(),
        )),
    }
}

fn expected_subject(model: &Value) -> Option<String> {
    model["parts"][0]["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"] == "subject")
        .and_then(|h| h["value"]["Text"].as_str())
        .map(str::to_owned)
}

fn our_leaves(message: &Message<'_>) -> Vec<Leaf> {
    message
        .leaves()
        .map(|part| {
            let content_type = part.content_type();
            if content_type.is("text") && content_type.subtype() == "html" {
                Leaf::Html(part.text().into_owned())
            } else if content_type.is("text") {
                Leaf::Text(part.text().into_owned())
            } else {
                Leaf::Binary(part.decoded().into_owned())
            }
        })
        .collect()
}

fn forms(raw: &[u8]) -> [(&'static str, Vec<u8>); 2] {
    let lf: Vec<u8> = raw.iter().copied().filter(|&b| b != b'\r').collect();
    let mut crlf = Vec::with_capacity(raw.len() + raw.len() / 20);
    let mut previous = 0;
    for &b in raw {
        if b == b'\n' && previous != b'\r' {
            crlf.push(b'\r');
        }
        crlf.push(b);
        previous = b;
    }
    [("json", lf), ("crlf.json", crlf)]
}

fn check(path: &Path, failures: &mut Vec<String>, count: &mut usize) {
    let raw = std::fs::read(path).unwrap();
    let set = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy();
    let stem = path.file_stem().unwrap().to_string_lossy();
    for (form, bytes) in forms(&raw) {
        let name = format!("{set}/{stem}.{form}");
        let expected_path = path.with_file_name(format!("{stem}.{form}"));
        let model: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        *count += 1;
        let message = Message::parse(&bytes);
        let mut theirs = Vec::new();
        expected_leaves(&model, &mut theirs);
        let ours = our_leaves(&message);
        let subject_ok = expected_subject(&model) == message.subject();
        let agree = theirs == ours && subject_ok;
        let judged = JUDGED.iter().find(|(n, _)| *n == name);
        match (agree, judged) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((_, reason))) => {
                failures.push(format!(
                    "{name} now agrees; remove it from JUDGED ({reason})"
                ));
            }
            (false, None) => failures.push(format!(
                "{name}: subject {:?} vs {:?}\n  expected {theirs:?}\n  ours     {ours:?}",
                expected_subject(&model),
                message.subject()
            )),
        }
    }
}

#[test]
fn eml_corpus() {
    let root = corpus();
    let mut failures = Vec::new();
    let mut count = 0;
    for set in ["rfc", "malformed", "thirdparty"] {
        let folder = root.join(set);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap_or_else(|error| {
                panic!(
                    "the mail-parser corpus is read from ../shared: {} ({error})",
                    folder.display()
                )
            })
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        for path in names {
            check(&path, &mut failures, &mut count);
        }
    }
    println!(
        "{count} message forms, {} judged, {} unexplained",
        JUDGED.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
