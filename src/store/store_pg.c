/*
 * store_pg.c: the PostgreSQL backend (libpq), for a node that runs several
 * `tearline serve` processes, on several machines, over one database.
 *
 * Every write transaction takes one advisory lock of the database first and
 * holds it until it ends, as SQLite's BEGIN IMMEDIATE does: writers run one
 * after another, whichever process they are in. So the objects' seq (a
 * sequence) and every date_added grow in commit order, a TAXII page never
 * skips a row that commits later, and the ledger and audit chains, whose
 * next link is read from the head, stay linear. Reads never wait for it.
 *
 * Statements are prepared once per connection (by their text) and run with
 * bound parameters. Batch ingest goes through COPY. A dropped connection
 * fails the operation in progress (its transaction is gone with it: nothing
 * half-written remains) and is re-established by the next one.
 */
#include "store.h"

#include "buf.h"
#include "ts.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text column ordered and compared by bytes, as SQLite and strcmp() do. */
#define T "text COLLATE \"C\" NOT NULL"

/*
 * Schema migrations, numbered as store_sqlite.c's: step N creates what
 * SQLite's step N does, so meta.schema_version means one schema on both.
 * (No PostgreSQL store predates any step, so none needs SQLite's backfills.)
 * Never edit a released step: add a new one to both backends.
 */
static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE objects(seq bigserial PRIMARY KEY, id " T ", version " T ", type " T
    ", created " T ", added bigint NOT NULL, origin " T ", revoked integer NOT NULL,"
    " latest integer NOT NULL, json text NOT NULL, UNIQUE(id, version));"
    "CREATE INDEX objects_type ON objects(type, seq);"
    "CREATE TABLE labels(label " T ", seq bigint NOT NULL, PRIMARY KEY(label, seq));"
    "CREATE TABLE lexicon(folded " T " PRIMARY KEY, term " T ", kind " T
    ", added bigint NOT NULL);",
    /* 2 */
    "CREATE TABLE agreements(id " T ", version bigint NOT NULL, doc text NOT NULL,"
    " updated bigint NOT NULL, PRIMARY KEY(id, version));",
    /* 3 */
    "CREATE TABLE outbox(seq bigserial PRIMARY KEY, partner " T ", id " T ", version " T
    ", added bigint NOT NULL, original " T ", json text NOT NULL, UNIQUE(partner, id, version));"
    "CREATE INDEX outbox_partner ON outbox(partner, added);"
    "CREATE TABLE audit(seq bigint PRIMARY KEY, time bigint NOT NULL, partner " T ", object " T
    ", action " T ", rule " T ", detail " T ");",
    /*
     * 4: facets, kept unique by the writers (no key to maintain: with it and
     * SQLite's covering objects_meta, which a PostgreSQL listing does not
     * use, ingest ran 18% slower)
     */
    "CREATE TABLE facets(kind " T ", value " T ", seq bigint NOT NULL);"
    "CREATE INDEX facets_kind ON facets(kind, seq);"
    "CREATE INDEX facets_seq ON facets(seq);",
    /* 5 */
    "CREATE TABLE partners(code " T " PRIMARY KEY, url " T ", public_key " T ", credential " T
    ", secret_hash " T ", ca " T ", updated bigint NOT NULL);"
    "CREATE TABLE taxii_status(id " T " PRIMARY KEY, partner " T ", created bigint NOT NULL,"
    " doc text NOT NULL);",
    /* 6 */
    "ALTER TABLE outbox ADD COLUMN latest integer NOT NULL DEFAULT 1;"
    "CREATE INDEX outbox_added ON outbox(added);",
    /* 7 */
    "CREATE TABLE ledger(seq bigint PRIMARY KEY, time bigint NOT NULL, kind " T ", party " T
    ", summary " T ", payload text NOT NULL, digest bytea NOT NULL, prev bytea NOT NULL,"
    " hash bytea NOT NULL);"
    "CREATE TABLE ledger_checkpoints(seq bigint PRIMARY KEY, time bigint NOT NULL,"
    " hash bytea NOT NULL, public_key bytea NOT NULL, signature bytea NOT NULL);",
    /* 8 */
    "ALTER TABLE audit ADD COLUMN prev bytea;"
    "ALTER TABLE audit ADD COLUMN hash bytea;"
    "CREATE INDEX audit_partner ON audit(partner, seq);",
    /* 9 */
    "CREATE TABLE resolutions(a " T ", b " T ", verdict " T
    " CHECK(verdict IN ('same', 'different')), added bigint NOT NULL, PRIMARY KEY(a, b));",
    /* 10 */
    "CREATE TABLE claims(holding " T ", n bigint NOT NULL, doc text NOT NULL,"
    " PRIMARY KEY(holding, n));"
    "CREATE INDEX outbox_id ON outbox(id);",
    /* 11 */
    "CREATE TABLE watch_rules(name " T " PRIMARY KEY, doc text NOT NULL, added bigint NOT NULL,"
    " seen bigint NOT NULL);"
    "CREATE TABLE alerts(seq bigserial PRIMARY KEY, rule " T ", entity " T
    ", time bigint NOT NULL, doc text NOT NULL);",
    /*
     * 12: a version's facets in one row, "kind:value" each (kinds have no
     * colon): five rows and ten index entries a version made two thirds of
     * the database's work in a bulk ingest; one row keyed by the rising seq
     * costs a fifth of that. A listing by kind reads them all, as the
     * release compiler's listing of every facet does anyway.
     */
    "ALTER TABLE facets RENAME TO facets_rows;"
    "CREATE TABLE facets(seq bigint PRIMARY KEY, list text[] NOT NULL);"
    "INSERT INTO facets SELECT seq, array_agg(kind || ':' || value ORDER BY kind, value)"
    " FROM facets_rows GROUP BY seq;"
    "DROP TABLE facets_rows;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* The advisory lock keys: every write transaction, and opening (migrating) the store. */
#define WRITE_LOCK "7461726c696e65"
#define MIGRATE_LOCK "7461726c696e66"

#define REC_COLS "seq, added, id, type, version, origin, revoked, latest, json"
#define REC_COLS_NO_JSON "seq, added, id, type, version, origin, revoked, latest, NULL"

/* Rows a listing reads at a time (a holdings listing is paged by seq). */
#define PAGE_ROWS 2000

#define NPREPARED 64
#define MAXPARAMS 240

struct pg_store {
    struct tl_store base;
    PGconn *conn;
    char *conninfo;
    char where[200]; /* host and database, for messages (never the password) */
    struct {
        char *sql;
        char name[16];
    } prepared[NPREPARED];
    unsigned nprepared_total;
    int in_txn;
    int64_t last_added; /* valid inside a transaction */
    /* rows the open transaction wrote: many, and the planner hears of them at commit */
    size_t wrote_objects, wrote_outbox;
};

/* Rows in one transaction after which the tables' statistics are taken again. */
#define ANALYZE_AFTER 500

/* Bound parameters: text (NUL-terminated, or with a length), integers, bytes. */
struct params {
    int n;
    const char *v[MAXPARAMS];
    int len[MAXPARAMS];
    int fmt[MAXPARAMS];
    char num[MAXPARAMS][24];
};

static void p_text(struct params *p, const char *s)
{
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* Text with a length: sent in binary form, which for text is its bytes. */
static void p_textn(struct params *p, const char *s, size_t n)
{
    p->v[p->n] = s;
    p->len[p->n] = (int)n;
    p->fmt[p->n++] = 1;
}

static void p_int(struct params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%lld", (long long)x);
    p_text(p, p->num[p->n]);
}

static void p_blob(struct params *p, const unsigned char *b, int n)
{
    p->v[p->n] = (const char *)b;
    p->len[p->n] = n;
    p->fmt[p->n++] = 1;
}

/* The error of the last operation, as "store: what: cause". */
static tl_err fail(struct pg_store *s, const char *what, const PGresult *r)
{
    const char *cause = r ? PQresultErrorMessage(r) : "";
    if (!cause || !*cause) cause = PQerrorMessage(s->conn);
    char msg[400];
    snprintf(msg, sizeof msg, "%s", cause && *cause ? cause : "no reason given");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    if (PQstatus(s->conn) != CONNECTION_OK)
        tl__msg(s->base.errmsg, sizeof s->base.errmsg,
                "store: %s: the database (%s) is unreachable: %s", what, s->where, msg);
    else
        tl__msg(s->base.errmsg, sizeof s->base.errmsg, "store: %s: %s", what, msg);
    return TL_ESTORE;
}

static void forget_prepared(struct pg_store *s)
{
    for (size_t i = 0; i < NPREPARED; i++) {
        tl_free(s->prepared[i].sql);
        s->prepared[i].sql = NULL;
    }
}

/*
 * Reconnects a dropped connection (between transactions: one that dropped
 * inside a transaction stays failed until the caller rolls back).
 */
static tl_err connected(struct pg_store *s, const char *what)
{
    if (PQstatus(s->conn) == CONNECTION_OK) return TL_OK;
    if (s->in_txn) return fail(s, what, NULL);
    PQreset(s->conn);
    forget_prepared(s);
    if (PQstatus(s->conn) != CONNECTION_OK) return fail(s, what, NULL);
    PGresult *r = PQexec(s->conn, "SET client_min_messages = warning");
    PQclear(r);
    return TL_OK;
}

/* The name of the statement prepared for sql on this connection (preparing it first). */
static const char *prepared(struct pg_store *s, const char *sql, int nparams, const char *what)
{
    for (size_t i = 0; i < NPREPARED; i++)
        if (s->prepared[i].sql && !strcmp(s->prepared[i].sql, sql)) return s->prepared[i].name;
    size_t k = s->nprepared_total++ % NPREPARED;
    if (s->prepared[k].sql) {
        char dealloc[40];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", s->prepared[k].name);
        PQclear(PQexec(s->conn, dealloc));
        tl_free(s->prepared[k].sql);
        s->prepared[k].sql = NULL;
    }
    char name[16];
    snprintf(name, sizeof name, "tl%u", s->nprepared_total);
    PGresult *r = PQprepare(s->conn, name, sql, nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail(s, what, r);
        PQclear(r);
        return NULL;
    }
    PQclear(r);
    if (!(s->prepared[k].sql = tl_strdup(sql))) {
        tl__msg(s->base.errmsg, sizeof s->base.errmsg, "store: out of memory");
        return NULL;
    }
    memcpy(s->prepared[k].name, name, sizeof name);
    return s->prepared[k].name;
}

/* Runs sql with p (NULL: none); the result (free with PQclear), or NULL with errmsg set. */
static PGresult *run(struct pg_store *s, const char *sql, const struct params *p, const char *what)
{
    static const struct params none;
    if (!p) p = &none;
    for (int attempt = 0;; attempt++) {
        if (connected(s, what)) return NULL;
        const char *name = prepared(s, sql, p->n, what);
        PGresult *r = name ? PQexecPrepared(s->conn, name, p->n, p->v, p->len, p->fmt, 0) : NULL;
        ExecStatusType st = PQresultStatus(r);
        if (name && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) return r;
        /*
         * A connection that died since its last use (the database restarted):
         * outside a transaction nothing is lost, so once more on a new one.
         */
        if (!s->in_txn && attempt == 0 && PQstatus(s->conn) != CONNECTION_OK) {
            PQclear(r);
            continue;
        }
        if (name) fail(s, what, r);
        PQclear(r);
        return NULL;
    }
}

/* Runs a statement that returns no rows. */
static tl_err run_cmd(struct pg_store *s, const char *sql, const struct params *p, const char *what)
{
    PGresult *r = run(s, sql, p, what);
    if (!r) return TL_ESTORE;
    PQclear(r);
    return TL_OK;
}

/* Runs unprepared SQL text (several statements allowed); for the schema and transactions. */
static tl_err run_text(struct pg_store *s, const char *sql, const char *what)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    tl_err rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? TL_OK : fail(s, what, r);
    PQclear(r);
    return rc;
}

static int64_t col_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static const char *col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* A bytea column selected as encode(x, 'hex'): exactly n bytes into out, else NULL. */
static const unsigned char *col_hex(const PGresult *r, int row, int col, unsigned char *out,
                                    size_t n)
{
    const char *h = col_text(r, row, col);
    if (!h || strlen(h) != 2 * n || sodium_hex2bin(out, n, h, 2 * n, NULL, NULL, NULL) != 0)
        return NULL;
    return out;
}

static tl_err need_txn(struct pg_store *s)
{
    if (s->in_txn) return TL_OK;
    tl__msg(s->base.errmsg, sizeof s->base.errmsg, "store: write outside a transaction");
    return TL_EINVAL;
}

static tl_err migrate(struct pg_store *s)
{
    tl_err rc =
        run_text(s,
                 "BEGIN; SELECT pg_advisory_xact_lock(x'" MIGRATE_LOCK "'::bigint);"
                 "CREATE TABLE IF NOT EXISTS meta(key " T " PRIMARY KEY, value text NOT NULL)",
                 "creating the schema");
    if (rc) return rc;
    PGresult *r = PQexec(s->conn, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail(s, "reading the schema version", r);
        PQclear(r);
        run_text(s, "ROLLBACK", "rolling back");
        return rc;
    }
    int version = PQntuples(r) ? (int)strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    if (version > NMIGRATIONS) {
        run_text(s, "ROLLBACK", "rolling back");
        tl__msg(s->base.errmsg, sizeof s->base.errmsg,
                "store: schema version %d is newer than this tearline knows (%d)", version,
                NMIGRATIONS);
        return TL_ESTORE;
    }
    for (int v = version; v < NMIGRATIONS && !rc; v++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta(key, value) VALUES('schema_version', '%d')"
                 " ON CONFLICT(key) DO UPDATE SET value = EXCLUDED.value",
                 v + 1);
        rc = run_text(s, migrations[v], "migrating the schema");
        if (!rc) rc = run_text(s, sql, "migrating the schema");
    }
    if (rc) {
        run_text(s, "ROLLBACK", "rolling back");
        return rc;
    }
    return run_text(s, "COMMIT", "migrating the schema");
}

