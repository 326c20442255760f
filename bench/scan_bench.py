#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""scan_bench - time one mxaudit scan of the lab's 1,000 bench domains.

Prints the exact command, wall time, domains/second, the scanner's peak RSS
(getrusage of the child) and a count of outcomes, so that a fast but wrong
run cannot pass for a result.
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
import time

build = sys.argv[1]
extra = sys.argv[2:]
lab = os.path.join(build, "lab")
with open(os.path.join(lab, "bench-domains.txt")) as f:
    domains = [line.strip() for line in f if line.strip()]

argv = [os.path.join(build, "mxaudit"), "scan", "--format", "json",
        "--resolver", "127.0.2.2",
        "--trust-anchor", os.path.join(lab, "dns", "trust-anchor.key"),
        "--ca-file", os.path.join(lab, "ca", "ca.pem"),
        "--concurrency", "200"] + extra
# the scanner's own rusage (wait4), not that of everything this process
# (or bench/run.sh before it: the lab's start) has waited for
t0 = time.monotonic()
with tempfile.TemporaryFile() as errf:
    child = subprocess.Popen(argv + domains, stdout=subprocess.PIPE,
                             stderr=errf)
    out = child.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
proc = subprocess.CompletedProcess(argv, child.returncode, out, err)
rss_kib = usage.ru_maxrss

docs = []
dec = json.JSONDecoder()
pos, text = 0, proc.stdout
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    doc, pos = dec.raw_decode(text, pos)
    docs.append(doc)

outcomes = collections.Counter()
for d in docs:
    ids = sorted({f["id"] for f in d["findings"]})
    outcomes[",".join(ids) or "clean"] += 1

print("command: %s <%d bench.test domains>" % (" ".join(argv[1:]),
                                                len(domains)))
print("exit status: %d" % proc.returncode)
print("domains: %d reported of %d" % (len(docs), len(domains)))
print("wall: %.2f s" % wall)
print("rate: %.0f domains/s" % (len(docs) / wall))
print("peak RSS: %.1f MiB" % (rss_kib / 1024.0))
print("scanner CPU: %.2f s user, %.2f s system"
      % (usage.ru_utime, usage.ru_stime))
for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1]):
    print("  %5d  %s" % (v, k))
if len(docs) != len(domains):
    sys.exit("bench: not every domain was reported")
