//! [`Domain`]: a validated, case-insensitive domain name.
//!
//! Mail authentication compares domains from many places (the SMTP envelope, header fields, DNS
//! records, signature tags), so each is validated once, at the edge, into a form that compares
//! by value: lower-case A-labels (LDH, [RFC 5890 §2.3.1](https://www.rfc-editor.org/rfc/rfc5890#section-2.3.1)),
//! at most 253 octets, labels of 1 to 63 octets. U-labels are converted with IDNA (UTS #46,
//! strict STD3 rules). A NUL, a control character, a space, a parenthesis or any other octet
//! that is not a letter, digit or hyphen is refused: truncation at NUL and comment injection
//! (attacks A3 and A4/A5 of "Composition Kills", USENIX Security 2020) start from such names.
//!
//! ```
//! use tegami_core::domain::Domain;
//!
//! let domain = Domain::try_from("Mail.Example.COM")?;
//! assert_eq!(domain.as_str(), "mail.example.com");
//! assert_eq!(Domain::try_from("bücher.example")?.as_str(), "xn--bcher-kva.example");
//! assert!(Domain::try_from("example.com\0.evil.test").is_err());
//! assert!(domain.is_subdomain_of(&Domain::try_from("example.com")?));
//! # Ok::<(), tegami_core::domain::DomainError>(())
//! ```

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

/// A domain name in lower-case A-label form, without a trailing dot.
///
/// The name is shared, not copied, when a `Domain` is cloned: verdicts and results hold
/// domains by value.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Domain {
    name: Arc<str>,
}

/// Why a text is not a domain name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// The name is empty.
    #[error("empty domain name")]
    Empty,
    /// The name is longer than 253 octets in A-label form.
    #[error("domain name of {0} octets exceeds 253")]
    TooLong(usize),
    /// A label is empty (two dots in a row, or a leading dot).
    #[error("empty label at octet {0}")]
    EmptyLabel(usize),
    /// A label is longer than 63 octets.
    #[error("label of {length} octets at octet {offset} exceeds 63")]
    LabelTooLong {
        /// Where the label starts.
        offset: usize,
        /// Its length.
        length: usize,
    },
    /// An octet that is not a letter, digit or hyphen.
    #[error("invalid octet 0x{byte:02x} at octet {offset}")]
    InvalidOctet {
        /// Where it is.
        offset: usize,
        /// The octet.
        byte: u8,
    },
    /// A label starts or ends with a hyphen.
    #[error("label starts or ends with a hyphen at octet {0}")]
    HyphenAtEdge(usize),
    /// The last label is all digits, so the text is an address or a number, not a name
    /// (RFC 3696 §2, the `toplabel` of RFC 7208 §7.1).
    #[error("the top-level label is numeric")]
    NumericTopLabel,
    /// IDNA conversion failed (a bad U-label or a bad Punycode A-label).
    #[error("invalid internationalised domain name")]
    Idna,
}

impl Domain {
    /// The longest name, in octets, without the trailing dot (RFC 1035 §3.1, RFC 2181 §11).
    pub const MAX_LEN: usize = 253;
    /// The longest label, in octets.
    pub const MAX_LABEL_LEN: usize = 63;

