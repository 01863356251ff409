/*
 * test_opinion.c: Subjective Logic opinions against the oracles of issue 6
 * (../shared/METHODS.md has the formulas).
 */
#include "testutil.h"

#include "tearline/opinion.h"

#include <math.h>

static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) fail_msg("%s: got %.9f, expected %.9f", what, got, want);
}

static void same(tl_opinion got, tl_opinion want, double tol)
{
    near(got.b, want.b, tol, "belief");
    near(got.d, want.d, tol, "disbelief");
    near(got.u, want.u, tol, "uncertainty");
    near(got.a, want.a, tol, "base rate");
    assert_true(tl_opinion_valid(got));
}

static void test_cumulative(void **state)
{
    (void)state;
    tl_opinion two[] = {{0.4, 0, 0.6, .5}, {0.7, 0, 0.3, .5}};
    same(tl_opinion_cumulative(two, 2), (tl_opinion){0.75, 0, 0.25, .5}, 1e-9);
    tl_opinion x[] = {{0.6, 0.3, 0.1, 0}, {0.091, 0.604, 0.305, 0.4}};
    same(tl_opinion_cumulative(x, 2), (tl_opinion){0.512951, 0.405607, 0.081442, 0.080814}, 1e-6);
    /* three sources, in any order */
    tl_opinion three[] = {{.1, .3, .6, .5}, {.4, .2, .4, .5}, {.7, .1, .2, .5}};
    static const int orders[][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (size_t k = 0; k < 6; k++) {
        tl_opinion o[3] = {three[orders[k][0]], three[orders[k][1]], three[orders[k][2]]};
        same(tl_opinion_cumulative(o, 3), (tl_opinion){0.6511628, 0.2093023, 0.1395349, .5}, 1e-7);
        /* fusing two, then the third, is the same */
        tl_opinion first = tl_opinion_cumulative(o, 2);
        tl_opinion pair[] = {first, o[2]};
        same(tl_opinion_cumulative(pair, 2), tl_opinion_cumulative(o, 3), 1e-12);
    }
    /* a vacuous opinion adds nothing; a single one is itself; none is vacuous */
    tl_opinion with_vacuous[] = {x[0], {0, 0, 1, .5}};
    same(tl_opinion_cumulative(with_vacuous, 2), x[0], 1e-12);
    same(tl_opinion_cumulative(x, 1), x[0], 0);
    same(tl_opinion_cumulative(NULL, 0), (tl_opinion){0, 0, 1, .5}, 0);
    /* dogmatic opinions dominate, and several are averaged */
    tl_opinion dog[] = {{1, 0, 0, .5}, {0.5, 0.2, 0.3, .5}, {0, 1, 0, .3}};
    same(tl_opinion_cumulative(dog, 2), dog[0], 1e-12);
    same(tl_opinion_cumulative(dog, 3), (tl_opinion){0.5, 0.5, 0, 0.4}, 1e-12);
}

static void test_averaging(void **state)
{
    (void)state;
    tl_opinion x[] = {{0.6, 0.3, 0.1, 0}, {0.091, 0.604, 0.305, 0.4}};
    same(tl_opinion_averaging(x, 2), (tl_opinion){0.474321, 0.375062, 0.150617, 0.2}, 1e-6);
    tl_opinion three[] = {{.1, .3, .6, .5}, {.4, .2, .4, .5}, {.7, .1, .2, .5}};
    same(tl_opinion_averaging(three, 3), (tl_opinion){0.5090909, 0.1636364, 0.3272727, .5}, 1e-7);
    tl_opinion three_rev[] = {three[2], three[0], three[1]};
    same(tl_opinion_averaging(three_rev, 3), tl_opinion_averaging(three, 3), 1e-12);
}

/* An echo: averaging gives it back; cumulative fusion would count it twice. */
static void test_echo(void **state)
{
    (void)state;
    tl_opinion e[] = {{0.6, 0.1, 0.3, .5}, {0.6, 0.1, 0.3, .5}};
    same(tl_opinion_averaging(e, 2), e[0], 1e-12);
    same(tl_opinion_cumulative(e, 2), (tl_opinion){12.0 / 17, 2.0 / 17, 3.0 / 17, .5}, 1e-12);
}

static void test_discount(void **state)
{
    (void)state;
    same(tl_opinion_discount((tl_opinion){0, 0, 1, .5}, (tl_opinion){0.6, 0.3, 0.1, 0}),
         (tl_opinion){0.3, 0.15, 0.55, 0}, 1e-12);
    same(
        tl_opinion_discount((tl_opinion){0.6, 0.3, 0.1, 0}, (tl_opinion){0.091, 0.604, 0.305, 0.4}),
        (tl_opinion){0.0546, 0.3624, 0.583, 0.4}, 1e-9);
    /* full trust changes nothing; full distrust leaves only uncertainty */
    tl_opinion x = {0.6, 0.3, 0.1, 0.2};
    same(tl_opinion_discount((tl_opinion){1, 0, 0, .5}, x), x, 1e-12);
    same(tl_opinion_discount((tl_opinion){0, 1, 0, .5}, x), (tl_opinion){0, 0, 1, 0.2}, 1e-12);
}

static void test_evidence(void **state)
{
    (void)state;
    tl_opinion o = tl_opinion_from_evidence(8, 2, .5);
    same(o, (tl_opinion){8.0 / 12, 2.0 / 12, 2.0 / 12, .5}, 1e-12);
    near(tl_opinion_projected(o), 0.75, 1e-12, "projected probability");
    same(tl_opinion_from_evidence(0, 0, .3), (tl_opinion){0, 0, 1, .3}, 0);
    same(tl_opinion_from_evidence(-4, NAN, .5), (tl_opinion){0, 0, 1, .5}, 0);
}

static void test_reputation(void **state)
{
    (void)state;
    tl_reputation rep = {0, 0};
    static const int outcomes[] = {1, 1, 0, 1, 1, 0, 0, 0};
    for (size_t i = 0; i < 8; i++)
        tl_reputation_update(&rep, outcomes[i], 0.9);
    near(rep.r, 2.394838, 1e-6, "r");
    near(rep.s, 3.300490, 1e-6, "s");
    near(tl_reputation_expected(rep), 0.441156, 1e-6, "expected trustworthiness");
    tl_opinion t = tl_reputation_opinion(rep, .5);
    assert_true(tl_opinion_valid(t));
    near(t.u, 2 / (rep.r + rep.s + 2), 1e-12, "uncertainty of the record");
    /* without forgetting, the counts are plain */
    tl_reputation plain = {0, 0};
    for (size_t i = 0; i < 8; i++)
        tl_reputation_update(&plain, outcomes[i], 1);
    near(plain.r, 4, 0, "r without forgetting");
    near(plain.s, 4, 0, "s without forgetting");
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(tl_opinion_valid((tl_opinion){0.2, 0.3, 0.5, 0.5}));
    assert_false(tl_opinion_valid((tl_opinion){0.2, 0.3, 0.6, 0.5}));
    assert_false(tl_opinion_valid((tl_opinion){-0.1, 0.6, 0.5, 0.5}));
    assert_false(tl_opinion_valid((tl_opinion){0.2, 0.3, 0.5, 1.5}));
    assert_false(tl_opinion_valid((tl_opinion){NAN, 0.5, 0.5, 0.5}));
}

/* The Admiralty mapping: its table, F and 6 uncertain, the diagonal ordered, bad ratings refused.
 */
static void test_admiralty(void **state)
{
    (void)state;
    tl_opinion o;
    static const struct {
        char rel;
        int cred;
        tl_opinion want;
    } table[] = {
        {'A', 1, {0.81, 0.09, 0.1, .5}},    {'B', 2, {0.56, 0.24, 0.2, .5}},
        {'C', 3, {0.3, 0.3, 0.4, .5}},      {'D', 4, {0.135, 0.315, 0.55, .5}},
        {'E', 5, {0.025, 0.225, 0.75, .5}}, {'F', 1, {0.09, 0.01, 0.9, .5}},
        {'A', 5, {0.08, 0.72, 0.2, .5}},    {'A', 6, {0, 0, 1, .5}},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_int_equal(tl_opinion_from_admiralty(table[i].rel, table[i].cred, .5, &o), TL_OK);
        same(o, table[i].want, 1e-12);
    }
    /* F and 6 mean high uncertainty whatever the other rating */
    for (char r = 'A'; r <= 'F'; r++)
        for (int c = 1; c <= 6; c++) {
            assert_int_equal(tl_opinion_from_admiralty(r, c, .3, &o), TL_OK);
            assert_true(tl_opinion_valid(o));
            if (r == 'F' || c == 6) assert_true(o.u >= 0.9);
            /* a less reliable source is never more certain */
            tl_opinion better;
            if (r > 'A') {
                assert_int_equal(tl_opinion_from_admiralty((char)(r - 1), c, .3, &better), TL_OK);
                assert_true(better.u <= o.u);
            }
        }
    /* down the diagonal the claim is ever less probable */
    double last = 2;
    for (int k = 0; k < 5; k++) {
        assert_int_equal(tl_opinion_from_admiralty((char)('A' + k), k + 1, .5, &o), TL_OK);
        assert_true(tl_opinion_projected(o) < last);
        last = tl_opinion_projected(o);
    }
    assert_int_equal(tl_opinion_from_admiralty('G', 1, .5, &o), TL_EINVAL);
    assert_int_equal(tl_opinion_from_admiralty('a', 1, .5, &o), TL_EINVAL);
    assert_int_equal(tl_opinion_from_admiralty('A', 0, .5, &o), TL_EINVAL);
    assert_int_equal(tl_opinion_from_admiralty('A', 7, .5, &o), TL_EINVAL);
    assert_int_equal(tl_opinion_from_admiralty('A', 1, 1.5, &o), TL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cumulative), cmocka_unit_test(test_averaging),
        cmocka_unit_test(test_echo),       cmocka_unit_test(test_discount),
        cmocka_unit_test(test_evidence),   cmocka_unit_test(test_reputation),
        cmocka_unit_test(test_valid),      cmocka_unit_test(test_admiralty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
