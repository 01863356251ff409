/*
 * balance.c: reciprocity, what was given to and received from each partner,
 * weighted by the value model of docs/ledger.md.
 *
 * Every object of every release and received entry of the ledger gets
 *
 *     value = type weight x credibility x novelty x corroboration
 *
 * type weight: a fixed table; credibility: STIX confidence / 100 of the
 * object as exchanged, 0.5 without one; novelty: 1 new to the recipient,
 * 0.5 a new version of something it held, 0 something it held already (as
 * far as this node can know); corroboration: 1.5 when another holding says
 * the same thing (same type and the same pattern or folded name) from
 * root sources disjoint from the object's and is not an echo of it, else 1.
 * Sources, the parties' own identities and definitions are bookkeeping:
 * weight 0.
 */
#include "tearline/json.h"
#include "tearline/ledger.h"
#include "tearline/prov.h"
#include "tearline/release.h"

#include "jcs.h"
#include "node_int.h"
#include "text.h"
#include "ts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ID_MAX 300 /* room for an id or a version, and a partner code */

/* The type weights: what an item of that type is worth before the other factors. */
static const struct {
    const char *type;
    double w;
} weights[] = {
    {"report", 3.0},
    {"threat-actor", 2.0},
    {"intrusion-set", 2.0},
    {"campaign", 2.0},
    {"indicator", 1.0},
    {"malware", 1.0},
    {"tool", 1.0},
    {"infrastructure", 1.0},
    {"attack-pattern", 1.0},
    {"vulnerability", 1.0},
    {"sighting", 1.0},
    {"observed-data", 1.0},
    {"malware-analysis", 1.0},
    {"course-of-action", 1.0},
    {"identity", 0.5},
    {"location", 0.5},
    {"note", 0.5},
    {"opinion", 0.5},
    {"grouping", 0.5},
    {"relationship", 0.25},
};
#define OTHER_WEIGHT 0.5
#define NO_CONFIDENCE 0.5
#define CORROBORATED 1.5

static double type_weight(const char *type)
{
    if (!strcmp(type, "marking-definition") || !strcmp(type, "extension-definition") ||
        !strcmp(type, "language-content") || !strncmp(type, "x-", 2))
        return 0;
    for (size_t i = 0; i < sizeof weights / sizeof *weights; i++)
        if (!strcmp(weights[i].type, type)) return weights[i].w;
    return OTHER_WEIGHT;
}

static json_t *balance_model(void)
{
    json_t *w = json_object();
    for (size_t i = 0; i < sizeof weights / sizeof *weights; i++)
        json_object_set_new(w, weights[i].type, json_real(weights[i].w));
    return json_pack("{s:o, s:f, s:f, s:f, s:f, s:f}", "type_weights", w, "other_types",
                     OTHER_WEIGHT, "no_confidence", NO_CONFIDENCE, "corroborated", CORROBORATED,
                     "update", 0.5, "bookkeeping", 0.0);
}

/* One stored version, as much as the model needs of it. */
struct hold {
    char *id, *version, *origin;
    char *key;    /* what it says, for corroboration and novelty; NULL if nothing comparable */
    char **roots; /* its root sources */
    size_t nroots;
    int64_t seen; /* when this node first held it: ingest, or the received entry */
    int received; /* seen is from a received entry */
    double conf;  /* credibility factor */
    json_t *labels;
};

/* The released copy of an object as a partner got it. */
struct copy {
    double conf;
    json_t *labels;
};

struct bal {
    tl_node *n;
    const char *only; /* partner, NULL: all */
    struct hold *h;
    size_t nh, caph;
    json_t *by_idv;  /* "id version" -> index into h */
    json_t *by_id;   /* id -> index of its latest version */
    json_t *by_key;  /* key -> [indexes] */
    json_t *keeping; /* ids that are bookkeeping: sources, created_by_ref, the node identity */
    json_t *copies;  /* "partner id version" -> index into cp */
    struct copy *cp;
    size_t ncp, capcp;
    json_t *entries; /* the release and received entries: [{time, kind, party, payload}] */
    json_t *first;   /* "partner original" -> when it was first released to partner */
    json_t *gave;    /* "partner id" -> the version last released (per-partner id) */
    json_t *got;     /* "partner id" -> the version last received */
    tl_err rc;
    char err[256];
};

