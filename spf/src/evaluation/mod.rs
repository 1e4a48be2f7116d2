//! The `check_host()` function of [RFC 7208 §4](https://www.rfc-editor.org/rfc/rfc7208#section-4)
//! as a sans-IO machine.

mod check_host;

use core::fmt;
use core::net::IpAddr;

use tegami_core::dns::{Answer, LookupMachine, MisuseError, Outstanding, QueryId, QueryKind, Step};

/// The SPF results of RFC 7208 §2.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpfResult {
    /// No record, or no valid domain to check (§2.6.1).
    None,
    /// The record says nothing definite (§2.6.2).
    Neutral,
    /// The client is authorised (§2.6.3).
    Pass,
    /// The client is not authorised (§2.6.4).
    Fail,
    /// Probably not authorised (§2.6.5).
    SoftFail,
    /// A transient DNS error (§2.6.6).
    TempError,
    /// The records could not be interpreted (§2.6.7).
    PermError,
}

impl SpfResult {
    /// The result word, as Received-SPF and Authentication-Results write it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::None => "none",
            SpfResult::Neutral => "neutral",
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }
}

impl fmt::Display for SpfResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which identity was checked (§2.3, §2.4). DMARC aligns only with [`Identity::MailFrom`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Identity {
    /// The MAIL FROM address.
    MailFrom,
    /// The HELO/EHLO domain (checked for a null reverse-path, or on its own).
    Helo,
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The result.
    pub result: SpfResult,
    /// The identity that was checked.
    pub identity: Identity,
    /// The domain checked (the sender's domain, or the HELO domain).
    pub domain: String,
    /// The sender as checked: `local@domain`, `postmaster@<helo>` for a null sender.
    pub sender: String,
    /// For `fail`, the explanation from `exp=` (§6.2), or a default one.
    pub explanation: Option<String>,
    /// Why, in words: the matching mechanism, or the error.
    pub reason: String,
    /// The directive that matched, as written (`-all`, `ip4:192.0.2.0/24`), if one did.
    pub mechanism: Option<String>,
}

/// Settings of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The limit on DNS-querying terms (§4.6.4): 10.
    pub max_dns_terms: u32,
    /// The limit on void lookups (§4.6.4): 2.
    pub max_void_lookups: u32,
    /// The limit on MX records of one `mx` mechanism, and PTR names used (§4.6.4): 10.
    pub max_names_per_lookup: usize,
    /// The receiving host, for the `%{r}` macro; `unknown` when not set.
    pub receiver: Option<String>,
    /// The time, for the `%{t}` macro, in seconds since the epoch; never read from a clock.
    pub now: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_dns_terms: 10,
            max_void_lookups: 2,
            max_names_per_lookup: 10,
            receiver: None,
            now: None,
        }
    }
}

/// An SPF evaluation: give it the client's IP, the HELO name and the MAIL FROM address, then
/// answer its DNS queries until it is done.
///
/// - Reporting: [`Evaluation::handle_answer`] takes the answer to a query.
/// - Polling: [`Evaluation::poll`] returns the queries to run, or the [`Verdict`].
///
/// Queries that the RFC lets run together (the addresses of every MX host, of every PTR name)
/// are handed out together. Every limit of §4.6.4 is enforced inside the machine.
///
/// ```
/// use tegami_core::dns::{self, ZoneResolver};
/// use tegami_spf::{Evaluation, Identity, SpfResult};
///
/// let zone = ZoneResolver::from_master_file(
///     "example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n",
/// )?;
/// let mut spf = Evaluation::new("192.0.2.7".parse()?, "mx.example.com", "joe@example.com");
/// let verdict = dns::resolve(&mut spf, &zone)?;
/// assert_eq!(verdict.result, SpfResult::Pass);
/// assert_eq!(verdict.identity, Identity::MailFrom);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Evaluation {
    input: check_host::Input,
    config: Config,
    book: Outstanding,
    answers: Vec<check_host::Known>,
    /// What the last run missed, kept to be reused by the next.
    missing: Vec<(String, QueryKind)>,
    /// The DNS-querying terms earlier runs finished.
    settled: Vec<Option<check_host::Settled>>,
}

impl Evaluation {
    /// Checks the MAIL FROM identity; an empty `sender` (the null reverse-path) checks the HELO
    /// identity as `postmaster@<helo>` (§2.4).
    pub fn new(ip: IpAddr, helo: &str, sender: &str) -> Evaluation {
        Evaluation::with_config(ip, helo, sender, Config::default())
    }

    /// Checks the HELO identity (§2.3).
    pub fn helo(ip: IpAddr, helo: &str) -> Evaluation {
        Evaluation::with_config(ip, helo, "", Config::default())
    }

    /// As [`Evaluation::new`], with settings.
    pub fn with_config(ip: IpAddr, helo: &str, sender: &str, config: Config) -> Evaluation {
        Evaluation {
            input: check_host::Input::new(ip, helo, sender),
            config,
            book: Outstanding::default(),
            answers: Vec::new(),
            missing: Vec::new(),
            settled: Vec::new(),
        }
    }

    /// Feeds the answer to a query.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] for an unknown id or one answered before.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        let (name, kind) = self.book.answer(id)?;
        self.answers
            .push(check_host::Known::new(name, kind, answer));
        Ok(())
    }

    /// Says what to do next.
    ///
    /// The evaluation runs from the start with the answers it has each time, so it always sees
    /// the same record texts in the same order; it stops at the first lookup it has no answer
    /// for and hands out every query it can already name. A DNS-querying term that an earlier
    /// run finished (an `include` with its whole subtree) is taken as it came out then, so a
    /// run costs the terms still open rather than the whole path again.
    pub fn poll(&mut self) -> Step<Verdict> {
        // A poll after the verdict runs again over the same answers, so it gives the same
        // verdict without the machine keeping a copy of it.
        let verdict = check_host::Run::new(
            &self.input,
            &self.config,
            &self.answers,
            &mut self.missing,
            &mut self.settled,
        )
        .evaluate();
        match verdict {
            Some(verdict) => Step::Done(verdict),
            None => {
                // What a run misses is never answered yet; only what waits must not go out
                // twice.
                let mut queries = Vec::with_capacity(self.missing.len());
                for (name, kind) in self.missing.drain(..) {
                    if !self.book.is_waiting(&name, kind) {
                        queries.push(self.book.issue(name, kind));
                    }
                }
                Step::Lookup(queries)
            }
        }
    }
}

impl LookupMachine for Evaluation {
    type Output = Verdict;

    fn poll(&mut self) -> Step<Verdict> {
        Evaluation::poll(self)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        Evaluation::handle_answer(self, id, answer)
    }
}
