//! The resolver the global flags select: the offline zone of `--zone`, or the system's resolver
//! (through hickory-resolver) without it. `--servfail` applies to both.

use std::sync::Arc;

use tegami::core::dns::{Answer, DnsError, Query, QueryKind, Resolver, ZoneResolver};
use tegami::hickory::BlockingHickoryResolver;

use crate::GlobalArgs;
use crate::error::CliError;

/// A resolver chosen by the flags; cheap to clone and shareable across threads.
#[derive(Clone)]
pub(crate) struct CliResolver {
    source: Arc<Source>,
    failing: Arc<Vec<(String, Option<QueryKind>)>>,
}

enum Source {
    Zone(ZoneResolver),
    System(Box<BlockingHickoryResolver>),
}

impl Resolver for CliResolver {
    fn lookup(&self, query: &Query) -> Answer {
        let name = query.name.trim_end_matches('.');
        let fails = self.failing.iter().any(|(failing, kind)| {
            failing.eq_ignore_ascii_case(name) && kind.is_none_or(|kind| kind == query.kind)
        });
        if fails {
            return Err(DnsError::Temporary);
        }
        match &*self.source {
            Source::Zone(zone) => zone.lookup(query),
            Source::System(system) => system.lookup(query),
        }
    }
}

/// Builds the resolver for `--zone` and `--servfail`.
pub(crate) fn from_flags(global: &GlobalArgs) -> Result<CliResolver, CliError> {
    let mut failing = Vec::new();
    for spec in &global.servfail {
        let (name, kind) = match spec.rsplit_once('/') {
            Some((name, kind)) => (name, Some(parse_kind(kind)?)),
            None => (spec.as_str(), None),
        };
        failing.push((name.trim_end_matches('.').to_owned(), kind));
    }
    let source = match &global.zone {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
                path: path.clone(),
                source,
            })?;
            Source::Zone(ZoneResolver::from_master_file(&text).map_err(|source| {
                CliError::Zone {
                    path: path.clone(),
                    source,
                }
            })?)
        }
        None => Source::System(Box::new(
            BlockingHickoryResolver::system()
                .map_err(|error| CliError::Resolver(error.to_string()))?,
        )),
    };
    Ok(CliResolver {
        source: Arc::new(source),
        failing: Arc::new(failing),
    })
}

/// Parses a record type mnemonic.
pub(crate) fn parse_kind(text: &str) -> Result<QueryKind, CliError> {
    QueryKind::from_mnemonic(text).ok_or_else(|| CliError::UnknownType(text.into()))
}
