/*
 * server.c: the TAXII 2.1 server over libmicrohttpd.
 *
 * One API root, /api/. Each partner sees three collections: its outbox
 * (read), its inbox (write) and the witness (read: one object, this node's
 * signed account of its ledger for that partner, made when asked and kept
 * until the ledger moves); their ids are derived from the node's release
 * secret and the partner's code, so they are stable and reveal nothing. A
 * request for anything else, or another partner's collection, is 404.
 *
 * Workers are libmicrohttpd's thread pool; each request borrows a node handle
 * (its own SQLite connection) from a pool for as long as it runs.
 */
#include "tearline/partner.h"
#include "tearline/json.h"
#include "tearline/ledger.h"
#include "tearline/prov.h"
#include "tearline/release.h"
#include "tearline/stix.h"
#include "tearline/server.h"

#include "audit_int.h"
#include "buf.h"
#include "ledger_int.h"
#include "sig.h"
#include "node_int.h"
#include "taxii.h"
#include "ts.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define API_ROOT "/api/"
#define AUTH_CACHE 128
#define AUTH_TTL_US (60 * 1000000LL)
#define FAIL_SLOTS 64

struct auth_entry {
    unsigned char digest[32];
    char code[40];
    int64_t until;
};

struct fail_entry {
    char ip[48];
    int count;
    int64_t since;
};

#define WITNESS_CACHE 64

struct witness;

struct server {
    const tl_server_opts *opts;
    const char *home;
    size_t max_body;
    char title[300];
    unsigned char ids_key[32], cursor_key[32], cache_key[32];
    pthread_mutex_t mu; /* guards the pool, the auth cache and the failure counts */
    pthread_cond_t free_node;
    tl_node **pool;
    int *busy;
    size_t npool;
    struct auth_entry cache[AUTH_CACHE];
    size_t cache_next;
    struct fail_entry fails[FAIL_SLOTS];
    pthread_mutex_t log_mu;
    pthread_mutex_t verify_mu; /* one argon2id check at a time: each takes 64 MB */
    /* requests waiting for the audit trail, written in batches by the main thread */
    pthread_mutex_t audit_mu;
    struct audit_item *audit;
    size_t naudit, audit_cap;
    uint64_t audit_dropped;
    tl_node *audit_node;
    /* each partner's latest witness, made again when the ledger has moved */
    pthread_mutex_t witness_mu;
    struct witness *witness[WITNESS_CACHE];
    size_t witness_next;
};

/* A signed witness as served: one row of the witness collection. */
struct witness {
    char partner[40];
    int64_t seq;   /* the ledger head it accounts for */
    int64_t added; /* its date_added: when it was made */
    char id[80], version[TL_TS_KEYMAX];
    char *json;
    size_t len;
};

/* A request as the audit trail records it. */
struct audit_item {
    int64_t time;
    char partner[40], method[8], url[200], status[40];
};
#define AUDIT_PENDING_MAX 200000 /* beyond this, requests are counted, not kept */

/* One request, from its headers to the access log line. */
struct request {
    int64_t t0;
    struct tl_buf body;
    int too_big;
    char partner[40];
    unsigned status;
    size_t bytes;
    char method[8];
    char url[200];
};

static void sleep_us(int64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* ---- node handles ---- */

static tl_node *borrow(struct server *sv)
{
    pthread_mutex_lock(&sv->mu);
    for (;;) {
        for (size_t i = 0; i < sv->npool; i++)
            if (!sv->busy[i]) {
                sv->busy[i] = 1;
                pthread_mutex_unlock(&sv->mu);
                return sv->pool[i];
            }
        pthread_cond_wait(&sv->free_node, &sv->mu);
    }
}

static void give_back(struct server *sv, tl_node *n)
{
    pthread_mutex_lock(&sv->mu);
    for (size_t i = 0; i < sv->npool; i++)
        if (sv->pool[i] == n) sv->busy[i] = 0;
    pthread_cond_signal(&sv->free_node);
    pthread_mutex_unlock(&sv->mu);
}

/* ---- responses ---- */

static enum MHD_Result send_buf(struct MHD_Connection *c, struct request *rq, unsigned status,
                                struct tl_buf *body, const char *const *headers)
{
    if (body->oom) {
        tl__buf_reset(body);
        body->oom = 0;
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        tl__buf_puts(body, "{\"title\":\"out of memory\",\"http_status\":\"500\"}");
    }
    /* the body goes to libmicrohttpd, which frees it (tl_malloc is malloc) */
    struct MHD_Response *r =
        body->p ? MHD_create_response_from_buffer(body->len, body->p, MHD_RESPMEM_MUST_FREE)
                : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    size_t len = body->len;
    body->p = NULL;
    body->len = body->cap = 0;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, TL_TAXII_MEDIA);
    for (size_t i = 0; headers && headers[i]; i += 2)
        MHD_add_response_header(r, headers[i], headers[i + 1]);
    rq->status = status;
    rq->bytes = len;
    enum MHD_Result res = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return res;
}

static enum MHD_Result send_error(struct MHD_Connection *c, struct request *rq, unsigned status,
                                  const char *title, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The error resource (TAXII 2.1 section 3.6.1). */
static enum MHD_Result send_error(struct MHD_Connection *c, struct request *rq, unsigned status,
                                  const char *title, const char *fmt, ...)
{
    char desc[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    struct tl_buf b = TL_BUF_INIT;
    tl__buf_puts(&b, "{\"title\":");
    tl__taxii_json_str(&b, title);
    tl__buf_printf(&b, ",\"http_status\":\"%u\",\"description\":", status);
    tl__taxii_json_str(&b, desc);
    tl__buf_puts(&b, "}");
    static const char *const auth[] = {MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                       "Basic realm=\"tearline TAXII\", charset=\"UTF-8\"", NULL};
    enum MHD_Result res =
        send_buf(c, rq, status, &b, status == MHD_HTTP_UNAUTHORIZED ? auth : NULL);
    tl__buf_free(&b);
    return res;
}

static enum MHD_Result not_found(struct MHD_Connection *c, struct request *rq)
{
    return send_error(c, rq, MHD_HTTP_NOT_FOUND, "Not found",
                      "there is no such resource for this caller");
}

/* ---- authentication ---- */

static void client_ip(struct MHD_Connection *c, char ip[48])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(ip, 48, "-");
    if (!ci || !ci->client_addr) return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
                  ip, 48);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, ip, 48);
}

