/*
 * release.h: the release compiler, the one way data leaves a node.
 *
 * For partner P under the agreement in force with P: select the holdings in
 * the agreement's scope, decide each (release or withhold, with the rule),
 * close over references (no reference to anything withheld survives),
 * transform (per-partner ids, source pseudonyms, method classes, coarsened
 * places and times, protected terms redacted, internal extensions removed),
 * verify the serialized result independently, sign each object and publish
 * to P's outbox in one transaction. Any failure publishes nothing.
 * docs/release.md lists the rules.
 */
#ifndef TEARLINE_RELEASE_H
#define TEARLINE_RELEASE_H

#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The extension that carries releasable provenance on released objects. */
#define TL_RELPROV_EXT_ID "extension-definition--5b0f7c8e-93a4-4d21-b6e5-2f1c0d9a8e47"
/* The extension that carries the Ed25519 signature of a released object. */
#define TL_SIG_EXT_ID "extension-definition--73efad38-24f0-4877-a91e-1eb1b95bf70c"

/* The STIX type of the signed receipts partners send after a pull (see client.h). */
#define TL_RECEIPT_TYPE "x-tearline-receipt"
/* The STIX type of the signed account of its ledger a node sends with its receipts. */
#define TL_WITNESS_TYPE "x-tearline-witness"

typedef struct tl_release_opts {
    int dry_run;    /* compile and verify; publish nothing */
    int64_t now_us; /* the release time; 0: now */
    /*
     * Called for every decision: object is the original id; action is
     * "release", "sanitize" or "withhold"; rule names why ("noforn",
     * "tlp-red", "out-of-scope", "redacted", ...); detail may be "".
     */
    void (*explain)(void *ud, const char *object, const char *action, const char *rule,
                    const char *detail);
    /* Called with each object P receives, in canonical form. */
    void (*emit)(void *ud, const char *json, size_t len);
    void *ud;
} tl_release_opts;

typedef struct tl_release_stats {
    uint64_t considered; /* holdings looked at */
    uint64_t released;   /* objects P receives, pseudonyms included */
    uint64_t withheld;
    uint64_t pseudonyms; /* source identities stood in for */
    uint64_t redactions; /* protected-term occurrences replaced */
    uint64_t published;  /* new versions written to the outbox */
    /* Where the time went, in microseconds: loading and parsing the holdings,
     * deciding and closing, transforming, signing, verifying, publishing. */
    int64_t us_load, us_decide, us_transform, us_sign, us_verify, us_publish;
} tl_release_stats;

/*
 * Compiles a release to partner. Fails closed: TL_ENOTFOUND when no
 * agreement with partner is in force, TL_ECONFLICT when the verifier finds
 * anything protected in the output (the message names the object and what
 * was found), TL_ESTORE, TL_ENOMEM; in every failure nothing is published.
 */
TL_API tl_err tl_node_release(tl_node *n, const char *partner, const tl_release_opts *opts,
                              tl_release_stats *stats);

/*
 * Which partner received id, and from which original: cb is called for
 * every published version (partner, version key, original id). TL_ENOTFOUND
 * if this node never released id.
 */
typedef int (*tl_trace_cb)(const char *partner, const char *version, const char *original,
                           void *ud);
TL_API tl_err tl_node_trace(tl_node *n, const char *id, tl_trace_cb cb, void *ud);

#ifdef __cplusplus
}
#endif
#endif
