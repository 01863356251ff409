/* cmd_protect.c: tearline protect add|list|remove. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline protect add [--kind KIND] TERM\n"
    "       tearline protect remove TERM\n"
    "       tearline protect list\n"
    "\n"
    "Manages the node's lexicon of protected terms: source and station names,\n"
    "platforms, operations, case officers. Terms match regardless of case and\n"
    "Unicode normalization form. Releases redact them from every string.\n"
    "\n"
    "  --kind KIND   source, station, platform, operation, person or other (default)\n";

static int print_term(const char *term, const char *kind, int64_t added_us, void *ud)
{
    (void)ud;
    char added[32];
    tl_timestamp_format(added_us, added);
    printf("%-10s %s  %s\n", kind, added, term);
    return 0;
}

int cmd_protect(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"kind", required_argument, NULL, 'K'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *kind = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'K':
            kind = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind >= argc) return cli_usage(help, 1);
    const char *verb = argv[optind];
    int nargs = argc - optind - 1;
    int is_list = !strcmp(verb, "list");
    if (!(is_list && nargs == 0) &&
        !((!strcmp(verb, "add") || !strcmp(verb, "remove")) && nargs == 1)) {
        cli_error("protect", "expected 'add TERM', 'remove TERM' or 'list'");
        return cli_usage(help, 1);
    }
    int code;
    tl_node *n = cli_open("protect", home, &code);
    if (!n) return code;
    tl_err rc;
    if (is_list)
        rc = tl_node_protect_list(n, print_term, NULL);
    else if (!strcmp(verb, "add"))
        rc = tl_node_protect_add(n, argv[optind + 1], kind);
    else
        rc = tl_node_protect_remove(n, argv[optind + 1]);
    if (rc) cli_error("protect", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    tl_node_close(n);
    return cli_exit_code(rc);
}
