//! DMARC evaluation of one message as a sans-IO machine:
//! [RFC 9989 §5.3](https://www.rfc-editor.org/rfc/rfc9989#section-5.3) (policy discovery §4.10.1,
//! the DNS tree walk §4.10, Identifier Alignment §4.10.2), or RFC 7489's public-suffix method
//! as an option.

use std::borrow::Cow;
use std::sync::Arc;

use tegami_core::dns::{
    Answer, DnsError, LookupMachine, MisuseError, Query, QueryId, QueryKind, Record as DnsRecord,
    Step,
};
use tegami_core::domain::Domain;
use tegami_mime::author::{Author, AuthorError};

use crate::forwarder::{ArcSeal, RecordedPass};
use crate::psl::PublicSuffixList;
use crate::record::{AlignmentMode, Policy, PsdFlag, Record};
use crate::verdict::{Alignment, AuthorVerdict, DmarcResult, PolicyOverride, PolicyTag, Verdict};

/// How the policy record and Organizational Domains are found.
#[derive(Debug, Clone, Default)]
pub enum Discovery {
    /// The DNS tree walk of RFC 9989 §4.10 (the default).
    #[default]
    TreeWalk,
    /// RFC 7489 §3.2 and §6.6.3: the Organizational Domain from a Public Suffix List, the
    /// policy from the Author Domain or else the Organizational Domain; `p` required.
    PublicSuffixList(PublicSuffixList),
}

/// How a non-existent Author Domain is recognised, for the `np` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExistenceTest {
    /// RFC 9989 §3.2.13 and Appendix A.4: NXDOMAIN (RFC 8020) for the name; one `A` query.
    #[default]
    NxDomain,
    /// RFC 9091 §2.7: no `A`, `AAAA` or `MX` records (NXDOMAIN or NODATA for all three).
    NoMailRecords,
}

/// Settings of an evaluation; the defaults follow RFC 9989.
#[derive(Debug, Clone)]
pub struct Config {
    /// Tree walk (default) or Public Suffix List.
    pub discovery: Discovery,
    /// How the Author Domain's existence is decided for `np`.
    pub existence: ExistenceTest,
    /// How many Author Domains of a multi-valued From are evaluated (RFC 9989 §11.5); more
    /// make the result `permerror`. Default 4.
    pub max_author_domains: usize,
    /// ARC sealers whose verified chain sets a failing policy aside (`trusted_forwarder`),
    /// when the sealer recorded an aligned pass on arrival (see [`ArcSeal`]).
    pub trusted_forwarders: Vec<Domain>,
    /// Mailing lists (their `List-Id` domain) that set a failing policy aside
    /// (`mailing_list`).
    pub trusted_mailing_lists: Vec<Domain>,
    /// The disposition for a message whose From yields no single, unambiguous Author Domain
    /// (result `permerror`); RFC 9989 §11.5 lets a receiver decide negatively here. Default
    /// quarantine.
    pub unreadable_author_disposition: Policy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            discovery: Discovery::TreeWalk,
            existence: ExistenceTest::NxDomain,
            max_author_domains: 4,
            trusted_forwarders: Vec::new(),
            trusted_mailing_lists: Vec::new(),
            unreadable_author_disposition: Policy::Quarantine,
        }
    }
}

/// What DMARC is told about the message: the Author Domains and the Authenticated Identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    authors: Result<Domains, AuthorError>,
    spf: Option<Domain>,
    dkim: Domains,
    spf_undecided: Option<Domain>,
    dkim_undecided: Vec<Domain>,
    arc_seals: Vec<ArcSeal>,
    mailing_list: Option<Domain>,
}

impl Input {
    /// The Author Domains from mime's reading of the From fields. Several domains are all
    /// evaluated (RFC 9989 §11.5); an unreadable From makes the result `permerror`.
    pub fn from_author(author: &Author) -> Input {
        let authors = match author.domain() {
            Ok(domain) => Ok(Domains::one(domain.clone())),
            Err(AuthorError::MultipleDomains(domains)) => Ok(domains.into_iter().collect()),
            Err(error) => Err(error),
        };
        Input::with_authors(authors)
    }

    /// One known Author Domain.
    pub fn for_domain(domain: Domain) -> Input {
        Input::with_authors(Ok(Domains::one(domain)))
    }

    fn with_authors(authors: Result<Domains, AuthorError>) -> Input {
        Input {
            authors,
            spf: None,
            dkim: Domains::default(),
            spf_undecided: None,
            dkim_undecided: Vec::new(),
            arc_seals: Vec::new(),
            mailing_list: None,
        }
    }

