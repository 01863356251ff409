/* names_int.h: what the tests check inside names.c. */
#ifndef TL_NAMES_INT_H
#define TL_NAMES_INT_H

#include <stdint.h>

#include "tearline/names.h"

/*
 * Compares the bit-parallel Jaro-Winkler with the plain loop over `rounds`
 * random pairs of class strings (from seed): lengths 0 to 24, alphabets
 * from 2 to 60 codes, so that repeats, windows and transpositions all
 * occur. Returns the number of pairs on which they differ.
 */
int tl__names_jw_mismatches(uint64_t seed, int rounds);

/*
 * Compares align()'s one-test match of an Arabic code and a Latin code
 * (accept_bits against what the Latin code offers) with pair_gain over
 * every pair of codes the two scripts use; returns how many differ.
 */
int tl__names_gain_mismatches(void);

/*
 * The token pairs of a and b that token_sim's quick bound rejects although
 * they reach MIN_TOKEN, plus 1 if a and b are romanized and the bound that
 * spares linking their scoring is below their score: 0, if both are bounds.
 */
int tl__names_bound_violations(const tl_name *a, const tl_name *b);

#endif
