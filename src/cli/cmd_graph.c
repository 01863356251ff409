/*
 * cmd_graph.c: tearline graph brokers|path|communities|export|svg
 * (docs/graph.md).
 */
#include "cli.h"

#include "tearline/graph.h"
#include "tearline/links.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline graph brokers [--top N] [OPTIONS]\n"
    "       tearline graph path A B [OPTIONS]\n"
    "       tearline graph communities [OPTIONS]\n"
    "       tearline graph export --format dot|graphml|json [OPTIONS]\n"
    "       tearline graph svg FILE [--top N] [OPTIONS]\n"
    "\n"
    "The graph of the persons, groups and places the claims held tie together\n"
    "(relationships, sightings, naming in one report; entities resolved across\n"
    "scripts), each edge with its sources and fused belief (docs/graph.md).\n"
    "brokers ranks by betweenness, with Burt's constraint and Gould-Fernandez\n"
    "brokerage roles across communities; path gives a shortest chain of\n"
    "evidence between two entities (ids or names); svg draws the top N.\n"
    "\n"
    "options:\n"
    "  --home DIR          the node\n"
    "  --json              machine-readable output (brokers, path, communities)\n"
    "  --min-belief B      leave out edges whose fused belief is under B (0 to 1)\n"
    "  --with-echoes       keep edges resting only on echoes of our own reporting\n"
    "  --samples K         estimate betweenness from K sources (default: exact\n"
    "                      within a budget, then estimated)\n"
    "  --top N             vertices listed or drawn (default 20 for brokers, 60 for svg)\n"
    "  --groups G          the groups of the brokerage roles: communities (default), or\n"
    "                      membership (a person's group is the one it is a member of)\n";

struct gopts {
    const char *home, *format;
    int json;
    long top;
    tl_links_opts lo;
};

static int parse(int argc, char **argv, struct gopts *g, int *code)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"min-belief", required_argument, NULL, 'b'},
                                         {"with-echoes", no_argument, NULL, 'e'},
                                         {"samples", required_argument, NULL, 's'},
                                         {"top", required_argument, NULL, 't'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"groups", required_argument, NULL, 'g'},
                                         {NULL, 0, NULL, 0}};
    int c;
    char *end;
    optind = 1; /* getopt permutes the verb and the operands to the end */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            g->home = optarg;
            break;
        case 'j':
            g->json = 1;
            break;
        case 'b':
            errno = 0;
            g->lo.min_belief = strtod(optarg, &end);
            if (errno || *end || !*optarg || !(g->lo.min_belief >= 0 && g->lo.min_belief <= 1)) {
                cli_error("graph", "--min-belief must be a number from 0 to 1, not '%s'", optarg);
                *code = EXIT_BADINPUT;
                return -1;
            }
            break;
        case 'e':
            g->lo.with_echoes = 1;
            break;
        case 's': {
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg || optarg[0] == '-' || v == 0 || v > 100000000ULL) {
                cli_error("graph", "--samples must be a whole number from 1 to 100000000, not '%s'",
                          optarg);
                *code = EXIT_BADINPUT;
                return -1;
            }
            g->lo.samples = (size_t)v;
            break;
        }
        case 't':
            errno = 0;
            g->top = strtol(optarg, &end, 10);
            if (errno || *end || !*optarg || g->top < 1 || g->top > 100000) {
                cli_error("graph", "--top must be a whole number from 1 to 100000, not '%s'",
                          optarg);
                *code = EXIT_BADINPUT;
                return -1;
            }
            break;
        case 'f':
            g->format = optarg;
            break;
        case 'g':
            if (strcmp(optarg, "communities") != 0 && strcmp(optarg, "membership") != 0) {
                cli_error("graph", "--groups is communities or membership, not '%s'", optarg);
                *code = EXIT_BADINPUT;
                return -1;
            }
            g->lo.by_membership = !strcmp(optarg, "membership");
            break;
        case 'h':
            *code = cli_usage(help, 0);
            return -1;
        default:
            *code = cli_usage(help, 1);
            return -1;
        }
    }
    return 0;
}

