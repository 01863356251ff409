/* cmd_release.c: tearline release --to P. */
#include "cli.h"

#include "tearline/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline release --to CODE [--dry-run] [--explain] [--json] [--home DIR]\n"
    "\n"
    "Compiles the tearline release to partner CODE under the agreement in force\n"
    "with it (docs/release.md): what the agreement allows, sanitized, verified\n"
    "independently, signed, and published to the partner's outbox in one\n"
    "transaction. Any failure publishes nothing.\n"
    "\n"
    "  --dry-run   publish nothing; write to standard output a STIX bundle of\n"
    "              exactly what CODE would receive\n"
    "  --explain   list every decision: object, action (release, sanitize,\n"
    "              withhold) and the rule (on standard error with --dry-run)\n"
    "  --json      the explanation as JSON Lines\n"
    "\n"
    "With TEARLINE_TIMINGS set, the time of each phase goes to standard error.\n";

struct ctx {
    int explain, json, dry_run;
    FILE *why;
    unsigned long emitted;
};

static void on_explain(void *ud, const char *object, const char *action, const char *rule,
                       const char *detail)
{
    struct ctx *c = ud;
    if (!c->explain) return;
    if (c->json) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "object", object, "action", action, "rule",
                              rule, "detail", detail);
        char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        if (s) fprintf(c->why, "%s\n", s);
        free(s);
        json_decref(j);
    } else {
        fprintf(c->why, "%-8s %-22s %s%s%s\n", action, rule, object, *detail ? "  " : "", detail);
    }
}

static void on_emit(void *ud, const char *json, size_t len)
{
    struct ctx *c = ud;
    if (!c->dry_run) return;
    fputs(c->emitted ? ",\n" : "\n", stdout);
    fwrite(json, 1, len, stdout);
    c->emitted++;
}

/* Defined in the library; a fresh bundle id. */
void tl__uuid4(char out[37]);

int cmd_release(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"to", required_argument, NULL, 'T'},
        {"dry-run", no_argument, NULL, 'D'},
        {"explain", no_argument, NULL, 'E'},
        {"json", no_argument, NULL, 'J'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *to = NULL;
    struct ctx c = {0, 0, 0, stdout, 0};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'H':
            home = optarg;
            break;
        case 'T':
            to = optarg;
            break;
        case 'D':
            c.dry_run = 1;
            break;
        case 'E':
            c.explain = 1;
            break;
        case 'J':
            c.json = 1;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (!to || optind != argc) {
        cli_error("release", "--to CODE is required");
        return cli_usage(help, 1);
    }
    if (c.json) c.explain = 1;
    if (c.dry_run) c.why = stderr;
    int code;
    tl_node *n = cli_open("release", home, &code);
    if (!n) return code;
    tl_release_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.dry_run = c.dry_run;
    ro.explain = on_explain;
    ro.emit = on_emit;
    ro.ud = &c;
    if (c.dry_run) {
        char uuid[37];
        tl__uuid4(uuid);
        printf("{\"id\":\"bundle--%s\",\"objects\":[", uuid);
    }
    tl_release_stats st;
    tl_err rc = tl_node_release(n, to, &ro, &st);
    if (c.dry_run) fputs("\n],\"type\":\"bundle\"}\n", stdout);
    if (rc) {
        cli_error("release", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
        tl_node_close(n);
        return rc == TL_ENOTFOUND ? EXIT_FAIL : cli_exit_code(rc);
    }
    if (getenv("TEARLINE_TIMINGS"))
        fprintf(stderr,
                "timings (ms): load %.1f, decide %.1f, transform %.1f, sign %.1f, verify %.1f, "
                "publish %.1f\n",
                (double)st.us_load / 1e3, (double)st.us_decide / 1e3, (double)st.us_transform / 1e3,
                (double)st.us_sign / 1e3, (double)st.us_verify / 1e3, (double)st.us_publish / 1e3);
    fprintf(c.dry_run ? stderr : stdout,
            "release to %s%s: %llu considered, %llu released (%llu source pseudonyms), %llu "
            "withheld, %llu protected terms redacted, %llu newly published\n",
            to, c.dry_run ? " (dry run, nothing published)" : "", (unsigned long long)st.considered,
            (unsigned long long)st.released, (unsigned long long)st.pseudonyms,
            (unsigned long long)st.withheld, (unsigned long long)st.redactions,
            (unsigned long long)st.published);
    tl_node_close(n);
    return EXIT_OK;
}