static void fail(struct bal *b, tl_err rc, const char *what)
{
    if (b->rc) return;
    b->rc = rc;
    snprintf(b->err, sizeof b->err, "balance: %s", what);
}

static char *dup(struct bal *b, const char *s)
{
    char *d = tl_strdup(s ? s : "");
    if (!d) fail(b, TL_ENOMEM, "out of memory");
    return d;
}

static void set_index(struct bal *b, json_t *map, const char *k, size_t i)
{
    if (json_object_set_new(map, k, json_integer((json_int_t)i)))
        fail(b, TL_ENOMEM, "out of memory");
}

static long get_index(const json_t *map, const char *k)
{
    const json_t *v = json_object_get(map, k);
    return v ? (long)json_integer_value(v) : -1;
}

/* The credibility factor of an object: confidence / 100, or NO_CONFIDENCE. */
static double credibility(const json_t *o)
{
    const json_t *c = json_object_get(o, "confidence");
    if (!json_is_integer(c)) return NO_CONFIDENCE;
    json_int_t v = json_integer_value(c);
    return v < 0 ? 0 : v > 100 ? 1 : (double)v / 100.0;
}

/*
 * What an object says, comparably across holders: an indicator by its
 * pattern (spaces collapsed), anything named by its type and NFKC-casefolded
 * name. NULL if neither.
 */
