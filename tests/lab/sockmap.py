# SPDX-License-Identifier: ISC
"""sockmap - a Postfix socketmap client for the policyd lab tests: the
netstring framing, one connection asking as Postfix's dict_sockmap does,
and a poll for an answer the daemon learns in the background."""

import socket
import time


def netstring(b):
    return b"%d:%s," % (len(b), b)


def request(key, name="postfix"):
    if isinstance(key, str):
        key = key.encode()
    return netstring(name.encode() + b" " + key)


def take(buf):
    """(reply, rest) when buf starts with a whole netstring, else None."""
    if b":" not in buf:
        return None
    n, rest = buf.split(b":", 1)
    if len(rest) < int(n) + 1:
        return None
    if rest[int(n):int(n) + 1] != b",":
        raise AssertionError("reply not a netstring: %r" % buf[:200])
    return rest[:int(n)].decode(), rest[int(n) + 1:]


class Socketmap:
    """A socketmap client, as Postfix's dict_sockmap speaks it."""

    def __init__(self, port, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def ask(self, key, name="postfix"):
        self.s.sendall(request(key, name))
        return self.read()

    def timed(self, key):
        t0 = time.monotonic()
        got = self.ask(key)
        return got, time.monotonic() - t0

    def read(self):
        while True:
            got = take(self.buf)
            if got is not None:
                reply, self.buf = got
                return reply
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed after %r" % self.buf)
            self.buf += chunk

    def close(self):
        self.s.close()


def wait_answer(sm, key, want, seconds=20):
    """Ask until the daemon's background work gives the wanted answer."""
    deadline = time.monotonic() + seconds
    got = None
    while time.monotonic() < deadline:
        got = sm.ask(key)
        if got.startswith(want):
            return got
        time.sleep(0.1)
    raise AssertionError("%s: got %r, want %r" % (key, got, want))
