//! [`Received`]: a trace field read into its clauses.
//!
//! [RFC 5321 §4.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.4):
//! `Received: from <domain> (<TCP-info>) by <domain> via <link> with <protocol> id <id>
//! for <path>; <date-time>`, every clause but `by` and the date optional. What MTAs write in
//! the comments is not standard, but a few forms are everywhere and are read too: the client's
//! address and reverse name (`(rdns [192.0.2.1])`, `([192.0.2.1]:port)`), the HELO name
//! (`(HELO x)`, `helo=x`), the ident (`ident=x`), and TLS (`using TLSv1.3 with cipher X`,
//! `version=TLS1_2, cipher=X`, `Cipher TLSv1:X:168`). The protocol is read as one of the
//! RFC 3848 / RFC 6531 `with` keywords when it names one.
//!
//! Received fields are written by every hop, including hops an attacker controls: nothing
//! here is authenticated; the newest field, written by the receiver itself, is the only one
//! worth trusting.
//!
//! ```
//! use tegami_mime::received::{Host, Protocol, Received};
//!
//! let field = Received::parse(
//!     b"from mail.example.com (mail.example.com [192.0.2.25])\r\n\
//!       \tby mx.example.net (Postfix) with ESMTPS id 4Q2x7 for <bob@example.net>;\r\n\
//!       \tTue, 17 Nov 2026 09:00:03 +0000",
//! );
//! assert_eq!(field.from, Some(Host::Name("mail.example.com".into())));
//! assert_eq!(field.from_ip, Some("192.0.2.25".parse().unwrap()));
//! assert_eq!(field.protocol, Some(Protocol::Esmtps));
//! assert_eq!(field.for_.as_deref(), Some("bob@example.net"));
//! assert_eq!(field.date.map(|d| d.to_rfc3339()).as_deref(), Some("2026-11-17T09:00:03Z"));
//! ```

use std::net::IpAddr;

use crate::date::DateTime;

/// A host as a trace field names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A name (a domain, or whatever the client said).
    Name(String),
    /// An address literal.
    Ip(IpAddr),
}

/// The `with` protocol keywords (RFC 3848, RFC 6531 §3.7.4; `Local` for local submission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// `SMTP`.
    Smtp,
    /// `ESMTP`.
    Esmtp,
    /// `ESMTPA`: authenticated.
    Esmtpa,
    /// `ESMTPS`: over TLS.
    Esmtps,
    /// `ESMTPSA`: over TLS and authenticated.
    Esmtpsa,
    /// `LMTP`.
    Lmtp,
    /// `LMTPA`.
    Lmtpa,
    /// `LMTPS`.
    Lmtps,
    /// `LMTPSA`.
    Lmtpsa,
    /// `UTF8SMTP` and its variants (RFC 6531).
    Utf8Smtp,
    /// `HTTP` (web mail).
    Http,
    /// `HTTPS`.
    Https,
    /// `IMAP`.
    Imap,
    /// `POP3`.
    Pop3,
    /// `MMS`.
    Mms,
    /// Local delivery (`local`).
    Local,
}

/// The clauses of one Received field; every one optional, as real fields are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Received {
    /// The `from` clause: the name the client gave, or an address literal.
    pub from: Option<Host>,
    /// The client's address (from the TCP-info comment).
    pub from_ip: Option<IpAddr>,
    /// The client's reverse-DNS name (from the TCP-info comment).
    pub from_iprev: Option<String>,
    /// The HELO/EHLO name, when a comment gives it apart from `from`.
    pub helo: Option<Host>,
    /// The identd user (`ident=`).
    pub ident: Option<String>,
    /// The `by` clause: the receiving host.
    pub by: Option<Host>,
    /// The `via` clause: the link.
    pub via: Option<String>,
    /// The `with` clause as written.
    pub with: Option<String>,
    /// The `with` clause as a protocol keyword, when it is one.
    pub protocol: Option<Protocol>,
    /// The `id` clause (an atom, or a msg-id without its angle brackets).
    pub id: Option<String>,
    /// The `for` clause: the recipient, without angle brackets.
    pub for_: Option<String>,
    /// The TLS version, as written (`TLSv1.3`, `TLS1_2`, `TLSv1`).
    pub tls_version: Option<String>,
    /// The TLS cipher suite, as written.
    pub tls_cipher: Option<String>,
    /// The date-time after the `;`.
    pub date: Option<DateTime>,
}

/// A word, an angle-bracket item, a `[...]` literal, or a comment's inner text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Comment(String),
}

