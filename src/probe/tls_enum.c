/* SPDX-License-Identifier: ISC */
/*
 * tls_enum - the protocol and weak-cipher probes of one SMTP endpoint.
 *
 * The questions, in order: SSLv2, SSLv3, TLS 1.0, 1.1 and 1.2, each with
 * every suite legal at that version; then each weak family at the accepted
 * versions TLS 1.2, TLS 1.0 and SSLv3, highest first, until one accepts it
 * (legacy suites must be asked at the versions where they were legal:
 * a server may offer EXPORT at TLS 1.0 only). TLS 1.3 is known from the
 * OpenSSL handshake of the receiver test. A conversation that fails before
 * the hello (busy, timeout) leaves its answer unknown, never "no". So does
 * a hello met with silence until the deadline, unless the server answered
 * another hello (or the receiver test's handshake): a server that speaks
 * TLS and ignores an SSLv2 hello does not speak SSLv2. A server silent to
 * every hello is left alone after TLS_ENUM_MAXLOST silences, its answers
 * unknown.
 *
 * --ciphers then lists each accepted version's suites by the n+1 method:
 * offer everything not found yet, note the choice, repeat until refused.
 * Two hellos first tell whose order counts: every suite forward, then
 * reversed. The same answer means the server's order (or one suite), and
 * one chain of hellos discovers the suites in that order. Different
 * answers mean the client's: the server takes the first it supports, so
 * the list is cut into one piece per lane, the pieces are enumerated side
 * by side, and put back together in our order.
 */
#include "probe/tls_enum.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tls_suites.h"
#include "util/log.h"
#include "util/xalloc.h"

#define TLS_ENUM_MAXSUITES   512
#define TLS_ENUM_SSL3_SUITES 100 /* an SSLv3 hello cannot be padded */
#define TLS_ENUM_MAXLOST     2   /* failed conversations before giving up */

static const uint16_t tls_enum_versions[] = {
	[TLS_PROTO_SSL2] = 0x0002,
	[TLS_PROTO_SSL3] = 0x0300,
	[TLS_PROTO_TLS10] = 0x0301,
	[TLS_PROTO_TLS11] = 0x0302,
	[TLS_PROTO_TLS12] = 0x0303,
};

static const enum tls_suite_set tls_enum_sets[TLS_WEAK_MAX] = {
	[TLS_WEAK_RC4] = TLS_SUITE_SET_RC4,
	[TLS_WEAK_3DES] = TLS_SUITE_SET_3DES,
	[TLS_WEAK_EXPORT] = TLS_SUITE_SET_EXPORT,
	[TLS_WEAK_NULL] = TLS_SUITE_SET_NULL,
	[TLS_WEAK_ANON] = TLS_SUITE_SET_ANON,
};

/* the versions whose suites --ciphers lists (TLS 1.3 through OpenSSL) */
static const enum tls_proto tls_enum_list_at[] = {
	TLS_PROTO_TLS13,
	TLS_PROTO_TLS12,
	TLS_PROTO_TLS11,
	TLS_PROTO_TLS10,
	TLS_PROTO_SSL3,
};

enum tls_enum_phase {
	TLS_ENUM_PHASE_VERSIONS,
	TLS_ENUM_PHASE_FAMILIES,
	TLS_ENUM_PHASE_FS,      /* forward-secret suites only */
	TLS_ENUM_PHASE_ORDER,   /* whose order: everything, forward/reversed */
	TLS_ENUM_PHASE_CIPHERS, /* the next hello of a chain */
};

#define TLS_ENUM_NLIST (sizeof(tls_enum_list_at) / sizeof(tls_enum_list_at[0]))

/* where a weak family is asked, highest first */
static const enum tls_proto tls_enum_family_at[] = {
	TLS_PROTO_TLS12,
	TLS_PROTO_TLS10,
	TLS_PROTO_SSL3,
};

/* one n+1 chain: the suites of one version, or of a piece of its list */
struct tls_chain {
	enum tls_proto v;
	uint16_t left[TLS_ENUM_MAXSUITES]; /* suites not yet found */
	size_t nleft;
	uint16_t found[TLS_PROBE_MAXCIPHERS]; /* in the order found */
	size_t nfound;
	bool busy, done;
};

#define TLS_ENUM_MAXLANES  3
#define TLS_ENUM_MAXCHAINS (TLS_ENUM_NLIST * TLS_ENUM_MAXLANES)

