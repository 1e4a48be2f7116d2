//! The DMARC Policy Record, [RFC 9989 §4.7 and §4.8](https://www.rfc-editor.org/rfc/rfc9989#section-4.7),
//! with the tags RFC 9989 dropped from RFC 7489 (`pct`, `rf`, `ri`) parsed and reported.
//!
//! The record is a tag-value list whose first tag must be `v=DMARC1` (case-sensitive); without
//! it the TXT record is not a DMARC record at all. Past that point nothing is fatal: unknown tags
//! are ignored, and a tag whose value breaks the grammar falls back to its default (§4.8),
//! leaving a [`RecordWarning`] so that an operator can see why.
//!
//! ```
//! use tegami_dmarc::record::{AlignmentMode, Policy, Record};
//!
//! let record = Record::parse(b"v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:agg@example.com!10m")?;
//! assert_eq!(record.policy, Some(Policy::Reject));
//! assert_eq!(record.subdomain_policy, Some(Policy::Quarantine));
//! assert_eq!(record.dkim_alignment, AlignmentMode::Strict);
//! assert_eq!(record.aggregate_uris[0].uri(), "mailto:agg@example.com");
//! assert!(Record::parse(b"v=spf1 -all").is_err());
//! # Ok::<(), tegami_dmarc::record::RecordError>(())
//! ```

use core::fmt;

use tegami_core::ascii;
use tegami_core::domain::Domain;

/// A parsed DMARC Policy Record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// `p`: the Domain Owner Assessment Policy; `None` when absent or invalid.
    pub policy: Option<Policy>,
    /// `sp`: the policy for existing subdomains; `None` when absent or invalid.
    pub subdomain_policy: Option<Policy>,
    /// `np`: the policy for non-existent subdomains; `None` when absent or invalid.
    pub nonexistent_policy: Option<Policy>,
    /// `adkim`, default relaxed.
    pub dkim_alignment: AlignmentMode,
    /// `aspf`, default relaxed.
    pub spf_alignment: AlignmentMode,
    /// `fo`, default `0`.
    pub failure_options: FailureOptions,
    /// `psd`, default `u`.
    pub psd: PsdFlag,
    /// `t`: testing mode, as written; `None` when absent or invalid.
    pub testing_tag: Option<bool>,
    /// `rua`: the valid aggregate report URIs.
    pub aggregate_uris: Vec<ReportUri>,
    /// `ruf`: the valid failure report URIs.
    pub failure_uris: Vec<ReportUri>,
    /// `pct` (RFC 7489 §6.3, historic in RFC 9989): 0 to 100.
    pub percent: Option<u8>,
    /// `rf` (RFC 7489, historic): the failure report formats, as written.
    pub report_formats: Vec<String>,
    /// `ri` (RFC 7489, historic): the requested aggregate interval in seconds.
    pub report_interval: Option<u32>,
    /// What was wrong with the tags and was replaced by defaults or ignored.
    pub warnings: Vec<RecordWarning>,
}

/// Why a TXT record is not a DMARC record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The first tag is not `v` (§4.7: "This tag MUST be the first tag in the list").
    #[error("the first tag is not v")]
    VersionNotFirst,
    /// `v` is not exactly `DMARC1` (case-sensitive, §4.8).
    #[error("the version is not DMARC1")]
    WrongVersion,
}

/// A tag value that was replaced by its default or ignored (§4.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordWarning {
    /// The tag name as written.
    pub tag: String,
    /// What is wrong.
    pub kind: RecordWarningKind,
}

/// What is wrong with a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordWarningKind {
    /// The value does not fit the tag's grammar; the default applies.
    #[error("invalid value")]
    InvalidValue,
    /// A tag given a second time; the first value is kept.
    #[error("duplicate tag")]
    Duplicate,
    /// A tag not in the DMARC tag registry; ignored (§4.7).
    #[error("unknown tag")]
    Unknown,
    /// A part between semicolons that is not `tag=value`.
    #[error("not a tag=value pair")]
    NotATag,
    /// One URI of `rua` or `ruf` is not a URI; the others are kept.
    #[error("invalid report URI")]
    InvalidUri,
    /// A tag RFC 9989 removed (`pct`, `rf`, `ri`): parsed and reported, see
    /// [`Record::testing`] for how `pct` counts.
    #[error("tag removed by RFC 9989")]
    Historic,
}

