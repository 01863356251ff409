/*
 * store_sqlite.c: the embedded SQLite backend (WAL, prepared statements,
 * versioned schema with migrations).
 */
#include "store.h"

#include "buf.h"
#include "tearline/prov.h"
#include "ts.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Schema migrations, applied in order; meta.schema_version is the number
 * applied. Never edit a released step: add a new one.
 */
static const char *const migrations[] = {
    /* 1: holdings, labels, lexicon, metadata */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE objects("
    "  seq INTEGER PRIMARY KEY," /* date_added order */
    "  id TEXT NOT NULL,"
    "  version TEXT NOT NULL," /* version key */
    "  type TEXT NOT NULL,"
    "  created TEXT NOT NULL,"
    "  added INTEGER NOT NULL," /* date_added, microseconds, strictly increasing */
    "  origin TEXT NOT NULL,"   /* '' own, else partner code */
    "  revoked INTEGER NOT NULL,"
    "  latest INTEGER NOT NULL," /* newest version of id */
    "  json TEXT NOT NULL,"      /* RFC 8785 canonical */
    "  UNIQUE(id, version));"
    "CREATE INDEX objects_type ON objects(type, seq);"
    "CREATE TABLE labels(label TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(label, seq)) WITHOUT ROWID;"
    "CREATE TABLE lexicon(folded TEXT PRIMARY KEY, term TEXT NOT NULL, kind TEXT NOT NULL,"
    "  added INTEGER NOT NULL) WITHOUT ROWID;",
    /* 2: sharing agreements, each version with its signatures */
    "CREATE TABLE agreements(id TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL,"
    "  updated INTEGER NOT NULL, PRIMARY KEY(id, version)) WITHOUT ROWID;",
    /* 3: what was released to each partner, and why each decision was made */
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, partner TEXT NOT NULL, id TEXT NOT NULL,"
    "  version TEXT NOT NULL, added INTEGER NOT NULL, original TEXT NOT NULL,"
    "  json TEXT NOT NULL, UNIQUE(partner, id, version));"
    "CREATE INDEX outbox_partner ON outbox(partner, added);"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, partner TEXT NOT NULL,"
    "  object TEXT NOT NULL, action TEXT NOT NULL, rule TEXT NOT NULL, detail TEXT NOT NULL);",
    /* 4: the facets the release compiler decides on without parsing (store.h) */
    "CREATE TABLE facets(kind TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  PRIMARY KEY(kind, value, seq)) WITHOUT ROWID;"
    "CREATE INDEX facets_seq ON facets(seq);"
    /* every version's metadata without its JSON, for listings that do not need it */
    "CREATE INDEX objects_meta ON objects(seq, latest, id, type, version, origin, revoked, added);"
    "INSERT OR IGNORE INTO facets SELECT CASE WHEN j.key = 'originator' AND n.k = 2"
    "  THEN 'originator' ELSE 'source' END, j.value, o.seq"
    "  FROM objects o, json_each(o.json, '$.extensions.\"" TL_PROV_EXT_ID "\"') j,"
    "  (SELECT 1 AS k UNION ALL SELECT 2) n"
    "  WHERE j.type = 'text' AND (j.key = 'source_ref' AND n.k = 1 OR j.key = 'originator');"
    "INSERT OR IGNORE INTO facets SELECT 'end', j.value, o.seq FROM objects o, json_each(o.json) j"
    "  WHERE j.type = 'text' AND (o.type = 'relationship' AND j.key IN ('source_ref', 'target_ref')"
    "  OR o.type = 'sighting' AND j.key = 'sighting_of_ref');"
    "INSERT OR IGNORE INTO facets SELECT 'caveat', j.key, o.seq"
    "  FROM objects o, json_each(o.json, '$.extensions.\"" TL_PROV_EXT_ID "\".caveats') j"
    "  WHERE j.key IN ('noforn', 'orcon') AND j.type = 'true' OR j.key = 'rel_to';"
    "INSERT OR IGNORE INTO facets SELECT 'rel_to', j.value, o.seq"
    "  FROM objects o, json_each(o.json, '$.extensions.\"" TL_PROV_EXT_ID "\".caveats.rel_to') j"
    "  WHERE j.type = 'text';"
    "INSERT OR IGNORE INTO facets SELECT 'marking', j.value, o.seq"
    "  FROM objects o, json_each(o.json, '$.object_marking_refs') j WHERE j.type = 'text';",
    /* 5: partners: where to reach them, their keys, and how each side authenticates */
    "CREATE TABLE partners(code TEXT PRIMARY KEY, url TEXT NOT NULL, public_key TEXT NOT NULL,"
    "  credential TEXT NOT NULL, secret_hash TEXT NOT NULL, ca TEXT NOT NULL,"
    "  updated INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    /* and the TAXII status of each POST a partner made */
    "CREATE TABLE taxii_status(id TEXT PRIMARY KEY, partner TEXT NOT NULL,"
    "  created INTEGER NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;",
    /* 6: each outbox row knows whether it is its object's latest version */
    "ALTER TABLE outbox ADD COLUMN latest INTEGER NOT NULL DEFAULT 1;"
    "UPDATE outbox SET latest = (version = (SELECT max(version) FROM outbox x"
    "  WHERE x.partner = outbox.partner AND x.id = outbox.id));"
    "CREATE INDEX outbox_added ON outbox(added);",
    /* 7: the ledger, hash-chained (ledger.c), and its signed checkpoints */
    "CREATE TABLE ledger(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  party TEXT NOT NULL, summary TEXT NOT NULL, payload TEXT NOT NULL, digest BLOB NOT NULL,"
    "  prev BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE TABLE ledger_checkpoints(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    "  hash BLOB NOT NULL, public_key BLOB NOT NULL, signature BLOB NOT NULL);",
    /* 8: the audit trail hash-chained (audit.c); records from before stay unchained */
    "ALTER TABLE audit ADD COLUMN prev BLOB;"
    "ALTER TABLE audit ADD COLUMN hash BLOB;"
    "CREATE INDEX audit_partner ON audit(partner, seq);",
    /* 9: analysts' verdicts on entity resolution: a and b (a < b) are the same, or not */
    "CREATE TABLE resolutions(a TEXT NOT NULL, b TEXT NOT NULL, verdict TEXT NOT NULL"
    "  CHECK(verdict IN ('same', 'different')), added INTEGER NOT NULL, PRIMARY KEY(a, b))"
    "  WITHOUT ROWID;",
    /* 10: the claims fusion took from each holding (fusion.c), one JSON document each */
    "CREATE TABLE claims(holding TEXT NOT NULL, n INTEGER NOT NULL, doc TEXT NOT NULL,"
    "  PRIMARY KEY(holding, n)) WITHOUT ROWID;"
    /* fusion asks whether an id a partner uses is one we released to it (and trace, which) */
    "CREATE INDEX outbox_id ON outbox(id);",
    /* 11: watchlist rules (watch.c), each with the date_added it has seen up to, and alerts */
    "CREATE TABLE watch_rules(name TEXT PRIMARY KEY, doc TEXT NOT NULL, added INTEGER NOT NULL,"
    "  seen INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE alerts(seq INTEGER PRIMARY KEY, rule TEXT NOT NULL, entity TEXT NOT NULL,"
    "  time INTEGER NOT NULL, doc TEXT NOT NULL);",
    /*
     * 12: PostgreSQL's facets became a row a version (store_pg.c); SQLite's
     * stay a row a facet, which its ingest writes as fast. A step here too,
     * so that one version number means one schema on both backends.
     */
    "SELECT 1;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

#define REC_COLS "seq, added, id, type, version, origin, revoked, latest, json"
#define REC_COLS_NO_JSON "seq, added, id, type, version, origin, revoked, latest, NULL"

enum {
    S_FIND,
    S_INSERT,
    S_UNLATEST,
    S_LABEL,
    S_FACET,
    S_GET_LATEST,
    S_GET_VERSION,
    S_MAXADDED,
    S_LEDGER_HEAD,
    S_LEDGER_PUT,
    S_AUDIT_HEAD,
    S_AUDIT_PUT,
    S_COUNT_, /* number of statements */
};

static const char *const stmt_sql[S_COUNT_] = {
    "SELECT seq, version, revoked, created, json FROM objects WHERE id = ?1",
    ("INSERT INTO objects(id, version, type, created, added, origin, revoked, latest, json)"
     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
    "UPDATE objects SET latest = 0 WHERE seq = ?1",
    "INSERT OR IGNORE INTO labels(label, seq) VALUES(?1, ?2)",
    "INSERT OR IGNORE INTO facets(kind, value, seq) VALUES(?1, ?2, ?3)",
    ("SELECT " REC_COLS " FROM objects WHERE id = ?1 AND latest = 1"),
    ("SELECT " REC_COLS " FROM objects WHERE id = ?1 AND version = ?2"),
    "SELECT added FROM objects ORDER BY seq DESC LIMIT 1",
    "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1",
    ("INSERT INTO ledger(seq, time, kind, party, summary, payload, digest, prev, hash)"
     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
    ("INSERT INTO audit(seq, time, partner, object, action, rule, detail, prev, hash)"
     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
};

/* Prepared TAXII queries, by their SQL text (their shapes are few). */
#define QCACHE 16

struct sqlite_store {
    struct tl_store base;
    struct {
        char *sql;
        sqlite3_stmt *st;
    } qcache[QCACHE];
    size_t qnext;
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT_];
    int in_txn;
    int64_t last_added; /* valid inside a transaction */
};

static tl_err db_fail(struct sqlite_store *s, const char *what)
{
    int code = sqlite3_errcode(s->db);
    tl__msg(s->base.errmsg, sizeof s->base.errmsg, "store: %s: %s", what, sqlite3_errmsg(s->db));
    return code == SQLITE_NOMEM ? TL_ENOMEM : TL_ESTORE;
}

static tl_err exec(struct sqlite_store *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        tl__msg(s->base.errmsg, sizeof s->base.errmsg, "store: %s", err ? err : "exec failed");
        sqlite3_free(err);
        return sqlite3_errcode(s->db) == SQLITE_NOMEM ? TL_ENOMEM : TL_ESTORE;
    }
    return TL_OK;
}

static int64_t scalar_int(struct sqlite_store *s, const char *sql, int64_t dflt)
{
    sqlite3_stmt *st;
    int64_t v = dflt;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return dflt;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static tl_err migrate(struct sqlite_store *s)
{
    tl_err rc = exec(s, "BEGIN IMMEDIATE");
    if (rc) return rc;
    int have = (int)scalar_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'", 0);
    int version = have ? (int)scalar_int(s,
                                         "SELECT CAST(value AS INTEGER) FROM meta "
                                         "WHERE key = 'schema_version'",
                                         0)
                       : 0;
    if (version > NMIGRATIONS) {
        exec(s, "ROLLBACK");
        tl__msg(s->base.errmsg, sizeof s->base.errmsg,
                "store: schema version %d is newer than this tearline knows (%d)", version,
                NMIGRATIONS);
        return TL_ESTORE;
    }
    for (int v = version; v < NMIGRATIONS; v++) {
        if ((rc = exec(s, migrations[v]))) {
            exec(s, "ROLLBACK");
            return rc;
        }
        char sql[128];
        snprintf(sql, sizeof sql,
                 "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '%d')", v + 1);
        if ((rc = exec(s, sql))) {
            exec(s, "ROLLBACK");
            return rc;
        }
    }
    return exec(s, "COMMIT");
}

static void sqlite_close(tl_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    for (size_t i = 0; i < QCACHE; i++) {
        sqlite3_finalize(s->qcache[i].st);
        tl_free(s->qcache[i].sql);
    }
    for (int i = 0; i < S_COUNT_; i++)
        sqlite3_finalize(s->stmt[i]);
    if (s->in_txn) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    tl_free(s);
}

static tl_err sqlite_begin(tl_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (s->in_txn) {
        tl__msg(base->errmsg, sizeof base->errmsg, "store: a transaction is already open");
        return TL_EINVAL;
    }
    tl_err rc = exec(s, "BEGIN IMMEDIATE");
    if (rc) return rc;
    s->in_txn = 1;
    sqlite3_stmt *st = s->stmt[S_MAXADDED];
    s->last_added = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        s->last_added = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return TL_OK;
}

static tl_err sqlite_commit(tl_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (!s->in_txn) return TL_OK;
    tl_err rc = exec(s, "COMMIT");
    if (rc) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    s->in_txn = 0;
    return rc;
}

static tl_err sqlite_rollback(tl_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (!s->in_txn) return TL_OK;
    s->in_txn = 0;
    return exec(s, "ROLLBACK");
}

static tl_err need_txn(struct sqlite_store *s)
{
    if (s->in_txn) return TL_OK;
    tl__msg(s->base.errmsg, sizeof s->base.errmsg, "store: write outside a transaction");
    return TL_EINVAL;
}

static tl_err sqlite_put(tl_store *base, const tl_store_obj *o, tl_put_result *res)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;

    /* What is stored of this id already decides immutability, revocation and latest. */
    sqlite3_stmt *f = s->stmt[S_FIND];
    sqlite3_bind_text(f, 1, o->id, -1, SQLITE_STATIC);
    int64_t newest_seq = -1;
    char newest[TL_TS_KEYMAX] = "";
    int step;
    while ((step = sqlite3_step(f)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(f, 0);
        const char *ver = (const char *)sqlite3_column_text(f, 1);
        int revoked = sqlite3_column_int(f, 2);
        const char *created = (const char *)sqlite3_column_text(f, 3);
        if (!ver || !created) {
            sqlite3_reset(f);
            return db_fail(s, "reading a stored version");
        }
        tl_store_version v = {ver, created, (const char *)sqlite3_column_text(f, 4),
                              (size_t)sqlite3_column_bytes(f, 4), revoked};
        int check = tl__store_check_version(o, &v, base->errmsg, sizeof base->errmsg);
        if (check) {
            sqlite3_reset(f);
            if (check < 0) return TL_ECONFLICT;
            *res = TL_PUT_DUPLICATE;
            return TL_OK;
        }
        if (strcmp(ver, newest) > 0) {
            snprintf(newest, sizeof newest, "%s", ver);
            newest_seq = seq;
        }
    }
    sqlite3_reset(f);
    if (step != SQLITE_DONE) return db_fail(s, "looking up an object");

    int latest = newest_seq < 0 || strcmp(o->version, newest) > 0;
    if (latest && newest_seq >= 0) {
        sqlite3_stmt *u = s->stmt[S_UNLATEST];
        sqlite3_bind_int64(u, 1, newest_seq);
        step = sqlite3_step(u);
        sqlite3_reset(u);
        if (step != SQLITE_DONE) return db_fail(s, "updating the latest version");
    }

    int64_t now = tl__now_us();
    int64_t added = now > s->last_added ? now : s->last_added + 1;
    sqlite3_stmt *ins = s->stmt[S_INSERT];
    sqlite3_bind_text(ins, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, o->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, o->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, o->created, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 5, added);
    sqlite3_bind_text(ins, 6, o->origin ? o->origin : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 7, o->revoked);
    sqlite3_bind_int(ins, 8, latest);
    sqlite3_bind_text(ins, 9, o->json, (int)o->json_len, SQLITE_STATIC);
    step = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (step != SQLITE_DONE) return db_fail(s, "storing an object");
    s->last_added = added;
    int64_t seq = sqlite3_last_insert_rowid(s->db);

    sqlite3_stmt *lb = s->stmt[S_LABEL];
    for (size_t i = 0; i < o->nlabels; i++) {
        sqlite3_bind_text(lb, 1, o->labels[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(lb, 2, seq);
        step = sqlite3_step(lb);
        sqlite3_reset(lb);
        if (step != SQLITE_DONE) return db_fail(s, "storing a label");
    }
    sqlite3_stmt *rf = s->stmt[S_FACET];
    for (size_t i = 0; i < o->nfacets; i++) {
        sqlite3_bind_text(rf, 1, o->facets[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(rf, 2, o->facets[i].value, -1, SQLITE_STATIC);
        sqlite3_bind_int64(rf, 3, seq);
        step = sqlite3_step(rf);
        sqlite3_reset(rf);
        if (step != SQLITE_DONE) return db_fail(s, "storing a facet");
    }
    *res = TL_PUT_NEW;
    return TL_OK;
}

static int row_to_record(sqlite3_stmt *st, tl_record_cb cb, void *ud)
{
    tl_record r;
    r.seq = sqlite3_column_int64(st, 0);
    r.added_us = sqlite3_column_int64(st, 1);
    r.id = (const char *)sqlite3_column_text(st, 2);
    r.type = (const char *)sqlite3_column_text(st, 3);
    r.version = (const char *)sqlite3_column_text(st, 4);
    r.origin = (const char *)sqlite3_column_text(st, 5);
    r.revoked = sqlite3_column_int(st, 6);
    r.latest = sqlite3_column_int(st, 7);
    r.json =
        sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, 8);
    r.json_len = r.json ? (size_t)sqlite3_column_bytes(st, 8) : 0;
    return cb(&r, ud);
}

static tl_err sqlite_get(tl_store *base, const char *id, const char *version, tl_record_cb cb,
                         void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->stmt[version ? S_GET_VERSION : S_GET_LATEST];
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (version) sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    tl_err rc = TL_OK;
    if (step == SQLITE_ROW) {
        row_to_record(st, cb, ud);
    } else if (step == SQLITE_DONE) {
        rc = TL_ENOTFOUND;
    } else {
        rc = db_fail(s, "looking up an object");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static tl_err sqlite_query(tl_store *base, const tl_filter *f, int64_t after, tl_record_cb cb,
                           void *ud, char next[TL_CURSOR_MAX])
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    struct tl_buf q = TL_BUF_INIT;
    tl__buf_puts(&q, f->no_json ? "SELECT " REC_COLS_NO_JSON " FROM objects o WHERE seq > ?1"
                                : "SELECT " REC_COLS " FROM objects o WHERE seq > ?1");
    if (f->versions == TL_VERSIONS_LATEST) tl__buf_puts(&q, " AND latest = 1");
    if (f->versions == TL_VERSIONS_FIRST)
        tl__buf_puts(&q, " AND version = (SELECT min(version) FROM objects x WHERE x.id = o.id)");
    if (f->ntypes) {
        tl__buf_puts(&q, " AND type IN (");
        for (size_t i = 0; i < f->ntypes; i++)
            tl__buf_printf(&q, "%s?%zu", i ? "," : "", 10 + i);
        tl__buf_puts(&q, ")");
    }
    if (f->id) tl__buf_puts(&q, " AND id = ?2");
    if (f->origin) tl__buf_puts(&q, " AND origin = ?3");
    if (f->added_after_us >= 0) tl__buf_puts(&q, " AND added > ?4");
    if (f->modified_from) tl__buf_puts(&q, " AND version >= ?5");
    if (f->modified_to) tl__buf_puts(&q, " AND version <= ?6");
    if (f->label) tl__buf_puts(&q, " AND seq IN (SELECT seq FROM labels WHERE label = ?7)");
    tl__buf_puts(&q, " ORDER BY seq");
    if (f->limit) tl__buf_puts(&q, " LIMIT ?8");
    if (q.oom) {
        tl__buf_free(&q);
        return TL_ENOMEM;
    }
    sqlite3_stmt *st;
    int prc = sqlite3_prepare_v2(s->db, q.p, -1, &st, NULL);
    tl__buf_free(&q);
    if (prc != SQLITE_OK) return db_fail(s, "preparing a query");
    sqlite3_bind_int64(st, 1, after);
    if (f->id) sqlite3_bind_text(st, 2, f->id, -1, SQLITE_STATIC);
    if (f->origin) sqlite3_bind_text(st, 3, f->origin, -1, SQLITE_STATIC);
    if (f->added_after_us >= 0) sqlite3_bind_int64(st, 4, f->added_after_us);
    if (f->modified_from) sqlite3_bind_text(st, 5, f->modified_from, -1, SQLITE_STATIC);
    if (f->modified_to) sqlite3_bind_text(st, 6, f->modified_to, -1, SQLITE_STATIC);
    if (f->label) sqlite3_bind_text(st, 7, f->label, -1, SQLITE_STATIC);
    /* one more than asked tells whether a next page exists */
    if (f->limit) sqlite3_bind_int64(st, 8, (sqlite3_int64)f->limit + 1);
    for (size_t i = 0; i < f->ntypes; i++)
        sqlite3_bind_text(st, 10 + (int)i, f->types[i], -1, SQLITE_STATIC);

    tl_err rc = TL_OK;
    size_t n = 0;
    int64_t last = after;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (f->limit && n == f->limit) {
            snprintf(next, TL_CURSOR_MAX, "c1.%lld", (long long)last);
            break;
        }
        last = sqlite3_column_int64(st, 0);
        n++;
        if (row_to_record(st, cb, ud)) break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) rc = db_fail(s, "running a query");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_del(tl_store *base, const char *id, const char *version, int64_t *deleted)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    const char *sql = version ? "DELETE FROM objects WHERE id = ?1 AND version = ?2"
                              : "DELETE FROM objects WHERE id = ?1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a delete");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (version) sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return db_fail(s, "deleting");
    *deleted = sqlite3_changes(s->db);
    /* Labels of deleted rows, and the latest flag of what remains. */
    if ((rc = exec(s, "DELETE FROM labels WHERE seq NOT IN (SELECT seq FROM objects)"))) return rc;
    if ((rc = exec(s, "DELETE FROM facets WHERE seq NOT IN (SELECT seq FROM objects)"))) return rc;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE objects SET latest = (version = (SELECT max(version) FROM "
                           "objects x WHERE x.id = objects.id)) WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a delete");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return db_fail(s, "deleting");
    return TL_OK;
}

static tl_err sqlite_facets(tl_store *base, const char *kind, tl_store_facet_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    /* labels keep their own table, and are listed as facets of kind "label" */
    const char *sql =
        !kind
            ? "SELECT kind, value, seq FROM facets UNION ALL SELECT 'label', label, seq FROM labels"
        : !strcmp(kind, TL_FACET_LABEL)
            ? "SELECT 'label', label, seq FROM labels ORDER BY seq"
            : "SELECT kind, value, seq FROM facets WHERE kind = ?1 ORDER BY seq";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a facet listing");
    if (kind && strcmp(kind, TL_FACET_LABEL) != 0)
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        if (!k || !value) {
            step = SQLITE_NOMEM;
            break;
        }
        if (cb(k, value, sqlite3_column_int64(st, 2), ud)) {
            step = SQLITE_DONE;
            break;
        }
    }
    tl_err rc = step == SQLITE_DONE ? TL_OK : db_fail(s, "listing facets");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_count(tl_store *base, tl_count_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT type, origin, count(*), sum(latest) FROM objects "
                           "GROUP BY type, origin ORDER BY type, origin",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing counts");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        tl_count c = {(const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
                      sqlite3_column_int64(st, 3)};
        if (cb(&c, ud)) break;
    }
    tl_err rc = step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "counting");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_term_add(tl_store *base, const char *term, const char *folded,
                              const char *kind)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO lexicon(folded, term, kind, added) VALUES(?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a lexicon insert");
    sqlite3_bind_text(st, 1, folded, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, term, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tl__now_us());
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step == SQLITE_CONSTRAINT) return TL_EEXIST;
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "adding a term");
}

static tl_err sqlite_term_remove(tl_store *base, const char *folded)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM lexicon WHERE folded = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(s, "preparing a lexicon delete");
    sqlite3_bind_text(st, 1, folded, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return db_fail(s, "removing a term");
    return sqlite3_changes(s->db) ? TL_OK : TL_ENOTFOUND;
}

static tl_err sqlite_term_list(tl_store *base, tl_term_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT term, kind, added FROM lexicon ORDER BY folded", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(s, "preparing the lexicon listing");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               sqlite3_column_int64(st, 2), ud))
            break;
    tl_err rc = step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "listing terms");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_resolution_put(tl_store *base, const char *a, const char *b,
                                    const char *verdict)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO resolutions(a, b, verdict, added)"
                           " VALUES(?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a resolution");
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, verdict, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tl__now_us());
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "storing a resolution");
}

