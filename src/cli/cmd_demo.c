/*
 * cmd_demo.c: tearline demo [--dir DIR] [--keep]: the two-partner scenario
 * of examples/scenario (built into the command) on two real nodes, run step
 * by step by this same program (each step a tearline command in a child
 * process, as an operator would type it), with the TAXII servers of both
 * nodes on loopback.
 */
#include "cli.h"

#include "tearline/json.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct tl_scenario_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct tl_scenario_file tl_scenario_files[];

static const char help[] =
    "usage: tearline demo [--dir DIR] [--keep]\n"
    "\n"
    "Runs the two-partner scenario on two real nodes, 'usa' and 'rus', made in\n"
    "DIR (default: a new temporary directory): they countersign an agreement,\n"
    "serve TAXII on loopback, release to each other and pull with receipts,\n"
    "fuse what they received, and show what was withheld, pseudonymized and\n"
    "redacted, names resolved across scripts, corroboration, an echo of our own\n"
    "release, a contradiction, the partners' records, a watchlist alert, link\n"
    "analysis, the ledgers reconciled, a claim of more than was agreed refuted,\n"
    "and a leaked copy traced, and writes DIR/report.html. --keep leaves the\n"
    "nodes at DIR/usa and DIR/rus (otherwise they are removed at the end).\n";

#define AGREEMENT "agreement--5ce0c003-0000-4000-8000-000000000001"

struct demo {
    char self[4096]; /* this program */
    char dir[4096];
    pid_t servers[2];
    int port[2];
    char secret[2][128];
    char key[2][65];
    time_t base; /* the agreement's valid_from */
    int failed;
};

static const char *const code[2] = {"usa", "rus"};

static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void step(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("\n== ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static void path(const struct demo *d, char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", d->dir, name);
}

/*
 * Runs `tearline ARGS...` (NULL-ended) with its standard output to out and
 * its standard error to err (files in DIR; NULL: ours). Returns its exit
 * status, or -1.
 */