    /// The SPF result: only a `pass` for the MAIL FROM identity yields an SPF-Authenticated
    /// Identifier (RFC 9989 §4.4.2); a HELO result never does. A `temperror` for the MAIL
    /// FROM identity leaves it undecided (see [`Input::spf_temperror`]).
    pub fn spf(mut self, verdict: &tegami_spf::Verdict) -> Input {
        if verdict.identity != tegami_spf::Identity::MailFrom {
            return self;
        }
        match verdict.result {
            tegami_spf::SpfResult::Pass => {
                self.spf = Domain::try_from(verdict.domain.as_str()).ok();
            }
            tegami_spf::SpfResult::TempError => {
                self.spf_undecided = Domain::try_from(verdict.domain.as_str()).ok();
            }
            _ => {}
        }
        self
    }

    /// SPF could not be decided for this MAIL FROM domain (a temporary DNS failure). When the
    /// domain would be aligned and nothing else passes, the DMARC result is `temperror`: the
    /// message can be said neither to pass nor to fail (RFC 9989 §5.3.6).
    ///
    /// ```
    /// use tegami_core::dns::{resolve, ZoneResolver};
    /// use tegami_core::domain::Domain;
    /// use tegami_dmarc::{Config, DmarcResult, Evaluation, Input, Policy};
    ///
    /// let zone = ZoneResolver::from_master_file("_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"\n")?;
    /// let from = || Input::for_domain(Domain::try_from("example.com").unwrap());
    /// // The organisation's own bounce domain could not be checked: undecided.
    /// let input = from().spf_temperror(Domain::try_from("bounce.example.com")?);
    /// let verdict = resolve(&mut Evaluation::new(input, Config::default()), &zone)?;
    /// assert_eq!((verdict.result, verdict.disposition), (DmarcResult::TempError, Policy::None));
    /// // An unrelated domain that could not be checked could never have aligned: a fail.
    /// let input = from().spf_temperror(Domain::try_from("attacker.example")?);
    /// let verdict = resolve(&mut Evaluation::new(input, Config::default()), &zone)?;
    /// assert_eq!((verdict.result, verdict.disposition), (DmarcResult::Fail, Policy::Reject));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spf_temperror(mut self, domain: Domain) -> Input {
        self.spf_undecided = Some(domain);
        self
    }

    /// A DKIM signature of `d=` `domain` could not be decided (its key lookup failed
    /// temporarily); as [`Input::spf_temperror`].
    pub fn dkim_temperror(mut self, domain: Domain) -> Input {
        if !self.dkim_undecided.contains(&domain) {
            self.dkim_undecided.push(domain);
        }
        self
    }

    /// An SPF-Authenticated Identifier given directly: the MAIL FROM domain that passed SPF.
    pub fn spf_pass(mut self, domain: Domain) -> Input {
        self.spf = Some(domain);
        self
    }

    /// The DKIM results: every passing signature's `d=` is a DKIM-Authenticated Identifier
    /// (RFC 9989 §4.4.1).
    pub fn dkim(mut self, results: &[tegami_dkim::SignatureResult]) -> Input {
        for result in results {
            let Ok(domain) = Domain::try_from(result.domain.as_str()) else {
                continue;
            };
            match result.result {
                tegami_dkim::DkimResult::Pass => self.push_dkim(domain),
                tegami_dkim::DkimResult::TempError => self = self.dkim_temperror(domain),
                _ => {}
            }
        }
        self
    }

    /// A DKIM-Authenticated Identifier given directly: the `d=` of a passing signature.
    pub fn dkim_pass(mut self, domain: Domain) -> Input {
        self.push_dkim(domain);
        self
    }

    /// The seals of an ARC chain that validated (`cv=pass`), oldest first, with what each
    /// sealer recorded, for the trusted-forwarder override: it applies only when a trusted
    /// sealer recorded a pass aligned with the Author Domain (RFC 8617 §7.2.1; see
    /// [`ArcSeal`]).
    pub fn arc_pass(mut self, seals: Vec<ArcSeal>) -> Input {
        self.arc_seals = seals;
        self
    }

    /// The mailing list the message came through (its `List-Id` domain), for the mailing-list
    /// override.
    ///
    /// Give it only when the list is known from something an attacker cannot write: the
    /// connection the message came over, the list's own verified signature (a DKIM pass for
    /// the list's domain), or an ARC seal of the list. A `List-Id` field alone is text anyone
    /// can add to a spoof ("Weak Links in Authentication Chains", USENIX Security 2021).
    pub fn mailing_list(mut self, list: Domain) -> Input {
        self.mailing_list = Some(list);
        self
    }

    fn push_dkim(&mut self, domain: Domain) {
        if !self.dkim.contains(&domain) {
            self.dkim.push(domain);
        }
    }
}

/// Domains in the order given, the first kept inline: a message has one Author Domain and one
/// or two passing signatures, and those need no allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Domains {
    first: Option<Domain>,
    rest: Vec<Domain>,
}

impl Domains {
    fn one(domain: Domain) -> Domains {
        Domains {
            first: Some(domain),
            rest: Vec::new(),
        }
    }