static void print_roles(const json_t *b)
{
    static const char *const roles[] = {"coordinator",    "itinerant", "gatekeeper",
                                        "representative", "liaison",   NULL};
    int any = 0;
    for (const char *const *r = roles; *r; r++) {
        double v = cli_num(b, *r);
        if (v > 0) printf("%s%s %.0f", any++ ? ", " : "", *r, v);
    }
    if (!any) printf("-");
}

/* s in a column of width characters (UTF-8 aware: cut between characters, padded). */
static void put_column(const char *s, int width)
{
    int chars = 0;
    const char *p = s;
    while (*p && chars < width) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
        chars++;
    }
    printf("%.*s%*s", (int)(p - s), s, width - chars, "");
}

static void print_brokers(const json_t *res, long top)
{
    const json_t *est = json_object_get(res, "estimate");
    const json_t *vs = json_object_get(res, "vertices");
    printf("%zu vertices, %zu edges, %lld communities (modularity %.4f)\n", json_array_size(vs),
           json_array_size(json_object_get(res, "edges")),
           (long long)json_integer_value(json_object_get(res, "communities")),
           cli_num(res, "modularity"));
    printf("note: %s", cli_str(est, "note"));
    if (json_is_true(json_object_get(est, "sampled")))
        printf("; betweenness estimated from %lld sources",
               (long long)json_integer_value(json_object_get(est, "sources")));
    printf("\n\n%-4s %-36s %-7s %12s %10s %4s  %s\n", "rank", "name", "kind", "betweenness",
           "constraint", "comm", "brokerage roles");
    size_t i;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        if ((long)i >= top) break;
        const json_t *c = json_object_get(v, "constraint");
        char cs[32];
        if (json_is_number(c))
            snprintf(cs, sizeof cs, "%.4f", json_number_value(c));
        else
            snprintf(cs, sizeof cs, "-");
        printf("%-4zu ", i + 1);
        put_column(cli_str(v, "name"), 36);
        printf(" %-7s %12.2f %10s %4lld  ", cli_str(v, "kind"), cli_num(v, "betweenness"), cs,
               (long long)json_integer_value(json_object_get(v, "community")));
        print_roles(json_object_get(v, "brokerage"));
        if (json_is_object(json_object_get(v, "group")))
            printf(" (group: %s)", cli_str(json_object_get(v, "group"), "name"));
        printf("\n");
    }
}

static void print_communities(const json_t *res)
{
    long long nc = (long long)json_integer_value(json_object_get(res, "communities"));
    printf("%lld communities, modularity %.4f\n", nc, cli_num(res, "modularity"));
    for (long long c = 0; c < nc; c++) {
        printf("\ncommunity %lld:", c);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(res, "vertices"), i, v)
        {
            if (json_integer_value(json_object_get(v, "community")) == c)
                printf(" %s (%s);", cli_str(v, "name"), cli_str(v, "kind"));
        }
        printf("\n");
    }
}

static json_t *communities_json(const json_t *res)
{
    json_t *list = json_array();
    long long nc = (long long)json_integer_value(json_object_get(res, "communities"));
    for (long long c = 0; c < nc; c++) {
        json_t *m = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(res, "vertices"), i, v)
        {
            if (json_integer_value(json_object_get(v, "community")) == c)
                json_array_append_new(
                    m, json_pack("{s:O, s:O, s:O}", "id", json_object_get(v, "id"), "name",
                                 json_object_get(v, "name"), "kind", json_object_get(v, "kind")));
        }
        json_array_append_new(list, m);
    }
    return json_pack("{s:O, s:O, s:o}", "communities", json_object_get(res, "communities"),
                     "modularity", json_object_get(res, "modularity"), "members", list);
}

static void print_path(const json_t *res)
{
    const json_t *steps = json_object_get(res, "steps");
    printf("%s to %s: %zu step(s)\n", cli_str(json_object_get(res, "from"), "name"),
           cli_str(json_object_get(res, "to"), "name"), json_array_size(steps));
    size_t i, k;
    json_t *s, *p;
    json_array_foreach(steps, i, s)
    {
        printf("  %s --[", cli_str(json_object_get(s, "a"), "name"));
        json_array_foreach(json_object_get(s, "predicates"), k, p)
            printf("%s%s", k ? ", " : "", json_string_value(p));
        const json_t *op = json_object_get(s, "opinion");
        printf("]-- %s   b %.3f d %.3f u %.3f, %lld independent source(s)%s\n",
               cli_str(json_object_get(s, "b"), "name"), cli_num(op, "b"), cli_num(op, "d"),
               cli_num(op, "u"),
               (long long)json_integer_value(json_object_get(s, "independent_sources")),
               json_is_true(json_object_get(s, "partner")) ? ", partner reporting" : "");
        printf("     reports:");
        json_array_foreach(json_object_get(s, "reports"), k, p) printf(" %s", json_string_value(p));
        if (json_array_size(json_object_get(s, "echoes"))) {
            printf("\n     echoes of ours (not counted):");
            json_array_foreach(json_object_get(s, "echoes"), k, p)
                printf(" %s", json_string_value(p));
        }
        printf("\n");
    }
}

