/* test_reader.c: streaming input forms and their errors. */
#include "testutil.h"

#include "tearline/reader.h"

#define OBJ(n) "{\"type\":\"x-t\",\"id\":\"x-t--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3" n "\"}"

/* Reads everything from text; returns the number of objects, or -1 on error (msg set). */
static int read_all(const char *text, const tl_reader_limits *lim, char *msg, size_t cap)
{
    tl_reader *r = NULL;
    assert_int_equal(tl_reader_open_mem("in.json", text, strlen(text), lim, &r), TL_OK);
    int n = 0;
    for (;;) {
        json_t *o = NULL;
        tl_err rc = tl_reader_next(r, &o, NULL);
        if (rc) {
            snprintf(msg, cap, "%s", tl_reader_errmsg(r));
            tl_reader_close(r);
            return -1;
        }
        if (!o) break;
        assert_true(json_is_object(o));
        json_decref(o);
        n++;
    }
    tl_reader_close(r);
    return n;
}

static void test_forms(void **state)
{
    (void)state;
    char msg[700];
    /* a bundle, "objects" before or after "type" */
    assert_int_equal(read_all("{\"type\":\"bundle\",\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-"
                              "98ee46b3cd3f\",\"objects\":[" OBJ("1") "," OBJ("2") "]}",
                              NULL, msg, sizeof msg),
                     2);
    assert_int_equal(
        read_all("{\"objects\":[" OBJ("1") "],\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-"
                                           "98ee46b3cd3f\",\"type\":\"bundle\"}",
                 NULL, msg, sizeof msg),
        1);
    /* a TAXII envelope, with and without objects */
    assert_int_equal(
        read_all("{\"more\":false,\"objects\":[" OBJ("1") "," OBJ("2") "," OBJ("3") "]}", NULL, msg,
                 sizeof msg),
        3);
    assert_int_equal(read_all("{\"more\":false}", NULL, msg, sizeof msg), 0);
    /* an array, one object, JSON Lines */
    assert_int_equal(read_all("[" OBJ("1") ",\n " OBJ("2") "]", NULL, msg, sizeof msg), 2);
    assert_int_equal(read_all("  " OBJ("1") "\n", NULL, msg, sizeof msg), 1);
    assert_int_equal(read_all(OBJ("1") "\n" OBJ("2") "\n" OBJ("3") "\n", NULL, msg, sizeof msg), 3);
    assert_int_equal(read_all("[]", NULL, msg, sizeof msg), 0);
    /* a single object with an "objects" list of its own is still one object */
    assert_int_equal(
        read_all("{\"type\":\"x-t\",\"objects\":[1,2],\"id\":\"x\"}", NULL, msg, sizeof msg), 1);
}

static void expect_error(const char *text, const tl_reader_limits *lim, const char *want)
{
    char msg[700] = "";
    if (read_all(text, lim, msg, sizeof msg) != -1) fail_msg("accepted: %s", text);
    if (!strstr(msg, want)) fail_msg("message '%s' lacks '%s'", msg, want);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("", NULL, "in.json: no STIX content");
    expect_error("   \n", NULL, "no STIX content");
    expect_error("42", NULL, "in.json:1:1: expected a STIX object, bundle, envelope, array");
    /* malformed JSON inside the second element, on line 3 */
    expect_error("[\n" OBJ("1") ",\n  {\"type\": \"x-t\", \"id\" 5}]", NULL,
                 "in.json:3:24: malformed JSON");
    /* duplicate keys inside an object and at the top of a bundle */
    expect_error("[{\"a\":1,\n\"a\":2}]", NULL, "in.json:2:");
    expect_error("[{\"a\":1,\n\"a\":2}]", NULL, "duplicate object key");
    expect_error("{\"objects\":[],\"objects\":[]}", NULL, "duplicate member 'objects'");
    /* invalid UTF-8 */
    expect_error("[{\"name\":\"\xff\"}]", NULL, "UTF-8");
    /* an element that is not an object */
    expect_error("[" OBJ("1") ", 5]", NULL, "in.json:1:");
    expect_error("[" OBJ("1") ", 5]", NULL, "expected a STIX object");
    /* structure */
    expect_error("[" OBJ("1") ",]", NULL, "trailing ','");
    expect_error("[" OBJ("1") " " OBJ("2") "]", NULL, "expected ',' or ']'");
    expect_error("[" OBJ("1"), NULL, "unexpected end of input");
    /* regression: a backslash as the very last byte once made the scanner spin */
    expect_error("[{\"a\":\"\\", NULL, "in.json:1:8: unexpected end of input inside a string");
    expect_error("{\"a\":\"\\", NULL, "unexpected end of input inside a string");
    expect_error("{\"type\":\"bundle\",\"objects\":[" OBJ("1"), NULL, "unexpected end of input");
    expect_error("{\"type\":\"bundle\",\"id\":\"nope\",\"objects\":[]}", NULL,
                 "'id' must be bundle--UUID");
    expect_error("{\"objects\":[],\"type\":\"indicator\"}", NULL,
                 "must be a bundle or a TAXII envelope");
    /* limits */
    tl_reader_limits lim = {40, 0, 0};
    expect_error("[" OBJ("1") "]", &lim, "larger than the limit of 40 bytes");
    tl_reader_limits small_input = {0, 8, 0};
    expect_error("[" OBJ("1") "]", &small_input,
                 "in.json: input is larger than the limit of 8 bytes");
    tl_reader_limits deep = {0, 0, 4};
    expect_error("[{\"a\":[[[[[[[1]]]]]]]}]", &deep, "nesting deeper than the limit of 4");
}

