/* SPDX-License-Identifier: ISC */
/*
 * html - one self-contained HTML page over a run's JSON documents.
 *
 * Design: report_html_add() parses a document with jansson, writes that
 * domain's <details> fragment at once and keeps a compact row (label
 * indices into the column tables below) plus the counts; report_html_end()
 * writes the overview, the table and the data block. Nothing from a
 * document reaches the output except through report_html_escape() (HTML
 * text) or report_html_json_string() (the data block); the column values
 * are our own labels, chosen from fixed tables, never the document's text.
 * The CSS and the script are constants whose SHA-256 hashes make the
 * Content-Security-Policy, so no other script or style can run.
 */
#include "report/html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/strmap.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define REPORT_HTML_STR_MAX      1024 /* bytes shown of a string */
#define REPORT_HTML_RECORD_MAX   4096 /* bytes shown of a record or banner */
#define REPORT_HTML_LIST_MAX     20   /* items shown of a list */
#define REPORT_HTML_FINDINGS_MAX 200  /* findings shown per domain */
#define REPORT_HTML_MX_MAX       20   /* MX hosts shown per domain */
#define REPORT_HTML_ADDR_MAX     16   /* addresses shown per MX host */
#define REPORT_HTML_ID_MAX       64   /* bytes of a finding id counted */
#define REPORT_HTML_IDS_MAX      1000 /* distinct (id, severity) counted */
#define REPORT_HTML_CHART_IDS    40   /* bars in the findings chart */

/* the table's columns; a row keeps one label index per label column */
enum report_html_col {
	REPORT_HTML_COL_DOMAIN,
	REPORT_HTML_COL_WORST,
	REPORT_HTML_COL_ERRORS,
	REPORT_HTML_COL_WARNINGS,
	REPORT_HTML_COL_STARTTLS,
	REPORT_HTML_COL_DMARC,
	REPORT_HTML_COL_SPF,
	REPORT_HTML_COL_MTASTS,
	REPORT_HTML_COL_DANE,
	REPORT_HTML_COL_BODMAIL,
	REPORT_HTML_COL_BODWEB,
	REPORT_HTML_COL_MAX
};

/* worst severity, in rank order (the worst column's labels) */
enum report_html_sev {
	REPORT_HTML_SEV_UNKNOWN,
	REPORT_HTML_SEV_NONE,
	REPORT_HTML_SEV_INFO,
	REPORT_HTML_SEV_WARNING,
	REPORT_HTML_SEV_ERROR,
	REPORT_HTML_SEV_MAX
};

enum report_html_starttls {
	REPORT_HTML_STARTTLS_NA,
	REPORT_HTML_STARTTLS_YES,
	REPORT_HTML_STARTTLS_PARTIAL,
	REPORT_HTML_STARTTLS_UNREACHABLE,
	REPORT_HTML_STARTTLS_NO,
};

enum report_html_dmarc {
	REPORT_HTML_DMARC_UNCHECKED,
	REPORT_HTML_DMARC_REJECT,
	REPORT_HTML_DMARC_QUARANTINE,
	REPORT_HTML_DMARC_NONE,
	REPORT_HTML_DMARC_DNS,
	REPORT_HTML_DMARC_INVALID,
	REPORT_HTML_DMARC_MISSING,
};

enum report_html_spf {
	REPORT_HTML_SPF_UNCHECKED,
	REPORT_HTML_SPF_VALID,
	REPORT_HTML_SPF_DNS,
	REPORT_HTML_SPF_INVALID,
	REPORT_HTML_SPF_MISSING,
};

enum report_html_sts {
	REPORT_HTML_STS_UNCHECKED,
	REPORT_HTML_STS_ENFORCE,
	REPORT_HTML_STS_TESTING,
	REPORT_HTML_STS_NONE,
	REPORT_HTML_STS_MISSING,
	REPORT_HTML_STS_ERROR,
};

enum report_html_dane {
	REPORT_HTML_DANE_NA,
	REPORT_HTML_DANE_VALID,
	REPORT_HTML_DANE_PARTIAL,
	REPORT_HTML_DANE_NOTLSA,
	REPORT_HTML_DANE_INSECURE,
	REPORT_HTML_DANE_DNS,
	REPORT_HTML_DANE_MISMATCH,
	REPORT_HTML_DANE_BOGUS,
};

/* a BOD 18-01 verdict (both sides) */
enum report_html_bod {
	REPORT_HTML_BOD_UNCHECKED,
	REPORT_HTML_BOD_UNSCORED,
	REPORT_HTML_BOD_PASS,
	REPORT_HTML_BOD_FAIL,
	REPORT_HTML_BOD_MAX
};

#define REPORT_HTML_LABELS_MAX 8

/* report_html_cols - each column's key (filters, #sort=), title, labels
 * (NULL: a number, or the domain) and the class of each label */
static const struct {
	const char *key;
	const char *title;
	bool desc; /* the first click sorts descending (worst first) */
	const char *labels[REPORT_HTML_LABELS_MAX];
	const char *classes[REPORT_HTML_LABELS_MAX];
} report_html_cols[REPORT_HTML_COL_MAX] = {
	[REPORT_HTML_COL_DOMAIN] = { "domain", "Domain", false, { NULL },
	    { NULL } },
	[REPORT_HTML_COL_WORST] = { "worst", "Worst", true,
	    { "unknown", "none", "info", "warning", "error" },
	    { "na", "good", "info", "warn", "bad" } },
	[REPORT_HTML_COL_ERRORS] = { "errors", "Errors", true, { NULL },
	    { NULL } },
	[REPORT_HTML_COL_WARNINGS] = { "warnings", "Warnings", true, { NULL },
	    { NULL } },
	[REPORT_HTML_COL_STARTTLS] = { "starttls", "STARTTLS", true,
	    { "n/a", "yes", "partial", "unreachable", "no" },
	    { "na", "good", "bad", "bad", "bad" } },
	[REPORT_HTML_COL_DMARC] = { "dmarc", "DMARC policy", true,
	    { "not checked", "reject", "quarantine", "none", "dns error",
	        "invalid", "missing" },
	    { "na", "good", "warn", "warn", "warn", "bad", "bad" } },
	[REPORT_HTML_COL_SPF] = { "spf", "SPF", true,
	    { "not checked", "valid", "dns error", "invalid", "missing" },
	    { "na", "good", "warn", "bad", "warn" } },
	[REPORT_HTML_COL_MTASTS] = { "mtasts", "MTA-STS", true,
	    { "not checked", "enforce", "testing", "none", "missing", "error" },
	    { "na", "good", "warn", "warn", "na", "bad" } },
	[REPORT_HTML_COL_DANE] = { "dane", "DANE", true,
	    { "n/a", "valid", "partial", "no TLSA", "insecure", "dns error",
	        "mismatch", "bogus" },
	    { "na", "good", "warn", "na", "na", "warn", "bad", "bad" } },
	[REPORT_HTML_COL_BODMAIL] = { "bodmail", "BOD mail", true,
	    { "not checked", "not scored", "pass", "FAIL" },
	    { "na", "na", "good", "bad" } },
	[REPORT_HTML_COL_BODWEB] = { "bodweb", "BOD web", true,
	    { "not checked", "not scored", "pass", "FAIL" },
	    { "na", "na", "good", "bad" } },
};

/* one domain of the table */
struct report_html_row {
	char *domain;      /* owned; capped, NUL-terminated */
	size_t domain_len; /* bytes (it may hold NULs) */
	unsigned errors;   /* findings of severity error */
	unsigned warnings; /* findings of severity warning */
	unsigned char label[REPORT_HTML_COL_MAX]; /* label columns */
};

/* one (finding id, severity) and how often it was seen */
struct report_html_agg {
	char *key; /* owned; severity digit, then the capped id */
	size_t findings;
	size_t domains;
	size_t last; /* 1 + the row that last counted it, 0 none */
};

struct report_html {
	FILE *out;                    /* borrowed */
	struct report_html_run meta;  /* strings owned (copies) */
	struct report_html_row *rows; /* owned */
	size_t nrows, rows_alloc;
	struct strmap ids;             /* key -> struct report_html_agg */
	struct report_html_agg **aggs; /* owned, with their keys */
	size_t naggs;
	size_t other_findings; /* findings past REPORT_HTML_IDS_MAX keys */
	size_t unreadable;     /* documents that were not read */
	size_t scan_errors;    /* status "error" */
	size_t timed_out;      /* timed_out true */
	size_t no_mail;        /* accepts_mail false */
	size_t findings[REPORT_HTML_SEV_MAX]; /* findings per severity */
	size_t worst[REPORT_HTML_SEV_MAX];    /* domains per worst severity */
	size_t bod_mail[REPORT_HTML_BOD_MAX]; /* domains per verdict */
	size_t bod_web[REPORT_HTML_BOD_MAX];
	size_t counts[REPORT_HTML_COL_MAX][REPORT_HTML_LABELS_MAX];
};

