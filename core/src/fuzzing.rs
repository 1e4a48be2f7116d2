//! Entry points for the cargo-fuzz targets in `fuzz/`: each checks a round trip or an invariant,
//! not just the absence of panics. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use alloc::string::ToString;

use crate::auth_results::AuthenticationResults;
use crate::dns::{QueryKind, Resolver, ZoneResolver};
use crate::domain::Domain;
use crate::mailbox::{Mailbox, ReversePath, ReversePathRef};
use crate::tag_list::TagList;

/// bytes → parse → emit → parse gives the same list.
pub fn tag_list(data: &[u8]) {
    if let Ok(list) = TagList::parse(data) {
        let emitted = list.to_string();
        let again = TagList::parse(emitted.as_bytes()).expect("an emitted tag-list parses");
        assert_eq!(again, list);
    }
}

/// A parsed domain is within limits, lower-case LDH, and parses to itself.
pub fn domain(data: &[u8]) {
    if let Ok(domain) = Domain::parse(data) {
        let text = domain.as_str();
        assert!(text.len() <= Domain::MAX_LEN);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        );
        assert_eq!(Domain::parse(text.as_bytes()).as_ref(), Ok(&domain));
    }
}

/// A parsed path prints as a path that parses to the same mailbox; the borrowed and the owned
/// parses agree.
pub fn mailbox(data: &[u8]) {
    // The borrowed parse accepts and refuses exactly what the owned one does.
    let borrowed = ReversePathRef::parse(data).map(|(path, rest)| (path.into_owned(), rest));
    assert_eq!(borrowed, ReversePath::parse(data));
    if let Ok((path, _rest)) = ReversePath::parse(data) {
        let printed = path.to_string();
        let (again, rest) = ReversePath::parse(printed.as_bytes()).expect("a printed path parses");
        assert!(rest.is_empty());
        match (&path, &again) {
            (ReversePath::Null, ReversePath::Null) => {}
            (ReversePath::Mailbox(a), ReversePath::Mailbox(b)) => {
                assert_eq!(a.local_part(), b.local_part());
                assert_eq!(a.domain(), b.domain());
            }
            _ => panic!("null and non-null paths swapped: {printed}"),
        }
    }
    if let Ok(mailbox) = Mailbox::parse(data) {
        assert!(!mailbox.local_part().is_empty());
    }
}

/// bytes → parse → emit → parse gives the same field.
pub fn auth_results(data: &[u8]) {
    if let Ok(header) = AuthenticationResults::parse(data) {
        let field = header.to_field();
        let value = field
            .strip_prefix("Authentication-Results:")
            .expect("the field starts with its name");
        let again =
            AuthenticationResults::parse(value.as_bytes()).expect("an emitted field parses");
        assert_eq!(again, header);
    }
}

/// Any zone text loads or fails with an error; lookups of any name never panic.
pub fn zone(data: &[u8]) {
    let Some((names, zone)) = core::str::from_utf8(data)
        .ok()
        .and_then(|text| text.split_once("\n--\n"))
    else {
        return;
    };
    if let Ok(resolver) = ZoneResolver::from_master_file(zone) {
        for name in names.split(' ').take(8) {
            for kind in QueryKind::ALL {
                let _ = resolver.lookup_name(name, kind);
            }
        }
    }
}
