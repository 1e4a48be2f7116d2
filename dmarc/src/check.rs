//! An operator's audit of a domain's DMARC (and BIMI) records: what `tegami dmarc check`
//! prints.
//!
//! A domain owner moving from `p=none` to `quarantine` to `reject` needs to know which record
//! receivers will apply (RFC 9989 §4.10.1), the policy that results for the domain, its
//! existing subdomains and its non-existent ones, where reports go and whether each external
//! destination has authorised them (RFC 9990 §4: `<domain>._report._dmarc.<destination>`), whether
//! BIMI can show a logo, and what the next step would change.
//!
//! ```
//! use tegami_core::dns::{resolve, ZoneResolver};
//! use tegami_core::domain::Domain;
//! use tegami_dmarc::check::DomainCheck;
//! use tegami_dmarc::Policy;
//!
//! let zone = ZoneResolver::from_master_file(concat!(
//!     "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=none; rua=mailto:d@reports.example\"\n",
//!     "example.com._report._dmarc.reports.example. 300 IN TXT \"v=DMARC1\"\n",
//! ))?;
//! let report = resolve(&mut DomainCheck::new(Domain::try_from("example.com")?), &zone)?;
//! assert_eq!(report.policies.map(|p| p.domain), Some(Policy::None));
//! assert_eq!(report.destinations[0].authorized, Some(true));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use tegami_core::dns::{
    Answer, DnsError, LookupMachine, MisuseError, Outstanding, QueryId, QueryKind,
    Record as DnsRecord, Step,
};
use tegami_core::domain::Domain;

use crate::bimi::{BimiError, BimiRecord, Ineligibility, eligibility};
use crate::evaluation::{single_policy_record, walk_step};
use crate::record::{Policy, PsdFlag, Record, RecordWarningKind};
use crate::tree_walk::{select_organizational, walk_targets};

/// The audit of one domain, as a sans-IO machine (see the module documentation).
#[derive(Debug, Clone)]
pub struct DomainCheck {
    domain: Domain,
    targets: Vec<Domain>,
    next: usize,
    found: Vec<(Domain, Record)>,
    book: Outstanding,
    waiting: BTreeMap<QueryId, Asked>,
    walk_waiting: bool,
    walk_done: bool,
    temporary_failure: bool,
    bimi: Vec<(Domain, Option<Result<BimiRecord, BimiError>>)>,
    authorizations: BTreeMap<Domain, Option<bool>>,
    phase_two: bool,
}

#[derive(Debug, Clone)]
enum Asked {
    Walk,
    Bimi(Domain),
    Authorization(Domain),
}

/// What the audit found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainReport {
    /// The domain audited.
    pub domain: Domain,
    /// The names queried under `_dmarc.` by the tree walk, in order.
    pub queried: Vec<Domain>,
    /// The Organizational Domain (RFC 9989 §4.10.2).
    pub organizational_domain: Domain,
    /// Where the applicable record was found.
    pub policy_domain: Option<Domain>,
    /// The applicable record.
    pub record: Option<Record>,
    /// The policies receivers apply, when a usable record was found.
    pub policies: Option<Policies>,
    /// Whether the record asks for testing mode.
    pub testing: bool,
    /// Every report destination of the record.
    pub destinations: Vec<Destination>,
    /// The BIMI record found (`default._bimi.<domain>`, else at the Organizational Domain).
    pub bimi: Option<Result<BimiRecord, BimiError>>,
    /// Why BIMI logos cannot be shown under this DMARC record (empty when they can).
    pub bimi_ineligibility: Vec<Ineligibility>,
    /// The three steps towards enforcement, with the current one marked.
    pub steps: Vec<PolicyStep>,
    /// Things an operator should fix or know.
    pub warnings: Vec<String>,
    /// Whether a DNS lookup failed temporarily (the report is then incomplete).
    pub temporary_failure: bool,
}

/// The policies that result from the applicable record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policies {
    /// For mail from the domain itself.
    pub domain: Policy,
    /// For mail from its existing subdomains.
    pub existing_subdomains: Policy,
    /// For mail from its non-existent subdomains.
    pub nonexistent_subdomains: Policy,
}

/// A report destination (`rua` or `ruf` URI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// `rua` or `ruf`.
    pub tag: &'static str,
    /// The URI.
    pub uri: String,
    /// The mailto domain, if a mailto URI.
    pub domain: Option<Domain>,
    /// Whether the destination is outside the policy's Organizational Domain.
    pub external: bool,
    /// For an external destination, whether it published the authorisation record;
    /// `None` when not external, not mailto, or the lookup failed.
    pub authorized: Option<bool>,
}

