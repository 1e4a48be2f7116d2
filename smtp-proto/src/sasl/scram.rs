//! SCRAM-SHA-256, [RFC 7677](https://www.rfc-editor.org/rfc/rfc7677) over the SCRAM framework of
//! [RFC 5802](https://www.rfc-editor.org/rfc/rfc5802): both sides prove they know the password
//! without sending it, and the server stores only keys derived from it (a stolen store does
//! not give the password, nor a way to log in).
//!
//! Without channel binding (`-PLUS` is not offered): the GS2 header is `n,,` or `y,,`, with an
//! optional authorization identity (`n,a=ID,`).
//!
//! The exchange, with SMTP's framing (RFC 4954: each message base64 after `334` or `AUTH`):
//!
//! ```text
//! C: client-first   n,,n=user,r=CLIENT-NONCE
//! S: server-first   r=CLIENT-NONCE+SERVER-NONCE,s=SALT,i=ITERATIONS
//! C: client-final   c=biws,r=CLIENT-NONCE+SERVER-NONCE,p=PROOF
//! S: server-final   v=SERVER-SIGNATURE
//! C: (empty)                                        S: 235
//! ```
//!
//! The RFC 7677 §3 example, both sides:
//!
//! ```
//! use tegami_smtp_proto::sasl::scram::{ClientExchange, ClientFirst, ScramKeys, ServerExchange};
//! use base64::Engine as _;
//!
//! let salt = base64::engine::general_purpose::STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==")?;
//! let keys = ScramKeys::derive(b"pencil", &salt, 4096);           // stored by the server
//!
//! let mut client = ClientExchange::new("user", None, b"pencil", "rOprNGfwEbeRWgbNEkqO")?;
//! let first = ClientFirst::parse(client.client_first().as_bytes())?;
//! let server = ServerExchange::new(first, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", keys)?;
//! let client_final = client.client_final(server.server_first().as_bytes())?;
//! assert_eq!(client_final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
//!                           p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
//! let server_final = server.finish(client_final.as_bytes())?;
//! assert_eq!(server_final, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
//! client.verify_server_final(server_final.as_bytes())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Passwords are used as given: SASLprep (RFC 4013) is not applied, which for ASCII passwords
//! changes nothing; normalise others (NFKC) the same way on both sides.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};
use tegami_core::Secret;

use super::{Credentials, SaslError};

type HmacSha256 = Hmac<Sha256>;

/// The most PBKDF2 iterations a client computes for a server's `i=`: a bound on the work a
/// hostile server can make a client do. RFC 7677 §4 asks for at least 4096.
pub const MAX_ITERATIONS: u32 = 1_000_000;

const MECHANISM: &str = "SCRAM-SHA-256";

/// What a server stores per user (RFC 5802 §3): the salt and iteration count of the password
/// derivation and the two keys derived from it. Neither key gives the password; the stored
/// key lets a client be checked, the server key lets the server prove itself.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramKeys {
    /// The salt of `Hi()`.
    pub salt: Vec<u8>,
    /// The iteration count of `Hi()`.
    pub iterations: u32,
    /// `StoredKey = H(HMAC(SaltedPassword, "Client Key"))`.
    pub stored_key: [u8; 32],
    /// `ServerKey = HMAC(SaltedPassword, "Server Key")`.
    pub server_key: [u8; 32],
}

impl fmt::Debug for ScramKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramKeys")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramKeys {
    /// Derives the keys to store for `password` (RFC 5802 §3): `SaltedPassword =
    /// PBKDF2-HMAC-SHA-256(password, salt, iterations)`. Use a random salt per user (16 bytes)
    /// and at least 4096 iterations.
    pub fn derive(password: &[u8], salt: &[u8], iterations: u32) -> ScramKeys {
        let salted = salted_password(password, salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        ScramKeys {
            salt: salt.into(),
            iterations,
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac(&salted, b"Server Key"),
        }
    }
}

/// A client's first message, read by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFirst {
    gs2_header: String,
    authorization_id: Option<String>,
    username: String,
    nonce: String,
    bare: String,
}

