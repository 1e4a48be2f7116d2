//! [`ArcSeal`]: what a forwarder's ARC seal says it saw when the message reached it.
//!
//! A forwarder or mailing list that changes a message breaks the author's DKIM signature and
//! sends from its own address, so DMARC fails at the next receiver. A receiver that trusts the
//! forwarder can set the failing policy aside (the `trusted_forwarder` override of RFC 9990),
//! but only for mail that was authentic when it reached the forwarder: the forwarder records its
//! own results in the ARC-Authentication-Results of its ARC set (RFC 8617 §4.1.1, §7.1), and
//! the receiver reads them there (RFC 8617 §7.2.1).
//!
//! Without that check, a trusted forwarder becomes a laundering service: an attacker sends a
//! message spoofing the forwarder's users (or anyone) to the forwarder, which forwards it with
//! a valid seal, and the receiver waves the failing DMARC result through ("Weak Links in
//! Authentication Chains", USENIX Security 2021, unauthorised forwarding). The override
//! therefore needs a trusted seal whose recorded results show an identifier that passed and
//! is aligned with the Author Domain: `dmarc=pass` for that very domain, or a `dkim=pass` or
//! `spf=pass` (MAIL FROM) identifier aligned under the author's policy.
//!
//! ```
//! use tegami_core::domain::Domain;
//! use tegami_dmarc::{ArcSeal, RecordedPass};
//!
//! let seal = ArcSeal::from_results(
//!     "lists.example.org".parse().unwrap(),
//!     b"lists.example.org; spf=pass smtp.mailfrom=alice@example.com;\r\n \
//!       dkim=pass header.d=example.com header.s=ed2026; dmarc=fail header.from=bank.example",
//! );
//! let example: Domain = "example.com".parse().unwrap();
//! assert_eq!(seal.passed, [RecordedPass::Spf(example.clone()), RecordedPass::Dkim(example)]);
//! ```

use tegami_core::auth_results::AuthenticationResults;
use tegami_core::domain::Domain;

/// A seal of an ARC chain that validated (`cv=pass`), with the identifiers its sealer recorded
/// as passing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcSeal {
    /// The sealer: `d=` of the ARC-Seal.
    pub sealer: Domain,
    /// What passed when the message reached the sealer, as its ARC-Authentication-Results say.
    pub passed: Vec<RecordedPass>,
}

/// An identifier a sealer recorded as passing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordedPass {
    /// `dmarc=pass header.from=<domain>`.
    Dmarc(Domain),
    /// `dkim=pass header.d=<domain>`.
    Dkim(Domain),
    /// `spf=pass smtp.mailfrom=<local-part@domain>`; a HELO result is never recorded here, as
    /// DMARC never uses it (RFC 9989 §4.4.2).
    Spf(Domain),
}

impl ArcSeal {
    /// A seal that records nothing as passing: trusting its sealer sets no policy aside.
    pub fn new(sealer: Domain) -> ArcSeal {
        ArcSeal {
            sealer,
            passed: Vec::new(),
        }
    }

    /// A seal and its ARC-Authentication-Results payload (the value after `i=<n>;`, as
    /// `tegami_arc::ArcResult::recorded_results` gives it). Results that are not `pass`,
    /// identifiers that are not domain names and text that does not parse as an
    /// Authentication-Results value (RFC 8601 §2.2) record nothing.
    pub fn from_results(sealer: Domain, payload: &[u8]) -> ArcSeal {
        let mut seal = ArcSeal::new(sealer);
        let Ok(results) = AuthenticationResults::parse(payload) else {
            return seal;
        };
        for result in &results.results {
            if !result.result.eq_ignore_ascii_case("pass") {
                continue;
            }
            let method = result.method.as_ref();
            let recorded = if method.eq_ignore_ascii_case("dmarc") {
                domain(result.property("header", "from")).map(RecordedPass::Dmarc)
            } else if method.eq_ignore_ascii_case("dkim") {
                domain(result.property("header", "d")).map(RecordedPass::Dkim)
            } else if method.eq_ignore_ascii_case("spf") {
                let mailfrom = result.property("smtp", "mailfrom");
                domain(mailfrom.map(|m| m.rsplit_once('@').map_or(m, |(_, d)| d)))
                    .map(RecordedPass::Spf)
            } else {
                None
            };
            if let Some(recorded) = recorded
                && !seal.passed.contains(&recorded)
            {
                seal.passed.push(recorded);
            }
        }
        seal
    }

    /// Adds an identifier the sealer recorded as passing.
    #[must_use]
    pub fn with(mut self, recorded: RecordedPass) -> ArcSeal {
        self.passed.push(recorded);
        self
    }
}

fn domain(text: Option<&str>) -> Option<Domain> {
    text.and_then(|t| Domain::try_from(t).ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn d(name: &str) -> Domain {
        name.parse().unwrap()
    }

    #[test]
    fn only_passing_results_with_domains_are_recorded() {
        let seal = ArcSeal::from_results(
            d("fwd.example"),
            b"fwd.example; spf=pass smtp.helo=mail.bank.example; spf=fail smtp.mailfrom=a@bank.example; \
              dkim=pass header.i=@bank.example; dkim=neutral header.d=bank.example; \
              dmarc=pass header.from=Example.COM; dmarc=pass; spf=pass smtp.mailfrom=postmaster.example",
        );
        assert_eq!(
            seal.passed,
            [
                RecordedPass::Dmarc(d("example.com")),
                RecordedPass::Spf(d("postmaster.example"))
            ]
        );
    }

    #[test]
    fn unreadable_results_record_nothing() {
        assert!(
            ArcSeal::from_results(d("fwd.example"), b"\xff; dkim=pass header.d=a.example")
                .passed
                .is_empty()
        );
        assert!(
            ArcSeal::from_results(d("fwd.example"), b"fwd.example; none")
                .passed
                .is_empty()
        );
    }
}
