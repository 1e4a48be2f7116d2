//! Splits a message arriving in chunks into its header block (kept, up to a limit) and its body
//! (passed through, never kept).

use alloc::vec::Vec;

/// The header-block half of a streaming reader.
#[derive(Debug, Clone)]
pub struct MessageReader {
    header: Vec<u8>,
    max_header_bytes: usize,
    stage: Stage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Overflow,
    Body,
}

/// What a chunk brought.
pub enum Fed<'c> {
    /// The header block is still incomplete, or it overflowed before: nothing for the body.
    Nothing,
    /// The header block has just grown past the limit.
    Overflowed,
    /// The header block is complete (see [`MessageReader::header`]); these bytes, in order,
    /// are the start of the body.
    HeaderDone(Vec<u8>, &'c [u8]),
    /// Body bytes.
    Body(&'c [u8]),
}

impl MessageReader {
    /// A reader keeping at most `max_header_bytes` of header block.
    pub fn new(max_header_bytes: usize) -> MessageReader {
        MessageReader {
            header: Vec::new(),
            max_header_bytes,
            stage: Stage::Header,
        }
    }

    /// Feeds the next chunk.
    pub fn feed<'c>(&mut self, chunk: &'c [u8]) -> Fed<'c> {
        match self.stage {
            Stage::Body => return Fed::Body(chunk),
            Stage::Overflow => return Fed::Nothing,
            Stage::Header => {}
        }
        let searched_from = self.header.len().saturating_sub(3);
        let room = self.max_header_bytes.saturating_sub(self.header.len());
        // Three octets past the limit still let an empty line right at the limit be found.
        let take = chunk.len().min(room.saturating_add(3));
        let (kept, rest) = chunk.split_at(take);
        self.header.extend_from_slice(kept);
        // A message that starts with the empty line has no header fields at all.
        let empty_header = self.header.starts_with(b"\r\n").then_some((0, 2));
        let window = self.header.get(searched_from..).unwrap_or_default();
        let found = empty_header.or_else(|| {
            memchr::memmem::find(window, b"\r\n\r\n")
                .map(|found| (searched_from + found + 2, searched_from + found + 4))
        });
        if let Some((end, body_start)) = found {
            let buffered = self.header.split_off(body_start.min(self.header.len()));
            self.header.truncate(end);
            self.stage = Stage::Body;
            Fed::HeaderDone(buffered, rest)
        } else if self.header.len() > self.max_header_bytes {
            self.header.truncate(self.max_header_bytes);
            self.stage = Stage::Overflow;
            Fed::Overflowed
        } else {
            Fed::Nothing
        }
    }

    /// Ends the input: a message without an empty line is all header. Returns whether the
    /// header block was still open (and is now complete).
    pub fn end(&mut self) -> bool {
        let open = self.stage == Stage::Header;
        if open {
            self.stage = Stage::Body;
        }
        open
    }

    /// The header block so far, its last CRLF included once complete.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// Whether the header block is complete (and within its limit).
    pub fn header_complete(&self) -> bool {
        self.stage == Stage::Body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(message: &[u8], chunk: usize, max: usize) -> (Vec<u8>, Vec<u8>, bool) {
        let mut reader = MessageReader::new(max);
        let mut body = Vec::new();
        let mut overflowed = false;
        for piece in message.chunks(chunk.max(1)) {
            match reader.feed(piece) {
                Fed::Nothing => {}
                Fed::Overflowed => overflowed = true,
                Fed::HeaderDone(buffered, rest) => {
                    body.extend_from_slice(&buffered);
                    body.extend_from_slice(rest);
                }
                Fed::Body(rest) => body.extend_from_slice(rest),
            }
        }
        reader.end();
        (reader.header().to_vec(), body, overflowed)
    }

    #[test]
    fn any_chunking_splits_alike() {
        let message = b"A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore";
        for chunk in 1..message.len() {
            let (header, body, overflowed) = split(message, chunk, 1000);
            assert_eq!(header, b"A: 1\r\nB: 2\r\n", "chunk {chunk}");
            assert_eq!(body, b"body\r\n\r\nmore", "chunk {chunk}");
            assert!(!overflowed);
        }
    }

    #[test]
    fn no_header_and_no_body() {
        assert_eq!(split(b"\r\nbody", 3, 10), (vec![], b"body".to_vec(), false));
        assert_eq!(
            split(b"\r\nbody\r\n\r\nx", 1, 100),
            (vec![], b"body\r\n\r\nx".to_vec(), false)
        );
        assert_eq!(
            split(b"A: 1\r\n", 2, 10),
            (b"A: 1\r\n".to_vec(), vec![], false)
        );
    }

    #[test]
    fn header_limit() {
        let (_, _, overflowed) = split(b"A: 1234567890\r\n\r\nx", 4, 8);
        assert!(overflowed);
        let (header, body, overflowed) = split(b"A: 1\r\n\r\nx", 4, 6);
        assert_eq!(
            (header, body, overflowed),
            (b"A: 1\r\n".to_vec(), b"x".to_vec(), false)
        );
    }
}
