/*
 * mod_ajplb_map.c -- ADAPTER: builds each server's JkMount map at start-up,
 * maps requests in translate_name (on the URI normalised the way Tomcat
 * will see it), has httpd's access rules judge that normalised path too
 * (fixups), keeps the client's encoded path for forwarding, and reloads
 * JkMountFile when it changes, freeing old maps once no request uses them.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_request.h"

#include <apr_atomic.h>
#include <apr_strings.h>

#include "mod_ajplb.h"
#include "ajplb_conf_check.h"
#include "ajplb_uri_map_model.h"

APLOG_USE_MODULE(ajplb);

/* A server's mounts with the two map generations JkMountFileReload keeps.
 * The published one is gens[epoch]; gens[1 - epoch] is the one before,
 * which requests may still hold.  A request counts itself in readers[] of
 * the slot it uses, so a reload frees the older map only when nobody
 * holds it any more, and then builds the new one into that slot: memory
 * stays at two maps however often the file changes.  conf->map points to
 * pub, the first member. */
typedef struct {
    ajplb_mounts_t pub;
    ajplb_uri_map_t *gens[2];
    apr_pool_t *pools[2];               /* NULL: the start-up map (pconf) */
    volatile apr_uint32_t epoch;
    volatile apr_uint32_t readers[2];
} ajplb_mounts_gen_t;

#define AJPLB_RELOADS(m) ((m)->pub.file != NULL && (m)->pub.reload > 0)

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
        ajplb_uri_map_add_worker_mounts(map, ajplb_global.model);
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
    ajplb_uri_map_check_workers(map, ajplb_global.model, d);
    *nrules = ajplb_uri_map_rules(map)->nelts;
    conf->map = apr_pcalloc(p, sizeof(ajplb_mounts_gen_t));
    ((ajplb_mounts_gen_t *)conf->map)->gens[0] = map;
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
    const ajplb_mount_t *first = NULL;
    server_rec *vs;
    int total = 0, i;

    /* The main server's first JkMount, named by the virtual-host
     * warning. */
    for (i = 0; first == NULL && i < main_conf->mounts->nelts; i++) {
        const ajplb_mount_t *m =
            &APR_ARRAY_IDX(main_conf->mounts, i, ajplb_mount_t);
        if (!(m->flags & AJPLB_URI_RULE_UNMOUNT)) {
            first = m;
        }
    }
    for (vs = s; vs != NULL; vs = vs->next) {
        ajplb_srv_conf_t *conf =
            ap_get_module_config(vs->module_config, &ajplb_module);
        int n = 0;

        ajplb_build_one(pconf, vs, conf, main_conf, d, &n);
        if (n == 0) {
            conf->map = NULL;
        }
        if (vs->is_virtual) {
            ajplb_conf_check_vhost(d, vs->defn_name, vs->defn_line_number,
                                   n, conf->mount_copy,
                                   first ? first->pattern : NULL,
                                   first ? first->file : NULL,
                                   first ? first->line : 0);
        }
        total += n;
    }
    return total;
}

/* Reload JkMountFile when its mtime changed; at most one thread of a
 * child reloads at a time, the others keep using the published map.  A
 * broken file keeps the old map.  The new map goes into the slot of the
 * map before the published one, whose pool is destroyed first; while a
 * request still holds that map the reload waits for a later check. */
