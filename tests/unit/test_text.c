/* test_text.c: term folding and UTF-8 checks. */
#include "testutil.h"

#include "text.h"

static void fold_eq(const char *a, const char *b)
{
    char *fa = NULL, *fb = NULL;
    assert_int_equal(tl__text_fold(a, &fa), TL_OK);
    assert_int_equal(tl__text_fold(b, &fb), TL_OK);
    if (strcmp(fa, fb) != 0) fail_msg("'%s' -> '%s' but '%s' -> '%s'", a, fa, b, fb);
    tl_free(fa);
    tl_free(fb);
}

static void test_fold(void **state)
{
    (void)state;
    fold_eq("Station ALPHA", "station alpha");
    /* full-width letters and a ligature fold to the plain ones */
    fold_eq("\xef\xbc\xb3tation", "station");
    fold_eq("\xef\xac\x81nch", "finch");
    /* composed and decomposed e-acute */
    fold_eq("caf\xc3\xa9", "cafe\xcc\x81");
    /* Cyrillic case */
    fold_eq("\xd0\x91\xd0\x90\xd0\x97\xd0\x90", "\xd0\xb1\xd0\xb0\xd0\xb7\xd0\xb0");
    /* German sharp s folds to ss */
    fold_eq("Stra\xc3\x9f"
            "e",
            "STRASSE");
    char *out = NULL;
    assert_int_equal(tl__text_fold("\xff", &out), TL_EINVAL);
    assert_null(out);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(tl__utf8_valid("abc", 3));
    assert_true(tl__utf8_valid("\xf0\x9f\x98\x82", 4));
    assert_false(tl__utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(tl__utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(tl__utf8_valid("\xf4\x90\x80\x80", 4)); /* beyond U+10FFFF */
    assert_false(tl__utf8_valid("\xe2\x82", 2));         /* truncated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
