/*
 * mod_ajplb_lb.c -- ADAPTER: serving a request with an lb worker: session
 * ids from the request, member choice through the balancer core, the
 * member's ajp13 service, and failover only where it cannot duplicate
 * work.  Member state lives in shared memory (mod_ajplb_shm.c).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include <apr_atomic.h>
#include <apr_strings.h>

#include "mod_ajplb.h"
#include "mod_ajplb_handler.h"
#include "mod_ajplb_service.h"
#include "mod_ajplb_lb.h"

static int ajplb_collect_cookie(void *rec, const char *key, const char *val)
{
    APR_ARRAY_PUSH((apr_array_header_t *)rec, const char *) = val;
    return 1;
}

/* "" or a non-zero number means yes, "0" means no (mod_jk's reading). */
static int ajplb_env_flag(request_rec *r, const char *name, int dflt)
{
    const char *v = apr_table_get(r->subprocess_env, name);

    if (v == NULL) {
        return dflt;
    }
    return *v == '\0' || atoi(v) != 0;
}

static ajplb_lb_outcome_e ajplb_lb_outcome(const ajplb_exchange_result_t *res,
                                          const ajplb_hctx_t *h)
{
    switch (res->outcome) {
    case AJPLB_OUT_OK:
        if (h->failed_status) {
            return h->failed_mark ? AJPLB_OUTCOME_FAIL_ON_STATUS_MARK
                                  : AJPLB_OUTCOME_FAIL_ON_STATUS;
        }
        return AJPLB_OUTCOME_OK;
    case AJPLB_OUT_CLIENT_ERROR:
        return AJPLB_OUTCOME_CLIENT_ERROR;
    case AJPLB_OUT_TOO_BIG:
        return AJPLB_OUTCOME_TOO_BIG;
    case AJPLB_OUT_CONNECT_ERROR:
        /* TIMEUP without a CPing: no free connection slot, so busy;
         * a connect that timed out comes as ETIMEDOUT. */
        return APR_STATUS_IS_TIMEUP(res->rv) && !res->cping_failed
               ? AJPLB_OUTCOME_BUSY : AJPLB_OUTCOME_CONNECT_ERROR;
    case AJPLB_OUT_SEND_ERROR:
        return AJPLB_OUTCOME_SEND_ERROR;
    case AJPLB_OUT_RECV_ERROR:
        return AJPLB_OUTCOME_RECV_ERROR;
    case AJPLB_OUT_PROTOCOL_ERROR:
        return AJPLB_OUTCOME_PROTOCOL_ERROR;
    case AJPLB_OUT_TIMEOUT:
        return AJPLB_OUTCOME_TIMEOUT;
    }
    return AJPLB_OUTCOME_PROTOCOL_ERROR;
}

/* May this request go to another member after @a res?  Only when that
 * cannot duplicate work or lose data: nothing reached the client, the
 * body (if any) can be sent again, and either the member provably never
 * got the request (no connection, or not one byte of it accepted) or the
 * request is idempotent (mod_jk's default recovery: a reset, a truncated
 * or malformed reply, a reply timeout).  A client's error never moves.
 * The member's recovery_options 1 and 2 stop it once Tomcat got the
 * request or sent headers, unless 8 (HEAD) or 16 (GET) says always. */
static int ajplb_may_failover(request_rec *r, const ajplb_worker_t *mw,
                              const ajplb_exchange_result_t *res,
                              const ajplb_hctx_t *h, int idempotent)
{
    int ro = mw->recovery_options;

    if (h->passed || !res->replayable) {
        return 0;
    }
    if (res->outcome == AJPLB_OUT_CONNECT_ERROR
        || (res->outcome == AJPLB_OUT_SEND_ERROR && res->sent == 0)) {
        return 1;
    }
    if (!idempotent) {
        return 0;
    }
    if (!((ro & AJPLB_RECOVER_ALWAYS_HTTP_HEAD) && r->header_only)
        && !((ro & AJPLB_RECOVER_ALWAYS_HTTP_GET)
             && r->method_number == M_GET && !r->header_only)) {
        if ((ro & AJPLB_RECOVER_ABORT_IF_TCGETREQUEST) && res->sent > 0) {
            return 0;
        }
        if ((ro & AJPLB_RECOVER_ABORT_IF_TCSENDHEADER) && res->headers_seen) {
            return 0;
        }
    }
    switch (res->outcome) {
    case AJPLB_OUT_SEND_ERROR:
    case AJPLB_OUT_RECV_ERROR:
    case AJPLB_OUT_PROTOCOL_ERROR:
    case AJPLB_OUT_TIMEOUT:
        return 1;
    case AJPLB_OUT_OK:
        /* fail_on_status: the member answered; only a repeatable request
         * may be asked again elsewhere. */
        return h->failed_status != 0;
    default:
        return 0;
    }
}

