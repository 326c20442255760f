// SPDX-License-Identifier: ISC
//
// LegacyTlsServer - a small STARTTLS SMTP server on JSSE for the mxaudit
// lab (sslv3.test): a real SSLv3 ... TLS 1.2 server that offers EXPORT,
// DES, RC4, 3DES, NULL and anonymous suites next to a few modern ones.
// OpenJDK 17 still implements all of them; they are usable once the
// java.security file that lab.sh passes (-Djava.security.properties=)
// empties jdk.tls.disabledAlgorithms and jdk.certpath.disabledAlgorithms.
//
// Usage: java LegacyTlsServer -a ADDR -p PORT -n HOSTNAME -k KEYSTORE.p12
//            -w PASSWORD [-i PIDFILE]
//
// SMTP: 220 banner; EHLO lists STARTTLS until TLS is up; STARTTLS -> 220,
// then the TLS handshake; HELO/MAIL/RCPT/RSET/NOOP -> 250; DATA -> 354,
// the message is read and thrown away -> 250; QUIT -> 221; else 502.
// One thread per connection (a scanner opens hundreds at once). The
// pidfile is written once the port is bound; SIGTERM ends the server.
// Run it with -Djava.net.preferIPv4Stack=true: an IPv4 socket, not an
// IPv6 one bound to ::ffff:ADDR, which ss and lab.sh would not see.

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

public final class LegacyTlsServer {
	/** Versions offered: SSLv3 up to TLS 1.2, no TLS 1.3. */
	static final String[] PROTOCOLS = {
		"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2",
	};

	/**
	 * Suites offered, in the server's order of preference (modern first).
	 * JSSE names the old ones SSL_*; EXPORT suites exist up to TLS 1.0,
	 * single DES up to TLS 1.1, the others up to TLS 1.2.
	 */
	static final String[] SUITES = {
		// modern
		"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
		"TLS_RSA_WITH_AES_128_CBC_SHA",
		// 3DES
		"SSL_RSA_WITH_3DES_EDE_CBC_SHA",
		// RC4
		"SSL_RSA_WITH_RC4_128_SHA",
		"SSL_RSA_WITH_RC4_128_MD5",
		// single DES
		"SSL_RSA_WITH_DES_CBC_SHA",
		// EXPORT (512-bit ephemeral RSA, 40-bit keys)
		"SSL_RSA_EXPORT_WITH_RC4_40_MD5",
		"SSL_RSA_EXPORT_WITH_DES40_CBC_SHA",
		// anonymous (no certificate, no authentication)
		"SSL_DH_anon_WITH_RC4_128_MD5",
		"TLS_DH_anon_WITH_AES_128_CBC_SHA",
		// NULL (no encryption); JSSE's name of TLS_RSA_WITH_NULL_SHA
		"SSL_RSA_WITH_NULL_SHA",
	};

	static String hostname = "mx.sslv3.test";
	static SSLSocketFactory tlsFactory;

	public static void main(String[] args) throws Exception {
		String addr = null, keystore = null, password = null;
		String pidfile = null;
		int port = -1;

		for (int i = 0; i < args.length; i++) {
			String opt = args[i];
			if (i + 1 >= args.length)
				usage();
			String val = args[++i];
			switch (opt) {
			case "-a": addr = val; break;
			case "-p": port = Integer.parseInt(val); break;
			case "-n": hostname = val; break;
			case "-k": keystore = val; break;
			case "-w": password = val; break;
			case "-i": pidfile = val; break;
			default: usage();
			}
		}
		if (addr == null || port < 0 || keystore == null ||
		    password == null)
			usage();

		KeyStore ks = KeyStore.getInstance("PKCS12");
		try (InputStream in = new FileInputStream(keystore)) {
			ks.load(in, password.toCharArray());
		}
		KeyManagerFactory kmf = KeyManagerFactory.getInstance(
		    KeyManagerFactory.getDefaultAlgorithm());
		kmf.init(ks, password.toCharArray());
		SSLContext ctx = SSLContext.getInstance("TLS");
		ctx.init(kmf.getKeyManagers(), null, null);
		tlsFactory = ctx.getSocketFactory();

		// Fail at start, not at the first handshake, when the JDK
		// lacks a suite or the security properties were not applied.
		List<String> supported = Arrays.asList(
		    ctx.getSupportedSSLParameters().getCipherSuites());
		List<String> missing = new ArrayList<>();
		for (String s : SUITES)
			if (!supported.contains(s))
				missing.add(s);
		if (!missing.isEmpty())
			die("suites not supported by this JDK: " + missing);
		// Constraints apply at handshake time only: check the
		// properties themselves.
		for (String p : new String[] { "jdk.tls.disabledAlgorithms",
			 "jdk.certpath.disabledAlgorithms" }) {
			String v = Security.getProperty(p);
			if (v != null && !v.isBlank())
				die(p + " is not empty (\"" + v + "\"): pass " +
				    "-Djava.security.properties=" +
				    "tests/lab/jsse/java.security");
		}

		ServerSocket ss = new ServerSocket();
		ss.setReuseAddress(true);
		ss.bind(new InetSocketAddress(InetAddress.getByName(addr), port),
		    1024);
		if (pidfile != null) {
			Path tmp = Paths.get(pidfile + ".tmp");
			Files.write(tmp, (ProcessHandle.current().pid() + "\n")
			    .getBytes(StandardCharsets.US_ASCII));
			// Left in place at exit: whoever stops the server
			// waits on it (the process is gone only after the
			// shutdown, listeners closed), then removes it.
			Files.move(tmp, Paths.get(pidfile),
			    StandardCopyOption.ATOMIC_MOVE);
		}
		System.err.println("LegacyTlsServer: listening on " + addr + ":" +
		    port + " as " + hostname + ", protocols " +
		    String.join(" ", PROTOCOLS));

		ExecutorService pool = new ThreadPoolExecutor(0, 4096, 30,
		    TimeUnit.SECONDS, new SynchronousQueue<>(),
		    r -> {
			    Thread t = new Thread(null, r, "smtp", 256 * 1024);
			    t.setDaemon(true);
			    return t;
		    });
		for (;;) {
			Socket c = ss.accept();
			try {
				pool.execute(() -> serve(c));
			} catch (RuntimeException e) {
				// pool full: turn the client away as a full
				// server does
				try (Socket x = c) {
					x.getOutputStream().write(("421 4.7.0 " +
					    hostname + " too many connections\r\n")
					    .getBytes(StandardCharsets.US_ASCII));
				} catch (IOException e2) {
					// gone already
				}
			}
		}
	}

