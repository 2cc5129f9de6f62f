/*
 * ajplb_cli.h -- COMMAND: the ajplb tool's shared types.  The tool links
 * the same core as the module (out/libajplb_core.a), so what it says about
 * a configuration is what the module decides; it talks to running fronts
 * over HTTP (libcurl) and reads their JSON status (jansson).
 */
#ifndef AJPLB_CLI_H
#define AJPLB_CLI_H

#include <stdio.h>

#include <apr_pools.h>
#include <apr_tables.h>

#include "ajplb_config.h"
#include "ajplb_diag.h"
#include "ajplb_uri_map.h"

/* Exit codes: 0 fine, 1 the answer is "no" (config errors, a member in
 * error), 2 the tool could not do its job (bad usage, unreachable front). */
#define AJPLB_CLI_OK    0
#define AJPLB_CLI_NO    1
#define AJPLB_CLI_FAIL  2

/* ------------------------------------------------------ configuration --- */

/* One JkMount / JkUnMount line as httpd would record it. */
typedef struct {
    const char *pattern;
    const char *target;
    int flags;                  /* AJPLB_URI_RULE_* */
    const char *file;
    int line;
} ajplb_cli_mount_t;

/* A <Location> or <LocationMatch> section, for the check of who may
 * reach a writable status worker (ajplb_status_access_check). */
typedef struct {
    const char *arg;            /* its path, wildcard or regex */
    int regex;                  /* <LocationMatch>, or "~" */
    int limits;                 /* holds a Require, Allow or Deny that
                                 * limits who may come in */
} ajplb_cli_location_t;

/* The main server or one <VirtualHost>: what the module keeps per server. */
typedef struct {
    const char *name;           /* ServerName, or "(main server)" */
    apr_array_header_t *aliases;    /* of const char *: ServerAlias */
    const char *file;           /* where <VirtualHost> was opened */
    int line;
    int is_virtual;
    apr_array_header_t *mounts; /* of ajplb_cli_mount_t */
    apr_array_header_t *locations;  /* of ajplb_cli_location_t * */
    const char *mount_file;
    int mount_copy;             /* AJPLB_UNSET, 0, 1, 2 (All) */
    int reject_unsafe;          /* -1 unset, 0, 1: JkOptions RejectUnsafeURI */
    int allow_encoded_slashes;  /* 0 Off (httpd: 404), 1 On, 2 NoDecode */
    ajplb_uri_map_t *map;       /* built by ajplb_cli_conf_load */
} ajplb_cli_server_t;

/* One JkWorkerProperty line. */
typedef struct {
    const char *line;
    const char *file;
    int lineno;
} ajplb_cli_prop_line_t;

/* One word of a JkOptions line, for the configtest warnings the module
 * gives once the workers are loaded (ajplb_conf_check_option). */
typedef struct {
    const char *word;
    const char *file;
    int line;
} ajplb_cli_option_t;

typedef struct {
    apr_pool_t *pool;
    const char *server_root;
    const char *workers_file;
    const char *workers_file_where;
    apr_array_header_t *prop_lines;     /* of ajplb_cli_prop_line_t */
    apr_array_header_t *servers;        /* of ajplb_cli_server_t *, main 1st */
    apr_array_header_t *options;        /* of ajplb_cli_option_t */
    int timeout;                        /* httpd Timeout, seconds */
    int threads;                        /* ThreadsPerChild */
    int mod_jk;                         /* LoadModule jk_module seen */
    ajplb_diags_t *diags;
    ajplb_model_t *model;               /* NULL when it could not be built */
    apr_status_t load_rv;
} ajplb_cli_conf_t;

ajplb_cli_conf_t *ajplb_cli_conf_make(apr_pool_t *p);

/** Read an httpd configuration file (Include followed); the Jk* lines,
 *  <VirtualHost>, <Location> (with its access lines), ServerRoot,
 *  Timeout, ThreadsPerChild. */
apr_status_t ajplb_cli_conf_read_httpd(ajplb_cli_conf_t *c, const char *path);

/** One directive line given on the command line (e.g. "JkMount /a/x w"). */
apr_status_t ajplb_cli_conf_line(ajplb_cli_conf_t *c, const char *line,
                                 int n);

/** Build the model and every server's map, collecting diagnostics the way
 *  the module's check_config does. */
void ajplb_cli_conf_load(ajplb_cli_conf_t *c);

/** The server a request for @a host goes to (main server if no match). */
ajplb_cli_server_t *ajplb_cli_conf_server(ajplb_cli_conf_t *c,
                                          const char *host);

/* ----------------------------------------------------------- commands --- */

int ajplb_cli_check(apr_pool_t *p, int argc, const char *const *argv);
int ajplb_cli_explain(apr_pool_t *p, int argc, const char *const *argv);
int ajplb_cli_status(apr_pool_t *p, int argc, const char *const *argv);
int ajplb_cli_activate(apr_pool_t *p, const char *cmd, int argc,
                       const char *const *argv);
int ajplb_cli_diff(apr_pool_t *p, int argc, const char *const *argv);

/** Parse the options every offline command shares (-f, -m, -u, a
 *  workers.properties path).  @a rest gets the other arguments.
 *  @return 0, or an exit code after printing the problem. */
int ajplb_cli_conf_args(apr_pool_t *p, int argc, const char *const *argv,
                        ajplb_cli_conf_t **conf, apr_array_header_t *rest,
                        int *json);

/* ---------------------------------------------------------- utilities --- */

/** A JSON string literal for @a s (quotes included), from @a p. */
const char *ajplb_cli_json_str(apr_pool_t *p, const char *s);

/** Print "ajplb: " + message to stderr (one line). */
void ajplb_cli_err(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* AJPLB_CLI_H */
