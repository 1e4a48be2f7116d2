//! [`Builder`]: writes RFC 5322 / MIME messages that [`Message::parse`](crate::Message::parse)
//! reads back to what was put in.
//!
//! - Header fields are folded before white space to keep lines within 78 octets (RFC 5322
//!   §2.1.1, §2.2.3); line breaks inside a value become spaces, so no value can start a field
//!   of its own (header injection).
//! - Text that is not ASCII goes into encoded words (RFC 2047): `=?utf-8?b?...?=`, each at
//!   most 75 octets and cut only between characters (§2, §5), in unstructured fields and in
//!   display names; an address itself is never encoded (§5).
//! - Text bodies are `text/*; charset=utf-8`, sent `7bit` when they can be, otherwise
//!   quoted-printable (RFC 2045 §6.7); attachments are base64 in 76-column lines (§6.8), with
//!   an RFC 2231 `filename*` for names that are not ASCII.
//! - Multipart boundaries (RFC 2046 §5.1.1) are derived from the content and checked not to
//!   occur in it; line ends are CRLF throughout. The output is deterministic.
//!
//! ```
//! use tegami_mime::builder::Builder;
//! use tegami_mime::Message;
//!
//! let bytes = Builder::multipart("mixed")
//!     .mailbox("From", Some("Anna Müller"), "anna@example.com")
//!     .mailbox("To", None, "team@example.org")
//!     .text_field("Subject", "請求書 (March)")
//!     .part(Builder::text("plain", "Hello,\nthe invoice is attached.\n"))
//!     .part(Builder::attachment("application/pdf", "請求書.pdf", b"%PDF-1.7 ..."))
//!     .build();
//! let message = Message::parse(&bytes);
//! assert_eq!(message.subject().as_deref(), Some("請求書 (March)"));
//! let from = message.from().unwrap();
//! let anna = from.mailboxes().next().unwrap();
//! assert_eq!(anna.display_name(), Some("Anna Müller"));
//! assert_eq!(message.text_body().as_deref(), Some("Hello,\r\nthe invoice is attached.\r\n"));
//! let attachment = message.attachments().next().unwrap();
//! assert_eq!(attachment.filename().as_deref(), Some("請求書.pdf"));
//! assert_eq!(&attachment.decoded()[..], b"%PDF-1.7 ...");
//! ```

use core::fmt::Write as _;

use base64::Engine as _;

/// The longest encoded word (RFC 2047 §2).
const MAX_ENCODED_WORD: usize = 75;
/// The line length a folded field keeps to where it can (RFC 5322 §2.1.1).
const LINE: usize = 78;

/// A message or one MIME part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    /// Fields as written, `Name: value` folded, each ending in CRLF.
    fields: String,
    body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    /// A leaf: its content fields (`Content-Type` and so on, written) and its encoded octets.
    Leaf { content: String, octets: Vec<u8> },
    /// A multipart of this subtype.
    Multipart {
        subtype: String,
        parts: Vec<Builder>,
    },
}

impl Builder {
    /// A `text/<subtype>; charset=utf-8` part (or message). Line ends become CRLF; the
    /// transfer encoding is `7bit` for short ASCII lines, quoted-printable otherwise.
    pub fn text(subtype: &str, text: &str) -> Builder {
        let text = crlf(text.as_bytes());
        let seven_bit = text.is_ascii() && text.split(|&b| b == b'\n').all(|l| l.len() <= 998);
        let (encoding, octets) = if seven_bit {
            ("7bit", text)
        } else {
            ("quoted-printable", quoted_printable(&text))
        };
        let mut content = String::new();
        fold(
            &mut content,
            "Content-Type",
            &format!("text/{}; charset=utf-8", token(subtype)),
        );
        fold(&mut content, "Content-Transfer-Encoding", encoding);
        Builder {
            fields: String::new(),
            body: Body::Leaf { content, octets },
        }
    }

    /// An attachment: `Content-Disposition: attachment` with the file name, base64 content.
    pub fn attachment(content_type: &str, filename: &str, data: &[u8]) -> Builder {
        let mut content = String::new();
        let name = filename_parameter("filename", filename);
        fold(&mut content, "Content-Type", &single_line(content_type));
        fold(
            &mut content,
            "Content-Disposition",
            &format!("attachment; {name}"),
        );
        fold(&mut content, "Content-Transfer-Encoding", "base64");
        Builder {
            fields: String::new(),
            body: Body::Leaf {
                content,
                octets: base64_lines(data),
            },
        }
    }

