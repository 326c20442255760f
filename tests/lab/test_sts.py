#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""MTA-STS (RFC 8461) against real nginx policy hosts, and DANE (RFC 7672)
against TLSA records in the lab's DNSSEC-signed zone, made at lab start
from that run's certificates (tests/lab/README.md)."""

import unittest

import labtest

STS = ["stsgood.test", "stswild.test", "stsnotcovered.test",
       "ststesting.test", "sts404.test", "stsredirect.test",
       "stsbadcert.test", "stsnohost.test", "stsnotxt.test",
       "stsbadmx.test", "stsshort.test", "stsinvalid.test", "stsctype.test",
       "stsbig.test", "stsbadtxt.test", "good.test", "nullmx.test"]
DANE = ["signed.test", "daneee.signed.test", "danebad.signed.test",
        "danepkix.signed.test", "nodane.signed.test",
        "danebogus.signed.test"]


class MtaSts(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.result = labtest.run(["--timeout", "5", "--no-tls-probes"]
                                 + STS + DANE)

    def sts(self, domain):
        return self.result.doc(domain)["mta_sts"]

    def ids(self, domain):
        return labtest.all_ids(self.result.doc(domain))

    def assert_valid(self, domain, mode, mx):
        m = self.sts(domain)
        self.assertTrue(m["valid"], m)
        self.assertIsNone(m["error"])
        self.assertEqual(m["mode"], mode)
        self.assertEqual(m["mx"], mx)
        self.assertEqual(m["fetch"]["status"], 200)
        self.assertTrue(m["txt"].startswith("v=STSv1"))

    def test_enforce_good(self):
        self.assert_valid("stsgood.test", "enforce", ["mx.good.test"])
        self.assertEqual(self.sts("stsgood.test")["id"], "20261128T1200")
        self.assertEqual(self.sts("stsgood.test")["max_age"], 604800)
        self.assertEqual(self.ids("stsgood.test") & {
            "mta-sts-missing", "mta-sts-mx-not-covered",
            "mta-sts-enforce-cert-invalid", "mta-sts-testing"}, set())

    def test_wildcard_covers_mx(self):
        self.assert_valid("stswild.test", "enforce", ["*.good.test"])
        self.assertNotIn("mta-sts-mx-not-covered", self.ids("stswild.test"))

    def test_mx_not_covered(self):
        self.assert_valid("stsnotcovered.test", "enforce",
                          ["mx.elsewhere.test"])
        self.assertIn("mta-sts-mx-not-covered",
                      self.ids("stsnotcovered.test"))

    def test_testing(self):
        self.assert_valid("ststesting.test", "testing", ["mx.good.test"])
        self.assertIn("mta-sts-testing", self.ids("ststesting.test"))

    def test_enforce_with_bad_certificate(self):
        self.assert_valid("stsbadmx.test", "enforce", ["mx.wrongname.test"])
        ids = self.ids("stsbadmx.test")
        self.assertIn("mta-sts-enforce-cert-invalid", ids)
        self.assertIn("cert-name-mismatch", ids)

    def test_max_age_short(self):
        self.assert_valid("stsshort.test", "enforce", ["mx.good.test"])
        self.assertEqual(self.sts("stsshort.test")["max_age"], 3600)
        self.assertIn("mta-sts-max-age-short", self.ids("stsshort.test"))

    def assert_fetch_error(self, domain, error, status=None):
        m = self.sts(domain)
        self.assertFalse(m["valid"])
        self.assertEqual(m["error"], error, m)
        self.assertIsNone(m["mode"])
        self.assertEqual(m["fetch"]["status"], status)
        self.assertIn("mta-sts-" + error, self.ids(domain))

    def test_404(self):
        self.assert_fetch_error("sts404.test", "fetch-status", 404)

    def test_redirect_not_followed(self):
        self.assert_fetch_error("stsredirect.test", "fetch-redirect", 301)
        self.assertEqual(
            self.sts("stsredirect.test")["fetch"]["location"],
            "https://mta-sts.stsgood.test/.well-known/mta-sts.txt")

    def test_wrong_certificate(self):
        self.assert_fetch_error("stsbadcert.test", "fetch-cert")

    def test_no_policy_host(self):
        self.assert_fetch_error("stsnohost.test", "fetch-dns")
        self.assertFalse(self.sts("stsnohost.test")["fetch"]["attempted"])

    def test_content_type(self):
        self.assert_fetch_error("stsctype.test", "fetch-content-type", 200)

    def test_too_large(self):
        self.assert_fetch_error("stsbig.test", "fetch-too-large", 200)

    def test_invalid_policy(self):
        m = self.sts("stsinvalid.test")
        self.assertFalse(m["valid"])
        self.assertEqual(m["error"], "policy-invalid")
        self.assertTrue(any(p.startswith("line 2:") for p in m["problems"]))
        self.assertIn("mta-sts-policy-invalid", self.ids("stsinvalid.test"))

    def test_policy_without_record(self):
        m = self.sts("stsnotxt.test")
        self.assertFalse(m["valid"])
        self.assertIsNone(m["txt"])
        self.assertEqual(m["error"], "policy-without-record")
        self.assertEqual(m["mode"], "enforce")
        self.assertIn("mta-sts-policy-without-record",
                      self.ids("stsnotxt.test"))

    def test_invalid_record(self):
        m = self.sts("stsbadtxt.test")
        self.assertEqual(m["error"], "txt-invalid")
        self.assertIn("mta-sts-txt-invalid", self.ids("stsbadtxt.test"))

    def test_none_published(self):
        m = self.sts("good.test")
        self.assertIsNone(m["txt"])
        self.assertIsNone(m["error"])
        self.assertFalse(m["valid"])
        self.assertIn("mta-sts-missing", self.ids("good.test"))

    def test_no_mail_no_policy_check(self):
        self.assertIsNone(self.result.doc("nullmx.test")["mta_sts"])

    # ---- DANE

    def dane(self, domain):
        mx = self.result.doc(domain)["mx"]
        self.assertEqual(len(mx), 1)
        return mx[0]["dane"]

    def test_dane_ta(self):
        d = self.dane("signed.test")
        self.assertEqual(d["status"], "valid")
        self.assertTrue(d["tlsa"][0].startswith("2 0 1 "))
        self.assertIn("dane-valid", self.ids("signed.test"))

    def test_dane_ee(self):
        d = self.dane("daneee.signed.test")
        self.assertEqual(d["status"], "valid")
        self.assertEqual(d["usable"], 1)
        self.assertIn("dane-valid", self.ids("daneee.signed.test"))

    def test_dane_mismatch(self):
        d = self.dane("danebad.signed.test")
        self.assertEqual(d["status"], "mismatch")
        self.assertIn("127.0.0.10", d["detail"])
        self.assertIn("tlsa-mismatch", self.ids("danebad.signed.test"))

    def test_dane_pkix_unusable(self):
        d = self.dane("danepkix.signed.test")
        self.assertEqual(d["status"], "none")  # nothing SMTP can use
        self.assertEqual(d["usable"], 0)
        self.assertEqual(d["unusable_pkix"], 1)
        self.assertIn("tlsa-unusable-usage",
                      self.ids("danepkix.signed.test"))

    def test_dane_none(self):
        d = self.dane("nodane.signed.test")
        self.assertEqual(d["status"], "none")
        self.assertEqual(d["dns"]["dnssec"], "secure")
        self.assertIn("dane-missing", self.ids("nodane.signed.test"))

    def test_dane_bogus(self):
        d = self.dane("danebogus.signed.test")
        self.assertEqual(d["status"], "bogus")
        self.assertIn("tlsa-bogus", self.ids("danebogus.signed.test"))

    def test_dane_insecure(self):
        d = self.dane("good.test")
        self.assertEqual(d["status"], "insecure")
        self.assertIsNone(d["dns"])
        self.assertIn("tlsa-insecure", self.ids("good.test"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
