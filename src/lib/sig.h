/* sig.h: the tearline signature extension on exchanged objects (internal). */
#ifndef TL_SIG_H
#define TL_SIG_H

#include "tearline/node.h"

#include <jansson.h>

/*
 * The keys a partner's signatures are accepted from: first the one the
 * agreement in force names for it, then the earlier keys it rotated from.
 */
#define TL_KEYSET_MAX 16
typedef struct tl_keyset {
    size_t n;
    unsigned char pk[TL_KEYSET_MAX][32];
} tl_keyset;

/*
 * Checks o's signature extension (TL_SIG_EXT_ID): its public key must be one
 * of ks and its Ed25519 signature must verify over the RFC 8785 form of o
 * without the extension. TL_ECRYPTO with the reason in why (no signature,
 * another signer's key, a signature that fails), TL_ENOMEM.
 */
tl_err tl__sig_verify(const json_t *o, const tl_keyset *ks, char *why, size_t cap);

/*
 * Adds the signature extension to o: signer (a STIX identity id), the public
 * half of sk, and the Ed25519 signature over the RFC 8785 form of o as it
 * was. TL_ENOMEM.
 */
tl_err tl__sig_add(json_t *o, const unsigned char sk[64], const char *signer);

/*
 * The keys partner signs with (see tl_keyset). The one in force is its party
 * key in the agreement in force with it. If a key was pinned with `tearline
 * partner add --key`, the key in force must be it or descend from it; if
 * not, from the partner's key in the earliest version held of that
 * agreement. A key descends from another when a version of the agreement
 * names it and carries the other's endorsement. TL_ENOTFOUND (no agreement
 * in force), TL_ECONFLICT (the key in force is not trusted), with the
 * reason on n.
 */
tl_err tl__partner_keys(tl_node *n, const char *partner, tl_keyset *ks);

#endif
