//! MTA-STS, [RFC 8461](https://www.rfc-editor.org/rfc/rfc8461): the `_mta-sts` TXT record, the
//! policy file, and the MX host match of §4.1.
//!
//! Fetching the policy over HTTPS and caching it are the caller's I/O; this module reads what
//! was fetched and answers "may I deliver to this MX host, and must the TLS be verified?".
//!
//! ```
//! use tegami_smtp_proto::mta_sts::{Mode, Policy, StsRecord};
//!
//! let record = StsRecord::parse(b"v=STSv1; id=20160831085700Z;")?;
//! assert_eq!(record.id, "20160831085700Z");
//! let policy = Policy::parse(b"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n\
//!     mx: *.example.net\r\nmax_age: 604800\r\n")?;
//! assert_eq!(policy.mode, Mode::Enforce);
//! assert!(policy.matches_mx("a.example.net"));
//! assert!(!policy.matches_mx("a.b.example.net")); // a wildcard covers one label
//! # Ok::<(), tegami_smtp_proto::mta_sts::StsError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use tegami_core::domain::Domain;

/// The `_mta-sts.<domain>` TXT record, RFC 8461 §3.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsRecord {
    /// The policy's identifier: when it changes, the policy file is fetched again.
    pub id: String,
    /// Extension fields, name and value, in order.
    pub extensions: Vec<(String, String)>,
}

/// An MTA-STS policy file, RFC 8461 §3.2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// What to do when delivery cannot meet the policy.
    pub mode: Mode,
    /// The MX host patterns: a name, or `*.` and a name for one more label.
    pub mx: Vec<String>,
    /// How long the policy may be cached, in seconds (at most 31557600).
    pub max_age: u64,
    /// Fields this version does not define, name and value, in order.
    pub extensions: Vec<(String, String)>,
}

/// The `mode` of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Deliver only to matching MX hosts over verified TLS.
    Enforce,
    /// Report failures (TLS-RPT) but deliver anyway.
    Testing,
    /// No policy: the domain is withdrawing it.
    None,
}

/// Why a record or policy is not valid; RFC 8461 says to act as if the domain had no policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StsError {
    /// The record does not start with `v=STSv1`.
    #[error("not an MTA-STS record")]
    NotStsRecord,
    /// Several records start with `v=STSv1` (§3.1: then there is no policy).
    #[error("more than one MTA-STS record")]
    MultipleRecords,
    /// A record field breaks the grammar.
    #[error("malformed field {0:?}")]
    MalformedField(String),
    /// The record has no `id`.
    #[error("record without id")]
    MissingId,
    /// The policy file breaks the grammar or lacks a required field.
    #[error("invalid policy: {0}")]
    InvalidPolicy(&'static str),
    /// The policy file is larger than the 64 KiB a sender reads (§3.3).
    #[error("policy larger than 64 KiB")]
    PolicyTooLarge,
}

