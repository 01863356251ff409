/* cmd_export.c: tearline export. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline export [FILTERS] [--jsonl] [--home DIR] > bundle.json\n"
    "\n"
    "Writes holdings as a STIX 2.1 bundle (or JSON Lines with --jsonl), each\n"
    "object in RFC 8785 canonical form, in the order they were added.\n"
    "This is for the node's own use (backup, analysis): it includes protected\n"
    "provenance. Data for a partner leaves only through 'tearline release'.\n"
    "\n" CLI_FILTER_HELP;

/* Defined in the library; a fresh bundle id. */
void tl__uuid4(char out[37]);

struct exporter {
    int jsonl;
    unsigned long count;
};

static int write_obj(const tl_record *r, void *ud)
{
    struct exporter *e = ud;
    if (!e->jsonl) fputs(e->count ? ",\n" : "\n", stdout);
    fwrite(r->json, 1, r->json_len, stdout);
    if (e->jsonl) fputc('\n', stdout);
    e->count++;
    return 0;
}

int cmd_export(int argc, char **argv)
{
    const char *home;
    struct cli_filter cf;
    struct exporter e = {0, 0};
    int code = cli_filter_parse(argc, argv, "export", help, "jsonl", &cf, &home, &e.jsonl);
    if (code >= 0) return code;
    code = EXIT_OK;
    tl_node *n = cli_open("export", home, &code);
    if (n) {
        char uuid[37], next[TL_CURSOR_MAX];
        tl__uuid4(uuid);
        if (!e.jsonl) printf("{\"id\":\"bundle--%s\",\"objects\":[", uuid);
        tl_err rc = tl_node_query(n, &cf.f, NULL, write_obj, &e, next);
        if (!e.jsonl) fputs("\n],\"type\":\"bundle\"}\n", stdout);
        if (rc) {
            cli_error("export", "%s", tl_node_errmsg(n));
            code = cli_exit_code(rc);
        } else if (fflush(stdout) != 0 || ferror(stdout)) {
            cli_error("export", "writing the output failed");
            code = EXIT_FAIL;
        }
        tl_node_close(n);
    }
    cli_filter_free(&cf);
    return code;
}
