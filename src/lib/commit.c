/*
 * commit.c: follow-through on the commitments of agreements.
 *
 * A commitment {"party", "topic", "at_least": N, "period": P} says the party
 * shares at least N items on the topic (a label) every period, periods
 * running back to back from the agreement's valid_from. What this node
 * shared counts from its ledger's release entries to the other parties;
 * what a partner shared, from the received entries of what it sent (new
 * objects only). A completed period is met or broken; the current one is
 * met already or lagging. A party that met a period and broke a later one
 * is backtracking, with the dates.
 */
#include "tearline/agree.h"
#include "tearline/json.h"
#include "tearline/ledger.h"

#include "jcs.h"
#include "ledger_int.h"
#include "node_int.h"
#include "ts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The start of period k (0, 1, ...) of a run of periods P<n>{D,W,M,Y} or PT<n>{H,M,S} that
 * begins at base (UTC). Months and years count from base itself, the day
 * kept where the month has it and else its last day (from January 31 by
 * P1M: February 28, March 31, April 30), so periods never drift.
 */
static int64_t period_start(int64_t base, const char *period, int64_t k)
{
    char unit = period[strlen(period) - 1];
    if (period[1] == 'T') { /* PT<n>H, PT<n>M, PT<n>S */
        int64_t s = strtol(period + 2, NULL, 10) * (unit == 'H' ? 3600 : unit == 'M' ? 60 : 1);
        return base + s * k * 1000000LL;
    }
    int64_t n = strtol(period + 1, NULL, 10) * k;
    if (unit == 'D' || unit == 'W') return base + n * (unit == 'W' ? 7 : 1) * 86400000000LL;
    time_t s = (time_t)(base / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    int64_t m = (int64_t)tm.tm_mon + (unit == 'M' ? n : 12 * n);
    tm.tm_year += (int)(m / 12);
    tm.tm_mon = (int)(m % 12);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = tm.tm_year + 1900;
    int last = days[tm.tm_mon] + (tm.tm_mon == 1 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    if (tm.tm_mday > last) tm.tm_mday = last;
    return (int64_t)timegm(&tm) * 1000000 + base % 1000000;
}

/* Shared items on a topic, by time: every counted entry of the ledger. */
struct shared {
    int64_t time;
    int ours;       /* this node shared it (a release) */
    char *party;    /* else the partner that shared it */
    json_t *topics; /* label -> count */
};

struct gather {
    tl_node *n;
    struct shared *s;
    size_t ns, cap;
    int oom;
};

static int gather_entry(const tl_ledger_entry *e, void *ud)
{
    struct gather *g = ud;
    int rel = !strcmp(e->kind, TL_LEDGER_RELEASE), rec = !strcmp(e->kind, TL_LEDGER_RECEIVED);
    if (!rel && !rec) return 0;
    json_t *p = NULL;
    if (tl__json_parse_stored(e->payload, e->payload_len, &p)) return 0;
    json_t *topics = json_incref(json_object_get(p, "topics"));
    json_decref(p);
    if (!json_is_object(topics)) {
        json_decref(topics);
        return 0;
    }
    if (g->ns == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 64;
        struct shared *ns = tl_realloc(g->s, ncap * sizeof *ns);
        if (!ns) {
            json_decref(topics);
            g->oom = 1;
            return 1;
        }
        g->s = ns;
        g->cap = ncap;
    }
    /* a release: this node shared with e->party; received: e->party shared with us */
    g->s[g->ns++] = (struct shared){e->time, rel, NULL, topics};
    if (rec && !(g->s[g->ns - 1].party = tl_strdup(e->party))) g->oom = 1;
    return g->oom;
}

struct eval {
    tl_node *n;
    int64_t now;
    struct gather *g;
    json_t *latest; /* id -> highest countersigned version */
    json_t *out;
    tl_err rc;
};

static int latest_cb(const tl_agreement *a, void *ud)
{
    struct eval *ev = ud;
    if (!tl_agreement_has_party(a, ev->n->code) || !tl_agreement_countersigned(a)) return 0;
    json_int_t v = json_integer_value(json_object_get(ev->latest, tl_agreement_id(a)));
    if (tl_agreement_version(a) > v &&
        json_object_set_new(ev->latest, tl_agreement_id(a),
                            json_integer((json_int_t)tl_agreement_version(a)))) {
        ev->rc = TL_ENOMEM;
        return 1;
    }
    return 0;
}

/* Items party shared on topic in [from, to), toward the other parties of a. */
static json_int_t count(const struct gather *g, const char *me, const char *party,
                        const char *topic, int64_t from, int64_t to)
{
    json_int_t k = 0;
    for (size_t i = 0; i < g->ns; i++) {
        const struct shared *s = &g->s[i];
        if (s->time < from || s->time >= to) continue;
        if (s->ours ? strcmp(party, me) != 0 : strcmp(party, s->party) != 0) continue;
        k += json_integer_value(json_object_get(s->topics, topic));
    }
    return k;
}

static int eval_agreement(const tl_agreement *a, void *ud)
{
    struct eval *ev = ud;
    const char *me = ev->n->code;
    if (!tl_agreement_has_party(a, me) || !tl_agreement_countersigned(a)) return 0;
    if (json_integer_value(json_object_get(ev->latest, tl_agreement_id(a))) !=
        (json_int_t)tl_agreement_version(a))
        return 0; /* a later version replaced it */
    const json_t *cs = json_object_get(tl_agreement_json(a), "commitments");
    size_t i;
    json_t *c;
    json_array_foreach(cs, i, c)
    {
        const char *party = json_string_value(json_object_get(c, "party"));
        const char *topic = json_string_value(json_object_get(c, "topic"));
        const char *period = json_string_value(json_object_get(c, "period"));
        json_int_t want = json_integer_value(json_object_get(c, "at_least"));
        json_t *periods = json_array();
        json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:o, s:n}", "agreement",
                              tl_agreement_id(a), "version", (json_int_t)tl_agreement_version(a),
                              "party", party, "topic", topic, "at_least", want, "period", period,
                              "periods", periods, "backtracking");
        if (!o || json_array_append_new(ev->out, o)) {
            ev->rc = TL_ENOMEM;
            return 1;
        }
        int64_t end = tl_agreement_valid_until(a);
        int64_t last_met_end = 0;
        int flagged = 0;
        int64_t base = tl_agreement_valid_from(a);
        for (int64_t np = 0, from = base; from < end && from <= ev->now; np++) {
            int64_t to = period_start(base, period, np + 1);
            if (to > end) to = end;
            json_int_t k = count(ev->g, me, party, topic, from, to);
            int done = to <= ev->now;
            const char *status = k >= want ? "met" : done ? "broken" : "lagging";
            char f[32], t[32];
            tl__ts_format_ms(from, f);
            tl__ts_format_ms(to, t);
            json_t *p = json_pack("{s:s, s:s, s:I, s:s, s:b}", "from", f, "until", t, "items", k,
                                  "status", status, "complete", done);
            if (!p || json_array_append_new(periods, p)) {
                ev->rc = TL_ENOMEM;
                return 1;
            }
            if (k >= want && done) last_met_end = to;
            if (!strcmp(status, "broken") && last_met_end && !flagged) {
                char m[32];
                tl__ts_format_ms(last_met_end, m);
                json_object_set_new(o, "backtracking",
                                    json_pack("{s:s, s:s, s:s}", "met_until", m, "broke_from", f,
                                              "broke_until", t));
                flagged = 1;
            }
            from = to;
        }
    }
    return 0;
}

