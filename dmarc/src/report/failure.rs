//! Failure reports: [RFC 9991](https://www.rfc-editor.org/rfc/rfc9991) over the Abuse
//! Reporting Format (ARF, [RFC 5965](https://www.rfc-editor.org/rfc/rfc5965)) with the
//! authentication-failure fields of [RFC 6591](https://www.rfc-editor.org/rfc/rfc6591), read
//! and written.
//!
//! A failure report is a `multipart/report; report-type=feedback-report` message: a
//! human-readable part, the machine-readable `message/feedback-report` part ([`Feedback`]) and
//! the failed message or its header (`message/rfc822` or `text/rfc822-headers`).
//! [`parse_failure_report`] reads one (and, failing a `message/feedback-report` part, the plain
//! text form some MTAs send instead); [`FailureReport::to_message`] writes one.
//!
//! When to send one is the receiver's call within the Domain Owner's request:
//! [`failure_report_due`] applies the record's `fo=` options (RFC 9989 section 4.7) and the
//! rule that a Public Suffix Domain gets no failure reports (RFC 9990 section 8.3);
//! rate-limiting is left to the caller, who knows its volume (RFC 9991 section 5 asks
//! receivers to limit them), and so is redaction of the original message (RFC 9991 section 6).
//!
//! ```
//! use tegami_dmarc::report::failure::{Feedback, FeedbackType, FailureReport, parse_failure_report};
//!
//! let mut feedback = Feedback::new(FeedbackType::AuthFailure);
//! feedback.user_agent = Some("tegami/0.1".into());
//! feedback.reported_domain.push("example.com".into());
//! feedback.source_ip = "192.0.2.1".parse().ok();
//! let report = FailureReport {
//!     feedback,
//!     text: "A message from 192.0.2.1 failed DMARC for example.com.".into(),
//!     original: Some(b"From: ceo@example.com\r\nSubject: pay now\r\n\r\n".to_vec()),
//!     headers_only: true,
//! };
//! let message = report.to_message("dmarc@receiver.example", "ruf@example.com", "<1@receiver.example>", 1_700_000_000);
//! let parsed = parse_failure_report(&message)?;
//! assert_eq!(parsed.report.feedback, report.feedback);
//! assert!(parsed.report.headers_only);
//! # Ok::<(), tegami_dmarc::report::failure::FailureError>(())
//! ```

use std::fmt::Write as _;
use std::net::IpAddr;

use tegami_mime::{HeaderBlock, Message};

use crate::record::{FailureOptions, PsdFlag};

/// `Feedback-Type` values (RFC 5965 section 7.3, RFC 6591 section 3.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedbackType {
    /// `abuse`.
    Abuse,
    /// `auth-failure` (RFC 6591): what DMARC failure reports are.
    AuthFailure,
    /// `fraud`.
    Fraud,
    /// `not-spam`.
    NotSpam,
    /// `other`.
    Other,
    /// `virus`.
    Virus,
    /// A type not registered when this was written, kept as sent.
    Unregistered(String),
}

impl FeedbackType {
    /// The registered word.
    pub fn as_str(&self) -> &str {
        match self {
            FeedbackType::Abuse => "abuse",
            FeedbackType::AuthFailure => "auth-failure",
            FeedbackType::Fraud => "fraud",
            FeedbackType::NotSpam => "not-spam",
            FeedbackType::Other => "other",
            FeedbackType::Virus => "virus",
            FeedbackType::Unregistered(word) => word,
        }
    }

    fn parse(word: &str) -> FeedbackType {
        [
            FeedbackType::Abuse,
            FeedbackType::AuthFailure,
            FeedbackType::Fraud,
            FeedbackType::NotSpam,
            FeedbackType::Other,
            FeedbackType::Virus,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(word))
        .unwrap_or_else(|| FeedbackType::Unregistered(word.to_owned()))
    }
}

