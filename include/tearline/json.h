/*
 * json.h: strict JSON parsing and the two serializations tearline writes.
 *
 * tearline uses jansson values (json_t) in its API. Canonical form is
 * RFC 8785 (JSON Canonicalization Scheme): what signatures are computed over
 * and what the store keeps. Thread-safe: every function here is reentrant.
 */
#ifndef TEARLINE_JSON_H
#define TEARLINE_JSON_H

#include "tearline/tearline.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parses one JSON value from data[0..len) strictly: duplicate object keys,
 * invalid UTF-8, NUL characters and trailing content are errors.
 * On success *out (OUT) is a new reference (json_decref it). On failure
 * returns TL_EJSON and writes "LINE:COLUMN: reason" to errmsg[0..errcap).
 */
TL_API tl_err tl_json_parse(const char *data, size_t len, json_t **out, char *errmsg,
                            size_t errcap);

/*
 * RFC 8785 canonical serialization of v: object members sorted by their
 * UTF-16 code units, no whitespace, minimal string escaping, numbers in
 * ECMAScript shortest round-trip form. *out (OUT) is NUL-terminated, its
 * length in *len; free it with tl_free(). Returns TL_EINVAL for a value
 * that has no canonical form (a non-finite number), TL_ENOMEM.
 */
TL_API tl_err tl_json_canonical(const json_t *v, char **out, size_t *len);

/*
 * The readable form: the canonical form with two-space indentation and a
 * newline after each member. Same ownership and errors as tl_json_canonical().
 */
TL_API tl_err tl_json_pretty(const json_t *v, char **out, size_t *len);

/*
 * Writes the ECMAScript shortest round-trip form of d (RFC 8785 §3.2.2.3)
 * into out[0..32). Returns TL_EINVAL if d is NaN or infinite.
 */
TL_API tl_err tl_json_number(double d, char out[32]);

#ifdef __cplusplus
}
#endif
#endif
