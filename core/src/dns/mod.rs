//! Sans-IO DNS: the queries our machines ask, the answers callers feed back, and the drivers.
//!
//! Every DNS-consuming machine of tegami has the same outer shape. [`LookupMachine::poll`]
//! returns [`Step::Lookup`] with queries to run or [`Step::Done`] with the result, and
//! [`LookupMachine::handle_answer`] takes an [`Answer`] back. A machine may hand out several
//! queries at once (the key records of every DKIM signature, the addresses of every MX host), so
//! an async caller can run them concurrently and answer in any order.
//!
//! The types here are our own, so no public API depends on a 0.x DNS crate. Answers keep what the
//! protocols need apart: TXT records keep their boundaries and their character-strings
//! ([RFC 7208 §3.3](https://www.rfc-editor.org/rfc/rfc7208#section-3.3),
//! [RFC 6376 §3.6.2.2](https://www.rfc-editor.org/rfc/rfc6376#section-3.6.2.2)), and a
//! [`DnsError`] tells a name that does not exist from a name without records of the asked type
//! and from a temporary failure, which SPF, DKIM and DMARC treat differently.
//!
//! ```
//! use tegami_core::dns::{QueryKind, Record, Resolver, ZoneResolver};
//!
//! let zone = ZoneResolver::from_master_file(
//!     "example.com. 300 IN TXT \"v=spf1 -all\"\n",
//! )?;
//! let answer = zone.lookup_name("example.com", QueryKind::Txt);
//! let records = answer.expect("the zone holds the record");
//! assert!(matches!(&records[0], Record::Txt(txt) if txt.concatenated() == b"v=spf1 -all"));
//! # Ok::<(), tegami_core::dns::ZoneError>(())
//! ```

mod answer;
mod driver;
mod machine;
mod query;
mod zone;

pub use answer::{Answer, DnsError, MxRecord, Record, TxtRecord, TxtStrings};
pub use driver::{AsyncResolver, Resolver, resolve, resolve_async};
pub use machine::{LookupMachine, MisuseError, Outstanding, Step};
pub use query::{Query, QueryId, QueryKind};
pub use zone::{ZoneError, ZoneResolver};
