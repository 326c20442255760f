#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""policyd_bench - mxaudit policyd against postfix-mta-sts-resolver
(Debian's mta-sts-daemon, if installed) on the same keys, in the lab.

Usage: policyd_bench.py BUILD_DIR [SECONDS]

For each daemon: warm it (every key asked until its answer settles), then
bench/sockmap_load (one request in flight per connection, as Postfix's
smtp processes ask) at 1, 8 and 64 connections on three key sets: cached
policies, domains without a policy, Postfix's parent-domain probes. Then
its RSS, and the answer time for new domains with the resolver dead.
Both daemons use the lab resolver (the Python one through a mount
namespace whose /etc/resolv.conf points at it) and trust the lab CA.
"""

import os
import shutil
import signal
import socket
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
CA = os.path.join(lab, "ca", "ca.pem")

POLICIES = ["stsgood.test", "stswild.test", "stsnotcovered.test",
            "stsbadmx.test", "stsshort.test", "stsnotxt.test"]
NONE = ["h%06d.hosted.test" % i for i in range(500)]
PARENTS = [".test", ".hosted.test", ".signed.test"]


def netstring(b):
    return b"%d:%s," % (len(b), b)


def ask(port, key):
    s = socket.create_connection(("127.0.0.1", port), 5)
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
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("port %d never opened" % port)


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
    cfg = os.path.join(tmp, "ours-%d.yml" % port)
    with open(cfg, "w") as f:
        f.write("host: 127.0.0.1\nport: %d\nresolver: %s\n"
                "trust_anchor: %s\nca_file: %s\n"
                % (port, resolver, os.path.join(lab, "dns",
                                               "trust-anchor.key"), CA))
    p = subprocess.Popen([os.path.join(build, "mxaudit"), "policyd", "-c",
                          cfg], stderr=subprocess.DEVNULL)
    wait_port(port)
    return p


def start_python(port, resolver="127.0.2.2"):
    cfg = os.path.join(tmp, "py-%d.yml" % port)
    with open(cfg, "w") as f:
        f.write("host: 127.0.0.1\nport: %d\nreuse_port: false\n"
                "cache:\n  type: internal\n  options:\n"
                "    cache_size: 10000\n" % port)
    rc = os.path.join(tmp, "resolv-%d.conf" % port)
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


def run(name, port, pid):
    print("== %s" % name)
    warm(port)
    for label, keys in (("cached policies", POLICIES),
                        ("no policy", NONE), ("parent probes", PARENTS)):
        kf = keyfile("%s-%d.txt" % (label.replace(" ", "-"), port), keys)
        for c in (1, 8, 64):
            out = subprocess.run([load, "127.0.0.1", str(port), str(c), secs,
                                  kf], capture_output=True, text=True)
            print("  %-16s %s" % (label, out.stdout.strip() or out.stderr))
    print("  RSS %.1f MiB" % (rss_kib(pid) / 1024.0))


def dead_resolver(name, starter, port):
    p = starter(port, resolver="127.0.2.9")  # nothing answers there
    worst = 0.0
    for i in range(20):
        t = time.monotonic()
        ask(port, "dead%02d.hosted.test" % i)
        worst = max(worst, time.monotonic() - t)
    print("== %s, resolver dead: 20 new domains, slowest answer %.3f ms"
          % (name, worst * 1000))
    stop(p)


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(25)
    except subprocess.TimeoutExpired:
        p.kill()


try:
    p = start_ours(18470)
    run("mxaudit policyd", 18470, p.pid)
    stop(p)
    dead_resolver("mxaudit policyd", start_ours, 18472)
    if shutil.which("mta-sts-daemon"):
        p = start_python(18471)
        time.sleep(1)
        pid = int(subprocess.run(["pgrep", "-f", "mta-sts-daemon -c"],
                                 capture_output=True, text=True)
                  .stdout.split()[0])
        run("postfix-mta-sts-resolver (mta-sts-daemon)", 18471, pid)
        stop(p)
        subprocess.run(["pkill", "-f", "mta-sts-daemon -c"])
        dead_resolver("postfix-mta-sts-resolver", start_python, 18473)
        subprocess.run(["pkill", "-f", "mta-sts-daemon -c"])
    else:
        print("mta-sts-daemon not installed: apt-get install "
              "postfix-mta-sts-resolver to compare")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
