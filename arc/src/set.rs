//! The three header fields of an ARC set, [RFC 8617 §4.1](https://www.rfc-editor.org/rfc/rfc8617#section-4.1).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use tegami_core::crypto::SigningAlgorithm;
use tegami_core::domain::Domain;
use tegami_core::tag_list::{TagList, without_whitespace};
use tegami_dkim::Selector;
use tegami_dkim::canon::CanonicalizationPair;

/// The highest instance number a chain may reach (RFC 8617 §4.2.1).
pub const MAX_INSTANCE: u32 = 50;

/// The chain validation status a seal records in `cv=` (RFC 8617 §4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainStatus {
    /// No chain, or the first set of one.
    None,
    /// The chain validated.
    Pass,
    /// The chain failed.
    Fail,
}

impl ChainStatus {
    /// The `cv=` word.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainStatus::None => "none",
            ChainStatus::Pass => "pass",
            ChainStatus::Fail => "fail",
        }
    }

    fn parse(value: &str) -> Option<ChainStatus> {
        [ChainStatus::None, ChainStatus::Pass, ChainStatus::Fail]
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(value))
    }
}

impl fmt::Display for ChainStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ARC-Message-Signature (RFC 8617 §4.1.2): a DKIM signature with `i=` as its instance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageSignature {
    /// `i=`: the instance.
    pub instance: u32,
    /// `a=`.
    pub algorithm: SigningAlgorithm,
    /// `b=`, decoded.
    pub signature: Vec<u8>,
    /// `bh=`, decoded.
    pub body_hash: Vec<u8>,
    /// `c=`; `relaxed/relaxed` when absent, the only form ARC signers use (the ValiMail suite
    /// and dkimpy read it so).
    pub canonicalization: CanonicalizationPair,
    /// `d=`.
    pub domain: Domain,
    /// `h=`.
    pub signed_headers: Vec<String>,
    /// `s=`.
    pub selector: Selector,
    /// `t=`.
    pub timestamp: Option<u64>,
}

/// An ARC-Seal (RFC 8617 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seal {
    /// `i=`: the instance.
    pub instance: u32,
    /// `a=`.
    pub algorithm: SigningAlgorithm,
    /// `b=`, decoded.
    pub signature: Vec<u8>,
    /// `cv=`.
    pub chain_status: ChainStatus,
    /// `d=`.
    pub domain: Domain,
    /// `s=`.
    pub selector: Selector,
    /// `t=`.
    pub timestamp: Option<u64>,
}