static void pg_close(tl_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    forget_prepared(s);
    PQfinish(s->conn);
    if (s->conninfo) sodium_memzero(s->conninfo, strlen(s->conninfo));
    tl_free(s->conninfo);
    tl_free(s);
}

static tl_err pg_begin(tl_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    if (s->in_txn) {
        tl__msg(base->errmsg, sizeof base->errmsg, "store: a transaction is already open");
        return TL_EINVAL;
    }
    tl_err rc = TL_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = connected(s, "beginning a transaction");
        if (!rc)
            rc = run_text(s, "BEGIN; SELECT pg_advisory_xact_lock(x'" WRITE_LOCK "'::bigint)",
                          "beginning a transaction");
        /* a connection found dead here (the database restarted) is made anew, once */
        if (!rc || PQstatus(s->conn) == CONNECTION_OK) break;
    }
    if (rc) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        return rc;
    }
    s->in_txn = 1;
    s->wrote_objects = s->wrote_outbox = 0;
    PGresult *r = run(s, "SELECT added FROM objects ORDER BY seq DESC LIMIT 1", NULL,
                      "beginning a transaction");
    if (!r) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        s->in_txn = 0;
        return TL_ESTORE;
    }
    s->last_added = PQntuples(r) ? col_int(r, 0, 0) : 0;
    PQclear(r);
    return TL_OK;
}

static tl_err pg_commit(tl_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    if (!s->in_txn) return TL_OK;
    s->in_txn = 0;
    PGresult *r = PQexec(s->conn, "COMMIT");
    /* a transaction that failed earlier "commits" as a rollback */
    tl_err rc = PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT")
                    ? TL_OK
                    : fail(s, "committing (nothing was written)", r);
    PQclear(r);
    /*
     * A bulk load leaves the planner's statistics behind until autovacuum
     * comes; with none, a TAXII page sorts the whole outbox instead of
     * walking its index. Taken now (a sample: bounded time).
     */
    if (!rc && s->wrote_objects >= ANALYZE_AFTER)
        PQclear(PQexec(s->conn, "ANALYZE objects, labels, facets"));
    if (!rc && s->wrote_outbox >= ANALYZE_AFTER) PQclear(PQexec(s->conn, "ANALYZE outbox"));
    return rc;
}

static tl_err pg_rollback(tl_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    if (!s->in_txn) return TL_OK;
    s->in_txn = 0;
    if (PQstatus(s->conn) != CONNECTION_OK) return TL_OK; /* gone with the connection */
    return run_text(s, "ROLLBACK", "rolling back");
}

/* ---- holdings ---- */

/* Whether o's facet i repeats one before it (each is stored once a version). */
static int repeated_facet(const tl_store_obj *o, size_t i)
{
    for (size_t m = 0; m < i; m++)
        if (!strcmp(o->facets[m].kind, o->facets[i].kind) &&
            !strcmp(o->facets[m].value, o->facets[i].value))
            return 1;
    return 0;
}

/* s, escaped for a double-quoted element of an array literal, into b. */
static void array_text(struct tl_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') tl__buf_putc(b, '\\');
        tl__buf_putc(b, *s);
    }
}

/* A PostgreSQL array literal of strings, {"a","b"}: the ids of objs[0..n). */
static void array_literal(struct tl_buf *b, const tl_store_obj *objs, size_t n)
{
    tl__buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        tl__buf_puts(b, i ? ",\"" : "\"");
        array_text(b, objs[i].id);
        tl__buf_putc(b, '"');
    }
    tl__buf_putc(b, '}');
}

/* The array literal of o's facets, "kind:value" each, once each (no kind has a colon). */
static void facets_literal(struct tl_buf *b, const tl_store_obj *o)
{
    tl__buf_putc(b, '{');
    for (size_t i = 0, first = 1; i < o->nfacets; i++) {
        if (repeated_facet(o, i)) continue;
        tl__buf_puts(b, first ? "\"" : ",\"");
        array_text(b, o->facets[i].kind);
        tl__buf_putc(b, ':');
        array_text(b, o->facets[i].value);
        tl__buf_putc(b, '"');
        first = 0;
    }
    tl__buf_putc(b, '}');
}

