/*
 * mod_ajplb.h -- ADAPTER: types shared by the httpd-facing files
 * (src/mod_ajplb*.c).  Includes httpd headers, so the core never includes it.
 */
#ifndef MOD_AJPLB_H
#define MOD_AJPLB_H

#include "httpd.h"
#include "http_config.h"

#include "ajplb_common.h"
#include "ajplb_diag.h"
#include "ajplb_props.h"
#include "ajplb_config.h"

extern AJPLB_EXPORT module AP_MODULE_DECLARE_DATA ajplb_module;

/* One JkWorkerProperty line with where it was written. */
typedef struct {
    const char *line;
    const char *file;
    int lineno;
} ajplb_prop_line_t;

/* Per-server configuration.  Worker definitions are global: only the main
 * server's copy of the workers fields is used. */
typedef struct {
    const char *workers_file;        /* JkWorkersFile, absolute */
    const char *workers_file_where;  /* "httpd.conf:12" of the directive */
    apr_array_header_t *prop_lines;  /* of ajplb_prop_line_t */
} ajplb_srv_conf_t;

/* Per-generation global state, rebuilt on every configuration read. */
typedef struct {
    ajplb_model_t *model;            /* NULL when no workers are configured */
} ajplb_global_t;

extern ajplb_global_t ajplb_global;

/* Directive handlers and config constructors (mod_ajplb_config.c). */
void *ajplb_create_srv_conf(apr_pool_t *p, server_rec *s);
void *ajplb_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);
extern const command_rec ajplb_cmds[];

/* Configuration check and model build (mod_ajplb_init.c). */
int ajplb_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s);

#endif /* MOD_AJPLB_H */
