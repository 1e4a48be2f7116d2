//! The SASL mechanisms of SMTP AUTH (RFC 4954): PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER, which
//! carry credentials in the clear of the TLS channel, and the challenge-response mechanisms
//! [`cram_md5`] (RFC 2195) and [`scram`] (SCRAM-SHA-256, RFC 7677), which never send the
//! password.
//!
//! Each decoder takes the decoded octets of a client response and returns [`Credentials`],
//! whose secret half is wrapped in [`Secret`] so that it never reaches a log.
//!
//! - PLAIN, [RFC 4616 §2](https://www.rfc-editor.org/rfc/rfc4616#section-2):
//!   `message = [authzid] UTF8NUL authcid UTF8NUL passwd`.
//! - LOGIN (draft-murchison-sasl-login): the user name and the password in two responses.
//! - OAUTHBEARER, [RFC 7628 §3.1](https://www.rfc-editor.org/rfc/rfc7628#section-3.1):
//!   `gs2-header kvsep *kvpair kvsep` with `auth=Bearer <token>`.
//! - XOAUTH2 (Google's predecessor of OAUTHBEARER): `user=U ^A auth=Bearer T ^A ^A`.
//!
//! ```
//! use tegami_smtp_proto::sasl::{self, Credentials};
//!
//! let credentials = sasl::decode_plain(b"\0jane\0hunter2")?;
//! assert_eq!(credentials.username(), "jane");
//! assert_eq!(format!("{credentials:?}").contains("hunter2"), false);
//! # Ok::<(), tegami_smtp_proto::sasl::SaslError>(())
//! ```

use alloc::string::String;
use core::fmt;

use tegami_core::Secret;

pub mod cram_md5;
pub mod scram;

/// A SASL mechanism the server session can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN`, RFC 4616.
    Plain,
    /// `LOGIN`.
    Login,
    /// `XOAUTH2`.
    XOAuth2,
    /// `OAUTHBEARER`, RFC 7628.
    OAuthBearer,
    /// `CRAM-MD5`, RFC 2195.
    CramMd5,
    /// `SCRAM-SHA-256`, RFC 7677.
    ScramSha256,
}

/// What a client proved it holds, for the application to check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A user name and password (PLAIN or LOGIN).
    Password {
        /// The identity to act as, when it differs from the user name (PLAIN's authzid).
        authorization_id: Option<String>,
        /// The user name (authcid).
        username: String,
        /// The password.
        password: Secret<String>,
    },
    /// An OAuth 2.0 bearer token (XOAUTH2 or OAUTHBEARER).
    Bearer {
        /// The user the token is for, as the client states it.
        username: String,
        /// The token.
        token: Secret<String>,
    },
    /// A CRAM-MD5 response: check it with [`Credentials::verify_cram_md5`] and the user's
    /// password.
    CramMd5 {
        /// The user name.
        username: String,
        /// The challenge the server sent.
        challenge: String,
        /// HMAC-MD5 of the challenge keyed with the password, as the client computed it.
        digest: [u8; 16],
    },
    /// A SCRAM-SHA-256 exchange whose proof already verified against the user's stored keys:
    /// the client knows the password.
    Scram {
        /// The identity to act as, when it differs from the user name.
        authorization_id: Option<String>,
        /// The user name.
        username: String,
    },
}

/// Why a SASL response cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The response is not base64 (RFC 4954 §4).
    #[error("response is not base64")]
    InvalidBase64,
    /// The decoded response breaks the mechanism's grammar.
    #[error("malformed {0} response")]
    Malformed(&'static str),
    /// The client sent `*` (RFC 4954 §4).
    #[error("authentication cancelled by the client")]
    Cancelled,
    /// The peer asked for a feature this implementation does not have (SCRAM channel binding
    /// or a mandatory extension).
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The SCRAM client proof does not verify: wrong password.
    #[error("the client proof does not verify")]
    InvalidProof,
    /// The SCRAM server signature does not verify: the server does not hold the user's keys.
    #[error("the server signature does not verify")]
    InvalidServerSignature,
    /// The SCRAM server ended the exchange with an error (`e=`).
    #[error("the server refused the exchange")]
    Rejected,
}

