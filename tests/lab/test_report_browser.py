#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""`mxaudit report` in a real browser: headless Chromium loads the page
(file://, no network), runs its script under the page's own
Content-Security-Policy, and we read back the DOM it dumps.

Two sets of documents: hand-made ones (tests/data/scan-example.json and
hostile variants: markup, quotes, </script>, control bytes, U+2028, bidi
overrides in banners, certificate names, finding messages, URLs and a domain
name), which need no lab; and the JSON of `mxaudit scan --format json` over
a few lab domains, which needs the running lab (ctest's fixture).

Checked: one table row per domain; a filter given in the URL fragment
(report.html#filter=FAIL, #filter=bodmail:fail, a negation) leaves exactly the
matching rows in the DOM; sorting from the fragment orders them; every banner
appears as text, with its invisible characters marked as the page marks them;
no injected script ran (the page's script sets the title and data-ready only
when it finds no script but its own, and an injected one would have set
data-pwned); a screenshot is a non-empty PNG. Skipped without Chromium.
"""

import copy
import html.parser
import json
import os
import shutil
import subprocess
import tempfile
import unittest

CHROMIUM = "/usr/bin/chromium"
SRC = os.environ.get("MXAUDIT_SRC",
                     os.path.dirname(os.path.dirname(os.path.dirname(
                         os.path.abspath(__file__)))))
MXAUDIT = os.environ.get("MXAUDIT", os.path.join(SRC, "build", "mxaudit"))
LAB = os.environ.get("MXAUDIT_LAB", os.path.join(SRC, "build", "lab"))

# lab domains scanned (tests/lab/README.md): pass, fail and not scored
LAB_DOMAINS = ["good.test", "nostarttls.test", "selfsigned.test",
               "twomx.test", "nullmx.test", "nxdomain.test",
               "compliant.test", "mangled.test"]
# lab domains whose SMTP server sends a hostile banner (added with the lab's
# hostile server); each banner is checked like the hand-made ones
HOSTILE_LAB_DOMAINS = ["xss.test"]

PWN = "document.documentElement.setAttribute('data-pwned','%s')"
# what a hostile server sends: every way out of text, attribute and script
HOSTILE = ("220 <script>" + PWN % "script" + "</script> \"dq\" 'sq' "
           "</script><script>" + PWN % "breakout" + "</script>"
           "<img src=x onerror=\"" + PWN % "img" + "\">"
           "<svg onload=\"" + PWN % "svg" + "\"></svg> <!--<script> "
           "\x1b[31m\x07\x00 C1:\x9b bidi:\u202e ls:\u2028 ps:\u2029 "
           "&amp; caf\u00e9 \U0001f600 end")

# invisible code points, as src/report/html.c marks them
_INVISIBLE = ([(0x00, 0x1f), (0x7f, 0x9f), (0xad, 0xad), (0x34f, 0x34f),
               (0x61c, 0x61c), (0x115f, 0x1160), (0x180e, 0x180e),
               (0x200b, 0x200f), (0x2028, 0x202e), (0x2060, 0x206f),
               (0x3164, 0x3164), (0xfeff, 0xfeff), (0xffa0, 0xffa0),
               (0xfff9, 0xfffb), (0x1d173, 0x1d17a), (0xe0000, 0xe0fff)])


def visible(s):
    """s as the page shows it: invisible characters as \\xNN or U+XXXX."""
    out = []
    for ch in s:
        cp = ord(ch)
        if not any(a <= cp <= b for a, b in _INVISIBLE):
            out.append(ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif cp < 0x20 or cp == 0x7f:
            out.append("\\x%02X" % cp)
        else:
            out.append("U+%04X" % cp)
    return "".join(out)


def have_chromium():
    return os.access(CHROMIUM, os.X_OK)


class Dom(html.parser.HTMLParser):
    """What the tests read from a dumped DOM."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = {}          # attributes of <html>
        self.title = None       # the document's <title> (not SVG titles)
        self.tags = {}          # start tags seen, counted
        self.attrs = set()      # every attribute name seen
        self.rows = []          # (href, [cell text]) of tbody#dom-rows
        self.text = []          # all text, in order
        self._in_title = False
        self._in_raw = False    # inside <script> or <style>: not text
        self._in_body_rows = False
        self._cell = None
        self.feed(text)
        self.close()
        self.alltext = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attrs.update(k for k, _ in attrs)
        if tag in ("script", "style"):
            self._in_raw = True
        if tag == "html":
            self.root = a
        elif tag == "title" and self.title is None:
            self._in_title = True
            self.title = ""
        elif tag == "tbody" and a.get("id") == "dom-rows":
            self._in_body_rows = True
        elif self._in_body_rows and tag == "tr":
            self.rows.append([None, []])
        elif self._in_body_rows and tag == "td":
            self._cell = []
        elif self._in_body_rows and tag == "a" and self.rows:
            self.rows[-1][0] = a.get("href")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in_raw = False
        if tag == "title":
            self._in_title = False
        elif tag == "tbody":
            self._in_body_rows = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._in_raw:
            return
        self.text.append(data)
        if self._in_title:
            self.title += data
        if self._cell is not None:
            self._cell.append(data)

    def row_ids(self):
        """The rows as indices into the input (from their #d-N links)."""
        return [int(href[3:]) for href, _ in self.rows]


class ReportBrowser:
    """The checks, over self.docs (set by setUpClass)."""

    docs = []
    tmp = None
    page = None

    @classmethod
    def write_report(cls, text):
        cls.tmp = tempfile.mkdtemp(prefix="mxaudit-report-")
        src = os.path.join(cls.tmp, "docs.json")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        cls.page = os.path.join(cls.tmp, "report.html")
        proc = subprocess.run([MXAUDIT, "report", "--input", src, "-o",
                               cls.page], capture_output=True, text=True,
                              timeout=120)
        if proc.returncode != 0:
            raise AssertionError("mxaudit report: %d\n%s"
                                 % (proc.returncode, proc.stderr))

    @classmethod
    def tearDownClass(cls):
        if cls.tmp is not None:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def chromium(self, *args):
        profile = tempfile.mkdtemp(dir=self.tmp)
        argv = [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox",
                "--user-data-dir=" + profile, "--no-first-run",
                "--disable-extensions"] + list(args)
        proc = subprocess.run(argv, capture_output=True, timeout=180)
        shutil.rmtree(profile, ignore_errors=True)
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        return proc.stdout.decode("utf-8", errors="replace")

    def dom(self, fragment=""):
        url = "file://" + self.page + fragment
        dom = Dom(self.chromium("--dump-dom", url))
        # the page's script ran (under its CSP) and found nothing injected
        self.assertEqual(dom.root.get("data-ready"), "1", fragment)
        self.assertNotIn("data-tampered", dom.root)
        self.assertNotIn("data-error", dom.root)
        self.assertEqual(dom.title, "mxaudit report: %d domains"
                         % len(self.docs))
        self.assertEqual(dom.root.get("data-shown"), str(len(dom.rows)))
        return dom

    # the documents' own facts, as the page labels them
    def bod(self, i, side):
        b = (self.docs[i].get("bod1801") or {}).get(side)
        if not isinstance(b, dict):
            return "not checked"
        return {True: "pass", False: "FAIL"}.get(b.get("compliant"),
                                                "not scored")

    def domains(self):
        return [d["domain"] for d in self.docs]

    def test_rows(self):
        dom = self.dom()
        self.assertEqual(dom.row_ids(), list(range(len(self.docs))))
        for (_, cells), d in zip(dom.rows, self.docs):
            self.assertEqual(cells[0], visible(d["domain"]))
            self.assertEqual(len(cells), 11)
        for i, (_, cells) in enumerate(dom.rows):
            self.assertEqual(cells[9], self.bod(i, "mail"))
            self.assertEqual(cells[10], self.bod(i, "web"))

    def test_filter_fail(self):
        full = self.dom()
        dom = self.dom("#filter=FAIL")
        # a plain word matches any cell, case aside
        want = [i for i, (_, cells) in enumerate(full.rows)
                if any("fail" in c.lower() for c in cells)]
        self.assertEqual(dom.row_ids(), want)
        # which are the domains with a failed BOD 18-01 side (no domain
        # here has "fail" in its name)
        self.assertEqual(want, [i for i in range(len(self.docs))
                                if "FAIL" in (self.bod(i, "mail"),
                                              self.bod(i, "web"))])
        self.assertGreater(len(want), 0)
        self.assertLess(len(want), len(self.docs))

    def test_filter_column(self):
        dom = self.dom("#filter=bodmail%3Afail")
        self.assertEqual(dom.row_ids(), [i for i in range(len(self.docs))
                                         if self.bod(i, "mail") == "FAIL"])
        dom = self.dom("#filter=-bodmail:fail")
        self.assertEqual(dom.row_ids(), [i for i in range(len(self.docs))
                                         if self.bod(i, "mail") != "FAIL"])
        dom = self.dom("#filter=no-such-word-anywhere")
        self.assertEqual(dom.rows, [])

    def test_sort(self):
        names = self.domains()
        dom = self.dom("#sort=domain&dir=desc")
        self.assertEqual(dom.row_ids(),
                         sorted(range(len(names)), key=lambda i: names[i],
                                reverse=True))
        dom = self.dom("#filter=bodmail:fail&sort=errors&dir=desc")
        errs = [int(cells[2]) for _, cells in dom.rows]
        self.assertEqual(errs, sorted(errs, reverse=True))

    def test_banners_as_text(self):
        dom = self.dom()
        banners = [a["smtp"]["banner"] for d in self.docs
                   for m in d.get("mx") or [] for a in m.get("addresses", [])
                   if isinstance(a.get("smtp"), dict)
                   and isinstance(a["smtp"].get("banner"), str)]
        self.assertGreater(len(banners), 0)
        for b in banners:
            self.assertIn(visible(b), dom.alltext)

    def test_no_script_ran(self):
        for fragment in ("", "#filter=FAIL"):
            dom = self.dom(fragment)
            self.assertNotIn("data-pwned", dom.attrs)
            self.assertNotIn("onerror", dom.attrs)
            self.assertNotIn("onload", dom.attrs)
            self.assertEqual(dom.tags.get("script"), 2)
            self.assertNotIn("img", dom.tags)
            self.assertNotIn("iframe", dom.tags)

    def test_screenshot(self):
        png = os.path.join(self.tmp, "shot.png")
        self.chromium("--screenshot=" + png, "--window-size=1280,2000",
                      "--hide-scrollbars", "file://" + self.page)
        with open(png, "rb") as f:
            data = f.read()
        self.assertGreater(len(data), 1000)
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        # IHDR: the window's size
        self.assertEqual(int.from_bytes(data[16:20], "big"), 1280)
        self.assertEqual(int.from_bytes(data[20:24], "big"), 2000)


def hand_made():
    """The example document, and variants with hostile strings."""
    with open(os.path.join(SRC, "tests", "data", "scan-example.json"),
              encoding="utf-8") as f:
        base = json.load(f)
    docs = []

    d = copy.deepcopy(base)
    d["domain"] = "good.example.test"
    d["findings"] = []
    d["summary"].update(worst="none", starttls_all=True)
    d["bod1801"] = {"mail": {"compliant": True, "failures": [],
                             "base_domain": True}, "web": None}
    docs.append(d)

    docs.append(copy.deepcopy(base))
    docs[-1]["bod1801"]["mail"].update(compliant=False,
                                       failures=["starttls", "dmarc"])

    d = copy.deepcopy(base)
    d["domain"] = "hostile<script>" + PWN % "domain" + "</script>\u2028.test"
    addr = d["mx"][0]["addresses"][0]
    addr["smtp"]["banner"] = HOSTILE
    addr["smtp"]["capabilities"].append(HOSTILE)
    addr["tls"]["cert"]["subject"] = "CN=" + HOSTILE
    addr["tls"]["cert"]["san"] = [HOSTILE]
    d["mx"][1]["addresses"][0]["smtp"]["banner"] = "\u202e" + HOSTILE[::-1]
    d["findings"][0]["message"] = HOSTILE
    d["findings"].append({"id": "<b>x</b>", "severity": "warning",
                          "mx": HOSTILE, "ip": None, "message": HOSTILE})
    d["mta_sts"]["fetch"]["url"] = "javascript:" + PWN % "url"
    d["mta_sts"]["txt"] = HOSTILE
    d["bod1801"] = {"mail": {"compliant": False, "failures": ["dmarc"],
                             "base_domain": True},
                    "web": {"compliant": None, "failures": [],
                            "base_domain_preloaded": None,
                            "tls_probed": False, "weak_crypto": []}}
    docs.append(d)
    return docs


@unittest.skipUnless(have_chromium(), CHROMIUM + " is not installed")
class HandMade(ReportBrowser, unittest.TestCase):
    """Hand-made documents, one per line (JSONL); no lab needed."""

    @classmethod
    def setUpClass(cls):
        cls.docs = hand_made()
        cls.write_report("".join(json.dumps(d) + "\n" for d in cls.docs))

    def test_hostile_text(self):
        dom = self.dom()
        self.assertIn(visible(HOSTILE), dom.alltext)
        self.assertIn(visible(self.docs[2]["domain"]), dom.alltext)
        self.assertIn("javascript:" + PWN % "url", dom.alltext)
        self.assertIn("<b>x</b>", dom.alltext)
        self.assertIn("CN=" + visible(HOSTILE), dom.alltext)


def lab_running():
    return os.path.exists(os.path.join(LAB, "dns", "trust-anchor.key"))


@unittest.skipUnless(have_chromium(), CHROMIUM + " is not installed")
@unittest.skipUnless(lab_running(), "the lab is not running")
class Lab(ReportBrowser, unittest.TestCase):
    """The documents of a real scan of lab domains (pretty JSON, one after
    another, as `mxaudit scan --format json` prints them)."""

    @classmethod
    def setUpClass(cls):
        import labtest
        names = LAB_DOMAINS + HOSTILE_LAB_DOMAINS
        r = labtest.run(["--timeout", "5"] + names)
        for d in names:
            r.doc(d)
        cls.write_report(r.stdout)
        # the page keeps the order of its input, the order of the scan's
        cls.docs = cls.scan_order(r.stdout)

    @staticmethod
    def scan_order(text):
        """The documents of a JSON stream, in the order they came."""
        dec = json.JSONDecoder()
        docs, i = [], 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                return docs
            doc, i = dec.raw_decode(text, i)
            docs.append(doc)


if __name__ == "__main__":
    unittest.main(verbosity=2)
