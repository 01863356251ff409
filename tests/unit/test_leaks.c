/*
 * test_leaks.c: property test of redaction. 100,000 generated texts with
 * protected terms planted in disguise (mixed case, full-width letters,
 * decomposed accents, zero-width joiners and soft hyphens, no-break spaces,
 * JSON escapes); every planted term must be redacted, and the independent
 * verifier must find no term in the result.
 */
#include "testutil.h"

#include <ctype.h>

#include "tearline/json.h"
#include "tearline/release.h"

#include "jcs.h"
#include "redact.h"
#include "verify.h"

#define CASES 100000

static const char *const terms[] = {"Station Alpha", "Operation Nightjar", "CARDAMOM",
                                    "Café Noir",     "Кардамон",           "Reaper 7"};
#define NTERMS (sizeof terms / sizeof *terms)

static const char *const filler[] = {"the ",     "convoy ", "moved ",    "at dawn ",  "near ",
                                     "border ",  "; ",      "(",         ") ",        "source ",
                                     "reports ", "42 ",     "fighters ", "\xd0\xb8 ", "\xd9\x88 "};
#define NFILLER (sizeof filler / sizeof *filler)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void put_cp(struct tl_buf *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xc0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else {
        u[0] = (char)(0xe0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        u[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    }
    tl__buf_append(b, u, n);
}

/* Appends a disguised form of term. */
static void disguise(struct tl_buf *b, const char *term)
{
    uint32_t how = next();
    const unsigned char *p = (const unsigned char *)term;
    int first = 1;
    while (*p) {
        uint32_t c;
        size_t len;
        if (*p < 0x80) {
            c = *p;
            len = 1;
        } else if ((*p & 0xe0) == 0xc0) {
            c = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
            len = 2;
        } else {
            c = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
            len = 3;
        }
        p += len;
        /* invisible characters between letters */
        if (!first && (how & 1) && next() % 3 == 0) {
            static const uint32_t invisible[] = {0x200b, 0x200c, 0x200d, 0x00ad, 0x2060};
            put_cp(b, invisible[next() % 5]);
        }
        first = 0;
        /* case */
        if (c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && (how & 2))
            c = next() % 2 ? (c | 0x20) : (c & ~0x20u);
        if (c >= 0x430 && c <= 0x44f && (how & 2) && next() % 2) c -= 0x20; /* Cyrillic upper */
        /* full-width ASCII letters and digits */
        if ((how & 4) && c > 0x20 && c < 0x7f && next() % 2) c += 0xfee0;
        /* a no-break space for a space */
        if (c == ' ' && (how & 8)) c = 0xa0;
        /* a decomposed e-acute */
        if (c == 0xe9 && (how & 16)) {
            put_cp(b, 'e');
            c = 0x301;
        }
        put_cp(b, c);
    }
}

