/*
 * ajplb_config.c -- worker model builder: one ajplb_worker_t per worker
 * name, each property parsed through the table in ajplb_config_table.c,
 * then defaults (finite timeouts) and the cross-worker checks.
 * Core layer: APR only, no sockets, never logs.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_config.h"

/* Per-worker facts needed only while building. */
typedef struct {
    int activation_set;
    int ping_mode_set;
    int packet_set;
    int disabled;
    int stopped;
    const ajplb_prop_t *port_prop;
} ajplb__scratch_t;

typedef struct {
    ajplb_model_t *model;
    ajplb_diags_t *diags;
    apr_pool_t *p;
} ajplb__build_t;

#define AJPLB__INT(w, off) ((int *)((char *)(w) + (off)))
#define AJPLB__STR(w, off) ((const char **)((char *)(w) + (off)))

/* The messages below quote a bad value to help the operator; a value that
 * may be a secret (a secret-named key, or made of one through $(var):
 * ajplb_props_is_sensitive) is replaced by "(hidden)" wherever it occurs,
 * so no message about e.g. port=$(tcpass) shows the password (T-G11). */
static const char *ajplb__mask(ajplb__build_t *b, const ajplb_prop_t *at,
                               const char *msg)
{
    const char *hit, *from = msg;
    apr_size_t vlen;
    char *out;

    if (at->value == NULL || (vlen = strlen(at->value)) == 0
        || !ajplb_props_is_sensitive(at)
        || (hit = strstr(msg, at->value)) == NULL) {
        return msg;
    }
    out = "";
    do {
        out = apr_pstrcat(b->p, out, apr_pstrmemdup(b->p, from, hit - from),
                          "(hidden)", NULL);
        from = hit + vlen;
    } while ((hit = strstr(from, at->value)) != NULL);
    return apr_pstrcat(b->p, out, from, NULL);
}

static void ajplb__err(ajplb__build_t *b, const ajplb_prop_t *at,
                       const char *msg)
{
    ajplb_diag_add(b->diags, AJPLB_DIAG_ERROR, at->file, at->line, "%s",
                   ajplb__mask(b, at, msg));
}

static void ajplb__warn(ajplb__build_t *b, const ajplb_prop_t *at,
                        const char *msg)
{
    ajplb_diag_add(b->diags, AJPLB_DIAG_WARN, at->file, at->line, "%s",
                   ajplb__mask(b, at, msg));
}

/* "the default 8009" or "" for the messages about a bad value. */
static const char *ajplb__range_text(apr_pool_t *p,
                                     const ajplb_propdef_t *d)
{
    return apr_psprintf(p, "a whole number from %d to %d%s%s", d->min,
                        d->max, d->unit ? " " : "", d->unit ? d->unit : "");
}

static void ajplb__bad_int(ajplb__build_t *b, const ajplb_worker_t *w,
                           const ajplb_propdef_t *d, const ajplb_prop_t *pp,
                           apr_status_t rv)
{
    const char *range = ajplb__range_text(b->p, d);

    if (*pp->value == '\0') {
        ajplb__err(b, pp, apr_psprintf(b->p, "empty value for '%s' of "
                   "worker '%s': write %s, or remove the line to get the "
                   "default (%s)", d->name, w->name, range, d->defval));
    }
    else if (rv == APR_ERANGE) {
        ajplb__err(b, pp, apr_psprintf(b->p, "%s=%s is out of range for "
                   "worker '%s': write %s", d->name, pp->value, w->name,
                   range));
    }
    else {
        ajplb__err(b, pp, apr_psprintf(b->p, "%s=%s is not a whole number "
                   "(worker '%s'; no units, suffixes or spaces): write %s",
                   d->name, pp->value, w->name, range));
    }
}

/* Route, domain and redirect end up in cookies and session ids: refuse
 * the separators that would make them ambiguous. */
static int ajplb__route_char_ok(int c, int allow_dot)
{
    if (c == '.') {
        return allow_dot;
    }
    return c > 0x20 && c < 0x7f && c != ',' && c != ';' && c != '='
           && c != '"' && c != '\\';
}

