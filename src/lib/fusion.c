/*
 * fusion.c: claims, echoes, fusion, contradictions, calibration (fusion.h,
 * docs/fusion.md).
 *
 * Two halves. tl_node_fuse() reads holdings once and stores what each says
 * as small JSON documents in the claims table: "claim" (subject, predicate,
 * object, valid time, ratings, root source, echo), "entity" (a person's or
 * group's name, whether it is a person, the terms it is characterized by)
 * and "container" (a partner report that echoes ours, whose claims are
 * echoes too). The rest builds the picture from those documents at each
 * call: entities resolved now, places grouped, contradictions found,
 * partners' records scored, partner claims discounted, each claim fused.
 */
#define _GNU_SOURCE /* qsort_r */
#include "tearline/fusion.h"

#include "buf.h"
#include "fusion_int.h"
#include "jcs.h"
#include "node_int.h"
#include "text.h"
#include "ts.h"
#include "uf.h"

#include "tearline/names.h"
#include "tearline/opinion.h"
#include "tearline/prov.h"
#include "tearline/release.h"
#include "tearline/resolve.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NOTIME INT64_MIN
#define OPEN_END INT64_MAX
#define FUSE_PAGE 512
#define ECHO_MIN_WORDS 6 /* shorter texts repeat by chance */
#define TERMS_MAX 32
#define REFS_MAX 4096 /* ids looked at in one partner object */
#define PLACE_NEAR_KM 25.0
#define PLACE_APART_KM 100.0
#define PLACES_PAIRWISE_MAX 5000 /* beyond this, places group by name only */
#define COOCCUR_MAX 16           /* persons, groups and places of one report paired */

/* ---- small helpers ---- */

static int64_t ts_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    int64_t us;
    if (!s || tl__ts_parse(s, strlen(s), NULL, &us, NULL)) return NOTIME;
    return us;
}

static const json_t *ext_of(const json_t *o, const char *ext)
{
    return json_object_get(json_object_get(o, "extensions"), ext);
}

/* Our provenance for our own holdings; the releasable part (or ours, if a test wrote it) for a
 * partner's. */
static const json_t *prov_of(const json_t *o, const char *origin)
{
    const json_t *p = *origin ? ext_of(o, TL_RELPROV_EXT_ID) : NULL;
    return p ? p : ext_of(o, TL_PROV_EXT_ID);
}

/* Admiralty ratings; without them, reliability F and credibility from `confidence` or 6. */
static void ratings(const json_t *o, const json_t *prov, char *rel, int *cred)
{
    const char *r = json_string_value(json_object_get(prov, "reliability"));
    *rel = r && r[0] >= 'A' && r[0] <= 'F' && !r[1] ? r[0] : 'F';
    const json_t *c = json_object_get(prov, "credibility");
    if (json_is_integer(c) && json_integer_value(c) >= 1 && json_integer_value(c) <= 6) {
        *cred = (int)json_integer_value(c);
        return;
    }
    const json_t *conf = json_object_get(o, "confidence");
    if (!json_is_integer(conf)) {
        *cred = 6;
        return;
    }
    json_int_t v = json_integer_value(conf);
    *cred = v >= 80 ? 1 : v >= 60 ? 2 : v >= 40 ? 3 : v >= 20 ? 4 : 5;
}

/*
 * The root source a holding rests on: a third-party originator, our
 * protected source, a partner's source pseudonym; all of one node's
 * unsourced reporting counts as one root (it cannot be shown independent).
 */
static void root_of(const json_t *prov, const char *origin, char *out, size_t cap)
{
    const char *orig = json_string_value(json_object_get(prov, "originator"));
    const char *src = json_string_value(json_object_get(prov, "source_ref"));
    const char *who = *origin ? origin : "own";
    if (orig)
        snprintf(out, cap, "originator:%s", orig);
    else if (src)
        snprintf(out, cap, "%s:%s", who, src);
    else
        snprintf(out, cap, "%s:unsourced", who);
}

static int id_like(const char *s)
{
    size_t n = strlen(s);
    const char *sep = strstr(s, "--");
    return sep && n < 120 && (size_t)(s + n - (sep + 2)) == 36 && sep > s;
}

static int str_in(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

static const char *const dead_types[] = {"killed-in", "killed-at", "died-in", "died-at",
                                         "deceased",  "killed",    NULL};
static const char *const dead_labels[] = {"deceased", "dead", "killed", NULL};
static const char *const place_preds[] = {"located-at", "sighted-at", NULL};
static const char *const member_preds[] = {"member-of", "affiliated-with", "part-of", NULL};
static const char *const rival_preds[] = {"rival-of", "opposes", "enemy-of", "at-war-with", NULL};
static const char *const entity_types[] = {"threat-actor", "identity", "intrusion-set", "campaign",
                                           NULL};
static const char *const container_types[] = {"report", "note", "grouping", "opinion", NULL};

/* ---- echoes: what a partner sends back of what we released to it ---- */

struct doc_hash {
    uint64_t h;
    uint32_t doc;
};

/* One partner's released texts, as word 3-gram hashes. */
struct textidx {
    char *partner;
    struct doc_hash *p;
    size_t n;
    size_t *size; /* distinct 3-grams of each text */
    char **id;    /* its per-partner id */
    size_t ndocs;
    unsigned *hits;
};

static void object_text(const json_t *o, struct tl_buf *b)
{
    static const char *const keys[] = {"name", "description", "abstract", "content", NULL};
    for (const char *const *k = keys; *k; k++) {
        const char *s = json_string_value(json_object_get(o, *k));
        if (s) {
            tl__buf_puts(b, s);
            tl__buf_putc(b, ' ');
        }
    }
    tl__buf_putc(b, '\0');
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The distinct word 3-grams of text (folded), *out (OUT, tl_free); 0 for a text too short. */
static size_t shingles(const char *text, uint64_t **out)
{
    *out = NULL;
    char *f = NULL;
    if (tl__text_fold(text, &f)) return 0;
    size_t nw = 0, cap = 0;
    uint64_t *w = NULL; /* word hashes */
    for (const unsigned char *p = (const unsigned char *)f; *p;) {
        while (*p && !(*p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
            p++;
        if (!*p) break;
        uint64_t h = 1469598103934665603ULL;
        while (*p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')) {
            h = (h ^ *p++) * 1099511628211ULL;
        }
        if (nw == cap) {
            cap = cap ? cap * 2 : 64;
            uint64_t *g = tl_realloc(w, cap * sizeof *w);
            if (!g) {
                tl_free(w);
                tl_free(f);
                return 0;
            }
            w = g;
        }
        w[nw++] = h;
    }
    tl_free(f);
    if (nw < ECHO_MIN_WORDS) {
        tl_free(w);
        return 0;
    }
    size_t n = nw - 2;
    for (size_t i = 0; i < n; i++)
        w[i] = (w[i] * 31 + w[i + 1]) * 1000003ULL ^ w[i + 2] * 0x9e3779b97f4a7c15ULL;
    qsort(w, n, sizeof *w, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || w[m - 1] != w[i]) w[m++] = w[i];
    *out = w;
    return m;
}

static void textidx_free(struct textidx *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->ndocs; i++)
        tl_free(t->id[i]);
    tl_free(t->id);
    tl_free(t->size);
    tl_free(t->p);
    tl_free(t->hits);
    tl_free(t->partner);
    tl_free(t);
}

struct tbuild {
    struct textidx *t;
    size_t capp, capd;
    int oom;
};

static int textidx_row(int64_t added, const char *id, const char *version, const char *json,
                       size_t len, void *ud)
{
    (void)added;
    (void)version;
    struct tbuild *tb = ud;
    struct textidx *t = tb->t;
    json_t *o = NULL;
    if (tl__json_parse_stored(json, len, &o)) return 0;
    struct tl_buf b = TL_BUF_INIT;
    object_text(o, &b);
    json_decref(o);
    uint64_t *sh = NULL;
    size_t m = b.oom ? 0 : shingles(b.p, &sh);
    tl__buf_free(&b);
    if (!m) return 0;
    if (t->ndocs == tb->capd) {
        size_t nc = tb->capd ? tb->capd * 2 : 64;
        char **ids = tl_realloc(t->id, nc * sizeof *ids);
        if (ids) t->id = ids;
        size_t *sz = tl_realloc(t->size, nc * sizeof *sz);
        if (sz) t->size = sz;
        if (!ids || !sz) goto oom;
        tb->capd = nc;
    }
    if (t->n + m > tb->capp) {
        size_t nc = (t->n + m) * 2;
        struct doc_hash *g = tl_realloc(t->p, nc * sizeof *g);
        if (!g) goto oom;
        t->p = g;
        tb->capp = nc;
    }
    if (!(t->id[t->ndocs] = tl_strdup(id))) goto oom;
    t->size[t->ndocs] = m;
    for (size_t i = 0; i < m; i++)
        t->p[t->n++] = (struct doc_hash){sh[i], (uint32_t)t->ndocs};
    t->ndocs++;
    tl_free(sh);
    return 0;
oom:
    tl_free(sh);
    tb->oom = 1;
    return 1;
}

static int by_hash(const void *x, const void *y)
{
    const struct doc_hash *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

static tl_err textidx_build(tl_store *st, const char *partner, struct textidx **out)
{
    *out = NULL;
    struct textidx *t = tl_calloc(1, sizeof *t);
    if (!t || !(t->partner = tl_strdup(partner))) {
        tl_free(t);
        return TL_ENOMEM;
    }
    struct tbuild tb = {t, 0, 0, 0};
    tl_outbox_query q;
    memset(&q, 0, sizeof q);
    q.partner = partner;
    q.after_added = -1;
    q.all = 1;
    q.want_json = 1;
    tl_err rc = tl_store_outbox_query(st, &q, textidx_row, &tb);
    if (!rc && tb.oom) rc = TL_ENOMEM;
    if (!rc && t->n) qsort(t->p, t->n, sizeof *t->p, by_hash);
    if (!rc && !(t->hits = tl_calloc(t->ndocs + 1, sizeof *t->hits))) rc = TL_ENOMEM;
    if (rc) {
        textidx_free(t);
        return rc;
    }
    *out = t;
    return TL_OK;
}

/* The released text most like text (its per-partner id), if at least TL_FUSION_ECHO_TEXT alike. */
static const char *textidx_match(struct textidx *t, const char *text, double *sim)
{
    uint64_t *sh = NULL;
    size_t m = shingles(text, &sh);
    *sim = 0;
    if (!m || !t->n) {
        tl_free(sh);
        return NULL;
    }
    memset(t->hits, 0, t->ndocs * sizeof *t->hits);
    for (size_t i = 0; i < m; i++) {
        size_t lo = 0, hi = t->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->p[mid].h < sh[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < t->n && t->p[lo].h == sh[i]; lo++)
            t->hits[t->p[lo].doc]++;
    }
    tl_free(sh);
    const char *best = NULL;
    for (size_t d = 0; d < t->ndocs; d++) {
        if (!t->hits[d]) continue;
        double j = (double)t->hits[d] / (double)(m + t->size[d] - t->hits[d]);
        if (j > *sim) {
            *sim = j;
            best = t->id[d];
        }
    }
    return *sim >= TL_FUSION_ECHO_TEXT ? best : NULL;
}

/* ---- taking claims from holdings ---- */

struct fuser {
    tl_node *n;
    struct textidx **tx; /* one per partner met */
    size_t ntx;
    tl_fuse_stats st;
};

struct echo {
    char original[128]; /* our original id (or the per-partner id of a pseudonym) */
    char why[24];       /* "our id" or "our text" */
    char root[200];     /* the root source of the original */
};

struct trace_ud {
    const char *partner;
    char original[128];
};

static int trace_cb(const char *partner, const char *version, const char *original, void *ud)
{
    (void)version;
    struct trace_ud *t = ud;
    if (strcmp(partner, t->partner) != 0) return 0;
    snprintf(t->original, sizeof t->original, "%s", original);
    return 1;
}

/* Does any id under v (other than the object's own) name something we released to partner? */
static int find_our_ids(struct fuser *fx, const json_t *v, const char *self, const char *partner,
                        struct echo *e, int *budget)
{
    if (--*budget < 0) return 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!id_like(s) || !strcmp(s, self) || !strcmp(s, tl_node_identity(fx->n))) return 0;
        struct trace_ud t = {partner, ""};
        if (tl_store_outbox_trace(fx->n->store, s, trace_cb, &t) || !t.original[0]) return 0;
        /* a pseudonym stands for a source we do not name; the echo is of that source */
        snprintf(e->original, sizeof e->original, "%s",
                 strncmp(t.original, "(", 1) ? t.original : s);
        snprintf(e->why, sizeof e->why, "our id");
        return 1;
    }
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) if (find_our_ids(fx, x, self, partner, e, budget)) return 1;
    } else if (json_is_object(v)) {
        json_object_foreach(tl__json_mut(v), k, x)
        {
            if (!strcmp(k, "id") || !strcmp(k, "created_by_ref")) continue;
            if (find_our_ids(fx, x, self, partner, e, budget)) return 1;
        }
    }
    return 0;
}

