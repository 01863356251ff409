/*
 * linkgraph.c: the graph of resolved entities and places, and its measures
 * (links.h, docs/graph.md). Built from the fused picture (fusion_int.h):
 * one edge for each pair of vertices some claim group ties, the graph
 * algorithms in graph.c.
 */
#include "tearline/links.h"

#include "buf.h"
#include "fusion_int.h"

#include "tearline/graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VISIT_BUDGET 4e9 /* edge visits of an exact betweenness before it is estimated */
#define MIN_SAMPLES 256
#define REPORTS_MAX 20 /* reports listed for one edge */

struct ledge {
    size_t a, b; /* vertices, a < b */
    json_t *predicates, *reports, *echoes;
    tl_opinion best;
    size_t roots;
    int own, partner, echo_only;
};

struct lg {
    struct picture p;
    size_t *vertex_of; /* key -> vertex, or -1 */
    size_t *key_of;    /* vertex -> key */
    size_t nv;
    struct ledge *e;
    size_t ne, cape;
    json_t *edge_at;  /* "a|b" -> edge index */
    size_t (*dir)[3]; /* subject vertex, object vertex, claim group */
    size_t ndir, capdir;
};

static void lg_free(struct lg *g)
{
    for (size_t i = 0; i < g->ne; i++) {
        json_decref(g->e[i].predicates);
        json_decref(g->e[i].reports);
        json_decref(g->e[i].echoes);
    }
    tl_free(g->e);
    tl_free(g->dir);
    tl_free(g->vertex_of);
    tl_free(g->key_of);
    json_decref(g->edge_at);
    tl__picture_free(&g->p);
}

static size_t vertex(struct lg *g, size_t k)
{
    if (g->vertex_of[k] == (size_t)-1) {
        g->vertex_of[k] = g->nv;
        g->key_of[g->nv++] = k;
    }
    return g->vertex_of[k];
}

static int add_report(json_t *list, const char *holding)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (!strcmp(json_string_value(v), holding)) return 0;
    if (json_array_size(list) >= REPORTS_MAX) return 0;
    return json_array_append_new(list, json_string(holding));
}

/* One claim group as an edge (merged with others between the same two vertices). */
static tl_err add_group(struct lg *g, const tl_links_opts *o, size_t gi)
{
    const struct group *gr = &g->p.g[gi];
    const struct claim *c0 = &g->p.c[g->p.order[gr->start]];
    const struct key *ks = &g->p.k[c0->sk], *ko = &g->p.k[c0->ok];
    if (c0->sk == c0->ok || (ks->kind != K_ENTITY && ks->kind != K_PLACE) ||
        (ko->kind != K_ENTITY && ko->kind != K_PLACE))
        return TL_OK;
    int echo_only = gr->roots == 0;
    if (echo_only && !o->with_echoes) return TL_OK;
    if (gr->op.b < o->min_belief) return TL_OK;
    size_t vs = vertex(g, c0->sk), vo = vertex(g, c0->ok);
    if (tl__grow((void **)&g->dir, &g->ndir, &g->capdir, sizeof *g->dir)) return TL_ENOMEM;
    g->dir[g->ndir][0] = vs;
    g->dir[g->ndir][1] = vo;
    g->dir[g->ndir++][2] = gi;
    size_t a = vs < vo ? vs : vo, b = vs < vo ? vo : vs;
    char key[64];
    snprintf(key, sizeof key, "%zu|%zu", a, b);
    json_t *at = json_object_get(g->edge_at, key);
    struct ledge *e;
    if (at) {
        e = &g->e[json_integer_value(at)];
    } else {
        if (tl__grow((void **)&g->e, &g->ne, &g->cape, sizeof *g->e)) return TL_ENOMEM;
        e = &g->e[g->ne];
        memset(e, 0, sizeof *e);
        e->a = a;
        e->b = b;
        e->echo_only = 1;
        e->best = (tl_opinion){0, 0, 1, 0.5};
        e->predicates = json_array();
        e->reports = json_array();
        e->echoes = json_array();
        if (!e->predicates || !e->reports || !e->echoes ||
            json_object_set_new(g->edge_at, key, json_integer((json_int_t)g->ne)))
            return TL_ENOMEM;
        g->ne++;
    }
    if (json_array_append_new(e->predicates, json_string(c0->predicate))) return TL_ENOMEM;
    if (tl_opinion_projected(gr->op) > tl_opinion_projected(e->best) || gr->op.b > e->best.b)
        e->best = gr->op;
    if (gr->roots > e->roots) e->roots = gr->roots;
    e->echo_only &= echo_only;
    for (size_t x = gr->start; x < gr->end; x++) {
        const struct claim *c = &g->p.c[g->p.order[x]];
        if (!c->echo_of) {
            e->own |= !*c->origin;
            e->partner |= *c->origin != '\0';
        }
        if (add_report(c->echo_of ? e->echoes : e->reports, c->holding)) return TL_ENOMEM;
    }
    return TL_OK;
}

