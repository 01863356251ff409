/* cmd_ledger.c: tearline ledger show | verify | note | checkpoint | reconcile | commitments |
 * balance. */
#include "cli.h"

#include "tearline/json.h"
#include "tearline/ledger.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline ledger [--home DIR] show [--kind KIND] [--partner CODE] [--since TS]\n"
    "                                          [--json]\n"
    "       tearline ledger [--home DIR] verify\n"
    "       tearline ledger [--home DIR] note [--partner CODE] TEXT\n"
    "       tearline ledger [--home DIR] checkpoint\n"
    "       tearline ledger [--home DIR] reconcile CODE [--json]\n"
    "       tearline ledger [--home DIR] commitments [--json] [--now TS]\n"
    "       tearline ledger [--home DIR] balance [--partner CODE] [--by period|topic|type]\n"
    "                       [--period day|week|month|year] [--json] [--explain] [--svg FILE]\n"
    "\n"
    "The node's ledger: an append-only, hash-chained record of agreements\n"
    "signed, releases, what was received, receipts and notes, its head signed\n"
    "at checkpoints. 'show' lists entries (--json: one JSON object per line,\n"
    "payload included). 'verify' checks every link, digest, hash and signed\n"
    "checkpoint, and names the first bad entry: exit 0 if intact, 1 if not.\n"
    "'note' appends an operator's note. 'checkpoint' signs the head now.\n"
    "'reconcile' compares this node's records of the exchange with partner\n"
    "CODE with the receipts and the signed account of its ledger it sent, and\n"
    "lists every discrepancy: exit 0 if there is none, 1 if there are.\n"
    "'commitments' evaluates each party's commitments per period (met,\n"
    "lagging or broken; a party that met and then stopped is flagged as\n"
    "backtracking, with the dates) and records completed periods in the\n"
    "ledger; --now evaluates as of another time and records nothing.\n"
    "'balance' sums what was given to and received from each partner, each\n"
    "object valued as type weight x credibility x novelty x corroboration\n"
    "(docs/ledger.md), per period (default: month, UTC), topic or type; net is\n"
    "received - given. --explain lists every object's factors; --svg draws\n"
    "the cumulative net over time.\n"
    "Kinds: agreement, consent, release, received, receipt, acknowledged, note.\n";

struct show {
    int json;
    unsigned long n;
};

static int print_entry(const tl_ledger_entry *e, void *ud)
{
    struct show *s = ud;
    char ts[32];
    s->n++;
    tl_timestamp_format(e->time, ts);
    memcpy(ts + 19, "Z", 2); /* to the second */
    if (!s->json) {
        printf("%6lld  %s  %-12s %-8s %s\n", (long long)e->seq, ts, e->kind,
               *e->party ? e->party : "-", e->summary);
        return 0;
    }
    json_t *payload = NULL;
    char msg[64];
    if (tl_json_parse(e->payload, e->payload_len, &payload, msg, sizeof msg)) payload = NULL;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o?}", "seq", (json_int_t)e->seq, "time",
                          ts, "kind", e->kind, "party", e->party, "summary", e->summary, "hash",
                          e->hash, "payload", payload);
    cli_print_json(o, 0);
    json_decref(o);
    return 0;
}

/* Prints an evaluation of commitments. */
static void commitments_report(const json_t *ev, size_t added)
{
    size_t i, k;
    json_t *c, *p;
    json_array_foreach(ev, i, c)
    {
        printf("%s v%lld: %s shares at least %lld items on %s every %s\n",
               json_string_value(json_object_get(c, "agreement")),
               (long long)json_integer_value(json_object_get(c, "version")),
               json_string_value(json_object_get(c, "party")),
               (long long)json_integer_value(json_object_get(c, "at_least")),
               json_string_value(json_object_get(c, "topic")),
               json_string_value(json_object_get(c, "period")));
        /* days for calendar periods; the time too for PT<n>{H,M,S} */
        const char *per = json_string_value(json_object_get(c, "period"));
        int w = per && per[1] == 'T' ? 19 : 10;
        json_array_foreach(json_object_get(c, "periods"), k, p)
        {
            printf("  %.*s .. %.*s  %6lld items  %s%s\n", w,
                   json_string_value(json_object_get(p, "from")), w,
                   json_string_value(json_object_get(p, "until")),
                   (long long)json_integer_value(json_object_get(p, "items")),
                   json_string_value(json_object_get(p, "status")),
                   json_is_true(json_object_get(p, "complete")) ? "" : " (in progress)");
        }
        const json_t *bt = json_object_get(c, "backtracking");
        if (json_is_object(bt))
            printf("  BACKTRACKING: %s met the commitment until %s, then broke it from %s to %s\n",
                   json_string_value(json_object_get(c, "party")),
                   json_string_value(json_object_get(bt, "met_until")),
                   json_string_value(json_object_get(bt, "broke_from")),
                   json_string_value(json_object_get(bt, "broke_until")));
    }
    if (!json_array_size(ev)) printf("no commitments in the agreements in force\n");
    if (added) printf("%zu completed periods recorded in the ledger\n", added);
}