static int vrun(struct demo *d, const char *out, const char *err, va_list ap)
{
    char *argv[48];
    int argc = 0;
    argv[argc++] = strdup("tearline");
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 46)
        argv[argc++] = strdup(a);
    argv[argc] = NULL;
    for (int i = 0; i < argc; i++)
        if (!argv[i]) {
            for (int k = 0; k < argc; k++)
                free(argv[k]);
            return -1;
        }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    char file[4200], efile[4200];
    if (out) {
        path(d, file, sizeof file, out);
        posix_spawn_file_actions_addopen(&fa, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    if (err) {
        path(d, efile, sizeof efile, err);
        posix_spawn_file_actions_addopen(&fa, 2, efile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    fflush(stdout);
    pid_t pid;
    int rc = posix_spawn(&pid, d->self, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    if (rc) return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(struct demo *d, const char *out, ...)
{
    va_list ap;
    va_start(ap, out);
    int rc = vrun(d, out, NULL, ap);
    va_end(ap);
    return rc;
}

static int run_err(struct demo *d, const char *out, const char *err, ...)
{
    va_list ap;
    va_start(ap, err);
    int rc = vrun(d, out, err, ap);
    va_end(ap);
    return rc;
}

/* Runs a step that must succeed; reports and marks the demo failed otherwise. */
#define MUST(d, ...)                                                                               \
    do {                                                                                           \
        if (run((d), __VA_ARGS__, (const char *)NULL) != 0) {                                      \
            fprintf(stderr, "tearline demo: a step failed (line %d)\n", __LINE__);                 \
            (d)->failed = 1;                                                                       \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

static int write_file(const struct demo *d, const char *name, const char *data, size_t len)
{
    char p[4200];
    path(d, p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    if (!f) return -1;
    int bad = fwrite(data, 1, len, f) != len;
    return fclose(f) || bad ? -1 : 0;
}

static char *read_text(const struct demo *d, const char *name)
{
    char p[4200];
    path(d, p, sizeof p, name);
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

static const struct tl_scenario_file *scenario(const char *name)
{
    for (const struct tl_scenario_file *f = tl_scenario_files; f->name; f++)
        if (!strcmp(f->name, name)) return f;
    return NULL;
}

/* The public key printed by init (the line "public key: HEX"). */
static int key_of(struct demo *d, int i)
{
    char name[32];
    snprintf(name, sizeof name, "%s-init.txt", code[i]);
    char *t = read_text(d, name);
    const char *k = t ? strstr(t, "public key") : NULL;
    if (k) {
        k += strlen("public key");
        while (*k == ' ' || *k == ':')
            k++;
        snprintf(d->key[i], sizeof d->key[i], "%.64s", k);
    }
    free(t);
    return k && strlen(d->key[i]) == 64 ? 0 : -1;
}

/*
 * The agreement of the scenario with both public keys in it, in force from
 * now for a day, rus committed to share every PERIOD_S seconds so that the
 * demo can show a commitment kept and then broken in its own few seconds.
 */
#define PERIOD_S 5
static int write_agreement(struct demo *d)
{
    const struct tl_scenario_file *f = scenario("agreement.json");
    if (!f) return -1;
    json_t *a = json_loadb(f->data, f->len, 0, NULL);
    if (!a) return -1;
    size_t i;
    json_t *p, *c;
    json_array_foreach(json_object_get(a, "parties"), i, p)
    {
        json_object_set_new(
            p, "public_key",
            json_string(
                d->key[strcmp(json_string_value(json_object_get(p, "code")), "usa") ? 1 : 0]));
    }
    d->base = time(NULL);
    time_t until = d->base + 86400;
    char from[32], to[32], per[16];
    struct tm tm;
    strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&d->base, &tm));
    strftime(to, sizeof to, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&until, &tm));
    snprintf(per, sizeof per, "PT%dS", PERIOD_S);
    json_object_set_new(a, "valid_from", json_string(from));
    json_object_set_new(a, "valid_until", json_string(to));
    json_array_foreach(json_object_get(a, "commitments"), i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "party")), "rus")) {
            json_object_set_new(c, "period", json_string(per));
            json_object_set_new(c, "at_least", json_integer(1));
        }
    }
    char file[4200];
    path(d, file, sizeof file, "agreement.json");
    int rc = json_dump_file(a, file, JSON_INDENT(1));
    json_decref(a);
    return rc;
}

/* Sleeps until `at` seconds past the agreement's start and a little more. */
static void sleep_until(const struct demo *d, time_t at)
{
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        double left =
            (double)(d->base + at) + 0.3 - ((double)now.tv_sec + (double)now.tv_nsec / 1e9);
        if (left <= 0) return;
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* The period (0, 1, ...) of rus's commitment we are in now. */
static time_t period_now(const struct demo *d)
{
    return (time(NULL) - d->base) / PERIOD_S;
}

/* Starts node i's TAXII server on a free loopback port and waits for the port. */
static int serve(struct demo *d, int i)
{
    char home[4200], out[4200], log[4200];
    snprintf(home, sizeof home, "%s/%s", d->dir, code[i]);
    snprintf(out, sizeof out, "%s/%s-serve.txt", d->dir, code[i]);
    snprintf(log, sizeof log, "%s/%s-access.log", d->dir, code[i]);
    char a0[] = "tearline", a1[] = "serve", a2[] = "--home", a4[] = "--listen",
         a5[] = "127.0.0.1:0", a6[] = "--access-log";
    char *argv[] = {a0, a1, a2, home, a4, a5, a6, log, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, out, O_WRONLY | O_APPEND, 0600);
    int rc = posix_spawn(&d->servers[i], d->self, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) return -1;
    for (int k = 0; k < 200; k++) { /* up to 10 s */
        char name[32];
        snprintf(name, sizeof name, "%s-serve.txt", code[i]);
        char *t = read_text(d, name);
        const char *l = t ? strstr(t, "listening") : NULL;
        if (l) {
            const char *nl = strchr(l, '\n');
            const char *sp = nl ? nl : l + strlen(l);
            while (sp > l && sp[-1] != ' ')
                sp--;
            d->port[i] = (int)strtol(sp, NULL, 10);
        }
        free(t);
        if (d->port[i] > 0) return 0;
        struct timespec ts = {0, 50000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static void stop_servers(struct demo *d)
{
    for (int i = 0; i < 2; i++)
        if (d->servers[i] > 0) {
            kill(d->servers[i], SIGTERM);
            waitpid(d->servers[i], NULL, 0);
            d->servers[i] = 0;
        }
}

/* The secret printed by `partner grant` (the last word of its "HTTP Basic" line). */
static int secret_of(struct demo *d, int i, const char *file)
{
    char *t = read_text(d, file);
    const char *l = t ? strstr(t, "HTTP Basic") : NULL;
    if (l) {
        const char *e = strchr(l, '\n');
        if (!e) e = l + strlen(l);
        const char *s = e;
        while (s > l && s[-1] != ' ')
            s--;
        snprintf(d->secret[i], sizeof d->secret[i], "%.*s", (int)(e - s), s);
    }
    free(t);
    return d->secret[i][0] ? 0 : -1;
}

/* One object rus received from usa, as rus holds it: the "leaked copy" to trace. */
static int leaked_copy(struct demo *d, const char *rus_home)
{
    if (run(d, "rus-from-usa.jsonl", "list", "--home", rus_home, "--origin", "usa", "--type",
            "threat-actor", "--json", "--limit", "1", (const char *)NULL) != 0)
        return -1;
    char *t = read_text(d, "rus-from-usa.jsonl");
    int rc = t && *t ? write_file(d, "leaked.json", t, strlen(t)) : -1;
    free(t);
    return rc;
}

/* A copy of the agreement that claims rus promised more than it signed. */
static int overstated(struct demo *d)
{
    char p[4200], q[4200];
    path(d, p, sizeof p, "countersigned.json");
    path(d, q, sizeof q, "claimed.json");
    json_error_t e;
    json_t *a = json_load_file(p, 0, &e);
    if (!a) return -1;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(a, "commitments"), i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "party")), "rus"))
            json_object_set_new(c, "at_least", json_integer(30));
    }
    int rc = json_dump_file(a, q, JSON_INDENT(1));
    json_decref(a);
    return rc;
}

/* ---- the HTML report ---- */

/* Every JSON value of a JSON Lines file (or one JSON document) in DIR, as an array. */
static json_t *load_lines(const struct demo *d, const char *name)
{
    char *t = read_text(d, name);
    json_t *all = json_array();
    for (char *line = t, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        json_t *v = json_loads(line, 0, NULL);
        if (v) json_array_append_new(all, v);
    }
    free(t);
    return all;
}

/* What node i held beside what the other was given: the dry run's decisions and copies. */
static int report_side(struct demo *d, FILE *f, int i, const char *home)
{
    char released[64], decisions[64], trace[64], holdings[64], bundle[4200];
    snprintf(released, sizeof released, "%s-released.json", code[i]);
    snprintf(decisions, sizeof decisions, "%s-decisions.jsonl", code[i]);
    snprintf(trace, sizeof trace, "%s-trace.txt", code[i]);
    snprintf(holdings, sizeof holdings, "%s-holdings.jsonl", code[i]);
    if (run_err(d, released, decisions, "release", "--home", home, "--to", code[1 - i], "--dry-run",
                "--json", (const char *)NULL) != 0)
        return -1;
    path(d, bundle, sizeof bundle, released);
    run(d, trace, "trace", "--home", home, bundle, (const char *)NULL);
    if (run(d, holdings, "list", "--home", home, "--origin", "own", "--json", (const char *)NULL) !=
        0)
        return -1;
    json_t *dec = load_lines(d, decisions), *held = load_lines(d, holdings);
    json_t *b = json_load_file(bundle, 0, NULL);
    json_t *copies = json_object(); /* original -> released copy */
    char *t = read_text(d, trace);
    for (char *line = t, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char copy[128], orig[128];
        const char *from = strstr(line, " from ");
        if (!from || sscanf(line, "%127s", copy) != 1 || sscanf(from + 6, "%127s", orig) != 1)
            continue;
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(b, "objects"), k, o)
        {
            if (!strcmp(cli_str(o, "id"), copy)) json_object_set(copies, orig, o);
        }
    }
    free(t);
    fprintf(f,
            "<h2>%s's holdings and what %s was given</h2>\n<table>\n"
            "<tr><th>%s holds</th><th>decision</th><th>%s sees</th></tr>\n",
            code[i], code[1 - i], code[i], code[1 - i]);
    size_t k, j;
    json_t *o, *x;
    json_array_foreach(held, k, o)
    {
        const char *id = cli_str(o, "id");
        const json_t *decision = NULL;
        json_array_foreach(dec, j, x) if (!strcmp(cli_str(x, "object"), id)) decision = x;
        const json_t *copy = json_object_get(copies, id);
        fprintf(f, "<tr class=\"%s\"><td><b>%s</b> ", cli_str(decision, "action"),
                cli_str(o, "type"));
        cli_put_html(f, cli_str(o, "name"));
        fputs("<br><small>", f);
        cli_put_html(f, cli_str(o, "description"));
        fputs("</small></td><td>", f);
        cli_put_html(f, cli_str(decision, "action"));
        fputs(" <small>(", f);
        cli_put_html(f, cli_str(decision, "rule"));
        if (*cli_str(decision, "detail")) {
            fputs(": ", f);
            cli_put_html(f, cli_str(decision, "detail"));
        }
        fputs(")</small></td><td>", f);
        if (copy) {
            cli_put_html(f, cli_str(copy, "id"));
            fputs("<br>", f);
            cli_put_html(f, cli_str(copy, "name"));
            fputs("<br><small>", f);
            cli_put_html(f, cli_str(copy, "description"));
            fputs("</small>", f);
        } else {
            fputs("&mdash;", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    json_decref(dec);
    json_decref(held);
    json_decref(b);
    json_decref(copies);
    return 0;
}

/* DIR/report.html: each side's holdings beside what the partner saw, the ledger, the picture. */
static int report(struct demo *d, char home[2][4200])
{
    char file[4200];
    path(d, file, sizeof file, "report.html");
    FILE *f = fopen(file, "w");
    if (!f) return -1;
    fputs("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tearline demo</title>"
          "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}td,th{border:1px "
          "solid #bbb;padding:4px 8px;vertical-align:top}table{border-collapse:collapse}"
          ".withhold{background:#f6d6d2}.sanitize{background:#fdf3d0}.release{background:#"
          "dcefdc}</style></head><body>\n<h1>tearline demo: usa and rus</h1>\n",
          f);
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++)
        rc = report_side(d, f, i, home[i]);
    fputs("<h2>The ledger: what usa gave and got, by value</h2>\n"
          "<p><img src=\"usa-balance.svg\" alt=\"the balance over time\"></p>\n",
          f);
    fputs("<h2>usa's fused picture</h2>\n<p><img src=\"usa-graph.svg\" width=\"900\" "
          "alt=\"brokers and ties\"></p>\n",
          f);
    static const struct {
        const char *title, *file;
    } parts[] = {{"Contradictions", "usa-contradictions.json"},
                 {"The partner's record", "usa-partners.json"},
                 {"Watchlist alerts", "usa-alerts.json"}};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        fprintf(f, "<h3>%s</h3>\n<pre>", parts[k].title);
        char *t = read_text(d, parts[k].file);
        cli_put_html(f, t);
        free(t);
        fputs("</pre>\n", f);
    }
    fputs("<p>The ACH matrix: <a href=\"ach.html\">ach.html</a>.</p>\n</body></html>\n", f);
    int bad = ferror(f);
    if (fclose(f) || bad) rc = -1;
    return rc;
}

static int scenario_run(struct demo *d)
{
    char home[2][4200], file[4200];
    for (int i = 0; i < 2; i++)
        snprintf(home[i], sizeof home[i], "%s/%s", d->dir, code[i]);

    step("two nodes: usa and rus, each with its Ed25519 identity and its store");
    MUST(d, "usa-init.txt", "init", "--home", home[0], "--name", "usa", "--title",
         "United States node");
    MUST(d, "rus-init.txt", "init", "--home", home[1], "--name", "rus", "--title",
         "Russian Federation node");
    if (key_of(d, 0) || key_of(d, 1)) return -1;
    printf("usa public key %s\nrus public key %s\n", d->key[0], d->key[1]);

    step("the agreement: intensified cooperation against the Islamic State, "
         "proposed by usa and countersigned by rus");
    if (write_agreement(d)) return -1;
    path(d, file, sizeof file, "agreement.json");
    MUST(d, NULL, "agree", "--home", home[0], "propose", file);
    MUST(d, NULL, "agree", "--home", home[0], "sign", AGREEMENT);
    MUST(d, "usa-signed.json", "agree", "--home", home[0], "export", AGREEMENT);
    path(d, file, sizeof file, "usa-signed.json");
    MUST(d, NULL, "agree", "--home", home[1], "import", file);
    MUST(d, NULL, "agree", "--home", home[1], "sign", AGREEMENT);
    MUST(d, "countersigned.json", "agree", "--home", home[1], "export", AGREEMENT);
    path(d, file, sizeof file, "countersigned.json");
    MUST(d, NULL, "agree", "--home", home[0], "import", file);
    MUST(d, NULL, "agree", "--home", home[0], "verify", AGREEMENT);

    step("holdings: usa's own sources and the designation of JMA, names in Latin and "
         "Arabic script; rus's intercepts, drone imagery, human sources and a third "
         "country's material, names in Cyrillic; protected terms on both sides");
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.json", code[i]);
        const struct tl_scenario_file *f = scenario(name);
        if (!f || write_file(d, name, f->data, f->len)) return -1;
        path(d, file, sizeof file, name);
        MUST(d, NULL, "ingest", "--home", home[i], file);
        snprintf(name, sizeof name, "lexicon-%s.txt", code[i]);
        f = scenario(name);
        if (!f) return -1;
        char term[256];
        for (size_t a = 0, b = 0; b <= f->len; b++) {
            if (b == f->len || f->data[b] == '\n') {
                if (b > a && b - a < sizeof term) {
                    memcpy(term, f->data + a, b - a);
                    term[b - a] = '\0';
                    MUST(d, "protect.txt", "protect", "--home", home[i], "add", term);
                }
                a = b + 1;
            }
        }
        MUST(d, NULL, "protect", "--home", home[i], "list");
    }
    const struct tl_scenario_file *w = scenario("watch-returning.json");
    if (!w || write_file(d, "watch-returning.json", w->data, w->len)) return -1;
    path(d, file, sizeof file, "watch-returning.json");
    MUST(d, NULL, "watch", "--home", home[0], "add", file);

    step("TAXII 2.1 servers on loopback; each partner granted a secret and recorded");
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s-grant.txt", code[i]);
        MUST(d, NULL, "partner", "--home", home[i], "add", code[1 - i], "--key", d->key[1 - i]);
        MUST(d, name, "partner", "--home", home[i], "grant", code[1 - i]);
        if (secret_of(d, 1 - i, name) || serve(d, i)) return -1;
        printf("%s serves on 127.0.0.1:%d\n", code[i], d->port[i]);
    }
    for (int i = 0; i < 2; i++) {
        char url[128], cred[256];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/", d->port[1 - i]);
        snprintf(cred, sizeof cred, "%s:%s", code[i], d->secret[i]);
        MUST(d, NULL, "partner", "--home", home[i], "add", code[1 - i], "--url", url,
             "--credential", cred);
    }

    step("releases both ways: withheld, pseudonymized, generalized, redacted, signed; "
         "the dry run shows every decision and its rule");
    MUST(d, "usa-dry.json", "release", "--home", home[0], "--to", "rus", "--dry-run");
    for (int i = 0; i < 2; i++)
        MUST(d, NULL, "release", "--home", home[i], "--to", code[1 - i]);

    step("pulls both ways over TAXII, every signature checked, a signed receipt back");
    MUST(d, NULL, "pull", "--home", home[1], "--from", "usa");
    MUST(d, NULL, "pull", "--home", home[0], "--from", "rus");

    time_t first = period_now(d);
    step("rus learns more (a fighter in Istanbul; a report that repeats what usa "
         "gave it) and, in its next %d-second period, releases again; usa pulls, and its "
         "watchlist runs",
         PERIOD_S);
    sleep_until(d, (first + 1) * PERIOD_S);
    const struct tl_scenario_file *later = scenario("rus-later.json");
    if (!later || write_file(d, "rus-later.json", later->data, later->len)) return -1;
    path(d, file, sizeof file, "rus-later.json");
    MUST(d, NULL, "ingest", "--home", home[1], file);
    MUST(d, NULL, "release", "--home", home[1], "--to", "usa");
    MUST(d, NULL, "pull", "--home", home[0], "--from", "rus");

    time_t second = period_now(d);

    step("fusion on both sides");
    for (int i = 0; i < 2; i++)
        MUST(d, NULL, "fuse", "--home", home[i]);

    step("names across scripts: usa resolves rus's Cyrillic names to its own");
    MUST(d, NULL, "names", "match", "Тархан Батирашвили", "Tarkhan Batirashvili");
    MUST(d, "usa-resolve.txt", "resolve", "--home", home[0]);
    MUST(d, NULL, "assess", "--home", home[0], "Тархан Батирашвили");

    step("corroboration from an independent source: Chatayev in JMA, by usa's imagery "
         "and rus's intercepts");
    MUST(d, NULL, "assess", "--home", home[0], "Akhmed Chatayev");

    step("contradictions, never resolved, with the evidence on each side");
    MUST(d, NULL, "contradictions", "--home", home[0]);

    step("the partner's record: claims confirmed or refuted by our own, trust, echoes, framing");
    MUST(d, NULL, "partners", "--home", home[0]);

    step("the watchlist: a North Caucasus fighter from Iraq reported travelling toward home");
    MUST(d, NULL, "watch", "--home", home[0], "alerts");

    step("link analysis: brokers by group membership, and a chain of evidence");
    MUST(d, NULL, "graph", "--home", home[0], "brokers", "--top", "8", "--groups", "membership");
    MUST(d, NULL, "graph", "--home", home[0], "path", "Akhmed Chatayev", "Raqqa");
    path(d, file, sizeof file, "usa-graph.svg");
    MUST(d, NULL, "graph", "--home", home[0], "svg", file);

    step("competing hypotheses: why did rus send what it sent?");
    MUST(d, "ach-id.txt", "ach", "--home", home[0], "new",
         "Is rus holding back, or playing hard to get?", "--label", "north-caucasus");
    MUST(d, NULL, "ach", "--home", home[0], "hypothesis", "add", "Holding back on the agreement");
    MUST(d, NULL, "ach", "--home", home[0], "hypothesis", "add",
         "Playing hard to get for a better bargain");
    MUST(d, NULL, "ach", "--home", home[0], "evidence", "add", "--note",
         "Its sources' claims on Batirashvili were refuted by ours", "--credibility", "high");
    MUST(d, NULL, "ach", "--home", home[0], "evidence", "add", "--note",
         "It sent back our own reporting as its own");
    MUST(d, NULL, "ach", "--home", home[0], "rate", "H1", "E1", "C");
    MUST(d, NULL, "ach", "--home", home[0], "rate", "H2", "E1", "N");
    MUST(d, NULL, "ach", "--home", home[0], "rate", "H1", "E2", "N");
    MUST(d, NULL, "ach", "--home", home[0], "rate", "H2", "E2", "I");
    MUST(d, NULL, "ach", "--home", home[0], "show");

    step("the ledgers: verified, reconciled with the partner's receipts, the balance");
    for (int i = 0; i < 2; i++) {
        MUST(d, NULL, "ledger", "--home", home[i], "verify");
        MUST(d, NULL, "ledger", "--home", home[i], "reconcile", code[1 - i]);
    }
    MUST(d, NULL, "ledger", "--home", home[0], "balance");

    step("commitments: rus shared in two periods running, then stopped: backtracking");
    sleep_until(d, (second + 2) * PERIOD_S);
    MUST(d, NULL, "ledger", "--home", home[0], "commitments");
    MUST(d, "usa-commitments.json", "ledger", "--home", home[0], "commitments", "--json");

    step("a claim that more was agreed than was signed, refuted by the countersigned text");
    if (overstated(d)) return -1;
    path(d, file, sizeof file, "claimed.json");
    if (run(d, NULL, "agree", "--home", home[0], "verify", "--file", file, (const char *)NULL) ==
        0) {
        fprintf(stderr, "tearline demo: the overstated agreement was not refuted\n");
        d->failed = 1;
        return -1;
    }

    step("a leaked copy of what rus received, traced back to the partner it was released to");
    if (leaked_copy(d, home[1])) return -1;
    path(d, file, sizeof file, "leaked.json");
    MUST(d, NULL, "trace", "--home", home[0], file);

    step("the report: each side's holdings beside what the partner saw, the ledger, the picture");
    path(d, file, sizeof file, "usa-balance.svg");
    MUST(d, "balance.txt", "ledger", "--home", home[0], "balance", "--svg", file);
    MUST(d, "usa-contradictions.json", "contradictions", "--home", home[0], "--json");
    MUST(d, "usa-partners.json", "partners", "--home", home[0], "--json");
    MUST(d, "usa-alerts.json", "watch", "--home", home[0], "alerts", "--json");
    path(d, file, sizeof file, "ach.html");
    MUST(d, "ach-html.txt", "ach", "--home", home[0], "show", "--html", file);
    if (report(d, home)) return -1;
    printf("%s/report.html\n", d->dir);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"keep", no_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int keep = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'k':
            keep = 1;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc) return cli_usage(help, 1);
    static struct demo d;
    memset(&d, 0, sizeof d);
    ssize_t n = readlink("/proc/self/exe", d.self, sizeof d.self - 1);
    if (n <= 0) {
        cli_error("demo", "cannot find this program: %s", strerror(errno));
        return EXIT_FAIL;
    }
    d.self[n] = '\0';
    if (dir) {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            cli_error("demo", "%s: %s", dir, strerror(errno));
            return EXIT_FAIL;
        }
        snprintf(d.dir, sizeof d.dir, "%s", dir);
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/usa", d.dir);
        if (access(probe, F_OK) == 0) {
            cli_error("demo", "%s already holds a node: give an empty or new directory", probe);
            return EXIT_BADINPUT;
        }
    } else {
        snprintf(d.dir, sizeof d.dir, "%s/tearline-demo-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(d.dir)) {
            cli_error("demo", "cannot make a directory: %s", strerror(errno));
            return EXIT_FAIL;
        }
    }
    printf("tearline demo in %s\n", d.dir);
    int rc = scenario_run(&d);
    stop_servers(&d);
    if (rc || d.failed) {
        cli_error("demo", "stopped; the nodes are left in %s", d.dir);
        return EXIT_FAIL;
    }
    if (keep) {
        printf("\nthe nodes are in %s/usa and %s/rus\n", d.dir, d.dir);
    } else {
        /* the nodes go; the report and what it shows stay */
        char r0[] = "rm", r1[] = "-rf";
        char usa[4200], rus[4200];
        snprintf(usa, sizeof usa, "%s/usa", d.dir);
        snprintf(rus, sizeof rus, "%s/rus", d.dir);
        char *rm[] = {r0, r1, usa, rus, NULL};
        pid_t pid;
        if (!posix_spawnp(&pid, "rm", NULL, NULL, rm, environ)) waitpid(pid, NULL, 0);
    }
    printf("\nthe report: %s/report.html\n", d.dir);
    printf("\ndemo complete\n");
    return EXIT_OK;
}
