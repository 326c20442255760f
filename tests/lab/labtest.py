# SPDX-License-Identifier: ISC
"""labtest - run mxaudit against the lab and read its JSON back.

The lab tests import this. ctest sets MXAUDIT (the binary), MXAUDIT_LAB
(the running lab's state directory) and MXAUDIT_SRC (the source tree).
Every document the scanner prints is validated against
docs/scan-result.schema.json before a test sees it.
"""

import os
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("MXAUDIT_SRC",
                     os.path.dirname(os.path.dirname(os.path.dirname(
                         os.path.abspath(__file__)))))
MXAUDIT = os.environ.get("MXAUDIT", os.path.join(SRC, "build", "mxaudit"))
LAB = os.environ.get("MXAUDIT_LAB", os.path.join(SRC, "build", "lab"))

sys.path.insert(0, os.path.join(SRC, "tests", "unit"))
import validate_schema  # noqa: E402

# Every scan keeps a history (~/.local/share/mxaudit by default): the
# tests' scans go to a directory of their own, not the user's.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="mxaudit-test-")

_validator = validate_schema.load_validator(
    os.path.join(SRC, "docs", "scan-result.schema.json"))


def lab_flags():
    """The flags that point the scanner at the lab's DNS and CA."""
    return ["--resolver", "127.0.2.2",
            "--trust-anchor", os.path.join(LAB, "dns", "trust-anchor.key"),
            "--ca-file", os.path.join(LAB, "ca", "ca.pem")]


class Run:
    """One finished mxaudit run."""

    def __init__(self, argv, proc, seconds):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.docs = {}

    def doc(self, domain):
        if domain not in self.docs:
            raise AssertionError("no result for %s in %s\nstderr: %s"
                                 % (domain, sorted(self.docs), self.stderr))
        return self.docs[domain]


def run(args, fmt="json", timeout=300):
    """Run mxaudit scan with the lab flags; parse and validate JSON."""
    argv = [MXAUDIT, "scan", "--format", fmt] + lab_flags() + list(args)
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, errors="replace")
    r = Run(argv, proc, time.monotonic() - t0)
    if fmt in ("json", "jsonl"):
        errors = validate_schema.validate_text(_validator, proc.stdout,
                                               "mxaudit stdout")
        if errors:
            raise AssertionError("schema: " + "\n".join(errors)
                                 + "\nstderr: " + proc.stderr)
        for _line, doc in validate_schema.load_documents(proc.stdout):
            r.docs[doc["domain"]] = doc
    return r


# What almost every lab domain lacks: the absence of a protection it does
# not publish (no MTA-STS, no DANE, no SPF ...). finding_ids leaves these
# out, so a transport scenario's test names what that scenario is about;
# the policy tests (test_policies.py) ask for all_ids.
ABSENT = {"mta-sts-missing", "tlsa-insecure", "dane-missing", "spf-missing",
          "dmarc-missing", "tls-rpt-missing", "bod1801-mail-noncompliant"}


def run_cmd(args, timeout=120):
    """Run another subcommand (args[0]) with the lab's DNS flags."""
    argv = ([MXAUDIT, args[0], "--resolver", "127.0.2.2", "--trust-anchor",
             os.path.join(LAB, "dns", "trust-anchor.key")] + list(args[1:]))
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout, errors="replace")
    return Run(argv, proc, time.monotonic() - t0)


def all_ids(doc, mx=None, ip=None):
    """Every finding id of a document (optionally for one MX / IP)."""
    return {f["id"] for f in doc["findings"]
            if (mx is None or f["mx"] == mx) and (ip is None or f["ip"] == ip)}


def finding_ids(doc, mx=None, ip=None):
    """The finding ids of a document, without the ABSENT ones."""
    return all_ids(doc, mx, ip) - ABSENT


def addresses(doc):
    """Every address object of a document, as (mx host, address) pairs."""
    return [(m["host"], a) for m in doc["mx"] for a in m["addresses"]]
