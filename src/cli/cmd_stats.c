/* cmd_stats.c: tearline stats. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] = "usage: tearline stats [--home DIR]\n"
                           "\n"
                           "Counts the holdings by type and origin (objects and stored versions),\n"
                           "and the protected terms.\n";

struct totals {
    long long objects, versions, terms;
};

static int print_count(const tl_count *c, void *ud)
{
    struct totals *t = ud;
    printf("%-24s %-12s %10lld %10lld\n", c->type, *c->origin ? c->origin : "own",
           (long long)c->objects, (long long)c->versions);
    t->objects += c->objects;
    t->versions += c->versions;
    return 0;
}

static int count_term(const char *term, const char *kind, int64_t added, void *ud)
{
    (void)term;
    (void)kind;
    (void)added;
    ((struct totals *)ud)->terms++;
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    const char *home;
    int done = cli_common_only(argc, argv, help, &home, 0, 0);
    if (done >= 0) return done;
    int code;
    tl_node *n = cli_open("stats", home, &code);
    if (!n) return code;
    struct totals t = {0, 0, 0};
    printf("node %s (%s), identity %s\n", tl_node_code(n), tl_node_title(n), tl_node_identity(n));
    printf("%-24s %-12s %10s %10s\n", "type", "origin", "objects", "versions");
    tl_err rc = tl_node_stats(n, print_count, &t);
    if (!rc) rc = tl_node_protect_list(n, count_term, &t);
    if (rc) {
        cli_error("stats", "%s", tl_node_errmsg(n));
        tl_node_close(n);
        return cli_exit_code(rc);
    }
    printf("%-24s %-12s %10lld %10lld\n", "total", "", t.objects, t.versions);
    printf("protected terms: %lld\n", t.terms);
    tl_node_close(n);
    return EXIT_OK;
}
