/* test_stix.c: STIX 2.1 validation, one test per class of bad input. */
#include "testutil.h"

#include "tearline/json.h"
#include "tearline/prov.h"
#include "tearline/stix.h"

#define ID_IND "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define ID_IDENT "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
#define TS "\"2016-04-06T20:03:48.000Z\""

static json_t *load(const char *text)
{
    json_t *v = NULL;
    char msg[256];
    if (tl_json_parse(text, strlen(text), &v, msg, sizeof msg))
        fail_msg("test JSON does not parse: %s\n%s", msg, text);
    return v;
}

/* Validates text; expects success. info borrows from the object, kept until the next call. */
static void ok(const char *text, tl_stix_info *info)
{
    static json_t *last;
    json_decref(last);
    last = load(text);
    tl_stix_error err;
    tl_stix_info tmp;
    tl_err rc = tl_stix_validate(last, info ? info : &tmp, &err);
    if (rc) fail_msg("rejected: %s\n%s", err.msg, text);
}

/* Validates text; expects failure on property prop with a message containing want. */
static void bad(const char *text, const char *prop, const char *want)
{
    json_t *v = load(text);
    tl_stix_error err;
    tl_err rc = tl_stix_validate(v, NULL, &err);
    if (rc != TL_ESTIX) fail_msg("accepted:\n%s", text);
    if (strcmp(err.prop, prop) != 0)
        fail_msg("property '%s', expected '%s' (%s)", err.prop, prop, err.msg);
    if (!strstr(err.msg, want)) fail_msg("message '%s' lacks '%s'", err.msg, want);
    json_decref(v);
}

#define INDICATOR(extra)                                                                           \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID_IND "\","                      \
    "\"created\":" TS ",\"modified\":" TS ",\"pattern\":\"[ipv4-addr:value = '1.2.3.4']\","        \
    "\"pattern_type\":\"stix\",\"valid_from\":" TS extra "}"

static void test_valid_objects(void **state)
{
    (void)state;
    tl_stix_info info;
    ok(INDICATOR(""), &info);
    assert_string_equal(info.type, "indicator");
    assert_string_equal(info.id, ID_IND);
    assert_int_equal(info.kind, TL_STIX_SDO);
    assert_string_equal(info.version, "2016-04-06T20:03:48.000000000");
    assert_string_equal(info.created, "2016-04-06T20:03:48.000000000");
    ok("{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\","
       "\"value\":\"198.51.100.3\"}",
       &info);
    assert_int_equal(info.kind, TL_STIX_SCO);
    assert_string_equal(info.version, "");
    ok("{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"relationship--"
       "44298a74-ba52-4f0c-87a3-1824e67d7fad\",\"created\":" TS ",\"modified\":" TS
       ",\"relationship_type\":\"indicates\",\"source_ref\":\"" ID_IND "\",\"target_ref\":"
       "\"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd\"}",
       &info);
    assert_int_equal(info.kind, TL_STIX_SRO);
    /* a custom object and a custom property */
    ok("{\"type\":\"x-acme-widget\",\"spec_version\":\"2.1\",\"id\":\"x-acme-widget--"
       "44298a74-ba52-4f0c-87a3-1824e67d7fad\",\"created\":" TS ",\"modified\":" TS
       ",\"x_acme_size\":3}",
       &info);
    assert_true(info.custom);
    /* TLP 1.0 red, as STIX fixes it */
    ok("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
       "5e57c739-391a-4eb3-b6be-7d15ca92d5ed\",\"created\":\"2017-01-20T00:00:00.000Z\","
       "\"definition_type\":\"tlp\",\"name\":\"TLP:RED\",\"definition\":{\"tlp\":\"red\"}}",
       &info);
    assert_int_equal(info.kind, TL_STIX_META);
    /* TLP 2.0 amber+strict */
    ok("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
       "939a9414-2ddd-4d32-a0cd-375ea402b003\",\"created\":\"2022-10-01T00:00:00.000Z\","
       "\"name\":\"TLP:AMBER+STRICT\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-"
       "aab3-9e08dde9e88d\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":"
       "\"amber+strict\"}}}",
       NULL);
    /* granular markings whose selectors resolve */
    ok(INDICATOR(",\"description\":\"d\",\"labels\":[\"a\",\"b\"],\"external_references\":"
                 "[{\"source_name\":\"s\",\"url\":\"http://x\"}],\"granular_markings\":"
                 "[{\"selectors\":[\"description\",\"labels.[1]\",\"external_references.[0]."
                 "url\"],\"marking_ref\":\"marking-definition--5e57c739-391a-4eb3-b6be-"
                 "7d15ca92d5ed\"}]"),
       NULL);
    /* a revoked version */
    ok(INDICATOR(",\"revoked\":true"), &info);
    assert_true(info.revoked);
    /* the provenance extension */
    ok(INDICATOR(",\"confidence\":70,\"extensions\":{\"" TL_PROV_EXT_ID "\":{\"extension_type\":"
                 "\"property-extension\",\"source_ref\":\"" ID_IDENT "\",\"discipline\":\"humint\","
                 "\"method\":\"agent meeting\",\"reliability\":\"B\",\"credibility\":2,"
                 "\"caveats\":{\"noforn\":false,\"rel_to\":[\"usa\",\"rus\"]}}}"),
       NULL);
}