impl Received {
    /// Reads a Received value (what follows `Received:`, folded or not).
    pub fn parse(value: &[u8]) -> Received {
        let text = String::from_utf8_lossy(value);
        let text: String = text
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        // The date follows the last `;` (§4.4: `;` FWS date-time).
        let (clauses, date) = match text.rsplit_once(';') {
            Some((clauses, date)) => (clauses, DateTime::parse(date.as_bytes())),
            None => (text.as_str(), None),
        };
        let mut received = Received {
            date,
            ..Received::default()
        };
        let mut tokens = tokenize(clauses);
        // Sendmail's local form: `(from user@localhost) by host ...`, the from clause in a comment.
        if let Some(Token::Comment(first)) = tokens.first()
            && first
                .get(..5)
                .is_some_and(|w| w.eq_ignore_ascii_case("from "))
        {
            let inner = tokenize(first);
            tokens.splice(..1, inner);
        }
        let mut clause: Option<String> = None;
        let mut iter = tokens.into_iter().peekable();
        while let Some(token) = iter.next() {
            match token {
                Token::Comment(comment) => received.comment(clause.as_deref(), &comment),
                Token::Word(word) => {
                    // `from name [192.0.2.1] by ...`: a literal right after the from value.
                    if clause.as_deref() == Some("from")
                        && received.from_ip.is_none()
                        && word.starts_with('[')
                        && let Some(ip) = address_literal(&word)
                    {
                        received.from_ip = Some(ip);
                        continue;
                    }
                    if clause.as_deref() == Some("with")
                        && received.protocol.is_none()
                        && !is_keyword(&word)
                    {
                        // `with MailEnable ESMTP`, `with [XMail 1.20 ESMTP Server]`.
                        received.protocol = word
                            .trim_matches(['[', ']'])
                            .split_whitespace()
                            .find_map(protocol);
                    }
                    let keyword = word.to_ascii_lowercase();
                    if matches!(
                        keyword.as_str(),
                        "from" | "by" | "via" | "with" | "id" | "for"
                    ) && clause_value_missing(&received, &keyword)
                    {
                        // The clause's value is the next word (comments before it belong to it).
                        let mut value = None;
                        while let Some(next) = iter.peek() {
                            match next {
                                Token::Comment(comment) => {
                                    let comment = comment.clone();
                                    iter.next();
                                    received.comment(Some(&keyword), &comment);
                                }
                                Token::Word(next) if is_keyword(next) => break,
                                Token::Word(next) => {
                                    value = Some(next.clone());
                                    iter.next();
                                    break;
                                }
                            }
                        }
                        if let Some(value) = value {
                            received.set(&keyword, value);
                        }
                        clause = Some(keyword);
                    }
                }
            }
        }
        received
    }

    fn set(&mut self, clause: &str, value: String) {
        match clause {
            "from" => {
                if let Some(literal) = address_literal(&value) {
                    self.from = Some(Host::Ip(literal));
                } else if !value.is_empty() && !value.starts_with('[') {
                    self.from = Some(Host::Name(value));
                }
            }
            "by" => {
                let value = value
                    .trim_end_matches(',')
                    .trim_matches(['<', '>'])
                    .to_owned();
                self.by = Some(match address_literal(&value) {
                    Some(ip) => Host::Ip(ip),
                    None => Host::Name(value),
                });
            }
            "via" => self.via = Some(value),
            "with" => {
                self.protocol = value
                    .trim_matches(['[', ']'])
                    .split_whitespace()
                    .find_map(protocol);
                // `ESMTP/TLS/<cipher>`: the cipher rides on the keyword.
                let mut pieces = value.split('/');
                if let (Some(_), Some(tls), Some(cipher)) =
                    (pieces.next(), pieces.next(), pieces.next())
                    && tls.eq_ignore_ascii_case("tls")
                {
                    self.tls_cipher = Some(cipher.to_owned());
                }
                self.with = Some(value);
            }
            "id" => self.id = Some(strip_angles(&value)),
            // A Path or a Mailbox (§4.4): something with an `@`.
            "for" if value.contains('@') => self.for_ = Some(strip_angles(&value)),
            _ => {}
        }
    }

