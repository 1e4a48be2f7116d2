//! The resolver the global flags select.

use tegami::core::dns::{QueryKind, ZoneResolver};

use crate::GlobalArgs;
use crate::error::CliError;

/// Builds the resolver for `--zone` and `--servfail`.
pub(crate) fn from_flags(global: &GlobalArgs) -> Result<ZoneResolver, CliError> {
    let Some(path) = &global.zone else {
        return Err(CliError::NoResolver);
    };
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
    let mut zone = ZoneResolver::from_master_file(&text).map_err(|source| CliError::Zone {
        path: path.clone(),
        source,
    })?;
    for spec in &global.servfail {
        let (name, kind) = match spec.rsplit_once('/') {
            Some((name, kind)) => (name, Some(parse_kind(kind)?)),
            None => (spec.as_str(), None),
        };
        zone.fail_temporarily(name, kind);
    }
    Ok(zone)
}

/// Parses a record type mnemonic.
pub(crate) fn parse_kind(text: &str) -> Result<QueryKind, CliError> {
    QueryKind::from_mnemonic(text).ok_or_else(|| CliError::UnknownType(text.into()))
}
