/*
 * redact.c: protected-term matching that survives case, Unicode form and
 * invisible characters.
 *
 * The text is normalized one code point at a time (NFKC case folding, with
 * default-ignorables and combining marks dropped) into a UTF-32 key string
 * that remembers, for every key unit, the byte span of the original it came
 * from. Terms are normalized the same way; a match in the key string maps
 * back to an original span, which is replaced whole.
 *
 * Most text is ASCII, whose key is its lower case, and most strings hold no
 * term. For them a screen comes first, over the terms whose keys are ASCII:
 * terms of four and five bytes are filed by their first four or five bytes
 * and looked up at every position; longer ones by the five bytes at each of
 * their first two offsets, looked up at every second position (an occurrence
 * of six or more bytes always covers one of those); terms of one to three
 * bytes sit in exact sets. Each table is behind a sparse bitmap. A string
 * with no term there is copied as it is; one with a term goes the whole way
 * above.
 */
#include "redact.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

/*
 * The automaton: trie nodes with failure links; goto edges live in one
 * open-addressing table keyed by (node, code point). out[node] is the length
 * of the longest term that ends at node or along its failure chain.
 */
struct edge {
    uint32_t node; /* 0: empty slot (the root has no incoming edge) */
    UChar32 c;
    uint32_t child;
};

struct ascii_term {
    uint32_t len;
    size_t off; /* into pool */
};

/* One class of the screen: the terms filed under a gram of one width. */
struct gram_slot {
    uint64_t gram;
    uint32_t first, count; /* into order; count 0: empty */
};

struct screen {
    unsigned width;  /* of a gram: 4 or 6 bytes */
    unsigned stride; /* positions looked up: every one, or every third */
    uint64_t *bits;  /* bitmap over hashed grams, 64 bits per term */
    unsigned shift;  /* of the hash, for the bitmap */
    struct gram_slot *slots;
    size_t mask;
    uint32_t *order; /* (index into at) * 4 + offset of the gram in the term, by gram */
};

/*
 * The screen's classes of terms by length: each term is filed by the grams
 * of `width` bytes at its first `stride` offsets, and the text is looked up at
 * every stride-th position; since min_len = width + stride - 1, an occurrence
 * always covers one of those grams at one of those offsets.
 */
#define NCLASSES 3
static const struct {
    unsigned min_len, width, stride;
} classes[NCLASSES] = {{4, 4, 1}, {5, 5, 1}, {6, 5, 2}};

struct tl_lexicon {
    size_t n; /* terms */
    uint32_t nnodes, capnodes;
    uint32_t *fail, *out;
    struct edge *edges;
    size_t nedges, capedges; /* capedges a power of two */
    int built;
    const UNormalizer2 *nf;  /* NFKC case folding */
    const UNormalizer2 *nfd; /* then canonical decomposition, so marks can go */
    /* the ASCII screen: terms whose keys are ASCII */
    char *pool; /* their keys, back to back */
    size_t pool_len, pool_cap;
    struct ascii_term *at;
    size_t nat, capat;
    struct screen screen[NCLASSES]; /* terms by length: see classes[] */
    uint32_t root_next[128];        /* the root's children on ASCII, for the scan (built) */
    uint64_t *short_bits[4];        /* [len]: exact sets of the 1-3 byte terms */
};

void tl__lexicon_free(struct tl_lexicon *lx)
{
    if (!lx) return;
    tl_free(lx->fail);
    tl_free(lx->out);
    tl_free(lx->edges);
    tl_free(lx->pool);
    tl_free(lx->at);
    for (int c = 0; c < NCLASSES; c++) {
        tl_free(lx->screen[c].bits);
        tl_free(lx->screen[c].slots);
        tl_free(lx->screen[c].order);
    }
    for (int i = 1; i < 4; i++)
        tl_free(lx->short_bits[i]);
    tl_free(lx);
}

static size_t edge_slot(const struct tl_lexicon *lx, uint32_t node, UChar32 c)
{
    uint64_t h =
        ((uint64_t)node * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(uint32_t)c * 0xc2b2ae3d27d4eb4full);
    h ^= h >> 29;
    size_t mask = lx->capedges - 1;
    size_t i = (size_t)h & mask;
    while (lx->edges[i].node && (lx->edges[i].node != node + 1 || lx->edges[i].c != c))
        i = (i + 1) & mask;
    return i;
}

/* The child of node on c, or 0 (the root is never a child). */
static uint32_t child(const struct tl_lexicon *lx, uint32_t node, UChar32 c)
{
    if (!lx->capedges) return 0;
    size_t i = edge_slot(lx, node, c);
    return lx->edges[i].node ? lx->edges[i].child : 0;
}

