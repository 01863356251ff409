/*
 * reader.c: streaming STIX input.
 *
 * A small structural scanner finds where each value starts and ends; jansson
 * then parses just that value strictly. The scanner only ever keeps the
 * current top-level value (or one element of a container's object list) in
 * its buffer, so a bundle of any size streams in bounded memory.
 */
#include "tearline/reader.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum state {
    ST_TOP,        /* before a top-level value */
    ST_ARRAY,      /* inside a top-level array: element or ']' next */
    ST_ARRAY_NEXT, /* inside a top-level array: ',' or ']' next */
    ST_OBJS,       /* inside a container's "objects": element or ']' next */
    ST_OBJS_NEXT,  /* inside a container's "objects": ',' or ']' next */
    ST_REST,       /* after a container's "objects": ',' or '}' next */
    ST_DONE,
};

struct tl_reader {
    int fd;
    int own_fd;
    int mem;
    char *buf; /* buf[0..len) holds input bytes base..base+len */
    size_t cap;
    size_t len;
    size_t pos;    /* scan position within buf */
    uint64_t base; /* input offset of buf[0] */
    int eof;
    int failed;
    tl_err fail_rc; /* why fill() or a limit stopped the reader */
    tl_reader_limits lim;
    enum state st;
    int any;          /* a top-level value was seen */
    json_t *header;   /* members of the current container other than "objects" */
    uint64_t top_off; /* where the current top-level value starts */
    tl_reader_pos top_pos;
    /* Line and column bookkeeping: lc_off is the input offset lc describes. */
    uint64_t lc_off;
    unsigned long line, col;
    /* The object last returned: buf[obj_start..obj_end) while it is valid. */
    uint64_t obj_off, obj_end;
    tl_reader_pos obj_pos;
    char name[256];
    char errmsg[640];
};

