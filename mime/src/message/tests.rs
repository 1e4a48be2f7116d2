use super::*;

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn kinds(message: &Message<'_>) -> Vec<ProblemKind> {
    message.problems().iter().map(|p| p.kind).collect()
}

#[test]
fn single_part_defaults() {
    let raw = crlf("Subject: plain\nFrom: a@example.com\n\nhello\n");
    let message = Message::parse(&raw);
    assert_eq!(message.parts().len(), 1);
    let root = message.root().unwrap();
    assert_eq!(root.content_type().mime_type(), "text/plain");
    assert_eq!(root.charset().as_deref(), Some("us-ascii"));
    assert_eq!(message.text_body().as_deref(), Some("hello\r\n"));
    assert_eq!(message.html_body(), None);
    assert!(message.problems().is_empty());
}

#[test]
fn alternative_inside_mixed_with_preamble_and_epilogue() {
    let raw = crlf(
        "Content-Type: multipart/mixed; boundary=outer\n\npreamble\n--outer\nContent-Type: multipart/alternative; boundary=\"in ner\"\n\n--in ner\nContent-Type: text/plain\n\nplain\n--in ner\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<p>caf=E9</p>\n--in ner--\n--outer\nContent-Type: image/png\nContent-Disposition: attachment; filename*=utf-8''%E5%9B%B3.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--outer--\nepilogue\n",
    );
    let message = Message::parse(&raw);
    assert!(message.problems().is_empty(), "{:?}", message.problems());
    let types: Vec<String> = message
        .parts()
        .iter()
        .map(|p| p.content_type().mime_type())
        .collect();
    assert_eq!(
        types,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "image/png"
        ]
    );
    let root = message.root().unwrap();
    assert_eq!(root.preamble(), b"preamble");
    assert_eq!(root.epilogue(), b"epilogue\r\n");
    assert_eq!(message.text_body().as_deref(), Some("plain"));
    assert_eq!(message.html_body().as_deref(), Some("<p>café</p>"));
    let attachment = message.attachments().next().unwrap();
    assert_eq!(attachment.filename().as_deref(), Some("図.png"));
    assert_eq!(&attachment.decoded()[..4], b"\x89PNG");
    assert_eq!(message.leaves().count(), 3);
}

#[test]
fn delimiters_count_only_at_line_starts_among_other_hyphens() {
    let raw = crlf(
        "Content-Type: multipart/mixed; boundary=b-1\n\n-\n--b-1\n\nwell-known --b-1 - -- x--b-1\n---\n--b-1\n\nsecond\n--b-1--\n",
    );
    let message = Message::parse(&raw);
    assert!(message.problems().is_empty(), "{:?}", message.problems());
    let bodies: Vec<&[u8]> = message.leaves().map(Part::body).collect();
    assert_eq!(
        bodies,
        [&b"well-known --b-1 - -- x--b-1\r\n---"[..], b"second"]
    );
    assert_eq!(message.root().unwrap().preamble(), b"-");
}

#[test]
fn delimiters_are_found_the_same_past_many_hyphens() {
    // More hyphens than the one-octet search tolerates before the substring search takes over.
    let dashes = "- -- --b x--b-1 well-known\n".repeat(40);
    let raw = crlf(&format!(
        "Content-Type: multipart/mixed; boundary=b-1\n\n--b-1\n\n{dashes}end\n--b-1\n\n{dashes}--b-1--\n"
    ));
    let message = Message::parse(&raw);
    assert!(message.problems().is_empty(), "{:?}", message.problems());
    let dashes = crlf(&dashes);
    let first = [&dashes[..], b"end"].concat();
    let bodies: Vec<&[u8]> = message.leaves().map(Part::body).collect();
    assert_eq!(bodies, [&first[..], &dashes[..dashes.len() - 2]]);
}

#[test]
fn embedded_message_joins_the_tree() {
    let raw = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nouter text\n--b\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: text/plain\n\ninner text\n--b--\n",
    );
    let message = Message::parse(&raw);
    let types: Vec<String> = message
        .leaves()
        .map(|p| p.content_type().mime_type())
        .collect();
    assert_eq!(types, ["text/plain", "text/plain"]);
    assert_eq!(message.text_body().as_deref(), Some("outer text"));
    let inner = message.parts().last().unwrap();
    assert_eq!(inner.depth(), 2);
    assert_eq!(&inner.decoded()[..], b"inner text");
}

