/*
 * graph.c: link analysis (graph.h, docs/graph.md): betweenness (Brandes),
 * Burt's constraint, Louvain communities, Gould-Fernandez brokerage,
 * shortest paths. Adjacency is kept as compressed rows sorted by
 * neighbour: out (the directions), in (reversed) and sym (the undirected
 * view, weights of both directions summed).
 */
#include "tearline/graph.h"

#include "par.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VERTICES 0x7fffffffu
#define MAX_THREADS 64

struct triple {
    unsigned u, v;
    double w;
};

struct csr {
    size_t *off; /* n + 1 */
    unsigned *adj;
    double *w;
};

struct tl_graph {
    size_t n, nedges;
    int directed, finished;
    struct triple *e;
    size_t ne, cape;
    struct csr out, in, sym; /* undirected: out and in are sym */
};

tl_err tl_graph_new(size_t n, int directed, tl_graph **out)
{
    *out = NULL;
    if (n > MAX_VERTICES) return TL_EINVAL;
    tl_graph *g = tl_calloc(1, sizeof *g);
    if (!g) return TL_ENOMEM;
    g->n = n;
    g->directed = directed != 0;
    *out = g;
    return TL_OK;
}

static void csr_free(struct csr *c)
{
    tl_free(c->off);
    tl_free(c->adj);
    tl_free(c->w);
}

void tl_graph_free(tl_graph *g)
{
    if (!g) return;
    tl_free(g->e);
    csr_free(&g->sym);
    if (g->directed) {
        csr_free(&g->out);
        csr_free(&g->in);
    }
    tl_free(g);
}

tl_err tl_graph_add(tl_graph *g, size_t u, size_t v, double w)
{
    if (g->finished || u >= g->n || v >= g->n || !(w > 0) || !isfinite(w)) return TL_EINVAL;
    if (g->ne == g->cape) {
        size_t nc = g->cape ? g->cape * 2 : 256;
        struct triple *e = tl_realloc(g->e, nc * sizeof *e);
        if (!e) return TL_ENOMEM;
        g->e = e;
        g->cape = nc;
    }
    g->e[g->ne++] = (struct triple){(unsigned)u, (unsigned)v, w};
    return TL_OK;
}

static int by_uv(const void *x, const void *y)
{
    const struct triple *a = x, *b = y;
    if (a->u != b->u) return a->u < b->u ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;
}

/* Sorts t, merges equal (u, v) (weights summed) and drops loops; the count left. */
static size_t merge(struct triple *t, size_t n)
{
    if (n) qsort(t, n, sizeof *t, by_uv);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].u == t[i].v) continue;
        if (m && t[m - 1].u == t[i].u && t[m - 1].v == t[i].v)
            t[m - 1].w += t[i].w;
        else
            t[m++] = t[i];
    }
    return m;
}

static tl_err csr_build(size_t n, const struct triple *t, size_t m, struct csr *c)
{
    c->off = tl_calloc(n + 1, sizeof *c->off);
    c->adj = tl_malloc((m + 1) * sizeof *c->adj);
    c->w = tl_malloc((m + 1) * sizeof *c->w);
    if (!c->off || !c->adj || !c->w) return TL_ENOMEM;
    for (size_t i = 0; i < m; i++)
        c->off[t[i].u + 1]++;
    for (size_t v = 0; v < n; v++)
        c->off[v + 1] += c->off[v];
    for (size_t i = 0; i < m; i++) { /* t is sorted by u, then v */
        c->adj[i] = t[i].v;
        c->w[i] = t[i].w;
    }
    return TL_OK;
}

