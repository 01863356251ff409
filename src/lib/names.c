/*
 * names.c: preparing and scoring names across scripts (names.h, docs/names.md).
 *
 * A name becomes one or more variants (the text outside brackets, and each
 * bracketed alternative), each a short list of tokens. A token carries two
 * forms over a small alphabet of sound classes: the folded form (vowel runs
 * as one vowel, digraphs as one class: kh = h, sh, ch, zh = j, w = v ...)
 * compared between romanized tokens, and the consonant skeleton compared
 * whenever one side is in Arabic script, which writes no short vowels. An
 * Arabic letter may stand for several classes (ذ is d or z, ق is k or g), so
 * skeleton letters are sets and two letters match when the sets meet.
 */
#include "tearline/names.h"

#include "names_int.h"
#include "par.h"
#include "uf.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uchar.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#define TOKMAX 24          /* classes in a token's folded form or skeleton */
#define COMMON_WEIGHT 0.7f /* the weight of a very common given name */
#define ORG_WEIGHT 0.4f    /* the weight of a generic word of organizations (org_words) */
#define MIN_TOKEN 0.75     /* token pairs below this are not matched */
#define WORDMAX 48         /* code points in a word before folding */
#define NTOK 16            /* tokens in a variant */
#define NVAR 4             /* variants in a name */
#define SHOWN 32           /* bytes of a token as shown in explanations */

/* Sound classes 1..26 are the letters a..z (a: any vowel; x: sh; c: ch, ts). */
#define CLS(ch) ((uint8_t)((ch) - 'a' + 1))
#define VOWEL CLS('a')
/* Classes above 26 are sets, for Arabic letters that romanize several ways. */
enum {
    SET_BP = 27, /* ب */
    SET_TS,      /* ث: th, s, t */
    SET_JG,      /* ج: j, g */
    SET_HK,      /* خ: kh, h, k */
    SET_DZ,      /* ذ ض: dh, d, z */
    SET_ZDT,     /* ظ: z, dh, th */
    SET_SC,      /* س ص: s, c */
    SET_KG,      /* ق: q, k, g */
    SET_FV,      /* ف: f, v */
    SET_JZ,      /* ژ: zh, j, z */
    SET_XC,      /* ش: sh, ch (French) */
    NCLASS
};

/*
 * Codes of the sequences aligned across scripts (align()): consonant
 * classes as above; Latin vowels by quality, short or long (doubled, ou, ee);
 * Arabic long vowels and the semivowels that may be consonants.
 */
enum {
    LV_A = 48,
    LV_E,
    LV_I,
    LV_U, /* a; e; i, y; o, u */
    LV_AL,
    LV_EL,
    LV_IL,
    LV_UL, /* the same, long */
    AV_ANY,
    AV_A,
    AV_W,
    AV_Y,    /* a word's first alef or ʿayn; ا; و; ي */
    AV_AY,   /* ى: -a, or -i in Egyptian spelling */
    AV_HOPT, /* a final ه: h, or silent */
    AV_TOPT, /* a final ة: h, t before a genitive (ʿUsbat al-Ansar), or silent */
    AV_WOPT, /* و, ي after a first ع or ا: a vowel the first Latin one may stand for */
    AV_YOPT,
    DIGRAPH = 128, /* + its index in digraphs[]: a two-letter Latin digraph */
};

static uint32_t class_mask[NCLASS];

enum kind { PLAIN, KUNYA, NISBA, PATRONYMIC, ABD };
enum { GEN_NONE, GEN_COMMON, GEN_WEAK }; /* how generic a variant is */
static const char *const kind_name[] = {"", "abu:", "nisba:", "patr:", ""};

/* What scoring reads of a token (struct tok_cold has the rest). */
struct tok {
    uint64_t h;     /* of what token_sim reads, for the similarity cache */
    uint64_t bits;  /* romanized: the classes of lv; Arabic: unused (see quick_reject) */
    uint64_t bits2; /* romanized: the classes lv holds twice or more */
    uint64_t have;  /* romanized: the classes its seq can match (present_bits) */
    float w;
    uint8_t kind, arabic, ns, nq, nl, common, org;
    uint8_t extra;       /* romanized: letters of lv after the second of their class */
    uint8_t ncost;       /* romanized: codes of seq that align() charges for if unmatched */
    uint8_t nopt;        /* Arabic: the optional letters of seq (the others must match) */
    uint8_t lv[TOKMAX];  /* romanized tokens only: vowels by quality, for comparing */
    uint8_t seq[TOKMAX]; /* for aligning with the other script: see align() */
    uint8_t skel[TOKMAX];
};

/* What keys and explanations read of a token, kept apart (after a name's tokens). */
struct tok_cold {
    uint8_t nf, nalt;
    uint8_t fold[TOKMAX]; /* romanized tokens only: vowels as one, for keys and lists */
    uint8_t alt[TOKMAX];  /* another reading of the skeleton, for keys (nalt 0: none) */
    char shown[SHOWN];
};

struct tl_name {
    uint8_t nv, ntok, arabic; /* arabic: a token in Arabic script */
    uint8_t start[NVAR + 1];  /* variant v is t[start[v] .. start[v + 1]) */
    uint8_t generic[NVAR];    /* GEN_NONE, GEN_COMMON or GEN_WEAK */
    float wsum[NVAR];
    struct tok t[]; /* ntok of them, then ntok struct tok_cold */
};

static const struct tok_cold *colds(const tl_name *n)
{
    return (const struct tok_cold *)(const void *)(n->t + n->ntok);
}

/*
 * Given names so common that they alone say little of who is meant: in
 * Latin spellings (compared by folded form, which merges their variants)
 * and in Arabic script (compared letter for letter after folding).
 */
static const char *const common_latin[] = {
    "muhammad", "mohammed", "mohamed", "mohamad",  "magomed",  "mukhammad", "ahmad",    "ahmed",
    "akhmed",   "mahmud",   "mahmoud", "ali",      "hasan",    "hassan",    "husayn",   "hussein",
    "husain",   "hussain",  "ibrahim", "umar",     "omar",     "uthman",    "usman",    "osman",
    "khalid",   "yusuf",    "yousef",  "youssef",  "mustafa",  "mostafa",   "ismail",   "yahya",
    "musa",     "isa",      "salih",   "saleh",    "said",     "sayed",     "sayyid",   "hamid",
    "hamza",    "abbas",    "jamal",   "nasir",    "nasser",   "nur",       "amir",     "bilal",
    "tariq",    "adil",     "faisal",  "zakariya", "sulayman", "sulaiman",  "suleiman", "jafar",
    "rashid",   "karim",    "aziz",    "salim",    "salem",    "mansur",    "majid",    "walid",
    "khalil",   "usama",    "osama",   "idris",    "ilyas",    "yunus",     "harun",    "dawud",
    "daud",     "islam",    "ruslan",  "shamil",   "abubakr",  "abubakar",  "abdallah", "abdullah",
};
static const char32_t *const common_arabic[] = {
    U"محمد",  U"احمد",  U"محمود", U"علي",   U"حسن",    U"حسين",    U"ابراهيم", U"عمر",
    U"عثمان", U"خالد",  U"يوسف",  U"مصطفي", U"مصطفى",  U"اسماعيل", U"يحيي",    U"يحيى",
    U"موسي",  U"موسى",  U"عيسي",  U"عيسى",  U"صالح",   U"سعيد",    U"سيد",     U"حامد",
    U"حمزه",  U"حمزة",  U"عباس",  U"جمال",  U"ناصر",   U"نور",     U"امير",    U"بلال",
    U"طارق",  U"عادل",  U"فيصل",  U"زكريا", U"سليمان", U"جعفر",    U"رشيد",    U"كريم",
    U"عزيز",  U"سالم",  U"منصور", U"ماجد",  U"وليد",   U"خليل",    U"اسامه",   U"اسامة",
    U"ادريس", U"الياس", U"يونس",  U"هارون", U"داود",   U"ابوبكر",  U"عبدلله",
};

#define NCOMMON (sizeof common_latin / sizeof common_latin[0])

struct tl_names {
    UTransliterator *ru, *any;
    const UNormalizer2 *nfkc_cf, *nfd;
    uint8_t common_fold[NCOMMON][TOKMAX]; /* the folded forms of common_latin */
    uint8_t common_nf[NCOMMON];
};

/* A word between separators: ASCII letters once romanized, else Arabic letters. */
struct word {
    int arabic;
    int n;
    uint32_t c[WORDMAX];
    int after_article; /* came after al-, ash- ... (a nisba, if it ends in -i) */
    int org;           /* a generic word of organizations' names (see org_words) */
};

/* ---- classes ---- */

static void init_classes(void)
{
    if (class_mask[1]) return; /* the same values every time: a benign race */
    uint32_t m[NCLASS];
    for (int i = 1; i <= 26; i++)
        m[i] = 1u << (i - 1);
#define B(ch) (1u << ((ch) - 'a'))
    m[SET_BP] = B('b') | B('p');
    m[SET_TS] = B('t') | B('s');
    m[SET_JG] = B('j') | B('g');
    m[SET_HK] = B('h') | B('k');
    m[SET_DZ] = B('d') | B('z');
    m[SET_ZDT] = B('z') | B('d') | B('t');
    m[SET_SC] = B('s') | B('c');
    m[SET_KG] = B('k') | B('g');
    m[SET_FV] = B('f') | B('v');
    m[SET_JZ] = B('j') | B('z');
    m[SET_XC] = B('x') | B('c');
#undef B
    m[0] = 0;
    memcpy(class_mask, m, sizeof m);
}

/* ---- Jaro-Winkler over class strings ---- */

static inline int same(uint8_t x, uint8_t y)
{
    return x == y || (x < NCLASS && y < NCLASS && (class_mask[x] & class_mask[y]) != 0);
}

/*
 * Jaro-Winkler over class strings; SETS says whether a class may be a set
 * (Arabic skeletons) or only itself (romanized tokens: plain equality).
 */
#define JARO_WINKLER(NAME, SAME)                                                                   \
    static double NAME(const uint8_t *a, int na, const uint8_t *b, int nb)                         \
    {                                                                                              \
        if (!na || !nb) return 0.0;                                                                \
        int window = (na > nb ? na : nb) / 2 - 1;                                                  \
        if (window < 0) window = 0;                                                                \
        uint8_t ma[TOKMAX] = {0}, mb[TOKMAX] = {0};                                                \
        int m = 0;                                                                                 \
        for (int i = 0; i < na; i++) {                                                             \
            int lo = i - window < 0 ? 0 : i - window;                                              \
            int hi = i + window + 1 > nb ? nb : i + window + 1;                                    \
            for (int j = lo; j < hi; j++)                                                          \
                if (!mb[j] && SAME(a[i], b[j])) {                                                  \
                    ma[i] = mb[j] = 1;                                                             \
                    m++;                                                                           \
                    break;                                                                         \
                }                                                                                  \
        }                                                                                          \
        if (!m) return 0.0;                                                                        \
        int t = 0;                                                                                 \
        for (int i = 0, j = 0; i < na; i++)                                                        \
            if (ma[i]) {                                                                           \
                while (!mb[j])                                                                     \
                    j++;                                                                           \
                if (!SAME(a[i], b[j])) t++;                                                        \
                j++;                                                                               \
            }                                                                                      \
        double dm = m;                                                                             \
        double jaro = (dm / na + dm / nb + (dm - t / 2.0) / dm) / 3.0;                             \
        if (jaro < 0.7) return jaro;                                                               \
        int l = 0;                                                                                 \
        while (l < 4 && l < na && l < nb && SAME(a[l], b[l]))                                      \
            l++;                                                                                   \
        return jaro + l * 0.1 * (1.0 - jaro);                                                      \
    }

#define EQUAL(x, y) ((x) == (y))
JARO_WINKLER(jaro_winkler, same)
JARO_WINKLER(jaro_winkler_loop, EQUAL)

/*
 * Jaro-Winkler with plain equality, bit-parallel: for each letter of b the
 * positions it holds as bits, so that a letter of a finds its match (the
 * first free one in the window, as the loop takes) in a few instructions.
 * The same result as jaro_winkler_loop, which takes codes of 64 and above.
 */
static double jaro_winkler_plain(const uint8_t *a, int na, const uint8_t *b, int nb)
{
    if (!na || !nb) return 0.0;
    uint32_t pos[64];
    uint64_t present = 0;
    for (int j = 0; j < nb; j++) {
        if (b[j] >= 64) return jaro_winkler_loop(a, na, b, nb);
        if (!(present >> b[j] & 1)) pos[b[j]] = 0;
        present |= 1ull << b[j];
        pos[b[j]] |= 1u << j;
    }
    int window = (na > nb ? na : nb) / 2 - 1;
    if (window < 0) window = 0;
    uint32_t used_a = 0, used_b = 0;
    int m = 0;
    for (int i = 0; i < na; i++) {
        if (a[i] >= 64) return jaro_winkler_loop(a, na, b, nb);
        if (!(present >> a[i] & 1)) continue;
        int lo = i - window < 0 ? 0 : i - window;
        int hi = i + window + 1 > nb ? nb : i + window + 1;
        if (lo >= hi) continue;
        uint32_t in = (hi >= 32 ? ~0u : (1u << hi) - 1) & ~((1u << lo) - 1);
        uint32_t free = pos[a[i]] & in & ~used_b;
        if (!free) continue;
        used_b |= free & -free;
        used_a |= 1u << i;
        m++;
    }
    if (!m) return 0.0;
    int t = 0;
    for (uint32_t ra = used_a, rb = used_b; ra; ra &= ra - 1, rb &= rb - 1)
        t += a[__builtin_ctz(ra)] != b[__builtin_ctz(rb)];
    double dm = m;
    double jaro = (dm / na + dm / nb + (dm - t / 2.0) / dm) / 3.0;
    if (jaro < 0.7) return jaro;
    int l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l])
        l++;
    return jaro + l * 0.1 * (1.0 - jaro);
}

int tl__names_jw_mismatches(uint64_t seed, int rounds)
{
    int bad = 0;
    for (int r = 0; r < rounds; r++) {
        uint8_t a[TOKMAX], b[TOKMAX];
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int na = (int)((seed >> 33) % (TOKMAX + 1)), nb = (int)((seed >> 45) % (TOKMAX + 1));
        int alphabet = 2 + (int)((seed >> 20) % 59);
        for (int i = 0; i < na || i < nb; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if (i < na) a[i] = (uint8_t)(1 + (seed >> 40) % (uint64_t)alphabet);
            if (i < nb) b[i] = (uint8_t)(1 + (seed >> 50) % (uint64_t)alphabet);
        }
        bad += jaro_winkler_plain(a, na, b, nb) != jaro_winkler_loop(a, na, b, nb);
    }
    return bad;
}

/* ---- romanized tokens ---- */

