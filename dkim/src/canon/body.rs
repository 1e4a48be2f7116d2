//! Body canonicalization as a streaming transform, RFC 6376 §3.4.3 and §3.4.4.
//!
//! `simple` never copies the body: it hands the caller's own bytes to the sink, holding back
//! only the CRLFs that may turn out to be trailing empty lines. `relaxed` changes text wherever
//! whitespace is squeezed or dropped (every hundred octets or so in real text), so it writes the
//! canonical text into a buffer of a few KiB, copying the text a window at a time in the same
//! pass that tests it (a lone tab becomes a space in the copy; only runs that shorten or go stop
//! the window loop), and hands the buffer to the sink when it fills. Either way empty lines
//! are held back as a count until content follows them, so a body of a million CRLFs costs no
//! memory.

use alloc::vec::Vec;

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
    /// Under `relaxed` they come before everything in `stage`.
    pending_lines: u64,
    /// Whether any content (not an empty line) has been written.
    wrote_content: bool,
    /// `relaxed` only: canonical text not yet handed to the sink, in `stage[..filled]`. The
    /// buffer is made at the first text, at most `mark` plus two windows long.
    stage: Vec<u8>,
    filled: usize,
    /// How much text is gathered before it goes to the sink: [`STAGE`], or less in tests.
    mark: usize,
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
    /// A CR (simple only): an LF makes it a line end.
    Cr,
}

/// How much canonical text `relaxed` gathers before handing it to the sink.
const STAGE: usize = 8192;

/// The octet pairs tested, and copied, at a time.
const WINDOW: usize = 32;

impl BodyCanonicalizer {
    /// A canonicalizer for `algorithm`.
    pub fn new(algorithm: Canonicalization) -> BodyCanonicalizer {
        BodyCanonicalizer {
            relaxed: algorithm == Canonicalization::Relaxed,
            state: State::Text,
            pending_lines: 0,
            wrote_content: false,
            stage: Vec::new(),
            filled: 0,
            mark: STAGE,
        }
    }

    /// A canonicalizer that hands text over every `mark` octets, so that short test bodies
    /// cross many hand-overs.
    #[cfg(test)]
    fn with_mark(algorithm: Canonicalization, mark: usize) -> BodyCanonicalizer {
        BodyCanonicalizer {
            mark,
            ..BodyCanonicalizer::new(algorithm)
        }
    }

    /// Canonicalizes the next chunk of the body, handing the result to `sink` in pieces.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl FnMut(&[u8])) {
        if self.relaxed && self.stage.is_empty() && !chunk.is_empty() {
            // Room for the text of a small body, or a full stage and the window that passes it.
            self.stage = alloc::vec![0; chunk.len().min(self.mark) + 2 * WINDOW];
        }
        let mut at = 0;
        while let Some(rest) = chunk.get(at..).filter(|rest| !rest.is_empty()) {
            at = match self.state {
                State::Text if self.relaxed => self.relaxed_text(chunk, at, sink),
                State::Text => {
                    self.piece(rest, sink);
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
                            self.write(b" ", sink);
                            self.state = State::Text;
                            at + run
                        }
                    }
                }
                State::WspCr => {
                    // The run ends its line and goes, or stands before a bare CR as one SP.
                    let text: &[u8] = if rest.first() == Some(&b'\n') {
                        b"\r\n"
                    } else {
                        b" \r"
                    };
                    self.write(text, sink);
                    self.state = State::Text;
                    at + usize::from(text == b"\r\n")
                }
                State::Cr => {
                    if rest.first() == Some(&b'\n') {
                        self.pending_lines += 1;
                        self.state = State::Text;
                        at + 1
                    } else {
                        self.content(b"\r", sink);
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
            State::WspCr => self.write(b" \r", sink),
            State::Cr => self.content(b"\r", sink),
        }
        if self.relaxed {
            self.hand_over(false, sink);
        }
        if self.wrote_content || !self.relaxed {
            sink(b"\r\n");
        }
    }

