//! The 17 signing tests: the AAR, AMS and seal our sealer makes with the suite's key and
//! timestamp equal the suite's exactly once folding whitespace is removed (stricter than the
//! suite's harness, which compares them as sets of `;`-separated items).
//!
//! The suite's key has 1024 bits, which ring and aws-lc refuse to sign with, so the test plugs
//! in a `SigningKey` backed by the RustCrypto `rsa` crate: the sealer takes any key.

use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use sha2::Digest as _;
use tegami_arc::{SealSpec, Sealer};
use tegami_core::crypto::{
    KeyType, PublicKey, RingBackend, SignError, SigningAlgorithm, SigningKey,
};
use yaml_rust2::{Yaml, YamlLoader};

use crate::{crlf, shared, unique_test_names};

struct SuiteKey {
    private: rsa::RsaPrivateKey,
    public: PublicKey,
}

impl SuiteKey {
    fn from_pem(pem: &str) -> SuiteKey {
        let private = rsa::RsaPrivateKey::from_pkcs1_pem(pem).expect("suite key");
        let der = private.to_public_key().to_pkcs1_der().expect("public key");
        let public = PublicKey::from_dkim(KeyType::Rsa, der.as_bytes()).expect("public key");
        SuiteKey { private, public }
    }
}

impl SigningKey for SuiteKey {
    fn algorithm(&self) -> SigningAlgorithm {
        SigningAlgorithm::RsaSha256
    }

    fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign_primitive(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let digest = sha2::Sha256::digest(message);
        self.private
            .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
            .map_err(|error| SignError::Backend(error.to_string()))
    }
}

fn text(yaml: &Yaml) -> String {
    match yaml {
        Yaml::String(value) => value.clone(),
        Yaml::Integer(value) => value.to_string(),
        Yaml::Null | Yaml::BadValue => String::new(),
        other => panic!("unexpected YAML value {other:?}"),
    }
}

/// A field value without its whitespace (the suite's YAML folds values for reading).
fn compact(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect()
}

fn value_of(field: &str) -> &str {
    field.split_once(':').map_or("", |(_, value)| value)
}

#[test]
fn valimail_signing_suite() {
    let documents =
        YamlLoader::load_from_str(&unique_test_names(&shared("arc-draft-sign-tests.yml"))).unwrap();
    let mut total = 0;
    let mut failures = Vec::new();
    for document in &documents {
        let key = SuiteKey::from_pem(&text(&document["privatekey"]));
        let domain = text(&document["domain"]);
        let selector = text(&document["sel"]);
        let Yaml::Hash(tests) = &document["tests"] else {
            panic!("a scenario without tests");
        };
        for (name, test) in tests {
            let name = text(name);
            total += 1;
            let message = crlf(&text(&test["message"]));
            let mut spec = SealSpec::new(
                &key,
                domain.parse().unwrap(),
                selector.as_str().try_into().unwrap(),
                &text(&test["srv-id"]),
            );
            spec.signed_headers = Some(
                text(&test["sig-headers"])
                    .split(':')
                    .map(String::from)
                    .collect(),
            );
            let now: u64 = text(&test["t"]).parse().unwrap();
            let mut sealer = Sealer::with_backend(RingBackend, spec, now);
            sealer.handle_input(&message);
            let produced = sealer.finish();
            let expected = [
                ("AS", text(&test["AS"])),
                ("AMS", text(&test["AMS"])),
                ("AAR", text(&test["AAR"])),
            ];
            match produced {
                Ok(Some(set)) => {
                    let ours = [
                        value_of(&set.seal).to_owned(),
                        value_of(&set.message_signature).to_owned(),
                        value_of(&set.results).to_owned(),
                    ];
                    for ((field, want), got) in expected.iter().zip(&ours) {
                        if compact(want) != compact(got) {
                            failures.push(format!("{name} {field}:\n  want {want}\n  got  {got}"));
                        }
                    }
                }
                Ok(None) => {
                    if expected.iter().any(|(_, want)| !want.trim().is_empty()) {
                        failures.push(format!("{name}: no set made, one expected"));
                    }
                }
                Err(error) => failures.push(format!("{name}: {error}")),
            }
        }
    }
    println!(
        "ARC signing: {} of {total} as expected",
        total - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(total, 17, "the suite holds 17 signing tests");
}
