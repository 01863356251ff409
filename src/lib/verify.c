/*
 * verify.c: the release verifier, a second and independent look at the
 * serialized output. It shares no code with the redactor: it normalizes each
 * whole object text (NFKC case folding, then NFD, with invisible characters
 * and marks removed; ASCII by itself, other text through ICU) and looks each
 * position up in a table of terms by their first four units (the redactor
 * uses an automaton), and it recognizes identifiers by their shape, not by
 * the compiler's bookkeeping.
 */
#define _GNU_SOURCE /* memmem */
#include "verify.h"

#include "tearline/prov.h"
#include "tearline/release.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/*
 * The term table: every term of four or more UTF-16 units is filed under its
 * first four units packed into one 64-bit gram, shorter terms under their
 * whole units with the length in the top bits. A bitmap over hashed grams
 * turns away almost every text position in one L1/L2 lookup; the few that
 * pass are compared with the terms filed under their gram.
 */
#define GRAM 4

struct slot {
    uint64_t gram;
    uint32_t first, count; /* into term_order; count 0: empty */
};

struct tl_verifier {
    const UNormalizer2 *fold, *nfd;
    UChar **terms; /* folded forbidden terms */
    int32_t *lens;
    size_t nterms, cap;
    /* built from terms */
    uint64_t *bits; /* filter bitmap over hashed grams */
    uint64_t bitmask;
    struct slot *slots; /* open addressing by gram */
    size_t slotmask;
    uint32_t *term_order; /* term indexes grouped by gram */
    unsigned short_lens;  /* bit L set: some term has L < GRAM units */
    int built;
    json_t *forbidden_ids; /* set: id -> true */
    json_t *allowed_ids;   /* ids that look original but may appear */
};

struct ubuf {
    UChar *p;
    size_t n, cap;
};

static int ubuf_reserve(struct ubuf *b, size_t more)
{
    if (b->n + more <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->n + more)
        ncap *= 2;
    UChar *np = tl_realloc(b->p, ncap * sizeof *np);
    if (!np) return -1;
    b->p = np;
    b->cap = ncap;
    return 0;
}

/*
 * Normalizes src[0..n) into *dst (capacity *cap, which starts as the caller's
 * stack buffer); a larger buffer is allocated when needed, *heap owns it.
 * Returns the length, or -1.
 */
static int32_t normalize(const UNormalizer2 *nz, const UChar *src, int32_t n, UChar **dst,
                         int32_t *cap, UChar **heap)
{
    UErrorCode ec = U_ZERO_ERROR;
    int32_t len = unorm2_normalize(nz, src, n, *dst, *cap, &ec);
    if (ec == U_BUFFER_OVERFLOW_ERROR) {
        UChar *grown = tl_malloc(((size_t)len + 1) * sizeof *grown);
        if (!grown) return -1;
        tl_free(*heap);
        *heap = *dst = grown;
        *cap = len + 1;
        ec = U_ZERO_ERROR;
        len = unorm2_normalize(nz, src, n, *dst, *cap, &ec);
    }
    return U_FAILURE(ec) ? -1 : len;
}

/* Appends the folded form of s[0..n), which holds some non-ASCII text. */
static int fold_segment(const struct tl_verifier *v, const char *s, size_t n, struct ubuf *b)
{
    enum { SMALL = 256 };
    UChar su[SMALL], sf[SMALL], sd[SMALL];
    UChar *u = su, *f = sf, *d = sd, *hu = NULL, *hf = NULL, *hd = NULL;
    int32_t ucap = SMALL, fcap = SMALL, dcap = SMALL, ulen = 0;
    int rc = -1;
    UErrorCode ec = U_ZERO_ERROR;
    u_strFromUTF8(u, ucap, &ulen, s, (int32_t)n, &ec);
    if (ec == U_BUFFER_OVERFLOW_ERROR) {
        ec = U_ZERO_ERROR;
        if (!(hu = u = tl_malloc(((size_t)ulen + 1) * sizeof *u))) goto out;
        u_strFromUTF8(u, ulen + 1, NULL, s, (int32_t)n, &ec);
    }
    if (U_FAILURE(ec)) goto out;
    int32_t flen = normalize(v->fold, u, ulen, &f, &fcap, &hf);
    int32_t dlen = flen < 0 ? -1 : normalize(v->nfd, f, flen, &d, &dcap, &hd);
    if (dlen < 0 || ubuf_reserve(b, (size_t)dlen + 1)) goto out;
    for (int32_t i = 0; i < dlen;) {
        int32_t at = i;
        UChar32 c = d[i++];
        if (c >= 0xd800 && c <= 0xdbff && i < dlen && d[i] >= 0xdc00 && d[i] <= 0xdfff)
            c = 0x10000 + ((c - 0xd800) << 10) + (d[i++] - 0xdc00);
        if (c >= 0x80 && (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
                          u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_ENCLOSING_MARK))
            continue;
        while (at < i)
            b->p[b->n++] = d[at++];
    }
    rc = 0;
out:
    tl_free(hu);
    tl_free(hf);
    tl_free(hd);
    return rc;
}