static int grow_edges(struct tl_lexicon *lx)
{
    size_t ncap = lx->capedges ? lx->capedges * 2 : 1024;
    struct edge *old = lx->edges;
    size_t oldcap = lx->capedges;
    lx->edges = tl_calloc(ncap, sizeof *lx->edges);
    if (!lx->edges) {
        lx->edges = old;
        return -1;
    }
    lx->capedges = ncap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].node) lx->edges[edge_slot(lx, old[i].node - 1, old[i].c)] = old[i];
    tl_free(old);
    return 0;
}

static int64_t new_node(struct tl_lexicon *lx)
{
    if (lx->nnodes == lx->capnodes) {
        uint32_t ncap = lx->capnodes ? lx->capnodes * 2 : 256;
        uint32_t *f = tl_realloc(lx->fail, ncap * sizeof *f);
        if (!f) return -1;
        lx->fail = f;
        uint32_t *o = tl_realloc(lx->out, ncap * sizeof *o);
        if (!o) return -1;
        lx->out = o;
        lx->capnodes = ncap;
    }
    lx->fail[lx->nnodes] = 0;
    lx->out[lx->nnodes] = 0;
    return lx->nnodes++;
}

struct tl_lexicon *tl__lexicon_new(void)
{
    struct tl_lexicon *lx = tl_calloc(1, sizeof *lx);
    if (!lx) return NULL;
    if (new_node(lx) < 0) { /* the root */
        tl__lexicon_free(lx);
        return NULL;
    }
    UErrorCode ec = U_ZERO_ERROR;
    lx->nf = unorm2_getNFKCCasefoldInstance(&ec);
    if (!U_FAILURE(ec)) lx->nfd = unorm2_getNFDInstance(&ec);
    if (U_FAILURE(ec)) {
        tl_free(lx);
        return NULL;
    }
    return lx;
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

/* A growing sequence of key units and the byte offset each came from. */
struct keys {
    UChar32 *key;
    size_t *spans;
    size_t n, cap;
};

static int push(struct keys *k, UChar32 unit, size_t span)
{
    if (k->n == k->cap) {
        size_t ncap = k->cap ? k->cap * 2 : 64;
        UChar32 *nk = tl_realloc(k->key, ncap * sizeof *nk);
        if (!nk) return -1;
        k->key = nk;
        size_t *ns = tl_realloc(k->spans, ncap * sizeof *ns);
        if (!ns) return -1;
        k->spans = ns;
        k->cap = ncap;
    }
    k->key[k->n] = unit;
    k->spans[k->n++] = span;
    return 0;
}

/*
 * Normalizes s[0..n) into key units; spans[i] is the byte offset of the code
 * point unit i came from. Returns 0, or -1 (invalid UTF-8, no memory).
 */
static int normalize(const struct tl_lexicon *lx, const char *s, size_t n, struct keys *k)
{
    int32_t i = 0, len = (int32_t)n;
    k->n = 0;
    while (i < len) {
        int32_t start = i;
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0) return -1;
        if (c < 0x80) {
            /* ASCII: NFKC case folding is lower case; nothing decomposes or drops */
            if (push(k, c >= 'A' && c <= 'Z' ? c + 32 : c, (size_t)start)) return -1;
            continue;
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
        for (int32_t j = 0; j < ncps; j++)
            if (!dropped(cps[j]) && push(k, cps[j], (size_t)start)) return -1;
    }
    return 0;
}

static void keys_free(struct keys *k)
{
    tl_free(k->key);
    tl_free(k->spans);
}

/* The first width (4 to 6) bytes of p as a number. */
static inline uint64_t load_gram(const char *p, unsigned width)
{
    uint32_t lo;
    memcpy(&lo, p, 4);
    uint64_t g = lo;
    for (unsigned i = 4; i < width; i++)
        g |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return g;
}

static uint64_t mix(uint64_t g)
{
    g ^= g >> 33;
    g *= 0xff51afd7ed558ccdull;
    return g ^ (g >> 29);
}

/* Files an ASCII key for the screen. */
static int ascii_add(struct tl_lexicon *lx, const UChar32 *key, size_t n)
{
    if (lx->pool_len + n > lx->pool_cap) {
        size_t ncap = lx->pool_cap ? lx->pool_cap * 2 : 4096;
        while (ncap < lx->pool_len + n)
            ncap *= 2;
        char *np = tl_realloc(lx->pool, ncap);
        if (!np) return -1;
        lx->pool = np;
        lx->pool_cap = ncap;
    }
    if (lx->nat == lx->capat) {
        size_t ncap = lx->capat ? lx->capat * 2 : 256;
        struct ascii_term *na = tl_realloc(lx->at, ncap * sizeof *na);
        if (!na) return -1;
        lx->at = na;
        lx->capat = ncap;
    }
    char *k = lx->pool + lx->pool_len;
    for (size_t i = 0; i < n; i++)
        k[i] = (char)key[i];
    lx->at[lx->nat++] = (struct ascii_term){(uint32_t)n, lx->pool_len};
    lx->pool_len += n;
    return 0;
}

/* The short terms' exact value: up to three bytes. */
static uint32_t short_value(const char *p, size_t len)
{
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v << 7 | ((const unsigned char *)p)[i];
    return v;
}

/* The bit of the screen's bitmap for gram. */
static inline size_t gram_bit(const struct screen *sc, uint64_t gram)
{
    return (size_t)((gram * 0x9e3779b97f4a7c15ull) >> sc->shift);
}

static struct gram_slot *slot_of(const struct screen *sc, uint64_t gram)
{
    size_t i = (size_t)mix(gram) & sc->mask;
    while (sc->slots[i].count && sc->slots[i].gram != gram)
        i = (i + 1) & sc->mask;
    return &sc->slots[i];
}

/* The class of a term by its length; -1 for the short ones kept in exact sets. */
static int screen_class(const struct ascii_term *t)
{
    for (int c = NCLASSES - 1; c >= 0; c--)
        if (t->len >= classes[c].min_len) return c;
    return -1;
}

static int build_screen(struct tl_lexicon *lx)
{
    size_t count[NCLASSES] = {0};
    for (int c = 0; c < NCLASSES; c++) {
        /* an occurrence must cover a filed gram at a looked-up position */
        if (classes[c].min_len != classes[c].width + classes[c].stride - 1 ||
            classes[c].stride > 4 || classes[c].width > 8)
            return -1;
        lx->screen[c].width = classes[c].width;
        lx->screen[c].stride = classes[c].stride;
    }
    for (size_t i = 0; i < lx->nat; i++) {
        const struct ascii_term *t = &lx->at[i];
        int c = screen_class(t);
        if (c >= 0) {
            count[c] += lx->screen[c].stride; /* one gram per offset */
            continue;
        }
        if (!lx->short_bits[t->len] &&
            !(lx->short_bits[t->len] = tl_calloc((1u << (7 * t->len)) / 64 + 1, sizeof(uint64_t))))
            return -1;
        uint32_t v = short_value(lx->pool + t->off, t->len);
        lx->short_bits[t->len][v / 64] |= 1ull << (v % 64);
    }
    for (int c = 0; c < NCLASSES; c++) {
        struct screen *sc = &lx->screen[c];
        if (!count[c]) continue;
        size_t nslots = 16;
        while (nslots < count[c] * 2)
            nslots *= 2;
        /* sparse: a false pass costs a probe of the slots, far from the cache */
        size_t nbits = 1u << 15;
        sc->shift = 64 - 15;
        while (nbits < count[c] * 64 && nbits < (1u << 27)) {
            nbits *= 2;
            sc->shift--;
        }
        sc->bits = tl_calloc(nbits / 64, sizeof *sc->bits);
        sc->slots = tl_calloc(nslots, sizeof *sc->slots);
        sc->order = tl_malloc(count[c] * sizeof *sc->order);
        uint32_t *fill = tl_calloc(nslots, sizeof *fill);
        if (!sc->bits || !sc->slots || !sc->order || !fill) {
            tl_free(fill);
            return -1;
        }
        sc->mask = nslots - 1;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < lx->nat; i++) {
                if (screen_class(&lx->at[i]) != c) continue;
                for (unsigned o = 0; o < sc->stride; o++) {
                    uint64_t g = load_gram(lx->pool + lx->at[i].off + o, sc->width);
                    struct gram_slot *sl = slot_of(sc, g);
                    if (pass == 1) {
                        sc->order[sl->first + fill[sl - sc->slots]++] = (uint32_t)(i * 4 + o);
                        continue;
                    }
                    sl->gram = g;
                    sl->count++;
                    size_t b = gram_bit(sc, g);
                    sc->bits[b / 64] |= 1ull << (b % 64);
                }
            }
            if (pass == 0) {
                uint32_t at = 0;
                for (size_t i = 0; i < nslots; i++) {
                    sc->slots[i].first = at;
                    at += sc->slots[i].count;
                }
            }
        }
        tl_free(fill);
    }
    return 0;
}

