//! The SPF record checker: walks a domain's record tree the way a domain owner needs it
//! walked, and reports what RFC 7208 limits and good practice say about it.
//!
//! The lookup limit of [RFC 7208 §4.6.4](https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4)
//! is the problem the field complains about most: every `include`, `a`, `mx`, `ptr`, `exists`
//! and `redirect` anywhere in the tree counts, and an evaluation that passes 10 fails with
//! `permerror`. [`RecordCheck`] counts them all (as if every term were evaluated), counts void
//! lookups, and lists problems.
//!
//! ```
//! use tegami_core::dns::{self, ZoneResolver};
//! use tegami_spf::check::RecordCheck;
//!
//! let zone = ZoneResolver::from_master_file(concat!(
//!     "example.com.   60 IN TXT \"v=spf1 include:_spf.example.net ptr +all\"\n",
//!     "_spf.example.net. 60 IN TXT \"v=spf1 a mx -all\"\n",
//! ))?;
//! let report = dns::resolve(&mut RecordCheck::new("example.com"), &zone)?;
//! assert_eq!(report.lookups, 4);
//! assert_eq!(report.void_lookups, 2);
//! assert!(report.warnings().any(|w| w.contains("+all")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::net::IpAddr;
use std::collections::HashMap;

use tegami_core::dns::{
    Answer, DnsError, LookupMachine, MisuseError, Outstanding, QueryId, QueryKind,
    Record as DnsRecord, Step,
};

use crate::network::in_network;
use crate::record::{Mechanism, Qualifier, Record, Term};

/// The longest record that fits a classic UDP DNS answer with room to spare (RFC 7208 §3.4).
pub const RECORD_SIZE_LIMIT: usize = 512;

/// What the checker found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The domain checked.
    pub domain: String,
    /// DNS-querying terms in the whole tree (the limit is 10).
    pub lookups: u32,
    /// Lookups of names with no records (the limit is 2).
    pub void_lookups: u32,
    /// Each record read: domain and text.
    pub records: Vec<(String, String)>,
    /// The findings, in the order found.
    pub findings: Vec<Finding>,
}

/// One finding: where, how bad, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The record's domain.
    pub domain: String,
    /// Error (evaluation fails or is unreliable) or warning (works, but is risky or wasteful).
    pub severity: Severity,
    /// What is wrong.
    pub kind: FindingKind,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Evaluation gives `permerror` or `temperror`, or the policy does not work.
    Error,
    /// It works, but is risky or wasteful.
    Warning,
}

/// The kinds of finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// No SPF record.
    NoRecord,
    /// More than one SPF record (§4.5: permerror).
    MultipleRecords,
    /// A syntax error (§4.6: permerror).
    Syntax(String),
    /// DNS failed temporarily for this name.
    DnsFailure(String),
    /// More than 10 DNS-querying terms (§4.6.4: permerror).
    TooManyLookups(u32),
    /// More than 2 void lookups (§4.6.4: permerror).
    TooManyVoidLookups(u32),
    /// A name with no records, looked up by a term.
    VoidLookup(String),
    /// An `mx` target with more than 10 MX records (§4.6.4: permerror).
    TooManyMx(String),
    /// An include or redirect target without an SPF record (§5.2, §6.1: permerror).
    TargetWithoutRecord(String),
    /// An include or redirect loop.
    Loop(String),
    /// The same target included more than once.
    DuplicateInclude(String),
    /// A network inside another one listed in the tree.
    OverlappingNetwork(String, String),
    /// `ptr` is slow, unreliable and discouraged (§5.5).
    PtrUsed,
    /// `+all` authorises every host on the Internet.
    PassAll,
    /// `?all` says nothing about anyone.
    NeutralAll,
    /// A record over 512 octets.
    RecordTooLong(usize),
    /// A term with macros, whose target depends on the message: not followed.
    MacroTarget(String),
}

/// The checker machine: [`RecordCheck::poll`] hands out lookups, [`RecordCheck::handle_answer`]
/// takes the answers, and the report comes out of `poll` at the end. Like the evaluation, it
/// replays its walk over the answers it has, so the order of answers does not matter.
#[derive(Debug, Clone)]
pub struct RecordCheck {
    domain: String,
    book: Outstanding,
    answers: HashMap<(String, QueryKind), Answer>,
}