tl_err tl_graph_finish(tl_graph *g)
{
    if (g->finished) return TL_EINVAL;
    size_t m = merge(g->e, g->ne);
    /* the undirected view: each edge both ways */
    struct triple *s = tl_malloc((2 * m + 1) * sizeof *s);
    if (!s) return TL_ENOMEM;
    for (size_t i = 0; i < m; i++) {
        s[2 * i] = g->e[i];
        s[2 * i + 1] = (struct triple){g->e[i].v, g->e[i].u, g->e[i].w};
    }
    size_t ms = merge(s, 2 * m);
    tl_err rc = csr_build(g->n, s, ms, &g->sym);
    if (!rc && g->directed) {
        rc = csr_build(g->n, g->e, m, &g->out);
        for (size_t i = 0; !rc && i < m; i++)
            s[i] = (struct triple){g->e[i].v, g->e[i].u, g->e[i].w};
        if (!rc) rc = csr_build(g->n, s, merge(s, m), &g->in);
    }
    tl_free(s);
    if (rc) return rc;
    if (!g->directed) g->out = g->in = g->sym;
    g->nedges = g->directed ? m : ms / 2;
    tl_free(g->e);
    g->e = NULL;
    g->ne = g->cape = 0;
    g->finished = 1;
    return TL_OK;
}

size_t tl_graph_vertices(const tl_graph *g)
{
    return g->n;
}

size_t tl_graph_edges(const tl_graph *g)
{
    return g->nedges;
}

void tl_graph_neighbours(const tl_graph *g, size_t v, const unsigned **adj, size_t *deg)
{
    *adj = g->sym.adj + g->sym.off[v];
    *deg = g->sym.off[v + 1] - g->sym.off[v];
}

/* ---- betweenness ---- */

struct bw {
    const tl_graph *g;
    size_t nsources, samples;
    atomic_size_t next;
    pthread_mutex_t mu;
    double *out;
    int oom;
};

static size_t source_of(const struct bw *b, size_t k)
{
    return b->samples ? (size_t)((unsigned long long)k * b->g->n / b->samples) : k;
}

static void *bw_worker(void *arg)
{
    struct bw *b = arg;
    const tl_graph *g = b->g;
    size_t n = g->n;
    double *sigma = tl_malloc((n + 1) * sizeof *sigma), *delta = tl_calloc(n + 1, sizeof *delta);
    double *bc = tl_calloc(n + 1, sizeof *bc);
    long *dist = tl_malloc((n + 1) * sizeof *dist);
    unsigned *order = tl_malloc((n + 1) * sizeof *order);
    if (!sigma || !delta || !bc || !dist || !order) {
        pthread_mutex_lock(&b->mu);
        b->oom = 1;
        pthread_mutex_unlock(&b->mu);
        goto out;
    }
    for (size_t v = 0; v < n; v++)
        dist[v] = -1;
    for (;;) {
        size_t k = atomic_fetch_add(&b->next, 1);
        if (k >= b->nsources) break;
        unsigned s = (unsigned)source_of(b, k);
        size_t head = 0, tail = 0;
        order[tail++] = s;
        dist[s] = 0;
        sigma[s] = 1;
        while (head < tail) {
            unsigned v = order[head++];
            for (size_t e = g->out.off[v]; e < g->out.off[v + 1]; e++) {
                unsigned w = g->out.adj[e];
                if (dist[w] < 0) {
                    dist[w] = dist[v] + 1;
                    sigma[w] = 0;
                    order[tail++] = w;
                }
                if (dist[w] == dist[v] + 1) sigma[w] += sigma[v];
            }
        }
        /* dependencies, farthest first; predecessors are the in-neighbours one step nearer */
        for (size_t i = tail; i-- > 0;) {
            unsigned w = order[i];
            double coeff = (1 + delta[w]) / sigma[w];
            for (size_t e = g->in.off[w]; e < g->in.off[w + 1]; e++) {
                unsigned v = g->in.adj[e];
                if (dist[v] == dist[w] - 1) delta[v] += sigma[v] * coeff;
            }
            if (w != s) bc[w] += delta[w];
        }
        for (size_t i = 0; i < tail; i++) {
            dist[order[i]] = -1;
            delta[order[i]] = 0;
        }
    }
    pthread_mutex_lock(&b->mu);
    for (size_t v = 0; v < n; v++)
        b->out[v] += bc[v];
    pthread_mutex_unlock(&b->mu);
out:
    tl_free(sigma);
    tl_free(delta);
    tl_free(bc);
    tl_free(dist);
    tl_free(order);
    return NULL;
}

