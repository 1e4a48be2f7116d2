//! `tegami smtp send`: deliver one message to a server with the client session.

use base64::Engine as _;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tegami::core::Secret;
use tegami::smtp::client::{
    Client, ClientConfig, ClientError, ClientEvent, Delivery, Envelope, TlsPolicy,
};

use super::stream::{self, Stream};
use crate::GlobalArgs;
use crate::error::CliError;

/// Arguments of `tegami smtp send`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  TEGAMI_SMTP_PASSWORD=secret tegami smtp send --server smtp.example.com:587 --starttls \\\n      --auth jane --from jane@example.com --to bob@example.org message.eml\n\nWithout --ca-file the server's certificate is not verified (opportunistic TLS, RFC 7435)."
)]
pub(crate) struct SendArgs {
    /// The server, as HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    server: String,
    /// The envelope sender (MAIL FROM); empty for the null reverse-path.
    #[arg(long, value_name = "ADDR")]
    from: String,
    /// An envelope recipient (RCPT TO); repeatable.
    #[arg(long, value_name = "ADDR", required = true)]
    to: Vec<String>,
    /// The name to give in EHLO.
    #[arg(long, default_value = "localhost")]
    helo: String,
    /// Require STARTTLS (without it, TLS is used when offered).
    #[arg(long, conflicts_with = "no_tls")]
    starttls: bool,
    /// Never use TLS.
    #[arg(long)]
    no_tls: bool,
    /// Verify the server's certificate against the PEM certificates in this file.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// Authenticate as USER; the password comes from the environment variable
    /// TEGAMI_SMTP_PASSWORD.
    #[arg(long, value_name = "USER")]
    auth: Option<String>,
    /// Send the data with DATA even when the server offers CHUNKING (BDAT).
    #[arg(long)]
    data: bool,
    /// The message to send, as is.
    file: PathBuf,
}

/// Connects, sends, and prints the outcome.
pub(crate) fn run(global: &GlobalArgs, args: &SendArgs) -> Result<(), CliError> {
    let message = std::fs::read(&args.file).map_err(|source| CliError::Read {
        path: args.file.clone(),
        source,
    })?;
    let bracket = |address: &str| {
        if address.starts_with('<') {
            address.to_owned()
        } else {
            format!("<{address}>")
        }
    };
    let recipients: Vec<String> = args.to.iter().map(|to| bracket(to)).collect();
    let envelope = Envelope::new(&bracket(&args.from), recipients.iter().map(String::as_str))
        .map_err(|error| CliError::Invalid("address", error.to_string()))?;
    let mut config = ClientConfig::new(args.helo.clone());
    config.tls = if args.starttls {
        TlsPolicy::Required
    } else if args.no_tls {
        TlsPolicy::Never
    } else {
        TlsPolicy::Opportunistic
    };
    config.prefer_chunking = !args.data;
    if let Some(user) = &args.auth {
        let password = std::env::var("TEGAMI_SMTP_PASSWORD").map_err(|_| {
            CliError::MissingArgument("TEGAMI_SMTP_PASSWORD in the environment for --auth")
        })?;
        config.credentials = Some((user.clone(), Secret::new(password)));
        // SCRAM-SHA-256's client nonce: fresh for this connection.
        let nonce = super::serve::random_bytes::<18>()?;
        config.sasl_nonce = Some(base64::engine::general_purpose::STANDARD.encode(nonce));
    }
    let tls = stream::client_config(args.ca_file.as_deref())?;
    let host = args
        .server
        .rsplit_once(':')
        .map_or(args.server.as_str(), |(host, _)| host)
        .trim_matches(['[', ']']);
    let tcp = TcpStream::connect(&args.server).map_err(|source| CliError::Read {
        path: PathBuf::from(&args.server),
        source,
    })?;
    let mut client = Client::new(config);
    client.send_message(envelope, message);
    client.quit();
    let (delivery, failure) =
        converse(&mut client, Stream::Plain(tcp), &tls, host).map_err(|source| CliError::Read {
            path: PathBuf::from(&args.server),
            source,
        })?;
    print(global, &client, delivery.as_ref(), failure.as_ref())
}

/// Runs the session over the socket until it closes.
fn converse(
    client: &mut Client,
    mut stream: Stream,
    tls: &std::sync::Arc<rustls::ClientConfig>,
    host: &str,
) -> io::Result<(Option<Delivery>, Option<ClientError>)> {
    let mut out = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    let (mut delivery, mut failure) = (None, None);
    loop {
        while let Some(event) = client.poll(&mut out) {
            match event {
                ClientEvent::Delivered(done) => delivery = Some(done),
                ClientEvent::Failed(error) => failure = Some(error),
                ClientEvent::StartTls => {
                    stream.write_all(&out)?;
                    stream.flush()?;
                    out.clear();
                    stream = stream.connect_tls(tls, host)?;
                    client.handle_tls_established();
                }
                ClientEvent::Close => {
                    stream.write_all(&out)?;
                    stream.flush()?;
                    return Ok((delivery, failure));
                }
                _ => {}
            }
        }
        if !out.is_empty() {
            stream.write_all(&out)?;
            stream.flush()?;
            out.clear();
        }
        stream.tcp().set_read_timeout(Some(
            client.poll_timeout().unwrap_or(Duration::from_secs(300)),
        ))?;
        match stream.read(&mut buffer) {
            Ok(0) => return Ok((delivery, failure.or(Some(ClientError::Timeout)))),
            Ok(read) => client.handle_input(buffer.get(..read).unwrap_or_default()),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                client.handle_timeout();
            }
            Err(error) => return Err(error),
        }
    }
}

fn print(
    global: &GlobalArgs,
    client: &Client,
    delivery: Option<&Delivery>,
    failure: Option<&ClientError>,
) -> Result<(), CliError> {
    let accepted = delivery.is_some_and(Delivery::is_accepted);
    let reply = delivery
        .and_then(|delivery| delivery.data.as_ref())
        .map(|reply| reply.to_string().trim_end().to_owned());
    if global.json {
        let recipients: Vec<_> = delivery
            .map(|delivery| {
                delivery
                    .recipients
                    .iter()
                    .map(|(to, reply)| json!({"address": to.to_string(), "code": reply.code(), "reply": reply.to_string().trim_end()}))
                    .collect()
            })
            .unwrap_or_default();
        out!(
            "{}",
            json!({
                "delivered": accepted,
                "tls": client.tls_active(),
                "authenticated": client.authenticated(),
                "auth_mechanism": client.auth_mechanism().map(tegami::smtp::sasl::Mechanism::name),
                "recipients": recipients,
                "reply": reply,
                "error": failure.map(ToString::to_string),
            })
        );
        return Ok(());
    }
    if let Some(delivery) = delivery {
        for (to, reply) in &delivery.recipients {
            out!("{to}: {}", reply.to_string().trim_end());
        }
    }
    match (accepted, failure) {
        (true, _) => out!("delivered: {}", reply.unwrap_or_default()),
        (false, Some(error)) => out!("not delivered: {error}"),
        (false, None) => out!(
            "not delivered: {}",
            reply.unwrap_or_else(|| "no recipient accepted".into())
        ),
    }
    Ok(())
}
