/*
 * partner.h: the partners a node exchanges with over TAXII.
 *
 * For each partner the node keeps where to reach its TAXII API root, its
 * pinned Ed25519 public key, the credential this node presents to it, and a
 * password hash (libsodium argon2id) of the secret the partner presents to
 * this node's server. The secret itself is shown once, when granted.
 */
#ifndef TEARLINE_PARTNER_H
#define TEARLINE_PARTNER_H

#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What tl_node_partner_list() reports; strings valid only during the callback. */
typedef struct tl_partner_info {
    const char *code;
    const char *url;        /* "" if none */
    const char *public_key; /* hex, "" if none */
    int has_credential;     /* we hold a credential for its server */
    int has_secret;         /* it holds a secret for ours */
} tl_partner_info;

typedef int (*tl_partner_info_cb)(const tl_partner_info *p, void *ud);

/*
 * Adds partner code or updates it. url: its TAXII API root (http:// or
 * https://, at most 1024 bytes); public_key: its Ed25519 key, 64 hex digits;
 * credential: what we present to its server ("user:password" for HTTP Basic,
 * or a bearer token), at most 1024 bytes; ca: a PEM file of the CA (or the
 * certificate itself) its HTTPS server must present ("" for the system's
 * CAs). NULL keeps the stored value. TL_EINVAL (a bad code, our own code, a
 * malformed value, an unreadable CA file), TL_ESTORE.
 */
TL_API tl_err tl_node_partner_set(tl_node *n, const char *code, const char *url,
                                  const char *public_key, const char *credential, const char *ca);

/* Room for a granted secret with its NUL. */
#define TL_PARTNER_SECRET_MAX 65

/*
 * Issues partner code a new secret for this node's TAXII server (64 hex
 * digits from the system's random source) into secret; only its hash is
 * kept, and the previous secret stops working. The partner authenticates
 * with HTTP Basic (user code, password the secret) or a bearer token
 * "code.secret". TL_ENOTFOUND (not a partner), TL_ECRYPTO, TL_ESTORE.
 */
TL_API tl_err tl_node_partner_grant(tl_node *n, const char *code,
                                    char secret[TL_PARTNER_SECRET_MAX]);

/*
 * Checks a secret presented by partner code against the stored hash: TL_OK,
 * TL_EAUTH (unknown partner, none granted, or wrong; all alike), TL_ESTORE.
 * Slow on purpose (argon2id); servers cache what it accepted.
 */
TL_API tl_err tl_node_partner_check(tl_node *n, const char *code, const char *secret);

/* Every partner, in code order. */
TL_API tl_err tl_node_partner_list(tl_node *n, tl_partner_info_cb cb, void *ud);

#ifdef __cplusplus
}
#endif
#endif
