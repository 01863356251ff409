/*
 * tearline.h: error codes, memory hooks and version of libtearline.
 *
 * Every fallible function in libtearline returns a tl_err: TL_OK (0) on
 * success, one of the codes below otherwise. Results come back through
 * parameters marked OUT. The detailed message of the last failure lives on
 * the handle that failed (tl_node_errmsg(), tl_reader_errmsg(), ...).
 *
 * Thread safety: functions in this header are thread-safe, except
 * tl_mem_fail_after(), which is for tests only.
 */
#ifndef TEARLINE_TEARLINE_H
#define TEARLINE_TEARLINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TL_BUILDING_LIB)
#define TL_API __attribute__((visibility("default")))
#else
#define TL_API
#endif

#define TL_VERSION "0.1.0"

/*
 * The error table. The stable names ("ENOMEM", "EJSON", ...) are what JSON
 * error responses carry in their "error" field; never renumber or rename.
 */
#define TL_ERRNO_MAP(X)                                                                            \
    X(OK, "success")                                                                               \
    X(ENOMEM, "out of memory")                                                                     \
    X(EINVAL, "invalid argument")                                                                  \
    X(EUSAGE, "bad usage")                                                                         \
    X(EIO, "input/output error")                                                                   \
    X(EJSON, "malformed JSON")                                                                     \
    X(ESTIX, "invalid STIX object")                                                                \
    X(ELIMIT, "size limit exceeded")                                                               \
    X(ENOTFOUND, "not found")                                                                      \
    X(EEXIST, "already exists")                                                                    \
    X(ECONFLICT, "conflicts with what is stored")                                                  \
    X(ESTORE, "store failure")                                                                     \
    X(ECRYPTO, "cryptographic failure")                                                            \
    X(ENODE, "no usable node home")                                                                \
    X(EINTERRUPTED, "interrupted")                                                                 \
    X(EAUTH, "authentication failed")

typedef enum tl_err {
#define TL_ERR_ENUM(name, text) TL_##name,
    TL_ERRNO_MAP(TL_ERR_ENUM)
#undef TL_ERR_ENUM
        TL_ERR_COUNT
} tl_err;

/* A static, human-readable description of err. Never NULL. */
TL_API const char *tl_strerror(tl_err err);

/* The stable name of err without the TL_ prefix ("ENOMEM"). Never NULL. */
TL_API const char *tl_err_name(tl_err err);

/* The library version string, TL_VERSION at build time. */
TL_API const char *tl_version(void);

/*
 * All of libtearline's allocations go through these. tl_malloc() and
 * tl_realloc() return NULL on failure (never abort); tl_free(NULL) is a no-op.
 */
TL_API void *tl_malloc(size_t n);
TL_API void *tl_calloc(size_t count, size_t size);
TL_API void *tl_realloc(void *p, size_t n);
TL_API void tl_free(void *p);
/* Copy of s (NULL if s is NULL or on failure); free with tl_free(). */
TL_API char *tl_strdup(const char *s);
TL_API char *tl_strndup(const char *s, size_t n);

/*
 * Test hook: make the n-th allocation from now on (and every one after it)
 * fail; n < 0 turns failure injection off. Not thread-safe. Also routes
 * jansson's allocations through tl_malloc so JSON work fails the same way.
 */
TL_API void tl_mem_fail_after(long n);

#ifdef __cplusplus
}
#endif
#endif
