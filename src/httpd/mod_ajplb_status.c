/*
 * mod_ajplb_status.c -- ADAPTER: the status worker (type=status) as an
 * httpd request: who may look and who may change, the write nonce and
 * same-origin check, POST bodies, the global mutex around changes, and one
 * info line per change in mod_jk.log naming who did it.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_regex.h"

#include <apr_strings.h>

#include "mod_ajplb.h"
#include "mod_ajplb_status.h"
#include "ajplb_status.h"

APLOG_USE_MODULE(ajplb);

#define AJPLB_STATUS_BODY_MAX   65536
#define AJPLB_STATUS_NONCE_AGE  apr_time_from_sec(3600)

/* The nonce key.  Made when httpd loads the module, which happens in the
 * parent before any child is forked, so every child signs and checks
 * with the same key; a restart reloads the module and makes a new one. */
static unsigned char ajplb_status_key[32];
static int ajplb_status_key_ok;

static void ajplb_status_key_init(void) __attribute__((constructor));
static void ajplb_status_key_init(void)
{
    ajplb_status_key_ok = apr_generate_random_bytes(
        ajplb_status_key, sizeof(ajplb_status_key)) == APR_SUCCESS;
}

static void ajplb_status_conns(void *ctx, const char *name, int *open,
                               int *max_open)
{
    ajplb_rt_worker_t *rt = ajplb_global.rt
        ? apr_hash_get(ajplb_global.rt, name, APR_HASH_KEY_STRING) : NULL;

    if (rt != NULL && rt->pool != NULL) {
        ajplb_pool_counts(rt->pool, open, max_open);
    }
}

/* worker.<status>.user: an empty list lets everyone in (httpd's own
 * Require rules still apply). */
static int ajplb_status_user_ok(request_rec *r, const ajplb_worker_t *w)
{
    int i;

    if (w->users == NULL || w->users->nelts == 0) {
        return 1;
    }
    if (r->user == NULL) {
        return 0;
    }
    for (i = 0; i < w->users->nelts; i++) {
        const char *u = APR_ARRAY_IDX(w->users, i, const char *);
        if (w->user_case_insensitive ? strcasecmp(u, r->user) == 0
                                     : strcmp(u, r->user) == 0) {
            return 1;
        }
    }
    return 0;
}

static apr_status_t ajplb_status_read_body(request_rec *r, char **out)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    char *buf;
    apr_size_t len = 0;
    long n;

    *out = NULL;
    if (!ap_should_client_block(r)) {
        return APR_SUCCESS;
    }
    if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
                                  33) != 0) {
        return APR_EINVAL;
    }
    buf = apr_palloc(r->pool, AJPLB_STATUS_BODY_MAX + 1);
    while ((n = ap_get_client_block(r, buf + len,
                                    AJPLB_STATUS_BODY_MAX - len)) > 0) {
        len += (apr_size_t)n;
        if (len >= AJPLB_STATUS_BODY_MAX) {
            return APR_ENOSPC;
        }
    }
    if (n < 0) {
        return APR_EGENERAL;
    }
    buf[len] = '\0';
    *out = buf;
    return APR_SUCCESS;
}

/* Same origin (T-G8): the Origin (or Referer) must name this virtual
 * host as configured -- ServerName or a ServerAlias, on the port the
 * request came in on or ServerName's port -- never merely the Host header,
 * which a DNS-rebinding page sets to its own name. */
static int ajplb_status_origin_ok(request_rec *r)
{
    server_rec *s = r->server;
    apr_array_header_t *names = apr_array_make(r->pool, 4,
                                               sizeof(const char *));
    apr_port_t ports[2];
    int nports = 0;

    APR_ARRAY_PUSH(names, const char *) = s->server_hostname;
    if (s->names != NULL) {
        apr_array_cat(names, s->names);
    }
    if (s->wild_names != NULL) {
        apr_array_cat(names, s->wild_names);
    }
    if (r->connection->local_addr != NULL) {
        ports[nports++] = r->connection->local_addr->port;
    }
    if (s->port != 0) {
        ports[nports++] = s->port;
    }
    return ajplb_status_same_origin(apr_table_get(r->headers_in, "Origin"),
                                    apr_table_get(r->headers_in, "Referer"),
                                    names, ports, nports);
}

