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
    tl_reader_limits limits;
    char errmsg[1024];
};

/* Sets n->errmsg. */
void tl__node_err(tl_node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes data to path atomically (temp file, fsync, rename) with the given mode. */
tl_err tl__write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                             char *errmsg, size_t errcap);

/* A random RFC 4122 version 4 UUID in text form. */
void tl__uuid4(char out[37]);

#endif