static void test_type_and_id(void **state)
{
    (void)state;
    bad("{\"id\":\"" ID_IND "\"}", "type", "is required but missing");
    bad("{\"type\":\"Indicator\",\"id\":\"" ID_IND "\"}", "type", "not a valid type name");
    bad("{\"type\":\"x--y\",\"id\":\"x--y--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"}", "type",
        "not a valid type name");
    bad("{\"type\":\"bundle\",\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"}", "type",
        "container");
    bad("{\"type\":\"indicator\"}", "id", "is required but missing");
    bad("{\"type\":\"indicator\",\"id\":\"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"}", "id",
        "must start with the object's type 'indicator--'");
    bad("{\"type\":\"indicator\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3\"}", "id",
        "RFC 4122 UUID");
    bad("{\"type\":\"indicator\",\"id\":\"indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f\"}", "id",
        "RFC 4122 UUID");
}

static void test_required_and_spec_version(void **state)
{
    (void)state;
    bad("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID_IND "\",\"modified\":" TS
        ",\"created\":" TS ",\"pattern_type\":\"stix\",\"valid_from\":" TS "}",
        "pattern", "is required but missing");
    bad("{\"type\":\"indicator\",\"spec_version\":\"2.0\",\"id\":\"" ID_IND "\",\"created\":" TS
        ",\"modified\":" TS ",\"pattern\":\"x\",\"pattern_type\":\"stix\",\"valid_from\":" TS "}",
        "spec_version", "must be \"2.1\"");
    bad("{\"type\":\"report\",\"spec_version\":\"2.1\",\"id\":\"report--8e2e2d2b-17d4-4cbf-938f-"
        "98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS ",\"name\":\"r\",\"published\":" TS
        ",\"object_refs\":[]}",
        "object_refs", "must not be an empty list");
}

static void test_timestamps(void **state)
{
    (void)state;
    bad("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID_IND "\","
        "\"created\":\"2016-04-06T20:03:48Z\",\"modified\":" TS ",\"pattern\":\"x\","
        "\"pattern_type\":\"stix\",\"valid_from\":" TS "}",
        "created", "must be precise to the millisecond");
    bad(INDICATOR(",\"valid_until\":\"2016-02-30T00:00:00Z\""), "valid_until",
        "is not an RFC 3339 timestamp");
    bad(INDICATOR(",\"valid_until\":\"2016-04-06T20:03:48.000Z\""), "valid_until",
        "must be later than 'valid_from'");
    bad("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID_IND "\","
        "\"created\":\"2016-04-06T20:03:48.001Z\",\"modified\":" TS ",\"pattern\":\"x\","
        "\"pattern_type\":\"stix\",\"valid_from\":" TS "}",
        "modified", "must not be earlier than 'created'");
}