impl RecordCheck {
    /// Starts a check of `domain`.
    pub fn new(domain: &str) -> RecordCheck {
        RecordCheck {
            domain: domain.trim_end_matches('.').to_ascii_lowercase(),
            book: Outstanding::default(),
            answers: HashMap::new(),
        }
    }

    /// Feeds the answer to a query.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] for an unknown id or one answered before.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        let (name, kind) = self.book.answer(id)?;
        self.answers
            .insert((name.to_ascii_lowercase(), kind), answer);
        Ok(())
    }

    /// Says what to do next: lookups, or the report.
    pub fn poll(&mut self) -> Step<CheckReport> {
        let mut walk = Walk {
            answers: &self.answers,
            missing: Vec::new(),
            report: CheckReport {
                domain: self.domain.clone(),
                lookups: 0,
                void_lookups: 0,
                records: Vec::new(),
                findings: Vec::new(),
            },
            includes: HashMap::new(),
            networks: Vec::new(),
        };
        walk.record(&self.domain, &mut Vec::new());
        if walk.missing.is_empty() {
            let mut report = walk.report;
            if report.lookups > 10 {
                report.findings.push(finding(
                    &self.domain,
                    Severity::Error,
                    FindingKind::TooManyLookups(report.lookups),
                ));
            }
            if report.void_lookups > 2 {
                report.findings.push(finding(
                    &self.domain,
                    Severity::Error,
                    FindingKind::TooManyVoidLookups(report.void_lookups),
                ));
            }
            return Step::Done(report);
        }
        let mut queries = Vec::new();
        for (name, kind) in walk.missing {
            queries.extend(self.book.issue_once(name, kind));
        }
        Step::Lookup(queries)
    }
}

impl LookupMachine for RecordCheck {
    type Output = CheckReport;

    fn poll(&mut self) -> Step<CheckReport> {
        RecordCheck::poll(self)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        RecordCheck::handle_answer(self, id, answer)
    }
}

impl CheckReport {
    /// The warnings, as text.
    pub fn warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.with_severity(Severity::Warning)
    }

    /// The errors, as text.
    pub fn errors(&self) -> impl Iterator<Item = String> + '_ {
        self.with_severity(Severity::Error)
    }

    fn with_severity(&self, severity: Severity) -> impl Iterator<Item = String> + '_ {
        self.findings
            .iter()
            .filter(move |finding| finding.severity == severity)
            .map(ToString::to_string)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.domain)?;
        match &self.kind {
            FindingKind::NoRecord => f.write_str("no SPF record"),
            FindingKind::MultipleRecords => f.write_str("more than one SPF record (permerror)"),
            FindingKind::Syntax(error) => write!(f, "syntax error: {error} (permerror)"),
            FindingKind::DnsFailure(name) => write!(f, "DNS failed for {name} (temperror)"),
            FindingKind::TooManyLookups(count) => {
                write!(
                    f,
                    "{count} DNS-querying terms, over the limit of 10 (permerror)"
                )
            }
            FindingKind::TooManyVoidLookups(count) => {
                write!(f, "{count} void lookups, over the limit of 2 (permerror)")
            }
            FindingKind::VoidLookup(name) => write!(f, "{name} has no records (a void lookup)"),
            FindingKind::TooManyMx(name) => {
                write!(f, "{name} has more than 10 MX records (permerror)")
            }
            FindingKind::TargetWithoutRecord(name) => {
                write!(f, "{name} has no SPF record (permerror)")
            }
            FindingKind::Loop(name) => write!(f, "{name} includes itself (permerror)"),
            FindingKind::DuplicateInclude(name) => write!(f, "{name} is included more than once"),
            FindingKind::OverlappingNetwork(inner, outer) => {
                write!(f, "{inner} lies inside {outer}")
            }
            FindingKind::PtrUsed => f.write_str("ptr is slow and discouraged (RFC 7208 §5.5)"),
            FindingKind::PassAll => f.write_str("+all lets every host on the Internet pass"),
            FindingKind::NeutralAll => f.write_str("?all says nothing about anyone: no protection"),
            FindingKind::RecordTooLong(length) => {
                write!(f, "record of {length} octets is over {RECORD_SIZE_LIMIT}")
            }
            FindingKind::MacroTarget(term) => {
                write!(f, "{term} depends on the message and was not followed")
            }
        }
    }
}

