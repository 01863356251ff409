/* cmd_ledger.c: tearline ledger show | verify | note | checkpoint. */
#include "cli.h"

#include "tearline/json.h"
#include "tearline/ledger.h"

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
        json_array_foreach(json_object_get(c, "periods"), k, p)
        {
            printf("  %.10s .. %.10s  %6lld items  %s%s\n",
                   json_string_value(json_object_get(p, "from")),
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
        printf("no signed account from %s yet (it sends one after each pull)\n", p);
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

int cmd_ledger(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"kind", required_argument, NULL, 'k'},
                                         {"partner", required_argument, NULL, 'p'},
                                         {"since", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"now", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *home = NULL, *kind = NULL, *partner = NULL, *since = NULL, *at = NULL;
    int json = 0, c;
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
    if ((!is_show && !is_note && !is_rec && !is_com && strcmp(verb, "verify") != 0 &&
         strcmp(verb, "checkpoint") != 0) ||
        (is_note || is_rec ? operands != 1 : operands != 0) ||
        (!is_show && (kind || since || (json && !is_rec && !is_com))) ||
        (!is_show && !is_note && partner) || (at && !is_com))
        return cli_usage(help, 1);
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