static int ajplb__check_route(ajplb__build_t *b, const ajplb_worker_t *w,
                              const ajplb_prop_t *pp, int allow_dot)
{
    const char *s;

    if (strlen(pp->value) > AJPLB_NAME_MAX) {
        ajplb__err(b, pp, apr_psprintf(b->p, "%s of worker '%s' is too long "
                   "(%d characters, at most %d)", pp->attr, w->name,
                   (int)strlen(pp->value), AJPLB_NAME_MAX));
        return 0;
    }
    for (s = pp->value; *s; s++) {
        if (!ajplb__route_char_ok((unsigned char)*s, allow_dot)) {
            ajplb__err(b, pp, apr_psprintf(b->p, "%s '%s' of worker '%s' "
                       "contains '%c'%s: use letters, digits, '_' and '-'"
                       "%s", pp->attr, pp->value, w->name,
                       apr_isprint((unsigned char)*s) ? *s : '?',
                       *s == ' ' ? " (a space)" : "",
                       allow_dot ? " ('.' makes the part before it the "
                       "domain)" : ""));
            return 0;
        }
    }
    return 1;
}

/* host may carry the port, "host:port" or "[v6]:port", as in mod_jk. */
static void ajplb__set_host(ajplb__build_t *b, ajplb_worker_t *w,
                            const ajplb_prop_t *pp)
{
    const char *v = pp->value;
    const char *colon = strrchr(v, ':');
    int port;

    if (strlen(v) > 255) {
        ajplb__err(b, pp, apr_psprintf(b->p, "host of worker '%s' is too "
                   "long (at most 255 characters)", w->name));
        return;
    }
    if (*v == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
            ajplb__err(b, pp, apr_psprintf(b->p, "host '%s' of worker '%s' "
                       "is not a valid [IPv6] address: write "
                       "host=[::1] or host=::1", v, w->name));
            return;
        }
        w->host = apr_pstrmemdup(b->p, v + 1, (apr_size_t)(close - v - 1));
        colon = close[1] == ':' ? close + 1 : NULL;
    }
    else if (colon != NULL && strchr(v, ':') == colon) {
        w->host = apr_pstrmemdup(b->p, v, (apr_size_t)(colon - v));
    }
    else {
        /* No colon, or a bare IPv6 address. */
        w->host = v;
        colon = NULL;
    }
    if (colon != NULL) {
        if (ajplb_parse_int(colon + 1, 0, 65535, &port) != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "port in host '%s' of "
                       "worker '%s' is not a number from 0 to 65535", v,
                       w->name));
            return;
        }
        w->port = port;
    }
    if (*w->host == '\0') {
        ajplb__err(b, pp, apr_psprintf(b->p, "empty host for worker '%s': "
                   "write a host name or IP address, e.g. host=127.0.0.1",
                   w->name));
    }
}

static void ajplb__parse_fail_on_status(ajplb__build_t *b, ajplb_worker_t *w,
                                        const ajplb_prop_t *pp)
{
    int i, j, code;

    for (i = 0; i < pp->parts->nelts; i++) {
        const ajplb_prop_part_t *part = &APR_ARRAY_IDX(pp->parts, i,
                                                       ajplb_prop_part_t);
        apr_array_header_t *items = ajplb_split_list(b->p, part->value);
        ajplb_prop_t at = *pp;

        at.file = part->file;
        at.line = part->line;
        for (j = 0; j < items->nelts; j++) {
            const char *it = APR_ARRAY_IDX(items, j, const char *);
            if (ajplb_parse_int(it, -599, 599, &code) != APR_SUCCESS
                || (code > -100 && code < 100)) {
                ajplb__err(b, &at, apr_psprintf(b->p, "fail_on_status "
                           "entry '%s' of worker '%s' is not an HTTP status:"
                           " write codes from 100 to 599, '-' in front "
                           "to not mark the member as failed, e.g. "
                           "fail_on_status=503,-404", it, w->name));
                continue;
            }
            APR_ARRAY_PUSH(w->fail_on_status, int) = code;
        }
    }
}

