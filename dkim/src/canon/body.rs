//! Body canonicalization as a streaming transform, RFC 6376 §3.4.3 and §3.4.4.
//!
//! The transform never copies the body: it hands the caller's own bytes to the sink in runs, and
//! breaks a run only where relaxed canonicalization changes something (a tab, two or more
//! whitespace octets, whitespace before a line end) or where trailing empty lines might begin.
//! Empty lines are held back as a count until content follows them, so a body of a million
//! CRLFs costs no memory.

use super::{Canonicalization, is_wsp};

/// A streaming body canonicalizer (RFC 6376 §3.4.3 `simple`, §3.4.4 `relaxed`).
///
/// Feed the body in chunks of any size with [`feed`](Self::feed), then call
/// [`finish`](Self::finish); the sink receives the canonical body in pieces, and the pieces
/// concatenated are the same whatever the chunking.
///
/// The body is read as it travels in SMTP: lines end in CRLF. A bare CR or LF is an ordinary
/// octet, as the RFC's algorithms treat it.
///
/// ```
/// use tegami_dkim::canon::{BodyCanonicalizer, Canonicalization};
///
/// let mut out = Vec::new();
/// let mut canon = BodyCanonicalizer::new(Canonicalization::Relaxed);
/// canon.feed(b"Hi \t there  \r\n\r\n", &mut |piece: &[u8]| out.extend_from_slice(piece));
/// canon.feed(b"\r\n", &mut |piece: &[u8]| out.extend_from_slice(piece));
/// canon.finish(&mut |piece: &[u8]| out.extend_from_slice(piece));
/// assert_eq!(out, b"Hi there\r\n");
/// ```
#[derive(Debug, Clone)]
pub struct BodyCanonicalizer {
    relaxed: bool,
    state: State,
    /// CRLFs seen but not yet written: they are dropped if nothing but empty lines follows.
    pending_lines: u64,
    /// Whether any content (not an empty line) has been written.
    wrote_content: bool,
}

/// What the canonicalizer holds back at a chunk boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing held back but possibly empty lines.
    Text,
    /// A run of whitespace (relaxed only): one SP, or nothing before a line end.
    Wsp,
    /// A run of whitespace and a CR (relaxed only): an LF makes it a line end.
    WspCr,
    /// A CR: an LF makes it a line end.
    Cr,
}

impl BodyCanonicalizer {
    /// A canonicalizer for `algorithm`.
    pub fn new(algorithm: Canonicalization) -> BodyCanonicalizer {
        BodyCanonicalizer {
            relaxed: algorithm == Canonicalization::Relaxed,
            state: State::Text,
            pending_lines: 0,
            wrote_content: false,
        }
    }

