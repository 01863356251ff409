/*
 * ach.c: Analysis of Competing Hypotheses (ach.h, docs/ach.md).
 *
 * The assessment lives in one STIX object; every change reads its latest
 * version and stores the next (ingest, one transaction). Scores are
 * computed when shown: weighted inconsistency (Heuer), a likelihood
 * ranking (summed log-likelihoods, tempered by each item's weight), the
 * diagnosticity of each item, and sensitivity (the items whose removal
 * changes a ranking). A partner's holding weighs what its partner's record
 * earns (fusion); an item that only echoes another item's material weighs
 * nothing.
 */
#include "tearline/ach.h"

#include "fusion_int.h"
#include "jcs.h"
#include "node_int.h"
#include "ts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char ext_definition[] =
    "{\"created\":\"2026-11-27T00:00:00.000Z\","
    "\"created_by_ref\":\"identity--03bc4250-2adb-4c3e-9890-6c70709b8823\","
    "\"description\":\"An Analysis of Competing Hypotheses: the question (name), hypotheses, "
    "evidence items (an object_ref or a note, with credibility and relevance) and ratings (Heuer's "
    "CC, C, N, I, II, NA, with an optional likelihood).\","
    "\"extension_types\":[\"new-sdo\"],"
    "\"id\":\"" TL_ACH_EXT_ID "\","
    "\"modified\":\"2026-11-27T00:00:00.000Z\","
    "\"name\":\"tearline ACH assessment\","
    "\"schema\":\"https://tearline.invalid/docs/ach.md\","
    "\"spec_version\":\"2.1\","
    "\"type\":\"extension-definition\","
    "\"version\":\"1.0.0\"}";

const char *tl_ach_extension_definition(void)
{
    return ext_definition;
}

static const char *const ratings[] = {"CC", "C", "N", "I", "II", "NA", NULL};
/* P(evidence | hypothesis) a rating stands for when no likelihood is given */
static const double rating_likelihood[] = {0.9, 0.7, 0.5, 0.3, 0.1, 0.5};
static const int rating_points[] = {0, 0, 0, 1, 2, 0};

static int level_of(const char *s, double *w)
{
    if (!s || !strcmp(s, "medium")) {
        *w = 1;
        return 0;
    }
    if (!strcmp(s, "high")) {
        *w = 2;
        return 0;
    }
    if (!strcmp(s, "low")) {
        *w = 0.5;
        return 0;
    }
    return -1;
}

static int rating_index(const char *r)
{
    for (int i = 0; r && ratings[i]; i++)
        if (!strcmp(r, ratings[i])) return i;
    return -1;
}

struct get_ud {
    json_t *o;
    char origin[40];
    int revoked;
};

static int get_cb(const tl_record *rec, void *ud)
{
    struct get_ud *g = ud;
    if (tl__json_parse_stored(rec->json, rec->json_len, &g->o)) g->o = NULL;
    snprintf(g->origin, sizeof g->origin, "%s", rec->origin);
    g->revoked = rec->revoked;
    return 1;
}

/* The latest version of assessment id (*out, OUT). */
/* The latest version of assessment id (*out, OUT); to change, it must be our own. */
static tl_err load_as(tl_node *n, const char *id, int to_change, json_t **out)
{
    *out = NULL;
    struct get_ud g = {NULL, "", 0};
    tl_err rc = id ? tl_node_get(n, id, NULL, get_cb, &g) : TL_ENOTFOUND;
    if (rc == TL_ENOTFOUND ||
        (!rc && (!g.o || g.revoked ||
                 strcmp(tl__json_str(json_object_get(g.o, "type"), ""), TL_ACH_TYPE) != 0))) {
        json_decref(g.o);
        tl__node_err(n, "no assessment '%s' is held (tearline ach list)", id ? id : "");
        return TL_ENOTFOUND;
    }
    if (rc) return rc;
    if (to_change && g.origin[0]) {
        tl__node_err(n, "%s is %s's assessment, received from it: it is not ours to change", id,
                     g.origin);
        json_decref(g.o);
        return TL_EINVAL;
    }
    /* a partner's copy may lack the lists: they are taken as empty */
    static const char *const lists[] = {"hypotheses", "evidence", "ratings"};
    for (int i = 0; i < 3; i++)
        if (!json_is_array(json_object_get(g.o, lists[i])))
            json_object_set_new(g.o, lists[i], json_array());
    *out = g.o;
    return TL_OK;
}

