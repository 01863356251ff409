/*
 * client.c: the TAXII 2.1 client (libcurl): pulling a partner's outbox.
 */
#include "tearline/client.h"
#include "tearline/json.h"
#include "tearline/partner.h"
#include "tearline/prov.h"
#include "tearline/stix.h"

#include "buf.h"
#include "node_int.h"
#include "sig.h"
#include "taxii.h"
#include "ts.h"

#include <curl/curl.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#define MAX_RESPONSE (256u << 20) /* bytes of one response */

struct partner_cfg {
    char url[1100];
    char credential[1100];
};

struct cfg_ctx {
    struct partner_cfg *cfg;
    int found;
};

static int find_cfg(const tl_partner_rec *p, void *ud)
{
    struct cfg_ctx *c = ud;
    snprintf(c->cfg->url, sizeof c->cfg->url, "%s", p->url);
    snprintf(c->cfg->credential, sizeof c->cfg->credential, "%s", p->credential);
    c->found = 1;
    return 0;
}

/* One HTTP exchange's result. */
struct http {
    long status;
    struct tl_buf body;
    char content_type[128];
    char added_last[40];
    int too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct http *h = ud;
    size_t n = size * nmemb;
    if (h->body.len + n > MAX_RESPONSE) {
        h->too_big = 1;
        return 0;
    }
    tl__buf_append(&h->body, data, n);
    return h->body.oom ? 0 : n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0) return;
    const char *v = line + k;
    size_t len = n - k;
    while (len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), v);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct http *h = ud;
    size_t n = size * nmemb;
    header_value(data, n, "content-type:", h->content_type, sizeof h->content_type);
    header_value(data, n, "x-taxii-date-added-last:", h->added_last, sizeof h->added_last);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * GETs url with the partner's credential, retrying 5xx answers and network
 * failures with backoff. TL_OK with h filled for any other answer.
 */
static tl_err http_get(tl_node *n, const char *url, const struct partner_cfg *cfg,
                       const tl_pull_opts *o, struct http *h)
{
    unsigned tries = o->retries ? o->retries : 5;
    long backoff = 500;
    for (unsigned attempt = 0;; attempt++) {
        tl__buf_reset(&h->body);
        h->body.oom = 0;
        h->status = 0;
        h->content_type[0] = h->added_last[0] = '\0';
        h->too_big = 0;
        CURL *c = curl_easy_init();
        if (!c) return TL_ENOMEM;
        struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: " TL_TAXII_MEDIA);
        char auth[1200];
        if (*cfg->credential && !strchr(cfg->credential, ':')) {
            snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->credential);
            hdrs = curl_slist_append(hdrs, auth);
            sodium_memzero(auth, sizeof auth);
        } else if (*cfg->credential) {
            curl_easy_setopt(c, CURLOPT_USERPWD, cfg->credential);
            curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "tearline/0.1");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(o->timeout_s ? o->timeout_s : 60));
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(c);
        if (h->too_big) {
            tl__node_err(n, "%s: the answer exceeds %u MB", url, MAX_RESPONSE >> 20);
            return TL_ELIMIT;
        }
        int transient = cc != CURLE_OK || h->status >= 500;
        if (!transient) return TL_OK;
        if (attempt + 1 >= tries) {
            if (cc != CURLE_OK)
                tl__node_err(n, "%s: %s (after %u attempts)", url, curl_easy_strerror(cc), tries);
            else
                tl__node_err(n, "%s: HTTP %ld (after %u attempts)", url, h->status, tries);
            return TL_EIO;
        }
        sleep_ms(backoff);
        backoff = backoff * 2 > 8000 ? 8000 : backoff * 2;
    }
}

