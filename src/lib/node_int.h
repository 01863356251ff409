/* node_int.h: the node handle, shared by node.c and ingest.c (internal). */
#ifndef TL_NODE_INT_H
#define TL_NODE_INT_H

#include "tearline/node.h"

#include "store.h"

struct tl_node {
    char *home;
    char *code;
    char *title;
    char *identity;
    unsigned char pk[32];
    tl_store *store;
    char *store_url; /* the URL the store was opened at, a relative SQLite path resolved */
    tl_reader_limits limits;
    char errmsg[1024];
};

/* Sets n->errmsg. */
void tl__node_err(tl_node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes data to path atomically (temp file, fsync, rename) with the given mode. */
tl_err tl__write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                             char *errmsg, size_t errcap);

/*
 * Signs msg with the node's Ed25519 key (read from identity.key, wiped
 * after use). TL_EIO, TL_ECRYPTO (the key does not match the node's public
 * key), with the reason on n.
 */
tl_err tl__node_sign(tl_node *n, const void *msg, size_t len, unsigned char sig[64]);

/*
 * Ingests objects already parsed (received ones, checked), as tl_node_ingest
 * does a file, in one transaction; name appears in messages. opts->mem and
 * the reader limits do not apply.
 */
tl_err tl__node_ingest_parsed(tl_node *n, json_t *const *objs, size_t count, const char *name,
                              const tl_ingest_opts *opts, tl_ingest_stats *stats);
/* The node's Ed25519 secret key (libsodium's 64-byte form), for many signatures; wipe it after. */
tl_err tl__node_signing_key(tl_node *n, unsigned char sk[64]);

/*
 * The node's release secret (release.key, 32 random bytes, mode 0600,
 * created on first use): the key of per-partner ids and pseudonyms.
 */
tl_err tl__node_release_secret(tl_node *n, unsigned char key[32]);

/* Reads a whole file of at most cap bytes; *out (OUT) freed with tl_free. */
tl_err tl__read_file(const char *path, size_t cap, char **out, size_t *len, char *errmsg,
                     size_t errcap);

/* Sets node metadata key (a checkpoint) in a transaction of its own; the reason on n. */
tl_err tl__node_meta_set(tl_node *n, const char *key, const char *value);

/* A random RFC 4122 version 4 UUID in text form. */
void tl__uuid4(char out[37]);
/* The text form of 16 bytes (a keyed hash, say) made a version 4 UUID (b's bits are set). */
void tl__uuid_format(unsigned char b[16], char out[37]);

#endif