/// `Auth-Failure` values (RFC 6591 section 3.2.2, RFC 9991 section 3.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthFailure {
    /// `adsp` (historic).
    Adsp,
    /// `bodyhash`: the DKIM body hash did not verify.
    BodyHash,
    /// `revoked`: the DKIM key was revoked.
    Revoked,
    /// `signature`: the DKIM signature did not verify.
    Signature,
    /// `spf`: SPF failed.
    Spf,
    /// `dmarc`: the message failed DMARC (RFC 9991).
    Dmarc,
    /// Another value, kept as sent.
    Unregistered(String),
}

impl AuthFailure {
    /// The registered word.
    pub fn as_str(&self) -> &str {
        match self {
            AuthFailure::Adsp => "adsp",
            AuthFailure::BodyHash => "bodyhash",
            AuthFailure::Revoked => "revoked",
            AuthFailure::Signature => "signature",
            AuthFailure::Spf => "spf",
            AuthFailure::Dmarc => "dmarc",
            AuthFailure::Unregistered(word) => word,
        }
    }

    fn parse(word: &str) -> AuthFailure {
        [
            AuthFailure::Adsp,
            AuthFailure::BodyHash,
            AuthFailure::Revoked,
            AuthFailure::Signature,
            AuthFailure::Spf,
            AuthFailure::Dmarc,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(word))
        .unwrap_or_else(|| AuthFailure::Unregistered(word.to_owned()))
    }
}

/// The fields of a `message/feedback-report` part (RFC 5965 section 3, RFC 6591 section 3,
/// RFC 9991 section 3). Values are kept unfolded, as sent; fields this model does not name are
/// kept in [`Feedback::other_fields`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// `Feedback-Type`.
    pub feedback_type: FeedbackType,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// `Version` (1).
    pub version: Option<String>,
    /// `Arrival-Date` (or the older `Received-Date`), an RFC 5322 date as sent.
    pub arrival_date: Option<String>,
    /// `Incidents`.
    pub incidents: Option<u64>,
    /// `Original-Envelope-Id`.
    pub original_envelope_id: Option<String>,
    /// `Original-Mail-From`.
    pub original_mail_from: Option<String>,
    /// `Original-Rcpt-To`, each.
    pub original_rcpt_to: Vec<String>,
    /// `Reporting-MTA`, without its `dns;` type.
    pub reporting_mta: Option<String>,
    /// `Source-IP` (a comment after the address is dropped).
    pub source_ip: Option<IpAddr>,
    /// `Source-Port`.
    pub source_port: Option<u16>,
    /// `Authentication-Results`, each.
    pub authentication_results: Vec<String>,
    /// `Reported-Domain`, each.
    pub reported_domain: Vec<String>,
    /// `Reported-URI`, each.
    pub reported_uri: Vec<String>,
    /// `Auth-Failure` (RFC 6591).
    pub auth_failure: Option<AuthFailure>,
    /// `Delivery-Result` (RFC 6591): `delivered`, `spam`, `policy`, `reject` or `other`.
    pub delivery_result: Option<String>,
    /// `DKIM-Domain`.
    pub dkim_domain: Option<String>,
    /// `DKIM-Identity`.
    pub dkim_identity: Option<String>,
    /// `DKIM-Selector`.
    pub dkim_selector: Option<String>,
    /// `DKIM-Canonicalized-Header` (base64 as sent).
    pub dkim_canonicalized_header: Option<String>,
    /// `DKIM-Canonicalized-Body` (base64 as sent).
    pub dkim_canonicalized_body: Option<String>,
    /// `DKIM-Selector-DNS`.
    pub dkim_selector_dns: Option<String>,
    /// `DKIM-ADSP-DNS` (ADSP is historic; kept as sent).
    pub dkim_adsp_dns: Option<String>,
    /// `SPF-DNS`.
    pub spf_dns: Option<String>,
    /// `Identity-Alignment` (RFC 9991): `none` or a list of `dkim`, `spf`.
    pub identity_alignment: Option<String>,
    /// Any other field, in order: (name, value).
    pub other_fields: Vec<(String, String)>,
}