static void ajplb__push_items(apr_pool_t *p, apr_array_header_t *to,
                              const char *value)
{
    apr_array_header_t *items = ajplb_split_list(p, value);

    apr_array_cat(to, items);
}

/* Parse the properties that need more than the generic kinds. */
static void ajplb__parse_special(ajplb__build_t *b, ajplb_worker_t *w,
                                 ajplb__scratch_t *sc,
                                 const ajplb_propdef_t *d,
                                 const ajplb_prop_t *pp)
{
    const char *a = d->name;
    int v;

    if (strcmp(a, "max_packet_size") == 0) {
        apr_status_t rv = ajplb_parse_int(pp->value, d->min, d->max, &v);
        if (rv != APR_SUCCESS) {
            if (rv == APR_ERANGE) {
                ajplb__err(b, pp, apr_psprintf(b->p, "max_packet_size=%s "
                           "of worker '%s' is outside 8192..65536: write a "
                           "multiple of 1024 in that range, equal to "
                           "packetSize of Tomcat's AJP connector",
                           pp->value, w->name));
            }
            else {
                ajplb__bad_int(b, w, d, pp, rv);
            }
            return;
        }
        if (v % 1024 != 0) {
            int up = (v / 1024 + 1) * 1024;
            ajplb__warn(b, pp, apr_psprintf(b->p, "max_packet_size=%d of "
                        "worker '%s' is not a multiple of 1024; using %d "
                        "(write max_packet_size=%d and packetSize=\"%d\" "
                        "on Tomcat's AJP connector)", v, w->name, up, up,
                        up));
            v = up;
        }
        w->max_packet_size = v;
        sc->packet_set = 1;
    }
    else if (strcmp(a, "route") == 0) {
        if (*pp->value == '\0') {
            ajplb__err(b, pp, apr_psprintf(b->p, "empty route for worker "
                       "'%s': write the jvmRoute of its Tomcat, or remove "
                       "the line (the route defaults to the worker name)",
                       w->name));
        }
        else if (ajplb__check_route(b, w, pp, 1)) {
            w->route = pp->value;
        }
    }
    else if (strcmp(a, "domain") == 0 || strcmp(a, "redirect") == 0) {
        if (*pp->value != '\0' && ajplb__check_route(b, w, pp, *a == 'r')) {
            *(*a == 'd' ? &w->domain : &w->redirect) = pp->value;
        }
    }
    else if (strcmp(a, "activation") == 0) {
        if (ajplb_parse_activation(pp->value, &w->activation)
            != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "activation '%s' of worker "
                       "'%s' is not valid: write A (active), D (disabled) "
                       "or S (stopped), or 0, 1, 2", pp->value, w->name));
        }
        sc->activation_set = 1;
    }
    else if (strcmp(a, "disabled") == 0 || strcmp(a, "stopped") == 0) {
        if (ajplb_parse_bool(pp->value, &v) != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "%s=%s of worker '%s' is "
                       "not a boolean: write activation=%c instead", a,
                       pp->value, w->name, *a == 'd' ? 'D' : 'S'));
            return;
        }
        *(*a == 'd' ? &sc->disabled : &sc->stopped) = v;
    }
    else if (strcmp(a, "secret") == 0) {
        if (*pp->value == '\0') {
            ajplb__warn(b, pp, apr_psprintf(b->p, "empty secret for worker "
                        "'%s' means no secret (Tomcat treats an empty "
                        "secret as unset): write the secret of Tomcat's "
                        "AJP connector", w->name));
            return;
        }
        w->secret = pp->value;
    }
    else if (strcmp(a, "method") == 0) {
        if (ajplb_parse_method(pp->value, &w->method) != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "method '%s' of lb '%s' is "
                       "not valid: write R (Request), T (Traffic), "
                       "B (Busyness), S (Session) or N (Next)", pp->value,
                       w->name));
        }
    }
    else if (strcmp(a, "lock") == 0) {
        if (ajplb_parse_lock(pp->value, &w->lock) != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "lock '%s' of lb '%s' is "
                       "not valid: write O (Optimistic) or P (Pessimistic)",
                       pp->value, w->name));
        }
    }
    else if (strcmp(a, "health_check") == 0
             || strcmp(a, "health_check_status") == 0
             || strcmp(a, "outlier_statuses") == 0) {
        ajplb_config_traffic_prop(b->p, b->diags, w, a, pp->value, pp->file,
                                  pp->line);
    }
    else if (strcmp(a, "ping_mode") == 0) {
        if (ajplb_parse_ping_mode(pp->value, &w->ping_mode) != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "ping_mode '%s' of worker "
                       "'%s' is not valid: combine the letters C (after "
                       "connect), P (before each request), I (idle "
                       "connections) or A (all), e.g. ping_mode=CI",
                       pp->value, w->name));
        }
        sc->ping_mode_set = 1;
    }
}

