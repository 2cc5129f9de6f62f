/*
 * mod_ajplb_health.c -- ADAPTER: the httpd side of traffic management:
 * active health checks (an AJP GET of health_check on every member) run
 * from httpd's singleton watchdog, so one child of all checks; the
 * time-driven transitions (ejections that end, slow starts that finish);
 * outlier ejection after a request; one mod_jk.log line per transition.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "mod_watchdog.h"

#include <apr_strings.h>

#include "mod_ajplb.h"
#include "mod_ajplb_lb.h"

APLOG_USE_MODULE(ajplb);

#define AJPLB_HEALTH_WATCHDOG "ajplb-health"

/* ------------------------------------------------------------- logging */

void ajplb_traffic_log(server_rec *s, const ajplb_lb_t *lb,
                       const ajplb_lb_event_t *ev, const char *detail)
{
    const ajplb_traffic_t *t = &lb->traffic[ev->member];
    const char *m = lb->members[ev->member]->id.name;
    char ramp[96] = "";

    if (t->slow_start > 0) {
        apr_snprintf(ramp, sizeof(ramp), "; slow start brings it to its "
                     "full lbfactor over %d s", t->slow_start);
    }

    switch (ev->what) {
    case AJPLB_EV_EJECTED:
        ajplb_slog(s, AJPLB_LOG_WARN, "worker %s: member %s ejected as an "
                   "outlier: %d failed answers in a row (last: %s); it "
                   "returns to rotation in %" APR_TIME_T_FMT " s "
                   "(ejection %d in a row; the time doubles with each)",
                   lb->name, m, ev->count, detail,
                   apr_time_sec(ev->duration), ev->ejections);
        break;
    case AJPLB_EV_EJECT_REFUSED:
        ajplb_slog(s, AJPLB_LOG_WARN, "worker %s: member %s failed %d "
                   "answers in a row (last: %s) but stays in rotation: "
                   "outlier_max_share (%d%%) of the members are ejected "
                   "already", lb->name, m, ev->count, detail,
                   t->outlier_max_share);
        break;
    case AJPLB_EV_RETURNED:
        ajplb_slog(s, AJPLB_LOG_INFO, "worker %s: member %s returns to "
                   "rotation: its outlier ejection is over%s", lb->name, m,
                   ramp);
        break;
    case AJPLB_EV_HEALTH_DOWN:
        ajplb_slog(s, AJPLB_LOG_WARN, "worker %s: member %s leaves "
                   "rotation: %d health checks of %s failed in a row "
                   "(last: %s); it returns after %d passing checks",
                   lb->name, m, ev->count, t->health_check, detail,
                   t->health_check_rise);
        break;
    case AJPLB_EV_HEALTH_UP:
        ajplb_slog(s, AJPLB_LOG_INFO, "worker %s: member %s returns to "
                   "rotation: %d health checks of %s passed in a row "
                   "(last: %s)%s", lb->name, m, ev->count, t->health_check,
                   detail, ramp);
        break;
    case AJPLB_EV_HEALTH_DROPPED:
        ajplb_slog(s, AJPLB_LOG_INFO, "worker %s: member %s returns to "
                   "rotation: it has no health_check any more", lb->name, m);
        break;
    case AJPLB_EV_FULL_WEIGHT:
        ajplb_slog(s, AJPLB_LOG_INFO, "worker %s: member %s has its full "
                   "lbfactor again: slow start (%d s) is over", lb->name, m,
                   t->slow_start);
        break;
    case AJPLB_EV_NONE:
        break;
    }
}

/* ------------------------------------------------------------ requests */

void ajplb_traffic_tick(ajplb_lb_t *lb, apr_time_t now)
{
    ajplb_lb_event_t ev[16];
    int n, k;

    if (!lb->traffic_on || !ajplb_lb_tick_claim(lb, now)) {
        return;
    }
    n = ajplb_lb_tick(lb, now, ev, 16);
    for (k = 0; k < n; k++) {
        ajplb_traffic_log(ajplb_global.main_server, lb, &ev[k], "");
    }
}

