//! `tegami mime FILE`: what a message says and holds: subject, addresses, date, the leaf parts
//! (with encrypted-ZIP detection), and the text and HTML a mail client would show.

use std::path::PathBuf;

use serde_json::{Value, json};
use tegami::mime::Message;
use tegami::mime::address::AddressList;

use crate::GlobalArgs;
use crate::error::CliError;

/// Arguments of `tegami mime`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  tegami --json mime examples/message.eml")]
pub(crate) struct MimeArgs {
    /// The message file, read as it is (CRLF or LF line ends).
    file: PathBuf,
}

/// Parses the message and prints it.
pub(crate) fn run(global: &GlobalArgs, args: &MimeArgs) -> Result<(), CliError> {
    let raw = std::fs::read(&args.file).map_err(|source| CliError::Read {
        path: args.file.clone(),
        source,
    })?;
    let message = Message::parse(&raw);
    let addresses = |list: Option<AddressList>| -> Vec<Value> {
        list.map(|list| {
            list.mailboxes()
                .map(|m| json!({ "name": m.display_name(), "address": m.address() }))
                .collect()
        })
        .unwrap_or_default()
    };
    let parts: Vec<Value> = message
        .leaves()
        .map(|part| {
            json!({
                "content_type": part.content_type().mime_type(),
                "charset": part.charset(),
                "filename": part.filename(),
                "size": part.decoded().len(),
                "encrypted_zip": part.is_encrypted_zip(),
            })
        })
        .collect();
    if global.json {
        out!(
            "{}",
            json!({
                "subject": message.subject(),
                "from": addresses(message.from()),
                "to": addresses(message.to()),
                "cc": addresses(message.cc()),
                "date": message.date().map(|d| d.to_rfc3339()),
                "message_id": message.message_id(),
                "parts": parts,
                "text_body": message.text_body(),
                "html_body": message.html_body(),
            })
        );
        return Ok(());
    }
    out!("subject: {}", message.subject().unwrap_or_default());
    for (name, list) in [
        ("from", message.from()),
        ("to", message.to()),
        ("cc", message.cc()),
    ] {
        for mailbox in list.iter().flat_map(AddressList::mailboxes) {
            match mailbox.display_name() {
                Some(display) => out!("{name}: {display} <{}>", mailbox.address()),
                None => out!("{name}: {}", mailbox.address()),
            }
        }
    }
    if let Some(date) = message.date() {
        out!("date: {}", date.to_rfc3339());
    }
    if let Some(id) = message.message_id() {
        out!("message-id: {id}");
    }
    for part in message.leaves() {
        out!(
            "part: {} {} bytes{}{}{}",
            part.content_type().mime_type(),
            part.decoded().len(),
            part.charset()
                .map(|c| format!(" charset={c}"))
                .unwrap_or_default(),
            part.filename()
                .map(|f| format!(" filename={f:?}"))
                .unwrap_or_default(),
            if part.is_encrypted_zip() {
                " ENCRYPTED ZIP"
            } else {
                ""
            }
        );
    }
    for problem in message.problems() {
        out!("problem: {problem}");
    }
    Ok(())
}
