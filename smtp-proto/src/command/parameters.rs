//! MAIL and RCPT parameters: RFC 5321 §4.1.2 `esmtp-param`, with the values of the extensions
//! that define them.
//!
//! | keyword | command | defined by |
//! | --- | --- | --- |
//! | `SIZE` | MAIL | [RFC 1870 §6](https://www.rfc-editor.org/rfc/rfc1870#section-6) |
//! | `BODY` | MAIL | RFC 6152 §2 (`7BIT`, `8BITMIME`), RFC 3030 §3 (`BINARYMIME`) |
//! | `SMTPUTF8` | MAIL | [RFC 6531 §3.4](https://www.rfc-editor.org/rfc/rfc6531#section-3.4) |
//! | `RET`, `ENVID` | MAIL | [RFC 3461 §4.3, §4.4](https://www.rfc-editor.org/rfc/rfc3461#section-4.3) |
//! | `NOTIFY`, `ORCPT` | RCPT | RFC 3461 §4.1, §4.2 |
//! | `AUTH` | MAIL | [RFC 4954 §5](https://www.rfc-editor.org/rfc/rfc4954#section-5) |
//! | `REQUIRETLS` | MAIL | [RFC 8689 §4.1](https://www.rfc-editor.org/rfc/rfc8689#section-4.1) |
//!
//! Any other keyword is kept in `unknown`, for the server to refuse (555) or the application
//! to read.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt::Write as _;

use tegami_core::ascii;

use super::CommandError;
use crate::xtext;

/// The parameters of a MAIL command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParameters<'a> {
    /// `SIZE=`: the message size the client declares, in octets.
    pub size: Option<u64>,
    /// `BODY=`: the body type.
    pub body: Option<Body>,
    /// `SMTPUTF8`: the message needs UTF-8 support.
    pub smtputf8: bool,
    /// `RET=`: what a DSN should return.
    pub ret: Option<Ret>,
    /// `ENVID=`: the envelope identifier for DSNs, decoded from xtext.
    pub envid: Option<Cow<'a, str>>,
    /// `AUTH=`: the identity that submitted the message, as the client asserts it.
    pub auth: Option<MailAuth<'a>>,
    /// `REQUIRETLS`: the message may travel only over TLS (RFC 8689).
    pub require_tls: bool,
    /// Other parameters, keyword and value as written, in order.
    pub unknown: Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
}

/// The parameters of a RCPT command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RcptParameters<'a> {
    /// `NOTIFY=`: which DSNs the sender wants for this recipient.
    pub notify: Option<Notify>,
    /// `ORCPT=`: the original recipient.
    pub orcpt: Option<OriginalRecipient<'a>>,
    /// Other parameters, keyword and value as written, in order (SIZE, BODY and AUTH land
    /// here too: they belong to MAIL).
    pub unknown: Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
}

/// `BODY=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Body {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030): only with BDAT.
    BinaryMime,
}

/// `RET=` values, RFC 3461 §4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message.
    Full,
    /// `HDRS`: return the headers only.
    Headers,
}

/// `NOTIFY=` values, RFC 3461 §4.1: `NEVER`, or any of `SUCCESS`, `FAILURE`, `DELAY`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Notify {
    /// `SUCCESS`.
    pub success: bool,
    /// `FAILURE`.
    pub failure: bool,
    /// `DELAY`.
    pub delay: bool,
}

/// `ORCPT=addr-type;xtext`, RFC 3461 §4.2.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginalRecipient<'a> {
    /// The address type, such as `rfc822` or `utf-8` (RFC 6533).
    pub address_type: Cow<'a, str>,
    /// The address, decoded from xtext.
    pub address: Cow<'a, str>,
}

/// `AUTH=` values, RFC 4954 §5.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailAuth<'a> {
    /// `AUTH=<>`: the submitter is not known or not trusted.
    Unknown,
    /// The submitter's mailbox, decoded from xtext.
    Identity(Cow<'a, str>),
}

