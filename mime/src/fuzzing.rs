//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use crate::address::AddressList;
use crate::author::Author;
use crate::encoded_word::{contains_encoded_word, decode_text_checked};
use crate::header::HeaderBlock;

/// Any field value parses to mailboxes and problems that point inside it; the author verdict
/// over the same bytes agrees with the list.
pub fn address_list(data: &[u8]) {
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
