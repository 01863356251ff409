/*
 * ingest.c: reading STIX input into the holdings, as one transaction.
 *
 * Two stages run on two threads: a reader thread parses, validates and
 * canonicalizes objects in input order, and the calling thread stores them.
 * A bounded queue between them keeps memory flat for inputs of any size.
 * Everything the store sees, and every message, follows input order, so
 * the first error in the input is the one reported.
 */
#define _GNU_SOURCE /* memmem */
#include "node_int.h"

#include "tearline/json.h"
#include "tearline/prov.h"
#include "tearline/release.h"
#include "tearline/stix.h"

#include "jcs.h"
#include "ledger_int.h"
#include "ts.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define MAX_LABELS 64
#define MAX_REFS 5       /* source_ref and originator; two relationship ends or a sighting's */
#define BATCH 64         /* items handed over at once */
#define PENDING_MAX 1000 /* items stored at once (one COPY on PostgreSQL) */
#define PENDING_BYTES (16u << 20) /* ... or fewer: their JSON bounds the memory a batch holds */
#define QUEUE_ITEMS 4096          /* items in flight between the threads */

enum item_kind {
    ITEM_OBJECT,
    ITEM_REJECT, /* an invalid object; message in data */
    ITEM_FATAL,  /* the input cannot go on; message in data */
};

struct item {
    struct item *next;
    enum item_kind kind;
    tl_err rc;
    unsigned long line, col;
    uint64_t bytes; /* input bytes read up to this item, across files */
    int revoked;
    const char *id, *type;
    const char **labels;
    size_t nlabels;
    tl_store_facet *facets;
    size_t nfacets;
    char version[TL_STIX_VERSION_MAX], created[TL_STIX_VERSION_MAX];
    const char *name; /* input name, for messages */
    const char *json;
    size_t json_len;
    /* the label and facet arrays, then id, type, labels, facet values and json; or the message */
    _Alignas(max_align_t) char data[];
};

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    struct item *head, *tail;
    size_t count;
    int producer_done;
    int consumer_quit;
};

struct ingest {
    tl_node *n;
    const tl_ingest_opts *opts;
    const char *const *paths;
    size_t npaths;
    struct queue q;
    uint64_t bytes_before; /* bytes of files already finished */
    /* for the ledger, from a partner: [[id, version key], ...] of what was stored or held */
    struct tl_buf received;
    uint64_t nreceived;
    json_t *topics; /* label -> new objects from the partner with it */
    /* valid items waiting to be stored in one batch, and the batch's arrays */
    struct item **pending;
    tl_store_obj *objs;
    tl_put_result *res;
    size_t npending, pending_bytes;
};

static void queue_put(struct queue *q, struct item *first, struct item *last, size_t n)
{
    pthread_mutex_lock(&q->mu);
    while (q->count >= QUEUE_ITEMS && !q->consumer_quit)
        pthread_cond_wait(&q->can_put, &q->mu);
    if (q->consumer_quit) {
        pthread_mutex_unlock(&q->mu);
        for (struct item *it = first, *nx; it; it = nx) {
            nx = it->next;
            tl_free(it);
        }
        return;
    }
    if (q->tail)
        q->tail->next = first;
    else
        q->head = first;
    q->tail = last;
    q->count += n;
    pthread_cond_signal(&q->can_take);
    pthread_mutex_unlock(&q->mu);
}

/* Takes everything queued; NULL once the producer is done and the queue is empty. */
static struct item *queue_take(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (!q->head && !q->producer_done)
        pthread_cond_wait(&q->can_take, &q->mu);
    struct item *all = q->head;
    q->head = q->tail = NULL;
    q->count = 0;
    pthread_cond_signal(&q->can_put);
    pthread_mutex_unlock(&q->mu);
    return all;
}

static int consumer_quit(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    int quit = q->consumer_quit;
    pthread_mutex_unlock(&q->mu);
    return quit;
}

/* The producer's pending batch. */
struct batch {
    struct item *first, *last;
    size_t n;
};