/*
 * One lane: one conversation at a time. A probe run has one lane per
 * connection it may hold (--per-ip); the questions of each stage are
 * dealt round-robin to the lanes, and a stage starts when every lane has
 * finished the one before (families need the versions' answers).
 */
struct tls_lane {
	struct tls_enum *grp;         /* borrowed: the run it works for */
	int index;                    /* its number in grp->lanes */
	struct smtp_probe_config cfg; /* a copy, with our hello */
	struct addr_facts *facts;     /* borrowed from grp */
	struct smtp_probe *probe;     /* owned: the conversation in flight */
	struct event *wait; /* owned: a conversation held back by the rate */
	struct addr_facts *scratch; /* owned: that conversation's SMTP facts */
	/* the question in flight */
	int step;   /* < TLS_PROTO_TLS13: a version; then families */
	int family; /* TLS_WEAK_*, while asking families */
	int at;     /* index into tls_enum_family_at */
	int fsat;   /* the same, for the forward secrecy question */
	enum tls_enum_phase phase;
	int oq; /* order question: tls_enum_list_at[oq / 2], reversed if odd */
	struct tls_chain *chain; /* borrowed from grp: the chain in hand */
	char tls13[160];         /* the TLS 1.3 suites offered, ':'-separated */
	int lost; /* conversations in a row that never got to the question */
	/* the hello and what it offered */
	uint8_t hello[TLS_HELLO_BUFSIZE];
	uint16_t suites[TLS_ENUM_MAXSUITES];
	uint32_t kinds[16];
	struct tls_hello_offer offer;
	struct tls_hello_result result;
};

struct tls_enum {
	struct addr_facts *facts; /* counted reference */
	unsigned flags;           /* enum tls_enum_flags */
	tls_enum_cb cb;
	void *arg;
	struct tls_enum_slots slots;
	struct event *kick; /* owned: stage changes run from the loop */
	struct tls_lane *lanes[TLS_ENUM_MAXLANES]; /* owned */
	int nlanes;
	int idle; /* lanes done with the current stage */
	enum tls_enum_phase stage;
	bool abandoned; /* the server stopped answering */
	bool answered;  /* some hello got an answer (any, even a close) */
	int silent;     /* hellos met with silence while none was answered */
	unsigned silent_proto; /* versions whose hello met silence (bits) */
	/* the order questions' answers: a suite, 0 for none, -1 unknown */
	int first[TLS_ENUM_NLIST][2];
	struct tls_chain *chains[TLS_ENUM_MAXCHAINS]; /* owned */
	size_t nchains;
};

static void tls_enum_next(struct tls_lane *e);
static void tls_lane_idle(struct tls_lane *e);
static void tls_enum_found(struct tls_lane *e, uint16_t suite, int answer);

static int tls_enum_hello(
    struct tls_lane *e, enum tls_proto proto, const uint16_t *suites, size_t n);

/* tls_enum_encode - the hello for (version, set); -1 when none can be made */
static int
tls_enum_encode(
    struct tls_lane *e, enum tls_proto proto, enum tls_suite_set set)
{
	uint16_t list[TLS_ENUM_MAXSUITES];
	size_t n = 0;

	if (proto != TLS_PROTO_SSL2) {
		n = tls_suite_select(
		    set, tls_enum_versions[proto], list, TLS_ENUM_MAXSUITES);
		if (n > TLS_ENUM_MAXSUITES)
			n = TLS_ENUM_MAXSUITES;
		if (n == 0)
			return -1;
	}
	return tls_enum_hello(e, proto, list, n);
}

/* the TLS 1.3 suites, as IANA (and OpenSSL) name them */
static const struct {
	uint16_t code;
	const char *name;
} tls_enum_tls13[] = {
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
};

#define TLS_ENUM_NTLS13 (sizeof(tls_enum_tls13) / sizeof(tls_enum_tls13[0]))

/*
 * tls_enum_all - every suite of version v in our order, into
 * list[TLS_ENUM_MAXSUITES]; returns how many
 */
static size_t
tls_enum_all(enum tls_proto v, uint16_t *list)
{
	size_t i, n;

	if (v == TLS_PROTO_TLS13) {
		for (i = 0; i < TLS_ENUM_NTLS13; i++)
			list[i] = tls_enum_tls13[i].code;
		return TLS_ENUM_NTLS13;
	}
	n = tls_suite_select(
	    TLS_SUITE_SET_ALL, tls_enum_versions[v], list, TLS_ENUM_MAXSUITES);
	return n > TLS_ENUM_MAXSUITES ? TLS_ENUM_MAXSUITES : n;
}

