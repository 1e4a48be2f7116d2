//! Header field canonicalization, RFC 6376 §3.4.1 and §3.4.2.

use alloc::vec::Vec;
use core::ops::Range;

use super::{Canonicalization, is_wsp};

/// Appends the canonical form of one header field to `out`.
///
/// `field` is the whole field as it appears in the message (name, colon, value and any folding)
/// without its final CRLF; nothing is appended after it, so the caller adds the CRLF where the
/// RFC wants one (every signed field but the signature's own, RFC 6376 §3.7).
///
/// ```
/// use tegami_dkim::canon::{Canonicalization, canonicalize_header};
///
/// let mut out = Vec::new();
/// canonicalize_header(Canonicalization::Relaxed, b"SubJect :  Hello,\r\n\t world  ", &mut out);
/// assert_eq!(out, b"subject:Hello, world");
/// ```
pub fn canonicalize_header(algorithm: Canonicalization, field: &[u8], out: &mut Vec<u8>) {
    if algorithm == Canonicalization::Simple {
        out.extend_from_slice(field);
        return;
    }
    let (name, value) = match memchr::memchr(b':', field) {
        Some(colon) => field.split_at(colon),
        None => (field, &[][..]),
    };
    let name = name.trim_ascii_end();
    let name_start = out.len();
    out.extend_from_slice(name);
    if let Some(written) = out.get_mut(name_start..) {
        written.make_ascii_lowercase();
    }
    let Some((b':', value)) = value.split_first() else {
        return;
    };
    out.push(b':');
    squeeze_value(value, out);
}

/// Appends a relaxed header value (RFC 6376 §3.4.2): unfolded (CR and LF go), each run of
/// whitespace squeezed to one SP, none at either end.
///
/// Text up to the next octet that changes is found sixteen octets at a time and copied whole;
/// most values are one line with single spaces between words and are copied in one piece.
fn squeeze_value(value: &[u8], out: &mut Vec<u8>) {
    let blank = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
    let start = value
        .iter()
        .position(|byte| !blank(byte))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|byte| !blank(byte))
        .map_or(start, |last| last + 1);
    // From here on the text starts and ends with an octet that is not whitespace.
    let mut rest = value.get(start..end).unwrap_or_default();
    // Most short values are one line with single spaces between words: already canonical.
    // Tested in one pass without an early exit, so that it vectorises; a control octet other
    // than tab, CR and LF sends a value the long way too, where it is kept. Long values are
    // mostly folded and go the long way at once.
    if rest.len() <= SHORT_VALUE && !changes_any(rest) {
        out.extend_from_slice(rest);
        return;
    }
    loop {
        let plain = plain_len(rest);
        out.extend_from_slice(rest.get(..plain).unwrap_or_default());
        let gap = rest.get(plain..).unwrap_or_default();
        if gap.is_empty() {
            return;
        }
        let skip = gap
            .iter()
            .position(|byte| !blank(byte))
            .unwrap_or(gap.len());
        let run = gap.get(..skip).unwrap_or_default();
        // A line break alone (no space or tab around it) unfolds to nothing.
        if run.iter().any(|&byte| is_wsp(byte)) {
            out.push(b' ');
        }
        rest = gap.get(skip..).unwrap_or_default();
    }
}

/// Whether relaxed canonicalization may change `text` (trimmed already): it holds a control
/// octet or two spaces in a row.
fn changes_any(text: &[u8]) -> bool {
    let followers = text.get(1..).unwrap_or_default();
    let odd = text.iter().zip(followers).fold(0u8, |odd, (&this, &next)| {
        odd | u8::from((this < b' ') | ((this == b' ') & (next == b' ')))
    });
    odd != 0
}

/// The longest value [`squeeze_value`] first tests for being canonical already.
const SHORT_VALUE: usize = 128;