tl_err tl_graph_betweenness(const tl_graph *g, size_t samples, unsigned threads, double *out)
{
    if (!g->finished) return TL_EINVAL;
    size_t n = g->n;
    for (size_t v = 0; v < n; v++)
        out[v] = 0;
    if (samples >= n) samples = 0;
    struct bw b;
    memset(&b, 0, sizeof b);
    b.g = g;
    b.samples = samples;
    b.nsources = samples ? samples : n;
    b.out = out;
    atomic_init(&b.next, 0);
    pthread_mutex_init(&b.mu, NULL);
    if (!threads) threads = tl__par_threads();
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads > b.nsources) threads = b.nsources ? (unsigned)b.nsources : 1;
    pthread_t t[MAX_THREADS];
    unsigned started = 0;
    for (unsigned i = 1; i < threads; i++)
        if (!pthread_create(&t[started], NULL, bw_worker, &b)) started++;
    bw_worker(&b);
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&b.mu);
    if (b.oom) return TL_ENOMEM;
    double scale = (samples ? (double)n / (double)samples : 1.0) / (g->directed ? 1.0 : 2.0);
    for (size_t v = 0; v < n; v++)
        out[v] *= scale;
    return TL_OK;
}

/* ---- Burt's constraint ---- */

tl_err tl_graph_constraint(const tl_graph *g, double *out)
{
    if (!g->finished) return TL_EINVAL;
    const struct csr *c = &g->sym;
    size_t n = g->n;
    double *total = tl_calloc(n + 1, sizeof *total), *pi = tl_calloc(n + 1, sizeof *pi);
    if (!total || !pi) {
        tl_free(total);
        tl_free(pi);
        return TL_ENOMEM;
    }
    for (size_t v = 0; v < n; v++)
        for (size_t e = c->off[v]; e < c->off[v + 1]; e++)
            total[v] += c->w[e];
    for (size_t i = 0; i < n; i++) {
        if (c->off[i] == c->off[i + 1]) {
            out[i] = NAN;
            continue;
        }
        for (size_t e = c->off[i]; e < c->off[i + 1]; e++)
            pi[c->adj[e]] = c->w[e] / total[i];
        double sum = 0;
        for (size_t e = c->off[i]; e < c->off[i + 1]; e++) {
            unsigned j = c->adj[e];
            double indirect = 0;
            /* q reaches j: p_iq (zero unless q is i's neighbour) times p_qj */
            for (size_t f = c->off[j]; f < c->off[j + 1]; f++) {
                unsigned q = c->adj[f];
                if (q != i) indirect += pi[q] * c->w[f] / total[q];
            }
            double x = pi[j] + indirect;
            sum += x * x;
        }
        out[i] = sum;
        for (size_t e = c->off[i]; e < c->off[i + 1]; e++)
            pi[c->adj[e]] = 0;
    }
    tl_free(total);
    tl_free(pi);
    return TL_OK;
}

/* ---- communities (Louvain) ---- */

struct level {
    size_t n;
    size_t *off;
    unsigned *adj;
    double *w;
    double *loop; /* weight inside each vertex (an aggregated community) */
};

static void level_free(struct level *l)
{
    tl_free(l->off);
    tl_free(l->adj);
    tl_free(l->w);
    tl_free(l->loop);
}

