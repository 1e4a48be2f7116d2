//! The aggregate report model of [RFC 9990](https://www.rfc-editor.org/rfc/rfc9990) section 3
//! (and the RFC 7489 Appendix C form it replaces).
//!
//! One [`AggregateReport`] covers one DMARC Policy Domain over one reporting period: the
//! policy the receiver found, and one [`ReportRecord`] per (source IP, evaluated policy,
//! identifiers, authentication results) tuple with the number of messages it stands for.
//! Fields the RFC marks REQUIRED are still `Option` where a report in the wild may leave them
//! out or carry a word the schema does not know; the reader records each such gap as a
//! [`Problem`](super::Problem) instead of refusing the report.

use std::net::IpAddr;

use tegami_dkim::DkimResult;
use tegami_spf::SpfResult;

use crate::record::{AlignmentMode, Policy, PsdFlag};

/// The XML namespace of RFC 9990 reports (section 7.1).
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:dmarc-2.0";

/// The namespace some RFC 7489-era reports declare (the draft schema's).
pub const LEGACY_NAMESPACE: &str = "http://dmarc.org/dmarc-xml/0.1";

/// The most DKIM results a writer puts in one record (RFC 9990 section 3.1.5: "no more than
/// 100 signatures for a given row").
pub const MAX_DKIM_RESULTS: usize = 100;

/// One aggregate report (`<feedback>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AggregateReport {
    /// `version`: "1.0" in RFC 9990 reports; absent in most RFC 7489 ones.
    pub version: Option<String>,
    /// `report_metadata`: who reports, and for which period.
    pub metadata: ReportMetadata,
    /// `policy_published`: the DMARC Policy Record the receiver applied.
    pub policy: PolicyPublished,
    /// Report-level extensions (`<extension>` children; the draft-era `<extensions>` too).
    pub extensions: Vec<Extension>,
    /// The records, in document order.
    pub records: Vec<ReportRecord>,
}

/// `report_metadata` (RFC 9990 section 3.1.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReportMetadata {
    /// `org_name`: the Reporting Organization.
    pub org_name: String,
    /// `email`: its contact address.
    pub email: String,
    /// `extra_contact_info`.
    pub extra_contact_info: Option<String>,
    /// `report_id`: unique among this organisation's reports to one domain.
    pub report_id: String,
    /// `date_range/begin`: start of the period, seconds since the epoch (UTC).
    pub begin: u64,
    /// `date_range/end`: end of the period, seconds since the epoch (UTC).
    pub end: u64,
    /// `error`: problems the receiver met with the policy record.
    pub errors: Vec<String>,
    /// `generator`: name and version of the reporting software (RFC 9990).
    pub generator: Option<String>,
}

/// `policy_published` (RFC 9990 section 3.1.1.4): the policy found, tags at their
/// discovered or default values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PolicyPublished {
    /// `domain`: the DMARC Policy Domain.
    pub domain: String,
    /// `discovery_method`: how the record was found (RFC 9990).
    pub discovery_method: Option<DiscoveryMethod>,
    /// `p`.
    pub p: Option<Policy>,
    /// `sp`.
    pub sp: Option<Policy>,
    /// `np` (RFC 9990; RFC 9091 before it).
    pub np: Option<Policy>,
    /// `fo`, as written.
    pub fo: Option<String>,
    /// `adkim`.
    pub adkim: Option<AlignmentMode>,
    /// `aspf`.
    pub aspf: Option<AlignmentMode>,
    /// `testing` (RFC 9990; `t` in some schemas): the record's `t=y`.
    pub testing: Option<bool>,
    /// `psd`, where a report carries it.
    pub psd: Option<PsdFlag>,
    /// `pct` of RFC 7489 reports (RFC 9989 dropped the tag).
    pub pct: Option<u8>,
    /// `version_published` of some draft-era reports.
    pub version_published: Option<String>,
}

