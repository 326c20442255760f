/* SPDX-License-Identifier: ISC */
/*
 * text - one domain's result tree for a person at a terminal.
 *
 * Design: the verdict is the worst of the lookup status and the findings,
 * so the header, the colour and the summary counts agree. Every string that
 * came from outside (names, banners, certificate fields, error texts,
 * finding messages that quote them) goes through report_text_put(), which
 * lets printable ASCII and printable UTF-8 through and writes anything else
 * as \xNN: C0/C1 controls and DEL could move the cursor or set the title,
 * bidi overrides could reorder what the reader sees.
 */
#include "report/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "proto/mtasts.h"
#include "proto/tls_suites.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define REPORT_TEXT_RED    "\033[1;31m"
#define REPORT_TEXT_GREEN  "\033[1;32m"
#define REPORT_TEXT_YELLOW "\033[1;33m"
#define REPORT_TEXT_RESET  "\033[0m"

/* the range of certificate times (RFC 5280 years 0000..9999) */

enum report_text_verdict {
	REPORT_TEXT_VERDICT_OK,
	REPORT_TEXT_VERDICT_WARN,
	REPORT_TEXT_VERDICT_FAIL,
};

/* report_text_put - write (p, len), escaping what must not reach a tty */
static void
report_text_put(FILE *out, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			fputc(u[i], out);
			i++;
			continue;
		}
		n = u[i] >= 0x80 ? utf8_decode(u + i, len - i, &cp, NULL) : 0;
		if (n > 0 && utf8_printable(cp)) {
			fwrite(u + i, 1, n, out);
			i += n;
			continue;
		}
		/* one ill-formed byte, or every byte of a control */
		if (n == 0)
			n = 1;
		for (k = 0; k < n; k++)
			fprintf(out, "\\x%02X", u[i + k]);
		i += n;
	}
}

/* report_text_puts - a C string through report_text_put; NULL prints "?" */
static void
report_text_puts(FILE *out, const char *s)
{
	if (s == NULL)
		s = "?";
	report_text_put(out, s, strlen(s));
}

static void
report_text_color(FILE *out, unsigned flags, const char *color)
{
	if (flags & REPORT_TEXT_COLOR)
		fputs(color, out);
}

static void
report_text_reset(FILE *out, unsigned flags)
{
	if (flags & REPORT_TEXT_COLOR)
		fputs(REPORT_TEXT_RESET, out);
}

/* report_text_bad - a word that means trouble, in red when colouring */
static void
report_text_bad(FILE *out, unsigned flags, const char *word)
{
	report_text_color(out, flags, REPORT_TEXT_RED);
	fputs(word, out);
	report_text_reset(out, flags);
}

static enum report_text_verdict
report_text_verdict(const struct domain_result *r)
{
	int worst = domain_result_worst(r);

	if ((r->mail_checked && r->mx_source == MX_SOURCE_NONE) ||
	    r->timed_out || worst >= (int)SEVERITY_ERROR)
		return REPORT_TEXT_VERDICT_FAIL;
	if (worst == (int)SEVERITY_WARNING)
		return REPORT_TEXT_VERDICT_WARN;
	return REPORT_TEXT_VERDICT_OK;
}

static void
report_text_verdict_word(FILE *out, unsigned flags, enum report_text_verdict v)
{
	static const char *const words[] = {
		[REPORT_TEXT_VERDICT_OK] = "OK",
		[REPORT_TEXT_VERDICT_WARN] = "WARN",
		[REPORT_TEXT_VERDICT_FAIL] = "FAIL",
	};
	static const char *const colors[] = {
		[REPORT_TEXT_VERDICT_OK] = REPORT_TEXT_GREEN,
		[REPORT_TEXT_VERDICT_WARN] = REPORT_TEXT_YELLOW,
		[REPORT_TEXT_VERDICT_FAIL] = REPORT_TEXT_RED,
	};

	report_text_color(out, flags, colors[v]);
	fputs(words[v], out);
	report_text_reset(out, flags);
}

/* report_text_dns - "nxdomain (rcode 3): error text" for a failed query */
static void
report_text_dns(FILE *out, const struct dns_answer_info *a)
{
	enum dns_status st =
	    a->status > DNS_STATUS_ERROR ? DNS_STATUS_ERROR : a->status;

	fputs(dns_status_name(st), out);
	if (a->rcode > 0)
		fprintf(out, " (rcode %d)", a->rcode);
	if (a->error != NULL) {
		fputs(": ", out);
		report_text_puts(out, a->error);
	}
}

