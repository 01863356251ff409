/* test_store.c: the store interface (run against every backend built). */
#include "testutil.h"
#include "pgtest.h"

#include "store.h"
#include "tearline/prov.h"

#include <sqlite3.h>

/* Every test runs on each backend: an SQLite file, and a PostgreSQL database. */
struct fixture {
    char *dir;
    char url[400];
    int pg;
    tl_store *st;
};

static int open_fixture(void **state, int pg)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    char msg[512];
    if (!fx) return -1;
    *state = fx; /* teardown frees it, whatever happens below */
    fx->pg = pg;
    fx->dir = tu_tmpdir();
    if (pg) {
        if (tu_pg_create(fx->url, sizeof fx->url)) return -1;
    } else {
        snprintf(fx->url, sizeof fx->url, "sqlite:%s/store.db", fx->dir);
    }
    if (tl_store_open(fx->url, &fx->st, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    return open_fixture(state, 0);
}

static int setup_pg(void **state)
{
    return open_fixture(state, 1);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    tl_store_close(fx->st);
    if (fx->pg) tu_pg_drop(fx->url);
    tu_rmrf(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static tl_store_obj obj(const char *id, const char *version, const char *json)
{
    tl_store_obj o = {id,   "indicator", version, "2016-01-01T00:00:00.000000000",
                      0,    "",          json,    strlen(json),
                      NULL, 0,           NULL,    0};
    return o;
}

struct collect {
    int n;
    char ids[64][80];
    char versions[64][64];
    int64_t added[64];
    int latest[64];
};

static int collect(const tl_record *r, void *ud)
{
    struct collect *c = ud;
    if (c->n < 64) {
        snprintf(c->ids[c->n], 80, "%s", r->id);
        snprintf(c->versions[c->n], 64, "%s", r->version);
        c->added[c->n] = r->added_us;
        c->latest[c->n] = r->latest;
    }
    c->n++;
    return 0;
}

#define V1 "2016-01-01T00:00:00.000000000"
#define V2 "2016-02-01T00:00:00.000000000"
#define V3 "2016-03-01T00:00:00.000000000"

static void test_versions(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    tl_put_result res;
    assert_int_equal(tl_store_begin(st), TL_OK);
    tl_store_obj a1 = obj("indicator--a", V1, "{\"v\":1}");
    tl_store_obj a2 = obj("indicator--a", V2, "{\"v\":2}");
    assert_int_equal(tl_store_put(st, &a2, &res), TL_OK);
    assert_int_equal(res, TL_PUT_NEW);
    /* an older version arriving later is history, not the latest */
    assert_int_equal(tl_store_put(st, &a1, &res), TL_OK);
    assert_int_equal(tl_store_put(st, &a1, &res), TL_OK);
    assert_int_equal(res, TL_PUT_DUPLICATE);
    /* the same version with other content conflicts */
    tl_store_obj a1x = obj("indicator--a", V1, "{\"v\":99}");
    assert_int_equal(tl_store_put(st, &a1x, &res), TL_ECONFLICT);
    assert_non_null(strstr(tl_store_errmsg(st), "already stored with different content"));
    /* created must not change between versions */
    tl_store_obj a3 = obj("indicator--a", V3, "{\"v\":3}");
    a3.created = V2;
    assert_int_equal(tl_store_put(st, &a3, &res), TL_ECONFLICT);
    assert_non_null(strstr(tl_store_errmsg(st), "'created' differs"));
    assert_int_equal(tl_store_commit(st), TL_OK);

    struct collect c = {0};
    assert_int_equal(tl_store_get(st, "indicator--a", NULL, collect, &c), TL_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.versions[0], V2);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_get(st, "indicator--a", V1, collect, &c), TL_OK);
    assert_string_equal(c.versions[0], V1);
    assert_int_equal(tl_store_get(st, "indicator--a", V3, collect, &c), TL_ENOTFOUND);
    assert_int_equal(tl_store_get(st, "indicator--zz", NULL, collect, &c), TL_ENOTFOUND);
}

static void test_revoked_is_permanent(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    tl_store_obj b1 = obj("indicator--b", V1, "{\"v\":1}");
    tl_store_obj b2 = obj("indicator--b", V2, "{\"v\":2,\"revoked\":true}");
    b2.revoked = 1;
    tl_store_obj b3 = obj("indicator--b", V3, "{\"v\":3}");
    assert_int_equal(tl_store_put(st, &b1, NULL), TL_OK);
    assert_int_equal(tl_store_put(st, &b2, NULL), TL_OK);
    assert_int_equal(tl_store_put(st, &b3, NULL), TL_ECONFLICT);
    assert_non_null(strstr(tl_store_errmsg(st), "revocation is permanent"));
    /* a later version that stays revoked is fine */
    b3.revoked = 1;
    assert_int_equal(tl_store_put(st, &b3, NULL), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
}

static void test_rollback(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    tl_store_obj c1 = obj("indicator--c", V1, "{}");
    assert_int_equal(tl_store_put(st, &c1, NULL), TL_OK);
    assert_int_equal(tl_store_rollback(st), TL_OK);
    struct collect c = {0};
    assert_int_equal(tl_store_get(st, "indicator--c", NULL, collect, &c), TL_ENOTFOUND);
    /* writes need a transaction */
    assert_int_equal(tl_store_put(st, &c1, NULL), TL_EINVAL);
}

static void test_query_paging(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    char ids[10][40];
    for (int i = 0; i < 10; i++) {
        snprintf(ids[i], sizeof ids[i], "indicator--%02d", i);
        tl_store_obj o = obj(ids[i], V1, "{}");
        const char *labels[] = {i % 2 ? "odd" : "even"};
        o.labels = labels;
        o.nlabels = 1;
        o.type = i < 7 ? "indicator" : "malware";
        o.origin = i == 9 ? "rus" : "";
        assert_int_equal(tl_store_put(st, &o, NULL), TL_OK);
    }
    assert_int_equal(tl_store_commit(st), TL_OK);

    /* pages of 3 cover everything once, in date_added order, strictly increasing */
    tl_filter f = TL_FILTER_INIT;
    f.limit = 3;
    char cursor[TL_CURSOR_MAX] = "", next[TL_CURSOR_MAX];
    struct collect all = {0};
    int pages = 0;
    do {
        assert_int_equal(tl_store_query(st, &f, cursor, collect, &all, next), TL_OK);
        memcpy(cursor, next, sizeof cursor);
        pages++;
    } while (*cursor);
    assert_int_equal(all.n, 10);
    assert_int_equal(pages, 4);
    for (int i = 0; i < 10; i++) {
        assert_string_equal(all.ids[i], ids[i]);
        if (i) assert_true(all.added[i] > all.added[i - 1]);
    }
    /* an exact final page gives no cursor */
    f.limit = 5;
    struct collect c = {0};
    assert_int_equal(tl_store_query(st, &f, NULL, collect, &c, next), TL_OK);
    assert_string_not_equal(next, "");
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &f, next, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 5);
    assert_string_equal(next, "");

    /* filters */
    tl_filter g = TL_FILTER_INIT;
    g.types[0] = "malware";
    g.ntypes = 1;
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &g, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 3);
    tl_filter h = TL_FILTER_INIT;
    h.label = "odd";
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &h, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 5);
    tl_filter o = TL_FILTER_INIT;
    o.origin = "rus";
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &o, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], "indicator--09");
    tl_filter aa = TL_FILTER_INIT;
    aa.added_after_us = all.added[6];
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &aa, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 3);

    /* a cursor the store did not write is refused */
    static const char *const bogus[] = {"c1.", "c1.-5", "c1.12x", "x", "c1.99999999999999999999",
                                        "c2.5"};
    for (size_t i = 0; i < sizeof bogus / sizeof *bogus; i++)
        assert_int_equal(tl_store_query(st, &f, bogus[i], collect, &c, next), TL_EINVAL);
}

