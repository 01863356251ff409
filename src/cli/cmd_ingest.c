/* cmd_ingest.c: tearline ingest. */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: tearline ingest [--skip-invalid] [--origin CODE] [--max-object-bytes N]\n"
    "                       [--max-input-bytes N] [--home DIR] FILE... | -\n"
    "\n"
    "Adds STIX 2.1 objects to the holdings. Each FILE is a bundle, a TAXII\n"
    "envelope, a JSON array of objects, one object, or JSON Lines; '-' reads\n"
    "standard input. The whole ingest is one transaction: one invalid object\n"
    "stores nothing, and the error names the file, line:column, object and\n"
    "property. Versions already stored identically are counted as duplicates.\n"
    "\n"
    "  --skip-invalid        store the valid objects; list each rejected one with its reason\n"
    "  --origin CODE         the objects came from partner CODE (default: our own)\n"
    "  --max-object-bytes N  largest single object (default: node.conf, else 8 MiB)\n"
    "  --max-input-bytes N   largest input file (default: node.conf, else no limit)\n"
    "\n"
    "Exit status: 0 stored, 1 failure, 2 invalid input: nothing stored, or with\n"
    "--skip-invalid, some objects rejected and the valid ones stored.\n";

static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
    (void)sig;
    cancelled = 1;
}

struct progress {
    struct timespec start;
    int shown;
};

static double elapsed(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void show_progress(void *ud, uint64_t objects, uint64_t bytes)
{
    struct progress *p = ud;
    double t = elapsed(&p->start);
    if (t <= 0) t = 1e-9;
    fprintf(stderr, "\r  %llu objects, %.0f objects/s, %.1f MB/s   ", (unsigned long long)objects,
            (double)objects / t, (double)bytes / 1e6 / t);
    p->shown = 1;
}

static void show_rejected(void *ud, const char *msg)
{
    struct progress *p = ud;
    if (p->shown) {
        fputc('\n', stderr);
        p->shown = 0;
    }
    fprintf(stderr, "rejected: %s\n", msg);
}

static int parse_size(const char *opt, const char *arg, unsigned long long *out)
{
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (!*arg || *end || v == 0 || arg[0] == '-') {
        cli_error("ingest", "%s: '%s' is not a positive number of bytes", opt, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"skip-invalid", no_argument, NULL, 'S'},
        {"origin", required_argument, NULL, 'o'},
        {"max-object-bytes", required_argument, NULL, 'M'},
        {"max-input-bytes", required_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL;
    tl_ingest_opts io;
    memset(&io, 0, sizeof io);
    int c;
    unsigned long long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'S':
            io.skip_invalid = 1;
            break;
        case 'o':
            io.origin = optarg;
            break;
        case 'M':
            if (parse_size("--max-object-bytes", optarg, &v)) return EXIT_BADINPUT;
            io.limits.max_object_bytes = (size_t)v;
            break;
        case 'I':
            if (parse_size("--max-input-bytes", optarg, &v)) return EXIT_BADINPUT;
            io.limits.max_input_bytes = v;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind == argc) {
        cli_error("ingest", "no input: give FILE... or '-' for standard input");
        return cli_usage(help, 1);
    }
    int code;
    tl_node *n = cli_open("ingest", home, &code);
    if (!n) return code;

    struct progress p = {{0, 0}, 0};
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    io.ud = &p;
    io.rejected = show_rejected;
    if (isatty(STDERR_FILENO)) io.progress = show_progress;
    io.cancel = &cancelled;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    tl_ingest_stats st;
    tl_err rc =
        tl_node_ingest(n, (const char *const *)argv + optind, (size_t)(argc - optind), &io, &st);
    if (p.shown) fputc('\n', stderr);
    if (rc) {
        cli_error("ingest", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
        fprintf(stderr, "tearline ingest: nothing was stored\n");
        tl_node_close(n);
        return cli_exit_code(rc);
    }
    double t = elapsed(&p.start);
    printf("%llu objects read: %llu stored, %llu already held, %llu rejected (%.2f s)\n",
           (unsigned long long)st.objects, (unsigned long long)st.stored,
           (unsigned long long)st.duplicates, (unsigned long long)st.rejected, t);
    if (st.stored) cli_watch_after(n, 0);
    tl_node_close(n);
    return st.rejected ? EXIT_BADINPUT : EXIT_OK;
}
