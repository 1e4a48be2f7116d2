//! xtext, the encoding of DSN and AUTH parameter values, RFC 3461 §4.
//!
//! ```text
//! xtext   = *( xchar / hexchar )
//! xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "="
//! hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits
//! ```
//!
//! ```
//! use tegami_smtp_proto::xtext;
//!
//! assert_eq!(xtext::encode("a+b=c d"), "a+2Bb+3Dc+20d");
//! assert_eq!(xtext::decode("a+2Bb+3Dc+20d").as_deref(), Some("a+b=c d"));
//! assert_eq!(xtext::decode("a+2bb"), None); // lower-case hex is not xtext
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// Decodes xtext; `None` when the text breaks the grammar or decodes to bytes that are not UTF-8.
/// Text without `+` is returned borrowed.
pub fn decode(text: &str) -> Option<Cow<'_, str>> {
    let bytes = text.as_bytes();
    // One pass: every octet an xchar or `+`, and whether any `+` needs decoding.
    let mut plus = false;
    for &byte in bytes {
        if byte == b'+' {
            plus = true;
        } else if !is_xchar(byte) {
            return None;
        }
    }
    if !plus {
        return Some(Cow::Borrowed(text));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut position = 0;
    while let Some(&byte) = bytes.get(position) {
        if byte == b'+' {
            let high = bytes.get(position + 1).copied().and_then(upper_hex)?;
            let low = bytes.get(position + 2).copied().and_then(upper_hex)?;
            out.push(high << 4 | low);
            position += 3;
        } else {
            out.push(byte);
            position += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// Encodes text as xtext: every octet outside `xchar` becomes `+XX`.
pub fn encode(text: &str) -> Cow<'_, str> {
    if text.bytes().all(is_xchar) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for byte in text.bytes() {
        if is_xchar(byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "+{byte:02X}");
        }
    }
    Cow::Owned(out)
}

/// `xchar`: `!` to `~` except `+` and `=`.
fn is_xchar(byte: u8) -> bool {
    (33..=126).contains(&byte) && byte != b'+' && byte != b'='
}

fn upper_hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(decode("").as_deref(), Some(""));
        assert_eq!(decode("+"), None);
        assert_eq!(decode("+4"), None);
        assert_eq!(decode("a=b"), None);
        assert_eq!(decode("a b"), None);
        assert!(matches!(decode("plain"), Some(Cow::Borrowed("plain"))));
        assert_eq!(decode("+C3+A9").as_deref(), Some("é"));
        assert_eq!(decode("+FF"), None);
    }

    proptest! {
        #[test]
        fn round_trip(text in "\\PC*") {
            let encoded = encode(&text);
            let decoded = decode(&encoded);
            prop_assert_eq!(decoded.as_deref(), Some(text.as_str()));
        }
    }
}
