/*
 * fuzz_agreement.c: the agreement parser and verifier under libFuzzer. Any
 * input ends in an agreement or a clean error; a parsed agreement's signed
 * text parses back to the same agreement.
 */
#include "tearline/agree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_agreement *a = NULL;
    char msg[512];
    if (tl_agreement_parse("fuzz", (const char *)data, size, &a, msg, sizeof msg) != TL_OK)
        return 0;
    char *doc = NULL;
    size_t len = 0;
    if (tl_agreement_canonical(a, 1, &doc, &len) != TL_OK) abort();
    tl_agreement *b = NULL;
    if (tl_agreement_parse("again", doc, len, &b, msg, sizeof msg) != TL_OK) abort();
    char diff[256];
    if (tl_agreement_diff(a, b, diff, sizeof diff) != 0) abort();
    if (tl_agreement_countersigned(a) != tl_agreement_countersigned(b)) abort();
    tl_agreement_free(b);
    tl_free(doc);
    tl_agreement_free(a);
    return 0;
}