static void ajplb__parse_prop(ajplb__build_t *b, ajplb_worker_t *w,
                              ajplb__scratch_t *sc, const ajplb_prop_t *pp)
{
    const ajplb_propdef_t *d = ajplb_propdef_find(pp->attr);
    apr_status_t rv;
    int v;

    if (d == NULL || d->kind == AJPLB_PROP_IGNORED
        || strcmp(d->name, "type") == 0
        || strcmp(d->name, "reference") == 0) {
        return;
    }
    if (!(d->applies & w->type)) {
        /* A template may serve several types; only warn for what the
         * operator wrote on this very worker. */
        if (pp->inherited_from == NULL) {
            ajplb__warn(b, pp, apr_psprintf(b->p, "'%s' has no effect on "
                        "%s worker '%s' (it applies to %s%s%s workers); "
                        "remove it", d->name, ajplb_worker_type_name(w->type),
                        w->name,
                        (d->applies & AJPLB_WORKER_AJP13) ? "ajp13 " : "",
                        (d->applies & AJPLB_WORKER_LB) ? "lb " : "",
                        (d->applies & AJPLB_WORKER_STATUS) ? "status" : ""));
        }
        return;
    }
    switch (d->kind) {
    case AJPLB_PROP_INT:
        rv = ajplb_parse_int(pp->value, d->min, d->max, &v);
        if (rv != APR_SUCCESS) {
            ajplb__bad_int(b, w, d, pp, rv);
            return;
        }
        *AJPLB__INT(w, d->field) = v;
        if (strcmp(d->name, "port") == 0) {
            sc->port_prop = pp;
        }
        break;
    case AJPLB_PROP_BOOL:
        if (ajplb_parse_bool(pp->value, &v) != APR_SUCCESS) {
            ajplb__err(b, pp, apr_psprintf(b->p, "%s=%s of worker '%s' is "
                       "not a boolean: write true or false (also 1/0, "
                       "on/off, yes/no)", d->name, pp->value, w->name));
            return;
        }
        *AJPLB__INT(w, d->field) = v;
        break;
    case AJPLB_PROP_STR:
        if (strcmp(d->name, "host") == 0) {
            ajplb__set_host(b, w, pp);
            break;
        }
        if (strlen(pp->value) > AJPLB_NAME_MAX) {
            ajplb__err(b, pp, apr_psprintf(b->p, "%s of worker '%s' is too "
                       "long (%d characters, at most %d)", d->name, w->name,
                       (int)strlen(pp->value), AJPLB_NAME_MAX));
            return;
        }
        if (*pp->value != '\0') {
            *AJPLB__STR(w, d->field) = pp->value;
        }
        break;
    case AJPLB_PROP_TEXT:
        *AJPLB__STR(w, d->field) = pp->value;
        break;
    case AJPLB_PROP_LIST:
        if (strcmp(d->name, "fail_on_status") == 0) {
            ajplb__parse_fail_on_status(b, w, pp);
        }
        else if (strcmp(d->name, "mount") == 0) {
            ajplb__push_items(b->p, w->mounts, pp->value);
        }
        else if (strcmp(d->name, "user") == 0) {
            ajplb__push_items(b->p, w->users, pp->value);
        }
        else if (strcmp(d->name, "good") == 0) {
            w->good = pp->value;
        }
        else if (strcmp(d->name, "bad") == 0) {
            w->bad = pp->value;
        }
        /* balance_workers is resolved by ajplb_config_validate(). */
        break;
    case AJPLB_PROP_SPECIAL:
        ajplb__parse_special(b, w, sc, d, pp);
        break;
    case AJPLB_PROP_IGNORED:
        break;
    }
}

