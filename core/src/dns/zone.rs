//! [`ZoneResolver`]: answers from an RFC 1035 master file, offline.

use alloc::borrow::Cow;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use hickory_proto::rr::{Name, RData};
use hickory_proto::serialize::txt::Parser;

use super::{Answer, DnsError, MxRecord, Query, QueryKind, Record, Resolver, TxtRecord};

/// A resolver that answers from an RFC 1035 §5 master file, with no network.
///
/// It is the embedded default of every test, example and of the CLI's `--zone`. It behaves like
/// an authoritative server for the names in the file:
///
/// - names compare case-insensitively (RFC 4343);
/// - a CNAME is followed to its target, at most [`ZoneResolver::CNAME_LIMIT`] times; a longer
///   chain or a loop is a temporary failure, as a recursive resolver would report it;
/// - a name absent from the file is synthesised from a wildcard `*.<closest encloser>` when one
///   exists, as RFC 4592 §3.3 describes; names that exist only as ancestors of other names
///   (empty non-terminals) exist, answer no records and block wildcards;
/// - names marked with [`ZoneResolver::fail_temporarily`] answer [`DnsError::Temporary`].
///
/// The zone file is parsed by hickory-proto. `$INCLUDE` is refused, because a library must not
/// read files. Records of types tegami never asks (SOA, NS, the obsolete SPF type) are kept out.
///
/// ```
/// use tegami_core::dns::{DnsError, QueryKind, Record, Resolver, ZoneResolver};
///
/// let mut zone = ZoneResolver::from_master_file(concat!(
///     "$ORIGIN example.org.\n",
///     "@      300 IN MX  10 mail\n",
///     "mail   300 IN A   192.0.2.25\n",
///     "*.dyn  300 IN TXT \"wild\"\n",
/// ))?;
/// assert!(matches!(zone.lookup_name("MAIL.example.org", QueryKind::A)?[..], [Record::A(_)]));
/// assert!(matches!(zone.lookup_name("x.dyn.example.org", QueryKind::Txt)?[..], [Record::Txt(_)]));
/// assert_eq!(zone.lookup_name("nope.example.org", QueryKind::A), Err(DnsError::NxDomain));
/// zone.fail_temporarily("mail.example.org", None);
/// assert_eq!(zone.lookup_name("mail.example.org", QueryKind::A), Err(DnsError::Temporary));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ZoneResolver {
    /// Records per lower-case owner name (no trailing dot) and kind.
    records: BTreeMap<String, Owner>,
    /// Every owner name and every ancestor of one: the names that exist.
    existing: BTreeSet<String>,
    /// Names (and optionally one kind there) that fail temporarily.
    failing: BTreeSet<(String, Option<QueryKind>)>,
    /// Some owner name is a wildcard (`*.<name>`): only then can a missing name be synthesised.
    has_wildcards: bool,
}

/// Why a master file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneError {
    /// The file does not follow RFC 1035 §5 syntax.
    #[error("zone file syntax: {0}")]
    Syntax(String),
    /// The file uses `$INCLUDE`, which would make the library read another file.
    #[error("$INCLUDE is not supported in zone files")]
    IncludeRefused,
}

impl ZoneResolver {
    /// How many CNAMEs one lookup follows before it gives up with a temporary failure.
    pub const CNAME_LIMIT: usize = 8;

    /// Loads a master file. Relative names are relative to `$ORIGIN`, or to the root if the
    /// file sets none.
    ///
    /// # Errors
    ///
    /// [`ZoneError::Syntax`] with the parser's message, [`ZoneError::IncludeRefused`] for
    /// `$INCLUDE`.
    pub fn from_master_file(text: &str) -> Result<ZoneResolver, ZoneError> {
        if has_include_directive(text) {
            return Err(ZoneError::IncludeRefused);
        }
        let parser = Parser::new(text, None, Some(Name::root()));
        let (_origin, sets) = parser
            .parse()
            .map_err(|error| ZoneError::Syntax(error.to_string()))?;
        let mut zone = ZoneResolver::default();
        for set in sets.values() {
            for record in set.records_without_rrsigs() {
                let owner = presentation_name(&record.name);
                let entry = match &record.data {
                    RData::A(a) => Some((Some(Record::A(a.0)), None)),
                    RData::AAAA(aaaa) => Some((Some(Record::Aaaa(aaaa.0)), None)),
                    RData::MX(mx) => Some((
                        Some(Record::Mx(MxRecord {
                            preference: mx.preference,
                            exchange: presentation_name(&mx.exchange),
                        })),
                        None,
                    )),
                    RData::PTR(ptr) => Some((Some(Record::Ptr(presentation_name(&ptr.0))), None)),
                    RData::TXT(txt) => Some((
                        Some(Record::Txt(TxtRecord::new(
                            txt.txt_data.iter().map(|s| s.to_vec()).collect(),
                        ))),
                        None,
                    )),
                    RData::CNAME(cname) => Some((None, Some(presentation_name(&cname.0)))),
                    _ => None,
                };
                // Owners of records tegami never asks for (SOA, NS) still exist.
                zone.mark_existing(&owner);
                let Some((record, cname)) = entry else {
                    continue;
                };
                let slot = zone.records.entry(owner).or_default();
                if let Some(record) = record {
                    slot.records.push(record);
                }
                if cname.is_some() {
                    slot.cname = cname;
                }
            }
        }
        Ok(zone)
    }

