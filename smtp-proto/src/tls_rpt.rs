//! SMTP TLS Reporting, [RFC 8460](https://www.rfc-editor.org/rfc/rfc8460): the `_smtp._tls`
//! TXT record, and the JSON aggregate report a sending MTA writes ([`Report::to_json`]) and a
//! receiving domain reads ([`Report::from_json`], after gunzipping `application/tlsrpt+gzip`).
//!
//! ```
//! use tegami_smtp_proto::tls_rpt::{FailureDetail, PolicyReport, PolicyType, Report, ResultType, TlsRptRecord};
//!
//! let record = TlsRptRecord::parse(b"v=TLSRPTv1; rua=mailto:reports@example.com,https://r.example.com/v1")?;
//! assert_eq!(record.rua.len(), 2);
//!
//! let report = Report {
//!     organization_name: "Sender Inc.".into(),
//!     start_datetime: "2026-11-22T00:00:00Z".into(),
//!     end_datetime: "2026-11-22T23:59:59Z".into(),
//!     contact_info: "tls-reports@sender.example".into(),
//!     report_id: "2026-11-22T00:00:00Z_example.com".into(),
//!     policies: vec![PolicyReport {
//!         policy_type: PolicyType::Sts,
//!         policy_string: vec!["version: STSv1".into(), "mode: enforce".into()],
//!         policy_domain: "example.com".into(),
//!         mx_host: vec!["*.example.com".into()],
//!         successful_sessions: 100,
//!         failed_sessions: 1,
//!         failure_details: vec![FailureDetail::new(ResultType::CertificateExpired, 1)],
//!     }],
//! };
//! let json = report.to_json();
//! assert!(json.contains("\"result-type\":\"certificate-expired\""));
//! assert_eq!(Report::from_json(json.as_bytes())?, report);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// The `_smtp._tls.<domain>` TXT record, RFC 8460 §3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRptRecord {
    /// Where to send reports: `mailto:` and `https:` URIs, in order.
    pub rua: Vec<String>,
    /// Extension fields, name and value.
    pub extensions: Vec<(String, String)>,
}

/// Why a TLS-RPT record is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsRptError {
    /// The record does not start with `v=TLSRPTv1`.
    #[error("not a TLS-RPT record")]
    NotTlsRptRecord,
    /// A field breaks the grammar.
    #[error("malformed field {0:?}")]
    MalformedField(String),
    /// No `rua`, or a URI that is neither `mailto:` nor `https:`.
    #[error("missing or invalid rua")]
    InvalidRua,
}

/// Why a JSON document is not a TLS report (RFC 8460 §4.4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Not JSON, or not a JSON object at the top.
    #[error("not a JSON object: {0}")]
    Json(String),
    /// A required member is missing (its path is named).
    #[error("missing {0}")]
    Missing(&'static str),
    /// A member has the wrong type or a value outside the RFC's (its path is named).
    #[error("invalid {0}")]
    Invalid(&'static str),
}

/// A report, RFC 8460 §4.4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `organization-name`.
    pub organization_name: String,
    /// `date-range.start-datetime`, RFC 3339.
    pub start_datetime: String,
    /// `date-range.end-datetime`, RFC 3339.
    pub end_datetime: String,
    /// `contact-info`.
    pub contact_info: String,
    /// `report-id`.
    pub report_id: String,
    /// `policies`.
    pub policies: Vec<PolicyReport>,
}

/// One entry of `policies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyReport {
    /// `policy.policy-type`.
    pub policy_type: PolicyType,
    /// `policy.policy-string`: the policy as fetched, one string per line (or TLSA record).
    pub policy_string: Vec<String>,
    /// `policy.policy-domain`.
    pub policy_domain: String,
    /// `policy.mx-host`: the MX patterns of an MTA-STS policy.
    pub mx_host: Vec<String>,
    /// `summary.total-successful-session-count`.
    pub successful_sessions: u64,
    /// `summary.total-failure-session-count`.
    pub failed_sessions: u64,
    /// `failure-details`.
    pub failure_details: Vec<FailureDetail>,
}

/// `policy-type` values, RFC 8460 §4.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// DANE (`tlsa`).
    Tlsa,
    /// MTA-STS (`sts`).
    Sts,
    /// Neither (`no-policy-found`).
    NoPolicyFound,
}