static ajplb_worker_t *ajplb__worker_new(ajplb__build_t *b, const char *name,
                                         const char *file, int line)
{
    ajplb_worker_t *w = apr_pcalloc(b->p, sizeof(*w));
    const ajplb_propdef_t *d;
    int i;

    w->name = name;
    w->type = AJPLB_WORKER_AJP13;
    w->loc.file = file;
    w->loc.line = line;
    for (i = 0; (d = ajplb_propdef_at(i)) != NULL; i++) {
        if ((d->kind == AJPLB_PROP_INT || d->kind == AJPLB_PROP_BOOL)
            && d->field >= 0) {
            *AJPLB__INT(w, d->field) = AJPLB_UNSET;
        }
    }
    w->max_packet_size = AJPLB_UNSET;
    w->fail_on_status = apr_array_make(b->p, 2, sizeof(int));
    w->mounts = apr_array_make(b->p, 2, sizeof(const char *));
    w->users = apr_array_make(b->p, 2, sizeof(const char *));
    w->members = apr_array_make(b->p, 4, sizeof(ajplb_lb_member_t));
    apr_hash_set(b->model->by_name, name, APR_HASH_KEY_STRING, w);
    APR_ARRAY_PUSH(b->model->workers, ajplb_worker_t *) = w;
    return w;
}

#define AJPLB__DEF(field, value) \
    do { if ((field) == AJPLB_UNSET) { (field) = (value); } } while (0)
#define AJPLB__DEFS(field, value) \
    do { if ((field) == NULL) { (field) = (value); } } while (0)

