/* cmd_receipts.c: tearline receipts --partner CODE. */
#include "cli.h"

#include "tearline/client.h"

#include <string.h>

static const char help[] =
    "usage: tearline receipts --partner CODE\n"
    "\n"
    "Lists the signed receipts partner CODE sent after its pulls: when, how many\n"
    "objects each acknowledges, how many of those are versions this node did\n"
    "publish to CODE, and whether its digest matches its list.\n";

struct totals {
    unsigned long long receipts, count, matched;
};

static int print_receipt(const tl_receipt_info *r, void *ud)
{
    struct totals *t = ud;
    printf("%s  %s  %llu objects, %llu published to this partner%s\n",
           r->created ? r->created : "-", r->id, (unsigned long long)r->count,
           (unsigned long long)r->matched, r->digest_ok ? "" : "  DIGEST MISMATCH");
    t->receipts++;
    t->count += r->count;
    t->matched += r->matched;
    return 0;
}

int cmd_receipts(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"partner", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *partner = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'p':
            partner = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc || !partner) return cli_usage(help, 1);
    int code;
    tl_node *n = cli_open("receipts", home, &code);
    if (!n) return code;
    struct totals t = {0, 0, 0};
    tl_err rc = tl_node_receipts(n, partner, print_receipt, &t);
    if (!rc)
        printf("%llu receipts from %s acknowledge %llu objects, %llu of them published to %s\n",
               t.receipts, partner, t.count, t.matched, partner);
    if (rc) cli_error("receipts", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    tl_node_close(n);
    return cli_exit_code(rc);
}
