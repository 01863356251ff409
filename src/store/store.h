/*
 * store.h: the one store interface. Backends (store_sqlite.c,
 * store_pg.c) fill in struct tl_store_ops; callers only use the tl_store_*
 * functions below, so a backend can be added without changing any caller.
 *
 * A tl_store is used by one thread at a time.
 */
#ifndef TL_STORE_H
#define TL_STORE_H

#include "tearline/record.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tl_store tl_store;

/*
 * Facets the store indexes with each version, so that the release compiler
 * can decide on every holding without parsing it:
 *   source      provenance source_ref and originator (protected identities)
 *   originator  provenance originator
 *   end         a relationship's source_ref and target_ref, a sighting's sighting_of_ref
 *   caveat      "noforn" and "orcon" when true, "rel_to" when present
 *   rel_to      each code in caveats.rel_to
 *   marking     each of object_marking_refs
 *   label       each of labels (given to tl_store_put as labels, not as facets)
 */
#define TL_FACET_SOURCE "source"
#define TL_FACET_ORIGINATOR "originator"
#define TL_FACET_END "end"
#define TL_FACET_CAVEAT "caveat"
#define TL_FACET_REL_TO "rel_to"
#define TL_FACET_MARKING "marking"
#define TL_FACET_LABEL "label"
typedef struct tl_store_facet {
    const char *kind;
    const char *value;
} tl_store_facet;

/* One indexed facet: its kind and value, and the seq of the version it belongs to (tl_record). */
typedef int (*tl_store_facet_cb)(const char *kind, const char *value, int64_t seq, void *ud);

/* What tl_store_put() is given: one validated object version. */
typedef struct tl_store_obj {
    const char *id;
    const char *type;
    const char *version; /* version key */
    const char *created; /* created key, "" if none */
    int revoked;
    const char *origin; /* "" for our own */
    const char *json;   /* canonical form */
    size_t json_len;
    const char *const *labels;
    size_t nlabels;
    const tl_store_facet *facets;
    size_t nfacets;
} tl_store_obj;

typedef enum tl_put_result {
    TL_PUT_NEW,       /* stored */
    TL_PUT_DUPLICATE, /* the same version with the same content was already stored */
} tl_put_result;

/* One held agreement version: the whole document in canonical form. */
typedef int (*tl_store_agreement_cb)(const char *id, int64_t version, const char *doc, size_t len,
                                     void *ud);

/* One published object in a partner's outbox. */
typedef struct tl_outbox_obj {
    const char *partner;
    const char *id;       /* the per-partner id */
    const char *version;  /* version key */
    const char *original; /* the original id it was released from */
    const char *json;     /* canonical, signed */
    size_t json_len;
} tl_outbox_obj;

/*
 * A TAXII query over one partner's outbox (ids, types and versions OR within
 * each list, AND across them). Rows come in date_added order.
 */
#define TL_OUTBOX_MAX_MATCH 64
typedef struct tl_outbox_query {
    const char *partner;
    int64_t after_added; /* date_added strictly after (the larger of added_after and the cursor); <
                            0: none */
    const char *ids[TL_OUTBOX_MAX_MATCH];
    size_t nids;
    const char *types[TL_OUTBOX_MAX_MATCH];
    size_t ntypes;
    int first, last, all;                      /* version keywords */
    const char *versions[TL_OUTBOX_MAX_MATCH]; /* exact version keys */
    size_t nversions;
    size_t limit;  /* rows at most; 0: no limit */
    int want_json; /* 0: json NULL */
} tl_outbox_query;

/* One outbox row; strings valid only during the callback. Return nonzero to stop. */
typedef int (*tl_outbox_cb)(int64_t added, const char *id, const char *version, const char *json,
                            size_t json_len, void *ud);

/*
 * A tl_outbox_cb that joins the rows' JSON into b with commas (a list for an
 * envelope or a sealed file), counting them and keeping the last date_added.
 */
struct tl_buf;
struct tl_outbox_join {
    struct tl_buf *b;
    uint64_t n;
    int64_t last;
};
int tl_store_outbox_join(int64_t added, const char *id, const char *version, const char *json,
                         size_t json_len, void *ud);