/* Is a term of this class at the gram that starts at low[p] (p + width <= n)? */
static inline int class_hit(const struct tl_lexicon *lx, const struct screen *sc, unsigned width,
                            const char *low, size_t n, size_t p)
{
    uint64_t g = load_gram(low + p, width);
    size_t b = gram_bit(sc, g);
    if (!(sc->bits[b / 64] >> (b % 64) & 1)) return 0;
    const struct gram_slot *sl = slot_of(sc, g);
    for (uint32_t j = 0; j < sl->count; j++) {
        uint32_t e = sc->order[sl->first + j];
        const struct ascii_term *t = &lx->at[e / 4];
        size_t o = e % 4;
        if (o <= p && t->len <= n - (p - o) && !memcmp(low + p - o, lx->pool + t->off, t->len))
            return 1;
    }
    return 0;
}

/* Does any term whose key is ASCII occur in low[0..n) (ASCII, lower case)? */
static int screen_hit(const struct tl_lexicon *lx, const char *low, size_t n)
{
    if (lx->short_bits[1] || lx->short_bits[2] || lx->short_bits[3])
        for (size_t p = 0; p < n; p++)
            for (size_t len = 1; len < 4 && len <= n - p; len++) {
                const uint64_t *set = lx->short_bits[len];
                uint32_t v;
                if (set && (v = short_value(low + p, len), set[v / 64] >> (v % 64) & 1)) return 1;
            }
            /* the widths are constants in each loop, so each gram is one or two loads */
#define SCAN(c)                                                                                    \
    if (lx->screen[c].bits)                                                                        \
        for (size_t p = 0; p + classes[c].width <= n; p += classes[c].stride)                      \
            if (class_hit(lx, &lx->screen[c], classes[c].width, low, n, p)) return 1;
    SCAN(0)
    SCAN(1)
    SCAN(2)
#undef SCAN
    return 0;
}

