//! The sans-IO SMTP server session, RFC 5321 with the ESMTP extensions of this crate.
//!
//! [`Server`] reads what the client sends, answers what it can by itself (syntax, command
//! order, limits, NOOP, HELP, VRFY), and asks the application about everything that is policy:
//! the client's name, its credentials, the sender, each recipient, and every message. Message
//! data comes out un-stuffed, in chunks that can feed a DKIM verifier directly.
//!
//! See [`Server`] for the caller loop.

mod config;
mod data;

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use core::time::Duration;

pub use config::{AfterStartTls, ServerConfig};
use data::{DataReader, Scan};
use tegami_core::Secret;
use tegami_core::mailbox::{ReversePath, ReversePathRef};

use crate::command::{Body, Command, ForwardPath, ForwardPathRef, MailParameters, RcptParameters};
use crate::ehlo::{Ehlo, Extension, Words};
use crate::reply::{EnhancedStatus, Reply};
use crate::sasl::{self, Credentials, Mechanism, SaslError};

/// One SMTP server session (one connection), as a state machine.
///
/// **Report what happened:**
/// - [`handle_input`](Server::handle_input): bytes read from the client.
/// - [`handle_tls_established`](Server::handle_tls_established): the TLS handshake that
///   [`Event::StartTls`] asked for has completed.
/// - [`handle_timeout`](Server::handle_timeout): the time [`poll_timeout`](Server::poll_timeout)
///   gave passed without input.
///
/// **Record the application's decisions** on the [`Request`] of an event:
/// [`accept`](Server::accept), [`accept_with`](Server::accept_with),
/// [`reject`](Server::reject), and for SCRAM-SHA-256 [`scram_keys`](Server::scram_keys); and
/// [`close`](Server::close) at any time. CRAM-MD5 and SCRAM-SHA-256 are offered only once
/// [`set_sasl_nonce`](Server::set_sasl_nonce) gave the session a fresh random value: the
/// session has no randomness of its own.
///
/// **Ask what to do next:** [`poll`](Server::poll) appends the bytes to send to your buffer
/// and returns the next [`Event`]; call it until it returns `None`, then write the buffer (so
/// pipelined replies go out together, RFC 2920 §3.2) and read more input.
/// [`poll_timeout`](Server::poll_timeout) says how long to wait for that input.
///
/// **Nothing is lost:** the 250 after the final dot is sent only after the application has
/// accepted the message ([`Event::MessageComplete`]); data chunks not followed by
/// `MessageComplete` (a refused message, a reset, a closed connection) must be discarded.
///
/// ```
/// use tegami_smtp_proto::server::{Event, Server, ServerConfig};
///
/// let mut server = Server::new(ServerConfig::new("mx.example"));
/// server.handle_input(b"EHLO client.example\r\nMAIL FROM:<a@client.example>\r\n\
///     RCPT TO:<b@mx.example>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
/// let (mut out, mut message) = (Vec::new(), Vec::new());
/// while let Some(event) = server.poll(&mut out) {
///     match event {
///         Event::Data(chunk) => message.extend_from_slice(chunk),
///         Event::Close => break,
///         event => match event.request() {
///             Some(request) => server.accept(request)?, // every check passes in this example
///             None => {}
///         },
///     }
/// }
/// assert_eq!(message, b"Subject: hi\r\n\r\n.dot\r\n");
/// let replies = String::from_utf8(out)?;
/// assert!(replies.starts_with("220 mx.example ESMTP\r\n250-mx.example"));
/// assert!(replies.ends_with("354 End data with <CR><LF>.<CR><LF>\r\n\
///     250 2.0.0 Message accepted\r\n221 2.0.0 Bye\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    input: Vec<u8>,
    start: usize,
    skipping_line: bool,
    output: Vec<u8>,
    phase: Phase,
    greeted: bool,
    helo: Option<Hello>,
    tls: bool,
    authenticated: Option<Authenticated>,
    envelope: Option<Envelope>,
    recipients_tried: usize,
    bdat_started: bool,
    message_size: u64,
    messages: usize,
    errors: usize,
    pending: Option<Pending>,
    sasl_nonce: Option<String>,
    auth_attempts: u32,
    announced: bool,
    next_request: u64,
    queue: VecDeque<Queued>,
}

/// What the session reports or asks; see [`Server::poll`].
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'s> {
    /// HELO or EHLO: accept to answer 250 (with the extensions for EHLO), or reject.
    Hello {
        /// The decision handle.
        request: Request,
        /// The name the client gave, as written.
        name: &'s str,
        /// EHLO rather than HELO.
        extended: bool,
    },
    /// AUTH SCRAM-SHA-256 started for this user: hand the user's stored keys to
    /// [`Server::scram_keys`], or reject (535 5.7.8 by default; an unknown user can be given
    /// made-up keys instead, so that the exchange fails only at the proof, RFC 5802 §9).
    ScramKeys {
        /// The decision handle.
        request: Request,
        /// The user name.
        username: &'s str,
        /// The identity the client asks to act as, when it differs.
        authorization_id: Option<&'s str>,
    },
    /// AUTH: check the credentials; accept answers 235, reject with 535 5.7.8 usually.
    /// [`Credentials::CramMd5`] is checked with [`Credentials::verify_cram_md5`];
    /// [`Credentials::Scram`] arrives only after the session verified the client's proof.
    Authenticate {
        /// The decision handle.
        request: Request,
        /// The mechanism used.
        mechanism: Mechanism,
        /// What the client sent.
        credentials: &'s Credentials,
    },
    /// MAIL FROM passed every check of syntax, order and parameters.
    Mail {
        /// The decision handle.
        request: Request,
        /// The reverse path.
        from: &'s ReversePath,
        /// Its parameters (AUTH= is the client's claim, to be trusted only from a trusted
        /// client, RFC 4954 §5).
        parameters: &'s MailParameters<'static>,
    },
    /// RCPT TO passed every check of syntax, order, parameters and count.
    Recipient {
        /// The decision handle.
        request: Request,
        /// The recipient.
        to: &'s ForwardPath,
        /// Its parameters.
        parameters: &'s RcptParameters<'static>,
    },
    /// A chunk of message data, un-stuffed, with CRLF line ends as the client sent them.
    Data(&'s [u8]),
    /// The whole message has arrived: store it, then accept (250) or reject.
    MessageComplete {
        /// The decision handle.
        request: Request,
    },
    /// The session refused the message being received; discard its data. The reply goes
    /// out when the client finishes sending it.
    MessageRefused {
        /// Why.
        reason: Refusal,
    },
    /// The mail transaction was dropped (RSET, a new HELO/EHLO, STARTTLS): forget its
    /// sender, recipients and data.
    Reset,
    /// Write the output, then run the TLS handshake as server and call
    /// [`Server::handle_tls_established`].
    StartTls,
    /// Write the output, then close the connection.
    Close,
}

