/*
 * agree.c: sharing agreements: validation, signatures, the node's register.
 *
 * The signed text is the RFC 8785 canonical form of the document without
 * "signatures". Validation is strict and closed (unknown members are
 * errors) because the release compiler acts on every member: a misspelled
 * rule must fail, not be ignored.
 */
#include "tearline/agree.h"
#include "tearline/json.h"
#include "tearline/prov.h"
#include "tearline/stix.h"

#include "jcs.h"
#include "audit_int.h"
#include "keys.h"
#include "ledger_int.h"
#include "node_int.h"
#include "ts.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARTIES 16

struct party {
    const char *code; /* borrowed from doc */
    unsigned char pk[32];
    int signed_;
    int endorsed; /* endorser's signature verified too */
    unsigned char endorser[32];
};

struct tl_agreement {
    json_t *doc;  /* the whole document */
    json_t *body; /* the document without "signatures" */
    const char *id, *title;
    int64_t version;
    int64_t from, until;
    size_t nparties;
    struct party parties[MAX_PARTIES];
};

void tl_agreement_free(tl_agreement *a)
{
    if (!a) return;
    json_decref(a->doc);
    json_decref(a->body);
    tl_free(a);
}

const char *tl_agreement_id(const tl_agreement *a)
{
    return a->id;
}

int64_t tl_agreement_version(const tl_agreement *a)
{
    return a->version;
}

const char *tl_agreement_title(const tl_agreement *a)
{
    return a->title;
}

int64_t tl_agreement_valid_from(const tl_agreement *a)
{
    return a->from;
}

int64_t tl_agreement_valid_until(const tl_agreement *a)
{
    return a->until;
}

size_t tl_agreement_party_count(const tl_agreement *a)
{
    return a->nparties;
}

const char *tl_agreement_party(const tl_agreement *a, size_t i)
{
    return i < a->nparties ? a->parties[i].code : NULL;
}

static struct party *party_mut(tl_agreement *a, const char *code)
{
    for (size_t i = 0; code && i < a->nparties; i++)
        if (strcmp(a->parties[i].code, code) == 0) return &a->parties[i];
    return NULL;
}

static const struct party *find_party(const tl_agreement *a, const char *code)
{
    for (size_t i = 0; code && i < a->nparties; i++)
        if (strcmp(a->parties[i].code, code) == 0) return &a->parties[i];
    return NULL;
}

int tl_agreement_has_party(const tl_agreement *a, const char *code)
{
    return find_party(a, code) != NULL;
}

int tl_agreement_signed_by(const tl_agreement *a, const char *code)
{
    const struct party *p = find_party(a, code);
    return p && p->signed_;
}

int tl_agreement_party_key(const tl_agreement *a, const char *code, unsigned char pk[32])
{
    const struct party *p = find_party(a, code);
    if (p) memcpy(pk, p->pk, 32);
    return p != NULL;
}

int tl_agreement_endorser(const tl_agreement *a, const char *code, unsigned char key[32])
{
    const struct party *p = find_party(a, code);
    if (!p || !p->endorsed) return 0;
    memcpy(key, p->endorser, 32);
    return 1;
}

int tl_agreement_countersigned(const tl_agreement *a)
{
    for (size_t i = 0; i < a->nparties; i++)
        if (!a->parties[i].signed_) return 0;
    return a->nparties > 0;
}

int tl_agreement_in_force(const tl_agreement *a, int64_t now_us)
{
    return tl_agreement_countersigned(a) && now_us >= a->from && now_us < a->until;
}

const json_t *tl_agreement_json(const tl_agreement *a)
{
    return a->doc;
}

tl_err tl_agreement_canonical(const tl_agreement *a, int with_signatures, char **out, size_t *len)
{
    return tl_json_canonical(with_signatures ? a->doc : a->body, out, len);
}

/* Equal as signed text: compared in canonical form, where 25.0 and 25 are one number. */
static int same_text(const json_t *a, const json_t *b)
{
    char *ca = NULL, *cb = NULL;
    size_t la = 0, lb = 0;
    int same = tl_json_canonical(a, &ca, &la) == TL_OK && tl_json_canonical(b, &cb, &lb) == TL_OK &&
               la == lb && memcmp(ca, cb, la) == 0;
    tl_free(ca);
    tl_free(cb);
    return same;
}

int tl_agreement_diff(const tl_agreement *a, const tl_agreement *b, char *out, size_t cap)
{
    int n = 0;
    size_t used = 0;
    out[0] = '\0';
    const json_t *sides[2] = {a->body, b->body};
    for (int s = 0; s < 2; s++) {
        const char *key;
        json_t *v;
        json_object_foreach(tl__json_mut(sides[s]), key, v)
        {
            const json_t *other = json_object_get(sides[1 - s], key);
            if (s == 1 && other) continue; /* compared on the first pass */
            if (other && same_text(v, other)) continue;
            int w = snprintf(out + used, cap - used, "%s%s", n ? ", " : "", key);
            if (w > 0 && (size_t)w < cap - used) used += (size_t)w;
            n++;
        }
    }
    return n;
}

/* ---- validation ---- */

struct vctx {
    const char *name;
    char *err;
    size_t cap;
};

__attribute__((format(printf, 3, 4))) static tl_err bad(struct vctx *c, const char *member,
                                                        const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->cap, "%s: '%s' %s", c->name, member, why);
    return TL_EINVAL;
}