struct Walk<'a> {
    answers: &'a HashMap<(String, QueryKind), Answer>,
    missing: Vec<(String, QueryKind)>,
    report: CheckReport,
    includes: HashMap<String, u32>,
    networks: Vec<(IpAddr, u8, String)>,
}

impl<'a> Walk<'a> {
    /// Reads the record of `domain` and walks its terms; `stack` holds the path to it.
    fn record(&mut self, domain: &str, stack: &mut Vec<String>) -> Option<()> {
        let answer = self.lookup(domain, QueryKind::Txt)?;
        let texts: Vec<Vec<u8>> = match answer {
            Err(DnsError::Temporary) => {
                self.push(
                    domain,
                    Severity::Error,
                    FindingKind::DnsFailure(domain.to_owned()),
                );
                return Some(());
            }
            Err(_) => Vec::new(),
            Ok(records) => records
                .iter()
                .filter_map(|record| match record {
                    DnsRecord::Txt(txt) => Some(txt.concatenated()).filter(|t| Record::is_spf(t)),
                    _ => None,
                })
                .collect(),
        };
        let text = match texts.as_slice() {
            [] => {
                let kind = if stack.is_empty() {
                    FindingKind::NoRecord
                } else {
                    FindingKind::TargetWithoutRecord(domain.to_owned())
                };
                self.push(domain, Severity::Error, kind);
                return Some(());
            }
            [one] => String::from_utf8_lossy(one).into_owned(),
            _ => {
                self.push(domain, Severity::Error, FindingKind::MultipleRecords);
                return Some(());
            }
        };
        if text.len() > RECORD_SIZE_LIMIT {
            self.push(
                domain,
                Severity::Warning,
                FindingKind::RecordTooLong(text.len()),
            );
        }
        self.report.records.push((domain.to_owned(), text.clone()));
        let record = match Record::parse(&text) {
            Ok(record) => record,
            Err(error) => {
                self.push(
                    domain,
                    Severity::Error,
                    FindingKind::Syntax(error.to_string()),
                );
                return Some(());
            }
        };
        stack.push(domain.to_owned());
        let mut pending = None;
        for term in record.terms() {
            if self.term(domain, term, stack).is_none() {
                pending = Some(());
            }
        }
        stack.pop();
        // Walk every term even when one waits for an answer, so all lookups go out together.
        if pending.is_some() { None } else { Some(()) }
    }

    fn term(&mut self, domain: &str, term: &Term, stack: &mut Vec<String>) -> Option<()> {
        let (mechanism, qualifier) = match term {
            Term::Directive(directive) => (Some(&directive.mechanism), directive.qualifier),
            Term::Modifier(crate::record::Modifier::Redirect(target)) => {
                self.report.lookups += 1;
                return self.follow(
                    domain,
                    target.as_str(),
                    &format!("redirect={target}"),
                    stack,
                );
            }
            Term::Modifier(_) => return Some(()),
        };
        let Some(mechanism) = mechanism else {
            return Some(());
        };
        if mechanism.queries_dns() {
            self.report.lookups += 1;
        }
        match mechanism {
            Mechanism::All => match qualifier {
                Qualifier::Pass => self.push(domain, Severity::Warning, FindingKind::PassAll),
                Qualifier::Neutral => self.push(domain, Severity::Warning, FindingKind::NeutralAll),
                _ => {}
            },
            Mechanism::Include(target) => {
                let count = self
                    .includes
                    .entry(target.as_str().to_ascii_lowercase())
                    .or_insert(0);
                *count += 1;
                if *count == 2 {
                    self.push(
                        domain,
                        Severity::Warning,
                        FindingKind::DuplicateInclude(target.to_string()),
                    );
                }
                return self.follow(domain, target.as_str(), &format!("include:{target}"), stack);
            }
            Mechanism::A { domain: spec, .. } => {
                let name = spec.as_ref().map_or(domain, |spec| spec.as_str());
                if self.is_static(domain, name, mechanism) {
                    let v4 = self.lookup(name, QueryKind::A);
                    let v6 = self.lookup(name, QueryKind::Aaaa);
                    let (v4, v6) = (v4?, v6?);
                    self.void_if_empty(domain, name, &[v4, v6]);
                }
            }
            Mechanism::Mx { domain: spec, .. } => {
                let name = spec.as_ref().map_or(domain, |spec| spec.as_str());
                if self.is_static(domain, name, mechanism) {
                    let answer = self.lookup(name, QueryKind::Mx)?;
                    if let Ok(records) = answer
                        && records.len() > 10
                    {
                        self.push(
                            domain,
                            Severity::Error,
                            FindingKind::TooManyMx(name.to_owned()),
                        );
                    }
                    self.void_if_empty(domain, name, &[answer]);
                }
            }
            Mechanism::Ptr(_) => self.push(domain, Severity::Warning, FindingKind::PtrUsed),
            Mechanism::Exists(spec) => {
                if self.is_static(domain, spec.as_str(), mechanism) {
                    let answer = self.lookup(spec.as_str(), QueryKind::A)?;
                    self.void_if_empty(domain, spec.as_str(), &[answer]);
                }
            }
            Mechanism::Ip4 { network, prefix } => self.network(
                domain,
                IpAddr::V4(*network),
                prefix.unwrap_or(32),
                mechanism,
            ),
            Mechanism::Ip6 { network, prefix } => self.network(
                domain,
                IpAddr::V6(*network),
                prefix.unwrap_or(128),
                mechanism,
            ),
        }
        Some(())
    }