static void set_err(tl_reader *r, const tl_reader_pos *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(tl_reader *r, const tl_reader_pos *p, const char *fmt, ...)
{
    char why[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (p)
        snprintf(r->errmsg, sizeof r->errmsg, "%s:%lu:%lu: %s", r->name, p->line, p->col, why);
    else
        snprintf(r->errmsg, sizeof r->errmsg, "%s: %s", r->name, why);
}

static tl_err create(const char *name, const tl_reader_limits *limits, tl_reader **out)
{
    tl_reader *r = tl_calloc(1, sizeof *r);
    if (!r) return TL_ENOMEM;
    if (limits) r->lim = *limits;
    if (!r->lim.max_object_bytes) r->lim.max_object_bytes = TL_READER_DEFAULT_OBJECT;
    if (!r->lim.max_depth) r->lim.max_depth = 64;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->fd = -1;
    r->line = 1;
    r->col = 1;
    *out = r;
    return TL_OK;
}

tl_err tl_reader_open_file(const char *path, const tl_reader_limits *limits, tl_reader **out,
                           char *errmsg, size_t errcap)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    tl_reader *r;
    tl_err rc = create(is_stdin ? "<stdin>" : path, limits, &r);
    if (rc) return rc;
    if (is_stdin) {
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            if (errmsg) tl__msg(errmsg, errcap, "%s: cannot open: %s", path, strerror(errno));
            tl_free(r);
            return TL_EIO;
        }
        r->own_fd = 1;
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    r->cap = 1u << 20;
    r->buf = tl_malloc(r->cap);
    if (!r->buf) {
        tl_reader_close(r);
        return TL_ENOMEM;
    }
    *out = r;
    return TL_OK;
}

tl_err tl_reader_open_mem(const char *name, const char *data, size_t len,
                          const tl_reader_limits *limits, tl_reader **out)
{
    *out = NULL;
    tl_reader *r;
    tl_err rc = create(name, limits, &r);
    if (rc) return rc;
    r->mem = 1;
    union {
        const char *c;
        char *m;
    } u = {data};
    r->buf = u.m; /* never written in memory mode: fill() only reads past the end */
    r->len = r->cap = len;
    r->eof = 1;
    *out = r;
    return TL_OK;
}

void tl_reader_close(tl_reader *r)
{
    if (!r) return;
    if (r->own_fd && r->fd >= 0) close(r->fd);
    if (!r->mem) tl_free(r->buf);
    json_decref(r->header);
    tl_free(r);
}

int tl_reader_failed(const tl_reader *r)
{
    return r->failed;
}

uint64_t tl_reader_offset(const tl_reader *r)
{
    return r->base + r->pos;
}

const char *tl_reader_errmsg(const tl_reader *r)
{
    return r->errmsg;
}

/* Advances the line/column bookkeeping to input offset off (which must be in buf). */
static void advance_lc(tl_reader *r, uint64_t off)
{
    const char *p = r->buf + (r->lc_off - r->base), *e = r->buf + (off - r->base);
    const char *nl;
    while (p < e && (nl = memchr(p, '\n', (size_t)(e - p)))) {
        r->line++;
        r->col = 1;
        p = nl + 1;
    }
    /* columns count characters: every byte but UTF-8 continuation bytes */
    unsigned long chars = 0;
    for (const unsigned char *q = (const unsigned char *)p; q < (const unsigned char *)e; q++)
        chars += (*q & 0xc0) != 0x80;
    r->col += chars;
    r->lc_off = off;
}

static tl_reader_pos here(tl_reader *r)
{
    advance_lc(r, r->base + r->pos);
    tl_reader_pos p = {r->line, r->col, r->base + r->pos};
    return p;
}

static tl_err fatal(tl_reader *r, tl_err rc)
{
    r->failed = 1;
    r->st = ST_DONE;
    return r->fail_rc ? r->fail_rc : rc;
}

/*
 * Makes at least one more byte available past buf[pos + need - 1], keeping
 * everything from input offset keep on. Returns 1 if bytes are available,
 * 0 at end of input, -1 on error (message set).
 */
static int fill(tl_reader *r, size_t need, uint64_t keep)
{
    if (r->pos + need <= r->len) return 1;
    if (r->eof) return 0;
    /* Drop what is no longer needed: before keep and before the line bookkeeping. */
    uint64_t drop_to = keep < r->lc_off ? keep : r->lc_off;
    if (drop_to > r->obj_off && r->obj_end > r->obj_off) drop_to = r->obj_off;
    size_t drop = (size_t)(drop_to - r->base);
    if (drop > 0) {
        memmove(r->buf, r->buf + drop, r->len - drop);
        r->len -= drop;
        r->pos -= drop;
        r->base += drop;
    }
    while (r->pos + need > r->len) {
        if (r->len == r->cap) {
            size_t held = r->len - (size_t)(keep - r->base);
            if (held > r->lim.max_object_bytes + 4096) {
                set_err(r, &r->top_pos, "an object is larger than the limit of %zu bytes",
                        r->lim.max_object_bytes);
                r->fail_rc = TL_ELIMIT;
                return -1;
            }
            size_t ncap = r->cap * 2;
            char *nb = tl_realloc(r->buf, ncap);
            if (!nb) {
                set_err(r, NULL, "out of memory");
                r->fail_rc = TL_ENOMEM;
                return -1;
            }
            r->buf = nb;
            r->cap = ncap;
        }
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0) {
            if (errno == EINTR) continue;
            set_err(r, NULL, "read failed: %s", strerror(errno));
            r->fail_rc = TL_EIO;
            return -1;
        }
        if (n == 0) {
            r->eof = 1;
            return r->pos + need <= r->len ? 1 : 0;
        }
        r->len += (size_t)n;
        if (r->lim.max_input_bytes && r->base + r->len > r->lim.max_input_bytes) {
            set_err(r, NULL, "input is larger than the limit of %llu bytes",
                    (unsigned long long)r->lim.max_input_bytes);
            r->fail_rc = TL_ELIMIT;
            return -1;
        }
    }
    return 1;
}