static tl_err sqlite_resolution_list(tl_store *base, tl_resolution_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT a, b, verdict, added FROM resolutions ORDER BY a, b", -1,
                           &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing the resolution listing");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3), ud))
            break;
    tl_err rc =
        step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "listing resolutions");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_claims_put(tl_store *base, const char *holding, const char *const *docs,
                                size_t n)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM claims WHERE holding = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(s, "preparing to replace claims");
    sqlite3_bind_text(st, 1, holding, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return db_fail(s, "replacing claims");
    if (!n) return TL_OK;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO claims(holding, n, doc) VALUES(?1, ?2, ?3)", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(s, "preparing a claim");
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, holding, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, docs[i], -1, SQLITE_STATIC);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            sqlite3_finalize(st);
            return db_fail(s, "storing a claim");
        }
    }
    sqlite3_finalize(st);
    return TL_OK;
}

static tl_err sqlite_claims_scan(tl_store *base, tl_claim_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT holding, doc FROM claims ORDER BY holding, n", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(s, "preparing the claim listing");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               (size_t)sqlite3_column_bytes(st, 1), ud))
            break;
    tl_err rc = step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "listing claims");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_watch_put(tl_store *base, const char *name, const char *doc, int64_t seen)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO watch_rules(name, doc, added, seen) VALUES(?1, ?2, ?3, ?4)"
                           " ON CONFLICT(name) DO UPDATE SET doc = ?2, seen = ?4",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a watch rule");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, doc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, tl__now_us());
    sqlite3_bind_int64(st, 4, seen);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "storing a watch rule");
}