static size_t
report_text_naddrs(const struct domain_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nmx; i++)
		n += r->mx[i].naddrs;
	return n;
}

static void
report_text_header(FILE *out, const struct domain_result *r, unsigned flags)
{
	const struct dns_answer_info *a = &r->mx_answer;
	size_t n;

	report_text_puts(out, r->domain);
	fputs("  ", out);
	report_text_verdict_word(out, flags, report_text_verdict(r));
	fputs("  ", out);
	if (!r->mail_checked) {
		fputs("web only", out);
		fprintf(out, ", %.0f ms\n",
		    r->duration_ms >= 0 ? r->duration_ms : 0.0);
		return;
	}
	switch (r->mx_source) {
	case MX_SOURCE_MX:
		fprintf(out, "%zu MX", r->nmx);
		break;
	case MX_SOURCE_IMPLICIT:
		fputs("no MX records, implicit MX (the domain itself)", out);
		break;
	case MX_SOURCE_NULL:
		fputs("accepts no mail (null MX)", out);
		break;
	case MX_SOURCE_NONE:
	default:
		if (a->dnssec == DNSSEC_BOGUS) {
			/* the answer came, but cannot be used: say why below */
			fputs("MX answer not usable", out);
			break;
		}
		fputs("MX lookup failed: ", out);
		report_text_dns(out, a);
		break;
	}
	if (r->mx_source == MX_SOURCE_MX ||
	    r->mx_source == MX_SOURCE_IMPLICIT) {
		n = report_text_naddrs(r);
		fprintf(out, ", %zu address%s", n, n == 1 ? "" : "es");
	}
	if (a->dnssec == DNSSEC_SECURE) {
		fputs(", DNSSEC secure", out);
	} else if (a->dnssec == DNSSEC_BOGUS) {
		fputs(", DNSSEC ", out);
		report_text_bad(out, flags, "bogus");
		if (a->why_bogus != NULL) {
			fputs(": ", out);
			report_text_puts(out, a->why_bogus);
		}
	}
	if (r->timed_out) {
		fputs(", ", out);
		report_text_bad(out, flags, "timed out");
	}
	fprintf(out, ", %.0f ms\n", r->duration_ms >= 0 ? r->duration_ms : 0.0);
}

static void
report_text_cert(
    FILE *out, const struct tls_info *t, unsigned flags, time_t now)
{
	const struct cert_info *c = &t->chain[0];
	long long days;

	fputs("  cert ", out);
	if (t->trusted) {
		fputs("trusted", out);
	} else {
		report_text_bad(out, flags, "untrusted");
		if (t->verify_error != NULL) {
			fputs(" (", out);
			report_text_puts(out, t->verify_error);
			fputs(")", out);
		}
	}
	fputs(", name ", out);
	if (t->name_match)
		fputs("ok", out);
	else
		report_text_bad(out, flags, "mismatch");
	fputs(", ", out);
	if (now < c->not_before) {
		report_text_bad(out, flags, "not yet valid");
	} else if (now > c->not_after) {
		report_text_bad(out, flags, "EXPIRED");
		days = timeutil_days(c->not_after, now);
		fprintf(out, " %lld day%s ago", days, days == 1 ? "" : "s");
	} else {
		days = timeutil_days(now, c->not_after);
		fprintf(
		    out, "expires in %lld day%s", days, days == 1 ? "" : "s");
	}
	if (c->self_signed)
		fputs(", self-signed", out);
}

static void
report_text_failure(FILE *out, const struct addr_facts *f)
{
	if (f->fail > SMTP_FAIL_NONE && f->fail < SMTP_FAIL_MAX)
		fputs(smtp_fail_name(f->fail), out);
	else
		fputs("failed", out);
	if (f->fail_detail != NULL) {
		fputs(" (", out);
		report_text_puts(out, f->fail_detail);
		fputs(")", out);
	}
}

static void
report_text_transcript(FILE *out, const struct addr_facts *f)
{
	const struct transcript_line *l;
	size_t i;

	for (i = 0; i < f->ntranscript; i++) {
		l = &f->transcript[i];
		fprintf(out, "       [%.3f] %c: ", l->t,
		    (l->dir == 'S' || l->dir == 'C') ? l->dir : '*');
		report_text_puts(out, l->text);
		fputc('\n', out);
	}
}

