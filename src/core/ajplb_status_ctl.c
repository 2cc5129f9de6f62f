/*
 * ajplb_status_ctl.c -- status worker core, part 2: the snapshot of model
 * and shared state that every format renders, and the runtime changes
 * (update, reset, recover) written through the shm setters.
 * Core layer: APR only; the caller holds the global mutex for changes.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>

#include "ajplb_lb.h"
#include "ajplb_status.h"

/* ---------------------------------------------------------- snapshot */

static void ajplb__ajp_view(ajplb_status_ajp_t *a, const ajplb_worker_t *w,
                            ajplb_shm_t *shm, ajplb_status_conns_fn *conns,
                            void *ctx)
{
    ajplb_shm_ajp_t *slot = shm ? ajplb_shm_find_ajp(shm, w->name) : NULL;

    a->w = w;
    if (slot != NULL) {
        memcpy(&a->s, slot, sizeof(a->s));
    }
    else {
        memset(&a->s, 0, sizeof(a->s));
        a->s.port = (apr_uint32_t)w->port;
        apr_cpystrn(a->s.host, w->host ? w->host : "", sizeof(a->s.host));
    }
    a->conns = a->max_conns = -1;
    if (conns != NULL) {
        conns(ctx, w->name, &a->conns, &a->max_conns);
    }
}

static apr_status_t ajplb__lb_view(apr_pool_t *p, ajplb_status_view_t *v,
                                   const ajplb_worker_t *w, ajplb_shm_t *shm,
                                   const char *only,
                                   ajplb_status_conns_fn *conns, void *ctx)
{
    ajplb_status_lb_t *l = apr_pcalloc(p, sizeof(*l));
    ajplb_shm_lb_t *slot = shm ? ajplb_shm_find_lb(shm, w->name) : NULL;
    const ajplb_worker_t *sw = v->status;
    apr_time_t next;
    int i, n = w->members ? w->members->nelts : 0;

    l->w = w;
    if (slot != NULL) {
        memcpy(&l->s, slot, sizeof(l->s));
        ajplb_shm_lb_config_get(slot, &l->cfg);
    }
    else {
        l->cfg.sticky_session = (apr_uint32_t)w->sticky_session;
        l->cfg.sticky_session_force = (apr_uint32_t)w->sticky_session_force;
        l->cfg.method = w->method;
        l->cfg.lock = w->lock;
        l->cfg.retries = (apr_uint32_t)w->retries;
        l->cfg.lb_retries = (apr_uint32_t)w->lb_retries;
        l->cfg.retry_interval = (apr_uint32_t)w->retry_interval;
        l->cfg.recover_time = (apr_uint32_t)w->recover_time;
        l->cfg.error_escalation_time = (apr_uint32_t)w->error_escalation_time;
        l->cfg.max_reply_timeouts = (apr_uint32_t)w->max_reply_timeouts;
    }
    l->busy = l->s.busy;
    l->max_busy = l->s.max_busy;
    next = (apr_time_t)l->s.last_maintain_time
           + apr_time_from_sec(v->model->maintain);
    l->maintain_in = next > v->now ? (int)apr_time_sec(next - v->now) : 0;
    l->members = apr_pcalloc(p, sizeof(*l->members) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        const ajplb_worker_t *mw = ajplb_lb_member(w, i);
        ajplb_status_member_t *m = &l->members[l->n];
        ajplb_shm_member_t *ms = shm ? ajplb_shm_find_member(shm, w->name,
                                                             mw->name)
                                     : NULL;
        if (only != NULL && strcmp(only, mw->name) != 0) {
            continue;
        }
        m->w = mw;
        if (ms != NULL) {
            memcpy(&m->s, ms, sizeof(m->s));
            ajplb_shm_member_config_get(ms, &m->cfg);
        }
        else {
            m->cfg.activation = mw->activation;
            m->cfg.lbfactor = (apr_uint32_t)mw->lbfactor;
            m->cfg.distance = (apr_uint32_t)mw->distance;
            apr_cpystrn(m->cfg.route, mw->route ? mw->route : "",
                        sizeof(m->cfg.route));
            apr_cpystrn(m->cfg.domain, mw->domain ? mw->domain : "",
                        sizeof(m->cfg.domain));
            apr_cpystrn(m->cfg.redirect, mw->redirect ? mw->redirect : "",
                        sizeof(m->cfg.redirect));
            m->s.state = AJPLB_STATE_IDLE;
        }
        ajplb__ajp_view(&m->ajp, mw, shm, conns, ctx);
        m->rating = ajplb_status_rate(sw ? sw->good : NULL,
                                      sw ? sw->bad : NULL,
                                      (int)m->cfg.activation,
                                      (int)m->s.state);
        if (m->rating > 0) {
            l->good++;
        }
        else if (m->rating < 0) {
            l->bad++;
        }
        else {
            l->degraded++;
        }
        l->n++;
    }
    if (only != NULL && l->n == 0) {
        return APR_NOTFOUND;
    }
    APR_ARRAY_PUSH(v->lbs, ajplb_status_lb_t *) = l;
    return APR_SUCCESS;
}

