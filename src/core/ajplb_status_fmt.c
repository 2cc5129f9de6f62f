/*
 * ajplb_status_fmt.c -- status worker core, part 3: the machine formats
 * (XML, text, Java properties with mod_jk's keys, JSON, Prometheus), the
 * configuration dump (its mounts: ajplb_status_mounts.c) and error
 * documents.  Every value is escaped for its format.  Core layer: APR
 * only.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_lb.h"
#include "ajplb_status.h"

/* One attribute of a worker, rendered by every format the same way. */
typedef struct {
    const char *key;
    const char *val;
    char kind;                  /* 's' string, 'n' number, 'b' "1"/"0" */
} ajplb__kv_t;

#define AJPLB__KV_MAX 64

typedef struct {
    apr_pool_t *p;
    ajplb__kv_t kv[AJPLB__KV_MAX];
    int n;
} ajplb__kvs_t;

static void kv_s(ajplb__kvs_t *k, const char *key, const char *val)
{
    if (k->n < AJPLB__KV_MAX) {
        k->kv[k->n].key = key;
        k->kv[k->n].val = val ? val : "";
        k->kv[k->n++].kind = 's';
    }
}

static void kv_n(ajplb__kvs_t *k, const char *key, apr_uint64_t v)
{
    if (k->n < AJPLB__KV_MAX) {
        k->kv[k->n].key = key;
        k->kv[k->n].val = apr_psprintf(k->p, "%" APR_UINT64_T_FMT, v);
        k->kv[k->n++].kind = 'n';
    }
}

static void kv_i(ajplb__kvs_t *k, const char *key, long v)
{
    if (k->n < AJPLB__KV_MAX) {
        k->kv[k->n].key = key;
        k->kv[k->n].val = apr_psprintf(k->p, "%ld", v);
        k->kv[k->n++].kind = 'n';
    }
}

static void kv_b(ajplb__kvs_t *k, const char *key, int v)
{
    if (k->n < AJPLB__KV_MAX) {
        k->kv[k->n].key = key;
        k->kv[k->n].val = v ? "1" : "0";
        k->kv[k->n++].kind = 'b';
    }
}

static const char *ajplb__act(apr_uint32_t a)
{
    return a == AJPLB_ACTIVATION_DISABLED ? "DIS"
           : a == AJPLB_ACTIVATION_STOPPED ? "STP" : "ACT";
}

static long ajplb__ago(const ajplb_status_view_t *v, apr_uint64_t t)
{
    return t ? (long)apr_time_sec(v->now - (apr_time_t)t) : 0;
}

static void ajplb__ajp_conf(ajplb__kvs_t *k, const ajplb_status_ajp_t *a)
{
    const ajplb_worker_t *w = a->w;

    kv_s(k, "type", "ajp13");
    kv_s(k, "host", a->s.host);
    kv_i(k, "port", (long)a->s.port);
    kv_i(k, "connection_pool_timeout", w->connection_pool_timeout);
    kv_i(k, "ping_timeout", w->ping_timeout);
    kv_i(k, "connect_timeout", w->connect_timeout);
    kv_i(k, "prepost_timeout", w->prepost_timeout);
    kv_i(k, "reply_timeout", w->reply_timeout);
    kv_i(k, "retries", w->retries);
    kv_i(k, "connection_ping_interval", w->connection_ping_interval);
    kv_i(k, "recovery_options", w->recovery_options);
    kv_i(k, "max_packet_size", w->max_packet_size);
}

/* Traffic management (docs/STATUS.md): whether the member is in
 * rotation, why not and until when, its health check, its ejections and
 * its effective weight while slow start ramps it up. */
static void ajplb__traffic_kvs(ajplb__kvs_t *k, const ajplb_status_view_t *v,
                               const ajplb_status_lb_t *l,
                               const ajplb_status_member_t *m)
{
    ajplb_traffic_t t;
    apr_uint32_t hold = m->s.hold;
    long back = -1;
    int w;

    ajplb_traffic_resolve(m->w, l->w, &t);
    w = ajplb_traffic_weight(t.slow_start, m->s.slow_start_since, v->now);
    if (hold & AJPLB_HOLD_OUTLIER) {
        back = (long)apr_time_sec((apr_time_t)m->s.eject_until - v->now);
        back = back < 0 ? 0 : back;
    }
    kv_b(k, "in_rotation", hold == 0);
    kv_s(k, "hold", ajplb_lb_hold_name(hold));
    kv_s(k, "hold_reason", (hold & AJPLB_HOLD_HEALTH) ? apr_psprintf(k->p, "health check "
         "failed %d times in a row; back after %d passing checks",
         t.health_check_fall, t.health_check_rise)
         : (hold & AJPLB_HOLD_OUTLIER) ? apr_psprintf(k->p, "ejected as an outlier (%u in "
         "a row); back when the ejection time is over", m->s.ejections)
         : "");
    kv_i(k, "hold_returns_in", back);
    kv_n(k, "ejections", m->s.ejections);
    kv_s(k, "health_check", t.health_check ? t.health_check : "");
    kv_s(k, "health", t.health_check == NULL ? "off"
                      : (hold & AJPLB_HOLD_HEALTH) ? "down" : "up");
    kv_n(k, "health_checks", m->s.hc_checks);
    kv_n(k, "health_last_status", m->s.hc_status);
    kv_i(k, "slow_start", t.slow_start);
    kv_i(k, "weight_permille", w);
    if (k->n < AJPLB__KV_MAX) {
        k->kv[k->n].key = "effective_lbfactor";
        k->kv[k->n].val = apr_psprintf(k->p, "%.3f",
                                       (double)m->cfg.lbfactor * w / 1000.0);
        k->kv[k->n++].kind = 'n';
    }
}

