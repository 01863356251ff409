/*
 * ledger_tools.c: in-process measurements for bench/ledger.
 *
 *   ledger_tools append HOME N BATCH
 *       appends N "received" entries (payloads of about 300 bytes) to the
 *       ledger of the node at HOME, BATCH per transaction, as pulls would.
 *       Prints entries and seconds.
 *   ledger_tools verify HOME
 *       tearline ledger verify, timed. Prints entries, checkpoints, seconds.
 *   ledger_tools blake HOME
 *       reads every entry into memory, then hashes the same bytes verify
 *       hashes (each payload, then each entry's fields) with BLAKE2b-256 in
 *       a plain loop: the floor of verification. Prints entries, bytes and
 *       seconds of the loop alone.
 */
#include "ledger_int.h"
#include "node_int.h"

#include "tearline/ledger.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static tl_node *open_node(const char *home)
{
    char msg[1024];
    tl_node *n = NULL;
    if (tl_node_open(home, &n, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        exit(2);
    }
    return n;
}

struct copy {
    unsigned char *buf;
    size_t len, cap, n;
};

/* Keeps, per entry, the bytes verify hashes: the payload and the entry's fields. */
static int keep(const tl_ledger_row *e, void *ud)
{
    struct copy *c = ud;
    size_t need = e->payload_len + strlen(e->kind) + strlen(e->party) + strlen(e->summary) + 128;
    if (c->len + need + 16 > c->cap) {
        c->cap = (c->len + need + 16) * 2;
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf) exit(3);
    }
    unsigned char *p = c->buf + c->len;
    size_t plen = e->payload_len, hlen = need - e->payload_len;
    memcpy(p, &plen, sizeof plen);
    memcpy(p + sizeof plen, &hlen, sizeof hlen);
    memcpy(p + 16, e->payload, plen);
    /* the entry's fields, about as many bytes as the hash input */
    unsigned char *h = p + 16 + plen;
    memset(h, 0, hlen);
    snprintf((char *)h, hlen, "%lld%lld%s%s%s", (long long)e->seq, (long long)e->time, e->kind,
             e->party, e->summary);
    c->len += 16 + plen + hlen;
    c->n++;
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc == 5 && !strcmp(argv[1], "append")) {
        tl_node *n = open_node(argv[2]);
        long total = atol(argv[3]), batch = atol(argv[4]);
        char payload[400];
        double t0 = now();
        for (long done = 0; done < total;) {
            if (tl_store_begin(n->store)) return 4;
            for (long k = 0; k < batch && done < total; k++, done++) {
                int len =
                    snprintf(payload, sizeof payload,
                             "{\"held\":0,\"new\":3,\"objects\":[[\"indicator--%08lx-1111-4111-"
                             "8111-111111111111\",\"2026-11-27T12:00:00.000000000\"],"
                             "[\"report--%08lx-2222-4222-8222-222222222222\",\"2026-11-27T12"
                             ":00:00.000000000\"],[\"identity--%08lx-3333-4333-8333-333333333"
                             "333\",\"2026-11-27T12:00:00.000000000\"]]}",
                             done, done, done);
                if (tl__ledger_append(n, TL_LEDGER_RECEIVED, "rus",
                                      "received 3 objects from rus (3 new)", payload, (size_t)len,
                                      NULL)) {
                    fprintf(stderr, "%s\n", tl_node_errmsg(n));
                    return 4;
                }
            }
            if (tl_store_commit(n->store)) return 4;
        }
        double dt = now() - t0;
        if (tl_node_ledger_checkpoint(n)) return 4;
        printf("%ld %.6f\n", total, dt);
        tl_node_close(n);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "verify")) {
        tl_node *n = open_node(argv[2]);
        tl_ledger_report rep;
        double t0 = now();
        tl_err rc = tl_node_ledger_verify(n, &rep);
        double dt = now() - t0;
        if (rc) {
            fprintf(stderr, "%s\n", tl_node_errmsg(n));
            return 4;
        }
        printf("%lld %lld %.6f\n", (long long)rep.entries, (long long)rep.checkpoints, dt);
        tl_node_close(n);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "blake")) {
        tl_node *n = open_node(argv[2]);
        struct copy c = {NULL, 0, 0, 0};
        if (tl_store_ledger_scan(n->store, 1, 1, keep, &c)) return 4;
        unsigned char d[32], h[32];
        size_t bytes = 0;
        double t0 = now();
        for (size_t at = 0; at < c.len;) {
            size_t plen, hlen;
            memcpy(&plen, c.buf + at, sizeof plen);
            memcpy(&hlen, c.buf + at + sizeof plen, sizeof hlen);
            crypto_generichash(d, 32, c.buf + at + 16, plen, NULL, 0);
            memcpy(c.buf + at + 16 + plen + hlen - 32, d,
                   32); /* the digest goes in, as in verify */
            crypto_generichash(h, 32, c.buf + at + 16 + plen, hlen, NULL, 0);
            bytes += plen + hlen;
            at += 16 + plen + hlen;
        }
        double dt = now() - t0;
        printf("%zu %zu %.6f %02x\n", c.n, bytes, dt, h[0]);
        free(c.buf);
        tl_node_close(n);
        return 0;
    }
    fprintf(stderr, "usage: ledger_tools append HOME N BATCH | verify HOME | blake HOME\n");
    return 2;
}
