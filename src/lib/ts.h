/* ts.h: RFC 3339 timestamps as STIX and TAXII use them (internal). */
#ifndef TL_TS_H
#define TL_TS_H

#include "tearline/tearline.h"

#include <stdint.h>

/* Longest key tl__ts_key() writes, with its NUL; longer fractions are refused. */
#define TL_TS_KEYMAX 64

/*
 * Parses a STIX timestamp: YYYY-MM-DDTHH:MM:SS[.s+]Z, UTC, valid calendar
 * date. On success fills *frac_digits (OUT, may be NULL) with the number of
 * fractional digits, *us (OUT, may be NULL) with microseconds since the epoch
 * (truncated), and key (OUT, may be NULL) with a lexicographically ordered form
 * ("YYYY-MM-DDTHH:MM:SS.fffffffff[f...]", trailing zeros past nine digits
 * dropped) in which equal instants are equal strings. Returns 0 or -1.
 */
int tl__ts_parse(const char *s, size_t n, int *frac_digits, int64_t *us, char key[TL_TS_KEYMAX]);

/* Formats microseconds since the epoch as YYYY-MM-DDTHH:MM:SS.ssssssZ (TAXII form). */
void tl__ts_format_us(int64_t us, char out[32]);

/* Formats with millisecond precision: YYYY-MM-DDTHH:MM:SS.sssZ (STIX created/modified). */
void tl__ts_format_ms(int64_t us, char out[32]);

/* Microseconds since the epoch, from the real-time clock. */
int64_t tl__now_us(void);

#endif