/// `discovery_method` values (RFC 9990 section 3.1.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscoveryMethod {
    /// RFC 7489's Public Suffix List.
    Psl,
    /// RFC 9989's DNS tree walk.
    TreeWalk,
}

/// One `record` (RFC 9990 section 3.1.1.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReportRecord {
    /// `row`: source, count, evaluated policy.
    pub row: Row,
    /// `identifiers`: the domains policy was applied to.
    pub identifiers: Identifiers,
    /// `auth_results`: DKIM and SPF, uninterpreted with respect to DMARC.
    pub auth_results: AuthResults,
    /// Record-level extension elements (after `auth_results`).
    pub extensions: Vec<Extension>,
}

/// `row` (RFC 9990 section 3.1.1.7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Row {
    /// `source_ip`: the connecting IP address (`None` when the report's text is not one).
    pub source_ip: Option<IpAddr>,
    /// `count`: messages this row stands for.
    pub count: u64,
    /// `policy_evaluated`.
    pub policy_evaluated: PolicyEvaluated,
}

/// `policy_evaluated` (RFC 9990 section 3.1.1.8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PolicyEvaluated {
    /// `disposition`: what the receiver did.
    pub disposition: Option<Disposition>,
    /// `dkim`: the DKIM Identifier Alignment result.
    pub dkim: Option<AlignmentResult>,
    /// `spf`: the SPF Identifier Alignment result.
    pub spf: Option<AlignmentResult>,
    /// `reason`: why the disposition differs from the published policy.
    pub reasons: Vec<OverrideReason>,
}

/// `disposition` values (`ActionDispositionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// No action.
    None,
    /// No action: the message passed DMARC under an enforcing policy (RFC 9990).
    Pass,
    /// Quarantined.
    Quarantine,
    /// Rejected.
    Reject,
}

/// The DMARC Identifier Alignment result of one mechanism (`DMARCResultType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlignmentResult {
    /// An aligned pass.
    Pass,
    /// No aligned pass.
    Fail,
}

/// One `reason` (RFC 9990 section 3.1.1.13).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct OverrideReason {
    /// `type`.
    pub kind: Option<OverrideType>,
    /// `comment`.
    pub comment: Option<String>,
}

/// Policy override types (RFC 9990 section 3.1.7; `forwarded` and `sampled_out` are RFC 7489's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideType {
    /// A local policy exempted the message.
    LocalPolicy,
    /// Heuristics found a mailing list.
    MailingList,
    /// Something else; see the comment.
    Other,
    /// The record's testing mode (`t=y`).
    PolicyTestMode,
    /// A known, trusted forwarder.
    TrustedForwarder,
    /// RFC 7489: the message was forwarded.
    Forwarded,
    /// RFC 7489: `pct` sampled the message out.
    SampledOut,
}

/// `identifiers` (RFC 9990 section 3.1.1.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Identifiers {
    /// `header_from`: the RFC5322.From domain.
    pub header_from: String,
    /// `envelope_from`: the RFC5321.MailFrom domain (present but empty for a null path).
    pub envelope_from: Option<String>,
    /// `envelope_to`: the RFC5321.RcptTo domain.
    pub envelope_to: Option<String>,
}

/// `auth_results` (RFC 9990 section 3.1.1.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AuthResults {
    /// One entry per DKIM signature checked.
    pub dkim: Vec<DkimAuthResult>,
    /// The SPF result (RFC 7489 reports may carry several, one per scope).
    pub spf: Vec<SpfAuthResult>,
}

/// One `dkim` result (RFC 9990 section 3.1.1.11).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DkimAuthResult {
    /// `domain`: the signature's `d=`.
    pub domain: String,
    /// `selector`: the signature's `s=`.
    pub selector: Option<String>,
    /// `result`: the RFC 8601 word.
    pub result: Option<DkimResult>,
    /// `human_result`.
    pub human_result: Option<String>,
}