/* Text for a double-quoted DOT string or XML (markup characters escaped). */
static void put_escaped(FILE *f, const char *s, int xml)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (xml && c == '<')
            fputs("&lt;", f);
        else if (xml && c == '>')
            fputs("&gt;", f);
        else if (xml && c == '&')
            fputs("&amp;", f);
        else if (xml && c == '"')
            fputs("&quot;", f);
        else if (!xml && (c == '"' || c == '\\'))
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fputc(' ', f);
        else
            fputc(c, f);
    }
}

static void predicates_text(FILE *f, const json_t *e, int xml)
{
    size_t k;
    json_t *p;
    json_array_foreach(json_object_get(e, "predicates"), k, p)
    {
        if (k) fputs(", ", f);
        put_escaped(f, json_string_value(p), xml);
    }
}

static void export_dot(const json_t *res, FILE *f)
{
    fputs("graph tearline {\n", f);
    size_t i;
    json_t *v, *e;
    json_array_foreach(json_object_get(res, "vertices"), i, v)
    {
        fputs("  \"", f);
        put_escaped(f, cli_str(v, "id"), 0);
        fputs("\" [label=\"", f);
        put_escaped(f, cli_str(v, "name"), 0);
        fprintf(f, "\", kind=\"%s\", community=%lld, betweenness=%.4f];\n", cli_str(v, "kind"),
                (long long)json_integer_value(json_object_get(v, "community")),
                cli_num(v, "betweenness"));
    }
    json_array_foreach(json_object_get(res, "edges"), i, e)
    {
        fputs("  \"", f);
        put_escaped(f, cli_str(json_object_get(e, "a"), "id"), 0);
        fputs("\" -- \"", f);
        put_escaped(f, cli_str(json_object_get(e, "b"), "id"), 0);
        fputs("\" [label=\"", f);
        predicates_text(f, e, 0);
        fprintf(f, "\", belief=%.4f, sources=%lld%s];\n",
                cli_num(json_object_get(e, "opinion"), "b"),
                (long long)json_integer_value(json_object_get(e, "independent_sources")),
                json_is_true(json_object_get(e, "partner")) ? ", partner=true" : "");
    }
    fputs("}\n", f);
}

static void export_graphml(const json_t *res, FILE *f)
{
    fputs(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
        "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
        "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
        "  <key id=\"community\" for=\"node\" attr.name=\"community\" attr.type=\"int\"/>\n"
        "  <key id=\"betweenness\" for=\"node\" attr.name=\"betweenness\" attr.type=\"double\"/>\n"
        "  <key id=\"predicates\" for=\"edge\" attr.name=\"predicates\" attr.type=\"string\"/>\n"
        "  <key id=\"belief\" for=\"edge\" attr.name=\"belief\" attr.type=\"double\"/>\n"
        "  <key id=\"sources\" for=\"edge\" attr.name=\"sources\" attr.type=\"int\"/>\n"
        "  <key id=\"partner\" for=\"edge\" attr.name=\"partner\" attr.type=\"boolean\"/>\n"
        "  <graph id=\"tearline\" edgedefault=\"undirected\">\n",
        f);
    size_t i;
    json_t *v, *e;
    json_array_foreach(json_object_get(res, "vertices"), i, v)
    {
        fputs("    <node id=\"", f);
        put_escaped(f, cli_str(v, "id"), 1);
        fputs("\"><data key=\"name\">", f);
        put_escaped(f, cli_str(v, "name"), 1);
        fprintf(f,
                "</data><data key=\"kind\">%s</data><data key=\"community\">%lld</data>"
                "<data key=\"betweenness\">%.4f</data></node>\n",
                cli_str(v, "kind"), (long long)json_integer_value(json_object_get(v, "community")),
                cli_num(v, "betweenness"));
    }
    json_array_foreach(json_object_get(res, "edges"), i, e)
    {
        fputs("    <edge source=\"", f);
        put_escaped(f, cli_str(json_object_get(e, "a"), "id"), 1);
        fputs("\" target=\"", f);
        put_escaped(f, cli_str(json_object_get(e, "b"), "id"), 1);
        fputs("\"><data key=\"predicates\">", f);
        predicates_text(f, e, 1);
        fprintf(f,
                "</data><data key=\"belief\">%.4f</data><data key=\"sources\">%lld</data>"
                "<data key=\"partner\">%s</data></edge>\n",
                cli_num(json_object_get(e, "opinion"), "b"),
                (long long)json_integer_value(json_object_get(e, "independent_sources")),
                json_is_true(json_object_get(e, "partner")) ? "true" : "false");
    }
    fputs("  </graph>\n</graphml>\n", f);
}

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

