//! The DATA reader: finds the end of the message and removes dot-stuffing, RFC 5321 §4.5.2.
//!
//! The message ends only at CRLF "." CRLF (§4.1.1.4); the CRLF that ends the DATA command counts
//! as the first CRLF. A bare CR or LF is where the "SMTP smuggling" attacks of 2023 live: a
//! server that takes `LF . LF` (or `CR . CR`, `LF . CRLF`, ...) as the end of data while the
//! sending server does not lets one message carry a second one with forged envelope. The reader
//! therefore reports a bare CR or LF (the session refuses the message by default) and never ends
//! the data anywhere but at CRLF "." CRLF, whatever it is told to tolerate.

/// The next step of reading DATA from the buffered input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// `input[skip..skip + len]` is message data; consume `skip + len` octets. `skip` is 1 when
    /// a stuffed dot at the start of a line was removed.
    Data { skip: usize, len: usize },
    /// The end of data: consume `consumed` octets (the final "." CRLF).
    End { consumed: usize },
    /// A bare CR or LF at the start of the input (data before it came out as `Data` already);
    /// `skip` octets (a stuffed dot) precede it.
    BareLineEnding { skip: usize },
    /// Nothing can be decided without more input.
    NeedMore,
}

/// Tracks whether the next octet starts a line; everything else lives in the input buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DataReader {
    line_start: bool,
}

impl DataReader {
    pub(crate) fn new() -> DataReader {
        DataReader { line_start: true }
    }

    /// Reads from `input`. With `allow_bare` a lone CR or LF is plain data; without it, it is
    /// reported before it is consumed. Data chunks run over many lines and break only at a
    /// line that starts with a dot, at the end of the input and before a bare line ending.
    pub(crate) fn scan(&mut self, input: &[u8], allow_bare: bool) -> Scan {
        let mut skip = 0;
        if self.line_start {
            match input {
                [] | [b'.'] | [b'.', b'\r'] => return Scan::NeedMore,
                [b'.', b'\r', b'\n', ..] => {
                    return Scan::End { consumed: 3 };
                }
                [b'.', ..] => skip = 1,
                _ => {}
            }
            self.line_start = false;
        }
        let body = input.get(skip..).unwrap_or_default();
        let end = match next_stop(body, !allow_bare) {
            Some(Stop::Bare(0)) => return Scan::BareLineEnding { skip },
            Some(Stop::Bare(at)) => return data(skip, skip + at),
            Some(Stop::DotLine(at)) => at + 2,
            // Hold back a final CR: the LF that makes it a line end may come next.
            None if body.last() == Some(&b'\r') => body.len() - 1,
            None => body.len(),
        };
        self.line_start = body.get(..end).unwrap_or_default().ends_with(b"\r\n");
        data(skip, skip + end)
    }
}

/// Where the data must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// A CR not followed by LF, or an LF not preceded by CR, at this offset.
    Bare(usize),
    /// A CRLF at this offset followed by a dot: the next line is stuffed or ends the data.
    DotLine(usize),
}

/// The first stop in `body`, which starts after a line end or a removed dot. A final CR is no
/// stop: its LF may come with the next input.
///
/// One pass over the bytes in blocks; within a block the test has no early exit, so the
/// compiler vectorises it, and only a block with a hit is searched byte by byte.
///
/// The block test looks at pairs of octets, which is cheaper than triples: an LF before a dot
/// (every CRLF "." has one) or, when strict, a CR and an LF that are not a CRLF pair. It may
/// also hit an LF "." that follows no CR (allowed when not strict): the exact test of each
/// position in the block then passes it by.
fn next_stop(body: &[u8], strict: bool) -> Option<Stop> {
    const BLOCK: usize = 512;
    if strict && body.first() == Some(&b'\n') {
        return Some(Stop::Bare(0));
    }
    let at = |index: usize| body.get(index).copied().unwrap_or_default();
    let stop_at = |index: usize| -> Option<Stop> {
        let (this, next, third) = (at(index), at(index + 1), at(index + 2));
        if this == b'\r' && next == b'\n' && third == b'.' && index + 2 < body.len() {
            return Some(Stop::DotLine(index));
        }
        if strict && index + 1 < body.len() && (this == b'\r') != (next == b'\n') {
            return Some(Stop::Bare(if this == b'\r' { index } else { index + 1 }));
        }
        None
    };
    let pairs = body.len().saturating_sub(1);
    let first = body.get(..pairs).unwrap_or_default();
    let second = body.get(1..).unwrap_or_default();
    for (block, (this, next)) in first.chunks(BLOCK).zip(second.chunks(BLOCK)).enumerate() {
        let hit = if strict {
            this.iter().zip(next).fold(false, |hit, (&this, &next)| {
                hit | ((this == b'\n') & (next == b'.')) | ((this == b'\r') != (next == b'\n'))
            })
        } else {
            this.iter().zip(next).fold(false, |hit, (&this, &next)| {
                hit | ((this == b'\n') & (next == b'.'))
            })
        };
        if hit {
            // A hit at the block's last pair may be an LF "." whose CR is the octet before
            // it, inside the block: the exact test starts one octet early to see it.
            let start = (block * BLOCK).saturating_sub(1);
            if let Some(stop) = (start..block * BLOCK + this.len()).find_map(stop_at) {
                return Some(stop);
            }
        }
    }
    // The last octet, which no pair starts at.
    (pairs..body.len()).find_map(stop_at)
}

