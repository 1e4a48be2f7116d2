//! Splits a message arriving in chunks into its header block (kept, up to a limit) and its body
//! (passed through, never kept).

use alloc::vec::Vec;

use crate::finders::Finders;

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
    /// The header block is complete (see [`MessageReader::header`]); these bytes are the
    /// start of the body.
    HeaderDone(&'c [u8]),
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
    ///
    /// Only header octets are copied: the end of the header block is searched for in the
    /// chunk itself, and the body is handed back as a slice of it.
    pub fn feed<'c>(&mut self, chunk: &'c [u8]) -> Fed<'c> {
        match self.stage {
            Stage::Body => return Fed::Body(chunk),
            Stage::Overflow => return Fed::Nothing,
            Stage::Header => {}
        }
        let held = self.header.len();
        let room = self.max_header_bytes.saturating_sub(held);
        // Three octets past the limit still let an empty line right at the limit be found.
        let take = chunk.len().min(room.saturating_add(3));
        let kept = chunk.get(..take).unwrap_or(chunk);
        // Where the header block ends and the body starts, as offsets into header + chunk.
        let found = header_end(&self.header, kept);
        if let Some((end, body_start)) = found {
            // The body always starts in this chunk: an earlier chunk would have found it.
            let in_chunk = body_start.saturating_sub(held);
            self.header
                .extend_from_slice(chunk.get(..in_chunk).unwrap_or_default());
            self.header.truncate(end);
            self.stage = Stage::Body;
            return Fed::HeaderDone(chunk.get(in_chunk..).unwrap_or_default());
        }
        self.header.extend_from_slice(kept);
        if self.header.len() > self.max_header_bytes {
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

/// The first empty line in `header` followed by `chunk`, searched only where it can begin
/// anew (`header` holds none): `(end, body_start)`, the header block's end after its last
/// CRLF and the body's first octet, as offsets into `header` + `chunk`. A block that starts
/// with CRLF has no header fields: `(0, 2)`.
fn header_end(header: &[u8], chunk: &[u8]) -> Option<(usize, usize)> {
    let held = header.len();
    // The octets that straddle the seam: up to three held back and three new.
    let tail = header.get(held.saturating_sub(3)..).unwrap_or_default();
    let mut seam = [0u8; 6];
    let head = chunk.get(..chunk.len().min(3)).unwrap_or_default();
    let seam_len = tail.len() + head.len();
    for (slot, &byte) in seam.iter_mut().zip(tail.iter().chain(head)) {
        *slot = byte;
    }
    let seam = seam.get(..seam_len).unwrap_or_default();
    let start = held - tail.len();
    if start == 0 && seam.starts_with(b"\r\n") {
        return Some((0, 2));
    }
    let blank_line = &Finders::get().blank_line;
    if let Some(at) = blank_line.find(seam).map(|found| start + found)
        && at < held
    {
        return Some((at + 2, at + 4));
    }
    blank_line
        .find(chunk)
        .map(|found| (held + found + 2, held + found + 4))
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
                Fed::HeaderDone(rest) => body.extend_from_slice(rest),
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
