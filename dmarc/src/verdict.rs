//! What a DMARC evaluation ends with: [`Verdict`].

use core::fmt;
use std::borrow::Cow;
use std::sync::Arc;

use tegami_core::auth_results::MethodResult;
use tegami_core::domain::Domain;

use crate::record::{Policy, Record};

/// The DMARC results of RFC 9989 §9.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DmarcResult {
    /// A policy record exists and an Authenticated Identifier is aligned.
    Pass,
    /// A policy record exists and no Authenticated Identifier is aligned.
    Fail,
    /// No policy record applies (or the record applies no DMARC processing).
    None,
    /// A DNS lookup failed temporarily; a later attempt may decide.
    TempError,
    /// The message cannot be evaluated: no single, unambiguous Author Domain.
    PermError,
}

impl DmarcResult {
    /// The result word, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcResult::Pass => "pass",
            DmarcResult::Fail => "fail",
            DmarcResult::None => "none",
            DmarcResult::TempError => "temperror",
            DmarcResult::PermError => "permerror",
        }
    }
}

impl fmt::Display for DmarcResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which tag of the policy record gave the policy (RFC 9989 §4.10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyTag {
    /// `p`: the record is the Author Domain's own.
    P,
    /// `sp`: the record is an ancestor's and the Author Domain exists.
    Sp,
    /// `np`: the record is an ancestor's and the Author Domain does not exist.
    Np,
}

/// Whether an identifier is aligned with the Author Domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alignment {
    /// Aligned.
    Aligned,
    /// A passing identifier exists but is not aligned.
    NotAligned,
    /// No passing identifier of this kind (SPF not `pass`, or only the HELO identity; no
    /// passing DKIM signature).
    NoIdentifier,
    /// A DNS lookup needed to decide failed temporarily.
    Unknown,
}

impl Alignment {
    /// Whether this is [`Alignment::Aligned`].
    pub fn is_aligned(self) -> bool {
        self == Alignment::Aligned
    }
}

/// Why a receiver may set a failing message's policy aside, in the words of the aggregate
/// report's `PolicyOverrideType` (RFC 9990).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyOverride {
    /// The message came through a forwarder the receiver trusts, whose ARC seal verified
    /// (RFC 8617 §7.2); the sealer is named.
    TrustedForwarder(Domain),
    /// The message came through a mailing list the receiver trusts; the list is named.
    MailingList(Domain),
}

impl PolicyOverride {
    /// The `PolicyOverrideType` word.
    pub fn as_str(&self) -> &'static str {
        match self {
            PolicyOverride::TrustedForwarder(_) => "trusted_forwarder",
            PolicyOverride::MailingList(_) => "mailing_list",
        }
    }

    /// The forwarder or list named.
    pub fn domain(&self) -> &Domain {
        match self {
            PolicyOverride::TrustedForwarder(domain) | PolicyOverride::MailingList(domain) => {
                domain
            }
        }
    }
}

/// The evaluation of one Author Domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorVerdict {
    /// The result for this domain.
    pub result: DmarcResult,
    /// The Author Domain.
    pub domain: Domain,
    /// Where the policy record was found (the DMARC Policy Domain), if one was.
    pub policy_domain: Option<Domain>,
    /// The policy record that applies, if one was found (shared with the evaluation that
    /// parsed it, not copied).
    pub record: Option<Arc<Record>>,
    /// The Organizational Domain of the Author Domain, when it was needed and found.
    pub organizational_domain: Option<Domain>,
    /// The policy requested for this domain (`p`, `sp` or `np`, before testing mode).
    pub policy: Option<Policy>,
    /// Which tag gave [`AuthorVerdict::policy`].
    pub policy_tag: Option<PolicyTag>,
    /// Whether the record asks for testing mode (`t=y`, or `pct=0` without `t`).
    pub testing: bool,
    /// What the receiver should do: `none` when DMARC passes, else the policy lowered one
    /// level in testing mode, `none` under an override.
    pub disposition: Policy,
    /// SPF alignment (MAIL FROM identity only).
    pub spf: Alignment,
    /// DKIM alignment (any passing signature).
    pub dkim: Alignment,
    /// The `d=` of the first aligned passing signature.
    pub aligned_dkim_domain: Option<Domain>,
    /// Overrides that set the policy aside.
    pub overrides: Vec<PolicyOverride>,
    /// Why, in words.
    pub reason: Cow<'static, str>,
}

/// The outcome of a DMARC evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The result for the message.
    pub result: DmarcResult,
    /// What the receiver should do with the message.
    pub disposition: Policy,
    /// One entry per Author Domain evaluated (more than one only for a From with several
    /// domains, RFC 9989 §11.5); empty when no Author Domain could be read.
    pub authors: Vec<AuthorVerdict>,
    /// Why no Author Domain could be evaluated, when none could.
    pub(crate) problem: Option<String>,
}

impl Verdict {
    /// Why, in words: the deciding author's reason (prefixed with its domain when several were
    /// evaluated), or why no Author Domain could be read.
    pub fn reason(&self) -> Cow<'_, str> {
        match (&self.problem, self.deciding()) {
            (Some(problem), _) => Cow::Borrowed(problem),
            (None, Some(author)) if self.authors.len() > 1 => {
                Cow::Owned(format!("{}: {}", author.domain, author.reason))
            }
            (None, Some(author)) => Cow::Borrowed(&author.reason),
            (None, None) => Cow::Borrowed("no author domain"),
        }
    }

    /// The Author Domain that decided the result: the failing one with the strictest
    /// disposition, else the first.
    pub fn deciding(&self) -> Option<&AuthorVerdict> {
        self.authors
            .iter()
            .filter(|a| a.result == self.result)
            .max_by_key(|a| a.disposition)
            .or_else(|| self.authors.first())
    }

    /// The requested policy of the deciding Author Domain.
    pub fn policy(&self) -> Option<Policy> {
        self.deciding().and_then(|a| a.policy)
    }

    /// The deciding Author Domain.
    pub fn from_domain(&self) -> Option<&Domain> {
        self.deciding().map(|a| &a.domain)
    }

    /// Whether SPF is aligned for the deciding Author Domain.
    pub fn spf_aligned(&self) -> bool {
        self.deciding().is_some_and(|a| a.spf.is_aligned())
    }

    /// Whether DKIM is aligned for the deciding Author Domain.
    pub fn dkim_aligned(&self) -> bool {
        self.deciding().is_some_and(|a| a.dkim.is_aligned())
    }

    /// The `dmarc` method of Authentication-Results (RFC 8601 §2.7, RFC 9989 §9.1):
    /// `header.from` and `policy.dmarc` (the disposition), with the record's policy in a
    /// comment.
    pub fn to_auth_result(&self) -> MethodResult<'static> {
        let mut method = MethodResult::new("dmarc", self.result.as_str());
        if let Some(author) = self.deciding() {
            if let Some(policy) = author.policy {
                let mut comment = format!("p={policy}");
                if let Some((_, sp, _)) = author
                    .record
                    .as_ref()
                    .and_then(|r| r.effective_policies(false))
                {
                    comment.push_str(&format!(" sp={sp}"));
                }
                if author.testing {
                    comment.push_str(" t=y");
                }
                comment.push_str(&format!(" dis={}", self.disposition));
                method = method.with_comment(comment);
            }
            method = method.with_property("header", "from", author.domain.as_str().to_owned());
            if author.policy.is_some() {
                method = method.with_property("policy", "dmarc", self.disposition.as_str());
            }
        }
        if self.result != DmarcResult::Pass {
            method = method.with_reason(self.reason().into_owned());
        }
        method
    }
}