impl ClientFirst {
    /// Reads `gs2-header client-first-message-bare` (RFC 5802 §7).
    ///
    /// # Errors
    ///
    /// [`SaslError::Unsupported`] for channel binding (`p=`) or a mandatory extension (`m=`);
    /// [`SaslError::Malformed`] for anything else off the grammar.
    pub fn parse(message: &[u8]) -> Result<ClientFirst, SaslError> {
        let malformed = SaslError::Malformed(MECHANISM);
        let text = core::str::from_utf8(message).map_err(|_| malformed)?;
        let mut fields = text.splitn(3, ',');
        let (Some(flag), Some(authzid), Some(bare)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(malformed);
        };
        match flag {
            "n" | "y" => {}
            _ if flag.starts_with("p=") => {
                return Err(SaslError::Unsupported("channel binding"));
            }
            _ => return Err(malformed),
        }
        let authorization_id = match authzid {
            "" => None,
            _ => Some(
                authzid
                    .strip_prefix("a=")
                    .and_then(saslname)
                    .ok_or(malformed)?,
            ),
        };
        let mut attributes = bare.split(',');
        let first = attributes.next().unwrap_or_default();
        if first.starts_with("m=") {
            return Err(SaslError::Unsupported("mandatory extension"));
        }
        let username = first
            .strip_prefix("n=")
            .and_then(saslname)
            .filter(|name| !name.is_empty())
            .ok_or(malformed)?;
        let nonce = attributes
            .next()
            .and_then(|field| field.strip_prefix("r="))
            .filter(|nonce| is_nonce(nonce))
            .ok_or(malformed)?;
        // Extensions may follow; none is known, all are ignored (RFC 5802 §5.1).
        if attributes.any(|field| !is_attribute(field)) {
            return Err(malformed);
        }
        Ok(ClientFirst {
            gs2_header: alloc::format!("{flag},{authzid},"),
            authorization_id,
            username,
            nonce: nonce.into(),
            bare: bare.into(),
        })
    }

    /// The user name (`n=`), unescaped.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The authorization identity (`a=` of the GS2 header), unescaped, when given.
    pub fn authorization_id(&self) -> Option<&str> {
        self.authorization_id.as_deref()
    }
}

/// The server's side of one exchange, from the client's first message on.
#[derive(Debug, Clone)]
pub struct ServerExchange {
    client: ClientFirst,
    server_first: String,
    keys: ScramKeys,
}

impl ServerExchange {
    /// Starts the server's side with the user's stored keys and this attempt's server nonce
    /// (fresh and random; appended to the client's).
    ///
    /// # Errors
    ///
    /// [`SaslError::Malformed`] when `server_nonce` is empty or holds a comma or a character
    /// outside printable ASCII.
    pub fn new(
        client: ClientFirst,
        server_nonce: &str,
        keys: ScramKeys,
    ) -> Result<ServerExchange, SaslError> {
        if !is_nonce(server_nonce) {
            return Err(SaslError::Malformed(MECHANISM));
        }
        let server_first = alloc::format!(
            "r={}{server_nonce},s={},i={}",
            client.nonce,
            base64::engine::general_purpose::STANDARD.encode(&keys.salt),
            keys.iterations
        );
        Ok(ServerExchange {
            client,
            server_first,
            keys,
        })
    }

    /// The server-first message to send.
    pub fn server_first(&self) -> &str {
        &self.server_first
    }

    /// Checks the client's final message and returns the server-final message (`v=`) that
    /// proves the server knows the keys.
    ///
    /// # Errors
    ///
    /// [`SaslError::Malformed`] off the grammar or when the channel binding or the nonce is
    /// not the one of this exchange; [`SaslError::InvalidProof`] when the proof does not
    /// verify (wrong password).
    pub fn finish(&self, client_final: &[u8]) -> Result<String, SaslError> {
        let malformed = SaslError::Malformed(MECHANISM);
        let text = core::str::from_utf8(client_final).map_err(|_| malformed)?;
        let (without_proof, proof) = text.rsplit_once(",p=").ok_or(malformed)?;
        let mut attributes = without_proof.split(',');
        let binding = attributes
            .next()
            .and_then(|field| field.strip_prefix("c="))
            .ok_or(malformed)?;
        let expected_binding =
            base64::engine::general_purpose::STANDARD.encode(&self.client.gs2_header);
        let nonce = attributes
            .next()
            .and_then(|field| field.strip_prefix("r="))
            .ok_or(malformed)?;
        let expected_nonce = self
            .server_first
            .strip_prefix("r=")
            .and_then(|rest| rest.split(',').next())
            .unwrap_or_default();
        if binding != expected_binding
            || nonce != expected_nonce
            || attributes.any(|field| !is_attribute(field))
        {
            return Err(malformed);
        }
        let proof: [u8; 32] = base64::engine::general_purpose::STANDARD
            .decode(proof)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(malformed)?;
        let auth_message =
            alloc::format!("{},{},{without_proof}", self.client.bare, self.server_first);
        let client_signature = hmac(&self.keys.stored_key, auth_message.as_bytes());
        let client_key = xor(&proof, &client_signature);
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        if !constant_time_eq(&stored_key, &self.keys.stored_key) {
            return Err(SaslError::InvalidProof);
        }
        let server_signature = hmac(&self.keys.server_key, auth_message.as_bytes());
        Ok(alloc::format!(
            "v={}",
            base64::engine::general_purpose::STANDARD.encode(server_signature)
        ))
    }