/* report_text_addr_state - what became of the conversation, on one line */
static void
report_text_addr_state(
    FILE *out, const struct addr_facts *f, unsigned flags, time_t now)
{
	const struct tls_info *t = &f->tls;

	if (f->connect_ms < 0 || f->fail_stage == SMTP_STAGE_CONNECT) {
		if (!f->done && f->fail == SMTP_FAIL_NONE) {
			fputs("not probed", out);
		} else {
			report_text_bad(out, flags, "connect failed");
			fputs(": ", out);
			report_text_failure(out, f);
		}
		return;
	}
	if (f->implicit_tls)
		fputs("implicit TLS", out);
	else
		fputs("STARTTLS ", out);
	if (f->implicit_tls) {
		/* no STARTTLS to offer: TLS from the first byte */
	} else if (f->starttls_offered) {
		fputs("yes", out);
	} else if (f->fail_stage == SMTP_STAGE_BANNER ||
	    f->fail_stage == SMTP_STAGE_EHLO ||
	    f->fail_stage == SMTP_STAGE_HELO) {
		/* it never got as far as the capabilities */
		fputs("unknown", out);
	} else {
		report_text_bad(out, flags, "no");
		if (f->starttls_mangled) {
			fputs(" (mangled: ", out);
			report_text_puts(out, f->mangled_token);
			fputs(")", out);
		}
	}
	if (t->attempted && t->ok) {
		fputs("  ", out);
		report_text_puts(out, t->version);
		fputs(" ", out);
		report_text_puts(out, t->cipher);
	} else if (t->attempted) {
		fputs("  ", out);
		report_text_bad(out, flags, "TLS failed");
		if (t->error != NULL) {
			fputs(": ", out);
			report_text_puts(out, t->error);
		}
	}
	if (t->attempted && t->nchain > 0 && t->chain != NULL)
		report_text_cert(out, t, flags, now);
	/* a failed handshake already said "TLS failed" */
	if (f->fail_stage > SMTP_STAGE_NONE &&
	    f->fail_stage < SMTP_STAGE_DONE &&
	    f->fail_stage != SMTP_STAGE_HANDSHAKE) {
		fprintf(
		    out, "  stopped at %s: ", smtp_stage_name(f->fail_stage));
		report_text_failure(out, f);
	}
}

static void report_text_ciphers(FILE *out, const struct tls_probe_info *pi);

static void
report_text_addr(
    FILE *out, const struct addr_facts *f, unsigned flags, time_t now)
{
	fputs("     ", out);
	if (f->port != 25 && f->family == 6)
		fputc('[', out);
	report_text_puts(out, f->ip);
	if (f->port != 25)
		fprintf(
		    out, "%s:%u", f->family == 6 ? "]" : "", (unsigned)f->port);
	fputs("  ", out);
	report_text_addr_state(out, f, flags, now);
	fputc('\n', out);
	if (f->probes.enumerated)
		report_text_ciphers(out, &f->probes);
	if (flags & REPORT_TEXT_TRANSCRIPT)
		report_text_transcript(out, f);
}

/* report_text_ciphers - --ciphers: each version's suites, one a line */
static void
report_text_ciphers(FILE *out, const struct tls_probe_info *pi)
{
	const struct tls_cipher_list *cl;
	const char *name;
	size_t i;
	int p;

	if (pi->proto[TLS_PROTO_SSL2] == 1) {
		fprintf(
		    out, "       sslv2, %zu cipher kinds\n", pi->nssl2_kinds);
		for (i = 0; i < pi->nssl2_kinds; i++) {
			const struct tls_suite_ssl2 *k =
			    tls_suite_ssl2_lookup(pi->ssl2_kinds[i]);

			fprintf(out, "         0x%06X %s\n",
			    (unsigned)pi->ssl2_kinds[i], k ? k->name : "?");
		}
	}
	for (p = TLS_PROTO_TLS13; p >= TLS_PROTO_SSL3; p--) {
		if (pi->proto[p] != 1)
			continue;
		cl = &pi->ciphers[p];
		fprintf(out, "       %s, %zu suites, %s\n",
		    tls_proto_name((enum tls_proto)p), cl->n,
		    cl->server_order == 1       ? "the server's order"
		        : cl->server_order == 0 ? "the client's order"
		                                : "order unknown");
		for (i = 0; i < cl->n; i++) {
			name = tls_suite_name(cl->suites[i]);
			fprintf(out, "         0x%04X %s\n", cl->suites[i],
			    name != NULL ? name : "?");
		}
	}
}

