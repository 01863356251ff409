/*
 * watch.c: watchlist rules and alerts (watch.h, docs/watch.md).
 *
 * A rule is checked strictly when added (every key known, every value of
 * its type), stored with the date_added of the newest claim it has seen,
 * and evaluated against the fused picture (fusion_int.h): only entities
 * that new claims are about are looked at, so each run costs what is new.
 */
#define _GNU_SOURCE /* qsort_r */
#include "tearline/watch.h"

#include "fusion_int.h"
#include "jcs.h"
#include "node_int.h"
#include "text.h"
#include "ts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLAUSES_MAX 16
#define LIST_MAX 64
#define NAME_MAX_LEN 100
#define EVIDENCE_MAX 8 /* claims kept for one clause of an alert (the first, by holding id) */

/* ---- the rule format ---- */

static int fail(tl_node *n, const char *file, const char *path, const char *what)
{
    tl__node_err(n, "%s: %s%s%s", file, path, *path ? ": " : "", what);
    return -1;
}

static int only_keys(tl_node *n, const char *file, const char *path, const json_t *o,
                     const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(tl__json_mut(o), k, v)
    {
        int known = 0;
        for (const char *const *x = keys; *x; x++)
            known |= !strcmp(k, *x);
        if (!known) {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown property '%.60s'", k);
            return fail(n, file, path, msg);
        }
    }
    return 0;
}

static int string_list(tl_node *n, const char *file, const char *path, const json_t *v, int need)
{
    if (!v) return need ? fail(n, file, path, "is required: a list of strings") : 0;
    if (!json_is_array(v) || json_array_size(v) > LIST_MAX || (need && !json_array_size(v)))
        return fail(n, file, path,
                    need ? "must be a list of 1 to 64 strings"
                         : "must be a list of at most 64 strings");
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x) || !json_string_length(x) ||
                                    json_string_length(x) > 200) return fail(n, file, path,
                                                                             "must hold strings "
                                                                             "of 1 to 200 bytes");
    return 0;
}

static int check_clause(tl_node *n, const char *file, const char *path, const json_t *c)
{
    static const char *const keys[] = {"predicate", "object", "min_belief", "origin", NULL};
    static const char *const okeys[] = {"country_any", "name_any", "labels_any", NULL};
    char sub[96];
    if (!json_is_object(c)) return fail(n, file, path, "must be an object");
    if (only_keys(n, file, path, c, keys)) return -1;
    snprintf(sub, sizeof sub, "%s.predicate", path);
    if (string_list(n, file, sub, json_object_get(c, "predicate"), 1)) return -1;
    const json_t *o = json_object_get(c, "object");
    if (o) {
        snprintf(sub, sizeof sub, "%s.object", path);
        if (!json_is_object(o)) return fail(n, file, sub, "must be an object");
        if (only_keys(n, file, sub, o, okeys)) return -1;
        for (const char *const *k = okeys; *k; k++) {
            snprintf(sub, sizeof sub, "%s.object.%s", path, *k);
            if (string_list(n, file, sub, json_object_get(o, *k), 0)) return -1;
        }
    }
    const json_t *b = json_object_get(c, "min_belief");
    if (b && (!json_is_number(b) || json_number_value(b) < 0 || json_number_value(b) > 1)) {
        snprintf(sub, sizeof sub, "%s.min_belief", path);
        return fail(n, file, sub, "must be a number from 0 to 1");
    }
    const char *org = json_string_value(json_object_get(c, "origin"));
    if (json_object_get(c, "origin") &&
        (!org ||
         (strcmp(org, "own") != 0 && strcmp(org, "partner") != 0 && strcmp(org, "any") != 0))) {
        snprintf(sub, sizeof sub, "%s.origin", path);
        return fail(n, file, sub, "must be own, partner or any");
    }
    return 0;
}

