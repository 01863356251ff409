/* cmd_serve.c: tearline serve. */
#include "cli.h"

#include "tearline/server.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: tearline serve [--listen ADDRESS:PORT] [--cert FILE --key FILE]\n"
    "                      [--threads N] [--max-body BYTES] [--access-log FILE]\n"
    "\n"
    "Serves TAXII 2.1 to the node's partners until SIGTERM or SIGINT: discovery at\n"
    "/taxii2/, one API root /api/. Each partner (tearline partner grant) sees its\n"
    "outbox, what was released to it, and its inbox. Prints the address once\n"
    "listening; stops accepting on the signal and lets requests in flight finish.\n"
    "\n"
    "  --listen ADDRESS:PORT  default 127.0.0.1:8443; port 0 picks a free one\n"
    "  --cert FILE, --key FILE  PEM certificate chain and key: HTTPS (TLS 1.2 or\n"
    "                         later). Without them, plain HTTP on loopback only.\n"
    "  --threads N            worker threads (default: one per core; eight per core,\n"
    "                         at most 32, on a PostgreSQL store, whose queries wait\n"
    "                         on the network)\n"
    "  --max-body BYTES       largest request body (default 10485760)\n"
    "  --access-log FILE      one line per request ('-': standard error)\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void ready(void *ud, unsigned port)
{
    const char *scheme = ud;
    printf("listening: %s port %u\n", scheme, port);
    fflush(stdout);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTS,
        {"listen", required_argument, NULL, 'l'},
        {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'm'},
        {"access-log", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    const char *home = NULL, *log_path = NULL;
    tl_server_opts so;
    memset(&so, 0, sizeof so);
    so.listen = "127.0.0.1:8443";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'H':
            home = optarg;
            break;
        case 'l':
            so.listen = optarg;
            break;
        case 'c':
            so.cert_file = optarg;
            break;
        case 'k':
            so.key_file = optarg;
            break;
        case 't':
            so.threads = (unsigned)strtoul(optarg, &end, 10);
            if (*end || !so.threads || so.threads > 64) {
                cli_error("serve", "--threads takes 1 to 64");
                return EXIT_BADINPUT;
            }
            break;
        case 'm':
            so.max_body = (size_t)strtoull(optarg, &end, 10);
            if (*end || so.max_body < 1024) {
                cli_error("serve", "--max-body takes a number of bytes, at least 1024");
                return EXIT_BADINPUT;
            }
            break;
        case 'a':
            log_path = optarg;
            break;
        case 'h':
            return cli_usage(help, 0);
        default:
            return cli_usage(help, 1);
        }
    }
    if (optind != argc) return cli_usage(help, 1);
    const char *h = cli_home("serve", home);
    if (!h) return EXIT_BADINPUT;
    FILE *log = NULL;
    if (log_path) {
        log = strcmp(log_path, "-") ? fopen(log_path, "a") : stderr;
        if (!log) {
            cli_error("serve", "cannot open the access log %s", log_path);
            return EXIT_FAIL;
        }
    }
    so.access_log = log;
    so.ready = ready;
    so.ud = (void *)(so.cert_file ? "https" : "http");
    so.stop = &stop;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char msg[600] = "";
    tl_err rc = tl_node_serve(h, &so, msg, sizeof msg);
    if (rc) cli_error("serve", "%s", *msg ? msg : tl_strerror(rc));
    if (log && log != stderr) fclose(log);
    return cli_exit_code(rc);
}