static void test_versions_filter_and_delete(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    tl_store_obj v1 = obj("indicator--d", V1, "{\"1\":1}");
    tl_store_obj v2 = obj("indicator--d", V2, "{\"2\":2}");
    tl_store_obj v3 = obj("indicator--d", V3, "{\"3\":3}");
    assert_int_equal(tl_store_put(st, &v2, NULL), TL_OK);
    assert_int_equal(tl_store_put(st, &v3, NULL), TL_OK);
    assert_int_equal(tl_store_put(st, &v1, NULL), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    tl_filter f = TL_FILTER_INIT;
    f.id = "indicator--d";
    char next[TL_CURSOR_MAX];
    struct collect c = {0};
    assert_int_equal(tl_store_query(st, &f, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.versions[0], V3);
    f.versions = TL_VERSIONS_FIRST;
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &f, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.versions[0], V1);
    f.versions = TL_VERSIONS_ALL;
    f.modified_from = V2;
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_query(st, &f, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 2);
    /* deleting the latest makes the next newest the latest */
    int64_t n = 0;
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_delete(st, "indicator--d", V3, &n), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    assert_int_equal(n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_get(st, "indicator--d", NULL, collect, &c), TL_OK);
    assert_string_equal(c.versions[0], V2);
}

static int count_cb(const tl_count *c, void *ud)
{
    if (!strcmp(c->type, "indicator")) *(int64_t *)ud = c->versions;
    return 0;
}

static int term_cb(const char *term, const char *kind, int64_t added, void *ud)
{
    (void)added;
    snprintf(ud, 64, "%s/%s", kind, term);
    return 0;
}

static void test_counts_terms_meta(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    tl_store_obj e = obj("indicator--e", V1, "{}");
    assert_int_equal(tl_store_put(st, &e, NULL), TL_OK);
    assert_int_equal(tl_store_term_add(st, "Station Alpha", "station alpha", "station"), TL_OK);
    assert_int_equal(tl_store_term_add(st, "STATION ALPHA", "station alpha", "station"), TL_EEXIST);
    assert_int_equal(tl_store_meta_set(st, "k", "v"), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    int64_t versions = 0;
    assert_int_equal(tl_store_count(st, count_cb, &versions), TL_OK);
    assert_int_equal(versions, 1);
    char got[64] = "";
    assert_int_equal(tl_store_term_list(st, term_cb, got), TL_OK);
    assert_string_equal(got, "station/Station Alpha");
    char *v = NULL;
    assert_int_equal(tl_store_meta_get(st, "k", &v), TL_OK);
    assert_string_equal(v, "v");
    tl_free(v);
    assert_int_equal(tl_store_meta_get(st, "nope", &v), TL_ENOTFOUND);
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_term_remove(st, "station alpha"), TL_OK);
    assert_int_equal(tl_store_term_remove(st, "station alpha"), TL_ENOTFOUND);
    assert_int_equal(tl_store_commit(st), TL_OK);
}

static void test_reopen_keeps_data(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    tl_store_obj f1 = obj("indicator--f", V1, "{}");
    assert_int_equal(tl_store_put(fx->st, &f1, NULL), TL_OK);
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    tl_store_close(fx->st);
    char msg[512];
    assert_int_equal(tl_store_open(fx->url, &fx->st, msg, sizeof msg), TL_OK);
    struct collect c = {0};
    assert_int_equal(tl_store_get(fx->st, "indicator--f", NULL, collect, &c), TL_OK);
    /* date_added keeps increasing across sessions */
    int64_t before = c.added[0];
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    tl_store_obj g1 = obj("indicator--g", V1, "{}");
    assert_int_equal(tl_store_put(fx->st, &g1, NULL), TL_OK);
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_get(fx->st, "indicator--g", NULL, collect, &c), TL_OK);
    assert_true(c.added[0] > before);
    tl_store *other = NULL;
    assert_int_equal(tl_store_open("mysql://x/y", &other, msg, sizeof msg), TL_EINVAL);
    assert_non_null(strstr(msg, "unsupported scheme"));
    assert_null(other);
    /* a database that cannot be reached: a clear error, and never the password */
    assert_int_equal(tl_store_open("postgresql://tl:s3cret@127.0.0.1:1/x?connect_timeout=2", &other,
                                   msg, sizeof msg),
                     TL_ESTORE);
    assert_non_null(strstr(msg, "cannot connect"));
    assert_non_null(strstr(msg, "127.0.0.1:1/x"));
    assert_null(strstr(msg, "s3cret"));
    assert_null(other);
}