/*
 * tls_enum_offer - ask for suites[0 .. n) at v: a raw hello, or for TLS
 * 1.3 an OpenSSL handshake restricted to those suites, in that order
 */
static int
tls_enum_offer(
    struct tls_lane *e, enum tls_proto v, const uint16_t *suites, size_t n)
{
	size_t i, k, len;
	int w;

	e->cfg.tls13_suites = NULL;
	if (v != TLS_PROTO_TLS13)
		return tls_enum_hello(e, v, suites, n);
	e->tls13[0] = '\0';
	for (i = 0; i < n; i++) {
		for (k = 0; k < TLS_ENUM_NTLS13; k++) {
			if (tls_enum_tls13[k].code != suites[i])
				continue;
			len = strlen(e->tls13);
			w = snprintf(e->tls13 + len, sizeof(e->tls13) - len,
			    "%s%s", len > 0 ? ":" : "", tls_enum_tls13[k].name);
			ASSERT(w > 0 && (size_t)w < sizeof(e->tls13) - len);
		}
	}
	e->cfg.hello = NULL;
	e->cfg.tls13_suites = e->tls13;
	return 0;
}

/* tls_enum_tls13_answer - the suite a TLS 1.3 handshake settled on, or 0 */
static uint16_t
tls_enum_tls13_answer(const struct addr_facts *scratch)
{
	size_t k;

	if (!scratch->tls.ok || scratch->tls.cipher == NULL)
		return 0;
	for (k = 0; k < TLS_ENUM_NTLS13; k++)
		if (strcmp(scratch->tls.cipher, tls_enum_tls13[k].name) == 0)
			return tls_enum_tls13[k].code;
	return 0;
}

/* tls_enum_fs - the hello offering only forward-secret suites at proto */
static int
tls_enum_fs(struct tls_lane *e, enum tls_proto proto)
{
	uint16_t list[TLS_ENUM_MAXSUITES];
	size_t n;

	n = tls_suite_select_flags(TLS_SUITE_F_FS, TLS_SUITE_F_ANON,
	    tls_enum_versions[proto], list, TLS_ENUM_MAXSUITES);
	if (n > TLS_ENUM_MAXSUITES)
		n = TLS_ENUM_MAXSUITES;
	return n > 0 ? tls_enum_hello(e, proto, list, n) : -1;
}

/* tls_enum_hello - the hello offering suites[0 .. n) at proto */
static int
tls_enum_hello(
    struct tls_lane *e, enum tls_proto proto, const uint16_t *suites, size_t n)
{
	uint8_t random[TLS_HELLO_RANDOM_LEN];
	struct tls_hello_client c;
	struct tls_hello_ssl2_client c2;
	struct perr err;
	size_t i;
	int len;

	/* no secrets ride on these hellos: any bytes will do */
	for (i = 0; i < sizeof(random); i++)
		random[i] = (uint8_t)(i * 37 + 11);
	memset(&e->offer, 0, sizeof(e->offer));
	if (proto == TLS_PROTO_SSL2) {
		n = tls_suite_ssl2_select(e->kinds, 16);
		if (n > 16)
			n = 16;
		memset(&c2, 0, sizeof(c2));
		c2.kinds = e->kinds;
		c2.nkinds = n;
		c2.challenge = random;
		c2.challenge_len = 16;
		len = tls_hello_encode_ssl2(
		    &c2, e->hello, sizeof(e->hello), &err);
		e->offer.version = 0x0002;
		e->offer.kinds = e->kinds;
		e->offer.nkinds = n;
	} else {
		if (proto == TLS_PROTO_SSL3 && n > TLS_ENUM_SSL3_SUITES)
			n = TLS_ENUM_SSL3_SUITES;
		if (n == 0)
			return -1;
		memmove(e->suites, suites, n * sizeof(*suites));
		memset(&c, 0, sizeof(c));
		c.version = tls_enum_versions[proto];
		c.suites = e->suites;
		c.nsuites = n;
		c.host = e->facts->sni;
		c.random = random;
		len = tls_hello_encode(&c, e->hello, sizeof(e->hello), &err);
		e->offer.version = c.version;
		e->offer.suites = e->suites;
		e->offer.nsuites = n;
	}
	if (len < 0) {
		log_warnx("%s: tls probe: %s", e->facts->ip, err.msg);
		return -1;
	}
	e->cfg.hello = e->hello;
	e->cfg.hello_len = (size_t)len;
	e->cfg.hello_out = &e->result;
	return 0;
}

