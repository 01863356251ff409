/* sig.h: the tearline signature extension on exchanged objects (internal). */
#ifndef TL_SIG_H
#define TL_SIG_H

#include "tearline/node.h"

#include <jansson.h>

/*
 * Checks o's signature extension (TL_SIG_EXT_ID): its public key must be pk
 * and its Ed25519 signature must verify over the RFC 8785 form of o without
 * the extension. TL_ECRYPTO with the reason in why (no signature, another
 * signer's key, a signature that fails), TL_ENOMEM.
 */
tl_err tl__sig_verify(const json_t *o, const unsigned char pk[32], char *why, size_t cap);

/*
 * Adds the signature extension to o: signer (a STIX identity id), the public
 * half of sk, and the Ed25519 signature over the RFC 8785 form of o as it
 * was. TL_ENOMEM.
 */
tl_err tl__sig_add(json_t *o, const unsigned char sk[64], const char *signer);

/*
 * The key partner signs with: its party key in the agreement in force with
 * it, which must equal the key pinned with `tearline partner add --key` if
 * one was. TL_ENOTFOUND (no agreement in force), TL_ECONFLICT (the pinned
 * key differs), with the reason on n.
 */
tl_err tl__partner_key(tl_node *n, const char *partner, unsigned char pk[32]);

#endif