    /// Adds a record at `name`, for zones built in code (test suites that carry their own DNS
    /// data, for example).
    pub fn insert(&mut self, name: &str, record: Record) {
        let owner = normalise(name);
        self.mark_existing(&owner);
        self.records.entry(owner).or_default().records.push(record);
    }

    /// Makes `name` an alias (CNAME) of `target`.
    pub fn insert_cname(&mut self, name: &str, target: &str) {
        let owner = normalise(name);
        self.mark_existing(&owner);
        self.records.entry(owner).or_default().cname = Some(normalise(target));
    }

    /// Makes `name` exist with no records (so lookups there answer "no records", not
    /// NXDOMAIN).
    pub fn insert_name(&mut self, name: &str) {
        let owner = normalise(name);
        self.mark_existing(&owner);
    }

    /// Makes every lookup of `name` fail temporarily, or only lookups of `kind` there.
    pub fn fail_temporarily(&mut self, name: &str, kind: Option<QueryKind>) {
        self.failing.insert((normalise(name), kind));
    }

    /// Answers a lookup, following CNAMEs and wildcards.
    fn answer(&self, name: &str, kind: QueryKind) -> Answer {
        let mut name = normalised(name);
        for _ in 0..=Self::CNAME_LIMIT {
            if !self.failing.is_empty()
                && (self.failing.contains(&(name.to_string(), None))
                    || self.failing.contains(&(name.to_string(), Some(kind))))
            {
                return Err(DnsError::Temporary);
            }
            let owner = match self.records.get(name.as_ref()) {
                Some(owner) => owner,
                None if self.existing.contains(name.as_ref()) => return Err(DnsError::NoRecords),
                None => match self.wildcard_for(&name) {
                    Some(owner) => owner,
                    None => return Err(DnsError::NxDomain),
                },
            };
            if let Some(target) = &owner.cname {
                name = Cow::Borrowed(target.as_str());
                continue;
            }
            let records: Vec<Record> = owner
                .records
                .iter()
                .filter(|record| kind_of(record) == kind)
                .cloned()
                .collect();
            return if records.is_empty() {
                Err(DnsError::NoRecords)
            } else {
                Ok(records)
            };
        }
        Err(DnsError::Temporary)
    }

    /// The wildcard owner that synthesises `name`, if any (RFC 4592 §3.3.1): the closest
    /// encloser is the longest existing ancestor, and only `*.<closest encloser>` applies.
    fn wildcard_for(&self, name: &str) -> Option<&Owner> {
        if !self.has_wildcards {
            return None;
        }
        let mut rest = name;
        while let Some((_, parent)) = rest.split_once('.') {
            if self.existing.contains(parent) {
                return self.records.get(&format!("*.{parent}"));
            }
            rest = parent;
        }
        // The root is the closest encloser of a single-label name.
        self.records.get("*")
    }

    fn mark_existing(&mut self, owner: &str) {
        self.has_wildcards |= owner.starts_with('*');
        let mut name = owner;
        loop {
            if !self.existing.insert(name.to_owned()) {
                break;
            }
            match name.split_once('.') {
                Some((_, parent)) => name = parent,
                None => break,
            }
        }
    }
}

impl Resolver for ZoneResolver {
    fn lookup(&self, query: &Query) -> Answer {
        self.answer(&query.name, query.kind)
    }
}

/// The records at one owner name.
#[derive(Debug, Clone, Default)]
struct Owner {
    records: Vec<Record>,
    cname: Option<String>,
}

fn kind_of(record: &Record) -> QueryKind {
    match record {
        Record::A(_) => QueryKind::A,
        Record::Ptr(_) => QueryKind::Ptr,
        Record::Mx(_) => QueryKind::Mx,
        Record::Txt(_) => QueryKind::Txt,
        Record::Aaaa(_) => QueryKind::Aaaa,
    }
}

/// A hickory name as lower-case presentation text without the trailing dot.
fn presentation_name(name: &Name) -> String {
    normalise(&name.to_ascii())
}

fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// [`normalise`] without a copy when the name is lower case already (the lookup path).
fn normalised(name: &str) -> Cow<'_, str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Whether a line of the file starts with `$INCLUDE` (hickory's lexer only honours it there).
fn has_include_directive(text: &str) -> bool {
    text.split(['\n', '\r']).any(|line| {
        line.get(..8)
            .is_some_and(|head| head.eq_ignore_ascii_case("$include"))
    })
}

#[cfg(test)]
mod tests;