static void test_positions_and_locate(void **state)
{
    (void)state;
    const char *text =
        "{\"type\":\"bundle\",\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
        "\"objects\":[\n"
        "  {\"type\":\"x-t\",\n"
        "   \"id\":\"x-t--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\n"
        "   \"list\":[{\"a\":1},{\"b\":\"\xd0\x96\xd0\x96\",\"c\":2}]}\n"
        "]}";
    tl_reader *r = NULL;
    assert_int_equal(tl_reader_open_mem("b.json", text, strlen(text), NULL, &r), TL_OK);
    json_t *o = NULL;
    tl_reader_pos pos;
    assert_int_equal(tl_reader_next(r, &o, &pos), TL_OK);
    assert_non_null(o);
    assert_int_equal(pos.line, 2);
    assert_int_equal(pos.col, 3);
    tl_reader_pos at = tl_reader_locate(r, "id");
    assert_int_equal(at.line, 3);
    assert_int_equal(at.col, 4);
    at = tl_reader_locate(r, "list[1].c");
    assert_int_equal(at.line, 4);
    /* columns count characters, not bytes: the two Cyrillic letters are one column each */
    assert_int_equal(at.col, 30);
    at = tl_reader_locate(r, "missing");
    assert_int_equal(at.line, 2);
    json_decref(o);
    assert_int_equal(tl_reader_next(r, &o, &pos), TL_OK);
    assert_null(o);
    tl_reader_close(r);
}

static void test_streaming_file(void **state)
{
    (void)state;
    /* a file much larger than the reader's buffer streams through it */
    char *dir = tu_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/big.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"type\":\"bundle\",\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
          "\"objects\":[",
          f);
    const int n = 20000;
    for (int i = 0; i < n; i++)
        fprintf(f,
                "%s{\"type\":\"x-t\",\"id\":\"x-t--8e2e2d2b-17d4-4cbf-938f-%012d\",\"pad\":\"%"
                "0200d\"}\n",
                i ? "," : "", i, i);
    fputs("]}\n", f);
    fclose(f);
    tl_reader *r = NULL;
    char msg[256];
    assert_int_equal(tl_reader_open_file(path, NULL, &r, msg, sizeof msg), TL_OK);
    int count = 0;
    tl_reader_pos pos;
    for (;;) {
        json_t *o = NULL;
        assert_int_equal(tl_reader_next(r, &o, &pos), TL_OK);
        if (!o) break;
        if (count == n - 1) assert_int_equal(pos.line, (unsigned long)n);
        count++;
        json_decref(o);
    }
    assert_int_equal(count, n);
    tl_reader_close(r);
    assert_int_equal(tl_reader_open_file("/nonexistent/x.json", NULL, &r, msg, sizeof msg), TL_EIO);
    assert_non_null(strstr(msg, "/nonexistent/x.json: cannot open"));
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_positions_and_locate),
        cmocka_unit_test(test_streaming_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