/* Prints a reconciliation; EXIT_FAIL if it found discrepancies. */
static int reconcile_report(const json_t *rep, int json)
{
    const json_t *found = json_object_get(rep, "discrepancies");
    if (json) {
        cli_print_json(rep, 1);
        return json_array_size(found) ? EXIT_FAIL : EXIT_OK;
    }
    const char *p = json_string_value(json_object_get(rep, "partner"));
    printf("reconcile with %s: released %lld, acknowledged by %s %lld; received %lld, "
           "acknowledged by us %lld\n",
           p, (long long)json_integer_value(json_object_get(rep, "released")), p,
           (long long)json_integer_value(json_object_get(rep, "acknowledged")),
           (long long)json_integer_value(json_object_get(rep, "received")),
           (long long)json_integer_value(json_object_get(rep, "acknowledged_by_us")));
    const json_t *w = json_object_get(rep, "witness");
    if (json_is_object(w))
        printf("%s's signed account: its ledger at entry %lld, head %.16s..., made %s\n", p,
               (long long)json_integer_value(json_object_get(w, "x_seq")),
               json_string_value(json_object_get(w, "x_head")),
               json_string_value(json_object_get(w, "created")));
    else
        printf("no signed account from %s yet (one comes with every pull between the two nodes)\n",
               p);
    size_t i;
    json_t *f;
    json_array_foreach(found, i, f)
    {
        printf("DISCREPANCY: %s\n", json_string_value(json_object_get(f, "message")));
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(f, "sample"), k, s)
        {
            printf("  %s\n", json_string_value(s));
        }
    }
    if (!json_array_size(found)) printf("no discrepancies\n");
    return json_array_size(found) ? EXIT_FAIL : EXIT_OK;
}

