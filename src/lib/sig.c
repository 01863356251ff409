/* sig.c: verifying the signatures on objects received from partners. */
#include "sig.h"

#include "tearline/agree.h"
#include "tearline/json.h"
#include "tearline/release.h"

#include "node_int.h"
#include "ts.h"

#include <sodium.h>
#include <string.h>

tl_err tl__sig_verify(const json_t *o, const unsigned char pk[32], char *why, size_t cap)
{
    const json_t *ext = json_object_get(json_object_get(o, "extensions"), TL_SIG_EXT_ID);
    const char *pkhex = json_string_value(json_object_get(ext, "public_key"));
    const char *sighex = json_string_value(json_object_get(ext, "signature"));
    unsigned char got_pk[32], sig[64];
    if (!ext || !pkhex || !sighex || strlen(pkhex) != 64 || strlen(sighex) != 128 ||
        sodium_hex2bin(got_pk, 32, pkhex, 64, NULL, NULL, NULL) != 0 ||
        sodium_hex2bin(sig, 64, sighex, 128, NULL, NULL, NULL) != 0) {
        snprintf(why, cap, "it carries no well-formed tearline signature");
        return TL_ECRYPTO;
    }
    if (sodium_memcmp(got_pk, pk, 32) != 0) {
        snprintf(why, cap, "it is signed by another key than the partner's (%.16s...)", pkhex);
        return TL_ECRYPTO;
    }
    json_t *copy = json_deep_copy(o);
    if (!copy) return TL_ENOMEM;
    json_t *exts = json_object_get(copy, "extensions");
    json_object_del(exts, TL_SIG_EXT_ID);
    if (json_object_size(exts) == 0) json_object_del(copy, "extensions");
    char *msg = NULL;
    size_t len = 0;
    tl_err rc = tl_json_canonical(copy, &msg, &len);
    json_decref(copy);
    if (rc) return rc;
    int bad = crypto_sign_verify_detached(sig, (const unsigned char *)msg, len, pk) != 0;
    tl_free(msg);
    if (bad) {
        snprintf(why, cap, "its signature does not verify: it was changed after signing");
        return TL_ECRYPTO;
    }
    return TL_OK;
}

tl_err tl__sig_add(json_t *o, const unsigned char sk[64], const char *signer)
{
    char *msg = NULL;
    size_t len = 0;
    tl_err rc = tl_json_canonical(o, &msg, &len);
    if (rc) return rc;
    unsigned char sig[64];
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, len, sk);
    tl_free(msg);
    char sighex[129], pkhex[65];
    sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
    sodium_bin2hex(pkhex, sizeof pkhex, sk + 32, 32);
    json_t *exts = json_object_get(o, "extensions");
    if (!exts) {
        exts = json_object();
        if (!exts || json_object_set_new(o, "extensions", exts)) return TL_ENOMEM;
    }
    json_t *ext = json_pack("{s:s, s:s, s:s, s:s}", "extension_type", "property-extension",
                            "signer", signer, "public_key", pkhex, "signature", sighex);
    return !ext || json_object_set_new(exts, TL_SIG_EXT_ID, ext) ? TL_ENOMEM : TL_OK;
}

/* The key pinned for a partner with `tearline partner add --key`, "" if none. */
static int pinned_key(const tl_partner_rec *p, void *ud)
{
    snprintf(ud, 65, "%s", p->public_key);
    return 0;
}

tl_err tl__partner_key(tl_node *n, const char *partner, unsigned char pk[32])
{
    tl_agreement *a = NULL;
    tl_err rc = tl_node_agree_in_force(n, partner, tl__now_us(), &a);
    if (rc) {
        char why[600];
        snprintf(why, sizeof why, "%s", n->errmsg);
        tl__node_err(n, "partner %s has no signing key: %s", partner, why);
        return rc;
    }
    const char *hex = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(tl_agreement_json(a), "parties"), i, p)
    {
        if (!strcmp(json_string_value(json_object_get(p, "code")), partner))
            hex = json_string_value(json_object_get(p, "public_key"));
    }
    rc = TL_ENOTFOUND;
    if (hex && strlen(hex) == 64 && sodium_hex2bin(pk, 32, hex, 64, NULL, NULL, NULL) == 0)
        rc = TL_OK;
    char pinned[65] = "";
    if (!rc) {
        rc = tl_store_partner_get(n->store, partner, pinned_key, pinned);
        if (rc == TL_ENOTFOUND)
            rc = TL_OK; /* not recorded as a partner: nothing pinned */
        else if (rc)
            tl__node_err(n, "%s", tl_store_errmsg(n->store));
    }
    if (!rc && *pinned && strcmp(pinned, hex) != 0) {
        tl__node_err(n,
                     "partner %s: the key pinned with 'partner add --key' differs from its key in "
                     "agreement %s version %lld; update one of them",
                     partner, tl_agreement_id(a), (long long)tl_agreement_version(a));
        rc = TL_ECONFLICT;
    }
    tl_agreement_free(a);
    return rc;
}