static tl_err sqlite_watch_list(tl_store *base, tl_watch_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT name, doc, added, seen FROM watch_rules ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing the watch rule listing");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), ud))
            break;
    tl_err rc =
        step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "listing watch rules");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_alert_put(tl_store *base, const char *rule, const char *entity, int64_t time,
                               const char *doc)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO alerts(rule, entity, time, doc) VALUES(?1, ?2, ?3, ?4)", -1,
                           &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing an alert");
    sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, time);
    sqlite3_bind_text(st, 4, doc, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "storing an alert");
}

static tl_err sqlite_alert_list(tl_store *base, int64_t after_seq, tl_alert_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db, "SELECT seq, rule, entity, time, doc FROM alerts WHERE seq > ?1 ORDER BY seq",
            -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing the alert listing");
    sqlite3_bind_int64(st, 1, after_seq);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (cb(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3),
               (const char *)sqlite3_column_text(st, 4), ud))
            break;
    tl_err rc = step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "listing alerts");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_meta_get(tl_store *base, const char *key, char **value)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    *value = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(s, "preparing a metadata lookup");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    tl_err rc = TL_OK;
    if (step == SQLITE_ROW) {
        *value = tl_strdup((const char *)sqlite3_column_text(st, 0));
        if (!*value) rc = TL_ENOMEM;
    } else if (step == SQLITE_DONE) {
        rc = TL_ENOTFOUND;
    } else {
        rc = db_fail(s, "reading metadata");
    }
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_meta_set(tl_store *base, const char *key, const char *value)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(s, "preparing a metadata update");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "writing metadata");
}

