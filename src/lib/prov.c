/* prov.c: tearline's provenance extension. */
#include "tearline/prov.h"
#include "tearline/stix.h"

#include "jcs.h"
#include "ts.h"

#include <stdio.h>
#include <string.h>

static const char ext_definition[] =
    "{\"created\":\"2026-11-27T00:00:00.000Z\","
    "\"created_by_ref\":\"" TL_PROJECT_IDENTITY "\","
    "\"description\":\"Protected provenance of a tearline holding: source, collection discipline "
    "and method, Admiralty ratings, originator and handling caveats. Never released as is; the "
    "release compiler replaces it.\","
    "\"extension_types\":[\"property-extension\"],"
    "\"id\":\"" TL_PROV_EXT_ID "\","
    "\"modified\":\"2026-11-27T00:00:00.000Z\","
    "\"name\":\"tearline provenance\","
    "\"schema\":\"https://tearline.invalid/docs/provenance.md\","
    "\"spec_version\":\"2.1\","
    "\"type\":\"extension-definition\","
    "\"version\":\"1.0.0\"}";

const char *tl_prov_extension_definition(void)
{
    return ext_definition;
}

int tl_prov_confidence(int credibility)
{
    static const int map[] = {0, 90, 70, 50, 30, 10};
    return credibility >= 1 && credibility <= 5 ? map[credibility] : -1;
}

int tl_party_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 2 || n > 32 || code[0] < 'a' || code[0] > 'z') return 0;
    for (size_t i = 1; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
    }
    return 1;
}

__attribute__((format(printf, 6, 7))) static tl_err
bad(char *prop, size_t propcap, const char *name, char *msg, size_t msgcap, const char *fmt, ...)
{
    snprintf(prop, propcap, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgcap, fmt, ap);
    va_end(ap);
    return TL_ESTIX;
}

#define BAD(name, ...) bad(prop, propcap, name, msg, msgcap, __VA_ARGS__)

static int is_ident_ref(const json_t *v)
{
    return json_is_string(v) && tl_stix_id_valid(json_string_value(v)) &&
           strncmp(json_string_value(v), "identity--", 10) == 0;
}

tl_err tl_prov_validate(const json_t *ext, long confidence, char *prop, size_t propcap, char *msg,
                        size_t msgcap)
{
    static const char *const disciplines[] = {"humint", "sigint",  "imint",  "geoint", "osint",
                                              "masint", "techint", "finint", "liaison"};
    prop[0] = msg[0] = '\0';
    if (!json_is_object(ext)) return BAD("", "provenance must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(tl__json_mut(ext), key, v)
    {
        if (!strcmp(key, "extension_type")) {
            if (!json_is_string(v) || strcmp(json_string_value(v), "property-extension") != 0)
                return BAD(key, "must be \"property-extension\"");
        } else if (!strcmp(key, "source_ref") || !strcmp(key, "originator")) {
            if (!is_ident_ref(v)) return BAD(key, "must refer to an identity (identity--UUID)");
        } else if (!strcmp(key, "discipline")) {
            int ok = 0;
            for (size_t i = 0; json_is_string(v) && i < sizeof disciplines / sizeof *disciplines;
                 i++)
                ok |= !strcmp(json_string_value(v), disciplines[i]);
            if (!ok)
                return BAD(key, "must be one of humint, sigint, imint, geoint, osint, masint, "
                                "techint, finint, liaison");
        } else if (!strcmp(key, "method") || !strcmp(key, "collected_where")) {
            if (!json_is_string(v)) return BAD(key, "must be a string");
        } else if (!strcmp(key, "reliability")) {
            const char *s = json_string_value(v);
            if (!s || strlen(s) != 1 || s[0] < 'A' || s[0] > 'F')
                return BAD(key, "must be an Admiralty source reliability rating, A to F");
        } else if (!strcmp(key, "credibility")) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 6)
                return BAD(key, "must be an Admiralty information credibility rating, 1 to 6");
        } else if (!strcmp(key, "collected_at")) {
            if (!json_is_string(v) ||
                tl__ts_parse(json_string_value(v), json_string_length(v), NULL, NULL, NULL))
                return BAD(key, "must be an RFC 3339 timestamp");
        } else if (!strcmp(key, "caveats")) {
            if (!json_is_object(v)) return BAD(key, "must be an object");
            const char *ck;
            json_t *cv;
            json_object_foreach(v, ck, cv)
            {
                char path[64];
                snprintf(path, sizeof path, "caveats.%.40s", ck);
                if (!strcmp(ck, "noforn") || !strcmp(ck, "orcon")) {
                    if (!json_is_boolean(cv)) return BAD(path, "must be true or false");
                } else if (!strcmp(ck, "rel_to")) {
                    if (!json_is_array(cv) || json_array_size(cv) == 0)
                        return BAD(path, "must be a non-empty list of party codes");
                    size_t i;
                    json_t *pc;
                    json_array_foreach(cv, i, pc)
                    {
                        if (!tl_party_code_valid(json_string_value(pc))) {
                            snprintf(path, sizeof path, "caveats.rel_to[%zu]", i);
                            return BAD(path, "must be a party code ([a-z][a-z0-9-]{1,31})");
                        }
                    }
                } else {
                    return BAD(path, "is not a known caveat (noforn, orcon, rel_to)");
                }
            }
        } else {
            return BAD(key, "is not a provenance property");
        }
    }
    if (!json_object_get(ext, "extension_type")) return BAD("extension_type", "is required");
    const json_t *cred = json_object_get(ext, "credibility");
    if (cred && confidence >= 0) {
        int c = (int)json_integer_value(cred);
        static const int lo[] = {0, 80, 60, 40, 20, 0}, hi[] = {0, 100, 79, 59, 39, 19};
        if (c == 6)
            return BAD("credibility", "is 6 (truth cannot be judged), so STIX 'confidence' must "
                                      "be absent");
        if (confidence < lo[c] || confidence > hi[c])
            return BAD("credibility",
                       "%d maps to STIX confidence %d-%d (STIX 2.1 Appendix A), but the object's "
                       "confidence is %ld",
                       c, lo[c], hi[c], confidence);
    }
    return TL_OK;
}