/// One entry of `failure-details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureDetail {
    /// `result-type`.
    pub result_type: ResultType,
    /// `sending-mta-ip`.
    pub sending_mta_ip: Option<String>,
    /// `receiving-mx-hostname`.
    pub receiving_mx_hostname: Option<String>,
    /// `receiving-mx-helo`.
    pub receiving_mx_helo: Option<String>,
    /// `receiving-ip`.
    pub receiving_ip: Option<String>,
    /// `failed-session-count`.
    pub failed_session_count: u64,
    /// `additional-information`: a URI.
    pub additional_information: Option<String>,
    /// `failure-reason-code`.
    pub failure_reason_code: Option<String>,
}

/// `result-type` values, RFC 8460 §4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResultType {
    /// `starttls-not-supported`.
    StartTlsNotSupported,
    /// `certificate-host-mismatch`.
    CertificateHostMismatch,
    /// `certificate-expired`.
    CertificateExpired,
    /// `certificate-not-trusted`.
    CertificateNotTrusted,
    /// `validation-failure`.
    ValidationFailure,
    /// `tlsa-invalid`.
    TlsaInvalid,
    /// `dnssec-invalid`.
    DnssecInvalid,
    /// `dane-required`.
    DaneRequired,
    /// `sts-policy-fetch-error`.
    StsPolicyFetchError,
    /// `sts-policy-invalid`.
    StsPolicyInvalid,
    /// `sts-webpki-invalid`.
    StsWebpkiInvalid,
}

impl TlsRptRecord {
    /// Parses one TXT record (its strings joined).
    ///
    /// ```text
    /// tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
    /// tlsrpt-version = %s"v=TLSRPTv1"
    /// field-delim    = *WSP ";" *WSP
    /// tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
    /// ```
    ///
    /// # Errors
    ///
    /// [`TlsRptError`] when the text is not a valid TLS-RPT record.
    pub fn parse(text: &[u8]) -> Result<TlsRptRecord, TlsRptError> {
        let text = core::str::from_utf8(text).map_err(|_| TlsRptError::NotTlsRptRecord)?;
        let mut fields = text.split(';').map(|field| field.trim_matches([' ', '\t']));
        if fields.next() != Some("v=TLSRPTv1") {
            return Err(TlsRptError::NotTlsRptRecord);
        }
        let mut rua = None;
        let mut extensions = Vec::new();
        let mut fields: Vec<&str> = fields.collect();
        if fields.last() == Some(&"") {
            fields.pop();
        }
        for field in fields {
            let (name, value) = field
                .split_once('=')
                .ok_or_else(|| TlsRptError::MalformedField(field.into()))?;
            if name == "rua" {
                let uris: Vec<String> = value
                    .split(',')
                    .map(|uri| uri.trim_matches([' ', '\t']).into())
                    .collect();
                let valid = uris.iter().all(|uri: &String| {
                    let lower = uri.to_ascii_lowercase();
                    (lower.starts_with("mailto:") && uri.len() > 7 && uri.contains('@'))
                        || (lower.starts_with("https://") && uri.len() > 8)
                });
                if !valid || rua.is_some() {
                    return Err(TlsRptError::InvalidRua);
                }
                rua = Some(uris);
            } else if name.is_empty() || value.is_empty() {
                return Err(TlsRptError::MalformedField(field.into()));
            } else {
                extensions.push((name.into(), value.into()));
            }
        }
        Ok(TlsRptRecord {
            rua: rua.ok_or(TlsRptError::InvalidRua)?,
            extensions,
        })
    }
}

impl Report {
    /// The report as RFC 8460 §4.4 JSON (compact; gzip and mail it, or POST it, as §5 says).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(512);
        out.push('{');
        field(&mut out, "organization-name", &self.organization_name);
        out.push_str(",\"date-range\":{");
        field(&mut out, "start-datetime", &self.start_datetime);
        out.push(',');
        field(&mut out, "end-datetime", &self.end_datetime);
        out.push_str("},");
        field(&mut out, "contact-info", &self.contact_info);
        out.push(',');
        field(&mut out, "report-id", &self.report_id);
        out.push_str(",\"policies\":[");
        for (index, policy) in self.policies.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            policy.write_json(&mut out);
        }
        out.push_str("]}");
        out
    }
}

