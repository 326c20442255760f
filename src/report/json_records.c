/* SPDX-License-Identifier: ISC */
/*
 * json_records - the DNS half of a domain's JSON: spf, dmarc, tls_rpt and
 * bod1801 (docs/scan-result.schema.json). Pure over the result tree.
 */
#include <string.h>

#include "report/json.h"
#include "report/json_int.h"

/* json_slice - a slice of a record, or null when absent */
static json_t *
json_slice(const char *p, size_t len)
{
	return p != NULL ? report_json_string(p, len) : json_null();
}

static json_t *
json_policy(enum dmarc_policy p)
{
	return p == DMARC_POLICY_UNSET ? json_null()
	                               : report_json_str(dmarc_policy_name(p));
}

static const char *
json_qualifier(int q)
{
	switch (q) {
	case SPF_QUAL_PASS:
		return "+";
	case SPF_QUAL_FAIL:
		return "-";
	case SPF_QUAL_SOFTFAIL:
		return "~";
	case SPF_QUAL_NEUTRAL:
		return "?";
	default:
		return NULL;
	}
}

static const char *const json_via[] = { "domain", "include", "redirect" };

json_t *
report_json_spf(const struct domain_result *r)
{
	const struct spf_audit *a = &r->records.spf;
	json_t *o, *tree, *n;
	size_t i;

	if (!r->records.ran || !r->records.spf_done)
		return json_null();
	o = report_json_object();
	report_json_set(o, "record", json_slice(a->record, a->record_len));
	report_json_set(o, "records", report_json_int((long long)a->nrecords));
	report_json_set(o, "valid", report_json_bool(r->verdicts.spf_valid));
	report_json_set(
	    o, "status", report_json_str(spf_audit_status_name(a->status)));
	report_json_set(o, "error", report_json_str(a->error));
	report_json_set(o, "error_offset",
	    report_json_int_if(a->error != NULL, (long long)a->error_off));
	report_json_set(
	    o, "result_all", report_json_str(json_qualifier(a->all_effective)));
	report_json_set(o, "lookups", report_json_int((long long)a->lookups));
	report_json_set(
	    o, "void_lookups", report_json_int((long long)a->void_lookups));
	report_json_set(o, "uses_ptr", report_json_bool(a->uses_ptr));
	report_json_set(o, "temperror", report_json_bool(a->temperror));
	report_json_set(o, "includes_without_record",
	    report_json_strv(a->no_record, a->nno_record));
	report_json_set(o, "loops", report_json_strv(a->loops, a->nloops));
	report_json_set(o, "dnssec_secure", report_json_bool(a->secure));
	tree = report_json_array();
	for (i = 0; i < a->nnodes; i++) {
		const struct spf_audit_node *nd = &a->nodes[i];

		n = report_json_object();
		report_json_set(n, "domain", report_json_str0(nd->domain));
		report_json_set(n, "via",
		    report_json_str(
		        (unsigned)nd->via < 3 ? json_via[nd->via] : NULL));
		report_json_set(n, "depth", report_json_int(nd->depth));
		report_json_set(n, "status",
		    report_json_str(spf_audit_status_name(nd->status)));
		report_json_set(
		    n, "record", json_slice(nd->record, nd->record_len));
		report_json_set(
		    n, "lookups", report_json_int((long long)nd->lookups));
		report_json_push(tree, n);
	}
	report_json_set(o, "tree", tree);
	return o;
}

/* json_uris - the URIs of a rua/ruf list, as written */
static json_t *
json_uris(const struct dmarc_uri *u, size_t n)
{
	json_t *a = report_json_array();
	size_t i;

	for (i = 0; i < n; i++)
		report_json_push(
		    a, report_json_string(u[i].text.p, u[i].text.len));
	return a;
}

static const char *
json_applies(enum dmarc_applies a)
{
	switch (a) {
	case DMARC_APPLIES_DOMAIN:
		return "domain";
	case DMARC_APPLIES_SUBDOMAIN:
		return "subdomain";
	case DMARC_APPLIES_NXDOMAIN:
		return "nxdomain";
	default:
		return NULL;
	}
}

static const char *
json_dmarc_status(enum dmarc_status s)
{
	static const char *const names[] = { "none", "found", "unusable",
		"multiple", "tempfail", "pending", "error" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s]
	                                                      : "error";
}

static const char *
json_ext_status(enum dmarc_ext_status s)
{
	static const char *const names[] = { "same-organization", "authorized",
		"unauthorized", "tempfail", "name-too-long" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s]
	                                                      : "tempfail";
}

/* json_discovery - where one standard's discovery found what */
static json_t *
json_discovery(const struct dmarc_discovery *d)
{
	json_t *o = report_json_object();

	report_json_set(
	    o, "status", report_json_str(json_dmarc_status(d->status)));
	report_json_set(o, "location",
	    d->record_name[0] != '\0' && d->raw != NULL
	        ? report_json_str(d->record_name)
	        : json_null());
	report_json_set(o, "org_domain",
	    d->org_domain[0] != '\0' ? report_json_str(d->org_domain)
	                             : json_null());
	report_json_set(
	    o, "applies", report_json_str(json_applies(d->applies)));
	report_json_set(o, "policy", json_policy(d->policy));
	return o;
}