static int ajplb_status_send(request_rec *r, int status,
                             ajplb_status_mime_e mime, const ajplb_sbuf_t *b,
                             const ajplb_worker_t *w)
{
    r->status = status;
    ap_set_content_type(r, ajplb_status_content_type(mime));
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    if (mime == AJPLB_STATUS_MIME_HTML) {
        apr_table_setn(r->headers_out, "X-Frame-Options", "DENY");
        apr_table_setn(r->headers_out, "Referrer-Policy", "same-origin");
        apr_table_setn(r->headers_out, "Content-Security-Policy",
                       (w->css != NULL && *w->css)
                       ? "default-src 'none'; style-src * 'unsafe-inline'; "
                         "form-action 'self'; frame-ancestors 'none'; "
                         "base-uri 'none'"
                       : "default-src 'none'; style-src 'unsafe-inline'; "
                         "form-action 'self'; frame-ancestors 'none'; "
                         "base-uri 'none'");
    }
    ap_set_content_length(r, (apr_off_t)b->len);
    if (!r->header_only) {
        ap_rwrite(b->s, (int)b->len, r);
    }
    return OK;
}

static int ajplb_status_refuse(request_rec *r, const ajplb_worker_t *w,
                               int status, ajplb_status_mime_e mime,
                               const char *why)
{
    ajplb_sbuf_t b;

    ajplb_rlog(r, AJPLB_LOG_WARN, "status worker %s: refused %s %s from %s"
               "%s%s: %s", w->name, r->method, r->unparsed_uri,
               r->useragent_ip, r->user ? " user " : "",
               r->user ? r->user : "", why);
    ajplb_sbuf_init(&b, r->pool, 512);
    ajplb_status_render_error(&b, mime, why);
    return ajplb_status_send(r, status, mime, &b, w);
}

/* Spend the nonce and run one change under the global mutex; log what
 * it did.  APR_EACCES: the nonce is missing, wrong, expired or spent. */
static apr_status_t ajplb_status_change(request_rec *r,
                                        const ajplb_worker_t *w,
                                        const ajplb_status_req_t *req,
                                        const char **err)
{
    apr_array_header_t *changes =
        apr_array_make(r->pool, 8, sizeof(ajplb_status_change_t));
    const char *who = apr_psprintf(r->pool, "%s%s%s", r->useragent_ip,
                                   r->user ? " user " : "",
                                   r->user ? r->user : "");
    apr_status_t rv;
    int i;

    if (ajplb_global.shm == NULL || ajplb_global.model == NULL) {
        *err = "no shared state (no lb or ajp13 workers)";
        return APR_EINVAL;
    }
    if (ajplb_global.mutex != NULL
        && apr_global_mutex_lock(ajplb_global.mutex) != APR_SUCCESS) {
        *err = "cannot take the global mutex";
        return APR_EGENERAL;
    }
    /* Single use across children: the serial in the shared segment moves
     * with every change the status worker makes. */
    if (!ajplb_status_key_ok
        || !ajplb_status_nonce_use(ajplb_global.shm, req->nonce,
                                   ajplb_status_key,
                                   sizeof(ajplb_status_key), w->name,
                                   r->user, apr_time_now(),
                                   AJPLB_STATUS_NONCE_AGE, r->pool)) {
        if (ajplb_global.mutex != NULL) {
            apr_global_mutex_unlock(ajplb_global.mutex);
        }
        *err = "missing, wrong, used or expired nonce: reload the status "
               "page and retry (each nonce allows one change)";
        return APR_EACCES;
    }
    switch (req->cmd) {
    case AJPLB_STATUS_CMD_UPDATE:
        rv = ajplb_status_update(r->pool, ajplb_global.shm,
                                 ajplb_global.model, req, changes, err);
        break;
    case AJPLB_STATUS_CMD_RESET:
        rv = ajplb_status_reset(r->pool, ajplb_global.shm,
                                ajplb_global.model, req, apr_time_now(), err);
        break;
    default:
        rv = ajplb_status_recover(r->pool, ajplb_global.shm,
                                  ajplb_global.model, req, err);
        break;
    }
    if (ajplb_global.mutex != NULL) {
        apr_global_mutex_unlock(ajplb_global.mutex);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    for (i = 0; i < changes->nelts; i++) {
        ajplb_status_change_t *c =
            &APR_ARRAY_IDX(changes, i, ajplb_status_change_t);
        ajplb_rlog(r, AJPLB_LOG_INFO, "status worker %s: %s set %s of %s: "
                   "%s -> %s", w->name, who, c->what, c->worker,
                   c->old_value, c->new_value);
    }
    if (req->cmd == AJPLB_STATUS_CMD_UPDATE && changes->nelts == 0) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "status worker %s: %s updated %s%s%s: "
                   "nothing changed", w->name, who, req->w,
                   req->sw ? "/" : "", req->sw ? req->sw : "");
    }
    else if (req->cmd != AJPLB_STATUS_CMD_UPDATE) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "status worker %s: %s %s %s%s%s",
                   w->name, who, req->cmd == AJPLB_STATUS_CMD_RESET
                   ? "reset the statistics of" : "started recovery of",
                   req->w, req->sw ? "/" : "", req->sw ? req->sw : "");
    }
    return APR_SUCCESS;
}