impl PolicyReport {
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"policy\":{");
        field(out, "policy-type", self.policy_type.as_str());
        out.push(',');
        list(out, "policy-string", &self.policy_string);
        out.push(',');
        field(out, "policy-domain", &self.policy_domain);
        if !self.mx_host.is_empty() {
            out.push(',');
            list(out, "mx-host", &self.mx_host);
        }
        let _ = write!(
            out,
            "}},\"summary\":{{\"total-successful-session-count\":{},\"total-failure-session-count\":{}}}",
            self.successful_sessions, self.failed_sessions
        );
        if !self.failure_details.is_empty() {
            out.push_str(",\"failure-details\":[");
            for (index, detail) in self.failure_details.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                detail.write_json(out);
            }
            out.push(']');
        }
        out.push('}');
    }
}

impl FailureDetail {
    /// A detail with the result type and count only.
    pub fn new(result_type: ResultType, failed_session_count: u64) -> FailureDetail {
        FailureDetail {
            result_type,
            sending_mta_ip: None,
            receiving_mx_hostname: None,
            receiving_mx_helo: None,
            receiving_ip: None,
            failed_session_count,
            additional_information: None,
            failure_reason_code: None,
        }
    }

    fn write_json(&self, out: &mut String) {
        out.push('{');
        field(out, "result-type", self.result_type.as_str());
        for (name, value) in [
            ("sending-mta-ip", &self.sending_mta_ip),
            ("receiving-mx-hostname", &self.receiving_mx_hostname),
            ("receiving-mx-helo", &self.receiving_mx_helo),
            ("receiving-ip", &self.receiving_ip),
            ("additional-information", &self.additional_information),
            ("failure-reason-code", &self.failure_reason_code),
        ] {
            if let Some(value) = value {
                out.push(',');
                field(out, name, value);
            }
        }
        let _ = write!(
            out,
            ",\"failed-session-count\":{}}}",
            self.failed_session_count
        );
    }
}

impl Report {
    /// Reads a report (RFC 8460 §4.4). Members the RFC requires must be there, with their
    /// types; `contact-info` may be missing (several reporters leave it out) and reads as
    /// empty; unknown members are ignored, as §4.4 lets a reader do. Gzip is the caller's:
    /// the report is read from the decompressed bytes.
    ///
    /// # Errors
    ///
    /// [`ReportError`] naming the first member that is missing or invalid.
    pub fn from_json(json: &[u8]) -> Result<Report, ReportError> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|error| ReportError::Json(error.to_string()))?;
        let object = value
            .as_object()
            .ok_or_else(|| ReportError::Json("the top is not an object".into()))?;
        let range = object
            .get("date-range")
            .ok_or(ReportError::Missing("date-range"))?;
        let policies = object
            .get("policies")
            .ok_or(ReportError::Missing("policies"))?
            .as_array()
            .ok_or(ReportError::Invalid("policies"))?
            .iter()
            .map(PolicyReport::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Report {
            organization_name: text(object.get("organization-name"), "organization-name")?,
            start_datetime: text(range.get("start-datetime"), "date-range.start-datetime")?,
            end_datetime: text(range.get("end-datetime"), "date-range.end-datetime")?,
            contact_info: match object.get("contact-info") {
                None | Some(serde_json::Value::Null) => String::new(),
                value => text(value, "contact-info")?,
            },
            report_id: text(object.get("report-id"), "report-id")?,
            policies,
        })
    }
}

impl PolicyReport {
    fn from_json(value: &serde_json::Value) -> Result<PolicyReport, ReportError> {
        let policy = value.get("policy").ok_or(ReportError::Missing("policy"))?;
        let summary = value
            .get("summary")
            .ok_or(ReportError::Missing("summary"))?;
        let policy_type = match text(policy.get("policy-type"), "policy.policy-type")?.as_str() {
            "tlsa" => PolicyType::Tlsa,
            "sts" => PolicyType::Sts,
            "no-policy-found" => PolicyType::NoPolicyFound,
            _ => return Err(ReportError::Invalid("policy.policy-type")),
        };
        let failure_details = match value.get("failure-details") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(details) => details
                .as_array()
                .ok_or(ReportError::Invalid("failure-details"))?
                .iter()
                .map(FailureDetail::from_json)
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(PolicyReport {
            policy_type,
            policy_string: texts(policy.get("policy-string"), "policy.policy-string")?,
            policy_domain: text(policy.get("policy-domain"), "policy.policy-domain")?,
            mx_host: texts(policy.get("mx-host"), "policy.mx-host")?,
            successful_sessions: count(
                summary.get("total-successful-session-count"),
                "summary.total-successful-session-count",
            )?,
            failed_sessions: count(
                summary.get("total-failure-session-count"),
                "summary.total-failure-session-count",
            )?,
            failure_details,
        })
    }
}

