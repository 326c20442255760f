#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""policyd_bench - mxaudit policyd against postfix-mta-sts-resolver
(Debian's mta-sts-daemon, if installed) on the same keys, in the lab.

Usage: policyd_bench.py BUILD_DIR [SECONDS]

For each daemon: warm it (every key asked until its answer settles), then
bench/sockmap_load (one request in flight per connection, as Postfix's
smtp processes ask) at 1, 8 and 64 connections on three key sets: cached
policies, domains without a policy, Postfix's parent-domain probes, over
TCP; cached policies again over a UNIX socket; and first, the ceiling:
the same load against bench/sockmap_null, a server that does no work. Then
its RSS, and the answer time for new domains with the resolver dead; and
ours with 2,000 cached policies loaded from its SQLite file.
Both daemons use the lab resolver (the Python one through a mount
namespace whose /etc/resolv.conf points at it) and trust the lab CA.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

build = os.path.abspath(sys.argv[1])
secs = sys.argv[2] if len(sys.argv) > 2 else "3"
lab = os.path.join(build, "lab")
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tmp = tempfile.mkdtemp(prefix="policyd-bench-")
load = os.path.join(tmp, "sockmap_load")
subprocess.run(["cc", "-O2", "-o", load,
                os.path.join(top, "bench", "sockmap_load.c")], check=True)
null = os.path.join(tmp, "sockmap_null")
subprocess.run(["cc", "-O2", "-o", null,
                os.path.join(top, "bench", "sockmap_null.c")], check=True)
CA = os.path.join(lab, "ca", "ca.pem")

POLICIES = ["stsgood.test", "stswild.test", "stsnotcovered.test",
            "stsbadmx.test", "stsshort.test", "stsnotxt.test"]
NONE = ["h%06d.hosted.test" % i for i in range(500)]
PARENTS = [".test", ".hosted.test", ".signed.test"]


def netstring(b):
    return b"%d:%s," % (len(b), b)


def dial(port, timeout):
    """port: a TCP port on 127.0.0.1, or the path of a UNIX socket"""
    if isinstance(port, str):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(port)
        return s
    return socket.create_connection(("127.0.0.1", port), timeout)


def listen_conf(port):
    if isinstance(port, str):
        return "path: %s\n" % port
    return "host: 127.0.0.1\nport: %d\n" % port


def load_addr(port):
    if isinstance(port, str):
        return ["unix:" + port, "-"]
    return ["127.0.0.1", str(port)]


def ask(port, key):
    s = dial(port, 5)
    s.sendall(netstring(b"postfix " + key.encode()))
    data = b""
    while not data.endswith(b","):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b":", 1)[1][:-1].decode()


