/*
 * fuzz_canonical.c: the fast reader for canonical JSON against jansson under
 * libFuzzer. Whatever it reads, jansson reads to an equal value; whatever it
 * refuses, tl__json_parse_stored still reads as jansson does.
 */
#include "jcs.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    json_error_t je;
    json_t *want = json_loadb(text, size, JSON_DECODE_ANY, &je), *got = NULL, *stored = NULL;
    if (tl__json_parse_canonical(text, size, &got) == TL_OK && (!want || !json_equal(got, want)))
        abort();
    tl_err rc = tl__json_parse_stored(text, size, &stored);
    if ((rc == TL_OK) != (want != NULL) || (want && !json_equal(stored, want))) abort();
    json_decref(stored);
    json_decref(got);
    json_decref(want);
    return 0;
}