static char *content_key(struct bal *b, const char *type, const json_t *o)
{
    const char *s = NULL;
    int indicator = !strcmp(type, "indicator");
    if (indicator) s = json_string_value(json_object_get(o, "pattern"));
    if (!s) s = json_string_value(json_object_get(o, "name"));
    if (!s) return NULL;
    char *folded = NULL;
    if (indicator) {
        folded = tl_malloc(strlen(s) + 1);
        if (folded) {
            size_t k = 0;
            for (const char *p = s; *p; p++)
                if (!(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) folded[k++] = *p;
            folded[k] = '\0';
        }
    } else if (tl__text_fold(s, &folded) == TL_EINVAL) {
        return NULL;
    }
    if (!folded) {
        fail(b, TL_ENOMEM, "out of memory");
        return NULL;
    }
    size_t len = strlen(type) + 1 + strlen(folded) + 1;
    char *key = tl_malloc(len);
    if (key)
        snprintf(key, len, "%s|%s", type, folded);
    else
        fail(b, TL_ENOMEM, "out of memory");
    tl_free(folded);
    return key;
}

static void add_root(struct bal *b, struct hold *h, const char *prefix, const char *ref)
{
    size_t len = strlen(prefix) + strlen(ref) + 2;
    char **r = tl_realloc(h->roots, (h->nroots + 1) * sizeof *r);
    char *s = tl_malloc(len);
    if (!r || !s) {
        tl_free(s);
        if (r) h->roots = r;
        fail(b, TL_ENOMEM, "out of memory");
        return;
    }
    h->roots = r;
    snprintf(s, len, "%s%s%s", prefix, *prefix ? ":" : "", ref);
    h->roots[h->nroots++] = s;
}

static void keep_id(struct bal *b, const json_t *v)
{
    if (json_is_string(v) && json_object_set_new(b->keeping, json_string_value(v), json_true()))
        fail(b, TL_ENOMEM, "out of memory");
}

/*
 * The root sources of a holding: for our own, its provenance source and
 * originator (else "own": unknown, so it corroborates nothing of ours); for a
 * partner's, the pseudonymous source of its released provenance, prefixed by
 * the partner (else the partner itself).
 */
static void roots_of(struct bal *b, struct hold *h, const json_t *o)
{
    const json_t *ext = json_object_get(o, "extensions");
    if (!*h->origin) {
        const json_t *p = json_object_get(ext, TL_PROV_EXT_ID);
        const char *keys[] = {"source_ref", "originator"};
        for (size_t i = 0; i < 2; i++) {
            const json_t *v = json_object_get(p, keys[i]);
            keep_id(b, v);
            if (json_is_string(v)) add_root(b, h, "", json_string_value(v));
        }
        if (!h->nroots) add_root(b, h, "", "own");
        return;
    }
    const json_t *v = json_object_get(json_object_get(ext, TL_RELPROV_EXT_ID), "source_ref");
    keep_id(b, v);
    if (json_is_string(v))
        add_root(b, h, h->origin, json_string_value(v));
    else
        add_root(b, h, "", h->origin);
}

static int hold_record(const tl_record *r, void *ud)
{
    struct bal *b = ud;
    if (b->nh == b->caph) {
        size_t ncap = b->caph ? b->caph * 2 : 256;
        struct hold *nh = tl_realloc(b->h, ncap * sizeof *nh);
        if (!nh) {
            fail(b, TL_ENOMEM, "out of memory");
            return 1;
        }
        b->h = nh;
        b->caph = ncap;
    }
    json_t *o = NULL;
    if (tl__json_parse_stored(r->json, r->json_len, &o)) {
        char what[200];
        snprintf(what, sizeof what, "holding %s cannot be read", r->id);
        fail(b, TL_ESTORE, what);
        return 1;
    }
    struct hold *h = &b->h[b->nh];
    memset(h, 0, sizeof *h);
    b->nh++;
    h->id = dup(b, r->id);
    h->version = dup(b, r->version);
    h->origin = dup(b, r->origin);
    h->seen = r->added_us;
    h->conf = credibility(o);
    h->labels = json_incref(json_object_get(o, "labels"));
    keep_id(b, json_object_get(o, "created_by_ref"));
    if (h->id && h->version && h->origin) {
        h->key = content_key(b, r->type, o);
        roots_of(b, h, o);
        char k[ID_MAX + 80];
        snprintf(k, sizeof k, "%s %s", r->id, r->version);
        set_index(b, b->by_idv, k, b->nh - 1);
        set_index(b, b->by_id, r->id, b->nh - 1);
        if (h->key) {
            json_t *list = json_object_get(b->by_key, h->key);
            if (!list) {
                list = json_array();
                if (json_object_set_new(b->by_key, h->key, list)) list = NULL;
            }
            if (!list || json_array_append_new(list, json_integer((json_int_t)(b->nh - 1))))
                fail(b, TL_ENOMEM, "out of memory");
        }
    }
    json_decref(o);
    return b->rc != TL_OK;
}

/* Reads one released copy (copy_indexed has indexed it). */
static int copy_row(const char *id, const char *json, size_t json_len, struct bal *b)
{
    json_t *o = NULL;
    if (tl__json_parse_stored(json, json_len, &o)) {
        char what[200];
        snprintf(what, sizeof what, "released copy %s cannot be read", id);
        fail(b, TL_ESTORE, what);
        return 1;
    }
    if (b->ncp == b->capcp) {
        size_t ncap = b->capcp ? b->capcp * 2 : 256;
        struct copy *nc = tl_realloc(b->cp, ncap * sizeof *nc);
        if (!nc) {
            json_decref(o);
            fail(b, TL_ENOMEM, "out of memory");
            return 1;
        }
        b->cp = nc;
        b->capcp = ncap;
    }
    struct copy *c = &b->cp[b->ncp++];
    c->conf = credibility(o);
    c->labels = json_incref(json_object_get(o, "labels"));
    /* the partner's pseudonyms for our sources, and our identity as it got it */
    keep_id(b, json_object_get(json_object_get(json_object_get(o, "extensions"), TL_RELPROV_EXT_ID),
                               "source_ref"));
    keep_id(b, json_object_get(o, "created_by_ref"));
    json_decref(o);
    return b->rc != TL_OK;
}

/* Keeps the release and received entries, and when each partner object was first received. */
static int keep_entry(const tl_ledger_entry *e, void *ud)
{
    struct bal *b = ud;
    int rel = !strcmp(e->kind, TL_LEDGER_RELEASE), rec = !strcmp(e->kind, TL_LEDGER_RECEIVED);
    if ((!rel && !rec) || (b->only && strcmp(e->party, b->only) != 0)) return 0;
    json_t *p = NULL;
    if (tl__json_parse_stored(e->payload, e->payload_len, &p)) {
        char what[200];
        snprintf(what, sizeof what, "ledger entry %lld: its payload is not JSON",
                 (long long)e->seq);
        fail(b, TL_ESTORE, what);
        return 1;
    }
    json_t *x = json_pack("{s:I, s:s, s:s, s:o}", "time", (json_int_t)e->time, "kind", e->kind,
                          "party", e->party, "payload", p);
    if (!x || json_array_append_new(b->entries, x)) {
        fail(b, TL_ENOMEM, "out of memory");
        return 1;
    }
    if (!rec) return 0;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(p, "objects"), i, o)
    {
        char k[ID_MAX + 80];
        snprintf(k, sizeof k, "%s %s", json_string_value(json_array_get(o, 0)),
                 json_string_value(json_array_get(o, 1)));
        long hi = get_index(b->by_idv, k);
        /* a received object is known from its entry (stored a moment before, in its transaction) */
        if (hi >= 0 && (!b->h[hi].received || e->time < b->h[hi].seen)) {
            b->h[hi].seen = e->time;
            b->h[hi].received = 1;
        }
    }
    return 0;
}

