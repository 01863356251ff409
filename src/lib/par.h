/* par.h: a parallel loop over independent items (internal). */
#ifndef TL_PAR_H
#define TL_PAR_H

#include <stddef.h>

typedef void (*tl_par_fn)(size_t i, void *ctx);

/*
 * Calls fn(i, ctx) for every i in [0, n), spread over the machine's cores
 * (TEARLINE_THREADS overrides the count; 1 runs everything in the caller).
 * fn must touch only item i's own data and shared data it does not change.
 */
void tl__parallel_for(size_t n, tl_par_fn fn, void *ctx);

/* The number of threads tl__parallel_for uses. */
unsigned tl__par_threads(void);

#endif