static const char report_html_css[] =
    ":root{--bad:#b3261e;--warn:#a86400;--good:#1b7a3a;--info:#2a5db0;\n"
    "--na:#6b6b6b;--line:#d8d8d8;--bg2:#f4f4f4}\n"
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d1d1d}\n"
    "header,main,footer{max-width:1400px;margin:0 auto;padding:0 16px}\n"
    "header h1{font-size:22px;margin:16px 0 4px}\n"
    "main{display:flex;flex-direction:column}\n"
    "#overview{order:1}\n"
    "#domains{order:2}\n"
    "#details{order:3}\n"
    "h2{font-size:18px;border-bottom:1px solid var(--line);\n"
    "padding-bottom:4px;margin:24px 0 8px}\n"
    "h3{font-size:15px;margin:16px 0 6px}\n"
    "h4{margin:12px 0 4px;font-size:14px}\n"
    ".cards,.charts{display:flex;flex-wrap:wrap;gap:12px;\n"
    "align-items:flex-start}\n"
    ".card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;\n"
    "min-width:140px;background:var(--bg2)}\n"
    ".card b{display:block;font-size:20px}\n"
    ".chart h3{font-size:14px;margin:4px 0}\n"
    "svg text{font:12px system-ui,sans-serif;fill:#1d1d1d}\n"
    "rect.good{fill:var(--good)}\n"
    "rect.bad{fill:var(--bad)}\n"
    "rect.warn{fill:var(--warn)}\n"
    "rect.info{fill:var(--info)}\n"
    "rect.na{fill:#b5b5b5}\n"
    "rect.nc{fill:#e2e2e2}\n"
    "table{border-collapse:collapse}\n"
    "th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;\n"
    "vertical-align:top}\n"
    "thead th{background:var(--bg2);position:sticky;top:0}\n"
    "th button{font:inherit;font-weight:bold;border:0;background:none;\n"
    "cursor:pointer;padding:0;color:inherit}\n"
    "th[aria-sort=ascending] button::after{content:\" \\25B2\"}\n"
    "th[aria-sort=descending] button::after{content:\" \\25BC\"}\n"
    "td.n{text-align:right}\n"
    ".good{color:var(--good)}\n"
    ".bad{color:var(--bad);font-weight:bold}\n"
    ".warn{color:var(--warn)}\n"
    ".info{color:var(--info)}\n"
    ".na{color:var(--na)}\n"
    ".controls{margin:8px 0;display:flex;gap:12px;align-items:center}\n"
    ".controls input{font:inherit;padding:4px 6px;width:28em}\n"
    ".ctl{color:#fff;background:#7b1fa2;border-radius:2px;padding:0 2px;\n"
    "font:90% ui-monospace,monospace}\n"
    ".more{color:var(--na);font-style:italic}\n"
    ".txt{font-family:ui-monospace,monospace;white-space:pre-wrap;\n"
    "word-break:break-all}\n"
    "details.dom{border:1px solid var(--line);border-radius:4px;margin:4px 0}\n"
    "details.dom>summary{cursor:pointer;padding:4px 8px;\n"
    "background:var(--bg2)}\n"
    "details.dom>div{padding:4px 12px 12px}\n"
    "details.dom:target>summary{outline:2px solid var(--info)}\n"
    "dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 12px;\n"
    "margin:4px 0}\n"
    "dl.kv dt{font-weight:bold;color:#444}\n"
    "dl.kv dd{margin:0}\n"
    ".mx{border-left:3px solid var(--line);padding-left:8px;margin:8px 0}\n"
    ".addr{border-top:1px dashed var(--line);margin-top:6px;padding-top:4px}\n"
    "footer{color:var(--na);font-size:12px;margin:24px auto}\n";
static const char report_html_js[] =
    "(function () {\n"
    "\t'use strict';\n"
    "\tvar root = document.documentElement;\n"
    "\tvar block = document.getElementById('report-data');\n"
    "\tvar tbody = document.getElementById('dom-rows');\n"
    "\tvar data;\n"
    "\tif (!block || !tbody)\n"
    "\t\treturn;\n"
    "\ttry {\n"
    "\t\tdata = JSON.parse(block.textContent);\n"
    "\t} catch (e) {\n"
    "\t\troot.setAttribute('data-error', 'data');\n"
    "\t\treturn;\n"
    "\t}\n"
    "\tvar cols = data.columns, rows = data.rows;\n"
    "\tvar trs = Array.prototype.slice.call(tbody.rows);\n"
    "\tif (trs.length !== rows.length) {\n"
    "\t\troot.setAttribute('data-error', 'rows');\n"
    "\t\treturn;\n"
    "\t}\n"
    "\tvar heads = Array.prototype.slice.call(\n"
    "\t    document.querySelectorAll('#dom-table thead th'));\n"
    "\tvar input = document.getElementById('filter');\n"
    "\tvar shown = document.getElementById('shown');\n"
    "\tvar state = { filter: '', sort: -1, desc: false };\n"
    "\tvar text = rows.map(function (r) {\n"
    "\t\treturn r.map(function (v, c) {\n"
    "\t\t\tvar l = cols[c].labels;\n"
    "\t\t\treturn String(l ? l[v] : v).toLowerCase();\n"
    "\t\t});\n"
    "\t});\n"
    "\n"
    "\tfunction colIndex(k) {\n"
    "\t\tfor (var c = 0; c < cols.length; c++)\n"
    "\t\t\tif (cols[c].key === k)\n"
    "\t\t\t\treturn c;\n"
    "\t\treturn -1;\n"
    "\t}\n"
    "\n"
    "\tfunction terms(s) {\n"
    "\t\treturn s.toLowerCase().split(/\\s+/).filter(Boolean).map(\n"
    "\t\t    function (t) {\n"
    "\t\t\tvar neg = t.charAt(0) === '-' && t.length > 1;\n"
    "\t\t\tif (neg)\n"
    "\t\t\t\tt = t.slice(1);\n"
    "\t\t\tvar i = t.indexOf(':'), c = -1;\n"
    "\t\t\tif (i > 0 && (c = colIndex(t.slice(0, i))) >= 0)\n"
    "\t\t\t\tt = t.slice(i + 1);\n"
    "\t\t\treturn { neg: neg, col: c, word: t };\n"
    "\t\t});\n"
    "\t}\n"
    "\n"
    "\tfunction match(i, ts) {\n"
    "\t\tvar cells = text[i];\n"
    "\t\tfor (var k = 0; k < ts.length; k++) {\n"
    "\t\t\tvar t = ts[k], hit = false;\n"
    "\t\t\tif (t.col >= 0)\n"
    "\t\t\t\thit = cells[t.col].indexOf(t.word) >= 0;\n"
    "\t\t\telse\n"
    "\t\t\t\tfor (var c = 0; c < cells.length && !hit; c++)\n"
    "\t\t\t\t\thit = cells[c].indexOf(t.word) >= 0;\n"
    "\t\t\tif (hit === t.neg)\n"
    "\t\t\t\treturn false;\n"
    "\t\t}\n"
    "\t\treturn true;\n"
    "\t}\n"
    "\n"
    "\tfunction render() {\n"
    "\t\tvar ts = terms(state.filter), idx = [], i;\n"
    "\t\tfor (i = 0; i < rows.length; i++)\n"
    "\t\t\tif (match(i, ts))\n"
    "\t\t\t\tidx.push(i);\n"
    "\t\tif (state.sort >= 0) {\n"
    "\t\t\tvar c = state.sort, d = state.desc ? -1 : 1;\n"
    "\t\t\tidx.sort(function (a, b) {\n"
    "\t\t\t\tvar x = rows[a][c], y = rows[b][c];\n"
    "\t\t\t\tif (x < y)\n"
    "\t\t\t\t\treturn -d;\n"
    "\t\t\t\tif (x > y)\n"
    "\t\t\t\t\treturn d;\n"
    "\t\t\t\treturn a - b;\n"
    "\t\t\t});\n"
    "\t\t}\n"
    "\t\tvar frag = document.createDocumentFragment();\n"
    "\t\tfor (i = 0; i < idx.length; i++)\n"
    "\t\t\tfrag.appendChild(trs[idx[i]]);\n"
    "\t\twhile (tbody.firstChild)\n"
    "\t\t\ttbody.removeChild(tbody.firstChild);\n"
    "\t\ttbody.appendChild(frag);\n"
    "\t\theads.forEach(function (th, c) {\n"
    "\t\t\tif (c === state.sort)\n"
    "\t\t\t\tth.setAttribute('aria-sort',\n"
    "\t\t\t\t    state.desc ? 'descending' : 'ascending');\n"
    "\t\t\telse\n"
    "\t\t\t\tth.removeAttribute('aria-sort');\n"
    "\t\t});\n"
    "\t\tshown.textContent = idx.length + ' of ' + rows.length +\n"
    "\t\t    ' domains shown';\n"
    "\t\troot.setAttribute('data-shown', String(idx.length));\n"
    "\t}\n"
    "\n"
    "\tfunction readHash() {\n"
    "\t\tvar h = location.hash.replace(/^#/, '');\n"
    "\t\tif (h.indexOf('=') < 0)\n"
    "\t\t\treturn false;\n"
    "\t\tstate = { filter: '', sort: -1, desc: false };\n"
    "\t\th.split('&').forEach(function (kv) {\n"
    "\t\t\tvar i = kv.indexOf('='), k, v;\n"
    "\t\t\tif (i < 0)\n"
    "\t\t\t\treturn;\n"
    "\t\t\tk = kv.slice(0, i);\n"
    "\t\t\ttry {\n"
    "\t\t\t\tv = decodeURIComponent(kv.slice(i + 1).replace(/\\+/g,\n"
    "\t\t\t\t    ' '));\n"
    "\t\t\t} catch (e) {\n"
    "\t\t\t\treturn;\n"
    "\t\t\t}\n"
    "\t\t\tif (k === 'filter')\n"
    "\t\t\t\tstate.filter = v;\n"
    "\t\t\telse if (k === 'sort')\n"
    "\t\t\t\tstate.sort = colIndex(v);\n"
    "\t\t\telse if (k === 'dir')\n"
    "\t\t\t\tstate.desc = v === 'desc';\n"
    "\t\t});\n"
    "\t\tinput.value = state.filter;\n"
    "\t\treturn true;\n"
    "\t}\n"
    "\n"
    "\tfunction writeHash() {\n"
    "\t\tvar p = [];\n"
    "\t\tif (state.filter)\n"
    "\t\t\tp.push('filter=' + encodeURIComponent(state.filter));\n"
    "\t\tif (state.sort >= 0)\n"
    "\t\t\tp.push('sort=' + cols[state.sort].key, 'dir=' +\n"
    "\t\t\t    (state.desc ? 'desc' : 'asc'));\n"
    "\t\ttry {\n"
    "\t\t\thistory.replaceState(null, '', p.length ? '#' + p.join('&') :\n"
    "\t\t\t    location.pathname + location.search);\n"
    "\t\t} catch (e) {\n"
    "\t\t}\n"
    "\t}\n"
    "\n"
    "\tfunction openTarget() {\n"
    "\t\tvar m = /^#(d-[0-9]+)$/.exec(location.hash), el;\n"
    "\t\tif (m && (el = document.getElementById(m[1])) &&\n"
    "\t\t    el.tagName === 'DETAILS')\n"
    "\t\t\tel.open = true;\n"
    "\t}\n"
    "\n"
    "\theads.forEach(function (th, c) {\n"
    "\t\tvar b = th.querySelector('button');\n"
    "\t\tif (!b)\n"
    "\t\t\treturn;\n"
    "\t\tb.addEventListener('click', function () {\n"
    "\t\t\tif (state.sort === c)\n"
    "\t\t\t\tstate.desc = !state.desc;\n"
    "\t\t\telse {\n"
    "\t\t\t\tstate.sort = c;\n"
    "\t\t\t\tstate.desc = !!cols[c].desc;\n"
    "\t\t\t}\n"
    "\t\t\trender();\n"
    "\t\t\twriteHash();\n"
    "\t\t});\n"
    "\t});\n"
    "\tvar timer = 0;\n"
    "\tinput.addEventListener('input', function () {\n"
    "\t\tclearTimeout(timer);\n"
    "\t\ttimer = setTimeout(function () {\n"
    "\t\t\tstate.filter = input.value;\n"
    "\t\t\trender();\n"
    "\t\t\twriteHash();\n"
    "\t\t}, rows.length > 2000 ? 250 : 0);\n"
    "\t});\n"
    "\twindow.addEventListener('hashchange', function () {\n"
    "\t\tif (readHash())\n"
    "\t\t\trender();\n"
    "\t\topenTarget();\n"
    "\t});\n"
    "\tdocument.getElementById('controls').hidden = false;\n"
    "\treadHash();\n"
    "\trender();\n"
    "\topenTarget();\n"
    "\t/* the page has exactly two scripts (the data and this one) and no\n"
    "\t * element that loads anything: else something was injected */\n"
    "\tif (document.scripts.length === 2 && !document.querySelector(\n"
    "\t    'img,iframe,frame,object,embed,link,base,form,' +\n"
    "\t    'meta[http-equiv=refresh]')) {\n"
    "\t\tdocument.title = 'mxaudit report: ' + rows.length + ' domains';\n"
    "\t\troot.setAttribute('data-ready', '1');\n"
    "\t} else {\n"
    "\t\troot.setAttribute('data-tampered', '1');\n"
    "\t}\n"
    "}());\n";
