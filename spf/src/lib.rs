//! SPF ([RFC 7208](https://www.rfc-editor.org/rfc/rfc7208)) for tegami: records, macros and
//! `check_host()` as a sans-IO machine.
//!
//! ```
//! use tegami_core::dns::{self, ZoneResolver};
//! use tegami_spf::{Evaluation, SpfResult};
//!
//! let zone = ZoneResolver::from_master_file(concat!(
//!     "example.com.      300 IN TXT \"v=spf1 mx include:_spf.example.net -all\"\n",
//!     "example.com.      300 IN MX  10 mail.example.com.\n",
//!     "mail.example.com. 300 IN A   192.0.2.25\n",
//!     "_spf.example.net. 300 IN TXT \"v=spf1 ip6:2001:db8::/32 ~all\"\n",
//! ))?;
//! let mut spf = Evaluation::new("2001:db8::7".parse()?, "mail.example.com", "joe@example.com");
//! let verdict = dns::resolve(&mut spf, &zone)?;
//! assert_eq!(verdict.result, SpfResult::Pass);
//!
//! let mut spf = Evaluation::new("198.51.100.1".parse()?, "evil.example", "joe@example.com");
//! assert_eq!(dns::resolve(&mut spf, &zone)?.result, SpfResult::Fail);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod check;
mod evaluation;
#[cfg(fuzzing)]
pub mod fuzzing;
pub mod macro_string;
mod network;
mod received_spf;
pub mod record;

pub use evaluation::{Config, Evaluation, Identity, SpfResult, Verdict};
pub use macro_string::{MacroError, MacroLetter, MacroString};
pub use received_spf::ReceivedSpf;
pub use record::{Record, RecordError};
