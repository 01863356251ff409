/* test_node.c: node creation and ingest as one transaction. */
#include "testutil.h"

#include "tearline/node.h"

#include <sys/stat.h>

#define TS "\"2016-04-06T20:03:48.000Z\""
#define IND(n, extra)                                                                              \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-"     \
    "938f-98ee46b3cd" n "\",\"created\":" TS ",\"modified\":" TS ",\"pattern\":\"[x:y = 'z']\","   \
    "\"pattern_type\":\"stix\",\"valid_from\":" TS extra "}"

struct fixture {
    char *dir;
    char home[300];
    tl_node *n;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->dir = tu_tmpdir();
    snprintf(fx->home, sizeof fx->home, "%s/node", fx->dir);
    char msg[512];
    if (tl_node_init(fx->home, "usa", "United States", &fx->n, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    tl_node_close(fx->n);
    tu_rmrf(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static int count_cb(const tl_count *c, void *ud)
{
    *(int64_t *)ud += c->versions;
    return 0;
}

static int64_t total(tl_node *n)
{
    int64_t t = 0;
    assert_int_equal(tl_node_stats(n, count_cb, &t), TL_OK);
    return t;
}

static void write_file(struct fixture *fx, const char *name, const char *text, char *path)
{
    snprintf(path, 400, "%s/%s", fx->dir, name);
    tu_write(path, text);
}

static void test_init_files(void **state)
{
    struct fixture *fx = *state;
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/identity.key", fx->home);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/store.db", fx->home);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0077, 0);
    assert_string_equal(tl_node_code(fx->n), "usa");
    assert_int_equal(strncmp(tl_node_identity(fx->n), "identity--", 10), 0);
    /* the identity object is in the holdings */
    assert_int_equal(total(fx->n), 1);
    /* a second init on the same home is refused; open works */
    tl_node *again = NULL;
    char msg[512];
    assert_int_equal(tl_node_init(fx->home, "usa", NULL, &again, msg, sizeof msg), TL_EEXIST);
    assert_int_equal(tl_node_open(fx->home, &again, msg, sizeof msg), TL_OK);
    assert_string_equal(tl_node_identity(again), tl_node_identity(fx->n));
    tl_node_close(again);
    assert_int_equal(tl_node_open(fx->dir, &again, msg, sizeof msg), TL_ENODE);
    assert_int_equal(tl_node_init(fx->dir, "USA!", NULL, &again, msg, sizeof msg), TL_EINVAL);
}

static void test_ingest_is_one_transaction(void **state)
{
    struct fixture *fx = *state;
    char good[400], badf[400];
    write_file(fx, "good.json", "[" IND("01", "") "," IND("02", "") "]", good);
    /* the third object has a bad confidence, on line 4 */
    write_file(
        fx, "bad.json",
        "[" IND("03", "") ",\n" IND(
            "04",
            "") ",\n"
                "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--8e2e2d2b-"
                "17d4-"
                "4cbf-938f-98ee46b3cd05\",\"created\":" TS ",\"modified\":" TS ",\n"
                "  \"confidence\": 150, \"pattern\":\"[x:y = 'z']\",\"pattern_type\":\"stix\","
                "\"valid_from\":" TS "}]",
        badf);
    const char *both[] = {good, badf};
    tl_ingest_stats st;
    tl_err rc = tl_node_ingest(fx->n, both, 2, NULL, &st);
    assert_int_equal(rc, TL_ESTIX);
    char want[600];
    snprintf(want, sizeof want,
             "%s:4:3: object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd05: 'confidence' must "
             "be an integer from 0 to 100, not 150",
             badf);
    assert_string_equal(tl_node_errmsg(fx->n), want);
    /* nothing from either file was stored */
    assert_int_equal(total(fx->n), 1);
    assert_int_equal(st.stored, 0);

    /* --skip-invalid stores the valid ones and reports the bad one */
    tl_ingest_opts opts = {0};
    opts.skip_invalid = 1;
    assert_int_equal(tl_node_ingest(fx->n, both, 2, &opts, &st), TL_OK);
    assert_int_equal(st.stored, 4);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(total(fx->n), 5);
    /* ingesting again finds only duplicates */
    assert_int_equal(tl_node_ingest(fx->n, both, 1, NULL, &st), TL_OK);
    assert_int_equal(st.duplicates, 2);
    assert_int_equal(st.stored, 0);
}

static void test_ingest_conflict_message(void **state)
{
    struct fixture *fx = *state;
    char a[400], b[400];
    write_file(fx, "a.json", IND("01", ""), a);
    write_file(fx, "b.json", "\n\n" IND("01", ",\"name\":\"changed\""), b);
    const char *pa[] = {a}, *pb[] = {b};
    assert_int_equal(tl_node_ingest(fx->n, pa, 1, NULL, NULL), TL_OK);
    assert_int_equal(tl_node_ingest(fx->n, pb, 1, NULL, NULL), TL_ECONFLICT);
    char want[600];
    snprintf(want, sizeof want,
             "%s:3:1: object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01: version "
             "2016-04-06T20:03:48.000000000 is already stored with different content",
             b);
    assert_int_equal(strncmp(tl_node_errmsg(fx->n), want, strlen(want)), 0);
}

static int rec_cb(const tl_record *r, void *ud)
{
    (void)r;
    (*(int64_t *)ud)++;
    return 0;
}

static void test_origin_and_get(void **state)
{
    struct fixture *fx = *state;
    char a[400];
    write_file(fx, "a.json", IND("07", ""), a);
    const char *pa[] = {a};
    tl_ingest_opts opts = {0};
    opts.origin = "rus";
    assert_int_equal(tl_node_ingest(fx->n, pa, 1, &opts, NULL), TL_OK);
    tl_filter f = TL_FILTER_INIT;
    f.origin = "rus";
    char next[TL_CURSOR_MAX];
    int64_t n = 0;
    assert_int_equal(tl_node_query(fx->n, &f, NULL, rec_cb, &n, next), TL_OK);
    assert_int_equal(n, 1);
    opts.origin = "Not A Code";
    assert_int_equal(tl_node_ingest(fx->n, pa, 1, &opts, NULL), TL_EINVAL);
    /* get by version at any precision naming the same instant */
    assert_int_equal(tl_node_get(fx->n, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd07",
                                 "2016-04-06T20:03:48Z", rec_cb, &n),
                     TL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(tl_node_get(fx->n, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd07",
                                 "yesterday", rec_cb, &n),
                     TL_EINVAL);
}

static void test_protect(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(tl_node_protect_add(fx->n, "Station Alpha", "station"), TL_OK);
    assert_int_equal(tl_node_protect_add(fx->n, "STATION alpha", "station"), TL_EEXIST);
    assert_int_equal(tl_node_protect_add(fx->n, "x", "weapon"), TL_EINVAL);
    assert_int_equal(tl_node_protect_add(fx->n, "   ", NULL), TL_EINVAL);
    assert_int_equal(tl_node_protect_remove(fx->n, "station ALPHA"), TL_OK);
    assert_int_equal(tl_node_protect_remove(fx->n, "station ALPHA"), TL_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ingest_is_one_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ingest_conflict_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_origin_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protect, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