/* Parses a TAXII answer: HTTP 200, the TAXII media type, a JSON object. */
static tl_err taxii_doc(tl_node *n, const char *url, struct http *h, json_t **doc)
{
    *doc = NULL;
    if (h->status != 200) {
        json_t *err = NULL;
        char msg[128];
        tl_json_parse(h->body.p ? h->body.p : "", h->body.len, &err, msg, sizeof msg);
        const char *title = json_string_value(json_object_get(err, "title"));
        const char *desc = json_string_value(json_object_get(err, "description"));
        tl__node_err(n, "%s: HTTP %ld%s%s%s%s", url, h->status, title ? ": " : "",
                     title ? title : "", desc ? " - " : "", desc ? desc : "");
        json_decref(err);
        return h->status == 401 || h->status == 403 ? TL_EAUTH : TL_EIO;
    }
    if (strncasecmp(h->content_type, "application/taxii+json", 22) != 0) {
        tl__node_err(n, "%s: the answer is not TAXII JSON (Content-Type '%s')", url,
                     h->content_type);
        return TL_EIO;
    }
    char msg[128];
    if (tl_json_parse(h->body.p ? h->body.p : "", h->body.len, doc, msg, sizeof msg) ||
        !json_is_object(*doc)) {
        json_decref(*doc);
        *doc = NULL;
        tl__node_err(n, "%s: the answer is not a JSON object (%s)", url, msg);
        return TL_EJSON;
    }
    return TL_OK;
}

static void url_encode(struct tl_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            tl__buf_putc(b, (char)*p);
        else
            tl__buf_printf(b, "%%%02X", *p);
    }
}

/* The id of the partner's collection to read: alias "outbox", else the first readable. */
static tl_err find_collection(tl_node *n, const char *root, const struct partner_cfg *cfg,
                              const tl_pull_opts *o, char id[64])
{
    char url[1200];
    snprintf(url, sizeof url, "%scollections/", root);
    struct http h = {0, TL_BUF_INIT, "", "", 0};
    json_t *doc = NULL;
    tl_err rc = http_get(n, url, cfg, o, &h);
    if (!rc) rc = taxii_doc(n, url, &h, &doc);
    tl__buf_free(&h.body);
    if (rc) return rc;
    const char *pick = NULL;
    size_t i;
    json_t *col;
    json_array_foreach(json_object_get(doc, "collections"), i, col)
    {
        if (!json_is_true(json_object_get(col, "can_read"))) continue;
        const char *cid = json_string_value(json_object_get(col, "id"));
        const char *alias = json_string_value(json_object_get(col, "alias"));
        if (cid && (!pick || (alias && !strcmp(alias, "outbox")))) pick = cid;
    }
    if (pick && strlen(pick) < 64)
        snprintf(id, 64, "%s", pick);
    else
        rc = TL_ENOTFOUND;
    if (rc) tl__node_err(n, "%s: no collection there can be read by this node", url);
    json_decref(doc);
    return rc;
}

static tl_err meta_set(tl_node *n, const char *key, const char *value)
{
    tl_err rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_meta_set(n->store, key, value);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    }
    return rc;
}

