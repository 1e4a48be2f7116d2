//! Address lists: `From`, `To`, `Cc`, `Reply-To` and friends,
//! [RFC 5322 §3.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4) with the obsolete forms
//! of §4.4 and UTF-8 of RFC 6532.
//!
//! ```text
//! address-list    = (address *("," address)) / obs-addr-list
//! address         = mailbox / group
//! mailbox         = name-addr / addr-spec
//! name-addr       = [display-name] angle-addr
//! angle-addr      = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
//! obs-angle-addr  = [CFWS] "<" obs-route addr-spec ">" [CFWS]
//! group           = display-name ":" [group-list] ";" [CFWS]
//! addr-spec       = local-part "@" domain
//! ```
//!
//! The parser never fails: it returns the mailboxes it could read and a [`Problem`] for every
//! place where the text leaves the grammar. Those problems are what a security decision needs,
//! since each marks a place where two parsers (ours and a mail client's) may disagree about
//! the address: a second address after the first without a comma, a source route, a
//! backslash outside quotes, an encoded word inside the addr-spec (never decoded there,
//! RFC 2047 §5).
//!
//! ```
//! use tegami_mime::address::AddressList;
//!
//! let list = AddressList::parse(b" =?utf-8?q?J=C3=B6rg?= <joerg@example.com>, b@example.org", 0);
//! let boxes: Vec<_> = list.mailboxes().collect();
//! assert_eq!(boxes[0].display_name(), Some("Jörg"));
//! assert_eq!(boxes[0].address(), "joerg@example.com");
//! assert_eq!(boxes[1].domain(), "example.org");
//! assert!(list.problems().is_empty());
//! ```

mod token;

use tegami_core::domain::Domain;

use crate::encoded_word::{contains_encoded_word, decode_text};
use crate::problem::{Problem, ProblemKind};
use token::{Token, TokenKind, tokenize, unquote};

/// A parsed address list with the problems found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressList {
    addresses: Vec<Address>,
    problems: Vec<Problem>,
}

/// One element of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A named group of mailboxes (possibly empty, as in `undisclosed-recipients:;`).
    Group(Group),
}

/// A group: `name: a@x, b@y;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    name: String,
    mailboxes: Vec<Mailbox>,
}

/// A mailbox: an optional display name and an addr-spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    display_name: Option<String>,
    local_part: String,
    domain: String,
    offset: usize,
}

impl AddressList {
    /// Parses the value of an address field; `offset` is where the value starts in the
    /// message, so that problems point into the message.
    pub fn parse(value: &[u8], offset: usize) -> AddressList {
        let mut problems = Vec::new();
        let tokens = tokenize(value, offset, &mut problems);
        let mut parser = Parser {
            tokens: &tokens,
            position: 0,
            problems: &mut problems,
        };
        let addresses = parser.address_list();
        for mailbox in addresses.iter().flat_map(|address| match address {
            Address::Mailbox(mailbox) => core::slice::from_ref(mailbox),
            Address::Group(group) => group.mailboxes.as_slice(),
        }) {
            check_mailbox(mailbox, &mut problems);
        }
        problems.sort_by_key(|problem| problem.offset);
        AddressList {
            addresses,
            problems,
        }
    }

    /// The addresses in order.
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    /// Every mailbox, groups flattened, in order.
    pub fn mailboxes(&self) -> impl Iterator<Item = &Mailbox> {
        self.addresses.iter().flat_map(|address| match address {
            Address::Mailbox(mailbox) => core::slice::from_ref(mailbox).iter(),
            Address::Group(group) => group.mailboxes.iter(),
        })
    }

    /// Where the text left the grammar, in order of offset.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl Group {
    /// The group's display name, encoded words decoded.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The group's mailboxes.
    pub fn mailboxes(&self) -> &[Mailbox] {
        &self.mailboxes
    }
}

impl Mailbox {
    /// The display name, encoded words decoded and quotes removed; `None` without one.
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// The local part as written (quotes kept, nothing decoded).
    pub fn local_part(&self) -> &str {
        &self.local_part
    }