static tl_err pg_put(tl_store *base, const tl_store_obj *o, tl_put_result *res)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, o->id);
    PGresult *r = run(s, "SELECT seq, version, revoked, created, json FROM objects WHERE id = $1",
                      &p, "looking up an object");
    if (!r) return TL_ESTORE;
    int64_t newest_seq = -1;
    char newest[TL_TS_KEYMAX] = "";
    for (int i = 0; i < PQntuples(r); i++) {
        const char *ver = PQgetvalue(r, i, 1), *created = PQgetvalue(r, i, 3);
        int revoked = (int)col_int(r, i, 2);
        tl_store_version v = {ver, created, PQgetvalue(r, i, 4), (size_t)PQgetlength(r, i, 4),
                              revoked};
        int check = tl__store_check_version(o, &v, base->errmsg, sizeof base->errmsg);
        if (check) {
            PQclear(r);
            if (check < 0) return TL_ECONFLICT;
            *res = TL_PUT_DUPLICATE;
            return TL_OK;
        }
        if (strcmp(ver, newest) > 0) {
            snprintf(newest, sizeof newest, "%s", ver);
            newest_seq = col_int(r, i, 0);
        }
    }
    PQclear(r);
    int latest = newest_seq < 0 || strcmp(o->version, newest) > 0;
    if (latest && newest_seq >= 0) {
        p.n = 0;
        p_int(&p, newest_seq);
        if ((rc = run_cmd(s, "UPDATE objects SET latest = 0 WHERE seq = $1", &p,
                          "updating the latest version")))
            return rc;
    }
    int64_t now = tl__now_us();
    int64_t added = now > s->last_added ? now : s->last_added + 1;
    p.n = 0;
    p_text(&p, o->id);
    p_text(&p, o->version);
    p_text(&p, o->type);
    p_text(&p, o->created);
    p_int(&p, added);
    p_text(&p, o->origin ? o->origin : "");
    p_int(&p, o->revoked);
    p_int(&p, latest);
    p_textn(&p, o->json, o->json_len);
    r = run(s,
            "INSERT INTO objects(id, version, type, created, added, origin, revoked, latest, json)"
            " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
            &p, "storing an object");
    if (!r) return TL_ESTORE;
    int64_t seq = col_int(r, 0, 0);
    PQclear(r);
    s->last_added = added;
    s->wrote_objects++;
    for (size_t i = 0; i < o->nlabels; i++) {
        p.n = 0;
        p_text(&p, o->labels[i]);
        p_int(&p, seq);
        if ((rc = run_cmd(s, "INSERT INTO labels(label, seq) VALUES($1, $2) ON CONFLICT DO NOTHING",
                          &p, "storing a label")))
            return rc;
    }
    if (o->nfacets) {
        struct tl_buf list = TL_BUF_INIT;
        facets_literal(&list, o);
        p.n = 0;
        p_int(&p, seq);
        p_text(&p, list.p);
        rc = list.oom ? TL_ENOMEM
                      : run_cmd(s, "INSERT INTO facets(seq, list) VALUES($1, $2)", &p,
                                "storing the facets");
        tl__buf_free(&list);
        if (rc) return rc;
    }
    *res = TL_PUT_NEW;
    return TL_OK;
}

/* ---- batch ingest: COPY ---- */

/* A version of an id as the batch sees it: stored already, or earlier in the batch. */
struct known {
    const char *id, *version, *created, *json;
    size_t json_len;
    int revoked, latest;
    int64_t seq;   /* stored: its seq; in the batch: -1 */
    long in_batch; /* index in the batch, or -1 */
};

/* t[0..n), escaped for COPY's text format (\\, newline, CR, tab), into b. */
static void copy_text(struct tl_buf *b, const char *t, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = t[i] == '\\'   ? "\\\\"
                          : t[i] == '\n' ? "\\n"
                          : t[i] == '\r' ? "\\r"
                          : t[i] == '\t' ? "\\t"
                                         : NULL;
        if (!esc) continue;
        tl__buf_append(b, t + from, i - from);
        tl__buf_puts(b, esc);
        from = i + 1;
    }
    tl__buf_append(b, t + from, n - from);
}

/* Starts the COPY ... FROM STDIN sql; errmsg set on failure. */
static tl_err copy_start(struct pg_store *s, const char *sql, const char *what)
{
    PGresult *r = PQexec(s->conn, sql);
    tl_err rc = PQresultStatus(r) == PGRES_COPY_IN ? TL_OK : fail(s, what, r);
    PQclear(r);
    return rc;
}

/* Ends a COPY: abandoned with the reason cancel (NULL: completed), then its outcome. */
static tl_err copy_finish(struct pg_store *s, const char *cancel, const char *what)
{
    PQputCopyEnd(s->conn, cancel);
    tl_err rc = TL_OK;
    PGresult *r;
    while ((r = PQgetResult(s->conn))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc) rc = fail(s, what, r);
        PQclear(r);
    }
    return rc;
}

/* Sends b as the data of the COPY sql; errmsg set on failure. */
static tl_err copy_in(struct pg_store *s, const char *sql, const struct tl_buf *b)
{
    if (b->oom) return TL_ENOMEM;
    tl_err rc = copy_start(s, sql, "storing objects");
    if (rc) return rc;
    int ok = PQputCopyData(s->conn, b->p ? b->p : "", (int)b->len) == 1;
    return copy_finish(s, ok ? NULL : "the data could not be sent", "storing objects");
}