apr_status_t ajplb_status_view_make(apr_pool_t *p, ajplb_status_view_t *v,
                                    ajplb_shm_t *shm,
                                    ajplb_status_conns_fn *conns,
                                    void *ctx)
{
    const ajplb_status_req_t *req = v->req;
    int i;

    v->lbs = apr_array_make(p, 4, sizeof(ajplb_status_lb_t *));
    v->ajps = apr_array_make(p, 4, sizeof(ajplb_status_ajp_t *));
    if (v->model == NULL) {
        return req && req->w ? APR_NOTFOUND : APR_SUCCESS;
    }
    if (req != NULL && req->w != NULL) {
        const ajplb_worker_t *w = ajplb_model_find(v->model, req->w);
        if (w == NULL) {
            return APR_NOTFOUND;
        }
        if (w->type == AJPLB_WORKER_LB) {
            return ajplb__lb_view(p, v, w, shm, req->sw, conns, ctx);
        }
        if (w->type != AJPLB_WORKER_AJP13 || req->sw != NULL) {
            return APR_NOTFOUND;
        }
        {
            ajplb_status_ajp_t *a = apr_pcalloc(p, sizeof(*a));
            ajplb__ajp_view(a, w, shm, conns, ctx);
            APR_ARRAY_PUSH(v->ajps, ajplb_status_ajp_t *) = a;
        }
        return APR_SUCCESS;
    }
    for (i = 0; i < v->model->list->nelts; i++) {
        const ajplb_worker_t *w =
            APR_ARRAY_IDX(v->model->list, i, ajplb_worker_t *);
        if (w->type == AJPLB_WORKER_LB) {
            ajplb__lb_view(p, v, w, shm, NULL, conns, ctx);
        }
        else if (w->type == AJPLB_WORKER_AJP13) {
            ajplb_status_ajp_t *a = apr_pcalloc(p, sizeof(*a));
            ajplb__ajp_view(a, w, shm, conns, ctx);
            APR_ARRAY_PUSH(v->ajps, ajplb_status_ajp_t *) = a;
        }
    }
    return APR_SUCCESS;
}

/* ----------------------------------------------------------- changes */

/* The update parameters that exist in mod_jk but cannot change here: the
 * ajp13 connection settings live in each child's pool, not in shm. */
static const char *const ajplb__fixed[] = {
    "vahst", "vaprt", "vacpt", "vact", "vapt", "vart", "var", "varo",
    "vamps", "vapng", "vari", "vacpi", NULL
};

/* Same characters as the config reader allows (ajplb_config.c). */
static int ajplb__route_ok(const char *s, int allow_dot)
{
    if (strlen(s) > AJPLB_NAME_MAX) {
        return 0;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '.' ? !allow_dot
            : (c <= 0x20 || c >= 0x7f || c == ',' || c == ';' || c == '='
               || c == '"' || c == '\\')) {
            return 0;
        }
    }
    return 1;
}

