#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""peers - mxaudit, sslscan and testssl.sh side by side on the lab's TLS hosts.

Usage: bench/peers.py BUILD_DIR [--runs N] [--no-testssl]

For every lab STARTTLS host: the answers (protocols, weak families) of
mxaudit's default probes against testssl.sh (`-p -s -4`, its JSON), and
mxaudit --ciphers against sslscan's accepted suites (by code); then the
times: the default scan of all hosts in one run, and per host mxaudit
--ciphers, sslscan, testssl.sh. Medians of N runs (testssl.sh: one run).
sslscan and testssl.sh are Debian packages (installed on demand by
bench/peers.sh); neither is a dependency of mxaudit.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HOSTS = [  # domain, address
    ("good.test", "127.0.0.10"), ("selfsigned.test", "127.0.0.12"),
    ("expired.test", "127.0.0.13"), ("wrongname.test", "127.0.0.14"),
    ("ipv6.test", "::1"), ("tls10.test", "127.0.0.30"),
    ("weakcipher.test", "127.0.0.31"), ("sslv3.test", "127.0.0.32"),
    ("sslv2.test", "127.0.0.33"), ("nofs.test", "127.0.0.34"),
    ("weakcert.test", "127.0.0.35"), ("signed.test", "127.0.0.10"),
    ("implicit.test", "127.0.0.10"),
]
PROTOS = [("sslv2", "SSLv2"), ("sslv3", "SSLv3"), ("tls1.0", "TLS1"),
          ("tls1.1", "TLS1_1"), ("tls1.2", "TLS1_2"), ("tls1.3", "TLS1_3")]
FAMILIES = [("null", "cipherlist_NULL"), ("anon", "cipherlist_aNULL"),
            ("export", "cipherlist_EXPORT"), ("3des", "cipherlist_3DES_IDEA"),
            ("rc4", "RC4")]
SSLSCAN_VERSIONS = {"SSLv3": "sslv3", "TLSv1.0": "tls1.0", "TLSv1.1": "tls1.1",
                    "TLSv1.2": "tls1.2", "TLSv1.3": "tls1.3"}

build = os.path.abspath(sys.argv[1])
runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
with_testssl = "--no-testssl" not in sys.argv
lab = os.path.join(build, "lab")
mxaudit = os.path.join(build, "mxaudit")
flags = ["--resolver", "127.0.2.2", "--trust-anchor",
         os.path.join(lab, "dns", "trust-anchor.key"),
         "--ca-file", os.path.join(lab, "ca", "ca.pem")]


def timed(argv, **kw):
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    return time.monotonic() - t0, p


def docs(text):
    dec, pos, out = json.JSONDecoder(), 0, {}
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return out
        d, pos = dec.raw_decode(text, pos)
        out[d["domain"]] = d


def tls_of(doc):
    return doc["mx"][0]["addresses"][0]["tls"]


def hostport(addr):
    return "[%s]:25" % addr if ":" in addr else "%s:25" % addr


# 1. the default scan of all hosts in one run
domains = [d for d, _ in HOSTS]
all_times = []
for _ in range(runs):
    t, p = timed([mxaudit, "scan", "--format", "json"] + flags + domains)
    all_times.append(t)
scan = docs(p.stdout)

rows, diffs = [], []
sslscan_sum = cipher_sum = 0.0
for domain, addr in HOSTS:
    tls = tls_of(scan[domain])
    row = {"host": domain}
    # 2. --ciphers against sslscan (per host, medians)
    ct, st = [], []
    for _ in range(runs):
        t, p = timed([mxaudit, "scan", "--ciphers", "--format", "json"]
                     + flags + [domain])
        ct.append(t)
        ours = tls_of(docs(p.stdout)[domain]).get("ciphers", {})
        t, s = timed(["sslscan", "--no-colour", "--show-cipher-ids",
                      "--starttls-smtp", hostport(addr)])
        st.append(t)
    theirs = {}
    for m in re.finditer(r"^(?:Preferred|Accepted)\s+(\S+)\s+\d+ bits\s+"
                         r"(0x[0-9A-Fa-f]+)", s.stdout, re.M):
        v = SSLSCAN_VERSIONS.get(m.group(1))
        if v:
            theirs.setdefault(v, set()).add(int(m.group(2), 16))
    mine = {v: {int(x["code"], 16) for x in c["suites"]}
            for v, c in ours.items() if v != "sslv2"}
    for v in sorted(set(mine) | set(theirs)):
        if mine.get(v, set()) != theirs.get(v, set()):
            diffs.append("%s %s: mxaudit only %s, sslscan only %s" % (
                domain, v,
                sorted(hex(x) for x in mine.get(v, set()) - theirs.get(v, set())),
                sorted(hex(x) for x in theirs.get(v, set()) - mine.get(v, set()))))
    row["ciphers_s"] = statistics.median(ct)
    row["sslscan_s"] = statistics.median(st)
    cipher_sum += row["ciphers_s"]
    sslscan_sum += row["sslscan_s"]
    # 3. protocols and families against testssl.sh
    if with_testssl:
        with tempfile.TemporaryDirectory() as tmp:
            jf = os.path.join(tmp, "t.json")
            # Debian's OpenSSL 3 refuses TLS 1.0/1.1 at security level 1,
            # and testssl.sh gives up on a host its OpenSSL cannot reach
            cnf = os.path.join(tmp, "openssl.cnf")
            with open(cnf, "w") as f:
                f.write("openssl_conf = c\n[c]\nssl_conf = s\n[s]\n"
                        "system_default = d\n[d]\nMinProtocol = TLSv1\n"
                        "CipherString = DEFAULT@SECLEVEL=0\n")
            # --warnings batch: go on where its own OpenSSL cannot
            # connect (TLS 1.0-only, SSLv2-only hosts); -6 for [::1]
            t, p = timed(["testssl", "-p", "-s", "-4", "--quiet", "--color",
                          "0", "--warnings", "batch", "--ip", "one"]
                         + (["-6"] if ":" in addr else [])
                         + ["--jsonfile", jf, "--starttls", "smtp",
                            hostport(addr)], timeout=900,
                         env=dict(os.environ, OPENSSL_CONF=cnf))
            row["testssl_s"] = t
            ts = {x["id"]: x["finding"] for x in json.load(open(jf))}
        for key, pairs in (("protocols", PROTOS), ("weak_ciphers", FAMILIES)):
            for ours_k, id_ in pairs:
                theirs_v = ts.get(id_, "")
                tv = theirs_v.startswith(("offered", "VULNERABLE"))
                if bool(tls[key][ours_k]) != tv:
                    diffs.append("%s %s: mxaudit %s, testssl.sh %r" % (
                        domain, ours_k, tls[key][ours_k], theirs_v))
    rows.append(row)

print("hosts: %d, runs: %d" % (len(HOSTS), runs))
print("mxaudit default scan of all hosts, one run: median %.3f s" %
      statistics.median(all_times))
print("sslscan summed over the hosts: %.2f s (ratio %.1fx)" % (
    sslscan_sum, sslscan_sum / statistics.median(all_times)))
print("%-17s %12s %10s %12s" % ("host", "--ciphers", "sslscan", "testssl.sh"))
for r in rows:
    print("%-17s %11.3fs %9.3fs %11s" % (
        r["host"], r["ciphers_s"], r["sslscan_s"],
        "%.1fs" % r["testssl_s"] if "testssl_s" in r else "-"))
print("mxaudit --ciphers summed: %.2f s; sslscan summed: %.2f s" % (
    cipher_sum, sslscan_sum))
print("differences: %d" % len(diffs))
for d in diffs:
    print("  " + d)