static void test_newer_schema_refused(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    assert_int_equal(tl_store_meta_set(fx->st, "schema_version", "999"), TL_OK);
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    tl_store_close(fx->st);
    fx->st = NULL;
    char msg[512];
    /* a store written by a newer tearline is not touched */
    assert_int_equal(tl_store_open(fx->url, &fx->st, msg, sizeof msg), TL_ESTORE);
    assert_non_null(strstr(msg, "schema version 999 is newer than this tearline knows"));
    assert_null(fx->st);
}

struct facets_seen {
    int n;
    char line[16][200];
};

static int collect_facet(const char *kind, const char *value, int64_t seq, void *ud)
{
    struct facets_seen *r = ud;
    if (r->n < 16)
        snprintf(r->line[r->n++], sizeof r->line[0], "%s %s<%lld", kind, value, (long long)seq);
    return 0;
}

static int seen(const struct facets_seen *r, const char *line)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->line[i], line)) return 1;
    return 0;
}

#define REL_JSON                                                                                   \
    "{\"id\":\"relationship--r\",\"source_ref\":\"threat-actor--a\",\"target_ref\":\"location--"   \
    "l\","                                                                                         \
    "\"type\":\"relationship\"}"
#define IND_JSON                                                                                   \
    "{\"extensions\":{\"" TL_PROV_EXT_ID "\":{\"caveats\":{\"noforn\":false,\"orcon\":true,"       \
    "\"rel_to\":[\"usa\",\"gbr\"]},\"originator\":\"identity--o\",\"source_ref\":"                 \
    "\"identity--s\"}},\"id\":\"indicator--i\",\"object_marking_refs\":[\"marking-definition--"    \
    "m\"],"                                                                                        \
    "\"type\":\"indicator\"}"

static void check_facets(tl_store *st)
{
    struct facets_seen r = {0};
    assert_int_equal(tl_store_facets(st, TL_FACET_END, collect_facet, &r), TL_OK);
    assert_int_equal(r.n, 2);
    assert_true(seen(&r, "end threat-actor--a<1")); /* the relationship is seq 1 */
    assert_true(seen(&r, "end location--l<1"));
    memset(&r, 0, sizeof r);
    assert_int_equal(tl_store_facets(st, NULL, collect_facet, &r), TL_OK);
    assert_int_equal(r.n, 11);
    assert_true(seen(&r, "label syria<1")); /* labels are listed as facets too */
    /* the indicator's first version is seq 2; its second (seq 3) has none */
    static const char *const want[] = {"source identity--s<2",
                                       "source identity--o<2",
                                       "originator identity--o<2",
                                       "caveat orcon<2",
                                       "caveat rel_to<2",
                                       "rel_to usa<2",
                                       "rel_to gbr<2",
                                       "marking marking-definition--m<2"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!seen(&r, want[i])) fail_msg("facet missing: %s", want[i]);
}

static void migrated_facets(struct fixture *fx);
static void migrated_facets_pg(struct fixture *fx);

/* Indexed facets: stored with each version, listed by kind, gone with their version. */
static void test_facets(void **state)
{
    struct fixture *fx = *state;
    tl_store_facet rel_f[] = {{TL_FACET_END, "threat-actor--a"}, {TL_FACET_END, "location--l"}};
    tl_store_facet ind_f[] = {{TL_FACET_SOURCE, "identity--s"},
                              {TL_FACET_SOURCE, "identity--o"},
                              {TL_FACET_ORIGINATOR, "identity--o"},
                              {TL_FACET_CAVEAT, "orcon"},
                              {TL_FACET_CAVEAT, "rel_to"},
                              {TL_FACET_REL_TO, "usa"},
                              {TL_FACET_REL_TO, "gbr"},
                              {TL_FACET_MARKING, "marking-definition--m"}};
    tl_store_obj rel = obj("relationship--r", V1, REL_JSON);
    rel.type = "relationship";
    static const char *const rel_labels[] = {"syria"};
    rel.labels = rel_labels;
    rel.nlabels = 1;
    rel.facets = rel_f;
    rel.nfacets = 2;
    tl_store_obj ind = obj("indicator--i", V1, IND_JSON);
    ind.facets = ind_f;
    ind.nfacets = sizeof ind_f / sizeof *ind_f;
    tl_store_obj ind2 = obj("indicator--i", V2, "{}");
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    assert_int_equal(tl_store_put(fx->st, &rel, NULL), TL_OK);
    assert_int_equal(tl_store_put(fx->st, &ind, NULL), TL_OK);
    assert_int_equal(tl_store_put(fx->st, &ind2, NULL), TL_OK);
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    check_facets(fx->st);
    if (!fx->pg)
        migrated_facets(fx);
    else
        migrated_facets_pg(fx);

    /* deleting a version deletes its facets */
    int64_t deleted = 0;
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    assert_int_equal(tl_store_delete(fx->st, "relationship--r", NULL, &deleted), TL_OK);
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    struct facets_seen r = {0};
    assert_int_equal(tl_store_facets(fx->st, TL_FACET_END, collect_facet, &r), TL_OK);
    assert_int_equal(r.n, 0);
}

