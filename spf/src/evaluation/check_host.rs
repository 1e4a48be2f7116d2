//! One run of `check_host()` over the answers at hand (RFC 7208 §4 to §6).
//!
//! The machine runs this from the start on every poll. A run that needs an answer it does not
//! have stops and lists every query it can name at that point; with the same answers, a run
//! always takes the same path, so replaying is exact and keeps the counting of §4.6.4 simple.
//! What a run finished is kept ([`Settled`]), so a replay steps over it.

use core::fmt::Write as _;
use core::net::IpAddr;
use std::borrow::Cow;

use tegami_core::ascii;
use tegami_core::dns::{Answer, DnsError, QueryKind, Record as DnsRecord};

use super::{Config, Identity, SpfResult, Verdict};
use crate::macro_string::{MacroContext, MacroString, nibbles};
use crate::network::in_network;
use crate::record::{DualCidr, Mechanism, Qualifier, Record, RecordError};

/// What the caller asked: the identity to check.
#[derive(Debug, Clone)]
pub(super) struct Input {
    ip: IpAddr,
    /// `local@domain` as checked, then the HELO name: one buffer.
    text: String,
    /// Where the `@` is in `text`.
    at: usize,
    /// Where the sender ends and the HELO name starts in `text`.
    helo_start: usize,
    identity: Identity,
}

impl Input {
    pub(super) fn new(ip: IpAddr, helo: &str, sender: &str) -> Input {
        // An IPv4-mapped IPv6 client is an IPv4 client (RFC 4291 §2.5.5.2).
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        let helo = helo.strip_suffix('.').unwrap_or(helo);
        let (identity, local, domain) = if sender.is_empty() {
            (Identity::Helo, "", helo)
        } else {
            match ascii::rsplit_once(sender, b'@') {
                Some((local, domain)) => (Identity::MailFrom, local, domain),
                None => (Identity::MailFrom, "", sender),
            }
        };
        // §4.3: an empty local part is "postmaster".
        let local = if local.is_empty() {
            "postmaster"
        } else {
            local
        };
        let domain = domain.strip_suffix('.').unwrap_or(domain);
        Input {
            ip,
            text: [local, "@", domain, helo].concat(),
            at: local.len(),
            helo_start: local.len() + 1 + domain.len(),
            identity,
        }
    }

    fn local(&self) -> &str {
        self.text.get(..self.at).unwrap_or_default()
    }

    fn domain(&self) -> &str {
        self.text
            .get(self.at + 1..self.helo_start)
            .unwrap_or_default()
    }

    /// `local@domain`.
    fn sender(&self) -> &str {
        self.text.get(..self.helo_start).unwrap_or_default()
    }

    fn helo(&self) -> &str {
        self.text.get(self.helo_start..).unwrap_or_default()
    }
}

/// An answer the machine holds, with what its TXT records make of SPF, read once when it
/// arrived: every run borrows the same parsed record.
#[derive(Debug, Clone)]
pub(super) struct Known {
    /// The name asked, lower case.
    name: String,
    kind: QueryKind,
    answer: Answer,
    /// For an answer with records: its SPF record, or why there is none to use (§4.5).
    spf: Option<SpfTxt>,
}

/// The SPF record among a TXT answer's records (§4.5).
#[derive(Debug, Clone)]
enum SpfTxt {
    /// No record starts with `v=spf1`.
    Absent,
    /// More than one does.
    Several,
    /// The one SPF record is not UTF-8.
    NotText,
    /// The one SPF record does not parse.
    Invalid(RecordError),
    /// The record.
    Record(Record),
}

impl Known {
    pub(super) fn new(name: String, kind: QueryKind, answer: Answer) -> Known {
        let spf = match (&answer, kind) {
            (Ok(records), QueryKind::Txt) => Some(SpfTxt::read(records)),
            _ => None,
        };
        Known {
            name,
            kind,
            answer,
            spf,
        }
    }
}

impl SpfTxt {
    fn read(records: &[DnsRecord]) -> SpfTxt {
        let mut spf = records.iter().filter_map(|record| match record {
            DnsRecord::Txt(txt) => Some(txt.joined()).filter(|t| Record::is_spf(t)),
            _ => None,
        });
        let text = match (spf.next(), spf.next()) {
            (None, _) => return SpfTxt::Absent,
            (Some(_), Some(_)) => return SpfTxt::Several,
            (Some(text), None) => text,
        };
        match core::str::from_utf8(&text) {
            Ok(text) => match Record::parse(text) {
                Ok(record) => SpfTxt::Record(record),
                Err(error) => SpfTxt::Invalid(error),
            },
            Err(_) => SpfTxt::NotText,
        }
    }
}