static tl_err sqlite_agreement_put(tl_store *base, const char *id, int64_t version, const char *doc,
                                   size_t len)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO agreements(id, version, doc, updated) "
                           "VALUES(?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing an agreement update");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, version);
    sqlite3_bind_text(st, 3, doc, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tl__now_us());
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "storing an agreement");
}

static tl_err agreement_rows(struct sqlite_store *s, sqlite3_stmt *st, tl_store_agreement_cb cb,
                             void *ud, int *found)
{
    int step;
    *found = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        *found = 1;
        if (cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2), ud))
            break;
    }
    tl_err rc =
        step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "reading agreements");
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_agreement_get(tl_store *base, const char *id, int64_t version,
                                   tl_store_agreement_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    const char *sql = version > 0 ? "SELECT id, version, doc FROM agreements WHERE id = ?1 AND "
                                    "version = ?2"
                                  : "SELECT id, version, doc FROM agreements WHERE id = ?1 "
                                    "ORDER BY version DESC LIMIT 1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing an agreement lookup");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (version > 0) sqlite3_bind_int64(st, 2, version);
    int found;
    tl_err rc = agreement_rows(s, st, cb, ud, &found);
    return !rc && !found ? TL_ENOTFOUND : rc;
}

static tl_err sqlite_agreement_list(tl_store *base, tl_store_agreement_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, version, doc FROM agreements ORDER BY id, version",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing the agreement listing");
    int found;
    return agreement_rows(s, st, cb, ud, &found);
}