    /// Handles relaxed text from `from` on: windows are copied to the stage whole (a lone tab
    /// as a space), and every whitespace run that shortens or goes is settled where the window
    /// test finds it; the last octets, less than a window, go one at a time. Returns
    /// where the `Text` state ended: the chunk's end, with the state set for what the next
    /// chunk must settle.
    fn relaxed_text(&mut self, chunk: &[u8], from: usize, sink: &mut impl FnMut(&[u8])) -> usize {
        let at = |index: usize| chunk.get(index).copied().unwrap_or_default();
        let mut start = from;
        loop {
            let run = if start + WINDOW < chunk.len() {
                if self.filled >= self.mark {
                    self.hand_over(true, sink);
                }
                if self.filled + WINDOW > self.stage.len() {
                    self.grow(WINDOW);
                }
                let (stop, filled) =
                    squeeze(chunk, from, start, &mut self.stage, self.filled, self.mark);
                self.filled = filled;
                match stop {
                    Stop::Full(next) => {
                        start = next;
                        continue;
                    }
                    Stop::Space(next) => {
                        self.write(b" ", sink);
                        start = next;
                        continue;
                    }
                    Stop::Change(run) => run,
                }
            } else {
                // Fewer octets left than a window and its follower: one at a time. The very
                // last octet has no follower here (`at` gives 0), so only a tab counts there,
                // or a space that the next chunk may extend.
                let change = (start..chunk.len())
                    .find(|&index| changes(at(index), at(index + 1)))
                    .or_else(|| {
                        let last = chunk.len().checked_sub(1)?;
                        (last >= start && is_wsp(at(last))).then_some(last)
                    });
                let end = change.unwrap_or(chunk.len());
                self.write(chunk.get(start..end).unwrap_or_default(), sink);
                match change {
                    Some(run) => run,
                    None => return chunk.len(),
                }
            };
            let (first, end) = settle(chunk, from, run);
            // A space taken into the run is the last octet staged (a hand-over keeps a final
            // space for this).
            self.filled = self.filled.saturating_sub(run - first);
            match end {
                RunEnd::Chunk => {
                    self.state = State::Wsp;
                    return chunk.len();
                }
                RunEnd::ChunkCr => {
                    self.state = State::WspCr;
                    return chunk.len();
                }
                RunEnd::Line(end) => start = end,
                RunEnd::Inside(end) => {
                    self.write(b" ", sink);
                    start = end;
                }
            }
        }
    }

    /// Stages relaxed text (never more than a window at a time).
    fn write(&mut self, text: &[u8], sink: &mut impl FnMut(&[u8])) {
        if self.filled + text.len() > self.mark + WINDOW {
            self.hand_over(true, sink);
        }
        if self.filled + text.len() > self.stage.len() {
            self.grow(text.len());
        }
        if let Some(slot) = self.stage.get_mut(self.filled..self.filled + text.len()) {
            slot.copy_from_slice(text);
            self.filled += text.len();
        }
    }

    /// Makes room for `extra` more octets: a buffer sized for a small first chunk grows to the
    /// full stage when more text comes.
    fn grow(&mut self, extra: usize) {
        let size = (self.filled + extra).max(self.mark + 2 * WINDOW);
        self.stage.resize(size, 0);
    }

    /// Hands the staged text to `sink`, except the CRLFs at its end, which may be trailing empty
    /// lines and become a count. With `more` to come, a final CR (its LF may follow) and a final
    /// space (a tab may follow and join its run) stay staged.
    fn hand_over(&mut self, more: bool, sink: &mut impl FnMut(&[u8])) {
        let staged = self.stage.get(..self.filled).unwrap_or_default();
        let last = staged.last().copied();
        let keep = more && matches!(last, Some(b'\r' | b' '));
        let mut end = staged.len() - usize::from(keep);
        let mut lines = 0;
        while end >= 2 && staged.get(end - 2..end) == Some(b"\r\n") {
            end -= 2;
            lines += 1;
        }
        if let Some(content) = staged.get(..end).filter(|content| !content.is_empty()) {
            write_pending(&mut self.pending_lines, sink);
            sink(content);
            self.wrote_content = true;
        }
        self.pending_lines += lines;
        self.filled = 0;
        if let (true, Some(last), Some(first)) = (keep, last, self.stage.first_mut()) {
            *first = last;
            self.filled = 1;
        }
    }