/// One `spf` result (RFC 9990 section 3.1.1.12).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SpfAuthResult {
    /// `domain`: the domain checked.
    pub domain: String,
    /// `scope`: `mfrom` (the only value RFC 9990 allows) or RFC 7489's `helo`.
    pub scope: Option<SpfScope>,
    /// `result`: the RFC 8601 word.
    pub result: Option<SpfResult>,
    /// `human_result`.
    pub human_result: Option<String>,
}

/// SPF `scope` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpfScope {
    /// The MAIL FROM identity.
    MailFrom,
    /// The HELO identity (RFC 7489 reports only; DMARC never uses it).
    Helo,
}

/// One extension element (RFC 9990 section 5), kept as raw XML.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Extension {
    /// The element's local name (or, in the draft-era `<extension name=...>` form, the
    /// `name` attribute).
    pub name: String,
    /// The element's namespace URI (or the draft-era `definition` attribute).
    pub definition: Option<String>,
    /// The element's content, as raw XML between its tags.
    pub content: String,
}

/// A closed set of words read and written case-insensitively.
pub(crate) trait Word: Sized + Copy + 'static {
    /// The words, the first for each value being the one written.
    const WORDS: &'static [(&'static str, Self)];

    fn from_word(text: &str) -> Option<Self> {
        Self::WORDS
            .iter()
            .find(|(word, _)| word.eq_ignore_ascii_case(text))
            .map(|(_, value)| *value)
    }
}

macro_rules! word_as_str {
    ($type:ty) => {
        impl $type {
            /// The word a report writes.
            pub fn as_str(self) -> &'static str {
                <$type as Word>::WORDS
                    .iter()
                    .find(|(_, value)| *value == self)
                    .map_or("", |(word, _)| word)
            }
        }
    };
}

impl Word for DiscoveryMethod {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("psl", DiscoveryMethod::Psl),
        ("treewalk", DiscoveryMethod::TreeWalk),
    ];
}
word_as_str!(DiscoveryMethod);

impl Word for Disposition {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("none", Disposition::None),
        ("pass", Disposition::Pass),
        ("quarantine", Disposition::Quarantine),
        ("reject", Disposition::Reject),
    ];
}
word_as_str!(Disposition);

impl Word for AlignmentResult {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("pass", AlignmentResult::Pass),
        ("fail", AlignmentResult::Fail),
    ];
}
word_as_str!(AlignmentResult);

impl Word for OverrideType {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("local_policy", OverrideType::LocalPolicy),
        ("mailing_list", OverrideType::MailingList),
        ("other", OverrideType::Other),
        ("policy_test_mode", OverrideType::PolicyTestMode),
        ("trusted_forwarder", OverrideType::TrustedForwarder),
        ("forwarded", OverrideType::Forwarded),
        ("sampled_out", OverrideType::SampledOut),
    ];
}
word_as_str!(OverrideType);

impl Word for SpfScope {
    const WORDS: &'static [(&'static str, Self)] =
        &[("mfrom", SpfScope::MailFrom), ("helo", SpfScope::Helo)];
}
word_as_str!(SpfScope);

impl Word for Policy {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("none", Policy::None),
        ("quarantine", Policy::Quarantine),
        ("reject", Policy::Reject),
    ];
}

impl Word for AlignmentMode {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("r", AlignmentMode::Relaxed),
        ("s", AlignmentMode::Strict),
        ("relaxed", AlignmentMode::Relaxed),
        ("strict", AlignmentMode::Strict),
    ];
}

impl Word for PsdFlag {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("y", PsdFlag::Yes),
        ("n", PsdFlag::No),
        ("u", PsdFlag::Unknown),
    ];
}