/*
 * Escaping
 */

/* report_html_invisible - a code point a person would not see (controls,
 * bidi and other format characters, line and paragraph separators) */
static bool
report_html_invisible(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xad ||
	    cp == 0x34f || cp == 0x61c || cp == 0x115f || cp == 0x1160 ||
	    cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
	    cp == 0x3164 || cp == 0xfeff || cp == 0xffa0 ||
	    (cp >= 0xfff9 && cp <= 0xfffb) ||
	    (cp >= 0x1d173 && cp <= 0x1d17a) ||
	    (cp >= 0xe0000 && cp <= 0xe0fff);
}

/* report_html_mark - a visible mark for an invisible character or an
 * invalid byte (bad: the byte value, not a code point) */
static void
report_html_mark(FILE *out, uint32_t v, bool bad, int attr)
{
	if (!attr)
		fputs("<span class=\"ctl\">", out);
	if (v == '\n')
		fputs("\\n", out);
	else if (v == '\r')
		fputs("\\r", out);
	else if (v == '\t')
		fputs("\\t", out);
	else if (bad || v < 0x20 || v == 0x7f)
		fprintf(out, "\\x%02X", (unsigned)v);
	else
		fprintf(out, "U+%04X", (unsigned)v);
	if (!attr) {
		fputs("</span>", out);
		if (v == '\n' && !bad)
			fputs("<br>", out);
	}
}

void
report_html_escape(FILE *out, const char *p, size_t len, int attr)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, n, bad, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			cp = s[i];
			n = 1;
		} else if ((n = utf8_decode(s + i, len - i, &cp, &bad)) == 0) {
			for (k = 0; k < bad; k++)
				report_html_mark(out, s[i + k], true, attr);
			i += bad;
			continue;
		}
		i += n;
		if (report_html_invisible(cp)) {
			report_html_mark(out, cp, false, attr);
			continue;
		}
		switch (cp) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if (cp < 0x80)
				fputc((int)cp, out);
			else
				fprintf(out, "&#x%X;", (unsigned)cp);
		}
	}
}

/* report_html_esc - a C string as HTML text */
static void
report_html_esc(FILE *out, const char *s)
{
	report_html_escape(out, s, strlen(s), 0);
}

/* report_html_cut - where to cut (p, len) at most cap bytes long without
 * splitting a UTF-8 sequence */
static size_t
report_html_cut(const char *p, size_t len, size_t cap)
{
	size_t cut;

	if (len <= cap)
		return len;
	cut = cap;
	while (
	    cut > 0 && cap - cut < 4 && ((unsigned char)p[cut] & 0xc0) == 0x80)
		cut--;
	return cut;
}

/* report_html_escape_capped - at most cap bytes of (p, len) as HTML text,
 * then how many bytes were left out */
static void
report_html_escape_capped(FILE *out, const char *p, size_t len, size_t cap)
{
	size_t cut = report_html_cut(p, len, cap);

	report_html_escape(out, p, cut, 0);
	if (cut < len)
		fprintf(out,
		    "<span class=\"more\"> &#8230; %zu more bytes</span>",
		    len - cut);
}

void
report_html_json_string(FILE *out, const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, n, bad, k;
	uint32_t cp;

	fputc('"', out);
	while (i < len) {
		if (s[i] < 0x80) {
			cp = s[i];
			n = 1;
		} else if ((n = utf8_decode(s + i, len - i, &cp, &bad)) == 0) {
			/* the same \xNN text as the HTML shows */
			for (k = 0; k < bad; k++)
				fprintf(out, "\\\\x%02X", s[i + k]);
			i += bad;
			continue;
		}
		i += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			fprintf(out, "\\u%04X\\u%04X",
			    0xd800 + (unsigned)(cp >> 10),
			    0xdc00 + (unsigned)(cp & 0x3ff));
		} else if (cp >= 0x7f || cp < 0x20 || cp == '"' || cp == '\\' ||
		    cp == '<' || cp == '>' || cp == '&' || cp == '\'') {
			fprintf(out, "\\u%04X", (unsigned)cp);
		} else {
			fputc((int)cp, out);
		}
	}
	fputc('"', out);
}

/*
 * Reading the document: every accessor checks the type, so a document that
 * does not follow the schema shows what it has and nothing breaks.
 */

/* report_html_str - o[key] as (string, length), or NULL */
static const char *
report_html_str(const json_t *o, const char *key, size_t *len)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

/* report_html_streq - o[key] is the string s */
static bool
report_html_streq(const json_t *o, const char *key, const char *s)
{
	size_t len;
	const char *v = report_html_str(o, key, &len);

	return v != NULL && len == strlen(s) && memcmp(v, s, len) == 0;
}

