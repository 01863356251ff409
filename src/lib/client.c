/*
 * client.c: the TAXII 2.1 client (libcurl): pulling a partner's outbox.
 */
#include "tearline/client.h"
#include "tearline/json.h"
#include "tearline/ledger.h"
#include "tearline/partner.h"
#include "tearline/prov.h"
#include "tearline/release.h"
#include "tearline/stix.h"

#include "buf.h"
#include "keys.h"
#include "jcs.h"
#include "ledger_int.h"
#include "node_int.h"
#include "par.h"
#include "sig.h"
#include "taxii.h"
#include "ts.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RESPONSE (256u << 20) /* bytes of one response */

struct partner_cfg {
    char url[1100];
    char credential[1100];
    char ca[1100];
    CURL *curl; /* one handle for the whole exchange: its connection is reused */
};

/* The exchange's handle, made on first use and reset (connection kept) after. */
static CURL *handle(struct partner_cfg *cfg)
{
    if (cfg->curl)
        curl_easy_reset(cfg->curl);
    else
        cfg->curl = curl_easy_init();
    return cfg->curl;
}

/* Wipes the credential and closes the connection. */
static void cfg_done(struct partner_cfg *cfg)
{
    curl_easy_cleanup(cfg->curl);
    sodium_memzero(cfg, sizeof *cfg);
}

static int find_cfg(const tl_partner_rec *p, void *ud)
{
    struct partner_cfg *cfg = ud;
    snprintf(cfg->url, sizeof cfg->url, "%s", p->url);
    snprintf(cfg->credential, sizeof cfg->credential, "%s", p->credential);
    snprintf(cfg->ca, sizeof cfg->ca, "%s", p->ca);
    return 0;
}

/* How to reach partner, and its API root (with a final '/') into root. TL_ENOTFOUND if no URL. */
static tl_err partner_cfg(tl_node *n, const char *partner, struct partner_cfg *cfg, char root[1110])
{
    memset(cfg, 0, sizeof *cfg);
    tl_err rc = tl_party_code_valid(partner)
                    ? tl_store_partner_get(n->store, partner, find_cfg, cfg)
                    : TL_ENOTFOUND;
    if (rc || !*cfg->url) {
        cfg_done(cfg);
        tl__node_err(n, "%s is not a partner with a TAXII URL (tearline partner add %s --url ...)",
                     partner ? partner : "", partner ? partner : "CODE");
        return TL_ENOTFOUND;
    }
    size_t ul = strlen(cfg->url);
    snprintf(root, 1110, "%s%s", cfg->url, cfg->url[ul - 1] == '/' ? "" : "/");
    return TL_OK;
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
 * Sets up c for a TAXII request to url with the partner's credential and
 * CA, into h; a POST of body[0..len) when body is given. Returns the header
 * list to free after the request, or NULL.
 */
static struct curl_slist *prepare(CURL *c, const char *url, struct partner_cfg *cfg,
                                  const tl_pull_opts *o, struct http *h, const char *body,
                                  size_t len)
{
    struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: " TL_TAXII_MEDIA);
    if (hdrs && body) hdrs = curl_slist_append(hdrs, "Content-Type: " TL_TAXII_MEDIA);
    if (hdrs && *cfg->credential && !strchr(cfg->credential, ':')) {
        char auth[1200];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->credential);
        hdrs = curl_slist_append(hdrs, auth);
        sodium_memzero(auth, sizeof auth);
    } else if (*cfg->credential) {
        curl_easy_setopt(c, CURLOPT_USERPWD, cfg->credential);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    }
    if (!hdrs) return NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tearline/0.1");
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(o->timeout_s ? o->timeout_s : 60));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (*cfg->ca) curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca);
    return hdrs;
}

/* Aborts a transfer once *stop is set. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return atomic_load((atomic_int *)ud) != 0;
}

/*
 * GETs url with the partner's credential, retrying 5xx answers and network
 * failures with backoff. TL_OK with h filled for any other answer. A set
 * *stop (stop may be NULL) abandons it: TL_EINTERRUPTED.
 */
