//! DMARC reports: aggregate reports ([RFC 9990](https://www.rfc-editor.org/rfc/rfc9990)) read
//! and written, in RFC 9990's form and RFC 7489's.
//!
//! [`parse_aggregate`] reads one XML report into an [`AggregateReport`] plus the
//! [`Problem`]s met (reports in the wild are often sloppy: missing elements, capitalised
//! words, stray markup, bytes that are not UTF-8); [`AggregateReport::to_xml`] writes one.
//! [`unpack`] finds the XML inside what a report consumer receives: a gzip or zip file, or
//! the whole report email.

pub mod aggregate;
pub mod collector;
pub mod destination;
pub mod failure;
mod read;
pub mod summary;
pub mod unpack;
mod write;

pub use aggregate::{
    AggregateReport, AlignmentResult, AuthResults, DiscoveryMethod, Disposition, DkimAuthResult,
    Extension, Identifiers, OverrideReason, OverrideType, PolicyEvaluated, PolicyPublished,
    ReportMetadata, ReportRecord, Row, SpfAuthResult, SpfScope,
};
pub use read::{ParsedReport, ReadError, ReadLimits, parse_aggregate, parse_aggregate_with};

/// The schema a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportForm {
    /// RFC 9990: the `urn:ietf:params:xml:ns:dmarc-2.0` namespace.
    Rfc9990,
    /// RFC 7489 Appendix C: no namespace (or the draft's).
    Rfc7489,
}

/// Something wrong in a report that did not stop it being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte offset in the input where it was noticed.
    pub offset: u64,
    /// What.
    pub kind: ProblemKind,
}

/// The kinds of [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    /// The XML broke off; what came before was kept.
    #[error("XML error, reading stopped: {0}")]
    Syntax(String),
    /// A required element is missing.
    #[error("required element <{0}> is missing")]
    Missing(&'static str),
    /// An element holds a value its type does not allow.
    #[error("<{element}> holds an invalid value {value:?}")]
    InvalidValue {
        /// The element.
        element: &'static str,
        /// The value (at most 64 characters of it).
        value: String,
    },
    /// An element the schema does not have (skipped).
    #[error("unknown element <{0}> skipped")]
    UnknownElement(String),
    /// Markup inside a value, kept as text.
    #[error("markup <{0}> inside a value, kept as text")]
    MarkupInValue(String),
    /// An end tag with no open element of its name.
    #[error("end tag </{0}> matches no open element")]
    UnmatchedEnd(String),
    /// An element closed by the end of an enclosing one, or by the end of the input.
    #[error("element <{0}> was not closed")]
    Unclosed(String),
    /// Text that is not UTF-8 (replaced by U+FFFD).
    #[error("text is not valid UTF-8")]
    InvalidUtf8,
    /// An entity reference other than XML's five (kept as written).
    #[error("unknown entity &{0};")]
    UnknownEntity(String),
    /// The report sits inside another element (ignored).
    #[error("the report is wrapped in <{0}>")]
    Wrapped(String),
    /// Elements nested deeper than the limit (skipped).
    #[error("elements nested too deeply")]
    TooDeep,
    /// More records than the limit (the rest skipped).
    #[error("too many records")]
    TooManyRecords,
    /// The declared encoding was not UTF-8; the input was converted first.
    #[error("converted from {0}")]
    Transcoded(&'static str),
}

/// FNV-1a over `bytes`: element-name matching in the reader, MIME boundaries in the writers.
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes
        .into_iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}