/* tls_enum_silent - the hello went out and nothing came back in time */
static bool
tls_enum_silent(const struct addr_facts *scratch)
{
	return scratch->fail == SMTP_FAIL_TIMEOUT &&
	    scratch->fail_stage == SMTP_STAGE_HANDSHAKE;
}

/* tls_enum_reached - the hello went out: the conversation got that far */
static bool
tls_enum_reached(const struct addr_facts *scratch)
{
	if (scratch->fail != SMTP_FAIL_NONE &&
	    scratch->fail_stage < SMTP_STAGE_HANDSHAKE)
		return false;
	return scratch->implicit_tls || scratch->starttls_code == 220;
}

/* tls_enum_spoke - the server has answered some hello of ours */
static bool
tls_enum_spoke(const struct tls_enum *g)
{
	return g->answered || g->facts->tls.ok;
}

/*
 * tls_enum_settle - versions whose hello met silence: "no" once the
 * server is known to answer other hellos, unknown otherwise
 */
static void
tls_enum_settle(struct tls_enum *g)
{
	struct tls_probe_info *pi = &g->facts->probes;
	int v;

	for (v = 0; v < TLS_PROTO_TLS13 && tls_enum_spoke(g); v++)
		if ((g->silent_proto & (1u << v)) && pi->proto[v] < 0)
			pi->proto[v] = 0;
}

/* tls_enum_answer - 1 accepted, 0 refused, -1 unknown */
static int
tls_enum_answer(const struct tls_lane *e, const struct addr_facts *scratch,
    bool family, uint16_t *suite, uint16_t *version)
{
	struct tls_hello_verdict v;

	if (!scratch->implicit_tls && scratch->starttls_code != 220)
		return -1; /* never got to ask */
	if (scratch->implicit_tls && scratch->fail_stage == SMTP_STAGE_CONNECT)
		return -1;
	if (tls_enum_silent(scratch))
		return -1; /* the caller knows better (tls_enum_settle) */
	tls_hello_classify(&e->result, &e->offer, &v);
	*suite = (uint16_t)v.cipher;
	*version = v.version;
	switch (v.outcome) {
	case TLS_HELLO_ACCEPTED:
		return 1;
	case TLS_HELLO_SSL2_NO_CIPHERS:
	case TLS_HELLO_ACCEPTED_UNOFFERED:
		/* the version is on, though not with what we offered */
		return family ? 0 : 1;
	case TLS_HELLO_REJECTED_VERSION:
	case TLS_HELLO_REJECTED_ALERT:
	case TLS_HELLO_REJECTED_SSL2_ERROR:
	case TLS_HELLO_VERSION_HIGHER:
	case TLS_HELLO_OTHER_PROTOCOL:
	case TLS_HELLO_GARBAGE:
	case TLS_HELLO_CLOSED:
		/* hanging up on a hello is how many servers say no */
		return 0;
	default:
		return -1;
	}
}

/* tls_enum_give_up - ask this server nothing more: the rest stay unknown */
static void
tls_enum_give_up(struct tls_lane *e, const char *why)
{
	log_info("%s:%u: tls probes: %s", e->facts->ip, e->facts->port, why);
	addr_facts_unref(e->scratch);
	e->scratch = NULL;
	e->grp->abandoned = true;
	tls_lane_idle(e);
}

