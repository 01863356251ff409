/* redact.h: finding and redacting protected terms in text (internal). */
#ifndef TL_REDACT_H
#define TL_REDACT_H

#include "buf.h"

#include <stddef.h>

/*
 * A set of protected terms. Matching ignores case and Unicode form: both the
 * terms and the text are compared in NFKC case-folded form, with default-
 * ignorable code points (zero-width joiners, soft hyphens, ...) and
 * combining marks removed, so "Station Alpha", "STATION ALPHA", its
 * full-width form and "Sta\u200Btion Álpha" all match one term.
 *
 * Matching is an Aho-Corasick automaton over the normalized code points,
 * built on the first redaction after terms were added; a lexicon is used by
 * one thread at a time.
 */
struct tl_lexicon;

/* Empty lexicon; NULL on allocation failure. */
struct tl_lexicon *tl__lexicon_new(void);
void tl__lexicon_free(struct tl_lexicon *lx);

/* Adds a term; TL_EINVAL if it is empty once normalized. */
tl_err tl__lexicon_add(struct tl_lexicon *lx, const char *term);

size_t tl__lexicon_size(const struct tl_lexicon *lx);

/* Builds the automaton now; after it, tl__lexicon_redact only reads lx (threads may share it). */
tl_err tl__lexicon_ready(struct tl_lexicon *lx);

/*
 * Appends s[0..n) to out with every occurrence of a term replaced by
 * "[REDACTED]" (the whole original span, whatever its form). *hits (OUT)
 * counts replacements. TL_EINVAL for invalid UTF-8, TL_ENOMEM.
 */
tl_err tl__lexicon_redact(struct tl_lexicon *lx, const char *s, size_t n, struct tl_buf *out,
                          size_t *hits);

/* The replacement text. */
#define TL_REDACTED "[REDACTED]"

#endif
