//! RFC 5322 and MIME parsing for tegami; the parser arrives with its own issue, so this crate is empty for now.
