//! [`Authenticator`]: the receive pipeline as one sans-IO machine. SPF, DKIM, ARC and DMARC
//! over one message, every DNS query handed out as soon as it is known, ending with typed
//! results and the Authentication-Results field (RFC 8601).
//!
//! - SPF starts at once, from the connection facts: its queries go out before the message
//!   arrives.
//! - The message streams in with `handle_input`; when its header block is complete, the DKIM
//!   key queries and the ARC queries go out, while the body is still arriving.
//! - DMARC starts when SPF and DKIM have finished, from their typed results (never from header
//!   text) and the From field that mime reads from the header block the DKIM verifier keeps.
//! - Authentication-Results fields already in the message that claim this receiver's
//!   authserv-id are forgeries to delete (RFC 8601 §5): [`Outcome::forged_results`] says
//!   where they are.

use std::net::IpAddr;
use std::ops::Range;

use tegami_arc::{ArcResult, ChainStatus, Validator};
use tegami_core::auth_results::{AuthenticationResults, authserv_id_of};
use tegami_core::dns::{Answer, LookupMachine, MisuseError, Query, QueryId, Step};
use tegami_core::domain::Domain;
use tegami_dkim::{SignatureResult, Verifier};
use tegami_dmarc::{
    ArcSeal, Evaluation as DmarcEvaluation, Input as DmarcInput, Verdict as DmarcVerdict,
};
use tegami_mime::{Author, HeaderBlock};
use tegami_spf::{Evaluation as SpfEvaluation, Verdict as SpfVerdict};

/// What the SMTP session knows about the message's arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The client's address.
    pub ip: IpAddr,
    /// The HELO/EHLO name it gave.
    pub helo: String,
    /// The MAIL FROM address; empty for the null reverse-path `<>`.
    pub mail_from: String,
}

/// Settings of the pipeline: the limits and switches of every crate below, with their safe
/// defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// This receiver's authserv-id (RFC 8601 §2.5), the first word of the field written.
    pub authserv_id: String,
    /// SPF limits; its `now` is set from the pipeline's clock.
    pub spf: tegami_spf::Config,
    /// DKIM limits and policy (header size, signature count, `l=`, RFC 8301).
    pub dkim: tegami_dkim::Config,
    /// ARC validation; `None` leaves ARC out (RFC 8617 is headed for Historic).
    pub arc: Option<tegami_arc::Config>,
    /// DMARC discovery and policy switches (trusted forwarders name ARC sealers).
    pub dmarc: tegami_dmarc::Config,
}

impl Config {
    /// The defaults, with this receiver's authserv-id.
    pub fn new(authserv_id: impl Into<String>) -> Config {
        Config {
            authserv_id: authserv_id.into(),
            spf: tegami_spf::Config::default(),
            dkim: tegami_dkim::Config::default(),
            arc: Some(tegami_arc::Config::default()),
            dmarc: tegami_dmarc::Config::default(),
        }
    }
}

/// What the pipeline concluded.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The SPF verdict (MAIL FROM, or HELO for a null sender); `None` when the pipeline was
    /// started without the connection ([`Authenticator::without_spf`]).
    pub spf: Option<SpfVerdict>,
    /// One result per DKIM-Signature.
    pub dkim: Vec<SignatureResult>,
    /// The ARC chain's result, when ARC ran.
    pub arc: Option<ArcResult>,
    /// The DMARC verdict.
    pub dmarc: DmarcVerdict,
    /// The Authentication-Results field to prepend.
    pub authentication_results: AuthenticationResults<'static>,
    /// Byte ranges (in the message, line break included) of Authentication-Results fields
    /// that claim this receiver's authserv-id: forgeries to delete before delivery
    /// (RFC 8601 §5).
    pub forged_results: Vec<Range<usize>>,
}

impl Outcome {
    /// The field as text, folded, with its name and without the final CRLF.
    pub fn field(&self) -> String {
        self.authentication_results.to_field()
    }
}

/// Feeding input after [`Authenticator::handle_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("input after the end of the message")]
pub struct InputAfterEnd;

/// Which machine a query belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Machine {
    Spf,
    Dkim,
    Arc,
    Dmarc,
}

