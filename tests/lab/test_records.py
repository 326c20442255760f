#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""SPF, DMARC and TLS-RPT records of the lab zone (tests/lab/zones/
test.zone.in), the BOD 18-01 mail verdict, and `mxaudit spf`, against the
lab's nsd and unbound."""

import csv
import io
import json
import unittest

import labtest

DOMAINS = ["compliant.test", "sub.compliant.test", "spfmulti.test",
           "spfsyntax.test", "spfplusall.test", "spfneutral.test",
           "spfsoft.test", "spflookups.test", "spfvoid.test", "spfptr.test",
           "spfinc.test", "spfloop.test", "dmarcnone.test", "dmarcquar.test",
           "dmarcpct.test", "dmarcsp.test", "dmarcnorua.test",
           "dmarcbad.test", "dmarcmulti.test", "dmarcext.test",
           "dmarcspace.test", "tlsrptbad.test", "good.test", "nullmx.test",
           "nostarttls.test", "nxdomain.test"]


class Records(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.result = labtest.run(["--timeout", "5", "--no-tls-probes"]
                                 + DOMAINS)

    def doc(self, domain):
        return self.result.doc(domain)

    def ids(self, domain):
        return labtest.all_ids(self.doc(domain))

    def bod(self, domain):
        b = self.doc(domain)["bod1801"]["mail"]
        return b["compliant"], b["failures"]

    # ---- the compliant domain and its subdomain

    def test_compliant(self):
        d = self.doc("compliant.test")
        self.assertEqual(d["spf"]["record"], "v=spf1 mx ip4:192.0.2.0/24 -all")
        self.assertTrue(d["spf"]["valid"])
        self.assertEqual(d["spf"]["result_all"], "-")
        self.assertEqual(d["spf"]["lookups"], 1)
        m = d["dmarc"]
        self.assertTrue(m["valid"])
        self.assertEqual(m["location"], "_dmarc.compliant.test")
        self.assertEqual((m["policy"], m["subdomain_policy"], m["pct"]),
                         ("reject", "reject", 100))
        self.assertEqual(m["rua"], ["mailto:reports@dmarc.cyber.dhs.gov",
                                    "mailto:dmarc@compliant.test"])
        ext = {e["host"]: e["status"] for e in m["external"]}
        self.assertEqual(ext["dmarc.cyber.dhs.gov"], "authorized")
        self.assertEqual(m["standards"], "agree")
        t = d["tls_rpt"]
        self.assertTrue(t["valid"])
        self.assertEqual(t["rua"], ["mailto:tlsrpt@compliant.test",
                                    "https://reports.compliant.test/tlsrpt"])
        self.assertEqual(self.bod("compliant.test"), (True, []))
        self.assertTrue(d["bod1801"]["mail"]["base_domain"])
        for fid in self.ids("compliant.test"):
            self.assertFalse(fid.startswith(("spf-", "dmarc-", "tls-rpt-")),
                             fid)

    def test_subdomain_inherits(self):
        d = self.doc("sub.compliant.test")
        m = d["dmarc"]
        self.assertTrue(m["valid"])
        self.assertEqual(m["applies"], "subdomain")
        self.assertEqual(m["location"], "_dmarc.compliant.test")
        self.assertEqual(m["rfc7489"]["location"], "_dmarc.compliant.test")
        self.assertIsNone(d["spf"]["record"])
        self.assertIn("spf-missing", self.ids("sub.compliant.test"))
        # no SPF on a subdomain is covered by DMARC reject (CISA, PR #28)
        self.assertEqual(self.bod("sub.compliant.test"), (True, []))
        self.assertFalse(d["bod1801"]["mail"]["base_domain"])

    # ---- SPF

    def test_spf_missing(self):
        self.assertIsNone(self.doc("good.test")["spf"]["record"])
        self.assertIn("spf-missing", self.ids("good.test"))
        self.assertIn("spf", self.bod("good.test")[1])

    def test_spf_multiple(self):
        d = self.doc("spfmulti.test")
        self.assertEqual(d["spf"]["records"], 2)
        self.assertFalse(d["spf"]["valid"])
        self.assertIn("spf-multiple", self.ids("spfmulti.test"))

    def test_spf_syntax(self):
        s = self.doc("spfsyntax.test")["spf"]
        self.assertEqual(s["status"], "syntax")
        self.assertEqual(s["error_offset"], 14)  # at "300.1.2.3"
        self.assertIn("spf-syntax", self.ids("spfsyntax.test"))

    def test_spf_all_qualifiers(self):
        for dom, q, fid in (("spfplusall.test", "+", "spf-plus-all"),
                            ("spfneutral.test", "?", "spf-neutral-all"),
                            ("spfsoft.test", "~", "spf-softfail-all")):
            self.assertEqual(self.doc(dom)["spf"]["result_all"], q)
            self.assertIn(fid, self.ids(dom))

    def test_spf_too_many_lookups(self):
        s = self.doc("spflookups.test")["spf"]
        self.assertEqual(s["lookups"], 11)
        self.assertFalse(s["valid"])
        self.assertEqual([n["domain"] for n in s["tree"]],
                         ["spflookups.test", "_a.spflookups.test",
                          "_b.spflookups.test"])
        self.assertIn("spf-too-many-lookups", self.ids("spflookups.test"))

    def test_spf_void_lookups(self):
        s = self.doc("spfvoid.test")["spf"]
        self.assertEqual(s["void_lookups"], 3)
        self.assertIn("spf-void-lookups", self.ids("spfvoid.test"))

    def test_spf_ptr(self):
        self.assertTrue(self.doc("spfptr.test")["spf"]["uses_ptr"])
        self.assertIn("spf-ptr", self.ids("spfptr.test"))

    def test_spf_include_without_record(self):
        s = self.doc("spfinc.test")["spf"]
        self.assertEqual(s["includes_without_record"], ["good.test"])
        self.assertIn("spf-include-no-record", self.ids("spfinc.test"))

    def test_spf_loop(self):
        s = self.doc("spfloop.test")["spf"]
        self.assertEqual(s["loops"], ["spfloop.test"])
        self.assertIn("spf-loop", self.ids("spfloop.test"))

    # ---- DMARC

    def test_dmarc_missing(self):
        self.assertEqual(self.doc("good.test")["dmarc"]["status"], "none")
        self.assertIn("dmarc-missing", self.ids("good.test"))
        self.assertIn("dmarc", self.bod("good.test")[1])

    def test_dmarc_weak_policies(self):
        self.assertIn("dmarc-policy-none", self.ids("dmarcnone.test"))
        self.assertIn("dmarc-policy-quarantine", self.ids("dmarcquar.test"))
        for dom in ("dmarcnone.test", "dmarcquar.test"):
            self.assertIn("dmarc-policy-reject", self.bod(dom)[1])

    def test_dmarc_pct(self):
        self.assertEqual(self.doc("dmarcpct.test")["dmarc"]["pct"], 50)
        self.assertIn("dmarc-pct", self.ids("dmarcpct.test"))
        self.assertEqual(self.bod("dmarcpct.test"), (False, ["dmarc-pct-100"]))

    def test_dmarc_subdomain_weaker(self):
        self.assertIn("dmarc-subdomain-weaker", self.ids("dmarcsp.test"))
        self.assertEqual(self.bod("dmarcsp.test"),
                         (False, ["dmarc-subdomain-policy-reject"]))

    def test_dmarc_no_rua(self):
        self.assertIn("dmarc-no-rua", self.ids("dmarcnorua.test"))
        self.assertEqual(self.bod("dmarcnorua.test"),
                         (False, ["dmarc-rua-dhs"]))

    def test_dmarc_invalid(self):
        d = self.doc("dmarcbad.test")["dmarc"]
        # p=bogus with a valid rua acts as p=none (RFC 7489 6.6.3)
        self.assertEqual(d["policy"], "none")
        self.assertIn("dmarc-invalid", self.ids("dmarcbad.test"))

    def test_dmarc_multiple(self):
        self.assertEqual(self.doc("dmarcmulti.test")["dmarc"]["status"],
                         "multiple")
        self.assertIn("dmarc-multiple", self.ids("dmarcmulti.test"))

    def test_dmarc_external_unauthorized(self):
        ext = self.doc("dmarcext.test")["dmarc"]["external"]
        self.assertEqual([(e["host"], e["status"]) for e in ext],
                         [("good.test", "unauthorized")])
        self.assertEqual(ext[0]["query"],
                         "dmarcext.test._report._dmarc.good.test")
        self.assertIn("dmarc-rua-unauthorized", self.ids("dmarcext.test"))

    def test_dmarc_real_world_spacing(self):
        d = self.doc("dmarcspace.test")["dmarc"]
        self.assertTrue(d["valid"])
        self.assertEqual(d["record"], "v=DMARC1 ; P=Reject ;  rua = "
                         "mailto:reports@dmarc.cyber.dhs.gov ; sp=reject;")
        self.assertEqual((d["policy"], d["subdomain_policy"]),
                         ("reject", "reject"))
        self.assertEqual(self.bod("dmarcspace.test"), (True, []))

    # ---- TLS-RPT

    def test_tlsrpt(self):
        self.assertIn("tls-rpt-missing", self.ids("good.test"))
        t = self.doc("tlsrptbad.test")["tls_rpt"]
        self.assertFalse(t["valid"])
        self.assertIn("tls-rpt-invalid", self.ids("tlsrptbad.test"))

    # ---- the verdict's edges

    def test_no_starttls_fails_bod(self):
        self.assertIn("starttls", self.bod("nostarttls.test")[1])

    def test_null_mx_still_needs_records(self):
        self.assertEqual(self.bod("nullmx.test"), (False, ["spf", "dmarc"]))

    def test_nxdomain_not_scored(self):
        d = self.doc("nxdomain.test")
        self.assertIsNone(d["spf"])
        self.assertIsNone(d["dmarc"])
        self.assertEqual(self.bod("nxdomain.test"), (None, []))


TRUSTYMAIL_COLUMNS = [
    "Domain", "Base Domain", "Live", "MX Record", "MX Record DNSSEC",
    "Mail Servers", "Mail Server Ports Tested",
    "Domain Supports SMTP Results", "Domain Supports SMTP",
    "Domain Supports STARTTLS Results", "Domain Supports STARTTLS",
    "SPF Record", "SPF Record DNSSEC", "Valid SPF", "SPF Results",
    "DMARC Record", "DMARC Record DNSSEC", "Valid DMARC", "DMARC Results",
    "DMARC Record on Base Domain", "DMARC Record on Base Domain DNSSEC",
    "Valid DMARC Record on Base Domain", "DMARC Results on Base Domain",
    "DMARC Policy", "DMARC Subdomain Policy", "DMARC Policy Percentage",
    "DMARC Aggregate Report URIs", "DMARC Forensic Report URIs",
    "DMARC Has Aggregate Report URI", "DMARC Has Forensic Report URI",
    "DMARC Reporting Address Acceptance Error", "Syntax Errors",
    "Debug Info"]


class Csv(unittest.TestCase):
    """--format csv: trustymail's columns, read back by Python's csv."""

    @classmethod
    def setUpClass(cls):
        r = labtest.run(["--timeout", "5", "--no-tls-probes",
                         "compliant.test", "sub.compliant.test",
                         "twomx.test", "dmarcext.test", "nxdomain.test"],
                        fmt="csv")
        cls.raw = r.stdout
        rows = list(csv.reader(io.StringIO(r.stdout, newline="")))
        cls.header = rows[0]
        cls.rows = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}

    def test_header(self):
        self.assertEqual(self.header, TRUSTYMAIL_COLUMNS)

    def test_compliant(self):
        row = self.rows["compliant.test"]
        self.assertEqual(row["Live"], "True")
        self.assertEqual(row["Mail Servers"], "mx.good.test")
        self.assertEqual(row["Domain Supports STARTTLS"], "True")
        self.assertEqual(row["Valid SPF"], "True")
        self.assertEqual(row["Valid DMARC"], "True")
        self.assertEqual(row["DMARC Policy"], "reject")
        self.assertEqual(row["DMARC Policy Percentage"], "100")
        self.assertEqual(row["DMARC Aggregate Report URIs"],
                         "mailto:reports@dmarc.cyber.dhs.gov, "
                         "mailto:dmarc@compliant.test")

    def test_subdomain_uses_base_record(self):
        row = self.rows["sub.compliant.test"]
        self.assertEqual(row["Base Domain"], "compliant.test")
        self.assertEqual(row["DMARC Record"], "False")
        self.assertEqual(row["DMARC Record on Base Domain"], "True")
        self.assertEqual(row["Valid DMARC Record on Base Domain"], "True")

    def test_starttls_per_host(self):
        row = self.rows["twomx.test"]
        self.assertEqual(row["Domain Supports SMTP Results"],
                         "mx1.twomx.test:25, mx2.twomx.test:25")
        self.assertEqual(row["Domain Supports STARTTLS Results"],
                         "mx1.twomx.test:25")
        self.assertEqual(row["Domain Supports STARTTLS"], "False")

    def test_acceptance_error(self):
        self.assertEqual(self.rows["dmarcext.test"]
                         ["DMARC Reporting Address Acceptance Error"], "True")

    def test_not_live(self):
        row = self.rows["nxdomain.test"]
        self.assertEqual(row["Live"], "False")
        self.assertEqual(row["Mail Servers"], "")


