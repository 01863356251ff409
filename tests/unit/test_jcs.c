/* test_jcs.c: RFC 8785 canonical JSON, the readable form and strict parsing. */
#include "testutil.h"

#include "tearline/json.h"

#include "jcs.h"

static void canon_vector(const char *name)
{
    char in[512], out[512];
    char rel[128];
    snprintf(rel, sizeof rel, "data/jcs/input/%s.json", name);
    tu_shared(rel, in, sizeof in);
    snprintf(rel, sizeof rel, "data/jcs/output/%s.json", name);
    tu_shared(rel, out, sizeof out);
    size_t ilen = 0, olen = 0;
    char *input = tu_slurp(in, &ilen);
    char *expected = tu_slurp(out, &olen);
    assert_non_null(input);
    assert_non_null(expected);
    json_t *v = NULL;
    char msg[256];
    assert_int_equal(tl_json_parse(input, ilen, &v, msg, sizeof msg), TL_OK);
    char *got = NULL;
    size_t glen = 0;
    assert_int_equal(tl_json_canonical(v, &got, &glen), TL_OK);
    if (glen != olen || memcmp(got, expected, olen) != 0)
        fail_msg("%s: got\n%s\nexpected\n%s", name, got, expected);
    tl_free(got);
    json_decref(v);
    free(input);
    free(expected);
}

