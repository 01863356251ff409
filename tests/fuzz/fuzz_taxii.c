/*
 * fuzz_taxii.c: the TAXII query parameters and paging cursors under
 * libFuzzer. The input is a query string (key=value pairs split at '&', as
 * libmicrohttpd hands them over). Any input ends in a query or a clean 400;
 * a query's own cursor is accepted for it, and a changed one is not.
 */
#include "taxii.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char key[32] = {1, 2, 3};
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct tl_taxii_args *a = malloc(sizeof *a);
    tl__taxii_args_init(a);
    char why[300];
    tl_err rc = TL_OK;
    char *save = NULL;
    for (char *pair = strtok_r(s, "&", &save); pair && !rc; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq) *eq++ = '\0';
        rc = tl__taxii_arg(a, pair, eq, why, sizeof why);
    }
    unsigned allowed = size ? data[0] & 0xfu : 0xfu;
    tl_outbox_query q;
    int none = 0;
    if (!rc && !tl__taxii_query(a, allowed, "rus", key, &q, &none, why, sizeof why)) {
        if (q.limit == 0 || q.limit > TL_TAXII_MAX_LIMIT) abort();
        if (q.all && (q.first || q.last || q.nversions)) abort();
        if (q.nids > TL_OUTBOX_MAX_MATCH || q.ntypes > TL_OUTBOX_MAX_MATCH) abort();
        /* the query's own cursor resumes it; another caller's does not */
        char next[96];
        tl__taxii_cursor(a, allowed, "rus", key, 1234567, next);
        struct tl_taxii_args *b = malloc(sizeof *b);
        memcpy(b, a, sizeof *b);
        b->next = next; /* borrowed: b is not freed with tl__taxii_args_free */
        for (int i = 0; i < 4; i++)
            b->match[i] = NULL; /* a's lists were split in place by the first query */
        tl__taxii_cursor(b, allowed, "rus", key, 1234567, next);
        if (tl__taxii_query(b, allowed, "rus", key, &q, &none, why, sizeof why) != TL_OK) abort();
        if (q.after_added < 1234567) abort();
        if (tl__taxii_query(b, allowed, "gbr", key, &q, &none, why, sizeof why) == TL_OK) abort();
        free(b);
    }
    tl__taxii_args_free(a);
    free(a);
    free(s);
    return 0;
}