#[test]
fn broken_structure_is_reported_not_fatal() {
    let raw = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond, never closed\n",
    );
    let message = Message::parse(&raw);
    assert_eq!(message.leaves().count(), 2);
    assert_eq!(kinds(&message), [ProblemKind::MissingCloseDelimiter]);
    let raw = crlf("Content-Type: multipart/mixed\n\nno boundary\n");
    assert_eq!(kinds(&Message::parse(&raw)), [ProblemKind::MissingBoundary]);
    let raw = crlf("Content-Type: multipart/mixed; boundary=zz\n\nno delimiter here\n");
    assert_eq!(
        kinds(&Message::parse(&raw)),
        [ProblemKind::BoundaryNotFound]
    );
    // A line that starts with the delimiter is one, whatever follows on it (RFC 2046 §5.1.1).
    let raw = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b ignored\n\none\n--bx\n\ntwo\n--b-- ignored\nepilogue",
    );
    let message = Message::parse(&raw);
    let bodies: Vec<_> = message.leaves().map(|p| p.decoded().into_owned()).collect();
    assert_eq!(bodies, [b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(message.root().unwrap().epilogue(), b"epilogue");
}

#[test]
fn depth_and_part_limits() {
    let mut raw = String::new();
    for level in 0..50 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=x{level}y\r\n\r\n--x{level}y\r\n"
        ));
    }
    raw.push_str("\r\ndeep\r\n");
    let message = Message::parse(raw.as_bytes());
    assert!(message.parts().len() <= 33);
    assert!(kinds(&message).contains(&ProblemKind::TooDeep));
    let mut many = String::from("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for _ in 0..100 {
        many.push_str("--b\r\n\r\nx\r\n");
    }
    many.push_str("--b--\r\n");
    let message = Message::parse_with(
        many.as_bytes(),
        Config {
            max_parts: 10,
            ..Config::default()
        },
    );
    assert_eq!(message.parts().len(), 10);
    assert!(kinds(&message).contains(&ProblemKind::TooManyParts));
}

#[test]
fn digest_parts_default_to_messages() {
    let raw = crlf(
        "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody one\n--d--\n",
    );
    let message = Message::parse(&raw);
    assert_eq!(
        message.parts()[1].content_type().mime_type(),
        "message/rfc822"
    );
    assert_eq!(message.leaves().count(), 1);
}

#[test]
fn japanese_bodies() {
    // ISO-2022-JP, the classic Japanese mail charset, in 7bit.
    let mut raw = b"Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n".to_vec();
    raw.extend_from_slice(b"\x1b$B$3$s$K$A$O\x1b(B\r\n");
    assert_eq!(
        Message::parse(&raw).text_body().as_deref(),
        Some("こんにちは\r\n")
    );
    // Shift_JIS in base64.
    let raw = b"Content-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: base64\r\n\r\nk/qWe4zq\r\n";
    assert_eq!(Message::parse(raw).text_body().as_deref(), Some("日本語"));
}

#[test]
fn encrypted_zip_and_security() {
    let mut zip =
        b"PK\x03\x04\x14\x00\x01\x00\x08\x00\0\0\0\0\0\0\0\0\x01\0\0\0\x01\0\0\0\x05\0\0\0a.txtx"
            .to_vec();
    let encoded = {
        // Base64 by hand through the decoder's inverse: use the standard alphabet.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in zip.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    };
    zip.clear();
    let raw = format!(
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/zip; name=secret.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b--\r\n"
    );
    let message = Message::parse(raw.as_bytes());
    let part = message.attachments().next().unwrap();
    assert!(part.is_encrypted_zip());
    let raw = crlf(
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\n\n--s\n\ntext\n--s\nContent-Type: application/pkcs7-signature\n\nxx\n--s--\n",
    );
    let message = Message::parse(&raw);
    assert_eq!(
        message.root().unwrap().security(),
        Some(Security::SmimeSigned)
    );
    let raw = crlf("Content-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\nx\n");
    assert_eq!(
        Message::parse(&raw).root().unwrap().security(),
        Some(Security::PgpInline)
    );
}

#[test]
fn header_fields() {
    let raw = crlf(
        "From: \"Yamada, Taro\" <taro@example.jp>\nTo: a@example.com, b@example.com\nSubject: =?utf-8?q?Re=3A_h?=\n =?utf-8?q?ello?=\nDate: Mon, 23 Nov 2026 12:00:00 +0900\nMessage-ID: <abc@example.jp>\nReferences: <1@x> <2@y>\n\nbody\n",
    );
    let message = Message::parse(&raw);
    assert_eq!(message.subject().as_deref(), Some("Re: hello"));
    assert_eq!(
        message
            .from()
            .unwrap()
            .mailboxes()
            .next()
            .unwrap()
            .display_name(),
        Some("Yamada, Taro")
    );
    assert_eq!(message.to().unwrap().mailboxes().count(), 2);
    assert_eq!(
        message.date().map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-11-23T12:00:00+09:00")
    );
    assert_eq!(message.message_id().as_deref(), Some("abc@example.jp"));
    assert_eq!(message.references(), ["1@x", "2@y"]);
}

proptest::proptest! {
    #[test]
    fn never_panics_and_offsets_stay_inside(input in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let message = Message::parse(&input);
        for problem in message.problems() {
            proptest::prop_assert!(problem.offset <= input.len());
        }
        for part in message.parts() {
            proptest::prop_assert!(part.body_offset() <= input.len());
            let _ = part.text();
            let _ = part.filename();
            let _ = part.is_encrypted_zip();
        }
    }
}