/* The top vertices (by betweenness) and the edges among them, laid out and drawn. */
static int draw_svg(const json_t *res, long top, FILE *f)
{
    const json_t *vs = json_object_get(res, "vertices"), *es = json_object_get(res, "edges");
    size_t n = json_array_size(vs) < (size_t)top ? json_array_size(vs) : (size_t)top;
    json_t *index = json_object();
    tl_graph *g = NULL;
    double *x = calloc(n + 1, sizeof *x), *y = calloc(n + 1, sizeof *y);
    int rc = -1;
    if (!index || !x || !y || tl_graph_new(n, 0, &g)) goto out;
    for (size_t i = 0; i < n; i++)
        json_object_set_new(index, cli_str(json_array_get(vs, i), "id"),
                            json_integer((json_int_t)i));
    size_t i;
    json_t *e;
    json_array_foreach(es, i, e)
    {
        json_t *a = json_object_get(index, cli_str(json_object_get(e, "a"), "id"));
        json_t *b = json_object_get(index, cli_str(json_object_get(e, "b"), "id"));
        if (a && b)
            tl_graph_add(g, (size_t)json_integer_value(a), (size_t)json_integer_value(b), 1.0);
    }
    if (tl_graph_finish(g) || tl_graph_layout(g, 0, x, y)) goto out;
    const double W = 1200, H = 900, M = 60;
    double maxb = 0;
    for (size_t k = 0; k < n; k++)
        maxb = fmax(maxb, cli_num(json_array_get(vs, k), "betweenness"));
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "font-family=\"sans-serif\" font-size=\"11\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
            "<text x=\"10\" y=\"18\" font-size=\"13\">",
            W, H + 30);
    put_escaped(f, cli_str(json_object_get(res, "estimate"), "note"), 1);
    fprintf(f,
            "</text>\n<text x=\"10\" y=\"34\">the %zu most between of %zu; circle size: "
            "betweenness; colour: community; dashed: partner reporting only</text>\n",
            n, json_array_size(vs));
    json_array_foreach(es, i, e)
    {
        json_t *a = json_object_get(index, cli_str(json_object_get(e, "a"), "id"));
        json_t *b = json_object_get(index, cli_str(json_object_get(e, "b"), "id"));
        if (!a || !b) continue;
        size_t u = (size_t)json_integer_value(a), v = (size_t)json_integer_value(b);
        int partner_only =
            json_is_true(json_object_get(e, "partner")) && !json_is_true(json_object_get(e, "own"));
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                "stroke-width=\"%.1f\"%s><title>",
                M + x[u] * (W - 2 * M), 40 + M + y[u] * (H - 2 * M), M + x[v] * (W - 2 * M),
                40 + M + y[v] * (H - 2 * M),
                0.5 + 2.5 * cli_num(json_object_get(e, "opinion"), "b"),
                partner_only ? " stroke-dasharray=\"4 3\"" : "");
        predicates_text(f, e, 1);
        fputs("</title></line>\n", f);
    }
    for (size_t k = 0; k < n; k++) {
        const json_t *v = json_array_get(vs, k);
        double r = 4 + (maxb > 0 ? 14 * sqrt(cli_num(v, "betweenness") / maxb) : 0);
        long long c = (long long)json_integer_value(json_object_get(v, "community"));
        double cx = M + x[k] * (W - 2 * M), cy = 40 + M + y[k] * (H - 2 * M);
        const char *shape = !strcmp(cli_str(v, "kind"), "place") ? "rect" : "circle";
        if (!strcmp(shape, "rect"))
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", cx - r, cy - r,
                    2 * r, 2 * r);
        else
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"", cx, cy, r);
        fprintf(f, " fill=\"%s\" stroke=\"#333\"><title>", palette[c % 10]);
        put_escaped(f, cli_str(v, "name"), 1);
        int left = x[k] > 0.7; /* labels near the right edge go to the left of their vertex */
        fprintf(f, " (%s, betweenness %.1f)</title></%s>\n<text x=\"%.1f\" y=\"%.1f\"%s>",
                cli_str(v, "kind"), cli_num(v, "betweenness"), shape,
                left ? cx - r - 2 : cx + r + 2, cy + 4, left ? " text-anchor=\"end\"" : "");
        put_escaped(f, cli_str(v, "name"), 1);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    rc = ferror(f) ? -1 : 0;