static int only_keys(const json_t *o, const char *const *allowed, const char **unknown)
{
    const char *key;
    json_t *v;
    json_object_foreach(tl__json_mut(o), key, v)
    {
        int ok = 0;
        for (const char *const *k = allowed; *k; k++)
            ok |= strcmp(key, *k) == 0;
        if (!ok) {
            *unknown = key;
            return 0;
        }
    }
    return 1;
}

static int parse_ts(const json_t *v, int64_t *us)
{
    return json_is_string(v) &&
           tl__ts_parse(json_string_value(v), json_string_length(v), NULL, us, NULL) == 0;
}

static int nonempty_string(const json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= max;
}

static int word_of(const json_t *v, const char *const *words)
{
    if (!json_is_string(v)) return 0;
    for (; *words; words++)
        if (strcmp(json_string_value(v), *words) == 0) return 1;
    return 0;
}

static tl_err check_string_list(struct vctx *c, const char *member, const json_t *v,
                                int (*ok)(const char *))
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return bad(c, member, "must be a non-empty list");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!nonempty_string(e, 1024) || (ok && !ok(json_string_value(e))))
            return bad(c, member, "item %zu ('%.60s') is not valid", i,
                       json_is_string(e) ? json_string_value(e) : "");
    }
    return TL_OK;
}