/* Skips whitespace; returns the next byte, 0 at end of input, -1 on error. */
static int peek_ws(tl_reader *r, uint64_t keep)
{
    for (;;) {
        int f = fill(r, 1, keep);
        if (f <= 0) return f;
        char c = r->buf[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return (unsigned char)c;
        r->pos++;
    }
}

/*
 * Finds the end of the JSON value at pos, keeping bytes from keep on.
 * On success *end is the input offset just past the value and pos is
 * there too. Returns 0, or -1 (message set; *syntax says whether the input
 * is malformed rather than unreadable).
 */
static int scan_value(tl_reader *r, uint64_t keep, uint64_t *end, int *syntax)
{
    int depth = 0;
    uint64_t start = r->base + r->pos;
    *syntax = 0;
    for (;;) {
        int f = fill(r, 1, keep);
        if (f < 0) return -1;
        if (f == 0) {
            tl_reader_pos p = here(r);
            set_err(r, &p, "unexpected end of input inside a value");
            *syntax = 1;
            return -1;
        }
        if (r->base + r->pos - start > r->lim.max_object_bytes) {
            set_err(r, &r->top_pos, "an object is larger than the limit of %zu bytes",
                    r->lim.max_object_bytes);
            r->fail_rc = TL_ELIMIT;
            return -1;
        }
        char c = r->buf[r->pos];
        if (c == '"') {
            r->pos++;
            for (;;) {
                f = fill(r, 1, keep);
                if (f < 0) return -1;
                if (f == 0) {
                    tl_reader_pos p = here(r);
                    set_err(r, &p, "unexpected end of input inside a string");
                    *syntax = 1;
                    return -1;
                }
                char *s = r->buf + r->pos, *e = r->buf + r->len;
                while (s < e && *s != '"' && *s != '\\')
                    s++;
                r->pos = (size_t)(s - r->buf);
                if (s == e) continue;
                if (*s == '"') {
                    r->pos++;
                    break;
                }
                /* a backslash escapes the next byte */
                f = fill(r, 2, keep);
                if (f < 0) return -1;
                if (f == 0) {
                    tl_reader_pos p = here(r);
                    set_err(r, &p, "unexpected end of input inside a string");
                    *syntax = 1;
                    return -1;
                }
                r->pos += 2;
            }
        } else if (c == '{' || c == '[') {
            if (++depth > r->lim.max_depth + 2) {
                tl_reader_pos p = here(r);
                set_err(r, &p, "nesting deeper than the limit of %d", r->lim.max_depth);
                r->fail_rc = TL_ELIMIT;
                return -1;
            }
            r->pos++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                /* end of a scalar at the container's closing bracket */
                *end = r->base + r->pos;
                return 0;
            }
            depth--;
            r->pos++;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            *end = r->base + r->pos;
            return 0;
        } else {
            r->pos++;
        }
        if (depth == 0 && (c == '}' || c == ']' || c == '"') && r->base + r->pos > start) {
            *end = r->base + r->pos;
            return 0;
        }
    }
}

/*
 * Parses buf[from..to) with jansson. On a syntax error the message carries
 * the absolute position (p is where the value starts).
 */
static tl_err parse_span(tl_reader *r, uint64_t from, uint64_t to, const tl_reader_pos *p,
                         json_t **out)
{
    json_error_t je;
    const char *s = r->buf + (from - r->base);
    size_t n = (size_t)(to - from);
    json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (v) {
        /* jansson's depth limit is far above ours */
        *out = v;
        return TL_OK;
    }
    if (json_error_code(&je) == json_error_out_of_memory) {
        set_err(r, NULL, "out of memory");
        return TL_ENOMEM;
    }
    tl_reader_pos at = *p;
    /* jansson places a bad byte at the column of the character before it */
    int bad_byte = strstr(je.text, "unable to decode byte") != NULL;
    if (bad_byte) je.column++;
    if (je.line <= 1) {
        at.col += je.column > 0 ? (unsigned long)je.column - 1 : 0;
    } else {
        at.line += (unsigned long)je.line - 1;
        at.col = je.column > 0 ? (unsigned long)je.column : 1;
    }
    set_err(r, &at, "malformed JSON: %s%s", bad_byte ? "invalid UTF-8: " : "", je.text);
    return TL_EJSON;
}

/* Reads one element of an array into *obj; the caller's state decides what follows. */
static tl_err read_element(tl_reader *r, json_t **obj, tl_reader_pos *pos)
{
    tl_reader_pos p = here(r);
    uint64_t start = p.offset, end;
    int syntax;
    if (scan_value(r, start, &end, &syntax)) return fatal(r, syntax ? TL_EJSON : TL_ELIMIT);
    r->obj_off = start;
    r->obj_end = end;
    r->obj_pos = p;
    if (pos) *pos = p;
    json_t *v = NULL;
    tl_err rc = parse_span(r, start, end, &p, &v);
    if (rc) return rc;
    if (!json_is_object(v)) {
        json_decref(v);
        set_err(r, &p, "expected a STIX object ({...}) here");
        return TL_EJSON;
    }
    *obj = v;
    return TL_OK;
}

