//! RFC 9989, one table-driven file per section: every normative MUST of the record, discovery,
//! alignment and receiver sections has a case that cites it, and the tree-walk examples of the
//! RFC are reproduced query for query.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

mod section_4_10_1_discovery;
mod section_4_10_tree_walk;
mod section_4_4_alignment;
mod section_4_7_record;
mod section_5_3_receiver;

use std::cell::RefCell;

use tegami_core::dns::{self, Answer, Query, Resolver, ZoneResolver};
use tegami_core::domain::Domain;
use tegami_dmarc::{Config, Evaluation, Input, Verdict};

/// A zone from `(owner, TXT text)` lines; owners are absolute without the trailing dot.
pub(crate) fn zone(records: &[(&str, &str)]) -> ZoneResolver {
    let mut text = String::new();
    for (owner, txt) in records {
        text.push_str(&format!("{owner}. 300 IN TXT \"{txt}\"\n"));
    }
    ZoneResolver::from_master_file(&text).unwrap()
}

/// A resolver that remembers the names asked, in order.
pub(crate) struct Recording<'a> {
    pub(crate) inner: &'a ZoneResolver,
    pub(crate) asked: RefCell<Vec<String>>,
}

impl Resolver for Recording<'_> {
    fn lookup(&self, query: &Query) -> Answer {
        self.asked
            .borrow_mut()
            .push(format!("{} {}", query.name, query.kind));
        self.inner.lookup(query)
    }
}

pub(crate) fn domain(name: &str) -> Domain {
    Domain::try_from(name).unwrap()
}

/// Evaluates `input` against `zone`, returning the verdict and the queries made.
pub(crate) fn evaluate_with(
    zone: &ZoneResolver,
    input: Input,
    config: Config,
) -> (Verdict, Vec<String>) {
    let recording = Recording {
        inner: zone,
        asked: RefCell::new(Vec::new()),
    };
    let verdict = dns::resolve(&mut Evaluation::new(input, config), &recording).unwrap();
    (verdict, recording.asked.into_inner())
}

pub(crate) fn evaluate(zone: &ZoneResolver, input: Input) -> (Verdict, Vec<String>) {
    evaluate_with(zone, input, Config::default())
}

/// An input with Author Domain `author`, SPF passing for `spf`, DKIM passing for `dkim`.
pub(crate) fn input(author: &str, spf: Option<&str>, dkim: &[&str]) -> Input {
    let mut input = Input::for_domain(domain(author));
    if let Some(spf) = spf {
        input = input.spf_pass(domain(spf));
    }
    for d in dkim {
        input = input.dkim_pass(domain(d));
    }
    input
}