static void
tls_enum_on_probe(struct addr_facts *scratch, void *arg)
{
	struct tls_lane *e = arg;
	struct tls_probe_info *pi = &e->facts->probes;
	uint16_t suite = 0, version = 0;
	bool silent;
	int a;

	e->probe = NULL;
	pi->connections++;
	/*
	 * A server that stops answering (deadlines, refusals) would cost a
	 * deadline per question: after TLS_ENUM_MAXLOST in a row, stop asking
	 * and leave the rest unknown.
	 */
	if (scratch->fail != SMTP_FAIL_NONE &&
	    scratch->fail_stage < SMTP_STAGE_HANDSHAKE &&
	    ++e->lost >= TLS_ENUM_MAXLOST) {
		tls_enum_give_up(e, "the server stopped answering");
		return;
	}
	if (scratch->fail == SMTP_FAIL_NONE ||
	    scratch->fail_stage >= SMTP_STAGE_HANDSHAKE)
		e->lost = 0;
	silent = tls_enum_silent(scratch);
	if (silent && !tls_enum_spoke(e->grp) &&
	    ++e->grp->silent >= TLS_ENUM_MAXLOST) {
		tls_enum_give_up(e, "no answer to any hello");
		return;
	}
	if (!silent && tls_enum_reached(scratch))
		e->grp->answered = true;
	switch (e->phase) {
	case TLS_ENUM_PHASE_VERSIONS:
		pi->proto[e->step] = (signed char)tls_enum_answer(
		    e, scratch, false, &suite, &version);
		if (silent)
			e->grp->silent_proto |= 1u << e->step;
		if (e->step == TLS_PROTO_SSL2 && pi->proto[e->step] == 1) {
			/* SERVER-HELLO lists what it can of what we offered */
			pi->nssl2_kinds = e->result.nssl2_specs;
			if (pi->nssl2_kinds > 16)
				pi->nssl2_kinds = 16;
			memcpy(pi->ssl2_kinds, e->result.ssl2_specs,
			    pi->nssl2_kinds * sizeof(pi->ssl2_kinds[0]));
		}
		e->step++;
		break;
	case TLS_ENUM_PHASE_FAMILIES:
		a = tls_enum_answer(e, scratch, true, &suite, &version);
		/* asked at an accepted version: silence is no */
		if (silent && tls_enum_spoke(e->grp))
			a = 0;
		if (a == 1) {
			pi->weak[e->family] = 1;
			pi->weak_suite[e->family] = suite;
			pi->weak_version[e->family] = version;
		} else if (a == 0 && pi->weak[e->family] != 1) {
			pi->weak[e->family] = 0;
		}
		e->at++;
		break;
	case TLS_ENUM_PHASE_FS:
		/* asked at the highest accepted version only */
		pi->fs = (signed char)tls_enum_answer(
		    e, scratch, true, &suite, &version);
		if (pi->fs < 0)
			e->fsat++;
		e->phase = TLS_ENUM_PHASE_FAMILIES;
		break;
	case TLS_ENUM_PHASE_ORDER:
		if (tls_enum_list_at[e->oq / 2] == TLS_PROTO_TLS13) {
			suite = tls_enum_tls13_answer(scratch);
			a = suite != 0 ? 1
			    : scratch->fail != SMTP_FAIL_NONE &&
			        scratch->fail_stage < SMTP_STAGE_HANDSHAKE
			    ? -1
			    : 0;
		} else {
			a = tls_enum_answer(e, scratch, true, &suite, &version);
		}
		e->grp->first[e->oq / 2][e->oq % 2] = a == 1 ? suite : a;
		e->oq++;
		break;
	case TLS_ENUM_PHASE_CIPHERS:
		if (e->chain->v == TLS_PROTO_TLS13) {
			suite = tls_enum_tls13_answer(scratch);
			tls_enum_found(e, suite, suite != 0 ? 1 : 0);
			break;
		}
		a = tls_enum_answer(e, scratch, true, &suite, &version);
		tls_enum_found(e, a == 1 ? suite : 0, a);
		break;
	}
	addr_facts_unref(e->scratch);
	e->scratch = NULL;
	tls_enum_next(e);
}

/*
 * tls_enum_found - a --ciphers answer: the server chose suite (0: none
 * of those left in the chain)
 */
static void
tls_enum_found(struct tls_lane *e, uint16_t suite, int answer)
{
	struct tls_chain *c = e->chain;
	size_t i;

	for (i = 0; suite != 0 && i < c->nleft; i++)
		if (c->left[i] == suite)
			break;
	if (suite != 0 && i < c->nleft && c->nfound < TLS_PROBE_MAXCIPHERS) {
		c->found[c->nfound++] = suite;
		memmove(&c->left[i], &c->left[i + 1],
		    (c->nleft - i - 1) * sizeof(c->left[0]));
		c->nleft--;
		return;
	}
	/* an SSLv3 hello holds 100 suites: the next ones may still be on */
	if (answer == 0 && c->v == TLS_PROTO_SSL3 &&
	    c->nleft > TLS_ENUM_SSL3_SUITES) {
		memmove(c->left, c->left + TLS_ENUM_SSL3_SUITES,
		    (c->nleft - TLS_ENUM_SSL3_SUITES) * sizeof(c->left[0]));
		c->nleft -= TLS_ENUM_SSL3_SUITES;
		return;
	}
	c->nleft = 0;
}