static int is_vowel(uint32_t c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static inline __attribute__((always_inline)) int starts(const uint32_t *w, int n, int at,
                                                        const char *s)
{
    for (int i = 0; s[i]; i++)
        if (at + i >= n || w[at + i] != (uint32_t)(unsigned char)s[i]) return 0;
    return 1;
}

static const struct {
    const char *from;
    char to;
    int len;
} digraphs[] = {{"tsch", 'c', 4}, {"shch", 'x', 4}, {"dzh", 'j', 3}, {"tch", 'c', 3},
                {"sch", 'x', 3},  {"ch", 'c', 2},   {"sh", 'x', 2},  {"zh", 'j', 2},
                {"dj", 'j', 2},   {"kh", 'h', 2},   {"gh", 'g', 2},  {"ph", 'f', 2},
                {"th", 't', 2},   {"dh", 'd', 2},   {"ck", 'k', 2},  {"ts", 'c', 2},
                {"tz", 'c', 2},   {"q", 'k', 1},    {"w", 'v', 1}};

/* The consonant class at w[i] (a digraph or a letter; not a vowel); *used letters. */
static uint8_t consonant_at(const uint32_t *w, int n, int i, int *used)
{
    for (size_t d = 0; d < sizeof digraphs / sizeof digraphs[0]; d++)
        if ((unsigned char)digraphs[d].from[0] == w[i] && starts(w, n, i, digraphs[d].from)) {
            *used = digraphs[d].len;
            return CLS(digraphs[d].to);
        }
    *used = 1;
    return w[i] == 'y' ? CLS('y') : w[i] == 'x' ? CLS('s') : CLS(w[i]);
}

/* The index in digraphs[] of the two-letter digraph at w[i] (consonant_at found one). */
static int digraph_index(const uint32_t *w, int n, int i)
{
    for (size_t d = 0; d < sizeof digraphs / sizeof digraphs[0]; d++)
        if (digraphs[d].len == 2 && starts(w, n, i, digraphs[d].from)) return (int)d;
    return 0;
}

/* Is w[i] a vowel here? y is one except before a vowel at the start. */
static int vowel_at(const uint32_t *w, int n, int i)
{
    if (w[i] == 'y') return !(i + 1 < n && is_vowel(w[i + 1]));
    if (w[i] == 'w') return i > 0 && is_vowel(w[i - 1]) && !(i + 1 < n && is_vowel(w[i + 1]));
    return is_vowel(w[i]);
}

/*
 * The folded form of an ASCII word (lower case) into out; its length. Vowel
 * runs become one vowel, digraphs one class, doubled letters one; a final
 * -ah loses its h; x reads ks; w after a vowel and not before one is a vowel
 * (tawhid, taukhid).
 */
static int fold_latin_as(const uint32_t *w, int n, uint8_t *out, int split_h);

static int fold_latin(const uint32_t *w, int n, uint8_t *out)
{
    return fold_latin_as(w, n, out, 0);
}

/* split_h: read kh, sh, zh, th, dh, gh, ch as two letters (Lak-hal, Is-haq, Maz-hari). */
static int fold_latin_as(const uint32_t *w, int n, uint8_t *out, int split_h)
{
    int k = 0;
    for (int i = 0; i < n && k < TOKMAX;) {
        uint8_t cls;
        int used = 1;
        if (w[i] == '-') { /* where a compound was joined: no digraph across it */
            i++;
            continue;
        }
        if (vowel_at(w, n, i)) {
            cls = VOWEL;
        } else {
            if (w[i] == 'x' && k < TOKMAX - 1 && (!k || out[k - 1] != CLS('k')))
                out[k++] = CLS('k');
            cls = consonant_at(w, n, i, &used);
            if (split_h && used == 2 && i + 1 < n && w[i + 1] == 'h') {
                cls = w[i] == 'c' ? CLS('c') : CLS(w[i]);
                used = 1;
            }
        }
        i += used;
        if (k && out[k - 1] == cls) continue; /* doubled letters and vowel runs */
        out[k++] = cls;
    }
    if (k > 2 && out[k - 1] == CLS('h') && out[k - 2] == VOWEL) k--; /* -ah, -eh */
    return k;
}

/* The skeleton of a folded form: a vowel at the start, then consonants but y and v. */
static int skel_of_fold(const uint8_t *f, int n, uint8_t *out)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        uint8_t c = f[i];
        /* a final v stays: -ov, -ev are ف in Arabic spellings of Russian names */
        if (i > 0 && (c == VOWEL || c == CLS('y') || (c == CLS('v') && i < n - 1))) continue;
        if (k && out[k - 1] == c) continue;
        out[k++] = c;
    }
    return k;
}

static int latin_vowel(uint8_t c)
{
    return c >= LV_A && c <= LV_UL;
}

/* The quality of a Latin vowel letter. */
static uint8_t vowel_quality(uint32_t c)
{
    return c == 'a' ? LV_A : c == 'e' ? LV_E : c == 'i' || c == 'y' ? LV_I : LV_U;
}

/* The sequence of a romanized word for align(): consonant classes and vowels by quality. */
static int latin_seq(const uint32_t *w, int n, uint8_t *out)
{
    int k = 0, apart = 0; /* apart: a '-' (or an apostrophe) stood just before */
    for (int i = 0; i < n && k < TOKMAX;) {
        if (w[i] == '-') {
            apart = 1;
            i++;
            continue;
        }
        if (vowel_at(w, n, i)) {
            int j = i + 1;
            while (j < n && vowel_at(w, n, j))
                j++;
            /* a run: one vowel, long if doubled or ou; two if the qualities differ (ia);
             * vowels kept apart (Rabi'i) stay two */
            for (int v = i; v < j && k < TOKMAX; v++) {
                uint8_t q = w[v] == 'w' ? LV_U : vowel_quality(w[v]);
                uint8_t q2 = v + 1 < j ? (w[v + 1] == 'w' ? LV_U : vowel_quality(w[v + 1])) : 0;
                if (q2 == q && w[v] == w[v + 1]) {
                    out[k++] = (uint8_t)(q + (LV_AL - LV_A));
                    v++;
                } else if (!k || apart || (out[k - 1] != q && out[k - 1] != q + (LV_AL - LV_A))) {
                    out[k++] = q;
                }
                apart = 0;
            }
            i = j;
            continue;
        }
        apart = 0;
        int used;
        uint8_t cls = consonant_at(w, n, i, &used);
        if (w[i] == 'x' && k < TOKMAX - 1) out[k++] = CLS('k');
        /* sh, zh, kh, dj, ts ... may be two letters in Arabic (Is-haq, Az-har, Said-jan) */
        if (used == 2) cls = (uint8_t)(DIGRAPH + digraph_index(w, n, i));
        i += used;
        if (k && out[k - 1] == cls) continue;
        out[k++] = cls;
    }
    return k;
}

/* ---- Arabic script ---- */

/* Folds the letter variants; 0 drops the code point (marks, tatweel, hamza alone). */
static uint32_t arabic_fold(uint32_t c)
{
    switch (c) {
    case 0x0622:
    case 0x0623:
    case 0x0625:
    case 0x0671:
        return 0x0627; /* alef forms */
    /* ؤ and ئ stay: a glottal stop, written ' or not at all (al-Ta'i) */
    case 0x06CC:
    case 0x06D2:
        return 0x064A; /* yeh forms */
    /* alef maksura (ى) stays: a final -a, or -i in Egyptian spelling */
    case 0x06A9:
    case 0x06AA:
        return 0x0643; /* keheh */
    case 0x06BE:
    case 0x06C1:
    case 0x06D5:
        return 0x0647; /* heh forms */
    /* ta marbuta (ة) stays: compared as h, but silent at the end */
    case 0x0621:
    case 0x0640:
    case 0x0670:
        return 0; /* hamza, tatweel */
    default:
        break;
    }
    if ((c >= 0x064B && c <= 0x065F) || (c >= 0x06D6 && c <= 0x06ED)) return 0; /* harakat */
    return c;
}

/* The class of an Arabic letter inside a word; 0 for a long vowel or ʿayn. */
static uint8_t arabic_class(uint32_t c)
{
    switch (c) {
    case 0x0628:
        return SET_BP;
    case 0x067E:
        return CLS('p');
    case 0x062A:
    case 0x0637:
        return CLS('t');
    case 0x062B:
        return SET_TS;
    case 0x062C:
        return SET_JG;
    case 0x0686:
        return CLS('c');
    case 0x062D:
    case 0x0647:
    case 0x0629:
        return CLS('h');
    case 0x062E:
        return SET_HK;
    case 0x062F:
        return CLS('d');
    case 0x0636:
        return SET_DZ;
    case 0x0630: /* dh, d, z; th in the Gulf and Iraq */
    case 0x0638:
        return SET_ZDT;
    case 0x0631:
        return CLS('r');
    case 0x0632:
        return CLS('z');
    case 0x0698:
        return SET_JZ;
    case 0x0633:
    case 0x0635:
        return SET_SC;
    case 0x0634:
        return SET_XC;
    case 0x063A:
        return CLS('g');
    case 0x0641:
        return SET_FV;
    case 0x06A4:
        return CLS('v');
    case 0x0642:
    case 0x0643: /* ك: also g, in Pashto and Persian written with Arabic letters */
        return SET_KG;
    case 0x06AF:
        return CLS('g');
    case 0x0681: /* Pashto ځ dz, ږ zh, ښ sh, ټ t, ډ d, ړ r, ڼ n */
        return CLS('z');
    case 0x0696:
        return SET_JZ;
    case 0x069A:
        return SET_XC;
    case 0x067C:
    case 0x0679: /* Urdu ٹ t, ڈ d, ڑ r, ں n */
        return CLS('t');
    case 0x0689:
    case 0x0688:
        return CLS('d');
    case 0x0693:
    case 0x0691:
        return CLS('r');
    case 0x06BC:
    case 0x06BA:
        return CLS('n');
    case 0x0644:
        return CLS('l');
    case 0x0645:
        return CLS('m');
    case 0x0646:
        return CLS('n');
    default:
        return 0; /* ا و ي ع and anything else */
    }
}

static int arabic_skeleton_as(const uint32_t *w, int n, uint8_t *out, int final_h);

static int arabic_skeleton(const uint32_t *w, int n, uint8_t *out)
{
    return arabic_skeleton_as(w, n, out, 0);
}

/* final_h: keep a final ه or ة as h (Taha, not Talha's silent -a). */
static int arabic_skeleton_as(const uint32_t *w, int n, uint8_t *out, int final_h)
{
    int k = 0;
    for (int i = 0; i < n && k < TOKMAX; i++) {
        uint32_t c = w[i];
        uint8_t cls;
        if (i == 0 && (c == 0x0627 || c == 0x0639))
            cls = VOWEL;
        else if (i == 0 && c == 0x0648)
            cls = CLS('v');
        else if (i == 0 && c == 0x064A)
            cls = CLS('y');
        else if ((c == 0x0647 || c == 0x0629) && i == n - 1 && i > 0 && !final_h)
            continue; /* a final -a(h), as the romanized forms drop it */
        else
            cls = arabic_class(c);
        if (!cls) continue;
        if (k && out[k - 1] == cls) continue;
        out[k++] = cls;
    }
    return k;
}

/* The sequence of an Arabic word for align(): consonants and long vowels. */
/* The code of w[i] for align(), after prev; 0 to leave it out. */
static uint8_t arabic_code(const uint32_t *w, int n, int i, uint8_t prev)
{
    uint32_t c = w[i];
    if (i == 0 && (c == 0x0627 || c == 0x0639)) return AV_ANY;
    /* عا, آ: one vowel at the start; ʿayn inside a word: ' or nothing */
    if ((c == 0x0627 && prev == AV_ANY && i == 1) || c == 0x0639) return 0;
    if (prev == AV_ANY && i == 1 && c == 0x0648) return AV_WOPT; /* Ouni, Aweys */
    if (prev == AV_ANY && i == 1 && c == 0x064A) return AV_YOPT; /* Isa, Essa, Eisa */
    if (c == 0x0626) return AV_YOPT;
    if (c == 0x0624) return AV_WOPT;
    switch (c) {
    case 0x0627:
        return AV_A;
    case 0x0648:
        return AV_W;
    case 0x064A: /* at the end, ی is -i or -a */
        return i == n - 1 && i > 0 ? AV_AY : AV_Y;
    case 0x0649:
        return AV_AY;
    default:
        break;
    }
    if (c == 0x0629 && i == n - 1 && i > 0) return AV_TOPT;
    if (c == 0x0647 && i == n - 1 && i > 0) return AV_HOPT;
    return arabic_class(c);
}

static int arabic_seq(const uint32_t *w, int n, uint8_t *out)
{
    int k = 0;
    for (int i = 0; i < n && k < TOKMAX; i++) {
        uint8_t code = arabic_code(w, n, i, k ? out[k - 1] : 0);
        if (!code) continue;
        if (k && out[k - 1] == code && code < LV_A) continue; /* shadda is not written */
        out[k++] = code;
    }
    return k;
}

/* The class a Latin digraph code stands for as one sound (sh, zh = j, kh = h ...). */
static uint8_t digraph_class(uint8_t l)
{
    return CLS(digraphs[l - DIGRAPH].to);
}

/* The class of letter k (0 or 1) of a Latin digraph code, read as two letters. */
static uint8_t digraph_letter(uint8_t l, int k)
{
    return CLS(digraphs[l - DIGRAPH].from[k]);
}

/* What matching Arabic code a with Latin code l earns: 1, or 0 if they do not match. */
static int pair_gain(uint8_t a, uint8_t l)
{
    if (l >= DIGRAPH) l = digraph_class(l);
    uint8_t q = l >= LV_AL && l <= LV_UL ? (uint8_t)(l - (LV_AL - LV_A)) : l;
    switch (a) {
    case AV_ANY:
        return latin_vowel(l);
    case AV_A:
        return q == LV_A || q == LV_E;
    case AV_Y:
        return q == LV_I || q == LV_E || l == CLS('y');
    case AV_W:
        return q == LV_U || l == CLS('v');
    case AV_AY:
        return q == LV_A || q == LV_E || q == LV_I;
    case AV_WOPT:
        return q == LV_U || l == CLS('v');
    case AV_YOPT:
        return q == LV_I || q == LV_E || l == CLS('y');
    case AV_HOPT:
        return l == CLS('h');
    case AV_TOPT:
        return l == CLS('h') || l == CLS('t');
    default:
        return !latin_vowel(l) && a < NCLASS && l < NCLASS && (class_mask[a] & class_mask[l]) != 0;
    }
}

/*
 * The similarity of an Arabic-script word (a) and a romanized one (l): the
 * best alignment, each Arabic letter matched earning 1, and unmatched ones
 * costing half: an Arabic letter, a Latin consonant or a long Latin vowel.
 * Short Latin vowels are free, as Arabic does not write them. Divided by
 * the Arabic letters, so a romanization of exactly those letters scores 1.
 */
static int optional(uint8_t a)
{
    return a == AV_HOPT || a == AV_TOPT || a == AV_WOPT || a == AV_YOPT;
}

