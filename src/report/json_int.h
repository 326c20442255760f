/* SPDX-License-Identifier: ISC */
/*
 * json_int - the JSON writer's building blocks, shared by its files
 * (json.c: the mail transport; json_records.c: SPF, DMARC, TLS-RPT and
 * the BOD 18-01 verdict). Every allocation failure is fatal.
 */
#ifndef MX_REPORT_JSON_INT_H
#define MX_REPORT_JSON_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/result.h"

/* report_json_set - o[key] = v (stolen) */
void report_json_set(json_t *o, const char *key, json_t *v);
/* report_json_push - append v (stolen) to the array a */
void report_json_push(json_t *a, json_t *v);
json_t *report_json_object(void);
json_t *report_json_array(void);
/* report_json_str - a C string, or null for NULL */
json_t *report_json_str(const char *s);
/* report_json_str0 - a C string the schema requires, "" for NULL */
json_t *report_json_str0(const char *s);
json_t *report_json_strv(char *const *v, size_t n);
json_t *report_json_bool(bool b);
json_t *report_json_int(long long v);
/* report_json_int_if - v, or null when it is not known */
json_t *report_json_int_if(bool known, long long v);
/* report_json_tristate - 1 true, 0 false, -1 null */
json_t *report_json_tristate(signed char v);
/* report_json_dns - one query's outcome (schema: dns_answer) */
json_t *report_json_dns(const struct dns_answer_info *a);

/* json_records.c */
json_t *report_json_spf(const struct domain_result *r);
json_t *report_json_dmarc(const struct domain_result *r);
json_t *report_json_tlsrpt(const struct domain_result *r);
json_t *report_json_bod1801(const struct domain_result *r);

/*
 * json_web.c: "web" (endpoints and pshtt's conclusions) and
 * "bod1801.web"; each null when the web side did not run
 */
json_t *report_json_web(const struct domain_result *r);
json_t *report_json_bod1801_web(const struct domain_result *r);

#endif