static double num(const json_t *o, const char *side, const char *k)
{
    const json_t *v = side ? json_object_get(json_object_get(o, side), k) : json_object_get(o, k);
    return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* Prints a balance as tables, one per partner. */
static void balance_report(const json_t *bal)
{
    const char *by = json_string_value(json_object_get(bal, "by"));
    size_t i, k;
    json_t *p, *r;
    json_t *objs = json_object_get(bal, "objects");
    json_array_foreach(objs, i, r)
    {
        printf("%.19sZ %-8s %-8s %s %s  %.2f x %.2f x %.1f x %.1f = %.3f  (%s)\n",
               json_string_value(json_object_get(r, "time")),
               json_string_value(json_object_get(r, "direction")),
               json_string_value(json_object_get(r, "partner")),
               json_string_value(json_object_get(r, "id")),
               json_string_value(json_object_get(r, "version")), num(r, NULL, "weight"),
               num(r, NULL, "credibility"), num(r, NULL, "novelty"), num(r, NULL, "corroboration"),
               num(r, NULL, "value"), json_string_value(json_object_get(r, "why")));
    }
    json_array_foreach(json_object_get(bal, "partners"), i, p)
    {
        printf("%s%s: given %lld objects worth %.3f, received %lld worth %.3f, net %+.3f\n",
               i || json_array_size(objs) ? "\n" : "",
               json_string_value(json_object_get(p, "partner")),
               (long long)num(p, "given", "objects"), num(p, "given", "value"),
               (long long)num(p, "received", "objects"), num(p, "received", "value"),
               num(p, NULL, "net"));
        printf("  %-24s %8s %10s %8s %10s %10s\n", by, "given", "value", "received", "value",
               "net");
        json_array_foreach(json_object_get(p, "rows"), k, r)
        {
            printf("  %-24s %8lld %10.3f %8lld %10.3f %+10.3f\n",
                   json_string_value(json_object_get(r, "key")),
                   (long long)num(r, "given", "objects"), num(r, "given", "value"),
                   (long long)num(r, "received", "objects"), num(r, "received", "value"),
                   num(r, NULL, "net"));
        }
    }
    if (!json_array_size(json_object_get(bal, "partners")))
        printf("nothing given or received yet\n");
}

/* Writes text with the characters XML reserves escaped. */
static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/*
 * Draws the cumulative net (received - given) of each partner over the
 * periods as an SVG line chart: one line per partner, a point per period
 * with its figures as a tooltip, the zero line, the periods along the bottom.
 */
static int balance_svg(const json_t *bal, const char *path)
{
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                          "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
    const double W = 760, H = 380, L = 70, R = 150, T = 40, B = 60;
    /* the periods along the bottom, in order, and the lines' extent */
    const json_t *keys = json_object_get(bal, "keys");
    size_t nk = json_array_size(keys);
    json_t *at = json_object(); /* period -> its place along the bottom */
    size_t i, k;
    json_t *p, *r;
    json_array_foreach(keys, k, p)
    {
        json_object_set_new(at, json_string_value(p), json_integer((json_int_t)k));
    }
    double lo = 0, hi = 0;
    json_array_foreach(json_object_get(bal, "partners"), i, p)
    {
        json_array_foreach(json_object_get(p, "rows"), k, r)
        {
            double c = num(r, NULL, "cumulative");
            lo = c < lo ? c : lo;
            hi = c > hi ? c : hi;
        }
    }
    if (hi - lo < 1e-9) hi = lo + 1;
    double pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    FILE *f = fopen(path, "w");
    if (!f) {
        json_decref(at);
        return -1;
    }
#define X(i) (L + (nk > 1 ? (double)(i) * (W - L - R) / (double)(nk - 1) : (W - L - R) / 2))
#define Y(v) (T + (hi - (v)) * (H - T - B) / (hi - lo))
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<title>Balance of the exchange: cumulative net value (received - given) per "
            "%s</title>\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
            "<text x=\"%.0f\" y=\"22\" font-size=\"15\">Balance of the exchange: received - given, "
            "cumulative, by %s</text>\n",
            W, H, W, H, json_string_value(json_object_get(bal, "period")), L,
            json_string_value(json_object_get(bal, "period")));
    /* axes, the zero line, value ticks */
    fprintf(f, "<g stroke=\"#888\" fill=\"none\">\n<path d=\"M%.1f %.1f V%.1f H%.1f\"/>\n", L, T,
            H - B, W - R);
    fprintf(f, "<path d=\"M%.1f %.1f H%.1f\" stroke-dasharray=\"4 3\"/>\n</g>\n", L, Y(0), W - R);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#888\">even</text>\n", L + 4, Y(0) - 4);
    for (int t = 0; t <= 4; t++) {
        double tick = lo + (hi - lo) * t / 4;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6,
                Y(tick) + 4, tick);
    }
    size_t every = nk > 12 ? (nk + 11) / 12 : 1;
    for (k = 0; k < nk; k++) {
        if (k % every) continue;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", X(k), H - B + 18);
        xml_text(f, json_string_value(json_array_get(keys, k)));
        fputs("</text>\n", f);
    }
    json_array_foreach(json_object_get(bal, "partners"), i, p)
    {
        const char *code = json_string_value(json_object_get(p, "partner"));
        const char *colour = colours[i % (sizeof colours / sizeof *colours)];
        fprintf(f, "<g class=\"partner\" data-partner=\"");
        xml_text(f, code);
        fprintf(
            f,
            "\" stroke=\"%s\" fill=\"%s\">\n<polyline fill=\"none\" stroke-width=\"2\" points=\"",
            colour, colour);
        json_array_foreach(json_object_get(p, "rows"), k, r)
        {
            json_int_t x = json_integer_value(
                json_object_get(at, json_string_value(json_object_get(r, "key"))));
            fprintf(f, "%s%.1f,%.1f", k ? " " : "", X(x), Y(num(r, NULL, "cumulative")));
        }
        fputs("\"/>\n", f);
        json_array_foreach(json_object_get(p, "rows"), k, r)
        {
            json_int_t x = json_integer_value(
                json_object_get(at, json_string_value(json_object_get(r, "key"))));
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>", X(x),
                    Y(num(r, NULL, "cumulative")));
            xml_text(f, code);
            fputc(' ', f);
            xml_text(f, json_string_value(json_object_get(r, "key")));
            fprintf(f,
                    ": given %.3f, received %.3f, net %+.3f, cumulative %+.3f</title></circle>\n",
                    num(r, "given", "value"), num(r, "received", "value"), num(r, NULL, "net"),
                    num(r, NULL, "cumulative"));
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" stroke=\"none\">", W - R + 12,
                T + 16 + 18 * (double)i);
        xml_text(f, code);
        fprintf(f, " %+.3f</text>\n</g>\n", num(p, NULL, "net"));
    }
    fputs("</svg>\n", f);
#undef X
#undef Y
    json_decref(at);
    return fclose(f) == 0 ? 0 : -1;
}

