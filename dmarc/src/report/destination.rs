//! Verifying external report destinations (RFC 9990 section 4), as a sans-IO step a report
//! generator runs before it sends.
//!
//! A DMARC Policy Record may ask for reports at an address outside its own Organizational
//! Domain. Unchecked, that would let anyone flood a victim with reports, so the receiver asks
//! the destination: a TXT record at `<policy domain>._report._dmarc.<destination host>` that
//! starts with `v=DMARC1` authorises it. That record may name its own `rua` (or `ruf`) to use
//! instead, but only at the same host; an override pointing elsewhere cancels the destination
//! altogether. All queries go out at once.
//!
//! ```
//! use tegami_core::dns::{resolve, ZoneResolver};
//! use tegami_core::domain::Domain;
//! use tegami_dmarc::record::ReportUri;
//! use tegami_dmarc::report::destination::{DestinationCheck, ReportKind, Verdict};
//!
//! let zone = ZoneResolver::from_master_file(concat!(
//!     "example.com._report._dmarc.reports.example. 300 IN TXT \"v=DMARC1; rua=mailto:bulk@reports.example\"\n",
//! ))?;
//! let uris = [
//!     ReportUri::parse("mailto:dmarc@example.com").unwrap(),
//!     ReportUri::parse("mailto:d@reports.example").unwrap(),
//!     ReportUri::parse("mailto:d@victim.example").unwrap(),
//! ];
//! let check = DestinationCheck::new(
//!     Domain::try_from("example.com")?,
//!     Domain::try_from("example.com")?,
//!     &uris,
//!     ReportKind::Aggregate,
//! );
//! let checked = resolve(&mut { check }, &zone)?;
//! assert_eq!(checked[0].verdict, Verdict::Internal);
//! assert_eq!(checked[1].verdict, Verdict::Authorized);
//! assert_eq!(checked[1].send_to[0].to_string(), "mailto:bulk@reports.example");
//! assert_eq!(checked[2].verdict, Verdict::NotAuthorized);
//! assert!(checked[2].send_to.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use tegami_core::dns::{
    Answer, DnsError, LookupMachine, MisuseError, Outstanding, QueryId, QueryKind,
    Record as DnsRecord, Step,
};
use tegami_core::domain::Domain;
use tegami_core::tag_list::TagList;

use crate::record::ReportUri;

/// Which reports the destinations are for: it picks the tag an authorisation record may
/// override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// Aggregate reports (`rua`).
    Aggregate,
    /// Failure reports (`ruf`).
    Failure,
}

/// What the check found for one destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Inside the policy's Organizational Domain: no check needed.
    Internal,
    /// The destination published an authorisation record.
    Authorized,
    /// No authorisation record (or none that starts with `v=DMARC1`): do not send.
    NotAuthorized,
    /// The authorisation record overrides the destination with a URI at another host:
    /// send to neither (RFC 9990 section 4).
    OverrideElsewhere,
    /// The lookup failed temporarily; the check can be repeated later.
    TemporaryFailure,
    /// The constructed name is longer than DNS allows: no authorisation can be shown.
    NameTooLong,
    /// Not a `mailto:` URI: this check does not apply; the caller decides.
    NotMailto,
}

/// One destination after the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The URI from the policy record.
    pub uri: ReportUri,
    /// What the check found.
    pub verdict: Verdict,
    /// Where to send: the URI itself, the authorisation record's override URIs, or nothing.
    pub send_to: Vec<ReportUri>,
}

/// The check of a policy record's destinations (see the module documentation).
#[derive(Debug, Clone)]
pub struct DestinationCheck {
    policy_domain: Domain,
    organizational: Domain,
    kind: ReportKind,
    checked: Vec<Checked>,
    /// Per destination host: its query, or its answer's records once in.
    asked: BTreeMap<Domain, Option<Answer>>,
    waiting: BTreeMap<QueryId, Domain>,
    book: Outstanding,
    started: bool,
}