void ajplb_traffic_observe(request_rec *r, ajplb_lb_t *lb, int i,
                           const ajplb_exchange_result_t *res)
{
    int timed_out = res->outcome == AJPLB_OUT_TIMEOUT;
    int status = res->headers_seen ? res->status : 0;
    apr_time_t now = apr_time_now();
    ajplb_lb_event_t ev;
    int got;

    /* Connect and protocol failures have their own handling (ERR);
     * outliers are members that answer, badly or too late. */
    if (!lb->traffic_on || (!timed_out && status == 0)
        || !ajplb_lb_observe(lb, i, status, timed_out, now)) {
        return;
    }
    /* Under the global mutex, so two children cannot both take the last
     * place outlier_max_share allows. */
    if (ajplb_global.mutex != NULL) {
        apr_global_mutex_lock(ajplb_global.mutex);
    }
    got = ajplb_lb_eject(lb, i, now, &ev);
    if (ajplb_global.mutex != NULL) {
        apr_global_mutex_unlock(ajplb_global.mutex);
    }
    if (got) {
        ajplb_traffic_log(r->server, lb, &ev, timed_out ? "reply timeout"
                          : apr_psprintf(r->pool, "status %d", status));
    }
}

/* ------------------------------------------------------- health checks */

typedef struct {
    int status;
} ajplb_hc_state_t;

static apr_status_t ajplb_hc_read_body(void *baton, char *buf,
                                       apr_size_t len, apr_size_t *got)
{
    *got = 0;
    return APR_SUCCESS;
}

static apr_status_t ajplb_hc_headers(void *baton, const ajplb_ajp_event_t *ev,
                                     ajplb_ajp_reply_t *rp)
{
    ((ajplb_hc_state_t *)baton)->status = ev->status;
    return APR_SUCCESS;
}

static apr_status_t ajplb_hc_body(void *baton, const void *data,
                                  apr_size_t len)
{
    return APR_SUCCESS;             /* the body is not judged */
}

/* One check of member @a i: GET health_check over a connection of the
 * member's pool in this child.  @return the HTTP status, or 0 with
 * @a why saying what went wrong.  Counts nowhere: a check is no request. */
static int ajplb_health_check(apr_pool_t *p, const ajplb_lb_t *lb, int i,
                              const char **why)
{
    const ajplb_traffic_t *t = &lb->traffic[i];
    ajplb_rt_worker_t *mrt = apr_hash_get(ajplb_global.rt,
                                          lb->members[i]->id.name,
                                          APR_HASH_KEY_STRING);
    static const ajplb_ajp_header_t hdrs[] = {
        {"Host", "localhost", 9},
        {"User-Agent", "mod_ajplb-health-check", 22}
    };
    const char *q = strchr(t->health_check, '?');
    ajplb_ajp_request_t areq;
    ajplb_exchange_t x;
    ajplb_exchange_io_t io;
    ajplb_exchange_result_t res;
    ajplb_replay_t replay;
    ajplb_hc_state_t st;
    ajplb_conn_t *conn;
    char err[120], none[1];
    apr_status_t rv;

    if (mrt == NULL || mrt->pool == NULL) {
        *why = "no connection pool (host not resolved)";
        return 0;
    }
    rv = ajplb_pool_acquire(mrt->pool, &conn);
    if (rv != APR_SUCCESS) {
        *why = apr_psprintf(p, "cannot connect to %s:%d: %s",
                            mrt->def->host, mrt->def->port,
                            ajplb_strerror(rv, err, sizeof(err)));
        return 0;
    }
    memset(&areq, 0, sizeof(areq));
    areq.method = "GET";
    areq.protocol = "HTTP/1.1";
    areq.uri = q ? apr_pstrmemdup(p, t->health_check,
                                  (apr_size_t)(q - t->health_check))
                 : t->health_check;
    areq.query_string = q ? q + 1 : NULL;
    areq.remote_addr = "127.0.0.1";
    areq.local_addr = "127.0.0.1";
    areq.server_name = "localhost";
    areq.server_port = 80;
    areq.headers = hdrs;
    areq.num_headers = 2;
    areq.secret = mrt->def->secret;
    memset(&replay, 0, sizeof(replay));
    replay.data = none;
    replay.complete = 1;
    memset(&x, 0, sizeof(x));
    x.req = &areq;
    x.content_length = 0;
    x.reply_timeout = apr_time_from_msec(t->health_check_timeout);
    x.reply_timeout_fixed = 1;
    x.max_packet_size = (apr_size_t)mrt->def->max_packet_size;
    x.replay = &replay;
    memset(&st, 0, sizeof(st));
    memset(&io, 0, sizeof(io));
    io.baton = &st;
    io.read_body = ajplb_hc_read_body;
    io.headers = ajplb_hc_headers;
    io.body = ajplb_hc_body;
    memset(&res, 0, sizeof(res));
    rv = ajplb_exchange_run(conn, &x, &io, &res);
    ajplb_pool_release(mrt->pool, conn, rv == APR_SUCCESS && res.reusable);
    if (rv != APR_SUCCESS || res.outcome != AJPLB_OUT_OK) {
        *why = apr_psprintf(p, "no answer: %s",
                            rv != APR_SUCCESS
                            ? ajplb_strerror(rv, err, sizeof(err))
                            : ajplb_outcome_name(res.outcome));
        return 0;
    }
    *why = apr_psprintf(p, "status %d", st.status);
    return st.status;
}