    /// A `multipart/<subtype>` (`mixed`, `alternative`, `related`, `report`, ...) whose parts
    /// are added with [`Builder::part`].
    pub fn multipart(subtype: &str) -> Builder {
        Builder {
            fields: String::new(),
            body: Body::Multipart {
                subtype: token(subtype),
                parts: Vec::new(),
            },
        }
    }

    /// Adds a part to a multipart; on a leaf, turns it into a `multipart/mixed` holding the
    /// leaf and the new part.
    #[must_use]
    pub fn part(mut self, part: Builder) -> Builder {
        match &mut self.body {
            Body::Multipart { parts, .. } => parts.push(part),
            Body::Leaf { .. } => {
                let leaf = Builder {
                    fields: String::new(),
                    body: self.body.clone(),
                };
                self.body = Body::Multipart {
                    subtype: "mixed".into(),
                    parts: vec![leaf, part],
                };
            }
        }
        self
    }

    /// A field written as given (a structured value: `Message-ID`, `Date`, `List-Id`, ...),
    /// folded; line breaks in the value become spaces.
    #[must_use]
    pub fn field(mut self, name: &str, value: &str) -> Builder {
        fold(&mut self.fields, &field_name(name), &single_line(value));
        self
    }

    /// An unstructured field (`Subject`, `Comments`): text that is not ASCII goes into
    /// encoded words.
    #[must_use]
    pub fn text_field(mut self, name: &str, text: &str) -> Builder {
        let text = single_line(text);
        let value = if text.is_ascii() {
            text
        } else {
            encoded_words(&text)
        };
        fold(&mut self.fields, &field_name(name), &value);
        self
    }

    /// An address field of one mailbox: the display name quoted or encoded as it needs, the
    /// address as given (never encoded, RFC 2047 §5).
    #[must_use]
    pub fn mailbox(mut self, name: &str, display_name: Option<&str>, address: &str) -> Builder {
        let address = single_line(address);
        let display = display_name.map(|d| single_line(d).trim().to_owned());
        let value = match display.filter(|d| !d.is_empty()) {
            Some(display) => format!("{} <{address}>", phrase(&display)),
            None => address,
        };
        fold(&mut self.fields, &field_name(name), &value);
        self
    }

    /// The message (or part) as octets: the fields, `MIME-Version` at the top level, the
    /// content fields, an empty line and the body.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.fields.as_bytes());
        if !self.fields.to_ascii_lowercase().contains("mime-version:") {
            out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        }
        self.write_entity(&mut out);
        out
    }

    /// The content fields, the empty line and the body of this entity.
    fn write_entity(&self, out: &mut Vec<u8>) {
        match &self.body {
            Body::Leaf { content, octets } => {
                out.extend_from_slice(content.as_bytes());
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(octets);
            }
            Body::Multipart { subtype, parts } => {
                let bodies: Vec<Vec<u8>> = parts
                    .iter()
                    .map(|part| {
                        let mut body = part.fields.as_bytes().to_vec();
                        part.write_entity(&mut body);
                        body
                    })
                    .collect();
                let boundary = boundary_for(&bodies);
                let mut content = String::new();
                fold(
                    &mut content,
                    "Content-Type",
                    &format!("multipart/{subtype}; boundary=\"{boundary}\""),
                );
                out.extend_from_slice(content.as_bytes());
                out.extend_from_slice(b"\r\n");
                for body in &bodies {
                    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                    out.extend_from_slice(body);
                    // The line break before a delimiter belongs to the delimiter.
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            }
        }
    }
}