static void batch_add(struct ingest *g, struct batch *b, struct item *it)
{
    it->next = NULL;
    if (b->last)
        b->last->next = it;
    else
        b->first = it;
    b->last = it;
    if (++b->n == BATCH) {
        queue_put(&g->q, b->first, b->last, b->n);
        b->first = b->last = NULL;
        b->n = 0;
    }
}

static struct item *message_item(enum item_kind kind, tl_err rc, const char *msg)
{
    size_t len = strlen(msg);
    struct item *it = tl_malloc(sizeof *it + len + 1);
    if (!it) return NULL;
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->rc = rc;
    memcpy(it->data, msg, len + 1);
    return it;
}

/* The facets the store indexes (see store.h), in a growing array. */
struct facets {
    tl_store_facet f[64];
    tl_store_facet *heap;
    size_t n, cap;
};

static int facet(struct facets *fs, const char *kind, const char *value)
{
    if (!value) return 0;
    if (fs->n == fs->cap) {
        size_t ncap = fs->cap * 2;
        tl_store_facet *nf = tl_malloc(ncap * sizeof *nf);
        if (!nf) return -1;
        memcpy(nf, fs->heap ? fs->heap : fs->f, fs->n * sizeof *nf);
        tl_free(fs->heap);
        fs->heap = nf;
        fs->cap = ncap;
    }
    (fs->heap ? fs->heap : fs->f)[fs->n++] = (tl_store_facet){kind, value};
    return 0;
}

static int facets_of(const json_t *obj, const char *type, struct facets *fs)
{
    const json_t *prov = json_object_get(json_object_get(obj, "extensions"), TL_PROV_EXT_ID);
    const json_t *cav = json_object_get(prov, "caveats");
    const char *src = json_string_value(json_object_get(prov, "source_ref"));
    const char *orig = json_string_value(json_object_get(prov, "originator"));
    int rc = facet(fs, TL_FACET_SOURCE, src) | facet(fs, TL_FACET_SOURCE, orig) |
             facet(fs, TL_FACET_ORIGINATOR, orig);
    static const char *const ends[] = {"source_ref", "target_ref", "sighting_of_ref"};
    int is_rel = !strcmp(type, "relationship"), is_sighting = !strcmp(type, "sighting");
    for (size_t k = 0; k < 3; k++)
        if ((k < 2 && is_rel) || (k == 2 && is_sighting))
            rc |= facet(fs, TL_FACET_END, json_string_value(json_object_get(obj, ends[k])));
    if (json_is_true(json_object_get(cav, "noforn"))) rc |= facet(fs, TL_FACET_CAVEAT, "noforn");
    if (json_is_true(json_object_get(cav, "orcon"))) rc |= facet(fs, TL_FACET_CAVEAT, "orcon");
    if (json_object_get(cav, "rel_to")) rc |= facet(fs, TL_FACET_CAVEAT, "rel_to");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(cav, "rel_to"), i, e)
    {
        rc |= facet(fs, TL_FACET_REL_TO, json_string_value(e));
    }
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, e)
    {
        rc |= facet(fs, TL_FACET_MARKING, json_string_value(e));
    }
    return rc;
}

