#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""mxaudit policyd under fire: garbage and oversized netstrings, 1,000
clients at once (and a daemon with few file descriptors), a resolver that
never answers, and SIGKILL while the SQLite cache is being written.

Every case asserts what a sending Postfix would see: the exact reply, in
order, within a deadline, and that the daemon (and its cache file) is
still sound afterwards. Daemons listen on 18500-18509; every one is
stopped at the end, also when a test fails. MXAUDIT_FAULTS_SEED repeats
the SIGKILL moments of a failed run (the seed is in the failure message).
"""

import os
import random
import resource
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import labtest
from sockmap import Socketmap, netstring, request, take, wait_answer

PORT = 18500          # the shared daemon (metrics on PORT + 1)
PORT_NOFD = 18502     # a daemon with few file descriptors
PORT_DEAD = 18504     # a daemon whose resolver never answers
PORT_KILL = 18506     # a daemon killed while writing its cache
CA = os.path.join(labtest.LAB, "ca", "ca.pem")
ANCHOR = os.path.join(labtest.LAB, "dns", "trust-anchor.key")
LAB_RESOLVER = "127.0.2.2"
# unused lab addresses for the resolver that never answers (127.0.2.9 and
# .10 are the lab's own dead name servers: left alone)
DEAD_ADDRS = ["127.0.2.29", "127.0.2.39", "127.0.2.49", "127.0.2.59"]

GOOD = "OK secure match=mx.good.test servername=hostname"
NOTFOUND = "NOTFOUND "
PERM = b"16:PERM bad request,"
FAST = 0.5  # seconds: "at once", generous for a sanitizer build
# the lab's enforce policies (tests/lab/lab.sh gen_sts_policies)
ENFORCE = {
    "stsgood.test": GOOD,
    "stswild.test": "OK secure match=.good.test servername=hostname",
    "stsnotcovered.test":
        "OK secure match=mx.elsewhere.test servername=hostname",
    "stsbadmx.test": "OK secure match=mx.wrongname.test servername=hostname",
    "stsshort.test": GOOD,
}


def read_to_close(s, seconds=5):
    """Everything until the daemon closes; a reset counts as closed."""
    s.settimeout(seconds)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data
    except socket.timeout:
        raise AssertionError("still open after %r" % data)


def port_free(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
    except OSError:
        return True
    return False


def raise_nofile(want):
    """At least want descriptors for this process (its clients)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= want:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (want, max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Clients:
    """One connection per key, all open at once, each asking its key, as
    many Postfix smtp processes do; .got[i] is the reply, or None."""

    def __init__(self, port, keys):
        raise_nofile(len(keys) + 256)
        self.keys = keys
        self.got = [None] * len(keys)
        self.bufs = [b""] * len(keys)
        self.socks = []
        self.sel = selectors.DefaultSelector()
        try:
            for _ in keys:
                self.socks.append(
                    socket.create_connection(("127.0.0.1", port), 10))
            for i, (s, k) in enumerate(zip(self.socks, keys)):
                try:
                    s.sendall(request(k))
                except OSError:
                    # turned away before the request was out
                    self.got[i] = "<closed>"
                    continue
                s.setblocking(False)
                self.sel.register(s, selectors.EVENT_READ, i)
        except BaseException:
            self.close()
            raise

    def answered(self):
        return sum(g is not None for g in self.got)

    def collect(self, seconds, stall=None, close=False):
        """Read replies until all are in, seconds pass, or (stall) none
        came for that long; close: hang up once answered, as a Postfix
        process does when it exits."""
        if close:
            for i, s in enumerate(self.socks):
                if self.got[i] is not None:
                    s.close()
        deadline = time.monotonic() + seconds
        last = time.monotonic()
        while self.answered() < len(self.keys):
            now = time.monotonic()
            if now > deadline or (stall and now - last > stall):
                break
            for sk, _ in self.sel.select(0.2):
                i = sk.data
                try:
                    chunk = sk.fileobj.recv(4096)
                except OSError:
                    chunk = b""
                r = take(self.bufs[i] + chunk) if chunk else None
                if chunk and r is None:
                    self.bufs[i] += chunk
                    continue
                self.got[i] = r[0] if r is not None else "<closed>"
                last = time.monotonic()
                self.sel.unregister(sk.fileobj)
                if close:
                    sk.fileobj.close()

    def wrong(self, want):
        """(key, reply) of every reply that came and is not want's."""
        return [(k, g) for k, g, w in zip(self.keys, self.got, want)
                if g is not None and g != w]

    def close(self):
        self.sel.close()
        for s in self.socks:
            s.close()


class DeadResolver:
    """A name server that takes every query, UDP and TCP, and never
    answers."""

    def __init__(self):
        self.addr = None
        for addr in DEAD_ADDRS:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                u.bind((addr, 53))
                t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                t.bind((addr, 53))
                t.listen(128)
            except OSError:
                u.close()
                t.close()
                continue
            self.addr, self.udp, self.tcp = addr, u, t
            break
        if self.addr is None:
            raise unittest.SkipTest("no free address for a dead resolver "
                                    "among %s" % DEAD_ADDRS)
        self.queries = 0
        self.conns = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        sel = selectors.DefaultSelector()
        sel.register(self.udp, selectors.EVENT_READ)
        sel.register(self.tcp, selectors.EVENT_READ)
        while not self.stop.is_set():
            for sk, _ in sel.select(0.1):
                try:
                    if sk.fileobj is self.udp:
                        self.udp.recvfrom(65536)
                        self.queries += 1
                    elif sk.fileobj is self.tcp:
                        c, _ = self.tcp.accept()
                        self.conns.append(c)
                        sel.register(c, selectors.EVENT_READ)
                    elif not sk.fileobj.recv(65536):
                        sel.unregister(sk.fileobj)
                    else:
                        self.queries += 1
                except OSError:
                    pass
        sel.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for s in [self.udp, self.tcp] + self.conns:
            s.close()


class Daemon:
    """One mxaudit policyd with a configuration of its own."""

    def __init__(self, tmp, name, port, resolver, cache=None, timeout=4,
                 nofile=None, metrics=None, verbose=False):
        self.name = name
        self.port = port
        self.cfg = os.path.join(tmp, name + ".yml")
        self.logpath = os.path.join(tmp, name + ".log")
        cachecfg = ("cache:\n  type: sqlite\n  options:\n"
                    "    filename: %s\n" % cache if cache
                    else "cache:\n  type: internal\n")
        with open(self.cfg, "w") as f:
            # reuse_port off: a stray daemon on the port fails the start
            # instead of sharing the connections
            f.write("host: 127.0.0.1\nport: %d\nreuse_port: false\n"
                    "shutdown_timeout: 10\n%s"
                    "default_zone:\n  strict_testing: false\n"
                    "  timeout: %g\n"
                    "resolver: %s\ntrust_anchor: %s\nca_file: %s\n"
                    % (port, cachecfg, timeout, resolver, ANCHOR, CA))
            if metrics:
                f.write("metrics: 127.0.0.1:%d\n" % metrics)
        if not port_free(port):
            raise AssertionError("port %d is taken: a stray daemon?" % port)

        def limits():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        argv = [labtest.MXAUDIT, "policyd", "-c", self.cfg]
        if verbose:
            argv.append("-v")
        self.t0 = time.monotonic()
        with open(self.logpath, "a") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                         stderr=log, preexec_fn=limits)

    def wait_ready(self, seconds=15):
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("%s exited %d at start:\n%s" % (
                    self.name, self.proc.returncode, self.log()[-3000:]))
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def log(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def check_log(self):
        log = self.log()
        if "Sanitizer" in log or "runtime error" in log:
            raise AssertionError("%s:\n%s" % (self.name, log[-4000:]))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM: a clean, graceful exit (an ASan build exits 1 or 23
        on a fault)."""
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(30)
        self.check_log()
        if rc != 0:
            raise AssertionError("%s exited %d:\n%s"
                                 % (self.name, rc, self.log()[-4000:]))

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)
        self.check_log()

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def metric(port, name):
    s = socket.create_connection(("127.0.0.1", port), 10)
    s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    data = read_to_close(s, 10)
    s.close()
    for line in data.decode(errors="replace").splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("no %s in %r" % (name, data[-2000:]))


def db_rows(path):
    """integrity_check and the rows of a cache file (opened read-write,
    as the daemon would: a WAL left by a killed process is recovered)."""
    db = sqlite3.connect(path, timeout=5)
    try:
        check = db.execute("PRAGMA integrity_check").fetchall()
        rows = db.execute("SELECT domain, mode, mx, expires_at "
                          "FROM sts_policy").fetchall()
    finally:
        db.close()
    return check, {r[0]: r[1:] for r in rows}


def expected_reply(mode, mx):
    """What a cached, unexpired row must be answered in the default
    zone: enforce is OK secure with its patterns, testing is NOTFOUND."""
    if mode != "enforce":
        return NOTFOUND
    seen = []
    for p in mx.split():
        m = p[1:] if p.startswith("*.") else p
        if m.lower() not in [s.lower() for s in seen]:
            seen.append(m)
    return "OK secure match=%s servername=hostname" % ":".join(seen)


class PolicydFaults(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="policyd-faults-")
        os.chmod(cls.tmp, 0o755)
        cls.shared = None
        cls.sm = None
        raise_nofile(4096)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        try:
            # the shared daemon: room for 1,000 clients and its own needs
            if soft < 1300:
                raise unittest.SkipTest("1,000 clients need 1,300 file "
                                        "descriptors, the limit is %d"
                                        % soft)
            cls.shared = Daemon(cls.tmp, "shared", PORT, LAB_RESOLVER,
                                cache=os.path.join(cls.tmp, "shared.db"),
                                nofile=min(4096, hard), metrics=PORT + 1)
            cls.shared.wait_ready()
            cls.sm = Socketmap(PORT)
            wait_answer(cls.sm, "stsgood.test", "OK secure")
            cls.sm.ask("good.test")  # no policy: NOTFOUND from now on
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.sm is not None:
            cls.sm.close()
        if cls.shared is not None:
            try:
                if cls.shared.alive():
                    cls.shared.stop()
                else:
                    raise AssertionError("the shared daemon died:\n%s"
                                         % cls.shared.log()[-4000:])
            finally:
                cls.shared.cleanup()
        if not os.environ.get("MXAUDIT_KEEP"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def assert_still_answers(self, port=PORT):
        """stsgood.test's policy, on a new connection and at once."""
        sm = Socketmap(port)
        try:
            got, dt = sm.timed("stsgood.test")
        finally:
            sm.close()
        self.assertEqual(got, GOOD)
        self.assertLess(dt, FAST)

    def start_daemon(self, *args, **kw):
        d = Daemon(self.tmp, *args, **kw)
        self.addCleanup(d.cleanup)
        d.wait_ready()
        return d

    # ---- 1. garbage, oversized, binary, pipelined

    def test_garbage_gets_perm_and_close(self):
        blob = bytes(random.Random(1).randrange(256) for _ in range(4096))
        cases = {
            "non-digit length": b"x:",
            "letters after digits": b"12x",
            "no ':' at all": b"abc,",
            "no ',' after the payload": b"5:helloX",
            "another byte for ','": b"5:hello;",
            "a sign": b"-1:",
            "a plus": b"+5:hello,",
            "a leading space": b" 5:hello,",
            "a space before ':'": b"5 :hello,",
            "a leading zero": b"01:a,",
            "an empty length": b":,",
            "CR LF": b"\r\n",
            "HTTP": b"GET / HTTP/1.0\r\n\r\n",
            "over the limit": b"999999999:",
            "20 digits": b"99999999999999999999:",
            "one byte over 10,000": b"10001:",
            "NUL in the length": b"1\x002:",
            "binary garbage": b"\x80" + blob,
            "empty request": b"0:,",
            "not NAME KEY": netstring(b"nospace"),
            "empty name": netstring(b" stsgood.test"),
            "NUL bytes only": netstring(b"\x00" * 10),
            "binary without a space": netstring(blob.replace(b" ", b"")),
        }
        for why, data in cases.items():
            with self.subTest(why):
                s = socket.create_connection(("127.0.0.1", PORT), 10)
                try:
                    s.sendall(data)
                    # PERM, then the connection closes (docs/policyd.md)
                    self.assertEqual(read_to_close(s), PERM)
                finally:
                    s.close()
                # the others are not disturbed: an open connection and a
                # new one get the cached policy at once
                got, dt = self.sm.timed("stsgood.test")
                self.assertEqual(got, GOOD)
                self.assertLess(dt, FAST)
                self.assert_still_answers()

    def test_declared_200000_with_the_bytes(self):
        s = socket.create_connection(("127.0.0.1", PORT), 10)

        def send():
            try:
                s.sendall(b"200000:" + b"a" * 200000 + b",")
            except OSError:
                pass  # the daemon closed first: as it should

        t = threading.Thread(target=send, daemon=True)
        t.start()
        try:
            self.assertEqual(read_to_close(s), PERM)
        finally:
            t.join(10)
            s.close()
        self.assertEqual(self.sm.ask("stsgood.test"), GOOD)
        self.assert_still_answers()

    def test_the_limit_is_10000_bytes(self):
        # exactly the maximum is a request (its key is not a domain:
        # NOTFOUND), and the connection stays in step
        sm = Socketmap(PORT)
        try:
            req = b"postfix " + b"a" * (10000 - 8)
            sm.s.sendall(netstring(req))
            self.assertEqual(sm.read(), NOTFOUND)
            self.assertEqual(sm.ask("stsgood.test"), GOOD)
        finally:
            sm.close()
        s = socket.create_connection(("127.0.0.1", PORT), 10)
        try:
            s.sendall(netstring(b"postfix " + b"a" * (10001 - 8)))
            self.assertEqual(read_to_close(s), PERM)
        finally:
            s.close()

    def test_binary_keys_are_notfound_and_the_stream_stays(self):
        # well framed "NAME KEY" whose key is no domain: NOTFOUND, and the
        # next request on the same connection is answered right
        sm = Socketmap(PORT)
        try:
            for key in (b"\x00", b"a\x00b", b"stsgood.test\x00",
                        b"\xff\xfe\xfd", b"\x80" * 300, b"", b"[",
                        b"a..b", b"-.-", b"stsgood.test:99999x"):
                with self.subTest(key=key[:20]):
                    self.assertEqual(sm.ask(key), NOTFOUND)
                    self.assertEqual(sm.ask("stsgood.test"), GOOD)
        finally:
            sm.close()

    def test_replies_before_perm(self):
        # what came before the garbage is answered, in order, then PERM
        s = socket.create_connection(("127.0.0.1", PORT), 10)
        try:
            s.sendall(request("stsgood.test") + request(".test")
                      + request("[StsGood.Test]:25") + b"7:garbage;"
                      + request("stsgood.test"))
            data = read_to_close(s)
        finally:
            s.close()
        self.assertEqual(data, netstring(GOOD.encode())
                         + netstring(NOTFOUND.encode())
                         + netstring(GOOD.encode()) + PERM)

    def test_pipelined_in_order(self):
        keys = []
        for i in range(2000):
            keys.append(["stsgood.test", ".test", "[1.2.3.4]",
                         "h%06d.hosted.test" % (10000 + i), "STSGOOD.TEST",
                         "[stsgood.test]:25", "good.test"][i % 7])
        want = [GOOD if k in ("stsgood.test", "STSGOOD.TEST",
                              "[stsgood.test]:25") else NOTFOUND
                for k in keys]
        sm = Socketmap(PORT)
        data = b"".join(request(k) for k in keys)

        def send():
            try:
                sm.s.sendall(data)
            except OSError:
                pass

        t = threading.Thread(target=send, daemon=True)
        t.start()
        try:
            got = [sm.read() for _ in keys]
        finally:
            t.join(10)
            sm.close()
        self.assertEqual(got, want)

    def test_requests_cut_anywhere(self):
        # a request in pieces of one byte: the decoder keeps its place
        sm = Socketmap(PORT)
        try:
            data = request("stsgood.test") + request(".test")
            for i in range(len(data)):
                sm.s.sendall(data[i:i + 1])
                time.sleep(0.002)
            self.assertEqual(sm.read(), GOOD)
            self.assertEqual(sm.read(), NOTFOUND)
        finally:
            sm.close()

    def test_half_requests_and_a_reader_that_never_reads(self):
        socks = []
        try:
            # connections that stop in the middle of a request, or go
            s = socket.create_connection(("127.0.0.1", PORT), 10)
            s.sendall(b"20:postfix sts")
            socks.append(s)
            s = socket.create_connection(("127.0.0.1", PORT), 10)
            s.sendall(b"20:postfix sts")
            s.close()
            # a client that pipelines without ever reading its replies:
            # its own socket buffers fill, not the daemon's memory
            hog = socket.create_connection(("127.0.0.1", PORT), 10)
            socks.append(hog)
            hog.setblocking(False)
            chunk = request("stsgood.test") * 1000
            sent = 0
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    sent += hog.send(chunk)
                except BlockingIOError:
                    time.sleep(0.05)
                    try:
                        sent += hog.send(chunk)
                    except BlockingIOError:
                        break
            self.assertGreater(sent, 100000)
            got, dt = self.sm.timed("stsgood.test")
            self.assertEqual(got, GOOD)
            self.assertLess(dt, FAST)
            self.assert_still_answers()
            # the replies were held for it, in order
            hog.setblocking(True)
            hog.settimeout(10)
            buf = hog.recv(65536)
            while take(buf) is None:
                buf += hog.recv(65536)
            self.assertEqual(take(buf)[0], GOOD)
        finally:
            for s in socks:
                s.close()
        self.assert_still_answers()

    # ---- 2. 1,000 clients at once

    def mixed_keys(self, n, first):
        keys, want = [], []
        for i in range(n):
            k = ["stsgood.test", "h%06d.hosted.test" % (first + i),
                 ".test", "good.test", "[127.0.0.10]:25"][i % 5]
            keys.append(k)
            want.append(GOOD if k == "stsgood.test" else NOTFOUND)
        return keys, want

    def test_thousand_clients(self):
        base = metric(PORT + 1, "mxaudit_policyd_connections_open")
        keys, want = self.mixed_keys(1000, 20000)
        t0 = time.monotonic()
        c = Clients(PORT, keys)
        try:
            c.collect(30)
            secs = time.monotonic() - t0
        finally:
            c.close()
        self.assertEqual(c.wrong(want), [])
        self.assertEqual(c.answered(), 1000)
        self.assertLess(secs, 20)
        self.assert_still_answers()
        self.assertEqual(self.sm.ask("stsgood.test"), GOOD)
        # every connection was let go: nothing leaks
        deadline = time.monotonic() + 10
        while True:
            now = metric(PORT + 1, "mxaudit_policyd_connections_open")
            if now <= base or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertLessEqual(now, base)

    def test_thousand_clients_few_descriptors(self):
        # 400 descriptors (a hard limit) for 1,000 clients that keep their
        # connections (as Postfix's smtp processes do): the daemon keeps
        # its connections below the limit (200; the rest are for its
        # lookups), turns the clients past that away at once (closed,
        # never a wrong answer, never left waiting), and still looks
        # domains up while it is full
        d = self.start_daemon("nofd", PORT_NOFD, LAB_RESOLVER, nofile=400)
        sm = Socketmap(PORT_NOFD)
        try:
            wait_answer(sm, "stsgood.test", "OK secure")
            self.assertIn("200 connections at most", d.log())
            keys, want = self.mixed_keys(1000, 30000)
            c = Clients(PORT_NOFD, keys)
            try:
                c.collect(15, stall=1.5)
                self.assertEqual([w for w in c.wrong(want)
                                  if w[1] != "<closed>"], [])
                served = sum(g not in (None, "<closed>") for g in c.got)
                self.assertGreater(served, 150)
                self.assertLess(served, 200)
                self.assertEqual(c.answered(), 1000, "left waiting")
                # full, it still answers the connections it has, and
                # still resolves: a policy it has not seen yet
                got, dt = sm.timed("stsgood.test")
                self.assertEqual(got, GOOD)
                self.assertLess(dt, FAST)
                self.assertEqual(
                    wait_answer(sm, "stswild.test", "OK secure"),
                    ENFORCE["stswild.test"])
            finally:
                c.close()
            # the clients gone, the next ones are served
            keys, want = self.mixed_keys(150, 31000)
            c = Clients(PORT_NOFD, keys)
            try:
                c.collect(15)
            finally:
                c.close()
            self.assertEqual(c.wrong(want), [])
            self.assertEqual(c.answered(), 150)
        finally:
            sm.close()
        self.assertNotIn("Too many open files", d.log())
        self.assertTrue(d.alive())
        self.assert_still_answers(PORT_NOFD)
        d.stop()

    def learn(self, name, port, db, domains):
        """A daemon on the lab resolver learns the enforce policies of
        domains into db, then stops."""
        d = self.start_daemon(name, port, LAB_RESOLVER, cache=db)
        sm = Socketmap(port)
        try:
            for k in domains:
                self.assertEqual(wait_answer(sm, k, "OK secure"),
                                 ENFORCE[k])
        finally:
            sm.close()
        d.stop()

    # ---- 3. the resolver dies

    def test_dead_resolver(self):
        dead = DeadResolver()
        self.addCleanup(dead.close)
        db = os.path.join(self.tmp, "dead.db")
        learned = ("stsgood.test", "stswild.test")
        # learn two enforce policies from the lab, then stop
        self.learn("dead-learn", PORT_DEAD, db, learned)
        check, rows = db_rows(db)
        self.assertEqual(check, [("ok",)])
        self.assertEqual(sorted(k for k in rows if k in learned),
                         sorted(learned))
        # the same cache, a resolver that never answers
        d = self.start_daemon("dead", PORT_DEAD, dead.addr, cache=db,
                              timeout=1)
        sm = Socketmap(PORT_DEAD)
        new = (["h%06d.hosted.test" % i for i in range(40000, 40300)]
               + ["stsnotxt.test", "ststesting.test", "stsshort.test",
                  "nxdomain.test", "brand-new.example"])
        try:
            for k in learned:
                got, dt = sm.timed(k)
                self.assertEqual(got, ENFORCE[k])
                self.assertLess(dt, FAST)
            for k in new:
                got, dt = sm.timed(k)
                self.assertEqual((k, got), (k, NOTFOUND))
                self.assertLess(dt, FAST, k)
            # and all at once, pipelined, while 300 lookups hang
            t0 = time.monotonic()
            sm.s.sendall(b"".join(request(k) for k in new + list(learned)))
            got = [sm.read() for _ in new + list(learned)]
            self.assertLess(time.monotonic() - t0, 2 * FAST)
            self.assertEqual(got, [NOTFOUND] * len(new)
                             + [ENFORCE[k] for k in learned])
            # once the lookups have failed: the cached policy stands
            deadline = time.monotonic() + 20
            while "stsgood.test: mta-sts: refresh failed" not in d.log():
                self.assertLess(time.monotonic(), deadline,
                                "no failed refresh:\n" + d.log()[-2000:])
                got, dt = sm.timed("stsgood.test")
                self.assertEqual(got, GOOD)
                self.assertLess(dt, FAST)
                time.sleep(0.1)
            self.assertGreater(dead.queries, 0)
            for k in list(learned) + new[:20] + new[-5:]:
                got, dt = sm.timed(k)
                self.assertEqual(got, ENFORCE[k] if k in learned
                                 else NOTFOUND, k)
                self.assertLess(dt, FAST, k)
        finally:
            sm.close()
        self.assert_still_answers(PORT_DEAD)
        d.stop()
        check, rows = db_rows(db)
        self.assertEqual(check, [("ok",)])
        self.assertTrue(all(k in rows for k in learned))

    # ---- 4. SIGKILL while the cache is written

    def test_kill9_while_writing(self):
        seed = int(os.environ.get("MXAUDIT_FAULTS_SEED",
                                  str(int(time.time()))))
        rnd = random.Random(seed)
        dead = DeadResolver()
        self.addCleanup(dead.close)
        db = os.path.join(self.tmp, "kill.db")
        learned = ("stsgood.test", "stswild.test", "stsnotcovered.test")
        churn = ("stsbadmx.test", "stsshort.test", "ststesting.test")
        self.learn("kill-learn", PORT_KILL, db, learned)
        self.assertEqual(sorted(k for k in db_rows(db)[1] if k in learned),
                         sorted(learned))
        # five kills: at start-up, at moments, and just as the WAL grows
        moments = [0.02, 0.5 + rnd.random() * 0.5, 1.4 + rnd.random() * 0.4,
                   2.4 + rnd.random() * 0.3, "write", "write"]
        rnd.shuffle(moments)
        landed = 0
        for rnd_no, moment in enumerate(moments):
            ctx = "seed %d, round %d, kill at %s" % (seed, rnd_no, moment)
            synth = self.seed_cache(db, churn)
            d = self.start_daemon("kill-%d" % rnd_no, PORT_KILL,
                                  LAB_RESOLVER, cache=db)
            stop = threading.Event()
            seen = []
            burst = threading.Thread(
                target=self.burst, daemon=True,
                args=(learned + churn, synth, stop, seen))
            burst.start()
            if moment == "write":
                self.kill_on_write(d, db, ctx)
            else:
                time.sleep(moment)
                d.kill()
            stop.set()
            burst.join(10)
            # what the burst saw before the kill: never weaker than the
            # cache (NOTFOUND for a cached policy only once it expired:
            # the daemon's clock had passed expiry before the reply came),
            # never TEMP nor PERM
            for i, (k, reply, at) in enumerate(seen):
                if k in learned:
                    ok = reply == ENFORCE[k]
                elif k in synth:
                    ok = reply == GOOD or (reply == NOTFOUND
                                           and at >= synth[k])
                else:
                    ok = reply in (ENFORCE.get(k), NOTFOUND)
                if not ok:
                    self.fail("%s: %s answered %r at %.3f (expires %s); "
                              "replies around it: %r\n%s" % (
                                  ctx, k, reply, at, synth.get(k),
                                  seen[max(0, i - 5):i + 5],
                                  d.log()[-3000:]))
            # the file after the kill (a copy: the daemon recovers the
            # original itself)
            copy = os.path.join(self.tmp, "kill-copy.db")
            for suffix in ("", "-wal"):
                if os.path.exists(copy + suffix):
                    os.unlink(copy + suffix)
                if os.path.exists(db + suffix):
                    shutil.copyfile(db + suffix, copy + suffix)
            if os.path.exists(copy + "-shm"):
                os.unlink(copy + "-shm")
            check, rows = db_rows(copy)
            self.assertEqual(check, [("ok",)], ctx)
            for k in learned:
                self.assertIn(k, rows, ctx)
            if any(k in rows for k in churn):
                landed += 1
            # restarted without a resolver that answers: every cached,
            # unexpired policy is answered from the file, at once
            d = self.start_daemon("kill-%d-after" % rnd_no, PORT_KILL,
                                  dead.addr, cache=db, timeout=1)
            started = d.t0
            sm = Socketmap(PORT_KILL)
            try:
                got, dt = sm.timed("stsgood.test")
                self.assertEqual(got, GOOD, ctx)
                self.assertLess(dt, FAST, ctx)
                self.assertLess(time.monotonic() - started, 5, ctx)
                for k, (mode, mx, expires) in sorted(rows.items()):
                    if expires < time.time() + 2:
                        continue  # expires while asked: either answer
                    got, dt = sm.timed(k)
                    self.assertEqual(got, expected_reply(mode, mx),
                                     (ctx, k, mode))
                    self.assertLess(dt, FAST, (ctx, k))
            finally:
                sm.close()
            d.stop()
            check, rows = db_rows(db)
            self.assertEqual(check, [("ok",)], ctx)
            self.assertTrue(all(k in rows for k in learned), ctx)
        # the kills did hit a daemon that was writing its cache
        self.assertGreater(landed, 0, "no fetched policy ever reached the "
                           "file (seed %d)" % seed)

    def seed_cache(self, db, churn):
        """Between two runs: the churn domains forgotten (they are fetched
        and written again), 1,000 enforce policies that expire over the
        next seconds (dropped, so deleted, while the burst asks) and 200
        already expired (deleted at start). Returns domain -> expiry."""
        now = time.time()
        body = (b"version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\n"
                b"max_age: 86400\r\n")
        synth = {}
        rows = []
        for i in range(1200):
            domain = "kill%04d.hosted.test" % i
            expires = int(now - 5) if i < 200 else int(
                now + 1 + 3.0 * (i - 200) / 1000)
            synth[domain] = expires
            rows.append((domain, "1", expires - 86400, expires, "enforce",
                         "mx.good.test", body))
        conn = sqlite3.connect(db, timeout=5)
        try:
            with conn:
                conn.execute("DELETE FROM sts_policy WHERE domain IN "
                             "(%s)" % ",".join("?" * len(churn)), churn)
                conn.execute("DELETE FROM sts_policy WHERE domain LIKE "
                             "'kill%'")
                conn.executemany("INSERT INTO sts_policy (domain, "
                                 "policy_id, fetched_at, expires_at, mode, "
                                 "mx, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 rows)
        finally:
            conn.close()
        return synth

    def burst(self, cached, synth, stop, seen):
        """Keep the daemon busy until it dies: the cached and churn
        domains, the expiring ones, new domains (lookups), pipelined."""
        try:
            sm = Socketmap(PORT_KILL)
        except OSError:
            return
        names = list(synth)
        n = 0
        try:
            while not stop.is_set():
                first = n % len(names)
                keys = list(cached) + names[first:first + 200] + [
                    "h%06d.hosted.test" % (50000 + n + i) for i in range(20)]
                n += 200
                sm.s.sendall(b"".join(request(k) for k in keys))
                for k in keys:
                    seen.append((k, sm.read(), time.time()))
        except (OSError, EOFError):
            pass
        finally:
            sm.close()

    def kill_on_write(self, d, db, ctx):
        """SIGKILL as soon as the daemon writes to its cache file or WAL
        after start, i.e. in the middle of a commit."""
        def stamp():
            out = []
            for path in (db, db + "-wal"):
                try:
                    st = os.stat(path)
                    out.append((st.st_mtime_ns, st.st_size))
                except OSError:
                    out.append(None)
            return out
        # past the start-up writes (the expired rows' DELETE): an answer
        sm = Socketmap(PORT_KILL)
        try:
            sm.ask("stsgood.test")
        finally:
            sm.close()
        before = stamp()
        deadline = time.monotonic() + 6
        while stamp() == before:
            if time.monotonic() > deadline:
                d.kill()
                self.fail("%s: no cache write in 6 s" % ctx)
        d.kill()


if __name__ == "__main__":
    unittest.main(verbosity=2)