static tl_err lg_build(tl_node *n, const tl_links_opts *o, struct lg *g)
{
    memset(g, 0, sizeof *g);
    tl_err rc = tl__picture_build(n, &g->p);
    if (rc) return rc;
    size_t nk = g->p.nk;
    g->vertex_of = tl_malloc((nk + 1) * sizeof *g->vertex_of);
    g->key_of = tl_malloc((nk + 1) * sizeof *g->key_of);
    g->edge_at = json_object();
    if (!g->vertex_of || !g->key_of || !g->edge_at) return TL_ENOMEM;
    for (size_t k = 0; k < nk; k++)
        g->vertex_of[k] = (size_t)-1;
    for (size_t gi = 0; gi < g->p.ng; gi++)
        if ((rc = add_group(g, o, gi))) return rc;
    return TL_OK;
}

static const char *kind_of(const struct key *k)
{
    if (k->kind == K_PLACE) return "place";
    return k->person ? "person" : "group";
}

static json_t *vertex_json(const struct lg *g, size_t v)
{
    const struct key *k = &g->p.k[g->key_of[v]];
    return json_pack("{s:s, s:s, s:s}", "id", k->id, "name", k->name, "kind", kind_of(k));
}

static json_t *edge_json(const struct lg *g, const struct ledge *e, size_t from, size_t to)
{
    return json_pack("{s:o, s:o, s:O, s:o, s:I, s:b, s:b, s:b, s:O, s:O}", "a",
                     vertex_json(g, from), "b", vertex_json(g, to), "predicates", e->predicates,
                     "opinion", tl__opinion_json(e->best), "independent_sources",
                     (json_int_t)e->roots, "own", e->own, "partner", e->partner, "echo_only",
                     e->echo_only, "reports", e->reports, "echoes", e->echoes);
}

static tl_err undirected(const struct lg *g, tl_graph **out)
{
    tl_err rc = tl_graph_new(g->nv, 0, out);
    for (size_t i = 0; !rc && i < g->ne; i++)
        rc = tl_graph_add(*out, g->e[i].a, g->e[i].b, (double)(g->e[i].roots ? g->e[i].roots : 1));
    if (!rc) rc = tl_graph_finish(*out);
    return rc;
}

/*
 * Groups by membership: a group is its own; a person belongs to the group it
 * is tied to by membership with the best belief; anything else is alone
 * (numbered past the vertices). NULL out of memory.
 */
static size_t *membership(const struct lg *g)
{
    static const char *const member[] = {"member-of", "affiliated-with", "part-of", "leads", NULL};
    size_t nv = g->nv;
    size_t *group = tl_malloc((nv + 1) * sizeof *group);
    double *best = tl_malloc((nv + 1) * sizeof *best);
    if (!group || !best) {
        tl_free(group);
        tl_free(best);
        return NULL;
    }
    for (size_t v = 0; v < nv; v++) {
        const struct key *k = &g->p.k[g->key_of[v]];
        group[v] = k->kind == K_ENTITY && !k->person ? v : nv + v;
        best[v] = -1;
    }
    for (size_t i = 0; i < g->ndir; i++) {
        size_t s = g->dir[i][0], t = g->dir[i][1];
        const struct group *gr = &g->p.g[g->dir[i][2]];
        const struct claim *c0 = &g->p.c[g->p.order[gr->start]];
        const struct key *ks = &g->p.k[g->key_of[s]], *kt = &g->p.k[g->key_of[t]];
        int is_member = 0;
        for (const char *const *m = member; *m; m++)
            is_member |= !strcmp(c0->predicate, *m);
        if (!is_member || !ks->person || kt->kind != K_ENTITY || kt->person) continue;
        if (gr->op.b > best[s]) {
            best[s] = gr->op.b;
            group[s] = t;
        }
    }
    tl_free(best);
    return group;
}

