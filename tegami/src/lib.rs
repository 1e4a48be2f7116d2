//! The tegami facade: one dependency for the whole suite.
//!
//! The receive pipeline (SPF, DKIM, ARC and DMARC to Authentication-Results in one call) arrives
//! with its own issue; today the facade re-exports the shared foundation.

pub use tegami_core as core;