    /// Validates `bytes` (UTF-8 for U-labels). One trailing dot is allowed and dropped.
    ///
    /// # Errors
    ///
    /// [`DomainError`] naming the first problem.
    pub fn parse(bytes: &[u8]) -> Result<Domain, DomainError> {
        let plain = bytes.strip_suffix(b".").unwrap_or(bytes);
        if let Some(has_upper) = plain_ldh(plain)
            && let Ok(text) = core::str::from_utf8(plain)
        {
            // Most names arrive in lower case already: one allocation, no lower-cased copy.
            let name: Arc<str> = if has_upper {
                text.to_ascii_lowercase().into()
            } else {
                Arc::from(text)
            };
            return Ok(Domain { name });
        }
        // Anything else (IDNA, or an error to name precisely) takes the rule-by-rule path.
        let text = core::str::from_utf8(bytes).map_err(|error| DomainError::InvalidOctet {
            offset: error.valid_up_to(),
            byte: bytes.get(error.valid_up_to()).copied().unwrap_or(0),
        })?;
        let text = text.strip_suffix('.').unwrap_or(text);
        if text.is_empty() {
            return Err(DomainError::Empty);
        }
        let needs_idna = !text.is_ascii()
            || text.as_bytes().split(|&byte| byte == b'.').any(|label| {
                label
                    .get(..4)
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"xn--"))
            });
        if needs_idna {
            // Refuse control octets before IDNA can map or drop any of them.
            check_ldh_or_non_ascii(text)?;
            let ascii = idna::domain_to_ascii_strict(text).map_err(|_| DomainError::Idna)?;
            let ascii = ascii.strip_suffix('.').unwrap_or(&ascii);
            check_ldh(ascii)?;
            return Ok(Domain {
                name: ascii.to_ascii_lowercase().into(),
            });
        }
        // `plain_ldh` accepts every name that `check_ldh` accepts (a test holds them to it), so
        // this names the problem; lower-casing stays for a name the two ever disagreed on.
        check_ldh(text)?;
        Ok(Domain {
            name: text.to_ascii_lowercase().into(),
        })
    }

    /// A name that [`plain_ldh`] accepted, lower-cased: the one allocation of a parsed name.
    pub(crate) fn from_plain(text: &str) -> Domain {
        let name: Arc<str> = if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
            text.to_ascii_lowercase().into()
        } else {
            Arc::from(text)
        };
        Domain { name }
    }

    /// The name: lower-case A-labels, no trailing dot.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The name with A-labels shown as Unicode, for people to read.
    pub fn to_unicode(&self) -> String {
        idna::domain_to_unicode(&self.name).0
    }

    /// The labels from left to right.
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.name.split('.')
    }

    /// How many labels the name has.
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// The name without its leftmost label; `None` for a single label.
    pub fn parent(&self) -> Option<Domain> {
        self.name.split_once('.').map(|(_, parent)| Domain {
            name: parent.into(),
        })
    }

    /// Whether `self` is `other` or a name below it (label-wise, so `badexample.com` is not
    /// below `example.com`).
    pub fn is_subdomain_of(&self, other: &Domain) -> bool {
        self.name == other.name
            || self
                .name
                .strip_suffix(&*other.name)
                .is_some_and(|head| head.ends_with('.'))
    }

    /// The name made of the rightmost `count` labels; `None` if it has fewer.
    pub fn suffix(&self, count: usize) -> Option<Domain> {
        let total = self.label_count();
        if count == 0 || count > total {
            return None;
        }
        let name = self
            .labels()
            .skip(total - count)
            .collect::<Vec<_>>()
            .join(".");
        Some(Domain { name: name.into() })
    }
}

impl TryFrom<&str> for Domain {
    type Error = DomainError;

    fn try_from(text: &str) -> Result<Domain, DomainError> {
        Domain::parse(text.as_bytes())
    }
}

impl TryFrom<&[u8]> for Domain {
    type Error = DomainError;

    fn try_from(bytes: &[u8]) -> Result<Domain, DomainError> {
        Domain::parse(bytes)
    }
}

impl core::str::FromStr for Domain {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Domain, DomainError> {
        Domain::parse(text.as_bytes())
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Domain({})", self.name)
    }
}

impl AsRef<str> for Domain {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

/// Checks LDH labels and lengths of an ASCII name without the trailing dot.
fn check_ldh(name: &str) -> Result<(), DomainError> {
    if name.len() > Domain::MAX_LEN {
        return Err(DomainError::TooLong(name.len()));
    }
    let mut offset = 0;
    let mut last_label: &[u8] = b"";
    for label in name.as_bytes().split(|&byte| byte == b'.') {
        if label.is_empty() {
            return Err(DomainError::EmptyLabel(offset));
        }
        if label.len() > Domain::MAX_LABEL_LEN {
            return Err(DomainError::LabelTooLong {
                offset,
                length: label.len(),
            });
        }
        if let Some((index, &byte)) = label
            .iter()
            .enumerate()
            .find(|(_, byte)| !(byte.is_ascii_alphanumeric() || **byte == b'-'))
        {
            return Err(DomainError::InvalidOctet {
                offset: offset + index,
                byte,
            });
        }
        if label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            return Err(DomainError::HyphenAtEdge(offset));
        }
        offset += label.len() + 1;
        last_label = label;
    }
    if last_label.iter().all(u8::is_ascii_digit) {
        return Err(DomainError::NumericTopLabel);
    }
    Ok(())
}

/// One pass over a name that needs no IDNA: `Some(has_upper_case)` when it is non-empty, at
/// most 253 octets, of LDH labels of 1 to 63 octets with no hyphen at either edge, no label
/// starts with `xn--`, and the last label is not all digits. `None` sends the name to
/// [`Domain::parse`]'s rule-by-rule checks, which name the problem or run IDNA.
pub(crate) fn plain_ldh(name: &[u8]) -> Option<bool> {
    if name.is_empty() || name.len() > Domain::MAX_LEN {
        return None;
    }
    let label_ok = |label: &[u8]| {
        !label.is_empty()
            && label.len() <= Domain::MAX_LABEL_LEN
            && label.last() != Some(&b'-')
            && !label
                .get(..4)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"xn--"))
    };
    let mut has_upper = false;
    let mut label_start = 0;
    let mut all_digits = true;
    for (index, &byte) in name.iter().enumerate() {
        match byte {
            b'a'..=b'z' => all_digits = false,
            b'A'..=b'Z' => {
                has_upper = true;
                all_digits = false;
            }
            b'0'..=b'9' => {}
            b'-' if index != label_start => all_digits = false,
            b'.' => {
                if !label_ok(name.get(label_start..index)?) {
                    return None;
                }
                label_start = index + 1;
                all_digits = true;
            }
            _ => return None,
        }
    }
    (label_ok(name.get(label_start..)?) && !all_digits).then_some(has_upper)
}