    /// Canonicalizes the next chunk of the body, handing the result to `sink` in pieces.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl FnMut(&[u8])) {
        let mut scan = Scan::new(chunk);
        let mut at = 0;
        while let Some(rest) = chunk.get(at..).filter(|rest| !rest.is_empty()) {
            at = match self.state {
                State::Text if self.relaxed => self.relaxed_text(chunk, at, &mut scan, sink),
                State::Text => {
                    self.piece(rest, true, sink);
                    chunk.len()
                }
                State::Wsp => {
                    let run = rest.iter().take_while(|&&byte| is_wsp(byte)).count();
                    match rest.get(run) {
                        Some(b'\r') => {
                            self.state = State::WspCr;
                            at + run + 1
                        }
                        None => chunk.len(),
                        Some(_) => {
                            self.content(b" ", sink);
                            self.state = State::Text;
                            at + run
                        }
                    }
                }
                State::WspCr | State::Cr => {
                    if rest.first() == Some(&b'\n') {
                        self.pending_lines += 1;
                        self.state = State::Text;
                        at + 1
                    } else {
                        let held: &[u8] = if self.state == State::Cr {
                            b"\r"
                        } else {
                            b" \r"
                        };
                        self.content(held, sink);
                        self.state = State::Text;
                        at
                    }
                }
            };
        }
    }

    /// Ends the body, handing the last piece to `sink`.
    ///
    /// An unfinished last line is completed with CRLF; trailing empty lines are dropped; an
    /// empty body is CRLF under `simple` and nothing under `relaxed` (RFC 6376 §3.4.3, §3.4.4).
    pub fn finish(mut self, sink: &mut impl FnMut(&[u8])) {
        match self.state {
            // Whitespace ending an unfinished last line ends a line once CRLF completes it.
            State::Text | State::Wsp => {}
            State::WspCr => self.content(b" \r", sink),
            State::Cr => self.content(b"\r", sink),
        }
        if self.wrote_content || !self.relaxed {
            sink(b"\r\n");
        }
    }

    /// Handles relaxed text from `from` on: every whitespace run the scan finds is settled
    /// here, and the text between runs goes out as one piece. Returns where the `Text` state
    /// ended: the chunk's end, with the state set for what the next chunk must settle.
    fn relaxed_text(
        &mut self,
        chunk: &[u8],
        from: usize,
        scan: &mut Scan<'_>,
        sink: &mut impl FnMut(&[u8]),
    ) -> usize {
        // `start`: the first octet not yet written; `at`: where the next search starts.
        let mut start = from;
        let mut at = from;
        loop {
            let run = scan.first_change(at);
            let Some(&first) = chunk.get(run) else {
                self.piece(chunk.get(start..).unwrap_or_default(), true, sink);
                return chunk.len();
            };
            let before = chunk.get(start..run).unwrap_or_default();
            let mut end = run + 1;
            while chunk.get(end).is_some_and(|&byte| is_wsp(byte)) {
                end += 1;
            }
            match chunk.get(end..).unwrap_or_default() {
                // The run may go on, or end its line, in the next chunk.
                [] => {
                    self.piece(before, false, sink);
                    self.state = State::Wsp;
                    return chunk.len();
                }
                [b'\r'] => {
                    self.piece(before, false, sink);
                    self.state = State::WspCr;
                    return chunk.len();
                }
                // Whitespace at a line's end is dropped; the CRLF starts the next piece.
                [b'\r', b'\n', ..] => {
                    self.piece(before, false, sink);
                    start = end;
                }
                // Inside a line the run becomes one space: the run's own first octet when it
                // is a space (a lone space before a bare CR changes nothing at all).
                _ if first == b' ' => {
                    if end > run + 1 {
                        self.piece(chunk.get(start..=run).unwrap_or_default(), false, sink);
                        start = end;
                    }
                }
                // Content follows the run, so line ends at the end of `before` are not
                // trailing: they go out with it, in one piece, not held back and then sent
                // on their own (a tab that starts a line is common).
                _ => {
                    if !before.is_empty() {
                        self.content(before, sink);
                    }
                    self.content(b" ", sink);
                    start = end;
                }
            }
            at = end;
        }
    }

    /// Writes a piece of text, holding back the CRLFs that end it (they may be trailing empty
    /// lines) and, at the end of a chunk, a last CR (an LF may follow in the next chunk).
    fn piece(&mut self, piece: &[u8], chunk_end: bool, sink: &mut impl FnMut(&[u8])) {
        let mut end = piece.len();
        if chunk_end && piece.last() == Some(&b'\r') {
            end -= 1;
            self.state = State::Cr;
        }
        let mut lines = 0;
        while end >= 2 && piece.get(end - 2..end) == Some(b"\r\n") {
            end -= 2;
            lines += 1;
        }
        if let Some(content) = piece.get(..end).filter(|content| !content.is_empty()) {
            self.content(content, sink);
        }
        self.pending_lines += lines;
    }

    /// Writes content, after the empty lines it shows were not trailing.
    fn content(&mut self, bytes: &[u8], sink: &mut impl FnMut(&[u8])) {
        while self.pending_lines > 0 {
            let lines = self.pending_lines.min(CRLFS.len() as u64 / 2);
            // `lines` is at most 32, so the conversion and the slice are in range.
            let count = usize::try_from(lines).unwrap_or(0) * 2;
            sink(CRLFS.get(..count).unwrap_or(CRLFS));
            self.pending_lines -= lines;
        }
        sink(bytes);
        self.wrote_content = true;
    }
}

