//! Statistics over many aggregate reports, as a Domain Owner reads them on the way from
//! `p=none` to `p=reject`: per From domain the message volume and the share that passed DMARC,
//! aligned SPF and aligned DKIM, by day; the sources, reporting organisations and domains that
//! fail most; and the sources whose SPF passes for a domain that is not aligned (mail that a
//! forwarder or a service relays, which only DKIM can carry through).
//!
//! [`SummaryBuilder`] takes reports one at a time and keeps only counters, so thousands of
//! reports are summarised in the memory of their distinct keys; [`Summary::to_html`] draws
//! one self-contained page (inline SVG, no scripts, nothing fetched).
//!
//! Each record counts on the UTC day its report's period begins (reports usually cover one
//! day; RFC 9990 section 3.1 asks for periods on hour boundaries).
//!
//! ```
//! use tegami_dmarc::report::summary::SummaryBuilder;
//! use tegami_dmarc::report::{AggregateReport, AlignmentResult, ReportRecord};
//!
//! let mut report = AggregateReport::default();
//! report.metadata.org_name = "Receiver".into();
//! report.metadata.begin = 1_700_000_000;
//! let mut record = ReportRecord::default();
//! record.row.count = 10;
//! record.row.source_ip = "192.0.2.1".parse().ok();
//! record.identifiers.header_from = "example.com".into();
//! record.row.policy_evaluated.dkim = Some(AlignmentResult::Fail);
//! record.row.policy_evaluated.spf = Some(AlignmentResult::Fail);
//! report.records.push(record);
//!
//! let mut builder = SummaryBuilder::new();
//! builder.add(&report);
//! let summary = builder.finish();
//! assert_eq!(summary.total.messages, 10);
//! assert_eq!(summary.domains[0].domain, "example.com");
//! assert_eq!(summary.top_failing_sources[0].name, "192.0.2.1");
//! assert_eq!(summary.days[0].0.to_string(), "2023-11-14");
//! assert!(summary.to_html().contains("<svg"));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use tegami_spf::SpfResult;

use super::aggregate::{AggregateReport, AlignmentResult, Disposition, ReportRecord};

/// How many entries the "top" lists keep.
pub const TOP: usize = 20;

/// A UTC day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub u64);

impl Day {
    /// The day a Unix time falls on.
    pub fn of(unix_seconds: u64) -> Day {
        Day(unix_seconds / 86_400)
    }

    /// Year, month (1-12) and day (1-31) in the proleptic Gregorian calendar.
    pub fn civil(self) -> (i64, u32, u32) {
        let days = i64::try_from(self.0).unwrap_or(i64::MAX / 2);
        let (year, month, day) = tegami_mime::date::civil_from_days(days);
        (
            year,
            u32::try_from(month).unwrap_or(1),
            u32::try_from(day).unwrap_or(1),
        )
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.civil();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

/// Message counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Messages.
    pub messages: u64,
    /// Messages that passed DMARC (an aligned SPF or DKIM pass).
    pub dmarc_pass: u64,
    /// Messages with an aligned SPF pass.
    pub spf_aligned: u64,
    /// Messages with an aligned DKIM pass.
    pub dkim_aligned: u64,
    /// Disposition `none` (or none given).
    pub none: u64,
    /// Disposition `pass` (RFC 9990).
    pub pass: u64,
    /// Disposition `quarantine`.
    pub quarantine: u64,
    /// Disposition `reject`.
    pub reject: u64,
}

impl Counts {
    fn add(&mut self, record: &ReportRecord) {
        let count = record.row.count;
        let evaluated = &record.row.policy_evaluated;
        self.messages = self.messages.saturating_add(count);
        let bump = |field: &mut u64, yes: bool| {
            if yes {
                *field = field.saturating_add(count);
            }
        };
        bump(&mut self.dmarc_pass, record.dmarc_pass());
        bump(
            &mut self.spf_aligned,
            evaluated.spf == Some(AlignmentResult::Pass),
        );
        bump(
            &mut self.dkim_aligned,
            evaluated.dkim == Some(AlignmentResult::Pass),
        );
        let disposition = evaluated.disposition.unwrap_or(Disposition::None);
        bump(&mut self.none, disposition == Disposition::None);
        bump(&mut self.pass, disposition == Disposition::Pass);
        bump(&mut self.quarantine, disposition == Disposition::Quarantine);
        bump(&mut self.reject, disposition == Disposition::Reject);
    }