/* Forget what a failed attempt put into the response (headers, buffered
 * body) before another member answers: none of it reached the client. */
static void ajplb_lb_reset_attempt(request_rec *r, ajplb_hctx_t *h)
{
    apr_brigade_cleanup(h->bb);
    h->buffered = 0;
    h->body_bytes = 0;
    h->no_body = 0;
    h->discard = 0;
    h->server_error = 0;
    h->failed_status = 0;
    h->failed_mark = 0;
    apr_table_clear(r->headers_out);
    r->content_type = NULL;
    r->status_line = NULL;
    r->status = HTTP_OK;
}

/* A failure a client could have caused (reply timeout, reset, malformed
 * reply) says nothing about the member by itself: ask it with a connect
 * and a CPing.  DOWN only when that fails too (T-O4b, T-O5b). */
static ajplb_lb_outcome_e ajplb_lb_confirm(request_rec *r, ajplb_lb_t *lb,
                                           int i, ajplb_rt_worker_t *mrt,
                                           ajplb_lb_outcome_e outcome)
{
    int st, alive;

    if (outcome != AJPLB_OUTCOME_SEND_ERROR
        && outcome != AJPLB_OUTCOME_RECV_ERROR
        && outcome != AJPLB_OUTCOME_PROTOCOL_ERROR
        && outcome != AJPLB_OUTCOME_TIMEOUT) {
        return outcome;
    }
    st = (int)apr_atomic_read32(&lb->members[i]->state);
    if (st == AJPLB_STATE_ERROR) {
        /* Another request already found it down. */
        return AJPLB_OUTCOME_DOWN;
    }
    alive = ajplb_service_check(r, mrt);
    if (alive == 0) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: member %s failed a "
                   "request and the check after it: in error for "
                   "recover_time", lb->name, mrt->def->name);
        return AJPLB_OUTCOME_DOWN;
    }
    if (alive > 0) {
        ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: member %s answered a "
                   "CPing after the failed request; it stays in rotation",
                   lb->name, mrt->def->name);
    }
    return outcome;
}

/* The JK_LB_FIRST_* / JK_LB_LAST_* notes of mod_jk, for CustomLog.  Set
 * once per request, after the last attempt, with constant keys, table
 * appends (the keys are new) and cheap number formatting: the notes were
 * 38% of the request path's instructions when built with psprintf for
 * every attempt (bench/profile.sh). */
static const char *const ajplb_note_keys[2][10] = {
    {"JK_LB_FIRST_NAME", "JK_LB_FIRST_VALUE", "JK_LB_FIRST_ACCESSED",
     "JK_LB_FIRST_SESSIONS", "JK_LB_FIRST_READ", "JK_LB_FIRST_TRANSFERRED",
     "JK_LB_FIRST_ERRORS", "JK_LB_FIRST_BUSY", "JK_LB_FIRST_ACTIVATION",
     "JK_LB_FIRST_STATE"},
    {"JK_LB_LAST_NAME", "JK_LB_LAST_VALUE", "JK_LB_LAST_ACCESSED",
     "JK_LB_LAST_SESSIONS", "JK_LB_LAST_READ", "JK_LB_LAST_TRANSFERRED",
     "JK_LB_LAST_ERRORS", "JK_LB_LAST_BUSY", "JK_LB_LAST_ACTIVATION",
     "JK_LB_LAST_STATE"}
};

