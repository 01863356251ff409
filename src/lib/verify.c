/*
 * verify.c: the release verifier, a second and independent look at the
 * serialized output. It shares no code with the redactor: it normalizes each
 * whole object text at once (NFKC case folding, then NFD, with invisible
 * characters and marks removed) and searches it by rolling hashes, one pass
 * per distinct term length (the redactor uses an automaton), and it
 * recognizes identifiers by their shape, not by the compiler's bookkeeping.
 */
#define _GNU_SOURCE /* memmem */
#include "verify.h"

#include "tearline/prov.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/*
 * Terms of one length: a table of their rolling hashes (Rabin-Karp), so the
 * text is scanned once per distinct term length, whatever the term count.
 */
struct bucket {
    int32_t len;
    uint64_t pow; /* B^(len-1) */
    uint64_t *hash;
    uint32_t *term; /* index + 1; 0 empty */
    size_t cap;     /* power of two */
};

struct tl_verifier {
    const UNormalizer2 *fold, *nfd;
    UChar **terms; /* folded forbidden terms */
    int32_t *lens;
    size_t nterms, cap;
    struct bucket *buckets;
    size_t nbuckets;
    int built;
    json_t *forbidden_ids; /* set: id -> true */
    json_t *allowed_ids;   /* ids that look original but may appear */
};

/* Folds UTF-8 text: NFKC_Casefold, NFD, without default-ignorables and marks. */
static UChar *fold(const struct tl_verifier *v, const char *s, size_t n, int32_t *outlen)
{
    /* ASCII text folds to its lower case: nothing in it decomposes or is ignorable */
    size_t ascii = 0;
    while (ascii < n && (unsigned char)s[ascii] < 0x80)
        ascii++;
    if (ascii == n) {
        UChar *res = tl_malloc((n + 1) * sizeof *res);
        if (!res) return NULL;
        for (size_t i = 0; i < n; i++)
            res[i] = (UChar)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
        res[n] = 0;
        *outlen = (int32_t)n;
        return res;
    }
    UErrorCode ec = U_ZERO_ERROR;
    int32_t ulen = 0;
    u_strFromUTF8(NULL, 0, &ulen, s, (int32_t)n, &ec);
    if (ec != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(ec)) return NULL;
    ec = U_ZERO_ERROR;
    UChar *u = tl_malloc(((size_t)ulen + 1) * sizeof *u);
    int32_t cap = ulen * 4 + 16;
    UChar *f = tl_malloc((size_t)cap * sizeof *f);
    UChar *d = tl_malloc((size_t)cap * 2 * sizeof *d);
    UChar *res = NULL;
    if (!u || !f || !d) goto out;
    u_strFromUTF8(u, ulen + 1, NULL, s, (int32_t)n, &ec);
    int32_t flen = unorm2_normalize(v->fold, u, ulen, f, cap, &ec);
    int32_t dlen = U_FAILURE(ec) ? 0 : unorm2_normalize(v->nfd, f, flen, d, cap * 2, &ec);
    if (U_FAILURE(ec)) goto out;
    res = tl_malloc(((size_t)dlen + 1) * sizeof *res);
    if (!res) goto out;
    int32_t k = 0;
    for (int32_t i = 0; i < dlen;) {
        int32_t at = i;
        UChar32 c = d[i++];
        if (c >= 0xd800 && c <= 0xdbff && i < dlen && d[i] >= 0xdc00 && d[i] <= 0xdfff)
            c = 0x10000 + ((c - 0xd800) << 10) + (d[i++] - 0xdc00);
        if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
            u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_ENCLOSING_MARK)
            continue;
        while (at < i)
            res[k++] = d[at++];
    }
    res[k] = 0;
    *outlen = k;
out:
    tl_free(u);
    tl_free(f);
    tl_free(d);
    return res;
}

