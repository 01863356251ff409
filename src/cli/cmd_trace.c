/* cmd_trace.c: tearline trace FILE. */
#include "cli.h"

#include "tearline/reader.h"
#include "tearline/release.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: tearline trace [--home DIR] FILE\n"
    "\n"
    "Names the partner each object of FILE (a leaked or forwarded copy: any\n"
    "STIX input form) was released to by this node, and the original it was\n"
    "made from. Per-partner ids make every released copy traceable.\n"
    "Exit status: 0 if any object was traced, 1 if none was released here.\n";

struct tctx {
    const char *id;
    char version[64]; /* the copy's version key */
    unsigned long traced;
    char partners[256];
    /* this object's best match: the exact version, else any */
    char partner[64], original[160];
    int exact, found;
};

static int on_trace(const char *partner, const char *version, const char *original, void *ud)
{
    struct tctx *t = ud;
    int exact = strcmp(version, t->version) == 0;
    if (!t->found || (exact && !t->exact)) {
        snprintf(t->partner, sizeof t->partner, "%s", partner);
        snprintf(t->original, sizeof t->original, "%s", original);
        t->exact = exact;
        t->found = 1;
    }
    return 0;
}

static void report(struct tctx *t)
{
    printf("%s  released to %s from %s%s\n", t->id, t->partner, t->original,
           t->exact ? "" : "  (this version was never published: an altered copy?)");
    t->traced++;
    size_t used = strlen(t->partners);
    if (!strstr(t->partners, t->partner))
        snprintf(t->partners + used, sizeof t->partners - used, "%s%s", used ? ", " : "",
                 t->partner);
}

int cmd_trace(int argc, char **argv)
{
    const char *home;
    int done = cli_common_only(argc, argv, help, &home, 1, 1);
    if (done >= 0) return done;
    int code;
    tl_node *n = cli_open("trace", home, &code);
    if (!n) return code;
    char msg[1024];
    tl_reader *r = NULL;
    tl_err rc = tl_reader_open_file(argv[optind], NULL, &r, msg, sizeof msg);
    if (rc) {
        cli_error("trace", "%s", msg);
        tl_node_close(n);
        return cli_exit_code(rc);
    }
    struct tctx t;
    memset(&t, 0, sizeof t);
    unsigned long objects = 0;
    for (;;) {
        json_t *o = NULL;
        rc = tl_reader_next(r, &o, NULL);
        if (rc) {
            cli_error("trace", "%s", tl_reader_errmsg(r));
            break;
        }
        if (!o) break;
        objects++;
        t.id = json_string_value(json_object_get(o, "id"));
        const char *mod = json_string_value(json_object_get(o, "modified"));
        if (!mod) mod = json_string_value(json_object_get(o, "created"));
        if (!mod || tl_timestamp_parse(mod, t.version, NULL)) t.version[0] = '\0';
        t.found = t.exact = 0;
        if (t.id) {
            tl_err tr = tl_node_trace(n, t.id, on_trace, &t);
            if (tr && tr != TL_ENOTFOUND) {
                cli_error("trace", "%s", tl_node_errmsg(n));
                rc = tr;
            }
            if (t.found) report(&t);
        }
        json_decref(o);
        if (rc) break;
    }
    tl_reader_close(r);
    tl_node_close(n);
    if (rc) return cli_exit_code(rc);
    if (!t.traced) {
        printf("none of the %lu objects was released by this node\n", objects);
        return EXIT_FAIL;
    }
    printf("%lu of %lu objects traced; released to: %s\n", t.traced, objects, t.partners);
    return EXIT_OK;
}