/* Builds the store item for a validated object. */
static struct item *object_item(const tl_stix_info *info, const json_t *obj,
                                const struct tl_buf *canon)
{
    struct facets fs = {.cap = 64};
    if (facets_of(obj, info->type, &fs)) {
        tl_free(fs.heap);
        return NULL;
    }
    const tl_store_facet *facets = fs.heap ? fs.heap : fs.f;
    const json_t *labels = json_object_get(obj, "labels");
    size_t nlabels = json_array_size(labels);
    size_t idlen = strlen(info->id), tlen = strlen(info->type);
    size_t total = nlabels * sizeof(char *) + fs.n * sizeof(tl_store_facet) + idlen + tlen + 2 +
                   canon->len + 1;
    size_t i;
    json_t *e;
    json_array_foreach(labels, i, e)
    {
        total += json_string_length(e) + 1;
    }
    for (i = 0; i < fs.n; i++)
        total += strlen(facets[i].value) + 1;
    struct item *it = tl_malloc(sizeof *it + total);
    if (!it) {
        tl_free(fs.heap);
        return NULL;
    }
    memset(it, 0, sizeof *it);
    it->kind = ITEM_OBJECT;
    char *p = it->data;
    it->labels = (const char **)(void *)p;
    p += nlabels * sizeof(char *);
    it->facets = (tl_store_facet *)(void *)p;
    p += fs.n * sizeof(tl_store_facet);
    memcpy(p, info->id, idlen + 1);
    it->id = p;
    p += idlen + 1;
    memcpy(p, info->type, tlen + 1);
    it->type = p;
    p += tlen + 1;
    json_array_foreach(labels, i, e)
    {
        size_t len = json_string_length(e);
        memcpy(p, json_string_value(e), len + 1);
        it->labels[i] = p;
        p += len + 1;
    }
    it->nlabels = nlabels;
    for (i = 0; i < fs.n; i++) {
        size_t len = strlen(facets[i].value);
        memcpy(p, facets[i].value, len + 1);
        it->facets[i] = (tl_store_facet){facets[i].kind, p};
        p += len + 1;
    }
    it->nfacets = fs.n;
    tl_free(fs.heap);
    memcpy(p, canon->p, canon->len + 1);
    it->json = p;
    it->json_len = canon->len;
    memcpy(it->version, info->version, sizeof it->version);
    memcpy(it->created, info->created, sizeof it->created);
    it->revoked = info->revoked;
    return it;
}

/* Reads one file into the queue. Returns nonzero when the input must stop. */
/*
 * The store item for obj once it is valid STIX that JSON can carry exactly.
 * NULL with *why: TL_ESTIX (err says what), TL_EINVAL (the number *bad is
 * beyond +/-(2^53-1)) or TL_ENOMEM.
 */
static struct item *checked_item(const json_t *obj, struct tl_buf *canon, tl_stix_info *info,
                                 tl_stix_error *err, double *bad, tl_err *why)
{
    if ((*why = tl_stix_validate(obj, info, err)) != TL_OK) return NULL;
    tl__buf_reset(canon);
    if ((*why = tl__jcs_write_strict(canon, obj, bad)) != TL_OK) return NULL;
    struct item *it = object_item(info, obj, canon);
    if (!it) *why = TL_ENOMEM;
    return it;
}

/* "the number N is beyond ...", for a refusal of checked_item. */
static void number_msg(char *out, size_t cap, const char *where, const char *id, double bad)
{
    char num[32];
    if (tl_json_number(bad, num)) memcpy(num, "?", 2);
    snprintf(out, cap,
             "%s: object %s: the number %s is beyond +/-(2^53-1), which JSON cannot carry exactly",
             where, id, num);
}

/* Reads one file (or, path NULL, the caller's buffer) into the queue. */
static int produce_file(struct ingest *g, struct batch *b, const char *path, struct tl_buf *canon)
{
    tl_node *n = g->n;
    tl_reader_limits lim = g->opts->limits;
    if (!lim.max_object_bytes) lim.max_object_bytes = n->limits.max_object_bytes;
    if (!lim.max_input_bytes) lim.max_input_bytes = n->limits.max_input_bytes;
    if (!lim.max_depth) lim.max_depth = n->limits.max_depth;
    char msg[1024];
    tl_reader *r = NULL;
    const char *name = !path ? (g->opts->mem_name ? g->opts->mem_name : "<input>")
                       : strcmp(path, "-") == 0 ? "<stdin>"
                                                : path;
    tl_err rc = path ? tl_reader_open_file(path, &lim, &r, msg, sizeof msg)
                     : tl_reader_open_mem(name, g->opts->mem, g->opts->mem_len, &lim, &r);
    if (rc && !path) snprintf(msg, sizeof msg, "%s: %s", name, tl_strerror(rc));
    if (rc) {
        struct item *it = message_item(ITEM_FATAL, rc, msg);
        if (it) batch_add(g, b, it);
        return 1;
    }
    int stop = 0;
    while (!stop) {
        if ((g->opts->cancel && *g->opts->cancel) || consumer_quit(&g->q)) {
            stop = 1;
            break;
        }
        json_t *obj = NULL;
        tl_reader_pos pos = {0, 0, 0};
        rc = tl_reader_next(r, &obj, &pos);
        struct item *it = NULL;
        if (rc) {
            int fatal = !(rc == TL_EJSON && !tl_reader_failed(r));
            it = message_item(fatal ? ITEM_FATAL : ITEM_REJECT, rc, tl_reader_errmsg(r));
            stop = fatal;
        } else if (!obj) {
            break;
        } else {
            tl_stix_info info;
            tl_stix_error err;
            double bad = 0;
            it = checked_item(obj, canon, &info, &err, &bad, &rc);
            if (rc == TL_ESTIX) {
                tl_reader_pos at = tl_reader_locate(r, err.prop);
                snprintf(msg, sizeof msg, "%s:%lu:%lu: %s", name, at.line, at.col, err.msg);
                it = message_item(ITEM_REJECT, rc, msg);
            } else if (rc == TL_EINVAL) {
                char where[300];
                snprintf(where, sizeof where, "%s:%lu:%lu", name, pos.line, pos.col);
                number_msg(msg, sizeof msg, where, info.id, bad);
                it = message_item(ITEM_REJECT, TL_ESTIX, msg);
            }
            json_decref(obj);
        }
        if (!it) {
            it = message_item(ITEM_FATAL, TL_ENOMEM, "out of memory");
            stop = 1;
            if (!it) break;
        }
        it->line = pos.line;
        it->col = pos.col;
        it->name = name;
        it->bytes = g->bytes_before + tl_reader_offset(r);
        batch_add(g, b, it);
    }
    g->bytes_before += tl_reader_offset(r);
    tl_reader_close(r);
    return stop;
}

