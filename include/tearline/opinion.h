/*
 * opinion.h: Subjective Logic binomial opinions, the arithmetic of claims
 * with explicit uncertainty (Jøsang, Subjective Logic, 2016; multi-source
 * formulas as corrected by van der Heijden, Kopp and Kargl, arXiv 1805.01388;
 * docs/opinions.md).
 *
 * An opinion about a claim is (b, d, u, a): belief, disbelief and
 * uncertainty, b + d + u = 1, and the base rate a, the probability assumed
 * without evidence. Its projected probability is P = b + a u.
 *
 * Independent sources combine by cumulative fusion: evidence adds up and
 * uncertainty shrinks. Dependent ones (sharing a root source) combine by
 * averaging fusion, which gives an opinion back unchanged when it is fused
 * with itself: an echo adds nothing. A source's opinion is discounted by the
 * trust in it. All functions are pure and thread-safe.
 */
#ifndef TEARLINE_OPINION_H
#define TEARLINE_OPINION_H

#include "tearline/tearline.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_opinion {
    double b, d, u, a;
} tl_opinion;

/* Prior weight W of the evidence mapping (non-informative prior). */
#define TL_OPINION_PRIOR 2.0

/* Nonzero if o is an opinion: each part in [0, 1] and b + d + u = 1 (within 1e-9). */
TL_API int tl_opinion_valid(tl_opinion o);

/* P = b + a u. */
TL_API double tl_opinion_projected(tl_opinion o);

/*
 * The opinion of r positive and s negative observations (r, s >= 0) with
 * base rate a: b = r / (r + s + W), d = s / (r + s + W), u = W / (r + s + W).
 */
TL_API tl_opinion tl_opinion_from_evidence(double r, double s, double a);

/*
 * Cumulative fusion of n independent opinions (n >= 1; n == 0 gives the
 * vacuous opinion (0, 0, 1, 0.5)). Order does not matter. Dogmatic opinions
 * (u = 0) dominate: one alone is the result; several are averaged.
 */
TL_API tl_opinion tl_opinion_cumulative(const tl_opinion *ops, size_t n);

/*
 * Averaging fusion of n dependent opinions (same conventions). Fusing an
 * opinion with itself gives it back.
 */
TL_API tl_opinion tl_opinion_averaging(const tl_opinion *ops, size_t n);

/*
 * Trust discounting: x as held by a source, seen through the trust opinion
 * t in that source (P_t = b_t + a_t u_t): b = P_t b_x, d = P_t d_x,
 * u = 1 - b - d, a = a_x. A chain of sources discounts in turn.
 */
TL_API tl_opinion tl_opinion_discount(tl_opinion t, tl_opinion x);

/*
 * Beta reputation (Jøsang and Ismail 2002) of a partner on a topic: r
 * outcomes that confirmed it, s that refuted it, both decayed by a
 * forgetting factor.
 */
typedef struct tl_reputation {
    double r, s;
} tl_reputation;

/* One outcome (nonzero: confirmed), with forgetting factor lambda in [0, 1]: r <- lambda r + x, s
 * <- lambda s + (1 - x). */
TL_API void tl_reputation_update(tl_reputation *rep, int confirmed, double lambda);

/* E = (r + 1) / (r + s + 2). */
TL_API double tl_reputation_expected(tl_reputation rep);

/* The trust opinion of the record: the evidence mapping of (r, s) with base rate a. */
TL_API tl_opinion tl_reputation_opinion(tl_reputation rep, double a);

/*
 * The opinion of a report rated on the Admiralty scale (STANAG 2511):
 * source reliability 'A' (completely reliable) to 'E' (unreliable) or 'F'
 * (cannot be judged), information credibility 1 (confirmed) to 5
 * (improbable) or 6 (cannot be judged), base rate a. Each rating bounds
 * the certainty on its own (reliability A..F: u 0.1, 0.2, 0.35, 0.55,
 * 0.75, 0.9; credibility 1..6: u 0.1, 0.2, 0.4, 0.3, 0.2, 1) and the
 * larger uncertainty holds, so F and 6 always give high uncertainty;
 * credibility sets how the committed mass splits (belief share 0.9, 0.7,
 * 0.5, 0.3, 0.1, as STIX confidence 90 to 10). docs/opinions.md has the
 * table and the reasons. *out (OUT) is valid on TL_OK; TL_EINVAL for a
 * rating off the scale or a base rate outside [0, 1].
 */
TL_API tl_err tl_opinion_from_admiralty(char reliability, int credibility, double a,
                                        tl_opinion *out);

#ifdef __cplusplus
}
#endif

#endif
