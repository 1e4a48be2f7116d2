//! [`Author`]: who a message says it is from, and whether that can be read one way only.
//!
//! DMARC decides about the domain of the `From` field, the Author Domain (RFC 9989 §3.2.2,
//! §5.3.1), and a mail client shows the same field to its user. When the two can read the field
//! differently, a spoofed domain can be shown while another one is authenticated. The attacks
//! of "Composition Kills" (USENIX Security 2020, A6 to A13) and "Weak Links in Authentication
//! Chains" (USENIX Security 2021) live in exactly those readings: several `From` fields, several
//! mailboxes, a source route, a quoted-pair outside quotes, an encoded word inside the
//! addr-spec, a second address after the first without a comma, octets that are not UTF-8.
//!
//! [`Author::from_message`] reads every `From` field and records each of these as a
//! [`Problem`]; [`Author::domain`] hands out the one Author Domain only when there is exactly
//! one and nothing makes its reading uncertain, and says why otherwise. Nothing is silently
//! picked.
//!
//! ```
//! use tegami_mime::author::{Author, AuthorError};
//!
//! let author = Author::from_message(b"From: <@bank.example:a@evil.example>\r\n\r\n");
//! assert_eq!(author.domain(), Err(AuthorError::Ambiguous(tegami_mime::ProblemKind::ObsoleteRoute)));
//! ```

use std::collections::HashSet;

use tegami_core::domain::Domain;

use crate::address::{AddressList, Mailbox};
use crate::header::HeaderBlock;
use crate::problem::{Problem, ProblemKind};

/// The `From` fields of a message, read for authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    fields: usize,
    mailboxes: Vec<Mailbox>,
    domains: Vec<Domain>,
    problems: Vec<Problem>,
}

/// Why a message has no single Author Domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorError {
    /// No `From` field.
    #[error("no From field")]
    NoFromField,
    /// No mailbox with a domain in the `From` field (an empty group, a domain-literal, text that
    /// is not an address).
    #[error("no author domain in the From field")]
    NoDomain,
    /// Several different domains, from one field or from several fields.
    #[error("{} author domains", .0.len())]
    MultipleDomains(Vec<Domain>),
    /// The field can be read more than one way; the first such problem.
    #[error("From field can be read more than one way: {0}")]
    Ambiguous(ProblemKind),
}

impl Author {
    /// Reads the `From` fields of a whole message (only its header block is looked at).
    pub fn from_message(message: &[u8]) -> Author {
        let header = HeaderBlock::parse(message);
        Author::from_fields(
            header
                .all("from")
                .map(|field| (field.value(), field.value_offset())),
        )
    }

    /// Reads `From` field values given as (raw value, offset of the value in the message).
    pub fn from_fields<'a>(values: impl IntoIterator<Item = (&'a [u8], usize)>) -> Author {
        let mut author = Author {
            fields: 0,
            mailboxes: Vec::new(),
            domains: Vec::new(),
            problems: Vec::new(),
        };
        // The domains so far, once there are enough of them that looking along the list for
        // each new one would make a field of many addresses cost quadratic time.
        let mut seen: Option<HashSet<Domain>> = None;
        for (value, offset) in values {
            author.fields += 1;
            let list = AddressList::parse(value, offset);
            author.problems.extend_from_slice(list.problems());
            for mailbox in list.mailboxes() {
                if let Some(domain) = mailbox.domain_name() {
                    let known = match &mut seen {
                        Some(seen) => !seen.insert(domain.clone()),
                        None => author.domains.contains(&domain),
                    };
                    if !known {
                        author.domains.push(domain);
                        if seen.is_none() && author.domains.len() > 16 {
                            seen = Some(author.domains.iter().cloned().collect());
                        }
                    }
                }
                author.mailboxes.push(mailbox.clone());
            }
        }
        author
    }

    /// The Author Domain, when there is exactly one and the field reads one way only.
    ///
    /// Several mailboxes in one domain still give that domain (RFC 9989 §5.3.1 counts
    /// domains); the mailboxes are in [`Author::mailboxes`] for a caller who wants fewer.
    ///
    /// # Errors
    ///
    /// [`AuthorError`] saying why there is no single, unambiguous domain.
    pub fn domain(&self) -> Result<&Domain, AuthorError> {
        if self.fields == 0 {
            return Err(AuthorError::NoFromField);
        }
        if let Some(problem) = self.problems.iter().find(|p| is_ambiguity(p.kind)) {
            return Err(AuthorError::Ambiguous(problem.kind));
        }
        match self.domains.as_slice() {
            [] => Err(AuthorError::NoDomain),
            [domain] => Ok(domain),
            many => Err(AuthorError::MultipleDomains(many.to_vec())),
        }
    }

    /// The distinct Author Domains in order of appearance (valid domain names only).
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// How many `From` fields the message has (RFC 5322 §3.6 allows exactly one).
    pub fn field_count(&self) -> usize {
        self.fields
    }

    /// Every mailbox of every `From` field, in order.
    pub fn mailboxes(&self) -> &[Mailbox] {
        &self.mailboxes
    }

    /// Every problem found in the `From` fields, including those that do not block
    /// [`Author::domain`] (a display name that looks like an address).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