/// A Domain Owner Assessment Policy (`dmarc-request`, §4.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Policy {
    /// No preference expressed.
    None,
    /// Treat failing mail as suspicious.
    Quarantine,
    /// Failing mail is not valid.
    Reject,
}

/// Identifier Alignment mode (`dmarc-rors`, §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AlignmentMode {
    /// Same Organizational Domain (`r`, the default).
    #[default]
    Relaxed,
    /// Identical domains (`s`).
    Strict,
}

/// The `psd` flag (§4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PsdFlag {
    /// `y`: published by a Public Suffix Operator.
    Yes,
    /// `n`: this domain is an Organizational Domain.
    No,
    /// `u` (default): unknown; the tree walk decides.
    #[default]
    Unknown,
}

/// The `fo` failure reporting options (§4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FailureOptions {
    /// `0`: report when every mechanism fails to produce an aligned pass (the default).
    pub all_fail: bool,
    /// `1`: report when any mechanism fails to produce an aligned pass.
    pub any_fail: bool,
    /// `d`: report every failed DKIM signature.
    pub dkim: bool,
    /// `s`: report every failed SPF evaluation.
    pub spf: bool,
}

impl Default for FailureOptions {
    fn default() -> Self {
        FailureOptions {
            all_fail: true,
            any_fail: false,
            dkim: false,
            spf: false,
        }
    }
}

/// One DMARC reporting URI of `rua` or `ruf` (§4.6), without the obsolete size suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReportUri {
    uri: ShortText,
    size_limit: Option<Box<str>>,
}

/// Text kept in place when it is short, as most report URIs are, and on the heap otherwise.
#[derive(Clone, PartialEq, Eq, Hash)]
enum ShortText {
    /// The first `len` octets of `bytes`; the rest are zero.
    Inline {
        len: u8,
        bytes: [u8; SHORT_TEXT],
    },
    Heap(Box<str>),
}

/// The longest text [`ShortText`] keeps in place (the enum is then 48 octets).
const SHORT_TEXT: usize = 46;

impl ShortText {
    fn new(text: &str) -> ShortText {
        let mut bytes = [0; SHORT_TEXT];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(room), Ok(len)) => {
                room.copy_from_slice(text.as_bytes());
                ShortText::Inline { len, bytes }
            }
            _ => ShortText::Heap(text.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // A copy of a whole `str`, so always UTF-8.
            ShortText::Inline { len, bytes } => {
                core::str::from_utf8(bytes.get(..usize::from(*len)).unwrap_or_default())
                    .unwrap_or_default()
            }
            ShortText::Heap(text) => text,
        }
    }
}

impl fmt::Debug for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl ReportUri {
    /// Parses one URI, dropping an obsolete `!size` suffix (§4.8 `obs-dmarc-report-size`).
    ///
    /// # Errors
    ///
    /// `None` if the text is not `scheme:rest` with an RFC 3986 scheme and no white space.
    pub fn parse(text: &str) -> Option<ReportUri> {
        let bytes = text.as_bytes();
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986 §3.1
        let colon = bytes
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))?;
        if bytes.get(colon) != Some(&b':') || !bytes.first()?.is_ascii_alphabetic() {
            return None;
        }
        // The rest up to a `!`, which may only start the size suffix: printable, no comma.
        let rest = bytes.get(colon + 1..)?;
        let body_len = rest
            .iter()
            .position(|&b| !b.is_ascii_graphic() || b == b',' || b == b'!')
            .unwrap_or(rest.len());
        let size_limit = match rest.get(body_len..)? {
            [] => None,
            [b'!', size @ ..] => {
                let size = core::str::from_utf8(size)
                    .ok()
                    .filter(|size| is_size(size))?;
                Some(size.into())
            }
            _ => return None,
        };
        if body_len == 0 {
            return None;
        }
        let uri = text.get(..colon + 1 + body_len)?;
        Some(ReportUri {
            uri: ShortText::new(uri),
            size_limit,
        })
    }

    /// The URI as written, without the size suffix.
    pub fn uri(&self) -> &str {
        self.uri.as_str()
    }

    /// The obsolete size limit as written (`10m`), which reporters ignore (§4.8).
    pub fn size_limit(&self) -> Option<&str> {
        self.size_limit.as_deref()
    }

    /// The scheme, lower case.
    pub fn scheme(&self) -> String {
        self.uri()
            .split_once(':')
            .map_or_else(String::new, |(scheme, _)| scheme.to_ascii_lowercase())
    }

    /// For a `mailto:` URI, the address (before any `?`), percent-decoded.
    pub fn mailto_address(&self) -> Option<String> {
        let (scheme, rest) = self.uri().split_once(':')?;
        if !scheme.eq_ignore_ascii_case("mailto") {
            return None;
        }
        let address = rest.split('?').next().unwrap_or_default();
        Some(percent_decode(address))
    }

    /// For a `mailto:` URI, the domain of the address.
    pub fn mailto_domain(&self) -> Option<Domain> {
        let address = self.mailto_address()?;
        let (_, domain) = address.rsplit_once('@')?;
        Domain::try_from(domain).ok()
    }
}