static int disjoint(const struct hold *a, const struct hold *c)
{
    for (size_t i = 0; i < a->nroots; i++)
        for (size_t j = 0; j < c->nroots; j++)
            if (!strcmp(a->roots[i], c->roots[j])) return 0;
    return 1;
}

static int released_before(struct bal *b, const char *partner, const char *original, int64_t t)
{
    char k[ID_MAX + 80];
    snprintf(k, sizeof k, "%s %s", partner, original);
    const json_t *v = json_object_get(b->first, k);
    return v && json_integer_value(v) < t;
}

/*
 * Whether another holding says what h says from disjoint roots, not an
 * echo: not something partner sent after we gave h to it (given), not
 * something of ours we had already given partner (received).
 */
static int corroborated(struct bal *b, const struct hold *h, const char *partner, int given,
                        int64_t t)
{
    if (!h->key) return 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(b->by_key, h->key), i, v)
    {
        const struct hold *c = &b->h[json_integer_value(v)];
        if (!strcmp(c->id, h->id) || json_object_get(b->keeping, c->id) || !disjoint(h, c))
            continue;
        if (given && !strcmp(c->origin, partner) && c->seen >= t) continue;
        if (!given && !*c->origin && released_before(b, partner, c->id, t)) continue;
        return 1;
    }
    return 0;
}

/* Whether a holding saying what h says was held before t (by us, or from partner if given). */
static int known_before(struct bal *b, const struct hold *h, const char *partner, int64_t t)
{
    if (!h->key) return 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(b->by_key, h->key), i, v)
    {
        const struct hold *c = &b->h[json_integer_value(v)];
        if (strcmp(c->id, h->id) != 0 && c->seen < t && (!partner || !strcmp(c->origin, partner)))
            return 1;
    }
    return 0;
}

/* The bucket key of an entry's time by period unit. */
static void period_key(int64_t us, const char *unit, char out[16])
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    if (!strcmp(unit, "day")) {
        strftime(out, 16, "%Y-%m-%d", &tm);
    } else if (!strcmp(unit, "week")) {
        strftime(out, 16, "%G-W%V", &tm);
    } else if (!strcmp(unit, "year")) {
        strftime(out, 16, "%Y", &tm);
    } else {
        strftime(out, 16, "%Y-%m", &tm);
    }
}

struct acc {
    json_t *partners; /* code -> {"rows": {key -> row}, totals} */
    json_t *explain;  /* array, or NULL */
};

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

static void add_to(json_t *side, double value)
{
    json_object_set_new(side, "objects",
                        json_integer(json_integer_value(json_object_get(side, "objects")) + 1));
    json_object_set_new(side, "value",
                        json_real(json_real_value(json_object_get(side, "value")) + value));
}

static json_t *new_row(void)
{
    return json_pack("{s:{s:i, s:f}, s:{s:i, s:f}}", "given", "objects", 0, "value", 0.0,
                     "received", "objects", 0, "value", 0.0);
}

static void credit(struct bal *b, struct acc *a, const char *partner, const char *bucket, int given,
                   double value, int first)
{
    json_t *p = json_object_get(a->partners, partner);
    if (!p) {
        p = json_pack("{s:{}, s:o}", "rows", "total", new_row());
        if (!p || json_object_set_new(a->partners, partner, p)) {
            fail(b, TL_ENOMEM, "out of memory");
            return;
        }
    }
    json_t *rows = json_object_get(p, "rows"), *row = json_object_get(rows, bucket);
    if (!row) {
        row = new_row();
        if (!row || json_object_set_new(rows, bucket, row)) {
            fail(b, TL_ENOMEM, "out of memory");
            return;
        }
    }
    const char *side = given ? "given" : "received";
    add_to(json_object_get(row, side), value);
    /* the total counts each object once, whatever buckets it falls in */
    if (first) add_to(json_object_get(json_object_get(p, "total"), side), value);
}

