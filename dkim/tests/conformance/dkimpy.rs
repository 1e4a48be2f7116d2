//! Interoperability with dkimpy, both directions: messages of varied shape signed by dkimpy
//! verify with tegami, signed by tegami verify with dkimpy, and a one-byte change in the body
//! or a signed field fails with both.
//!
//! dkimpy runs from the virtualenv `scripts/interop-venv.sh` makes (created on first use if
//! `.ci/run` has not made it); if it cannot be made, the test fails and says why.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tegami_core::crypto::{CryptoBackend, PrivateKey, RingBackend, SignPolicy, SigningKey};
use tegami_core::dns::ZoneResolver;
use tegami_dkim::canon::CanonicalizationPair;
use tegami_dkim::{Config, DkimResult, Signer, SigningSpec};

use crate::{verify, zone_of_lines};

const ED25519_SEED: [u8; 32] = [0x42; 32];

/// dkimpy stamps `t=` from the system clock, so this test signs and verifies at that time too.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The interpreter with dkimpy, made once per test run.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(path) = std::env::var_os("TEGAMI_INTEROP_PYTHON") {
            return PathBuf::from(path);
        }
        let output = Command::new("bash")
            .arg(root().join("scripts/interop-venv.sh"))
            .output()
            .unwrap_or_else(|error| {
                panic!("dkimpy interop: cannot run scripts/interop-venv.sh: {error}")
            });
        assert!(
            output.status.success(),
            "dkimpy interop: the peer virtualenv could not be made (PyPI unreachable?): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    })
}

