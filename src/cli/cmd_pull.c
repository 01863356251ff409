/* cmd_pull.c: tearline pull --from CODE. */
#include "cli.h"

#include "tearline/client.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline pull --from CODE [--page N] [--skip-bad] [--retries N]\n"
    "\n"
    "Pulls what partner CODE released to this node since the last pull, from its\n"
    "TAXII server (tearline partner add CODE --url ... --credential ...). Every\n"
    "object must carry CODE's signature under its key in the agreement in force;\n"
    "each page is stored, with CODE as origin, in one transaction before the\n"
    "checkpoint moves, so an interrupted pull resumes with nothing lost or doubled.\n"
    "\n"
    "  --page N     objects per request (default 500)\n"
    "  --skip-bad   leave out objects whose signature fails and go on (default: stop,\n"
    "               storing nothing of that page)\n"
    "  --retries N  attempts per request on a server error or a network failure,\n"
    "               with backoff from 0.5 s (default 5)\n";

static volatile sig_atomic_t cancel;

static void on_signal(int sig)
{
    (void)sig;
    cancel = 1;
}

int cmd_pull(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"from", required_argument, NULL, 'f'},
        {"page", required_argument, NULL, 'p'},
        {"skip-bad", no_argument, NULL, 's'},
        {"retries", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *from = NULL;
    tl_pull_opts po;
    memset(&po, 0, sizeof po);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'f':
            from = optarg;
            break;
        case 'p':
            po.page = (size_t)strtoul(optarg, &end, 10);
            if (*end || !po.page || po.page > 1000) {
                cli_error("pull", "--page takes 1 to 1000");
                return EXIT_BADINPUT;
            }
            break;
        case 's':
            po.skip_bad = 1;
            break;
        case 'r':
            po.retries = (unsigned)strtoul(optarg, &end, 10);
            if (*end || !po.retries || po.retries > 20) {
                cli_error("pull", "--retries takes 1 to 20");
                return EXIT_BADINPUT;
            }
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc || !from) return cli_usage(help, 1);
    int code;
    tl_node *n = cli_open("pull", home, &code);
    if (!n) return code;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    po.cancel = &cancel;
    tl_pull_stats st;
    tl_err rc = tl_node_pull(n, from, &po, &st);
    printf(
        "pulled from %s: %llu objects in %llu pages, %llu new, %llu already held, %llu refused\n",
        from, (unsigned long long)st.objects, (unsigned long long)st.pages,
        (unsigned long long)st.stored, (unsigned long long)st.duplicates,
        (unsigned long long)st.rejected);
    if (!rc && st.receipts)
        printf("receipts: %llu signed and kept, %llu delivered to %s\n",
               (unsigned long long)st.receipts, (unsigned long long)st.receipts_delivered, from);
    if (!rc && st.receipts_delivered < st.receipts)
        cli_error("pull", "warning: receipts not delivered: %s", tl_node_errmsg(n));
    if (rc) cli_error("pull", "%s", *tl_node_errmsg(n) ? tl_node_errmsg(n) : tl_strerror(rc));
    if (!rc && st.stored) cli_watch_after(n, 0);
    tl_node_close(n);
    return cli_exit_code(rc);
}