/* tls_enum_take - a chain nobody works on yet, or NULL */
static struct tls_chain *
tls_enum_take(struct tls_enum *g)
{
	size_t i;

	for (i = 0; i < g->nchains; i++) {
		if (!g->chains[i]->busy && !g->chains[i]->done) {
			g->chains[i]->busy = true;
			return g->chains[i];
		}
	}
	return NULL;
}

/* tls_enum_chain - a new chain over list[0 .. n) at v */
static void
tls_enum_chain(
    struct tls_enum *g, enum tls_proto v, const uint16_t *list, size_t n)
{
	struct tls_chain *c;

	if (n == 0 || g->nchains == TLS_ENUM_MAXCHAINS)
		return;
	c = g->chains[g->nchains++] = xcalloc(1, sizeof(*c));
	c->v = v;
	memcpy(c->left, list, n * sizeof(*list));
	c->nleft = n;
}

/*
 * tls_enum_plan - the chains of the accepted versions, from the order
 * questions' answers: one per version in the server's order, one per lane
 * in ours (SSLv3's 100-suite hellos keep it to one chain).
 */
static void
tls_enum_plan(struct tls_enum *g)
{
	const struct tls_probe_info *pi = &g->facts->probes;
	uint16_t all[TLS_ENUM_MAXSUITES];
	size_t lv, n, per, from;
	enum tls_proto v;
	int fwd, rev;

	for (lv = 0; lv < TLS_ENUM_NLIST; lv++) {
		v = tls_enum_list_at[lv];
		if (pi->proto[v] != 1)
			continue;
		n = tls_enum_all(v, all);
		fwd = g->first[lv][0];
		rev = g->first[lv][1];
		if (v == TLS_PROTO_SSL3 || fwd <= 0 || rev <= 0 || fwd == rev ||
		    g->nlanes == 1) {
			tls_enum_chain(g, v, all, n);
			continue;
		}
		per = (n + (size_t)g->nlanes - 1) / (size_t)g->nlanes;
		for (from = 0; from < n; from += per)
			tls_enum_chain(
			    g, v, all + from, from + per > n ? n - from : per);
	}
}

/* tls_enum_merge - the chains' suites into the result, and whose order */
static void
tls_enum_merge(struct tls_enum *g)
{
	struct tls_probe_info *pi = &g->facts->probes;
	struct tls_cipher_list *cl;
	const struct tls_chain *c;
	size_t lv, i, k, nchains;
	int fwd, rev;

	for (lv = 0; lv < TLS_ENUM_NLIST; lv++) {
		cl = &pi->ciphers[tls_enum_list_at[lv]];
		nchains = 0;
		for (i = 0; i < g->nchains; i++) {
			c = g->chains[i];
			if (c->v != tls_enum_list_at[lv])
				continue;
			nchains++;
			for (k = 0;
			     k < c->nfound && cl->n < TLS_PROBE_MAXCIPHERS; k++)
				cl->suites[cl->n++] = c->found[k];
		}
		if (nchains == 0 || cl->n < 2)
			continue;
		fwd = g->first[lv][0];
		rev = g->first[lv][1];
		if (fwd > 0 && rev > 0)
			cl->server_order = fwd == rev ? 1 : 0;
	}
}

/* tls_enum_on_wait - the rate allows the conversation now */
static void
tls_enum_on_wait(evutil_socket_t fd, short what, void *arg)
{
	struct tls_lane *e = arg;

	(void)fd;
	(void)what;
	e->probe = smtp_probe_start(&e->cfg, e->scratch, tls_enum_on_probe, e);
}

/* tls_enum_ask - start the conversation for the question in e */
static void
tls_enum_ask(struct tls_lane *e)
{
	struct addr_facts *f = e->facts;
	struct tls_enum *g = e->grp;
	struct timeval tv;
	double d;

	e->scratch = addr_facts_new(f->ip, f->family, f->port, f->sni);
	e->scratch->implicit_tls = f->implicit_tls;
	memset(&e->result, 0, sizeof(e->result));
	d = g->slots.pace != NULL ? g->slots.pace(g->slots.arg) : 0;
	if (d > 0) {
		tv.tv_sec = (time_t)d;
		tv.tv_usec = (suseconds_t)((d - (double)tv.tv_sec) * 1e6);
		evtimer_add(e->wait, &tv);
		return;
	}
	e->probe = smtp_probe_start(&e->cfg, e->scratch, tls_enum_on_probe, e);
}

