//! [`HeaderReader`]: the header block of a message that arrives in chunks, as an SMTP session
//! receives it, found across any split of the input.
//!
//! The block ends at the first empty line (RFC 5322 §2.1: "a header section ... separated from
//! the body by an empty line"), whether lines end in CRLF or, as files on disk often do, in a
//! bare LF: the same rule as [`HeaderBlock::parse`], so the reader and a whole-message parse
//! always agree on where the body starts. A chunk that completes the block says where in the
//! chunk the body starts; the body itself is never kept.
//!
//! (The DKIM verifier keeps its own reader: DKIM works on CRLF-canonical input, RFC 6376
//! §3.4, and its header block ends only at CRLF CRLF.)
//!
//! ```
//! use tegami_mime::header_reader::{HeaderReader, Progress};
//!
//! let mut reader = HeaderReader::new(64 * 1024);
//! assert_eq!(reader.push(b"From: a@example.com\r\nSubj").unwrap(), Progress::NeedMore);
//! assert_eq!(reader.push(b"ect: hi\r\n").unwrap(), Progress::NeedMore);
//! // The empty line arrives split over two chunks.
//! assert_eq!(reader.push(b"\r").unwrap(), Progress::NeedMore);
//! assert_eq!(reader.push(b"\nHello.\r\n").unwrap(), Progress::Complete { body_start: 1 });
//! let header = reader.header();
//! assert_eq!(header.get("subject").map(|f| f.value()), Some(&b" hi"[..]));
//! ```

use crate::header::HeaderBlock;

/// What a chunk brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The header block is not complete yet.
    NeedMore,
    /// The header block is complete; the body starts at this offset of the chunk just pushed
    /// (its length when the chunk ended with the empty line). Later chunks are all body.
    Complete {
        /// Where the body starts in the chunk.
        body_start: usize,
    },
}

/// The header block grew past the reader's limit before its end was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("header block larger than {0} octets")]
pub struct HeaderTooLarge(pub usize);

/// Collects a header block from chunks (see the module documentation).
#[derive(Debug, Clone)]
pub struct HeaderReader {
    block: Vec<u8>,
    limit: usize,
    /// The next octet starts a line.
    line_start: bool,
    /// The line so far is a lone CR: an LF now makes it the empty line.
    lone_cr: bool,
    complete: bool,
    too_large: bool,
}

impl HeaderReader {
    /// A reader that keeps at most `limit` octets of header block (the empty line included).
    pub fn new(limit: usize) -> HeaderReader {
        HeaderReader {
            block: Vec::new(),
            limit,
            line_start: true,
            lone_cr: false,
            complete: false,
            too_large: false,
        }
    }