impl Notify {
    /// `NOTIFY=NEVER`.
    pub fn never(&self) -> bool {
        !self.success && !self.failure && !self.delay
    }
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)`, RFC 5321 §4.1.2.
pub(super) fn mail_parameters(input: &str) -> Result<MailParameters<'_>, CommandError> {
    let mut parameters = MailParameters::default();
    for_each_param(input, |keyword, value| {
        let duplicate = CommandError::DuplicateParameter;
        match keyword.len() {
            4 if keyword.eq_ignore_ascii_case("SIZE") => {
                let size = value
                    .and_then(decimal)
                    .ok_or(CommandError::InvalidParameter("SIZE"))?;
                replace(&mut parameters.size, size).ok_or(duplicate)
            }
            4 if keyword.eq_ignore_ascii_case("BODY") => {
                let body = value
                    .and_then(body)
                    .ok_or(CommandError::InvalidParameter("BODY"))?;
                replace(&mut parameters.body, body).ok_or(duplicate)
            }
            8 if keyword.eq_ignore_ascii_case("SMTPUTF8") => {
                if value.is_some() {
                    return Err(CommandError::InvalidParameter("SMTPUTF8"));
                }
                flag(&mut parameters.smtputf8).ok_or(duplicate)
            }
            3 if keyword.eq_ignore_ascii_case("RET") => {
                let ret = match value {
                    Some(value) if value.eq_ignore_ascii_case("FULL") => Ret::Full,
                    Some(value) if value.eq_ignore_ascii_case("HDRS") => Ret::Headers,
                    _ => return Err(CommandError::InvalidParameter("RET")),
                };
                replace(&mut parameters.ret, ret).ok_or(duplicate)
            }
            5 if keyword.eq_ignore_ascii_case("ENVID") => {
                // ENVID is at most 100 characters of xtext, RFC 3461 §4.4.
                let envid = value
                    .filter(|value| value.len() <= 100)
                    .and_then(xtext::decode)
                    .ok_or(CommandError::InvalidParameter("ENVID"))?;
                replace(&mut parameters.envid, envid).ok_or(duplicate)
            }
            4 if keyword.eq_ignore_ascii_case("AUTH") => {
                let auth = match value {
                    Some("<>") => MailAuth::Unknown,
                    Some(value) => MailAuth::Identity(
                        xtext::decode(value).ok_or(CommandError::InvalidParameter("AUTH"))?,
                    ),
                    None => return Err(CommandError::InvalidParameter("AUTH")),
                };
                replace(&mut parameters.auth, auth).ok_or(duplicate)
            }
            10 if keyword.eq_ignore_ascii_case("REQUIRETLS") => {
                if value.is_some() {
                    return Err(CommandError::InvalidParameter("REQUIRETLS"));
                }
                flag(&mut parameters.require_tls).ok_or(duplicate)
            }
            _ => {
                parameters
                    .unknown
                    .push((Cow::Borrowed(keyword), value.map(Cow::Borrowed)));
                Ok(())
            }
        }
    })?;
    Ok(parameters)
}

/// `Rcpt-parameters = esmtp-param *(SP esmtp-param)`, RFC 5321 §4.1.2.
pub(super) fn rcpt_parameters(input: &str) -> Result<RcptParameters<'_>, CommandError> {
    let mut parameters = RcptParameters::default();
    for_each_param(input, |keyword, value| {
        let duplicate = CommandError::DuplicateParameter;
        match keyword.len() {
            6 if keyword.eq_ignore_ascii_case("NOTIFY") => {
                let notify = value
                    .and_then(notify)
                    .ok_or(CommandError::InvalidParameter("NOTIFY"))?;
                replace(&mut parameters.notify, notify).ok_or(duplicate)
            }
            5 if keyword.eq_ignore_ascii_case("ORCPT") => {
                let orcpt = value
                    .and_then(original_recipient)
                    .ok_or(CommandError::InvalidParameter("ORCPT"))?;
                replace(&mut parameters.orcpt, orcpt).ok_or(duplicate)
            }
            _ => {
                parameters
                    .unknown
                    .push((Cow::Borrowed(keyword), value.map(Cow::Borrowed)));
                Ok(())
            }
        }
    })?;
    Ok(parameters)
}

/// `size-value = 1*20DIGIT`, RFC 1870 §6, as a number that fits 64 bits.
fn decimal(value: &str) -> Option<u64> {
    if !(1..=20).contains(&value.len()) {
        return None;
    }
    value.bytes().try_fold(0u64, |number, byte| {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        number.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `BODY=` values: `7BIT`, `8BITMIME` (RFC 6152 §2), `BINARYMIME` (RFC 3030 §3).
fn body(value: &str) -> Option<Body> {
    match value.len() {
        4 if value.eq_ignore_ascii_case("7BIT") => Some(Body::SevenBit),
        8 if value.eq_ignore_ascii_case("8BITMIME") => Some(Body::EightBitMime),
        10 if value.eq_ignore_ascii_case("BINARYMIME") => Some(Body::BinaryMime),
        _ => None,
    }
}

/// `original-recipient-address = addr-type ";" xtext`, RFC 3461 §4.2.
fn original_recipient(value: &str) -> Option<OriginalRecipient<'_>> {
    let (address_type, address) = ascii::split_once(value, b';')?;
    let type_ok = !address_type.is_empty()
        && address_type
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    if !type_ok || address.is_empty() {
        return None;
    }
    Some(OriginalRecipient {
        address_type: Cow::Borrowed(address_type),
        address: xtext::decode(address)?,
    })
}
impl MailParameters<'_> {
    /// Copies borrowed values so the parameters outlive the command line.
    pub fn into_owned(self) -> MailParameters<'static> {
        MailParameters {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(owned),
            auth: self.auth.map(|auth| match auth {
                MailAuth::Unknown => MailAuth::Unknown,
                MailAuth::Identity(identity) => MailAuth::Identity(owned(identity)),
            }),
            require_tls: self.require_tls,
            unknown: owned_unknown(self.unknown),
        }
    }

    /// Appends the parameters in wire form, each after a space.
    pub fn write_to(&self, out: &mut String) {
        if let Some(size) = self.size {
            let _ = write!(out, " SIZE={size}");
        }
        if let Some(body) = self.body {
            out.push_str(match body {
                Body::SevenBit => " BODY=7BIT",
                Body::EightBitMime => " BODY=8BITMIME",
                Body::BinaryMime => " BODY=BINARYMIME",
            });
        }
        if self.smtputf8 {
            out.push_str(" SMTPUTF8");
        }
        if let Some(ret) = self.ret {
            out.push_str(match ret {
                Ret::Full => " RET=FULL",
                Ret::Headers => " RET=HDRS",
            });
        }
        if let Some(envid) = &self.envid {
            let _ = write!(out, " ENVID={}", xtext::encode(envid));
        }
        match &self.auth {
            Some(MailAuth::Unknown) => out.push_str(" AUTH=<>"),
            Some(MailAuth::Identity(identity)) => {
                let _ = write!(out, " AUTH={}", xtext::encode(identity));
            }
            None => {}
        }
        if self.require_tls {
            out.push_str(" REQUIRETLS");
        }
        write_unknown(out, &self.unknown);
    }
}

impl RcptParameters<'_> {
    /// Copies borrowed values so the parameters outlive the command line.
    pub fn into_owned(self) -> RcptParameters<'static> {
        RcptParameters {
            notify: self.notify,
            orcpt: self.orcpt.map(|orcpt| OriginalRecipient {
                address_type: owned(orcpt.address_type),
                address: owned(orcpt.address),
            }),
            unknown: owned_unknown(self.unknown),
        }
    }

    /// Appends the parameters in wire form, each after a space.
    pub fn write_to(&self, out: &mut String) {
        if let Some(notify) = self.notify {
            if notify.never() {
                out.push_str(" NOTIFY=NEVER");
            } else {
                let words = [
                    (notify.success, "SUCCESS"),
                    (notify.failure, "FAILURE"),
                    (notify.delay, "DELAY"),
                ];
                let mut separator = " NOTIFY=";
                for (_, word) in words.iter().filter(|(set, _)| *set) {
                    out.push_str(separator);
                    out.push_str(word);
                    separator = ",";
                }
            }
        }
        if let Some(orcpt) = &self.orcpt {
            let _ = write!(
                out,
                " ORCPT={};{}",
                orcpt.address_type,
                xtext::encode(&orcpt.address)
            );
        }
        write_unknown(out, &self.unknown);
    }
}

/// `esmtp-param = esmtp-keyword ["=" esmtp-value]`, RFC 5321 §4.1.2; parameters are separated
/// by one or more spaces. Hands each parameter to `each` in order, in one pass.
///
/// Every parameter is checked against the grammar: a malformed one anywhere is reported
/// ([`CommandError::MalformedParameter`]) rather than what `each` said about an earlier one.
/// After the first error from `each`, the rest is only checked.
fn for_each_param<'a>(
    input: &'a str,
    mut each: impl FnMut(&'a str, Option<&'a str>) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    let bytes = input.as_bytes();
    let at = |index: usize| bytes.get(index).copied();
    let mut position = 0;
    let mut first_error = None;
    loop {
        while at(position) == Some(b' ') {
            position += 1;
        }
        let Some(first) = at(position) else {
            break;
        };
        // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        if !first.is_ascii_alphanumeric() {
            return Err(CommandError::MalformedParameter);
        }
        let start = position;
        position += 1;
        while at(position).is_some_and(|byte| class(byte) & KEYWORD != 0) {
            position += 1;
        }
        let keyword = input.get(start..position).unwrap_or_default();
        let mut value = None;
        if at(position) == Some(b'=') {
            // esmtp-value = 1*(%d33-60 / %d62-126), with UTF-8 from RFC 6531 §3.3.
            position += 1;
            let value_start = position;
            while at(position).is_some_and(|byte| class(byte) & VALUE != 0) {
                position += 1;
            }
            if position == value_start {
                return Err(CommandError::MalformedParameter);
            }
            value = input.get(value_start..position);
        }
        if at(position).is_some_and(|byte| byte != b' ') {
            return Err(CommandError::MalformedParameter);
        }
        if first_error.is_none()
            && let Err(error) = each(keyword, value)
        {
            first_error = Some(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// [`CLASSES`] bit: the octet may continue an `esmtp-keyword` (ALPHA / DIGIT / "-").
const KEYWORD: u8 = 1;
/// [`CLASSES`] bit: the octet may be in an `esmtp-value` (%d33-60 / %d62-126, and UTF-8 from
/// RFC 6531 §3.3).
const VALUE: u8 = 2;

/// The classes of each octet, built at compile time: one load per octet in the parameter scan.
static CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut octet: u8 = 0;
    let mut slots: &mut [u8] = &mut table;
    while let [slot, rest @ ..] = slots {
        if octet.is_ascii_alphanumeric() || octet == b'-' {
            *slot |= KEYWORD;
        }
        if matches!(octet, 33..=60 | 62..=126 | 0x80..) {
            *slot |= VALUE;
        }
        octet = octet.wrapping_add(1);
        slots = rest;
    }
    table
};

fn class(octet: u8) -> u8 {
    CLASSES.get(usize::from(octet)).copied().unwrap_or(0)
}

/// Whether `octet` may continue an `esmtp-keyword`, the same rule as `ehlo-keyword`
/// (RFC 5321 §4.1.1.1, §4.1.2).
pub(crate) fn is_keyword_octet(octet: u8) -> bool {
    class(octet) & KEYWORD != 0
}

/// `NOTIFY="NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`, RFC 3461 §4.1.
fn notify(value: &str) -> Option<Notify> {
    if value.eq_ignore_ascii_case("NEVER") {
        return Some(Notify::default());
    }
    let mut notify = Notify::default();
    for word in ascii::split(value, b',') {
        let slot = if word.eq_ignore_ascii_case("SUCCESS") {
            &mut notify.success
        } else if word.eq_ignore_ascii_case("FAILURE") {
            &mut notify.failure
        } else if word.eq_ignore_ascii_case("DELAY") {
            &mut notify.delay
        } else {
            return None;
        };
        if core::mem::replace(slot, true) {
            return None;
        }
    }
    Some(notify)
}

/// Sets `slot`; `None` when it was already set (a repeated parameter, RFC 1869 §6).
fn replace<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

fn flag(slot: &mut bool) -> Option<()> {
    (!core::mem::replace(slot, true)).then_some(())
}

fn write_unknown(out: &mut String, unknown: &[(Cow<'_, str>, Option<Cow<'_, str>>)]) {
    for (keyword, value) in unknown {
        out.push(' ');
        out.push_str(keyword);
        if let Some(value) = value {
            out.push('=');
            out.push_str(value);
        }
    }
}

fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

type Unknown<'a> = Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>;

fn owned_unknown(unknown: Unknown<'_>) -> Unknown<'static> {
    unknown
        .into_iter()
        .map(|(keyword, value)| (owned(keyword), value.map(owned)))
        .collect()
}