struct tl_verifier *tl__verifier_new(void)
{
    struct tl_verifier *v = tl_calloc(1, sizeof *v);
    if (!v) return NULL;
    UErrorCode ec = U_ZERO_ERROR;
    v->fold = unorm2_getNFKCCasefoldInstance(&ec);
    if (!U_FAILURE(ec)) v->nfd = unorm2_getNFDInstance(&ec);
    v->forbidden_ids = json_object();
    v->allowed_ids = json_object();
    if (U_FAILURE(ec) || !v->forbidden_ids || !v->allowed_ids) {
        tl__verifier_free(v);
        return NULL;
    }
    return v;
}

static void drop_buckets(struct tl_verifier *v)
{
    for (size_t i = 0; i < v->nbuckets; i++) {
        tl_free(v->buckets[i].hash);
        tl_free(v->buckets[i].term);
    }
    tl_free(v->buckets);
    v->buckets = NULL;
    v->nbuckets = 0;
    v->built = 0;
}

void tl__verifier_free(struct tl_verifier *v)
{
    if (!v) return;
    drop_buckets(v);
    for (size_t i = 0; i < v->nterms; i++)
        tl_free(v->terms[i]);
    tl_free(v->terms);
    tl_free(v->lens);
    json_decref(v->forbidden_ids);
    json_decref(v->allowed_ids);
    tl_free(v);
}

tl_err tl__verifier_forbid_term(struct tl_verifier *v, const char *term)
{
    int32_t len = 0;
    UChar *f = fold(v, term, strlen(term), &len);
    if (!f) return TL_ENOMEM;
    if (len == 0) {
        tl_free(f);
        return TL_OK;
    }
    if (v->nterms == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 32;
        UChar **nt = tl_realloc(v->terms, ncap * sizeof *nt);
        if (!nt) {
            tl_free(f);
            return TL_ENOMEM;
        }
        v->terms = nt;
        int32_t *nl = tl_realloc(v->lens, ncap * sizeof *nl);
        if (!nl) {
            tl_free(f);
            return TL_ENOMEM;
        }
        v->lens = nl;
        v->cap = ncap;
    }
    v->terms[v->nterms] = f;
    v->lens[v->nterms] = len;
    v->nterms++;
    v->built = 0;
    return TL_OK;
}

tl_err tl__verifier_forbid_id(struct tl_verifier *v, const char *id)
{
    return json_object_set_new(v->forbidden_ids, id, json_true()) ? TL_ENOMEM : TL_OK;
}

tl_err tl__verifier_allow_id(struct tl_verifier *v, const char *id)
{
    return json_object_set_new(v->allowed_ids, id, json_true()) ? TL_ENOMEM : TL_OK;
}

#define HASH_BASE 0x100000001b3ull

static uint64_t hash_units(const UChar *u, int32_t n)
{
    uint64_t h = 0;
    for (int32_t i = 0; i < n; i++)
        h = h * HASH_BASE + u[i];
    return h;
}

static struct bucket *bucket_for(struct tl_verifier *v, int32_t len)
{
    for (size_t i = 0; i < v->nbuckets; i++)
        if (v->buckets[i].len == len) return &v->buckets[i];
    struct bucket *nb = tl_realloc(v->buckets, (v->nbuckets + 1) * sizeof *nb);
    if (!nb) return NULL;
    v->buckets = nb;
    struct bucket *b = &v->buckets[v->nbuckets++];
    memset(b, 0, sizeof *b);
    b->len = len;
    b->pow = 1;
    for (int32_t i = 1; i < len; i++)
        b->pow *= HASH_BASE;
    return b;
}

