//! The shared foundation of tegami: sans-IO DNS, pluggable crypto, and the small grammars every
//! mail-authentication protocol needs.
//!
//! - [`dns`]: the query and answer types of every DNS-consuming machine, the resolver traits, the
//!   drivers and the offline [`ZoneResolver`](dns::ZoneResolver).
//! - [`crypto`]: signing algorithms, key loading, policy, and the ring and aws-lc-rs backends.
//! - [`Secret`]: a wrapper that never prints what it holds.

extern crate alloc;

pub mod auth_results;
pub mod crypto;
pub mod dns;
pub mod domain;
pub mod mailbox;
mod secret;

#[cfg(fuzzing)]
pub mod fuzzing;
pub mod tag_list;

pub use secret::Secret;
