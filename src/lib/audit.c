/*
 * audit.c: the tamper-evident audit trail.
 *
 * Every release decision, every TAXII request and every administrative
 * action is a record (time, partner, object, action, rule, detail) chained
 * like the ledger: its hash is BLAKE2b-256 over "tearline-audit 1", seq and
 * time (8 bytes each, big-endian), the five texts (each a 4-byte
 * big-endian length and the bytes) and the previous record's hash. Records
 * written before the chain existed (store schema 7 and earlier) carry no
 * hash and may only come first.
 */
#include "tearline/audit.h"

#include "audit_int.h"
#include "head.h"
#include "ledger_int.h"
#include "node_int.h"
#include "ts.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void record_hash(const tl_audit_row *a, const unsigned char prev[32], unsigned char out[32])
{
    static const char tag[] = "tearline-audit 1";
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, (const unsigned char *)tag, sizeof tag - 1);
    unsigned char num[16];
    tl__put_be64(num, (uint64_t)a->seq);
    tl__put_be64(num + 8, (uint64_t)a->time);
    crypto_generichash_update(&h, num, 16);
    tl__hash_str(&h, a->partner);
    tl__hash_str(&h, a->object);
    tl__hash_str(&h, a->action);
    tl__hash_str(&h, a->rule);
    tl__hash_str(&h, a->detail);
    crypto_generichash_update(&h, prev, 32);
    crypto_generichash_final(&h, out, 32);
}

tl_err tl__audit_many(tl_node *n, const tl_audit_rec *recs, size_t count)
{
    int64_t seq;
    int chained;
    unsigned char prev[32], hash[32];
    tl_err rc = tl_store_audit_head(n->store, &seq, prev, &chained);
    int64_t now = tl__now_us();
    for (size_t i = 0; i < count && !rc; i++) {
        const tl_audit_rec *r = &recs[i];
        tl_audit_row a = {++seq,
                          r->time ? r->time : now,
                          r->partner ? r->partner : "",
                          r->object ? r->object : "",
                          r->action,
                          r->rule ? r->rule : "",
                          r->detail ? r->detail : "",
                          prev,
                          hash};
        record_hash(&a, prev, hash);
        if (!(rc = tl_store_audit_put(n->store, &a))) memcpy(prev, hash, 32);
    }
    if (rc) tl__node_err(n, "audit: %s", tl_store_errmsg(n->store));
    return rc;
}

#define HEAD_FILE "audit.head"
#define HEAD_NAME "tearline-audit-head"
#define HEAD_TAG "tearline-audit-head 1"

tl_err tl__audit_sign_head(tl_node *n)
{
    tl__head h;
    memset(&h, 0, sizeof h);
    int chained = 0;
    tl_err rc = tl_store_audit_head(n->store, &h.seq, h.hash, &chained);
    if (rc) {
        tl__node_err(n, "audit: %s", tl_store_errmsg(n->store));
        return rc;
    }
    if (!h.seq || !chained) return TL_OK; /* nothing chained to vouch for */
    h.time = tl__now_us();
    if ((rc = tl__head_sign(n, HEAD_TAG, &h))) return rc;
    return tl__head_write(n, HEAD_FILE, HEAD_NAME, &h);
}

tl_err tl__audit_admin(tl_node *n, const char *partner, const char *object, const char *action,
                       const char *fmt, ...)
{
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    char keep[sizeof n->errmsg];
    memcpy(keep, n->errmsg, sizeof keep);
    tl_audit_rec r = {0, partner, object, action, "admin", detail};
    tl_err rc = tl_store_begin(n->store);
    if (!rc) rc = tl__audit_many(n, &r, 1);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl_store_rollback(n->store);
        return rc;
    }
    if ((rc = tl__audit_sign_head(n))) return rc;
    memcpy(n->errmsg, keep, sizeof keep);
    return TL_OK;
}

struct lister {
    tl_audit_cb cb;
    void *ud;
};

