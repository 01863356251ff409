/* cmd_list.c: tearline list. */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char help[] = "usage: tearline list [FILTERS] [--json] [--home DIR]\n"
                           "\n"
                           "Lists holdings in the order they were added: date added, type, id,\n"
                           "version, origin and name. --json writes each object's canonical form,\n"
                           "one per line (JSON Lines).\n"
                           "\n" CLI_FILTER_HELP;

struct lister {
    int json;
    unsigned long count;
};

/* A version key as a timestamp: at least millisecond precision, trailing zeros dropped. */
static void version_text(const char *key, char out[72])
{
    if (!*key) {
        snprintf(out, 72, "-");
        return;
    }
    size_t n = strlen(key);
    while (n > 23 && key[n - 1] == '0')
        n--;
    snprintf(out, 72, "%.*sZ", (int)n, key);
}

static int print_line(const tl_record *r, void *ud)
{
    struct lister *l = ud;
    l->count++;
    if (l->json) {
        fwrite(r->json, 1, r->json_len, stdout);
        fputc('\n', stdout);
        return 0;
    }
    char added[32];
    tl_timestamp_format(r->added_us, added);
    /* the name, when the object has one, helps a reader; parse only for it */
    json_t *v = json_loadb(r->json, r->json_len, 0, NULL);
    const char *name = json_string_value(json_object_get(v, "name"));
    if (!name) name = json_string_value(json_object_get(v, "value"));
    char ver[72];
    version_text(r->version, ver);
    printf("%s  %-20s %s  %s  %s%s  %s\n", added, r->type, r->id, ver, *r->origin ? "from:" : "own",
           r->origin, name ? name : "");
    json_decref(v);
    return 0;
}

int cmd_list(int argc, char **argv)
{
    const char *home;
    struct cli_filter cf;
    struct lister l = {0, 0};
    int code = cli_filter_parse(argc, argv, "list", help, "json", &cf, &home, &l.json);
    if (code >= 0) return code;
    code = EXIT_OK;
    tl_node *n = cli_open("list", home, &code);
    if (n) {
        char next[TL_CURSOR_MAX];
        tl_err rc = tl_node_query(n, &cf.f, NULL, print_line, &l, next);
        if (rc) {
            cli_error("list", "%s", tl_node_errmsg(n));
            code = cli_exit_code(rc);
        }
        tl_node_close(n);
    }
    cli_filter_free(&cf);
    return code;
}
