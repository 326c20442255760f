#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The web side (`--checks web`): pshtt's conclusions and the BOD 18-01 web
verdict against real nginx sites (tests/lab/README.md), HSTS, the local
preload list, the TLS probes of port 443 and pshtt's CSV columns."""

import csv
import io
import os
import tempfile
import unittest

import labtest

SITES = ["webnohttps.test", "webnoredirect.test", "webgood.test",
         "webchain.test", "webhstsshort.test", "webbadcert.test",
         "webwww.test", "webdowngrade.test", "webexternal.test",
         "nxdomain.test"]

# a local copy of the preload list, in Chromium's format (// comments)
PRELOAD = """{
  // the lab's preload list: webgood.test itself, and a parent entry
  "entries": [
    { "name": "webgood.test", "policy": "custom", "mode": "force-https",
      "include_subdomains": true },
    { "name": "test-not-this", "mode": "force-https" }
  ]
}
"""


class Web(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        fd, cls.preload = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            f.write(PRELOAD)
        cls.result = labtest.run(["--timeout", "5", "--checks", "web",
                                  "--hsts-preload-list", cls.preload]
                                 + SITES)

    @classmethod
    def tearDownClass(cls):
        os.unlink(cls.preload)

    def web(self, domain):
        return self.result.doc(domain)["web"]

    def bod(self, domain):
        b = self.result.doc(domain)["bod1801"]["web"]
        return b["compliant"], b["failures"]

    def ids(self, domain):
        return labtest.all_ids(self.result.doc(domain))

    def endpoint(self, domain, url):
        for e in self.web(domain)["endpoints"]:
            if e["url"] == url:
                return e
        raise AssertionError("no endpoint %s" % url)

    def test_mail_side_not_checked(self):
        d = self.result.doc("webgood.test")
        self.assertEqual(d["mx"], [])
        self.assertIsNone(d["bod1801"]["mail"])
        self.assertIsNone(d["spf"])

    def test_good(self):
        w = self.web("webgood.test")
        self.assertEqual(w["canonical_url"], "https://webgood.test/")
        for key in ("valid_https", "defaults_to_https", "supports_https",
                    "enforces_https", "strictly_forces_https", "strong_hsts",
                    "hsts_entire_domain", "hsts_preload_ready"):
            self.assertTrue(w[key], key)
        self.assertEqual(w["hsts_max_age"], 31536000)
        self.assertEqual(w["hsts_header"],
                         "max-age=31536000; includeSubDomains; preload")
        self.assertTrue(w["hsts_preloaded"])
        self.assertEqual(self.bod("webgood.test"), (True, []))
        # http goes to https on the same host first
        e = self.endpoint("webgood.test", "http://webgood.test/")
        self.assertEqual((e["status"], e["redirect_to"]),
                         (301, "https://webgood.test/"))
        # the TLS probes of port 443 ran (nginx: TLS 1.2 and 1.3 only)
        self.assertTrue(self.result.doc("webgood.test")
                        ["bod1801"]["web"]["tls_probed"])
        tls = w["tls"]
        self.assertEqual(tls["protocols"],
                         {"sslv2": False, "sslv3": False, "tls1.0": False,
                          "tls1.1": False, "tls1.2": True, "tls1.3": True})
        self.assertEqual(set(tls["weak_ciphers"].values()), {False})
        self.assertTrue(w["server_header"].startswith("nginx"))

    def test_no_https(self):
        w = self.web("webnohttps.test")
        self.assertTrue(w["live"])
        self.assertFalse(w["https_live"])
        self.assertFalse(w["supports_https"])
        self.assertEqual(w["canonical_url"], "http://webnohttps.test/")
        self.assertIn("web-https-missing", self.ids("webnohttps.test"))
        self.assertIn("https", self.bod("webnohttps.test")[1])

    def test_https_without_redirect(self):
        w = self.web("webnoredirect.test")
        self.assertTrue(w["supports_https"])
        self.assertFalse(w["strictly_forces_https"])
        self.assertFalse(w["enforces_https"])
        self.assertIsNone(w["hsts_header"])
        self.assertIn("web-http-not-redirected",
                      self.ids("webnoredirect.test"))
        self.assertIn("web-hsts-missing", self.ids("webnoredirect.test"))

    def test_redirect_chain(self):
        e = self.endpoint("webchain.test", "http://webchain.test/")
        self.assertEqual([h["url"] for h in e["hops"]],
                         ["http://webchain.test/", "http://www.webchain.test/",
                          "https://www.webchain.test/"])
        self.assertEqual(e["eventual_url"], "https://www.webchain.test/")
        w = self.web("webchain.test")
        self.assertEqual(w["canonical_url"], "https://www.webchain.test/")
        # the root's http:// goes to http://www first: not strict
        self.assertFalse(w["strictly_forces_https"])
        self.assertEqual(self.bod("webchain.test"), (False, ["enforce-https"]))

    def test_hsts_short(self):
        w = self.web("webhstsshort.test")
        self.assertTrue(w["hsts"])
        self.assertEqual(w["hsts_max_age"], 300)
        self.assertFalse(w["strong_hsts"])
        self.assertIn("web-hsts-short", self.ids("webhstsshort.test"))
        self.assertEqual(self.bod("webhstsshort.test"),
                         (False, ["strong-hsts"]))

    def test_invalid_certificate(self):
        w = self.web("webbadcert.test")
        self.assertTrue(w["https_bad_hostname"])
        self.assertFalse(w["valid_https"])
        self.assertFalse(w["supports_https"])
        e = self.endpoint("webbadcert.test", "https://webbadcert.test/")
        self.assertTrue(e["tls_handshake"])
        self.assertFalse(e["cert_valid"])
        self.assertIn("web-https-invalid-cert", self.ids("webbadcert.test"))

    def test_www_only(self):
        w = self.web("webwww.test")
        self.assertEqual(w["canonical_url"], "https://www.webwww.test/")
        self.assertTrue(w["supports_https"])
        self.assertTrue(w["enforces_https"])
        self.assertEqual(self.bod("webwww.test"), (True, []))

    def test_downgrade(self):
        w = self.web("webdowngrade.test")
        self.assertTrue(w["downgrades_https"])
        self.assertFalse(w["supports_https"])
        self.assertIn("web-https-downgrades", self.ids("webdowngrade.test"))

    def test_redirect_elsewhere(self):
        w = self.web("webexternal.test")
        self.assertTrue(w["redirect"])
        self.assertEqual(w["redirect_to"], "https://webgood.test/")
        self.assertIn("web-redirects-elsewhere", self.ids("webexternal.test"))

    def test_not_live_not_scored(self):
        w = self.web("nxdomain.test")
        self.assertFalse(w["live"])
        self.assertEqual(self.bod("nxdomain.test"), (None, []))


PSHTT_COLUMNS = [
    "Domain", "Base Domain", "Canonical URL", "Live", "HTTPS Live",
    "HTTPS Full Connection", "HTTPS Client Auth Required", "Redirect",
    "Redirect To", "Valid HTTPS", "HTTPS Publicly Trusted",
    "HTTPS Custom Truststore Trusted", "Defaults to HTTPS",
    "Downgrades HTTPS", "Strictly Forces HTTPS", "HTTPS Bad Chain",
    "HTTPS Bad Hostname", "HTTPS Expired Cert", "HTTPS Self Signed Cert",
    "HSTS", "HSTS Header", "HSTS Max Age", "HSTS Entire Domain",
    "HSTS Preload Ready", "HSTS Preload Pending", "HSTS Preloaded",
    "Base Domain HSTS Preloaded", "Domain Supports HTTPS",
    "Domain Enforces HTTPS", "Domain Uses Strong HSTS", "IP",
    "Server Header", "Server Version", "HTTPS Cert Chain Length",
    "HTTPS Probably Missing Intermediate Cert", "Notes", "Unknown Error"]


class PshttCsv(unittest.TestCase):

    def test_columns_and_values(self):
        r = labtest.run(["--timeout", "5", "--checks", "web",
                         "webgood.test", "webhstsshort.test"], fmt="csv")
        rows = list(csv.reader(io.StringIO(r.stdout, newline="")))
        self.assertEqual(rows[0], PSHTT_COLUMNS)
        byname = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
        good = byname["webgood.test"]
        self.assertEqual(good["Canonical URL"], "https://webgood.test")
        self.assertEqual(good["Domain Enforces HTTPS"], "True")
        self.assertEqual(good["HSTS Max Age"], "31536000")
        self.assertEqual(byname["webhstsshort.test"]
                         ["Domain Uses Strong HSTS"], "False")


if __name__ == "__main__":
    unittest.main(verbosity=2)