/// How many octets of `text` relaxed canonicalization keeps as they are: up to the first tab,
/// CR or LF, or space followed by whitespace.
fn plain_len(text: &[u8]) -> usize {
    const BLOCK: usize = 16;
    let changes = |this: u8, next: u8| {
        (this == b'\t')
            | (this == b'\r')
            | (this == b'\n')
            | ((this == b' ')
                & ((next == b' ') | (next == b'\t') | (next == b'\r') | (next == b'\n')))
    };
    let followers = text.get(1..).unwrap_or_default();
    let mut offset = 0;
    // Each block's flags side by side, read as one 128-bit number: no early exit inside a
    // block, so the test vectorises, and the first flag's place is its trailing zeros.
    for (this, next) in text.chunks_exact(BLOCK).zip(followers.chunks_exact(BLOCK)) {
        let mut flags = [0u8; BLOCK];
        for ((flag, &this), &next) in flags.iter_mut().zip(this).zip(next) {
            *flag = u8::from(changes(this, next));
        }
        let bits = u128::from_le_bytes(flags);
        if bits != 0 {
            return offset + usize::try_from(bits.trailing_zeros() / 8).unwrap_or(0);
        }
        offset += BLOCK;
    }
    // The last octets, padded with an octet that never changes (and never makes the one
    // before it change), through the same test.
    let tail = text.get(offset..).unwrap_or_default();
    let mut padded = [b'x'; BLOCK + 1];
    if let Some(slot) = padded.get_mut(..tail.len()) {
        slot.copy_from_slice(tail);
    }
    let mut flags = [0u8; BLOCK];
    for ((flag, &this), &next) in flags
        .iter_mut()
        .zip(&padded)
        .zip(padded.get(1..).unwrap_or_default())
    {
        *flag = u8::from(changes(this, next));
    }
    let bits = u128::from_le_bytes(flags);
    offset + usize::try_from(bits.trailing_zeros() / 8).map_or(tail.len(), |at| at.min(tail.len()))
}

/// The field with the value of its `b=` tag deleted, surrounding whitespace included, as a
/// verifier and a signer hash it (RFC 6376 §3.5 `b=`, §3.7).
///
/// `field` is the whole DKIM-Signature (or ARC) field without its final CRLF.
///
/// ```
/// use tegami_dkim::canon::without_signature_value;
///
/// let field = b"DKIM-Signature: v=1; bh=AAAA; b=dGhl\r\n  IGJ5 ; d=example.com";
/// assert_eq!(
///     without_signature_value(field),
///     b"DKIM-Signature: v=1; bh=AAAA; b=; d=example.com".to_vec()
/// );
/// ```
pub fn without_signature_value(field: &[u8]) -> Vec<u8> {
    match signature_value_span(field) {
        Some(span) => {
            let mut out = Vec::with_capacity(field.len() - span.len());
            out.extend_from_slice(field.get(..span.start).unwrap_or_default());
            out.extend_from_slice(field.get(span.end..).unwrap_or_default());
            out
        }
        None => field.to_vec(),
    }
}

/// Appends the canonical form of `field` with the value of its `b=` tag deleted: what
/// [`canonicalize_header`] makes of [`without_signature_value`], without the copy between. A
/// DKIM-Signature, ARC-Message-Signature or ARC-Seal field enters its own signed data so.
///
/// The text before the cut ends with the `=` of `b=` and the text after it starts with `;` (or
/// is empty), so no whitespace run crosses the cut and the two sides canonicalize apart.
///
/// ```
/// use tegami_dkim::canon::{Canonicalization, canonicalize_without_signature_value};
///
/// let mut out = Vec::new();
/// let field = b"ARC-Seal: i=1; b=dGhl\r\n  IGJ5 ;  cv=none";
/// canonicalize_without_signature_value(Canonicalization::Relaxed, field, &mut out);
/// assert_eq!(out, b"arc-seal:i=1; b=; cv=none");
/// ```
pub fn canonicalize_without_signature_value(
    algorithm: Canonicalization,
    field: &[u8],
    out: &mut Vec<u8>,
) {
    let Some(span) = signature_value_span(field) else {
        canonicalize_header(algorithm, field, out);
        return;
    };
    canonicalize_header(algorithm, field.get(..span.start).unwrap_or_default(), out);
    let after = field.get(span.end..).unwrap_or_default();
    match algorithm {
        Canonicalization::Simple => out.extend_from_slice(after),
        Canonicalization::Relaxed => squeeze_value(after, out),
    }
}