/* Bits for align()'s quick bound: letters a..z, then the vowel qualities a, e, i, u. */
#define QBIT(q) (1ull << (26 + (q)-LV_A))
#define LBIT(ch) (1ull << ((ch) - 'a'))

/* The Latin codes an Arabic code can match, as bits. */
static uint64_t accept_bits(uint8_t a)
{
    switch (a) {
    case AV_ANY:
        return QBIT(LV_A) | QBIT(LV_E) | QBIT(LV_I) | QBIT(LV_U);
    case AV_A:
        return QBIT(LV_A) | QBIT(LV_E);
    case AV_Y:
    case AV_YOPT:
        return QBIT(LV_I) | QBIT(LV_E) | LBIT('y');
    case AV_W:
    case AV_WOPT:
        return QBIT(LV_U) | LBIT('v');
    case AV_AY:
        return QBIT(LV_A) | QBIT(LV_E) | QBIT(LV_I);
    case AV_HOPT:
        return LBIT('h');
    case AV_TOPT:
        return LBIT('h') | LBIT('t');
    default:
        return a < NCLASS ? class_mask[a] : 0;
    }
}

/* Bits set in v (without a call: the baseline x86-64 has no popcnt instruction). */
static inline int popcount64(uint64_t v)
{
    v -= (v >> 1) & 0x5555555555555555ull;
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((v * 0x0101010101010101ull) >> 56);
}

/* accept_bits of each code that must match (0 for the optional ones), for quick_reject */
static uint64_t must_accept[256];
static int must_accept_ready;

static void init_must_accept(void)
{
    if (__atomic_load_n(&must_accept_ready, __ATOMIC_ACQUIRE)) return;
    for (int c = 0; c < 256; c++) /* the same values every time: a benign race */
        must_accept[c] = optional((uint8_t)c) ? 0 : accept_bits((uint8_t)c);
    __atomic_store_n(&must_accept_ready, 1, __ATOMIC_RELEASE);
}

static uint64_t lv_bit(uint8_t c)
{
    return c >= LV_A ? 1ull << (26 + (c - LV_A)) : 1ull << (c - 1);
}

static uint64_t lv_bits(const uint8_t *v, int n)
{
    uint64_t b = 0;
    for (int i = 0; i < n; i++)
        b |= lv_bit(v[i]);
    return b;
}

/* The bits of the Latin codes of a sequence (a digraph gives its sound and its two letters). */
static uint64_t present_bits(const uint8_t *l, int m)
{
    uint64_t b = 0;
    for (int j = 0; j < m; j++) {
        uint8_t c = l[j];
        if (c >= DIGRAPH) {
            b |= class_mask[digraph_class(c)] | class_mask[digraph_letter(c, 0)] |
                 class_mask[digraph_letter(c, 1)];
        } else if (c >= LV_A && c <= LV_UL) {
            b |= QBIT(c >= LV_AL ? c - (LV_AL - LV_A) : c);
        } else if (c < NCLASS) {
            b |= class_mask[c];
        }
    }
    return b;
}

/* The bits a Latin code offers to accept_bits (a digraph as its sound); 0 for none. */
static uint64_t offer_bits(uint8_t l)
{
    if (l >= DIGRAPH) l = digraph_class(l);
    if (latin_vowel(l)) return QBIT(l >= LV_AL ? l - (LV_AL - LV_A) : l);
    return l < NCLASS ? class_mask[l] : 0;
}

int tl__names_gain_mismatches(void)
{
    int bad = 0;
    for (int a = 1; a <= AV_YOPT; a++) {
        if (a >= NCLASS && a < AV_ANY) continue; /* no Arabic code */
        for (int l = 1; l < DIGRAPH + (int)(sizeof digraphs / sizeof digraphs[0]); l++) {
            if ((l > 26 && l < LV_A) || (l > LV_UL && l < DIGRAPH)) continue; /* no Latin code */
            bad += !pair_gain((uint8_t)a, (uint8_t)l) !=
                   !(accept_bits((uint8_t)a) & offer_bits((uint8_t)l));
        }
    }
    return bad;
}

static double align(const uint8_t *a, int n, const uint8_t *l, int m)
{
    /* in half points: a match earns 2, a letter left unmatched costs 1 */
    int S[TOKMAX + 1][TOKMAX + 1];
    /* pair_gain(a[i], l[j]) as one test: what a[i] accepts against what l[j] offers */
    uint64_t acc[TOKMAX], off[TOKMAX];
    int skip_l[TOKMAX], full = 0;
    for (int i = 0; i < n; i++) {
        acc[i] = accept_bits(a[i]);
        full += !optional(a[i]); /* an optional letter earns nothing: it only absorbs */
    }
    if (!full) return 0.0; /* token_sim has bounded the rest (quick_reject) */
    S[0][0] = 0;
    for (int j = 0; j < m; j++) {
        off[j] = offer_bits(l[j]);
        skip_l[j] = latin_vowel(l[j]) && l[j] < LV_AL ? 0 : 1; /* short vowels are free */
        S[0][j + 1] = S[0][j] - skip_l[j];
    }
    for (int i = 1; i <= n; i++) {
        int skip_a = optional(a[i - 1]) ? 0 : 1, gain = 2 * skip_a;
        /* a digraph read as its two letters: az-har is ز + ه, said-jan is د + ج, each letter
           earning what it earns alone (a final ة or ه nothing, so طه is no th) */
        int gain2 = i >= 2 ? (optional(a[i - 2]) ? 0 : 2) + gain : 0;
        S[i][0] = S[i - 1][0] - skip_a;
        for (int j = 1; j <= m; j++) {
            int best = S[i - 1][j] - skip_a;
            if (S[i][j - 1] - skip_l[j - 1] > best) best = S[i][j - 1] - skip_l[j - 1];
            /* a word's first alef or ʿayn is its first vowel, not a later one */
            if ((acc[i - 1] & off[j - 1]) && (a[i - 1] != AV_ANY || j == 1) &&
                S[i - 1][j - 1] + gain > best)
                best = S[i - 1][j - 1] + gain;
            if (l[j - 1] >= DIGRAPH && i >= 2 && pair_gain(a[i - 2], digraph_letter(l[j - 1], 0)) &&
                pair_gain(a[i - 1], digraph_letter(l[j - 1], 1)) && S[i - 2][j - 1] + gain2 > best)
                best = S[i - 2][j - 1] + gain2;
            S[i][j] = best;
        }
    }
    double sim = (double)S[n][m] / (2.0 * full);
    return sim < 0 ? 0 : sim > 1 ? 1 : sim;
}

/* ---- words ---- */

static int is_apostrophe(uint32_t c)
{
    return c == '\'' || c == '`' || c == 0x00B4 || c == 0x2018 || c == 0x2019 || c == 0x02BC ||
           c == 0x02BB || c == 0x02BE || c == 0x02BF || c == 0x02B9 || c == 0x02BA || c == 0x2032 ||
           c == 0x0301;
}

static inline __attribute__((always_inline)) int weq(const struct word *w, const char *s)
{
    return !w->arabic && w->n && w->c[0] == (unsigned char)s[0] && (int)strlen(s) == w->n &&
           starts(w->c, w->n, 0, s);
}

static int weq_u(const struct word *w, const char32_t *s)
{
    int i = 0;
    if (!w->arabic) return 0;
    for (; s[i]; i++)
        if (i >= w->n || w->c[i] != s[i]) return 0;
    return i == w->n;
}

static int wstarts_u(const struct word *w, const char32_t *s)
{
    int i = 0;
    for (; s[i]; i++)
        if (i >= w->n || w->c[i] != s[i]) return 0;
    return 1;
}

static int wends(const struct word *w, const char *s)
{
    int l = (int)strlen(s);
    return !w->arabic && w->n > l && starts(w->c, w->n, w->n - l, s);
}

static void wdrop_front(struct word *w, int k)
{
    memmove(w->c, w->c + k, (size_t)(w->n - k) * sizeof w->c[0]);
    w->n -= k;
}

static void wappend(struct word *w, const uint32_t *c, int n)
{
    for (int i = 0; i < n && w->n < WORDMAX; i++)
        w->c[w->n++] = c[i];
}

static void wappend_s(struct word *w, const char *s)
{
    for (; *s && w->n < WORDMAX; s++)
        w->c[w->n++] = (unsigned char)*s;
}

static int wends_u(const struct word *w, const char32_t *s)
{
    int l = 0;
    while (s[l])
        l++;
    if (!w->arabic || w->n < l) return 0;
    for (int i = 0; i < l; i++)
        if (w->c[w->n - l + i] != s[i]) return 0;
    return 1;
}

/* essabar, elsseid: an article written into the word before a doubled sun letter. */
static int assimilated_article(struct word *w)
{
    static const char sun[] = "tdszrnl";
    if (w->n < 6 || (w->c[0] != 'a' && w->c[0] != 'e')) return 0;
    int at = w->c[1] == 'l' && w->c[2] != 'l' ? 2 : 1;
    if (at == 1 && w->c[0] == 'a') return 0; /* Attiq, Assad, Azzam are names */
    uint32_t c = w->c[at];
    if (c > 0x7f || !strchr(sun, (int)c) || w->c[at + 1] != c) return 0;
    wdrop_front(w, at);
    return 1;
}

/* Latin particles: the article in its assimilated forms, "son of", "and", "the". */
static int latin_article(const struct word *w)
{
    static const char *const a[] = {"al", "el", "ul",  "il",  "ad", "ud",  "ed", "ar",
                                    "ur", "er", "as",  "us",  "es", "ash", "at", "az",
                                    "an", "un", "ath", "adh", "az", "ez",  "ix"};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
        if (weq(w, a[i])) return 1;
    return 0;
}

static int latin_particle(const struct word *w)
{
    static const char *const p[] = {"ibn", "bin", "bint", "ben", "bn",   "wal", "wa", "the",
                                    "of",  "and", "in",   "for", "ould", "ag",  "val"};
    if (latin_article(w)) return 1;
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (weq(w, p[i])) return 1;
    return 0;
}

static int arabic_particle(const struct word *w)
{
    return weq_u(w, U"بن") || weq_u(w, U"ابن") || weq_u(w, U"بنت") || weq_u(w, U"و") ||
           weq_u(w, U"ال") || weq_u(w, U"ولد") || weq_u(w, U"اغ");
}

/*
 * In a chain of bin-X (سيف الله بن عمر بن محمد بنحسين), a word that starts
 * with بن and runs on is the particle written together with the next name:
 * split it. Only where the chain shows بن written apart elsewhere, as many
 * names begin with those letters (Bandar, Binyamin).
 */
static void split_bin(struct word *w, int *n)
{
    int chain = 0;
    for (int i = 0; i < *n; i++)
        chain |= weq_u(&w[i], U"بن") || weq_u(&w[i], U"ابن");
    if (!chain) return;
    for (int i = 1; i < *n && *n < NTOK; i++) {
        if (!w[i].arabic || w[i].n < 5 || !wstarts_u(&w[i], U"بن")) continue;
        memmove(&w[i + 1], &w[i], (size_t)(*n - i) * sizeof *w);
        (*n)++;
        w[i].n = 2; /* بن */
        w[i + 1].n -= 2;
        memmove(w[i + 1].c, w[i + 1].c + 2, (size_t)w[i + 1].n * sizeof w[i + 1].c[0]);
        i++;
    }
}

static int particle(const struct word *w)
{
    return w->arabic ? arabic_particle(w) : latin_particle(w);
}

static int kunya_word(const struct word *w)
{
    return weq(w, "abu") || weq(w, "abou") || weq(w, "abo") || weq(w, "aboo") || weq(w, "abi") ||
           weq(w, "umm") || weq(w, "um") || weq(w, "oum") || weq_u(w, U"ابو") || weq_u(w, U"ابي") ||
           weq_u(w, U"ام");
}

/* The Latin demonyms that a nisba translates ("the Chechen" is al-Shishani). */
static const struct {
    const char *demonym, *nisba;
} demonyms[] = {
    {"chechen", "shishani"},     {"syrian", "shami"},      {"egyptian", "masri"},
    {"iraqi", "iraqi"},          {"libyan", "libi"},       {"tunisian", "tunisi"},
    {"jordanian", "urduni"},     {"german", "almani"},     {"turkish", "turki"},
    {"kurdish", "kurdi"},        {"uzbek", "uzbeki"},      {"tajik", "tajiki"},
    {"dagestani", "daghestani"}, {"ingush", "ingushi"},    {"kazakh", "kazakhi"},
    {"afghan", "afghani"},       {"russian", "rusi"},      {"american", "amriki"},
    {"british", "britani"},      {"french", "faransi"},    {"belgian", "baljiki"},
    {"saudi", "saudi"},          {"yemeni", "yamani"},     {"sudanese", "sudani"},
    {"moroccan", "maghribi"},    {"algerian", "jazairi"},  {"palestinian", "filastini"},
    {"lebanese", "lubnani"},     {"somali", "somali"},     {"kuwaiti", "kuwaiti"},
    {"pakistani", "pakistani"},  {"azerbaijani", "azeri"}, {"georgian", "gurji"},
};

static int nisba_known(const struct word *w)
{
    for (size_t i = 0; i < sizeof demonyms / sizeof demonyms[0]; i++)
        if (weq(w, demonyms[i].nisba)) return 1;
    return 0;
}

/* "abd" + a linking vowel or article + the rest: Abdurrahman is abd + rahman. */
static void abd_compound(struct word *w)
{
    static const char *const allah[] = {"ullah", "allah", "ulla",  "alla", "ellah", "ella",
                                        "ollah", "olla",  "illah", "ilah", "ulah",  "alah"};
    static const char *const link[] = {"ul", "al", "el", "ol", "ur", "ar", "er", "us", "as",
                                       "un", "an", "ud", "ad", "u",  "i",  "o",  "e",  "a"};
    if (w->arabic || w->n < 6 || !starts(w->c, w->n, 0, "abd") || w->c[3] == '-') return;
    for (size_t i = 0; i < sizeof allah / sizeof allah[0]; i++)
        if ((int)strlen(allah[i]) == w->n - 3 && starts(w->c, w->n, 3, allah[i])) {
            w->n = 3;
            wappend_s(w, "-allah");
            return;
        }
    for (size_t i = 0; i < sizeof link / sizeof link[0]; i++) {
        int l = (int)strlen(link[i]);
        if (w->n - 3 - l >= 3 && starts(w->c, w->n, 3, link[i])) {
            memmove(w->c + 4, w->c + 3 + l, (size_t)(w->n - 3 - l) * sizeof w->c[0]);
            w->c[3] = '-';
            w->n -= l - 1;
            return;
        }
    }
}

/* X-uddin, X-eddine, X al-Din: X + din. */
static void din_compound(struct word *w)
{
    static const char *const suf[] = {"uddin",  "eddin",  "addin", "iddin", "oddin", "uddeen",
                                      "eddine", "eddeen", "aldin", "uldin", "eldin", "udin",
                                      "edin",   "adin",   "ddin",  "ddine"};
    for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++) {
        int l = (int)strlen(suf[i]);
        if (w->n - l >= 3 && wends(w, suf[i])) {
            w->n -= l;
            wappend_s(w, "-din");
            return;
        }
    }
}

