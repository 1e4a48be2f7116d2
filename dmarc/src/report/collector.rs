//! Making aggregate reports: a sans-IO collector that counts per-message results over a
//! reporting period and emits one report per DMARC Policy Domain (RFC 9990 section 3.1), and
//! the report email (RFC 9990 section 5.2.1).
//!
//! The collector reads no clock: the caller opens it for a period (RFC 9990 asks for periods
//! on hour boundaries, usually a UTC day), adds each evaluated message, and calls
//! [`Collector::finish`] when the period is over ([`Collector::is_due`] says when). Messages
//! with the same source, evaluated policy, identifiers and authentication results share one
//! record and its count; each record's DKIM results are ordered as RFC 9990 prefers and
//! capped by the writer.
//!
//! ```
//! use tegami_dmarc::report::collector::{Collector, Observation, Reporter};
//! use tegami_dmarc::report::{AlignmentResult, Disposition, PolicyPublished, ReportForm};
//!
//! let reporter = Reporter::new("Receiver", "dmarc@receiver.example", "receiver.example");
//! let mut collector = Collector::new(reporter, 1_763_856_000, 1_763_942_399);
//! let policy = PolicyPublished { domain: "example.com".into(), ..PolicyPublished::default() };
//! for _ in 0..3 {
//!     let mut seen = Observation::new("192.0.2.1".parse()?, "example.com", policy.clone());
//!     seen.disposition = Disposition::Reject;
//!     seen.dkim_aligned = AlignmentResult::Fail;
//!     seen.spf_aligned = AlignmentResult::Fail;
//!     collector.add(seen);
//! }
//! assert!(collector.is_due(1_763_942_400));
//! let reports = collector.finish();
//! assert_eq!(reports.len(), 1);
//! assert_eq!(reports[0].records[0].row.count, 3);
//! let xml = reports[0].to_xml(ReportForm::Rfc9990);
//! let email = reports[0].to_email(&xml, "receiver.example", "dmarc@receiver.example",
//!     "dmarc@example.com", "<r1@receiver.example>", 1_763_942_500);
//! assert!(email.windows(17).any(|w| w == b"application/gzip;"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::io::Write as _;
use std::net::IpAddr;

use base64::Engine as _;

use super::aggregate::{
    AggregateReport, AlignmentResult, Disposition, DkimAuthResult, Identifiers, OverrideReason,
    PolicyEvaluated, PolicyPublished, ReportMetadata, ReportRecord, Row, SpfAuthResult,
};

/// Who reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    /// `org_name`.
    pub org_name: String,
    /// `email`: the contact address.
    pub email: String,
    /// The receiver's domain, for report IDs and file names.
    pub domain: String,
    /// `extra_contact_info`.
    pub extra_contact_info: Option<String>,
    /// `generator`; defaults to this crate's name and version.
    pub generator: Option<String>,
}

impl Reporter {
    /// A reporter with the required facts and the default generator.
    pub fn new(org_name: &str, email: &str, domain: &str) -> Reporter {
        Reporter {
            org_name: org_name.to_owned(),
            email: email.to_owned(),
            domain: domain.to_owned(),
            extra_contact_info: None,
            generator: Some(concat!("tegami-dmarc ", env!("CARGO_PKG_VERSION")).to_owned()),
        }
    }
}

/// One evaluated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The connecting IP address.
    pub source_ip: IpAddr,
    /// The RFC5322.From domain.
    pub header_from: String,
    /// The RFC5321.MailFrom domain (empty for a null path).
    pub envelope_from: Option<String>,
    /// The RFC5321.RcptTo domain.
    pub envelope_to: Option<String>,
    /// The policy record applied, as the report shows it; its `domain` is the Policy Domain
    /// the message is reported under.
    pub policy: PolicyPublished,
    /// What was done with the message.
    pub disposition: Disposition,
    /// The DKIM Identifier Alignment result.
    pub dkim_aligned: AlignmentResult,
    /// The SPF Identifier Alignment result.
    pub spf_aligned: AlignmentResult,
    /// Why the disposition differs from the policy, if it does.
    pub reasons: Vec<OverrideReason>,
    /// Every DKIM signature checked.
    pub dkim: Vec<DkimAuthResult>,
    /// The SPF result of the MAIL FROM identity.
    pub spf: Vec<SpfAuthResult>,
}

impl Observation {
    /// A message from `source_ip` with From domain `header_from` under `policy`; no
    /// authentication results yet, disposition `none`, both alignments failed.
    pub fn new(source_ip: IpAddr, header_from: &str, policy: PolicyPublished) -> Observation {
        Observation {
            source_ip,
            header_from: header_from.to_owned(),
            envelope_from: None,
            envelope_to: None,
            policy,
            disposition: Disposition::None,
            dkim_aligned: AlignmentResult::Fail,
            spf_aligned: AlignmentResult::Fail,
            reasons: Vec::new(),
            dkim: Vec::new(),
            spf: Vec::new(),
        }
    }
}

