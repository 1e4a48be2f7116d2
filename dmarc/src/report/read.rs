//! Reading aggregate reports: RFC 9990, RFC 7489 and the variants found in the wild.
//!
//! The reader walks quick-xml's events once and fills the model as it goes; it never builds a
//! document tree. It is lenient where reports are known to be sloppy and says so: a missing
//! required element, a word the schema does not know, an end tag that closes the wrong
//! element, bytes that are not UTF-8 each become a [`Problem`] with the byte offset, and
//! reading goes on. Element names are matched by local name, so RFC 9990 reports, RFC 7489
//! reports and reports that declare the draft namespace read alike.
//!
//! Nothing here expands entities beyond XML's five and character references, so the
//! "billion laughs" family cannot grow the input; depth and record counts are capped by
//! [`ReadLimits`].

use std::net::IpAddr;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::aggregate::{
    AggregateReport, DkimAuthResult, Extension, NAMESPACE, OverrideReason, ReportRecord,
    SpfAuthResult, Word,
};
use super::{Problem, ProblemKind, ReportForm};

/// Limits of one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The most records read; later ones are skipped with a problem.
    pub max_records: usize,
    /// The deepest element nesting followed; deeper content is skipped with a problem.
    pub max_depth: usize,
    /// The most problems recorded (a broken report could otherwise list one per element).
    pub max_problems: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_records: 1_000_000,
            max_depth: 32,
            max_problems: 1_000,
        }
    }
}

/// Why the input is not an aggregate report at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The input is empty or holds only white space.
    #[error("the report is empty")]
    Empty,
    /// The XML is broken before the root element.
    #[error("XML error at byte {offset}: {message}")]
    Syntax {
        /// Where.
        offset: u64,
        /// What quick-xml said.
        message: String,
    },
    /// The root element is not `feedback`.
    #[error("the root element is not <feedback>")]
    NotAReport,
}

/// A report as read, with the problems met on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReport {
    /// The report.
    pub report: AggregateReport,
    /// Which schema the root element declares.
    pub form: ReportForm,
    /// What was wrong, in document order.
    pub problems: Vec<Problem>,
}

/// Reads one aggregate report with the default limits.
///
/// ```
/// use tegami_dmarc::report::{ReportForm, parse_aggregate};
///
/// let xml = br#"<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
///   <report_metadata><org_name>Receiver</org_name><email>r@receiver.example</email>
///     <report_id>1</report_id><date_range><begin>0</begin><end>86399</end></date_range>
///   </report_metadata>
///   <policy_published><domain>example.com</domain><p>reject</p></policy_published>
///   <record><row><source_ip>192.0.2.1</source_ip><count>3</count>
///     <policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf>
///     </policy_evaluated></row>
///     <identifiers><header_from>example.com</header_from></identifiers>
///     <auth_results><spf><domain>example.com</domain><result>fail</result></spf></auth_results>
///   </record>
/// </feedback>"#;
/// let parsed = parse_aggregate(xml)?;
/// assert_eq!(parsed.form, ReportForm::Rfc9990);
/// assert_eq!(parsed.report.policy.domain, "example.com");
/// assert_eq!(parsed.report.message_count(), 3);
/// assert!(parsed.problems.is_empty());
/// # Ok::<(), tegami_dmarc::report::ReadError>(())
/// ```
///
/// # Errors
///
/// [`ReadError`] when the input is empty, is broken before its root element, or the root is
/// not `feedback`.
pub fn parse_aggregate(xml: &[u8]) -> Result<ParsedReport, ReadError> {
    parse_aggregate_with(xml, &ReadLimits::default())
}