/// One step of the road to enforcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyStep {
    /// The policy of this step.
    pub policy: Policy,
    /// Whether the domain is at this step now.
    pub current: bool,
    /// What receivers do with failing mail at this step.
    pub effect: &'static str,
}

impl DomainCheck {
    /// Starts the audit of `domain`.
    pub fn new(domain: Domain) -> DomainCheck {
        DomainCheck {
            targets: walk_targets(&domain),
            domain,
            next: 0,
            found: Vec::new(),
            book: Outstanding::default(),
            waiting: BTreeMap::new(),
            walk_waiting: false,
            walk_done: false,
            temporary_failure: false,
            bimi: Vec::new(),
            authorizations: BTreeMap::new(),
            phase_two: false,
        }
    }

    fn policy(&self) -> Option<(Domain, Record)> {
        if let Some((domain, record)) = self.found.first()
            && *domain == self.domain
        {
            return Some((domain.clone(), record.clone()));
        }
        let organizational = select_organizational(&self.domain, &self.found);
        self.found
            .iter()
            .find(|(d, _)| *d == organizational)
            .or_else(|| self.found.iter().find(|(_, r)| r.psd == PsdFlag::Yes))
            .cloned()
    }

    fn report(&self) -> DomainReport {
        let organizational = select_organizational(&self.domain, &self.found);
        let policy = self.policy();
        let (policy_domain, record) = match policy {
            Some((d, r)) => (Some(d), Some(r)),
            None => (None, None),
        };
        let policies = record
            .as_ref()
            .and_then(|r| r.effective_policies(false))
            .map(|(p, sp, np)| {
                if policy_domain.as_ref() == Some(&self.domain) {
                    Policies {
                        domain: p,
                        existing_subdomains: sp,
                        nonexistent_subdomains: np,
                    }
                } else {
                    Policies {
                        domain: sp,
                        existing_subdomains: sp,
                        nonexistent_subdomains: np,
                    }
                }
            });
        let destinations = self.destinations(record.as_ref(), &organizational);
        let bimi = self.bimi.iter().rev().find_map(|(_, r)| r.clone());
        let bimi_ineligibility = record
            .as_ref()
            .map_or_else(|| vec![Ineligibility::Unusable], eligibility);
        let current = policies.map(|p| p.domain);
        let steps = [
            (Policy::None, "failing mail is delivered as before; reports show who sends as the domain"),
            (Policy::Quarantine, "failing mail goes to spam or a quarantine"),
            (Policy::Reject, "failing mail is refused during the SMTP session (receivers may still quarantine it)"),
        ]
        .into_iter()
        .map(|(policy, effect)| PolicyStep {
            policy,
            current: current == Some(policy),
            effect,
        })
        .collect();
        let warnings = self.warnings(record.as_ref(), policies, &destinations);
        DomainReport {
            domain: self.domain.clone(),
            queried: self.targets.iter().take(self.next).cloned().collect(),
            organizational_domain: organizational,
            policy_domain,
            testing: record.as_ref().is_some_and(Record::testing),
            record,
            policies,
            destinations,
            bimi,
            bimi_ineligibility,
            steps,
            warnings,
            temporary_failure: self.temporary_failure,
        }
    }

    fn destinations(&self, record: Option<&Record>, organizational: &Domain) -> Vec<Destination> {
        let Some(record) = record else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (tag, uris) in [
            ("rua", &record.aggregate_uris),
            ("ruf", &record.failure_uris),
        ] {
            for uri in uris {
                let domain = uri.mailto_domain();
                let external = domain
                    .as_ref()
                    .is_some_and(|d| !d.is_subdomain_of(organizational));
                let authorized = if external {
                    domain
                        .as_ref()
                        .and_then(|d| self.authorizations.get(d).copied().flatten())
                } else {
                    None
                };
                out.push(Destination {
                    tag,
                    uri: uri.uri().to_owned(),
                    domain,
                    external,
                    authorized,
                });
            }
        }
        out
    }