struct get_ud {
    json_t *o;
};

static int get_cb(const tl_record *rec, void *ud)
{
    struct get_ud *g = ud;
    if (tl__json_parse_stored(rec->json, rec->json_len, &g->o)) g->o = NULL;
    return 1;
}

/* Is partner object o an echo of ours? 1 with *e filled, 0 not, -1 out of memory. */
static int echo_of(struct fuser *fx, const json_t *o, const char *id, const char *partner,
                   struct echo *e)
{
    memset(e, 0, sizeof *e);
    int budget = REFS_MAX;
    int found = find_our_ids(fx, o, id, partner, e, &budget);
    if (!found) {
        struct textidx *t = NULL;
        for (size_t i = 0; i < fx->ntx && !t; i++)
            if (!strcmp(fx->tx[i]->partner, partner)) t = fx->tx[i];
        if (!t) {
            struct textidx **g = tl_realloc(fx->tx, (fx->ntx + 1) * sizeof(struct textidx *));
            if (!g) return -1;
            fx->tx = g;
            if (textidx_build(fx->n->store, partner, &t)) return -1;
            fx->tx[fx->ntx++] = t;
        }
        struct tl_buf b = TL_BUF_INIT;
        object_text(o, &b);
        if (b.oom) {
            tl__buf_free(&b);
            return -1;
        }
        double sim;
        const char *m = textidx_match(t, b.p, &sim);
        tl__buf_free(&b);
        if (m) {
            struct trace_ud tr = {partner, ""};
            if (!tl_store_outbox_trace(fx->n->store, m, trace_cb, &tr) && tr.original[0] &&
                tr.original[0] != '(') {
                snprintf(e->original, sizeof e->original, "%s", tr.original);
                snprintf(e->why, sizeof e->why, "our text");
                found = 1;
            }
        }
    }
    if (!found) return 0;
    /* the echo rests on the root source of what it echoes */
    struct get_ud g = {NULL};
    if (!tl_node_get(fx->n, e->original, NULL, get_cb, &g) && g.o)
        root_of(prov_of(g.o, ""), "", e->root, sizeof e->root);
    else
        snprintf(e->root, sizeof e->root, "echo:%s", e->original);
    json_decref(g.o);
    return 1;
}

/*
 * A partner refers to our object by the id we released it under: the claim
 * is about our original. buf (OUT) receives it; ref itself if not ours.
 */
static const char *our_original(struct fuser *fx, const char *partner, const char *ref, char *buf,
                                size_t cap)
{
    if (!ref || !*partner || !id_like(ref)) return ref;
    struct trace_ud t = {partner, ""};
    if (tl_store_outbox_trace(fx->n->store, ref, trace_cb, &t) || !t.original[0] ||
        t.original[0] == '(')
        return ref;
    snprintf(buf, cap, "%s", t.original);
    return buf;
}

struct common {
    const char *origin;
    char rel;
    int cred;
    char root[200];
    int64_t reported, fallback, added;
    const json_t *topics;
    const struct echo *echo;
};

static json_t *claim_doc(const struct common *c, const char *subject, const char *predicate,
                         const char *object, int64_t from, int64_t to)
{
    char rel[2] = {c->rel, 0};
    if (from == NOTIME) from = c->fallback;
    if (to == NOTIME || to < from) to = from;
    json_t *d =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:i, s:O}", "kind", "claim",
                  "origin", c->origin, "subject", subject, "predicate", predicate, "object", object,
                  "from", (json_int_t)from, "to", (json_int_t)to, "reported",
                  (json_int_t)c->reported, "root", c->echo ? c->echo->root : c->root, "reliability",
                  rel, "credibility", c->cred, "topics", c->topics);
    if (d) json_object_set_new(d, "added", json_integer((json_int_t)c->added));
    if (d && c->echo) {
        json_object_set_new(d, "echo_of", json_string(c->echo->original));
        json_object_set_new(d, "echo_why", json_string(c->echo->why));
    }
    return d;
}

static int is_person(const json_t *o, const char *type)
{
    if (!strcmp(type, "identity"))
        return !strcmp(tl__json_str(json_object_get(o, "identity_class"), ""), "individual");
    if (!strcmp(type, "threat-actor")) {
        if (!strcmp(tl__json_str(json_object_get(o, "resource_level"), ""), "individual")) return 1;
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(o, "threat_actor_types"), i, t)
        {
            const char *s = json_string_value(t);
            if (s && (!strcmp(s, "lone-wolf") || !strcmp(s, "individual"))) return 1;
        }
    }
    return 0;
}

/* The terms an entity is characterized by: labels and threat actor types, lower case. */
static json_t *terms_of(const json_t *o)
{
    json_t *t = json_array();
    static const char *const keys[] = {"labels", "threat_actor_types", NULL};
    for (const char *const *k = keys; t && *k; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(o, *k), i, v)
        {
            const char *s = json_string_value(v);
            if (!s || json_array_size(t) >= TERMS_MAX) continue;
            char *f = NULL;
            if (tl__text_fold(s, &f)) continue;
            int dup = 0;
            size_t j;
            json_t *w;
            json_array_foreach(t, j, w) dup |= !strcmp(json_string_value(w), f);
            if (!dup) json_array_append_new(t, json_string(f));
            tl_free(f);
        }
    }
    return t;
}

static int append(json_t *docs, json_t *d)
{
    return !d || json_array_append_new(docs, d);
}

/* Persons, groups and places: what a report names together makes a tie. */
static int cooccur_type(const char *ref)
{
    static const char *const types[] = {"threat-actor--", "identity--", "intrusion-set--",
                                        "campaign--",     "location--", NULL};
    for (const char *const *t = types; *t; t++)
        if (!strncmp(ref, *t, strlen(*t))) return 1;
    return 0;
}