static void ajplb__member_kvs(ajplb__kvs_t *k, const ajplb_status_view_t *v,
                              const ajplb_status_lb_t *l,
                              const ajplb_status_member_t *m)
{
    long rs_min = 0, rs_max = 0;

    if (m->s.state == AJPLB_STATE_ERROR && m->s.error_time) {
        rs_min = (long)l->cfg.recover_time
                 - ajplb__ago(v, m->s.error_time);
        rs_max = rs_min + v->model->maintain;
        rs_min = rs_min < 0 ? 0 : rs_min;
        rs_max = rs_max < 0 ? 0 : rs_max;
    }
    ajplb__ajp_conf(k, &m->ajp);
    kv_s(k, "activation", ajplb__act(m->cfg.activation));
    kv_i(k, "lbfactor", (long)m->cfg.lbfactor);
    kv_s(k, "route", m->cfg.route);
    kv_s(k, "redirect", m->cfg.redirect);
    kv_s(k, "domain", m->cfg.domain);
    kv_i(k, "distance", (long)m->cfg.distance);
    kv_i(k, "busy_limit", (long)m->cfg.busy_limit);
    kv_s(k, "state", ajplb_state_name((int)m->s.state));
    kv_s(k, "rating", m->rating > 0 ? "good" : m->rating < 0 ? "bad"
                                                   : "degraded");
    kv_n(k, "lbmult", m->s.lb_mult);
    kv_n(k, "lbvalue", m->s.lb_value);
    kv_n(k, "elected", m->s.elected);
    kv_n(k, "sessions", m->s.sessions);
    kv_n(k, "errors", m->s.errors);
    kv_n(k, "client_errors", m->s.client_errors);
    kv_n(k, "reply_timeouts", m->s.reply_timeouts);
    kv_n(k, "transferred", m->s.bytes_read);
    kv_n(k, "read", m->s.bytes_written);
    kv_n(k, "busy", m->s.busy);
    kv_n(k, "max_busy", m->s.max_busy);
    kv_i(k, "connected", m->ajp.conns);
    kv_i(k, "max_connected", m->ajp.max_conns);
    kv_i(k, "time_to_recover_min", rs_min);
    kv_i(k, "time_to_recover_max", rs_max);
    kv_i(k, "last_reset_at", (long)apr_time_sec(m->s.last_reset));
    kv_i(k, "last_reset_ago", ajplb__ago(v, m->s.last_reset));
    ajplb__traffic_kvs(k, v, l, m);
    if (m->s.last_error_time) {
        kv_i(k, "error_time_unix_seconds",
             (long)apr_time_sec(m->s.last_error_time));
        kv_i(k, "error_time_ago", ajplb__ago(v, m->s.last_error_time));
    }
}

static void ajplb__lb_kvs(ajplb__kvs_t *k, const ajplb_status_view_t *v,
                          const ajplb_status_lb_t *l)
{
    kv_s(k, "type", "lb");
    kv_b(k, "sticky_session", (int)l->cfg.sticky_session);
    kv_b(k, "sticky_session_force", (int)l->cfg.sticky_session_force);
    kv_i(k, "retries", (long)l->cfg.retries);
    kv_i(k, "lb_retries", (long)l->cfg.lb_retries);
    kv_i(k, "retry_interval", (long)l->cfg.retry_interval);
    kv_i(k, "recover_time", (long)l->cfg.recover_time);
    kv_i(k, "error_escalation_time", (long)l->cfg.error_escalation_time);
    kv_i(k, "max_reply_timeouts", (long)l->cfg.max_reply_timeouts);
    kv_s(k, "method", ajplb_lb_method_get(l->cfg.method)->name);
    kv_s(k, "lock", l->cfg.lock ? "Pessimistic" : "Optimistic");
    kv_i(k, "member_count", l->n);
    kv_i(k, "good", l->good);
    kv_i(k, "degraded", l->degraded);
    kv_i(k, "bad", l->bad);
    kv_n(k, "busy", l->busy);
    kv_n(k, "max_busy", l->max_busy);
    kv_i(k, "time_to_maintenance_min", l->maintain_in);
    kv_i(k, "time_to_maintenance_max", l->maintain_in + v->model->maintain);
    kv_i(k, "last_reset_at", (long)apr_time_sec(l->s.last_reset));
    kv_i(k, "last_reset_ago", ajplb__ago(v, l->s.last_reset));
}