def wait_port(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            dial(port, 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("%s never opened" % port)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def keyfile(name, keys):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(keys) + "\n")
    return path


def start_ours(port, resolver="127.0.2.2"):
    cfg = os.path.join(tmp, "ours-%s.yml" % os.path.basename(str(port)))
    with open(cfg, "w") as f:
        f.write("%sresolver: %s\ntrust_anchor: %s\nca_file: %s\n"
                % (listen_conf(port), resolver,
                   os.path.join(lab, "dns", "trust-anchor.key"), CA))
    p = subprocess.Popen([os.path.join(build, "mxaudit"), "policyd", "-c",
                          cfg], stderr=subprocess.DEVNULL)
    wait_port(port)
    return p


def start_python(port, resolver="127.0.2.2"):
    cfg = os.path.join(tmp, "py-%s.yml" % os.path.basename(str(port)))
    with open(cfg, "w") as f:
        # (reuse_port: false crashes 1.1.2: UnboundLocalError in start())
        f.write("%sreuse_port: true\n"
                "cache:\n  type: internal\n  options:\n"
                "    cache_size: 10000\n" % listen_conf(port))
    rc = os.path.join(tmp, "resolv-%s.conf" % os.path.basename(str(port)))
    with open(rc, "w") as f:
        f.write("nameserver %s\n" % resolver)
    env = dict(os.environ, SSL_CERT_FILE=CA)
    p = subprocess.Popen(
        ["unshare", "-m", "sh", "-c",
         "mount --bind '%s' /etc/resolv.conf && exec mta-sts-daemon -c '%s'"
         % (rc, cfg)], env=env, stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL)
    wait_port(port)
    return p


def warm(port):
    for k in POLICIES + NONE:
        ask(port, k)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(ask(port, k).startswith("OK") for k in POLICIES[:2]):
            return
        time.sleep(0.2)


def run(name, port, pid, sets=("cached policies", "no policy",
                                "parent probes")):
    print("== %s, %s" % (name, "UNIX socket" if isinstance(port, str)
                         else "TCP"))
    warm(port)
    for label, keys in (("cached policies", POLICIES),
                        ("no policy", NONE), ("parent probes", PARENTS)):
        if label not in sets:
            continue
        kf = keyfile("%s.txt" % label.replace(" ", "-"), keys)
        for c in (1, 8, 64):
            out = subprocess.run([load] + load_addr(port) + [str(c), secs,
                                  kf], capture_output=True, text=True)
            print("  %-16s %s" % (label, out.stdout.strip() or out.stderr))
    print("  RSS %.1f MiB" % (rss_kib(pid) / 1024.0))


class Conn:
    """one socketmap connection kept open, as Postfix's smtp processes do"""

    def __init__(self, port):
        self.s = dial(port, 10)

    def ask(self, key):
        self.s.sendall(netstring(b"postfix " + key.encode()))
        data = b""
        while not data.endswith(b","):
            chunk = self.s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def dead_resolver(name, starter, port, n):
    # a resolver that takes every query and never answers (a closed port
    # would refuse at once, which is not how resolvers die)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.2.9", 53))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.2.9", 53))
    tcp.listen(64)
    p = starter(port, resolver="127.0.2.9")
    time.sleep(1)
    c = Conn(port)
    times = []
    for i in range(n):
        t = time.monotonic()
        c.ask("dead%03d.hosted.test" % i)
        times.append((time.monotonic() - t) * 1000)
    times.sort()
    print("== %s, resolver dead: %d new domains on one connection: "
          "p50 %.3f ms, p99 %.3f ms, slowest %.3f ms"
          % (name, n, times[n // 2], times[n * 99 // 100], times[-1]))
    stop(p)
    udp.close()
    tcp.close()


def many_policies(n=2000):
    """mxaudit policyd with n cached policies (its SQLite file, as after
    a restart): each answered from memory, then the daemon's RSS"""
    db = os.path.join(tmp, "policies.db")
    now = int(time.time())
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE sts_policy (domain TEXT PRIMARY KEY NOT NULL,"
                " policy_id TEXT NOT NULL, fetched_at INTEGER NOT NULL,"
                " expires_at INTEGER NOT NULL, mode TEXT NOT NULL,"
                " mx TEXT NOT NULL, body BLOB NOT NULL)")
    con.execute("PRAGMA user_version = 1")
    rows = []
    for i in range(n):
        d = "p%05d.example" % i
        mx = "mx1.%s *.mail.%s" % (d, d)
        body = ("version: STSv1\r\nmode: enforce\r\nmx: mx1.%s\r\n"
                "mx: *.mail.%s\r\nmax_age: 604800\r\n" % (d, d))
        rows.append((d, "20261128T000000", now, now + 604800, "enforce",
                     mx, body.encode()))
    con.executemany("INSERT INTO sts_policy VALUES (?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()
    port = 18474
    cfg = os.path.join(tmp, "many.yml")
    with open(cfg, "w") as f:
        f.write("host: 127.0.0.1\nport: %d\nresolver: 127.0.2.2\n"
                "trust_anchor: %s\nca_file: %s\ncache:\n  type: sqlite\n"
                "  options:\n    filename: %s\n"
                % (port, os.path.join(lab, "dns", "trust-anchor.key"), CA,
                   db))
    p = subprocess.Popen([os.path.join(build, "mxaudit"), "policyd", "-c",
                          cfg], stderr=subprocess.DEVNULL)
    wait_port(port)
    c = Conn(port)
    ok = sum(c.ask("p%05d.example" % i).split(b":", 1)[1]
             .startswith(b"OK secure match=") for i in range(n))
    kf = keyfile("many.txt", ["p%05d.example" % i for i in range(n)])
    out = subprocess.run([load, "127.0.0.1", str(port), "8", secs, kf],
                         capture_output=True, text=True)
    st = {}
    with open("/proc/%d/status" % p.pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            st[k] = v.strip()
    pss = 0
    with open("/proc/%d/smaps_rollup" % p.pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    print("== mxaudit policyd, %d cached policies (%d answered OK secure)"
          % (n, ok))
    print("  %s" % out.stdout.strip())
    print("  VmRSS %s (RssAnon %s, RssFile %s), PSS %d kB"
          % (st["VmRSS"], st["RssAnon"], st["RssFile"], pss))
    stop(p)


def ceiling(port=18474):
    """the same load against sockmap_null, a server that does nothing:
    what the load generator and the kernel allow on this machine"""
    p = subprocess.Popen([null, str(port)])
    try:
        wait_port(port)
        kf = keyfile("ceiling.txt", PARENTS)
        print("== ceiling: sockmap_null (no lookup, one read and one "
              "send per request), TCP")
        for c in (1, 8, 64):
            out = subprocess.run([load, "127.0.0.1", str(port), str(c), secs,
                                  kf], capture_output=True, text=True)
            print("  %-16s %s" % ("any key", out.stdout.strip()
                                  or out.stderr))
    finally:
        p.kill()
        p.wait()


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(25)
    except subprocess.TimeoutExpired:
        p.kill()


try:
    ceiling()
    p = start_ours(18470)
    run("mxaudit policyd", 18470, p.pid)
    stop(p)
    p = start_ours(os.path.join(tmp, "ours.sock"))
    run("mxaudit policyd", os.path.join(tmp, "ours.sock"), p.pid,
        ("cached policies",))
    stop(p)
    dead_resolver("mxaudit policyd", start_ours, 18472, 200)
    many_policies()
    if shutil.which("mta-sts-daemon"):
        p = start_python(18471)
        time.sleep(1)
        pid = int(subprocess.run(["pgrep", "-f", "mta-sts-daemon -c"],
                                 capture_output=True, text=True)
                  .stdout.split()[0])
        run("postfix-mta-sts-resolver (mta-sts-daemon)", 18471, pid)
        stop(p)
        subprocess.run(["pkill", "-f", "mta-sts-daemon -c"])
        sock = os.path.join(tmp, "py.sock")
        p = start_python(sock)
        time.sleep(1)
        pid = int(subprocess.run(["pgrep", "-f", "mta-sts-daemon -c"],
                                 capture_output=True, text=True)
                  .stdout.split()[0])
        run("postfix-mta-sts-resolver (mta-sts-daemon)", sock, pid,
            ("cached policies",))
        stop(p)
        subprocess.run(["pkill", "-f", "mta-sts-daemon -c"])
        dead_resolver("postfix-mta-sts-resolver", start_python, 18473, 5)
        subprocess.run(["pkill", "-f", "mta-sts-daemon -c"])
    else:
        print("mta-sts-daemon not installed: apt-get install "
              "postfix-mta-sts-resolver to compare")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