static tl_err http_get(char *err, size_t errcap, const char *url, struct partner_cfg *cfg,
                       const tl_pull_opts *o, atomic_int *stop, struct http *h)
{
    unsigned tries = o->retries ? o->retries : 5;
    long backoff = 500;
    for (unsigned attempt = 0;; attempt++) {
        tl__buf_reset(&h->body);
        h->body.oom = 0;
        h->status = 0;
        h->content_type[0] = h->added_last[0] = '\0';
        h->too_big = 0;
        CURL *c = handle(cfg);
        struct curl_slist *hdrs = NULL;
        if (!c || !(hdrs = prepare(c, url, cfg, o, h, NULL, 0))) return TL_ENOMEM;
        if (stop) {
            curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
            curl_easy_setopt(c, CURLOPT_XFERINFODATA, stop);
            curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        }
        CURLcode cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
        curl_slist_free_all(hdrs);
        if (stop && atomic_load(stop)) {
            tl__msg(err, errcap, "%s: abandoned", url);
            return TL_EINTERRUPTED;
        }
        if (h->too_big) {
            tl__msg(err, errcap, "%s: the answer exceeds %u MB", url, MAX_RESPONSE >> 20);
            return TL_ELIMIT;
        }
        int transient = cc != CURLE_OK || h->status >= 500;
        if (!transient) return TL_OK;
        if (attempt + 1 >= tries) {
            if (cc != CURLE_OK)
                tl__msg(err, errcap, "%s: %s (after %u attempts)", url, curl_easy_strerror(cc),
                        tries);
            else
                tl__msg(err, errcap, "%s: HTTP %ld (after %u attempts)", url, h->status, tries);
            return TL_EIO;
        }
        for (long waited = 0; waited < backoff && !(stop && atomic_load(stop)); waited += 100)
            sleep_ms(100);
        backoff = backoff * 2 > 8000 ? 8000 : backoff * 2;
    }
}