/* report_html_true - o[key] is true */
static bool
report_html_true(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/*
 * Writing values
 */

/* report_html_val - any JSON value for a person: strings escaped and
 * capped, lists joined (capped), null and missing as a dash */
static void
report_html_val(FILE *out, const json_t *v, size_t cap)
{
	size_t i, n;

	if (v == NULL || json_is_null(v)) {
		fputs("<span class=\"na\">&#8212;</span>", out);
	} else if (json_is_true(v)) {
		fputs("yes", out);
	} else if (json_is_false(v)) {
		fputs("no", out);
	} else if (json_is_integer(v)) {
		fprintf(out, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		fprintf(out, "%.1f", json_real_value(v));
	} else if (json_is_string(v)) {
		report_html_escape_capped(
		    out, json_string_value(v), json_string_length(v), cap);
	} else if (json_is_array(v)) {
		n = json_array_size(v);
		if (n == 0)
			fputs("<span class=\"na\">(none)</span>", out);
		for (i = 0; i < n && i < REPORT_HTML_LIST_MAX; i++) {
			if (i > 0)
				fputs(", ", out);
			report_html_val(out, json_array_get(v, i), cap);
		}
		if (n > REPORT_HTML_LIST_MAX)
			fprintf(out,
			    "<span class=\"more\"> &#8230; %zu more</span>",
			    n - REPORT_HTML_LIST_MAX);
	} else {
		fputs("<span class=\"na\">(object)</span>", out);
	}
}

/* report_html_kv - a <dt>/<dd> pair of o[key] (label is ours) */
static void
report_html_kv(FILE *out, const char *label, const json_t *o, const char *key)
{
	fprintf(out, "<dt>%s</dt><dd>", label);
	report_html_val(out, json_object_get(o, key), REPORT_HTML_STR_MAX);
	fputs("</dd>", out);
}

/* report_html_kv_code - the same in monospace, for records and banners */
static void
report_html_kv_code(
    FILE *out, const char *label, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	fprintf(out, "<dt>%s</dt><dd>", label);
	if (json_is_string(v))
		fputs("<span class=\"txt\">", out);
	report_html_val(out, v, REPORT_HTML_RECORD_MAX);
	if (json_is_string(v))
		fputs("</span>", out);
	fputs("</dd>", out);
}

/* report_html_badge - a label of a column, with its class */
static void
report_html_badge(FILE *out, enum report_html_col col, unsigned label)
{
	fprintf(out, "<span class=\"%s\">%s</span>",
	    report_html_cols[col].classes[label],
	    report_html_cols[col].labels[label]);
}

/* report_html_time - t as RFC 3339 UTC */
static void
report_html_time(FILE *out, time_t t)
{
	struct tm tm;
	char s[64];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		fprintf(out, "%lld", (long long)t);
	else
		fputs(s, out);
}

/* report_html_pct - n of total as a percentage with one decimal */
static void
report_html_pct(FILE *out, size_t n, size_t total)
{
	unsigned long long permille;

	if (total == 0) {
		fputs("&#8212;", out);
		return;
	}
	permille = ((unsigned long long)n * 1000 + total / 2) / total;
	fprintf(out, "%llu.%llu%%", permille / 10, permille % 10);
}

/*
 * One domain: its row
 */

static unsigned
report_html_sev(const char *s, size_t len)
{
	static const char *const names[REPORT_HTML_SEV_MAX] = {
		[REPORT_HTML_SEV_NONE] = "none",
		[REPORT_HTML_SEV_INFO] = "info",
		[REPORT_HTML_SEV_WARNING] = "warning",
		[REPORT_HTML_SEV_ERROR] = "error",
	};
	unsigned i;

	for (i = 1; s != NULL && i < REPORT_HTML_SEV_MAX; i++)
		if (len == strlen(names[i]) && memcmp(s, names[i], len) == 0)
			return i;
	return REPORT_HTML_SEV_UNKNOWN;
}

static unsigned
report_html_starttls(const json_t *doc)
{
	const json_t *mx = json_object_get(doc, "mx"), *m, *a;
	size_t i, j, tls = 0, greeted = 0;

	if (json_is_false(json_object_get(doc, "accepts_mail")))
		return REPORT_HTML_STARTTLS_NA;
	if (report_html_true(json_object_get(doc, "summary"), "starttls_all"))
		return REPORT_HTML_STARTTLS_YES;
	json_array_foreach(mx, i, m)
	{
		json_array_foreach(json_object_get(m, "addresses"), j, a)
		{
			const json_t *smtp = json_object_get(a, "smtp");
			const json_t *code =
			    json_object_get(smtp, "banner_code");

			if (json_is_integer(code) &&
			    json_integer_value(code) == 220)
				greeted++;
			if (report_html_true(
			        json_object_get(a, "tls"), "handshake"))
				tls++;
		}
	}
	if (tls > 0)
		return REPORT_HTML_STARTTLS_PARTIAL;
	if (greeted == 0)
		return REPORT_HTML_STARTTLS_UNREACHABLE;
	return REPORT_HTML_STARTTLS_NO;
}

static unsigned
report_html_dmarc(const json_t *d)
{
	if (!json_is_object(d))
		return REPORT_HTML_DMARC_UNCHECKED;
	if (report_html_true(d, "valid")) {
		if (report_html_streq(d, "policy", "reject"))
			return REPORT_HTML_DMARC_REJECT;
		if (report_html_streq(d, "policy", "quarantine"))
			return REPORT_HTML_DMARC_QUARANTINE;
		if (report_html_streq(d, "policy", "none"))
			return REPORT_HTML_DMARC_NONE;
		return REPORT_HTML_DMARC_INVALID;
	}
	if (report_html_streq(d, "status", "none"))
		return REPORT_HTML_DMARC_MISSING;
	if (report_html_streq(d, "status", "tempfail") ||
	    report_html_streq(d, "status", "error") ||
	    report_html_streq(d, "status", "pending"))
		return REPORT_HTML_DMARC_DNS;
	return REPORT_HTML_DMARC_INVALID;
}

static unsigned
report_html_spf(const json_t *s)
{
	if (!json_is_object(s))
		return REPORT_HTML_SPF_UNCHECKED;
	if (report_html_true(s, "valid"))
		return REPORT_HTML_SPF_VALID;
	if (report_html_streq(s, "status", "none"))
		return REPORT_HTML_SPF_MISSING;
	if (report_html_streq(s, "status", "temperror"))
		return REPORT_HTML_SPF_DNS;
	return REPORT_HTML_SPF_INVALID;
}

static unsigned
report_html_sts(const json_t *s)
{
	const json_t *txt;

	if (!json_is_object(s))
		return REPORT_HTML_STS_UNCHECKED;
	if (report_html_true(s, "valid")) {
		if (report_html_streq(s, "mode", "enforce"))
			return REPORT_HTML_STS_ENFORCE;
		if (report_html_streq(s, "mode", "testing"))
			return REPORT_HTML_STS_TESTING;
		if (report_html_streq(s, "mode", "none"))
			return REPORT_HTML_STS_NONE;
		return REPORT_HTML_STS_ERROR;
	}
	txt = json_object_get(s, "txt");
	if ((txt == NULL || json_is_null(txt)) &&
	    (json_is_null(json_object_get(s, "error")) ||
	        report_html_streq(s, "error", "policy-without-record")))
		return REPORT_HTML_STS_MISSING;
	return REPORT_HTML_STS_ERROR;
}

static unsigned
report_html_dane(const json_t *doc)
{
	const json_t *mx = json_object_get(doc, "mx"), *m;
	size_t i, n = 0, valid = 0, notlsa = 0, dns = 0, mismatch = 0,
	          bogus = 0;

	json_array_foreach(mx, i, m)
	{
		const json_t *dane = json_object_get(m, "dane");

		n++;
		if (report_html_streq(dane, "status", "valid"))
			valid++;
		else if (report_html_streq(dane, "status", "none"))
			notlsa++;
		else if (report_html_streq(dane, "status", "mismatch"))
			mismatch++;
		else if (report_html_streq(dane, "status", "bogus"))
			bogus++;
		else if (!report_html_streq(dane, "status", "insecure"))
			dns++;
	}
	if (n == 0)
		return REPORT_HTML_DANE_NA;
	if (bogus > 0)
		return REPORT_HTML_DANE_BOGUS;
	if (mismatch > 0)
		return REPORT_HTML_DANE_MISMATCH;
	if (dns > 0)
		return REPORT_HTML_DANE_DNS;
	if (valid == n)
		return REPORT_HTML_DANE_VALID;
	if (valid > 0)
		return REPORT_HTML_DANE_PARTIAL;
	if (notlsa > 0)
		return REPORT_HTML_DANE_NOTLSA;
	return REPORT_HTML_DANE_INSECURE;
}

static unsigned
report_html_bod(const json_t *side)
{
	const json_t *c = json_object_get(side, "compliant");

	if (!json_is_object(side))
		return REPORT_HTML_BOD_UNCHECKED;
	if (json_is_true(c))
		return REPORT_HTML_BOD_PASS;
	if (json_is_false(c))
		return REPORT_HTML_BOD_FAIL;
	return REPORT_HTML_BOD_UNSCORED;
}

/* report_html_count - one finding into the (id, severity) counts */
static void
report_html_count(struct report_html *h, const json_t *f, unsigned sev)
{
	struct report_html_agg *agg;
	struct buf key;
	const char *id;
	size_t len = 0;

	id = report_html_str(f, "id", &len);
	if (id == NULL) {
		id = "";
		len = 0;
	}
	buf_init(&key, REPORT_HTML_ID_MAX + 8);
	/* a NUL in the id ends the key: such ids merge, nothing worse */
	if (buf_printf(&key, "%u", sev) != 0 ||
	    buf_append(
	        &key, id, report_html_cut(id, len, REPORT_HTML_ID_MAX)) != 0)
		log_fatalx("html: finding id key");
	agg = strmap_get(&h->ids, buf_str(&key));
	if (agg == NULL) {
		if (h->naggs >= REPORT_HTML_IDS_MAX) {
			h->other_findings++;
			buf_release(&key);
			return;
		}
		agg = xcalloc(1, sizeof(*agg));
		agg->key = buf_detach(&key);
		h->aggs =
		    xreallocarray(h->aggs, h->naggs + 1, sizeof(*h->aggs));
		h->aggs[h->naggs++] = agg;
		strmap_put(&h->ids, agg->key, agg);
	}
	buf_release(&key);
	agg->findings++;
	if (agg->last != h->nrows + 1) {
		agg->last = h->nrows + 1;
		agg->domains++;
	}
}

/* report_html_row - the row of doc, and its counts */
static void
report_html_row(struct report_html *h, const json_t *doc, const char *domain,
    size_t domain_len)
{
	struct report_html_row *r;
	const json_t *findings = json_object_get(doc, "findings"), *f;
	const json_t *bod = json_object_get(doc, "bod1801");
	const char *s;
	size_t i, len = 0;
	unsigned sev, c;

	if (h->nrows == h->rows_alloc) {
		h->rows_alloc = h->rows_alloc ? h->rows_alloc * 2 : 256;
		h->rows =
		    xreallocarray(h->rows, h->rows_alloc, sizeof(*h->rows));
	}
	r = &h->rows[h->nrows];
	memset(r, 0, sizeof(*r));
	r->domain_len =
	    report_html_cut(domain, domain_len, REPORT_HTML_DOMAIN_MAX);
	r->domain = xmemdup0(domain, r->domain_len);

	json_array_foreach(findings, i, f)
	{
		s = report_html_str(f, "severity", &len);
		sev = report_html_sev(s, len);
		if (sev == REPORT_HTML_SEV_ERROR && r->errors < UINT32_MAX)
			r->errors++;
		if (sev == REPORT_HTML_SEV_WARNING && r->warnings < UINT32_MAX)
			r->warnings++;
		h->findings[sev]++;
		report_html_count(h, f, sev);
	}
	s = report_html_str(json_object_get(doc, "summary"), "worst", &len);
	r->label[REPORT_HTML_COL_WORST] =
	    (unsigned char)report_html_sev(s, len);
	r->label[REPORT_HTML_COL_STARTTLS] =
	    (unsigned char)report_html_starttls(doc);
	r->label[REPORT_HTML_COL_DMARC] =
	    (unsigned char)report_html_dmarc(json_object_get(doc, "dmarc"));
	r->label[REPORT_HTML_COL_SPF] =
	    (unsigned char)report_html_spf(json_object_get(doc, "spf"));
	r->label[REPORT_HTML_COL_MTASTS] =
	    (unsigned char)report_html_sts(json_object_get(doc, "mta_sts"));
	r->label[REPORT_HTML_COL_DANE] = (unsigned char)report_html_dane(doc);
	r->label[REPORT_HTML_COL_BODMAIL] =
	    (unsigned char)report_html_bod(json_object_get(bod, "mail"));
	r->label[REPORT_HTML_COL_BODWEB] =
	    (unsigned char)report_html_bod(json_object_get(bod, "web"));

	for (c = 0; c < REPORT_HTML_COL_MAX; c++)
		if (report_html_cols[c].labels[0] != NULL)
			h->counts[c][r->label[c]]++;
	h->worst[r->label[REPORT_HTML_COL_WORST]]++;
	h->bod_mail[r->label[REPORT_HTML_COL_BODMAIL]]++;
	h->bod_web[r->label[REPORT_HTML_COL_BODWEB]]++;
	if (report_html_streq(doc, "status", "error"))
		h->scan_errors++;
	if (report_html_true(doc, "timed_out"))
		h->timed_out++;
	if (json_is_false(json_object_get(doc, "accepts_mail")))
		h->no_mail++;
	h->nrows++;
}

/*
 * One domain: its detail, written at once
 */

static void
report_html_detail_findings(FILE *out, const json_t *doc)
{
	const json_t *findings = json_object_get(doc, "findings"), *f;
	size_t i, n = json_array_size(findings), len = 0;
	const char *s;
	unsigned sev;

	fprintf(out, "<h4>Findings (%zu)</h4>", n);
	if (n == 0)
		return;
	fputs("<table><thead><tr><th>Severity</th><th>Id</th><th>MX</th>"
	      "<th>Address</th><th>Message</th></tr></thead><tbody>\n",
	    out);
	json_array_foreach(findings, i, f)
	{
		if (i >= REPORT_HTML_FINDINGS_MAX)
			break;
		s = report_html_str(f, "severity", &len);
		sev = report_html_sev(s, len);
		fputs("<tr><td>", out);
		if (sev == REPORT_HTML_SEV_UNKNOWN)
			report_html_val(
			    out, json_object_get(f, "severity"), 32);
		else
			report_html_badge(out, REPORT_HTML_COL_WORST, sev);
		fputs("</td><td>", out);
		report_html_val(
		    out, json_object_get(f, "id"), REPORT_HTML_ID_MAX);
		fputs("</td><td>", out);
		report_html_val(out, json_object_get(f, "mx"), 256);
		fputs("</td><td>", out);
		report_html_val(out, json_object_get(f, "ip"), 64);
		fputs("</td><td>", out);
		report_html_val(
		    out, json_object_get(f, "message"), REPORT_HTML_STR_MAX);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>", out);
	if (n > REPORT_HTML_FINDINGS_MAX)
		fprintf(out,
		    "<p class=\"more\">%zu more findings not shown</p>",
		    n - REPORT_HTML_FINDINGS_MAX);
}

/* report_html_flags - the keys of o whose value is true ("none" when no
 * key is, "unknown" when every value is null) */
static void
report_html_flags(FILE *out, const json_t *o)
{
	const char *key;
	const json_t *v;
	bool any = false, known = false;
	size_t n = 0;

	json_object_foreach((json_t *)o, key, v)
	{
		if (n++ >= REPORT_HTML_LIST_MAX)
			break;
		if (!json_is_null(v))
			known = true;
		if (!json_is_true(v))
			continue;
		if (any)
			fputs(", ", out);
		report_html_esc(out, key);
		any = true;
	}
	if (!any)
		fputs(
		    known ? "none" : "<span class=\"na\">unknown</span>", out);
}

static void
report_html_detail_cert(FILE *out, const json_t *cert)
{
	if (!json_is_object(cert)) {
		fputs("<dt>Certificate</dt><dd><span class=\"bad\">none</span>"
		      "</dd>",
		    out);
		return;
	}
	report_html_kv(out, "Subject", cert, "subject");
	report_html_kv(out, "Issuer", cert, "issuer");
	report_html_kv(out, "SAN", cert, "san");
	report_html_kv(out, "Not after", cert, "not_after");
	report_html_kv(out, "Days left", cert, "days_left");
	report_html_kv(out, "Trusted", cert, "trusted");
	report_html_kv(out, "Verify error", cert, "verify_error");
	report_html_kv(out, "Name match", cert, "name_match");
	fputs("<dt>Key</dt><dd>", out);
	report_html_val(out, json_object_get(cert, "key_type"), 64);
	fputc(' ', out);
	report_html_val(out, json_object_get(cert, "key_bits"), 64);
	fputs(" bits, ", out);
	report_html_val(out, json_object_get(cert, "signature_algorithm"), 128);
	fputs("</dd>", out);
	report_html_kv(out, "Self-signed", cert, "self_signed");
}

static void
report_html_detail_tls(FILE *out, const json_t *tls)
{
	if (!json_is_object(tls)) {
		fputs("<dt>TLS</dt><dd><span class=\"na\">not attempted</span>"
		      "</dd>",
		    out);
		return;
	}
	fputs("<dt>TLS</dt><dd>", out);
	if (report_html_true(tls, "handshake")) {
		report_html_val(out, json_object_get(tls, "version"), 64);
		fputc(' ', out);
		report_html_val(out, json_object_get(tls, "cipher"), 128);
		fputs(" (", out);
		report_html_val(out, json_object_get(tls, "cipher_bits"), 16);
		fputs(" bits), ", out);
		report_html_val(out, json_object_get(tls, "group"), 64);
	} else {
		fputs("<span class=\"bad\">handshake failed</span>: ", out);
		report_html_val(
		    out, json_object_get(tls, "error"), REPORT_HTML_STR_MAX);
	}
	fputs("</dd><dt>Protocols accepted</dt><dd>", out);
	report_html_flags(out, json_object_get(tls, "protocols"));
	fputs("</dd><dt>Weak ciphers accepted</dt><dd>", out);
	report_html_flags(out, json_object_get(tls, "weak_ciphers"));
	fputs("</dd>", out);
	report_html_kv(out, "Forward secrecy", tls, "forward_secrecy");
	report_html_detail_cert(out, json_object_get(tls, "cert"));
}

static void
report_html_detail_address(FILE *out, const json_t *a)
{
	const json_t *smtp = json_object_get(a, "smtp");
	const json_t *result = json_object_get(a, "result");

	fputs("<dl class=\"kv addr\"><dt>Address</dt><dd>", out);
	report_html_val(out, json_object_get(a, "ip"), 64);
	fputs(" port ", out);
	report_html_val(out, json_object_get(a, "port"), 16);
	fputs("</dd><dt>Connected</dt><dd>", out);
	report_html_val(
	    out, json_object_get(json_object_get(a, "connect"), "ok"), 16);
	fputs("</dd><dt>Result</dt><dd>", out);
	report_html_val(out, json_object_get(result, "stage"), 32);
	if (!json_is_null(json_object_get(result, "failure"))) {
		fputs(": ", out);
		report_html_val(out, json_object_get(result, "failure"), 32);
		fputs(" ", out);
		report_html_val(out, json_object_get(result, "detail"),
		    REPORT_HTML_STR_MAX);
	}
	fputs("</dd>", out);
	if (json_is_object(smtp)) {
		fputs("<dt>Banner</dt><dd>", out);
		report_html_val(out, json_object_get(smtp, "banner_code"), 16);
		fputs(" <span class=\"txt\">", out);
		report_html_val(out, json_object_get(smtp, "banner"),
		    REPORT_HTML_RECORD_MAX);
		fputs("</span></dd>", out);
		report_html_kv(out, "STARTTLS offered", smtp, "starttls");
		if (report_html_true(smtp, "starttls_mangled"))
			report_html_kv(
			    out, "Mangled keyword", smtp, "mangled_token");
		if (!json_is_null(json_object_get(smtp, "starttls_code"))) {
			fputs("<dt>STARTTLS reply</dt><dd>", out);
			report_html_val(
			    out, json_object_get(smtp, "starttls_code"), 16);
			fputc(' ', out);
			report_html_val(out,
			    json_object_get(smtp, "starttls_reply"),
			    REPORT_HTML_STR_MAX);
			fputs("</dd>", out);
		}
		report_html_kv(out, "Capabilities", smtp, "capabilities");
	}
	report_html_detail_tls(out, json_object_get(a, "tls"));
	fputs("</dl>\n", out);
}

static void
report_html_detail_mx(FILE *out, const json_t *doc)
{
	const json_t *mx = json_object_get(doc, "mx"), *m, *a, *dane;
	size_t i, j, n = json_array_size(mx), na;

	fprintf(out, "<h4>Mail exchangers (%zu)</h4>", n);
	json_array_foreach(mx, i, m)
	{
		if (i >= REPORT_HTML_MX_MAX) {
			fprintf(out,
			    "<p class=\"more\">%zu more MX hosts not shown"
			    "</p>",
			    n - REPORT_HTML_MX_MAX);
			break;
		}
		dane = json_object_get(m, "dane");
		fputs("<div class=\"mx\"><dl class=\"kv\"><dt>Host</dt><dd>",
		    out);
		report_html_val(out, json_object_get(m, "host"), 256);
		fputs(" (preference ", out);
		report_html_val(out, json_object_get(m, "preference"), 16);
		fputs(")</dd>", out);
		if (!json_is_null(json_object_get(m, "cname")) &&
		    json_object_get(m, "cname") != NULL)
			report_html_kv(out, "CNAME", m, "cname");
		report_html_kv(out, "DANE", dane, "status");
		if (json_array_size(json_object_get(dane, "tlsa")) > 0)
			report_html_kv_code(out, "TLSA", dane, "tlsa");
		if (!json_is_null(json_object_get(dane, "detail")) &&
		    json_object_get(dane, "detail") != NULL)
			report_html_kv(out, "DANE detail", dane, "detail");
		fputs("</dl>", out);
		na = json_array_size(json_object_get(m, "addresses"));
		json_array_foreach(json_object_get(m, "addresses"), j, a)
		{
			if (j >= REPORT_HTML_ADDR_MAX) {
				fprintf(out,
				    "<p class=\"more\">%zu more addresses "
				    "not shown</p>",
				    na - REPORT_HTML_ADDR_MAX);
				break;
			}
			report_html_detail_address(out, a);
		}
		fputs("</div>\n", out);
	}
}

static void
report_html_detail_records(FILE *out, const json_t *doc)
{
	const json_t *spf = json_object_get(doc, "spf");
	const json_t *dmarc = json_object_get(doc, "dmarc");
	const json_t *sts = json_object_get(doc, "mta_sts");
	const json_t *rpt = json_object_get(doc, "tls_rpt");

	fputs("<h4>Records</h4><dl class=\"kv\">", out);
	if (json_is_object(spf)) {
		report_html_kv_code(out, "SPF", spf, "record");
		fputs("<dt>SPF status</dt><dd>", out);
		report_html_val(out, json_object_get(spf, "status"), 32);
		fputs(", valid ", out);
		report_html_val(out, json_object_get(spf, "valid"), 8);
		fputs(", ", out);
		report_html_val(out, json_object_get(spf, "lookups"), 16);
		fputs(" lookups, all ", out);
		report_html_val(out, json_object_get(spf, "result_all"), 8);
		fputs("</dd>", out);
		if (!json_is_null(json_object_get(spf, "error")) &&
		    json_object_get(spf, "error") != NULL)
			report_html_kv(out, "SPF error", spf, "error");
	}
	if (json_is_object(dmarc)) {
		report_html_kv_code(out, "DMARC", dmarc, "record");
		report_html_kv(out, "DMARC found at", dmarc, "location");
		fputs("<dt>DMARC policy</dt><dd>", out);
		report_html_val(out, json_object_get(dmarc, "policy"), 32);
		fputs(" (sp ", out);
		report_html_val(
		    out, json_object_get(dmarc, "subdomain_policy"), 32);
		fputs(", pct ", out);
		report_html_val(out, json_object_get(dmarc, "pct"), 16);
		fputs("), status ", out);
		report_html_val(out, json_object_get(dmarc, "status"), 32);
		fputs("</dd>", out);
		report_html_kv(out, "DMARC rua", dmarc, "rua");
	}
	if (json_is_object(sts)) {
		report_html_kv_code(out, "MTA-STS record", sts, "txt");
		fputs("<dt>MTA-STS policy</dt><dd>mode ", out);
		report_html_val(out, json_object_get(sts, "mode"), 32);
		fputs(", max_age ", out);
		report_html_val(out, json_object_get(sts, "max_age"), 16);
		fputs(", mx ", out);
		report_html_val(out, json_object_get(sts, "mx"), 256);
		fputs("</dd>", out);
		report_html_kv(
		    out, "MTA-STS URL", json_object_get(sts, "fetch"), "url");
		if (!json_is_null(json_object_get(sts, "error")) &&
		    json_object_get(sts, "error") != NULL) {
			fputs("<dt>MTA-STS error</dt><dd>", out);
			report_html_val(out, json_object_get(sts, "error"), 64);
			fputs(": ", out);
			report_html_val(out,
			    json_object_get(sts, "error_detail"),
			    REPORT_HTML_STR_MAX);
			fputs("</dd>", out);
		}
	}
	if (json_is_object(rpt)) {
		report_html_kv_code(out, "TLS-RPT", rpt, "record");
		report_html_kv(out, "TLS-RPT rua", rpt, "rua");
	}
	fputs("</dl>\n", out);
}

static void
report_html_detail_web(FILE *out, const json_t *doc)
{
	const json_t *web = json_object_get(doc, "web"), *e;
	size_t i;

	if (!json_is_object(web))
		return;
	fputs("<h4>Web</h4><dl class=\"kv\">", out);
	report_html_kv(out, "Canonical URL", web, "canonical_url");
	report_html_kv(out, "Live", web, "live");
	report_html_kv(out, "Valid HTTPS", web, "valid_https");
	report_html_kv(out, "Enforces HTTPS", web, "enforces_https");
	report_html_kv(out, "HSTS", web, "hsts");
	report_html_kv_code(out, "HSTS header", web, "hsts_header");
	report_html_kv(out, "Strong HSTS", web, "strong_hsts");
	report_html_kv(out, "Server", web, "server_header");
	report_html_kv(out, "Redirect to", web, "redirect_to");
	json_array_foreach(json_object_get(web, "endpoints"), i, e)
	{
		if (i >= 4)
			break;
		fputs("<dt>Endpoint</dt><dd>", out);
		report_html_val(out, json_object_get(e, "url"), 512);
		fputs(": ", out);
		if (report_html_true(e, "live"))
			report_html_val(out, json_object_get(e, "status"), 16);
		else
			fputs("not live", out);
		if (!json_is_null(json_object_get(e, "redirect_to")) &&
		    json_object_get(e, "redirect_to") != NULL) {
			fputs(" &#8594; ", out);
			report_html_val(
			    out, json_object_get(e, "redirect_to"), 512);
		}
		if (!json_is_null(json_object_get(e, "error")) &&
		    json_object_get(e, "error") != NULL) {
			fputs(", error ", out);
			report_html_val(out, json_object_get(e, "error_detail"),
			    REPORT_HTML_STR_MAX);
		}
		fputs("</dd>", out);
	}
	fputs("</dl>\n", out);
}

static void
report_html_detail_bod(FILE *out, const json_t *doc)
{
	const json_t *bod = json_object_get(doc, "bod1801");
	const json_t *mail = json_object_get(bod, "mail");
	const json_t *web = json_object_get(bod, "web");

	fputs("<h4>BOD 18-01</h4><dl class=\"kv\"><dt>Mail</dt><dd>", out);
	report_html_badge(out, REPORT_HTML_COL_BODMAIL, report_html_bod(mail));
	if (json_array_size(json_object_get(mail, "failures")) > 0) {
		fputs(": ", out);
		report_html_val(out, json_object_get(mail, "failures"), 64);
	}
	fputs("</dd><dt>Web</dt><dd>", out);
	report_html_badge(out, REPORT_HTML_COL_BODWEB, report_html_bod(web));
	if (json_array_size(json_object_get(web, "failures")) > 0) {
		fputs(": ", out);
		report_html_val(out, json_object_get(web, "failures"), 64);
	}
	fputs("</dd></dl>\n", out);
}

/* report_html_detail - the <details> of the row just added */
static void
report_html_detail(struct report_html *h, const json_t *doc)
{
	const struct report_html_row *r = &h->rows[h->nrows - 1];
	FILE *out = h->out;
	unsigned worst = r->label[REPORT_HTML_COL_WORST];

	fprintf(
	    out, "<details class=\"dom\" id=\"d-%zu\"><summary>", h->nrows - 1);
	fputs("<b>", out);
	report_html_escape(out, r->domain, r->domain_len, 0);
	fputs("</b> &#8212; worst ", out);
	report_html_badge(out, REPORT_HTML_COL_WORST, worst);
	fprintf(
	    out, ", %u errors, %u warnings; BOD mail ", r->errors, r->warnings);
	report_html_badge(
	    out, REPORT_HTML_COL_BODMAIL, r->label[REPORT_HTML_COL_BODMAIL]);
	fputs(", web ", out);
	report_html_badge(
	    out, REPORT_HTML_COL_BODWEB, r->label[REPORT_HTML_COL_BODWEB]);
	fputs("</summary><div><dl class=\"kv\">", out);
	report_html_kv(out, "Domain", doc, "domain");
	report_html_kv(out, "Status", doc, "status");
	if (report_html_true(doc, "timed_out"))
		report_html_kv(out, "Timed out", doc, "timed_out");
	report_html_kv(out, "Scanned at", doc, "scanned_at");
	report_html_kv(out, "Duration (ms)", doc, "duration_ms");
	report_html_kv(out, "MX source", doc, "mx_source");
	report_html_kv(out, "Accepts mail", doc, "accepts_mail");
	report_html_kv(out, "MX DNSSEC",
	    json_object_get(json_object_get(doc, "dns"), "mx"), "dnssec");
	fputs("</dl>\n", out);
	report_html_detail_findings(out, doc);
	report_html_detail_mx(out, doc);
	report_html_detail_records(out, doc);
	report_html_detail_web(out, doc);
	report_html_detail_bod(out, doc);
	fputs("</div></details>\n", out);
}

/*
 * The page
 */

/* report_html_sha256 - base64 of the SHA-256 of s, for the CSP */
static void
report_html_sha256(const char *s, char b64[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		log_fatalx("html: sha256 failed");
	EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
}

/* report_html_meta_str - one line of the run header, when s is known */
static void
report_html_meta_str(FILE *out, const char *label, const char *s)
{
	if (s == NULL)
		return;
	fprintf(out, "<dt>%s</dt><dd>", label);
	report_html_esc(out, s);
	fputs("</dd>", out);
}

static void
report_html_meta_time(FILE *out, const char *label, time_t t)
{
	if (t == 0)
		return;
	fprintf(out, "<dt>%s</dt><dd>", label);
	report_html_time(out, t);
	fputs("</dd>", out);
}

static char *
report_html_dup(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

struct report_html *
report_html_begin(FILE *out, const struct report_html_run *meta)
{
	struct report_html *h = xcalloc(1, sizeof(*h));
	char css[64], js[64];

	h->out = out;
	if (meta != NULL) {
		h->meta = *meta;
		h->meta.run_id = report_html_dup(meta->run_id);
		h->meta.source = report_html_dup(meta->source);
		h->meta.command = report_html_dup(meta->command);
		h->meta.started = report_html_dup(meta->started);
		h->meta.finished = report_html_dup(meta->finished);
		h->meta.version = report_html_dup(meta->version);
	}
	strmap_init(&h->ids);
	report_html_sha256(report_html_css, css);
	report_html_sha256(report_html_js, js);

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n",
	    out);
	fprintf(out,
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'sha256-%s'; "
	    "script-src 'sha256-%s'; img-src 'none'; base-uri 'none'; "
	    "form-action 'none'\">\n",
	    css, js);
	fputs("<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"mxaudit\">\n"
	      "<title>mxaudit report</title>\n<style>",
	    out);
	fputs(report_html_css, out);
	fputs("</style>\n</head>\n<body>\n<header>\n<h1>mxaudit report</h1>\n"
	      "<dl class=\"kv\">",
	    out);
	report_html_meta_str(out, "Run", h->meta.run_id);
	report_html_meta_str(out, "Source", h->meta.source);
	report_html_meta_str(out, "Command", h->meta.command);
	report_html_meta_str(out, "Started", h->meta.started);
	report_html_meta_str(out, "Finished", h->meta.finished);
	if (h->meta.domains > 0)
		fprintf(out, "<dt>Domains in the run</dt><dd>%zu</dd>",
		    h->meta.domains);
	report_html_meta_time(out, "Generated", h->meta.generated);
	report_html_meta_str(out, "mxaudit", h->meta.version);
	fputs("</dl>\n</header>\n<main>\n<section id=\"details\">\n"
	      "<h2>Domains in detail</h2>\n",
	    out);
	return h;
}

/* report_html_sanitize - doc with each byte that is not UTF-8 as the text
 * \xNN (inside a JSON string, where alone such bytes can be); -1 when doc
 * was UTF-8 already */
static int
report_html_sanitize(const char *doc, size_t len, struct buf *b)
{
	const unsigned char *s = (const unsigned char *)doc;
	size_t i = 0, n, bad, k, start = 0;
	bool changed = false;

	buf_init(b, len * 5 + 16);
	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_decode(s + i, len - i, NULL, &bad)) > 0) {
			i += n;
			continue;
		}
		changed = true;
		if (buf_append(b, doc + start, i - start) != 0)
			return -1;
		for (k = 0; k < bad; k++)
			if (buf_printf(b, "\\\\x%02X", s[i + k]) != 0)
				return -1;
		i += bad;
		start = i;
	}
	if (!changed || buf_append(b, doc + start, len - start) != 0)
		return -1;
	return 0;
}

int
report_html_add(struct report_html *h, const char *doc, size_t len)
{
	json_error_t jerr;
	json_t *root = NULL;
	struct buf fixed;
	const char *domain;
	size_t domain_len = 0;

	if (len <= REPORT_HTML_DOC_MAX) {
		root = json_loadb(doc, len, JSON_ALLOW_NUL, &jerr);
		if (root == NULL &&
		    json_error_code(&jerr) == json_error_invalid_utf8) {
			if (report_html_sanitize(doc, len, &fixed) == 0)
				root = json_loadb(fixed.data, fixed.len,
				    JSON_ALLOW_NUL, &jerr);
			buf_release(&fixed);
		}
	}
	domain = report_html_str(root, "domain", &domain_len);
	if (domain == NULL) {
		json_decref(root);
		h->unreadable++;
		return -1;
	}
	report_html_row(h, root, domain, domain_len);
	report_html_detail(h, root);
	json_decref(root);
	return 0;
}

/* report_html_card - one number of the overview */
static void
report_html_card(FILE *out, const char *label, size_t n, size_t total)
{
	fprintf(out, "<div class=\"card\"><b>%zu</b>%s", n, label);
	if (total > 0) {
		fputs(" (", out);
		report_html_pct(out, n, total);
		fputs(")", out);
	}
	fputs("</div>\n", out);
}

/*
 * report_html_hbars - a horizontal bar chart: n bars with labels (escaped),
 * counts and classes, scaled to the largest count.
 */
static void
report_html_hbars(FILE *out, const char *title, size_t n,
    const char *const *labels, const size_t *counts, const char *const *classes)
{
	const unsigned lw = 230, bw = 360, rh = 20;
	size_t i, max = 0;

	for (i = 0; i < n; i++)
		if (counts[i] > max)
			max = counts[i];
	fputs("<div class=\"chart\"><h3>", out);
	report_html_esc(out, title);
	fprintf(out,
	    "</h3><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
	    "width=\"%u\" height=\"%zu\" viewBox=\"0 0 %u %zu\"><title>",
	    lw + bw + 80, n * rh + 4, lw + bw + 80, n * rh + 4);
	report_html_esc(out, title);
	fputs("</title>\n", out);
	for (i = 0; i < n; i++) {
		unsigned long long w = max == 0
		    ? 0
		    : ((unsigned long long)counts[i] * bw + max - 1) / max;

		fprintf(out, "<text x=\"%u\" y=\"%zu\" text-anchor=\"end\">",
		    lw - 6, i * rh + 15);
		report_html_esc(out, labels[i]);
		fprintf(out,
		    "</text><rect class=\"%s\" x=\"%u\" y=\"%zu\" "
		    "width=\"%llu\" height=\"%u\"></rect>"
		    "<text x=\"%llu\" y=\"%zu\">%zu</text>\n",
		    classes[i], lw, i * rh + 3, w, rh - 5, lw + w + 4,
		    i * rh + 15, counts[i]);
	}
	fputs("</svg></div>\n", out);
}

/* report_html_compliance - a stacked bar and the numbers of one side */
static void
report_html_compliance(FILE *out, const char *title, const size_t *bod,
    enum report_html_col col, size_t total)
{
	static const unsigned order[] = { REPORT_HTML_BOD_PASS,
		REPORT_HTML_BOD_FAIL, REPORT_HTML_BOD_UNSCORED,
		REPORT_HTML_BOD_UNCHECKED };
	static const char *const fill[] = { [REPORT_HTML_BOD_PASS] = "good",
		[REPORT_HTML_BOD_FAIL] = "bad",
		[REPORT_HTML_BOD_UNSCORED] = "na",
		[REPORT_HTML_BOD_UNCHECKED] = "nc" };
	const unsigned width = 480;
	unsigned long long x = 0, w;
	size_t i, sum = 0, scored;

	fputs("<div class=\"chart\"><h3>", out);
	report_html_esc(out, title);
	fprintf(out,
	    "</h3><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
	    "width=\"%u\" height=\"28\" viewBox=\"0 0 %u 28\"><title>",
	    width, width);
	report_html_esc(out, title);
	fputs("</title>", out);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		sum += bod[order[i]];
		/* cumulative, so rounding never leaves a gap */
		w = total == 0 ? 0
		               : (unsigned long long)sum * width / total - x;
		if (w > 0)
			fprintf(out,
			    "<rect class=\"%s\" x=\"%llu\" y=\"2\" "
			    "width=\"%llu\" "
			    "height=\"24\"></rect>",
			    fill[order[i]], x, w);
		x += w;
	}
	fputs("</svg>\n<table><tbody>", out);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		fputs("<tr><td>", out);
		report_html_badge(out, col, order[i]);
		fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">",
		    bod[order[i]]);
		report_html_pct(out, bod[order[i]], total);
		fputs("</td></tr>", out);
	}
	scored = bod[REPORT_HTML_BOD_PASS] + bod[REPORT_HTML_BOD_FAIL];
	fprintf(out, "</tbody></table><p>%zu of %zu scored domains compliant (",
	    bod[REPORT_HTML_BOD_PASS], scored);
	report_html_pct(out, bod[REPORT_HTML_BOD_PASS], scored);
	fputs(")</p></div>\n", out);
}

