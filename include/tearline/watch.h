/*
 * watch.h: watchlists over the fused holdings (docs/watch.md).
 *
 * A rule names the persons or groups to watch (subject), claims each must
 * have (all), claims none may have (none) and the new reporting that
 * triggers an alert (new). Rules are evaluated incrementally: each run
 * fuses the holdings added since the last (tl_node_fuse), then looks only
 * at the entities new claims are about. An alert keeps the evidence that
 * triggered it: the claims behind each clause, with their sources (a
 * partner's by its pseudonym). Echoes of our own reporting never trigger.
 */
#ifndef TEARLINE_WATCH_H
#define TEARLINE_WATCH_H

#include "tearline/json.h"
#include "tearline/node.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_WATCH_RULE_MAX 65536 /* bytes of one rule document */

/*
 * Adds the rule in doc[0..len) (JSON, docs/watch.md); file names it in
 * messages. A rule of the same name is an error unless replace, which
 * replaces it and evaluates it afresh. The rule's name into name_out (OUT).
 */
TL_API tl_err tl_node_watch_add(tl_node *n, const char *doc, size_t len, const char *file,
                                int replace, char name_out[128]);

/* As tl_node_watch_add, the rule read from the file at path (at most TL_WATCH_RULE_MAX bytes). */
TL_API tl_err tl_node_watch_add_file(tl_node *n, const char *path, int replace, char name_out[128]);

/* Every rule: [{"name", "rule", "added", "seen"}]. */
TL_API tl_err tl_node_watch_list(tl_node *n, json_t **out);

/* Nonzero if the node holds any rule. */
TL_API int tl_node_watch_any(tl_node *n);

typedef struct tl_watch_stats {
    uint64_t rules;      /* evaluated */
    uint64_t holdings;   /* fused first */
    uint64_t new_claims; /* claims not seen before, over all rules */
    uint64_t alerts;     /* raised */
} tl_watch_stats;

/* Fuses what is new, evaluates every rule on it and stores the alerts; one transaction. */
TL_API tl_err tl_node_watch_run(tl_node *n, tl_watch_stats *stats);

/*
 * Alerts after seq after (0: all), of rule (NULL: every rule):
 * [{"seq", "rule", "entity": {"id", "name"}, "time", "evidence": {...}}].
 */
TL_API tl_err tl_node_watch_alerts(tl_node *n, const char *rule, int64_t after, json_t **out);

#ifdef __cplusplus
}
#endif

#endif
