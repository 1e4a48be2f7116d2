//! Organizational Domains from the Public Suffix List, the RFC 7489 method
//! ([RFC 7489 §3.2](https://www.rfc-editor.org/rfc/rfc7489#section-3.2)), kept for
//! compatibility and for report tooling; RFC 9989 replaced it with the DNS tree walk.
//!
//! The Organizational Domain is the public suffix that matches the most labels of the name,
//! plus one more label of the name. [`PublicSuffixList::Bundled`] uses the list compiled into
//! the `psl` crate (updated with each of its releases); [`PublicSuffixList::from_dat`] reads a
//! newer `public_suffix_list.dat`.
//!
//! ```
//! use tegami_core::domain::Domain;
//! use tegami_dmarc::psl::PublicSuffixList;
//!
//! let list = PublicSuffixList::Bundled;
//! let name = Domain::try_from("mail.example.co.uk")?;
//! assert_eq!(list.organizational_domain(&name).as_str(), "example.co.uk");
//! # Ok::<(), tegami_core::domain::DomainError>(())
//! ```

use core::fmt;

use publicsuffix::Psl as _;
use tegami_core::domain::Domain;

/// Which Public Suffix List to use.
#[derive(Clone, Default)]
pub enum PublicSuffixList {
    /// The list compiled into the `psl` crate.
    #[default]
    Bundled,
    /// A list read from a `public_suffix_list.dat` file.
    Loaded(publicsuffix::List),
}

/// Why a list file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("public suffix list: {0}")]
pub struct PslError(String);

impl PublicSuffixList {
    /// Reads a list in the `public_suffix_list.dat` format (ICANN and private sections both
    /// count, as RFC 7489 §3.2 uses the whole list).
    ///
    /// # Errors
    ///
    /// [`PslError`] when the text is not a list.
    pub fn from_dat(text: &str) -> Result<PublicSuffixList, PslError> {
        let list: publicsuffix::List = text
            .parse()
            .map_err(|e: publicsuffix::Error| PslError(e.to_string()))?;
        if list.is_empty() {
            return Err(PslError("no rules".to_owned()));
        }
        Ok(PublicSuffixList::Loaded(list))
    }

    /// The registrable domain: the longest matching public suffix plus one label; `None` when
    /// the name is itself a public suffix.
    pub fn registrable_domain(&self, name: &Domain) -> Option<Domain> {
        let bytes = name.as_str().as_bytes();
        let found = match self {
            PublicSuffixList::Bundled => psl::domain(bytes).map(|d| d.as_bytes().to_vec()),
            PublicSuffixList::Loaded(list) => list.domain(bytes).map(|d| d.as_bytes().to_vec()),
        }?;
        Domain::try_from(found.as_slice()).ok()
    }

    /// The Organizational Domain of RFC 7489 §3.2: the registrable domain, or the name itself
    /// when it is a public suffix.
    pub fn organizational_domain(&self, name: &Domain) -> Domain {
        self.registrable_domain(name)
            .unwrap_or_else(|| name.clone())
    }
}

impl fmt::Debug for PublicSuffixList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicSuffixList::Bundled => f.write_str("PublicSuffixList::Bundled"),
            PublicSuffixList::Loaded(_) => f.write_str("PublicSuffixList::Loaded(..)"),
        }
    }
}