    /// Writes a piece of `simple` text, holding back the CRLFs that end it (they may be trailing
    /// empty lines) and a last CR (an LF may follow in the next chunk).
    fn piece(&mut self, piece: &[u8], sink: &mut impl FnMut(&[u8])) {
        let mut end = piece.len();
        if piece.last() == Some(&b'\r') {
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

    /// Writes `simple` content, after the empty lines it shows were not trailing.
    fn content(&mut self, bytes: &[u8], sink: &mut impl FnMut(&[u8])) {
        write_pending(&mut self.pending_lines, sink);
        sink(bytes);
        self.wrote_content = true;
    }
}

/// Writes the held-back empty lines, now that content follows them.
fn write_pending(pending_lines: &mut u64, sink: &mut impl FnMut(&[u8])) {
    while *pending_lines > 0 {
        let lines = (*pending_lines).min(CRLFS.len() as u64 / 2);
        // `lines` is at most 32, so the conversion and the slice are in range.
        let count = usize::try_from(lines).unwrap_or(0) * 2;
        sink(CRLFS.get(..count).unwrap_or(CRLFS));
        *pending_lines -= lines;
    }
}

/// Where [`squeeze`] stopped.
enum Stop {
    /// At the offset to go on from: the stage reached its hand-over mark or the end of its
    /// room, or less than a window and its follower is left.
    Full(usize),
    /// A run became one space that found no room: stage it, then go on from the offset.
    Space(usize),
    /// At a run that touches the chunk's end (or whose end the caller settles), at this offset.
    Change(usize),
}

/// The loop of [`BodyCanonicalizer::relaxed_text`] for text with more than a window left, apart
/// from the canonicalizer so that its state stays in registers. From `start`, each window of
/// `chunk` is tested and copied to `stage` from `filled`; a run in the middle of the chunk is
/// settled here (dropped before a CRLF, one space otherwise). Returns why it stopped and the
/// new fill. `from` is where the caller's text began: a space before it is not staged. `mark`
/// is the hand-over mark.
fn squeeze(
    chunk: &[u8],
    from: usize,
    mut start: usize,
    stage: &mut [u8],
    mut filled: usize,
    mark: usize,
) -> (Stop, usize) {
    loop {
        if filled >= mark {
            return (Stop::Full(start), filled);
        }
        let text = chunk.get(start..).unwrap_or_default();
        // Each window with the octet after it: the followers are the text one octet on.
        let followers = text.get(1..).unwrap_or_default();
        let room = stage.get_mut(filled..).unwrap_or_default();
        // Up to the hand-over mark, passing it by less than a window.
        let limit = (mark - filled).div_ceil(WINDOW);
        let windows = text
            .chunks_exact(WINDOW)
            .zip(followers.chunks_exact(WINDOW))
            .zip(room.chunks_exact_mut(WINDOW))
            .take(limit);
        let mut found = None;
        let mut done = 0;
        for ((this, next), slot) in windows {
            // No early exit inside the window, so the compiler vectorises the test.
            let hit = this
                .iter()
                .zip(next)
                .fold(false, |hit, (&this, &next)| hit | joins(this, next));
            // The window goes to the stage whole, a lone tab as the space it becomes; a run
            // takes back what follows it.
            let mut window = [0; WINDOW];
            for (out, &byte) in window.iter_mut().zip(this) {
                *out = byte.wrapping_add(u8::from(byte == b'\t') * (b' ' - b'\t'));
            }
            slot.copy_from_slice(&window);
            if hit {
                found = first_join(this, next);
                if found.is_some() {
                    break;
                }
            }
            done += WINDOW;
        }
        let Some(offset) = found else {
            return (Stop::Full(start + done), filled + done);
        };
        let run = start + done + offset;
        filled += done + offset;
        let (first, end) = settle(chunk, from, run);
        match end {
            // The caller sets the state for the next chunk.
            RunEnd::Chunk | RunEnd::ChunkCr => return (Stop::Change(run), filled),
            RunEnd::Line(end) => {
                filled -= run - first;
                start = end;
            }
            RunEnd::Inside(end) => {
                filled -= run - first;
                let Some(space) = stage.get_mut(filled) else {
                    return (Stop::Space(end), filled);
                };
                *space = b' ';
                filled += 1;
                start = end;
            }
        }
    }
}

/// How a whitespace run that relaxed canonicalization changes ends.
enum RunEnd {
    /// At the chunk's end: the next chunk may extend it.
    Chunk,
    /// Before a CR that ends the chunk: an LF in the next chunk would end the line.
    ChunkCr,
    /// Before a CRLF, at this offset: whitespace at a line's end is dropped.
    Line(usize),
    /// Inside a line (or before a bare CR), up to this offset: it becomes one SP.
    Inside(usize),
}

/// Settles the run at `run`, an octet [`joins`] or [`changes`] flags: returns where the run starts
/// (one octet earlier when a space before a tab belongs to it, if that space is at or after
/// `from`, where the caller's text began) and how it ends.
fn settle(chunk: &[u8], from: usize, run: usize) -> (usize, RunEnd) {
    let at = |index: usize| chunk.get(index).copied().unwrap_or_default();
    let first = if at(run) == b'\t' && run > from && at(run - 1) == b' ' {
        run - 1
    } else {
        run
    };
    let rest = chunk.get(first..).unwrap_or_default();
    let end = first
        + rest
            .iter()
            .position(|&byte| !is_wsp(byte))
            .unwrap_or(rest.len());
    let end = match chunk.get(end..).unwrap_or_default() {
        [] => RunEnd::Chunk,
        [b'\r'] => RunEnd::ChunkCr,
        [b'\r', b'\n', ..] => RunEnd::Line(end),
        _ => RunEnd::Inside(end),
    };
    (first, end)
}

/// Whether the whitespace at `this`, followed by `next`, starts a run that relaxed
/// canonicalization shortens or drops: one before more whitespace or a CR. A lone tab is not
/// one: it becomes a space where it stands.
fn joins(this: u8, next: u8) -> bool {
    ((this == b' ') | (this == b'\t')) & ((next == b' ') | (next == b'\t') | (next == b'\r'))
}

/// Where in a window [`joins`] first holds, found without a loop whose exit depends on the
/// text (its branch would be mispredicted at nearly every run): the pairs' flags are made side
/// by side and read as two 128-bit numbers, whose trailing zeros count eight per octet.
fn first_join(this: &[u8], next: &[u8]) -> Option<usize> {
    let mut flags = [0u8; WINDOW];
    for ((flag, &this), &next) in flags.iter_mut().zip(this).zip(next) {
        *flag = u8::from(joins(this, next));
    }
    let (low, high) = flags.split_at(WINDOW / 2);
    let low = u128::from_le_bytes(low.try_into().unwrap_or_default());
    let high = u128::from_le_bytes(high.try_into().unwrap_or_default());
    let bits = if low != 0 {
        low.trailing_zeros()
    } else {
        128 + high.trailing_zeros()
    };
    let offset = usize::try_from(bits / 8).unwrap_or(WINDOW);
    (offset < WINDOW).then_some(offset)
}

/// Whether relaxed canonicalization changes the whitespace at `this`, followed by `next`: a tab
/// always becomes a space, a space before a space or CR shortens or ends a run.
fn changes(this: u8, next: u8) -> bool {
    (this == b'\t') | ((this == b' ') & ((next == b' ') | (next == b'\r')))
}

/// Held-back empty lines are written from here, 32 at a time.
const CRLFS: &[u8] = b"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\
    \r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The canonical body of `chunks`, the same with the shipped hand-over mark and with a
    /// small one that short bodies cross many times.
    fn canonical(algorithm: Canonicalization, chunks: &[&[u8]]) -> Vec<u8> {
        let run = |mut canon: BodyCanonicalizer| {
            let mut out = Vec::new();
            for chunk in chunks {
                canon.feed(chunk, &mut |piece: &[u8]| out.extend_from_slice(piece));
            }
            canon.finish(&mut |piece: &[u8]| out.extend_from_slice(piece));
            out
        };
        let shipped = run(BodyCanonicalizer::new(algorithm));
        assert_eq!(
            run(BodyCanonicalizer::with_mark(algorithm, 48)),
            shipped,
            "small hand-over mark"
        );
        shipped
    }

    /// `body` cut at the offsets `cuts` picks.
    fn chunked<'b>(body: &'b [u8], cuts: &[prop::sample::Index]) -> Vec<&'b [u8]> {
        let mut offsets: Vec<usize> = cuts.iter().map(|cut| cut.index(body.len() + 1)).collect();
        offsets.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for offset in offsets {
            chunks.push(&body[start..offset]);
            start = offset;
        }
        chunks.push(&body[start..]);
        chunks
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
            prop_assert_eq!(canonical(algorithm, &chunked(&body, &cuts)), reference(algorithm, &body));
        }

        /// Bodies long enough to cross the shipped hand-over mark many times, with runs of
        /// empty lines (some long, so that a hand-over falls inside one) and bare CRs and LFs.
        #[test]
        fn long_bodies_in_any_chunking_match_reference(
            pieces in proptest::collection::vec(
                prop_oneof![
                    8 => "[a-z.,]{1,120}",
                    3 => Just(String::from(" ")),
                    1 => Just(String::from("  ")),
                    1 => Just(String::from("\t")),
                    1 => Just(String::from(" \t ")),
                    3 => Just(String::from("\r\n")),
                    1 => Just(String::from(" \r\n")),
                    1 => (1..6000usize).prop_map(|lines| "\r\n".repeat(lines)),
                    1 => Just(String::from("\r")),
                    1 => Just(String::from("\n")),
                ],
                0..700,
            ),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
            relaxed in any::<bool>(),
        ) {
            let body = pieces.concat().into_bytes();
            let algorithm = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
            prop_assert_eq!(canonical(algorithm, &chunked(&body, &cuts)), reference(algorithm, &body));
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
