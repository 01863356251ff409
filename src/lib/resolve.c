/*
 * resolve.c: entity resolution over the holdings (resolve.h).
 *
 * Every name and alias of the persons and groups held is prepared once and
 * linked against the others (names.c, blocking included); the best name
 * pair joining two objects is the evidence for their link. Links are then
 * taken best first into clusters (union-find), analysts' "same" verdicts
 * before any, and none that would join two objects an analyst called
 * different.
 */
#define _GNU_SOURCE /* qsort_r */
#include "tearline/resolve.h"

#include "audit_int.h"
#include "buf.h"
#include "jcs.h"
#include "node_int.h"
#include "uf.h"

#include "tearline/names.h"

#include <stdlib.h>
#include <string.h>

#define ALIASES_MAX 32 /* names of one object beyond its name */

static const char *const resolved_types[] = {"threat-actor", "identity", "intrusion-set",
                                             "campaign"};

#define NAT_MAX 4 /* nationalities of one object */
/* How far under the threshold a name link still counts when full birth dates agree. */
#define DOB_RESCUE 0.1

struct entity {
    char *id, *type, *origin;
    json_t *names;        /* its name, then its aliases */
    char dob[11];         /* x_birth_date: YYYY, YYYY-MM or YYYY-MM-DD; "" if none */
    char nat[NAT_MAX][8]; /* x_nationality, lower case; "" ends */
};

struct edge {
    size_t a, b; /* entities, a < b */
    double score;
    size_t na, nb;  /* the names that matched (indexes into the name list) */
    int verdict;    /* 1: an analyst's "same" */
    int dob;        /* birth dates: 2 the same day, 1 compatible, 0 unknown, -1 differ */
    int nat_differ; /* both have nationalities, none in common */
    size_t seq;     /* the order names linked in: the first of equal scores is the evidence */
};

struct res {
    tl_node *n;
    struct entity *e;
    size_t ne, cape;
    char **text; /* every name, and its entity */
    size_t *owner;
    size_t nn, capn;
    size_t *linked; /* each name linked: the index of its text (one of each text) */
    struct edge *edges;
    size_t nedges, capedges;
    tl_err rc;
};

static int add_name(struct res *r, const char *s, size_t owner)
{
    if (!s || !*s || strlen(s) > TL_NAME_MAX) return 0;
    if (tl__grow((void **)&r->text, &r->nn, &r->capn, sizeof *r->text)) return -1;
    size_t *o = tl_realloc(r->owner, r->capn * sizeof *o);
    if (!o) return -1;
    r->owner = o;
    if (!(r->text[r->nn] = tl_strdup(s))) return -1;
    r->owner[r->nn++] = owner;
    return 0;
}

/* A birth date as YYYY, YYYY-MM or YYYY-MM-DD (digits in place), else 0. */
static int dob_valid(const char *s)
{
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10) return 0;
    for (size_t i = 0; i < n; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return 0;
    return 1;
}

/* The facts beside the names: x_birth_date and x_nationality (a code or a list of codes). */
static void read_attributes(const json_t *o, struct entity *e)
{
    const char *dob = json_string_value(json_object_get(o, "x_birth_date"));
    if (dob && dob_valid(dob)) snprintf(e->dob, sizeof e->dob, "%s", dob);
    const json_t *nat = json_object_get(o, "x_nationality");
    size_t k = 0;
    for (size_t i = 0; k < NAT_MAX && i < (json_is_array(nat) ? json_array_size(nat) : 1); i++) {
        const char *c = json_string_value(json_is_array(nat) ? json_array_get(nat, i) : nat);
        if (!c || !*c || strlen(c) >= sizeof e->nat[0]) continue;
        for (size_t j = 0; c[j]; j++)
            e->nat[k][j] = (char)(c[j] >= 'A' && c[j] <= 'Z' ? c[j] - 'A' + 'a' : c[j]);
        k++;
    }
}

/* 2 the same full date, 1 compatible at the coarser precision, 0 unknown, -1 different. */
static int dob_compare(const char *a, const char *b)
{
    if (!*a || !*b) return 0;
    size_t n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
    if (strncmp(a, b, n) != 0) return -1;
    return strlen(a) == 10 && strlen(b) == 10 ? 2 : 1;
}

