/* cmd_resolve.c: tearline resolve [--json] [--threshold X] | --same A B | --different A B. */
#include "cli.h"

#include "tearline/names.h"
#include "tearline/resolve.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline resolve [--home DIR] [--json] [--threshold X]\n"
    "       tearline resolve [--home DIR] --same A B\n"
    "       tearline resolve [--home DIR] --different A B\n"
    "\n"
    "Groups the persons and groups held (threat-actor, identity, intrusion-set,\n"
    "campaign; ours and partners') into clusters of one real-world entity by\n"
    "their names and aliases across scripts (docs/names.md), each link with its\n"
    "evidence. --same and --different record an analyst's verdict on two\n"
    "objects, which every later run respects (--confirm and --split are the\n"
    "same options).\n";

static void print_text(const json_t *res)
{
    const json_t *clusters = json_object_get(res, "clusters");
    printf("%zu cluster(s) of %lld object(s) at threshold %.2f\n", json_array_size(clusters),
           (long long)json_integer_value(json_object_get(res, "entities")),
           json_real_value(json_object_get(res, "threshold")));
    size_t i, k;
    json_t *c, *m, *l;
    json_array_foreach(clusters, i, c)
    {
        printf("\ncluster %zu\n", i + 1);
        json_array_foreach(json_object_get(c, "members"), k, m)
        {
            const char *origin = json_string_value(json_object_get(m, "origin"));
            printf("  %s  %s  (%s)\n", json_string_value(json_object_get(m, "id")),
                   json_string_value(json_object_get(m, "name")),
                   origin && *origin ? origin : "ours");
        }
        json_array_foreach(json_object_get(c, "links"), k, l)
        {
            if (json_object_get(l, "verdict"))
                printf("  linked: %s = %s  (an analyst's verdict)\n",
                       json_string_value(json_object_get(l, "a")),
                       json_string_value(json_object_get(l, "b")));
            else
                printf("  linked: %.4f  %s = %s\n", json_real_value(json_object_get(l, "score")),
                       json_string_value(json_array_get(json_object_get(l, "names"), 0)),
                       json_string_value(json_array_get(json_object_get(l, "names"), 1)));
        }
    }
    json_array_foreach(json_object_get(res, "kept_apart"), k, l)
    {
        printf("\nkept apart (an analyst called them different): %s / %s\n",
               json_string_value(json_object_get(l, "a")),
               json_string_value(json_object_get(l, "b")));
    }
}

int cmd_resolve(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"threshold", required_argument, NULL, 't'},
                                         {"same", no_argument, NULL, 's'},
                                         {"confirm", no_argument, NULL, 's'},
                                         {"different", no_argument, NULL, 'd'},
                                         {"split", no_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    const char *home = NULL;
    int json = 0, same = 0, different = 0, c;
    double threshold = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 't':
            if (cli_threshold_opt("resolve", optarg, 0, &threshold)) return EXIT_BADINPUT;
            break;
        case 's':
            same = 1;
            break;
        case 'd':
            different = 1;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    int verdict = same || different;
    if ((same && different) || (verdict ? argc - optind != 2 : argc - optind != 0) ||
        (verdict && (json || threshold > 0)))
        return cli_usage(help, 1);
    int code;
    tl_node *n = cli_open("resolve", home, &code);
    if (!n) return code;
    tl_err rc;
    if (verdict) {
        rc = tl_node_resolve_verdict(n, argv[optind], argv[optind + 1], same);
        if (!rc)
            printf("recorded: %s and %s are %s\n", argv[optind], argv[optind + 1],
                   same ? "the same entity" : "different entities");
    } else {
        json_t *res = NULL;
        rc = tl_node_resolve(n, threshold, &res);
        if (!rc) {
            if (json)
                cli_print_json(res, 1);
            else
                print_text(res);
        }
        json_decref(res);
    }
    if (rc) {
        cli_error("resolve", "%s", tl_node_errmsg(n));
        code = cli_exit_code(rc);
    }
    tl_node_close(n);
    return rc ? code : EXIT_OK;
}
