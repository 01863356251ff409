/*
 * cmd_fusion.c: tearline fuse [--rebuild], assess ENTITY, contradictions,
 * partners; each with --json (docs/fusion.md).
 */
#include "cli.h"

#include "tearline/fusion.h"

#include <stdio.h>
#include <string.h>

static const char fuse_help[] =
    "usage: tearline fuse [--home DIR] [--json] [--rebuild]\n"
    "\n"
    "Takes the claims of the holdings added since the last run (relationships,\n"
    "sightings, the status and characterization of persons and groups), each\n"
    "with its root source and Admiralty ratings, and marks a partner's claims\n"
    "that echo what we released to it. --rebuild takes them from every holding\n"
    "again. 'tearline assess', 'contradictions' and 'partners' read the result.\n";

static const char assess_help[] =
    "usage: tearline assess [--home DIR] [--json] ENTITY\n"
    "\n"
    "What the claims held say about one person or group (ENTITY: the id of any\n"
    "object resolved into it, or a name in any script): each claim's fused\n"
    "opinion (belief, disbelief, uncertainty), its independent sources, the\n"
    "echoes of our own reporting left out, contradictions and framing.\n";

static const char contra_help[] =
    "usage: tearline contradictions [--home DIR] [--json]\n"
    "\n"
    "Every contradiction among the claims held (one person in two places in\n"
    "one time window, two leaders of one group, alive and dead, members of two\n"
    "rival groups), with the evidence on each side. None is resolved.\n";

static const char partners_help[] =
    "usage: tearline partners [--home DIR] [--json]\n"
    "\n"
    "Each partner's record: its claims confirmed or refuted by our own firm\n"
    "reporting, the Beta reputation with forgetting, overall and by topic,\n"
    "the trust its claims are weighed with, its echoes, and where it frames an\n"
    "entity in terms no other source uses.\n";

struct args {
    const char *home;
    int json, rebuild;
    const char *arg;
};

/* Parses the options every fusion command takes; -1 on a usage error (printed). */
static int parse(int argc, char **argv, const char *help, int nargs, int rebuild_ok, struct args *a,
                 int *code)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"rebuild", no_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            a->home = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'r':
            if (!rebuild_ok) {
                *code = cli_usage(help, 1);
                return -1;
            }
            a->rebuild = 1;
            break;
        case 'h':
            *code = cli_usage(help, 0);
            return -1;
        default:
            *code = cli_usage(help, 1);
            return -1;
        }
    }
    if (argc - optind != nargs) {
        *code = cli_usage(help, 1);
        return -1;
    }
    a->arg = nargs ? argv[optind] : NULL;
    return 0;
}

static void print_opinion(const json_t *op)
{
    printf("b %.3f  d %.3f  u %.3f  (P %.3f)", cli_num(op, "b"), cli_num(op, "d"), cli_num(op, "u"),
           cli_num(op, "p"));
}

static const char *name_of(const json_t *key)
{
    if (!json_is_object(key)) return "";
    const char *n = cli_str(key, "name");
    return *n ? n : cli_str(key, "id");
}

/* "subject predicate object" (no object for a claim without one). */
static void print_claim(const json_t *c)
{
    const char *o = name_of(json_object_get(c, "object"));
    printf("%s %s%s%s", name_of(json_object_get(c, "subject")), cli_str(c, "predicate"),
           *o ? " " : "", o);
}

static void print_report(const json_t *c, const char *indent)
{
    const char *to = cli_str(c, "to"), *from = cli_str(c, "from");
    int span = *to && strcmp(to, from) != 0;
    printf("%s%s  %s  %s%lld  %s%s%s", indent, cli_str(c, "holding"), cli_str(c, "origin"),
           cli_str(c, "reliability"),
           (long long)json_integer_value(json_object_get(c, "credibility")), from,
           span ? " to " : "", span ? to : "");
    if (json_object_get(c, "outcome")) printf("  %s", cli_str(c, "outcome"));
    if (json_object_get(c, "echo_of"))
        printf("  echo of %s (%s)", cli_str(c, "echo_of"), cli_str(c, "echo_why"));
    printf("\n");
}

static void print_contradiction(const json_t *ct)
{
    printf("%s: %s\n", cli_str(ct, "kind"), name_of(json_object_get(ct, "subject")));
    size_t i, k;
    json_t *side, *e;
    json_array_foreach(json_object_get(ct, "sides"), i, side)
    {
        printf("  ");
        print_claim(side);
        printf("  ");
        print_opinion(json_object_get(side, "opinion"));
        printf("\n");
        json_array_foreach(json_object_get(side, "evidence"), k, e) print_report(e, "    ");
    }
}

static void print_framing(const json_t *fr)
{
    printf("framing: %s characterizes %s as", cli_str(fr, "partner"),
           cli_str(json_object_get(fr, "entity"), "name"));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(fr, "only_partner"), i, t)
        printf(" '%s'", json_string_value(t));
    printf("; no other source does (others:");
    const char *who;
    json_object_foreach(json_object_get(fr, "others"), who, t)
    {
        printf(" %s", who);
        size_t j;
        json_t *u;
        json_array_foreach(t, j, u) printf(" '%s'", json_string_value(u));
    }
    printf(")\n");
}

