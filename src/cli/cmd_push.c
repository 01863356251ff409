/* cmd_push.c: tearline push --to CODE. */
#include "cli.h"

#include "tearline/client.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline push --to CODE [--page N]\n"
    "\n"
    "For partners who prefer push: releases to CODE (as tearline release does),\n"
    "then posts every version published to CODE since the last push to its TAXII\n"
    "inbox (tearline partner add CODE --url ... --credential ...). Each envelope\n"
    "must be accepted whole before the next; an interrupted push resumes there.\n"
    "\n"
    "  --page N   objects per envelope (default 500)\n";

int cmd_push(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"to", required_argument, NULL, 't'},
        {"page", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *to = NULL;
    tl_pull_opts po;
    memset(&po, 0, sizeof po);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'p':
            po.page = (size_t)strtoul(optarg, &end, 10);
            if (*end || !po.page || po.page > 10000) {
                cli_error("push", "--page takes 1 to 10000");
                return EXIT_BADINPUT;
            }
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc || !to) return cli_usage(help, 1);
    int code;
    tl_node *n = cli_open("push", home, &code);
    if (!n) return code;
    uint64_t count = 0;
    tl_err rc = tl_node_push(n, to, &po, &count);
    printf("pushed to %s: %llu objects accepted\n", to, (unsigned long long)count);
    if (rc) cli_error("push", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    tl_node_close(n);
    return cli_exit_code(rc);
}
