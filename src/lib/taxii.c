/*
 * taxii.c: TAXII 2.1 query parameters and paging cursors.
 *
 * A `next` cursor is "<date_added>.<mac>": the date_added of the last object
 * served and a MAC (BLAKE2b, keyed by a key derived from the node's release
 * secret) over it, the partner and the request's filters. The server never
 * trusts it: a cursor from another partner or another query fails the MAC
 * and gets 400.
 */
#include "taxii.h"

#include "ts.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *const match_names[4] = {"match[id]", "match[type]", "match[version]",
                                           "match[spec_version]"};

void tl__taxii_args_init(struct tl_taxii_args *a)
{
    memset(a, 0, sizeof *a);
    a->added_after = -1;
}

void tl__taxii_args_free(struct tl_taxii_args *a)
{
    tl_free(a->next);
    for (int i = 0; i < 4; i++)
        tl_free(a->match[i]);
    tl__taxii_args_init(a);
}

static tl_err bad(char *why, size_t cap, const char *fmt, const char *arg)
    __attribute__((format(printf, 3, 0)));

static tl_err bad(char *why, size_t cap, const char *fmt, const char *arg)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* every caller passes a literal */
    snprintf(why, cap, fmt, arg);
#pragma GCC diagnostic pop
    return TL_EINVAL;
}

tl_err tl__taxii_arg(struct tl_taxii_args *a, const char *key, const char *value, char *why,
                     size_t cap)
{
    int bit = -1;
    if (!strcmp(key, "added_after"))
        bit = 4;
    else if (!strcmp(key, "limit"))
        bit = 5;
    else if (!strcmp(key, "next"))
        bit = 6;
    for (int i = 0; i < 4; i++)
        if (!strcmp(key, match_names[i])) bit = i;
    if (bit < 0) return TL_OK; /* unknown parameters may be ignored (TAXII 2.1 section 3.4) */
    if (a->seen & (1 << bit)) return bad(why, cap, "'%s' is given more than once", key);
    a->seen |= 1 << bit;
    if (!value || strlen(value) > TL_TAXII_MAX_ARG)
        return bad(why, cap, "'%s' needs a value (at most 4096 bytes)", key);
    if (bit == 4) {
        if (tl__ts_parse(value, strlen(value), NULL, &a->added_after, NULL) || a->added_after < 0)
            return bad(why, cap,
                       "added_after '%.64s' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)", value);
    } else if (bit == 5) {
        char *end;
        long long v = strtoll(value, &end, 10);
        if (!*value || *end || v <= 0)
            return bad(why, cap, "limit '%.32s' is not a positive integer", value);
        a->limit = v > TL_TAXII_MAX_LIMIT ? TL_TAXII_MAX_LIMIT : (size_t)v;
    } else {
        char *copy = tl_strdup(value);
        if (!copy) return TL_ENOMEM;
        if (bit == 6)
            a->next = copy;
        else
            a->match[bit] = copy;
    }
    return TL_OK;
}

/* Splits list in place at commas into out[0..max); TL_EINVAL on an empty item or too many. */
static tl_err split(char *list, const char **out, size_t *n, size_t max)
{
    *n = 0;
    for (char *p = list;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p || *n == max) return TL_EINVAL;
        out[(*n)++] = p;
        if (!comma) return TL_OK;
        p = comma + 1;
    }
}

static int id_shape(const char *s)
{
    const char *sep = strstr(s, "--");
    if (!sep || sep == s || strlen(sep + 2) != 36) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return 0;
    return 1;
}

static int type_shape(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 250) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return 0;
    return 1;
}

/* The MAC of a cursor: partner, the filters as given, date_added. */
static void cursor_mac(const struct tl_taxii_args *a, unsigned allowed, const char *partner,
                       const unsigned char key[32], int64_t added, unsigned char mac[16])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, 32, 16);
    crypto_generichash_update(&st, (const unsigned char *)partner, strlen(partner) + 1);
    char num[32];
    snprintf(num, sizeof num, "%lld|%lld|", (long long)a->added_after, (long long)added);
    crypto_generichash_update(&st, (const unsigned char *)num, strlen(num));
    for (int i = 0; i < 4; i++) {
        const char *m = (allowed >> i & 1) && a->match[i] ? a->match[i] : "";
        crypto_generichash_update(&st, (const unsigned char *)m, strlen(m) + 1);
    }
    crypto_generichash_final(&st, mac, 16);
}

void tl__taxii_cursor(const struct tl_taxii_args *a, unsigned allowed, const char *partner,
                      const unsigned char key[32], int64_t added, char out[96])
{
    unsigned char mac[16];
    cursor_mac(a, allowed, partner, key, added, mac);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, 96, "%lld.%s", (long long)added, hex);
}

