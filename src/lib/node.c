/* node.c: node home, identity and holdings access. */
#include "audit_int.h"
#include "keys.h"
#include "node_int.h"

#include "tearline/json.h"
#include "tearline/prov.h"

#include "buf.h"
#include "text.h"
#include "ts.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX 65536

void tl__node_err(tl_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->errmsg, sizeof n->errmsg, fmt, ap);
    va_end(ap);
}

tl_err tl__node_meta_set(tl_node *n, const char *key, const char *value)
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

void tl__uuid_format(unsigned char b[16], char out[37])
{
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void tl__uuid4(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    tl__uuid_format(b, out);
}

tl_err tl__write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
                             char *errmsg, size_t errcap)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        tl__msg(errmsg, errcap, "%s: path too long", path);
        return TL_EINVAL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) {
        tl__msg(errmsg, errcap, "%s: cannot create: %s", tmp, strerror(errno));
        return TL_EIO;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            tl__msg(errmsg, errcap, "%s: write failed: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return TL_EIO;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fchmod(fd, (mode_t)mode) || fsync(fd) || close(fd) || rename(tmp, path)) {
        tl__msg(errmsg, errcap, "%s: cannot save: %s", path, strerror(errno));
        unlink(tmp);
        return TL_EIO;
    }
    /* make the rename durable */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        int dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    return TL_OK;
}

static char *path_join(const char *dir, const char *name)
{
    struct tl_buf b = TL_BUF_INIT;
    tl__buf_printf(&b, "%s/%s", dir, name);
    return tl__buf_take(&b, NULL);
}

tl_err tl__read_file(const char *path, size_t cap, char **out, size_t *lenp, char *errmsg,
                     size_t errcap)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tl__msg(errmsg, errcap, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? TL_ENODE : TL_EIO;
    }
    char *buf = tl_malloc(cap + 1);
    if (!buf) {
        close(fd);
        return TL_ENOMEM;
    }
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, cap + 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            tl__msg(errmsg, errcap, "%s: read failed: %s", path, strerror(errno));
            tl_free(buf);
            close(fd);
            return TL_EIO;
        }
        if (r == 0) break;
        len += (size_t)r;
        if (len > cap) {
            tl__msg(errmsg, errcap, "%s: larger than %zu bytes", path, cap);
            tl_free(buf);
            close(fd);
            return TL_ELIMIT;
        }
    }
    close(fd);
    buf[len] = '\0';
    *out = buf;
    if (lenp) *lenp = len;
    return TL_OK;
}

static void node_free(tl_node *n)
{
    if (!n) return;
    tl_store_close(n->store);
    tl_free(n->store_url);
    tl_free(n->home);
    tl_free(n->code);
    tl_free(n->title);
    tl_free(n->identity);
    tl_free(n);
}

void tl_node_close(tl_node *n)
{
    node_free(n);
}

const char *tl_node_errmsg(const tl_node *n)
{
    return n->errmsg;
}

const char *tl_node_code(const tl_node *n)
{
    return n->code;
}

const char *tl_node_title(const tl_node *n)
{
    return n->title;
}

const char *tl_node_identity(const tl_node *n)
{
    return n->identity;
}

void tl_node_public_key(const tl_node *n, unsigned char pk[32])
{
    memcpy(pk, n->pk, 32);
}

int tl_timestamp_parse(const char *s, char key[64], int64_t *us)
{
    return s ? tl__ts_parse(s, strlen(s), NULL, us, key) : -1;
}

int64_t tl_now_us(void)
{
    return tl__now_us();
}

void tl_timestamp_format(int64_t us, char out[32])
{
    tl__ts_format_us(us, out);
}

/*
 * node.conf: "key = value" lines, '#' comments. Known keys: code, title,
 * store, max_object_bytes, max_input_bytes.
 */