/* One round of local moves; comm (OUT) for each vertex of l. 1 if anything moved, -1 OOM. */
static int local_moves(const struct level *l, double m2, size_t *comm)
{
    size_t n = l->n;
    double *k = tl_calloc(n + 1, sizeof *k), *tot = tl_calloc(n + 1, sizeof *tot);
    double *wc = tl_calloc(n + 1, sizeof *wc);
    size_t *seen = tl_malloc((n + 1) * sizeof *seen);
    if (!k || !tot || !wc || !seen) {
        tl_free(k);
        tl_free(tot);
        tl_free(wc);
        tl_free(seen);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        k[i] = 2 * l->loop[i];
        for (size_t e = l->off[i]; e < l->off[i + 1]; e++)
            k[i] += l->w[e];
        comm[i] = i;
        tot[i] = k[i];
    }
    int any = 0, moved = 1;
    for (int pass = 0; moved && pass < 100; pass++) {
        moved = 0;
        for (size_t i = 0; i < n; i++) {
            size_t ci = comm[i], ns = 0;
            for (size_t e = l->off[i]; e < l->off[i + 1]; e++) {
                size_t c = comm[l->adj[e]];
                if (wc[c] == 0) seen[ns++] = c;
                wc[c] += l->w[e];
            }
            tot[ci] -= k[i];
            size_t best = ci;
            double gain = wc[ci] - tot[ci] * k[i] / m2;
            for (size_t s = 0; s < ns; s++) {
                size_t c = seen[s];
                double gc = wc[c] - tot[c] * k[i] / m2;
                if (gc > gain + 1e-12 || (fabs(gc - gain) <= 1e-12 && c < best && gc > 0)) {
                    gain = gc;
                    best = c;
                }
            }
            tot[best] += k[i];
            comm[i] = best;
            if (best != ci) moved = any = 1;
            for (size_t s = 0; s < ns; s++)
                wc[seen[s]] = 0;
            wc[ci] = 0;
        }
    }
    tl_free(k);
    tl_free(tot);
    tl_free(wc);
    tl_free(seen);
    return any;
}

/* Renumbers comm to 0..m-1 in order of first vertex; returns m. */
static size_t renumber(size_t *comm, size_t n, size_t *map)
{
    for (size_t i = 0; i < n; i++)
        map[i] = (size_t)-1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (map[comm[i]] == (size_t)-1) map[comm[i]] = m++;
        comm[i] = map[comm[i]];
    }
    return m;
}

/* The graph of l's communities (nc of them): weights between them summed, inside ones as loops. */
static tl_err aggregate(const struct level *l, const size_t *comm, size_t nc, struct level *out)
{
    memset(out, 0, sizeof *out);
    size_t ne = l->off[l->n];
    struct triple *t = tl_malloc((ne + 1) * sizeof *t);
    out->n = nc;
    out->loop = tl_calloc(nc + 1, sizeof *out->loop);
    if (!t || !out->loop) {
        tl_free(t);
        return TL_ENOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < l->n; i++) {
        out->loop[comm[i]] += l->loop[i];
        for (size_t e = l->off[i]; e < l->off[i + 1]; e++) {
            unsigned a = (unsigned)comm[i], b = (unsigned)comm[l->adj[e]];
            if (a == b)
                out->loop[a] += l->w[e] / 2; /* each inside edge is seen from both ends */
            else
                t[m++] = (struct triple){a, b, l->w[e]};
        }
    }
    m = merge(t, m);
    struct csr c;
    memset(&c, 0, sizeof c);
    tl_err rc = csr_build(nc, t, m, &c);
    tl_free(t);
    out->off = c.off;
    out->adj = c.adj;
    out->w = c.w;
    return rc;
}