/* report_html_agg_cmp - most findings first, then by key */
static int
report_html_agg_cmp(const void *a, const void *b)
{
	const struct report_html_agg *x =
	    *(const struct report_html_agg *const *)a;
	const struct report_html_agg *y =
	    *(const struct report_html_agg *const *)b;

	if (x->findings != y->findings)
		return x->findings > y->findings ? -1 : 1;
	return strcmp(x->key, y->key);
}

static unsigned
report_html_agg_sev(const struct report_html_agg *a)
{
	unsigned sev = (unsigned)(a->key[0] - '0');

	return sev < REPORT_HTML_SEV_MAX ? sev : REPORT_HTML_SEV_UNKNOWN;
}

/* report_html_distribution - domains per label of the mail columns */
static void
report_html_distribution(struct report_html *h)
{
	static const enum report_html_col cols[] = { REPORT_HTML_COL_STARTTLS,
		REPORT_HTML_COL_SPF, REPORT_HTML_COL_DMARC,
		REPORT_HTML_COL_MTASTS, REPORT_HTML_COL_DANE };
	FILE *out = h->out;
	size_t i, l;
	enum report_html_col c;

	fputs(
	    "<h3>Mail security per domain</h3>\n<div class=\"charts\">\n", out);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		c = cols[i];
		fprintf(out,
		    "<table><thead><tr><th colspan=\"3\">%s</th></tr>"
		    "</thead><tbody>",
		    report_html_cols[c].title);
		for (l = 0; l < REPORT_HTML_LABELS_MAX &&
		     report_html_cols[c].labels[l] != NULL;
		     l++) {
			if (h->counts[c][l] == 0)
				continue;
			fputs("<tr><td>", out);
			report_html_badge(out, c, (unsigned)l);
			fprintf(out,
			    "</td><td class=\"n\">%zu</td><td class=\"n\">",
			    h->counts[c][l]);
			report_html_pct(out, h->counts[c][l], h->nrows);
			fputs("</td></tr>", out);
		}
		fputs("</tbody></table>\n", out);
	}
	fputs("</div>\n", out);
}