/// The receive pipeline (see the module documentation).
///
/// - `handle_input(chunk)` and `handle_end()` report the message as it arrives;
///   `handle_answer(id, answer)` reports a DNS answer;
/// - `poll()` says what to do next: queries to run (from any of the four protocols, with ids
///   of the pipeline's own), or the [`Outcome`]. Poll after every input and answer; queries
///   can be answered in any order.
///
/// ```
/// use tegami::authenticator::{Authenticator, Config, Connection};
/// use tegami::core::dns::{Resolver, Step, ZoneResolver};
///
/// let zone = ZoneResolver::from_master_file(concat!(
///     "example.com. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n",
///     "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"\n",
/// ))?;
/// let connection = Connection {
///     ip: "192.0.2.7".parse()?,
///     helo: "mail.example.com".into(),
///     mail_from: "alice@example.com".into(),
/// };
/// let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), 1_795_435_200);
/// let message = b"From: alice@example.com\r\nSubject: hi\r\n\r\nHello.\r\n";
/// let mut fed = false;
/// let outcome = loop {
///     match pipeline.poll() {
///         Step::Lookup(queries) => {
///             for query in &queries {
///                 pipeline.handle_answer(query.id, zone.lookup(query))?;
///             }
///             if queries.is_empty() && !fed {
///                 // Nothing to ask before the message: stream it in (here in one chunk).
///                 pipeline.handle_input(message)?;
///                 pipeline.handle_end();
///                 fed = true;
///             }
///         }
///         Step::Done(outcome) => break outcome,
///     }
/// };
/// assert_eq!(outcome.spf.as_ref().map(|v| v.result.as_str()), Some("pass"));
/// assert_eq!(outcome.dmarc.result.as_str(), "pass");
/// assert!(outcome.field().starts_with("Authentication-Results: mx.example.net;"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Authenticator {
    config: Config,
    spf: Option<SpfEvaluation>,
    spf_result: Option<SpfVerdict>,
    dkim: Option<Verifier<tegami_core::crypto::DefaultBackend>>,
    dkim_result: Option<Vec<SignatureResult>>,
    /// The header block, kept once the DKIM verifier has finished with it.
    header: Option<Vec<u8>>,
    arc: Option<Validator<tegami_core::crypto::RingBackend>>,
    arc_result: Option<ArcResult>,
    dmarc: Option<DmarcEvaluation>,
    ended: bool,
    /// Outer id → (machine, inner id); outer ids are issued in sequence.
    ids: Vec<(Machine, QueryId, bool)>,
    finished: Option<Outcome>,
}

impl Authenticator {
    /// Starts the pipeline for one message. `now` is the current time in Unix seconds (DKIM
    /// and ARC signature times, SPF's `%{t}`).
    pub fn new(connection: Connection, config: Config, now: u64) -> Authenticator {
        let mut spf_config = config.spf.clone();
        spf_config.now = Some(now);
        let spf = SpfEvaluation::with_config(
            connection.ip,
            &connection.helo,
            &connection.mail_from,
            spf_config,
        );
        let mut pipeline = Authenticator::without_spf(config, now);
        pipeline.spf = Some(spf);
        pipeline
    }

    /// Starts the pipeline without SPF, for a hop that does not know how the message arrived
    /// (a re-sealing ARC intermediary, an offline check of a stored message).
    pub fn without_spf(config: Config, now: u64) -> Authenticator {
        let dkim = Verifier::new(config.dkim.clone(), now);
        let arc = config.arc.clone().map(Validator::new);
        Authenticator {
            config,
            spf: None,
            spf_result: None,
            dkim: Some(dkim),
            dkim_result: None,
            header: None,
            arc,
            arc_result: None,
            dmarc: None,
            ended: false,
            ids: Vec::new(),
            finished: None,
        }
    }

    /// Feeds the next chunk of the message.
    ///
    /// # Errors
    ///
    /// [`InputAfterEnd`] after [`handle_end`](Self::handle_end).
    pub fn handle_input(&mut self, chunk: &[u8]) -> Result<(), InputAfterEnd> {
        if self.ended {
            return Err(InputAfterEnd);
        }
        if let Some(dkim) = &mut self.dkim {
            dkim.handle_input(chunk).map_err(|_| InputAfterEnd)?;
        }
        if let Some(arc) = &mut self.arc {
            arc.handle_input(chunk).map_err(|_| InputAfterEnd)?;
        }
        Ok(())
    }

    /// Marks the end of the message.
    pub fn handle_end(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        if let Some(dkim) = &mut self.dkim {
            dkim.handle_end();
        }
        if let Some(arc) = &mut self.arc {
            arc.handle_end();
        }
    }

