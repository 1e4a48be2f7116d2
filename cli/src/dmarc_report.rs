//! `tegami dmarc-report summarize FILES...`: statistics over DMARC aggregate reports (RFC 9990)
//! received as XML, gzip, zip or whole report emails, files or folders of them.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::{Value, json};
use tegami::dkim::DkimResult;
use tegami::dmarc::Policy;
use tegami::dmarc::report::summary::{Counts, Day, Ranked, Summary, SummaryBuilder};
use tegami::dmarc::report::unpack::unpack;
use tegami::dmarc::report::{
    AggregateReport, AlignmentResult, Disposition, OverrideType, ReportRecord, SpfScope,
    parse_aggregate,
};
use tegami::spf::SpfResult;

use crate::GlobalArgs;
use crate::error::CliError;

/// Arguments of `tegami dmarc-report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  tegami dmarc-report summarize reports/ --html summary.html")]
pub(crate) struct DmarcReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Summarise aggregate reports: per From domain the volume and the DMARC, aligned SPF and
    /// aligned DKIM pass rates by day; the top failing sources, reporters and domains; sources
    /// that pass SPF without alignment.
    #[command(after_help = concat!(
        "Examples:\n",
        "  tegami dmarc-report summarize reports/\n",
        "  tegami --json dmarc-report summarize a.xml.gz b.zip report.eml\n",
        "  tegami dmarc-report summarize reports/ --html summary.html\n",
        "  tegami dmarc-report summarize reports/ --ndjson > records.ndjson"
    ))]
    Summarize(SummarizeArgs),
}

#[derive(Debug, clap::Args)]
struct SummarizeArgs {
    /// Report files (.xml, .xml.gz, .zip, .eml) or folders of them, read recursively.
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Also write the summary as one self-contained HTML page with charts.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Print one JSON object per record instead of the summary (for loading into a database).
    #[arg(long)]
    ndjson: bool,
}

/// Runs `tegami dmarc-report`.
pub(crate) fn run(global: &GlobalArgs, args: &DmarcReportArgs) -> Result<(), CliError> {
    match &args.command {
        ReportCommand::Summarize(args) => summarize(global, args),
    }
}

/// Files of the arguments, folders walked in name order.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let read = |source| CliError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    total: usize,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            shown: total > 1 && std::io::stderr().is_terminal(),
        }
    }

    fn update(&self, done: usize) {
        if !self.shown || (!done.is_multiple_of(16) && done != self.total) {
            return;
        }
        let width = 40;
        let filled = done * width / self.total.max(1);
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r[{}{}] {done}/{} files",
            "#".repeat(filled),
            ".".repeat(width - filled),
            self.total
        );
        if done == self.total {
            let _ = writeln!(stderr);
        }
    }
}

fn summarize(global: &GlobalArgs, args: &SummarizeArgs) -> Result<(), CliError> {
    let files = collect(&args.files)?;
    let progress = Progress::new(files.len());
    let mut builder = SummaryBuilder::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Err(error) => errors.push((name, error.to_string())),
            Ok(data) => match unpack(&data) {
                Err(error) => errors.push((name, error.to_string())),
                Ok(unpacked) => {
                    for file in unpacked {
                        match parse_aggregate(&file.xml) {
                            Err(error) => errors.push((name.clone(), error.to_string())),
                            Ok(parsed) => {
                                if args.ndjson {
                                    for record in &parsed.report.records {
                                        out!("{}", record_row(&name, &parsed.report, record));
                                    }
                                }
                                builder.add(&parsed.report);
                            }
                        }
                    }
                }
            },
        }
        progress.update(index + 1);
    }
    let summary = builder.finish();
    if let Some(html) = &args.html {
        std::fs::write(html, summary.to_html()).map_err(|source| CliError::Create {
            path: html.clone(),
            source,
        })?;
    }
    if args.ndjson {
        for (file, error) in &errors {
            eprintln!("tegami: {file}: {error}");
        }
    } else if global.json {
        out!("{}", summary_json(files.len(), &summary, &errors));
    } else {
        print_text(files.len(), &summary, &errors)?;
    }
    Ok(())
}

/// One record as a flat JSON row.
fn record_row(file: &str, report: &AggregateReport, record: &ReportRecord) -> Value {
    let evaluated = &record.row.policy_evaluated;
    json!({
        "file": file,
        "org_name": report.metadata.org_name,
        "report_id": report.metadata.report_id,
        "begin": report.metadata.begin,
        "end": report.metadata.end,
        "policy_domain": report.policy.domain,
        "policy_p": report.policy.p.map(Policy::as_str),
        "source_ip": record.row.source_ip.map(|ip| ip.to_string()),
        "count": record.row.count,
        "disposition": evaluated.disposition.map(Disposition::as_str),
        "dkim_aligned": evaluated.dkim.map(AlignmentResult::as_str),
        "spf_aligned": evaluated.spf.map(AlignmentResult::as_str),
        "dmarc": if record.dmarc_pass() { "pass" } else { "fail" },
        "reasons": evaluated.reasons.iter().map(|r| json!({
            "type": r.kind.map(OverrideType::as_str),
            "comment": r.comment,
        })).collect::<Vec<_>>(),
        "header_from": record.identifiers.header_from,
        "envelope_from": record.identifiers.envelope_from,
        "envelope_to": record.identifiers.envelope_to,
        "dkim": record.auth_results.dkim.iter().map(|d| json!({
            "domain": d.domain,
            "selector": d.selector,
            "result": d.result.map(DkimResult::as_str),
        })).collect::<Vec<_>>(),
        "spf": record.auth_results.spf.iter().map(|s| json!({
            "domain": s.domain,
            "scope": s.scope.map(SpfScope::as_str),
            "result": s.result.map(SpfResult::as_str),
        })).collect::<Vec<_>>(),
    })
}