/// Reads one aggregate report with the given limits.
///
/// # Errors
///
/// As [`parse_aggregate`].
pub fn parse_aggregate_with(xml: &[u8], limits: &ReadLimits) -> Result<ParsedReport, ReadError> {
    if xml.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    match declared_encoding(xml) {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            let (text, _, _) = encoding.decode(xml);
            let mut parsed = Walker::new(text.as_bytes(), limits).run()?;
            parsed.problems.insert(
                0,
                Problem {
                    offset: 0,
                    kind: ProblemKind::Transcoded(encoding.name()),
                },
            );
            Ok(parsed)
        }
        _ => Walker::new(xml, limits).run(),
    }
}

/// The encoding an XML declaration names, if it is one encoding_rs knows.
fn declared_encoding(xml: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let mut reader = Reader::from_reader(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Decl(decl)) => {
                let label = decl.encoding()?.ok()?;
                return encoding_rs::Encoding::for_label(&label);
            }
            Ok(Event::Text(_) | Event::Comment(_)) => {}
            _ => return None,
        }
    }
}

/// Where an element sits in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Feedback,
    Version,
    Metadata,
    OrgName,
    Email,
    ExtraContact,
    ReportId,
    DateRange,
    Begin,
    End,
    Error,
    Generator,
    Policy,
    PolicyDomain,
    DiscoveryMethod,
    P,
    Sp,
    Np,
    Fo,
    Adkim,
    Aspf,
    Testing,
    Psd,
    Pct,
    VersionPublished,
    /// RFC 9990's report-level `<extension>`: each child is one extension.
    ExtensionBlock,
    /// The draft-era `<extensions>`: each `<extension name= definition=>` child is one.
    DraftExtensions,
    /// An element captured as an extension (raw content).
    Captured,
    Record,
    Row,
    SourceIp,
    Count,
    Evaluated,
    Disposition,
    EvalDkim,
    EvalSpf,
    Reason,
    ReasonType,
    ReasonComment,
    Identifiers,
    HeaderFrom,
    EnvelopeFrom,
    EnvelopeTo,
    AuthResults,
    Dkim,
    DkimDomain,
    DkimSelector,
    DkimResult,
    DkimHuman,
    Spf,
    SpfDomain,
    SpfScope,
    SpfResult,
    SpfHuman,
    /// Not part of the schema: skipped.
    Unknown,
    /// Content of a captured extension, or past a limit: skipped silently.
    Skipped,
}

