/*
 * keys.c: the node's signing keys and their rotation.
 *
 * identity.key holds the current Ed25519 key; retired.keys (mode 0600) the
 * keys it replaced, oldest first, one "ed25519-secret HEX" line each. A
 * retired key still signs for a partner while the agreement in force with
 * that partner names it, and it endorses the first agreement version that
 * names its successor: that is how a partner who pinned it learns to trust
 * the new key. Rotation writes retired.keys, then identity.key, then the
 * store's public key; opening a node finishes a rotation a crash cut short.
 */
#include "keys.h"

#include "tearline/agree.h"

#include "audit_int.h"
#include "buf.h"
#include "node_int.h"
#include "ts.h"

#include <sodium.h>
#include <string.h>

#define RETIRED_MAX ((size_t)64 * 1024) /* about 400 keys */
static const char prefix[] = "ed25519-secret ";
#define PREFIX_LEN (sizeof prefix - 1)
#define LINE_LEN (PREFIX_LEN + 128 + 1)

static char *home_file(const tl_node *n, const char *name)
{
    struct tl_buf b = TL_BUF_INIT;
    tl__buf_printf(&b, "%s/%s", n->home, name);
    return tl__buf_take(&b, NULL);
}

/*
 * Reads retired.keys into *text (NULL and 0 if there is none). TL_ECRYPTO
 * if a line is malformed, with the reason on n.
 */
static tl_err read_retired(tl_node *n, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    char *path = home_file(n, "retired.keys");
    if (!path) return TL_ENOMEM;
    tl_err rc = tl__read_file(path, RETIRED_MAX, text, len, n->errmsg, sizeof n->errmsg);
    if (rc == TL_ENODE) {
        n->errmsg[0] = '\0';
        rc = TL_OK;
    }
    if (!rc && *len % LINE_LEN != 0) rc = TL_ECRYPTO;
    for (size_t at = 0; !rc && at < *len; at += LINE_LEN) {
        const char *l = *text + at;
        unsigned char sk[64];
        if (memcmp(l, prefix, PREFIX_LEN) != 0 || l[LINE_LEN - 1] != '\n' ||
            sodium_hex2bin(sk, 64, l + PREFIX_LEN, 128, NULL, NULL, NULL) != 0)
            rc = TL_ECRYPTO;
        sodium_memzero(sk, sizeof sk);
    }
    if (rc == TL_ECRYPTO) tl__node_err(n, "%s is malformed", path);
    if (rc && *text) {
        sodium_memzero(*text, *len);
        tl_free(*text);
        *text = NULL;
        *len = 0;
    }
    tl_free(path);
    return rc;
}

/* The i-th retired key (0: oldest) of text into sk. */
static void retired_at(const char *text, size_t i, unsigned char sk[64])
{
    sodium_hex2bin(sk, 64, text + i * LINE_LEN + PREFIX_LEN, 128, NULL, NULL, NULL);
}

static void wipe(char *text, size_t len)
{
    if (!text) return;
    sodium_memzero(text, len);
    tl_free(text);
}

tl_err tl__node_secret_for(tl_node *n, const unsigned char pk[32], unsigned char sk[64])
{
    if (sodium_memcmp(pk, n->pk, 32) == 0) return tl__node_signing_key(n, sk);
    char *text = NULL;
    size_t len = 0;
    tl_err rc = read_retired(n, &text, &len);
    if (rc) return rc;
    rc = TL_ENOTFOUND;
    for (size_t i = len / LINE_LEN; i-- > 0 && rc;) {
        retired_at(text, i, sk);
        if (sodium_memcmp(sk + 32, pk, 32) == 0) rc = TL_OK;
    }
    wipe(text, len);
    if (rc) {
        sodium_memzero(sk, 64);
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        tl__node_err(n, "this node does not hold the key %.16s... (tearline key list)", hex);
    }
    return rc;
}

int tl__node_holds_key(tl_node *n, const unsigned char pk[32])
{
    unsigned char sk[64];
    char keep[sizeof n->errmsg];
    memcpy(keep, n->errmsg, sizeof keep);
    int held = tl__node_secret_for(n, pk, sk) == TL_OK;
    memcpy(n->errmsg, keep, sizeof keep);
    sodium_memzero(sk, sizeof sk);
    return held;
}

tl_err tl__node_key_for(tl_node *n, const tl_agreement *a, unsigned char sk[64])
{
    unsigned char pk[32];
    if (!tl_agreement_party_key(a, n->code, pk)) {
        tl__node_err(n, "agreement %s v%lld does not name this node", tl_agreement_id(a),
                     (long long)tl_agreement_version(a));
        return TL_EINVAL;
    }
    tl_err rc = tl__node_secret_for(n, pk, sk);
    if (rc == TL_ENOTFOUND) {
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        tl__node_err(n,
                     "agreement %s v%lld names the key %.16s... for this node, which it does not "
                     "hold",
                     tl_agreement_id(a), (long long)tl_agreement_version(a), hex);
    }
    return rc;
}

tl_err tl__node_key_to(tl_node *n, const char *partner, unsigned char sk[64])
{
    tl_agreement *a = NULL;
    tl_err rc = tl_node_agree_in_force(n, partner, tl__now_us(), &a);
    if (!rc) rc = tl__node_key_for(n, a, sk);
    tl_agreement_free(a);
    return rc;
}

