/*
 * release.c: the release compiler. select -> decide -> close over references
 * -> transform -> sign -> verify -> publish, for one partner, failing closed.
 *
 * Select and decide run first on what the store indexes of every holding
 * (type, version, origin, labels, and the facets of store.h: sources,
 * relationship ends, caveats, REL TO, markings), without parsing any object.
 * Only the holdings those facts would release are parsed, and each is then
 * decided again from its own JSON, which is the authority: a fact the index
 * lacks can make the first pass too generous, never the release. docs/release.md
 * states every rule.
 */
#include "tearline/release.h"
#include "tearline/agree.h"
#include "tearline/json.h"
#include "tearline/prov.h"
#include "tearline/stix.h"

#include "jcs.h"
#include "par.h"
#include "audit_int.h"
#include "keys.h"
#include "ledger_int.h"
#include "node_int.h"
#include "redact.h"
#include "sig.h"
#include "ts.h"
#include "verify.h"

#ifndef TL_MUTANT
#define TL_MUTANT 0 /* the real compiler; tests build deliberately broken ones */
#endif

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum state { UNDECIDED, RELEASE, WITHHOLD };

/* What a decision rests on, read from the store's index or from the object itself. */
struct facts {
    const char *type;
    const char *originator; /* NULL: none */
    int tlp, pap;           /* highest rank, -1: no marking of the family */
    int noforn, orcon, has_rel_to, rel_to_partner, topical; /* 0 or 1 */
    char version[TL_STIX_VERSION_MAX]; /* `modified`, else `created`, as a version key */
};

struct held {
    json_t *obj; /* NULL: not parsed (withheld on the index's facts) */
    char *text;  /* the stored text, until the workers parse it */
    size_t text_len;
    tl_err parse_rc;
    int64_t seq; /* of the latest version, in the store */
    char *id;
    char *type, *originator;
    char origin[40];
    struct facts facts; /* from the index */
    enum state state;
    const char *rule;
    char detail[200];
};

struct rel {
    tl_node *n;
    const char *partner;
    const tl_release_opts *opts;
    tl_release_stats *st;
    int64_t now;
    tl_agreement *agreement;
    const json_t *scope, *rules, *profile, *consents;
    struct held *h;
    size_t nh, caph;
    json_t *index;         /* id -> index into h */
    json_t *sources;       /* protected source and originator ids -> true */
    json_t *in_scope_refs; /* the neighbourhood of scope.refs -> true */
    struct tl_lexicon *lexicon;
    struct tl_verifier *verifier;
    unsigned char secret[32];
    json_t *pseudonyms; /* source id -> pseudonym identity object */
    tl_err load_rc;     /* a holding that could not be loaded stops the release */
    char from_key[TL_TS_KEYMAX], until_key[TL_TS_KEYMAX]; /* scope.from, scope.until */
    int tlp_max, pap_max, allow_unmarked, require_rel_to; /* the agreement's rules */
    pthread_mutex_t mu; /* guards pseudonyms while workers transform */
    char **terms;       /* the lexicon, read before the holdings */
    size_t nterms, capterms;
    tl_err term_rc;      /* of reading or protecting the terms */
    pthread_t protector; /* protects the terms while the holdings are read */
    int protecting;
    unsigned char sk[64]; /* the node's signing key, wiped at the end */
};

static struct held *find(struct rel *r, const char *id)
{
    json_t *i = json_object_get(r->index, id);
    return i ? &r->h[json_integer_value(i)] : NULL;
}

/* The holding whose latest version is seq (the listing is in seq order), or NULL. */
static struct held *find_seq(struct rel *r, int64_t seq)
{
    size_t lo = 0, hi = r->nh;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->h[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->nh && r->h[lo].seq == seq ? &r->h[lo] : NULL;
}

static const json_t *prov_of(const json_t *obj)
{
    return json_object_get(json_object_get(obj, "extensions"), TL_PROV_EXT_ID);
}

/* ---- loading ---- */

/* Every holding, as an id and origin: withheld unless selected. */
static int list_cb(const tl_record *rec, void *ud)
{
    struct rel *r = ud;
    if (r->nh == r->caph) {
        size_t ncap = r->caph ? r->caph * 2 : 1024;
        struct held *nh = tl_realloc(r->h, ncap * sizeof *nh);
        if (!nh) goto oom;
        r->h = nh;
        r->caph = ncap;
    }
    struct held *h = &r->h[r->nh];
    memset(h, 0, sizeof *h);
    h->id = tl_strdup(rec->id);
    h->type = tl_strdup(rec->type);
    if (!h->id || !h->type ||
        json_object_set_new(r->index, h->id, json_integer((json_int_t)r->nh))) {
        tl_free(h->id);
        tl_free(h->type);
        goto oom;
    }
    snprintf(h->origin, sizeof h->origin, "%s", rec->origin);
    h->seq = rec->seq;
    h->facts.type = h->type;
    h->facts.tlp = h->facts.pap = -1;
    snprintf(h->facts.version, sizeof h->facts.version, "%s", rec->version);
    r->nh++;
    return 0;
oom:
    r->load_rc = TL_ENOMEM;
    return 1;
}

/* Takes a copy of a selected holding's stored text, to be parsed by the workers. */
static int text_cb(const tl_record *rec, void *ud)
{
    struct held *h = ud;
    if (!(h->text = tl_strndup(rec->json, rec->json_len))) return 1;
    h->text_len = rec->json_len;
    return 0;
}

static tl_err fetch(struct rel *r, struct held *h)
{
    if (h->obj || h->text) return TL_OK;
    tl_err rc = tl_node_get(r->n, h->id, NULL, text_cb, h);
    return rc ? rc : h->text ? TL_OK : TL_ENOMEM;
}

static void parse_held(size_t k, void *ctx)
{
    struct rel *r = ctx;
    struct held *h = &r->h[k];
    if (!h->text) return;
    h->parse_rc = tl__json_parse_stored(h->text, h->text_len, &h->obj);
    tl_free(h->text);
    h->text = NULL;
}

/* A relationship's end or a sighting's object, in the latest versions. */
struct end {
    char *target, *holder;
};

struct ends {
    struct rel *r;
    struct end *e;
    size_t n, cap;
    tl_err rc;
};

static int end_cb(const char *kind, const char *target, int64_t seq, void *ud)
{
    (void)kind;
    struct ends *es = ud;
    const struct held *h = find_seq(es->r, seq);
    if (!h) return 0; /* not a latest version */
    if (es->n == es->cap) {
        size_t ncap = es->cap ? es->cap * 2 : 256;
        struct end *ne = tl_realloc(es->e, ncap * sizeof *ne);
        if (!ne) goto oom;
        es->e = ne;
        es->cap = ncap;
    }
    es->e[es->n].target = tl_strdup(target);
    es->e[es->n].holder = tl_strdup(h->id);
    if (!es->e[es->n].target || !es->e[es->n].holder) {
        tl_free(es->e[es->n].target);
        tl_free(es->e[es->n].holder);
        goto oom;
    }
    es->n++;
    return 0;
oom:
    es->rc = TL_ENOMEM;
    return 1;
}

/* Both the redactor and the verifier learn term; one that folds to nothing cannot occur. */
static tl_err protect_term(struct rel *r, const char *term)
{
    tl_err rc = tl__lexicon_add(r->lexicon, term);
    if (rc && rc != TL_EINVAL) return rc;
    return tl__verifier_forbid_term(r->verifier, term);
}

static int term_cb(const char *term, const char *kind, int64_t added, void *ud)
{
    (void)kind;
    (void)added;
    struct rel *r = ud;
    if (r->nterms == r->capterms) {
        size_t nc = r->capterms ? r->capterms * 2 : 256;
        char **g = tl_realloc(r->terms, nc * sizeof *g);
        if (!g) goto oom;
        r->terms = g;
        r->capterms = nc;
    }
    if (!(r->terms[r->nterms] = tl_strdup(term))) goto oom;
    r->nterms++;
    return 0;
oom:
    r->term_rc = TL_ENOMEM;
    return 1;
}

/*
 * Folds the lexicon's terms into the redactor and the verifier (ICU work:
 * about 15 ms for 10,000 terms), on a thread of its own while the main
 * thread reads the holdings; nothing else touches them meanwhile.
 */
static void *protect_terms(void *arg)
{
    struct rel *r = arg;
    for (size_t i = 0; i < r->nterms && !r->term_rc; i++)
        r->term_rc = protect_term(r, r->terms[i]);
    return NULL;
}

/* ---- decide ---- */

static void decide(struct held *h, enum state s, const char *rule, const char *detail)
{
    h->state = s;
    h->rule = rule;
    snprintf(h->detail, sizeof h->detail, "%s", detail ? detail : "");
}

static int tlp_rank(const char *level)
{
    static const char *const order[] = {"clear", "green", "amber", "amber+strict", "red"};
    if (!strcmp(level, "white")) return 0;
    for (int i = 0; i < 5; i++)
        if (!strcmp(level, order[i])) return i;
    return 4;
}

/*
 * -1: no marking of the family; else the highest rank on the object.
 * pap 0 selects TLP (1.0 and 2.0), 1 selects PAP (clear/white, green, amber, red).
 */
static int object_marking(const json_t *obj, int pap)
{
    int best = -1;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, m)
    {
        const char *family, *level;
        if (!tl_stix_marking_lookup(json_string_value(m), &family, &level)) continue;
        if ((strcmp(family, "pap") == 0) != pap) continue;
        int rank = pap && !strcmp(level, "red") ? 3 : tlp_rank(level);
        if (rank > best) best = rank;
    }
    return best;
}