static void ajplb__ajp_kvs(ajplb__kvs_t *k, const ajplb_status_view_t *v,
                           const ajplb_status_ajp_t *a)
{
    ajplb__ajp_conf(k, a);
    kv_n(k, "used", a->s.requests);
    kv_n(k, "errors", a->s.errors);
    kv_n(k, "client_errors", a->s.client_errors);
    kv_n(k, "transferred", a->s.bytes_read);
    kv_n(k, "read", a->s.bytes_written);
    kv_n(k, "busy", a->s.busy);
    kv_n(k, "max_busy", a->s.max_busy);
    kv_i(k, "connected", a->conns);
    kv_i(k, "max_connected", a->max_conns);
    kv_i(k, "last_reset_at", (long)apr_time_sec(a->s.last_reset));
    kv_i(k, "last_reset_ago", ajplb__ago(v, a->s.last_reset));
}

/* ---------------------------------------------------------- per format */

typedef enum { AJPLB__LB, AJPLB__MEMBER, AJPLB__AJP } ajplb__what_e;

static const char *ajplb__ns(const ajplb_status_view_t *v)
{
    const char *ns = v->status ? v->status->ns : "jk:";
    return (ns == NULL || strcmp(ns, "-") == 0) ? "" : ns;
}

static void ajplb__txt_val(ajplb_sbuf_t *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        ajplb_sbuf_put(b, (c < 0x20 || c == 0x7f) ? "?" : s, 1);
    }
}

/* One worker's attributes in @a mime; @a name is the worker's. */
static void ajplb__emit(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                        ajplb__what_e what, const char *name,
                        const ajplb__kvs_t *k, int open_elt)
{
    const char *pfx = v->status && v->status->prefix ? v->status->prefix
                                                     : "worker";
    int i;

    switch (v->req->mime) {
    case AJPLB_STATUS_MIME_XML:
        ajplb_sbuf_printf(b, "  %s<%s%s name=\"", what == AJPLB__MEMBER
                          ? "  " : "", ajplb__ns(v), what == AJPLB__LB
                          ? "balancer" : what == AJPLB__MEMBER ? "member"
                          : "ajp");
        ajplb_sbuf_xml(b, name);
        ajplb_sbuf_puts(b, "\"");
        for (i = 0; i < k->n; i++) {
            ajplb_sbuf_printf(b, "\n      %s=\"", k->kv[i].key);
            ajplb_sbuf_xml(b, k->kv[i].kind == 'b'
                           ? (*k->kv[i].val == '1' ? "True" : "False")
                           : k->kv[i].val);
            ajplb_sbuf_puts(b, "\"");
        }
        ajplb_sbuf_puts(b, open_elt ? ">\n" : "/>\n");
        break;
    case AJPLB_STATUS_MIME_TXT:
        ajplb_sbuf_printf(b, "%s: name=", what == AJPLB__LB
                          ? "Balancer Worker" : what == AJPLB__MEMBER
                          ? "Member" : "AJP Worker");
        ajplb__txt_val(b, name);
        for (i = 0; i < k->n; i++) {
            int q = !strcmp(k->kv[i].key, "route")
                    || !strcmp(k->kv[i].key, "redirect")
                    || !strcmp(k->kv[i].key, "domain");
            ajplb_sbuf_printf(b, " %s=%s", k->kv[i].key, q ? "\"" : "");
            ajplb__txt_val(b, k->kv[i].kind == 'b'
                           ? (*k->kv[i].val == '1' ? "True" : "False")
                           : k->kv[i].val);
            ajplb_sbuf_puts(b, q ? "\"" : "");
        }
        ajplb_sbuf_puts(b, "\n");
        break;
    case AJPLB_STATUS_MIME_PROP:
        for (i = 0; i < k->n; i++) {
            ajplb_sbuf_printf(b, "%s.%s.%s=", pfx, name, k->kv[i].key);
            ajplb_sbuf_prop(b, k->kv[i].kind == 'b'
                            ? (*k->kv[i].val == '1' ? "True" : "False")
                            : k->kv[i].val);
            ajplb_sbuf_puts(b, "\n");
        }
        break;
    case AJPLB_STATUS_MIME_JSON:
        ajplb_sbuf_puts(b, "{\"name\":");
        ajplb_sbuf_json(b, name);
        for (i = 0; i < k->n; i++) {
            ajplb_sbuf_printf(b, ",\"%s\":", k->kv[i].key);
            if (k->kv[i].kind == 'n') {
                ajplb_sbuf_puts(b, k->kv[i].val);
            }
            else if (k->kv[i].kind == 'b') {
                ajplb_sbuf_puts(b, *k->kv[i].val == '1' ? "true" : "false");
            }
            else {
                ajplb_sbuf_json(b, k->kv[i].val);
            }
        }
        if (!open_elt) {
            ajplb_sbuf_puts(b, "}");
        }
        break;
    default:
        break;
    }
}