    /// Feeds the next chunk. Once the block is complete, every chunk is body:
    /// `Complete { body_start: 0 }`.
    ///
    /// # Errors
    ///
    /// [`HeaderTooLarge`] when the block passes the limit without ending, and for every chunk
    /// after that.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Progress, HeaderTooLarge> {
        if self.complete {
            return Ok(Progress::Complete { body_start: 0 });
        }
        if self.too_large {
            return Err(HeaderTooLarge(self.limit));
        }
        match self.end_in(chunk) {
            Some(end) => {
                let (header, _) = chunk.split_at(end);
                self.keep(header)?;
                self.complete = true;
                Ok(Progress::Complete { body_start: end })
            }
            None => {
                self.keep(chunk)?;
                Ok(Progress::NeedMore)
            }
        }
    }

    /// The end of the input: a message without an empty line is all header
    /// ([`HeaderBlock::parse`] reads it the same way).
    pub fn finish(&mut self) {
        if !self.too_large {
            self.complete = true;
        }
    }

    /// Whether the header block is complete.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The header block so far, its empty line included once complete.
    pub fn bytes(&self) -> &[u8] {
        &self.block
    }

    /// The header block's fields, read from [`HeaderReader::bytes`].
    pub fn header(&self) -> HeaderBlock<'_> {
        HeaderBlock::parse(&self.block)
    }

    fn keep(&mut self, octets: &[u8]) -> Result<(), HeaderTooLarge> {
        if self.block.len().saturating_add(octets.len()) > self.limit {
            self.too_large = true;
            self.block.clear();
            return Err(HeaderTooLarge(self.limit));
        }
        self.block.extend_from_slice(octets);
        Ok(())
    }

    /// Where the empty line ends in `chunk` (one past its LF), tracking line state across
    /// chunks. Only LFs are visited: the octets between them are skipped by memchr.
    fn end_in(&mut self, chunk: &[u8]) -> Option<usize> {
        let mut position = 0;
        loop {
            let rest = chunk.get(position..)?;
            let first = *rest.first()?;
            // The state at `position`: at a line start, or after a lone CR at a line start.
            if self.line_start || self.lone_cr {
                match first {
                    b'\n' => return Some(position + 1),
                    b'\r' if self.line_start => {
                        self.line_start = false;
                        self.lone_cr = true;
                        position += 1;
                        continue;
                    }
                    _ => {
                        self.line_start = false;
                        self.lone_cr = false;
                    }
                }
            }
            match memchr::memchr(b'\n', rest) {
                Some(lf) => {
                    position += lf + 1;
                    self.line_start = true;
                }
                None => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use proptest::prelude::*;

    /// Feeds `message` cut at `cuts`; returns the block, the body and whether it completed.
    fn read(message: &[u8], cuts: &[usize], limit: usize) -> (Vec<u8>, Vec<u8>, bool) {
        let mut reader = HeaderReader::new(limit);
        let mut body = Vec::new();
        let mut start = 0;
        let mut ends: Vec<usize> = cuts.iter().map(|c| c % (message.len() + 1)).collect();
        ends.sort_unstable();
        ends.push(message.len());
        for end in ends {
            let chunk = &message[start..end.max(start)];
            start = end.max(start);
            match reader.push(chunk) {
                Ok(Progress::NeedMore) => {}
                Ok(Progress::Complete { body_start }) => {
                    body.extend_from_slice(&chunk[body_start..]);
                }
                Err(_) => return (Vec::new(), Vec::new(), false),
            }
        }
        reader.finish();
        (reader.bytes().to_vec(), body, reader.is_complete())
    }

    #[test]
    fn crlf_lf_and_empty_headers() {
        assert_eq!(
            read(b"A: 1\r\n\r\nbody", &[], 100),
            (b"A: 1\r\n\r\n".to_vec(), b"body".to_vec(), true)
        );
        assert_eq!(
            read(b"A: 1\n\nbody\n\n", &[3], 100),
            (b"A: 1\n\n".to_vec(), b"body\n\n".to_vec(), true)
        );
        assert_eq!(
            read(b"\r\nbody", &[1], 100),
            (b"\r\n".to_vec(), b"body".to_vec(), true)
        );
        // No empty line: all header.
        assert_eq!(
            read(b"A: 1\r\nB: 2", &[5], 100),
            (b"A: 1\r\nB: 2".to_vec(), Vec::new(), true)
        );
        // A line of a CR and text is not empty.
        assert_eq!(
            read(b"A: 1\r\n\rX\r\n\r\nbody", &[6, 7], 100).1,
            b"body".to_vec()
        );
    }

    #[test]
    fn the_limit_is_kept() {
        let mut reader = HeaderReader::new(8);
        assert_eq!(reader.push(b"A: 1\r\n"), Ok(Progress::NeedMore));
        assert_eq!(reader.push(b"B: 2\r\n"), Err(HeaderTooLarge(8)));
        assert_eq!(reader.push(b"\r\n"), Err(HeaderTooLarge(8)));
        assert!(reader.bytes().is_empty());
        reader.finish();
        assert!(!reader.is_complete());
        // A block that ends exactly at the limit fits; one octet more does not.
        let mut reader = HeaderReader::new(8);
        assert_eq!(reader.push(b"A: 12\r\n\r\nbody"), Err(HeaderTooLarge(8)));
        let mut reader = HeaderReader::new(9);
        assert_eq!(
            reader.push(b"A: 12\r\n\r\nbody"),
            Ok(Progress::Complete { body_start: 9 })
        );
    }

    fn message() -> impl Strategy<Value = Vec<u8>> {
        // Few symbols, so empty lines, folding and stray CRs come often.
        proptest::collection::vec(
            prop_oneof![
                Just(b'\r'),
                Just(b'\n'),
                Just(b' '),
                Just(b':'),
                Just(b'a'),
                Just(b'B'),
            ],
            0..80,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn any_chunking_agrees_with_the_whole_message_parse(
            message in message(),
            cuts in proptest::collection::vec(0usize..100, 0..8),
        ) {
            let whole = HeaderBlock::parse(&message);
            let (block, body, complete) = read(&message, &cuts, 1 << 20);
            prop_assert!(complete);
            prop_assert_eq!(&block[..], &message[..whole.body_offset()]);
            prop_assert_eq!(&body[..], &message[whole.body_offset()..]);
            let again = HeaderBlock::parse(&block);
            prop_assert_eq!(again.fields(), whole.fields());
        }
    }
}
