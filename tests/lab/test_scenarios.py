#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Every lab scenario, scanned together in one run, asserted through JSON.

The scenarios and their servers are listed in tests/lab/README.md.
"""

import unittest

import labtest

DOMAINS = ["good.test", "nostarttls.test", "selfsigned.test", "expired.test",
           "wrongname.test", "twomx.test", "nullmx.test", "implicit.test",
           "ipv6.test", "nxdomain.test", "refused.test", "silent.test",
           "mangled.test", "starttlserr.test", "tlsfail.test",
           "mxnoaddr.test", "signed.test", "busy.test", "servfail.test",
           "dnstimeout.test", "bogus.signed.test", "cname.test",
           "literal.test", "inject.test", "noehlo.test", "reject.test"]

# the scan's stage deadline: the silent server costs exactly this much
TIMEOUT = 3


class Scenarios(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.result = labtest.run(["--timeout", str(TIMEOUT)] + DOMAINS)

    def doc(self, domain):
        return self.result.doc(domain)

    def only_address(self, domain):
        addrs = labtest.addresses(self.doc(domain))
        self.assertEqual(len(addrs), 1, addrs)
        return addrs[0][1]

    def assert_tls_good(self, addr):
        self.assertTrue(addr["smtp"]["starttls"])
        tls = addr["tls"]
        self.assertIsNotNone(tls)
        self.assertTrue(tls["handshake"])
        self.assertEqual(tls["version"], "TLSv1.3")
        self.assertTrue(tls["cipher"].startswith("TLS_"))
        self.assertIsNotNone(tls["group"])
        cert = tls["cert"]
        self.assertTrue(cert["trusted"], cert["verify_error"])
        self.assertTrue(cert["name_match"])
        self.assertFalse(cert["expired"])
        self.assertGreater(cert["days_left"], 300)
        self.assertEqual(cert["key_type"], "RSA")
        self.assertEqual(cert["key_bits"], 2048)
        self.assertGreaterEqual(len(cert["chain"]), 1)
        # capabilities were asked again after the handshake
        self.assertTrue(addr["smtp"]["capabilities_tls"])
        self.assertNotIn("STARTTLS",
                         [c.upper() for c in addr["smtp"]["capabilities_tls"]])

    def test_every_domain_reported(self):
        self.assertEqual(sorted(self.result.docs), sorted(DOMAINS))
        self.assertEqual(self.result.rc, 1, self.result.stderr)

    def test_good(self):
        d = self.doc("good.test")
        self.assertEqual(d["status"], "ok")
        self.assertEqual(d["mx_source"], "mx")
        self.assertTrue(d["accepts_mail"])
        self.assertEqual(d["dns"]["mx"]["dnssec"], "insecure")
        self.assertEqual([(m["host"], m["preference"]) for m in d["mx"]],
                         [("mx.good.test", 10)])
        a = self.only_address("good.test")
        self.assertEqual((a["ip"], a["family"], a["port"]),
                         ("127.0.0.10", 4, 25))
        self.assertEqual(a["smtp"]["banner_code"], 220)
        self.assertTrue(a["smtp"]["banner"].startswith("mx.good.test"))
        self.assertTrue(a["smtp"]["ehlo"])
        self.assert_tls_good(a)
        self.assertEqual(a["tls"]["cert"]["subject"].count("CN="), 1)
        self.assertIn("mx.good.test", a["tls"]["cert"]["san"])
        self.assertEqual(labtest.finding_ids(d), set())
        self.assertTrue(d["summary"]["starttls_all"])

    def test_no_starttls(self):
        d = self.doc("nostarttls.test")
        a = self.only_address("nostarttls.test")
        self.assertTrue(a["smtp"]["ehlo"])
        self.assertFalse(a["smtp"]["starttls"])
        self.assertIsNone(a["tls"])
        self.assertEqual(labtest.finding_ids(d), {"starttls-missing"})
        f = d["findings"][0]
        self.assertEqual((f["severity"], f["mx"], f["ip"]),
                         ("error", "mx.nostarttls.test", "127.0.0.11"))

    def test_self_signed(self):
        d = self.doc("selfsigned.test")
        cert = self.only_address("selfsigned.test")["tls"]["cert"]
        self.assertFalse(cert["trusted"])
        self.assertTrue(cert["self_signed"])
        self.assertTrue(cert["name_match"])
        self.assertEqual(cert["verify_code"], 18)
        self.assertEqual(labtest.finding_ids(d), {"cert-self-signed"})

    def test_expired(self):
        d = self.doc("expired.test")
        cert = self.only_address("expired.test")["tls"]["cert"]
        self.assertTrue(cert["expired"])
        self.assertFalse(cert["trusted"])
        self.assertTrue(cert["name_match"])
        self.assertLess(cert["days_left"], 0)
        self.assertTrue(cert["not_after"].startswith("202"))
        self.assertEqual(labtest.finding_ids(d), {"cert-expired"})

    def test_wrong_name(self):
        d = self.doc("wrongname.test")
        cert = self.only_address("wrongname.test")["tls"]["cert"]
        self.assertTrue(cert["trusted"])
        self.assertFalse(cert["name_match"])
        self.assertEqual(cert["san"], ["other.example.test"])
        self.assertEqual(labtest.finding_ids(d), {"cert-name-mismatch"})

    def test_two_mx_one_bad(self):
        d = self.doc("twomx.test")
        self.assertEqual([(m["host"], m["preference"]) for m in d["mx"]],
                         [("mx1.twomx.test", 10), ("mx2.twomx.test", 20)])
        self.assertEqual(labtest.finding_ids(d, mx="mx1.twomx.test"), set())
        self.assertEqual(labtest.finding_ids(d, mx="mx2.twomx.test"),
                         {"starttls-missing"})
        self.assert_tls_good(d["mx"][0]["addresses"][0])
        self.assertFalse(d["summary"]["starttls_all"])

    def test_null_mx(self):
        d = self.doc("nullmx.test")
        self.assertEqual(d["status"], "ok")
        self.assertEqual(d["mx_source"], "null")
        self.assertFalse(d["accepts_mail"])
        self.assertEqual(d["mx"], [])
        self.assertEqual([(f["id"], f["severity"]) for f in d["findings"]
                          if f["id"] not in labtest.ABSENT],
                         [("mx-null", "info")])
        # a domain that takes no mail has no MTA-STS to check
        self.assertIsNone(d["mta_sts"])

    def test_implicit_mx(self):
        d = self.doc("implicit.test")
        self.assertEqual(d["mx_source"], "implicit")
        self.assertEqual([(m["host"], m["preference"]) for m in d["mx"]],
                         [("implicit.test", None)])
        self.assert_tls_good(self.only_address("implicit.test"))
        self.assertEqual([(f["id"], f["severity"]) for f in d["findings"]
                          if f["id"] not in labtest.ABSENT],
                         [("mx-implicit", "warning")])

    def test_ipv6(self):
        d = self.doc("ipv6.test")
        a = self.only_address("ipv6.test")
        self.assertEqual((a["ip"], a["family"]), ("::1", 6))
        self.assertEqual(d["mx"][0]["dns"]["aaaa"]["status"], "ok")
        self.assertEqual(d["mx"][0]["dns"]["a"]["status"], "nodata")
        self.assert_tls_good(a)
        self.assertEqual(labtest.finding_ids(d), set())

    def test_nxdomain(self):
        d = self.doc("nxdomain.test")
        self.assertEqual(d["status"], "error")
        self.assertEqual(d["dns"]["mx"]["status"], "nxdomain")
        self.assertEqual(d["dns"]["mx"]["rcode"], 3)
        self.assertEqual(labtest.finding_ids(d), {"dns-nxdomain"})

    def test_refused(self):
        d = self.doc("refused.test")
        a = self.only_address("refused.test")
        self.assertFalse(a["connect"]["ok"])
        self.assertEqual((a["result"]["stage"], a["result"]["failure"]),
                         ("connect", "refused"))
        self.assertEqual(labtest.finding_ids(d), {"smtp-connect-refused"})

    def test_silent(self):
        d = self.doc("silent.test")
        a = self.only_address("silent.test")
        self.assertTrue(a["connect"]["ok"])
        self.assertIsNone(a["smtp"]["banner"])
        self.assertEqual((a["result"]["stage"], a["result"]["failure"]),
                         ("banner", "timeout"))
        # it ends on its deadline, not later
        self.assertGreaterEqual(a["duration_ms"], TIMEOUT * 1000 * 0.9)
        self.assertLess(a["duration_ms"], TIMEOUT * 1000 + 2000)
        self.assertEqual(labtest.finding_ids(d), {"smtp-banner-timeout"})

    def test_mangled(self):
        d = self.doc("mangled.test")
        a = self.only_address("mangled.test")
        self.assertFalse(a["smtp"]["starttls"])
        self.assertTrue(a["smtp"]["starttls_mangled"])
        self.assertEqual(a["smtp"]["mangled_token"], "XXXXXXXA")
        self.assertIn("XXXXXXXA", a["smtp"]["capabilities"])
        self.assertEqual(labtest.finding_ids(d), {"starttls-mangled"})

    def test_starttls_error(self):
        d = self.doc("starttlserr.test")
        a = self.only_address("starttlserr.test")
        self.assertTrue(a["smtp"]["starttls"])
        self.assertEqual(a["smtp"]["starttls_code"], 454)
        self.assertIsNone(a["tls"])
        self.assertEqual(labtest.finding_ids(d), {"starttls-rejected"})

    def test_tls_fails_after_220(self):
        d = self.doc("tlsfail.test")
        a = self.only_address("tlsfail.test")
        self.assertEqual(a["smtp"]["starttls_code"], 220)
        self.assertFalse(a["tls"]["handshake"])
        self.assertTrue(a["tls"]["error"])
        self.assertIn("starttls-handshake-failed", labtest.finding_ids(d))

    def test_mx_without_address(self):
        d = self.doc("mxnoaddr.test")
        self.assertEqual(d["mx"][0]["host"], "mx.nowhere.test")
        self.assertEqual(d["mx"][0]["addresses"], [])
        self.assertEqual(d["mx"][0]["dns"]["a"]["status"], "nxdomain")
        self.assertEqual(labtest.finding_ids(d), {"mx-no-address"})

    def test_dnssec_signed(self):
        d = self.doc("signed.test")
        self.assertEqual(d["dns"]["mx"]["dnssec"], "secure")
        self.assertEqual(d["mx"][0]["dns"]["a"]["dnssec"], "secure")
        self.assert_tls_good(self.only_address("signed.test"))
        # the DANE-TA(2) record of the lab CA matches the chain sent
        self.assertEqual(labtest.finding_ids(d), {"dane-valid"})
        self.assertEqual(d["mx"][0]["dane"]["status"], "valid")

    def test_servfail(self):
        d = self.doc("servfail.test")
        self.assertEqual(d["status"], "error")
        self.assertEqual(d["dns"]["mx"]["status"], "servfail")
        self.assertEqual(labtest.finding_ids(d), {"dns-servfail"})

    def test_dns_timeout(self):
        d = self.doc("dnstimeout.test")
        self.assertEqual(d["status"], "error")
        self.assertEqual(d["dns"]["mx"]["status"], "timeout")
        self.assertEqual(labtest.finding_ids(d), {"dns-timeout"})
        # the query's deadline, not the resolver's patience
        self.assertLess(d["duration_ms"], TIMEOUT * 1000 + 2000)

    def test_dnssec_bogus(self):
        d = self.doc("bogus.signed.test")
        self.assertEqual(d["status"], "error")
        self.assertEqual(d["dns"]["mx"]["dnssec"], "bogus")
        self.assertTrue(d["dns"]["mx"]["why_bogus"])
        # bogus data is never used: no MX, no connection
        self.assertEqual(d["mx"], [])
        self.assertEqual(labtest.finding_ids(d), {"dnssec-bogus"})

    def test_mx_cname(self):
        d = self.doc("cname.test")
        self.assertEqual(d["mx"][0]["host"], "mx.cname.test")
        self.assertEqual(d["mx"][0]["cname"], "mx.good.test")
        a = self.only_address("cname.test")
        self.assertEqual(a["ip"], "127.0.0.10")
        # SNI and the name check use the MX name, not the alias target
        self.assertFalse(a["tls"]["cert"]["name_match"])
        self.assertEqual(labtest.finding_ids(d),
                         {"mx-cname", "cert-name-mismatch"})

    def test_mx_address_literal(self):
        d = self.doc("literal.test")
        self.assertEqual(d["mx"][0]["host"], "127.0.0.10")
        self.assertEqual(d["mx"][0]["addresses"], [])
        self.assertEqual(labtest.finding_ids(d), {"mx-address-literal"})

    def test_starttls_injection(self):
        d = self.doc("inject.test")
        a = self.only_address("inject.test")
        self.assertTrue(a["smtp"]["starttls_leftover"])
        self.assertIn("starttls-injection", labtest.finding_ids(d))

    def test_ehlo_refused(self):
        d = self.doc("noehlo.test")
        a = self.only_address("noehlo.test")
        self.assertFalse(a["smtp"]["ehlo"])
        self.assertTrue(a["smtp"]["helo_fallback"])
        self.assertEqual(labtest.finding_ids(d), {"smtp-ehlo-rejected"})

    def test_banner_rejected(self):
        d = self.doc("reject.test")
        a = self.only_address("reject.test")
        self.assertEqual(a["smtp"]["banner_code"], 554)
        self.assertEqual(labtest.finding_ids(d), {"smtp-banner-rejected"})

    def test_busy_is_retried(self):
        # 421 first ("too many connections"), then a real conversation:
        # the verdict is about that conversation, not about the 421
        d = self.doc("busy.test")
        a = self.only_address("busy.test")
        self.assertEqual(a["smtp"]["banner_code"], 220)
        self.assertTrue(a["smtp"]["ehlo"])
        self.assertEqual(labtest.finding_ids(d), {"starttls-missing"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