impl Feedback {
    /// A report of `feedback_type` with every other field empty and `Version: 1`.
    pub fn new(feedback_type: FeedbackType) -> Feedback {
        Feedback {
            feedback_type,
            user_agent: None,
            version: Some("1".into()),
            arrival_date: None,
            incidents: None,
            original_envelope_id: None,
            original_mail_from: None,
            original_rcpt_to: Vec::new(),
            reporting_mta: None,
            source_ip: None,
            source_port: None,
            authentication_results: Vec::new(),
            reported_domain: Vec::new(),
            reported_uri: Vec::new(),
            auth_failure: None,
            delivery_result: None,
            dkim_domain: None,
            dkim_identity: None,
            dkim_selector: None,
            dkim_canonicalized_header: None,
            dkim_canonicalized_body: None,
            dkim_selector_dns: None,
            dkim_adsp_dns: None,
            spf_dns: None,
            identity_alignment: None,
            other_fields: Vec::new(),
        }
    }

    /// Reads the fields of a `message/feedback-report` body. `None` without a
    /// `Feedback-Type` field (RFC 5965 section 3.1 requires it).
    pub fn parse(fields: &[u8]) -> Option<Feedback> {
        let block = HeaderBlock::parse(fields);
        let mut feedback = Feedback::new(FeedbackType::Other);
        feedback.version = None;
        let mut typed = false;
        for field in block.fields() {
            let name = String::from_utf8_lossy(field.name()).trim().to_owned();
            let value = unfold(field.value());
            let optional = || Some(value.clone());
            match name.to_ascii_lowercase().as_str() {
                "feedback-type" => {
                    typed = true;
                    feedback.feedback_type = FeedbackType::parse(&value);
                }
                "user-agent" => feedback.user_agent = optional(),
                "version" => feedback.version = optional(),
                "arrival-date" | "received-date" => feedback.arrival_date = optional(),
                "incidents" => feedback.incidents = value.parse().ok(),
                "original-envelope-id" => feedback.original_envelope_id = optional(),
                "original-mail-from" => feedback.original_mail_from = optional(),
                "original-rcpt-to" => feedback.original_rcpt_to.push(value),
                "reporting-mta" => {
                    let mta = value.split_once(';').map_or(value.as_str(), |(_, m)| m);
                    feedback.reporting_mta = Some(mta.trim().to_owned());
                }
                "source-ip" => {
                    let address = value.split_whitespace().next().unwrap_or_default();
                    let address = address.trim_start_matches('[').trim_end_matches(']');
                    feedback.source_ip = address.parse().ok();
                }
                "source-port" => feedback.source_port = value.parse().ok(),
                "authentication-results" => feedback.authentication_results.push(value),
                "reported-domain" => feedback.reported_domain.push(value),
                "reported-uri" => feedback.reported_uri.push(value),
                "auth-failure" => feedback.auth_failure = Some(AuthFailure::parse(&value)),
                "delivery-result" => feedback.delivery_result = optional(),
                "dkim-domain" => feedback.dkim_domain = optional(),
                "dkim-identity" => feedback.dkim_identity = optional(),
                "dkim-selector" => feedback.dkim_selector = optional(),
                "dkim-canonicalized-header" => feedback.dkim_canonicalized_header = optional(),
                "dkim-canonicalized-body" => feedback.dkim_canonicalized_body = optional(),
                "dkim-selector-dns" => feedback.dkim_selector_dns = optional(),
                "dkim-adsp-dns" => feedback.dkim_adsp_dns = optional(),
                "spf-dns" => feedback.spf_dns = optional(),
                "identity-alignment" => feedback.identity_alignment = optional(),
                _ => feedback.other_fields.push((name, value)),
            }
        }
        typed.then_some(feedback)
    }

    /// The arrival date as Unix seconds, when it reads as an RFC 5322 date.
    pub fn arrival_time(&self) -> Option<i64> {
        let date = self.arrival_date.as_deref()?;
        tegami_mime::date::DateTime::parse(date.as_bytes()).map(|d| d.timestamp())
    }