static void ajplb__change(apr_pool_t *p, apr_array_header_t *changes,
                          const char *who, const char *what,
                          const char *o, const char *n)
{
    ajplb_status_change_t *c;

    if (strcmp(o, n) == 0 || changes == NULL) {
        return;
    }
    c = apr_array_push(changes);
    c->worker = who;
    c->what = what;
    c->old_value = apr_pstrdup(p, o);
    c->new_value = apr_pstrdup(p, n);
}

static const char *ajplb__act_name(apr_uint32_t a)
{
    return a == AJPLB_ACTIVATION_DISABLED ? "DIS"
           : a == AJPLB_ACTIVATION_STOPPED ? "STP" : "ACT";
}

#define AJPLB__U(x) apr_psprintf(p, "%u", (unsigned int)(x))

/* Apply one member argument @a key=@a val to @a c (validation only). */
static apr_status_t ajplb__member_arg(apr_pool_t *p, const char *key,
                                      const char *val,
                                      ajplb_shm_member_config_t *c,
                                      const char **err)
{
    int n;

    if (strcmp(key, "vwa") == 0) {
        ajplb_activation_e a;
        if (ajplb_parse_activation(val, &a) != APR_SUCCESS) {
            *err = "activation must be A, D or S";
            return APR_EINVAL;
        }
        c->activation = a;
    }
    else if (strcmp(key, "vwf") == 0) {
        if (ajplb_parse_int(val, 1, 100000, &n) != APR_SUCCESS) {
            *err = "lbfactor must be a number from 1 to 100000";
            return APR_EINVAL;
        }
        c->lbfactor = (apr_uint32_t)n;
    }
    else if (strcmp(key, "vwd") == 0) {
        if (ajplb_parse_int(val, 0, 1000000, &n) != APR_SUCCESS) {
            *err = "distance must be a number from 0 to 1000000";
            return APR_EINVAL;
        }
        c->distance = (apr_uint32_t)n;
    }
    else if (strcmp(key, "vabl") == 0) {
        if (ajplb_parse_int(val, 0, 1000000, &n) != APR_SUCCESS) {
            *err = "busy_limit must be a number from 0 to 1000000";
            return APR_EINVAL;
        }
        c->busy_limit = (apr_uint32_t)n;
    }
    else if (strcmp(key, "vwn") == 0 || strcmp(key, "vwr") == 0
             || strcmp(key, "vwc") == 0) {
        char *dst = key[2] == 'n' ? c->route
                    : key[2] == 'r' ? c->redirect : c->domain;
        if (!ajplb__route_ok(val, key[2] != 'c')
            || (key[2] == 'n' && *val == '\0')) {
            *err = apr_psprintf(p, "%s must be at most %d characters "
                                "without spaces , ; = \" \\%s", key[2] == 'n'
                                ? "route (not empty)" : key[2] == 'r'
                                ? "redirect" : "domain", AJPLB_NAME_MAX,
                                key[2] == 'c' ? " ." : "");
            return APR_EINVAL;
        }
        apr_cpystrn(dst, val, AJPLB_SHM_STR);
    }
    else {
        return APR_ENOTIMPL;    /* not a member argument */
    }
    return APR_SUCCESS;
}

static void ajplb__member_log(apr_pool_t *p, apr_array_header_t *changes,
                              const char *who,
                              const ajplb_shm_member_config_t *o,
                              const ajplb_shm_member_config_t *n)
{
    ajplb__change(p, changes, who, "activation", ajplb__act_name(o->activation),
                  ajplb__act_name(n->activation));
    ajplb__change(p, changes, who, "lbfactor", AJPLB__U(o->lbfactor),
                  AJPLB__U(n->lbfactor));
    ajplb__change(p, changes, who, "route", o->route, n->route);
    ajplb__change(p, changes, who, "redirect", o->redirect, n->redirect);
    ajplb__change(p, changes, who, "domain", o->domain, n->domain);
    ajplb__change(p, changes, who, "distance", AJPLB__U(o->distance),
                  AJPLB__U(n->distance));
    ajplb__change(p, changes, who, "busy_limit", AJPLB__U(o->busy_limit),
                  AJPLB__U(n->busy_limit));
}