/* tls_lane_idle - e has no question left in this stage */
static void
tls_lane_idle(struct tls_lane *e)
{
	struct tls_enum *g = e->grp;
	struct timeval now = { 0, 0 };

	if (++g->idle == g->nlanes)
		evtimer_add(g->kick, &now); /* the next stage, from the loop */
}

/* tls_enum_next - the next question worth asking, or the end */
static void
tls_enum_next(struct tls_lane *e)
{
	struct tls_probe_info *pi = &e->facts->probes;
	const size_t nat =
	    sizeof(tls_enum_family_at) / sizeof(tls_enum_family_at[0]);
	uint16_t all[TLS_ENUM_MAXSUITES], rev[TLS_ENUM_MAXSUITES];
	size_t nall;
	enum tls_proto v;
	const int n = e->grp->nlanes;
	size_t i;

	if (e->grp->abandoned) {
		tls_lane_idle(e);
		return;
	}
	switch (e->phase) {
	case TLS_ENUM_PHASE_VERSIONS:
		for (; e->step < TLS_PROTO_TLS13; e->step++) {
			if (e->step % n != e->index)
				continue;
			if (tls_enum_encode(e, (enum tls_proto)e->step,
			        TLS_SUITE_SET_ALL) == 0) {
				tls_enum_ask(e);
				return;
			}
		}
		break;
	case TLS_ENUM_PHASE_FS:
	case TLS_ENUM_PHASE_FAMILIES:
		for (; e->family < TLS_WEAK_MAX; e->family++, e->at = 0) {
			if (pi->weak[e->family] == 1 ||
			    e->family % n != e->index)
				continue;
			for (; (size_t)e->at < nat; e->at++) {
				v = tls_enum_family_at[e->at];
				if (pi->proto[v] != 1 ||
				    tls_enum_encode(
				        e, v, tls_enum_sets[e->family]) != 0)
					continue;
				tls_enum_ask(e);
				return;
			}
		}
		/* forward secrecy: only ephemeral, authenticated suites */
		for (; pi->fs < 0 && TLS_WEAK_MAX % n == e->index &&
		     (size_t)e->fsat < nat;
		     e->fsat++) {
			v = tls_enum_family_at[e->fsat];
			if (pi->proto[v] != 1 || tls_enum_fs(e, v) != 0)
				continue;
			e->phase = TLS_ENUM_PHASE_FS;
			tls_enum_ask(e);
			return;
		}
		break;
	case TLS_ENUM_PHASE_ORDER:
		for (; e->oq < 2 * (int)TLS_ENUM_NLIST; e->oq++) {
			v = tls_enum_list_at[e->oq / 2];
			if (pi->proto[v] != 1 || e->oq % n != e->index)
				continue;
			nall = tls_enum_all(v, all);
			if (v == TLS_PROTO_SSL3 && nall > TLS_ENUM_SSL3_SUITES)
				nall = TLS_ENUM_SSL3_SUITES;
			for (i = 0; e->oq % 2 == 1 && i < nall; i++)
				rev[i] = all[nall - 1 - i];
			if (tls_enum_offer(e, v, e->oq % 2 ? rev : all, nall) ==
			    0) {
				tls_enum_ask(e);
				return;
			}
		}
		break;
	case TLS_ENUM_PHASE_CIPHERS:
		for (;;) {
			if (e->chain != NULL && e->chain->nleft == 0) {
				e->chain->busy = false;
				e->chain->done = true;
				e->chain = NULL;
			}
			if (e->chain == NULL)
				e->chain = tls_enum_take(e->grp);
			if (e->chain == NULL)
				break;
			if (tls_enum_offer(e, e->chain->v, e->chain->left,
			        e->chain->nleft) == 0) {
				tls_enum_ask(e);
				return;
			}
			e->chain->nleft = 0;
		}
		break;
	}
	tls_lane_idle(e);
}

static void
tls_enum_free(struct tls_enum *g)
{
	size_t k;
	int i;

	for (i = 0; i < g->nlanes; i++) {
		smtp_probe_cancel(g->lanes[i]->probe);
		addr_facts_unref(g->lanes[i]->scratch);
		if (g->lanes[i]->wait != NULL)
			event_free(g->lanes[i]->wait);
		free(g->lanes[i]);
	}
	for (k = 0; k < g->nchains; k++)
		free(g->chains[k]);
	event_free(g->kick);
	addr_facts_unref(g->facts);
	free(g);
}