static void test_values(void **state)
{
    (void)state;
    bad(INDICATOR(",\"confidence\":101"), "confidence", "must be an integer from 0 to 100");
    bad(INDICATOR(",\"confidence\":\"50\""), "confidence", "must be an integer");
    bad(INDICATOR(",\"labels\":\"a\""), "labels", "must be a list");
    bad(INDICATOR(",\"labels\":[1]"), "labels[0]", "must be a string");
    bad(INDICATOR(",\"revoked\":1"), "revoked", "must be true or false");
    bad(INDICATOR(",\"XBad\":1"), "XBad", "not a valid property name");
    bad(INDICATOR(",\"x_ab-c\":1"), "x_ab-c", "not a valid property name");
    bad(INDICATOR(",\"external_references\":[{\"url\":\"http://x\"}]"), "external_references[0]",
        "'source_name'");
    bad(INDICATOR(",\"external_references\":[{\"source_name\":\"s\",\"hashes\":{\"MD5\":\"12\"}}]"),
        "external_references[0].hashes.MD5", "32 hexadecimal digits");
    bad(INDICATOR(",\"kill_chain_phases\":[{\"phase_name\":\"x\"}]"), "kill_chain_phases[0]",
        "kill_chain_name");
    bad("{\"type\":\"observed-data\",\"spec_version\":\"2.1\",\"id\":\"observed-data--8e2e2d2b-"
        "17d4-4cbf-938f-98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS
        ",\"first_observed\":" TS ",\"last_observed\":" TS
        ",\"number_observed\":0,\"object_refs\":[\"ipv4-addr--ff26c055-"
        "6336-5bc5-b98d-13d6226742dd\"]}",
        "number_observed", "from 1 to 999999999");
    bad("{\"type\":\"opinion\",\"spec_version\":\"2.1\",\"id\":\"opinion--8e2e2d2b-17d4-4cbf-938f-"
        "98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS
        ",\"opinion\":\"maybe\",\"object_refs\""
        ":[\"" ID_IND "\"]}",
        "opinion", "must be one of");
    bad("{\"type\":\"location\",\"spec_version\":\"2.1\",\"id\":\"location--8e2e2d2b-17d4-4cbf-"
        "938f-98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS ",\"latitude\":10}",
        "longitude", "is required with 'latitude'");
    bad("{\"type\":\"location\",\"spec_version\":\"2.1\",\"id\":\"location--8e2e2d2b-17d4-4cbf-"
        "938f-98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS
        ",\"latitude\":91,\"longitude\":0}",
        "latitude", "from -90 to 90");
    bad("{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--8e2e2d2b-17d4-4cbf-938f-"
        "98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS ",\"is_family\":true}",
        "name", "is required when 'is_family' is true");
    bad("{\"type\":\"file\",\"id\":\"file--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"size\":1}", "",
        "needs 'hashes' or 'name'");
}

static void test_references(void **state)
{
    (void)state;
    bad(INDICATOR(",\"created_by_ref\":\"" ID_IND "\""), "created_by_ref",
        "must refer to identity");
    bad(INDICATOR(",\"created_by_ref\":\"identity--nope\""), "created_by_ref",
        "is not an identifier");
    bad(INDICATOR(",\"object_marking_refs\":[\"" ID_IDENT "\"]"), "object_marking_refs[0]",
        "must refer to marking-definition");
    bad("{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"relationship--44298a74-ba52-"
        "4f0c-87a3-1824e67d7fad\",\"created\":" TS ",\"modified\":" TS ",\"relationship_type\":"
        "\"indicates\",\"source_ref\":\"relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad\","
        "\"target_ref\":\"" ID_IND "\"}",
        "source_ref", "an SDO or SCO");
    bad("{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"sighting--44298a74-ba52-"
        "4f0c-87a3-1824e67d7fad\",\"created\":" TS ",\"modified\":" TS
        ",\"sighting_of_ref\":\"" ID_IND "\",\"where_sighted_refs\":[\"" ID_IND "\"]}",
        "where_sighted_refs[0]", "must refer to identity location");
    bad(INDICATOR(",\"x_acme_owner_ref\":\"not-an-id\""), "x_acme_owner_ref",
        "is not an identifier");
}

