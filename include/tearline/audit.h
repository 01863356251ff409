/*
 * audit.h: the tamper-evident audit trail: every release decision (object,
 * partner, decision, rule), every TAXII request (partner, endpoint, result)
 * and every administrative action, hash-chained (docs/ledger.md).
 */
#ifndef TEARLINE_AUDIT_H
#define TEARLINE_AUDIT_H

#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_audit_entry {
    int64_t seq, time; /* time: microseconds since the epoch */
    /*
     * partner: whom it concerns ("" if no one); object: what (an object id,
     * a TAXII endpoint, an agreement ...); action: release, withhold, GET,
     * POST, partner-add, protect-add ...; rule: why (a release rule, an HTTP
     * status, "admin"); detail: more.
     */
    const char *partner, *object, *action, *rule, *detail;
} tl_audit_entry;

typedef int (*tl_audit_cb)(const tl_audit_entry *e, void *ud);

/* Records of partner (NULL: all) from since_us (0: all), oldest first. */
TL_API tl_err tl_node_audit_list(tl_node *n, const char *partner, int64_t since_us, tl_audit_cb cb,
                                 void *ud);

typedef struct tl_audit_report {
    int64_t records, unchained; /* read; from before the chain */
    int64_t bad_seq;            /* the first bad record, 0 if none */
    char problem[512];
} tl_audit_report;

/* Verifies the chain: TL_OK, or TL_ECONFLICT with the first bad record in rep. */
TL_API tl_err tl_node_audit_verify(tl_node *n, tl_audit_report *rep);

#ifdef __cplusplus
}
#endif

#endif
