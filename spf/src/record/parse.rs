//! The record grammar of RFC 7208 §12.

use core::net::{Ipv4Addr, Ipv6Addr};

use tegami_core::ascii;

use super::{
    Directive, DualCidr, Mechanism, Modifier, Qualifier, Record, RecordError, RecordErrorKind, Term,
};
use crate::macro_string::MacroString;

/// `record = version terms *SP`, `terms = *( 1*SP ( directive / modifier ) )`.
pub(super) fn record(text: &str) -> Result<Record, RecordError> {
    if !Record::is_spf(text.as_bytes()) {
        return Err(error(
            RecordErrorKind::NotSpf,
            text.get(..6).unwrap_or(text),
        ));
    }
    let rest = text.get(6..).unwrap_or_default();
    // Every term follows a space: their count bounds the terms, so the vector never grows.
    let mut terms = Vec::with_capacity(memchr::memchr_iter(b' ', rest.as_bytes()).count());
    let (mut redirects, mut explanations) = (0, 0);
    for term_text in ascii::split(rest, b' ').filter(|term| !term.is_empty()) {
        let term = term(term_text)?;
        match &term {
            Term::Modifier(Modifier::Redirect(_)) => redirects += 1,
            Term::Modifier(Modifier::Explanation(_)) => explanations += 1,
            _ => {}
        }
        if redirects > 1 || explanations > 1 {
            return Err(error(RecordErrorKind::DuplicateModifier, term_text));
        }
        terms.push(term);
    }
    Ok(Record { terms })
}

/// `directive / modifier`.
fn term(text: &str) -> Result<Term, RecordError> {
    if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(error(RecordErrorKind::BadCharacter, text));
    }
    // modifier = name "=" ..., name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    let name_len = modifier_name_len(text);
    if name_len > 0 && text.as_bytes().get(name_len) == Some(&b'=') {
        let name = text.get(..name_len).unwrap_or_default();
        let value = text.get(name_len + 1..).unwrap_or_default();
        return modifier(name, value, text).map(Term::Modifier);
    }
    let (qualifier, body) = match text.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, text.get(1..).unwrap_or_default()),
        Some(b'-') => (Qualifier::Fail, text.get(1..).unwrap_or_default()),
        Some(b'~') => (Qualifier::SoftFail, text.get(1..).unwrap_or_default()),
        Some(b'?') => (Qualifier::Neutral, text.get(1..).unwrap_or_default()),
        _ => (Qualifier::Pass, text),
    };
    let mechanism = mechanism(body, text)?;
    Ok(Term::Directive(Directive {
        qualifier,
        mechanism,
    }))
}

fn modifier(name: &str, value: &str, term: &str) -> Result<Modifier, RecordError> {
    if name.eq_ignore_ascii_case("redirect") {
        Ok(Modifier::Redirect(domain_spec(value, term)?))
    } else if name.eq_ignore_ascii_case("exp") {
        Ok(Modifier::Explanation(domain_spec(value, term)?))
    } else {
        let value =
            MacroString::parse(value).map_err(|e| error(RecordErrorKind::Macro(e), term))?;
        Ok(Modifier::Unknown {
            name: name.into(),
            value,
        })
    }
}

/// The mechanism named at the start of `body`, with its argument and prefix lengths.
fn mechanism(body: &str, term: &str) -> Result<Mechanism, RecordError> {
    let name_len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let (written, rest) = body.split_at(name_len);
    let bad = |kind| error(kind, term);
    // Mechanism names are case-insensitive (§4.6.1); match without allocating.
    let known = ["all", "include", "exists", "a", "mx", "ptr", "ip4", "ip6"];
    let name = known
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(written))
        .unwrap_or("");
    match name {
        "all" if rest.is_empty() => Ok(Mechanism::All),
        "include" => Ok(Mechanism::Include(required_domain(rest, term)?)),
        "exists" => Ok(Mechanism::Exists(required_domain(rest, term)?)),
        "a" | "mx" => {
            let (domain, cidr) = domain_and_cidr(rest, term)?;
            Ok(if name == "a" {
                Mechanism::A { domain, cidr }
            } else {
                Mechanism::Mx { domain, cidr }
            })
        }
        "ptr" => match rest {
            "" => Ok(Mechanism::Ptr(None)),
            _ => Ok(Mechanism::Ptr(Some(required_domain(rest, term)?))),
        },
        "ip4" => {
            let network_text = rest
                .strip_prefix(':')
                .ok_or_else(|| bad(RecordErrorKind::BadArgument))?;
            let (address, prefix) = split_prefix(network_text, 32, term)?;
            let network = strict_ipv4(address).ok_or_else(|| bad(RecordErrorKind::BadNetwork))?;
            Ok(Mechanism::Ip4 { network, prefix })
        }
        "ip6" => {
            let network_text = rest
                .strip_prefix(':')
                .ok_or_else(|| bad(RecordErrorKind::BadArgument))?;
            let (address, prefix) = split_prefix(network_text, 128, term)?;
            let network: Ipv6Addr = address
                .parse()
                .map_err(|_| bad(RecordErrorKind::BadNetwork))?;
            Ok(Mechanism::Ip6 { network, prefix })
        }
        "all" => Err(bad(RecordErrorKind::BadArgument)),
        _ => Err(bad(RecordErrorKind::UnknownMechanism)),
    }
}

/// `":" domain-spec`, required.
fn required_domain(rest: &str, term: &str) -> Result<MacroString, RecordError> {
    let spec = rest
        .strip_prefix(':')
        .ok_or_else(|| error(RecordErrorKind::BadArgument, term))?;
    domain_spec(spec, term)
}