/// The handle of a decision the session waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Request(u64);

/// Why the session refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// A bare CR or LF in DATA (SMTP smuggling); see [`ServerConfig::allow_bare_line_endings`].
    BareLineEnding,
    /// The message exceeds [`ServerConfig::max_message_size`].
    TooLarge,
}

/// The mail transaction in progress: the accepted sender and recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path of MAIL.
    pub from: ReversePath,
    /// The parameters of MAIL.
    pub parameters: MailParameters<'static>,
    /// The accepted recipients, in order.
    pub recipients: Vec<Recipient>,
}

/// An accepted recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The forward path.
    pub to: ForwardPath,
    /// The parameters of RCPT.
    pub parameters: RcptParameters<'static>,
}

/// The identity a client authenticated as. It is independent of every MAIL FROM the client
/// then gives: comparing the two is the application's policy ("Weak Links in Authentication
/// Chains", USENIX Security 2021, attack A1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The mechanism used.
    pub mechanism: Mechanism,
    /// The user name.
    pub username: String,
    /// The identity the client acts as (the authorization identity when given).
    pub identity: String,
}

/// The client's HELO or EHLO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// The name given, as written.
    pub name: String,
    /// EHLO rather than HELO.
    pub extended: bool,
}

/// A call that breaks the session's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The request is not the one the session waits for (already decided, or never issued).
    #[error("no such pending request")]
    UnknownRequest,
    /// A SCRAM-SHA-256 request is answered with [`Server::scram_keys`] or rejected, not
    /// accepted.
    #[error("a SCRAM request needs the user's keys")]
    NeedsScramKeys,
}

/// The value given to [`Server::set_sasl_nonce`] cannot be part of a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a SASL nonce is 8 to 128 printable ASCII characters without `,`, `<`, `>` or `@`")]
pub struct InvalidNonce;

#[derive(Debug)]
enum Phase {
    Command,
    Auth(AuthStep),
    Data {
        reader: DataReader,
        refused: Option<Refusal>,
    },
    Bdat {
        remaining: u64,
        last: bool,
        rejected: Option<Reply<'static>>,
    },
    AwaitTls,
    Closed,
}

#[derive(Debug)]
enum AuthStep {
    Response(Mechanism),
    LoginPassword(Secret<Vec<u8>>),
    /// A refused bearer token: the error challenge went out; the client's dummy response
    /// gets this reply (RFC 7628 §3.2.2).
    BearerRefused(Reply<'static>),
    /// The CRAM-MD5 challenge went out.
    CramMd5(String),
    /// The SCRAM server-first message went out; the client-final comes next.
    ScramFinal(Box<sasl::scram::ServerExchange>),
    /// The SCRAM server-final message went out; the client's empty response comes next.
    ScramDone(Box<sasl::scram::ServerExchange>),
}

#[derive(Debug)]
enum Pending {
    Hello {
        request: Request,
        hello: Hello,
    },
    Auth {
        request: Request,
        mechanism: Mechanism,
        credentials: Credentials,
    },
    ScramKeys {
        request: Request,
        client: sasl::scram::ClientFirst,
    },
    Mail {
        request: Request,
        from: ReversePath,
        parameters: MailParameters<'static>,
    },
    Rcpt {
        request: Request,
        recipient: Recipient,
    },
    Message {
        request: Request,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queued {
    Refused(Refusal),
    Reset,
    StartTls,
    Close,
}

enum Step {
    Pending,
    Data(Range<usize>),
    Queued(Queued),
}

impl Pending {
    fn request(&self) -> Request {
        match self {
            Pending::Hello { request, .. }
            | Pending::Auth { request, .. }
            | Pending::ScramKeys { request, .. }
            | Pending::Mail { request, .. }
            | Pending::Rcpt { request, .. }
            | Pending::Message { request } => *request,
        }
    }
}

impl Event<'_> {
    /// The decision handle, for the events that wait for one.
    pub fn request(&self) -> Option<Request> {
        match self {
            Event::Hello { request, .. }
            | Event::Authenticate { request, .. }
            | Event::ScramKeys { request, .. }
            | Event::Mail { request, .. }
            | Event::Recipient { request, .. }
            | Event::MessageComplete { request } => Some(*request),
            _ => None,
        }
    }
}

impl Server {
    /// A session for a new connection; the greeting goes out at the first [`Server::poll`].
    pub fn new(config: ServerConfig) -> Server {
        Server {
            tls: config.tls_at_start,
            config,
            input: Vec::new(),
            start: 0,
            skipping_line: false,
            output: Vec::new(),
            phase: Phase::Command,
            greeted: false,
            helo: None,
            authenticated: None,
            envelope: None,
            recipients_tried: 0,
            bdat_started: false,
            message_size: 0,
            messages: 0,
            errors: 0,
            pending: None,
            sasl_nonce: None,
            auth_attempts: 0,
            announced: false,
            next_request: 0,
            queue: VecDeque::new(),
        }
    }