static int in_list(const json_t *list, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (json_is_string(e) && s && !strcmp(json_string_value(e), s)) return 1;
    }
    return 0;
}

/* A consent record that covers id for this partner now (and, if given, from originator). */
static int consented(struct rel *r, const char *id, const char *originator)
{
    size_t i;
    json_t *c;
    json_array_foreach(r->consents, i, c)
    {
        int64_t until = 0;
        const json_t *u = json_object_get(c, "until");
        tl__ts_parse(json_string_value(u), json_string_length(u), NULL, &until, NULL);
        if (strcmp(json_string_value(json_object_get(c, "party")), r->partner) != 0) continue;
        if (until <= r->now || !in_list(json_object_get(c, "items"), id)) continue;
        if (originator &&
            strcmp(json_string_value(json_object_get(c, "originator")), originator) != 0)
            continue;
        return 1;
    }
    return 0;
}

static int in_scope(struct rel *r, const struct facts *f, const char *id)
{
    const json_t *types = json_object_get(r->scope, "types");
    if (types && !in_list(types, f->type)) return 0;
    if (json_object_get(r->scope, "labels") || json_object_get(r->scope, "refs")) {
        if (!f->topical && !json_object_get(r->in_scope_refs, id)) return 0;
    }
    if (*r->from_key && strcmp(f->version, r->from_key) < 0) return 0;
    if (*r->until_key && strcmp(f->version, r->until_key) >= 0) return 0;
    return 1;
}

/* The facts of a parsed holding, from its JSON. */
static void facts_of_json(const struct rel *r, const json_t *o, struct facts *f)
{
    const json_t *p = prov_of(o);
    const json_t *cav = json_object_get(p, "caveats");
    memset(f, 0, sizeof *f);
    f->type = json_string_value(json_object_get(o, "type"));
    f->originator = json_string_value(json_object_get(p, "originator"));
    f->tlp = object_marking(o, 0);
    f->pap = object_marking(o, 1);
    f->noforn = json_is_true(json_object_get(cav, "noforn"));
    f->orcon = json_is_true(json_object_get(cav, "orcon"));
    f->has_rel_to = json_object_get(cav, "rel_to") != NULL;
    f->rel_to_partner = in_list(json_object_get(cav, "rel_to"), r->partner);
    const json_t *labels = json_object_get(r->scope, "labels");
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(o, "labels"), i, l)
    {
        f->topical |= in_list(labels, json_string_value(l));
    }
    const json_t *md = json_object_get(o, "modified");
    if (!md) md = json_object_get(o, "created");
    char key[TL_TS_KEYMAX] = "";
    if (md && tl__ts_parse(json_string_value(md), json_string_length(md), NULL, NULL, key))
        key[0] = '\0';
    snprintf(f->version, sizeof f->version, "%s", key);
}

/*
 * scope.refs and the objects within scope.neighbourhood relationship hops of
 * them: each hop adds every relationship or sighting with an end in the set,
 * and its other ends.
 */
static tl_err neighbourhood(struct rel *r)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->scope, "refs"), i, e)
    {
        if (json_object_set_new(r->in_scope_refs, json_string_value(e), json_true()))
            return TL_ENOMEM;
    }
    json_int_t hops = json_integer_value(json_object_get(r->scope, "neighbourhood"));
    if (hops <= 0) return TL_OK;
    struct ends es = {r, NULL, 0, 0, TL_OK};
    tl_err rc = tl_store_facets(r->n->store, TL_FACET_END, end_cb, &es);
    if (!rc) rc = es.rc;
    for (json_int_t hop = 0; !rc && hop < hops; hop++) {
        json_t *touched = json_object(), *add = json_object();
        if (!touched || !add) rc = TL_ENOMEM;
        for (size_t k = 0; !rc && k < es.n; k++)
            if (json_object_get(r->in_scope_refs, es.e[k].target) &&
                json_object_set_new(touched, es.e[k].holder, json_true()))
                rc = TL_ENOMEM;
        for (size_t k = 0; !rc && k < es.n; k++)
            if (json_object_get(touched, es.e[k].holder) &&
                (json_object_set_new(add, es.e[k].holder, json_true()) ||
                 json_object_set_new(add, es.e[k].target, json_true())))
                rc = TL_ENOMEM;
        if (!rc && json_object_update(r->in_scope_refs, add)) rc = TL_ENOMEM;
        json_decref(touched);
        json_decref(add);
    }
    for (size_t k = 0; k < es.n; k++) {
        tl_free(es.e[k].target);
        tl_free(es.e[k].holder);
    }
    tl_free(es.e);
    return rc;
}

