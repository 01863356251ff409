/* cmd_init.c: tearline init. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline init --name CODE [--title TEXT] [--store URL] [--home DIR]\n"
    "\n"
    "Creates a node in the home directory: an Ed25519 identity key pair\n"
    "(identity.key, mode 0600), the node's STIX identity and its store.\n"
    "\n"
    "  --name CODE    the node's party code: 2-32 characters, a-z first, then a-z, 0-9, '-'\n"
    "  --title TEXT   display name of the node's identity (default: CODE)\n"
    "  --store URL    where the node keeps its holdings, ledger and audit:\n"
    "                 sqlite:PATH (default sqlite:store.db, in the home) or\n"
    "                 postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE (an empty\n"
    "                 database of its own; several `tearline serve` processes may share it)\n"
    "  --home DIR     node home (default: $TEARLINE_HOME)\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"name", required_argument, NULL, 'N'},
        {"title", required_argument, NULL, 'I'},
        {"store", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *name = NULL, *title = NULL, *store = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'N':
            name = optarg;
            break;
        case 'I':
            title = optarg;
            break;
        case 'S':
            store = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc || !name) {
        if (!name) cli_error("init", "--name CODE is required");
        return cli_usage(help, 1);
    }
    const char *dir = cli_home("init", home);
    if (!dir) return EXIT_BADINPUT;
    char msg[1024] = "";
    tl_node *n = NULL;
    tl_err rc = tl_node_init_store(dir, name, title, store, &n, msg, sizeof msg);
    if (rc) {
        cli_error("init", "%s", *msg ? msg : tl_strerror(rc));
        return cli_exit_code(rc);
    }
    unsigned char pk[32];
    tl_node_public_key(n, pk);
    printf("node %s created in %s\nidentity %s\npublic key ", tl_node_code(n), dir,
           tl_node_identity(n));
    for (int i = 0; i < 32; i++)
        printf("%02x", pk[i]);
    printf("\n");
    tl_node_close(n);
    return EXIT_OK;
}