/* Azizurrahman, Habibur-rahman: X + rahman (not abd, which abd_compound reads). */
static void rahman_compound(struct word *w)
{
    static const char *const suf[] = {"urrahman", "irrahman", "arrahman", "ulrahman", "urahman",
                                      "irahman",  "urehman",  "urrehman", "irehman"};
    if (w->n > 3 && starts(w->c, w->n, 0, "abd")) return;
    for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++) {
        int l = (int)strlen(suf[i]);
        if (w->n - l >= 3 && wends(w, suf[i])) {
            w->n -= l;
            wappend_s(w, "-rahman");
            return;
        }
    }
}

/* ---- preparing ---- */

tl_err tl_names_new(tl_names **out)
{
    *out = NULL;
    init_classes();
    init_must_accept();
    tl_names *nx = tl_calloc(1, sizeof *nx);
    if (!nx) return TL_ENOMEM;
    UErrorCode ec = U_ZERO_ERROR;
    nx->nfkc_cf = unorm2_getNFKCCasefoldInstance(&ec);
    if (!U_FAILURE(ec)) nx->nfd = unorm2_getNFDInstance(&ec);
    UChar id[64];
    u_uastrcpy(id, "Russian-Latin/BGN");
    if (!U_FAILURE(ec)) nx->ru = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &ec);
    u_uastrcpy(id, "Any-Latin");
    if (!U_FAILURE(ec)) nx->any = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &ec);
    if (U_FAILURE(ec)) {
        tl_names_free(nx);
        return TL_EINVAL;
    }
    for (size_t i = 0; i < NCOMMON; i++) {
        uint32_t w[WORDMAX];
        int n = 0;
        for (const char *c = common_latin[i]; *c && n < WORDMAX; c++)
            w[n++] = (unsigned char)*c;
        nx->common_fold[i][0] = 0;
        nx->common_nf[i] = (uint8_t)fold_latin(w, n, nx->common_fold[i]);
    }
    *out = nx;
    return TL_OK;
}

void tl_names_free(tl_names *nx)
{
    if (!nx) return;
    if (nx->ru) utrans_close(nx->ru);
    if (nx->any) utrans_close(nx->any);
    tl_free(nx);
}

/* Special Latin letters NFD does not decompose. */
static const char *latin_special(uint32_t c)
{
    switch (c) {
    case 0x00DF:
        return "ss";
    case 0x00E6:
        return "ae";
    case 0x00F8:
        return "o";
    case 0x0153:
        return "oe";
    case 0x0142:
        return "l";
    case 0x0111:
    case 0x00F0:
        return "d";
    case 0x00FE:
        return "th";
    case 0x0131:
        return "i";
    case 0x0127:
        return "h";
    case 0x014B:
        return "n";
    case 0x017F:
        return "s";
    default:
        return NULL;
    }
}

/* Romanized UTF-16 text (one word) to ASCII letters in w. */
static void to_ascii(tl_names *nx, const UChar *s, int32_t n, struct word *w)
{
    UChar buf[WORDMAX * 4];
    UErrorCode ec = U_ZERO_ERROR;
    int32_t m = unorm2_normalize(nx->nfd, s, n, buf, (int32_t)(sizeof buf / sizeof buf[0]), &ec);
    if (U_FAILURE(ec)) m = 0;
    w->arabic = 0;
    w->n = 0;
    UChar32 cps[WORDMAX * 4];
    int32_t ncp = 0;
    u_strToUTF32(cps, WORDMAX * 4, &ncp, buf, m, &ec);
    if (U_FAILURE(ec)) ncp = 0;
    for (int32_t i = 0; i < ncp && w->n < WORDMAX; i++) {
        UChar32 c = cps[i];
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if ((c >= 'a' && c <= 'z') || (c == '-' && w->n && w->c[w->n - 1] != '-'))
                w->c[w->n++] = (uint32_t)c;
            continue;
        }
        const char *sp = latin_special((uint32_t)u_tolower(c));
        if (sp) wappend_s(w, sp);
    }
    while (w->n && w->c[w->n - 1] == '-')
        w->n--;
}

/* One word of the normalized name: romanized, or kept as folded Arabic letters. */
static void make_word(tl_names *nx, const uint32_t *cp, int n, struct word *w)
{
    memset(w, 0, sizeof *w);
    UErrorCode ec = U_ZERO_ERROR;
    UScriptCode sc = USCRIPT_LATIN;
    for (int i = 0; i < n; i++)
        if (u_isalpha((UChar32)cp[i])) {
            sc = uscript_getScript((UChar32)cp[i], &ec);
            break;
        }
    if (sc == USCRIPT_ARABIC) {
        w->arabic = 1;
        for (int i = 0; i < n && w->n < WORDMAX; i++) {
            uint32_t f = cp[i] == '-' ? 0 : arabic_fold(cp[i]);
            if (f) w->c[w->n++] = f;
        }
        return;
    }
    UChar u[WORDMAX * 8];
    int32_t un = 0, cap = (int32_t)(sizeof u / sizeof u[0]);
    u_strFromUTF32(u, cap, &un, (const UChar32 *)cp, n, &ec);
    if (U_FAILURE(ec)) un = 0;
    if (sc != USCRIPT_LATIN && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
        UTransliterator *t = sc == USCRIPT_CYRILLIC ? nx->ru : nx->any;
        int32_t lim = un;
        ec = U_ZERO_ERROR;
        utrans_transUChars(t, u, &un, cap, 0, &lim, &ec);
        if (U_FAILURE(ec)) un = 0;
    }
    to_ascii(nx, u, un, w);
}

/* The words of a text segment, after the naming rules; returns the count. */
static int apply_rules(struct word *w, int n)
{
    /* flag words after an article, then drop particles and join compounds */
    struct word out[NTOK];
    int k = 0;
    for (int i = 0; i < n; i++) {
        struct word *x = &w[i];
        if (!x->n) continue;
        if (x->arabic && x->n > 3 && wstarts_u(x, U"وال")) wdrop_front(x, 1);
        if (x->arabic && x->n > 4 &&
            wends_u(x, U"الله")) { /* خيرالله: the article's alef is silent */
            memmove(x->c + x->n - 4, x->c + x->n - 3, 3 * sizeof x->c[0]);
            x->n--;
        }
        if (!x->arabic && assimilated_article(x)) x->after_article = 1;
        if (!x->arabic && x->n >= 8 &&
            (starts(x->c, x->n, 0, "binal") || starts(x->c, x->n, 0, "benal") ||
             starts(x->c, x->n, 0, "ibnal"))) { /* Binalshibh: bin al-Shibh */
            wdrop_front(x, 5);
            x->after_article = 1;
        }
        if (x->arabic && x->n > 6 && wends_u(x, U"الدين")) { /* نورالدين */
            memmove(x->c + x->n - 5, x->c + x->n - 3, 3 * sizeof x->c[0]);
            x->n -= 2;
        }
        if (x->arabic && x->n >= 4 && wstarts_u(x, U"ال") && !weq_u(x, U"الله")) {
            wdrop_front(x, 2);
            x->after_article = 1;
        }
        if (i > 0 && !w[i - 1].arabic && latin_article(&w[i - 1])) x->after_article = 1;
        /* X ad-Din, X-ullah: join to the word before */
        int din = weq(x, "din") || weq(x, "deen") || weq(x, "dine") || weq(x, "eldin") ||
                  weq(x, "ddin") || weq(x, "ddine") || weq(x, "ddeen") || weq(x, "eddin") ||
                  weq(x, "eddine") || weq(x, "uddin") || weq(x, "addin") || weq(x, "aldin") ||
                  weq(x, "uldin") || weq_u(x, U"دين");
        /* X ur-Rahman (Aziz ur-Rahman, عزيز الرحمن): one name, as Abd al-Rahman is */
        int rahman = x->after_article && k > 0 && out[k - 1].arabic == x->arabic &&
                     !weq(&out[k - 1], "abd") && !weq_u(&out[k - 1], U"عبد") &&
                     (weq(x, "rahman") || weq(x, "rehman") || weq(x, "rahmane") ||
                      weq(x, "rahmon") || weq_u(x, U"رحمن") || weq_u(x, U"رحمان"));
        if (rahman) {
            if (!x->arabic) wappend_s(&out[k - 1], "-");
            wappend(&out[k - 1], x->c, x->n);
            continue;
        }
        /* Persian and Pashto suffixes written apart: Akhund zada, Shahid khel */
        int suffix = weq(x, "zada") || weq(x, "zadeh") || weq(x, "zade") || weq(x, "khel") ||
                     weq(x, "khil") || weq(x, "jan") || weq_u(x, U"جان") || weq_u(x, U"زاده") ||
                     weq_u(x, U"خيل");
        if (suffix && k > 0 && out[k - 1].arabic == x->arabic) {
            if (!x->arabic) wappend_s(&out[k - 1], "-");
            wappend(&out[k - 1], x->c, x->n);
            continue;
        }
        int allah = weq(x, "allah") || weq(x, "ullah") || weq(x, "ulla") || weq(x, "ollah") ||
                    weq(x, "alla") || weq(x, "illah") || weq_u(x, U"الله");
        if ((din || allah) && k > 0 && out[k - 1].arabic == x->arabic) {
            struct word *p = &out[k - 1];
            if (p->arabic)
                wappend(p, allah ? (const uint32_t *)U"لله" : x->c, allah ? 3 : x->n);
            else
                wappend_s(p, allah ? "-allah" : "-din");
            continue;
        }
        if (particle(x)) continue;
        if (k == NTOK) break;
        out[k++] = *x;
    }
    /* abd + X; kunya; solid compounds; nisba and patronymic marks */
    int m = 0;
    for (int i = 0; i < k; i++) {
        struct word *x = &out[i];
        int abd = weq(x, "abd") || weq(x, "abdul") || weq(x, "abdel") || weq(x, "abdal") ||
                  weq(x, "abdol") || weq(x, "abdur") || weq(x, "abdu") || weq(x, "abdoul") ||
                  weq(x, "abdil") || weq_u(x, U"عبد");
        if (abd && i + 1 < k && out[i + 1].arabic == x->arabic) {
            struct word j = out[i + 1];
            if (x->arabic) {
                x->n = 3;
                wappend(x, j.c, j.n);
            } else {
                x->n = 3;
                wappend_s(x, "-");
                if (weq(&j, "allah"))
                    wappend_s(x, "allah");
                else
                    wappend(x, j.c, j.n);
            }
            x->after_article = 0;
            i++;
        } else if (x->arabic && x->n > 5 && wstarts_u(x, U"عبدال")) {
            memmove(x->c + 3, x->c + 5, (size_t)(x->n - 5) * sizeof x->c[0]);
            x->n -= 2;
        }
        if (!x->arabic) {
            abd_compound(x);
            din_compound(x);
            rahman_compound(x);
        }
        if (x->arabic && x->n >= 5 && wstarts_u(x, U"ابو") && !weq_u(x, U"ابوبكر")) {
            struct word j = *x; /* أبوغيث: a kunya written as one word */
            wdrop_front(&j, 3);
            if (j.n > 3 && wstarts_u(&j, U"ال")) wdrop_front(&j, 2);
            j.after_article = -1;
            out[m++] = j;
            continue;
        }
        if (kunya_word(x)) {
            if (i + 1 >= k) continue; /* a bare "abu" */
            struct word j = out[++i];
            if (weq(&j, "bakr") || weq(&j, "bakar") || weq(&j, "baker") || weq(&j, "bakir") ||
                weq_u(&j, U"بكر")) { /* Abu Bakr is a given name, not a kunya */
                struct word g = *x;
                wappend(&g, j.c, j.n);
                out[m++] = g;
                continue;
            }
            j.after_article = -1; /* marks the kunya */
            out[m++] = j;
            continue;
        }
        out[m++] = *x;
    }
    memcpy(w, out, (size_t)m * sizeof *w);
    return m;
}

static int common_name(const tl_names *nx, const struct word *x, const struct tok_cold *t)
{
    if (x->arabic) {
        for (size_t i = 0; i < sizeof common_arabic / sizeof common_arabic[0]; i++)
            if (weq_u(x, common_arabic[i])) return 1;
        return 0;
    }
    for (size_t i = 0; i < NCOMMON; i++)
        if (nx->common_nf[i] == t->nf && !memcmp(nx->common_fold[i], t->fold, t->nf)) return 1;
    return 0;
}

/* FNV-1a over what token_sim reads. */
static void token_hash(struct tok *t)
{
    uint64_t h = 1469598103934665603ull;
    const uint8_t *parts[] = {&t->kind, &t->arabic, t->lv, t->seq, t->skel};
    const size_t lens[] = {1, 1, t->nl, t->nq, t->ns};
    for (size_t p = 0; p < 5; p++) {
        for (size_t i = 0; i < lens[p]; i++)
            h = (h ^ parts[p][i]) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull; /* a separator, so parts cannot run together */
    }
    t->h = h ? h : 1;
}

/* An Arabic token's optional letters (quick_reject). */
static void count_letters(struct tok *t)
{
    t->nopt = 0;
    for (int i = 0; i < t->nq; i++)
        t->nopt = (uint8_t)(t->nopt + optional(t->seq[i]));
}