static int is_period(const char *p)
{
    /* P<n>D, P<n>W, P<n>M or P<n>Y; or PT<n>H, PT<n>M or PT<n>S */
    size_t n = strlen(p);
    int t = n > 1 && p[1] == 'T';
    if (n < 3 + (size_t)t || n > 8 + (size_t)t || p[0] != 'P' ||
        !strchr(t ? "HMS" : "DWMY", p[n - 1]))
        return 0;
    for (size_t i = 1 + (size_t)t; i + 1 < n; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    return p[1 + t] != '0';
}

/* The length of a PT<n>{H,M,S} period in microseconds; 0 for a calendar period. */
static int64_t clock_period_us(const char *p)
{
    if (p[1] != 'T') return 0;
    int64_t n = strtol(p + 2, NULL, 10);
    char u = p[strlen(p) - 1];
    return n * (u == 'H' ? 3600 : u == 'M' ? 60 : 1) * 1000000LL;
}

static tl_err check_scope(struct vctx *c, const json_t *s)
{
    static const char *const keys[] = {"labels", "refs", "neighbourhood", "types", "from",
                                       "until",  NULL};
    const char *unknown;
    if (!json_is_object(s)) return bad(c, "scope", "must be an object");
    if (!only_keys(s, keys, &unknown))
        return bad(c, "scope", "has an unknown member '%s'", unknown);
    const json_t *labels = json_object_get(s, "labels"), *refs = json_object_get(s, "refs"),
                 *types = json_object_get(s, "types");
    if (!labels && !refs && !types)
        return bad(c, "scope",
                   "must name topics: 'labels', 'refs' or 'types' (an empty scope "
                   "would release everything)");
    tl_err rc;
    if (labels && (rc = check_string_list(c, "scope.labels", labels, NULL))) return rc;
    if (refs && (rc = check_string_list(c, "scope.refs", refs, tl_stix_id_valid))) return rc;
    if (types && (rc = check_string_list(c, "scope.types", types, tl_stix_type_valid))) return rc;
    const json_t *nb = json_object_get(s, "neighbourhood");
    if (nb && (!json_is_integer(nb) || json_integer_value(nb) < 0 || json_integer_value(nb) > 3))
        return bad(c, "scope.neighbourhood", "must be an integer from 0 to 3 (relationship hops)");
    int64_t from = 0, until = 0;
    const json_t *f = json_object_get(s, "from"), *u = json_object_get(s, "until");
    if (f && !parse_ts(f, &from)) return bad(c, "scope.from", "must be an RFC 3339 timestamp");
    if (u && !parse_ts(u, &until)) return bad(c, "scope.until", "must be an RFC 3339 timestamp");
    if (f && u && until <= from) return bad(c, "scope.until", "must be later than 'scope.from'");
    return TL_OK;
}

static tl_err check_rules(struct vctx *c, const json_t *r)
{
    static const char *const keys[] = {"tlp_max", "pap_max", "require_rel_to", "allow_unmarked",
                                       NULL};
    static const char *const tlp[] = {"clear", "green", "amber", "amber+strict", NULL};
    static const char *const pap[] = {"clear", "green", "amber", NULL};
    const char *unknown;
    if (!json_is_object(r)) return bad(c, "rules", "must be an object");
    if (!only_keys(r, keys, &unknown))
        return bad(c, "rules", "has an unknown member '%s'", unknown);
    const json_t *v;
    if ((v = json_object_get(r, "tlp_max")) && !word_of(v, tlp))
        return bad(c, "rules.tlp_max",
                   "must be clear, green, amber or amber+strict (red never "
                   "leaves)");
    if ((v = json_object_get(r, "pap_max")) && !word_of(v, pap))
        return bad(c, "rules.pap_max", "must be clear, green or amber");
    if ((v = json_object_get(r, "require_rel_to")) && !json_is_boolean(v))
        return bad(c, "rules.require_rel_to", "must be true or false");
    if ((v = json_object_get(r, "allow_unmarked")) && !json_is_boolean(v))
        return bad(c, "rules.allow_unmarked", "must be true or false");
    return TL_OK;
}

static tl_err check_profile(struct vctx *c, const json_t *p)
{
    static const char *const keys[] = {"location_precision_km", "time_precision",
                                       "discipline_classes", "lexicon", NULL};
    static const char *const precisions[] = {"second", "minute", "hour", "day",
                                             "month",  "year",   NULL};
    static const char *const disciplines[] = {"humint", "sigint",  "imint",  "geoint",  "osint",
                                              "masint", "techint", "finint", "liaison", NULL};
    const char *unknown;
    if (!json_is_object(p)) return bad(c, "profile", "must be an object");
    if (!only_keys(p, keys, &unknown))
        return bad(c, "profile", "has an unknown member '%s'", unknown);
    const json_t *v;
    if ((v = json_object_get(p, "location_precision_km")) &&
        (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 20000))
        return bad(c, "profile.location_precision_km", "must be a number from 0 to 20000");
    if ((v = json_object_get(p, "time_precision")) && !word_of(v, precisions))
        return bad(c, "profile.time_precision", "must be second, minute, hour, day, month or year");
    if ((v = json_object_get(p, "lexicon")) && !json_is_boolean(v))
        return bad(c, "profile.lexicon", "must be true or false");
    if ((v = json_object_get(p, "discipline_classes"))) {
        if (!json_is_object(v)) return bad(c, "profile.discipline_classes", "must be an object");
        const char *key;
        json_t *cls;
        json_object_foreach(tl__json_mut(v), key, cls)
        {
            json_t *k = json_string(key);
            int known = word_of(k, disciplines);
            json_decref(k);
            if (!known)
                return bad(c, "profile.discipline_classes", "names an unknown discipline '%s'",
                           key);
            if (!nonempty_string(cls, 200))
                return bad(c, "profile.discipline_classes",
                           "maps '%s' to something that is not a class name", key);
        }
    }
    return TL_OK;
}

/* One entry of a list member: an object with only the given members. */
static tl_err check_entry(struct vctx *c, const char *member, const json_t *e,
                          const char *const *keys)
{
    const char *unknown;
    if (!json_is_object(e)) return bad(c, member, "must be an object");
    if (!only_keys(e, keys, &unknown)) return bad(c, member, "has an unknown member '%s'", unknown);
    return TL_OK;
}

static tl_err check_parties(struct vctx *c, tl_agreement *a, const json_t *ps)
{
    static const char *const keys[] = {"code", "public_key", "title", NULL};
    if (!json_is_array(ps) || json_array_size(ps) < 2 || json_array_size(ps) > MAX_PARTIES)
        return bad(c, "parties", "must be a list of 2 to %d parties", MAX_PARTIES);
    size_t i;
    json_t *p;
    json_array_foreach(ps, i, p)
    {
        char member[32];
        snprintf(member, sizeof member, "parties[%zu]", i);
        tl_err rc = check_entry(c, member, p, keys);
        if (rc) return rc;
        const char *code = json_string_value(json_object_get(p, "code"));
        if (!tl_party_code_valid(code)) return bad(c, member, "needs a valid party 'code'");
        const char *pk = json_string_value(json_object_get(p, "public_key"));
        struct party *pt = &a->parties[i];
        if (!pk || strlen(pk) != 64 || sodium_hex2bin(pt->pk, 32, pk, 64, NULL, NULL, NULL) != 0)
            return bad(c, member, "needs a 'public_key' of 64 hexadecimal digits (Ed25519)");
        const json_t *t = json_object_get(p, "title");
        if (t && !nonempty_string(t, 1024)) return bad(c, member, "'title' must be a string");
        if (find_party(a, code)) return bad(c, member, "repeats party '%s'", code);
        for (size_t j = 0; j < i; j++)
            if (memcmp(a->parties[j].pk, pt->pk, 32) == 0)
                return bad(c, member, "has the same public key as party '%s'", a->parties[j].code);
        pt->code = code;
        a->nparties = i + 1;
    }
    return TL_OK;
}

static tl_err check_consents(struct vctx *c, const tl_agreement *a, const json_t *cs)
{
    static const char *const keys[] = {"originator", "items", "party", "until", NULL};
    if (!json_is_array(cs)) return bad(c, "consents", "must be a list");
    size_t i;
    json_t *e;
    json_array_foreach(cs, i, e)
    {
        char member[48];
        snprintf(member, sizeof member, "consents[%zu]", i);
        tl_err rc = check_entry(c, member, e, keys);
        if (rc) return rc;
        const char *orig = json_string_value(json_object_get(e, "originator"));
        if (!orig || !tl_stix_id_valid(orig) || strncmp(orig, "identity--", 10) != 0)
            return bad(c, member, "needs an 'originator' (identity--UUID)");
        snprintf(member, sizeof member, "consents[%zu].items", i);
        rc = check_string_list(c, member, json_object_get(e, "items"), tl_stix_id_valid);
        if (rc) return rc;
        snprintf(member, sizeof member, "consents[%zu]", i);
        if (!find_party(a, json_string_value(json_object_get(e, "party"))))
            return bad(c, member, "'party' must be one of the parties");
        int64_t until;
        if (!parse_ts(json_object_get(e, "until"), &until))
            return bad(c, member, "needs 'until' (an RFC 3339 timestamp)");
    }
    return TL_OK;
}

static tl_err check_commitments(struct vctx *c, const tl_agreement *a, const json_t *cs)
{
    static const char *const keys[] = {"party", "topic", "at_least", "period", NULL};
    if (!json_is_array(cs)) return bad(c, "commitments", "must be a list");
    size_t i;
    json_t *e;
    json_array_foreach(cs, i, e)
    {
        char member[48];
        snprintf(member, sizeof member, "commitments[%zu]", i);
        tl_err rc = check_entry(c, member, e, keys);
        if (rc) return rc;
        if (!find_party(a, json_string_value(json_object_get(e, "party"))))
            return bad(c, member, "'party' must be one of the parties");
        if (!nonempty_string(json_object_get(e, "topic"), 1024))
            return bad(c, member, "needs a 'topic' (a label)");
        const json_t *n = json_object_get(e, "at_least");
        if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 1000000000)
            return bad(c, member, "'at_least' must be a whole number from 1");
        const char *per = json_string_value(json_object_get(e, "period"));
        if (!per || !is_period(per))
            return bad(c, member,
                       "'period' must be P<n>D, P<n>W, P<n>M, P<n>Y, PT<n>H, PT<n>M or PT<n>S "
                       "(e.g. P30D)");
        int64_t us = clock_period_us(per);
        if (us && (a->until - a->from) / us > 1000000)
            return bad(c, member,
                       "'period' %s makes more than 1,000,000 periods between 'valid_from' and "
                       "'valid_until'",
                       per);
    }
    return TL_OK;
}