int cmd_ledger(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"kind", required_argument, NULL, 'k'},
                                         {"partner", required_argument, NULL, 'p'},
                                         {"since", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"now", required_argument, NULL, 'n'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"period", required_argument, NULL, 'P'},
                                         {"explain", no_argument, NULL, 'e'},
                                         {"svg", required_argument, NULL, 'g'},
                                         {NULL, 0, NULL, 0}};
    const char *home = NULL, *kind = NULL, *partner = NULL, *since = NULL, *at = NULL;
    const char *by = NULL, *period = NULL, *svg = NULL;
    int json = 0, explain = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'k':
            kind = optarg;
            break;
        case 'p':
            partner = optarg;
            break;
        case 's':
            since = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'n':
            at = optarg;
            break;
        case 'b':
            by = optarg;
            break;
        case 'P':
            period = optarg;
            break;
        case 'e':
            explain = 1;
            break;
        case 'g':
            svg = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind >= argc) return cli_usage(help, 1);
    const char *verb = argv[optind++];
    int operands = argc - optind;
    int is_show = !strcmp(verb, "show"), is_note = !strcmp(verb, "note");
    int is_rec = !strcmp(verb, "reconcile"), is_com = !strcmp(verb, "commitments");
    int is_bal = !strcmp(verb, "balance");
    if ((!is_show && !is_note && !is_rec && !is_com && !is_bal && strcmp(verb, "verify") != 0 &&
         strcmp(verb, "checkpoint") != 0) ||
        (is_note || is_rec ? operands != 1 : operands != 0) ||
        (!is_show && (kind || since || (json && !is_rec && !is_com && !is_bal))) ||
        (!is_show && !is_note && !is_bal && partner) || (at && !is_com) ||
        (!is_bal && (by || period || explain || svg)))
        return cli_usage(help, 1);
    tl_balance_opts bo = {partner, TL_BALANCE_BY_PERIOD, period, explain};
    if (by && !strcmp(by, "topic")) {
        bo.by = TL_BALANCE_BY_TOPIC;
    } else if (by && !strcmp(by, "type")) {
        bo.by = TL_BALANCE_BY_TYPE;
    } else if (by && strcmp(by, "period") != 0) {
        cli_error("ledger", "--by '%s' is not period, topic or type", by);
        return EXIT_BADINPUT;
    }
    if (svg && bo.by != TL_BALANCE_BY_PERIOD) {
        cli_error("ledger", "--svg draws the balance over time: use it with --by period");
        return EXIT_BADINPUT;
    }
    int64_t at_us = 0;
    tl_ledger_filter f = {kind, partner, 0, json};
    if (cli_time_opt("ledger", "--now", at, &at_us) ||
        cli_time_opt("ledger", "--since", since, &f.since_us))
        return EXIT_BADINPUT;
    int code;
    tl_node *n = cli_open("ledger", home, &code);
    if (!n) return code;
    tl_err rc;
    int status = EXIT_OK;
    if (is_show) {
        struct show s = {json, 0};
        rc = tl_node_ledger_list(n, &f, print_entry, &s);
        if (!rc && !json) printf("%lu entries\n", s.n);
    } else if (is_note) {
        int64_t seq = 0;
        rc = tl_node_ledger_note(n, partner, argv[optind], &seq);
        if (!rc) printf("entry %lld\n", (long long)seq);
    } else if (is_com) {
        json_t *ev = NULL;
        size_t added = 0;
        rc = tl_node_ledger_commitments(n, at_us, &ev);
        if (!rc && !at) rc = tl_node_ledger_commitments_record(n, ev, &added);
        if (!rc && json) {
            cli_print_json(ev, 1);
        } else if (!rc) {
            commitments_report(ev, added);
        }
        json_decref(ev);
    } else if (is_bal) {
        json_t *bal = NULL;
        rc = tl_node_ledger_balance(n, &bo, &bal);
        if (!rc && svg && balance_svg(bal, svg) != 0) {
            cli_error("ledger", "%s: cannot write: %s", svg, strerror(errno));
            status = EXIT_FAIL;
        }
        if (!rc && json) {
            cli_print_json(bal, 1);
        } else if (!rc) {
            balance_report(bal);
        }
        json_decref(bal);
    } else if (is_rec) {
        json_t *rep = NULL;
        rc = tl_node_ledger_reconcile(n, argv[optind], &rep);
        if (!rc) status = reconcile_report(rep, json);
        json_decref(rep);
    } else if (!strcmp(verb, "checkpoint")) {
        rc = tl_node_ledger_checkpoint(n);
        if (!rc) printf("head signed\n");
    } else {
        tl_ledger_report rep;
        rc = tl_node_ledger_verify(n, &rep);
        if (!rc) {
            printf("the ledger verifies: %lld entries, %lld signed checkpoints\n",
                   (long long)rep.entries, (long long)rep.checkpoints);
        } else if (rc == TL_ECONFLICT) {
            printf("the ledger does NOT verify: %s\n", rep.problem);
            rc = TL_OK;
            status = EXIT_FAIL;
        }
    }
    if (rc) cli_error("ledger", "%s", tl_node_errmsg(n));
    tl_node_close(n);
    return rc ? cli_exit_code(rc) : status;
}