/*
 * Folds UTF-8 text: NFKC_Casefold, NFD, without default-ignorables and marks.
 * ASCII folds to its lower case; each run of non-ASCII text goes through ICU
 * together with the ASCII character before it (a base its marks may follow).
 */
static UChar *fold(const struct tl_verifier *v, const char *s, size_t n, int32_t *outlen)
{
    struct ubuf b = {NULL, 0, 0};
    if (ubuf_reserve(&b, n + 1)) return NULL;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (ubuf_reserve(&b, 1)) goto fail;
            b.p[b.n++] = (UChar)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        size_t from = i, to = i;
        while (to < n && (unsigned char)s[to] >= 0x80)
            to++;
        if (from > 0) { /* the ASCII base goes with its marks */
            from--;
            b.n--;
        }
        if (fold_segment(v, s + from, to - from, &b)) goto fail;
        i = to;
    }
    if (ubuf_reserve(&b, 1)) goto fail;
    b.p[b.n] = 0;
    *outlen = (int32_t)b.n;
    return b.p;
fail:
    tl_free(b.p);
    return NULL;
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

static void drop_table(struct tl_verifier *v)
{
    tl_free(v->bits);
    tl_free(v->slots);
    tl_free(v->term_order);
    v->bits = NULL;
    v->slots = NULL;
    v->term_order = NULL;
    v->short_lens = 0;
    v->built = 0;
}

void tl__verifier_free(struct tl_verifier *v)
{
    if (!v) return;
    drop_table(v);
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

/* The gram a term is filed under: its first GRAM units, or all of a shorter one. */
static uint64_t term_gram(const UChar *t, int32_t len)
{
    int32_t n = len < GRAM ? len : GRAM;
    uint64_t g = 0;
    for (int32_t i = 0; i < n; i++)
        g = (g << 16) | t[i];
    return len < GRAM ? g | ((uint64_t)len << 48) : g;
}

static uint64_t mix(uint64_t g)
{
    g ^= g >> 31;
    g *= 0x9e3779b97f4a7c15ull;
    return g ^ (g >> 29);
}

static struct slot *slot_of(const struct tl_verifier *v, uint64_t gram)
{
    size_t i = (size_t)mix(gram) & v->slotmask;
    while (v->slots[i].count && v->slots[i].gram != gram)
        i = (i + 1) & v->slotmask;
    return &v->slots[i];
}

static tl_err build(struct tl_verifier *v)
{
    drop_table(v);
    size_t nbits = 1u << 15;
    while (nbits < v->nterms * 16 && nbits < (1u << 26))
        nbits *= 2;
    size_t nslots = 16;
    while (nslots < v->nterms * 2)
        nslots *= 2;
    v->bits = tl_calloc(nbits / 64, sizeof *v->bits);
    v->slots = tl_calloc(nslots, sizeof *v->slots);
    v->term_order = tl_malloc((v->nterms ? v->nterms : 1) * sizeof *v->term_order);
    uint32_t *fill = tl_calloc(nslots, sizeof *fill);
    if (!v->bits || !v->slots || !v->term_order || !fill) {
        tl_free(fill);
        return TL_ENOMEM;
    }
    v->bitmask = nbits - 1;
    v->slotmask = nslots - 1;
    /* count the terms under each gram, then lay them out gram by gram */
    for (size_t t = 0; t < v->nterms; t++) {
        uint64_t g = term_gram(v->terms[t], v->lens[t]);
        struct slot *sl = slot_of(v, g);
        sl->gram = g;
        sl->count++;
        uint64_t bit = mix(g) >> 7 & v->bitmask;
        v->bits[bit / 64] |= 1ull << (bit % 64);
        if (v->lens[t] < GRAM) v->short_lens |= 1u << v->lens[t];
    }
    uint32_t at = 0;
    for (size_t i = 0; i < nslots; i++) {
        v->slots[i].first = at;
        at += v->slots[i].count;
    }
    for (size_t t = 0; t < v->nterms; t++) {
        struct slot *sl = slot_of(v, term_gram(v->terms[t], v->lens[t]));
        size_t k = (size_t)(sl - v->slots);
        v->term_order[sl->first + fill[k]++] = (uint32_t)t;
    }
    tl_free(fill);
    v->built = 1;
    return TL_OK;
}

tl_err tl__verifier_ready(struct tl_verifier *v)
{
    return v->built ? TL_OK : build(v);
}

/* Index + 1 of a term filed under gram that starts at f[at], or 0. */
static size_t match_at(const struct tl_verifier *v, uint64_t gram, const UChar *f, int32_t n,
                       int32_t at)
{
    uint64_t bit = mix(gram) >> 7 & v->bitmask;
    if (!(v->bits[bit / 64] >> (bit % 64) & 1)) return 0;
    const struct slot *sl = slot_of(v, gram);
    for (uint32_t j = 0; j < sl->count; j++) {
        uint32_t t = v->term_order[sl->first + j];
        int32_t len = v->lens[t];
        if (len <= n - at && memcmp(f + at, v->terms[t], (size_t)len * sizeof(UChar)) == 0)
            return (size_t)t + 1;
    }
    return 0;
}

/* Index + 1 of a term found in f[0..n), or 0. */
static size_t find_term(const struct tl_verifier *v, const UChar *f, int32_t n)
{
    uint64_t g = 0;
    for (int32_t i = 0; i < GRAM - 1 && i < n; i++)
        g = (g << 16) | f[i];
    for (int32_t at = 0; at < n; at++) {
        /* g holds f[at .. at + GRAM), zero-padded past the end */
        g = (g << 16) | (at + GRAM - 1 < n ? f[at + GRAM - 1] : 0);
        size_t t;
        if (at + GRAM <= n && (t = match_at(v, g, f, n, at))) return t;
        for (unsigned len = 1; v->short_lens >> len; len++)
            if ((v->short_lens >> len & 1) &&
                (t = match_at(v, g >> (16 * (GRAM - len)) | (uint64_t)len << 48, f, n, at)))
                return t;
    }
    return 0;
}

static int idchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static int hexchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* s[0..36) is a UUID in lower-case hex, 8-4-4-4-12. */
static int uuid_shape(const char *s)
{
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !hexchar(s[i])) return 0;
    return 1;
}