/* The rules, in order; the first that applies decides. */
static void decide_one(struct rel *r, struct held *h, const struct facts *f)
{
    char detail[200];
    if (!strcmp(h->id, tl_node_identity(r->n))) {
        decide(h, RELEASE, "node-identity", "");
    } else if (!strcmp(f->type, "marking-definition") || !strcmp(f->type, "extension-definition")) {
        decide(h, WITHHOLD, "definition", "definitions are not released as holdings");
    } else if (!strcmp(f->type, TL_RECEIPT_TYPE)) {
        decide(h, WITHHOLD, "receipt", "receipts acknowledge exchanges; they are not released");
    } else if (!strcmp(f->type, TL_WITNESS_TYPE)) {
        decide(h, WITHHOLD, "witness", "a partner's account of its ledger is not released");
    } else if (json_object_get(r->sources, h->id)) {
        decide(h, WITHHOLD, "protected-source", "stood in for by a pseudonym");
    } else if (*h->origin && !strcmp(h->origin, r->partner)) {
        decide(h, WITHHOLD, "partner-material", "received from this partner");
    } else if (*h->origin && !consented(r, h->id, NULL)) {
        snprintf(detail, sizeof detail, "received from '%s'; no consent to pass it on", h->origin);
        decide(h, WITHHOLD, "third-party", detail);
    } else if (f->noforn) {
        decide(h, WITHHOLD, "noforn", "");
    } else if (f->tlp == 4) {
        decide(h, WITHHOLD, "tlp-red", "");
    } else if (f->tlp > r->tlp_max) {
        decide(h, WITHHOLD, "tlp-above-agreement", "");
    } else if (f->pap > r->pap_max) {
        decide(h, WITHHOLD, "pap-above-agreement", "");
    } else if (f->tlp < 0 && !r->allow_unmarked) {
        decide(h, WITHHOLD, "unmarked", "the agreement releases only TLP-marked items");
    } else if (f->has_rel_to && !f->rel_to_partner) {
        decide(h, WITHHOLD, "rel-to", "REL TO does not name this partner");
    } else if (r->require_rel_to && !f->has_rel_to) {
        decide(h, WITHHOLD, "rel-to-missing", "the agreement requires REL TO");
    } else if (f->originator && !consented(r, h->id, f->originator)) {
        decide(h, WITHHOLD, "third-party", "no consent recorded from its originator");
    } else if (f->orcon && !consented(r, h->id, NULL)) {
        decide(h, WITHHOLD, "orcon", "no consent recorded for this partner");
    } else if (!in_scope(r, f, h->id)) {
        decide(h, WITHHOLD, "out-of-scope", "");
    } else {
        decide(h, RELEASE, "in-scope", "");
    }
}

/* The store's facets of the latest versions, onto the holdings they belong to. */
static int facet_cb(const char *kind, const char *value, int64_t seq, void *ud)
{
    struct rel *r = ud;
    if (!strcmp(kind, TL_FACET_SOURCE)) { /* every version's sources stay protected */
        if (json_object_set_new(r->sources, value, json_true())) goto oom;
        return 0;
    }
    struct held *h = find_seq(r, seq);
    if (!h) return 0; /* not a latest version */
    struct facts *f = &h->facts;
    if (!strcmp(kind, TL_FACET_ORIGINATOR)) {
        tl_free(h->originator);
        if (!(h->originator = tl_strdup(value))) goto oom;
        f->originator = h->originator;
    } else if (!strcmp(kind, TL_FACET_CAVEAT)) {
        f->noforn |= !strcmp(value, "noforn");
        f->orcon |= !strcmp(value, "orcon");
        f->has_rel_to |= !strcmp(value, "rel_to");
    } else if (!strcmp(kind, TL_FACET_LABEL)) {
        f->topical |= in_list(json_object_get(r->scope, "labels"), value);
    } else if (!strcmp(kind, TL_FACET_REL_TO)) {
        f->rel_to_partner |= !strcmp(value, r->partner);
    } else if (!strcmp(kind, TL_FACET_MARKING)) {
        const char *family, *level;
        if (tl_stix_marking_lookup(value, &family, &level)) {
            int pap = !strcmp(family, "pap");
            int rank = pap && !strcmp(level, "red") ? 3 : tlp_rank(level);
            int *best = pap ? &f->pap : &f->tlp;
            if (rank > *best) *best = rank;
        }
    }
    return 0;
oom:
    r->load_rc = TL_ENOMEM;
    return 1;
}

/*
 * Select and decide: every holding's id and indexed facts, the protected
 * sources, the scope's neighbourhood; a first decision on those facts; then
 * the holdings it would release are parsed and decided again from their
 * JSON, with the node's identity and the sources' own identities (for their
 * names).
 */
static tl_err select_and_decide(struct rel *r)
{
    tl_node *n = r->n;
    char next[TL_CURSOR_MAX];
    tl_filter all = TL_FILTER_INIT;
    all.no_json = 1;
    tl_err rc = tl_node_query(n, &all, NULL, list_cb, r, next);
    if (!rc) rc = r->load_rc;
    if (!rc && (rc = tl_store_facets(n->store, NULL, facet_cb, r)) != TL_OK)
        tl__node_err(n, "release: %s", tl_store_errmsg(n->store));
    if (!rc) rc = r->load_rc;
    if (!rc) rc = neighbourhood(r);
    if (rc) return rc;
    int64_t t0 = tl__now_us();
    for (size_t k = 0; k < r->nh; k++)
        decide_one(r, &r->h[k], &r->h[k].facts);
    r->st->us_decide += tl__now_us() - t0;
    for (size_t k = 0; k < r->nh && !rc; k++)
        if (r->h[k].state == RELEASE) rc = fetch(r, &r->h[k]);
    void *iter = json_object_iter(r->sources);
    for (; iter && !rc; iter = json_object_iter_next(r->sources, iter)) {
        struct held *h = find(r, json_object_iter_key(iter));
        if (h) rc = fetch(r, h);
    }
    if (!rc) tl__parallel_for(r->nh, parse_held, r);
    for (size_t k = 0; k < r->nh && !rc; k++)
        if (r->h[k].parse_rc) {
            rc = r->h[k].parse_rc == TL_ENOMEM ? TL_ENOMEM : TL_ESTORE;
            if (rc == TL_ESTORE)
                tl__node_err(n, "release: stored object %s cannot be read", r->h[k].id);
        }
    if (rc) return rc;
    t0 = tl__now_us();
    for (size_t k = 0; k < r->nh; k++) {
        struct held *h = &r->h[k];
        if (!h->obj || h->state != RELEASE) continue;
        struct facts f;
        facts_of_json(r, h->obj, &f);
        decide_one(r, h, &f);
    }
    r->st->us_decide += tl__now_us() - t0;
    return TL_OK;
}

/* ---- close over references ---- */

static int is_fixed_marking(const char *id)
{
    return tl_stix_marking_lookup(id, NULL, NULL);
}

/* Does ref survive into the release? */
static int ref_kept(struct rel *r, const char *ref)
{
    if (!ref) return 0;
    if (is_fixed_marking(ref)) return 1;
    if (json_object_get(r->sources, ref)) return 1; /* replaced by a pseudonym */
    struct held *h = find(r, ref);
    return h && h->state == RELEASE;
}

static int count_kept(struct rel *r, const json_t *list)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        n += ref_kept(r, json_string_value(e));
    }
    return n;
}

static void close_refs(struct rel *r)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t k = 0; r->h && k < r->nh; k++) {
            struct held *h = &r->h[k];
            if (h->state != RELEASE) continue;
            const json_t *o = h->obj;
            const char *t = json_string_value(json_object_get(o, "type"));
            if (!strcmp(t, "relationship") &&
                (!ref_kept(r, json_string_value(json_object_get(o, "source_ref"))) ||
                 !ref_kept(r, json_string_value(json_object_get(o, "target_ref"))))) {
                decide(h, WITHHOLD, "dangling-relationship", "an end is withheld");
                changed = 1;
            } else if (!strcmp(t, "sighting") &&
                       !ref_kept(r, json_string_value(json_object_get(o, "sighting_of_ref")))) {
                decide(h, WITHHOLD, "dangling-sighting", "what was sighted is withheld");
                changed = 1;
            } else if ((!strcmp(t, "report") || !strcmp(t, "grouping") || !strcmp(t, "note") ||
                        !strcmp(t, "opinion") || !strcmp(t, "observed-data")) &&
                       json_object_get(o, "object_refs") &&
                       count_kept(r, json_object_get(o, "object_refs")) == 0) {
                decide(h, WITHHOLD, "empty-container", "every object it refers to is withheld");
                changed = 1;
            }
        }
    }
}