static void fill_token(const tl_names *nx, const struct word *x, struct tok *t, struct tok_cold *c)
{
    memset(t, 0, sizeof *t);
    memset(c, 0, sizeof *c);
    t->arabic = (uint8_t)x->arabic;
    /* Abd al-X is compared by its X: the shared "abd" says little */
    int abd =
        x->arabic ? x->n > 4 && wstarts_u(x, U"عبد") : x->n > 4 && starts(x->c, x->n, 0, "abd-");
    const uint32_t *cp = x->c + (abd ? (x->arabic ? 3 : 4) : 0);
    int cn = x->n - (abd ? (x->arabic ? 3 : 4) : 0);
    if (abd && !x->arabic && cn == 5 && starts(cp, cn, 0, "allah")) {
        cp++; /* Abd-allah: the a is the article's, which عبدالله does not spell */
        cn--;
    }
    if (x->arabic) {
        t->ns = (uint8_t)arabic_skeleton(cp, cn, t->skel);
        if (cn > 1 && (cp[cn - 1] == 0x0647 || cp[cn - 1] == 0x0629))
            c->nalt = (uint8_t)arabic_skeleton_as(cp, cn, c->alt, 1);
        t->nq = (uint8_t)arabic_seq(cp, cn, t->seq);
        count_letters(t);
        char *o = c->shown;
        size_t left = SHOWN;
        for (int i = 0; i < x->n; i++) {
            uint32_t u = x->c[i]; /* Arabic letters: two bytes of UTF-8 */
            if (u < 0x80 || u > 0x7ff || left < 3) break;
            *o++ = (char)(0xc0 | u >> 6);
            *o++ = (char)(0x80 | (u & 0x3f));
            left -= 2;
        }
        *o = '\0';
    } else {
        c->nf = (uint8_t)fold_latin(cp, cn, c->fold);
        t->nq = (uint8_t)latin_seq(cp, cn, t->seq);
        t->ns = (uint8_t)skel_of_fold(c->fold, c->nf, t->skel);
        uint8_t f2[TOKMAX];
        int n2 = fold_latin_as(cp, cn, f2, 1);
        if (n2 != c->nf || memcmp(f2, c->fold, (size_t)n2) != 0)
            c->nalt = (uint8_t)skel_of_fold(f2, n2, c->alt);
        /* the sequence with digraphs as their sound and long vowels as short ones */
        for (int i = 0; i < t->nq; i++) {
            uint8_t k = t->seq[i];
            k = k >= DIGRAPH               ? digraph_class(k)
                : k >= LV_AL && k <= LV_UL ? (uint8_t)(k - (LV_AL - LV_A))
                                           : k;
            if (t->nl && t->lv[t->nl - 1] == k) continue;
            t->lv[t->nl++] = k;
        }
        int i = 0;
        for (; i < x->n && i < SHOWN - 1; i++)
            c->shown[i] = (char)x->c[i];
        c->shown[i] = '\0';
    }
    if (x->after_article < 0)
        t->kind = KUNYA;
    else if (abd)
        t->kind = ABD;
    else if (x->arabic
                 ? (x->after_article && x->c[x->n - 1] == 0x064A)
                 : ((x->after_article && (wends(x, "i") || wends(x, "y") || wends(x, "ee"))) ||
                    nisba_known(x)))
        t->kind = NISBA;
    else if (!x->arabic && (wends(x, "vich") || wends(x, "vna") || wends(x, "ovic") ||
                            wends(x, "evic") || wends(x, "ovitch")))
        t->kind = PATRONYMIC;
    int consonants = 0;
    for (int i = 0; i < t->ns; i++)
        consonants += t->skel[i] != VOWEL;
    switch (t->kind) {
    case KUNYA: /* shared by many */
    case NISBA:
        t->w = 0.6f;
        break;
    case PATRONYMIC:
        t->w = 0.5f;
        break;
    default:
        t->w = consonants >= 3 ? 1.0f : consonants == 2 ? 0.85f : 0.6f;
        break;
    }
    t->org = (uint8_t)x->org;
    if (x->org && t->w > ORG_WEIGHT) t->w = ORG_WEIGHT;
    if (t->kind == ABD || (t->kind == PLAIN && common_name(nx, x, c))) {
        t->common = 1;
        if (t->w > COMMON_WEIGHT) t->w = COMMON_WEIGHT;
    }
    if (!t->arabic) {
        t->bits = lv_bits(t->lv, t->nl);
        for (int i = 0; i < t->nl; i++) /* a class seen before: twice or more */
            if (lv_bits(t->lv, i) & lv_bit(t->lv[i])) t->bits2 |= lv_bit(t->lv[i]);
        t->extra = (uint8_t)(t->nl - popcount64(t->bits) - popcount64(t->bits2));
        for (int i = 0; i < t->nq; i++) /* consonants and long vowels: short ones are free */
            t->ncost = (uint8_t)(t->ncost + !(latin_vowel(t->seq[i]) && t->seq[i] < LV_AL));
        t->have = present_bits(t->seq, t->nq);
    }
    token_hash(t);
}

/*
 * German-style romanization of Russian (Achmed Tschatajew, Sarnajew): when
 * a word of the name shows it (tsch, or -jew, -ow at the end), its words
 * are read as German spelling: dsch = dzh, tsch = ch, sch = sh, ch = kh,
 * j = y, w = v, z = ts.
 */
static void german_style(struct word *w, int n)
{
    int german = 0;
    for (int i = 0; i < n && !german; i++) {
        if (w[i].arabic || w[i].n < 5) continue;
        for (int k = 0; k + 4 <= w[i].n && !german; k++)
            german = starts(w[i].c, w[i].n, k, "tsch");
        german |= wends(&w[i], "jew") || wends(&w[i], "ow");
    }
    for (int i = 0; german && i < n; i++) {
        if (w[i].arabic) continue;
        struct word o = w[i];
        o.n = 0;
        for (int k = 0; k < w[i].n;) {
            static const char *const from[] = {"dsch", "tsch", "sch", "ch", "j", "w", "z"};
            static const char *const to[] = {"dzh", "ch", "sh", "kh", "y", "v", "ts"};
            size_t r = 0;
            while (r < 7 && !starts(w[i].c, w[i].n, k, from[r]))
                r++;
            if (r < 7) {
                wappend_s(&o, to[r]);
                k += (int)strlen(from[r]);
            } else {
                wappend(&o, &w[i].c[k], 1);
                k++;
            }
        }
        w[i] = o;
    }
}

/* "the Chechen" → nisba shishani (before the particles go). */
static void demonym_words(struct word *w, int n)
{
    for (int i = 0; i + 1 < n; i++) {
        if (!weq(&w[i], "the")) continue;
        for (size_t d = 0; d < sizeof demonyms / sizeof demonyms[0]; d++)
            if (weq(&w[i + 1], demonyms[d].demonym)) {
                w[i + 1].n = 0;
                wappend_s(&w[i + 1], demonyms[d].nisba);
                w[i + 1].after_article = 1;
            }
    }
}

/* ---- organizations: their vocabulary translated ---- */

/*
 * An organization's name in Arabic script is more often a translation of
 * its English name than a transliteration (EGYPTIAN ISLAMIC JIHAD /
 * الجهاد الاسلامي المصري). The common vocabulary of such names is glossed:
 * an Arabic-script name that uses it gets one more variant with those
 * words in English (and its little words dropped), beside the variant
 * read letter by letter. Proper names (al-Qaida, al-Nusrah, Haqqani) are
 * left to transliteration. The generic words (group, front, islamic, ...)
 * weigh ORG_WEIGHT in an English reading and in a Latin name: two groups
 * that share only them share little, while a place, a people or a proper
 * name tells them apart. Words read letter by letter keep their weight.
 */
static const struct {
    const char32_t *ar; /* without the article; no letter that arabic_fold drops */
    const char *en;     /* "": a word dropped from the English reading */
    int generic;
} gloss_ar[] = {
    /* the little words: in, of, and, from, on (Arabic; Pashto د, او) */
    {U"في", "", 0},
    {U"من", "", 0},
    {U"على", "", 0},
    {U"عن", "", 0},
    {U"د", "", 0},
    {U"او", "", 0},
    {U"بلاد", "", 0}, /* "the lands of" */
    /* kinds of organization */
    {U"جماعة", "group", 1},
    {U"جبهة", "front", 1},
    {U"حركة", "movement", 1},
    {U"تنظيم", "organization", 1},
    {U"منظمة", "organization", 1},
    {U"دولة", "state", 1},
    {U"جيش", "army", 1},
    {U"كتائب", "brigades", 1},
    {U"كتيبة", "battalion", 1},
    {U"لواء", "brigade", 1},
    {U"شبكة", "network", 1},
    {U"مكتب", "office", 1},
    {U"صرافة", "exchange", 1},
    {U"صرافي", "exchange", 1},
    {U"شركة", "company", 1},
    {U"كمپني", "company", 1},
    {U"گروپ", "group", 1},
    {U"لمتد", "ltd", 1},
    {U"مؤسسة", "foundation", 1},
    {U"جمعية", "society", 1},
    {U"اتحاد", "union", 1},
    {U"رابطة", "league", 1},
    {U"مجلس", "council", 1},
    {U"لجنة", "committee", 1},
    {U"حزب", "party", 1},
    {U"مركز", "center", 1},
    {U"بنك", "bank", 1},
    {U"مصرف", "bank", 1},
    {U"خدمات", "services", 1},
    {U"هيئة", "commission", 1},
    /* what they call themselves */
    {U"اسلامية", "islamic", 1},
    {U"اسلامي", "islamic", 1},
    {U"جهاد", "jihad", 1},
    {U"مسلحة", "armed", 1},
    {U"مقاتلة", "fighting", 1},
    {U"مقاتلين", "fighting", 1},
    {U"انصار", "supporters", 1},
    {U"اهل", "people", 1},
    {U"مهاجرين", "emigrants", 0},
    {U"احيا", "revival", 0},
    {U"تراث", "heritage", 0},
    {U"توحيد", "unification", 0},
    {U"تحرير", "liberation", 0},
    {U"شهداء", "martyrs", 0},
    /* places and peoples */
    {U"عراق", "iraq", 0},
    {U"عراقية", "iraqi", 0},
    {U"عراقي", "iraqi", 0},
    {U"شام", "levant", 0},
    {U"سوريا", "syria", 0},
    {U"سورية", "syria", 0},
    {U"يمن", "yemen", 0},
    {U"يمني", "yemeni", 0},
    {U"مصر", "egypt", 0},
    {U"مصري", "egyptian", 0},
    {U"مصرية", "egyptian", 0},
    {U"ليبيا", "libya", 0},
    {U"ليبي", "libyan", 0},
    {U"ليبية", "libyan", 0},
    {U"تونس", "tunisia", 0},
    {U"تونسي", "tunisian", 0},
    {U"تونسية", "tunisian", 0},
    {U"جزائر", "algeria", 0},
    {U"جزائري", "algerian", 0},
    {U"جزائرية", "algerian", 0},
    {U"مغرب", "maghreb", 0},
    {U"مغربي", "moroccan", 0},
    {U"مغربية", "moroccan", 0},
    {U"فلسطين", "palestine", 0},
    {U"فلسطيني", "palestinian", 0},
    {U"فلسطينية", "palestinian", 0},
    {U"صومال", "somalia", 0},
    {U"افغانستان", "afghanistan", 0},
    {U"باكستان", "pakistan", 0},
    {U"سودان", "sudan", 0},
    {U"لبنان", "lebanon", 0},
    {U"افريقيا", "africa", 0},
    {U"جزيرة", "peninsula", 0},
    {U"عرب", "arabian", 0},
    {U"عربية", "arab", 0},
    {U"غرب", "west", 0},
    {U"شرق", "east", 0},
    {U"شمال", "north", 0},
    {U"جنوب", "south", 0},
};

/* Latin words of organizations' names written one way (French and British spellings too). */
static const struct {
    const char *from, *to;
} org_latin[] = {
    {"combatant", "fighting"},
    {"combatants", "fighting"},
    {"fighters", "fighting"},
    {"combattant", "fighting"},
    {"organisation", "organization"},
    {"mouvement", "movement"},
    {"groupe", "group"},
    {"islamique", "islamic"},
    {"association", "society"},
    {"limited", "ltd"},
    {"afrique", "africa"},
    {"ouest", "west"},
    {"centre", "center"},
    {"unite", "unification"},
    {"partisans", "supporters"},
    {"arabe", "arab"},
    {"etat", "state"},
    {"armee", "army"},
    {"reseau", "network"},
    {"bureau", "office"},
};

/* The generic ones, weighing ORG_WEIGHT (with the gloss's generic words). */
static const char *const org_generic[] = {
    "group",      "front",       "movement", "organization",  "state",     "army",      "brigades",
    "brigade",    "battalion",   "network",  "office",        "exchange",  "company",   "ltd",
    "foundation", "society",     "union",    "league",        "council",   "committee", "party",
    "center",     "bank",        "services", "commission",    "islamic",   "jihad",     "armed",
    "fighting",   "supporters",  "people",   "establishment", "trust",     "fund",      "charity",
    "agency",     "corporation", "inc",      "trading",       "institute", "co",        "llc",
};

/* Whether Arabic word w is s, ta marbuta and heh taken as one. */
static int ar_eq(const struct word *w, int from, const char32_t *s)
{
    int i = 0;
    for (; s[i]; i++) {
        if (from + i >= w->n) return 0;
        uint32_t a = w->c[from + i], b = arabic_fold((uint32_t)s[i]);
        if (a == 0x0629) a = 0x0647;
        if (b == 0x0629) b = 0x0647;
        if (a != b) return 0;
    }
    return from + i == w->n;
}

/* The gloss of Arabic word w, with a clitic before it (bi-, li-, wa-, lil-) or not; or -1. */
static int arabic_gloss(const struct word *w)
{
    if (!w->arabic) return -1;
    for (int pass = 0; pass < 4; pass++) {
        int from = 0;
        if (pass == 1) {
            if (w->n < 4 || !wstarts_u(w, U"لل")) continue;
            from = 2; /* لل: li- and the article */
        } else if (pass >= 2) {
            if (w->n < 3 || (w->c[0] != 0x0628 && w->c[0] != 0x0644 && w->c[0] != 0x0648)) continue;
            from = 1; /* ب ل و */
            if (pass == 3) {
                if (w->n < 5 || w->c[1] != 0x0627 || w->c[2] != 0x0644) continue;
                from = 3; /* and the article */
            }
        }
        for (size_t g = 0; g < sizeof gloss_ar / sizeof gloss_ar[0]; g++)
            if (ar_eq(w, from, gloss_ar[g].ar)) return (int)g;
    }
    return -1;
}

/* A French article elided onto a word: l'unification, d'Afrique. */
static int elided(const struct word *w)
{
    return !w->arabic && w->n > 4 && (w->c[0] == 'l' || w->c[0] == 'd') && w->c[1] == '-';
}

/*
 * Writes the words of organizations' names one way: Latin synonyms, French
 * little words where the name is French (pour, et, l'), "money" (of money
 * exchange); marks the generic words. Returns the count.
 */
static int org_words(struct word *w, int n)
{
    static const char *const french[] = {"le",  "la", "les", "de",   "du",
                                         "des", "et", "en",  "pour", "aux"};
    int is_french = 0;
    for (int i = 0; i < n; i++)
        is_french |= weq(&w[i], "pour") || weq(&w[i], "et") || weq(&w[i], "des") ||
                     weq(&w[i], "aux") || elided(&w[i]);
    int k = 0;
    for (int i = 0; i < n; i++) {
        struct word x = w[i];
        if (x.arabic) { /* read letter by letter, its words keep their weight */
            w[k++] = x;
            continue;
        }
        int drop = weq(&x, "money");
        for (size_t f = 0; is_french && f < sizeof french / sizeof *french; f++)
            drop |= weq(&x, french[f]);
        if (drop) continue;
        if (is_french && elided(&x)) wdrop_front(&x, 2);
        for (size_t s = 0; s < sizeof org_latin / sizeof *org_latin; s++)
            if (weq(&x, org_latin[s].from)) {
                x.n = 0;
                wappend_s(&x, org_latin[s].to);
                break;
            }
        for (size_t g = 0; g < sizeof org_generic / sizeof *org_generic && !x.org; g++)
            x.org = weq(&x, org_generic[g]);
        w[k++] = x;
    }
    return k;
}

/* The English reading of an Arabic-script name that uses glossed words into out; its count (0:
 * none). */