/* Reads a member key (a JSON string) at pos into a new string. */
static tl_err read_key(tl_reader *r, uint64_t keep, json_t **key)
{
    tl_reader_pos p = here(r);
    if (r->buf[r->pos] != '"') {
        set_err(r, &p, "expected a member name (a string)");
        return fatal(r, TL_EJSON);
    }
    uint64_t end;
    int syntax;
    if (scan_value(r, keep, &end, &syntax)) return fatal(r, syntax ? TL_EJSON : TL_ELIMIT);
    tl_err rc = parse_span(r, p.offset, end, &p, key);
    return rc ? fatal(r, rc) : TL_OK;
}

static tl_err expect(tl_reader *r, uint64_t keep, char want, const char *what)
{
    int c = peek_ws(r, keep);
    if (c < 0) return fatal(r, TL_EIO);
    if (c != want) {
        tl_reader_pos p = here(r);
        set_err(r, &p, "expected %s", what);
        return fatal(r, TL_EJSON);
    }
    r->pos++;
    return TL_OK;
}

/* Checks the members of a finished container: a bundle or a TAXII envelope. */
static tl_err check_container(tl_reader *r)
{
    const json_t *t = json_object_get(r->header, "type");
    if (t) {
        const char *ts = json_string_value(t);
        if (!ts || strcmp(ts, "bundle") != 0) {
            set_err(r, &r->top_pos,
                    "a top-level object with an 'objects' list must be a bundle "
                    "or a TAXII envelope");
            return fatal(r, TL_EJSON);
        }
        const char *id = json_string_value(json_object_get(r->header, "id"));
        if (!id || strncmp(id, "bundle--", 8) != 0 || strlen(id) != 44) {
            set_err(r, &r->top_pos, "bundle: 'id' must be bundle--UUID");
            return fatal(r, TL_EJSON);
        }
    }
    return TL_OK;
}

/*
 * Reads one "name": value member of a top-level object into r->header. When
 * the member is a bundle's or envelope's "objects" list, stops on its '['
 * with *objects_next set instead.
 */
static tl_err read_member(tl_reader *r, uint64_t keep, int *objects_next)
{
    *objects_next = 0;
    int c = peek_ws(r, keep);
    if (c <= 0) {
        tl_reader_pos p = here(r);
        set_err(r, &p, "unexpected end of input in an object");
        return fatal(r, c < 0 ? TL_EIO : TL_EJSON);
    }
    json_t *key = NULL;
    tl_err rc = read_key(r, keep, &key);
    if (rc) return rc;
    const char *k = json_string_value(key);
    if (json_object_get(r->header, k)) {
        tl_reader_pos p = here(r);
        set_err(r, &p, "duplicate member '%.80s'", k);
        rc = fatal(r, TL_EJSON);
        goto out;
    }
    if ((rc = expect(r, keep, ':', "':' after a member name"))) goto out;
    c = peek_ws(r, keep);
    const json_t *t = json_object_get(r->header, "type");
    int bundle_like = !t || (json_is_string(t) && !strcmp(json_string_value(t), "bundle"));
    if (!strcmp(k, "objects") && c == '[' && bundle_like) {
        if (json_object_set_new(r->header, "objects", json_true())) {
            rc = fatal(r, TL_ENOMEM);
            goto out;
        }
        r->pos++;
        *objects_next = 1;
        goto out;
    }
    tl_reader_pos vp = here(r);
    uint64_t end;
    int syntax;
    if (c <= 0 || scan_value(r, keep, &end, &syntax)) {
        if (c == 0) set_err(r, &vp, "unexpected end of input in an object");
        rc = fatal(r, c <= 0 || syntax ? TL_EJSON : TL_ELIMIT);
        goto out;
    }
    json_t *val = NULL;
    if ((rc = parse_span(r, vp.offset, end, &vp, &val))) {
        rc = fatal(r, rc);
        goto out;
    }
    if (json_object_set_new(r->header, k, val)) rc = fatal(r, TL_ENOMEM);
out:
    json_decref(key);
    return rc;
}

/*
 * Reads the members of a top-level object. Returns with st == ST_OBJS when
 * it turned out to be a container whose "objects" list is next, or with
 * *single set to the object itself.
 */
