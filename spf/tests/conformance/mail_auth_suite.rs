//! `mail-auth/*.yml`: the mail-auth SPF suite, 163 expectations, in its own line format
//! (SOURCES.md: sections split by `---`, records accumulate across one file's sections).

use tegami_core::dns::{MxRecord, Record, TxtRecord, ZoneResolver};

use crate::{SuiteResolver, evaluate, report, shared};

/// Cases where the suite records its source implementation's behaviour and RFC 7208 says
/// otherwise. For these the RFC result is asserted instead, with the section that decides it;
/// the openspf suite agrees with the RFC in each (see `rfc7208_suite`).
const RFC7208_DIVERGENCES: [(&str, &str, &str, &str, &str, &str); 5] = [
    (
        "all.yml",
        "All test",
        "sender@test.org",
        "10.0.0.1",
        "permerror",
        "`ip:10.0.0.1` is no mechanism: a syntax error anywhere is permerror (§4.6, §12)",
    ),
    (
        "basic.yml",
        "DNS Lookup Limits",
        "sender@ok.test.org",
        "172.168.0.1",
        "permerror",
        "ten `a:` lookups of names that do not exist pass the void-lookup limit of two (§4.6.4)",
    ),
    (
        "exists.yml",
        "Exists",
        "sender@ip6.test.org",
        "167.1.2.3",
        "fail",
        "`exists` looks up A records only, and ip6.test.org has none (§5.7)",
    ),
    (
        "ip.yml",
        "IPv6 match",
        "sender@test.org",
        "10.1.2.3",
        "fail",
        "an IPv4 client matches only ip4 mechanisms, not ip6:::ffff:10.1.2.3 (§5, openspf cidr6-ip4)",
    ),
    (
        "macro.yml",
        "Macro expansion 2",
        "strong-bad@email.example.com",
        "2001:db8::cb01",
        "fail",
        "`exists` looks up A records only, even for an IPv6 client (§5.7)",
    ),
];

const FILES: [&str; 12] = [
    "a.yml",
    "all.yml",
    "basic.yml",
    "examples.yml",
    "exists.yml",
    "exp.yml",
    "include.yml",
    "ip.yml",
    "macro.yml",
    "mx.yml",
    "ptr.yml",
    "redirect.yml",
];

