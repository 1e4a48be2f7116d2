//! SMTP interop on loopback with real peers: Python's smtplib and swaks sending to
//! `tegami smtp serve`, and `tegami smtp send` delivering to aiosmtpd. Every message must arrive
//! byte-identical. The peers come from `.ci/run` (swaks from Debian, aiosmtpd in the interop
//! virtualenv); a missing peer fails the test with the reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

#[path = "common/serve.rs"]
mod serve;

use serve::{Peer, root, scratch, serve, tegami, without_results};

/// The interop virtualenv's interpreter (with aiosmtpd), made once per run.
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
                panic!("smtp interop: cannot run scripts/interop-venv.sh: {error}")
            });
        assert!(
            output.status.success(),
            "smtp interop: the peer virtualenv could not be made (PyPI unreachable?): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    })
}

/// A self-signed certificate for `localhost`, made with the openssl command.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|error| {
            panic!("smtp interop needs the openssl command for a test certificate: {error}")
        });
    assert!(status.success(), "openssl could not make a certificate");
    (cert, key)
}

/// Messages that test the edges of the data phase, written with CRLF line ends.
fn messages(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut long_body = String::new();
    for line in 0..4000 {
        long_body.push_str(&format!("line {line} {}\r\n", "x".repeat(line % 120)));
    }
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("simple", b"From: a@client.example\r\nTo: b@server.example\r\nSubject: simple\r\n\r\nHello.\r\n".to_vec()),
        ("dots", b"Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\n. space\r\nend.\r\n".to_vec()),
        ("utf8", "Subject: =?UTF-8?B?5omL57SZ?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\u{624b}\u{7d19}\u{3067}\u{3059}\r\n".as_bytes().to_vec()),
        ("long", format!("Subject: long\r\n\r\n{}\r\n{long_body}", "y".repeat(990)).into_bytes()),
        ("empty-body", b"Subject: empty\r\n\r\n".to_vec()),
    ];
    cases
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(format!("{name}.eml"));
            std::fs::write(&path, &bytes).unwrap();
            (path, bytes)
        })
        .collect()
}