	static SSLParameters tlsParameters() {
		SSLParameters p = new SSLParameters(SUITES, PROTOCOLS);
		p.setUseCipherSuitesOrder(true);
		p.setNeedClientAuth(false);
		p.setWantClientAuth(false);
		return p;
	}

	static void usage() {
		die("usage: LegacyTlsServer -a ADDR -p PORT -n HOSTNAME " +
		    "-k KEYSTORE.p12 -w PASSWORD [-i PIDFILE]");
	}

	static void die(String msg) {
		System.err.println("LegacyTlsServer: " + msg);
		System.exit(1);
	}

	/** One SMTP conversation; STARTTLS swaps the streams. */
	static void serve(Socket plain) {
		Socket sock = plain;
		try {
			plain.setSoTimeout(60_000);
			plain.setTcpNoDelay(true);
			boolean tls = false;
			InputStream in = plain.getInputStream();
			OutputStream out = plain.getOutputStream();
			send(out, "220 " + hostname + " ESMTP LegacyTlsServer");
			for (;;) {
				String line = readLine(in);
				if (line == null)
					return;
				String verb = line.split(" ", 2)[0].toUpperCase();
				switch (verb) {
				case "EHLO":
					send(out, "250-" + hostname +
					    (tls ? "" : "\r\n250-STARTTLS") +
					    "\r\n250-PIPELINING\r\n" +
					    "250-ENHANCEDSTATUSCODES\r\n" +
					    "250 8BITMIME");
					break;
				case "HELO":
					send(out, "250 " + hostname);
					break;
				case "STARTTLS":
					if (tls) {
						send(out, "503 5.5.1 TLS already active");
						break;
					}
					send(out, "220 2.0.0 Ready to start TLS");
					SSLSocket s = (SSLSocket)tlsFactory
					    .createSocket(plain, null, true);
					sock = s;
					s.setUseClientMode(false);
					s.setSSLParameters(tlsParameters());
					s.startHandshake();
					in = s.getInputStream();
					out = s.getOutputStream();
					tls = true;
					break;
				case "MAIL":
				case "RCPT":
				case "RSET":
				case "NOOP":
					send(out, "250 2.0.0 Ok");
					break;
				case "DATA":
					send(out, "354 End data with <CR><LF>.<CR><LF>");
					String l;
					while ((l = readLine(in)) != null &&
					    !l.equals("."))
						;
					if (l == null)
						return;
					send(out, "250 2.0.0 Ok: discarded");
					break;
				case "QUIT":
					send(out, "221 2.0.0 Bye");
					return;
				default:
					send(out, "502 5.5.2 Error: command not recognized");
					break;
				}
			}
		} catch (IOException e) {
			// the client went away, or its handshake failed: both
			// are what scanners do all day
		} finally {
			try {
				sock.close();
			} catch (IOException e) {
				// closing anyway
			}
			if (sock != plain) {
				try {
					plain.close();
				} catch (IOException e) {
					// closing anyway
				}
			}
		}
	}

	static void send(OutputStream out, String reply) throws IOException {
		out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	/**
	 * A line without its CR LF, byte by byte: no read-ahead, so nothing
	 * of the client's TLS hello is swallowed after STARTTLS. Null at EOF;
	 * an over-long line ends the conversation.
	 */
	static String readLine(InputStream in) throws IOException {
		StringBuilder sb = new StringBuilder();
		for (;;) {
			int c = in.read();
			if (c == -1)
				return null;
			if (c == '\n')
				break;
			if (sb.length() > 4096)
				throw new SocketException("line too long");
			sb.append((char)c);
		}
		int n = sb.length();
		if (n > 0 && sb.charAt(n - 1) == '\r')
			sb.setLength(n - 1);
		return sb.toString();
	}
}
