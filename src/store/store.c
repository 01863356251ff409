/* store.c: dispatch to the store backend named by the store URL. */
#include "store.h"

#include "buf.h"

#include <string.h>

int tl__store_check_version(const tl_store_obj *o, const tl_store_version *v, char *errmsg,
                            size_t cap)
{
    int cmp = strcmp(o->version, v->version);
    if (cmp == 0) {
        if (v->json_len == o->json_len && memcmp(v->json, o->json, o->json_len) == 0) return 1;
        tl__msg(errmsg, cap,
                "object %s: version %s is already stored with different content (a version is "
                "immutable; a change needs a newer 'modified')",
                o->id, *o->version ? o->version : "(unversioned)");
        return -1;
    }
    if (strcmp(v->created, o->created) != 0) {
        tl__msg(errmsg, cap, "object %s: 'created' differs from the stored versions (%s)", o->id,
                v->created);
        return -1;
    }
    if (v->revoked && cmp > 0 && !o->revoked) {
        tl__msg(errmsg, cap, "object %s: was revoked in version %s; revocation is permanent", o->id,
                v->version);
        return -1;
    }
    return 0;
}

/* A listing cursor ("c1." and the decimal seq of the last record; NULL or "": 0). -1 if not one. */
static int parse_cursor(const char *c, int64_t *seq)
{
    *seq = 0;
    if (!c || !*c) return 0;
    if (strncmp(c, "c1.", 3) != 0) return -1;
    const char *d = c + 3;
    size_t n = strlen(d);
    if (n == 0 || n > 18) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9') return -1;
        v = v * 10 + (d[i] - '0');
    }
    *seq = v;
    return 0;
}

int tl_store_url_is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

tl_err tl_store_open(const char *url, tl_store **out, char *errmsg, size_t errcap)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) == 0) return tl__store_sqlite_open(url + 7, out, errmsg, errcap);
    if (tl_store_url_is_pg(url)) return tl__store_pg_open(url, out, errmsg, errcap);
    if (strstr(url, "://")) {
        const char *scheme_end = strstr(url, "://");
        tl__msg(errmsg, errcap,
                "store URL '%.*s://...': unsupported scheme (sqlite:PATH or postgresql://...)",
                (int)(scheme_end - url > 20 ? 20 : scheme_end - url), url);
        return TL_EINVAL;
    }
    return tl__store_sqlite_open(url, out, errmsg, errcap);
}

void tl_store_close(tl_store *st)
{
    if (st) st->ops->close(st);
}

const char *tl_store_errmsg(const tl_store *st)
{
    return st->errmsg;
}

tl_err tl_store_begin(tl_store *st)
{
    return st->ops->begin(st);
}

tl_err tl_store_commit(tl_store *st)
{
    return st->ops->commit(st);
}

tl_err tl_store_rollback(tl_store *st)
{
    return st->ops->rollback(st);
}

tl_err tl_store_put(tl_store *st, const tl_store_obj *obj, tl_put_result *res)
{
    tl_put_result tmp;
    return st->ops->put(st, obj, res ? res : &tmp);
}

tl_err tl_store_put_batch(tl_store *st, const tl_store_obj *objs, size_t n, tl_put_result *res,
                          size_t *done)
{
    *done = 0;
    if (st->ops->put_batch && n > 1) return st->ops->put_batch(st, objs, n, res, done);
    for (size_t i = 0; i < n; i++) {
        tl_err rc = st->ops->put(st, &objs[i], &res[i]);
        if (rc) return rc;
        *done = i + 1;
    }
    return TL_OK;
}

/*
 * What a lookup did not find, or an addition found already there, is told
 * here, in the same words whichever backend looked; the backends only
 * return the code.
 */
tl_err tl_store_get(tl_store *st, const char *id, const char *version, tl_record_cb cb, void *ud)
{
    tl_err rc = st->ops->get(st, id, version, cb, ud);
    if (rc == TL_ENOTFOUND && version)
        tl__msg(st->errmsg, sizeof st->errmsg, "object %s: no version %s is stored", id, version);
    else if (rc == TL_ENOTFOUND)
        tl__msg(st->errmsg, sizeof st->errmsg, "object %s is not in the holdings", id);
    return rc;
}