fn data(skip: usize, end: usize) -> Scan {
    if end <= skip {
        if skip == 0 {
            return Scan::NeedMore;
        }
        return Scan::Data { skip, len: 0 };
    }
    Scan::Data {
        skip,
        len: end - skip,
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    /// Runs the reader over `chunks`, strict or not; returns the data and whether it ended, or
    /// `None` at the first bare line ending in strict mode.
    fn read(chunks: &[&[u8]], allow_bare: bool) -> Option<(Vec<u8>, bool)> {
        let mut reader = DataReader::new();
        let mut buffer = Vec::new();
        let mut out = Vec::new();
        for chunk in chunks {
            buffer.extend_from_slice(chunk);
            loop {
                match reader.scan(&buffer, allow_bare) {
                    Scan::Data { skip, len } => {
                        out.extend_from_slice(&buffer[skip..skip + len]);
                        buffer.drain(..skip + len);
                    }
                    Scan::End { .. } => return Some((out, true)),
                    Scan::BareLineEnding { .. } => return None,
                    Scan::NeedMore => break,
                }
            }
        }
        Some((out, false))
    }

    #[test]
    fn unstuffs_and_ends_at_crlf_dot_crlf() {
        let (data, ended) = read(&[b"Subject: x\r\n\r\n..dot\r\n.\r\n"], false).unwrap();
        assert!(ended);
        assert_eq!(data, b"Subject: x\r\n\r\n.dot\r\n");
        assert_eq!(read(&[b".\r\n"], false).unwrap(), (Vec::new(), true));
        assert_eq!(
            read(&[b"a\r\n.x\r\n"], false).unwrap(),
            (b"a\r\nx\r\n".to_vec(), false)
        );
    }

    #[test]
    fn smuggling_variants_never_end_the_data() {
        for attempt in [
            &b"a\n.\nMAIL FROM:<x@y>\r\n"[..],
            b"a\n.\r\nMAIL FROM:<x@y>\r\n",
            b"a\r.\r\nMAIL FROM:<x@y>\r\n",
            b"a\r\n.\rMAIL FROM:<x@y>\r\n",
            b"a\r\n.\nMAIL FROM:<x@y>\r\n",
            b"a\r.\rMAIL FROM:<x@y>\r\n",
        ] {
            assert_eq!(read(&[attempt], false), None, "{attempt:?}");
            let (data, ended) = read(&[attempt], true).unwrap();
            assert!(!ended, "{attempt:?}");
            assert!(data.ends_with(b"MAIL FROM:<x@y>\r\n"), "{attempt:?}");
        }
    }

    /// [`next_stop`] the slow way: every position tested in order.
    fn next_stop_reference(body: &[u8], strict: bool) -> Option<Stop> {
        let at = |index: usize| body.get(index).copied().unwrap_or_default();
        (0..body.len()).find_map(|index| {
            let (this, next, third) = (at(index), at(index + 1), at(index + 2));
            if index == 0 && strict && this == b'\n' {
                return Some(Stop::Bare(0));
            }
            if this == b'\r' && next == b'\n' && third == b'.' && index + 2 < body.len() {
                return Some(Stop::DotLine(index));
            }
            if strict && index + 1 < body.len() && (this == b'\r') != (next == b'\n') {
                return Some(Stop::Bare(if this == b'\r' { index } else { index + 1 }));
            }
            None
        })
    }

    proptest! {
        #[test]
        fn stops_where_a_byte_by_byte_test_stops(
            // Long runs of text with line ends and dots here and there, across block edges.
            pieces in proptest::collection::vec(
                prop_oneof![
                    8 => "[a-z ]{0,600}",
                    2 => Just(String::from("\r\n")),
                    1 => Just(String::from("\r\n.")),
                    1 => Just(String::from("\n.")),
                    1 => "[.\r\n]{1,3}",
                ],
                0..12,
            ),
            strict in any::<bool>(),
        ) {
            let body = pieces.concat().into_bytes();
            prop_assert_eq!(next_stop(&body, strict), next_stop_reference(&body, strict));
        }

        #[test]
        fn any_chunking_gives_the_same_data(
            lines in proptest::collection::vec("[.a-c\\r\\n]{0,6}", 0..12),
            cuts in proptest::collection::vec(0usize..200, 0..8),
            allow_bare in any::<bool>(),
        ) {
            let mut message = lines.join("\r\n").into_bytes();
            message.extend_from_slice(b"\r\n.\r\n");
            let whole = read(&[&message], allow_bare);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut % (message.len() + 1)).collect();
            cuts.sort_unstable();
            let mut pieces = Vec::new();
            let mut last = 0;
            for cut in cuts {
                pieces.push(&message[last..cut]);
                last = cut;
            }
            pieces.push(&message[last..]);
            prop_assert_eq!(read(&pieces, allow_bare), whole);
        }
    }
}
