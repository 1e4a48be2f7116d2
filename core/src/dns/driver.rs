//! Resolver traits and the two drivers that run any [`LookupMachine`] with one call.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::Poll;

use super::{Answer, LookupMachine, MisuseError, Query, QueryKind, Step};

/// A blocking resolver.
pub trait Resolver {
    /// Answers one query.
    fn lookup(&self, query: &Query) -> Answer;

    /// Answers a lookup of `name` and `kind` outside any machine (for tools and tests).
    fn lookup_name(&self, name: &str, kind: QueryKind) -> Answer {
        self.lookup(&Query {
            id: super::QueryId(0),
            name: name.into(),
            kind,
        })
    }
}

/// An async resolver; no runtime is named, so any executor can drive it.
pub trait AsyncResolver {
    /// Answers one query.
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send;
}

impl<R: Resolver + ?Sized> Resolver for &R {
    fn lookup(&self, query: &Query) -> Answer {
        (**self).lookup(query)
    }
}

/// Runs `machine` to its result, answering every query with `resolver`.
///
/// # Errors
///
/// [`MisuseError`] only if the machine itself breaks the contract, which is a bug in it.
pub fn resolve<M, R>(machine: &mut M, resolver: &R) -> Result<M::Output, MisuseError>
where
    M: LookupMachine + ?Sized,
    R: Resolver + ?Sized,
{
    loop {
        match machine.poll() {
            Step::Lookup(queries) => {
                for query in queries {
                    machine.handle_answer(query.id, resolver.lookup(&query))?;
                }
            }
            Step::Done(output) => return Ok(output),
        }
    }
}

/// Runs `machine` to its result with an async resolver, running the queries of each step
/// concurrently and feeding answers in the order they complete.
///
/// # Errors
///
/// [`MisuseError`] only if the machine itself breaks the contract, which is a bug in it.
pub async fn resolve_async<M, R>(machine: &mut M, resolver: &R) -> Result<M::Output, MisuseError>
where
    M: LookupMachine + ?Sized,
    R: AsyncResolver + ?Sized,
{
    type Pending<'r> = Pin<Box<dyn Future<Output = (Query, Answer)> + 'r>>;
    loop {
        let queries = match machine.poll() {
            Step::Lookup(queries) => queries,
            Step::Done(output) => return Ok(output),
        };
        let mut pending: Vec<Pending<'_>> = queries
            .into_iter()
            .map(|query| -> Pending<'_> {
                Box::pin(async move {
                    let answer = resolver.lookup(&query).await;
                    (query, answer)
                })
            })
            .collect();
        while !pending.is_empty() {
            let (query, answer) = poll_fn(|cx| {
                for index in 0..pending.len() {
                    if let Some(future) = pending.get_mut(index)
                        && let Poll::Ready(done) = future.as_mut().poll(cx)
                    {
                        drop(pending.swap_remove(index));
                        return Poll::Ready(done);
                    }
                }
                Poll::Pending
            })
            .await;
            machine.handle_answer(query.id, answer)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use core::task::{Context, Waker};

    use super::*;
    use crate::dns::{DnsError, Outstanding, QueryId, Record, TxtRecord, ZoneResolver};

    /// Asks two names at once, then a third that depends on the first answer.
    struct TwoStep {
        book: Outstanding,
        started: bool,
        first: Option<Answer>,
        second: Option<Answer>,
        third: Option<Answer>,
        third_sent: bool,
    }

    impl TwoStep {
        fn new() -> TwoStep {
            TwoStep {
                book: Outstanding::default(),
                started: false,
                first: None,
                second: None,
                third: None,
                third_sent: false,
            }
        }
    }

    impl LookupMachine for TwoStep {
        type Output = (Answer, Answer, Answer);

        fn poll(&mut self) -> Step<Self::Output> {
            if !self.started {
                self.started = true;
                return Step::Lookup(vec![
                    self.book.issue("a.example", QueryKind::Txt),
                    self.book.issue("b.example", QueryKind::Txt),
                ]);
            }
            if self.first.is_some() && !self.third_sent {
                self.third_sent = true;
                return Step::Lookup(vec![self.book.issue("c.example", QueryKind::A)]);
            }
            match (&self.first, &self.second, &self.third) {
                (Some(a), Some(b), Some(c)) => Step::Done((a.clone(), b.clone(), c.clone())),
                _ => Step::Lookup(Vec::new()),
            }
        }

        fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
            let (name, _) = self.book.answer(id)?;
            let slot = match name.as_str() {
                "a.example" => &mut self.first,
                "b.example" => &mut self.second,
                _ => &mut self.third,
            };
            *slot = Some(answer);
            Ok(())
        }
    }

    fn zone() -> ZoneResolver {
        ZoneResolver::from_master_file(
            "a.example. 60 IN TXT \"one\"\nc.example. 60 IN A 192.0.2.3\n",
        )
        .expect("zone")
    }

    fn expected() -> (Answer, Answer, Answer) {
        (
            Ok(vec![Record::Txt(TxtRecord::from_strings(["one"]))]),
            Err(DnsError::NxDomain),
            Ok(vec![Record::A(core::net::Ipv4Addr::new(192, 0, 2, 3))]),
        )
    }

    #[test]
    fn blocking_driver_runs_a_machine_to_the_end() {
        assert_eq!(resolve(&mut TwoStep::new(), &zone()), Ok(expected()));
    }

    /// An async resolver whose lookups each need one extra poll, answering through a zone.
    struct Yielding(ZoneResolver);

    impl AsyncResolver for Yielding {
        fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send {
            let answer = Resolver::lookup(&self.0, query);
            let mut yielded = false;
            poll_fn(move |cx| {
                if yielded {
                    Poll::Ready(answer.clone())
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
        }
    }

    #[test]
    fn async_driver_needs_no_runtime() {
        let resolver = Yielding(zone());
        let mut machine = TwoStep::new();
        let mut future = core::pin::pin!(resolve_async(&mut machine, &resolver));
        let mut cx = Context::from_waker(Waker::noop());
        let result = loop {
            if let Poll::Ready(result) = future.as_mut().poll(&mut cx) {
                break result;
            }
        };
        assert_eq!(result, Ok(expected()));
    }

    #[test]
    fn answering_twice_through_a_machine_is_misuse() {
        let mut machine = TwoStep::new();
        let Step::Lookup(queries) = machine.poll() else {
            panic!("queries first")
        };
        let id = queries[0].id;
        assert_eq!(machine.handle_answer(id, Err(DnsError::Temporary)), Ok(()));
        assert_eq!(
            machine.handle_answer(id, Err(DnsError::Temporary)),
            Err(MisuseError::AlreadyAnswered(id))
        );
        assert_eq!(
            machine.handle_answer(QueryId(99), Err(DnsError::Temporary)),
            Err(MisuseError::UnknownQuery(QueryId(99)))
        );
    }
}