static void auth_digest(const struct server *sv, const char *code, const char *secret,
                        unsigned char out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, sv->cache_key, sizeof sv->cache_key, 32);
    crypto_generichash_update(&st, (const unsigned char *)code, strlen(code) + 1);
    crypto_generichash_update(&st, (const unsigned char *)secret, strlen(secret));
    crypto_generichash_final(&st, out, 32);
}

/* Recent failures from ip (and, with add, one more). */
static int failures(struct server *sv, const char *ip, int add)
{
    int64_t now = tl__now_us();
    pthread_mutex_lock(&sv->mu);
    struct fail_entry *slot = NULL, *oldest = &sv->fails[0];
    for (size_t i = 0; i < FAIL_SLOTS; i++) {
        struct fail_entry *f = &sv->fails[i];
        if (f->count && now - f->since > 60 * 1000000LL) f->count = 0;
        if (f->count && !strcmp(f->ip, ip)) slot = f;
        if (f->since < oldest->since) oldest = f;
    }
    if (!slot && add) {
        slot = oldest;
        snprintf(slot->ip, sizeof slot->ip, "%s", ip);
        slot->count = 0;
        slot->since = now;
    }
    if (slot && add) slot->count++;
    int n = slot ? slot->count : 0;
    pthread_mutex_unlock(&sv->mu);
    return n;
}

static int cached_auth(struct server *sv, const char *user, const unsigned char d[32], int64_t now)
{
    int ok = 0;
    pthread_mutex_lock(&sv->mu);
    for (size_t i = 0; i < AUTH_CACHE && !ok; i++)
        ok = sv->cache[i].until > now && !strcmp(sv->cache[i].code, user) &&
             sodium_memcmp(sv->cache[i].digest, d, 32) == 0;
    pthread_mutex_unlock(&sv->mu);
    return ok;
}

/*
 * The partner the request authenticates as, into code; 0 if none. Accepts
 * HTTP Basic (user = code) and "Bearer code.secret" (or "Token ...").
 */
static int authenticate(struct server *sv, struct MHD_Connection *c, char code[40])
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char user[40] = "", secret[130] = "";
    if (!h) return 0;
    if (!strncasecmp(h, "Basic ", 6)) {
        char *pass = NULL;
        char *u = MHD_basic_auth_get_username_password(c, &pass);
        if (u && pass && strlen(u) < sizeof user && strlen(pass) < sizeof secret) {
            snprintf(user, sizeof user, "%s", u);
            snprintf(secret, sizeof secret, "%s", pass);
        }
        if (pass) sodium_memzero(pass, strlen(pass));
        MHD_free(u);
        MHD_free(pass);
    } else if (!strncasecmp(h, "Bearer ", 7) || !strncasecmp(h, "Token ", 6)) {
        const char *tok = h + (h[0] == 'B' || h[0] == 'b' ? 7 : 6);
        const char *dot = strchr(tok, '.');
        if (dot && (size_t)(dot - tok) < sizeof user && strlen(dot + 1) < sizeof secret) {
            snprintf(user, sizeof user, "%.*s", (int)(dot - tok), tok);
            snprintf(secret, sizeof secret, "%s", dot + 1);
        }
    }
    int ok = 0;
    if (*user && *secret && tl_party_code_valid(user)) {
        unsigned char d[32];
        auth_digest(sv, user, secret, d);
        int64_t now = tl__now_us();
        ok = cached_auth(sv, user, d, now);
        if (!ok) {
            /* one check at a time; a client that waited may find itself cached */
            pthread_mutex_lock(&sv->verify_mu);
            ok = cached_auth(sv, user, d, now);
            int fresh = 0;
            if (!ok) {
                tl_node *n = borrow(sv);
                ok = fresh = tl_node_partner_check(n, user, secret) == TL_OK;
                give_back(sv, n);
            }
            if (fresh) {
                pthread_mutex_lock(&sv->mu);
                struct auth_entry *e = &sv->cache[sv->cache_next++ % AUTH_CACHE];
                memcpy(e->digest, d, 32);
                snprintf(e->code, sizeof e->code, "%s", user);
                e->until = now + AUTH_TTL_US;
                pthread_mutex_unlock(&sv->mu);
            }
            pthread_mutex_unlock(&sv->verify_mu);
        }
        sodium_memzero(d, sizeof d);
    }
    sodium_memzero(secret, sizeof secret);
    if (ok) snprintf(code, 40, "%s", user);
    return ok;
}

/* ---- media types ---- */

/* Does the Accept header allow a TAXII 2.1 response? (absent: yes) */
static int acceptable(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    if (!h) return 1;
    char buf[1024];
    if (strlen(h) >= sizeof buf) return 0;
    size_t n = 0;
    for (const char *p = h; *p; p++) /* spaces out, lower case */
        if (*p != ' ' && *p != '\t') buf[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    buf[n] = '\0';
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *params = strchr(item, ';');
        if (params) *params++ = '\0';
        int type_ok = !strcmp(item, "application/taxii+json") || !strcmp(item, "*/*") ||
                      !strcmp(item, "application/*");
        int version_ok = 1;
        for (char *p = params; p && *p;) {
            char *next = strchr(p, ';');
            if (next) *next++ = '\0';
            if (!strncmp(p, "version=", 8)) version_ok = !strcmp(p + 8, "2.1");
            if (!strncmp(p, "q=", 2) && !strcmp(p + 2, "0")) version_ok = 0;
            p = next;
        }
        if (type_ok && version_ok) return 1;
    }
    return 0;
}

/* ---- resources ---- */

