//! The streaming signer, [RFC 6376 §5](https://www.rfc-editor.org/rfc/rfc6376#section-5).

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tegami_core::crypto::{self, CryptoBackend, SigningKey};
use tegami_core::domain::Domain;

use crate::body_hash::{BodyDigests, BodyHashId, BodyHashes};
use crate::canon::CanonicalizationPair;
use crate::header::{self, HeaderFields};
use crate::reader::{Fed, MessageReader};
use crate::signature::{Identity, Selector};

/// The fields a signer signs by default, each once more than the message holds it
/// ("oversigning"), so that nobody can add another instance without breaking the signature
/// ("Composition Kills" A14, A18; RFC 6376 §8.15).
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "from",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "list-id",
    "list-help",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "list-subscribe",
    "list-post",
    "list-owner",
    "list-archive",
];

/// One signature to make: the key, the names, and the optional tags.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SigningSpec<K> {
    /// The private key; its algorithm gives `a=`.
    pub key: K,
    /// `d=`.
    pub domain: Domain,
    /// `s=`.
    pub selector: Selector,
    /// `c=`; `relaxed/relaxed` unless set.
    pub canonicalization: CanonicalizationPair,
    /// `h=` exactly as given; `None` signs [`DEFAULT_SIGNED_HEADERS`], oversigned.
    pub headers: Option<Vec<String>>,
    /// `i=`, which must lie within `d=`.
    pub identity: Option<String>,
    /// Write `l=` with the body length (not recommended: RFC 6376 §8.2).
    pub body_length: bool,
    /// Write `x=` this many seconds after `t=`.
    pub expires_after: Option<u64>,
    /// Write `z=` with copies of the signed fields (RFC 6376 §3.5), for diagnosis.
    pub copy_headers: bool,
}

impl<K: SigningKey> SigningSpec<K> {
    /// A signature by `key` for `domain` under `selector`, with every default.
    pub fn new(key: K, domain: Domain, selector: Selector) -> SigningSpec<K> {
        SigningSpec {
            key,
            domain,
            selector,
            canonicalization: CanonicalizationPair::RELAXED,
            headers: None,
            identity: None,
            body_length: false,
            expires_after: None,
            copy_headers: false,
        }
    }
}

/// Why signing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The header block is larger than the signer keeps.
    #[error("header block exceeds {0} octets")]
    HeaderTooLarge(usize),
    /// The header list given does not include From (RFC 6376 §5.4).
    #[error("the signed header fields must include From")]
    FromNotSigned,
    /// `i=` is not an identity within `d=`.
    #[error("invalid identity i={0}")]
    InvalidIdentity(String),
    /// The key refused to sign.
    #[error(transparent)]
    Crypto(#[from] crypto::SignError),
}

/// Signs a message with one or more keys in one pass over it (dual RSA + Ed25519 signing costs
/// one body read).
///
/// - Input: [`handle_input`](Self::handle_input) with each chunk of the message (CRLF line
///   ends), then [`finish`](Self::finish).
/// - Result: the DKIM-Signature fields, each folded at 78 columns and ended with CRLF, to
///   prepend to the message in the order returned.
///
/// Only the header block is kept (up to 1 MiB); the body is hashed as it passes.
///
/// ```
/// use tegami_core::crypto::{CryptoBackend, PrivateKey, RingBackend, SignPolicy};
/// use tegami_dkim::{Signer, SigningSpec};
///
/// let key = RingBackend.signing_key(&PrivateKey::ed25519_seed([7; 32]), &SignPolicy::default())?;
/// let mut signer = Signer::with_backend(
///     RingBackend,
///     vec![SigningSpec::new(&key, "example.com".parse()?, "s1".try_into()?)],
///     1_700_000_000,
/// );
/// signer.handle_input(b"From: a@example.com\r\nSubject: hi\r\n\r\n");
/// signer.handle_input(b"Hello.\r\n");
/// let fields = signer.finish()?;
/// assert!(fields[0].starts_with("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Signer<K, B: CryptoBackend> {
    backend: B,
    specs: Vec<(SigningSpec<K>, BodyHashId)>,
    now: u64,
    reader: MessageReader,
    bodies: BodyHashes<B::Hasher>,
    overflowed: bool,
}

#[cfg(any(feature = "ring", feature = "aws-lc"))]
impl<K: SigningKey> Signer<K, crypto::DefaultBackend> {
    /// A signer with the default crypto backend, signing at time `now` (Unix seconds).
    pub fn new(specs: Vec<SigningSpec<K>>, now: u64) -> Signer<K, crypto::DefaultBackend> {
        Signer::with_backend(crypto::DefaultBackend::default(), specs, now)
    }
}

