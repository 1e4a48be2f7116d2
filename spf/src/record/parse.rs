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
    // Room for a term per eight octets: terms are rarely shorter (` ip4:a.b.c.d`, ` ~all`), so
    // the vector seldom grows, and guessing costs nothing where counting spaces costs a pass.
    let mut terms = Vec::with_capacity(rest.len() / 8 + 1);
    let (mut redirects, mut explanations) = (0, 0);
    for term_text in ascii::split(rest, b' ').filter(|term| !term.is_empty()) {
        terms.push(term(term_text)?);
        match terms.last() {
            Some(Term::Modifier(Modifier::Redirect(_))) => redirects += 1,
            Some(Term::Modifier(Modifier::Explanation(_))) => explanations += 1,
            _ => {}
        }
        if redirects > 1 || explanations > 1 {
            return Err(error(RecordErrorKind::DuplicateModifier, term_text));
        }
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

/// The mechanism names of §5.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Name {
    All,
    Include,
    Exists,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
}

/// A mechanism name, case-insensitively (§4.6.1): lower-cased into a small buffer, without
/// allocating, and matched once.
fn mechanism_name(written: &str) -> Option<Name> {
    let mut lower = [0u8; 7];
    let lower = lower.get_mut(..written.len())?;
    for (to, from) in lower.iter_mut().zip(written.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    Some(match &*lower {
        b"all" => Name::All,
        b"include" => Name::Include,
        b"exists" => Name::Exists,
        b"a" => Name::A,
        b"mx" => Name::Mx,
        b"ptr" => Name::Ptr,
        b"ip4" => Name::Ip4,
        b"ip6" => Name::Ip6,
        _ => return None,
    })
}

/// The mechanism named at the start of `body`, with its argument and prefix lengths.
fn mechanism(body: &str, term: &str) -> Result<Mechanism, RecordError> {
    let name_len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let (written, rest) = body.split_at(name_len);
    let bad = |kind| error(kind, term);
    let Some(name) = mechanism_name(written) else {
        return Err(bad(RecordErrorKind::UnknownMechanism));
    };
    match name {
        Name::All if rest.is_empty() => Ok(Mechanism::All),
        Name::All => Err(bad(RecordErrorKind::BadArgument)),
        Name::Include => Ok(Mechanism::Include(required_domain(rest, term)?)),
        Name::Exists => Ok(Mechanism::Exists(required_domain(rest, term)?)),
        Name::A | Name::Mx => {
            let (domain, cidr) = domain_and_cidr(rest, term)?;
            Ok(if name == Name::A {
                Mechanism::A { domain, cidr }
            } else {
                Mechanism::Mx { domain, cidr }
            })
        }
        Name::Ptr => match rest {
            "" => Ok(Mechanism::Ptr(None)),
            _ => Ok(Mechanism::Ptr(Some(required_domain(rest, term)?))),
        },
        Name::Ip4 => {
            let network_text = rest
                .strip_prefix(':')
                .ok_or_else(|| bad(RecordErrorKind::BadArgument))?;
            let (address, prefix) = split_prefix(network_text, 32, term)?;
            let network = strict_ipv4(address).ok_or_else(|| bad(RecordErrorKind::BadNetwork))?;
            Ok(Mechanism::Ip4 { network, prefix })
        }
        Name::Ip6 => {
            let network_text = rest
                .strip_prefix(':')
                .ok_or_else(|| bad(RecordErrorKind::BadArgument))?;
            let (address, prefix) = split_prefix(network_text, 128, term)?;
            let network = ipv6(address).ok_or_else(|| bad(RecordErrorKind::BadNetwork))?;
            Ok(Mechanism::Ip6 { network, prefix })
        }
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
    let digits = text.as_bytes();
    let leading_zero = digits.len() > 1 && digits.first() == Some(&b'0');
    if !(1..=3).contains(&digits.len()) || leading_zero {
        return None;
    }
    let mut value: u16 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u16::from(digit - b'0');
    }
    u8::try_from(value).ok().filter(|&length| length <= max)
}

/// `ip4-network = qnum "." qnum "." qnum "." qnum`, `qnum` a decimal from 0 to 255 without
/// leading zeros (§12).
fn strict_ipv4(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut index = 0;
    // The value and digit count of the qnum being read.
    let (mut value, mut digits) = (0u16, 0u8);
    for &byte in text.as_bytes() {
        match byte {
            b'0'..=b'9' => {
                // No leading zero, at most three digits.
                if digits == 3 || (digits == 1 && value == 0) {
                    return None;
                }
                value = value * 10 + u16::from(byte - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && index < 3 => {
                *octets.get_mut(index)? = u8::try_from(value).ok()?;
                index += 1;
                (value, digits) = (0, 0);
            }
            _ => return None,
        }
    }
    if digits == 0 || index != 3 {
        return None;
    }
    *octets.get_mut(3)? = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

/// `ip6-network`, the text forms of RFC 4291 §2.2: eight groups of one to four hex digits, at
/// most one `::` standing for one or more groups of zeros, and a dotted quad in place of the
/// last two groups (not before a `::`).
fn ipv6(text: &str) -> Option<Ipv6Addr> {
    let mut groups = [0u16; 8];
    let bytes = text.as_bytes();
    match bytes.windows(2).position(|pair| pair == b"::") {
        None => {
            if ipv6_groups(text, &mut groups, true)? != 8 {
                return None;
            }
        }
        Some(at) => {
            let head_text = text.get(..at)?;
            let tail_text = text.get(at + 2..)?;
            let head = match head_text {
                "" => 0,
                _ => ipv6_groups(head_text, &mut groups, false)?,
            };
            // `::` stands for at least one group: seven at most are written around it.
            let mut tail = [0u16; 7];
            let room = tail.get_mut(..7usize.checked_sub(head)?)?;
            let written = match tail_text {
                "" => 0,
                _ => ipv6_groups(tail_text, room, true)?,
            };
            let start = 8 - written;
            groups
                .get_mut(start..)?
                .copy_from_slice(tail.get(..written)?);
        }
    }
    Some(Ipv6Addr::from(groups))
}

/// Reads `h16 *( ":" h16 )` into `out`, with a dotted quad allowed as the last two groups when
/// `ipv4_tail`; the number of groups, or `None` for anything else or more than `out` holds.
fn ipv6_groups(text: &str, out: &mut [u16], ipv4_tail: bool) -> Option<usize> {
    let mut count = 0;
    let mut pieces = ascii::split(text, b':').peekable();
    while let Some(piece) = pieces.next() {
        let digits = piece.as_bytes();
        if (1..=4).contains(&digits.len()) && digits.iter().all(u8::is_ascii_hexdigit) {
            let mut value = 0u16;
            for &digit in digits {
                let nibble = match digit {
                    b'0'..=b'9' => digit - b'0',
                    _ => (digit | 0x20) - b'a' + 10,
                };
                value = value << 4 | u16::from(nibble);
            }
            *out.get_mut(count)? = value;
            count += 1;
        } else if ipv4_tail && pieces.peek().is_none() {
            let [a, b, c, d] = strict_ipv4(piece)?.octets();
            out.get_mut(count..count + 2)?
                .copy_from_slice(&[u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])]);
            count += 2;
        } else {
            return None;
        }
    }
    Some(count)
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

    use super::{ipv6, strict_ipv4};

    /// Text shaped like an IPv6 address: groups, maybe a `::`, maybe a dotted quad at the end.
    fn ipv6_like() -> impl Strategy<Value = String> {
        let group = "[0-9a-fA-F]{1,5}";
        (
            proptest::collection::vec(group, 0..9),
            proptest::collection::vec(group, 0..9),
            any::<bool>(),
            proptest::option::of("([0-9]{1,3}\\.){3}[0-9]{1,3}"),
        )
            .prop_map(|(head, tail, gap, quad)| {
                let mut text = head.join(":");
                if gap {
                    text.push_str("::");
                } else if !head.is_empty() && !tail.is_empty() {
                    text.push(':');
                }
                text.push_str(&tail.join(":"));
                if let Some(quad) = quad {
                    if !text.is_empty() && !text.ends_with(':') {
                        text.push(':');
                    }
                    text.push_str(&quad);
                }
                text
            })
    }

    proptest! {
        /// The hand-written IPv6 reader takes exactly what the standard library takes.
        #[test]
        fn ipv6_networks_read_as_the_standard_library_reads_them(
            text in prop_oneof![ipv6_like(), "[0-9a-fA-F:.]{0,40}", "[0-9:.]{0,24}"],
        ) {
            prop_assert_eq!(ipv6(&text), text.parse().ok(), "{}", text);
        }

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

    #[test]
    fn ipv6_networks_follow_rfc_4291_text_forms() {
        for (text, ok) in [
            ("2001:db8::", true),
            ("::", true),
            ("::1", true),
            ("1:2:3:4:5:6:7:8", true),
            ("1:2:3:4:5:6:7::", true),
            ("::2:3:4:5:6:7:8", true),
            ("::ffff:192.0.2.1", true),
            ("1:2:3:4:5:6:192.0.2.1", true),
            ("ABCD:ef01::", true),
            ("1:2:3:4:5:6:7:8::", false),
            ("::1:2:3:4:5:6:7:8", false),
            ("1:2:3:4:5:6:7", false),
            ("192.0.2.1::", false),
            ("1:2:3:4:5:6:7:192.0.2.1", false),
            ("::192.0.2.01", false),
            ("1::2::3", false),
            (":::", false),
            ("12345::", false),
            ("g::", false),
            ("", false),
        ] {
            assert_eq!(ipv6(text).is_some(), ok, "{text}");
            assert_eq!(ipv6(text), text.parse().ok(), "{text}");
        }
    }
}
