/* test_prov.c: the provenance extension. */
#include "testutil.h"

#include "tearline/json.h"
#include "tearline/prov.h"
#include "tearline/stix.h"

static tl_err check(const char *text, long confidence, char *prop, char *msg)
{
    json_t *v = NULL;
    char pm[128];
    assert_int_equal(tl_json_parse(text, strlen(text), &v, pm, sizeof pm), TL_OK);
    tl_err rc = tl_prov_validate(v, confidence, prop, 128, msg, 256);
    json_decref(v);
    return rc;
}

static void test_confidence_map(void **state)
{
    (void)state;
    /* STIX 2.1 Appendix A */
    assert_int_equal(tl_prov_confidence(1), 90);
    assert_int_equal(tl_prov_confidence(2), 70);
    assert_int_equal(tl_prov_confidence(3), 50);
    assert_int_equal(tl_prov_confidence(4), 30);
    assert_int_equal(tl_prov_confidence(5), 10);
    assert_int_equal(tl_prov_confidence(6), -1);
    assert_int_equal(tl_prov_confidence(0), -1);
}

static void test_validate(void **state)
{
    (void)state;
    char prop[128], msg[256];
    assert_int_equal(check("{\"extension_type\":\"property-extension\",\"discipline\":\"sigint\","
                           "\"reliability\":\"A\",\"credibility\":1,\"originator\":\"identity--"
                           "f431f809-377b-45e0-aa1c-6a4751cae5ff\",\"collected_at\":"
                           "\"2026-01-05T10:00:00Z\",\"collected_where\":\"north\","
                           "\"caveats\":{\"orcon\":true}}",
                           95, prop, msg),
                     TL_OK);
    assert_int_equal(check("{\"discipline\":\"sigint\"}", -1, prop, msg), TL_ESTIX);
    assert_string_equal(prop, "extension_type");
    assert_int_equal(
        check("{\"extension_type\":\"property-extension\",\"discipline\":\"telepathy\"}", -1, prop,
              msg),
        TL_ESTIX);
    assert_string_equal(prop, "discipline");
    assert_int_equal(
        check("{\"extension_type\":\"property-extension\",\"credibility\":7}", -1, prop, msg),
        TL_ESTIX);
    assert_string_equal(prop, "credibility");
    assert_int_equal(
        check("{\"extension_type\":\"property-extension\",\"credibility\":6}", 50, prop, msg),
        TL_ESTIX);
    assert_non_null(strstr(msg, "must be absent"));
    assert_int_equal(check("{\"extension_type\":\"property-extension\",\"source_ref\":\"location--"
                           "f431f809-377b-45e0-aa1c-6a4751cae5ff\"}",
                           -1, prop, msg),
                     TL_ESTIX);
    assert_string_equal(prop, "source_ref");
    assert_int_equal(
        check("{\"extension_type\":\"property-extension\",\"caveats\":{\"secret\":true}}", -1, prop,
              msg),
        TL_ESTIX);
    assert_string_equal(prop, "caveats.secret");
    assert_int_equal(
        check("{\"extension_type\":\"property-extension\",\"sauce\":1}", -1, prop, msg), TL_ESTIX);
    assert_string_equal(prop, "sauce");
}

static void test_definition_object(void **state)
{
    (void)state;
    /* the extension-definition tearline publishes is itself valid STIX */
    const char *text = tl_prov_extension_definition();
    json_t *v = NULL;
    char msg[128];
    assert_int_equal(tl_json_parse(text, strlen(text), &v, msg, sizeof msg), TL_OK);
    tl_stix_error err;
    tl_stix_info info;
    assert_int_equal(tl_stix_validate(v, &info, &err), TL_OK);
    assert_string_equal(info.id, TL_PROV_EXT_ID);
    json_decref(v);
    assert_true(tl_party_code_valid("usa"));
    assert_true(tl_party_code_valid("cert-eu2"));
    assert_false(tl_party_code_valid("USA"));
    assert_false(tl_party_code_valid("u"));
    assert_false(tl_party_code_valid("1usa"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confidence_map),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_definition_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
