//! The DKIM-Signature header field, [RFC 6376 §3.5](https://www.rfc-editor.org/rfc/rfc6376#section-3.5).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use tegami_core::crypto::SigningAlgorithm;
use tegami_core::domain::Domain;
use tegami_core::tag_list::{TagList, TagListError, without_whitespace};

use crate::canon::CanonicalizationPair;
use crate::result::DkimResult;

/// A parsed, validated DKIM-Signature (RFC 6376 §3.5).
///
/// Parsing applies every rule the RFC puts on the field alone: required tags, known algorithm,
/// canonicalization and query method, `From` among the signed fields, `i=` within `d=`, and
/// `x=` after `t=`. Rules that need a clock or a key are the verifier's.
///
/// ```
/// use tegami_dkim::{Signature, SignatureConfig};
///
/// let signature = Signature::parse(
///     b" v=1; a=rsa-sha256; d=example.com; s=sel;\r\n h=From:To; bh=AAAA; b=BBBB",
///     &SignatureConfig::default(),
/// )?;
/// assert_eq!(signature.domain.as_str(), "example.com");
/// assert_eq!(signature.key_name(), "sel._domainkey.example.com");
/// # Ok::<(), tegami_dkim::SignatureError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// `a=`: the signing algorithm.
    pub algorithm: SigningAlgorithm,
    /// `b=`: the signature, decoded.
    pub signature: Vec<u8>,
    /// `bh=`: the body hash, decoded.
    pub body_hash: Vec<u8>,
    /// `c=`: header and body canonicalization.
    pub canonicalization: CanonicalizationPair,
    /// `d=`: the signing domain (SDID).
    pub domain: Domain,
    /// `h=`: the signed header field names, in order, as written.
    pub signed_headers: HeaderNames,
    /// `i=`: the agent or user identifier (AUID); `@d=` when absent.
    pub identity: Identity,
    /// `l=`: how many octets of the canonical body are signed, if not all.
    pub body_length: Option<u64>,
    /// `s=`: the selector.
    pub selector: Selector,
    /// `t=`: when the signature was made, in seconds since the Unix epoch.
    pub timestamp: Option<u64>,
    /// `x=`: when the signature expires, in seconds since the Unix epoch.
    pub expiration: Option<u64>,
    /// `z=`: the copied header fields, as written (dkim-quoted-printable).
    pub copied_headers: Option<String>,
    /// `b=` as written, whitespace removed, for the A-R `header.b` property (RFC 6008).
    pub signature_text: String,
}

/// The `i=` identity: an optional local part and a domain (RFC 6376 §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The local part, decoded from dkim-quoted-printable; `None` when `i=` was `@domain` or absent.
    pub local_part: Option<String>,
    /// The domain: `d=` or a subdomain of it.
    pub domain: Domain,
}

/// A DKIM selector: dot-separated labels of letters, digits, hyphens and underscores
/// (RFC 6376 §3.1, with the underscore DNS allows).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selector(String);

/// What the signature parser accepts beyond RFC 6376.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureConfig {
    /// Accept a missing `v=`, the draft `v=0.5` and the draft query method `q=dns` of
    /// pre-RFC 4871 signers (the corpus of Mail::DKIM holds such signatures from 2005-2007
    /// software). Off by default.
    pub allow_legacy_version: bool,
}

