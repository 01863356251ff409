/*
 * release_tools.c: in-process measurements for bench/release.
 *
 *   release_tools sign FILE.jsonl
 *       signs every line (canonical objects) with Ed25519, as libsodium alone
 *       would: the floor of the release compiler's cost. Prints objects/s.
 *   release_tools scan TERMS.txt TEXT.txt
 *       loads the terms into the redaction matcher and redacts the text line
 *       by line. Prints MB/s and the number of lines with a match.
 *   release_tools outbox HOME PARTNER N
 *       writes N signed indicators of about 1 KB into the outbox of HOME for
 *       PARTNER, as releases would (bench/taxii serves and pulls them).
 *   release_tools verify FILE.jsonl
 *       checks the tearline signature of every line (objects as served) with
 *       libsodium alone, the messages prepared beforehand: the floor of a pull.
 *       Prints objects and seconds.
 */
#include "node_int.h"
#include "redact.h"
#include "sig.h"
#include "ts.h"

#include "tearline/json.h"
#include "tearline/release.h"

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

static char **read_lines(const char *path, size_t *n, size_t *bytes)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    *n = *bytes = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (*n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[(*n)++] = strndup(line, (size_t)len);
        *bytes += (size_t)len;
    }
    free(line);
    fclose(f);
    return lines;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "sign")) {
        if (sodium_init() < 0) return 1;
        size_t n, bytes;
        char **lines = read_lines(argv[2], &n, &bytes);
        unsigned char pk[32], sk[64], sig[64];
        crypto_sign_keypair(pk, sk);
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            crypto_sign_detached(sig, NULL, (const unsigned char *)lines[i], strlen(lines[i]), sk);
        double dt = now() - t0;
        printf("%zu %.6f\n", n, dt);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "scan")) {
        size_t nt, tb, nl, bytes;
        char **terms = read_lines(argv[2], &nt, &tb);
        char **text = read_lines(argv[3], &nl, &bytes);
        struct tl_lexicon *lx = tl__lexicon_new();
        for (size_t i = 0; i < nt; i++)
            tl__lexicon_add(lx, terms[i]);
        struct tl_buf out = TL_BUF_INIT;
        size_t matched = 0, hits;
        /* the first call builds the automaton; time the scan itself after it */
        tl__lexicon_redact(lx, "x", 1, &out, &hits);
        double t0 = now();
        for (size_t i = 0; i < nl; i++) {
            tl__buf_reset(&out);
            if (tl__lexicon_redact(lx, text[i], strlen(text[i]), &out, &hits) == TL_OK && hits)
                matched++;
        }
        double dt = now() - t0;
        printf("%zu %.6f %zu\n", bytes, dt, matched);
        tl__buf_free(&out);
        tl__lexicon_free(lx);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "outbox")) {
        char msg[512];
        tl_node *n = NULL;
        if (tl_node_open(argv[2], &n, msg, sizeof msg)) {
            fprintf(stderr, "%s\n", msg);
            return 1;
        }
        unsigned char sk[64];
        if (tl__node_signing_key(n, sk)) return 1;
        long count = atol(argv[4]);
        static const char *const words[] = {"border",  "convoy", "courier", "valley", "network",
                                            "meeting", "cache",  "route",   "camp",   "training"};
        char desc[900];
        if (tl_store_begin(n->store)) return 1;
        uint64_t rng = 88172645463325252ull;
        for (long i = 0; i < count; i++) {
            size_t len = 0;
            desc[0] = '\0';
            while (len < 800) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                len += (size_t)snprintf(desc + len, sizeof desc - len, "%s ", words[rng % 10]);
            }
            char id[80], ts[32], pattern[80];
            snprintf(id, sizeof id, "indicator--%08lx-0000-4000-8000-%012lx", (unsigned long)i,
                     (unsigned long)(rng & 0xffffffffffffUL));
            tl__ts_format_ms(1700000000000000LL + i * 1000LL, ts);
            snprintf(pattern, sizeof pattern, "[ipv4-addr:value = '10.%ld.%ld.%ld']",
                     (i >> 16) & 255, (i >> 8) & 255, i & 255);
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "indicator",
                          "spec_version", "2.1", "id", id, "created", ts, "modified", ts, "name",
                          "Generated indicator", "description", desc, "pattern", pattern,
                          "pattern_type", "stix", "valid_from", ts);
            char *text = NULL;
            size_t tlen = 0;
            char key[TL_TS_KEYMAX];
            tl__ts_parse(ts, strlen(ts), NULL, NULL, key);
            if (!o || tl__sig_add(o, sk, tl_node_identity(n)) || tl_json_canonical(o, &text, &tlen))
                return 1;
            tl_outbox_obj ob = {argv[3], id, key, id, text, tlen};
            if (tl_store_outbox_put(n->store, &ob)) {
                fprintf(stderr, "%s\n", tl_store_errmsg(n->store));
                return 1;
            }
            tl_free(text);
            json_decref(o);
        }
        if (tl_store_commit(n->store)) return 1;
        tl_node_close(n);
        printf("%ld\n", count);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "verify")) {
        if (sodium_init() < 0) return 1;
        size_t n, bytes;
        char **lines = read_lines(argv[2], &n, &bytes);
        unsigned char(*sigs)[64] = malloc(n * sizeof *sigs), pk[32];
        char **msgs = malloc(n * sizeof *msgs);
        size_t *lens = malloc(n * sizeof *lens);
        for (size_t i = 0; i < n; i++) { /* the messages, prepared beforehand */
            json_t *o = NULL;
            char m[128];
            if (tl_json_parse(lines[i], strlen(lines[i]), &o, m, sizeof m)) return 1;
            json_t *exts = json_object_get(o, "extensions");
            const json_t *sig = json_object_get(exts, TL_SIG_EXT_ID);
            sodium_hex2bin(sigs[i], 64, json_string_value(json_object_get(sig, "signature")), 128,
                           NULL, NULL, NULL);
            sodium_hex2bin(pk, 32, json_string_value(json_object_get(sig, "public_key")), 64, NULL,
                           NULL, NULL);
            json_object_del(exts, TL_SIG_EXT_ID);
            if (json_object_size(exts) == 0) json_object_del(o, "extensions");
            if (tl_json_canonical(o, &msgs[i], &lens[i])) return 1;
            json_decref(o);
        }
        double t0 = now();
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            bad += crypto_sign_verify_detached(sigs[i], (const unsigned char *)msgs[i], lens[i],
                                               pk) != 0;
        double dt = now() - t0;
        printf("%zu %.6f %zu\n", n, dt, bad);
        return 0;
    }
    fprintf(stderr, "usage: release_tools sign FILE.jsonl | scan TERMS TEXT | outbox HOME PARTNER N"
                    " | verify FILE.jsonl\n");
    return 2;
}