impl StsRecord {
    /// Parses one TXT record (its strings joined).
    ///
    /// ```text
    /// sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]
    /// sts-version     = %s"v=STSv1"
    /// sts-sep         = *WSP %x3B *WSP
    /// sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
    /// sts-extension   = sts-ext-name "=" sts-ext-value
    /// ```
    ///
    /// # Errors
    ///
    /// [`StsError`] when the text is not a valid MTA-STS record.
    pub fn parse(text: &[u8]) -> Result<StsRecord, StsError> {
        let text = core::str::from_utf8(text).map_err(|_| StsError::NotStsRecord)?;
        let mut fields = text.split(';').map(|field| field.trim_matches([' ', '\t']));
        if fields.next() != Some("v=STSv1") {
            return Err(StsError::NotStsRecord);
        }
        let mut id = None;
        let mut extensions = Vec::new();
        let mut fields: Vec<&str> = fields.collect();
        if fields.last() == Some(&"") {
            fields.pop();
        }
        for field in fields {
            let malformed = || StsError::MalformedField(field.into());
            let (name, value) = field.split_once('=').ok_or_else(malformed)?;
            if name == "id" {
                let valid = (1..=32).contains(&value.len())
                    && value.bytes().all(|byte| byte.is_ascii_alphanumeric());
                if !valid || id.is_some() {
                    return Err(malformed());
                }
                id = Some(value.into());
            } else {
                // sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
                // sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
                let name_ok = (1..=32).contains(&name.len())
                    && name
                        .bytes()
                        .next()
                        .is_some_and(|byte| byte.is_ascii_alphanumeric())
                    && name
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || b"_-.".contains(&byte));
                let value_ok = !value.is_empty()
                    && value
                        .bytes()
                        .all(|byte| matches!(byte, 0x21..=0x3A | 0x3C | 0x3E..=0x7E));
                if !name_ok || !value_ok {
                    return Err(malformed());
                }
                extensions.push((name.into(), value.into()));
            }
        }
        Ok(StsRecord {
            id: id.ok_or(StsError::MissingId)?,
            extensions,
        })
    }

    /// Picks the record among all TXT records at `_mta-sts.<domain>` (§3.1): records that do not
    /// start with `v=STSv1;` are dropped, and exactly one must remain.
    ///
    /// # Errors
    ///
    /// [`StsError::NotStsRecord`] when none remains, [`StsError::MultipleRecords`] when several
    /// do, or the remaining record's error.
    pub fn select<'r>(records: impl IntoIterator<Item = &'r [u8]>) -> Result<StsRecord, StsError> {
        let mut found = records.into_iter().filter(|record| {
            record.starts_with(b"v=STSv1;")
                || record.starts_with(b"v=STSv1 ")
                || *record == b"v=STSv1"
        });
        let first = found.next().ok_or(StsError::NotStsRecord)?;
        if found.next().is_some() {
            return Err(StsError::MultipleRecords);
        }
        StsRecord::parse(first)
    }
}

impl Policy {
    /// The largest policy file a sender reads, RFC 8461 §3.3.
    pub const MAX_SIZE: usize = 64 * 1024;

    /// The largest `max_age`, RFC 8461 §3.2 (about one year).
    pub const MAX_AGE_LIMIT: u64 = 31_557_600;

    /// Parses a policy file: `key: value` lines ending in LF or CRLF.
    ///
    /// `version: STSv1`, `mode` and `max_age` are required, and `mx` unless the mode is `none`;
    /// unknown keys are kept in `extensions`. A `max_age` above the limit is capped.
    ///
    /// # Errors
    ///
    /// [`StsError::InvalidPolicy`] naming the problem, or [`StsError::PolicyTooLarge`].
    pub fn parse(body: &[u8]) -> Result<Policy, StsError> {
        if body.len() > Policy::MAX_SIZE {
            return Err(StsError::PolicyTooLarge);
        }
        let text = core::str::from_utf8(body).map_err(|_| StsError::InvalidPolicy("not UTF-8"))?;
        let (mut version, mut mode, mut max_age) = (None, None, None);
        let mut mx = Vec::new();
        let mut extensions = Vec::new();
        for line in text.split('\n') {
            let line = line
                .strip_suffix('\r')
                .unwrap_or(line)
                .trim_end_matches([' ', '\t']);
            if line.is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .ok_or(StsError::InvalidPolicy("line without ':'"))?;
            let value = value.trim_start_matches([' ', '\t']);
            match key {
                "version" => version = Some(value),
                "mode" => {
                    mode = Some(match value {
                        "enforce" => Mode::Enforce,
                        "testing" => Mode::Testing,
                        "none" => Mode::None,
                        _ => return Err(StsError::InvalidPolicy("unknown mode")),
                    });
                }
                "max_age" => {
                    let valid = (1..=10).contains(&value.len())
                        && value.bytes().all(|byte| byte.is_ascii_digit());
                    let age: u64 = value
                        .parse()
                        .ok()
                        .filter(|_| valid)
                        .ok_or(StsError::InvalidPolicy("max_age is not 1 to 10 digits"))?;
                    max_age = Some(age.min(Policy::MAX_AGE_LIMIT));
                }
                "mx" => {
                    // A host name, or "*." and a host name (§3.2); kept in A-label form.
                    let (wildcard, name) = match value.strip_prefix("*.") {
                        Some(name) => ("*.", name),
                        None => ("", value),
                    };
                    let domain = Domain::parse(name.as_bytes())
                        .ok()
                        .filter(|domain| domain.label_count() >= 2)
                        .ok_or(StsError::InvalidPolicy("invalid mx pattern"))?;
                    mx.push(alloc::format!("{wildcard}{}", domain.as_str()));
                }
                _ => extensions.push((key.into(), value.into())),
            }
        }
        if version != Some("STSv1") {
            return Err(StsError::InvalidPolicy("version is not STSv1"));
        }
        let mode = mode.ok_or(StsError::InvalidPolicy("no mode"))?;
        let max_age = max_age.ok_or(StsError::InvalidPolicy("no max_age"))?;
        if mx.is_empty() && mode != Mode::None {
            return Err(StsError::InvalidPolicy("no mx"));
        }
        Ok(Policy {
            mode,
            mx,
            max_age,
            extensions,
        })
    }

