/* head.c: signed head files (head.h). */
#include "head.h"

#include "buf.h"
#include "keys.h"
#include "ledger_int.h"
#include "node_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tl__head_msg(const char *tag, int64_t seq, const unsigned char hash[32], int64_t time,
                    unsigned char msg[TL_HEAD_MSG_MAX])
{
    size_t t = strlen(tag);
    if (t > 32) t = 32;
    for (size_t i = 0; i < t; i++) /* bytes, not a string: no terminator */
        msg[i] = (unsigned char)tag[i];
    tl__put_be64(msg + t, (uint64_t)seq);
    memcpy(msg + t + 8, hash, 32);
    tl__put_be64(msg + t + 40, (uint64_t)time);
    return t + 48;
}

static char *path_of(const tl_node *n, const char *file)
{
    struct tl_buf b = TL_BUF_INIT;
    tl__buf_printf(&b, "%s/%s", n->home, file);
    return tl__buf_take(&b, NULL);
}

tl_err tl__head_write(tl_node *n, const char *file, const char *name, const tl__head *h)
{
    char hh[65], pk[65], sh[129], line[400];
    sodium_bin2hex(hh, sizeof hh, h->hash, 32);
    sodium_bin2hex(pk, sizeof pk, h->key, 32);
    sodium_bin2hex(sh, sizeof sh, h->sig, 64);
    int len = snprintf(line, sizeof line, "%s 1 %lld %s %lld %s %s\n", name, (long long)h->seq, hh,
                       (long long)h->time, pk, sh);
    char *path = path_of(n, file);
    if (!path) return TL_ENOMEM;
    tl_err rc = tl__write_file_atomic(path, line, (size_t)len, 0600, n->errmsg, sizeof n->errmsg);
    tl_free(path);
    return rc;
}

tl_err tl__head_sign(tl_node *n, const char *tag, tl__head *h)
{
    unsigned char sk[64], msg[TL_HEAD_MSG_MAX];
    tl_err rc = tl__node_signing_key(n, sk);
    if (rc) return rc;
    size_t len = tl__head_msg(tag, h->seq, h->hash, h->time, msg);
    crypto_sign_detached(h->sig, NULL, msg, len, sk);
    sodium_memzero(sk, sizeof sk);
    memcpy(h->key, n->pk, 32);
    return TL_OK;
}

int tl__head_read(tl_node *n, const char *file, const char *name, const char *tag, tl__head *h,
                  char *why, size_t cap)
{
    char *path = path_of(n, file), *text = NULL;
    size_t len = 0;
    char msg[300];
    if (!path) return -1;
    tl_err rc = tl__read_file(path, 1024, &text, &len, msg, sizeof msg);
    tl_free(path);
    if (rc) return 0; /* none yet */
    char prefix[64];
    int plen = snprintf(prefix, sizeof prefix, "%s 1 ", name);
    long long seq = 0, time = 0;
    char *p = text + plen, *end = NULL;
    int ok = plen > 0 && len > (size_t)plen && !strncmp(text, prefix, (size_t)plen);
    if (ok) {
        seq = strtoll(p, &end, 10);
        ok = end != p && *end == ' ' && seq > 0;
    }
    if (ok) ok = !sodium_hex2bin(h->hash, 32, end + 1, 64, NULL, NULL, NULL) && end[65] == ' ';
    if (ok) {
        p = end + 66;
        time = strtoll(p, &end, 10);
        ok = end != p && *end == ' ';
    }
    if (ok)
        ok = !sodium_hex2bin(h->key, 32, end + 1, 64, NULL, NULL, NULL) && end[65] == ' ' &&
             !sodium_hex2bin(h->sig, 64, end + 66, 128, NULL, NULL, NULL);
    tl_free(text);
    if (!ok) {
        snprintf(why, cap, "%s is malformed", file);
        return -1;
    }
    h->seq = seq;
    h->time = time;
    unsigned char m[TL_HEAD_MSG_MAX];
    size_t mlen = tl__head_msg(tag, seq, h->hash, time, m);
    if (crypto_sign_verify_detached(h->sig, m, mlen, h->key) != 0 ||
        !tl__node_holds_key(n, h->key)) {
        snprintf(why, cap, "%s: its signature does not verify with a key of this node", file);
        return -1;
    }
    return 1;
}