/* ---------------------------------------------------------- prometheus */

typedef struct {
    const char *name, *help, *type;
    int kv_key_is;              /* unused: the key is looked up by name */
    const char *key;
} ajplb__metric_t;

static const ajplb__metric_t ajplb__member_metrics[] = {
    {"requests_total", "Requests sent to the member (elected)", "counter",
     0, "elected"},
    {"sessions_total", "Requests without a session sent to the member",
     "counter", 0, "sessions"},
    {"errors_total", "Member errors", "counter", 0, "errors"},
    {"client_errors_total", "Client errors on the member", "counter", 0,
     "client_errors"},
    {"reply_timeouts", "Reply timeouts (decayed)", "gauge", 0,
     "reply_timeouts"},
    {"busy", "Requests in flight", "gauge", 0, "busy"},
    {"max_busy", "Most requests in flight at once", "gauge", 0, "max_busy"},
    {"read_bytes_total", "Bytes from clients to the member", "counter", 0,
     "transferred"},
    {"written_bytes_total", "Bytes from the member to clients", "counter", 0,
     "read"},
    {"connections", "Open backend connections of this httpd child",
     "gauge", 0, "connected"},
    {"lb_value", "Balancer value (lower is chosen first)", "gauge", 0,
     "lbvalue"},
    {"lbfactor", "Load factor", "gauge", 0, "lbfactor"},
    {"in_rotation", "1 unless ejected or failing its health check",
     "gauge", 0, "in_rotation"},
    {"hold_returns_in_seconds", "Seconds until an ejected member returns "
     "(-1: not ejected)", "gauge", 0, "hold_returns_in"},
    {"ejections", "Outlier ejections in a row (the time doubles with each)",
     "gauge", 0, "ejections"},
    {"health_checks_total", "Active health checks made", "counter", 0,
     "health_checks"},
    {"health_last_status", "HTTP status of the last health check (0: no "
     "answer)", "gauge", 0, "health_last_status"},
    {"effective_lbfactor", "Load factor now, lower while slow start ramps "
     "the member up", "gauge", 0, "effective_lbfactor"},
    {NULL, NULL, NULL, 0, NULL}
};

static const ajplb__metric_t ajplb__ajp_metrics[] = {
    {"requests_total", "Requests sent to the worker", "counter", 0, "used"},
    {"errors_total", "Worker errors", "counter", 0, "errors"},
    {"client_errors_total", "Client errors", "counter", 0, "client_errors"},
    {"busy", "Requests in flight", "gauge", 0, "busy"},
    {"max_busy", "Most requests in flight at once", "gauge", 0, "max_busy"},
    {"read_bytes_total", "Bytes from clients to the worker", "counter", 0,
     "transferred"},
    {"written_bytes_total", "Bytes from the worker to clients", "counter", 0,
     "read"},
    {"connections", "Open backend connections of this httpd child",
     "gauge", 0, "connected"},
    {NULL, NULL, NULL, 0, NULL}
};

static const char *ajplb__kv_get(const ajplb__kvs_t *k, const char *key)
{
    int i;

    for (i = 0; i < k->n; i++) {
        if (strcmp(k->kv[i].key, key) == 0) {
            return k->kv[i].val;
        }
    }
    return "0";
}

static void ajplb__prom_labels(ajplb_sbuf_t *b, const char *lb,
                               const char *member, const char *extra_k,
                               const char *extra_v)
{
    ajplb_sbuf_puts(b, "{");
    if (lb != NULL) {
        ajplb_sbuf_puts(b, "lb=\"");
        ajplb_sbuf_prom(b, lb);
        ajplb_sbuf_puts(b, "\",member=\"");
    }
    else {
        ajplb_sbuf_puts(b, "worker=\"");
    }
    ajplb_sbuf_prom(b, member);
    ajplb_sbuf_puts(b, "\"");
    if (extra_k != NULL) {
        ajplb_sbuf_printf(b, ",%s=\"", extra_k);
        ajplb_sbuf_prom(b, extra_v);
        ajplb_sbuf_puts(b, "\"");
    }
    ajplb_sbuf_puts(b, "} ");
}

