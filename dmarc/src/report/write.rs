//! Writing aggregate reports as XML, in RFC 9990's form or the RFC 7489 form.
//!
//! The RFC 9990 form declares the `urn:ietf:params:xml:ns:dmarc-2.0` namespace and writes the
//! elements in the order of RFC 9990 section 3.1.1 (`version`, `report_metadata` with
//! `generator`, `policy_published` with `discovery_method`, `np` and `testing`, the
//! report-level `extension`, the records with their extension elements). The RFC 7489 form has
//! no namespace, and follows the `rua-schema.xsd` of RFC 7489 Appendix C as maintained with
//! the RFC 9989 tags (`np`, `t`, `psd`, `discovery_method`): no `version`, `generator`,
//! `human_result` for SPF or extensions; `pass` dispositions are written `none` and the
//! `forwarded`/`sampled_out` override types `other`, the words that schema has.
//!
//! Both forms write at most [`MAX_DKIM_RESULTS`] DKIM results per record, in the order the
//! model holds them (see [`ReportRecord::order_dkim_results`]). Required values a broken
//! report left empty are written with the schema's neutral word (`none`, `fail`), and
//! characters XML 1.0 cannot carry become U+FFFD.

use std::fmt::Write as _;

use super::ReportForm;
use super::aggregate::{
    AggregateReport, AlignmentResult, DiscoveryMethod, Disposition, Extension, MAX_DKIM_RESULTS,
    NAMESPACE, OverrideType, ReportRecord, SpfScope, alignment_word, psd_word,
};
use crate::record::Policy;

impl AggregateReport {
    /// The report as an XML document in the given form.
    ///
    /// ```
    /// use tegami_dmarc::report::{AggregateReport, ReportForm, parse_aggregate};
    ///
    /// let mut report = AggregateReport::default();
    /// report.version = Some("1.0".into());
    /// report.metadata.org_name = "Receiver".into();
    /// report.policy.domain = "example.com".into();
    /// let xml = report.to_xml(ReportForm::Rfc9990);
    /// assert!(xml.contains(r#"<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">"#));
    /// assert_eq!(parse_aggregate(xml.as_bytes())?.report, report);
    /// # Ok::<(), tegami_dmarc::report::ReadError>(())
    /// ```
    pub fn to_xml(&self, form: ReportForm) -> String {
        let mut out = String::with_capacity(512 + self.records.len() * 640);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let modern = form == ReportForm::Rfc9990;
        if modern {
            let _ = writeln!(out, "<feedback xmlns=\"{NAMESPACE}\">");
            if let Some(version) = &self.version {
                element(&mut out, 1, "version", version);
            }
        } else {
            out.push_str("<feedback>\n");
        }
        self.write_metadata(&mut out, modern);
        self.write_policy(&mut out, modern);
        if modern && !self.extensions.is_empty() {
            out.push_str("  <extension>\n");
            for extension in &self.extensions {
                write_extension(&mut out, 2, extension);
            }
            out.push_str("  </extension>\n");
        }
        for record in &self.records {
            write_record(&mut out, record, modern);
        }
        out.push_str("</feedback>\n");
        out
    }

    fn write_metadata(&self, out: &mut String, modern: bool) {
        let metadata = &self.metadata;
        out.push_str("  <report_metadata>\n");
        element(out, 2, "org_name", &metadata.org_name);
        element(out, 2, "email", &metadata.email);
        optional(
            out,
            2,
            "extra_contact_info",
            metadata.extra_contact_info.as_deref(),
        );
        element(out, 2, "report_id", &metadata.report_id);
        out.push_str("    <date_range>\n");
        element(out, 3, "begin", &metadata.begin.to_string());
        element(out, 3, "end", &metadata.end.to_string());
        out.push_str("    </date_range>\n");
        for error in &metadata.errors {
            element(out, 2, "error", error);
        }
        if modern {
            optional(out, 2, "generator", metadata.generator.as_deref());
        }
        out.push_str("  </report_metadata>\n");
    }

    fn write_policy(&self, out: &mut String, modern: bool) {
        let policy = &self.policy;
        out.push_str("  <policy_published>\n");
        element(out, 2, "domain", &policy.domain);
        let word = |p: Option<Policy>| p.map(Policy::as_str);
        let method = policy.discovery_method.map(DiscoveryMethod::as_str);
        let (adkim, aspf) = (
            policy.adkim.map(alignment_word),
            policy.aspf.map(alignment_word),
        );
        let testing = policy.testing.map(yes_no);
        let fields: [(&str, Option<&str>); 9] = if modern {
            [
                ("discovery_method", method),
                ("p", word(policy.p)),
                ("sp", word(policy.sp)),
                ("np", word(policy.np)),
                ("fo", policy.fo.as_deref()),
                ("adkim", adkim),
                ("aspf", aspf),
                ("testing", testing),
                ("psd", None),
            ]
        } else {
            [
                ("adkim", adkim),
                ("aspf", aspf),
                ("p", word(policy.p)),
                ("sp", word(policy.sp)),
                ("np", word(policy.np)),
                ("t", testing),
                ("psd", policy.psd.map(psd_word)),
                ("fo", policy.fo.as_deref()),
                ("discovery_method", method),
            ]
        };
        for (name, value) in fields {
            optional(out, 2, name, value);
        }
        out.push_str("  </policy_published>\n");
    }
}

fn yes_no(testing: bool) -> &'static str {
    if testing { "y" } else { "n" }
}