/// The records of one Policy Domain.
#[derive(Debug, Default)]
struct Bucket {
    policy: PolicyPublished,
    records: Vec<ReportRecord>,
    index: HashMap<ReportRecord, usize>,
}

/// Counts observations over one reporting period.
#[derive(Debug)]
pub struct Collector {
    reporter: Reporter,
    begin: u64,
    end: u64,
    buckets: Vec<Bucket>,
    by_domain: HashMap<String, usize>,
    errors: Vec<String>,
}

impl Collector {
    /// A collector for the period `begin..=end` (Unix seconds, UTC).
    pub fn new(reporter: Reporter, begin: u64, end: u64) -> Collector {
        Collector {
            reporter,
            begin,
            end,
            buckets: Vec::new(),
            by_domain: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// Whether the period is over at `now`.
    pub fn is_due(&self, now: u64) -> bool {
        now > self.end
    }

    /// Notes a problem with a policy record, for every report's `error` elements.
    pub fn note_error(&mut self, error: &str) {
        if !self.errors.iter().any(|e| e == error) {
            self.errors.push(error.to_owned());
        }
    }

    /// Counts one message.
    pub fn add(&mut self, observation: Observation) {
        let domain = observation.policy.domain.to_ascii_lowercase();
        let slot = match self.by_domain.get(&domain) {
            Some(slot) => *slot,
            None => {
                self.buckets.push(Bucket::default());
                let slot = self.buckets.len() - 1;
                self.by_domain.insert(domain, slot);
                slot
            }
        };
        let Some(bucket) = self.buckets.get_mut(slot) else {
            return;
        };
        // RFC 9990 section 3.1: with several configurations in a period, the final one.
        bucket.policy = observation.policy;
        let key = ReportRecord {
            row: Row {
                source_ip: Some(observation.source_ip),
                count: 0,
                policy_evaluated: PolicyEvaluated {
                    disposition: Some(observation.disposition),
                    dkim: Some(observation.dkim_aligned),
                    spf: Some(observation.spf_aligned),
                    reasons: observation.reasons,
                },
            },
            identifiers: Identifiers {
                header_from: observation.header_from.to_ascii_lowercase(),
                envelope_from: observation.envelope_from,
                envelope_to: observation.envelope_to,
            },
            auth_results: super::aggregate::AuthResults {
                dkim: observation.dkim,
                spf: observation.spf,
            },
            extensions: Vec::new(),
        };
        match bucket.index.get(&key) {
            Some(&at) => {
                if let Some(record) = bucket.records.get_mut(at) {
                    record.row.count = record.row.count.saturating_add(1);
                }
            }
            None => {
                let mut record = key.clone();
                record.row.count = 1;
                bucket.index.insert(key, bucket.records.len());
                bucket.records.push(record);
            }
        }
    }

    /// The reports, one per Policy Domain in the order first seen, each record's DKIM
    /// results ordered (strict alignment, then a shared parent domain, then other passes).
    pub fn finish(self) -> Vec<AggregateReport> {
        let mut reports = Vec::with_capacity(self.buckets.len());
        for bucket in self.buckets {
            let domain = bucket.policy.domain.clone();
            let mut records = bucket.records;
            for record in &mut records {
                record.order_dkim_results(same_parent);
            }
            reports.push(AggregateReport {
                version: Some("1.0".into()),
                metadata: ReportMetadata {
                    org_name: self.reporter.org_name.clone(),
                    email: self.reporter.email.clone(),
                    extra_contact_info: self.reporter.extra_contact_info.clone(),
                    report_id: format!(
                        "{}.{}.{}@{}",
                        self.begin, self.end, domain, self.reporter.domain
                    ),
                    begin: self.begin,
                    end: self.end,
                    errors: self.errors.clone(),
                    generator: self.reporter.generator.clone(),
                },
                policy: bucket.policy,
                extensions: Vec::new(),
                records,
            });
        }
        reports
    }
}

/// Whether two domains share their last two labels (an approximation of relaxed alignment
/// used only to order DKIM results; the evaluation itself decided alignment).
fn same_parent(a: &str, b: &str) -> bool {
    let tail = |d: &str| -> String {
        let labels: Vec<&str> = d.trim_end_matches('.').rsplit('.').take(2).collect();
        labels.join(".").to_ascii_lowercase()
    };
    tail(a) == tail(b)
}

impl AggregateReport {
    /// The attachment file name of RFC 9990 section 5.2.1:
    /// `receiver!policy-domain!begin!end.xml.gz`.
    pub fn file_name(&self, receiver: &str) -> String {
        format!(
            "{receiver}!{}!{}!{}.xml.gz",
            self.policy.domain, self.metadata.begin, self.metadata.end
        )
    }

    /// The report email of RFC 9990 section 5.2.1: `xml` (this report written in either form)
    /// gzipped as an `application/gzip` attachment named by [`AggregateReport::file_name`],
    /// a short text part, and the Subject `Report Domain: ... Submitter: ... Report-ID: <...>`.
    /// CRLF line ends, 7-bit, lines within 78 octets: ready to be DKIM-signed, which RFC 9990
    /// asks for (the report must pass DMARC).
    pub fn to_email(
        &self,
        xml: &str,
        receiver: &str,
        from: &str,
        to: &str,
        message_id: &str,
        date: i64,
    ) -> Vec<u8> {
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing into a Vec cannot fail.
        let _ = gzip.write_all(xml.as_bytes());
        let compressed = gzip.finish().unwrap_or_default();
        let encoded = base64::engine::general_purpose::STANDARD.encode(compressed);
        let boundary = format!("tegami-rua-{:016x}", super::fnv1a(message_id.bytes()));
        let mut out = String::new();
        let mut field = |name: &str, value: &str| super::failure::fold_field(&mut out, name, value);
        field("From", from);
        field("To", to);
        field("Date", &super::failure::rfc5322_date(date));
        field("Message-ID", message_id);
        let subject = format!(
            "Report Domain: {} Submitter: {receiver} Report-ID: <{}>",
            self.policy.domain, self.metadata.report_id
        );
        field("Subject", &subject);
        field("MIME-Version", "1.0");
        field(
            "Content-Type",
            &format!("multipart/mixed; boundary=\"{boundary}\""),
        );
        out.push_str("\r\n");
        let name = self.file_name(receiver);
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nDMARC aggregate report for {}\r\nfrom {receiver},\r\nperiod {} to {}.\r\n\r\n",
            self.policy.domain, self.metadata.begin, self.metadata.end
        ));
        out.push_str(&format!("--{boundary}\r\n"));
        super::failure::fold_field(
            &mut out,
            "Content-Type",
            &format!("application/gzip; name=\"{name}\""),
        );
        super::failure::fold_field(
            &mut out,
            "Content-Disposition",
            &format!("attachment; filename=\"{name}\""),
        );
        out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push_str("\r\n");
        }
        out.push_str(&format!("\r\n--{boundary}--\r\n"));
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::unpack::unpack;
    use crate::report::{ReportForm, parse_aggregate};