static void
report_text_mx(FILE *out, const struct mx_host *m, unsigned flags, time_t now)
{
	size_t i;

	if (m->preference >= 0)
		fprintf(out, "  %d ", m->preference);
	else
		fputs("  - ", out);
	report_text_puts(out, m->host);
	if (m->preference < 0)
		fputs(" (implicit MX)", out);
	if (m->dane.status != DANE_STATUS_UNKNOWN &&
	    m->dane.status != DANE_STATUS_INSECURE) {
		fputs("  DANE ", out);
		if (m->dane.status == DANE_STATUS_MISMATCH ||
		    m->dane.status == DANE_STATUS_BOGUS)
			report_text_bad(
			    out, flags, dane_status_name(m->dane.status));
		else
			fputs(dane_status_name(m->dane.status), out);
	}
	if (m->naddrs == 0) {
		fputs("  ", out);
		report_text_bad(out, flags, "no address");
		fputs(" (A ", out);
		report_text_dns(out, &m->a);
		fputs(", AAAA ", out);
		report_text_dns(out, &m->aaaa);
		fputs(")", out);
	}
	fputc('\n', out);
	for (i = 0; i < m->naddrs; i++)
		if (m->addrs[i].facts != NULL)
			report_text_addr(out, m->addrs[i].facts, flags, now);
}

static void
report_text_finding(FILE *out, const struct finding *fi, unsigned flags)
{
	enum finding_severity sev =
	    fi->severity > SEVERITY_ERROR ? SEVERITY_ERROR : fi->severity;

	fputs(sev == SEVERITY_INFO ? "  - " : "  ! ", out);
	if (sev == SEVERITY_ERROR)
		report_text_color(out, flags, REPORT_TEXT_RED);
	else if (sev == SEVERITY_WARNING)
		report_text_color(out, flags, REPORT_TEXT_YELLOW);
	fprintf(out, "%-7s", finding_severity_name(sev));
	if (sev != SEVERITY_INFO)
		report_text_reset(out, flags);
	fputc(' ', out);
	report_text_puts(out, fi->id);
	fputs("  ", out);
	if (fi->mx != NULL || fi->ip != NULL) {
		if (fi->mx != NULL)
			report_text_puts(out, fi->mx);
		if (fi->mx != NULL && fi->ip != NULL)
			fputc(' ', out);
		if (fi->ip != NULL)
			report_text_puts(out, fi->ip);
		fputs(": ", out);
	}
	report_text_puts(out, fi->message);
	fputc('\n', out);
}

/* report_text_label - the start of a policy line */
static void
report_text_label(FILE *out, const char *label)
{
	fprintf(out, "  %-9s ", label);
}

/* report_text_yes - "yes", or a red "no" */
static void
report_text_yes(FILE *out, unsigned flags, const char *label, bool yes)
{
	fprintf(out, "%s ", label);
	if (yes)
		fputs("yes", out);
	else
		report_text_bad(out, flags, "no");
}

/* report_text_web - the web side's conclusions (pshtt's) */
static void
report_text_web(FILE *out, const struct domain_result *r, unsigned flags)
{
	const struct web_verdicts *v = &r->web_verdicts;
	const struct web_endpoint *c = &r->web.ep[v->canonical];
	size_t i;

	report_text_label(out, "Web");
	if (!v->live) {
		report_text_bad(out, flags, "no site answers");
		fputc('\n', out);
		return;
	}
	report_text_puts(out, c->url);
	report_text_yes(out, flags, ", HTTPS", v->supports_https);
	report_text_yes(out, flags, ", enforced", v->enforces_https);
	fputs(", HSTS ", out);
	if (v->hsts_max_age >= 0)
		fprintf(out, "max-age %lld%s", v->hsts_max_age,
		    v->strong_hsts == 1 ? "" : " (weak)");
	else
		report_text_bad(out, flags, "none");
	fputc('\n', out);
	if (v->bod1801 >= 0) {
		report_text_label(out, "BOD 18-01");
		if (v->bod1801 == 1) {
			fputs("web compliant", out);
		} else {
			report_text_bad(out, flags, "web not compliant");
			fputs(":", out);
			for (i = 0; i < v->nfailures; i++)
				fprintf(out, " %s", v->failures[i]);
		}
		fputc('\n', out);
	}
}

