/* sig.c: verifying the signatures on objects received from partners. */
#include "sig.h"

#include "tearline/agree.h"
#include "tearline/json.h"
#include "tearline/release.h"

#include "jcs.h"
#include "node_int.h"
#include "ts.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

tl_err tl__sig_verify(const json_t *o, const tl_keyset *ks, char *why, size_t cap)
{
    const json_t *ext = json_object_get(json_object_get(o, "extensions"), TL_SIG_EXT_ID);
    const char *pkhex = json_string_value(json_object_get(ext, "public_key"));
    const char *sighex = json_string_value(json_object_get(ext, "signature"));
    unsigned char got_pk[32], sig[64];
    if (!ext || !pkhex || !sighex || strlen(pkhex) != 64 || strlen(sighex) != 128 ||
        sodium_hex2bin(got_pk, 32, pkhex, 64, NULL, NULL, NULL) != 0 ||
        sodium_hex2bin(sig, 64, sighex, 128, NULL, NULL, NULL) != 0) {
        snprintf(why, cap, "it carries no well-formed tearline signature");
        return TL_ECRYPTO;
    }
    const unsigned char *pk = NULL;
    for (size_t i = 0; i < ks->n && !pk; i++)
        if (sodium_memcmp(got_pk, ks->pk[i], 32) == 0) pk = ks->pk[i];
    if (!pk) {
        snprintf(why, cap, "it is signed by another key than the partner's (%.16s...)", pkhex);
        return TL_ECRYPTO;
    }
    /* the canonical form without the signature extension, written as such */
    static const char *const unsigned_path[] = {"extensions", TL_SIG_EXT_ID, NULL};
    struct tl_buf msg = TL_BUF_INIT;
    tl_err rc = tl__jcs_write_except(&msg, o, unsigned_path);
    if (rc) {
        tl__buf_free(&msg);
        return rc;
    }
    int bad = crypto_sign_verify_detached(sig, (const unsigned char *)msg.p, msg.len, pk) != 0;
    tl__buf_free(&msg);
    if (bad) {
        snprintf(why, cap, "its signature does not verify: it was changed after signing");
        return TL_ECRYPTO;
    }
    return TL_OK;
}

tl_err tl__sig_add(json_t *o, const unsigned char sk[64], const char *signer)
{
    char *msg = NULL;
    size_t len = 0;
    tl_err rc = tl_json_canonical(o, &msg, &len);
    if (rc) return rc;
    unsigned char sig[64];
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, len, sk);
    tl_free(msg);
    char sighex[129], pkhex[65];
    sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
    sodium_bin2hex(pkhex, sizeof pkhex, sk + 32, 32);
    json_t *exts = json_object_get(o, "extensions");
    if (!exts) {
        exts = json_object();
        if (!exts || json_object_set_new(o, "extensions", exts)) return TL_ENOMEM;
    }
    json_t *ext = json_pack("{s:s, s:s, s:s, s:s}", "extension_type", "property-extension",
                            "signer", signer, "public_key", pkhex, "signature", sighex);
    return !ext || json_object_set_new(exts, TL_SIG_EXT_ID, ext) ? TL_ENOMEM : TL_OK;
}

/* The key pinned for a partner with `tearline partner add --key`, "" if none. */
static int pinned_key(const tl_partner_rec *p, void *ud)
{
    snprintf(ud, 65, "%s", p->public_key);
    return 0;
}

/* The partner's key in each version held of one agreement, and who endorsed it. */
struct version_key {
    int64_t version;
    unsigned char pk[32];
    int endorsed;
    unsigned char endorser[32];
};

struct chain {
    const char *id, *partner;
    int64_t upto;
    struct version_key *v;
    size_t n, cap;
    int oom;
};

static int has_key(const tl_keyset *ks, const unsigned char pk[32])
{
    for (size_t i = 0; i < ks->n; i++)
        if (sodium_memcmp(ks->pk[i], pk, 32) == 0) return 1;
    return 0;
}

