/* cmd_names.c: tearline names match|form|link|cluster. */
#include "cli.h"

#include "tearline/names.h"

#include <errno.h>
#ifdef TL_WITH_MIMALLOC
#include <mimalloc.h>
#endif
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
    char **texts; /* the names as read, until they are prepared */
    size_t *lens;
    unsigned long *lines;
    tl_name **names;
    size_t n, cap;
};

static void tsv_free(struct tsv *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->ids[i]);
        free(t->texts[i]);
        if (t->names) tl_name_free(t->names[i]);
    }
    free(t->ids);
    free(t->texts);
    free(t->lens);
    free(t->lines);
    free(t->names);
}

static int tsv_grow(struct tsv *t)
{
    size_t nc = t->cap ? t->cap * 2 : 1024;
    char **ids = realloc(t->ids, nc * sizeof *ids);
    if (ids) t->ids = ids;
    char **texts = realloc(t->texts, nc * sizeof *texts);
    if (texts) t->texts = texts;
    size_t *lens = realloc(t->lens, nc * sizeof *lens);
    if (lens) t->lens = lens;
    unsigned long *lines = realloc(t->lines, nc * sizeof *lines);
    if (lines) t->lines = lines;
    if (!ids || !texts || !lens || !lines) return -1;
    t->cap = nc;
    return 0;
}

/*
 * Reads id<TAB>name lines, then prepares every name on the machine's cores;
 * prints FILE:LINE and the cause on the first bad line.
 */
static int tsv_read(const char *path, struct tsv *t)
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
        if (t->n == t->cap && tsv_grow(t)) {
            cli_error("names", "out of memory");
            code = EXIT_FAIL;
            break;
        }
        t->ids[t->n] = strdup(line);
        t->texts[t->n] = strdup(tab + 1);
        t->lens[t->n] = strlen(tab + 1);
        t->lines[t->n] = lineno;
        t->n++;
        if (!t->ids[t->n - 1] || !t->texts[t->n - 1]) {
            cli_error("names", "out of memory");
            code = EXIT_FAIL;
        }
    }
    if (code == EXIT_OK && ferror(f)) {
        cli_error("names", "%s: read error", path);
        code = EXIT_FAIL;
    }
    free(line);
    fclose(f);
    if (code != EXIT_OK) return code;
    if (!(t->names = calloc(t->n ? t->n : 1, sizeof(tl_name *)))) {
        cli_error("names", "out of memory");
        return EXIT_FAIL;
    }
    size_t bad = 0;
    tl_err rc = tl_names_prepare_all((const char *const *)t->texts, t->lens, t->n, t->names, &bad);
    if (rc == TL_EINVAL && bad < t->n) {
        cli_error("names",
                  "%s:%lu: id '%s': the name is not UTF-8, is too long or holds no letters", path,
                  t->lines[bad], t->ids[bad]);
        return EXIT_BADINPUT;
    }
    if (rc) {
        cli_error("names", "%s", tl_strerror(rc));
        return cli_exit_code(rc);
    }
    for (size_t i = 0; i < t->n; i++) { /* prepared: the text is no longer needed */
        free(t->texts[i]);
        t->texts[i] = NULL;
    }
    return EXIT_OK;
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
        case 't':
            if (cli_threshold_opt("names", optarg, 1, &threshold)) return EXIT_BADINPUT;
            has_threshold = 1;
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
#ifdef TL_WITH_MIMALLOC
        /*
         * Linking reads a million prepared names (1.5 GB) at random: on 2 MiB
         * pages the TLB misses less (1,000,000 against 1,000,000: 63.5 s -> 58.7 s).
         */
        mi_option_enable(mi_option_large_os_pages);
#endif
        struct tsv ta = {0}, tb = {0};
        code = tsv_read(argv[optind], &ta);
        if (!code && is_link) code = tsv_read(argv[optind + 1], &tb);
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