static tl_err check_document(struct vctx *c, tl_agreement *a, const json_t *d)
{
    static const char *const keys[] = {
        "type",  "id",    "version", "title",    "parties",     "valid_from", "valid_until",
        "scope", "rules", "profile", "consents", "commitments", "signatures", NULL};
    static const char *const required[] = {"type",    "id",         "version",     "title",
                                           "parties", "valid_from", "valid_until", "scope",
                                           "rules",   "profile",    NULL};
    if (!json_is_object(d)) {
        snprintf(c->err, c->cap, "%s: an agreement must be a JSON object", c->name);
        return TL_EINVAL;
    }
    const char *unknown;
    if (!only_keys(d, keys, &unknown)) return bad(c, unknown, "is not an agreement member");
    for (const char *const *k = required; *k; k++)
        if (!json_object_get(d, *k)) return bad(c, *k, "is required but missing");
    const json_t *t = json_object_get(d, "type");
    if (!json_is_string(t) || strcmp(json_string_value(t), "tearline-agreement") != 0)
        return bad(c, "type", "must be \"tearline-agreement\"");
    a->id = json_string_value(json_object_get(d, "id"));
    if (!a->id || strncmp(a->id, "agreement--", 11) != 0 || !tl_stix_id_valid(a->id))
        return bad(c, "id", "must be agreement--UUID");
    const json_t *v = json_object_get(d, "version");
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 2147483647)
        return bad(c, "version", "must be a whole number from 1");
    a->version = (int64_t)json_integer_value(v);
    a->title = json_string_value(json_object_get(d, "title"));
    if (!nonempty_string(json_object_get(d, "title"), 1024))
        return bad(c, "title", "must be a non-empty string");
    tl_err rc = check_parties(c, a, json_object_get(d, "parties"));
    if (rc) return rc;
    if (!parse_ts(json_object_get(d, "valid_from"), &a->from))
        return bad(c, "valid_from", "must be an RFC 3339 timestamp");
    if (!parse_ts(json_object_get(d, "valid_until"), &a->until))
        return bad(c, "valid_until", "must be an RFC 3339 timestamp");
    if (a->until <= a->from) return bad(c, "valid_until", "must be later than 'valid_from'");
    if ((rc = check_scope(c, json_object_get(d, "scope")))) return rc;
    if ((rc = check_rules(c, json_object_get(d, "rules")))) return rc;
    if ((rc = check_profile(c, json_object_get(d, "profile")))) return rc;
    if ((v = json_object_get(d, "consents")) && (rc = check_consents(c, a, v))) return rc;
    if ((v = json_object_get(d, "commitments")) && (rc = check_commitments(c, a, v))) return rc;
    return TL_OK;
}

