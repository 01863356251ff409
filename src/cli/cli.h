/* cli.h: helpers shared by the tearline subcommands. */
#ifndef TL_CLI_H
#define TL_CLI_H

#include "tearline/json.h"
#include "tearline/node.h"

#include <getopt.h>
#include <stdio.h>

/* Exit codes. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_BADINPUT 2

/* Each subcommand: argc/argv start at the subcommand name. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_protect(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_agree(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_partner(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_unseal(int argc, char **argv);
int cmd_receipts(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_names(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_fuse(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_contradictions(int argc, char **argv);
int cmd_partners(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_ach(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* After an ingest, pull or fuse: runs the watchlists, if any, and tells of new alerts. */
void cli_watch_after(tl_node *n, int quiet);

/* The exit code for err: 2 for bad input or usage, 1 otherwise. */
int cli_exit_code(tl_err err);

/* Prints "tearline CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The node home: --home value, else $TEARLINE_HOME; NULL (and a message) if neither. */
const char *cli_home(const char *cmd, const char *opt_home);

/* Opens the node at the home; prints the error and returns NULL on failure, *code set. */
tl_node *cli_open(const char *cmd, const char *opt_home, int *code);

/* Long option table entries every subcommand accepts. */
#define CLI_COMMON_OPTS                                                                            \
    {"home", required_argument, NULL, 'H'},                                                        \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Prints usage for cmd (text) to stdout or stderr. */
int cli_usage(const char *text, int to_stderr);

/*
 * Options of a subcommand that takes only the common ones: sets *home and
 * leaves optind at the first operand, which must number from min to max.
 * Returns -1 to go on, or the exit code (after --help or a usage error).
 */
int cli_common_only(int argc, char **argv, const char *help, const char **home, int min, int max);

/*
 * The value of a timestamp option (--since, --now) into *us; arg NULL
 * leaves *us alone. Returns 0, or -1 after printing "tearline CMD: OPT 'ARG'
 * is not a timestamp ...".
 */
int cli_time_opt(const char *cmd, const char *opt, const char *arg, int64_t *us);

/*
 * The value of --threshold (a score from 0 to 1; above 0 unless zero_ok)
 * into *out. Returns 0, or -1 after printing "tearline CMD: --threshold
 * 'ARG' is not a number ...".
 */
int cli_threshold_opt(const char *cmd, const char *arg, int zero_ok, double *out);

/* The string at o[k] ("" if none) and the number at o[k] (0 if none), for printing results. */
const char *cli_str(const json_t *o, const char *k);
double cli_num(const json_t *o, const char *k);

/* s as HTML text: <, >, & and " escaped. */
void cli_put_html(FILE *f, const char *s);

/* Prints v as one line of RFC 8785 JSON, or (pretty) indented; nothing if v is NULL. */
void cli_print_json(const json_t *v, int pretty);

/* Filter options shared by list and export; returns 0, or -1 after printing an error. */
struct cli_filter {
    tl_filter f;
    char from_key[64], to_key[64];
    char *owned[TL_FILTER_MAX_TYPES];
};
#define CLI_FILTER_OPTS                                                                            \
    {"type", required_argument, NULL, 't'}, {"label", required_argument, NULL, 'l'},               \
        {"since", required_argument, NULL, 's'}, {"origin", required_argument, NULL, 'o'},         \
        {"modified-from", required_argument, NULL, 'F'},                                           \
        {"modified-to", required_argument, NULL, 'T'}, {"all-versions", no_argument, NULL, 'A'},   \
    {                                                                                              \
        "limit", required_argument, NULL, 'n'                                                      \
    }
#define CLI_FILTER_HELP                                                                            \
    "  --type T[,T...]       only these types (repeatable)\n"                                      \
    "  --label L             only objects with this label\n"                                       \
    "  --since TS            only objects added to the holdings after TS (RFC 3339)\n"             \
    "  --modified-from TS    only versions modified at or after TS\n"                              \
    "  --modified-to TS      only versions modified at or before TS\n"                             \
    "  --origin CODE|own     only our own holdings, or those received from partner CODE\n"         \
    "  --all-versions        every stored version, not only the latest\n"                          \
    "  --limit N             at most N objects\n"
/*
 * Parses the options of a command that selects holdings (list, export):
 * the filters, --home, --help and one flag named flag (--json, --jsonl).
 * Returns -1 to go on, or the exit code to return with (cf freed then).
 */
int cli_filter_parse(int argc, char **argv, const char *cmd, const char *help, const char *flag,
                     struct cli_filter *cf, const char **home, int *flag_set);
void cli_filter_free(struct cli_filter *cf);

#endif
