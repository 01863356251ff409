/*
 * cmd_ach.c: tearline ach new|list|hypothesis add|evidence add|rate|show
 * (docs/ach.md).
 */
#include "cli.h"

#include "tearline/ach.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline ach new TITLE [--label L]...\n"
    "       tearline ach list [--json]\n"
    "       tearline ach hypothesis add TEXT [--ach ID]\n"
    "       tearline ach evidence add (--object ID | --note TEXT) [--credibility C]\n"
    "                                 [--relevance R] [--ach ID]\n"
    "       tearline ach rate H E RATING [--likelihood P] [--ach ID]\n"
    "       tearline ach show [ID] [--json | --html FILE]\n"
    "       tearline ach definition\n"
    "\n"
    "Analysis of Competing Hypotheses (docs/ach.md). An assessment is a STIX\n"
    "object of tearline's own, held and releasable like any other. Evidence is a\n"
    "holding (ours or a partner's) or a note; credibility and relevance are\n"
    "high, medium or low. RATING is CC, C, N, I, II or NA; --likelihood P gives\n"
    "P(evidence | hypothesis). Without --ach, the most recently changed\n"
    "assessment is meant. definition prints the extension-definition of the\n"
    "assessment type. show prints the matrix (hypotheses as rows), the\n"
    "weighted inconsistency and the likelihood ranking side by side, each\n"
    "item's diagnosticity, and the items whose removal would change a ranking.\n";

struct aopts {
    const char *home, *ach, *object, *note, *cred, *rel, *html;
    const char *labels[32];
    size_t nlabels;
    int json;
    double likelihood;
};

static int parse(int argc, char **argv, struct aopts *a, int *code)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"ach", required_argument, NULL, 'a'},
                                         {"object", required_argument, NULL, 'o'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"credibility", required_argument, NULL, 'c'},
                                         {"relevance", required_argument, NULL, 'r'},
                                         {"likelihood", required_argument, NULL, 'l'},
                                         {"label", required_argument, NULL, 'L'},
                                         {"html", required_argument, NULL, 'w'},
                                         {NULL, 0, NULL, 0}};
    int c;
    char *end;
    a->likelihood = -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            a->home = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'a':
            a->ach = optarg;
            break;
        case 'o':
            a->object = optarg;
            break;
        case 'n':
            a->note = optarg;
            break;
        case 'c':
            a->cred = optarg;
            break;
        case 'r':
            a->rel = optarg;
            break;
        case 'w':
            a->html = optarg;
            break;
        case 'L':
            if (a->nlabels == sizeof a->labels / sizeof *a->labels) {
                cli_error("ach", "at most 32 labels");
                *code = EXIT_BADINPUT;
                return -1;
            }
            a->labels[a->nlabels++] = optarg;
            break;
        case 'l':
            errno = 0;
            a->likelihood = strtod(optarg, &end);
            if (errno || *end || !*optarg || !(a->likelihood >= 0 && a->likelihood <= 1)) {
                cli_error("ach", "--likelihood must be a probability from 0 to 1, not '%s'",
                          optarg);
                *code = EXIT_BADINPUT;
                return -1;
            }
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

static const json_t *cell(const json_t *res, const char *h, const char *e)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(res, "cells"), i, c)
    {
        if (!strcmp(cli_str(c, "hypothesis"), h) && !strcmp(cli_str(c, "evidence"), e)) return c;
    }
    return NULL;
}

