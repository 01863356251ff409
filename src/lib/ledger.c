/*
 * ledger.c: the hash-chained ledger and its signed checkpoints.
 *
 * An entry's hash is BLAKE2b-256 over "tearline-ledger 1", then seq and
 * time (8 bytes each, big-endian), kind, party and summary (each a 4-byte
 * big-endian length and the bytes), the payload's BLAKE2b-256 digest and the
 * previous entry's hash (zeros before the first). A checkpoint is the
 * node's Ed25519 signature over "tearline-ledger-checkpoint 1", seq, the
 * hash at seq and the time. docs/ledger.md has the kinds and payloads.
 */
#include "tearline/ledger.h"
#include "tearline/json.h"
#include "tearline/prov.h"

#include "buf.h"
#include "keys.h"
#include "head.h"
#include "ledger_int.h"
#include "node_int.h"
#include "text.h"
#include "ts.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tl__put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

void tl__hash_str(crypto_generichash_state *h, const char *s)
{
    size_t n = strlen(s);
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};
    crypto_generichash_update(h, len, 4);
    crypto_generichash_update(h, (const unsigned char *)s, n);
}

void tl__ledger_entry_hash(int64_t seq, int64_t time, const char *kind, const char *party,
                           const char *summary, const unsigned char digest[32],
                           const unsigned char prev[32], unsigned char out[32])
{
    static const char tag[] = "tearline-ledger 1";
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, (const unsigned char *)tag, sizeof tag - 1);
    unsigned char num[16];
    tl__put_be64(num, (uint64_t)seq);
    tl__put_be64(num + 8, (uint64_t)time);
    crypto_generichash_update(&h, num, 16);
    tl__hash_str(&h, kind);
    tl__hash_str(&h, party);
    tl__hash_str(&h, summary);
    crypto_generichash_update(&h, digest, 32);
    crypto_generichash_update(&h, prev, 32);
    crypto_generichash_final(&h, out, 32);
}

/* The bytes a checkpoint signs (head.h: the same as ledger.head's signature). */
#define CHECKPOINT_TAG "tearline-ledger-checkpoint 1"
#define CHECKPOINT_MSG TL_HEAD_MSG_MAX
static size_t checkpoint_msg(int64_t seq, const unsigned char hash[32], int64_t time,
                             unsigned char msg[CHECKPOINT_MSG])
{
    return tl__head_msg(CHECKPOINT_TAG, seq, hash, time, msg);
}

/* Signs h (its seq, hash and time) with the node's current key into the checkpoint table. */
static tl_err checkpoint_row(tl_node *n, tl__head *h)
{
    tl_err rc = tl__head_sign(n, CHECKPOINT_TAG, h);
    if (rc) return rc;
    tl_checkpoint_row c = {h->seq, h->time, h->hash, h->key, h->sig};
    rc = tl_store_checkpoint_put(n->store, &c);
    if (rc) tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
    return rc;
}

tl_err tl__ledger_append(tl_node *n, const char *kind, const char *party, const char *summary,
                         const char *payload, size_t len, int64_t *seq_out)
{
    return tl__ledger_append_at(n, tl__now_us(), kind, party, summary, payload, len, seq_out);
}

tl_err tl__ledger_append_at(tl_node *n, int64_t now, const char *kind, const char *party,
                            const char *summary, const char *payload, size_t len, int64_t *seq_out)
{
    int64_t seq;
    unsigned char prev[32], digest[32], hash[32];
    tl_err rc = tl_store_ledger_head(n->store, &seq, prev);
    if (rc) {
        tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
        return rc;
    }
    seq++;
    crypto_generichash(digest, 32, (const unsigned char *)payload, len, NULL, 0);
    tl__ledger_entry_hash(seq, now, kind, party ? party : "", summary, digest, prev, hash);
    tl_ledger_row e = {seq,    now,  kind, party ? party : "", summary, payload, len,
                       digest, prev, hash};
    if ((rc = tl_store_ledger_put(n->store, &e))) {
        tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
        return rc;
    }
    if (seq_out) *seq_out = seq;
    if (seq % TL_LEDGER_CHECKPOINT_EVERY == 0) {
        tl__head h = {seq, now, {0}, {0}, {0}};
        memcpy(h.hash, hash, 32);
        rc = checkpoint_row(n, &h);
    }
    return rc;
}

#define HEAD_FILE "ledger.head"
#define HEAD_NAME "tearline-ledger-head"

tl_err tl_node_ledger_checkpoint(tl_node *n)
{
    tl_err rc = tl_store_begin(n->store);
    tl__head h = {0, tl__now_us(), {0}, {0}, {0}};
    if (!rc) rc = tl_store_ledger_head(n->store, &h.seq, h.hash);
    if (rc) tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
    if (!rc && h.seq == 0) { /* nothing to vouch for yet */
        tl_store_rollback(n->store);
        return TL_OK;
    }
    if (!rc) rc = checkpoint_row(n, &h);
    if (!rc && (rc = tl_store_commit(n->store)))
        tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
    if (rc) {
        tl_store_rollback(n->store);
        return rc;
    }
    /* the latest checkpoint, outside the store too: a truncated store shows against it */
    return tl__head_write(n, HEAD_FILE, HEAD_NAME, &h);
}

