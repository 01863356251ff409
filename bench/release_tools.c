/*
 * release_tools.c: in-process measurements for bench/release.
 *
 *   release_tools sign FILE.jsonl
 *       signs every line (canonical objects) with Ed25519, as libsodium alone
 *       would: the floor of the release compiler's cost. Prints objects/s.
 *   release_tools scan TERMS.txt TEXT.txt
 *       loads the terms into the redaction matcher and redacts the text line
 *       by line. Prints MB/s and the number of lines with a match.
 */
#include "redact.h"

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
    fprintf(stderr, "usage: release_tools sign FILE.jsonl | scan TERMS TEXT\n");
    return 2;
}