static void *producer(void *arg)
{
    struct ingest *g = arg;
    struct batch b = {NULL, NULL, 0};
    struct tl_buf canon = TL_BUF_INIT;
    if (g->opts->mem) produce_file(g, &b, NULL, &canon);
    for (size_t i = 0; !g->opts->mem && i < g->npaths; i++)
        if (produce_file(g, &b, g->paths[i], &canon)) break;
    tl__buf_free(&canon);
    if (b.n) queue_put(&g->q, b.first, b.last, b.n);
    pthread_mutex_lock(&g->q.mu);
    g->q.producer_done = 1;
    pthread_cond_signal(&g->q.can_take);
    pthread_mutex_unlock(&g->q.mu);
    return NULL;
}

/*
 * The ledger's view of a stored object: from a partner, it joins the
 * "received" entry written at the end; a receipt a partner signed is an
 * entry of its own, verbatim, and so is one this node signed (newly stored).
 */
static tl_err record(struct ingest *g, const struct item *it, int fresh)
{
    tl_node *n = g->n;
    const char *origin = g->opts->origin && *g->opts->origin ? g->opts->origin : NULL;
    int receipt = !strcmp(it->type, TL_RECEIPT_TYPE);
    if (!strcmp(it->type, TL_WITNESS_TYPE)) { /* a partner's account of its ledger */
        if (!origin || !fresh) return TL_OK;
        char summary[160];
        snprintf(summary, sizeof summary, "witness from the partner: %s", it->id);
        return tl__ledger_append(n, TL_LEDGER_WITNESS, origin, summary, it->json, it->json_len,
                                 NULL);
    }
    if (origin && !receipt) { /* a receipt is not intelligence received: it has its own entry */
        tl__buf_puts(&g->received, g->nreceived++ ? ",[" : "[");
        tl__jcs_string(&g->received, it->id, strlen(it->id));
        tl__buf_putc(&g->received, ',');
        tl__jcs_string(&g->received, it->version, strlen(it->version));
        tl__buf_putc(&g->received, ']');
        if (g->received.oom) return TL_ENOMEM;
        for (size_t i = 0; fresh && i < it->nlabels; i++) {
            if (!g->topics && !(g->topics = json_object())) return TL_ENOMEM;
            json_t *c = json_object_get(g->topics, it->labels[i]);
            if (json_object_set_new(g->topics, it->labels[i],
                                    json_integer(json_integer_value(c) + 1)))
                return TL_ENOMEM;
        }
    }
    if (!receipt || !fresh) return TL_OK;
    /*
     * The partner a receipt concerns: its sender, or the one ours
     * acknowledges (x_released_by). The text is canonical JSON, in which
     * '"name":' can only be a member name; receipts are large, so the two
     * members are found in the text rather than by parsing it again. The
     * count only goes into the summary.
     */
    char summary[200], party[40] = "";
    if (origin) snprintf(party, sizeof party, "%s", origin);
    const char *rb = origin ? NULL : memmem(it->json, it->json_len, "\"x_released_by\":\"", 17);
    if (rb) {
        rb += 17;
        size_t k = 0;
        while (k + 1 < sizeof party && rb + k < it->json + it->json_len && rb[k] != '"') {
            party[k] = rb[k];
            k++;
        }
        party[k] = '\0';
    }
    const char *xc = memmem(it->json, it->json_len, "\"x_count\":", 10);
    long long count = xc && xc + 10 < it->json + it->json_len ? strtoll(xc + 10, NULL, 10) : 0;
    snprintf(summary, sizeof summary, "%s %lld objects: %s",
             origin ? "receipt from the partner for" : "receipt signed for", count, it->id);
    return tl__ledger_append(n, origin ? TL_LEDGER_RECEIPT : TL_LEDGER_ACKNOWLEDGED,
                             tl_party_code_valid(party) ? party : "", summary, it->json,
                             it->json_len, NULL);
}