static tl_err load(tl_node *n, const char *id, json_t **out)
{
    return load_as(n, id, 1, out);
}

/* Stores o as the next version (modified strictly later than the last). */
static tl_err save(tl_node *n, json_t *o)
{
    int64_t now = tl__now_us(), prev = 0;
    const char *m = json_string_value(json_object_get(o, "modified"));
    if (m) tl__ts_parse(m, strlen(m), NULL, &prev, NULL);
    int64_t t = now / 1000 * 1000;
    if (t <= prev) t = prev / 1000 * 1000 + 1000;
    char ts[32];
    tl__ts_format_ms(t, ts);
    json_object_set_new(o, "modified", json_string(ts));
    tl_ingest_opts opts;
    memset(&opts, 0, sizeof opts);
    tl_ingest_stats st;
    return tl__node_ingest_parsed(n, &o, 1, "assessment", &opts, &st);
}

tl_err tl_node_ach_new(tl_node *n, const char *title, const char *const *labels, size_t nlabels,
                       char id_out[80])
{
    n->errmsg[0] = '\0';
    if (!title || !*title || strlen(title) > TL_ACH_TEXT_MAX) {
        tl__node_err(n, "an assessment needs a title of 1 to %d bytes", TL_ACH_TEXT_MAX);
        return TL_EINVAL;
    }
    char uuid[37], ts[32];
    tl__uuid4(uuid);
    snprintf(id_out, 80, TL_ACH_TYPE "--%s", uuid);
    tl__ts_format_ms(tl__now_us() / 1000 * 1000, ts);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:[], s:[], s:{s:{s:s}}}", "type",
                  TL_ACH_TYPE, "spec_version", "2.1", "id", id_out, "created", ts, "modified", ts,
                  "created_by_ref", tl_node_identity(n), "name", title, "hypotheses", "evidence",
                  "ratings", "extensions", TL_ACH_EXT_ID, "extension_type", "new-sdo");
    if (!o) return TL_ENOMEM;
    if (nlabels) {
        json_t *l = json_array();
        for (size_t i = 0; i < nlabels; i++)
            json_array_append_new(l, json_string(labels[i]));
        json_object_set_new(o, "labels", l);
    }
    tl_ingest_opts opts;
    memset(&opts, 0, sizeof opts);
    tl_ingest_stats st;
    tl_err rc = tl__node_ingest_parsed(n, &o, 1, "assessment", &opts, &st);
    json_decref(o);
    return rc;
}

struct latest_ud {
    char id[80], modified[64];
};

static int latest_cb(const tl_record *rec, void *ud)
{
    struct latest_ud *l = ud;
    if (rec->revoked || rec->origin[0]) return 0; /* our own: a partner's is not ours to change */
    if (strcmp(rec->version, l->modified) >= 0) {
        snprintf(l->id, sizeof l->id, "%s", rec->id);
        snprintf(l->modified, sizeof l->modified, "%s", rec->version);
    }
    return 0;
}

tl_err tl_node_ach_latest(tl_node *n, char id_out[80])
{
    n->errmsg[0] = '\0';
    struct latest_ud l = {"", ""};
    tl_filter f = TL_FILTER_INIT;
    f.types[f.ntypes++] = TL_ACH_TYPE;
    f.no_json = 1;
    char next[TL_CURSOR_MAX];
    tl_err rc = tl_node_query(n, &f, NULL, latest_cb, &l, next);
    if (rc) return rc;
    if (!l.id[0]) {
        tl__node_err(n, "no assessment is held: start one with tearline ach new TITLE");
        return TL_ENOTFOUND;
    }
    snprintf(id_out, 80, "%s", l.id);
    return TL_OK;
}

