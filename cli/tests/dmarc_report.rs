//! `tegami dmarc-report summarize`: the conformance samples, a generated set recounted here,
//! the NDJSON rows, and the HTML page in a real browser (headless Chromium, installed by
//! `.ci/run`; run on demand with `cargo test -p tegami-cli --test dmarc_report -- --ignored`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::field_reassign_with_default,
    clippy::cast_possible_truncation
)]

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tegami::dmarc::report::{
    AggregateReport, AlignmentResult, Disposition, ReportForm, ReportRecord,
};

fn tegami(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tegami"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

fn aggregate_corpus() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/dmarc/aggregate");
    assert!(
        dir.is_dir(),
        "{} is missing: ../shared must sit beside the project",
        dir.display()
    );
    dir
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tegami-dmarc-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn summarizes_the_conformance_samples() {
    let corpus = aggregate_corpus();
    let summary = json(&tegami(&[
        "--json",
        "dmarc-report",
        "summarize",
        corpus.to_str().unwrap(),
    ]));
    assert_eq!(summary["files"], 54);
    assert_eq!(summary["reports"], 43);
    // The 10 expected-parse .json files and empty.xml are listed, not fatal.
    let errors = summary["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 11, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e["file"].as_str().unwrap().ends_with("empty.xml"))
    );
    for key in [
        "messages",
        "dmarc_pass",
        "dmarc_pass_rate",
        "spf_aligned_rate",
        "dkim_aligned_rate",
        "dispositions",
        "days",
        "domains",
        "top_failing_sources",
        "top_failing_reporters",
        "top_failing_domains",
        "spf_pass_not_aligned",
    ] {
        assert!(!summary[key].is_null(), "{key} missing");
    }
    assert_eq!(summary["top_failing_sources"].as_array().unwrap().len(), 20);
    // The human form says the same totals.
    let text = tegami(&["dmarc-report", "summarize", corpus.to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "54 files, 43 reports, {} records, {} messages",
            summary["records"], summary["messages"]
        )),
        "{text}"
    );
    // A path that does not exist is bad input.
    let missing = tegami(&["dmarc-report", "summarize", "/nonexistent/reports"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// A deterministic set of reports with repeating domains, sources and reporters.
fn generated(count: usize) -> Vec<AggregateReport> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let aligned = |bit| {
        if bit == 0 {
            AlignmentResult::Fail
        } else {
            AlignmentResult::Pass
        }
    };
    let dispositions = [
        Disposition::None,
        Disposition::Pass,
        Disposition::Quarantine,
        Disposition::Reject,
    ];
    (0..count)
        .map(|index| {
            let mut report = AggregateReport::default();
            report.version = Some("1.0".into());
            report.metadata.org_name = format!("Reporter {}", next(6));
            report.metadata.email = "dmarc@reporter.example".into();
            report.metadata.report_id = format!("r{index}");
            report.metadata.begin = 1_760_000_000 + next(10) * 86_400;
            report.metadata.end = report.metadata.begin + 86_399;
            report.policy.domain = "example.com".into();
            for _ in 0..1 + next(5) {
                let mut record = ReportRecord::default();
                record.row.source_ip = Some(std::net::IpAddr::from([198, 51, 100, next(40) as u8]));
                record.row.count = 1 + next(500);
                record.row.policy_evaluated.dkim = Some(aligned(next(2)));
                record.row.policy_evaluated.spf = Some(aligned(next(2)));
                record.row.policy_evaluated.disposition = Some(dispositions[next(4) as usize]);
                record.identifiers.header_from = format!("s{}.example.com", next(7));
                report.records.push(record);
            }
            report
        })
        .collect()
}

fn write_reports(dir: &Path, reports: &[AggregateReport]) {
    for (index, report) in reports.iter().enumerate() {
        let form = if index % 3 == 0 {
            ReportForm::Rfc7489
        } else {
            ReportForm::Rfc9990
        };
        let xml = report.to_xml(form);
        if index % 2 == 0 {
            let path = dir.join(format!("receiver!example.com!{index}.xml.gz"));
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(xml.as_bytes()).unwrap();
            std::fs::write(path, gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(dir.join(format!("receiver!example.com!{index}.xml")), xml).unwrap();
        }
    }
}

#[test]
fn summary_equals_a_recount() {
    let dir = scratch("recount");
    let reports = generated(300);
    write_reports(&dir, &reports);
    let summary = json(&tegami(&[
        "--json",
        "dmarc-report",
        "summarize",
        dir.to_str().unwrap(),
    ]));
    let pass = |r: &ReportRecord| {
        r.row.policy_evaluated.dkim == Some(AlignmentResult::Pass)
            || r.row.policy_evaluated.spf == Some(AlignmentResult::Pass)
    };
    let mut messages = 0;
    let mut passed = 0;
    let mut records = 0;
    let mut quarantined = 0;
    let mut domains: HashMap<String, (u64, u64)> = HashMap::new();
    let mut sources: HashMap<String, u64> = HashMap::new();
    for report in &reports {
        for record in &report.records {
            records += 1;
            messages += record.row.count;
            let ok = pass(record);
            if ok {
                passed += record.row.count;
            } else {
                *sources
                    .entry(record.row.source_ip.unwrap().to_string())
                    .or_default() += record.row.count;
            }
            // The RFC 7489 form writes a `pass` disposition as `none`; only quarantine and
            // reject survive every form unchanged.
            if record.row.policy_evaluated.disposition == Some(Disposition::Quarantine) {
                quarantined += record.row.count;
            }
            let entry = domains
                .entry(record.identifiers.header_from.clone())
                .or_default();
            entry.0 += record.row.count;
            entry.1 += if ok { record.row.count } else { 0 };
        }
    }
    assert_eq!(summary["files"], 300);
    assert_eq!(summary["reports"], 300);
    assert_eq!(summary["errors"].as_array().unwrap().len(), 0);
    assert_eq!(summary["records"], records);
    assert_eq!(summary["messages"], messages);
    assert_eq!(summary["dmarc_pass"], passed);
    assert_eq!(summary["dispositions"]["quarantine"], quarantined);
    let listed = summary["domains"].as_array().unwrap();
    assert_eq!(listed.len(), domains.len());
    for domain in listed {
        let (m, p) = domains[domain["domain"].as_str().unwrap()];
        assert_eq!(domain["messages"], m);
        assert_eq!(domain["dmarc_pass"], p);
    }
    let mut top: Vec<(String, u64)> = sources.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(20);
    let listed: Vec<(String, u64)> = summary["top_failing_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source_ip"].as_str().unwrap().to_owned(),
                s["messages"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, top);

    // --ndjson: one row per record, the same messages.
    let rows = tegami(&[
        "dmarc-report",
        "summarize",
        dir.to_str().unwrap(),
        "--ndjson",
    ]);
    assert_eq!(rows.status.code(), Some(0));
    let rows: Vec<Value> = String::from_utf8(rows.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len() as u64, records);
    let counted: u64 = rows.iter().map(|row| row["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, messages);
    assert!(
        rows.iter()
            .all(|row| row["dmarc"] == "pass" || row["dmarc"] == "fail")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            panic!("the HTML check needs headless Chromium (Debian package `chromium`, installed by .ci/run); it is not installed")
        })
}

#[test]
#[ignore = "needs Chromium: .ci/run installs it and runs this; on demand with --ignored"]
fn html_page_renders_in_chromium_without_console_errors() {
    let dir = scratch("html");
    let reports_dir = dir.join("reports");
    std::fs::create_dir_all(&reports_dir).unwrap();
    write_reports(&reports_dir, &generated(120));
    let page = dir.join("summary.html");
    let output = tegami(&[
        "dmarc-report",
        "summarize",
        reports_dir.to_str().unwrap(),
        aggregate_corpus().join("mox").to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && html.contains("Top failing source IPs"));
    // Self-contained: nothing to fetch (the only URIs are SVG's namespace name).
    for needle in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(needle),
            "the page refers to something outside it: {needle}"
        );
    }
    let screenshot = dir.join("summary.png");
    let profile = dir.join("profile");
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1000,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {log}");
    let console: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("CONSOLE"))
        .collect();
    assert!(console.is_empty(), "browser console: {console:?}");
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot of {} bytes",
        png.len()
    );
    println!("screenshot: {} ({} bytes)", screenshot.display(), png.len());
    std::fs::remove_dir_all(&dir).unwrap();
}