static tl_err parse_conf(tl_node *n, const char *path, char *text, char **store_url, char *errmsg,
                         size_t errcap)
{
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == '#') continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            tl__msg(errmsg, errcap, "%s:%d: expected 'key = value'", path, lineno);
            return TL_EINVAL;
        }
        char *k = line, *v = eq + 1;
        char *ke = eq;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        *ke = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        size_t vl = strlen(v);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t' || v[vl - 1] == '\r'))
            v[--vl] = '\0';
        char **dst = NULL;
        if (!strcmp(k, "code"))
            dst = &n->code;
        else if (!strcmp(k, "title"))
            dst = &n->title;
        else if (!strcmp(k, "store"))
            dst = store_url;
        if (dst) {
            tl_free(*dst);
            if (!(*dst = tl_strdup(v))) return TL_ENOMEM;
            continue;
        }
        if (!strcmp(k, "max_object_bytes") || !strcmp(k, "max_input_bytes")) {
            char *end;
            errno = 0;
            unsigned long long x = strtoull(v, &end, 10);
            if (errno || *end || !*v) {
                tl__msg(errmsg, errcap, "%s:%d: %s must be a whole number of bytes", path, lineno,
                        k);
                return TL_EINVAL;
            }
            if (!strcmp(k, "max_object_bytes"))
                n->limits.max_object_bytes = (size_t)x;
            else
                n->limits.max_input_bytes = x;
            continue;
        }
        tl__msg(errmsg, errcap, "%s:%d: unknown setting '%s'", path, lineno, k);
        return TL_EINVAL;
    }
    if (!n->code || !tl_party_code_valid(n->code)) {
        tl__msg(errmsg, errcap, "%s: 'code' is missing or not a valid party code", path);
        return TL_EINVAL;
    }
    return TL_OK;
}

static tl_err open_store(tl_node *n, const char *url, char *errmsg, size_t errcap)
{
    char *resolved = NULL;
    const char *u = url ? url : "sqlite:store.db";
    const char *path = strncmp(u, "sqlite:", 7) == 0 ? u + 7 : (strstr(u, "://") ? NULL : u);
    if (path) { /* as sqlite:PATH, a relative path from the home */
        struct tl_buf b = TL_BUF_INIT;
        if (path[0] == '/')
            tl__buf_printf(&b, "sqlite:%s", path);
        else
            tl__buf_printf(&b, "sqlite:%s/%s", n->home, path);
        resolved = tl__buf_take(&b, NULL);
        if (!resolved) return TL_ENOMEM;
        u = resolved;
    }
    tl_err rc = tl_store_open(u, &n->store, errmsg, errcap);
    if (!rc && !(n->store_url = resolved ? resolved : tl_strdup(u))) rc = TL_ENOMEM;
    if (rc && resolved) tl_free(resolved);
    return rc;
}

static tl_err load_meta(tl_node *n, char *errmsg, size_t errcap)
{
    char *pkhex = NULL;
    tl_err rc = tl_store_meta_get(n->store, "identity", &n->identity);
    if (!rc) rc = tl_store_meta_get(n->store, "public_key", &pkhex);
    if (rc == TL_ENOTFOUND) {
        tl__msg(errmsg, errcap, "%s: the store holds no node identity", n->home);
        rc = TL_ENODE;
    }
    if (!rc &&
        (strlen(pkhex) != 64 || sodium_hex2bin(n->pk, 32, pkhex, 64, NULL, NULL, NULL) != 0)) {
        tl__msg(errmsg, errcap, "%s: the stored public key is malformed", n->home);
        rc = TL_ESTORE;
    }
    tl_free(pkhex);
    return rc;
}

tl_err tl_node_open(const char *home, tl_node **out, char *errmsg, size_t errcap)
{
    *out = NULL;
    if (sodium_init() < 0) {
        tl__msg(errmsg, errcap, "libsodium failed to initialize");
        return TL_ECRYPTO;
    }
    tl_node *n = tl_calloc(1, sizeof *n);
    if (!n) return TL_ENOMEM;
    char *conf_path = NULL, *text = NULL, *store_url = NULL;
    tl_err rc = TL_ENOMEM;
    if (!(n->home = tl_strdup(home))) goto out;
    if (!(conf_path = path_join(home, "node.conf"))) goto out;
    rc = tl__read_file(conf_path, CONF_MAX, &text, NULL, errmsg, errcap);
    if (rc == TL_ENODE) {
        tl__msg(errmsg, errcap, "%s: no tearline node here (run 'tearline init --name CODE')",
                home);
        goto out;
    }
    if (rc) goto out;
    if ((rc = parse_conf(n, conf_path, text, &store_url, errmsg, errcap))) goto out;
    if (!n->title && !(n->title = tl_strdup(n->code))) {
        rc = TL_ENOMEM;
        goto out;
    }
    if ((rc = open_store(n, store_url, errmsg, errcap))) goto out;
    rc = load_meta(n, errmsg, errcap);
    if (!rc && (rc = tl__node_keys_settle(n))) tl__msg(errmsg, errcap, "%s", n->errmsg);
out:
    tl_free(conf_path);
    tl_free(text);
    tl_free(store_url);
    if (rc) {
        node_free(n);
        return rc;
    }
    *out = n;
    return TL_OK;
}