tl_err tl__lexicon_add(struct tl_lexicon *lx, const char *term)
{
    size_t n = strlen(term);
    if (!tl__utf8_valid(term, n)) return TL_EINVAL;
    struct keys k = {NULL, NULL, 0, 0};
    if (normalize(lx, term, n, &k)) {
        keys_free(&k);
        return TL_ENOMEM;
    }
    if (k.n == 0) {
        keys_free(&k);
        return TL_EINVAL;
    }
    uint32_t node = 0;
    for (size_t i = 0; i < k.n; i++) {
        uint32_t next = child(lx, node, k.key[i]);
        if (!next) {
            if ((lx->nedges + 1) * 2 > lx->capedges && grow_edges(lx)) goto oom;
            int64_t nn = new_node(lx);
            if (nn < 0) goto oom;
            next = (uint32_t)nn;
            size_t slot = edge_slot(lx, node, k.key[i]);
            lx->edges[slot].node = node + 1;
            lx->edges[slot].c = k.key[i];
            lx->edges[slot].child = next;
            lx->nedges++;
        }
        node = next;
    }
    if (lx->out[node] < k.n) lx->out[node] = (uint32_t)k.n;
    int ascii = 1;
    for (size_t i = 0; i < k.n; i++)
        ascii &= k.key[i] < 0x80;
    if (ascii && ascii_add(lx, k.key, k.n)) goto oom;
    lx->n++;
    lx->built = 0;
    keys_free(&k);
    return TL_OK;
oom:
    keys_free(&k);
    return TL_ENOMEM;
}

/* Failure links, breadth first; out[] gains the longest term along each chain. */
static int build(struct tl_lexicon *lx)
{
    /* bucket the edges by parent: node p's edges are kids[start[p] .. start[p + 1]) */
    uint32_t nn = lx->nnodes;
    uint32_t *start = tl_calloc((size_t)nn + 1, sizeof *start);
    uint32_t *fill = tl_calloc((size_t)nn + 1, sizeof *fill);
    uint32_t *kids = tl_malloc((lx->nedges ? lx->nedges : 1) * sizeof *kids);
    uint32_t *queue = tl_malloc((size_t)nn * sizeof *queue);
    int rc = -1;
    if (!start || !fill || !kids || !queue) goto out;
    for (size_t i = 0; i < lx->capedges; i++)
        if (lx->edges[i].node) start[lx->edges[i].node]++; /* counts p's edges at p + 1 */
    for (uint32_t p = 1; p <= nn; p++)
        start[p] += start[p - 1];
    memcpy(fill, start, ((size_t)nn + 1) * sizeof *fill);
    for (size_t i = 0; i < lx->capedges; i++)
        if (lx->edges[i].node) kids[fill[lx->edges[i].node - 1]++] = (uint32_t)i;
    size_t head = 0, tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t j = start[u]; j < start[u + 1]; j++) {
            const struct edge *e = &lx->edges[kids[j]];
            uint32_t v = e->child;
            if (u == 0) {
                lx->fail[v] = 0;
            } else {
                uint32_t f = lx->fail[u], next;
                while (!(next = child(lx, f, e->c)) && f)
                    f = lx->fail[f];
                lx->fail[v] = next;
            }
            if (lx->out[lx->fail[v]] > lx->out[v]) lx->out[v] = lx->out[lx->fail[v]];
            queue[tail++] = v;
        }
    }
    if (build_screen(lx)) goto out;
    for (UChar32 c = 0; c < 128; c++)
        lx->root_next[c] = child(lx, 0, c);
    lx->built = 1;
    rc = 0;