    /// Messages that failed DMARC.
    pub fn dmarc_fail(&self) -> u64 {
        self.messages.saturating_sub(self.dmarc_pass)
    }

    /// `part` as a percentage of the messages (0 when there are none).
    pub fn percent(&self, part: u64) -> f64 {
        if self.messages == 0 {
            0.0
        } else {
            // Counts stay far below 2^52 in practice; the rounding is harmless for a rate.
            #[allow(clippy::cast_precision_loss)]
            let rate = part as f64 * 100.0 / self.messages as f64;
            rate
        }
    }
}

/// One From domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSummary {
    /// The `header_from` domain, lower case.
    pub domain: String,
    /// Over the whole period.
    pub total: Counts,
    /// By day, oldest first.
    pub days: Vec<(Day, Counts)>,
}

/// An entry of a "top" list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The source IP, organisation or domain.
    pub name: String,
    /// Messages that failed DMARC.
    pub messages: u64,
}

/// A source whose SPF passed for a domain that is not aligned with the From domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfNotAligned {
    /// The source IP.
    pub source_ip: String,
    /// The domain SPF passed for.
    pub spf_domain: String,
    /// The From domain.
    pub header_from: String,
    /// Messages.
    pub messages: u64,
    /// Of those, messages DKIM still carried (an aligned DKIM pass).
    pub dkim_aligned: u64,
}

/// The statistics of a set of reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Reports read.
    pub reports: u64,
    /// Records read.
    pub records: u64,
    /// Over everything.
    pub total: Counts,
    /// Over all domains, by day, oldest first.
    pub days: Vec<(Day, Counts)>,
    /// By From domain, the largest volume first.
    pub domains: Vec<DomainSummary>,
    /// Source IPs with the most DMARC failures (at most [`TOP`]).
    pub top_failing_sources: Vec<Ranked>,
    /// Reporting organisations that saw the most DMARC failures (at most [`TOP`]).
    pub top_failing_reporters: Vec<Ranked>,
    /// From domains with the most DMARC failures (at most [`TOP`]).
    pub top_failing_domains: Vec<Ranked>,
    /// Sources passing SPF without alignment, the most messages first (at most [`TOP`]).
    pub spf_pass_not_aligned: Vec<SpfNotAligned>,
}

/// Accumulates reports into a [`Summary`].
#[derive(Debug, Default)]
pub struct SummaryBuilder {
    reports: u64,
    records: u64,
    total: Counts,
    days: BTreeMap<Day, Counts>,
    domains: HashMap<String, (Counts, BTreeMap<Day, Counts>)>,
    failing_sources: HashMap<String, u64>,
    failing_reporters: HashMap<String, u64>,
    failing_domains: HashMap<String, u64>,
    spf_not_aligned: HashMap<(String, String, String), (u64, u64)>,
}

impl SummaryBuilder {
    /// An empty builder.
    pub fn new() -> SummaryBuilder {
        SummaryBuilder::default()
    }

    /// Counts one report.
    pub fn add(&mut self, report: &AggregateReport) {
        self.reports += 1;
        let day = Day::of(report.metadata.begin);
        for record in &report.records {
            self.add_record(report, day, record);
        }
    }

    fn add_record(&mut self, report: &AggregateReport, day: Day, record: &ReportRecord) {
        self.records += 1;
        self.total.add(record);
        self.days.entry(day).or_default().add(record);
        let domain = record.identifiers.header_from.to_ascii_lowercase();
        let source = record
            .row
            .source_ip
            .map_or_else(|| "(invalid)".to_owned(), |ip| ip.to_string());
        let count = record.row.count;
        let (total, days) = self.domains.entry(domain.clone()).or_default();
        total.add(record);
        days.entry(day).or_default().add(record);
        if !record.dmarc_pass() {
            let bump = |map: &mut HashMap<String, u64>, key: &str| {
                let entry = map.entry(key.to_owned()).or_default();
                *entry = entry.saturating_add(count);
            };
            bump(&mut self.failing_sources, &source);
            let reporter = match report.metadata.org_name.trim() {
                "" => "(no org_name)",
                name => name,
            };
            bump(&mut self.failing_reporters, reporter);
            bump(&mut self.failing_domains, &domain);
        }
        let evaluated = &record.row.policy_evaluated;
        if evaluated.spf != Some(AlignmentResult::Pass) {
            let passing = record
                .auth_results
                .spf
                .iter()
                .find(|spf| spf.result == Some(SpfResult::Pass));
            if let Some(spf) = passing {
                let key = (source, spf.domain.to_ascii_lowercase(), domain);
                let entry = self.spf_not_aligned.entry(key).or_default();
                entry.0 = entry.0.saturating_add(count);
                if evaluated.dkim == Some(AlignmentResult::Pass) {
                    entry.1 = entry.1.saturating_add(count);
                }
            }
        }
    }

