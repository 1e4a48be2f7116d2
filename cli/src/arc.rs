//! `tegami arc verify|seal`: ARC (RFC 8617) from the command line.

use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde_json::json;
use tegami::arc::{ArcResult, ArcSetFields, ChainStatus, Config, SealSpec, Sealer, Validator};
use tegami::core::crypto::{RingBackend, RingSigningKey};
use tegami::core::dns;
use tegami::core::domain::Domain;
use tegami::dkim::Selector;

use crate::GlobalArgs;
use crate::auth::authenticate;
use crate::dkim::{read_message, signer_names, signing_key};
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami arc`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  tegami --zone examples/example.com.zone --now 1795424500 arc verify examples/signed.eml\n  tegami --zone examples/example.com.zone --now 1795424500 arc seal --key examples/keys/ed2026.pem --domain example.com \\\n      --selector ed2026 --authserv-id mx.example.com examples/signed.eml"
)]
pub(crate) struct ArcArgs {
    #[command(subcommand)]
    command: ArcCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ArcCommand {
    /// Validate the ARC chain of a message.
    #[command(
        after_help = "Example:\n  tegami --zone examples/example.com.zone --now 1795426000 --json arc verify examples/mailing-list.eml"
    )]
    Verify {
        /// The message (LF line ends are read as CRLF).
        file: PathBuf,
    },
    /// Authenticate a message as this hop (SPF with the connection flags, DKIM, ARC), add the
    /// Authentication-Results field, seal, and print the message with its new ARC set.
    #[command(
        after_help = "Example:\n  tegami --zone examples/example.com.zone --now 1795424500 arc seal --key examples/keys/list2026.pem \\\n      --domain lists.example.org --selector list2026 --authserv-id lists.example.org \\\n      --ip 192.0.2.25 --helo mail.example.com --sender alice@example.com examples/signed.eml > sealed.eml"
    )]
    Seal(SealArgs),
}

#[derive(Debug, clap::Args)]
struct SealArgs {
    /// The sealing key (PEM: PKCS#1 or PKCS#8, RSA or Ed25519).
    #[arg(long, value_name = "PEM")]
    key: PathBuf,
    /// The sealing domain (`d=`).
    #[arg(long, value_name = "D")]
    domain: String,
    /// The selector (`s=`).
    #[arg(long, value_name = "S")]
    selector: String,
    /// This hop's authserv-id.
    #[arg(long, value_name = "ID")]
    authserv_id: String,
    /// The SMTP client's address (with --helo and --sender, SPF is evaluated).
    #[arg(long, requires_all = ["helo", "sender"])]
    ip: Option<IpAddr>,
    /// The HELO/EHLO name the client gave.
    #[arg(long)]
    helo: Option<String>,
    /// The MAIL FROM address; empty for the null reverse-path.
    #[arg(long)]
    sender: Option<String>,
    /// The fields the ARC-Message-Signature signs, colon-separated.
    #[arg(long, value_name = "h:h")]
    headers: Option<String>,
    /// The message (LF line ends are read as CRLF).
    file: PathBuf,
}

/// Runs the subcommand.
pub(crate) fn run(global: &GlobalArgs, args: &ArcArgs) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    match &args.command {
        ArcCommand::Verify { file } => verify(global, &resolver, file),
        ArcCommand::Seal(args) => seal(global, &resolver, args),
    }
}

fn validate(message: &[u8], resolver: &resolver::CliResolver) -> Result<ArcResult, CliError> {
    let mut validator = Validator::new(Config::default());
    validator
        .handle_input(message)
        .map_err(|_| CliError::Internal("input after end"))?;
    validator.handle_end();
    dns::resolve(&mut validator, resolver).map_err(CliError::Machine)
}

fn verify(
    global: &GlobalArgs,
    resolver: &resolver::CliResolver,
    file: &Path,
) -> Result<(), CliError> {
    let message = read_message(file)?;
    let result = validate(&message, resolver)?;
    if global.json {
        out!(
            "{}",
            json!({
                "cv": result.status.as_str(),
                "instances": result.instances,
                "oldest_pass": result.oldest_pass,
                "reason": result.failure.as_ref().map(ToString::to_string),
                "failed_instance": result.failed_instance,
                "sealers": result.seal_domains,
            })
        );
    } else {
        out!("{}", result.to_auth_result());
    }
    Ok(())
}

/// This hop as an ARC sealer: the key, names and signed header fields of its ARC sets.
pub(crate) struct Hop<'k> {
    pub(crate) key: &'k RingSigningKey,
    pub(crate) domain: Domain,
    pub(crate) selector: Selector,
    pub(crate) authserv_id: &'k str,
    pub(crate) headers: Option<Vec<String>>,
}

impl Hop<'_> {
    /// The ARC set for `message` with this hop's Authentication-Results field in front, given
    /// the chain's validation status; `None` when an earlier hop recorded a failed chain.
    pub(crate) fn seal(
        &self,
        chain: ChainStatus,
        results_field: &str,
        message: &[u8],
        now: u64,
    ) -> Result<Option<ArcSetFields>, CliError> {
        let mut spec = SealSpec::new(
            self.key,
            self.domain.clone(),
            self.selector.clone(),
            self.authserv_id,
        );
        spec.chain_status = Some(chain);
        spec.signed_headers = self.headers.clone();
        let mut sealer = Sealer::with_backend(RingBackend, spec, now);
        sealer.handle_input(results_field.as_bytes());
        sealer.handle_input(message);
        sealer
            .finish()
            .map_err(|error| CliError::Key(error.to_string()))
    }
}

fn seal(
    global: &GlobalArgs,
    resolver: &resolver::CliResolver,
    args: &SealArgs,
) -> Result<(), CliError> {
    let key = signing_key(&args.key)?;
    let (domain, selector) = signer_names(&args.domain, &args.selector)?;
    let now = global.now()?;
    let message = read_message(&args.file)?;

    // This hop's verdicts: SPF when the connection is given, every DKIM signature, the chain.
    let connection = match (args.ip, &args.helo, &args.sender) {
        (Some(ip), Some(helo), Some(sender)) => Some((ip, helo.as_str(), sender.as_str())),
        _ => None,
    };
    let config = crate::auth::pipeline_config(&args.authserv_id, &[])?;
    let found = authenticate(now, resolver, &message, connection, config)?;
    let results_field = format!("{}\r\n", found.results.to_field());
    let headers = args.headers.as_ref().map(|headers| {
        headers
            .split(':')
            .map(str::trim)
            .map(String::from)
            .collect()
    });
    let hop = Hop {
        key: &key,
        domain,
        selector,
        authserv_id: &args.authserv_id,
        headers,
    };
    let set = hop.seal(found.arc.status, &results_field, &message, now)?;
    let mut out = std::io::stdout().lock();
    match &set {
        Some(set) => out.write_all(set.to_prepend().as_bytes()),
        None => {
            // A chain an earlier hop recorded as failed is not extended (RFC 8617 §5.1.2).
            eprintln!("tegami: the chain already failed (cv=fail); no ARC set added");
            Ok(())
        }
    }
    .map_err(CliError::Write)?;
    if set
        .as_ref()
        .is_some_and(|set| set.chain_status == ChainStatus::Fail)
    {
        eprintln!("tegami: sealed a failed chain (cv=fail)");
    }
    out.write_all(results_field.as_bytes())
        .map_err(CliError::Write)?;
    out.write_all(&message).map_err(CliError::Write)?;
    out.flush().map_err(CliError::Write)
}