/* The claim documents of one holding (docs, OUT). */
static tl_err take_claims(struct fuser *fx, const json_t *o, const char *id, const char *type,
                          const char *origin, int64_t added, json_t *docs)
{
    const json_t *prov = prov_of(o, origin);
    struct common c;
    memset(&c, 0, sizeof c);
    c.origin = origin;
    c.added = added;
    ratings(o, prov, &c.rel, &c.cred);
    root_of(prov, origin, c.root, sizeof c.root);
    c.reported = ts_of(o, "created");
    int64_t collected = ts_of(prov, "collected_at");
    c.fallback = collected != NOTIME ? collected : c.reported;
    json_t *topics = json_array();
    if (!topics) return TL_ENOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "labels"), i, v)
    {
        if (json_is_string(v) && i < TERMS_MAX) json_array_append(topics, v);
    }
    c.topics = topics;
    struct echo e;
    int is_container = str_in(type, container_types);
    if (*origin && (!strcmp(type, "relationship") || !strcmp(type, "sighting") || is_container)) {
        int r = echo_of(fx, o, id, origin, &e);
        if (r < 0) {
            json_decref(topics);
            return TL_ENOMEM;
        }
        if (r) c.echo = &e;
    }
    int bad = 0;
    if (!strcmp(type, "relationship")) {
        const char *pred = json_string_value(json_object_get(o, "relationship_type"));
        char sb[128], tb[128];
        const char *s = our_original(
            fx, origin, json_string_value(json_object_get(o, "source_ref")), sb, sizeof sb);
        const char *t = our_original(
            fx, origin, json_string_value(json_object_get(o, "target_ref")), tb, sizeof tb);
        int64_t from = ts_of(o, "start_time"), to = ts_of(o, "stop_time");
        if (from != NOTIME && to == NOTIME) to = OPEN_END;
        if (pred && s && t) {
            if (!strcmp(pred, "led-by")) {
                bad |= append(docs, claim_doc(&c, t, "leads", s, from, to));
            } else if (str_in(pred, dead_types)) {
                json_t *d = claim_doc(&c, s, "dead", "", from, from);
                if (d) json_object_set_new(d, "where", json_string(t));
                bad |= append(docs, d);
            } else {
                bad |= append(docs, claim_doc(&c, s, pred, t, from, to));
            }
        }
    } else if (!strcmp(type, "sighting")) {
        char sb[128], wb[128];
        const char *s = our_original(
            fx, origin, json_string_value(json_object_get(o, "sighting_of_ref")), sb, sizeof sb);
        int64_t from = ts_of(o, "first_seen"), to = ts_of(o, "last_seen");
        const json_t *where = json_object_get(o, "where_sighted_refs");
        if (s && json_array_size(where)) {
            json_array_foreach(where, i, v)
            {
                if (json_is_string(v))
                    bad |= append(docs, claim_doc(&c, s, "sighted-at",
                                                  our_original(fx, origin, json_string_value(v), wb,
                                                               sizeof wb),
                                                  from, to));
            }
        } else if (s) {
            bad |= append(docs, claim_doc(&c, s, "sighted", "", from, to));
        }
    } else if (str_in(type, entity_types)) {
        const char *name = json_string_value(json_object_get(o, "name"));
        json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "kind", "entity", "origin", origin,
                              "type", type, "name", name ? name : "", "person", is_person(o, type),
                              "terms", terms_of(o));
        bad |= append(docs, d);
        int dead = 0;
        json_array_foreach(json_object_get(o, "labels"), i, v)
        {
            const char *s = json_string_value(v);
            dead |= s && str_in(s, dead_labels);
        }
        if (dead) bad |= append(docs, claim_doc(&c, id, "dead", "", NOTIME, NOTIME));
    } else if (is_container) {
        if (c.echo) {
            json_t *d = json_pack("{s:s, s:s, s:O, s:s, s:s, s:s}", "kind", "container", "origin",
                                  origin, "refs", json_object_get(o, "object_refs"), "echo_of",
                                  e.original, "echo_why", e.why, "root", e.root);
            if (d && !json_is_array(json_object_get(d, "refs")))
                json_object_set_new(d, "refs", json_array());
            bad |= append(docs, d);
        }
        /* the persons, groups and places a report names together */
        const char *with[COOCCUR_MAX];
        char mapped[COOCCUR_MAX][128];
        size_t nw = 0;
        int64_t when = ts_of(o, "published");
        json_array_foreach(json_object_get(o, "object_refs"), i, v)
        {
            const char *ref = json_string_value(v);
            if (!ref || nw >= COOCCUR_MAX || !cooccur_type(ref)) continue;
            ref = our_original(fx, origin, ref, mapped[nw], sizeof mapped[nw]);
            int dup = 0;
            for (size_t k = 0; k < nw; k++)
                dup |= !strcmp(with[k], ref);
            if (!dup) with[nw++] = ref;
        }
        for (size_t x = 0; x < nw; x++)
            for (size_t y = x + 1; y < nw; y++) {
                int lo = strcmp(with[x], with[y]) < 0;
                bad |= append(docs, claim_doc(&c, lo ? with[x] : with[y], "co-occurs-with",
                                              lo ? with[y] : with[x], when, when));
            }
    }
    json_decref(topics);
    return bad ? TL_ENOMEM : TL_OK;
}

struct page {
    struct rec {
        char *id, *type, *origin, *json;
        size_t len;
        int revoked;
        int64_t added;
    } * r;
    size_t n, cap;
    int oom;
};

static int page_cb(const tl_record *rec, void *ud)
{
    struct page *p = ud;
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : FUSE_PAGE;
        struct rec *g = tl_realloc(p->r, nc * sizeof *g);
        if (!g) goto oom;
        p->r = g;
        p->cap = nc;
    }
    struct rec *r = &p->r[p->n];
    memset(r, 0, sizeof *r);
    r->id = tl_strdup(rec->id);
    r->type = tl_strdup(rec->type);
    r->origin = tl_strdup(rec->origin);
    r->json = tl_malloc(rec->json_len + 1);
    if (!r->id || !r->type || !r->origin || !r->json) {
        tl_free(r->id);
        tl_free(r->type);
        tl_free(r->origin);
        tl_free(r->json);
        goto oom;
    }
    memcpy(r->json, rec->json, rec->json_len);
    r->json[rec->json_len] = '\0';
    r->len = rec->json_len;
    r->revoked = rec->revoked;
    r->added = rec->added_us;
    p->n++;
    return 0;
oom:
    p->oom = 1;
    return 1;
}

static void page_clear(struct page *p)
{
    for (size_t i = 0; i < p->n; i++) {
        tl_free(p->r[i].id);
        tl_free(p->r[i].type);
        tl_free(p->r[i].origin);
        tl_free(p->r[i].json);
    }
    p->n = 0;
}

static tl_err store_claims(struct fuser *fx, const struct rec *r)
{
    json_t *docs = json_array(), *o = NULL;
    if (!docs) return TL_ENOMEM;
    tl_err rc = TL_OK;
    if (!r->revoked && !tl__json_parse_stored(r->json, r->len, &o))
        rc = take_claims(fx, o, r->id, r->type, r->origin, r->added, docs);
    json_decref(o);
    size_t nd = json_array_size(docs);
    char **text = tl_calloc(nd + 1, sizeof *text);
    if (!rc && !text) rc = TL_ENOMEM;
    for (size_t i = 0; !rc && i < nd; i++) {
        json_t *d = json_array_get(docs, i);
        if (!strcmp(json_string_value(json_object_get(d, "kind")), "claim")) {
            fx->st.claims++;
            fx->st.echoes += json_object_get(d, "echo_of") != NULL;
        }
        if (!(text[i] = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS))) rc = TL_ENOMEM;
    }
    if (!rc) rc = tl_store_claims_put(fx->n->store, r->id, (const char *const *)text, nd);
    for (size_t i = 0; text && i < nd; i++)
        free(text[i]);
    tl_free(text);
    json_decref(docs);
    return rc;
}

struct holdings_ud {
    json_t *seen;
    uint64_t claims;
};

static int holding_cb(const char *holding, const char *doc, size_t len, void *ud)
{
    (void)len;
    struct holdings_ud *h = ud;
    h->claims += strstr(doc, "\"kind\":\"claim\"") != NULL;
    if (h->seen) json_object_set_new(h->seen, holding, json_true());
    return 0;
}