static int cmp_seq(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * The batch in three round trips and three COPYs: the stored versions of
 * its ids, then the same decisions tl_store_put() makes one by one
 * (duplicates, conflicts, the latest version), then the rows.
 */
static tl_err pg_put_batch(tl_store *base, const tl_store_obj *objs, size_t n, tl_put_result *res,
                           size_t *done)
{
    struct pg_store *s = (struct pg_store *)base;
    *done = 0;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct tl_buf ids = TL_BUF_INIT, rows = TL_BUF_INIT, labels = TL_BUF_INIT, facets = TL_BUF_INIT,
                  flist = TL_BUF_INIT;
    struct known *k = NULL;
    int64_t *seqs = NULL, *unlatest = NULL;
    size_t nk = 0, nunlatest = 0, nnew = 0, stop = n;
    PGresult *stored = NULL;
    json_t *by_id = json_object(); /* id -> array of indices into k */
    array_literal(&ids, objs, n);
    struct params p = {0};
    if (ids.oom || !by_id) {
        rc = TL_ENOMEM;
        goto out;
    }
    p_text(&p, ids.p);
    stored = run(s,
                 "SELECT id, seq, version, revoked, created, json, latest FROM objects"
                 " WHERE id = ANY($1::text[])",
                 &p, "looking up objects");
    if (!stored) {
        rc = TL_ESTORE;
        goto out;
    }
    int nstored = PQntuples(stored);
    k = tl_calloc((size_t)nstored + n + 1, sizeof *k);
    unlatest = tl_calloc((size_t)nstored + 1, sizeof *unlatest);
    if (!k || !unlatest) {
        rc = TL_ENOMEM;
        goto out;
    }
    for (int i = 0; i < nstored; i++, nk++) {
        k[nk] = (struct known){PQgetvalue(stored, i, 0),
                               PQgetvalue(stored, i, 2),
                               PQgetvalue(stored, i, 4),
                               PQgetvalue(stored, i, 5),
                               (size_t)PQgetlength(stored, i, 5),
                               (int)col_int(stored, i, 3),
                               (int)col_int(stored, i, 6),
                               col_int(stored, i, 1),
                               -1};
        json_t *list = json_object_get(by_id, k[nk].id);
        if (!list && json_object_set_new(by_id, k[nk].id, list = json_array())) list = NULL;
        if (!list || json_array_append_new(list, json_integer((json_int_t)nk))) {
            rc = TL_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < n && stop == n; i++) {
        const tl_store_obj *o = &objs[i];
        json_t *list = json_object_get(by_id, o->id);
        long newest = -1;
        size_t j;
        json_t *e;
        int dup = 0;
        json_array_foreach(list, j, e)
        {
            const struct known *v = &k[json_integer_value(e)];
            tl_store_version sv = {v->version, v->created, v->json, v->json_len, v->revoked};
            int check = tl__store_check_version(o, &sv, base->errmsg, sizeof base->errmsg);
            if (check > 0) {
                dup = 1;
                break;
            }
            if (check < 0) {
                stop = i;
                break;
            }
            if (newest < 0 || strcmp(v->version, k[newest].version) > 0)
                newest = (long)json_integer_value(e);
        }
        if (stop != n) break;
        if (dup) {
            res[i] = TL_PUT_DUPLICATE;
            continue;
        }
        res[i] = TL_PUT_NEW;
        int latest = newest < 0 || strcmp(o->version, k[newest].version) > 0;
        if (latest && newest >= 0 && k[newest].latest) {
            k[newest].latest = 0;
            if (k[newest].seq >= 0) unlatest[nunlatest++] = k[newest].seq;
        }
        k[nk] = (struct known){o->id,      o->version, o->created, o->json, o->json_len,
                               o->revoked, latest,     -1,         (long)i};
        if (!list && json_object_set_new(by_id, o->id, list = json_array())) list = NULL;
        if (!list || json_array_append_new(list, json_integer((json_int_t)nk))) {
            rc = TL_ENOMEM;
            goto out;
        }
        nk++;
        nnew++;
    }
    if (nunlatest) {
        struct tl_buf a = TL_BUF_INIT;
        tl__buf_putc(&a, '{');
        for (size_t i = 0; i < nunlatest; i++)
            tl__buf_printf(&a, "%s%lld", i ? "," : "", (long long)unlatest[i]);
        tl__buf_putc(&a, '}');
        p.n = 0;
        p_text(&p, a.p ? a.p : "{}");
        rc = a.oom ? TL_ENOMEM
                   : run_cmd(s, "UPDATE objects SET latest = 0 WHERE seq = ANY($1::bigint[])", &p,
                             "updating the latest versions");
        tl__buf_free(&a);
        if (rc) goto out;
    }
    if (nnew) {
        /* seqs from the sequence, in batch order (the write lock keeps them the next ones) */
        p.n = 0;
        p_int(&p, (int64_t)nnew);
        PGresult *r = run(s, "SELECT nextval('objects_seq_seq') FROM generate_series(1, $1)", &p,
                          "numbering objects");
        if (!r) {
            rc = TL_ESTORE;
            goto out;
        }
        if (!(seqs = tl_calloc(nnew, sizeof *seqs))) {
            PQclear(r);
            rc = TL_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < nnew && (int)i < PQntuples(r); i++)
            seqs[i] = col_int(r, (int)i, 0);
        PQclear(r);
        qsort(seqs, nnew, sizeof *seqs, cmp_seq);
        size_t q = 0;
        int64_t now = tl__now_us();
        for (size_t v = (size_t)nstored; v < nk; v++, q++) {
            const struct known *kv = &k[v];
            const tl_store_obj *o = &objs[kv->in_batch];
            int64_t added = now > s->last_added ? now : s->last_added + 1;
            s->last_added = added;
            tl__buf_printf(&rows, "%lld\t", (long long)seqs[q]);
            copy_text(&rows, o->id, strlen(o->id));
            tl__buf_putc(&rows, '\t');
            copy_text(&rows, o->version, strlen(o->version));
            tl__buf_putc(&rows, '\t');
            copy_text(&rows, o->type, strlen(o->type));
            tl__buf_putc(&rows, '\t');
            copy_text(&rows, o->created, strlen(o->created));
            tl__buf_printf(&rows, "\t%lld\t", (long long)added);
            const char *origin = o->origin ? o->origin : "";
            copy_text(&rows, origin, strlen(origin));
            tl__buf_printf(&rows, "\t%d\t%d\t", o->revoked ? 1 : 0, kv->latest);
            copy_text(&rows, o->json, o->json_len);
            tl__buf_putc(&rows, '\n');
            for (size_t l = 0; l < o->nlabels; l++) {
                int again = 0;
                for (size_t m = 0; m < l && !again; m++)
                    again = !strcmp(o->labels[m], o->labels[l]);
                if (again) continue;
                copy_text(&labels, o->labels[l], strlen(o->labels[l]));
                tl__buf_printf(&labels, "\t%lld\n", (long long)seqs[q]);
            }
            if (o->nfacets) {
                tl__buf_reset(&flist);
                facets_literal(&flist, o);
                if (flist.oom) {
                    rc = TL_ENOMEM;
                    goto out;
                }
                tl__buf_printf(&facets, "%lld\t", (long long)seqs[q]);
                copy_text(&facets, flist.p, flist.len);
                tl__buf_putc(&facets, '\n');
            }
        }
        if (!(rc = copy_in(s,
                           "COPY objects(seq, id, version, type, created, added, origin,"
                           " revoked, latest, json) FROM STDIN",
                           &rows)) &&
            labels.len)
            rc = copy_in(s, "COPY labels(label, seq) FROM STDIN", &labels);
        if (!rc && facets.len) rc = copy_in(s, "COPY facets(seq, list) FROM STDIN", &facets);
        if (rc) goto out;
        s->wrote_objects += nnew;
    }
    *done = stop;
    rc = stop == n ? TL_OK : TL_ECONFLICT;
out:
    PQclear(stored);
    json_decref(by_id);
    tl__buf_free(&ids);
    tl__buf_free(&rows);
    tl__buf_free(&labels);
    tl__buf_free(&facets);
    tl__buf_free(&flist);
    tl_free(k);
    tl_free(seqs);
    tl_free(unlatest);
    return rc;
}

static int row_to_record(const PGresult *r, int i, tl_record_cb cb, void *ud)
{
    tl_record rec;
    rec.seq = col_int(r, i, 0);
    rec.added_us = col_int(r, i, 1);
    rec.id = PQgetvalue(r, i, 2);
    rec.type = PQgetvalue(r, i, 3);
    rec.version = PQgetvalue(r, i, 4);
    rec.origin = PQgetvalue(r, i, 5);
    rec.revoked = (int)col_int(r, i, 6);
    rec.latest = (int)col_int(r, i, 7);
    rec.json = col_text(r, i, 8);
    rec.json_len = rec.json ? (size_t)PQgetlength(r, i, 8) : 0;
    return cb(&rec, ud);
}

static tl_err pg_get(tl_store *base, const char *id, const char *version, tl_record_cb cb, void *ud)
{
    struct pg_store *s = (struct pg_store *)base;
    struct params p = {0};
    p_text(&p, id);
    if (version) p_text(&p, version);
    PGresult *r = run(s,
                      version ? "SELECT " REC_COLS " FROM objects WHERE id = $1 AND version = $2"
                              : "SELECT " REC_COLS " FROM objects WHERE id = $1 AND latest = 1",
                      &p, "looking up an object");
    if (!r) return TL_ESTORE;
    tl_err rc = TL_OK;
    if (PQntuples(r) > 0)
        row_to_record(r, 0, cb, ud);
    else
        rc = TL_ENOTFOUND;
    PQclear(r);
    return rc;
}

/*
 * Holdings in seq order, read a page at a time (the callback may use the
 * store meanwhile, and a listing of every holding never sits whole in memory).
 */
static tl_err pg_query(tl_store *base, const tl_filter *f, int64_t after, tl_record_cb cb, void *ud,
                       char next[TL_CURSOR_MAX])
{
    struct pg_store *s = (struct pg_store *)base;
    struct tl_buf q = TL_BUF_INIT;
    struct params p = {0};
    p_int(&p, 0); /* $1: after, set per page */
    tl__buf_puts(&q, f->no_json ? "SELECT " REC_COLS_NO_JSON " FROM objects o WHERE seq > $1"
                                : "SELECT " REC_COLS " FROM objects o WHERE seq > $1");
    if (f->versions == TL_VERSIONS_LATEST) tl__buf_puts(&q, " AND latest = 1");
    if (f->versions == TL_VERSIONS_FIRST)
        tl__buf_puts(&q, " AND version = (SELECT min(version) FROM objects x WHERE x.id = o.id)");
    if (f->ntypes) {
        tl__buf_puts(&q, " AND type IN (");
        for (size_t i = 0; i < f->ntypes; i++) {
            p_text(&p, f->types[i]);
            tl__buf_printf(&q, "%s$%d", i ? "," : "", p.n);
        }
        tl__buf_puts(&q, ")");
    }
    if (f->id) {
        p_text(&p, f->id);
        tl__buf_printf(&q, " AND id = $%d", p.n);
    }
    if (f->origin) {
        p_text(&p, f->origin);
        tl__buf_printf(&q, " AND origin = $%d", p.n);
    }
    if (f->added_after_us >= 0) {
        p_int(&p, f->added_after_us);
        tl__buf_printf(&q, " AND added > $%d", p.n);
    }
    if (f->modified_from) {
        p_text(&p, f->modified_from);
        tl__buf_printf(&q, " AND version >= $%d", p.n);
    }
    if (f->modified_to) {
        p_text(&p, f->modified_to);
        tl__buf_printf(&q, " AND version <= $%d", p.n);
    }
    if (f->label) {
        p_text(&p, f->label);
        tl__buf_printf(&q, " AND seq IN (SELECT seq FROM labels WHERE label = $%d)", p.n);
    }
    p_int(&p, 0); /* the page size */
    tl__buf_printf(&q, " ORDER BY seq LIMIT $%d", p.n);
    int plimit = p.n - 1;
    if (q.oom) {
        tl__buf_free(&q);
        return TL_ENOMEM;
    }
    char *sql = tl__buf_take(&q, NULL);
    if (!sql) return TL_ENOMEM;
    tl_err rc = TL_OK;
    size_t n = 0;
    int64_t last = after;
    for (int stop = 0; !stop;) {
        /* one more than asked tells whether a next page exists */
        size_t want = f->limit ? f->limit + 1 - n : PAGE_ROWS;
        if (want > PAGE_ROWS) want = PAGE_ROWS;
        snprintf(p.num[0], sizeof p.num[0], "%lld", (long long)last);
        snprintf(p.num[plimit], sizeof p.num[0], "%zu", want);
        PGresult *r = run(s, sql, &p, "running a query");
        if (!r) {
            rc = TL_ESTORE;
            break;
        }
        int rows = PQntuples(r);
        for (int i = 0; i < rows && !stop; i++) {
            if (f->limit && n == f->limit) {
                snprintf(next, TL_CURSOR_MAX, "c1.%lld", (long long)last);
                stop = 1;
                break;
            }
            last = col_int(r, i, 0);
            n++;
            if (row_to_record(r, i, cb, ud)) stop = 1;
        }
        PQclear(r);
        if ((size_t)rows < want) break;
    }
    tl_free(sql);
    return rc;
}

static tl_err pg_del(tl_store *base, const char *id, const char *version, int64_t *deleted)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, id);
    if (version) p_text(&p, version);
    PGresult *r = run(s,
                      version ? "DELETE FROM objects WHERE id = $1 AND version = $2 RETURNING seq"
                              : "DELETE FROM objects WHERE id = $1 RETURNING seq",
                      &p, "deleting");
    if (!r) return TL_ESTORE;
    *deleted = PQntuples(r);
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        struct params q = {0};
        p_int(&q, col_int(r, i, 0));
        rc = run_cmd(s, "DELETE FROM labels WHERE seq = $1", &q, "deleting");
        if (!rc) rc = run_cmd(s, "DELETE FROM facets WHERE seq = $1", &q, "deleting");
    }
    PQclear(r);
    if (rc) return rc;
    p.n = 0;
    p_text(&p, id);
    return run_cmd(s,
                   "UPDATE objects SET latest = (version = (SELECT max(version) FROM objects x"
                   " WHERE x.id = objects.id))::integer WHERE id = $1",
                   &p, "deleting");
}

/* Every row of sql with p, one callback per row; fn returns nonzero to stop. */
typedef int (*row_fn)(const PGresult *r, int row, void *ud);