/* ---- transform ---- */

/* The per-partner id of original (kind "id") or of a source pseudonym (kind "source"). */
static void mapped_id(const struct rel *r, const char *kind, const char *original, char *out,
                      size_t cap)
{
    const char *sep = strstr(original, "--");
    size_t tlen = sep ? (size_t)(sep - original) : 0;
    const char *type = !strcmp(kind, "source") ? "identity" : original;
    if (!strcmp(kind, "source")) tlen = 8;
    crypto_generichash_state st;
    unsigned char h[16];
    crypto_generichash_init(&st, r->secret, 32, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, (const unsigned char *)r->partner, strlen(r->partner) + 1);
    crypto_generichash_update(&st, (const unsigned char *)original, strlen(original));
    crypto_generichash_final(&st, h, sizeof h);
    char uuid[37];
    tl__uuid_format(h, uuid);
    snprintf(out, cap, "%.*s--%s", (int)tlen, type, uuid);
}

static const char *pseudonym_locked(struct rel *r, const char *source)
{
    json_t *p = json_object_get(r->pseudonyms, source);
    if (!p) {
        char id[80];
        mapped_id(r, "source", source, id, sizeof id);
        char name[40];
        /* the name shows the pseudonym's own hash, never the source's */
        snprintf(name, sizeof name, "Source %.4s", id + 10);
        p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
                      "spec_version", "2.1", "id", id, "created", "2020-01-01T00:00:00.000Z",
                      "modified", "2020-01-01T00:00:00.000Z", "name", name, "identity_class",
                      "unknown", "created_by_ref", tl_node_identity(r->n));
        if (!p || json_object_set_new(r->pseudonyms, source, p)) return NULL;
    }
    return json_string_value(json_object_get(p, "id"));
}

/* The pseudonym identity standing in for source (created on first use, by any worker). */
static const char *pseudonym(struct rel *r, const char *source)
{
    pthread_mutex_lock(&r->mu);
    const char *id = pseudonym_locked(r, source);
    pthread_mutex_unlock(&r->mu);
    return id;
}

static int is_ref_key(const char *k)
{
    size_t n = strlen(k);
    return (n > 4 && !strcmp(k + n - 4, "_ref")) || (n > 5 && !strcmp(k + n - 5, "_refs"));
}

/* Rewrites one reference: the mapped id, the same id (fixed markings, our identity), or NULL. */
static const char *rewrite_ref(struct rel *r, const char *ref, char *buf, size_t cap)
{
    if (!ref) return NULL;
    if (is_fixed_marking(ref) || !strcmp(ref, tl_node_identity(r->n))) return ref;
    if (json_object_get(r->sources, ref)) return pseudonym(r, ref);
    struct held *h = find(r, ref);
    if (!h || h->state != RELEASE) return NULL;
    mapped_id(r, "id", ref, buf, cap);
    return buf;
}

/* Rewrites every reference under v, dropping those to anything not released. */
static tl_err rewrite_refs(struct rel *r, json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            tl_err rc = rewrite_refs(r, e);
            if (rc) return rc;
        }
        return TL_OK;
    }
    if (!json_is_object(v)) return TL_OK;
    const char *key;
    json_t *val;
    void *tmp;
    json_object_foreach_safe(v, tmp, key, val)
    {
        char buf[120];
        if (is_ref_key(key) && json_is_string(val)) {
            const char *to = rewrite_ref(r, json_string_value(val), buf, sizeof buf);
            if (to)
                json_object_set_new(v, key, json_string(to));
            else
                json_object_del(v, key);
        } else if (is_ref_key(key) && json_is_array(val)) {
            json_t *kept = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(val, i, e)
            {
                const char *to = rewrite_ref(r, json_string_value(e), buf, sizeof buf);
                if (to) json_array_append_new(kept, json_string(to));
            }
            if (json_array_size(kept))
                json_object_set_new(v, key, kept);
            else {
                json_decref(kept);
                json_object_del(v, key);
            }
        } else {
            tl_err rc = rewrite_refs(r, val);
            if (rc) return rc;
        }
    }
    return TL_OK;
}

/* Members whose values are identifiers or fixed words, never text (refs at any depth). */
static int skip_redaction(const char *key, int depth)
{
    if (is_ref_key(key)) return 1;
    if (depth > 0) return 0;
    static const char *const keys[] = {
        "id", "type", "spec_version", "created", "modified", "pattern_type", NULL};
    for (const char *const *k = keys; *k; k++)
        if (!strcmp(key, *k)) return 1;
    return 0;
}

/* Redacts protected terms in every string and dictionary key under v. */
static tl_err redact(struct rel *r, json_t *v, int depth, size_t *hits)
{
    struct tl_buf b = TL_BUF_INIT;
    tl_err rc = TL_OK;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (json_is_string(e)) {
                size_t n = 0;
                tl__buf_reset(&b);
                if ((rc = tl__lexicon_redact(r->lexicon, json_string_value(e),
                                             json_string_length(e), &b, &n)))
                    break;
                if (n) json_array_set_new(v, i, json_stringn(b.p, b.len));
                *hits += n;
            } else if ((rc = redact(r, e, depth + 1, hits))) {
                break;
            }
        }
    } else if (json_is_object(v)) {
        const char *key;
        json_t *val;
        void *tmp;
        json_object_foreach_safe(v, tmp, key, val)
        {
            size_t n = 0;
            if (!skip_redaction(key, depth)) {
                /* a dictionary key that holds a protected term goes, with its value */
                tl__buf_reset(&b);
                if ((rc = tl__lexicon_redact(r->lexicon, key, strlen(key), &b, &n))) break;
                if (n) {
                    *hits += n;
                    json_object_del(v, key);
                    continue;
                }
            }
            if (json_is_string(val) && !skip_redaction(key, depth)) {
                tl__buf_reset(&b);
                if ((rc = tl__lexicon_redact(r->lexicon, json_string_value(val),
                                             json_string_length(val), &b, &n)))
                    break;
                if (n) json_object_set_new(v, key, json_stringn(b.p, b.len));
                *hits += n;
            } else if ((rc = redact(r, val, depth + 1, hits))) {
                break;
            }
        }
    }
    tl__buf_free(&b);
    return rc;
}

/* Writes the characters of lit over dst (no terminator). */
static void overwrite(char *dst, const char *lit)
{
    while (*lit)
        *dst++ = *lit++;
}

/* Truncates a timestamp to the profile's precision. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/*
 * Coarsens the time at key to the profile's precision: down to the start of
 * its unit for a start (up_to_end 0), up to the end of its unit for an end
 * (stop_time, last_seen, last_observed), so the coarse interval holds the
 * fine one and an end stays after its start.
 */
