//! SPF records ([RFC 7208 §4.5, §5, §6, §12](https://www.rfc-editor.org/rfc/rfc7208#section-12)):
//! parsed into terms that display back to their text.
//!
//! ```
//! use tegami_spf::record::{Mechanism, Qualifier, Record};
//!
//! let record = Record::parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all")?;
//! assert_eq!(record.directives().count(), 3);
//! assert_eq!(record.to_string(), "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all");
//! # Ok::<(), tegami_spf::record::RecordError>(())
//! ```

mod parse;

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use crate::macro_string::{MacroError, MacroString};

/// A parsed `v=spf1` record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    terms: Vec<Term>,
}

/// A directive or a modifier, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// A mechanism with its qualifier.
    Directive(Directive),
    /// `redirect=`, `exp=` or an unknown modifier.
    Modifier(Modifier),
}

/// `directive = [ qualifier ] mechanism`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Directive {
    /// The result when the mechanism matches.
    pub qualifier: Qualifier,
    /// The test.
    pub mechanism: Mechanism,
}

/// `qualifier = "+" / "-" / "?" / "~"` (§4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// `+`, the default.
    Pass,
    /// `-`.
    Fail,
    /// `~`.
    SoftFail,
    /// `?`.
    Neutral,
}

/// The mechanisms of §5.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// `all` (§5.1).
    All,
    /// `include:<domain-spec>` (§5.2).
    Include(MacroString),
    /// `a[:<domain-spec>][<dual-cidr-length>]` (§5.3).
    A {
        /// The name to look up; the current domain when absent.
        domain: Option<MacroString>,
        /// The prefix lengths.
        cidr: DualCidr,
    },
    /// `mx[:<domain-spec>][<dual-cidr-length>]` (§5.4).
    Mx {
        /// The name whose MX hosts are looked up; the current domain when absent.
        domain: Option<MacroString>,
        /// The prefix lengths.
        cidr: DualCidr,
    },
    /// `ptr[:<domain-spec>]` (§5.5, discouraged).
    Ptr(Option<MacroString>),
    /// `ip4:<ip4-network>[<ip4-cidr-length>]` (§5.6).
    Ip4 {
        /// The network address.
        network: Ipv4Addr,
        /// The prefix length, when written (32 otherwise).
        prefix: Option<u8>,
    },
    /// `ip6:<ip6-network>[<ip6-cidr-length>]` (§5.6).
    Ip6 {
        /// The network address.
        network: Ipv6Addr,
        /// The prefix length, when written (128 otherwise).
        prefix: Option<u8>,
    },
    /// `exists:<domain-spec>` (§5.7).
    Exists(MacroString),
}

/// `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]`, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DualCidr {
    /// The IPv4 prefix length, 32 when absent.
    pub ip4: Option<u8>,
    /// The IPv6 prefix length, 128 when absent.
    pub ip6: Option<u8>,
}

/// The modifiers of §6, and unknown ones (kept, and ignored by evaluation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `redirect=<domain-spec>` (§6.1).
    Redirect(MacroString),
    /// `exp=<domain-spec>` (§6.2).
    Explanation(MacroString),
    /// `name=macro-string` of another name.
    Unknown {
        /// The modifier name.
        name: String,
        /// Its value.
        value: MacroString,
    },
}

/// Why a record is invalid; evaluation turns any of these into `permerror`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} in term {term:?}")]
pub struct RecordError {
    /// What is wrong.
    pub kind: RecordErrorKind,
    /// The term it was found in.
    pub term: String,
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// The record does not start with `v=spf1`.
    #[error("not an SPF version 1 record")]
    NotSpf,
    /// A term is not a known mechanism or a modifier.
    #[error("unknown mechanism")]
    UnknownMechanism,
    /// A mechanism's argument is missing, present where none is allowed, or malformed.
    #[error("malformed mechanism argument")]
    BadArgument,
    /// A domain-spec does not end in a top label or a macro (§7.1 `domain-end`).
    #[error("domain-spec does not end in a valid top label or macro")]
    BadDomainEnd,
    /// An IP network or prefix length is malformed or out of range.
    #[error("malformed IP network or prefix length")]
    BadNetwork,
    /// A macro string is malformed.
    #[error("macro: {0}")]
    Macro(MacroError),
    /// A modifier name is malformed, or a modifier carries a qualifier.
    #[error("malformed modifier")]
    BadModifier,
    /// `redirect` or `exp` appears twice (§6).
    #[error("modifier given twice")]
    DuplicateModifier,
    /// Two spaces in a row are fine, but other whitespace or a control is not.
    #[error("invalid character")]
    BadCharacter,
}

