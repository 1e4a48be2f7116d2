"""authheaders as a peer of the pipeline: authenticates the given messages with SPF (pyspf),
DKIM, ARC and DMARC (dkimpy underneath), asking the DNS server given on the command line, at
the clock given on the command line, and prints one JSON object per message.

usage: authheaders_peer.py PORT NOW < cases.json
cases.json: [{"file", "ip", "helo", "sender"}, ...]
"""

import json
import sys
import time

import dns.resolver

PORT, NOW = int(sys.argv[1]), int(sys.argv[2])

# Every lookup (pyspf, dkimpy, authheaders' DMARC) goes through dnspython's default resolver:
# point it at the test's server, with no search list and no system configuration.
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = PORT
resolver.timeout = resolver.lifetime = 3.0
dns.resolver.default_resolver = resolver
# The signatures' t= are checked against this clock, as the Rust side is given one.
time.time = lambda: float(NOW)

import authheaders  # noqa: E402  (after the resolver is in place)
import authres  # noqa: E402


def verdicts(field):
    # every method's properties (dkim header.d, dmarc policy.dmarc), not only the core ones
    header = authres.all_features().parse(field)
    out = {"spf": None, "dkim": [], "arc": None, "dmarc": None, "dmarc_policy": None}
    for result in header.results:
        method = result.method
        if method == "spf":
            out["spf"] = result.result
        elif method == "dkim":
            out["dkim"].append([result.result, getattr(result, "header_d", None)])
        elif method == "arc":
            out["arc"] = result.result
        elif method == "dmarc":
            out["dmarc"] = result.result
            out["dmarc_policy"] = getattr(result, "policy", None)
    return out


cases = json.load(sys.stdin)
for case in cases:
    with open(case["file"], "rb") as f:
        message = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    field = authheaders.authenticate_message(
        message,
        "mx.example.net",
        spf=True,
        dkim=True,
        arc=True,
        dmarc=True,
        ip=case["ip"],
        mail_from=case["sender"],
        helo=case["helo"],
    )
    result = verdicts(field)
    result["file"] = case["file"]
    result["field"] = field
    print(json.dumps(result))
