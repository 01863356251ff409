/*
 * resolve.h: entity resolution over the holdings (docs/names.md).
 *
 * The persons and groups a node holds (threat-actor, identity,
 * intrusion-set and campaign objects, ours and partners') are grouped into
 * clusters of the same real-world entity by their names and aliases
 * (names.h), with the evidence for each link. An analyst's verdict that two
 * objects are the same entity, or not, is stored and respected by every
 * later run.
 */
#ifndef TEARLINE_RESOLVE_H
#define TEARLINE_RESOLVE_H

#include "tearline/json.h"
#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Resolves the latest holdings at threshold (0 for TL_NAMES_THRESHOLD)
 * into *out (OUT, free with json_decref):
 *   {"threshold": T, "entities": N,
 *    "clusters": [{"members": [{"id", "type", "origin", "name", "aliases"}],
 *                  "links": [{"a", "b", "score", "names": [A, B], "why"}
 *                           | {"a", "b", "verdict": "same", "why"}]}],
 *    "kept_apart": [{"a", "b", "score", "why"}]}
 * Only clusters of two or more objects are listed. A link is made in order
 * of score (analysts' "same" verdicts first) unless it would put two
 * objects an analyst called different into one cluster; such links are
 * listed under kept_apart.
 */
TL_API tl_err tl_node_resolve(tl_node *n, double threshold, json_t **out);

/*
 * Records an analyst's verdict on objects a and b (both held): same != 0
 * for the same entity, 0 for different ones. Replaces an earlier verdict on
 * the pair; audited. TL_ENOTFOUND for an id not held, TL_EINVAL for a == b.
 */
TL_API tl_err tl_node_resolve_verdict(tl_node *n, const char *a, const char *b, int same);

#ifdef __cplusplus
}
#endif

#endif