static void test_vectors(void **state)
{
    (void)state;
    static const char *const names[] = {"arrays",  "french", "structures",
                                        "unicode", "values", "weird"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        canon_vector(names[i]);
}

static void num(double d, const char *want)
{
    char out[32];
    assert_int_equal(tl_json_number(d, out), TL_OK);
    assert_string_equal(out, want);
}

/* ECMAScript Number.prototype.toString, as RFC 8785 Appendix B lists. */
static void test_numbers(void **state)
{
    (void)state;
    num(0.0, "0");
    num(-0.0, "0");
    num(1.0, "1");
    num(-1.5, "-1.5");
    num(5e-324, "5e-324");
    num(1.7976931348623157e308, "1.7976931348623157e+308");
    num(9007199254740992.0, "9007199254740992");
    num(1e21, "1e+21");
    num(1e20, "100000000000000000000");
    num(123456789012345680000.0, "123456789012345680000");
    num(0.000001, "0.000001");
    num(1e-7, "1e-7");
    num(333333333.33333329, "333333333.3333333");
    num(4.5, "4.5");
    num(0.002, "0.002");
    num(1e-27, "1e-27");
    num(295147905179352830000.0, "295147905179352830000");
    num(4.35, "4.35");
    num(0.1, "0.1");
    char out[32];
    assert_int_equal(tl_json_number(1.0 / 0.0, out), TL_EINVAL);
}

static void test_utf16_order(void **state)
{
    (void)state;
    /* U+1F602 sorts before U+FB33 in UTF-16 (surrogates) though after it by code point */
    assert_true(tl__utf16_cmp("\xf0\x9f\x98\x82", 4, "\xef\xac\xb3", 3) < 0);
    assert_true(tl__utf16_cmp("a", 1, "ab", 2) < 0);
    assert_true(tl__utf16_cmp("b", 1, "ab", 2) > 0);
    assert_int_equal(tl__utf16_cmp("\xc3\xb6", 2, "\xc3\xb6", 2), 0);
}

static void test_big_integer(void **state)
{
    (void)state;
    json_t *v = NULL;
    char msg[128];
    const char *in = "[9007199254740993, 12, -0]";
    assert_int_equal(tl_json_parse(in, strlen(in), &v, msg, sizeof msg), TL_OK);
    char *out;
    size_t len;
    assert_int_equal(tl_json_canonical(v, &out, &len), TL_OK);
    /* beyond 2^53 a number is the nearest IEEE double */
    assert_string_equal(out, "[9007199254740992,12,0]");
    tl_free(out);
    json_decref(v);
}

static void strict_case(const char *in, tl_err want, double want_bad)
{
    json_t *v = NULL;
    char msg[128];
    assert_int_equal(tl_json_parse(in, strlen(in), &v, msg, sizeof msg), TL_OK);
    struct tl_buf b = TL_BUF_INIT;
    double bad = 0;
    assert_int_equal(tl__jcs_write_strict(&b, v, &bad), want);
    if (want) assert_true(bad == want_bad);
    if (!want) {
        /* what the strict writer accepts reads back to the same bytes */
        json_t *back = NULL;
        assert_int_equal(tl_json_parse(b.p, b.len, &back, msg, sizeof msg), TL_OK);
        char *again;
        size_t len;
        assert_int_equal(tl_json_canonical(back, &again, &len), TL_OK);
        assert_int_equal(len, b.len);
        assert_memory_equal(again, b.p, len);
        tl_free(again);
        json_decref(back);
    }
    tl__buf_free(&b);
    json_decref(v);
}

static void test_strict_numbers(void **state)
{
    (void)state;
    strict_case("{\"a\":9007199254740991,\"b\":-9007199254740991,\"c\":1e300,\"d\":2.5}", TL_OK, 0);
    /* found by fuzzing: 2E19 canonicalizes to an integer literal JSON readers reject */
    strict_case("{\"a\":2E19}", TL_EINVAL, 2e19);
    strict_case("[9007199254740993]", TL_EINVAL, 9007199254740992.0);
    strict_case("[-9007199254740992]", TL_EINVAL, -9007199254740992.0);
}

static void test_strict(void **state)
{
    (void)state;
    json_t *v = NULL;
    char msg[256];
    const char *dup = "{\"a\": 1,\n \"a\": 2}";
    assert_int_equal(tl_json_parse(dup, strlen(dup), &v, msg, sizeof msg), TL_EJSON);
    assert_non_null(strstr(msg, "duplicate object key"));
    assert_int_equal(strncmp(msg, "2:", 2), 0);
    const char bad_utf8[] = "{\"a\": \"\xc3\x28\"}";
    assert_int_equal(tl_json_parse(bad_utf8, strlen(bad_utf8), &v, msg, sizeof msg), TL_EJSON);
    assert_non_null(strstr(msg, "UTF-8"));
    const char nul[] = "{\"a\": \"x\\u0000y\"}";
    assert_int_equal(tl_json_parse(nul, strlen(nul), &v, msg, sizeof msg), TL_EJSON);
    const char trailing[] = "{} x";
    assert_int_equal(tl_json_parse(trailing, strlen(trailing), &v, msg, sizeof msg), TL_EJSON);
    assert_null(v);
}

static void test_pretty(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:i, s:[s, f], s:{}}", "b", 1, "a", "x", 0.5, "c");
    char *out;
    size_t len;
    assert_int_equal(tl_json_pretty(v, &out, &len), TL_OK);
    assert_string_equal(out,
                        "{\n  \"a\": [\n    \"x\",\n    0.5\n  ],\n  \"b\": 1,\n  \"c\": {}\n}");
    tl_free(out);
    json_decref(v);
}

static void test_escapes(void **state)
{
    (void)state;
    json_t *v = json_string("tab\there \"q\" \\ \x01 \x7f \xe2\x80\xa8");
    char *out;
    size_t len;
    assert_int_equal(tl_json_canonical(v, &out, &len), TL_OK);
    assert_string_equal(out, "\"tab\\there \\\"q\\\" \\\\ \\u0001 \x7f \xe2\x80\xa8\"");
    tl_free(out);
    json_decref(v);
}

static void test_oom(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:[s,s,s], s:s}", "a", "x", "y", "z", "b", "long string value");
    /* every allocation failure point reports TL_ENOMEM, never crashes */
    for (long i = 0; i < 20; i++) {
        char *out = NULL;
        size_t len;
        tl_mem_fail_after(i);
        tl_err rc = tl_json_canonical(v, &out, &len);
        tl_mem_fail_after(-1);
        if (rc == TL_OK) {
            tl_free(out);
            break;
        }
        assert_int_equal(rc, TL_ENOMEM);
        assert_null(out);
    }
    json_decref(v);
}