/* Values one exchanged object and credits it to its buckets. */
static void value_object(struct bal *b, struct acc *a, const tl_balance_opts *opts, int given,
                         const char *partner, int64_t t, const json_t *obj)
{
    const char *id = json_string_value(json_array_get(obj, 0));
    const char *version = json_string_value(json_array_get(obj, 1));
    const char *original = given ? json_string_value(json_array_get(obj, 2)) : id;
    if (!id || !version || !original) return;
    char k[2 * ID_MAX + 80];
    const char *type_end = strstr(id, "--");
    char type[ID_MAX];
    snprintf(type, sizeof type, "%.*s", type_end ? (int)(type_end - id) : 0, id);

    /* the object as exchanged: credibility and topics */
    double conf = NO_CONFIDENCE;
    const json_t *labels = NULL;
    const struct hold *h = NULL;
    long hi;
    if (given) {
        snprintf(k, sizeof k, "%s %s %s", partner, id, version);
        long ci = get_index(b->copies, k);
        if (ci >= 0) {
            conf = b->cp[ci].conf;
            labels = b->cp[ci].labels;
        }
        snprintf(k, sizeof k, "%s %s", original, version);
        hi = get_index(b->by_idv, k);
        if (hi < 0) hi = get_index(b->by_id, original);
    } else {
        snprintf(k, sizeof k, "%s %s", id, version);
        hi = get_index(b->by_idv, k);
    }
    if (hi >= 0) {
        h = &b->h[hi];
        if (!given) {
            conf = h->conf;
            labels = h->labels;
        }
    }

    const char *why = "new";
    double w = type_weight(type), nov = 1, cor = 1;
    /* release.c names "(source pseudonym)" as the original of a pseudonym */
    if (json_object_get(b->keeping, original) || *original == '(') {
        w = 0;
        why = "bookkeeping";
    }
    if (given) {
        snprintf(k, sizeof k, "%s %s", partner, id);
        const char *before = json_string_value(json_object_get(b->gave, k));
        if (h && !strcmp(h->origin, partner)) {
            nov = 0;
            why = "theirs";
        } else if (h && known_before(b, h, partner, t)) {
            nov = 0;
            why = "they had it";
        } else if (before) {
            nov = strcmp(before, version) != 0 ? 0.5 : 0;
            why = nov > 0 ? "update" : "again";
        }
        json_object_set_new(b->gave, k, json_string(version));
        snprintf(k, sizeof k, "%s %s", partner, original);
        if (!json_object_get(b->first, k)) json_object_set_new(b->first, k, json_integer(t));
    } else {
        snprintf(k, sizeof k, "%s %s", partner, id);
        const char *before = json_string_value(json_object_get(b->got, k));
        if (before) {
            nov = strcmp(before, version) != 0 ? 0.5 : 0;
            why = nov > 0 ? "update" : "again";
        } else if (h && known_before(b, h, NULL, t)) {
            nov = 0;
            why = "we had it";
        }
        json_object_set_new(b->got, k, json_string(version));
    }
    if (h && w > 0 && nov > 0 && corroborated(b, h, partner, given, t)) cor = CORROBORATED;
    if (w == 0) why = "bookkeeping";
    double value = w * conf * nov * cor;

    char bucket[64];
    if (opts->by == TL_BALANCE_BY_TYPE) {
        credit(b, a, partner, type, given, value, 1);
    } else if (opts->by == TL_BALANCE_BY_TOPIC) {
        size_t i;
        json_t *l;
        int any = 0;
        json_array_foreach(labels, i, l)
        {
            /* a label the object repeats counts once */
            int again = 0;
            for (size_t j = 0; j < i && json_is_string(l) && !again; j++)
                again = json_equal(l, json_array_get(labels, j));
            if (!json_is_string(l) || again) continue;
            credit(b, a, partner, json_string_value(l), given, value, !any);
            any = 1;
        }
        if (!any) credit(b, a, partner, "(none)", given, value, 1);
    } else {
        period_key(t, opts->period ? opts->period : "month", bucket);
        credit(b, a, partner, bucket, given, value, 1);
    }
    if (a->explain) {
        char ts[32];
        tl_timestamp_format(t, ts);
        json_t *x =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:f}", "time", ts,
                      "partner", partner, "direction", given ? "given" : "received", "id", id,
                      "version", version, "type", type, "weight", w, "credibility", conf, "novelty",
                      nov, "corroboration", cor, "why", why, "value", round3(value));
        if (!x || json_array_append_new(a->explain, x)) fail(b, TL_ENOMEM, "out of memory");
    }
}

