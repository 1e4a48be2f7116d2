//! The 171 validation tests: each message's chain status must be the suite's `cv`.

use tegami_arc::{ChainStatus, Config, Validator};
use tegami_core::dns::{self, Record, TxtRecord, ZoneResolver};
use yaml_rust2::{Yaml, YamlLoader};

use crate::{crlf, shared, unique_test_names};

fn text(yaml: &Yaml) -> String {
    match yaml {
        Yaml::String(value) => value.clone(),
        Yaml::Integer(value) => value.to_string(),
        Yaml::Null | Yaml::BadValue => String::new(),
        other => panic!("unexpected YAML value {other:?}"),
    }
}

fn validate(message: &[u8], zone: &ZoneResolver, chunk: usize) -> tegami_arc::ArcResult {
    let mut validator = Validator::new(Config::default());
    for piece in message.chunks(chunk.max(1)) {
        validator.handle_input(piece).unwrap();
    }
    validator.handle_end();
    dns::resolve(&mut validator, zone).unwrap()
}

#[test]
fn valimail_validation_suite() {
    let documents = YamlLoader::load_from_str(&unique_test_names(&shared(
        "arc-draft-validation-tests.yml",
    )))
    .unwrap();
    let mut total = 0;
    let mut failures = Vec::new();
    for document in &documents {
        let mut zone = ZoneResolver::default();
        if let Yaml::Hash(records) = &document["txt-records"] {
            for (name, value) in records {
                let record = text(value).replace('\n', "");
                zone.insert(&text(name), Record::Txt(TxtRecord::from_strings([record])));
            }
        }
        let Yaml::Hash(tests) = &document["tests"] else {
            panic!("a scenario without tests");
        };
        for (name, test) in tests {
            let name = text(name);
            if tests.contains_key(&Yaml::String(format!("{name}#2"))) {
                continue;
            }
            let message = crlf(&text(&test["message"]));
            // An empty `cv` marks a chain RFC 8617 §5.2 fails: see SOURCES.md.
            let expected = match text(&test["cv"]).trim().to_ascii_lowercase().as_str() {
                "pass" => ChainStatus::Pass,
                "none" => ChainStatus::None,
                "fail" | "" => ChainStatus::Fail,
                other => panic!("{name}: unknown cv {other}"),
            };
            total += 1;
            for chunk in [message.len(), 7] {
                let result = validate(&message, &zone, chunk);
                if result.status != expected {
                    failures.push(format!(
                        "{name} (chunk {chunk}): got {}, want {expected} ({:?})",
                        result.status, result.failure
                    ));
                }
            }
        }
    }
    println!(
        "ARC validation: {} of {total} as expected",
        total - failures.len() / 2
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(total, 171, "the suite holds 171 validation tests");
}