    /// The statistics.
    pub fn finish(self) -> Summary {
        let mut domains: Vec<DomainSummary> = self
            .domains
            .into_iter()
            .map(|(domain, (total, days))| DomainSummary {
                domain,
                total,
                days: days.into_iter().collect(),
            })
            .collect();
        domains.sort_by(|a, b| {
            b.total
                .messages
                .cmp(&a.total.messages)
                .then_with(|| a.domain.cmp(&b.domain))
        });
        let mut spf: Vec<SpfNotAligned> = self
            .spf_not_aligned
            .into_iter()
            .map(
                |((source_ip, spf_domain, header_from), (messages, dkim_aligned))| SpfNotAligned {
                    source_ip,
                    spf_domain,
                    header_from,
                    messages,
                    dkim_aligned,
                },
            )
            .collect();
        spf.sort_by(|a, b| {
            b.messages.cmp(&a.messages).then_with(|| {
                (&a.source_ip, &a.spf_domain, &a.header_from).cmp(&(
                    &b.source_ip,
                    &b.spf_domain,
                    &b.header_from,
                ))
            })
        });
        spf.truncate(TOP);
        Summary {
            reports: self.reports,
            records: self.records,
            total: self.total,
            days: self.days.into_iter().collect(),
            domains,
            top_failing_sources: top(self.failing_sources),
            top_failing_reporters: top(self.failing_reporters),
            top_failing_domains: top(self.failing_domains),
            spf_pass_not_aligned: spf,
        }
    }
}

/// The [`TOP`] largest counts, ties by name.
fn top(map: HashMap<String, u64>) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = map
        .into_iter()
        .filter(|(_, messages)| *messages > 0)
        .map(|(name, messages)| Ranked { name, messages })
        .collect();
    ranked.sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then_with(|| a.name.cmp(&b.name))
    });
    ranked.truncate(TOP);
    ranked
}

// ---- the HTML page ----

const DMARC_COLOUR: &str = "#2b6cb0";
const SPF_COLOUR: &str = "#2f855a";
const DKIM_COLOUR: &str = "#b7791f";
const DISPOSITION_COLOURS: [(&str, &str); 4] = [
    ("none", "#a0aec0"),
    ("pass", "#48bb78"),
    ("quarantine", "#dd6b20"),
    ("reject", "#c53030"),
];

/// Which counter a chart line draws.
type Part = fn(&Counts) -> u64;

/// Chart geometry.
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 40.0;
const TOP_MARGIN: f64 = 16.0;
const BOTTOM: f64 = 40.0;