    /// What the client proved, once [`finish`](Self::finish) succeeded.
    pub fn credentials(&self) -> Credentials {
        Credentials::Scram {
            authorization_id: self.client.authorization_id.clone(),
            username: self.client.username.clone(),
        }
    }
}

/// The client's side of one exchange.
pub struct ClientExchange {
    gs2_header: String,
    bare: String,
    nonce: String,
    password: Secret<Vec<u8>>,
    server_signature: Option<[u8; 32]>,
}

impl fmt::Debug for ClientExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientExchange")
            .field("bare", &self.bare)
            .finish_non_exhaustive()
    }
}

impl ClientExchange {
    /// Starts an exchange for `username` (acting as `authorization_id`, when given) with this
    /// attempt's client nonce (fresh and random).
    ///
    /// # Errors
    ///
    /// [`SaslError::Malformed`] when the nonce is empty or holds a comma or a character outside
    /// printable ASCII, or the user name is empty.
    pub fn new(
        username: &str,
        authorization_id: Option<&str>,
        password: &[u8],
        nonce: &str,
    ) -> Result<ClientExchange, SaslError> {
        if !is_nonce(nonce) || username.is_empty() {
            return Err(SaslError::Malformed(MECHANISM));
        }
        let gs2_header = match authorization_id {
            Some(id) => alloc::format!("n,a={},", escape(id)),
            None => String::from("n,,"),
        };
        Ok(ClientExchange {
            gs2_header,
            bare: alloc::format!("n={},r={nonce}", escape(username)),
            nonce: nonce.into(),
            password: Secret::new(password.into()),
            server_signature: None,
        })
    }

    /// The client-first message.
    pub fn client_first(&self) -> String {
        alloc::format!("{}{}", self.gs2_header, self.bare)
    }

