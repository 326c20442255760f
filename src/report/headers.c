/* SPDX-License-Identifier: ISC */
/*
 * headers - text and JSON for "mxaudit headers".
 *
 * Every string comes from a stranger's message: text output escapes it
 * (str_escape), JSON output goes through report_json_string, which
 * replaces invalid UTF-8.
 */
#include "report/headers.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/json.h"
#include "util/log.h"
#include "util/str.h"

#define HEADERS_RED   "\033[1;31m"
#define HEADERS_GREEN "\033[1;32m"
#define HEADERS_DIM   "\033[2m"
#define HEADERS_RESET "\033[0m"

void
report_headers_summarize(
    const struct headers_hop *hops, size_t n, struct headers_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->hops = n;
	for (i = 0; i < n; i++) {
		if (hops[i].r.tls == RECEIVED_TLS_YES)
			s->encrypted++;
		else if (hops[i].r.tls == RECEIVED_TLS_NO)
			s->unencrypted++;
		else
			s->unknown++;
	}
}

/* headers_slice - an escaped, owned copy of a slice, or of "-" when absent */
static char *
headers_slice(struct received_slice sl)
{
	return sl.len > 0 ? str_escape(sl.p, sl.len) : str_escape("-", 1);
}

static void
headers_when(long long when, char *buf, size_t size)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (when < 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "-");
}

void
report_headers_text(
    FILE *out, const struct headers_hop *hops, size_t n, unsigned flags)
{
	struct headers_summary s;
	const struct received *r;
	char *from, *ip, *by, *with, *ver, *cipher, when[32];
	const char *tls, *on = "", *off = "";
	bool color = (flags & REPORT_HEADERS_COLOR) != 0;
	size_t i;

	if (n == 0) {
		fprintf(out, "no Received: header fields\n");
		return;
	}
	fprintf(out, "%-3s %-28s %-28s %-8s %-4s %-8s %-30s %s\n", "hop",
	    "from", "by", "with", "tls", "version", "cipher", "date");
	for (i = 0; i < n; i++) {
		r = &hops[i].r;
		from = headers_slice(r->from.len > 0 ? r->from : r->from_rdns);
		ip = r->from_ip.len > 0
		    ? str_escape(r->from_ip.p, r->from_ip.len)
		    : NULL;
		by = headers_slice(r->by);
		with = headers_slice(r->with.len > 0 ? r->with : r->with_text);
		ver = headers_slice(r->tls_version);
		cipher = headers_slice(r->cipher);
		headers_when(
		    hops[i].parsed ? hops[i].r.time : -1, when, sizeof(when));
		switch (r->tls) {
		case RECEIVED_TLS_YES:
			tls = "yes";
			on = color ? HEADERS_GREEN : "";
			break;
		case RECEIVED_TLS_NO:
			tls = "NO";
			on = color ? HEADERS_RED : "";
			break;
		default:
			tls = "?";
			on = color ? HEADERS_DIM : "";
			break;
		}
		off = color ? HEADERS_RESET : "";
		fprintf(out, "%-3zu %-28s %-28s %-8s %s%-4s%s %-8s %-30s %s\n",
		    i + 1, from, by, with, on, tls, off, ver, cipher, when);
		if (ip != NULL)
			fprintf(out, "    [%s]\n", ip);
		free(from);
		free(ip);
		free(by);
		free(with);
		free(ver);
		free(cipher);
	}
	report_headers_summarize(hops, n, &s);
	fprintf(out,
	    "%zu hops: %zu encrypted, %s%zu not encrypted%s, %zu "
	    "unknown\n",
	    s.hops, s.encrypted, s.unencrypted && color ? HEADERS_RED : "",
	    s.unencrypted, s.unencrypted && color ? HEADERS_RESET : "",
	    s.unknown);
}

static json_t *
headers_jslice(struct received_slice sl)
{
	return sl.len > 0 ? report_json_string(sl.p, sl.len) : json_null();
}

static json_t *
headers_hop_json(const struct headers_hop *h, size_t index)
{
	const struct received *r = &h->r;
	json_t *o = json_object();

	json_object_set_new(o, "hop", json_integer((json_int_t)index));
	json_object_set_new(o, "from", headers_jslice(r->from));
	json_object_set_new(o, "from_rdns", headers_jslice(r->from_rdns));
	json_object_set_new(o, "from_ip", headers_jslice(r->from_ip));
	json_object_set_new(o, "by", headers_jslice(r->by));
	json_object_set_new(o, "with", headers_jslice(r->with));
	json_object_set_new(o, "with_text", headers_jslice(r->with_text));
	json_object_set_new(o, "id", headers_jslice(r->id));
	json_object_set_new(o, "for", headers_jslice(r->for_));
	json_object_set_new(o, "tls",
	    r->tls == RECEIVED_TLS_YES      ? json_true()
	        : r->tls == RECEIVED_TLS_NO ? json_false()
	                                    : json_null());
	json_object_set_new(o, "tls_version", headers_jslice(r->tls_version));
	json_object_set_new(o, "tls_version_norm",
	    r->tls_version_norm[0] != '\0' ? json_string(r->tls_version_norm)
	                                   : json_null());
	json_object_set_new(o, "cipher", headers_jslice(r->cipher));
	json_object_set_new(
	    o, "bits", r->bits > 0 ? json_integer(r->bits) : json_null());
	json_object_set_new(o, "verify", headers_jslice(r->verify));
	json_object_set_new(o, "tls_format",
	    r->tls_format != NULL ? json_string(r->tls_format) : json_null());
	json_object_set_new(o, "date",
	    h->parsed && r->time >= 0 ? report_json_time((time_t)r->time)
	                              : json_null());
	json_object_set_new(o, "date_raw", headers_jslice(r->date));
	json_object_set_new(o, "parsed", json_boolean(h->parsed));
	json_object_set_new(o, "raw", report_json_string(h->value, h->len));
	return o;
}

int
report_headers_json(
    FILE *out, const char *source, const struct headers_hop *hops, size_t n)
{
	struct headers_summary s;
	json_t *doc, *arr, *sum;
	size_t i;
	int rc;

	doc = json_object();
	json_object_set_new(
	    doc, "source", report_json_string(source, strlen(source)));
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, headers_hop_json(&hops[i], i + 1));
	json_object_set_new(doc, "hops", arr);
	report_headers_summarize(hops, n, &s);
	sum = json_object();
	json_object_set_new(sum, "hops", json_integer((json_int_t)s.hops));
	json_object_set_new(
	    sum, "encrypted", json_integer((json_int_t)s.encrypted));
	json_object_set_new(
	    sum, "unencrypted", json_integer((json_int_t)s.unencrypted));
	json_object_set_new(
	    sum, "unknown", json_integer((json_int_t)s.unknown));
	/* true: every hop known encrypted; false: one known not; else null */
	json_object_set_new(sum, "all_encrypted",
	    s.unencrypted > 0                         ? json_false()
	        : s.hops > 0 && s.encrypted == s.hops ? json_true()
	                                              : json_null());
	json_object_set_new(doc, "summary", sum);
	rc = json_dumpf(doc, out, report_json_dump_flags(0));
	fputc('\n', out);
	json_decref(doc);
	return rc;
}
