/* SPDX-License-Identifier: ISC */
/*
 * csv_pshtt - pshtt-compatible rows (see the header). Each cell is read
 * from the "web" JSON object, then formatted as pshtt's result_for() and
 * Python's csv.writer would: the None rule is applied per column here.
 *
 * The cell quoting repeats csv.c's (about 20 lines): csv.c keeps its
 * helpers static, and sharing them would mean editing it.
 */
#include "report/csv_pshtt.h"

#include <stdlib.h>
#include <string.h>

#include "report/csv.h"
#include "report/json_int.h"
#include "util/xalloc.h"

static const char *const csv_pshtt_columns[REPORT_CSV_PSHTT_COLUMNS] = {
	"Domain", "Base Domain", "Canonical URL", "Live", "HTTPS Live",
	"HTTPS Full Connection", "HTTPS Client Auth Required", "Redirect",
	"Redirect To", "Valid HTTPS", "HTTPS Publicly Trusted",
	"HTTPS Custom Truststore Trusted", "Defaults to HTTPS",
	"Downgrades HTTPS", "Strictly Forces HTTPS", "HTTPS Bad Chain",
	"HTTPS Bad Hostname", "HTTPS Expired Cert", "HTTPS Self Signed Cert",
	"HSTS", "HSTS Header", "HSTS Max Age", "HSTS Entire Domain",
	"HSTS Preload Ready", "HSTS Preload Pending", "HSTS Preloaded",
	"Base Domain HSTS Preloaded", "Domain Supports HTTPS",
	"Domain Enforces HTTPS", "Domain Uses Strong HSTS", "IP",
	"Server Header", "Server Version", "HTTPS Cert Chain Length",
	"HTTPS Probably Missing Intermediate Cert", "Notes", "Unknown Error"
};

/* one row being built: its cells, owned; NULL is an empty cell */
struct csv_pshtt_row {
	char *cell[REPORT_CSV_PSHTT_COLUMNS];
	int n;
};

static void
csv_pshtt_put(struct csv_pshtt_row *row, char *owned)
{
	if (row->n < REPORT_CSV_PSHTT_COLUMNS)
		row->cell[row->n++] = owned;
	else
		free(owned);
}

/* csv_pshtt_value - a JSON value as Python's str() of it; NULL for null */
static char *
csv_pshtt_value(const json_t *v)
{
	if (json_is_true(v))
		return xstrdup("True");
	if (json_is_false(v))
		return xstrdup("False");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return NULL;
}

/* csv_pshtt_opt - the value as it is: null stays an empty cell */
static void
csv_pshtt_opt(struct csv_pshtt_row *row, const json_t *o, const char *key)
{
	csv_pshtt_put(row, csv_pshtt_value(json_object_get(o, key)));
}

/* csv_pshtt_bool - pshtt's None rule: anything but true is False */
static void
csv_pshtt_bool(struct csv_pshtt_row *row, const json_t *o, const char *key)
{
	csv_pshtt_put(row,
	    xstrdup(json_is_true(json_object_get(o, key)) ? "True" : "False"));
}

/* csv_pshtt_url - pshtt's URL form: "https://www.d", no final "/" */
static char *
csv_pshtt_url(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n = strlen(url);

	if (host != NULL && n > 0 && url[n - 1] == '/' &&
	    strchr(host + 3, '/') == url + n - 1)
		n--;
	return xasprintf("%.*s", (int)n, url);
}

/* csv_pshtt_server - pshtt writes the Server header with "," as ";" */
static char *
csv_pshtt_server(const json_t *v)
{
	char *s = csv_pshtt_value(v), *p;

	for (p = s; p != NULL && *p != '\0'; p++)
		if (*p == ',')
			*p = ';';
	return s;
}

/* csv_pshtt_write_row - row, then its cells are gone */
static int
csv_pshtt_write_row(FILE *out, struct csv_pshtt_row *row)
{
	return report_csv_write_row(
	    out, row->cell, row->n, REPORT_CSV_PSHTT_COLUMNS);
}