tl_err tl_node_pull(tl_node *n, const char *partner, const tl_pull_opts *opts, tl_pull_stats *stats)
{
    static const tl_pull_opts defaults;
    tl_pull_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!opts) opts = &defaults;
    n->errmsg[0] = '\0';
    struct partner_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    struct cfg_ctx cc = {&cfg, 0};
    tl_err rc = tl_party_code_valid(partner)
                    ? tl_store_partner_get(n->store, partner, find_cfg, &cc)
                    : TL_ENOTFOUND;
    if (rc || !*cfg.url) {
        tl__node_err(n, "%s is not a partner with a TAXII URL (tearline partner add %s --url ...)",
                     partner ? partner : "", partner ? partner : "CODE");
        return TL_ENOTFOUND;
    }
    unsigned char pk[32];
    if ((rc = tl__partner_key(n, partner, pk))) return rc;
    char root[1110];
    size_t ul = strlen(cfg.url);
    snprintf(root, sizeof root, "%s%s", cfg.url, ul && cfg.url[ul - 1] == '/' ? "" : "/");
    char cid[64];
    if ((rc = find_collection(n, root, &cfg, opts, cid))) goto out;
    /*
     * The query stays that of the first page (its added_after is the last
     * pull's checkpoint): `next` is bound to it. The checkpoint moves after
     * every stored page, for the next pull or a resumed one.
     */
    char ckey[80], *checkpoint = NULL;
    snprintf(ckey, sizeof ckey, "pull.%s.%s", partner, cid);
    if (tl_store_meta_get(n->store, ckey, &checkpoint) != TL_OK) checkpoint = NULL;
    const char *since = checkpoint;
    char *next = NULL;
    struct http h = {0, TL_BUF_INIT, "", "", 0};
    struct tl_buf url = TL_BUF_INIT, good = TL_BUF_INIT;
    size_t page = opts->page ? opts->page : 500;
    for (;;) {
        if (opts->cancel && *opts->cancel) {
            tl__node_err(n, "interrupted; every page stored so far is kept");
            rc = TL_EINTERRUPTED;
            break;
        }
        tl__buf_reset(&url);
        tl__buf_printf(&url, "%scollections/%s/objects/?limit=%zu", root, cid, page);
        if (since) {
            tl__buf_puts(&url, "&added_after=");
            url_encode(&url, since);
        }
        if (next) {
            tl__buf_puts(&url, "&next=");
            url_encode(&url, next);
        }
        if (url.oom) {
            rc = TL_ENOMEM;
            break;
        }
        json_t *env = NULL;
        if ((rc = http_get(n, url.p, &cfg, opts, &h)) || (rc = taxii_doc(n, url.p, &h, &env)))
            break;
        stats->pages++;
        tl__buf_reset(&good);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(env, "objects"), i, o)
        {
            stats->objects++;
            char why[300];
            const char *id = json_string_value(json_object_get(o, "id"));
            tl_err vr = tl__sig_verify(o, pk, why, sizeof why);
            if (vr == TL_ENOMEM) {
                rc = vr;
                break;
            }
            if (vr) {
                if (!opts->skip_bad) {
                    tl__node_err(n,
                                 "%s: object %s is refused: %s; nothing of this page was stored "
                                 "(--skip-bad stores the rest)",
                                 url.p, id ? id : "(no id)", why);
                    rc = TL_ECRYPTO;
                    break;
                }
                stats->rejected++;
                continue;
            }
            char *text = NULL;
            size_t len = 0;
            if ((rc = tl_json_canonical(o, &text, &len))) break;
            tl__buf_append(&good, text, len);
            tl__buf_putc(&good, '\n');
            tl_free(text);
        }
        int more = json_is_true(json_object_get(env, "more"));
        const char *nx = json_string_value(json_object_get(env, "next"));
        tl_free(next);
        next = more && nx ? tl_strdup(nx) : NULL;
        json_decref(env);
        if (rc) break;
        if (good.len) {
            tl_ingest_opts io;
            memset(&io, 0, sizeof io);
            io.origin = partner;
            io.mem = good.p;
            io.mem_len = good.len;
            io.mem_name = url.p;
            tl_ingest_stats is;
            if ((rc = tl_node_ingest(n, NULL, 0, &io, &is))) break;
            stats->stored += is.stored;
            stats->duplicates += is.duplicates;
        }
        /* the checkpoint moves only once the page is stored */
        char ts[TL_TS_KEYMAX];
        if (*h.added_last && !tl__ts_parse(h.added_last, strlen(h.added_last), NULL, NULL, ts)) {
            if ((rc = meta_set(n, ckey, h.added_last))) break;
        }
        if (opts->progress) opts->progress(opts->ud, stats->objects, stats->stored);
        if (!more) break;
        if (!next) {
            tl__node_err(n, "%s: the server says there is more but gives no next", url.p);
            rc = TL_EIO;
            break;
        }
    }
    tl_free(next);
    tl_free(checkpoint);
    tl__buf_free(&h.body);
    tl__buf_free(&url);
    tl__buf_free(&good);
out:
    sodium_memzero(cfg.credential, sizeof cfg.credential);
    return rc;
}