static void ajplb__apply_defaults(ajplb__build_t *b, ajplb_worker_t *w,
                                  ajplb__scratch_t *sc)
{
    const ajplb_model_defaults_t *defs = &b->model->defaults;
    const ajplb_prop_t *pp;

    AJPLB__DEFS(w->host, "localhost");
    AJPLB__DEF(w->port, 8009);
    AJPLB__DEFS(w->source, "");
    AJPLB__DEF(w->prefer_ipv6, 0);
    pp = ajplb_model_prop(b->model, w, "socket_timeout");
    if (pp != NULL && w->socket_timeout == 0) {
        ajplb__warn(b, pp, apr_psprintf(b->p, "socket_timeout=0 on worker "
                    "'%s' turns the socket timeout off, so a hung Tomcat "
                    "holds an httpd thread forever; remove the line for "
                    "the default (httpd Timeout, %d s)", w->name,
                    defs->httpd_timeout_sec));
    }
    AJPLB__DEF(w->socket_timeout, defs->httpd_timeout_sec);
    AJPLB__DEF(w->socket_connect_timeout, 3000);
    AJPLB__DEF(w->socket_keepalive, 0);
    AJPLB__DEF(w->socket_buffer, 0);
    AJPLB__DEF(w->ping_timeout, 10000);
    AJPLB__DEF(w->connect_timeout, 0);
    AJPLB__DEF(w->prepost_timeout, 0);
    /* The legacy switches of mod_jk: a timeout turns its CPing on. */
    if (w->connect_timeout > 0) {
        w->ping_mode |= AJPLB_PING_CONNECT;
    }
    if (w->prepost_timeout > 0) {
        w->ping_mode |= AJPLB_PING_PREPOST;
    }
    AJPLB__DEF(w->connection_ping_interval, 0);
    if ((w->ping_mode & AJPLB_PING_INTERVAL)
        && w->connection_ping_interval == 0) {
        w->connection_ping_interval = w->ping_timeout / 100;
        if (w->connection_ping_interval < 1) {
            w->connection_ping_interval = 1;
        }
    }
    AJPLB__DEF(w->connection_pool_size, defs->threads_per_child);
    AJPLB__DEF(w->connection_pool_minsize,
               (w->connection_pool_size + 1) / 2);
    if (w->connection_pool_minsize > w->connection_pool_size) {
        pp = ajplb_model_prop(b->model, w, "connection_pool_minsize");
        if (pp != NULL) {
            ajplb__err(b, pp, apr_psprintf(b->p, "connection_pool_minsize="
                       "%d of worker '%s' is larger than its "
                       "connection_pool_size %d: write at most %d",
                       w->connection_pool_minsize, w->name,
                       w->connection_pool_size, w->connection_pool_size));
        }
        w->connection_pool_minsize = w->connection_pool_size;
    }
    AJPLB__DEF(w->connection_pool_timeout, 300);
    AJPLB__DEF(w->connection_acquire_timeout, 200);
    pp = ajplb_model_prop(b->model, w, "reply_timeout");
    if (pp != NULL && w->reply_timeout == 0) {
        ajplb__warn(b, pp, apr_psprintf(b->p, "reply_timeout=0 on worker "
                    "'%s' waits for Tomcat forever; remove the line for "
                    "the default (httpd Timeout, %d ms)", w->name,
                    defs->httpd_timeout_sec * 1000));
    }
    AJPLB__DEF(w->reply_timeout, defs->httpd_timeout_sec * 1000);
    AJPLB__DEF(w->recovery_options, 0);
    AJPLB__DEF(w->busy_limit, 0);
    AJPLB__DEF(w->body_window, 0);
    AJPLB__DEF(w->lbfactor, 1);
    AJPLB__DEFS(w->route, w->name);
    if (w->domain == NULL) {
        const char *dot = strchr(w->route, '.');
        /* mod_jk: "route contains period" -> the part before it is the
         * replication domain, unless domain is written. */
        w->domain = dot ? apr_pstrmemdup(b->p, w->route,
                                         (apr_size_t)(dot - w->route)) : "";
    }
    AJPLB__DEFS(w->redirect, "");
    AJPLB__DEF(w->distance, 0);
    if (!sc->activation_set) {
        w->activation = sc->stopped ? AJPLB_ACTIVATION_STOPPED
            : sc->disabled ? AJPLB_ACTIVATION_DISABLED
            : AJPLB_ACTIVATION_ACTIVE;
    }
    AJPLB__DEF(w->retries, 2);
    AJPLB__DEF(w->retry_interval, 100);
    AJPLB__DEF(w->max_packet_size, 8192);
    if (w->socket_buffer > 0 && w->socket_buffer < w->max_packet_size) {
        w->socket_buffer = w->max_packet_size;
    }
    if (w->type == AJPLB_WORKER_AJP13 && w->port == 0) {
        /* mod_jk: port 0 means "provisioned later": the member starts
         * stopped. */
        w->activation = AJPLB_ACTIVATION_STOPPED;
        if (sc->port_prop != NULL) {
            ajplb__warn(b, sc->port_prop, apr_psprintf(b->p, "port=0: "
                        "worker '%s' starts stopped (as in mod_jk) and gets "
                        "no requests until it is given a port and "
                        "activated", w->name));
        }
    }
    /* lb */
    AJPLB__DEF(w->sticky_session, 1);
    AJPLB__DEF(w->sticky_session_force, 0);
    AJPLB__DEFS(w->session_cookie, "JSESSIONID");
    AJPLB__DEFS(w->session_path, ";jsessionid");
    AJPLB__DEF(w->set_session_cookie, 0);
    AJPLB__DEFS(w->session_cookie_path, "/");
    AJPLB__DEF(w->lb_retries, 2);
    AJPLB__DEF(w->recover_time, 60);
    AJPLB__DEF(w->error_escalation_time, w->recover_time / 2);
    AJPLB__DEF(w->max_reply_timeouts, 1);
    /* status: read-only unless the operator says otherwise (mod_jk's
     * default is read/write). */
    AJPLB__DEFS(w->css, "");
    AJPLB__DEF(w->read_only, 1);
    AJPLB__DEF(w->user_case_insensitive, 0);
    AJPLB__DEFS(w->good, "a.o,a.i,a.b,a.r");
    AJPLB__DEFS(w->bad, "s,e");
    AJPLB__DEFS(w->prefix, "worker");
    AJPLB__DEFS(w->ns, "jk:");
    AJPLB__DEFS(w->xmlns, "xmlns:jk=\"http://tomcat.apache.org\"");
    AJPLB__DEFS(w->doctype, "");
}