tl_err tl_node_ledger_note(tl_node *n, const char *party, const char *text, int64_t *seq)
{
    n->errmsg[0] = '\0';
    if (!text || !*text || strlen(text) > 4000 || !tl__utf8_valid(text, strlen(text))) {
        tl__node_err(n, "a note is 1 to 4000 bytes of UTF-8 text");
        return TL_EINVAL;
    }
    if (party && *party && !tl_party_code_valid(party)) {
        tl__node_err(n, "'%s' is not a party code", party);
        return TL_EINVAL;
    }
    json_t *p = json_pack("{s:s}", "text", text);
    char *payload = NULL, summary[120];
    size_t len = 0;
    tl_err rc = p ? tl_json_canonical(p, &payload, &len) : TL_ENOMEM;
    json_decref(p);
    if (rc) return rc;
    /* the summary: the note's first line, cut at a character boundary */
    size_t cut = strcspn(text, "\n");
    if (cut > 100) {
        cut = 100;
        while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
            cut--;
    }
    snprintf(summary, sizeof summary, "%.*s%s", (int)cut, text, text[cut] ? "..." : "");
    rc = tl_store_begin(n->store);
    if (!rc) rc = tl__ledger_append(n, TL_LEDGER_NOTE, party, summary, payload, len, seq);
    if (!rc) rc = tl_store_commit(n->store);
    tl_free(payload);
    if (rc) {
        if (!n->errmsg[0]) tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
        return rc;
    }
    return tl_node_ledger_checkpoint(n);
}

struct lister {
    const tl_ledger_filter *f;
    tl_ledger_cb cb;
    void *ud;
};

static int list_row(const tl_ledger_row *r, void *ud)
{
    struct lister *l = ud;
    const tl_ledger_filter *f = l->f;
    if (f && ((f->kind && strcmp(f->kind, r->kind) != 0) ||
              (f->party && strcmp(f->party, r->party) != 0) || r->time < f->since_us))
        return 0;
    tl_ledger_entry e = {r->seq,     r->time,    r->kind,        r->party,
                         r->summary, r->payload, r->payload_len, ""};
    if (r->hash) sodium_bin2hex(e.hash, sizeof e.hash, r->hash, 32);
    return l->cb(&e, l->ud);
}

tl_err tl_node_ledger_list(tl_node *n, const tl_ledger_filter *f, tl_ledger_cb cb, void *ud)
{
    n->errmsg[0] = '\0';
    struct lister l = {f, cb, ud};
    tl_err rc = tl_store_ledger_scan(n->store, 1, f && f->with_payload, list_row, &l);
    if (rc) tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
    return rc;
}

/* ---- verification (hashes are public: plain memcmp) ---- */

/* A checkpoint as read, its signature already checked. */
struct cp {
    int64_t seq;
    unsigned char hash[32], pk[32];
    int damaged, sig_ok;
};

struct check {
    tl_node *n;
    tl_ledger_report *rep;
    int64_t expect; /* the next seq */
    unsigned char prev[32];
    /* checkpoints, in seq order, matched as the scan passes them */
    struct cp *cps;
    size_t ncp, cap, next_cp;
    int oom;
    /* the last checkpoint key found to be this node's: the key files are read once per key */
    unsigned char held[32];
    int have_held;
    /* ledger.head, if there is one and it verifies */
    tl__head head;
    int have_head;
};

static int node_key(struct check *c, const unsigned char pk[32])
{
    if (c->have_held && !memcmp(c->held, pk, 32)) return 1;
    if (!tl__node_holds_key(c->n, pk)) return 0;
    memcpy(c->held, pk, 32);
    c->have_held = 1;
    return 1;
}

static int bad(struct check *c, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct check *c, int64_t seq, const char *fmt, ...)
{
    if (c->rep->bad_seq) return 1; /* the first stands */
    c->rep->bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->rep->problem, sizeof c->rep->problem, fmt, ap);
    va_end(ap);
    return 1;
}

static int keep_checkpoint(const tl_checkpoint_row *r, void *ud)
{
    struct check *c = ud;
    if (c->ncp == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        struct cp *np = tl_realloc(c->cps, ncap * sizeof *np);
        if (!np) {
            c->oom = 1;
            return 1;
        }
        c->cps = np;
        c->cap = ncap;
    }
    struct cp *k = &c->cps[c->ncp++];
    memset(k, 0, sizeof *k);
    k->seq = r->seq;
    k->damaged = !r->hash || !r->public_key || !r->signature;
    if (!k->damaged) {
        memcpy(k->hash, r->hash, 32);
        memcpy(k->pk, r->public_key, 32);
        unsigned char msg[CHECKPOINT_MSG];
        size_t mlen = checkpoint_msg(r->seq, r->hash, r->time, msg);
        k->sig_ok = crypto_sign_verify_detached(r->signature, msg, mlen, r->public_key) == 0;
    }
    return 0;
}