    /// The fields as a `message/feedback-report` body: CRLF line ends, long values folded at
    /// white space, the fields in RFC 5965's order (required fields first).
    pub fn to_fields(&self) -> String {
        let mut out = String::new();
        let mut field = |name: &str, value: &str| fold_field(&mut out, name, value);
        field("Feedback-Type", self.feedback_type.as_str());
        if let Some(v) = &self.user_agent {
            field("User-Agent", v);
        }
        if let Some(v) = &self.version {
            field("Version", v);
        }
        let once = [
            ("Arrival-Date", self.arrival_date.as_deref()),
            ("Original-Envelope-Id", self.original_envelope_id.as_deref()),
            ("Original-Mail-From", self.original_mail_from.as_deref()),
        ];
        for (name, value) in once {
            if let Some(value) = value {
                field(name, value);
            }
        }
        if let Some(incidents) = self.incidents {
            field("Incidents", &incidents.to_string());
        }
        for value in &self.original_rcpt_to {
            field("Original-Rcpt-To", value);
        }
        if let Some(mta) = &self.reporting_mta {
            field("Reporting-MTA", &format!("dns; {mta}"));
        }
        if let Some(ip) = self.source_ip {
            field("Source-IP", &ip.to_string());
        }
        if let Some(port) = self.source_port {
            field("Source-Port", &port.to_string());
        }
        for value in &self.authentication_results {
            field("Authentication-Results", value);
        }
        for value in &self.reported_domain {
            field("Reported-Domain", value);
        }
        for value in &self.reported_uri {
            field("Reported-URI", value);
        }
        if let Some(failure) = &self.auth_failure {
            field("Auth-Failure", failure.as_str());
        }
        let rest = [
            ("Delivery-Result", &self.delivery_result),
            ("Identity-Alignment", &self.identity_alignment),
            ("DKIM-Domain", &self.dkim_domain),
            ("DKIM-Identity", &self.dkim_identity),
            ("DKIM-Selector", &self.dkim_selector),
            ("DKIM-Canonicalized-Header", &self.dkim_canonicalized_header),
            ("DKIM-Canonicalized-Body", &self.dkim_canonicalized_body),
            ("DKIM-Selector-DNS", &self.dkim_selector_dns),
            ("DKIM-ADSP-DNS", &self.dkim_adsp_dns),
            ("SPF-DNS", &self.spf_dns),
        ];
        for (name, value) in rest {
            if let Some(value) = value {
                field(name, value);
            }
        }
        for (name, value) in &self.other_fields {
            field(name, value);
        }
        out
    }
}

/// RFC 5322 section 2.2.3 unfolding: line breaks before white space removed; the value
/// trimmed.
fn unfold(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Writes `Name: value` CRLF, folded by mime's builder (lines within 78 octets where the
/// value allows); line breaks inside the value become spaces.
pub(crate) fn fold_field(out: &mut String, name: &str, value: &str) {
    let value: String = value
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect();
    tegami_mime::builder::fold(out, name, &value);
}

/// A failure report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReport {
    /// The machine-readable part.
    pub feedback: Feedback,
    /// The human-readable part.
    pub text: String,
    /// The failed message, or only its header when `headers_only`.
    pub original: Option<Vec<u8>>,
    /// Whether `original` is the header only (`text/rfc822-headers`).
    pub headers_only: bool,
}

/// The form a failure report came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureForm {
    /// ARF: a `message/feedback-report` part (RFC 5965, RFC 6591, RFC 9991).
    Arf,
    /// Plain text without a `message/feedback-report` part (the form some MTAs send): the
    /// fields were read from "Name: value" lines of the text.
    PlainText,
}

/// A failure report as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFailureReport {
    /// The report.
    pub report: FailureReport,
    /// Its form.
    pub form: FailureForm,
}

/// Why a message is not a failure report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FailureError {
    /// No `message/feedback-report` part with a `Feedback-Type`, and no plain-text report.
    #[error("no message/feedback-report part and no plain-text failure report")]
    NotAReport,
}

