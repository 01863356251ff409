/* cmd_audit.c: tearline audit [verify]. */
#include "cli.h"

#include "tearline/audit.h"
#include "tearline/json.h"

#include <string.h>

static const char help[] =
    "usage: tearline audit [--home DIR] [--partner CODE] [--since TS] [--json]\n"
    "       tearline audit [--home DIR] verify\n"
    "\n"
    "The audit trail: every release decision (object, partner, decision,\n"
    "rule), every TAXII request (partner, endpoint, status) and every\n"
    "administrative action, hash-chained. The first form lists records\n"
    "(--json: one JSON object per line); 'verify' checks the chain and names\n"
    "the first bad record: exit 0 if intact, 1 if not.\n";

static int print_rec(const tl_audit_entry *e, void *ud)
{
    int json = *(int *)ud;
    char full[32];
    tl_timestamp_format(e->time, full);
    if (!json) {
        printf("%8lld  %s  %-8s %-14s %s  %s%s%s\n", (long long)e->seq, full,
               *e->partner ? e->partner : "-", e->action, e->object, e->rule,
               *e->detail ? ": " : "", e->detail);
        return 0;
    }
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)e->seq, "time",
                          full, "partner", e->partner, "object", e->object, "action", e->action,
                          "rule", e->rule, "detail", e->detail);
    cli_print_json(o, 0);
    json_decref(o);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"partner", required_argument, NULL, 'p'},
                                         {"since", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *home = NULL, *partner = NULL, *since = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
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
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    int verify = optind < argc && !strcmp(argv[optind], "verify");
    if (argc - optind != verify || (verify && (partner || since || json)))
        return cli_usage(help, 1);
    int64_t since_us = 0;
    if (cli_time_opt("audit", "--since", since, &since_us)) return EXIT_BADINPUT;
    int code;
    tl_node *n = cli_open("audit", home, &code);
    if (!n) return code;
    tl_err rc;
    int status = EXIT_OK;
    if (verify) {
        tl_audit_report rep;
        rc = tl_node_audit_verify(n, &rep);
        if (!rc) {
            printf("the audit trail verifies: %lld records", (long long)rep.records);
            if (rep.unchained)
                printf(" (%lld from before it was chained)", (long long)rep.unchained);
            printf("\n");
        } else if (rc == TL_ECONFLICT) {
            printf("the audit trail does NOT verify: %s\n", rep.problem);
            rc = TL_OK;
            status = EXIT_FAIL;
        }
    } else {
        rc = tl_node_audit_list(n, partner, since_us, print_rec, &json);
    }
    if (rc) cli_error("audit", "%s", tl_node_errmsg(n));
    tl_node_close(n);
    return rc ? cli_exit_code(rc) : status;
}
