/* text.c: Unicode text helpers over ICU. */
#include "text.h"

#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

int tl__utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(e - p) < len) return 0;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        p += len;
    }
    return 1;
}

tl_err tl__text_fold(const char *utf8, char **out)
{
    *out = NULL;
    size_t n = strlen(utf8);
    if (!tl__utf8_valid(utf8, n) || n > 65536) return TL_EINVAL;
    UErrorCode ec = U_ZERO_ERROR;
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&ec);
    if (U_FAILURE(ec)) return TL_EINVAL;
    int32_t ulen = 0;
    u_strFromUTF8(NULL, 0, &ulen, utf8, (int32_t)n, &ec);
    if (ec != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(ec)) return TL_EINVAL;
    ec = U_ZERO_ERROR;
    UChar *src = tl_malloc(((size_t)ulen + 1) * sizeof(UChar));
    /* Case folding and NFKC can expand; 18x is ICU's documented bound per code unit. */
    int32_t cap = ulen * 18 + 16;
    UChar *dst = tl_malloc((size_t)cap * sizeof(UChar));
    char *res = NULL;
    tl_err rc = TL_ENOMEM;
    if (!src || !dst) goto out;
    u_strFromUTF8(src, ulen + 1, NULL, utf8, (int32_t)n, &ec);
    int32_t dlen = unorm2_normalize(nf, src, ulen, dst, cap, &ec);
    if (U_FAILURE(ec)) {
        rc = TL_EINVAL;
        goto out;
    }
    int32_t blen = 0;
    u_strToUTF8(NULL, 0, &blen, dst, dlen, &ec);
    ec = U_ZERO_ERROR;
    res = tl_malloc((size_t)blen + 1);
    if (!res) goto out;
    u_strToUTF8(res, blen + 1, NULL, dst, dlen, &ec);
    if (U_FAILURE(ec)) {
        tl_free(res);
        res = NULL;
        rc = TL_EINVAL;
        goto out;
    }
    rc = TL_OK;
out:
    tl_free(src);
    tl_free(dst);
    *out = res;
    return rc;
}
