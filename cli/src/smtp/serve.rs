//! `tegami smtp serve`: a receiving SMTP server (relay or submission) that authenticates each
//! message with the facade's pipeline and stores it in a Maildir.
//!
//! One thread per connection drives a [`Server`] session. Nothing is acknowledged before it is
//! on disk: the message is written to `tmp/`, fsynced, renamed into `new/` and the directory
//! fsynced, and only then does the session send its 250.
//!
//! The resources a flood of clients can take are bounded: at most `--max-connections`
//! sessions run at once (a client over the limit gets 421 and is closed, RFC 5321 §3.8), each
//! holds at most one message of `--max-size` octets, and a silent client is dropped after the
//! session's RFC 5321 §4.5.3.2 timeouts.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use base64::Engine as _;
use tegami::core::crypto::RingSigningKey;
use tegami::core::domain::Domain;
use tegami::dkim::Selector;
use tegami::dmarc::{DmarcResult, Policy};
use tegami::smtp::reply::{EnhancedStatus, Reply};
use tegami::smtp::sasl::scram::ScramKeys;
use tegami::smtp::sasl::{Credentials, Mechanism};
use tegami::smtp::server::{Event, Server, ServerConfig};

use super::stream::{self, Stream};
use crate::GlobalArgs;
use crate::error::CliError;

/// Arguments of `tegami smtp serve`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  tegami --zone examples/example.com.zone smtp serve --listen 127.0.0.1:2525 --out /tmp/maildir\n\nEach accepted message is stored in DIR/new with this hop's Authentication-Results field\n(and, with --arc-key, its ARC set) in front; `listening on ADDR` is printed once the socket\nis bound."
)]
pub(crate) struct ServeArgs {
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR")]
    listen: SocketAddr,
    /// The Maildir to store messages in (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// This server's name in the greeting, the EHLO reply and the authserv-id.
    #[arg(long, default_value = "localhost")]
    hostname: String,
    /// PEM certificate chain for STARTTLS.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for STARTTLS.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Submission mode (RFC 6409): AUTH (after STARTTLS) before MAIL.
    #[arg(long, requires = "users")]
    submission: bool,
    /// Users for AUTH (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256): one `name:password` per line.
    #[arg(long, value_name = "FILE")]
    users: Option<PathBuf>,
    /// Offer AUTH without TLS (for tests on loopback only).
    #[arg(long)]
    allow_plaintext_auth: bool,
    /// Answer 550 5.7.1 when DMARC fails for a domain whose policy is reject (not in testing
    /// mode, not set aside by a trusted forwarder).
    #[arg(long)]
    reject_dmarc: bool,
    /// An ARC sealer whose verified seal, recording an aligned pass on arrival, sets a failing
    /// DMARC policy aside; repeatable.
    #[arg(long, value_name = "DOMAIN")]
    trusted_forwarder: Vec<String>,
    /// Seal each message as a forwarder (ARC, RFC 8617) with this key (PEM, RSA or Ed25519).
    #[arg(long, value_name = "PEM", requires_all = ["arc_domain", "arc_selector"])]
    arc_key: Option<PathBuf>,
    /// The ARC sealing domain (`d=`).
    #[arg(long, value_name = "D", requires = "arc_key")]
    arc_domain: Option<String>,
    /// The ARC selector (`s=`).
    #[arg(long, value_name = "S", requires = "arc_key")]
    arc_selector: Option<String>,
    /// The largest message accepted, in octets.
    #[arg(long, value_name = "OCTETS", default_value_t = 25 * 1024 * 1024)]
    max_size: u64,
    /// How many sessions run at once; a client over the limit is answered 421 and closed.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
}

/// What every connection shares.
struct Shared {
    config: ServerConfig,
    tls: Option<Arc<rustls::ServerConfig>>,
    users: HashMap<String, String>,
    /// The SCRAM-SHA-256 keys of each user.
    scram: HashMap<String, ScramKeys>,
    maildir: PathBuf,
    resolver: crate::resolver::CliResolver,
    pipeline: tegami::authenticator::Config,
    authserv_id: String,
    reject_dmarc: bool,
    arc: Option<(RingSigningKey, Domain, Selector)>,
    now: Option<u64>,
    counter: AtomicU64,
    /// Sessions running now.
    sessions: AtomicUsize,
    max_sessions: usize,
}

/// A running session's place under `--max-connections`, given back when the session ends.
struct Slot(Arc<Shared>);