/* Sorted rows with rounded values and their net (received - given), cumulative over periods. */
static json_t *finish_partner(const char *code, json_t *p, int cumulative)
{
    json_t *rows = json_object_get(p, "rows"), *row;
    const char **keys = NULL;
    size_t nk = 0;
    json_t *out = json_array();
    if (!out || tl__json_sorted_keys(rows, &keys, &nk)) {
        json_decref(out);
        return NULL;
    }
    double run = 0;
    for (size_t i = 0; i < nk; i++) {
        row = json_object_get(rows, keys[i]);
        json_t *g = json_object_get(row, "given"), *r = json_object_get(row, "received");
        double gv = json_real_value(json_object_get(g, "value"));
        double rv = json_real_value(json_object_get(r, "value"));
        run += rv - gv;
        json_object_set_new(g, "value", json_real(round3(gv)));
        json_object_set_new(r, "value", json_real(round3(rv)));
        json_t *x = json_pack("{s:s, s:O, s:O, s:f}", "key", keys[i], "given", g, "received", r,
                              "net", round3(rv - gv));
        if (x && cumulative) json_object_set_new(x, "cumulative", json_real(round3(run)));
        json_array_append_new(out, x);
    }
    tl_free(keys);
    json_t *t = json_object_get(p, "total");
    json_t *g = json_object_get(t, "given"), *r = json_object_get(t, "received");
    double gv = json_real_value(json_object_get(g, "value"));
    double rv = json_real_value(json_object_get(r, "value"));
    json_object_set_new(g, "value", json_real(round3(gv)));
    json_object_set_new(r, "value", json_real(round3(rv)));
    return json_pack("{s:s, s:O, s:O, s:f, s:o}", "partner", code, "given", g, "received", r, "net",
                     round3(rv - gv), "rows", out);
}

static void bal_free(struct bal *b)
{
    for (size_t i = 0; i < b->nh; i++) {
        struct hold *h = &b->h[i];
        tl_free(h->id);
        tl_free(h->version);
        tl_free(h->origin);
        tl_free(h->key);
        for (size_t j = 0; j < h->nroots; j++)
            tl_free(h->roots[j]);
        tl_free(h->roots);
        json_decref(h->labels);
    }
    tl_free(b->h);
    for (size_t i = 0; i < b->ncp; i++)
        json_decref(b->cp[i].labels);
    tl_free(b->cp);
    json_decref(b->by_idv);
    json_decref(b->by_id);
    json_decref(b->by_key);
    json_decref(b->keeping);
    json_decref(b->copies);
    json_decref(b->entries);
    json_decref(b->first);
    json_decref(b->gave);
    json_decref(b->got);
}

struct copies_of {
    struct bal *b;
    const char *partner;
};

static int copy_indexed(int64_t added, const char *id, const char *version, const char *json,
                        size_t json_len, void *ud)
{
    struct copies_of *c = ud;
    char k[2 * ID_MAX + 80];
    snprintf(k, sizeof k, "%s %s %s", c->partner, id, version);
    set_index(c->b, c->b->copies, k, c->b->ncp);
    (void)added;
    return copy_row(id, json, json_len, c->b);
}