/// Why a DKIM-Signature field is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The field is not a valid tag-list (duplicate tags included).
    #[error("malformed tag-list: {0}")]
    Syntax(TagListError),
    /// A required tag is absent.
    #[error("required tag {0}= is missing")]
    MissingTag(&'static str),
    /// `v=` is not `1`.
    #[error("unsupported version v={0}")]
    UnsupportedVersion(String),
    /// `a=` names an algorithm this crate does not know.
    #[error("unsupported algorithm a={0}")]
    UnsupportedAlgorithm(String),
    /// `c=` names an unknown canonicalization.
    #[error("unsupported canonicalization c={0}")]
    UnsupportedCanonicalization(String),
    /// `q=` lists no query method this crate knows (only `dns/txt` exists).
    #[error("unsupported query method q={0}")]
    UnsupportedQueryMethod(String),
    /// A base64 value (`b=`, `bh=`) does not decode.
    #[error("{0}= is not valid base64")]
    Base64(&'static str),
    /// `d=` is not a domain name.
    #[error("invalid signing domain d={0}")]
    InvalidDomain(String),
    /// `s=` is not a selector.
    #[error("invalid selector s={0}")]
    InvalidSelector(String),
    /// `h=` holds an empty or invalid field name.
    #[error("invalid header list h={0}")]
    InvalidHeaderList(String),
    /// `h=` does not sign From (RFC 6376 §5.4).
    #[error("From is not among the signed header fields")]
    FromNotSigned,
    /// `i=` is not an identity.
    #[error("invalid identity i={0}")]
    InvalidIdentity(String),
    /// The `i=` domain is neither `d=` nor below it (RFC 6376 §3.5).
    #[error("identity domain is not within d=")]
    IdentityOutsideDomain,
    /// A number (`l=`, `t=`, `x=`) is malformed.
    #[error("invalid number in {0}=")]
    InvalidNumber(&'static str),
    /// `x=` is not after `t=` (RFC 6376 §3.5).
    #[error("expiration x= is not after timestamp t=")]
    ExpiresBeforeSigned,
}

impl SignatureError {
    /// The RFC 8601 result a signature with this problem gets: `neutral` for a field that
    /// cannot be read, `permerror` for one that breaks a rule of the protocol.
    pub fn result(&self) -> DkimResult {
        match self {
            SignatureError::Syntax(_)
            | SignatureError::MissingTag(_)
            | SignatureError::UnsupportedVersion(_)
            | SignatureError::UnsupportedAlgorithm(_)
            | SignatureError::UnsupportedCanonicalization(_)
            | SignatureError::UnsupportedQueryMethod(_)
            | SignatureError::Base64(_)
            | SignatureError::InvalidNumber(_) => DkimResult::Neutral,
            SignatureError::InvalidDomain(_)
            | SignatureError::InvalidSelector(_)
            | SignatureError::InvalidHeaderList(_)
            | SignatureError::FromNotSigned
            | SignatureError::InvalidIdentity(_)
            | SignatureError::IdentityOutsideDomain
            | SignatureError::ExpiresBeforeSigned => DkimResult::PermError,
        }
    }
}

impl Signature {
    /// Parses the value of a DKIM-Signature field (everything after the colon).
    ///
    /// # Errors
    ///
    /// [`SignatureError`] naming the first rule the field breaks.
    pub fn parse(value: &[u8], config: &SignatureConfig) -> Result<Signature, SignatureError> {
        let tags = TagList::parse(value).map_err(SignatureError::Syntax)?;
        Signature::from_tags(&tags, config)
    }

    /// Reads a signature from its already parsed tag-list.
    ///
    /// # Errors
    ///
    /// As [`Signature::parse`], but for the tag-list syntax.
    pub fn from_tags<'t>(
        tags: &TagList<'t>,
        config: &SignatureConfig,
    ) -> Result<Signature, SignatureError> {
        let known = Known::read(tags);
        let required = |value: Option<&'t str>, name: &'static str| {
            value.ok_or(SignatureError::MissingTag(name))
        };
        match known.v {
            Some("1") => {}
            Some("0.5") | None if config.allow_legacy_version => {}
            Some(version) => return Err(SignatureError::UnsupportedVersion(version.into())),
            None => return Err(SignatureError::MissingTag("v")),
        }
        let algorithm_name = required(known.a, "a")?;
        let algorithm = SigningAlgorithm::from_dkim_name(algorithm_name)
            .ok_or_else(|| SignatureError::UnsupportedAlgorithm(algorithm_name.into()))?;
        let signature_text = without_whitespace(required(known.b, "b")?).into_owned();
        let signature = decode_base64(&signature_text, "b")?;
        let body_hash = decode_base64(&without_whitespace(required(known.bh, "bh")?), "bh")?;
        let canonicalization = match known.c {
            Some(value) => CanonicalizationPair::parse(value)
                .ok_or_else(|| SignatureError::UnsupportedCanonicalization(value.into()))?,
            None => CanonicalizationPair::default(),
        };
        if let Some(methods) = known.q {
            let known = without_whitespace(methods).split(':').any(|method| {
                method.eq_ignore_ascii_case("dns/txt")
                    || (config.allow_legacy_version && method.eq_ignore_ascii_case("dns"))
            });
            if !known {
                return Err(SignatureError::UnsupportedQueryMethod(methods.into()));
            }
        }
        let domain_text = required(known.d, "d")?;
        let domain = Domain::parse(domain_text.as_bytes())
            .map_err(|_| SignatureError::InvalidDomain(domain_text.into()))?;
        let selector = Selector::try_from(required(known.s, "s")?)?;
        let signed_headers = HeaderNames::parse(required(known.h, "h")?)?;
        if !signed_headers
            .iter()
            .any(|name| name.eq_ignore_ascii_case("from"))
        {
            return Err(SignatureError::FromNotSigned);
        }
        let identity = match known.i {
            Some(value) => Identity::parse(value, &domain)?,
            None => Identity {
                local_part: None,
                domain: domain.clone(),
            },
        };
        let body_length = number(known.l, "l", 76)?;
        let timestamp = number(known.t, "t", 12)?;
        let expiration = number(known.x, "x", 12)?;
        if let (Some(timestamp), Some(expiration)) = (timestamp, expiration)
            && expiration <= timestamp
        {
            return Err(SignatureError::ExpiresBeforeSigned);
        }
        Ok(Signature {
            algorithm,
            signature,
            body_hash,
            canonicalization,
            domain,
            signed_headers,
            identity,
            body_length,
            selector,
            timestamp,
            expiration,
            copied_headers: known.z.map(String::from),
            signature_text,
        })
    }

    /// The DNS name of the key record: `<s>._domainkey.<d>` (RFC 6376 §3.6.2.1).
    pub fn key_name(&self) -> String {
        const MIDDLE: &str = "._domainkey.";
        let (selector, domain) = (self.selector.as_str(), self.domain.as_str());
        let mut name = String::with_capacity(selector.len() + MIDDLE.len() + domain.len());
        name.push_str(selector);
        name.push_str(MIDDLE);
        name.push_str(domain);
        name
    }
}

/// The values of the tags RFC 6376 §3.5 defines, picked out in one pass over the list (a
/// valid list names each tag once); other tags are ignored, as §3.2 requires.
#[derive(Default)]
struct Known<'t> {
    v: Option<&'t str>,
    a: Option<&'t str>,
    b: Option<&'t str>,
    bh: Option<&'t str>,
    c: Option<&'t str>,
    d: Option<&'t str>,
    h: Option<&'t str>,
    i: Option<&'t str>,
    l: Option<&'t str>,
    q: Option<&'t str>,
    s: Option<&'t str>,
    t: Option<&'t str>,
    x: Option<&'t str>,
    z: Option<&'t str>,
}

