#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The hostile lab: a scanner talks to servers it does not control.

Servers and records that try to hang the scanner, crash it, exhaust its
memory or make it lose results (lab-hostile's reliability modes and
zones/hostile.test.zone.in, tests/lab/README.md), scanned in ONE run
together with sound lab domains. The run must end within its deadlines,
stay under a memory bound, give every hostile domain its precise finding,
and give every sound domain the very result a scan of those domains alone
gives.
"""

import os
import re
import subprocess
import tempfile
import time
import types
import unittest

import labtest
import validate_schema

TIMEOUT = 3          # --timeout: each stage, each DNS query
DOMAIN_TIMEOUT = 20  # --domain-timeout: a whole domain
# Every domain of the run is in flight at once, so the scan lasts as long
# as its slowest domain, which its deadline ends at DOMAIN_TIMEOUT; a
# conversation that outlives its domain is still bounded by its stage
# deadlines (a few TIMEOUTs), and start and exit take a moment: generous.
WALL_LIMIT = DOMAIN_TIMEOUT + 3 * TIMEOUT + 5
# a scanner still running after this hangs: it is killed, the test fails
HANG_LIMIT = WALL_LIMIT + 15
# peak RSS of the scanner (wait4): a few MiB of results and buffers; a
# server that streams forever must not show here
RSS_LIMIT_MIB = 200
# src/probe/scan.c: MX hosts probed per domain
SCAN_MAX_MX = 32

HOSTILE = {
    # domain: the lab-hostile address of its one MX (None: DNS only)
    "drip.hostile.test": "127.0.0.50",
    "endless.hostile.test": "127.0.0.51",
    "longline.hostile.test": "127.0.0.52",
    "garbage.hostile.test": "127.0.0.53",
    "tlsalert.hostile.test": "127.0.0.54",
    "tlsreset.hostile.test": "127.0.0.55",
    "tlsstall.hostile.test": "127.0.0.56",
    "v2stall.hostile.test": "127.0.0.57",
    "manymx.hostile.test": None,
    "spfloop.hostile.test": None,
    "spfdeep.hostile.test": None,
    "stsendless.hostile.test": None,
    "dnstimeout.hostile.test": None,
    "servfail.test": None,
}

# sound domains: Postfix, DNSSEC, MTA-STS (nginx), SPF/DMARC/TLS-RPT
NORMAL = ["good.test", "compliant.test", "stsgood.test", "signed.test",
          "twomx.test", "wrongname.test", "nostarttls.test"]

# what a crash or a broken invariant leaves on stderr
CRASH_MARKS = ["assertion failed", "AddressSanitizer",
               "UndefinedBehaviorSanitizer", "runtime error:",
               "LeakSanitizer", "double free", "corrupted"]


def scan(domains):
    """One mxaudit scan, its JSON validated; wall time and rusage kept."""
    argv = ([labtest.MXAUDIT, "scan", "--format", "json",
             "--timeout", str(TIMEOUT),
             "--domain-timeout", str(DOMAIN_TIMEOUT)]
            + labtest.lab_flags() + list(domains))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        child = subprocess.Popen(argv, stdout=out, stderr=err)
        hung = False
        while True:
            # wait4, not wait: the scanner's own peak RSS and CPU
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() - t0 > HANG_LIMIT:
                child.kill()
                hung = True
                _, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        wall = time.monotonic() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    proc = types.SimpleNamespace(returncode=child.returncode, stdout=stdout,
                                 stderr=stderr)
    r = labtest.Run(argv, proc, wall)
    r.hung = hung
    r.usage = usage
    r.rss_mib = usage.ru_maxrss / 1024.0
    r.schema_errors = validate_schema.validate_text(
        labtest._validator, stdout, "mxaudit stdout")
    r.names = []
    for _line, doc in validate_schema.load_documents(stdout):
        r.names.append(doc["domain"])
        r.docs[doc["domain"]] = doc
    return r


def findings(doc, fid=None):
    return [f for f in doc["findings"] if fid is None or f["id"] == fid]


def summary(doc):
    """What a domain's result says, without times and dates."""
    mx = []
    for m in doc["mx"]:
        addrs = []
        for a in m["addresses"]:
            smtp = a.get("smtp") or {}
            tls = a.get("tls") or {}
            cert = tls.get("cert") or {}
            res = a.get("result") or {}
            addrs.append((a["ip"], a["port"], res.get("failure"),
                          res.get("stage"), smtp.get("banner_code"),
                          smtp.get("starttls"), tls.get("handshake"),
                          tls.get("version"), tls.get("cipher"),
                          cert.get("trusted"), cert.get("name_match"),
                          str(tls.get("protocols")),
                          str(tls.get("weak_ciphers"))))
        mx.append((m["host"], m["preference"], sorted(addrs)))
    return {
        "status": doc["status"],
        "timed_out": doc["timed_out"],
        "mx_source": doc["mx_source"],
        "accepts_mail": doc["accepts_mail"],
        "mx": mx,
        "mta_sts": (doc.get("mta_sts") or {}).get("mode"),
        "spf": (doc.get("spf") or {}).get("status"),
        "dmarc": (doc.get("dmarc") or {}).get("policy"),
        "findings": sorted((f["id"], f["severity"], f["mx"] or "",
                            f["ip"] or "") for f in doc["findings"]),
    }