    #[test]
    fn one_report_per_policy_domain_and_the_email_round_trips() {
        let reporter = Reporter::new("Receiver", "dmarc@receiver.example", "receiver.example");
        let mut collector = Collector::new(reporter, 100, 199);
        let policy = |domain: &str| PolicyPublished {
            domain: domain.into(),
            p: Some(crate::Policy::Reject),
            ..PolicyPublished::default()
        };
        for (ip, domain, from) in [
            ("192.0.2.1", "example.com", "example.com"),
            ("192.0.2.1", "example.com", "news.example.com"),
            ("192.0.2.1", "example.com", "example.com"),
            ("192.0.2.2", "other.example", "other.example"),
        ] {
            let mut seen = Observation::new(ip.parse().unwrap(), from, policy(domain));
            seen.dkim.push(DkimAuthResult {
                domain: "esp.example".into(),
                selector: Some("s".into()),
                result: Some(tegami_dkim::DkimResult::Pass),
                human_result: None,
            });
            seen.dkim.push(DkimAuthResult {
                domain: from.into(),
                selector: Some("s".into()),
                result: Some(tegami_dkim::DkimResult::Pass),
                human_result: None,
            });
            collector.add(seen);
        }
        assert!(!collector.is_due(199) && collector.is_due(200));
        let reports = collector.finish();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].records.len(), 2);
        assert_eq!(reports[0].records[0].row.count, 2);
        // The aligned signature first.
        assert_eq!(
            reports[0].records[0].auth_results.dkim[0].domain,
            "example.com"
        );
        assert_eq!(
            reports[0].file_name("receiver.example"),
            "receiver.example!example.com!100!199.xml.gz"
        );
        let xml = reports[0].to_xml(ReportForm::Rfc9990);
        let email = reports[0].to_email(
            &xml,
            "receiver.example",
            "dmarc@receiver.example",
            "d@example.com",
            "<1@receiver.example>",
            200,
        );
        for line in email.split(|b| *b == b'\n') {
            assert!(line.len() <= 79, "{}", String::from_utf8_lossy(line));
        }
        assert!(email.is_ascii());
        let files = unpack(&email).unwrap();
        assert_eq!(
            files[0].name.as_deref(),
            Some("receiver.example!example.com!100!199.xml.gz")
        );
        assert_eq!(parse_aggregate(&files[0].xml).unwrap().report, reports[0]);
    }
}