/* Parses a TAXII answer: HTTP 200, the TAXII media type, a JSON object. */
static tl_err taxii_doc(char *err, size_t errcap, const char *url, struct http *h, json_t **doc)
{
    *doc = NULL;
    if (h->status != 200) {
        json_t *e = NULL;
        char msg[128];
        tl_json_parse(h->body.p ? h->body.p : "", h->body.len, &e, msg, sizeof msg);
        const char *title = json_string_value(json_object_get(e, "title"));
        const char *desc = json_string_value(json_object_get(e, "description"));
        tl__msg(err, errcap, "%s: HTTP %ld%s%s%s%s", url, h->status, title ? ": " : "",
                title ? title : "", desc ? " - " : "", desc ? desc : "");
        json_decref(e);
        return h->status == 401 || h->status == 403 ? TL_EAUTH : TL_EIO;
    }
    if (strncasecmp(h->content_type, "application/taxii+json", 22) != 0) {
        tl__msg(err, errcap, "%s: the answer is not TAXII JSON (Content-Type '%s')", url,
                h->content_type);
        return TL_EIO;
    }
    char msg[128];
    if (tl_json_parse(h->body.p ? h->body.p : "", h->body.len, doc, msg, sizeof msg) ||
        !json_is_object(*doc)) {
        json_decref(*doc);
        *doc = NULL;
        tl__msg(err, errcap, "%s: the answer is not a JSON object (%s)", url, msg);
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

/*
 * The id of the partner's collection to read: alias "outbox", else the
 * first readable; of its inbox, and of its witness collection (alias
 * "witness", readable; "" if it offers none).
 */
static tl_err find_collection(tl_node *n, const char *root, struct partner_cfg *cfg,
                              const tl_pull_opts *o, char id[64], char inbox[64], char witness[64])
{
    char url[1200];
    snprintf(url, sizeof url, "%scollections/", root);
    struct http h = {0, TL_BUF_INIT, "", "", 0};
    json_t *doc = NULL;
    tl_err rc = http_get(n->errmsg, sizeof n->errmsg, url, cfg, o, NULL, &h);
    if (!rc) rc = taxii_doc(n->errmsg, sizeof n->errmsg, url, &h, &doc);
    tl__buf_free(&h.body);
    if (rc) return rc;
    const char *pick = NULL;
    size_t i;
    json_t *col;
    inbox[0] = witness[0] = '\0';
    json_array_foreach(json_object_get(doc, "collections"), i, col)
    {
        const char *cid = json_string_value(json_object_get(col, "id"));
        const char *alias = json_string_value(json_object_get(col, "alias"));
        if (cid && strlen(cid) < 64 && alias && !strcmp(alias, "inbox") &&
            json_is_true(json_object_get(col, "can_write")))
            snprintf(inbox, 64, "%s", cid);
        if (!json_is_true(json_object_get(col, "can_read"))) continue;
        if (cid && strlen(cid) < 64 && alias && !strcmp(alias, "witness")) {
            snprintf(witness, 64, "%s", cid);
            continue;
        }
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

/* What a pull received, for its receipts: {"id", "version"} of every object. */
struct acks {
    json_t *list;
    size_t n;
};

#define RECEIPT_MAX 5000 /* entries in one receipt */

static tl_err acknowledge(struct acks *a, const json_t *o)
{
    const json_t *v = json_object_get(o, "modified");
    if (!v) v = json_object_get(o, "created");
    if (!a->list && !(a->list = json_array())) return TL_ENOMEM;
    json_t *e = json_pack("{s:O, s:O}", "id", json_object_get(o, "id"), "version", v);
    if (!e || json_array_append_new(a->list, e)) return TL_ENOMEM;
    a->n++;
    return TL_OK;
}

/* The digest a receipt carries: BLAKE2b-256 of the RFC 8785 form of its x_objects. */
static tl_err receipt_digest(const json_t *objects, char hex[65])
{
    char *text = NULL;
    size_t len = 0;
    tl_err rc = tl_json_canonical(objects, &text, &len);
    if (rc) return rc;
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)text, len, NULL, 0);
    tl_free(text);
    sodium_bin2hex(hex, 65, d, sizeof d);
    return TL_OK;
}

/* POSTs an envelope to url; TL_OK when the status says every object succeeded. */
static tl_err http_post(tl_node *n, const char *url, struct partner_cfg *cfg, const tl_pull_opts *o,
                        const char *body, size_t len, size_t want)
{
    struct http h = {0, TL_BUF_INIT, "", "", 0};
    CURL *c = handle(cfg);
    struct curl_slist *hdrs = NULL;
    if (!c || !(hdrs = prepare(c, url, cfg, o, &h, body, len))) return TL_ENOMEM;
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h.status);
    curl_slist_free_all(hdrs);
    tl_err rc = TL_OK;
    json_t *st = NULL;
    char msg[128];
    if (cc != CURLE_OK) {
        tl__node_err(n, "%s: %s", url, curl_easy_strerror(cc));
        rc = TL_EIO;
    } else if (h.status != 202 && h.status != 200) {
        tl__node_err(n, "%s: HTTP %ld", url, h.status);
        rc = TL_EIO;
    } else if (tl_json_parse(h.body.p ? h.body.p : "", h.body.len, &st, msg, sizeof msg) ||
               (size_t)json_integer_value(json_object_get(st, "success_count")) != want) {
        tl__node_err(n, "%s: the status does not count every object as a success", url);
        rc = TL_EIO;
    }
    json_decref(st);
    tl__buf_free(&h.body);
    return rc;
}

/*
 * Signs receipts for everything a pull received (RECEIPT_MAX entries each),
 * keeps them in the holdings and posts them to the partner's inbox. The pull
 * has succeeded either way: stats say whether the receipts were delivered.
 */
static void send_receipts(tl_node *n, const char *partner, const char *root,
                          struct partner_cfg *cfg, const tl_pull_opts *opts, const char *cid,
                          const char *inbox, struct acks *ack, tl_pull_stats *stats)
{
    unsigned char sk[64];
    if (tl__node_key_to(n, partner, sk)) return;
    struct tl_buf jsonl = TL_BUF_INIT;
    char now[32];
    tl__ts_format_ms(tl__now_us(), now);
    tl_err rc = TL_OK;
    size_t made = 0;
    for (size_t from = 0; from < ack->n && !rc; from += RECEIPT_MAX) {
        json_t *objects = json_array();
        for (size_t i = from; i < ack->n && i < from + RECEIPT_MAX; i++)
            json_array_append(objects, json_array_get(ack->list, i));
        char id[80], uuid[37], digest[65];
        tl__uuid4(uuid);
        snprintf(id, sizeof id, TL_RECEIPT_TYPE "--%s", uuid);
        rc = receipt_digest(objects, digest);
        json_t *r =
            rc ? NULL
               : json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s}", "type",
                           TL_RECEIPT_TYPE, "spec_version", "2.1", "id", id, "created", now,
                           "modified", now, "created_by_ref", tl_node_identity(n), "x_released_by",
                           partner, "x_collection", cid, "x_objects", json_incref(objects),
                           "x_count", (json_int_t)json_array_size(objects), "x_digest", digest);
        json_decref(objects);
        char *text = NULL;
        size_t len = 0;
        if (!r || (rc = tl__sig_add(r, sk, tl_node_identity(n))) ||
            (rc = tl_json_canonical(r, &text, &len))) {
            if (!rc) rc = TL_ENOMEM;
        } else {
            tl__buf_append(&jsonl, text, len);
            tl__buf_putc(&jsonl, '\n');
            made++;
        }
        tl_free(text);
        json_decref(r);
    }
    if (!rc && !jsonl.oom) { /* kept here, as our own record */
        tl_ingest_opts io;
        memset(&io, 0, sizeof io);
        io.mem = jsonl.p;
        io.mem_len = jsonl.len;
        io.mem_name = "receipts";
        rc = tl_node_ingest(n, NULL, 0, &io, NULL);
    }
    /* and, last, our signed account of the ledger as it now stands (reconcile) */
    char *wtext = NULL;
    size_t wlen = 0;
    if (!rc && (rc = tl__ledger_witness_signed(n, partner, &wtext, &wlen)) == TL_OK) {
        tl__buf_append(&jsonl, wtext, wlen);
        tl__buf_putc(&jsonl, '\n');
    }
    tl_free(wtext);
    sodium_memzero(sk, sizeof sk);
    if (!rc) stats->receipts = made;
    if (!rc && !*inbox) {
        tl__node_err(n, "%s offers no inbox to send receipts to", root);
        rc = TL_ENOTFOUND;
    }
    if (!rc) { /* one receipt per envelope: each stays well within max_content_length */
        char url[1200];
        snprintf(url, sizeof url, "%scollections/%s/objects/", root, inbox);
        struct tl_buf one = TL_BUF_INIT;
        for (size_t at = 0, k = 0; k < made + 1 && at < jsonl.len; k++) {
            const char *nl = memchr(jsonl.p + at, '\n', jsonl.len - at);
            size_t len = nl ? (size_t)(nl - (jsonl.p + at)) : jsonl.len - at;
            tl__buf_reset(&one);
            tl__buf_puts(&one, "{\"objects\":[");
            tl__buf_append(&one, jsonl.p + at, len);
            tl__buf_puts(&one, "]}");
            at += len + 1;
            if (one.oom || http_post(n, url, cfg, opts, one.p, one.len, 1)) break;
            if (k < made) stats->receipts_delivered++;
        }
        tl__buf_free(&one);
    }
    tl__buf_free(&jsonl);
}