/* A route may not be taken by another member of the same lb. */
static int ajplb__route_taken(const ajplb_shm_t *shm, const ajplb_shm_lb_t *l,
                              const ajplb_shm_member_t *self,
                              const char *route)
{
    int i;

    for (i = 0; i < (int)l->member_count; i++) {
        const ajplb_shm_member_t *o = ajplb_shm_lb_member(shm, l, i);
        if (o != NULL && o != self && ajplb_shm_member_route_is(o, route)) {
            return 1;
        }
    }
    return 0;
}

static apr_status_t ajplb__lb_args(apr_pool_t *p, const ajplb_status_req_t *r,
                                   ajplb_shm_lb_config_t *c, const char **err)
{
    static const struct {
        const char *key, *name;
        int off, min, max;
    } ints[] = {
        {"vlr", "retries", APR_OFFSETOF(ajplb_shm_lb_config_t, retries),
         1, 100},
        {"vlri", "retry_interval",
         APR_OFFSETOF(ajplb_shm_lb_config_t, retry_interval), 0, 600000},
        {"vlt", "recover_time",
         APR_OFFSETOF(ajplb_shm_lb_config_t, recover_time), 0, 86400},
        {"vlee", "error_escalation_time",
         APR_OFFSETOF(ajplb_shm_lb_config_t, error_escalation_time),
         0, 86400},
        {"vlx", "max_reply_timeouts",
         APR_OFFSETOF(ajplb_shm_lb_config_t, max_reply_timeouts), 0, 100000},
    };
    const char *v;
    int i, n;

    for (i = 0; i < (int)(sizeof(ints) / sizeof(ints[0])); i++) {
        if ((v = apr_table_get(r->args, ints[i].key)) == NULL) {
            continue;
        }
        if (ajplb_parse_int(v, ints[i].min, ints[i].max, &n)
            != APR_SUCCESS) {
            *err = apr_psprintf(p, "%s must be a number from %d to %d",
                                ints[i].name, ints[i].min, ints[i].max);
            return APR_EINVAL;
        }
        *(apr_uint32_t *)((char *)c + ints[i].off) = (apr_uint32_t)n;
    }
    if ((v = apr_table_get(r->args, "vls")) != NULL) {
        if (ajplb_parse_bool(v, &n) != APR_SUCCESS) {
            *err = "sticky_session must be true or false";
            return APR_EINVAL;
        }
        c->sticky_session = (apr_uint32_t)n;
    }
    if ((v = apr_table_get(r->args, "vlf")) != NULL) {
        if (ajplb_parse_bool(v, &n) != APR_SUCCESS) {
            *err = "sticky_session_force must be true or false";
            return APR_EINVAL;
        }
        c->sticky_session_force = (apr_uint32_t)n;
    }
    if ((v = apr_table_get(r->args, "vlm")) != NULL) {
        ajplb_lb_method_e m;
        if (ajplb_parse_method(v, &m) != APR_SUCCESS) {
            *err = "method must be R, T, B, S or N";
            return APR_EINVAL;
        }
        c->method = m;
    }
    if ((v = apr_table_get(r->args, "vll")) != NULL) {
        ajplb_lb_lock_e l;
        if (ajplb_parse_lock(v, &l) != APR_SUCCESS) {
            *err = "lock must be O or P";
            return APR_EINVAL;
        }
        c->lock = l;
    }
    return APR_SUCCESS;
}

static const char *ajplb__bool(apr_uint32_t b)
{
    return b ? "true" : "false";
}

