//! An async receiver (tokio, feature `hickory`): the same pipeline, its queries answered
//! concurrently by [`resolve_async`] — all of SPF's, DKIM's and ARC's queries that are known
//! at a time are in flight together. Without `--zone` the system's resolver is asked
//! (hickory-resolver); with it, a zone file behind a three-line [`AsyncResolver`], which is
//! all it takes to plug in any other DNS client.
//!
//! ```text
//! cargo run -p tegami --features hickory --example receive_async -- [--zone ZONE] \
//!     MESSAGE IP HELO SENDER NOW
//! cargo run -p tegami --features hickory --example receive_async -- --zone examples/example.com.zone \
//!     examples/mailing-list.eml 198.51.100.10 mail.lists.example.org team-bounces@lists.example.org 1795426000
//! ```

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example prints its result"
)]

use std::error::Error;
use std::future::Future;

use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::dns::{Answer, AsyncResolver, Query, Resolver, ZoneResolver, resolve_async};
use tegami::hickory::HickoryResolver;

/// A zone file as an async resolver: answers are ready at once.
struct Offline(ZoneResolver);

impl AsyncResolver for Offline {
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send {
        std::future::ready(self.0.lookup(query))
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let zone = match args.first().map(String::as_str) {
        Some("--zone") if args.len() > 1 => {
            let path = args.remove(1);
            args.remove(0);
            Some(ZoneResolver::from_master_file(&std::fs::read_to_string(
                path,
            )?)?)
        }
        _ => None,
    };
    let [file, ip, helo, sender, now] = args.as_slice() else {
        return Err("usage: receive_async [--zone ZONE] MESSAGE IP HELO SENDER NOW".into());
    };
    let message = std::fs::read(file)?;
    let connection = Connection {
        ip: ip.parse()?,
        helo: helo.clone(),
        mail_from: sender.clone(),
    };
    let now: u64 = now.parse()?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(async {
        match zone {
            Some(zone) => authenticate(connection, &message, now, &Offline(zone)).await,
            None => authenticate(connection, &message, now, &HickoryResolver::system()?).await,
        }
    })?;
    println!("{}", outcome.field());
    Ok(())
}

/// The pipeline over a whole message with any async resolver.
async fn authenticate(
    connection: Connection,
    message: &[u8],
    now: u64,
    resolver: &impl AsyncResolver,
) -> Result<Outcome, Box<dyn Error>> {
    let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), now);
    // A stored file may have LF line ends; SMTP carries CRLF. Feed line by line, mending them.
    for line in message.split_inclusive(|&b| b == b'\n') {
        let bare = line.strip_suffix(b"\n").filter(|l| !l.ends_with(b"\r"));
        match bare {
            Some(text) => {
                pipeline.handle_input(text)?;
                pipeline.handle_input(b"\r\n")?;
            }
            None => pipeline.handle_input(line)?,
        }
    }
    pipeline.handle_end();
    Ok(resolve_async(&mut pipeline, resolver).await?)
}