static tl_err make_identity(tl_node *n, json_t **out)
{
    char uuid[37], ts[32];
    tl__uuid4(uuid);
    tl__ts_format_ms(tl__now_us(), ts);
    char id[64];
    snprintf(id, sizeof id, "identity--%s", uuid);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
                          "spec_version", "2.1", "id", id, "created", ts, "modified", ts, "name",
                          n->title, "identity_class", "organization", "x_tearline_node", n->code);
    if (!o) return TL_ENOMEM;
    *out = o;
    return TL_OK;
}

tl_err tl_node_init(const char *home, const char *code, const char *title, tl_node **out,
                    char *errmsg, size_t errcap)
{
    return tl_node_init_store(home, code, title, NULL, out, errmsg, errcap);
}

tl_err tl_node_init_store(const char *home, const char *code, const char *title,
                          const char *store_url, tl_node **out, char *errmsg, size_t errcap)
{
    *out = NULL;
    if (store_url && (!*store_url || strchr(store_url, '\n') || strchr(store_url, '#') ||
                      !tl__utf8_valid(store_url, strlen(store_url)))) {
        tl__msg(errmsg, errcap, "the store URL must be one line, without '#'");
        return TL_EINVAL;
    }
    if (!tl_party_code_valid(code)) {
        tl__msg(errmsg, errcap,
                "'%s' is not a valid node code: 2-32 characters, a-z first, then a-z, 0-9, '-'",
                code ? code : "");
        return TL_EINVAL;
    }
    if (title && (!tl__utf8_valid(title, strlen(title)) || strchr(title, '\n'))) {
        tl__msg(errmsg, errcap, "the title must be one line of UTF-8 text");
        return TL_EINVAL;
    }
    if (sodium_init() < 0) {
        tl__msg(errmsg, errcap, "libsodium failed to initialize");
        return TL_ECRYPTO;
    }
    if (mkdir(home, 0700) != 0 && errno != EEXIST) {
        tl__msg(errmsg, errcap, "%s: cannot create: %s", home, strerror(errno));
        return TL_EIO;
    }
    char *conf_path = path_join(home, "node.conf");
    char *key_path = path_join(home, "identity.key");
    if (!conf_path || !key_path) {
        tl_free(conf_path);
        tl_free(key_path);
        return TL_ENOMEM;
    }
    tl_err rc;
    struct stat sb;
    if (stat(conf_path, &sb) == 0 || stat(key_path, &sb) == 0) {
        tl__msg(errmsg, errcap, "%s: a tearline node already exists here", home);
        rc = TL_EEXIST;
        goto out;
    }

    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char skhex[2 * crypto_sign_SECRETKEYBYTES + 1], pkhex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    sodium_bin2hex(skhex, sizeof skhex, sk, sizeof sk);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    char keyfile[sizeof skhex + 32];
    int klen = snprintf(keyfile, sizeof keyfile, "ed25519-secret %s\n", skhex);
    rc = tl__write_file_atomic(key_path, keyfile, (size_t)klen, 0600, errmsg, errcap);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(skhex, sizeof skhex);
    sodium_memzero(keyfile, sizeof keyfile);
    if (rc) goto out;

    struct tl_buf conf = TL_BUF_INIT;
    tl__buf_printf(&conf,
                   "# tearline node settings\n"
                   "code = %s\n"
                   "title = %s\n"
                   "store = %s\n"
                   "# max_object_bytes = %u\n"
                   "# max_input_bytes = 0\n",
                   code, title ? title : code, store_url ? store_url : "sqlite:store.db",
                   TL_READER_DEFAULT_OBJECT);
    if (conf.oom) {
        tl__buf_free(&conf);
        rc = TL_ENOMEM;
        goto out;
    }
    rc = tl__write_file_atomic(conf_path, conf.p, conf.len, 0600, errmsg, errcap);
    tl__buf_free(&conf);
    if (rc) goto out;

    tl_node *n = tl_calloc(1, sizeof *n);
    if (!n) {
        rc = TL_ENOMEM;
        goto out;
    }
    memcpy(n->pk, pk, 32);
    if (!(n->home = tl_strdup(home)) || !(n->code = tl_strdup(code)) ||
        !(n->title = tl_strdup(title ? title : code))) {
        node_free(n);
        rc = TL_ENOMEM;
        goto out;
    }
    if ((rc = open_store(n, store_url, errmsg, errcap))) {
        node_free(n);
        goto undo;
    }

    json_t *ident = NULL;
    char *js = NULL;
    size_t jlen = 0;
    if ((rc = make_identity(n, &ident)) || (rc = tl_json_canonical(ident, &js, &jlen))) {
        json_decref(ident);
        node_free(n);
        goto out;
    }
    const char *iid = json_string_value(json_object_get(ident, "id"));
    char ver[TL_TS_KEYMAX];
    const char *mod = json_string_value(json_object_get(ident, "modified"));
    tl__ts_parse(mod, strlen(mod), NULL, NULL, ver);
    tl_store_obj so = {iid, "identity", ver, ver, 0, "", js, jlen, NULL, 0, NULL, 0};
    rc = tl_store_begin(n->store);
    char *held = NULL;
    if (!rc && tl_store_meta_get(n->store, "identity", &held) == TL_OK) {
        /* inside the transaction: two inits on one database cannot both pass */
        tl__msg(errmsg, errcap, "the store already holds a node (identity %s): one store per node",
                held);
        tl_free(held);
        rc = TL_EEXIST;
    } else {
        if (!rc) rc = tl_store_meta_set(n->store, "code", code);
        if (!rc) rc = tl_store_meta_set(n->store, "identity", iid);
        if (!rc) rc = tl_store_meta_set(n->store, "public_key", pkhex);
        if (!rc) rc = tl_store_put(n->store, &so, NULL);
        if (!rc) rc = tl_store_commit(n->store);
        if (rc) tl__msg(errmsg, errcap, "%s", tl_store_errmsg(n->store));
    }
    if (rc) {
        tl_store_rollback(n->store);
    } else if (!(n->identity = tl_strdup(iid))) {
        rc = TL_ENOMEM;
    }
    tl_free(js);
    json_decref(ident);
    if (rc) {
        node_free(n);
        goto undo;
    }
    *out = n;
    goto out;
undo:
    /* a node that could not be created leaves no files that say it exists */
    unlink(conf_path);
    unlink(key_path);
out:
    tl_free(conf_path);
    tl_free(key_path);
    return rc;
}

