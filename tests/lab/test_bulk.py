#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Bulk scanning: --input (lines, comments, CSV, IDN, duplicates, invalid
names), --format jsonl, and --shard K/N: four shards together equal the
unsharded scan, domain for domain."""

import json
import os
import subprocess
import tempfile
import unittest

import labtest


def jsonl(run):
    docs = {}
    for line in run.stdout.split("\n"):
        if line.strip():
            d = json.loads(line)
            docs[d["domain"]] = d
    return docs


class Bulk(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        with open(os.path.join(cls.tmp, "lab.txt"), "w") as f:
            f.write("# the lab's mail domains\n\n")
            for d in ["good.test", "nostarttls.test", "selfsigned.test",
                      "twomx.test", "nullmx.test", "implicit.test",
                      "compliant.test", "sub.compliant.test", "stsgood.test",
                      "dmarcnone.test", "spfsoft.test", "nxdomain.test"]:
                f.write(d + "\n")
            f.write("GOOD.Test.\n")         # a duplicate, once normalised
            f.write("not a domain!\n")      # invalid: reported, skipped
            f.write("  refused.test  \n")   # white space trimmed
        with open(os.path.join(cls.tmp, "inventory.csv"), "w") as f:
            f.write("Agency,Domain,Notes\n")
            f.write('Lab,"expired.test","a quoted, commaed note"\n')
            f.write("Lab,wrongname.test,\n")
            f.write("Lab,bücher.test,IDN\n")

    def scan(self, *args):
        return labtest.run(["--timeout", "5", "--no-tls-probes"]
                           + list(args), fmt="jsonl")

    def test_input_files(self):
        r = self.scan("--input", os.path.join(self.tmp, "lab.txt"),
                      "--input", os.path.join(self.tmp, "inventory.csv"),
                      "alias.test")
        docs = jsonl(r)
        # one line per domain, each a complete document
        self.assertEqual(len(docs), len(r.stdout.strip().splitlines()))
        self.assertIn("good.test", docs)
        self.assertIn("refused.test", docs)
        self.assertIn("expired.test", docs)
        self.assertIn("wrongname.test", docs)
        self.assertIn("alias.test", docs)
        self.assertIn("xn--bcher-kva.test", docs)     # IDN to A-label
        self.assertEqual(len(docs), 17)               # duplicate dropped
        self.assertIn("lab.txt:16: invalid domain name", r.stderr)
        self.assertEqual(r.rc, 1)  # error findings, and an invalid name

    def test_stdin(self):
        argv = [labtest.MXAUDIT, "scan", "--format", "jsonl",
                "--no-tls-probes"] + labtest.lab_flags() + ["--input", "-"]
        proc = subprocess.run(argv, input="good.test\ncompliant.test\n",
                              capture_output=True, text=True, timeout=120)
        docs = {json.loads(l)["domain"] for l in proc.stdout.splitlines()}
        self.assertEqual(docs, {"good.test", "compliant.test"})

    def test_shards_equal_the_whole(self):
        path = os.path.join(labtest.LAB, "domains.txt")
        whole = jsonl(self.scan("--input", path))
        parts = {}
        for k in range(4):
            part = jsonl(self.scan("--input", path, "--shard", "%d/4" % k))
            self.assertFalse(set(part) & set(parts),
                             "shards overlap: %s" % (set(part) & set(parts)))
            parts.update(part)
        self.assertEqual(set(parts), set(whole))
        for d in whole:
            self.assertEqual(labtest.all_ids(parts[d]),
                             labtest.all_ids(whole[d]), d)

    def test_per_ip_rate(self):
        # a limiter's property, not a speed goal: n connections to one
        # address at R per second cannot take less than (n - 1) / R
        r = labtest.run(["--timeout", "5", "--per-ip-rate", "20",
                         "good.test", "alias.test"], fmt="jsonl")
        doc = jsonl(r)["good.test"]
        tls = doc["mx"][0]["addresses"][0]["tls"]
        conns = 1 + tls["probe_connections"]  # receiver test + probes
        self.assertGreater(conns, 5)
        self.assertGreaterEqual(doc["duration_ms"],
                                1000.0 * (conns - 1) / 20 - 20)

    def test_bad_shard(self):
        for bad in ("4/4", "1/0", "x/2", "1"):
            proc = subprocess.run([labtest.MXAUDIT, "scan", "--shard", bad,
                                   "good.test"], capture_output=True,
                                  text=True, timeout=30)
            self.assertEqual(proc.returncode, 2, bad)
            self.assertIn("--shard", proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