static tl_err sqlite_outbox_find(tl_store *base, const char *partner, const char *id,
                                 const char *version, char **json)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    *json = NULL;
    const char *sql = version ? "SELECT json FROM outbox WHERE partner = ?1 AND id = ?2 AND "
                                "version = ?3"
                              : "SELECT json FROM outbox WHERE partner = ?1 AND id = ?2 "
                                "ORDER BY version DESC LIMIT 1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing an outbox lookup");
    sqlite3_bind_text(st, 1, partner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    if (version) sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    tl_err rc = TL_OK;
    if (step == SQLITE_ROW) {
        *json = tl_strdup((const char *)sqlite3_column_text(st, 0));
        if (!*json) rc = TL_ENOMEM;
    } else {
        rc = step == SQLITE_DONE ? TL_ENOTFOUND : db_fail(s, "reading the outbox");
    }
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_outbox_put(tl_store *base, const tl_outbox_obj *o)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    /* date_added strictly increasing within each outbox, as TAXII paging needs */
    int64_t last = scalar_int(s, "SELECT max(added) FROM outbox", 0);
    int64_t now = tl__now_us();
    int64_t added = now > last ? now : last + 1;
    sqlite3_stmt *st;
    /* the newest version of the object so far loses its latest flag to a newer one */
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE outbox SET latest = 0 WHERE partner = ?1 AND id = ?2 AND "
                           "latest = 1 AND version < ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing an outbox update");
    sqlite3_bind_text(st, 1, o->partner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->version, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return db_fail(s, "publishing to an outbox");
    if (sqlite3_prepare_v2(
            s->db,
            "INSERT INTO outbox(partner, id, version, added, original, json, latest) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, NOT EXISTS(SELECT 1 FROM outbox "
            "WHERE partner = ?1 AND id = ?2 AND version > ?3))",
            -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing an outbox insert");
    sqlite3_bind_text(st, 1, o->partner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, added);
    sqlite3_bind_text(st, 5, o->original, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, o->json, (int)o->json_len, SQLITE_STATIC);
    step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "publishing to an outbox");
}

/* A prepared statement for sql from the cache (reset, no bindings), or newly prepared. */
static sqlite3_stmt *cached(struct sqlite_store *s, const char *sql)
{
    for (size_t i = 0; i < QCACHE; i++)
        if (s->qcache[i].sql && !strcmp(s->qcache[i].sql, sql)) return s->qcache[i].st;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    char *copy = tl_strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return NULL;
    }
    size_t k = s->qnext++ % QCACHE;
    sqlite3_finalize(s->qcache[k].st);
    tl_free(s->qcache[k].sql);
    s->qcache[k].sql = copy;
    s->qcache[k].st = st;
    return st;
}

