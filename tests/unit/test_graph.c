/*
 * test_graph.c: link analysis against the oracles of issue 7 (betweenness,
 * constraint, communities and modularity, brokerage roles, Zachary's karate
 * club) and paths.
 */
#include "testutil.h"

#include "tearline/graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void near(double got, double want, double tol, const char *what, size_t v)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s of vertex %zu: got %.7f, expected %.7f", what, v, got, want);
}

static tl_graph *build(size_t n, int directed, const unsigned (*e)[2], size_t ne)
{
    tl_graph *g = NULL;
    assert_int_equal(tl_graph_new(n, directed, &g), TL_OK);
    for (size_t i = 0; i < ne; i++)
        assert_int_equal(tl_graph_add(g, e[i][0], e[i][1], 1.0), TL_OK);
    assert_int_equal(tl_graph_finish(g), TL_OK);
    return g;
}

static void check_betweenness(const tl_graph *g, const double *want, unsigned threads)
{
    size_t n = tl_graph_vertices(g);
    double *b = calloc(n, sizeof *b);
    assert_non_null(b);
    assert_int_equal(tl_graph_betweenness(g, 0, threads, b), TL_OK);
    for (size_t v = 0; v < n; v++)
        near(b[v], want[v], 1e-9, "betweenness", v);
    free(b);
}

static void check_constraint(const tl_graph *g, const double *want, double tol)
{
    size_t n = tl_graph_vertices(g);
    double *c = calloc(n, sizeof *c);
    assert_non_null(c);
    assert_int_equal(tl_graph_constraint(g, c), TL_OK);
    for (size_t v = 0; v < n; v++)
        near(c[v], want[v], tol, "constraint", v);
    free(c);
}

static void test_path_graph(void **state)
{
    (void)state;
    static const unsigned e[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}};
    tl_graph *g = build(5, 0, e, 4);
    assert_int_equal(tl_graph_edges(g), 4);
    check_betweenness(g, (const double[]){0, 3, 4, 3, 0}, 1);
    check_betweenness(g, (const double[]){0, 3, 4, 3, 0}, 2);
    size_t path[5], len;
    assert_int_equal(tl_graph_path(g, 4, 0, path, &len), TL_OK);
    assert_int_equal(len, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(path[i], 4 - i);
    tl_graph_free(g);
}

static void test_star(void **state)
{
    (void)state;
    static const unsigned e[][2] = {{0, 1}, {0, 2}, {0, 3}, {0, 4}};
    tl_graph *g = build(5, 0, e, 4);
    check_betweenness(g, (const double[]){6, 0, 0, 0, 0}, 0);
    check_constraint(g, (const double[]){0.25, 1, 1, 1, 1}, 1e-12);
    tl_graph_free(g);
}

static void test_two_triangles(void **state)
{
    (void)state;
    static const unsigned e[][2] = {{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}, {2, 3}};
    tl_graph *g = build(6, 0, e, 7);
    check_betweenness(g, (const double[]){0, 0, 6, 6, 0, 0}, 2);
    check_constraint(g, (const double[]){1.0069, 1.0069, 0.6111, 0.6111, 1.0069, 1.0069}, 1e-4);
    size_t comm[6], nc;
    double q;
    assert_int_equal(tl_graph_communities(g, comm, &nc, &q), TL_OK);
    assert_int_equal(nc, 2);
    near(q, 0.357143, 1e-6, "modularity", 0);
    assert_int_equal(comm[0], 0);
    assert_int_equal(comm[1], 0);
    assert_int_equal(comm[2], 0);
    assert_int_equal(comm[3], 1);
    assert_int_equal(comm[4], 1);
    assert_int_equal(comm[5], 1);
    /* 0 to 5 crosses the bridge */
    size_t path[6], len;
    assert_int_equal(tl_graph_path(g, 0, 5, path, &len), TL_OK);
    assert_int_equal(len, 4);
    assert_int_equal(path[1], 2);
    assert_int_equal(path[2], 3);
    tl_graph_free(g);
}

