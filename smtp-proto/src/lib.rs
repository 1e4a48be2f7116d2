//! Sans-IO SMTP for tegami: the command and reply codec of
//! [RFC 5321](https://www.rfc-editor.org/rfc/rfc5321) with its service extensions, SASL
//! decoders, and a server session state machine.
//!
//! Nothing here opens a socket or reads a clock. [`Command::parse`] and [`Reply::parse`] turn
//! bytes into values and back; [`server::Server`] takes the bytes a client sends and hands back
//! the bytes to answer, the decisions it needs from the application, and the message data.
//! A parsed command borrows its line, paths included (checked against the grammar but not
//! copied), so parsing one allocates nothing; `into_owned` keeps what must outlive the line.
//!
//! ```
//! use tegami_smtp_proto::server::{Event, Server, ServerConfig};
//!
//! let mut server = Server::new(ServerConfig::new("mx.example"));
//! let mut out = Vec::new();
//! server.handle_input(b"HELO client.example\r\nMAIL FROM:<a@client.example>\r\n");
//! while let Some(event) = server.poll(&mut out) {
//!     if let Some(request) = event.request() {
//!         server.accept(request)?;
//!     }
//! }
//! assert_eq!(
//!     out,
//!     b"220 mx.example ESMTP\r\n250 mx.example Hello client.example\r\n250 2.1.0 Sender OK\r\n"
//! );
//! # Ok::<(), tegami_smtp_proto::server::SessionError>(())
//! ```

extern crate alloc;

pub mod client;
pub mod command;
pub mod ehlo;
pub mod mta_sts;
pub mod reply;
pub mod sasl;
pub mod server;
pub mod tls_rpt;
pub mod xtext;

#[cfg(fuzzing)]
pub mod fuzzing;

pub use command::{Command, CommandError, ForwardPath, ForwardPathRef};
pub use ehlo::{Ehlo, Extension, Words};
pub use reply::{EnhancedStatus, Reply, ReplyError, ReplyLimits, ReplyParse};