impl Tag {
    /// The tag of the element `name` inside `parent`.
    fn child(parent: Tag, name: &[u8]) -> Tag {
        // Lower-cased on the stack: every name of the schema is shorter than 24 octets.
        let mut buffer = [0u8; 24];
        let name = match buffer.get_mut(..name.len()) {
            Some(lower) => {
                lower.copy_from_slice(name);
                lower.make_ascii_lowercase();
                &*lower
            }
            None => b"",
        };
        match (parent, name) {
            (Tag::Feedback, b"version") => Tag::Version,
            (Tag::Feedback, b"report_metadata") => Tag::Metadata,
            (Tag::Feedback, b"policy_published") => Tag::Policy,
            (Tag::Feedback, b"extension") => Tag::ExtensionBlock,
            (Tag::Feedback | Tag::Record, b"extensions") => Tag::DraftExtensions,
            (Tag::Feedback, b"record") => Tag::Record,
            (Tag::Metadata, b"org_name") => Tag::OrgName,
            (Tag::Metadata, b"email") => Tag::Email,
            (Tag::Metadata, b"extra_contact_info") => Tag::ExtraContact,
            (Tag::Metadata, b"report_id") => Tag::ReportId,
            (Tag::Metadata, b"date_range") => Tag::DateRange,
            (Tag::Metadata, b"error") => Tag::Error,
            (Tag::Metadata, b"generator") => Tag::Generator,
            (Tag::DateRange, b"begin") => Tag::Begin,
            (Tag::DateRange, b"end") => Tag::End,
            (Tag::Policy, b"domain") => Tag::PolicyDomain,
            (Tag::Policy, b"discovery_method") => Tag::DiscoveryMethod,
            (Tag::Policy, b"p") => Tag::P,
            (Tag::Policy, b"sp") => Tag::Sp,
            (Tag::Policy, b"np") => Tag::Np,
            (Tag::Policy, b"fo") => Tag::Fo,
            (Tag::Policy, b"adkim") => Tag::Adkim,
            (Tag::Policy, b"aspf") => Tag::Aspf,
            (Tag::Policy, b"testing" | b"t") => Tag::Testing,
            (Tag::Policy, b"psd") => Tag::Psd,
            (Tag::Policy, b"pct") => Tag::Pct,
            (Tag::Policy, b"version_published") => Tag::VersionPublished,
            (Tag::ExtensionBlock, _) => Tag::Captured,
            (Tag::DraftExtensions, b"extension") => Tag::Captured,
            (Tag::Record, b"row") => Tag::Row,
            (Tag::Record, b"identifiers") => Tag::Identifiers,
            (Tag::Record, b"auth_results") => Tag::AuthResults,
            (Tag::Record, _) => Tag::Captured,
            (Tag::Row, b"source_ip") => Tag::SourceIp,
            (Tag::Row, b"count") => Tag::Count,
            (Tag::Row, b"policy_evaluated") => Tag::Evaluated,
            (Tag::Evaluated, b"disposition") => Tag::Disposition,
            (Tag::Evaluated, b"dkim") => Tag::EvalDkim,
            (Tag::Evaluated, b"spf") => Tag::EvalSpf,
            (Tag::Evaluated, b"reason") => Tag::Reason,
            (Tag::Reason, b"type") => Tag::ReasonType,
            (Tag::Reason, b"comment") => Tag::ReasonComment,
            (Tag::Identifiers, b"header_from") => Tag::HeaderFrom,
            (Tag::Identifiers, b"envelope_from") => Tag::EnvelopeFrom,
            (Tag::Identifiers, b"envelope_to") => Tag::EnvelopeTo,
            (Tag::AuthResults, b"dkim") => Tag::Dkim,
            (Tag::AuthResults, b"spf") => Tag::Spf,
            (Tag::Dkim, b"domain") => Tag::DkimDomain,
            (Tag::Dkim, b"selector") => Tag::DkimSelector,
            (Tag::Dkim, b"result") => Tag::DkimResult,
            (Tag::Dkim, b"human_result") => Tag::DkimHuman,
            (Tag::Spf, b"domain") => Tag::SpfDomain,
            (Tag::Spf, b"scope") => Tag::SpfScope,
            (Tag::Spf, b"result") => Tag::SpfResult,
            (Tag::Spf, b"human_result") => Tag::SpfHuman,
            (Tag::Captured | Tag::Skipped | Tag::Unknown, _) => Tag::Skipped,
            _ => Tag::Unknown,
        }
    }

    /// Whether text directly inside the element is a value.
    fn is_leaf(self) -> bool {
        !matches!(
            self,
            Tag::Feedback
                | Tag::Metadata
                | Tag::DateRange
                | Tag::Policy
                | Tag::ExtensionBlock
                | Tag::DraftExtensions
                | Tag::Captured
                | Tag::Record
                | Tag::Row
                | Tag::Evaluated
                | Tag::Reason
                | Tag::Identifiers
                | Tag::AuthResults
                | Tag::Dkim
                | Tag::Spf
                | Tag::Unknown
                | Tag::Skipped
        )
    }
}

/// One open element.
struct Open {
    tag: Tag,
    /// A hash of the local name, to match end tags without keeping the name.
    name: u64,
    /// Byte offset of the start tag.
    offset: u64,
}

/// An extension element being captured.
struct Capture {
    depth: usize,
    content_start: u64,
    extension: Extension,
    in_record: bool,
}