class SpfCommand(unittest.TestCase):
    """mxaudit spf: check_host() against the lab's zone."""

    def spf(self, *args):
        r = labtest.run_cmd(["spf"] + list(args) + ["--format", "json"])
        self.assertEqual(r.rc, 0, r.stderr)
        return json.loads(r.stdout)

    def test_pass_through_mx(self):
        out = self.spf("compliant.test", "--ip", "127.0.0.10")
        self.assertEqual(out["result"], "pass")

    def test_fail(self):
        out = self.spf("compliant.test", "--ip", "198.51.100.7")
        self.assertEqual(out["result"], "fail")

    def test_include_match_in_trace(self):
        out = self.spf("spflookups.test", "--ip", "192.0.2.12")
        # the 11th lookup is never reached: pass through _a's h2
        self.assertEqual(out["result"], "pass")
        self.assertTrue(any(s["domain"] == "_a.spflookups.test"
                            and s["step"] == "match" for s in out["trace"]),
                        out["trace"])

    def test_permerror_on_too_many_lookups(self):
        out = self.spf("spflookups.test", "--ip", "198.51.100.7")
        self.assertEqual(out["result"], "permerror")

    def test_multiple_records(self):
        self.assertEqual(self.spf("spfmulti.test", "--ip",
                                  "127.0.0.10")["result"], "permerror")

    def test_none(self):
        self.assertEqual(self.spf("good.test", "--ip",
                                  "127.0.0.10")["result"], "none")


if __name__ == "__main__":
    unittest.main(verbosity=2)