impl Record {
    /// Parses a record; `text` is the TXT record's strings joined.
    ///
    /// # Errors
    ///
    /// [`RecordError`] for any syntax error anywhere in the record (§4.6: such a record is
    /// `permerror` as a whole).
    pub fn parse(text: &str) -> Result<Record, RecordError> {
        parse::record(text)
    }

    /// Whether a TXT record is an SPF version 1 record: `v=spf1` followed by a space or the end
    /// (§4.5), case-insensitively.
    pub fn is_spf(text: &[u8]) -> bool {
        text.get(..6)
            .is_some_and(|v| v.eq_ignore_ascii_case(b"v=spf1"))
            && matches!(text.get(6), None | Some(b' '))
    }

    /// The terms in order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The directives in order.
    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.terms.iter().filter_map(|term| match term {
            Term::Directive(directive) => Some(directive),
            Term::Modifier(_) => None,
        })
    }

    /// The `redirect=` target, if any.
    pub fn redirect(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|term| match term {
            Term::Modifier(Modifier::Redirect(target)) => Some(target),
            _ => None,
        })
    }

    /// The `exp=` domain, if any.
    pub fn explanation(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|term| match term {
            Term::Modifier(Modifier::Explanation(target)) => Some(target),
            _ => None,
        })
    }
}

impl Qualifier {
    /// The qualifier character.
    pub fn as_char(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

impl Mechanism {
    /// Whether evaluating the mechanism queries DNS, and so counts toward the limit of 10
    /// (§4.6.4).
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v=spf1")?;
        for term in &self.terms {
            write!(f, " {term}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Directive(directive) => write!(f, "{directive}"),
            Term::Modifier(modifier) => write!(f, "{modifier}"),
        }
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.qualifier != Qualifier::Pass {
            write!(f, "{}", self.qualifier.as_char())?;
        }
        write!(f, "{}", self.mechanism)
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_domain = |f: &mut fmt::Formatter<'_>, name: &str, domain: &Option<MacroString>| {
            f.write_str(name)?;
            match domain {
                Some(domain) => write!(f, ":{domain}"),
                None => Ok(()),
            }
        };
        match self {
            Mechanism::All => f.write_str("all"),
            Mechanism::Include(domain) => write!(f, "include:{domain}"),
            Mechanism::A { domain, cidr } => {
                with_domain(f, "a", domain)?;
                write!(f, "{cidr}")
            }
            Mechanism::Mx { domain, cidr } => {
                with_domain(f, "mx", domain)?;
                write!(f, "{cidr}")
            }
            Mechanism::Ptr(domain) => with_domain(f, "ptr", domain),
            Mechanism::Ip4 { network, prefix } => {
                f.write_str("ip4:")?;
                write_dotted_quad(f, *network)?;
                prefix.map_or(Ok(()), |prefix| write!(f, "/{prefix}"))
            }
            Mechanism::Ip6 { network, prefix } => {
                write!(f, "ip6:{network}")?;
                prefix.map_or(Ok(()), |prefix| write!(f, "/{prefix}"))
            }
            Mechanism::Exists(domain) => write!(f, "exists:{domain}"),
        }
    }
}

/// An IPv4 address as `a.b.c.d`, built in a small buffer: the standard formatter pads and
/// aligns, which a verdict's reason would pay for on every message.
fn write_dotted_quad(f: &mut fmt::Formatter<'_>, address: Ipv4Addr) -> fmt::Result {
    let mut text = [0u8; 15];
    let mut length = 0;
    for (index, octet) in address.octets().into_iter().enumerate() {
        let dot = (index > 0).then_some(b'.');
        let hundreds = (octet >= 100).then_some(b'0' + octet / 100);
        let tens = (octet >= 10).then_some(b'0' + octet / 10 % 10);
        let units = Some(b'0' + octet % 10);
        for byte in [dot, hundreds, tens, units].into_iter().flatten() {
            if let Some(slot) = text.get_mut(length) {
                *slot = byte;
                length += 1;
            }
        }
    }
    f.write_str(core::str::from_utf8(text.get(..length).unwrap_or_default()).unwrap_or_default())
}

impl fmt::Display for DualCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ip4) = self.ip4 {
            write!(f, "/{ip4}")?;
        }
        if let Some(ip6) = self.ip6 {
            write!(f, "//{ip6}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Modifier::Redirect(target) => write!(f, "redirect={target}"),
            Modifier::Explanation(target) => write!(f, "exp={target}"),
            Modifier::Unknown { name, value } => write!(f, "{name}={value}"),
        }
    }
}

#[cfg(test)]
mod tests;