impl FailureDetail {
    fn from_json(value: &serde_json::Value) -> Result<FailureDetail, ReportError> {
        let word = text(value.get("result-type"), "failure-details.result-type")?;
        let result_type = ResultType::from_word(&word)
            .ok_or(ReportError::Invalid("failure-details.result-type"))?;
        let optional = |name: &'static str| match value.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(ReportError::Invalid(name)),
        };
        Ok(FailureDetail {
            result_type,
            sending_mta_ip: optional("sending-mta-ip")?,
            receiving_mx_hostname: optional("receiving-mx-hostname")?,
            receiving_mx_helo: optional("receiving-mx-helo")?,
            receiving_ip: optional("receiving-ip")?,
            failed_session_count: count(
                value.get("failed-session-count"),
                "failure-details.failed-session-count",
            )?,
            additional_information: optional("additional-information")?,
            failure_reason_code: optional("failure-reason-code")?,
        })
    }
}

/// A required string member.
fn text(value: Option<&serde_json::Value>, path: &'static str) -> Result<String, ReportError> {
    match value {
        None => Err(ReportError::Missing(path)),
        Some(serde_json::Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(ReportError::Invalid(path)),
    }
}

/// An optional array of strings (absent is empty).
fn texts(
    value: Option<&serde_json::Value>,
    path: &'static str,
) -> Result<Vec<String>, ReportError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(String::from)
                    .ok_or(ReportError::Invalid(path))
            })
            .collect(),
        Some(_) => Err(ReportError::Invalid(path)),
    }
}

/// A required non-negative integer.
fn count(value: Option<&serde_json::Value>, path: &'static str) -> Result<u64, ReportError> {
    value
        .ok_or(ReportError::Missing(path))?
        .as_u64()
        .ok_or(ReportError::Invalid(path))
}

impl PolicyType {
    /// The JSON word.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Tlsa => "tlsa",
            PolicyType::Sts => "sts",
            PolicyType::NoPolicyFound => "no-policy-found",
        }
    }
}

impl ResultType {
    /// Every result type of RFC 8460 §4.3.
    pub const ALL: [ResultType; 11] = [
        ResultType::StartTlsNotSupported,
        ResultType::CertificateHostMismatch,
        ResultType::CertificateExpired,
        ResultType::CertificateNotTrusted,
        ResultType::ValidationFailure,
        ResultType::TlsaInvalid,
        ResultType::DnssecInvalid,
        ResultType::DaneRequired,
        ResultType::StsPolicyFetchError,
        ResultType::StsPolicyInvalid,
        ResultType::StsWebpkiInvalid,
    ];

    /// The result type of a JSON word.
    pub fn from_word(word: &str) -> Option<ResultType> {
        ResultType::ALL.into_iter().find(|r| r.as_str() == word)
    }

    /// The JSON word.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::StartTlsNotSupported => "starttls-not-supported",
            ResultType::CertificateHostMismatch => "certificate-host-mismatch",
            ResultType::CertificateExpired => "certificate-expired",
            ResultType::CertificateNotTrusted => "certificate-not-trusted",
            ResultType::ValidationFailure => "validation-failure",
            ResultType::TlsaInvalid => "tlsa-invalid",
            ResultType::DnssecInvalid => "dnssec-invalid",
            ResultType::DaneRequired => "dane-required",
            ResultType::StsPolicyFetchError => "sts-policy-fetch-error",
            ResultType::StsPolicyInvalid => "sts-policy-invalid",
            ResultType::StsWebpkiInvalid => "sts-webpki-invalid",
        }
    }
}