/* A partner as this node knows it (strings owned by the store's caller or the callback). */
typedef struct tl_partner_rec {
    const char *code;
    const char *url;         /* its TAXII API root, "" if none */
    const char *public_key;  /* hex Ed25519, "" if none */
    const char *credential;  /* what we present to its server, "" if none */
    const char *secret_hash; /* libsodium pwhash string of what it presents to ours, "" if none */
    const char *ca;          /* PEM file of the CA (or certificate) its HTTPS server must have */
} tl_partner_rec;

typedef int (*tl_partner_cb)(const tl_partner_rec *p, void *ud);

/* One ledger entry (ledger.c gives the meaning; the store keeps it as given). */
typedef struct tl_ledger_row {
    int64_t seq, time;
    const char *kind, *party, *summary;
    const char *payload;
    size_t payload_len;
    const unsigned char *digest, *prev, *hash; /* 32 bytes each */
} tl_ledger_row;

/* A signed checkpoint of the ledger head. */
typedef struct tl_checkpoint_row {
    int64_t seq, time;
    const unsigned char *hash;       /* 32 */
    const unsigned char *public_key; /* 32 */
    const unsigned char *signature;  /* 64 */
} tl_checkpoint_row;

typedef int (*tl_ledger_row_cb)(const tl_ledger_row *e, void *ud);

/* One audit record (audit.c chains them; prev and hash NULL on records from before the chain). */
typedef struct tl_audit_row {
    int64_t seq, time;
    const char *partner, *object, *action, *rule, *detail;
    const unsigned char *prev, *hash; /* 32 bytes each */
} tl_audit_row;

typedef int (*tl_audit_row_cb)(const tl_audit_row *a, void *ud);
typedef int (*tl_resolution_cb)(const char *a, const char *b, const char *verdict, int64_t added_us,
                                void *ud);
typedef int (*tl_checkpoint_cb)(const tl_checkpoint_row *c, void *ud);
/* One stored claim document (fusion.c) and the holding it was taken from. */
typedef int (*tl_claim_cb)(const char *holding, const char *doc, size_t len, void *ud);
/* A watchlist rule: its name, document, when it was added, the date_added it has seen up to. */
typedef int (*tl_watch_cb)(const char *name, const char *doc, int64_t added, int64_t seen,
                           void *ud);
typedef int (*tl_alert_cb)(int64_t seq, const char *rule, const char *entity, int64_t time,
                           const char *doc, void *ud);

