//! CRAM-MD5, [RFC 2195](https://www.rfc-editor.org/rfc/rfc2195): the server sends a challenge
//! in the form of a message id (`<unique@hostname>`), the client answers with its user name, a
//! space and the lowercase hex of HMAC-MD5 (RFC 2104) keyed with its password over the
//! challenge. The password never crosses the wire, but the server must know it in the clear (or
//! the HMAC's intermediate state), and MD5 is weak: offer it only over TLS, for old clients.
//!
//! ```
//! use tegami_smtp_proto::sasl::cram_md5;
//!
//! // RFC 2195 §2's example.
//! let challenge = "<1896.697170952@postoffice.reston.mci.net>";
//! let response = cram_md5::response("tim", b"tanstaaftanstaaf", challenge);
//! assert_eq!(response, "tim b913a602c7eda7a495b4e6e7334d3890");
//! let credentials = cram_md5::decode_response(challenge, response.as_bytes())?;
//! assert!(credentials.verify_cram_md5(b"tanstaaftanstaaf"));
//! assert!(!credentials.verify_cram_md5(b"guess"));
//! # Ok::<(), tegami_smtp_proto::sasl::SaslError>(())
//! ```

use alloc::string::String;
use core::fmt::Write as _;

use hmac::{Hmac, Mac};
use md5::Md5;

use super::{Credentials, SaslError};

type HmacMd5 = Hmac<Md5>;

/// The challenge for one attempt: `<nonce@hostname>` (RFC 2195 §2 asks for a unique value in
/// the form of an RFC 5322 msg-id). `nonce` must not repeat: a fresh random value per
/// connection with a counter per attempt.
pub fn challenge(nonce: &str, hostname: &str) -> String {
    alloc::format!("<{nonce}@{hostname}>")
}

/// The client's answer to `challenge`: `username SP hex(HMAC-MD5(password, challenge))`.
pub fn response(username: &str, password: &[u8], challenge: &str) -> String {
    let digest = keyed_digest(password, challenge);
    let mut out = String::with_capacity(username.len() + 33);
    out.push_str(username);
    out.push(' ');
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Reads the client's answer to `challenge`: the user name (everything before the last
/// space) and 32 hex digits.
///
/// # Errors
///
/// [`SaslError::Malformed`] when the user name is empty or not UTF-8, or the digest is not 32
/// hex digits.
pub fn decode_response(challenge: &str, message: &[u8]) -> Result<Credentials, SaslError> {
    let malformed = SaslError::Malformed("CRAM-MD5");
    let text = core::str::from_utf8(message).map_err(|_| malformed)?;
    let (username, hex) = text.rsplit_once(' ').ok_or(malformed)?;
    if username.is_empty() || username.contains('\0') || hex.len() != 32 {
        return Err(malformed);
    }
    let mut digest = [0u8; 16];
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed);
    }
    for (byte, pair) in digest.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let text = core::str::from_utf8(pair).map_err(|_| malformed)?;
        *byte = u8::from_str_radix(text, 16).map_err(|_| malformed)?;
    }
    Ok(Credentials::CramMd5 {
        username: username.into(),
        challenge: challenge.into(),
        digest,
    })
}

/// Whether `digest` is HMAC-MD5 keyed with `password` over `challenge`, compared in constant
/// time.
pub(super) fn verify(password: &[u8], challenge: &str, digest: &[u8; 16]) -> bool {
    let mut mac = hmac(password);
    mac.update(challenge.as_bytes());
    mac.verify_slice(digest).is_ok()
}

fn keyed_digest(password: &[u8], challenge: &str) -> [u8; 16] {
    let mut mac = hmac(password);
    mac.update(challenge.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hmac(key: &[u8]) -> HmacMd5 {
    // HMAC takes keys of any length (RFC 2104 §2: longer ones are hashed first), so
    // `new_from_slice` cannot fail; the fallback (an empty key) would only ever fail to verify.
    HmacMd5::new_from_slice(key).unwrap_or_else(|_| HmacMd5::new(&Default::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2195_example() {
        let challenge = "<1896.697170952@postoffice.reston.mci.net>";
        let credentials =
            decode_response(challenge, b"tim b913a602c7eda7a495b4e6e7334d3890").unwrap();
        assert_eq!(credentials.username(), "tim");
        assert!(credentials.verify_cram_md5(b"tanstaaftanstaaf"));
        // Upper-case hex is read too.
        let upper = decode_response(challenge, b"tim B913A602C7EDA7A495B4E6E7334D3890").unwrap();
        assert!(upper.verify_cram_md5(b"tanstaaftanstaaf"));
        // Another challenge: the same response is worth nothing (no replay).
        let replayed = decode_response(
            "<1897.697170952@postoffice.reston.mci.net>",
            b"tim b913a602c7eda7a495b4e6e7334d3890",
        )
        .unwrap();
        assert!(!replayed.verify_cram_md5(b"tanstaaftanstaaf"));
    }

    #[test]
    fn malformed() {
        for bad in [
            &b"timb913a602c7eda7a495b4e6e7334d3890"[..],
            b" b913a602c7eda7a495b4e6e7334d3890",
            b"tim b913a602c7eda7a495b4e6e7334d389",
            b"tim b913a602c7eda7a495b4e6e7334d38zz",
            b"tim \xff913a602c7eda7a495b4e6e7334d3890",
            b"tim +913a602c7eda7a495b4e6e7334d3890",
        ] {
            assert_eq!(
                decode_response("<1@x>", bad),
                Err(SaslError::Malformed("CRAM-MD5")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn long_passwords_are_hashed_first() {
        let password = [b'p'; 100];
        let response = response("u", &password, "<1@x>");
        let credentials = decode_response("<1@x>", response.as_bytes()).unwrap();
        assert!(credentials.verify_cram_md5(&password));
    }
}