/// A boundary that occurs in none of the parts (RFC 2046 §5.1.1): a hash of the content,
/// changed until no part contains it.
fn boundary_for(bodies: &[Vec<u8>]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bodies.iter().flatten() {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    loop {
        let boundary = format!("=_tegami_{hash:016x}");
        let finder = memchr::memmem::Finder::new(boundary.as_bytes());
        if bodies.iter().all(|body| finder.find(body).is_none()) {
            return boundary;
        }
        hash = hash.wrapping_add(1);
    }
}

/// Writes `Name: value` CRLF, folding before white space to keep lines within 78 octets
/// where the value allows (a longer word stays whole, within the 998-octet limit of
/// RFC 5322 §2.1.1 for anything this builder writes).
pub fn fold(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push(':');
    let mut column = name.len() + 1;
    let mut rest = value;
    if !rest.starts_with([' ', '\t']) {
        out.push(' ');
        column += 1;
    }
    while !rest.is_empty() {
        // The next word with the white space before it.
        let start = rest
            .find(|c: char| c != ' ' && c != '\t')
            .unwrap_or(rest.len());
        let end = rest
            .get(start..)
            .and_then(|word| word.find([' ', '\t']))
            .map_or(rest.len(), |e| start + e);
        let (piece, tail) = rest.split_at(end);
        if column + piece.len() > LINE && column > name.len() + 2 && start > 0 {
            out.push_str("\r\n");
            column = 0;
        }
        out.push_str(piece);
        column += piece.len();
        rest = tail;
    }
    out.push_str("\r\n");
}

/// Line breaks (and other controls but TAB) as spaces: a value stays on its field.
fn single_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect()
}

/// A field name of printable ASCII without the colon (RFC 5322 §2.2); anything else is
/// replaced with `-`.
fn field_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != ':' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "X".into()
    } else {
        cleaned
    }
}

