/* names_int.h: what the tests check inside names.c. */
#ifndef TL_NAMES_INT_H
#define TL_NAMES_INT_H

#include <stdint.h>

/*
 * Compares the bit-parallel Jaro-Winkler with the plain loop over `rounds`
 * random pairs of class strings (from seed): lengths 0 to 24, alphabets
 * from 2 to 60 codes, so that repeats, windows and transpositions all
 * occur. Returns the number of pairs on which they differ.
 */
int tl__names_jw_mismatches(uint64_t seed, int rounds);

#endif
