/*
 * client.h: pulling from and pushing to partners' TAXII 2.1 servers.
 *
 * A pull reads the partner's outbox collection (alias "outbox", else its
 * first readable collection) page by page through `next`, checks every
 * object's signature against the partner's key (the agreement in force, and
 * the pinned key), and stores each page with origin = the partner in one
 * transaction before moving its checkpoint (the date_added of the page's last
 * object). An interrupted pull resumes from the checkpoint: a page fetched
 * twice adds nothing, since identical versions are stored once.
 *
 * After a pull that received anything, the node signs receipts (type
 * TL_RECEIPT_TYPE: the id and version of every object received, and a
 * BLAKE2b digest of that list), keeps them and posts them to the partner's
 * inbox, where they are kept too; receipts are never released.
 */
#ifndef TEARLINE_CLIENT_H
#define TEARLINE_CLIENT_H

#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_pull_opts {
    size_t page;        /* objects per request; 0: 500 */
    int skip_bad;       /* store the page without objects that fail their signature, and go on */
    unsigned retries;   /* on a 5xx answer or a network failure; 0: 5, with backoff from 0.5 s */
    unsigned timeout_s; /* per request; 0: 60 */
    volatile sig_atomic_t *cancel; /* checked between pages; may be NULL */
    /* Called after each page with running totals; may be NULL. */
    void (*progress)(void *ud, uint64_t objects, uint64_t stored);
    void *ud;
} tl_pull_opts;

typedef struct tl_pull_stats {
    uint64_t pages;
    uint64_t objects;            /* received */
    uint64_t stored;             /* new versions */
    uint64_t duplicates;         /* already held */
    uint64_t rejected;           /* failed their signature (with skip_bad) */
    uint64_t receipts;           /* signed receipts made for what was received, and kept */
    uint64_t receipts_delivered; /* of them, accepted by the partner's inbox */
    uint64_t witness;            /* 1 if the partner's signed account of its ledger was kept */
} tl_pull_stats;

/*
 * Pulls what partner released to this node since the last pull. Errors:
 * TL_ENOTFOUND (not a partner, no URL, no agreement in force), TL_ECRYPTO
 * (an object failed its signature: nothing of its page was stored),
 * TL_EIO (the server could not be reached or answered an error, after the
 * retries), TL_EJSON, TL_ESTIX, TL_EINTERRUPTED; the message names the URL,
 * the HTTP status and the object.
 */
TL_API tl_err tl_node_pull(tl_node *n, const char *partner, const tl_pull_opts *opts,
                           tl_pull_stats *stats);

/*
 * Pushes to partner's inbox (for partners who prefer push): releases to it
 * (publishing, as tearline release does), then posts every version published
 * to it since the last push, in envelopes of at most opts->page objects; the
 * checkpoint moves after each envelope the partner accepted whole. *objects
 * (OUT, may be NULL) counts what was accepted. Errors as tl_node_pull, and
 * those of tl_node_release.
 */
TL_API tl_err tl_node_push(tl_node *n, const char *partner, const tl_pull_opts *opts,
                           uint64_t *objects);

/* One receipt a partner sent for what it pulled; strings valid during the callback. */
typedef struct tl_receipt_info {
    const char *id;
    const char *created;
    uint64_t count;   /* objects it acknowledges */
    uint64_t matched; /* of them, versions this node did publish to the partner */
    int digest_ok;    /* its digest matches its list */
} tl_receipt_info;

typedef int (*tl_receipt_cb)(const tl_receipt_info *r, void *ud);

/*
 * The receipts partner sent this node (its signature was checked when it
 * arrived), oldest first, each checked against what this node published to
 * partner.
 */
TL_API tl_err tl_node_receipts(tl_node *n, const char *partner, tl_receipt_cb cb, void *ud);

#ifdef __cplusplus
}
#endif
#endif
