/*
 * names.h: matching the names of people and groups across Latin, Cyrillic
 * and Arabic script and across romanizations (docs/names.md).
 *
 * A name is prepared once (tl_names_prepare): normalized (NFKC, case
 * folding), split into tokens, romanized (Russian by BGN/PCGN through ICU;
 * Arabic script kept as a consonant skeleton with its letter variants
 * folded), and read for Arabic naming: particles (al-, ash-, ibn, bin ...),
 * compounds (Abd al-X, X ad-Din, X-ullah), the kunya (Abu X), the nisba
 * (al-Shishani, "the Chechen") and Russian patronymics. Two prepared names
 * are then scored (tl_name_score) by pairing their tokens, best pair first,
 * on a Jaro-Winkler similarity of phonetically folded forms, or of
 * consonant skeletons where one side is in Arabic script.
 *
 * Scores lie in [0, 1]; TL_NAMES_THRESHOLD is the default at which two
 * names are taken for the same. A name that is only a kunya ("Abu Omar") is
 * generic: its scores are scaled down so that it alone never reaches the
 * threshold.
 */
#ifndef TEARLINE_NAMES_H
#define TEARLINE_NAMES_H

#include "tearline/tearline.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default score at or above which two names are linked. */
#define TL_NAMES_THRESHOLD 0.88

/* The longest name accepted, in bytes of UTF-8. */
#define TL_NAME_MAX 1024

/*
 * A preparer: the ICU transliterators and normalizers. Not thread-safe: use
 * one per thread. Free with tl_names_free (NULL is accepted).
 */
typedef struct tl_names tl_names;

/* A prepared name. Immutable: scoring is thread-safe. Free with tl_name_free. */
typedef struct tl_name tl_name;

/* A new preparer in *out (OUT). TL_ENOMEM, or TL_EINVAL if ICU lacks a transform. */
TL_API tl_err tl_names_new(tl_names **out);
TL_API void tl_names_free(tl_names *nx);

/*
 * Prepares the name in utf8 (len bytes) into *out (OUT). TL_EINVAL when it
 * is not UTF-8, is longer than TL_NAME_MAX, or holds no letters.
 */
TL_API tl_err tl_names_prepare(tl_names *nx, const char *utf8, size_t len, tl_name **out);
TL_API void tl_name_free(tl_name *name);

/*
 * Prepares n names at once (texts[i] of lens[i] bytes into out[i]) on the
 * machine's cores. On an error every out[i] is NULL; for TL_EINVAL, *bad
 * (OUT) is the index of the first name that could not be prepared.
 */
TL_API tl_err tl_names_prepare_all(const char *const *texts, const size_t *lens, size_t n,
                                   tl_name **out, size_t *bad);

/* The similarity of a and b in [0, 1] (symmetric). */
TL_API double tl_name_score(const tl_name *a, const tl_name *b);

/*
 * The score, as tl_name_score, and an explanation in buf (cap bytes,
 * NUL-terminated, truncated if needed): each pair of tokens and its
 * similarity, the tokens left unmatched, and why a name counts as weak.
 */
TL_API double tl_name_explain(const tl_name *a, const tl_name *b, char *buf, size_t cap);

/*
 * The normalized form of the name, as tokens separated by spaces (kunya as
 * "abu:X", nisba as "nisba:X", patronymic as "patr:X"), into buf (cap
 * bytes). Arabic-script tokens are shown in their folded letters.
 */
TL_API void tl_name_form(const tl_name *name, char *buf, size_t cap);

/*
 * Blocking keys of a name into keys (at most cap; the count is returned).
 * Two names that score at or above TL_NAMES_THRESHOLD share at least one
 * key (docs/names.md says where this can fail), so linking compares only
 * names that share a key.
 */
TL_API size_t tl_name_keys(const tl_name *name, uint64_t *keys, size_t cap);

/* Called for each linked pair (ia indexes a, ib indexes b); nonzero stops. */
typedef int (*tl_names_link_cb)(size_t ia, size_t ib, double score, void *ud);

/*
 * Every pair (a[i], b[j]) that shares a blocking key and scores at least
 * threshold, in order of i then j. With b == NULL, a is linked against
 * itself (pairs i < j only). Uses the machine's cores. Returns TL_ENOMEM,
 * TL_EINTERRUPTED when cb stopped it, or TL_OK.
 */
TL_API tl_err tl_names_link(tl_name *const *a, size_t na, tl_name *const *b, size_t nb,
                            double threshold, tl_names_link_cb cb, void *ud);

/*
 * Groups names by single linkage: names linked at threshold or above (as
 * tl_names_link over the names themselves) share a group. cluster (OUT, n
 * entries) receives for each name the index of its group's first name.
 */
TL_API tl_err tl_names_cluster(tl_name *const *names, size_t n, double threshold, size_t *cluster);

#ifdef __cplusplus
}
#endif

#endif
