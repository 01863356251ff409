/*
 * par.c: the parallel loop. Workers take items in small chunks from a shared
 * atomic counter, so uneven items balance; the caller works too. If a thread
 * cannot be started, the others (at least the caller) do its share.
 */
#include "par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define CHUNK 8
#define MAX_THREADS 16

struct par {
    size_t n;
    tl_par_fn fn;
    void *ctx;
    atomic_size_t next;
};

static void *worker(void *arg)
{
    struct par *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, CHUNK);
        if (i >= p->n) break;
        size_t end = p->n - i > CHUNK ? i + CHUNK : p->n;
        for (; i < end; i++)
            p->fn(i, p->ctx);
    }
    return NULL;
}

unsigned tl__par_threads(void)
{
    const char *env = getenv("TEARLINE_THREADS");
    long t = 0;
    if (env && *env) {
        char *end;
        t = strtol(env, &end, 10);
        if (*end || t < 1) t = 0;
    }
    if (!t) t = sysconf(_SC_NPROCESSORS_ONLN);
    if (t < 1) t = 1;
    return (unsigned)(t > MAX_THREADS ? MAX_THREADS : t);
}

void tl__parallel_for(size_t n, tl_par_fn fn, void *ctx)
{
    struct par p = {n, fn, ctx, 0};
    unsigned want = tl__par_threads();
    size_t chunks = (n + CHUNK - 1) / CHUNK;
    if (want > chunks) want = chunks ? (unsigned)chunks : 1;
    pthread_t th[MAX_THREADS];
    unsigned started = 0;
    for (unsigned t = 1; t < want; t++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0) started++;
    worker(&p);
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}
