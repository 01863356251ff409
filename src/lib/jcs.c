/* jcs.c: RFC 8785 canonical JSON, the readable form, strict parsing. */
#include "jcs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tl_err parse(const char *data, size_t len, size_t flags, json_t **out, char *errmsg,
                    size_t errcap)
{
    json_error_t je;
    *out = NULL;
    json_t *v = json_loadb(data, len, flags, &je);
    if (!v) {
        if (json_error_code(&je) == json_error_out_of_memory) return TL_ENOMEM;
        /* jansson places a bad byte at the column of the character before it */
        int bad_byte = strstr(je.text, "unable to decode byte") != NULL;
        if (errmsg && errcap)
            tl__msg(errmsg, errcap, "%d:%d: %s%s", je.line, je.column + bad_byte,
                    bad_byte ? "invalid UTF-8: " : "", je.text);
        return TL_EJSON;
    }
    *out = v;
    return TL_OK;
}

tl_err tl_json_parse(const char *data, size_t len, json_t **out, char *errmsg, size_t errcap)
{
    return parse(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, out, errmsg, errcap);
}

tl_err tl__json_parse_stored(const char *data, size_t len, json_t **out)
{
    return parse(data, len, 0, out, NULL, 0);
}

tl_err tl_json_number(double d, char out[32])
{
    if (!isfinite(d)) return TL_EINVAL;
    if (d == 0) {
        memcpy(out, "0", 2); /* -0 too */
        return TL_OK;
    }
    /* Shortest digit string that reads back as d. */
    char tmp[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* tmp is [-]D[.DDD]e[+-]XX: split into sign, digits and exponent. */
    const char *p = tmp;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    char digits[20];
    int k = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    int e = (int)strtol(p + 1, NULL, 10);
    int n = e + 1; /* value = 0.digits * 10^n */

    char *o = out;
    if (neg) *o++ = '-';
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *o = '\0';
    return TL_OK;
}

void tl__jcs_string(struct tl_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (tl__buf_reserve(b, n + 2)) return;
    tl__buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        tl__buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            tl__buf_append(b, "\\\"", 2);
            break;
        case '\\':
            tl__buf_append(b, "\\\\", 2);
            break;
        case '\b':
            tl__buf_append(b, "\\b", 2);
            break;
        case '\f':
            tl__buf_append(b, "\\f", 2);
            break;
        case '\n':
            tl__buf_append(b, "\\n", 2);
            break;
        case '\r':
            tl__buf_append(b, "\\r", 2);
            break;
        case '\t':
            tl__buf_append(b, "\\t", 2);
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            tl__buf_append(b, esc, 6);
        }
        }
    }
    tl__buf_append(b, s + run, n - run);
    tl__buf_putc(b, '"');
}

/* Next UTF-16 code unit of a valid UTF-8 string; *pend carries a pending low surrogate. */
static unsigned next_unit(const unsigned char **p, const unsigned char *end, unsigned *pend)
{
    if (*pend) {
        unsigned u = *pend;
        *pend = 0;
        return u;
    }
    const unsigned char *s = *p;
    unsigned cp;
    if ((s[0] & 0xe0) == 0xc0 && s + 1 < end) {
        cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
        s += 2;
    } else if ((s[0] & 0xf0) == 0xe0 && s + 2 < end) {
        cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        s += 3;
    } else if ((s[0] & 0xf8) == 0xf0 && s + 3 < end) {
        cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) |
             (s[3] & 0x3fu);
        s += 4;
    } else {
        /* ASCII, or a truncated sequence (which validated input never has) */
        cp = s[0];
        s += 1;
    }
    *p = s;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pend = 0xdc00 + (cp & 0x3ff);
        return 0xd800 + (cp >> 10);
    }
    return cp;
}

int tl__utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *pa = (const unsigned char *)a, *ea = pa + alen;
    const unsigned char *pb = (const unsigned char *)b, *eb = pb + blen;
    unsigned qa = 0, qb = 0;
    while ((pa < ea || qa) && (pb < eb || qb)) {
        unsigned ua = next_unit(&pa, ea, &qa);
        unsigned ub = next_unit(&pb, eb, &qb);
        if (ua != ub) return ua < ub ? -1 : 1;
    }
    int a_left = pa < ea || qa, b_left = pb < eb || qb;
    return a_left - b_left;
}

struct member {
    const char *key;
    size_t len;
    json_t *value;
};

static int member_cmp(const void *x, const void *y)
{
    const struct member *a = x, *b = y;
    return tl__utf16_cmp(a->key, a->len, b->key, b->len);
}

static void newline(struct tl_buf *b, int indent)
{
    tl__buf_putc(b, '\n');
    for (int i = 0; i < indent; i++)
        tl__buf_append(b, "  ", 2);
}

#define MAX_EXACT 9007199254740991.0 /* 2^53 - 1 */

/* A number whose canonical text is an integer literal beyond 2^53 - 1. */
static int inexact(const char *num, double d)
{
    return fabs(d) > MAX_EXACT && !strpbrk(num, ".e");
}

static tl_err write_value(struct tl_buf *b, const json_t *v, int indent, double *bad);

