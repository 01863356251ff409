/* cmd_key.c: tearline key list | rotate. */
#include "cli.h"

#include <sodium.h>
#include <string.h>

static const char help[] =
    "usage: tearline key [--home DIR] list\n"
    "       tearline key [--home DIR] rotate\n"
    "\n"
    "The node's Ed25519 signing keys. 'list' prints the current key, then the\n"
    "retired ones, newest first. 'rotate' makes a new key the node's and\n"
    "retires the current one (kept in retired.keys, mode 0600).\n"
    "\n"
    "A retired key still signs toward a partner while the agreement in force\n"
    "with it names that key. To move a partner to the new key, propose a new\n"
    "version of the agreement that names it and sign it: the signature comes\n"
    "with an endorsement by the retired key, which lets a partner that pinned\n"
    "the old key trust the new one once it countersigns (docs/agreements.md).\n";

static int print_key(const unsigned char pk[32], int current, void *ud)
{
    (void)ud;
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, pk, 32);
    printf("%s  %s\n", hex, current ? "current" : "retired");
    return 0;
}

int cmd_key(int argc, char **argv)
{
    const char *home;
    int done = cli_common_only(argc, argv, help, &home, 1, 1);
    if (done >= 0) return done;
    const char *verb = argv[optind];
    if (strcmp(verb, "list") != 0 && strcmp(verb, "rotate") != 0) return cli_usage(help, 1);
    int code;
    tl_node *n = cli_open("key", home, &code);
    if (!n) return code;
    tl_err rc;
    if (!strcmp(verb, "list")) {
        rc = tl_node_key_list(n, print_key, NULL);
    } else {
        unsigned char old_pk[32], new_pk[32];
        rc = tl_node_key_rotate(n, old_pk, new_pk);
        if (!rc) {
            char oh[65], nh[65];
            sodium_bin2hex(oh, sizeof oh, old_pk, 32);
            sodium_bin2hex(nh, sizeof nh, new_pk, 32);
            printf("public key %s\nretired %s\n", nh, oh);
            printf("agreements in force still name the retired key: propose new versions that "
                   "name this one\n");
        }
    }
    if (rc) cli_error("key", "%s", tl_node_errmsg(n));
    tl_node_close(n);
    return rc ? cli_exit_code(rc) : EXIT_OK;
}