/* A stored item's stats and ledger record. */
static tl_err stored(struct ingest *g, const struct item *it, tl_put_result res,
                     tl_ingest_stats *st)
{
    if (res == TL_PUT_NEW)
        st->stored++;
    else
        st->duplicates++;
    return record(g, it, res == TL_PUT_NEW);
}

/* A version the store refused (immutable, revoked, created): an error, or skipped. */
static tl_err refused(struct ingest *g, const struct item *it, tl_ingest_stats *st)
{
    tl_node *n = g->n;
    tl__node_err(n, "%s:%lu:%lu: %s", it->name, it->line, it->col, tl_store_errmsg(n->store));
    if (!g->opts->skip_invalid) return TL_ECONFLICT;
    st->rejected++;
    if (g->opts->rejected) g->opts->rejected(g->opts->ud, n->errmsg);
    return TL_OK;
}

static tl_store_obj store_obj(const struct ingest *g, const struct item *it)
{
    tl_store_obj so = {it->id,      it->type,     it->version,
                       it->created, it->revoked,  g->opts->origin ? g->opts->origin : "",
                       it->json,    it->json_len, it->labels,
                       it->nlabels, it->facets,   it->nfacets};
    return so;
}

/* Stores the pending items in one batch (tl_store_put_batch), in order. */
static tl_err flush(struct ingest *g, tl_ingest_stats *st)
{
    tl_node *n = g->n;
    size_t np = g->npending;
    g->npending = 0;
    g->pending_bytes = 0;
    for (size_t i = 0; i < np; i++)
        g->objs[i] = store_obj(g, g->pending[i]);
    tl_err rc = TL_OK;
    for (size_t at = 0; at < np && !rc;) {
        size_t done = 0;
        rc = tl_store_put_batch(n->store, g->objs + at, np - at, g->res + at, &done);
        for (size_t i = at; i < at + done && (!rc || rc == TL_ECONFLICT); i++) {
            tl_err r2 = stored(g, g->pending[i], g->res[i], st);
            if (r2) rc = r2;
        }
        if (rc == TL_ECONFLICT) {
            rc = refused(g, g->pending[at + done], st);
            at += done + 1;
        } else if (rc) {
            tl__node_err(n, "%s", tl_store_errmsg(n->store));
        } else {
            at += done;
        }
    }
    for (size_t i = 0; i < np; i++)
        tl_free(g->pending[i]);
    return rc;
}

/*
 * Takes one item: a valid one waits for the batch (freed when it is
 * stored); a rejected one is reported, after what came before it is stored.
 * Returns TL_OK to go on.
 */
