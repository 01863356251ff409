/*
 * names_tools.c: in-process measurements for bench/names.
 *
 *   names_tools score A.tsv B.tsv PAIRS
 *       prepares the names of both files, then scores PAIRS pairs (name i of
 *       A against a name of B drawn at random) on one thread with
 *       tl_name_score, and the same pairs with a plain Jaro-Winkler over
 *       the bytes of the two names (the baseline: the cheapest string
 *       similarity there is). Prints both rates in pairs per second. Both
 *       loops fetch the pair four ahead into the cache, as linking does.
 */
#include "tearline/names.h"

#ifdef TL_WITH_MIMALLOC
#include <mimalloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char **read_names(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 1024;
    char **v = malloc(cap * sizeof *v);
    char line[4200];
    *n = 0;
    while (v && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        tab[strcspn(tab, "\r\n")] = '\0';
        if (*n == cap) {
            char **g = realloc(v, (cap *= 2) * sizeof *v);
            if (!g) break;
            v = g;
        }
        v[(*n)++] = strdup(tab + 1);
    }
    fclose(f);
    return v;
}

/* Plain Jaro-Winkler over bytes: the baseline. */
static double plain_jw(const char *a, const char *b)
{
    int na = (int)strlen(a), nb = (int)strlen(b);
    if (!na || !nb || na > 256 || nb > 256) return 0;
    int window = (na > nb ? na : nb) / 2 - 1, m = 0, t = 0;
    if (window < 0) window = 0;
    unsigned char ma[256] = {0}, mb[256] = {0};
    for (int i = 0; i < na; i++) {
        int lo = i - window < 0 ? 0 : i - window, hi = i + window + 1 > nb ? nb : i + window + 1;
        for (int j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = 1;
                m++;
                break;
            }
    }
    if (!m) return 0;
    for (int i = 0, j = 0; i < na; i++)
        if (ma[i]) {
            while (!mb[j])
                j++;
            t += a[i] != b[j];
            j++;
        }
    double dm = m, jaro = (dm / na + dm / nb + (dm - t / 2.0) / dm) / 3;
    int l = 0;
    while (l < 4 && l < na && l < nb && a[l] == b[l])
        l++;
    return jaro + l * 0.1 * (1 - jaro);
}

int main(int argc, char **argv)
{
#ifdef TL_WITH_MIMALLOC
    mi_option_enable(mi_option_large_os_pages); /* as tearline names link does */
#endif
    if (argc != 5 || strcmp(argv[1], "score") != 0) {
        fprintf(stderr, "usage: names_tools score A.tsv B.tsv PAIRS\n");
        return 2;
    }
    size_t na, nb, pairs = strtoul(argv[4], NULL, 10);
    char **ta = read_names(argv[2], &na), **tb = read_names(argv[3], &nb);
    tl_names *nx = NULL;
    tl_name **a = ta ? calloc(na + 1, sizeof(tl_name *)) : NULL;
    tl_name **b = tb ? calloc(nb + 1, sizeof(tl_name *)) : NULL;
    size_t *pi = malloc((pairs + 1) * sizeof *pi), *pj = malloc((pairs + 1) * sizeof *pj);
    int bad = !ta || !tb || !na || !nb || !pairs || !a || !b || !pi || !pj || tl_names_new(&nx);
    for (size_t i = 0; !bad && i < na; i++)
        bad = tl_names_prepare(nx, ta[i], strlen(ta[i]), &a[i]) != TL_OK;
    for (size_t i = 0; !bad && i < nb; i++)
        bad = tl_names_prepare(nx, tb[i], strlen(tb[i]), &b[i]) != TL_OK;
    int rc = 0;
    if (bad) {
        fprintf(stderr, "names_tools: cannot read or prepare the names\n");
        rc = 1;
        goto out;
    }
    unsigned long long r = 88172645463325252ull;
    for (size_t k = 0; k < pairs; k++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        pi[k] = k % na;
        pj[k] = (size_t)(r % nb);
    }
    /* both loops fetch the names of the pair four ahead, as tl_names_link fetches its candidates */
    double sum = 0, t0 = now();
    for (size_t k = 0; k < pairs; k++) {
        if (k + 8 < pairs) __builtin_prefetch(&b[pj[k + 8]]);
        if (k + 4 < pairs)
            for (int line = 0; line < 8; line++)
                __builtin_prefetch((const char *)b[pj[k + 4]] + 64 * line);
        sum += tl_name_score(a[pi[k]], b[pj[k]]);
    }
    double t_names = now() - t0;
    double sum2 = 0;
    t0 = now();
    for (size_t k = 0; k < pairs; k++) {
        if (k + 8 < pairs) __builtin_prefetch(&tb[pj[k + 8]]);
        if (k + 4 < pairs) __builtin_prefetch(tb[pj[k + 4]]);
        sum2 += plain_jw(ta[pi[k]], tb[pj[k]]);
    }
    double t_plain = now() - t0;
    printf("%zu %.6f %.6f %.9f %.9f\n", pairs, t_names, t_plain, sum / (double)pairs,
           sum2 / (double)pairs);
out:
    for (size_t i = 0; a && i < na; i++)
        tl_name_free(a[i]);
    for (size_t i = 0; b && i < nb; i++)
        tl_name_free(b[i]);
    for (size_t i = 0; ta && i < na; i++)
        free(ta[i]);
    for (size_t i = 0; tb && i < nb; i++)
        free(tb[i]);
    free(a);
    free(b);
    free(ta);
    free(tb);
    free(pi);
    free(pj);
    tl_names_free(nx);
    return rc;
}