tl_err tl_node_ledger_commitments(tl_node *n, int64_t now_us, json_t **out)
{
    *out = NULL;
    n->errmsg[0] = '\0';
    struct gather g = {n, NULL, 0, 0, 0};
    tl_ledger_filter f = {NULL, NULL, 0, 1};
    tl_err rc = tl_node_ledger_list(n, &f, gather_entry, &g);
    if (!rc && g.oom) rc = TL_ENOMEM;
    struct eval ev = {n, now_us ? now_us : tl__now_us(), &g, json_object(), json_array(), TL_OK};
    if (!rc && (!ev.out || !ev.latest)) rc = TL_ENOMEM;
    if (!rc) rc = tl_node_agree_list(n, latest_cb, &ev);
    if (!rc) rc = ev.rc;
    if (!rc) rc = tl_node_agree_list(n, eval_agreement, &ev);
    if (!rc) rc = ev.rc;
    json_decref(ev.latest);
    for (size_t i = 0; i < g.ns; i++) {
        json_decref(g.s[i].topics);
        tl_free(g.s[i].party);
    }
    tl_free(g.s);
    if (rc) {
        json_decref(ev.out);
        if (rc == TL_ENOMEM && !n->errmsg[0]) tl__node_err(n, "out of memory");
        return rc;
    }
    *out = ev.out;
    return TL_OK;
}