static void ajplb__parse_type(ajplb__build_t *b, ajplb_worker_t *w,
                              const ajplb_prop_t *pp)
{
    const char *v = pp->value;

    if (strcmp(v, "ajp13") == 0) {
        w->type = AJPLB_WORKER_AJP13;
    }
    else if (strcmp(v, "lb") == 0) {
        w->type = AJPLB_WORKER_LB;
    }
    else if (strcmp(v, "status") == 0) {
        w->type = AJPLB_WORKER_STATUS;
    }
    else if (strcmp(v, "ajp12") == 0 || strcmp(v, "ajp14") == 0) {
        ajplb__err(b, pp, apr_psprintf(b->p, "worker type '%s' of worker "
                   "'%s' is not supported by mod_ajplb: write type=ajp13 "
                   "(Tomcat speaks AJP13 on its AJP connector)", v,
                   w->name));
    }
    else {
        ajplb__err(b, pp, apr_psprintf(b->p, "unknown worker type '%s' for "
                   "worker '%s': write type=ajp13, type=lb or type=status",
                   v, w->name));
    }
}

/* worker.list: create the model's list; names never defined become
 * ajp13 workers on localhost:8009, as mod_jk does, with a warning. */
static void ajplb__build_list(ajplb__build_t *b, ajplb__scratch_t **scr)
{
    ajplb_model_t *m = b->model;
    const ajplb_prop_t *lp = ajplb_props_get(m->props, "worker.list");
    ajplb_prop_t at;
    int i, j;

    if (lp == NULL || lp->parts->nelts == 0) {
        ajplb_diag_add(b->diags, AJPLB_DIAG_WARN,
                       lp ? lp->file : NULL, lp ? lp->line : 0,
                       "worker.list is not set: no worker can be mapped "
                       "with JkMount; write worker.list=<your workers>");
        return;
    }
    memset(&at, 0, sizeof(at));
    for (i = 0; i < lp->parts->nelts; i++) {
        const ajplb_prop_part_t *part = &APR_ARRAY_IDX(lp->parts, i,
                                                       ajplb_prop_part_t);
        apr_array_header_t *names = ajplb_split_list(b->p, part->value);

        at.file = part->file;
        at.line = part->line;
        for (j = 0; j < names->nelts; j++) {
            const char *n = APR_ARRAY_IDX(names, j, const char *);
            ajplb_worker_t *w;
            ajplb_srcloc_t *loc;

            if (!ajplb_name_is_valid(n)) {
                ajplb__err(b, &at, apr_psprintf(b->p, "invalid worker name "
                           "'%s' in worker.list: use 1 to %d letters, "
                           "digits, '_' or '-', separated by ','", n,
                           AJPLB_NAME_MAX));
                continue;
            }
            w = ajplb_model_find(m, n);
            if (w == NULL) {
                ajplb__warn(b, &at, apr_psprintf(b->p, "worker '%s' in "
                            "worker.list is not defined: using an ajp13 "
                            "worker on localhost:8009 (as mod_jk does); "
                            "write worker.%s.host=... and worker.%s.port="
                            "... to make this explicit", n, n, n));
                w = ajplb__worker_new(b, n, part->file, part->line);
                w->implicit = 1;
                ajplb__apply_defaults(b, w, *scr);
            }
            else if (w->in_list) {
                ajplb__warn(b, &at, apr_psprintf(b->p, "worker '%s' is "
                            "listed twice in worker.list; remove one", n));
                continue;
            }
            w->in_list = 1;
            APR_ARRAY_PUSH(m->list, ajplb_worker_t *) = w;
            loc = apr_array_push(m->list_locs);
            loc->file = part->file;
            loc->line = part->line;
        }
    }
}

