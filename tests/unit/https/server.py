#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Servers for test_https: HTTPS and plain HTTP on 127.0.0.1 ephemeral ports.

A CA and a server certificate (good.https.test, other.https.test,
IP 127.0.0.1) are made with `openssl req` in a fresh temporary directory.
Once both servers listen, one line goes to stdout:

    READY <https-port> <http-port> <dir>

and <dir>/ca.pem is the CA to trust. The servers run until stdin closes
(the test ends or dies); then the directory is removed. Exit status 77
means openssl is missing (the test skips).
"""
import http.server
import os
import shutil
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading

BODY = b"hello, world\n"


def make_certs(d):
    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=mxaudit https test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=good.https.test")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:good.https.test,DNS:other.https.test,"
                "IP:127.0.0.1\n"
                "basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2",
        "-extfile", "ext.cnf")


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "mxaudit-test"
    tls_port = 0

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", ctype="text/plain; charset=utf-8",
              headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status, location, headers=()):
        self.reply(status, b"moved\n", headers=[("Location", location),
                                                *headers])

    def do_GET(self):
        p = self.path
        other = "https://other.https.test:%d/ok" % Handler.tls_port
        if p == "/ok":
            self.reply(200, BODY, headers=[
                ("Strict-Transport-Security", "max-age=31536000"),
                ("Strict-Transport-Security", "max-age=0")])
        elif p == "/redir":
            self.redirect(301, "/ok")
        elif p.startswith("/r/"):
            n = int(p[3:])
            if n == 0:
                self.reply(200, BODY)
            else:
                self.redirect(302, "/r/%d" % (n - 1), headers=[
                    ("Strict-Transport-Security", "max-age=%d" % n)])
        elif p == "/up":
            self.redirect(301, "https://good.https.test:%d/ok"
                          % Handler.tls_port)
        elif p == "/away":
            self.redirect(302, other)
        elif p == "/ftp":
            self.redirect(302, "ftp://good.https.test/file")
        elif p == "/hsts10":
            self.reply(200, BODY, headers=[
                ("Strict-Transport-Security", "max-age=%d" % i)
                for i in range(10)])
        elif p == "/longloc":
            self.redirect(302, "/" + "a" * 9000)
        elif p == "/big":
            self.reply(200, b"x" * 100000,
                       ctype="application/octet-stream")
        elif p == "/stream":
            # no Content-Length: the body ends when the connection does
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"y" * 1000)
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
        else:
            self.reply(404, b"nope\n", ctype="text/html")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that refuse our certificate hang up


def main():
    if shutil.which("openssl") is None:
        sys.exit(77)
    d = tempfile.mkdtemp(prefix="mxaudit-https-")
    try:
        make_certs(d)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(d, "srv.pem"),
                            os.path.join(d, "srv.key"))
        tls = Server(("127.0.0.1", 0), Handler)
        # the handshake happens in the handler thread, on first read
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True,
                                     do_handshake_on_connect=False)
        plain = Server(("127.0.0.1", 0), Handler)
        Handler.tls_port = tls.server_address[1]
        for s in (tls, plain):
            threading.Thread(target=s.serve_forever, daemon=True).start()
        print("READY %d %d %s" % (tls.server_address[1],
                                  plain.server_address[1], d), flush=True)
        sys.stdin.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