static tl_err read_top_object(tl_reader *r, json_t **single)
{
    uint64_t keep = r->top_off;
    *single = NULL;
    json_decref(r->header);
    r->header = json_object();
    if (!r->header) return fatal(r, TL_ENOMEM);
    r->pos++; /* '{' */
    int c = peek_ws(r, keep);
    if (c < 0) return fatal(r, TL_EIO);
    if (c == '}') {
        r->pos++;
    } else {
        for (;;) {
            int objects_next;
            tl_err rc = read_member(r, keep, &objects_next);
            if (rc) return rc;
            if (objects_next) {
                r->st = ST_OBJS;
                return TL_OK;
            }
            if (r->base + r->pos - r->top_off > r->lim.max_object_bytes) {
                set_err(r, &r->top_pos, "an object is larger than the limit of %zu bytes",
                        r->lim.max_object_bytes);
                r->fail_rc = TL_ELIMIT;
                return fatal(r, TL_ELIMIT);
            }
            c = peek_ws(r, keep);
            if (c == ',') {
                r->pos++;
                continue;
            }
            if (c == '}') {
                r->pos++;
                break;
            }
            tl_reader_pos p = here(r);
            set_err(r, &p, "expected ',' or '}' after a member");
            return fatal(r, c < 0 ? TL_EIO : TL_EJSON);
        }
    }
    r->obj_off = r->top_off;
    r->obj_end = r->base + r->pos;
    r->obj_pos = r->top_pos;
    r->st = ST_TOP;
    const json_t *t = json_object_get(r->header, "type");
    if (!t || (json_is_string(t) && !strcmp(json_string_value(t), "bundle")))
        return check_container(r); /* a bundle or envelope with no objects */
    *single = r->header;
    r->header = NULL;
    return TL_OK;
}

tl_err tl_reader_next(tl_reader *r, json_t **obj, tl_reader_pos *pos)
{
    *obj = NULL;
    if (r->failed) return r->fail_rc ? r->fail_rc : TL_EIO;
    if (r->mem && r->lim.max_input_bytes && r->len > r->lim.max_input_bytes) {
        set_err(r, NULL, "input is larger than the limit of %llu bytes",
                (unsigned long long)r->lim.max_input_bytes);
        r->fail_rc = TL_ELIMIT;
        return fatal(r, TL_ELIMIT);
    }
    for (;;) {
        int c;
        tl_err rc;
        switch (r->st) {
        case ST_DONE:
            return TL_OK;
        case ST_TOP: {
            c = peek_ws(r, r->base + r->pos);
            if (c < 0) return fatal(r, TL_EIO);
            if (c == 0) {
                r->st = ST_DONE;
                if (!r->any) {
                    set_err(r, NULL, "no STIX content (empty input)");
                    return fatal(r, TL_EJSON);
                }
                return TL_OK;
            }
            r->any = 1;
            r->top_pos = here(r);
            r->top_off = r->top_pos.offset;
            if (c == '[') {
                r->pos++;
                r->st = ST_ARRAY;
                continue;
            }
            if (c != '{') {
                set_err(r, &r->top_pos,
                        "expected a STIX object, bundle, envelope, array or JSON Lines");
                return fatal(r, TL_EJSON);
            }
            json_t *single = NULL;
            if ((rc = read_top_object(r, &single))) return rc;
            if (single) {
                if (pos) *pos = r->top_pos;
                *obj = single;
                return TL_OK;
            }
            continue;
        }
        case ST_ARRAY:
        case ST_OBJS: {
            int objs = r->st == ST_OBJS;
            uint64_t keep = r->base + r->pos;
            c = peek_ws(r, keep);
            if (c < 0) return fatal(r, TL_EIO);
            if (c == ']') {
                r->pos++;
                r->st = objs ? ST_REST : ST_TOP;
                continue;
            }
            if (c == 0) {
                tl_reader_pos p = here(r);
                set_err(r, &p, "unexpected end of input in a list of objects");
                return fatal(r, TL_EJSON);
            }
            r->st = objs ? ST_OBJS_NEXT : ST_ARRAY_NEXT;
            return read_element(r, obj, pos);
        }
        case ST_ARRAY_NEXT:
        case ST_OBJS_NEXT: {
            int objs = r->st == ST_OBJS_NEXT;
            c = peek_ws(r, r->base + r->pos);
            if (c < 0) return fatal(r, TL_EIO);
            if (c == ',') {
                r->pos++;
                c = peek_ws(r, r->base + r->pos);
                if (c == ']') {
                    tl_reader_pos p = here(r);
                    set_err(r, &p, "trailing ',' before ']'");
                    return fatal(r, TL_EJSON);
                }
                r->st = objs ? ST_OBJS : ST_ARRAY;
                continue;
            }
            if (c == ']') {
                r->pos++;
                r->st = objs ? ST_REST : ST_TOP;
                continue;
            }
            tl_reader_pos p = here(r);
            set_err(r, &p,
                    c == 0 ? "unexpected end of input in a list of objects"
                           : "expected ',' or ']' after an object");
            return fatal(r, TL_EJSON);
        }
        case ST_REST: {
            uint64_t keep = r->base + r->pos;
            c = peek_ws(r, keep);
            if (c == '}') {
                r->pos++;
                if ((rc = check_container(r))) return rc;
                r->st = ST_TOP;
                continue;
            }
            if (c != ',') {
                tl_reader_pos p = here(r);
                set_err(r, &p, "expected ',' or '}' after the objects list");
                return fatal(r, c < 0 ? TL_EIO : TL_EJSON);
            }
            r->pos++;
            int objects_next;
            if ((rc = read_member(r, keep, &objects_next))) return rc;
            /* a trailing ',' or '}' is handled on the next turn */
            continue;
        }
        }
    }
}

