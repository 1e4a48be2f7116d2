//! A blocking receiver: the pipeline driven by hand while the message arrives in chunks, as an
//! SMTP server's DATA phase hands them over. SPF's queries go out at once, before the first
//! byte of the message; DKIM's and ARC's key queries as soon as the header has been read;
//! DMARC's when the others are done. Here a zone file answers; any [`Resolver`] does.
//!
//! ```text
//! cargo run -p tegami --example receive_blocking -- examples/example.com.zone \
//!     examples/spoof.eml 203.0.113.66 mail.phish.example bounce@phish.example 1795426000
//! ```

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example prints its result"
)]

use std::error::Error;

use tegami::authenticator::{Authenticator, Config, Connection};
use tegami::core::dns::{Resolver, Step, ZoneResolver};

/// How much of the message arrives at a time.
const CHUNK: usize = 4096;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [zone, file, ip, helo, sender, now] = args.as_slice() else {
        return Err("usage: receive_blocking ZONE MESSAGE IP HELO SENDER NOW".into());
    };
    let resolver = ZoneResolver::from_master_file(&std::fs::read_to_string(zone)?)?;
    let message = crlf(&std::fs::read(file)?);

    let connection = Connection {
        ip: ip.parse()?,
        helo: helo.clone(),
        mail_from: sender.clone(),
    };
    let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), now.parse()?);
    let mut asked = 0;

    // The message arrives; between chunks, whatever the pipeline asks is answered.
    for chunk in message.chunks(CHUNK) {
        asked += answer(&mut pipeline, &resolver)?;
        pipeline.handle_input(chunk)?;
    }
    pipeline.handle_end();

    // The end of the message: answer until the outcome is there.
    let outcome = loop {
        match pipeline.poll() {
            Step::Lookup(queries) => {
                for query in &queries {
                    pipeline.handle_answer(query.id, resolver.lookup(query))?;
                }
                asked += queries.len();
            }
            Step::Done(outcome) => break outcome,
        }
    };

    // RFC 8601 §5: fields claiming to be ours were forged upstream; drop them before delivery.
    let mut delivered = format!("{}\r\n", outcome.field()).into_bytes();
    let mut at = 0;
    for range in &outcome.forged_results {
        delivered.extend_from_slice(message.get(at..range.start).unwrap_or_default());
        at = range.end;
    }
    delivered.extend_from_slice(message.get(at..).unwrap_or_default());

    println!("{}", outcome.field());
    eprintln!(
        "{asked} DNS queries; DMARC {} (disposition {}); {} forged field(s) removed; {} octets to deliver",
        outcome.dmarc.result,
        outcome.dmarc.disposition,
        outcome.forged_results.len(),
        delivered.len()
    );
    Ok(())
}

/// Answers every query the pipeline has now; returns how many there were.
fn answer(pipeline: &mut Authenticator, resolver: &impl Resolver) -> Result<usize, Box<dyn Error>> {
    let mut count = 0;
    loop {
        match pipeline.poll() {
            Step::Lookup(queries) if queries.is_empty() => return Ok(count),
            Step::Lookup(queries) => {
                for query in &queries {
                    pipeline.handle_answer(query.id, resolver.lookup(query))?;
                }
                count += queries.len();
            }
            // Not before the end of the message.
            Step::Done(_) => return Ok(count),
        }
    }
}

/// LF line ends as CRLF, as SMTP carries them.
fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    let mut previous = 0u8;
    for &byte in text {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}
