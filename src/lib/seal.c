/*
 * seal.c: sealed files.
 *
 * File: "TEARLINE-SEALED 1\n" then a libsodium sealed box. Inside: the
 * sender's Ed25519 signature (64 bytes) over the rest, which is the RFC 8785
 * form of {"type": "tearline-sealed", "from", "to", "created", "objects"}.
 */
#include "tearline/json.h"
#include "tearline/ledger.h"
#include "tearline/prov.h"
#include "tearline/release.h"
#include "tearline/seal.h"

#include "buf.h"
#include "keys.h"
#include "node_int.h"
#include "sig.h"
#include "store.h"
#include "ts.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char magic[] = "TEARLINE-SEALED 1\n";
#define MAGIC_LEN (sizeof magic - 1)

/* The recipient's X25519 key, from its Ed25519 key in the agreement in force. */
static tl_err curve_pk(tl_node *n, const char *partner, unsigned char xpk[32])
{
    tl_keyset ks;
    tl_err rc = tl__partner_keys(n, partner, &ks);
    if (rc) return rc;
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, ks.pk[0]) != 0) {
        tl__node_err(n, "partner %s: its key cannot be used for encryption", partner);
        return TL_ECRYPTO;
    }
    return TL_OK;
}

tl_err tl_node_seal(tl_node *n, const char *partner, const char *path, int all_versions,
                    uint64_t *objects)
{
    n->errmsg[0] = '\0';
    if (objects) *objects = 0;
    unsigned char xpk[32];
    tl_err rc = curve_pk(n, partner, xpk);
    if (rc) return rc;
    if ((rc = tl_node_release(n, partner, NULL, NULL))) return rc;
    char ckey[80], *since = NULL;
    snprintf(ckey, sizeof ckey, "seal.%s", partner);
    if (!all_versions && tl_store_meta_get(n->store, ckey, &since) != TL_OK) since = NULL;
    tl_outbox_query q = {.partner = partner, .all = 1, .want_json = 1};
    q.after_added = since ? strtoll(since, NULL, 10) : -1;
    tl_free(since);
    struct tl_buf doc = TL_BUF_INIT, sealed = TL_BUF_INIT;
    struct tl_outbox_join g = {&doc, 0, q.after_added};
    char created[32];
    tl__ts_format_us(tl__now_us(), created);
    /* canonical by construction: keys in order, objects already canonical */
    tl__buf_puts(&doc, "{\"created\":\"");
    tl__buf_puts(&doc, created);
    tl__buf_puts(&doc, "\",\"from\":\"");
    tl__buf_puts(&doc, n->code);
    tl__buf_puts(&doc, "\",\"objects\":[");
    if ((rc = tl_store_outbox_query(n->store, &q, tl_store_outbox_join, &g))) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        goto out;
    }
    tl__buf_printf(&doc, "],\"to\":\"%s\",\"type\":\"tearline-sealed\"}", partner);
    unsigned char sk[64];
    if ((rc = tl__node_key_to(n, partner, sk))) goto out;
    size_t inner = 64 + doc.len;
    unsigned char *plain = tl_malloc(inner);
    if (!plain || doc.oom || tl__buf_reserve(&sealed, MAGIC_LEN + crypto_box_SEALBYTES + inner)) {
        sodium_memzero(sk, sizeof sk);
        tl_free(plain);
        rc = TL_ENOMEM;
        goto out;
    }
    crypto_sign_detached(plain, NULL, (const unsigned char *)doc.p, doc.len, sk);
    sodium_memzero(sk, sizeof sk);
    memcpy(plain + 64, doc.p, doc.len);
    memcpy(sealed.p, magic, MAGIC_LEN);
    crypto_box_seal((unsigned char *)sealed.p + MAGIC_LEN, plain, inner, xpk);
    sealed.len = MAGIC_LEN + crypto_box_SEALBYTES + inner;
    tl_free(plain);
    if ((rc = tl__write_file_atomic(path, sealed.p, sealed.len, 0600, n->errmsg, sizeof n->errmsg)))
        goto out;
    /* the next sealed file starts after this one */
    char last[32];
    snprintf(last, sizeof last, "%lld", (long long)g.last);
    rc = tl__node_meta_set(n, ckey, last);
    if (objects) *objects = g.n;
out:
    tl__buf_free(&doc);
    tl__buf_free(&sealed);
    return rc;
}

/* The keys this node holds, current first: a sealed file may be addressed to any. */
struct held_keys {
    unsigned char pk[TL_KEYSET_MAX][32];
    size_t n;
};

static int held_key(const unsigned char pk[32], int current, void *ud)
{
    (void)current;
    struct held_keys *hk = ud;
    if (hk->n == TL_KEYSET_MAX) return 1;
    memcpy(hk->pk[hk->n++], pk, 32);
    return 0;
}