static void print_show(const json_t *res)
{
    const json_t *hs = json_object_get(res, "hypotheses"), *ev = json_object_get(res, "evidence");
    printf("%s  %s\n\nevidence:\n", cli_str(res, "title"), cli_str(res, "id"));
    size_t i, k;
    json_t *e, *h;
    json_array_foreach(ev, i, e)
    {
        printf("  %-4s %s  credibility %s, relevance %s, weight %.3f, diagnosticity %lld",
               cli_str(e, "id"),
               json_object_get(e, "object_ref") ? cli_str(e, "object_ref") : cli_str(e, "note"),
               cli_str(e, "credibility"), cli_str(e, "relevance"), cli_num(e, "weight"),
               (long long)json_integer_value(json_object_get(e, "diagnosticity")));
        if (json_object_get(e, "origin"))
            printf(", from %s (trust %.3f)", cli_str(e, "origin"), cli_num(e, "trust"));
        if (json_object_get(e, "counted_in"))
            printf(", echo of our material, counted in %s", cli_str(e, "counted_in"));
        else if (json_object_get(e, "echo_of"))
            printf(", echo of our %s", cli_str(e, "echo_of"));
        printf("\n");
    }
    printf("\n%-4s", "");
    json_array_foreach(ev, i, e) printf(" %6s", cli_str(e, "id"));
    printf("  %13s %5s %14s %9s\n", "inconsistency", "rank", "log-likelihood", "posterior");
    json_array_foreach(hs, k, h)
    {
        printf("%-4s", cli_str(h, "id"));
        json_array_foreach(ev, i, e)
        {
            const json_t *c = cell(res, cli_str(h, "id"), cli_str(e, "id"));
            printf(" %6s", c ? cli_str(c, "rating") : ".");
        }
        printf("  %13.4f %5lld %14.4f %9.4f  %s\n", cli_num(h, "inconsistency"),
               (long long)json_integer_value(json_object_get(h, "rank_inconsistency")),
               cli_num(h, "log_likelihood"), cli_num(h, "posterior"), cli_str(h, "text"));
    }
    printf("\nleast inconsistent: %s; most likely: %s\n", cli_str(res, "least_inconsistent"),
           cli_str(res, "most_likely"));
    json_array_foreach(json_object_get(res, "sensitivity"), i, e)
    {
        printf("sensitive: without %s the ", cli_str(e, "evidence"));
        json_t *w;
        json_array_foreach(json_object_get(e, "changes"), k, w)
            printf("%s%s", k ? " and " : "", json_string_value(w));
        printf(" ranking%s (least inconsistent %s, most likely %s)\n",
               json_array_size(json_object_get(e, "changes")) > 1 ? "s change" : " changes",
               cli_str(e, "least_inconsistent_without"), cli_str(e, "most_likely_without"));
    }
}