static void test_markings(void **state)
{
    (void)state;
    bad(INDICATOR(",\"granular_markings\":[{\"selectors\":[\"description\"],\"marking_ref\":"
                  "\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed\"}]"),
        "granular_markings[0].selectors[0]", "selects 'description', which is not in the object");
    bad(INDICATOR(",\"labels\":[\"a\"],\"granular_markings\":[{\"selectors\":[\"labels.[1]\"],"
                  "\"marking_ref\":\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed\"}]"),
        "granular_markings[0].selectors[0]", "not in the object");
    bad(INDICATOR(",\"granular_markings\":[{\"selectors\":[\"pattern\"],\"lang\":\"en\","
                  "\"marking_ref\":\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed\"}]"),
        "granular_markings[0]", "exactly one of 'marking_ref' and 'lang'");
    /* a fixed TLP 1.0 id with the wrong level */
    bad("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
        "5e57c739-391a-4eb3-b6be-7d15ca92d5ed\",\"created\":\"2017-01-20T00:00:00.000Z\","
        "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"white\"}}",
        "definition", "must be {\"tlp\": \"red\"}");
    /* a TLP marking that is not one of the four */
    bad("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
        "5e57c739-391a-4eb3-b6be-7d15ca92d5ee\",\"created\":\"2017-01-20T00:00:00.000Z\","
        "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"red\"}}",
        "id", "no other TLP instance may be created");
    /* a TLP 2.0 id whose extension names another level */
    bad("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
        "e828b379-4e03-4974-9ac4-e53a884c97c1\",\"created\":\"2022-10-01T00:00:00.000Z\","
        "\"name\":\"TLP:RED\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-"
        "aab3-9e08dde9e88d\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"clear\"}}}",
        "extensions", "tlp_2_0 \"red\"");
    bad("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
        "11111111-391a-4eb3-b6be-7d15ca92d5ee\",\"created\":\"2017-01-20T00:00:00.000Z\","
        "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"x\"},"
        "\"object_marking_refs\":[\"marking-definition--11111111-391a-4eb3-b6be-7d15ca92d5ee\"]}",
        "object_marking_refs", "must not refer to the marking itself");
    const char *family, *level;
    assert_true(tl_stix_marking_lookup("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                                       &family, &level));
    assert_string_equal(family, "tlp2");
    assert_string_equal(level, "amber+strict");
    assert_true(tl_stix_marking_lookup("marking-definition--740d36e5-7714-4c30-961a-3ae632ceee0e",
                                       &family, &level));
    assert_string_equal(family, "pap");
    assert_string_equal(level, "red");
    assert_false(tl_stix_marking_lookup(ID_IND, &family, &level));
}

static void test_extensions(void **state)
{
    (void)state;
    bad(INDICATOR(",\"extensions\":{\"acme\":{}}"), "extensions", "key 'acme' is neither");
    bad(INDICATOR(",\"extensions\":{\"extension-definition--bad\":{}}"), "extensions",
        "not an extension-definition identifier");
    bad(INDICATOR(",\"extensions\":{\"" TL_PROV_EXT_ID "\":{\"extension_type\":"
                  "\"property-extension\",\"reliability\":\"G\"}}"),
        "extensions." TL_PROV_EXT_ID ".reliability", "A to F");
    bad(INDICATOR(",\"confidence\":90,\"extensions\":{\"" TL_PROV_EXT_ID "\":{\"extension_type\":"
                  "\"property-extension\",\"credibility\":3}}"),
        "extensions." TL_PROV_EXT_ID ".credibility", "maps to STIX confidence 40-59");
    bad(INDICATOR(",\"extensions\":{\"" TL_PROV_EXT_ID "\":{\"extension_type\":"
                  "\"property-extension\",\"caveats\":{\"rel_to\":[\"USA\"]}}}"),
        "extensions." TL_PROV_EXT_ID ".caveats.rel_to[0]", "party code");
    bad("{\"type\":\"extension-definition\",\"spec_version\":\"2.1\",\"id\":\"extension-definition-"
        "-"
        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"created\":" TS ",\"modified\":" TS ","
        "\"created_by_ref\":\"" ID_IDENT "\",\"name\":\"n\",\"schema\":\"s\",\"version\":\"1\","
        "\"extension_types\":[\"property-extension\"],\"extension_properties\":[\"x_a\"]}",
        "extension_properties", "toplevel-property-extension");
}

static void test_examples(void **state)
{
    (void)state;
    /* every example object the OASIS publishes validates */
    static const char *const files[] = {
        "data/stix2/examples/threat-reports/apt1.json",
        "data/stix2/examples/threat-reports/poisonivy.json",
        "data/stix2/examples/infrastructure.json",
        "data/stix2/examples/indicators-for-C2-with-COA.json",
        "data/stix2/examples/malicious-email-indicator-with-attachment.json",
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[512];
        size_t len;
        char *text = tu_slurp(tu_shared(files[i], path, sizeof path), &len);
        assert_non_null(text);
        json_t *b = NULL;
        char msg[256];
        assert_int_equal(tl_json_parse(text, len, &b, msg, sizeof msg), TL_OK);
        size_t j;
        json_t *o;
        json_array_foreach(json_object_get(b, "objects"), j, o)
        {
            tl_stix_error err;
            if (tl_stix_validate(o, NULL, &err)) fail_msg("%s: %s", files[i], err.msg);
        }
        json_decref(b);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_objects),
        cmocka_unit_test(test_type_and_id),
        cmocka_unit_test(test_required_and_spec_version),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_markings),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