/* An SQLite store from before the index (schema 3) gains the same facets from its objects. */
static void migrated_facets(struct fixture *fx)
{
    tl_store_close(fx->st);
    fx->st = NULL;
    char path[300], msg[512];
    snprintf(path, sizeof path, "%s/store.db", fx->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "DROP TABLE facets; DROP INDEX objects_meta; DROP TABLE "
                     "partners; DROP TABLE taxii_status; DROP INDEX outbox_added; "
                     "ALTER TABLE outbox DROP COLUMN latest; DROP TABLE ledger; "
                     "DROP TABLE ledger_checkpoints; DROP INDEX audit_partner; "
                     "ALTER TABLE audit DROP COLUMN prev; ALTER TABLE audit DROP COLUMN hash; "
                     "DROP TABLE resolutions; DROP TABLE claims; DROP INDEX outbox_id; DROP TABLE "
                     "watch_rules; DROP TABLE alerts; "
                     "UPDATE meta SET value = '3' "
                     "WHERE key = 'schema_version'",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(tl_store_open(path, &fx->st, msg, sizeof msg), TL_OK);
    check_facets(fx->st);
}

/* A PostgreSQL store of schema 11 (a row a facet) keeps its facets in 12's rows of a version. */
static void migrated_facets_pg(struct fixture *fx)
{
    tl_store_close(fx->st);
    fx->st = NULL;
    char msg[512];
    assert_true(tu_pg_exec(
        fx->url, "ALTER TABLE facets RENAME TO f12;"
                 "CREATE TABLE facets(kind text COLLATE \"C\" NOT NULL, value text COLLATE \"C\" "
                 "NOT NULL, seq bigint NOT NULL);"
                 "INSERT INTO facets SELECT split_part(f, ':', 1), substr(f, strpos(f, ':') + 1), "
                 "seq FROM f12, unnest(list) f;"
                 "DROP TABLE f12;"
                 "CREATE INDEX facets_kind ON facets(kind, seq); CREATE INDEX facets_seq ON "
                 "facets(seq);"
                 "UPDATE meta SET value = '11' WHERE key = 'schema_version'"));
    assert_int_equal(tl_store_open(fx->url, &fx->st, msg, sizeof msg), TL_OK);
    check_facets(fx->st);
}

struct rows {
    int n;
    char line[16][120];
    int64_t added[16];
};

static int collect_row(int64_t added, const char *id, const char *version, const char *json,
                       size_t len, void *ud)
{
    struct rows *r = ud;
    if (r->n < 16) {
        r->added[r->n] = added;
        snprintf(r->line[r->n++], sizeof r->line[0], "%s %.10s%s", id, version,
                 json && len ? " +json" : "");
    }
    return 0;
}

static struct rows outbox_rows(tl_store *st, tl_outbox_query q)
{
    struct rows r = {0};
    assert_int_equal(tl_store_outbox_query(st, &q, collect_row, &r), TL_OK);
    return r;
}

/* The TAXII filters over one partner's outbox. */
static void test_outbox_query(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *partner, *id, *version;
    } rows[] = {{"rus", "indicator--a", "2016-01-01T00:00:00.000000000"},
                {"rus", "indicator--a", "2016-02-01T00:00:00.000000000"},
                {"rus", "threat-actor--b", "2016-01-01T00:00:00.000000000"},
                {"gbr", "indicator--c", "2016-01-01T00:00:00.000000000"},
                {"rus", "indicator--a", "2016-03-01T00:00:00.000000000"}};
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        tl_outbox_obj o = {rows[i].partner, rows[i].id, rows[i].version, "x--1", "{}", 2};
        assert_int_equal(tl_store_outbox_put(fx->st, &o), TL_OK);
    }
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    tl_outbox_query q = {.partner = "rus", .after_added = -1, .last = 1};
    struct rows r = outbox_rows(fx->st, q); /* the latest version of each, by date_added */
    assert_int_equal(r.n, 2);
    assert_string_equal(r.line[0], "threat-actor--b 2016-01-01");
    assert_string_equal(r.line[1], "indicator--a 2016-03-01");
    q.last = 0;
    q.first = 1;
    r = outbox_rows(fx->st, q);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.line[0], "indicator--a 2016-01-01");
    q.first = 0;
    q.all = 1;
    q.want_json = 1;
    r = outbox_rows(fx->st, q); /* every version; never another partner's */
    assert_int_equal(r.n, 4);
    assert_string_equal(r.line[3], "indicator--a 2016-03-01 +json");
    assert_true(r.added[0] < r.added[1] && r.added[1] < r.added[2] && r.added[2] < r.added[3]);
    q.after_added = r.added[1];
    q.limit = 1;
    r = outbox_rows(fx->st, q);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.line[0], "threat-actor--b 2016-01-01 +json");
    tl_outbox_query t = {.partner = "rus", .after_added = -1, .all = 1, .ntypes = 1};
    t.types[0] = "threat-actor";
    r = outbox_rows(fx->st, t);
    assert_int_equal(r.n, 1);
    tl_outbox_query v = {
        .partner = "rus", .after_added = -1, .nids = 1, .nversions = 1, .first = 1};
    v.ids[0] = "indicator--a";
    v.versions[0] = "2016-02-01T00:00:00.000000000";
    r = outbox_rows(fx->st, v); /* first OR an exact version */
    assert_int_equal(r.n, 2);
    assert_string_equal(r.line[1], "indicator--a 2016-02-01");
}

