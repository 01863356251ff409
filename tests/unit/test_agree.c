/* test_agree.c: agreement validation, signatures, the node's register. */
#include "testutil.h"

#include "tearline/agree.h"
#include "tearline/json.h"
#include "tearline/ledger.h"

#include "ledger_int.h"
#include "node_int.h"

#include <sodium.h>

#define AID "agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69"

struct fixture {
    char *dir;
    tl_node *usa, *rus;
    char pk_usa[65], pk_rus[65];
};

static void hex_key(tl_node *n, char out[65])
{
    unsigned char pk[32];
    tl_node_public_key(n, pk);
    sodium_bin2hex(out, 65, pk, 32);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->dir = tu_tmpdir();
    char home[300], msg[512];
    snprintf(home, sizeof home, "%s/usa", fx->dir);
    if (tl_node_init(home, "usa", NULL, &fx->usa, msg, sizeof msg)) return -1;
    snprintf(home, sizeof home, "%s/rus", fx->dir);
    if (tl_node_init(home, "rus", NULL, &fx->rus, msg, sizeof msg)) return -1;
    hex_key(fx->usa, fx->pk_usa);
    hex_key(fx->rus, fx->pk_rus);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    tl_node_close(fx->usa);
    tl_node_close(fx->rus);
    tu_rmrf(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* An agreement between usa and rus; extra is spliced in before the closing brace. */
static char *doc(const struct fixture *fx, int version, const char *until, const char *extra)
{
    char *out = malloc(8192);
    snprintf(out, 8192,
             "{\"type\":\"tearline-agreement\",\"id\":\"" AID "\",\"version\":%d,"
             "\"title\":\"Cooperation\","
             "\"parties\":[{\"code\":\"usa\",\"public_key\":\"%s\"},"
             "{\"code\":\"rus\",\"public_key\":\"%s\"}],"
             "\"valid_from\":\"2026-01-01T00:00:00Z\",\"valid_until\":\"%s\","
             "\"scope\":{\"labels\":[\"syria\"]},\"rules\":{\"tlp_max\":\"amber\"},"
             "\"profile\":{\"time_precision\":\"day\"},"
             "\"commitments\":[{\"party\":\"rus\",\"topic\":\"syria\",\"at_least\":10,"
             "\"period\":\"P30D\"}]%s}",
             version, fx->pk_usa, fx->pk_rus, until, extra);
    return out;
}

static void expect_invalid(const char *text, tl_err want, const char *substr)
{
    tl_agreement *a = NULL;
    char msg[512] = "";
    tl_err rc = tl_agreement_parse("a.json", text, strlen(text), &a, msg, sizeof msg);
    if (rc != want) fail_msg("rc %d, expected %d (%s) for\n%s", rc, want, msg, text);
    if (!strstr(msg, substr)) fail_msg("message '%s' lacks '%s'", msg, substr);
    assert_null(a);
}

static void test_validation(void **state)
{
    struct fixture *fx = *state;
    char *good = doc(fx, 1, "2027-01-01T00:00:00Z", "");
    tl_agreement *a = NULL;
    char msg[512];
    assert_int_equal(tl_agreement_parse("a.json", good, strlen(good), &a, msg, sizeof msg), TL_OK);
    assert_string_equal(tl_agreement_id(a), AID);
    assert_int_equal(tl_agreement_version(a), 1);
    assert_int_equal(tl_agreement_party_count(a), 2);
    assert_false(tl_agreement_countersigned(a));
    tl_agreement_free(a);
    free(good);

    char *d;
    d = doc(fx, 1, "2025-01-01T00:00:00Z", "");
    expect_invalid(d, TL_EINVAL, "a.json: 'valid_until' must be later than 'valid_from'");
    free(d);
    d = doc(fx, 0, "2027-01-01T00:00:00Z", "");
    expect_invalid(d, TL_EINVAL, "'version' must be a whole number from 1");
    free(d);
    d = doc(fx, 1, "2027-01-01T00:00:00Z", ",\"extra\":1");
    expect_invalid(d, TL_EINVAL, "'extra' is not an agreement member");
    free(d);
    d = doc(fx, 1, "2027-01-01T00:00:00Z",
            ",\"consents\":[{\"originator\":\"identity--7f3a1c2e-0b5d-4e8f-9a6b-1c2d3e4f5a6b\","
            "\"items\":[\"report--7f3a1c2e-0b5d-4e8f-9a6b-1c2d3e4f5a6b\"],\"party\":\"fra\","
            "\"until\":\"2027-01-01T00:00:00Z\"}]");
    expect_invalid(d, TL_EINVAL, "'consents[0]' 'party' must be one of the parties");
    free(d);
    /* fail closed: a misspelled rule, an empty scope, red TLP, an unknown discipline */
    const char *bodies[][2] = {
        {"\"rules\":{\"tlp_max\":\"amber\"}", "\"rules\":{\"tlp_maximum\":\"amber\"}"},
        {"\"scope\":{\"labels\":[\"syria\"]}", "\"scope\":{\"neighbourhood\":1}"},
        {"\"rules\":{\"tlp_max\":\"amber\"}", "\"rules\":{\"tlp_max\":\"red\"}"},
        {"\"profile\":{\"time_precision\":\"day\"}",
         "\"profile\":{\"discipline_classes\":{\"telepathy\":\"x\"}}"},
        {"\"period\":\"P30D\"", "\"period\":\"monthly\""},
        {"\"scope\":{\"labels\":[\"syria\"]}", "\"scope\":{\"types\":[\"threat--actor\"]}"},
    };
    const char *wants[] = {"'rules' has an unknown member 'tlp_maximum'",
                           "'scope' must name topics",
                           "'rules.tlp_max' must be clear, green, amber or amber+strict",
                           "names an unknown discipline 'telepathy'",
                           "'period' must be P<n>D",
                           "'scope.types' item 0 ('threat--actor') is not valid"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        char *base = doc(fx, 1, "2027-01-01T00:00:00Z", "");
        char *at = strstr(base, bodies[i][0]);
        assert_non_null(at);
        char buf[8192];
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - base), base, bodies[i][1],
                 at + strlen(bodies[i][0]));
        expect_invalid(buf, TL_EINVAL, wants[i]);
        free(base);
    }
    /* the same key for two parties */
    char same[8192];
    char *base = doc(fx, 1, "2027-01-01T00:00:00Z", "");
    char *rk = strstr(base, fx->pk_rus);
    snprintf(same, sizeof same, "%.*s%s%s", (int)(rk - base), base, fx->pk_usa, rk + 64);
    expect_invalid(same, TL_EINVAL, "has the same public key as party 'usa'");
    free(base);
    expect_invalid("[1]", TL_EINVAL, "a.json: an agreement must be a JSON object");
    expect_invalid("{\"a\":1,\"a\":2}", TL_EJSON, "duplicate");
}

