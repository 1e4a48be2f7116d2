//! BIMI records and the DMARC side of BIMI eligibility
//! ([draft-brand-indicators-for-message-identification](https://datatracker.ietf.org/doc/draft-brand-indicators-for-message-identification/)).
//!
//! A BIMI Assertion Record lives at `<selector>._bimi.<domain>` (selector `default` unless the
//! message's `BIMI-Selector` field names another) and points to the brand's logo (`l=`, an
//! SVG over HTTPS) and to its evidence document (`a=`, a mark certificate). A receiver shows the
//! logo only for mail that passes DMARC under a policy at enforcement.
//!
//! This module parses both, and checks the DMARC conditions. It does not fetch or validate the
//! SVG or the certificate: that needs HTTP and X.509 path validation, which belong to the
//! caller.
//!
//! ```
//! use tegami_dmarc::bimi::{BimiRecord, BimiSelector, eligibility};
//! use tegami_dmarc::Record;
//!
//! let bimi = BimiRecord::parse(b"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")?;
//! assert_eq!(bimi.logo.as_deref(), Some("https://example.com/logo.svg"));
//! let selector = BimiSelector::parse(b"v=BIMI1; s=brand2026")?;
//! assert_eq!(selector.selector, "brand2026");
//! let dmarc = Record::parse(b"v=DMARC1; p=quarantine")?;
//! assert!(eligibility(&dmarc).is_empty());
//! let dmarc = Record::parse(b"v=DMARC1; p=reject; sp=none")?;
//! assert!(!eligibility(&dmarc).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::record::{Policy, Record};

/// A BIMI Assertion Record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BimiRecord {
    /// `l=`: the logo's HTTPS URI; `None` when empty (the domain declines to show a logo).
    pub logo: Option<String>,
    /// `a=`: the evidence document's HTTPS URI, if given.
    pub authority: Option<String>,
}

/// A `BIMI-Selector` header field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BimiSelector {
    /// `s=`: the selector.
    pub selector: String,
}

/// Why a BIMI record or selector is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BimiError {
    /// The first tag is not `v=BIMI1`.
    #[error("the first tag is not v=BIMI1")]
    Version,
    /// `l=` or `a=` is present but not an `https:` URI.
    #[error("location is not an https URI")]
    NotHttps,
    /// The selector field has no valid `s=` tag.
    #[error("no valid selector")]
    Selector,
    /// A tag appears twice.
    #[error("duplicate tag")]
    Duplicate,
}

/// Why a domain's DMARC policy does not allow BIMI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Ineligibility {
    /// `p` is not quarantine or reject.
    #[error("the policy is not at enforcement (quarantine or reject)")]
    NotEnforced,
    /// Testing mode (`t=y`, or `pct` below 100).
    #[error("the policy is in testing mode")]
    Testing,
    /// `sp=none`: subdomains are not at enforcement.
    #[error("the subdomain policy is none")]
    SubdomainNone,
    /// The record applies no DMARC processing (no valid `p` and no `rua`).
    #[error("the record is not usable")]
    Unusable,
}

impl BimiRecord {
    /// Parses a TXT record's text.
    ///
    /// # Errors
    ///
    /// [`BimiError`] when it is not a BIMI record or a location is not HTTPS.
    pub fn parse(text: &[u8]) -> Result<BimiRecord, BimiError> {
        let tags = tags(text, "BIMI1")?;
        let location = |name: &str| -> Result<Option<String>, BimiError> {
            match tags.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                None => Ok(None),
                Some((_, value)) if value.is_empty() => Ok(None),
                Some((_, value)) => {
                    let first = value.split(',').next().unwrap_or_default().trim();
                    if first.len() > 8
                        && first
                            .get(..8)
                            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
                    {
                        Ok(Some(first.to_owned()))
                    } else {
                        Err(BimiError::NotHttps)
                    }
                }
            }
        };
        Ok(BimiRecord {
            logo: location("l")?,
            authority: location("a")?,
        })
    }
}

