//! DMARC for tegami: [RFC 9989](https://www.rfc-editor.org/rfc/rfc9989) policy records,
//! discovery by DNS tree walk (or RFC 7489's Public Suffix List), Identifier Alignment, the
//! policy result and the disposition, as a sans-IO machine.
//!
//! DMARC takes what SPF and DKIM proved (an SPF-Authenticated MAIL FROM domain, the `d=` of
//! each passing DKIM signature) and asks whether one of them is aligned with the domain of
//! the visible From field, the Author Domain. mime reads that field; when it can be read in
//! more than one way the result is `permerror`, never a silent pick.
//!
//! [`report`] reads and writes the reports DMARC asks receivers for: aggregate reports
//! (RFC 9990) with a collector, the report email, the external destination check and
//! statistics over many reports; failure reports (RFC 9991) in ARF.
//!
//! ```
//! use tegami_core::dns::{resolve, ZoneResolver};
//! use tegami_core::domain::Domain;
//! use tegami_dmarc::{Config, DmarcResult, Evaluation, Input, Policy};
//!
//! let zone = ZoneResolver::from_master_file(concat!(
//!     "$ORIGIN bank.example.\n",
//!     "_dmarc 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@bank.example\"\n",
//! ))?;
//! // A spoof: From bank.example, SPF passes for the attacker's own domain only.
//! let author = tegami_mime::Author::from_message(b"From: ceo@bank.example\r\n\r\n");
//! let input = Input::from_author(&author).spf_pass(Domain::try_from("evil.example")?);
//! let verdict = resolve(&mut Evaluation::new(input, Config::default()), &zone)?;
//! assert_eq!(verdict.result, DmarcResult::Fail);
//! assert_eq!(verdict.disposition, Policy::Reject);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bimi;
pub mod check;
pub mod evaluation;
pub mod forwarder;
#[cfg(fuzzing)]
pub mod fuzzing;
pub mod psl;
pub mod record;
pub mod report;
pub mod tree_walk;
pub mod verdict;

pub use evaluation::{Config, Discovery, Evaluation, ExistenceTest, Input};
pub use forwarder::{ArcSeal, RecordedPass};
pub use record::{AlignmentMode, Policy, Record};
pub use verdict::{Alignment, AuthorVerdict, DmarcResult, PolicyOverride, PolicyTag, Verdict};
