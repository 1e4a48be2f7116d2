//! The tegami facade: one dependency for the whole suite.
//!
//! [`Authenticator`] is the receive pipeline: SPF, DKIM, ARC and DMARC over one message as
//! one sans-IO machine, ending with typed results and the Authentication-Results field. The
//! protocol crates are re-exported for everything else.

pub mod authenticator;
#[cfg(feature = "hickory")]
pub mod hickory;

pub use authenticator::{Authenticator, Connection, Outcome};
pub use tegami_arc as arc;
pub use tegami_core as core;
pub use tegami_dkim as dkim;
pub use tegami_dmarc as dmarc;
pub use tegami_mime as mime;
pub use tegami_smtp_proto as smtp;
pub use tegami_spf as spf;

/// The examples of the workspace README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