static int check_rule(tl_node *n, const char *file, const json_t *r)
{
    static const char *const keys[] = {"name", "description", "subject", "all",
                                       "none", "new",         NULL};
    static const char *const skeys[] = {"kind", "labels_any", NULL};
    if (!json_is_object(r)) return fail(n, file, "", "a rule is a JSON object");
    if (only_keys(n, file, "", r, keys)) return -1;
    const char *name = json_string_value(json_object_get(r, "name"));
    if (!name || !*name || strlen(name) > NAME_MAX_LEN)
        return fail(n, file, "name", "is required: a string of 1 to 100 bytes");
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20)
            return fail(n, file, "name", "must not hold control characters");
    const json_t *d = json_object_get(r, "description");
    if (d && !json_is_string(d)) return fail(n, file, "description", "must be a string");
    const json_t *s = json_object_get(r, "subject");
    if (s) {
        if (!json_is_object(s)) return fail(n, file, "subject", "must be an object");
        if (only_keys(n, file, "subject", s, skeys)) return -1;
        const char *kind = json_string_value(json_object_get(s, "kind"));
        if (json_object_get(s, "kind") &&
            (!kind || (strcmp(kind, "person") != 0 && strcmp(kind, "group") != 0 &&
                       strcmp(kind, "any") != 0)))
            return fail(n, file, "subject.kind", "must be person, group or any");
        if (string_list(n, file, "subject.labels_any", json_object_get(s, "labels_any"), 0))
            return -1;
    }
    static const char *const lists[] = {"all", "none", "new"};
    for (int l = 0; l < 3; l++) {
        const json_t *v = json_object_get(r, lists[l]);
        if (!v) continue;
        if (!json_is_array(v) || json_array_size(v) > CLAUSES_MAX)
            return fail(n, file, lists[l], "must be a list of at most 16 clauses");
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            char path[32];
            snprintf(path, sizeof path, "%s[%zu]", lists[l], i);
            if (check_clause(n, file, path, c)) return -1;
        }
    }
    if (!json_array_size(json_object_get(r, "all")) && !json_array_size(json_object_get(r, "new")))
        return fail(n, file, "", "a rule needs at least one clause under 'all' or 'new'");
    return 0;
}

tl_err tl_node_watch_add(tl_node *n, const char *doc, size_t len, const char *file, int replace,
                         char name_out[128])
{
    n->errmsg[0] = '\0';
    if (len > TL_WATCH_RULE_MAX) {
        tl__node_err(n, "%s: a rule is at most %d bytes", file, TL_WATCH_RULE_MAX);
        return TL_ELIMIT;
    }
    json_error_t je;
    json_t *r = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &je);
    if (!r) {
        tl__node_err(n, "%s:%d:%d: %s", file, je.line, je.column, je.text);
        return TL_EJSON;
    }
    if (check_rule(n, file, r)) {
        json_decref(r);
        return TL_EINVAL;
    }
    const char *name = json_string_value(json_object_get(r, "name"));
    snprintf(name_out, 128, "%s", name);
    json_t *rules = NULL;
    tl_err rc = tl_node_watch_list(n, &rules);
    size_t i;
    json_t *x;
    json_array_foreach(rules, i, x)
    {
        if (!rc && !replace && !strcmp(json_string_value(json_object_get(x, "name")), name)) {
            tl__node_err(n, "%s: a rule named '%s' is held already (--replace to replace it)", file,
                         name);
            rc = TL_ECONFLICT;
        }
    }
    json_decref(rules);
    char *text = rc ? NULL : json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(r);
    if (rc) return rc;
    if (!text) return TL_ENOMEM;
    rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_watch_put(n->store, name_out, text, 0); /* seen nothing yet */
    if (!rc) rc = tl_store_commit(n->store);
    free(text);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    }
    return rc;
}

tl_err tl_node_watch_add_file(tl_node *n, const char *path, int replace, char name_out[128])
{
    n->errmsg[0] = '\0';
    char *doc = NULL, msg[512];
    size_t len = 0;
    tl_err rc = tl__read_file(path, TL_WATCH_RULE_MAX, &doc, &len, msg, sizeof msg);
    if (rc) {
        tl__node_err(n, "%s", msg);
        return rc;
    }
    rc = tl_node_watch_add(n, doc, len, path, replace, name_out);
    tl_free(doc);
    return rc;
}