    fn warnings(
        &self,
        record: Option<&Record>,
        policies: Option<Policies>,
        destinations: &[Destination],
    ) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.temporary_failure {
            warnings.push("a DNS lookup failed temporarily; this report is incomplete".to_owned());
        }
        let Some(record) = record else {
            warnings.push(
                "no DMARC record applies: receivers apply no DMARC to this domain".to_owned(),
            );
            return warnings;
        };
        if policies.is_none() {
            warnings
                .push("the record has no valid p and no valid rua: receivers ignore it".to_owned());
        }
        if record.aggregate_uris.is_empty() {
            warnings.push(
                "no rua: no aggregate reports, so no view of who sends as the domain".to_owned(),
            );
        }
        if let Some(p) = policies
            && p.domain != Policy::None
            && p.existing_subdomains == Policy::None
        {
            warnings.push("sp=none leaves subdomains open to spoofing".to_owned());
        }
        if record.testing() {
            warnings.push("testing mode (t=y or pct=0): receivers apply one level less".to_owned());
        }
        for warning in &record.warnings {
            let text = match warning.kind {
                RecordWarningKind::Historic => format!(
                    "{} was removed by RFC 9989; use t= instead of pct=",
                    warning.tag
                ),
                kind => format!("tag {}: {kind}", warning.tag),
            };
            warnings.push(text);
        }
        for destination in destinations.iter().filter(|d| d.external) {
            if destination.authorized == Some(false) {
                warnings.push(format!(
                    "{} has not authorised reports for this domain (no {}._report._dmarc.{} record): receivers drop it",
                    destination.uri,
                    self.policy().map_or_else(|| self.domain.clone(), |(d, _)| d),
                    destination.domain.as_ref().map_or("", Domain::as_str)
                ));
            }
        }
        warnings
    }

    fn issue(&mut self, name: String, kind: QueryKind, asked: Asked) -> tegami_core::dns::Query {
        let query = self.book.issue(name, kind);
        self.waiting.insert(query.id, asked);
        query
    }
}

impl LookupMachine for DomainCheck {
    type Output = DomainReport;

    fn poll(&mut self) -> Step<DomainReport> {
        let mut queries = Vec::new();
        if self.next == 0 && !self.walk_waiting && self.bimi.is_empty() {
            let domain = self.domain.clone();
            self.bimi.push((domain.clone(), None));
            queries.push(self.issue(
                format!("default._bimi.{domain}"),
                QueryKind::Txt,
                Asked::Bimi(domain),
            ));
        }
        if !self.walk_done && !self.walk_waiting {
            match self.targets.get(self.next).cloned() {
                Some(target) if !self.temporary_failure => {
                    queries.push(self.issue(
                        format!("_dmarc.{target}"),
                        QueryKind::Txt,
                        Asked::Walk,
                    ));
                    self.walk_waiting = true;
                }
                _ => self.walk_done = true,
            }
        }
        if self.walk_done && !self.phase_two {
            self.phase_two = true;
            let organizational = select_organizational(&self.domain, &self.found);
            if organizational != self.domain {
                self.bimi.push((organizational.clone(), None));
                queries.push(self.issue(
                    format!("default._bimi.{organizational}"),
                    QueryKind::Txt,
                    Asked::Bimi(organizational.clone()),
                ));
            }
            let policy_domain = self.policy().map(|(d, _)| d);
            let report = self.report();
            for destination in report.destinations.iter().filter(|d| d.external) {
                if let (Some(dest), Some(policy_domain)) = (&destination.domain, &policy_domain)
                    && !self.authorizations.contains_key(dest)
                {
                    self.authorizations.insert(dest.clone(), None);
                    queries.push(self.issue(
                        format!("{policy_domain}._report._dmarc.{dest}"),
                        QueryKind::Txt,
                        Asked::Authorization(dest.clone()),
                    ));
                }
            }
        }
        if queries.is_empty() && self.waiting.is_empty() && self.walk_done {
            return Step::Done(self.report());
        }
        Step::Lookup(queries)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        self.book.answer(id)?;
        let asked = self
            .waiting
            .remove(&id)
            .ok_or(MisuseError::UnknownQuery(id))?;
        let temporary = answer == Err(DnsError::Temporary);
        let records = answer.unwrap_or_default();
        match asked {
            Asked::Walk => {
                self.walk_waiting = false;
                let target = self.targets.get(self.next).cloned();
                self.next += 1;
                if temporary {
                    self.temporary_failure = true;
                    self.walk_done = true;
                } else if let (Some(record), Some(target)) =
                    (single_policy_record(&records), target)
                    && walk_step(&mut self.found, target, record)
                {
                    self.walk_done = true;
                }
                if self.next >= self.targets.len() {
                    self.walk_done = true;
                }
            }
            Asked::Bimi(domain) => {
                self.temporary_failure |= temporary;
                let found = records.iter().find_map(|r| match r {
                    DnsRecord::Txt(txt) => {
                        let text = txt.concatenated();
                        text.starts_with(b"v=BIMI1")
                            .then(|| BimiRecord::parse(&text))
                    }
                    _ => None,
                });
                if let Some(slot) = self.bimi.iter_mut().find(|(d, _)| *d == domain) {
                    slot.1 = found;
                }
            }
            Asked::Authorization(destination) => {
                let authorized =
                    (!temporary).then(|| crate::report::destination::authorizes(&records));
                self.temporary_failure |= temporary;
                self.authorizations.insert(destination, authorized);
            }
        }
        Ok(())
    }
}