fn write_record(out: &mut String, record: &ReportRecord, modern: bool) {
    out.push_str("  <record>\n    <row>\n");
    let row = &record.row;
    let ip = row.source_ip.map(|ip| ip.to_string()).unwrap_or_default();
    element(out, 3, "source_ip", &ip);
    element(out, 3, "count", &row.count.to_string());
    out.push_str("      <policy_evaluated>\n");
    let evaluated = &row.policy_evaluated;
    let disposition = match evaluated.disposition {
        Some(Disposition::Pass) if !modern => Disposition::None,
        Some(disposition) => disposition,
        None => Disposition::None,
    };
    element(out, 4, "disposition", disposition.as_str());
    let aligned =
        |result: Option<AlignmentResult>| result.unwrap_or(AlignmentResult::Fail).as_str();
    element(out, 4, "dkim", aligned(evaluated.dkim));
    element(out, 4, "spf", aligned(evaluated.spf));
    for reason in &evaluated.reasons {
        let kind = match reason.kind {
            Some(OverrideType::Forwarded | OverrideType::SampledOut) if !modern => {
                OverrideType::Other
            }
            Some(kind) => kind,
            None => OverrideType::Other,
        };
        out.push_str("        <reason>\n");
        element(out, 5, "type", kind.as_str());
        optional(out, 5, "comment", reason.comment.as_deref());
        out.push_str("        </reason>\n");
    }
    out.push_str("      </policy_evaluated>\n    </row>\n    <identifiers>\n");
    let identifiers = &record.identifiers;
    if modern {
        element(out, 3, "header_from", &identifiers.header_from);
        optional(
            out,
            3,
            "envelope_from",
            identifiers.envelope_from.as_deref(),
        );
        optional(out, 3, "envelope_to", identifiers.envelope_to.as_deref());
    } else {
        optional(out, 3, "envelope_to", identifiers.envelope_to.as_deref());
        element(
            out,
            3,
            "envelope_from",
            identifiers.envelope_from.as_deref().unwrap_or(""),
        );
        element(out, 3, "header_from", &identifiers.header_from);
    }
    out.push_str("    </identifiers>\n    <auth_results>\n");
    for dkim in record.auth_results.dkim.iter().take(MAX_DKIM_RESULTS) {
        out.push_str("      <dkim>\n");
        element(out, 4, "domain", &dkim.domain);
        element(out, 4, "selector", dkim.selector.as_deref().unwrap_or(""));
        let result = dkim.result.map_or("none", |r| r.as_str());
        element(out, 4, "result", result);
        optional(out, 4, "human_result", dkim.human_result.as_deref());
        out.push_str("      </dkim>\n");
    }
    for spf in &record.auth_results.spf {
        out.push_str("      <spf>\n");
        element(out, 4, "domain", &spf.domain);
        if modern {
            optional(out, 4, "scope", spf.scope.map(SpfScope::as_str));
        } else {
            element(
                out,
                4,
                "scope",
                spf.scope.unwrap_or(SpfScope::MailFrom).as_str(),
            );
        }
        element(out, 4, "result", spf.result.map_or("none", |r| r.as_str()));
        if modern {
            optional(out, 4, "human_result", spf.human_result.as_deref());
        }
        out.push_str("      </spf>\n");
    }
    if record.auth_results.spf.is_empty() && !modern {
        // RFC 7489's schema requires one SPF result; a record without one had no SPF check
        // of the MAIL FROM domain that counted, which RFC 8601 calls `none`.
        out.push_str("      <spf>\n");
        let domain = identifiers.envelope_from.as_deref().unwrap_or("");
        element(out, 4, "domain", domain);
        element(out, 4, "scope", "mfrom");
        element(out, 4, "result", "none");
        out.push_str("      </spf>\n");
    }
    out.push_str("    </auth_results>\n");
    if modern {
        for extension in &record.extensions {
            write_extension(out, 2, extension);
        }
    }
    out.push_str("  </record>\n");
}

fn write_extension(out: &mut String, depth: usize, extension: &Extension) {
    indent(out, depth);
    let name = if is_xml_name(&extension.name) {
        extension.name.as_str()
    } else {
        "unnamed-extension"
    };
    out.push('<');
    out.push_str(name);
    if let Some(definition) = &extension.definition {
        out.push_str(" xmlns=\"");
        escape_into(out, definition, true);
        out.push('"');
    }
    out.push('>');
    if is_well_formed(&extension.content) {
        out.push_str(&extension.content);
    } else {
        // Not markup that can stand on its own (a broken report's leftovers): written as
        // text, so the document stays well-formed.
        escape_into(out, &extension.content, false);
    }
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// Whether `content` is well-formed XML content (XML 1.0 §3.1 `content`): balanced elements,
/// no declaration, valid references.
fn is_well_formed(content: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(content);
    reader.config_mut().enable_all_checks(true);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Ok(quick_xml::events::Event::GeneralRef(reference)) => {
                let name: &[u8] = &reference;
                let known = matches!(name, b"lt" | b"gt" | b"amp" | b"apos" | b"quot");
                if !known && !matches!(reference.resolve_char_ref(), Ok(Some(_))) {
                    return false;
                }
            }
            Ok(quick_xml::events::Event::Eof) => return depth == 0,
            Ok(quick_xml::events::Event::Decl(_) | quick_xml::events::Event::DocType(_))
            | Err(_) => {
                return false;
            }
            Ok(_) => {}
        }
    }
}

/// Whether `name` can be written as an element name (a conservative subset of XML's `Name`).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn element(out: &mut String, depth: usize, name: &str, value: &str) {
    indent(out, depth);
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, value, false);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

fn optional(out: &mut String, depth: usize, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        element(out, depth, name, value);
    }
}

/// Escapes text for XML 1.0 (section 2.4 and 2.2: `&` and `<` always, `>` for `]]>`, quotes in
/// attributes; characters outside `Char` replaced).
pub(crate) fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}
