/* cmd_agree.c: tearline agree propose|sign|import|export|show|list|verify. */
#include "cli.h"

#include "tearline/agree.h"
#include "tearline/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

static const char help[] =
    "usage: tearline agree propose FILE        record a proposed agreement (or a new version)\n"
    "       tearline agree sign ID [--version N]  sign it with this node's key\n"
    "       tearline agree import FILE         take in a partner's (countersigned) copy\n"
    "       tearline agree export ID [--version N] > FILE   the signed copy to send\n"
    "       tearline agree show ID [--version N] [--json]\n"
    "       tearline agree list\n"
    "       tearline agree verify ID [--version N]\n"
    "       tearline agree verify --file FILE  check a text someone claims was agreed\n"
    "\n"
    "Agreements are versioned JSON documents (docs/agreements.md) that every\n"
    "party signs (Ed25519 over the RFC 8785 canonical form without signatures).\n"
    "Only an agreement signed by every party and within its validity allows\n"
    "release to a party. Any change is a new version that needs every\n"
    "signature again. 'verify --file' refutes a claimed text that differs from\n"
    "what every party signed.\n";

static void print_time(const char *label, int64_t us)
{
    char ts[32];
    tl_timestamp_format(us, ts);
    printf("%s%s\n", label, ts);
}

static const char *status_of(const tl_agreement *a, int64_t now)
{
    if (!tl_agreement_countersigned(a)) return "awaiting signatures";
    if (now < tl_agreement_valid_from(a)) return "countersigned, not yet valid";
    if (now >= tl_agreement_valid_until(a)) return "countersigned, expired";
    return "in force";
}

static void print_parties(const tl_agreement *a)
{
    for (size_t i = 0; i < tl_agreement_party_count(a); i++) {
        const char *p = tl_agreement_party(a, i);
        unsigned char pk[32], by[32];
        char hex[65], byhex[65];
        tl_agreement_party_key(a, p, pk);
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        printf("  party %-12s %s  key %.16s...", p,
               tl_agreement_signed_by(a, p) ? "signed    " : "NOT SIGNED", hex);
        if (tl_agreement_endorser(a, p, by)) {
            sodium_bin2hex(byhex, sizeof byhex, by, 32);
            printf("  endorsed by its earlier key %.16s...", byhex);
        }
        printf("\n");
    }
}

static int show(const tl_agreement *a, int json)
{
    if (json) {
        char *out = NULL;
        size_t len;
        if (tl_json_pretty(tl_agreement_json(a), &out, &len)) return EXIT_FAIL;
        fwrite(out, 1, len, stdout);
        fputc('\n', stdout);
        tl_free(out);
        return EXIT_OK;
    }
    int64_t now = tl_now_us();
    printf("%s version %lld: %s\n", tl_agreement_id(a), (long long)tl_agreement_version(a),
           tl_agreement_title(a));
    printf("  status: %s\n", status_of(a, now));
    print_time("  valid from:  ", tl_agreement_valid_from(a));
    print_time("  valid until: ", tl_agreement_valid_until(a));
    print_parties(a);
    static const char *const members[] = {"scope", "rules", "profile", "consents", "commitments"};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        const json_t *v = json_object_get(tl_agreement_json(a), members[i]);
        if (!v) continue;
        char *c = NULL;
        size_t len;
        if (tl_json_canonical(v, &c, &len) == TL_OK) printf("  %s: %s\n", members[i], c);
        tl_free(c);
    }
    return EXIT_OK;
}

static int list_line(const tl_agreement *a, void *ud)
{
    (void)ud;
    printf("%s  v%-3lld %-30s  %-28s ", tl_agreement_id(a), (long long)tl_agreement_version(a),
           tl_agreement_title(a), status_of(a, tl_now_us()));
    for (size_t i = 0; i < tl_agreement_party_count(a); i++) {
        const char *p = tl_agreement_party(a, i);
        printf("%s%s%s", i ? "," : "", p, tl_agreement_signed_by(a, p) ? "" : "(unsigned)");
    }
    printf("\n");
    return 0;
}

