/* test_ts.c: RFC 3339 timestamps. */
#include "testutil.h"

#include "ts.h"

static int parse(const char *s, int *frac, int64_t *us, char *key)
{
    return tl__ts_parse(s, strlen(s), frac, us, key);
}

static void test_valid(void **state)
{
    (void)state;
    int frac;
    int64_t us;
    char key[TL_TS_KEYMAX];
    assert_int_equal(parse("1970-01-01T00:00:00Z", &frac, &us, key), 0);
    assert_int_equal(frac, 0);
    assert_int_equal(us, 0);
    assert_string_equal(key, "1970-01-01T00:00:00.000000000");
    assert_int_equal(parse("2016-02-29T23:59:60.123456789123Z", &frac, &us, key), 0);
    assert_int_equal(frac, 12);
    assert_string_equal(key, "2016-02-29T23:59:60.123456789123");
    assert_int_equal(parse("2014-05-08T09:00:00.000000Z", NULL, &us, key), 0);
    assert_int_equal(us, 1399539600000000LL);
    /* the same instant at different precision gives one key */
    char k2[TL_TS_KEYMAX];
    assert_int_equal(parse("2014-05-08T09:00:00.000Z", NULL, NULL, k2), 0);
    assert_string_equal(key, k2);
    assert_int_equal(parse("2014-05-08T09:00:00.1000000000Z", NULL, NULL, key), 0);
    assert_int_equal(parse("2014-05-08T09:00:00.1Z", NULL, NULL, k2), 0);
    assert_string_equal(key, k2);
    /* order of keys is order in time */
    assert_int_equal(parse("2014-05-08T09:00:00.1000000001Z", NULL, NULL, key), 0);
    assert_true(strcmp(k2, key) < 0);
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2016-01-01",
        "2016-01-01T00:00:00",
        "2016-01-01T00:00:00+00:00",
        "2016-01-01 00:00:00Z",
        "2016-13-01T00:00:00Z",
        "2016-00-01T00:00:00Z",
        "2015-02-29T00:00:00Z",
        "2016-04-31T00:00:00Z",
        "2016-01-01T24:00:00Z",
        "2016-01-01T00:60:00Z",
        "2016-01-01T00:00:61Z",
        "2016-01-01T00:00:00.Z",
        "2016-01-01T00:00:00.5z",
        "2016-01-01t00:00:00Z",
        "x016-01-01T00:00:00Z",
        "2016-01-01T00:00:00.5Zjunk",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (parse(bad[i], NULL, NULL, NULL) == 0) fail_msg("accepted '%s'", bad[i]);
}

static void test_format(void **state)
{
    (void)state;
    char out[32];
    tl__ts_format_us(1399539600123456LL, out);
    assert_string_equal(out, "2014-05-08T09:00:00.123456Z");
    tl__ts_format_ms(1399539600123456LL, out);
    assert_string_equal(out, "2014-05-08T09:00:00.123Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