static void ajplb_maybe_reload(request_rec *r, ajplb_mounts_gen_t *g)
{
    static volatile apr_uint32_t busy;
    ajplb_mounts_t *m = &g->pub;
    apr_time_t now = r->request_time;
    apr_finfo_t fi;
    apr_pool_t *p;
    ajplb_diags_t *d;
    ajplb_uri_map_t *fresh;
    const ajplb_diag_t *err;
    apr_status_t rv;
    apr_uint32_t old;

    if (!AJPLB_RELOADS(g) || now - m->last_check < m->reload
        || apr_atomic_cas32(&busy, 1, 0) != 0) {
        return;
    }
    m->last_check = now;
    old = 1 - apr_atomic_read32(&g->epoch);
    if (apr_stat(&fi, m->file, APR_FINFO_MTIME, r->pool) != APR_SUCCESS
        || fi.mtime == m->mtime) {
        apr_atomic_set32(&busy, 0);
        return;
    }
    if (apr_atomic_read32(&g->readers[old]) != 0) {
        ajplb_rlog(r, AJPLB_LOG_DEBUG, "JkMountFile %s changed; reloading "
                   "later, a request still uses the map before the current "
                   "one", m->file);
        apr_atomic_set32(&busy, 0);
        return;
    }
    apr_pool_create(&p, r->server->process->pool);
    apr_pool_tag(p, "ajplb_mount_map");
    d = ajplb_diags_make(p);
    fresh = ajplb_uri_map_make(p, d);
    rv = ajplb_uri_map_read_file(fresh, m->file);
    ajplb_uri_map_copy_source(fresh, m->map, AJPLB_URI_SRC_JKMOUNT);
    ajplb_uri_map_copy_source(fresh, m->map, AJPLB_URI_SRC_WORKERDEF);
    if (rv == APR_SUCCESS) {
        rv = ajplb_uri_map_build(fresh);
    }
    if (rv == APR_SUCCESS) {
        ajplb_uri_map_check_workers(fresh, ajplb_global.model, d);
    }
    err = ajplb_diags_first_error(d);
    m->mtime = fi.mtime;
    if (rv != APR_SUCCESS || err != NULL) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "JkMountFile %s changed but cannot be "
                   "used, keeping the previous mounts: %s", m->file,
                   err ? ajplb_diag_format(r->pool, err) : "read error");
        apr_pool_destroy(p);
    }
    else {
        /* Nobody holds the old slot (checked above; a request that counts
         * itself in now sees the epoch change and moves on). */
        if (g->pools[old] != NULL) {
            apr_pool_destroy(g->pools[old]);
        }
        g->gens[old] = fresh;
        g->pools[old] = p;
        apr_atomic_set32(&g->epoch, old);
        apr_atomic_xchgptr((volatile void **)&m->map, fresh);
        ajplb_rlog(r, AJPLB_LOG_INFO, "reloaded JkMountFile %s: %d rules",
                   m->file, ajplb_uri_map_rules(fresh)->nelts);
    }
    apr_atomic_set32(&busy, 0);
}

/* Count the request in the published slot; retry if a reload moved the
 * epoch between the read and the count. */
static apr_uint32_t ajplb_map_acquire(ajplb_mounts_gen_t *g)
{
    for (;;) {
        apr_uint32_t e = apr_atomic_read32(&g->epoch);

        apr_atomic_inc32(&g->readers[e]);
        if (apr_atomic_read32(&g->epoch) == e) {
            return e;
        }
        apr_atomic_dec32(&g->readers[e]);
    }
}

static apr_status_t ajplb_map_release(void *readers)
{
    apr_atomic_dec32(readers);
    return APR_SUCCESS;
}

const ajplb_uri_map_t *ajplb_map_hold(request_rec *r,
                                      const ajplb_srv_conf_t *conf)
{
    ajplb_mounts_gen_t *g = (ajplb_mounts_gen_t *)conf->map;
    apr_uint32_t e;

    if (g == NULL) {
        return NULL;
    }
    if (!AJPLB_RELOADS(g)) {
        return g->pub.map;
    }
    e = ajplb_map_acquire(g);
    apr_pool_cleanup_register(r->pool, (void *)&g->readers[e],
                              ajplb_map_release, apr_pool_cleanup_null);
    return g->gens[e];
}

/* The path to map: r->uri normalised the way Tomcat will see it.  When
 * r->uri still holds a '%' (AllowEncodedSlashes NoDecode kept a %2F, or
 * the client sent %25), the client's own form decoded once is used, so an
 * encoded slash separates segments here as it does at Tomcat. */
static apr_status_t ajplb_clean_path(request_rec *r,
                                     const ajplb_srv_conf_t *conf,
                                     const char **clean)
{
    const char *src = r->uri;
    int flags = conf->options & AJPLB_OPT_REJECTUNSAFE
                ? AJPLB_URI_REJECT_UNSAFE : 0;

    if (strchr(src, '%') != NULL) {
        const char *enc = apr_table_get(r->notes, AJPLB_NOTE_ENCODED);
        if (enc != NULL && ajplb_uri_encoding_of(enc, src)) {
            src = ajplb_uri_decode(r->pool, enc);
        }
    }
    return ajplb_uri_normalize(r->pool, src, flags, clean);
}