impl<'t> Known<'t> {
    fn read(tags: &TagList<'t>) -> Known<'t> {
        let mut known = Known::default();
        for tag in tags.tags() {
            let slot = match tag.name() {
                "v" => &mut known.v,
                "a" => &mut known.a,
                "b" => &mut known.b,
                "bh" => &mut known.bh,
                "c" => &mut known.c,
                "d" => &mut known.d,
                "h" => &mut known.h,
                "i" => &mut known.i,
                "l" => &mut known.l,
                "q" => &mut known.q,
                "s" => &mut known.s,
                "t" => &mut known.t,
                "x" => &mut known.x,
                "z" => &mut known.z,
                _ => continue,
            };
            *slot = Some(tag.value());
        }
        known
    }
}

impl Identity {
    /// Reads an `i=` value (dkim-quoted-printable, `[local-part] "@" domain`) and checks that its
    /// domain is `domain` or a subdomain of it.
    ///
    /// # Errors
    ///
    /// [`SignatureError::InvalidIdentity`] or [`SignatureError::IdentityOutsideDomain`].
    pub fn parse(value: &str, domain: &Domain) -> Result<Identity, SignatureError> {
        let invalid = || SignatureError::InvalidIdentity(value.into());
        let decoded = decode_quoted_printable(&without_whitespace(value)).ok_or_else(invalid)?;
        let (local, identity_domain) = decoded.rsplit_once('@').ok_or_else(invalid)?;
        let identity_domain = Domain::parse(identity_domain.as_bytes()).map_err(|_| invalid())?;
        if identity_domain != *domain && !identity_domain.is_subdomain_of(domain) {
            return Err(SignatureError::IdentityOutsideDomain);
        }
        Ok(Identity {
            local_part: (!local.is_empty()).then(|| local.into()),
            domain: identity_domain,
        })
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}@{}",
            self.local_part.as_deref().unwrap_or_default(),
            self.domain
        )
    }
}