fn field(out: &mut String, name: &str, value: &str) {
    string(out, name);
    out.push(':');
    string(out, value);
}

fn list(out: &mut String, name: &str, values: &[String]) {
    string(out, name);
    out.push_str(":[");
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        string(out, value);
    }
    out.push(']');
}

/// A JSON string with the escapes of RFC 8259 §7.
fn string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8460_record_examples() {
        let record = TlsRptRecord::parse(b"v=TLSRPTv1;rua=mailto:reports@example.com").unwrap();
        assert_eq!(record.rua, ["mailto:reports@example.com"]);
        let record =
            TlsRptRecord::parse(b"v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt")
                .unwrap();
        assert_eq!(record.rua, ["https://reporting.example.com/v1/tlsrpt"]);
        assert_eq!(
            TlsRptRecord::parse(b"v=TLSRPTv1;"),
            Err(TlsRptError::InvalidRua)
        );
        assert_eq!(
            TlsRptRecord::parse(b"v=TLSRPTv1; rua=http://x.example/"),
            Err(TlsRptError::InvalidRua)
        );
        assert_eq!(
            TlsRptRecord::parse(b"v=TLSRPTv2; rua=mailto:a@b"),
            Err(TlsRptError::NotTlsRptRecord)
        );
    }

    /// The report of RFC 8460 §4.8 (its example, with the long URI on one line).
    const RFC8460_EXAMPLE: &str = r#"{
      "organization-name": "Company-X",
      "date-range": {
        "start-datetime": "2016-04-01T00:00:00Z",
        "end-datetime": "2016-04-01T23:59:59Z"
      },
      "contact-info": "sts-reporting@company-x.example",
      "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
      "policies": [{
        "policy": {
          "policy-type": "sts",
          "policy-string": ["version: STSv1","mode: testing",
                "mx: *.mail.company-y.example","max_age: 86400"],
          "policy-domain": "company-y.example",
          "mx-host": ["*.mail.company-y.example"]
        },
        "summary": {
          "total-successful-session-count": 5326,
          "total-failure-session-count": 303
        },
        "failure-details": [{
          "result-type": "certificate-expired",
          "sending-mta-ip": "2001:db8:abcd:0012::1",
          "receiving-mx-hostname": "mx1.mail.company-y.example",
          "failed-session-count": 100
        }, {
          "result-type": "starttls-not-supported",
          "sending-mta-ip": "2001:db8:abcd:0013::1",
          "receiving-mx-hostname": "mx2.mail.company-y.example",
          "receiving-ip": "203.0.113.56",
          "failed-session-count": 200,
          "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
        }, {
          "result-type": "validation-failure",
          "sending-mta-ip": "198.51.100.62",
          "receiving-ip": "203.0.113.58",
          "receiving-mx-hostname": "mx-backup.mail.company-y.example",
          "failed-session-count": 3,
          "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
        }]
      }]
    }"#;

    #[test]
    fn rfc8460_example_report_reads() {
        let report = Report::from_json(RFC8460_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(report.organization_name, "Company-X");
        assert_eq!(report.end_datetime, "2016-04-01T23:59:59Z");
        let policy = &report.policies[0];
        assert_eq!(policy.policy_type, PolicyType::Sts);
        assert_eq!(policy.policy_string.len(), 4);
        assert_eq!(policy.mx_host, ["*.mail.company-y.example"]);
        assert_eq!(
            (policy.successful_sessions, policy.failed_sessions),
            (5326, 303)
        );
        let details = &policy.failure_details;
        assert_eq!(details.len(), 3);
        assert_eq!(details[1].result_type, ResultType::StartTlsNotSupported);
        assert_eq!(details[1].receiving_ip.as_deref(), Some("203.0.113.56"));
        assert_eq!(
            details[2].failure_reason_code.as_deref(),
            Some("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED")
        );
        assert_eq!(
            details.iter().map(|d| d.failed_session_count).sum::<u64>(),
            303
        );
        // What we write reads back the same.
        assert_eq!(
            Report::from_json(report.to_json().as_bytes()).unwrap(),
            report
        );
    }

    #[test]
    fn broken_reports_name_what_is_wrong() {
        let example = RFC8460_EXAMPLE;
        for (json, error) in [
            (String::from("[]"), None),
            (String::from("{"), None),
            (
                example.replace("\"policies\"", "\"policys\""),
                Some(ReportError::Missing("policies")),
            ),
            (
                example.replace("\"report-id\"", "\"report\""),
                Some(ReportError::Missing("report-id")),
            ),
            (
                example.replace("5326", "-1"),
                Some(ReportError::Invalid(
                    "summary.total-successful-session-count",
                )),
            ),
            (
                example.replace("\"certificate-expired\"", "\"certificate-lost\""),
                Some(ReportError::Invalid("failure-details.result-type")),
            ),
            (
                example.replace("\"sts\"", "\"dane\""),
                Some(ReportError::Invalid("policy.policy-type")),
            ),
            (
                example.replace("\"203.0.113.56\"", "56"),
                Some(ReportError::Invalid("receiving-ip")),
            ),
        ] {
            let found = Report::from_json(json.as_bytes());
            match error {
                Some(error) => assert_eq!(found, Err(error)),
                None => assert!(matches!(found, Err(ReportError::Json(_))), "{found:?}"),
            }
        }
        // contact-info is often missing in the wild: empty, not an error.
        let without = example.replace("\"contact-info\": \"sts-reporting@company-x.example\",", "");
        assert_eq!(
            Report::from_json(without.as_bytes()).unwrap().contact_info,
            ""
        );
    }

    proptest::proptest! {
        #[test]
        fn written_reports_read_back(
            name in ".{0,20}",
            domain in "[a-z.]{1,20}",
            lines in proptest::collection::vec(".{0,30}", 0..4),
            counts in proptest::collection::vec(0u64..u64::MAX, 1..4),
            type_index in 0usize..11,
            ip in proptest::option::of("[0-9a-f:.]{1,20}"),
        ) {
            let details = counts
                .iter()
                .map(|&count| {
                    let mut detail = FailureDetail::new(ResultType::ALL[type_index], count);
                    detail.sending_mta_ip = ip.clone();
                    detail
                })
                .collect();
            let report = Report {
                organization_name: name.clone(),
                start_datetime: "2026-11-22T00:00:00Z".into(),
                end_datetime: "2026-11-22T23:59:59Z".into(),
                contact_info: name,
                report_id: domain.clone(),
                policies: alloc::vec![PolicyReport {
                    policy_type: PolicyType::Tlsa,
                    policy_string: lines,
                    policy_domain: domain,
                    mx_host: alloc::vec![],
                    successful_sessions: counts[0],
                    failed_sessions: counts[counts.len() - 1],
                    failure_details: details,
                }],
            };
            proptest::prop_assert_eq!(Report::from_json(report.to_json().as_bytes()).unwrap(), report);
        }
    }

    #[test]
    fn json_escapes_and_shape() {
        let mut detail = FailureDetail::new(ResultType::StsPolicyInvalid, 3);
        detail.receiving_mx_hostname = Some("mx\"1\".example".into());
        let report = Report {
            organization_name: "A\nB".into(),
            start_datetime: "2026-01-01T00:00:00Z".into(),
            end_datetime: "2026-01-01T23:59:59Z".into(),
            contact_info: "c@a.example".into(),
            report_id: "r1".into(),
            policies: alloc::vec![PolicyReport {
                policy_type: PolicyType::NoPolicyFound,
                policy_string: alloc::vec![],
                policy_domain: "b.example".into(),
                mx_host: alloc::vec![],
                successful_sessions: 0,
                failed_sessions: 3,
                failure_details: alloc::vec![detail],
            }],
        };
        assert_eq!(
            report.to_json(),
            "{\"organization-name\":\"A\\nB\",\"date-range\":{\"start-datetime\":\"2026-01-01T00:00:00Z\",\
             \"end-datetime\":\"2026-01-01T23:59:59Z\"},\"contact-info\":\"c@a.example\",\"report-id\":\"r1\",\
             \"policies\":[{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-string\":[],\
             \"policy-domain\":\"b.example\"},\"summary\":{\"total-successful-session-count\":0,\
             \"total-failure-session-count\":3},\"failure-details\":[{\"result-type\":\"sts-policy-invalid\",\
             \"receiving-mx-hostname\":\"mx\\\"1\\\".example\",\"failed-session-count\":3}]}]}"
        );
    }
}