class Hostile(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # the sound domains alone first: what their result must be
        cls.alone = scan(NORMAL)
        cls.result = scan(list(HOSTILE) + NORMAL)
        r = cls.result
        print("\nhostile scan: %d domains, wall %.2f s (limit %d s), "
              "peak RSS %.1f MiB (limit %d MiB), CPU %.2f s, exit %d"
              % (len(HOSTILE) + len(NORMAL), r.seconds, WALL_LIMIT,
                 r.rss_mib, RSS_LIMIT_MIB,
                 r.usage.ru_utime + r.usage.ru_stime, r.rc))
        print("sound domains alone: wall %.2f s, peak RSS %.1f MiB"
              % (cls.alone.seconds, cls.alone.rss_mib))

    def doc(self, domain):
        return self.result.doc(domain)

    def explain(self, domain):
        d = self.result.docs.get(domain)
        if d is None:
            return "no result for %s" % domain
        return "%s: status %s, %.0f ms, timed_out %s, findings:\n  %s" % (
            domain, d["status"], d["duration_ms"], d["timed_out"],
            "\n  ".join("%s %s %s: %s" % (f["id"], f["mx"], f["ip"],
                                          f["message"])
                        for f in d["findings"]))

    def assert_ids(self, domain, want):
        """The domain's findings, absences aside, are exactly want."""
        self.assertEqual(labtest.finding_ids(self.doc(domain)), set(want),
                         self.explain(domain))

    def only_finding(self, domain, fid):
        """The one finding fid of the domain, about its lab-hostile MX."""
        fs = findings(self.doc(domain), fid)
        self.assertEqual(len(fs), 1, self.explain(domain))
        f = fs[0]
        self.assertEqual(f["ip"], HOSTILE[domain], self.explain(domain))
        self.assertEqual(f["mx"], "mx." + domain, self.explain(domain))
        self.assertEqual(f["severity"], "error")
        return f

    def only_address(self, domain):
        addrs = labtest.addresses(self.doc(domain))
        self.assertEqual(len(addrs), 1, self.explain(domain))
        return addrs[0][1]

    # ---- the run as a whole

    def test_process(self):
        r = self.result
        self.assertFalse(r.hung, "the scanner hung: killed after %d s"
                         % HANG_LIMIT)
        # 1: findings of severity error; not a signal (negative), not 2+
        # (a usage or fatal error)
        self.assertEqual(r.rc, 1, r.stderr[-3000:])
        self.assertEqual(self.alone.rc, 1, self.alone.stderr[-3000:])
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, r.stderr)
        self.assertEqual(r.schema_errors, [], r.schema_errors)

    def test_wall_clock(self):
        self.assertLess(self.result.seconds, WALL_LIMIT)
        for domain, d in self.result.docs.items():
            # each domain within its own deadline (and a second's slack)
            self.assertLessEqual(d["duration_ms"],
                                 (DOMAIN_TIMEOUT + 1) * 1000,
                                 self.explain(domain))

    def test_memory(self):
        self.assertLess(self.result.rss_mib, RSS_LIMIT_MIB)

    def test_every_domain_once(self):
        want = sorted(list(HOSTILE) + NORMAL)
        self.assertEqual(sorted(self.result.names), want,
                         self.result.stderr[-3000:])
        self.assertEqual(sorted(self.alone.names), sorted(NORMAL),
                         self.alone.stderr[-3000:])

    def test_stage_deadlines_end_hostile_servers(self):
        # a stage deadline (TIMEOUT), not the domain's, ends each of them
        for domain in HOSTILE:
            d = self.doc(domain)
            self.assertFalse(d["timed_out"], self.explain(domain))
            self.assertEqual(findings(d, "scan-timeout"), [],
                             self.explain(domain))
            self.assertEqual(findings(d, "smtp-not-tested"), [],
                             self.explain(domain))

    # ---- SMTP

    def test_drip(self):
        # one byte a second: the greeting deadline ends it, not the bytes
        f = self.only_finding("drip.hostile.test", "smtp-banner-timeout")
        self.assertIn("no answer within", f["message"])
        self.assert_ids("drip.hostile.test", {"smtp-banner-timeout"})
        a = self.only_address("drip.hostile.test")
        self.assertEqual(a["result"]["stage"], "banner")
        self.assertEqual(a["result"]["failure"], "timeout")
        self.assertLess(a["duration_ms"], (TIMEOUT + 2) * 1000)

    def test_endless(self):
        # EHLO's reply never ends: the reply cap ends it
        f = self.only_finding("endless.hostile.test", "smtp-protocol-error")
        self.assertIn("stage ehlo", f["message"])
        self.assert_ids("endless.hostile.test", {"smtp-protocol-error"})
        a = self.only_address("endless.hostile.test")
        self.assertEqual(a["smtp"]["banner_code"], 220)
        self.assertEqual((a["result"]["stage"], a["result"]["failure"]),
                         ("ehlo", "protocol"))
        self.assertLess(a["duration_ms"], TIMEOUT * 1000)

    def test_longline(self):
        # a 1 MiB greeting line: the line cap ends it
        f = self.only_finding("longline.hostile.test", "smtp-banner-failed")
        self.assertIn("longer than", f["message"])
        self.assert_ids("longline.hostile.test", {"smtp-banner-failed"})
        a = self.only_address("longline.hostile.test")
        self.assertEqual((a["result"]["stage"], a["result"]["failure"]),
                         ("banner", "protocol"))
        self.assertLess(a["duration_ms"], TIMEOUT * 1000)

    def test_garbage(self):
        self.only_finding("garbage.hostile.test", "smtp-banner-failed")
        self.assert_ids("garbage.hostile.test", {"smtp-banner-failed"})
        a = self.only_address("garbage.hostile.test")
        self.assertEqual((a["result"]["stage"], a["result"]["failure"]),
                         ("banner", "protocol"))
        self.assertLess(a["duration_ms"], TIMEOUT * 1000)

    def assert_tls_failed(self, domain, failure):
        """STARTTLS accepted, then the handshake failed: one finding."""
        f = self.only_finding(domain, "starttls-handshake-failed")
        a = self.only_address(domain)
        self.assertTrue(a["smtp"]["starttls"], self.explain(domain))
        self.assertEqual(a["smtp"]["starttls_code"], 220)
        self.assertFalse(a["tls"]["handshake"], self.explain(domain))
        self.assertEqual((a["result"]["stage"], a["result"]["failure"]),
                         ("handshake", failure), self.explain(domain))
        # one failure, one finding: starttls-handshake-failed explains it
        for fid in ("smtp-timeout", "smtp-protocol-error"):
            self.assertEqual(findings(self.doc(domain), fid), [],
                             self.explain(domain))
        return f, a

    def test_tlsalert(self):
        # a ServerHello, then a fatal handshake_failure alert
        _f, a = self.assert_tls_failed("tlsalert.hostile.test", "tls")
        self.assertIn("handshake failure", a["tls"]["error"])
        self.assertLess(a["duration_ms"], TIMEOUT * 1000)
        # the raw probes take a ServerHello for acceptance (they cannot
        # finish legacy handshakes): this server, which answers any hello
        # with the first TLS 1.2 suite offered, is seen accepting TLS 1.2
        # and what each weak family offers first. Nothing else.
        self.assertEqual(
            {v: on for v, on in a["tls"]["protocols"].items()
             if v != "tls1.3"},
            {"sslv2": False, "sslv3": False, "tls1.0": False,
             "tls1.1": False, "tls1.2": True})
        self.assertTrue(labtest.finding_ids(self.doc(
            "tlsalert.hostile.test")) <= {"starttls-handshake-failed",
                                          "cipher-rc4", "cipher-3des",
                                          "cipher-null", "cipher-anon",
                                          "cipher-export"},
            self.explain("tlsalert.hostile.test"))

    def test_tlsalert_no_impossible_suites(self):
        # ... but TLS_NULL_WITH_NULL_NULL, the state before any handshake,
        # is never offered and never evidence (RFC 5246 A.5). EXPORT
        # suites are offered at TLS 1.2 too: clients must not negotiate
        # them there (RFC 4346 A.5), but servers of the FREAK era did, and
        # a server that picks one when offered nothing else accepts it
        d = self.doc("tlsalert.hostile.test")
        impossible = [f["message"] for f in d["findings"]
                      if "TLS_NULL_WITH_NULL_NULL" in f["message"]]
        self.assertEqual(impossible, [],
                         "weak-cipher findings whose only evidence is a "
                         "suite that is never negotiated")
        if "cipher-null" in labtest.finding_ids(d):
            self.assertRegex(findings(d, "cipher-null")[0]["message"],
                             r"NULL_(MD5|SHA)")

    def test_tlsreset(self):
        # a TCP reset once the ClientHello is in
        _f, a = self.assert_tls_failed("tlsreset.hostile.test", "tls")
        self.assertIn("reset", a["tls"]["error"].lower())
        self.assertLess(a["duration_ms"], TIMEOUT * 1000)
        self.assert_ids("tlsreset.hostile.test",
                        {"starttls-handshake-failed"})

    def test_tlsstall(self):
        # the ClientHello is never answered: the handshake deadline ends it
        f, a = self.assert_tls_failed("tlsstall.hostile.test", "timeout")
        self.assertIn("no answer within", f["message"])
        self.assertIn("no answer within", a["tls"]["error"])
        self.assertLess(a["duration_ms"], (TIMEOUT + 2) * 1000)
        self.assert_ids("tlsstall.hostile.test",
                        {"starttls-handshake-failed"})
        # silence is not "no": the server never answered any hello, so
        # every version is unknown, and the probes stop after one more
        # deadline (the receiver test's handshake was the first)
        for v, on in a["tls"]["protocols"].items():
            self.assertIsNone(on, "%s: %s" % (v, self.explain(
                "tlsstall.hostile.test")))
        for w, on in a["tls"]["weak_ciphers"].items():
            self.assertIsNone(on, w)
        self.assertLess(self.doc("tlsstall.hostile.test")["duration_ms"],
                        (2 * TIMEOUT + 2) * 1000)

    def test_v2stall(self):
        # TLS hellos refused with an alert, the SSLv2 hello never answered:
        # a server that answers hellos and ignores one does not speak it
        _f, a = self.assert_tls_failed("v2stall.hostile.test", "tls")
        self.assertEqual(a["tls"]["protocols"],
                         {"sslv2": False, "sslv3": False, "tls1.0": False,
                          "tls1.1": False, "tls1.2": False, "tls1.3": None},
                         self.explain("v2stall.hostile.test"))
        self.assert_ids("v2stall.hostile.test",
                        {"starttls-handshake-failed"})
        # one deadline, the SSLv2 hello's
        self.assertLess(self.doc("v2stall.hostile.test")["duration_ms"],
                        (TIMEOUT + 2) * 1000)

    # ---- DNS and records

    def test_manymx(self):
        # 100 MX records: SCAN_MAX_MX of them probed, each to the end
        d = self.doc("manymx.hostile.test")
        hosts = [(m["host"], m["preference"]) for m in d["mx"]]
        self.assertEqual(len(hosts), SCAN_MAX_MX, hosts)
        self.assertEqual(hosts, sorted(hosts, key=lambda h: h[1]))
        for m in d["mx"]:
            self.assertEqual([a["ip"] for a in m["addresses"]],
                             ["127.0.0.10"], m["host"])
            a = m["addresses"][0]
            self.assertTrue(a["tls"]["handshake"], m["host"])
        # each host: the good Postfix, whose certificate names another
        self.assertEqual(labtest.finding_ids(d),
                         {"mx-too-many", "cert-name-mismatch"},
                         self.explain("manymx.hostile.test"))
        self.assertEqual(findings(d, "mx-too-many")[0]["message"],
                         "100 MX hosts; the %d least preferred were not "
                         "probed" % (100 - SCAN_MAX_MX))
        self.assertEqual(len(findings(d, "cert-name-mismatch")),
                         SCAN_MAX_MX)

    def test_manymx_most_preferred(self):
        # the capped list is the most preferred MX hosts (RFC 5321 5.1:
        # senders try them first), whatever order the answer came in;
        # the zone lists the least preferred first, and unbound rotates
        d = self.doc("manymx.hostile.test")
        hosts = [(m["host"], m["preference"]) for m in d["mx"]]
        self.maxDiff = None
        self.assertEqual(hosts, [("mx%03d.manymx.hostile.test" % i, i + 1)
                                 for i in range(SCAN_MAX_MX)],
                         "the most preferred MX hosts must be kept")

    def test_spf_loop(self):
        # a includes b includes a: found, and the walk ends
        self.assert_ids("spfloop.hostile.test", {"spf-loop"})
        spf = self.doc("spfloop.hostile.test")["spf"]
        self.assertEqual(spf["loops"], ["spfloop.hostile.test"])
        self.assertFalse(spf["valid"])

    def test_spf_deep(self):
        # 50 includes deep: over the limit of 10, and the walk is bounded
        self.assert_ids("spfdeep.hostile.test", {"spf-too-many-lookups"})
        spf = self.doc("spfdeep.hostile.test")["spf"]
        self.assertGreater(spf["lookups"], 10)
        self.assertFalse(spf["valid"])
        self.assertFalse(spf["temperror"])

    def test_mta_sts_endless_policy(self):
        # a policy body that never ends: the 64 KiB cap (or the deadline)
        d = self.doc("stsendless.hostile.test")
        ids = labtest.finding_ids(d)
        self.assertTrue(ids & {"mta-sts-fetch-too-large",
                               "mta-sts-fetch-timeout"},
                        self.explain("stsendless.hostile.test"))
        # its mail side is mx.good.test: sound
        self.assertEqual(ids - {"mta-sts-fetch-too-large",
                                "mta-sts-fetch-timeout"}, set(),
                         self.explain("stsendless.hostile.test"))

    def test_servfail(self):
        self.assertEqual(labtest.finding_ids(self.doc("servfail.test")),
                         {"dns-servfail"}, self.explain("servfail.test"))

    def test_dnstimeout(self):
        # a name server that never answers: the query's deadline ends it.
        # (test.'s dnstimeout.test is not reused: for some seconds after a
        # query gives up on a dead server, unbound answers SERVFAIL at
        # once, which would change what test_scenarios.py sees; this one
        # has a dead server of its own, and takes either answer)
        d = self.doc("dnstimeout.hostile.test")
        self.assertIn(labtest.finding_ids(d), ({"dns-timeout"},
                                               {"dns-servfail"}),
                      self.explain("dnstimeout.hostile.test"))
        self.assertLess(d["duration_ms"], TIMEOUT * 1000 + 2000)

    # ---- the sound domains of the same run

    def test_normal_domains_unharmed(self):
        for domain in NORMAL:
            with self.subTest(domain=domain):
                self.assertEqual(summary(self.doc(domain)),
                                 summary(self.alone.doc(domain)))
                self.assertFalse(self.doc(domain)["timed_out"])

    def test_good_is_good(self):
        # and the reference itself is right, not merely the same
        self.assertEqual(labtest.finding_ids(self.doc("good.test")), set(),
                         self.explain("good.test"))
        a = labtest.addresses(self.doc("good.test"))[0][1]
        self.assertTrue(a["tls"]["handshake"])
        self.assertTrue(a["tls"]["cert"]["trusted"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