#[test]
fn mail_auth_suite() {
    let mut passed = 0;
    let mut divergent = 0;
    let mut failures = Vec::new();
    for file in FILES {
        // The format is read as its source harness reads it: line by line, keys set the state,
        // and every `expect:` runs one case with the records given so far in the file. A
        // `spf:` or `exp:` line replaces the earlier one for the same name.
        let text = shared(&format!("mail-auth/{file}"));
        let mut records: Vec<(String, String, String)> = Vec::new();
        let (mut name, mut helo, mut sender, mut ip) =
            (String::new(), String::new(), String::new(), String::new());
        for line in text.lines() {
            let line = line.trim().trim_start_matches("- ");
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim().to_owned();
            match key {
                "name" => name = value,
                "domain" => helo = value,
                "sender" => sender = value,
                "ip" => ip = value,
                "spf" | "exp" | "a" | "aaaa" | "mx" | "ptr" => {
                    // The source harness keeps one entry per name and type, and `spf` and
                    // `exp` are both TXT: a later line replaces an earlier one.
                    let owner = value.split(' ').next().unwrap_or_default().to_owned();
                    let slot = if matches!(key, "spf" | "exp") {
                        "txt"
                    } else {
                        key
                    };
                    records.retain(|(kind, earlier, _)| !(kind == slot && *earlier == owner));
                    records.push((slot.to_owned(), owner, format!("{key} {value}")));
                }
                "expect" => {
                    let mut zone = ZoneResolver::default();
                    for (_, _, line) in &records {
                        let (kind, value) = line.split_once(' ').unwrap_or((line, ""));
                        add_record(&mut zone, kind, value);
                    }
                    let resolver = DnsErrorNames(SuiteResolver(zone));
                    let (expected_result, expected_explanation) = match value.split_once(' ') {
                        Some((result, explanation)) => (result, Some(explanation)),
                        None => (value.as_str(), None),
                    };
                    let verdict = helo_then_mail_from(&resolver, &ip, &helo, &sender);
                    if let Some((.., rfc_result, why)) =
                        RFC7208_DIVERGENCES.iter().find(|(f, n, s, i, ..)| {
                            *f == file && *n == name && *s == sender && *i == ip
                        })
                    {
                        if verdict.result.as_str() == *rfc_result {
                            divergent += 1;
                        } else {
                            failures.push(format!(
                                "{file} / {name} / {ip}: RFC 7208 requires {rfc_result} ({why}), got {} ({})",
                                verdict.result, verdict.reason
                            ));
                        }
                        continue;
                    }
                    let ok = verdict.result.as_str() == expected_result
                        && expected_explanation
                            .is_none_or(|text| verdict.explanation.as_deref() == Some(text));
                    if ok {
                        passed += 1;
                    } else {
                        failures.push(format!(
                            "{file} / {name} / {sender} from {ip}: expected {value}, got {} {:?} ({})",
                            verdict.result, verdict.explanation, verdict.reason
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    assert_eq!(
        passed + divergent + failures.len(),
        163,
        "the suite has 163 expectations"
    );
    assert_eq!(
        divergent,
        RFC7208_DIVERGENCES.len(),
        "every listed divergence was met"
    );
    println!(
        "mail-auth SPF suite: {divergent} cases where the suite departs from RFC 7208 hold the RFC result"
    );
    report(
        "mail-auth SPF suite (agreeing with the suite)",
        passed,
        &failures,
    );
}

/// The source harness's calling convention: the HELO identity first; its result stands when
/// the sender is null or HELO fails, otherwise the MAIL FROM identity decides (RFC 7208 §2.3
/// allows a receiver to check HELO first).
fn helo_then_mail_from(
    resolver: &DnsErrorNames,
    ip: &str,
    helo: &str,
    sender: &str,
) -> tegami_spf::Verdict {
    let helo_verdict = evaluate(resolver, ip, helo, "", Some("localdomain.org"));
    if sender.is_empty() || helo_verdict.result == tegami_spf::SpfResult::Fail {
        helo_verdict
    } else {
        evaluate(resolver, ip, helo, sender, Some("localdomain.org"))
    }
}

/// Names with a `_dns_error` label fail temporarily: the suite's "DNS Temp Error" cases name
/// the failure they expect, which its source harness got from a live resolver.
struct DnsErrorNames(SuiteResolver);

impl tegami_core::dns::Resolver for DnsErrorNames {
    fn lookup(&self, query: &tegami_core::dns::Query) -> tegami_core::dns::Answer {
        if query
            .name
            .split('.')
            .any(|label| label.eq_ignore_ascii_case("_dns_error"))
        {
            return Err(tegami_core::dns::DnsError::Temporary);
        }
        self.0.lookup(query)
    }
}

/// One `records:` line: `<type>: <name> <value>`.
fn add_record(zone: &mut ZoneResolver, kind: &str, value: &str) {
    let (name, data) = value.split_once(' ').unwrap_or((value, ""));
    let data = data.trim();
    match kind {
        "spf" | "exp" => zone.insert(name, Record::Txt(TxtRecord::from_strings([data]))),
        "a" => data
            .split(',')
            .for_each(|ip| zone.insert(name, Record::A(ip.trim().parse().expect("IPv4")))),
        "aaaa" => data
            .split(',')
            .for_each(|ip| zone.insert(name, Record::Aaaa(ip.trim().parse().expect("IPv6")))),
        "mx" => {
            for (index, ip) in data.split(',').map(str::trim).enumerate() {
                let host = format!("mx.{ip}.{index}");
                zone.insert(
                    name,
                    Record::Mx(MxRecord {
                        preference: u16::try_from(index + 1).expect("u16"),
                        exchange: host.clone(),
                    }),
                );
                let address: std::net::IpAddr = ip.parse().expect("MX host IP");
                zone.insert(
                    &host,
                    match address {
                        std::net::IpAddr::V4(v4) => Record::A(v4),
                        std::net::IpAddr::V6(v6) => Record::Aaaa(v6),
                    },
                );
            }
        }
        "ptr" => {
            let address: std::net::IpAddr = name.parse().expect("PTR IP");
            let reverse = match address {
                std::net::IpAddr::V4(v4) => {
                    let [a, b, c, d] = v4.octets();
                    format!("{d}.{c}.{b}.{a}.in-addr.arpa")
                }
                std::net::IpAddr::V6(v6) => {
                    let nibbles: Vec<String> = v6
                        .octets()
                        .iter()
                        .rev()
                        .flat_map(|b| [b & 0xf, b >> 4])
                        .map(|n| format!("{n:x}"))
                        .collect();
                    format!("{}.ip6.arpa", nibbles.join("."))
                }
            };
            data.split(',')
                .for_each(|host| zone.insert(&reverse, Record::Ptr(host.trim().to_owned())));
        }
        _ => unreachable!("kinds are filtered by the caller"),
    }
}