static int ajplb_refuse(request_rec *r, apr_status_t rv)
{
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
    return DECLINED;
}

/* httpd is about to decode r->uri in place: keep the client's form when it
 * holds an escape, to forward it as sent (ajplb_forward_uri). */
int ajplb_pre_translate(request_rec *r)
{
    if (r->uri != NULL && strchr(r->uri, '%') != NULL) {
        apr_table_setn(r->notes, AJPLB_NOTE_ENCODED,
                       apr_pstrdup(r->pool, r->uri));
    }
    return DECLINED;
}

int ajplb_translate(request_rec *r)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(r->server->module_config, &ajplb_module);
    ajplb_mounts_gen_t *g;
    const ajplb_uri_rule_t *rule;
    ajplb_req_conf_t *rc;
    const char *clean;
    apr_status_t rv;
    apr_uint32_t e = 0;

    if (conf->map == NULL || r->uri == NULL || r->uri[0] != '/'
        || apr_table_get(r->subprocess_env, "no-jk") != NULL) {
        return DECLINED;
    }
    rv = ajplb_clean_path(r, conf, &clean);
    if (rv != APR_SUCCESS) {
        return ajplb_refuse(r, rv);
    }
    g = (ajplb_mounts_gen_t *)conf->map;
    if (AJPLB_RELOADS(g)) {
        ajplb_maybe_reload(r, g);
        e = ajplb_map_acquire(g);
        rule = ajplb_uri_map_match(g->gens[e], clean, NULL);
    }
    else {
        rule = ajplb_uri_map_match(g->pub.map, clean, NULL);
    }
    if (rule == NULL) {
        if (AJPLB_RELOADS(g)) {
            apr_atomic_dec32(&g->readers[e]);
        }
        if (conf->strip_session == 1) {
            r->uri = (char *)ajplb_uri_strip_session(r->pool, r->uri,
                                                     conf->strip_session_name);
        }
        return DECLINED;
    }
    if (AJPLB_RELOADS(g)) {
        /* The rule lives in the map: hold it until the whole request
         * (sub-requests and internal redirects included) is over. */
        request_rec *top = r;
        while (top->main != NULL) {
            top = top->main;
        }
        apr_pool_cleanup_register(top->pool, (void *)&g->readers[e],
                                  ajplb_map_release, apr_pool_cleanup_null);
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

static int ajplb_is_handler(const char *h)
{
    return h != NULL && (strcmp(h, AJPLB_HANDLER) == 0
                         || strcmp(h, AJPLB_MAGIC_TYPE) == 0);
}

static int ajplb_copy_challenge(void *rec, const char *key, const char *val)
{
    request_rec *r = rec;

    if (strcasecmp(key, "WWW-Authenticate") == 0
        || strcasecmp(key, "Proxy-Authenticate") == 0) {
        apr_table_add(r->err_headers_out, key, val);
    }
    return 1;
}

/* A look-up sub-request for @a uri judged on its own.  httpd lets a
 * sub-request reuse its parent's <Location>/<If> walk when the merged
 * slashes look alike (with MergeSlashes Off a <LocationMatch> is then
 * never tried on the normalised path), and skips authentication and
 * authorization when the walk ends in the parent's very configuration
 * (so "Require expr" on %{REQUEST_URI} would not be asked again).  Hide
 * the parent's walk caches and give it an equal but distinct
 * configuration vector while the sub-request is made. */
static request_rec *ajplb_lookup_fresh(request_rec *r, const char *uri)
{
    void **loc = ap_get_request_note(r, AP_NOTE_LOCATION_WALK);
    void **ifw = ap_get_request_note(r, AP_NOTE_IF_WALK);
    void *saved_loc = *loc, *saved_if = *ifw;
    ap_conf_vector_t *saved_conf = r->per_dir_config;
    request_rec *sub;

    *loc = NULL;
    *ifw = NULL;
    r->per_dir_config = ap_merge_per_dir_configs(r->pool, saved_conf,
                                         ap_create_request_config(r->pool));
    sub = ap_sub_req_method_uri(r->method, uri, r, NULL);
    r->per_dir_config = saved_conf;
    *loc = saved_loc;
    *ifw = saved_if;
    return sub;
}

/* Last fixup before the handler forwards: httpd's walks and access checks
 * ran on r->uri, but Tomcat serves the normalised path.  When the two
 * differ, a look-up sub-request for the normalised path must pass every
 * access rule too (<Location>, <LocationMatch>, <If>, mod_authz_*,
 * mod_rewrite), and must still be routed to a worker; otherwise the
 * request gets the sub-request's answer (403, or 401 with its challenge)
 * and nothing is forwarded.  Equal paths -- nearly every request -- cost
 * one strcmp. */
int ajplb_fixups(request_rec *r)
{
    ajplb_srv_conf_t *conf;
    ajplb_req_conf_t *rc;
    const char *clean, *uri;
    request_rec *sub;
    apr_status_t rv;
    int status;

    if (!ajplb_is_handler(r->handler) || r->uri == NULL
        || apr_table_get(r->subprocess_env, "no-jk") != NULL) {
        return DECLINED;
    }
    rc = ap_get_module_config(r->request_config, &ajplb_module);
    if (rc != NULL) {
        clean = rc->clean_uri;
    }
    else {
        /* SetHandler jakarta-servlet: no mapping normalised the path. */
        if (r->uri[0] != '/') {
            return DECLINED;
        }
        conf = ap_get_module_config(r->server->module_config, &ajplb_module);
        rv = ajplb_clean_path(r, conf, &clean);
        if (rv != APR_SUCCESS) {
            status = ajplb_refuse(r, rv);
            return status == DECLINED ? HTTP_BAD_REQUEST : status;
        }
    }
    if (strcmp(clean, r->uri) == 0) {
        return DECLINED;
    }
    uri = ajplb_uri_encode_proxy(r->pool, clean);
    if (r->args != NULL) {
        uri = apr_pstrcat(r->pool, uri, "?", r->args, NULL);
    }
    sub = ajplb_lookup_fresh(r, uri);
    status = sub->status;
    if (status == HTTP_OK && !ajplb_is_handler(sub->handler)) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "refused '%s': its normalised path "
                   "'%s' is not routed to a worker (404)", r->uri, clean);
        status = HTTP_NOT_FOUND;
    }
    else if (status != HTTP_OK) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "refused '%s': httpd's access rules "
                   "answer %d for its normalised path '%s'", r->uri,
                   status, clean);
        if (status == HTTP_UNAUTHORIZED
            || status == HTTP_PROXY_AUTHENTICATION_REQUIRED) {
            apr_table_do(ajplb_copy_challenge, r, sub->err_headers_out,
                         NULL);
        }
        else if (status < 400) {
            status = HTTP_FORBIDDEN;
        }
    }
    else if (r->user == NULL && sub->user != NULL) {
        /* Authenticated for the normalised path only: that is the user
         * Tomcat should see. */
        r->user = apr_pstrdup(r->pool, sub->user);
        r->ap_auth_type = sub->ap_auth_type
                          ? apr_pstrdup(r->pool, sub->ap_auth_type) : NULL;
    }
    ap_destroy_sub_req(sub);
    return status == HTTP_OK ? DECLINED : status;
}

/* A mapped request is not a file: skip httpd's directory and file walk
 * (no stat() per request), as mod_proxy does.  <Location> still applies. */
int ajplb_map_to_storage(request_rec *r)
{
    /* TRACE is httpd's to answer (TraceEnable, in http_core's own
     * map_to_storage hook): returning OK here would skip it and send a
     * TRACE to Tomcat even with TraceEnable Off, which mod_jk does not. */
    if (r->method_number == M_TRACE) {
        return DECLINED;
    }
    if (ap_get_module_config(r->request_config, &ajplb_module) != NULL
        && r->handler != NULL && strcmp(r->handler, AJPLB_HANDLER) == 0) {
        return OK;
    }
    return DECLINED;
}