/* What identifies a recorded period: the two sides of the check must build it alike. */
static void period_key(char key[600], const char *agreement, const char *party, const char *topic,
                       const char *from)
{
    snprintf(key, 600, "%s %s %s %s", agreement, party, topic, from);
}

static int recorded_cb(const tl_ledger_entry *e, void *ud)
{
    json_t *seen = ud;
    json_t *p = NULL;
    char key[600];
    if (tl__json_parse_stored(e->payload, e->payload_len, &p)) return 0;
    period_key(key, json_string_value(json_object_get(p, "agreement")),
               json_string_value(json_object_get(p, "party")),
               json_string_value(json_object_get(p, "topic")),
               json_string_value(json_object_get(p, "from")));
    json_decref(p);
    return json_object_set_new(seen, key, json_true()) != 0;
}

tl_err tl_node_ledger_commitments_record(tl_node *n, const json_t *evaluation, size_t *added)
{
    *added = 0;
    json_t *seen = json_object();
    if (!seen) return TL_ENOMEM;
    tl_ledger_filter f = {TL_LEDGER_COMMITMENT, NULL, 0, 1};
    tl_err rc = tl_node_ledger_list(n, &f, recorded_cb, seen);
    if (!rc) rc = tl_store_begin(n->store);
    size_t i, k;
    json_t *c, *p;
    json_array_foreach(evaluation, i, c)
    {
        const char *aid = json_string_value(json_object_get(c, "agreement"));
        const char *party = json_string_value(json_object_get(c, "party"));
        const char *topic = json_string_value(json_object_get(c, "topic"));
        json_array_foreach(json_object_get(c, "periods"), k, p)
        {
            if (rc || !json_is_true(json_object_get(p, "complete"))) continue;
            const char *from = json_string_value(json_object_get(p, "from"));
            char key[600], summary[300];
            period_key(key, aid, party, topic, from);
            if (json_object_get(seen, key)) continue;
            const json_t *bt = json_object_get(c, "backtracking");
            int backtracked = json_is_object(bt) &&
                              !strcmp(json_string_value(json_object_get(bt, "broke_from")), from);
            json_t *e =
                json_pack("{s:s, s:O, s:s, s:s, s:O, s:O, s:s, s:O, s:O, s:O, s:b}", "agreement",
                          aid, "version", json_object_get(c, "version"), "party", party, "topic",
                          topic, "at_least", json_object_get(c, "at_least"), "period",
                          json_object_get(c, "period"), "from", from, "until",
                          json_object_get(p, "until"), "items", json_object_get(p, "items"),
                          "status", json_object_get(p, "status"), "backtracking", backtracked);
            char *text = NULL;
            size_t len = 0;
            rc = e ? tl_json_canonical(e, &text, &len) : TL_ENOMEM;
            json_decref(e);
            if (rc) break;
            snprintf(summary, sizeof summary, "%s: %lld of %lld items on %s from %s: %s%s", party,
                     (long long)json_integer_value(json_object_get(p, "items")),
                     (long long)json_integer_value(json_object_get(c, "at_least")), topic, from,
                     json_string_value(json_object_get(p, "status")),
                     backtracked ? " (backtracking)" : "");
            rc = tl__ledger_append(n, TL_LEDGER_COMMITMENT, party, summary, text, len, NULL);
            tl_free(text);
            if (!rc) (*added)++;
        }
    }
    json_decref(seen);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl_store_rollback(n->store);
        if (!n->errmsg[0]) tl__node_err(n, "ledger: %s", tl_store_errmsg(n->store));
        return rc;
    }
    return *added ? tl_node_ledger_checkpoint(n) : TL_OK;
}
