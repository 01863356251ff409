/* mem.c: allocation wrappers with failure injection for tests. */
#include "tearline/tearline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Failure injection state. Tests only; single-threaded by contract. */
static long fail_countdown = -1;

static int should_fail(void)
{
    if (fail_countdown < 0) return 0;
    if (fail_countdown == 0) return 1;
    fail_countdown--;
    return 0;
}

void *tl_malloc(size_t n)
{
    if (should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *tl_calloc(size_t count, size_t size)
{
    if (should_fail()) return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *tl_realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

void tl_free(void *p)
{
    free(p);
}

char *tl_strndup(const char *s, size_t n)
{
    if (!s) return NULL;
    char *d = tl_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *tl_strdup(const char *s)
{
    return s ? tl_strndup(s, strlen(s)) : NULL;
}

static void *json_alloc(size_t n)
{
    return tl_malloc(n);
}

void tl_mem_fail_after(long n)
{
    fail_countdown = n;
    json_set_alloc_funcs(json_alloc, tl_free);
}
