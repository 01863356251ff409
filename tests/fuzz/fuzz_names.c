/*
 * fuzz_names.c: the name preparer and scorer under libFuzzer. Any bytes are
 * either refused (TL_EINVAL) or prepared into a name that scores in [0, 1]
 * against itself and a fixed name, symmetrically, with an explanation that
 * fits its buffer and keys within their cap. The input is split at the
 * first NUL into two names when it holds one.
 */
#include "tearline/names.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_names *nx;

static void check(const tl_name *a, const tl_name *b)
{
    double s = tl_name_score(a, b), t = tl_name_score(b, a);
    if (!(s >= 0 && s <= 1) || s != t) abort();
    char buf[64];
    memset(buf, 'x', sizeof buf);
    double e = tl_name_explain(a, b, buf, 40);
    if (e != s || memchr(buf, '\0', 40) == NULL || buf[40] != 'x') abort();
    uint64_t keys[8];
    if (tl_name_keys(a, keys, 8) > 8) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nx && tl_names_new(&nx)) abort();
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t la = nul ? (size_t)(nul - text) : size;
    tl_name *a = NULL, *b = NULL, *fixed = NULL;
    tl_err rc = tl_names_prepare(nx, text, la, &a);
    if (rc != TL_OK && rc != TL_EINVAL) abort();
    if (rc == TL_EINVAL && a) abort();
    if (nul && tl_names_prepare(nx, nul + 1, size - la - 1, &b) == TL_OK && a) check(a, b);
    if (tl_names_prepare(nx, "Тархан Батирашвили", strlen("Тархан Батирашвили"), &fixed)) abort();
    if (a) {
        check(a, a);
        check(a, fixed);
        char form[256];
        tl_name_form(a, form, sizeof form);
        if (!memchr(form, '\0', sizeof form)) abort();
    }
    tl_name_free(a);
    tl_name_free(b);
    tl_name_free(fixed);
    return 0;
}