/* The next id with prefix ("H", "E") in list (the largest number used, plus one). */
static void next_id(const json_t *list, char prefix, char out[16])
{
    long top = 0;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && id[0] == prefix && strlen(id) < 12) {
            long k = strtol(id + 1, NULL, 10);
            if (k > top) top = k;
        }
    }
    snprintf(out, 16, "%c%ld", prefix, top + 1);
}

static const json_t *find_item(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i,
                       v) if (!strcmp(json_string_value(json_object_get(v, "id")), id)) return v;
    return NULL;
}

/*
 * Appends item (taken) to the list of assessment ach, with the next id of
 * prefix (into id, OUT), and stores the new version.
 */
static tl_err add_item(tl_node *n, const char *ach, const char *list_key, const char *what,
                       char prefix, json_t *item, char id[16])
{
    if (!item) {
        tl__node_err(n, "out of memory");
        return TL_ENOMEM;
    }
    json_t *o;
    tl_err rc = load(n, ach, &o);
    if (rc) {
        json_decref(item);
        return rc;
    }
    json_t *list = json_object_get(o, list_key);
    if (json_array_size(list) >= TL_ACH_MAX_ITEMS) {
        tl__node_err(n, "%s already has %d %s", ach, TL_ACH_MAX_ITEMS, what);
        json_decref(item);
        json_decref(o);
        return TL_ELIMIT;
    }
    next_id(list, prefix, id);
    json_object_set_new(item, "id", json_string(id));
    json_array_append_new(list, item);
    rc = save(n, o);
    json_decref(o);
    return rc;
}

tl_err tl_node_ach_hypothesis(tl_node *n, const char *ach, const char *text, char hid[16])
{
    n->errmsg[0] = '\0';
    if (!text || !*text || strlen(text) > TL_ACH_TEXT_MAX) {
        tl__node_err(n, "a hypothesis needs a text of 1 to %d bytes", TL_ACH_TEXT_MAX);
        return TL_EINVAL;
    }
    return add_item(n, ach, "hypotheses", "hypotheses", 'H', json_pack("{s:s}", "text", text), hid);
}

tl_err tl_node_ach_evidence(tl_node *n, const char *ach, const char *object_id, const char *note,
                            const char *credibility, const char *relevance, char eid[16])
{
    n->errmsg[0] = '\0';
    double w;
    if (!object_id == !note) {
        tl__node_err(n, "an evidence item is a held object or a note, one of the two");
        return TL_EINVAL;
    }
    if (note && (!*note || strlen(note) > TL_ACH_TEXT_MAX)) {
        tl__node_err(n, "a note needs a text of 1 to %d bytes", TL_ACH_TEXT_MAX);
        return TL_EINVAL;
    }
    if (level_of(credibility, &w) || level_of(relevance, &w)) {
        tl__node_err(n, "credibility and relevance are high, medium or low, not '%s'",
                     level_of(credibility, &w) ? credibility : relevance);
        return TL_EINVAL;
    }
    if (object_id) {
        struct get_ud g = {NULL, "", 0};
        tl_err rc = tl_node_get(n, object_id, NULL, get_cb, &g);
        json_decref(g.o);
        if (rc == TL_ENOTFOUND || rc == TL_EINVAL) {
            tl__node_err(n, "%s is not held by this node", object_id);
            return TL_ENOTFOUND;
        }
        if (rc) return rc;
    }
    json_t *e = json_pack("{s:s, s:s, s:s}", "credibility", credibility ? credibility : "medium",
                          "relevance", relevance ? relevance : "medium",
                          object_id ? "object_ref" : "note", object_id ? object_id : note);
    return add_item(n, ach, "evidence", "evidence items", 'E', e, eid);
}

