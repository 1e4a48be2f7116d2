//! Content-Transfer-Encoding, [RFC 2045 §6](https://www.rfc-editor.org/rfc/rfc2045#section-6):
//! base64 and quoted-printable decoded leniently (real mail is damaged: missing padding, stray
//! characters, bad `=` escapes), each deviation reported; 7bit, 8bit and binary pass through.
//!
//! ```
//! use tegami_mime::transfer::{TransferEncoding, decode};
//!
//! let (body, damaged) = decode(TransferEncoding::QuotedPrintable, b"caf=C3=A9 =\r\nau lait=");
//! assert_eq!(&body[..], "café au lait".as_bytes());
//! assert!(!damaged);
//! let (body, damaged) = decode(TransferEncoding::Base64, b"aGVsbG8g*\r\nd29ybGQ=");
//! assert_eq!(&body[..], b"hello world");
//! assert!(damaged);
//! ```

use std::borrow::Cow;

/// A Content-Transfer-Encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TransferEncoding {
    /// `7bit` (the default, RFC 2045 §6.1).
    #[default]
    SevenBit,
    /// `8bit`.
    EightBit,
    /// `binary`.
    Binary,
    /// `quoted-printable` (§6.7).
    QuotedPrintable,
    /// `base64` (§6.8).
    Base64,
    /// A token this parser does not know; the body is kept as it is.
    Unknown,
}

impl TransferEncoding {
    /// Reads a `Content-Transfer-Encoding` value (case-insensitive, comments and spaces
    /// ignored).
    pub fn parse(value: &[u8]) -> TransferEncoding {
        let text = String::from_utf8_lossy(value);
        let token = text
            .split('(')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match token.as_str() {
            "7bit" | "" => TransferEncoding::SevenBit,
            "8bit" => TransferEncoding::EightBit,
            "binary" => TransferEncoding::Binary,
            "quoted-printable" => TransferEncoding::QuotedPrintable,
            "base64" => TransferEncoding::Base64,
            _ => TransferEncoding::Unknown,
        }
    }

    /// The token as RFC 2045 writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferEncoding::SevenBit => "7bit",
            TransferEncoding::EightBit => "8bit",
            TransferEncoding::Binary => "binary",
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Base64 => "base64",
            TransferEncoding::Unknown => "unknown",
        }
    }
}

/// Decodes a body; the flag says whether damage was found (and worked around).
pub fn decode(encoding: TransferEncoding, body: &[u8]) -> (Cow<'_, [u8]>, bool) {
    match encoding {
        TransferEncoding::Base64 => {
            let (bytes, damaged) = decode_base64(body);
            (Cow::Owned(bytes), damaged)
        }
        TransferEncoding::QuotedPrintable => {
            let (bytes, damaged) = decode_quoted_printable(body);
            (Cow::Owned(bytes), damaged)
        }
        _ => (Cow::Borrowed(body), false),
    }
}

/// Base64 (RFC 2045 §6.8): white space skipped; other stray octets skipped and reported;
/// missing padding accepted; data after padding ignored and reported.
///
/// Bodies as encoders write them are decoded by encodify's SIMD decoder in one call; a body
/// with octets outside the alphabet and white space, or with data after the padding, goes
/// through the byte-at-a-time tolerant reading, which records the damage. (One damage the fast
/// path does not see: a single symbol left over at the end, which both readings drop.)
pub fn decode_base64(body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    if encodify::base64::MIME.decode_append(body, &mut out).is_ok() && !data_after_padding(body) {
        return (out, false);
    }
    decode_base64_tolerant(body)
}

/// Whether a symbol follows the first `=` (a second base64 run glued on, or garbage): the
/// SIMD decoder goes on after `=`, the tolerant reading reports it.
fn data_after_padding(body: &[u8]) -> bool {
    memchr::memchr(b'=', body).is_some_and(|first| {
        body.get(first..)
            .unwrap_or_default()
            .iter()
            .any(|b| !matches!(b, b'=' | b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c))
    })
}

/// The byte-at-a-time reading of any base64 body, recording damage.
fn decode_base64_tolerant(body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    let mut accumulator: u32 = 0;
    let mut bits = 0u32;
    let mut damaged = false;
    let mut padded = false;
    for &b in body {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padded = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => continue,
            _ => {
                damaged = true;
                continue;
            }
        };
        if padded {
            // Data after the padding: a second base64 run glued on, or garbage.
            damaged = true;
            padded = false;
            accumulator = 0;
            bits = 0;
        }
        accumulator = (accumulator << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((accumulator >> bits) & 0xff) as u8);
        }
        accumulator &= (1 << bits) - 1;
    }
    if bits >= 6 {
        damaged = true;
    }
    (out, damaged)
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` octets, `=` soft line breaks, trailing white space
/// on a line dropped (rule 3); a malformed `=` is kept as written and reported.
pub fn decode_quoted_printable(body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(body.len());
    let mut damaged = false;
    // Whether the line break before the next line is a real one (not a soft break).
    let mut hard_break = false;
    for (index, line) in body.split(|&b| b == b'\n').enumerate() {
        if index > 0 && hard_break {
            out.extend_from_slice(b"\r\n");
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed_len = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |i| i + 1);
        let line = line.get(..trimmed_len).unwrap_or_default();
        hard_break = true;
        let mut position = 0;
        while let Some(&b) = line.get(position) {
            if b != b'=' {
                out.push(b);
                position += 1;
                continue;
            }
            if position + 1 == line.len() {
                hard_break = false;
                break;
            }
            match (line.get(position + 1), line.get(position + 2)) {
                (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    out.push((hex(h) << 4) | hex(l));
                    position += 3;
                }
                _ => {
                    damaged = true;
                    out.push(b'=');
                    position += 1;
                }
            }
        }
    }
    (out, damaged)
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b.wrapping_sub(b'A').wrapping_add(10),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn encoded(data: &[u8], width: usize, line_end: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        let text = base64::engine::general_purpose::STANDARD.encode(data);
        let mut out = Vec::new();
        for line in text.as_bytes().chunks(width) {
            out.extend_from_slice(line);
            out.extend_from_slice(line_end);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn the_fast_path_reads_what_encoders_write(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            quanta in 1usize..30,
            crlf in any::<bool>(),
        ) {
            let body = encoded(&data, quanta * 4, if crlf { b"\r\n" } else { b"\n" });
            prop_assert_eq!(decode_base64(&body), (data, false));
        }

        #[test]
        fn the_fast_path_agrees_with_the_tolerant_reading(
            body in proptest::collection::vec(
                prop_oneof![Just(b'A'), Just(b'z'), Just(b'+'), Just(b'='), Just(b'\r'),
                            Just(b'\n'), Just(b' '), Just(b'*'), Just(b'0')],
                0..120,
            ),
        ) {
            let (fast, damaged) = decode_base64(&body);
            let (tolerant, tolerant_damaged) = decode_base64_tolerant(&body);
            prop_assert_eq!(fast, tolerant);
            // The fast path may miss a lone symbol left at the end, nothing else.
            let symbols = body.iter().filter(|b| b.is_ascii_alphanumeric() || **b == b'+').count();
            if symbols % 4 != 1 {
                prop_assert_eq!(damaged, tolerant_damaged);
            }
        }
    }
}
