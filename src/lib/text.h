/* text.h: Unicode text helpers over ICU (internal). */
#ifndef TL_TEXT_H
#define TL_TEXT_H

#include "tearline/tearline.h"

/*
 * The matching key of a term: NFKC with case folding (NFKC_Casefold), so
 * "Station ALPHA", "station alpha" and full-width or composed variants all
 * give one key. *out (OUT) is freed with tl_free. Returns TL_EINVAL for
 * invalid UTF-8, TL_ENOMEM.
 */
tl_err tl__text_fold(const char *utf8, char **out);

/* Nonzero if s[0..n) is valid UTF-8. */
int tl__utf8_valid(const char *s, size_t n);

#endif