tl_err tl_node_ach_rate(tl_node *n, const char *ach, const char *h, const char *e,
                        const char *rating, double likelihood)
{
    n->errmsg[0] = '\0';
    if (rating_index(rating) < 0) {
        tl__node_err(n, "a rating is CC, C, N, I, II or NA, not '%s'", rating ? rating : "");
        return TL_EINVAL;
    }
    if (likelihood > 1 || isnan(likelihood)) {
        tl__node_err(n, "a likelihood is a probability from 0 to 1");
        return TL_EINVAL;
    }
    json_t *o;
    tl_err rc = load(n, ach, &o);
    if (rc) return rc;
    if (!find_item(json_object_get(o, "hypotheses"), h) ||
        !find_item(json_object_get(o, "evidence"), e)) {
        tl__node_err(n, "%s has no %s '%s'", ach,
                     find_item(json_object_get(o, "hypotheses"), h) ? "evidence item"
                                                                    : "hypothesis",
                     find_item(json_object_get(o, "hypotheses"), h) ? e : h);
        json_decref(o);
        return TL_ENOTFOUND;
    }
    json_t *cells = json_object_get(o, "ratings");
    size_t i;
    json_t *c;
    json_array_foreach(cells, i, c)
    {
        if (!strcmp(tl__json_str(json_object_get(c, "hypothesis"), ""), h) &&
            !strcmp(tl__json_str(json_object_get(c, "evidence"), ""), e)) {
            json_array_remove(cells, i);
            break;
        }
    }
    c = json_pack("{s:s, s:s, s:s}", "hypothesis", h, "evidence", e, "rating", rating);
    if (likelihood >= 0) json_object_set_new(c, "likelihood", json_real(likelihood));
    json_array_append_new(cells, c);
    rc = save(n, o);
    json_decref(o);
    return rc;
}

/* ---- scores ---- */

struct item {
    const char *id, *ref;
    double weight, trust;
    char origin[40];              /* "" ours, else the partner's code */
    const char *echo_of;          /* the original it echoes (fusion), or NULL */
    const char *echo_of_evidence; /* the item it repeats, which counts instead */
};

struct matrix {
    size_t nh, ne;
    int *rating;  /* [h * ne + e]: index into ratings, -1 unrated */
    double *like; /* [h * ne + e]: given likelihood, or -1 */
    struct item *e;
};

static double inconsistency(const struct matrix *m, size_t h, size_t skip)
{
    double s = 0;
    for (size_t e = 0; e < m->ne; e++) {
        int r = m->rating[h * m->ne + e];
        if (e != skip && r >= 0) s += rating_points[r] * m->e[e].weight;
    }
    return s;
}

static double log_likelihood(const struct matrix *m, size_t h, size_t skip)
{
    double s = 0;
    for (size_t e = 0; e < m->ne; e++) {
        if (e == skip || m->e[e].weight <= 0) continue;
        int r = m->rating[h * m->ne + e];
        double l = m->like[h * m->ne + e];
        if (l < 0) l = r >= 0 ? rating_likelihood[r] : 0.5;
        if (l < 1e-6) l = 1e-6; /* an impossible cell rules out, but leaves a finite score */
        s += m->e[e].weight / 2 * log(l);
    }
    return s;
}

/* The hypothesis a score ranks first: the least inconsistent (sign -1) or the most likely (+1). */
static size_t top(const struct matrix *m, int likely, size_t skip)
{
    size_t best = 0;
    double bv = 0;
    for (size_t h = 0; h < m->nh; h++) {
        double v = likely ? log_likelihood(m, h, skip) : -inconsistency(m, h, skip);
        if (h == 0 || v > bv + 1e-12) {
            best = h;
            bv = v;
        }
    }
    return best;
}

static double r4(double x)
{
    return round(x * 1e4) / 1e4;
}