struct partner_seen {
    int n;
    char codes[4][16];
    char hash[64];
};

static int collect_partner(const tl_partner_rec *p, void *ud)
{
    struct partner_seen *ps = ud;
    if (ps->n < 4) snprintf(ps->codes[ps->n++], sizeof ps->codes[0], "%s", p->code);
    snprintf(ps->hash, sizeof ps->hash, "%s", p->secret_hash);
    return 0;
}

static void test_partners(void **state)
{
    struct fixture *fx = *state;
    tl_partner_rec a = {"rus", "https://rus.example/api/", "ab", "rus:pw", "$argon2id$x", ""};
    tl_partner_rec b = {"gbr", "", "", "", "", ""};
    assert_int_equal(tl_store_partner_put(fx->st, &a), TL_EINVAL); /* outside a transaction */
    assert_int_equal(tl_store_begin(fx->st), TL_OK);
    assert_int_equal(tl_store_partner_put(fx->st, &a), TL_OK);
    assert_int_equal(tl_store_partner_put(fx->st, &b), TL_OK);
    a.secret_hash = "$argon2id$y"; /* replaced, not added */
    assert_int_equal(tl_store_partner_put(fx->st, &a), TL_OK);
    assert_int_equal(tl_store_commit(fx->st), TL_OK);
    struct partner_seen ps = {0};
    assert_int_equal(tl_store_partner_get(fx->st, NULL, collect_partner, &ps), TL_OK);
    assert_int_equal(ps.n, 2);
    assert_string_equal(ps.codes[0], "gbr");
    assert_string_equal(ps.codes[1], "rus");
    memset(&ps, 0, sizeof ps);
    assert_int_equal(tl_store_partner_get(fx->st, "rus", collect_partner, &ps), TL_OK);
    assert_string_equal(ps.hash, "$argon2id$y");
    assert_int_equal(tl_store_partner_get(fx->st, "fra", collect_partner, &ps), TL_ENOTFOUND);
}

struct chain_seen {
    int n;
    int64_t seq[8];
    char text[8][120];
    unsigned char hash[8][32];
    int has_hash[8];
};

static int collect_audit(const tl_audit_row *a, void *ud)
{
    struct chain_seen *c = ud;
    if (c->n < 8) {
        c->seq[c->n] = a->seq;
        snprintf(c->text[c->n], sizeof c->text[0], "%s %s %s %s %s", a->partner, a->object,
                 a->action, a->rule, a->detail);
        c->has_hash[c->n] = a->hash != NULL && a->prev != NULL;
        if (a->hash) memcpy(c->hash[c->n], a->hash, 32);
        c->n++;
    }
    return 0;
}

static int collect_ledger(const tl_ledger_row *e, void *ud)
{
    struct chain_seen *c = ud;
    if (c->n < 8) {
        c->seq[c->n] = e->seq;
        snprintf(c->text[c->n], sizeof c->text[0], "%s %s %s [%.*s]", e->kind, e->party, e->summary,
                 e->payload ? (int)e->payload_len : 4, e->payload ? e->payload : "null");
        c->has_hash[c->n] = e->hash && e->prev && e->digest;
        if (e->hash) memcpy(c->hash[c->n], e->hash, 32);
        c->n++;
    }
    return 0;
}

static int collect_checkpoint(const tl_checkpoint_row *k, void *ud)
{
    struct chain_seen *c = ud;
    if (c->n < 8) {
        c->seq[c->n] = k->seq;
        c->has_hash[c->n] = k->hash && k->public_key && k->signature;
        if (k->signature) memcpy(c->hash[c->n], k->signature + 32, 32);
        c->n++;
    }
    return 0;
}

