/* SPDX-License-Identifier: ISC */
/* tlsrpt - RFC 8460 reporting policy records. */
#include "proto/tlsrpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/str.h"
#include "util/xalloc.h"

#define TLSRPT_TYPE_TXT 16
#define TLSRPT_VERSION  "v=TLSRPTv1"

static bool
tlsrpt_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static struct tlsrpt_slice
tlsrpt_trim(const char *p, size_t len)
{
	struct tlsrpt_slice s = { p, len };

	str_trim_wsp(&s.p, &s.len);
	return s;
}

/* tlsrpt_add - record a problem; a full list keeps room for fatal ones */
static void
tlsrpt_add(struct tlsrpt_record *r, size_t off, bool fatal, const char *msg)
{
	struct tlsrpt_problem *pr;

	if (r->nproblem == TLSRPT_PROBLEM_MAX) {
		r->problems_truncated = true;
		if (!fatal)
			return;
		r->nproblem--;
	}
	pr = &r->problem[r->nproblem++];
	pr->msg = msg;
	pr->off = off;
	pr->fatal = fatal;
}

/* tlsrpt_ext_name_ok - (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool
tlsrpt_ext_name_ok(struct tlsrpt_slice n)
{
	size_t i;
	int c;

	if (n.len == 0 || n.len > TLSRPT_EXT_NAME_MAX ||
	    !ascii_isalnum((unsigned char)n.p[0]))
		return false;
	for (i = 1; i < n.len; i++) {
		c = (unsigned char)n.p[i];
		if (!ascii_isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

/* tlsrpt_ext_value_ok - 1*(%x21-3A / %x3C / %x3E-7E) */
static bool
tlsrpt_ext_value_ok(struct tlsrpt_slice v)
{
	size_t i;
	int c;

	if (v.len == 0)
		return false;
	for (i = 0; i < v.len; i++) {
		c = (unsigned char)v.p[i];
		if (c < 0x21 || c > 0x7e || c == ';' || c == '=')
			return false;
	}
	return true;
}

/* tlsrpt_rua - the URI list of one rua field */
static void
tlsrpt_rua(struct tlsrpt_record *r, struct tlsrpt_slice v, const char *base)
{
	struct tlsrpt_slice item;
	struct tlsrpt_uri *u;
	size_t i = 0, start, off;

	while (i <= v.len) {
		start = i;
		while (i < v.len && v.p[i] != ',')
			i++;
		item = tlsrpt_trim(v.p + start, i - start);
		off = (size_t)(v.p + start - base);
		i++;
		if (item.len == 0) {
			tlsrpt_add(r, off, true, "empty uri in rua");
			continue;
		}
		if (r->nuri == TLSRPT_URI_MAX) {
			tlsrpt_add(r, off, false,
			    "too many uris: the rest "
			    "ignored");
			return;
		}
		u = &r->uri[r->nuri++];
		u->field = r->nrua;
		dmarc_uri_check(item.p, item.len, false, &u->uri);
		if (!u->uri.valid)
			tlsrpt_add(r, off, true, u->uri.error);
		else if (!u->uri.usable)
			tlsrpt_add(r, off, false, u->uri.error);
		else
			r->nusable++;
	}
}

int
tlsrpt_parse(
    const char *p, size_t len, struct tlsrpt_record *out, struct perr *err)
{
	struct tlsrpt_slice seg, name, value;
	size_t i, start, end, eq, vlen = strlen(TLSRPT_VERSION);
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (len > TLSRPT_RECORD_MAX) {
		tlsrpt_add(out, TLSRPT_RECORD_MAX, true, "record too long");
		goto done;
	}
	if (len < vlen || memcmp(p, TLSRPT_VERSION, vlen) != 0 ||
	    (len > vlen && p[vlen] != ';' &&
	        !tlsrpt_wsp((unsigned char)p[vlen]))) {
		tlsrpt_add(out, 0, true,
		    "not a tls-rpt record: v=TLSRPTv1 must come first");
		goto done;
	}
	out->is_tlsrpt = true;
	for (start = vlen; start <= len; start = end + 1) {
		for (end = start; end < len && p[end] != ';'; end++)
			;
		seg = tlsrpt_trim(p + start, end - start);
		if (first) {
			/* what follows the version before the first ';' */
			first = false;
			if (seg.len != 0)
				tlsrpt_add(out, start, true,
				    "v=TLSRPTv1 must be followed by ';'");
			continue;
		}
		if (seg.len == 0) {
			if (end < len)
				tlsrpt_add(out, start, true,
				    "empty field (two ';' in a row)");
			continue;
		}
		for (eq = 0; eq < seg.len && seg.p[eq] != '='; eq++)
			;
		if (eq == seg.len) {
			tlsrpt_add(out, (size_t)(seg.p - p), true,
			    "field without '='");
			continue;
		}
		name.p = seg.p;
		name.len = eq;
		value.p = seg.p + eq + 1;
		value.len = seg.len - eq - 1;
		if (value.len > 0 && tlsrpt_wsp((unsigned char)value.p[0])) {
			tlsrpt_add(out, (size_t)(value.p - p), true,
			    "white space after '='");
			continue;
		}
		if (name.len == 3 && memcmp(name.p, "rua", 3) == 0) {
			if (out->nrua == 1)
				tlsrpt_add(out, (size_t)(seg.p - p), false,
				    "several rua fields");
			tlsrpt_rua(out, value, p);
			out->nrua++;
			continue;
		}
		if (!tlsrpt_ext_name_ok(name)) {
			tlsrpt_add(out, (size_t)(seg.p - p), true,
			    name.len > 0 &&
			            tlsrpt_wsp(
			                (unsigned char)name.p[name.len - 1])
			        ? "white space before '='"
			        : "bad extension name");
			continue;
		}
		if (!tlsrpt_ext_value_ok(value)) {
			tlsrpt_add(out, (size_t)(value.p - p), true,
			    value.len == 0 ? "empty extension value"
			                   : "bad extension value");
			continue;
		}
		if (out->next == TLSRPT_EXT_MAX) {
			tlsrpt_add(out, (size_t)(seg.p - p), false,
			    "too many extensions: the rest ignored");
			continue;
		}
		out->ext[out->next].name = name;
		out->ext[out->next].value = value;
		out->next++;
	}
	if (out->nrua == 0)
		tlsrpt_add(out, len, true, "no rua field");
	else if (out->nusable == 0)
		tlsrpt_add(
		    out, len, true, "no usable rua uri (mailto: or https:)");
done:
	for (i = 0; i < out->nproblem; i++)
		if (out->problem[i].fatal)
			return perr_set(
			    err, out->problem[i].off, out->problem[i].msg);
	out->valid = true;
	return 0;
}