static tl_err consume(struct ingest *g, struct item *it, tl_ingest_stats *st)
{
    tl_node *n = g->n;
    const tl_ingest_opts *opts = g->opts;
    st->bytes = it->bytes;
    if (it->kind == ITEM_OBJECT) {
        if (!g->pending) {
            g->pending = tl_calloc(PENDING_MAX, sizeof(struct item *));
            g->objs = tl_calloc(PENDING_MAX, sizeof *g->objs);
            g->res = tl_calloc(PENDING_MAX, sizeof *g->res);
            if (!g->pending || !g->objs || !g->res) {
                tl_free(it);
                return TL_ENOMEM;
            }
        }
        st->objects++;
        g->pending[g->npending++] = it;
        g->pending_bytes += it->json_len;
        return g->npending == PENDING_MAX || g->pending_bytes >= PENDING_BYTES ? flush(g, st)
                                                                               : TL_OK;
    }
    tl_err rc = flush(g, st);
    if (!rc && it->kind == ITEM_FATAL) {
        tl__node_err(n, "%s", it->data);
        rc = it->rc;
    } else if (!rc) { /* ITEM_REJECT */
        st->objects++;
        tl__node_err(n, "%s", it->data);
        if (!opts->skip_invalid) {
            rc = it->rc;
        } else {
            st->rejected++;
            if (opts->rejected) opts->rejected(opts->ud, it->data);
        }
    }
    tl_free(it);
    return rc;
}

/* Drops what is pending (after an error: the transaction is rolled back) and the arrays. */
static void drop_pending(struct ingest *g)
{
    for (size_t i = 0; i < g->npending; i++)
        tl_free(g->pending[i]);
    g->npending = g->pending_bytes = 0;
    tl_free(g->pending);
    tl_free(g->objs);
    tl_free(g->res);
    g->pending = NULL;
    g->objs = NULL;
    g->res = NULL;
}

static const tl_ingest_opts default_opts;

/* The checks before an ingest: a valid origin, cleared stats and message. */
static tl_err ingest_start(tl_node *n, const tl_ingest_opts *opts, tl_ingest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    n->errmsg[0] = '\0';
    if (opts->origin && *opts->origin && !tl_party_code_valid(opts->origin)) {
        tl__node_err(n, "'%s' is not a valid partner code", opts->origin);
        return TL_EINVAL;
    }
    return TL_OK;
}

/* Ends an ingest's transaction: the checkpoint and commit if rc is TL_OK, else a rollback. */
static tl_err ingest_end(struct ingest *g, tl_ingest_stats *stats, tl_err rc)
{
    tl_node *n = g->n;
    const tl_ingest_opts *opts = g->opts;
    if (!rc && g->nreceived) { /* what came from the partner, in the same transaction */
        struct tl_buf p = TL_BUF_INIT;
        tl__buf_printf(&p, "{\"held\":%llu,\"new\":%llu,\"objects\":[",
                       (unsigned long long)stats->duplicates, (unsigned long long)stats->stored);
        tl__buf_append(&p, g->received.p, g->received.len);
        tl__buf_puts(&p, "],\"topics\":");
        char *topics = NULL;
        size_t tlen = 0;
        if (g->topics && !tl_json_canonical(g->topics, &topics, &tlen))
            tl__buf_append(&p, topics, tlen);
        else
            tl__buf_puts(&p, "{}");
        tl_free(topics);
        tl__buf_putc(&p, '}');
        char summary[160];
        snprintf(summary, sizeof summary, "received %llu objects from %s (%llu new)",
                 (unsigned long long)g->nreceived, opts->origin, (unsigned long long)stats->stored);
        rc = p.oom ? TL_ENOMEM
                   : tl__ledger_append(n, TL_LEDGER_RECEIVED, opts->origin, summary, p.p, p.len,
                                       NULL);
        tl__buf_free(&p);
    }
    tl__buf_free(&g->received);
    json_decref(g->topics);
    g->topics = NULL;
    if (!rc && opts->meta_key) {
        rc = tl_store_meta_set(n->store, opts->meta_key, opts->meta_value ? opts->meta_value : "");
        if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    }
    if (!rc) {
        rc = tl_store_commit(n->store);
        if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    } else {
        tl_store_rollback(n->store);
    }
    if (rc) stats->stored = stats->duplicates = 0;
    return rc;
}