tl_err tl_store_query(tl_store *st, const tl_filter *f, const char *cursor, tl_record_cb cb,
                      void *ud, char next[TL_CURSOR_MAX])
{
    /* the caller may pass one buffer as both cursor and next */
    char in[TL_CURSOR_MAX] = "";
    if (cursor) {
        if (strlen(cursor) >= sizeof in) {
            tl__msg(st->errmsg, sizeof st->errmsg, "store: the cursor is not valid");
            return TL_EINVAL;
        }
        memcpy(in, cursor, strlen(cursor) + 1);
    }
    next[0] = '\0';
    int64_t after;
    if (parse_cursor(in, &after)) {
        tl__msg(st->errmsg, sizeof st->errmsg, "store: '%.40s' is not a valid cursor", in);
        return TL_EINVAL;
    }
    if (f->ntypes > TL_FILTER_MAX_TYPES) return TL_EINVAL;
    return st->ops->query(st, f, after, cb, ud, next);
}

tl_err tl_store_delete(tl_store *st, const char *id, const char *version, int64_t *deleted)
{
    return st->ops->del(st, id, version, deleted);
}

tl_err tl_store_count(tl_store *st, tl_count_cb cb, void *ud)
{
    return st->ops->count(st, cb, ud);
}

int tl_store_outbox_join(int64_t added, const char *id, const char *version, const char *json,
                         size_t json_len, void *ud)
{
    (void)id;
    (void)version;
    struct tl_outbox_join *j = ud;
    if (j->n++) tl__buf_putc(j->b, ',');
    tl__buf_append(j->b, json, json_len);
    j->last = added;
    return 0;
}

tl_err tl_store_outbox_query(tl_store *st, const tl_outbox_query *q, tl_outbox_cb cb, void *ud)
{
    return st->ops->outbox_query(st, q, cb, ud);
}

tl_err tl_store_partner_put(tl_store *st, const tl_partner_rec *p)
{
    return st->ops->partner_put(st, p);
}

tl_err tl_store_partner_get(tl_store *st, const char *code, tl_partner_cb cb, void *ud)
{
    tl_err rc = st->ops->partner_get(st, code, cb, ud);
    if (rc == TL_ENOTFOUND)
        tl__msg(st->errmsg, sizeof st->errmsg, "'%s' is not a known partner", code);
    return rc;
}

tl_err tl_store_status_put(tl_store *st, const char *id, const char *partner, const char *doc)
{
    return st->ops->status_put(st, id, partner, doc);
}

tl_err tl_store_status_get(tl_store *st, const char *id, const char *partner, char **doc)
{
    return st->ops->status_get(st, id, partner, doc);
}

tl_err tl_store_facets(tl_store *st, const char *kind, tl_store_facet_cb cb, void *ud)
{
    return st->ops->facets(st, kind, cb, ud);
}

tl_err tl_store_term_add(tl_store *st, const char *term, const char *folded, const char *kind)
{
    tl_err rc = st->ops->term_add(st, term, folded, kind);
    if (rc == TL_EEXIST)
        tl__msg(st->errmsg, sizeof st->errmsg,
                "'%s' is already protected (terms match regardless of case and Unicode form)",
                term);
    return rc;
}

tl_err tl_store_term_remove(tl_store *st, const char *folded)
{
    tl_err rc = st->ops->term_remove(st, folded);
    if (rc == TL_ENOTFOUND) tl__msg(st->errmsg, sizeof st->errmsg, "no such protected term");
    return rc;
}

tl_err tl_store_resolution_put(tl_store *st, const char *a, const char *b, const char *verdict)
{
    return st->ops->resolution_put(st, a, b, verdict);
}

tl_err tl_store_claims_put(tl_store *st, const char *holding, const char *const *docs, size_t n)
{
    return st->ops->claims_put(st, holding, docs, n);
}

tl_err tl_store_claims_scan(tl_store *st, tl_claim_cb cb, void *ud)
{
    return st->ops->claims_scan(st, cb, ud);
}

tl_err tl_store_watch_put(tl_store *st, const char *name, const char *doc, int64_t seen)
{
    return st->ops->watch_put(st, name, doc, seen);
}

