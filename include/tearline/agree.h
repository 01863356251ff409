/*
 * agree.h: sharing agreements between partners.
 *
 * An agreement is a versioned JSON document (docs/agreements.md) that every
 * party signs with its node's Ed25519 key over the RFC 8785 canonical form
 * of the document without its "signatures" member. Only an agreement signed
 * by every party and currently valid allows release to a party. Any change
 * is a new version that needs every signature again, so either party can
 * prove exactly what was agreed.
 *
 * A tl_agreement is immutable once parsed and may be read from several
 * threads; node functions follow the tl_node rules (one thread at a time).
 */
#ifndef TEARLINE_AGREE_H
#define TEARLINE_AGREE_H

#include "tearline/node.h"
#include "tearline/tearline.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_agreement tl_agreement;

/* Largest agreement document accepted, in bytes. */
#define TL_AGREEMENT_MAX (4u << 20)

/*
 * Parses and validates an agreement document (with or without signatures).
 * Every signature present must verify against its party's public key.
 * name is used in messages. *out (OUT) is freed with tl_agreement_free().
 * Errors: TL_EJSON, TL_EINVAL (not a valid agreement: the message names the
 * member and what was expected), TL_ECRYPTO (a signature does not verify),
 * TL_ELIMIT, TL_ENOMEM; the message goes to errmsg[0..errcap).
 */
TL_API tl_err tl_agreement_parse(const char *name, const char *data, size_t len, tl_agreement **out,
                                 char *errmsg, size_t errcap);

/*
 * As tl_agreement_parse(), reading the document from path (at most
 * TL_AGREEMENT_MAX bytes). TL_EIO if it cannot be read.
 */
TL_API tl_err tl_agreement_parse_file(const char *path, tl_agreement **out, char *errmsg,
                                      size_t errcap);

/* Frees a. Accepts NULL. */
TL_API void tl_agreement_free(tl_agreement *a);

/* Its id ("agreement--UUID"), version (1, 2, ...) and title; owned by a. */
TL_API const char *tl_agreement_id(const tl_agreement *a);
TL_API int64_t tl_agreement_version(const tl_agreement *a);
TL_API const char *tl_agreement_title(const tl_agreement *a);

/* Validity window, microseconds since the epoch. */
TL_API int64_t tl_agreement_valid_from(const tl_agreement *a);
TL_API int64_t tl_agreement_valid_until(const tl_agreement *a);

/* The parties: count, and the code of party i (NULL past the end). */
TL_API size_t tl_agreement_party_count(const tl_agreement *a);
TL_API const char *tl_agreement_party(const tl_agreement *a, size_t i);

/* Nonzero if party code is a party / has a (verified) signature on a. */
TL_API int tl_agreement_has_party(const tl_agreement *a, const char *code);
TL_API int tl_agreement_signed_by(const tl_agreement *a, const char *code);

/* Copies party code's Ed25519 key into pk; 0 if code is not a party. */
TL_API int tl_agreement_party_key(const tl_agreement *a, const char *code, unsigned char pk[32]);

/*
 * Nonzero if a carries, for party code, a verified endorsement: the party's
 * earlier key, copied into key, signed this same text too, vouching for the
 * key a names (key rotation; see docs/agreements.md).
 */
TL_API int tl_agreement_endorser(const tl_agreement *a, const char *code, unsigned char key[32]);

/* Nonzero if every party has signed. */
TL_API int tl_agreement_countersigned(const tl_agreement *a);

/* Nonzero if countersigned and now_us lies in [valid_from, valid_until). */
TL_API int tl_agreement_in_force(const tl_agreement *a, int64_t now_us);

/*
 * The signed text: RFC 8785 canonical form without "signatures"
 * (with_signatures 0), or the whole document with them (1). *out (OUT) is
 * freed with tl_free().
 */
TL_API tl_err tl_agreement_canonical(const tl_agreement *a, int with_signatures, char **out,
                                     size_t *len);

/* The document (with signatures) as a jansson value; borrowed from a. */
TL_API const json_t *tl_agreement_json(const tl_agreement *a);

/*
 * Lists the top-level members in which the signed texts of a and b differ,
 * comma-separated, into out[0..cap) ("" if none). Returns the count.
 */
TL_API int tl_agreement_diff(const tl_agreement *a, const tl_agreement *b, char *out, size_t cap);

/* ---- agreements held by a node ---- */

/*
 * Records a proposal read from path: a new agreement, or a new version of
 * one (its version must be higher than any held). This node must be a
 * party with its own public key. *out (OUT, may be NULL) receives the stored
 * agreement. TL_ECONFLICT if that (id, version) is held with other text.
 */
TL_API tl_err tl_node_agree_propose(tl_node *n, const char *path, tl_agreement **out);

/*
 * Signs (id, version) with the node's key; version 0 means the latest held.
 * Signing twice is harmless. TL_ENOTFOUND if not held.
 */
TL_API tl_err tl_node_agree_sign(tl_node *n, const char *id, int64_t version, tl_agreement **out);

/*
 * Imports a partner's copy (usually countersigned): its text must equal the
 * text held for that (id, version), if any, and this node must be a party;
 * signatures are merged. TL_ECONFLICT names the members that differ.
 */
TL_API tl_err tl_node_agree_import(tl_node *n, const char *path, tl_agreement **out);

/* The held (id, version); version 0: the latest. TL_ENOTFOUND if none. */
TL_API tl_err tl_node_agree_get(tl_node *n, const char *id, int64_t version, tl_agreement **out);

/* Every held agreement version, by id then version. Return nonzero from cb to stop. */
typedef int (*tl_agreement_cb)(const tl_agreement *a, void *ud);
TL_API tl_err tl_node_agree_list(tl_node *n, tl_agreement_cb cb, void *ud);

/*
 * The agreement in force with partner at now_us: the highest version,
 * among agreements whose parties include this node and partner, that is
 * countersigned and within its validity. TL_ENOTFOUND (with the reason in
 * tl_node_errmsg) if there is none: then nothing may be released to partner.
 */
TL_API tl_err tl_node_agree_in_force(tl_node *n, const char *partner, int64_t now_us,
                                     tl_agreement **out);

#ifdef __cplusplus
}
#endif
#endif
