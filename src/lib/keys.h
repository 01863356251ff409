/* keys.h: the node's signing keys, current and retired (internal). */
#ifndef TL_KEYS_H
#define TL_KEYS_H

#include "tearline/agree.h"
#include "tearline/node.h"

/*
 * The secret key (libsodium's 64-byte form) whose public half is pk: the
 * current key or a retired one. TL_ENOTFOUND if the node does not hold it;
 * the reason on n. Wipe sk after use.
 */
tl_err tl__node_secret_for(tl_node *n, const unsigned char pk[32], unsigned char sk[64]);

/* Does the node hold pk's secret, current or retired? */
int tl__node_holds_key(tl_node *n, const unsigned char pk[32]);

/*
 * The key this node signs with toward the parties of a: the one a names for
 * it, current or retired. TL_EINVAL (not a party), TL_ENOTFOUND (a names a
 * key this node does not hold), with the reason on n.
 */
tl_err tl__node_key_for(tl_node *n, const tl_agreement *a, unsigned char sk[64]);

/* The key this node signs with toward partner: tl__node_key_for the agreement in force with it. */
tl_err tl__node_key_to(tl_node *n, const char *partner, unsigned char sk[64]);

/* Finishes a rotation that a crash cut short (identity.key ahead of the store). */
tl_err tl__node_keys_settle(tl_node *n);

#endif