json_t *
report_json_dmarc(const struct domain_result *r)
{
	const struct records_facts *f = &r->records;
	const struct dmarc_discovery *d = &f->dmarc[DMARC_RFC9989];
	const struct dmarc_discovery *l = &f->dmarc[DMARC_RFC7489];
	const struct dmarc_record *rec = &d->record;
	const struct dmarc_verdict *v = &rec->verdict[DMARC_RFC9989];
	bool have = d->raw != NULL;
	json_t *o, *probs, *p, *ext, *e;
	char buf[256];
	size_t i;

	if (!f->ran || !f->dmarc_done[DMARC_RFC9989] ||
	    !f->dmarc_done[DMARC_RFC7489])
		return json_null();
	o = report_json_object();
	report_json_set(o, "record",
	    have ? report_json_string(d->raw, d->raw_len) : json_null());
	report_json_set(o, "valid", report_json_bool(r->verdicts.dmarc_valid));
	report_json_set(
	    o, "status", report_json_str(json_dmarc_status(d->status)));
	report_json_set(o, "error", report_json_str(d->error));
	report_json_set(o, "location",
	    have ? report_json_str(d->record_name) : json_null());
	report_json_set(
	    o, "applies", report_json_str(json_applies(d->applies)));
	report_json_set(o, "org_domain",
	    d->org_domain[0] != '\0' ? report_json_str(d->org_domain)
	                             : json_null());
	report_json_set(o, "policy", json_policy(d->policy));
	report_json_set(o, "subdomain_policy",
	    have && v->usable ? json_policy(v->sp) : json_null());
	report_json_set(o, "nonexistent_policy",
	    have && v->usable ? json_policy(v->np) : json_null());
	report_json_set(o, "pct", report_json_int_if(have, rec->pct));
	report_json_set(o, "rua",
	    have ? json_uris(rec->rua, rec->nrua) : report_json_array());
	report_json_set(o, "ruf",
	    have ? json_uris(rec->ruf, rec->nruf) : report_json_array());
	report_json_set(o, "adkim",
	    have ? report_json_str(rec->adkim_strict ? "s" : "r")
	         : json_null());
	report_json_set(o, "aspf",
	    have ? report_json_str(rec->aspf_strict ? "s" : "r") : json_null());
	report_json_set(o, "testing", report_json_bool(have && rec->t));
	report_json_set(
	    o, "psd", have ? report_json_string(&rec->psd, 1) : json_null());
	report_json_set(
	    o, "dnssec_secure", report_json_bool(have && d->secure));
	probs = report_json_array();
	for (i = 0; have && i < rec->nproblem; i++) {
		p = report_json_object();
		report_json_set(p, "tag", report_json_str(rec->problem[i].tag));
		report_json_set(
		    p, "message", report_json_str(rec->problem[i].msg));
		report_json_set(p, "severity",
		    report_json_str(rec->problem[i].sev == DMARC_SEV_FATAL
		            ? "fatal"
		            : rec->problem[i].sev == DMARC_SEV_WARN ? "warning"
		                                                    : "info"));
		report_json_set(p, "rfc7489",
		    report_json_bool(
		        rec->problem[i].std & DMARC_STD_BIT(DMARC_RFC7489)));
		report_json_set(p, "rfc9989",
		    report_json_bool(
		        rec->problem[i].std & DMARC_STD_BIT(DMARC_RFC9989)));
		report_json_push(probs, p);
	}
	report_json_set(o, "problems", probs);
	ext = report_json_array();
	for (i = 0; i < f->dmarc_ext.n; i++) {
		const struct dmarc_ext_dest *x = &f->dmarc_ext.dest[i];

		e = report_json_object();
		report_json_set(e, "host", report_json_str(x->host));
		report_json_set(e, "query",
		    x->query[0] != '\0' ? report_json_str(x->query)
		                        : json_null());
		report_json_set(
		    e, "status", report_json_str(json_ext_status(x->status)));
		report_json_set(e, "rua", report_json_bool(x->rua));
		report_json_set(e, "ruf", report_json_bool(x->ruf));
		report_json_push(ext, e);
	}
	report_json_set(o, "external", ext);
	report_json_set(o, "rfc7489", json_discovery(l));
	report_json_set(o, "standards",
	    report_json_str(
	        dmarc_compare_text(dmarc_compare(d, l), buf, sizeof(buf))));
	return o;
}

json_t *
report_json_tlsrpt(const struct domain_result *r)
{
	const struct tlsrpt_discovery *t = &r->records.tlsrpt;
	json_t *o, *rua, *probs;
	size_t i;

	if (!r->records.ran || !r->records.tlsrpt_done)
		return json_null();
	o = report_json_object();
	report_json_set(o, "record",
	    t->raw != NULL ? report_json_string(t->raw, t->raw_len)
	                   : json_null());
	report_json_set(o, "valid", report_json_bool(r->verdicts.tlsrpt_valid));
	report_json_set(o, "error", report_json_str(t->error));
	rua = report_json_array();
	for (i = 0; t->raw != NULL && i < t->record.nuri; i++)
		report_json_push(rua,
		    report_json_string(t->record.uri[i].uri.text.p,
		        t->record.uri[i].uri.text.len));
	report_json_set(o, "rua", rua);
	probs = report_json_array();
	for (i = 0; t->raw != NULL && i < t->record.nproblem; i++)
		report_json_push(
		    probs, report_json_str(t->record.problem[i].msg));
	report_json_set(o, "problems", probs);
	return o;
}

json_t *
report_json_bod1801(const struct domain_result *r)
{
	const struct mail_verdicts *v = &r->verdicts;
	json_t *o = report_json_object(), *mail = report_json_object();
	json_t *fail = report_json_array();
	size_t i;

	report_json_set(mail, "compliant", report_json_tristate(v->bod1801));
	for (i = 0; v->bod1801 >= 0 && i < v->nfailures; i++)
		report_json_push(fail, report_json_str(v->failures[i]));
	report_json_set(mail, "failures", fail);
	report_json_set(mail, "base_domain", report_json_bool(v->base_domain));
	report_json_set(o, "mail", r->mail_checked ? mail : json_null());
	if (!r->mail_checked)
		json_decref(mail);
	report_json_set(o, "web", report_json_bod1801_web(r));
	return o;
}