/// Where relaxed canonicalization may change something in one chunk: a tab, a space followed
/// by a space or CR, or a space or tab as the chunk's last octet (its follower is unknown).
///
/// The text is tested 32 octet pairs at a time with no early exit inside a window, which the
/// compiler vectorises; only a window with a hit is searched octet by octet. Changes come every
/// hundred or so octets in real text, so one pass that stops cheaply beats restarting three
/// separate substring searches after each change.
struct Scan<'c> {
    chunk: &'c [u8],
}

/// The octet pairs [`Scan`] tests at a time.
const WINDOW: usize = 32;

/// Whether relaxed canonicalization changes the whitespace at `this`, followed by `next`: a tab
/// always becomes a space, a space before a space or CR shortens or ends a run.
fn changes(this: u8, next: u8) -> bool {
    (this == b'\t') | ((this == b' ') & ((next == b' ') | (next == b'\r')))
}

impl<'c> Scan<'c> {
    fn new(chunk: &'c [u8]) -> Scan<'c> {
        Scan { chunk }
    }

    /// The offset of the first change at or after `from`: the start of a whitespace run that
    /// relaxed canonicalization changes (or that ends the chunk), or the chunk's length.
    fn first_change(&mut self, from: usize) -> usize {
        let chunk = self.chunk;
        let at = |index: usize| chunk.get(index).copied().unwrap_or_default();
        let first_in = |start: usize, end: usize| {
            (start..end).find(|&index| changes(at(index), at(index + 1)))
        };
        let mut start = from;
        let mut found = None;
        // Whole windows, each with the octet after it.
        while start + WINDOW < chunk.len() {
            let this = chunk.get(start..start + WINDOW).unwrap_or_default();
            let next = chunk.get(start + 1..start + WINDOW + 1).unwrap_or_default();
            let hit = this
                .iter()
                .zip(next)
                .fold(false, |hit, (&this, &next)| hit | changes(this, next));
            if hit {
                found = first_in(start, start + WINDOW);
                break;
            }
            start += WINDOW;
        }
        if found.is_none() {
            // The last octets; the very last one has no follower here (`at` gives 0), so only
            // a tab counts there.
            found = first_in(start.min(chunk.len()), chunk.len());
        }
        match found {
            // A space right before a tab belongs to the same whitespace run.
            Some(tab) if at(tab) == b'\t' && tab > from && at(tab - 1) == b' ' => tab - 1,
            Some(found) => found,
            None => match chunk.last() {
                Some(b' ' | b'\t') if from < chunk.len() => chunk.len() - 1,
                _ => chunk.len(),
            },
        }
    }
}

/// Held-back empty lines are written from here, 32 at a time.
const CRLFS: &[u8] = b"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\
    \r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn canonical(algorithm: Canonicalization, chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut canon = BodyCanonicalizer::new(algorithm);
        for chunk in chunks {
            canon.feed(chunk, &mut |piece: &[u8]| out.extend_from_slice(piece));
        }
        canon.finish(&mut |piece: &[u8]| out.extend_from_slice(piece));
        out
    }

    /// The RFC's algorithms written the obvious way, over the whole body at once.
    fn reference(algorithm: Canonicalization, body: &[u8]) -> Vec<u8> {
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut rest = body;
        while let Some(end) = rest.windows(2).position(|pair| pair == b"\r\n") {
            lines.push(rest[..end].to_vec());
            rest = &rest[end + 2..];
        }
        let unfinished = (!rest.is_empty()).then(|| rest.to_vec());
        if algorithm == Canonicalization::Relaxed {
            let squeeze = |line: &[u8]| {
                let mut out = Vec::new();
                let mut in_wsp = false;
                for &byte in line {
                    if is_wsp(byte) {
                        in_wsp = true;
                    } else {
                        if in_wsp {
                            out.push(b' ');
                        }
                        in_wsp = false;
                        out.push(byte);
                    }
                }
                (out, in_wsp)
            };
            for line in &mut lines {
                *line = squeeze(line).0;
            }
            let mut last = unfinished
                .map(|line| squeeze(&line).0)
                .filter(|line| !line.is_empty());
            while last.is_none() && lines.last().is_some_and(Vec::is_empty) {
                lines.pop();
            }
            if let Some(line) = last.take() {
                lines.push(line);
            }
            let mut out = Vec::new();
            for line in lines {
                out.extend_from_slice(&line);
                out.extend_from_slice(b"\r\n");
            }
            out
        } else {
            if let Some(line) = unfinished {
                lines.push(line);
            }
            while lines.last().is_some_and(Vec::is_empty) {
                lines.pop();
            }
            let mut out = Vec::new();
            for line in lines {
                out.extend_from_slice(&line);
                out.extend_from_slice(b"\r\n");
            }
            if out.is_empty() {
                out.extend_from_slice(b"\r\n");
            }
            out
        }
    }

    #[test]
    fn rfc6376_section_3_4_5_example() {
        let body = b" C \r\nD \t E\r\n\r\n\r\n";
        assert_eq!(
            canonical(Canonicalization::Relaxed, &[body]),
            b" C\r\nD E\r\n"
        );
        assert_eq!(
            canonical(Canonicalization::Simple, &[body]),
            b" C \r\nD \t E\r\n"
        );
    }

    #[test]
    fn empty_bodies() {
        assert_eq!(canonical(Canonicalization::Simple, &[]), b"\r\n");
        assert_eq!(canonical(Canonicalization::Relaxed, &[]), b"");
        assert_eq!(canonical(Canonicalization::Simple, &[b"\r\n\r\n"]), b"\r\n");
        assert_eq!(canonical(Canonicalization::Relaxed, &[b" \r\n\t\r\n"]), b"");
    }

    #[test]
    fn unfinished_last_line_gets_crlf() {
        assert_eq!(canonical(Canonicalization::Simple, &[b"abc"]), b"abc\r\n");
        assert_eq!(canonical(Canonicalization::Relaxed, &[b"abc"]), b"abc\r\n");
        assert_eq!(
            canonical(Canonicalization::Relaxed, &[b"abc  "]),
            b"abc\r\n"
        );
        assert_eq!(
            canonical(Canonicalization::Relaxed, &[b"abc\r\n\t "]),
            b"abc\r\n"
        );
    }

    #[test]
    fn bare_cr_and_lf_are_content() {
        assert_eq!(
            canonical(Canonicalization::Relaxed, &[b"a \r b\n\r\n"]),
            b"a \r b\n\r\n"
        );
        assert_eq!(
            canonical(Canonicalization::Simple, &[b"a\r", b"\r\n"]),
            b"a\r\r\n"
        );
    }

    #[test]
    fn a_million_empty_lines_then_content() {
        let mut body = vec![b'x'];
        body.extend(b"\r\n".repeat(1_000_000));
        body.push(b'y');
        let out = canonical(Canonicalization::Relaxed, &[&body]);
        let mut expected = body.clone();
        expected.extend_from_slice(b"\r\n");
        assert_eq!(out, expected);
    }

    fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                Just(b' '),
                Just(b'\t'),
                Just(b'\r'),
                Just(b'\n'),
                Just(b'a'),
                Just(b'z')
            ],
            0..200,
        )
    }

    proptest! {
        #[test]
        fn matches_reference_for_any_chunking(
            body in body_bytes(),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
            relaxed in any::<bool>(),
        ) {
            let algorithm = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
            let mut offsets: Vec<usize> = cuts.iter().map(|cut| cut.index(body.len() + 1)).collect();
            offsets.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for offset in offsets {
                chunks.push(&body[start..offset]);
                start = offset;
            }
            chunks.push(&body[start..]);
            prop_assert_eq!(canonical(algorithm, &chunks), reference(algorithm, &body));
        }

        #[test]
        fn long_text_blocks_match_reference(
            words in proptest::collection::vec("[a-z.,]{1,70}( |  |\t| \r\n|\r\n|\r\n\r\n)", 0..80),
        ) {
            let body: Vec<u8> = words.concat().into_bytes();
            prop_assert_eq!(
                canonical(Canonicalization::Relaxed, &[&body]),
                reference(Canonicalization::Relaxed, &body)
            );
        }
    }
}