static void coarsen_time(json_t *o, const char *key, const char *precision, int up_to_end)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || !precision || !strcmp(precision, "second") || strlen(s) < 20) return;
    char out[32];
    snprintf(out, sizeof out, "%.19sZ", s);
    if (!strcmp(precision, "minute")) overwrite(out + 17, "00");
    if (!strcmp(precision, "hour")) overwrite(out + 14, "00:00");
    if (!strcmp(precision, "day")) overwrite(out + 11, "00:00:00");
    if (!strcmp(precision, "month")) overwrite(out + 8, "01T00:00:00");
    if (!strcmp(precision, "year")) overwrite(out + 5, "01-01T00:00:00");
    int64_t fine = 0, coarse = 0;
    if (up_to_end && !tl__ts_parse(s, strlen(s), NULL, &fine, NULL) &&
        !tl__ts_parse(out, strlen(out), NULL, &coarse, NULL) && fine > coarse) {
        /* out is YYYY-MM-DDTHH:MM:SSZ, digits where they should be (parsed above) */
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        tm.tm_year = digits(out, 4) - 1900;
        tm.tm_mon = digits(out + 5, 2) - 1;
        tm.tm_mday = digits(out + 8, 2);
        tm.tm_hour = digits(out + 11, 2);
        tm.tm_min = digits(out + 14, 2);
        tm.tm_sec = digits(out + 17, 2);
        if (!strcmp(precision, "minute")) tm.tm_min++;
        if (!strcmp(precision, "hour")) tm.tm_hour++;
        if (!strcmp(precision, "day")) tm.tm_mday++;
        if (!strcmp(precision, "month")) tm.tm_mon++;
        if (!strcmp(precision, "year")) tm.tm_year++;
        time_t t = timegm(&tm);
        struct tm g;
        if (t != (time_t)-1 && gmtime_r(&t, &g))
            strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &g);
    }
    json_object_set_new(o, key, json_string(out));
}

static void coarsen_location(json_t *o, const json_t *profile)
{
    if (!json_object_get(o, "latitude")) return;
    const json_t *km = json_object_get(profile, "location_precision_km");
    double prec = json_is_number(km) ? json_number_value(km) : 0;
    json_object_del(o, "precision");
    json_object_del(o, "street_address");
    json_object_del(o, "postal_code");
    if (prec <= 0) {
        /* no precision agreed: only country and region may go */
        json_object_del(o, "latitude");
        json_object_del(o, "longitude");
        return;
    }
    double step = prec / 111.0; /* degrees of latitude per grid cell */
    double lat = json_number_value(json_object_get(o, "latitude"));
    double lon = json_number_value(json_object_get(o, "longitude"));
    lat = round(lat / step) * step;
    lon = round(lon / step) * step;
    if (lat > 90) lat = 90;
    if (lat < -90) lat = -90;
    if (lon > 180) lon = 180;
    if (lon < -180) lon = -180;
    json_object_set_new(o, "latitude", json_real(round(lat * 1e4) / 1e4));
    json_object_set_new(o, "longitude", json_real(round(lon * 1e4) / 1e4));
    json_object_set_new(o, "precision", json_real(prec * 1000.0));
}

static int public_reference(const json_t *e)
{
    static const char *const sources[] = {
        "capec", "cve", "cwe", "mitre-attack", "mitre-mobile-attack", "mitre-ics-attack",
        "nvd",   NULL};
    const char *s = json_string_value(json_object_get(e, "source_name"));
    for (const char *const *p = sources; s && *p; p++)
        if (!strcmp(s, *p)) return 1;
    return 0;
}

static void recompute_granular(json_t *o)
{
    json_t *gm = json_object_get(o, "granular_markings");
    if (!gm) return;
    json_t *kept = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(gm, i, g)
    {
        json_t *sels = json_array();
        size_t j;
        json_t *s;
        json_array_foreach(json_object_get(g, "selectors"), j, s)
        {
            if (tl_stix_selector_resolves(o, json_string_value(s))) json_array_append(sels, s);
        }
        const json_t *mr = json_object_get(g, "marking_ref");
        if (json_array_size(sels) && (!mr || json_is_string(mr))) {
            json_t *ng = json_deep_copy(g);
            json_object_set_new(ng, "selectors", sels);
            json_array_append_new(kept, ng);
        } else {
            json_decref(sels);
        }
    }
    if (json_array_size(kept))
        json_object_set_new(o, "granular_markings", kept);
    else {
        json_decref(kept);
        json_object_del(o, "granular_markings");
    }
}

/* A property holding binary content (payload_bin, or any *_bin), or NULL. */
static const char *binary_property(const json_t *o)
{
    const char *key;
    json_t *val;
    json_object_foreach(tl__json_mut(o), key, val)
    {
        size_t n = strlen(key);
        if (n > 4 && !strcmp(key + n - 4, "_bin")) return key;
    }
    return NULL;
}

/* The tearline copy of h for the partner; *changed says whether anything was altered. */
static tl_err transform(struct rel *r, const struct held *h, json_t **out, size_t *hits)
{
    json_t *o = json_deep_copy(h->obj);
    if (!o) return TL_ENOMEM;
    const json_t *p = prov_of(h->obj);
    json_t *ext = json_object_get(o, "extensions");
    if (ext) {
        json_object_del(ext, TL_PROV_EXT_ID);
        if (json_object_size(ext) == 0) json_object_del(o, "extensions");
    }
    const char *key;
    json_t *val;
    void *tmp;
    json_object_foreach_safe(o, tmp, key, val)
    {
        if (!strncmp(key, "x_tearline", 10)) json_object_del(o, key);
    }
    json_object_del(o, "where_sighted_refs");
    json_t *refs = json_object_get(o, "external_references");
    if (refs) {
        json_t *kept = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(refs, i, e)
        {
            if (public_reference(e)) json_array_append(kept, e);
        }
        if (json_array_size(kept))
            json_object_set_new(o, "external_references", kept);
        else {
            json_decref(kept);
            json_object_del(o, "external_references");
        }
    }
    const char *prec = json_string_value(json_object_get(r->profile, "time_precision"));
    static const char *const times[] = {"first_seen",    "last_seen",  "first_observed",
                                        "last_observed", "start_time", "stop_time"};
    for (size_t i = 0; i < sizeof times / sizeof *times; i++)
        coarsen_time(o, times[i], prec, i % 2);
    if (!strcmp(json_string_value(json_object_get(o, "type")), "location"))
        coarsen_location(o, r->profile);

    tl_err rc = rewrite_refs(r, o);
#if TL_MUTANT != 1 /* mutation test 1: a sanitizer that forgets to redact */
    if (!rc && !json_is_false(json_object_get(r->profile, "lexicon"))) rc = redact(r, o, 0, hits);
#endif
    if (rc) {
        json_decref(o);
        return rc;
    }
    char id[120];
    if (strcmp(h->id, tl_node_identity(r->n)) != 0) {
        mapped_id(r, "id", h->id, id, sizeof id);
#if TL_MUTANT != 2 /* mutation test 2: a sanitizer that keeps original ids */
        json_object_set_new(o, "id", json_string(id));
#endif
        json_object_set_new(o, "created_by_ref", json_string(tl_node_identity(r->n)));
    }
    recompute_granular(o);
    if (p) {
        /* the releasable part of provenance */
        json_t *rp = json_pack("{s:s}", "extension_type", "property-extension");
        const char *src = json_string_value(json_object_get(p, "source_ref"));
        if (src) json_object_set_new(rp, "source_ref", json_string(pseudonym(r, src)));
        const char *disc = json_string_value(json_object_get(p, "discipline"));
        if (disc) {
            const char *cls = json_string_value(
                json_object_get(json_object_get(r->profile, "discipline_classes"), disc));
            json_object_set_new(rp, "discipline_class", json_string(cls ? cls : "undisclosed"));
        }
        const json_t *rel = json_object_get(p, "reliability");
        if (rel) json_object_set(rp, "reliability", tl__json_mut(rel));
        const json_t *cred = json_object_get(p, "credibility");
        if (cred) json_object_set(rp, "credibility", tl__json_mut(cred));
        json_t *exts = json_object_get(o, "extensions");
        if (!exts) {
            exts = json_object();
            json_object_set_new(o, "extensions", exts);
        }
        json_object_set_new(exts, TL_RELPROV_EXT_ID, rp);
    }
    *out = o;
    return TL_OK;
}

