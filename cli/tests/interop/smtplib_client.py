"""Sends messages to an SMTP server with Python's smtplib, as the interop tests ask.

Usage: smtplib_client.py HOST PORT MODE FILE...
MODE: plain | starttls-plain | starttls-login | starttls-cram-md5 (user jane, password hunter2).
Each FILE is sent as is (bytes, so smtplib does not touch line ends) from a@client.example
to b@server.example; one connection carries them all.
"""
import smtplib
import ssl
import sys


def main() -> int:
    host, port, mode, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    with smtplib.SMTP(host, port, local_hostname="client.example", timeout=30) as smtp:
        smtp.ehlo()
        if mode.startswith("starttls"):
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            smtp.starttls(context=context)
            smtp.ehlo()
            smtp.user, smtp.password = "jane", "hunter2"
            if mode == "starttls-login":
                code, reply = smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
            elif mode == "starttls-cram-md5":
                assert "cram-md5" in smtp.esmtp_features["auth"].lower(), smtp.esmtp_features
                code, reply = smtp.auth("CRAM-MD5", smtp.auth_cram_md5, initial_response_ok=False)
            else:
                code, reply = smtp.auth("PLAIN", smtp.auth_plain)
            assert code == 235, (code, reply)
        for path in files:
            with open(path, "rb") as handle:
                refused = smtp.sendmail("a@client.example", ["b@server.example"], handle.read())
            assert not refused, refused
    return 0


if __name__ == "__main__":
    sys.exit(main())