static void ajplb_lb_member_notes(request_rec *r, int which,
                                  ajplb_shm_member_t *m, const char **vals)
{
    static const char *const act[] = {"ACT", "DIS", "STP"};
    apr_uint32_t a = m->cfg.activation;
    int k;

    if (vals[0] == NULL) {
        vals[0] = m->id.name;
        vals[1] = apr_off_t_toa(r->pool, (apr_off_t)apr_atomic_read64(
                                             &m->lb_value));
        vals[2] = apr_off_t_toa(r->pool, (apr_off_t)apr_atomic_read64(
                                             &m->elected));
        vals[3] = apr_off_t_toa(r->pool, (apr_off_t)apr_atomic_read64(
                                             &m->sessions));
        vals[4] = apr_off_t_toa(r->pool, (apr_off_t)apr_atomic_read64(
                                             &m->bytes_written));
        vals[5] = apr_off_t_toa(r->pool, (apr_off_t)apr_atomic_read64(
                                             &m->bytes_read));
        vals[6] = apr_ltoa(r->pool, (long)apr_atomic_read32(&m->errors));
        vals[7] = apr_ltoa(r->pool, (long)apr_atomic_read32(&m->busy));
        vals[8] = a < 3 ? act[a] : "ACT";
        vals[9] = ajplb_state_name((int)apr_atomic_read32(&m->state));
    }
    for (k = 0; k < 10; k++) {
        apr_table_addn(r->notes, ajplb_note_keys[which][k], vals[k]);
    }
}

/* FIRST and LAST notes for the members tried first and last. */
static void ajplb_lb_notes(request_rec *r, ajplb_lb_t *lb, int first,
                           int last)
{
    const char *vals[10] = {NULL};

    if (last < 0) {
        return;
    }
    ajplb_lb_member_notes(r, 1, lb->members[last], vals);
    if (first != last) {
        memset(vals, 0, sizeof(vals));
    }
    ajplb_lb_member_notes(r, 0, lb->members[first], vals);
}

/* Rule extensions active=/disabled=/stopped= name members by worker name;
 * they change the activation for requests of that mount only. */
static void ajplb_lb_overrides(ajplb_lb_t *lb, unsigned char *tried,
                               const apr_array_header_t *names, int act)
{
    int i;

    for (i = 0; names != NULL && i < names->nelts; i++) {
        int m = ajplb_lb_find_member(lb, APR_ARRAY_IDX(names, i,
                                                       const char *));
        if (m >= 0) {
            ajplb_lb_set_activation(lb, tried, m, act);
        }
    }
}

static const char *ajplb_activation_name(apr_uint32_t a)
{
    return a == AJPLB_ACTIVATION_DISABLED ? "DIS"
           : a == AJPLB_ACTIVATION_STOPPED ? "STP" : "ACT";
}

/* set_session_cookie: tell the client which member it now belongs to,
 * for applications whose session ids carry no route. */
static void ajplb_set_route_cookie(request_rec *r, const ajplb_worker_t *lbw,
                                   const ajplb_req_conf_t *rc,
                                   const ajplb_ajp_request_t *areq,
                                   const char *cookie, const char *route)
{
    const char *path = lbw->session_cookie_path;

    if (rc != NULL && rc->rule != NULL
        && rc->rule->ext.session_cookie_path != NULL) {
        path = rc->rule->ext.session_cookie_path;
    }
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, "%s=.%s%s%s; HttpOnly%s", cookie,
                                route, path && *path ? "; Path=" : "",
                                path && *path ? path : "",
                                areq->is_ssl ? "; Secure" : ""));
}