static void print_assessment(const json_t *res)
{
    const json_t *ent = json_object_get(res, "entity");
    printf("%s  %s\n", cli_str(ent, "name"), cli_str(ent, "id"));
    size_t i, k, r;
    json_t *m, *c, *s, *e;
    json_array_foreach(json_object_get(ent, "members"), i, m)
    {
        const char *o = cli_str(m, "origin");
        printf("  known as %s  %s  (%s)\n", cli_str(m, "name"), cli_str(m, "id"), *o ? o : "ours");
    }
    json_array_foreach(json_object_get(res, "claims"), i, c)
    {
        printf("\n");
        print_claim(c);
        printf("\n  ");
        print_opinion(json_object_get(c, "opinion"));
        long long n = (long long)json_integer_value(json_object_get(c, "independent_sources"));
        printf("  %lld independent source%s%s\n", n, n == 1 ? "" : "s",
               json_is_true(json_object_get(c, "corroborated")) ? ", corroborated" : "");
        json_array_foreach(json_object_get(c, "sources"), k, s)
        {
            printf("  source %s\n", cli_str(s, "root"));
            json_array_foreach(json_object_get(s, "reports"), r, e) print_report(e, "    ");
        }
        json_array_foreach(json_object_get(c, "echoes"), k, e)
        {
            printf("  echo (not counted):\n");
            print_report(e, "    ");
        }
    }
    json_array_foreach(json_object_get(res, "contradictions"), i, c)
    {
        printf("\n");
        print_contradiction(c);
    }
    json_array_foreach(json_object_get(res, "framing"), i, c)
    {
        printf("\n");
        print_framing(c);
    }
}

static void print_partners(const json_t *res)
{
    size_t i, k;
    json_t *p, *t;
    if (!json_array_size(json_object_get(res, "partners"))) printf("no partner claims held\n");
    json_array_foreach(json_object_get(res, "partners"), i, p)
    {
        printf("%s: %lld claims (%lld echoes of ours), %lld confirmed, %lld refuted; "
               "r %.3f s %.3f E %.3f; trust ",
               cli_str(p, "partner"), (long long)json_integer_value(json_object_get(p, "claims")),
               (long long)json_integer_value(json_object_get(p, "echoes")),
               (long long)json_integer_value(json_object_get(p, "confirmed")),
               (long long)json_integer_value(json_object_get(p, "refuted")), cli_num(p, "r"),
               cli_num(p, "s"), cli_num(p, "expected"));
        print_opinion(json_object_get(p, "trust"));
        printf("\n");
        json_array_foreach(json_object_get(p, "topics"), k, t)
        {
            printf("  topic %s: %lld outcomes, E %.3f\n", cli_str(t, "topic"),
                   (long long)json_integer_value(json_object_get(t, "outcomes")),
                   cli_num(t, "expected"));
        }
    }
    json_array_foreach(json_object_get(res, "framing"), i, t) print_framing(t);
}

static int finish(const char *cmd, tl_node *n, tl_err rc, json_t *res, int json,
                  void (*print)(const json_t *))
{
    int code = EXIT_OK;
    if (rc) {
        cli_error(cmd, "%s", tl_node_errmsg(n));
        code = cli_exit_code(rc);
    } else if (json) {
        cli_print_json(res, 1);
    } else {
        print(res);
    }
    json_decref(res);
    tl_node_close(n);
    return code;
}

int cmd_fuse(int argc, char **argv)
{
    struct args a;
    int code;
    if (parse(argc, argv, fuse_help, 0, 1, &a, &code)) return code;
    tl_node *n = cli_open("fuse", a.home, &code);
    if (!n) return code;
    tl_fuse_stats st;
    tl_err rc = tl_node_fuse(n, a.rebuild, &st);
    if (rc) {
        cli_error("fuse", "%s", tl_node_errmsg(n));
        tl_node_close(n);
        return cli_exit_code(rc);
    }
    if (a.json) {
        json_t *j = json_pack("{s:I, s:I, s:I, s:I}", "holdings", (json_int_t)st.holdings, "claims",
                              (json_int_t)st.claims, "echoes", (json_int_t)st.echoes, "total",
                              (json_int_t)st.total);
        cli_print_json(j, 1);
        json_decref(j);
    } else {
        printf("fused %llu holding(s): %llu claim(s), %llu echo(es) of our own releases; "
               "%llu claim(s) held\n",
               (unsigned long long)st.holdings, (unsigned long long)st.claims,
               (unsigned long long)st.echoes, (unsigned long long)st.total);
    }
    cli_watch_after(n, a.json);
    tl_node_close(n);
    return EXIT_OK;
}

int cmd_assess(int argc, char **argv)
{
    struct args a;
    int code;
    if (parse(argc, argv, assess_help, 1, 0, &a, &code)) return code;
    tl_node *n = cli_open("assess", a.home, &code);
    if (!n) return code;
    json_t *res = NULL;
    tl_err rc = tl_node_assess(n, a.arg, &res);
    return finish("assess", n, rc, res, a.json, print_assessment);
}

static void print_contradictions(const json_t *res)
{
    const json_t *list = json_object_get(res, "contradictions");
    printf("%zu contradiction(s)\n", json_array_size(list));
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        printf("\n");
        print_contradiction(c);
    }
}

int cmd_contradictions(int argc, char **argv)
{
    struct args a;
    int code;
    if (parse(argc, argv, contra_help, 0, 0, &a, &code)) return code;
    tl_node *n = cli_open("contradictions", a.home, &code);
    if (!n) return code;
    json_t *res = NULL;
    tl_err rc = tl_node_contradictions(n, &res);
    return finish("contradictions", n, rc, res, a.json, print_contradictions);
}

int cmd_partners(int argc, char **argv)
{
    struct args a;
    int code;
    if (parse(argc, argv, partners_help, 0, 0, &a, &code)) return code;
    tl_node *n = cli_open("partners", a.home, &code);
    if (!n) return code;
    json_t *res = NULL;
    tl_err rc = tl_node_partners(n, &res);
    return finish("partners", n, rc, res, a.json, print_partners);
}