/// Why a run stopped before its end.
enum Stop {
    /// An answer is missing; the run lists what it needs.
    Missing,
    /// A result that ends the whole evaluation (`temperror`, `permerror`).
    Final(SpfResult, String),
}

/// A DNS-querying term that a run finished: whether it matched, and the counts of §4.6.4 after
/// it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settled {
    matched: bool,
    dns_terms: u32,
    void_lookups: u32,
}

/// The result of one `check_host()` call.
struct HostResult {
    result: SpfResult,
    explanation: Option<String>,
    reason: String,
    mechanism: Option<String>,
}

pub(super) struct Run<'a> {
    input: &'a Input,
    config: &'a Config,
    answers: &'a [Known],
    /// The queries a stopped run needs (a buffer the machine keeps from poll to poll).
    missing: &'a mut Vec<(String, QueryKind)>,
    /// What earlier runs learnt of the DNS-querying terms they finished, by place.
    settled: &'a mut Vec<Option<Settled>>,
    dns_terms: u32,
    void_lookups: u32,
}

impl<'a> Run<'a> {
    pub(super) fn new(
        input: &'a Input,
        config: &'a Config,
        answers: &'a [Known],
        missing: &'a mut Vec<(String, QueryKind)>,
        settled: &'a mut Vec<Option<Settled>>,
    ) -> Run<'a> {
        missing.clear();
        Run {
            input,
            config,
            answers,
            missing,
            settled,
            dns_terms: 0,
            void_lookups: 0,
        }
    }

    /// Runs `check_host()` for the identity; `None` when an answer is missing.
    pub(super) fn evaluate(&mut self) -> Option<Verdict> {
        let input: &'a Input = self.input;
        let domain = input.domain();
        let outcome = if is_valid_domain(domain) {
            self.check_host(domain, true)
        } else {
            Ok(HostResult {
                result: SpfResult::None,
                explanation: None,
                reason: format!("{domain:?} is not a valid domain name"),
                mechanism: None,
            })
        };
        let host = match outcome {
            Ok(host) => host,
            Err(Stop::Missing) => return None,
            Err(Stop::Final(result, reason)) => HostResult {
                result,
                explanation: None,
                reason,
                mechanism: None,
            },
        };
        Some(Verdict {
            result: host.result,
            identity: self.input.identity,
            domain: domain.to_owned(),
            sender: self.input.sender().to_owned(),
            explanation: host.explanation,
            reason: host.reason,
            mechanism: host.mechanism,
        })
    }

    /// `check_host(<ip>, <domain>, <sender>)`, RFC 7208 §4. Only a `reported` result (the top
    /// one, and what a redirect hands back to it) gets a reason, a mechanism and an
    /// explanation: an include needs only the result word (§5.2), and §6.2 explains only the
    /// final result.
    fn check_host(&mut self, domain: &str, reported: bool) -> Result<HostResult, Stop> {
        let done = |result, reason: String| {
            Ok(HostResult {
                result,
                explanation: None,
                reason,
                mechanism: None,
            })
        };
        // §4.4, §4.5: the TXT records that are SPF records.
        let record = match self.spf_record(domain)? {
            Ok(record) => record,
            Err((result, reason)) => return done(result, reason),
        };

        // §4.6: directives left to right; the first match decides.
        for directive in record.directives() {
            let matched = if directive.mechanism.queries_dns() {
                self.count_dns_term()?;
                self.settled_match(&directive.mechanism, domain)?
            } else {
                self.matches(&directive.mechanism, domain)?
            };
            if matched {
                let result = match directive.qualifier {
                    Qualifier::Pass => SpfResult::Pass,
                    Qualifier::Fail => SpfResult::Fail,
                    Qualifier::SoftFail => SpfResult::SoftFail,
                    Qualifier::Neutral => SpfResult::Neutral,
                };
                if !reported {
                    return Ok(HostResult {
                        result,
                        explanation: None,
                        reason: String::new(),
                        mechanism: None,
                    });
                }
                let explanation = match result {
                    SpfResult::Fail => Some(self.explain(record, domain)?),
                    _ => None,
                };
                // The directive as written, once: the reason repeats it. Both are sized up
                // front (a directive is short; growing a string from empty reallocates).
                let mut mechanism = String::with_capacity(32);
                let _ = write!(mechanism, "{directive}");
                let mut reason = String::with_capacity(mechanism.len() + domain.len() + 12);
                reason.push_str("matched ");
                reason.push_str(&mechanism);
                reason.push_str(" at ");
                reason.push_str(domain);
                return Ok(HostResult {
                    result,
                    explanation,
                    reason,
                    mechanism: Some(mechanism),
                });
            }
        }

        // §6.1: redirect, when nothing matched.
        if let Some(target) = record.redirect() {
            self.count_dns_term()?;
            let target = self.expand_domain(target, domain)?;
            let child = self.check_host(&target, reported)?;
            if child.result == SpfResult::None {
                return done(
                    SpfResult::PermError,
                    format!("redirect target {target} has no SPF record"),
                );
            }
            return Ok(child);
        }
        done(
            SpfResult::Neutral,
            format!("no mechanism matched at {domain}"),
        )
    }

    /// The one SPF record of `domain` (§4.4, §4.5), parsed when its answer arrived; or the
    /// result that its absence, plurality or brokenness gives.
    fn spf_record(
        &mut self,
        domain: &str,
    ) -> Result<Result<&'a Record, (SpfResult, String)>, Stop> {
        let at = self.lookup_at(domain, QueryKind::Txt)?;
        let answers: &'a [Known] = self.answers;
        let Some(known) = at.and_then(|at| answers.get(at)) else {
            return Ok(Err((SpfResult::None, format!("no SPF record at {domain}"))));
        };
        Ok(match (&known.answer, &known.spf) {
            (Err(DnsError::Temporary), _) => Err((
                SpfResult::TempError,
                format!("DNS failure looking up {domain}"),
            )),
            (Err(_), _) | (Ok(_), None | Some(SpfTxt::Absent)) => {
                Err((SpfResult::None, format!("no SPF record at {domain}")))
            }
            (Ok(_), Some(SpfTxt::Several)) => Err((
                SpfResult::PermError,
                format!("more than one SPF record at {domain}"),
            )),
            (Ok(_), Some(SpfTxt::NotText)) => Err((
                SpfResult::PermError,
                format!("SPF record at {domain} is not text"),
            )),
            (Ok(_), Some(SpfTxt::Invalid(error))) => {
                Err((SpfResult::PermError, format!("{domain}: {error}")))
            }
            (Ok(_), Some(SpfTxt::Record(record))) => Ok(record),
        })
    }

    /// Whether a mechanism that queries DNS matches, from the run before when it got that far:
    /// a replay walks a settled `include` in one step instead of its whole subtree.
    ///
    /// A term is known by its place among the DNS-querying terms (the count just taken): with
    /// the answers only ever growing, every run takes the same path up to where the last one
    /// stopped, so the same place is the same term with the same counts.
    fn settled_match(&mut self, mechanism: &Mechanism, domain: &str) -> Result<bool, Stop> {
        let place = self.dns_terms as usize;
        if let Some(Some(settled)) = self.settled.get(place) {
            self.dns_terms = settled.dns_terms;
            self.void_lookups = settled.void_lookups;
            return Ok(settled.matched);
        }
        let matched = self.matches(mechanism, domain)?;
        if self.settled.len() <= place {
            self.settled.resize(place + 1, None);
        }
        if let Some(slot) = self.settled.get_mut(place) {
            *slot = Some(Settled {
                matched,
                dns_terms: self.dns_terms,
                void_lookups: self.void_lookups,
            });
        }
        Ok(matched)
    }

    /// Whether `mechanism` matches, §5.
    fn matches(&mut self, mechanism: &Mechanism, domain: &str) -> Result<bool, Stop> {
        let ip = self.input.ip;
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Include(spec) => {
                let target = self.expand_domain(spec, domain)?;
                let child = self.check_host(&target, false)?;
                match child.result {
                    SpfResult::Pass => Ok(true),
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    SpfResult::TempError => Err(Stop::Final(SpfResult::TempError, child.reason)),
                    SpfResult::PermError => Err(Stop::Final(SpfResult::PermError, child.reason)),
                    SpfResult::None => Err(Stop::Final(
                        SpfResult::PermError,
                        format!("include target {target} has no SPF record"),
                    )),
                }
            }
            Mechanism::A { domain: spec, cidr } => {
                let target = self.target(spec.as_ref(), domain)?;
                let addresses = self.addresses_counting_void(&target)?;
                Ok(addresses.iter().any(|address| in_cidr(ip, *address, *cidr)))
            }
            Mechanism::Mx { domain: spec, cidr } => {
                let target = self.target(spec.as_ref(), domain)?;
                let exchanges = match self.lookup(&target, QueryKind::Mx)? {
                    Err(DnsError::Temporary) => {
                        return Err(Stop::Final(
                            SpfResult::TempError,
                            format!("DNS failure looking up MX of {target}"),
                        ));
                    }
                    Err(_) => {
                        self.count_void()?;
                        return Ok(false);
                    }
                    Ok(records) => {
                        let mut exchanges: Vec<(u16, String)> = records
                            .iter()
                            .filter_map(|record| match record {
                                DnsRecord::Mx(mx) => Some((mx.preference, mx.exchange.clone())),
                                _ => None,
                            })
                            .collect();
                        if exchanges.is_empty() {
                            self.count_void()?;
                        }
                        exchanges.sort_by_key(|(preference, _)| *preference);
                        exchanges
                    }
                };
                // §4.6.4: at most 10 address lookups per `mx`; going past them is a permerror.
                // The hosts are tried in preference order, so a match among the first 10
                // never reaches the limit. Their addresses are looked up together.
                let limit = self.config.max_names_per_lookup;
                let kind = address_kind(ip);
                let names: Vec<(String, QueryKind)> = exchanges
                    .iter()
                    .take(limit)
                    .filter(|(_, exchange)| !exchange.is_empty())
                    .map(|(_, exchange)| (exchange.clone(), kind))
                    .collect();
                let mut temporary = false;
                for answer in self.lookup_all(&names)? {
                    match answer {
                        Err(DnsError::Temporary) => temporary = true,
                        Err(_) => {}
                        Ok(records) => {
                            if addresses_of(records).any(|address| in_cidr(ip, address, *cidr)) {
                                return Ok(true);
                            }
                        }
                    }
                }
                if exchanges.len() > limit {
                    return Err(Stop::Final(
                        SpfResult::PermError,
                        format!("{target} has more than {limit} MX records"),
                    ));
                }
                if temporary {
                    return Err(Stop::Final(
                        SpfResult::TempError,
                        format!("DNS failure looking up MX hosts of {target}"),
                    ));
                }
                Ok(false)
            }
            Mechanism::Ptr(spec) => {
                let target = self.target(spec.as_ref(), domain)?;
                let validated = self.validated_names()?;
                Ok(validated.iter().any(|name| is_same_or_below(name, &target)))
            }
            Mechanism::Ip4 { network, prefix } => {
                Ok(in_network(ip, IpAddr::V4(*network), prefix.unwrap_or(32)))
            }
            Mechanism::Ip6 { network, prefix } => {
                Ok(in_network(ip, IpAddr::V6(*network), prefix.unwrap_or(128)))
            }
            Mechanism::Exists(spec) => {
                let target = self.expand_domain(spec, domain)?;
                // §5.7: always an A lookup, whatever the client's address family.
                match self.lookup(&target, QueryKind::A)? {
                    Err(DnsError::Temporary) => Err(Stop::Final(
                        SpfResult::TempError,
                        format!("DNS failure looking up {target}"),
                    )),
                    Ok(records) if !records.is_empty() => Ok(true),
                    _ => {
                        self.count_void()?;
                        Ok(false)
                    }
                }
            }
        }
    }

    /// The A or AAAA addresses of `target` for the `a` mechanism; empty answers are void.
    fn addresses_counting_void(&mut self, target: &str) -> Result<Vec<IpAddr>, Stop> {
        match self.lookup(target, address_kind(self.input.ip))? {
            Err(DnsError::Temporary) => Err(Stop::Final(
                SpfResult::TempError,
                format!("DNS failure looking up {target}"),
            )),
            Err(_) => {
                self.count_void()?;
                Ok(Vec::new())
            }
            Ok(records) => {
                let addresses: Vec<IpAddr> = addresses_of(records).collect();
                if addresses.is_empty() {
                    self.count_void()?;
                }
                Ok(addresses)
            }
        }
    }

    /// The client's validated domain names (§5.5): PTR names whose addresses include the client,
    /// at most 10 of them looked at. DNS errors leave names out rather than fail.
    fn validated_names(&mut self) -> Result<Vec<String>, Stop> {
        let reverse = reverse_name(self.input.ip);
        let names: Vec<String> = match self.lookup(&reverse, QueryKind::Ptr)? {
            Ok(records) => records
                .iter()
                .filter_map(|record| match record {
                    DnsRecord::Ptr(name) => Some(name.clone()),
                    _ => None,
                })
                .take(self.config.max_names_per_lookup)
                .collect(),
            Err(_) => return Ok(Vec::new()),
        };
        let kind = address_kind(self.input.ip);
        let queries: Vec<(String, QueryKind)> =
            names.iter().map(|name| (name.clone(), kind)).collect();
        let answers = self.lookup_all(&queries)?;
        Ok(names
            .into_iter()
            .zip(answers)
            .filter(|(_, answer)| {
                answer.as_ref().is_ok_and(|records| {
                    addresses_of(records).any(|address| address == self.input.ip)
                })
            })
            .map(|(name, _)| name)
            .collect())
    }

    /// The `%{p}` value for `domain` (§7.3): a validated name equal to the domain, else one
    /// below it, else any, else `unknown`.
    fn validated_name_for(&mut self, domain: &str) -> Result<String, Stop> {
        let names = self.validated_names()?;
        let pick = names
            .iter()
            .find(|name| name.eq_ignore_ascii_case(domain))
            .or_else(|| names.iter().find(|name| is_same_or_below(name, domain)))
            .or_else(|| names.first());
        Ok(pick.cloned().unwrap_or_else(|| "unknown".into()))
    }

    /// The explanation of a `fail` (§6.2): from `exp=` when it yields exactly one usable TXT
    /// record, else a default one.
    fn explain(&mut self, record: &Record, domain: &str) -> Result<String, Stop> {
        let default = format!(
            "{} is not allowed to send mail as {}",
            self.input.ip,
            self.input.domain()
        );
        let Some(spec) = record.explanation() else {
            return Ok(default);
        };
        let target = self.expand_domain(spec, domain)?;
        let text = match self.lookup(&target, QueryKind::Txt)? {
            Ok(records) if records.len() == 1 => match records.first() {
                Some(DnsRecord::Txt(txt)) => String::from_utf8(txt.concatenated()).ok(),
                _ => None,
            },
            _ => None,
        };
        let Some(explanation) = text.and_then(|text| MacroString::parse_explanation(&text).ok())
        else {
            return Ok(default);
        };
        let validated = if explanation.uses_validated_name() {
            self.validated_name_for(domain)?
        } else {
            String::new()
        };
        let context = self.context(domain, &validated);
        Ok(explanation.expand(&context))
    }

    /// The domain a mechanism looks at: its domain-spec expanded, or the current domain.
    fn target<'s>(
        &mut self,
        spec: Option<&'s MacroString>,
        domain: &'s str,
    ) -> Result<Cow<'s, str>, Stop> {
        match spec {
            Some(spec) => self.expand_domain(spec, domain),
            None => Ok(Cow::Borrowed(domain)),
        }
    }

    /// A domain-spec expanded (§7.3); a spec without macros is its own text, not a copy.
    fn expand_domain<'s>(
        &mut self,
        spec: &'s MacroString,
        domain: &str,
    ) -> Result<Cow<'s, str>, Stop> {
        let validated = if spec.uses_validated_name() {
            self.validated_name_for(domain)?
        } else {
            String::new()
        };
        Ok(spec.expand_domain(&self.context(domain, &validated)))
    }

    fn context<'c>(&'c self, domain: &'c str, validated: &'c str) -> MacroContext<'c> {
        MacroContext {
            sender_local: self.input.local(),
            sender_domain: self.input.domain(),
            domain,
            ip: self.input.ip,
            validated_name: validated,
            helo: self.input.helo(),
            receiver: self.config.receiver.as_deref().unwrap_or("unknown"),
            now: self.config.now,
        }
    }

    fn count_dns_term(&mut self) -> Result<(), Stop> {
        self.dns_terms += 1;
        if self.dns_terms > self.config.max_dns_terms {
            return Err(Stop::Final(
                SpfResult::PermError,
                format!("more than {} DNS-querying terms", self.config.max_dns_terms),
            ));
        }
        Ok(())
    }

    fn count_void(&mut self) -> Result<(), Stop> {
        self.void_lookups += 1;
        if self.void_lookups > self.config.max_void_lookups {
            return Err(Stop::Final(
                SpfResult::PermError,
                format!("more than {} void lookups", self.config.max_void_lookups),
            ));
        }
        Ok(())
    }

    /// The answer to one query, or a stop that asks for it. A name that cannot exist in DNS
    /// (an empty label, a label over 63 octets, over 253 octets) is not asked: it answers as a
    /// name that does not exist, so a mechanism aimed at it does not match.
    fn lookup(&mut self, name: &str, kind: QueryKind) -> Result<&'a Answer, Stop> {
        let at = self.lookup_at(name, kind)?;
        Ok(self.answer_at(at))
    }

    /// As [`Run::lookup`], with where the answer is among the answers (`None` for a name that
    /// cannot exist).
    fn lookup_at(&mut self, name: &str, kind: QueryKind) -> Result<Option<usize>, Stop> {
        if !is_queryable(name) {
            return Ok(None);
        }
        // A handful of answers at most: a scan beats hashing a lower-cased copy of the name.
        match self
            .answers
            .iter()
            .position(|known| known.kind == kind && known.name.eq_ignore_ascii_case(name))
        {
            Some(at) => Ok(Some(at)),
            None => {
                self.missing.push((name.to_ascii_lowercase(), kind));
                Err(Stop::Missing)
            }
        }
    }

    /// The answer at `at` from [`Run::lookup_at`].
    fn answer_at(&self, at: Option<usize>) -> &'a Answer {
        let answers: &'a [Known] = self.answers;
        at.and_then(|at| answers.get(at))
            .map_or(&NO_SUCH_NAME, |known| &known.answer)
    }

    /// The answers to several queries that may run together; a stop lists every missing one.
    fn lookup_all(&mut self, queries: &[(String, QueryKind)]) -> Result<Vec<&'a Answer>, Stop> {
        let mut answers = Vec::with_capacity(queries.len());
        let mut missing = false;
        for (name, kind) in queries {
            match self.lookup(name, *kind) {
                Ok(answer) => answers.push(answer),
                Err(_) => missing = true,
            }
        }
        if missing {
            Err(Stop::Missing)
        } else {
            Ok(answers)
        }
    }
}

