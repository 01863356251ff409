/*
 * fusion_int.h: the fused picture, shared by fusion.c and linkgraph.c
 * (internal). tl__picture_build reads every claim against the entities and
 * places resolved now, finds contradictions, scores partners and fuses each
 * (subject, predicate, object) group.
 */
#ifndef TL_FUSION_INT_H
#define TL_FUSION_INT_H

#include "node_int.h"

#include "tearline/fusion.h"
#include "tearline/opinion.h"

#include <stdint.h>

/* Node metadata: the date_added of the newest holding fused. */
#define TL_FUSE_META "fuse_after_us"

enum { K_OTHER, K_ENTITY, K_PLACE };

struct key {
    char *id, *name;
    int kind, person;
    int coords, country_only;
    double lat, lon;
    char *country;
};

struct claim {
    json_t *doc;
    const char *holding, *origin, *subject, *predicate, *object, *root, *echo_of, *echo_why;
    char rel;
    int cred;
    int64_t from, to, reported;
    int64_t added; /* when its holding was stored (date_added) */
    const json_t *topics;
    size_t sk, ok, group;
    char *key;
    tl_opinion raw, op, trust;
    int outcome; /* 1 confirmed, -1 refuted by our own reporting */
    int64_t outcome_t;
};

struct group {
    size_t start, end; /* in order[] */
    tl_opinion op;
    size_t roots, asserting;
};

struct topic_rep {
    char *topic;
    tl_reputation rep;
    uint64_t outcomes;
};

struct partner {
    char *code;
    tl_reputation all;
    struct topic_rep *t;
    size_t nt;
    uint64_t claims, echoes, confirmed, refuted;
};

struct picture {
    tl_node *n;
    struct claim *c;
    size_t nc, capc;
    struct key *k;
    size_t nk, capk;
    json_t *keyidx;     /* key id -> index */
    json_t *entity_of;  /* holding id -> the id its entity is known by */
    json_t *entities;   /* that id -> {"name", "person", "members": [...]} */
    json_t *ent_rows;   /* holding -> its entity document */
    json_t *containers; /* partner containers that echo ours */
    json_t *place_of;   /* location id -> the id its place is known by */
    json_t *places;     /* that id -> {name, country, lat, lon, country_only} */
    size_t *order;      /* claims by key, root, holding */
    struct group *g;
    size_t ng;
    json_t *contra; /* "kind|a|b" -> {kind, subject, sides: [[claim...], [claim...]]} */
    struct partner *p;
    size_t np;
    int oom;
};

tl_err tl__picture_build(tl_node *n, struct picture *p);
void tl__picture_free(struct picture *p);

/* The entity named by id (of any member) or by name (the best match at the threshold); NULL if
 * none.
 */
const char *tl__picture_entity(struct picture *p, const char *what);

/* JSON of an opinion (b, d, u, a, p rounded to 6 places), a key ({id, name, kind} or null), a
 * claim (its holding, origin, root, ratings, times, opinions, echo). */
json_t *tl__opinion_json(tl_opinion o);
json_t *tl__key_json(const struct picture *p, size_t k);
json_t *tl__claim_json(const struct claim *c);

#endif
