//! Encoded words: non-ASCII text in header fields, [RFC 2047](https://www.rfc-editor.org/rfc/rfc2047).
//!
//! `=?charset?encoding?text?=`, where the encoding is `B` (base64) or `Q` (a quoted-printable
//! variant, §4.2), and the charset may carry an RFC 2231 §5 language (`utf-8*ja`). Charsets
//! go through `encoding_rs`, so ISO-2022-JP, Shift_JIS, EUC-JP, GB18030, ISO-8859-* and
//! windows-125x decode as mail clients decode them.
//!
//! White space between two adjacent encoded words is dropped (§6.2). Adjacent words in the same
//! charset are joined before the charset is decoded, because many mailers split one multi-byte
//! character (or one ISO-2022-JP escape sequence) across two words.
//!
//! ```
//! use tegami_mime::encoded_word::decode_text;
//!
//! assert_eq!(decode_text(b"=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= mail"), "テスト mail");
//! assert_eq!(decode_text(b"=?utf-8?q?caf=C3=A9?= =?utf-8?q?_au_lait?="), "café au lait");
//! assert_eq!(decode_text(b"plain text"), "plain text");
//! ```

use std::borrow::Cow;

use encoding_rs::Encoding;

/// Decodes the encoded words in unstructured text (a Subject, a display name's words).
///
/// Words that do not decode stay as written; [`decode_text_checked`] also says whether any did
/// not.
pub fn decode_text(text: &[u8]) -> Cow<'_, str> {
    decode_text_checked(text).0
}

/// Like [`decode_text`], and `false` when an encoded word failed to decode (unknown charset,
/// unknown encoding letter, broken data) and was kept as written.
pub fn decode_text_checked(text: &[u8]) -> (Cow<'_, str>, bool) {
    if find_word_start(text, 0).is_none() {
        return (String::from_utf8_lossy(text), true);
    }
    let mut out = String::with_capacity(text.len());
    let mut all_ok = true;
    let mut position = 0;
    // Decoded octets of adjacent words in one charset, waiting to go through the charset.
    let mut pending: Option<(&'static Encoding, Vec<u8>)> = None;
    // White space seen after the last encoded word, kept unless another word follows.
    let mut gap: &[u8] = b"";
    while position < text.len() {
        let rest = text.get(position..).unwrap_or_default();
        if let Some((word, length)) = parse_word(rest) {
            match word.decode() {
                Some((encoding, bytes)) => {
                    match &mut pending {
                        Some((pending_encoding, buffer)) if *pending_encoding == encoding => {
                            buffer.extend_from_slice(&bytes);
                        }
                        _ => {
                            flush(&mut pending, &mut out);
                            pending = Some((encoding, bytes));
                        }
                    }
                    gap = b"";
                    position += length;
                    continue;
                }
                None => all_ok = false,
            }
        }
        // Not a decodable word: plain text up to the next white space or "=?".
        let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let run_length = if rest.first().is_some_and(is_space) {
            rest.iter().position(|b| !is_space(b)).unwrap_or(rest.len())
        } else {
            rest.iter()
                .skip(1)
                .position(is_space)
                .map_or(rest.len(), |i| i + 1)
        };
        let run = rest.get(..run_length).unwrap_or_default();
        if run.first().is_some_and(is_space) && pending.is_some() {
            // Hold the white space: it disappears if another encoded word follows.
            gap = run;
        } else {
            flush(&mut pending, &mut out);
            out.push_str(&String::from_utf8_lossy(gap));
            gap = b"";
            out.push_str(&String::from_utf8_lossy(run));
        }
        position += run_length.max(1);
    }
    flush(&mut pending, &mut out);
    out.push_str(&String::from_utf8_lossy(gap));
    (Cow::Owned(out), all_ok)
}

/// Whether `text` holds something shaped like an encoded word (`=?...?...?...?=`), decodable
/// or not; used to flag encoded words where RFC 2047 §5 forbids them, such as an addr-spec.
pub fn contains_encoded_word(text: &[u8]) -> bool {
    let mut start = 0;
    while let Some(found) = find_word_start(text, start) {
        if parse_word(text.get(found..).unwrap_or_default()).is_some() {
            return true;
        }
        start = found + 2;
    }
    false
}

/// The offset of the first `=?` at or after `from`. Header texts are short: a search for the
/// `=` costs less than setting up a substring search.
fn find_word_start(text: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = memchr::memchr(b'=', text.get(at..)?) {
        let equals = at + offset;
        if text.get(equals + 1) == Some(&b'?') {
            return Some(equals);
        }
        at = equals + 1;
    }
    None
}

/// One `=?charset?encoding?text?=`.
struct Word<'a> {
    charset: &'a [u8],
    encoding: u8,
    text: &'a [u8],
}

impl Word<'_> {
    /// The charset's decoder and the transfer-decoded octets, or `None` if either is unknown
    /// or broken.
    fn decode(&self) -> Option<(&'static Encoding, Vec<u8>)> {
        // RFC 2231 §5: "charset*language".
        let charset = self
            .charset
            .split(|&b| b == b'*')
            .next()
            .unwrap_or_default();
        let encoding = charset_encoding(charset)?;
        let bytes = match self.encoding.to_ascii_uppercase() {
            b'B' => {
                let (bytes, _) = crate::transfer::decode_base64(self.text);
                // Nothing decoded from a non-empty word: not base64 at all.
                if bytes.is_empty() && !self.text.is_empty() && !self.text.starts_with(b"=") {
                    return None;
                }
                bytes
            }
            b'Q' => decode_q(self.text)?,
            _ => return None,
        };
        Some((encoding, bytes))
    }
}

