//! `tegami dmarc FILE --ip IP --helo NAME --sender ADDR`: the DMARC verdict of a received
//! message; `tegami dmarc check DOMAIN`: an audit of a domain's DMARC and BIMI records.

use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::{Value, json};
use tegami::core::dns;
use tegami::core::domain::Domain;
use tegami::dmarc::Verdict;
use tegami::dmarc::bimi::BimiRecord;
use tegami::dmarc::check::{DomainCheck, DomainReport};

use crate::GlobalArgs;
use crate::auth::authenticate;
use crate::dkim::read_message;
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami dmarc`.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  tegami --zone examples/example.com.zone --now 1795424500 dmarc examples/signed.eml \\\n      --ip 192.0.2.25 --helo mail.example.com --sender alice@example.com\n  tegami --zone examples/example.com.zone dmarc check example.com"
)]
pub(crate) struct DmarcArgs {
    #[command(subcommand)]
    command: Option<DmarcCommand>,
    /// The message as received (LF line ends are read as CRLF).
    #[arg(required = true)]
    file: Option<PathBuf>,
    /// The SMTP client's address.
    #[arg(long, required = true)]
    ip: Option<IpAddr>,
    /// The HELO/EHLO name the client gave.
    #[arg(long, required = true)]
    helo: Option<String>,
    /// The MAIL FROM address; an empty value is the null reverse-path.
    #[arg(long, required = true)]
    sender: Option<String>,
    /// An ARC sealer this receiver trusts (see `tegami auth`); repeatable.
    #[arg(long, value_name = "DOMAIN")]
    trusted_forwarder: Vec<String>,
}

/// `tegami dmarc check DOMAIN`.
#[derive(Debug, clap::Subcommand)]
enum DmarcCommand {
    /// Audit a domain's DMARC and BIMI records: the policy that applies at each level, report
    /// destinations and their authorisation, BIMI eligibility, and the road to enforcement.
    #[command(
        after_help = "Examples:\n  tegami --zone examples/example.com.zone dmarc check example.com\n  tegami --json dmarc check example.org"
    )]
    Check {
        /// The domain to audit.
        domain: String,
    },
}

/// Runs the evaluation or the audit and prints it.
pub(crate) fn run(global: &GlobalArgs, args: &DmarcArgs) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    if let Some(DmarcCommand::Check { domain }) = &args.command {
        let domain = Domain::try_from(domain.as_str())
            .map_err(|error| CliError::Invalid("domain", error.to_string()))?;
        let report =
            dns::resolve(&mut DomainCheck::new(domain), &resolver).map_err(CliError::Machine)?;
        return print_check(global, &report);
    }
    let (Some(file), Some(ip), Some(helo), Some(sender)) = (
        args.file.as_ref(),
        args.ip,
        args.helo.as_deref(),
        args.sender.as_deref(),
    ) else {
        return Err(CliError::MissingArgument("FILE, --ip, --helo and --sender"));
    };
    let message = read_message(file)?;
    let found = authenticate(
        global.now()?,
        &resolver,
        &message,
        Some((ip, helo, sender)),
        crate::auth::pipeline_config("localhost", &args.trusted_forwarder)?,
    )?;
    if global.json {
        out!("{}", verdict_json(&found.dmarc));
    } else {
        out!("{}", found.dmarc.to_auth_result());
    }
    Ok(())
}

/// The contract's JSON of a DMARC verdict.
pub(crate) fn verdict_json(verdict: &Verdict) -> Value {
    json!({
        "result": verdict.result.as_str(),
        "policy": verdict.policy().map(tegami::dmarc::Policy::as_str),
        "disposition": verdict.disposition.as_str(),
        "from_domain": verdict.from_domain().map(Domain::as_str),
        "spf_aligned": verdict.spf_aligned(),
        "dkim_aligned": verdict.dkim_aligned(),
        "reason": verdict.reason(),
        "overrides": verdict.deciding().map_or_else(Vec::new, |author| {
            author
                .overrides
                .iter()
                .map(|o| json!({ "type": o.as_str(), "domain": o.domain().as_str() }))
                .collect()
        }),
    })
}

fn print_check(global: &GlobalArgs, report: &DomainReport) -> Result<(), CliError> {
    let policies = report.policies.map(|p| {
        json!({
            "domain": p.domain.as_str(),
            "existing_subdomains": p.existing_subdomains.as_str(),
            "nonexistent_subdomains": p.nonexistent_subdomains.as_str(),
        })
    });
    let steps: Vec<Value> = report
        .steps
        .iter()
        .map(|s| json!({ "policy": s.policy.as_str(), "current": s.current, "effect": s.effect }))
        .collect();
    let destinations: Vec<Value> = report
        .destinations
        .iter()
        .map(|d| {
            json!({
                "tag": d.tag,
                "uri": d.uri,
                "external": d.external,
                "authorized": d.authorized,
            })
        })
        .collect();
    let bimi_record = match &report.bimi {
        None => Value::Null,
        Some(Ok(BimiRecord { logo, authority })) => json!({ "logo": logo, "authority": authority }),
        Some(Err(error)) => json!({ "error": error.to_string() }),
    };
    let reasons: Vec<String> = report
        .bimi_ineligibility
        .iter()
        .map(ToString::to_string)
        .collect();
    if global.json {
        out!(
            "{}",
            json!({
                "domain": report.domain.as_str(),
                "policy_domain": report.policy_domain.as_ref().map(Domain::as_str),
                "organizational_domain": report.organizational_domain.as_str(),
                "record": report.record.as_ref().map(ToString::to_string),
                "policy": policies,
                "testing": report.testing,
                "steps": steps,
                "destinations": destinations,
                "bimi": { "record": bimi_record, "eligible": reasons.is_empty(), "reasons": reasons },
                "queried": report.queried.iter().map(|d| format!("_dmarc.{d}")).collect::<Vec<_>>(),
                "warnings": report.warnings,
            })
        );
        return Ok(());
    }
    out!("domain: {}", report.domain);
    match (&report.policy_domain, &report.record) {
        (Some(at), Some(record)) => out!("record: _dmarc.{at}: {record}"),
        _ => out!("record: none"),
    }
    out!("organizational domain: {}", report.organizational_domain);
    if let Some(p) = report.policies {
        out!(
            "policy: {} (existing subdomains {}, non-existent subdomains {}){}",
            p.domain,
            p.existing_subdomains,
            p.nonexistent_subdomains,
            if report.testing { ", testing" } else { "" }
        );
    }
    for step in &report.steps {
        let mark = if step.current { "*" } else { " " };
        out!("{mark} p={}: {}", step.policy, step.effect);
    }
    for d in &report.destinations {
        let status = match (d.external, d.authorized) {
            (false, _) => "internal",
            (true, Some(true)) => "external, authorised",
            (true, Some(false)) => "external, NOT authorised",
            (true, None) => "external, unknown",
        };
        out!("{}: {} ({status})", d.tag, d.uri);
    }
    match &report.bimi {
        None => out!("bimi: no record"),
        Some(Ok(record)) => out!(
            "bimi: logo {}",
            record.logo.as_deref().unwrap_or("(declined)")
        ),
        Some(Err(error)) => out!("bimi: invalid record: {error}"),
    }
    if reasons.is_empty() {
        out!("bimi: the DMARC policy allows logos");
    } else {
        out!(
            "bimi: the DMARC policy does not allow logos: {}",
            reasons.join("; ")
        );
    }
    for warning in &report.warnings {
        out!("warning: {warning}");
    }
    Ok(())
}