/* report_text_policies - SPF, DMARC, MTA-STS, TLS-RPT, BOD 18-01 */
static void
report_text_policies(FILE *out, const struct domain_result *r, unsigned flags)
{
	const struct records_facts *f = &r->records;
	const struct dmarc_discovery *d = &f->dmarc[DMARC_RFC9989];
	const struct mtasts_facts *m = &r->mtasts;
	const struct mail_verdicts *v = &r->verdicts;
	size_t i;

	if (f->ran && f->spf_done) {
		report_text_label(out, "SPF");
		if (f->spf.record != NULL) {
			report_text_put(out, f->spf.record, f->spf.record_len);
			fprintf(out, "  (%zu lookups%s)", f->spf.lookups,
			    v->spf_valid ? "" : ", invalid");
		} else {
			report_text_bad(out, flags, "none");
		}
		fputc('\n', out);
	}
	if (f->ran && f->dmarc_done[DMARC_RFC9989]) {
		report_text_label(out, "DMARC");
		if (d->status == DMARC_STATUS_FOUND) {
			if (d->policy == DMARC_POLICY_REJECT)
				fputs("reject", out);
			else
				report_text_bad(
				    out, flags, dmarc_policy_name(d->policy));
			fputs(" at ", out);
			report_text_puts(out, d->record_name);
			if (d->applies != DMARC_APPLIES_DOMAIN)
				fputs(" (inherited)", out);
		} else {
			report_text_bad(out, flags,
			    d->status == DMARC_STATUS_NONE ? "none"
			                                   : "invalid");
		}
		fputc('\n', out);
	}
	if (m->ran) {
		report_text_label(out, "MTA-STS");
		if (m->valid) {
			fputs(mtasts_mode_name(m->mode), out);
			fprintf(out, ", max_age %lld, mx", m->max_age);
			for (i = 0; i < m->nmx; i++) {
				fputc(' ', out);
				report_text_puts(out, m->mx[i]);
			}
		} else if (m->error != NULL) {
			report_text_bad(out, flags, m->error);
		} else {
			fputs("none", out);
		}
		fputc('\n', out);
	}
	if (f->ran && f->tlsrpt_done) {
		report_text_label(out, "TLS-RPT");
		if (f->tlsrpt.raw != NULL)
			report_text_put(out, f->tlsrpt.raw, f->tlsrpt.raw_len);
		else
			fputs("none", out);
		fputc('\n', out);
	}
	if (r->web.ran)
		report_text_web(out, r, flags);
	if (v->bod1801 >= 0) {
		report_text_label(out, "BOD 18-01");
		if (v->bod1801 == 1) {
			fputs("mail compliant", out);
		} else {
			report_text_bad(out, flags, "mail not compliant");
			fputs(":", out);
			for (i = 0; i < v->nfailures; i++)
				fprintf(out, " %s", v->failures[i]);
		}
		fputc('\n', out);
	}
}

void
report_text_domain_at(
    FILE *out, const struct domain_result *r, unsigned flags, time_t now)
{
	size_t i;

	report_text_header(out, r, flags);
	for (i = 0; i < r->nmx; i++)
		report_text_mx(out, &r->mx[i], flags, now);
	report_text_policies(out, r, flags);
	for (i = 0; i < r->nfindings; i++)
		report_text_finding(out, &r->findings[i], flags);
}

void
report_text_domain(FILE *out, const struct domain_result *r, unsigned flags)
{
	report_text_domain_at(out, r, flags, time(NULL));
}

void
report_text_summary_add(
    struct report_text_summary *s, const struct domain_result *r)
{
	s->domains++;
	switch (report_text_verdict(r)) {
	case REPORT_TEXT_VERDICT_OK:
		s->ok++;
		break;
	case REPORT_TEXT_VERDICT_WARN:
		s->warnings++;
		break;
	case REPORT_TEXT_VERDICT_FAIL:
		s->errors++;
		break;
	}
}

/* report_text_count - ", N label", coloured when non-zero */
static void
report_text_count(
    FILE *out, unsigned flags, size_t n, const char *label, const char *color)
{
	fputs(", ", out);
	if (n > 0)
		report_text_color(out, flags, color);
	fprintf(out, "%zu %s", n, label);
	if (n > 0)
		report_text_reset(out, flags);
}

void
report_text_summary(
    FILE *out, const struct report_text_summary *s, unsigned flags)
{
	fprintf(out, "%zu domain%s", s->domains, s->domains == 1 ? "" : "s");
	report_text_count(out, flags, s->ok, "ok", REPORT_TEXT_GREEN);
	report_text_count(
	    out, flags, s->warnings, "with warnings", REPORT_TEXT_YELLOW);
	report_text_count(
	    out, flags, s->errors, "with errors", REPORT_TEXT_RED);
	fputc('\n', out);
}
