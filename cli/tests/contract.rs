//! The command-line contract of DESIGN.md, driven as an outside checker drives it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::{Command, Output};

fn tegami(args: &[&str]) -> Output {
    let zone = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/example.com.zone");
    let mut command = Command::new(env!("CARGO_BIN_EXE_tegami"));
    if !args.contains(&"--zone") {
        command.arg("--zone").arg(zone);
    }
    command.args(args).output().expect("the binary runs")
}

fn json(output: &Output) -> serde_json::Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

#[test]
fn dns_answers_from_the_zone() {
    let txt = json(&tegami(&["dns", "example.com", "TXT", "--json"]));
    assert_eq!(
        txt["answers"][0],
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"
    );
    let mx = json(&tegami(&["--json", "dns", "EXAMPLE.com.", "mx"]));
    assert_eq!(mx["answers"][0], "10 mail.example.com");
    let aaaa = json(&tegami(&["dns", "mail.example.com", "AAAA", "--json"]));
    assert_eq!(aaaa["answers"][0], "2001:db8::25");
}

#[test]
fn dns_errors_are_answers_not_failures() {
    let missing = json(&tegami(&["dns", "nope.example.com", "A", "--json"]));
    assert_eq!(missing, serde_json::json!({ "error": "nxdomain" }));
    let nodata = json(&tegami(&["dns", "mail.example.com", "TXT", "--json"]));
    assert_eq!(nodata["error"], "nodata");
    let failing = json(&tegami(&[
        "--servfail",
        "example.com/TXT",
        "dns",
        "example.com",
        "TXT",
        "--json",
    ]));
    assert_eq!(failing["error"], "servfail");
    let other_type = json(&tegami(&[
        "--servfail",
        "example.com/TXT",
        "dns",
        "example.com",
        "MX",
        "--json",
    ]));
    assert_eq!(other_type["answers"][0], "10 mail.example.com");
}