/// Before IDNA: every ASCII octet must be LDH or a dot; non-ASCII goes to IDNA.
fn check_ldh_or_non_ascii(name: &str) -> Result<(), DomainError> {
    match name.bytes().enumerate().find(|(_, byte)| {
        byte.is_ascii() && !(byte.is_ascii_alphanumeric() || *byte == b'-' || *byte == b'.')
    }) {
        Some((offset, byte)) => Err(DomainError::InvalidOctet { offset, byte }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The one-pass check takes exactly the names the rule-by-rule check takes, except
        /// those IDNA must see.
        #[test]
        fn the_one_pass_check_agrees_with_the_rules(name in "[a-zA-Z0-9.-]{0,12}|[a-zA-Z0-9.-]{60,70}|x[nN]--[a-z0-9.-]{0,6}") {
            let idna = name.split('.').any(|label| {
                label.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"))
            });
            let expected = check_ldh(&name).is_ok() && !idna;
            prop_assert_eq!(plain_ldh(name.as_bytes()).is_some(), expected);
            if let Some(has_upper) = plain_ldh(name.as_bytes()) {
                prop_assert_eq!(has_upper, name.bytes().any(|byte| byte.is_ascii_uppercase()));
            }
        }
    }

    #[test]
    fn valid_names_normalise() {
        assert_eq!(
            Domain::try_from("EXAMPLE.com.").map(|d| d.to_string()),
            Ok("example.com".into())
        );
        assert_eq!(Domain::try_from("a-b.c9").map(|d| d.label_count()), Ok(2));
        assert_eq!(
            Domain::try_from("localhost").map(|d| d.label_count()),
            Ok(1)
        );
        let long_label = "a".repeat(63);
        assert!(Domain::try_from(format!("{long_label}.example").as_str()).is_ok());
    }

    #[test]
    fn u_labels_become_a_labels() {
        let domain = Domain::try_from("日本語.JP").expect("idn");
        assert_eq!(domain.as_str(), "xn--wgv71a119e.jp");
        assert_eq!(domain.to_unicode(), "日本語.jp");
        assert_eq!(Domain::try_from("xn--wgv71a119e.jp"), Ok(domain));
        assert_eq!(Domain::try_from("xn--example-.jp"), Err(DomainError::Idna));
    }

    #[test]
    fn composition_kills_a3_nul_and_controls_are_refused() {
        assert_eq!(
            Domain::try_from("legitimate.com\0.attack.com"),
            Err(DomainError::InvalidOctet {
                offset: 14,
                byte: 0
            })
        );
        assert!(matches!(
            Domain::try_from("a\u{7}b.com"),
            Err(DomainError::InvalidOctet { byte: 7, .. })
        ));
        assert!(matches!(
            Domain::try_from("日本\0.jp"),
            Err(DomainError::InvalidOctet { byte: 0, .. })
        ));
        assert!(matches!(
            Domain::try_from("legitimate.com(.attack.com"),
            Err(DomainError::InvalidOctet { byte: b'(', .. })
        ));
        assert!(matches!(
            Domain::parse(b"ex\xffample.com"),
            Err(DomainError::InvalidOctet { byte: 0xff, .. })
        ));
    }

    #[test]
    fn structural_errors() {
        assert_eq!(Domain::try_from(""), Err(DomainError::Empty));
        assert_eq!(Domain::try_from("."), Err(DomainError::Empty));
        assert_eq!(Domain::try_from("a..b"), Err(DomainError::EmptyLabel(2)));
        assert_eq!(Domain::try_from("-a.b"), Err(DomainError::HyphenAtEdge(0)));
        assert_eq!(
            Domain::try_from("192.0.2.1"),
            Err(DomainError::NumericTopLabel)
        );
        assert!(matches!(
            Domain::try_from(format!("{}.com", "a".repeat(64)).as_str()),
            Err(DomainError::LabelTooLong { length: 64, .. })
        ));
        let long = ["abcdefghi"; 26].join(".");
        assert_eq!(
            Domain::try_from(long.as_str()),
            Err(DomainError::TooLong(259))
        );
    }

    #[test]
    fn hierarchy_helpers() {
        let domain = Domain::try_from("a.mail.example.com").expect("valid");
        let org = Domain::try_from("example.com").expect("valid");
        assert!(domain.is_subdomain_of(&org));
        assert!(
            !Domain::try_from("badexample.com")
                .expect("valid")
                .is_subdomain_of(&org)
        );
        assert_eq!(domain.suffix(2), Some(org.clone()));
        assert_eq!(domain.suffix(5), None);
        assert_eq!(domain.parent().and_then(|p| p.parent()), Some(org));
    }
}
