/*
 * seal.h: sealed files, for partners across an air gap.
 *
 * A sealed file carries what was released to one partner: the objects as
 * published (each with its own signature), wrapped in a document naming
 * sender and recipient, signed as a whole with the sender's Ed25519 key and
 * then encrypted to the recipient (libsodium sealed box to the X25519 form of
 * its Ed25519 key in the agreement in force). Only the recipient can open
 * it; a changed, truncated or misaddressed file is refused whole.
 */
#ifndef TEARLINE_SEAL_H
#define TEARLINE_SEAL_H

#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sealed files larger than this are refused. */
#define TL_SEAL_MAX_BYTES ((size_t)1 << 30)

/*
 * Releases to partner (publishing to its outbox, as tearline release does),
 * then writes to path, atomically and mode 0600, every version published to
 * partner since the last sealed file (all of them with all_versions).
 * *objects (OUT, may be NULL) counts them. Errors as tl_node_release, and
 * TL_ENOTFOUND (no agreement in force), TL_EIO.
 */
TL_API tl_err tl_node_seal(tl_node *n, const char *partner, const char *path, int all_versions,
                           uint64_t *objects);

/*
 * Opens a sealed file addressed to this node, checks the sender's signature
 * on the whole and on every object, and stores the objects with the sender
 * as origin in one transaction. TL_ECRYPTO (not addressed to this node,
 * changed, truncated, or a signature that fails: nothing is stored),
 * TL_ELIMIT, TL_EIO, and the ingest errors. *from (OUT, may be NULL) receives
 * the sender's code; stats (OUT, may be NULL) the ingest counts.
 */
TL_API tl_err tl_node_unseal(tl_node *n, const char *path, char from[40], tl_ingest_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