struct tl_store_ops {
    const char *name;
    tl_err (*begin)(tl_store *st);
    tl_err (*commit)(tl_store *st);
    tl_err (*rollback)(tl_store *st);
    tl_err (*put)(tl_store *st, const tl_store_obj *obj, tl_put_result *res);
    /* NULL: tl_store_put_batch() puts one at a time */
    tl_err (*put_batch)(tl_store *st, const tl_store_obj *objs, size_t n, tl_put_result *res,
                        size_t *done);
    tl_err (*get)(tl_store *st, const char *id, const char *version, tl_record_cb cb, void *ud);
    /* after: the seq of a valid cursor (0: from the start); next[0] already "" */
    tl_err (*query)(tl_store *st, const tl_filter *f, int64_t after, tl_record_cb cb, void *ud,
                    char next[TL_CURSOR_MAX]);
    tl_err (*del)(tl_store *st, const char *id, const char *version, int64_t *deleted);
    tl_err (*count)(tl_store *st, tl_count_cb cb, void *ud);
    tl_err (*facets)(tl_store *st, const char *kind, tl_store_facet_cb cb, void *ud);
    tl_err (*term_add)(tl_store *st, const char *term, const char *folded, const char *kind);
    tl_err (*term_remove)(tl_store *st, const char *folded);
    tl_err (*term_list)(tl_store *st, tl_term_cb cb, void *ud);
    tl_err (*resolution_put)(tl_store *st, const char *a, const char *b, const char *verdict);
    tl_err (*resolution_list)(tl_store *st, tl_resolution_cb cb, void *ud);
    tl_err (*claims_put)(tl_store *st, const char *holding, const char *const *docs, size_t n);
    tl_err (*claims_scan)(tl_store *st, tl_claim_cb cb, void *ud);
    tl_err (*watch_put)(tl_store *st, const char *name, const char *doc, int64_t seen);
    tl_err (*watch_list)(tl_store *st, tl_watch_cb cb, void *ud);
    tl_err (*alert_put)(tl_store *st, const char *rule, const char *entity, int64_t time,
                        const char *doc);
    tl_err (*alert_list)(tl_store *st, int64_t after_seq, tl_alert_cb cb, void *ud);
    tl_err (*agreement_put)(tl_store *st, const char *id, int64_t version, const char *doc,
                            size_t len);
    tl_err (*agreement_get)(tl_store *st, const char *id, int64_t version, tl_store_agreement_cb cb,
                            void *ud);
    tl_err (*agreement_list)(tl_store *st, tl_store_agreement_cb cb, void *ud);
    tl_err (*outbox_find)(tl_store *st, const char *partner, const char *id, const char *version,
                          char **json);
    tl_err (*outbox_put)(tl_store *st, const tl_outbox_obj *o);
    tl_err (*outbox_trace)(tl_store *st, const char *id,
                           int (*cb)(const char *partner, const char *version, const char *original,
                                     void *ud),
                           void *ud);
    tl_err (*outbox_query)(tl_store *st, const tl_outbox_query *q, tl_outbox_cb cb, void *ud);
    tl_err (*audit_head)(tl_store *st, int64_t *seq, unsigned char hash[32], int *chained);
    tl_err (*audit_put)(tl_store *st, const tl_audit_row *a);
    tl_err (*audit_scan)(tl_store *st, const char *partner, int64_t since_us, tl_audit_row_cb cb,
                         void *ud);
    tl_err (*partner_put)(tl_store *st, const tl_partner_rec *p);
    tl_err (*partner_get)(tl_store *st, const char *code, tl_partner_cb cb, void *ud);
    tl_err (*status_put)(tl_store *st, const char *id, const char *partner, const char *doc);
    tl_err (*status_get)(tl_store *st, const char *id, const char *partner, char **doc);
    tl_err (*ledger_head)(tl_store *st, int64_t *seq, unsigned char hash[32]);
    tl_err (*ledger_put)(tl_store *st, const tl_ledger_row *e);
    tl_err (*ledger_scan)(tl_store *st, int64_t from_seq, int with_payload, tl_ledger_row_cb cb,
                          void *ud);
    tl_err (*checkpoint_put)(tl_store *st, const tl_checkpoint_row *c);
    tl_err (*checkpoint_scan)(tl_store *st, tl_checkpoint_cb cb, void *ud);
    tl_err (*meta_get)(tl_store *st, const char *key, char **value);
    tl_err (*meta_set)(tl_store *st, const char *key, const char *value);
    void (*close)(tl_store *st);
};

/* Every backend's handle starts with this. */
struct tl_store {
    const struct tl_store_ops *ops;
    char errmsg[512];
};

/*
 * Opens (creating and migrating if needed) the store at url: "sqlite:PATH"
 * or a plain path. *out (OUT) is closed with tl_store_close(). On failure
 * the reason goes to errmsg[0..errcap).
 */
tl_err tl_store_open(const char *url, tl_store **out, char *errmsg, size_t errcap);
void tl_store_close(tl_store *st);
const char *tl_store_errmsg(const tl_store *st);

/* Transactions: every write happens inside begin ... commit/rollback. */
tl_err tl_store_begin(tl_store *st);
tl_err tl_store_commit(tl_store *st);
tl_err tl_store_rollback(tl_store *st);

/*
 * Stores one version. An identical (id, version) already stored is
 * TL_PUT_DUPLICATE; one with other content is TL_ECONFLICT (each version is
 * immutable), as are a version with a different `created` and an
 * unrevoked version newer than a revoked one (revocation is permanent).
 * date_added is assigned strictly increasing.
 */
tl_err tl_store_put(tl_store *st, const tl_store_obj *obj, tl_put_result *res);
/*
 * Batch form, as tl_store_put() on each in turn: res[i] (OUT) for each
 * stored; *done (OUT) how many were. On an error, objs[*done] is the one it
 * concerns (the message on st) and those before it are stored, in the open
 * transaction: the caller may go on after it. Backends with a faster path
 * (PostgreSQL's COPY) use it.
 */
tl_err tl_store_put_batch(tl_store *st, const tl_store_obj *objs, size_t n, tl_put_result *res,
                          size_t *done);