impl<K: SigningKey, B: CryptoBackend> Signer<K, B> {
    /// A signer with an explicit crypto backend (used for hashing; the keys sign themselves).
    pub fn with_backend(backend: B, specs: Vec<SigningSpec<K>>, now: u64) -> Signer<K, B> {
        let mut bodies = BodyHashes::new();
        let specs = specs
            .into_iter()
            .map(|spec| {
                let body = bodies.add(
                    &backend,
                    spec.canonicalization.body,
                    spec.key.algorithm().hash(),
                    None,
                );
                (spec, body)
            })
            .collect();
        Signer {
            backend,
            specs,
            now,
            reader: MessageReader::new(MAX_HEADER_BYTES),
            bodies,
            overflowed: false,
        }
    }

    /// Feeds the next chunk of the message.
    pub fn handle_input(&mut self, chunk: &[u8]) {
        match self.reader.feed(chunk) {
            Fed::Nothing => {}
            Fed::Overflowed => self.overflowed = true,
            Fed::HeaderDone(rest) => {
                self.bodies.feed(rest);
            }
            Fed::Body(body) => self.bodies.feed(body),
        }
    }

    /// Ends the message and makes the signatures.
    ///
    /// # Errors
    ///
    /// [`SignError`] for an oversized header block, a bad spec, or a key that fails to sign.
    pub fn finish(mut self) -> Result<Vec<String>, SignError> {
        if self.overflowed {
            return Err(SignError::HeaderTooLarge(MAX_HEADER_BYTES));
        }
        self.reader.end();
        let digests = self.bodies.finish();
        let block = self.reader.header();
        let fields = HeaderFields::split(block);
        self.specs
            .iter()
            .map(|(spec, body)| {
                sign_one(
                    &self.backend,
                    spec,
                    *body,
                    &digests,
                    block,
                    &fields,
                    self.now,
                )
            })
            .collect()
    }
}

impl<K, B: CryptoBackend> core::fmt::Debug for Signer<K, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signer")
            .field("signatures", &self.specs.len())
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

fn sign_one<K: SigningKey, B: CryptoBackend>(
    backend: &B,
    spec: &SigningSpec<K>,
    body: BodyHashId,
    digests: &BodyDigests,
    block: &[u8],
    fields: &HeaderFields,
    now: u64,
) -> Result<String, SignError> {
    let algorithm = spec.key.algorithm();
    let names: Vec<String> = match &spec.headers {
        Some(names) => names.iter().map(|name| name.to_ascii_lowercase()).collect(),
        None => oversigned(block, fields),
    };
    if !names.iter().any(|name| name == "from") {
        return Err(SignError::FromNotSigned);
    }
    let identity = match &spec.identity {
        Some(identity) => {
            let encoded = quoted_printable(identity);
            Identity::parse(&encoded, &spec.domain)
                .map_err(|_| SignError::InvalidIdentity(identity.clone()))?;
            Some(encoded)
        }
        None => None,
    };
    let (digest, total) = digests
        .get(body)
        .ok_or_else(|| crypto::SignError::Backend("body hash missing".into()))?;

    let mut field = Folder::new("DKIM-Signature:");
    field.unit("v=1;");
    field.unit(&alloc::format!("a={};", algorithm.dkim_name()));
    field.unit(&alloc::format!("c={};", spec.canonicalization));
    field.unit(&alloc::format!("d={};", spec.domain));
    field.unit(&alloc::format!("s={};", spec.selector));
    field.unit(&alloc::format!("t={now};"));
    if let Some(after) = spec.expires_after {
        field.unit(&alloc::format!("x={};", now.saturating_add(after)));
    }
    if let Some(identity) = &identity {
        field.unit(&alloc::format!("i={identity};"));
    }
    if spec.body_length {
        field.unit(&alloc::format!("l={total};"));
    }
    field.list("h=", &names, ':');
    if spec.copy_headers {
        let copies: Vec<String> = fields
            .select(block, names.iter().map(String::as_str))
            .flatten()
            .map(|field| copied_field(field.raw(block)))
            .collect();
        field.list("z=", &copies, '|');
    }
    field.anywhere("bh=", &STANDARD.encode(digest.as_ref()), ";");
    field.unit("b=");
    let data = header::signed_data(
        block,
        fields,
        names.iter().map(String::as_str),
        spec.canonicalization.header,
        field.text.as_bytes(),
    );
    let signature = crypto::sign(backend, &spec.key, &data)?;
    field.value_rest(&STANDARD.encode(signature));
    field.text.push_str("\r\n");
    Ok(field.text)
}

