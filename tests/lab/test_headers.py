#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""mxaudit headers on mail the lab's own Postfix delivered: once over
STARTTLS (127.0.0.10, mx.good.test), once in clear (127.0.0.11,
mx.nostarttls.test), each read back from the lab's Maildir."""

import glob
import json
import os
import smtplib
import ssl
import subprocess
import time
import unittest
import uuid

import labtest

MAILDIR = os.path.join(labtest.LAB, "postfix", "mail", "inbox", "new")

# an earlier hop, as a sending relay would have written it
OLDER_HOP = ("Received: from origin.example (origin.example [192.0.2.7])\r\n"
             "\t(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256"
             " (128/128 bits))\r\n"
             "\tby relay.example (Postfix) with ESMTPS id 4AbC;\r\n"
             "\tSat, 28 Nov 2026 10:00:00 +0000 (UTC)\r\n")


def deliver(addr, use_tls, older=False):
    """Send one message to user@inbox.test through addr; its tag."""
    tag = uuid.uuid4().hex
    msg = ((OLDER_HOP if older else "")
           + "From: sender@client.test\r\nTo: user@inbox.test\r\n"
           + "Subject: %s\r\n\r\nhello\r\n" % tag)
    with smtplib.SMTP(addr, 25, local_hostname="client.test",
                      timeout=10) as s:
        s.ehlo()
        if use_tls:
            ctx = ssl.create_default_context(
                cafile=os.path.join(labtest.LAB, "ca", "ca.pem"))
            ctx.check_hostname = False
            s.starttls(context=ctx)
            s.ehlo()
        s.sendmail("sender@client.test", ["user@inbox.test"], msg)
    return tag


def read_back(tag, timeout=15):
    """The path of the delivered message whose Subject is tag."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in glob.glob(os.path.join(MAILDIR, "*")):
            with open(path, "rb") as f:
                if ("Subject: " + tag).encode() in f.read():
                    return path
        time.sleep(0.1)
    raise AssertionError("message %s not delivered to %s" % (tag, MAILDIR))


def headers(path, fmt="json"):
    p = subprocess.run([labtest.MXAUDIT, "headers", "--format", fmt, path],
                       capture_output=True, text=True, timeout=30)
    if fmt == "json":
        errs = labtest.validate_schema.validate_text(
            labtest.validate_schema.load_validator(os.path.join(
                labtest.SRC, "docs", "headers-result.schema.json")),
            p.stdout, "mxaudit headers")
        if errs:
            raise AssertionError("\n".join(errs))
        return p.returncode, json.loads(p.stdout)
    return p.returncode, p.stdout


class Headers(unittest.TestCase):

    def test_tls_hop(self):
        path = read_back(deliver("127.0.0.10", True))
        rc, doc = headers(path)
        self.assertEqual(rc, 0, doc)
        hop = doc["hops"][-1]
        self.assertEqual(hop["by"], "mx.good.test")
        self.assertEqual(hop["from"], "client.test")
        self.assertEqual(hop["from_ip"], "127.0.0.1")
        self.assertEqual(hop["with"], "ESMTPS")
        self.assertIs(hop["tls"], True)
        self.assertEqual(hop["tls_version"], "TLSv1.3")
        self.assertEqual(hop["tls_version_norm"], "1.3")
        self.assertTrue(hop["cipher"].startswith("TLS_AES_"), hop)
        self.assertEqual(hop["tls_format"], "postfix")
        self.assertIsNotNone(hop["date"])
        self.assertIs(doc["summary"]["all_encrypted"], True)

    def test_clear_hop(self):
        path = read_back(deliver("127.0.0.11", False))
        rc, doc = headers(path)
        self.assertEqual(rc, 1, "a hop known unencrypted exits 1")
        hop = doc["hops"][-1]
        self.assertEqual(hop["by"], "mx.nostarttls.test")
        self.assertEqual(hop["with"], "ESMTP")
        self.assertIs(hop["tls"], False)
        self.assertIsNone(hop["tls_version"])
        self.assertIs(doc["summary"]["all_encrypted"], False)
        rc, text = headers(path, fmt="text")
        self.assertEqual(rc, 1)
        self.assertIn("mx.nostarttls.test", text)
        self.assertIn("NO", text)

    def test_hops_oldest_first(self):
        path = read_back(deliver("127.0.0.11", False, older=True))
        rc, doc = headers(path)
        self.assertEqual(rc, 1)
        self.assertEqual([h["by"] for h in doc["hops"]],
                         ["relay.example", "mx.nostarttls.test"])
        self.assertEqual([h["tls"] for h in doc["hops"]], [True, False])
        self.assertEqual(doc["hops"][0]["tls_version_norm"], "1.2")
        self.assertEqual(doc["hops"][0]["date"], "2026-11-28T10:00:00Z")
        self.assertEqual(doc["summary"]["unencrypted"], 1)

    def test_stdin_and_errors(self):
        path = read_back(deliver("127.0.0.10", True))
        with open(path, "rb") as f:
            p = subprocess.run([labtest.MXAUDIT, "headers", "-"], stdin=f,
                               capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"mx.good.test", p.stdout)
        p = subprocess.run([labtest.MXAUDIT, "headers", "/nonexistent"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("/nonexistent", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