out:
    json_decref(index);
    tl_graph_free(g);
    free(x);
    free(y);
    return rc;
}

int cmd_graph(int argc, char **argv)
{
    struct gopts g;
    memset(&g, 0, sizeof g);
    int code;
    if (parse(argc, argv, &g, &code)) return code;
    if (optind >= argc) return cli_usage(help, 1);
    const char *sub = argv[optind++];
    int nargs = argc - optind;
    int ok = (!strcmp(sub, "brokers") && nargs == 0) || (!strcmp(sub, "path") && nargs == 2) ||
             (!strcmp(sub, "communities") && nargs == 0) ||
             (!strcmp(sub, "export") && nargs == 0 && g.format) ||
             (!strcmp(sub, "svg") && nargs == 1);
    if (!ok) return cli_usage(help, 1);
    if (g.format && (strcmp(sub, "export") != 0 ||
                     (strcmp(g.format, "dot") != 0 && strcmp(g.format, "graphml") != 0 &&
                      strcmp(g.format, "json") != 0))) {
        cli_error("graph", "--format is dot, graphml or json, with export only");
        return EXIT_BADINPUT;
    }
    tl_node *n = cli_open("graph", g.home, &code);
    if (!n) return code;
    json_t *res = NULL;
    tl_err rc = !strcmp(sub, "path")
                    ? tl_node_links_path(n, &g.lo, argv[optind], argv[optind + 1], &res)
                    : tl_node_links(n, &g.lo, &res);
    if (rc) {
        cli_error("graph", "%s", tl_node_errmsg(n));
        tl_node_close(n);
        return cli_exit_code(rc);
    }
    code = EXIT_OK;
    if (!strcmp(sub, "brokers")) {
        if (g.json)
            cli_print_json(res, 1);
        else
            print_brokers(res, g.top ? g.top : 20);
    } else if (!strcmp(sub, "path")) {
        if (g.json)
            cli_print_json(res, 1);
        else
            print_path(res);
    } else if (!strcmp(sub, "communities")) {
        if (g.json) {
            json_t *c = communities_json(res);
            cli_print_json(c, 1);
            json_decref(c);
        } else {
            print_communities(res);
        }
    } else if (!strcmp(sub, "export")) {
        const char *fmt = g.format ? g.format : "json"; /* set: checked above */
        if (!strcmp(fmt, "json"))
            cli_print_json(res, 1);
        else if (!strcmp(fmt, "dot"))
            export_dot(res, stdout);
        else
            export_graphml(res, stdout);
    } else {
        const char *path = argv[optind];
        FILE *f = fopen(path, "w");
        int bad = !f || draw_svg(res, g.top ? g.top : 60, f);
        if (f && fclose(f)) bad = 1;
        if (bad) {
            cli_error("graph", "%s: cannot write the drawing: %s", path,
                      errno ? strerror(errno) : "out of memory");
            code = EXIT_FAIL;
        } else {
            printf("drew the graph into %s\n", path);
        }
    }
    json_decref(res);
    tl_node_close(n);
    return code;
}