/* The version of id (NULL: latest). TL_ENOTFOUND if none; cb sees exactly one record. */
tl_err tl_store_get(tl_store *st, const char *id, const char *version, tl_record_cb cb, void *ud);

/*
 * Records matching f, in date_added order, after the position in cursor
 * (NULL or "": from the start). If f->limit stopped the listing early, next
 * (OUT) receives the cursor to resume from, otherwise "". A cursor that is not
 * one this store wrote is TL_EINVAL.
 */
tl_err tl_store_query(tl_store *st, const tl_filter *f, const char *cursor, tl_record_cb cb,
                      void *ud, char next[TL_CURSOR_MAX]);

/* Deletes one version of id (version NULL: all). *deleted (OUT) counts them. */
tl_err tl_store_delete(tl_store *st, const char *id, const char *version, int64_t *deleted);

/* Counts by (type, origin). */
tl_err tl_store_count(tl_store *st, tl_count_cb cb, void *ud);

/* Every indexed facet of kind (in seq order) or of every kind (NULL; in no order), of every
 * version. */
tl_err tl_store_facets(tl_store *st, const char *kind, tl_store_facet_cb cb, void *ud);

/* The lexicon of protected terms, keyed by their folded form. */
tl_err tl_store_term_add(tl_store *st, const char *term, const char *folded, const char *kind);
tl_err tl_store_term_remove(tl_store *st, const char *folded);
tl_err tl_store_term_list(tl_store *st, tl_term_cb cb, void *ud);

/*
 * Analysts' verdicts on entity resolution: ids a < b are the "same" or
 * "different"; put replaces an earlier verdict (inside a transaction);
 * list goes by a, then b.
 */
tl_err tl_store_resolution_put(tl_store *st, const char *a, const char *b, const char *verdict);
tl_err tl_store_resolution_list(tl_store *st, tl_resolution_cb cb, void *ud);

/*
 * Agreements: put stores (or replaces) the document of (id, version); the
 * agreement module checks that a replacement only adds signatures. get
 * takes version 0 for the latest; TL_ENOTFOUND if none. list goes by id,
 * then version.
 */
tl_err tl_store_agreement_put(tl_store *st, const char *id, int64_t version, const char *doc,
                              size_t len);
tl_err tl_store_agreement_get(tl_store *st, const char *id, int64_t version,
                              tl_store_agreement_cb cb, void *ud);
tl_err tl_store_agreement_list(tl_store *st, tl_store_agreement_cb cb, void *ud);

/*
 * Outboxes: what was released to each partner. find gives the published
 * canonical text of (partner, id, version), version NULL meaning the latest
 * (*json freed with tl_free), or TL_ENOTFOUND. put appends one object with a strictly increasing
 * date_added. audit appends one release decision.
 */
tl_err tl_store_outbox_find(tl_store *st, const char *partner, const char *id, const char *version,
                            char **json);
tl_err tl_store_outbox_put(tl_store *st, const tl_outbox_obj *o);
/* Every published version of id: partner, version, original. TL_ENOTFOUND if none. */
tl_err tl_store_outbox_trace(tl_store *st, const char *id,
                             int (*cb)(const char *partner, const char *version,
                                       const char *original, void *ud),
                             void *ud);
/*
 * The audit trail: head gives the last record's seq and hash (*chained 0 if
 * it predates the chain, or there is none); put appends one (inside a
 * transaction); scan calls cb with every record (of partner, from since_us;
 * NULL and 0 for all) in seq order.
 */
tl_err tl_store_audit_head(tl_store *st, int64_t *seq, unsigned char hash[32], int *chained);
tl_err tl_store_audit_put(tl_store *st, const tl_audit_row *a);
tl_err tl_store_audit_scan(tl_store *st, const char *partner, int64_t since_us, tl_audit_row_cb cb,
                           void *ud);
/* The rows of q, in date_added order, at most q->limit. */
tl_err tl_store_outbox_query(tl_store *st, const tl_outbox_query *q, tl_outbox_cb cb, void *ud);

/*
 * Partners: put stores or replaces one (inside a transaction); get calls cb
 * with code's record (TL_ENOTFOUND if none) or, code NULL, with every
 * partner in code order.
 */