static tl_err each_row(struct pg_store *s, const char *sql, const struct params *p,
                       const char *what, row_fn fn, void *ud, int *nrows)
{
    PGresult *r = run(s, sql, p, what);
    if (!r) return TL_ESTORE;
    int n = PQntuples(r);
    if (nrows) *nrows = n;
    for (int i = 0; i < n; i++)
        if (fn(r, i, ud)) break;
    PQclear(r);
    return TL_OK;
}

struct facet_ud {
    tl_store_facet_cb cb;
    void *ud;
};

static int facet_row(const PGresult *r, int i, void *ud)
{
    struct facet_ud *f = ud;
    return f->cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), col_int(r, i, 2), f->ud);
}

static tl_err pg_facets(tl_store *base, const char *kind, tl_store_facet_cb cb, void *ud)
{
    struct pg_store *s = (struct pg_store *)base;
    struct params p = {0};
    struct facet_ud f = {cb, ud};
    /* each "kind:value" split at its first colon */
    const char *sql =
        !kind ? "SELECT split_part(f, ':', 1), substr(f, strpos(f, ':') + 1), seq"
                " FROM facets, unnest(list) f UNION ALL SELECT 'label', label, seq FROM labels"
        : !strcmp(kind, TL_FACET_LABEL)
            ? "SELECT 'label', label, seq FROM labels ORDER BY seq"
            : "SELECT $1::text, substr(f, length($1::text) + 2), seq FROM facets, unnest(list) f"
              " WHERE starts_with(f, $1::text || ':') ORDER BY seq";
    if (kind && strcmp(kind, TL_FACET_LABEL) != 0) p_text(&p, kind);
    return each_row(s, sql, &p, "listing facets", facet_row, &f, NULL);
}

struct count_ud {
    tl_count_cb cb;
    void *ud;
};

static int count_row(const PGresult *r, int i, void *ud)
{
    struct count_ud *c = ud;
    tl_count k = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), col_int(r, i, 2), col_int(r, i, 3)};
    return c->cb(&k, c->ud);
}

static tl_err pg_count(tl_store *base, tl_count_cb cb, void *ud)
{
    struct count_ud c = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT type, origin, count(*), sum(latest) FROM objects"
                    " GROUP BY type, origin ORDER BY type, origin",
                    NULL, "counting", count_row, &c, NULL);
}

/* ---- the lexicon, resolutions, claims, watchlists, alerts, metadata ---- */

static tl_err pg_term_add(tl_store *base, const char *term, const char *folded, const char *kind)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, folded);
    p_text(&p, term);
    p_text(&p, kind);
    p_int(&p, tl__now_us());
    PGresult *r = run(s,
                      "INSERT INTO lexicon(folded, term, kind, added) VALUES($1, $2, $3, $4)"
                      " ON CONFLICT DO NOTHING",
                      &p, "adding a term");
    if (!r) return TL_ESTORE;
    long added = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return added ? TL_OK : TL_EEXIST;
}

static tl_err pg_term_remove(tl_store *base, const char *folded)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, folded);
    PGresult *r = run(s, "DELETE FROM lexicon WHERE folded = $1", &p, "removing a term");
    if (!r) return TL_ESTORE;
    long removed = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return removed ? TL_OK : TL_ENOTFOUND;
}

struct term_ud {
    tl_term_cb cb;
    void *ud;
};

static int term_row(const PGresult *r, int i, void *ud)
{
    struct term_ud *t = ud;
    return t->cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), col_int(r, i, 2), t->ud);
}

static tl_err pg_term_list(tl_store *base, tl_term_cb cb, void *ud)
{
    struct term_ud t = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT term, kind, added FROM lexicon ORDER BY folded", NULL, "listing terms",
                    term_row, &t, NULL);
}

static tl_err pg_resolution_put(tl_store *base, const char *a, const char *b, const char *verdict)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, a);
    p_text(&p, b);
    p_text(&p, verdict);
    p_int(&p, tl__now_us());
    return run_cmd(s,
                   "INSERT INTO resolutions(a, b, verdict, added) VALUES($1, $2, $3, $4)"
                   " ON CONFLICT(a, b) DO UPDATE SET verdict = EXCLUDED.verdict,"
                   " added = EXCLUDED.added",
                   &p, "storing a resolution");
}

struct resolution_ud {
    tl_resolution_cb cb;
    void *ud;
};

static int resolution_row(const PGresult *r, int i, void *ud)
{
    struct resolution_ud *x = ud;
    return x->cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), col_int(r, i, 3),
                 x->ud);
}

static tl_err pg_resolution_list(tl_store *base, tl_resolution_cb cb, void *ud)
{
    struct resolution_ud x = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT a, b, verdict, added FROM resolutions ORDER BY a, b", NULL,
                    "listing resolutions", resolution_row, &x, NULL);
}

static tl_err pg_claims_put(tl_store *base, const char *holding, const char *const *docs, size_t n)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, holding);
    if ((rc = run_cmd(s, "DELETE FROM claims WHERE holding = $1", &p, "replacing claims")))
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        p.n = 0;
        p_text(&p, holding);
        p_int(&p, (int64_t)i);
        p_text(&p, docs[i]);
        rc = run_cmd(s, "INSERT INTO claims(holding, n, doc) VALUES($1, $2, $3)", &p,
                     "storing a claim");
    }
    return rc;
}

struct claim_ud {
    tl_claim_cb cb;
    void *ud;
};

static int claim_row(const PGresult *r, int i, void *ud)
{
    struct claim_ud *c = ud;
    return c->cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1), c->ud);
}

static tl_err pg_claims_scan(tl_store *base, tl_claim_cb cb, void *ud)
{
    struct claim_ud c = {cb, ud};
    return each_row((struct pg_store *)base, "SELECT holding, doc FROM claims ORDER BY holding, n",
                    NULL, "listing claims", claim_row, &c, NULL);
}

static tl_err pg_watch_put(tl_store *base, const char *name, const char *doc, int64_t seen)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, name);
    p_text(&p, doc);
    p_int(&p, tl__now_us());
    p_int(&p, seen);
    return run_cmd(s,
                   "INSERT INTO watch_rules(name, doc, added, seen) VALUES($1, $2, $3, $4)"
                   " ON CONFLICT(name) DO UPDATE SET doc = $2, seen = $4",
                   &p, "storing a watch rule");
}

struct watch_ud {
    tl_watch_cb cb;
    void *ud;
};

static int watch_row(const PGresult *r, int i, void *ud)
{
    struct watch_ud *w = ud;
    return w->cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), col_int(r, i, 2), col_int(r, i, 3),
                 w->ud);
}

static tl_err pg_watch_list(tl_store *base, tl_watch_cb cb, void *ud)
{
    struct watch_ud w = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT name, doc, added, seen FROM watch_rules ORDER BY name", NULL,
                    "listing watch rules", watch_row, &w, NULL);
}

static tl_err pg_alert_put(tl_store *base, const char *rule, const char *entity, int64_t time,
                           const char *doc)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, rule);
    p_text(&p, entity);
    p_int(&p, time);
    p_text(&p, doc);
    return run_cmd(s, "INSERT INTO alerts(rule, entity, time, doc) VALUES($1, $2, $3, $4)", &p,
                   "storing an alert");
}

struct alert_ud {
    tl_alert_cb cb;
    void *ud;
};

static int alert_row(const PGresult *r, int i, void *ud)
{
    struct alert_ud *a = ud;
    return a->cb(col_int(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), col_int(r, i, 3),
                 PQgetvalue(r, i, 4), a->ud);
}

static tl_err pg_alert_list(tl_store *base, int64_t after_seq, tl_alert_cb cb, void *ud)
{
    struct params p = {0};
    p_int(&p, after_seq);
    struct alert_ud a = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT seq, rule, entity, time, doc FROM alerts WHERE seq > $1 ORDER BY seq",
                    &p, "listing alerts", alert_row, &a, NULL);
}

static tl_err pg_meta_get(tl_store *base, const char *key, char **value)
{
    struct pg_store *s = (struct pg_store *)base;
    *value = NULL;
    struct params p = {0};
    p_text(&p, key);
    PGresult *r = run(s, "SELECT value FROM meta WHERE key = $1", &p, "reading metadata");
    if (!r) return TL_ESTORE;
    tl_err rc = TL_ENOTFOUND;
    if (PQntuples(r)) rc = (*value = tl_strdup(PQgetvalue(r, 0, 0))) ? TL_OK : TL_ENOMEM;
    PQclear(r);
    return rc;
}

static tl_err pg_meta_set(tl_store *base, const char *key, const char *value)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, key);
    p_text(&p, value);
    return run_cmd(s,
                   "INSERT INTO meta(key, value) VALUES($1, $2)"
                   " ON CONFLICT(key) DO UPDATE SET value = EXCLUDED.value",
                   &p, "writing metadata");
}

/* ---- agreements ---- */

static tl_err pg_agreement_put(tl_store *base, const char *id, int64_t version, const char *doc,
                               size_t len)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, id);
    p_int(&p, version);
    p_textn(&p, doc, len);
    p_int(&p, tl__now_us());
    return run_cmd(s,
                   "INSERT INTO agreements(id, version, doc, updated) VALUES($1, $2, $3, $4)"
                   " ON CONFLICT(id, version) DO UPDATE SET doc = EXCLUDED.doc,"
                   " updated = EXCLUDED.updated",
                   &p, "storing an agreement");
}

struct agreement_ud {
    tl_store_agreement_cb cb;
    void *ud;
};

static int agreement_row(const PGresult *r, int i, void *ud)
{
    struct agreement_ud *a = ud;
    return a->cb(PQgetvalue(r, i, 0), col_int(r, i, 1), PQgetvalue(r, i, 2),
                 (size_t)PQgetlength(r, i, 2), a->ud);
}