static int list_cb(const char *name, const char *doc, int64_t added, int64_t seen, void *ud)
{
    json_t *r = json_loads(doc, 0, NULL);
    char a[32];
    tl__ts_format_ms(added, a);
    json_array_append_new(ud, json_pack("{s:s, s:o, s:s, s:I}", "name", name, "rule",
                                        r ? r : json_null(), "added", a, "seen", (json_int_t)seen));
    return 0;
}

tl_err tl_node_watch_list(tl_node *n, json_t **out)
{
    *out = json_array();
    if (!*out) return TL_ENOMEM;
    tl_err rc = tl_store_watch_list(n->store, list_cb, *out);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int any_cb(const char *name, const char *doc, int64_t added, int64_t seen, void *ud)
{
    (void)name;
    (void)doc;
    (void)added;
    (void)seen;
    *(int *)ud = 1;
    return 1;
}

int tl_node_watch_any(tl_node *n)
{
    int any = 0;
    tl_store_watch_list(n->store, any_cb, &any);
    return any;
}

/* ---- evaluation ---- */

static int in_list(const json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (!strcasecmp(json_string_value(v), s)) return 1;
    return 0;
}

/* The terms the objects resolved into entity key k are characterized by, folded. */
static int has_label(const struct picture *p, const char *rep, const json_t *labels)
{
    const json_t *ent = json_object_get(p->entities, rep);
    size_t i, j, t;
    json_t *m, *term, *want;
    json_array_foreach(json_object_get(ent, "members"), i, m)
    {
        const json_t *row =
            json_object_get(p->ent_rows, json_string_value(json_object_get(m, "id")));
        json_array_foreach(json_object_get(row, "terms"), j, term)
        {
            json_array_foreach(labels, t, want)
            {
                if (!strcasecmp(json_string_value(term), json_string_value(want))) return 1;
            }
        }
    }
    return 0;
}

static int subject_ok(const struct picture *p, const json_t *s, size_t sk)
{
    const struct key *k = &p->k[sk];
    if (k->kind != K_ENTITY) return 0;
    const char *kind = json_string_value(json_object_get(s, "kind"));
    if (kind && !strcmp(kind, "person") && !k->person) return 0;
    if (kind && !strcmp(kind, "group") && k->person) return 0;
    const json_t *labels = json_object_get(s, "labels_any");
    if (json_array_size(labels) && !has_label(p, k->id, labels)) return 0;
    return 1;
}

struct eval {
    struct picture *p;
    size_t *by_subject; /* claim indexes, by subject key */
    size_t *start;      /* by_subject[start[k] .. start[k + 1]) are key k's */
    size_t *pid;        /* each claim's predicate, numbered */
    json_t *preds;      /* predicate -> number */
    int64_t newest;
    tl_watch_stats st;
    tl_err rc;
};

/* A clause with the predicates it takes, as a table over the predicate numbers. */
struct clause {
    const json_t *c;
    unsigned char *takes;
};

static int clause_ok(const struct eval *ev, const struct clause *cl, size_t i)
{
    const struct picture *p = ev->p;
    const struct claim *x = &p->c[i];
    const json_t *c = cl->c;
    if (x->echo_of || !cl->takes[ev->pid[i]]) return 0;
    const char *origin = json_string_value(json_object_get(c, "origin"));
    if (origin && !strcmp(origin, "own") && *x->origin) return 0;
    if (origin && !strcmp(origin, "partner") && !*x->origin) return 0;
    const json_t *mb = json_object_get(c, "min_belief");
    if (mb && p->g[x->group].op.b < json_number_value(mb)) return 0;
    const json_t *o = json_object_get(c, "object");
    if (o) {
        const struct key *k = &p->k[x->ok];
        const json_t *cty = json_object_get(o, "country_any");
        if (json_array_size(cty) && !(k->country && in_list(cty, k->country))) return 0;
        const json_t *names = json_object_get(o, "name_any");
        if (json_array_size(names) && !in_list(names, k->name) && !in_list(names, k->id)) return 0;
        const json_t *labels = json_object_get(o, "labels_any");
        if (json_array_size(labels) && !(k->kind == K_ENTITY && has_label(p, k->id, labels)))
            return 0;
    }
    return 1;
}

static json_t *evidence_json(const struct eval *ev, const struct clause *c, size_t sk, int64_t seen,
                             int only_new)
{
    json_t *list = json_array();
    for (size_t i = ev->start[sk]; list && i < ev->start[sk + 1]; i++) {
        const struct claim *x = &ev->p->c[ev->by_subject[i]];
        if ((only_new && x->added <= seen) || !clause_ok(ev, c, ev->by_subject[i])) continue;
        if (json_array_size(list) >= EVIDENCE_MAX) break;
        char from[32];
        tl__ts_format_ms(x->from, from);
        /* enough to find and weigh the claim again (tearline assess), no more: alerts add up */
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "holding", x->holding, "origin",
                              *x->origin ? x->origin : "own", "root", x->root, "predicate",
                              x->predicate, "object", tl__key_json(ev->p, x->ok), "from", from);
        json_array_append_new(list, j);
    }
    return list;
}