impl BimiSelector {
    /// Parses a `BIMI-Selector` field value: `v=BIMI1; s=<selector>`.
    ///
    /// # Errors
    ///
    /// [`BimiError`] when it is not one.
    pub fn parse(value: &[u8]) -> Result<BimiSelector, BimiError> {
        let tags = tags(value, "BIMI1")?;
        let selector = tags
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("s"))
            .map(|(_, v)| v.clone())
            .filter(|s| {
                !s.is_empty()
                    && s.split('.').all(|label| {
                        !label.is_empty()
                            && label
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    })
            })
            .ok_or(BimiError::Selector)?;
        Ok(BimiSelector { selector })
    }
}

/// The DMARC conditions for showing a logo, checked on the record that applies to the Author
/// Domain: enforcement (`p` quarantine or reject), no testing, and no `sp=none`. An empty list
/// means eligible; the message must still pass DMARC.
pub fn eligibility(record: &Record) -> Vec<Ineligibility> {
    let mut reasons = Vec::new();
    let Some((p, sp, _)) = record.effective_policies(false) else {
        return vec![Ineligibility::Unusable];
    };
    if p == Policy::None {
        reasons.push(Ineligibility::NotEnforced);
    }
    if record.testing() || record.percent.is_some_and(|pct| pct < 100) {
        reasons.push(Ineligibility::Testing);
    }
    if sp == Policy::None && p != Policy::None {
        reasons.push(Ineligibility::SubdomainNone);
    }
    reasons
}

/// The tags of a `v=<version>; ...` list, names as written, values trimmed.
fn tags(text: &[u8], version: &str) -> Result<Vec<(String, String)>, BimiError> {
    let text = String::from_utf8_lossy(text);
    let mut parts = text
        .split(';')
        .map(|p| p.trim_matches([' ', '\t', '\r', '\n']));
    let first = parts.next().unwrap_or_default();
    match first.split_once('=') {
        Some((name, value)) if name.trim() == "v" && value.trim() == version => {}
        _ => return Err(BimiError::Version),
    }
    let mut tags: Vec<(String, String)> = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            continue;
        };
        let name = name.trim().to_owned();
        if tags.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            return Err(BimiError::Duplicate);
        }
        tags.push((name, value.trim().to_owned()));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        assert_eq!(
            BimiRecord::parse(b"v=BIMI1; l=; a=;"),
            Ok(BimiRecord {
                logo: None,
                authority: None
            })
        );
        assert_eq!(
            BimiRecord::parse(b"v=BIMI1; l=http://example.com/x.svg"),
            Err(BimiError::NotHttps)
        );
        assert_eq!(
            BimiRecord::parse(b"v=DMARC1; p=none"),
            Err(BimiError::Version)
        );
        assert_eq!(
            BimiRecord::parse(b"v=BIMI1; l=https://a.example/x.svg; l=https://b.example/y.svg"),
            Err(BimiError::Duplicate)
        );
    }

    #[test]
    fn selectors() {
        assert_eq!(
            BimiSelector::parse(b"v=BIMI1; s=;"),
            Err(BimiError::Selector)
        );
        assert_eq!(
            BimiSelector::parse(b"v=BIMI1; s=a b"),
            Err(BimiError::Selector)
        );
        assert_eq!(BimiSelector::parse(b"s=x"), Err(BimiError::Version));
    }

    #[test]
    fn eligibility_rules() {
        let check = |text: &[u8]| eligibility(&Record::parse(text).unwrap_or_default());
        assert!(check(b"v=DMARC1; p=reject").is_empty());
        assert_eq!(check(b"v=DMARC1; p=none"), [Ineligibility::NotEnforced]);
        assert_eq!(check(b"v=DMARC1; p=reject; t=y"), [Ineligibility::Testing]);
        assert_eq!(
            check(b"v=DMARC1; p=reject; pct=50"),
            [Ineligibility::Testing]
        );
        assert_eq!(
            check(b"v=DMARC1; p=quarantine; sp=none"),
            [Ineligibility::SubdomainNone]
        );
        assert_eq!(check(b"v=DMARC1; p=bogus"), [Ineligibility::Unusable]);
    }
}