tl_err tl_node_key_rotate(tl_node *n, unsigned char old_pk[32], unsigned char new_pk[32])
{
    n->errmsg[0] = '\0';
    unsigned char sk[64], nsk[64];
    char *text = NULL, *path = NULL, *kpath = NULL;
    size_t len = 0;
    tl_err rc = tl__node_signing_key(n, sk);
    if (rc) return rc;
    if ((rc = read_retired(n, &text, &len))) goto out;
    if (len + LINE_LEN > RETIRED_MAX) {
        tl__node_err(n, "%s/retired.keys is full", n->home);
        rc = TL_ELIMIT;
        goto out;
    }
    rc = TL_ENOMEM;
    if (!(path = home_file(n, "retired.keys")) || !(kpath = home_file(n, "identity.key"))) goto out;
    /* 1. the current key joins the retired ones */
    char *grown = tl_malloc(len + LINE_LEN + 1);
    if (!grown) goto out;
    if (len) memcpy(grown, text, len);
    memcpy(grown + len, prefix, PREFIX_LEN);
    sodium_bin2hex(grown + len + PREFIX_LEN, 129, sk, 64);
    grown[len + LINE_LEN - 1] = '\n';
    rc = tl__write_file_atomic(path, grown, len + LINE_LEN, 0600, n->errmsg, sizeof n->errmsg);
    sodium_memzero(grown, len + LINE_LEN + 1);
    tl_free(grown);
    if (rc) goto out;
    /* 2. a new key becomes the node's */
    unsigned char npk[32];
    crypto_sign_keypair(npk, nsk);
    char line[LINE_LEN + 1];
    memcpy(line, prefix, PREFIX_LEN);
    sodium_bin2hex(line + PREFIX_LEN, 129, nsk, 64);
    line[LINE_LEN - 1] = '\n';
    rc = tl__write_file_atomic(kpath, line, LINE_LEN, 0600, n->errmsg, sizeof n->errmsg);
    sodium_memzero(line, sizeof line);
    if (rc) goto out;
    /* 3. and the store's record of it */
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, npk, 32);
    if ((rc = tl__node_meta_set(n, "public_key", hex))) goto out;
    if (old_pk) memcpy(old_pk, n->pk, 32);
    memcpy(n->pk, npk, 32);
    if (new_pk) memcpy(new_pk, npk, 32);
    {
        char oh[65], nh[65];
        sodium_bin2hex(oh, sizeof oh, old_pk ? old_pk : sk + 32, 32);
        sodium_bin2hex(nh, sizeof nh, npk, 32);
        rc = tl__audit_admin(n, NULL, "identity.key", "key-rotate", "retired %s, now %s", oh, nh);
    }
out:
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(nsk, sizeof nsk);
    wipe(text, len);
    tl_free(path);
    tl_free(kpath);
    return rc;
}

tl_err tl_node_key_list(tl_node *n, tl_key_cb cb, void *ud)
{
    n->errmsg[0] = '\0';
    char *text = NULL;
    size_t len = 0;
    tl_err rc = read_retired(n, &text, &len);
    if (rc) return rc;
    int stop = cb(n->pk, 1, ud);
    for (size_t i = len / LINE_LEN; i-- > 0 && !stop;) {
        unsigned char sk[64];
        retired_at(text, i, sk);
        stop = cb(sk + 32, 0, ud);
        sodium_memzero(sk, sizeof sk);
    }
    wipe(text, len);
    return TL_OK;
}

tl_err tl__node_keys_settle(tl_node *n)
{
    unsigned char sk[64];
    char keep[sizeof n->errmsg];
    memcpy(keep, n->errmsg, sizeof keep);
    tl_err rc = tl__node_signing_key(n, sk);
    memcpy(n->errmsg, keep, sizeof keep);
    if (rc != TL_ECRYPTO) { /* it matches, or there is nothing to settle */
        sodium_memzero(sk, sizeof sk);
        return TL_OK;
    }
    /* identity.key holds another key than the store: a rotation cut short? */
    char *path = home_file(n, "identity.key"), *text = NULL;
    size_t tlen = 0;
    unsigned char pk[32];
    int found = 0;
    rc = path ? tl__read_file(path, 4096, &text, &tlen, n->errmsg, sizeof n->errmsg) : TL_ENOMEM;
    tl_free(path);
    if (!rc && tlen >= PREFIX_LEN + 128 && memcmp(text, prefix, PREFIX_LEN) == 0 &&
        sodium_hex2bin(sk, 64, text + PREFIX_LEN, 128, NULL, NULL, NULL) == 0) {
        memcpy(pk, sk + 32, 32);
        char *ret = NULL;
        size_t rlen = 0;
        /* the store's key must be the newest retired one */
        if (read_retired(n, &ret, &rlen) == TL_OK && rlen) {
            unsigned char last[64];
            retired_at(ret, rlen / LINE_LEN - 1, last);
            found = sodium_memcmp(last + 32, n->pk, 32) == 0;
            sodium_memzero(last, sizeof last);
        }
        wipe(ret, rlen);
    }
    wipe(text, tlen);
    sodium_memzero(sk, sizeof sk);
    memcpy(n->errmsg, keep, sizeof keep);
    if (!found) return TL_OK; /* not a rotation: signing will say what is wrong */
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, pk, 32);
    if ((rc = tl__node_meta_set(n, "public_key", hex))) return rc;
    memcpy(n->pk, pk, 32);
    return TL_OK;
}