/* Verifies every signature of a->doc over the canonical body; marks the signers. */
static tl_err check_signatures(struct vctx *c, tl_agreement *a)
{
    const json_t *sigs = json_object_get(a->doc, "signatures");
    if (!sigs) return TL_OK;
    if (!json_is_array(sigs)) return bad(c, "signatures", "must be a list");
    char *msg = NULL;
    size_t len = 0;
    tl_err rc = tl_json_canonical(a->body, &msg, &len);
    if (rc) return rc;
    size_t i;
    json_t *s;
    json_array_foreach(sigs, i, s)
    {
        char member[32];
        snprintf(member, sizeof member, "signatures[%zu]", i);
        static const char *const keys[] = {"party", "signature", "key", NULL};
        const char *unknown;
        if (!json_is_object(s) || !only_keys(s, keys, &unknown)) {
            rc = bad(c, member,
                     "must be {\"party\": CODE, \"signature\": HEX} (with \"key\": HEX for an "
                     "endorsement by the party's earlier key)");
            break;
        }
        const char *code = json_string_value(json_object_get(s, "party"));
        struct party *p = party_mut(a, code);
        if (!p) {
            rc = bad(c, member, "is by '%s', which is not a party", code ? code : "");
            break;
        }
        /* an endorsement: the party's earlier key signs the text naming its new one */
        const json_t *kv = json_object_get(s, "key");
        const char *khex = json_string_value(kv);
        unsigned char endorser[32];
        if (kv && (!khex || strlen(khex) != 64 ||
                   sodium_hex2bin(endorser, 32, khex, 64, NULL, NULL, NULL) != 0)) {
            rc = bad(c, member, "needs a 'key' of 64 hexadecimal digits (Ed25519)");
            break;
        }
        if (kv && sodium_memcmp(endorser, p->pk, 32) == 0) {
            rc = bad(c, member, "endorses '%s' with the key it already names", code);
            break;
        }
        if (kv ? p->endorsed : p->signed_) {
            rc = bad(c, member, "repeats the %s of '%s'", kv ? "endorsement" : "signature", code);
            break;
        }
        const char *hex = json_string_value(json_object_get(s, "signature"));
        unsigned char sig[64];
        if (!hex || strlen(hex) != 128 ||
            sodium_hex2bin(sig, sizeof sig, hex, 128, NULL, NULL, NULL) != 0) {
            rc = bad(c, member, "needs a 'signature' of 128 hexadecimal digits");
            break;
        }
        if (crypto_sign_verify_detached(sig, (const unsigned char *)msg, len,
                                        kv ? endorser : p->pk) != 0) {
            snprintf(c->err, c->cap,
                     kv ? "%s: the endorsement of party '%s' by its earlier key does not verify: "
                          "the text was changed after signing, or it was not signed with that key"
                        : "%s: the signature of party '%s' does not verify: the text was changed "
                          "after signing, or it was not signed with that party's key",
                     c->name, code);
            rc = TL_ECRYPTO;
            break;
        }
        if (kv) {
            p->endorsed = 1;
            memcpy(p->endorser, endorser, 32);
        } else {
            p->signed_ = 1;
        }
    }
    tl_free(msg);
    return rc;
}

static tl_err from_json(const char *name, json_t *doc, tl_agreement **out, char *errmsg,
                        size_t errcap)
{
    *out = NULL;
    tl_agreement *a = tl_calloc(1, sizeof *a);
    if (!a) {
        json_decref(doc);
        return TL_ENOMEM;
    }
    a->doc = doc;
    struct vctx c = {name, errmsg, errcap};
    tl_err rc = check_document(&c, a, doc);
    if (!rc) {
        a->body = json_copy(doc);
        if (!a->body ||
            (json_object_get(doc, "signatures") && json_object_del(a->body, "signatures") != 0))
            rc = TL_ENOMEM;
    }
    if (!rc) rc = check_signatures(&c, a);
    if (rc) {
        tl_agreement_free(a);
        return rc;
    }
    *out = a;
    return TL_OK;
}

tl_err tl_agreement_parse(const char *name, const char *data, size_t len, tl_agreement **out,
                          char *errmsg, size_t errcap)
{
    *out = NULL;
    if (len > TL_AGREEMENT_MAX) {
        snprintf(errmsg, errcap, "%s: larger than %u bytes", name, TL_AGREEMENT_MAX);
        return TL_ELIMIT;
    }
    json_t *doc = NULL;
    char msg[256];
    tl_err rc = tl_json_parse(data, len, &doc, msg, sizeof msg);
    if (rc) {
        snprintf(errmsg, errcap, "%s:%s", name, msg);
        return rc;
    }
    return from_json(name, doc, out, errmsg, errcap);
}

tl_err tl_agreement_parse_file(const char *path, tl_agreement **out, char *errmsg, size_t errcap)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    tl_err rc = tl__read_file(path, TL_AGREEMENT_MAX, &text, &len, errmsg, errcap);
    if (rc) return rc == TL_ENODE ? TL_EIO : rc;
    rc = tl_agreement_parse(path, text, len, out, errmsg, errcap);
    tl_free(text);
    return rc;
}

/* ---- the node's register ---- */

/* A copy of a with signatures set to the signers in a and b (which share one text). */
static tl_err merged(const tl_agreement *a, const tl_agreement *b, tl_agreement **out, char *errmsg,
                     size_t errcap)
{
    json_t *doc = json_deep_copy(a->doc);
    json_t *sigs = json_array();
    if (!doc || !sigs) {
        json_decref(doc);
        json_decref(sigs);
        return TL_ENOMEM;
    }
    /* in party order, each once: its signature, then its endorsement */
    for (size_t i = 0; i < a->nparties; i++) {
        const char *code = a->parties[i].code;
        for (int endorsement = 0; endorsement < 2; endorsement++) {
            int in_a = endorsement ? a->parties[i].endorsed : a->parties[i].signed_;
            int in_b = endorsement ? b->parties[i].endorsed : b->parties[i].signed_;
            const tl_agreement *src = in_a ? a : in_b ? b : NULL;
            if (!src) continue;
            size_t j;
            json_t *s;
            json_array_foreach(json_object_get(src->doc, "signatures"), j, s)
            {
                if (strcmp(json_string_value(json_object_get(s, "party")), code) == 0 &&
                    (json_object_get(s, "key") != NULL) == endorsement) {
                    json_array_append_new(sigs, json_deep_copy(s));
                    break;
                }
            }
        }
    }
    if (json_object_set_new(doc, "signatures", sigs)) {
        json_decref(doc);
        return TL_ENOMEM;
    }
    return from_json(a->id, doc, out, errmsg, errcap);
}