impl Mechanism {
    /// The mechanism's name as SMTP writes it.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
        }
    }

    /// Whether the mechanism needs a fresh server nonce (a challenge) per attempt.
    pub fn needs_nonce(self) -> bool {
        matches!(self, Mechanism::CramMd5 | Mechanism::ScramSha256)
    }

    /// The mechanism with this name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Mechanism> {
        [
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::XOAuth2,
            Mechanism::OAuthBearer,
            Mechanism::CramMd5,
            Mechanism::ScramSha256,
        ]
        .into_iter()
        .find(|mechanism| mechanism.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Credentials {
    /// The user name or the token's user.
    pub fn username(&self) -> &str {
        match self {
            Credentials::Password { username, .. }
            | Credentials::Bearer { username, .. }
            | Credentials::CramMd5 { username, .. }
            | Credentials::Scram { username, .. } => username,
        }
    }

    /// For CRAM-MD5: whether the client's digest is HMAC-MD5 of the challenge keyed with
    /// `password` (constant-time comparison). `false` for every other kind of credentials.
    pub fn verify_cram_md5(&self, password: &[u8]) -> bool {
        match self {
            Credentials::CramMd5 {
                challenge, digest, ..
            } => cram_md5::verify(password, challenge, digest),
            _ => false,
        }
    }

    /// The identity the client asks to act as: the authorization identity when given, else
    /// the user name.
    pub fn identity(&self) -> &str {
        match self {
            Credentials::Password {
                authorization_id: Some(identity),
                ..
            }
            | Credentials::Scram {
                authorization_id: Some(identity),
                ..
            } => identity,
            _ => self.username(),
        }
    }
}

/// Decodes one base64 client response (RFC 4954 §4); `=` is the empty response, `*` cancels.
///
/// # Errors
///
/// [`SaslError::Cancelled`] for `*`, [`SaslError::InvalidBase64`] for anything else not base64.
pub fn decode_response(line: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
    use base64::Engine as _;
    match line {
        b"*" => Err(SaslError::Cancelled),
        b"=" => Ok(Secret::new(Vec::new())),
        _ => base64::engine::general_purpose::STANDARD
            .decode(line)
            .map(Secret::new)
            .map_err(|_| SaslError::InvalidBase64),
    }
}

/// Decodes a PLAIN message: `[authzid] NUL authcid NUL passwd` (RFC 4616 §2).
///
/// # Errors
///
/// [`SaslError::Malformed`] when a field is missing, empty where it must not be, holds NUL or is
/// not UTF-8.
pub fn decode_plain(message: &[u8]) -> Result<Credentials, SaslError> {
    let malformed = SaslError::Malformed("PLAIN");
    let mut fields = message.split(|&byte| byte == 0);
    let (Some(authzid), Some(authcid), Some(password), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(malformed);
    };
    if authcid.is_empty() || password.is_empty() {
        return Err(malformed);
    }
    let text = |bytes: &[u8]| {
        core::str::from_utf8(bytes)
            .map(String::from)
            .map_err(|_| malformed)
    };
    Ok(Credentials::Password {
        authorization_id: (!authzid.is_empty()).then(|| text(authzid)).transpose()?,
        username: text(authcid)?,
        password: Secret::new(text(password)?),
    })
}

/// Decodes the two LOGIN responses.
///
/// # Errors
///
/// [`SaslError::Malformed`] when either is empty, holds NUL or is not UTF-8.
pub fn decode_login(username: &[u8], password: &[u8]) -> Result<Credentials, SaslError> {
    let text = |bytes: &[u8]| {
        core::str::from_utf8(bytes)
            .ok()
            .filter(|text| !text.is_empty() && !text.contains('\0'))
            .map(String::from)
            .ok_or(SaslError::Malformed("LOGIN"))
    };
    Ok(Credentials::Password {
        authorization_id: None,
        username: text(username)?,
        password: Secret::new(text(password)?),
    })
}

/// Decodes an XOAUTH2 response: `user=U ^A auth=Bearer T ^A ^A`.
///
/// # Errors
///
/// [`SaslError::Malformed`] when the user or the bearer token is missing.
pub fn decode_xoauth2(message: &[u8]) -> Result<Credentials, SaslError> {
    let malformed = SaslError::Malformed("XOAUTH2");
    let text = core::str::from_utf8(message).map_err(|_| malformed)?;
    let mut username = None;
    let mut token = None;
    for pair in text.split('\u{1}').filter(|pair| !pair.is_empty()) {
        if let Some(user) = pair.strip_prefix("user=") {
            username = Some(user);
        } else if let Some(auth) = pair.strip_prefix("auth=") {
            token = bearer(auth);
        }
    }
    match (username, token) {
        (Some(username), Some(token)) if !username.is_empty() => Ok(Credentials::Bearer {
            username: username.into(),
            token: Secret::new(token.into()),
        }),
        _ => Err(malformed),
    }
}

/// Decodes an OAUTHBEARER initial client response (RFC 7628 §3.1): the user comes from the
/// GS2 header's `a=` (with `=2C` and `=3D` unescaped, RFC 5801 §4), the token from `auth=`.
///
/// # Errors
///
/// [`SaslError::Malformed`] when the GS2 header, the user or the token is missing or malformed.
pub fn decode_oauthbearer(message: &[u8]) -> Result<Credentials, SaslError> {
    let malformed = SaslError::Malformed("OAUTHBEARER");
    let text = core::str::from_utf8(message).map_err(|_| malformed)?;
    // gs2-header = gs2-cb-flag "," [ gs2-authzid ] ","; channel binding is not supported here
    let (header, rest) = text.split_once('\u{1}').ok_or(malformed)?;
    let mut fields = header.split(',');
    if !matches!(fields.next(), Some("n" | "y")) {
        return Err(malformed);
    }
    let user = fields
        .next()
        .and_then(|field| field.strip_prefix("a="))
        .ok_or(malformed)?;
    let user = user.replace("=2C", ",").replace("=3D", "=");
    let token = rest
        .split('\u{1}')
        .find_map(|pair| pair.strip_prefix("auth="))
        .and_then(bearer)
        .ok_or(malformed)?;
    if user.is_empty() {
        return Err(malformed);
    }
    Ok(Credentials::Bearer {
        username: user,
        token: Secret::new(token.into()),
    })
}

/// `auth-value = "Bearer" 1*SP b64token`, RFC 6750 §2.1 (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4616_examples() {
        // RFC 4616 §4: "\0tim\0tanstaaftanstaaf" and "Ursel\0Kurt\0xipj3plmq".
        let tim = decode_plain(b"\0tim\0tanstaaftanstaaf").unwrap();
        assert_eq!(tim.username(), "tim");
        assert_eq!(tim.identity(), "tim");
        let kurt = decode_plain(b"Ursel\0Kurt\0xipj3plmq").unwrap();
        assert_eq!((kurt.username(), kurt.identity()), ("Kurt", "Ursel"));
        for bad in [
            &b"tim\0pw"[..],
            b"\0\0pw",
            b"\0tim\0",
            b"a\0b\0c\0d",
            b"\0\xff\0pw",
        ] {
            assert_eq!(decode_plain(bad), Err(SaslError::Malformed("PLAIN")));
        }
    }

    #[test]
    fn responses() {
        assert_eq!(decode_response(b"*"), Err(SaslError::Cancelled));
        assert_eq!(decode_response(b"=").unwrap().expose(), b"");
        assert_eq!(decode_response(b"c2VjcmV0").unwrap().expose(), b"secret");
        assert_eq!(decode_response(b"c2VjcmV0!"), Err(SaslError::InvalidBase64));
    }

    #[test]
    fn oauth() {
        let xoauth2 =
            decode_xoauth2(b"user=jane@example.com\x01auth=Bearer ya29.x\x01\x01").unwrap();
        assert_eq!(xoauth2.username(), "jane@example.com");
        // RFC 7628 §4.1's example, without host and port.
        let bearer = decode_oauthbearer(
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01\
              auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
        )
        .unwrap();
        assert_eq!(bearer.username(), "user@example.com");
        let Credentials::Bearer { token, .. } = bearer else {
            panic!()
        };
        assert_eq!(token.expose(), "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==");
        assert!(decode_oauthbearer(b"p=x,a=u,\x01auth=Bearer t\x01\x01").is_err());
        assert!(decode_xoauth2(b"user=u\x01auth=Basic t\x01\x01").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(Mechanism::from_name("login"), Some(Mechanism::Login));
        assert_eq!(Mechanism::from_name("cram-md5"), Some(Mechanism::CramMd5));
        assert_eq!(
            Mechanism::from_name("SCRAM-SHA-256"),
            Some(Mechanism::ScramSha256)
        );
        assert_eq!(Mechanism::from_name("SCRAM-SHA-256-PLUS"), None);
    }
}
