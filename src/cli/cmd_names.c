/* cmd_names.c: tearline names match|form|link|cluster. */
#include "cli.h"

#include "tearline/names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline names match NAME NAME\n"
    "       tearline names form NAME\n"
    "       tearline names link A.tsv B.tsv [--threshold X]\n"
    "       tearline names cluster FILE.tsv [--threshold X]\n"
    "\n"
    "Matches names of people and groups across Latin, Cyrillic and Arabic\n"
    "script (docs/names.md). No node is needed.\n"
    "  match    prints the score (0 to 1) on the first line, then how the\n"
    "           tokens of the two names were paired\n"
    "  form     prints the tokens a name is compared by\n"
    "  link     reads id<TAB>name lines from both files and writes\n"
    "           idA<TAB>idB<TAB>score for every pair at or above the threshold\n"
    "  cluster  writes id<TAB>cluster for every line, names linked at the\n"
    "           threshold sharing a cluster (named by its first id)\n"
    "  --threshold X   the score at which names are linked (default 0.88)\n";

#define LINE_MAX_BYTES 4096
#define NAMES_MAX 50000000u

struct tsv {
    char **ids;
    tl_name **names;
    size_t n, cap;
};

static void tsv_free(struct tsv *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->ids[i]);
        tl_name_free(t->names[i]);
    }
    free(t->ids);
    free(t->names);
}

/* Reads id<TAB>name lines; prints FILE:LINE and the cause on the first bad one. */
static int tsv_read(tl_names *nx, const char *path, struct tsv *t)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("names", "%s: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    char *line = malloc(LINE_MAX_BYTES + 2);
    int code = line ? EXIT_OK : EXIT_FAIL;
    unsigned long lineno = 0;
    while (code == EXIT_OK && fgets(line, LINE_MAX_BYTES + 2, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > LINE_MAX_BYTES) {
            cli_error("names", "%s:%lu: line longer than %d bytes", path, lineno, LINE_MAX_BYTES);
            code = EXIT_BADINPUT;
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len) continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab == line || !tab[1]) {
            cli_error("names", "%s:%lu: expected id<TAB>name", path, lineno);
            code = EXIT_BADINPUT;
            break;
        }
        *tab = '\0';
        if (t->n == NAMES_MAX) {
            cli_error("names", "%s:%lu: more than %u names", path, lineno, NAMES_MAX);
            code = EXIT_BADINPUT;
            break;
        }
        if (t->n == t->cap) {
            size_t nc = t->cap ? t->cap * 2 : 1024;
            char **ids = realloc(t->ids, nc * sizeof *ids);
            if (ids) t->ids = ids;
            tl_name **names = ids ? realloc(t->names, nc * sizeof(tl_name *)) : NULL;
            if (names) t->names = names;
            if (!ids || !names) {
                code = EXIT_FAIL;
                cli_error("names", "out of memory");
                break;
            }
            t->cap = nc;
        }
        tl_name *nm = NULL;
        tl_err rc = tl_names_prepare(nx, tab + 1, strlen(tab + 1), &nm);
        if (rc) {
            cli_error("names", "%s:%lu: id '%s': %s", path, lineno, line,
                      rc == TL_EINVAL ? "the name is not UTF-8, is too long or holds no letters"
                                      : tl_strerror(rc));
            code = cli_exit_code(rc);
            break;
        }
        t->ids[t->n] = strdup(line);
        t->names[t->n] = nm;
        if (!t->ids[t->n]) {
            tl_name_free(nm);
            cli_error("names", "out of memory");
            code = EXIT_FAIL;
            break;
        }
        t->n++;
    }
    if (code == EXIT_OK && ferror(f)) {
        cli_error("names", "%s: read error", path);
        code = EXIT_FAIL;
    }
    free(line);
    fclose(f);
    return code;
}

struct emit {
    const struct tsv *a, *b;
};