    /// Reads the server-first message and returns the client-final message with the proof.
    ///
    /// # Errors
    ///
    /// [`SaslError::Malformed`] off the grammar, when the server's nonce does not extend ours,
    /// or the iteration count is 0 or above [`MAX_ITERATIONS`];
    /// [`SaslError::Unsupported`] for a mandatory extension.
    pub fn client_final(&mut self, server_first: &[u8]) -> Result<String, SaslError> {
        let malformed = SaslError::Malformed(MECHANISM);
        let text = core::str::from_utf8(server_first).map_err(|_| malformed)?;
        let mut attributes = text.split(',');
        let first = attributes.next().unwrap_or_default();
        if first.starts_with("m=") {
            return Err(SaslError::Unsupported("mandatory extension"));
        }
        let nonce = first
            .strip_prefix("r=")
            .filter(|nonce| nonce.len() > self.nonce.len() && nonce.starts_with(&self.nonce))
            .filter(|nonce| is_nonce(nonce))
            .ok_or(malformed)?;
        let salt = attributes
            .next()
            .and_then(|field| field.strip_prefix("s="))
            .and_then(|salt| base64::engine::general_purpose::STANDARD.decode(salt).ok())
            .filter(|salt| !salt.is_empty())
            .ok_or(malformed)?;
        let iterations: u32 = attributes
            .next()
            .and_then(|field| field.strip_prefix("i="))
            .and_then(|count| count.parse().ok())
            .filter(|count| (1..=MAX_ITERATIONS).contains(count))
            .ok_or(malformed)?;
        if attributes.any(|field| !is_attribute(field)) {
            return Err(malformed);
        }
        let without_proof = alloc::format!(
            "c={},r={nonce}",
            base64::engine::general_purpose::STANDARD.encode(&self.gs2_header)
        );
        let auth_message = alloc::format!("{},{text},{without_proof}", self.bare);
        let salted = salted_password(self.password.expose(), &salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        let client_signature = hmac(&stored_key, auth_message.as_bytes());
        let proof = xor(&client_key, &client_signature);
        let server_key = hmac(&salted, b"Server Key");
        self.server_signature = Some(hmac(&server_key, auth_message.as_bytes()));
        Ok(alloc::format!(
            "{without_proof},p={}",
            base64::engine::general_purpose::STANDARD.encode(proof)
        ))
    }

    /// Checks the server-final message: the server proved it knows the user's keys.
    ///
    /// # Errors
    ///
    /// [`SaslError::Rejected`] for a server error (`e=`), [`SaslError::InvalidServerSignature`]
    /// when the signature does not verify (or no client-final was made), [`SaslError::Malformed`]
    /// off the grammar.
    pub fn verify_server_final(&self, server_final: &[u8]) -> Result<(), SaslError> {
        let malformed = SaslError::Malformed(MECHANISM);
        let text = core::str::from_utf8(server_final).map_err(|_| malformed)?;
        let first = text.split(',').next().unwrap_or_default();
        if first.starts_with("e=") {
            return Err(SaslError::Rejected);
        }
        let signature: [u8; 32] = first
            .strip_prefix("v=")
            .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(malformed)?;
        match &self.server_signature {
            Some(expected) if constant_time_eq(expected, &signature) => Ok(()),
            _ => Err(SaslError::InvalidServerSignature),
        }
    }
}

/// `Hi(str, salt, i)` of RFC 5802 §2.2: PBKDF2 with HMAC-SHA-256, one block.
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; the fallback (an empty
    // key) would only ever fail to verify.
    let mut mac = HmacSha256::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn xor(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `printable = %x21-2B / %x2D-7E` (RFC 5802 §7): a nonce is one or more of them.
fn is_nonce(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| matches!(b, 0x21..=0x2b | 0x2d..=0x7e))
}

/// `attr-val = ALPHA "=" value` for extensions.
fn is_attribute(field: &str) -> bool {
    let mut bytes = field.bytes();
    matches!(
        (bytes.next(), bytes.next()),
        (Some(name), Some(b'=')) if name.is_ascii_alphabetic()
    )
}

/// `saslname`: `=2C` for `,` and `=3D` for `=`; any other `=` is an error (RFC 5802 §5.1).
fn saslname(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['=', ',']) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        if let Some(tail) = after.strip_prefix("=2C") {
            out.push(',');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("=3D") {
            out.push('=');
            rest = tail;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    (!out.contains('\0')).then_some(out)
}

fn escape(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc7677_keys() -> ScramKeys {
        let salt = base64::engine::general_purpose::STANDARD
            .decode("W22ZaJ0SNY7soEsUEjb6gQ==")
            .unwrap();
        ScramKeys::derive(b"pencil", &salt, 4096)
    }

    #[test]
    fn rfc7677_server_side() {
        let first = ClientFirst::parse(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO").unwrap();
        assert_eq!((first.username(), first.authorization_id()), ("user", None));
        let server =
            ServerExchange::new(first, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", rfc7677_keys()).unwrap();
        assert_eq!(
            server.server_first(),
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        );
        let final_message = b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        assert_eq!(
            server.finish(final_message).unwrap(),
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        // One bit off in the proof: refused.
        let mut wrong = final_message.to_vec();
        let last = wrong.len() - 3;
        wrong[last] = b'W';
        assert_eq!(server.finish(&wrong), Err(SaslError::InvalidProof));
        // Another nonce or channel binding: malformed.
        assert!(
            server
                .finish(
                    b"c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
                )
                .is_err()
        );
        assert!(server.finish(b"c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").is_err());
    }

    #[test]
    fn wrong_password_fails_both_ways() {
        let mut client = ClientExchange::new("user", None, b"pencils", "abc").unwrap();
        let first = ClientFirst::parse(client.client_first().as_bytes()).unwrap();
        let server = ServerExchange::new(first, "xyz", rfc7677_keys()).unwrap();
        let final_message = client
            .client_final(server.server_first().as_bytes())
            .unwrap();
        assert_eq!(
            server.finish(final_message.as_bytes()),
            Err(SaslError::InvalidProof)
        );
        // A server without the right keys cannot prove itself to the client either.
        let impostor = ScramKeys::derive(b"other", b"salt", 4096);
        let first = ClientFirst::parse(client.client_first().as_bytes()).unwrap();
        let server = ServerExchange::new(first, "xyz", impostor).unwrap();
        let _ = client
            .client_final(server.server_first().as_bytes())
            .unwrap();
        assert_eq!(
            client.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Err(SaslError::InvalidServerSignature)
        );
    }

    #[test]
    fn authorization_identity_and_escapes() {
        let mut client = ClientExchange::new("jo=e,x", Some("admin,ops"), b"pw", "n0nce").unwrap();
        assert_eq!(
            client.client_first(),
            "n,a=admin=2Cops,n=jo=3De=2Cx,r=n0nce"
        );
        let first = ClientFirst::parse(client.client_first().as_bytes()).unwrap();
        assert_eq!(first.username(), "jo=e,x");
        assert_eq!(first.authorization_id(), Some("admin,ops"));
        let keys = ScramKeys::derive(b"pw", b"NaCl", 4096);
        let server = ServerExchange::new(first, "s3rv3r", keys).unwrap();
        let final_message = client
            .client_final(server.server_first().as_bytes())
            .unwrap();
        assert!(final_message.starts_with("c=bixhPWFkbWluPTJDb3BzLA==,r=n0nces3rv3r,p="));
        let server_final = server.finish(final_message.as_bytes()).unwrap();
        client.verify_server_final(server_final.as_bytes()).unwrap();
        assert_eq!(
            server.credentials(),
            Credentials::Scram {
                authorization_id: Some("admin,ops".into()),
                username: "jo=e,x".into()
            }
        );
    }

    #[test]
    fn client_first_grammar() {
        for bad in [
            &b"n,,n=,r=abc"[..],
            b"n,,r=abc",
            b"n,,n=user",
            b"n,,n=user,r=",
            b"n,,n=us=er,r=abc",
            b"x,,n=user,r=abc",
            b"n,b=x,n=user,r=abc",
            b"n,,n=user,r=a,bc",
            b"n,,n=user,r=abc,1=x",
            b"n,,n=us\xffer,r=abc",
            b"n",
        ] {
            assert_eq!(
                ClientFirst::parse(bad),
                Err(SaslError::Malformed(MECHANISM)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            ClientFirst::parse(b"p=tls-unique,,n=user,r=abc"),
            Err(SaslError::Unsupported("channel binding"))
        );
        assert_eq!(
            ClientFirst::parse(b"n,,m=ext,n=user,r=abc"),
            Err(SaslError::Unsupported("mandatory extension"))
        );
        assert!(ClientFirst::parse(b"y,,n=user,r=abc,x=ext").is_ok());
    }

    #[test]
    fn hostile_server_first() {
        let mut client = ClientExchange::new("user", None, b"pencil", "abc").unwrap();
        for bad in [
            &b"r=xyz,s=c2FsdA==,i=4096"[..], // does not extend our nonce
            b"r=abc,s=c2FsdA==,i=4096",      // adds nothing
            b"r=abcd,s=,i=4096",
            b"r=abcd,s=c2FsdA==,i=0",
            b"r=abcd,s=c2FsdA==,i=4000000000",
            b"r=abcd,s=c2FsdA==",
        ] {
            assert!(client.client_final(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            client.verify_server_final(b"e=invalid-proof"),
            Err(SaslError::Rejected)
        );
        assert_eq!(
            client.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Err(SaslError::InvalidServerSignature)
        );
    }

    #[test]
    fn keys_never_print() {
        let text = alloc::format!("{:?}", rfc7677_keys());
        assert_eq!(text, "ScramKeys { iterations: 4096, .. }");
        let client = ClientExchange::new("user", None, b"pencil", "abc").unwrap();
        assert!(!alloc::format!("{client:?}").contains("pencil"));
    }
}