impl DestinationCheck {
    /// Checks `uris` of the record found at `policy_domain`, whose Organizational Domain is
    /// `organizational` (as DMARC discovery determined it).
    pub fn new(
        policy_domain: Domain,
        organizational: Domain,
        uris: &[ReportUri],
        kind: ReportKind,
    ) -> DestinationCheck {
        let checked = uris
            .iter()
            .map(|uri| Checked {
                uri: uri.clone(),
                verdict: Verdict::NotMailto,
                send_to: Vec::new(),
            })
            .collect();
        DestinationCheck {
            policy_domain,
            organizational,
            kind,
            checked,
            asked: BTreeMap::new(),
            waiting: BTreeMap::new(),
            book: Outstanding::default(),
            started: false,
        }
    }

    fn finish(&mut self) -> Vec<Checked> {
        let tag = match self.kind {
            ReportKind::Aggregate => "rua",
            ReportKind::Failure => "ruf",
        };
        for checked in &mut self.checked {
            let Some(host) = checked.uri.mailto_domain() else {
                checked.verdict = Verdict::NotMailto;
                checked.send_to = vec![checked.uri.clone()];
                continue;
            };
            if host.is_subdomain_of(&self.organizational) {
                checked.verdict = Verdict::Internal;
                checked.send_to = vec![checked.uri.clone()];
                continue;
            }
            let (verdict, send_to) = match self.asked.get(&host) {
                None => (Verdict::NameTooLong, Vec::new()),
                Some(None) | Some(Some(Err(DnsError::Temporary))) => {
                    (Verdict::TemporaryFailure, Vec::new())
                }
                Some(Some(Err(_))) => (Verdict::NotAuthorized, Vec::new()),
                Some(Some(Ok(records))) => authorization(records, tag, &host, &checked.uri),
            };
            checked.verdict = verdict;
            checked.send_to = send_to;
        }
        std::mem::take(&mut self.checked)
    }
}

/// The tags of the records that pass step 6 of RFC 9990 section 4: a tag-list whose first tag
/// is `v=DMARC1`.
fn authorizing(records: &[DnsRecord]) -> impl Iterator<Item = Vec<u8>> + '_ {
    records.iter().filter_map(|record| {
        let DnsRecord::Txt(txt) = record else {
            return None;
        };
        let text = txt.concatenated();
        let versioned = TagList::parse(&text).ok().is_some_and(|tags| {
            tags.tags()
                .first()
                .is_some_and(|first| first.name() == "v" && first.value() == "DMARC1")
        });
        versioned.then_some(text)
    })
}

/// Whether the records at an authorisation name authorise the destination (RFC 9990 section
/// 4, steps 6-8).
pub(crate) fn authorizes(records: &[DnsRecord]) -> bool {
    authorizing(records).next().is_some()
}

/// Steps 6-9 of RFC 9990 section 4 over the TXT records at the authorisation name.
fn authorization(
    records: &[DnsRecord],
    tag: &str,
    host: &Domain,
    uri: &ReportUri,
) -> (Verdict, Vec<ReportUri>) {
    let mut authorized = false;
    let mut overrides: Vec<ReportUri> = Vec::new();
    for text in authorizing(records) {
        authorized = true;
        let value = TagList::parse(&text)
            .ok()
            .and_then(|tags| tags.get(tag).map(str::to_owned));
        if let Some(value) = value {
            overrides.extend(value.split(',').filter_map(|u| ReportUri::parse(u.trim())));
        }
    }
    if !authorized {
        return (Verdict::NotAuthorized, Vec::new());
    }
    if overrides.is_empty() {
        return (Verdict::Authorized, vec![uri.clone()]);
    }
    if overrides
        .iter()
        .all(|o| o.mailto_domain().as_ref() == Some(host))
    {
        (Verdict::Authorized, overrides)
    } else {
        (Verdict::OverrideElsewhere, Vec::new())
    }
}

impl LookupMachine for DestinationCheck {
    type Output = Vec<Checked>;