struct fetch {
    const char *name;
    tl_agreement *a;
    tl_err rc;
    char *errmsg;
    size_t errcap;
};

static int fetch_cb(const char *id, int64_t version, const char *doc, size_t len, void *ud)
{
    (void)id;
    (void)version;
    struct fetch *f = ud;
    f->rc = tl_agreement_parse(f->name, doc, len, &f->a, f->errmsg, f->errcap);
    return 1;
}

tl_err tl_node_agree_get(tl_node *n, const char *id, int64_t version, tl_agreement **out)
{
    *out = NULL;
    struct fetch f = {"stored agreement", NULL, TL_OK, n->errmsg, sizeof n->errmsg};
    tl_err rc = tl_store_agreement_get(n->store, id, version, fetch_cb, &f);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        return rc;
    }
    if (f.rc) return f.rc;
    *out = f.a;
    return TL_OK;
}

/*
 * The ledger's record of a saved agreement: what happened (event), the
 * digest of the whole signed text and who has signed; when it has just
 * become countersigned, one consent entry per consent record it carries.
 */
static tl_err ledger_agreement(tl_node *n, const tl_agreement *a, const char *event,
                               const char *doc, size_t len, int now_countersigned)
{
    unsigned char d[32];
    char hex[65], summary[240];
    crypto_generichash(d, sizeof d, (const unsigned char *)doc, len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    json_t *signers = json_array();
    for (size_t i = 0; i < a->nparties && signers; i++)
        if (a->parties[i].signed_) json_array_append_new(signers, json_string(a->parties[i].code));
    json_t *p = json_pack("{s:s, s:I, s:s, s:o, s:b}", "id", a->id, "version",
                          (json_int_t)a->version, "digest", hex, "signed_by", signers,
                          "countersigned", tl_agreement_countersigned(a));
    char *text = NULL;
    size_t tlen = 0;
    tl_err rc = p ? tl_json_canonical(p, &text, &tlen) : TL_ENOMEM;
    json_decref(p);
    if (rc) return rc;
    snprintf(summary, sizeof summary, "%s %s v%lld%s", event, a->id, (long long)a->version,
             now_countersigned ? ", now signed by every party" : "");
    /* the party: the one other than this node, if there are two */
    const char *party = "";
    if (a->nparties == 2)
        party = strcmp(a->parties[0].code, n->code) ? a->parties[0].code : a->parties[1].code;
    rc = tl__ledger_append(n, TL_LEDGER_AGREEMENT, party, summary, text, tlen, NULL);
    tl_free(text);
    size_t i;
    json_t *c;
    json_array_foreach(now_countersigned ? json_object_get(a->doc, "consents") : NULL, i, c)
    {
        if (rc) break;
        char *ct = NULL;
        size_t clen = 0;
        if ((rc = tl_json_canonical(c, &ct, &clen))) break;
        snprintf(summary, sizeof summary, "consent of %s for %zu items to %s until %s",
                 json_string_value(json_object_get(c, "originator")),
                 json_array_size(json_object_get(c, "items")),
                 json_string_value(json_object_get(c, "party")),
                 json_string_value(json_object_get(c, "until")));
        rc = tl__ledger_append(n, TL_LEDGER_CONSENT, json_string_value(json_object_get(c, "party")),
                               summary, ct, clen, NULL);
        tl_free(ct);
    }
    return rc;
}

/* Stores a; event (NULL: none) goes to the ledger in the same transaction. */
static tl_err save(tl_node *n, const tl_agreement *a, const char *event, int now_countersigned)
{
    char *doc = NULL;
    size_t len = 0;
    tl_err rc = tl_agreement_canonical(a, 1, &doc, &len);
    if (rc) return rc;
    rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_agreement_put(n->store, a->id, a->version, doc, len);
    if (!rc && event) rc = ledger_agreement(n, a, event, doc, len, now_countersigned);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        if (!n->errmsg[0]) tl__node_err(n, "%s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    }
    tl_free(doc);
    return rc || !event ? rc : tl_node_ledger_checkpoint(n);
}

/* Signatures and endorsements a carries. */
static size_t signature_count(const tl_agreement *a)
{
    size_t k = 0;
    for (size_t i = 0; i < a->nparties; i++)
        k += (size_t)a->parties[i].signed_ + (size_t)a->parties[i].endorsed;
    return k;
}

/*
 * This node must be a party, under its current key; or, with retired_ok (a
 * countersigned copy of a version made before a rotation), a key it retired.
 */
static tl_err check_membership(tl_node *n, const tl_agreement *a, int retired_ok)
{
    const struct party *me = find_party(a, n->code);
    if (!me) {
        tl__node_err(n, "agreement %s v%lld: this node ('%s') is not a party", a->id,
                     (long long)a->version, n->code);
        return TL_EINVAL;
    }
    if (sodium_memcmp(me->pk, n->pk, 32) == 0) return TL_OK;
    if (tl__node_holds_key(n, me->pk)) {
        if (retired_ok) return TL_OK;
        tl__node_err(n,
                     "agreement %s v%lld names a key this node has retired for party '%s'; a "
                     "version this node signs must name its current key (tearline key list)",
                     a->id, (long long)a->version, n->code);
        return TL_EINVAL;
    }
    tl__node_err(n,
                 "agreement %s v%lld: the public key given for party '%s' is not this "
                 "node's key",
                 a->id, (long long)a->version, n->code);
    return TL_EINVAL;
}

/* Reads, checks and records a document; proposal: it must be a version above those held. */
static tl_err record(tl_node *n, const char *path, int proposal, tl_agreement **out)
{
    if (out) *out = NULL;
    tl_agreement *a = NULL, *held = NULL, *latest = NULL, *result = NULL;
    tl_err rc = tl_agreement_parse_file(path, &a, n->errmsg, sizeof n->errmsg);
    if (rc) return rc;
    if ((rc = check_membership(n, a, !proposal))) goto out;

    rc = tl_node_agree_get(n, a->id, a->version, &held);
    if (rc == TL_ENOTFOUND) {
        if (proposal && tl_node_agree_get(n, a->id, 0, &latest) == TL_OK &&
            latest->version > a->version) {
            tl__node_err(n,
                         "agreement %s: version %lld is older than version %lld already held; "
                         "a change needs a higher version",
                         a->id, (long long)a->version, (long long)latest->version);
            rc = TL_ECONFLICT;
            goto out;
        }
        result = a;
        a = NULL;
    } else if (rc == TL_OK) {
        char diff[512];
        if (tl_agreement_diff(held, a, diff, sizeof diff) > 0) {
            tl__node_err(n,
                         "agreement %s v%lld: this text differs from the one held in: %s; a "
                         "change needs a new version signed again by every party",
                         a->id, (long long)a->version, diff);
            rc = TL_ECONFLICT;
            goto out;
        }
        if ((rc = merged(held, a, &result, n->errmsg, sizeof n->errmsg))) goto out;
    } else {
        goto out;
    }
    /* the ledger hears of new signatures, not of a copy that adds nothing */
    size_t before = held ? signature_count(held) : 0;
    const char *event =
        signature_count(result) > before ? (proposal ? "proposed" : "imported") : NULL;
    int now_full =
        tl_agreement_countersigned(result) && !(held && tl_agreement_countersigned(held));
    if ((rc = save(n, result, event, now_full))) goto out;
    if (out) {
        *out = result;
        result = NULL;
    }
out:
    tl_agreement_free(a);
    tl_agreement_free(held);
    tl_agreement_free(latest);
    tl_agreement_free(result);
    return rc;
}

/* The audit record of an agreement action that succeeded. */
static tl_err audit_agreement(tl_node *n, const char *action, tl_agreement **out, tl_err rc,
                              const char *id, int64_t version)
{
    if (rc) return rc;
    const tl_agreement *a = out ? *out : NULL;
    if (a) version = a->version;
    return version ? tl__audit_admin(n, NULL, a ? a->id : id, action, "version %lld",
                                     (long long)version)
                   : tl__audit_admin(n, NULL, id, action, "latest version");
}

tl_err tl_node_agree_propose(tl_node *n, const char *path, tl_agreement **out)
{
    return audit_agreement(n, "agree-propose", out, record(n, path, 1, out), path, 0);
}

tl_err tl_node_agree_import(tl_node *n, const char *path, tl_agreement **out)
{
    return audit_agreement(n, "agree-import", out, record(n, path, 0, out), path, 0);
}

struct previous {
    const char *id;
    int64_t below, version;
    unsigned char pk[32];
    const char *code;
};

static int previous_cb(const tl_agreement *a, void *ud)
{
    struct previous *p = ud;
    if (strcmp(a->id, p->id) != 0 || a->version >= p->below || a->version <= p->version) return 0;
    if (tl_agreement_party_key(a, p->code, p->pk)) p->version = a->version;
    return 0;
}

/*
 * If the latest earlier version of a held here names another key for this
 * node, and the node still holds it (retired), that key's signature over
 * msg in esig and its public half in endorser; endorser all zero otherwise.
 */
static tl_err endorsement(tl_node *n, const tl_agreement *a, const char *msg, size_t len,
                          unsigned char endorser[32], unsigned char esig[64])
{
    memset(endorser, 0, 32);
    memset(esig, 0, 64);
    struct previous p = {a->id, a->version, 0, {0}, n->code};
    tl_err rc = tl_node_agree_list(n, previous_cb, &p);
    if (rc || !p.version || sodium_memcmp(p.pk, n->pk, 32) == 0) return rc;
    unsigned char sk[64];
    if (tl__node_secret_for(n, p.pk, sk) != TL_OK) {
        n->errmsg[0] = '\0';
        return TL_OK; /* not a key this node held: nothing to vouch with */
    }
    crypto_sign_detached(esig, NULL, (const unsigned char *)msg, len, sk);
    sodium_memzero(sk, sizeof sk);
    memcpy(endorser, p.pk, 32);
    return TL_OK;
}

static tl_err agree_sign(tl_node *n, const char *id, int64_t version, tl_agreement **out);

tl_err tl_node_agree_sign(tl_node *n, const char *id, int64_t version, tl_agreement **out)
{
    return audit_agreement(n, "agree-sign", out, agree_sign(n, id, version, out), id, version);
}

static tl_err agree_sign(tl_node *n, const char *id, int64_t version, tl_agreement **out)
{
    if (out) *out = NULL;
    tl_agreement *a = NULL, *signed_copy = NULL;
    tl_err rc = tl_node_agree_get(n, id, version, &a);
    if (rc) return rc;
    if ((rc = check_membership(n, a, 0))) goto out;
    if (!tl_agreement_signed_by(a, n->code)) {
        char *msg = NULL;
        size_t len = 0;
        unsigned char sig[64], esig[64], endorser[32];
        char hex[129], ehex[129], khex[65];
        if ((rc = tl_agreement_canonical(a, 0, &msg, &len))) goto out;
        rc = tl__node_sign(n, msg, len, sig);
        int endorse = !rc && !find_party(a, n->code)->endorsed &&
                      (rc = endorsement(n, a, msg, len, endorser, esig)) == TL_OK &&
                      !sodium_is_zero(endorser, 32);
        tl_free(msg);
        if (rc) goto out;
        sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
        sodium_bin2hex(ehex, sizeof ehex, esig, sizeof esig);
        sodium_bin2hex(khex, sizeof khex, endorser, sizeof endorser);
        json_t *doc = json_deep_copy(a->doc);
        json_t *sigs = doc ? json_object_get(doc, "signatures") : NULL;
        if (doc && !sigs) {
            sigs = json_array();
            json_object_set_new(doc, "signatures", sigs);
        }
        if (!doc || !sigs ||
            json_array_append_new(sigs,
                                  json_pack("{s:s, s:s}", "party", n->code, "signature", hex)) ||
            (endorse && json_array_append_new(sigs, json_pack("{s:s, s:s, s:s}", "party", n->code,
                                                              "key", khex, "signature", ehex)))) {
            json_decref(doc);
            rc = TL_ENOMEM;
            goto out;
        }
        tl_agreement *fresh = NULL;
        if ((rc = from_json(a->id, doc, &fresh, n->errmsg, sizeof n->errmsg))) goto out;
        /* keep signatures in party order */
        rc = merged(fresh, fresh, &signed_copy, n->errmsg, sizeof n->errmsg);
        tl_agreement_free(fresh);
        if (rc || (rc = save(n, signed_copy, "signed", tl_agreement_countersigned(signed_copy))))
            goto out;
    } else {
        signed_copy = a;
        a = NULL;
    }
    if (out) {
        *out = signed_copy;
        signed_copy = NULL;
    }
out:
    tl_agreement_free(a);
    tl_agreement_free(signed_copy);
    return rc;
}

struct lister {
    tl_agreement_cb cb;
    void *ud;
    tl_err rc;
    char *errmsg;
    size_t errcap;
};

static int list_cb(const char *id, int64_t version, const char *doc, size_t len, void *ud)
{
    (void)id;
    (void)version;
    struct lister *l = ud;
    tl_agreement *a = NULL;
    l->rc = tl_agreement_parse("stored agreement", doc, len, &a, l->errmsg, l->errcap);
    if (l->rc) return 1;
    int stop = l->cb(a, l->ud);
    tl_agreement_free(a);
    return stop;
}

tl_err tl_node_agree_list(tl_node *n, tl_agreement_cb cb, void *ud)
{
    struct lister l = {cb, ud, TL_OK, n->errmsg, sizeof n->errmsg};
    tl_err rc = tl_store_agreement_list(n->store, list_cb, &l);
    if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc ? rc : l.rc;
}

struct in_force {
    tl_node *n;
    const char *partner;
    int64_t now;
    tl_agreement *best;
    int candidates; /* agreements naming both parties */
};

static int in_force_cb(const tl_agreement *a, void *ud)
{
    struct in_force *f = ud;
    if (!tl_agreement_has_party(a, f->n->code) || !tl_agreement_has_party(a, f->partner)) return 0;
    f->candidates++;
    if (!tl_agreement_in_force(a, f->now)) return 0;
    if (f->best &&
        (f->best->from > a->from || (f->best->from == a->from && f->best->version >= a->version)))
        return 0;
    char *doc = NULL;
    size_t len = 0;
    if (tl_agreement_canonical(a, 1, &doc, &len)) return 1;
    tl_agreement *copy = NULL;
    char msg[256];
    if (tl_agreement_parse(a->id, doc, len, &copy, msg, sizeof msg) == TL_OK) {
        tl_agreement_free(f->best);
        f->best = copy;
    }
    tl_free(doc);
    return 0;
}

tl_err tl_node_agree_in_force(tl_node *n, const char *partner, int64_t now_us, tl_agreement **out)
{
    *out = NULL;
    struct in_force f = {n, partner, now_us, NULL, 0};
    tl_err rc = tl_node_agree_list(n, in_force_cb, &f);
    if (rc) {
        tl_agreement_free(f.best);
        return rc;
    }
    if (!f.best) {
        tl__node_err(n,
                     f.candidates ? "no agreement with '%s' is both signed by every party and "
                                    "within its validity"
                                  : "there is no agreement with '%s'",
                     partner);
        return TL_ENOTFOUND;
    }
    *out = f.best;
    return TL_OK;
}
