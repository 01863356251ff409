/*
 * pgtest.h: a fresh PostgreSQL database per test, on the throwaway cluster
 * that CTest's pg fixture starts (scripts/pg-cluster; its admin URL is in
 * the file $TL_PG_URL_FILE).
 */
#ifndef TL_PGTEST_H
#define TL_PGTEST_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The cluster's admin URL into admin[cap]: 1 if there is one, 0 if this run
 * has no cluster (TL_PG_URL_FILE unset); -1 if it should have one and does not.
 */
static inline int tu_pg_admin(char *admin, size_t cap)
{
    const char *file = getenv("TL_PG_URL_FILE");
    if (!file || !*file) return 0;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "no PostgreSQL cluster: %s is missing (did the pg fixture start?)\n", file);
        return -1;
    }
    int ok = fgets(admin, (int)cap, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    admin[strcspn(admin, "\r\n")] = '\0';
    return 1;
}

static inline int tu_pg_exec(const char *admin, const char *sql)
{
    PGconn *c = PQconnectdb(admin);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    } else {
        fprintf(stderr, "%s", PQerrorMessage(c));
    }
    PQfinish(c);
    return ok;
}

/* Creates an empty database; its URL into url[cap]. 0 on success. */
static inline int tu_pg_create(char *url, size_t cap)
{
    static unsigned n;
    char admin[400], sql[200], name[64];
    if (tu_pg_admin(admin, sizeof admin) != 1) return -1;
    snprintf(name, sizeof name, "tl_unit_%ld_%u", (long)getpid(), n++);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (!tu_pg_exec(admin, sql)) return -1;
    char *slash = strrchr(admin, '/');
    if (!slash) return -1;
    *slash = '\0';
    snprintf(url, cap, "%s/%s", admin, name);
    return 0;
}

/* Drops the database url names (every connection to it closed first). */
static inline void tu_pg_drop(const char *url)
{
    char admin[400], sql[200];
    const char *name = strrchr(url, '/');
    if (!name || tu_pg_admin(admin, sizeof admin) != 1) return;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name + 1);
    tu_pg_exec(admin, sql);
}

#endif