/* Checks the checkpoints at or below seq against the hash at seq as the scan reaches them. */
static void pass_checkpoints(struct check *c, int64_t seq, const unsigned char hash[32])
{
    while (c->next_cp < c->ncp && c->cps[c->next_cp].seq <= seq) {
        const struct cp *k = &c->cps[c->next_cp++];
        long long at = (long long)k->seq;
        if (k->damaged)
            bad(c, k->seq, "the checkpoint at entry %lld is damaged", at);
        else if (!k->sig_ok)
            bad(c, k->seq, "the checkpoint at entry %lld: its signature does not verify", at);
        else if (!node_key(c, k->pk))
            bad(c, k->seq, "the checkpoint at entry %lld is signed by a key this node never held",
                at);
        else if (k->seq == seq && memcmp(k->hash, hash, 32) != 0)
            bad(c, k->seq, "entry %lld differs from what its signed checkpoint recorded", at);
    }
}

static int check_row(const tl_ledger_row *r, void *ud)
{
    struct check *c = ud;
    c->rep->entries++;
    if (r->seq != c->expect) {
        if (r->seq > c->expect)
            return bad(c, c->expect, "entry %lld is missing (the next one held is %lld)",
                       (long long)c->expect, (long long)r->seq);
        return bad(c, r->seq, "entry %lld is out of order", (long long)r->seq);
    }
    if (!r->digest || !r->prev || !r->hash)
        return bad(c, r->seq, "entry %lld is damaged (a hash is missing or malformed)",
                   (long long)r->seq);
    unsigned char digest[32], hash[32];
    crypto_generichash(digest, 32, (const unsigned char *)r->payload, r->payload_len, NULL, 0);
    if (memcmp(digest, r->digest, 32) != 0)
        return bad(c, r->seq, "entry %lld: its payload was changed", (long long)r->seq);
    if (memcmp(r->prev, c->prev, 32) != 0)
        return bad(c, r->seq,
                   "entry %lld does not follow entry %lld: entries were reordered, or one "
                   "before it was changed or removed",
                   (long long)r->seq, (long long)(r->seq - 1));
    tl__ledger_entry_hash(r->seq, r->time, r->kind, r->party, r->summary, r->digest, r->prev, hash);
    if (memcmp(hash, r->hash, 32) != 0)
        return bad(c, r->seq, "entry %lld was changed (its hash does not match its content)",
                   (long long)r->seq);
    pass_checkpoints(c, r->seq, hash);
    if (c->have_head && r->seq == c->head.seq && memcmp(hash, c->head.hash, 32) != 0)
        return bad(c, r->seq, "entry %lld differs from what ledger.head recorded",
                   (long long)r->seq);
    memcpy(c->prev, hash, 32);
    c->expect++;
    return c->rep->bad_seq != 0;
}

/* ledger.head: the latest checkpoint, kept outside the store; read before the scan. */
static void read_head(struct check *c)
{
    char why[200];
    int got = tl__head_read(c->n, HEAD_FILE, HEAD_NAME, CHECKPOINT_TAG, &c->head, why, sizeof why);
    if (got < 0) bad(c, c->head.seq > 0 ? c->head.seq : 1, "%s", why);
    c->have_head = got == 1;
}

tl_err tl_node_ledger_verify(tl_node *n, tl_ledger_report *rep)
{
    n->errmsg[0] = '\0';
    memset(rep, 0, sizeof *rep);
    struct check c;
    memset(&c, 0, sizeof c);
    c.n = n;
    c.rep = rep;
    c.expect = 1;
    read_head(&c);
    tl_err rc = rep->bad_seq ? TL_OK : tl_store_checkpoint_scan(n->store, keep_checkpoint, &c);
    if (!rc && !c.oom && !rep->bad_seq) rc = tl_store_ledger_scan(n->store, 1, 1, check_row, &c);
    if (rc) tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
    rep->checkpoints = (int64_t)c.ncp;
    if (!rc && !c.oom && !rep->bad_seq) {
        /* checkpoints beyond the last entry: the end was cut off */
        if (c.next_cp < c.ncp)
            bad(&c, c.expect,
                "the ledger ends at entry %lld but a signed checkpoint records entry %lld: it "
                "was truncated",
                (long long)(c.expect - 1), (long long)c.cps[c.ncp - 1].seq);
        if (!rep->bad_seq && c.have_head && c.head.seq >= c.expect)
            bad(&c, c.expect,
                "the ledger ends at entry %lld but its signed head records entry %lld: it was "
                "truncated",
                (long long)(c.expect - 1), (long long)c.head.seq);
    }
    tl_free(c.cps);
    if (!rc && c.oom) rc = TL_ENOMEM;
    if (!rc && rep->bad_seq) {
        tl__node_err(n, "the ledger does not verify: %s", rep->problem);
        rc = TL_ECONFLICT;
    }
    return rc;
}