/// The messages a Maildir holds, in delivery order, each without the server's
/// Authentication-Results field.
fn maildir(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<_> = std::fs::read_dir(dir.join("new"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    names.sort_by_key(|path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let count: u64 = name
            .split('Q')
            .nth(1)
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        count
    });
    names
        .into_iter()
        .map(|path| without_results(&std::fs::read(path).unwrap()))
        .collect()
}

fn submission_args(dir: &Path) -> Vec<String> {
    let (cert, key) = certificate(dir);
    let users = dir.join("users");
    std::fs::write(&users, "jane:hunter2\n").unwrap();
    vec![
        "--tls-cert".into(),
        cert.display().to_string(),
        "--tls-key".into(),
        key.display().to_string(),
        "--submission".into(),
        "--users".into(),
        users.display().to_string(),
    ]
}

/// `tegami smtp serve` as a relay, or as a submission server with STARTTLS and AUTH.
fn serve_as(dir: &Path, submission: bool) -> Peer {
    let extra = if submission {
        submission_args(dir)
    } else {
        Vec::new()
    };
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    serve(dir, &extra)
}

#[test]
fn smtplib_to_tegami_serve() {
    for mode in [
        "plain",
        "starttls-plain",
        "starttls-login",
        "starttls-cram-md5",
    ] {
        let dir = scratch(&format!("smtplib-{mode}"));
        let server = serve_as(&dir, mode != "plain");
        let sent = messages(&dir);
        let output = Command::new(python())
            .arg(root().join("cli/tests/interop/smtplib_client.py"))
            .args(["127.0.0.1", &server.port.to_string(), mode])
            .args(sent.iter().map(|(path, _)| path))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "smtplib {mode}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stored = maildir(&dir.join("maildir"));
        let expected: Vec<Vec<u8>> = sent.into_iter().map(|(_, bytes)| bytes).collect();
        assert!(stored == expected, "smtplib {mode}: stored messages differ");
    }
}

#[test]
fn swaks_to_tegami_serve() {
    let swaks = which("swaks");
    for mode in [
        "pipeline",
        "starttls-plain",
        "starttls-login",
        "starttls-cram-md5",
    ] {
        let dir = scratch(&format!("swaks-{mode}"));
        let server = serve_as(&dir, mode != "pipeline");
        let sent = messages(&dir);
        // swaks ends a file that closes with an empty line with a line break of its own; the
        // empty-body message goes through smtplib and aiosmtpd instead.
        let sent: Vec<_> = sent
            .into_iter()
            .filter(|(path, _)| !path.ends_with("empty-body.eml"))
            .collect();
        for (path, bytes) in &sent {
            // swaks sends CRLF "." CRLF after the file's last byte, so a final CRLF of the
            // file would become an empty line of the message: hand it the file without one.
            let data = path.with_extension("swaks");
            std::fs::write(&data, bytes.strip_suffix(b"\r\n").unwrap_or(bytes)).unwrap();
            let mut command = Command::new(&swaks);
            command
                .args([
                    "--server",
                    &format!("127.0.0.1:{}", server.port),
                    "--helo",
                    "client.example",
                ])
                .args([
                    "--from",
                    "a@client.example",
                    "--to",
                    "b@server.example",
                    "--pipeline",
                ])
                .arg("--data")
                .arg(format!("@{}", data.display()));
            if mode != "pipeline" {
                let mechanism = match mode {
                    "starttls-login" => "LOGIN",
                    "starttls-cram-md5" => "CRAM-MD5",
                    _ => "PLAIN",
                };
                command.args([
                    "--tls",
                    "--auth",
                    mechanism,
                    "--auth-user",
                    "jane",
                    "--auth-password",
                    "hunter2",
                ]);
            }
            let output = command.output().unwrap();
            assert!(
                output.status.success(),
                "swaks {mode}: {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        let stored = maildir(&dir.join("maildir"));
        let expected: Vec<Vec<u8>> = sent.into_iter().map(|(_, bytes)| bytes).collect();
        assert_eq!(stored.len(), expected.len(), "swaks {mode}");
        for (stored, expected) in stored.iter().zip(&expected) {
            assert_eq!(
                String::from_utf8_lossy(stored),
                String::from_utf8_lossy(expected),
                "swaks {mode}"
            );
        }
    }
}

#[test]
fn tegami_send_to_aiosmtpd() {
    let dir = scratch("aiosmtpd");
    let (cert, key) = certificate(&dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = dir.join("received");
    std::fs::create_dir_all(&out).unwrap();
    let mut command = Command::new(python());
    command
        .arg(root().join("cli/tests/interop/aiosmtpd_sink.py"))
        .arg(&cert)
        .arg(&key)
        .arg(&out)
        .arg(port.to_string());
    let _sink = Peer::start(command);
    let sent = messages(&dir);
    for (path, _) in &sent {
        let output = tegami()
            .args([
                "--json",
                "smtp",
                "send",
                "--server",
                &format!("127.0.0.1:{port}"),
                "--starttls",
            ])
            .args([
                "--auth",
                "jane",
                "--from",
                "a@client.example",
                "--to",
                "b@server.example",
                "--to",
                "c@server.example",
            ])
            .arg("--ca-file")
            .arg(&cert)
            .arg(path)
            .env("TEGAMI_SMTP_PASSWORD", "hunter2")
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("send: {}", String::from_utf8_lossy(&output.stderr)));
        assert_eq!(json["delivered"], true, "{json}");
        assert_eq!(json["tls"], true);
        assert_eq!(json["authenticated"], true);
    }
    for (index, (_, bytes)) in sent.iter().enumerate() {
        let received = std::fs::read(out.join(format!("{}.eml", index + 1))).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&received),
            String::from_utf8_lossy(bytes),
            "message {index}"
        );
        let envelope =
            std::fs::read_to_string(out.join(format!("{}.envelope", index + 1))).unwrap();
        assert_eq!(
            envelope,
            "a@client.example\nb@server.example\nc@server.example\n"
        );
    }
    // A wrong password is refused and reported, not delivered.
    let output = tegami()
        .args([
            "--json",
            "smtp",
            "send",
            "--server",
            &format!("127.0.0.1:{port}"),
            "--starttls",
            "--auth",
            "jane",
        ])
        .args(["--from", "a@client.example", "--to", "b@server.example"])
        .arg(&sent[0].0)
        .env("TEGAMI_SMTP_PASSWORD", "wrong")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["delivered"], false);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .starts_with("authentication failed"),
        "{json}"
    );
}