static void collection_id(const struct server *sv, const char *kind, const char *partner,
                          char out[37])
{
    unsigned char h[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, sv->ids_key, sizeof sv->ids_key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, (const unsigned char *)partner, strlen(partner));
    crypto_generichash_final(&st, h, sizeof h);
    tl__uuid_format(h, out);
}

enum coll { OUTBOX, INBOX, WITNESS };
static const char *const coll_kind[] = {"outbox", "inbox", "witness"};

static void put_collection(const struct server *sv, struct tl_buf *b, const char *partner,
                           enum coll k)
{
    static const char *const titles[] = {"Released to ", "Received from ", "Ledger witness for "};
    static const char *const about[] = {
        "what this node released to you, signed by it", "what you send to this node",
        "this node's signed account of its ledger for you (tearline ledger reconcile)"};
    char id[37];
    collection_id(sv, coll_kind[k], partner, id);
    tl__buf_printf(b, "{\"id\":\"%s\",\"title\":", id);
    char title[200];
    snprintf(title, sizeof title, "%s%s", titles[k], partner);
    tl__taxii_json_str(b, title);
    tl__buf_puts(b, ",\"description\":");
    tl__taxii_json_str(b, about[k]);
    tl__buf_printf(b,
                   ",\"alias\":\"%s\",\"can_read\":%s,\"can_write\":%s,"
                   "\"media_types\":[\"" TL_STIX_MEDIA "\"]}",
                   coll_kind[k], k != INBOX ? "true" : "false", k == INBOX ? "true" : "false");
}

struct page {
    const struct server *sv;
    struct tl_buf *b;
    size_t n, limit;
    int64_t first, last;
    int want; /* 0 manifest, 1 objects, 2 versions */
};

static int page_row(int64_t added, const char *id, const char *version, const char *json,
                    size_t len, void *ud)
{
    struct page *pg = ud;
    if (pg->n == pg->limit) { /* the one past the page: there is more */
        pg->n++;
        return 1;
    }
    if (!pg->n) pg->first = added;
    pg->last = added;
    if (pg->n++) tl__buf_putc(pg->b, ',');
    char ver[48], da[32];
    tl__taxii_version(version, ver);
    if (pg->want == 1) {
        tl__buf_append(pg->b, json, len);
    } else if (pg->want == 2) {
        tl__buf_printf(pg->b, "\"%s\"", ver);
    } else {
        tl__ts_format_us(added, da);
        tl__buf_puts(pg->b, "{\"id\":");
        tl__taxii_json_str(pg->b, id);
        tl__buf_printf(pg->b,
                       ",\"date_added\":\"%s\",\"version\":\"%s\",\"media_type\":\"" TL_STIX_MEDIA
                       "\"}",
                       da, ver);
    }
    return 0;
}

struct args_ctx {
    struct tl_taxii_args *a;
    tl_err rc;
    char why[300];
};

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    struct args_ctx *ac = cls;
    if (ac->rc) return MHD_NO;
    ac->rc = tl__taxii_arg(ac->a, key, value, ac->why, sizeof ac->why);
    return ac->rc ? MHD_NO : MHD_YES;
}

static void witness_free(struct witness *w)
{
    if (w) tl_free(w->json);
    tl_free(w);
}

static struct witness *witness_copy(const struct witness *w)
{
    struct witness *c = tl_malloc(sizeof *c);
    if (!c) return NULL;
    *c = *w;
    c->json = tl_malloc(w->len + 1);
    if (!c->json) {
        tl_free(c);
        return NULL;
    }
    memcpy(c->json, w->json, w->len + 1);
    return c;
}

/*
 * The caller's witness (a copy, witness_free it): the one made before if
 * the ledger has not moved since, else a new one, signed with the key this
 * node signs with toward the partner. NULL with the reason in why.
 */
static struct witness *witness_for(struct server *sv, const char *partner, char *why, size_t cap)
{
    tl_node *n = borrow(sv);
    int64_t seq = 0;
    unsigned char head[32];
    struct witness *w = NULL;
    tl_err rc = tl_store_ledger_head(n->store, &seq, head);
    if (!rc) {
        pthread_mutex_lock(&sv->witness_mu);
        for (size_t i = 0; i < WITNESS_CACHE && !w; i++) {
            const struct witness *c = sv->witness[i];
            if (c && c->seq == seq && !strcmp(c->partner, partner) && !(w = witness_copy(c)))
                rc = TL_ENOMEM;
        }
        pthread_mutex_unlock(&sv->witness_mu);
    }
    char *text = NULL;
    size_t len = 0;
    json_t *o = NULL;
    char msg[64];
    if (!rc && !w && (rc = tl__ledger_witness_signed(n, partner, &text, &len)) == TL_OK &&
        (rc = tl_json_parse(text, len, &o, msg, sizeof msg)) == TL_OK) {
        w = tl_calloc(1, sizeof *w);
        const json_t *m = json_object_get(o, "modified");
        if (!w) {
            rc = TL_ENOMEM;
        } else {
            snprintf(w->partner, sizeof w->partner, "%s", partner);
            snprintf(w->id, sizeof w->id, "%s", json_string_value(json_object_get(o, "id")));
            tl__ts_parse(json_string_value(m), json_string_length(m), NULL, NULL, w->version);
            w->seq = seq;
            w->added = tl__now_us();
            w->json = text;
            w->len = len;
            text = NULL;
            struct witness *keep = witness_copy(w);
            pthread_mutex_lock(&sv->witness_mu);
            size_t at = sv->witness_next;
            for (size_t i = 0; i < WITNESS_CACHE; i++)
                if (sv->witness[i] && !strcmp(sv->witness[i]->partner, partner)) at = i;
            if (at == sv->witness_next) sv->witness_next = (sv->witness_next + 1) % WITNESS_CACHE;
            witness_free(sv->witness[at]);
            sv->witness[at] = keep;
            pthread_mutex_unlock(&sv->witness_mu);
        }
    }
    json_decref(o);
    tl_free(text);
    if (rc) {
        snprintf(why, cap, "%s", tl_node_errmsg(n)[0] ? tl_node_errmsg(n) : tl_strerror(rc));
        witness_free(w);
        w = NULL;
    }
    give_back(sv, n);
    return w;
}