/* The clauses of list compiled against the predicates held (*out, OUT, n of them). */
static int compile(const struct eval *ev, const json_t *list, struct clause **out, size_t *n)
{
    size_t np = json_object_size(ev->preds);
    *n = json_array_size(list);
    *out = tl_calloc(*n + 1, sizeof **out);
    if (!*out) return -1;
    for (size_t k = 0; k < *n; k++) {
        const json_t *c = json_array_get(list, k);
        (*out)[k].c = c;
        if (!((*out)[k].takes = tl_calloc(np + 1, 1))) return -1;
        const char *pred;
        json_t *id;
        json_object_foreach(ev->preds, pred, id)
        {
            (*out)[k].takes[json_integer_value(id)] =
                (unsigned char)in_list(json_object_get(c, "predicate"), pred);
        }
    }
    return 0;
}

static void clauses_free(struct clause *c, size_t n)
{
    for (size_t k = 0; c && k < n; k++)
        tl_free(c[k].takes);
    tl_free(c);
}

/* One rule over the entities new claims are about; its alerts stored. */
static tl_err eval_rule(struct eval *ev, const char *name, const json_t *r, int64_t seen)
{
    struct picture *p = ev->p;
    const json_t *trig_list = json_array_size(json_object_get(r, "new"))
                                  ? json_object_get(r, "new")
                                  : json_object_get(r, "all");
    const json_t *subj = json_object_get(r, "subject");
    struct clause *all = NULL, *none = NULL, *trig = NULL;
    size_t nall = 0, nnone = 0, ntrig = 0;
    unsigned char *done = tl_calloc(p->nk + 1, 1);
    tl_err rc = TL_ENOMEM;
    if (!done || compile(ev, json_object_get(r, "all"), &all, &nall) ||
        compile(ev, json_object_get(r, "none"), &none, &nnone) ||
        compile(ev, trig_list, &trig, &ntrig))
        goto out;
    rc = TL_OK;
    for (size_t i = 0; i < p->nc && !rc; i++) {
        const struct claim *x = &p->c[i];
        if (x->added <= seen || x->echo_of) continue;
        ev->st.new_claims++;
        size_t sk = x->sk;
        if (done[sk]) continue;
        int triggered = 0;
        for (size_t t = 0; t < ntrig && !triggered; t++)
            triggered = clause_ok(ev, &trig[t], i);
        if (!triggered) continue;
        done[sk] = 1;
        if (subj && !subject_ok(p, subj, sk)) continue;
        if (!subj && p->k[sk].kind != K_ENTITY) continue;
        /* every 'all' clause met by some claim, no 'none' clause by any */
        int ok = 1;
        for (size_t t = 0; t < nall && ok; t++) {
            int met = 0;
            for (size_t k = ev->start[sk]; k < ev->start[sk + 1] && !met; k++)
                met = clause_ok(ev, &all[t], ev->by_subject[k]);
            ok = met;
        }
        for (size_t t = 0; t < nnone && ok; t++)
            for (size_t k = ev->start[sk]; k < ev->start[sk + 1] && ok; k++)
                ok = !clause_ok(ev, &none[t], ev->by_subject[k]);
        if (!ok) continue;
        json_t *evid = json_pack("{s:[], s:[]}", "all", "new");
        if (!evid) {
            rc = TL_ENOMEM;
            break;
        }
        for (size_t t = 0; t < nall; t++)
            json_array_append_new(json_object_get(evid, "all"),
                                  evidence_json(ev, &all[t], sk, seen, 0));
        for (size_t t = 0; t < ntrig; t++) {
            json_t *nl = evidence_json(ev, &trig[t], sk, seen, 1);
            size_t k;
            json_t *e;
            json_array_foreach(nl, k, e) json_array_append(json_object_get(evid, "new"), e);
            json_decref(nl);
        }
        json_t *doc = json_pack("{s:s, s:o, s:o}", "rule", name, "entity", tl__key_json(p, sk),
                                "evidence", evid);
        char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(doc);
        if (!text) {
            rc = TL_ENOMEM;
            break;
        }
        rc = tl_store_alert_put(p->n->store, name, p->k[sk].id, tl__now_us(), text);
        free(text);
        ev->st.alerts++;
    }
out:
    clauses_free(all, nall);
    clauses_free(none, nnone);
    clauses_free(trig, ntrig);
    tl_free(done);
    return rc;
}

