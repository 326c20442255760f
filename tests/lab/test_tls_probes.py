#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The protocol and weak-cipher probes against real legacy servers:
Postfix TLS 1.0/1.1 only, Exim (GnuTLS) with RC4 and 3DES, a JSSE server
with SSLv3/EXPORT/DES/RC4/NULL/anon, an SSLv2 SERVER-HELLO, and the good
Postfix (TLS 1.2+, no anonymous suites)."""

import unittest

import labtest

DOMAINS = ["good.test", "tls10.test", "weakcipher.test", "sslv3.test",
           "sslv2.test", "nostarttls.test", "nofs.test", "weakcert.test"]


class TlsProbes(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.result = labtest.run(["--timeout", "5"] + DOMAINS)

    def probes(self, domain):
        addrs = labtest.addresses(self.result.doc(domain))
        self.assertEqual(len(addrs), 1)
        tls = addrs[0][1]["tls"]
        return tls["protocols"], tls["weak_ciphers"]

    def test_good(self):
        protos, weak = self.probes("good.test")
        self.assertEqual(protos, {"sslv2": False, "sslv3": False,
                                  "tls1.0": False, "tls1.1": False,
                                  "tls1.2": True, "tls1.3": True})
        self.assertEqual(set(weak.values()), {False})
        self.assertEqual(labtest.finding_ids(self.result.doc("good.test")),
                         set())

    def test_tls10_only(self):
        protos, weak = self.probes("tls10.test")
        self.assertEqual(protos, {"sslv2": False, "sslv3": False,
                                  "tls1.0": True, "tls1.1": True,
                                  "tls1.2": False, "tls1.3": False})
        self.assertEqual(set(weak.values()), {False})
        self.assertEqual(labtest.finding_ids(self.result.doc("tls10.test")),
                         {"proto-tls10", "proto-tls11",
                          "tls-legacy-version"})

    def test_rc4_3des(self):
        protos, weak = self.probes("weakcipher.test")
        self.assertTrue(protos["tls1.2"] and protos["tls1.0"])
        self.assertFalse(protos["sslv3"])
        self.assertEqual(weak, {"rc4": True, "3des": True, "export": False,
                                "null": False, "anon": False})
        ids = labtest.finding_ids(self.result.doc("weakcipher.test"))
        self.assertTrue({"cipher-rc4", "cipher-3des"} <= ids, ids)
        self.assertNotIn("cipher-export", ids)

    def test_sslv3_and_everything_weak(self):
        protos, weak = self.probes("sslv3.test")
        self.assertTrue(protos["sslv3"])
        self.assertFalse(protos["sslv2"])
        self.assertEqual(weak, {"rc4": True, "3des": True, "export": True,
                                "null": True, "anon": True})
        d = self.result.doc("sslv3.test")
        self.assertTrue({"proto-sslv3", "cipher-rc4", "cipher-3des",
                         "cipher-export", "cipher-null", "cipher-anon"}
                        <= labtest.finding_ids(d))
        # EXPORT is legal only up to TLS 1.0: it must be asked there
        msg = [f["message"] for f in d["findings"]
               if f["id"] == "cipher-export"][0]
        self.assertIn("EXPORT", msg)
        self.assertRegex(msg, r"at (TLSv1\.0|SSLv3)")

    def test_sslv2(self):
        protos, _ = self.probes("sslv2.test")
        self.assertTrue(protos["sslv2"])
        self.assertFalse(protos["tls1.2"])
        self.assertIn("proto-sslv2",
                      labtest.finding_ids(self.result.doc("sslv2.test")))
        # --ciphers: the kinds the SERVER-HELLO listed (sslscan misses them)
        r = labtest.run(["--ciphers", "sslv2.test"])
        c = labtest.addresses(r.doc("sslv2.test"))[0][1]["tls"]["ciphers"]
        self.assertEqual([s["code"] for s in c["sslv2"]["suites"]],
                         ["0x010080", "0x020080", "0x0700C0", "0x060040"])
        self.assertEqual(c["sslv2"]["suites"][0]["name"],
                         "SSL_CK_RC4_128_WITH_MD5")

    def test_no_forward_secrecy(self):
        d = self.result.doc("nofs.test")
        tls = labtest.addresses(d)[0][1]["tls"]
        self.assertIs(tls["forward_secrecy"], False)
        self.assertEqual(tls["protocols"]["tls1.3"], False)
        self.assertEqual(labtest.finding_ids(d), {"no-forward-secrecy"})
        good = labtest.addresses(self.result.doc("good.test"))[0][1]
        self.assertIs(good["tls"]["forward_secrecy"], True)

    def test_weak_certificate(self):
        d = self.result.doc("weakcert.test")
        cert = labtest.addresses(d)[0][1]["tls"]["cert"]
        self.assertEqual((cert["key_type"], cert["key_bits"]), ("RSA", 1024))
        self.assertIn("SHA1", cert["signature_algorithm"].upper())
        self.assertFalse(cert["trusted"])
        self.assertTrue({"cert-key-weak", "cert-sha1", "cert-untrusted"}
                        <= labtest.finding_ids(d))

    def test_no_starttls_no_probes(self):
        d = self.result.doc("nostarttls.test")
        self.assertIsNone(labtest.addresses(d)[0][1]["tls"])

    def test_cipher_lists(self):
        r = labtest.run(["--ciphers", "sslv3.test", "tls10.test",
                         "good.test"])
        ciphers = {d: labtest.addresses(r.doc(d))[0][1]["tls"]["ciphers"]
                   for d in ("sslv3.test", "tls10.test", "good.test")}
        # only the accepted versions are listed
        self.assertEqual(sorted(ciphers["tls10.test"]), ["tls1.0", "tls1.1"])
        self.assertEqual(sorted(ciphers["good.test"]), ["tls1.2", "tls1.3"])
        # TLS 1.3 through OpenSSL: Postfix on OpenSSL 3.0 takes its three
        self.assertEqual(
            sorted(s["name"] for s in ciphers["good.test"]["tls1.3"]["suites"]),
            ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
             "TLS_CHACHA20_POLY1305_SHA256"])
        names = {v: [s["name"] for s in c["suites"]]
                 for v, c in ciphers["sslv3.test"].items()}
        self.assertIn("TLS_RSA_WITH_RC4_128_SHA", names["sslv3"])
        self.assertIn("TLS_RSA_EXPORT_WITH_RC4_40_MD5", names["tls1.0"])
        self.assertNotIn("TLS_RSA_EXPORT_WITH_RC4_40_MD5", names["tls1.2"])
        self.assertIn("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                      names["tls1.2"])
        # each suite once; JSSE enforces its own order, Postfix follows ours
        for v, n in names.items():
            self.assertEqual(len(n), len(set(n)), v)
        self.assertIs(ciphers["sslv3.test"]["tls1.2"]["server_order"], True)
        self.assertIs(ciphers["good.test"]["tls1.2"]["server_order"], False)
        # the same facts as the weak-family probes
        d = r.doc("sslv3.test")
        self.assertIn("cipher-export", labtest.finding_ids(d))

    def test_ports_465_and_587(self):
        # 465: TLS from the first byte (RFC 8314); 587: STARTTLS
        for port, implicit in (("465", True), ("587", False)):
            r = labtest.run(["--port", port, "good.test"])
            d = r.doc("good.test")
            a = labtest.addresses(d)[0][1]
            self.assertEqual(a["port"], int(port))
            self.assertIs(a["smtp"]["implicit_tls"], implicit)
            self.assertEqual(a["smtp"]["banner_code"], 220)
            self.assertTrue(a["smtp"]["ehlo"])
            self.assertEqual(a["tls"]["version"], "TLSv1.3")
            self.assertTrue(a["tls"]["cert"]["trusted"])
            self.assertEqual(a["tls"]["protocols"]["tls1.2"], True)
            self.assertEqual(a["tls"]["protocols"]["sslv3"], False)
            self.assertEqual(labtest.finding_ids(d), set(), port)
        # 443 (nginx): the handshake and the probes, no SMTP inside
        r = labtest.run(["--port", "443", "--ciphers", "good.test"])
        d = r.doc("good.test")
        a = labtest.addresses(d)[0][1]
        self.assertTrue(a["smtp"]["implicit_tls"])
        self.assertIsNone(a["smtp"]["banner"])
        self.assertEqual(a["result"]["stage"], "done")
        self.assertTrue(a["tls"]["cert"]["trusted"])
        self.assertEqual(a["tls"]["protocols"],
                         {"sslv2": False, "sslv3": False, "tls1.0": False,
                          "tls1.1": False, "tls1.2": True, "tls1.3": True})
        self.assertEqual(sorted(a["tls"]["ciphers"]), ["tls1.2", "tls1.3"])
        self.assertEqual(labtest.finding_ids(d), set())
        # --implicit-tls against a STARTTLS port: the handshake fails
        r = labtest.run(["--implicit-tls", "--timeout", "3", "good.test"])
        a = labtest.addresses(r.doc("good.test"))[0][1]
        self.assertFalse(a["tls"]["handshake"])

    def test_probes_within_per_ip(self):
        # the probes of one endpoint share its address's --per-ip budget:
        # never more conversations at once, the same answers whatever it is
        seen = {}
        for per_ip in (1, 2, 3):
            r = labtest.run(["-vv", "--ciphers", "--per-ip", str(per_ip),
                             "sslv3.test"])
            cur = peak = 0
            for line in r.stderr.splitlines():
                if "127.0.0.32:25:" not in line:
                    continue
                if "none -> connect" in line:
                    cur += 1
                    peak = max(peak, cur)
                elif "-> done" in line:
                    cur -= 1
            self.assertLessEqual(peak, per_ip)
            tls = labtest.addresses(r.doc("sslv3.test"))[0][1]["tls"]
            seen[per_ip] = (tls["protocols"], tls["weak_ciphers"],
                            tls["ciphers"])
            if per_ip > 1:
                self.assertEqual(peak, per_ip, "probes run side by side")
        self.assertEqual(seen[1], seen[2])
        self.assertEqual(seen[1], seen[3])

    def test_switch_off(self):
        r = labtest.run(["--no-tls-probes", "weakcipher.test"])
        a = labtest.addresses(r.doc("weakcipher.test"))[0][1]
        self.assertEqual(set(a["tls"]["protocols"].values()), {None})
        self.assertEqual(set(a["tls"]["weak_ciphers"].values()), {None})
        self.assertNotIn("cipher-rc4",
                         labtest.finding_ids(r.doc("weakcipher.test")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
