//! The DNS tree walk of [RFC 9989 §4.10](https://www.rfc-editor.org/rfc/rfc9989#section-4.10)
//! on its own: the Organizational Domain of one name, as a sans-IO machine.
//!
//! [`Evaluation`](crate::Evaluation) runs these walks itself, several side by side; this
//! machine is for tools that want one name's Organizational Domain (report processors,
//! `tegami dmarc check`).
//!
//! ```
//! use tegami_core::dns::{resolve, ZoneResolver};
//! use tegami_core::domain::Domain;
//! use tegami_dmarc::tree_walk::TreeWalk;
//!
//! // RFC 9989 Appendix B.4.3: a PSD record with psd=y at bank.example.
//! let zone = ZoneResolver::from_master_file(concat!(
//!     "$ORIGIN example.\n",
//!     "_dmarc.bank 300 IN TXT \"v=DMARC1; p=reject; psd=y\"\n",
//! ))?;
//! let mut walk = TreeWalk::new(Domain::try_from("mail.mega.bank.example")?);
//! let outcome = resolve(&mut walk, &zone)?;
//! assert_eq!(outcome.organizational_domain.map(|d| d.to_string()), Some("mega.bank.example".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use tegami_core::dns::{
    Answer, DnsError, LookupMachine, MisuseError, Outstanding, QueryId, QueryKind, Step,
};
use tegami_core::domain::Domain;

use crate::evaluation::{single_policy_record, walk_step};
use crate::record::Record;

/// One tree walk, one query at a time.
#[derive(Debug, Clone)]
pub struct TreeWalk {
    start: Domain,
    targets: Vec<Domain>,
    next: usize,
    found: Vec<(Domain, Record)>,
    book: Outstanding,
    waiting: bool,
    failed: bool,
    stopped: bool,
}

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOutcome {
    /// The names queried (under `_dmarc.`), in order.
    pub queried: Vec<Domain>,
    /// The DMARC records found, longest name first.
    pub found: Vec<(Domain, Record)>,
    /// The Organizational Domain (§4.10.2); `None` after a temporary DNS failure.
    pub organizational_domain: Option<Domain>,
}

impl TreeWalk {
    /// Starts a walk at `start`.
    pub fn new(start: Domain) -> TreeWalk {
        TreeWalk {
            targets: walk_targets(&start),
            start,
            next: 0,
            found: Vec::new(),
            book: Outstanding::default(),
            waiting: false,
            failed: false,
            stopped: false,
        }
    }

    fn outcome(&self) -> WalkOutcome {
        WalkOutcome {
            queried: self.targets.iter().take(self.next).cloned().collect(),
            found: self.found.clone(),
            organizational_domain: (!self.failed)
                .then(|| select_organizational(&self.start, &self.found)),
        }
    }
}

impl LookupMachine for TreeWalk {
    type Output = WalkOutcome;

    fn poll(&mut self) -> Step<WalkOutcome> {
        if self.waiting {
            return Step::Lookup(Vec::new());
        }
        if self.failed || self.stopped || self.next >= self.targets.len() {
            return Step::Done(self.outcome());
        }
        let Some(target) = self.targets.get(self.next) else {
            return Step::Done(self.outcome());
        };
        let query = self.book.issue(format!("_dmarc.{target}"), QueryKind::Txt);
        self.waiting = true;
        Step::Lookup(vec![query])
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        self.book.answer(id)?;
        self.waiting = false;
        let target = self.targets.get(self.next).cloned();
        self.next += 1;
        match (answer, target) {
            (Err(DnsError::Temporary), _) => self.failed = true,
            (Ok(records), Some(target)) => {
                if let Some(record) = single_policy_record(&records) {
                    self.stopped = walk_step(&mut self.found, target, record);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The names a tree walk from `start` queries, in order (§4.10 steps 1 to 7): the name itself,
/// then, for a name of more than eight labels, its last seven labels, then one label less at a
/// time down to the top-level label. At most eight names.
pub fn walk_targets(start: &Domain) -> Vec<Domain> {
    let labels = start.label_count();
    let next = if labels > 8 {
        7
    } else {
        labels.saturating_sub(1)
    };
    let mut targets = vec![start.clone()];
    targets.extend((1..=next).rev().filter_map(|count| start.suffix(count)));
    targets
}

/// The Organizational Domain from the records a walk found, longest name first (§4.10.2):
/// a `psd=n` record's domain; else one label below a `psd=y` record other than the start's;
/// else the found name with the fewest labels; else the start itself.
pub fn select_organizational(start: &Domain, found: &[(Domain, Record)]) -> Domain {
    use crate::record::PsdFlag;
    for (domain, record) in found {
        match record.psd {
            PsdFlag::No => return domain.clone(),
            PsdFlag::Yes if domain != start => {
                return start
                    .suffix(domain.label_count() + 1)
                    .unwrap_or_else(|| start.clone());
            }
            _ => {}
        }
    }
    found
        .iter()
        .min_by_key(|(domain, _)| domain.label_count())
        .map_or_else(|| start.clone(), |(domain, _)| domain.clone())
}