bool
tlsrpt_is_record(const char *p, size_t len)
{
	size_t vlen = strlen(TLSRPT_VERSION);

	if (len < vlen || memcmp(p, TLSRPT_VERSION, vlen) != 0)
		return false;
	return len == vlen || p[vlen] == ';' ||
	    tlsrpt_wsp((unsigned char)p[vlen]);
}

enum tlsrpt_select
tlsrpt_select(const char *const *rr, const size_t *len, size_t n, size_t *index)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++) {
		if (!tlsrpt_is_record(rr[i], len[i]))
			continue;
		if (found++ == 0 && index != NULL)
			*index = i;
	}
	return found == 0 ? TLSRPT_SELECT_NONE
	    : found == 1  ? TLSRPT_SELECT_ONE
	                  : TLSRPT_SELECT_MULTIPLE;
}

static enum tlsrpt_status
tlsrpt_status(
    struct tlsrpt_discovery *out, enum tlsrpt_status st, const char *error)
{
	out->status = st;
	out->error = error;
	return st;
}

enum tlsrpt_status
tlsrpt_discover(const char *domain, const struct dnsview *view,
    struct tlsrpt_discovery *out)
{
	char norm[DOMAIN_MAX + 1];
	struct dnsview_rrset rs;
	size_t idx = 0;
	int n;

	memset(out, 0, sizeof(*out));
	if (domain == NULL || view == NULL ||
	    domain_normalize(
	        domain, strlen(domain), norm, sizeof(norm), NULL) != 0)
		return tlsrpt_status(
		    out, TLSRPT_STATUS_ERROR, "bad domain name");
	n = snprintf(out->name, sizeof(out->name), "_smtp._tls.%s", norm);
	if (n < 0 || (size_t)n >= sizeof(out->name)) {
		out->name[0] = '\0';
		return tlsrpt_status(out, TLSRPT_STATUS_ERROR,
		    "domain name too long for _smtp._tls");
	}
	memset(&rs, 0, sizeof(rs));
	switch (view->lookup(view->ctx, out->name, TLSRPT_TYPE_TXT, &rs)) {
	case DNSVIEW_PENDING:
		return tlsrpt_status(out, TLSRPT_STATUS_PENDING, NULL);
	case DNSVIEW_TEMPFAIL:
		return tlsrpt_status(out, TLSRPT_STATUS_TEMPFAIL,
		    "dns failure looking for the record");
	case DNSVIEW_OK:
		break;
	default:
		out->secure = rs.secure;
		return tlsrpt_status(
		    out, TLSRPT_STATUS_NONE, "no tls-rpt record");
	}
	out->secure = rs.secure;
	switch (tlsrpt_select(rs.rr, rs.len, rs.n, &idx)) {
	case TLSRPT_SELECT_NONE:
		return tlsrpt_status(
		    out, TLSRPT_STATUS_NONE, "no tls-rpt record");
	case TLSRPT_SELECT_MULTIPLE:
		return tlsrpt_status(out, TLSRPT_STATUS_MULTIPLE,
		    "several v=TLSRPTv1 records: none applies");
	default:
		break;
	}
	out->raw = xmemdup0(rs.rr[idx], rs.len[idx]);
	out->raw_len = rs.len[idx];
	if (tlsrpt_parse(out->raw, out->raw_len, &out->record, NULL) != 0)
		return tlsrpt_status(
		    out, TLSRPT_STATUS_INVALID, "the record is invalid");
	return tlsrpt_status(out, TLSRPT_STATUS_FOUND, NULL);
}

void
tlsrpt_discovery_release(struct tlsrpt_discovery *d)
{
	if (d == NULL)
		return;
	free(d->raw);
	d->raw = NULL;
	d->raw_len = 0;
	memset(&d->record, 0, sizeof(d->record));
}