static int emit_link(size_t ia, size_t ib, double score, void *ud)
{
    const struct emit *e = ud;
    printf("%s\t%s\t%.4f\n", e->a->ids[ia], e->b->ids[ib], score);
    return 0;
}

static int prepare_arg(tl_names *nx, const char *s, tl_name **out)
{
    tl_err rc = tl_names_prepare(nx, s, strlen(s), out);
    if (rc == TL_EINVAL) {
        cli_error("names", "'%s' is not UTF-8, is longer than %d bytes or holds no letters", s,
                  TL_NAME_MAX);
        return EXIT_BADINPUT;
    }
    if (rc) cli_error("names", "%s", tl_strerror(rc));
    return rc ? cli_exit_code(rc) : EXIT_OK;
}

int cmd_names(int argc, char **argv)
{
    static const struct option opts[] = {{"threshold", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    double threshold = TL_NAMES_THRESHOLD;
    int c, has_threshold = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': {
            char *end;
            errno = 0;
            threshold = strtod(optarg, &end);
            if (errno || *end || end == optarg || !(threshold >= 0 && threshold <= 1)) {
                cli_error("names", "--threshold '%s' is not a number from 0 to 1", optarg);
                return EXIT_BADINPUT;
            }
            has_threshold = 1;
            break;
        }
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind >= argc) return cli_usage(help, 1);
    const char *verb = argv[optind++];
    int operands = argc - optind;
    int is_match = !strcmp(verb, "match"), is_form = !strcmp(verb, "form");
    int is_link = !strcmp(verb, "link"), is_cluster = !strcmp(verb, "cluster");
    if ((!is_match && !is_form && !is_link && !is_cluster) ||
        operands != (is_match || is_link ? 2 : 1) || (has_threshold && (is_match || is_form)))
        return cli_usage(help, 1);
    tl_names *nx = NULL;
    tl_err rc = tl_names_new(&nx);
    if (rc) {
        cli_error("names", "cannot set up the name transforms: %s", tl_strerror(rc));
        return EXIT_FAIL;
    }
    int code = EXIT_OK;
    if (is_match || is_form) {
        tl_name *a = NULL, *b = NULL;
        code = prepare_arg(nx, argv[optind], &a);
        if (!code && is_match) code = prepare_arg(nx, argv[optind + 1], &b);
        if (!code) {
            char buf[2048];
            if (is_match) {
                double s = tl_name_explain(a, b, buf, sizeof buf);
                printf("%.4f\n%s\n", s, buf);
            } else {
                tl_name_form(a, buf, sizeof buf);
                printf("%s\n", buf);
            }
        }
        tl_name_free(a);
        tl_name_free(b);
    } else {
        struct tsv ta = {0}, tb = {0};
        code = tsv_read(nx, argv[optind], &ta);
        if (!code && is_link) code = tsv_read(nx, argv[optind + 1], &tb);
        if (!code && is_link) {
            struct emit e = {&ta, &tb};
            rc = tl_names_link(ta.names, ta.n, tb.names, tb.n, threshold, emit_link, &e);
        } else if (!code) {
            size_t *cl = ta.n ? malloc(ta.n * sizeof *cl) : NULL;
            rc = ta.n && !cl ? TL_ENOMEM : TL_OK;
            if (!rc && ta.n) rc = tl_names_cluster(ta.names, ta.n, threshold, cl);
            for (size_t i = 0; !rc && i < ta.n; i++)
                printf("%s\t%s\n", ta.ids[i], ta.ids[cl[i]]);
            free(cl);
        }
        if (!code && rc) {
            cli_error("names", "%s", tl_strerror(rc));
            code = cli_exit_code(rc);
        }
        tsv_free(&ta);
        tsv_free(&tb);
    }
    tl_names_free(nx);
    if (fflush(stdout) && !code) {
        cli_error("names", "cannot write the output");
        code = EXIT_FAIL;
    }
    return code;
}