/* The witness as the one row of its collection, if q selects it. */
static void witness_rows(const tl_outbox_query *q, const struct witness *w, tl_outbox_cb cb,
                         void *ud)
{
    if (q->after_added >= 0 && w->added <= q->after_added) return;
    int hit = !q->nids;
    for (size_t i = 0; i < q->nids && !hit; i++)
        hit = !strcmp(q->ids[i], w->id);
    if (!hit) return;
    hit = !q->ntypes;
    for (size_t i = 0; i < q->ntypes && !hit; i++)
        hit = !strcmp(q->types[i], TL_WITNESS_TYPE);
    if (!hit) return;
    hit = q->first || q->last || q->all || !q->nversions; /* its only version is both */
    for (size_t i = 0; i < q->nversions && !hit; i++)
        hit = !strcmp(q->versions[i], w->version);
    if (hit && q->limit) cb(w->added, w->id, w->version, q->want_json ? w->json : NULL, w->len, ud);
}

/*
 * GET manifest (want 0), objects (1) or versions (2) of the caller's
 * outbox, or of its witness collection (w); oid restricts to one object.
 */
static enum MHD_Result list_outbox(struct server *sv, struct MHD_Connection *c, struct request *rq,
                                   int want, const char *oid, const struct witness *w)
{
    struct tl_taxii_args *a = tl_malloc(sizeof *a);
    if (!a) return MHD_NO;
    tl__taxii_args_init(a);
    struct args_ctx ac = {a, TL_OK, ""};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, each_arg, &ac);
    unsigned allowed = oid ? (want == 2 ? 1u << TL_MATCH_SPEC_VERSION
                                        : 1u << TL_MATCH_VERSION | 1u << TL_MATCH_SPEC_VERSION)
                           : 0xfu;
    tl_outbox_query q;
    int none = 0;
    enum MHD_Result res;
    if (ac.rc || (ac.rc = tl__taxii_query(a, allowed, rq->partner, sv->cursor_key, &q, &none,
                                          ac.why, sizeof ac.why))) {
        res = ac.rc == TL_ENOMEM
                  ? MHD_NO
                  : send_error(c, rq, MHD_HTTP_BAD_REQUEST, "Bad request", "%s", ac.why);
        goto out;
    }
    if (oid) {
        q.nids = 1;
        q.ids[0] = oid;
        q.ntypes = 0;
        if (want == 2) {
            q.all = 1;
            q.first = q.last = 0;
            q.nversions = 0;
        }
    }
    struct tl_buf b = TL_BUF_INIT;
    size_t limit = q.limit;
    q.limit = limit + 1;
    q.want_json = want == 1;
    struct page pg = {sv, &b, 0, limit, 0, 0, want};
    const char *key = want == 0 ? "objects" : want == 1 ? "objects" : "versions";
    /*
     * The envelope's head ("more", "next") is known only after the query: room
     * is kept for it in front, padded with spaces, so the page is never copied.
     */
    enum { HEADROOM = 160 };
    tl__buf_reserve(&b, HEADROOM + 64 * 1024);
    for (int k = 0; k < HEADROOM; k++)
        tl__buf_putc(&b, ' ');
    tl__buf_printf(&b, "\"%s\":[", key);
    tl_err rc = TL_OK;
    if (!none && w) {
        witness_rows(&q, w, page_row, &pg);
    } else if (!none) {
        tl_node *n = borrow(sv);
        rc = tl_store_outbox_query(n->store, &q, page_row, &pg);
        give_back(sv, n);
    }
    if (rc) {
        tl__buf_free(&b);
        res = send_error(c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error",
                         "the outbox could not be read");
        goto out;
    }
    int more = pg.n > limit;
    size_t shown = more ? limit : pg.n;
    if (oid && shown == 0 && !more && w && strcmp(oid, w->id) != 0) {
        tl__buf_free(&b);
        res = not_found(c, rq);
        goto out;
    }
    if (oid && shown == 0 && !more && !w) {
        /* an id the collection never held is 404; one whose versions did not match is empty */
        tl_outbox_query any = {
            .partner = rq->partner, .after_added = -1, .all = 1, .nids = 1, .limit = 1};
        any.ids[0] = oid;
        struct page probe = {sv, NULL, 0, 0, 0, 0, 0};
        tl_node *n = borrow(sv);
        rc = tl_store_outbox_query(n->store, &any, page_row, &probe);
        give_back(sv, n);
        if (!rc && probe.n == 0) {
            tl__buf_free(&b);
            res = not_found(c, rq);
            goto out;
        }
    }
    char head[HEADROOM + 1], next[96];
    if (more) tl__taxii_cursor(a, allowed, rq->partner, sv->cursor_key, pg.last, next);
    snprintf(head, sizeof head, "{%s%s%s%s", more ? "\"more\":true,\"next\":\"" : "",
             more ? next : "",
             more        ? "\""
             : want == 1 ? "\"more\":false"
                         : "",
             shown && (more || want == 1) ? "," : "");
    struct tl_buf env = TL_BUF_INIT;
    if (shown) { /* the head into its room; no empty lists (TAXII 2.1 section 2) */
        if (!b.oom) memcpy(b.p, head, strlen(head));
        tl__buf_puts(&b, "]}");
        env = b;
    } else {
        tl__buf_free(&b);
        tl__buf_puts(&env, head);
        tl__buf_putc(&env, '}');
    }
    char first[32], last[32];
    tl__ts_format_us(pg.first, first);
    tl__ts_format_us(pg.last, last);
    const char *hdrs[] = {"X-TAXII-Date-Added-First", first, "X-TAXII-Date-Added-Last", last, NULL};
    res = send_buf(c, rq, MHD_HTTP_OK, &env, shown ? hdrs : NULL);
    tl__buf_free(&env);
out:
    tl__taxii_args_free(a);
    tl_free(a);
    return res;
}

