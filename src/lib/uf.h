/* uf.h: union-find over array indexes (internal). */
#ifndef TL_UF_H
#define TL_UF_H

#include <stddef.h>

/* The root of x in parent[] (parent[x] == x at a root), halving paths on the way. */
static inline size_t tl__uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Joins the groups of x and y under the smaller root, so a group is named by its first index. */
static inline void tl__uf_union(size_t *parent, size_t x, size_t y)
{
    x = tl__uf_find(parent, x);
    y = tl__uf_find(parent, y);
    if (x < y)
        parent[y] = x;
    else if (y < x)
        parent[x] = y;
}

#endif
