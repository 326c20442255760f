#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The history: scans stored in SQLite (--db), JSONL parts loaded with
`mxaudit import`, `mxaudit diff` between runs (regressions first) and
`mxaudit report` writing one self-contained HTML page."""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

import labtest

DOMAINS = ["good.test", "nostarttls.test", "compliant.test", "xss.test"]


def mx(*args, stdin=None):
    return subprocess.run([labtest.MXAUDIT] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=120)


class History(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.db = os.path.join(cls.tmp, "history.db")
        # run 1: a scan, stored
        cls.scan = labtest.run(["--timeout", "5", "--no-tls-probes",
                                "--db", cls.db] + DOMAINS, fmt="jsonl")
        # run 2: the same documents, imported, with compliant.test's DMARC
        # weakened and good.test gone: what diff must find
        lines = []
        for line in cls.scan.stdout.split("\n"):
            if not line.strip():
                continue
            d = json.loads(line)
            if d["domain"] == "good.test":
                continue
            if d["domain"] == "compliant.test":
                d["dmarc"]["policy"] = "none"
                d["bod1801"]["mail"]["compliant"] = False
                d["bod1801"]["mail"]["failures"] = ["dmarc-policy-reject"]
            lines.append(json.dumps(d))
        lines.append("{not json")
        cls.part = os.path.join(cls.tmp, "part.jsonl")
        with open(cls.part, "w") as f:
            f.write("\n".join(lines) + "\n")
        cls.imp = mx("import", "--db", cls.db, cls.part)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_scan_stored(self):
        con = sqlite3.connect(self.db)
        runs = con.execute("SELECT id, source, domains, finished_at "
                           "FROM runs ORDER BY id").fetchall()
        self.assertEqual(runs[0][1:3], ("scan", len(DOMAINS)))
        self.assertIsNotNone(runs[0][3])
        got = {r[0] for r in con.execute(
            "SELECT domain FROM results WHERE run_id = ?", (runs[0][0],))}
        self.assertEqual(got, set(DOMAINS))
        n = con.execute("SELECT count(*) FROM findings WHERE run_id = ? "
                        "AND id = 'starttls-missing'",
                        (runs[0][0],)).fetchone()[0]
        self.assertEqual(n, 1)

    def test_import_rejects_bad_lines(self):
        self.assertEqual(self.imp.returncode, 1, self.imp.stderr)
        self.assertIn("part.jsonl:%d" % len(DOMAINS), self.imp.stderr)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute(
            "SELECT source, domains FROM runs ORDER BY id DESC LIMIT 1")
            .fetchone(), ("import", len(DOMAINS) - 1))

    def test_diff_regressions_first(self):
        r = mx("diff", "--db", self.db)
        self.assertEqual(r.returncode, 1, r.stderr)   # a regression
        lines = [l for l in r.stdout.split("\n")
                 if l.strip() and not l.startswith("run ")]
        self.assertTrue(lines[0].startswith("compliant.test: regression"),
                        r.stdout)
        self.assertIn("dmarc-weakened", r.stdout)
        self.assertIn("dmarc", r.stdout.lower())
        self.assertIn("good.test", r.stdout)            # removed
        j = mx("diff", "--db", self.db, "--format", "json")
        self.assertEqual(j.returncode, 1)
        json.loads(j.stdout)

    def test_report_page(self):
        out = os.path.join(self.tmp, "report.html")
        r = mx("report", "--db", self.db, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        page = open(out, encoding="ascii").read()
        self.assertIn("compliant.test", page)
        self.assertNotIn("<script>document.body", page)  # xss.test's banner
        self.assertNotIn("http://", page.split("<body", 1)[0].lower()
                         .replace('http-equiv', ''))


if __name__ == "__main__":
    unittest.main(verbosity=2)