/* Adds the Ed25519 signature extension over the canonical form without it. */
static tl_err sign_object(const struct rel *r, json_t *o)
{
    return tl__sig_add(o, r->sk, tl_node_identity(r->n));
}

/* ---- the whole release ---- */

static void explain(struct rel *r, const char *object, const char *action, const char *rule,
                    const char *detail)
{
    if (r->opts->explain) r->opts->explain(r->opts->ud, object, action, rule, detail);
}

/* One object on its way out: the tearline copy of a holding, or a pseudonym. */
struct job {
    struct held *h; /* NULL for a pseudonym */
    json_t *obj;
    const char *original;
    char *text; /* canonical and signed: exactly the bytes that leave */
    size_t len;
    size_t hits; /* protected terms redacted */
    int changed, skip;
    tl_err rc;
    char finding[300];
    int64_t us_sign, us_verify;
};

struct jobs {
    struct rel *r;
    struct job *j;
    size_t n;
};

/*
 * The path of the first member of v (its key or its string value) in which
 * the verifier finds something; "" if none. path holds the prefix on entry.
 */
static int locate_finding(struct rel *r, const json_t *v, char *path, size_t cap)
{
    size_t plen = strlen(path);
    char finding[300];
    struct tl_buf b = TL_BUF_INIT;
    int found = 0;
    if (json_is_string(v)) {
        tl__jcs_string(&b, json_string_value(v), json_string_length(v));
        found = !b.oom &&
                tl__verify_text(r->verifier, b.p, b.len, finding, sizeof finding) == TL_ECONFLICT;
    } else if (json_is_object(v)) {
        const char *key;
        json_t *val;
        json_object_foreach(tl__json_mut(v), key, val)
        {
            snprintf(path + plen, cap - plen, "%s%s", plen ? "." : "", key);
            tl__buf_reset(&b);
            tl__jcs_string(&b, key, strlen(key));
            if ((!b.oom && tl__verify_text(r->verifier, b.p, b.len, finding, sizeof finding) ==
                               TL_ECONFLICT) ||
                locate_finding(r, val, path, cap)) {
                found = 1;
                break;
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            snprintf(path + plen, cap - plen, "[%zu]", i);
            if (locate_finding(r, e, path, cap)) {
                found = 1;
                break;
            }
        }
    }
    if (!found) path[plen] = '\0';
    tl__buf_free(&b);
    return found;
}

/* o without `modified` and the signature: what decides whether content changed. */
static json_t *content_of(const json_t *o)
{
    json_t *c = json_deep_copy(o);
    if (!c) return NULL;
    json_object_del(c, "modified");
    json_t *exts = json_object_get(c, "extensions");
    json_object_del(exts, TL_SIG_EXT_ID);
    if (exts && json_object_size(exts) == 0) json_object_del(c, "extensions");
    return c;
}

/*
 * Against the latest version already in the outbox: 1 if o adds nothing,
 * 0 if it is to be published (with `modified` moved past the published
 * version when its content changed but its original did not), -1 on error.
 */
static int settle_version(struct rel *r, json_t *o)
{
    char *prior = NULL;
    const char *id = json_string_value(json_object_get(o, "id"));
    tl_err f = tl_store_outbox_find(r->n->store, r->partner, id, NULL, &prior);
    if (f == TL_ENOTFOUND) return 0;
    if (f) return -1;
    json_t *p = NULL;
    int rc = -1;
    if (tl__json_parse_stored(prior, strlen(prior), &p) == TL_OK) {
        /* compared as canonical text: 25000.0 and 25000 are one number there */
        json_t *a = content_of(p), *b = content_of(o);
        char *ca = NULL, *cb = NULL;
        size_t la = 0, lb = 0;
        if (a && b && !tl_json_canonical(a, &ca, &la) && !tl_json_canonical(b, &cb, &lb) &&
            la == lb && memcmp(ca, cb, la) == 0) {
            rc = 1;
        } else if (ca && cb) {
            const json_t *pm = json_object_get(p, "modified"), *om = json_object_get(o, "modified");
            char pk[TL_TS_KEYMAX], ok[TL_TS_KEYMAX];
            int64_t pus = 0;
            tl__ts_parse(json_string_value(pm), json_string_length(pm), NULL, &pus, pk);
            tl__ts_parse(json_string_value(om), json_string_length(om), NULL, NULL, ok);
            if (strcmp(ok, pk) <= 0) {
                /* new content, same original version: a new version of the copy */
                int64_t t = r->now > pus + 1000 ? r->now : pus + 1000;
                char ts[32];
                tl__ts_format_ms(t, ts);
                json_object_set_new(o, "modified", json_string(ts));
            }
            rc = 0;
        }
        tl_free(ca);
        tl_free(cb);
        json_decref(a);
        json_decref(b);
    }
    json_decref(p);
    tl_free(prior);
    return rc;
}

/* Transforms job i and checks that the copy is valid STIX (a worker). */
static void transform_job(size_t i, void *ctx)
{
    struct jobs *js = ctx;
    struct job *j = &js->j[i];
    const char *bin = binary_property(j->h->obj);
    if (bin) { /* fail closed: the redactor and the verifier read text, not payloads */
        snprintf(j->finding, sizeof j->finding, "%s", bin);
        j->rc = TL_EINVAL;
        return;
    }
    j->rc = transform(js->r, j->h, &j->obj, &j->hits);
    if (j->rc) return;
    j->changed = !json_equal(j->obj, j->h->obj);
    tl_stix_error err;
    if (tl_stix_validate(j->obj, NULL, &err) != TL_OK) {
        snprintf(j->finding, sizeof j->finding, "%s", err.msg);
        j->rc = TL_ESTIX;
    }
}

/* Signs job i, serializes it and runs the verifier over the bytes (a worker). */
static void seal_job(size_t i, void *ctx)
{
    struct jobs *js = ctx;
    struct job *j = &js->j[i];
    int64_t t0 = tl__now_us();
    j->rc = sign_object(js->r, j->obj);
    if (!j->rc) j->rc = tl_json_canonical(j->obj, &j->text, &j->len);
    int64_t t1 = tl__now_us();
    if (!j->rc)
        j->rc = tl__verify_text(js->r->verifier, j->text, j->len, j->finding, sizeof j->finding);
    j->us_sign = t1 - t0;
    j->us_verify = tl__now_us() - t1;
}

/* Counts a name in a JSON object of counts. */
static int count_in(json_t *counts, const char *name)
{
    json_t *c = json_object_get(counts, name);
    return json_object_set_new(counts, name, json_integer(json_integer_value(c) + 1));
}

/*
 * The ledger's record of a publication: the agreement, every published
 * object (tearline id, version key, original id) and the counts by type and
 * by topic (label).
 */
static tl_err ledger_release(struct rel *r, const struct jobs *js)
{
    json_t *objects = json_array(), *types = json_object(), *topics = json_object();
    size_t withheld = 0;
    for (size_t k = 0; r->h && k < r->nh; k++)
        withheld += r->h[k].state != RELEASE;
    json_t *p = json_pack("{s:{s:s, s:I}, s:o, s:o, s:o, s:I}", "agreement", "id",
                          tl_agreement_id(r->agreement), "version",
                          (json_int_t)tl_agreement_version(r->agreement), "objects", objects,
                          "types", types, "topics", topics, "withheld", (json_int_t)withheld);
    int oom = !p;
    for (size_t i = 0; i < js->n && !oom; i++) {
        const struct job *j = &js->j[i];
        if (j->skip) continue;
        const json_t *m = json_object_get(j->obj, "modified");
        char ver[TL_TS_KEYMAX];
        tl__ts_parse(json_string_value(m), json_string_length(m), NULL, NULL, ver);
        oom |= json_array_append_new(objects, json_pack("[O, s, s]", json_object_get(j->obj, "id"),
                                                        ver, j->original)) != 0;
        oom |= count_in(types, json_string_value(json_object_get(j->obj, "type"))) != 0;
        size_t k;
        json_t *l;
        json_array_foreach(json_object_get(j->obj, "labels"), k, l)
        {
            if (json_is_string(l)) oom |= count_in(topics, json_string_value(l)) != 0;
        }
    }
    char *text = NULL, summary[200];
    size_t len = 0;
    tl_err rc = oom ? TL_ENOMEM : tl_json_canonical(p, &text, &len);
    json_decref(p);
    if (rc) return rc;
    snprintf(summary, sizeof summary, "released %llu objects to %s under %s v%lld",
             (unsigned long long)r->st->published, r->partner, tl_agreement_id(r->agreement),
             (long long)tl_agreement_version(r->agreement));
    rc = tl__ledger_append(r->n, TL_LEDGER_RELEASE, r->partner, summary, text, len, NULL);
    tl_free(text);
    return rc;
}

/* Publishes the sealed jobs: outbox and audit, in the release's transaction. */
static tl_err publish(struct rel *r, struct jobs *js)
{
    tl_node *n = r->n;
    tl_err rc = TL_OK;
    /* every decision, with its rule, chained into the audit trail */
    tl_audit_rec *recs = r->nh ? tl_malloc(r->nh * sizeof *recs) : NULL;
    if (r->nh && !recs) return TL_ENOMEM;
    for (size_t k = 0; r->h && k < r->nh; k++) {
        const struct held *h = &r->h[k];
        recs[k] =
            (tl_audit_rec){r->now,  r->partner, h->id, h->state == RELEASE ? "release" : "withhold",
                           h->rule, h->detail};
    }
    rc = tl__audit_many(n, recs, r->nh);
    tl_free(recs);
    for (size_t i = 0; i < js->n && !rc; i++) {
        const struct job *j = &js->j[i];
        if (j->skip) continue;
        const json_t *m = json_object_get(j->obj, "modified");
        char ver[TL_TS_KEYMAX];
        tl__ts_parse(json_string_value(m), json_string_length(m), NULL, NULL, ver);
        tl_outbox_obj ob = {r->partner, json_string_value(json_object_get(j->obj, "id")),
                            ver,        j->original,
                            j->text,    j->len};
        if (!(rc = tl_store_outbox_put(n->store, &ob))) {
            r->st->published++;
            if (r->opts->emit) r->opts->emit(r->opts->ud, j->text, j->len);
        }
    }
    if (!rc && r->st->published) rc = ledger_release(r, js);
    if (!rc) rc = tl_store_commit(n->store);
    if (!rc) { /* committed: sign the heads of the audit trail and the ledger */
        rc = tl__audit_sign_head(n);
        if (!rc && r->st->published) rc = tl_node_ledger_checkpoint(n);
        return rc;
    }
    tl_store_rollback(n->store);
    char why[sizeof n->errmsg];
    snprintf(why, sizeof why, "%s", n->errmsg[0] ? n->errmsg : tl_store_errmsg(n->store));
    tl__node_err(n, "release to %s: %s; nothing was published", r->partner, why);
    return rc;
}

static int by_id(const void *a, const void *b)
{
    const struct job *x = a, *y = b;
    return strcmp(json_string_value(json_object_get(x->obj, "id")),
                  json_string_value(json_object_get(y->obj, "id")));
}

/*
 * Transform, sign, verify and publish everything decided RELEASE. Workers
 * transform and then seal the objects; everything else (explanations,
 * versions against the outbox, the first failure, publication) goes in
 * holding order in this thread, so the result does not depend on threads.
 */
static tl_err compile(struct rel *r)
{
    tl_node *n = r->n;
    tl_release_stats *st = r->st;
    struct jobs js = {r, tl_calloc(r->nh + 1, sizeof *js.j), 0};
    tl_err rc = TL_OK;
    if (!js.j) return TL_ENOMEM;
    for (size_t k = 0; r->h && k < r->nh; k++)
        if (r->h[k].state == RELEASE) {
            js.j[js.n].h = &r->h[k];
            js.j[js.n].original = r->h[k].id;
            js.n++;
        }
    int64_t t0 = tl__now_us();
    tl__parallel_for(js.n, transform_job, &js);
    st->us_transform = tl__now_us() - t0;
    size_t i = 0;
    for (size_t k = 0; r->h && k < r->nh; k++) {
        struct held *h = &r->h[k];
        if (h->state != RELEASE) {
            st->withheld++;
            explain(r, h->id, "withhold", h->rule, h->detail);
            continue;
        }
        struct job *j = &js.j[i++];
        if (j->rc == TL_ESTIX) {
            tl__node_err(n,
                         "release to %s: the tearline copy of %s is not valid STIX (%s); "
                         "nothing was published",
                         r->partner, h->id, j->finding);
            rc = TL_ECONFLICT;
            goto out;
        }
        if (j->rc == TL_EINVAL) {
            tl__node_err(n,
                         "release to %s: %s carries binary content ('%s') that cannot be "
                         "scanned for protected terms; keep it home (NOFORN or TLP:RED) or "
                         "remove the content; nothing was published",
                         r->partner, h->id, j->finding);
            rc = TL_ECONFLICT;
            goto out;
        }
        if ((rc = j->rc)) goto out;
        st->redactions += j->hits;
        if (j->hits)
            snprintf(h->detail, sizeof h->detail, "%zu protected term(s) redacted", j->hits);
        explain(r, h->id, j->changed ? "sanitize" : "release", j->hits ? "redacted" : h->rule,
                h->detail);
    }
    /* the pseudonyms the released objects refer to, in id order */
    size_t nheld = js.n, npseudo = json_object_size(r->pseudonyms);
    if (npseudo) {
        struct job *grown = tl_realloc(js.j, (js.n + npseudo) * sizeof *grown);
        if (!grown) {
            rc = TL_ENOMEM;
            goto out;
        }
        js.j = grown;
        memset(js.j + js.n, 0, npseudo * sizeof *js.j);
        const char *src;
        json_t *p;
        json_object_foreach(r->pseudonyms, src, p)
        {
            js.j[js.n].obj = json_incref(p);
            js.j[js.n].original = "(source pseudonym)";
            js.n++;
        }
        qsort(js.j + nheld, npseudo, sizeof *js.j, by_id);
        st->pseudonyms = npseudo;
    }
    st->released = js.n;
    /* versions against what this partner already has (reads the store: here, in order) */
    t0 = tl__now_us();
    for (i = 0; i < js.n && !r->opts->dry_run; i++) {
        int s = settle_version(r, js.j[i].obj);
        if (s < 0) {
            tl__node_err(n, "release to %s: %s; nothing was published", r->partner,
                         tl_store_errmsg(n->store));
            rc = TL_ESTORE;
            goto out;
        }
        js.j[i].skip = s;
    }
    int64_t t_settle = tl__now_us() - t0;
    t0 = tl__now_us();
    tl__parallel_for(js.n, seal_job, &js);
    int64_t wall = tl__now_us() - t0, cpu_sign = 0, cpu_verify = 0;
    for (i = 0; i < js.n; i++) {
        cpu_sign += js.j[i].us_sign;
        cpu_verify += js.j[i].us_verify;
    }
    /* the wall time of the workers, shared out by what each step cost them */
    st->us_sign = cpu_sign + cpu_verify ? wall * cpu_sign / (cpu_sign + cpu_verify) : 0;
    st->us_verify = wall - st->us_sign;
    t0 = tl__now_us();
    for (i = 0; i < js.n; i++) {
        struct job *j = &js.j[i];
        if (j->rc == TL_ECONFLICT) {
            char field[256] = "";
            locate_finding(r, j->obj, field, sizeof field);
            tl__node_err(n,
                         "release to %s stopped by the verifier: the copy of %s contains %s%s%s%s; "
                         "nothing was published",
                         r->partner, j->original, j->finding, *field ? " in '" : "", field,
                         *field ? "'" : "");
        }
        if ((rc = j->rc)) goto out;
    }
    if (r->opts->dry_run) {
        for (i = 0; i < js.n; i++)
            if (r->opts->emit) r->opts->emit(r->opts->ud, js.j[i].text, js.j[i].len);
    } else {
        rc = publish(r, &js);
    }
    st->us_publish = t_settle + tl__now_us() - t0;
out:
    for (i = 0; i < js.n; i++) {
        json_decref(js.j[i].obj);
        tl_free(js.j[i].text);
    }
    tl_free(js.j);
    return rc;
}

static void free_held(size_t k, void *ctx)
{
    struct held *h = &((struct rel *)ctx)->h[k];
    json_decref(h->obj);
    tl_free(h->text);
    tl_free(h->id);
    tl_free(h->type);
    tl_free(h->originator);
}

tl_err tl_node_release(tl_node *n, const char *partner, const tl_release_opts *opts,
                       tl_release_stats *stats)
{
    static const tl_release_opts defaults;
    tl_release_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!opts) opts = &defaults;
    n->errmsg[0] = '\0';
    if (!tl_party_code_valid(partner) || !strcmp(partner, n->code)) {
        tl__node_err(n, "'%s' is not a partner code", partner ? partner : "");
        return TL_EINVAL;
    }
    struct rel r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.mu, NULL);
    r.n = n;
    r.partner = partner;
    r.opts = opts;
    r.st = stats;
    r.now = opts->now_us ? opts->now_us : tl__now_us();
    tl_err rc = tl_node_agree_in_force(n, partner, r.now, &r.agreement);
    if (rc) {
        char why[600];
        snprintf(why, sizeof why, "%s", n->errmsg);
        tl__node_err(n, "nothing may be released to '%s': %s", partner, why);
        return rc;
    }
    const json_t *doc = tl_agreement_json(r.agreement);
    r.scope = json_object_get(doc, "scope");
    r.rules = json_object_get(doc, "rules");
    r.profile = json_object_get(doc, "profile");
    r.consents = json_object_get(doc, "consents");
    r.index = json_object();
    r.sources = json_object();
    r.in_scope_refs = json_object();
    r.pseudonyms = json_object();
    r.lexicon = tl__lexicon_new();
    r.verifier = tl__verifier_new();
    rc = TL_ENOMEM;
    if (!r.index || !r.sources || !r.in_scope_refs || !r.pseudonyms || !r.lexicon || !r.verifier)
        goto out;
    if ((rc = tl__node_release_secret(n, r.secret))) goto out;
    /*
     * One transaction from the first read to the publication: every decision
     * is made on one snapshot of the holdings, and what is published is
     * exactly what was decided (a dry run rolls it back).
     */
    if ((rc = tl_store_begin(n->store))) {
        tl__node_err(n, "release to %s: %s", partner, tl_store_errmsg(n->store));
        goto out;
    }

    /* select */
    int64_t t0 = tl__now_us();
    const json_t *sf = json_object_get(r.scope, "from"), *su = json_object_get(r.scope, "until");
    if (sf) tl__ts_parse(json_string_value(sf), json_string_length(sf), NULL, NULL, r.from_key);
    if (su) tl__ts_parse(json_string_value(su), json_string_length(su), NULL, NULL, r.until_key);
    const char *tlp_max = json_string_value(json_object_get(r.rules, "tlp_max"));
    const char *pap_max = json_string_value(json_object_get(r.rules, "pap_max"));
    r.tlp_max = tlp_rank(tlp_max ? tlp_max : "clear");
    r.pap_max = pap_max ? tlp_rank(pap_max) : 3; /* no PAP limit unless agreed */
    r.allow_unmarked = json_is_true(json_object_get(r.rules, "allow_unmarked"));
    r.require_rel_to = json_is_true(json_object_get(r.rules, "require_rel_to"));
    if ((rc = tl_node_protect_list(n, term_cb, &r)) || (rc = r.term_rc)) goto out;
    r.protecting = pthread_create(&r.protector, NULL, protect_terms, &r) == 0;
    if (!r.protecting) protect_terms(&r);
    if ((rc = select_and_decide(&r))) goto out;
    stats->us_load = tl__now_us() - t0 - stats->us_decide;
    stats->considered = r.nh;
    if (r.protecting) pthread_join(r.protector, NULL);
    r.protecting = 0;
    if ((rc = r.term_rc)) goto out;
    /* sources are protected by id and by name, whether or not they are held */
    void *iter = json_object_iter(r.sources);
    for (; iter && !rc; iter = json_object_iter_next(r.sources, iter)) {
        const char *src = json_object_iter_key(iter);
        rc = tl__verifier_forbid_id(r.verifier, src);
        struct held *h = find(&r, src);
        const char *name = h ? json_string_value(json_object_get(h->obj, "name")) : NULL;
        if (name && !rc) rc = protect_term(&r, name);
    }
    for (size_t k = 0; r.h && k < r.nh && !rc; k++)
        rc = tl__verifier_forbid_id(r.verifier, r.h[k].id);
    if (!rc) rc = tl__verifier_allow_id(r.verifier, tl_node_identity(n));
    if (rc) goto out;

    t0 = tl__now_us();
    close_refs(&r);
    stats->us_decide += tl__now_us() - t0;
    /* everything the workers share is built before they start */
    if ((rc = tl__lexicon_ready(r.lexicon)) || (rc = tl__verifier_ready(r.verifier))) goto out;
    if ((rc = tl__node_key_for(n, r.agreement, r.sk))) goto out;
    rc = compile(&r);
