/*
 * record.h: a stored object version and the filter that selects them.
 * Shared by the node API and the store backends.
 */
#ifndef TEARLINE_RECORD_H
#define TEARLINE_RECORD_H

#include "tearline/tearline.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One stored version of an object. Strings are valid only during the callback. */
typedef struct tl_record {
    int64_t seq;      /* store order; strictly increasing with date_added */
    int64_t added_us; /* date_added, microseconds since the epoch */
    const char *id;
    const char *type;
    const char *version; /* version key (see tl_stix_info.version) */
    const char *origin;  /* "" for our own holdings, else the partner's code */
    int revoked;
    int latest;       /* this is the newest stored version of id */
    const char *json; /* RFC 8785 canonical form */
    size_t json_len;
} tl_record;

/* Return 0 to go on, nonzero to stop the iteration (which then succeeds). */
typedef int (*tl_record_cb)(const tl_record *rec, void *ud);

typedef enum tl_versions {
    TL_VERSIONS_LATEST = 0, /* newest version of each object */
    TL_VERSIONS_ALL,
    TL_VERSIONS_FIRST, /* oldest version of each object */
} tl_versions;

#define TL_FILTER_MAX_TYPES 32

typedef struct tl_filter {
    const char *types[TL_FILTER_MAX_TYPES]; /* OR; ntypes == 0: any type */
    size_t ntypes;
    const char *id;            /* NULL: any */
    const char *label;         /* NULL: any */
    const char *origin;        /* NULL: any; "" our own */
    int64_t added_after_us;    /* date_added strictly after; < 0: no bound */
    const char *modified_from; /* version key bounds, inclusive; NULL: none */
    const char *modified_to;
    tl_versions versions;
    size_t limit; /* 0: no limit */
    int no_json;  /* records carry json NULL: ids and metadata only, cheaper */
} tl_filter;

/* A filter that selects every latest version. */
#define TL_FILTER_INIT                                                                             \
    {                                                                                              \
        {0}, 0, NULL, NULL, NULL, -1, NULL, NULL, TL_VERSIONS_LATEST, 0, 0                         \
    }

/* Holdings counted by (type, origin). */
typedef struct tl_count {
    const char *type;
    const char *origin; /* "" for our own */
    int64_t versions;   /* stored versions */
    int64_t objects;    /* distinct ids */
} tl_count;

typedef int (*tl_count_cb)(const tl_count *c, void *ud);

/* One protected term of the lexicon. */
typedef int (*tl_term_cb)(const char *term, const char *kind, int64_t added_us, void *ud);

/* Room for a paging cursor, with its NUL. */
#define TL_CURSOR_MAX 48

#ifdef __cplusplus
}
#endif
#endif