/// `[ ":" domain-spec ] [ dual-cidr-length ]` of `a` and `mx`. The prefix lengths are taken
/// from the end, because a domain-spec may itself hold `/` and `:` (macro-literal).
fn domain_and_cidr(rest: &str, term: &str) -> Result<(Option<MacroString>, DualCidr), RecordError> {
    let digits_after = |text: &str, at: usize, skip: usize| {
        text.get(at + skip..)
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .map(str::len)
    };
    let mut spec = rest;
    let mut cidr_start = rest.len();
    if let Some(at) = spec.rfind("//")
        && digits_after(spec, at, 2).is_some()
    {
        cidr_start = at;
        spec = spec.get(..at).unwrap_or_default();
    }
    if let Some(at) = spec.rfind('/')
        && digits_after(spec, at, 1).is_some()
    {
        cidr_start = at;
        spec = spec.get(..at).unwrap_or_default();
    }
    let cidr = dual_cidr(rest.get(cidr_start..).unwrap_or_default(), term)?;
    let domain = match spec {
        "" => None,
        _ => Some(required_domain(spec, term)?),
    };
    Ok((domain, cidr))
}

/// `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]`.
fn dual_cidr(text: &str, term: &str) -> Result<DualCidr, RecordError> {
    let bad = || error(RecordErrorKind::BadNetwork, term);
    // ip6-cidr-length = "/" digits, after its own "/": so "//" starts the IPv6 part.
    let (ip4_text, ip6_text) = match text.find("//") {
        Some(index) => (text.get(..index).unwrap_or_default(), text.get(index + 2..)),
        None => (text, None),
    };
    let ip4 = match ip4_text {
        "" => None,
        _ => {
            let digits = ip4_text.strip_prefix('/').ok_or_else(bad)?;
            Some(prefix_length(digits, 32).ok_or_else(bad)?)
        }
    };
    let ip6 = match ip6_text {
        Some(digits) => Some(prefix_length(digits, 128).ok_or_else(bad)?),
        None => None,
    };
    Ok(DualCidr { ip4, ip6 })
}

fn split_prefix<'t>(
    text: &'t str,
    max: u8,
    term: &str,
) -> Result<(&'t str, Option<u8>), RecordError> {
    match ascii::split_once(text, b'/') {
        Some((address, prefix)) => {
            let prefix = prefix_length(prefix, max)
                .ok_or_else(|| error(RecordErrorKind::BadNetwork, term))?;
            Ok((address, Some(prefix)))
        }
        None => Ok((text, None)),
    }
}

/// `"0" / %x31-39 0*2DIGIT`, at most `max`.
fn prefix_length(text: &str, max: u8) -> Option<u8> {
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if text.is_empty() || leading_zero || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u8>().ok().filter(|&length| length <= max)
}

/// `ip4-network = qnum "." qnum "." qnum "." qnum`, `qnum` a decimal from 0 to 255 without
/// leading zeros (§12).
fn strict_ipv4(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut qnums = ascii::split(text, b'.');
    for octet in &mut octets {
        let qnum = qnums.next()?.as_bytes();
        let leading_zero = qnum.len() > 1 && qnum.first() == Some(&b'0');
        if qnum.is_empty() || qnum.len() > 3 || leading_zero {
            return None;
        }
        let mut value: u16 = 0;
        for &digit in qnum {
            if !digit.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u16::from(digit - b'0');
        }
        *octet = u8::try_from(value).ok()?;
    }
    match qnums.next() {
        None => Some(Ipv4Addr::from(octets)),
        Some(_) => None,
    }
}

/// `domain-spec = macro-string domain-end`, `domain-end = ( "." toplabel [ "." ] ) /
/// macro-expand`.
fn domain_spec(text: &str, term: &str) -> Result<MacroString, RecordError> {
    let spec = MacroString::parse(text).map_err(|e| error(RecordErrorKind::Macro(e), term))?;
    let ends_well = spec.ends_in_expand() || {
        let tail = spec.literal_tail();
        let trimmed = tail.strip_suffix('.').unwrap_or(tail);
        trimmed
            .rsplit_once('.')
            .is_some_and(|(_, top)| is_toplabel(top))
    };
    if ends_well {
        Ok(spec)
    } else {
        Err(error(RecordErrorKind::BadDomainEnd, term))
    }
}

/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
fn is_toplabel(label: &str) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !bytes.iter().all(u8::is_ascii_digit)
}

fn modifier_name_len(text: &str) -> usize {
    match text.as_bytes().first() {
        Some(first) if first.is_ascii_alphabetic() => text
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count(),
        _ => 0,
    }
}

fn error(kind: RecordErrorKind, term: &str) -> RecordError {
    RecordError {
        kind,
        term: term.into(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::strict_ipv4;

    proptest! {
        /// The hand-written reader takes exactly the dotted quads the standard library takes
        /// (which refuses leading zeros too).
        #[test]
        fn ipv4_networks_read_as_the_standard_library_reads_them(text in "[0-9.]{0,16}|([0-9]{1,3}\\.){3}[0-9]{1,3}") {
            prop_assert_eq!(strict_ipv4(&text), text.parse().ok());
        }
    }

    #[test]
    fn ipv4_networks_refuse_leading_zeros_and_out_of_range_octets() {
        for refused in [
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.256",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            "",
        ] {
            assert_eq!(strict_ipv4(refused), None, "{refused}");
        }
        assert_eq!(strict_ipv4("0.10.100.255"), Some([0, 10, 100, 255].into()));
    }
}