/* The canonical form without one member path equals that of a copy with it deleted. */
static void check_except(const char *src, const char *want)
{
    static const char *const path[] = {"extensions", "sig", NULL};
    json_t *v = NULL;
    char msg[128];
    assert_int_equal(tl_json_parse(src, strlen(src), &v, msg, sizeof msg), TL_OK);
    struct tl_buf b = TL_BUF_INIT;
    assert_int_equal(tl__jcs_write_except(&b, v, path), TL_OK);
    tl__buf_putc(&b, '\0');
    assert_string_equal(b.p, want);
    /* the same as deleting it from a copy */
    json_t *c = json_deep_copy(v);
    json_t *e = json_object_get(c, "extensions");
    if (json_is_object(e) && json_object_get(e, "sig")) {
        json_object_del(e, "sig");
        if (json_object_size(e) == 0) json_object_del(c, "extensions");
    }
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(tl_json_canonical(c, &text, &len), TL_OK);
    assert_string_equal(text, want);
    tl_free(text);
    json_decref(c);
    tl__buf_free(&b);
    json_decref(v);
}

static void test_except(void **state)
{
    (void)state;
    /* the only extension: "extensions" goes too */
    check_except("{\"z\":1,\"extensions\":{\"sig\":{\"s\":\"x\"}},\"a\":[{\"sig\":2}]}",
                 "{\"a\":[{\"sig\":2}],\"z\":1}");
    /* beside another: only it goes, order kept */
    check_except("{\"extensions\":{\"zz\":{},\"sig\":1,\"aa\":true},\"b\":null}",
                 "{\"b\":null,\"extensions\":{\"aa\":true,\"zz\":{}}}");
    /* absent, or extensions not an object: unchanged */
    check_except("{\"extensions\":{\"other\":1}}", "{\"extensions\":{\"other\":1}}");
    check_except("{\"extensions\":[1],\"sig\":2}", "{\"extensions\":[1],\"sig\":2}");
    check_except("{\"extensions\":{}}", "{\"extensions\":{}}");
}

/* The fast reader against jansson: equal values, or a refusal where jansson refuses. */
static void same_as_jansson(const char *text, size_t len, int must_read)
{
    json_error_t je;
    json_t *want = json_loadb(text, len, JSON_DECODE_ANY, &je), *got = NULL;
    tl_err rc = tl__json_parse_canonical(text, len, &got);
    if (rc == TL_OK) {
        if (!want || !json_equal(got, want)) fail_msg("read differently: %.*s", (int)len, text);
    } else if (must_read) {
        fail_msg("refused canonical text: %.*s", (int)len, text);
    }
    json_t *stored = NULL;
    assert_int_equal(tl__json_parse_stored(text, len, &stored), want ? TL_OK : TL_EJSON);
    if (want) assert_true(json_equal(stored, want));
    json_decref(stored);
    json_decref(got);
    json_decref(want);
}

