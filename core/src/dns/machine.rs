//! The shape every DNS-consuming machine shares, and the bookkeeping that keeps answers honest.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::{Answer, Query, QueryId, QueryKind};

/// What a machine wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Step<T> {
    /// Look these up and pass each answer to `handle_answer`, in any order.
    ///
    /// Each query is handed out once. The list is empty when the machine has nothing new to
    /// ask and waits for answers to queries it handed out before; a caller that answers every
    /// query before it polls again never sees an empty list.
    Lookup(Vec<Query>),
    /// The machine has finished; this is its result.
    Done(T),
}

/// A machine that needs DNS answers to reach its result.
///
/// [`resolve`](super::resolve) and [`resolve_async`](super::resolve_async) run any such machine
/// to the end; the loop is short enough to write by hand:
///
/// ```
/// use tegami_core::dns::{LookupMachine, MisuseError, Resolver, Step};
///
/// fn run<M: LookupMachine>(machine: &mut M, resolver: &impl Resolver)
///     -> Result<M::Output, MisuseError>
/// {
///     loop {
///         match machine.poll() {
///             Step::Lookup(queries) => for query in queries {
///                 machine.handle_answer(query.id, resolver.lookup(&query))?;
///             },
///             Step::Done(output) => return Ok(output),
///         }
///     }
/// }
/// ```
pub trait LookupMachine {
    /// The result the machine ends with.
    type Output;

    /// Says what to do next: queries to run, or the result.
    fn poll(&mut self) -> Step<Self::Output>;

    /// Feeds the answer to the query with this `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] if no query with this id was handed out or it was answered already.
    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError>;
}

/// The caller broke the machine's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MisuseError {
    /// No query with this id was handed out.
    #[error("no query {0} was handed out")]
    UnknownQuery(QueryId),
    /// The query with this id was answered already.
    #[error("query {0} was answered already")]
    AlreadyAnswered(QueryId),
    /// The machine finished and takes no more input.
    #[error("the machine has finished")]
    Finished,
}

/// The queries a machine has handed out and not yet seen answered.
///
/// Ids are issued in sequence, so telling an unknown id from one answered twice needs no memory
/// of past answers. Machines embed one of these and call [`Outstanding::issue`] and
/// [`Outstanding::answer`].
///
/// ```
/// use tegami_core::dns::{MisuseError, Outstanding, QueryKind};
///
/// let mut book = Outstanding::default();
/// let query = book.issue("example.com", QueryKind::Txt);
/// assert_eq!(book.answer(query.id).map(|(name, _)| name), Ok("example.com".to_owned()));
/// assert_eq!(book.answer(query.id), Err(MisuseError::AlreadyAnswered(query.id)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Outstanding {
    next_id: u32,
    waiting: BTreeMap<QueryId, (String, QueryKind)>,
    /// Every (lower-case name, kind) issued, for [`Outstanding::issue_once`].
    issued: BTreeSet<(String, QueryKind)>,
}

impl Outstanding {
    /// Records a new query and returns it with a fresh id.
    pub fn issue(&mut self, name: impl Into<String>, kind: QueryKind) -> Query {
        let id = QueryId(self.next_id);
        // 2^32 queries from one machine is far beyond any protocol limit; wrapping would only
        // make stale ids look fresh, never panic.
        self.next_id = self.next_id.wrapping_add(1);
        let name = name.into();
        self.waiting.insert(id, (name.clone(), kind));
        Query { id, name, kind }
    }

    /// Records a query unless the same name (case-insensitively) and kind was issued before;
    /// for machines that re-derive what they need on every poll and must ask each question
    /// only once.
    pub fn issue_once(&mut self, name: impl Into<String>, kind: QueryKind) -> Option<Query> {
        let name = name.into();
        if self.issued.insert((name.to_ascii_lowercase(), kind)) {
            Some(self.issue(name, kind))
        } else {
            None
        }
    }

    /// Whether a query for `name` (case-insensitively) and `kind` was handed out and waits for
    /// its answer; for machines that keep the answers themselves and must not ask twice.
    pub fn is_waiting(&self, name: &str, kind: QueryKind) -> bool {
        self.waiting
            .values()
            .any(|(asked, asked_kind)| *asked_kind == kind && asked.eq_ignore_ascii_case(name))
    }

    /// Marks the query answered and returns its name and kind.
    ///
    /// # Errors
    ///
    /// [`MisuseError::UnknownQuery`] for an id never issued, [`MisuseError::AlreadyAnswered`]
    /// for one answered before.
    pub fn answer(&mut self, id: QueryId) -> Result<(String, QueryKind), MisuseError> {
        match self.waiting.remove(&id) {
            Some(entry) => Ok(entry),
            None if id.0 < self.next_id => Err(MisuseError::AlreadyAnswered(id)),
            None => Err(MisuseError::UnknownQuery(id)),
        }
    }

    /// How many queries wait for an answer.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether every query handed out has been answered.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_answers_are_typed_misuse() {
        let mut book = Outstanding::default();
        let first = book.issue("a.example", QueryKind::A);
        let second = book.issue("b.example", QueryKind::Mx);
        assert_eq!(book.len(), 2);
        assert_eq!(
            book.answer(QueryId(7)),
            Err(MisuseError::UnknownQuery(QueryId(7)))
        );
        assert_eq!(
            book.answer(second.id),
            Ok(("b.example".to_owned(), QueryKind::Mx))
        );
        assert_eq!(
            book.answer(second.id),
            Err(MisuseError::AlreadyAnswered(second.id))
        );
        assert!(book.answer(first.id).is_ok());
        assert!(book.is_empty());
    }

    #[test]
    fn issue_once_asks_each_question_once() {
        let mut book = Outstanding::default();
        assert!(book.issue_once("A.example", QueryKind::Txt).is_some());
        assert!(book.issue_once("a.example", QueryKind::Txt).is_none());
        assert!(book.issue_once("a.example", QueryKind::Mx).is_some());
        assert_eq!(book.len(), 2);
    }

    #[test]
    fn a_query_waits_until_answered() {
        let mut book = Outstanding::default();
        let query = book.issue("a.example", QueryKind::Txt);
        assert!(book.is_waiting("A.example", QueryKind::Txt));
        assert!(!book.is_waiting("a.example", QueryKind::Mx));
        assert!(book.answer(query.id).is_ok());
        assert!(!book.is_waiting("a.example", QueryKind::Txt));
    }
}