impl Slot {
    /// A place for one more session, or `None` when `--max-connections` are running.
    fn take(shared: &Arc<Shared>) -> Option<Slot> {
        let taken = shared
            .sessions
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |running| {
                (running < shared.max_sessions).then_some(running + 1)
            });
        taken.ok().map(|_| Slot(Arc::clone(shared)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Binds, prints the address, and serves until killed.
pub(crate) fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<(), CliError> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(stream::server_config(cert, key)?),
        _ => None,
    };
    if args.submission && tls.is_none() && !args.allow_plaintext_auth {
        return Err(CliError::MissingArgument(
            "--tls-cert and --tls-key (or --allow-plaintext-auth) for --submission",
        ));
    }
    let mut config = if args.submission {
        ServerConfig::submission(args.hostname.clone())
    } else {
        ServerConfig::new(args.hostname.clone())
    };
    config.tls_available = tls.is_some();
    config.max_message_size = Some(args.max_size);
    if args.users.is_some() {
        // Every mechanism the session has: the client picks; the challenge-response ones need
        // the per-connection nonce each session gets below.
        config.auth_mechanisms = vec![
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::CramMd5,
            Mechanism::ScramSha256,
        ];
    }
    config.auth_requires_tls = !args.allow_plaintext_auth;
    let users = match &args.users {
        Some(path) => read_users(path)?,
        None => HashMap::new(),
    };
    // What a SCRAM server stores instead of the password: keys derived with a random salt.
    let mut scram = HashMap::new();
    for (name, password) in &users {
        let salt = random_bytes::<16>()?;
        scram.insert(
            name.clone(),
            ScramKeys::derive(password.as_bytes(), &salt, SCRAM_ITERATIONS),
        );
    }
    for folder in ["tmp", "new", "cur"] {
        let path = args.out.join(folder);
        std::fs::create_dir_all(&path).map_err(|source| CliError::Create { path, source })?;
    }
    let resolver = crate::resolver::from_flags(global)?;
    let arc = match (&args.arc_key, &args.arc_domain, &args.arc_selector) {
        (Some(key), Some(domain), Some(selector)) => {
            let (domain, selector) = crate::dkim::signer_names(domain, selector)?;
            Some((crate::dkim::signing_key(key)?, domain, selector))
        }
        _ => None,
    };
    let listener = TcpListener::bind(args.listen).map_err(|source| CliError::Create {
        path: PathBuf::from(args.listen.to_string()),
        source,
    })?;
    let address = listener.local_addr().map_err(CliError::Write)?;
    out!("listening on {address}");
    let shared = Arc::new(Shared {
        config,
        tls,
        users,
        scram,
        maildir: args.out.clone(),
        resolver,
        pipeline: crate::auth::pipeline_config(&args.hostname, &args.trusted_forwarder)?,
        authserv_id: args.hostname.clone(),
        reject_dmarc: args.reject_dmarc,
        arc,
        now: global.now,
        counter: AtomicU64::new(0),
        sessions: AtomicUsize::new(0),
        max_sessions: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
    });
    for connection in listener.incoming() {
        let Ok(mut tcp) = connection else { continue };
        let Some(slot) = Slot::take(&shared) else {
            // RFC 5321 §3.8: a server that cannot serve now says 421 and closes.
            let busy = Reply::new(
                421,
                Some(EnhancedStatus::new(4, 3, 2)),
                "Too many connections, try again later",
            );
            let mut bytes = Vec::new();
            busy.write_to(&mut bytes);
            let _ = tcp.write_all(&bytes);
            continue;
        };
        std::thread::spawn(move || {
            // The slot is held until the session ends.
            if let Err(error) = session(&slot.0, tcp) {
                eprintln!("tegami: connection: {error}");
            }
        });
    }
    Ok(())
}

/// The envelope facts the pipeline needs, gathered from the session's events.
#[derive(Default)]
struct Transaction {
    helo: String,
    sender: String,
    message: Vec<u8>,
}

/// Drives one connection to its end.
fn session(shared: &Shared, tcp: TcpStream) -> io::Result<()> {
    let peer = tcp.peer_addr()?.ip();
    let mut stream = Stream::Plain(tcp);
    let mut server = Server::new(shared.config.clone());
    // A fresh value per connection for CRAM-MD5 challenges and SCRAM nonces.
    let nonce = random_bytes::<18>().map_err(|error| io::Error::other(error.to_string()))?;
    server
        .set_sasl_nonce(&base64::engine::general_purpose::STANDARD.encode(nonce))
        .map_err(io::Error::other)?;
    let mut out = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut transaction = Transaction::default();
    loop {
        while let Some(event) = server.poll(&mut out) {
            let request = event.request();
            let mut verdict: Result<(), Reply<'static>> = Ok(());
            match event {
                Event::Data(chunk) => transaction.message.extend_from_slice(chunk),
                Event::MessageRefused { .. } | Event::Reset => transaction.message.clear(),
                Event::Hello { name, .. } => transaction.helo = name.to_owned(),
                Event::Mail { from, .. } => {
                    transaction.sender = from.to_string().trim_matches(['<', '>']).to_owned();
                }
                Event::Authenticate { credentials, .. } => verdict = check(shared, credentials),
                Event::ScramKeys {
                    request, username, ..
                } => {
                    // Answered with the user's keys (the session checks the proof), or refused.
                    match shared.scram.get(username).cloned() {
                        Some(keys) => server.scram_keys(request, keys),
                        None => server.reject(request, refused()),
                    }
                    .map_err(io::Error::other)?;
                    continue;
                }
                Event::MessageComplete { .. } => {
                    let message = std::mem::take(&mut transaction.message);
                    verdict = deliver(shared, peer, &transaction, message);
                }
                Event::StartTls => {
                    stream.write_all(&out)?;
                    stream.flush()?;
                    out.clear();
                    let Some(tls) = &shared.tls else {
                        return Err(io::Error::other("STARTTLS without a certificate"));
                    };
                    stream = stream.accept_tls(tls)?;
                    server.handle_tls_established();
                }
                Event::Close => {
                    stream.write_all(&out)?;
                    return stream.flush();
                }
                _ => {}
            }
            if let Some(request) = request {
                let decided = match verdict {
                    Ok(()) => server.accept(request),
                    Err(reply) => server.reject(request, reply),
                };
                decided.map_err(io::Error::other)?;
            }
        }
        if !out.is_empty() {
            stream.write_all(&out)?;
            stream.flush()?;
            out.clear();
        }
        stream.tcp().set_read_timeout(server.poll_timeout())?;
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => server.handle_input(buffer.get(..read).unwrap_or_default()),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                server.handle_timeout();
            }
            Err(error) => return Err(error),
        }
    }
}