/// A rate in percent with two decimals.
fn rate(counts: &Counts, part: u64) -> f64 {
    (counts.percent(part) * 100.0).round() / 100.0
}

fn counts_json(counts: &Counts) -> Value {
    json!({
        "messages": counts.messages,
        "dmarc_pass": counts.dmarc_pass,
        "spf_aligned": counts.spf_aligned,
        "dkim_aligned": counts.dkim_aligned,
        "dmarc_pass_rate": rate(counts, counts.dmarc_pass),
        "spf_aligned_rate": rate(counts, counts.spf_aligned),
        "dkim_aligned_rate": rate(counts, counts.dkim_aligned),
        "dispositions": {
            "none": counts.none,
            "pass": counts.pass,
            "quarantine": counts.quarantine,
            "reject": counts.reject,
        },
    })
}

fn days_json(days: &[(Day, Counts)]) -> Vec<Value> {
    days.iter()
        .map(|(day, counts)| {
            let mut value = counts_json(counts);
            if let Some(object) = value.as_object_mut() {
                object.insert("date".into(), json!(day.to_string()));
            }
            value
        })
        .collect()
}

fn ranked_json(key: &str, rows: &[Ranked]) -> Vec<Value> {
    rows.iter()
        .map(|row| json!({ key: row.name, "messages": row.messages }))
        .collect()
}

fn summary_json(files: usize, summary: &Summary, errors: &[(String, String)]) -> Value {
    let mut value = counts_json(&summary.total);
    let domains: Vec<Value> = summary
        .domains
        .iter()
        .map(|domain| {
            let mut value = counts_json(&domain.total);
            if let Some(object) = value.as_object_mut() {
                object.insert("domain".into(), json!(domain.domain));
                object.insert("days".into(), json!(days_json(&domain.days)));
            }
            value
        })
        .collect();
    let spf: Vec<Value> = summary
        .spf_pass_not_aligned
        .iter()
        .map(|row| {
            json!({
                "source_ip": row.source_ip,
                "spf_domain": row.spf_domain,
                "header_from": row.header_from,
                "messages": row.messages,
                "dkim_aligned": row.dkim_aligned,
            })
        })
        .collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("files".into(), json!(files));
        object.insert("reports".into(), json!(summary.reports));
        object.insert("records".into(), json!(summary.records));
        object.insert("days".into(), json!(days_json(&summary.days)));
        object.insert("domains".into(), json!(domains));
        let sources = ranked_json("source_ip", &summary.top_failing_sources);
        object.insert("top_failing_sources".into(), json!(sources));
        let reporters = ranked_json("org_name", &summary.top_failing_reporters);
        object.insert("top_failing_reporters".into(), json!(reporters));
        let failing = ranked_json("domain", &summary.top_failing_domains);
        object.insert("top_failing_domains".into(), json!(failing));
        object.insert("spf_pass_not_aligned".into(), json!(spf));
        let errors: Vec<Value> = errors
            .iter()
            .map(|(file, error)| json!({ "file": file, "error": error }))
            .collect();
        object.insert("errors".into(), json!(errors));
    }
    value
}

fn print_text(
    files: usize,
    summary: &Summary,
    errors: &[(String, String)],
) -> Result<(), CliError> {
    let total = &summary.total;
    out!(
        "{files} files, {} reports, {} records, {} messages",
        summary.reports,
        summary.records,
        total.messages
    );
    out!(
        "DMARC pass {:.1}%, aligned SPF {:.1}%, aligned DKIM {:.1}%",
        total.percent(total.dmarc_pass),
        total.percent(total.spf_aligned),
        total.percent(total.dkim_aligned)
    );
    out!("");
    out!(
        "{:<40} {:>10} {:>7} {:>7} {:>7}",
        "From domain",
        "messages",
        "DMARC",
        "SPF",
        "DKIM"
    );
    for domain in &summary.domains {
        let t = &domain.total;
        out!(
            "{:<40} {:>10} {:>6.1}% {:>6.1}% {:>6.1}%",
            domain.domain,
            t.messages,
            t.percent(t.dmarc_pass),
            t.percent(t.spf_aligned),
            t.percent(t.dkim_aligned)
        );
    }
    let lists = [
        ("Top failing source IPs", &summary.top_failing_sources),
        (
            "Top reporting organisations seeing failures",
            &summary.top_failing_reporters,
        ),
        ("Top failing From domains", &summary.top_failing_domains),
    ];
    for (title, rows) in lists {
        out!("");
        out!("{title}");
        for row in rows {
            out!("  {:<40} {:>10}", row.name, row.messages);
        }
    }
    if !summary.spf_pass_not_aligned.is_empty() {
        out!("");
        out!("SPF passes without alignment (source, SPF domain, From domain, messages)");
        for row in &summary.spf_pass_not_aligned {
            out!(
                "  {:<40} {:<30} {:<30} {:>8}",
                row.source_ip,
                row.spf_domain,
                row.header_from,
                row.messages
            );
        }
    }
    if !errors.is_empty() {
        out!("");
        out!("Not read:");
        for (file, error) in errors {
            out!("  {file}: {error}");
        }
    }
    Ok(())
}