/* ---- locating a property inside the last object ---- */

struct cur {
    const char *p, *e;
};

static void ws(struct cur *c)
{
    while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Skips one value; 0 on success. Input here has already parsed, so it is well formed. */
static int skip(struct cur *c)
{
    int depth = 0;
    ws(c);
    while (c->p < c->e) {
        char ch = *c->p;
        if (ch == '"') {
            c->p++;
            while (c->p < c->e && *c->p != '"')
                c->p += *c->p == '\\' ? 2 : 1;
            c->p++;
        } else if (ch == '{' || ch == '[') {
            depth++;
            c->p++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0) return 0;
            depth--;
            c->p++;
        } else if (depth == 0 &&
                   (ch == ',' || ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r')) {
            return 0;
        } else {
            c->p++;
        }
        if (depth == 0 && (ch == '"' || ch == '}' || ch == ']')) return 0;
    }
    return -1;
}

/* Finds member name (len n) in the object at c; leaves c at its key. */
static int find_member(struct cur *c, const char *name, size_t n, const char **keypos)
{
    ws(c);
    if (c->p >= c->e || *c->p != '{') return -1;
    c->p++;
    for (;;) {
        ws(c);
        if (c->p >= c->e || *c->p != '"') return -1;
        const char *k = c->p + 1, *q = k;
        while (q < c->e && *q != '"')
            q += *q == '\\' ? 2 : 1;
        *keypos = c->p;
        int match = (size_t)(q - k) == n && memcmp(k, name, n) == 0;
        c->p = q + 1;
        ws(c);
        if (c->p >= c->e || *c->p != ':') return -1;
        c->p++;
        ws(c);
        if (match) return 0;
        if (skip(c)) return -1;
        ws(c);
        if (c->p >= c->e || *c->p != ',') return -1;
        c->p++;
    }
}

static int find_index(struct cur *c, size_t idx)
{
    ws(c);
    if (c->p >= c->e || *c->p != '[') return -1;
    c->p++;
    for (size_t i = 0;; i++) {
        ws(c);
        if (i == idx) return 0;
        if (skip(c)) return -1;
        ws(c);
        if (c->p >= c->e || *c->p != ',') return -1;
        c->p++;
    }
}

tl_reader_pos tl_reader_locate(const tl_reader *r, const char *path)
{
    tl_reader_pos at = r->obj_pos;
    if (!path || !*path || r->obj_end <= r->obj_off || r->obj_off < r->base ||
        r->obj_end > r->base + r->len)
        return at;
    struct cur c = {r->buf + (r->obj_off - r->base), r->buf + (r->obj_end - r->base)};
    const char *start = c.p, *found = NULL;
    const char *s = path;
    while (*s) {
        if (*s == '[') {
            size_t idx = 0;
            s++;
            while (*s >= '0' && *s <= '9')
                idx = idx * 10 + (size_t)(*s++ - '0');
            if (*s != ']' || find_index(&c, idx)) break;
            s++;
            found = c.p;
        } else {
            if (*s == '.') s++;
            size_t n = strcspn(s, ".[");
            const char *kp;
            if (find_member(&c, s, n, &kp)) break;
            found = kp;
            s += n;
        }
    }
    if (!found) return at;
    for (const char *q = start; q < found; q++) {
        unsigned char ch = (unsigned char)*q;
        if (ch == '\n') {
            at.line++;
            at.col = 1;
        } else if ((ch & 0xc0) != 0x80) {
            at.col++;
        }
    }
    at.offset += (uint64_t)(found - start);
    return at;
}