struct rank {
    double b;
    size_t v;
    const char *name;
};

static int by_rank(const void *x, const void *y)
{
    const struct rank *a = x, *b = y;
    if (a->b != b->b) return a->b < b->b ? 1 : -1;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->v < b->v ? -1 : a->v > b->v);
}

tl_err tl_node_links(tl_node *n, const tl_links_opts *o, json_t **out)
{
    *out = NULL;
    struct lg g;
    tl_graph *ug = NULL, *dg = NULL;
    double *bc = NULL, *cons = NULL;
    size_t *comm = NULL, ncomm = 0, *group = NULL;
    tl_brokerage *brk = NULL;
    struct rank *rk = NULL;
    json_t *res = NULL;
    tl_err rc = lg_build(n, o, &g);
    if (rc) goto out;
    rc = TL_ENOMEM;
    size_t nv = g.nv;
    bc = tl_calloc(nv + 1, sizeof *bc);
    cons = tl_calloc(nv + 1, sizeof *cons);
    comm = tl_calloc(nv + 1, sizeof *comm);
    brk = tl_calloc(nv + 1, sizeof *brk);
    rk = tl_calloc(nv + 1, sizeof *rk);
    if (!bc || !cons || !comm || !brk || !rk) goto out;
    if ((rc = undirected(&g, &ug))) goto out;
    size_t samples = o->samples;
    double visits = 2.0 * (double)nv * (double)tl_graph_edges(ug);
    if (!samples && visits > VISIT_BUDGET) {
        samples = (size_t)(VISIT_BUDGET / (2.0 * (double)tl_graph_edges(ug)));
        if (samples < MIN_SAMPLES) samples = MIN_SAMPLES;
    }
    if (samples >= nv) samples = 0;
    double q = 0;
    if ((rc = tl_graph_betweenness(ug, samples, 0, bc)) || (rc = tl_graph_constraint(ug, cons)) ||
        (rc = tl_graph_communities(ug, comm, &ncomm, &q)))
        goto out;
    /* brokerage reads the directions claims give (subject to object), groups by community or
     * by membership */
    if (o->by_membership && !(group = membership(&g))) {
        rc = TL_ENOMEM;
        goto out;
    }
    if ((rc = tl_graph_new(nv, 1, &dg))) goto out;
    for (size_t i = 0; !rc && i < g.ndir; i++)
        rc = tl_graph_add(dg, g.dir[i][0], g.dir[i][1], 1.0);
    if (rc || (rc = tl_graph_finish(dg)) ||
        (rc = tl_graph_brokerage(dg, group ? group : comm, brk)))
        goto out;
    int partner_fed = 0;
    for (size_t i = 0; i < g.ne; i++)
        partner_fed |= g.e[i].partner;
    rc = TL_ENOMEM;
    const char *note = partner_fed
                           ? "computed on a network partly fed by partners, which is incomplete: "
                             "the centralities are estimates"
                           : "computed on our own reporting, which is incomplete: the centralities "
                             "are estimates";
    res = json_pack("{s:[], s:[], s:I, s:f, s:{s:b, s:b, s:I, s:s}}", "vertices", "edges",
                    "communities", (json_int_t)ncomm, "modularity", round(q * 1e6) / 1e6,
                    "estimate", "partner_fed", partner_fed, "sampled", samples != 0, "sources",
                    (json_int_t)(samples ? samples : nv), "note", note);
    if (!res) goto out;
    for (size_t v = 0; v < nv; v++)
        rk[v] = (struct rank){bc[v], v, g.p.k[g.key_of[v]].name};
    if (nv) qsort(rk, nv, sizeof *rk, by_rank);
    json_t *vs = json_object_get(res, "vertices"), *es = json_object_get(res, "edges");
    for (size_t r = 0; r < nv; r++) {
        size_t v = rk[r].v;
        json_t *j = vertex_json(&g, v);
        if (!j || json_array_append_new(vs, j)) goto out;
        json_object_set_new(j, "community", json_integer((json_int_t)comm[v]));
        json_object_set_new(j, "betweenness", json_real(round(bc[v] * 1e4) / 1e4));
        json_object_set_new(j, "constraint",
                            isnan(cons[v]) ? json_null() : json_real(round(cons[v] * 1e4) / 1e4));
        if (group) {
            size_t gv = group[v];
            json_object_set_new(j, "group", gv < nv ? vertex_json(&g, gv) : json_null());
        }
        json_object_set_new(j, "brokerage",
                            json_pack("{s:f, s:f, s:f, s:f, s:f}", "coordinator",
                                      brk[v].coordinator, "itinerant", brk[v].itinerant,
                                      "gatekeeper", brk[v].gatekeeper, "representative",
                                      brk[v].representative, "liaison", brk[v].liaison));
    }
    for (size_t i = 0; i < g.ne; i++)
        if (json_array_append_new(es, edge_json(&g, &g.e[i], g.e[i].a, g.e[i].b))) goto out;
    *out = res;
    res = NULL;
    rc = TL_OK;
out:
    if (rc == TL_ENOMEM && !tl_node_errmsg(n)[0]) tl__node_err(n, "out of memory");
    json_decref(res);
    tl_graph_free(ug);
    tl_graph_free(dg);
    tl_free(bc);
    tl_free(cons);
    tl_free(comm);
    tl_free(group);
    tl_free(brk);
    tl_free(rk);
    lg_free(&g);
    return rc;
}