/// Why an ARC header field is unusable; each makes the chain fail (RFC 8617 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetError {
    /// The field is not a valid tag-list (duplicate tags included).
    #[error("malformed tag-list: {0}")]
    Syntax(tegami_core::tag_list::TagListError),
    /// A required tag is absent.
    #[error("required tag {0}= is missing")]
    MissingTag(&'static str),
    /// `i=` is not an instance number from 1 to 50.
    #[error("invalid instance i={0}")]
    InvalidInstance(String),
    /// `a=` is unknown or refused (rsa-sha1, RFC 8301).
    #[error("unsupported algorithm a={0}")]
    UnsupportedAlgorithm(String),
    /// A base64 value does not decode, or is empty.
    #[error("{0}= is not valid base64")]
    Base64(&'static str),
    /// `c=` is unknown.
    #[error("unsupported canonicalization c={0}")]
    UnsupportedCanonicalization(String),
    /// `d=` is not a domain name.
    #[error("invalid signing domain d={0}")]
    InvalidDomain(String),
    /// `s=` is not a selector.
    #[error("invalid selector s={0}")]
    InvalidSelector(String),
    /// `h=` is empty, malformed, or signs an ARC-Seal (RFC 8617 §4.1.2).
    #[error("invalid header list h={0}")]
    InvalidHeaderList(String),
    /// `t=` is not a number.
    #[error("invalid timestamp t={0}")]
    InvalidTimestamp(String),
    /// `cv=` is not none, pass or fail.
    #[error("invalid chain status cv={0}")]
    InvalidChainStatus(String),
    /// A seal carries `h=`, which RFC 8617 §4.1.3 forbids.
    #[error("ARC-Seal must not have h=")]
    SealWithHeaderList,
    /// An ARC-Authentication-Results field does not start with `i=<instance>;`.
    #[error("ARC-Authentication-Results does not start with i=<instance>;")]
    ResultsWithoutInstance,
}

impl MessageSignature {
    /// Parses an ARC-Message-Signature value.
    ///
    /// # Errors
    ///
    /// [`SetError`] naming the first problem.
    pub fn parse(value: &[u8]) -> Result<MessageSignature, SetError> {
        let tags = TagList::parse(value).map_err(SetError::Syntax)?;
        let required = |name: &'static str| tags.get(name).ok_or(SetError::MissingTag(name));
        let instance = instance(required("i")?)?;
        let algorithm = algorithm(required("a")?)?;
        let signature = base64(required("b")?, "b")?;
        let body_hash = base64(required("bh")?, "bh")?;
        let canonicalization = match tags.get("c") {
            Some(value) => CanonicalizationPair::parse(value)
                .ok_or_else(|| SetError::UnsupportedCanonicalization(value.into()))?,
            None => CanonicalizationPair::RELAXED,
        };
        let domain = domain(required("d")?)?;
        let selector = selector(required("s")?)?;
        let list = required("h")?;
        let signed_headers: Vec<String> = without_whitespace(list)
            .split(':')
            .map(String::from)
            .collect();
        // An empty name selects nothing, like a name absent from the message: the suite
        // RFC 8617 was written with passes `h=` empty and `h=from:to::date`.
        let bad_name = |name: &String| {
            !name.bytes().all(|byte| (0x21..=0x7e).contains(&byte))
                || name.eq_ignore_ascii_case("arc-seal")
        };
        if signed_headers.iter().any(bad_name) {
            return Err(SetError::InvalidHeaderList(list.into()));
        }
        Ok(MessageSignature {
            instance,
            algorithm,
            signature,
            body_hash,
            canonicalization,
            domain,
            signed_headers,
            selector,
            timestamp: timestamp(tags.get("t"))?,
        })
    }

    /// The key record's name.
    pub fn key_name(&self) -> String {
        alloc::format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

impl Seal {
    /// Parses an ARC-Seal value.
    ///
    /// # Errors
    ///
    /// [`SetError`] naming the first problem.
    pub fn parse(value: &[u8]) -> Result<Seal, SetError> {
        let tags = TagList::parse(value).map_err(SetError::Syntax)?;
        let required = |name: &'static str| tags.get(name).ok_or(SetError::MissingTag(name));
        if tags.get("h").is_some() {
            return Err(SetError::SealWithHeaderList);
        }
        let status = required("cv")?;
        Ok(Seal {
            instance: instance(required("i")?)?,
            algorithm: algorithm(required("a")?)?,
            signature: base64(required("b")?, "b")?,
            chain_status: ChainStatus::parse(status.trim_ascii())
                .ok_or_else(|| SetError::InvalidChainStatus(status.into()))?,
            domain: domain(required("d")?)?,
            selector: selector(required("s")?)?,
            timestamp: timestamp(tags.get("t"))?,
        })
    }

    /// The key record's name.
    pub fn key_name(&self) -> String {
        alloc::format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

/// The instance of an ARC-Authentication-Results value: `i=<1..50>;` comes first (RFC 8617
/// §4.1.1).
///
/// # Errors
///
/// [`SetError::ResultsWithoutInstance`] or [`SetError::InvalidInstance`].
pub fn results_instance(value: &[u8]) -> Result<u32, SetError> {
    let text = core::str::from_utf8(value).map_err(|_| SetError::ResultsWithoutInstance)?;
    let text = text.trim_start_matches([' ', '\t', '\r', '\n']);
    let rest = text
        .strip_prefix("i=")
        .ok_or(SetError::ResultsWithoutInstance)?;
    let (number, _) = rest
        .split_once(';')
        .ok_or(SetError::ResultsWithoutInstance)?;
    instance(number)
}

/// An ARC-Authentication-Results value without its leading `i=<instance>;`: the
/// Authentication-Results payload the sealer recorded (RFC 8617 §4.1.1). A value without the
/// tag is returned whole.
///
/// ```
/// use tegami_arc::results_payload;
///
/// let value = b" i=1; lists.example.org;\r\n spf=pass smtp.mailfrom=alice@example.com";
/// assert_eq!(results_payload(value), b" lists.example.org;\r\n spf=pass smtp.mailfrom=alice@example.com");
/// assert_eq!(results_payload(b"mx.example; none"), b"mx.example; none");
/// ```
#[must_use]
pub fn results_payload(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(value.len());
    let rest = value.get(start..).unwrap_or_default();
    if !rest.starts_with(b"i=") {
        return value;
    }
    match rest.iter().position(|&b| b == b';') {
        Some(semicolon) => rest.get(semicolon + 1..).unwrap_or_default(),
        None => value,
    }
}

fn instance(value: &str) -> Result<u32, SetError> {
    let trimmed = value.trim_ascii();
    let invalid = || SetError::InvalidInstance(value.into());
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) || trimmed.len() > 2 {
        return Err(invalid());
    }
    let number: u32 = trimmed.parse().map_err(|_| invalid())?;
    if (1..=MAX_INSTANCE).contains(&number) {
        Ok(number)
    } else {
        Err(invalid())
    }
}

fn algorithm(value: &str) -> Result<SigningAlgorithm, SetError> {
    SigningAlgorithm::from_dkim_name(value)
        .filter(|algorithm| *algorithm != SigningAlgorithm::RsaSha1)
        .ok_or_else(|| SetError::UnsupportedAlgorithm(value.into()))
}

fn base64(value: &str, tag: &'static str) -> Result<Vec<u8>, SetError> {
    // Strict and vectorised, as DKIM decodes its signatures.
    let decoded = encodify::base64::STANDARD
        .decode(without_whitespace(value).as_bytes())
        .map_err(|_| SetError::Base64(tag))?;
    if decoded.is_empty() {
        return Err(SetError::Base64(tag));
    }
    Ok(decoded)
}

fn domain(value: &str) -> Result<Domain, SetError> {
    Domain::parse(value.as_bytes()).map_err(|_| SetError::InvalidDomain(value.into()))
}

fn selector(value: &str) -> Result<Selector, SetError> {
    Selector::try_from(value).map_err(|_| SetError::InvalidSelector(value.into()))
}

fn timestamp(value: Option<&str>) -> Result<Option<u64>, SetError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let trimmed = value.trim_ascii();
    if trimmed.is_empty() || trimmed.len() > 12 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SetError::InvalidTimestamp(value.into()));
    }
    trimmed
        .parse()
        .map(Some)
        .map_err(|_| SetError::InvalidTimestamp(value.into()))
}