    fn poll(&mut self) -> Step<Vec<Checked>> {
        if !self.started {
            self.started = true;
            let mut queries = Vec::new();
            let hosts: Vec<Domain> = self
                .checked
                .iter()
                .filter_map(|c| c.uri.mailto_domain())
                .filter(|host| !host.is_subdomain_of(&self.organizational))
                .collect();
            for host in hosts {
                if self.asked.contains_key(&host) {
                    continue;
                }
                let name = format!("{}._report._dmarc.{host}", self.policy_domain);
                // Step 4: a name over DNS's 253 octets cannot be asked.
                if name.len() > 253 {
                    continue;
                }
                let query = self.book.issue(name, QueryKind::Txt);
                self.waiting.insert(query.id, host.clone());
                self.asked.insert(host, None);
                queries.push(query);
            }
            if !queries.is_empty() {
                return Step::Lookup(queries);
            }
        }
        if self.waiting.is_empty() {
            Step::Done(self.finish())
        } else {
            Step::Lookup(Vec::new())
        }
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        self.book.answer(id)?;
        let host = self
            .waiting
            .remove(&id)
            .ok_or(MisuseError::UnknownQuery(id))?;
        self.asked.insert(host, Some(answer));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tegami_core::dns::{ZoneResolver, resolve};

    use super::*;

    fn check(zone: &str, uris: &[&str], kind: ReportKind) -> Vec<Checked> {
        let zone = ZoneResolver::from_master_file(zone).unwrap();
        let uris: Vec<ReportUri> = uris.iter().map(|u| ReportUri::parse(u).unwrap()).collect();
        let domain = Domain::try_from("blue.example.com").unwrap();
        let org = Domain::try_from("example.com").unwrap();
        let mut machine = DestinationCheck::new(domain, org, &uris, kind);
        resolve(&mut machine, &zone).unwrap()
    }

    #[test]
    fn the_rfc_example_and_its_variants() {
        // RFC 9990 section 4: blue.example.com sends to red.example.net.
        let zone = "blue.example.com._report._dmarc.red.example.net. 300 IN TXT \"v=DMARC1\"\n";
        let checked = check(
            zone,
            &["mailto:reports@red.example.net"],
            ReportKind::Aggregate,
        );
        assert_eq!(checked[0].verdict, Verdict::Authorized);
        // A wildcard authorises every domain.
        let zone = "*._report._dmarc.red.example.net. 300 IN TXT \"v=DMARC1;\"\n";
        let checked = check(
            zone,
            &["mailto:reports@red.example.net"],
            ReportKind::Failure,
        );
        assert_eq!(checked[0].verdict, Verdict::Authorized);
        // v=DMARC1 must come first.
        let zone = "*._report._dmarc.red.example.net. 300 IN TXT \"p=none; v=DMARC1\"\n";
        let checked = check(
            zone,
            &["mailto:reports@red.example.net"],
            ReportKind::Aggregate,
        );
        assert_eq!(checked[0].verdict, Verdict::NotAuthorized);
        // An override at the same host replaces; elsewhere cancels.
        let zone = "*._report._dmarc.red.example.net. 300 IN TXT \"v=DMARC1; ruf=mailto:f@red.example.net; rua=mailto:a@elsewhere.example\"\n";
        let aggregate = check(zone, &["mailto:r@red.example.net"], ReportKind::Aggregate);
        assert_eq!(aggregate[0].verdict, Verdict::OverrideElsewhere);
        assert!(aggregate[0].send_to.is_empty());
        let failure = check(zone, &["mailto:r@red.example.net"], ReportKind::Failure);
        assert_eq!(
            failure[0].send_to[0].to_string(),
            "mailto:f@red.example.net"
        );
        // Internal and non-mailto destinations need no query.
        let checked = check(
            "",
            &["mailto:d@mail.example.com", "https://r.example/"],
            ReportKind::Aggregate,
        );
        assert_eq!(checked[0].verdict, Verdict::Internal);
        assert_eq!(checked[1].verdict, Verdict::NotMailto);
    }
}