/// The answer for a name that cannot exist.
static NO_SUCH_NAME: Answer = Err(DnsError::NxDomain);

fn address_kind(ip: IpAddr) -> QueryKind {
    match ip {
        IpAddr::V4(_) => QueryKind::A,
        IpAddr::V6(_) => QueryKind::Aaaa,
    }
}

fn addresses_of(records: &[DnsRecord]) -> impl Iterator<Item = IpAddr> + '_ {
    records.iter().filter_map(|record| match record {
        DnsRecord::A(address) => Some(IpAddr::V4(*address)),
        DnsRecord::Aaaa(address) => Some(IpAddr::V6(*address)),
        _ => None,
    })
}

/// Whether `address` is in the client's network of the given prefix length.
fn in_cidr(ip: IpAddr, address: IpAddr, cidr: DualCidr) -> bool {
    let prefix = match ip {
        IpAddr::V4(_) => cidr.ip4.unwrap_or(32),
        IpAddr::V6(_) => cidr.ip6.unwrap_or(128),
    };
    in_network(ip, address, prefix)
}

fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => format!("{}.ip6.arpa", nibbles(&v6.octets(), true)),
    }
}

/// Whether `name` is `domain` or a name below it, case-insensitively.
fn is_same_or_below(name: &str, domain: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let domain = domain
        .strip_suffix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase();
    name == domain || name.ends_with(&format!(".{domain}"))
}

/// §4.3: a multi-label name with labels of 1 to 63 octets and at most 253 octets.
fn is_valid_domain(domain: &str) -> bool {
    domain.contains('.') && is_queryable(domain)
}

/// Whether a name can be sent to DNS at all (RFC 1035 §2.3.4).
fn is_queryable(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && ascii::split(name, b'.').all(|label| !label.is_empty() && label.len() <= 63)
}
