/*
 * graph_tools.c: the link-analysis benchmark's driver (bench/graph).
 *
 *   graph_tools brokers N M SAMPLES
 *       builds a reproducible graph of N vertices and about M undirected edges
 *       shaped like a covert network (preferential attachment inside
 *       communities of about 50, a tenth of the ties across them), then
 *       times betweenness (SAMPLES sources, 0: exact), constraint and
 *       communities. Prints: vertices edges seconds_betweenness
 *       edge_visits seconds_constraint seconds_communities communities
 *       modularity. A plain loop reading the same adjacency SAMPLES times
 *       runs beside it (seconds_loop) as the memory-bandwidth baseline.
 */
#include "tearline/graph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    if (argc != 5 || strcmp(argv[1], "brokers") != 0) {
        fprintf(stderr, "usage: graph_tools brokers N M SAMPLES\n");
        return 2;
    }
    size_t n = strtoull(argv[2], NULL, 10), m = strtoull(argv[3], NULL, 10);
    size_t samples = strtoull(argv[4], NULL, 10);
    if (n < 100 || m < n) return 2;
    tl_graph *g = NULL;
    if (tl_graph_new(n, 0, &g)) return 1;
    /* ends chosen with preference for vertices already tied (a list of ends) */
    size_t raw = m + m / 4; /* some ends repeat: ties merge */
    uint32_t *ends = malloc(2 * raw * sizeof *ends);
    size_t nends = 0, block = 50;
    for (size_t k = 0; k < raw; k++) {
        size_t u = k < n ? k : next() % n;
        size_t base = u / block * block, v;
        if (next() % 10 == 0) {
            v = nends ? ends[next() % nends] : next() % n; /* across: anyone, by degree */
        } else {
            size_t span = base + block <= n ? block : n - base;
            v = base + next() % span;
            if (next() % 2 && nends) { /* by degree, inside the community */
                uint32_t c = ends[next() % nends];
                if (c / block == u / block) v = c;
            }
        }
        if (u == v) v = (v + 1) % n;
        if (tl_graph_add(g, u, v, 1.0)) return 1;
        ends[nends++] = (uint32_t)u;
        ends[nends++] = (uint32_t)v;
    }
    free(ends);
    if (tl_graph_finish(g)) return 1;
    double *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    size_t *comm = malloc(n * sizeof *comm), nc;
    double q;
    double t0 = now();
    if (tl_graph_betweenness(g, samples, 0, b)) return 1;
    double t_b = now() - t0;
    /* the baseline: every adjacency entry read once per source, no search */
    size_t sources = samples && samples < n ? samples : n;
    volatile uint64_t sink = 0;
    t0 = now();
    for (size_t s = 0; s < sources; s++) {
        uint64_t acc = 0;
        for (size_t v = 0; v < n; v++) {
            const unsigned *adj;
            size_t deg;
            tl_graph_neighbours(g, v, &adj, &deg);
            for (size_t e = 0; e < deg; e++)
                acc += adj[e];
        }
        sink += acc;
    }
    double t_loop = now() - t0;
    t0 = now();
    if (tl_graph_constraint(g, c)) return 1;
    double t_c = now() - t0;
    t0 = now();
    if (tl_graph_communities(g, comm, &nc, &q)) return 1;
    double t_q = now() - t0;
    printf("%zu %zu %.3f %.0f %.3f %.3f %zu %.6f %.3f\n", n, tl_graph_edges(g), t_b,
           (double)sources * 2.0 * (double)tl_graph_edges(g), t_c, t_q, nc, q, t_loop);
    (void)sink;
    free(b);
    free(c);
    free(comm);
    tl_graph_free(g);
    return 0;
}