tl_err tl_node_unseal(tl_node *n, const char *path, char from[40], tl_ingest_stats *stats)
{
    n->errmsg[0] = '\0';
    if (from) from[0] = '\0';
    if (stats) memset(stats, 0, sizeof *stats);
    char *file = NULL;
    size_t len = 0;
    tl_err rc = tl__read_file(path, TL_SEAL_MAX_BYTES, &file, &len, n->errmsg, sizeof n->errmsg);
    if (rc) return rc;
    unsigned char *plain = NULL;
    json_t *doc = NULL;
    struct held_keys hk = {{{0}}, 0};
    if (len < MAGIC_LEN + crypto_box_SEALBYTES + 64 || memcmp(file, magic, MAGIC_LEN) != 0) {
        tl__node_err(n, "%s is not a tearline sealed file (or it is truncated)", path);
        rc = TL_ECRYPTO;
        goto out;
    }
    size_t clen = len - MAGIC_LEN, plen = clen - crypto_box_SEALBYTES;
    plain = tl_malloc(plen + 1);
    if (!plain) {
        rc = TL_ENOMEM;
        goto out;
    }
    /* addressed to this node's current key, or to one it retired since */
    if ((rc = tl_node_key_list(n, held_key, &hk))) goto out;
    int opened = 0;
    for (size_t k = 0; k < hk.n && !opened && !rc; k++) {
        unsigned char sk[64], xsk[32], xpk[32];
        if ((rc = tl__node_secret_for(n, hk.pk[k], sk))) break;
        if (crypto_sign_ed25519_sk_to_curve25519(xsk, sk) == 0 &&
            crypto_sign_ed25519_pk_to_curve25519(xpk, hk.pk[k]) == 0)
            opened =
                crypto_box_seal_open(plain, (unsigned char *)file + MAGIC_LEN, clen, xpk, xsk) == 0;
        sodium_memzero(sk, sizeof sk);
        sodium_memzero(xsk, sizeof xsk);
    }
    if (rc) goto out;
    if (!opened) {
        tl__node_err(n,
                     "%s cannot be opened: it is not addressed to this node, or it was changed "
                     "or truncated; nothing was stored",
                     path);
        rc = TL_ECRYPTO;
        goto out;
    }
    char msg[128];
    const char *body = (const char *)plain + 64;
    size_t blen = plen - 64;
    if (tl_json_parse(body, blen, &doc, msg, sizeof msg) != TL_OK) {
        tl__node_err(n, "%s: the sealed document is not JSON (%s)", path, msg);
        rc = TL_ECRYPTO;
        goto out;
    }
    const char *sender = json_string_value(json_object_get(doc, "from"));
    const char *to = json_string_value(json_object_get(doc, "to"));
    const char *type = json_string_value(json_object_get(doc, "type"));
    if (!sender || !to || !type || strcmp(type, "tearline-sealed") != 0 ||
        !json_is_array(json_object_get(doc, "objects")) || !tl_party_code_valid(sender)) {
        tl__node_err(n, "%s: the sealed document lacks its sender, recipient or objects", path);
        rc = TL_ECRYPTO;
        goto out;
    }
    if (strcmp(to, n->code) != 0) {
        tl__node_err(n, "%s is addressed to %s, not to this node (%s); nothing was stored", path,
                     to, n->code);
        rc = TL_ECRYPTO;
        goto out;
    }
    tl_keyset spk;
    if ((rc = tl__partner_keys(n, sender, &spk))) goto out;
    int verified = 0;
    for (size_t k = 0; k < spk.n && !verified; k++)
        verified =
            crypto_sign_verify_detached(plain, (const unsigned char *)body, blen, spk.pk[k]) == 0;
    if (!verified) {
        tl__node_err(n,
                     "%s: the signature of %s on the sealed document does not verify; nothing "
                     "was stored",
                     path, sender);
        rc = TL_ECRYPTO;
        goto out;
    }
    struct tl_buf good = TL_BUF_INIT;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(doc, "objects"), i, o)
    {
        char why[300];
        if (tl__sig_verify(o, &spk, why, sizeof why) != TL_OK) {
            tl__node_err(n, "%s: object %s is refused: %s; nothing was stored", path,
                         json_string_value(json_object_get(o, "id")), why);
            rc = TL_ECRYPTO;
            break;
        }
        char *text = NULL;
        size_t tlen = 0;
        if ((rc = tl_json_canonical(o, &text, &tlen))) break;
        tl__buf_append(&good, text, tlen);
        tl__buf_putc(&good, '\n');
        tl_free(text);
    }
    if (!rc && good.len) {
        tl_ingest_opts io;
        memset(&io, 0, sizeof io);
        io.origin = sender;
        io.mem = good.p;
        io.mem_len = good.len;
        io.mem_name = path;
        rc = tl_node_ingest(n, NULL, 0, &io, stats);
        if (!rc) rc = tl_node_ledger_checkpoint(n);
    }
    tl__buf_free(&good);
    if (!rc && from) snprintf(from, 40, "%s", sender);
out:
    json_decref(doc);
    if (plain) sodium_memzero(plain, len - MAGIC_LEN - crypto_box_SEALBYTES);
    tl_free(plain);
    tl_free(file);
    return rc;
}
