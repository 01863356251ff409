/* buf.c: a growable byte buffer. */
#include "buf.h"

#include <stdio.h>
#include <string.h>

int tl__buf_reserve(struct tl_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = tl_realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void tl__buf_append(struct tl_buf *b, const void *data, size_t n)
{
    if (tl__buf_reserve(b, n)) return;
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void tl__buf_puts(struct tl_buf *b, const char *s)
{
    tl__buf_append(b, s, strlen(s));
}

void tl__buf_putc(struct tl_buf *b, char c)
{
    if (tl__buf_reserve(b, 1)) return;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void tl__buf_printf(struct tl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        tl__buf_append(b, small, (size_t)n);
        return;
    }
    if (tl__buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tl__buf_reset(struct tl_buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->p) b->p[0] = '\0';
}

int tl__grow(void **v, size_t *n, size_t *cap, size_t size)
{
    if (*n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *g = tl_realloc(*v, nc * size);
    if (!g) return -1;
    *v = g;
    *cap = nc;
    return 0;
}

void tl__buf_free(struct tl_buf *b)
{
    tl_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

char *tl__buf_take(struct tl_buf *b, size_t *len)
{
    if (b->oom) {
        tl__buf_free(b);
        return NULL;
    }
    if (!b->p && tl__buf_reserve(b, 0)) return NULL;
    char *p = b->p;
    if (len) *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void tl__msg(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}