impl fmt::Display for ReportUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.uri())
    }
}

impl Policy {
    /// The policy word.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }

    /// One level below (§4.7 `t=y`): reject becomes quarantine, quarantine becomes none.
    pub fn lowered(self) -> Policy {
        match self {
            Policy::Reject => Policy::Quarantine,
            Policy::Quarantine | Policy::None => Policy::None,
        }
    }

    fn parse(value: &str) -> Option<Policy> {
        let word = |name: &str| value.eq_ignore_ascii_case(name);
        match value.len() {
            4 if word("none") => Some(Policy::None),
            6 if word("reject") => Some(Policy::Reject),
            10 if word("quarantine") => Some(Policy::Quarantine),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Record {
    /// Parses the text of one TXT record (its strings already joined, §4.5).
    ///
    /// # Errors
    ///
    /// [`RecordError`] when the text is not a DMARC record; a DMARC record with bad tags is
    /// `Ok`, with [`Record::warnings`].
    pub fn parse(text: &[u8]) -> Result<Record, RecordError> {
        let text = match core::str::from_utf8(text) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(text),
        };
        let (first, mut rest) = ascii::split_once(&text, b';').unwrap_or((&text, ""));
        let (name, value) = ascii::split_once(first, b'=').ok_or(RecordError::VersionNotFirst)?;
        if trim_wsp(name) != "v" {
            return Err(RecordError::VersionNotFirst);
        }
        if trim_wsp(value) != "DMARC1" {
            return Err(RecordError::WrongVersion);
        }
        let mut record = Record::default();
        // Tags seen so far: the registered ones by bit, others by name.
        let mut seen_known: u32 = 1;
        let mut seen_other: Vec<String> = Vec::new();
        while !rest.is_empty() {
            // One part: up to the next `;`, read in one pass (`=` first, then the value).
            let stop = rest
                .bytes()
                .position(|byte| byte == b'=' || byte == b';')
                .unwrap_or(rest.len());
            let (head, tail) = rest.split_at(stop);
            let Some(after_equals) = tail.strip_prefix('=') else {
                let part = trim_wsp(head);
                if !part.is_empty() {
                    record.warn(part, RecordWarningKind::NotATag);
                }
                rest = tail.get(1..).unwrap_or_default();
                continue;
            };
            let (value, after) =
                ascii::split_once(after_equals, b';').unwrap_or((after_equals, ""));
            rest = after;
            let name = trim_wsp(head);
            let value = trim_wsp(value);
            let known = known_tag(name);
            let duplicate = match known {
                Some(bit) => {
                    let mask = 1u32 << bit;
                    let seen = seen_known & mask != 0;
                    seen_known |= mask;
                    seen
                }
                None => {
                    let seen = seen_other.iter().any(|n| n.eq_ignore_ascii_case(name));
                    if !seen {
                        seen_other.push(name.to_owned());
                    }
                    seen
                }
            };
            if duplicate {
                record.warn(name, RecordWarningKind::Duplicate);
                continue;
            }
            record.apply(known, name, value);
        }
        Ok(record)
    }

    /// Whether the record can set a policy (§4.10.1): its `p`, `sp` and `np` are valid where
    /// present, or else it has at least one valid `rua` URI and counts as `p=none`. A missing
    /// `p` counts as `p=none` under RFC 9989 §4.7; under RFC 7489 §6.6.3 (`p_required`) it
    /// needs the `rua` fallback too. A record that is not usable applies no DMARC processing.
    pub fn is_usable(&self, p_required: bool) -> bool {
        self.effective_policies(p_required).is_some()
    }

    /// The policies the record sets, after the §4.10.1 fallback: (`p`, `sp`, `np`), each
    /// falling back as §4.7 says (`np` to `sp` to `p`). `None` when the record is not usable
    /// (see [`Record::is_usable`]).
    pub fn effective_policies(&self, p_required: bool) -> Option<(Policy, Policy, Policy)> {
        let invalid = |tag: &str| {
            self.warnings.iter().any(|w| {
                w.tag.eq_ignore_ascii_case(tag) && w.kind == RecordWarningKind::InvalidValue
            })
        };
        let broken =
            invalid("p") || invalid("sp") || invalid("np") || (p_required && self.policy.is_none());
        if broken {
            return (!self.aggregate_uris.is_empty()).then_some((
                Policy::None,
                Policy::None,
                Policy::None,
            ));
        }
        let p = self.policy.unwrap_or(Policy::None);
        let sp = self.subdomain_policy.unwrap_or(p);
        let np = self.nonexistent_policy.unwrap_or(sp);
        Some((p, sp, np))
    }

    /// Testing mode: `t=y`, or, without a `t` tag, `pct=0`, which RFC 9989 Appendix A.6 names
    /// as the value `t=y` replaces. Other `pct` values do not lower the policy.
    pub fn testing(&self) -> bool {
        self.testing_tag.unwrap_or(self.percent == Some(0))
    }

    fn warn(&mut self, tag: &str, kind: RecordWarningKind) {
        self.warnings.push(RecordWarning {
            tag: tag.to_owned(),
            kind,
        });
    }

    /// Applies tag `name` (`known`: its index in [`KNOWN_TAGS`]) with `value`.
    fn apply(&mut self, known: Option<usize>, name: &str, value: &str) {
        let ok = match known.unwrap_or(usize::MAX) {
            tag::P => set(&mut self.policy, Policy::parse(value)),
            tag::SP => set(&mut self.subdomain_policy, Policy::parse(value)),
            tag::NP => set(&mut self.nonexistent_policy, Policy::parse(value)),
            tag::ADKIM => set_mode(&mut self.dkim_alignment, value),
            tag::ASPF => set_mode(&mut self.spf_alignment, value),
            tag::FO => match parse_failure_options(value) {
                Some(options) => {
                    self.failure_options = options;
                    true
                }
                None => false,
            },
            tag::PSD => match value.as_bytes() {
                [b'y' | b'Y'] => {
                    self.psd = PsdFlag::Yes;
                    true
                }
                [b'n' | b'N'] => {
                    self.psd = PsdFlag::No;
                    true
                }
                [b'u' | b'U'] => true,
                _ => false,
            },
            tag::T => match value.as_bytes() {
                [b'y' | b'Y'] => set(&mut self.testing_tag, Some(true)),
                [b'n' | b'N'] => set(&mut self.testing_tag, Some(false)),
                _ => false,
            },
            tag::RUA | tag::RUF => {
                // A second `rua` or `ruf` never gets here (duplicates are skipped), so the
                // list is empty.
                let uris = if known == Some(tag::RUA) {
                    &mut self.aggregate_uris
                } else {
                    &mut self.failure_uris
                };
                let mut invalid = 0;
                for item in ascii::split(value, b',') {
                    match ReportUri::parse(trim_wsp(item)) {
                        Some(uri) => uris.push(uri),
                        None => invalid += 1,
                    }
                }
                for _ in 0..invalid {
                    self.warn(name, RecordWarningKind::InvalidUri);
                }
                true
            }
            tag::PCT | tag::RF | tag::RI => {
                self.warn(name, RecordWarningKind::Historic);
                match known {
                    Some(tag::PCT) => set(
                        &mut self.percent,
                        value.parse::<u8>().ok().filter(|p| *p <= 100),
                    ),
                    Some(tag::RI) => set(&mut self.report_interval, value.parse::<u32>().ok()),
                    _ => {
                        self.report_formats = value
                            .split(':')
                            .map(|f| trim_wsp(f).to_ascii_lowercase())
                            .collect();
                        !self.report_formats.iter().any(String::is_empty)
                    }
                }
            }
            _ => {
                self.warn(name, RecordWarningKind::Unknown);
                true
            }
        };
        if !ok {
            self.warn(name, RecordWarningKind::InvalidValue);
        }
    }
}

impl fmt::Display for Record {
    /// The record in canonical form: `v=DMARC1` first, then the set tags in registry order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v=DMARC1")?;
        if let Some(p) = self.policy {
            write!(f, "; p={p}")?;
        }
        if let Some(sp) = self.subdomain_policy {
            write!(f, "; sp={sp}")?;
        }
        if let Some(np) = self.nonexistent_policy {
            write!(f, "; np={np}")?;
        }
        if self.dkim_alignment == AlignmentMode::Strict {
            f.write_str("; adkim=s")?;
        }
        if self.spf_alignment == AlignmentMode::Strict {
            f.write_str("; aspf=s")?;
        }
        match self.psd {
            PsdFlag::Yes => f.write_str("; psd=y")?,
            PsdFlag::No => f.write_str("; psd=n")?,
            PsdFlag::Unknown => {}
        }
        if let Some(t) = self.testing_tag {
            write!(f, "; t={}", if t { "y" } else { "n" })?;
        }
        for (tag, uris) in [("rua", &self.aggregate_uris), ("ruf", &self.failure_uris)] {
            if !uris.is_empty() {
                let list: Vec<&str> = uris.iter().map(ReportUri::uri).collect();
                write!(f, "; {tag}={}", list.join(","))?;
            }
        }
        if self.failure_options != FailureOptions::default() {
            let o = self.failure_options;
            let mut values = Vec::new();
            for (on, letter) in [
                (o.all_fail, "0"),
                (o.any_fail, "1"),
                (o.dkim, "d"),
                (o.spf, "s"),
            ] {
                if on {
                    values.push(letter);
                }
            }
            write!(f, "; fo={}", values.join(":"))?;
        }
        Ok(())
    }
}

/// The tags of the DMARC tag registry (RFC 9989 §9.3), lower case; `v` first.
#[cfg(test)]
const KNOWN_TAGS: [&str; 14] = [
    "v", "p", "sp", "np", "adkim", "aspf", "fo", "psd", "t", "rua", "ruf", "pct", "rf", "ri",
];

/// Indexes into [`KNOWN_TAGS`].
mod tag {
    pub(super) const P: usize = 1;
    pub(super) const SP: usize = 2;
    pub(super) const NP: usize = 3;
    pub(super) const ADKIM: usize = 4;
    pub(super) const ASPF: usize = 5;
    pub(super) const FO: usize = 6;
    pub(super) const PSD: usize = 7;
    pub(super) const T: usize = 8;
    pub(super) const RUA: usize = 9;
    pub(super) const RUF: usize = 10;
    pub(super) const PCT: usize = 11;
    pub(super) const RF: usize = 12;
    pub(super) const RI: usize = 13;
}

/// The index of a registered tag name in [`KNOWN_TAGS`], in any case.
fn known_tag(name: &str) -> Option<usize> {
    let mut lower = [0u8; 5];
    let slot = lower.get_mut(..name.len())?;
    slot.copy_from_slice(name.as_bytes());
    slot.make_ascii_lowercase();
    Some(match &*slot {
        b"v" => 0,
        b"p" => tag::P,
        b"sp" => tag::SP,
        b"np" => tag::NP,
        b"adkim" => tag::ADKIM,
        b"aspf" => tag::ASPF,
        b"fo" => tag::FO,
        b"psd" => tag::PSD,
        b"t" => tag::T,
        b"rua" => tag::RUA,
        b"ruf" => tag::RUF,
        b"pct" => tag::PCT,
        b"rf" => tag::RF,
        b"ri" => tag::RI,
        _ => return None,
    })
}

/// DMARC's white space between and around tags: SP, HTAB and the CR LF of folding.
fn is_wsp(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// `text` without leading and trailing white space ([`is_wsp`]).
fn trim_wsp(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_wsp(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_wsp(b))
        .map_or(start, |last| last + 1);
    text.get(start..end).unwrap_or_default()
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    match value {
        Some(value) => {
            *slot = Some(value);
            true
        }
        None => false,
    }
}

fn set_mode(slot: &mut AlignmentMode, value: &str) -> bool {
    match value.as_bytes() {
        [b'r' | b'R'] => {
            *slot = AlignmentMode::Relaxed;
            true
        }
        [b's' | b'S'] => {
            *slot = AlignmentMode::Strict;
            true
        }
        _ => false,
    }
}

/// `dmarc-fo` (§4.8): `0` and `1` exclusive, `d` and `s` at most once each, colon-separated.
fn parse_failure_options(value: &str) -> Option<FailureOptions> {
    let mut options = FailureOptions {
        all_fail: false,
        any_fail: false,
        dkim: false,
        spf: false,
    };
    for item in value.split(':') {
        let slot = match trim_wsp(item).as_bytes() {
            b"0" => &mut options.all_fail,
            b"1" => &mut options.any_fail,
            b"d" | b"D" => &mut options.dkim,
            b"s" | b"S" => &mut options.spf,
            _ => return None,
        };
        if *slot {
            return None;
        }
        *slot = true;
    }
    if options.all_fail && options.any_fail {
        return None;
    }
    Some(options)
}

/// `1*DIGIT [ "k" / "m" / "g" / "t" ]`.
fn is_size(text: &str) -> bool {
    let digits = text.trim_end_matches(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && text.len() - digits.len() <= 1
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&b) = bytes.get(index) {
        if b == b'%'
            && let (Some(h), Some(l)) = (bytes.get(index + 1), bytes.get(index + 2))
            && let (Some(h), Some(l)) = ((*h as char).to_digit(16), (*l as char).to_digit(16))
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            index += 3;
            continue;
        }
        out.push(b);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_uris_keep_a_size_suffix_apart_and_refuse_any_other_bang() {
        let parse = |text| {
            ReportUri::parse(text)
                .map(|uri| (uri.uri().to_owned(), uri.size_limit().map(str::to_owned)))
        };
        let kept = |uri: &str, size: Option<&str>| Some((uri.to_owned(), size.map(str::to_owned)));
        assert_eq!(
            parse("mailto:d@example.com"),
            kept("mailto:d@example.com", None)
        );
        assert_eq!(
            parse("mailto:d@example.com!10m"),
            kept("mailto:d@example.com", Some("10m"))
        );
        assert_eq!(
            parse("https://r.example/x!20"),
            kept("https://r.example/x", Some("20"))
        );
        for refused in [
            "mailto:a!b!10m",
            "mailto:a!",
            "mailto:!10m",
            "mailto:a!10mb",
            "mailto!10m:x",
            "mailto:",
            "9ail:x",
            ":x",
            "mailto:a,b",
            "mailto:a b",
            "no-scheme",
        ] {
            assert_eq!(parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn long_report_uris_are_kept_whole() {
        let short = "mailto:d@example.com";
        let long = format!(
            "mailto:dmarc-aggregate-reports+{}@reports.example.net",
            "x".repeat(40)
        );
        for text in [short, &long] {
            let uri = ReportUri::parse(text).unwrap();
            assert_eq!(uri.uri(), text);
            assert_eq!(uri.to_string(), text);
            assert_eq!(uri.clone(), uri);
            assert_eq!(
                format!("{uri:?}"),
                format!("ReportUri {{ uri: {text:?}, size_limit: None }}")
            );
        }
        assert_ne!(ReportUri::parse(short), ReportUri::parse(&long));
        let sized = ReportUri::parse(&format!("{long}!5g")).unwrap();
        assert_eq!(
            (sized.uri(), sized.size_limit()),
            (long.as_str(), Some("5g"))
        );
    }

    #[test]
    fn tag_indexes_name_their_tags() {
        let named = [
            (tag::P, "p"),
            (tag::SP, "sp"),
            (tag::NP, "np"),
            (tag::ADKIM, "adkim"),
            (tag::ASPF, "aspf"),
            (tag::FO, "fo"),
            (tag::PSD, "psd"),
            (tag::T, "t"),
            (tag::RUA, "rua"),
            (tag::RUF, "ruf"),
            (tag::PCT, "pct"),
            (tag::RF, "rf"),
            (tag::RI, "ri"),
        ];
        for (index, name) in named {
            assert_eq!(KNOWN_TAGS.get(index), Some(&name));
            assert_eq!(known_tag(name), Some(index));
            assert_eq!(known_tag(&name.to_ascii_uppercase()), Some(index));
        }
        assert_eq!(known_tag("v"), Some(0));
        for unknown in ["", "x", "adkims", "pctx", "r"] {
            assert_eq!(known_tag(unknown), None, "{unknown}");
        }
    }
}
