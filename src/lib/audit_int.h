/* audit_int.h: writing the audit trail (internal). */
#ifndef TL_AUDIT_INT_H
#define TL_AUDIT_INT_H

#include "tearline/audit.h"

typedef struct tl_audit_rec {
    int64_t time; /* 0: now */
    const char *partner, *object, *action, *rule, *detail;
} tl_audit_rec;

/* Appends count records, chained, inside the caller's transaction. The reason on n. */
tl_err tl__audit_many(tl_node *n, const tl_audit_rec *recs, size_t count);

/*
 * Signs the audit trail's head into audit.head (after a commit of records;
 * nothing if there is no chained record).
 */
tl_err tl__audit_sign_head(tl_node *n);

/*
 * Records an administrative action in a transaction of its own (outside any
 * other); detail is a printf format. Leaves n's message as it was on success.
 */
tl_err tl__audit_admin(tl_node *n, const char *partner, const char *object, const char *action,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
