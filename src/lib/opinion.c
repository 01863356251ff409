/*
 * opinion.c: Subjective Logic binomial opinions (opinion.h; the formulas
 * are in docs/opinions.md).
 */
#include "tearline/opinion.h"

#include <math.h>
#include <stdlib.h>

static const tl_opinion vacuous = {0, 0, 1, 0.5};

int tl_opinion_valid(tl_opinion o)
{
    double p[] = {o.b, o.d, o.u, o.a};
    for (size_t i = 0; i < 4; i++)
        if (!(p[i] >= 0 && p[i] <= 1)) return 0; /* NaN fails too */
    return fabs(o.b + o.d + o.u - 1) <= 1e-9;
}

double tl_opinion_projected(tl_opinion o)
{
    return o.b + o.a * o.u;
}

tl_opinion tl_opinion_from_evidence(double r, double s, double a)
{
    if (!(r >= 0)) r = 0;
    if (!(s >= 0)) s = 0;
    double k = r + s + TL_OPINION_PRIOR;
    tl_opinion o = {r / k, s / k, TL_OPINION_PRIOR / k, a};
    return o;
}

/* The mean of the dogmatic opinions (u = 0) among ops: the limit both fusions tend to. */
static tl_opinion dogmatic_mean(const tl_opinion *ops, size_t n)
{
    tl_opinion m = {0, 0, 0, 0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ops[i].u != 0) continue;
        m.b += ops[i].b;
        m.d += ops[i].d;
        m.a += ops[i].a;
        k++;
    }
    m.b /= (double)k;
    m.d /= (double)k;
    m.a /= (double)k;
    return m;
}

/*
 * others[i] = the product of every u but ops[i].u, from prefix and suffix
 * products (no division, so a zero u is handled like any other). Returns
 * the product of all, or -1 when out of memory.
 */
static double products(const tl_opinion *ops, size_t n, double *others)
{
    double run = 1;
    for (size_t i = 0; i < n; i++) {
        others[i] = run;
        run *= ops[i].u;
    }
    double all = run;
    run = 1;
    for (size_t i = n; i-- > 0;) {
        others[i] *= run;
        run *= ops[i].u;
    }
    return all;
}

static size_t dogmatic_count(const tl_opinion *ops, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ops[i].u == 0;
    return k;
}

/* Cumulative (independent sources) or averaging (dependent) fusion of n opinions. */
static tl_opinion fuse(const tl_opinion *ops, size_t n, int cumulative)
{
    if (n == 0) return vacuous;
    if (n == 1) return ops[0];
    if (dogmatic_count(ops, n)) return dogmatic_mean(ops, n);
    double *others = tl_malloc(n * sizeof *others);
    if (!others) return vacuous;
    double all = products(ops, n, others);
    double sum = 0, b = 0, d = 0, an = 0, ad = 0, amean = 0;
    for (size_t i = 0; i < n; i++) {
        sum += others[i];
        b += ops[i].b * others[i];
        d += ops[i].d * others[i];
        an += ops[i].a * (1 - ops[i].u) * others[i];
        ad += (1 - ops[i].u) * others[i];
        amean += ops[i].a / (double)n;
    }
    tl_free(others);
    if (!cumulative) {
        tl_opinion o = {b / sum, d / sum, (double)n * all / sum, amean};
        return o;
    }
    double den = sum - (double)(n - 1) * all;
    tl_opinion o = {b / den, d / den, all / den, ad > 0 ? an / ad : amean};
    return o;
}

tl_opinion tl_opinion_cumulative(const tl_opinion *ops, size_t n)
{
    return fuse(ops, n, 1);
}

tl_opinion tl_opinion_averaging(const tl_opinion *ops, size_t n)
{
    return fuse(ops, n, 0);
}

tl_opinion tl_opinion_discount(tl_opinion t, tl_opinion x)
{
    double p = tl_opinion_projected(t);
    tl_opinion o = {p * x.b, p * x.d, 0, x.a};
    o.u = 1 - o.b - o.d;
    return o;
}

void tl_reputation_update(tl_reputation *rep, int confirmed, double lambda)
{
    double x = confirmed ? 1 : 0;
    rep->r = lambda * rep->r + x;
    rep->s = lambda * rep->s + (1 - x);
}

double tl_reputation_expected(tl_reputation rep)
{
    return (rep.r + 1) / (rep.r + rep.s + 2);
}

tl_opinion tl_reputation_opinion(tl_reputation rep, double a)
{
    return tl_opinion_from_evidence(rep.r, rep.s, a);
}

tl_err tl_opinion_from_admiralty(char reliability, int credibility, double a, tl_opinion *out)
{
    static const double u_rel[] = {0.1, 0.2, 0.35, 0.55, 0.75, 0.9}; /* A..F */
    static const double u_cred[] = {0.1, 0.2, 0.4, 0.3, 0.2, 1.0};   /* 1..6 */
    static const double share[] = {0.9, 0.7, 0.5, 0.3, 0.1, 0.5};    /* 1..6 */
    if (reliability < 'A' || reliability > 'F' || credibility < 1 || credibility > 6 ||
        !(a >= 0 && a <= 1))
        return TL_EINVAL;
    double ur = u_rel[reliability - 'A'], uc = u_cred[credibility - 1];
    double u = ur > uc ? ur : uc;
    double p = share[credibility - 1];
    out->b = (1 - u) * p;
    out->d = (1 - u) * (1 - p);
    out->u = u;
    out->a = a;
    return TL_OK;
}
