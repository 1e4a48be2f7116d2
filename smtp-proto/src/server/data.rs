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
    /// removed dot, at the end of the input and before a bare line ending.
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
        let mut position = skip;
        loop {
            let rest = input.get(position..).unwrap_or_default();
            let Some(found) = memchr::memchr2(b'\r', b'\n', rest) else {
                return data(skip, input.len());
            };
            let at = position + found;
            let bare_at = match input.get(at) {
                Some(b'\r') => match input.get(at + 1) {
                    None => return data(skip, at),
                    Some(b'\n') => {
                        position = at + 2;
                        match input.get(position) {
                            Some(b'.') | None => {
                                self.line_start = true;
                                return data(skip, position);
                            }
                            Some(_) => continue,
                        }
                    }
                    Some(_) => at,
                },
                _ => at,
            };
            if allow_bare {
                position = bare_at + 1;
                continue;
            }
            if bare_at > skip {
                return data(skip, bare_at);
            }
            return Scan::BareLineEnding { skip };
        }
    }
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

    proptest! {
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