/// Where the value of the first `b=` tag of `field` lies, the whitespace around it included:
/// from just after its `=` to its `;` or the end of the field.
fn signature_value_span(field: &[u8]) -> Option<Range<usize>> {
    let value_start = memchr::memchr(b':', field).map_or(field.len(), |colon| colon + 1);
    let mut start = value_start;
    while start <= field.len() {
        let rest = field.get(start..).unwrap_or_default();
        let end = memchr::memchr(b';', rest).map_or(field.len(), |semi| start + semi);
        let tag = field.get(start..end).unwrap_or_default();
        if let Some(equals) = memchr::memchr(b'=', tag) {
            let name = tag.get(..equals).unwrap_or_default();
            if name.trim_ascii() == b"b" {
                return Some(start + equals + 1..end);
            }
        }
        start = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relaxed(field: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        canonicalize_header(Canonicalization::Relaxed, field, &mut out);
        out
    }

    #[test]
    fn rfc6376_section_3_4_5_example() {
        assert_eq!(relaxed(b"A: X"), b"a:X");
        assert_eq!(relaxed(b"B : Y\t\r\n\tZ  "), b"b:Y Z");
    }

    #[test]
    fn empty_and_colonless_fields() {
        assert_eq!(relaxed(b"Subject:"), b"subject:");
        assert_eq!(relaxed(b"Subject:   \r\n "), b"subject:");
        assert_eq!(relaxed(b"Broken"), b"broken");
    }

    /// RFC 6376 §3.4.2 written the obvious way, byte by byte.
    fn reference(field: &[u8]) -> Vec<u8> {
        let colon = field.iter().position(|&b| b == b':');
        let (name, value) = match colon {
            Some(colon) => (&field[..colon], Some(&field[colon + 1..])),
            None => (field, None),
        };
        let mut out: Vec<u8> = name.trim_ascii_end().to_ascii_lowercase();
        let Some(value) = value else { return out };
        out.push(b':');
        let unfolded: Vec<u8> = value
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        let mut words = Vec::new();
        let mut word = Vec::new();
        for &b in &unfolded {
            if b == b' ' || b == b'\t' {
                if !word.is_empty() {
                    words.push(core::mem::take(&mut word));
                }
            } else {
                word.push(b);
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
        out.extend(words.join(&b' '));
        out
    }

    proptest::proptest! {
        #[test]
        fn relaxed_matches_reference(field in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b' '), proptest::strategy::Just(b'\t'),
                proptest::strategy::Just(b'\r'), proptest::strategy::Just(b'\n'),
                proptest::strategy::Just(b':'), proptest::strategy::Just(0x0c_u8),
                proptest::strategy::Just(b'A'), proptest::strategy::Just(b'z'),
                proptest::strategy::Just(0xe9_u8),
            ],
            0..80,
        )) {
            proptest::prop_assert_eq!(relaxed(&field), reference(&field));
        }

        /// Canonicalizing around the `b=` value is canonicalizing the field without it.
        #[test]
        fn cut_signature_value_canonicalizes_apart(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(&b" "[..]), proptest::strategy::Just(&b"\t"[..]),
                    proptest::strategy::Just(&b"\r\n "[..]), proptest::strategy::Just(&b";"[..]),
                    proptest::strategy::Just(&b"b="[..]), proptest::strategy::Just(&b" b ="[..]),
                    proptest::strategy::Just(&b"bh="[..]), proptest::strategy::Just(&b"x"[..]),
                    proptest::strategy::Just(&b"AB/+"[..]), proptest::strategy::Just(&b":"[..]),
                ],
                0..24,
            ),
            relaxed in proptest::bool::ANY,
        ) {
            let field = [&b"DKIM-Signature:"[..], &parts.concat()].concat();
            let algorithm = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
            let mut cut = Vec::new();
            canonicalize_without_signature_value(algorithm, &field, &mut cut);
            let mut copied = Vec::new();
            canonicalize_header(algorithm, &without_signature_value(&field), &mut copied);
            proptest::prop_assert_eq!(cut, copied);
        }

        /// One-line values (no tab, CR or LF), where the plain-value shortcut decides.
        #[test]
        fn relaxed_matches_reference_on_one_line(field in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b' '), proptest::strategy::Just(b':'),
                proptest::strategy::Just(0x0c_u8), proptest::strategy::Just(b'A'),
                proptest::strategy::Just(b'z'), proptest::strategy::Just(0xe9_u8),
            ],
            0..80,
        )) {
            proptest::prop_assert_eq!(relaxed(&field), reference(&field));
        }
    }

    #[test]
    fn simple_is_verbatim() {
        let mut out = Vec::new();
        canonicalize_header(Canonicalization::Simple, b"A :  x\r\n y", &mut out);
        assert_eq!(out, b"A :  x\r\n y");
    }

    #[test]
    fn signature_value_removal_spares_bh_and_other_tags() {
        assert_eq!(
            without_signature_value(b"X: b=abc; bh=def"),
            b"X: b=; bh=def".to_vec()
        );
        assert_eq!(
            without_signature_value(b"X: bh=def;\r\n b = abc "),
            b"X: bh=def;\r\n b =".to_vec()
        );
        assert_eq!(without_signature_value(b"X: a=1"), b"X: a=1".to_vec());
    }
}