static void test_no_leak(void **state)
{
    (void)state;
    struct tl_lexicon *lx = tl__lexicon_new();
    struct tl_verifier *v = tl__verifier_new();
    assert_non_null(lx);
    assert_non_null(v);
    for (size_t i = 0; i < NTERMS; i++) {
        assert_int_equal(tl__lexicon_add(lx, terms[i]), TL_OK);
        assert_int_equal(tl__verifier_forbid_term(v, terms[i]), TL_OK);
    }
    struct tl_buf text = TL_BUF_INIT, out = TL_BUF_INIT, json = TL_BUF_INIT;
    unsigned long planted_total = 0;
    for (int n = 0; n < CASES; n++) {
        tl__buf_reset(&text);
        size_t planted = 0;
        int parts = 2 + (int)(next() % 8);
        for (int k = 0; k < parts; k++) {
            if (next() % 3 == 0) {
                disguise(&text, terms[next() % NTERMS]);
                tl__buf_putc(&text, ' ');
                planted++;
            }
            tl__buf_puts(&text, filler[next() % NFILLER]);
        }
        assert_false(text.oom);
        size_t hits = 0;
        tl__buf_reset(&out);
        assert_int_equal(tl__lexicon_redact(lx, text.p, text.len, &out, &hits), TL_OK);
        if (hits != planted)
            fail_msg("case %d: %zu planted, %zu redacted: '%s' -> '%s'", n, planted, hits, text.p,
                     out.p);
        /* the verifier sees the result as it would leave: a JSON string */
        tl__buf_reset(&json);
        tl__jcs_string(&json, out.p, out.len);
        char finding[300];
        if (tl__verify_text(v, json.p, json.len, finding, sizeof finding) != TL_OK)
            fail_msg("case %d leaks %s: '%s'", n, finding, out.p);
        /* and the verifier itself catches every planted term before redaction */
        if (planted) {
            tl__buf_reset(&json);
            tl__jcs_string(&json, text.p, text.len);
            if (tl__verify_text(v, json.p, json.len, finding, sizeof finding) != TL_ECONFLICT)
                fail_msg("case %d: the verifier missed a planted term in '%s'", n, text.p);
        }
        planted_total += planted;
    }
    assert_true(planted_total > CASES / 2);
    tl__buf_free(&text);
    tl__buf_free(&out);
    tl__buf_free(&json);
    tl__lexicon_free(lx);
    tl__verifier_free(v);
}

static void test_json_escapes(void **state)
{
    (void)state;
    /* a term written with JSON escapes is the same string once parsed */
    struct tl_lexicon *lx = tl__lexicon_new();
    assert_int_equal(tl__lexicon_add(lx, "Station Alpha"), TL_OK);
    const char *src = "\"\\u0053tation\\u200b \\u0041lpha \\uff21LPHA\"";
    json_t *v = NULL;
    char msg[128];
    assert_int_equal(tl_json_parse(src, strlen(src), &v, msg, sizeof msg), TL_OK);
    struct tl_buf out = TL_BUF_INIT;
    size_t hits;
    assert_int_equal(
        tl__lexicon_redact(lx, json_string_value(v), json_string_length(v), &out, &hits), TL_OK);
    assert_int_equal(hits, 1);
    assert_string_equal(out.p, "[REDACTED] \xef\xbc\xa1LPHA");
    tl__buf_free(&out);
    json_decref(v);
    tl__lexicon_free(lx);
}

/* Does the verifier find a term in text (given as it would leave, a JSON string)? */
static int verifier_finds(struct tl_verifier *v, const char *text)
{
    struct tl_buf json = TL_BUF_INIT;
    tl__jcs_string(&json, text, strlen(text));
    char finding[300];
    tl_err rc = tl__verify_text(v, json.p, json.len, finding, sizeof finding);
    tl__buf_free(&json);
    assert_true(rc == TL_OK || rc == TL_ECONFLICT);
    return rc == TL_ECONFLICT;
}