#[test]
fn tegami_send_to_tegami_serve_with_bdat_and_authentication() {
    let dir = scratch("self");
    let server = serve(&dir, &[]);
    let sent = messages(&dir);
    for (path, _) in &sent {
        let output = tegami()
            .args([
                "--json",
                "smtp",
                "send",
                "--server",
                &format!("127.0.0.1:{}", server.port),
            ])
            .args(["--from", "a@client.example", "--to", "b@server.example"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("\"delivered\":true"),
            "{output:?}"
        );
    }
    // maildir() checks the server's Authentication-Results field and takes it off.
    let expected: Vec<Vec<u8>> = sent.into_iter().map(|(_, bytes)| bytes).collect();
    assert!(
        maildir(&dir.join("maildir")) == expected,
        "stored messages differ"
    );
}

#[test]
fn tegami_send_authenticates_to_tegami_serve_with_scram() {
    let dir = scratch("self-scram");
    let server = serve_as(&dir, true);
    let sent = messages(&dir);
    let (path, _) = &sent[0];
    let send = |password: &str| {
        tegami()
            .env("TEGAMI_SMTP_PASSWORD", password)
            .args([
                "--json",
                "smtp",
                "send",
                "--server",
                &format!("127.0.0.1:{}", server.port),
                "--starttls",
                "--auth",
                "jane",
            ])
            .args(["--from", "jane@client.example", "--to", "b@server.example"])
            .arg(path)
            .output()
            .unwrap()
    };
    // Both sides have SCRAM-SHA-256: it is chosen, and each proves itself to the other.
    let output = send("hunter2");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["delivered"], true, "{output:?}");
    assert_eq!(json["auth_mechanism"], "SCRAM-SHA-256", "{json}");
    let output = send("hunter3");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["delivered"], false, "{json}");
    assert_eq!(json["authenticated"], false, "{json}");
    assert_eq!(maildir(&dir.join("maildir")).len(), 1);
}

fn which(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|path| path.is_file()))
        .unwrap_or_else(|| panic!("smtp interop needs {program} (Debian package `{program}`, installed by .ci/run); it is not on PATH"))
}

#[test]
fn tegami_serve_seals_as_a_forwarder() {
    let dir = scratch("arc");
    let key = root().join("examples/keys/ed2026.pem");
    let server = serve(
        &dir,
        &[
            "--arc-key",
            key.to_str().unwrap(),
            "--arc-domain",
            "example.com",
            "--arc-selector",
            "ed2026",
        ],
    );
    let output = tegami()
        .args([
            "--json",
            "smtp",
            "send",
            "--server",
            &format!("127.0.0.1:{}", server.port),
        ])
        .args(["--from", "alice@example.com", "--to", "b@server.example"])
        .arg(root().join("examples/signed.eml"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("\"delivered\":true"),
        "{output:?}"
    );
    let stored = std::fs::read_dir(dir.join("maildir/new"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&stored).unwrap();
    let seal = text.split("\r\nARC-Message-Signature:").next().unwrap();
    assert!(seal.starts_with("ARC-Seal: a=ed25519-sha256;"), "{text}");
    assert!(
        seal.contains("cv=none;") && seal.contains("i=1;") && seal.contains("d=example.com;"),
        "{seal}"
    );
    // The next hop validates the chain this server started.
    let output = tegami()
        .arg("--zone")
        .arg(root().join("examples/example.com.zone"))
        .args(["--json", "arc", "verify"])
        .arg(&stored)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["cv"], "pass", "{json}");
    assert_eq!(json["instances"], 1);
}