struct rules {
    char **name, **doc;
    int64_t *seen;
    size_t n;
    int oom;
};

static int rules_cb(const char *name, const char *doc, int64_t added, int64_t seen, void *ud)
{
    (void)added;
    struct rules *r = ud;
    char **nn = tl_realloc(r->name, (r->n + 1) * sizeof *nn);
    if (nn) r->name = nn;
    char **dd = tl_realloc(r->doc, (r->n + 1) * sizeof *dd);
    if (dd) r->doc = dd;
    int64_t *ss = tl_realloc(r->seen, (r->n + 1) * sizeof *ss);
    if (ss) r->seen = ss;
    if (!nn || !dd || !ss) {
        r->oom = 1;
        return 1;
    }
    r->name[r->n] = tl_strdup(name);
    r->doc[r->n] = tl_strdup(doc);
    r->seen[r->n] = seen;
    if (!r->name[r->n] || !r->doc[r->n]) {
        tl_free(r->name[r->n]);
        tl_free(r->doc[r->n]);
        r->oom = 1;
        return 1;
    }
    r->n++;
    return 0;
}

static int by_subject_key(const void *x, const void *y, void *ctx)
{
    const struct picture *p = ctx;
    const struct claim *a = &p->c[*(const size_t *)x], *b = &p->c[*(const size_t *)y];
    if (a->sk != b->sk) return a->sk < b->sk ? -1 : 1;
    return strcmp(a->holding, b->holding);
}