static tl_err sqlite_outbox_query(tl_store *base, const tl_outbox_query *q, tl_outbox_cb cb,
                                  void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (q->nids > TL_OUTBOX_MAX_MATCH || q->ntypes > TL_OUTBOX_MAX_MATCH ||
        q->nversions > TL_OUTBOX_MAX_MATCH)
        return TL_EINVAL;
    struct tl_buf b = TL_BUF_INIT;
    tl__buf_puts(&b, q->want_json ? "SELECT added, id, version, json"
                                  : "SELECT added, id, version, NULL");
    tl__buf_puts(&b, " FROM outbox o WHERE partner = ?1 AND added > ?2");
    int p = 3; /* next parameter */
    if (q->nids) {
        tl__buf_puts(&b, " AND id IN (");
        for (size_t i = 0; i < q->nids; i++)
            tl__buf_printf(&b, "%s?%d", i ? "," : "", p++);
        tl__buf_puts(&b, ")");
    }
    if (q->ntypes) {
        tl__buf_puts(&b, " AND substr(id, 1, instr(id, '--') - 1) IN (");
        for (size_t i = 0; i < q->ntypes; i++)
            tl__buf_printf(&b, "%s?%d", i ? "," : "", p++);
        tl__buf_puts(&b, ")");
    }
    if (!q->all) {
        /* versions: OR of first, last and exact keys */
        tl__buf_puts(&b, " AND (0");
        if (q->last) tl__buf_puts(&b, " OR latest = 1");
        if (q->first)
            tl__buf_puts(&b, " OR version = (SELECT min(version) FROM outbox x"
                             " WHERE x.partner = o.partner AND x.id = o.id)");
        for (size_t i = 0; i < q->nversions; i++)
            tl__buf_printf(&b, " OR version = ?%d", p++);
        tl__buf_puts(&b, ")");
    }
    tl__buf_puts(&b, " ORDER BY added");
    int plimit = p; /* the limit is bound, so one prepared statement serves every page size */
    if (q->limit) tl__buf_printf(&b, " LIMIT ?%d", plimit);
    if (b.oom) {
        tl__buf_free(&b);
        return TL_ENOMEM;
    }
    sqlite3_stmt *st = cached(s, b.p);
    tl__buf_free(&b);
    if (!st) return db_fail(s, "preparing an outbox query");
    sqlite3_bind_text(st, 1, q->partner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, q->after_added);
    p = 3;
    for (size_t i = 0; i < q->nids; i++)
        sqlite3_bind_text(st, p++, q->ids[i], -1, SQLITE_STATIC);
    for (size_t i = 0; i < q->ntypes; i++)
        sqlite3_bind_text(st, p++, q->types[i], -1, SQLITE_STATIC);
    for (size_t i = 0; !q->all && i < q->nversions; i++)
        sqlite3_bind_text(st, p++, q->versions[i], -1, SQLITE_STATIC);
    if (q->limit) sqlite3_bind_int64(st, plimit, (sqlite3_int64)q->limit);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 1);
        const char *ver = (const char *)sqlite3_column_text(st, 2);
        const char *js = q->want_json ? (const char *)sqlite3_column_text(st, 3) : NULL;
        if (!id || !ver || (q->want_json && !js)) {
            step = SQLITE_NOMEM;
            break;
        }
        if (cb(sqlite3_column_int64(st, 0), id, ver, js,
               js ? (size_t)sqlite3_column_bytes(st, 3) : 0, ud)) {
            step = SQLITE_DONE;
            break;
        }
    }
    tl_err rc = step == SQLITE_DONE ? TL_OK : db_fail(s, "reading the outbox");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static tl_err sqlite_partner_put(tl_store *base, const tl_partner_rec *pr)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO partners(code, url, public_key, credential,"
                           " secret_hash, ca, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?7, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a partner update");
    sqlite3_bind_text(st, 1, pr->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pr->url ? pr->url : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, pr->public_key ? pr->public_key : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pr->credential ? pr->credential : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, pr->secret_hash ? pr->secret_hash : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, tl__now_us());
    sqlite3_bind_text(st, 7, pr->ca ? pr->ca : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "storing a partner");
}

