"""The dkimpy side of tegami's DKIM interoperability test.

  sign KEYFILE DOMAIN SELECTOR ALGORITHM CANON [length]
      reads a message on stdin, writes the DKIM-Signature field dkimpy makes for it
  verify ZONEFILE
      reads a signed message on stdin, prints "pass" or "fail" for its first signature

ZONEFILE holds "<name> <TXT text>" lines. KEYFILE is a PKCS#1 PEM (rsa) or a base64 seed
(ed25519), the forms dkimpy reads.
"""
import sys

import dkim


def main():
    command = sys.argv[1]
    message = sys.stdin.buffer.read()
    if command == "sign":
        keyfile, domain, selector, algorithm, canon = sys.argv[2:7]
        length = len(sys.argv) > 7 and sys.argv[7] == "length"
        header, body = canon.split("/")
        field = dkim.sign(
            message,
            selector.encode(),
            domain.encode(),
            open(keyfile, "rb").read(),
            canonicalize=(header.encode(), body.encode()),
            signature_algorithm=algorithm.encode(),
            include_headers=[b"from", b"to", b"subject", b"date", b"content-type"],
            length=length,
        )
        sys.stdout.buffer.write(field)
    elif command == "verify":
        records = {}
        for line in open(sys.argv[2], encoding="utf-8"):
            name, _, text = line.strip().partition(" ")
            records[name.lower().rstrip(".")] = text.encode()

        def lookup(name, timeout=5):
            return records.get(name.decode().lower().rstrip("."))

        print("pass" if dkim.verify(message, dnsfunc=lookup) else "fail")
    else:
        sys.exit("unknown command " + command)


main()
