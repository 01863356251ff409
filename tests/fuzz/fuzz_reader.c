/*
 * fuzz_reader.c: the JSON/STIX input path (reader, strict JSON, STIX
 * validation, canonical form) under libFuzzer. Any input must end in an
 * object or a clean error; the canonical form of a valid object must parse
 * back to the same canonical form.
 */
#include "tearline/json.h"
#include "tearline/reader.h"
#include "tearline/stix.h"

#include "jcs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_reader_limits lim = {1u << 16, 1u << 20, 32};
    tl_reader *r = NULL;
    if (tl_reader_open_mem("fuzz", (const char *)data, size, &lim, &r)) return 0;
    for (int i = 0; i < 1000; i++) {
        json_t *o = NULL;
        tl_reader_pos pos;
        tl_err rc = tl_reader_next(r, &o, &pos);
        if (rc) {
            if (tl_reader_failed(r)) break;
            continue;
        }
        if (!o) break;
        tl_stix_info info;
        tl_stix_error err;
        if (tl_stix_validate(o, &info, &err) != TL_OK) (void)tl_reader_locate(r, err.prop);
        /* what ingest stores must read back to the same bytes */
        struct tl_buf b = TL_BUF_INIT;
        double bad;
        char *c1 = NULL, *c2 = NULL;
        size_t l1 = 0, l2;
        if (tl__jcs_write_strict(&b, o, &bad) == TL_OK) c1 = tl__buf_take(&b, &l1);
        tl__buf_free(&b);
        if (c1) {
            json_t *back = NULL;
            char msg[128];
            if (tl_json_parse(c1, l1, &back, msg, sizeof msg) != TL_OK) abort();
            if (tl_json_canonical(back, &c2, &l2) != TL_OK) abort();
            if (l1 != l2 || memcmp(c1, c2, l1) != 0) abort();
            json_decref(back);
        }
        tl_free(c1);
        tl_free(c2);
        json_decref(o);
    }
    tl_reader_close(r);
    return 0;
}