/* The vertex of an entity (by id of any member, or name) or a place (by id or name), or -1. */
static size_t find_vertex(struct lg *g, const char *what)
{
    const char *rep = json_string_value(json_object_get(g->p.place_of, what));
    if (!rep) rep = tl__picture_entity(&g->p, what);
    json_t *k = rep ? json_object_get(g->p.keyidx, rep) : NULL;
    if (k) return g->vertex_of[json_integer_value(k)];
    for (size_t v = 0; v < g->nv; v++) {
        const struct key *x = &g->p.k[g->key_of[v]];
        if (x->kind == K_PLACE && !strcasecmp(x->name, what)) return v;
    }
    return (size_t)-1;
}

tl_err tl_node_links_path(tl_node *n, const tl_links_opts *o, const char *a, const char *b,
                          json_t **out)
{
    *out = NULL;
    struct lg g;
    tl_graph *ug = NULL;
    size_t *path = NULL, len = 0;
    tl_err rc = lg_build(n, o, &g);
    if (rc) goto out;
    const char *ends[2] = {a, b};
    size_t v[2];
    for (int i = 0; i < 2; i++) {
        size_t vi = find_vertex(&g, ends[i]);
        if (vi == (size_t)-1) {
            tl__node_err(n, "'%s' is not a person, group or place the claims held tie to others",
                         ends[i]);
            rc = TL_ENOTFOUND;
            goto out;
        }
        v[i] = vi;
    }
    if ((rc = undirected(&g, &ug))) goto out;
    rc = TL_ENOMEM;
    if (!(path = tl_calloc(g.nv + 1, sizeof *path))) goto out;
    if ((rc = tl_graph_path(ug, v[0], v[1], path, &len)) == TL_ENOTFOUND) {
        tl__node_err(n, "no chain of claims joins '%s' and '%s'", a, b);
        goto out;
    }
    if (rc) goto out;
    rc = TL_ENOMEM;
    json_t *res = json_pack("{s:o, s:o, s:[]}", "from", vertex_json(&g, v[0]), "to",
                            vertex_json(&g, v[1]), "steps");
    if (!res) goto out;
    for (size_t i = 0; i + 1 < len; i++) {
        size_t x = path[i], y = path[i + 1];
        char key[64];
        snprintf(key, sizeof key, "%zu|%zu", x < y ? x : y, x < y ? y : x);
        const struct ledge *e = &g.e[json_integer_value(json_object_get(g.edge_at, key))];
        if (json_array_append_new(json_object_get(res, "steps"), edge_json(&g, e, x, y))) {
            json_decref(res);
            goto out;
        }
    }
    *out = res;
    rc = TL_OK;
out:
    if (rc == TL_ENOMEM && !tl_node_errmsg(n)[0]) tl__node_err(n, "out of memory");
    tl_graph_free(ug);
    tl_free(path);
    lg_free(&g);
    return rc;
}
