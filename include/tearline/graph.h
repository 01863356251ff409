/*
 * graph.h: link analysis over a graph of vertices 0..n-1 (docs/graph.md).
 *
 * Written in-house (the C library that does this is GPL; tearline is
 * Apache-2.0). Edges are added, then the graph is finished once: parallel
 * edges merge (their weights summed), self-loops are dropped. Every
 * measure reads the finished graph and may run on several threads.
 *
 * Betweenness follows Brandes (2001), unweighted; on an undirected graph
 * each pair of endpoints counts once. Burt's constraint and the communities
 * read the undirected view (a tie in either direction, weights summed);
 * Gould-Fernandez brokerage and directed betweenness read the directions.
 */
#ifndef TEARLINE_GRAPH_H
#define TEARLINE_GRAPH_H

#include "tearline/tearline.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_graph tl_graph;

/* A graph of n vertices (n < 2^31), directed or not; *out (OUT) freed with tl_graph_free. */
TL_API tl_err tl_graph_new(size_t n, int directed, tl_graph **out);
TL_API void tl_graph_free(tl_graph *g);

/* Adds the edge u -> v (u - v if undirected) of weight w > 0; before tl_graph_finish. */
TL_API tl_err tl_graph_add(tl_graph *g, size_t u, size_t v, double w);

/* Builds the adjacency; TL_EINVAL if called twice. */
TL_API tl_err tl_graph_finish(tl_graph *g);

TL_API size_t tl_graph_vertices(const tl_graph *g);
/* Distinct edges after merging (an undirected edge counts once). */
TL_API size_t tl_graph_edges(const tl_graph *g);

/*
 * Betweenness of every vertex into out[0..n). samples == 0 or >= n: exact
 * (a breadth-first search from every vertex); otherwise an estimate from
 * that many sources spread evenly over the vertices, scaled by n / samples
 * (Brandes and Pich 2007). threads 0: $TEARLINE_THREADS, else one per core.
 */
TL_API tl_err tl_graph_betweenness(const tl_graph *g, size_t samples, unsigned threads,
                                   double *out);

/*
 * Burt's constraint c_i = sum over neighbours j of (p_ij + sum over q of
 * p_iq p_qj)^2, p_ij the share of i's tie weight that goes to j, into
 * out[0..n); an isolated vertex gets NAN.
 */
TL_API tl_err tl_graph_constraint(const tl_graph *g, double *out);

/*
 * Communities by modularity (the Louvain method, Blondel et al. 2008) on the
 * undirected view, deterministic: community[v] (OUT) numbered from 0 in the
 * order of their first vertex, *ncommunities and *modularity (OUT) of the
 * partition of the original graph.
 */
TL_API tl_err tl_graph_communities(const tl_graph *g, size_t *community, size_t *ncommunities,
                                   double *modularity);

/* Gould-Fernandez brokerage roles of one vertex. */
typedef struct tl_brokerage {
    double coordinator, itinerant, gatekeeper, representative, liaison;
} tl_brokerage;

/*
 * Counts, for every vertex v, the open two-paths a -> v -> b (a != b, no
 * edge a -> b) by the groups of a, v and b (group[0..n)): coordinator (all
 * one group), itinerant (a and b one group, v another), gatekeeper (v and b
 * one, a another), representative (a and v one, b another), liaison (all
 * different). An undirected graph counts each tie both ways.
 */
TL_API tl_err tl_graph_brokerage(const tl_graph *g, const size_t *group, tl_brokerage *out);

/*
 * A shortest path from -> to on the undirected view (fewest edges; of equal
 * ones, the one through lower-numbered vertices): path (OUT, at least n
 * entries) from `from` to `to`, *len (OUT) vertices. TL_ENOTFOUND if none.
 */
TL_API tl_err tl_graph_path(const tl_graph *g, size_t from, size_t to, size_t *path, size_t *len);

/*
 * A drawing's layout (Fruchterman and Reingold 1991) of the undirected
 * view: x and y (OUT, n each) in [0, 1], deterministic (vertices start on a
 * circle in order). iterations 0: 300.
 */
TL_API tl_err tl_graph_layout(const tl_graph *g, unsigned iterations, double *x, double *y);

/* Neighbours of v in the undirected view: *deg (OUT) of them at *adj (OUT, owned by g). */
TL_API void tl_graph_neighbours(const tl_graph *g, size_t v, const unsigned **adj, size_t *deg);

#ifdef __cplusplus
}
#endif

#endif