/* verify --file: is the claimed text what every party signed? */
static int verify_claim(tl_node *n, const char *path)
{
    char msg[1024] = "";
    tl_agreement *claim = NULL, *held = NULL;
    tl_err rc = tl_agreement_parse_file(path, &claim, msg, sizeof msg);
    if (rc == TL_ECRYPTO) {
        printf("REFUTED: %s\n", msg);
        return EXIT_FAIL;
    }
    if (rc) {
        cli_error("agree", "%s", msg);
        return cli_exit_code(rc);
    }
    int code = EXIT_FAIL;
    rc = tl_node_agree_get(n, tl_agreement_id(claim), tl_agreement_version(claim), &held);
    char diff[512];
    if (rc == TL_OK && tl_agreement_countersigned(held) &&
        tl_agreement_diff(held, claim, diff, sizeof diff) > 0) {
        printf("REFUTED: %s v%lld as countersigned by every party differs from this text in: "
               "%s\n",
               tl_agreement_id(claim), (long long)tl_agreement_version(claim), diff);
    } else if (!tl_agreement_countersigned(claim)) {
        printf("NOT AGREED: %s v%lld is not signed by every party:\n", tl_agreement_id(claim),
               (long long)tl_agreement_version(claim));
        print_parties(claim);
    } else {
        printf("CONFIRMED: %s v%lld, this exact text, is signed by every party\n",
               tl_agreement_id(claim), (long long)tl_agreement_version(claim));
        code = EXIT_OK;
    }
    tl_agreement_free(claim);
    tl_agreement_free(held);
    return code;
}

static int parse_version(const char *arg, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(arg, &end, 10);
    if (errno || *end || x < 1) {
        cli_error("agree", "--version: '%s' is not a version number", arg);
        return -1;
    }
    *v = x;
    return 0;
}

int cmd_agree(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"version", required_argument, NULL, 'V'},
        {"json", no_argument, NULL, 'J'},
        {"file", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *file = NULL;
    int64_t version = 0;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'V':
            if (parse_version(optarg, &version)) return EXIT_BADINPUT;
            break;
        case 'J':
            json = 1;
            break;
        case 'F':
            file = optarg;
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
    const char *arg = nargs ? argv[optind + 1] : NULL;
    int ok = nargs == 1 && (!strcmp(verb, "propose") || !strcmp(verb, "sign") ||
                            !strcmp(verb, "import") || !strcmp(verb, "export") ||
                            !strcmp(verb, "show") || (!strcmp(verb, "verify") && !file));
    ok |= nargs == 0 && (!strcmp(verb, "list") || (!strcmp(verb, "verify") && file));
    if (!ok) {
        cli_error("agree", "unknown or incomplete command 'agree %s'", verb);
        return cli_usage(help, 1);
    }
    int code;
    tl_node *n = cli_open("agree", home, &code);
    if (!n) return code;
    tl_agreement *a = NULL;
    tl_err rc = TL_OK;
    code = EXIT_OK;
    if (!strcmp(verb, "propose") || !strcmp(verb, "import")) {
        rc = !strcmp(verb, "propose") ? tl_node_agree_propose(n, arg, &a)
                                      : tl_node_agree_import(n, arg, &a);
        if (!rc) {
            printf("%s %s v%lld: %s\n", !strcmp(verb, "propose") ? "proposed" : "imported",
                   tl_agreement_id(a), (long long)tl_agreement_version(a),
                   status_of(a, tl_now_us()));
            print_parties(a);
        }
    } else if (!strcmp(verb, "sign")) {
        rc = tl_node_agree_sign(n, arg, version, &a);
        if (!rc) {
            printf("signed %s v%lld as %s: %s\n", tl_agreement_id(a),
                   (long long)tl_agreement_version(a), tl_node_code(n), status_of(a, tl_now_us()));
            print_parties(a);
        }
    } else if (!strcmp(verb, "export")) {
        rc = tl_node_agree_get(n, arg, version, &a);
        char *doc = NULL;
        size_t len;
        if (!rc && !(rc = tl_agreement_canonical(a, 1, &doc, &len))) {
            fwrite(doc, 1, len, stdout);
            fputc('\n', stdout);
        }
        tl_free(doc);
    } else if (!strcmp(verb, "show")) {
        rc = tl_node_agree_get(n, arg, version, &a);
        if (!rc) code = show(a, json);
    } else if (!strcmp(verb, "list")) {
        rc = tl_node_agree_list(n, list_line, NULL);
    } else if (file) {
        code = verify_claim(n, file);
    } else {
        /* a held agreement: every stored signature is verified when it is read */
        rc = tl_node_agree_get(n, arg, version, &a);
        if (!rc) {
            int full = tl_agreement_countersigned(a);
            printf("%s v%lld: signatures verify; %s\n", tl_agreement_id(a),
                   (long long)tl_agreement_version(a),
                   full ? "signed by every party" : "not yet signed by every party");
            print_parties(a);
            code = full ? EXIT_OK : EXIT_FAIL;
        }
    }
    if (rc) {
        cli_error("agree", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
        code = cli_exit_code(rc);
    }
    tl_agreement_free(a);
    tl_node_close(n);
    return code;
}
