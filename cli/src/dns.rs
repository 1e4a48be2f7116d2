//! `tegami dns NAME TYPE`: what the resolver in use answers.

use serde_json::json;
use tegami::core::dns::{DnsError, Record, Resolver};

use crate::GlobalArgs;
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami dns`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  tegami --zone examples/example.com.zone --json dns _dmarc.example.com TXT"
)]
pub(crate) struct DnsArgs {
    /// The name to look up.
    name: String,
    /// The record type: A, AAAA, MX, PTR or TXT.
    #[arg(name = "TYPE")]
    kind: String,
}

/// Runs the lookup and prints the answer.
pub(crate) fn run(global: &GlobalArgs, args: &DnsArgs) -> Result<(), CliError> {
    let kind = resolver::parse_kind(&args.kind)?;
    let resolver = resolver::from_flags(global)?;
    let answer = resolver.lookup_name(&args.name, kind);
    match (answer, global.json) {
        (Ok(records), true) => {
            let answers: Vec<String> = records.iter().map(presentation).collect();
            out!("{}", json!({ "answers": answers }));
        }
        (Ok(records), false) => {
            for record in &records {
                out!("{}", presentation(record));
            }
        }
        (Err(error), true) => out!("{}", json!({ "error": error_word(error) })),
        (Err(error), false) => out!("{}", error_word(error)),
    }
    Ok(())
}

/// One record as text: addresses and names as usual, MX as `preference exchange`, TXT as its
/// character-strings joined, the way SPF, DKIM and DMARC read it.
fn presentation(record: &Record) -> String {
    match record {
        Record::A(address) => address.to_string(),
        Record::Aaaa(address) => address.to_string(),
        Record::Mx(mx) => format!("{} {}", mx.preference, mx.exchange),
        Record::Ptr(name) => name.clone(),
        Record::Txt(txt) => String::from_utf8_lossy(&txt.concatenated()).into_owned(),
    }
}

/// The DNS word for an empty answer.
fn error_word(error: DnsError) -> &'static str {
    match error {
        DnsError::NxDomain => "nxdomain",
        DnsError::NoRecords => "nodata",
        DnsError::Temporary => "servfail",
        _ => "error",
    }
}