struct Walker<'a> {
    input: &'a [u8],
    reader: Reader<&'a [u8]>,
    limits: &'a ReadLimits,
    stack: Vec<Open>,
    text: String,
    report: AggregateReport,
    problems: Vec<Problem>,
    form: ReportForm,
    /// Namespace declarations of the root element: (prefix, URI); "" is the default.
    root_namespaces: Vec<(String, String)>,
    capture: Option<Capture>,
    seen_root: bool,
    seen: Seen,
}

/// Which required parts were seen.
#[derive(Default)]
struct Seen {
    metadata: bool,
    policy: bool,
    org_name: bool,
    email: bool,
    report_id: bool,
    begin: bool,
    end: bool,
    policy_domain: bool,
    p: bool,
}

/// A hash of the lower-cased name.
fn name_hash(name: &[u8]) -> u64 {
    super::fnv1a(name.iter().map(u8::to_ascii_lowercase))
}

impl<'a> Walker<'a> {
    fn new(input: &'a [u8], limits: &'a ReadLimits) -> Walker<'a> {
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
        Walker {
            input,
            reader,
            limits,
            stack: Vec::with_capacity(8),
            text: String::new(),
            report: AggregateReport::default(),
            problems: Vec::new(),
            form: ReportForm::Rfc7489,
            root_namespaces: Vec::new(),
            capture: None,
            seen_root: false,
            seen: Seen::default(),
        }
    }

    /// The element name of the start tag at `offset`, read back from the input.
    fn name_at(&self, offset: u64) -> String {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let rest = self.input.get(start..).unwrap_or_default();
        let end = rest
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
            .unwrap_or(rest.len())
            .min(64);
        String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned()
    }

    fn problem(&mut self, offset: u64, kind: ProblemKind) {
        if self.problems.len() < self.limits.max_problems {
            self.problems.push(Problem { offset, kind });
        }
    }

    fn run(mut self) -> Result<ParsedReport, ReadError> {
        loop {
            let offset = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let offset = self.reader.error_position();
                    if !self.seen_root {
                        return Err(ReadError::Syntax {
                            offset,
                            message: error.to_string(),
                        });
                    }
                    self.problem(offset, ProblemKind::Syntax(error.to_string()));
                    break;
                }
            };
            match event {
                Event::Start(start) => self.start(&start, offset, false)?,
                Event::Empty(start) => self.start(&start, offset, true)?,
                Event::End(end) => self.end(end.local_name().as_ref(), offset),
                Event::Text(text) => self.push_text(&text, offset),
                Event::CData(data) => self.push_text(&data, offset),
                Event::GeneralRef(reference) => self.push_reference(&reference, offset),
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
            if self.seen_root && self.stack.is_empty() {
                break;
            }
        }
        if !self.seen_root {
            return Err(ReadError::NotAReport);
        }
        let end = self.reader.buffer_position();
        while let Some(open) = self.stack.pop() {
            let name = self.name_at(open.offset);
            self.problem(open.offset, ProblemKind::Unclosed(name));
            self.close(open.tag, end);
        }
        self.check_required(end);
        Ok(ParsedReport {
            report: self.report,
            form: self.form,
            problems: self.problems,
        })
    }

    fn start(&mut self, start: &BytesStart<'_>, offset: u64, empty: bool) -> Result<(), ReadError> {
        let local = start.local_name();
        let local = local.as_ref();
        let Some(parent) = self.stack.last().map(|open| open.tag) else {
            if self.seen_root {
                return Ok(());
            }
            if !local.eq_ignore_ascii_case(b"feedback") {
                // Some reporters wrap the report (one wraps it in an unclosed <xs:schema>):
                // look for <feedback> inside.
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                self.problem(offset, ProblemKind::Wrapped(name));
                return Ok(());
            }
            self.seen_root = true;
            self.root(start);
            if !empty {
                self.stack.push(Open {
                    tag: Tag::Feedback,
                    name: name_hash(local),
                    offset,
                });
            }
            return Ok(());
        };
        let mut tag = Tag::child(parent, local);
        if tag == Tag::Unknown && parent.is_leaf() {
            // Markup inside a value is a reporter's unescaped `<` (`<email><a@b.example>`):
            // keep it as text.
            let raw = String::from_utf8_lossy(start);
            self.text.push('<');
            self.text.push_str(&raw);
            self.text.push_str(if empty { "/>" } else { ">" });
            self.problem(offset, ProblemKind::MarkupInValue(raw.into_owned()));
            return Ok(());
        }
        if tag != Tag::Skipped && self.stack.len() >= self.limits.max_depth {
            self.problem(offset, ProblemKind::TooDeep);
            tag = Tag::Skipped;
        }
        if tag == Tag::Record && self.report.records.len() >= self.limits.max_records {
            if self.report.records.len() == self.limits.max_records {
                self.problem(offset, ProblemKind::TooManyRecords);
            }
            tag = Tag::Skipped;
        }
        if tag == Tag::Unknown {
            let name = String::from_utf8_lossy(local).into_owned();
            self.problem(offset, ProblemKind::UnknownElement(name));
        }
        if tag.is_leaf() {
            self.text.clear();
        }
        self.open(tag, start);
        if empty {
            let end = self.reader.buffer_position();
            self.close(tag, end);
        } else {
            self.stack.push(Open {
                tag,
                name: name_hash(local),
                offset,
            });
        }
        Ok(())
    }

    /// Reads the root element's namespace declarations.
    fn root(&mut self, start: &BytesStart<'_>) {
        for attribute in start.attributes().flatten() {
            let key = attribute.key.as_ref();
            let prefix = if key == b"xmlns" {
                ""
            } else if let Some(prefix) = key.strip_prefix(b"xmlns:") {
                std::str::from_utf8(prefix).unwrap_or("")
            } else {
                continue;
            };
            let uri = attribute_value(&attribute).trim().to_owned();
            if prefix.is_empty() && start.name().prefix().is_none() {
                self.form = if uri == NAMESPACE {
                    ReportForm::Rfc9990
                } else {
                    ReportForm::Rfc7489
                };
            }
            self.root_namespaces.push((prefix.to_owned(), uri));
        }
        if let Some(prefix) = start.name().prefix() {
            let prefix = String::from_utf8_lossy(prefix.as_ref()).into_owned();
            let uri = self
                .root_namespaces
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, uri)| uri.as_str());
            if uri == Some(NAMESPACE) {
                self.form = ReportForm::Rfc9990;
            }
        }
    }

    /// Creates the model object an element stands for.
    fn open(&mut self, tag: Tag, start: &BytesStart<'_>) {
        match tag {
            Tag::Metadata => self.seen.metadata = true,
            Tag::Policy => self.seen.policy = true,
            Tag::Record => self.report.records.push(ReportRecord::default()),
            Tag::Reason => {
                if let Some(record) = self.report.records.last_mut() {
                    record
                        .row
                        .policy_evaluated
                        .reasons
                        .push(OverrideReason::default());
                }
            }
            Tag::Dkim => {
                if let Some(record) = self.report.records.last_mut() {
                    record.auth_results.dkim.push(DkimAuthResult::default());
                }
            }
            Tag::Spf => {
                if let Some(record) = self.report.records.last_mut() {
                    record.auth_results.spf.push(SpfAuthResult::default());
                }
            }
            Tag::Captured => {
                let in_record = self.stack.iter().any(|open| open.tag == Tag::Record);
                let extension = self.extension_head(start);
                self.capture = Some(Capture {
                    depth: self.stack.len(),
                    content_start: self.reader.buffer_position(),
                    extension,
                    in_record,
                });
            }
            _ => {}
        }
    }

    /// Name and definition of a captured extension element.
    fn extension_head(&self, start: &BytesStart<'_>) -> Extension {
        let mut name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        let mut definition = None;
        let prefix = start
            .name()
            .prefix()
            .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
            .unwrap_or_default();
        let draft = self.stack.last().map(|open| open.tag) == Some(Tag::DraftExtensions);
        for attribute in start.attributes().flatten() {
            let key = attribute.key.as_ref();
            let value = || attribute_value(&attribute);
            let declares_namespace = (prefix.is_empty() && key == b"xmlns")
                || key.strip_prefix(b"xmlns:") == Some(prefix.as_bytes());
            if draft && key == b"name" {
                name = value();
            } else if (draft && key == b"definition") || (!draft && declares_namespace) {
                definition = Some(value());
            }
        }
        if definition.is_none() && !draft && !prefix.is_empty() {
            definition = self
                .root_namespaces
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, uri)| uri.clone());
        }
        Extension {
            name,
            definition,
            content: String::new(),
        }
    }

    fn push_text(&mut self, raw: &[u8], offset: u64) {
        let Some(open) = self.stack.last() else {
            return;
        };
        if !open.tag.is_leaf() {
            return;
        }
        match std::str::from_utf8(raw) {
            Ok(text) => self.text.push_str(text),
            Err(_) => {
                self.text.push_str(&String::from_utf8_lossy(raw));
                self.problem(offset, ProblemKind::InvalidUtf8);
            }
        }
    }

    fn push_reference(&mut self, reference: &quick_xml::events::BytesRef<'_>, offset: u64) {
        let Some(open) = self.stack.last() else {
            return;
        };
        if !open.tag.is_leaf() {
            return;
        }
        let name: &[u8] = reference;
        let resolved = match name {
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"amp" => Some('&'),
            b"apos" => Some('\''),
            b"quot" => Some('"'),
            _ => reference.resolve_char_ref().ok().flatten(),
        };
        match resolved {
            Some(c) => self.text.push(c),
            None => {
                let name = String::from_utf8_lossy(name).into_owned();
                self.text.push('&');
                self.text.push_str(&name);
                self.text.push(';');
                self.problem(offset, ProblemKind::UnknownEntity(name));
            }
        }
    }

    fn end(&mut self, local: &[u8], offset: u64) {
        let hash = name_hash(local);
        let Some(index) = self.stack.iter().rposition(|open| open.name == hash) else {
            let name = String::from_utf8_lossy(local).into_owned();
            self.problem(offset, ProblemKind::UnmatchedEnd(name));
            return;
        };
        while self.stack.len() > index {
            let Some(open) = self.stack.pop() else {
                break;
            };
            if self.stack.len() > index {
                let name = self.name_at(open.offset);
                self.problem(open.offset, ProblemKind::Unclosed(name));
            }
            self.close(open.tag, offset);
        }
    }

    /// Stores the value of an element that just ended at `offset` (start of its end tag).
    fn close(&mut self, tag: Tag, offset: u64) {
        if tag == Tag::Captured {
            self.close_capture(offset);
            return;
        }
        if !tag.is_leaf() {
            return;
        }
        let text = std::mem::take(&mut self.text);
        let value = text.trim();
        if let Err(kind) = self.store(tag, value) {
            self.problem(offset, kind);
        }
        self.text = text;
        self.text.clear();
    }

    fn close_capture(&mut self, offset: u64) {
        let Some(capture) = self.capture.take() else {
            return;
        };
        if capture.depth != self.stack.len() {
            self.capture = Some(capture);
            return;
        }
        let mut extension = capture.extension;
        let from = usize::try_from(capture.content_start).unwrap_or(usize::MAX);
        let to = usize::try_from(offset).unwrap_or(usize::MAX);
        if let Some(raw) = self.input.get(from..to.max(from)) {
            extension.content = String::from_utf8_lossy(raw).into_owned();
        }
        if capture.in_record {
            if let Some(record) = self.report.records.last_mut() {
                record.extensions.push(extension);
            }
        } else {
            self.report.extensions.push(extension);
        }
    }

    /// Stores one value; `Err` names what was wrong with it.
    fn store(&mut self, tag: Tag, value: &str) -> Result<(), ProblemKind> {
        let invalid = |element: &'static str| ProblemKind::InvalidValue {
            element,
            value: value.chars().take(64).collect(),
        };
        let report = &mut self.report;
        let text = || value.to_owned();
        let optional = || (!value.is_empty()).then(|| value.to_owned());
        match tag {
            Tag::Version => report.version = optional(),
            Tag::OrgName => {
                self.seen.org_name = true;
                report.metadata.org_name = text();
            }
            Tag::Email => {
                self.seen.email = true;
                report.metadata.email = text();
            }
            Tag::ExtraContact => report.metadata.extra_contact_info = optional(),
            Tag::ReportId => {
                self.seen.report_id = true;
                report.metadata.report_id = text();
            }
            Tag::Begin => {
                self.seen.begin = true;
                report.metadata.begin = timestamp(value).ok_or_else(|| invalid("begin"))?;
            }
            Tag::End => {
                self.seen.end = true;
                report.metadata.end = timestamp(value).ok_or_else(|| invalid("end"))?;
            }
            Tag::Error => report.metadata.errors.push(text()),
            Tag::Generator => report.metadata.generator = optional(),
            Tag::PolicyDomain => {
                self.seen.policy_domain = true;
                report.policy.domain = text();
            }
            Tag::DiscoveryMethod => {
                report.policy.discovery_method =
                    word(value).ok_or_else(|| invalid("discovery_method"))?;
            }
            Tag::P => {
                self.seen.p = true;
                report.policy.p = word(value).ok_or_else(|| invalid("p"))?;
            }
            Tag::Sp => report.policy.sp = word(value).ok_or_else(|| invalid("sp"))?,
            Tag::Np => report.policy.np = word(value).ok_or_else(|| invalid("np"))?,
            Tag::Fo => report.policy.fo = optional(),
            Tag::Adkim => report.policy.adkim = word(value).ok_or_else(|| invalid("adkim"))?,
            Tag::Aspf => report.policy.aspf = word(value).ok_or_else(|| invalid("aspf"))?,
            Tag::Testing => {
                report.policy.testing = match value.to_ascii_lowercase().as_str() {
                    "" => None,
                    "y" | "yes" | "true" => Some(true),
                    "n" | "no" | "false" => Some(false),
                    _ => return Err(invalid("testing")),
                }
            }
            Tag::Psd => report.policy.psd = word(value).ok_or_else(|| invalid("psd"))?,
            Tag::Pct => {
                report.policy.pct = if value.is_empty() {
                    None
                } else {
                    Some(
                        value
                            .parse::<u8>()
                            .ok()
                            .filter(|p| *p <= 100)
                            .ok_or_else(|| invalid("pct"))?,
                    )
                }
            }
            Tag::VersionPublished => report.policy.version_published = optional(),
            _ => return self.store_record(tag, value),
        }
        Ok(())
    }

    fn store_record(&mut self, tag: Tag, value: &str) -> Result<(), ProblemKind> {
        let invalid = |element: &'static str| ProblemKind::InvalidValue {
            element,
            value: value.chars().take(64).collect(),
        };
        let Some(record) = self.report.records.last_mut() else {
            return Ok(());
        };
        let optional = || (!value.is_empty()).then(|| value.to_owned());
        let evaluated = &mut record.row.policy_evaluated;
        match tag {
            Tag::SourceIp => {
                record.row.source_ip = Some(parse_ip(value).ok_or_else(|| invalid("source_ip"))?);
            }
            Tag::Count => {
                record.row.count = value.parse().map_err(|_| invalid("count"))?;
            }
            Tag::Disposition => {
                evaluated.disposition = word(value).ok_or_else(|| invalid("disposition"))?;
            }
            Tag::EvalDkim => {
                evaluated.dkim = word(value).ok_or_else(|| invalid("policy_evaluated/dkim"))?;
            }
            Tag::EvalSpf => {
                evaluated.spf = word(value).ok_or_else(|| invalid("policy_evaluated/spf"))?;
            }
            Tag::ReasonType => {
                if let Some(reason) = evaluated.reasons.last_mut() {
                    reason.kind = word(value).ok_or_else(|| invalid("reason/type"))?;
                }
            }
            Tag::ReasonComment => {
                if let Some(reason) = evaluated.reasons.last_mut() {
                    reason.comment = optional();
                }
            }
            Tag::HeaderFrom => record.identifiers.header_from = value.to_owned(),
            Tag::EnvelopeFrom => record.identifiers.envelope_from = Some(value.to_owned()),
            Tag::EnvelopeTo => record.identifiers.envelope_to = optional(),
            Tag::DkimDomain | Tag::DkimSelector | Tag::DkimResult | Tag::DkimHuman => {
                let Some(dkim) = record.auth_results.dkim.last_mut() else {
                    return Ok(());
                };
                match tag {
                    Tag::DkimDomain => dkim.domain = value.to_owned(),
                    Tag::DkimSelector => dkim.selector = optional(),
                    Tag::DkimResult => {
                        dkim.result = word(value).ok_or_else(|| invalid("dkim/result"))?;
                    }
                    _ => dkim.human_result = optional(),
                }
            }
            Tag::SpfDomain | Tag::SpfScope | Tag::SpfResult | Tag::SpfHuman => {
                let Some(spf) = record.auth_results.spf.last_mut() else {
                    return Ok(());
                };
                match tag {
                    Tag::SpfDomain => spf.domain = value.to_owned(),
                    Tag::SpfScope => spf.scope = word(value).ok_or_else(|| invalid("spf/scope"))?,
                    Tag::SpfResult => {
                        spf.result = word(value).ok_or_else(|| invalid("spf/result"))?;
                    }
                    _ => spf.human_result = optional(),
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_required(&mut self, end: u64) {
        let seen = &self.seen;
        let missing: Vec<&'static str> = [
            (seen.metadata, "report_metadata"),
            (seen.org_name, "org_name"),
            (seen.email, "email"),
            (seen.report_id, "report_id"),
            (seen.begin, "date_range/begin"),
            (seen.end, "date_range/end"),
            (seen.policy, "policy_published"),
            (seen.policy_domain, "policy_published/domain"),
            (seen.p, "policy_published/p"),
            (!self.report.records.is_empty(), "record"),
        ]
        .into_iter()
        .filter(|(seen, _)| !seen)
        .map(|(_, name)| name)
        .collect();
        for name in missing {
            self.problem(end, ProblemKind::Missing(name));
        }
    }
}

/// An attribute's value with its references resolved (as written, when they do not resolve).
fn attribute_value(attribute: &quick_xml::events::attributes::Attribute<'_>) -> String {
    attribute.unescape_value().map_or_else(
        |_| String::from_utf8_lossy(&attribute.value).into_owned(),
        std::borrow::Cow::into_owned,
    )
}

/// A word of a closed set; empty text is `None`, an unknown word an error.
fn word<T: Word>(value: &str) -> Option<Option<T>> {
    if value.is_empty() {
        return Some(None);
    }
    T::from_word(value).map(Some)
}

/// Seconds since the epoch; some reporters write a fraction or a sign.
fn timestamp(value: &str) -> Option<u64> {
    let value = value.strip_prefix('+').unwrap_or(value);
    let whole = value.split_once('.').map_or(value, |(whole, _)| whole);
    whole.parse().ok()
}

/// An IPv4 or IPv6 address, also in brackets or with an IPv6 zone-less prefix length.
fn parse_ip(value: &str) -> Option<IpAddr> {
    let value = value.trim_start_matches('[').trim_end_matches(']');
    value.parse().ok()
}
