//! `tegami spf --ip IP --helo NAME --sender ADDR`: an SPF verdict and its Received-SPF field.

use std::net::IpAddr;

use serde_json::json;
use tegami::core::dns;
use tegami::spf::{Config, Evaluation, Identity, ReceivedSpf};

use crate::GlobalArgs;
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami spf`.
#[derive(Debug, clap::Args)]
pub(crate) struct SpfArgs {
    /// The SMTP client's address.
    #[arg(long)]
    ip: IpAddr,
    /// The HELO/EHLO name the client gave.
    #[arg(long)]
    helo: String,
    /// The MAIL FROM address; an empty value is the null reverse-path, which checks HELO.
    #[arg(long)]
    sender: String,
    /// The receiving host, for `receiver=` and the `%{r}` macro.
    #[arg(long, value_name = "NAME")]
    receiver: Option<String>,
}

/// Runs the evaluation and prints the verdict.
pub(crate) fn run(global: &GlobalArgs, args: &SpfArgs) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    let mut config = Config::default();
    config.receiver.clone_from(&args.receiver);
    config.now = Some(global.now()?);
    let mut evaluation = Evaluation::with_config(args.ip, &args.helo, &args.sender, config);
    let verdict = dns::resolve(&mut evaluation, &resolver).map_err(CliError::Machine)?;
    let received_spf = ReceivedSpf {
        verdict: &verdict,
        client_ip: args.ip,
        helo: &args.helo,
        envelope_from: &args.sender,
        receiver: args.receiver.as_deref(),
    }
    .to_field();
    if global.json {
        let identity = match verdict.identity {
            Identity::MailFrom => "mailfrom",
            Identity::Helo => "helo",
        };
        println!(
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
        println!("{received_spf}");
    }
    Ok(())
}