fn dkimpy(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(python())
        .arg(root().join("dkim/tests/interop/dkimpy_peer.py"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dkimpy peer starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "dkimpy {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

struct Keys {
    rsa: tegami_core::crypto::RingSigningKey,
    ed25519: tegami_core::crypto::RingSigningKey,
    dir: PathBuf,
    zone_file: PathBuf,
    zone: ZoneResolver,
}

fn keys() -> Keys {
    let rsa_pem_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/interop-rsa.pem");
    let rsa_pem = std::fs::read_to_string(&rsa_pem_path).unwrap();
    let policy = SignPolicy::default();
    let rsa = RingBackend
        .signing_key(&PrivateKey::from_pem(&rsa_pem).unwrap(), &policy)
        .unwrap();
    let ed25519 = RingBackend
        .signing_key(&PrivateKey::ed25519_seed(ED25519_SEED), &policy)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("tegami-dkimpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&rsa_pem_path, dir.join("rsa.pem")).unwrap();
    std::fs::write(dir.join("ed25519.key"), STANDARD.encode(ED25519_SEED)).unwrap();
    let lines = format!(
        "rsa._domainkey.example.org v=DKIM1; k=rsa; p={}\ned._domainkey.example.org v=DKIM1; k=ed25519; p={}\n",
        rsa.public_key().to_dkim_base64(),
        ed25519.public_key().to_dkim_base64()
    );
    let zone_file = dir.join("zone.txt");
    std::fs::write(&zone_file, &lines).unwrap();
    Keys {
        rsa,
        ed25519,
        dir,
        zone_file,
        zone: zone_of_lines(&lines),
    }
}

/// Messages of varied shape, CRLF line ends.
fn messages() -> Vec<(&'static str, Vec<u8>)> {
    let long_body: String = (0..1200)
        .map(|i| format!("line {i} with  double  spaces and\ttabs \t\r\n"))
        .collect();
    vec![
        ("plain", b"From: Joe <joe@example.org>\r\nTo: ann@example.net\r\nSubject: hello\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHi Ann.\r\n".to_vec()),
        ("folded-and-trailing-lines", b"From: Joe <joe@example.org>\r\nTo: ann@example.net,\r\n\tbob@example.net\r\nSubject:   a  folded\r\n    subject  \r\n\r\nbody  with   spaces   \r\n\t\r\n\r\n\r\n".to_vec()),
        ("non-ascii", "From: Jos\u{e9} <jose@example.org>\r\nTo: ann@example.net\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nこんにちは、世界。 Grüße  \r\n".as_bytes().to_vec()),
        ("multipart", b"From: joe@example.org\r\nTo: ann@example.net\r\nSubject: parts\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nplain  text\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b1--\r\n".to_vec()),
        ("64-kib", format!("From: joe@example.org\r\nTo: ann@example.net\r\nSubject: big\r\n\r\n{long_body}").into_bytes()),
        ("empty-body", b"From: joe@example.org\r\nTo: ann@example.net\r\nSubject: nothing\r\n\r\n".to_vec()),
    ]
}

const CANONS: [&str; 4] = [
    "relaxed/relaxed",
    "simple/simple",
    "relaxed/simple",
    "simple/relaxed",
];

fn tegami_sign(
    key: &impl SigningKey,
    selector: &str,
    canon: &str,
    length: bool,
    message: &[u8],
) -> Vec<u8> {
    let mut spec = SigningSpec::new(
        key,
        "example.org".parse().unwrap(),
        selector.try_into().unwrap(),
    );
    spec.canonicalization = CanonicalizationPair::parse(canon).unwrap();
    spec.body_length = length;
    let mut signer = Signer::new(vec![spec], now());
    for chunk in message.chunks(1000) {
        signer.handle_input(chunk);
    }
    let field = signer.finish().unwrap().remove(0);
    [field.as_bytes(), message].concat()
}

fn tegami_result(keys: &Keys, message: &[u8]) -> DkimResult {
    verify(message, &keys.zone, Config::default(), now() + 60, 333)[0].result
}

fn dkimpy_result(keys: &Keys, message: &[u8]) -> String {
    String::from_utf8(dkimpy(
        &["verify", keys.zone_file.to_str().unwrap()],
        message,
    ))
    .unwrap()
    .trim()
    .to_owned()
}

/// A copy with one letter flipped in the body (or, without a body letter, in the Subject).
fn tampered(message: &[u8], in_header: bool) -> Vec<u8> {
    let body_start = message.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let subject = message.windows(9).position(|w| w == b"Subject: ").unwrap() + 9;
    let range = if in_header {
        subject..subject + 3
    } else {
        body_start..message.len()
    };
    let position = range
        .clone()
        .find(|&i| message[i].is_ascii_alphabetic())
        .unwrap_or(subject);
    let mut out = message.to_vec();
    out[position] ^= 0x20;
    out
}

#[test]
fn dkimpy_signs_tegami_verifies_and_tegami_signs_dkimpy_verifies() {
    let keys = keys();
    let mut checked = 0;
    for (name, message) in messages() {
        for (selector, algorithm) in [("rsa", "rsa-sha256"), ("ed", "ed25519-sha256")] {
            for canon in CANONS {
                let key_file = if selector == "rsa" {
                    "rsa.pem"
                } else {
                    "ed25519.key"
                };
                let length = name == "plain" && canon == "relaxed/relaxed";
                let key_path = keys.dir.join(key_file);
                let mut args = vec![
                    "sign",
                    key_path.to_str().unwrap(),
                    "example.org",
                    selector,
                    algorithm,
                    canon,
                ];
                if length {
                    args.push("length");
                }
                let field = dkimpy(&args, &message);
                let by_dkimpy = [&field[..], &message[..]].concat();
                assert_eq!(
                    tegami_result(&keys, &by_dkimpy),
                    DkimResult::Pass,
                    "{name} {algorithm} {canon}: dkimpy-signed"
                );

                let key: &dyn Fn(&[u8]) -> Vec<u8> = if selector == "rsa" {
                    &|m| tegami_sign(&keys.rsa, "rsa", canon, length, m)
                } else {
                    &|m| tegami_sign(&keys.ed25519, "ed", canon, length, m)
                };
                let by_tegami = key(&message);
                assert_eq!(
                    dkimpy_result(&keys, &by_tegami),
                    "pass",
                    "{name} {algorithm} {canon}: tegami-signed"
                );

                if canon == "relaxed/relaxed" || canon == "simple/simple" {
                    for in_header in [false, true] {
                        for signed in [&by_dkimpy, &by_tegami] {
                            let broken = tampered(signed, in_header);
                            let what = if in_header {
                                "a signed field"
                            } else {
                                "the body"
                            };
                            assert_eq!(
                                tegami_result(&keys, &broken),
                                DkimResult::Fail,
                                "{name} {algorithm} {canon}: {what} changed"
                            );
                            assert_eq!(
                                dkimpy_result(&keys, &broken),
                                "fail",
                                "{name} {algorithm} {canon}: {what} changed (dkimpy)"
                            );
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    println!("dkimpy interop: {checked} message/algorithm/canonicalization cases, both directions");
    let _ = std::fs::remove_dir_all(&keys.dir);
}
