#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets from the conformance fixtures and examples.

Usage: python3 fuzz/seeds.py SHARED_DIR CORPUS_DIR
Seeds: DKIM-Signature and ARC tag-lists and Authentication-Results values from the message
corpora, addresses and domains from their header fields, and the example zone.
"""
import hashlib
import pathlib
import re
import sys


def write(corpus: pathlib.Path, target: str, data: bytes) -> None:
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def header_fields(message: bytes):
    head = re.split(rb"\r?\n\r?\n", message, maxsplit=1)[0]
    for field in re.split(rb"\r?\n(?![ \t])", head):
        name, sep, value = field.partition(b":")
        if sep:
            yield name.strip().lower(), value


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    shared, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    conformance = shared / "conformance"
    if not conformance.is_dir():
        print(f"{conformance} is missing: ../shared must sit beside the project", file=sys.stderr)
        return 1
    messages = [p for p in conformance.rglob("*") if p.suffix in {".eml", ".txt", ".msg"} and p.is_file()]
    for path in messages:
        data = path.read_bytes()[:200_000]
        for name, value in header_fields(data):
            if name in (b"dkim-signature", b"arc-seal", b"arc-message-signature"):
                write(corpus, "core_tag_list", value.strip())
                if name == b"dkim-signature":
                    write(corpus, "dkim_signature", value)
            elif name in (b"authentication-results", b"arc-authentication-results"):
                write(corpus, "core_auth_results", value)
            elif name in (b"subject",):
                write(corpus, "mime_encoded_word", value)
            if name in (b"from", b"to", b"cc", b"reply-to", b"sender"):
                write(corpus, "mime_address_list", value)
            if name in (b"from", b"to", b"return-path", b"sender"):
                for address in re.findall(rb"<[^<>]*>", value):
                    write(corpus, "core_mailbox", address)
                for domain in re.findall(rb"@([A-Za-z0-9.-]+)", value):
                    write(corpus, "core_domain", domain)
    for line in (conformance / "dkim/rfc8463/001.txt").read_bytes().splitlines():
        if b" v=DKIM1" in line:
            write(corpus, "core_tag_list", line.split(b" ", 1)[1])
            write(corpus, "dkim_key_record", line.split(b" ", 1)[1])
    for line in (conformance / "dkim/mail-dkim/FAKE_DNS.dat").read_bytes().splitlines():
        if line and not line.startswith((b"#", b";")) and b" " in line:
            write(corpus, "dkim_key_record", line.split(b" ", 1)[1].strip())
    crlf = lambda data: re.sub(rb"(?<!\r)\n", b"\r\n", data)
    dkim_messages = sorted((conformance / "dkim").rglob("*.txt"))
    dkim_messages.append(pathlib.Path(__file__).resolve().parent.parent / "examples" / "signed.eml")
    for path in dkim_messages:
        data = crlf(path.read_bytes())
        if path.name == "001.txt":
            data = data.split(b"\r\n\r\n", 1)[1]
        write(corpus, "dkim_verifier", data)
        body = re.split(rb"\r\n\r\n", data, maxsplit=1)[-1]
        write(corpus, "dkim_canonicalizer", bytes([len(body) % 251]) + body)
    zone = pathlib.Path(__file__).resolve().parent.parent / "examples" / "example.com.zone"
    write(corpus, "core_zone", b"example.com mail.example.com x.example.com\n--\n" + zone.read_bytes())
    write(corpus, "core_mailbox", b"<@a.example,@b.example:user@[IPv6:2001:db8::1]>")
    write(corpus, "core_mailbox", b'<"quoted\\"local"@example.org>')
    write(corpus, "core_domain", "bücher.example".encode())
    suite = (conformance / "spf/rfc7208-tests.yml").read_text(encoding="utf-8", errors="replace")
    for record in re.findall(r"(?:SPF|TXT):\s+\"?(v=spf1[^\"\n]*)", suite):
        write(corpus, "spf_record", record.encode())
        for spec in re.findall(r"[:=](\S*%\S*)", record):
            write(corpus, "spf_macro_expansion", spec.encode())
    write(corpus, "spf_evaluation", b"192.0.2.1 mx.example.com joe@example.com\n" + zone.read_bytes())
    write(corpus, "spf_evaluation", b"2001:db8::1 a.example a@b.example\n"
          b"b.example. 60 IN TXT \"v=spf1 mx a:%{d} include:c.example exists:%{ir}.%{v}.x.example -all\"\n"
          b"b.example. 60 IN MX 10 m.b.example.\nm.b.example. 60 IN AAAA 2001:db8::1\n"
          b"c.example. 60 IN TXT \"v=spf1 ptr ?all\"\n")
    for name in ("arc-draft-validation-tests.yml", "arc-draft-sign-tests.yml"):
        text = (conformance / "arc" / name).read_text(encoding="utf-8", errors="replace")
        for block in re.findall(r"\n    message:\s+\|\n((?:      .*\n|\s*\n)+)", text):
            message = "\r\n".join(line[6:] for line in block.rstrip("\n").split("\n")).encode()
            write(corpus, "arc_validator", message[:4096])
            for name_value in re.findall(rb"(?m)^ARC-[A-Za-z-]+:((?:.*)(?:\r\n[ \t].*)*)", message):
                write(corpus, "arc_set", name_value.strip())
    for value in (b" <@bank.example:x@attacker.example>", b" a@bank.example <b@attacker.example>",
                  b" =?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?=@attacker.example", b" g: a@x.example, b@y.example;",
                  b' "Q, Person" (c) <q@[192.0.2.1]>, \\@x', " Jörg <jörg@bücher.example>".encode()):
        write(corpus, "mime_address_list", value)
    for folder in ("mime/mime4j/testmsgs", "mime/mime4j/mimetools-testmsgs", "mime/mail-parser/eml"):
        for path in sorted((conformance / folder).rglob("*")):
            if path.suffix in {".msg", ".eml"}:
                data = path.read_bytes()
                write(corpus, "mime_message", data[:4096])
                for name, value in header_fields(data):
                    if name in (b"content-type", b"content-disposition", b"date"):
                        write(corpus, "mime_content_type", value)
    write(corpus, "mime_zip", b"PK\x03\x04\x14\x00\x01\x00\x08\x00" + bytes(16) + b"\x05\x00\x00\x00a.txtxyz")
    write(corpus, "mime_zip", b"PK\x03\x04\x14\x00\x00\x00\x63\x00" + bytes(16) + b"\x01\x00\x00\x00aPK\x05\x06" + bytes(18))
    for value in (b"=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= mail", b"=?utf-8?q?caf=C3=A9?= =?utf-8?q?_x?=",
                  b"From: a@b.example\r\nSubject: =?Shift_JIS?B?k/qWe4zq?=\r\n\r\nbody"):
        write(corpus, "mime_encoded_word", value)
    for record in (b"v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; psd=n; t=y; fo=1:d:s",
                   b"v=DMARC1; p=none; rua=mailto:a@example.com!10m,https://r.example/x; ruf=mailto:f@example.org",
                   b"v=DMARC1; p=quarantine; pct=0; rf=afrf; ri=86400", b"v=DMARC1; psd=y",
                   b"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem", b"v=BIMI1; s=brand"):
        write(corpus, "dmarc_record", record)
    for scenario in (b"ceo@example.com\nexample.com\nsigning.example.com\n_dmarc.example.com v=DMARC1; p=reject\n"
                     b"_dmarc.signing.example.com v=DMARC1; p=none\n",
                     b"a@giant.bank.example\nmail.giant.bank.example\nmail.mega.bank.example\n"
                     b"_dmarc.bank.example v=DMARC1; p=reject; psd=y\n_dmarc.giant.bank.example v=DMARC1; p=quarantine\n",
                     b"a@x.example.com, b@bank.example\n\nexample.com\n_dmarc.example.com v=DMARC1; p=none; np=reject\n"
                     b"!_dmarc.bank.example\n#x.example.com\n"):
        write(corpus, "dmarc_evaluation", scenario)
    # SMTP: client lines of the OpenSMTPD scripts and James transcripts, the server lines of
    # the transcripts, whole client conversations, and SASL responses.
    smtp = conformance / "smtp"
    conversation = b""
    for path in sorted((smtp / "opensmtpd").glob("test.*")):
        lines = [m.encode() for m in re.findall(r'writeln "([^"]*)"', path.read_text())]
        for line in lines:
            write(corpus, "smtp_command", line)
        write(corpus, "smtp_server", b"\x00" + b"".join(line + b"\r\n" for line in lines))
    for path in sorted((smtp / "james").glob("*.test")):
        text = path.read_text()
        client = [l[3:].encode() for l in text.splitlines() if l.startswith("C: ")]
        server = [l[3:].encode() for l in text.splitlines() if l.startswith("S: ")]
        for line in client:
            write(corpus, "smtp_command", line)
        replies = b"".join(line.replace(b".*", b" x") + b"\r\n" for line in server)
        write(corpus, "smtp_reply", replies)
        write(corpus, "smtp_client", b"\x05" + replies)
        write(corpus, "smtp_server", b"\x07" + b"".join(line + b"\r\n" for line in client))
        conversation += b"".join(line + b"\r\n" for line in client)
    write(corpus, "smtp_server", b"\x60" + b"EHLO c\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\n"
          b"RCPT TO:<c@d.example>\r\nBDAT 5\r\nab\r\ncBDAT 0 LAST\r\nDATA\r\na\n.\r\n.\r\nQUIT\r\n")
    for reply in (b"220 mx.example ESMTP\r\n", b"250-mx.example\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n",
                  b"550 5.7.1 no\r\n", b"354\r\n"):
        write(corpus, "smtp_reply", reply)
    write(corpus, "smtp_client", b"\x21220 mx\r\n250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SIZE 100\r\n"
          b"250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n250 ok\r\n221 bye\r\n")
    for record in (b"v=STSv1; id=20160831085700Z;", b"v=TLSRPTv1; rua=mailto:r@example.com,https://r.example/v1",
                   b"version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n"):
        write(corpus, "smtp_records", record)
    for response in (b"\x00jane\x00hunter2", b"Ursel\x00Kurt\x00xipj3plmq", b"user=a@b\x01auth=Bearer t\x01\x01",
                     b"n,a=user@example.com,\x01host=x\x01auth=Bearer t\x01\x01", b"*", b"AGphbmUAaHVudGVyMg=="):
        write(corpus, "smtp_sasl", response)
    aggregate = shared / "conformance" / "dmarc" / "aggregate"
    for path in sorted(aggregate.rglob("*")):
        if not path.is_file() or path.suffix == ".json":
            continue
        data = path.read_bytes()
        if path.suffix == ".xml" and len(data) <= 8192:
            write(corpus, "dmarc_aggregate", data)
        if len(data) <= 16384:
            write(corpus, "dmarc_unpack", data)
    for path in sorted((shared / "conformance" / "dmarc" / "failure").rglob("*.eml")):
        write(corpus, "dmarc_failure", path.read_bytes())
    for target in ("core_tag_list", "core_auth_results", "core_mailbox", "core_domain", "core_zone",
                   "spf_record", "spf_macro_expansion", "spf_evaluation", "dkim_signature",
                   "dkim_key_record", "dkim_canonicalizer", "dkim_verifier", "arc_set",
                   "arc_validator", "mime_address_list", "mime_encoded_word", "dmarc_record",
                   "dmarc_evaluation", "mime_message", "mime_zip", "mime_content_type",
                   "smtp_command", "smtp_reply", "smtp_server", "smtp_sasl", "smtp_client", "smtp_records",
                   "dmarc_aggregate", "dmarc_unpack", "dmarc_failure"):
        count = len(list((corpus / target).glob("*")))
        print(f"{target}: {count} seeds")
        if count == 0:
            print(f"no seeds for {target}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