tl_err tl_store_watch_list(tl_store *st, tl_watch_cb cb, void *ud)
{
    return st->ops->watch_list(st, cb, ud);
}

tl_err tl_store_alert_put(tl_store *st, const char *rule, const char *entity, int64_t time,
                          const char *doc)
{
    return st->ops->alert_put(st, rule, entity, time, doc);
}

tl_err tl_store_alert_list(tl_store *st, int64_t after_seq, tl_alert_cb cb, void *ud)
{
    return st->ops->alert_list(st, after_seq, cb, ud);
}

tl_err tl_store_resolution_list(tl_store *st, tl_resolution_cb cb, void *ud)
{
    return st->ops->resolution_list(st, cb, ud);
}

tl_err tl_store_term_list(tl_store *st, tl_term_cb cb, void *ud)
{
    return st->ops->term_list(st, cb, ud);
}

tl_err tl_store_ledger_head(tl_store *st, int64_t *seq, unsigned char hash[32])
{
    return st->ops->ledger_head(st, seq, hash);
}

tl_err tl_store_ledger_put(tl_store *st, const tl_ledger_row *e)
{
    return st->ops->ledger_put(st, e);
}

tl_err tl_store_ledger_scan(tl_store *st, int64_t from_seq, int with_payload, tl_ledger_row_cb cb,
                            void *ud)
{
    return st->ops->ledger_scan(st, from_seq, with_payload, cb, ud);
}

tl_err tl_store_checkpoint_put(tl_store *st, const tl_checkpoint_row *c)
{
    return st->ops->checkpoint_put(st, c);
}

tl_err tl_store_checkpoint_scan(tl_store *st, tl_checkpoint_cb cb, void *ud)
{
    return st->ops->checkpoint_scan(st, cb, ud);
}

tl_err tl_store_meta_get(tl_store *st, const char *key, char **value)
{
    return st->ops->meta_get(st, key, value);
}

tl_err tl_store_meta_set(tl_store *st, const char *key, const char *value)
{
    return st->ops->meta_set(st, key, value);
}

tl_err tl_store_agreement_put(tl_store *st, const char *id, int64_t version, const char *doc,
                              size_t len)
{
    return st->ops->agreement_put(st, id, version, doc, len);
}

tl_err tl_store_agreement_get(tl_store *st, const char *id, int64_t version,
                              tl_store_agreement_cb cb, void *ud)
{
    tl_err rc = st->ops->agreement_get(st, id, version, cb, ud);
    if (rc == TL_ENOTFOUND && version > 0)
        tl__msg(st->errmsg, sizeof st->errmsg, "agreement %s version %lld is not held", id,
                (long long)version);
    else if (rc == TL_ENOTFOUND)
        tl__msg(st->errmsg, sizeof st->errmsg, "agreement %s is not held", id);
    return rc;
}

tl_err tl_store_agreement_list(tl_store *st, tl_store_agreement_cb cb, void *ud)
{
    return st->ops->agreement_list(st, cb, ud);
}

tl_err tl_store_outbox_find(tl_store *st, const char *partner, const char *id, const char *version,
                            char **json)
{
    return st->ops->outbox_find(st, partner, id, version, json);
}

tl_err tl_store_outbox_put(tl_store *st, const tl_outbox_obj *o)
{
    return st->ops->outbox_put(st, o);
}

tl_err tl_store_audit_head(tl_store *st, int64_t *seq, unsigned char hash[32], int *chained)
{
    return st->ops->audit_head(st, seq, hash, chained);
}

tl_err tl_store_audit_put(tl_store *st, const tl_audit_row *a)
{
    return st->ops->audit_put(st, a);
}

tl_err tl_store_audit_scan(tl_store *st, const char *partner, int64_t since_us, tl_audit_row_cb cb,
                           void *ud)
{
    return st->ops->audit_scan(st, partner, since_us, cb, ud);
}

tl_err tl_store_outbox_trace(tl_store *st, const char *id,
                             int (*cb)(const char *partner, const char *version,
                                       const char *original, void *ud),
                             void *ud)
{
    return st->ops->outbox_trace(st, id, cb, ud);
}
