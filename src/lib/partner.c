/*
 * partner.c: the partners a node exchanges with, and the secrets they
 * present to its TAXII server (kept only as argon2id hashes).
 */
#include "tearline/partner.h"
#include "tearline/prov.h"

#include "audit_int.h"
#include "node_int.h"

#include <sodium.h>
#include <string.h>
#include <unistd.h>

static int hex_key(const char *s)
{
    if (strlen(s) != 64) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return 0;
    return 1;
}

static int printable(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) return 0;
    return 1;
}

/* The stored record of code, copied out. */
struct rec {
    char *url, *public_key, *credential, *secret_hash, *ca;
};

static int copy_rec(const tl_partner_rec *p, void *ud)
{
    struct rec *r = ud;
    r->url = tl_strdup(p->url);
    r->public_key = tl_strdup(p->public_key);
    r->credential = tl_strdup(p->credential);
    r->secret_hash = tl_strdup(p->secret_hash);
    r->ca = tl_strdup(p->ca);
    return 0;
}

static void rec_free(struct rec *r)
{
    tl_free(r->url);
    tl_free(r->public_key);
    if (r->credential) sodium_memzero(r->credential, strlen(r->credential));
    tl_free(r->credential);
    tl_free(r->secret_hash);
    tl_free(r->ca);
    memset(r, 0, sizeof *r);
}

/* Reads code's record; TL_ENOTFOUND (with the message on n) if it is not a partner. */
static tl_err get_rec(tl_node *n, const char *code, struct rec *r)
{
    memset(r, 0, sizeof *r);
    tl_err rc = tl_store_partner_get(n->store, code, copy_rec, r);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        return rc;
    }
    if (!r->url || !r->public_key || !r->credential || !r->secret_hash || !r->ca) {
        rec_free(r);
        return TL_ENOMEM;
    }
    return TL_OK;
}

static tl_err put(tl_node *n, const tl_partner_rec *p)
{
    tl_err rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_partner_put(n->store, p);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    }
    return rc;
}

static tl_err partner_set(tl_node *n, const char *code, const char *url, const char *public_key,
                          const char *credential, const char *ca)
{
    n->errmsg[0] = '\0';
    if (!tl_party_code_valid(code) || !strcmp(code, n->code)) {
        tl__node_err(n,
                     "'%s' is not a partner code (lower-case letters, digits and '-', not this "
                     "node's own)",
                     code ? code : "");
        return TL_EINVAL;
    }
    if (url && (!printable(url, 1024) ||
                (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))) {
        tl__node_err(n,
                     "partner %s: the URL must be http:// or https:// (at most 1024 "
                     "characters, no spaces)",
                     code);
        return TL_EINVAL;
    }
    if (public_key && !hex_key(public_key)) {
        tl__node_err(n, "partner %s: the public key must be 64 lower-case hex digits", code);
        return TL_EINVAL;
    }
    if (credential && !printable(credential, 1024)) {
        tl__node_err(n, "partner %s: the credential must be 1 to 1024 printable characters", code);
        return TL_EINVAL;
    }
    if (ca && (strlen(ca) > 1024 || (*ca && access(ca, R_OK) != 0))) {
        tl__node_err(n, "partner %s: the CA file %s cannot be read", code, ca);
        return TL_EINVAL;
    }
    struct rec r;
    tl_err rc = get_rec(n, code, &r);
    if (rc == TL_ENOTFOUND) {
        n->errmsg[0] = '\0';
        r.url = tl_strdup("");
        r.public_key = tl_strdup("");
        r.credential = tl_strdup("");
        r.secret_hash = tl_strdup("");
        r.ca = tl_strdup("");
        rc = r.url && r.public_key && r.credential && r.secret_hash && r.ca ? TL_OK : TL_ENOMEM;
    }
    if (rc) {
        rec_free(&r);
        return rc;
    }
    tl_partner_rec w = {code,
                        url ? url : r.url,
                        public_key ? public_key : r.public_key,
                        credential ? credential : r.credential,
                        r.secret_hash,
                        ca ? ca : r.ca};
    rc = put(n, &w);
    rec_free(&r);
    return rc;
}

static tl_err partner_grant(tl_node *n, const char *code, char secret[TL_PARTNER_SECRET_MAX])
{
    n->errmsg[0] = '\0';
    struct rec r;
    tl_err rc = get_rec(n, code, &r);
    if (rc) return rc;
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(secret, TL_PARTNER_SECRET_MAX, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, secret, strlen(secret), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        tl__node_err(n, "partner %s: hashing the secret failed (out of memory?)", code);
        sodium_memzero(secret, TL_PARTNER_SECRET_MAX);
        rec_free(&r);
        return TL_ECRYPTO;
    }
    tl_partner_rec w = {code, r.url, r.public_key, r.credential, hash, r.ca};
    rc = put(n, &w);
    rec_free(&r);
    if (rc) sodium_memzero(secret, TL_PARTNER_SECRET_MAX);
    return rc;
}

tl_err tl_node_partner_check(tl_node *n, const char *code, const char *secret)
{
    n->errmsg[0] = '\0';
    struct rec r;
    tl_err rc = tl_party_code_valid(code) ? get_rec(n, code, &r) : TL_ENOTFOUND;
    if (rc == TL_ENOTFOUND) return TL_EAUTH;
    if (rc) return rc;
    rc = TL_EAUTH;
    if (*r.secret_hash && secret && strlen(secret) < 1024 &&
        crypto_pwhash_str_verify(r.secret_hash, secret, strlen(secret)) == 0)
        rc = TL_OK;
    rec_free(&r);
    if (rc == TL_EAUTH) tl__node_err(n, "partner %s: authentication failed", code);
    return rc;
}

struct list_ctx {
    tl_partner_info_cb cb;
    void *ud;
};

static int list_one(const tl_partner_rec *p, void *ud)
{
    struct list_ctx *c = ud;
    tl_partner_info info = {p->code, p->url, p->public_key, *p->credential != '\0',
                            *p->secret_hash != '\0'};
    return c->cb(&info, c->ud);
}

tl_err tl_node_partner_list(tl_node *n, tl_partner_info_cb cb, void *ud)
{
    n->errmsg[0] = '\0';
    struct list_ctx c = {cb, ud};
    tl_err rc = tl_store_partner_get(n->store, NULL, list_one, &c);
    if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc;
}

tl_err tl_node_partner_set(tl_node *n, const char *code, const char *url, const char *public_key,
                           const char *credential, const char *ca)
{
    tl_err rc = partner_set(n, code, url, public_key, credential, ca);
    if (!rc)
        rc =
            tl__audit_admin(n, code, code, "partner-set", "%s%s%s%s%s%s%s", url ? "url " : "",
                            url ? url : "", public_key ? " key " : "", public_key ? public_key : "",
                            credential ? " credential (new)" : "", ca ? " ca " : "", ca ? ca : "");
    return rc;
}

tl_err tl_node_partner_grant(tl_node *n, const char *code, char secret[TL_PARTNER_SECRET_MAX])
{
    tl_err rc = partner_grant(n, code, secret);
    if (!rc)
        rc = tl__audit_admin(n, code, code, "partner-grant", "a new secret for its TAXII access");
    return rc;
}