tl_err tl_graph_communities(const tl_graph *g, size_t *community, size_t *ncommunities,
                            double *modularity)
{
    if (!g->finished) return TL_EINVAL;
    size_t n = g->n;
    *ncommunities = 0;
    *modularity = 0;
    double m2 = 0;
    for (size_t e = 0; e < g->sym.off[n]; e++)
        m2 += g->sym.w[e];
    for (size_t v = 0; v < n; v++)
        community[v] = v;
    size_t *map = tl_malloc((n + 1) * sizeof *map), *comm = tl_malloc((n + 1) * sizeof *comm);
    struct level cur = {n, g->sym.off, g->sym.adj, g->sym.w, tl_calloc(n + 1, sizeof(double))};
    int owned = 0;
    tl_err rc = map && comm && cur.loop ? TL_OK : TL_ENOMEM;
    while (!rc && m2 > 0) {
        int r = local_moves(&cur, m2, comm);
        if (r < 0) {
            rc = TL_ENOMEM;
            break;
        }
        if (!r) break;
        size_t nc = renumber(comm, cur.n, map);
        for (size_t v = 0; v < n; v++)
            community[v] = comm[community[v]];
        struct level next;
        rc = aggregate(&cur, comm, nc, &next);
        if (owned)
            level_free(&cur);
        else
            tl_free(cur.loop);
        cur = next;
        owned = 1;
        if (rc) break;
    }
    if (owned)
        level_free(&cur);
    else
        tl_free(cur.loop);
    if (!rc) {
        size_t nc = renumber(community, n, map);
        /* Q = sum over communities of inside/m - (total/2m)^2 */
        double *in = tl_calloc(nc + 1, sizeof *in), *tot = tl_calloc(nc + 1, sizeof *tot);
        if (!in || !tot) {
            rc = TL_ENOMEM;
        } else {
            for (size_t v = 0; v < n; v++)
                for (size_t e = g->sym.off[v]; e < g->sym.off[v + 1]; e++) {
                    tot[community[v]] += g->sym.w[e];
                    if (community[g->sym.adj[e]] == community[v]) in[community[v]] += g->sym.w[e];
                }
            double q = 0;
            for (size_t c = 0; c < nc && m2 > 0; c++)
                q += in[c] / m2 - (tot[c] / m2) * (tot[c] / m2);
            *modularity = q;
            *ncommunities = nc;
        }
        tl_free(in);
        tl_free(tot);
    }
    tl_free(map);
    tl_free(comm);
    return rc;
}

/* ---- brokerage ---- */

