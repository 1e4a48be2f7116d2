//! The shared foundation of tegami: sans-IO DNS, pluggable crypto, and the small grammars every
//! mail-authentication protocol needs.
//!
//! - [`dns`]: the query and answer types of every DNS-consuming machine, the resolver traits, the
//!   drivers and the offline [`ZoneResolver`](dns::ZoneResolver).
//! - [`crypto`]: signing algorithms, key loading, policy, and the ring and aws-lc-rs backends.
//! - [`tag_list`], [`domain`], [`mailbox`], [`auth_results`]: the shared grammars, each
//!   validated once at the edge into a type that cannot hold bad data.
//! - [`Secret`]: a wrapper that never prints what it holds.
//!
//! # The main loop
//!
//! Every DNS-consuming machine of tegami (SPF evaluation, DKIM key lookups, DMARC discovery)
//! implements [`dns::LookupMachine`]. This one fetches a DMARC record; the protocol crates'
//! machines are driven exactly the same way, against [`dns::ZoneResolver`] offline or any
//! [`dns::Resolver`] in production.
//!
//! ```
//! use tegami_core::dns::{
//!     self, Answer, LookupMachine, MisuseError, Outstanding, QueryId, QueryKind, Record, Step,
//!     ZoneResolver,
//! };
//!
//! /// Looks up `_dmarc.<domain>` and keeps the TXT records that start with `v=DMARC1`.
//! struct DmarcRecord { domain: String, book: Outstanding, asked: bool, found: Option<Vec<Vec<u8>>> }
//!
//! impl LookupMachine for DmarcRecord {
//!     type Output = Vec<Vec<u8>>;
//!
//!     fn poll(&mut self) -> Step<Vec<Vec<u8>>> {
//!         if let Some(found) = self.found.take() {
//!             return Step::Done(found);
//!         }
//!         if self.asked {
//!             return Step::Lookup(Vec::new()); // waiting for the answer
//!         }
//!         self.asked = true;
//!         Step::Lookup(vec![self.book.issue(format!("_dmarc.{}", self.domain), QueryKind::Txt)])
//!     }
//!
//!     fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
//!         self.book.answer(id)?;
//!         let records = answer.unwrap_or_default();
//!         self.found = Some(records.iter().filter_map(|record| match record {
//!             Record::Txt(txt) if txt.concatenated().starts_with(b"v=DMARC1") => Some(txt.concatenated()),
//!             _ => None,
//!         }).collect());
//!         Ok(())
//!     }
//! }
//!
//! let zone = ZoneResolver::from_master_file("_dmarc.example.com. 60 IN TXT \"v=DMARC1; p=reject\"\n")?;
//! let mut machine = DmarcRecord { domain: "example.com".into(), book: Outstanding::default(), asked: false, found: None };
//! let records = dns::resolve(&mut machine, &zone)?;
//! assert_eq!(records, vec![b"v=DMARC1; p=reject".to_vec()]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

extern crate alloc;

pub mod ascii;
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
