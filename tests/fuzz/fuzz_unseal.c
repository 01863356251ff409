/*
 * fuzz_unseal.c: opening sealed files under libFuzzer. Two nodes, usa and
 * rus, countersign an agreement once. Each input is either a whole file
 * (first byte even), or the document inside one (first byte odd): signed by
 * rus and sealed to usa, so the checks after decryption are reached. Any
 * input ends in stored objects or a clean refusal with nothing stored.
 */
#include "tearline/agree.h"
#include "tearline/seal.h"

#include "node_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_node *usa, *rus;
static char dir[64];
static unsigned char rus_sk[64], usa_xpk[32];

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) abort();
    fclose(f);
}

static void countersigned_copy(tl_node *from, tl_node *to, const char *id, const char *path)
{
    tl_agreement *a = NULL;
    char *doc = NULL;
    size_t len = 0;
    if (tl_node_agree_sign(from, id, 0, &a) || tl_agreement_canonical(a, 1, &doc, &len)) abort();
    write_file(path, doc, len);
    tl_free(doc);
    tl_agreement_free(a);
    if (tl_node_agree_import(to, path, NULL)) abort();
}

static void setup(void)
{
    char msg[512], path[128];
    snprintf(dir, sizeof dir, "/tmp/tl-fuzz-unseal-XXXXXX");
    if (!mkdtemp(dir)) abort();
    snprintf(path, sizeof path, "%s/usa", dir);
    if (tl_node_init(path, "usa", NULL, &usa, msg, sizeof msg)) abort();
    snprintf(path, sizeof path, "%s/rus", dir);
    if (tl_node_init(path, "rus", NULL, &rus, msg, sizeof msg)) abort();
    unsigned char pku[32], pkr[32];
    char hu[65], hr[65];
    tl_node_public_key(usa, pku);
    tl_node_public_key(rus, pkr);
    sodium_bin2hex(hu, sizeof hu, pku, 32);
    sodium_bin2hex(hr, sizeof hr, pkr, 32);
    char doc[2048];
    int n = snprintf(doc, sizeof doc,
                     "{\"type\":\"tearline-agreement\",\"id\":\"agreement--6c0f3a9e-2b1d-4c8e-9f7a-"
                     "1e2d3c4b5a69\",\"version\":1,\"title\":\"fuzz\",\"parties\":[{\"code\":"
                     "\"usa\",\"public_key\":\"%s\"},{\"code\":\"rus\",\"public_key\":\"%s\"}],"
                     "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2099-01-01T00:00:"
                     "00Z\",\"scope\":{\"labels\":[\"syria\"]},\"rules\":{\"tlp_max\":\"amber\"},"
                     "\"profile\":{}}",
                     hu, hr);
    snprintf(path, sizeof path, "%s/a.json", dir);
    write_file(path, doc, (size_t)n);
    if (tl_node_agree_propose(usa, path, NULL)) abort();
    const char *id = "agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69";
    countersigned_copy(usa, rus, id, path);
    countersigned_copy(rus, usa, id, path);
    if (tl__node_signing_key(rus, rus_sk) || crypto_sign_ed25519_pk_to_curve25519(usa_xpk, pku))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!usa) setup();
    static const char magic[] = "TEARLINE-SEALED 1\n";
    const size_t mlen = sizeof magic - 1;
    char path[128];
    snprintf(path, sizeof path, "%s/in.sealed", dir);
    if (size && (data[0] & 1)) { /* the document, signed by rus and sealed to usa */
        size_t dlen = size - 1, plen = 64 + dlen;
        unsigned char *plain = malloc(plen), *file = malloc(mlen + crypto_box_SEALBYTES + plen);
        if (!plain || !file) abort();
        crypto_sign_detached(plain, NULL, data + 1, dlen, rus_sk);
        memcpy(plain + 64, data + 1, dlen);
        memcpy(file, magic, mlen);
        crypto_box_seal(file + mlen, plain, plen, usa_xpk);
        write_file(path, file, mlen + crypto_box_SEALBYTES + plen);
        free(plain);
        free(file);
    } else {
        write_file(path, data, size);
    }
    char from[40];
    tl_ingest_stats st;
    memset(&st, 0xff, sizeof st); /* unseal must fill it, failure or not */
    tl_err rc = tl_node_unseal(usa, path, from, &st);
    if (!rc && strcmp(from, "rus") != 0) abort(); /* only what rus signed opens */
    if (rc && st.stored) abort();                 /* a refusal stores nothing */
    return 0;
}
