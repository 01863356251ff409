/* buf.h: a growable byte buffer (internal). */
#ifndef TL_BUF_H
#define TL_BUF_H

#include "tearline/tearline.h"

#include <stdarg.h>
#include <stddef.h>

/*
 * A byte buffer that stays NUL-terminated. Appends after an allocation
 * failure are no-ops and leave oom set, so callers check once at the end.
 */
struct tl_buf {
    char *p;
    size_t len;
    size_t cap;
    int oom;
};

#define TL_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

int tl__buf_reserve(struct tl_buf *b, size_t extra);
void tl__buf_append(struct tl_buf *b, const void *data, size_t n);
void tl__buf_puts(struct tl_buf *b, const char *s);
void tl__buf_putc(struct tl_buf *b, char c);
void tl__buf_printf(struct tl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tl__buf_reset(struct tl_buf *b);
/* Frees the storage and resets b to TL_BUF_INIT. */
void tl__buf_free(struct tl_buf *b);

/*
 * Makes room for one more element in the array *v of *n elements of size
 * bytes with capacity *cap, doubling it (64 at first). 0, or -1 out of
 * memory (the array unchanged).
 */
int tl__grow(void **v, size_t *n, size_t *cap, size_t size);
/* Hands the storage to the caller (free with tl_free); b is reset. */
char *tl__buf_take(struct tl_buf *b, size_t *len);

/* Formats into a fixed message buffer (the errmsg of a handle). */
void tl__msg(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
