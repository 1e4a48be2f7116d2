//! The README's example table through the command line: `tegami --json auth` on every example
//! message prints the verdicts the README states, and `tegami --json mime` the facts it names
//! (the encrypted ZIP, the Japanese subject).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../tegami/tests/common/readme.rs"]
mod readme;

use std::process::Command;

use readme::{EXAMPLES_AUTHSERV_ID, EXAMPLES_NOW, Verdicts, example_rows};
use serde_json::Value;

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn tegami_json(args: &[String]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tegami"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "tegami {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

fn word(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

#[test]
fn auth_json_gives_the_readme_verdicts() {
    for row in example_rows() {
        let mut args: Vec<String> = [
            "--zone",
            examples().join("example.com.zone").to_str().unwrap(),
            "--now",
            &EXAMPLES_NOW.to_string(),
            "--json",
            "auth",
            examples().join(&row.file).to_str().unwrap(),
            "--ip",
            &row.ip,
            "--helo",
            &row.helo,
            "--sender",
            &row.sender,
            "--authserv-id",
            EXAMPLES_AUTHSERV_ID,
        ]
        .into_iter()
        .map(String::from)
        .collect();
        args.extend(row.flags.iter().cloned());
        let json = tegami_json(&args);
        let found = Verdicts {
            spf: word(&json["spf"]["result"]),
            dkim: json["dkim"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (word(&s["result"]), word(&s["domain"])))
                .collect(),
            arc: word(&json["arc"]["cv"]),
            dmarc: word(&json["dmarc"]["result"]),
            disposition: word(&json["dmarc"]["disposition"]),
        };
        assert_eq!(found, row.verdicts, "{} {:?}", row.file, row.flags);
        let overrides = json["dmarc"]["overrides"].as_array().unwrap();
        match row.flags.is_empty() {
            true => assert!(overrides.is_empty(), "{}", row.file),
            false => assert_eq!(overrides[0]["type"], "trusted_forwarder", "{}", row.file),
        }
    }
}

#[test]
fn mime_shows_the_encrypted_zip_and_the_japanese_text() {
    let mime = |file: &str| {
        tegami_json(&[
            "--json".into(),
            "mime".into(),
            examples().join(file).to_str().unwrap().into(),
        ])
    };
    let zip = mime("encrypted-zip.eml");
    let parts = zip["parts"].as_array().unwrap();
    let attachment = parts
        .iter()
        .find(|p| p["filename"] == "invoice.zip")
        .expect("the invoice.zip part");
    assert_eq!(attachment["encrypted_zip"], true);
    assert_eq!(attachment["content_type"], "application/zip");
    assert!(parts.iter().filter(|p| p["encrypted_zip"] == true).count() == 1);

    let japanese = mime("japanese.eml");
    assert_eq!(japanese["subject"], "会議の議事録（11月23日）");
    assert_eq!(japanese["from"][0]["name"], "佐藤 花子");
    assert_eq!(japanese["to"][0]["name"], "田中 太郎");
    assert!(
        word(&japanese["text_body"]).contains("本日の会議の議事録をお送りします。"),
        "{}",
        japanese["text_body"]
    );
}