tl_err tl_node_fuse(tl_node *n, int rebuild, tl_fuse_stats *stats)
{
    n->errmsg[0] = '\0';
    struct fuser fx;
    memset(&fx, 0, sizeof fx);
    fx.n = n;
    int64_t after = -1;
    char *v = NULL;
    if (!rebuild && tl_store_meta_get(n->store, TL_FUSE_META, &v) == TL_OK && v) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*v && !*end && x >= 0) after = x;
    }
    tl_free(v);
    struct page p = {NULL, 0, 0, 0};
    struct holdings_ud h = {json_object(), 0};
    tl_err rc = h.seen ? tl_store_begin(n->store) : TL_ENOMEM;
    if (rc) {
        json_decref(h.seen);
        if (rc != TL_ENOMEM) tl__node_err(n, "fuse: %s", tl_store_errmsg(n->store));
        return rc;
    }
    if (rebuild) {
        /* every claim goes; the holdings give them again below */
        rc = tl_store_claims_scan(n->store, holding_cb, &h);
        const char *k;
        json_t *x;
        json_object_foreach(h.seen, k, x)
        {
            if (rc) break;
            if (json_is_true(x)) rc = tl_store_claims_put(n->store, k, NULL, 0);
        }
    }
    int64_t last = after;
    char cursor[TL_CURSOR_MAX] = "";
    while (!rc) {
        tl_filter f = TL_FILTER_INIT;
        f.added_after_us = after;
        f.limit = FUSE_PAGE;
        char next[TL_CURSOR_MAX];
        rc = tl_store_query(n->store, &f, cursor, page_cb, &p, next);
        if (!rc && p.oom) rc = TL_ENOMEM;
        for (size_t i = 0; !rc && i < p.n; i++) {
            rc = store_claims(&fx, &p.r[i]);
            fx.st.holdings++;
            if (p.r[i].added > last) last = p.r[i].added;
        }
        page_clear(&p);
        if (rc || !next[0]) break;
        snprintf(cursor, sizeof cursor, "%s", next);
    }
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)(last < 0 ? 0 : last));
    if (!rc) rc = tl_store_meta_set(n->store, TL_FUSE_META, num);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        if (!n->errmsg[0])
            tl__node_err(n, "fuse: %s",
                         rc == TL_ENOMEM ? "out of memory" : tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    } else {
        json_decref(h.seen);
        h.seen = NULL;
        h.claims = 0;
        if (!(rc = tl_store_claims_scan(n->store, holding_cb, &h))) fx.st.total = h.claims;
    }
    tl_free(p.r);
    for (size_t i = 0; i < fx.ntx; i++)
        textidx_free(fx.tx[i]);
    tl_free(fx.tx);
    json_decref(h.seen);
    if (stats) *stats = fx.st;
    return rc;
}

/* ---- the picture: claims against the entities and places known now ---- */

static int64_t int_of(const json_t *d, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(d, k));
}

static int doc_cb(const char *holding, const char *doc, size_t len, void *ud)
{
    struct picture *p = ud;
    json_t *d = json_loadb(doc, len, 0, NULL); /* written by us, canonical */
    if (!d) return 0; /* written by us: a document that does not parse is skipped */
    const char *kind = json_string_value(json_object_get(d, "kind"));
    if (!kind) kind = "";
    json_object_set_new(d, "holding", json_string(holding));
    if (!strcmp(kind, "entity")) {
        if (json_object_set_new(p->ent_rows, holding, d)) goto oom;
        return 0;
    }
    if (!strcmp(kind, "container")) {
        if (json_array_append_new(p->containers, d)) goto oom;
        return 0;
    }
    if (strcmp(kind, "claim") != 0) {
        json_decref(d);
        return 0;
    }
    if (tl__grow((void **)&p->c, &p->nc, &p->capc, sizeof *p->c)) {
        json_decref(d);
        goto oom;
    }
    struct claim *c = &p->c[p->nc++];
    memset(c, 0, sizeof *c);
    c->doc = d;
    c->holding = json_string_value(json_object_get(d, "holding"));
    c->origin = tl__json_str(json_object_get(d, "origin"), "");
    c->subject = tl__json_str(json_object_get(d, "subject"), "");
    c->predicate = tl__json_str(json_object_get(d, "predicate"), "");
    c->object = tl__json_str(json_object_get(d, "object"), "");
    c->root = tl__json_str(json_object_get(d, "root"), "");
    c->echo_of = json_string_value(json_object_get(d, "echo_of"));
    c->echo_why = json_string_value(json_object_get(d, "echo_why"));
    const char *rel = json_string_value(json_object_get(d, "reliability"));
    c->rel = rel && *rel ? *rel : 'F';
    c->cred = (int)int_of(d, "credibility");
    c->from = int_of(d, "from");
    c->to = int_of(d, "to");
    c->reported = int_of(d, "reported");
    c->added = int_of(d, "added");
    c->topics = json_object_get(d, "topics");
    if (tl_opinion_from_admiralty(c->rel, c->cred, 0.5, &c->raw))
        tl_opinion_from_admiralty('F', 6, 0.5, &c->raw);
    c->op = c->raw;
    c->trust = (tl_opinion){1, 0, 0, 0.5};
    return 0;
oom:
    p->oom = 1;
    return 1;
}

static json_t *member_of(const char *id, const json_t *row)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type",
                     tl__json_str(json_object_get(row, "type"), ""), "origin",
                     tl__json_str(json_object_get(row, "origin"), ""), "name",
                     tl__json_str(json_object_get(row, "name"), ""));
}

/* Entities as resolved now: every member id to the id of the cluster's first own member. */
static tl_err load_entities(struct picture *p)
{
    json_t *res = NULL;
    tl_err rc = tl_node_resolve(p->n, 0, &res);
    if (rc) return rc;
    size_t i, j;
    json_t *cl, *m;
    json_array_foreach(json_object_get(res, "clusters"), i, cl)
    {
        json_t *members = json_object_get(cl, "members");
        const char *rep = NULL;
        json_array_foreach(members, j,
                           m) if (!rep && !*json_string_value(json_object_get(m, "origin"))) rep =
            json_string_value(json_object_get(m, "id"));
        if (!rep) rep = json_string_value(json_object_get(json_array_get(members, 0), "id"));
        json_t *e =
            json_pack("{s:O, s:b, s:[]}", "name",
                      json_object_get(json_array_get(members, 0), "name"), "person", 0, "members");
        if (!e || json_object_set_new(p->entities, rep, e)) goto oom;
        json_array_foreach(members, j, m)
        {
            const char *id = json_string_value(json_object_get(m, "id"));
            if (!strcmp(id, rep)) json_object_set(e, "name", json_object_get(m, "name"));
            json_t *mm =
                json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(m, "id"), "type",
                          json_object_get(m, "type"), "origin", json_object_get(m, "origin"),
                          "name", json_object_get(m, "name"));
            if (!mm || json_array_append_new(json_object_get(e, "members"), mm) ||
                json_object_set_new(p->entity_of, id, json_string(rep)))
                goto oom;
        }
    }
    json_decref(res);
    res = NULL;
    const char *h;
    json_t *row;
    json_object_foreach(p->ent_rows, h, row)
    {
        const char *rep = json_string_value(json_object_get(p->entity_of, h));
        if (!rep) {
            json_t *e = json_pack("{s:O, s:b, s:[o]}", "name", json_object_get(row, "name"),
                                  "person", 0, "members", member_of(h, row));
            if (!e || json_object_set_new(p->entities, h, e) ||
                json_object_set_new(p->entity_of, h, json_string(h)))
                goto oom;
            rep = h;
        }
        if (json_is_true(json_object_get(row, "person")))
            json_object_set_new(json_object_get(p->entities, rep), "person", json_true());
    }
    return TL_OK;
oom:
    json_decref(res);
    return TL_ENOMEM;
}

static double km(double la1, double lo1, double la2, double lo2)
{
    const double r = 6371.0, rad = M_PI / 180;
    double dla = (la2 - la1) * rad, dlo = (lo2 - lo1) * rad;
    double a =
        sin(dla / 2) * sin(dla / 2) + cos(la1 * rad) * cos(la2 * rad) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * r * asin(fmin(1.0, sqrt(a)));
}

struct place {
    char *id, *name, *country;
    int coords, country_only;
    double lat, lon;
    tl_name *nm;
};

static int place_cb(const tl_record *rec, void *ud)
{
    struct {
        struct place *v;
        size_t n, cap;
        int oom;
    } *pl = ud;
    json_t *o = NULL;
    if (rec->revoked || tl__json_parse_stored(rec->json, rec->json_len, &o)) return 0;
    if (tl__grow((void **)&pl->v, &pl->n, &pl->cap, sizeof *pl->v)) {
        json_decref(o);
        pl->oom = 1;
        return 1;
    }
    struct place *q = &pl->v[pl->n];
    memset(q, 0, sizeof *q);
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *city = json_string_value(json_object_get(o, "city"));
    const char *region = json_string_value(json_object_get(o, "region"));
    const char *country = json_string_value(json_object_get(o, "country"));
    const json_t *la = json_object_get(o, "latitude"), *lo = json_object_get(o, "longitude");
    q->coords = json_is_number(la) && json_is_number(lo);
    q->lat = json_number_value(la);
    q->lon = json_number_value(lo);
    q->country_only = !name && !city && !region && !q->coords && country;
    q->id = tl_strdup(rec->id);
    q->name = tl_strdup(name ? name : city ? city : region ? region : country ? country : rec->id);
    q->country = country ? tl_strdup(country) : NULL;
    if (q->country)
        for (char *s = q->country; *s; s++)
            if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
    json_decref(o);
    if (!q->id || !q->name || (country && !q->country)) {
        tl_free(q->id);
        tl_free(q->name);
        tl_free(q->country);
        pl->oom = 1;
        return 1;
    }
    pl->n++;
    return 0;
}

static int by_latitude(const void *x, const void *y, void *ctx)
{
    const struct place *v = ctx;
    double a = v[*(const size_t *)x].lat, b = v[*(const size_t *)y].lat;
    return a < b ? -1 : a > b;
}

static int countries_clash(const struct place *a, const struct place *b)
{
    return a->country && b->country && strcmp(a->country, b->country) != 0;
}

