/* jcs.c: RFC 8785 canonical JSON, the readable form, strict parsing. */
#include "jcs.h"

#include "text.h"

#include <errno.h>

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

/*
 * A reader for the canonical form this node writes (RFC 8785: no white
 * space, the escapes of tl__jcs_string), about twice as fast as jansson's:
 * no stream layer, strings copied once. Anything it does not expect (white
 * space, a NUL, a number out of range, nesting past 64) makes it give up,
 * and tl__json_parse_stored asks jansson instead.
 */
struct canon {
    const char *s, *e;
    char *tmp; /* the string being decoded */
    size_t cap;
    int depth;
};

static int canon_hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i];
        int h = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

static int canon_room(struct canon *p, size_t need)
{
    if (need <= p->cap) return 0;
    size_t cap = need * 2 + 64;
    char *t = tl_realloc(p->tmp, cap);
    if (!t) return -1;
    p->tmp = t;
    p->cap = cap;
    return 0;
}

/* The string after its opening quote, decoded into p->tmp (*len bytes; control characters refused).
 */
static int canon_string(struct canon *p, size_t *len)
{
    const char *s = p->s;
    size_t n = 0;
    const char *q = s;
    while (q < p->e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
        q++;
    if (q < p->e && *q == '"') { /* no escapes, the usual case */
        n = (size_t)(q - s);
        if (canon_room(p, n + 1)) return -1;
        memcpy(p->tmp, s, n);
        p->s = q + 1;
        *len = n;
        return 0;
    }
    for (;;) {
        if (s >= p->e || canon_room(p, n + 8)) return -1;
        char c = *s++;
        if (c == '"') break;
        if ((unsigned char)c < 0x20) return -1; /* JSON escapes control characters */
        if (c != '\\') {
            p->tmp[n++] = c;
            continue;
        }
        if (s >= p->e) return -1;
        c = *s++;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = c ? strchr(from, c) : NULL;
        if (k) {
            p->tmp[n++] = to[k - from];
            continue;
        }
        if (c != 'u' || p->e - s < 4) return -1;
        int v = canon_hex4(s);
        s += 4;
        if (v >= 0xd800 && v < 0xdc00) { /* a surrogate pair */
            int w = p->e - s >= 6 && s[0] == '\\' && s[1] == 'u' ? canon_hex4(s + 2) : -1;
            if (w < 0xdc00 || w > 0xdfff) return -1;
            s += 6;
            v = 0x10000 + ((v - 0xd800) << 10) + (w - 0xdc00);
        } else if (v <= 0 || (v >= 0xdc00 && v < 0xe000)) {
            return -1; /* a lone low surrogate, \u0000, or not hex */
        }
        unsigned u = (unsigned)v;
        if (u < 0x80) {
            p->tmp[n++] = (char)u;
        } else if (u < 0x800) {
            p->tmp[n++] = (char)(0xc0 | u >> 6);
            p->tmp[n++] = (char)(0x80 | (u & 63));
        } else if (u < 0x10000) {
            p->tmp[n++] = (char)(0xe0 | u >> 12);
            p->tmp[n++] = (char)(0x80 | ((u >> 6) & 63));
            p->tmp[n++] = (char)(0x80 | (u & 63));
        } else {
            p->tmp[n++] = (char)(0xf0 | u >> 18);
            p->tmp[n++] = (char)(0x80 | ((u >> 12) & 63));
            p->tmp[n++] = (char)(0x80 | ((u >> 6) & 63));
            p->tmp[n++] = (char)(0x80 | (u & 63));
        }
    }
    p->s = s;
    *len = n;
    return 0;
}

static json_t *canon_value(struct canon *p);

static json_t *canon_object(struct canon *p)
{
    json_t *o = json_object();
    if (!o) return NULL;
    if (p->s < p->e && *p->s == '}') {
        p->s++;
        return o;
    }
    char small[128];
    for (;;) {
        size_t kl;
        if (p->s >= p->e || *p->s != '"') break;
        p->s++;
        if (canon_string(p, &kl)) break;
        char *key = kl < sizeof small ? small : tl_malloc(kl + 1);
        if (!key) break;
        memcpy(key, p->tmp, kl);
        key[kl] = '\0';
        json_t *v = p->s < p->e && *p->s == ':' ? (p->s++, canon_value(p)) : NULL;
        int bad = !v || json_object_set_new_nocheck(o, key, v);
        if (key != small) tl_free(key);
        if (bad) break;
        if (p->s < p->e && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->e && *p->s == '}') {
            p->s++;
            return o;
        }
        break;
    }
    json_decref(o);
    return NULL;
}

static json_t *canon_array(struct canon *p)
{
    json_t *a = json_array();
    if (!a) return NULL;
    if (p->s < p->e && *p->s == ']') {
        p->s++;
        return a;
    }
    for (;;) {
        json_t *v = canon_value(p);
        if (!v || json_array_append_new(a, v)) break;
        if (p->s < p->e && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->e && *p->s == ']') {
            p->s++;
            return a;
        }
        break;
    }
    json_decref(a);
    return NULL;
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, as jansson reads it. */
static json_t *canon_number(struct canon *p)
{
    const char *q = p->s, *e = p->e;
    int real = 0;
#define DIGITS(at) ((at) < e && *(at) >= '0' && *(at) <= '9')
    if (q < e && *q == '-') q++;
    if (!DIGITS(q)) return NULL;
    if (*q == '0') {
        q++;
    } else {
        while (DIGITS(q))
            q++;
    }
    if (q < e && *q == '.') {
        real = 1;
        if (!DIGITS(q + 1)) return NULL;
        for (q++; DIGITS(q); q++) {
        }
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        real = 1;
        q++;
        if (q < e && (*q == '+' || *q == '-')) q++;
        if (!DIGITS(q)) return NULL;
        while (DIGITS(q))
            q++;
    }
#undef DIGITS
    char buf[64], *end = NULL;
    size_t l = (size_t)(q - p->s);
    if (l >= sizeof buf) return NULL;
    memcpy(buf, p->s, l);
    buf[l] = '\0';
    errno = 0;
    json_t *v;
    if (real) {
        double d = strtod(buf, &end);
        v = *end || errno || !isfinite(d) ? NULL : json_real(d);
    } else {
        long long i = strtoll(buf, &end, 10);
        v = *end || errno ? NULL : json_integer((json_int_t)i);
    }
    if (v) p->s = q;
    return v;
}

static json_t *canon_value(struct canon *p)
{
    if (p->s >= p->e) return NULL;
    char c = *p->s;
    size_t left = (size_t)(p->e - p->s);
    json_t *v = NULL;
    if (c == '{' || c == '[') {
        if (++p->depth > 64) return NULL;
        p->s++;
        v = c == '{' ? canon_object(p) : canon_array(p);
        p->depth--;
    } else if (c == '"') {
        size_t l;
        p->s++;
        if (!canon_string(p, &l)) v = json_stringn_nocheck(p->tmp, l);
    } else if (c == 't' && left >= 4 && !memcmp(p->s, "true", 4)) {
        p->s += 4;
        v = json_true();
    } else if (c == 'f' && left >= 5 && !memcmp(p->s, "false", 5)) {
        p->s += 5;
        v = json_false();
    } else if (c == 'n' && left >= 4 && !memcmp(p->s, "null", 4)) {
        p->s += 4;
        v = json_null();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        v = canon_number(p);
    }
    return v;
}

tl_err tl__json_parse_canonical(const char *data, size_t len, json_t **out)
{
    *out = NULL;
    struct canon p = {data, data + len, NULL, 0, 0};
    json_t *v = tl__utf8_valid(data, len) ? canon_value(&p) : NULL;
    tl_free(p.tmp);
    if (v && p.s == p.e) {
        *out = v;
        return TL_OK;
    }
    json_decref(v);
    return TL_EJSON;
}

tl_err tl__json_parse_stored(const char *data, size_t len, json_t **out)
{
    if (tl__json_parse_canonical(data, len, out) == TL_OK) return TL_OK;
    return parse(data, len, JSON_DECODE_ANY, out, NULL, 0); /* not that form: the general reader */
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

tl_err tl__json_sorted_keys(const json_t *o, const char ***keys, size_t *n)
{
    *n = 0;
    *keys = tl_malloc((json_object_size(o) + 1) * sizeof **keys);
    if (!*keys) return TL_ENOMEM;
    const char *k;
    json_t *v;
    json_object_foreach(tl__json_mut(o), k, v)
    {
        (void)v;
        (*keys)[(*n)++] = k;
    }
    qsort(*keys, *n, sizeof **keys, by_bytes);
    return TL_OK;
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
