//! `tegami auth FILE --ip IP --helo NAME --sender ADDR`: authenticate a received message and
//! print its Authentication-Results field.
//!
//! SPF, DKIM, ARC and then DMARC (RFC 9989) over their results. The one-call pipeline of the
//! `tegami` facade will replace this composition.

use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::json;
use tegami::arc::{ArcResult, Config as ArcConfig, Validator};
use tegami::core::auth_results::AuthenticationResults;
use tegami::core::dns::{self, ZoneResolver};
use tegami::dkim::{Config as DkimConfig, SignatureResult, Verifier};
use tegami::dmarc::{Config as DmarcConfig, Evaluation as DmarcEvaluation, Input as DmarcInput};
use tegami::mime::Author;
use tegami::spf::{Evaluation, Verdict};

use crate::GlobalArgs;
use crate::dkim::read_message;
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami auth`.
#[derive(Debug, clap::Args)]
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
}

/// What one receiving hop concluded about a message.
pub(crate) struct Authenticated {
    pub(crate) results: AuthenticationResults<'static>,
    pub(crate) spf: Option<Verdict>,
    pub(crate) dkim: Vec<SignatureResult>,
    pub(crate) arc: ArcResult,
    pub(crate) dmarc: tegami::dmarc::Verdict,
}

/// Runs SPF (when the connection is known), every DKIM signature and the ARC chain.
pub(crate) fn authenticate(
    global: &GlobalArgs,
    resolver: &ZoneResolver,
    message: &[u8],
    connection: Option<(IpAddr, &str, &str)>,
    authserv_id: &str,
) -> Result<Authenticated, CliError> {
    let mut results = AuthenticationResults::new(authserv_id.to_owned());
    let spf = match connection {
        Some((ip, helo, sender)) => {
            let mut evaluation = Evaluation::new(ip, helo, sender);
            let verdict = dns::resolve(&mut evaluation, resolver).map_err(CliError::Machine)?;
            results.results.push(verdict.to_auth_result());
            Some(verdict)
        }
        None => None,
    };
    let mut verifier = Verifier::new(DkimConfig::default(), global.now()?);
    verifier
        .handle_input(message)
        .map_err(|_| CliError::Internal("input after end"))?;
    verifier.handle_end();
    let dkim = dns::resolve(&mut verifier, resolver).map_err(CliError::Machine)?;
    results.results.extend(tegami::dkim::auth_results(&dkim));
    let mut validator = Validator::new(ArcConfig::default());
    validator
        .handle_input(message)
        .map_err(|_| CliError::Internal("input after end"))?;
    validator.handle_end();
    let arc = dns::resolve(&mut validator, resolver).map_err(CliError::Machine)?;
    results.results.push(arc.to_auth_result());
    let mut input = DmarcInput::from_author(&Author::from_message(message)).dkim(&dkim);
    if let Some(verdict) = &spf {
        input = input.spf(verdict);
    }
    if arc.status == tegami::arc::ChainStatus::Pass {
        let sealers = arc
            .seal_domains
            .iter()
            .filter_map(|d| tegami::core::domain::Domain::try_from(d.as_str()).ok())
            .collect();
        input = input.arc_pass(sealers);
    }
    let mut evaluation = DmarcEvaluation::new(input, DmarcConfig::default());
    let dmarc = dns::resolve(&mut evaluation, resolver).map_err(CliError::Machine)?;
    results.results.push(dmarc.to_auth_result());
    Ok(Authenticated {
        results,
        spf,
        dkim,
        arc,
        dmarc,
    })
}

/// Prints the Authentication-Results field, or with `--json` every verdict.
pub(crate) fn run(global: &GlobalArgs, args: &AuthArgs) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    let message = read_message(&args.file)?;
    let connection = Some((args.ip, args.helo.as_str(), args.sender.as_str()));
    let found = authenticate(global, &resolver, &message, connection, &args.authserv_id)?;
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
    let dkim: Vec<_> = found
        .dkim
        .iter()
        .map(|result| {
            json!({
                "domain": result.domain,
                "selector": result.selector,
                "algorithm": result.algorithm,
                "result": result.result.as_str(),
                "reason": result.reason(),
            })
        })
        .collect();
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