apr_status_t ajplb_model_build(apr_pool_t *p, ajplb_props_t *pr,
                               const ajplb_model_defaults_t *defs,
                               ajplb_diags_t *diags, ajplb_model_t **model)
{
    ajplb__build_t b;
    ajplb_model_t *m;
    ajplb__scratch_t *scratch, *implicit_sc;
    const ajplb_prop_t *mp;
    int errors_before, i, j, nworkers;

    if (pr == NULL || diags == NULL || model == NULL) {
        return APR_EINVAL;
    }
    errors_before = diags->errors;
    (void)ajplb_props_resolve(pr);
    m = apr_pcalloc(p, sizeof(*m));
    m->pool = p;
    m->props = pr;
    m->by_name = apr_hash_make(p);
    m->workers = apr_array_make(p, pr->workers->nelts + 4,
                                sizeof(ajplb_worker_t *));
    m->list = apr_array_make(p, 4, sizeof(ajplb_worker_t *));
    m->list_locs = apr_array_make(p, 4, sizeof(ajplb_srcloc_t));
    m->defaults.httpd_timeout_sec = defs && defs->httpd_timeout_sec > 0
                                    ? defs->httpd_timeout_sec : 60;
    m->defaults.threads_per_child = defs && defs->threads_per_child > 0
                                    ? defs->threads_per_child : 1;
    b.model = m;
    b.diags = diags;
    b.p = p;

    nworkers = pr->workers->nelts;
    scratch = apr_pcalloc(p, sizeof(*scratch) * (apr_size_t)(nworkers + 1));
    for (i = 0; i < nworkers; i++) {
        const ajplb_props_worker_t *pw = APR_ARRAY_IDX(pr->workers, i,
                                                  ajplb_props_worker_t *);
        ajplb_worker_t *w = ajplb__worker_new(&b, pw->name, pw->file,
                                              pw->line);
        const ajplb_prop_t *tp = ajplb_props_worker_get(pr, w->name, "type");
        const ajplb_prop_t *rp = ajplb_props_worker_get(pr, w->name,
                                                        "reference");

        if (rp != NULL && strncmp(rp->value, "worker.", 7) == 0) {
            w->reference = rp->value + 7;
        }
        if (tp != NULL) {
            ajplb__parse_type(&b, w, tp);
        }
        for (j = 0; j < pw->props->nelts; j++) {
            ajplb__parse_prop(&b, w, &scratch[i],
                              APR_ARRAY_IDX(pw->props, j, ajplb_prop_t *));
        }
        ajplb__apply_defaults(&b, w, &scratch[i]);
    }
    mp = ajplb_props_get(pr, "worker.maintain");
    m->maintain = 60;
    if (mp != NULL) {
        int v;
        apr_status_t rv = ajplb_parse_int(mp->value, 1, 86400, &v);
        m->maintain_loc.file = mp->file;
        m->maintain_loc.line = mp->line;
        if (rv != APR_SUCCESS) {
            ajplb__err(&b, mp, apr_psprintf(p, "worker.maintain=%s is %s: "
                       "write a whole number of seconds from 1 to 86400 "
                       "(default 60)", mp->value, rv == APR_ERANGE
                       ? "out of range" : "not a whole number"));
        }
        else {
            m->maintain = v;
        }
    }
    implicit_sc = &scratch[nworkers];
    ajplb__build_list(&b, &implicit_sc);
    ajplb_config_validate(m, diags);
    *model = m;
    return (diags->errors > errors_before || pr->errors > 0)
           ? AJPLB_ECONFIG : APR_SUCCESS;
}

ajplb_worker_t *ajplb_model_find(const ajplb_model_t *model,
                                 const char *name)
{
    return apr_hash_get(model->by_name, name, APR_HASH_KEY_STRING);
}

ajplb_worker_t *ajplb_lb_member(const ajplb_worker_t *lb, int i)
{
    if (lb->type != AJPLB_WORKER_LB || i < 0 || i >= lb->members->nelts) {
        return NULL;
    }
    return APR_ARRAY_IDX(lb->members, i, ajplb_lb_member_t).worker;
}

const ajplb_prop_t *ajplb_model_prop(const ajplb_model_t *model,
                                     const ajplb_worker_t *w,
                                     const char *attr)
{
    return ajplb_props_worker_get(model->props, w->name, attr);
}
