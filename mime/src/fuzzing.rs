//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use crate::address::AddressList;
use crate::author::Author;
use crate::encoded_word::{contains_encoded_word, decode_text_checked};
use crate::header::HeaderBlock;

/// Any field value parses to mailboxes and problems that point inside it; the author verdict
/// over the same bytes agrees with the list.
pub fn address_list(data: &[u8]) {
    // Received fields take the same kind of hostile text.
    let received = crate::received::Received::parse(data);
    if let Some(date) = received.date {
        assert!((1..=12).contains(&date.month));
    }
    let list = AddressList::parse(data, 0);
    for problem in list.problems() {
        assert!(problem.offset <= data.len(), "{problem:?}");
    }
    for mailbox in list.mailboxes() {
        assert!(mailbox.offset() <= data.len());
        assert!(mailbox.address().contains('@'));
    }
    let author = Author::from_fields([(data, 0)]);
    assert_eq!(author.mailboxes().len(), list.mailboxes().count());
    if let Ok(domain) = author.domain() {
        assert!(
            list.mailboxes()
                .any(|m| m.domain_name().as_ref() == Some(domain))
        );
    }
}

/// Any text decodes without panicking; text without an encoded word comes back unchanged.
pub fn encoded_word(data: &[u8]) {
    let (text, _) = decode_text_checked(data);
    if !contains_encoded_word(data)
        && let Ok(plain) = core::str::from_utf8(data)
        && !plain.contains("=?")
    {
        assert_eq!(text, plain);
    }
    let header = HeaderBlock::parse(data);
    assert!(header.body_offset() <= data.len());
    for field in header.fields() {
        assert!(field.value_offset() <= data.len());
    }
}

/// Any message parses with offsets inside it; every part decodes, reads as text, and yields
/// its file name and ZIP directory without panicking; the tree respects the limits.
pub fn message(data: &[u8]) {
    header_reader(data);
    let config = crate::message::Config {
        max_depth: 8,
        max_parts: 64,
        malformed_header_starts_body: data.first().is_some_and(|b| b & 1 == 1),
    };
    let message = crate::message::Message::parse_with(data, config);
    assert!(message.parts().len() <= config.max_parts);
    for problem in message.problems() {
        assert!(problem.offset <= data.len(), "{problem:?}");
    }
    for part in message.parts() {
        assert!(part.depth() <= config.max_depth);
        assert!(part.body_offset() <= data.len());
        let _ = part.text();
        let _ = part.filename();
        let _ = part.zip_directory();
        let _ = part.security();
    }
    let _ = message.subject();
    let _ = message.date();
    let _ = message.text_body();
    let _ = message.html_body();
}

/// Any octets read as a ZIP directory without panicking; names and counts stay bounded.
pub fn zip(data: &[u8]) {
    let directory = crate::zip::read_directory(data);
    assert!(directory.entries.len() <= 65_535);
    if !directory.is_zip {
        assert!(directory.entries.is_empty());
    }
}

/// Any Content-Type or Content-Disposition value parses; names come back lower case.
pub fn content_type(data: &[u8]) {
    let content_type = crate::parameters::ContentType::parse(data);
    for (name, _) in content_type.parameters() {
        assert_eq!(*name, name.to_ascii_lowercase());
    }
    let _ = crate::parameters::ContentType::parse_disposition(data);
    let _ = crate::transfer::decode_quoted_printable(data);
    let _ = crate::transfer::decode_base64(data);
    let _ = crate::date::DateTime::parse(data);
}

/// The incremental header reader agrees with the whole-message parse for chunks cut at every
/// octet equal to the first one (a split the fuzzer steers).
fn header_reader(data: &[u8]) {
    let mut reader = crate::header_reader::HeaderReader::new(usize::MAX);
    let mut body = Vec::new();
    let cut = data.first().copied().unwrap_or_default();
    for chunk in data.split_inclusive(|&b| b == cut) {
        match reader.push(chunk) {
            Ok(crate::header_reader::Progress::NeedMore) => {}
            Ok(crate::header_reader::Progress::Complete { body_start }) => {
                body.extend_from_slice(chunk.get(body_start..).unwrap_or_default());
            }
            Err(error) => panic!("{error}"),
        }
    }
    reader.finish();
    let whole = HeaderBlock::parse(data);
    assert_eq!(
        reader.bytes(),
        data.get(..whole.body_offset()).unwrap_or_default()
    );
    assert_eq!(body, data.get(whole.body_offset()..).unwrap_or_default());
}
