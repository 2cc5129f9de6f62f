/*
 * ajplb_cli_http.h -- COMMAND: talking to a front's status worker: GET its
 * JSON (libcurl, parsed with jansson), POST a change with the nonce and
 * the Origin the status worker wants.  Credentials come from a file or
 * the environment, never from the command line.
 */
#ifndef AJPLB_CLI_HTTP_H
#define AJPLB_CLI_HTTP_H

#include <jansson.h>

#include "ajplb_cli.h"

typedef struct {
    const char *url;            /* the status worker, as given */
    const char *userpwd;        /* "user:password" or NULL */
    const char *cacert;         /* --cacert FILE or NULL */
    int insecure;               /* --insecure: no TLS verification */
} ajplb_cli_front_t;

/* Options every network command shares. */
typedef struct {
    apr_array_header_t *fronts;     /* of ajplb_cli_front_t */
    apr_array_header_t *rest;       /* of const char *: other arguments */
    int json;
} ajplb_cli_net_t;

/** Parse URLs (or --front URL), --auth-file, --cacert, --insecure,
 *  --json; everything else goes to rest.  @return 0 or an exit code. */
int ajplb_cli_net_args(apr_pool_t *p, int argc, const char *const *argv,
                       int fronts_need_flag, ajplb_cli_net_t *net);

/**
 * GET the status worker with @a query ("cmd=list&mime=json") and parse
 * the JSON.  @a nonce (may be NULL) gets X-AJPLB-Nonce.  On failure NULL
 * and @a err gets one line naming the front, the cause and the fix.
 */
json_t *ajplb_cli_get_json(apr_pool_t *p, const ajplb_cli_front_t *f,
                           const char *query, const char **nonce,
                           const char **err);

/** POST @a form (nonce included) with the front's Origin; the answer's
 *  JSON, or NULL and @a err. */
json_t *ajplb_cli_post_json(apr_pool_t *p, const ajplb_cli_front_t *f,
                            const char *form, const char **err);

/* jansson helpers that accept a NULL object. */
const char *ajplb_cli_jstr(json_t *o, const char *key);
long long ajplb_cli_jint(json_t *o, const char *key);

#endif /* AJPLB_CLI_HTTP_H */