    fn push(&mut self, domain: Domain) {
        match self.first {
            None => self.first = Some(domain),
            Some(_) => self.rest.push(domain),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Domain> {
        self.first.iter().chain(&self.rest)
    }

    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    fn contains(&self, domain: &Domain) -> bool {
        self.iter().any(|known| known == domain)
    }
}

impl FromIterator<Domain> for Domains {
    fn from_iter<I: IntoIterator<Item = Domain>>(domains: I) -> Domains {
        let mut all = Domains::default();
        for domain in domains {
            all.push(domain);
        }
        all
    }
}

/// A DMARC evaluation.
///
/// - `poll` hands out the DNS queries it needs (all those it can know at that point; see
///   below) or the [`Verdict`];
/// - `handle_answer` feeds each answer back, in any order.
///
/// The tree walks of the Author Domain and of each Authenticated Identifier run side by side,
/// each one step at a time as RFC 9989 §4.10 requires (a walk stops at a `psd` flag, so its
/// next query depends on the last answer), and a name asked for by two walks is asked once.
///
/// ```
/// use tegami_core::dns::{resolve, ZoneResolver};
/// use tegami_core::domain::Domain;
/// use tegami_dmarc::{Config, DmarcResult, Evaluation, Input};
///
/// let zone = ZoneResolver::from_master_file(
///     "$ORIGIN example.com.\n_dmarc 300 IN TXT \"v=DMARC1; p=reject\"\n",
/// )?;
/// let author = tegami_mime::Author::from_message(b"From: a@mail.example.com\r\n\r\n");
/// let input = Input::from_author(&author).dkim_pass(Domain::try_from("example.com")?);
/// let mut evaluation = Evaluation::new(input, Config::default());
/// let verdict = resolve(&mut evaluation, &zone)?;
/// assert_eq!(verdict.result, DmarcResult::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Evaluation {
    config: Config,
    input: Input,
    dns: Dns,
    /// Set once the verdict was handed out; a later `poll` computes it again from the answers
    /// kept, rather than keeping a copy.
    finished: bool,
}

/// The DNS side of an evaluation: the answers so far, the records parsed from them, and the
/// queries to hand out next.
#[derive(Debug, Default)]
struct Dns {
    /// One entry per question asked, in the order asked, so the entry of query id `n` is at
    /// index `n`.
    entries: Vec<Entry>,
    /// The domains of `entries`, one after the other.
    names: Names,
    handed_out: Vec<Query>,
    /// Finished tree walks, by start name: (the entry of the start's policy lookup, where the
    /// Organizational Domain starts in the start name, record there, record at a PSD). An
    /// evaluation walks the Author Domain for discovery, for each alignment and for the
    /// report. A walk is finished only when every name it read was answered, and an answer
    /// never changes, so a finished walk stays true for the rest of the evaluation.
    walks: Vec<(usize, usize, Option<usize>, Option<usize>)>,
    /// While set, unknown questions are not asked (they read as pending).
    read_only: bool,
}

/// The names asked, one after the other: the first few in place, the rest on the heap (a
/// typical evaluation asks a few short names, and then needs no allocation for them).
#[derive(Debug)]
struct Names {
    /// The first names, `short_len` octets of them.
    short: [u8; Names::SHORT],
    short_len: usize,
    /// Names that no longer fit `short`, at offsets from [`Names::SHORT`] on.
    long: Vec<u8>,
}

impl Default for Names {
    fn default() -> Names {
        Names {
            short: [0; Names::SHORT],
            short_len: 0,
            long: Vec::new(),
        }
    }
}

impl Names {
    const SHORT: usize = 96;

    /// Keeps `name`; returns where it is.
    fn push(&mut self, name: &[u8]) -> core::ops::Range<usize> {
        let start = self.short_len;
        if let Some(room) = self.short.get_mut(start..start + name.len()) {
            room.copy_from_slice(name);
            self.short_len += name.len();
            return start..self.short_len;
        }
        let start = Names::SHORT + self.long.len();
        self.long.extend_from_slice(name);
        start..start + name.len()
    }

    /// The name kept at `range`.
    fn get(&self, range: core::ops::Range<usize>) -> &[u8] {
        if range.start < Names::SHORT {
            self.short.get(range).unwrap_or_default()
        } else {
            self.long
                .get(range.start - Names::SHORT..range.end - Names::SHORT)
                .unwrap_or_default()
        }
    }
}

/// One question asked.
#[derive(Debug)]
struct Entry {
    /// Where its domain is in [`Dns::names`]. A `Txt` entry is a policy lookup (the query name
    /// is `_dmarc.<domain>`); the others are existence tests of the domain itself.
    name: core::ops::Range<usize>,
    kind: QueryKind,
    slot: Slot,
    /// The DMARC record found, for a policy lookup that found one.
    record: Option<Arc<Record>>,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Pending,
    /// The single DMARC record was found (kept with the entry, whose index this is), or
    /// none.
    Policy(Option<usize>),
    Exists(bool),
    Failed,
}

/// A value that may still wait for DNS, or hit a temporary failure.
enum Wait<T> {
    Pending,
    TempError,
    Ready(T),
}

/// What a tree walk found: the Organizational Domain and the records that matter.
struct Walked<'a> {
    organizational: &'a str,
    at_organizational: Option<usize>,
    at_psd: Option<usize>,
}