out:
    tl_free(start);
    tl_free(fill);
    tl_free(kids);
    tl_free(queue);
    return rc;
}

tl_err tl__lexicon_ready(struct tl_lexicon *lx)
{
    return lx->built || lx->n == 0 || build(lx) == 0 ? TL_OK : TL_ENOMEM;
}

/*
 * Lower-cases s[0..n) into low if it is all ASCII (returns 1), eight bytes at
 * a time: in a word without bit 7 set, adding 0x3f to a byte sets its bit 7
 * when it is >= 'A', adding 0x25 when it is > 'Z', and nothing carries.
 */
static int lower_ascii(const char *s, size_t n, char *low)
{
    const uint64_t hi = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & hi) return 0;
        uint64_t upper = (w + 0x3f3f3f3f3f3f3f3full) & ~(w + 0x2525252525252525ull) & hi;
        w |= upper >> 2;
        memcpy(low + i, &w, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) return 0;
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return 1;
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

tl_err tl__lexicon_redact(struct tl_lexicon *lx, const char *s, size_t n, struct tl_buf *out,
                          size_t *hits)
{
    *hits = 0;
    if (lx->n == 0) {
        if (!tl__utf8_valid(s, n)) return TL_EINVAL;
        tl__buf_append(out, s, n);
        return out->oom ? TL_ENOMEM : TL_OK;
    }
    if (!lx->built && build(lx)) return TL_ENOMEM;
    char stack[1024], *low = n <= sizeof stack ? stack : tl_malloc(n);
    if (!low) return TL_ENOMEM;
    if (lower_ascii(s, n, low)) { /* ASCII: the screen decides */
        int hit = screen_hit(lx, low, n);
        if (low != stack) tl_free(low);
        if (!hit) { /* nothing to redact */
            tl__buf_append(out, s, n);
            return out->oom ? TL_ENOMEM : TL_OK;
        }
    } else if (low != stack) {
        tl_free(low);
    }
    if (!tl__utf8_valid(s, n)) return TL_EINVAL;
    struct keys k = {NULL, NULL, 0, 0};
    if (normalize(lx, s, n, &k)) {
        keys_free(&k);
        return TL_ENOMEM;
    }
    /*
     * Every occurrence of a term lies within the longest term ending where it
     * ends, so the union of those matches covers them all; overlapping matches
     * merge into one replacement.
     */
    size_t copied = 0;               /* original bytes already written */
    size_t cur_from = 0, cur_to = 0; /* the pending replacement, in key units */
    int pending = 0;
    uint32_t state = 0;
    for (size_t i = 0; i <= k.n; i++) {
        size_t mstart = 0;
        int matched = 0;
        if (i < k.n) {
            uint32_t next;
            UChar32 c = k.key[i];
            while (state && !(next = child(lx, state, c)))
                state = lx->fail[state];
            if (!state) next = c < 128 ? lx->root_next[c] : child(lx, 0, c);
            state = next;
            if (lx->out[state]) {
                matched = 1;
                mstart = i + 1 - lx->out[state];
            }
        }
        if (pending && (i == k.n || (matched && mstart > cur_to))) {
            size_t from = k.spans[cur_from];
            size_t to = next_cp(s, n, k.spans[cur_to]);
            if (from < copied) from = copied;
            tl__buf_append(out, s + copied, from - copied);
            tl__buf_puts(out, TL_REDACTED);
            copied = to;
            (*hits)++;
            pending = 0;
        }
        if (matched) {
            if (pending) {
                if (mstart < cur_from) cur_from = mstart;
                cur_to = i;
            } else {
                cur_from = mstart;
                cur_to = i;
                pending = 1;
            }
        }
    }
    tl__buf_append(out, s + copied, n - copied);
    keys_free(&k);
    return out->oom ? TL_ENOMEM : TL_OK;
}
