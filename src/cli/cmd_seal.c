/* cmd_seal.c: tearline seal and tearline unseal, for partners across an air gap. */
#include "cli.h"

#include "tearline/seal.h"

#include <string.h>

static const char seal_help[] =
    "usage: tearline seal --to CODE --out FILE [--all]\n"
    "\n"
    "Releases to partner CODE (as tearline release does) and writes FILE: every\n"
    "version published to CODE since the last sealed file (--all: every one), each\n"
    "with its signature, the whole signed by this node and encrypted to CODE's key\n"
    "in the agreement in force. Only CODE can open it (tearline unseal).\n";

static const char unseal_help[] =
    "usage: tearline unseal FILE\n"
    "\n"
    "Opens a sealed file addressed to this node, checks the sender's signatures on\n"
    "the whole and on every object, and stores the objects with the sender as\n"
    "origin in one transaction. A file that was changed, truncated or addressed\n"
    "to another node is refused and nothing is stored.\n";

int cmd_seal(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"to", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},
        {"all", no_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *to = NULL, *out = NULL;
    int all = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'a':
            all = 1;
            break;
        case 'h':
            return cli_usage(seal_help, 0);
        default:
            return cli_usage(seal_help, 1);
        }
    }
    if (optind != argc || !to || !out) return cli_usage(seal_help, 1);
    int code;
    tl_node *n = cli_open("seal", home, &code);
    if (!n) return code;
    uint64_t count = 0;
    tl_err rc = tl_node_seal(n, to, out, all, &count);
    if (rc)
        cli_error("seal", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    else
        printf("sealed %llu objects for %s in %s\n", (unsigned long long)count, to, out);
    tl_node_close(n);
    return cli_exit_code(rc);
}

int cmd_unseal(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    const char *home = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'h':
            return cli_usage(unseal_help, 0);
        default:
            return cli_usage(unseal_help, 1);
        }
    }
    if (optind + 1 != argc) return cli_usage(unseal_help, 1);
    int code;
    tl_node *n = cli_open("unseal", home, &code);
    if (!n) return code;
    char from[40];
    tl_ingest_stats st;
    memset(&st, 0, sizeof st);
    tl_err rc = tl_node_unseal(n, argv[optind], from, &st);
    if (rc)
        cli_error("unseal", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    else
        printf("unsealed from %s: %llu objects, %llu new, %llu already held\n", from,
               (unsigned long long)st.objects, (unsigned long long)st.stored,
               (unsigned long long)st.duplicates);
    tl_node_close(n);
    return cli_exit_code(rc);
}