tl_err tl_store_partner_put(tl_store *st, const tl_partner_rec *p);
tl_err tl_store_partner_get(tl_store *st, const char *code, tl_partner_cb cb, void *ud);

/*
 * TAXII status resources: put stores one (inside a transaction); get finds
 * id if partner made it (*doc freed with tl_free), else TL_ENOTFOUND.
 */
tl_err tl_store_status_put(tl_store *st, const char *id, const char *partner, const char *doc);
tl_err tl_store_status_get(tl_store *st, const char *id, const char *partner, char **doc);

/*
 * The ledger: head gives the last entry's seq and hash (0 and zeros when
 * empty); put appends one entry (inside a transaction; the caller chains
 * it); scan calls cb with every entry from from_seq on, in seq order
 * (payload NULL unless with_payload). Checkpoints: put one (inside a
 * transaction), scan them all in seq order.
 */
tl_err tl_store_ledger_head(tl_store *st, int64_t *seq, unsigned char hash[32]);
tl_err tl_store_ledger_put(tl_store *st, const tl_ledger_row *e);
tl_err tl_store_ledger_scan(tl_store *st, int64_t from_seq, int with_payload, tl_ledger_row_cb cb,
                            void *ud);
tl_err tl_store_checkpoint_put(tl_store *st, const tl_checkpoint_row *c);
tl_err tl_store_checkpoint_scan(tl_store *st, tl_checkpoint_cb cb, void *ud);

/* Node metadata. *value (OUT) is freed with tl_free; TL_ENOTFOUND if unset. */
/*
 * Replaces the claims taken from holding with docs[0..n) (n == 0: none
 * left), inside a transaction; tl_store_claims_scan() lists every claim in
 * holding order.
 */
tl_err tl_store_claims_put(tl_store *st, const char *holding, const char *const *docs, size_t n);
tl_err tl_store_claims_scan(tl_store *st, tl_claim_cb cb, void *ud);

/*
 * Watchlists: put stores or replaces the rule name (inside a transaction)
 * with the date_added it has seen up to; list gives every rule by name.
 * Alerts: put appends one (inside a transaction); list gives those after
 * seq after_seq in order.
 */
tl_err tl_store_watch_put(tl_store *st, const char *name, const char *doc, int64_t seen);
tl_err tl_store_watch_list(tl_store *st, tl_watch_cb cb, void *ud);
tl_err tl_store_alert_put(tl_store *st, const char *rule, const char *entity, int64_t time,
                          const char *doc);
tl_err tl_store_alert_list(tl_store *st, int64_t after_seq, tl_alert_cb cb, void *ud);

tl_err tl_store_meta_get(tl_store *st, const char *key, char **value);
tl_err tl_store_meta_set(tl_store *st, const char *key, const char *value);

/* ---- shared by the backends ---- */

/* One stored version of an id, as a backend read it. */
typedef struct tl_store_version {
    const char *version, *created, *json;
    size_t json_len;
    int revoked;
} tl_store_version;

/*
 * Checks o, about to be stored, against one stored version v of its id:
 * 0 to go on; 1 if o is v again (a duplicate); -1 if o is refused (a
 * version is immutable, `created` never changes, revocation is permanent),
 * the reason in errmsg[0..cap).
 */
int tl__store_check_version(const tl_store_obj *o, const tl_store_version *v, char *errmsg,
                            size_t cap);

/* Backend constructors (store_sqlite.c, store_pg.c: a libpq connection URI). */
tl_err tl__store_sqlite_open(const char *path, tl_store **out, char *errmsg, size_t errcap);
tl_err tl__store_pg_open(const char *url, tl_store **out, char *errmsg, size_t errcap);

/*
 * Copies every table of the SQLite store at path (schema current) into
 * the empty PostgreSQL store st, in one transaction, with every seq,
 * date_added and hash as it was: the ledger and the audit trail verify as
 * before. cb (may be NULL) hears each table and its row count. TL_EEXIST
 * if st is not empty.
 */
typedef void (*tl_store_import_cb)(const char *table, int64_t rows, void *ud);
tl_err tl__store_pg_import_sqlite(tl_store *st, const char *path, tl_store_import_cb cb, void *ud);

/* Whether url names a PostgreSQL store (postgresql:// or postgres://). */
int tl_store_url_is_pg(const char *url);

#endif