/* Do holdings a and b make a claim of one (subject, predicate, object) group? */
static int same_claim(const struct picture *p, int have_picture, const char *a, const char *b)
{
    for (size_t x = 0; have_picture && x < p->nc; x++) {
        if (strcmp(p->c[x].holding, a) != 0) continue;
        for (size_t y = 0; y < p->nc; y++)
            if (p->c[y].group == p->c[x].group && !strcmp(p->c[y].holding, b)) return 1;
    }
    return 0;
}

/* Fills the items' weights: credibility x relevance, a partner's trust, echoes. */
static void weigh(tl_node *n, struct picture *p, int have_picture, const json_t *ev,
                  struct item *items, size_t ne)
{
    for (size_t k = 0; k < ne; k++) {
        const json_t *e = json_array_get(ev, k);
        struct item *it = &items[k];
        double cw = 1, rw = 1; /* medium, for a value off the scale in a partner's copy */
        level_of(json_string_value(json_object_get(e, "credibility")), &cw);
        level_of(json_string_value(json_object_get(e, "relevance")), &rw);
        it->id = tl__json_str(json_object_get(e, "id"), "");
        it->ref = json_string_value(json_object_get(e, "object_ref"));
        it->weight = cw * rw;
        it->trust = 1;
        if (!it->ref) continue;
        struct get_ud g = {NULL, "", 0};
        if (!tl_node_get(n, it->ref, NULL, get_cb, &g) && g.origin[0]) {
            /* a partner's record sets its trust; with none yet (nothing fused), 0.5 */
            snprintf(it->origin, sizeof it->origin, "%s", g.origin);
            it->trust = 0.5;
            for (size_t q = 0; have_picture && q < p->np; q++)
                if (!strcmp(p->p[q].code, g.origin))
                    it->trust = tl_opinion_projected(tl_reputation_opinion(p->p[q].all, 0.5));
        }
        json_decref(g.o);
        for (size_t c = 0; have_picture && c < p->nc && !it->echo_of; c++)
            if (p->c[c].echo_of && !strcmp(p->c[c].holding, it->ref)) it->echo_of = p->c[c].echo_of;
        size_t ci;
        json_t *ct;
        json_array_foreach(have_picture ? p->containers : NULL, ci, ct)
        {
            if (!it->echo_of && !strcmp(tl__json_str(json_object_get(ct, "holding"), ""), it->ref))
                it->echo_of = json_string_value(json_object_get(ct, "echo_of"));
        }
        it->weight *= it->trust;
    }
    /*
     * An echo of material another item already carries counts once: the
     * other item is what it echoes, echoes the same, or makes the same claim.
     */
    for (size_t k = 0; k < ne; k++) {
        struct item *it = &items[k];
        if (!it->echo_of) continue;
        for (size_t j = 0; j < ne && !it->echo_of_evidence; j++) {
            if (j == k || !items[j].ref || (items[j].echo_of && j > k)) continue;
            int same = !strcmp(items[j].ref, it->echo_of) ||
                       (items[j].echo_of && !strcmp(items[j].echo_of, it->echo_of)) ||
                       same_claim(p, have_picture, it->ref, items[j].ref);
            if (same) it->echo_of_evidence = items[j].id;
        }
        if (it->echo_of_evidence) it->weight = 0;
    }
}