static int nationalities_differ(const struct entity *x, const struct entity *y)
{
    if (!x->nat[0][0] || !y->nat[0][0]) return 0;
    for (int i = 0; i < NAT_MAX && x->nat[i][0]; i++)
        for (int j = 0; j < NAT_MAX && y->nat[j][0]; j++)
            if (!strcmp(x->nat[i], y->nat[j])) return 0;
    return 1;
}

static int entity_cb(const tl_record *rec, void *ud)
{
    struct res *r = ud;
    if (!strcmp(rec->id, tl_node_identity(r->n))) return 0; /* this node itself */
    json_t *o = NULL;
    if (tl__json_parse_stored(rec->json, rec->json_len, &o)) return 0;
    const char *name = json_string_value(json_object_get(o, "name"));
    if (!name) {
        json_decref(o);
        return 0;
    }
    if (tl__grow((void **)&r->e, &r->ne, &r->cape, sizeof *r->e)) goto oom;
    struct entity *e = &r->e[r->ne];
    memset(e, 0, sizeof *e);
    e->id = tl_strdup(rec->id);
    e->type = tl_strdup(rec->type);
    e->origin = tl_strdup(rec->origin);
    e->names = json_array();
    if (!e->id || !e->type || !e->origin || !e->names) goto oom_e;
    read_attributes(o, e);
    r->ne++;
    if (json_array_append_new(e->names, json_string(name)) || add_name(r, name, r->ne - 1))
        goto oom;
    size_t i;
    json_t *al;
    json_array_foreach(json_object_get(o, "aliases"), i, al)
    {
        if (i >= ALIASES_MAX) break;
        const char *a = json_string_value(al);
        if (!a || !strcmp(a, name)) continue;
        if (json_array_append_new(e->names, json_string(a)) || add_name(r, a, r->ne - 1)) goto oom;
    }
    json_decref(o);
    return 0;
oom_e:
    tl_free(e->id);
    tl_free(e->type);
    tl_free(e->origin);
    json_decref(e->names);
oom:
    json_decref(o);
    r->rc = TL_ENOMEM;
    return 1;
}

/* A link between names ia and ib (indexes into text) as a link of their objects. */
static int add_edge(struct res *r, size_t ia, size_t ib, double score)
{
    size_t a = r->owner[ia], b = r->owner[ib];
    if (a == b) return 0;
    if (a > b) {
        size_t t = a;
        a = b;
        b = t;
        t = ia;
        ia = ib;
        ib = t;
    }
    if (tl__grow((void **)&r->edges, &r->nedges, &r->capedges, sizeof *r->edges)) {
        r->rc = TL_ENOMEM;
        return 1;
    }
    r->edges[r->nedges] = (struct edge){a, b, score, ia, ib, 0, 0, 0, r->nedges};
    r->nedges++;
    return 0;
}

static int edge_cb(size_t ia, size_t ib, double score, void *ud)
{
    struct res *r = ud;
    return add_edge(r, r->linked[ia], r->linked[ib], score);
}

