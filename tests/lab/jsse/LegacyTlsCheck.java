// SPDX-License-Identifier: ISC
//
// LegacyTlsCheck - lab.sh's check of the legacy TLS servers: SMTP STARTTLS,
// then one handshake that offers exactly one protocol version and one
// cipher suite, with JSSE (the only TLS client on Debian 12 that still
// speaks SSLv3 and offers EXPORT, DES, RC4 and NULL suites, given the
// same java.security overrides as LegacyTlsServer).
//
// Usage: java LegacyTlsCheck -c CAFILE CHECK...
//   CHECK is  EXPECT,ADDR,PORT,NAME,PROTOCOL,SUITE  with EXPECT "ok" (the
//   handshake must succeed with that version and suite and, unless the
//   suite is anonymous, a certificate from CAFILE valid for NAME) or
//   "fail" (the server must refuse that handshake). Checks run in
//   parallel; one line each on stdout; exit 0 when all are as expected.
//
//   PROTOCOL "SSLv2" with a cipher kind (SSL_CK_RC4_128_WITH_MD5 ...)
//   sends an SSL 2.0 CLIENT-HELLO offering that kind alone, by hand (no
//   TLS library has SSLv2 any more): "ok" wants a SERVER-HELLO with that
//   kind and a certificate from CAFILE for NAME, "fail" anything else
//   (an ERROR message, a TLS alert, a closed connection).

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

public final class LegacyTlsCheck {
	static SSLContext ctx;
	static X509TrustManager trust;

