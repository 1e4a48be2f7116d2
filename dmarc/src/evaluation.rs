//! DMARC evaluation of one message as a sans-IO machine:
//! [RFC 9989 §5.3](https://www.rfc-editor.org/rfc/rfc9989#section-5.3) (policy discovery §4.10.1,
//! the DNS tree walk §4.10, Identifier Alignment §4.10.2), or RFC 7489's public-suffix method
//! as an option.

use std::collections::BTreeMap;

use tegami_core::dns::{
    Answer, DnsError, LookupMachine, MisuseError, Outstanding, Query, QueryId, QueryKind,
    Record as DnsRecord, Step,
};
use tegami_core::domain::Domain;
use tegami_mime::author::{Author, AuthorError};

use crate::psl::PublicSuffixList;
use crate::record::{AlignmentMode, Policy, PsdFlag, Record};
use crate::tree_walk::{select_organizational, walk_targets};
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
    /// ARC sealers whose verified chain sets a failing policy aside (`trusted_forwarder`).
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
    authors: Result<Vec<Domain>, AuthorError>,
    spf: Option<Domain>,
    dkim: Vec<Domain>,
    arc_sealers: Vec<Domain>,
    mailing_list: Option<Domain>,
}

impl Input {
    /// The Author Domains from mime's reading of the From fields. Several domains are all
    /// evaluated (RFC 9989 §11.5); an unreadable From makes the result `permerror`.
    pub fn from_author(author: &Author) -> Input {
        let authors = match author.domain() {
            Ok(domain) => Ok(vec![domain.clone()]),
            Err(AuthorError::MultipleDomains(domains)) => Ok(domains),
            Err(error) => Err(error),
        };
        Input::with_authors(authors)
    }

    /// One known Author Domain.
    pub fn for_domain(domain: Domain) -> Input {
        Input::with_authors(Ok(vec![domain]))
    }

    fn with_authors(authors: Result<Vec<Domain>, AuthorError>) -> Input {
        Input {
            authors,
            spf: None,
            dkim: Vec::new(),
            arc_sealers: Vec::new(),
            mailing_list: None,
        }
    }

    /// The SPF result: only a `pass` for the MAIL FROM identity yields an SPF-Authenticated
    /// Identifier (RFC 9989 §4.4.2); a HELO result never does.
    pub fn spf(mut self, verdict: &tegami_spf::Verdict) -> Input {
        if verdict.result == tegami_spf::SpfResult::Pass
            && verdict.identity == tegami_spf::Identity::MailFrom
        {
            self.spf = Domain::try_from(verdict.domain.as_str()).ok();
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
            if result.result == tegami_dkim::DkimResult::Pass
                && let Ok(domain) = Domain::try_from(result.domain.as_str())
            {
                self.push_dkim(domain);
            }
        }
        self
    }

    /// A DKIM-Authenticated Identifier given directly: the `d=` of a passing signature.
    pub fn dkim_pass(mut self, domain: Domain) -> Input {
        self.push_dkim(domain);
        self
    }

    /// The sealers of an ARC chain that validated (`cv=pass`), newest last, for the
    /// trusted-forwarder override.
    pub fn arc_pass(mut self, sealers: Vec<Domain>) -> Input {
        self.arc_sealers = sealers;
        self
    }

    /// The mailing list the message came through (its `List-Id` domain), for the mailing-list
    /// override.
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
    book: Outstanding,
    by_id: BTreeMap<QueryId, Key>,
    answers: BTreeMap<Key, Slot>,
    handed_out: Vec<Query>,
    finished: Option<Verdict>,
}

/// What a query was for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// `_dmarc.<domain>` TXT.
    Policy(Domain),
    /// `<domain>` of this kind, for the existence test.
    Exists(Domain, QueryKind),
}

#[derive(Debug, Clone)]
enum Slot {
    Pending,
    Policy(Option<Record>),
    Exists(bool),
    Failed,
}

/// A value that may still wait for DNS, or hit a temporary failure.
enum Wait<T> {
    Pending,
    TempError,
    Ready(T),
}

impl Evaluation {
    /// Starts an evaluation.
    pub fn new(input: Input, config: Config) -> Evaluation {
        Evaluation {
            config,
            input,
            book: Outstanding::default(),
            by_id: BTreeMap::new(),
            answers: BTreeMap::new(),
            handed_out: Vec::new(),
            finished: None,
        }
    }