static int by_text(const void *x, const void *y, void *ctx)
{
    const struct res *text_ctx = ctx;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int c = strcmp(text_ctx->text[i], text_ctx->text[j]);
    if (!c) c = strcmp(text_ctx->e[text_ctx->owner[i]].dob, text_ctx->e[text_ctx->owner[j]].dob);
    if (c) return c;
    if (text_ctx->owner[i] != text_ctx->owner[j])
        return text_ctx->owner[i] < text_ctx->owner[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* By pair, the best score first (the earliest of equal ones). */
static int by_pair(const void *x, const void *y)
{
    const struct edge *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    if (p->b != q->b) return p->b < q->b ? -1 : 1;
    if (p->score != q->score) return p->score < q->score ? 1 : -1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Keeps the best name pair of two objects, their evidence, and drops the others. */
static void best_per_pair(struct res *r)
{
    if (!r->nedges) return;
    qsort(r->edges, r->nedges, sizeof *r->edges, by_pair);
    size_t m = 0;
    for (size_t k = 0; k < r->nedges; k++)
        if (!m || r->edges[m - 1].a != r->edges[k].a || r->edges[m - 1].b != r->edges[k].b)
            r->edges[m++] = r->edges[k];
    r->nedges = m;
}

static int by_score(const void *x, const void *y)
{
    const struct edge *p = x, *q = y;
    if (p->verdict != q->verdict) return q->verdict - p->verdict;
    if (p->score != q->score) return p->score < q->score ? 1 : -1;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static struct entity *entity_by_id(struct res *r, const char *id, size_t *at)
{
    *at = 0;
    for (size_t i = 0; i < r->ne; i++)
        if (!strcmp(r->e[i].id, id)) {
            *at = i;
            return &r->e[i];
        }
    return NULL;
}

struct verdicts {
    struct res *r;
    size_t (*apart)[2];
    size_t napart, capapart;
    json_t *list;
};

static int verdict_cb(const char *a, const char *b, const char *verdict, int64_t added, void *ud)
{
    (void)added;
    struct verdicts *v = ud;
    struct res *r = v->r;
    size_t ia = 0, ib = 0;
    if (!entity_by_id(r, a, &ia) || !entity_by_id(r, b, &ib)) return 0; /* no longer held */
    if (ia > ib) {
        size_t t = ia;
        ia = ib;
        ib = t;
    }
    if (!strcmp(verdict, "same")) {
        if (tl__grow((void **)&r->edges, &r->nedges, &r->capedges, sizeof *r->edges)) goto oom;
        r->edges[r->nedges] = (struct edge){ia, ib, 1.0, 0, 0, 1, 0, 0, r->nedges};
        r->nedges++;
    } else {
        if (tl__grow((void **)&v->apart, &v->napart, &v->capapart, sizeof *v->apart)) goto oom;
        v->apart[v->napart][0] = ia;
        v->apart[v->napart++][1] = ib;
    }
    return 0;
oom:
    r->rc = TL_ENOMEM;
    return 1;
}

static json_t *member_json(const struct entity *e)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:O, s:O}", "id", e->id, "type", e->type, "origin",
                          e->origin, "name", json_array_get(e->names, 0), "names", e->names);
    if (m && e->dob[0]) json_object_set_new(m, "birth_date", json_string(e->dob));
    if (m && e->nat[0][0]) {
        json_t *nat = json_array();
        for (int i = 0; i < NAT_MAX && e->nat[i][0]; i++)
            json_array_append_new(nat, json_string(e->nat[i]));
        json_object_set_new(m, "nationality", nat);
    }
    return m;
}

/* Why a name link was taken: the names, and the facts beside them. */
static const char *link_why(const struct edge *g)
{
    if (g->verdict) return "an analyst called them the same";
    if (g->dob > 0)
        return g->nat_differ ? "names and birth date; nationalities differ"
                             : "names and birth date";
    return g->nat_differ ? "names; nationalities differ" : "names";
}

static json_t *link_json(const struct res *r, const struct edge *g, const char *why)
{
    if (g->verdict)
        return json_pack("{s:s, s:s, s:s, s:s}", "a", r->e[g->a].id, "b", r->e[g->b].id, "verdict",
                         "same", "why", why);
    return json_pack("{s:s, s:s, s:f, s:[s, s], s:s}", "a", r->e[g->a].id, "b", r->e[g->b].id,
                     "score", g->score, "names", r->text[g->na], r->text[g->nb], "why", why);
}

tl_err tl_node_resolve(tl_node *n, double threshold, json_t **out)
{
    *out = NULL;
    if (threshold <= 0) threshold = TL_NAMES_THRESHOLD;
    struct res r;
    memset(&r, 0, sizeof r);
    r.n = n;
    struct verdicts v = {&r, NULL, 0, 0, NULL};
    tl_name **names = NULL;
    size_t *parent = NULL, *count = NULL, *used = NULL, nused = 0, ndob_apart = 0;
    struct edge *dob_apart = NULL;
    json_t *res = NULL;
    tl_filter f = TL_FILTER_INIT;
    for (size_t i = 0; i < sizeof resolved_types / sizeof *resolved_types; i++)
        f.types[f.ntypes++] = resolved_types[i];
    char next[TL_CURSOR_MAX];
    tl_err rc = tl_node_query(n, &f, NULL, entity_cb, &r, next);
    if (!rc) rc = r.rc;
    if (rc) goto out;
    rc = TL_ENOMEM;
    names = tl_calloc(r.nn + 1, sizeof(tl_name *));
    if (!names) goto out;
    tl_names *nx = NULL;
    if ((rc = tl_names_new(&nx))) {
        tl__node_err(n, "resolve: the name transforms cannot be set up");
        goto out;
    }
    /*
     * Each distinct text (of objects with one birth date) is prepared and
     * linked once; the objects that share it are linked to each other at its
     * score against itself (a chain is enough for clusters).
     * A name with no letters cannot be matched: left out, not an error.
     */
    size_t *ord = tl_calloc(r.nn + 1, sizeof *ord), kept = 0;
    if (!ord || !(r.linked = tl_calloc(r.nn + 1, sizeof *r.linked))) {
        tl_free(ord);
        tl_names_free(nx);
        rc = TL_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < r.nn; i++)
        ord[i] = i;
    if (r.nn) qsort_r(ord, r.nn, sizeof *ord, by_text, &r);
    for (size_t x = 0; x < r.nn && rc != TL_ENOMEM && !r.rc;) {
        size_t y = x + 1;
        while (y < r.nn && !strcmp(r.text[ord[y]], r.text[ord[x]]) &&
               !strcmp(r.e[r.owner[ord[y]]].dob, r.e[r.owner[ord[x]]].dob))
            y++;
        tl_err pr = tl_names_prepare(nx, r.text[ord[x]], strlen(r.text[ord[x]]), &names[kept]);
        if (pr == TL_ENOMEM) rc = TL_ENOMEM;
        if (!names[kept]) {
            x = y;
            continue;
        }
        /* a generic name ("Abu Omar") scores under the threshold even against itself */
        double self = tl_name_score(names[kept], names[kept]);
        for (size_t z = x + 1; z < y && self >= threshold; z++)
            if (add_edge(&r, ord[z - 1], ord[z], self)) break;
        r.linked[kept++] = ord[x];
        x = y;
    }
    tl_free(ord);
    tl_names_free(nx);
    if (rc == TL_ENOMEM || (rc = r.rc)) goto out;
    double floor = threshold - DOB_RESCUE > 0.5 ? threshold - DOB_RESCUE : 0.5;
    if ((rc = tl_names_link(names, kept, NULL, 0, floor, edge_cb, &r)) || (rc = r.rc)) goto out;
    best_per_pair(&r);
    /*
     * The facts beside the names: birth dates that differ keep two objects
     * apart (listed); full birth dates that agree carry a name link up to
     * DOB_RESCUE under the threshold; differing nationalities are noted.
     */
    rc = TL_ENOMEM;
    size_t m = 0;
    if (!(dob_apart = tl_calloc(r.nedges + 1, sizeof *dob_apart))) goto out;
    for (size_t k = 0; k < r.nedges; k++) {
        struct edge g = r.edges[k];
        g.dob = dob_compare(r.e[g.a].dob, r.e[g.b].dob);
        g.nat_differ = nationalities_differ(&r.e[g.a], &r.e[g.b]);
        if (g.score < threshold && g.dob != 2) continue;
        if (g.dob < 0)
            dob_apart[ndob_apart++] = g;
        else
            r.edges[m++] = g;
    }
    r.nedges = m;
    if ((rc = tl_store_resolution_list(n->store, verdict_cb, &v)) || (rc = r.rc)) {
        if (rc != TL_ENOMEM) tl__node_err(n, "resolve: %s", tl_store_errmsg(n->store));
        goto out;
    }
    if (r.nedges) qsort(r.edges, r.nedges, sizeof *r.edges, by_score);
    rc = TL_ENOMEM;
    parent = tl_calloc(r.ne + 1, sizeof *parent);
    count = tl_calloc(r.ne + 1, sizeof *count);
    used = tl_calloc(r.nedges + 1, sizeof *used); /* the links taken, in the order taken */
    res = json_pack("{s:f, s:I, s:[], s:[]}", "threshold", threshold, "entities", (json_int_t)r.ne,
                    "clusters", "kept_apart");
    if (!parent || !count || !used || !res) goto out;
    for (size_t i = 0; i < r.ne; i++)
        parent[i] = i;
    json_t *apart = json_object_get(res, "kept_apart");
    for (size_t k = 0; k < ndob_apart; k++) {
        char why[80];
        snprintf(why, sizeof why, "birth dates differ: %s and %s", r.e[dob_apart[k].a].dob,
                 r.e[dob_apart[k].b].dob);
        if (json_array_append_new(apart, link_json(&r, &dob_apart[k], why))) goto out;
    }
    for (size_t k = 0; k < r.nedges; k++) {
        struct edge *g = &r.edges[k];
        size_t ra = tl__uf_find(parent, g->a), rb = tl__uf_find(parent, g->b);
        if (ra == rb) continue;
        int blocked = 0;
        for (size_t s = 0; s < v.napart && !blocked; s++) {
            size_t x = tl__uf_find(parent, v.apart[s][0]), y = tl__uf_find(parent, v.apart[s][1]);
            blocked = (x == ra && y == rb) || (x == rb && y == ra);
        }
        for (size_t s = 0; s < ndob_apart && !blocked; s++) {
            size_t x = tl__uf_find(parent, dob_apart[s].a), y = tl__uf_find(parent, dob_apart[s].b);
            blocked = 2 * ((x == ra && y == rb) || (x == rb && y == ra));
        }
        if (blocked) {
            if (json_array_append_new(
                    apart,
                    link_json(&r, g,
                              blocked == 2 ? "two of these objects have different birth dates"
                                           : "an analyst called two of these objects different")))
                goto out;
            continue;
        }
        tl__uf_union(parent, ra, rb);
        used[nused++] = k;
    }
    /* clusters of two or more, in holding order, with the links inside them */
    json_t *clusters = json_object_get(res, "clusters");
    for (size_t i = 0; i < r.ne; i++)
        count[tl__uf_find(parent, i)]++;
    for (size_t i = 0; i < r.ne; i++) {
        if (tl__uf_find(parent, i) != i || count[i] < 2) continue;
        json_t *c = json_pack("{s:[], s:[]}", "members", "links");
        if (!c || json_array_append_new(clusters, c)) goto out;
        for (size_t j = i; j < r.ne; j++)
            if (tl__uf_find(parent, j) == i &&
                json_array_append_new(json_object_get(c, "members"), member_json(&r.e[j])))
                goto out;
        for (size_t k = 0; k < nused; k++) {
            const struct edge *g = &r.edges[used[k]];
            if (tl__uf_find(parent, g->a) == i &&
                json_array_append_new(json_object_get(c, "links"), link_json(&r, g, link_why(g))))
                goto out;
        }
    }
    *out = res;
    res = NULL;
    rc = TL_OK;
out:
    if (rc == TL_ENOMEM && !n->errmsg[0]) tl__node_err(n, "out of memory");
    json_decref(res);
    for (size_t i = 0; names && i < r.nn; i++)
        tl_name_free(names[i]);
    tl_free(names);
    for (size_t i = 0; i < r.nn; i++)
        tl_free(r.text[i]);
    tl_free(r.text);
    tl_free(r.owner);
    tl_free(r.linked);
    tl_free(dob_apart);
    for (size_t i = 0; i < r.ne; i++) {
        tl_free(r.e[i].id);
        tl_free(r.e[i].type);
        tl_free(r.e[i].origin);
        json_decref(r.e[i].names);
    }
    tl_free(r.e);
    tl_free(r.edges);
    tl_free(v.apart);
    tl_free(parent);
    tl_free(count);
    tl_free(used);
    return rc;
}

static int held_cb(const tl_record *rec, void *ud)
{
    (void)rec;
    *(int *)ud = 1;
    return 1;
}

tl_err tl_node_resolve_verdict(tl_node *n, const char *a, const char *b, int same)
{
    n->errmsg[0] = '\0';
    if (!a || !b || !strcmp(a, b)) {
        tl__node_err(n, "a verdict needs two different objects");
        return TL_EINVAL;
    }
    const char *ids[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        int held = 0;
        tl_err rc = tl_node_get(n, ids[i], NULL, held_cb, &held);
        if ((rc && rc != TL_ENOTFOUND) || !held) {
            if (!rc || rc == TL_ENOTFOUND) tl__node_err(n, "%s is not held by this node", ids[i]);
            return rc ? rc : TL_ENOTFOUND;
        }
    }
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    const char *verdict = same ? "same" : "different";
    tl_err rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_resolution_put(n->store, a, b, verdict);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
        return rc;
    }
    return tl__audit_admin(n, NULL, a, same ? "resolve-same" : "resolve-different", "%s and %s: %s",
                           a, b, verdict);
}
