//! `rfc7208-tests.yml`: the openspf RFC 7208 suite, 203 cases.

use tegami_core::dns::{MxRecord, QueryKind, Record, TxtRecord, ZoneResolver};
use yaml_rust2::{Yaml, YamlLoader};

use crate::{SuiteResolver, evaluate, report, shared};

#[test]
fn rfc7208_suite() {
    let documents =
        YamlLoader::load_from_str(&shared("rfc7208-tests.yml")).expect("the suite is YAML");
    let mut passed = 0;
    let mut failures = Vec::new();
    for scenario in &documents {
        let description = scenario["description"].as_str().unwrap_or("?");
        let resolver = SuiteResolver(zone(&scenario["zonedata"]));
        let tests = scenario["tests"].as_hash().expect("tests");
        for (name, test) in tests {
            let name = name.as_str().unwrap_or("?");
            let field = |key: &str| test[key].as_str().unwrap_or_default().to_owned();
            let verdict = evaluate(
                &resolver,
                &field("host"),
                &field("helo"),
                &field("mailfrom"),
                None,
            );
            let acceptable: Vec<String> = match &test["result"] {
                Yaml::Array(results) => results
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect(),
                result => vec![result.as_str().unwrap_or_default().to_owned()],
            };
            let result_ok = acceptable
                .iter()
                .any(|expected| expected == verdict.result.as_str());
            let explanation_ok = match test["explanation"].as_str() {
                None | Some("DEFAULT") => true,
                Some(expected) => verdict.explanation.as_deref() == Some(expected),
            };
            if result_ok && explanation_ok {
                passed += 1;
            } else {
                failures.push(format!(
                    "{description} / {name}: expected {acceptable:?} {:?}, got {} {:?} ({})",
                    test["explanation"].as_str(),
                    verdict.result,
                    verdict.explanation,
                    verdict.reason
                ));
            }
        }
    }
    assert_eq!(passed + failures.len(), 203, "the suite has 203 cases");
    report("rfc7208-tests.yml", passed, &failures);
}

/// Builds a scenario's zone as the reference harness serves it (SOURCES.md).
fn zone(zonedata: &Yaml) -> ZoneResolver {
    let mut zone = ZoneResolver::default();
    let Some(names) = zonedata.as_hash() else {
        return zone;
    };
    for (name, entries) in names {
        let name = name.as_str().expect("owner name");
        zone.insert_name(name);
        let entries = entries.as_vec().expect("entry list");
        let has_txt = entries.iter().any(|entry| !entry["TXT"].is_badvalue());
        let mut seen = Vec::new();
        for entry in entries {
            if entry.as_str() == Some("TIMEOUT") {
                for kind in QueryKind::ALL
                    .into_iter()
                    .filter(|kind| !seen.contains(kind))
                {
                    zone.fail_temporarily(name, Some(kind));
                }
                continue;
            }
            let (kind, value) = entry
                .as_hash()
                .and_then(|hash| hash.iter().next())
                .expect("TYPE: value");
            match kind.as_str().expect("type") {
                // Type SPF (99): served as TXT when the name has no TXT entry, but it is not
                // a TXT entry for the TIMEOUT rule.
                "SPF" if !has_txt => insert_txt(&mut zone, name, value),
                "SPF" => {}
                // `TXT: NONE` is no record: a TIMEOUT after it still times TXT out.
                "TXT" => {
                    if value.as_str() != Some("NONE") {
                        seen.push(QueryKind::Txt);
                    }
                    insert_txt(&mut zone, name, value);
                }
                "A" => {
                    seen.push(QueryKind::A);
                    zone.insert(
                        name,
                        Record::A(value.as_str().expect("A").parse().expect("IPv4")),
                    );
                }
                "AAAA" => {
                    seen.push(QueryKind::Aaaa);
                    zone.insert(
                        name,
                        Record::Aaaa(value.as_str().expect("AAAA").parse().expect("IPv6")),
                    );
                }
                "MX" => {
                    seen.push(QueryKind::Mx);
                    let preference = value[0].as_i64().expect("preference");
                    let exchange = value[1].as_str().expect("exchange");
                    zone.insert(
                        name,
                        Record::Mx(MxRecord {
                            preference: u16::try_from(preference).expect("u16"),
                            exchange: exchange.trim_end_matches('.').to_owned(),
                        }),
                    );
                }
                "PTR" => {
                    seen.push(QueryKind::Ptr);
                    zone.insert(
                        name,
                        Record::Ptr(
                            value
                                .as_str()
                                .expect("PTR")
                                .trim_end_matches('.')
                                .to_owned(),
                        ),
                    );
                }
                "CNAME" => zone.insert_cname(name, value.as_str().expect("CNAME")),
                other => panic!("unknown zonedata type {other}"),
            }
        }
    }
    zone
}

/// A TXT value: one string, a list of strings (one record), or `NONE` (no record).
fn insert_txt(zone: &mut ZoneResolver, name: &str, value: &Yaml) {
    let strings: Vec<Vec<u8>> = match value {
        Yaml::String(text) if text == "NONE" => return,
        Yaml::Array(parts) => parts
            .iter()
            .map(|part| yaml_text(part).into_bytes())
            .collect(),
        other => vec![yaml_text(other).into_bytes()],
    };
    zone.insert(name, Record::Txt(TxtRecord::new(strings)));
}

fn yaml_text(value: &Yaml) -> String {
    match value {
        Yaml::String(text) => text.clone(),
        Yaml::Integer(number) => number.to_string(),
        Yaml::Real(text) => text.clone(),
        Yaml::Boolean(flag) => flag.to_string(),
        Yaml::Null => String::new(),
        other => panic!("unexpected TXT value {other:?}"),
    }
}
