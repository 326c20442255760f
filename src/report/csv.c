/* SPDX-License-Identifier: ISC */
/*
 * csv - trustymail-compatible rows (see the header). Values that came from
 * DNS or a server keep their bytes; control bytes and invalid UTF-8 are
 * escaped (str_escape) so a row is always one line of text.
 */
#include "report/csv.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define CSV_CELL_MAX (1 << 20)

static const char *const csv_columns[REPORT_CSV_COLUMNS] = { "Domain",
	"Base Domain", "Live", "MX Record", "MX Record DNSSEC", "Mail Servers",
	"Mail Server Ports Tested", "Domain Supports SMTP Results",
	"Domain Supports SMTP", "Domain Supports STARTTLS Results",
	"Domain Supports STARTTLS", "SPF Record", "SPF Record DNSSEC",
	"Valid SPF", "SPF Results", "DMARC Record", "DMARC Record DNSSEC",
	"Valid DMARC", "DMARC Results", "DMARC Record on Base Domain",
	"DMARC Record on Base Domain DNSSEC",
	"Valid DMARC Record on Base Domain", "DMARC Results on Base Domain",
	"DMARC Policy", "DMARC Subdomain Policy", "DMARC Policy Percentage",
	"DMARC Aggregate Report URIs", "DMARC Forensic Report URIs",
	"DMARC Has Aggregate Report URI", "DMARC Has Forensic Report URI",
	"DMARC Reporting Address Acceptance Error", "Syntax Errors",
	"Debug Info" };

/* one row being built: its cells, owned */
struct csv_row {
	char *cell[REPORT_CSV_COLUMNS];
	int n;
};

static void
csv_put(struct csv_row *row, char *owned)
{
	if (row->n < REPORT_CSV_COLUMNS)
		row->cell[row->n++] = owned;
	else
		free(owned);
}

static void
csv_str(struct csv_row *row, const char *s)
{
	csv_put(row, s != NULL ? str_escape(s, strlen(s)) : NULL);
}

static void
csv_bytes(struct csv_row *row, const char *p, size_t len)
{
	csv_put(row, p != NULL ? str_escape(p, len) : NULL);
}

static void
csv_bool(struct csv_row *row, bool b)
{
	csv_put(row, xstrdup(b ? "True" : "False"));
}

/* csv_list - a ", "-joined list being built; empty stays NULL */
static void
csv_list_add(struct buf *b, const char *p, size_t len)
{
	char *e = str_escape(p, len);

	if (b->len > 0)
		(void)buf_append(b, ", ", 2);
	(void)buf_append(b, e, strlen(e));
	free(e);
}

static void
csv_list_put(struct csv_row *row, struct buf *b)
{
	csv_put(row, b->len > 0 ? xstrdup(buf_str(b)) : NULL);
	buf_release(b);
}

/* csv_write_cell - RFC 4180: quote when the cell holds , " CR or LF */
static void
csv_write_cell(FILE *out, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

int
report_csv_write_row(FILE *out, char **cells, int ncells, int ncols)
{
	int i;

	for (i = 0; i < ncols; i++) {
		if (i > 0)
			fputc(',', out);
		csv_write_cell(out, i < ncells ? cells[i] : NULL);
		if (i < ncells)
			free(cells[i]);
	}
	fputs("\r\n", out);
	return ferror(out) ? -1 : 0;
}

/* csv_write_row - row, then its cells are gone */
static int
csv_write_row(FILE *out, struct csv_row *row)
{
	return report_csv_write_row(out, row->cell, row->n, REPORT_CSV_COLUMNS);
}

int
report_csv_header(FILE *out)
{
	struct csv_row row = { { NULL }, 0 };
	int i;

	for (i = 0; i < REPORT_CSV_COLUMNS; i++)
		csv_str(&row, csv_columns[i]);
	return csv_write_row(out, &row);
}

/* csv_smtp - the Supports SMTP / STARTTLS columns (host:port lists) */
static void
csv_smtp(struct csv_row *row, const struct domain_result *r)
{
	struct buf smtp, tls;
	const struct addr_facts *f;
	bool any = false, all = true, seen;
	char hp[1100];
	size_t i, k;
	int n;

	buf_init(&smtp, CSV_CELL_MAX);
	buf_init(&tls, CSV_CELL_MAX);
	for (i = 0; i < r->nmx; i++) {
		bool host_smtp = false, host_tls = true;

		for (k = 0, seen = false; k < r->mx[i].naddrs; k++) {
			f = r->mx[i].addrs[k].facts;
			if (f == NULL || f->banner_code != 220)
				continue;
			host_smtp = seen = true;
			if (!f->starttls_offered || !f->tls.ok)
				host_tls = false;
		}
		if (!seen)
			continue;
		n = snprintf(hp, sizeof(hp), "%s:%u", r->mx[i].host,
		    r->mx[i].naddrs > 0 && r->mx[i].addrs[0].facts != NULL
		        ? r->mx[i].addrs[0].facts->port
		        : 25);
		if (n < 0 || (size_t)n >= sizeof(hp))
			continue;
		any = any || host_smtp;
		csv_list_add(&smtp, hp, (size_t)n);
		if (host_tls)
			csv_list_add(&tls, hp, (size_t)n);
		else
			all = false;
	}
	csv_list_put(row, &smtp);
	csv_bool(row, any);
	csv_list_put(row, &tls);
	csv_bool(row, any && all);
}

/* csv_dmarc_record - the 4 columns of a record found (or not) at a name */
static void
csv_dmarc_record(
    struct csv_row *row, const struct dmarc_discovery *d, bool here)
{
	csv_bool(row, here && d->raw != NULL);
	csv_bool(row, here && d->raw != NULL && d->secure);
	csv_bool(row,
	    here && d->status == DMARC_STATUS_FOUND &&
	        !d->record.verdict[d->mode].fallback);
	if (here && d->raw != NULL)
		csv_bytes(row, d->raw, d->raw_len);
	else
		csv_put(row, NULL);
}

static void
csv_uris(struct csv_row *row, const struct dmarc_uri *u, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, CSV_CELL_MAX);
	for (i = 0; i < n; i++)
		csv_list_add(&b, u[i].text.p, u[i].text.len);
	csv_list_put(row, &b);
}