static tl_err sqlite_partner_get(tl_store *base, const char *code, tl_partner_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    const char *sql =
        code ? "SELECT code, url, public_key, credential, secret_hash, ca FROM partners"
               " WHERE code = ?1"
             : "SELECT code, url, public_key, credential, secret_hash, ca FROM partners"
               " ORDER BY code";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a partner lookup");
    if (code) sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int step, n = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        tl_partner_rec pr = {
            (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5)};
        if (!pr.code || !pr.url || !pr.public_key || !pr.credential || !pr.secret_hash || !pr.ca) {
            step = SQLITE_NOMEM;
            break;
        }
        n++;
        if (cb(&pr, ud)) {
            step = SQLITE_DONE;
            break;
        }
    }
    tl_err rc = step == SQLITE_DONE ? TL_OK : db_fail(s, "reading partners");
    sqlite3_finalize(st);
    return !rc && code && !n ? TL_ENOTFOUND : rc;
}

static tl_err sqlite_status_put(tl_store *base, const char *id, const char *partner,
                                const char *doc)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db, "INSERT INTO taxii_status(id, partner, created, doc) VALUES(?1, ?2, ?3, ?4)", -1,
            &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a status");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, partner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, tl__now_us());
    sqlite3_bind_text(st, 4, doc, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "storing a status");
}

static tl_err sqlite_status_get(tl_store *base, const char *id, const char *partner, char **doc)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    *doc = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT doc FROM taxii_status WHERE id = ?1 AND partner = ?2", -1,
                           &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a status lookup");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, partner, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    tl_err rc = TL_ENOTFOUND;
    if (step == SQLITE_ROW) {
        *doc = tl_strdup((const char *)sqlite3_column_text(st, 0));
        rc = *doc ? TL_OK : TL_ENOMEM;
    } else if (step != SQLITE_DONE) {
        rc = db_fail(s, "reading a status");
    }
    sqlite3_finalize(st);
    return rc;
}

static tl_err sqlite_outbox_trace(tl_store *base, const char *id,
                                  int (*cb)(const char *partner, const char *version,
                                            const char *original, void *ud),
                                  void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT partner, version, original FROM outbox WHERE id = ?1 "
                           "ORDER BY partner, version",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a trace");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int step, found = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        found = 1;
        if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), ud))
            break;
    }
    tl_err rc = step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK : db_fail(s, "tracing");
    sqlite3_finalize(st);
    return rc ? rc : found ? TL_OK : TL_ENOTFOUND;
}

static const unsigned char *blob_n(sqlite3_stmt *st, int col, int n);

static tl_err sqlite_audit_head(tl_store *base, int64_t *seq, unsigned char hash[32], int *chained)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->stmt[S_AUDIT_HEAD];
    *seq = 0;
    *chained = 0;
    memset(hash, 0, 32);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const void *h = sqlite3_column_blob(st, 1);
        if (h && sqlite3_column_bytes(st, 1) == 32) {
            memcpy(hash, h, 32);
            *chained = 1;
        }
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK
                                                     : db_fail(s, "reading the audit trail");
}

static tl_err sqlite_audit_put(tl_store *base, const tl_audit_row *a)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st = s->stmt[S_AUDIT_PUT];
    sqlite3_bind_int64(st, 1, a->seq);
    sqlite3_bind_int64(st, 2, a->time);
    sqlite3_bind_text(st, 3, a->partner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->object, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, a->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a->rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, a->detail, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, a->prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, a->hash, 32, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "writing an audit record");
}

static tl_err sqlite_audit_scan(tl_store *base, const char *partner, int64_t since_us,
                                tl_audit_row_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    const char *sql =
        partner ? "SELECT seq, time, partner, object, action, rule, detail, prev, hash FROM audit"
                  " WHERE partner = ?1 AND time >= ?2 ORDER BY seq"
                : "SELECT seq, time, partner, object, action, rule, detail, prev, hash FROM audit"
                  " WHERE time >= ?2 ORDER BY seq";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "reading the audit trail");
    if (partner) sqlite3_bind_text(st, 1, partner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since_us);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        tl_audit_row a;
        a.seq = sqlite3_column_int64(st, 0);
        a.time = sqlite3_column_int64(st, 1);
        const char **f[] = {&a.partner, &a.object, &a.action, &a.rule, &a.detail};
        for (int i = 0; i < 5; i++) {
            const char *t = (const char *)sqlite3_column_text(st, 2 + i);
            *f[i] = t ? t : "";
        }
        a.prev = blob_n(st, 7, 32);
        a.hash = blob_n(st, 8, 32);
        if (cb(&a, ud)) break;
    }
    int bad = step != SQLITE_ROW && step != SQLITE_DONE;
    sqlite3_finalize(st);
    return bad ? db_fail(s, "reading the audit trail") : TL_OK;
}

static tl_err sqlite_ledger_head(tl_store *base, int64_t *seq, unsigned char hash[32])
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->stmt[S_LEDGER_HEAD];
    *seq = 0;
    memset(hash, 0, 32);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const void *h = sqlite3_column_blob(st, 1);
        if (h && sqlite3_column_bytes(st, 1) == 32) memcpy(hash, h, 32);
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? TL_OK
                                                     : db_fail(s, "reading the ledger head");
}

static tl_err sqlite_ledger_put(tl_store *base, const tl_ledger_row *e)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st = s->stmt[S_LEDGER_PUT];
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_int64(st, 2, e->time);
    sqlite3_bind_text(st, 3, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->party, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->summary, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->payload, (int)e->payload_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e->digest, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, e->prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, e->hash, 32, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "appending to the ledger");
}

/* A blob column of exactly n bytes, else NULL (a damaged row). */
static const unsigned char *blob_n(sqlite3_stmt *st, int col, int n)
{
    return sqlite3_column_bytes(st, col) == n ? sqlite3_column_blob(st, col) : NULL;
}