static void
report_html_overview(struct report_html *h)
{
	static const char *const sev_labels[] = { "error", "warning", "info",
		"unknown" };
	static const char *const sev_classes[] = { "bad", "warn", "info",
		"na" };
	static const char *const worst_labels[] = { "error", "warning", "info",
		"none", "unknown" };
	static const char *const worst_classes[] = { "bad", "warn", "info",
		"good", "na" };
	FILE *out = h->out;
	size_t total = h->nrows, i, n, sev_counts[4], worst_counts[5];
	const char **labels;
	const char **classes;
	size_t *counts;

	fputs("<section id=\"overview\">\n<h2>Overview</h2>\n"
	      "<div class=\"cards\">\n",
	    out);
	report_html_card(out, "domains", total, 0);
	report_html_card(out, "scan errors", h->scan_errors, total);
	report_html_card(out, "timed out", h->timed_out, total);
	report_html_card(out, "take no mail", h->no_mail, total);
	report_html_card(out, "with an error finding",
	    h->worst[REPORT_HTML_SEV_ERROR], total);
	if (h->unreadable > 0)
		report_html_card(
		    out, "documents not readable", h->unreadable, 0);
	fputs("</div>\n<h3>BOD 18-01 compliance</h3>\n<div class=\"charts\">\n",
	    out);
	report_html_compliance(out, "Mail (BOD 18-01)", h->bod_mail,
	    REPORT_HTML_COL_BODMAIL, total);
	report_html_compliance(
	    out, "Web (BOD 18-01)", h->bod_web, REPORT_HTML_COL_BODWEB, total);
	fputs("</div>\n<h3>Severity</h3>\n<div class=\"charts\">\n", out);
	sev_counts[0] = h->findings[REPORT_HTML_SEV_ERROR];
	sev_counts[1] = h->findings[REPORT_HTML_SEV_WARNING];
	sev_counts[2] = h->findings[REPORT_HTML_SEV_INFO];
	sev_counts[3] = h->findings[REPORT_HTML_SEV_UNKNOWN] +
	    h->findings[REPORT_HTML_SEV_NONE];
	report_html_hbars(out, "Findings per severity", 4, sev_labels,
	    sev_counts, sev_classes);
	worst_counts[0] = h->worst[REPORT_HTML_SEV_ERROR];
	worst_counts[1] = h->worst[REPORT_HTML_SEV_WARNING];
	worst_counts[2] = h->worst[REPORT_HTML_SEV_INFO];
	worst_counts[3] = h->worst[REPORT_HTML_SEV_NONE];
	worst_counts[4] = h->worst[REPORT_HTML_SEV_UNKNOWN];
	report_html_hbars(out, "Domains per worst severity", 5, worst_labels,
	    worst_counts, worst_classes);
	fputs("</div>\n", out);
	report_html_distribution(h);

	/* findings per id */
	if (h->naggs > 0)
		qsort(h->aggs, h->naggs, sizeof(*h->aggs), report_html_agg_cmp);
	n = h->naggs < REPORT_HTML_CHART_IDS ? h->naggs : REPORT_HTML_CHART_IDS;
	fprintf(out, "<h3>Findings by id (%zu distinct)</h3>\n", h->naggs);
	if (n > 0) {
		labels = xcalloc(n, sizeof(*labels));
		classes = xcalloc(n, sizeof(*classes));
		counts = xcalloc(n, sizeof(*counts));
		for (i = 0; i < n; i++) {
			labels[i] = h->aggs[i]->key + 1;
			classes[i] =
			    report_html_cols[REPORT_HTML_COL_WORST]
			        .classes[report_html_agg_sev(h->aggs[i])];
			counts[i] = h->aggs[i]->findings;
		}
		report_html_hbars(out,
		    h->naggs > n ? "Most frequent findings" : "Findings", n,
		    labels, counts, classes);
		free(labels);
		free(classes);
		free(counts);
		fputs("<table id=\"ids\"><thead><tr><th>Finding</th>"
		      "<th>Severity</th><th>Findings</th><th>Domains</th>"
		      "<th>Share of domains</th></tr></thead><tbody>\n",
		    out);
		for (i = 0; i < h->naggs; i++) {
			fputs("<tr><td>", out);
			report_html_esc(out, h->aggs[i]->key + 1);
			fputs("</td><td>", out);
			report_html_badge(out, REPORT_HTML_COL_WORST,
			    report_html_agg_sev(h->aggs[i]));
			fprintf(out,
			    "</td><td class=\"n\">%zu</td>"
			    "<td class=\"n\">%zu</td>"
			    "<td class=\"n\">",
			    h->aggs[i]->findings, h->aggs[i]->domains);
			report_html_pct(out, h->aggs[i]->domains, total);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (h->other_findings > 0)
		fprintf(out,
		    "<p class=\"more\">%zu findings with other ids not "
		    "counted</p>\n",
		    h->other_findings);
	fputs("</section>\n", out);
}

static void
report_html_table(struct report_html *h)
{
	FILE *out = h->out;
	const struct report_html_row *r;
	size_t i;
	unsigned c;

	fputs("<section id=\"domains\">\n<h2>Domains</h2>\n"
	      "<div class=\"controls\" id=\"controls\" hidden>"
	      "<label>Filter <input id=\"filter\" type=\"search\" "
	      "autocomplete=\"off\" spellcheck=\"false\" placeholder=\""
	      "words, column:value, -word (e.g. bodmail:fail)\"></label>"
	      "<span id=\"shown\"></span></div>\n"
	      "<table id=\"dom-table\"><thead><tr>",
	    out);
	for (c = 0; c < REPORT_HTML_COL_MAX; c++)
		fprintf(out,
		    "<th data-key=\"%s\"><button type=\"button\">%s"
		    "</button></th>",
		    report_html_cols[c].key, report_html_cols[c].title);
	fputs("</tr></thead>\n<tbody id=\"dom-rows\">\n", out);
	for (i = 0; i < h->nrows; i++) {
		r = &h->rows[i];
		fprintf(out, "<tr><td><a href=\"#d-%zu\">", i);
		report_html_escape(out, r->domain, r->domain_len, 0);
		fputs("</a></td>", out);
		for (c = 1; c < REPORT_HTML_COL_MAX; c++) {
			if (c == REPORT_HTML_COL_ERRORS)
				fprintf(
				    out, "<td class=\"n\">%u</td>", r->errors);
			else if (c == REPORT_HTML_COL_WARNINGS)
				fprintf(out, "<td class=\"n\">%u</td>",
				    r->warnings);
			else
				fprintf(out, "<td class=\"%s\">%s</td>",
				    report_html_cols[c].classes[r->label[c]],
				    report_html_cols[c].labels[r->label[c]]);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n</section>\n", out);
}

/* report_html_data - the JSON block the script reads */
static void
report_html_data(struct report_html *h)
{
	FILE *out = h->out;
	const struct report_html_row *r;
	size_t i, l;
	unsigned c;

	fputs("<script type=\"application/json\" id=\"report-data\">"
	      "{\"version\":1,\"run\":",
	    out);
	if (h->meta.run_id != NULL)
		report_html_json_string(
		    out, h->meta.run_id, strlen(h->meta.run_id));
	else
		fputs("null", out);
	fputs(",\n\"columns\":[", out);
	for (c = 0; c < REPORT_HTML_COL_MAX; c++) {
		fprintf(out,
		    "%s{\"key\":\"%s\",\"desc\":%s,\"labels\":", c ? "," : "",
		    report_html_cols[c].key,
		    report_html_cols[c].desc ? "true" : "false");
		if (report_html_cols[c].labels[0] == NULL) {
			fputs("null}", out);
			continue;
		}
		fputc('[', out);
		for (l = 0; l < REPORT_HTML_LABELS_MAX &&
		     report_html_cols[c].labels[l] != NULL;
		     l++)
			fprintf(out, "%s\"%s\"", l ? "," : "",
			    report_html_cols[c].labels[l]);
		fputs("]}", out);
	}
	fputs("],\n\"rows\":[\n", out);
	for (i = 0; i < h->nrows; i++) {
		r = &h->rows[i];
		fputs(i ? ",\n[" : "[", out);
		report_html_json_string(out, r->domain, r->domain_len);
		for (c = 1; c < REPORT_HTML_COL_MAX; c++) {
			if (c == REPORT_HTML_COL_ERRORS)
				fprintf(out, ",%u", r->errors);
			else if (c == REPORT_HTML_COL_WARNINGS)
				fprintf(out, ",%u", r->warnings);
			else
				fprintf(out, ",%u", (unsigned)r->label[c]);
		}
		fputc(']', out);
	}
	fputs("\n]}</script>\n", out);
}

int
report_html_end(struct report_html *h)
{
	FILE *out = h->out;
	int rc;

	fputs("</section>\n", out);
	report_html_overview(h);
	report_html_table(h);
	fputs("</main>\n<footer>Made by mxaudit", out);
	if (h->meta.version != NULL) {
		fputc(' ', out);
		report_html_esc(out, h->meta.version);
	}
	fputs(". Strings from servers and DNS are shown as sent; invisible "
	      "characters are marked <span class=\"ctl\">\\xNN</span> or "
	      "<span class=\"ctl\">U+XXXX</span>.</footer>\n",
	    out);
	report_html_data(h);
	fputs("<script>", out);
	fputs(report_html_js, out);
	fputs("</script>\n</body>\n</html>\n", out);
	rc = fflush(out) != 0 || ferror(out) ? -1 : 0;
	report_html_free(h);
	return rc;
}

void
report_html_free(struct report_html *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nrows; i++)
		free(h->rows[i].domain);
	free(h->rows);
	for (i = 0; i < h->naggs; i++) {
		free(h->aggs[i]->key);
		free(h->aggs[i]);
	}
	free(h->aggs);
	strmap_release(&h->ids);
	free((char *)h->meta.run_id);
	free((char *)h->meta.source);
	free((char *)h->meta.command);
	free((char *)h->meta.started);
	free((char *)h->meta.finished);
	free((char *)h->meta.version);
	free(h);
}