tl_err tl_node_watch_run(tl_node *n, tl_watch_stats *stats)
{
    struct rules rs = {NULL, NULL, NULL, 0, 0};
    struct eval ev;
    memset(&ev, 0, sizeof ev);
    struct picture p;
    int have = 0;
    tl_fuse_stats fs;
    tl_err rc = tl_node_fuse(n, 0, &fs);
    if (rc) goto out;
    ev.st.holdings = fs.holdings;
    if ((rc = tl_store_watch_list(n->store, rules_cb, &rs)) || (rc = rs.oom ? TL_ENOMEM : 0))
        goto out;
    if (!rs.n) goto out;
    {
        /* every rule has seen all that was fused: nothing to build the picture for */
        char *v = NULL;
        int64_t fused = -1, least = INT64_MAX;
        if (tl_store_meta_get(n->store, TL_FUSE_META, &v) == TL_OK && v)
            fused = strtoll(v, NULL, 10);
        tl_free(v);
        for (size_t r = 0; r < rs.n; r++)
            if (rs.seen[r] < least) least = rs.seen[r];
        if (fused >= 0 && least >= fused) {
            ev.st.rules = rs.n;
            goto out;
        }
    }
    if ((rc = tl__picture_build(n, &p))) goto out;
    have = 1;
    ev.p = &p;
    rc = TL_ENOMEM;
    ev.by_subject = tl_malloc((p.nc + 1) * sizeof *ev.by_subject);
    ev.start = tl_calloc(p.nk + 2, sizeof *ev.start);
    if (!ev.by_subject || !ev.start) goto out;
    ev.pid = tl_malloc((p.nc + 1) * sizeof *ev.pid);
    ev.preds = json_object();
    if (!ev.pid || !ev.preds) goto out;
    for (size_t i = 0; i < p.nc; i++) {
        ev.by_subject[i] = i;
        if (p.c[i].added > ev.newest) ev.newest = p.c[i].added;
        json_t *id = json_object_get(ev.preds, p.c[i].predicate);
        if (!id) {
            id = json_integer((json_int_t)json_object_size(ev.preds));
            if (!id || json_object_set_new(ev.preds, p.c[i].predicate, id)) goto out;
        }
        ev.pid[i] = (size_t)json_integer_value(id);
    }
    if (p.nc) qsort_r(ev.by_subject, p.nc, sizeof *ev.by_subject, by_subject_key, &p);
    for (size_t i = 0; i < p.nc; i++)
        ev.start[p.c[i].sk + 1]++;
    for (size_t k = 0; k < p.nk; k++)
        ev.start[k + 1] += ev.start[k];
    if ((rc = tl_store_begin(n->store))) goto out;
    for (size_t r = 0; r < rs.n && !rc; r++) {
        json_t *rule = json_loads(rs.doc[r], 0, NULL);
        if (!rule) continue; /* written by us; a damaged one is skipped, not fatal */
        rc = eval_rule(&ev, rs.name[r], rule, rs.seen[r]);
        if (!rc)
            rc = tl_store_watch_put(n->store, rs.name[r], rs.doc[r],
                                    ev.newest > rs.seen[r] ? ev.newest : rs.seen[r]);
        json_decref(rule);
        ev.st.rules++;
    }
    if (!rc)
        rc = tl_store_commit(n->store);
    else
        tl_store_rollback(n->store);
out:
    if (rc && !n->errmsg[0])
        tl__node_err(n, "watch: %s", rc == TL_ENOMEM ? "out of memory" : tl_store_errmsg(n->store));
    if (have) tl__picture_free(&p);
    tl_free(ev.by_subject);
    tl_free(ev.start);
    tl_free(ev.pid);
    json_decref(ev.preds);
    for (size_t i = 0; i < rs.n; i++) {
        tl_free(rs.name[i]);
        tl_free(rs.doc[i]);
    }
    tl_free(rs.name);
    tl_free(rs.doc);
    tl_free(rs.seen);
    if (stats) *stats = ev.st;
    return rc;
}

struct alerts_ud {
    const char *rule;
    json_t *list;
};

static int alert_cb(int64_t seq, const char *rule, const char *entity, int64_t time,
                    const char *doc, void *ud)
{
    (void)entity;
    struct alerts_ud *a = ud;
    if (a->rule && strcmp(a->rule, rule) != 0) return 0;
    json_t *d = json_loads(doc, 0, NULL);
    if (!d) return 0;
    char t[32];
    tl__ts_format_ms(time, t);
    json_object_set_new(d, "seq", json_integer((json_int_t)seq));
    json_object_set_new(d, "time", json_string(t));
    json_array_append_new(a->list, d);
    return 0;
}

tl_err tl_node_watch_alerts(tl_node *n, const char *rule, int64_t after, json_t **out)
{
    struct alerts_ud a = {rule, json_array()};
    if (!a.list) return TL_ENOMEM;
    tl_err rc = tl_store_alert_list(n->store, after, alert_cb, &a);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        json_decref(a.list);
        return rc;
    }
    *out = a.list;
    return TL_OK;
}
