//! `tegami auth FILE --ip IP --helo NAME --sender ADDR`: authenticate a received message and
//! print its Authentication-Results field.
//!
//! SPF, DKIM, ARC and then DMARC (RFC 9989) over their results, through the facade's
//! [`Authenticator`] pipeline.

use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::json;
use tegami::arc::ArcResult;
use tegami::authenticator::{Authenticator, Config, Connection};
use tegami::core::auth_results::AuthenticationResults;
use tegami::core::dns;
use tegami::core::domain::Domain;
use tegami::dkim::SignatureResult;
use tegami::spf::Verdict;

use crate::GlobalArgs;
use crate::dkim::{read_message, signature_json};
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami auth`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  tegami --zone examples/example.com.zone --now 1795424500 auth examples/signed.eml --ip 192.0.2.25 \\\n      --helo mail.example.com --sender alice@example.com --authserv-id mx.example.net\n  tegami --zone examples/example.com.zone --now 1795426000 auth examples/mailing-list.eml --ip 198.51.100.10 \\\n      --helo mail.lists.example.org --sender team-bounces@lists.example.org --trusted-forwarder lists.example.org"
)]
pub(crate) struct AuthArgs {
    /// The message as received (LF line ends are read as CRLF).
    file: PathBuf,
    /// The SMTP client's address.
    #[arg(long)]
    ip: IpAddr,
    /// The HELO/EHLO name the client gave.
    #[arg(long)]
    helo: String,
    /// The MAIL FROM address; an empty value is the null reverse-path.
    #[arg(long)]
    sender: String,
    /// This receiver's authserv-id (RFC 8601 §2.5).
    #[arg(long, value_name = "ID", default_value = "localhost")]
    authserv_id: String,
    /// An ARC sealer this receiver trusts: when its seal verifies and its recorded results show
    /// a pass aligned with the From domain, a failing DMARC policy is set aside
    /// (`trusted_forwarder`, RFC 9990, RFC 8617 §7.2.1); repeatable.
    #[arg(long, value_name = "DOMAIN")]
    trusted_forwarder: Vec<String>,
}

/// What one receiving hop concluded about a message.
pub(crate) struct Authenticated {
    pub(crate) results: AuthenticationResults<'static>,
    pub(crate) spf: Option<Verdict>,
    pub(crate) dkim: Vec<SignatureResult>,
    pub(crate) arc: ArcResult,
    pub(crate) dmarc: tegami::dmarc::Verdict,
}

/// Runs the facade's pipeline: SPF (when the connection is known), every DKIM signature, the
/// ARC chain and DMARC, with signature times checked against `now`.
pub(crate) fn authenticate(
    now: u64,
    resolver: &resolver::CliResolver,
    message: &[u8],
    connection: Option<(IpAddr, &str, &str)>,
    config: Config,
) -> Result<Authenticated, CliError> {
    let mut pipeline = match connection {
        Some((ip, helo, sender)) => Authenticator::new(
            Connection {
                ip,
                helo: helo.to_owned(),
                mail_from: sender.to_owned(),
            },
            config,
            now,
        ),
        None => Authenticator::without_spf(config, now),
    };
    pipeline
        .handle_input(message)
        .map_err(|_| CliError::Internal("input after end"))?;
    pipeline.handle_end();
    let outcome = dns::resolve(&mut pipeline, resolver).map_err(CliError::Machine)?;
    Ok(Authenticated {
        results: outcome.authentication_results,
        spf: outcome.spf,
        dkim: outcome.dkim,
        arc: outcome
            .arc
            .ok_or(CliError::Internal("ARC runs by default"))?,
        dmarc: outcome.dmarc,
    })
}

/// The pipeline's settings: this receiver's authserv-id and the ARC sealers it trusts.
pub(crate) fn pipeline_config(
    authserv_id: &str,
    trusted_forwarders: &[String],
) -> Result<Config, CliError> {
    let mut config = Config::new(authserv_id);
    for name in trusted_forwarders {
        let domain = Domain::try_from(name.as_str())
            .map_err(|error| CliError::Invalid("--trusted-forwarder", error.to_string()))?;
        config.dmarc.trusted_forwarders.push(domain);
    }
    Ok(config)
}

/// Prints the Authentication-Results field, or with `--json` every verdict.
pub(crate) fn run(global: &GlobalArgs, args: &AuthArgs) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    let message = read_message(&args.file)?;
    let connection = Some((args.ip, args.helo.as_str(), args.sender.as_str()));
    let found = authenticate(
        global.now()?,
        &resolver,
        &message,
        connection,
        pipeline_config(&args.authserv_id, &args.trusted_forwarder)?,
    )?;
    let field = found.results.to_field();
    if !global.json {
        out!("{field}");
        return Ok(());
    }
    let spf = found.spf.as_ref().map(|verdict| {
        json!({
            "result": verdict.result.as_str(),
            "domain": verdict.domain,
            "reason": verdict.reason,
        })
    });
    let dkim: Vec<_> = found.dkim.iter().map(signature_json).collect();
    let arc = json!({
        "cv": found.arc.status.as_str(),
        "instances": found.arc.instances,
        "oldest_pass": found.arc.oldest_pass,
        "reason": found.arc.failure.as_ref().map(ToString::to_string),
    });
    out!(
        "{}",
        json!({
            "authentication_results": field,
            "spf": spf,
            "dkim": dkim,
            "arc": arc,
            "dmarc": crate::dmarc::verdict_json(&found.dmarc),
        })
    );
    Ok(())
}
