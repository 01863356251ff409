/*
 * node.h: a tearline node: its home directory, identity and holdings.
 *
 * A node home holds node.conf (settings), identity.key (the Ed25519 key
 * pair, mode 0600) and the store. A tl_node is used by one thread at a time;
 * open one per thread.
 */
#ifndef TEARLINE_NODE_H
#define TEARLINE_NODE_H

#include "tearline/reader.h"
#include "tearline/record.h"
#include "tearline/tearline.h"

#include <signal.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_node tl_node;

/*
 * Creates a node at home (made 0700 if missing): an Ed25519 identity key
 * pair, its STIX identity object in the holdings, and the store.
 * code: the node's party code ([a-z][a-z0-9-]{1,31}); title: its display
 * name (NULL: the code). *out (OUT) is closed with tl_node_close(). Errors:
 * TL_EEXIST (a node is already there), TL_EINVAL (bad code), TL_EIO,
 * TL_ESTORE, TL_ENOMEM; the reason goes to errmsg[0..errcap).
 */
TL_API tl_err tl_node_init(const char *home, const char *code, const char *title, tl_node **out,
                           char *errmsg, size_t errcap);

/*
 * As tl_node_init(), with the node's store at store_url (NULL: an SQLite
 * file in home): "sqlite:PATH" (relative to home) or a PostgreSQL URI,
 * "postgresql://[user[:password]@]host[:port]/database[?param=value...]",
 * written to node.conf (mode 0600). A store that already holds a node is
 * TL_EEXIST: one database serves one node.
 */
TL_API tl_err tl_node_init_store(const char *home, const char *code, const char *title,
                                 const char *store_url, tl_node **out, char *errmsg, size_t errcap);

/* Opens the node at home. TL_ENODE if there is none; otherwise as tl_node_init(). */
TL_API tl_err tl_node_open(const char *home, tl_node **out, char *errmsg, size_t errcap);

/* Closes the node. Accepts NULL. */
TL_API void tl_node_close(tl_node *n);

/* The message of the last failure on n; "" if none. */
TL_API const char *tl_node_errmsg(const tl_node *n);

/* The node's party code, title and STIX identity id. Owned by n. */
TL_API const char *tl_node_code(const tl_node *n);
TL_API const char *tl_node_title(const tl_node *n);
TL_API const char *tl_node_identity(const tl_node *n);

/* The node's Ed25519 public key. */
TL_API void tl_node_public_key(const tl_node *n, unsigned char pk[32]);

/*
 * Key rotation: a new Ed25519 key becomes the node's, and the current one is
 * retired (kept in retired.keys). A retired key still signs toward a partner
 * while the agreement in force names it; the next version the node signs
 * names the new key and carries an endorsement by the retired one, which is
 * how a partner that pinned the old key comes to trust the new (see
 * docs/agreements.md). old_pk, new_pk (OUT, may be NULL). TL_EIO, TL_ECRYPTO,
 * TL_ELIMIT, TL_ESTORE, with the reason on n.
 */
TL_API tl_err tl_node_key_rotate(tl_node *n, unsigned char old_pk[32], unsigned char new_pk[32]);

/* Called with each key the node holds: the current one first, then the retired, newest first. */
typedef int (*tl_key_cb)(const unsigned char pk[32], int current, void *ud);
TL_API tl_err tl_node_key_list(tl_node *n, tl_key_cb cb, void *ud);

typedef struct tl_ingest_opts {
    int skip_invalid;        /* store the valid objects; report each rejected one */
    const char *origin;      /* NULL or "": our own holdings; else the partner's code */
    tl_reader_limits limits; /* zero fields: the node's configured limits */
    /* Called now and then with running totals; may be NULL. */
    void (*progress)(void *ud, uint64_t objects, uint64_t bytes);
    /* Called for each rejected object with its message; may be NULL. */
    void (*rejected)(void *ud, const char *msg);
    void *ud;
    /* Set nonzero (from a signal handler) to abandon the ingest; may be NULL. */
    volatile sig_atomic_t *cancel;
    /* Reads mem[0..mem_len) (named mem_name in messages) instead of the paths. */
    const char *mem;
    size_t mem_len;
    const char *mem_name;
    /* Sets node metadata meta_key to meta_value in the same transaction (a checkpoint). */
    const char *meta_key;
    const char *meta_value;
} tl_ingest_opts;

typedef struct tl_ingest_stats {
    uint64_t objects;    /* read */
    uint64_t stored;     /* new versions stored */
    uint64_t duplicates; /* versions already stored, identical */
    uint64_t rejected;   /* invalid (only with skip_invalid) */
    uint64_t bytes;      /* input bytes read */
} tl_ingest_stats;

/*
 * Ingests every object of the files in paths ("-": standard input) in one
 * transaction: on any error nothing is stored, unless opts->skip_invalid,
 * which stores the valid objects and reports each invalid one. The message
 * (tl_node_errmsg) names the file, line:column, object, property and what
 * was expected. Errors: TL_EJSON, TL_ESTIX, TL_ECONFLICT (a version stored
 * with other content, a changed `created`, an unrevoked version after a
 * revocation), TL_ELIMIT, TL_EIO, TL_ESTORE, TL_EINTERRUPTED, TL_ENOMEM.
 * stats (OUT, may be NULL) is filled on success and failure alike.
 */
TL_API tl_err tl_node_ingest(tl_node *n, const char *const *paths, size_t npaths,
                             const tl_ingest_opts *opts, tl_ingest_stats *stats);

/*
 * Looks up id: the latest version, or the one whose modified (or created)
 * instant is version, given as any RFC 3339 timestamp. cb sees the record.
 * TL_ENOTFOUND if absent; TL_EINVAL for a malformed id or version.
 */
TL_API tl_err tl_node_get(tl_node *n, const char *id, const char *version, tl_record_cb cb,
                          void *ud);

/* Lists holdings; see tl_store_query in the store interface for paging. */
TL_API tl_err tl_node_query(tl_node *n, const tl_filter *f, const char *cursor, tl_record_cb cb,
                            void *ud, char next[TL_CURSOR_MAX]);

/*
 * The lexicon of protected terms. Terms match regardless of case and
 * Unicode normalization form, so adding "STATION alpha" after "Station
 * Alpha" is TL_EEXIST. kind: source, station, platform, operation, person,
 * other (NULL: other).
 */
TL_API tl_err tl_node_protect_add(tl_node *n, const char *term, const char *kind);
TL_API tl_err tl_node_protect_remove(tl_node *n, const char *term);
TL_API tl_err tl_node_protect_list(tl_node *n, tl_term_cb cb, void *ud);

/* Counts of holdings by (type, origin). */
TL_API tl_err tl_node_stats(tl_node *n, tl_count_cb cb, void *ud);

/*
 * Parses a user-supplied RFC 3339 timestamp into a version key (for
 * tl_filter.modified_from/to) and microseconds. Returns 0 or -1.
 */
TL_API int tl_timestamp_parse(const char *s, char key[64], int64_t *us);

/* The current time, microseconds since the epoch. */
TL_API int64_t tl_now_us(void);

/* Formats microseconds since the epoch as YYYY-MM-DDTHH:MM:SS.ssssssZ. */
TL_API void tl_timestamp_format(int64_t us, char out[32]);

#ifdef __cplusplus
}
#endif
#endif