/* Places grouped: near coordinates, or matching names in no other country. */
static tl_err load_places(struct picture *p)
{
    struct {
        struct place *v;
        size_t n, cap;
        int oom;
    } pl = {NULL, 0, 0, 0};
    tl_filter f = TL_FILTER_INIT;
    f.types[f.ntypes++] = "location";
    char next[TL_CURSOR_MAX];
    tl_err rc = tl_node_query(p->n, &f, NULL, place_cb, &pl, next);
    if (!rc && pl.oom) rc = TL_ENOMEM;
    size_t *parent = rc ? NULL : tl_calloc(pl.n + 1, sizeof *parent);
    if (!rc && !parent) rc = TL_ENOMEM;
    tl_names *nx = NULL;
    if (!rc && tl_names_new(&nx) == TL_OK)
        for (size_t i = 0; i < pl.n; i++)
            tl_names_prepare(nx, pl.v[i].name, strlen(pl.v[i].name), &pl.v[i].nm);
    tl_names_free(nx);
    for (size_t i = 0; !rc && i < pl.n; i++)
        parent[i] = i;
    /* with coordinates: sorted by latitude, compared only within reach */
    size_t *ord = rc ? NULL : tl_malloc((pl.n + 1) * sizeof *ord), nord = 0, nfree = 0;
    if (!rc && !ord) rc = TL_ENOMEM;
    for (size_t i = 0; !rc && i < pl.n; i++) {
        if (pl.v[i].coords)
            ord[nord++] = i;
        else
            nfree++;
    }
    if (nord) qsort_r(ord, nord, sizeof *ord, by_latitude, pl.v);
    const double reach = PLACE_NEAR_KM / 110.0 + 0.01; /* degrees of latitude */
    for (size_t x = 0; !rc && x < nord; x++)
        for (size_t y = x + 1; y < nord && pl.v[ord[y]].lat - pl.v[ord[x]].lat <= reach; y++) {
            const struct place *a = &pl.v[ord[x]], *b = &pl.v[ord[y]];
            if (km(a->lat, a->lon, b->lat, b->lon) <= PLACE_NEAR_KM)
                tl__uf_union(parent, tl__uf_find(parent, ord[x]), tl__uf_find(parent, ord[y]));
        }
    /* a place without coordinates: by name against every other (exact names past the limit) */
    for (size_t i = 0; !rc && i < pl.n; i++) {
        if (pl.v[i].coords) continue;
        for (size_t j = 0; j < pl.n; j++) {
            struct place *a = &pl.v[i], *b = &pl.v[j];
            if (j == i || (!b->coords && j < i) || a->country_only || b->country_only ||
                countries_clash(a, b))
                continue;
            int same =
                !strcmp(a->name, b->name) || (nfree <= PLACES_PAIRWISE_MAX && a->nm && b->nm &&
                                              tl_name_score(a->nm, b->nm) >= TL_NAMES_THRESHOLD);
            if (same) tl__uf_union(parent, tl__uf_find(parent, i), tl__uf_find(parent, j));
        }
    }
    tl_free(ord);
    for (size_t i = 0; !rc && i < pl.n; i++) {
        struct place *a = &pl.v[i];
        size_t r = tl__uf_find(parent, i);
        if (r == i) {
            json_t *d = json_pack("{s:s, s:b, s:b}", "name", a->name, "coords", a->coords,
                                  "country_only", a->country_only);
            if (d && a->coords) {
                json_object_set_new(d, "lat", json_real(a->lat));
                json_object_set_new(d, "lon", json_real(a->lon));
            }
            if (d && a->country) json_object_set_new(d, "country", json_string(a->country));
            if (!d || json_object_set_new(p->places, a->id, d)) rc = TL_ENOMEM;
        }
        if (!rc && json_object_set_new(p->place_of, a->id, json_string(pl.v[r].id))) rc = TL_ENOMEM;
    }
    for (size_t i = 0; i < pl.n; i++) {
        tl_free(pl.v[i].id);
        tl_free(pl.v[i].name);
        tl_free(pl.v[i].country);
        tl_name_free(pl.v[i].nm);
    }
    tl_free(pl.v);
    tl_free(parent);
    return rc;
}

/* The key a reference or literal is known by (interned); (size_t)-1 out of memory. */
static size_t key_for(struct picture *p, const char *ref)
{
    const char *id = ref;
    int kind = K_OTHER;
    const char *e = json_string_value(json_object_get(p->entity_of, ref));
    const char *pl = e ? NULL : json_string_value(json_object_get(p->place_of, ref));
    if (e) {
        id = e;
        kind = K_ENTITY;
    } else if (pl) {
        id = pl;
        kind = K_PLACE;
    }
    json_t *at = json_object_get(p->keyidx, id);
    if (at) return (size_t)json_integer_value(at);
    if (tl__grow((void **)&p->k, &p->nk, &p->capk, sizeof *p->k)) return (size_t)-1;
    struct key *k = &p->k[p->nk];
    memset(k, 0, sizeof *k);
    k->kind = kind;
    const char *name = id;
    if (kind == K_ENTITY) {
        const json_t *ent = json_object_get(p->entities, id);
        name = tl__json_str(json_object_get(ent, "name"), id);
        k->person = json_is_true(json_object_get(ent, "person"));
    } else if (kind == K_PLACE) {
        const json_t *d = json_object_get(p->places, id);
        name = tl__json_str(json_object_get(d, "name"), id);
        k->coords = json_is_true(json_object_get(d, "coords"));
        k->country_only = json_is_true(json_object_get(d, "country_only"));
        k->lat = json_real_value(json_object_get(d, "lat"));
        k->lon = json_real_value(json_object_get(d, "lon"));
        const char *cty = json_string_value(json_object_get(d, "country"));
        if (cty && !(k->country = tl_strdup(cty))) return (size_t)-1;
    }
    k->id = tl_strdup(id);
    k->name = tl_strdup(name);
    if (!k->id || !k->name || json_object_set_new(p->keyidx, id, json_integer((json_int_t)p->nk))) {
        tl_free(k->id);
        tl_free(k->name);
        tl_free(k->country);
        return (size_t)-1;
    }
    return p->nk++;
}

/* Two places one person cannot be in at once. */
static int apart(const struct picture *p, size_t a, size_t b)
{
    const struct key *x = &p->k[a], *y = &p->k[b];
    if (a == b || x->kind != K_PLACE || y->kind != K_PLACE) return 0;
    if (x->coords && y->coords) return km(x->lat, x->lon, y->lat, y->lon) > PLACE_APART_KM;
    if (x->country && y->country && strcmp(x->country, y->country) != 0) return 1;
    if (x->country_only || y->country_only) return 0; /* one may hold the other */
    return 1;
}

static int overlap(const struct claim *a, const struct claim *b)
{
    int64_t w = TL_FUSION_WINDOW_US;
    int64_t ae = a->to > OPEN_END - w ? OPEN_END : a->to + w;
    int64_t be = b->to > OPEN_END - w ? OPEN_END : b->to + w;
    return a->from <= be && b->from <= ae;
}

/* A claim contradicts another unless it is itself rated doubtful or improbable (d > b). */
static int asserts(const struct claim *c)
{
    return c->raw.b >= c->raw.d;
}

static int by_key(const void *x, const void *y, void *ctx)
{
    const struct picture *p = ctx;
    const struct claim *a = &p->c[*(const size_t *)x], *b = &p->c[*(const size_t *)y];
    int r = strcmp(a->key, b->key);
    if (!r) r = strcmp(a->root, b->root);
    if (!r) r = strcmp(a->holding, b->holding);
    return r;
}

static int by_subject(const void *x, const void *y, void *ctx)
{
    const struct picture *p = ctx;
    const struct claim *a = &p->c[*(const size_t *)x], *b = &p->c[*(const size_t *)y];
    if (a->sk != b->sk) return a->sk < b->sk ? -1 : 1;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    return strcmp(a->holding, b->holding);
}

static int by_object(const void *x, const void *y, void *ctx)
{
    const struct picture *p = ctx;
    const struct claim *a = &p->c[*(const size_t *)x], *b = &p->c[*(const size_t *)y];
    if (a->ok != b->ok) return a->ok < b->ok ? -1 : 1;
    return strcmp(a->holding, b->holding);
}

static int add_index(json_t *list, size_t i)
{
    size_t k;
    json_t *v;
    json_array_foreach(list, k, v) if ((size_t)json_integer_value(v) == i) return 0;
    return json_array_append_new(list, json_integer((json_int_t)i));
}

/* Records that claims i and j contradict each other (kind), about subject key s. */
static int contradiction(struct picture *p, const char *kind, size_t s, size_t i, size_t j)
{
    const struct claim *a = &p->c[i], *b = &p->c[j];
    if (a->group > b->group) {
        const struct claim *t = a;
        a = b;
        b = t;
        size_t u = i;
        i = j;
        j = u;
    }
    char id[64];
    snprintf(id, sizeof id, "%s|%zu|%zu", kind, a->group, b->group);
    json_t *c = json_object_get(p->contra, id);
    if (!c) {
        c = json_pack("{s:s, s:I, s:I, s:I, s:[], s:[]}", "kind", kind, "subject", (json_int_t)s,
                      "ga", (json_int_t)a->group, "gb", (json_int_t)b->group, "a", "b");
        if (!c || json_object_set_new(p->contra, id, c)) return -1;
    }
    return add_index(json_object_get(c, "a"), i) || add_index(json_object_get(c, "b"), j);
}

static int is_rival(const json_t *rivals, size_t a, size_t b)
{
    char k[64];
    snprintf(k, sizeof k, "%zu|%zu", a, b);
    return json_object_get(rivals, k) != NULL;
}