/*
 * Masks with \x01 (no term holds it) the value of member "name" in the
 * tearline signature extension that starts at ext, when it is exactly n hex
 * digits: a signature or a key, random bytes in which a short term made of
 * the letters a-f would otherwise turn up by chance.
 */
static void mask_hex_member(char *m, size_t len, size_t ext, const char *name, size_t n)
{
    char pat[32];
    int pl = snprintf(pat, sizeof pat, "\"%s\":\"", name);
    size_t window = 400; /* the extension's members follow its key closely */
    size_t lim = ext + window < len ? ext + window : len;
    const char *at = memmem(m + ext, lim - ext, pat, (size_t)pl);
    if (!at) return;
    size_t from = (size_t)(at - m) + (size_t)pl;
    if (from + n >= len || m[from + n] != '"') return;
    for (size_t i = 0; i < n; i++)
        if (!hexchar(m[from + i])) return;
    memset(m + from, '\x01', n);
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
    /*
     * The text the term search reads: a copy in which the machine-made hex of
     * identifiers (the UUID after "--") and of the signature extension (its
     * signature and key) is masked. Those are keyed hashes and random bytes,
     * not content; a term that fits in them (a short one made of the letters
     * a-f) would otherwise be found there by chance and stop the release.
     */
    char *m = NULL;
    if (v->nterms && !(m = tl_malloc(len + 1))) return TL_ENOMEM;
    if (m) memcpy(m, json, len);
    /* original identifiers, found by shape: [a-z0-9-]+--UUID */
    for (const char *q = json; (q = memmem(q, len - (size_t)(q - json), "--", 2)); q += 2) {
        size_t p = (size_t)(q - json);
        if (p == 0 || p + 38 > len || !idchar(json[p - 1])) continue;
        if (m && uuid_shape(json + p + 2)) memset(m + p + 2, '\x01', 36);
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
            tl_free(m);
            return TL_ECONFLICT;
        }
    }
    /* protected terms, whatever their case, form or disguise */
    if (v->nterms) {
        static const char sig_key[] = "\"" TL_SIG_EXT_ID "\":{";
        for (const char *e = json;
             (e = memmem(e, len - (size_t)(e - json), sig_key, sizeof sig_key - 1));
             e += sizeof sig_key - 1) {
            mask_hex_member(m, len, (size_t)(e - json), "public_key", 64);
            mask_hex_member(m, len, (size_t)(e - json), "signature", 128);
        }
        int32_t flen = 0;
        UChar *f = fold(v, m, len, &flen);
        tl_free(m);
        if (!f) return TL_ENOMEM;
        if (tl__verifier_ready(v)) {
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
