/* testutil.h: helpers for the cmocka unit tests. */
#ifndef TL_TESTUTIL_H
#define TL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file; NULL on failure. Free with free(). */
static inline char *tu_slurp(const char *path, size_t *len)
{
    if (len) *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        if (len) *len = (size_t)n;
    }
    return b;
}

/* Path under $TL_SHARED (../shared). */
static inline const char *tu_shared(const char *rel, char *buf, size_t cap)
{
    const char *root = getenv("TL_SHARED");
    if (root)
        snprintf(buf, cap, "%s/%s", root, rel);
    else
        snprintf(buf, cap, "%s/../shared/%s", TL_SOURCE_DIR, rel);
    return buf;
}

/* A fresh temporary directory; free with free(). */
static inline char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/tl-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static inline void tu_rmrf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Writes text to path. */
static inline void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

#endif
