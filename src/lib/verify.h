/* verify.h: the independent release verifier (internal). */
#ifndef TL_VERIFY_H
#define TL_VERIFY_H

#include "tearline/tearline.h"

#include <jansson.h>
#include <stddef.h>

struct tl_verifier;

struct tl_verifier *tl__verifier_new(void);
void tl__verifier_free(struct tl_verifier *v);

/* What must never appear: protected terms (matched like the lexicon), ids. */
tl_err tl__verifier_forbid_term(struct tl_verifier *v, const char *term);
tl_err tl__verifier_forbid_id(struct tl_verifier *v, const char *id);
/* An id that may appear although forbidden (the node's own identity). */
tl_err tl__verifier_allow_id(struct tl_verifier *v, const char *id);

/* Builds the term table now (verify_text builds it on first use otherwise). */
tl_err tl__verifier_ready(struct tl_verifier *v);

/*
 * Scans one serialized object. TL_ECONFLICT with what was found in
 * finding[0..cap) (an internal extension, an original id, a protected term),
 * TL_OK if clean, TL_ENOMEM.
 */
tl_err tl__verify_text(struct tl_verifier *v, const char *json, size_t len, char *finding,
                       size_t cap);

#endif