    /// What a comment says, by the clause it follows.
    fn comment(&mut self, clause: Option<&str>, comment: &str) {
        self.tls(comment);
        if clause != Some("from") {
            return;
        }
        let words: Vec<&str> = comment
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        // `(rdns)` alone, or `(rdns [local])`: the reverse name without an address.
        if let Some(first) = words.first()
            && first.contains('.')
            && address_literal(first).is_none()
            && !first.contains(['=', '@', ':', '[', ']', '?'])
            && (words.len() == 1 || words.get(1).is_some_and(|w| w.starts_with('[')))
            && self.from_iprev.is_none()
        {
            self.from_iprev = Some((*first).to_owned());
        }
        let mut index = 0;
        while let Some(word) = words.get(index) {
            let lower = word.to_ascii_lowercase();
            if let Some(helo) = lower
                .strip_prefix("helo=")
                .map(|_| word.get(5..).unwrap_or_default())
            {
                self.helo = host(helo);
            } else if let Some(ident) = lower
                .strip_prefix("ident=")
                .map(|_| word.get(6..).unwrap_or_default())
            {
                self.ident = Some(ident.trim_matches(['[', ']']).to_owned());
            } else if let Some(ident) = lower
                .strip_prefix("ident:")
                .map(|_| word.get(6..).unwrap_or_default())
            {
                self.ident = Some(ident.to_owned());
            } else if let Some((user, literal)) = word.split_once("@[")
                && let Some(ip) = address_literal(&format!("[{literal}"))
            {
                // Sendmail's `user@[192.0.2.1]`: the ident and the address.
                self.ident = Some(user.to_owned());
                self.from_ip.get_or_insert(ip);
            } else if word.contains('@')
                && !word.contains(['[', ']', '<', '>', '='])
                && self.ident.is_none()
            {
                // qmail and Sendmail: `(user@host)`, the ident the client's host gave.
                self.ident = Some((*word).to_owned());
            } else if let Some((name, literal)) = word.split_once('[')
                && !name.is_empty()
                && let Some(ip) = address_literal(&format!("[{literal}"))
            {
                // `rdns[192.0.2.1]` and `<rdns>[192.0.2.1]`, without a space.
                self.from_ip.get_or_insert(ip);
                let name = name.trim_matches(['<', '>']);
                if name.contains('.') && self.from_iprev.is_none() {
                    self.from_iprev = Some(name.to_owned());
                }
            } else if (lower == "helo" || lower == "ehlo" || lower == "lhlo")
                && words.get(index + 1).is_some()
            {
                self.helo = words.get(index + 1).and_then(|w| host(w));
                index += 1;
            } else if let Some(ip) = address_literal(word)
                && self.from_ip.is_none()
            {
                self.from_ip = Some(ip);
                // `rdns [ip]`: the word before the address is the reverse name.
                if index > 0
                    && let Some(name) = words.get(index - 1)
                    && name.contains('.')
                    && !name.contains(':')
                    && address_literal(name).is_none()
                    && self.from_iprev.is_none()
                {
                    self.from_iprev = Some((*name).to_owned());
                }
            }
            index += 1;
        }
    }