tl_err tl_node_ach_show(tl_node *n, const char *ach, json_t **out)
{
    *out = NULL;
    n->errmsg[0] = '\0';
    json_t *o;
    tl_err rc = load_as(n, ach, 0, &o);
    if (rc) return rc;
    const json_t *hs = json_object_get(o, "hypotheses"), *ev = json_object_get(o, "evidence");
    struct matrix m = {json_array_size(hs), json_array_size(ev), NULL, NULL, NULL};
    m.rating = tl_malloc((m.nh * m.ne + 1) * sizeof *m.rating);
    m.like = tl_malloc((m.nh * m.ne + 1) * sizeof *m.like);
    m.e = tl_calloc(m.ne + 1, sizeof *m.e);
    struct picture p;
    int have_picture = tl__picture_build(n, &p) == TL_OK;
    n->errmsg[0] = '\0';
    json_t *res = NULL;
    rc = TL_ENOMEM;
    if (!m.rating || !m.like || !m.e) goto out;
    for (size_t i = 0; i < m.nh * m.ne; i++) {
        m.rating[i] = -1;
        m.like[i] = -1;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(o, "ratings"), i, c)
    {
        size_t h = 0, e = 0;
        const char *hid = json_string_value(json_object_get(c, "hypothesis"));
        const char *eid = json_string_value(json_object_get(c, "evidence"));
        while (h < m.nh && strcmp(tl__json_str(json_object_get(json_array_get(hs, h), "id"), ""),
                                  hid ? hid : "") != 0)
            h++;
        while (e < m.ne && strcmp(tl__json_str(json_object_get(json_array_get(ev, e), "id"), ""),
                                  eid ? eid : "") != 0)
            e++;
        int r = rating_index(json_string_value(json_object_get(c, "rating")));
        if (h == m.nh || e == m.ne || r < 0) continue; /* a partner's copy may lack a row */
        m.rating[h * m.ne + e] = r;
        const json_t *l = json_object_get(c, "likelihood");
        if (json_is_number(l) && json_number_value(l) >= 0 && json_number_value(l) <= 1)
            m.like[h * m.ne + e] = json_number_value(l);
    }
    weigh(n, &p, have_picture, ev, m.e, m.ne);
    size_t least = m.nh ? top(&m, 0, (size_t)-1) : 0, likely = m.nh ? top(&m, 1, (size_t)-1) : 0;
    /* posteriors from uniform priors: the likelihood ranking as probabilities */
    double mx = -INFINITY, z = 0;
    for (size_t h = 0; h < m.nh; h++)
        mx = fmax(mx, log_likelihood(&m, h, (size_t)-1));
    for (size_t h = 0; h < m.nh; h++)
        z += exp(log_likelihood(&m, h, (size_t)-1) - mx);
    res = json_pack("{s:s, s:s, s:s, s:[], s:[], s:[], s:[]}", "id", ach, "title",
                    tl__json_str(json_object_get(o, "name"), ""), "modified",
                    tl__json_str(json_object_get(o, "modified"), ""), "hypotheses", "evidence",
                    "cells", "sensitivity");
    if (!res) goto out;
    for (size_t h = 0; h < m.nh; h++) {
        const json_t *hj = json_array_get(hs, h);
        double inc = inconsistency(&m, h, (size_t)-1), ll = log_likelihood(&m, h, (size_t)-1);
        size_t rank_i = 1, rank_l = 1;
        for (size_t k = 0; k < m.nh; k++) {
            rank_i += inconsistency(&m, k, (size_t)-1) < inc - 1e-12;
            rank_l += log_likelihood(&m, k, (size_t)-1) > ll + 1e-12;
        }
        json_array_append_new(
            json_object_get(res, "hypotheses"),
            json_pack("{s:s, s:s, s:f, s:I, s:f, s:f, s:I}", "id",
                      tl__json_str(json_object_get(hj, "id"), ""), "text",
                      tl__json_str(json_object_get(hj, "text"), ""), "inconsistency", r4(inc),
                      "rank_inconsistency", (json_int_t)rank_i, "log_likelihood", r4(ll),
                      "posterior", r4(exp(ll - mx) / z), "rank_likelihood", (json_int_t)rank_l));
    }
    for (size_t e = 0; e < m.ne; e++) {
        const json_t *ej = json_array_get(ev, e);
        int lo = 2, hi = 0, any = 0;
        for (size_t h = 0; h < m.nh; h++) {
            int r = m.rating[h * m.ne + e];
            if (r < 0 || !strcmp(ratings[r], "NA")) continue;
            any = 1;
            lo = rating_points[r] < lo ? rating_points[r] : lo;
            hi = rating_points[r] > hi ? rating_points[r] : hi;
        }
        json_t *x = json_pack(
            "{s:s, s:s, s:s, s:f, s:f, s:I}", "id", tl__json_str(json_object_get(ej, "id"), ""),
            "credibility", tl__json_str(json_object_get(ej, "credibility"), ""), "relevance",
            tl__json_str(json_object_get(ej, "relevance"), ""), "weight", r4(m.e[e].weight),
            "trust", r4(m.e[e].trust), "diagnosticity", (json_int_t)(any ? hi - lo : 0));
        if (!x) goto out;
        if (json_object_get(ej, "object_ref"))
            json_object_set(x, "object_ref", json_object_get(ej, "object_ref"));
        if (json_object_get(ej, "note")) json_object_set(x, "note", json_object_get(ej, "note"));
        if (m.e[e].origin[0]) json_object_set_new(x, "origin", json_string(m.e[e].origin));
        if (m.e[e].echo_of) json_object_set_new(x, "echo_of", json_string(m.e[e].echo_of));
        if (m.e[e].echo_of_evidence)
            json_object_set_new(x, "counted_in", json_string(m.e[e].echo_of_evidence));
        json_array_append_new(json_object_get(res, "evidence"), x);
        /* sensitivity: would the ranking change without this item? */
        if (m.nh > 1 && m.e[e].weight > 0) {
            size_t li = top(&m, 0, e), ll = top(&m, 1, e);
            json_t *changes = json_array();
            if (li != least) json_array_append_new(changes, json_string("inconsistency"));
            if (ll != likely) json_array_append_new(changes, json_string("likelihood"));
            if (json_array_size(changes))
                json_array_append_new(
                    json_object_get(res, "sensitivity"),
                    json_pack("{s:s, s:o, s:s, s:s}", "evidence",
                              tl__json_str(json_object_get(ej, "id"), ""), "changes", changes,
                              "least_inconsistent_without",
                              tl__json_str(json_object_get(json_array_get(hs, li), "id"), ""),
                              "most_likely_without",
                              tl__json_str(json_object_get(json_array_get(hs, ll), "id"), "")));
            else
                json_decref(changes);
        }
    }
    json_array_foreach(json_object_get(o, "ratings"), i, c)
    {
        if (json_is_object(c)) json_array_append(json_object_get(res, "cells"), c);
    }
    if (m.nh) {
        json_object_set_new(
            res, "least_inconsistent",
            json_string(tl__json_str(json_object_get(json_array_get(hs, least), "id"), "")));
        json_object_set_new(
            res, "most_likely",
            json_string(tl__json_str(json_object_get(json_array_get(hs, likely), "id"), "")));
    }
    *out = res;
    res = NULL;
    rc = TL_OK;
out:
    if (rc == TL_ENOMEM) tl__node_err(n, "out of memory");
    json_decref(res);
    json_decref(o);
    tl_free(m.rating);
    tl_free(m.like);
    tl_free(m.e);
    if (have_picture) tl__picture_free(&p);
    return rc;
}

static int list_cb(const tl_record *rec, void *ud)
{
    json_t *o = NULL;
    if (rec->revoked || tl__json_parse_stored(rec->json, rec->json_len, &o)) return 0;
    json_array_append_new(
        ud, json_pack("{s:s, s:s, s:s, s:I, s:I}", "id", rec->id, "title",
                      tl__json_str(json_object_get(o, "name"), ""), "modified",
                      tl__json_str(json_object_get(o, "modified"), ""), "hypotheses",
                      (json_int_t)json_array_size(json_object_get(o, "hypotheses")), "evidence",
                      (json_int_t)json_array_size(json_object_get(o, "evidence"))));
    json_decref(o);
    return 0;
}

tl_err tl_node_ach_list(tl_node *n, json_t **out)
{
    n->errmsg[0] = '\0';
    *out = json_array();
    if (!*out) return TL_ENOMEM;
    tl_filter f = TL_FILTER_INIT;
    f.types[f.ntypes++] = TL_ACH_TYPE;
    char next[TL_CURSOR_MAX];
    tl_err rc = tl_node_query(n, &f, NULL, list_cb, *out, next);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