int ajplb_service_lb(request_rec *r, const ajplb_srv_conf_t *conf,
                     ajplb_rt_worker_t *lrt, const ajplb_req_conf_t *rc,
                     ajplb_exchange_t *x, ajplb_ajp_request_t *areq,
                     ajplb_hctx_t *h, ajplb_exchange_result_t *res)
{
    ajplb_lb_t *lb = lrt->lb;
    const ajplb_worker_t *lbw = lrt->def;
    const ajplb_uri_ext_t *ext = rc && rc->rule ? &rc->rule->ext : NULL;
    apr_array_header_t *cookies = apr_array_make(r->pool, 2,
                                                 sizeof(const char *));
    const apr_array_header_t *ids = NULL;
    ajplb_shm_lb_config_t cfg;
    ajplb_lb_req_t lreq;
    unsigned char *tried;
    int idempotent = ajplb_is_idempotent(r);
    int round, k, forced = 0, set_cookie;
    int first = -1, last = -1;
    apr_status_t rv;

    memset(res, 0, sizeof(*res));
    res->outcome = AJPLB_OUT_CONNECT_ERROR;
    if (lb == NULL) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: no shared memory in "
                   "this child (see earlier errors); answering 503",
                   lbw->name);
        return 0;
    }
    ajplb_shm_lb_config_get(lb->slot, &cfg);
    apr_table_do(ajplb_collect_cookie, cookies, r->headers_in, "Cookie",
                 NULL);
    memset(&lreq, 0, sizeof(lreq));
    lreq.uri = rc ? rc->orig_uri : r->uri;
    lreq.cookies = (const char *const *)cookies->elts;
    lreq.ncookies = cookies->nelts;
    lreq.session_cookie = ext ? ext->session_cookie : NULL;
    lreq.session_path = ext ? ext->session_path : NULL;
    lreq.forced_route = apr_table_get(r->subprocess_env, "JK_ROUTE");
    lreq.sticky_ignore = ajplb_env_flag(r, "JK_STICKY_IGNORE",
                                        ext && ext->sticky_ignore == 1);
    lreq.stateless = ajplb_env_flag(r, "JK_STATELESS",
                                    ext && ext->stateless == 1);
    if (cfg.sticky_session && !lreq.sticky_ignore) {
        ids = ajplb_lb_session_ids(lb, r->pool, &lreq);
    }
    set_cookie = lbw->set_session_cookie;
    if (ext != NULL && ext->set_session_cookie != AJPLB_UNSET) {
        set_cookie = ext->set_session_cookie;
    }
    tried = ajplb_lb_tried_make(r->pool, lb);
    if (ext != NULL) {
        ajplb_lb_overrides(lb, tried, ext->active, AJPLB_ACTIVATION_ACTIVE);
        ajplb_lb_overrides(lb, tried, ext->disabled,
                           AJPLB_ACTIVATION_DISABLED);
        ajplb_lb_overrides(lb, tried, ext->stopped, AJPLB_ACTIVATION_STOPPED);
    }

    if (lb->traffic_on) {
        /* Ejections that are over end here too when no watchdog runs. */
        ajplb_traffic_tick(lb, apr_time_now());
    }
    for (round = 0; round < (int)AJPLB_MAX(cfg.retries, 1); round++) {
        int per_round = (int)AJPLB_MIN(AJPLB_MAX(cfg.lb_retries, 1),
                                       (apr_uint32_t)lb->n);
        if (round > 0) {
            apr_sleep(apr_time_from_msec(cfg.retry_interval));
            ajplb_lb_tried_clear(lb, tried);
        }
        for (k = 0; k < per_round; k++) {
            ajplb_lb_choice_t choice;
            ajplb_rt_worker_t *mrt;
            const char *mname;
            apr_time_t now = apr_time_now();

            if (cfg.lock == AJPLB_LB_LOCK_PESSIMISTIC && ajplb_global.mutex) {
                apr_global_mutex_lock(ajplb_global.mutex);
            }
            rv = ajplb_lb_pick(lb, &lreq, ids, tried, now, &choice);
            if (rv == APR_SUCCESS) {
                ajplb_lb_begin(lb, &choice, now);
            }
            if (cfg.lock == AJPLB_LB_LOCK_PESSIMISTIC && ajplb_global.mutex) {
                apr_global_mutex_unlock(ajplb_global.mutex);
            }
            if (rv == AJPLB_ESTICKYFORCE) {
                ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: the member of "
                           "session %s cannot serve it and "
                           "sticky_session_force is set: 503 (unset "
                           "sticky_session_force to move such sessions)",
                           lbw->name, ids && ids->nelts
                           ? APR_ARRAY_IDX(ids, 0, const char *) : "-");
                res->outcome = AJPLB_OUT_CONNECT_ERROR;
                return 0;
            }
            if (rv != APR_SUCCESS) {
                if (!forced) {
                    /* Everything is in error: try them all once more
                     * rather than refuse outright (mod_jk's forced
                     * recovery). */
                    forced = 1;
                    ajplb_lb_force_recovery(lb, now);
                    ajplb_lb_tried_clear(lb, tried);
                    k--;
                    continue;
                }
                break;
            }
            tried[choice.member] |= AJPLB_LB_TRIED;
            mname = lb->members[choice.member]->id.name;
            mrt = apr_hash_get(ajplb_global.rt, mname, APR_HASH_KEY_STRING);
            if (mrt == NULL) {
                ajplb_lb_end(lb, choice.member, AJPLB_OUTCOME_CONNECT_ERROR,
                             0, 0, now);
                continue;
            }
            areq->secret = mrt->def->secret;
            areq->route = apr_pstrdup(r->pool, choice.route);
            areq->lb_activation = ajplb_activation_name(choice.activation);
            x->max_packet_size = (apr_size_t)mrt->def->max_packet_size;
            x->body_window = mrt->def->body_window;
            /* The member's own settings apply, unless the mount rule or
             * the environment fixed them for this request. */
            if (!x->reply_timeout_fixed) {
                x->reply_timeout = apr_time_from_msec(
                    mrt->def->reply_timeout);
            }
            if (ext == NULL || ext->fail_on_status == NULL) {
                h->fail_on_status = mrt->def->fail_on_status;
            }
            h->failed_status = 0;
            h->discard = 0;
            apr_table_setn(r->notes, "JK_WORKER_ROUTE", areq->route);

            ajplb_service_ajp13(r, conf, mrt, x, h, res);
            ajplb_lb_end(lb, choice.member,
                         ajplb_lb_confirm(r, lb, choice.member, mrt,
                                          ajplb_lb_outcome(res, h)),
                         (apr_uint64_t)res->body_to_backend,
                         (apr_uint64_t)res->body_to_client, apr_time_now());
            ajplb_traffic_observe(r, lb, choice.member, res);
            if (first < 0) {
                first = choice.member;
            }
            last = choice.member;
            if (res->outcome == AJPLB_OUT_OK && !h->failed_status) {
                if (set_cookie && choice.how != AJPLB_PICK_STICKY) {
                    ajplb_set_route_cookie(r, lbw, rc, areq,
                                           lreq.session_cookie
                                           ? lreq.session_cookie
                                           : lbw->session_cookie,
                                           areq->route);
                }
                ajplb_lb_notes(r, lb, first, last);
                return 1;
            }
            if (!ajplb_may_failover(r, mrt->def, res, h, idempotent)) {
                ajplb_lb_notes(r, lb, first, last);
                return 0;
            }
            ajplb_lb_reset_attempt(r, h);
            ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: member %s failed "
                       "(%s) before doing anything the client could see; "
                       "trying another member for %s %s", lbw->name, mname,
                       ajplb_outcome_name(res->outcome), r->method, r->uri);
        }
    }
    ajplb_lb_notes(r, lb, first, last);
    ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: all members failed or are "
               "unavailable, no more members left for %s %s: check the "
               "members' Tomcats and the lines above", lbw->name, r->method,
               r->uri);
    if (res->outcome == AJPLB_OUT_OK) {
        /* Every member answered with a fail_on_status code. */
        res->outcome = AJPLB_OUT_CONNECT_ERROR;
    }
    if (res->outcome != AJPLB_OUT_TIMEOUT
        && res->outcome != AJPLB_OUT_CLIENT_ERROR
        && res->outcome != AJPLB_OUT_TOO_BIG && !h->passed) {
        /* No member left: the answer is 503, whatever the last one did. */
        res->outcome = AJPLB_OUT_CONNECT_ERROR;
    }
    return 0;
}
