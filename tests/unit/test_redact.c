/* test_redact.c: protected terms found in any case, form or disguise. */
#include "testutil.h"

#include "redact.h"

static void check(struct tl_lexicon *lx, const char *in, const char *want, size_t want_hits)
{
    struct tl_buf out = TL_BUF_INIT;
    size_t hits = 99;
    assert_int_equal(tl__lexicon_redact(lx, in, strlen(in), &out, &hits), TL_OK);
    if (strcmp(out.p ? out.p : "", want) != 0 || hits != want_hits)
        fail_msg("'%s' -> '%s' (%zu hits), expected '%s' (%zu)", in, out.p, hits, want, want_hits);
    tl__buf_free(&out);
}

static void test_variants(void **state)
{
    (void)state;
    struct tl_lexicon *lx = tl__lexicon_new();
    assert_non_null(lx);
    assert_int_equal(tl__lexicon_add(lx, "Station Alpha"), TL_OK);
    assert_int_equal(tl__lexicon_add(lx, "Café Noir"), TL_OK);
    assert_int_equal(tl__lexicon_add(lx, "Кардамон"), TL_OK);
    assert_int_equal(tl__lexicon_add(lx, "\xe2\x80\x8b"), TL_EINVAL); /* only a zero-width space */
    check(lx, "met at Station Alpha today", "met at [REDACTED] today", 1);
    check(lx, "STATION ALPHA", "[REDACTED]", 1);
    /* a no-break space is a space under NFKC */
    check(lx,
          "station\xc2\xa0"
          "alpha",
          "[REDACTED]", 1);
    /* full-width letters */
    check(lx, "\xef\xbc\xb3tation Alpha!", "[REDACTED]!", 1);
    /* zero-width joiner and soft hyphen inside the term */
    check(lx, "Sta\xe2\x80\x8dtion Al\xc2\xadpha", "[REDACTED]", 1);
    /* decomposed and composed accents, and accents dropped */
    check(lx, "the Cafe\xcc\x81 Noir meeting", "the [REDACTED] meeting", 1);
    check(lx, "CAF\xc3\x89 NOIR", "[REDACTED]", 1);
    check(lx, "cafe noir", "[REDACTED]", 1);
    /* Cyrillic in another case, twice */
    check(lx,
          "\xd0\x9a\xd0\x90\xd0\xa0\xd0\x94\xd0\x90\xd0\x9c\xd0\x9e\xd0\x9d and "
          "\xd0\xba\xd0\xb0\xd1\x80\xd0\xb4\xd0\xb0\xd0\xbc\xd0\xbe\xd0\xbd",
          "[REDACTED] and [REDACTED]", 2);
    check(lx, "nothing here", "nothing here", 0);
    struct tl_buf out = TL_BUF_INIT;
    size_t hits;
    assert_int_equal(tl__lexicon_redact(lx, "\xff", 1, &out, &hits), TL_EINVAL);
    tl__buf_free(&out);
    tl__lexicon_free(lx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