static int list_row(const tl_audit_row *a, void *ud)
{
    struct lister *l = ud;
    tl_audit_entry e = {a->seq, a->time, a->partner, a->object, a->action, a->rule, a->detail};
    return l->cb(&e, l->ud);
}

tl_err tl_node_audit_list(tl_node *n, const char *partner, int64_t since_us, tl_audit_cb cb,
                          void *ud)
{
    n->errmsg[0] = '\0';
    struct lister l = {cb, ud};
    tl_err rc = tl_store_audit_scan(n->store, partner, since_us, list_row, &l);
    if (rc) tl__node_err(n, "audit: %s", tl_store_errmsg(n->store));
    return rc;
}

struct check {
    tl_audit_report *rep;
    int64_t expect;
    int started; /* a chained record was seen */
    unsigned char prev[32];
    tl__head head; /* audit.head, when there is one and it verifies */
    int have_head;
};

static int bad(struct check *c, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct check *c, int64_t seq, const char *fmt, ...)
{
    c->rep->bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->rep->problem, sizeof c->rep->problem, fmt, ap);
    va_end(ap);
    return 1;
}

static int check_row(const tl_audit_row *a, void *ud)
{
    struct check *c = ud;
    c->rep->records++;
    long long s = (long long)a->seq;
    if (c->expect && a->seq != c->expect)
        return a->seq > c->expect
                   ? bad(c, c->expect, "record %lld is missing (the next one held is %lld)",
                         (long long)c->expect, s)
                   : bad(c, a->seq, "record %lld is out of order", s);
    c->expect = a->seq + 1;
    if (!a->hash || !a->prev) {
        if (c->started)
            return bad(c, a->seq,
                       "record %lld has lost its hash (only records from before the "
                       "chain may have none)",
                       s);
        c->rep->unchained++;
        return 0;
    }
    if (c->started && memcmp(a->prev, c->prev, 32) != 0)
        return bad(c, a->seq,
                   "record %lld does not follow record %lld: records were reordered, or one "
                   "before it was changed or removed",
                   s, s - 1);
    unsigned char h[32];
    record_hash(a, a->prev, h);
    if (memcmp(h, a->hash, 32) != 0)
        return bad(c, a->seq, "record %lld was changed (its hash does not match its content)", s);
    if (c->have_head && a->seq == c->head.seq && memcmp(h, c->head.hash, 32) != 0)
        return bad(c, a->seq, "record %lld differs from what audit.head recorded", s);
    c->started = 1;
    memcpy(c->prev, h, 32);
    return 0;
}

tl_err tl_node_audit_verify(tl_node *n, tl_audit_report *rep)
{
    n->errmsg[0] = '\0';
    memset(rep, 0, sizeof *rep);
    struct check c;
    memset(&c, 0, sizeof c);
    c.rep = rep;
    char why[200];
    int got = tl__head_read(n, HEAD_FILE, HEAD_NAME, HEAD_TAG, &c.head, why, sizeof why);
    if (got < 0) bad(&c, c.head.seq > 0 ? c.head.seq : 1, "%s", why);
    c.have_head = got == 1;
    tl_err rc = rep->bad_seq ? TL_OK : tl_store_audit_scan(n->store, NULL, 0, check_row, &c);
    if (rc) {
        tl__node_err(n, "audit: %s", tl_store_errmsg(n->store));
        return rc;
    }
    int64_t last = c.expect ? c.expect - 1 : 0;
    if (!rep->bad_seq && c.have_head && c.head.seq > last)
        bad(&c, last + 1,
            "the audit trail ends at record %lld but its signed head records record %lld: it "
            "was truncated",
            (long long)last, (long long)c.head.seq);
    if (rep->bad_seq) {
        tl__node_err(n, "the audit trail does not verify: %s", rep->problem);
        return TL_ECONFLICT;
    }
    return TL_OK;
}