/* Does the object member path skip (NULL-terminated keys) leave nothing of v? */
static int emptied(const json_t *v, const char *const *skip)
{
    if (!skip || !json_is_object(v) || !json_object_get(v, skip[0])) return 0;
    if (!skip[1]) return json_object_size(v) == 1;
    return json_object_size(v) == 1 && emptied(json_object_get(v, skip[0]), skip + 1);
}

/*
 * An object, members in RFC 8785 order. skip: NULL, or a path of member
 * keys to leave out ({"a", "b", NULL}: member b of member a), with any
 * object on the path left empty by it left out too.
 */
static tl_err write_object(struct tl_buf *b, const json_t *v, int indent, double *bad,
                           const char *const *skip)
{
    size_t n = json_object_size(v);
    struct member stackm[48];
    struct member *m = stackm;
    if (n > sizeof stackm / sizeof stackm[0]) {
        m = tl_malloc(n * sizeof *m);
        if (!m) {
            b->oom = 1;
            return TL_ENOMEM;
        }
    }
    size_t i = 0;
    const char *key;
    size_t klen;
    json_t *val;
    json_object_keylen_foreach(tl__json_mut(v), key, klen, val)
    {
        if (skip && !strcmp(key, skip[0]) && (!skip[1] || emptied(val, skip + 1))) continue;
        m[i].key = key;
        m[i].len = klen;
        m[i].value = val;
        i++;
    }
    n = i;
    qsort(m, n, sizeof *m, member_cmp);
    tl__buf_putc(b, '{');
    tl_err rc = TL_OK;
    for (i = 0; i < n && !rc; i++) {
        if (i) tl__buf_putc(b, ',');
        if (indent >= 0) newline(b, indent + 1);
        tl__jcs_string(b, m[i].key, m[i].len);
        tl__buf_putc(b, ':');
        if (indent >= 0) tl__buf_putc(b, ' ');
        int inner = skip && skip[1] && json_is_object(m[i].value) && !strcmp(m[i].key, skip[0]);
        rc = inner ? write_object(b, m[i].value, indent >= 0 ? indent + 1 : -1, bad, skip + 1)
                   : write_value(b, m[i].value, indent >= 0 ? indent + 1 : -1, bad);
    }
    if (m != stackm) tl_free(m);
    if (rc) return rc;
    if (indent >= 0 && n) newline(b, indent);
    tl__buf_putc(b, '}');
    return b->oom ? TL_ENOMEM : TL_OK;
}

static tl_err write_value(struct tl_buf *b, const json_t *v, int indent, double *bad)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_NULL:
        tl__buf_append(b, "null", 4);
        break;
    case JSON_TRUE:
        tl__buf_append(b, "true", 4);
        break;
    case JSON_FALSE:
        tl__buf_append(b, "false", 5);
        break;
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        /* Beyond 2^53 a JSON number is an IEEE double (RFC 8785 §3.2.2.3). */
        if (i > 9007199254740992LL || i < -9007199254740992LL) {
            if (tl_json_number((double)i, num)) return TL_EINVAL;
            if (bad && inexact(num, (double)i)) {
                *bad = (double)i;
                return TL_EINVAL;
            }
            tl__buf_puts(b, num);
        } else if (bad && (i > 9007199254740991LL || i < -9007199254740991LL)) {
            *bad = (double)i;
            return TL_EINVAL;
        } else {
            tl__buf_printf(b, "%lld", (long long)i);
        }
        break;
    }
    case JSON_REAL:
        if (tl_json_number(json_real_value(v), num)) return TL_EINVAL;
        if (bad && inexact(num, json_real_value(v))) {
            *bad = json_real_value(v);
            return TL_EINVAL;
        }
        tl__buf_puts(b, num);
        break;
    case JSON_STRING:
        tl__jcs_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        tl__buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) tl__buf_putc(b, ',');
            if (indent >= 0) newline(b, indent + 1);
            tl_err rc = write_value(b, json_array_get(v, i), indent >= 0 ? indent + 1 : -1, bad);
            if (rc) return rc;
        }
        if (indent >= 0 && n) newline(b, indent);
        tl__buf_putc(b, ']');
        break;
    }
    case JSON_OBJECT:
        return write_object(b, v, indent, bad, NULL);
    }
    return b->oom ? TL_ENOMEM : TL_OK;
}

tl_err tl__jcs_write(struct tl_buf *b, const json_t *v, int indent)
{
    return write_value(b, v, indent, NULL);
}

tl_err tl__jcs_write_except(struct tl_buf *b, const json_t *v, const char *const *skip)
{
    return json_is_object(v) ? write_object(b, v, -1, NULL, skip) : write_value(b, v, -1, NULL);
}

tl_err tl__jcs_write_strict(struct tl_buf *b, const json_t *v, double *bad)
{
    return write_value(b, v, -1, bad);
}

static tl_err serialize(const json_t *v, int indent, char **out, size_t *len)
{
    struct tl_buf b = TL_BUF_INIT;
    *out = NULL;
    tl_err rc = tl__jcs_write(&b, v, indent);
    if (rc) {
        tl__buf_free(&b);
        return rc;
    }
    *out = tl__buf_take(&b, len);
    return *out ? TL_OK : TL_ENOMEM;
}

tl_err tl_json_canonical(const json_t *v, char **out, size_t *len)
{
    return serialize(v, -1, out, len);
}

tl_err tl_json_pretty(const json_t *v, char **out, size_t *len)
{
    return serialize(v, 0, out, len);
}