    /// TLS facts in a comment: `using TLSv1.3 with cipher X`, `version=TLS1_2, cipher=X`,
    /// `Cipher TLSv1:X:168`, `TLS: TLS1.3, 128bits, X`.
    fn tls(&mut self, comment: &str) {
        let words: Vec<&str> = comment
            .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();
        for (index, word) in words.iter().enumerate() {
            let lower = word.to_ascii_lowercase();
            // Exim 4: `TLS-1.0:RSA_AES_256_CBC_SHA:32` (version, cipher, bits).
            let mut fields = word.split(':');
            if let (Some(version), Some(cipher), Some(bits), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
                && version.to_ascii_lowercase().starts_with("tls")
                && bits.bytes().all(|b| b.is_ascii_digit())
            {
                self.tls_version = Some(version.to_owned());
                self.tls_cipher = Some(cipher.to_owned());
                continue;
            }
            if lower == "using" {
                if let Some(version) = words.get(index + 1) {
                    self.tls_version = Some((*version).to_owned());
                }
            } else if lower == "cipher" || lower == "cipher:" {
                let Some(next) = words.get(index + 1) else {
                    continue;
                };
                // Exim 3: `Cipher TLSv1:DES-CBC3-SHA:168`.
                let mut fields = next.split(':');
                match (fields.next(), fields.next()) {
                    (Some(version), Some(cipher))
                        if version.to_ascii_lowercase().starts_with("tls") =>
                    {
                        self.tls_version = Some(version.to_owned());
                        self.tls_cipher = Some(cipher.to_owned());
                    }
                    _ => self.tls_cipher = Some((*next).to_owned()),
                }
            } else if let Some(version) = lower
                .strip_prefix("version=")
                .map(|_| word.get(8..).unwrap_or_default())
            {
                self.tls_version = version.split('/').next().map(str::to_owned);
            } else if let Some(cipher) = lower
                .strip_prefix("cipher=")
                .map(|_| word.get(7..).unwrap_or_default())
            {
                self.tls_cipher = Some(cipher.to_owned());
            } else if lower == "tls:" {
                if let Some(version) = words.get(index + 1) {
                    // `TLSv1/SSLv3`: the TLS name.
                    self.tls_version = version.split('/').next().map(str::to_owned);
                }
                if let Some(cipher) = words.get(index + 3) {
                    self.tls_cipher = Some((*cipher).to_owned());
                }
            }
        }
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "from" | "by" | "via" | "with" | "id" | "for"
    )
}

/// Whether the clause has no value yet (a second `from` in an `id` value is a word).
fn clause_value_missing(received: &Received, clause: &str) -> bool {
    match clause {
        "from" => received.from.is_none() && received.by.is_none(),
        "by" => received.by.is_none(),
        "via" => received.via.is_none(),
        "with" => received.with.is_none(),
        "id" => received.id.is_none(),
        "for" => received.for_.is_none(),
        _ => false,
    }
}

/// Words, `<...>` items and `[...]` literals as words; `(...)` comments (nested) apart.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word(core::mem::take(word)));
        }
    };
    while let Some((_, c)) = chars.next() {
        match c {
            '(' => {
                flush(&mut word, &mut tokens);
                let mut depth = 1;
                let mut comment = String::new();
                for (_, c) in chars.by_ref() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    comment.push(c);
                }
                tokens.push(Token::Comment(comment));
            }
            '<' | '[' => {
                let close = if c == '<' { '>' } else { ']' };
                word.push(c);
                for (_, c) in chars.by_ref() {
                    word.push(c);
                    if c == close {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => flush(&mut word, &mut tokens),
            _ => word.push(c),
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

/// `[192.0.2.1]`, `[IPv6:2001:db8::1]`, `192.0.2.1`, with an optional `:port`.
fn address_literal(text: &str) -> Option<IpAddr> {
    let inner = text.trim_matches(|c| c == '(' || c == ')');
    let inner = match inner.strip_prefix('[') {
        Some(rest) => {
            let (address, _) = rest.split_once(']')?;
            address.trim_matches(|c| c == '(' || c == ')')
        }
        None => inner,
    };
    let inner = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    if let Ok(ip) = inner.parse() {
        return Some(ip);
    }
    // `192.0.2.1:4242`: an IPv4 address and a port.
    let (address, port) = inner.rsplit_once(':')?;
    if port.bytes().all(|b| b.is_ascii_digit()) {
        return address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4);
    }
    None
}

fn host(text: &str) -> Option<Host> {
    let text = text.trim_matches(|c| c == '(' || c == ')' || c == ',');
    if text.is_empty() {
        return None;
    }
    Some(match address_literal(text) {
        Some(ip) => Host::Ip(ip),
        None => Host::Name(text.to_owned()),
    })
}

fn strip_angles(text: &str) -> String {
    text.trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// A `with` value as a protocol keyword (RFC 3848, RFC 6531), reading the common spellings
/// (`esmtp`, `ESMTP/TLS/...`, Exim's `local-esmtps`, `local-bsmtp`).
fn protocol(value: &str) -> Option<Protocol> {
    let lower = value.to_ascii_lowercase();
    let keyword = lower.strip_prefix("local-").unwrap_or(&lower);
    if keyword == "esmtp-tls" {
        return Some(Protocol::Esmtps);
    }
    let keyword = keyword.split(['/', '-']).next().unwrap_or(keyword);
    Some(match keyword {
        // `Microsoft SMTPSVC`, `Microsoft SMTP Server`.
        "microsoft" => Protocol::Smtp,
        "httprest" => Protocol::Http,
        "smtp" | "bsmtp" => Protocol::Smtp,
        "esmtp" => Protocol::Esmtp,
        "esmtpa" => Protocol::Esmtpa,
        "esmtps" => Protocol::Esmtps,
        "esmtpsa" => Protocol::Esmtpsa,
        "lmtp" => Protocol::Lmtp,
        "lmtpa" => Protocol::Lmtpa,
        "lmtps" => Protocol::Lmtps,
        "lmtpsa" => Protocol::Lmtpsa,
        "utf8smtp" | "utf8smtpa" | "utf8smtps" | "utf8smtpsa" | "utf8lmtp" => Protocol::Utf8Smtp,
        "http" => Protocol::Http,
        "https" => Protocol::Https,
        "imap" => Protocol::Imap,
        "pop3" => Protocol::Pop3,
        "mms" => Protocol::Mms,
        "local" => Protocol::Local,
        _ => return None,
    })
}
