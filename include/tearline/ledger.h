/*
 * ledger.h: the node's ledger, an append-only, hash-chained record of what
 * was agreed, given, received and acknowledged (docs/ledger.md).
 *
 * Each entry: sequence number, time, kind, party, a short summary, the
 * payload (JSON) and its BLAKE2b-256 digest, the previous entry's hash and
 * its own. The node signs the head at checkpoints (after every release and
 * pull, and every TL_LEDGER_CHECKPOINT_EVERY entries); the latest is also
 * kept in ledger.head in the node home. Entries are appended in the same
 * transaction as what they record, so a crash leaves a chain that verifies.
 */
#ifndef TEARLINE_LEDGER_H
#define TEARLINE_LEDGER_H

#include "tearline/json.h"
#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_LEDGER_CHECKPOINT_EVERY 1000

/*
 * Entry kinds: agreement (this node signed one, or imported new signatures),
 * consent (a consent record came into a countersigned agreement), release
 * (published to a partner: ids, versions, counts), received (stored from a
 * partner: ids and versions), receipt (a partner's signed receipt,
 * verbatim), acknowledged (a receipt this node signed for a partner),
 * witness (a partner's signed account of its ledger, verbatim), commitment
 * (a completed period of a commitment, evaluated), note.
 */
#define TL_LEDGER_AGREEMENT "agreement"
#define TL_LEDGER_CONSENT "consent"
#define TL_LEDGER_RELEASE "release"
#define TL_LEDGER_RECEIVED "received"
#define TL_LEDGER_RECEIPT "receipt"
#define TL_LEDGER_ACKNOWLEDGED "acknowledged"
#define TL_LEDGER_WITNESS "witness"
#define TL_LEDGER_COMMITMENT "commitment"
#define TL_LEDGER_NOTE "note"

typedef struct tl_ledger_entry {
    int64_t seq, time; /* time: microseconds since the epoch */
    const char *kind, *party, *summary;
    const char *payload; /* JSON; NULL unless asked for */
    size_t payload_len;
    char hash[65]; /* hex */
} tl_ledger_entry;

/* Called per entry, in sequence order; valid during the call. Nonzero stops. */
typedef int (*tl_ledger_cb)(const tl_ledger_entry *e, void *ud);

typedef struct tl_ledger_filter {
    const char *kind, *party; /* NULL: any */
    int64_t since_us;         /* 0: from the start */
    int with_payload;
} tl_ledger_filter;

/* The entries that pass f (NULL: all), oldest first. */
TL_API tl_err tl_node_ledger_list(tl_node *n, const tl_ledger_filter *f, tl_ledger_cb cb, void *ud);

/* Appends an operator's note (party may be NULL or ""), then signs the head. */
TL_API tl_err tl_node_ledger_note(tl_node *n, const char *party, const char *text, int64_t *seq);

/* Signs the head now (its own transaction) and writes ledger.head. */
TL_API tl_err tl_node_ledger_checkpoint(tl_node *n);

/*
 * Compares this node's records of the exchange with partner: what was
 * released to it against what it acknowledged (its receipts), each
 * receipt's own count, and the partner's latest signed witness (what it
 * says it received, acknowledged and released) against this node's ledger.
 * *report (OUT, json_decref it): {"partner", "released", "acknowledged",
 * "received", "acknowledged_by_us", "witness" (or absent), "discrepancies":
 * [{"kind", "count", "message", "sample": ["id version", ...]}]}.
 */
TL_API tl_err tl_node_ledger_reconcile(tl_node *n, const char *partner, json_t **report);

/*
 * Follow-through: every commitment of the countersigned agreements this
 * node is party to (the latest countersigned version of each), evaluated
 * per period up to now_us (0: now) from this node's ledger. *out (OUT,
 * json_decref it): [{"agreement", "version", "party", "topic", "at_least",
 * "period", "periods": [{"from", "until", "items", "status" (met, broken,
 * lagging), "complete"}], "backtracking": null or {"met_until",
 * "broke_from", "broke_until"}}].
 */
TL_API tl_err tl_node_ledger_commitments(tl_node *n, int64_t now_us, json_t **out);

/*
 * Records in the ledger (kind commitment) each completed period of an
 * evaluation that is not recorded yet; *added (OUT) counts them.
 */
TL_API tl_err tl_node_ledger_commitments_record(tl_node *n, const json_t *evaluation,
                                                size_t *added);

/* What tl_node_ledger_balance() groups by. */
typedef enum tl_balance_by {
    TL_BALANCE_BY_PERIOD, /* the entry's period (opts.period) */
    TL_BALANCE_BY_TOPIC,  /* each label of the object as exchanged ("(none)" without) */
    TL_BALANCE_BY_TYPE,   /* the object's type */
} tl_balance_by;

typedef struct tl_balance_opts {
    const char *partner; /* NULL: every partner */
    tl_balance_by by;
    const char *period; /* day, week, month (NULL) or year, UTC */
    int explain;        /* list every object's factors too */
} tl_balance_opts;

/*
 * Reciprocity: what this node gave each partner (its release entries) and
 * received from it (its received entries), each object valued by the model
 * of docs/ledger.md (type weight x credibility x novelty x corroboration),
 * grouped per opts. *out (OUT, json_decref it): {"by", "period", "model",
 * "keys" (every row key of any partner, in order), "partners": [{"partner", "given": {"objects",
 * "value"}, "received", "net" (received - given), "rows": [{"key", "given", "received", "net",
 * "cumulative" (by period)}]}], "objects" (explain): [{"time", "partner",
 * "direction", "id", "version", "type", "weight", "credibility",
 * "novelty", "corroboration", "why", "value"}]}.
 */
TL_API tl_err tl_node_ledger_balance(tl_node *n, const tl_balance_opts *opts, json_t **out);

typedef struct tl_ledger_report {
    int64_t entries, checkpoints; /* read */
    int64_t bad_seq;              /* the first bad entry (or checkpoint); 0 if none */
    char problem[512];            /* what is wrong there; "" if nothing */
} tl_ledger_report;

/*
 * Verifies the whole chain: sequence, links, digests and hashes of every
 * entry, every checkpoint's signature (by a key this node holds, current or
 * retired) against the entry it names, and ledger.head. TL_OK if intact;
 * TL_ECONFLICT if not, with the first bad place in rep (modification,
 * deletion, reordering or truncation); other errors if it cannot be read.
 */
TL_API tl_err tl_node_ledger_verify(tl_node *n, tl_ledger_report *rep);

#ifdef __cplusplus
}
#endif

#endif
