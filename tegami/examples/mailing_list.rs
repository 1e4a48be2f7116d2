//! A mailing list built on tegami: authenticate a post as it arrives, tag its Subject, add
//! List-* fields and a footer, sign it as the list (DKIM) and seal it (ARC) with the verdicts
//! taken on arrival, so that receivers after the list can still see that the author's domain
//! passed before the list changed the message (RFC 8617 §1, §5.1).
//!
//! The author's own DKIM signatures break on the way: the footer changes the body and the new
//! List-* fields were oversigned by the author's signer. DMARC at the next receiver therefore
//! fails for the author's domain unless that receiver trusts the list's ARC seal.
//!
//! ```text
//! cargo run -p tegami --example mailing_list -- ZONE LIST_KEY.pem NOW POST.eml > out.eml
//! ```
//!
//! `examples/make.sh` runs it to build `examples/mailing-list.eml`.

use std::error::Error;
use std::io::Write as _;

use tegami::arc::{SealSpec, Sealer};
use tegami::authenticator::{Authenticator, Config, Connection};
use tegami::core::crypto::{CryptoBackend as _, PrivateKey, RingBackend, SignPolicy};
use tegami::core::dns::{self, ZoneResolver};
use tegami::dkim::{Selector, Signer, SigningSpec};

/// The list's names.
const LIST_DOMAIN: &str = "lists.example.org";
const LIST_ADDRESS: &str = "team@lists.example.org";
const SELECTOR: &str = "list2026";

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [zone, key, now, post] = args.as_slice() else {
        return Err("usage: mailing_list ZONE LIST_KEY.pem NOW POST.eml".into());
    };
    let resolver = ZoneResolver::from_master_file(&std::fs::read_to_string(zone)?)?;
    let key = RingBackend.signing_key(
        &PrivateKey::from_pem(&std::fs::read_to_string(key)?)?,
        &SignPolicy::default(),
    )?;
    let now: u64 = now.parse()?;
    let post = crlf(&std::fs::read(post)?);

    // 1. On arrival: the author's server connected from 192.0.2.25.
    let connection = Connection {
        ip: "192.0.2.25".parse()?,
        helo: "mail.example.com".into(),
        mail_from: "alice@example.com".into(),
    };
    let mut arrival = Authenticator::new(connection, Config::new(LIST_DOMAIN), now);
    arrival.handle_input(&post)?;
    arrival.handle_end();
    let outcome = dns::resolve(&mut arrival, &resolver)?;
    let arc_status = outcome.arc.as_ref().map(|arc| arc.status);
    let results_field = format!("{}\r\n", outcome.field());

    // 2. What a list does to a post.
    let rewritten = rewrite(&post)?;

    // 3. Sign as the list.
    let domain = LIST_DOMAIN.parse()?;
    let selector = Selector::try_from(SELECTOR)?;
    let mut signer = Signer::new(vec![SigningSpec::new(&key, domain, selector.clone())], now);
    signer.handle_input(&rewritten);
    let dkim_fields = signer.finish()?.concat();

    // 4. Seal: the ARC-Authentication-Results copies the arrival field written above.
    let mut spec = SealSpec::new(&key, LIST_DOMAIN.parse()?, selector, LIST_DOMAIN);
    spec.chain_status = arc_status;
    let mut sealer = Sealer::with_backend(RingBackend, spec, now);
    sealer.handle_input(results_field.as_bytes());
    sealer.handle_input(dkim_fields.as_bytes());
    sealer.handle_input(&rewritten);
    let arc_set = sealer
        .finish()?
        .ok_or("the incoming ARC chain had failed; a failed chain is not extended")?;

    let mut out = std::io::stdout().lock();
    out.write_all(arc_set.to_prepend().as_bytes())?;
    out.write_all(results_field.as_bytes())?;
    out.write_all(dkim_fields.as_bytes())?;
    out.write_all(&rewritten)?;
    out.flush()?;
    Ok(())
}

/// The post with `[team]` in front of its Subject, the RFC 2369 and RFC 2919 list fields at
/// the end of its header, and a footer after its (plain-text) body.
fn rewrite(post: &[u8]) -> Result<Vec<u8>, Box<dyn Error>> {
    let split = post
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the post has no body")?;
    // The header with its last line break; the body after the empty line.
    let (header, rest) = post.split_at_checked(split + 2).ok_or("no header")?;
    let body = rest.strip_prefix(b"\r\n").ok_or("no empty line")?;
    let mut out = Vec::with_capacity(post.len() + 256);
    for line in header.split_inclusive(|&b| b == b'\n') {
        match line.strip_prefix(b"Subject:") {
            Some(rest) => {
                out.extend_from_slice(b"Subject: [team]");
                out.extend_from_slice(rest);
            }
            None => out.extend_from_slice(line),
        }
    }
    out.extend_from_slice(
        format!(
            "List-Id: Team <team.{LIST_DOMAIN}>\r\n\
             List-Post: <mailto:{LIST_ADDRESS}>\r\n\
             List-Unsubscribe: <mailto:team-leave@{LIST_DOMAIN}>\r\n\
             \r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out.extend_from_slice(
        format!("-- \r\nteam mailing list, {LIST_ADDRESS}\r\nhttps://{LIST_DOMAIN}/team\r\n")
            .as_bytes(),
    );
    Ok(out)
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
