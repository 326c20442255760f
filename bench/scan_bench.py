#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""scan_bench - time one mxaudit scan of a lab domain set.

Usage: scan_bench.py BUILD_DIR [--set bench|hosted] [--count N] [scan options]

  bench   the 1,000 bench.test domains, each with an MX name of its own
          (every domain costs its own SMTP conversation and handshake)
  hosted  the first N (default 10,000) of the 100,000 hosted.test domains,
          on the lab's five Postfix MX hosts, as most domains sit on a
          provider's few MX names

The domains go through --input (a file), and the output is read as
JSONL as it streams, so nothing here grows with the count either. Prints
the exact command, wall time, domains/second, the scanner's peak RSS and
CPU (wait4 on its pid) and a count of outcomes, so that a fast but wrong
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
args = sys.argv[2:]
dset, count = "bench", None
while args and args[0] in ("--set", "--count"):
    if args[0] == "--set":
        dset = args[1]
    else:
        count = int(args[1])
    args = args[2:]
extra = args
lab = os.path.join(build, "lab")
listfile = {"bench": "bench-domains.txt",
            "hosted": "hosted-domains.txt"}[dset]
if count is None:
    count = 1000 if dset == "bench" else 10000
with open(os.path.join(lab, listfile)) as f:
    domains = [line.strip() for line in f if line.strip()][:count]

argv = [os.path.join(build, "mxaudit"), "scan", "--format", "jsonl",
        "--resolver", "127.0.2.2",
        "--trust-anchor", os.path.join(lab, "dns", "trust-anchor.key"),
        "--ca-file", os.path.join(lab, "ca", "ca.pem"),
        "--concurrency", "200"] + extra
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as inp:
    inp.write("\n".join(domains) + "\n")
outcomes = collections.Counter()
reported = 0
# the scanner's own rusage (wait4), not that of everything this process
# (or bench/run.sh before it: the lab's start) has waited for
t0 = time.monotonic()
with tempfile.TemporaryFile() as errf:
    child = subprocess.Popen(argv + ["--input", inp.name],
                             stdout=subprocess.PIPE, stderr=errf)
    for line in child.stdout:
        if not line.strip():
            continue
        d = json.loads(line)
        reported += 1
        ids = sorted({f["id"] for f in d["findings"]})
        outcomes[",".join(ids) or "clean"] += 1
    _, status, usage = os.wait4(child.pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
os.unlink(inp.name)

print("command: %s --input <%d %s domains>" % (" ".join(argv[1:]),
                                                len(domains), dset))
print("exit status: %d" % rc)
print("domains: %d reported of %d" % (reported, len(domains)))
print("wall: %.2f s" % wall)
print("rate: %.0f domains/s" % (reported / wall))
print("peak RSS: %.1f MiB" % (usage.ru_maxrss / 1024.0))
print("scanner CPU: %.2f s user, %.2f s system (%.2f ms per domain)"
      % (usage.ru_utime, usage.ru_stime,
         1000.0 * (usage.ru_utime + usage.ru_stime) / max(reported, 1)))
for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1]):
    print("  %5d  %s" % (v, k))
if reported != len(domains):
    sys.exit("bench: not every domain was reported")