static void add_key(tl_keyset *ks, const unsigned char pk[32])
{
    if (!has_key(ks, pk) && ks->n < TL_KEYSET_MAX) memcpy(ks->pk[ks->n++], pk, 32);
}

static int chain_cb(const tl_agreement *a, void *ud)
{
    struct chain *c = ud;
    if (strcmp(tl_agreement_id(a), c->id) != 0 || tl_agreement_version(a) > c->upto) return 0;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 8;
        struct version_key *nv = tl_realloc(c->v, ncap * sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return 1;
        }
        c->v = nv;
        c->cap = ncap;
    }
    struct version_key *v = &c->v[c->n];
    if (!tl_agreement_party_key(a, c->partner, v->pk)) return 0;
    v->version = tl_agreement_version(a);
    v->endorsed = tl_agreement_endorser(a, c->partner, v->endorser);
    c->n++;
    return 0;
}

static int by_version(const void *x, const void *y)
{
    const struct version_key *a = x, *b = y;
    return a->version < b->version ? -1 : a->version > b->version;
}

tl_err tl__partner_keys(tl_node *n, const char *partner, tl_keyset *ks)
{
    memset(ks, 0, sizeof *ks);
    tl_agreement *a = NULL;
    tl_err rc = tl_node_agree_in_force(n, partner, tl__now_us(), &a);
    if (rc) {
        char why[600];
        snprintf(why, sizeof why, "%s", n->errmsg);
        tl__node_err(n, "partner %s has no signing key: %s", partner, why);
        return rc;
    }
    unsigned char in_force[32];
    tl_agreement_party_key(a, partner, in_force);
    char pinned[65] = "";
    rc = tl_store_partner_get(n->store, partner, pinned_key, pinned);
    if (rc == TL_ENOTFOUND)
        rc = TL_OK; /* not recorded as a partner: nothing pinned */
    else if (rc)
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
    struct chain c = {tl_agreement_id(a), partner, tl_agreement_version(a), NULL, 0, 0, 0};
    if (!rc) rc = tl_node_agree_list(n, chain_cb, &c);
    if (!rc && c.oom) rc = TL_ENOMEM;
    if (!rc) {
        /* trust starts at the pinned key, or at the earliest version's */
        qsort(c.v, c.n, sizeof *c.v, by_version);
        unsigned char anchor[32];
        if (*pinned)
            sodium_hex2bin(anchor, 32, pinned, 64, NULL, NULL, NULL);
        else
            memcpy(anchor, c.n ? c.v[0].pk : in_force, 32);
        tl_keyset trusted = {0};
        add_key(&trusted, anchor);
        for (size_t i = 0; i < c.n; i++) {
            if (!has_key(&trusted, c.v[i].pk) && c.v[i].endorsed &&
                has_key(&trusted, c.v[i].endorser))
                add_key(&trusted, c.v[i].pk);
        }
        if (!has_key(&trusted, in_force)) {
            char hex[65];
            sodium_bin2hex(hex, sizeof hex, in_force, 32);
            tl__node_err(n,
                         *pinned ? "partner %s: its key in agreement %s version %lld (%.16s...) "
                                   "is neither the key pinned with 'partner add --key' nor "
                                   "endorsed, through the agreement's versions, by it"
                                 : "partner %s: its key in agreement %s version %lld (%.16s...) "
                                   "replaced its earlier one without that key's endorsement",
                         partner, tl_agreement_id(a), (long long)tl_agreement_version(a), hex);
            rc = TL_ECONFLICT;
        } else {
            /* the key in force first, then those it descends from, newest first */
            add_key(ks, in_force);
            for (size_t i = c.n; i-- > 0;)
                if (has_key(&trusted, c.v[i].pk)) add_key(ks, c.v[i].pk);
            add_key(ks, anchor);
        }
    }
    tl_free(c.v);
    tl_agreement_free(a);
    return rc;
}