static void test_canonical_reader(void **state)
{
    (void)state;
    static const char *const canonical[] = {
        "{}",
        "[]",
        "0",
        "-1",
        "9007199254740991",
        "-9007199254740991",
        "1.5",
        "1e+21",
        "1.5e-7",
        "-0.000001",
        "true",
        "false",
        "null",
        "\"\"",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}",
        "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\"",
        "\"caf\xc3\xa9 \xd0\x9c\xd0\xbe \xd8\xb9\xd8\xb1 \xf0\x9f\x98\x80\"",
        "{\"\\n\\u0002key\":\"v\",\"\xe2\x82\xac\":[[],{}]}",
    };
    for (size_t i = 0; i < sizeof canonical / sizeof *canonical; i++)
        same_as_jansson(canonical[i], strlen(canonical[i]), 1);
    /* not canonical, or not JSON: refused, or read as jansson reads it */
    static const char *const other[] = {
        " {}",
        "{} ",
        "{\"a\": 1}",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "1e+",
        "+1",
        "--1",
        "\"\\u0000\"",
        "\"a\0b\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\x41\"",
        "\"\\u12\"",
        "\"abc",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "tru",
        "nul",
        "1e999",
        "99999999999999999999",
        "\"\xff\"",
        "\"\xc3\"",
        "{\"a\":1}x",
        "\"\\/\"",
        "[\"\\uD83D\\uDE00\"]",
        "",
        "\"\x01\x16\"",
        "\"tab\there\"",
    };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        same_as_jansson(other[i], i == 12 ? 5 : strlen(other[i]), 0);
    /* nesting: 64 levels are read, 65 are left to jansson */
    char deep[200];
    for (int n = 64; n <= 65; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        same_as_jansson(deep, (size_t)(2 * n), 0);
    }
}

static unsigned rnd(unsigned *seed)
{
    return (unsigned)rand_r(seed);
}

/* Random values written canonically read back to the same text, as jansson reads them. */
static json_t *random_value(unsigned *seed, int depth)
{
    int k = (int)(rnd(seed) % (depth > 3 ? 5u : 7u));
    switch (k) {
    case 0:
        return json_integer((json_int_t)rnd(seed) - RAND_MAX / 2);
    case 1:
        return json_real((double)rnd(seed) / 7.0 * (rnd(seed) % 2 ? 1e-9 : 1e9));
    case 2: {
        char s[24];
        size_t n = rnd(seed) % 20;
        static const char *const pieces[] = {
            "a",    "\"", "\\",       "\n",           "\x01",
            "\x1f", "/",  "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
        json_t *str = json_string("");
        for (size_t i = 0; i < n; i++) {
            snprintf(s, sizeof s, "%s%s", json_string_value(str),
                     pieces[rnd(seed) % (sizeof pieces / sizeof *pieces)]);
            if (strlen(s) > 18) break;
            json_string_set(str, s);
        }
        return str;
    }
    case 3:
        return rnd(seed) % 2 ? json_true() : json_null();
    case 4:
        return json_false();
    case 5: {
        json_t *a = json_array();
        for (unsigned i = rnd(seed) % 4; i > 0; i--)
            json_array_append_new(a, random_value(seed, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (unsigned i = rnd(seed) % 4; i > 0; i--) {
            char key[16];
            snprintf(key, sizeof key, "k%u\xc3\xa9%c", rnd(seed) % 50, i % 2 ? '"' : 'x');
            json_object_set_new(o, key, random_value(seed, depth + 1));
        }
        return o;
    }
    }
}

static void test_canonical_roundtrip(void **state)
{
    (void)state;
    unsigned seed = 20261127;
    for (int i = 0; i < 3000; i++) {
        json_t *v = random_value(&seed, 0), *back = NULL;
        char *text = NULL;
        size_t len = 0;
        assert_int_equal(tl_json_canonical(v, &text, &len), TL_OK);
        assert_int_equal(tl__json_parse_canonical(text, len, &back), TL_OK);
        /* JSON numbers carry no type (2.0 is written 2): the text is what must come back */
        char *again = NULL;
        size_t alen = 0;
        assert_int_equal(tl_json_canonical(back, &again, &alen), TL_OK);
        if (alen != len || memcmp(again, text, len) != 0) fail_msg("round trip differs: %s", text);
        tl_free(again);
        same_as_jansson(text, len, 1);
        json_decref(back);
        json_decref(v);
        tl_free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),          cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_utf16_order),      cmocka_unit_test(test_big_integer),
        cmocka_unit_test(test_strict),           cmocka_unit_test(test_pretty),
        cmocka_unit_test(test_escapes),          cmocka_unit_test(test_oom),
        cmocka_unit_test(test_strict_numbers),   cmocka_unit_test(test_except),
        cmocka_unit_test(test_canonical_reader), cmocka_unit_test(test_canonical_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