tl_err tl_node_get(tl_node *n, const char *id, const char *version, tl_record_cb cb, void *ud)
{
    if (!id || !*id) {
        tl__node_err(n, "an object id is required");
        return TL_EINVAL;
    }
    char key[TL_TS_KEYMAX];
    if (version && tl__ts_parse(version, strlen(version), NULL, NULL, key)) {
        tl__node_err(n, "'%s' is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)", version);
        return TL_EINVAL;
    }
    tl_err rc = tl_store_get(n->store, id, version ? key : NULL, cb, ud);
    if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc;
}

tl_err tl_node_query(tl_node *n, const tl_filter *f, const char *cursor, tl_record_cb cb, void *ud,
                     char next[TL_CURSOR_MAX])
{
    tl_err rc = tl_store_query(n->store, f, cursor, cb, ud, next);
    if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc;
}

static const char *const term_kinds[] = {"source",    "station", "platform",
                                         "operation", "person",  "other"};

static tl_err protect_add(tl_node *n, const char *term, const char *kind)
{
    if (!kind) kind = "other";
    int ok = 0;
    for (size_t i = 0; i < sizeof term_kinds / sizeof *term_kinds; i++)
        ok |= !strcmp(kind, term_kinds[i]);
    if (!ok) {
        tl__node_err(n,
                     "'%s' is not a term kind (source, station, platform, operation, "
                     "person, other)",
                     kind);
        return TL_EINVAL;
    }
    size_t len = term ? strlen(term) : 0;
    const char *p = term;
    while (p && (*p == ' ' || *p == '\t'))
        p++;
    if (!term || !*p || len > 1024) {
        tl__node_err(n, "a protected term must be 1 to 1024 bytes and not blank");
        return TL_EINVAL;
    }
    char *folded = NULL;
    tl_err rc = tl__text_fold(term, &folded);
    if (rc == TL_EINVAL) tl__node_err(n, "the term is not valid UTF-8");
    if (rc) return rc;
    rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_term_add(n->store, term, folded, kind);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl__node_err(n, "%s", tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    }
    tl_free(folded);
    return rc;
}