/* The audit trail and the ledger: appended in transactions, heads, scans, bytes intact. */
static void test_chains(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    unsigned char h0[32], h1[32], h2[32], sig[64], got[32];
    for (int i = 0; i < 32; i++) {
        h0[i] = (unsigned char)i;
        h1[i] = (unsigned char)(0xff - i);
        h2[i] = (unsigned char)(i * 7);
    }
    for (int i = 0; i < 64; i++)
        sig[i] = (unsigned char)(i ^ 0x5a);
    int64_t seq = -1;
    int chained = -1;
    assert_int_equal(tl_store_audit_head(st, &seq, got, &chained), TL_OK);
    assert_int_equal(seq, 0);
    assert_int_equal(chained, 0);
    tl_audit_row a1 = {1, 100, "rus", "indicator--a", "release", "in-scope", "", h0, h1};
    tl_audit_row a2 = {2, 200, "gbr", "indicator--b", "withhold", "noforn", "it's NOFORN", h1, h2};
    assert_int_equal(tl_store_audit_put(st, &a1), TL_EINVAL); /* outside a transaction */
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_audit_put(st, &a1), TL_OK);
    assert_int_equal(tl_store_audit_put(st, &a2), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    assert_int_equal(tl_store_audit_head(st, &seq, got, &chained), TL_OK);
    assert_int_equal(seq, 2);
    assert_int_equal(chained, 1);
    assert_memory_equal(got, h2, 32);
    struct chain_seen c = {0};
    assert_int_equal(tl_store_audit_scan(st, NULL, 0, collect_audit, &c), TL_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.text[1], "gbr indicator--b withhold noforn it's NOFORN");
    assert_true(c.has_hash[0] && c.has_hash[1]);
    assert_memory_equal(c.hash[0], h1, 32);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_audit_scan(st, "rus", 0, collect_audit, &c), TL_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_audit_scan(st, NULL, 150, collect_audit, &c), TL_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.seq[0], 2);

    assert_int_equal(tl_store_ledger_head(st, &seq, got), TL_OK);
    assert_int_equal(seq, 0);
    static const char payload[] = "{\"objects\":[\"a\\\\b\",\"\\u00e9\"]}";
    tl_ledger_row e1 = {1,  10, "release", "rus", "3 objects", payload, sizeof payload - 1,
                        h2, h0, h1};
    tl_ledger_row e2 = {2, 20, "receipt", "rus", "3 acknowledged", "{}", 2, h2, h1, h2};
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_ledger_put(st, &e1), TL_OK);
    assert_int_equal(tl_store_ledger_put(st, &e2), TL_OK);
    tl_checkpoint_row k1 = {2, 30, h2, h0, sig};
    assert_int_equal(tl_store_checkpoint_put(st, &k1), TL_OK);
    k1.time = 31; /* one checkpoint per seq: replaced */
    assert_int_equal(tl_store_checkpoint_put(st, &k1), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    assert_int_equal(tl_store_ledger_head(st, &seq, got), TL_OK);
    assert_int_equal(seq, 2);
    assert_memory_equal(got, h2, 32);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_ledger_scan(st, 1, 1, collect_ledger, &c), TL_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.text[0],
                        "release rus 3 objects [{\"objects\":[\"a\\\\b\",\"\\u00e9\"]}]");
    assert_true(c.has_hash[0]);
    assert_memory_equal(c.hash[0], h1, 32);
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_ledger_scan(st, 2, 0, collect_ledger, &c), TL_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.text[0], "receipt rus 3 acknowledged [null]");
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_checkpoint_scan(st, collect_checkpoint, &c), TL_OK);
    assert_int_equal(c.n, 1);
    assert_true(c.has_hash[0]);
    assert_memory_equal(c.hash[0], sig + 32, 32);
}

struct side_seen {
    int n;
    char line[8][200];
};

static int side_agreement(const char *id, int64_t version, const char *doc, size_t len, void *ud)
{
    struct side_seen *s = ud;
    if (s->n < 8)
        snprintf(s->line[s->n++], sizeof s->line[0], "%s v%lld %.*s", id, (long long)version,
                 (int)len, doc);
    return 0;
}

static int side_resolution(const char *a, const char *b, const char *verdict, int64_t added,
                           void *ud)
{
    (void)added;
    struct side_seen *s = ud;
    if (s->n < 8) snprintf(s->line[s->n++], sizeof s->line[0], "%s %s %s", a, b, verdict);
    return 0;
}

static int side_claim(const char *holding, const char *doc, size_t len, void *ud)
{
    struct side_seen *s = ud;
    if (s->n < 8) snprintf(s->line[s->n++], sizeof s->line[0], "%s %.*s", holding, (int)len, doc);
    return 0;
}

static int side_watch(const char *name, const char *doc, int64_t added, int64_t seen_upto, void *ud)
{
    (void)added;
    struct side_seen *s = ud;
    if (s->n < 8)
        snprintf(s->line[s->n++], sizeof s->line[0], "%s %s %lld", name, doc, (long long)seen_upto);
    return 0;
}

static int side_alert(int64_t seq, const char *rule, const char *entity, int64_t time,
                      const char *doc, void *ud)
{
    (void)seq;
    struct side_seen *s = ud;
    if (s->n < 8)
        snprintf(s->line[s->n++], sizeof s->line[0], "%s %s %lld %s", rule, entity, (long long)time,
                 doc);
    return 0;
}

static int side_trace(const char *partner, const char *version, const char *original, void *ud)
{
    struct side_seen *s = ud;
    if (s->n < 8)
        snprintf(s->line[s->n++], sizeof s->line[0], "%s %.10s %s", partner, version, original);
    return 0;
}

