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
#include "mod_ajplb_lb.h"

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
        /* No workers: a JkMount anywhere is then an error. */
        if (ajplb_build_maps(pconf, s, diags) > 0 || diags->errors > 0) {
            ajplb_report_diags(ptemp, s, diags);
            return diags->errors > 0 ? HTTP_INTERNAL_SERVER_ERROR : OK;
        }
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

    if (rv == APR_SUCCESS || diags->errors > 0) {
        /* Mounts are checked against the model even when it has errors,
         * so one configtest run lists every problem. */
        ajplb_build_maps(pconf, s, diags);
        ajplb_config_warnings(ptemp, s, diags);
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

int ajplb_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                      apr_pool_t *ptemp, server_rec *s)
{
    ajplb_global.main_server = s;
    if (ajplb_global.model == NULL) {
        return OK;
    }
    if (ajplb_open_logs(pconf, s) != APR_SUCCESS
        || ajplb_shm_setup(pconf, s, ajplb_global.model) != APR_SUCCESS
        || ajplb_watchdog_setup(pconf, s) != APR_SUCCESS
        || ajplb_health_setup(pconf, s) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Pool settings for worker @a w from its model values. */
static void ajplb_pool_conf_from(const ajplb_worker_t *w,
                                 ajplb_pool_conf_t *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->name = w->name;
    pc->host = w->host;
    pc->port = (apr_port_t)w->port;
    pc->source = w->source;
    pc->prefer_ipv6 = w->prefer_ipv6;
    pc->connect_timeout = apr_time_from_msec(w->socket_connect_timeout);
    pc->io_timeout = apr_time_from_sec(w->socket_timeout);
    pc->keepalive = w->socket_keepalive;
    /* As mod_jk: a socket buffer is never smaller than one packet. */
    pc->sndrcvbuf = w->socket_buffer > 0
                    ? AJPLB_MAX(w->socket_buffer, w->max_packet_size) : 0;
    pc->size = w->connection_pool_size;
    pc->min_idle = w->connection_pool_minsize;
    pc->idle_timeout = apr_time_from_sec(w->connection_pool_timeout);
    pc->acquire_timeout = apr_time_from_msec(w->connection_acquire_timeout);
}

/* One connection pool per ajp13 worker in this child.  A host that does
 * not resolve leaves the worker without a pool: its requests get 503 with
 * a log line saying why, the rest of the server works. */
void ajplb_child_init(apr_pool_t *pchild, server_rec *s)
{
    ajplb_model_t *model = ajplb_global.model;
    int i;

    ajplb_global.rt = apr_hash_make(pchild);
    if (model == NULL) {
        return;
    }
    ajplb_shm_child_init(pchild, s);
    for (i = 0; i < model->workers->nelts; i++) {
        const ajplb_worker_t *w =
            APR_ARRAY_IDX(model->workers, i, const ajplb_worker_t *);
        ajplb_rt_worker_t *rt;
        ajplb_pool_conf_t pc;

        if (w->type == AJPLB_WORKER_LB && w->used) {
            rt = apr_pcalloc(pchild, sizeof(*rt));
            rt->def = w;
            if (ajplb_global.shm != NULL
                && ajplb_lb_make(pchild, ajplb_global.shm, w, &rt->lb)
                   != APR_SUCCESS) {
                rt->lb = NULL;
                ajplb_slog(s, AJPLB_LOG_ERROR, "worker %s: no slot in the "
                           "shared memory; it will answer 503", w->name);
            }
            apr_hash_set(ajplb_global.rt, w->name, APR_HASH_KEY_STRING, rt);
            continue;
        }
        if (w->type != AJPLB_WORKER_AJP13 || !w->used) {
            continue;
        }
        rt = apr_pcalloc(pchild, sizeof(*rt));
        rt->def = w;
        rt->slot = ajplb_global.shm
                   ? ajplb_shm_find_ajp(ajplb_global.shm, w->name) : NULL;
        ajplb_pool_conf_from(w, &pc);
        rt->pool_rv = ajplb_pool_create(pchild, &pc, &rt->pool);
        if (rt->pool_rv != APR_SUCCESS) {
            char err[120];
            rt->pool = NULL;
            ajplb_slog(s, AJPLB_LOG_ERROR, "worker %s: cannot resolve host "
                       "'%s' (%s); its requests will get 503",
                       w->name, w->host,
                       ajplb_strerror(rt->pool_rv, err, sizeof(err)));
        }
        apr_hash_set(ajplb_global.rt, w->name, APR_HASH_KEY_STRING, rt);
    }
    /* After the pools' own pre-cleanups, so it runs before them. */
    ajplb_maintain_child_exit(pchild);
}
