//! RFC 5322 message parsing for tegami: header fields, address lists, encoded words, and the
//! author (From) verdicts that DMARC and user interfaces rely on.
//!
//! [`Message::parse`] reads a whole message into a tree of MIME parts over the borrowed input
//! and decodes bodies only when asked; [`Author`] reads the From fields for DMARC. Parsing
//! never fails on a message; it returns what it found plus a list of problems, each with a
//! reason and a byte offset.
//!
//! ```
//! use tegami_mime::author::Author;
//!
//! let message = b"From: \"Bank\" <alerts@bank.example>\r\nSubject: hi\r\n\r\nbody\r\n";
//! let author = Author::from_message(message);
//! assert_eq!(author.domain().map(|d| d.as_str()), Ok("bank.example"));
//!
//! // Two From fields: no single author domain, and DMARC is told why.
//! let spoof = b"From: a@bank.example\r\nFrom: b@evil.example\r\n\r\n";
//! assert!(Author::from_message(spoof).domain().is_err());
//! ```

pub mod address;
pub mod author;
pub mod builder;
pub mod date;
pub mod encoded_word;
#[cfg(fuzzing)]
pub mod fuzzing;
pub mod header;
pub mod header_reader;
pub mod message;
pub mod parameters;
pub mod problem;
pub mod received;
pub mod transfer;
pub mod zip;

pub use address::{AddressList, Mailbox};
pub use author::Author;
pub use header::HeaderBlock;
pub use header_reader::HeaderReader;
pub use message::{Config, Message, Part};
pub use problem::{Problem, ProblemKind};
