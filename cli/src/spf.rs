//! `tegami spf --ip IP --helo NAME --sender ADDR`: an SPF verdict and its Received-SPF field.

use std::net::IpAddr;

use serde_json::json;
use tegami::core::dns;
use tegami::spf::check::RecordCheck;
use tegami::spf::{Config, Evaluation, Identity, ReceivedSpf};

use crate::GlobalArgs;
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami spf`.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  tegami --zone examples/example.com.zone spf --ip 192.0.2.25 --helo mail.example.com --sender alice@example.com\n  tegami --zone examples/example.com.zone spf check example.com"
)]
pub(crate) struct SpfArgs {
    #[command(subcommand)]
    command: Option<SpfCommand>,
    /// The SMTP client's address.
    #[arg(long, required = true)]
    ip: Option<IpAddr>,
    /// The HELO/EHLO name the client gave.
    #[arg(long, required = true)]
    helo: Option<String>,
    /// The MAIL FROM address; an empty value is the null reverse-path, which checks HELO.
    #[arg(long, required = true)]
    sender: Option<String>,
    /// The receiving host, for `receiver=` and the `%{r}` macro.
    #[arg(long, value_name = "NAME")]
    receiver: Option<String>,
}

/// `tegami spf check DOMAIN`.
#[derive(Debug, clap::Subcommand)]
enum SpfCommand {
    /// Walk a domain's SPF record tree: DNS lookups, void lookups, risky and broken terms.
    #[command(
        after_help = "Examples:\n  tegami --zone examples/example.com.zone spf check example.com\n  tegami --json spf check example.org"
    )]
    Check {
        /// The domain whose record to check.
        domain: String,
    },
}

/// Runs the evaluation, or the record check, and prints the outcome.
pub(crate) fn run(global: &GlobalArgs, args: &SpfArgs) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    if let Some(SpfCommand::Check { domain }) = &args.command {
        return check(global, &resolver, domain);
    }
    let (Some(ip), Some(helo), Some(sender)) =
        (args.ip, args.helo.as_deref(), args.sender.as_deref())
    else {
        return Err(CliError::MissingArgument("--ip, --helo and --sender"));
    };
    let mut config = Config::default();
    config.receiver.clone_from(&args.receiver);
    config.now = Some(global.now()?);
    let mut evaluation = Evaluation::with_config(ip, helo, sender, config);
    let verdict = dns::resolve(&mut evaluation, &resolver).map_err(CliError::Machine)?;
    let received_spf = ReceivedSpf {
        verdict: &verdict,
        client_ip: ip,
        helo,
        envelope_from: sender,
        receiver: args.receiver.as_deref(),
    }
    .to_field();
    if global.json {
        let identity = match verdict.identity {
            Identity::MailFrom => "mailfrom",
            Identity::Helo => "helo",
        };
        out!(
            "{}",
            json!({
                "result": verdict.result.as_str(),
                "explanation": verdict.explanation,
                "received_spf": received_spf,
                "identity": identity,
                "domain": verdict.domain,
                "mechanism": verdict.mechanism,
                "reason": verdict.reason,
            })
        );
    } else {
        out!("{received_spf}");
    }
    Ok(())
}

/// Prints the record check of `domain`.
fn check(global: &GlobalArgs, resolver: &impl dns::Resolver, domain: &str) -> Result<(), CliError> {
    let report =
        dns::resolve(&mut RecordCheck::new(domain), resolver).map_err(CliError::Machine)?;
    let warnings: Vec<String> = report.warnings().collect();
    let errors: Vec<String> = report.errors().collect();
    if global.json {
        let records: Vec<_> = report
            .records
            .iter()
            .map(|(domain, text)| json!({ "domain": domain, "record": text }))
            .collect();
        out!(
            "{}",
            json!({
                "domain": report.domain,
                "lookups": report.lookups,
                "void_lookups": report.void_lookups,
                "warnings": warnings,
                "errors": errors,
                "records": records,
            })
        );
    } else {
        out!(
            "{}: {} DNS lookups (limit 10), {} void lookups (limit 2)",
            report.domain,
            report.lookups,
            report.void_lookups
        );
        for error in &errors {
            out!("error: {error}");
        }
        for warning in &warnings {
            out!("warning: {warning}");
        }
    }
    Ok(())
}