    /// The domain as written (a domain-literal keeps its brackets).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The addr-spec as written, without comments and white space: `local@domain`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.local_part, self.domain)
    }

    /// The domain as a validated [`Domain`] (U-labels converted to A-labels); `None` for a
    /// domain-literal or a name that is not a valid domain.
    pub fn domain_name(&self) -> Option<Domain> {
        Domain::try_from(self.domain.as_str()).ok()
    }

    /// Where the mailbox starts in the message.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    position: usize,
    problems: &'t mut Vec<Problem>,
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.position)
    }

    fn peek_special(&self) -> Option<u8> {
        match self.peek()?.kind {
            TokenKind::Special(c) => Some(c),
            _ => None,
        }
    }

    fn problem(&mut self, offset: usize, kind: ProblemKind) {
        self.problems.push(Problem { offset, kind });
    }

    /// `address-list`, with obs-addr-list's empty elements allowed and reported.
    fn address_list(&mut self) -> Vec<Address> {
        let mut addresses = Vec::new();
        let mut expect_address = true;
        // Just after a group's `;`: a comma may follow, or the next address directly.
        let mut after_group = false;
        while let Some(token) = self.peek().copied() {
            let was_after_group = core::mem::take(&mut after_group);
            if token.kind == TokenKind::Special(b',') {
                if expect_address && !was_after_group {
                    self.problem(token.offset, ProblemKind::EmptyListElement);
                }
                self.position += 1;
                expect_address = true;
                continue;
            }
            if !expect_address {
                self.problem(token.offset, ProblemKind::TrailingText);
                self.skip_to_comma();
                continue;
            }
            match self.address() {
                // A group ends at its `;`, so the next address needs no comma.
                Some(address @ Address::Group(_)) => {
                    addresses.push(address);
                    after_group = true;
                    continue;
                }
                Some(address) => addresses.push(address),
                None => self.skip_to_comma(),
            }
            expect_address = false;
        }
        addresses
    }

    /// `address = mailbox / group`.
    fn address(&mut self) -> Option<Address> {
        let start = self.position;
        let phrase_end = self.phrase_end();
        match self.tokens.get(phrase_end).map(|t| t.kind) {
            Some(TokenKind::Special(b':')) if phrase_end > start => {
                let name = display_text(self.tokens.get(start..phrase_end).unwrap_or_default());
                self.position = phrase_end + 1;
                let mailboxes = self.group_list();
                Some(Address::Group(Group { name, mailboxes }))
            }
            _ => self.mailbox().map(Address::Mailbox),
        }
    }

    /// The mailboxes of a group up to its `;`.
    fn group_list(&mut self) -> Vec<Mailbox> {
        let mut mailboxes = Vec::new();
        loop {
            match self.peek().copied() {
                None => {
                    let offset = self.tokens.last().map_or(0, |t| t.offset);
                    self.problem(offset, ProblemKind::UnterminatedGroup);
                    return mailboxes;
                }
                Some(token) if token.kind == TokenKind::Special(b';') => {
                    self.position += 1;
                    return mailboxes;
                }
                Some(token) if token.kind == TokenKind::Special(b',') => self.position += 1,
                Some(_) => match self.mailbox() {
                    Some(mailbox) => mailboxes.push(mailbox),
                    None => {
                        while let Some(c) = self.peek_special().or(self.peek().map(|_| 0)) {
                            if c == b',' || c == b';' {
                                break;
                            }
                            self.position += 1;
                        }
                    }
                },
            }
        }
    }

    /// `mailbox = name-addr / addr-spec`.
    fn mailbox(&mut self) -> Option<Mailbox> {
        let start = self.position;
        let offset = self.peek().map_or(0, |t| t.offset);
        let phrase_end = self.phrase_end();
        match self.tokens.get(phrase_end).map(|t| t.kind) {
            Some(TokenKind::Special(b'<')) => {
                let phrase = self.tokens.get(start..phrase_end).unwrap_or_default();
                let display_name = (!phrase.is_empty()).then(|| display_text(phrase));
                self.position = phrase_end;
                let (local_part, domain) = self.angle_addr()?;
                Some(Mailbox {
                    display_name,
                    local_part,
                    domain,
                    offset,
                })
            }
            Some(TokenKind::Special(b'@')) if phrase_end > start => {
                let local_part = joined(self.tokens.get(start..phrase_end).unwrap_or_default());
                self.position = phrase_end + 1;
                let domain = self.domain()?;
                Some(Mailbox {
                    display_name: None,
                    local_part,
                    domain,
                    offset,
                })
            }
            _ => {
                self.problem(offset, ProblemKind::NotAnAddress);
                None
            }
        }
    }

    /// `angle-addr` or `obs-angle-addr`, at the `<`: the local part and the domain.
    fn angle_addr(&mut self) -> Option<(String, String)> {
        let open = self.peek().map_or(0, |t| t.offset);
        self.position += 1;
        if self.peek_special() == Some(b'@') {
            // obs-route = obs-domain-list ":"
            self.problem(open, ProblemKind::ObsoleteRoute);
            while let Some(token) = self.peek().copied() {
                self.position += 1;
                if token.kind == TokenKind::Special(b':') {
                    break;
                }
                if token.kind == TokenKind::Special(b'>') {
                    self.problem(open, ProblemKind::NotAnAddress);
                    return None;
                }
            }
        }
        let start = self.position;
        let local_end = self.phrase_end();
        if local_end == start
            || self.tokens.get(local_end).map(|t| t.kind) != Some(TokenKind::Special(b'@'))
        {
            self.problem(open, ProblemKind::NotAnAddress);
            self.skip_past_close();
            return None;
        }
        let local_part = joined(self.tokens.get(start..local_end).unwrap_or_default());
        self.position = local_end + 1;
        let domain = self.domain();
        match self.peek_special() {
            Some(b'>') => self.position += 1,
            _ => match self.peek().copied() {
                None => self.problem(open, ProblemKind::UnterminatedAngleAddr),
                Some(token) => {
                    self.problem(token.offset, ProblemKind::TrailingText);
                    self.skip_past_close();
                }
            },
        }
        Some((local_part, domain?))
    }

    /// `domain = dot-atom / domain-literal / obs-domain`.
    fn domain(&mut self) -> Option<String> {
        match self.peek().copied() {
            Some(token) if token.kind == TokenKind::DomainLiteral => {
                self.position += 1;
                Some(String::from_utf8_lossy(token.text).into_owned())
            }
            Some(token) if token.kind == TokenKind::Atom => {
                let start = self.position;
                self.position += 1;
                while self.peek_special() == Some(b'.')
                    && self
                        .tokens
                        .get(self.position + 1)
                        .is_some_and(|t| t.kind == TokenKind::Atom)
                {
                    self.position += 2;
                }
                Some(joined(
                    self.tokens.get(start..self.position).unwrap_or_default(),
                ))
            }
            other => {
                let offset =
                    other.map_or_else(|| self.tokens.last().map_or(0, |t| t.offset), |t| t.offset);
                self.problem(offset, ProblemKind::NotAnAddress);
                None
            }
        }
    }

    /// The end of the run of words and dots starting here (a phrase, or a local part).
    fn phrase_end(&self) -> usize {
        let mut end = self.position;
        while let Some(token) = self.tokens.get(end) {
            match token.kind {
                TokenKind::Atom | TokenKind::QuotedString | TokenKind::Special(b'.') => end += 1,
                _ => break,
            }
        }
        end
    }

    fn skip_to_comma(&mut self) {
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            match token.kind {
                TokenKind::Special(b'<') => depth += 1,
                TokenKind::Special(b'>') => depth = depth.saturating_sub(1),
                TokenKind::Special(b',') if depth == 0 => return,
                _ => {}
            }
            self.position += 1;
        }
    }

    fn skip_past_close(&mut self) {
        while let Some(token) = self.peek().copied() {
            self.position += 1;
            if token.kind == TokenKind::Special(b'>') {
                return;
            }
        }
    }
}

