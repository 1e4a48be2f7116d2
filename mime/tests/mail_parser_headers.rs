//! The header cases of the mail-parser corpus (`../shared/conformance/mime/mail-parser/headers/`),
//! read in place: address lists, Content-Type, dates, message ids, keyword lists and unstructured
//! text. Each case's `expected` is mail-parser's model; the mapping to ours:
//!
//! - address: [`AddressList::parse`]; a mailbox is `{name, address}` with our display name and
//!   `local@domain` (a source route kept in front, as that library writes it); mailboxes outside
//!   any group, when the list has groups, form a group without a name;
//! - content_type: [`ContentType::parse`]: `c_type`, `c_subtype` (`null` for a disposition
//!   without one), `attributes` as name/value pairs (`null` when none);
//! - date: [`DateTime::parse`]; the zone as `tz_before_gmt` (west of UTC), hours and minutes;
//! - id: [`Message::references`] (the `<id>` items, or the bare value);
//! - list: [`Message::keywords`];
//! - unstructured: [`Message::subject`].
//!
//! A case whose expected value we judge wrong is listed in `JUDGED` with the reason and the
//! RFC section; the test fails if a listed case starts to agree (the entry must go) and if any
//! other case disagrees. Received (181 cases) has no typed reader yet and is not run: the
//! test says so in its output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use std::path::PathBuf;

use serde_json::{Value, json};
use tegami_mime::Message;
use tegami_mime::address::{Address, AddressList, Mailbox};
use tegami_mime::date::DateTime;
use tegami_mime::parameters::ContentType;

