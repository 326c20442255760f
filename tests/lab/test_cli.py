#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The scan command as a user meets it: exit codes, text, transcript,
shared endpoints, and one hostile domain beside good ones."""

import os
import subprocess
import unittest

import labtest


class Cli(unittest.TestCase):

    def test_exit_codes(self):
        self.assertEqual(labtest.run(["good.test"]).rc, 0)
        self.assertEqual(labtest.run(["nullmx.test"]).rc, 0)
        self.assertEqual(labtest.run(["implicit.test"]).rc, 0)
        self.assertEqual(labtest.run(["nostarttls.test"]).rc, 1)
        self.assertEqual(labtest.run(["nxdomain.test"]).rc, 1)

    def test_usage_errors(self):
        for args in ([], ["--format", "xml", "good.test"],
                     ["--timeout", "0", "good.test"],
                     ["--per-ip", "x", "good.test"], ["bad..name"]):
            p = subprocess.run([labtest.MXAUDIT, "scan"] + args,
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertTrue(p.stderr, args)
        p = subprocess.run([labtest.MXAUDIT, "scan", "--ca-file",
                            "/nonexistent/ca.pem", "good.test"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("/nonexistent/ca.pem", p.stderr)

    def test_help(self):
        p = subprocess.run([labtest.MXAUDIT, "scan", "--help"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for opt in ("--format", "--resolver", "--trust-anchor", "--ca-file",
                    "--timeout", "--concurrency", "--per-ip", "--ehlo-name",
                    "--transcript"):
            self.assertIn(opt, p.stdout)

    def test_text_output(self):
        r = labtest.run(["good.test", "nostarttls.test", "nullmx.test"],
                        fmt="text")
        self.assertEqual(r.rc, 1)
        out = r.stdout
        for word in ("good.test", "mx.good.test", "127.0.0.10", "TLSv1.3",
                     "nostarttls.test", "starttls-missing", "nullmx.test"):
            self.assertIn(word, out)
        self.assertNotIn("\x1b[", out, "colour only on a TTY")

    def test_transcript(self):
        r = labtest.run(["--transcript", "good.test"])
        a = labtest.addresses(r.doc("good.test"))[0][1]
        t = a["transcript"]
        self.assertEqual(t[0]["dir"], "*")
        times = [line["t"] for line in t]
        self.assertEqual(times, sorted(times))
        said = [(line["dir"], line["line"].split(" ")[0]) for line in t]
        for step in (("S", "220"), ("C", "EHLO"), ("C", "STARTTLS"),
                     ("C", "QUIT"), ("S", "221")):
            self.assertIn(step, said)
        # EHLO twice: before and after the handshake, which sits between
        ehlos = [i for i, s in enumerate(said) if s == ("C", "EHLO")]
        self.assertEqual(len(ehlos), 2)
        tls = [i for i, line in enumerate(t)
               if line["dir"] == "*" and "TLS established" in line["line"]]
        self.assertTrue(tls and ehlos[0] < tls[0] < ehlos[1], t)
        # without the flag, no transcript
        r = labtest.run(["good.test"])
        a = labtest.addresses(r.doc("good.test"))[0][1]
        self.assertNotIn("transcript", a)

    def test_busy_transcript(self):
        r = labtest.run(["--transcript", "busy.test"])
        a = labtest.addresses(r.doc("busy.test"))[0][1]
        said = [(t["dir"], t["line"]) for t in a["transcript"]]
        first = [i for i, s in enumerate(said) if s[0] == "S"]
        self.assertTrue(said[first[0]][1].startswith("421 "), said)
        self.assertIn(("S", "220 mx.busy.test ESMTP"), said)
        self.assertEqual(labtest.finding_ids(r.doc("busy.test")),
                         {"starttls-missing"})

    def test_ehlo_name(self):
        r = labtest.run(["--transcript", "--ehlo-name", "probe.example.test",
                         "good.test"])
        a = labtest.addresses(r.doc("good.test"))[0][1]
        self.assertIn("EHLO probe.example.test",
                      [line["line"] for line in a["transcript"]])

    def test_shared_endpoint_one_address(self):
        # four domains whose MX names all live on 127.0.0.10, one at a time
        domains = ["good.test", "twomx.test", "implicit.test", "signed.test"]
        r = labtest.run(["--per-ip", "1", "--concurrency", "4"] + domains)
        for d in domains:
            doc = r.doc(d)
            a = doc["mx"][0]["addresses"][0]
            self.assertEqual(a["ip"], "127.0.0.10")
            self.assertTrue(a["tls"]["cert"]["name_match"], d)
            self.assertTrue(a["tls"]["cert"]["trusted"], d)

    def test_one_conversation_per_endpoint(self):
        # good.test and alias.test share mx.good.test: one conversation,
        # the same facts (to the microsecond) in both documents
        r = labtest.run(["--transcript", "good.test", "alias.test"])
        a = labtest.addresses(r.doc("good.test"))[0][1]
        b = labtest.addresses(r.doc("alias.test"))[0][1]
        self.assertEqual(a["transcript"], b["transcript"])
        self.assertEqual(a["tls"], b["tls"])
        connects = [t for t in a["transcript"]
                    if t["line"].startswith("connecting")]
        self.assertEqual(len(connects), 1)

    def test_hostile_beside_good(self):
        # the silent server costs its own deadline, never the others'
        r = labtest.run(["--timeout", "2", "silent.test", "good.test",
                         "refused.test", "nullmx.test"])
        self.assertEqual(labtest.finding_ids(r.doc("good.test")), set())
        a = labtest.addresses(r.doc("good.test"))[0][1]
        self.assertEqual(a["tls"]["version"], "TLSv1.3")
        self.assertEqual(labtest.finding_ids(r.doc("silent.test")),
                         {"smtp-banner-timeout"})
        self.assertEqual(labtest.finding_ids(r.doc("refused.test")),
                         {"smtp-connect-refused"})
        self.assertLess(r.seconds, 10)

    def test_domain_deadline(self):
        r = labtest.run(["--timeout", "5", "--domain-timeout", "1",
                         "silent.test", "nullmx.test"])
        d = r.doc("silent.test")
        self.assertTrue(d["timed_out"])
        self.assertIn("scan-timeout", labtest.finding_ids(d))
        self.assertEqual(labtest.finding_ids(r.doc("nullmx.test")),
                         {"mx-null"})
        self.assertLess(r.seconds, 5)

    def test_dead_resolver(self):
        # nothing answers at 127.0.2.9: every domain gets a clear error
        argv = [labtest.MXAUDIT, "scan", "--format", "json", "--timeout",
                "2", "--resolver", "127.0.2.9", "good.test", "nullmx.test"]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout.count('"id": "dns-timeout"'), 2, p.stdout)

    def test_duplicates_and_case(self):
        r = labtest.run(["GOOD.test.", "good.test"])
        self.assertEqual(list(r.docs), ["good.test"])

    def test_full_recursion_from_lab_root(self):
        # no --resolver: libunbound recurses itself from the lab's root
        hints = os.path.join(labtest.LAB, "dns", "root.hints")
        if not os.path.exists(hints):
            self.skipTest("lab has no root hints file")
        argv = [labtest.MXAUDIT, "scan", "--format", "json",
                "--root-hints", hints,
                "--trust-anchor",
                os.path.join(labtest.LAB, "dns", "trust-anchor.key"),
                "--ca-file", os.path.join(labtest.LAB, "ca", "ca.pem"),
                "signed.test"]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn('"dnssec": "secure"', p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