/// A MIME token (RFC 2045 §5.1) made of the given text; other characters are dropped.
fn token(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?=".contains(*c))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A display name as an RFC 5322 phrase: atoms as they are, a quoted string when it has
/// specials or spaces a phrase would not keep (a reader joins a phrase's words with one space,
/// RFC 5322 §3.2.5), encoded words when it is not ASCII (RFC 2047 §5 (3)).
fn phrase(display: &str) -> String {
    if !display.is_ascii() {
        return encoded_words(display);
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~ ".contains(c);
    if display.chars().all(atext) && !display.contains("=?") && !display.trim().contains("  ") {
        return display.to_owned();
    }
    let mut quoted = String::with_capacity(display.len() + 2);
    quoted.push('"');
    for c in display.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// UTF-8 text as base64 encoded words of at most 75 octets, cut between characters and
/// separated by spaces (which a reader removes between adjacent encoded words, §6.2).
fn encoded_words(text: &str) -> String {
    const PREFIX: &str = "=?utf-8?b?";
    // 75 octets less `=?utf-8?b?` and `?=`: 63 base64 characters, 45 octets of text at most.
    let room = (MAX_ENCODED_WORD - PREFIX.len() - 2) / 4 * 3;
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > room {
            words.push(core::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    let engine = base64::engine::general_purpose::STANDARD;
    words
        .iter()
        .map(|word| format!("{PREFIX}{}?=", engine.encode(word)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `filename="name"` for a plain ASCII name, else RFC 2231 `filename*=utf-8''%XX...`.
fn filename_parameter(parameter: &str, filename: &str) -> String {
    let name = single_line(filename);
    if name.is_ascii() && !name.contains(['"', '\\']) {
        return format!("{parameter}=\"{name}\"");
    }
    let mut encoded = format!("{parameter}*=utf-8''");
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// Bare LF and bare CR as CRLF.
fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    let mut iter = data.iter().copied().peekable();
    while let Some(byte) = iter.next() {
        match byte {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if iter.peek() == Some(&b'\n') {
                    iter.next();
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(byte),
        }
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7) of CRLF text: line breaks kept as hard breaks, lines
/// of at most 76 characters with soft breaks, white space before a break encoded.
fn quoted_printable(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let last = lines.len().saturating_sub(1);
    for (index, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut column = 0;
        for (at, &byte) in line.iter().enumerate() {
            let at_end = at + 1 == line.len();
            let plain = (byte == b' ' || byte == b'\t') && !at_end
                || (33..=126).contains(&byte) && byte != b'=';
            let width = if plain { 1 } else { 3 };
            // Soft break: `=` ends a line of at most 76 characters.
            if column + width > 75 {
                out.extend_from_slice(b"=\r\n");
                column = 0;
            }
            if plain {
                out.push(byte);
            } else {
                out.extend_from_slice(format!("={byte:02X}").as_bytes());
            }
            column += width;
        }
        if index < last {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Base64 in lines of 76 characters, each ended with CRLF (RFC 2045 §6.8).
fn base64_lines(data: &[u8]) -> Vec<u8> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::Message;
    use crate::transfer::decode_quoted_printable;
    use proptest::prelude::*;

    #[test]
    fn fields_are_folded_and_cannot_inject() {
        let bytes = Builder::text("plain", "x")
            .text_field("Subject", "a\r\nBcc: victim@example.com")
            .field("X-Long", &"word ".repeat(40))
            .build();
        let message = Message::parse(&bytes);
        let header = message.header().unwrap();
        assert!(header.get("bcc").is_none());
        for line in bytes.split(|&b| b == b'\n') {
            assert!(line.len() <= 80, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn display_names_keep_their_inner_spaces() {
        assert_eq!(phrase("Anna Example"), "Anna Example");
        assert_eq!(phrase("Anna  Example"), "\"Anna  Example\"");
        let bytes = Builder::text("plain", "x")
            .mailbox("From", Some("=  ="), "anna@example.com")
            .build();
        let message = Message::parse(&bytes);
        let from = message.from().expect("a From field");
        let mailbox = from.mailboxes().next().expect("one mailbox");
        assert_eq!(mailbox.display_name(), Some("=  ="));
    }

    #[test]
    fn quoted_printable_lines_and_trailing_space() {
        let text = crlf(format!("{} \nend\t\n=", "é".repeat(60)).as_bytes());
        let encoded = quoted_printable(&text);
        for line in encoded.split(|&b| b == b'\n') {
            assert!(line.len() <= 77, "{}", String::from_utf8_lossy(line));
        }
        assert_eq!(decode_quoted_printable(&encoded).0, text);
    }

    #[test]
    fn boundaries_avoid_the_content() {
        let first = Builder::multipart("mixed")
            .part(Builder::text("plain", "a"))
            .build();
        let text = String::from_utf8(first.clone()).unwrap();
        let boundary = text
            .split("boundary=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        // A part that contains the boundary the content would otherwise get.
        let nested = Builder::multipart("mixed")
            .part(Builder::text("plain", &format!("--{boundary}\n")))
            .build();
        assert_eq!(Message::parse(&nested).parts().len(), 2);
    }

    fn text() -> impl Strategy<Value = String> {
        // ASCII, Latin, Japanese, emoji, line ends, and the characters encodings care about.
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just(' '),
                Just('='),
                Just('?'),
                Just('"'),
                Just('é'),
                Just('請'),
                Just('🙂'),
                Just('\n'),
                Just('.'),
            ],
            0..200,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn line() -> impl Strategy<Value = String> {
        text().prop_map(|t| t.replace('\n', " "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn build_then_parse_gives_back_what_was_put_in(
            subject in line(),
            display in line(),
            body in text(),
            html in text(),
            filename in line(),
            data in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let bytes = Builder::multipart("mixed")
                .mailbox("From", Some(&display), "anna@example.com")
                .text_field("Subject", &subject)
                .part(
                    Builder::multipart("alternative")
                        .part(Builder::text("plain", &body))
                        .part(Builder::text("html", &html)),
                )
                .part(Builder::attachment("application/octet-stream", &filename, &data))
                .build();
            let message = Message::parse(&bytes);
            prop_assert!(message.problems().is_empty(), "{:?}", message.problems());
            prop_assert_eq!(message.subject().unwrap_or_default(), subject.trim());
            let from = message.from().unwrap();
            let mailbox = from.mailboxes().next().unwrap();
            prop_assert_eq!(mailbox.address(), "anna@example.com");
            let shown = display.trim();
            prop_assert_eq!(mailbox.display_name().unwrap_or_default(), shown);
            let expected = String::from_utf8(crlf(body.as_bytes())).unwrap();
            prop_assert_eq!(message.text_body().unwrap(), expected);
            let expected = String::from_utf8(crlf(html.as_bytes())).unwrap();
            prop_assert_eq!(message.html_body().unwrap(), expected);
            let attachment = message.attachments().next().unwrap();
            prop_assert_eq!(&attachment.decoded()[..], &data[..]);
            let name = filename.trim();
            prop_assert_eq!(attachment.filename(), (!name.is_empty()).then(|| name.to_owned()));
        }
    }
}