/* Agreements, statuses, resolutions, claims, watch rules, alerts, outbox lookups. */
static void test_side_tables(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_agreement_put(st, "agreement--x", 1, "{\"v\":1}", 7), TL_OK);
    assert_int_equal(tl_store_agreement_put(st, "agreement--x", 2, "{\"v\":2}", 7), TL_OK);
    assert_int_equal(tl_store_agreement_put(st, "agreement--x", 2, "{\"v\":22}", 8), TL_OK);
    assert_int_equal(tl_store_status_put(st, "status-1", "rus", "{\"s\":1}"), TL_OK);
    assert_int_equal(tl_store_resolution_put(st, "identity--a", "identity--b", "same"), TL_OK);
    assert_int_equal(tl_store_resolution_put(st, "identity--a", "identity--b", "different"), TL_OK);
    const char *docs[] = {"{\"c\":1}", "{\"c\":2}"};
    assert_int_equal(tl_store_claims_put(st, "relationship--r", docs, 2), TL_OK);
    assert_int_equal(tl_store_claims_put(st, "relationship--r", docs + 1, 1), TL_OK);
    assert_int_equal(tl_store_claims_put(st, "relationship--q", docs, 1), TL_OK);
    assert_int_equal(tl_store_watch_put(st, "returning", "{\"w\":1}", 5), TL_OK);
    assert_int_equal(tl_store_watch_put(st, "returning", "{\"w\":2}", 9), TL_OK);
    assert_int_equal(tl_store_alert_put(st, "returning", "identity--a", 77, "{\"a\":1}"), TL_OK);
    assert_int_equal(tl_store_alert_put(st, "returning", "identity--b", 78, "{\"a\":2}"), TL_OK);
    tl_outbox_obj o1 = {"rus", "indicator--t", V1, "indicator--orig", "{\"o\":1}", 7};
    tl_outbox_obj o2 = {"rus", "indicator--t", V2, "indicator--orig", "{\"o\":2}", 7};
    assert_int_equal(tl_store_outbox_put(st, &o1), TL_OK);
    assert_int_equal(tl_store_outbox_put(st, &o2), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);

    struct side_seen s = {0};
    assert_int_equal(tl_store_agreement_get(st, "agreement--x", 0, side_agreement, &s), TL_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.line[0], "agreement--x v2 {\"v\":22}");
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_agreement_get(st, "agreement--x", 1, side_agreement, &s), TL_OK);
    assert_string_equal(s.line[0], "agreement--x v1 {\"v\":1}");
    assert_int_equal(tl_store_agreement_get(st, "agreement--x", 3, side_agreement, &s),
                     TL_ENOTFOUND);
    assert_non_null(strstr(tl_store_errmsg(st), "version 3 is not held"));
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_agreement_list(st, side_agreement, &s), TL_OK);
    assert_int_equal(s.n, 2);
    char *doc = NULL;
    assert_int_equal(tl_store_status_get(st, "status-1", "rus", &doc), TL_OK);
    assert_string_equal(doc, "{\"s\":1}");
    tl_free(doc);
    assert_int_equal(tl_store_status_get(st, "status-1", "gbr", &doc), TL_ENOTFOUND);
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_resolution_list(st, side_resolution, &s), TL_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.line[0], "identity--a identity--b different");
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_claims_scan(st, side_claim, &s), TL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.line[0], "relationship--q {\"c\":1}");
    assert_string_equal(s.line[1], "relationship--r {\"c\":2}");
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_watch_list(st, side_watch, &s), TL_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.line[0], "returning {\"w\":2} 9");
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_alert_list(st, 0, side_alert, &s), TL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.line[1], "returning identity--b 78 {\"a\":2}");
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_alert_list(st, 1, side_alert, &s), TL_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(tl_store_outbox_find(st, "rus", "indicator--t", NULL, &doc), TL_OK);
    assert_string_equal(doc, "{\"o\":2}");
    tl_free(doc);
    assert_int_equal(tl_store_outbox_find(st, "rus", "indicator--t", V1, &doc), TL_OK);
    assert_string_equal(doc, "{\"o\":1}");
    tl_free(doc);
    assert_int_equal(tl_store_outbox_find(st, "gbr", "indicator--t", NULL, &doc), TL_ENOTFOUND);
    memset(&s, 0, sizeof s);
    assert_int_equal(tl_store_outbox_trace(st, "indicator--t", side_trace, &s), TL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.line[1], "rus 2016-02-01 indicator--orig");
    assert_int_equal(tl_store_outbox_trace(st, "indicator--none", side_trace, &s), TL_ENOTFOUND);
}

