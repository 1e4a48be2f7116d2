//! Entry points for the cargo-fuzz targets in `fuzz/`. Compiled only under `cfg(fuzzing)`.

#![allow(clippy::expect_used, clippy::panic, missing_docs)]

use core::net::{IpAddr, Ipv6Addr};

use tegami_core::dns::{self, Answer, Query, Resolver, ZoneResolver};

use crate::macro_string::{MacroContext, MacroString};
use crate::record::Record;
use crate::{Evaluation, SpfResult};

/// bytes → record → text → record gives the same record.
pub fn record(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = Record::parse(text) {
        let displayed = record.to_string();
        assert_eq!(
            Record::parse(&displayed).as_ref(),
            Ok(&record),
            "{displayed}"
        );
    }
}

/// Any macro string expands, as a domain, within 253 octets, and displays back to itself.
pub fn macro_expansion(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let (spec, local) = text.split_once('\n').unwrap_or((text, "strong-bad"));
    for parsed in [
        MacroString::parse(spec),
        MacroString::parse_explanation(spec),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(parsed.to_string(), spec);
        let context = MacroContext {
            sender_local: local,
            sender_domain: "email.example.com",
            domain: "email.example.com",
            ip: IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xcb01)),
            validated_name: "mx.example.org",
            helo: local,
            receiver: "receiver.example",
            now: Some(0),
        };
        assert!(parsed.expand_domain(&context).len() <= 253);
    }
}

/// Counts the lookups an evaluation makes.
struct Counting<'z> {
    zone: &'z ZoneResolver,
    lookups: core::cell::Cell<usize>,
}

impl Resolver for Counting<'_> {
    fn lookup(&self, query: &Query) -> Answer {
        self.lookups.set(self.lookups.get() + 1);
        self.zone.lookup(query)
    }
}

/// A whole evaluation against a fuzzed zone: first line `ip helo sender`, the rest a master
/// file. It ends, within the RFC's bounds on lookups, with a verdict.
pub fn evaluation(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Some((first, zone_text)) = text.split_once('\n') else {
        return;
    };
    let mut parts = first.split(' ');
    let (Some(ip), Some(helo), sender) =
        (parts.next(), parts.next(), parts.next().unwrap_or_default())
    else {
        return;
    };
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return;
    };
    let Ok(zone) = ZoneResolver::from_master_file(zone_text) else {
        return;
    };
    let resolver = Counting {
        zone: &zone,
        lookups: core::cell::Cell::new(0),
    };
    let mut evaluation = Evaluation::new(ip, helo, sender);
    let verdict = dns::resolve(&mut evaluation, &resolver).expect("the machine keeps its contract");
    // 1 record + 10 terms, each at most 1 + 10 address lookups, plus %{p}, exp and the PTR
    // names of `ptr` (10 + 1 each): far below this bound, which only catches runaway loops.
    assert!(
        resolver.lookups.get() <= 400,
        "{} lookups",
        resolver.lookups.get()
    );
    if verdict.result == SpfResult::Fail {
        assert!(verdict.explanation.is_some());
    }
}
