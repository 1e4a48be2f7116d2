//! The Apache James Mime4j corpora (`../shared/conformance/mime/mime4j/`): every message's
//! part tree, header fields, preambles, epilogues and raw bodies against the expected
//! structure in its `.xml` file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use tegami_mime::{Message, Part};

fn folder(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/mime/mime4j")
        .join(name);
    assert!(
        path.is_dir(),
        "conformance folder {} is missing: ../shared must sit beside the project",
        path.display()
    );
    path
}

/// The expected structure, as the XML writes it.
#[derive(Debug, PartialEq)]
enum Tree {
    Message(Vec<String>, Box<Tree>),
    Multipart {
        preamble: String,
        parts: Vec<(Vec<String>, Tree)>,
        epilogue: String,
    },
    Body(String),
}

/// A minimal reader for these files: nested tags without attributes, text, and entities.
struct Xml<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Xml<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.position..]
    }

    fn open(&mut self) -> Option<String> {
        let rest = self.rest();
        if rest.starts_with("</") || !rest.starts_with('<') {
            return None;
        }
        let end = rest.find('>').unwrap();
        let tag = rest[1..end].to_owned();
        self.position += end + 1;
        Some(tag)
    }

    fn close(&mut self, tag: &str) {
        let expected = format!("</{tag}>");
        assert!(
            self.rest().starts_with(&expected),
            "expected {expected} at {:?}",
            &self.rest()[..40.min(self.rest().len())]
        );
        self.position += expected.len();
    }

    fn text(&mut self) -> String {
        let end = self.rest().find('<').unwrap_or(self.rest().len());
        let raw = &self.rest()[..end];
        self.position += end;
        let raw = raw
            .strip_prefix("\r\n")
            .or_else(|| raw.strip_prefix('\n'))
            .unwrap_or(raw);
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().len() - self.rest().trim_start_matches(['\n', '\r', ' ']).len();
        self.position += trimmed;
    }

    fn message(&mut self) -> Tree {
        self.skip_space();
        assert_eq!(self.open().as_deref(), Some("message"));
        let header = self.header();
        let content = self.content();
        self.skip_space();
        self.close("message");
        Tree::Message(header, Box::new(content))
    }

    fn header(&mut self) -> Vec<String> {
        self.skip_space();
        assert_eq!(self.open().as_deref(), Some("header"));
        let mut fields = Vec::new();
        loop {
            self.skip_space();
            match self.open().as_deref() {
                Some("field") => {
                    fields.push(self.text());
                    self.close("field");
                }
                Some(other) => panic!("unexpected <{other}> in header"),
                None => break,
            }
        }
        self.close("header");
        fields
    }

    fn content(&mut self) -> Tree {
        self.skip_space();
        let save = self.position;
        match self.open().as_deref() {
            Some("body") => {
                let text = self.text();
                self.close("body");
                Tree::Body(text)
            }
            Some("message") => {
                self.position = save;
                self.message()
            }
            Some("multipart") => {
                let mut preamble = String::new();
                let mut parts = Vec::new();
                let mut epilogue = String::new();
                loop {
                    self.skip_space();
                    match self.open().as_deref() {
                        Some("preamble") => {
                            preamble = self.text();
                            self.close("preamble");
                        }
                        Some("epilogue") => {
                            epilogue = self.text();
                            self.close("epilogue");
                        }
                        Some("body-part") => {
                            let header = self.header();
                            let content = self.content();
                            self.skip_space();
                            self.close("body-part");
                            parts.push((header, content));
                        }
                        Some(other) => panic!("unexpected <{other}> in multipart"),
                        None => break,
                    }
                }
                self.close("multipart");
                Tree::Multipart {
                    preamble,
                    parts,
                    epilogue,
                }
            }
            other => panic!("unexpected content {other:?}"),
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Our tree in the same shape.
fn ours(message: &Message<'_>, index: usize) -> (Vec<String>, Tree) {
    let part: &Part<'_> = message.part(index).unwrap();
    let raw = message.raw();
    let header = part
        .header()
        .fields()
        .iter()
        .map(|field| {
            let start = part.offset() + field.offset();
            let end = part.offset() + field.value_offset() + field.value().len();
            lossy(&raw[start..end])
        })
        .collect();
    let content = if part.content_type().is("multipart")
        && part.children().len() + usize::from(!part.preamble().is_empty()) > 0
        || part.content_type().is("multipart")
            && message.problems().iter().all(|p| p.offset != part.offset())
    {
        Tree::Multipart {
            preamble: lossy(part.preamble()),
            parts: part
                .children()
                .iter()
                .map(|&child| ours(message, child))
                .collect(),
            epilogue: lossy(part.epilogue()),
        }
    } else if let [child] = part.children() {
        let (header, content) = ours(message, *child);
        Tree::Message(header, Box::new(content))
    } else if let Some(embedded) = part
        .embedded_message()
        .filter(|_| part.encoding() != tegami_mime::transfer::TransferEncoding::SevenBit)
    {
        // An encoded message/rfc822 (RFC 2046 §5.2.1 forbids it; Mime4j reads it): decoded
        // and parsed as a message of its own.
        let inner = Message::parse(&embedded);
        let (header, content) = ours(&inner, 0);
        Tree::Message(header, Box::new(content))
    } else {
        Tree::Body(lossy(part.body()))
    };
    (header, content)
}

/// Cases where we read the message differently from Mime4j, with the reason.
const DIVERGENCES: &[(&str, &str)] = &[
    (
        "malformedHeaderStartsBody-noheader",
        "with the starts-body switch, Mime4j keeps only the first line as the body; the \
         message's own second line says the whole text is the body, and we keep all of it",
    ),
    (
        "attachment-filename-encoding-UTF8",
        "bare-LF file: Mime4j counts the LF ending the closing delimiter line as epilogue; RFC \
         2046 §5.1.1 (close-delimiter transport-padding [CRLF epilogue]) puts it outside, as we \
         do for CRLF and LF alike",
    ),
    (
        "empty-preamble",
        "the same epilogue line break (RFC 2046 §5.1.1)",
    ),
    (
        "ticket-60931",
        "the same epilogue line break (RFC 2046 §5.1.1)",
    ),
    ("twopart", "the same epilogue line break (RFC 2046 §5.1.1)"),
];

fn run(name: &str) -> (usize, Vec<String>) {
    let dir = folder(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msg"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for path in &files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let xml = lossy(&std::fs::read(path.with_extension("xml")).unwrap());
        let expected = Xml {
            text: &xml,
            position: 0,
        }
        .message();
        let raw = std::fs::read(path).unwrap();
        // Files named `*StartsBody*` were written with Mime4j's malformed-header-starts-body
        // switch on.
        let config = tegami_mime::Config {
            malformed_header_starts_body: stem.contains("StartsBody"),
            ..tegami_mime::Config::default()
        };
        let message = Message::parse_with(&raw, config);
        let (header, content) = ours(&message, 0);
        let found = Tree::Message(header, Box::new(content));
        let known = DIVERGENCES.iter().any(|(n, _)| *n == stem);
        if found != expected && !known {
            let (e, f) = (format!("{expected:?}"), format!("{found:?}"));
            let at = e.bytes().zip(f.bytes()).take_while(|(a, b)| a == b).count();
            let from = at.saturating_sub(80);
            failures.push(format!(
                "{stem}: differs at {at}:\n expected ...{}\n found    ...{}",
                e.get(from..(at + 120).min(e.len())).unwrap_or(""),
                f.get(from..(at + 120).min(f.len())).unwrap_or("")
            ));
        }
        if found == expected && known {
            failures.push(format!("{stem}: listed as a divergence but matches"));
        }
    }
    (files.len(), failures)
}

#[test]
fn testmsgs() {
    let (count, failures) = run("testmsgs");
    assert_eq!(count, 22);
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn mimetools_testmsgs() {
    let (count, failures) = run("mimetools-testmsgs");
    assert_eq!(count, 32);
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
