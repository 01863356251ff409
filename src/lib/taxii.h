/*
 * taxii.h: TAXII 2.1 request parameters, paging cursors and the resources
 * the server writes, apart from HTTP (internal; the server and its fuzz
 * target use it).
 */
#ifndef TL_TAXII_H
#define TL_TAXII_H

#include "tearline/tearline.h"

#include "buf.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define TL_TAXII_MEDIA "application/taxii+json;version=2.1"
#define TL_STIX_MEDIA "application/stix+json;version=2.1"
#define TL_TAXII_DEFAULT_LIMIT 100
#define TL_TAXII_MAX_LIMIT 1000
#define TL_TAXII_MAX_ARG 4096 /* bytes in one query parameter value */

/* The query parameters of one request, as given (each at most once). */
struct tl_taxii_args {
    int64_t added_after; /* microseconds; -1: none */
    size_t limit;        /* 0: none given */
    char *next;
    char *match[4];                      /* id, type, version, spec_version: the raw lists */
    int seen;                            /* bit per parameter, to refuse repeats */
    char vkeys[TL_OUTBOX_MAX_MATCH][64]; /* exact versions as keys */
};

enum { TL_MATCH_ID, TL_MATCH_TYPE, TL_MATCH_VERSION, TL_MATCH_SPEC_VERSION };

void tl__taxii_args_init(struct tl_taxii_args *a);
void tl__taxii_args_free(struct tl_taxii_args *a);

/*
 * Takes one query parameter. TL_EINVAL with the reason in why for a
 * malformed or repeated one (the client gets 400); unknown ones are ignored.
 */
tl_err tl__taxii_arg(struct tl_taxii_args *a, const char *key, const char *value, char *why,
                     size_t cap);

/*
 * The outbox query for args on an endpoint that allows the match fields in
 * allowed (bits of 1 << TL_MATCH_*), for partner, resuming after a cursor.
 * q's strings point into args (split in place): keep args alive. *none
 * (OUT) is set when the query cannot match anything (a spec_version other
 * than 2.1). TL_EINVAL with why: a bad value, `all` mixed with others, a
 * cursor that is not this caller's for this query.
 */
tl_err tl__taxii_query(struct tl_taxii_args *a, unsigned allowed, const char *partner,
                       const unsigned char key[32], tl_outbox_query *q, int *none, char *why,
                       size_t cap);

/*
 * The cursor that resumes the query of args for partner after date_added
 * `added`: bound to the partner and the filters (not the page size).
 */
void tl__taxii_cursor(const struct tl_taxii_args *a, unsigned allowed, const char *partner,
                      const unsigned char key[32], int64_t added, char out[96]);

/* A STIX version key as a timestamp: "YYYY-MM-DDTHH:MM:SS.sss[sss...]Z". */
void tl__taxii_version(const char *key, char out[48]);

/* Appends s as a JSON string. */
void tl__taxii_json_str(struct tl_buf *b, const char *s);

#endif
