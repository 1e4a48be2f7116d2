//! The grammar of RFC 5321 §4.1.2 and §4.1.3, with RFC 6531 §3.3 UTF-8.

use super::{AddressLiteral, MailboxDomain, MailboxError, MailboxErrorKind, MailboxRef};
use crate::domain::{Domain, plain_ldh};

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"`, RFC 5321 §4.1.2; returns the offset after `>`.
///
/// `text` is `input` as text when the caller has it (a checked command line), so that pieces
/// are sliced from it rather than checked for UTF-8 again.
#[inline]
pub(super) fn path<'a>(
    input: &'a [u8],
    text: Option<&'a str>,
) -> Result<(MailboxRef<'a>, usize), MailboxError> {
    if input.first() != Some(&b'<') {
        return Err(error(MailboxErrorKind::ExpectedOpeningBracket, 0));
    }
    let mut position = 1;
    if input.get(position) == Some(&b'@') {
        position = source_route(input, position)?;
    }
    let (mailbox, end) = mailbox(input, text, position)?;
    if input.get(end) != Some(&b'>') {
        return Err(error(MailboxErrorKind::ExpectedClosingBracket, end));
    }
    Ok((mailbox, end + 1))
}

/// `A-d-l = At-domain *( "," At-domain )` then `":"`; RFC 5321 §4.1.2 says to accept and
/// ignore it (Appendix C).
fn source_route(input: &[u8], mut position: usize) -> Result<usize, MailboxError> {
    loop {
        if input.get(position) != Some(&b'@') {
            return Err(error(MailboxErrorKind::InvalidSourceRoute, position));
        }
        let start = position + 1;
        let end = start
            + input
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&byte| byte != b',' && byte != b':' && byte != b'>')
                .count();
        domain(input, start, end)?;
        match input.get(end) {
            Some(b',') => position = end + 1,
            Some(b':') => return Ok(end + 1),
            _ => return Err(error(MailboxErrorKind::InvalidSourceRoute, end)),
        }
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )`; returns the offset after it.
/// The domain ends at `>` or at the end of input; anything else inside is a domain error.
#[inline]
pub(super) fn mailbox<'a>(
    input: &'a [u8],
    text: Option<&'a str>,
    start: usize,
) -> Result<(MailboxRef<'a>, usize), MailboxError> {
    let (local_end, local_utf8) = local_part(input, start)?;
    if input.get(local_end) != Some(&b'@') {
        return Err(error(MailboxErrorKind::ExpectedAt, local_end));
    }
    let local_text = || {
        slice(input, text, start, local_end)
            .ok_or_else(|| error(MailboxErrorKind::InvalidUtf8, start))
    };
    // A local part of ASCII atext is text; any other is checked before the domain.
    if local_utf8 {
        local_text()?;
    }
    let domain_start = local_end + 1;
    if input.get(domain_start) == Some(&b'[') {
        let close = input
            .get(domain_start..)
            .unwrap_or_default()
            .iter()
            .position(|&byte| byte == b']')
            .map(|offset| domain_start + offset)
            .ok_or_else(|| error(MailboxErrorKind::InvalidAddressLiteral, domain_start))?;
        let literal = address_literal(input.get(domain_start + 1..close).unwrap_or_default())
            .ok_or_else(|| error(MailboxErrorKind::InvalidAddressLiteral, domain_start))?;
        let domain = MailboxDomain::AddressLiteral(literal);
        return Ok((MailboxRef::parsed(local_text()?, domain, false), close + 1));
    }
    let domain_end = domain_start
        + input
            .get(domain_start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&byte| byte != b'>')
            .count();
    let mailbox = match domain(input, domain_start, domain_end)? {
        // The whole mailbox is text: its local part is, and a plain name is ASCII.
        None => MailboxRef::plain(
            slice(input, text, start, domain_end)
                .ok_or_else(|| error(MailboxErrorKind::InvalidUtf8, start))?,
            local_end - start,
        ),
        Some((domain, domain_utf8)) => {
            MailboxRef::parsed(local_text()?, MailboxDomain::Domain(domain), domain_utf8)
        }
    };
    Ok((mailbox, domain_end))
}

/// `Local-part = Dot-string / Quoted-string`; returns the end offset and whether it holds UTF-8.
fn local_part(input: &[u8], start: usize) -> Result<(usize, bool), MailboxError> {
    let mut utf8 = false;
    if input.get(start) == Some(&b'"') {
        // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
        let mut position = start + 1;
        loop {
            match input.get(position) {
                None => return Err(error(MailboxErrorKind::UnterminatedQuote, start)),
                Some(b'"') => return Ok((position + 1, utf8)),
                // quoted-pairSMTP = %d92 %d32-126
                Some(b'\\') => match input.get(position + 1) {
                    Some(32..=126) => position += 2,
                    _ => return Err(error(MailboxErrorKind::InvalidLocalPart, position)),
                },
                // qtextSMTP = %d32-33 / %d35-91 / %d93-126, plus UTF8-non-ascii (RFC 6531).
                Some(32..=33 | 35..=91 | 93..=126) => position += 1,
                Some(0x80..) => {
                    utf8 = true;
                    position += 1;
                }
                Some(_) => return Err(error(MailboxErrorKind::InvalidLocalPart, position)),
            }
        }
    }
    // Dot-string = Atom *("." Atom)
    let mut position = start;
    let mut atom_len = 0;
    loop {
        match input.get(position) {
            Some(&byte) if is_atext(byte) => {
                utf8 |= byte >= 0x80;
                atom_len += 1;
                position += 1;
            }
            Some(b'.') if atom_len > 0 => {
                atom_len = 0;
                position += 1;
            }
            _ => break,
        }
    }
    if atom_len == 0 {
        return Err(error(MailboxErrorKind::InvalidLocalPart, position));
    }
    Ok((position, utf8))
}

/// `Domain = sub-domain *("." sub-domain)`, RFC 5321 §4.1.2 (no trailing dot), U-labels
/// allowed (RFC 6531 §3.3).
///
/// `None` for a name of plain LDH labels, which the caller keeps as written; any other goes
/// through [`Domain::parse`] (IDNA, or the exact error) and comes back with whether it was
/// written in UTF-8.
fn domain(input: &[u8], start: usize, end: usize) -> Result<Option<(Domain, bool)>, MailboxError> {
    let bytes = input.get(start..end).unwrap_or_default();
    if bytes.ends_with(b".") {
        return Err(error(
            MailboxErrorKind::InvalidDomain(crate::domain::DomainError::EmptyLabel(bytes.len())),
            end,
        ));
    }
    if plain_ldh(bytes).is_some() {
        return Ok(None);
    }
    let domain = Domain::parse(bytes).map_err(|domain_error| {
        let offset = match domain_error {
            crate::domain::DomainError::InvalidOctet { offset, .. } => start + offset,
            _ => start,
        };
        error(MailboxErrorKind::InvalidDomain(domain_error), offset)
    })?;
    Ok(Some((domain, !bytes.is_ascii())))
}

/// `input[start..end]` as text: sliced from `text` when the input is known to be text, checked
/// otherwise. The offsets always fall on ASCII octets or the ends, so slicing never fails on
/// text.
fn slice<'a>(input: &'a [u8], text: Option<&'a str>, start: usize, end: usize) -> Option<&'a str> {
    match text {
        Some(text) => text.get(start..end),
        None => core::str::from_utf8(input.get(start..end)?).ok(),
    }
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`, RFC 5321 §4.1.3; `content` is what is inside the brackets.
fn address_literal(content: &[u8]) -> Option<AddressLiteral> {
    let text = core::str::from_utf8(content).ok()?;
    if let Some(address) = text
        .get(..5)
        .filter(|tag| tag.eq_ignore_ascii_case("IPv6:"))
    {
        let rest = text.get(address.len()..)?;
        return rest.parse().ok().map(AddressLiteral::Ipv6);
    }
    if let Ok(address) = text.parse() {
        return Some(AddressLiteral::Ipv4(address));
    }
    // General-address-literal = Standardized-tag ":" 1*dcontent
    let (tag, value) = text.split_once(':')?;
    let tag_ok = !tag.is_empty()
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !tag.ends_with('-');
    // dcontent = %d33-90 / %d94-126
    let value_ok = !value.is_empty() && value.bytes().all(|b| matches!(b, 33..=90 | 94..=126));
    (tag_ok && value_ok).then(|| AddressLiteral::General {
        tag: tag.into(),
        content: value.into(),
    })
}

/// `atext` of RFC 5322 §3.2.3, with UTF8-non-ascii (RFC 6531 §3.3).
fn is_atext(byte: u8) -> bool {
    ATEXT.get(usize::from(byte)).copied().unwrap_or(false)
}

/// [`is_atext`] for every octet, built once at compile time.
static ATEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut octet: u8 = 0;
    let mut slots: &mut [bool] = &mut table;
    while let [slot, rest @ ..] = slots {
        *slot = octet.is_ascii_alphanumeric()
            || matches!(
                octet,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
            )
            || octet >= 0x80;
        octet = octet.wrapping_add(1);
        slots = rest;
    }
    table
};

fn error(kind: MailboxErrorKind, offset: usize) -> MailboxError {
    MailboxError { kind, offset }
}