	/** SSL 2.0 cipher kinds (draft-hickman-netscape-ssl-00). */
	static final Map<String, String> V2_KINDS = Map.of(
	    "SSL_CK_RC4_128_WITH_MD5", "010080",
	    "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "020080",
	    "SSL_CK_RC2_128_CBC_WITH_MD5", "030080",
	    "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", "040080",
	    "SSL_CK_IDEA_128_CBC_WITH_MD5", "050080",
	    "SSL_CK_DES_64_CBC_WITH_MD5", "060040",
	    "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "0700c0");

	public static void main(String[] args) throws Exception {
		if (args.length < 3 || !args[0].equals("-c")) {
			System.err.println("usage: LegacyTlsCheck -c CAFILE " +
			    "EXPECT,ADDR,PORT,NAME,PROTOCOL,SUITE...");
			System.exit(2);
		}
		KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
		ts.load(null, null);
		CertificateFactory cf = CertificateFactory.getInstance("X.509");
		try (InputStream in = new FileInputStream(args[1])) {
			int i = 0;
			for (Certificate c : cf.generateCertificates(in))
				ts.setCertificateEntry("ca" + i++, c);
		}
		TrustManagerFactory tmf = TrustManagerFactory.getInstance(
		    TrustManagerFactory.getDefaultAlgorithm());
		tmf.init(ts);
		for (TrustManager tm : tmf.getTrustManagers())
			if (tm instanceof X509TrustManager)
				trust = (X509TrustManager)tm;
		ctx = SSLContext.getInstance("TLS");
		ctx.init(null, tmf.getTrustManagers(), null);

		ExecutorService pool = Executors.newFixedThreadPool(16);
		List<Future<String>> results = new ArrayList<>();
		for (int i = 2; i < args.length; i++) {
			final String spec = args[i];
			results.add(pool.submit(() -> check(spec)));
		}
		int bad = 0;
		for (Future<String> f : results) {
			String r = f.get();
			System.out.println(r);
			if (!r.startsWith("as expected"))
				bad++;
		}
		pool.shutdown();
		System.exit(bad == 0 ? 0 : 1);
	}

	static String check(String spec) {
		String[] f = spec.split(",");
		if (f.length != 6 || !(f[0].equals("ok") || f[0].equals("fail")))
			return "bad check '" + spec + "'";
		boolean wantOk = f[0].equals("ok");
		String what = f[1] + ":" + f[2] + " " + f[4] + " " + f[5];
		String got;
		try {
			if (f[4].equals("SSLv2"))
				got = sslv2(f[1], Integer.parseInt(f[2]), f[3],
				    f[5]);
			else
				got = handshake(f[1], Integer.parseInt(f[2]), f[3],
				    f[4], f[5]);
		} catch (SmtpException e) {
			return "ERROR " + what + ": " + e.getMessage();
		} catch (SSLException e) {
			return (wantOk ? "UNEXPECTED failure " : "as expected ") +
			    what + ": refused (" + e.getMessage() + ")";
		} catch (IOException e) {
			// a server may just close on a hello it does not like
			return (wantOk ? "UNEXPECTED failure " : "as expected ") +
			    what + ": refused (" + e + ")";
		}
		if (!wantOk)
			return "UNEXPECTED success " + what + ": " + got;
		if (!got.equals(f[4] + " " + f[5]))
			return "UNEXPECTED negotiation " + what + ": " + got;
		return "as expected " + what + ": " + got;
	}

	static final class SmtpException extends IOException {
		private static final long serialVersionUID = 1L;

		SmtpException(String msg) {
			super(msg);
		}
	}

	/** Connect and say EHLO and STARTTLS, up to the 220. */
	static Socket starttls(String addr, int port) throws IOException {
		Socket plain = new Socket();
		try {
			plain.connect(new InetSocketAddress(addr, port), 5000);
			plain.setSoTimeout(5000);
			InputStream in = plain.getInputStream();
			OutputStream out = plain.getOutputStream();
			expect(in, "220", "banner");
			send(out, "EHLO check.lab.test");
			String ehlo = expect(in, "250", "EHLO");
			if (!ehlo.toUpperCase().contains("STARTTLS"))
				throw new SmtpException("no STARTTLS in EHLO");
			send(out, "STARTTLS");
			expect(in, "220", "STARTTLS");
			return plain;
		} catch (IOException e) {
			plain.close();
			if (e instanceof SmtpException)
				throw e;
			throw new SmtpException(e.toString());
		}
	}

	/** STARTTLS, then a handshake; "PROTOCOL SUITE" negotiated. */
	static String handshake(String addr, int port, String name,
	    String protocol, String suite) throws IOException {
		try (Socket plain = starttls(addr, port)) {
			SSLSocket s = (SSLSocket)ctx.getSocketFactory()
			    .createSocket(plain, name, port, true);
			SSLParameters p = new SSLParameters(
			    new String[] { suite }, new String[] { protocol });
			// SNI (TLS 1.0 and later) and the name check, for NAME
			p.setServerNames(List.of(new SNIHostName(name)));
			if (!suite.contains("_anon_"))
				p.setEndpointIdentificationAlgorithm("HTTPS");
			s.setSSLParameters(p);
			s.setUseClientMode(true);
			s.startHandshake();
			SSLSession sess = s.getSession();
			String got = sess.getProtocol() + " " + sess.getCipherSuite();
			// say goodbye politely
			OutputStream tout = s.getOutputStream();
			send(tout, "QUIT");
			try {
				readReply(s.getInputStream());
			} catch (IOException e) {
				// fine either way
			}
			s.close();
			return got;
		}
	}

	/**
	 * STARTTLS, then an SSL 2.0 CLIENT-HELLO (version 2) offering KIND;
	 * "SSLv2 KIND" when the SERVER-HELLO chooses it and its certificate
	 * is valid for NAME.
	 */
	static String sslv2(String addr, int port, String name, String kind)
	    throws IOException {
		String code = V2_KINDS.get(kind);
		if (code == null)
			throw new SmtpException("unknown SSLv2 cipher kind " + kind);
		byte[] spec = HexFormat.of().parseHex(code);
		try (Socket s = starttls(addr, port)) {
			// MSG-CLIENT-HELLO, version 0x0002, spec/session-id/
			// challenge lengths, specs, challenge
			byte[] challenge = new byte[16];
			new java.security.SecureRandom().nextBytes(challenge);
			int len = 9 + spec.length + challenge.length;
			byte[] hello = new byte[2 + len];
			hello[0] = (byte)(0x80 | len >> 8);
			hello[1] = (byte)len;
			hello[2] = 1;
			hello[3] = 0;
			hello[4] = 2;
			hello[5] = 0;
			hello[6] = (byte)spec.length;
			hello[9] = 0;
			hello[10] = (byte)challenge.length;
			System.arraycopy(spec, 0, hello, 11, spec.length);
			System.arraycopy(challenge, 0, hello, 11 + spec.length,
			    challenge.length);
			s.getOutputStream().write(hello);
			s.getOutputStream().flush();

			DataInputStream in = new DataInputStream(s.getInputStream());
			int b0 = in.readUnsignedByte(), b1 = in.readUnsignedByte();
			if ((b0 & 0x80) == 0)
				throw new SSLException(String.format(
				    "not an SSLv2 record: %02x %02x", b0, b1));
			byte[] body = new byte[(b0 & 0x7f) << 8 | b1];
			in.readFully(body);
			if (body.length >= 3 && body[0] == 0)
				throw new SSLException("SSLv2 ERROR " +
				    ((body[1] & 0xff) << 8 | (body[2] & 0xff)));
			if (body.length < 11 || body[0] != 4)
				throw new SSLException("not a SERVER-HELLO");
			int certType = body[2], version = u16(body, 3);
			int certLen = u16(body, 5), specLen = u16(body, 7);
			int idLen = u16(body, 9);
			if (certType != 1 || version != 2 ||
			    11 + certLen + specLen + idLen != body.length ||
			    idLen < 16 || idLen > 32)
				throw new SSLException("malformed SERVER-HELLO");
			String specs = HexFormat.of().formatHex(body,
			    11 + certLen, 11 + certLen + specLen);
			if (!specs.equals(code))
				throw new SSLException("SERVER-HELLO cipher specs " +
				    specs + ", want " + code);
			X509Certificate cert;
			try {
				cert = (X509Certificate)CertificateFactory
				    .getInstance("X.509")
				    .generateCertificate(new ByteArrayInputStream(
					body, 11, certLen));
				trust.checkServerTrusted(
				    new X509Certificate[] { cert }, "RSA");
				if (!dnsNames(cert).contains(name))
					throw new CertificateException(
					    "certificate not for " + name);
			} catch (CertificateException e) {
				throw new SmtpException("SSLv2 certificate: " + e);
			}
			return "SSLv2 " + kind;
		}
	}

	static int u16(byte[] b, int off) {
		return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
	}

	static List<String> dnsNames(X509Certificate cert)
	    throws CertificateException {
		List<String> names = new ArrayList<>();
		Collection<List<?>> san = cert.getSubjectAlternativeNames();
		if (san != null)
			for (List<?> e : san)
				if (((Integer)e.get(0)) == 2)
					names.add((String)e.get(1));
		return names;
	}

	static void send(OutputStream out, String line) throws IOException {
		out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	static String expect(InputStream in, String code, String what)
	    throws IOException {
		String r;
		try {
			r = readReply(in);
		} catch (IOException e) {
			throw new SmtpException(what + ": " + e);
		}
		if (!r.startsWith(code))
			throw new SmtpException(what + ": got '" +
			    r.trim().replace("\r\n", " | ") + "'");
		return r;
	}

	/** A whole (multi-line) reply; byte-wise, no read-ahead. */
	static String readReply(InputStream in) throws IOException {
		StringBuilder all = new StringBuilder();
		for (;;) {
			StringBuilder sb = new StringBuilder();
			int c;
			while ((c = in.read()) != -1 && c != '\n')
				sb.append((char)c);
			if (c == -1)
				throw new IOException("connection closed");
			String line = sb.toString();
			all.append(line).append('\n');
			if (line.length() < 4 || line.charAt(3) != '-')
				return all.toString();
		}
	}
}