impl Evaluation {
    /// Starts an evaluation.
    pub fn new(input: Input, config: Config) -> Evaluation {
        Evaluation {
            config,
            input,
            dns: Dns::new(),
            finished: false,
        }
    }

    /// Says what to do next: DNS queries to make, or the verdict.
    pub fn poll(&mut self) -> Step<Verdict> {
        let authors = match &self.input.authors {
            Ok(authors) if authors.len() <= self.config.max_author_domains => authors,
            Ok(authors) => {
                let reason = format!(
                    "{} author domains, more than the {} evaluated",
                    authors.len(),
                    self.config.max_author_domains
                );
                return self.finish(unreadable(&self.config, reason));
            }
            Err(error) => {
                let reason = format!("no single author domain: {error}");
                return self.finish(unreadable(&self.config, reason));
            }
        };
        let mut verdicts = Vec::new();
        let mut pending = false;
        for author in authors.iter() {
            match evaluate_author(&mut self.dns, &self.config, &self.input, author) {
                Some(verdict) => verdicts.push(verdict),
                None => pending = true,
            }
        }
        if pending {
            return Step::Lookup(core::mem::take(&mut self.dns.handed_out));
        }
        let verdict = combine(verdicts);
        self.finish(verdict)
    }

    /// Feeds the answer to the query with this `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] for an id never handed out or answered before.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        if self.finished {
            return Err(MisuseError::Finished);
        }
        let existence = self.config.existence;
        let index = usize::try_from(id.0).unwrap_or(usize::MAX);
        let kind = match self.dns.entries.get(index) {
            None => return Err(MisuseError::UnknownQuery(id)),
            Some(Entry {
                kind,
                slot: Slot::Pending,
                ..
            }) => *kind,
            Some(_) => return Err(MisuseError::AlreadyAnswered(id)),
        };
        let mut found = None;
        let slot = match (kind, answer) {
            (_, Err(DnsError::Temporary)) => Slot::Failed,
            (QueryKind::Txt, Ok(records)) => match single_policy_record(&records) {
                Some(record) => {
                    found = Some(Arc::new(record));
                    Slot::Policy(Some(index))
                }
                None => Slot::Policy(None),
            },
            (QueryKind::Txt, Err(_)) => Slot::Policy(None),
            (_, Ok(records)) if !records.is_empty() => Slot::Exists(true),
            // NODATA: the name exists, though it holds no mail records (RFC 9091's test).
            (_, Ok(_) | Err(DnsError::NoRecords)) => {
                Slot::Exists(existence == ExistenceTest::NxDomain)
            }
            (_, Err(_)) => Slot::Exists(false),
        };
        if let Some(entry) = self.dns.entries.get_mut(index) {
            entry.slot = slot;
            entry.record = found;
        }
        Ok(())
    }

    fn finish(&mut self, verdict: Verdict) -> Step<Verdict> {
        self.finished = true;
        Step::Done(verdict)
    }
}

impl Dns {
    /// Room for the questions of a typical evaluation (a walk of a few names for the Author
    /// Domain and for each identifier) without growing.
    fn new() -> Dns {
        Dns {
            entries: Vec::with_capacity(8),
            ..Dns::default()
        }
    }

    /// The state of a question, asking it if it is new.
    fn ask(&mut self, name: &str, kind: QueryKind) -> Wait<Slot> {
        let known = self
            .entry(name, kind)
            .and_then(|index| self.entries.get(index))
            .map(|entry| entry.slot);
        match known {
            Some(Slot::Pending) => Wait::Pending,
            Some(Slot::Failed) => Wait::TempError,
            Some(slot) => Wait::Ready(slot),
            None if self.read_only => Wait::Pending,
            None => {
                let query_name = if kind == QueryKind::Txt {
                    let mut query = String::with_capacity(name.len() + 7);
                    query.push_str("_dmarc.");
                    query.push_str(name);
                    query
                } else {
                    name.to_owned()
                };
                let id = QueryId(u32::try_from(self.entries.len()).unwrap_or(u32::MAX));
                self.handed_out.push(Query {
                    id,
                    name: query_name,
                    kind,
                });
                self.entries.push(Entry {
                    name: self.names.push(name.as_bytes()),
                    kind,
                    slot: Slot::Pending,
                    record: None,
                });
                Wait::Pending
            }
        }
    }

    /// The index of the entry that asked `name` for `kind`.
    fn entry(&self, name: &str, kind: QueryKind) -> Option<usize> {
        self.entries.iter().position(|entry| {
            entry.kind == kind && self.names.get(entry.name.clone()) == name.as_bytes()
        })
    }

    /// The domain of entry `index`.
    fn entry_name(&self, index: usize) -> &[u8] {
        self.entries
            .get(index)
            .map_or(&[], |entry| self.names.get(entry.name.clone()))
    }