/* csv_errors - the Syntax Errors column: what made a record unusable */
static void
csv_errors(struct csv_row *row, const struct domain_result *r)
{
	const struct records_facts *f = &r->records;
	const struct dmarc_record *rec = &f->dmarc[DMARC_RFC9989].record;
	char line[512];
	struct buf b;
	size_t i;
	int n;

	buf_init(&b, CSV_CELL_MAX);
	if (f->spf.error != NULL) {
		n = snprintf(line, sizeof(line), "SPF: %s at byte %zu",
		    f->spf.error, f->spf.error_off);
		if (n > 0 && (size_t)n < sizeof(line))
			csv_list_add(&b, line, (size_t)n);
	}
	for (i = 0; f->dmarc[DMARC_RFC9989].raw != NULL && i < rec->nproblem;
	     i++) {
		if (rec->problem[i].sev == DMARC_SEV_INFO)
			continue;
		n = snprintf(line, sizeof(line), "DMARC %s: %s",
		    rec->problem[i].tag, rec->problem[i].msg);
		if (n > 0 && (size_t)n < sizeof(line))
			csv_list_add(&b, line, (size_t)n);
	}
	csv_list_put(row, &b);
}

int
report_csv_domain(FILE *out, const struct domain_result *r)
{
	const struct records_facts *f = &r->records;
	const struct dmarc_discovery *d = &f->dmarc[DMARC_RFC9989];
	const struct dmarc_discovery *l = &f->dmarc[DMARC_RFC7489];
	const struct dmarc_record *rec = &d->record;
	const struct dmarc_verdict *v = &rec->verdict[DMARC_RFC9989];
	struct csv_row row = { { NULL }, 0 };
	bool live = r->mx_answer.status == DNS_STATUS_OK ||
	    r->mx_answer.status == DNS_STATUS_NODATA;
	bool dmarc = f->ran && d->raw != NULL, own, base, ext_error = false;
	char base_name[DMARC_NAME_MAX + 1];
	struct buf b;
	size_t i;

	csv_str(&row, r->domain);
	csv_str(&row, l->org_domain[0] != '\0' ? l->org_domain : r->domain);
	csv_bool(&row, live);
	csv_bool(&row, r->mx_source == MX_SOURCE_MX);
	csv_bool(&row,
	    r->mx_source == MX_SOURCE_MX &&
	        r->mx_answer.dnssec == DNSSEC_SECURE);
	buf_init(&b, CSV_CELL_MAX);
	for (i = 0; r->mx_source == MX_SOURCE_MX && i < r->nmx; i++)
		csv_list_add(&b, r->mx[i].host, strlen(r->mx[i].host));
	csv_list_put(&row, &b);
	csv_put(&row,
	    r->nmx > 0 && r->mx[0].naddrs > 0 && r->mx[0].addrs[0].facts
	        ? xasprintf("%u", r->mx[0].addrs[0].facts->port)
	        : NULL);
	csv_smtp(&row, r);

	/* SPF */
	csv_bool(&row, f->ran && f->spf.record != NULL);
	csv_bool(&row, f->ran && f->spf.record != NULL && f->spf.secure);
	csv_bool(&row, r->verdicts.spf_valid);
	if (f->ran && f->spf.record != NULL)
		csv_bytes(&row, f->spf.record, f->spf.record_len);
	else
		csv_put(&row, NULL);

	/* DMARC: the domain's own record, then the base domain's */
	own = dmarc && d->applies == DMARC_APPLIES_DOMAIN;
	csv_dmarc_record(&row, d, own);
	snprintf(base_name, sizeof(base_name), "_dmarc.%s", l->org_domain);
	base = f->ran && l->raw != NULL && l->org_domain[0] != '\0' &&
	    strcmp(l->record_name, base_name) == 0;
	csv_dmarc_record(&row, l, base);
	csv_str(&row, dmarc && v->usable ? dmarc_policy_name(d->policy) : NULL);
	csv_str(&row, dmarc && v->usable ? dmarc_policy_name(v->sp) : NULL);
	csv_put(&row, dmarc ? xasprintf("%d", rec->pct) : NULL);
	if (dmarc) {
		csv_uris(&row, rec->rua, rec->nrua);
		csv_uris(&row, rec->ruf, rec->nruf);
	} else {
		csv_put(&row, NULL);
		csv_put(&row, NULL);
	}
	csv_bool(&row, dmarc && rec->nrua > 0);
	csv_bool(&row, dmarc && rec->nruf > 0);
	for (i = 0; i < f->dmarc_ext.n; i++)
		if (f->dmarc_ext.dest[i].status == DMARC_EXT_UNAUTHORIZED)
			ext_error = true;
	csv_bool(&row, ext_error);
	csv_errors(&row, r);
	csv_put(&row, NULL); /* Debug Info: trustymail's log lines */
	return csv_write_row(out, &row);
}