/// The decoder for a MIME charset name; `None` if unknown.
pub fn charset_encoding(charset: &[u8]) -> Option<&'static Encoding> {
    // The label of most mail, answered without the label table (which trims and lower-cases
    // first; a label with white space around it still goes there).
    if charset.eq_ignore_ascii_case(b"utf-8") {
        return Some(encoding_rs::UTF_8);
    }
    // WHATWG maps "us-ascii" to windows-1252, a superset: right for mail, where the label
    // often understates the octets.
    Encoding::for_label(charset)
}

/// Parses an encoded word at the start of `input`: the word and its length.
fn parse_word(input: &[u8]) -> Option<(Word<'_>, usize)> {
    let rest = input.strip_prefix(b"=?")?;
    let charset_end = rest.iter().position(|&b| b == b'?')?;
    let charset = rest.get(..charset_end)?;
    if charset.is_empty() || !charset.iter().all(|&b| is_token(b)) {
        return None;
    }
    let encoding = *rest.get(charset_end + 1)?;
    if rest.get(charset_end + 2) != Some(&b'?') {
        return None;
    }
    let text_start = charset_end + 3;
    let after = rest.get(text_start..)?;
    // §2: encoded-text is at least one character, without white space and without "?"; so
    // the word ends at the first "?" or white space, which must be the "?" of "?=". (Looking
    // no further keeps a text of many unfinished words linear.)
    let text_end = after
        .iter()
        .position(|&b| matches!(b, b'?' | b' ' | b'\t' | b'\r' | b'\n'))?;
    if text_end == 0 || after.get(text_end..text_end + 2) != Some(b"?=") {
        return None;
    }
    let text = after.get(..text_end)?;
    Some((
        Word {
            charset,
            encoding,
            text,
        },
        2 + text_start + text_end + 2,
    ))
}

/// `token` of RFC 2047 §2: no SPACE, CTLs or especials; `*` is allowed for RFC 2231.
fn is_token(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\"/[]?.=".contains(&b) || b == b'.'
}

fn flush(pending: &mut Option<(&'static Encoding, Vec<u8>)>, out: &mut String) {
    if let Some((encoding, bytes)) = pending.take() {
        let (text, _, _) = encoding.decode(&bytes);
        out.push_str(&text);
    }
}

/// The `Q` encoding of RFC 2047 §4.2: `_` is a space, `=XX` an octet.
fn decode_q(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut iter = text.iter().copied();
    while let Some(b) = iter.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let high = hex_value(iter.next()?)?;
                let low = hex_value(iter.next()?)?;
                out.push(high << 4 | low);
            }
            _ => out.push(b),
        }
    }
    Some(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfinished_words_stay_as_written() {
        let text = "=?utf-8?q?a ".repeat(5_000);
        let (decoded, ok) = decode_text_checked(text.as_bytes());
        assert!(ok, "nothing shaped like a whole word failed");
        assert_eq!(decoded, text);
        assert!(!contains_encoded_word(text.as_bytes()));
        for (written, decodes) in [
            ("=?utf-8?q?a?b?=", false),
            ("=?utf-8?q?a b?=", false),
            ("=?utf-8?q??=", false),
            ("=?utf-8?q?a?", false),
            ("=?utf-8?q?a?=", true),
        ] {
            assert_eq!(
                parse_word(written.as_bytes()).is_some(),
                decodes,
                "{written}"
            );
        }
    }

    #[test]
    fn japanese_charsets() {
        // "日本語" in Shift_JIS, EUC-JP and UTF-8, B-encoded.
        assert_eq!(decode_text(b"=?Shift_JIS?B?k/qWe4zq?="), "日本語");
        assert_eq!(decode_text(b"=?EUC-JP?B?xvzL3Ljs?="), "日本語");
        assert_eq!(decode_text(b"=?UTF-8?B?5pel5pys6Kqe?="), "日本語");
    }

    #[test]
    fn split_multibyte_character_joins() {
        // "日" (E6 97 A5) split across two words.
        assert_eq!(decode_text(b"=?UTF-8?B?5pc=?= =?UTF-8?B?pQ==?="), "日");
    }

    #[test]
    fn spaces_between_words_and_text() {
        assert_eq!(decode_text(b"a =?utf-8?q?b?= c"), "a b c");
        assert_eq!(decode_text(b"=?utf-8?q?a?=  \r\n =?utf-8?q?b?="), "ab");
        assert_eq!(decode_text(b"=?utf-8?q?a?= x"), "a x");
    }

    #[test]
    fn broken_words_stay_as_written() {
        let (text, ok) = decode_text_checked(b"=?no-such-charset?q?x?= y");
        assert_eq!(text, "=?no-such-charset?q?x?= y");
        assert!(!ok);
        let (text, ok) = decode_text_checked(b"=?utf-8?x?abc?=");
        assert_eq!(text, "=?utf-8?x?abc?=");
        assert!(!ok);
        assert_eq!(decode_text(b"=?utf-8?q?a"), "=?utf-8?q?a");
    }

    #[test]
    fn language_suffix_and_lenient_base64() {
        assert_eq!(decode_text(b"=?utf-8*ja?q?x?="), "x");
        assert_eq!(decode_text(b"=?utf-8?b?aGk?="), "hi");
    }

    #[test]
    fn detects_encoded_words() {
        assert!(contains_encoded_word(b"=?utf-8?b?YQ==?=@example.com"));
        assert!(contains_encoded_word(b"x=?a=?utf-8?q?x?="));
        assert!(!contains_encoded_word(b"a=?b@example.com"));
    }
}