    /// The single DMARC record at `_dmarc.<domain>`, as the index of its entry.
    fn record_at(&mut self, domain: &str) -> Wait<Option<usize>> {
        match self.ask(domain, QueryKind::Txt) {
            Wait::Ready(Slot::Policy(record)) => Wait::Ready(record),
            Wait::Ready(_) | Wait::TempError => Wait::TempError,
            Wait::Pending => Wait::Pending,
        }
    }

    /// The record at `index`.
    fn record(&self, index: usize) -> Option<&Arc<Record>> {
        self.entries
            .get(index)
            .and_then(|entry| entry.record.as_ref())
    }

    /// The tree walk of RFC 9989 §4.10 from `start`, and the Organizational Domain it selects
    /// (§4.10.2).
    fn walk<'a>(&mut self, start: &'a str) -> Wait<Walked<'a>> {
        let cached = self
            .walks
            .iter()
            .find(|(entry, ..)| self.entry_name(*entry) == start.as_bytes());
        if let Some(&(_, offset, at_organizational, at_psd)) = cached {
            return Wait::Ready(Walked {
                organizational: start.get(offset..).unwrap_or(start),
                at_organizational,
                at_psd,
            });
        }
        let walked = self.walk_uncached(start);
        // A finished walk asked for the start's policy first, so that entry names it.
        if let Wait::Ready(walked) = &walked
            && !self.read_only
            && let Some(entry) = self.entry(start, QueryKind::Txt)
        {
            let offset = start.len().saturating_sub(walked.organizational.len());
            self.walks
                .push((entry, offset, walked.at_organizational, walked.at_psd));
        }
        walked
    }

    fn walk_uncached<'a>(&mut self, start: &'a str) -> Wait<Walked<'a>> {
        let mut organizational = None;
        let mut at_psd = None;
        // At most eight names are asked; remember the last found and the ones with records.
        let mut found: [Option<(&'a str, usize)>; 8] = [None; 8];
        let mut count = 0;
        for target in Targets::new(start) {
            let index = match self.record_at(target) {
                Wait::Pending => return Wait::Pending,
                Wait::TempError => return Wait::TempError,
                Wait::Ready(None) => continue,
                Wait::Ready(Some(index)) => index,
            };
            if let Some(slot) = found.get_mut(count) {
                *slot = Some((target, index));
                count += 1;
            }
            match self.record(index).map(|r| r.psd) {
                Some(PsdFlag::No) => {
                    organizational = Some(target);
                    break;
                }
                Some(PsdFlag::Yes) => {
                    at_psd = Some(index);
                    organizational = Some(if target == start {
                        start
                    } else {
                        child_toward(start, target)
                    });
                    break;
                }
                _ => {}
            }
        }
        let found = found.iter().take(count).flatten();
        let organizational = organizational
            .or_else(|| found.clone().last().map(|(name, _)| *name))
            .unwrap_or(start);
        let at_organizational = found
            .clone()
            .find(|(name, _)| *name == organizational)
            .map(|(_, index)| *index);
        Wait::Ready(Walked {
            organizational,
            at_organizational,
            at_psd,
        })
    }

    /// Whether `domain` exists (§3.2.13 or RFC 9091 §2.7).
    fn exists(&mut self, domain: &str, test: ExistenceTest) -> Wait<bool> {
        let kinds: &[QueryKind] = match test {
            ExistenceTest::NxDomain => &[QueryKind::A],
            ExistenceTest::NoMailRecords => &[QueryKind::A, QueryKind::Aaaa, QueryKind::Mx],
        };
        let mut exists = false;
        let mut pending = false;
        let mut failed = false;
        for &kind in kinds {
            match self.ask(domain, kind) {
                Wait::Ready(Slot::Exists(found)) => exists |= found,
                Wait::Ready(_) | Wait::TempError => failed = true,
                Wait::Pending => pending = true,
            }
        }
        if exists {
            Wait::Ready(true)
        } else if pending {
            Wait::Pending
        } else if failed {
            Wait::TempError
        } else {
            Wait::Ready(false)
        }
    }
}

/// Policy discovery (§4.10.1): the policy domain and its record's index, or `None` if no
/// record applies.
fn discover(
    dns: &mut Dns,
    discovery: &Discovery,
    author: &Domain,
) -> Wait<Option<(Domain, usize)>> {
    match dns.record_at(author.as_str()) {
        Wait::Pending => return Wait::Pending,
        Wait::TempError => return Wait::TempError,
        Wait::Ready(Some(index)) => return Wait::Ready(Some((author.clone(), index))),
        Wait::Ready(None) => {}
    }
    match discovery {
        Discovery::PublicSuffixList(list) => {
            let organizational = list.organizational_domain(author);
            if organizational == *author {
                return Wait::Ready(None);
            }
            match dns.record_at(organizational.as_str()) {
                Wait::Ready(index) => Wait::Ready(index.map(|i| (organizational, i))),
                Wait::Pending => Wait::Pending,
                Wait::TempError => Wait::TempError,
            }
        }
        Discovery::TreeWalk => {
            let walked = match dns.walk(author.as_str()) {
                Wait::Ready(walked) => walked,
                Wait::Pending => return Wait::Pending,
                Wait::TempError => return Wait::TempError,
            };
            let found = match (walked.at_organizational, walked.at_psd) {
                (Some(index), _) => Domain::try_from(walked.organizational)
                    .ok()
                    .map(|d| (d, index)),
                (None, Some(index)) => Domain::parse(dns.entry_name(index))
                    .ok()
                    .map(|d| (d, index)),
                (None, None) => None,
            };
            Wait::Ready(found)
        }
    }
}