    /// Feeds the answer to the query with this `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] for an id never handed out or answered before.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        let index = usize::try_from(id.0).unwrap_or(usize::MAX);
        let Some((machine, inner, answered)) = self.ids.get_mut(index) else {
            return Err(MisuseError::UnknownQuery(id));
        };
        if *answered {
            return Err(MisuseError::AlreadyAnswered(id));
        }
        *answered = true;
        let (machine, inner) = (*machine, *inner);
        let result = match machine {
            Machine::Spf => self.spf.as_mut().map(|m| m.handle_answer(inner, answer)),
            Machine::Dkim => self.dkim.as_mut().map(|m| m.handle_answer(inner, answer)),
            Machine::Arc => self.arc.as_mut().map(|m| m.handle_answer(inner, answer)),
            Machine::Dmarc => self.dmarc.as_mut().map(|m| m.handle_answer(inner, answer)),
        };
        result.unwrap_or(Err(MisuseError::Finished))
    }

    /// Says what to do next: queries to run, or the outcome once every protocol has finished.
    pub fn poll(&mut self) -> Step<Outcome> {
        if let Some(outcome) = &self.finished {
            return Step::Done(outcome.clone());
        }
        let mut queries = Vec::new();
        if let Some(spf) = &mut self.spf {
            match spf.poll() {
                Step::Lookup(inner) => queries.extend(remap(&mut self.ids, Machine::Spf, inner)),
                Step::Done(verdict) => {
                    self.spf_result = Some(verdict);
                    self.spf = None;
                }
            }
        }
        if let Some(dkim) = &mut self.dkim {
            match dkim.poll() {
                Step::Lookup(inner) => queries.extend(remap(&mut self.ids, Machine::Dkim, inner)),
                Step::Done(results) => {
                    self.header = dkim.header_block().map(<[u8]>::to_vec);
                    self.dkim_result = Some(results);
                    self.dkim = None;
                }
            }
        }
        if let Some(arc) = &mut self.arc {
            match arc.poll() {
                Step::Lookup(inner) => queries.extend(remap(&mut self.ids, Machine::Arc, inner)),
                Step::Done(result) => {
                    self.arc_result = Some(result);
                    self.arc = None;
                }
            }
        }
        let ready_for_dmarc = self.dmarc.is_none()
            && self.spf.is_none()
            && self.dkim.is_none()
            && self.arc.is_none()
            && self.finished.is_none();
        if ready_for_dmarc {
            self.dmarc = Some(self.start_dmarc());
        }
        if let Some(dmarc) = &mut self.dmarc {
            match dmarc.poll() {
                Step::Lookup(inner) => queries.extend(remap(&mut self.ids, Machine::Dmarc, inner)),
                Step::Done(verdict) => {
                    let outcome = self.outcome(verdict);
                    self.finished = Some(outcome.clone());
                    return Step::Done(outcome);
                }
            }
        }
        Step::Lookup(queries)
    }

    fn start_dmarc(&self) -> DmarcEvaluation {
        let header = self.header.as_deref().unwrap_or_default();
        let mut input = DmarcInput::from_author(&Author::from_message(header));
        if let Some(verdict) = &self.spf_result {
            input = input.spf(verdict);
        }
        if let Some(results) = &self.dkim_result {
            input = input.dkim(results);
        }
        if let Some(arc) = self
            .arc_result
            .as_ref()
            .filter(|a| a.status == ChainStatus::Pass)
        {
            input = input.arc_pass(arc_seals(arc));
        }
        DmarcEvaluation::new(input, self.config.dmarc.clone())
    }

    fn outcome(&mut self, dmarc: DmarcVerdict) -> Outcome {
        let spf = self.spf_result.take();
        let dkim = self.dkim_result.take().unwrap_or_default();
        let arc = self.arc_result.take();
        let mut results = AuthenticationResults::new(self.config.authserv_id.clone());
        if let Some(spf) = &spf {
            results.results.push(spf.to_auth_result());
        }
        results.results.extend(tegami_dkim::auth_results(&dkim));
        if let Some(arc) = &arc {
            results.results.push(arc.to_auth_result());
        }
        results.results.push(dmarc.to_auth_result());
        let forged_results = forged(
            self.header.as_deref().unwrap_or_default(),
            &self.config.authserv_id,
        );
        Outcome {
            spf,
            dkim,
            arc,
            dmarc,
            authentication_results: results,
            forged_results,
        }
    }
}

impl LookupMachine for Authenticator {
    type Output = Outcome;

    fn poll(&mut self) -> Step<Outcome> {
        Authenticator::poll(self)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        Authenticator::handle_answer(self, id, answer)
    }
}

/// Gives inner queries outer ids.
/// The seals of an ARC chain for DMARC, each sealer with what it recorded on arrival: a
/// trusted forwarder sets a failing policy aside only for mail that passed when it reached it
/// (RFC 8617 §7.2.1, [`ArcSeal`]). Meaningful for a chain whose status is `pass`.
pub fn arc_seals(arc: &ArcResult) -> Vec<ArcSeal> {
    arc.seal_domains
        .iter()
        .zip(&arc.recorded_results)
        .filter_map(|(sealer, results)| {
            let sealer = Domain::try_from(sealer.as_str()).ok()?;
            Some(ArcSeal::from_results(sealer, results))
        })
        .collect()
}

fn remap(
    ids: &mut Vec<(Machine, QueryId, bool)>,
    machine: Machine,
    inner: Vec<Query>,
) -> impl Iterator<Item = Query> + '_ {
    inner.into_iter().map(move |query| {
        let id = QueryId(u32::try_from(ids.len()).unwrap_or(u32::MAX));
        ids.push((machine, query.id, false));
        Query {
            id,
            name: query.name,
            kind: query.kind,
        }
    })
}

/// The Authentication-Results fields of `header` that claim `authserv_id`, as byte ranges
/// with their line breaks.
fn forged(header: &[u8], authserv_id: &str) -> Vec<Range<usize>> {
    let block = HeaderBlock::parse(header);
    block
        .fields()
        .iter()
        .filter(|field| {
            field.name().eq_ignore_ascii_case(b"Authentication-Results")
                && authserv_id_of(field.value())
                    .is_some_and(|id| id.eq_ignore_ascii_case(authserv_id))
        })
        .map(|field| field.offset()..line_end(header, field.value_offset() + field.value().len()))
        .collect()
}

fn line_end(header: &[u8], from: usize) -> usize {
    header
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(header.len(), |i| from + i + 1)
}