/* Every server's mount rules for the dump: the main server and each
 * <VirtualHost>, with the addresses it was declared for. */
static apr_array_header_t *ajplb_status_vhosts(request_rec *r)
{
    apr_array_header_t *a = apr_array_make(r->pool, 4,
                                           sizeof(ajplb_status_vhost_t));
    server_rec *vs = ajplb_global.main_server ? ajplb_global.main_server
                                              : r->server;

    for (; vs != NULL; vs = vs->next) {
        const ajplb_srv_conf_t *conf =
            ap_get_module_config(vs->module_config, &ajplb_module);
        const ajplb_uri_map_t *map = ajplb_map_hold(r, conf);
        ajplb_status_vhost_t *vh;
        server_addr_rec *sa;
        const char *addr = "";

        if (map == NULL) {
            continue;
        }
        for (sa = vs->is_virtual ? vs->addrs : NULL; sa; sa = sa->next) {
            addr = apr_psprintf(r->pool, "%s%s%s:%s", addr, *addr ? " " : "",
                                sa->virthost ? sa->virthost : "*",
                                sa->host_port ? apr_itoa(r->pool,
                                                         sa->host_port)
                                              : "*");
        }
        vh = apr_array_push(a);
        vh->server = vs->server_hostname ? vs->server_hostname : "";
        vh->is_virtual = vs->is_virtual;
        vh->address = addr;
        vh->rules = ajplb_uri_map_rules(map);
    }
    return a;
}

/* After a change from the HTML page: back to the page it came from. */
static int ajplb_status_redirect(request_rec *r, const ajplb_status_req_t *q)
{
    ajplb_sbuf_t b;

    ajplb_sbuf_init(&b, r->pool, 256);
    ajplb_sbuf_puts(&b, ap_escape_uri(r->pool, r->uri));
    ajplb_sbuf_printf(&b, "?cmd=%s", q->from ? q->from : "list");
    if (q->from != NULL && strcmp(q->from, "show") == 0 && q->w) {
        ajplb_sbuf_puts(&b, "&w=");
        ajplb_sbuf_url(&b, q->w);
        if (q->sw != NULL && q->cmd != AJPLB_STATUS_CMD_UPDATE) {
            ajplb_sbuf_puts(&b, "&sw=");
            ajplb_sbuf_url(&b, q->sw);
        }
    }
    if (q->re > 0) {
        ajplb_sbuf_printf(&b, "&re=%d", q->re);
    }
    apr_table_setn(r->headers_out, "Location",
                   ap_construct_url(r->pool, b.s, r));
    return HTTP_SEE_OTHER;
}

