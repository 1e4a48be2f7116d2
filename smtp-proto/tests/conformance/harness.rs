//! A client that talks to a `Server` in memory: it writes bytes, runs the session's events
//! through an application policy, and reads back whole replies.

use tegami_smtp_proto::sasl::Credentials;
use tegami_smtp_proto::server::{Event, Server, ServerConfig};
use tegami_smtp_proto::{EnhancedStatus, Reply, ReplyParse};

/// The application's answers: accept everything, except credentials other than these.
pub(crate) struct Policy {
    pub(crate) user: &'static str,
    pub(crate) password: &'static str,
}

pub(crate) struct Connection {
    pub(crate) server: Server,
    policy: Policy,
    unread: Vec<u8>,
    pub(crate) closed: bool,
    pub(crate) tls_requested: bool,
    pub(crate) messages: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Connection {
    pub(crate) fn new(config: ServerConfig, policy: Policy) -> Connection {
        let mut connection = Connection {
            server: Server::new(config),
            policy,
            unread: Vec::new(),
            closed: false,
            tls_requested: false,
            messages: Vec::new(),
            current: Vec::new(),
        };
        connection.drive();
        connection
    }

    /// Sends bytes as one write and lets the server work through them.
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.server.handle_input(bytes);
        self.drive();
    }

    /// Completes the TLS handshake the server asked for (no real TLS: the session only needs
    /// to hear that it happened).
    pub(crate) fn start_tls(&mut self) {
        assert!(self.tls_requested, "the server did not ask for TLS");
        self.tls_requested = false;
        self.server.handle_tls_established();
        self.drive();
    }

    /// The next whole reply the server sent, if any.
    pub(crate) fn reply(&mut self) -> Option<Reply<'static>> {
        match Reply::parse(&self.unread).expect("the server sends valid replies") {
            ReplyParse::Complete { reply, consumed } => {
                let reply = reply.into_owned();
                self.unread.drain(..consumed);
                Some(reply)
            }
            ReplyParse::Incomplete => None,
        }
    }

    fn drive(&mut self) {
        loop {
            let mut out = Vec::new();
            let event = self.server.poll(&mut out);
            let decision = match &event {
                None => None,
                Some(Event::Data(chunk)) => {
                    self.current.extend_from_slice(chunk);
                    None
                }
                Some(Event::MessageRefused { .. } | Event::Reset) => {
                    self.current.clear();
                    None
                }
                Some(Event::StartTls) => {
                    self.tls_requested = true;
                    None
                }
                Some(Event::Close) => {
                    self.closed = true;
                    None
                }
                Some(Event::MessageComplete { request }) => {
                    self.messages.push(std::mem::take(&mut self.current));
                    Some((*request, true))
                }
                Some(Event::Authenticate {
                    request,
                    credentials,
                    ..
                }) => {
                    let good = match credentials {
                        Credentials::Password {
                            username, password, ..
                        } => {
                            *username == self.policy.user
                                && password.expose() == self.policy.password
                        }
                        _ => false,
                    };
                    Some((*request, good))
                }
                Some(event) => event.request().map(|request| (request, true)),
            };
            let finished = event.is_none();
            self.unread.extend_from_slice(&out);
            if let Some((request, accept)) = decision {
                if accept {
                    self.server.accept(request).unwrap();
                } else {
                    self.server
                        .reject(
                            request,
                            Reply::new(
                                535,
                                Some(EnhancedStatus::new(5, 7, 8)),
                                "Authentication failed",
                            ),
                        )
                        .unwrap();
                }
            }
            if finished {
                return;
            }
        }
    }
}