static tl_err sqlite_ledger_scan(tl_store *base, int64_t from_seq, int with_payload,
                                 tl_ledger_row_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    const char *sql = with_payload ? "SELECT seq, time, kind, party, summary, digest, prev, hash,"
                                     " payload FROM ledger WHERE seq >= ?1 ORDER BY seq"
                                   : "SELECT seq, time, kind, party, summary, digest, prev, hash,"
                                     " NULL FROM ledger WHERE seq >= ?1 ORDER BY seq";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "reading the ledger");
    sqlite3_bind_int64(st, 1, from_seq);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        tl_ledger_row e;
        e.seq = sqlite3_column_int64(st, 0);
        e.time = sqlite3_column_int64(st, 1);
        e.kind = (const char *)sqlite3_column_text(st, 2);
        e.party = (const char *)sqlite3_column_text(st, 3);
        e.summary = (const char *)sqlite3_column_text(st, 4);
        e.digest = blob_n(st, 5, 32);
        e.prev = blob_n(st, 6, 32);
        e.hash = blob_n(st, 7, 32);
        e.payload = with_payload ? (const char *)sqlite3_column_text(st, 8) : NULL;
        e.payload_len = with_payload ? (size_t)sqlite3_column_bytes(st, 8) : 0;
        if (!e.kind) e.kind = "";
        if (!e.party) e.party = "";
        if (!e.summary) e.summary = "";
        if (with_payload && !e.payload) e.payload = "";
        if (cb(&e, ud)) break;
    }
    int bad = step != SQLITE_ROW && step != SQLITE_DONE;
    sqlite3_finalize(st);
    return bad ? db_fail(s, "reading the ledger") : TL_OK;
}

static tl_err sqlite_checkpoint_put(tl_store *base, const tl_checkpoint_row *c)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    tl_err rc = need_txn(s);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO ledger_checkpoints(seq, time, hash, public_key,"
                           " signature) VALUES(?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "preparing a ledger checkpoint");
    sqlite3_bind_int64(st, 1, c->seq);
    sqlite3_bind_int64(st, 2, c->time);
    sqlite3_bind_blob(st, 3, c->hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, c->public_key, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, c->signature, 64, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? TL_OK : db_fail(s, "writing a ledger checkpoint");
}

static tl_err sqlite_checkpoint_scan(tl_store *base, tl_checkpoint_cb cb, void *ud)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT seq, time, hash, public_key, signature FROM ledger_checkpoints"
                           " ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "reading the ledger checkpoints");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        tl_checkpoint_row c = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                               blob_n(st, 2, 32), blob_n(st, 3, 32), blob_n(st, 4, 64)};
        if (cb(&c, ud)) break;
    }
    int bad = step != SQLITE_ROW && step != SQLITE_DONE;
    sqlite3_finalize(st);
    return bad ? db_fail(s, "reading the ledger checkpoints") : TL_OK;
}

static const struct tl_store_ops sqlite_ops = {
    .name = "sqlite",
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .put = sqlite_put,
    .get = sqlite_get,
    .query = sqlite_query,
    .del = sqlite_del,
    .count = sqlite_count,
    .facets = sqlite_facets,
    .term_add = sqlite_term_add,
    .term_remove = sqlite_term_remove,
    .term_list = sqlite_term_list,
    .resolution_put = sqlite_resolution_put,
    .resolution_list = sqlite_resolution_list,
    .claims_put = sqlite_claims_put,
    .claims_scan = sqlite_claims_scan,
    .watch_put = sqlite_watch_put,
    .watch_list = sqlite_watch_list,
    .alert_put = sqlite_alert_put,
    .alert_list = sqlite_alert_list,
    .agreement_put = sqlite_agreement_put,
    .agreement_get = sqlite_agreement_get,
    .agreement_list = sqlite_agreement_list,
    .outbox_find = sqlite_outbox_find,
    .outbox_put = sqlite_outbox_put,
    .outbox_trace = sqlite_outbox_trace,
    .outbox_query = sqlite_outbox_query,
    .partner_put = sqlite_partner_put,
    .partner_get = sqlite_partner_get,
    .status_put = sqlite_status_put,
    .status_get = sqlite_status_get,
    .audit_head = sqlite_audit_head,
    .audit_put = sqlite_audit_put,
    .audit_scan = sqlite_audit_scan,
    .ledger_head = sqlite_ledger_head,
    .ledger_put = sqlite_ledger_put,
    .ledger_scan = sqlite_ledger_scan,
    .checkpoint_put = sqlite_checkpoint_put,
    .checkpoint_scan = sqlite_checkpoint_scan,
    .meta_get = sqlite_meta_get,
    .meta_set = sqlite_meta_set,
    .close = sqlite_close,
};

tl_err tl__store_sqlite_open(const char *path, tl_store **out, char *errmsg, size_t errcap)
{
    *out = NULL;
    struct sqlite_store *s = tl_calloc(1, sizeof *s);
    if (!s) return TL_ENOMEM;
    s->base.ops = &sqlite_ops;
    /*
     * Holdings carry protected provenance: the file (and its WAL, which
     * inherits the mode) is readable by the owner only. Created here only
     * if missing (O_EXCL): closing a descriptor of a database this process
     * already has open would drop every POSIX lock SQLite holds on it, and
     * another process's writes would then corrupt what this one reads.
     */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    int orc = sqlite3_open_v2(
        path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (orc != SQLITE_OK) {
        tl__msg(errmsg, errcap, "store %s: cannot open: %s", path,
                s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(orc));
        sqlite3_close(s->db);
        tl_free(s);
        return orc == SQLITE_NOMEM ? TL_ENOMEM : TL_ESTORE;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 0);
    tl_err rc = exec(s, "PRAGMA journal_mode=WAL;"
                        "PRAGMA synchronous=FULL;"
                        "PRAGMA foreign_keys=ON;"
                        "PRAGMA cache_size=-16384;"
                        "PRAGMA mmap_size=1073741824;"
                        "PRAGMA journal_size_limit=67108864;");
    if (!rc) rc = migrate(s);
    for (int i = 0; !rc && i < S_COUNT_; i++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK)
            rc = db_fail(s, "preparing statements");
    if (rc) {
        tl__msg(errmsg, errcap, "%s (%s)", s->base.errmsg, path);
        sqlite_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return TL_OK;
}
