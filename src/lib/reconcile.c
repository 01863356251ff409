/*
 * reconcile.c: both sides' records of an exchange, compared.
 *
 * After a pull the receiver sends, with its receipts, a signed witness of
 * its ledger (TL_WITNESS_TYPE): its head, and how many objects (and which:
 * a digest of the sorted set) it released to the partner, received from it
 * and acknowledged. The partner keeps it in its own ledger. Reconciling
 * with a partner reads this node's ledger: what was released to it, what it
 * acknowledged (its receipts), what was received from it, and its latest
 * witness, and lists every discrepancy.
 */
#include "tearline/json.h"
#include "tearline/ledger.h"
#include "tearline/prov.h"
#include "tearline/release.h"

#include "buf.h"
#include "jcs.h"
#include "keys.h"
#include "ledger_int.h"
#include "node_int.h"
#include "sig.h"
#include "ts.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally {
    const char *partner;
    json_t *released, *received, *acked, *our_acks; /* "id version-key" -> true */
    json_t *witness;                                /* the partner's latest, or NULL */
    json_t *bad_receipts;                           /* messages */
    tl_err rc;
};

static int add_key(json_t *set, const char *id, const char *version)
{
    char key[400];
    if (!id || !version) return 0;
    snprintf(key, sizeof key, "%s %s", id, version);
    return json_object_set_new(set, key, json_true());
}

/* Receipt objects list {id, version (a STIX timestamp)}; sets hold version keys. */
static int add_receipt(struct tally *t, json_t *set, const json_t *r, int64_t seq)
{
    const json_t *objects = json_object_get(r, "x_objects");
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o)
    {
        const char *v = json_string_value(json_object_get(o, "version"));
        char key[TL_TS_KEYMAX];
        if (!v || tl__ts_parse(v, strlen(v), NULL, NULL, key)) continue;
        if (add_key(set, json_string_value(json_object_get(o, "id")), key)) return -1;
    }
    json_int_t count = json_integer_value(json_object_get(r, "x_count"));
    if (count != (json_int_t)json_array_size(objects)) {
        char msg[300];
        snprintf(msg, sizeof msg, "receipt %s (entry %lld) claims %lld objects but lists %zu",
                 json_string_value(json_object_get(r, "id")), (long long)seq, (long long)count,
                 json_array_size(objects));
        if (json_array_append_new(t->bad_receipts, json_string(msg))) return -1;
    }
    return 0;
}

static int tally_entry(const tl_ledger_entry *e, void *ud)
{
    struct tally *t = ud;
    if (strcmp(e->party, t->partner) != 0) return 0;
    int rel = !strcmp(e->kind, TL_LEDGER_RELEASE), rec = !strcmp(e->kind, TL_LEDGER_RECEIVED);
    int rcp = !strcmp(e->kind, TL_LEDGER_RECEIPT), ack = !strcmp(e->kind, TL_LEDGER_ACKNOWLEDGED);
    int wit = !strcmp(e->kind, TL_LEDGER_WITNESS);
    if (!rel && !rec && !rcp && !ack && !wit) return 0;
    json_t *p = NULL;
    if (tl__json_parse_stored(e->payload, e->payload_len, &p)) {
        t->rc = TL_ESTORE;
        return 1;
    }
    int fail = 0;
    if (rel || rec) {
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(p, "objects"), i, o)
        {
            if (add_key(rel ? t->released : t->received, json_string_value(json_array_get(o, 0)),
                        json_string_value(json_array_get(o, 1))))
                fail = 1;
        }
    } else if (rcp || ack) {
        fail = add_receipt(t, rcp ? t->acked : t->our_acks, p, e->seq) != 0;
    } else {
        json_decref(t->witness);
        t->witness = json_incref(p);
    }
    json_decref(p);
    if (fail) t->rc = TL_ENOMEM;
    return fail;
}

static void tally_free(struct tally *t)
{
    json_decref(t->released);
    json_decref(t->received);
    json_decref(t->acked);
    json_decref(t->our_acks);
    json_decref(t->witness);
    json_decref(t->bad_receipts);
}