static void ajplb__lb_log(apr_pool_t *p, apr_array_header_t *changes,
                          const char *who, const ajplb_shm_lb_config_t *o,
                          const ajplb_shm_lb_config_t *n)
{
    ajplb__change(p, changes, who, "retries", AJPLB__U(o->retries),
                  AJPLB__U(n->retries));
    ajplb__change(p, changes, who, "retry_interval",
                  AJPLB__U(o->retry_interval), AJPLB__U(n->retry_interval));
    ajplb__change(p, changes, who, "recover_time", AJPLB__U(o->recover_time),
                  AJPLB__U(n->recover_time));
    ajplb__change(p, changes, who, "error_escalation_time",
                  AJPLB__U(o->error_escalation_time),
                  AJPLB__U(n->error_escalation_time));
    ajplb__change(p, changes, who, "max_reply_timeouts",
                  AJPLB__U(o->max_reply_timeouts),
                  AJPLB__U(n->max_reply_timeouts));
    ajplb__change(p, changes, who, "sticky_session",
                  ajplb__bool(o->sticky_session),
                  ajplb__bool(n->sticky_session));
    ajplb__change(p, changes, who, "sticky_session_force",
                  ajplb__bool(o->sticky_session_force),
                  ajplb__bool(n->sticky_session_force));
    ajplb__change(p, changes, who, "method",
                  ajplb_lb_method_get(o->method)->name,
                  ajplb_lb_method_get(n->method)->name);
    ajplb__change(p, changes, who, "lock",
                  o->lock ? "Pessimistic" : "Optimistic",
                  n->lock ? "Pessimistic" : "Optimistic");
}

static int ajplb__fixed_arg(const ajplb_status_req_t *r, const char **which)
{
    int i;

    for (i = 0; ajplb__fixed[i] != NULL; i++) {
        if (apr_table_get(r->args, ajplb__fixed[i]) != NULL
            || (r->att != NULL && strcmp(r->att, ajplb__fixed[i]) == 0)) {
            *which = ajplb__fixed[i];
            return 1;
        }
    }
    return 0;
}

