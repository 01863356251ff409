/* cmd_get.c: tearline get. */
#include "cli.h"

#include "tearline/json.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline get [--version TS] [--canonical] [--home DIR] ID\n"
    "\n"
    "Prints one object of the holdings: its latest version, or the version\n"
    "whose 'modified' (or 'created') is TS.\n"
    "\n"
    "  --version TS   that version (RFC 3339; any precision naming the same instant)\n"
    "  --canonical    RFC 8785 canonical form on one line instead of the readable form\n";

struct out {
    int canonical;
    tl_err rc;
};

static int print_rec(const tl_record *r, void *ud)
{
    struct out *o = ud;
    if (o->canonical) {
        fwrite(r->json, 1, r->json_len, stdout);
        fputc('\n', stdout);
        return 0;
    }
    json_t *v = NULL;
    char msg[128];
    if (tl_json_parse(r->json, r->json_len, &v, msg, sizeof msg)) {
        o->rc = TL_ESTORE;
        return 1;
    }
    char *pretty = NULL;
    size_t len;
    o->rc = tl_json_pretty(v, &pretty, &len);
    json_decref(v);
    if (o->rc) return 1;
    fwrite(pretty, 1, len, stdout);
    fputc('\n', stdout);
    tl_free(pretty);
    return 0;
}

int cmd_get(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"version", required_argument, NULL, 'V'},
        {"canonical", no_argument, NULL, 'C'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *version = NULL;
    struct out o = {0, TL_OK};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'V':
            version = optarg;
            break;
        case 'C':
            o.canonical = 1;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind + 1 != argc) {
        cli_error("get", "exactly one object ID is required");
        return cli_usage(help, 1);
    }
    int code;
    tl_node *n = cli_open("get", home, &code);
    if (!n) return code;
    tl_err rc = tl_node_get(n, argv[optind], version, print_rec, &o);
    if (!rc) rc = o.rc;
    if (rc) cli_error("get", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    tl_node_close(n);
    return cli_exit_code(rc);
}