static void ajplb_health_run(apr_pool_t *p, apr_time_t now)
{
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(p, ajplb_global.rt); hi; hi = apr_hash_next(hi)) {
        ajplb_rt_worker_t *rt = apr_hash_this_val(hi);
        ajplb_lb_t *lb = rt->lb;
        int i;

        if (lb == NULL || !lb->traffic_on) {
            continue;
        }
        ajplb_traffic_tick(lb, now);
        for (i = 0; i < lb->n; i++) {
            ajplb_lb_event_t ev;
            const char *why = "";
            int status;

            if (!ajplb_lb_health_due(lb, i, now)) {
                continue;
            }
            status = ajplb_health_check(p, lb, i, &why);
            ajplb_slog(ajplb_global.main_server, AJPLB_LOG_DEBUG,
                       "worker %s: health check of member %s: %s",
                       lb->name, lb->members[i]->id.name, why);
            if (ajplb_lb_health_result(lb, i, status, apr_time_now(),
                                       &ev)) {
                ajplb_traffic_log(ajplb_global.main_server, lb, &ev, why);
            }
        }
    }
}

static apr_status_t ajplb_health_watchdog(int state, void *data,
                                          apr_pool_t *pool)
{
    apr_pool_t *p;

    if (state != AP_WATCHDOG_STATE_RUNNING || ajplb_global.rt == NULL
        || !ajplb_maint_enter()) {
        return APR_SUCCESS;
    }
    apr_pool_create(&p, pool);
    ajplb_health_run(p, apr_time_now());
    apr_pool_destroy(p);
    ajplb_maint_leave();
    return APR_SUCCESS;
}

/* 1 when any used lb checks, ejects or ramps a member. */
static int ajplb_traffic_configured(const ajplb_model_t *model)
{
    int i, k;

    for (i = 0; i < model->workers->nelts; i++) {
        const ajplb_worker_t *w =
            APR_ARRAY_IDX(model->workers, i, const ajplb_worker_t *);
        const ajplb_worker_t *m;

        if (w->type != AJPLB_WORKER_LB || !w->used) {
            continue;
        }
        for (k = 0; (m = ajplb_lb_member(w, k)) != NULL; k++) {
            ajplb_traffic_t t;
            ajplb_traffic_resolve(m, w, &t);
            if (t.health_check != NULL || t.outlier_count > 0
                || t.slow_start > 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* A singleton watchdog: mod_watchdog runs its callbacks in one child of
 * all (the others wait on its mutex), so every check happens once per
 * interval whatever the number of children.  It wakes every second; each
 * member's check is due every health_check_interval. */
apr_status_t ajplb_health_setup(apr_pool_t *pconf, server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get;
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *reg;
    ap_watchdog_t *wd;
    apr_status_t rv;

    if (ajplb_global.model == NULL
        || !ajplb_traffic_configured(ajplb_global.model)) {
        return APR_SUCCESS;
    }
    get = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    reg = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (get == NULL || reg == NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                     "mod_ajplb: health_check, slow_start and outlier_* "
                     "need mod_watchdog: load it (LoadModule "
                     "watchdog_module) or remove those properties");
        return APR_EGENERAL;
    }
    rv = get(&wd, AJPLB_HEALTH_WATCHDOG, 0, 1, pconf);
    if (rv == APR_SUCCESS) {
        rv = reg(wd, apr_time_from_sec(1), NULL, ajplb_health_watchdog);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, rv, s,
                     "mod_ajplb: cannot start the health check watchdog");
    }
    return rv;
}
