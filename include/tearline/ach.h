/*
 * ach.h: Analysis of Competing Hypotheses (Heuer 1999, ch. 8; docs/ach.md).
 *
 * An assessment is one STIX object of tearline's own type TL_ACH_TYPE
 * (defined by the extension TL_ACH_EXT_ID, a new SDO), held like any
 * other: each change is a new version, and it can be released to a partner
 * through the release compiler (its evidence refs rewritten or dropped like
 * any ref). It holds hypotheses H1.., evidence items E1.. (a holding, ours
 * or a partner's, or an analyst's note, each with credibility and
 * relevance) and the cells: Heuer's rating (CC, C, N, I, II, NA) and,
 * optionally, a likelihood P(evidence | hypothesis).
 */
#ifndef TEARLINE_ACH_H
#define TEARLINE_ACH_H

#include "tearline/json.h"
#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_ACH_TYPE "x-tearline-ach"
#define TL_ACH_EXT_ID "extension-definition--2c7d9e4f-8a1b-4c3d-9e5f-6a7b8c9d0e1f"

#define TL_ACH_MAX_ITEMS 200 /* hypotheses, or evidence items, in one assessment */
#define TL_ACH_TEXT_MAX 4096 /* bytes of a hypothesis or a note */

/* The extension-definition object of TL_ACH_EXT_ID, as canonical JSON. */
TL_API const char *tl_ach_extension_definition(void);

/* A new assessment titled title, with labels (may be NULL); its id into id_out (OUT). */
TL_API tl_err tl_node_ach_new(tl_node *n, const char *title, const char *const *labels,
                              size_t nlabels, char id_out[80]);

/* Our most recently changed assessment (its id into id_out); TL_ENOTFOUND if none. */
TL_API tl_err tl_node_ach_latest(tl_node *n, char id_out[80]);

/* Adds a hypothesis; its id ("H1", ...) into hid (OUT). */
TL_API tl_err tl_node_ach_hypothesis(tl_node *n, const char *ach, const char *text, char hid[16]);

/*
 * Adds an evidence item: the holding object_id (held by this node) or an
 * analyst's note; credibility and relevance "high", "medium" or "low"
 * (NULL: medium). Its id ("E1", ...) into eid (OUT).
 */
TL_API tl_err tl_node_ach_evidence(tl_node *n, const char *ach, const char *object_id,
                                   const char *note, const char *credibility, const char *relevance,
                                   char eid[16]);

/*
 * Rates evidence e against hypothesis h: rating one of CC, C, N, I, II, NA;
 * likelihood P(e | h) in [0, 1], or a negative number for none. Replaces an
 * earlier rating of the cell.
 */
TL_API tl_err tl_node_ach_rate(tl_node *n, const char *ach, const char *h, const char *e,
                               const char *rating, double likelihood);

/*
 * The matrix and its scores (*out, OUT, json_decref): hypotheses with
 * weighted inconsistency and log-likelihood (and their ranks), evidence
 * with weight, trust, echo and diagnosticity, the cells, and the evidence
 * items whose removal would change either ranking (sensitivity).
 */
TL_API tl_err tl_node_ach_show(tl_node *n, const char *ach, json_t **out);

/* Every assessment: [{"id", "title", "modified", "hypotheses", "evidence"}]. */
TL_API tl_err tl_node_ach_list(tl_node *n, json_t **out);

#ifdef __cplusplus
}
#endif

#endif
