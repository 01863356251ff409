/* main.c: the tearline command: dispatch to subcommands and shared helpers. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create a node: identity key pair, STIX identity, store"},
    {"ingest", cmd_ingest, "add STIX 2.1 objects to the holdings (one transaction)"},
    {"get", cmd_get, "show one object (latest version, or --version TS)"},
    {"list", cmd_list, "list holdings"},
    {"export", cmd_export, "write holdings as a STIX bundle (internal use, not a release)"},
    {"protect", cmd_protect, "manage the lexicon of protected terms"},
    {"stats", cmd_stats, "count holdings by type and origin"},
    {"agree", cmd_agree, "propose, sign, import and verify sharing agreements"},
    {"release", cmd_release, "compile, verify, sign and publish the release to a partner"},
    {"trace", cmd_trace, "name the partner a leaked copy was released to"},
    {"migrate", cmd_migrate, "move the node's store from SQLite to PostgreSQL"},
    {"partner", cmd_partner, "record partners and grant them secrets for the TAXII server"},
    {"serve", cmd_serve, "serve TAXII 2.1 to partners: their outboxes and inboxes"},
    {"pull", cmd_pull, "pull what a partner released to this node, signatures checked"},
    {"push", cmd_push, "release to a partner and post it to the partner's TAXII inbox"},
    {"seal", cmd_seal, "release to a partner across an air gap: a signed, encrypted file"},
    {"unseal", cmd_unseal, "open a sealed file from a partner and store what it holds"},
    {"receipts", cmd_receipts, "list the signed receipts a partner sent for what it pulled"},
    {"key", cmd_key, "list the node's signing keys, or rotate to a new one"},
    {"ledger", cmd_ledger, "show and verify the hash-chained ledger; add a note"},
    {"audit", cmd_audit, "list and verify the audit trail of decisions, requests, actions"},
    {"names", cmd_names, "match names across Latin, Cyrillic and Arabic script; link, cluster"},
    {"resolve", cmd_resolve, "group the persons and groups held into entities; analysts' verdicts"},
    {"fuse", cmd_fuse, "take claims from new holdings: root sources, echoes of our releases"},
    {"assess", cmd_assess, "what the claims say of one person or group: fused, with sources"},
    {"contradictions", cmd_contradictions, "list contradictions among claims, evidence each side"},
    {"partners", cmd_partners, "partners' trust and calibration; framing that diverges"},
    {"graph", cmd_graph, "link analysis: brokers, evidence paths, communities, export, drawing"},
    {"ach", cmd_ach, "analysis of competing hypotheses: matrix, scores, sensitivity"},
    {"watch", cmd_watch, "watchlists over the fused holdings; alerts with their evidence"},
    {"demo", cmd_demo, "run the two-partner scenario on two real nodes, step by step"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: tearline [--version] COMMAND [--home DIR] [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nThe node home is --home DIR or $TEARLINE_HOME. "
                 "'tearline COMMAND --help' explains each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_BADINPUT;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("tearline %s\n", tl_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "tearline: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_BADINPUT;
}

int cli_exit_code(tl_err err)
{
    switch (err) {
    case TL_OK:
        return EXIT_OK;
    case TL_EUSAGE:
    case TL_EINVAL:
    case TL_EJSON:
    case TL_ESTIX:
    case TL_ELIMIT:
    case TL_ECONFLICT:
    case TL_EEXIST:
        return EXIT_BADINPUT;
    default:
        return EXIT_FAIL;
    }
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tearline %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *cli_home(const char *cmd, const char *opt_home)
{
    if (opt_home && *opt_home) return opt_home;
    const char *env = getenv("TEARLINE_HOME");
    if (env && *env) return env;
    cli_error(cmd, "no node home: pass --home DIR or set TEARLINE_HOME");
    return NULL;
}

tl_node *cli_open(const char *cmd, const char *opt_home, int *code)
{
    const char *home = cli_home(cmd, opt_home);
    if (!home) {
        *code = EXIT_BADINPUT;
        return NULL;
    }
    char msg[1024] = "";
    tl_node *n = NULL;
    tl_err rc = tl_node_open(home, &n, msg, sizeof msg);
    if (rc) {
        cli_error(cmd, "%s", *msg ? msg : tl_strerror(rc));
        *code = rc == TL_ENODE ? EXIT_BADINPUT : EXIT_FAIL;
        return NULL;
    }
    return n;
}

int cli_usage(const char *text, int to_stderr)
{
    fputs(text, to_stderr ? stderr : stdout);
    return to_stderr ? EXIT_BADINPUT : EXIT_OK;
}

int cli_common_only(int argc, char **argv, const char *help, const char **home, int min, int max)
{
    static const struct option opts[] = {CLI_COMMON_OPTS, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    *home = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            *home = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    int operands = argc - optind;
    return operands < min || operands > max ? cli_usage(help, 1) : -1;
}

int cli_time_opt(const char *cmd, const char *opt, const char *arg, int64_t *us)
{
    char key[64];
    if (!arg || !tl_timestamp_parse(arg, key, us)) return 0;
    cli_error(cmd, "%s '%s' is not a timestamp (2026-01-31T00:00:00Z)", opt, arg);
    return -1;
}

int cli_threshold_opt(const char *cmd, const char *arg, int zero_ok, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    if (errno || *end || end == arg || !((zero_ok ? x >= 0 : x > 0) && x <= 1)) {
        cli_error(cmd, "--threshold '%s' is not a number %s", arg,
                  zero_ok ? "from 0 to 1" : "above 0 and at most 1");
        return -1;
    }
    *out = x;
    return 0;
}

void cli_print_json(const json_t *v, int pretty)
{
    char *text = NULL;
    size_t len = 0;
    if (v && (pretty ? tl_json_pretty(v, &text, &len) : tl_json_canonical(v, &text, &len)) == TL_OK)
        printf("%.*s\n", (int)len, text);
    tl_free(text);
}

static int filter_opt(struct cli_filter *cf, const char *cmd, int c, const char *arg)
{
    tl_filter *f = &cf->f;
    switch (c) {
    case 't': {
        /* comma-separated and repeatable */
        const char *p = arg;
        while (*p) {
            size_t len = strcspn(p, ",");
            if (len) {
                if (f->ntypes == TL_FILTER_MAX_TYPES) {
                    cli_error(cmd, "--type: at most %d types", TL_FILTER_MAX_TYPES);
                    return -1;
                }
                char *t = strndup(p, len);
                if (!t) return -1;
                cf->owned[f->ntypes] = t;
                f->types[f->ntypes++] = t;
            }
            p += len;
            if (*p == ',') p++;
        }
        return 1;
    }
    case 'l':
        f->label = arg;
        return 1;
    case 'o':
        f->origin = strcmp(arg, "own") == 0 ? "" : arg;
        return 1;
    case 's': {
        char key[64];
        if (tl_timestamp_parse(arg, key, &f->added_after_us)) {
            cli_error(cmd, "--since: '%s' is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)",
                      arg);
            return -1;
        }
        return 1;
    }
    case 'F':
    case 'T': {
        char *key = c == 'F' ? cf->from_key : cf->to_key;
        if (tl_timestamp_parse(arg, key, NULL)) {
            cli_error(cmd, "--modified-%s: '%s' is not an RFC 3339 timestamp",
                      c == 'F' ? "from" : "to", arg);
            return -1;
        }
        if (c == 'F')
            f->modified_from = key;
        else
            f->modified_to = key;
        return 1;
    }
    case 'A':
        f->versions = TL_VERSIONS_ALL;
        return 1;
    case 'n': {
        char *end;
        errno = 0;
        long long v = strtoll(arg, &end, 10);
        if (errno || *end || v <= 0) {
            cli_error(cmd, "--limit: '%s' is not a positive whole number", arg);
            return -1;
        }
        f->limit = (size_t)v;
        return 1;
    }
    }
    return 0;
}