static tl_err tally(tl_node *n, const char *partner, struct tally *t)
{
    memset(t, 0, sizeof *t);
    t->partner = partner;
    t->released = json_object();
    t->received = json_object();
    t->acked = json_object();
    t->our_acks = json_object();
    t->bad_receipts = json_array();
    if (!t->released || !t->received || !t->acked || !t->our_acks || !t->bad_receipts)
        return TL_ENOMEM;
    tl_ledger_filter f = {NULL, partner, 0, 1};
    tl_err rc = tl_node_ledger_list(n, &f, tally_entry, t);
    if (!rc) rc = t->rc;
    if (rc == TL_ESTORE) tl__node_err(n, "ledger: an entry's payload is not JSON");
    return rc;
}

/* BLAKE2b-256 of a set's keys, sorted, one per line: equal sets, equal digests. */
static tl_err set_digest(const json_t *set, char hex[65])
{
    const char **keys = NULL;
    size_t n = 0, i;
    if (tl__json_sorted_keys(set, &keys, &n)) return TL_ENOMEM;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    for (i = 0; i < n; i++) {
        crypto_generichash_update(&h, (const unsigned char *)keys[i], strlen(keys[i]));
        crypto_generichash_update(&h, (const unsigned char *)"\n", 1);
    }
    unsigned char d[32];
    crypto_generichash_final(&h, d, 32);
    sodium_bin2hex(hex, 65, d, 32);
    tl_free(keys);
    return TL_OK;
}

/* This node's account of its ledger for partner (the witness, unsigned). */
static tl_err witness(tl_node *n, const char *partner, json_t **out)
{
    *out = NULL;
    struct tally t;
    tl_err rc = tally(n, partner, &t);
    int64_t seq = 0;
    unsigned char head[32];
    char hh[65], drel[65], drec[65], dack[65];
    if (!rc) rc = tl_store_ledger_head(n->store, &seq, head);
    if (!rc) rc = set_digest(t.released, drel);
    if (!rc) rc = set_digest(t.received, drec);
    if (!rc) rc = set_digest(t.our_acks, dack);
    if (!rc) {
        sodium_bin2hex(hh, sizeof hh, head, 32);
        char now[32], id[80], uuid[37];
        tl__ts_format_ms(tl__now_us(), now);
        tl__uuid4(uuid);
        snprintf(id, sizeof id, TL_WITNESS_TYPE "--%s", uuid);
        *out = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:I, s:s, s:I, s:s}",
            "type", TL_WITNESS_TYPE, "spec_version", "2.1", "id", id, "created", now, "modified",
            now, "created_by_ref", tl_node_identity(n), "x_party", n->code, "x_for", partner,
            "x_seq", (json_int_t)seq, "x_head", hh, "x_released",
            (json_int_t)json_object_size(t.released), "x_released_digest", drel, "x_received",
            (json_int_t)json_object_size(t.received), "x_received_digest", drec, "x_acknowledged",
            (json_int_t)json_object_size(t.our_acks), "x_acknowledged_digest", dack);
        if (!*out) rc = TL_ENOMEM;
    }
    tally_free(&t);
    return rc;
}

tl_err tl__ledger_witness_signed(tl_node *n, const char *partner, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    json_t *w = NULL;
    unsigned char sk[64];
    tl_err rc = tl__node_key_to(n, partner, sk);
    if (!rc) rc = witness(n, partner, &w);
    if (!rc) rc = tl__sig_add(w, sk, tl_node_identity(n));
    if (!rc) rc = tl_json_canonical(w, text, len);
    sodium_memzero(sk, sizeof sk);
    json_decref(w);
    return rc;
}

/* How many keys of a b lacks; the first limit of them into sample. */
static size_t missing(const json_t *a, const json_t *b, json_t *sample, size_t limit)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(tl__json_mut(a), k, v)
    {
        (void)v;
        if (json_object_get(b, k)) continue;
        if (n++ < limit) json_array_append_new(sample, json_string(k));
    }
    return n;
}

