#!/usr/bin/env bash
# Creates (once) the Python virtualenv of the interoperability peers: dkimpy (with PyNaCl for
# ed25519), authheaders with pyspf (its SPF), dnspython, aiosmtpd and lxml (XML Schema checks),
# from PyPI. Prints the interpreter's path.
# Used by .ci/run and, when the venv is missing, by the interop tests themselves.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/interop-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import dkim, nacl, authheaders, spf, aiosmtpd, lxml' 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    'dkimpy==1.1.8' 'pynacl>=1.5' 'authheaders>=0.16' 'pyspf==2.0.14' 'dnspython>=2.6' 'aiosmtpd>=1.4' 'lxml>=5' >&2
fi
echo "$venv/bin/python"