static int write_html(const json_t *res, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const json_t *hs = json_object_get(res, "hypotheses"), *ev = json_object_get(res, "evidence");
    fputs("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>", f);
    cli_put_html(f, cli_str(res, "title"));
    fputs("</title><style>body{font-family:sans-serif}td,th{border:1px solid #999;padding:4px "
          "8px}table{border-collapse:collapse}.I,.II{background:#f4c7c3}.C,.CC{background:#"
          "cfe8cf}</style></head><body>\n<h1>",
          f);
    cli_put_html(f, cli_str(res, "title"));
    fputs("</h1>\n<table>\n<tr><th>hypothesis</th>", f);
    size_t i, k;
    json_t *e, *h;
    json_array_foreach(ev, i, e)
    {
        fputs("<th title=\"", f);
        cli_put_html(f,
                 json_object_get(e, "object_ref") ? cli_str(e, "object_ref") : cli_str(e, "note"));
        fprintf(f, "\">%s<br><small>weight %.3f, diagnosticity %lld</small></th>", cli_str(e, "id"),
                cli_num(e, "weight"),
                (long long)json_integer_value(json_object_get(e, "diagnosticity")));
    }
    fputs("<th>weighted inconsistency</th><th>log-likelihood</th><th>posterior</th></tr>\n", f);
    json_array_foreach(hs, k, h)
    {
        fprintf(f, "<tr><th>%s: ", cli_str(h, "id"));
        cli_put_html(f, cli_str(h, "text"));
        fputs("</th>", f);
        json_array_foreach(ev, i, e)
        {
            const json_t *c = cell(res, cli_str(h, "id"), cli_str(e, "id"));
            const char *r = c ? cli_str(c, "rating") : "";
            fprintf(f, "<td class=\"%s\">%s", r, r);
            if (c && json_object_get(c, "likelihood"))
                fprintf(f, " <small>(%.2f)</small>", cli_num(c, "likelihood"));
            fputs("</td>", f);
        }
        fprintf(f, "<td>%.4f (rank %lld)</td><td>%.4f (rank %lld)</td><td>%.4f</td></tr>\n",
                cli_num(h, "inconsistency"),
                (long long)json_integer_value(json_object_get(h, "rank_inconsistency")),
                cli_num(h, "log_likelihood"),
                (long long)json_integer_value(json_object_get(h, "rank_likelihood")),
                cli_num(h, "posterior"));
    }
    fputs("</table>\n<ul>\n", f);
    json_array_foreach(ev, i, e)
    {
        fprintf(f, "<li>%s: ", cli_str(e, "id"));
        cli_put_html(f,
                 json_object_get(e, "object_ref") ? cli_str(e, "object_ref") : cli_str(e, "note"));
        if (json_object_get(e, "origin")) {
            fputs(" (from ", f);
            cli_put_html(f, cli_str(e, "origin"));
            fprintf(f, ", trust %.3f)", cli_num(e, "trust"));
        }
        if (json_object_get(e, "counted_in"))
            fprintf(f, " echo of our material, counted in %s", cli_str(e, "counted_in"));
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
    json_array_foreach(json_object_get(res, "sensitivity"), i, e)
    {
        fprintf(f, "<p>Sensitive: without %s a ranking changes.</p>\n", cli_str(e, "evidence"));
    }
    fputs("</body></html>\n", f);
    int bad = ferror(f);
    return fclose(f) || bad ? -1 : 0;
}

int cmd_ach(int argc, char **argv)
{
    struct aopts a;
    memset(&a, 0, sizeof a);
    int code;
    if (parse(argc, argv, &a, &code)) return code;
    if (optind >= argc) return cli_usage(help, 1);
    const char *verb = argv[optind++];
    int nargs = argc - optind;
    char **args = argv + optind;
    const char *noun = NULL;
    if (!strcmp(verb, "hypothesis") || !strcmp(verb, "evidence")) {
        if (nargs < 1 || strcmp(args[0], "add") != 0) return cli_usage(help, 1);
        noun = verb;
        args++;
        nargs--;
    }
    int ok = (!strcmp(verb, "new") && nargs == 1) || (!strcmp(verb, "list") && nargs == 0) ||
             (noun && !strcmp(noun, "hypothesis") && nargs == 1) ||
             (noun && !strcmp(noun, "evidence") && nargs == 0) ||
             (!strcmp(verb, "rate") && nargs == 3) || (!strcmp(verb, "show") && nargs <= 1) ||
             (!strcmp(verb, "definition") && nargs == 0);
    if (!ok || (a.json && a.html)) return cli_usage(help, 1);
    if (!strcmp(verb, "definition")) {
        printf("%s\n", tl_ach_extension_definition());
        return EXIT_OK;
    }
    tl_node *n = cli_open("ach", a.home, &code);
    if (!n) return code;
    tl_err rc = TL_OK;
    char id[80] = "", item[16];
    const char *ach = a.ach;
    if (!strcmp(verb, "show") && nargs == 1) ach = args[0];
    if (strcmp(verb, "new") != 0 && strcmp(verb, "list") != 0 && !ach) {
        rc = tl_node_ach_latest(n, id);
        ach = id;
    }
    json_t *res = NULL;
    if (rc) {
        /* no assessment held */
    } else if (!strcmp(verb, "new")) {
        if (!(rc = tl_node_ach_new(n, args[0], a.labels, a.nlabels, id))) printf("%s\n", id);
    } else if (!strcmp(verb, "list")) {
        if (!(rc = tl_node_ach_list(n, &res))) {
            if (a.json) {
                cli_print_json(res, 1);
            } else {
                size_t i;
                json_t *x;
                json_array_foreach(res, i, x)
                {
                    printf("%s  %s  (%lld hypotheses, %lld evidence items, changed %s)\n",
                           cli_str(x, "id"), cli_str(x, "title"),
                           (long long)json_integer_value(json_object_get(x, "hypotheses")),
                           (long long)json_integer_value(json_object_get(x, "evidence")),
                           cli_str(x, "modified"));
                }
            }
        }
    } else if (noun && !strcmp(noun, "hypothesis")) {
        if (!(rc = tl_node_ach_hypothesis(n, ach, args[0], item))) printf("%s\n", item);
    } else if (noun) {
        if (!(rc = tl_node_ach_evidence(n, ach, a.object, a.note, a.cred, a.rel, item)))
            printf("%s\n", item);
    } else if (!strcmp(verb, "rate")) {
        rc = tl_node_ach_rate(n, ach, args[0], args[1], args[2], a.likelihood);
    } else if (!(rc = tl_node_ach_show(n, ach, &res))) {
        if (a.json) {
            cli_print_json(res, 1);
        } else if (a.html) {
            if (write_html(res, a.html)) {
                cli_error("ach", "%s: cannot write: %s", a.html, strerror(errno));
                code = EXIT_FAIL;
            } else {
                printf("wrote the matrix to %s\n", a.html);
            }
        } else {
            print_show(res);
        }
    }
    json_decref(res);
    if (rc) {
        cli_error("ach", "%s", tl_node_errmsg(n));
        code = cli_exit_code(rc);
    } else if (code != EXIT_FAIL) {
        code = EXIT_OK;
    }
    tl_node_close(n);
    return code;
}