/// The default fields, each named once more than the message holds it.
fn oversigned(block: &[u8], fields: &HeaderFields) -> Vec<String> {
    let mut names = Vec::new();
    for &name in DEFAULT_SIGNED_HEADERS {
        let present = fields
            .iter()
            .filter(|field| field.name(block).eq_ignore_ascii_case(name.as_bytes()))
            .count();
        names.extend(core::iter::repeat_n(String::from(name), present + 1));
    }
    names
}

/// `i=` in dkim-quoted-printable (RFC 6376 §2.11): octets outside `0x21-0x3A / 0x3C /
/// 0x3E-0x7E` (whitespace, `;`, `=`, non-ASCII) become `=XX`.
fn quoted_printable(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if matches!(byte, 0x21..=0x3a | 0x3c | 0x3e..=0x7e) {
            out.push(char::from(byte));
        } else {
            out.push_str(&alloc::format!("={byte:02X}"));
        }
    }
    out
}

/// One `z=` entry: `name:value` in dkim-quoted-printable with `|` escaped (RFC 6376 §3.5).
fn copied_field(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let colon = memchr::memchr(b':', raw).unwrap_or(raw.len());
    for (index, &byte) in raw.iter().enumerate() {
        let literal = (index <= colon && byte != b' ' && byte != b'\t')
            || matches!(byte, 0x21..=0x3a | 0x3c | 0x3e..=0x7b | 0x7d..=0x7e);
        if literal && byte != b'|' {
            out.push(char::from(byte));
        } else {
            out.push_str(&alloc::format!("={byte:02X}"));
        }
    }
    out
}

/// Writes a field folded at 78 columns, breaking only where the grammar allows FWS.
struct Folder {
    text: String,
    column: usize,
}

impl Folder {
    fn new(name: &str) -> Folder {
        Folder {
            text: String::from(name),
            column: name.len(),
        }
    }

    /// Places an unbreakable piece, after a space or at the start of a new line.
    fn unit(&mut self, piece: &str) {
        self.place(piece, true);
    }

    /// Places a piece with no space before it unless it starts a new line.
    fn place(&mut self, piece: &str, spaced: bool) {
        let gap = usize::from(spaced);
        if self.column + gap + piece.len() > LINE && self.column > 1 {
            self.text.push_str("\r\n ");
            self.column = 1;
        } else if spaced {
            self.text.push(' ');
            self.column += 1;
        }
        self.text.push_str(piece);
        self.column += piece.len();
    }

    /// A list tag (`h=`, `z=`) that may break after each separator.
    fn list(&mut self, tag: &str, items: &[String], separator: char) {
        let count = items.len();
        for (index, item) in items.iter().enumerate() {
            let mut piece = String::new();
            if index == 0 {
                piece.push_str(tag);
            }
            piece.push_str(item);
            piece.push(if index + 1 == count { ';' } else { separator });
            self.place(&piece, index == 0);
        }
    }

    /// A base64 tag that may break anywhere in its value.
    fn anywhere(&mut self, tag: &str, value: &str, end: &str) {
        self.unit(tag);
        self.value_rest(value);
        self.text.push_str(end);
        self.column += end.len();
    }

    /// Appends base64 text right after what is written, filling lines to the limit.
    fn value_rest(&mut self, value: &str) {
        let mut rest = value;
        while !rest.is_empty() {
            let room = LINE.saturating_sub(self.column + 1);
            if room == 0 {
                self.text.push_str("\r\n ");
                self.column = 1;
                continue;
            }
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.text.push_str(now);
            self.column += now.len();
            rest = later;
        }
    }
}

/// Where lines are folded.
const LINE: usize = 78;
/// The largest header block the signer keeps.
const MAX_HEADER_BYTES: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_within_78_columns() {
        let mut folder = Folder::new("DKIM-Signature:");
        folder.unit("v=1;");
        let names: Vec<String> = (0..40).map(|i| alloc::format!("x-header-{i}")).collect();
        folder.list("h=", &names, ':');
        folder.anywhere("bh=", &"A".repeat(200), ";");
        for line in folder.text.split("\r\n") {
            assert!(line.len() <= LINE, "{line}");
            assert!(!line.trim().is_empty());
        }
        let unfolded = folder.text.replace("\r\n ", "");
        assert!(unfolded.contains(&names.join(":")));
    }

    #[test]
    fn identity_is_written_quoted_printable() {
        assert_eq!(
            quoted_printable("jo;e=x@example.com"),
            "jo=3Be=3Dx@example.com"
        );
        assert_eq!(quoted_printable("@example.com"), "@example.com");
    }

    #[test]
    fn copied_fields_escape_what_they_must() {
        assert_eq!(copied_field(b"Subject: a|b=c;"), "Subject:=20a=7Cb=3Dc=3B");
    }
}
