//! The shared foundation of tegami: sans-IO DNS, pluggable crypto, and the small grammars every
//! mail-authentication protocol needs.
//!
//! - [`dns`]: the query and answer types of every DNS-consuming machine, the resolver traits, the
//!   drivers and the offline [`ZoneResolver`](dns::ZoneResolver).

#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

pub mod dns;
