/* jcs.h: canonical and pretty JSON writers into a buffer (internal). */
#ifndef TL_JCS_H
#define TL_JCS_H

#include "buf.h"
#include "tearline/json.h"

#include <stdint.h>

/* jansson's iteration API takes non-const values though it does not modify them. */
static inline json_t *tl__json_mut(const json_t *v)
{
    union {
        const json_t *c;
        json_t *m;
    } u = {v};
    return u.m;
}

/* The string value of v, or dflt when v is not a string. */
static inline const char *tl__json_str(const json_t *v, const char *dflt)
{
    const char *s = json_string_value(v);
    return s ? s : dflt;
}

/*
 * Appends v to b in canonical form (indent < 0) or pretty form with the given
 * starting depth (indent >= 0). Returns TL_OK, TL_EINVAL (non-finite number)
 * or TL_ENOMEM (b->oom set).
 */
tl_err tl__jcs_write(struct tl_buf *b, const json_t *v, int indent);

/*
 * As tl__jcs_write(b, v, -1) with the member at path skip (NULL-terminated
 * keys: {"extensions", ID, NULL}) left out, and any object on the path that
 * it leaves empty left out too: the canonical form v would have without it.
 */
tl_err tl__jcs_write_except(struct tl_buf *b, const json_t *v, const char *const *skip);

/*
 * As tl__jcs_write(b, v, -1), and also TL_EINVAL when a number's
 * canonical form is an integer literal beyond ±(2^53-1): JSON cannot exchange
 * such a number exactly (STIX requires integers within that range) and the
 * JSON reader cannot read it back. *bad (OUT) receives the offending value.
 */
tl_err tl__jcs_write_strict(struct tl_buf *b, const json_t *v, double *bad);

/*
 * The keys of object o in byte order (strcmp): *keys (OUT, tl_free it)
 * points at o's own key strings, valid while o is unchanged; *n is their
 * number. TL_ENOMEM.
 */
tl_err tl__json_sorted_keys(const json_t *o, const char ***keys, size_t *n);

/*
 * Parses the text this node stored itself (canonical, validated at ingest)
 * with tl__json_parse_canonical, and with jansson (without tl_json_parse's
 * check for duplicate members) if that gives up. Never for input from outside.
 */
tl_err tl__json_parse_stored(const char *data, size_t len, json_t **out);

/*
 * The fast reader for RFC 8785 text alone: TL_OK with the value jansson
 * would read, or TL_EJSON for anything else (white space, a NUL, invalid
 * UTF-8, a number out of range, nesting past 64, a syntax error), never a
 * different value.
 */
tl_err tl__json_parse_canonical(const char *data, size_t len, json_t **out);

/* Appends s[0..n) as a JSON string literal with RFC 8785 escaping. */
void tl__jcs_string(struct tl_buf *b, const char *s, size_t n);

/* Compares two UTF-8 strings by UTF-16 code units (RFC 8785 member order). */
int tl__utf16_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