static tl_err pg_agreement_get(tl_store *base, const char *id, int64_t version,
                               tl_store_agreement_cb cb, void *ud)
{
    struct pg_store *s = (struct pg_store *)base;
    struct params p = {0};
    p_text(&p, id);
    if (version > 0) p_int(&p, version);
    struct agreement_ud a = {cb, ud};
    int n = 0;
    tl_err rc = each_row(s,
                         version > 0 ? "SELECT id, version, doc FROM agreements WHERE id = $1"
                                       " AND version = $2"
                                     : "SELECT id, version, doc FROM agreements WHERE id = $1"
                                       " ORDER BY version DESC LIMIT 1",
                         &p, "reading agreements", agreement_row, &a, &n);
    return !rc && !n ? TL_ENOTFOUND : rc;
}

static tl_err pg_agreement_list(tl_store *base, tl_store_agreement_cb cb, void *ud)
{
    struct agreement_ud a = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT id, version, doc FROM agreements ORDER BY id, version", NULL,
                    "reading agreements", agreement_row, &a, NULL);
}

/* ---- outboxes ---- */

static tl_err pg_outbox_find(tl_store *base, const char *partner, const char *id,
                             const char *version, char **json)
{
    struct pg_store *s = (struct pg_store *)base;
    *json = NULL;
    struct params p = {0};
    p_text(&p, partner);
    p_text(&p, id);
    if (version) p_text(&p, version);
    PGresult *r = run(s,
                      version ? "SELECT json FROM outbox WHERE partner = $1 AND id = $2"
                                " AND version = $3"
                              : "SELECT json FROM outbox WHERE partner = $1 AND id = $2"
                                " ORDER BY version DESC LIMIT 1",
                      &p, "reading the outbox");
    if (!r) return TL_ESTORE;
    tl_err rc = TL_ENOTFOUND;
    if (PQntuples(r)) rc = (*json = tl_strdup(PQgetvalue(r, 0, 0))) ? TL_OK : TL_ENOMEM;
    PQclear(r);
    return rc;
}

static tl_err pg_outbox_put(tl_store *base, const tl_outbox_obj *o)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    /* date_added strictly increasing within each outbox; the write lock orders the writers */
    PGresult *r = run(s, "SELECT max(added) FROM outbox", NULL, "publishing to an outbox");
    if (!r) return TL_ESTORE;
    int64_t last = PQntuples(r) ? col_int(r, 0, 0) : 0;
    PQclear(r);
    int64_t now = tl__now_us();
    int64_t added = now > last ? now : last + 1;
    struct params p = {0};
    p_text(&p, o->partner);
    p_text(&p, o->id);
    p_text(&p, o->version);
    if ((rc = run_cmd(s,
                      "UPDATE outbox SET latest = 0 WHERE partner = $1 AND id = $2 AND"
                      " latest = 1 AND version < $3",
                      &p, "publishing to an outbox")))
        return rc;
    p_int(&p, added);
    p_text(&p, o->original);
    p_textn(&p, o->json, o->json_len);
    s->wrote_outbox++;
    return run_cmd(s,
                   "INSERT INTO outbox(partner, id, version, added, original, json, latest)"
                   " VALUES($1, $2, $3, $4, $5, $6, (NOT EXISTS(SELECT 1 FROM outbox"
                   " WHERE partner = $1 AND id = $2 AND version > $3))::integer)",
                   &p, "publishing to an outbox");
}

struct trace_ud {
    int (*cb)(const char *partner, const char *version, const char *original, void *ud);
    void *ud;
};

static int trace_row(const PGresult *r, int i, void *ud)
{
    struct trace_ud *t = ud;
    return t->cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), t->ud);
}

static tl_err pg_outbox_trace(tl_store *base, const char *id,
                              int (*cb)(const char *partner, const char *version,
                                        const char *original, void *ud),
                              void *ud)
{
    struct params p = {0};
    p_text(&p, id);
    struct trace_ud t = {cb, ud};
    int n = 0;
    tl_err rc = each_row((struct pg_store *)base,
                         "SELECT partner, version, original FROM outbox WHERE id = $1"
                         " ORDER BY partner, version",
                         &p, "tracing", trace_row, &t, &n);
    return rc ? rc : n ? TL_OK : TL_ENOTFOUND;
}

struct outbox_ud {
    tl_outbox_cb cb;
    void *ud;
    int want_json;
};

static int outbox_row(const PGresult *r, int i, void *ud)
{
    struct outbox_ud *o = ud;
    const char *js = o->want_json ? PQgetvalue(r, i, 3) : NULL;
    return o->cb(col_int(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), js,
                 js ? (size_t)PQgetlength(r, i, 3) : 0, o->ud);
}

static tl_err pg_outbox_query(tl_store *base, const tl_outbox_query *q, tl_outbox_cb cb, void *ud)
{
    struct pg_store *s = (struct pg_store *)base;
    if (q->nids > TL_OUTBOX_MAX_MATCH || q->ntypes > TL_OUTBOX_MAX_MATCH ||
        q->nversions > TL_OUTBOX_MAX_MATCH)
        return TL_EINVAL;
    struct tl_buf b = TL_BUF_INIT;
    struct params p = {0};
    tl__buf_puts(&b, q->want_json ? "SELECT added, id, version, json"
                                  : "SELECT added, id, version, NULL");
    tl__buf_puts(&b, " FROM outbox o WHERE partner = $1 AND added > $2");
    p_text(&p, q->partner);
    p_int(&p, q->after_added);
    if (q->nids) {
        tl__buf_puts(&b, " AND id IN (");
        for (size_t i = 0; i < q->nids; i++) {
            p_text(&p, q->ids[i]);
            tl__buf_printf(&b, "%s$%d", i ? "," : "", p.n);
        }
        tl__buf_puts(&b, ")");
    }
    if (q->ntypes) {
        tl__buf_puts(&b, " AND split_part(id, '--', 1) IN (");
        for (size_t i = 0; i < q->ntypes; i++) {
            p_text(&p, q->types[i]);
            tl__buf_printf(&b, "%s$%d", i ? "," : "", p.n);
        }
        tl__buf_puts(&b, ")");
    }
    if (!q->all) {
        tl__buf_puts(&b, " AND (false");
        if (q->last) tl__buf_puts(&b, " OR latest = 1");
        if (q->first)
            tl__buf_puts(&b, " OR version = (SELECT min(version) FROM outbox x"
                             " WHERE x.partner = o.partner AND x.id = o.id)");
        for (size_t i = 0; i < q->nversions; i++) {
            p_text(&p, q->versions[i]);
            tl__buf_printf(&b, " OR version = $%d", p.n);
        }
        tl__buf_puts(&b, ")");
    }
    tl__buf_puts(&b, " ORDER BY added");
    if (q->limit) {
        p_int(&p, (int64_t)q->limit);
        tl__buf_printf(&b, " LIMIT $%d", p.n);
    }
    if (b.oom) {
        tl__buf_free(&b);
        return TL_ENOMEM;
    }
    struct outbox_ud o = {cb, ud, q->want_json};
    tl_err rc = each_row(s, b.p, &p, "reading the outbox", outbox_row, &o, NULL);
    tl__buf_free(&b);
    return rc;
}

/* ---- partners and TAXII statuses ---- */

static tl_err pg_partner_put(tl_store *base, const tl_partner_rec *pr)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, pr->code);
    p_text(&p, pr->url ? pr->url : "");
    p_text(&p, pr->public_key ? pr->public_key : "");
    p_text(&p, pr->credential ? pr->credential : "");
    p_text(&p, pr->secret_hash ? pr->secret_hash : "");
    p_text(&p, pr->ca ? pr->ca : "");
    p_int(&p, tl__now_us());
    return run_cmd(s,
                   "INSERT INTO partners(code, url, public_key, credential, secret_hash, ca,"
                   " updated) VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(code) DO UPDATE SET"
                   " url = EXCLUDED.url, public_key = EXCLUDED.public_key,"
                   " credential = EXCLUDED.credential, secret_hash = EXCLUDED.secret_hash,"
                   " ca = EXCLUDED.ca, updated = EXCLUDED.updated",
                   &p, "storing a partner");
}

struct partner_ud {
    tl_partner_cb cb;
    void *ud;
};

static int partner_row(const PGresult *r, int i, void *ud)
{
    struct partner_ud *x = ud;
    tl_partner_rec pr = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                         PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5)};
    return x->cb(&pr, x->ud);
}

static tl_err pg_partner_get(tl_store *base, const char *code, tl_partner_cb cb, void *ud)
{
    struct pg_store *s = (struct pg_store *)base;
    struct params p = {0};
    if (code) p_text(&p, code);
    struct partner_ud x = {cb, ud};
    int n = 0;
    tl_err rc = each_row(s,
                         code ? "SELECT code, url, public_key, credential, secret_hash, ca"
                                " FROM partners WHERE code = $1"
                              : "SELECT code, url, public_key, credential, secret_hash, ca"
                                " FROM partners ORDER BY code",
                         &p, "reading partners", partner_row, &x, &n);
    return !rc && code && !n ? TL_ENOTFOUND : rc;
}

static tl_err pg_status_put(tl_store *base, const char *id, const char *partner, const char *doc)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_text(&p, id);
    p_text(&p, partner);
    p_int(&p, tl__now_us());
    p_text(&p, doc);
    return run_cmd(s, "INSERT INTO taxii_status(id, partner, created, doc) VALUES($1, $2, $3, $4)",
                   &p, "storing a status");
}

