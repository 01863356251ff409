/*
 * fusion.h: claims with explicit uncertainty, independent corroboration,
 * circular reporting, contradictions and partner calibration
 * (docs/fusion.md).
 *
 * tl_node_fuse() takes claims (subject, predicate, object, valid time) from
 * the holdings added since it last ran: relationships, sightings, and the
 * status and characterization of persons and groups. Each claim keeps the
 * root source it rests on and its Admiralty ratings; a partner's claim that
 * refers to what we released to it, or repeats its text, is marked an echo
 * of ours. The other calls read the claims against the entities resolved
 * now (resolve.h), so an analyst's later verdict applies at once.
 *
 * Every claim is a Subjective Logic opinion (opinion.h) from its Admiralty
 * ratings; a partner's is discounted by the trust its record has earned.
 * Claims resting on one root source are averaged, independent roots are
 * fused cumulatively, and an echo adds nothing: it is listed, never fused.
 */
#ifndef TEARLINE_FUSION_H
#define TEARLINE_FUSION_H

#include "tearline/json.h"
#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How close two claims' valid times must come to count as one time window. */
#define TL_FUSION_WINDOW_US (24LL * 3600 * 1000000)
/* Forgetting factor of the partners' Beta reputations. */
#define TL_FUSION_FORGET 0.9
/* Word 3-gram Jaccard similarity from which a partner's text repeats ours. */
#define TL_FUSION_ECHO_TEXT 0.8

typedef struct tl_fuse_stats {
    uint64_t holdings; /* holdings read (added since the last run) */
    uint64_t claims;   /* claims taken from them */
    uint64_t echoes;   /* of which echoes of our own releases */
    uint64_t total;    /* claims held after the run */
} tl_fuse_stats;

/*
 * Takes the claims of every holding added since the last run (rebuild: of
 * every holding), replacing those of earlier versions; one transaction.
 * *stats (OUT, may be NULL).
 */
TL_API tl_err tl_node_fuse(tl_node *n, int rebuild, tl_fuse_stats *stats);

/*
 * What the node's claims say about one entity, given by the id of any
 * object resolved into it or by a name (the best match at the names
 * threshold). *out (OUT, json_decref):
 *   {"entity": {"id", "name", "members": [{"id", "type", "origin", "name"}]},
 *    "claims": [{"subject", "predicate", "object", "opinion": {b, d, u, a, p},
 *                "independent_sources": N, "corroborated": bool,
 *                "sources": [...], "echoes": [...]}],
 *    "contradictions": [...], "framing": [...]}
 * TL_ENOTFOUND if nothing matches.
 */
TL_API tl_err tl_node_assess(tl_node *n, const char *entity, json_t **out);

/* Every contradiction: {"contradictions": [{"kind", "subject", "sides": [2]}]}. */
TL_API tl_err tl_node_contradictions(tl_node *n, json_t **out);

/*
 * Every partner's record: {"partners": [{"partner", "claims", "echoes",
 * "confirmed", "refuted", "r", "s", "expected", "trust": {b, d, u, a, p},
 * "topics": [...]}], "framing": [...]}.
 */
TL_API tl_err tl_node_partners(tl_node *n, json_t **out);

#ifdef __cplusplus
}
#endif

#endif