static void test_verifier_edges(void **state)
{
    (void)state;
    struct tl_verifier *v = tl__verifier_new();
    /* terms shorter than the four-unit gram, and two that share their first four units */
    static const char *const forbid[] = {"Q",       "zk", "JIX", "Caf\xc3\xa9 Noir", "Cafe Society",
                                         "Кардамон"};
    for (size_t i = 0; i < sizeof forbid / sizeof *forbid; i++)
        assert_int_equal(tl__verifier_forbid_term(v, forbid[i]), TL_OK);
    assert_int_equal(tl__verifier_ready(v), TL_OK);
    assert_false(verifier_finds(v, "nothing to see here"));
    assert_true(verifier_finds(v, "q"));           /* one unit, the whole text */
    assert_true(verifier_finds(v, "the end: ZK")); /* at the very end */
    assert_true(verifier_finds(v, "jix at the start"));
    assert_true(verifier_finds(v, "a CAF\xc3\x89 NOIR")); /* upper-case e-acute */
    assert_true(verifier_finds(v, "cafe society"));
    assert_false(verifier_finds(v, "a cafe, a society"));
    assert_false(verifier_finds(v, "ca f"));
    /* a mark after an ASCII base belongs to it: e + U+0301 is e-acute */
    assert_true(verifier_finds(v, "cafe\xcc\x81 noir"));
    /* a long non-ASCII run (past any stack buffer) before the term */
    struct tl_buf t = TL_BUF_INIT;
    for (int i = 0; i < 400; i++)
        tl__buf_puts(&t, "\xd0\xb8"); /* и */
    tl__buf_puts(&t,
                 "\xd0\x9a\xd0\x90\xd0\xa0\xd0\x94\xd0\x90\xd0\x9c\xd0\x9e\xd0\x9d"); /* КАРДАМОН */
    assert_true(verifier_finds(v, t.p));
    /* text that grows 18-fold under NFKC (U+FDFA), then a term */
    tl__buf_reset(&t);
    for (int i = 0; i < 300; i++)
        tl__buf_puts(&t, "\xef\xb7\xba");
    tl__buf_puts(&t, " jix");
    assert_true(verifier_finds(v, t.p));
    tl__buf_reset(&t);
    for (int i = 0; i < 300; i++)
        tl__buf_puts(&t, "\xef\xb7\xba");
    assert_false(verifier_finds(v, t.p));
    tl__buf_free(&t);
    tl__verifier_free(v);
}

/*
 * Machine-made hex is not content: a term made of the letters a-f turns up by
 * chance in identifiers' UUIDs and in the signature extension's signature and
 * key, and must not stop a release there. Anywhere else it is still found.
 */
static int verifier_finds_json(struct tl_verifier *v, const char *json)
{
    char finding[300];
    tl_err rc = tl__verify_text(v, json, strlen(json), finding, sizeof finding);
    assert_true(rc == TL_OK || rc == TL_ECONFLICT);
    return rc == TL_ECONFLICT;
}

static void test_verifier_hex(void **state)
{
    (void)state;
    struct tl_verifier *v = tl__verifier_new();
    assert_int_equal(tl__verifier_forbid_term(v, "CbcCdb"), TL_OK);
    assert_int_equal(tl__verifier_forbid_term(v, "Safe House"), TL_OK);
    assert_int_equal(tl__verifier_ready(v), TL_OK);
    char sig[129], key[65];
    memset(sig, 'a', 128);
    memcpy(sig + 50, "cbccdb", 6);
    sig[128] = '\0';
    memset(key, '0', 64);
    memcpy(key + 10, "cbccdb", 6);
    key[64] = '\0';
    char text[1024];
    /* in an id, a ref, the signature and the key: nothing found */
    snprintf(text, sizeof text,
             "{\"extensions\":{\"" TL_SIG_EXT_ID "\":{\"extension_type\":\"property-extension\","
             "\"public_key\":\"%s\",\"signature\":\"%s\",\"signer\":\"usa\"}},"
             "\"id\":\"indicator--0cbccdb0-1111-4111-8111-111111111111\","
             "\"object_refs\":[\"x-my-type--22222222-2222-4222-8222-2222cbccdb22\"]}",
             key, sig);
    assert_false(verifier_finds_json(v, text));
    /* the same letters in content, in a hex string of another length, in a
     * member of another name, or in an id of the wrong shape: found */
    assert_true(verifier_finds_json(v, "{\"description\":\"cbccdb\"}"));
    assert_true(
        verifier_finds_json(v, "{\"hashes\":{\"MD5\":\"00cbccdb000000000000000000000000\"}}"));
    snprintf(text, sizeof text, "{\"extensions\":{\"" TL_SIG_EXT_ID "\":{\"other\":\"%s\"}}}", sig);
    assert_true(verifier_finds_json(v, text));
    sig[127] = '\0'; /* 127 digits is not a signature */
    snprintf(text, sizeof text, "{\"extensions\":{\"" TL_SIG_EXT_ID "\":{\"signature\":\"%s\"}}}",
             sig);
    assert_true(verifier_finds_json(v, text));
    assert_true(
        verifier_finds_json(v, "{\"id\":\"indicator--0cbccdb0-1111-4111-8111-11111111111\"}"));
    assert_true(
        verifier_finds_json(v, "{\"id\":\"indicator--0CBCCDB0-1111-4111-8111-111111111111\"}"));
    /* a term right before a masked UUID is still found */
    assert_true(
        verifier_finds_json(v, "{\"name\":\"safe house--00000000-0000-4000-8000-000000000000\"}"));
    tl__verifier_free(v);
}

