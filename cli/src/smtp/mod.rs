//! `tegami smtp serve` and `tegami smtp send`: the SMTP machines of `tegami-smtp-proto` over
//! real sockets, with STARTTLS by rustls.

mod send;
mod serve;
mod stream;

use crate::GlobalArgs;
use crate::error::CliError;

/// Arguments of `tegami smtp`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  tegami --zone examples/example.com.zone smtp serve --listen 127.0.0.1:2525 --out /tmp/maildir\n  tegami --json smtp send --server 127.0.0.1:2525 --from alice@example.com --to bob@example.net examples/signed.eml"
)]
pub(crate) struct SmtpArgs {
    #[command(subcommand)]
    command: SmtpCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SmtpCommand {
    /// Receive mail: authenticate each message and store it in a Maildir.
    Serve(serve::ServeArgs),
    /// Send one message to a server (relay or submission).
    Send(send::SendArgs),
}

/// Runs the subcommand.
pub(crate) fn run(global: &GlobalArgs, args: &SmtpArgs) -> Result<(), CliError> {
    match &args.command {
        SmtpCommand::Serve(args) => serve::run(global, args),
        SmtpCommand::Send(args) => send::run(global, args),
    }
}