static void ajplb__render_prom(ajplb_sbuf_t *b, const ajplb_status_view_t *v)
{
    apr_pool_t *p = b->p;
    int i, j, s;

    ajplb_sbuf_puts(b, "# HELP ajplb_info mod_ajplb version\n"
                    "# TYPE ajplb_info gauge\najplb_info{version=\"");
    ajplb_sbuf_prom(b, AJPLB_STATUS_VERSION);
    ajplb_sbuf_puts(b, "\"} 1\n");
#define AJPLB__LBS(l) \
    for (i = 0; i < v->lbs->nelts \
         && ((l) = APR_ARRAY_IDX(v->lbs, i, ajplb_status_lb_t *)); i++)
    {
        const ajplb_status_lb_t *l;
        static const char *const lbm[][3] = {
            {"busy", "Requests in flight on the balancer", "busy"},
            {"max_busy", "Most requests in flight at once", "max_busy"},
            {"members_good", "Members rated good", "good"},
            {"members_degraded", "Members rated degraded", "degraded"},
            {"members_bad", "Members rated bad", "bad"},
        };
        for (j = 0; j < 5; j++) {
            ajplb_sbuf_printf(b, "# HELP ajplb_lb_%s %s\n# TYPE ajplb_lb_%s "
                              "gauge\n", lbm[j][0], lbm[j][1], lbm[j][0]);
            AJPLB__LBS(l) {
                ajplb__kvs_t k = {p, {{0}}, 0};
                ajplb__lb_kvs(&k, v, l);
                ajplb_sbuf_printf(b, "ajplb_lb_%s{lb=\"", lbm[j][0]);
                ajplb_sbuf_prom(b, l->w->name);
                ajplb_sbuf_printf(b, "\"} %s\n", ajplb__kv_get(&k,
                                                              lbm[j][2]));
            }
        }
        ajplb_sbuf_puts(b, "# HELP ajplb_member_state Member state (1 for "
                        "the current one)\n# TYPE ajplb_member_state gauge\n");
        AJPLB__LBS(l) {
            for (j = 0; j < l->n; j++) {
                for (s = AJPLB_STATE_IDLE; s <= AJPLB_STATE_PROBE; s++) {
                    ajplb_sbuf_puts(b, "ajplb_member_state");
                    ajplb__prom_labels(b, l->w->name, l->members[j].w->name,
                                       "state", ajplb_state_name(s));
                    ajplb_sbuf_printf(b, "%d\n",
                                      (int)l->members[j].s.state == s);
                }
            }
        }
        ajplb_sbuf_puts(b, "# HELP ajplb_member_activation Member "
                        "activation (1 for the current one)\n"
                        "# TYPE ajplb_member_activation gauge\n");
        AJPLB__LBS(l) {
            for (j = 0; j < l->n; j++) {
                for (s = 0; s <= 2; s++) {
                    ajplb_sbuf_puts(b, "ajplb_member_activation");
                    ajplb__prom_labels(b, l->w->name, l->members[j].w->name,
                                       "activation",
                                       ajplb__act((apr_uint32_t)s));
                    ajplb_sbuf_printf(b, "%d\n",
                                      (int)l->members[j].cfg.activation == s);
                }
            }
        }
        for (s = 0; ajplb__member_metrics[s].name; s++) {
            const ajplb__metric_t *mt = &ajplb__member_metrics[s];
            ajplb_sbuf_printf(b, "# HELP ajplb_member_%s %s\n# TYPE "
                              "ajplb_member_%s %s\n", mt->name, mt->help,
                              mt->name, mt->type);
            AJPLB__LBS(l) {
                for (j = 0; j < l->n; j++) {
                    ajplb__kvs_t k = {p, {{0}}, 0};
                    ajplb__member_kvs(&k, v, l, &l->members[j]);
                    ajplb_sbuf_printf(b, "ajplb_member_%s", mt->name);
                    ajplb__prom_labels(b, l->w->name, l->members[j].w->name,
                                       "route", l->members[j].cfg.route);
                    ajplb_sbuf_printf(b, "%s\n", ajplb__kv_get(&k, mt->key));
                }
            }
        }
    }
#undef AJPLB__LBS
    for (s = 0; ajplb__ajp_metrics[s].name; s++) {
        const ajplb__metric_t *mt = &ajplb__ajp_metrics[s];
        ajplb_sbuf_printf(b, "# HELP ajplb_ajp_%s %s\n# TYPE ajplb_ajp_%s "
                          "%s\n", mt->name, mt->help, mt->name, mt->type);
        for (i = 0; i < v->ajps->nelts; i++) {
            const ajplb_status_ajp_t *a =
                APR_ARRAY_IDX(v->ajps, i, ajplb_status_ajp_t *);
            ajplb__kvs_t k = {p, {{0}}, 0};
            ajplb__ajp_kvs(&k, v, a);
            ajplb_sbuf_printf(b, "ajplb_ajp_%s", mt->name);
            ajplb__prom_labels(b, NULL, a->w->name, NULL, NULL);
            ajplb_sbuf_printf(b, "%s\n", ajplb__kv_get(&k, mt->key));
        }
    }
}

/* ------------------------------------------------------------ document */

