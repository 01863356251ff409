/* ledger_int.h: appending to the ledger from the modules that act (internal). */
#ifndef TL_LEDGER_INT_H
#define TL_LEDGER_INT_H

#include "tearline/ledger.h"

#include <sodium.h>

/*
 * Appends one entry inside the caller's open transaction, so the entry
 * commits or rolls back with what it records; every
 * TL_LEDGER_CHECKPOINT_EVERY entries a signed checkpoint too. payload is
 * JSON (len bytes); party may be NULL. *seq (may be NULL) receives its
 * number. Errors carry the reason on n.
 */
tl_err tl__ledger_append(tl_node *n, const char *kind, const char *party, const char *summary,
                         const char *payload, size_t len, int64_t *seq);

/* As tl__ledger_append, with the entry's time given (tests of periods). */
tl_err tl__ledger_append_at(tl_node *n, int64_t time, const char *kind, const char *party,
                            const char *summary, const char *payload, size_t len, int64_t *seq);

/*
 * This node's account of its ledger for partner, to be sent: its head, and
 * the count and set digest of what it released to, received from and
 * acknowledged for partner (a TL_WITNESS_TYPE object), signed with the key
 * this node signs with toward partner, as canonical text (*text OUT).
 */
tl_err tl__ledger_witness_signed(tl_node *n, const char *partner, char **text, size_t *len);

/* Chained hashes' encoding: v as 8 big-endian bytes; s as a 4-byte big-endian length and s. */
void tl__put_be64(unsigned char *p, uint64_t v);
void tl__hash_str(crypto_generichash_state *h, const char *s);

/* An entry's hash (ledger.c documents the encoding). */
void tl__ledger_entry_hash(int64_t seq, int64_t time, const char *kind, const char *party,
                           const char *summary, const unsigned char digest[32],
                           const unsigned char prev[32], unsigned char out[32]);

#endif