/// Reads a failure report message.
///
/// # Errors
///
/// [`FailureError::NotAReport`] when the message holds neither a `message/feedback-report`
/// part nor a plain-text failure report.
pub fn parse_failure_report(message: &[u8]) -> Result<ParsedFailureReport, FailureError> {
    let parsed = Message::parse(message);
    let mut feedback = None;
    let mut text = String::new();
    let mut original = None;
    let mut headers_only = false;
    for part in parsed.parts() {
        let content_type = part.content_type();
        let kind = (
            content_type.kind().to_ascii_lowercase(),
            content_type.subtype().to_ascii_lowercase(),
        );
        match (kind.0.as_str(), kind.1.as_str()) {
            ("message", "feedback-report") if feedback.is_none() => {
                feedback = Feedback::parse(&part.decoded());
            }
            ("message", "rfc822") if original.is_none() => {
                original = Some(part.decoded().into_owned());
            }
            ("text", "rfc822-headers") if original.is_none() => {
                original = Some(part.decoded().into_owned());
                headers_only = true;
            }
            ("text", "plain") if text.is_empty() && part.depth() <= 1 => {
                text = part.text().trim_end().to_owned();
            }
            _ => {}
        }
    }
    if let Some(feedback) = feedback {
        return Ok(ParsedFailureReport {
            report: FailureReport {
                feedback,
                text,
                original,
                headers_only,
            },
            form: FailureForm::Arf,
        });
    }
    plain_text(&text).ok_or(FailureError::NotAReport)
}

/// The plain-text form: "Sender Domain:", "Sender IP Address:", "Received date:", "SPF
/// Alignment:", "DKIM Alignment:", "DMARC Results:" lines, then the header after a line that
/// says it is a copy of the headers.
fn plain_text(text: &str) -> Option<ParsedFailureReport> {
    let mut feedback = Feedback::new(FeedbackType::AuthFailure);
    feedback.version = None;
    let mut found = false;
    let mut headers = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("------") && line.to_ascii_lowercase().contains("copy of the headers") {
            let rest: Vec<&str> = lines.by_ref().skip_while(|l| l.trim().is_empty()).collect();
            headers = Some(rest.join("\r\n") + "\r\n");
            break;
        }
        let Some((name, value)) = line.trim().split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match name.trim().to_ascii_lowercase().as_str() {
            "sender domain" => {
                found = true;
                feedback.reported_domain.push(value);
            }
            "sender ip address" => feedback.source_ip = value.parse().ok(),
            "received date" => feedback.arrival_date = Some(value),
            "spf alignment" | "dkim alignment" | "dmarc results" => {
                feedback.other_fields.push((name.trim().to_owned(), value));
            }
            _ => {}
        }
    }
    if !found {
        return None;
    }
    feedback.auth_failure = Some(AuthFailure::Dmarc);
    Some(ParsedFailureReport {
        report: FailureReport {
            feedback,
            text: text.trim_end().to_owned(),
            headers_only: headers.is_some(),
            original: headers.map(String::into_bytes),
        },
        form: FailureForm::PlainText,
    })
}