static tl_err find_contradictions(struct picture *p)
{
    size_t *ix = tl_calloc(p->nc + 1, sizeof *ix);
    json_t *rivals = json_object();
    if (!ix || !rivals) goto oom;
    for (size_t i = 0; i < p->nc; i++) {
        ix[i] = i;
        const struct claim *c = &p->c[i];
        if (str_in(c->predicate, rival_preds) && asserts(c) && !c->echo_of) {
            char k[64];
            snprintf(k, sizeof k, "%zu|%zu", c->sk, c->ok);
            if (json_object_set_new(rivals, k, json_true())) goto oom;
            snprintf(k, sizeof k, "%zu|%zu", c->ok, c->sk);
            if (json_object_set_new(rivals, k, json_true())) goto oom;
        }
    }
    if (p->nc) qsort_r(ix, p->nc, sizeof *ix, by_subject, p);
    for (size_t s = 0; s < p->nc;) {
        size_t e = s;
        while (e < p->nc && p->c[ix[e]].sk == p->c[ix[s]].sk)
            e++;
        size_t sk = p->c[ix[s]].sk;
        int person = p->k[sk].person;
        for (size_t x = s; x < e; x++)
            for (size_t y = x + 1; y < e; y++) {
                const struct claim *a = &p->c[ix[x]], *b = &p->c[ix[y]];
                if (!asserts(a) || !asserts(b) || a->group == b->group) continue;
                int r = 0;
                if (person && str_in(a->predicate, place_preds) &&
                    str_in(b->predicate, place_preds) && apart(p, a->ok, b->ok) && overlap(a, b))
                    r = contradiction(p, "two-places", sk, ix[x], ix[y]);
                else if (!strcmp(a->predicate, "dead") != !strcmp(b->predicate, "dead")) {
                    const struct claim *d = !strcmp(a->predicate, "dead") ? a : b;
                    const struct claim *l = d == a ? b : a;
                    if (l->from > d->from + TL_FUSION_WINDOW_US)
                        r = contradiction(p, "alive-and-dead", sk, (size_t)(d - p->c),
                                          (size_t)(l - p->c));
                } else if (str_in(a->predicate, member_preds) &&
                           str_in(b->predicate, member_preds) && a->ok != b->ok &&
                           is_rival(rivals, a->ok, b->ok) && overlap(a, b))
                    r = contradiction(p, "rival-affiliations", sk, ix[x], ix[y]);
                if (r) goto oom;
            }
        s = e;
    }
    /* two leaders of one group at once */
    if (p->nc) qsort_r(ix, p->nc, sizeof *ix, by_object, p);
    for (size_t s = 0; s < p->nc;) {
        size_t e = s;
        while (e < p->nc && p->c[ix[e]].ok == p->c[ix[s]].ok)
            e++;
        for (size_t x = s; x < e; x++)
            for (size_t y = x + 1; y < e; y++) {
                const struct claim *a = &p->c[ix[x]], *b = &p->c[ix[y]];
                if (strcmp(a->predicate, "leads") != 0 || strcmp(b->predicate, "leads") != 0 ||
                    a->sk == b->sk || !asserts(a) || !asserts(b) || !overlap(a, b))
                    continue;
                if (contradiction(p, "two-leaders", a->ok, ix[x], ix[y])) goto oom;
            }
        s = e;
    }
    tl_free(ix);
    json_decref(rivals);
    return TL_OK;
oom:
    tl_free(ix);
    json_decref(rivals);
    return TL_ENOMEM;
}

/* ---- partners' records ---- */

static struct partner *partner_of(struct picture *p, const char *code)
{
    for (size_t i = 0; i < p->np; i++)
        if (!strcmp(p->p[i].code, code)) return &p->p[i];
    struct partner *g = tl_realloc(p->p, (p->np + 1) * sizeof *g);
    if (!g) return NULL;
    p->p = g;
    struct partner *q = &p->p[p->np];
    memset(q, 0, sizeof *q);
    if (!(q->code = tl_strdup(code))) return NULL;
    p->np++;
    return q;
}

static struct topic_rep *topic_of(struct partner *q, const char *topic, int add)
{
    for (size_t i = 0; i < q->nt; i++)
        if (!strcmp(q->t[i].topic, topic)) return &q->t[i];
    if (!add) return NULL;
    struct topic_rep *g = tl_realloc(q->t, (q->nt + 1) * sizeof *g);
    if (!g) return NULL;
    q->t = g;
    memset(&q->t[q->nt], 0, sizeof *q->t);
    if (!(q->t[q->nt].topic = tl_strdup(topic))) return NULL;
    return &q->t[q->nt++];
}

static void outcome(struct claim *c, int what, int64_t t)
{
    if (c->outcome == -1 && what == 1) return; /* a refutation stands */
    if (c->outcome == what && c->outcome_t >= t) return;
    c->outcome = what;
    c->outcome_t = t;
}

