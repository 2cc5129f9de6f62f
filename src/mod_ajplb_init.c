/*
 * mod_ajplb_init.c -- ADAPTER: start-up checks.  Reads workers.properties
 * and the JkWorkerProperty lines through the core, prints every diagnostic
 * with its file:line, and fails start-up (and `apachectl configtest`) on
 * any error.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "ap_mpm.h"

#include "mod_ajplb.h"

APLOG_USE_MODULE(ajplb);

ajplb_global_t ajplb_global;

/* Print each diagnostic as one start-up line; returns the error count. */
static int ajplb_report_diags(apr_pool_t *p, server_rec *s,
                              const ajplb_diags_t *diags)
{
    int i;

    for (i = 0; i < diags->items->nelts; i++) {
        const ajplb_diag_t *d =
            &APR_ARRAY_IDX(diags->items, i, ajplb_diag_t);
        int level = d->level == AJPLB_DIAG_ERROR ? APLOG_ERR : APLOG_WARNING;

        ap_log_error(APLOG_MARK, APLOG_STARTUP | level, 0, s,
                     "mod_ajplb: %s", ajplb_diag_format(p, d));
    }
    return diags->errors;
}

/* mod_jk registers the same directive names; with both loaded, whichever
 * module httpd asks first silently takes every Jk* line. */
static int ajplb_refuse_mod_jk(server_rec *s)
{
    if (ap_find_linked_module("mod_jk.c") != NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                     "mod_ajplb: mod_jk is loaded too; both modules own the "
                     "Jk* directives, so they cannot run in one server. "
                     "Remove the 'LoadModule jk_module ...' line (on "
                     "Debian: a2dismod jk) and keep mod_ajplb");
        return 1;
    }
    return 0;
}

int ajplb_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(s->module_config, &ajplb_module);
    ajplb_diags_t *diags = ajplb_diags_make(pconf);
    ajplb_model_defaults_t defs;
    ajplb_props_t *props;
    apr_status_t rv = APR_SUCCESS;
    int threads = 1, i;

    ajplb_global.model = NULL;
    if (ajplb_refuse_mod_jk(s)) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (conf->workers_file == NULL && conf->prop_lines->nelts == 0) {
        return OK;
    }

    props = ajplb_props_make(pconf, diags);
    if (conf->workers_file != NULL) {
        rv = ajplb_props_read_file(props, conf->workers_file);
    }
    /* JkWorkerProperty lines come after the file, so they override it. */
    for (i = 0; i < conf->prop_lines->nelts; i++) {
        const ajplb_prop_line_t *pl =
            &APR_ARRAY_IDX(conf->prop_lines, i, ajplb_prop_line_t);
        apr_status_t lrv = ajplb_props_add_line(props, pl->line, pl->file,
                                                pl->lineno);
        if (rv == APR_SUCCESS) {
            rv = lrv;
        }
    }

    if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS
        || threads < 1) {
        threads = 1;
    }
    defs.httpd_timeout_sec = (int)apr_time_sec(s->timeout);
    defs.threads_per_child = threads;
    if (rv == APR_SUCCESS) {
        rv = ajplb_model_build(pconf, props, &defs, diags,
                               &ajplb_global.model);
    }

    if (ajplb_report_diags(ptemp, s, diags) > 0 || rv != APR_SUCCESS) {
        if (diags->errors == 0) {
            char buf[120];
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, rv, s,
                         "mod_ajplb: cannot load the worker configuration "
                         "from %s: %s",
                         conf->workers_file ? conf->workers_file
                                            : "JkWorkerProperty",
                         ajplb_strerror(rv, buf, sizeof(buf)));
        }
        ajplb_global.model = NULL;
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