    /// Says what to do next: DNS queries to make, or the verdict.
    pub fn poll(&mut self) -> Step<Verdict> {
        if let Some(verdict) = &self.finished {
            return Step::Done(verdict.clone());
        }
        let authors = match &self.input.authors {
            Ok(authors) if authors.len() <= self.config.max_author_domains => authors.clone(),
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
        for author in &authors {
            match self.author(author) {
                Some(verdict) => verdicts.push(verdict),
                None => pending = true,
            }
        }
        if pending {
            return Step::Lookup(core::mem::take(&mut self.handed_out));
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
        if self.finished.is_some() {
            return Err(MisuseError::Finished);
        }
        self.book.answer(id)?;
        let Some(key) = self.by_id.remove(&id) else {
            return Err(MisuseError::UnknownQuery(id));
        };
        let slot = match (&key, answer) {
            (_, Err(DnsError::Temporary)) => Slot::Failed,
            (Key::Policy(_), Ok(records)) => Slot::Policy(single_policy_record(&records)),
            (Key::Policy(_), Err(_)) => Slot::Policy(None),
            (Key::Exists(_, _), Ok(records)) if !records.is_empty() => Slot::Exists(true),
            // NODATA: the name exists, though it holds no mail records (RFC 9091's test).
            (Key::Exists(_, _), Ok(_) | Err(DnsError::NoRecords)) => {
                Slot::Exists(self.config.existence == ExistenceTest::NxDomain)
            }
            (Key::Exists(_, _), Err(_)) => Slot::Exists(false),
        };
        self.answers.insert(key, slot);
        Ok(())
    }

    fn finish(&mut self, verdict: Verdict) -> Step<Verdict> {
        self.finished = Some(verdict.clone());
        Step::Done(verdict)
    }

    /// Looks up (or asks for) an answer.
    fn ask(&mut self, key: Key) -> Wait<Slot> {
        match self.answers.get(&key) {
            Some(Slot::Pending) => Wait::Pending,
            Some(Slot::Failed) => Wait::TempError,
            Some(slot) => Wait::Ready(slot.clone()),
            None => {
                let (name, kind) = match &key {
                    Key::Policy(domain) => (format!("_dmarc.{domain}"), QueryKind::Txt),
                    Key::Exists(domain, kind) => (domain.as_str().to_owned(), *kind),
                };
                let query = self.book.issue(name, kind);
                self.by_id.insert(query.id, key.clone());
                self.answers.insert(key, Slot::Pending);
                self.handed_out.push(query);
                Wait::Pending
            }
        }
    }

    /// The single DMARC record at `_dmarc.<domain>`, if any.
    fn record_at(&mut self, domain: &Domain) -> Wait<Option<Record>> {
        match self.ask(Key::Policy(domain.clone())) {
            Wait::Ready(Slot::Policy(record)) => Wait::Ready(record),
            Wait::Ready(_) | Wait::TempError => Wait::TempError,
            Wait::Pending => Wait::Pending,
        }
    }

    /// The tree walk of RFC 9989 §4.10 from `start`: the records found, longest name first,
    /// stopping after a record with `psd=y` or `psd=n`.
    fn walk(&mut self, start: &Domain) -> Wait<Vec<(Domain, Record)>> {
        let mut found = Vec::new();
        for target in walk_targets(start) {
            match self.record_at(&target) {
                Wait::Pending => return Wait::Pending,
                Wait::TempError => return Wait::TempError,
                Wait::Ready(None) => {}
                Wait::Ready(Some(record)) => {
                    if walk_step(&mut found, target, record) {
                        break;
                    }
                }
            }
        }
        Wait::Ready(found)
    }

    /// The Organizational Domain of `domain`.
    fn organizational_domain(&mut self, domain: &Domain) -> Wait<Domain> {
        match &self.config.discovery {
            Discovery::PublicSuffixList(list) => Wait::Ready(list.organizational_domain(domain)),
            Discovery::TreeWalk => match self.walk(domain) {
                Wait::Ready(found) => Wait::Ready(select_organizational(domain, &found)),
                Wait::Pending => Wait::Pending,
                Wait::TempError => Wait::TempError,
            },
        }
    }

    /// Policy discovery (§4.10.1): the policy domain and its record, or `None` if no record
    /// applies.
    fn discover(&mut self, author: &Domain) -> Wait<Option<(Domain, Record)>> {
        match self.record_at(author) {
            Wait::Pending => return Wait::Pending,
            Wait::TempError => return Wait::TempError,
            Wait::Ready(Some(record)) => return Wait::Ready(Some((author.clone(), record))),
            Wait::Ready(None) => {}
        }
        match self.config.discovery.clone() {
            Discovery::PublicSuffixList(list) => {
                let organizational = list.organizational_domain(author);
                if organizational == *author {
                    return Wait::Ready(None);
                }
                match self.record_at(&organizational) {
                    Wait::Ready(record) => Wait::Ready(record.map(|r| (organizational, r))),
                    Wait::Pending => Wait::Pending,
                    Wait::TempError => Wait::TempError,
                }
            }
            Discovery::TreeWalk => {
                let found = match self.walk(author) {
                    Wait::Ready(found) => found,
                    Wait::Pending => return Wait::Pending,
                    Wait::TempError => return Wait::TempError,
                };
                let organizational = select_organizational(author, &found);
                let at_organizational = found.iter().find(|(d, _)| *d == organizational).cloned();
                let at_psd = found.iter().find(|(_, r)| r.psd == PsdFlag::Yes).cloned();
                Wait::Ready(at_organizational.or(at_psd))
            }
        }
    }

    /// Whether `identifier` is aligned with `author` in `mode` (§3.2.10, §4.10.2).
    fn aligned(&mut self, author: &Domain, identifier: &Domain, mode: AlignmentMode) -> Wait<bool> {
        if identifier == author {
            return Wait::Ready(true);
        }
        if mode == AlignmentMode::Strict || author.labels().last() != identifier.labels().last() {
            // Organizational Domains are ancestors-or-self: names without a common top label
            // can never share one, so no walk is needed.
            return Wait::Ready(false);
        }
        let of_author = self.organizational_domain(author);
        let of_identifier = self.organizational_domain(identifier);
        match (of_author, of_identifier) {
            (Wait::TempError, _) | (_, Wait::TempError) => Wait::TempError,
            (Wait::Ready(a), Wait::Ready(i)) => Wait::Ready(a == i),
            _ => Wait::Pending,
        }
    }

    /// Whether the Author Domain exists (§3.2.13 or RFC 9091 §2.7).
    fn exists(&mut self, author: &Domain) -> Wait<bool> {
        let kinds: &[QueryKind] = match self.config.existence {
            ExistenceTest::NxDomain => &[QueryKind::A],
            ExistenceTest::NoMailRecords => &[QueryKind::A, QueryKind::Aaaa, QueryKind::Mx],
        };
        let mut exists = false;
        let mut pending = false;
        let mut failed = false;
        for &kind in kinds {
            match self.ask(Key::Exists(author.clone(), kind)) {
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

    /// Evaluates one Author Domain; `None` while answers are missing.
    fn author(&mut self, author: &Domain) -> Option<AuthorVerdict> {
        let mut verdict = AuthorVerdict {
            result: DmarcResult::None,
            domain: author.clone(),
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
            reason: String::new(),
        };
        let (policy_domain, record) = match self.discover(author) {
            Wait::Pending => return None,
            Wait::TempError => {
                verdict.result = DmarcResult::TempError;
                verdict.reason = "temporary DNS failure during policy discovery".to_owned();
                return Some(verdict);
            }
            Wait::Ready(None) => {
                verdict.reason = "no DMARC policy record".to_owned();
                return Some(verdict);
            }
            Wait::Ready(Some(found)) => found,
        };
        verdict.policy_domain = Some(policy_domain.clone());
        let p_required = matches!(self.config.discovery, Discovery::PublicSuffixList(_));
        let Some((p, sp, np)) = record.effective_policies(p_required) else {
            verdict.reason = format!(
                "the record at _dmarc.{policy_domain} has no valid policy and no valid rua; no DMARC processing"
            );
            verdict.record = Some(record);
            return Some(verdict);
        };
        let mut pending = false;

        // Identifier Alignment (§4.10.2), every identifier at once.
        let spf_identifier = self.input.spf.clone();
        verdict.spf = match spf_identifier {
            None => Alignment::NoIdentifier,
            Some(identifier) => match self.aligned(author, &identifier, record.spf_alignment) {
                Wait::Ready(true) => Alignment::Aligned,
                Wait::Ready(false) => Alignment::NotAligned,
                Wait::TempError => Alignment::Unknown,
                Wait::Pending => {
                    pending = true;
                    Alignment::Unknown
                }
            },
        };
        let mut dkim = if self.input.dkim.is_empty() {
            Alignment::NoIdentifier
        } else {
            Alignment::NotAligned
        };
        for identifier in self.input.dkim.clone() {
            match self.aligned(author, &identifier, record.dkim_alignment) {
                Wait::Ready(true) => {
                    if verdict.aligned_dkim_domain.is_none() {
                        verdict.aligned_dkim_domain = Some(identifier);
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
        verdict.dkim = dkim;

        // The policy that applies (§4.10.1).
        let (policy, tag) = if policy_domain == *author {
            (p, PolicyTag::P)
        } else if np == sp {
            (sp, PolicyTag::Sp)
        } else {
            match self.exists(author) {
                Wait::Ready(true) => (sp, PolicyTag::Sp),
                Wait::Ready(false) => (np, PolicyTag::Np),
                // Existence unknown: the stricter of the two, so a DNS failure cannot soften it.
                Wait::TempError => {
                    if np > sp {
                        (np, PolicyTag::Np)
                    } else {
                        (sp, PolicyTag::Sp)
                    }
                }
                Wait::Pending => {
                    pending = true;
                    (sp, PolicyTag::Sp)
                }
            }
        };
        if pending {
            return None;
        }
        if matches!(self.config.discovery, Discovery::TreeWalk)
            && let Wait::Ready(organizational) = self.organizational_domain_if_known(author)
        {
            verdict.organizational_domain = Some(organizational);
        } else if let Discovery::PublicSuffixList(list) = &self.config.discovery {
            verdict.organizational_domain = Some(list.organizational_domain(author));
        }
        verdict.policy = Some(policy);
        verdict.policy_tag = Some(tag);
        verdict.testing = record.testing();
        verdict.record = Some(record);

        // Pass or fail (§5.3.5), and what to do (§5.3.6, §4.7 `t`).
        if verdict.spf.is_aligned() || verdict.dkim.is_aligned() {
            verdict.result = DmarcResult::Pass;
            verdict.reason = if verdict.dkim.is_aligned() {
                "aligned DKIM pass".to_owned()
            } else {
                "aligned SPF pass".to_owned()
            };
        } else if verdict.spf == Alignment::Unknown || verdict.dkim == Alignment::Unknown {
            verdict.result = DmarcResult::TempError;
            verdict.reason = "temporary DNS failure while checking alignment".to_owned();
        } else {
            verdict.result = DmarcResult::Fail;
            verdict.reason = failure_reason(&verdict);
            verdict.disposition = if verdict.testing {
                policy.lowered()
            } else {
                policy
            };
            self.apply_overrides(&mut verdict);
        }
        Some(verdict)
    }

    /// The Organizational Domain when the walk's answers are all in already (it is reported,
    /// never waited for: strict or identical alignment does not need it).
    fn organizational_domain_if_known(&mut self, author: &Domain) -> Wait<Domain> {
        let mut found = Vec::new();
        for target in walk_targets(author) {
            match self.answers.get(&Key::Policy(target.clone())) {
                Some(Slot::Policy(None)) => {}
                Some(Slot::Policy(Some(record))) => {
                    if walk_step(&mut found, target, record.clone()) {
                        break;
                    }
                }
                Some(Slot::Failed) | Some(Slot::Exists(_)) => return Wait::TempError,
                Some(Slot::Pending) | None => return Wait::Pending,
            }
        }
        Wait::Ready(select_organizational(author, &found))
    }

    fn apply_overrides(&self, verdict: &mut AuthorVerdict) {
        if let Some(sealer) = self
            .input
            .arc_sealers
            .iter()
            .find(|s| self.config.trusted_forwarders.contains(s))
        {
            verdict
                .overrides
                .push(PolicyOverride::TrustedForwarder(sealer.clone()));
        }
        if let Some(list) = self
            .input
            .mailing_list
            .as_ref()
            .filter(|l| self.config.trusted_mailing_lists.contains(l))
        {
            verdict
                .overrides
                .push(PolicyOverride::MailingList(list.clone()));
        }
        if !verdict.overrides.is_empty() {
            verdict.disposition = Policy::None;
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
        DnsRecord::Txt(txt) => Record::parse(&txt.concatenated()).ok(),
        _ => None,
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn failure_reason(verdict: &AuthorVerdict) -> String {
    let part = |name: &str, alignment: Alignment| match alignment {
        Alignment::NotAligned => format!("{name} passed but not aligned"),
        _ => format!("no {name} pass"),
    };
    format!(
        "{}, {}",
        part("SPF", verdict.spf),
        part("DKIM", verdict.dkim)
    )
}

fn unreadable(config: &Config, reason: String) -> Verdict {
    Verdict {
        result: DmarcResult::PermError,
        disposition: config.unreadable_author_disposition,
        authors: Vec::new(),
        reason,
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
    let deciding = verdicts
        .iter()
        .filter(|v| v.result == result)
        .max_by_key(|v| v.disposition);
    let disposition = deciding.map_or(Policy::None, |v| v.disposition);
    let reason = match deciding {
        Some(v) if verdicts.len() > 1 => format!("{}: {}", v.domain, v.reason),
        Some(v) => v.reason.clone(),
        None => "no author domain".to_owned(),
    };
    Verdict {
        result,
        disposition,
        authors: verdicts,
        reason,
    }
}
