#!/usr/bin/env bash
# Rebuilds the signed example messages from examples/message.eml and examples/unsigned/ with the
# demo keys of examples/keys/. RSA PKCS#1 v1.5 and Ed25519 signatures are deterministic, so the
# output is byte-identical every time; .ci/run checks that it matches the committed files.
# Messages are stored with LF line ends (the CLI reads them as CRLF).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build -q -p tegami-cli -p tegami --example mailing_list
tegami=target/debug/tegami
zone=examples/example.com.zone
keys=examples/keys
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

lf() { sed 's/\r$//'; }

# Signed by example.com with both of its keys (RSA first, so the Ed25519 field ends on top).
sign_example_com() { # NOW IN OUT
  "$tegami" --now "$1" dkim sign --key $keys/rsa2026.pem --domain example.com --selector rsa2026 "$2" > "$scratch/rsa.eml"
  "$tegami" --now "$1" dkim sign --key $keys/ed2026.pem --domain example.com --selector ed2026 "$scratch/rsa.eml" | lf > "$3"
}

# 09:00 Alice's report: passes everything.
sign_example_com 1795424400 examples/message.eml examples/signed.eml
# 09:05 Alice posts to the list; the list (sealing 60 s later) tags, re-signs and ARC-seals it.
sign_example_com 1795424700 examples/unsigned/list-post.eml "$scratch/post.eml"
target/debug/examples/mailing_list $zone $keys/list2026.pem 1795424760 "$scratch/post.eml" | lf > examples/mailing-list.eml
# 09:10 phish.example signs its own domain but writes Alice's address in From.
"$tegami" --now 1795425000 dkim sign --key $keys/phish-s1.pem --domain phish.example --selector s1 examples/unsigned/spoof.eml | lf > examples/spoof.eml
# 09:15 an invoice in a password-protected ZIP; 09:20 a Japanese message (ISO-2022-JP).
sign_example_com 1795425300 examples/unsigned/encrypted-zip.eml examples/encrypted-zip.eml
sign_example_com 1795425600 examples/unsigned/japanese.eml examples/japanese.eml