/// Whether `identifier` is aligned with `author` in `mode` (§3.2.10, §4.10.2).
fn aligned(
    dns: &mut Dns,
    discovery: &Discovery,
    author: &Domain,
    identifier: &Domain,
    mode: AlignmentMode,
) -> Wait<bool> {
    if identifier == author {
        return Wait::Ready(true);
    }
    fn top(domain: &Domain) -> &str {
        let name = domain.as_str();
        let start = name
            .bytes()
            .rposition(|byte| byte == b'.')
            .map_or(0, |dot| dot + 1);
        name.get(start..).unwrap_or(name)
    }
    if mode == AlignmentMode::Strict || top(author) != top(identifier) {
        // Organizational Domains are ancestors-or-self: names without a common top label can
        // never share one, so no walk is needed.
        return Wait::Ready(false);
    }
    match discovery {
        Discovery::PublicSuffixList(list) => Wait::Ready(
            list.organizational_domain(author) == list.organizational_domain(identifier),
        ),
        Discovery::TreeWalk => {
            let of_author = dns.walk(author.as_str());
            let of_identifier = dns.walk(identifier.as_str());
            match (of_author, of_identifier) {
                (Wait::TempError, _) | (_, Wait::TempError) => Wait::TempError,
                (Wait::Ready(a), Wait::Ready(i)) => {
                    Wait::Ready(a.organizational == i.organizational)
                }
                _ => Wait::Pending,
            }
        }
    }
}