/// Tokens joined as written, without white space: a local part or a domain.
fn joined(tokens: &[Token<'_>]) -> String {
    let bytes: Vec<u8> = tokens.iter().flat_map(|t| t.text.iter().copied()).collect();
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// A phrase as people read it: quoted-strings unquoted, words separated by one space where
/// the source had space, encoded words decoded (RFC 2047 §5 (2)).
fn display_text(tokens: &[Token<'_>]) -> String {
    let mut raw = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if index > 0 && token.spaced {
            raw.push(b' ');
        }
        match token.kind {
            TokenKind::QuotedString => raw.extend_from_slice(&unquote(token.text)),
            _ => raw.extend_from_slice(token.text),
        }
    }
    decode_text(&raw).into_owned()
}

/// The problems a finished mailbox carries by its content.
fn check_mailbox(mailbox: &Mailbox, problems: &mut Vec<Problem>) {
    let offset = mailbox.offset;
    let mut push = |kind| problems.push(Problem { offset, kind });
    if contains_encoded_word(mailbox.local_part.as_bytes())
        || contains_encoded_word(mailbox.domain.as_bytes())
    {
        push(ProblemKind::EncodedWordInAddress);
    }
    if mailbox.local_part.contains('\u{fffd}') || mailbox.domain.contains('\u{fffd}') {
        push(ProblemKind::NonUtf8Address);
    }
    if mailbox.domain.starts_with('[') {
        push(ProblemKind::DomainLiteral);
    } else if mailbox.domain_name().is_none() {
        push(ProblemKind::InvalidDomain);
    }
    if mailbox
        .display_name
        .as_deref()
        .is_some_and(looks_like_address)
    {
        push(ProblemKind::DisplayNameLooksLikeAddress);
    }
}

/// Whether a display name contains `something@domain.tld`.
fn looks_like_address(name: &str) -> bool {
    name.match_indices('@').any(|(at, _)| {
        let after = name.get(at + 1..).unwrap_or_default();
        let candidate: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '-'))
            .collect();
        let candidate = candidate.trim_end_matches('.');
        candidate.contains('.') && Domain::try_from(candidate).is_ok()
    })
}

#[cfg(test)]
mod tests;