    /// Whether an MX host name matches one of the policy's patterns (§4.1): a name matches
    /// itself, case-insensitively and without a trailing dot; `*.example.com` matches any name
    /// with exactly one more label on the left.
    pub fn matches_mx(&self, host: &str) -> bool {
        let Ok(host) = Domain::parse(host.as_bytes()) else {
            return false;
        };
        let host = host.as_str();
        self.mx
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(parent) => host
                    .split_once('.')
                    .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
                None => *pattern == host,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8461_record_example() {
        let record = StsRecord::parse(b"v=STSv1; id=20160831085700Z;").unwrap();
        assert_eq!(record.id, "20160831085700Z");
        assert_eq!(
            StsRecord::parse(b"v=STSv1;id=abc; ext=1")
                .unwrap()
                .extensions,
            [("ext".into(), "1".into())]
        );
        assert_eq!(
            StsRecord::parse(b"v=STSv2; id=1"),
            Err(StsError::NotStsRecord)
        );
        assert_eq!(StsRecord::parse(b"v=STSv1;"), Err(StsError::MissingId));
        assert!(StsRecord::parse(b"v=STSv1; id=a-b").is_err());
        assert!(StsRecord::parse(b"v=STSv1; id=1; id=2").is_err());
        assert!(StsRecord::parse(b"v=STSv1; id=123456789012345678901234567890123").is_err());
    }

    #[test]
    fn exactly_one_record() {
        let records: [&[u8]; 3] = [b"v=spf1 -all", b"v=STSv1; id=1", b"something"];
        assert_eq!(StsRecord::select(records).unwrap().id, "1");
        let two: [&[u8]; 2] = [b"v=STSv1; id=1", b"v=STSv1; id=2"];
        assert_eq!(StsRecord::select(two), Err(StsError::MultipleRecords));
        assert_eq!(
            StsRecord::select([b"v=spf1".as_slice()]),
            Err(StsError::NotStsRecord)
        );
    }

    #[test]
    fn rfc8461_policy_example() {
        let policy = Policy::parse(
            b"version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n",
        )
        .unwrap();
        assert_eq!(policy.max_age, 604800);
        assert!(policy.matches_mx("MAIL.example.com."));
        assert!(policy.matches_mx("x.example.net"));
        assert!(!policy.matches_mx("example.net"));
        assert!(!policy.matches_mx("y.x.example.net"));
        assert!(!policy.matches_mx("mail.example.org"));
    }

    #[test]
    fn policy_errors() {
        assert!(Policy::parse(b"mode: enforce\nmx: a.example\nmax_age: 1\n").is_err());
        assert!(
            Policy::parse(b"version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n").is_err()
        );
        assert!(Policy::parse(b"version: STSv1\nmode: enforce\nmax_age: 1\n").is_err());
        assert!(Policy::parse(b"version: STSv1\nmode: none\nmax_age: 1\n").is_ok());
        assert!(
            Policy::parse(b"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n").is_err()
        );
        assert_eq!(
            Policy::parse(b"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 99999999999\n"),
            Err(StsError::InvalidPolicy("max_age is not 1 to 10 digits"))
        );
        assert_eq!(
            Policy::parse(b"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 9999999999\n")
                .unwrap()
                .max_age,
            Policy::MAX_AGE_LIMIT
        );
        assert_eq!(
            Policy::parse(&alloc::vec![b'a'; 70_000]),
            Err(StsError::PolicyTooLarge)
        );
    }
}
