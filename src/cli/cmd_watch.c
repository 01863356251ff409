/* cmd_watch.c: tearline watch add|list|run|alerts (docs/watch.md). */
#include "cli.h"

#include "tearline/watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline watch add FILE [--replace]\n"
    "       tearline watch list [--json]\n"
    "       tearline watch run [--json]\n"
    "       tearline watch alerts [--rule NAME] [--after SEQ] [--json]\n"
    "\n"
    "Watchlists over the fused holdings (docs/watch.md). A rule (a JSON file)\n"
    "names the persons or groups to watch, the claims they must have ('all'),\n"
    "must not have ('none') and the new reporting that raises an alert ('new').\n"
    "Rules run after every ingest, pull and fuse, on what is new; 'run' runs\n"
    "them now. An alert keeps the claims that triggered it and their sources (a\n"
    "partner's by its pseudonym). Echoes of our own reporting never trigger.\n";

static void print_claim_line(const json_t *c)
{
    const json_t *o = json_object_get(c, "object");
    printf("      %s %s %s  (%s, %s, %s)\n", cli_str(c, "holding"), cli_str(c, "predicate"),
           json_is_object(o) ? cli_str(o, "name") : "", cli_str(c, "origin"), cli_str(c, "root"),
           cli_str(c, "from"));
}

static void print_alerts(const json_t *list)
{
    size_t i, k, j;
    json_t *a, *cl, *c;
    printf("%zu alert(s)\n", json_array_size(list));
    json_array_foreach(list, i, a)
    {
        const json_t *e = json_object_get(a, "entity");
        printf("\n#%lld %s  %s: %s (%s)\n",
               (long long)json_integer_value(json_object_get(a, "seq")), cli_str(a, "time"),
               cli_str(a, "rule"), cli_str(e, "name"), cli_str(e, "id"));
        const json_t *ev = json_object_get(a, "evidence");
        json_array_foreach(json_object_get(ev, "all"), k, cl)
        {
            printf("    because (clause %zu):\n", k + 1);
            json_array_foreach(cl, j, c) print_claim_line(c);
        }
        printf("    new:\n");
        json_array_foreach(json_object_get(ev, "new"), j, c) print_claim_line(c);
    }
}

void cli_watch_after(tl_node *n, int quiet)
{
    if (!tl_node_watch_any(n)) return;
    tl_watch_stats st;
    if (tl_node_watch_run(n, &st)) {
        cli_error("watch", "the watchlists did not run: %s", tl_node_errmsg(n));
        return;
    }
    if (st.alerts && !quiet)
        printf("watch: %llu new alert(s) (tearline watch alerts)\n", (unsigned long long)st.alerts);
}

int cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"replace", no_argument, NULL, 'r'},
                                         {"rule", required_argument, NULL, 'R'},
                                         {"after", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    const char *home = NULL, *rule = NULL;
    int json = 0, replace = 0, c;
    long long after = 0;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'r':
            replace = 1;
            break;
        case 'R':
            rule = optarg;
            break;
        case 'a':
            errno = 0;
            after = strtoll(optarg, &end, 10);
            if (errno || *end || !*optarg || after < 0) {
                cli_error("watch", "--after must be an alert number, not '%s'", optarg);
                return EXIT_BADINPUT;
            }
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind >= argc) return cli_usage(help, 1);
    const char *verb = argv[optind++];
    int nargs = argc - optind;
    int ok = (!strcmp(verb, "add") && nargs == 1) || (!strcmp(verb, "list") && nargs == 0) ||
             (!strcmp(verb, "run") && nargs == 0) || (!strcmp(verb, "alerts") && nargs == 0);
    if (!ok || (replace && strcmp(verb, "add") != 0) ||
        ((rule || after) && strcmp(verb, "alerts") != 0))
        return cli_usage(help, 1);
    int code;
    tl_node *n = cli_open("watch", home, &code);
    if (!n) return code;
    tl_err rc = TL_OK;
    json_t *res = NULL;
    if (!strcmp(verb, "add")) {
        char name[128];
        rc = tl_node_watch_add_file(n, argv[optind], replace, name);
        if (!rc) printf("watching: %s\n", name);
        if (!rc) cli_watch_after(n, 0);
    } else if (!strcmp(verb, "list")) {
        if (!(rc = tl_node_watch_list(n, &res))) {
            if (json) {
                cli_print_json(res, 1);
            } else {
                size_t i;
                json_t *r;
                json_array_foreach(res, i, r)
                {
                    const json_t *d = json_object_get(json_object_get(r, "rule"), "description");
                    printf("%s  (added %s)%s%s\n", cli_str(r, "name"), cli_str(r, "added"),
                           d ? ": " : "", d ? json_string_value(d) : "");
                }
            }
        }
    } else if (!strcmp(verb, "run")) {
        tl_watch_stats st;
        if (!(rc = tl_node_watch_run(n, &st))) {
            if (json) {
                res = json_pack("{s:I, s:I, s:I, s:I}", "rules", (json_int_t)st.rules, "holdings",
                                (json_int_t)st.holdings, "new_claims", (json_int_t)st.new_claims,
                                "alerts", (json_int_t)st.alerts);
                cli_print_json(res, 1);
            } else {
                printf("%llu rule(s) over %llu new holding(s): %llu new alert(s)\n",
                       (unsigned long long)st.rules, (unsigned long long)st.holdings,
                       (unsigned long long)st.alerts);
            }
        }
    } else if (!(rc = tl_node_watch_alerts(n, rule, after, &res))) {
        if (json)
            cli_print_json(res, 1);
        else
            print_alerts(res);
    }
    json_decref(res);
    if (rc) {
        cli_error("watch", "%s", tl_node_errmsg(n));
        code = cli_exit_code(rc);
    } else {
        code = EXIT_OK;
    }
    tl_node_close(n);
    return code;
}