/* Set member @a mi's new config into @a cfgs, checking routes. */
static apr_status_t ajplb__member_update(apr_pool_t *p, ajplb_shm_t *shm,
                                         ajplb_shm_lb_t *l,
                                         ajplb_shm_member_t *m,
                                         const ajplb_status_req_t *r,
                                         const char *att_val,
                                         ajplb_shm_member_config_t *nc,
                                         const char **err)
{
    static const char *const keys[] = {
        "vwa", "vwf", "vwn", "vwr", "vwc", "vwd", "vabl", NULL
    };
    apr_status_t rv;
    int i;

    ajplb_shm_member_config_get(m, nc);
    for (i = 0; keys[i] != NULL; i++) {
        const char *v = att_val != NULL
                        ? (strcmp(r->att, keys[i]) == 0 ? att_val : NULL)
                        : apr_table_get(r->args, keys[i]);
        if (v == NULL) {
            continue;
        }
        rv = ajplb__member_arg(p, keys[i], v, nc, err);
        if (rv != APR_SUCCESS) {
            *err = apr_psprintf(p, "member %s: %s", m->id.name, *err);
            return rv;
        }
    }
    if (ajplb__route_taken(shm, l, m, nc->route)) {
        *err = apr_psprintf(p, "member %s: route '%s' is already used by "
                            "another member of %s", m->id.name, nc->route,
                            l->id.name);
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

apr_status_t ajplb_status_update(apr_pool_t *p, ajplb_shm_t *shm,
                                 const ajplb_model_t *model,
                                 const ajplb_status_req_t *r,
                                 apr_array_header_t *changes,
                                 const char **err)
{
    const ajplb_worker_t *w = r->w ? ajplb_model_find(model, r->w) : NULL;
    ajplb_shm_lb_t *l;
    const char *which;
    int i;

    *err = NULL;
    if (w == NULL || shm == NULL) {
        *err = "no such worker";
        return APR_NOTFOUND;
    }
    if (ajplb__fixed_arg(r, &which)) {
        *err = apr_psprintf(p, "%s (host, port and connection timeouts) "
                            "cannot be changed at run time: change "
                            "workers.properties and restart httpd "
                            "gracefully", which);
        return APR_EINVAL;
    }
    if (w->type != AJPLB_WORKER_LB
        || (l = ajplb_shm_find_lb(shm, w->name)) == NULL) {
        *err = "only lb workers and their members can be changed";
        return APR_EINVAL;
    }
    if (r->att != NULL) {
        /* One attribute for every member: val0..valN in member order. */
        ajplb_shm_member_config_t *nc =
            apr_pcalloc(p, sizeof(*nc) * (l->member_count + 1));
        for (i = 0; i < (int)l->member_count; i++) {
            ajplb_shm_member_t *m = ajplb_shm_lb_member(shm, l, i);
            const char *v = apr_table_get(r->args,
                                          apr_psprintf(p, "val%d", i));
            apr_status_t rv;
            if (v == NULL) {
                ajplb_shm_member_config_get(m, &nc[i]);
                continue;
            }
            rv = ajplb__member_update(p, shm, l, m, r, v, &nc[i], err);
            if (rv != APR_SUCCESS) {
                return rv;
            }
        }
        for (i = 0; i < (int)l->member_count; i++) {
            ajplb_shm_member_t *m = ajplb_shm_lb_member(shm, l, i);
            ajplb_shm_member_config_t old;
            ajplb_shm_member_config_get(m, &old);
            if (ajplb_shm_member_config_set(shm, l, m, &nc[i])
                == APR_SUCCESS) {
                ajplb__member_log(p, changes, apr_pstrcat(p, l->id.name, "/",
                                  m->id.name, NULL), &old, &nc[i]);
            }
        }
        return APR_SUCCESS;
    }
    if (r->sw != NULL) {
        ajplb_shm_member_t *m = ajplb_shm_find_member(shm, w->name, r->sw);
        ajplb_shm_member_config_t old, nc;
        apr_status_t rv;
        if (m == NULL) {
            *err = "no such member";
            return APR_NOTFOUND;
        }
        rv = ajplb__member_update(p, shm, l, m, r, NULL, &nc, err);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        ajplb_shm_member_config_get(m, &old);
        if (ajplb_shm_member_config_set(shm, l, m, &nc) != APR_SUCCESS) {
            *err = "the shared memory refused the new member settings";
            return APR_EINVAL;
        }
        ajplb__member_log(p, changes, apr_pstrcat(p, l->id.name, "/",
                          m->id.name, NULL), &old, &nc);
        return APR_SUCCESS;
    }
    {
        ajplb_shm_lb_config_t old, nc;
        apr_status_t rv;
        ajplb_shm_lb_config_get(l, &old);
        nc = old;
        rv = ajplb__lb_args(p, r, &nc, err);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (ajplb_shm_lb_config_set(shm, l, &nc) != APR_SUCCESS) {
            *err = "the shared memory refused the new lb settings";
            return APR_EINVAL;
        }
        ajplb__lb_log(p, changes, l->id.name, &old, &nc);
    }
    return APR_SUCCESS;
}

static void ajplb__reset_member(ajplb_shm_member_t *m, apr_time_t now,
                                int value)
{
    apr_atomic_set32(&m->errors, 0);
    apr_atomic_set32(&m->client_errors, 0);
    apr_atomic_set32(&m->reply_timeouts, 0);
    apr_atomic_set32(&m->max_busy, apr_atomic_read32(&m->busy));
    apr_atomic_set64(&m->elected, 0);
    apr_atomic_set64(&m->elected_snapshot, 0);
    apr_atomic_set64(&m->sessions, 0);
    apr_atomic_set64(&m->bytes_read, 0);
    apr_atomic_set64(&m->bytes_written, 0);
    if (value) {
        apr_atomic_set64(&m->lb_value, 0);
    }
    apr_atomic_set64(&m->last_reset, (apr_uint64_t)now);
}

static void ajplb__reset_ajp(ajplb_shm_ajp_t *a, apr_time_t now)
{
    apr_atomic_set32(&a->errors, 0);
    apr_atomic_set32(&a->client_errors, 0);
    apr_atomic_set32(&a->max_busy, apr_atomic_read32(&a->busy));
    apr_atomic_set64(&a->requests, 0);
    apr_atomic_set64(&a->bytes_read, 0);
    apr_atomic_set64(&a->bytes_written, 0);
    apr_atomic_set64(&a->last_reset, (apr_uint64_t)now);
}

apr_status_t ajplb_status_reset(apr_pool_t *p, ajplb_shm_t *shm,
                                const ajplb_model_t *model,
                                const ajplb_status_req_t *r,
                                apr_time_t now, const char **err)
{
    const ajplb_worker_t *w = r->w ? ajplb_model_find(model, r->w) : NULL;
    ajplb_shm_lb_t *l;
    int i;

    *err = "no such worker";
    if (w == NULL || shm == NULL) {
        return APR_NOTFOUND;
    }
    *err = NULL;
    if (w->type == AJPLB_WORKER_AJP13 && r->sw == NULL) {
        ajplb_shm_ajp_t *a = ajplb_shm_find_ajp(shm, w->name);
        if (a == NULL) {
            *err = "no such worker";
            return APR_NOTFOUND;
        }
        ajplb__reset_ajp(a, now);
        return APR_SUCCESS;
    }
    if (w->type != AJPLB_WORKER_LB
        || (l = ajplb_shm_find_lb(shm, w->name)) == NULL) {
        *err = "only lb and ajp13 workers have statistics";
        return APR_EINVAL;
    }
    if (r->sw != NULL) {
        ajplb_shm_member_t *m = ajplb_shm_find_member(shm, w->name, r->sw);
        if (m == NULL) {
            *err = "no such member";
            return APR_NOTFOUND;
        }
        ajplb__reset_member(m, now, 0);
        return APR_SUCCESS;
    }
    /* The whole lb: values restart together, so the balance stays fair. */
    for (i = 0; i < (int)l->member_count; i++) {
        ajplb__reset_member(ajplb_shm_lb_member(shm, l, i), now, 1);
    }
    apr_atomic_set32(&l->max_busy, apr_atomic_read32(&l->busy));
    apr_atomic_set64(&l->last_reset, (apr_uint64_t)now);
    (void)p;
    return APR_SUCCESS;
}

apr_status_t ajplb_status_recover(apr_pool_t *p, ajplb_shm_t *shm,
                                  const ajplb_model_t *model,
                                  const ajplb_status_req_t *r,
                                  const char **err)
{
    ajplb_shm_lb_t *l = (shm && r->w) ? ajplb_shm_find_lb(shm, r->w) : NULL;
    ajplb_shm_member_t *m;
    apr_uint64_t max = 0;
    int i;

    (void)p;
    (void)model;
    if (l == NULL || r->sw == NULL
        || (m = ajplb_shm_find_member(shm, r->w, r->sw)) == NULL) {
        *err = "recover needs an lb (w) and one of its members (sw)";
        return APR_NOTFOUND;
    }
    for (i = 0; i < (int)l->member_count; i++) {
        ajplb_shm_member_t *o = ajplb_shm_lb_member(shm, l, i);
        apr_uint64_t v = apr_atomic_read64(&o->lb_value);
        max = v > max ? v : max;
    }
    if (apr_atomic_cas32(&m->state, AJPLB_STATE_RECOVER, AJPLB_STATE_ERROR)
        != AJPLB_STATE_ERROR) {
        *err = "the member is not in error";
        return APR_EINVAL;
    }
    apr_atomic_set64(&m->lb_value, max);
    *err = NULL;
    return APR_SUCCESS;
}