static tl_err pg_status_get(tl_store *base, const char *id, const char *partner, char **doc)
{
    struct pg_store *s = (struct pg_store *)base;
    *doc = NULL;
    struct params p = {0};
    p_text(&p, id);
    p_text(&p, partner);
    PGresult *r = run(s, "SELECT doc FROM taxii_status WHERE id = $1 AND partner = $2", &p,
                      "reading a status");
    if (!r) return TL_ESTORE;
    tl_err rc = TL_ENOTFOUND;
    if (PQntuples(r)) rc = (*doc = tl_strdup(PQgetvalue(r, 0, 0))) ? TL_OK : TL_ENOMEM;
    PQclear(r);
    return rc;
}

/* ---- the audit trail and the ledger ---- */

static tl_err pg_audit_head(tl_store *base, int64_t *seq, unsigned char hash[32], int *chained)
{
    struct pg_store *s = (struct pg_store *)base;
    *seq = 0;
    *chained = 0;
    memset(hash, 0, 32);
    PGresult *r = run(s, "SELECT seq, encode(hash, 'hex') FROM audit ORDER BY seq DESC LIMIT 1",
                      NULL, "reading the audit trail");
    if (!r) return TL_ESTORE;
    if (PQntuples(r)) {
        *seq = col_int(r, 0, 0);
        *chained = col_hex(r, 0, 1, hash, 32) != NULL;
    }
    PQclear(r);
    return TL_OK;
}

static tl_err pg_audit_put(tl_store *base, const tl_audit_row *a)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_int(&p, a->seq);
    p_int(&p, a->time);
    p_text(&p, a->partner);
    p_text(&p, a->object);
    p_text(&p, a->action);
    p_text(&p, a->rule);
    p_text(&p, a->detail);
    p_blob(&p, a->prev, 32);
    p_blob(&p, a->hash, 32);
    return run_cmd(s,
                   "INSERT INTO audit(seq, time, partner, object, action, rule, detail, prev, hash)"
                   " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   &p, "writing an audit record");
}

struct audit_ud {
    tl_audit_row_cb cb;
    void *ud;
};

static int audit_row(const PGresult *r, int i, void *ud)
{
    struct audit_ud *x = ud;
    unsigned char prev[32], hash[32];
    tl_audit_row a;
    a.seq = col_int(r, i, 0);
    a.time = col_int(r, i, 1);
    a.partner = PQgetvalue(r, i, 2);
    a.object = PQgetvalue(r, i, 3);
    a.action = PQgetvalue(r, i, 4);
    a.rule = PQgetvalue(r, i, 5);
    a.detail = PQgetvalue(r, i, 6);
    a.prev = col_hex(r, i, 7, prev, 32);
    a.hash = col_hex(r, i, 8, hash, 32);
    return x->cb(&a, x->ud);
}

static tl_err pg_audit_scan(tl_store *base, const char *partner, int64_t since_us,
                            tl_audit_row_cb cb, void *ud)
{
    struct params p = {0};
    p_int(&p, since_us);
    if (partner) p_text(&p, partner);
    struct audit_ud x = {cb, ud};
    return each_row((struct pg_store *)base,
                    partner ? "SELECT seq, time, partner, object, action, rule, detail,"
                              " encode(prev, 'hex'), encode(hash, 'hex') FROM audit"
                              " WHERE time >= $1 AND partner = $2 ORDER BY seq"
                            : "SELECT seq, time, partner, object, action, rule, detail,"
                              " encode(prev, 'hex'), encode(hash, 'hex') FROM audit"
                              " WHERE time >= $1 ORDER BY seq",
                    &p, "reading the audit trail", audit_row, &x, NULL);
}

static tl_err pg_ledger_head(tl_store *base, int64_t *seq, unsigned char hash[32])
{
    struct pg_store *s = (struct pg_store *)base;
    *seq = 0;
    memset(hash, 0, 32);
    PGresult *r = run(s, "SELECT seq, encode(hash, 'hex') FROM ledger ORDER BY seq DESC LIMIT 1",
                      NULL, "reading the ledger head");
    if (!r) return TL_ESTORE;
    if (PQntuples(r)) {
        *seq = col_int(r, 0, 0);
        col_hex(r, 0, 1, hash, 32);
    }
    PQclear(r);
    return TL_OK;
}

static tl_err pg_ledger_put(tl_store *base, const tl_ledger_row *e)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_int(&p, e->seq);
    p_int(&p, e->time);
    p_text(&p, e->kind);
    p_text(&p, e->party);
    p_text(&p, e->summary);
    p_textn(&p, e->payload, e->payload_len);
    p_blob(&p, e->digest, 32);
    p_blob(&p, e->prev, 32);
    p_blob(&p, e->hash, 32);
    return run_cmd(s,
                   "INSERT INTO ledger(seq, time, kind, party, summary, payload, digest, prev,"
                   " hash) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   &p, "appending to the ledger");
}

struct ledger_ud {
    tl_ledger_row_cb cb;
    void *ud;
    int with_payload;
};

static int ledger_row(const PGresult *r, int i, void *ud)
{
    struct ledger_ud *x = ud;
    unsigned char digest[32], prev[32], hash[32];
    tl_ledger_row e;
    e.seq = col_int(r, i, 0);
    e.time = col_int(r, i, 1);
    e.kind = PQgetvalue(r, i, 2);
    e.party = PQgetvalue(r, i, 3);
    e.summary = PQgetvalue(r, i, 4);
    e.digest = col_hex(r, i, 5, digest, 32);
    e.prev = col_hex(r, i, 6, prev, 32);
    e.hash = col_hex(r, i, 7, hash, 32);
    e.payload = x->with_payload ? PQgetvalue(r, i, 8) : NULL;
    e.payload_len = x->with_payload ? (size_t)PQgetlength(r, i, 8) : 0;
    return x->cb(&e, x->ud);
}

static tl_err pg_ledger_scan(tl_store *base, int64_t from_seq, int with_payload,
                             tl_ledger_row_cb cb, void *ud)
{
    struct params p = {0};
    p_int(&p, from_seq);
    struct ledger_ud x = {cb, ud, with_payload};
    return each_row((struct pg_store *)base,
                    with_payload ? "SELECT seq, time, kind, party, summary, encode(digest, 'hex'),"
                                   " encode(prev, 'hex'), encode(hash, 'hex'), payload FROM ledger"
                                   " WHERE seq >= $1 ORDER BY seq"
                                 : "SELECT seq, time, kind, party, summary, encode(digest, 'hex'),"
                                   " encode(prev, 'hex'), encode(hash, 'hex'), NULL FROM ledger"
                                   " WHERE seq >= $1 ORDER BY seq",
                    &p, "reading the ledger", ledger_row, &x, NULL);
}