static void ajplb__head(ajplb_sbuf_t *b, const ajplb_status_view_t *v)
{
    const char *ns = ajplb__ns(v);
    const char *pfx = v->status && v->status->prefix ? v->status->prefix
                                                     : "worker";
    const char *rt = v->result_type ? v->result_type : "OK";
    const char *rm = v->result_msg ? v->result_msg : "Action finished";
    char date[APR_RFC822_DATE_LEN];

    apr_rfc822_date(date, v->now);
    switch (v->req->mime) {
    case AJPLB_STATUS_MIME_XML: {
        const char *xmlns = v->status ? v->status->xmlns : NULL;
        const char *doctype = v->status ? v->status->doctype : NULL;
        ajplb_sbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        if (doctype != NULL && *doctype) {
            /* The operator's own text from workers.properties. */
            ajplb_sbuf_printf(b, "%s\n", doctype);
        }
        ajplb_sbuf_printf(b, "<%sstatus", ns);
        if (xmlns != NULL && *xmlns && strcmp(xmlns, "-") != 0) {
            ajplb_sbuf_printf(b, " %s", xmlns);
        }
        ajplb_sbuf_printf(b, ">\n  <%sserver name=\"", ns);
        ajplb_sbuf_xml(b, v->server_name);
        ajplb_sbuf_printf(b, "\" port=\"%d\"/>\n  <%ssoftware web_server=\"",
                          v->server_port, ns);
        ajplb_sbuf_xml(b, v->server_software);
        ajplb_sbuf_printf(b, "\" jk_version=\"%s\"/>\n", AJPLB_STATUS_VERSION);
        ajplb_sbuf_printf(b, "  <%stime datetime=\"%s\" unix_seconds=\"%ld\""
                          "/>\n  <%sresult type=\"", ns, date,
                          (long)apr_time_sec(v->now), ns);
        ajplb_sbuf_xml(b, rt);
        ajplb_sbuf_puts(b, "\" message=\"");
        ajplb_sbuf_xml(b, rm);
        ajplb_sbuf_puts(b, "\"/>\n");
        break;
    }
    case AJPLB_STATUS_MIME_TXT:
        ajplb_sbuf_puts(b, "Result: type=");
        ajplb__txt_val(b, rt);
        ajplb_sbuf_puts(b, " message=\"");
        ajplb__txt_val(b, rm);
        ajplb_sbuf_puts(b, "\"\nServer: name=");
        ajplb__txt_val(b, v->server_name);
        ajplb_sbuf_printf(b, " port=%d software=\"", v->server_port);
        ajplb__txt_val(b, v->server_software);
        ajplb_sbuf_printf(b, "\" version=%s\nTime: datetime=\"%s\" "
                          "unix_seconds=%ld\n", AJPLB_STATUS_VERSION, date,
                          (long)apr_time_sec(v->now));
        break;
    case AJPLB_STATUS_MIME_PROP:
        ajplb_sbuf_printf(b, "%s.result.type=", pfx);
        ajplb_sbuf_prop(b, rt);
        ajplb_sbuf_printf(b, "\n%s.result.message=", pfx);
        ajplb_sbuf_prop(b, rm);
        ajplb_sbuf_printf(b, "\n%s.server_name=", pfx);
        ajplb_sbuf_prop(b, v->server_name);
        ajplb_sbuf_printf(b, "\n%s.server_port=%d\n%s.server_software=", pfx,
                          v->server_port, pfx);
        ajplb_sbuf_prop(b, v->server_software);
        ajplb_sbuf_printf(b, "\n%s.jk_version=%s\n%s.time_unix_seconds=%ld\n",
                          pfx, AJPLB_STATUS_VERSION, pfx,
                          (long)apr_time_sec(v->now));
        break;
    case AJPLB_STATUS_MIME_JSON:
        ajplb_sbuf_puts(b, "{\"result\":{\"type\":");
        ajplb_sbuf_json(b, rt);
        ajplb_sbuf_puts(b, ",\"message\":");
        ajplb_sbuf_json(b, rm);
        ajplb_sbuf_puts(b, "},\"server\":{\"name\":");
        ajplb_sbuf_json(b, v->server_name);
        ajplb_sbuf_printf(b, ",\"port\":%d,\"software\":", v->server_port);
        ajplb_sbuf_json(b, v->server_software);
        ajplb_sbuf_printf(b, "},\"version\":\"%s\",\"time\":%ld",
                          AJPLB_STATUS_VERSION, (long)apr_time_sec(v->now));
        break;
    default:
        break;
    }
}

