//! The tegami facade: one dependency for the whole suite.
//!
//! The receive pipeline (SPF, DKIM, ARC and DMARC to Authentication-Results in one call) arrives
//! with its own issue; today the facade re-exports the shared foundation and the protocol
//! crates.

pub use tegami_arc as arc;
pub use tegami_core as core;
pub use tegami_dkim as dkim;
pub use tegami_dmarc as dmarc;
pub use tegami_mime as mime;
pub use tegami_spf as spf;

/// The examples of the workspace README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