int
report_csv_pshtt_header(FILE *out)
{
	struct csv_pshtt_row row = { { NULL }, 0 };
	int i;

	for (i = 0; i < REPORT_CSV_PSHTT_COLUMNS; i++)
		csv_pshtt_put(&row, xstrdup(csv_pshtt_columns[i]));
	return csv_pshtt_write_row(out, &row);
}

int
report_csv_pshtt_domain(FILE *out, const struct domain_result *r)
{
	struct csv_pshtt_row row = { { NULL }, 0 };
	const char *org = r->records.dmarc[DMARC_RFC7489].org_domain;
	json_t *o = report_json_web(r), *url;
	bool full, https_live;
	int rc;

	if (!json_is_object(o)) {
		/* the web side did not run: nothing answered */
		json_decref(o);
		o = report_json_object();
	}
	full = json_is_true(json_object_get(o, "https_full_connection"));
	https_live = json_is_true(json_object_get(o, "https_live"));

	csv_pshtt_put(&row, xstrdup(r->domain));
	csv_pshtt_put(
	    &row, xstrdup(r->records.ran && org[0] != '\0' ? org : r->domain));
	url = json_object_get(o, "canonical_url");
	csv_pshtt_put(&row,
	    json_is_string(url) ? csv_pshtt_url(json_string_value(url))
	                        : xasprintf("http://%s", r->domain));
	csv_pshtt_bool(&row, o, "live");
	csv_pshtt_bool(&row, o, "https_live");
	csv_pshtt_bool(&row, o, "https_full_connection");
	csv_pshtt_bool(&row, o, "https_client_auth_required");
	csv_pshtt_bool(&row, o, "redirect");
	csv_pshtt_opt(&row, o, "redirect_to");
	csv_pshtt_bool(&row, o, "valid_https");
	csv_pshtt_bool(&row, o, "https_publicly_trusted");
	/* False when no HTTPS endpoint is live, else pshtt's None as is */
	if (https_live)
		csv_pshtt_opt(&row, o, "https_custom_truststore_trusted");
	else
		csv_pshtt_put(&row, xstrdup("False"));
	csv_pshtt_bool(&row, o, "defaults_to_https");
	csv_pshtt_bool(&row, o, "downgrades_https");
	csv_pshtt_bool(&row, o, "strictly_forces_https");
	csv_pshtt_bool(&row, o, "https_bad_chain");
	csv_pshtt_bool(&row, o, "https_bad_hostname");
	csv_pshtt_bool(&row, o, "https_expired_cert");
	csv_pshtt_bool(&row, o, "https_self_signed_cert");
	csv_pshtt_bool(&row, o, "hsts");
	csv_pshtt_opt(&row, o, "hsts_header");
	csv_pshtt_opt(&row, o, "hsts_max_age");
	/*
	 * without a full HTTPS connection pshtt leaves this one and Strong
	 * HSTS None (an empty cell) where it would say False; neither can be
	 * True then
	 */
	if (full)
		csv_pshtt_bool(&row, o, "hsts_entire_domain");
	else
		csv_pshtt_put(&row, NULL);
	csv_pshtt_bool(&row, o, "hsts_preload_ready");
	csv_pshtt_bool(&row, o, "hsts_preload_pending");
	csv_pshtt_bool(&row, o, "hsts_preloaded");
	csv_pshtt_bool(&row, o, "base_domain_hsts_preloaded");
	csv_pshtt_bool(&row, o, "supports_https");
	csv_pshtt_bool(&row, o, "enforces_https");
	if (full)
		csv_pshtt_bool(&row, o, "strong_hsts");
	else
		csv_pshtt_put(&row, NULL);
	csv_pshtt_opt(&row, o, "ip");
	csv_pshtt_put(
	    &row, csv_pshtt_server(json_object_get(o, "server_header")));
	csv_pshtt_put(&row, NULL); /* Server Version: pshtt never sets it */
	csv_pshtt_opt(&row, o, "https_cert_chain_length");
	csv_pshtt_bool(&row, o, "https_missing_intermediate_cert");
	csv_pshtt_put(&row, NULL);             /* Notes: pshtt's are empty */
	csv_pshtt_put(&row, xstrdup("False")); /* Unknown Error */
	rc = csv_pshtt_write_row(out, &row);
	json_decref(o);
	return rc;
}