out:
    if (r.protecting) pthread_join(r.protector, NULL);
    for (size_t i = 0; i < r.nterms; i++)
        tl_free(r.terms[i]);
    tl_free(r.terms);
    tl_store_rollback(n->store); /* nothing, after publication's commit */
    if (rc == TL_ENOMEM && !n->errmsg[0]) tl__node_err(n, "out of memory; nothing was published");
    if (r.h) tl__parallel_for(r.nh, free_held, &r); /* thousands of trees: on the workers */
    tl_free(r.h);
    json_decref(r.index);
    json_decref(r.sources);
    json_decref(r.in_scope_refs);
    json_decref(r.pseudonyms);
    tl__lexicon_free(r.lexicon);
    tl__verifier_free(r.verifier);
    tl_agreement_free(r.agreement);
    sodium_memzero(r.secret, sizeof r.secret);
    sodium_memzero(r.sk, sizeof r.sk);
    pthread_mutex_destroy(&r.mu);
    return rc;
}

tl_err tl_node_trace(tl_node *n, const char *id, tl_trace_cb cb, void *ud)
{
    tl_err rc = tl_store_outbox_trace(n->store, id, cb, ud);
    if (rc == TL_ENOTFOUND)
        tl__node_err(n, "%s was never released by this node", id);
    else if (rc)
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc;
}