tl_err tl__taxii_query(struct tl_taxii_args *a, unsigned allowed, const char *partner,
                       const unsigned char key[32], tl_outbox_query *q, int *none, char *why,
                       size_t cap)
{
    memset(q, 0, sizeof *q);
    *none = 0;
    q->partner = partner;
    q->after_added = a->added_after;
    q->limit = a->limit ? a->limit : TL_TAXII_DEFAULT_LIMIT;
    q->last = 1;
    /* the cursor first, before its filters are split in place */
    if (a->next) {
        char *dot = strchr(a->next, '.');
        unsigned char mac[16], want[16];
        char *end;
        long long added = dot ? strtoll(a->next, &end, 10) : -1;
        if (!dot || end != dot || added < 0 || strlen(dot + 1) != 32 ||
            sodium_hex2bin(mac, sizeof mac, dot + 1, 32, NULL, NULL, NULL) != 0)
            return bad(why, cap, "next '%.64s' is not a cursor this server gave", a->next);
        cursor_mac(a, allowed, partner, key, added, want);
        if (sodium_memcmp(mac, want, sizeof mac) != 0)
            return bad(why, cap, "next '%.64s' is not a cursor for this query and caller", a->next);
        if (added > q->after_added) q->after_added = added;
    }
    for (int i = 0; i < 4; i++) {
        if (!a->match[i]) continue;
        if (!(allowed >> i & 1)) continue; /* not a filter of this endpoint: ignored */
        const char *items[TL_OUTBOX_MAX_MATCH];
        size_t n = 0;
        if (split(a->match[i], items, &n, TL_OUTBOX_MAX_MATCH))
            return bad(why, cap, "%s has an empty item or more than 64", match_names[i]);
        for (size_t k = 0; k < n; k++) {
            if (i == TL_MATCH_ID) {
                if (!id_shape(items[k]))
                    return bad(why, cap, "match[id] '%.80s' is not a STIX identifier", items[k]);
                q->ids[q->nids++] = items[k];
            } else if (i == TL_MATCH_TYPE) {
                if (!type_shape(items[k]))
                    return bad(why, cap, "match[type] '%.80s' is not a STIX type name", items[k]);
                q->types[q->ntypes++] = items[k];
            } else if (i == TL_MATCH_SPEC_VERSION) {
                if (strcmp(items[k], "2.0") != 0 && strcmp(items[k], "2.1") != 0)
                    return bad(why, cap, "match[spec_version] '%.16s' is not a STIX version",
                               items[k]);
            }
        }
        if (i == TL_MATCH_SPEC_VERSION) { /* everything here is STIX 2.1 */
            int has21 = 0;
            for (size_t k = 0; k < n; k++)
                has21 |= !strcmp(items[k], "2.1");
            *none |= !has21;
        }
        if (i != TL_MATCH_VERSION) continue;
        q->last = 0;
        for (size_t k = 0; k < n; k++) {
            int *flag = !strcmp(items[k], "first")  ? &q->first
                        : !strcmp(items[k], "last") ? &q->last
                        : !strcmp(items[k], "all")  ? &q->all
                                                    : NULL;
            if (flag) {
                if (*flag) return bad(why, cap, "match[version] repeats '%s'", items[k]);
                *flag = 1;
                continue;
            }
            /* an exact version: any number of fractional digits; compared as a key */
            char *vk = a->vkeys[q->nversions];
            if (tl__ts_parse(items[k], strlen(items[k]), NULL, NULL, vk))
                return bad(why, cap,
                           "match[version] '%.64s' is not first, last, all or a timestamp",
                           items[k]);
            q->versions[q->nversions++] = vk;
        }
        if (q->all && n > 1)
            return bad(why, cap, "%s", "match[version]=all cannot be combined with other versions");
    }
    return TL_OK;
}

void tl__taxii_version(const char *key, char out[48])
{
    /* YYYY-MM-DDTHH:MM:SS.fffffffff...: keep at least milliseconds, drop trailing zeros */
    size_t n = strlen(key);
    if (n < 20 || n > 44) {
        snprintf(out, 48, "%sZ", key);
        return;
    }
    while (n > 23 && key[n - 1] == '0')
        n--;
    snprintf(out, 48, "%.*sZ", (int)n, key);
}

void tl__taxii_json_str(struct tl_buf *b, const char *s)
{
    tl__buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            tl__buf_putc(b, '\\');
            tl__buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            tl__buf_printf(b, "\\u%04x", *p);
        } else {
            tl__buf_putc(b, (char)*p);
        }
    }
    tl__buf_putc(b, '"');
}
