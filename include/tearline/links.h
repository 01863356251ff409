/*
 * links.h: the graph of resolved persons, groups and places (docs/graph.md).
 *
 * Vertices are the entities and places the claims held speak of (resolved
 * now, as tearline assess sees them); an edge joins two when a claim ties
 * them (a relationship, a sighting, naming in one report), carrying the
 * predicates, the best fused opinion, the number of independent sources and
 * the reports behind it. Edges resting on echoes alone are left out unless
 * asked for; so are edges under a minimum belief. Centralities on a graph
 * partly fed by partners are estimates on an incomplete network, and say so.
 */
#ifndef TEARLINE_LINKS_H
#define TEARLINE_LINKS_H

#include "tearline/json.h"
#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_links_opts {
    double min_belief; /* edges whose best fused belief is lower are left out (0: none) */
    int with_echoes;   /* keep edges that rest on echoes of our own reporting alone */
    size_t samples;    /* betweenness sources; 0: exact up to a budget, then estimated */
    int by_membership; /* brokerage groups: 0 the communities; 1 the group a person is a member
                          of (member-of, affiliated-with, part-of, leads; the best supported),
                          a group itself, anything else alone */
} tl_links_opts;

/*
 * The graph with its measures into *out (OUT, json_decref):
 *   {"vertices": [{"id", "name", "kind": "person"|"group"|"place", "community",
 *                  "betweenness", "constraint", "brokerage": {...}, "group"}] (most
 *                  between first),
 *    "edges": [{"a", "b", "predicates", "opinion", "independent_sources",
 *               "own", "partner", "echo_only", "reports", "echoes"}],
 *    "communities": N, "modularity": Q,
 *    "estimate": {"partner_fed", "sampled", "sources", "note"}}
 */
TL_API tl_err tl_node_links(tl_node *n, const tl_links_opts *o, json_t **out);

/*
 * A shortest evidence path between entities a and b (ids of any member, or
 * names): {"from", "to", "steps": [{"from", "to", "predicates", "opinion",
 * "independent_sources", "reports", "echoes"}]}. TL_ENOTFOUND if either is unknown or
 * no path joins them.
 */
TL_API tl_err tl_node_links_path(tl_node *n, const tl_links_opts *o, const char *a, const char *b,
                                 json_t **out);

#ifdef __cplusplus
}
#endif

#endif