impl FailureReport {
    /// The report as a message (RFC 5965 section 2, RFC 9991 section 3): `multipart/report`
    /// with the text, the feedback fields and the original (`message/rfc822`, or
    /// `text/rfc822-headers` when `headers_only`), CRLF line ends, 7-bit safe where the
    /// original is (an 8-bit original is sent as `8bit`). `date` is the Unix time for the
    /// `Date` field; `message_id` includes its angle brackets. The result can be DKIM-signed
    /// as it is.
    pub fn to_message(&self, from: &str, to: &str, message_id: &str, date: i64) -> Vec<u8> {
        let boundary = format!("tegami-arf-{:016x}", super::fnv1a(message_id.bytes()));
        let domain = self
            .feedback
            .reported_domain
            .first()
            .map_or("", String::as_str);
        let mut head = String::new();
        fold_field(&mut head, "From", from);
        fold_field(&mut head, "To", to);
        fold_field(&mut head, "Date", &rfc5322_date(date));
        fold_field(&mut head, "Message-ID", message_id);
        let subject = format!("DMARC failure report for {domain}");
        fold_field(&mut head, "Subject", &subject);
        fold_field(&mut head, "MIME-Version", "1.0");
        let content_type =
            format!("multipart/report; report-type=feedback-report; boundary=\"{boundary}\"");
        fold_field(&mut head, "Content-Type", &content_type);
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        let mut text = String::new();
        let _ = write!(
            text,
            "--{boundary}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        );
        for line in self.text.lines() {
            text.push_str(line);
            text.push_str("\r\n");
        }
        let _ = write!(
            text,
            "\r\n--{boundary}\r\nContent-Type: message/feedback-report\r\n\r\n{}\r\n",
            self.feedback.to_fields()
        );
        out.extend_from_slice(text.as_bytes());
        if let Some(original) = &self.original {
            let kind = if self.headers_only {
                "text/rfc822-headers"
            } else {
                "message/rfc822"
            };
            let encoding = if original.is_ascii() { "7bit" } else { "8bit" };
            let part = format!(
                "--{boundary}\r\nContent-Type: {kind}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
            );
            out.extend_from_slice(part.as_bytes());
            out.extend_from_slice(&crlf(original));
            // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }
}

/// Bare LF and bare CR made CRLF.
fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    let mut previous = 0u8;
    for (index, &byte) in data.iter().enumerate() {
        match byte {
            b'\n' if previous != b'\r' => out.extend_from_slice(b"\r\n"),
            b'\r' if data.get(index + 1) != Some(&b'\n') => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        previous = byte;
    }
    out
}

/// An RFC 5322 date in UTC for Unix time `seconds` (the epoch when out of range).
pub(crate) fn rfc5322_date(seconds: i64) -> String {
    tegami_mime::date::DateTime::from_timestamp(seconds)
        .or_else(|| tegami_mime::date::DateTime::from_timestamp(0))
        .map(|date| date.to_rfc5322())
        .unwrap_or_default()
}

/// What the authentication of one message came to, for [`failure_report_due`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureFacts {
    /// Some DKIM signature passed in alignment with the From domain.
    pub dkim_aligned_pass: bool,
    /// SPF passed for a MAIL FROM domain aligned with the From domain.
    pub spf_aligned_pass: bool,
    /// Some DKIM signature failed to verify, aligned or not.
    pub dkim_failed: bool,
    /// SPF failed (any result other than pass), aligned or not.
    pub spf_failed: bool,
}

/// Which `fo=` options ask for a failure report about this message (RFC 9989 section 4.7);
/// empty when none does, or when the policy came from a Public Suffix Domain (`psd=y`), whose
/// operators get aggregate reports only (RFC 9990 section 8.3).
///
/// ```
/// use tegami_dmarc::record::{FailureOptions, PsdFlag};
/// use tegami_dmarc::report::failure::{FailureFacts, failure_report_due};
///
/// let spoof = FailureFacts { spf_failed: true, ..FailureFacts::default() };
/// assert_eq!(failure_report_due(FailureOptions::default(), PsdFlag::Unknown, spoof), vec!['0']);
/// let any = FailureOptions { any_fail: true, spf: true, ..FailureOptions::default() };
/// assert_eq!(failure_report_due(any, PsdFlag::Unknown, spoof), vec!['0', '1', 's']);
/// assert!(failure_report_due(any, PsdFlag::Yes, spoof).is_empty());
/// ```
pub fn failure_report_due(options: FailureOptions, psd: PsdFlag, facts: FailureFacts) -> Vec<char> {
    let mut due = Vec::new();
    if psd == PsdFlag::Yes {
        return due;
    }
    if options.all_fail && !facts.dkim_aligned_pass && !facts.spf_aligned_pass {
        due.push('0');
    }
    if options.any_fail && (!facts.dkim_aligned_pass || !facts.spf_aligned_pass) {
        due.push('1');
    }
    if options.dkim && facts.dkim_failed {
        due.push('d');
    }
    if options.spf && facts.spf_failed {
        due.push('s');
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_round_trips() {
        let value = "mx.example.com; dkim=fail (bodyhash) header.d=example.com header.s=s1 header.b=abcdef; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com";
        let mut out = String::new();
        fold_field(&mut out, "Authentication-Results", value);
        assert!(out.lines().all(|l| l.len() <= 78), "{out}");
        let block = HeaderBlock::parse(out.as_bytes());
        assert_eq!(unfold(block.fields()[0].value()), value);
    }

    #[test]
    fn dates() {
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_700_000_000),
            "Tue, 14 Nov 2023 22:13:20 +0000"
        );
    }
}
