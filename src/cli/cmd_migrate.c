/* cmd_migrate.c: tearline migrate: move a node's store from SQLite to PostgreSQL. */
#include "cli.h"

#include "tearline/audit.h"
#include "tearline/ledger.h"

#include "buf.h"
#include "node_int.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline migrate --to postgresql://... [--from sqlite:PATH] [--home DIR]\n"
    "\n"
    "Moves a node's store from SQLite into an empty PostgreSQL database: holdings,\n"
    "outboxes, agreements, partners, lexicon, ledger, audit trail, claims, watch\n"
    "rules and alerts, with every seq, date_added and hash as it was, in one\n"
    "transaction (nothing is written if anything fails). The SQLite file is left\n"
    "as it was.\n"
    "\n"
    "With a node home (--home or $TEARLINE_HOME) and no --from, the node's own\n"
    "store is moved; then the ledger and the audit trail are verified on the new\n"
    "store and node.conf is switched to it (`store = URL`). Stop the node's\n"
    "`tearline serve` processes first: what they write meanwhile stays behind.\n"
    "With --from only the copy is made.\n";

static void on_table(const char *table, int64_t rows, void *ud)
{
    (void)ud;
    printf("  %-20s %lld rows\n", table, (long long)rows);
}

/* node.conf with its store line replaced by url (appended if it had none). */
static char *conf_with_store(const char *conf, const char *url)
{
    struct tl_buf b = TL_BUF_INIT;
    int done = 0;
    for (const char *l = conf; *l;) {
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l + 1) : strlen(l);
        const char *k = l;
        while (*k == ' ' || *k == '\t')
            k++;
        const char *v = k + 5;
        while (*v == ' ' || *v == '\t')
            v++;
        if (!done && !strncmp(k, "store", 5) && *v == '=') {
            tl__buf_printf(&b, "store = %s\n", url);
            done = 1;
        } else {
            tl__buf_append(&b, l, n);
        }
        l += n;
    }
    if (!done) tl__buf_printf(&b, "store = %s\n", url);
    return tl__buf_take(&b, NULL);
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *from = NULL, *to = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'F':
            from = optarg;
            break;
        case 'T':
            to = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc || !to) {
        if (!to) cli_error("migrate", "--to postgresql://... is required");
        return cli_usage(help, 1);
    }
    if (!tl_store_url_is_pg(to)) {
        cli_error("migrate", "--to must be a PostgreSQL URL (postgresql://...)");
        return EXIT_BADINPUT;
    }
    char msg[1024] = "", path[2048];
    char *conf_path = NULL, *conf = NULL;
    const char *dir = NULL;
    int code = EXIT_FAIL;
    tl_err rc;
    if (!from) {
        /* the node's own store, as it opens it (an SQLite one at the current schema) */
        if (!(dir = cli_home("migrate", home))) return EXIT_BADINPUT;
        struct tl_buf b = TL_BUF_INIT;
        tl__buf_printf(&b, "%s/node.conf", dir);
        conf_path = tl__buf_take(&b, NULL);
        if (!conf_path || tl__read_file(conf_path, 1 << 20, &conf, NULL, msg, sizeof msg)) {
            cli_error("migrate", "%s", *msg ? msg : "out of memory");
            tl_free(conf_path);
            return EXIT_BADINPUT;
        }
        tl_node *src = NULL;
        if ((rc = tl_node_open(dir, &src, msg, sizeof msg))) {
            cli_error("migrate", "%s", msg);
            code = cli_exit_code(rc);
            goto out;
        }
        const char *u = src->store_url;
        int sqlite = !strncmp(u, "sqlite:", 7);
        if (sqlite)
            snprintf(path, sizeof path, "%s", u + 7);
        else
            cli_error("migrate", "%s: the node's store is not SQLite (already %.*s)", conf_path,
                      (int)strcspn(u, ":"), u);
        tl_node_close(src);
        if (!sqlite) {
            code = EXIT_BADINPUT;
            goto out;
        }
    } else {
        if (strncmp(from, "sqlite:", 7) != 0) {
            cli_error("migrate", "--from must be sqlite:PATH");
            return EXIT_BADINPUT;
        }
        snprintf(path, sizeof path, "%s", from + 7);
        /* the source at the current schema: opening migrates it */
        tl_store *src = NULL;
        rc = tl_store_open(from, &src, msg, sizeof msg);
        tl_store_close(src);
        if (rc) {
            cli_error("migrate", "%s", msg);
            goto out;
        }
    }

    tl_store *dst = NULL;
    rc = tl_store_open(to, &dst, msg, sizeof msg);
    if (rc) {
        cli_error("migrate", "%s", msg);
        goto out;
    }
    printf("copying %s into %s:\n", path, "the PostgreSQL store");
    rc = tl__store_pg_import_sqlite(dst, path, on_table, NULL);
    if (rc) {
        cli_error("migrate", "%s; nothing was written", tl_store_errmsg(dst));
        tl_store_close(dst);
        code = rc == TL_EEXIST ? EXIT_BADINPUT : EXIT_FAIL;
        goto out;
    }
    tl_store_close(dst);
    if (!dir) {
        printf("copied; point the node at it with `store = ...` in its node.conf\n");
        code = EXIT_OK;
        goto out;
    }

    /* the node on its new store: verified before it is left there */
    char *next = conf_with_store(conf, to);
    if (!next || tl__write_file_atomic(conf_path, next, strlen(next), 0600, msg, sizeof msg)) {
        cli_error("migrate", "%s", *msg ? msg : "out of memory");
        tl_free(next);
        goto out;
    }
    tl_free(next);
    tl_node *n = NULL;
    tl_ledger_report lr;
    tl_audit_report ar;
    rc = tl_node_open(dir, &n, msg, sizeof msg);
    if (rc) {
        cli_error("migrate", "%s", msg);
    } else if ((rc = tl_node_ledger_verify(n, &lr)) || (rc = tl_node_audit_verify(n, &ar))) {
        cli_error("migrate", "on the new store: %s", tl_node_errmsg(n));
    }
    if (rc) {
        /* back to the store it had */
        if (tl__write_file_atomic(conf_path, conf, strlen(conf), 0600, msg, sizeof msg))
            cli_error("migrate", "%s", msg);
        else
            cli_error("migrate", "node.conf still names the SQLite store");
    } else {
        printf("ledger verified: %lld entries, %lld checkpoints\n", (long long)lr.entries,
               (long long)lr.checkpoints);
        printf("audit trail verified: %lld records\n", (long long)ar.records);
        printf("node %s now uses the PostgreSQL store (node.conf updated; %s kept as it was)\n",
               tl_node_code(n), path);
        code = EXIT_OK;
    }
    tl_node_close(n);
out:
    tl_free(conf);
    tl_free(conf_path);
    return code;
}