/// Cases judged wrong: (file, index, reason with the RFC section).
const JUDGED: &[(&str, usize, &str)] = &[
    (
        "address",
        8,
        "comments are not part of a display name or an address (RFC 5322 §3.2.2: a comment is semantically invisible); that library folds them into the name",
    ),
    (
        "address",
        10,
        "comments are not part of a display name or an address (RFC 5322 §3.2.2: a comment is semantically invisible); that library folds them into the name",
    ),
    (
        "address",
        11,
        "comments are not part of a display name or an address (RFC 5322 §3.2.2: a comment is semantically invisible); that library folds them into the name; a group holding only a comment has no members (RFC 5322 §3.4)",
    ),
    (
        "address",
        14,
        "comments are not part of a display name or an address (RFC 5322 §3.2.2: a comment is semantically invisible); that library folds them into the name; CFWS around the dots of an obs-domain is not part of the domain (RFC 5322 §4.4)",
    ),
    (
        "address",
        22,
        "comments are not part of a display name or an address (RFC 5322 §3.2.2: a comment is semantically invisible); that library folds them into the name",
    ),
    (
        "address",
        56,
        "comments are not part of a display name or an address (RFC 5322 §3.2.2: a comment is semantically invisible); that library folds them into the name",
    ),
    (
        "address",
        9,
        "the comment closes at the first unescaped `)` (the backslash quotes the line break, RFC 5322 §4.1 obs-qp), which leaves an unbalanced `)` after `chap`: no address can be read (RFC 5322 §3.2.2)",
    ),
    (
        "address",
        13,
        "the obsolete route is not part of the address (RFC 5322 §4.4, obs-route is ignored) and CFWS around the dots of an obs-domain is not part of the domain",
    ),
    (
        "address",
        37,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        38,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        39,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        40,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        41,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        42,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        43,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        44,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        45,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        46,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        47,
        "an RFC 2369 List-* value is a list of angle-bracketed URLs, not an RFC 5322 address list (RFC 2369 §2); AddressList does not read URLs",
    ),
    (
        "address",
        51,
        "`phil@example.com` is not a phrase (`@` is a special, RFC 5322 §3.2.5), so there is no display name; mime flags the field for DMARC",
    ),
    (
        "address",
        55,
        "a display name comes before the angle-addr (RFC 5322 §3.4 name-addr); text after it is trailing junk, flagged, not a name",
    ),
    (
        "content_type",
        31,
        "charset and language may appear only at the start of the first segment (RFC 2231 §4.1); `iso-8859-1'` in later segments is literal text",
    ),
    (
        "content_type",
        32,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        33,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        34,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        35,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        36,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        37,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        101,
        "encoded words are not allowed in MIME parameter values (RFC 2047 §5; RFC 2231 is the way); we keep the value as written and decode such names only in Part::filename, as mail clients do",
    ),
    (
        "content_type",
        39,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        54,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        67,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        68,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        69,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        76,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        77,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        78,
        "a Content-Type needs `type \"/\" subtype` with token characters only, so this is not a valid value and reads as the RFC 2045 §5.2 default (RFC 2045 §5.1)",
    ),
    (
        "content_type",
        55,
        "the quoted string never closes (RFC 5322 §3.2.4); we read no value from it",
    ),
    (
        "content_type",
        56,
        "the quoted string never closes (RFC 5322 §3.2.4); we read no value from it",
    ),
    (
        "content_type",
        61,
        "none of these names is an RFC 2231 §7 `attribute` with a section number: `*` is not an attribute character; we keep the names as written",
    ),
    (
        "date",
        10,
        "RFC 5322 §3.3: the month is a name, not a number; this is not a date-time",
    ),
    (
        "date",
        12,
        "RFC 5322 §3.3: not a date-time (no month name, no time of day)",
    ),
    (
        "date",
        14,
        "comments nest (RFC 5322 §3.2.2): `((invalid)\ncomment)` is one comment, and the value is a valid date",
    ),
    (
        "date",
        28,
        "a Received value is not a date-time (RFC 5322 §3.3); the date after its `;` belongs to a Received reader",
    ),
    (
        "date",
        30,
        "`EST5EDT` is not one of the zones RFC 5322 §4.3 names; an unknown zone SHOULD be read as -0000",
    ),
    (
        "id",
        6,
        "CFWS between the atoms of an obsolete msg-id is not part of the id (RFC 5322 §3.6.4, §4.5.4)",
    ),
    (
        "list",
        2,
        "unfolding removes only the CRLF, the white space after it stays (RFC 5322 §2.2.3); that library also collapses runs of white space",
    ),
    (
        "list",
        3,
        "an encoded word cannot contain white space (RFC 2047 §2), so this is text",
    ),
    (
        "unstructured",
        2,
        "unfolding removes only the CRLF, the white space after it stays (RFC 5322 §2.2.3); that library also collapses runs of white space",
    ),
    (
        "unstructured",
        3,
        "unfolding removes only the CRLF, the white space after it stays (RFC 5322 §2.2.3); that library also collapses runs of white space",
    ),
    (
        "unstructured",
        4,
        "unfolding removes only the CRLF, the white space after it stays (RFC 5322 §2.2.3); that library also collapses runs of white space",
    ),
    (
        "unstructured",
        19,
        "unfolding removes only the CRLF, the white space after it stays (RFC 5322 §2.2.3); that library also collapses runs of white space",
    ),
    (
        "unstructured",
        5,
        "an encoded word cannot contain white space (RFC 2047 §2), so this is text",
    ),
    (
        "unstructured",
        21,
        "an encoded word must be separated from adjacent text by white space (RFC 2047 §5 (1)), so this is text",
    ),
    (
        "unstructured",
        27,
        "an encoded word must be separated from adjacent text by white space and cannot contain it (RFC 2047 §2, §5 (1))",
    ),
    (
        "unstructured",
        28,
        "an encoded word must be separated from adjacent text by white space and cannot contain it (RFC 2047 §2, §5 (1))",
    ),
    (
        "unstructured",
        22,
        "`=?utf-8?Q??=` has no encoded text (RFC 2047 §2 asks for at least one character) and touches `here`: it is text",
    ),
    (
        "unstructured",
        24,
        "an encoded word cannot contain white space, so one broken by folding is text (RFC 2047 §2)",
    ),
    (
        "unstructured",
        25,
        "an encoded word cannot contain white space, so one broken by folding is text (RFC 2047 §2)",
    ),
    (
        "unstructured",
        26,
        "an encoded word cannot contain white space, so one broken by folding is text (RFC 2047 §2)",
    ),
];

fn cases(name: &str) -> Vec<(String, Value)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/mime/mail-parser/headers")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "the mail-parser header cases are read from ../shared: {} ({error})",
            path.display()
        )
    });
    let items: Vec<Value> = serde_json::from_str(&text).unwrap();
    items
        .into_iter()
        .map(|item| {
            (
                item["header"].as_str().unwrap().to_owned(),
                item["expected"].clone(),
            )
        })
        .collect()
}

fn mailbox(mailbox: &Mailbox) -> Value {
    json!({"name": mailbox.display_name(), "address": mailbox.address()})
}

fn address(header: &str) -> Value {
    let list = AddressList::parse(header.as_bytes(), 0);
    let addresses = list.addresses();
    if !addresses.iter().any(|a| matches!(a, Address::Group(_))) {
        let list: Vec<Value> = addresses
            .iter()
            .filter_map(|a| match a {
                Address::Mailbox(m) => Some(mailbox(m)),
                Address::Group(_) => None,
            })
            .collect();
        return json!({ "List": list });
    }
    let mut groups = Vec::new();
    let mut loose: Vec<Value> = Vec::new();
    for item in addresses {
        match item {
            Address::Mailbox(m) => loose.push(mailbox(m)),
            Address::Group(group) => {
                if !loose.is_empty() {
                    groups.push(json!({"name": null, "addresses": std::mem::take(&mut loose)}));
                }
                let members: Vec<Value> = group.mailboxes().iter().map(mailbox).collect();
                groups.push(json!({"name": group.name(), "addresses": members}));
            }
        }
    }
    if !loose.is_empty() {
        groups.push(json!({"name": null, "addresses": loose}));
    }
    json!({ "Group": groups })
}