void cli_filter_free(struct cli_filter *cf)
{
    for (size_t i = 0; i < TL_FILTER_MAX_TYPES; i++) {
        free(cf->owned[i]);
        cf->owned[i] = NULL;
    }
}

int cli_filter_parse(int argc, char **argv, const char *cmd, const char *help, const char *flag,
                     struct cli_filter *cf, const char **home, int *flag_set)
{
    const struct option opts[] = {
        CLI_COMMON_OPTS,
        CLI_FILTER_OPTS,
        {flag, no_argument, NULL, 'J'},
        {NULL, 0, NULL, 0},
    };
    memset(cf, 0, sizeof *cf);
    tl_filter init = TL_FILTER_INIT;
    cf->f = init;
    *home = NULL;
    *flag_set = 0;
    int c, code = -1;
    optind = 1;
    while (code < 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int r = filter_opt(cf, cmd, c, optarg);
        if (r < 0) code = EXIT_BADINPUT;
        if (r) continue;
        switch (c) {
        case 'H':
            *home = optarg;
            break;
        case 'J':
            *flag_set = 1;
            break;
        case 'h':
            code = cli_usage(help, 0);
            break;
        default:
            code = cli_usage(help, 1);
        }
    }
    if (code < 0 && optind != argc) {
        cli_error(cmd, "unexpected argument '%s'", argv[optind]);
        code = cli_usage(help, 1);
    }
    if (code >= 0) cli_filter_free(cf);
    return code;
}

const char *cli_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

double cli_num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

void cli_put_html(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}