static int64_t later(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int own_firm(const struct claim *c)
{
    return !*c->origin && !c->echo_of && c->cred >= 1 && c->cred <= 2;
}

static int by_outcome(const void *x, const void *y, void *ctx)
{
    const struct picture *p = ctx;
    const struct claim *a = &p->c[*(const size_t *)x], *b = &p->c[*(const size_t *)y];
    if (a->outcome_t != b->outcome_t) return a->outcome_t < b->outcome_t ? -1 : 1;
    return strcmp(a->holding, b->holding);
}

/*
 * A partner's claim is confirmed when our own reporting from another root,
 * rated credibility 1 or 2, says the same; refuted when such reporting
 * contradicts it, or when we rate the same claim improbable (5). Each
 * partner's Beta reputation, overall and by topic (the claim's labels),
 * takes the outcomes in time order with forgetting; it sets the trust that
 * discounts the partner's claims.
 */
static tl_err calibrate(struct picture *p)
{
    for (size_t g = 0; g < p->ng; g++) {
        const struct group *gr = &p->g[g];
        for (size_t x = gr->start; x < gr->end; x++) {
            struct claim *c = &p->c[p->order[x]];
            if (!*c->origin || c->echo_of || !strcmp(c->predicate, "co-occurs-with")) continue;
            for (size_t y = gr->start; y < gr->end; y++) {
                const struct claim *o = &p->c[p->order[y]];
                if (*o->origin || o->echo_of || !strcmp(o->root, c->root)) continue;
                if (own_firm(o)) outcome(c, 1, later(c->reported, o->reported));
                if (o->cred == 5) outcome(c, -1, later(c->reported, o->reported));
            }
        }
    }
    const char *k;
    json_t *ct;
    json_object_foreach(p->contra, k, ct)
    {
        const json_t *sides[2] = {json_object_get(ct, "a"), json_object_get(ct, "b")};
        for (int s = 0; s < 2; s++) {
            size_t i, j;
            json_t *v, *w;
            json_array_foreach(sides[s], i, v)
            {
                struct claim *c = &p->c[json_integer_value(v)];
                if (!*c->origin || c->echo_of) continue;
                json_array_foreach(sides[1 - s], j, w)
                {
                    const struct claim *o = &p->c[json_integer_value(w)];
                    if (own_firm(o)) outcome(c, -1, later(c->reported, o->reported));
                }
            }
        }
    }
    size_t *ix = tl_calloc(p->nc + 1, sizeof *ix), n = 0;
    if (!ix) return TL_ENOMEM;
    for (size_t i = 0; i < p->nc; i++) {
        struct claim *c = &p->c[i];
        if (!*c->origin) continue;
        struct partner *q = partner_of(p, c->origin);
        if (!q) goto oom;
        q->claims++;
        if (c->echo_of) q->echoes++;
        if (c->outcome) ix[n++] = i;
    }
    if (n) qsort_r(ix, n, sizeof *ix, by_outcome, p);
    for (size_t x = 0; x < n; x++) {
        const struct claim *c = &p->c[ix[x]];
        struct partner *q = partner_of(p, c->origin);
        if (!q) goto oom;
        int ok = c->outcome > 0;
        if (ok)
            q->confirmed++;
        else
            q->refuted++;
        tl_reputation_update(&q->all, ok, TL_FUSION_FORGET);
        size_t i;
        json_t *t;
        json_array_foreach(c->topics, i, t)
        {
            struct topic_rep *tr = topic_of(q, json_string_value(t), 1);
            if (!tr) goto oom;
            tl_reputation_update(&tr->rep, ok, TL_FUSION_FORGET);
            tr->outcomes++;
        }
    }
    /* the trust each partner claim is weighed with: its best-known topic, else the partner's */
    for (size_t i = 0; i < p->nc; i++) {
        struct claim *c = &p->c[i];
        if (!*c->origin) continue;
        struct partner *q = partner_of(p, c->origin);
        if (!q) goto oom;
        tl_reputation rep = q->all;
        uint64_t best = 0;
        size_t j;
        json_t *t;
        json_array_foreach(c->topics, j, t)
        {
            const struct topic_rep *tr = topic_of(q, json_string_value(t), 0);
            if (tr && tr->outcomes > best) {
                best = tr->outcomes;
                rep = tr->rep;
            }
        }
        c->trust = tl_reputation_opinion(rep, 0.5);
        c->op = tl_opinion_discount(c->trust, c->raw);
    }
    tl_free(ix);
    return TL_OK;
oom:
    tl_free(ix);
    return TL_ENOMEM;
}

/* Each claim's fused opinion: averaging within a root source, cumulative across roots. */
static tl_err fuse_groups(struct picture *p)
{
    tl_opinion *roots = tl_calloc(p->nc + 1, sizeof *roots);
    tl_opinion *same = tl_calloc(p->nc + 1, sizeof *same);
    if (!roots || !same) {
        tl_free(roots);
        tl_free(same);
        return TL_ENOMEM;
    }
    for (size_t g = 0; g < p->ng; g++) {
        struct group *gr = &p->g[g];
        size_t nr = 0;
        gr->asserting = 0;
        for (size_t x = gr->start; x < gr->end;) {
            const struct claim *c = &p->c[p->order[x]];
            size_t ns = 0, y = x;
            for (; y < gr->end && !strcmp(p->c[p->order[y]].root, c->root); y++)
                if (!p->c[p->order[y]].echo_of) same[ns++] = p->c[p->order[y]].op;
            if (ns) {
                roots[nr] = tl_opinion_averaging(same, ns);
                gr->asserting += roots[nr].b > roots[nr].d;
                nr++;
            }
            x = y;
        }
        gr->roots = nr;
        gr->op = tl_opinion_cumulative(roots, nr);
    }
    tl_free(roots);
    tl_free(same);
    return TL_OK;
}

void tl__picture_free(struct picture *p)
{
    for (size_t i = 0; i < p->nc; i++) {
        json_decref(p->c[i].doc);
        tl_free(p->c[i].key);
    }
    tl_free(p->c);
    for (size_t i = 0; i < p->nk; i++) {
        tl_free(p->k[i].id);
        tl_free(p->k[i].name);
        tl_free(p->k[i].country);
    }
    tl_free(p->k);
    for (size_t i = 0; i < p->np; i++) {
        for (size_t j = 0; j < p->p[i].nt; j++)
            tl_free(p->p[i].t[j].topic);
        tl_free(p->p[i].t);
        tl_free(p->p[i].code);
    }
    tl_free(p->p);
    tl_free(p->order);
    tl_free(p->g);
    json_decref(p->keyidx);
    json_decref(p->entity_of);
    json_decref(p->entities);
    json_decref(p->ent_rows);
    json_decref(p->containers);
    json_decref(p->place_of);
    json_decref(p->places);
    json_decref(p->contra);
}

/* A partner report that echoes ours makes the claims it carries echoes too. */
static void container_echoes(struct picture *p)
{
    if (!json_array_size(p->containers)) return;
    json_t *refs = json_object(); /* holding -> its container */
    if (!refs) return;
    size_t i, j;
    json_t *ct, *r;
    json_array_foreach(p->containers, i, ct)
    {
        json_array_foreach(json_object_get(ct, "refs"), j, r)
        {
            if (json_is_string(r)) json_object_set(refs, json_string_value(r), ct);
        }
    }
    for (size_t k = 0; k < p->nc; k++) {
        struct claim *c = &p->c[k];
        const json_t *by = json_object_get(refs, c->holding);
        if (!by || c->echo_of ||
            strcmp(c->origin, tl__json_str(json_object_get(by, "origin"), "")) != 0)
            continue;
        json_object_set(c->doc, "echo_of", json_object_get(by, "echo_of"));
        json_object_set_new(c->doc, "echo_why", json_string("in a report that echoes ours"));
        json_object_set(c->doc, "root", json_object_get(by, "root"));
        c->echo_of = json_string_value(json_object_get(c->doc, "echo_of"));
        c->echo_why = json_string_value(json_object_get(c->doc, "echo_why"));
        c->root = tl__json_str(json_object_get(c->doc, "root"), "");
    }
    json_decref(refs);
}

tl_err tl__picture_build(tl_node *n, struct picture *p)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    n->errmsg[0] = '\0';
    p->keyidx = json_object();
    p->entity_of = json_object();
    p->entities = json_object();
    p->ent_rows = json_object();
    p->containers = json_array();
    p->place_of = json_object();
    p->places = json_object();
    p->contra = json_object();
    tl_err rc = TL_ENOMEM;
    if (!p->keyidx || !p->entity_of || !p->entities || !p->ent_rows || !p->containers ||
        !p->place_of || !p->places || !p->contra)
        goto out;
    if ((rc = tl_store_claims_scan(n->store, doc_cb, p))) {
        tl__node_err(n, "reading claims: %s", tl_store_errmsg(n->store));
        goto out;
    }
    rc = TL_ENOMEM;
    if (p->oom) goto out;
    if ((rc = load_entities(p)) || (rc = load_places(p))) goto out;
    container_echoes(p);
    rc = TL_ENOMEM;
    for (size_t i = 0; i < p->nc; i++) {
        struct claim *c = &p->c[i];
        if ((c->sk = key_for(p, c->subject)) == (size_t)-1) goto out;
        if ((c->ok = key_for(p, c->object)) == (size_t)-1) goto out;
        size_t len = strlen(p->k[c->sk].id) + strlen(c->predicate) + strlen(p->k[c->ok].id) + 3;
        if (!(c->key = tl_malloc(len))) goto out;
        snprintf(c->key, len, "%s\x1f%s\x1f%s", p->k[c->sk].id, c->predicate, p->k[c->ok].id);
    }
    if (!(p->order = tl_calloc(p->nc + 1, sizeof *p->order))) goto out;
    if (!(p->g = tl_calloc(p->nc + 1, sizeof *p->g))) goto out;
    for (size_t i = 0; i < p->nc; i++)
        p->order[i] = i;
    if (p->nc) qsort_r(p->order, p->nc, sizeof *p->order, by_key, p);
    for (size_t x = 0; x < p->nc; x++) {
        if (!x || strcmp(p->c[p->order[x]].key, p->c[p->order[x - 1]].key) != 0)
            p->g[p->ng++] = (struct group){x, x, {0, 0, 1, 0.5}, 0, 0};
        p->g[p->ng - 1].end = x + 1;
        p->c[p->order[x]].group = p->ng - 1;
    }
    if ((rc = find_contradictions(p)) || (rc = calibrate(p)) || (rc = fuse_groups(p))) goto out;
    return TL_OK;
out:
    if (rc == TL_ENOMEM && !n->errmsg[0]) tl__node_err(n, "out of memory");
    tl__picture_free(p);
    memset(p, 0, sizeof *p);
    return rc;
}

/* ---- what the calls report ---- */

static double r6(double x)
{
    return round(x * 1e6) / 1e6;
}

json_t *tl__opinion_json(tl_opinion o)
{
    return json_pack("{s:f, s:f, s:f, s:f, s:f}", "b", r6(o.b), "d", r6(o.d), "u", r6(o.u), "a",
                     r6(o.a), "p", r6(tl_opinion_projected(o)));
}

static json_t *time_json(int64_t us)
{
    if (us == NOTIME || us == OPEN_END) return json_null();
    char t[32];
    tl__ts_format_ms(us, t);
    return json_string(t);
}

json_t *tl__key_json(const struct picture *p, size_t k)
{
    const struct key *x = &p->k[k];
    if (!*x->id) return json_null();
    return json_pack("{s:s, s:s, s:s}", "id", x->id, "name", x->name, "kind",
                     x->kind == K_ENTITY  ? "entity"
                     : x->kind == K_PLACE ? "place"
                                          : "object");
}

json_t *tl__claim_json(const struct claim *c)
{
    char rel[2] = {c->rel, 0};
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o}", "holding", c->holding,
                          "origin", *c->origin ? c->origin : "own", "root", c->root, "reliability",
                          rel, "credibility", c->cred, "from", time_json(c->from), "to",
                          time_json(c->to), "opinion", tl__opinion_json(c->raw));
    if (j && *c->origin) {
        json_object_set_new(j, "trust", tl__opinion_json(c->trust));
        json_object_set_new(j, "weighed", tl__opinion_json(c->op));
        if (c->outcome)
            json_object_set_new(j, "outcome",
                                json_string(c->outcome > 0 ? "confirmed" : "refuted"));
    }
    if (j && c->echo_of) {
        json_object_set_new(j, "echo_of", json_string(c->echo_of));
        json_object_set_new(j, "echo_why", json_string(c->echo_why ? c->echo_why : ""));
    }
    return j;
}

static json_t *group_json(const struct picture *p, size_t g)
{
    const struct group *gr = &p->g[g];
    const struct claim *c0 = &p->c[p->order[gr->start]];
    json_t *j =
        json_pack("{s:o, s:s, s:o, s:o, s:I, s:b, s:[], s:[]}", "subject", tl__key_json(p, c0->sk),
                  "predicate", c0->predicate, "object", tl__key_json(p, c0->ok), "opinion",
                  tl__opinion_json(gr->op), "independent_sources", (json_int_t)gr->roots,
                  "corroborated", gr->asserting >= 2, "sources", "echoes");
    if (!j) return NULL;
    json_t *sources = json_object_get(j, "sources"), *echoes = json_object_get(j, "echoes");
    json_t *cur = NULL;
    const char *root = NULL;
    for (size_t x = gr->start; x < gr->end; x++) {
        const struct claim *c = &p->c[p->order[x]];
        if (c->echo_of) {
            json_array_append_new(echoes, tl__claim_json(c));
            continue;
        }
        if (!root || strcmp(root, c->root) != 0) {
            cur = json_pack("{s:s, s:[]}", "root", c->root, "reports");
            json_array_append_new(sources, cur);
            root = c->root;
        }
        json_array_append_new(json_object_get(cur, "reports"), tl__claim_json(c));
    }
    return j;
}

