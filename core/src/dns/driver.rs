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