static int org_variant(const struct word *w, int n, struct word *out)
{
    int k = 0, any = 0;
    for (int i = 0; i < n && k < NTOK; i++) {
        int g = arabic_gloss(&w[i]);
        if (g < 0) {
            out[k++] = w[i];
            continue;
        }
        if (!*gloss_ar[g].en) continue;
        any = 1;
        memset(&out[k], 0, sizeof out[k]);
        wappend_s(&out[k], gloss_ar[g].en);
        out[k++].org = gloss_ar[g].generic;
    }
    return any ? k : 0;
}

tl_err tl_names_prepare(tl_names *nx, const char *utf8, size_t len, tl_name **out)
{
    *out = NULL;
    if (len > TL_NAME_MAX || !tl__utf8_valid(utf8, len)) return TL_EINVAL;
    UChar src[TL_NAME_MAX + 1], dst[TL_NAME_MAX * 4];
    UChar32 cps[TL_NAME_MAX * 4];
    int32_t sn = 0;
    UErrorCode ec = U_ZERO_ERROR;
    u_strFromUTF8(src, TL_NAME_MAX + 1, &sn, utf8, (int32_t)len, &ec);
    if (U_FAILURE(ec)) return TL_EINVAL;
    int32_t dn = unorm2_normalize(nx->nfkc_cf, src, sn, dst, TL_NAME_MAX * 4, &ec);
    if (U_FAILURE(ec)) return TL_EINVAL;
    u_strToUTF32(cps, TL_NAME_MAX * 4, &dn, dst, dn, &ec);
    if (U_FAILURE(ec)) return TL_EINVAL;

    /* segments: the text outside brackets, then each bracketed group */
    static const int SEGS = NVAR;
    struct word words[NVAR][NTOK];
    int nw[NVAR] = {0}, seg = 0, nseg = 1, depth = 0;
    uint32_t cur[WORDMAX];
    int cn = 0;
    for (int32_t i = 0; i <= dn; i++) {
        UChar32 c = i < dn ? cps[i] : 0;
        int letter = c && (u_isalpha(c) || u_charType(c) == U_NON_SPACING_MARK ||
                           u_charType(c) == U_COMBINING_SPACING_MARK);
        if (c && is_apostrophe((uint32_t)c) && !letter) {
            /* between letters it keeps vowels apart (Rabi'i, Ma'ruf) and digraphs too */
            if (cn && cn < WORDMAX) cur[cn++] = '-';
            continue;
        }
        if (letter) {
            if (cn < WORDMAX) cur[cn++] = (uint32_t)c;
            continue;
        }
        if (cn) {
            if (nw[seg] < NTOK) make_word(nx, cur, cn, &words[seg][nw[seg]++]);
            cn = 0;
        }
        if (c == '/' && !depth) { /* A / B: B another name of the same */
            seg = nseg < SEGS ? nseg++ : SEGS - 1;
        } else if (c == '(' || c == '[') {
            depth++;
            seg = nseg < SEGS ? nseg++ : SEGS - 1;
            if (seg == 0) seg = SEGS - 1;
        } else if ((c == ')' || c == ']') && depth > 0) {
            depth--;
            seg = 0;
        }
    }
    /* "(original script: ...)" names the group */
    for (int s = 1; s < nseg; s++)
        if (nw[s] >= 2 && weq(&words[s][0], "original") && weq(&words[s][1], "script")) {
            memmove(words[s], words[s] + 2, (size_t)(nw[s] - 2) * sizeof words[s][0]);
            nw[s] -= 2;
        }
    for (int s = 0; s < nseg; s++) {
        split_bin(words[s], &nw[s]);
        demonym_words(words[s], nw[s]);
        german_style(words[s], nw[s]);
        nw[s] = org_words(words[s], apply_rules(words[s], nw[s]));
    }
    /* an organization's name translated: its English reading, as one more variant */
    for (int s = 0, read = nseg; s < read && nseg < NVAR; s++) {
        nw[nseg] = org_variant(words[s], nw[s], words[nseg]);
        if (nw[nseg]) nseg++;
    }
    struct tok toks[NVAR * NTOK];
    struct tok_cold cold[NVAR * NTOK];
    uint8_t start[NVAR + 1], generic[NVAR];
    float wsum[NVAR];
    int nv = 0, nt = 0;
    for (int s = 0; s < nseg; s++) {
        int n = nw[s];
        int first = nt, plain = 0, kunya = 0;
        float sum = 0;
        for (int i = 0; i < n; i++) {
            fill_token(nx, &words[s][i], &toks[nt], &cold[nt]);
            if (!toks[nt].ns) continue; /* nothing left to compare */
            plain += toks[nt].kind != KUNYA && !toks[nt].common;
            kunya += toks[nt].kind == KUNYA;
            sum += toks[nt].w;
            nt++;
        }
        if (nt == first) continue;
        start[nv] = (uint8_t)first;
        /* a kunya alone, or one common name: weak; only common names: generic */
        generic[nv] = plain ? GEN_NONE : kunya || nt - first == 1 ? GEN_WEAK : GEN_COMMON;
        wsum[nv] = sum;
        nv++;
    }
    if (!nv) return TL_EINVAL;
    start[nv] = (uint8_t)nt;
    tl_name *name =
        tl_malloc(sizeof *name + (size_t)nt * (sizeof name->t[0] + sizeof(struct tok_cold)));
    if (!name) return TL_ENOMEM;
    memset(name, 0, sizeof *name);
    name->nv = (uint8_t)nv;
    name->ntok = (uint8_t)nt;
    for (int i = 0; i < nt; i++)
        name->arabic |= toks[i].arabic;
    memcpy(name->start, start, sizeof start);
    memcpy(name->generic, generic, sizeof generic);
    memcpy(name->wsum, wsum, sizeof wsum);
    memcpy(name->t, toks, (size_t)nt * sizeof toks[0]);
    memcpy(name->t + nt, cold, (size_t)nt * sizeof cold[0]); /* colds(name) */
    *out = name;
    return TL_OK;
}

void tl_name_free(tl_name *name)
{
    tl_free(name);
}

#define PREP_CHUNK 8192

struct prep_job {
    const char *const *texts;
    const size_t *lens;
    size_t n;
    tl_name **out;
    size_t *bad; /* per chunk: the first bad index, or n */
    tl_err *rc;  /* per chunk */
};

static void prepare_chunk(size_t c, void *ctx)
{
    struct prep_job *pj = ctx;
    size_t lo = c * PREP_CHUNK, hi = lo + PREP_CHUNK < pj->n ? lo + PREP_CHUNK : pj->n;
    tl_names *nx = NULL;
    pj->bad[c] = pj->n;
    if ((pj->rc[c] = tl_names_new(&nx))) return;
    for (size_t i = lo; i < hi; i++) {
        tl_err rc = tl_names_prepare(nx, pj->texts[i], pj->lens[i], &pj->out[i]);
        if (rc) {
            pj->rc[c] = rc;
            pj->bad[c] = i;
            break;
        }
    }
    tl_names_free(nx);
}

tl_err tl_names_prepare_all(const char *const *texts, const size_t *lens, size_t n, tl_name **out,
                            size_t *bad)
{
    size_t nchunks = (n + PREP_CHUNK - 1) / PREP_CHUNK;
    struct prep_job pj = {texts,
                          lens,
                          n,
                          out,
                          tl_calloc(nchunks + 1, sizeof(size_t)),
                          tl_calloc(nchunks + 1, sizeof(tl_err))};
    tl_err rc = TL_ENOMEM;
    *bad = n;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    if (pj.bad && pj.rc) {
        tl__parallel_for(nchunks, prepare_chunk, &pj);
        rc = TL_OK;
        for (size_t c = 0; c < nchunks && !rc; c++)
            if ((rc = pj.rc[c])) *bad = pj.bad[c];
    }
    if (rc)
        for (size_t i = 0; i < n; i++) {
            tl_name_free(out[i]);
            out[i] = NULL;
        }
    tl_free(pj.bad);
    tl_free(pj.rc);
    return rc;
}

/* ---- scoring ---- */

#define GENERIC 0.7        /* the scale of a name that is a kunya alone */
#define SHIFTED 0.85       /* the scale of a name with another given name before it */
#define SINGLE 0.92        /* the scale of two names of one token each */
#define GENERIC_COMMON 0.9 /* the scale of a name of common given names only */

static double token_sim_uncached(const struct tok *x, const struct tok *y);

/*
 * Token similarities are cached per thread: the same given names and
 * patronymics meet again and again when a list is linked.
 */
#define SIM_CACHE (1u << 16)
static _Thread_local struct {
    uint64_t key;
    float sim;
} sim_cache[SIM_CACHE];

/*
 * At most the letters Jaro can match between two romanized tokens: of
 * each, the letters whose class the other has (exact but for letters after
 * the second of their class, all counted); the fewer of the two.
 */
static int shared_letters(const struct tok *x, const struct tok *y)
{
    int both = popcount64(x->bits & y->bits);
    int dx = both + popcount64(x->bits2 & y->bits) + x->extra;
    int dy = both + popcount64(y->bits2 & x->bits) + y->extra;
    return dx < dy ? dx : dy;
}

/*
 * Nonzero when x and y cannot reach MIN_TOKEN, from their class masks alone:
 * Jaro-Winkler needs matching letters, an alignment matchable Arabic letters.
 */
static int quick_reject(const struct tok *x, const struct tok *y)
{
    if (x->arabic && y->arabic) return 0;
    if (x->arabic || y->arabic) {
        const struct tok *a = x->arabic ? x : y, *l = x->arabic ? y : x;
        int full = a->nq - a->nopt, could = 0;
        if (!full) return 0;
        for (int i = 0; i < a->nq; i++) /* optional letters accept nothing here */
            could += (must_accept[a->seq[i]] & l->have) != 0;
        /*
         * align() at most: every letter that could match matched (1 each),
         * the others skipped (0.5 each), and the Latin consonants and long
         * vowels beyond what the matched and optional letters take, 0.5
         * each (a Latin code takes at least one Arabic letter). Below
         * MIN_TOKEN = 0.75 of full: 2 (3 could - full - spare) < 3 full.
         */
        int spare = l->ncost - could - a->nopt;
        return 6 * could - 2 * (spare > 0 ? spare : 0) < 5 * full;
    }
    if (!x->nl || !y->nl) return 1; /* two words joined have no lv: nothing to compare */
    int mm = shared_letters(x, y), nx = x->nl, ny = y->nl;
    /*
     * Jaro-Winkler at most jaro + 0.4 (1 - jaro), jaro at most
     * (mm / nx + mm / ny + 1) / 3; below MIN_TOKEN = 0.75 when jaro < 7 / 12,
     * that is when 4 mm (nx + ny) < 3 nx ny.
     */
    return 4 * mm * (nx + ny) < 3 * nx * ny;
}

/* One reading of one kind (a hash of everything compared): the same token, similarity 1. */
static int same_token(const struct tok *x, const struct tok *y)
{
    return x->h == y->h && x->h && x->kind == y->kind;
}

/* Can tokens of these kinds pair at all? A kunya or an Abd al-X only with its like. */
static int kinds_pair(const struct tok *x, const struct tok *y)
{
    return (x->kind == KUNYA) == (y->kind == KUNYA) && (x->kind == ABD) == (y->kind == ABD) &&
           !(x->kind == PATRONYMIC && y->kind == NISBA) &&
           !(x->kind == NISBA && y->kind == PATRONYMIC);
}

static double names_bound(const tl_name *a, const tl_name *b);

int tl__names_bound_violations(const tl_name *a, const tl_name *b)
{
    int bad = 0;
    if (!a->arabic && !b->arabic && names_bound(a, b) < tl_name_score(a, b) - 1e-4) bad++;
    for (int i = 0; i < a->ntok; i++)
        for (int j = 0; j < b->ntok; j++) {
            const struct tok *x = &a->t[i], *y = &b->t[j];
            if (quick_reject(x, y) && token_sim_uncached(x, y) >= MIN_TOKEN) bad++;
        }
    return bad;
}

static double token_sim(const struct tok *x, const struct tok *y)
{
    if (same_token(x, y)) return 1.0;
    if (!kinds_pair(x, y) || quick_reject(x, y)) return 0.0;
    if (!x->h || !y->h) return (float)token_sim_uncached(x, y); /* joined tokens: no hash */
    uint64_t lo = x->h < y->h ? x->h : y->h, hi = x->h < y->h ? y->h : x->h;
    uint64_t key = lo * 0x9E3779B97F4A7C15ull ^ hi;
    key = key ? key : 1;
    size_t slot = (size_t)(key >> 48) & (SIM_CACHE - 1);
    if (sim_cache[slot].key == key) return sim_cache[slot].sim;
    float sim = (float)token_sim_uncached(x, y); /* cached or not, the same value */
    sim_cache[slot].key = key;
    sim_cache[slot].sim = sim;
    return sim;
}

/* The similarity of two tokens that token_sim has let through. */
static double token_sim_uncached(const struct tok *x, const struct tok *y)
{
    if (x->arabic && y->arabic) return jaro_winkler(x->skel, x->ns, y->skel, y->ns);
    if (x->arabic) return align(x->seq, x->nq, y->seq, y->nq);
    if (y->arabic) return align(y->seq, y->nq, x->seq, x->nq);
    /* the spelling, and the consonants alone: Senussi is not Sindhi */
    double f = jaro_winkler_plain(x->lv, x->nl, y->lv, y->nl);
    if (f < MIN_TOKEN) return f; /* the consonants could only lower it */
    double k = jaro_winkler_plain(x->skel, x->ns, y->skel, y->ns);
    if (k < f) return (f + k) / 2;
    /* one vowel apart, the rest the same (Emirat, Emarat): the consonants raise it */
    if (x->nl == y->nl && x->nl >= 5 && k > 0.999) {
        int apart = 0, vowels = 1;
        for (int i = 0; i < x->nl; i++)
            if (x->lv[i] != y->lv[i]) {
                apart++;
                vowels &= x->lv[i] >= LV_A && y->lv[i] >= LV_A;
            }
        if (apart == 1 && vowels) return (f + k) / 2;
    }
    return f;
}

struct pairing {
    int n;
    int a[NTOK], b[NTOK];
    double s[NTOK];
    int joined[NTOK]; /* 1: a[k] and a[k] + 1 together; 2: b[k] and b[k] + 1 */
    int shifted;
};

#define MIN_JOINED 0.85 /* two words taken as one must match better than a plain pair */

/*
 * What a token pair of similarity s adds to a name's score: s rescaled
 * from [CREDIT_FLOOR, 1] to [0, 1], so that near misses (two surnames
 * sharing a first letter and -shvili score 0.82 by Jaro-Winkler) count
 * for little and only close spellings for much.
 */
#define CREDIT_FLOOR 0.5

static double credit(double s)
{
    return s <= CREDIT_FLOOR ? 0 : (s - CREDIT_FLOOR) / (1 - CREDIT_FLOOR);
}