static int is_str(const json_t *o, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && !strcmp(v, want);
}

/*
 * Gets the partner's witness (its signed account of its ledger for this
 * node) from its witness collection, checks it like any object it signs,
 * and keeps it (holdings and a witness entry of the ledger). Made after
 * this node's receipts reached it, it counts them. A failure leaves the
 * pull as it was, with a warning in the message.
 */
static void fetch_witness(tl_node *n, const char *partner, const char *root,
                          struct partner_cfg *cfg, const tl_pull_opts *o, const char *wid,
                          const tl_keyset *ks, tl_pull_stats *stats)
{
    char url[1200], why[300] = "";
    snprintf(url, sizeof url, "%scollections/%s/objects/", root, wid);
    struct http h = {0, TL_BUF_INIT, "", "", 0};
    json_t *doc = NULL;
    tl_err rc = http_get(why, sizeof why, url, cfg, o, NULL, &h);
    if (!rc) rc = taxii_doc(why, sizeof why, url, &h, &doc);
    tl__buf_free(&h.body);
    const json_t *objs = json_object_get(doc, "objects"), *w = json_array_get(objs, 0);
    tl_stix_info info;
    tl_stix_error err;
    if (!rc && (json_array_size(objs) != 1 || !is_str(w, "type", TL_WITNESS_TYPE) ||
                !is_str(w, "x_party", partner) || !is_str(w, "x_for", n->code))) {
        snprintf(why, sizeof why, "%s: not one witness of %s for this node", url, partner);
        rc = TL_ESTIX;
    }
    if (!rc && tl_stix_validate(w, &info, &err) != TL_OK) {
        snprintf(why, sizeof why, "%s: %s", url, err.msg);
        rc = TL_ESTIX;
    }
    if (!rc && (rc = tl__sig_verify(w, ks, why, sizeof why)) != TL_OK) rc = TL_ECRYPTO;
    if (!rc) { /* kept as a pull keeps a page: from the parsed object, in one transaction */
        tl_ingest_opts io;
        memset(&io, 0, sizeof io);
        io.origin = partner;
        json_t *one[] = {tl__json_mut(w)};
        rc = tl__node_ingest_parsed(n, one, 1, url, &io, NULL);
        if (rc) snprintf(why, sizeof why, "%s", n->errmsg);
    }
    json_decref(doc);
    if (!rc)
        stats->witness = 1;
    else
        tl__node_err(n, "%s's account of its ledger was not kept: %s", partner, why);
}

