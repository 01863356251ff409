/* cmd_partner.c: tearline partner add|grant|list. */
#include "cli.h"

#include "tearline/partner.h"

#include <sodium.h>
#include <string.h>

static const char help[] =
    "usage: tearline partner add CODE [--url URL] [--key PUBKEY] [--credential CRED]\n"
    "                            [--ca FILE]\n"
    "       tearline partner grant CODE\n"
    "       tearline partner list\n"
    "\n"
    "The partners this node exchanges with over TAXII.\n"
    "\n"
    "add     records partner CODE, or updates what is given: --url, its TAXII API\n"
    "        root; --key, its Ed25519 public key (64 hex digits; objects it signs\n"
    "        must verify under it); --credential, what this node presents to its\n"
    "        server: USER:PASSWORD for HTTP Basic, or a bearer token. A credential\n"
    "        given as '-' is read from the first line of standard input. --ca, a PEM\n"
    "        file of the CA (or the certificate) its HTTPS server must present.\n"
    "grant   issues CODE a new secret for this node's TAXII server and prints it,\n"
    "        once: only its hash is kept, and the previous secret stops working.\n"
    "list    prints each partner: code, URL, key, and which credentials exist.\n";

static int print_partner(const tl_partner_info *p, void *ud)
{
    (void)ud;
    printf("%-12s %s  key %s  credential %s  secret %s\n", p->code, *p->url ? p->url : "-",
           *p->public_key ? p->public_key : "-", p->has_credential ? "yes" : "no",
           p->has_secret ? "granted" : "none");
    return 0;
}

int cmd_partner(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"url", required_argument, NULL, 'u'},
        {"key", required_argument, NULL, 'k'},
        {"credential", required_argument, NULL, 'c'},
        {"ca", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *url = NULL, *key = NULL, *cred = NULL, *ca = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'c':
            cred = optarg;
            break;
        case 'a':
            ca = optarg;
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
    int is_add = !strcmp(verb, "add"), is_grant = !strcmp(verb, "grant");
    int is_list = !strcmp(verb, "list");
    if (!((is_add || is_grant) && nargs == 1) && !(is_list && nargs == 0)) {
        cli_error("partner", "expected 'add CODE', 'grant CODE' or 'list'");
        return cli_usage(help, 1);
    }
    if (!is_add && (url || key || cred || ca)) {
        cli_error("partner", "--url, --key, --credential and --ca go with 'add'");
        return cli_usage(help, 1);
    }
    char line[1100];
    if (cred && !strcmp(cred, "-")) {
        if (!fgets(line, sizeof line, stdin)) {
            cli_error("partner", "no credential on standard input");
            return EXIT_BADINPUT;
        }
        line[strcspn(line, "\r\n")] = '\0';
        cred = line;
    }
    int code;
    tl_node *n = cli_open("partner", home, &code);
    if (!n) return code;
    tl_err rc;
    if (is_list) {
        rc = tl_node_partner_list(n, print_partner, NULL);
    } else if (is_add) {
        rc = tl_node_partner_set(n, argv[optind + 1], url, key, cred, ca);
        if (!rc) printf("partner %s recorded\n", argv[optind + 1]);
    } else {
        char secret[TL_PARTNER_SECRET_MAX];
        rc = tl_node_partner_grant(n, argv[optind + 1], secret);
        if (!rc) {
            printf("secret for %s (shown once; give it to the partner over a trusted channel):\n"
                   "  HTTP Basic: user %s, password %s\n"
                   "  bearer token: %s.%s\n",
                   argv[optind + 1], argv[optind + 1], secret, argv[optind + 1], secret);
            sodium_memzero(secret, sizeof secret);
        }
    }
    sodium_memzero(line, sizeof line);
    if (rc) cli_error("partner", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    tl_node_close(n);
    return cli_exit_code(rc);
}
