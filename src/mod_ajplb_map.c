/*
 * mod_ajplb_map.c -- ADAPTER: builds each server's JkMount map at start-up,
 * maps requests in translate_name (on the URI normalised the way Tomcat
 * will see it), and reloads JkMountFile when it changes.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"

#include <apr_atomic.h>
#include <apr_strings.h>

#include "mod_ajplb.h"

APLOG_USE_MODULE(ajplb);

/* Add the workers.properties "mount" rules of every listed worker. */
static void ajplb_add_worker_mounts(ajplb_uri_map_t *map,
                                    const ajplb_model_t *model)
{
    int i, j;

    if (model == NULL) {
        return;
    }
    for (i = 0; i < model->list->nelts; i++) {
        const ajplb_worker_t *w =
            APR_ARRAY_IDX(model->list, i, const ajplb_worker_t *);
        const ajplb_prop_t *pr;

        if (w->mounts == NULL || w->mounts->nelts == 0) {
            continue;
        }
        pr = ajplb_model_prop(model, w, "mount");
        for (j = 0; j < w->mounts->nelts; j++) {
            ajplb_uri_map_add(map, AJPLB_URI_SRC_WORKERDEF,
                              APR_ARRAY_IDX(w->mounts, j, const char *),
                              w->name, 0, pr ? pr->file : NULL,
                              pr ? pr->line : 0);
        }
    }
}

static void ajplb_add_mounts(ajplb_uri_map_t *map,
                             const apr_array_header_t *mounts)
{
    int i;

    for (i = 0; i < mounts->nelts; i++) {
        const ajplb_mount_t *m = &APR_ARRAY_IDX(mounts, i, ajplb_mount_t);
        ajplb_uri_map_add(map, AJPLB_URI_SRC_JKMOUNT, m->pattern, m->target,
                          m->flags, m->file, m->line);
    }
}

/* Every mount must name a worker that exists and is in worker.list
 * (mod_jk only logs this and then never forwards; we refuse to start). */
static void ajplb_check_map_workers(ajplb_uri_map_t *map,
                                    const ajplb_model_t *model,
                                    ajplb_diags_t *d)
{
    const apr_array_header_t *rules = ajplb_uri_map_rules(map);
    int i;

    for (i = 0; i < rules->nelts; i++) {
        const ajplb_uri_rule_t *rule =
            APR_ARRAY_IDX(rules, i, const ajplb_uri_rule_t *);
        const ajplb_worker_t *w;

        if (rule->disabled || strcmp(rule->worker, "*") == 0) {
            continue;
        }
        w = model ? ajplb_model_find(model, rule->worker) : NULL;
        if (w == NULL || !w->in_list) {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, rule->file, rule->line,
                           "the mount '%s' names worker '%s', which %s; "
                           "define it in workers.properties and add it to "
                           "worker.list (e.g. worker.list=%s)",
                           rule->pattern, rule->worker,
                           w == NULL ? "is not defined"
                                     : "is not in worker.list",
                           rule->worker);
        }
    }
}

/* Build one server's map; a map with no rules at all is left NULL so the
 * request path can skip mapping cheaply. */
static ajplb_uri_map_t *ajplb_build_one(apr_pool_t *p, server_rec *vs,
                                        ajplb_srv_conf_t *conf,
                                        ajplb_srv_conf_t *main_conf,
                                        ajplb_diags_t *d, int *nrules)
{
    ajplb_uri_map_t *map = ajplb_uri_map_make(p, d);
    int copy = vs->is_virtual ? conf->mount_copy == 1 : 1;
    const char *file = conf->mount_file;

    if (copy) {
        ajplb_add_worker_mounts(map, ajplb_global.model);
    }
    if (vs->is_virtual && copy) {
        ajplb_add_mounts(map, main_conf->mounts);
        if (file == NULL) {
            file = main_conf->mount_file;
        }
    }
    ajplb_add_mounts(map, conf->mounts);
    if (file != NULL) {
        ajplb_uri_map_read_file(map, file);
    }
    ajplb_uri_map_build(map);
    ajplb_check_map_workers(map, ajplb_global.model, d);
    *nrules = ajplb_uri_map_rules(map)->nelts;
    conf->map = apr_pcalloc(p, sizeof(*conf->map));
    conf->map->file = file;
    conf->map->reload = apr_time_from_sec(conf->mount_file_reload
                                          == AJPLB_UNSET
                                          ? 60 : conf->mount_file_reload);
    if (file != NULL) {
        apr_finfo_t fi;
        if (apr_stat(&fi, file, APR_FINFO_MTIME, p) == APR_SUCCESS) {
            conf->map->mtime = fi.mtime;
        }
    }
    conf->map->last_check = apr_time_now();
    conf->map->map = map;
    return map;
}

int ajplb_build_maps(apr_pool_t *pconf, server_rec *s, ajplb_diags_t *d)
{
    ajplb_srv_conf_t *main_conf =
        ap_get_module_config(s->module_config, &ajplb_module);
    server_rec *vs;
    int total = 0;

    for (vs = s; vs != NULL; vs = vs->next) {
        ajplb_srv_conf_t *conf =
            ap_get_module_config(vs->module_config, &ajplb_module);
        int n = 0;

        ajplb_build_one(pconf, vs, conf, main_conf, d, &n);
        if (n == 0) {
            conf->map = NULL;
        }
        if (vs->is_virtual && n == 0 && main_conf->mounts->nelts > 0
            && conf->mount_copy == AJPLB_UNSET) {
            ajplb_diag_add(d, AJPLB_DIAG_WARN, vs->defn_name,
                           vs->defn_line_number,
                           "the main server's JkMount rules do not apply "
                           "inside this <VirtualHost> (as in mod_jk); add "
                           "'JkMountCopy On' to it, or 'JkMountCopy All' to "
                           "the main server, if they should");
        }
        total += n;
    }
    return total;
}