tl_err tl_node_ledger_balance(tl_node *n, const tl_balance_opts *opts, json_t **out)
{
    n->errmsg[0] = '\0';
    *out = NULL;
    const char *period = opts->period ? opts->period : "month";
    if (strcmp(period, "day") != 0 && strcmp(period, "week") != 0 && strcmp(period, "month") != 0 &&
        strcmp(period, "year") != 0) {
        tl__node_err(n, "balance: period '%s' is not day, week, month or year", period);
        return TL_EINVAL;
    }
    struct bal b;
    memset(&b, 0, sizeof b);
    b.n = n;
    b.only = opts->partner && *opts->partner ? opts->partner : NULL;
    b.by_idv = json_object();
    b.by_id = json_object();
    b.by_key = json_object();
    b.keeping = json_object();
    b.copies = json_object();
    b.entries = json_array();
    b.first = json_object();
    b.gave = json_object();
    b.got = json_object();
    struct acc a = {json_object(), opts->explain ? json_array() : NULL};
    if (!b.by_idv || !b.by_id || !b.by_key || !b.keeping || !b.copies || !b.entries || !b.first ||
        !b.gave || !b.got || !a.partners || (opts->explain && !a.explain))
        fail(&b, TL_ENOMEM, "out of memory");

    /* every held version, then the ledger, then each partner's released copies */
    tl_filter f = TL_FILTER_INIT;
    f.versions = TL_VERSIONS_ALL;
    char next[TL_CURSOR_MAX];
    tl_err rc = b.rc ? b.rc : tl_store_query(n->store, &f, NULL, hold_record, &b, next);
    if (rc && !b.rc) fail(&b, rc, tl_store_errmsg(n->store));
    if ((n->identity && json_object_set_new(b.keeping, n->identity, json_true())) ||
        json_object_set_new(b.keeping, TL_PROJECT_IDENTITY, json_true()))
        fail(&b, TL_ENOMEM, "out of memory");
    tl_ledger_filter lf = {NULL, NULL, 0, 1};
    if (!b.rc && (rc = tl_node_ledger_list(n, &lf, keep_entry, &b)) && !b.rc)
        fail(&b, rc, n->errmsg);
    json_t *parties = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(b.entries, i, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "kind")), TL_LEDGER_RELEASE))
            json_object_set_new(parties, json_string_value(json_object_get(e, "party")),
                                json_true());
    }
    const char *code;
    json_t *v;
    json_object_foreach(parties, code, v)
    {
        if (b.rc) break;
        struct copies_of c = {&b, code};
        tl_outbox_query q;
        memset(&q, 0, sizeof q);
        q.partner = code;
        q.after_added = -1;
        q.all = 1;
        q.want_json = 1;
        rc = tl_store_outbox_query(n->store, &q, copy_indexed, &c);
        if (rc && !b.rc) fail(&b, rc, tl_store_errmsg(n->store));
    }
    json_decref(parties);

    /* value every object, in ledger order */
    json_array_foreach(b.entries, i, e)
    {
        if (b.rc) break;
        int given = !strcmp(json_string_value(json_object_get(e, "kind")), TL_LEDGER_RELEASE);
        const char *partner = json_string_value(json_object_get(e, "party"));
        int64_t t = json_integer_value(json_object_get(e, "time"));
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(json_object_get(e, "payload"), "objects"), k, o)
        {
            value_object(&b, &a, opts, given, partner, t, o);
        }
    }

    json_t *list = json_array(), *all = json_object(), *keys = json_array();
    json_object_foreach(a.partners, code, v)
    {
        json_t *p = finish_partner(code, v, opts->by == TL_BALANCE_BY_PERIOD);
        if (!p || json_array_append_new(list, p)) fail(&b, TL_ENOMEM, "out of memory");
        if (json_object_update(all, json_object_get(v, "rows")))
            fail(&b, TL_ENOMEM, "out of memory");
    }
    /* every row key of any partner, in order: one axis for all of them */
    const char **sorted = NULL;
    size_t nk = 0;
    if (!b.rc && tl__json_sorted_keys(all, &sorted, &nk)) fail(&b, TL_ENOMEM, "out of memory");
    for (size_t k = 0; k < nk && !b.rc; k++)
        if (json_array_append_new(keys, json_string(sorted[k])))
            fail(&b, TL_ENOMEM, "out of memory");
    tl_free(sorted);
    json_decref(all);
    static const char *const by[] = {"period", "topic", "type"};
    if (!b.rc) {
        *out = json_pack("{s:s, s:s, s:o, s:o, s:o}", "by", by[opts->by], "period", period, "model",
                         balance_model(), "keys", keys, "partners", list);
        if (*out && a.explain) json_object_set(*out, "objects", a.explain);
        if (!*out) fail(&b, TL_ENOMEM, "out of memory");
    } else {
        json_decref(list);
        json_decref(keys);
    }
    json_decref(a.partners);
    json_decref(a.explain);
    rc = b.rc;
    if (rc) tl__node_err(n, "%s", b.err);
    bal_free(&b);
    return rc;
}