#[test]
fn plain_output_is_one_answer_per_line() {
    let output = tegami(&["dns", "mail.example.com", "A"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "192.0.2.25\n");
}

#[test]
fn bad_usage_exits_2_with_one_line_on_stderr() {
    for args in [
        &["dns", "example.com", "SRV"][..],
        &["--servfail", "x/BOGUS", "dns", "example.com", "A"][..],
        &["--zone", "/nonexistent/zone", "dns", "example.com", "A"][..],
        &["dns"][..],
    ] {
        let output = tegami(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("tegami: "), "{args:?}: {stderr}");
    }
}

#[test]
fn spf_verdicts_with_the_contract_keys() {
    let pass = json(&tegami(&[
        "spf",
        "--ip",
        "192.0.2.9",
        "--helo",
        "mail.example.com",
        "--sender",
        "joe@example.com",
        "--json",
    ]));
    assert_eq!(pass["result"], "pass");
    assert!(pass["explanation"].is_null());
    assert!(
        pass["received_spf"]
            .as_str()
            .expect("a field")
            .starts_with("Received-SPF: pass")
    );
    let fail = json(&tegami(&[
        "spf",
        "--ip",
        "198.51.100.1",
        "--helo",
        "evil.example",
        "--sender",
        "joe@example.com",
        "--json",
    ]));
    assert_eq!(fail["result"], "fail");
    assert!(fail["explanation"].is_string());
    // The null sender checks the HELO identity.
    let helo = json(&tegami(&[
        "spf",
        "--ip",
        "198.51.100.1",
        "--helo",
        "mail.example.com",
        "--sender",
        "",
        "--json",
    ]));
    assert_eq!(helo["identity"], "helo");
    assert_eq!(helo["result"], "none");
    let temp = json(&tegami(&[
        "--servfail",
        "example.com",
        "spf",
        "--ip",
        "192.0.2.9",
        "--helo",
        "x.example",
        "--sender",
        "joe@example.com",
        "--json",
    ]));
    assert_eq!(temp["result"], "temperror");
}

#[test]
fn spf_check_reports_lookups_and_findings() {
    let report = json(&tegami(&["spf", "check", "example.com", "--json"]));
    assert_eq!(report["lookups"], 0);
    assert_eq!(report["void_lookups"], 0);
    assert!(report["warnings"].as_array().expect("array").is_empty());
    assert!(report["errors"].as_array().expect("array").is_empty());
    let missing = json(&tegami(&["--json", "spf", "check", "mail.example.com"]));
    assert!(
        missing["errors"][0]
            .as_str()
            .expect("an error")
            .contains("no SPF record")
    );
}

fn example(file: &str) -> String {
    format!("{}/../examples/{file}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn dkim_verify_reports_each_signature_with_the_contract_keys() {
    let signed = example("signed.eml");
    let out = json(&tegami(&[
        "--now",
        "1795424500",
        "--json",
        "dkim",
        "verify",
        &signed,
    ]));
    let signatures = out["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 2);
    for signature in signatures {
        for key in ["domain", "selector", "algorithm", "result", "reason"] {
            assert!(signature.get(key).is_some(), "{key} missing in {signature}");
        }
        assert_eq!(signature["result"], "pass");
        assert_eq!(signature["domain"], "example.com");
    }
    let tampered = std::env::temp_dir().join("tegami-contract-tampered.eml");
    let text = std::fs::read_to_string(&signed).unwrap();
    std::fs::write(
        &tampered,
        text.replace("quarterly report is", "quarterly report isn't"),
    )
    .unwrap();
    let out = json(&tegami(&[
        "--now",
        "1795424500",
        "--json",
        "dkim",
        "verify",
        tampered.to_str().unwrap(),
    ]));
    assert_eq!(out["signatures"][0]["result"], "fail");
    assert_eq!(out["signatures"][0]["reason"], "body hash did not verify");
}

#[test]
fn dkim_sign_then_verify_and_keygen_prints_the_record() {
    let dir = std::env::temp_dir().join(format!("tegami-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("k.pem");
    let _ = std::fs::remove_file(&pem);
    let out = json(&tegami(&[
        "--json",
        "dkim",
        "keygen",
        "--algorithm",
        "ed25519-sha256",
        "--domain",
        "example.org",
        "--selector",
        "k1",
        "--out",
        pem.to_str().unwrap(),
    ]));
    assert_eq!(out["dns_name"], "k1._domainkey.example.org");
    let txt = out["txt"].as_str().unwrap();
    assert!(txt.starts_with("v=DKIM1; k=ed25519; p="), "{txt}");
    let zone = dir.join("zone");
    std::fs::write(
        &zone,
        format!("k1._domainkey.example.org. 300 IN TXT \"{txt}\"\n"),
    )
    .unwrap();
    let signed = tegami(&[
        "--now",
        "1700000000",
        "dkim",
        "sign",
        "--key",
        pem.to_str().unwrap(),
        "--domain",
        "example.org",
        "--selector",
        "k1",
        "--headers",
        "from:to:subject",
        "--canonicalization",
        "simple/relaxed",
        &example("message.eml"),
    ]);
    assert_eq!(
        signed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let text = String::from_utf8(signed.stdout).unwrap();
    assert!(
        text.starts_with("DKIM-Signature: v=1; a=ed25519-sha256; c=simple/relaxed;"),
        "{text}"
    );
    assert!(text.lines().all(|line| line.len() <= 79));
    let file = dir.join("signed.eml");
    std::fs::write(&file, &text).unwrap();
    let out = json(&tegami(&[
        "--zone",
        zone.to_str().unwrap(),
        "--now",
        "1700000001",
        "--json",
        "dkim",
        "verify",
        file.to_str().unwrap(),
    ]));
    assert_eq!(out["signatures"][0]["result"], "pass", "{out}");
    // An existing key file is never overwritten.
    let again = tegami(&[
        "dkim",
        "keygen",
        "--algorithm",
        "rsa-sha256",
        "--domain",
        "example.org",
        "--selector",
        "k1",
        "--out",
        pem.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&again.stderr).lines().count(), 1);
}

#[test]
fn arc_seal_then_verify_with_the_contract_keys() {
    let sealed = tegami(&[
        "--now",
        "1795424500",
        "arc",
        "seal",
        "--key",
        &example("keys/ed2026.pem"),
        "--domain",
        "example.com",
        "--selector",
        "ed2026",
        "--authserv-id",
        "mx.example.net",
        "--ip",
        "192.0.2.25",
        "--helo",
        "mail.example.com",
        "--sender",
        "alice@example.com",
        &example("signed.eml"),
    ]);
    assert_eq!(
        sealed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let text = String::from_utf8(sealed.stdout).unwrap();
    assert!(text.starts_with("ARC-Seal: "), "{text}");
    assert!(text.contains("\r\nARC-Authentication-Results: i=1; mx.example.net;\r\n spf=pass"));
    let file =
        std::env::temp_dir().join(format!("tegami-contract-sealed-{}.eml", std::process::id()));
    std::fs::write(&file, &text).unwrap();
    let out = json(&tegami(&[
        "--json",
        "arc",
        "verify",
        file.to_str().unwrap(),
    ]));
    for key in ["cv", "instances", "oldest_pass", "reason"] {
        assert!(out.get(key).is_some(), "{key} missing in {out}");
    }
    assert_eq!(out["cv"], "pass");
    assert_eq!(out["instances"], 1);
    assert_eq!(out["oldest_pass"], 1);
    let unsealed = json(&tegami(&[
        "--json",
        "arc",
        "verify",
        &example("signed.eml"),
    ]));
    assert_eq!(unsealed["cv"], "none");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn auth_prints_authentication_results_and_the_contract_keys() {
    let args = [
        "--now",
        "1795424500",
        "auth",
        &example("signed.eml"),
        "--ip",
        "192.0.2.25",
        "--helo",
        "mail.example.com",
        "--sender",
        "alice@example.com",
        "--authserv-id",
        "mx.example.net",
    ];
    let plain = tegami(&args);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(
        text.starts_with("Authentication-Results: mx.example.net;"),
        "{text}"
    );
    assert!(text.contains("spf=pass") && text.contains("dkim=pass") && text.contains("arc=none"));
    assert!(text.contains("dmarc=pass") && text.contains("header.from=example.com"));
    let mut with_json = vec!["--json"];
    with_json.extend(args);
    let out = json(&tegami(&with_json));
    for key in ["authentication_results", "spf", "dkim", "arc", "dmarc"] {
        assert!(out.get(key).is_some(), "{key} missing in {out}");
    }
    assert_eq!(out["spf"]["result"], "pass");
    assert_eq!(out["dkim"][1]["result"], "pass");
    assert_eq!(out["arc"]["cv"], "none");
    assert_eq!(out["dmarc"]["result"], "pass");
    assert_eq!(out["dmarc"]["from_domain"], "example.com");
}

#[test]
fn dmarc_verdicts_with_the_contract_keys() {
    let run = |file: &str, ip: &str, helo: &str, sender: &str| {
        json(&tegami(&[
            "--now",
            "1795424500",
            "--json",
            "dmarc",
            &example(file),
            "--ip",
            ip,
            "--helo",
            helo,
            "--sender",
            sender,
        ]))
    };
    let pass = run(
        "signed.eml",
        "192.0.2.25",
        "mail.example.com",
        "alice@example.com",
    );
    for key in [
        "result",
        "policy",
        "disposition",
        "from_domain",
        "spf_aligned",
        "dkim_aligned",
    ] {
        assert!(pass.get(key).is_some(), "{key} missing in {pass}");
    }
    assert_eq!(pass["result"], "pass");
    assert_eq!(pass["policy"], "reject");
    assert_eq!(pass["disposition"], "none");
    assert_eq!(pass["from_domain"], "example.com");
    assert_eq!(pass["spf_aligned"], true);
    assert_eq!(pass["dkim_aligned"], true);
    // A spoof from elsewhere: unsigned, SPF fails for example.com's MAIL FROM.
    let spoof = run(
        "message.eml",
        "203.0.113.9",
        "evil.example",
        "alice@example.com",
    );
    assert_eq!(spoof["result"], "fail");
    assert_eq!(spoof["disposition"], "reject");
    assert_eq!(spoof["spf_aligned"], false);
    assert_eq!(spoof["dkim_aligned"], false);
    // A DNS failure of the policy lookup is temperror, with no disposition.
    let failing = json(&tegami(&[
        "--servfail",
        "_dmarc.example.com",
        "--json",
        "dmarc",
        &example("message.eml"),
        "--ip",
        "192.0.2.25",
        "--helo",
        "mail.example.com",
        "--sender",
        "alice@example.com",
    ]));
    assert_eq!(failing["result"], "temperror");
    assert_eq!(failing["disposition"], "none");
}

#[test]
fn dmarc_check_audits_the_domain() {
    let report = json(&tegami(&["--json", "dmarc", "check", "example.com"]));
    assert_eq!(report["policy_domain"], "example.com");
    assert_eq!(report["policy"]["domain"], "reject");
    assert_eq!(report["steps"][2]["current"], true);
    assert_eq!(report["destinations"][0]["tag"], "rua");
    assert_eq!(report["bimi"]["eligible"], true);
    assert_eq!(report["queried"][0], "_dmarc.example.com");
    let text = tegami(&["dmarc", "check", "example.com"]);
    assert_eq!(text.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&text.stdout).contains("* p=reject"));
    // Bad usage: no file and no subcommand.
    let bad = tegami(&["dmarc"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn mime_prints_the_contract_keys() {
    let out = json(&tegami(&["--json", "mime", &example("message.eml")]));
    for key in [
        "subject",
        "from",
        "to",
        "cc",
        "date",
        "message_id",
        "parts",
        "text_body",
        "html_body",
    ] {
        assert!(out.get(key).is_some(), "{key} missing in {out}");
    }
    assert_eq!(
        out.as_object().unwrap().len(),
        9,
        "exactly the contract's keys: {out}"
    );
    assert_eq!(out["subject"], "Quarterly report");
    assert_eq!(out["from"][0]["address"], "alice@example.com");
    assert_eq!(out["from"][0]["name"], "Alice Example");
    assert_eq!(out["parts"][0]["content_type"], "text/plain");
    for key in [
        "content_type",
        "charset",
        "filename",
        "size",
        "encrypted_zip",
    ] {
        assert!(out["parts"][0].get(key).is_some(), "parts[].{key} missing");
    }
    assert_eq!(out["parts"][0]["encrypted_zip"], false);
    assert!(out["text_body"].as_str().unwrap().starts_with("Hi Bob"));
    assert_eq!(out["html_body"], serde_json::Value::Null);
}