    /// Reports bytes read from the client.
    ///
    /// Bytes that arrive while the session waits for the TLS handshake or after it closed are
    /// dropped: they are plaintext injected behind STARTTLS or noise after QUIT.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if matches!(self.phase, Phase::AwaitTls | Phase::Closed) {
            return;
        }
        if self.start > 0 && (self.start == self.input.len() || self.start >= 4096) {
            self.input.drain(..self.start);
            self.start = 0;
        }
        self.input.extend_from_slice(bytes);
    }

    /// Reports that the TLS handshake asked for by [`Event::StartTls`] completed. The session
    /// starts afresh as RFC 3207 §4.2 requires: the client must say EHLO again.
    pub fn handle_tls_established(&mut self) {
        if matches!(self.phase, Phase::AwaitTls) {
            self.tls = true;
            self.helo = None;
            self.phase = Phase::Command;
        }
    }

    /// Reports that [`Server::poll_timeout`]'s time passed without input: the session answers
    /// 421 4.4.2 and closes (RFC 5321 §4.5.3.2).
    pub fn handle_timeout(&mut self) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        let text = format!(
            "{} Timeout waiting for the client; closing",
            self.config.hostname
        );
        self.reply(421, (4, 4, 2), text);
        self.shut();
    }

    /// Gives the session a fresh random value (at least 8 printable ASCII characters, no
    /// comma; 18 random bytes in base64 do) from which every CRAM-MD5 challenge and SCRAM
    /// server nonce of this connection is made, with a counter per attempt. Until it is set,
    /// those two mechanisms are neither offered nor accepted. Never reuse it across
    /// connections: a repeated challenge lets a recorded CRAM-MD5 response be replayed.
    ///
    /// # Errors
    ///
    /// [`InvalidNonce`] for a value too short, too long or with characters a challenge cannot
    /// hold.
    pub fn set_sasl_nonce(&mut self, nonce: &str) -> Result<(), InvalidNonce> {
        let valid = (8..=128).contains(&nonce.len())
            && nonce.bytes().all(|b| {
                matches!(b, 0x21..=0x2b | 0x2d..=0x7e) && b != b'<' && b != b'>' && b != b'@'
            });
        if !valid {
            return Err(InvalidNonce);
        }
        self.sasl_nonce = Some(nonce.into());
        Ok(())
    }

    /// Answers [`Event::ScramKeys`] with the user's stored keys: the session sends the
    /// server-first message and checks the client's proof itself.
    ///
    /// # Errors
    ///
    /// [`SessionError::UnknownRequest`] when `request` is not the pending SCRAM request.
    pub fn scram_keys(
        &mut self,
        request: Request,
        keys: sasl::scram::ScramKeys,
    ) -> Result<(), SessionError> {
        match &self.pending {
            Some(Pending::ScramKeys {
                request: pending, ..
            }) if *pending == request => {}
            _ => return Err(SessionError::UnknownRequest),
        }
        let Some(Pending::ScramKeys { client, .. }) = self.pending.take() else {
            return Err(SessionError::UnknownRequest);
        };
        let nonce = self.attempt_nonce();
        match sasl::scram::ServerExchange::new(client, &nonce, keys) {
            Ok(exchange) => {
                Reply::new(334, None, base64_of(exchange.server_first().as_bytes()))
                    .write_to(&mut self.output);
                self.phase = Phase::Auth(AuthStep::ScramFinal(Box::new(exchange)));
            }
            Err(_) => self.error(454, (4, 7, 0), "Temporary authentication failure"),
        }
        Ok(())
    }

    /// Accepts the request with the usual positive reply.
    ///
    /// # Errors
    ///
    /// [`SessionError::UnknownRequest`] when `request` is not the pending one.
    pub fn accept(&mut self, request: Request) -> Result<(), SessionError> {
        self.decide(request, None, true)
    }

    /// Accepts the request with a reply of the application's (a queue id after the message,
    /// say). The reply should be 2yz.
    ///
    /// # Errors
    ///
    /// [`SessionError::UnknownRequest`] when `request` is not the pending one.
    pub fn accept_with(&mut self, request: Request, reply: Reply<'_>) -> Result<(), SessionError> {
        self.decide(request, Some(reply), true)
    }

    /// Rejects the request with the application's reply, which should be 4yz or 5yz
    /// (535 5.7.8 for credentials, 550 5.1.1 for an unknown user, 554 5.7.1 for a message).
    ///
    /// # Errors
    ///
    /// [`SessionError::UnknownRequest`] when `request` is not the pending one.
    pub fn reject(&mut self, request: Request, reply: Reply<'_>) -> Result<(), SessionError> {
        self.decide(request, Some(reply), false)
    }

    /// Sends `reply` (421 usually) and closes the session; a message in progress is dropped.
    pub fn close(&mut self, reply: Reply<'_>) {
        if !matches!(self.phase, Phase::Closed) {
            self.greet();
            reply.write_to(&mut self.output);
            self.pending = None;
            self.shut();
        }
    }

    /// Appends what to send to `out` and returns the next event; `None` means: write `out`,
    /// then wait for input (or for your own decision on a request you hold).
    #[must_use = "events carry requests that wait for a decision"]
    pub fn poll(&mut self, out: &mut Vec<u8>) -> Option<Event<'_>> {
        self.greet();
        let step = self.advance();
        out.append(&mut self.output);
        Some(match step? {
            Step::Queued(Queued::Refused(reason)) => Event::MessageRefused { reason },
            Step::Queued(Queued::Reset) => Event::Reset,
            Step::Queued(Queued::StartTls) => Event::StartTls,
            Step::Queued(Queued::Close) => Event::Close,
            Step::Data(range) => Event::Data(self.input.get(range).unwrap_or_default()),
            Step::Pending => match self.pending.as_ref()? {
                Pending::Hello { request, hello } => Event::Hello {
                    request: *request,
                    name: &hello.name,
                    extended: hello.extended,
                },
                Pending::Auth {
                    request,
                    mechanism,
                    credentials,
                } => Event::Authenticate {
                    request: *request,
                    mechanism: *mechanism,
                    credentials,
                },
                Pending::ScramKeys { request, client } => Event::ScramKeys {
                    request: *request,
                    username: client.username(),
                    authorization_id: client.authorization_id(),
                },
                Pending::Mail {
                    request,
                    from,
                    parameters,
                } => Event::Mail {
                    request: *request,
                    from,
                    parameters,
                },
                Pending::Rcpt { request, recipient } => Event::Recipient {
                    request: *request,
                    to: &recipient.to,
                    parameters: &recipient.parameters,
                },
                Pending::Message { request } => Event::MessageComplete { request: *request },
            },
        })
    }

    /// How long to wait for the client's next bytes before calling
    /// [`Server::handle_timeout`]; `None` while the session waits for the application or
    /// has closed. Ask again after every poll.
    pub fn poll_timeout(&self) -> Option<Duration> {
        if self.pending.is_some() {
            return None;
        }
        match self.phase {
            Phase::Closed => None,
            Phase::Data { .. } | Phase::Bdat { .. } => Some(self.config.data_timeout),
            _ => Some(self.config.command_timeout),
        }
    }

    /// The client's HELO or EHLO, once accepted.
    pub fn hello(&self) -> Option<&Hello> {
        self.helo.as_ref()
    }

    /// Whether the connection runs over TLS.
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    /// Who the client authenticated as, if it did.
    pub fn authenticated(&self) -> Option<&Authenticated> {
        self.authenticated.as_ref()
    }

    /// The mail transaction in progress, if MAIL was accepted.
    pub fn envelope(&self) -> Option<&Envelope> {
        self.envelope.as_ref()
    }

    /// Whether the session has closed.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed) && self.queue.is_empty()
    }

    fn greet(&mut self) {
        if !self.greeted {
            self.greeted = true;
            let text = format!("{} ESMTP", self.config.hostname);
            Reply::new(220, None, text).write_to(&mut self.output);
        }
    }

    fn advance(&mut self) -> Option<Step> {
        loop {
            if let Some(queued) = self.queue.pop_front() {
                return Some(Step::Queued(queued));
            }
            if self.pending.is_some() {
                if self.announced {
                    return None;
                }
                self.announced = true;
                return Some(Step::Pending);
            }
            match &mut self.phase {
                Phase::Closed | Phase::AwaitTls => return None,
                Phase::Command => {
                    let limit = self.config.max_command_line;
                    match self.take_line(limit)? {
                        Ok(line) => self.command(line),
                        Err(LineTooLong) => self.error(500, (5, 5, 6), "Line too long"),
                    }
                }
                Phase::Auth(_) => {
                    let limit = self.config.max_auth_line;
                    match self.take_line(limit)? {
                        Ok(line) => self.auth_response(line),
                        Err(LineTooLong) => {
                            self.phase = Phase::Command;
                            self.error(500, (5, 5, 6), "Line too long");
                        }
                    }
                }
                Phase::Data { reader, refused } => {
                    let rest = self.input.get(self.start..).unwrap_or_default();
                    match reader.scan(
                        rest,
                        self.config.allow_bare_line_endings || refused.is_some(),
                    ) {
                        Scan::NeedMore => return None,
                        Scan::End { consumed } => {
                            self.start += consumed;
                            let refused = *refused;
                            self.phase = Phase::Command;
                            self.end_of_message(refused);
                        }
                        Scan::BareLineEnding { skip } => {
                            self.start += skip;
                            *refused = Some(Refusal::BareLineEnding);
                            self.queue
                                .push_back(Queued::Refused(Refusal::BareLineEnding));
                        }
                        Scan::Data { skip, len } => {
                            let begin = self.start + skip;
                            self.start = begin + len;
                            if refused.is_some() || len == 0 {
                                continue;
                            }
                            let fits = self.grow_message(len);
                            if fits < len
                                && let Phase::Data { refused, .. } = &mut self.phase
                            {
                                *refused = Some(Refusal::TooLarge);
                            }
                            if fits > 0 {
                                return Some(Step::Data(begin..begin + fits));
                            }
                        }
                    }
                }
                Phase::Bdat {
                    remaining,
                    last,
                    rejected,
                } => {
                    let available = self.input.len() - self.start;
                    if *remaining == 0 {
                        let (last, rejected) = (*last, rejected.take());
                        self.phase = Phase::Command;
                        self.end_of_chunk(last, rejected);
                        continue;
                    }
                    if available == 0 {
                        return None;
                    }
                    let take = usize::try_from(*remaining).map_or(available, |r| r.min(available));
                    *remaining -= take as u64;
                    let begin = self.start;
                    self.start += take;
                    if rejected.is_some() {
                        continue;
                    }
                    let fits = self.grow_message(take);
                    if fits < take
                        && let Phase::Bdat { rejected, .. } = &mut self.phase
                    {
                        *rejected = Some(Reply::new(
                            552,
                            Some(EnhancedStatus::new(5, 3, 4)),
                            "Message too big",
                        ));
                    }
                    if fits > 0 {
                        return Some(Step::Data(begin..begin + fits));
                    }
                }
            }
        }
    }

    /// Counts `len` more message octets and returns how many of them to hand out: all of
    /// them under the limit; past it, those up to the limit, with the refusal queued behind
    /// them. A refused message therefore shows the application its first
    /// `max_message_size` octets, however the input was cut into reads.
    fn grow_message(&mut self, len: usize) -> usize {
        let before = self.message_size;
        self.message_size = before.saturating_add(len as u64);
        match self.config.max_message_size {
            Some(limit) if self.message_size > limit => {
                self.queue.push_back(Queued::Refused(Refusal::TooLarge));
                usize::try_from(limit.saturating_sub(before)).map_or(len, |room| room.min(len))
            }
            _ => len,
        }
    }

    /// Takes the next CRLF-terminated line (without CRLF) from the input. `None`: more input
    /// needed. A line over `limit` octets (CRLF included) is skipped to its end and reported.
    fn take_line(&mut self, limit: usize) -> Option<Result<Range<usize>, LineTooLong>> {
        let rest = self.input.get(self.start..).unwrap_or_default();
        match memchr::memmem::find(rest, b"\r\n") {
            Some(end) => {
                let range = self.start..self.start + end;
                self.start += end + 2;
                if core::mem::take(&mut self.skipping_line) || end + 2 > limit {
                    return Some(Err(LineTooLong));
                }
                Some(Ok(range))
            }
            None => {
                if rest.len() >= limit || self.skipping_line {
                    // Keep a final CR: it may be the first half of the CRLF.
                    self.skipping_line = true;
                    self.start = self.input.len() - usize::from(rest.last() == Some(&b'\r'));
                }
                None
            }
        }
    }

    fn command(&mut self, line: Range<usize>) {
        let input = core::mem::take(&mut self.input);
        let pipelined = self.start < input.len();
        match Command::parse(input.get(line).unwrap_or_default()) {
            Ok(command) => self.dispatch(command, pipelined),
            Err(error) => {
                let reply = error.reply();
                reply.write_to(&mut self.output);
                self.count_error();
            }
        }
        self.input = input;
        if matches!(self.phase, Phase::AwaitTls | Phase::Closed) {
            self.start = self.input.len();
        }
    }

    fn dispatch(&mut self, command: Command<'_>, pipelined: bool) {
        match command {
            Command::Ehlo(name) => self.greeted_by(name, true),
            Command::Helo(name) => self.greeted_by(name, false),
            Command::Mail { from, parameters } => self.mail(from, parameters),
            Command::Rcpt { to, parameters } => self.rcpt(to, parameters),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.reset_transaction();
                self.reply(250, (2, 0, 0), "OK");
            }
            Command::Noop(_) => self.reply(250, (2, 0, 0), "OK"),
            Command::Vrfy(_) | Command::Expn(_) => self.reply(
                252,
                (2, 5, 0),
                "Cannot verify the address; send a message to try it",
            ),
            Command::Help(_) => self.reply(214, (2, 0, 0), "Commands are those of RFC 5321"),
            Command::Quit => {
                self.reply(221, (2, 0, 0), "Bye");
                self.reset_transaction();
                self.shut();
            }
            Command::StartTls => self.starttls(pipelined),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response),
        }
    }

    fn greeted_by(&mut self, name: &str, extended: bool) {
        self.reset_transaction();
        self.request(|request| Pending::Hello {
            request,
            hello: Hello {
                name: name.into(),
                extended,
            },
        });
    }

    fn mail(&mut self, from: ReversePathRef<'_>, parameters: MailParameters<'_>) {
        if self.helo.is_none() {
            return self.error(503, (5, 5, 1), "Send HELO or EHLO first");
        }
        if self.envelope.is_some() {
            return self.error(503, (5, 5, 1), "Nested MAIL command");
        }
        if self.config.mail_requires_auth && self.authenticated.is_none() {
            return self.error(530, (5, 7, 0), "Authentication required");
        }
        if self
            .config
            .max_messages
            .is_some_and(|limit| self.messages >= limit)
        {
            self.reply(421, (4, 7, 0), "Too many messages in this session; closing");
            return self.shut();
        }
        if !parameters.unknown.is_empty()
            || (parameters.body == Some(Body::EightBitMime) && !self.config.eight_bit_mime)
            || (parameters.body == Some(Body::BinaryMime) && !self.config.chunking)
            || (parameters.smtputf8 && !self.config.smtputf8)
            || ((parameters.ret.is_some() || parameters.envid.is_some()) && !self.config.dsn)
        {
            return self.error(555, (5, 5, 4), "Unsupported parameter");
        }
        if parameters.require_tls && !(self.tls && self.config.require_tls) {
            return self.error(530, (5, 7, 10), "REQUIRETLS needs a TLS connection");
        }
        if let (Some(size), Some(limit)) = (parameters.size, self.config.max_message_size)
            && size > limit
        {
            return self.reply(552, (5, 3, 4), "Message size exceeds the fixed maximum");
        }
        if let ReversePathRef::Mailbox(mailbox) = &from
            && mailbox.requires_smtputf8()
            && !parameters.smtputf8
        {
            return self.reply(553, (5, 6, 7), "Non-ASCII address without SMTPUTF8");
        }
        let from = from.into_owned();
        let parameters = parameters.into_owned();
        self.request(|request| Pending::Mail {
            request,
            from,
            parameters,
        });
    }

    fn rcpt(&mut self, to: ForwardPathRef<'_>, parameters: RcptParameters<'_>) {
        let Some(envelope) = &self.envelope else {
            return self.error(503, (5, 5, 1), "Send MAIL first");
        };
        if !parameters.unknown.is_empty()
            || ((parameters.notify.is_some() || parameters.orcpt.is_some()) && !self.config.dsn)
        {
            return self.error(555, (5, 5, 4), "Unsupported parameter");
        }
        if envelope.recipients.len() >= self.config.max_recipients {
            return self.reply(452, (4, 5, 3), "Too many recipients");
        }
        if let ForwardPathRef::Mailbox(mailbox) = &to
            && mailbox.requires_smtputf8()
            && !envelope.parameters.smtputf8
        {
            return self.reply(553, (5, 6, 7), "Non-ASCII address without SMTPUTF8");
        }
        self.recipients_tried += 1;
        let to = to.into_owned();
        let parameters = parameters.into_owned();
        self.request(|request| Pending::Rcpt {
            request,
            recipient: Recipient { to, parameters },
        });
    }

    fn data(&mut self) {
        let Some(envelope) = &self.envelope else {
            return self.error(503, (5, 5, 1), "Send MAIL first");
        };
        if envelope.parameters.body == Some(Body::BinaryMime) || self.bdat_started {
            return self.error(503, (5, 5, 1), "BINARYMIME and chunked messages need BDAT");
        }
        if envelope.recipients.is_empty() {
            if self.recipients_tried == 0 {
                return self.error(503, (5, 5, 1), "Send RCPT first");
            }
            return self.reply(554, (5, 5, 1), "No valid recipients");
        }
        self.message_size = 0;
        Reply::new(354, None, "End data with <CR><LF>.<CR><LF>").write_to(&mut self.output);
        self.phase = Phase::Data {
            reader: DataReader::new(),
            refused: None,
        };
    }

    fn bdat(&mut self, size: u64, last: bool) {
        let rejected = if !self.config.chunking {
            Some((500, (5, 5, 1), "Command unrecognised"))
        } else if self.envelope.is_none() {
            Some((503, (5, 5, 1), "Send MAIL first"))
        } else if self
            .envelope
            .as_ref()
            .is_some_and(|envelope| envelope.recipients.is_empty())
        {
            Some((503, (5, 5, 1), "Send RCPT first"))
        } else {
            None
        };
        let rejected = rejected.map(|(code, (class, subject, detail), text)| {
            self.count_error();
            Reply::new(
                code,
                Some(EnhancedStatus::new(class, subject, detail)),
                text,
            )
        });
        if !self.bdat_started && rejected.is_none() {
            self.bdat_started = true;
            self.message_size = 0;
        }
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.phase = Phase::Bdat {
            remaining: size,
            last,
            rejected,
        };
    }

    fn end_of_chunk(&mut self, last: bool, rejected: Option<Reply<'static>>) {
        match rejected {
            Some(reply) => {
                reply.write_to(&mut self.output);
                if self.bdat_started {
                    // A refused chunk ends the message: RFC 3030 §2 lets the server refuse the
                    // rest, and the transaction starts over.
                    self.bdat_started = false;
                    self.messages += 1;
                    self.envelope = None;
                    self.recipients_tried = 0;
                }
            }
            None if last => self.request(|request| Pending::Message { request }),
            None => {
                let text = format!("{} octets received", self.message_size);
                self.reply(250, (2, 0, 0), text);
            }
        }
    }

    fn end_of_message(&mut self, refused: Option<Refusal>) {
        match refused {
            Some(Refusal::BareLineEnding) => {
                self.reply(550, (5, 6, 0), "Bare CR or LF in message data; refused");
                self.finish_transaction();
            }
            Some(Refusal::TooLarge) => {
                self.reply(552, (5, 3, 4), "Message too big");
                self.finish_transaction();
            }
            None => self.request(|request| Pending::Message { request }),
        }
    }

    fn starttls(&mut self, pipelined: bool) {
        if self.tls {
            return self.error(503, (5, 5, 1), "TLS already active");
        }
        if !self.config.tls_available {
            return self.error(502, (5, 5, 1), "STARTTLS not available");
        }
        if self.authenticated.is_some() || self.envelope.is_some() {
            return self.error(503, (5, 5, 1), "STARTTLS not allowed after AUTH or MAIL");
        }
        if pipelined && self.config.pipelined_after_starttls == AfterStartTls::Refuse {
            self.reply(451, (4, 7, 0), "Commands pipelined after STARTTLS; closing");
            return self.shut();
        }
        self.reply(220, (2, 0, 0), "Ready to start TLS");
        self.reset_transaction();
        self.phase = Phase::AwaitTls;
        self.queue.push_back(Queued::StartTls);
    }

    fn auth(&mut self, mechanism: &str, initial_response: Option<&str>) {
        if self.helo.is_none() {
            return self.error(503, (5, 5, 1), "Send EHLO first");
        }
        if self.authenticated.is_some() {
            return self.error(503, (5, 5, 1), "Already authenticated");
        }
        if self.envelope.is_some() {
            return self.error(503, (5, 5, 1), "AUTH not allowed during a mail transaction");
        }
        let Some(mechanism) =
            Mechanism::from_name(mechanism).filter(|mechanism| self.offers(*mechanism))
        else {
            return self.error(504, (5, 5, 4), "Unrecognized authentication type");
        };
        if self.config.auth_requires_tls && !self.tls {
            return self.error(538, (5, 7, 11), "Encryption required for authentication");
        }
        self.auth_attempts += 1;
        match (mechanism, initial_response) {
            // RFC 2195: the exchange starts with the server's challenge.
            (Mechanism::CramMd5, Some(_)) => {
                self.error(501, (5, 5, 2), "CRAM-MD5 takes no initial response");
            }
            (Mechanism::CramMd5, None) => {
                let challenge =
                    sasl::cram_md5::challenge(&self.attempt_nonce(), &self.config.hostname);
                Reply::new(334, None, base64_of(challenge.as_bytes())).write_to(&mut self.output);
                self.phase = Phase::Auth(AuthStep::CramMd5(challenge));
            }
            (_, Some(response)) => {
                self.auth_step(AuthStep::Response(mechanism), response.as_bytes());
            }
            (_, None) => {
                let challenge = if mechanism == Mechanism::Login {
                    "VXNlcm5hbWU6" // "Username:"
                } else {
                    ""
                };
                Reply::new(334, None, challenge).write_to(&mut self.output);
                self.phase = Phase::Auth(AuthStep::Response(mechanism));
            }
        }
    }

    /// Whether AUTH offers `mechanism` now: configured, and with a nonce when it needs one.
    fn offers(&self, mechanism: Mechanism) -> bool {
        self.config.auth_mechanisms.contains(&mechanism)
            && (!mechanism.needs_nonce() || self.sasl_nonce.is_some())
    }

    /// This attempt's unique value: the connection's nonce and the attempt's number.
    fn attempt_nonce(&self) -> String {
        format!(
            "{}.{}",
            self.sasl_nonce.as_deref().unwrap_or_default(),
            self.auth_attempts
        )
    }

    fn auth_response(&mut self, line: Range<usize>) {
        let Phase::Auth(step) = core::mem::replace(&mut self.phase, Phase::Command) else {
            return;
        };
        let input = core::mem::take(&mut self.input);
        self.auth_step(step, input.get(line).unwrap_or_default());
        self.input = input;
    }

    fn auth_step(&mut self, step: AuthStep, response: &[u8]) {
        let decoded = match sasl::decode_response(response) {
            Ok(decoded) => decoded,
            Err(SaslError::Cancelled) => {
                return self.error(501, (5, 0, 0), "Authentication cancelled");
            }
            Err(_) => return self.error(501, (5, 5, 2), "Invalid base64 in SASL response"),
        };
        let (mechanism, credentials) = match step {
            AuthStep::Response(Mechanism::Login) => {
                Reply::new(334, None, "UGFzc3dvcmQ6").write_to(&mut self.output); // "Password:"
                self.phase = Phase::Auth(AuthStep::LoginPassword(decoded));
                return;
            }
            // The dummy response to the error challenge (RFC 7628 §3.2.2).
            AuthStep::BearerRefused(failure) => return failure.write_to(&mut self.output),
            AuthStep::LoginPassword(username) => (
                Mechanism::Login,
                sasl::decode_login(username.expose(), decoded.expose()),
            ),
            AuthStep::Response(mechanism @ Mechanism::Plain) => {
                (mechanism, sasl::decode_plain(decoded.expose()))
            }
            AuthStep::Response(mechanism @ Mechanism::XOAuth2) => {
                (mechanism, sasl::decode_xoauth2(decoded.expose()))
            }
            AuthStep::CramMd5(challenge) => (
                Mechanism::CramMd5,
                sasl::cram_md5::decode_response(&challenge, decoded.expose()),
            ),
            AuthStep::Response(Mechanism::ScramSha256) => {
                return match sasl::scram::ClientFirst::parse(decoded.expose()) {
                    Ok(client) => self.request(|request| Pending::ScramKeys { request, client }),
                    Err(SaslError::Unsupported(_)) => {
                        self.error(
                            504,
                            (5, 5, 4),
                            "SCRAM channel binding and extensions are not supported",
                        );
                    }
                    Err(_) => self.error(501, (5, 5, 2), "Malformed SASL response"),
                };
            }
            AuthStep::ScramFinal(exchange) => {
                return match exchange.finish(decoded.expose()) {
                    Ok(server_final) => {
                        Reply::new(334, None, base64_of(server_final.as_bytes()))
                            .write_to(&mut self.output);
                        self.phase = Phase::Auth(AuthStep::ScramDone(exchange));
                    }
                    Err(SaslError::InvalidProof) => {
                        self.error(535, (5, 7, 8), "Authentication credentials invalid");
                    }
                    Err(_) => self.error(501, (5, 5, 2), "Malformed SASL response"),
                };
            }
            // The client's (empty) answer to the server-final message: the proof verified.
            AuthStep::ScramDone(exchange) => (Mechanism::ScramSha256, Ok(exchange.credentials())),
            AuthStep::Response(mechanism @ Mechanism::OAuthBearer) => {
                (mechanism, sasl::decode_oauthbearer(decoded.expose()))
            }
            // CRAM-MD5 starts with the server's challenge (AuthStep::CramMd5), never here.
            AuthStep::Response(Mechanism::CramMd5) => {
                return self.error(501, (5, 5, 2), "Malformed SASL response");
            }
        };
        match credentials {
            Ok(credentials) => self.request(|request| Pending::Auth {
                request,
                mechanism,
                credentials,
            }),
            Err(_) => self.error(501, (5, 5, 2), "Malformed SASL response"),
        }
    }

    fn decide(
        &mut self,
        request: Request,
        reply: Option<Reply<'_>>,
        accepted: bool,
    ) -> Result<(), SessionError> {
        if self.pending.as_ref().map(Pending::request) != Some(request) {
            return Err(SessionError::UnknownRequest);
        }
        let Some(pending) = self.pending.take() else {
            return Err(SessionError::UnknownRequest);
        };
        if accepted && matches!(pending, Pending::ScramKeys { .. }) {
            self.pending = Some(pending);
            return Err(SessionError::NeedsScramKeys);
        }
        if let Pending::Auth {
            mechanism: Mechanism::OAuthBearer | Mechanism::XOAuth2,
            ..
        } = pending
            && !accepted
        {
            // RFC 7628 §3.2.2: a refused token gets an error challenge first; the client
            // answers it with a dummy response, and then the failure reply follows.
            let failure = reply.map_or_else(
                || {
                    Reply::new(
                        535,
                        Some(EnhancedStatus::new(5, 7, 8)),
                        "Authentication credentials invalid",
                    )
                },
                Reply::into_owned,
            );
            // base64 of {"status":"invalid_token"}
            Reply::new(334, None, "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=")
                .write_to(&mut self.output);
            self.phase = Phase::Auth(AuthStep::BearerRefused(failure));
            return Ok(());
        }
        if let Some(reply) = &reply {
            reply.write_to(&mut self.output);
        }
        let default = reply.is_none();
        match pending {
            Pending::Hello { hello, .. } => {
                if accepted {
                    if default {
                        self.hello_reply(&hello);
                    }
                    self.helo = Some(hello);
                } else if default {
                    self.reply(550, (5, 7, 1), "Not accepted");
                }
            }
            Pending::Auth {
                mechanism,
                credentials,
                ..
            } => {
                if accepted {
                    if default {
                        self.reply(235, (2, 7, 0), "Authentication successful");
                    }
                    self.authenticated = Some(Authenticated {
                        mechanism,
                        username: credentials.username().into(),
                        identity: credentials.identity().into(),
                    });
                } else if default {
                    self.reply(535, (5, 7, 8), "Authentication credentials invalid");
                }
            }
            Pending::ScramKeys { .. } => {
                if default {
                    self.reply(535, (5, 7, 8), "Authentication credentials invalid");
                }
            }
            Pending::Mail {
                from, parameters, ..
            } => {
                if accepted {
                    if default {
                        self.reply(250, (2, 1, 0), "Sender OK");
                    }
                    self.envelope = Some(Envelope {
                        from,
                        parameters,
                        recipients: Vec::new(),
                    });
                    self.recipients_tried = 0;
                    self.bdat_started = false;
                } else if default {
                    self.reply(550, (5, 7, 1), "Sender not accepted");
                }
            }
            Pending::Rcpt { recipient, .. } => {
                if accepted {
                    if default {
                        self.reply(250, (2, 1, 5), "Recipient OK");
                    }
                    if let Some(envelope) = &mut self.envelope {
                        envelope.recipients.push(recipient);
                    }
                } else if default {
                    self.reply(550, (5, 1, 1), "Recipient not accepted");
                }
            }
            Pending::Message { .. } => {
                if default {
                    if accepted {
                        self.reply(250, (2, 0, 0), "Message accepted");
                    } else {
                        self.reply(554, (5, 7, 1), "Message not accepted");
                    }
                }
                self.finish_transaction();
            }
        }
        Ok(())
    }

    fn hello_reply(&mut self, hello: &Hello) {
        if !hello.extended {
            let text = format!("{} Hello {}", self.config.hostname, hello.name);
            return Reply::new(250, None, text).write_to(&mut self.output);
        }
        let config = &self.config;
        let mut extensions = Vec::new();
        if config.pipelining {
            extensions.push(Extension::Pipelining);
        }
        if let Some(limit) = config.max_message_size {
            extensions.push(Extension::Size(Some(limit)));
        }
        if config.eight_bit_mime {
            extensions.push(Extension::EightBitMime);
        }
        if config.chunking {
            extensions.push(Extension::Chunking);
            extensions.push(Extension::BinaryMime);
        }
        if config.dsn {
            extensions.push(Extension::Dsn);
        }
        if config.smtputf8 {
            extensions.push(Extension::SmtpUtf8);
        }
        extensions.push(Extension::EnhancedStatusCodes);
        if config.tls_available && !self.tls {
            extensions.push(Extension::StartTls);
        }
        let offered: Vec<&str> = config
            .auth_mechanisms
            .iter()
            .filter(|mechanism| self.offers(**mechanism))
            .map(|mechanism| mechanism.name())
            .collect();
        let offered = offered.join(" ");
        if !offered.is_empty()
            && self.authenticated.is_none()
            && (self.tls || !config.auth_requires_tls)
        {
            extensions.push(Extension::Auth(Words::new(&offered)));
        }
        if config.require_tls && self.tls {
            extensions.push(Extension::RequireTls);
        }
        let greeting = format!("Hello {}", hello.name);
        let ehlo = Ehlo {
            domain: &config.hostname,
            greeting: &greeting,
            extensions,
        };
        ehlo.to_reply().write_to(&mut self.output);
    }

    fn request(&mut self, make: impl FnOnce(Request) -> Pending) {
        let request = Request(self.next_request);
        self.next_request += 1;
        self.pending = Some(make(request));
        self.announced = false;
    }

    /// Ends the transaction after a message: counted, sender and recipients gone.
    fn finish_transaction(&mut self) {
        self.messages += 1;
        self.envelope = None;
        self.recipients_tried = 0;
        self.bdat_started = false;
    }

    /// Drops the transaction (RSET, HELO, STARTTLS), telling the application if there was one.
    fn reset_transaction(&mut self) {
        if self.envelope.take().is_some() {
            self.queue.push_back(Queued::Reset);
        }
        self.recipients_tried = 0;
        self.bdat_started = false;
    }

    fn reply(&mut self, code: u16, status: (u8, u16, u16), text: impl Into<Cow<'static, str>>) {
        let (class, subject, detail) = status;
        Reply::new(
            code,
            Some(EnhancedStatus::new(class, subject, detail)),
            text,
        )
        .write_to(&mut self.output);
    }

    /// A reply for a client error, which counts towards [`ServerConfig::max_errors`].
    fn error(&mut self, code: u16, status: (u8, u16, u16), text: &'static str) {
        self.reply(code, status, text);
        self.count_error();
    }

    fn count_error(&mut self) {
        self.errors += 1;
        if self.errors >= self.config.max_errors && !matches!(self.phase, Phase::Closed) {
            self.reply(421, (4, 7, 0), "Too many errors; closing");
            self.shut();
        }
    }

    fn shut(&mut self) {
        if !matches!(self.phase, Phase::Closed) {
            self.phase = Phase::Closed;
            self.queue.push_back(Queued::Close);
        }
    }
}

struct LineTooLong;

#[cfg(test)]
mod tests;

/// `data` in base64, for a 334 challenge.
fn base64_of(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}
