//! `tegami`: the command-line front door of the tegami suite.
//!
//! Every command follows one contract (see `DESIGN.md`): the global flags `--zone`,
//! `--servfail`, `--now` and `--json`; exit status 0 when the command ran, whatever the
//! authentication result, and 2 with a one-line error on stderr for bad usage or unreadable
//! input.

// The binary's job is to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// Writes a line to standard output. A closed pipe (`tegami ... | head`) ends the program
/// quietly with status 0; any other write error ends the command with [`CliError::Write`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(error) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if error.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err($crate::error::CliError::Write(error));
        }
    }};
}

mod arc;
mod auth;
mod dkim;
mod dmarc;
mod dmarc_report;
mod dns;
mod error;
mod mime;
mod resolver;
mod smtp;
mod spf;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// Sans-IO email authentication, from the command line.
#[derive(Debug, Parser)]
#[command(name = "tegami", version, about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// The flags every command takes.
#[derive(Debug, clap::Args)]
struct GlobalArgs {
    /// Answer DNS from this RFC 1035 master file instead of the network.
    #[arg(long, global = true, value_name = "FILE")]
    zone: Option<std::path::PathBuf>,
    /// Make lookups of NAME (or only of TYPE at NAME) fail temporarily; repeatable.
    #[arg(long, global = true, value_name = "NAME[/TYPE]")]
    servfail: Vec<String>,
    /// The current time, in seconds since the Unix epoch, for signature times.
    #[arg(long, global = true, value_name = "UNIX_SECONDS")]
    now: Option<u64>,
    /// Print one JSON object on stdout.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Look a name up with the resolver in use and print the answer.
    Dns(dns::DnsArgs),
    /// Authenticate a received message (SPF, DKIM, ARC, DMARC) and print Authentication-Results.
    Auth(auth::AuthArgs),
    /// Validate or seal an ARC chain (RFC 8617).
    Arc(arc::ArcArgs),
    /// Verify, sign, or make keys for DKIM (RFC 6376, RFC 8463).
    Dkim(dkim::DkimArgs),
    /// Evaluate DMARC (RFC 9989) for a received message, or audit a domain's records.
    Dmarc(dmarc::DmarcArgs),
    /// Summarise DMARC aggregate reports (RFC 9990): pass rates, failing sources, charts.
    DmarcReport(dmarc_report::DmarcReportArgs),
    /// Parse a message (RFC 5322, MIME): addresses, parts, encrypted ZIPs, text and HTML.
    Mime(mime::MimeArgs),
    /// Receive (serve) or send mail over SMTP.
    Smtp(smtp::SmtpArgs),
    /// Evaluate SPF (RFC 7208) for a client, HELO name and MAIL FROM address.
    Spf(spf::SpfArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let outcome = match &cli.command {
        Command::Arc(args) => arc::run(&cli.global, args),
        Command::Auth(args) => auth::run(&cli.global, args),
        Command::Dkim(args) => dkim::run(&cli.global, args),
        Command::Dmarc(args) => dmarc::run(&cli.global, args),
        Command::DmarcReport(args) => dmarc_report::run(&cli.global, args),
        Command::Mime(args) => mime::run(&cli.global, args),
        Command::Dns(args) => dns::run(&cli.global, args),
        Command::Smtp(args) => smtp::run(&cli.global, args),
        Command::Spf(args) => spf::run(&cli.global, args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tegami: {error}");
            ExitCode::from(2)
        }
    }
}

/// Prints help and version as asked; turns any other parse error into the contract's single
/// line on stderr and exit status 2.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;

    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        // Help goes to stdout; if that fails there is nothing better to do.
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let message = if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        String::from("a command is required")
    } else {
        // Clap spreads one error over several lines before its usage hint; join them.
        let rendered = error.render().to_string();
        let parts: Vec<&str> = rendered
            .lines()
            .take_while(|line| !line.starts_with("Usage:"))
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        let joined = parts.join(" ");
        joined.strip_prefix("error: ").unwrap_or(&joined).to_owned()
    };
    eprintln!("tegami: {message} (see tegami --help)");
    ExitCode::from(2)
}

impl GlobalArgs {
    /// The time to check signatures against: `--now`, or the system clock.
    fn now(&self) -> Result<u64, CliError> {
        clock(self.now)
    }
}

/// `fixed` when given (`--now`), else the system clock in seconds since the Unix epoch.
fn clock(fixed: Option<u64>) -> Result<u64, CliError> {
    match fixed {
        Some(now) => Ok(now),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .map_err(|_| CliError::Clock),
    }
}
