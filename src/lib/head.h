/*
 * head.h: signed head files, the latest signed (seq, hash) of a chain kept
 * in the node home beside the store (ledger.head, audit.head), so that a
 * store whose end was cut off, or whose chain was rewritten, shows against
 * them (internal).
 *
 * The file is one line: "<name> 1 SEQ HASH TIME KEY SIGNATURE\n" (hash, key
 * and signature in hex); the signature is Ed25519 over tag (the chain's
 * signing tag, 1 to 32 bytes), SEQ and TIME as 8 big-endian bytes each
 * around the 32-byte hash: tag || seq || hash || time.
 */
#ifndef TL_HEAD_H
#define TL_HEAD_H

#include "tearline/node.h"

#include <stdint.h>

typedef struct tl__head {
    int64_t seq, time;
    unsigned char hash[32], key[32], sig[64];
} tl__head;

#define TL_HEAD_MSG_MAX (32 + 8 + 32 + 8)

/* The bytes a head signs; returns their length. */
size_t tl__head_msg(const char *tag, int64_t seq, const unsigned char hash[32], int64_t time,
                    unsigned char msg[TL_HEAD_MSG_MAX]);

/* Signs h's seq, hash and time (under tag) with the node's current key: fills h->key and h->sig. */
tl_err tl__head_sign(tl_node *n, const char *tag, tl__head *h);

/* Writes h as home/file (atomically, 0600) under the line's name. */
tl_err tl__head_write(tl_node *n, const char *file, const char *name, const tl__head *h);

/*
 * Reads home/file: 1 with *h filled in, its signature verified against tag
 * by a key this node holds (current or retired); 0 if there is none; -1 if
 * it cannot be trusted, with why saying so ("FILE is malformed", "FILE: its
 * signature does not verify with a key of this node").
 */
int tl__head_read(tl_node *n, const char *file, const char *name, const char *tag, tl__head *h,
                  char *why, size_t cap);

#endif