/// Whether a problem makes the reading of the address uncertain, as opposed to merely unusual.
fn is_ambiguity(kind: ProblemKind) -> bool {
    !matches!(
        kind,
        ProblemKind::DisplayNameLooksLikeAddress
            | ProblemKind::EmptyListElement
            | ProblemKind::DomainLiteral
            | ProblemKind::BadEncodedWord
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain_of(message: &[u8]) -> Result<String, AuthorError> {
        Author::from_message(message)
            .domain()
            .map(|d| d.as_str().to_owned())
    }

    #[test]
    fn many_domains_are_each_listed_once() {
        // Past sixteen domains the repeats are found through a set: same answers either way.
        for count in [3usize, 17, 40, 3_000] {
            let mut message = String::from("From: ");
            for at in 0..count * 2 {
                message.push_str(&format!("u{at}@d{}.example, ", at % count));
            }
            message.push_str("last@d0.example\r\nFrom: again@D1.EXAMPLE\r\n\r\n");
            let author = Author::from_message(message.as_bytes());
            assert_eq!(author.domains().len(), count, "{count}");
            assert_eq!(author.mailboxes().len(), count * 2 + 2, "{count}");
            assert_eq!(
                author.domains().first().map(Domain::as_str),
                Some("d0.example")
            );
            assert_eq!(
                author.domains().last().map(Domain::as_str),
                Some(&*format!("d{}.example", count - 1))
            );
        }
    }

    #[test]
    fn one_from_one_domain() {
        assert_eq!(
            domain_of(b"From: Alice <alice@Example.COM>\r\n\r\n"),
            Ok("example.com".into())
        );
        assert_eq!(
            domain_of(b"From: a@example.com, b@example.com\r\n\r\n"),
            Ok("example.com".into())
        );
    }

    #[test]
    fn unicode_domain_becomes_a_label() {
        assert_eq!(
            domain_of("From: a@bücher.example\r\n\r\n".as_bytes()),
            Ok("xn--bcher-kva.example".into())
        );
    }

    #[test]
    fn no_single_author() {
        assert_eq!(
            domain_of(b"Subject: x\r\n\r\n"),
            Err(AuthorError::NoFromField)
        );
        assert_eq!(
            domain_of(b"From: undisclosed:;\r\n\r\n"),
            Err(AuthorError::NoDomain)
        );
        assert!(matches!(
            domain_of(b"From: a@bank.example\r\nFrom: b@evil.example\r\n\r\n"),
            Err(AuthorError::MultipleDomains(d)) if d.len() == 2
        ));
        assert!(matches!(
            domain_of(b"From: a@bank.example, b@evil.example\r\n\r\n"),
            Err(AuthorError::MultipleDomains(_))
        ));
    }

    #[test]
    fn ambiguous_readings_are_refused() {
        for (message, kind) in [
            (
                &b"From: <@bank.example:a@evil.example>\r\n\r\n"[..],
                ProblemKind::ObsoleteRoute,
            ),
            (
                b"From: a@bank.example <b@evil.example>\r\n\r\n",
                ProblemKind::TrailingText,
            ),
            (
                b"From: =?utf-8?q?a=40bank.example?=@evil.example\r\n\r\n",
                ProblemKind::EncodedWordInAddress,
            ),
            (
                b"From: a@bank.ex\xffample\r\n\r\n",
                ProblemKind::NonUtf8Address,
            ),
        ] {
            assert_eq!(
                domain_of(message),
                Err(AuthorError::Ambiguous(kind)),
                "{:?}",
                String::from_utf8_lossy(message)
            );
        }
    }

    #[test]
    fn quoted_pair_outside_quotes_is_refused() {
        let author = Author::from_message(b"From: a\\@bank.example@evil.example\r\n\r\n");
        assert!(matches!(author.domain(), Err(AuthorError::Ambiguous(_))));
        assert!(
            author
                .problems()
                .iter()
                .any(|p| p.kind == ProblemKind::QuotedPairOutsideQuotes)
        );
    }

    #[test]
    fn display_name_address_is_reported_but_not_blocking() {
        let author = Author::from_message(b"From: \"ceo@bank.example\" <x@evil.example>\r\n\r\n");
        assert_eq!(author.domain().map(Domain::as_str), Ok("evil.example"));
        assert_eq!(
            author.problems()[0].kind,
            ProblemKind::DisplayNameLooksLikeAddress
        );
    }
}
