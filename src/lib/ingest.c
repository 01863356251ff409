/* ingest.c: reading STIX input into the holdings, as one transaction. */
#include "node_int.h"

#include "tearline/prov.h"
#include "tearline/stix.h"

#include "jcs.h"
#include "ts.h"

#include <string.h>

#define MAX_LABELS 64

struct ingest {
    tl_node *n;
    const tl_ingest_opts *opts;
    tl_ingest_stats *st;
    struct tl_buf canon;
    int64_t next_progress;
};

/* Records an object-level problem: fatal without skip_invalid, reported with it. */
static tl_err reject(struct ingest *g, tl_err rc)
{
    if (!g->opts->skip_invalid) return rc;
    g->st->rejected++;
    if (g->opts->rejected) g->opts->rejected(g->opts->ud, g->n->errmsg);
    return TL_OK;
}

static tl_err ingest_one(struct ingest *g, tl_reader *r, json_t *obj, const tl_reader_pos *pos,
                         const char *name)
{
    tl_node *n = g->n;
    tl_stix_info info;
    tl_stix_error err;
    tl_err rc = tl_stix_validate(obj, &info, &err);
    if (rc) {
        tl_reader_pos at = tl_reader_locate(r, err.prop);
        tl__node_err(n, "%s:%lu:%lu: %s", name, at.line, at.col, err.msg);
        return reject(g, rc);
    }
    tl__buf_reset(&g->canon);
    rc = tl__jcs_write(&g->canon, obj, -1);
    if (rc) {
        if (rc == TL_ENOMEM) return rc;
        tl__node_err(n, "%s:%lu:%lu: object %s: has no canonical form", name, pos->line, pos->col,
                     info.id);
        return reject(g, TL_ESTIX);
    }
    const char *labels[MAX_LABELS];
    size_t nlabels = 0;
    const json_t *lv = json_object_get(obj, "labels");
    size_t i;
    json_t *e;
    json_array_foreach(lv, i, e)
    {
        if (nlabels < MAX_LABELS) labels[nlabels++] = json_string_value(e);
    }
    const char *origin = g->opts->origin ? g->opts->origin : "";
    tl_store_obj so = {info.id,      info.type, info.version, info.created, info.revoked,
                       origin,       g->canon.p, g->canon.len, labels,      nlabels};
    tl_put_result res;
    rc = tl_store_put(n->store, &so, &res);
    if (rc == TL_ECONFLICT) {
        tl__node_err(n, "%s:%lu:%lu: %s", name, pos->line, pos->col, tl_store_errmsg(n->store));
        return reject(g, rc);
    }
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        return rc;
    }
    if (res == TL_PUT_NEW)
        g->st->stored++;
    else
        g->st->duplicates++;
    return TL_OK;
}

static tl_err ingest_file(struct ingest *g, const char *path)
{
    tl_node *n = g->n;
    tl_reader_limits lim = g->opts->limits;
    if (!lim.max_object_bytes) lim.max_object_bytes = n->limits.max_object_bytes;
    if (!lim.max_input_bytes) lim.max_input_bytes = n->limits.max_input_bytes;
    if (!lim.max_depth) lim.max_depth = n->limits.max_depth;
    tl_reader *r = NULL;
    tl_err rc = tl_reader_open_file(path, &lim, &r, n->errmsg, sizeof n->errmsg);
    if (rc) return rc;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    uint64_t base_bytes = g->st->bytes;
    for (;;) {
        if (g->opts->cancel && *g->opts->cancel) {
            tl__node_err(n, "interrupted; nothing was stored");
            rc = TL_EINTERRUPTED;
            break;
        }
        json_t *obj = NULL;
        tl_reader_pos pos;
        rc = tl_reader_next(r, &obj, &pos);
        g->st->bytes = base_bytes + tl_reader_offset(r);
        if (rc) {
            tl__node_err(n, "%s", tl_reader_errmsg(r));
            if (rc == TL_EJSON && !tl_reader_failed(r)) {
                g->st->objects++;
                if ((rc = reject(g, rc))) break;
                continue;
            }
            break;
        }
        if (!obj) break;
        g->st->objects++;
        rc = ingest_one(g, r, obj, &pos, name);
        json_decref(obj);
        if (rc) break;
        if (g->opts->progress && (g->st->objects & 4095) == 0) {
            int64_t now = tl__now_us();
            if (now >= g->next_progress) {
                g->opts->progress(g->opts->ud, g->st->objects, g->st->bytes);
                g->next_progress = now + 500000;
            }
        }
    }
    tl_reader_close(r);
    return rc;
}

tl_err tl_node_ingest(tl_node *n, const char *const *paths, size_t npaths,
                      const tl_ingest_opts *opts, tl_ingest_stats *stats)
{
    static const tl_ingest_opts defaults;
    tl_ingest_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!opts) opts = &defaults;
    if (opts->origin && *opts->origin && !tl_party_code_valid(opts->origin)) {
        tl__node_err(n, "'%s' is not a valid partner code", opts->origin);
        return TL_EINVAL;
    }
    struct ingest g = {n, opts, stats, TL_BUF_INIT, 0};
    n->errmsg[0] = '\0';
    tl_err rc = tl_store_begin(n->store);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        return rc;
    }
    for (size_t i = 0; i < npaths && !rc; i++)
        rc = ingest_file(&g, paths[i]);
    if (!rc) {
        rc = tl_store_commit(n->store);
        if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    } else {
        tl_store_rollback(n->store);
        stats->stored = stats->duplicates = 0;
    }
    if (!rc && opts->progress) opts->progress(opts->ud, stats->objects, stats->bytes);
    tl__buf_free(&g.canon);
    return rc;
}