impl Word for DkimResult {
    const WORDS: &'static [(&'static str, Self)] = &[
        ("none", DkimResult::None),
        ("pass", DkimResult::Pass),
        ("fail", DkimResult::Fail),
        ("policy", DkimResult::Policy),
        ("neutral", DkimResult::Neutral),
        ("temperror", DkimResult::TempError),
        ("permerror", DkimResult::PermError),
    ];
}

impl Word for SpfResult {
    /// RFC 7489's schema notes that `temperror` was "commonly implemented as `unknown`" and
    /// `permerror` as `error`; both old words are read.
    const WORDS: &'static [(&'static str, Self)] = &[
        ("none", SpfResult::None),
        ("neutral", SpfResult::Neutral),
        ("pass", SpfResult::Pass),
        ("fail", SpfResult::Fail),
        ("softfail", SpfResult::SoftFail),
        ("temperror", SpfResult::TempError),
        ("permerror", SpfResult::PermError),
        ("unknown", SpfResult::TempError),
        ("error", SpfResult::PermError),
    ];
}

pub(crate) fn alignment_word(mode: AlignmentMode) -> &'static str {
    match mode {
        AlignmentMode::Relaxed => "r",
        AlignmentMode::Strict => "s",
    }
}

pub(crate) fn psd_word(flag: PsdFlag) -> &'static str {
    match flag {
        PsdFlag::Yes => "y",
        PsdFlag::No => "n",
        PsdFlag::Unknown => "u",
    }
}

impl AggregateReport {
    /// The total number of messages over all records.
    pub fn message_count(&self) -> u64 {
        self.records
            .iter()
            .fold(0u64, |sum, r| sum.saturating_add(r.row.count))
    }
}

impl ReportRecord {
    /// Whether DMARC passed for this row: an aligned DKIM or SPF pass (RFC 9989 section 4.4).
    pub fn dmarc_pass(&self) -> bool {
        self.row.policy_evaluated.dkim == Some(AlignmentResult::Pass)
            || self.row.policy_evaluated.spf == Some(AlignmentResult::Pass)
    }
}

impl ReportRecord {
    /// Orders the DKIM results as RFC 9990 section 3.1.5 prefers (a pass in strict alignment
    /// with `header_from`, then a pass in relaxed alignment, other passes, then the rest),
    /// keeping the order of equals, so that a writer capping at [`MAX_DKIM_RESULTS`] keeps the
    /// ones that matter. `same_organization` says whether two domains share an
    /// Organizational Domain (relaxed alignment).
    ///
    /// ```
    /// use tegami_dkim::DkimResult;
    /// use tegami_dmarc::report::{DkimAuthResult, ReportRecord};
    ///
    /// let result = |domain: &str, result| DkimAuthResult {
    ///     domain: domain.into(),
    ///     result: Some(result),
    ///     ..DkimAuthResult::default()
    /// };
    /// let mut record = ReportRecord::default();
    /// record.identifiers.header_from = "mail.example.com".into();
    /// record.auth_results.dkim = vec![
    ///     result("example.com", DkimResult::Fail),
    ///     result("esp.example", DkimResult::Pass),
    ///     result("example.com", DkimResult::Pass),
    ///     result("mail.example.com", DkimResult::Pass),
    /// ];
    /// record.order_dkim_results(|a, b| a.ends_with("example.com") && b.ends_with("example.com"));
    /// let order: Vec<_> = record.auth_results.dkim.iter().map(|d| d.domain.as_str()).collect();
    /// assert_eq!(order, ["mail.example.com", "example.com", "esp.example", "example.com"]);
    /// ```
    pub fn order_dkim_results(&mut self, same_organization: impl Fn(&str, &str) -> bool) {
        let from = self.identifiers.header_from.as_str();
        self.auth_results.dkim.sort_by_key(|dkim| {
            if dkim.result != Some(DkimResult::Pass) {
                3
            } else if dkim.domain.eq_ignore_ascii_case(from) {
                0
            } else if same_organization(&dkim.domain, from) {
                1
            } else {
                2
            }
        });
    }
}