int ajplb_status_handler(request_rec *r, const ajplb_srv_conf_t *conf,
                         const ajplb_worker_t *w)
{
    apr_table_t *args = apr_table_make(r->pool, 16);
    ajplb_status_req_t req;
    ajplb_status_view_t v;
    ajplb_sbuf_t b;
    const char *err = NULL;
    char *body = NULL;
    char nonce[AJPLB_STATUS_NONCE_LEN + 1];
    int read_only, write;
    apr_status_t rv;

    if (r->method_number != M_GET && r->method_number != M_POST) {
        r->allowed = (AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_POST);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (ajplb_status_parse_args(r->pool, r->args, args) != APR_SUCCESS) {
        return ajplb_status_refuse(r, w, HTTP_BAD_REQUEST,
                                   AJPLB_STATUS_MIME_TXT,
                                   "malformed query string");
    }
    if (!ajplb_status_user_ok(r, w)) {
        return ajplb_status_refuse(r, w, HTTP_FORBIDDEN,
                                   AJPLB_STATUS_MIME_TXT, apr_psprintf(
                                   r->pool, "user '%s' is not in the status "
                                   "worker's user list", r->user ? r->user
                                   : "(none)"));
    }
    if (r->method_number == M_POST) {
        rv = ajplb_status_read_body(r, &body);
        if (rv != APR_SUCCESS
            || ajplb_status_parse_args(r->pool, body, args) != APR_SUCCESS) {
            return ajplb_status_refuse(r, w, HTTP_BAD_REQUEST,
                                       AJPLB_STATUS_MIME_TXT, "the body must "
                                       "be a form (application/x-www-form-"
                                       "urlencoded) of at most 64 KB");
        }
    }
    if (ajplb_status_req_make(r->pool, args, &req, &err) != APR_SUCCESS) {
        return ajplb_status_refuse(r, w, HTTP_BAD_REQUEST,
                                   AJPLB_STATUS_MIME_TXT, err);
    }
    read_only = w->read_only || (req.opt & AJPLB_STATUS_OPT_READ_ONLY);
    write = req.cmd == AJPLB_STATUS_CMD_UPDATE
            || req.cmd == AJPLB_STATUS_CMD_RESET
            || req.cmd == AJPLB_STATUS_CMD_RECOVER;
    if ((write || req.cmd == AJPLB_STATUS_CMD_EDIT) && read_only) {
        return ajplb_status_refuse(r, w, HTTP_FORBIDDEN, req.mime,
                                   "this status worker is read-only (set "
                                   "read_only=false on it to allow changes)");
    }
    if (write) {
        if (r->method_number != M_POST) {
            apr_table_setn(r->err_headers_out, "Allow", "POST");
            return ajplb_status_refuse(r, w, HTTP_METHOD_NOT_ALLOWED,
                                       req.mime, "changes need a POST from "
                                       "the status page");
        }
        if (!ajplb_status_origin_ok(r)) {
            return ajplb_status_refuse(r, w, HTTP_FORBIDDEN, req.mime,
                                       "the request's Origin (or Referer) "
                                       "is not this server (its ServerName "
                                       "or a ServerAlias, and port)");
        }
        rv = ajplb_status_change(r, w, &req, &err);
        if (rv != APR_SUCCESS) {
            return ajplb_status_refuse(r, w, rv == APR_NOTFOUND
                                       ? HTTP_NOT_FOUND : rv == APR_EACCES
                                       ? HTTP_FORBIDDEN : HTTP_BAD_REQUEST,
                                       req.mime, err ? err : "failed");
        }
        if (req.mime == AJPLB_STATUS_MIME_HTML) {
            return ajplb_status_redirect(r, &req);
        }
        /* Scripts get the new picture of what they changed. */
        req.cmd = AJPLB_STATUS_CMD_SHOW;
        req.sw = NULL;
    }

    memset(&v, 0, sizeof(v));
    v.model = ajplb_global.model;
    v.status = w;
    v.req = &req;
    v.now = apr_time_now();
    v.server_name = ap_get_server_name(r);
    v.server_port = (int)ap_get_server_port(r);
    v.server_software = ap_get_server_banner();
    v.uri = ap_escape_uri(r->pool, r->uri);
    v.read_only = read_only;
    if (!read_only && ajplb_status_key_ok) {
        unsigned char salt[8];
        if (apr_generate_random_bytes(salt, sizeof(salt)) == APR_SUCCESS) {
            ajplb_status_nonce_make(nonce, ajplb_status_key,
                                    sizeof(ajplb_status_key),
                                    ajplb_status_nonce_scope(r->pool,
                                        w->name, r->user,
                                        ajplb_status_serial(
                                            ajplb_global.shm)),
                                    v.now, salt);
            v.nonce = nonce;
            apr_table_setn(r->headers_out, "X-AJPLB-Nonce",
                           apr_pstrdup(r->pool, nonce));
        }
    }
    if (write) {
        v.result_type = "OK";
        v.result_msg = "Action finished";
    }
    ajplb_sbuf_init(&b, r->pool, 16384);
    if (req.cmd == AJPLB_STATUS_CMD_DUMP) {
        v.vhosts = ajplb_status_vhosts(r);
        ajplb_status_render_dump(&b, &v);
        return ajplb_status_send(r, HTTP_OK, req.mime, &b, w);
    }
    if (req.cmd != AJPLB_STATUS_CMD_VERSION
        && ajplb_status_view_make(r->pool, &v, ajplb_global.shm,
                                  ajplb_status_conns, NULL) != APR_SUCCESS) {
        return ajplb_status_refuse(r, w, HTTP_NOT_FOUND, req.mime,
                                   "no such lb or ajp13 worker (w) or "
                                   "member (sw)");
    }
    if (req.cmd == AJPLB_STATUS_CMD_VERSION) {
        ajplb_status_view_make(r->pool, &v, NULL, NULL, NULL);
    }
    if (req.cmd == AJPLB_STATUS_CMD_EDIT) {
        if (req.mime != AJPLB_STATUS_MIME_HTML || req.w == NULL
            || ajplb_status_render_edit(&b, &v) != APR_SUCCESS) {
            return ajplb_status_refuse(r, w, HTTP_BAD_REQUEST, req.mime,
                                       "edit needs mime=html and an lb "
                                       "worker (w), optionally a member (sw) "
                                       "or an attribute (att)");
        }
        return ajplb_status_send(r, HTTP_OK, req.mime, &b, w);
    }
    ajplb_status_render(&b, &v);
    (void)conf;
    return ajplb_status_send(r, HTTP_OK, req.mime, &b, w);
}

/* ------------------------------------------------ configtest warning */

/* Is @a d (a Require, Allow or Deny line, or a container of them) a
 * limit on who may come in?  The core judges each line. */
static int ajplb_status_limits(const ap_directive_t *d)
{
    for (; d != NULL; d = d->next) {
        if (ajplb_status_access_limits(d->directive, d->args)) {
            return 1;
        }
        if (d->first_child != NULL && ajplb_status_limits(d->first_child)) {
            return 1;
        }
    }
    return 0;
}

/* <LocationMatch> and "~" patterns with httpd's own regex engine. */
static int ajplb_status_regex(void *ctx, const char *re, const char *s)
{
    ap_regex_t *rx = ap_pregcomp(ctx, re, AP_REG_EXTENDED);

    return rx != NULL && ap_regexec(rx, s, 0, NULL, 0) == 0;
}

/* Does section @a d (<Location>, <LocationMatch>) cover @a path? */
static int ajplb_status_covers(apr_pool_t *p, const ap_directive_t *d,
                               const char *path)
{
    const char *args = d->args ? d->args : "";
    const char *end = strrchr(args, '>');
    char *a = apr_pstrmemdup(p, args, end ? (apr_size_t)(end - args)
                                          : strlen(args));
    const char *cur = a;
    const char *word = ap_getword_conf(p, &cur);
    int regex = strcasecmp(d->directive, "<LocationMatch") == 0;

    if (strcmp(word, "~") == 0) {
        regex = 1;
        word = ap_getword_conf(p, &cur);
    }
    return ajplb_status_access_covers(word, regex, path, ajplb_status_regex,
                                      p);
}

/* The <VirtualHost> section @a d sits in, or NULL for the main server. */
static const ap_directive_t *ajplb_status_vhost_of(const ap_directive_t *d)
{
    for (d = d->parent; d != NULL; d = d->parent) {
        if (strcasecmp(d->directive, "<VirtualHost") == 0) {
            return d;
        }
    }
    return NULL;
}

/* Walk the tree for a Location section of @a vs (or of the main server)
 * that covers @a path and limits access. */
static int ajplb_status_protected(apr_pool_t *p, const ap_directive_t *d,
                                  server_rec *vs, const char *path)
{
    for (; d != NULL; d = d->next) {
        if (strcasecmp(d->directive, "<Location") == 0
            || strcasecmp(d->directive, "<LocationMatch") == 0) {
            const ap_directive_t *vh = ajplb_status_vhost_of(d);
            int mine = vh == NULL
                       || (vs->is_virtual && vs->defn_name != NULL
                           && vh->filename != NULL
                           && strcmp(vh->filename, vs->defn_name) == 0
                           && vh->line_num == (int)vs->defn_line_number);
            if (mine && ajplb_status_covers(p, d, path)
                && ajplb_status_limits(d->first_child)) {
                return 1;
            }
        }
        if (d->first_child != NULL
            && ajplb_status_protected(p, d->first_child, vs, path)) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    apr_pool_t *p;
    server_rec *vs;
} ajplb_status_prot_ctx_t;

static int ajplb_status_protected_cb(void *ctx, const char *path)
{
    ajplb_status_prot_ctx_t *c = ctx;

    return ajplb_status_protected(c->p, ap_conftree, c->vs, path);
}

void ajplb_status_check_config(apr_pool_t *p, server_rec *s,
                               ajplb_diags_t *d)
{
    apr_hash_t *seen = apr_hash_make(p);
    ajplb_status_prot_ctx_t c;

    c.p = p;
    for (c.vs = s; c.vs != NULL; c.vs = c.vs->next) {
        ajplb_srv_conf_t *conf =
            ap_get_module_config(c.vs->module_config, &ajplb_module);

        if (conf->map != NULL && conf->map->map != NULL) {
            ajplb_status_access_check(p, ajplb_global.model,
                                      ajplb_uri_map_rules(conf->map->map),
                                      ajplb_status_protected_cb, &c, seen,
                                      d);
        }
    }
}