/// Evaluates one Author Domain; `None` while answers are missing.
fn evaluate_author(
    dns: &mut Dns,
    config: &Config,
    input: &Input,
    author: &Domain,
) -> Option<AuthorVerdict> {
    let discovered = discover(dns, &config.discovery, author);
    let (policy_domain, record_index) = match discovered {
        Wait::Pending => return None,
        Wait::TempError => {
            return Some(AuthorVerdict::empty(
                author,
                DmarcResult::TempError,
                "temporary DNS failure during policy discovery".into(),
            ));
        }
        Wait::Ready(None) => {
            return Some(AuthorVerdict::empty(
                author,
                DmarcResult::None,
                "no DMARC policy record".into(),
            ));
        }
        Wait::Ready(Some(found)) => found,
    };
    let p_required = matches!(config.discovery, Discovery::PublicSuffixList(_));
    let record = dns.record(record_index)?;
    let (spf_mode, dkim_mode) = (record.spf_alignment, record.dkim_alignment);
    let Some((p, sp, np)) = record.effective_policies(p_required) else {
        let mut verdict = AuthorVerdict::empty(
            author,
            DmarcResult::None,
            format!(
                "the record at _dmarc.{policy_domain} has no valid policy and no valid rua; no DMARC processing"
            )
            .into(),
        );
        verdict.record = Some(Arc::clone(record));
        verdict.policy_domain = Some(policy_domain);
        return Some(verdict);
    };
    let mut pending = false;

    // Identifier Alignment (§4.10.2), every identifier at once.
    let spf = match &input.spf {
        None => Alignment::NoIdentifier,
        Some(identifier) => match aligned(dns, &config.discovery, author, identifier, spf_mode) {
            Wait::Ready(true) => Alignment::Aligned,
            Wait::Ready(false) => Alignment::NotAligned,
            Wait::TempError => Alignment::Unknown,
            Wait::Pending => {
                pending = true;
                Alignment::Unknown
            }
        },
    };
    let mut dkim = if input.dkim.is_empty() {
        Alignment::NoIdentifier
    } else {
        Alignment::NotAligned
    };
    let mut aligned_dkim_domain = None;
    for identifier in input.dkim.iter() {
        match aligned(dns, &config.discovery, author, identifier, dkim_mode) {
            Wait::Ready(true) => {
                if aligned_dkim_domain.is_none() {
                    aligned_dkim_domain = Some(identifier);
                }
                dkim = Alignment::Aligned;
            }
            Wait::Ready(false) => {}
            Wait::TempError => {
                if dkim != Alignment::Aligned {
                    dkim = Alignment::Unknown;
                }
            }
            Wait::Pending => pending = true,
        }
    }

    // An identifier a temporary DNS failure left undecided, that would be aligned: without
    // an aligned pass elsewhere, the message neither passes nor fails (§5.3.6). Identifiers
    // that could not align change nothing, so a failing lookup an attacker controls cannot
    // soften a fail.
    let mut undecided = false;
    let undecided_ids = input
        .spf_undecided
        .iter()
        .map(|d| (d, spf_mode))
        .chain(input.dkim_undecided.iter().map(|d| (d, dkim_mode)));
    for (identifier, mode) in undecided_ids {
        match aligned(dns, &config.discovery, author, identifier, mode) {
            Wait::Ready(true) | Wait::TempError => undecided = true,
            Wait::Ready(false) => {}
            Wait::Pending => pending = true,
        }
    }

    // A trusted forwarder's recorded pass, aligned with this author (RFC 8617 §7.2.1).
    let mut vouching_sealer = None;
    let trusted_seals = input
        .arc_seals
        .iter()
        .filter(|seal| config.trusted_forwarders.contains(&seal.sealer));
    for seal in trusted_seals {
        for recorded in &seal.passed {
            let (identifier, mode) = match recorded {
                RecordedPass::Dmarc(domain) => (domain, AlignmentMode::Strict),
                RecordedPass::Dkim(domain) => (domain, dkim_mode),
                RecordedPass::Spf(domain) => (domain, spf_mode),
            };
            match aligned(dns, &config.discovery, author, identifier, mode) {
                Wait::Ready(true) => {
                    vouching_sealer.get_or_insert(&seal.sealer);
                }
                Wait::Ready(false) | Wait::TempError => {}
                Wait::Pending => pending = true,
            }
        }
    }

    // The policy that applies (§4.10.1).
    let (policy, tag) = if policy_domain == *author {
        (p, PolicyTag::P)
    } else if np == sp {
        (sp, PolicyTag::Sp)
    } else {
        match dns.exists(author.as_str(), config.existence) {
            Wait::Ready(true) => (sp, PolicyTag::Sp),
            Wait::Ready(false) => (np, PolicyTag::Np),
            // Existence unknown: the stricter of the two, so a DNS failure cannot soften it.
            Wait::TempError if np > sp => (np, PolicyTag::Np),
            Wait::TempError => (sp, PolicyTag::Sp),
            Wait::Pending => {
                pending = true;
                (sp, PolicyTag::Sp)
            }
        }
    };
    if pending {
        return None;
    }
    // The Organizational Domain is reported when its walk is complete; it is never waited for
    // (identical or strict alignment needs none).
    let organizational_domain = match &config.discovery {
        Discovery::PublicSuffixList(list) => Some(list.organizational_domain(author)),
        Discovery::TreeWalk => {
            dns.read_only = true;
            let found = match dns.walk(author.as_str()) {
                Wait::Ready(walked) if walked.organizational == author.as_str() => {
                    Some(author.clone())
                }
                Wait::Ready(walked) => Domain::try_from(walked.organizational).ok(),
                _ => None,
            };
            dns.read_only = false;
            found
        }
    };
    let record = dns.record(record_index)?;
    let testing = record.testing();
    let mut verdict = AuthorVerdict {
        result: DmarcResult::Fail,
        domain: author.clone(),
        policy_domain: Some(policy_domain),
        record: Some(Arc::clone(record)),
        organizational_domain,
        policy: Some(policy),
        policy_tag: Some(tag),
        testing,
        disposition: Policy::None,
        spf,
        dkim,
        aligned_dkim_domain: aligned_dkim_domain.cloned(),
        overrides: Vec::new(),
        reason: "".into(),
    };

    // Pass or fail (§5.3.5), and what to do (§5.3.6, §4.7 `t`).
    if spf.is_aligned() || dkim.is_aligned() {
        verdict.result = DmarcResult::Pass;
        verdict.reason = if dkim.is_aligned() {
            "aligned DKIM pass".into()
        } else {
            "aligned SPF pass".into()
        };
    } else if spf == Alignment::Unknown || dkim == Alignment::Unknown {
        verdict.result = DmarcResult::TempError;
        verdict.reason = "temporary DNS failure while checking alignment".into();
    } else if undecided {
        verdict.result = DmarcResult::TempError;
        verdict.reason =
            "a temporary DNS failure left an aligned SPF or DKIM result undecided".into();
    } else {
        verdict.reason = failure_reason(&verdict).into();
        verdict.disposition = if testing { policy.lowered() } else { policy };
        apply_overrides(config, input, vouching_sealer, &mut verdict);
    }
    Some(verdict)
}

fn apply_overrides(
    config: &Config,
    input: &Input,
    vouching_sealer: Option<&Domain>,
    verdict: &mut AuthorVerdict,
) {
    if let Some(sealer) = vouching_sealer {
        verdict
            .overrides
            .push(PolicyOverride::TrustedForwarder(sealer.clone()));
    } else if let Some(seal) = input
        .arc_seals
        .iter()
        .find(|seal| config.trusted_forwarders.contains(&seal.sealer))
    {
        // Say why a trusted forwarder did not help: what it saw on arrival was not authentic.
        verdict.reason = format!(
            "{}; trusted forwarder {} recorded no pass aligned with {} on arrival",
            verdict.reason, seal.sealer, verdict.domain
        )
        .into();
    }
    if let Some(list) = input
        .mailing_list
        .as_ref()
        .filter(|l| config.trusted_mailing_lists.contains(l))
    {
        verdict
            .overrides
            .push(PolicyOverride::MailingList(list.clone()));
    }
    if !verdict.overrides.is_empty() {
        verdict.disposition = Policy::None;
    }
}

