//! SMTP TLS Reporting, [RFC 8460](https://www.rfc-editor.org/rfc/rfc8460): the `_smtp._tls`
//! TXT record and the JSON aggregate report a sending MTA writes.
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
//! assert!(report.to_json().contains("\"result-type\":\"certificate-expired\""));
//! # Ok::<(), tegami_smtp_proto::tls_rpt::TlsRptError>(())
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