static void write_doc(struct fixture *fx, const char *name, const char *text, char *path)
{
    snprintf(path, 400, "%s/%s", fx->dir, name);
    tu_write(path, text);
}

/* Exports n's copy of (AID, version) to a file. */
static void export_doc(struct fixture *fx, tl_node *n, int64_t version, const char *name,
                       char *path)
{
    tl_agreement *a = NULL;
    assert_int_equal(tl_node_agree_get(n, AID, version, &a), TL_OK);
    char *text = NULL;
    size_t len;
    assert_int_equal(tl_agreement_canonical(a, 1, &text, &len), TL_OK);
    write_doc(fx, name, text, path);
    tl_free(text);
    tl_agreement_free(a);
}

static void test_countersign_and_in_force(void **state)
{
    struct fixture *fx = *state;
    char path[400];
    char *d = doc(fx, 1, "2099-01-01T00:00:00Z", "");
    write_doc(fx, "v1.json", d, path);
    free(d);
    tl_agreement *a = NULL;
    int64_t now = tl_now_us();
    /* nothing may be released before the agreement is countersigned */
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", now, &a), TL_ENOTFOUND);
    assert_string_equal(tl_node_errmsg(fx->usa), "there is no agreement with 'rus'");
    assert_int_equal(tl_node_agree_propose(fx->usa, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_sign(fx->usa, AID, 0, &a), TL_OK);
    assert_true(tl_agreement_signed_by(a, "usa"));
    assert_false(tl_agreement_countersigned(a));
    tl_agreement_free(a);
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", now, &a), TL_ENOTFOUND);
    assert_string_equal(tl_node_errmsg(fx->usa), "no agreement with 'rus' is both signed by every "
                                                 "party and within its validity");

    export_doc(fx, fx->usa, 1, "usa-signed.json", path);
    assert_int_equal(tl_node_agree_import(fx->rus, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_sign(fx->rus, AID, 1, NULL), TL_OK);
    export_doc(fx, fx->rus, 1, "both.json", path);
    assert_int_equal(tl_node_agree_import(fx->usa, path, &a), TL_OK);
    assert_true(tl_agreement_countersigned(a));
    tl_agreement_free(a);
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", now, &a), TL_OK);
    assert_int_equal(tl_agreement_version(a), 1);
    tl_agreement_free(a);
    /* not before valid_from, not at or after valid_until, not with a stranger */
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", 1700000000000000LL, &a), TL_ENOTFOUND);
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", 4070908800000000LL, &a), TL_ENOTFOUND);
    assert_int_equal(tl_node_agree_in_force(fx->usa, "fra", now, &a), TL_ENOTFOUND);

    /* version 2 changes the commitment: v1 stays in force until v2 is countersigned */
    d = doc(fx, 2, "2099-01-01T00:00:00Z", "");
    char *at = strstr(d, "\"at_least\":10");
    memcpy(at, "\"at_least\":20", 13);
    write_doc(fx, "v2.json", d, path);
    free(d);
    assert_int_equal(tl_node_agree_propose(fx->rus, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_sign(fx->rus, AID, 2, NULL), TL_OK);
    export_doc(fx, fx->rus, 2, "rus-v2.json", path);
    assert_int_equal(tl_node_agree_import(fx->usa, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", now, &a), TL_OK);
    assert_int_equal(tl_agreement_version(a), 1);
    tl_agreement_free(a);
    assert_int_equal(tl_node_agree_sign(fx->usa, AID, 2, NULL), TL_OK);
    assert_int_equal(tl_node_agree_in_force(fx->usa, "rus", now, &a), TL_OK);
    assert_int_equal(tl_agreement_version(a), 2);
    tl_agreement_free(a);

    /* proposing version 1 again with other text: a change needs a higher version */
    d = doc(fx, 1, "2098-01-01T00:00:00Z", "");
    write_doc(fx, "v1b.json", d, path);
    free(d);
    assert_int_equal(tl_node_agree_propose(fx->usa, path, NULL), TL_ECONFLICT);
    assert_non_null(strstr(tl_node_errmsg(fx->usa), "differs from the one held in: valid_until"));
}

static void test_same_text_other_spelling(void **state)
{
    struct fixture *fx = *state;
    /* 25.0 and 25 are the same signed text (found by fuzzing: once a conflict) */
    char *d1 = doc(fx, 1, "2099-01-01T00:00:00Z", "");
    char *at = strstr(d1, "\"profile\":{");
    assert_non_null(at);
    char d2[8192];
    snprintf(d2, sizeof d2, "%.*s\"profile\":{\"location_precision_km\":25.0,%s", (int)(at - d1),
             d1, at + strlen("\"profile\":{"));
    char d3[8192];
    snprintf(d3, sizeof d3, "%.*s\"profile\":{\"location_precision_km\":25,%s", (int)(at - d1), d1,
             at + strlen("\"profile\":{"));
    tl_agreement *a = NULL, *b = NULL;
    char msg[512], diff[256];
    assert_int_equal(tl_agreement_parse("a", d2, strlen(d2), &a, msg, sizeof msg), TL_OK);
    assert_int_equal(tl_agreement_parse("b", d3, strlen(d3), &b, msg, sizeof msg), TL_OK);
    assert_int_equal(tl_agreement_diff(a, b, diff, sizeof diff), 0);
    tl_agreement_free(a);
    tl_agreement_free(b);
    /* and the import of the other spelling merges instead of conflicting */
    char path[400];
    write_doc(fx, "f1.json", d2, path);
    assert_int_equal(tl_node_agree_propose(fx->usa, path, NULL), TL_OK);
    write_doc(fx, "f2.json", d3, path);
    assert_int_equal(tl_node_agree_import(fx->usa, path, NULL), TL_OK);
    free(d1);
}

static void test_tamper_and_claims(void **state)
{
    struct fixture *fx = *state;
    char path[400];
    char *d = doc(fx, 1, "2099-01-01T00:00:00Z", "");
    write_doc(fx, "v1.json", d, path);
    free(d);
    assert_int_equal(tl_node_agree_propose(fx->usa, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_sign(fx->usa, AID, 1, NULL), TL_OK);
    export_doc(fx, fx->usa, 1, "signed.json", path);
    size_t len;
    char *text = tu_slurp(path, &len);
    /* a signed text changed afterwards no longer verifies */
    char *at = strstr(text, "\"at_least\":10");
    assert_non_null(at);
    memcpy(at, "\"at_least\":90", 13);
    tl_agreement *a = NULL;
    char msg[512];
    assert_int_equal(tl_agreement_parse("claim", text, len, &a, msg, sizeof msg), TL_ECRYPTO);
    assert_non_null(strstr(msg, "the signature of party 'usa' does not verify"));
    /* and an import of it is refused */
    write_doc(fx, "tampered.json", text, path);
    assert_int_equal(tl_node_agree_import(fx->rus, path, NULL), TL_ECRYPTO);
    free(text);
    /* a node that is not a party cannot take an agreement in */
    tl_node *fra = NULL;
    char home[300];
    snprintf(home, sizeof home, "%s/fra", fx->dir);
    assert_int_equal(tl_node_init(home, "fra", NULL, &fra, msg, sizeof msg), TL_OK);
    export_doc(fx, fx->usa, 1, "signed.json", path);
    assert_int_equal(tl_node_agree_import(fra, path, NULL), TL_EINVAL);
    assert_string_equal(tl_node_errmsg(fra),
                        "agreement " AID " v1: this node ('fra') is not a party");
    tl_node_close(fra);
}

/* Appends a ledger entry at a given time: kind, party, topics as JSON. */
static void entry_at(tl_node *n, const char *when, const char *kind, const char *party,
                     const char *topics)
{
    int64_t us = 0;
    char key[64], payload[300];
    assert_int_equal(tl_timestamp_parse(when, key, &us), 0);
    snprintf(payload, sizeof payload, "{\"objects\":[],\"topics\":%s}", topics);
    assert_int_equal(tl_store_begin(((struct tl_node *)n)->store), TL_OK);
    assert_int_equal(
        tl__ledger_append_at(n, us, kind, party, "test", payload, strlen(payload), NULL), TL_OK);
    assert_int_equal(tl_store_commit(((struct tl_node *)n)->store), TL_OK);
}

/* Records text as version 1, signed by usa and rus, at both. */
static void countersigned(struct fixture *fx, const char *text)
{
    char path[400];
    write_doc(fx, "c.json", text, path);
    assert_int_equal(tl_node_agree_propose(fx->usa, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_sign(fx->usa, AID, 0, NULL), TL_OK);
    export_doc(fx, fx->usa, 1, "c1.json", path);
    assert_int_equal(tl_node_agree_import(fx->rus, path, NULL), TL_OK);
    assert_int_equal(tl_node_agree_sign(fx->rus, AID, 1, NULL), TL_OK);
    export_doc(fx, fx->rus, 1, "c2.json", path);
    assert_int_equal(tl_node_agree_import(fx->usa, path, NULL), TL_OK);
}

/*
 * Follow-through, checked by hand: rus commits to 2 items on syria a day,
 * usa to 1 on iraq a week. rus shares 3, 2, then 1: met, met, broken, and
 * flagged as backtracking with the dates; the fourth day is in progress.
 * usa's release of 1 iraq item meets its week while the week runs.
 */
static void test_commitments(void **state)
{
    struct fixture *fx = *state;
    /* the usual document, with these commitments instead */
    char *d = doc(fx, 1, "2099-01-01T00:00:00Z", "");
    char *c = strstr(d, ",\"commitments\"");
    assert_non_null(c);
    snprintf(c, 8192 - (size_t)(c - d), "%s",
             ",\"commitments\":[{\"party\":\"rus\",\"topic\":\"syria\",\"at_least\":2,"
             "\"period\":\"P1D\"},{\"party\":\"usa\",\"topic\":\"iraq\",\"at_least\":1,"
             "\"period\":\"P1W\"}]}");
    countersigned(fx, d);
    free(d);

    entry_at(fx->usa, "2026-01-01T10:00:00Z", TL_LEDGER_RECEIVED, "rus", "{\"syria\":3}");
    entry_at(fx->usa, "2026-01-02T23:59:59Z", TL_LEDGER_RECEIVED, "rus",
             "{\"iraq\":5,\"syria\":2}");
    entry_at(fx->usa, "2026-01-03T00:00:00Z", TL_LEDGER_RECEIVED, "rus", "{\"syria\":1}");
    entry_at(fx->usa, "2026-01-03T12:00:00Z", TL_LEDGER_RELEASE, "rus", "{\"iraq\":1}");
    /* another partner's items do not count for rus */
    entry_at(fx->usa, "2026-01-03T13:00:00Z", TL_LEDGER_RECEIVED, "gbr", "{\"syria\":9}");

    int64_t now = 0;
    char key[64];
    assert_int_equal(tl_timestamp_parse("2026-01-04T12:00:00Z", key, &now), 0);
    json_t *out = NULL;
    assert_int_equal(tl_node_ledger_commitments(fx->usa, now, &out), TL_OK);
    assert_int_equal(json_array_size(out), 2);
    const json_t *rus = json_array_get(out, 0), *usa = json_array_get(out, 1);
    assert_string_equal(json_string_value(json_object_get(rus, "party")), "rus");
    const json_t *p = json_object_get(rus, "periods");
    assert_int_equal(json_array_size(p), 4);
    static const char *const status[] = {"met", "met", "broken", "lagging"};
    static const int items[] = {3, 2, 1, 0};
    for (size_t i = 0; i < 4; i++) {
        const json_t *e = json_array_get(p, i);
        assert_string_equal(json_string_value(json_object_get(e, "status")), status[i]);
        assert_int_equal(json_integer_value(json_object_get(e, "items")), items[i]);
        assert_int_equal(json_is_true(json_object_get(e, "complete")), i < 3);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(p, 2), "from")),
                        "2026-01-03T00:00:00.000Z");
    const json_t *bt = json_object_get(rus, "backtracking");
    assert_non_null(bt);
    assert_string_equal(json_string_value(json_object_get(bt, "met_until")),
                        "2026-01-03T00:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(bt, "broke_from")),
                        "2026-01-03T00:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(bt, "broke_until")),
                        "2026-01-04T00:00:00.000Z");
    /* usa's week is running, and already met */
    p = json_object_get(usa, "periods");
    assert_int_equal(json_array_size(p), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(p, 0), "status")), "met");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(p, 0), "items")), 1);
    assert_true(json_is_null(json_object_get(usa, "backtracking")));
    /* the completed periods go to the ledger once: rus's three, none of usa's running week */
    size_t added = 0;
    assert_int_equal(tl_node_ledger_commitments_record(fx->usa, out, &added), TL_OK);
    assert_int_equal(added, 3);
    assert_int_equal(tl_node_ledger_commitments_record(fx->usa, out, &added), TL_OK);
    assert_int_equal(added, 0);
    tl_ledger_report rep;
    assert_int_equal(tl_node_ledger_verify(fx->usa, &rep), TL_OK);
    json_decref(out);
}