/// The names a walk from `start` queries, as slices of it (§4.10 steps 1 to 7).
struct Targets<'a> {
    start: &'a str,
    /// Labels of the next name; 0 when done.
    next: usize,
    first: bool,
}

impl<'a> Targets<'a> {
    fn new(start: &'a str) -> Targets<'a> {
        let labels = label_count(start);
        Targets {
            start,
            next: if labels > 8 {
                7
            } else {
                labels.saturating_sub(1)
            },
            first: true,
        }
    }
}

impl<'a> Iterator for Targets<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.first {
            self.first = false;
            return Some(self.start);
        }
        if self.next == 0 {
            return None;
        }
        let count = self.next;
        self.next -= 1;
        suffix(self.start, count)
    }
}

/// The rightmost `count` labels of `name`.
fn suffix(name: &str, count: usize) -> Option<&str> {
    let mut seen = 0;
    for (index, byte) in name.bytes().enumerate().rev() {
        if byte == b'.' {
            seen += 1;
            if seen == count {
                return name.get(index + 1..);
            }
        }
    }
    (seen + 1 == count).then_some(name)
}

/// The name one label below `ancestor` on the way to `start`.
fn child_toward<'a>(start: &'a str, ancestor: &str) -> &'a str {
    suffix(start, label_count(ancestor) + 1).unwrap_or(start)
}

fn label_count(name: &str) -> usize {
    name.bytes().filter(|&b| b == b'.').count() + 1
}

impl AuthorVerdict {
    fn empty(domain: &Domain, result: DmarcResult, reason: Cow<'static, str>) -> AuthorVerdict {
        AuthorVerdict {
            result,
            domain: domain.clone(),
            policy_domain: None,
            record: None,
            organizational_domain: None,
            policy: None,
            policy_tag: None,
            testing: false,
            disposition: Policy::None,
            spf: Alignment::NoIdentifier,
            dkim: Alignment::NoIdentifier,
            aligned_dkim_domain: None,
            overrides: Vec::new(),
            reason,
        }
    }
}

impl LookupMachine for Evaluation {
    type Output = Verdict;

    fn poll(&mut self) -> Step<Verdict> {
        Evaluation::poll(self)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        Evaluation::handle_answer(self, id, answer)
    }
}

/// Adds a record found by a walk; `true` when the walk stops there (a `psd=y` or `psd=n`
/// record, §4.10 steps 2 and 6).
pub(crate) fn walk_step(found: &mut Vec<(Domain, Record)>, target: Domain, record: Record) -> bool {
    let stop = record.psd != PsdFlag::Unknown;
    found.push((target, record));
    stop
}

/// The one DMARC record among a TXT answer's records; several, or none, give `None`
/// (§4.10 step 2).
pub(crate) fn single_policy_record(records: &[DnsRecord]) -> Option<Record> {
    let mut found = records.iter().filter_map(|record| match record {
        DnsRecord::Txt(txt) => Record::parse(&txt.joined()).ok(),
        _ => None,
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn failure_reason(verdict: &AuthorVerdict) -> &'static str {
    match (
        verdict.spf == Alignment::NotAligned,
        verdict.dkim == Alignment::NotAligned,
    ) {
        (true, true) => "SPF passed but not aligned, DKIM passed but not aligned",
        (true, false) => "SPF passed but not aligned, no DKIM pass",
        (false, true) => "no SPF pass, DKIM passed but not aligned",
        (false, false) => "no SPF pass, no DKIM pass",
    }
}

fn unreadable(config: &Config, reason: String) -> Verdict {
    Verdict {
        result: DmarcResult::PermError,
        disposition: config.unreadable_author_disposition,
        authors: Vec::new(),
        problem: Some(reason),
    }
}

/// One verdict from those of several Author Domains (§11.5): the strictest failing policy wins;
/// a pass needs every domain to pass.
fn combine(verdicts: Vec<AuthorVerdict>) -> Verdict {
    let rank = |result: DmarcResult| match result {
        DmarcResult::Fail => 4,
        DmarcResult::TempError => 3,
        DmarcResult::PermError => 2,
        DmarcResult::None => 1,
        DmarcResult::Pass => 0,
    };
    let result = verdicts
        .iter()
        .map(|v| v.result)
        .max_by_key(|r| rank(*r))
        .unwrap_or(DmarcResult::None);
    let disposition = verdicts
        .iter()
        .filter(|v| v.result == result)
        .map(|v| v.disposition)
        .max()
        .unwrap_or(Policy::None);
    Verdict {
        result,
        disposition,
        authors: verdicts,
        problem: None,
    }
}