static int append_codes(uint8_t *dst, int n, const uint8_t *src, int m)
{
    for (int i = 0; i < m && n < TOKMAX; i++) {
        if (n && dst[n - 1] == src[i] && src[i] < LV_A) continue;
        dst[n++] = src[i];
    }
    return n;
}

/* x and y (adjacent, one script) as one word: Dahir Aweys as Dahiraweys. */
static void join_tokens(const struct tok *x, const struct tok *y, struct tok *t)
{
    memset(t, 0, sizeof *t);
    t->arabic = x->arabic;
    t->have = x->have | y->have; /* the classes of the joined seq (quick_reject) */
    /* the second word's first alef or ʿayn is no longer a word's first letter */
    const uint8_t *ys = y->seq;
    int yn = y->nq;
    if (yn && ys[0] == AV_ANY) {
        ys++;
        yn--;
    }
    t->nq = (uint8_t)append_codes(t->seq, append_codes(t->seq, 0, x->seq, x->nq), ys, yn);
    count_letters(t);
    t->ns =
        (uint8_t)append_codes(t->skel, append_codes(t->skel, 0, x->skel, x->ns), y->skel, y->ns);
}

/*
 * The longer name is the shorter one with a given name put before it (its
 * first token unmatched, the shorter one's first matched to its second):
 * in Arabic naming, most likely a son of the shorter name's bearer.
 */
static int shifted(const struct pairing *p, int na, int nb)
{
    if (na == nb || na < 2 || nb < 2 || !p->n) return 0;
    int a_longer = na > nb;
    for (int k = 0; k < p->n; k++) {
        int in_long = a_longer ? p->a[k] : p->b[k], in_short = a_longer ? p->b[k] : p->a[k];
        if (in_long == 0) return 0;
        if (in_short == 0 && in_long != 1) return 0;
    }
    for (int k = 0; k < p->n; k++)
        if ((a_longer ? p->b[k] : p->a[k]) == 0) return 1;
    return 0;
}

static double score_variants(const struct tok *ta, int na, float wa, int ga, const struct tok *tb,
                             int nb, float wb, int gb, double floor, struct pairing *p)
{
    double sim[NTOK][NTOK];
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            sim[i][j] = token_sim(&ta[i], &tb[j]);
    uint32_t used_a = 0, used_b = 0;
    double matched = 0;
    p->n = 0;
    for (;;) {
        double best = MIN_TOKEN;
        int bi = -1, bj = -1;
        /* ties go to the pair in line with the first pair (Ibrahim Sabawi Ibrahim) */
        int offset = p->n ? p->b[0] - p->a[0] : 0;
        for (int i = 0; i < na; i++) {
            if (used_a >> i & 1) continue;
            for (int j = 0; j < nb; j++) {
                if ((used_b >> j & 1) || sim[i][j] < best) continue;
                if (sim[i][j] == best && bi >= 0 && abs(j - i - offset) >= abs(bj - bi - offset))
                    continue;
                best = sim[i][j];
                bi = i;
                bj = j;
            }
        }
        if (bi < 0) break;
        used_a |= 1u << bi;
        used_b |= 1u << bj;
        matched += credit(best) * (ta[bi].w + tb[bj].w) / 2;
        p->a[p->n] = bi;
        p->b[p->n] = bj;
        p->joined[p->n] = 0;
        p->s[p->n++] = best;
    }
    /*
     * Words written apart on one side and together on the other (Dahir Aweys
     * / ظاهرعويس), tried only where the names already share a token and where
     * pairing every token left would reach floor. A joined token has no lv,
     * so two romanized words joined never match a romanized word.
     */
    double left = 0;
    for (int i = 0; i < na; i++)
        left += (used_a >> i & 1) ? 0 : ta[i].w;
    for (int j = 0; j < nb; j++)
        left += (used_b >> j & 1) ? 0 : tb[j].w;
    {
        /*
         * The most joining can reach: every token left paired, and every pair
         * made perfect (two words joined may replace a pair of one of them:
         * قا~qaida by قا+عدة = qaida).
         */
        double m = left / 2;
        for (int k = 0; k < p->n; k++)
            m += (ta[p->a[k]].w + tb[p->b[k]].w) / 2;
        double lo = wa < wb ? wa : wb, hi = wa < wb ? wb : wa;
        if (lo > 0 && 0.5 * m / lo + 0.5 * m / hi < floor) left = 0;
    }
    for (int side = 0; side < 2 && p->n && left > 0; side++) {
        const struct tok *X = side ? tb : ta, *Y = side ? ta : tb;
        int nx = side ? nb : na, ny = side ? na : nb;
        uint32_t *ux = side ? &used_b : &used_a, *uy = side ? &used_a : &used_b;
        for (int i = 0; i + 1 < nx && p->n < NTOK; i++) {
            int ui = *ux >> i & 1, ui1 = *ux >> (i + 1) & 1;
            if ((ui && ui1) || X[i].kind != PLAIN || X[i + 1].kind != PLAIN ||
                X[i].arabic != X[i + 1].arabic)
                continue; /* two words of one script only */
            int any = 0;  /* two romanized words joined never match a romanized one */
            for (int j = 0; j < ny && !any; j++)
                any = Y[j].kind == PLAIN && (X[i].arabic || Y[j].arabic);
            if (!any) continue;
            struct tok joined;
            join_tokens(&X[i], &X[i + 1], &joined);
            for (int j = 0; j < ny; j++) {
                if (Y[j].kind != PLAIN || (!X[i].arabic && !Y[j].arabic)) continue;
                /*
                 * One of the two may have been paired with Y[j] alone (Maychou with
                 * يشو of ما يشو): the two together take its place if they match better.
                 */
                int was = -1, xi = ui ? i : i + 1;
                if (ui || ui1) {
                    for (int k = 0; k < p->n; k++)
                        if (!p->joined[k] && (side ? p->b[k] : p->a[k]) == xi &&
                            (side ? p->a[k] : p->b[k]) == j)
                            was = k;
                    if (was < 0) continue;
                } else if (*uy >> j & 1) {
                    continue;
                }
                double sj = token_sim(&joined, &Y[j]);
                if (sj < MIN_JOINED || (was >= 0 && sj <= p->s[was])) continue;
                if (was >= 0) {
                    matched -= credit(p->s[was]) * (X[xi].w + Y[j].w) / 2;
                    for (int k = was; k + 1 < p->n; k++) {
                        p->a[k] = p->a[k + 1];
                        p->b[k] = p->b[k + 1];
                        p->s[k] = p->s[k + 1];
                        p->joined[k] = p->joined[k + 1];
                    }
                    p->n--;
                }
                *ux |= 3u << i;
                *uy |= 1u << j;
                matched += credit(sj) * (X[i].w + X[i + 1].w + Y[j].w) / 2;
                p->a[p->n] = side ? j : i;
                p->b[p->n] = side ? i : j;
                p->joined[p->n] = side ? 2 : 1;
                p->s[p->n++] = sj;
                break;
            }
        }
    }
    double lo = wa < wb ? wa : wb, hi = wa < wb ? wb : wa;
    double score = lo > 0 ? 0.5 * matched / lo + 0.5 * matched / hi : 0;
    if (score > 1) score = 1;
    /* an organization's kind before its name (Organization of al-Qaida) is no son's given name */
    p->shifted = shifted(p, na, nb) && !ta[0].org && !tb[0].org;
    if (p->shifted) score *= SHIFTED;
    /* weak evidence, for the weakest reason only */
    if (ga == GEN_WEAK || gb == GEN_WEAK)
        score *= GENERIC;
    else if (ga == GEN_COMMON || gb == GEN_COMMON)
        score *= GENERIC_COMMON;
    else if (na == 1 && nb == 1)
        score *= SINGLE;
    return score;
}

static double best_score(const tl_name *a, const tl_name *b, int *va, int *vb, double floor,
                         struct pairing *best)
{
    double top = -1;
    struct pairing p;
    for (int i = 0; i < a->nv; i++)
        for (int j = 0; j < b->nv; j++) {
            const struct tok *ta = a->t + a->start[i], *tb = b->t + b->start[j];
            int na = a->start[i + 1] - a->start[i], nb = b->start[j + 1] - b->start[j];
            double s;
            if (nb > na) { /* the longer first, so that a score does not depend on the order */
                s = score_variants(tb, nb, b->wsum[j], b->generic[j], ta, na, a->wsum[i],
                                   a->generic[i], floor, &p);
                for (int k = 0; k < p.n; k++) {
                    int t = p.a[k];
                    p.a[k] = p.b[k];
                    p.b[k] = t;
                    p.joined[k] = p.joined[k] ? 3 - p.joined[k] : 0;
                }
            } else {
                s = score_variants(ta, na, a->wsum[i], a->generic[i], tb, nb, b->wsum[j],
                                   b->generic[j], floor, &p);
            }
            if (s > top) {
                top = s;
                *va = i;
                *vb = j;
                if (best) *best = p;
            }
        }
    return top < 0 ? 0 : top;
}

double tl_name_score(const tl_name *a, const tl_name *b)
{
    int va, vb;
    return best_score(a, b, &va, &vb, 0, NULL);
}

/*
 * At least the similarity of two romanized tokens, from token_sim's quick
 * bound (raised as a one-vowel spelling may be): 0 if they cannot pair.
 */
static double token_bound(const struct tok *x, const struct tok *y)
{
    if (same_token(x, y)) return 1.0;
    if (!kinds_pair(x, y) || !x->nl || !y->nl) return 0.0;
    double mm = shared_letters(x, y), jaro = (mm / x->nl + mm / y->nl + 1) / 3;
    if (jaro > 1) jaro = 1;
    double jw = jaro + 0.4 * (1 - jaro);
    return x->nl == y->nl && x->nl >= 5 ? (jw + 1) / 2 : jw;
}

/*
 * At least the score of two romanized names (no words joined), cheaply:
 * each token credited with its best possible partner, on the side where
 * that sums to less, and no scale factor.
 */
static double names_bound(const tl_name *a, const tl_name *b)
{
    double top = 0;
    for (int v = 0; v < a->nv; v++)
        for (int u = 0; u < b->nv; u++) {
            const struct tok *ta = a->t + a->start[v], *tb = b->t + b->start[u];
            int na = a->start[v + 1] - a->start[v], nb = b->start[u + 1] - b->start[u];
            double best_b[NTOK] = {0}, ma = 0, mb = 0;
            for (int i = 0; i < na; i++) {
                double best = 0;
                for (int j = 0; j < nb; j++) {
                    double s = token_bound(&ta[i], &tb[j]);
                    if (s < MIN_TOKEN) continue;
                    double c = credit(s) * (ta[i].w + tb[j].w) / 2;
                    if (c > best) best = c;
                    if (c > best_b[j]) best_b[j] = c;
                }
                ma += best;
            }
            for (int j = 0; j < nb; j++)
                mb += best_b[j];
            double m = ma < mb ? ma : mb, wa = a->wsum[v], wb = b->wsum[u];
            double lo = wa < wb ? wa : wb, hi = wa < wb ? wb : wa;
            double s = lo > 0 ? 0.5 * m / lo + 0.5 * m / hi : 0;
            if (s > top) top = s;
        }
    return top;
}

/* As tl_name_score, exact at or above floor; below it, possibly lower than exact. */
static double score_above(const tl_name *a, const tl_name *b, double floor)
{
    /* romanized names whose bound is below floor: not worth scoring */
    if (!a->arabic && !b->arabic && names_bound(a, b) < floor - 1e-4) return 0;
    int va, vb;
    return best_score(a, b, &va, &vb, floor, NULL);
}