void ajplb_status_render(ajplb_sbuf_t *b, const ajplb_status_view_t *v)
{
    const char *ns = ajplb__ns(v);
    const char *pfx = v->status && v->status->prefix ? v->status->prefix
                                                     : "worker";
    ajplb_status_mime_e mime = v->req->mime;
    int version = v->req->cmd == AJPLB_STATUS_CMD_VERSION;
    int i, j;

    if (mime == AJPLB_STATUS_MIME_HTML) {
        ajplb_status_render_html(b, v);
        return;
    }
    if (mime == AJPLB_STATUS_MIME_PROM) {
        ajplb__render_prom(b, v);
        return;
    }
    ajplb__head(b, v);
    if (mime == AJPLB_STATUS_MIME_PROP && !version) {
        ajplb_sbuf_printf(b, "%s.list=", pfx);
        for (i = 0; i < v->lbs->nelts; i++) {
            ajplb_sbuf_printf(b, "%s%s", i ? "," : "", APR_ARRAY_IDX(v->lbs,
                              i, ajplb_status_lb_t *)->w->name);
        }
        for (i = 0; i < v->ajps->nelts; i++) {
            ajplb_sbuf_printf(b, "%s%s", i + v->lbs->nelts ? "," : "",
                              APR_ARRAY_IDX(v->ajps, i,
                                            ajplb_status_ajp_t *)->w->name);
        }
        ajplb_sbuf_puts(b, "\n");
    }
    if (mime == AJPLB_STATUS_MIME_XML && !version) {
        ajplb_sbuf_printf(b, "  <%sbalancers count=\"%d\">\n", ns,
                          v->lbs->nelts);
    }
    if (mime == AJPLB_STATUS_MIME_JSON) {
        ajplb_sbuf_puts(b, ",\"balancers\":[");
    }
    for (i = 0; i < v->lbs->nelts && !version; i++) {
        const ajplb_status_lb_t *l =
            APR_ARRAY_IDX(v->lbs, i, ajplb_status_lb_t *);
        ajplb__kvs_t k = {b->p, {{0}}, 0};

        ajplb__lb_kvs(&k, v, l);
        if (mime == AJPLB_STATUS_MIME_JSON) {
            ajplb_sbuf_puts(b, i ? "," : "");
        }
        ajplb__emit(b, v, AJPLB__LB, l->w->name, &k, 1);
        if (mime == AJPLB_STATUS_MIME_JSON) {
            ajplb_sbuf_puts(b, ",\"members\":[");
        }
        for (j = 0; j < l->n; j++) {
            ajplb__kvs_t mk = {b->p, {{0}}, 0};
            ajplb__member_kvs(&mk, v, l, &l->members[j]);
            if (mime == AJPLB_STATUS_MIME_PROP) {
                ajplb_sbuf_printf(b, "%s.%s.balance_workers=%s\n", pfx,
                                  l->w->name, l->members[j].w->name);
            }
            if (mime == AJPLB_STATUS_MIME_JSON) {
                ajplb_sbuf_puts(b, j ? "," : "");
            }
            ajplb__emit(b, v, AJPLB__MEMBER, l->members[j].w->name, &mk, 0);
        }
        if (mime == AJPLB_STATUS_MIME_JSON) {
            ajplb_sbuf_puts(b, "]}");
        }
        if (mime == AJPLB_STATUS_MIME_XML) {
            ajplb_sbuf_printf(b, "    </%sbalancer>\n", ns);
        }
    }
    if (mime == AJPLB_STATUS_MIME_XML && !version) {
        ajplb_sbuf_printf(b, "  </%sbalancers>\n  <%sajp_workers count="
                          "\"%d\">\n", ns, ns, v->ajps->nelts);
    }
    if (mime == AJPLB_STATUS_MIME_JSON) {
        ajplb_sbuf_puts(b, "],\"ajp_workers\":[");
    }
    for (i = 0; i < v->ajps->nelts && !version; i++) {
        const ajplb_status_ajp_t *a =
            APR_ARRAY_IDX(v->ajps, i, ajplb_status_ajp_t *);
        ajplb__kvs_t k = {b->p, {{0}}, 0};
        ajplb__ajp_kvs(&k, v, a);
        if (mime == AJPLB_STATUS_MIME_JSON) {
            ajplb_sbuf_puts(b, i ? "," : "");
        }
        ajplb__emit(b, v, AJPLB__AJP, a->w->name, &k, 0);
    }
    if (mime == AJPLB_STATUS_MIME_XML) {
        if (!version) {
            ajplb_sbuf_printf(b, "  </%sajp_workers>\n", ns);
        }
        ajplb_sbuf_printf(b, "</%sstatus>\n", ns);
    }
    if (mime == AJPLB_STATUS_MIME_JSON) {
        ajplb_sbuf_puts(b, "]}\n");
    }
}

/* ---------------------------------------------------------------- dump */

/* Hidden: a secret, a key named like one (password, token, ...), and
 * every variable whose value went into a secret or came from one
 * (ajplb_props_mark_sensitive follows the $(var) references). */
static int ajplb__is_secret(const ajplb_prop_t *pp)
{
    return ajplb_props_is_sensitive(pp);
}