    /// Whether `name` can be looked up now; a name built from macros depends on the message,
    /// so it is reported and not followed.
    fn is_static(&mut self, domain: &str, name: &str, mechanism: &Mechanism) -> bool {
        if has_macro(name) {
            self.push(
                domain,
                Severity::Warning,
                FindingKind::MacroTarget(mechanism.to_string()),
            );
            return false;
        }
        true
    }

    fn follow(
        &mut self,
        domain: &str,
        target: &str,
        term: &str,
        stack: &mut Vec<String>,
    ) -> Option<()> {
        if has_macro(target) {
            self.push(
                domain,
                Severity::Warning,
                FindingKind::MacroTarget(term.to_owned()),
            );
            return Some(());
        }
        let target = target.trim_end_matches('.').to_ascii_lowercase();
        if stack.contains(&target) {
            self.push(domain, Severity::Error, FindingKind::Loop(target));
            return Some(());
        }
        self.record(&target, stack)
    }

    /// Records a network and reports any overlap with one seen before.
    fn network(&mut self, domain: &str, address: IpAddr, prefix: u8, mechanism: &Mechanism) {
        let text = mechanism.to_string();
        for (other, other_prefix, other_text) in &self.networks {
            let (inner, outer) = if prefix >= *other_prefix {
                (text.clone(), other_text.clone())
            } else {
                (other_text.clone(), text.clone())
            };
            if contains(*other, *other_prefix, address, prefix)
                || contains(address, prefix, *other, *other_prefix)
            {
                self.report.findings.push(finding(
                    domain,
                    Severity::Warning,
                    FindingKind::OverlappingNetwork(inner, outer),
                ));
                break;
            }
        }
        self.networks.push((address, prefix, text));
    }

    fn void_if_empty(&mut self, domain: &str, name: &str, answers: &[&Answer]) {
        if answers
            .iter()
            .any(|answer| matches!(answer, Err(DnsError::Temporary)))
        {
            self.push(
                domain,
                Severity::Error,
                FindingKind::DnsFailure(name.to_owned()),
            );
            return;
        }
        let empty = answers
            .iter()
            .all(|answer| answer.as_ref().map_or(true, Vec::is_empty));
        if empty {
            self.report.void_lookups += 1;
            self.push(
                domain,
                Severity::Warning,
                FindingKind::VoidLookup(name.to_owned()),
            );
        }
    }

    fn lookup(&mut self, name: &str, kind: QueryKind) -> Option<&'a Answer> {
        let key = (name.trim_end_matches('.').to_ascii_lowercase(), kind);
        let answers: &'a HashMap<(String, QueryKind), Answer> = self.answers;
        match answers.get(&key) {
            Some(answer) => Some(answer),
            None => {
                if !self.missing.contains(&key) {
                    self.missing.push(key);
                }
                None
            }
        }
    }

    fn push(&mut self, domain: &str, severity: Severity, kind: FindingKind) {
        self.report.findings.push(finding(domain, severity, kind));
    }
}