/* One received object's signature, checked on a worker. */
struct checked {
    tl_err rc;
    char why[300];
};

struct checks {
    const json_t *list;
    const tl_keyset *ks;
    struct checked *out;
};

static void check_one(size_t i, void *ctx)
{
    struct checks *ck = ctx;
    struct checked *c = &ck->out[i];
    c->rc = tl__sig_verify(json_array_get(ck->list, i), ck->ks, c->why, sizeof c->why);
}

/*
 * The fetcher: gets and parses the pages of a pull and checks their
 * signatures (on the workers), one ahead of the thread that stores them,
 * following `next` from each page. A page (or the error that ended the
 * fetching) waits in a one-place slot.
 */
struct fetched {
    json_t *env;             /* a page; NULL at the end */
    struct checked *checked; /* each of its objects' signature, checked here */
    tl_err rc;               /* at the end: the fetching failed, err says why */
    char err[1024];
    char url[1500];      /* for messages */
    char added_last[40]; /* X-TAXII-Date-Added-Last */
    int end;             /* no page: the fetching ended */
};

struct fetcher {
    const char *root, *cid, *since;
    const tl_keyset *ks;
    size_t page;
    struct partner_cfg *cfg;
    const tl_pull_opts *opts;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fetched slot;
    int full;
    atomic_int stop; /* the consumer is done: also aborts a transfer under way */
};

static void page_free(struct fetched *pg)
{
    json_decref(pg->env);
    tl_free(pg->checked);
    pg->env = NULL;
    pg->checked = NULL;
}