static void test_karate(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/karate.txt", getenv("TL_TESTDATA"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    tl_graph *g = NULL;
    assert_int_equal(tl_graph_new(34, 0, &g), TL_OK);
    char line[128];
    size_t edges = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned u, v;
        if (line[0] == '#' || sscanf(line, "%u %u", &u, &v) != 2) continue;
        assert_int_equal(tl_graph_add(g, u, v, 1.0), TL_OK);
        edges++;
    }
    fclose(f);
    assert_int_equal(edges, 78);
    assert_int_equal(tl_graph_finish(g), TL_OK);
    assert_int_equal(tl_graph_edges(g), 78);
    double b[34];
    assert_int_equal(tl_graph_betweenness(g, 0, 2, b), TL_OK);
    near(b[0], 231.0714, 1e-4, "betweenness", 0);
    near(b[33], 160.5516, 1e-4, "betweenness", 33);
    near(b[32], 76.6905, 1e-4, "betweenness", 32);
    near(b[2], 75.8508, 1e-4, "betweenness", 2);
    /* an estimate from a third of the sources stays near the exact ranking's top */
    double est[34];
    assert_int_equal(tl_graph_betweenness(g, 12, 2, est), TL_OK);
    size_t top = 0;
    for (size_t v = 1; v < 34; v++)
        if (est[v] > est[top]) top = v;
    assert_true(top == 0 || top == 33);
    size_t comm[34], nc;
    double q;
    assert_int_equal(tl_graph_communities(g, comm, &nc, &q), TL_OK);
    /* Louvain on the karate club: Q about 0.42 (the best known partition: 0.4198) */
    assert_true(nc >= 3 && nc <= 5);
    assert_true(q > 0.40 && q < 0.4199);
    assert_true(comm[0] != comm[33]);
    tl_graph_free(g);
}

static void test_brokerage(void **state)
{
    (void)state;
    /* A B C D = 0 1 2 3: A->B, A->C, B->C, B->D, C->D, D->A; groups {A, B}, {C, D} */
    static const unsigned e[][2] = {{0, 1}, {0, 2}, {1, 2}, {1, 3}, {2, 3}, {3, 0}};
    tl_graph *g = build(4, 1, e, 6);
    const size_t group[4] = {0, 0, 1, 1};
    tl_brokerage r[4];
    assert_int_equal(tl_graph_brokerage(g, group, r), TL_OK);
    const tl_brokerage want[4] = {
        {0, 1, 1, 0, 0}, /* A: itinerant, gatekeeper */
        {0, 0, 0, 1, 0}, /* B: representative */
        {0, 0, 1, 0, 0}, /* C: gatekeeper */
        {0, 1, 0, 1, 0}, /* D: itinerant, representative */
    };
    for (size_t v = 0; v < 4; v++) {
        near(r[v].coordinator, want[v].coordinator, 0, "coordinator", v);
        near(r[v].itinerant, want[v].itinerant, 0, "itinerant", v);
        near(r[v].gatekeeper, want[v].gatekeeper, 0, "gatekeeper", v);
        near(r[v].representative, want[v].representative, 0, "representative", v);
        near(r[v].liaison, want[v].liaison, 0, "liaison", v);
    }
    tl_graph_free(g);
}

static void test_edges_and_errors(void **state)
{
    (void)state;
    tl_graph *g = NULL;
    assert_int_equal(tl_graph_new(3, 0, &g), TL_OK);
    assert_int_equal(tl_graph_add(g, 0, 3, 1), TL_EINVAL);
    assert_int_equal(tl_graph_add(g, 0, 1, 0), TL_EINVAL);
    assert_int_equal(tl_graph_add(g, 0, 1, NAN), TL_EINVAL);
    /* parallel edges merge, loops go */
    assert_int_equal(tl_graph_add(g, 0, 1, 1), TL_OK);
    assert_int_equal(tl_graph_add(g, 1, 0, 2), TL_OK);
    assert_int_equal(tl_graph_add(g, 2, 2, 1), TL_OK);
    double b[3];
    assert_int_equal(tl_graph_betweenness(g, 0, 1, b), TL_EINVAL); /* not finished */
    assert_int_equal(tl_graph_finish(g), TL_OK);
    assert_int_equal(tl_graph_finish(g), TL_EINVAL);
    assert_int_equal(tl_graph_add(g, 0, 2, 1), TL_EINVAL);
    assert_int_equal(tl_graph_edges(g), 1);
    double c[3];
    assert_int_equal(tl_graph_constraint(g, c), TL_OK);
    assert_true(isnan(c[2])); /* isolated */
    near(c[0], 1, 1e-12, "constraint", 0);
    size_t p[3], len;
    assert_int_equal(tl_graph_path(g, 0, 2, p, &len), TL_ENOTFOUND);
    assert_int_equal(len, 0);
    tl_graph_free(g);
    /* an empty graph */
    assert_int_equal(tl_graph_new(0, 1, &g), TL_OK);
    assert_int_equal(tl_graph_finish(g), TL_OK);
    size_t comm[1], nc;
    double q;
    assert_int_equal(tl_graph_communities(g, comm, &nc, &q), TL_OK);
    assert_int_equal(nc, 0);
    tl_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_graph),    cmocka_unit_test(test_star),
        cmocka_unit_test(test_two_triangles), cmocka_unit_test(test_karate),
        cmocka_unit_test(test_brokerage),     cmocka_unit_test(test_edges_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