static tl_err build(struct tl_verifier *v)
{
    drop_buckets(v);
    /* size each bucket's table for its terms, at most half full */
    for (size_t t = 0; t < v->nterms; t++) {
        struct bucket *b = bucket_for(v, v->lens[t]);
        if (!b) return TL_ENOMEM;
        b->cap++;
    }
    for (size_t i = 0; i < v->nbuckets; i++) {
        struct bucket *b = &v->buckets[i];
        size_t cap = 16;
        while (cap < b->cap * 2)
            cap *= 2;
        b->cap = cap;
        b->hash = tl_calloc(cap, sizeof *b->hash);
        b->term = tl_calloc(cap, sizeof *b->term);
        if (!b->hash || !b->term) return TL_ENOMEM;
    }
    for (size_t t = 0; t < v->nterms; t++) {
        struct bucket *b = bucket_for(v, v->lens[t]);
        uint64_t h = hash_units(v->terms[t], v->lens[t]);
        size_t i = (size_t)(h ^ (h >> 31)) & (b->cap - 1);
        while (b->term[i])
            i = (i + 1) & (b->cap - 1);
        b->hash[i] = h;
        b->term[i] = (uint32_t)t + 1;
    }
    v->built = 1;
    return TL_OK;
}

/* Index + 1 of a term found in f[0..n), or 0. */
static size_t find_term(const struct tl_verifier *v, const UChar *f, int32_t n)
{
    for (size_t bi = 0; bi < v->nbuckets; bi++) {
        const struct bucket *b = &v->buckets[bi];
        if (b->len > n) continue;
        uint64_t h = hash_units(f, b->len);
        for (int32_t at = 0;; at++) {
            size_t i = (size_t)(h ^ (h >> 31)) & (b->cap - 1);
            for (; b->term[i]; i = (i + 1) & (b->cap - 1)) {
                size_t t = b->term[i] - 1;
                if (b->hash[i] == h &&
                    memcmp(f + at, v->terms[t], (size_t)b->len * sizeof(UChar)) == 0)
                    return t + 1;
            }
            if (at + b->len >= n) break;
            h = (h - f[at] * b->pow) * HASH_BASE + f[at + b->len];
        }
    }
    return 0;
}

static int idchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

tl_err tl__verify_text(struct tl_verifier *v, const char *json, size_t len, char *finding,
                       size_t cap)
{
    /* internal extensions and properties */
    static const char *const internal[] = {TL_PROV_EXT_ID, "\"x_tearline"};
    for (size_t i = 0; i < sizeof internal / sizeof *internal; i++) {
        const char *at = memmem(json, len, internal[i], strlen(internal[i]));
        if (at) {
            snprintf(finding, cap, "internal content '%s' at byte %zu", internal[i],
                     (size_t)(at - json));
            return TL_ECONFLICT;
        }
    }
    /* original identifiers, found by shape: [a-z0-9-]+--UUID */
    for (const char *q = json; (q = memmem(q, len - (size_t)(q - json), "--", 2)); q += 2) {
        size_t p = (size_t)(q - json);
        if (p == 0 || p + 38 > len || !idchar(json[p - 1])) continue;
        size_t start = p;
        while (start > 0 && idchar(json[start - 1]))
            start--;
        size_t end = p + 2 + 36;
        char id[300];
        if (end - start >= sizeof id) continue;
        memcpy(id, json + start, end - start);
        id[end - start] = '\0';
        if (json_object_get(v->forbidden_ids, id) && !json_object_get(v->allowed_ids, id)) {
            snprintf(finding, cap, "original identifier %s", id);
            return TL_ECONFLICT;
        }
    }
    /* protected terms, whatever their case, form or disguise */
    if (v->nterms) {
        int32_t flen = 0;
        UChar *f = fold(v, json, len, &flen);
        if (!f) return TL_ENOMEM;
        if (!v->built && build(v)) {
            tl_free(f);
            return TL_ENOMEM;
        }
        size_t found = find_term(v, f, flen);
        if (found) {
            size_t t = found - 1;
            char term[200];
            int32_t tl = 0;
            UErrorCode ec = U_ZERO_ERROR;
            u_strToUTF8(term, (int32_t)sizeof term - 1, &tl, v->terms[t], v->lens[t], &ec);
            term[U_FAILURE(ec) ? 0 : tl] = '\0';
            snprintf(finding, cap, "protected term '%s'", term);
            tl_free(f);
            return TL_ECONFLICT;
        }
        tl_free(f);
    }
    return TL_OK;
}