/* Monthly periods count from valid_from: from January 31, the month's last day when it is shorter.
 */
static void test_commitment_months(void **state)
{
    struct fixture *fx = *state;
    char *d = doc(fx, 1, "2099-01-01T00:00:00Z", "");
    char *from = strstr(d, "2026-01-01T00:00:00Z");
    assert_non_null(from);
    memcpy(from, "2026-01-31", 10);
    char *c = strstr(d, "\"P30D\"");
    assert_non_null(c);
    memcpy(c, "\"P1M\" ", 6);
    countersigned(fx, d);
    free(d);
    int64_t now = 0;
    char key[64];
    assert_int_equal(tl_timestamp_parse("2026-05-15T00:00:00Z", key, &now), 0);
    json_t *out = NULL;
    assert_int_equal(tl_node_ledger_commitments(fx->usa, now, &out), TL_OK);
    const json_t *p = json_object_get(json_array_get(out, 0), "periods");
    static const char *const starts[] = {"2026-01-31T00:00:00.000Z", "2026-02-28T00:00:00.000Z",
                                         "2026-03-31T00:00:00.000Z", "2026-04-30T00:00:00.000Z"};
    assert_int_equal(json_array_size(p), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(p, i), "from")),
                            starts[i]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(p, 3), "until")),
                        "2026-05-31T00:00:00.000Z");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_countersign_and_in_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_and_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_text_other_spelling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commitments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commitment_months, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