static void put(char **o, size_t *left, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put(char **o, size_t *left, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*o, *left, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t k = (size_t)n < *left ? (size_t)n : *left ? *left - 1 : 0;
    *o += k;
    *left -= k;
}

double tl_name_explain(const tl_name *a, const tl_name *b, char *buf, size_t cap)
{
    int va = 0, vb = 0;
    struct pairing p;
    double s = best_score(a, b, &va, &vb, 0, &p);
    if (!cap) return s;
    char *o = buf;
    size_t left = cap;
    *o = '\0';
    const struct tok *ta = a->t + a->start[va], *tb = b->t + b->start[vb];
    const struct tok_cold *ca = colds(a) + a->start[va], *cb = colds(b) + b->start[vb];
    int na = a->start[va + 1] - a->start[va], nb = b->start[vb + 1] - b->start[vb];
    uint32_t ua = 0, ub = 0;
    for (int k = 0; k < p.n; k++) {
        const struct tok *x = &ta[p.a[k]], *y = &tb[p.b[k]];
        put(&o, &left, "%s%s%s%s%s %s %s%s%s%s %.2f (%s%s)", k ? "; " : "", kind_name[x->kind],
            ca[p.a[k]].shown, p.joined[k] == 1 ? "+" : "",
            p.joined[k] == 1 ? ca[p.a[k] + 1].shown : "", p.s[k] >= 0.999 ? "=" : "~",
            kind_name[y->kind], cb[p.b[k]].shown, p.joined[k] == 2 ? "+" : "",
            p.joined[k] == 2 ? cb[p.b[k] + 1].shown : "", p.s[k],
            x->arabic || y->arabic ? "consonant skeleton" : "folded spelling",
            p.joined[k] ? ", two words read as one" : "");
        ua |= (p.joined[k] == 1 ? 3u : 1u) << p.a[k];
        ub |= (p.joined[k] == 2 ? 3u : 1u) << p.b[k];
    }
    if (!p.n) put(&o, &left, "no token pair is similar enough");
    for (int side = 0; side < 2; side++) {
        const struct tok *t = side ? tb : ta;
        const struct tok_cold *c = side ? cb : ca;
        int n = side ? nb : na;
        uint32_t u = side ? ub : ua;
        int first = 1;
        for (int i = 0; i < n; i++) {
            if (u >> i & 1) continue;
            put(&o, &left, "%s%s%s%s",
                first ? (side ? "; unmatched in the second: " : "; unmatched in the first: ")
                      : ", ",
                kind_name[t[i].kind], c[i].shown,
                t[i].kind == PATRONYMIC ? " (patronymic, half weight)" : "");
            first = 0;
        }
    }
    if (p.shifted)
        put(&o, &left,
            "; one name is the other with a given name before it, as a son's name "
            "holds his father's (score x %.2f)",
            SHIFTED);
    int generic = a->generic[va] != GEN_NONE || b->generic[vb] != GEN_NONE;
    if (na == 1 && nb == 1 && !generic)
        put(&o, &left, "; one token against one: weak evidence (score x %.2f)", SINGLE);
    if (a->generic[va] == GEN_WEAK || b->generic[vb] == GEN_WEAK)
        put(&o, &left,
            "; a kunya or one common given name alone is a generic name: weak evidence "
            "(score x %.1f)",
            GENERIC);
    else if (a->generic[va] == GEN_COMMON || b->generic[vb] == GEN_COMMON)
        put(&o, &left, "; only common given names: a generic name (score x %.1f)", GENERIC_COMMON);
    if (a->nv > 1 || b->nv > 1) put(&o, &left, "; best of the bracketed alternatives");
    return s;
}

void tl_name_form(const tl_name *name, char *buf, size_t cap)
{
    char *o = buf;
    size_t left = cap;
    if (!cap) return;
    *o = '\0';
    for (int v = 0; v < name->nv; v++) {
        if (v) put(&o, &left, " | ");
        for (int i = name->start[v]; i < name->start[v + 1]; i++)
            put(&o, &left, "%s%s%s", i > name->start[v] ? " " : "", kind_name[name->t[i].kind],
                colds(name)[i].shown);
    }
}

/* ---- blocking ---- */

/* The classes a skeleton letter can take, for keys (a set gives each of its letters). */
static int key_letters(uint8_t cls, uint8_t *out)
{
    if (cls <= 26) {
        out[0] = cls;
        return 1;
    }
    int k = 0;
    for (int i = 0; i < 26; i++)
        if (class_mask[cls] >> i & 1) out[k++] = (uint8_t)(i + 1);
    return k;
}

/*
 * Classes for keys: letters that romanizations confuse share one (vowels
 * and y; b p; f v w; g h k q, as Magomed is Muhammad and Qasim Kasim).
 */
static uint8_t key_class(uint8_t c)
{
    static const char map[] = "?abcdafkkajklmnabkrstaffxas";
    return c <= 26 ? (uint8_t)map[c] : '?';
}

#define KEYCLASSES 4 /* skeleton classes in a token's long code */
#define LONGCODES 8  /* readings of a token's long code kept (Arabic letters read several ways) */
#define PARTNERCLASSES 3 /* skeleton classes of the other token in a key */

/*
 * A token's long codes: its first KEYCLASSES skeleton classes, every way
 * its Arabic letters read (at most LONGCODES), each as a base-32 number.
 */
static int long_codes_of(const uint8_t *skel, int ns, uint32_t *codes, int classes)
{
    int n = 1;
    codes[0] = 0;
    for (int i = 0; i < classes; i++) {
        uint8_t l[26];
        int nl = i < ns ? key_letters(skel[i], l) : 1;
        if (i >= ns) l[0] = 0;
        int m = 0;
        uint32_t next[LONGCODES];
        for (int x = 0; x < n; x++) {
            uint8_t seen[128] = {0};
            for (int y = 0; y < nl && m < LONGCODES; y++) {
                uint8_t c = l[y] ? key_class(l[y]) : 0;
                if (seen[c]) continue; /* two letters of a set in one class */
                seen[c] = 1;
                next[m++] = codes[x] << 7 | c;
            }
        }
        memcpy(codes, next, (size_t)m * sizeof *codes);
        n = m;
    }
    return n;
}

/*
 * A token's long codes: its first `classes` skeleton classes, every way its
 * Arabic letters read and in both readings of its skeleton (at most
 * LONGCODES), each as a base-128 number.
 */
static int long_codes(const struct tok *t, const struct tok_cold *c, uint32_t *codes, int classes)
{
    int n = long_codes_of(t->skel, t->ns, codes, classes);
    if (c->nalt) {
        uint32_t more[LONGCODES];
        int m = long_codes_of(c->alt, c->nalt, more, classes);
        for (int i = 0; i < m && n < LONGCODES; i++) {
            int dup = 0;
            for (int k = 0; k < n; k++)
                dup |= codes[k] == more[i];
            if (!dup) codes[n++] = more[i];
        }
    }
    return n;
}

static int distinctive(const struct tok *t)
{
    return t->kind == NISBA || ((t->kind == PLAIN || t->kind == ABD) && !t->common);
}

/*
 * A name's keys: for a name of one token, that token's long codes; else,
 * for each distinctive token (not a common given name, kunya or
 * patronymic; every token when none is), its long codes with the first
 * letter of each other token. Names that link share a key unless a
 * spelling changes a distinctive token's first four consonant classes.
 */
size_t tl_name_keys(const tl_name *name, uint64_t *keys, size_t all)
{
    size_t n = 0;
    for (int v = 0; v < name->nv; v++) {
        /* each variant its share of the room left: a translation comes last */
        size_t cap = n + (all - n) / (size_t)(name->nv - v);
        const struct tok *t = name->t + name->start[v];
        const struct tok_cold *c = colds(name) + name->start[v];
        int nt = name->start[v + 1] - name->start[v], any = 0;
        for (int i = 0; i < nt; i++)
            any |= distinctive(&t[i]) && t[i].kind != PATRONYMIC;
        int counted = 0;
        for (int i = 0; i < nt; i++)
            counted += t[i].kind != PATRONYMIC;
        for (int i = 0; i < nt; i++) {
            if (t[i].kind == PATRONYMIC || (any && !distinctive(&t[i]))) continue;
            uint32_t lc[LONGCODES];
            int nl = long_codes(&t[i], &c[i], lc, KEYCLASSES);
            if (counted == 1) {
                for (int x = 0; x < nl && n < cap; x++)
                    keys[n++] = 1ull << 60 | (uint64_t)t[i].kind << 56 | lc[x];
                continue;
            }
            for (int j = 0; j < nt; j++) {
                if (j == i || t[j].kind == PATRONYMIC) continue;
                uint32_t fc[LONGCODES];
                int nf = long_codes(&t[j], &c[j], fc, PARTNERCLASSES);
                for (int x = 0; x < nl; x++)
                    for (int y = 0; y < nf && n < cap; y++)
                        keys[n++] = 2ull << 60 | (uint64_t)fc[y] << 28 | lc[x];
            }
        }
    }
    /* sort and drop repeats */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && keys[j - 1] > keys[j]; j--) {
            uint64_t s = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = s;
        }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || keys[m - 1] != keys[i]) keys[m++] = keys[i];
    return m;
}

/* ---- linking ---- */

#define KEYCAP 256 /* keys of one name */
#define CHUNK 2048 /* names of a handed to one worker at a time */

struct keyed {
    uint64_t key;
    uint32_t idx;
};

static int keyed_cmp(const void *x, const void *y)
{
    const struct keyed *p = x, *q = y;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

struct hit {
    uint32_t ia, ib;
    float score;
};

struct chunk_out {
    struct hit *h;
    size_t n, cap;
    tl_err rc;
};

struct link_job {
    tl_name *const *a, *const *b;
    size_t na, nb;
    int self;
    double threshold;
    struct keyed *index; /* b's keys, sorted */
    size_t nindex;
    struct chunk_out *out;
    struct keyed **bkeys; /* per chunk of b: its names' keys, before they are merged */
    size_t *nbkeys;
    tl_err krc;
    /* per worker: the last query (index + 1) each name of b was a candidate for */
    uint32_t **stamps;
    int *busy;
    size_t nslots;
};

static int push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        uint32_t *g = tl_realloc(*v, nc * sizeof *g);
        if (!g) return -1;
        *v = g;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static void link_chunk(size_t c, void *ctx)
{
    struct link_job *lj = ctx;
    struct chunk_out *o = &lj->out[c];
    size_t lo = c * CHUNK, hi = lo + CHUNK < lj->na ? lo + CHUNK : lj->na;
    uint32_t *cand = NULL;
    size_t ncand = 0, capc = 0, slot = 0;
    /* a stamp array of our own while this chunk runs */
    for (;; slot = (slot + 1) % lj->nslots)
        if (!__atomic_exchange_n(&lj->busy[slot], 1, __ATOMIC_ACQUIRE)) break;
    uint32_t *stamp = lj->stamps[slot];
    for (size_t i = lo; i < hi && !o->rc; i++) {
        uint64_t keys[KEYCAP];
        size_t nk = tl_name_keys(lj->a[i], keys, KEYCAP);
        size_t first_hit = o->n;
        ncand = 0;
        for (size_t k = 0; k < nk && !o->rc; k++) {
            /* the first entry with this key */
            size_t l = 0, h = lj->nindex;
            while (l < h) {
                size_t mid = l + (h - l) / 2;
                if (lj->index[mid].key < keys[k])
                    l = mid + 1;
                else
                    h = mid;
            }
            for (; l < lj->nindex && lj->index[l].key == keys[k]; l++) {
                uint32_t j = lj->index[l].idx;
                if ((lj->self && j <= i) || stamp[j] == (uint32_t)i + 1) continue;
                stamp[j] = (uint32_t)i + 1; /* each candidate once */
                if (push_u32(&cand, &ncand, &capc, j)) o->rc = TL_ENOMEM;
            }
        }
        for (size_t k = 0; k < ncand && !o->rc; k++) {
            /* the candidates are scattered in memory: fetch a few ahead */
            if (k + 8 < ncand) __builtin_prefetch(&lj->b[cand[k + 8]]);
            if (k + 4 < ncand) {
                const char *ahead = (const char *)lj->b[cand[k + 4]];
                for (int line = 0; line < 8; line++)
                    __builtin_prefetch(ahead + (ptrdiff_t)64 * line);
            }
            double s = score_above(lj->a[i], lj->b[cand[k]], lj->threshold);
            if (s < lj->threshold) continue;
            if (o->n == o->cap) {
                size_t nc = o->cap ? o->cap * 2 : 64;
                struct hit *g = tl_realloc(o->h, nc * sizeof *g);
                if (!g) {
                    o->rc = TL_ENOMEM;
                    break;
                }
                o->h = g;
                o->cap = nc;
            }
            o->h[o->n++] = (struct hit){(uint32_t)i, cand[k], (float)s};
        }
        /* this query's links in order of b (few: insertion sort) */
        for (size_t x = first_hit + 1; x < o->n; x++)
            for (size_t y = x; y > first_hit && o->h[y - 1].ib > o->h[y].ib; y--) {
                struct hit t = o->h[y];
                o->h[y] = o->h[y - 1];
                o->h[y - 1] = t;
            }
    }
    __atomic_store_n(&lj->busy[slot], 0, __ATOMIC_RELEASE);
    tl_free(cand);
}

static void key_names(size_t c, void *ctx)
{
    struct link_job *lj = ctx;
    size_t lo = c * CHUNK, hi = lo + CHUNK < lj->nb ? lo + CHUNK : lj->nb, n = 0, cap = 0;
    struct keyed *v = NULL;
    for (size_t j = lo; j < hi; j++) {
        uint64_t keys[KEYCAP];
        size_t nk = tl_name_keys(lj->b[j], keys, KEYCAP);
        if (n + nk > cap) {
            size_t nc = (n + nk) * 2;
            struct keyed *g = tl_realloc(v, nc * sizeof *g);
            if (!g) {
                lj->krc = TL_ENOMEM; /* benign: any worker's failure fails the link */
                break;
            }
            v = g;
            cap = nc;
        }
        for (size_t k = 0; k < nk; k++)
            v[n++] = (struct keyed){keys[k], (uint32_t)j};
    }
    lj->bkeys[c] = v;
    lj->nbkeys[c] = n;
}

tl_err tl_names_link(tl_name *const *a, size_t na, tl_name *const *b, size_t nb, double threshold,
                     tl_names_link_cb cb, void *ud)
{
    struct link_job lj = {a,    b ? b : a, na,   b ? nb : na, b == NULL, threshold, NULL, 0,
                          NULL, NULL,      NULL, TL_OK,       NULL,      NULL,      0};
    if (lj.na > UINT32_MAX || lj.nb > UINT32_MAX) return TL_ELIMIT;
    size_t nchunks = (lj.na + CHUNK - 1) / CHUNK;
    tl_err rc = TL_ENOMEM;
    size_t bchunks = (lj.nb + CHUNK - 1) / CHUNK;
    lj.out = tl_calloc(nchunks ? nchunks : 1, sizeof *lj.out);
    lj.bkeys = tl_calloc(bchunks ? bchunks : 1, sizeof(struct keyed *));
    lj.nbkeys = tl_calloc(bchunks ? bchunks : 1, sizeof *lj.nbkeys);
    lj.nslots = tl__par_threads() + 1;
    lj.stamps = tl_calloc(lj.nslots, sizeof(uint32_t *));
    lj.busy = tl_calloc(lj.nslots, sizeof *lj.busy);
    if (!lj.out || !lj.bkeys || !lj.nbkeys || !lj.stamps || !lj.busy) goto out;
    for (size_t k = 0; k < lj.nslots; k++)
        if (!(lj.stamps[k] = tl_calloc(lj.nb + 1, sizeof(uint32_t)))) goto out;
    /* b's keys, made in parallel, then merged and sorted into one index */
    tl__parallel_for(bchunks, key_names, &lj);
    if ((rc = lj.krc)) goto out;
    rc = TL_ENOMEM;
    for (size_t c = 0; c < bchunks; c++)
        lj.nindex += lj.nbkeys[c];
    if (!(lj.index = tl_malloc((lj.nindex ? lj.nindex : 1) * sizeof *lj.index))) goto out;
    for (size_t c = 0, at = 0; c < bchunks; c++) {
        if (lj.nbkeys[c]) memcpy(lj.index + at, lj.bkeys[c], lj.nbkeys[c] * sizeof *lj.index);
        at += lj.nbkeys[c];
        tl_free(lj.bkeys[c]);
        lj.bkeys[c] = NULL;
    }
    qsort(lj.index, lj.nindex, sizeof *lj.index, keyed_cmp);
    tl__parallel_for(nchunks, link_chunk, &lj);
    rc = TL_OK;
    for (size_t c = 0; c < nchunks && !rc; c++) {
        rc = lj.out[c].rc;
        for (size_t k = 0; k < lj.out[c].n && !rc; k++) {
            const struct hit *h = &lj.out[c].h[k];
            if (cb(h->ia, h->ib, h->score, ud)) rc = TL_EINTERRUPTED;
        }
    }
out:
    for (size_t c = 0; lj.out && c < nchunks; c++)
        tl_free(lj.out[c].h);
    for (size_t c = 0; lj.bkeys && c < (lj.nb + CHUNK - 1) / CHUNK; c++)
        tl_free(lj.bkeys[c]);
    tl_free(lj.bkeys);
    tl_free(lj.nbkeys);
    for (size_t k = 0; lj.stamps && k < lj.nslots; k++)
        tl_free(lj.stamps[k]);
    tl_free(lj.stamps);
    tl_free(lj.busy);
    tl_free(lj.out);
    tl_free(lj.index);
    return rc;
}

/* ---- clustering ---- */

static int union_cb(size_t ia, size_t ib, double score, void *ud)
{
    (void)score;
    tl__uf_union(ud, ia, ib);
    return 0;
}

tl_err tl_names_cluster(tl_name *const *names, size_t n, double threshold, size_t *cluster)
{
    for (size_t i = 0; i < n; i++)
        cluster[i] = i;
    tl_err rc = tl_names_link(names, n, NULL, 0, threshold, union_cb, cluster);
    if (rc) return rc;
    /* the root is the smallest index of its group */
    for (size_t i = 0; i < n; i++)
        cluster[i] = tl__uf_find(cluster, i);
    return TL_OK;
}
