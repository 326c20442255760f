#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""mxaudit policyd against the lab: the socketmap protocol from a client,
then a real sending Postfix (a second instance, smtp_tls_policy_maps at
the daemon) delivering to lab domains: MTA-STS enforce with a good MX is
delivered over verified TLS, enforce whose MX certificate does not match
is deferred and never sent in clear, testing and no policy are delivered
opportunistically, and a DANE domain is answered "dane" so Postfix does
DANE itself (through a validating resolver)."""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import labtest
from sockmap import Socketmap, netstring, wait_answer

PORT = 18461
CA = os.path.join(labtest.LAB, "ca", "ca.pem")
ANCHOR = os.path.join(labtest.LAB, "dns", "trust-anchor.key")


SENDER_MAIN = """compatibility_level = 3.6
config_directory = {d}/etc
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
syslog_name = postfix-sender
myhostname = sender.lab.test
mydomain = lab.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
alias_maps =
alias_database =
smtp_tls_security_level = may
smtp_tls_CAfile = {ca}
smtp_tls_loglevel = 1
smtp_tls_policy_maps = socketmap:inet:127.0.0.1:{port}:postfix
smtp_dns_support_level = dnssec
smtp_connect_timeout = 5s
smtp_helo_timeout = 5s
maximal_backoff_time = 10s
minimal_backoff_time = 5s
queue_run_delay = 5s
"""

SENDER_MASTER = """pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
tlsmgr unix - - n 1000? 1 tlsmgr
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
"""

# a validating resolver for the sender (Postfix does DANE only with
# DNSSEC-validated answers): the lab's unbound does not validate
VALIDATOR = """server:
\tinterface: 127.0.2.3
\tport: 53
\tdo-ip6: no
\tso-reuseport: no
\tnum-threads: 1
\taccess-control: 127.0.0.0/8 allow
\tusername: ""
\tchroot: ""
\tdirectory: "{d}"
\tpidfile: "{d}/unbound.pid"
\tlogfile: "{d}/unbound.log"
\tuse-syslog: no
\tdo-not-query-localhost: no
\tlocal-zone: "test." nodefault
\tmodule-config: "validator iterator"
\ttrust-anchor-file: "{anchor}"
\tqname-minimisation: no
remote-control:
\tcontrol-enable: no
forward-zone:
\tname: "."
\tforward-addr: 127.0.2.2
"""


class Policyd(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="policyd-")
        os.chmod(cls.tmp, 0o755)
        cls.cfg = os.path.join(cls.tmp, "mta-sts-daemon.yml")
        with open(cls.cfg, "w") as f:
            f.write("host: 127.0.0.1\nport: %d\n"
                    "cache:\n  type: sqlite\n  options:\n"
                    "    filename: %s/cache.db\n"
                    "default_zone:\n  strict_testing: false\n  timeout: 4\n"
                    "zones:\n  strict:\n    strict_testing: true\n"
                    "resolver: 127.0.2.2\ntrust_anchor: %s\nca_file: %s\n"
                    "metrics: 127.0.0.1:%d\n"
                    % (PORT, cls.tmp, ANCHOR, CA, PORT + 1))
        cls.daemon = subprocess.Popen(
            [labtest.MXAUDIT, "policyd", "-c", cls.cfg, "-v"],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(cls.tmp, "daemon.log"), "w"))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", PORT), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        cls.sm = Socketmap(PORT)
        cls.sender = None

    @classmethod
    def tearDownClass(cls):
        cls.sm.close()
        if cls.sender is not None:
            subprocess.run(["postfix", "-c", cls.sender + "/etc", "stop"],
                           capture_output=True)
            pidfile = os.path.join(cls.tmp, "validator", "unbound.pid")
            if os.path.exists(pidfile):
                try:
                    os.kill(int(open(pidfile).read()), signal.SIGTERM)
                except (OSError, ValueError):
                    pass
        cls.daemon.send_signal(signal.SIGTERM)
        rc = cls.daemon.wait(20)
        with open(os.path.join(cls.tmp, "daemon.log"),
                  errors="replace") as f:
            log = f.read()
        # a clean, graceful exit (an ASan build exits 1 or 23 on a fault)
        if rc != 0 or "Sanitizer" in log or "runtime error" in log:
            raise AssertionError("policyd exited %d:\n%s" % (rc, log[-4000:]))
        if not os.environ.get("MXAUDIT_KEEP"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- the protocol

    def test_keys_answered_from_the_request(self):
        self.assertEqual(self.sm.ask(".stsgood.test"), "NOTFOUND ")
        self.assertEqual(self.sm.ask("[127.0.0.10]"), "NOTFOUND ")
        self.assertEqual(self.sm.ask("[192.0.2.1]:25"), "NOTFOUND ")

    def test_enforce(self):
        got = wait_answer(self.sm, "stsgood.test", "OK secure")
        self.assertEqual(got,
                         "OK secure match=mx.good.test servername=hostname")
        # the same policy for a bracketed next hop, and in any case
        self.assertEqual(self.sm.ask("[StsGood.TEST]:25"), got)
        # a wildcard pattern, as Postfix matches it
        self.assertEqual(wait_answer(self.sm, "stswild.test", "OK secure"),
                         "OK secure match=.good.test servername=hostname")

    def test_testing_and_none(self):
        # once the testing policy is known (the strict zone sees it), the
        # default zone still answers NOTFOUND: testing is never enforced
        self.test_strict_zone()
        self.assertEqual(self.sm.ask("ststesting.test"), "NOTFOUND ")
        self.sm.ask("good.test")
        time.sleep(1)
        self.assertEqual(self.sm.ask("good.test"), "NOTFOUND ")

    def test_strict_zone(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            got = self.sm.ask("ststesting.test", name="strict")
            if got.startswith("OK"):
                break
            time.sleep(0.1)
        self.assertEqual(got,
                         "OK secure match=mx.good.test servername=hostname")

    def test_dane(self):
        self.assertEqual(wait_answer(self.sm, "daneee.signed.test", "OK"),
                         "OK dane")

    def test_pipelined(self):
        wait_answer(self.sm, "stsgood.test", "OK secure")
        s = socket.create_connection(("127.0.0.1", PORT), 10)
        keys = [".test", "stsgood.test", "[1.2.3.4]", "stsgood.test"] * 25
        s.sendall(b"".join(netstring(b"postfix " + k.encode())
                           for k in keys))
        sm = Socketmap.__new__(Socketmap)
        sm.s, sm.buf = s, b""
        got = [sm.read() for _ in keys]
        s.close()
        want = ["NOTFOUND ", "OK secure match=mx.good.test "
                "servername=hostname", "NOTFOUND ",
                "OK secure match=mx.good.test servername=hostname"] * 25
        self.assertEqual(got, want)

    def test_garbage(self):
        s = socket.create_connection(("127.0.0.1", PORT), 10)
        s.sendall(b"99999999:x,")
        data = s.recv(4096)
        self.assertTrue(data.endswith(b","), data)
        self.assertIn(b"PERM", data)
        s.close()

    def test_metrics(self):
        s = socket.create_connection(("127.0.0.1", PORT + 1), 10)
        s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        self.assertIn(b"200", data.split(b"\r\n")[0])
        self.assertIn(b"mxaudit_policyd_", data)

    def test_query_command(self):
        r = subprocess.run([labtest.MXAUDIT, "query", "-c", self.cfg,
                            "stsgood.test"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("answer: OK secure match=mx.good.test", r.stdout)

    # ---- a real sending Postfix

    def start_sender(self):
        cls = type(self)
        if cls.sender is not None:
            return cls.sender
        d = os.path.join(cls.tmp, "sender")
        for sub in ("etc", "queue", "data"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        pw = pwd.getpwnam("postfix")
        os.chown(os.path.join(d, "data"), pw.pw_uid, pw.pw_gid)
        with open(os.path.join(d, "etc", "main.cf"), "w") as f:
            f.write(SENDER_MAIN.format(d=d, ca=CA, port=PORT))
        with open(os.path.join(d, "etc", "master.cf"), "w") as f:
            f.write(SENDER_MASTER.replace("1000?", "-"))
        past = time.time() - 120
        for name in ("main.cf", "master.cf"):
            os.utime(os.path.join(d, "etc", name), (past, past))
        v = os.path.join(cls.tmp, "validator")
        os.makedirs(v, exist_ok=True)
        with open(os.path.join(v, "unbound.conf"), "w") as f:
            f.write(VALIDATOR.format(d=v, anchor=ANCHOR))
        subprocess.run(["unbound", "-c", os.path.join(v, "unbound.conf")],
                       check=True, capture_output=True)
        with open(os.path.join(d, "resolv.conf"), "w") as f:
            f.write("nameserver 127.0.2.3\noptions trust-ad\n")
        open(os.path.join(d, "maillog"), "w").close()
        cls.sender = d  # from here on, tearDownClass stops what started
        # the sender's own resolver: a mount namespace where
        # /etc/resolv.conf is the validating one (the host keeps its own)
        r = subprocess.run(
            ["unshare", "-m", "sh", "-c",
             "mount --bind '%s/resolv.conf' /etc/resolv.conf && "
             "exec postfix -c '%s/etc' start" % (d, d)],
            capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout + open(
            os.path.join(d, "maillog"), errors="replace").read()[-2000:])
        return d

    def send(self, d, rcpt):
        msg = ("From: sender@sender.lab.test\nTo: %s\nSubject: policyd\n\n"
               "mxaudit policyd lab test\n" % rcpt)
        r = subprocess.run(["sendmail", "-C", d + "/etc", "-f",
                            "sender@sender.lab.test", rcpt],
                           input=msg, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)

    def outcome(self, d, rcpt, seconds=40):
        """status=sent or deferred for rcpt, from the sender's log."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with open(os.path.join(d, "maillog"), errors="replace") as f:
                log = f.read()
            for line in log.splitlines():
                if "to=<%s>" % rcpt in line and "status=" in line:
                    return line, log
            time.sleep(0.2)
        raise AssertionError("no outcome for %s:\n%s" % (rcpt, log[-3000:]))

    def test_postfix_deliveries(self):
        # warm the daemon: the first query of a domain is answered at
        # once (NOTFOUND) and its policy is fetched in the background
        wait_answer(self.sm, "stsgood.test", "OK secure")
        wait_answer(self.sm, "stsbadmx.test", "OK secure")
        wait_answer(self.sm, "daneee.signed.test", "OK dane")
        for k in ("ststesting.test", "good.test"):
            self.sm.ask(k)
        time.sleep(0.5)
        d = self.start_sender()
        cases = {"a@stsgood.test": "sent", "b@stsbadmx.test": "deferred",
                 "c@ststesting.test": "sent", "d@good.test": "sent",
                 "e@daneee.signed.test": "sent"}
        for rcpt in cases:
            self.send(d, rcpt)
        lines = {}
        for rcpt, want in cases.items():
            line, log = self.outcome(d, rcpt)
            lines[rcpt] = line
            self.assertIn("status=" + want, line, log[-4000:])
        log = open(os.path.join(d, "maillog"), errors="replace").read()
        # enforce: verified TLS to the MX the policy names
        self.assertRegex(log, r"Verified TLS connection established to "
                         r"mx\.good\.test")
        # the mismatching MX: refused before any mail went in clear
        self.assertRegex(lines["b@stsbadmx.test"],
                         r"(?i)certificate|verif|TLS")
        self.assertNotRegex(log, r"to=<b@stsbadmx\.test>.*status=sent")
        # DANE: Postfix verified the TLSA record itself
        self.assertRegex(log, r"Verified TLS connection established to "
                         r"mx\.daneee\.signed\.test")


if __name__ == "__main__":
    unittest.main(verbosity=2)