/*
 * The redactor's ASCII screen against a plain search: random ASCII texts
 * (every byte value 1-127, so case folding meets '@', '[', '`' and '{') and
 * random terms of 1 to 14 bytes, planted at random places. A text is
 * redacted exactly when a term occurs in it, case aside; one without is
 * copied unchanged.
 */
static int plain_find(const char *text, const char *term)
{
    size_t n = strlen(text), m = strlen(term);
    for (size_t p = 0; p + m <= n; p++) {
        size_t i = 0;
        while (i < m && tolower((unsigned char)text[p + i]) == tolower((unsigned char)term[i]))
            i++;
        if (i == m) return 1;
    }
    return 0;
}

static void test_ascii_screen(void **state)
{
    (void)state;
    enum { NT = 400, ROUNDS = 20000 };
    static char terms_buf[NT][16];
    struct tl_lexicon *lx = tl__lexicon_new();
    static const char alphabet[] = "abcdeABCDE @[`{-.zZ";
    for (int t = 0; t < NT; t++) {
        static const char *const shorts[] = {"~", "[`", "{.Z"}; /* one of each short length */
        if (t < 3) {
            strcpy(terms_buf[t], shorts[t]);
        } else {
            size_t len = 4 + next() % 11;
            for (size_t i = 0; i < len; i++)
                terms_buf[t][i] = alphabet[next() % (sizeof alphabet - 1)];
            terms_buf[t][len] = '\0';
        }
        tl_err rc = tl__lexicon_add(lx, terms_buf[t]);
        assert_true(rc == TL_OK || rc == TL_EINVAL);
    }
    struct tl_buf out = TL_BUF_INIT;
    char text[200];
    int matched = 0;
    for (int r = 0; r < ROUNDS; r++) {
        size_t n = 1 + next() % (sizeof text - 20);
        for (size_t i = 0; i < n; i++)
            text[i] = (char)(next() % 3
                                 ? (uint32_t)(unsigned char)alphabet[next() % (sizeof alphabet - 1)]
                                 : 1u + next() % 127u);
        text[n] = '\0';
        if (r % 2) { /* plant a term, in another case */
            const char *t = terms_buf[next() % NT];
            size_t m = strlen(t);
            if (m < n) {
                size_t at = next() % (n - m + 1);
                for (size_t i = 0; i < m; i++)
                    text[at + i] = next() % 2 ? (char)toupper((unsigned char)t[i]) : t[i];
            }
        }
        int want = 0;
        for (int t = 0; t < NT && !want; t++)
            want = plain_find(text, terms_buf[t]);
        size_t hits = 0;
        tl__buf_reset(&out);
        assert_int_equal(tl__lexicon_redact(lx, text, n, &out, &hits), TL_OK);
        if ((hits > 0) != want)
            fail_msg("round %d: '%s': %zu hits, plain search %d", r, text, hits, want);
        if (!want && (out.len != n || memcmp(out.p, text, n) != 0))
            fail_msg("round %d: '%s' changed without a term", r, text);
        matched += want;
    }
    /* both kinds of text were tried */
    if (matched < ROUNDS / 10 || matched > ROUNDS * 9 / 10)
        fail_msg("%d of %d texts matched", matched, ROUNDS);
    tl__buf_free(&out);
    tl__lexicon_free(lx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_leak),        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_verifier_edges), cmocka_unit_test(test_verifier_hex),
        cmocka_unit_test(test_ascii_screen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
