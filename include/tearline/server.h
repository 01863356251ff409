/*
 * server.h: the node's TAXII 2.1 server.
 *
 * Each partner authenticates (HTTP Basic: user = its code, password = the
 * secret granted with tl_node_partner_grant(); or "Authorization: Bearer
 * code.secret", also "Token") and sees only its own two collections: its
 * outbox (what was released to it; read) and its inbox (write). Anything
 * else is 404, so existence is not revealed.
 */
#ifndef TEARLINE_SERVER_H
#define TEARLINE_SERVER_H

#include "tearline/tearline.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_server_opts {
    const char *listen;    /* "ADDRESS:PORT" (IPv4, or [IPv6]:PORT); port 0 picks one */
    const char *cert_file; /* PEM certificate chain for HTTPS; NULL: plain HTTP (loopback only) */
    const char *key_file;  /* PEM private key for HTTPS */
    unsigned threads;      /* worker threads; 0: one per core (PostgreSQL: eight, at most 32) */
    size_t max_body;       /* bytes of a request body (max_content_length); 0: 10 MiB */
    unsigned max_connections; /* 0: 256 */
    unsigned timeout_s;       /* idle connection timeout; 0: 30 s */
    FILE *access_log;         /* one line per request; NULL: none */
    /* Called once listening, with the port (useful with port 0); may be NULL. */
    void (*ready)(void *ud, unsigned port);
    void *ud;
    volatile sig_atomic_t *stop; /* serve until *stop becomes nonzero */
} tl_server_opts;

/*
 * Serves the node at home until *opts->stop, then stops accepting, lets
 * requests in flight finish and returns. TL_EINVAL (a bad listen address,
 * plain HTTP on a non-loopback address, unreadable certificate), TL_EIO
 * (cannot listen), TL_ENODE; the reason goes to errmsg[0..errcap).
 */
TL_API tl_err tl_node_serve(const char *home, const tl_server_opts *opts, char *errmsg,
                            size_t errcap);

#ifdef __cplusplus
}
#endif
#endif