void ajplb_status_render_dump(ajplb_sbuf_t *b, const ajplb_status_view_t *v)
{
    const ajplb_props_t *pr = v->model ? v->model->props : NULL;
    const char *ns = ajplb__ns(v);
    ajplb_status_mime_e mime = v->req->mime;
    int i;

    if (mime == AJPLB_STATUS_MIME_HTML) {
        ajplb_status_html_head(b, v, "Configuration dump");
        ajplb_sbuf_puts(b, "<table class=\"dump\"><tr><th>Property</th>"
                        "<th>Value</th><th>Where</th></tr>\n");
    }
    else if (mime == AJPLB_STATUS_MIME_XML || mime == AJPLB_STATUS_MIME_JSON) {
        ajplb__head(b, v);
        ajplb_sbuf_puts(b, mime == AJPLB_STATUS_MIME_XML
                        ? "" : ",\"properties\":[");
        if (mime == AJPLB_STATUS_MIME_XML) {
            ajplb_sbuf_printf(b, "  <%sproperties count=\"%d\">\n", ns,
                              pr ? pr->order->nelts : 0);
        }
    }
    for (i = 0; pr != NULL && i < pr->order->nelts; i++) {
        const ajplb_prop_t *pp = APR_ARRAY_IDX(pr->order, i, ajplb_prop_t *);
        const char *val = ajplb__is_secret(pp) ? "(hidden)" : pp->value;
        const char *file = pp->file ? pp->file : "";

        switch (mime) {
        case AJPLB_STATUS_MIME_HTML:
            ajplb_sbuf_puts(b, "<tr><td>");
            ajplb_sbuf_xml(b, pp->key);
            ajplb_sbuf_puts(b, "</td><td>");
            ajplb_sbuf_xml(b, val);
            ajplb_sbuf_puts(b, "</td><td>");
            ajplb_sbuf_xml(b, file);
            ajplb_sbuf_printf(b, ":%d</td></tr>\n", pp->line);
            break;
        case AJPLB_STATUS_MIME_XML:
            ajplb_sbuf_printf(b, "    <%sproperty key=\"", ns);
            ajplb_sbuf_xml(b, pp->key);
            ajplb_sbuf_puts(b, "\" value=\"");
            ajplb_sbuf_xml(b, val);
            ajplb_sbuf_puts(b, "\" file=\"");
            ajplb_sbuf_xml(b, file);
            ajplb_sbuf_printf(b, "\" line=\"%d\"/>\n", pp->line);
            break;
        case AJPLB_STATUS_MIME_JSON:
            ajplb_sbuf_puts(b, i ? ",{\"key\":" : "{\"key\":");
            ajplb_sbuf_json(b, pp->key);
            ajplb_sbuf_puts(b, ",\"value\":");
            ajplb_sbuf_json(b, val);
            ajplb_sbuf_puts(b, ",\"file\":");
            ajplb_sbuf_json(b, file);
            ajplb_sbuf_printf(b, ",\"line\":%d}", pp->line);
            break;
        default:
            /* txt, prop, prometheus: a properties file that reads back. */
            ajplb_sbuf_puts(b, "# ");
            ajplb__txt_val(b, file);
            ajplb_sbuf_printf(b, ":%d\n", pp->line);
            ajplb__txt_val(b, pp->key);
            ajplb_sbuf_puts(b, "=");
            ajplb_sbuf_prop(b, val);
            ajplb_sbuf_puts(b, "\n");
        }
    }
    if (mime == AJPLB_STATUS_MIME_HTML) {
        ajplb_sbuf_puts(b, "</table>\n");
    }
    else if (mime == AJPLB_STATUS_MIME_XML) {
        ajplb_sbuf_printf(b, "  </%sproperties>\n", ns);
    }
    else if (mime == AJPLB_STATUS_MIME_JSON) {
        ajplb_sbuf_puts(b, "]");
    }
    if (!(v->req->opt & AJPLB_STATUS_OPT_NO_MAPS)) {
        ajplb_status_render_mounts(b, v, ns);
    }
    if (mime == AJPLB_STATUS_MIME_HTML) {
        ajplb_sbuf_puts(b, "</body>\n</html>\n");
    }
    else if (mime == AJPLB_STATUS_MIME_XML) {
        ajplb_sbuf_printf(b, "</%sstatus>\n", ns);
    }
    else if (mime == AJPLB_STATUS_MIME_JSON) {
        ajplb_sbuf_puts(b, "}\n");
    }
}

void ajplb_status_render_error(ajplb_sbuf_t *b, ajplb_status_mime_e mime,
                               const char *msg)
{
    switch (mime) {
    case AJPLB_STATUS_MIME_XML:
        ajplb_sbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<status><result type=\"NOT OK\" message=\"");
        ajplb_sbuf_xml(b, msg);
        ajplb_sbuf_puts(b, "\"/></status>\n");
        break;
    case AJPLB_STATUS_MIME_JSON:
        ajplb_sbuf_puts(b, "{\"result\":{\"type\":\"NOT OK\",\"message\":");
        ajplb_sbuf_json(b, msg);
        ajplb_sbuf_puts(b, "}}\n");
        break;
    case AJPLB_STATUS_MIME_PROP:
        ajplb_sbuf_puts(b, "worker.result.type=NOT OK\n"
                        "worker.result.message=");
        ajplb_sbuf_prop(b, msg);
        ajplb_sbuf_puts(b, "\n");
        break;
    case AJPLB_STATUS_MIME_HTML:
        ajplb_sbuf_puts(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8"
                        "\"><title>mod_ajplb status: error</title></head>"
                        "<body><h1>Request refused</h1><p>");
        ajplb_sbuf_xml(b, msg);
        ajplb_sbuf_puts(b, "</p></body></html>\n");
        break;
    default:
        ajplb_sbuf_puts(b, "Result: type=NOT OK message=\"");
        ajplb__txt_val(b, msg);
        ajplb_sbuf_puts(b, "\"\n");
    }
}
