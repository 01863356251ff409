/*
 * redact.c: protected-term matching that survives case, Unicode form and
 * invisible characters.
 *
 * The text is normalized one code point at a time (NFKC case folding, with
 * default-ignorables and combining marks dropped) into a UTF-32 key string
 * that remembers, for every key unit, the byte span of the original it came
 * from. Terms are normalized the same way; a match in the key string maps
 * back to an original span, which is replaced whole.
 */
#include "redact.h"

#include "text.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

struct term {
    UChar32 *key;
    size_t len;
};

struct tl_lexicon {
    struct term *terms;
    size_t n, cap;
    const UNormalizer2 *nf;  /* NFKC case folding */
    const UNormalizer2 *nfd; /* then canonical decomposition, so marks can go */
};

struct tl_lexicon *tl__lexicon_new(void)
{
    struct tl_lexicon *lx = tl_calloc(1, sizeof *lx);
    if (!lx) return NULL;
    UErrorCode ec = U_ZERO_ERROR;
    lx->nf = unorm2_getNFKCCasefoldInstance(&ec);
    if (!U_FAILURE(ec)) lx->nfd = unorm2_getNFDInstance(&ec);
    if (U_FAILURE(ec)) {
        tl_free(lx);
        return NULL;
    }
    return lx;
}

void tl__lexicon_free(struct tl_lexicon *lx)
{
    if (!lx) return;
    for (size_t i = 0; i < lx->n; i++)
        tl_free(lx->terms[i].key);
    tl_free(lx->terms);
    tl_free(lx);
}

size_t tl__lexicon_size(const struct tl_lexicon *lx)
{
    return lx->n;
}

static int dropped(UChar32 c)
{
    return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
           u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_ENCLOSING_MARK;
}

/*
 * Normalizes s[0..n) into key units; for unit k, spans[k] is the byte
 * offset of the code point it came from. Returns the unit count, or -1.
 */
static long normalize(const struct tl_lexicon *lx, const char *s, size_t n, UChar32 **keyp,
                      size_t **spansp)
{
    size_t cap = n * 4 + 16; /* grows when folding expands */
    UChar32 *key = tl_malloc(cap * sizeof *key);
    size_t *spans = tl_malloc(cap * sizeof *spans);
    if (!key || !spans) {
        tl_free(key);
        tl_free(spans);
        return -1;
    }
    size_t k = 0;
    int32_t i = 0, len = (int32_t)n;
    while (i < len) {
        int32_t start = i;
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0) {
            tl_free(key);
            tl_free(spans);
            return -1;
        }
        if (dropped(c)) continue;
        UChar in[2], folded[64], outbuf[128];
        int32_t inlen = 0;
        U16_APPEND_UNSAFE(in, inlen, c);
        UErrorCode ec = U_ZERO_ERROR;
        int32_t flen = unorm2_normalize(lx->nf, in, inlen, folded, 64, &ec);
        int32_t olen =
            U_FAILURE(ec) ? 0 : unorm2_normalize(lx->nfd, folded, flen, outbuf, 128, &ec);
        if (U_FAILURE(ec)) olen = 0;
        UChar32 cps[128];
        int32_t ncps = 0;
        if (olen > 0) u_strToUTF32(cps, 128, &ncps, outbuf, olen, &ec);
        if (U_FAILURE(ec)) ncps = 0;
        for (int32_t j = 0; j < ncps; j++) {
            UChar32 d = cps[j];
            if (dropped(d)) continue;
            if (k == cap) {
                size_t ncap = cap * 2;
                UChar32 *nk = tl_realloc(key, ncap * sizeof *key);
                if (!nk) goto oom;
                key = nk;
                size_t *ns = tl_realloc(spans, ncap * sizeof *spans);
                if (!ns) goto oom;
                spans = ns;
                cap = ncap;
            }
            key[k] = d;
            spans[k] = (size_t)start;
            k++;
        }
    }
    *keyp = key;
    *spansp = spans;
    return (long)k;
oom:
    tl_free(key);
    tl_free(spans);
    return -1;
}

tl_err tl__lexicon_add(struct tl_lexicon *lx, const char *term)
{
    size_t n = strlen(term);
    if (!tl__utf8_valid(term, n)) return TL_EINVAL;
    UChar32 *key;
    size_t *spans;
    long k = normalize(lx, term, n, &key, &spans);
    if (k < 0) return TL_ENOMEM;
    tl_free(spans);
    if (k == 0) {
        tl_free(key);
        return TL_EINVAL;
    }
    if (lx->n == lx->cap) {
        size_t ncap = lx->cap ? lx->cap * 2 : 16;
        struct term *nt = tl_realloc(lx->terms, ncap * sizeof *nt);
        if (!nt) {
            tl_free(key);
            return TL_ENOMEM;
        }
        lx->terms = nt;
        lx->cap = ncap;
    }
    lx->terms[lx->n].key = key;
    lx->terms[lx->n].len = (size_t)k;
    lx->n++;
    return TL_OK;
}

/* Byte offset just past the code point that starts at off. */
static size_t next_cp(const char *s, size_t n, size_t off)
{
    int32_t i = (int32_t)off;
    UChar32 c;
    U8_NEXT((const uint8_t *)s, i, (int32_t)n, c);
    (void)c;
    return (size_t)i;
}

tl_err tl__lexicon_redact(const struct tl_lexicon *lx, const char *s, size_t n, struct tl_buf *out,
                          size_t *hits)
{
    *hits = 0;
    if (!tl__utf8_valid(s, n)) return TL_EINVAL;
    if (lx->n == 0) {
        tl__buf_append(out, s, n);
        return out->oom ? TL_ENOMEM : TL_OK;
    }
    UChar32 *key;
    size_t *spans;
    long k = normalize(lx, s, n, &key, &spans);
    if (k < 0) return TL_ENOMEM;
    size_t copied = 0; /* original bytes already written */
    for (size_t i = 0; i < (size_t)k;) {
        size_t best = 0;
        for (size_t t = 0; t < lx->n; t++) {
            const struct term *tm = &lx->terms[t];
            if (tm->len > (size_t)k - i || tm->len <= best) continue;
            if (memcmp(key + i, tm->key, tm->len * sizeof(UChar32)) == 0) best = tm->len;
        }
        if (!best) {
            i++;
            continue;
        }
        size_t from = spans[i];
        size_t to = next_cp(s, n, spans[i + best - 1]);
        if (from < copied) from = copied; /* overlaps the previous match */
        tl__buf_append(out, s + copied, from - copied);
        tl__buf_puts(out, TL_REDACTED);
        copied = to;
        (*hits)++;
        i += best;
        /* skip key units that still belong to the redacted span */
        while (i < (size_t)k && spans[i] < to)
            i++;
    }
    tl__buf_append(out, s + copied, n - copied);
    tl_free(key);
    tl_free(spans);
    return out->oom ? TL_ENOMEM : TL_OK;
}
