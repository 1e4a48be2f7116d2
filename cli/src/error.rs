//! The errors that end a command with exit status 2.

use std::path::PathBuf;

/// Bad usage or unreadable input.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The zone file is not valid.
    #[error("zone file {path}: {source}")]
    Zone {
        path: PathBuf,
        source: tegami::core::dns::ZoneError,
    },
    /// A `--servfail` or record type argument names a type tegami does not look up.
    #[error("unknown record type {0:?} (expected A, AAAA, MX, PTR or TXT)")]
    UnknownType(String),
    /// A flag the command needs is missing.
    #[error("missing {0}")]
    MissingArgument(&'static str),
    /// The system's resolver could not be set up.
    #[error("system resolver: {0}")]
    Resolver(String),
    /// A protocol machine broke its own contract: a bug in tegami, reported rather than hidden.
    #[error("internal error: {0}")]
    Machine(tegami::core::dns::MisuseError),
    /// A key could not be loaded, generated or used.
    #[error("key: {0}")]
    Key(String),
    /// A flag's value is not valid.
    #[error("invalid {0}: {1}")]
    Invalid(&'static str, String),
    /// A file could not be created.
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Standard output could not be written.
    #[error("cannot write output: {0}")]
    Write(std::io::Error),
    /// A machine was driven against its contract by this binary: a bug in tegami.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// The system clock is before 1970.
    #[error("the system clock is before the Unix epoch; pass --now")]
    Clock,
}