static tl_err protect_remove(tl_node *n, const char *term)
{
    char *folded = NULL;
    tl_err rc = tl__text_fold(term ? term : "", &folded);
    if (rc == TL_EINVAL) tl__node_err(n, "the term is not valid UTF-8");
    if (rc) return rc;
    rc = tl_store_begin(n->store);
    if (!rc) rc = tl_store_term_remove(n->store, folded);
    if (!rc) rc = tl_store_commit(n->store);
    if (rc) {
        tl__node_err(n, "%s",
                     rc == TL_ENOTFOUND ? "no such protected term" : tl_store_errmsg(n->store));
        tl_store_rollback(n->store);
    }
    tl_free(folded);
    return rc;
}

tl_err tl_node_protect_list(tl_node *n, tl_term_cb cb, void *ud)
{
    tl_err rc = tl_store_term_list(n->store, cb, ud);
    if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc;
}

tl_err tl_node_stats(tl_node *n, tl_count_cb cb, void *ud)
{
    tl_err rc = tl_store_count(n->store, cb, ud);
    if (rc) tl__node_err(n, "%s", tl_store_errmsg(n->store));
    return rc;
}

tl_err tl__node_signing_key(tl_node *n, unsigned char sk[64])
{
    char *path = path_join(n->home, "identity.key");
    if (!path) return TL_ENOMEM;
    char *text = NULL;
    size_t tlen = 0;
    tl_err rc = tl__read_file(path, 4096, &text, &tlen, n->errmsg, sizeof n->errmsg);
    tl_free(path);
    if (rc) return rc == TL_ENODE ? TL_EIO : rc;
    static const char prefix[] = "ed25519-secret ";
    size_t plen = sizeof prefix - 1;
    rc = TL_ECRYPTO;
    if (tlen >= plen + 128 && memcmp(text, prefix, plen) == 0 &&
        sodium_hex2bin(sk, 64, text + plen, 128, NULL, NULL, NULL) == 0) {
        /* the secret key embeds the public key: it must be this node's */
        if (sodium_memcmp(sk + 32, n->pk, 32) == 0)
            rc = TL_OK;
        else
            tl__node_err(n, "%s/identity.key does not hold this node's key", n->home);
    } else {
        tl__node_err(n, "%s/identity.key is malformed", n->home);
    }
    if (rc) sodium_memzero(sk, 64);
    sodium_memzero(text, tlen);
    tl_free(text);
    return rc;
}

tl_err tl__node_sign(tl_node *n, const void *msg, size_t len, unsigned char sig[64])
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    tl_err rc = tl__node_signing_key(n, sk);
    if (!rc) crypto_sign_detached(sig, NULL, msg, len, sk);
    sodium_memzero(sk, sizeof sk);
    return rc;
}

tl_err tl__node_release_secret(tl_node *n, unsigned char key[32])
{
    char *path = path_join(n->home, "release.key");
    if (!path) return TL_ENOMEM;
    char *text = NULL;
    size_t len = 0;
    tl_err rc = tl__read_file(path, 4096, &text, &len, n->errmsg, sizeof n->errmsg);
    if (rc == TL_ENODE) {
        /* first release: make the secret */
        char hex[65], line[80];
        randombytes_buf(key, 32);
        sodium_bin2hex(hex, sizeof hex, key, 32);
        int l = snprintf(line, sizeof line, "release-secret %s\n", hex);
        rc = tl__write_file_atomic(path, line, (size_t)l, 0600, n->errmsg, sizeof n->errmsg);
        sodium_memzero(hex, sizeof hex);
        sodium_memzero(line, sizeof line);
    } else if (rc == TL_OK) {
        static const char prefix[] = "release-secret ";
        size_t plen = sizeof prefix - 1;
        if (len < plen + 64 || memcmp(text, prefix, plen) != 0 ||
            sodium_hex2bin(key, 32, text + plen, 64, NULL, NULL, NULL) != 0) {
            tl__node_err(n, "%s is malformed", path);
            rc = TL_ECRYPTO;
        }
        sodium_memzero(text, len);
    }
    tl_free(text);
    tl_free(path);
    return rc;
}

tl_err tl_node_protect_add(tl_node *n, const char *term, const char *kind)
{
    tl_err rc = protect_add(n, term, kind);
    if (!rc)
        rc = tl__audit_admin(n, NULL, "lexicon", "protect-add", "%s term %s", kind ? kind : "other",
                             term);
    return rc;
}

tl_err tl_node_protect_remove(tl_node *n, const char *term)
{
    tl_err rc = protect_remove(n, term);
    if (!rc) rc = tl__audit_admin(n, NULL, "lexicon", "protect-remove", "term %s", term);
    return rc;
}