impl Selector {
    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Selector {
    type Error = SignatureError;

    /// Validates a selector; a NUL or any other octet outside a DNS label is refused
    /// ("Composition Kills" A3 hides a NUL in `s=`).
    fn try_from(value: &str) -> Result<Selector, SignatureError> {
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        };
        if value.len() <= 253 && value.split('.').all(label_ok) {
            Ok(Selector(value.into()))
        } else {
            Err(SignatureError::InvalidSelector(value.into()))
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `h=` tag: the signed header field names in order, as written (RFC 6376 §3.5), kept as
/// one colon-separated text without its folding whitespace.
///
/// ```
/// use tegami_dkim::HeaderNames;
///
/// let names = HeaderNames::parse("From : To:\r\n\tSubject")?;
/// assert_eq!(names.iter().collect::<Vec<_>>(), ["From", "To", "Subject"]);
/// assert_eq!((names.len(), names.as_str()), (3, "From:To:Subject"));
/// assert!(HeaderNames::parse("From::To").is_err());
/// # Ok::<(), tegami_dkim::SignatureError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderNames(String);

impl HeaderNames {
    /// Reads an `h=` value: colon-separated field names (printable ASCII but the colon),
    /// folding whitespace allowed around them.
    ///
    /// # Errors
    ///
    /// [`SignatureError::InvalidHeaderList`] for an empty name or one with another octet.
    pub fn parse(value: &str) -> Result<HeaderNames, SignatureError> {
        let compact = without_whitespace(value);
        let names = compact.as_bytes();
        // Tested without early exits, so that the compiler vectorises them: every octet is
        // printable ASCII, and no name is empty (no colon first, last, or after a colon).
        let printable = names
            .iter()
            .fold(true, |valid, &byte| valid & (0x21..=0x7e).contains(&byte));
        let no_empty_name = names
            .iter()
            .zip(names.get(1..).unwrap_or_default())
            .fold(true, |valid, (&this, &next)| {
                valid & !((this == b':') & (next == b':'))
            });
        let valid = printable
            && no_empty_name
            && names.first().is_some_and(|&first| first != b':')
            && names.last().is_some_and(|&last| last != b':');
        if valid {
            Ok(HeaderNames(compact.into_owned()))
        } else {
            Err(SignatureError::InvalidHeaderList(value.into()))
        }
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        // Names are a few octets long: a plain look for each colon beats a searcher.
        let mut rest = Some(self.0.as_str());
        core::iter::from_fn(move || {
            let text = rest?;
            match text.bytes().position(|byte| byte == b':') {
                Some(colon) => {
                    rest = text.get(colon + 1..);
                    text.get(..colon)
                }
                None => {
                    rest = None;
                    Some(text)
                }
            }
        })
    }

    /// How many names the list holds (a name given twice counts twice).
    pub fn len(&self) -> usize {
        self.0.bytes().filter(|&byte| byte == b':').count() + 1
    }

    /// Always false: a valid list names at least one field.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names joined by colons, as a signer writes them.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HeaderNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A decimal number of at most `digits` digits (`l=` allows 76, `t=` and `x=` 12).
fn number(
    value: Option<&str>,
    tag: &'static str,
    digits: usize,
) -> Result<Option<u64>, SignatureError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = value.trim_ascii();
    if value.is_empty() || value.len() > digits || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::InvalidNumber(tag));
    }
    // More digits than a u64 holds mean "more than any body or date": saturate.
    Ok(Some(value.parse().unwrap_or(u64::MAX)))
}

/// Decodes base64 with the whitespace already removed.
pub(crate) fn decode_base64(value: &str, tag: &'static str) -> Result<Vec<u8>, SignatureError> {
    // Strict (canonical padding, zero pad bits), as RFC 6376 §2.4 base64string asks once
    // folding whitespace is gone; a vectorised decoder, signatures being decoded per message.
    encodify::base64::STANDARD
        .decode(value)
        .map_err(|_| SignatureError::Base64(tag))
}

/// Decodes dkim-quoted-printable (RFC 6376 §2.11): `=XX` escapes, everything else literal.
fn decode_quoted_printable(value: &str) -> Option<String> {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'=' {
            let high = hex_value(bytes.next()?)?;
            let low = hex_value(bytes.next()?)?;
            out.push(high << 4 | low);
        } else {
            out.push(byte);
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<Signature, SignatureError> {
        Signature::parse(value.as_bytes(), &SignatureConfig::default())
    }

    const GOOD: &str = "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=BB BB";

    #[test]
    fn header_lists_need_a_name_between_colons() {
        for bad in [
            "",
            " ",
            ":",
            "From:",
            ":From",
            "From::To",
            "From: \r\n :To",
            "Fr\x01om",
        ] {
            assert!(HeaderNames::parse(bad).is_err(), "{bad:?}");
        }
        for (good, names) in [
            ("From", "From"),
            (" From : To ", "From:To"),
            ("a:b:\r\n\tc", "a:b:c"),
            ("X-~!:Y", "X-~!:Y"),
        ] {
            assert_eq!(
                HeaderNames::parse(good).map(|list| list.0),
                Ok(names.into())
            );
        }
    }

    #[test]
    fn reads_every_tag() {
        let signature = parse(&alloc::format!(
            "{GOOD}; c=relaxed; i=jo=40e@mail.example.com; l=10; t=5; x=6; q=dns/txt; z=From:x"
        ))
        .unwrap();
        assert_eq!(signature.canonicalization.to_string(), "relaxed/simple");
        assert_eq!(signature.identity.to_string(), "jo@e@mail.example.com");
        assert_eq!(signature.body_length, Some(10));
        assert_eq!(signature.signature_text, "BBBB");
        assert_eq!(
            signature.signed_headers.iter().collect::<Vec<_>>(),
            ["from", "to"]
        );
        assert_eq!(signature.copied_headers.as_deref(), Some("From:x"));
    }

    #[test]
    fn rfc_rules_on_the_field() {
        let cases = [
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=to; bh=AAAA; b=BBBB",
                SignatureError::FromNotSigned,
            ),
            (
                "a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB",
                SignatureError::MissingTag("v"),
            ),
            (
                "v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB",
                SignatureError::UnsupportedVersion("2".into()),
            ),
            (
                "v=1; a=rsa-md5; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB",
                SignatureError::UnsupportedAlgorithm("rsa-md5".into()),
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB; c=future",
                SignatureError::UnsupportedCanonicalization("future".into()),
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB; q=http",
                SignatureError::UnsupportedQueryMethod("http".into()),
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB; i=a@example.net",
                SignatureError::IdentityOutsideDomain,
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB; t=10; x=10",
                SignatureError::ExpiresBeforeSigned,
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=se\0l; h=from; bh=AAAA; b=BBBB",
                SignatureError::Syntax(TagListError {
                    kind: tegami_core::tag_list::TagListErrorKind::InvalidValue,
                    offset: 38,
                }),
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=se l; h=from; bh=AAAA; b=BBBB",
                SignatureError::InvalidSelector("se l".into()),
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=from::to; bh=AAAA; b=BBBB",
                SignatureError::InvalidHeaderList("from::to".into()),
            ),
            (
                "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AA*A; b=BBBB",
                SignatureError::Base64("bh"),
            ),
            (
                "v=1; v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB",
                SignatureError::Syntax(TagListError {
                    kind: tegami_core::tag_list::TagListErrorKind::DuplicateTag,
                    offset: 4,
                }),
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(parse(value), Err(expected), "{value}");
        }
    }

    #[test]
    fn legacy_versions_only_when_allowed() {
        let legacy = "a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=BBBB";
        assert!(parse(legacy).is_err());
        let config = SignatureConfig {
            allow_legacy_version: true,
        };
        assert!(Signature::parse(legacy.as_bytes(), &config).is_ok());
        let draft = alloc::format!("v=0.5; {legacy}");
        assert!(Signature::parse(draft.as_bytes(), &config).is_ok());
    }

    #[test]
    fn query_methods_in_order_unknown_ignored() {
        assert!(parse(&alloc::format!("{GOOD}; q=http:dns/txt")).is_ok());
        assert!(parse(&alloc::format!("{GOOD}; q=dns/special")).is_err());
    }
}