/* Is a Content-Type the TAXII 2.1 media type (spaces and case aside)? */
static int taxii_media(const char *h)
{
    char buf[128];
    size_t n = 0;
    if (!h || strlen(h) >= sizeof buf) return 0;
    for (const char *p = h; *p; p++)
        if (*p != ' ' && *p != '\t') buf[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    buf[n] = '\0';
    if (n < 22 || strncmp(buf, "application/taxii+json", 22) != 0) return 0;
    char *rest = buf + 22;
    if (!*rest) return 1;
    if (*rest != ';') return 0;
    /* parameters: a version, if any, must be 2.1; a charset must be utf-8 */
    for (char *p = rest + 1; p && *p;) {
        char *next = strchr(p, ';');
        if (next) *next++ = '\0';
        if (!strncmp(p, "version=", 8) && strcmp(p + 8, "2.1") != 0) return 0;
        if (!strncmp(p, "charset=", 8) && strcmp(p + 8, "utf-8") != 0) return 0;
        p = next;
    }
    return 1;
}

/* One entry of a status's successes or failures. */
static void status_entry(struct tl_buf *b, const char *id, const char *version, const char *msg)
{
    if (b->len) tl__buf_putc(b, ',');
    tl__buf_puts(b, "{\"id\":");
    tl__taxii_json_str(b, id ? id : "");
    tl__buf_puts(b, ",\"version\":");
    tl__taxii_json_str(b, version ? version : "");
    if (msg) {
        tl__buf_puts(b, ",\"message\":");
        tl__taxii_json_str(b, msg);
    }
    tl__buf_putc(b, '}');
}

/*
 * POST to the caller's inbox: each object must be valid STIX and carry the
 * partner's signature; the good ones are stored with origin = the partner
 * in one transaction (a duplicate is a success). Answered 202 with the
 * status, which stays readable at /api/status/{id}/.
 */
static enum MHD_Result post_inbox(struct MHD_Connection *c, struct request *rq, tl_node *n)
{
    tl_keyset ks;
    if (tl__partner_keys(n, rq->partner, &ks))
        return send_error(c, rq, MHD_HTTP_FORBIDDEN, "Forbidden",
                          "nothing can be accepted from you: %s", tl_node_errmsg(n));
    tl_reader *r = NULL;
    tl_err rc = tl_reader_open_mem("the request body", rq->body.p ? rq->body.p : "", rq->body.len,
                                   &n->limits, &r);
    if (rc) return MHD_NO;
    struct tl_buf good = TL_BUF_INIT, ok = TL_BUF_INIT, failed = TL_BUF_INIT;
    size_t total = 0, nok = 0, nfailed = 0;
    enum MHD_Result res;
    for (;;) {
        json_t *obj = NULL;
        tl_reader_pos pos;
        rc = tl_reader_next(r, &obj, &pos);
        if (rc) {
            res = send_error(c, rq, MHD_HTTP_BAD_REQUEST, "Bad request", "%s", tl_reader_errmsg(r));
            goto out;
        }
        if (!obj) break;
        total++;
        const char *id = json_string_value(json_object_get(obj, "id"));
        const json_t *m = json_object_get(obj, "modified");
        if (!m) m = json_object_get(obj, "created");
        const char *ver = json_string_value(m);
        tl_stix_info info;
        tl_stix_error err;
        char why[300];
        char *text = NULL;
        size_t len = 0;
        if (tl_stix_validate(obj, &info, &err) != TL_OK) {
            status_entry(&failed, id, ver, err.msg);
            nfailed++;
        } else if (tl__sig_verify(obj, &ks, why, sizeof why) != TL_OK) {
            status_entry(&failed, id, ver, why);
            nfailed++;
        } else if (tl_json_canonical(obj, &text, &len) == TL_OK) {
            tl__buf_append(&good, text, len);
            tl__buf_putc(&good, '\n');
            status_entry(&ok, id, ver, NULL);
            nok++;
        }
        tl_free(text);
        json_decref(obj);
    }
    if (good.len) {
        tl_ingest_opts io;
        memset(&io, 0, sizeof io);
        io.origin = rq->partner;
        io.mem = good.p;
        io.mem_len = good.len;
        io.mem_name = "the request body";
        if (tl_node_ingest(n, NULL, 0, &io, NULL) != TL_OK) {
            /* one transaction: none of them was stored */
            res = send_error(c, rq, 422, "Unprocessable", "nothing was stored: %s",
                             tl_node_errmsg(n));
            goto out;
        }
        /* stored, and in the ledger: its head is signed as after a pull */
        if (tl_node_ledger_checkpoint(n) != TL_OK)
            fprintf(stderr, "tearline serve: ledger checkpoint: %s\n", tl_node_errmsg(n));
    }
    char sid[37], now[32];
    tl__uuid4(sid);
    tl__ts_format_us(tl__now_us(), now);
    struct tl_buf doc = TL_BUF_INIT;
    tl__buf_printf(&doc,
                   "{\"id\":\"%s\",\"status\":\"complete\",\"request_timestamp\":\"%s\","
                   "\"total_count\":%zu,\"success_count\":%zu,\"failure_count\":%zu,"
                   "\"pending_count\":0",
                   sid, now, total, nok, nfailed);
    if (nok) tl__buf_printf(&doc, ",\"successes\":[%.*s]", (int)ok.len, ok.p);
    if (nfailed) tl__buf_printf(&doc, ",\"failures\":[%.*s]", (int)failed.len, failed.p);
    tl__buf_putc(&doc, '}');
    if (!doc.oom && (rc = tl_store_begin(n->store)) == TL_OK) {
        rc = tl_store_status_put(n->store, sid, rq->partner, doc.p);
        if (!rc) rc = tl_store_commit(n->store);
        if (rc) tl_store_rollback(n->store);
    }
    res = rc ? send_error(c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error",
                          "the status could not be stored")
             : send_buf(c, rq, MHD_HTTP_ACCEPTED, &doc, NULL);
    tl__buf_free(&doc);
out:
    tl_reader_close(r);
    tl__buf_free(&good);
    tl__buf_free(&ok);
    tl__buf_free(&failed);
    return res;
}

/* Routes an authenticated request. */
static enum MHD_Result route(struct server *sv, struct MHD_Connection *c, struct request *rq,
                             const char *url, const char *method)
{
    int get = !strcmp(method, "GET"), post = !strcmp(method, "POST"),
        del = !strcmp(method, "DELETE");
    size_t len = strlen(url);
    if (len == 0 || url[len - 1] != '/' || len > 512) return not_found(c, rq);
    struct tl_buf b = TL_BUF_INIT;
    enum MHD_Result res;
    if (!strcmp(url, "/taxii2/")) {
        if (!get) goto method;
        tl__buf_puts(&b, "{\"title\":");
        tl__taxii_json_str(&b, sv->title);
        tl__buf_puts(&b, ",\"description\":\"tearline: sanitized releases under countersigned "
                         "sharing agreements\",\"default\":\"" API_ROOT
                         "\",\"api_roots\":[\"" API_ROOT "\"]}");
        goto ok;
    }
    if (strncmp(url, API_ROOT, strlen(API_ROOT)) != 0) return not_found(c, rq);
    const char *rest = url + strlen(API_ROOT);
    if (!*rest) {
        if (!get) goto method;
        tl__buf_puts(&b, "{\"title\":");
        tl__taxii_json_str(&b, sv->title);
        tl__buf_printf(&b, ",\"versions\":[\"" TL_TAXII_MEDIA "\"],\"max_content_length\":%zu}",
                       sv->max_body);
        goto ok;
    }
    if (!strncmp(rest, "status/", 7)) {
        const char *sid = rest + 7;
        if (!get) goto method;
        if (strlen(sid) != 37 || sid[36] != '/') return not_found(c, rq);
        char id[37];
        snprintf(id, sizeof id, "%.36s", sid);
        char *doc = NULL;
        tl_node *n = borrow(sv);
        tl_err rc = tl_store_status_get(n->store, id, rq->partner, &doc);
        give_back(sv, n);
        if (rc) return not_found(c, rq); /* another partner's status does not exist for you */
        tl__buf_puts(&b, doc);
        tl_free(doc);
        goto ok;
    }
    if (strncmp(rest, "collections/", 12) != 0) return not_found(c, rq);
    rest += 12;
    if (!*rest) {
        if (!get) goto method;
        tl__buf_puts(&b, "{\"collections\":[");
        for (int k = OUTBOX; k <= WITNESS; k++) {
            if (k != OUTBOX) tl__buf_putc(&b, ',');
            put_collection(sv, &b, rq->partner, (enum coll)k);
        }
        tl__buf_puts(&b, "]}");
        goto ok;
    }
    enum coll which = OUTBOX;
    int found = 0;
    for (int k = OUTBOX; k <= WITNESS && !found; k++) {
        char cid[37];
        collection_id(sv, coll_kind[k], rq->partner, cid);
        if (!strncmp(rest, cid, 36) && rest[36] == '/') {
            which = (enum coll)k;
            found = 1;
        }
    }
    if (!found) return not_found(c, rq);
    int outbox = which != INBOX; /* readable */
    rest += 37;
    if (!*rest) {
        if (!get) goto method;
        put_collection(sv, &b, rq->partner, which);
        goto ok;
    }
    int manifest = !strcmp(rest, "manifest/"), objects = !strcmp(rest, "objects/");
    char oid[300] = "";
    int versions = 0;
    if (!manifest && !objects) {
        if (strncmp(rest, "objects/", 8) != 0) return not_found(c, rq);
        const char *o = rest + 8, *slash = strchr(o, '/');
        if (!slash || slash == o || (size_t)(slash - o) >= sizeof oid) return not_found(c, rq);
        snprintf(oid, sizeof oid, "%.*s", (int)(slash - o), o);
        if (!strcmp(slash, "/versions/"))
            versions = 1;
        else if (strcmp(slash, "/") != 0)
            return not_found(c, rq);
    }
    if (post && objects) {
        if (outbox)
            return send_error(c, rq, MHD_HTTP_FORBIDDEN, "Forbidden",
                              "this collection is read-only for you");
        if (!taxii_media(
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
            return send_error(c, rq, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                              "send an envelope as " TL_TAXII_MEDIA);
        tl_node *n = borrow(sv);
        res = post_inbox(c, rq, n);
        give_back(sv, n);
        return res;
    }
    if (del && *oid && !versions)
        return send_error(c, rq, MHD_HTTP_FORBIDDEN, "Forbidden",
                          "objects in this collection cannot be deleted by you");
    if (!get) goto method;
    if (!outbox)
        return send_error(c, rq, MHD_HTTP_FORBIDDEN, "Forbidden",
                          "this collection is write-only for you");
    if (which == WITNESS) {
        char why[300];
        struct witness *w = witness_for(sv, rq->partner, why, sizeof why);
        if (!w)
            return send_error(c, rq, MHD_HTTP_FORBIDDEN, "Forbidden",
                              "no account of the ledger can be made for you: %s", why);
        res = list_outbox(sv, c, rq, manifest ? 0 : versions ? 2 : 1, *oid ? oid : NULL, w);
        witness_free(w);
        return res;
    }
    return list_outbox(sv, c, rq, manifest ? 0 : versions ? 2 : 1, *oid ? oid : NULL, NULL);
ok:
    res = send_buf(c, rq, MHD_HTTP_OK, &b, NULL);
    tl__buf_free(&b);
    return res;
method:
    tl__buf_free(&b);
    return send_error(c, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "Method not allowed",
                      "%s is not allowed on %s", method, url);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    struct server *sv = cls;
    struct request *rq = *con_cls;
    if (!rq) { /* the headers: a request state, and the body to come */
        rq = tl_calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        rq->t0 = tl__now_us();
        rq->body = (struct tl_buf)TL_BUF_INIT;
        snprintf(rq->method, sizeof rq->method, "%s", method);
        snprintf(rq->url, sizeof rq->url, "%s", url);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->body.len + *upload_size > sv->max_body)
            rq->too_big = 1;
        else
            tl__buf_append(&rq->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    char ip[48];
    client_ip(c, ip);
    if (!authenticate(sv, c, rq->partner)) {
        int n = failures(sv, ip, 1);
        if (n > 3)
            sleep_us((int64_t)(n - 3) * 250000 > 2000000 ? 2000000 : (int64_t)(n - 3) * 250000);
        return send_error(c, rq, MHD_HTTP_UNAUTHORIZED, "Unauthorized",
                          "authenticate as a partner of this node (HTTP Basic or a bearer token)");
    }
    if (!acceptable(c))
        return send_error(c, rq, MHD_HTTP_NOT_ACCEPTABLE, "Not acceptable",
                          "this server answers in " TL_TAXII_MEDIA);
    if (rq->too_big)
        return send_error(c, rq, 413, "Request too large",
                          "the body exceeds max_content_length (%zu bytes)", sv->max_body);
    return route(sv, c, rq, url, method);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct server *sv = cls;
    struct request *rq = *con_cls;
    if (!rq) return;
    pthread_mutex_lock(&sv->audit_mu);
    if (sv->naudit == sv->audit_cap && sv->audit_cap < AUDIT_PENDING_MAX) {
        size_t ncap = sv->audit_cap ? sv->audit_cap * 2 : 1024;
        struct audit_item *na = tl_realloc(sv->audit, ncap * sizeof *na);
        if (na) {
            sv->audit = na;
            sv->audit_cap = ncap;
        }
    }
    if (sv->naudit < sv->audit_cap) {
        struct audit_item *a = &sv->audit[sv->naudit++];
        a->time = tl__now_us();
        snprintf(a->partner, sizeof a->partner, "%s", rq->partner);
        snprintf(a->method, sizeof a->method, "%s", rq->method);
        snprintf(a->url, sizeof a->url, "%s", rq->url);
        snprintf(a->status, sizeof a->status, "%u%s", rq->status,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " not completed");
    } else {
        sv->audit_dropped++;
    }
    pthread_mutex_unlock(&sv->audit_mu);
    if (sv->opts->access_log) {
        char ip[48], ts[32];
        client_ip(c, ip);
        tl__ts_format_us(tl__now_us(), ts);
        pthread_mutex_lock(&sv->log_mu);
        fprintf(sv->opts->access_log, "%s %s %s %s %s %u %zu %lldus%s\n", ts, ip,
                *rq->partner ? rq->partner : "-", rq->method, rq->url, rq->status, rq->bytes,
                (long long)(tl__now_us() - rq->t0),
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
        fflush(sv->opts->access_log);
        pthread_mutex_unlock(&sv->log_mu);
    }
    tl__buf_free(&rq->body);
    tl_free(rq);
    *con_cls = NULL;
}

/*
 * Writes the requests recorded since the last call to the audit trail, in
 * one transaction. Returns 0, or -1 (the reason on stderr).
 */
static int flush_audit(struct server *sv)
{
    pthread_mutex_lock(&sv->audit_mu);
    struct audit_item *items = sv->audit;
    size_t n = sv->naudit;
    uint64_t dropped = sv->audit_dropped;
    sv->audit = NULL;
    sv->naudit = sv->audit_cap = 0;
    sv->audit_dropped = 0;
    pthread_mutex_unlock(&sv->audit_mu);
    if (!n && !dropped) {
        tl_free(items);
        return 0;
    }
    tl_node *an = sv->audit_node;
    tl_audit_rec *recs = tl_malloc((n + 1) * sizeof *recs);
    char note[80];
    int rc = -1;
    if (recs) {
        for (size_t i = 0; i < n; i++)
            recs[i] = (tl_audit_rec){items[i].time,   items[i].partner, items[i].url,
                                     items[i].method, items[i].status,  ""};
        size_t k = n;
        if (dropped) {
            snprintf(note, sizeof note, "%llu requests arrived while too many were pending",
                     (unsigned long long)dropped);
            recs[k++] = (tl_audit_rec){0, "", "taxii", "unrecorded", "overload", note};
        }
        rc = tl_store_begin(an->store) || tl__audit_many(an, recs, k) || tl_store_commit(an->store)
                 ? -1
                 : 0;
        if (rc) {
            tl_store_rollback(an->store);
            fprintf(stderr, "tearline serve: the audit trail: %s\n",
                    tl_node_errmsg(an)[0] ? tl_node_errmsg(an) : tl_store_errmsg(an->store));
        } else if (tl__audit_sign_head(an)) { /* the records are in; only the signed head is not */
            fprintf(stderr, "tearline serve: the audit trail's signed head: %s\n",
                    tl_node_errmsg(an));
            rc = -1;
        }
    }
    tl_free(recs);
    tl_free(items);
    return rc;
}

/* ---- the daemon ---- */

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *loopback)
{
    memset(ss, 0, sizeof *ss);
    const char *colon = strrchr(s, ':');
    if (!colon) return -1;
    char host[64];
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || colon == s) return -1;
    if (s[0] == '[') {
        if (colon[-1] != ']' || (size_t)(colon - s - 2) >= sizeof host) return -1;
        snprintf(host, sizeof host, "%.*s", (int)(colon - s - 2), s + 1);
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)(void *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return -1;
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        *len = sizeof *a;
        return 0;
    }
    if ((size_t)(colon - s) >= sizeof host) return -1;
    snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
    struct sockaddr_in *a = (struct sockaddr_in *)(void *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
    *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    *len = sizeof *a;
    return 0;
}

/* TLS 1.2 and 1.3 only. */
static char tls_priorities[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";

tl_err tl_node_serve(const char *home, const tl_server_opts *opts, char *errmsg, size_t errcap)
{
    struct server *sv = tl_calloc(1, sizeof *sv);
    if (!sv) return TL_ENOMEM;
    tl_err rc = TL_OK;
    struct MHD_Daemon *d = NULL;
    char *cert = NULL, *key = NULL;
    size_t certlen = 0, keylen = 0;
    sv->opts = opts;
    sv->home = home;
    sv->max_body = opts->max_body ? opts->max_body : 10u << 20;
    pthread_mutex_init(&sv->mu, NULL);
    pthread_mutex_init(&sv->log_mu, NULL);
    pthread_mutex_init(&sv->verify_mu, NULL);
    pthread_mutex_init(&sv->audit_mu, NULL);
    pthread_mutex_init(&sv->witness_mu, NULL);
    pthread_cond_init(&sv->free_node, NULL);
    tl_node *first = NULL; /* the pool's first handle, opened early to see the store */
    if ((rc = tl_node_open(home, &first, errmsg, errcap))) goto out;
    unsigned threads = opts->threads;
    if (!threads) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu > 0 ? (unsigned)ncpu : 1;
        /* a store across the network waits on round trips: more workers keep the cores busy */
        if (!strcmp(first->store->ops->name, "postgresql"))
            threads = threads * 8 > 32 ? 32 : threads * 8;
    }
    if (threads > 64) threads = 64;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    int loopback = 0;
    if (!opts->listen || parse_listen(opts->listen, &ss, &sslen, &loopback)) {
        tl__msg(errmsg, errcap, "'%s' is not ADDRESS:PORT (127.0.0.1:8443, [::1]:8443)",
                opts->listen ? opts->listen : "");
        rc = TL_EINVAL;
        goto out;
    }
    if (!opts->cert_file && !loopback) {
        tl__msg(errmsg, errcap,
                "plain HTTP is allowed only on a loopback address; give --cert and --key for %s",
                opts->listen);
        rc = TL_EINVAL;
        goto out;
    }
    if (opts->cert_file &&
        (!opts->key_file ||
         tl__read_file(opts->cert_file, 1 << 20, &cert, &certlen, errmsg, errcap) ||
         tl__read_file(opts->key_file, 1 << 20, &key, &keylen, errmsg, errcap))) {
        if (!opts->key_file) tl__msg(errmsg, errcap, "HTTPS needs both a certificate and a key");
        rc = TL_EINVAL;
        goto out;
    }
    /* a node handle per worker, and one for authentication while all are busy */
    sv->npool = threads + 1;
    sv->pool = tl_calloc(sv->npool, sizeof(tl_node *));
    sv->busy = tl_calloc(sv->npool, sizeof *sv->busy);
    if (!sv->pool || !sv->busy) {
        rc = TL_ENOMEM;
        goto out;
    }
    sv->pool[0] = first;
    first = NULL;
    for (size_t i = 1; i < sv->npool; i++)
        if ((rc = tl_node_open(home, &sv->pool[i], errmsg, errcap))) goto out;
    if ((rc = tl_node_open(home, &sv->audit_node, errmsg, errcap))) goto out;
    tl_node *n0 = sv->pool[0];
    /* a ledger that does not verify stops the server before it answers anyone */
    tl_ledger_report lr;
    if ((rc = tl_node_ledger_verify(n0, &lr))) {
        tl__msg(errmsg, errcap, "%s (tearline ledger verify)", tl_node_errmsg(n0));
        if (rc == TL_ECONFLICT) rc = TL_ECRYPTO; /* an integrity failure, not bad input */
        goto out;
    }
    snprintf(sv->title, sizeof sv->title, "%s (tearline node %s)", tl_node_title(n0),
             tl_node_code(n0));
    unsigned char secret[32];
    if ((rc = tl__node_release_secret(n0, secret))) {
        tl__msg(errmsg, errcap, "%s", tl_node_errmsg(n0));
        goto out;
    }
    crypto_generichash(sv->ids_key, 32, (const unsigned char *)"taxii collection ids", 20, secret,
                       32);
    crypto_generichash(sv->cursor_key, 32, (const unsigned char *)"taxii paging cursors", 20,
                       secret, 32);
    sodium_memzero(secret, sizeof secret);
    randombytes_buf(sv->cache_key, sizeof sv->cache_key);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
                     MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (cert) flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, tls_priorities},
        {MHD_OPTION_END, 0, NULL},
    };
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, sv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        opts->max_connections ? opts->max_connections : 256u, MHD_OPTION_CONNECTION_TIMEOUT,
        opts->timeout_s ? opts->timeout_s : 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED, completed, sv,
        cert ? MHD_OPTION_ARRAY : MHD_OPTION_END, tls, MHD_OPTION_END);
    if (!d) {
        tl__msg(errmsg, errcap, "cannot listen on %s (in use, or not an address of this host)",
                opts->listen);
        rc = TL_EIO;
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (opts->ready) opts->ready(opts->ud, di ? di->port : 0);
    for (unsigned tick = 0; !opts->stop || !*opts->stop; tick++) {
        sleep_us(50000);
        /*
         * every 2 s, or sooner when many wait: a commit per batch, since each
         * commit costs every reader of the store (a longer WAL to look in)
         */
        pthread_mutex_lock(&sv->audit_mu);
        int many = sv->naudit >= 20000;
        pthread_mutex_unlock(&sv->audit_mu);
        if (tick % 40 == 39 || many) flush_audit(sv);
    }
    MHD_quiesce_daemon(d); /* no new connections; those in flight finish */
out:
    tl_node_close(first);
    if (d) MHD_stop_daemon(d);
    if (sv->audit_node) {
        flush_audit(sv);
        tl_node_close(sv->audit_node);
    }
    for (size_t i = 0; sv->pool && i < sv->npool; i++)
        tl_node_close(sv->pool[i]);
    tl_free(sv->pool);
    tl_free(sv->busy);
    if (key) sodium_memzero(key, keylen);
    tl_free(key);
    tl_free(cert);
    pthread_mutex_destroy(&sv->mu);
    pthread_mutex_destroy(&sv->log_mu);
    pthread_mutex_destroy(&sv->verify_mu);
    pthread_mutex_destroy(&sv->audit_mu);
    pthread_mutex_destroy(&sv->witness_mu);
    for (size_t i = 0; i < WITNESS_CACHE; i++)
        witness_free(sv->witness[i]);
    tl_free(sv->audit);
    pthread_cond_destroy(&sv->free_node);
    sodium_memzero(sv, sizeof *sv);
    tl_free(sv);
    (void)certlen;
    return rc;
}