static tl_err pg_checkpoint_put(tl_store *base, const tl_checkpoint_row *c)
{
    struct pg_store *s = (struct pg_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    struct params p = {0};
    p_int(&p, c->seq);
    p_int(&p, c->time);
    p_blob(&p, c->hash, 32);
    p_blob(&p, c->public_key, 32);
    p_blob(&p, c->signature, 64);
    return run_cmd(s,
                   "INSERT INTO ledger_checkpoints(seq, time, hash, public_key, signature)"
                   " VALUES($1, $2, $3, $4, $5) ON CONFLICT(seq) DO UPDATE SET"
                   " time = EXCLUDED.time, hash = EXCLUDED.hash,"
                   " public_key = EXCLUDED.public_key, signature = EXCLUDED.signature",
                   &p, "writing a ledger checkpoint");
}

struct checkpoint_ud {
    tl_checkpoint_cb cb;
    void *ud;
};

static int checkpoint_row(const PGresult *r, int i, void *ud)
{
    struct checkpoint_ud *x = ud;
    unsigned char hash[32], pk[32], sig[64];
    tl_checkpoint_row c = {col_int(r, i, 0), col_int(r, i, 1), col_hex(r, i, 2, hash, 32),
                           col_hex(r, i, 3, pk, 32), col_hex(r, i, 4, sig, 64)};
    return x->cb(&c, x->ud);
}

static tl_err pg_checkpoint_scan(tl_store *base, tl_checkpoint_cb cb, void *ud)
{
    struct checkpoint_ud x = {cb, ud};
    return each_row((struct pg_store *)base,
                    "SELECT seq, time, encode(hash, 'hex'), encode(public_key, 'hex'),"
                    " encode(signature, 'hex') FROM ledger_checkpoints ORDER BY seq",
                    NULL, "reading the ledger checkpoints", checkpoint_row, &x, NULL);
}

static const struct tl_store_ops pg_ops = {
    .name = "postgresql",
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .put = pg_put,
    .put_batch = pg_put_batch,
    .get = pg_get,
    .query = pg_query,
    .del = pg_del,
    .count = pg_count,
    .facets = pg_facets,
    .term_add = pg_term_add,
    .term_remove = pg_term_remove,
    .term_list = pg_term_list,
    .resolution_put = pg_resolution_put,
    .resolution_list = pg_resolution_list,
    .claims_put = pg_claims_put,
    .claims_scan = pg_claims_scan,
    .watch_put = pg_watch_put,
    .watch_list = pg_watch_list,
    .alert_put = pg_alert_put,
    .alert_list = pg_alert_list,
    .agreement_put = pg_agreement_put,
    .agreement_get = pg_agreement_get,
    .agreement_list = pg_agreement_list,
    .outbox_find = pg_outbox_find,
    .outbox_put = pg_outbox_put,
    .outbox_trace = pg_outbox_trace,
    .outbox_query = pg_outbox_query,
    .partner_put = pg_partner_put,
    .partner_get = pg_partner_get,
    .status_put = pg_status_put,
    .status_get = pg_status_get,
    .audit_head = pg_audit_head,
    .audit_put = pg_audit_put,
    .audit_scan = pg_audit_scan,
    .ledger_head = pg_ledger_head,
    .ledger_put = pg_ledger_put,
    .ledger_scan = pg_ledger_scan,
    .checkpoint_put = pg_checkpoint_put,
    .checkpoint_scan = pg_checkpoint_scan,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .close = pg_close,
};

/* Notices (such as "already exists, skipping") are not for the user. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* "host:port/database" of a connection, for messages: never its user or password. */
static void describe(PGconn *c, char *out, size_t cap)
{
    const char *host = PQhost(c), *port = PQport(c), *db = PQdb(c);
    snprintf(out, cap, "%s%s%s/%s", host ? host : "?", port && *port ? ":" : "", port ? port : "",
             db ? db : "?");
}

/* ---- moving a node from SQLite ---- */

/*
 * Every table both schemas have, with its columns in one order; bytea
 * columns marked; how SQLite's rows become PostgreSQL's where they differ.
 */
static const struct {
    const char *table, *cols;
    unsigned blobs;     /* bit i: column i is bytea */
    const char *select; /* SQLite's rows, when not SELECT cols FROM table */
} tables[] = {
    {"meta", "key, value", 0, NULL},
    {"objects", "seq, id, version, type, created, added, origin, revoked, latest, json", 0, NULL},
    {"labels", "label, seq", 0, NULL},
    /* a row a facet in SQLite, a row a version here (migration 12) */
    {"facets", "seq, list", 0,
     "SELECT seq, '{' || group_concat('\"' || replace(replace(kind || ':' || value, '\\', '\\\\'),"
     " '\"', '\\\"') || '\"', ',') || '}' FROM facets GROUP BY seq"},
    {"lexicon", "folded, term, kind, added", 0, NULL},
    {"agreements", "id, version, doc, updated", 0, NULL},
    {"outbox", "seq, partner, id, version, added, original, json, latest", 0, NULL},
    {"audit", "seq, time, partner, object, action, rule, detail, prev, hash", 3u << 7, NULL},
    {"partners", "code, url, public_key, credential, secret_hash, ca, updated", 0, NULL},
    {"taxii_status", "id, partner, created, doc", 0, NULL},
    {"ledger", "seq, time, kind, party, summary, payload, digest, prev, hash", 7u << 6, NULL},
    {"ledger_checkpoints", "seq, time, hash, public_key, signature", 7u << 2, NULL},
    {"resolutions", "a, b, verdict, added", 0, NULL},
    {"claims", "holding, n, doc", 0, NULL},
    {"watch_rules", "name, doc, added, seen", 0, NULL},
    {"alerts", "seq, rule, entity, time, doc", 0, NULL},
};

/* One value in COPY's text format: \N for NULL, escapes for \, newline, CR, tab. */
static void copy_value(struct tl_buf *b, sqlite3_stmt *st, int col, int blob)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        tl__buf_puts(b, "\\N");
        return;
    }
    if (blob) {
        const unsigned char *p = sqlite3_column_blob(st, col);
        int n = sqlite3_column_bytes(st, col);
        tl__buf_puts(b, "\\\\x");
        for (int i = 0; i < n; i++)
            tl__buf_printf(b, "%02x", p[i]);
        return;
    }
    const char *t = (const char *)sqlite3_column_text(st, col);
    copy_text(b, t, (size_t)sqlite3_column_bytes(st, col));
}

/* Copies one table's rows from db into the PostgreSQL store with COPY; *rows (OUT). */
static tl_err copy_table(struct pg_store *s, sqlite3 *db, size_t t, int64_t *rows)
{
    char sql[300];
    *rows = 0;
    if (tables[t].select)
        snprintf(sql, sizeof sql, "%s", tables[t].select);
    else
        snprintf(sql, sizeof sql, "SELECT %s FROM %s%s", tables[t].cols, tables[t].table,
                 !strcmp(tables[t].table, "meta") ? " WHERE key <> 'schema_version'" : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        tl__msg(s->base.errmsg, sizeof s->base.errmsg, "reading %s from the SQLite store: %s",
                tables[t].table, sqlite3_errmsg(db));
        return TL_ESTORE;
    }
    snprintf(sql, sizeof sql, "COPY %s(%s) FROM STDIN", tables[t].table, tables[t].cols);
    tl_err rc = copy_start(s, sql, "copying into the PostgreSQL store");
    if (rc) {
        sqlite3_finalize(st);
        return rc;
    }
    int ncols = sqlite3_column_count(st);
    struct tl_buf b = TL_BUF_INIT;
    int step, sent = 1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && sent == 1) {
        for (int c = 0; c < ncols; c++) {
            if (c) tl__buf_putc(&b, '\t');
            copy_value(&b, st, c, (tables[t].blobs >> c) & 1);
        }
        tl__buf_putc(&b, '\n');
        (*rows)++;
        if (b.len >= 1 << 20) {
            sent = b.oom ? -1 : PQputCopyData(s->conn, b.p, (int)b.len);
            b.len = 0;
        }
    }
    if (sent == 1 && b.len) sent = b.oom ? -1 : PQputCopyData(s->conn, b.p, (int)b.len);
    int bad = step != SQLITE_DONE || sent != 1 || b.oom;
    tl__buf_free(&b);
    sqlite3_finalize(st);
    rc = copy_finish(s, bad ? "the SQLite store could not be read" : NULL,
                     "copying into the PostgreSQL store");
    if (bad && !rc) {
        tl__msg(s->base.errmsg, sizeof s->base.errmsg, "reading %s from the SQLite store: %s",
                tables[t].table, sqlite3_errmsg(db));
        rc = TL_ESTORE;
    }
    return rc;
}

tl_err tl__store_pg_import_sqlite(tl_store *base, const char *path, tl_store_import_cb cb, void *ud)
{
    struct pg_store *s = (struct pg_store *)base;
    if (base->ops != &pg_ops) return TL_EINVAL;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        tl__msg(base->errmsg, sizeof base->errmsg, "%s: cannot open: %s", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return TL_ESTORE;
    }
    /* one read transaction: the copy is one snapshot even if the node is running */
    tl_err rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? TL_OK : TL_ESTORE;
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (!rc &&
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = (int)strtol((const char *)sqlite3_column_text(st, 0), NULL, 10);
    sqlite3_finalize(st);
    if (!rc && version != NMIGRATIONS) {
        tl__msg(base->errmsg, sizeof base->errmsg,
                "%s: schema version %d, not %d: open it with this tearline first (any command "
                "on its node migrates it)",
                path, version, NMIGRATIONS);
        rc = TL_ESTORE;
    }
    if (!rc) rc = pg_begin(base);
    if (!rc) {
        /* into an empty store only: a node is moved whole, never merged */
        PGresult *r = run(s, "SELECT (SELECT count(*) FROM objects) + (SELECT count(*) FROM meta)",
                          NULL, "checking that the PostgreSQL store is empty");
        if (!r) {
            rc = TL_ESTORE;
        } else if (col_int(r, 0, 0) > 1) { /* schema_version alone */
            tl__msg(base->errmsg, sizeof base->errmsg,
                    "the PostgreSQL store (%s) is not empty: a node moves into an empty database",
                    s->where);
            rc = TL_EEXIST;
        }
        PQclear(r);
    }
    for (size_t t = 0; !rc && t < sizeof tables / sizeof *tables; t++) {
        int64_t rows = 0;
        rc = copy_table(s, db, t, &rows);
        if (!rc && cb) cb(tables[t].table, rows, ud);
    }
    /* the sequences go on from the highest seq copied */
    if (!rc)
        rc = run_text(
            s,
            "SELECT setval('objects_seq_seq', GREATEST((SELECT max(seq) FROM objects), 1));"
            "SELECT setval('outbox_seq_seq', GREATEST((SELECT max(seq) FROM outbox), 1));"
            "SELECT setval('alerts_seq_seq', GREATEST((SELECT max(seq) FROM alerts), 1))",
            "continuing the sequences");
    if (!rc)
        rc = pg_commit(base);
    else
        pg_rollback(base);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

tl_err tl__store_pg_open(const char *url, tl_store **out, char *errmsg, size_t errcap)
{
    *out = NULL;
    struct pg_store *s = tl_calloc(1, sizeof *s);
    if (!s) return TL_ENOMEM;
    s->base.ops = &pg_ops;
    if (!(s->conninfo = tl_strdup(url))) {
        tl_free(s);
        return TL_ENOMEM;
    }
    /*
     * Defaults the URL may override (it comes after them): a host that does
     * not answer is an error within 10 s, not a hang; DBAs see who we are.
     */
    static const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {"10", "tearline", url, NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->conn) {
        pg_close(&s->base);
        return TL_ENOMEM;
    }
    describe(s->conn, s->where, sizeof s->where);
    PQsetNoticeProcessor(s->conn, quiet, NULL);
    tl_err rc = TL_OK;
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char why[300];
        snprintf(why, sizeof why, "%s", PQerrorMessage(s->conn));
        size_t n = strlen(why);
        while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
            why[--n] = '\0';
        tl__msg(errmsg, errcap, "store %s: cannot connect: %s", s->where, why);
        pg_close(&s->base);
        return TL_ESTORE;
    }
    if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
        tl__msg(errmsg, errcap, "store %s: the connection cannot use UTF-8", s->where);
        pg_close(&s->base);
        return TL_ESTORE;
    }
    rc = run_text(s, "SET client_min_messages = warning", "opening the store");
    if (!rc) rc = migrate(s);
    if (rc) {
        tl__msg(errmsg, errcap, "%s (%s)", s->base.errmsg, s->where);
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return TL_OK;
}
