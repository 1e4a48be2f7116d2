"""An aiosmtpd server for the interop tests: STARTTLS required, AUTH (jane / hunter2)
required, each message's content written to OUT_DIR/N.eml.

Usage: aiosmtpd_sink.py CERT KEY OUT_DIR PORT
Prints "listening on PORT" once it accepts connections; runs until killed.
"""
import pathlib
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        (self.folder / f"{self.count}.eml").write_bytes(envelope.original_content)
        (self.folder / f"{self.count}.envelope").write_text(
            envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        return "250 OK stored"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"jane" and auth_data.password == b"hunter2"
    # handled=False: aiosmtpd itself answers 535 to a failure.
    return AuthResult(success=ok, handled=False)


def main() -> int:
    cert, key, out, port = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), int(sys.argv[4])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True,
                            server_hostname="sink.example")
    controller.start()
    print(f"listening on {controller.port}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