/// 535 5.7.8, the answer to every failed authentication.
fn refused() -> Reply<'static> {
    Reply::new(
        535,
        Some(EnhancedStatus::new(5, 7, 8)),
        "Authentication credentials invalid",
    )
}

fn check(shared: &Shared, credentials: &Credentials) -> Result<(), Reply<'static>> {
    let known = shared.users.get(credentials.username());
    let good = match credentials {
        Credentials::Password { password, .. } => known == Some(password.expose()),
        Credentials::CramMd5 { .. } => {
            known.is_some_and(|known| credentials.verify_cram_md5(known.as_bytes()))
        }
        // The session verified the proof against this user's keys.
        Credentials::Scram { .. } => shared.scram.contains_key(credentials.username()),
        _ => false,
    };
    if good { Ok(()) } else { Err(refused()) }
}

/// PBKDF2 iterations of the SCRAM keys derived at start (RFC 7677 §4 asks for at least 4096).
const SCRAM_ITERATIONS: u32 = 4096;

/// `N` bytes from the operating system's random source.
pub(super) fn random_bytes<const N: usize>() -> Result<[u8; N], CliError> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| CliError::Internal("no random source"))?;
    Ok(bytes)
}

/// Authenticates the message, applies `--reject-dmarc`, seals it with `--arc-key`, and stores
/// it behind the new fields.
fn deliver(
    shared: &Shared,
    peer: IpAddr,
    transaction: &Transaction,
    message: Vec<u8>,
) -> Result<(), Reply<'static>> {
    let temporary = |text: &'static str| Reply::new(451, Some(EnhancedStatus::new(4, 3, 0)), text);
    let now = crate::clock(shared.now).map_err(|_| temporary("No clock"))?;
    let connection = Some((peer, transaction.helo.as_str(), transaction.sender.as_str()));
    let found = crate::auth::authenticate(
        now,
        &shared.resolver,
        &message,
        connection,
        shared.pipeline.clone(),
    )
    .map_err(|_| temporary("Authentication failed to run"))?;
    if shared.reject_dmarc
        && found.dmarc.result == DmarcResult::Fail
        && found.dmarc.disposition == Policy::Reject
    {
        return Err(Reply::new(
            550,
            Some(EnhancedStatus::new(5, 7, 1)),
            "Rejected by the DMARC policy of the From domain",
        ));
    }
    let results_field = format!("{}\r\n", found.results.to_field());
    let mut stored = Vec::with_capacity(message.len() + 2048);
    if let Some((key, domain, selector)) = &shared.arc {
        let hop = crate::arc::Hop {
            key,
            domain: domain.clone(),
            selector: selector.clone(),
            authserv_id: &shared.authserv_id,
            headers: None,
        };
        // A chain an earlier hop recorded as failed is not extended (RFC 8617 §5.1.2).
        if let Some(set) = hop
            .seal(found.arc.status, &results_field, &message, now)
            .map_err(|_| temporary("Cannot seal the message"))?
        {
            stored.extend_from_slice(set.to_prepend().as_bytes());
        }
    }
    stored.extend_from_slice(results_field.as_bytes());
    stored.extend_from_slice(&message);
    store(shared, &stored).map_err(|_| temporary("Cannot store the message"))
}

/// Writes a Maildir file: `tmp/`, fsync, rename into `new/`, fsync the folder.
fn store(shared: &Shared, message: &[u8]) -> io::Result<()> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    let count = shared.counter.fetch_add(1, Ordering::Relaxed);
    let name = format!(
        "{seconds}.P{}Q{count}.{}",
        std::process::id(),
        shared.config.hostname
    );
    let temporary = shared.maildir.join("tmp").join(&name);
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(message)?;
    file.sync_all()?;
    let new = shared.maildir.join("new");
    std::fs::rename(&temporary, new.join(&name))?;
    std::fs::File::open(&new)?.sync_all()
}

fn read_users(path: &Path) -> Result<HashMap<String, String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_owned(),
        source,
    })?;
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            line.split_once(':')
                .map(|(name, password)| (name.to_owned(), password.to_owned()))
                .ok_or_else(|| CliError::Invalid("--users line", "expected name:password".into()))
        })
        .collect()
}