static json_t *contradiction_json(const struct picture *p, const json_t *ct)
{
    json_t *j = json_pack(
        "{s:O, s:o, s:[]}", "kind", json_object_get(ct, "kind"), "subject",
        tl__key_json(p, (size_t)json_integer_value(json_object_get(ct, "subject"))), "sides");
    if (!j) return NULL;
    static const char *const sk[2] = {"a", "b"}, *const gk[2] = {"ga", "gb"};
    for (int s = 0; s < 2; s++) {
        const struct group *gr = &p->g[json_integer_value(json_object_get(ct, gk[s]))];
        const struct claim *c0 = &p->c[p->order[gr->start]];
        json_t *side = json_pack("{s:o, s:s, s:o, s:o, s:[]}", "subject", tl__key_json(p, c0->sk),
                                 "predicate", c0->predicate, "object", tl__key_json(p, c0->ok),
                                 "opinion", tl__opinion_json(gr->op), "evidence");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(ct, sk[s]), i, v)
        {
            if (side)
                json_array_append_new(json_object_get(side, "evidence"),
                                      tl__claim_json(&p->c[json_integer_value(v)]));
        }
        json_array_append_new(json_object_get(j, "sides"), side);
    }
    return j;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every contradiction, in a fixed order (kind, then the groups), those about entity only if set. */
static json_t *contradictions_json(const struct picture *p, size_t entity)
{
    json_t *list = json_array();
    size_t n = json_object_size(p->contra), m = 0;
    const char **keys = tl_calloc(n + 1, sizeof *keys);
    if (!list || !keys) {
        tl_free(keys);
        json_decref(list);
        return NULL;
    }
    const char *k;
    json_t *ct;
    json_object_foreach(p->contra, k, ct) keys[m++] = k;
    qsort(keys, m, sizeof *keys, cmp_str);
    for (size_t i = 0; i < m; i++) {
        ct = json_object_get(p->contra, keys[i]);
        if (entity != (size_t)-1) {
            int about = (size_t)json_integer_value(json_object_get(ct, "subject")) == entity;
            static const char *const gk[2] = {"ga", "gb"};
            for (int s = 0; s < 2; s++) {
                const struct group *gr = &p->g[json_integer_value(json_object_get(ct, gk[s]))];
                const struct claim *c0 = &p->c[p->order[gr->start]];
                about |= c0->sk == entity || c0->ok == entity;
            }
            if (!about) continue;
        }
        json_array_append_new(list, contradiction_json(p, ct));
    }
    tl_free(keys);
    return list;
}

static int has_term(const json_t *list, const char *t)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (!strcmp(json_string_value(v), t)) return 1;
    return 0;
}

/*
 * Framing: a partner that characterizes an entity in terms no other source
 * uses (its labels or threat actor types), beside the terms the others use.
 */
static json_t *framing_json(const struct picture *p, const char *only)
{
    json_t *list = json_array();
    const char *rep;
    json_t *ent;
    json_object_foreach(p->entities, rep, ent)
    {
        if (only && strcmp(rep, only) != 0) continue;
        json_t *by = json_object(); /* origin -> terms */
        size_t i, j;
        json_t *m, *t;
        json_array_foreach(json_object_get(ent, "members"), i, m)
        {
            const json_t *row =
                json_object_get(p->ent_rows, json_string_value(json_object_get(m, "id")));
            const char *origin = json_string_value(json_object_get(row, "origin"));
            if (!origin) continue;
            const char *who = *origin ? origin : "own";
            json_t *terms = json_object_get(by, who);
            if (!terms) {
                terms = json_array();
                json_object_set_new(by, who, terms);
            }
            json_array_foreach(json_object_get(row, "terms"), j, t)
            {
                if (!has_term(terms, json_string_value(t))) json_array_append(terms, t);
            }
        }
        const char *who;
        json_t *terms;
        json_object_foreach(by, who, terms)
        {
            if (!strcmp(who, "own") || !json_array_size(terms)) continue;
            json_t *unique = json_array(), *shared = json_array(), *others = json_object();
            const char *w2;
            json_t *t2;
            json_object_foreach(by, w2, t2)
            {
                if (!strcmp(w2, who) || !json_array_size(t2)) continue;
                json_object_set(others, w2, t2);
            }
            json_array_foreach(terms, i, t)
            {
                int used = 0;
                json_object_foreach(others, w2, t2) used |= has_term(t2, json_string_value(t));
                json_array_append(used ? shared : unique, t);
            }
            if (json_object_size(others) && json_array_size(unique))
                json_array_append_new(
                    list, json_pack("{s:{s:s, s:O}, s:s, s:o, s:o, s:o}", "entity", "id", rep,
                                    "name", json_object_get(ent, "name"), "partner", who,
                                    "only_partner", unique, "shared", shared, "others", others));
            else {
                json_decref(unique);
                json_decref(shared);
                json_decref(others);
            }
        }
        json_decref(by);
    }
    return list;
}

static json_t *partners_json(const struct picture *p)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < p->np; i++) {
        const struct partner *q = &p->p[i];
        json_t *topics = json_array();
        for (size_t t = 0; topics && t < q->nt; t++)
            json_array_append_new(
                topics,
                json_pack("{s:s, s:I, s:f, s:f, s:f, s:o}", "topic", q->t[t].topic, "outcomes",
                          (json_int_t)q->t[t].outcomes, "r", r6(q->t[t].rep.r), "s",
                          r6(q->t[t].rep.s), "expected", r6(tl_reputation_expected(q->t[t].rep)),
                          "trust", tl__opinion_json(tl_reputation_opinion(q->t[t].rep, 0.5))));
        json_array_append_new(
            list,
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:o, s:o}", "partner", q->code,
                      "claims", (json_int_t)q->claims, "echoes", (json_int_t)q->echoes, "confirmed",
                      (json_int_t)q->confirmed, "refuted", (json_int_t)q->refuted, "r",
                      r6(q->all.r), "s", r6(q->all.s), "expected",
                      r6(tl_reputation_expected(q->all)), "trust",
                      tl__opinion_json(tl_reputation_opinion(q->all, 0.5)), "topics", topics));
    }
    return list;
}

tl_err tl_node_contradictions(tl_node *n, json_t **out)
{
    *out = NULL;
    struct picture p;
    tl_err rc = tl__picture_build(n, &p);
    if (rc) return rc;
    *out = json_pack("{s:o}", "contradictions", contradictions_json(&p, (size_t)-1));
    tl__picture_free(&p);
    if (!*out) {
        tl__node_err(n, "out of memory");
        return TL_ENOMEM;
    }
    return TL_OK;
}

tl_err tl_node_partners(tl_node *n, json_t **out)
{
    *out = NULL;
    struct picture p;
    tl_err rc = tl__picture_build(n, &p);
    if (rc) return rc;
    *out = json_pack("{s:o, s:f, s:o}", "partners", partners_json(&p), "forgetting",
                     TL_FUSION_FORGET, "framing", framing_json(&p, NULL));
    tl__picture_free(&p);
    if (!*out) {
        tl__node_err(n, "out of memory");
        return TL_ENOMEM;
    }
    return TL_OK;
}

/* The entity named by id (of any member) or by name (the best match at the threshold). */
const char *tl__picture_entity(struct picture *p, const char *what)
{
    const char *rep = json_string_value(json_object_get(p->entity_of, what));
    if (rep) return rep;
    tl_names *nx = NULL;
    tl_name *q = NULL;
    if (tl_names_new(&nx) || tl_names_prepare(nx, what, strlen(what), &q) || !q) {
        tl_names_free(nx);
        return NULL;
    }
    double best = 0;
    const char *h;
    json_t *row;
    json_object_foreach(p->ent_rows, h, row)
    {
        const char *name = json_string_value(json_object_get(row, "name"));
        tl_name *m = NULL;
        if (!name || tl_names_prepare(nx, name, strlen(name), &m) || !m) continue;
        double s = tl_name_score(q, m);
        tl_name_free(m);
        if (s >= TL_NAMES_THRESHOLD && s > best) {
            best = s;
            rep = json_string_value(json_object_get(p->entity_of, h));
        }
    }
    tl_name_free(q);
    tl_names_free(nx);
    return rep;
}

tl_err tl_node_assess(tl_node *n, const char *entity, json_t **out)
{
    *out = NULL;
    struct picture p;
    tl_err rc = tl__picture_build(n, &p);
    if (rc) return rc;
    const char *rep = entity ? tl__picture_entity(&p, entity) : NULL;
    if (!rep) {
        tl__node_err(n, "no person or group held is '%s' (by id or name)", entity ? entity : "");
        tl__picture_free(&p);
        return TL_ENOTFOUND;
    }
    const json_t *ent = json_object_get(p.entities, rep);
    json_t *at = json_object_get(p.keyidx, rep);
    size_t k = at ? (size_t)json_integer_value(at) : (size_t)-2;
    json_t *claims = json_array();
    for (size_t g = 0; claims && g < p.ng; g++) {
        const struct claim *c0 = &p.c[p.order[p.g[g].start]];
        if (c0->sk == k || c0->ok == k) json_array_append_new(claims, group_json(&p, g));
    }
    json_t *contra = k == (size_t)-2 ? json_array() : contradictions_json(&p, k);
    *out = json_pack("{s:{s:s, s:O, s:O}, s:o, s:o, s:o}", "entity", "id", rep, "name",
                     json_object_get(ent, "name"), "members", json_object_get(ent, "members"),
                     "claims", claims, "contradictions", contra, "framing", framing_json(&p, rep));
    tl__picture_free(&p);
    if (!*out) {
        tl__node_err(n, "out of memory");
        return TL_ENOMEM;
    }
    return TL_OK;
}