impl Summary {
    /// One self-contained HTML page: the pass-rate trend, the volume by disposition, the
    /// domains, and the top-failing tables. Inline SVG and CSS only; no script, nothing
    /// fetched.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str(concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<title>DMARC aggregate report summary</title>\n<style>\n",
            "body{font-family:system-ui,sans-serif;margin:2rem;color:#1a202c;max-width:60rem}\n",
            "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}\n",
            "th,td{padding:0.25rem 0.75rem;border-bottom:1px solid #e2e8f0;text-align:left}\n",
            "td.n{text-align:right;font-variant-numeric:tabular-nums}\n",
            "svg text{font-size:11px;fill:#4a5568}\n.legend span{margin-right:1rem}\n",
            "</style>\n</head>\n<body>\n<h1>DMARC aggregate reports</h1>\n"
        ));
        let period = match (self.days.first(), self.days.last()) {
            (Some((first, _)), Some((last, _))) => format!(", {first} to {last}"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "<p>{} reports, {} records, {} messages{period}. DMARC pass {:.1}%, aligned SPF {:.1}%, aligned DKIM {:.1}%.</p>\n",
            self.reports,
            self.records,
            self.total.messages,
            self.total.percent(self.total.dmarc_pass),
            self.total.percent(self.total.spf_aligned),
            self.total.percent(self.total.dkim_aligned),
        ));
        out.push_str("<h2>Pass rates by day</h2>\n");
        self.rate_chart(&mut out);
        out.push_str("<h2>Volume by disposition</h2>\n");
        self.disposition_chart(&mut out);
        self.domain_table(&mut out);
        ranked_table(
            &mut out,
            "Top failing source IPs",
            "Source IP",
            &self.top_failing_sources,
        );
        ranked_table(
            &mut out,
            "Top reporting organisations seeing failures",
            "Organisation",
            &self.top_failing_reporters,
        );
        ranked_table(
            &mut out,
            "Top failing From domains",
            "Domain",
            &self.top_failing_domains,
        );
        self.spf_table(&mut out);
        out.push_str("</body>\n</html>\n");
        out
    }

    fn x_of(&self, index: usize) -> f64 {
        let plot = WIDTH - LEFT - RIGHT;
        #[allow(clippy::cast_precision_loss)]
        let (index, count) = (index as f64, self.days.len() as f64);
        LEFT + plot * (index + 0.5) / count.max(1.0)
    }

    fn x_labels(&self, out: &mut String) {
        let count = self.days.len();
        // A date label is about 70 units wide: keep labels at least 85 apart.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let spacing = (85.0 * count as f64 / (WIDTH - LEFT - RIGHT)).ceil() as usize;
        let step = count.div_ceil(8).max(spacing).max(1);
        let last = count.saturating_sub(1);
        for (index, (day, _)) in self.days.iter().enumerate() {
            // Every step-th day and the last, which is not crowded by its neighbour.
            let regular = index % step == 0 && (index == last || last - index >= step);
            if !regular && index != last {
                continue;
            }
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{day}</text>\n",
                self.x_of(index),
                HEIGHT - BOTTOM + 16.0
            ));
        }
    }

    fn rate_chart(&self, out: &mut String) {
        let plot = HEIGHT - TOP_MARGIN - BOTTOM;
        let y_of = |percent: f64| TOP_MARGIN + plot * (1.0 - percent / 100.0);
        out.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"Pass rates by day\">\n"
        ));
        for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
            let y = y_of(tick);
            out.push_str(&format!(
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e2e8f0\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{tick}%</text>\n",
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0
            ));
        }
        // Drawn so that equal lines stay visible: DKIM dotted, SPF dashed, DMARC solid on top.
        let series: [(&str, &str, Part); 3] = [
            (DKIM_COLOUR, "2 3", |c| c.dkim_aligned),
            (SPF_COLOUR, "7 4", |c| c.spf_aligned),
            (DMARC_COLOUR, "none", |c| c.dmarc_pass),
        ];
        for (colour, dashes, part) in series {
            let points: Vec<String> = self
                .days
                .iter()
                .enumerate()
                .map(|(index, (_, counts))| {
                    format!(
                        "{:.1},{:.1}",
                        self.x_of(index),
                        y_of(counts.percent(part(counts)))
                    )
                })
                .collect();
            out.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dashes}\" points=\"{}\"/>\n",
                points.join(" ")
            ));
            for point in &points {
                let (x, y) = point.split_once(',').unwrap_or(("0", "0"));
                out.push_str(&format!(
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>\n"
                ));
            }
        }
        self.x_labels(out);
        out.push_str("</svg>\n");
        out.push_str(&format!(
            "<p class=\"legend\"><span style=\"color:{DMARC_COLOUR}\">&#9472; DMARC pass</span><span style=\"color:{SPF_COLOUR}\">- - aligned SPF</span><span style=\"color:{DKIM_COLOUR}\">&#183;&#183;&#183; aligned DKIM</span></p>\n"
        ));
    }

    fn disposition_chart(&self, out: &mut String) {
        let plot = HEIGHT - TOP_MARGIN - BOTTOM;
        let largest = self
            .days
            .iter()
            .map(|(_, c)| c.messages)
            .max()
            .unwrap_or(0)
            .max(1);
        #[allow(clippy::cast_precision_loss)]
        let scale = |messages: u64| plot * messages as f64 / largest as f64;
        #[allow(clippy::cast_precision_loss)]
        let bar = ((WIDTH - LEFT - RIGHT) / self.days.len().max(1) as f64 * 0.7).max(1.0);
        out.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"Volume by disposition\">\n"
        ));
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#a0aec0\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{largest}</text>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">0</text>\n",
            HEIGHT - BOTTOM,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM,
            LEFT - 6.0,
            TOP_MARGIN + 4.0,
            LEFT - 6.0,
            HEIGHT - BOTTOM + 4.0
        ));
        for (index, (day, counts)) in self.days.iter().enumerate() {
            let mut y = HEIGHT - BOTTOM;
            let parts = [counts.none, counts.pass, counts.quarantine, counts.reject];
            for ((name, colour), messages) in DISPOSITION_COLOURS.iter().zip(parts) {
                if messages == 0 {
                    continue;
                }
                let height = scale(messages);
                y -= height;
                out.push_str(&format!(
                    "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" fill=\"{colour}\"><title>{day} {name}: {messages}</title></rect>\n",
                    self.x_of(index) - bar / 2.0
                ));
            }
        }
        self.x_labels(out);
        out.push_str("</svg>\n<p class=\"legend\">");
        for (name, colour) in DISPOSITION_COLOURS {
            out.push_str(&format!(
                "<span style=\"color:{colour}\">&#9632; {name}</span>"
            ));
        }
        out.push_str("</p>\n");
    }

    fn domain_table(&self, out: &mut String) {
        out.push_str("<h2>From domains</h2>\n<table>\n<tr><th>Domain</th><th>Messages</th><th>DMARC pass</th><th>Aligned SPF</th><th>Aligned DKIM</th><th>Quarantined</th><th>Rejected</th></tr>\n");
        for domain in &self.domains {
            let t = &domain.total;
            out.push_str("<tr><td>");
            escape_html(out, &domain.domain);
            out.push_str(&format!(
                "</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td class=\"n\">{:.1}%</td><td class=\"n\">{:.1}%</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                t.messages,
                t.percent(t.dmarc_pass),
                t.percent(t.spf_aligned),
                t.percent(t.dkim_aligned),
                t.quarantine,
                t.reject
            ));
        }
        out.push_str("</table>\n");
    }

    fn spf_table(&self, out: &mut String) {
        out.push_str("<h2>SPF passes without alignment</h2>\n<p>Sources whose SPF passed for another domain than the From domain: forwarders and sending services, which only an aligned DKIM signature carries through.</p>\n<table>\n<tr><th>Source IP</th><th>SPF domain</th><th>From domain</th><th>Messages</th><th>With aligned DKIM</th></tr>\n");
        for row in &self.spf_pass_not_aligned {
            out.push_str("<tr><td>");
            escape_html(out, &row.source_ip);
            out.push_str("</td><td>");
            escape_html(out, &row.spf_domain);
            out.push_str("</td><td>");
            escape_html(out, &row.header_from);
            out.push_str(&format!(
                "</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                row.messages, row.dkim_aligned
            ));
        }
        out.push_str("</table>\n");
    }
}

fn ranked_table(out: &mut String, title: &str, column: &str, rows: &[Ranked]) {
    out.push_str(&format!(
        "<h2>{title}</h2>\n<table>\n<tr><th>{column}</th><th>Failing messages</th></tr>\n"
    ));
    for row in rows {
        out.push_str("<tr><td>");
        escape_html(out, &row.name);
        out.push_str(&format!(
            "</td><td class=\"n\">{}</td></tr>\n",
            row.messages
        ));
    }
    out.push_str("</table>\n");
}

fn escape_html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(Day(0).to_string(), "1970-01-01");
        assert_eq!(Day::of(951_782_400).to_string(), "2000-02-29");
        assert_eq!(Day::of(1_700_000_000).to_string(), "2023-11-14");
        assert_eq!(Day::of(4_102_444_800).to_string(), "2100-01-01");
    }

    #[test]
    fn html_escapes_what_reports_say() {
        let summary = Summary {
            top_failing_reporters: vec![Ranked {
                name: "<script>alert(1)</script>".into(),
                messages: 1,
            }],
            ..Summary::default()
        };
        let html = summary.to_html();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