/* A batch stores as one put after another would, and stops at a refused version. */
static void test_batch(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    assert_int_equal(tl_store_begin(st), TL_OK);
    tl_store_obj first = obj("indicator--z", V2, "{\"v\":2}");
    assert_int_equal(tl_store_put(st, &first, NULL), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    static const char *const labels[] = {"syria", "iraq", "syria"};
    tl_store_facet fac[] = {{TL_FACET_CAVEAT, "noforn"}, {TL_FACET_CAVEAT, "noforn"}};
    tl_store_obj b[] = {
        obj("indicator--y", V1, "{\"tab\":\"a\\tb\\\\n\"}"), /* new */
        obj("indicator--y", V1, "{\"tab\":\"a\\tb\\\\n\"}"), /* the same again: a duplicate */
        obj("indicator--z", V3, "{\"v\":3}"),                /* newer than the stored V2 */
        obj("indicator--z", V1, "{\"v\":1}"),                /* older: history */
        obj("indicator--y", V1, "{\"other\":1}"),            /* refused: V1 is immutable */
        obj("indicator--x", V1, "{}"),
    };
    b[0].labels = labels;
    b[0].nlabels = 3;
    b[0].facets = fac;
    b[0].nfacets = 2;
    tl_put_result res[6];
    size_t done = 99;
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_put_batch(st, b, 6, res, &done), TL_ECONFLICT);
    assert_int_equal(done, 4);
    assert_non_null(strstr(tl_store_errmsg(st), "already stored with different content"));
    assert_int_equal(res[0], TL_PUT_NEW);
    assert_int_equal(res[1], TL_PUT_DUPLICATE);
    assert_int_equal(res[2], TL_PUT_NEW);
    assert_int_equal(res[3], TL_PUT_NEW);
    /* the caller goes on after the refused one */
    assert_int_equal(tl_store_put_batch(st, b + 5, 1, res + 5, &done), TL_OK);
    assert_int_equal(done, 1);
    assert_int_equal(tl_store_commit(st), TL_OK);

    struct collect c = {0};
    tl_filter f = TL_FILTER_INIT;
    f.versions = TL_VERSIONS_ALL;
    char next[TL_CURSOR_MAX];
    assert_int_equal(tl_store_query(st, &f, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 5);
    static const char *const order[] = {"indicator--z", "indicator--y", "indicator--z",
                                        "indicator--z", "indicator--x"};
    static const int latest[] = {0, 1, 1, 0, 1};
    for (int i = 0; i < 5; i++) {
        assert_string_equal(c.ids[i], order[i]);
        assert_int_equal(c.latest[i], latest[i]);
        if (i) assert_true(c.added[i] > c.added[i - 1]);
    }
    memset(&c, 0, sizeof c);
    assert_int_equal(tl_store_get(st, "indicator--z", NULL, collect, &c), TL_OK);
    assert_string_equal(c.versions[0], V3);
    memset(&c, 0, sizeof c);
    f = (tl_filter)TL_FILTER_INIT;
    f.label = "iraq";
    assert_int_equal(tl_store_query(st, &f, NULL, collect, &c, next), TL_OK);
    assert_int_equal(c.n, 1);
    struct facets_seen r = {0};
    assert_int_equal(tl_store_facets(st, TL_FACET_CAVEAT, collect_facet, &r), TL_OK);
    assert_int_equal(r.n, 1);
}

static int json_of(const tl_record *r, void *ud)
{
    snprintf(ud, 64, "%.*s", (int)r->json_len, r->json);
    return 0;
}

/* Text that COPY would mangle unescaped comes back byte for byte. */
static void test_batch_bytes(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    tl_store_obj b[] = {obj("indicator--w", V1, "{\"s\":\"\\\\N \\t\\\\ \\r\\n\\u00e9\"}"),
                        obj("indicator--v", V1, "{\"s\":\"\\\\\\\\x00\"}")};
    tl_put_result res[2];
    size_t done = 0;
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_put_batch(st, b, 2, res, &done), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    for (int i = 0; i < 2; i++) {
        char got[64] = "";
        assert_int_equal(tl_store_get(st, b[i].id, NULL, json_of, got), TL_OK);
        assert_string_equal(got, b[i].json);
    }
}

/* Facet values that an array literal or COPY would mangle unescaped, stored one by one and in a
 * batch, come back byte for byte. */
static void test_facet_bytes(void **state)
{
    struct fixture *fx = *state;
    tl_store *st = fx->st;
    tl_store_facet f[] = {{TL_FACET_CAVEAT, "a\"b\\c{d},e"},
                          {TL_FACET_REL_TO, "NULL"},
                          {TL_FACET_SOURCE, "x:y\t\n\\N \xc3\xa9"},
                          {TL_FACET_MARKING, ""},
                          {TL_FACET_MARKING, ""}}; /* a repeat, stored once */
    tl_store_obj b = obj("indicator--b", V1, "{}"), one = obj("indicator--o", V1, "{}");
    b.facets = one.facets = f;
    b.nfacets = one.nfacets = sizeof f / sizeof *f;
    tl_put_result res[1];
    size_t done = 0;
    assert_int_equal(tl_store_begin(st), TL_OK);
    assert_int_equal(tl_store_put_batch(st, &b, 1, res, &done), TL_OK);
    assert_int_equal(tl_store_put(st, &one, NULL), TL_OK);
    assert_int_equal(tl_store_commit(st), TL_OK);
    struct facets_seen r = {0};
    assert_int_equal(tl_store_facets(st, NULL, collect_facet, &r), TL_OK);
    assert_int_equal(r.n, 8);
    for (int seq = 1; seq <= 2; seq++) {
        char want[200];
        for (size_t i = 0; i < 4; i++) {
            snprintf(want, sizeof want, "%s %s<%d", f[i].kind, f[i].value, seq);
            if (!seen(&r, want)) fail_msg("facet missing: %s", want);
        }
    }
    memset(&r, 0, sizeof r);
    assert_int_equal(tl_store_facets(st, TL_FACET_SOURCE, collect_facet, &r), TL_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.line[0], "source x:y\t\n\\N \xc3\xa9<1");
    assert_string_equal(r.line[1], "source x:y\t\n\\N \xc3\xa9<2");
}

#define STORE_TESTS(SETUP)                                                                         \
    {                                                                                              \
        cmocka_unit_test_setup_teardown(test_versions, SETUP, teardown),                           \
            cmocka_unit_test_setup_teardown(test_revoked_is_permanent, SETUP, teardown),           \
            cmocka_unit_test_setup_teardown(test_rollback, SETUP, teardown),                       \
            cmocka_unit_test_setup_teardown(test_query_paging, SETUP, teardown),                   \
            cmocka_unit_test_setup_teardown(test_versions_filter_and_delete, SETUP, teardown),     \
            cmocka_unit_test_setup_teardown(test_counts_terms_meta, SETUP, teardown),              \
            cmocka_unit_test_setup_teardown(test_reopen_keeps_data, SETUP, teardown),              \
            cmocka_unit_test_setup_teardown(test_newer_schema_refused, SETUP, teardown),           \
            cmocka_unit_test_setup_teardown(test_facets, SETUP, teardown),                         \
            cmocka_unit_test_setup_teardown(test_outbox_query, SETUP, teardown),                   \
            cmocka_unit_test_setup_teardown(test_partners, SETUP, teardown),                       \
            cmocka_unit_test_setup_teardown(test_chains, SETUP, teardown),                         \
            cmocka_unit_test_setup_teardown(test_side_tables, SETUP, teardown),                    \
            cmocka_unit_test_setup_teardown(test_batch, SETUP, teardown),                          \
            cmocka_unit_test_setup_teardown(test_batch_bytes, SETUP, teardown),                    \
            cmocka_unit_test_setup_teardown(test_facet_bytes, SETUP, teardown),                    \
    }

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = STORE_TESTS(setup);
    const struct CMUnitTest pg_tests[] = STORE_TESTS(setup_pg);
    int failed = cmocka_run_group_tests_name("sqlite", sqlite_tests, NULL, NULL);
    char admin[400];
    int pg = tu_pg_admin(admin, sizeof admin);
    if (pg < 0) return 1;
    if (pg == 0) {
        fprintf(stderr, "PostgreSQL: TL_PG_URL_FILE is not set; the sqlite backend only\n");
        return failed;
    }
    return failed | cmocka_run_group_tests_name("postgresql", pg_tests, NULL, NULL);
}