static tl_err add_finding(json_t *list, const char *what, size_t count, json_t *sample,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static tl_err add_finding(json_t *list, const char *what, size_t count, json_t *sample,
                          const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *f = json_pack("{s:s, s:I, s:s, s:o}", "kind", what, "count", (json_int_t)count,
                          "message", msg, "sample", sample ? sample : json_array());
    return !f || json_array_append_new(list, f) ? TL_ENOMEM : TL_OK;
}

tl_err tl_node_ledger_reconcile(tl_node *n, const char *partner, json_t **report)
{
    *report = NULL;
    n->errmsg[0] = '\0';
    if (!tl_party_code_valid(partner) || !strcmp(partner, n->code)) {
        tl__node_err(n, "'%s' is not a partner code", partner ? partner : "");
        return TL_EINVAL;
    }
    struct tally t;
    tl_err rc = tally(n, partner, &t);
    json_t *found = json_array(), *rep = NULL;
    if (!found) rc = TL_ENOMEM;
    const char *me = n->code;
    if (!rc) {
        json_t *s = json_array();
        size_t k = missing(t.released, t.acked, s, 10);
        if (k)
            rc = add_finding(found, "not-acknowledged", k, s,
                             "released to %s but never acknowledged: %zu objects", partner, k);
        else
            json_decref(s);
    }
    if (!rc) {
        json_t *s = json_array();
        size_t k = missing(t.acked, t.released, s, 10);
        if (k)
            rc =
                add_finding(found, "not-released", k, s,
                            "acknowledged by %s but never released to it: %zu objects", partner, k);
        else
            json_decref(s);
    }
    size_t i;
    json_t *m;
    json_array_foreach(t.bad_receipts, i, m)
    {
        if (!rc) rc = add_finding(found, "receipt-count", 1, NULL, "%s", json_string_value(m));
    }
    const json_t *w = t.witness;
    if (!rc && w) {
        /* the partner's own records, as it signed them, against ours */
        json_int_t w_rec = json_integer_value(json_object_get(w, "x_received"));
        json_int_t w_rel = json_integer_value(json_object_get(w, "x_released"));
        json_int_t w_ack = json_integer_value(json_object_get(w, "x_acknowledged"));
        char d[65];
        const char *w_ackd = json_string_value(json_object_get(w, "x_acknowledged_digest"));
        if (w_rec != w_ack)
            rc =
                add_finding(found, "witness-received", (size_t)llabs((long long)(w_rec - w_ack)),
                            NULL, "%s records receiving %lld objects from %s but acknowledged %lld",
                            partner, (long long)w_rec, me, (long long)w_ack);
        if (!rc && (rc = set_digest(t.acked, d)) == TL_OK &&
            ((size_t)w_ack != json_object_size(t.acked) || !w_ackd || strcmp(w_ackd, d) != 0))
            rc = add_finding(found, "witness-acknowledged", json_object_size(t.acked), NULL,
                             "%s records acknowledging %lld objects; %s holds receipts for %zu",
                             partner, (long long)w_ack, me, json_object_size(t.acked));
        const char *w_reld = json_string_value(json_object_get(w, "x_released_digest"));
        if (!rc && (rc = set_digest(t.received, d)) == TL_OK &&
            ((size_t)w_rel != json_object_size(t.received) || !w_reld || strcmp(w_reld, d) != 0))
            rc = add_finding(
                found, "witness-released",
                (size_t)llabs((long long)w_rel - (long long)json_object_size(t.received)), NULL,
                "%s records releasing %lld objects to %s; %s has received %zu", partner,
                (long long)w_rel, me, me, json_object_size(t.received));
    }
    if (!rc) {
        rep = json_pack("{s:s, s:I, s:I, s:I, s:I, s:O?, s:o}", "partner", partner, "released",
                        (json_int_t)json_object_size(t.released), "acknowledged",
                        (json_int_t)json_object_size(t.acked), "received",
                        (json_int_t)json_object_size(t.received), "acknowledged_by_us",
                        (json_int_t)json_object_size(t.our_acks), "witness", w, "discrepancies",
                        found);
        found = NULL;
        if (!rep) rc = TL_ENOMEM;
    }
    json_decref(found);
    tally_free(&t);
    if (rc == TL_ENOMEM && !n->errmsg[0]) tl__node_err(n, "out of memory");
    *report = rep;
    return rc;
}