/* tls_enum_finish - every stage ran: give the extra slots back, report */
static void
tls_enum_finish(struct tls_enum *g)
{
	int i;

	g->facts->probes.ran = true;
	for (i = 1; i < g->nlanes; i++)
		g->slots.release(g->slots.arg);
	g->cb(g->facts, g->arg);
	tls_enum_free(g);
}

/* tls_enum_on_kick - start a run, or the next stage once all lanes idle */
static void
tls_enum_on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct tls_enum *g = arg;
	struct tls_lane *l;
	int i, n = g->nlanes;

	(void)fd;
	(void)what;
	if (g->idle == n) {
		g->idle = 0;
		tls_enum_settle(g);
		if (g->abandoned || g->stage == TLS_ENUM_PHASE_CIPHERS ||
		    (g->stage == TLS_ENUM_PHASE_FAMILIES &&
		        !(g->flags & TLS_ENUM_CIPHERS))) {
			if (g->stage == TLS_ENUM_PHASE_CIPHERS)
				tls_enum_merge(g);
			tls_enum_finish(g);
			return;
		}
		switch (g->stage) {
		case TLS_ENUM_PHASE_VERSIONS:
			g->stage = TLS_ENUM_PHASE_FAMILIES;
			break;
		case TLS_ENUM_PHASE_FAMILIES:
			g->stage = TLS_ENUM_PHASE_ORDER;
			break;
		default:
			g->stage = TLS_ENUM_PHASE_CIPHERS;
			g->facts->probes.enumerated = true;
			tls_enum_plan(g);
			break;
		}
		for (i = 0; i < n; i++) {
			l = g->lanes[i];
			l->phase = g->stage;
			l->family = l->at = l->fsat = l->oq = 0;
			l->chain = NULL;
		}
	}
	/* the last lane may end the stage: n, not g->nlanes, after it */
	for (i = 0; i < n; i++)
		tls_enum_next(g->lanes[i]);
}

struct tls_enum *
tls_enum_start(const struct smtp_probe_config *cfg, struct addr_facts *facts,
    unsigned flags, const struct tls_enum_slots *slots, tls_enum_cb cb,
    void *arg)
{
	struct tls_enum *g = xcalloc(1, sizeof(*g));
	struct tls_lane *l;
	struct timeval now = { 0, 0 };
	int i;

	g->facts = addr_facts_ref(facts);
	g->flags = flags;
	g->cb = cb;
	g->arg = arg;
	g->slots = *slots;
	g->stage = TLS_ENUM_PHASE_VERSIONS;
	memset(g->first, 0xff, sizeof(g->first)); /* -1: not asked */
	/* one lane on the endpoint's own slot, more where --per-ip allows */
	g->nlanes = 1;
	while (g->nlanes < TLS_ENUM_MAXLANES && g->slots.acquire != NULL &&
	    g->slots.acquire(g->slots.arg))
		g->nlanes++;
	for (i = 0; i < g->nlanes; i++) {
		l = g->lanes[i] = xcalloc(1, sizeof(*l));
		l->grp = g;
		l->index = i;
		l->cfg = *cfg;
		l->cfg.transcript = false;
		l->facts = facts;
		l->step = TLS_PROTO_SSL2;
		l->phase = TLS_ENUM_PHASE_VERSIONS;
		l->wait = evtimer_new(cfg->base, tls_enum_on_wait, l);
	}
	/* the receiver test's own hello met silence: one strike already */
	if (facts->tls.attempted && !facts->tls.ok && tls_enum_silent(facts))
		g->silent = 1;
	/* TLS 1.3: what the receiver test's OpenSSL handshake negotiated */
	if (facts->tls.ok && facts->tls.version != NULL)
		facts->probes.proto[TLS_PROTO_TLS13] =
		    strcmp(facts->tls.version, "TLSv1.3") == 0 ? 1 : 0;
	g->kick = evtimer_new(cfg->base, tls_enum_on_kick, g);
	evtimer_add(g->kick, &now);
	return g;
}

void
tls_enum_cancel(struct tls_enum *g)
{
	if (g == NULL)
		return;
	tls_enum_free(g);
}