tl_err tl_node_ingest(tl_node *n, const char *const *paths, size_t npaths,
                      const tl_ingest_opts *opts, tl_ingest_stats *stats)
{
    tl_ingest_stats local;
    if (!stats) stats = &local;
    if (!opts) opts = &default_opts;
    tl_err rc = ingest_start(n, opts, stats);
    if (rc) return rc;
    struct ingest g;
    memset(&g, 0, sizeof g);
    g.n = n;
    g.opts = opts;
    g.paths = paths;
    g.npaths = npaths;
    pthread_mutex_init(&g.q.mu, NULL);
    pthread_cond_init(&g.q.can_put, NULL);
    pthread_cond_init(&g.q.can_take, NULL);

    rc = tl_store_begin(n->store);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        goto out;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, producer, &g) != 0) {
        tl_store_rollback(n->store);
        tl__node_err(n, "cannot start the reader thread");
        rc = TL_ENOMEM;
        goto out;
    }
    int64_t next_progress = 0;
    struct item *list;
    while ((list = queue_take(&g.q))) {
        for (struct item *it = list, *nx; it; it = nx) {
            nx = it->next;
            if (!rc && opts->cancel && *opts->cancel) {
                tl__node_err(n, "interrupted; nothing was stored");
                rc = TL_EINTERRUPTED;
            }
            if (!rc)
                rc = consume(&g, it, stats); /* it is g's now */
            else
                tl_free(it);
        }
        if (rc) {
            /* tell the reader to stop, then drain what it already queued */
            pthread_mutex_lock(&g.q.mu);
            g.q.consumer_quit = 1;
            pthread_cond_broadcast(&g.q.can_put);
            pthread_mutex_unlock(&g.q.mu);
        }
        if (!rc && opts->progress) {
            int64_t now = tl__now_us();
            if (now >= next_progress) {
                opts->progress(opts->ud, stats->objects, stats->bytes);
                next_progress = now + 500000;
            }
        }
    }
    pthread_join(th, NULL);
    if (!rc) rc = flush(&g, stats);
    drop_pending(&g);
    if (!rc && opts->cancel && *opts->cancel) {
        tl__node_err(n, "interrupted; nothing was stored");
        rc = TL_EINTERRUPTED;
    }
    rc = ingest_end(&g, stats, rc);
    if (!rc && opts->progress) opts->progress(opts->ud, stats->objects, stats->bytes);
out:
    pthread_cond_destroy(&g.q.can_put);
    pthread_cond_destroy(&g.q.can_take);
    pthread_mutex_destroy(&g.q.mu);
    return rc;
}

tl_err tl__node_ingest_parsed(tl_node *n, json_t *const *objs, size_t count, const char *name,
                              const tl_ingest_opts *opts, tl_ingest_stats *stats)
{
    tl_ingest_stats local;
    if (!stats) stats = &local;
    if (!opts) opts = &default_opts;
    tl_err rc = ingest_start(n, opts, stats);
    if (rc) return rc;
    struct ingest g;
    memset(&g, 0, sizeof g);
    g.n = n;
    g.opts = opts;
    if ((rc = tl_store_begin(n->store))) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        return rc;
    }
    struct tl_buf canon = TL_BUF_INIT;
    char msg[1024];
    for (size_t i = 0; i < count && !rc; i++) {
        tl_stix_info info;
        tl_stix_error err;
        double bad = 0;
        tl_err why;
        struct item *it = checked_item(objs[i], &canon, &info, &err, &bad, &why);
        if (why == TL_ESTIX) {
            snprintf(msg, sizeof msg, "%s: %s", name, err.msg);
            it = message_item(ITEM_REJECT, TL_ESTIX, msg);
        } else if (why == TL_EINVAL) {
            number_msg(msg, sizeof msg, name, info.id, bad);
            it = message_item(ITEM_REJECT, TL_ESTIX, msg);
        }
        if (!it) {
            rc = TL_ENOMEM;
            break;
        }
        it->name = name;
        rc = consume(&g, it, stats);
    }
    if (!rc) rc = flush(&g, stats);
    drop_pending(&g);
    tl__buf_free(&canon);
    return ingest_end(&g, stats, rc);
}