/* Hands pg to the consumer; 0 if it asked the fetcher to stop (pg is dropped). */
static int put_page(struct fetcher *f, struct fetched *pg)
{
    pthread_mutex_lock(&f->mu);
    while (f->full && !atomic_load(&f->stop))
        pthread_cond_wait(&f->cv, &f->mu);
    int ok = !atomic_load(&f->stop);
    if (ok) {
        f->slot = *pg;
        f->full = 1;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (!ok) page_free(pg);
    return ok;
}

/* The next page into pg; 0 after the last one. */
static int take_page(struct fetcher *f, struct fetched *pg)
{
    pthread_mutex_lock(&f->mu);
    while (!f->full)
        pthread_cond_wait(&f->cv, &f->mu);
    *pg = f->slot;
    int more = !pg->end || pg->rc;
    if (more) f->full = 0; /* the end stays in the slot */
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return more;
}

static void stop_fetcher(struct fetcher *f)
{
    pthread_mutex_lock(&f->mu);
    atomic_store(&f->stop, 1);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* After the join: a page the consumer never took. */
static void drain(struct fetcher *f)
{
    if (f->full) page_free(&f->slot);
    f->full = 0;
}

static void *fetch_pages(void *arg)
{
    struct fetcher *f = arg;
    struct http h = {0, TL_BUF_INIT, "", "", 0};
    struct tl_buf url = TL_BUF_INIT;
    char *next = NULL;
    struct fetched pg;
    for (;;) {
        memset(&pg, 0, sizeof pg);
        if (atomic_load(&f->stop)) break;
        if (f->opts->cancel && *f->opts->cancel) {
            pg.rc = TL_EINTERRUPTED;
            tl__msg(pg.err, sizeof pg.err, "interrupted; every page stored so far is kept");
            break;
        }
        tl__buf_reset(&url);
        tl__buf_printf(&url, "%scollections/%s/objects/?limit=%zu", f->root, f->cid, f->page);
        if (f->since) {
            tl__buf_puts(&url, "&added_after=");
            url_encode(&url, f->since);
        }
        if (next) {
            tl__buf_puts(&url, "&next=");
            url_encode(&url, next);
        }
        if (url.oom) {
            pg.rc = TL_ENOMEM;
            tl__msg(pg.err, sizeof pg.err, "out of memory");
            break;
        }
        snprintf(pg.url, sizeof pg.url, "%s", url.p);
        if ((pg.rc = http_get(pg.err, sizeof pg.err, url.p, f->cfg, f->opts, &f->stop, &h)) ||
            (pg.rc = taxii_doc(pg.err, sizeof pg.err, url.p, &h, &pg.env)))
            break;
        snprintf(pg.added_last, sizeof pg.added_last, "%s", h.added_last);
        /* every signature, while the consumer stores the page before */
        struct checks ck = {json_object_get(pg.env, "objects"), f->ks, NULL};
        size_t count = json_array_size(ck.list);
        if (count && !(ck.out = pg.checked = tl_calloc(count, sizeof *ck.out))) {
            json_decref(pg.env);
            pg.env = NULL;
            pg.rc = TL_ENOMEM;
            tl__msg(pg.err, sizeof pg.err, "out of memory");
            break;
        }
        tl__parallel_for(count, check_one, &ck);
        int more = json_is_true(json_object_get(pg.env, "more"));
        const char *nx = json_string_value(json_object_get(pg.env, "next"));
        tl_free(next);
        next = more && nx ? tl_strdup(nx) : NULL;
        if (!put_page(f, &pg)) break;
        memset(&pg, 0, sizeof pg);
        if (!more) break; /* the end */
        if (!next) {      /* this page counted; there is no way to the next */
            pg.rc = nx ? TL_ENOMEM : TL_EIO;
            tl__msg(pg.err, sizeof pg.err, "%s: the server says there is more but gives no next",
                    url.p);
            break;
        }
    }
    /* the end, or the error that ended the fetching */
    pg.end = 1;
    put_page(f, &pg);
    tl_free(next);
    tl__buf_free(&h.body);
    tl__buf_free(&url);
    return NULL;
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
    char root[1110];
    tl_err rc = partner_cfg(n, partner, &cfg, root);
    if (rc) return rc;
    tl_keyset ks;
    if ((rc = tl__partner_keys(n, partner, &ks))) goto out;
    char cid[64], inbox[64], wid[64];
    if ((rc = find_collection(n, root, &cfg, opts, cid, inbox, wid))) goto out;
    /*
     * The query stays that of the first page (its added_after is the last
     * pull's checkpoint): `next` is bound to it. The checkpoint moves after
     * every stored page, for the next pull or a resumed one. A fetcher
     * thread gets and parses the next page while this one checks and
     * stores the current.
     */
    char ckey[80], *checkpoint = NULL;
    snprintf(ckey, sizeof ckey, "pull.%s.%s", partner, cid);
    if (tl_store_meta_get(n->store, ckey, &checkpoint) != TL_OK) checkpoint = NULL;
    struct acks ack = {NULL, 0};
    struct fetcher f;
    memset(&f, 0, sizeof f);
    f.root = root;
    f.cid = cid;
    f.since = checkpoint;
    f.page = opts->page ? opts->page : 500;
    f.cfg = &cfg;
    f.opts = opts;
    f.ks = &ks;
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    int started = pthread_create(&f.thread, NULL, fetch_pages, &f) == 0;
    if (!started) rc = TL_ENOMEM;
    while (started) {
        struct fetched pg;
        if (!take_page(&f, &pg)) break; /* the last page was taken */
        if (pg.rc) {
            tl__node_err(n, "%s", pg.err);
            rc = pg.rc;
            break;
        }
        if (opts->cancel && *opts->cancel) {
            page_free(&pg);
            tl__node_err(n, "interrupted; every page stored so far is kept");
            rc = TL_EINTERRUPTED;
            break;
        }
        json_t *env = pg.env;
        stats->pages++;
        size_t i;
        json_t *o;
        /* every signature was checked on the fetcher's workers: the results in order here */
        struct checks ck = {json_object_get(env, "objects"), &ks, pg.checked};
        size_t count = json_array_size(ck.list);
        size_t ngood = 0;
        json_t **good = tl_malloc((count ? count : 1) * sizeof(json_t *));
        if (!good) {
            page_free(&pg);
            rc = TL_ENOMEM;
            break;
        }
        for (i = 0; i < count && !rc; i++) {
            struct checked *c = &ck.out[i];
            o = json_array_get(ck.list, i);
            stats->objects++;
            const char *id = json_string_value(json_object_get(o, "id"));
            if (c->rc == TL_ENOMEM) {
                rc = TL_ENOMEM;
            } else if (c->rc && !opts->skip_bad) {
                tl__node_err(n,
                             "%s: object %s is refused: %s; nothing of this page was stored "
                             "(--skip-bad stores the rest)",
                             pg.url, id ? id : "(no id)", c->why);
                rc = TL_ECRYPTO;
            } else if (c->rc) {
                stats->rejected++;
            } else {
                good[ngood++] = o;
                rc = acknowledge(&ack, o);
            }
        }
        if (!rc) {
            /* stored in one transaction with the checkpoint (the page's last date_added) */
            tl_ingest_opts io;
            memset(&io, 0, sizeof io);
            io.origin = partner;
            char ts[TL_TS_KEYMAX];
            if (*pg.added_last &&
                !tl__ts_parse(pg.added_last, strlen(pg.added_last), NULL, NULL, ts)) {
                io.meta_key = ckey;
                io.meta_value = pg.added_last;
            }
            tl_ingest_stats is;
            rc = tl__node_ingest_parsed(n, good, ngood, pg.url, &io, &is);
            stats->stored += is.stored;
            stats->duplicates += is.duplicates;
        }
        tl_free(good);
        page_free(&pg);
        if (rc) break;
        if (opts->progress) opts->progress(opts->ud, stats->objects, stats->stored);
    }
    if (started) {
        stop_fetcher(&f);
        pthread_join(f.thread, NULL);
        drain(&f);
    }
    pthread_mutex_destroy(&f.mu);
    pthread_cond_destroy(&f.cv);
    /* acknowledge what arrived: signed receipts, kept here and sent to the partner */
    if (!rc && ack.n) send_receipts(n, partner, root, &cfg, opts, cid, inbox, &ack, stats);
    json_decref(ack.list);
    /* and, those in, the partner's signed account of its ledger for this node */
    if (!rc && *wid) fetch_witness(n, partner, root, &cfg, opts, wid, &ks, stats);
    if (stats->stored || stats->duplicates || stats->witness) { /* the head, signed after a pull */
        char keep[sizeof n->errmsg];
        memcpy(keep, n->errmsg, sizeof keep);
        tl_err cr = tl_node_ledger_checkpoint(n);
        if (rc)
            memcpy(n->errmsg, keep, sizeof keep);
        else
            rc = cr;
    }
    tl_free(checkpoint);
out:
    cfg_done(&cfg);
    return rc;
}

struct receipts_ctx {
    tl_node *n;
    const char *partner;
    tl_receipt_cb cb;
    void *ud;
    tl_err rc;
};

static int receipt_row(const tl_record *rec, void *ud)
{
    struct receipts_ctx *c = ud;
    json_t *r = NULL;
    if (tl__json_parse_stored(rec->json, rec->json_len, &r)) {
        c->rc = TL_ESTORE;
        return 1;
    }
    const json_t *objects = json_object_get(r, "x_objects");
    tl_receipt_info info = {rec->id, json_string_value(json_object_get(r, "created")),
                            json_array_size(objects), 0, 0};
    char digest[65];
    const char *claimed = json_string_value(json_object_get(r, "x_digest"));
    info.digest_ok = json_is_array(objects) && !receipt_digest(objects, digest) && claimed &&
                     !strcmp(digest, claimed);
    size_t i;
    json_t *e;
    json_array_foreach(objects, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        const json_t *v = json_object_get(e, "version");
        char key[TL_TS_KEYMAX], *found = NULL;
        if (!id || tl__ts_parse(json_string_value(v), json_string_length(v), NULL, NULL, key))
            continue;
        if (tl_store_outbox_find(c->n->store, c->partner, id, key, &found) == TL_OK) info.matched++;
        tl_free(found);
    }
    int stop = c->cb(&info, c->ud);
    json_decref(r);
    return stop;
}

tl_err tl_node_receipts(tl_node *n, const char *partner, tl_receipt_cb cb, void *ud)
{
    n->errmsg[0] = '\0';
    if (!tl_party_code_valid(partner)) {
        tl__node_err(n, "'%s' is not a partner code", partner ? partner : "");
        return TL_EINVAL;
    }
    tl_filter f = TL_FILTER_INIT;
    f.types[0] = TL_RECEIPT_TYPE;
    f.ntypes = 1;
    f.origin = partner;
    struct receipts_ctx c = {n, partner, cb, ud, TL_OK};
    char next[TL_CURSOR_MAX];
    tl_err rc = tl_node_query(n, &f, NULL, receipt_row, &c, next);
    return rc ? rc : c.rc;
}

tl_err tl_node_push(tl_node *n, const char *partner, const tl_pull_opts *opts, uint64_t *objects)
{
    static const tl_pull_opts defaults;
    if (!opts) opts = &defaults;
    if (objects) *objects = 0;
    n->errmsg[0] = '\0';
    struct partner_cfg cfg;
    char root[1110];
    tl_err rc = partner_cfg(n, partner, &cfg, root);
    if (rc) return rc;
    if ((rc = tl_node_release(n, partner, NULL, NULL))) goto out;
    char cid[64], inbox[64], wid[64];
    if ((rc = find_collection(n, root, &cfg, opts, cid, inbox, wid))) goto out;
    if (!*inbox) {
        tl__node_err(n, "%scollections/: no inbox this node may write to", root);
        rc = TL_ENOTFOUND;
        goto out;
    }
    char ckey[80], *since = NULL, url[1200];
    snprintf(ckey, sizeof ckey, "push.%s", partner);
    snprintf(url, sizeof url, "%scollections/%s/objects/", root, inbox);
    if (tl_store_meta_get(n->store, ckey, &since) != TL_OK) since = NULL;
    int64_t after = since ? strtoll(since, NULL, 10) : -1;
    tl_free(since);
    struct tl_buf env = TL_BUF_INIT;
    for (;;) {
        tl_outbox_query q = {.partner = partner, .after_added = after, .all = 1, .want_json = 1};
        q.limit = opts->page ? opts->page : 500;
        tl__buf_reset(&env);
        tl__buf_puts(&env, "{\"objects\":[");
        struct tl_outbox_join b = {&env, 0, after};
        if ((rc = tl_store_outbox_query(n->store, &q, tl_store_outbox_join, &b))) {
            tl__node_err(n, "%s", tl_store_errmsg(n->store));
            break;
        }
        if (!b.n) break;
        tl__buf_puts(&env, "]}");
        if (env.oom) {
            rc = TL_ENOMEM;
            break;
        }
        if ((rc = http_post(n, url, &cfg, opts, env.p, env.len, b.n))) break;
        char last[32];
        snprintf(last, sizeof last, "%lld", (long long)b.last);
        if ((rc = tl__node_meta_set(n, ckey, last))) break;
        after = b.last;
        if (objects) *objects += b.n;
        if (opts->cancel && *opts->cancel) {
            tl__node_err(n, "interrupted; what was accepted so far is recorded");
            rc = TL_EINTERRUPTED;
            break;
        }
    }
    tl__buf_free(&env);
out:
    cfg_done(&cfg);
    return rc;
}