fn finding(domain: &str, severity: Severity, kind: FindingKind) -> Finding {
    Finding {
        domain: domain.to_owned(),
        severity,
        kind,
    }
}

fn has_macro(text: &str) -> bool {
    text.contains('%')
}

/// Whether the network `outer/outer_prefix` contains `inner/inner_prefix`.
fn contains(outer: IpAddr, outer_prefix: u8, inner: IpAddr, inner_prefix: u8) -> bool {
    inner_prefix >= outer_prefix && in_network(inner, outer, outer_prefix)
}

#[cfg(test)]
mod tests {
    use tegami_core::dns::{self, ZoneResolver};

    use super::*;

    fn check(zone: &str, domain: &str) -> CheckReport {
        let zone = ZoneResolver::from_master_file(zone).expect("zone");
        dns::resolve(&mut RecordCheck::new(domain), &zone).expect("runs")
    }

    #[test]
    fn counts_lookups_across_the_tree() {
        let mut zone = String::from("example.com. 60 IN TXT \"v=spf1");
        for n in 1..=6 {
            zone.push_str(&format!(" include:i{n}.example.net"));
        }
        zone.push_str(" -all\"\n");
        for n in 1..=6 {
            zone.push_str(&format!("i{n}.example.net. 60 IN TXT \"v=spf1 a:h.example.net -all\"\nh.example.net. 60 IN A 192.0.2.{n}\n"));
        }
        let report = check(&zone, "example.com");
        assert_eq!(report.lookups, 12);
        assert_eq!(report.void_lookups, 0);
        assert_eq!(report.records.len(), 7);
        assert!(
            report.errors().any(|e| e.contains("12 DNS-querying terms")),
            "{:?}",
            report.findings
        );
    }

    #[test]
    fn reports_risky_and_broken_records() {
        let report = check(
            concat!(
                "example.com. 60 IN TXT \"v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.7 include:a.example include:a.example ptr exists:nothing.example redirect=b.example\"\n",
                "a.example. 60 IN TXT \"v=spf1 ?all\"\n",
                "b.example. 60 IN TXT \"v=spf1 include:example.com\"\n",
            ),
            "example.com",
        );
        let text: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
        assert!(
            report.warnings().any(|w| w.contains("lies inside")),
            "{text:?}"
        );
        assert!(
            report
                .warnings()
                .any(|w| w.contains("included more than once")),
            "{text:?}"
        );
        assert!(
            report.warnings().any(|w| w.contains("ptr is slow")),
            "{text:?}"
        );
        assert!(report.warnings().any(|w| w.contains("?all")), "{text:?}");
        assert!(
            report
                .warnings()
                .any(|w| w.contains("nothing.example has no records")),
            "{text:?}"
        );
        assert!(
            report.errors().any(|e| e.contains("includes itself")),
            "{text:?}"
        );
        assert_eq!(report.void_lookups, 1);
    }

    #[test]
    fn missing_multiple_and_broken_records_are_errors() {
        assert!(
            check("other.example. 60 IN TXT \"x\"\n", "example.com")
                .errors()
                .any(|e| e.contains("no SPF record"))
        );
        let two =
            "example.com. 60 IN TXT \"v=spf1 -all\"\nexample.com. 60 IN TXT \"v=spf1 +all\"\n";
        assert!(
            check(two, "example.com")
                .errors()
                .any(|e| e.contains("more than one"))
        );
        let broken = "example.com. 60 IN TXT \"v=spf1 ip4:300.0.0.1 -all\"\n";
        assert!(
            check(broken, "example.com")
                .errors()
                .any(|e| e.contains("syntax error"))
        );
        let long = format!(
            "example.com. 60 IN TXT \"v=spf1 {}\" \"-all\"\n",
            "ip4:192.0.2.1 ".repeat(40)
        );
        assert!(
            check(&long, "example.com")
                .warnings()
                .any(|w| w.contains("octets is over 512"))
        );
    }
}