static int has_edge(const struct csr *c, unsigned a, unsigned b)
{
    size_t lo = c->off[a], hi = c->off[a + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->adj[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->off[a + 1] && c->adj[lo] == b;
}

tl_err tl_graph_brokerage(const tl_graph *g, const size_t *group, tl_brokerage *out)
{
    if (!g->finished) return TL_EINVAL;
    for (size_t v = 0; v < g->n; v++) {
        tl_brokerage r = {0, 0, 0, 0, 0};
        for (size_t e = g->in.off[v]; e < g->in.off[v + 1]; e++) {
            unsigned a = g->in.adj[e];
            for (size_t f = g->out.off[v]; f < g->out.off[v + 1]; f++) {
                unsigned b = g->out.adj[f];
                if (a == b || has_edge(&g->out, a, b)) continue;
                size_t ga = group[a], gv = group[v], gb = group[b];
                if (ga == gv && gv == gb)
                    r.coordinator++;
                else if (ga == gb)
                    r.itinerant++;
                else if (gv == gb)
                    r.gatekeeper++;
                else if (ga == gv)
                    r.representative++;
                else
                    r.liaison++;
            }
        }
        out[v] = r;
    }
    return TL_OK;
}

/* ---- paths ---- */

tl_err tl_graph_path(const tl_graph *g, size_t from, size_t to, size_t *path, size_t *len)
{
    *len = 0;
    if (!g->finished || from >= g->n || to >= g->n) return TL_EINVAL;
    size_t n = g->n;
    size_t *parent = tl_malloc((n + 1) * sizeof *parent),
           *queue = tl_malloc((n + 1) * sizeof *queue);
    if (!parent || !queue) {
        tl_free(parent);
        tl_free(queue);
        return TL_ENOMEM;
    }
    for (size_t v = 0; v < n; v++)
        parent[v] = (size_t)-1;
    size_t head = 0, tail = 0;
    queue[tail++] = from;
    parent[from] = from;
    while (head < tail && parent[to] == (size_t)-1) {
        size_t v = queue[head++];
        for (size_t e = g->sym.off[v]; e < g->sym.off[v + 1]; e++) {
            unsigned w = g->sym.adj[e];
            if (parent[w] != (size_t)-1) continue;
            parent[w] = v;
            queue[tail++] = w;
        }
    }
    tl_err rc = TL_ENOTFOUND;
    if (parent[to] != (size_t)-1) {
        size_t k = 0;
        for (size_t v = to; v != from; v = parent[v])
            queue[k++] = v;
        queue[k++] = from;
        for (size_t i = 0; i < k; i++)
            path[i] = queue[k - 1 - i];
        *len = k;
        rc = TL_OK;
    }
    tl_free(parent);
    tl_free(queue);
    return rc;
}

/* ---- layout ---- */

tl_err tl_graph_layout(const tl_graph *g, unsigned iterations, double *x, double *y)
{
    if (!g->finished) return TL_EINVAL;
    size_t n = g->n;
    if (!iterations) iterations = 300;
    double *dx = tl_calloc(n + 1, sizeof *dx), *dy = tl_calloc(n + 1, sizeof *dy);
    if (!dx || !dy) {
        tl_free(dx);
        tl_free(dy);
        return TL_ENOMEM;
    }
    const double pi = 3.14159265358979323846;
    for (size_t v = 0; v < n; v++) {
        x[v] = 0.5 + 0.4 * cos(2 * pi * (double)v / (double)(n ? n : 1));
        y[v] = 0.5 + 0.4 * sin(2 * pi * (double)v / (double)(n ? n : 1));
    }
    double k = n ? sqrt(1.0 / (double)n) : 1, t = 0.1;
    for (unsigned it = 0; it < iterations && n > 1; it++) {
        for (size_t v = 0; v < n; v++)
            dx[v] = dy[v] = 0;
        for (size_t u = 0; u < n; u++) /* every pair repels */
            for (size_t v = u + 1; v < n; v++) {
                double ex = x[u] - x[v], ey = y[u] - y[v], d2 = ex * ex + ey * ey;
                if (d2 < 1e-12) {
                    ex = 1e-3 * (double)((u + v) % 7 + 1);
                    ey = 1e-3;
                    d2 = ex * ex + ey * ey;
                }
                double f = k * k / d2;
                dx[u] += ex * f;
                dy[u] += ey * f;
                dx[v] -= ex * f;
                dy[v] -= ey * f;
            }
        for (size_t u = 0; u < n; u++) /* ties attract */
            for (size_t e = g->sym.off[u]; e < g->sym.off[u + 1]; e++) {
                size_t v = g->sym.adj[e];
                if (v <= u) continue;
                double ex = x[u] - x[v], ey = y[u] - y[v], d = sqrt(ex * ex + ey * ey);
                double f = d / k;
                dx[u] -= ex * f;
                dy[u] -= ey * f;
                dx[v] += ex * f;
                dy[v] += ey * f;
            }
        for (size_t v = 0; v < n; v++) {
            double d = sqrt(dx[v] * dx[v] + dy[v] * dy[v]);
            if (d > 0) {
                double step = d < t ? d : t;
                x[v] += dx[v] / d * step;
                y[v] += dy[v] / d * step;
            }
        }
        t *= 0.985;
    }
    /* fitted to [0, 1] */
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t v = 0; v < n; v++) {
        x0 = fmin(x0, x[v]);
        x1 = fmax(x1, x[v]);
        y0 = fmin(y0, y[v]);
        y1 = fmax(y1, y[v]);
    }
    for (size_t v = 0; v < n; v++) {
        x[v] = x1 > x0 ? (x[v] - x0) / (x1 - x0) : 0.5;
        y[v] = y1 > y0 ? (y[v] - y0) / (y1 - y0) : 0.5;
    }
    tl_free(dx);
    tl_free(dy);
    return TL_OK;
}