fn content_type(header: &str) -> Value {
    let mut parsed = ContentType::parse(header.as_bytes());
    if !parsed.is_valid() {
        if header.contains('/') {
            return Value::Null;
        }
        // A value without `/` is a disposition (`inline`, `attachment; filename=...`).
        parsed = ContentType::parse_disposition(header.as_bytes());
        if parsed.kind().is_empty() {
            return Value::Null;
        }
    }
    let mut attributes: Vec<Value> = parsed
        .parameters()
        .iter()
        .map(|(name, value)| json!([name, value]))
        .collect();
    attributes.sort_by_key(Value::to_string);
    json!({
        "c_type": parsed.kind(),
        "c_subtype": (!parsed.subtype().is_empty()).then(|| parsed.subtype()),
        "attributes": (!attributes.is_empty()).then_some(attributes),
    })
}

/// mail-parser's Content-Type model as far as we model it: parameters in any order (their
/// order carries no meaning, RFC 2045 §5.1), without the `NAME-language` entries it derives
/// from RFC 2231 language tags (which we do not keep), `attributes` present.
fn content_type_expected(expected: &Value) -> Value {
    let mut expected = expected.clone();
    if let Some(object) = expected.as_object_mut() {
        let mut attributes: Vec<Value> = object
            .get("attributes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|pair| !pair[0].as_str().unwrap_or_default().ends_with("-language"))
            .collect();
        attributes.sort_by_key(Value::to_string);
        object.insert(
            "attributes".into(),
            if attributes.is_empty() {
                Value::Null
            } else {
                Value::Array(attributes)
            },
        );
    }
    expected
}

fn date(header: &str) -> Value {
    match DateTime::parse(header.as_bytes()) {
        None => Value::Null,
        Some(date) => {
            let offset = i32::from(date.offset_minutes);
            json!({
                "year": date.year, "month": date.month, "day": date.day,
                "hour": date.hour, "minute": date.minute, "second": date.second,
                "tz_before_gmt": offset < 0,
                "tz_hour": offset.abs() / 60, "tz_minute": offset.abs() % 60,
            })
        }
    }
}

fn field_of(name: &str, header: &str) -> Vec<u8> {
    format!("{name}:{header}\r\n\r\n").into_bytes()
}

fn id(header: &str) -> Value {
    let message = field_of("References", header);
    let ids = Message::parse(&message).references();
    if ids.is_empty() {
        Value::Null
    } else {
        json!(ids)
    }
}

fn list(header: &str) -> Value {
    let message = field_of("Keywords", header);
    json!(Message::parse(&message).keywords())
}

fn unstructured(header: &str) -> Value {
    let message = field_of("Subject", header);
    json!(Message::parse(&message).subject())
}

fn run(name: &str, read: fn(&str) -> Value) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let all = cases(name);
    for (index, (header, expected)) in all.iter().enumerate() {
        let ours = read(header);
        let expected = &if name == "content_type" {
            content_type_expected(expected)
        } else {
            expected.clone()
        };
        let judged = JUDGED.iter().find(|(f, i, _)| *f == name && *i == index);
        match (ours == *expected, judged) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((_, _, reason))) => failures.push(format!(
                "{name}[{index}] now agrees; remove it from JUDGED ({reason})"
            )),
            (false, None) => failures.push(format!(
                "{name}[{index}] {header:?}\n  expected {expected}\n  ours     {ours}"
            )),
        }
    }
    (all.len(), failures)
}

#[test]
fn header_cases() {
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, read) in [
        ("address", address as fn(&str) -> Value),
        ("content_type", content_type),
        ("date", date),
        ("id", id),
        ("list", list),
        ("unstructured", unstructured),
    ] {
        let (count, failed) = run(name, read);
        let judged = JUDGED.iter().filter(|(f, _, _)| *f == name).count();
        println!(
            "{name}: {count} cases, {} agree, {judged} judged wrong, {} unexplained",
            count - judged - failed.len(),
            failed.len()
        );
        total += count;
        failures.extend(failed);
    }
    println!(
        "{total} cases run, {} judged; received: {} cases not run (no typed Received reader yet)",
        JUDGED.len(),
        cases("received").len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