/* Reload JkMountFile when its mtime changed; at most one thread of a
 * child reloads at a time, the others keep using the published map.  A
 * broken file keeps the old map.  Old maps are never freed: a request may
 * still hold one of their rules, and a reload happens only on a change. */
static void ajplb_maybe_reload(request_rec *r, ajplb_mounts_t *m)
{
    static volatile apr_uint32_t busy;
    apr_time_t now = r->request_time;
    apr_finfo_t fi;
    apr_pool_t *p;
    ajplb_diags_t *d;
    ajplb_uri_map_t *fresh;
    const ajplb_diag_t *err;
    apr_status_t rv;

    if (m->file == NULL || m->reload <= 0
        || now - m->last_check < m->reload
        || apr_atomic_cas32(&busy, 1, 0) != 0) {
        return;
    }
    m->last_check = now;
    if (apr_stat(&fi, m->file, APR_FINFO_MTIME, r->pool) != APR_SUCCESS
        || fi.mtime == m->mtime) {
        apr_atomic_set32(&busy, 0);
        return;
    }
    apr_pool_create(&p, r->server->process->pool);
    d = ajplb_diags_make(p);
    fresh = ajplb_uri_map_make(p, d);
    rv = ajplb_uri_map_read_file(fresh, m->file);
    ajplb_uri_map_copy_source(fresh, m->map, AJPLB_URI_SRC_JKMOUNT);
    ajplb_uri_map_copy_source(fresh, m->map, AJPLB_URI_SRC_WORKERDEF);
    if (rv == APR_SUCCESS) {
        rv = ajplb_uri_map_build(fresh);
    }
    if (rv == APR_SUCCESS) {
        ajplb_check_map_workers(fresh, ajplb_global.model, d);
    }
    err = ajplb_diags_first_error(d);
    if (rv != APR_SUCCESS || err != NULL) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "JkMountFile %s changed but cannot be "
                   "used, keeping the previous mounts: %s", m->file,
                   err ? ajplb_diag_format(r->pool, err) : "read error");
        m->mtime = fi.mtime;
        apr_pool_destroy(p);
    }
    else {
        m->mtime = fi.mtime;
        apr_atomic_xchgptr((volatile void **)&m->map, fresh);
        ajplb_rlog(r, AJPLB_LOG_INFO, "reloaded JkMountFile %s: %d rules",
                   m->file, ajplb_uri_map_rules(fresh)->nelts);
    }
    apr_atomic_set32(&busy, 0);
}

static ajplb_uri_map_t *ajplb_current_map(request_rec *r,
                                          ajplb_srv_conf_t *conf)
{
    if (conf->map == NULL) {
        return NULL;
    }
    ajplb_maybe_reload(r, conf->map);
    return conf->map->map;
}

int ajplb_translate(request_rec *r)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(r->server->module_config, &ajplb_module);
    ajplb_uri_map_t *map;
    const ajplb_uri_rule_t *rule;
    ajplb_req_conf_t *rc;
    const char *clean;
    apr_status_t rv;
    int flags;

    if (conf->map == NULL || r->uri == NULL || r->uri[0] != '/'
        || apr_table_get(r->subprocess_env, "no-jk") != NULL) {
        return DECLINED;
    }
    map = ajplb_current_map(r, conf);
    flags = conf->options & AJPLB_OPT_REJECTUNSAFE ? AJPLB_URI_REJECT_UNSAFE
                                                   : 0;
    rv = ajplb_uri_normalize(r->pool, r->uri, flags, &clean);
    if (rv == AJPLB_EURITRAVERSAL) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "refused '%s': the path climbs above "
                   "the root after path parameters are removed (400)",
                   r->uri);
        return HTTP_BAD_REQUEST;
    }
    if (rv == AJPLB_EURIUNSAFE) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "refused '%s': '%%' or '\\' after "
                   "decoding and JkOptions +RejectUnsafeURI is on (400)",
                   r->uri);
        return HTTP_BAD_REQUEST;
    }
    if (rv != APR_SUCCESS) {
        return DECLINED;
    }
    rule = ajplb_uri_map_match(map, clean, NULL);
    if (rule == NULL) {
        if (conf->strip_session == 1) {
            r->uri = (char *)ajplb_uri_strip_session(r->pool, r->uri,
                                                     conf->strip_session_name);
        }
        return DECLINED;
    }
    rc = apr_pcalloc(r->pool, sizeof(*rc));
    rc->worker = rule->worker;
    rc->rule = rule;
    rc->clean_uri = clean;
    rc->orig_uri = r->uri;
    ap_set_module_config(r->request_config, &ajplb_module, rc);
    r->handler = AJPLB_HANDLER;
    apr_table_setn(r->notes, "JK_WORKER_NAME", rule->worker);
    return DECLINED;
}

/* A mapped request is not a file: skip httpd's directory and file walk
 * (no stat() per request), as mod_proxy does.  <Location> still applies. */
int ajplb_map_to_storage(request_rec *r)
{
    if (ap_get_module_config(r->request_config, &ajplb_module) != NULL
        && r->handler != NULL && strcmp(r->handler, AJPLB_HANDLER) == 0) {
        return OK;
    }
    return DECLINED;
}
