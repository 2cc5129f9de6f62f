/*
 * mod_ajplb_service.c -- ADAPTER: the jakarta-servlet handler and the
 * ajp13 worker service: attempts over pooled connections, safe retries,
 * CPing probes, and one log line per failure naming worker, cause and fix.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include <apr_strings.h>

#include "mod_ajplb.h"
#include "mod_ajplb_request.h"
#include "mod_ajplb_handler.h"
#include "mod_ajplb_service.h"
#include "mod_ajplb_lb.h"
#include "mod_ajplb_status.h"

APLOG_USE_MODULE(ajplb);

/* Body bytes read before a backend connection is taken: one body packet
 * of the smallest max_packet_size, so it fits every member's packets. */
#define AJPLB_PREFETCH (8192 - AJPLB_AJP_BODY_OVERHEAD)

/* A request that may be sent twice without changing anything twice. */
int ajplb_is_idempotent(const request_rec *r)
{
    switch (r->method_number) {
    case M_GET:
    case M_PUT:
    case M_DELETE:
    case M_OPTIONS:
    case M_TRACE:
        return 1;
    default:
        return 0;
    }
}

static void ajplb_log_failure(request_rec *r, const ajplb_worker_t *w,
                              const ajplb_exchange_result_t *res,
                              apr_interval_time_t reply_timeout)
{
    char err[120];
    const char *cause = ajplb_strerror(res->rv, err, sizeof(err));

    switch (res->outcome) {
    case AJPLB_OUT_TOO_BIG:
        ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: request for %s does not "
                   "fit in max_packet_size=%d (client error 413, not counted "
                   "against the worker): raise max_packet_size for this "
                   "worker and packetSize in Tomcat's AJP connector together "
                   "if such requests are legitimate", w->name, r->uri,
                   w->max_packet_size);
        break;
    case AJPLB_OUT_CLIENT_ERROR:
        ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: client error on %s (%s); "
                   "the client went away or sent a broken body; not counted "
                   "against the worker", w->name, r->uri, cause);
        break;
    case AJPLB_OUT_CONNECT_ERROR:
        if (res->cping_failed) {
            ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: %s:%d accepted the "
                       "connection but sent no CPong (%s): Tomcat is hung, "
                       "overloaded or not an AJP connector", w->name,
                       w->host, w->port, cause);
            break;
        }
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: cannot connect to %s:%d "
                   "(%s): check that Tomcat runs with an AJP connector "
                   "(<Connector protocol=\"AJP/1.3\" port=\"%d\" ...>) "
                   "listening on that address", w->name, w->host, w->port,
                   cause, w->port);
        break;
    case AJPLB_OUT_SEND_ERROR:
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: sending %s to %s:%d "
                   "failed (%s): Tomcat closed the connection; check its "
                   "logs", w->name, r->uri, w->host, w->port, cause);
        break;
    case AJPLB_OUT_RECV_ERROR:
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: Tomcat at %s:%d closed "
                   "the connection before the reply to %s was complete "
                   "(%s): check Tomcat's logs (crash, OutOfMemoryError, "
                   "packetSize smaller than max_packet_size=%d)", w->name,
                   w->host, w->port, r->uri, cause, w->max_packet_size);
        break;
    case AJPLB_OUT_PROTOCOL_ERROR:
        if (res->rv == AJPLB_EBADSTATUS || res->rv == AJPLB_EBADBODYLEN) {
            /* Well-framed AJP whose HTTP content is wrong: the application
             * set it, so packetSize advice would mislead. */
            ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: the application at "
                       "%s:%d answered %s with %s: the client got 502 (or "
                       "the cut-off answer); fix the application's status "
                       "or Content-Length", w->name, w->host, w->port,
                       r->uri, cause);
            break;
        }
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: malformed AJP reply from "
                   "%s:%d to %s (%s): check that the port is Tomcat's AJP "
                   "connector, not HTTP, and that its packetSize equals "
                   "max_packet_size=%d", w->name, w->host, w->port, r->uri,
                   cause, w->max_packet_size);
        break;
    case AJPLB_OUT_TIMEOUT:
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: no reply from %s:%d "
                   "within reply_timeout=%" APR_TIME_T_FMT "ms for %s: the "
                   "application is slow or stuck (check Tomcat's threads), "
                   "or raise reply_timeout", w->name, w->host, w->port,
                   apr_time_as_msec(reply_timeout), r->uri);
        break;
    case AJPLB_OUT_OK:
        break;
    }
}

/* Whether to CPing @a conn before sending: after connect (ping_mode C),
 * before every request (P), when it sat idle longer than
 * connection_ping_interval (I: checked lazily, when the connection is
 * taken, instead of by a maintenance sweep), and always for a request that
 * must not run twice on a connection idle for more than a second, so a
 * connection the backend dropped is found before such a request is sent. */
static int ajplb_needs_probe(const ajplb_worker_t *w, const ajplb_conn_t *conn,
                             int idempotent)
{
    apr_interval_time_t idle;

    if (!conn->reused) {
        return (w->ping_mode & AJPLB_PING_CONNECT) != 0;
    }
    if (w->ping_mode & AJPLB_PING_PREPOST) {
        return 1;
    }
    idle = apr_time_now() - conn->last_used;
    if ((w->ping_mode & AJPLB_PING_INTERVAL)
        && idle > apr_time_from_sec(w->connection_ping_interval > 0
                                    ? w->connection_ping_interval
                                    : AJPLB_MAX(w->ping_timeout / 100, 1))) {
        return 1;
    }
    return !idempotent && idle > apr_time_from_sec(1);
}

apr_interval_time_t ajplb_cping_timeout(const ajplb_worker_t *w,
                                        int after_connect)
{
    int ms = after_connect ? w->connect_timeout : w->prepost_timeout;

    return apr_time_from_msec(ms > 0 ? ms : w->ping_timeout);
}

/* CPing a connection; on failure it is closed and the caller tries
 * another.  A new connection waits connect_timeout for its CPong, a
 * pooled one prepost_timeout, each falling back to ping_timeout (mod_jk's
 * reading of the three). */
static int ajplb_probe(request_rec *r, const ajplb_worker_t *w,
                       ajplb_rt_worker_t *rt, ajplb_conn_t *conn,
                       ajplb_exchange_result_t *res)
{
    apr_status_t rv = ajplb_exchange_cping(
        conn, (apr_size_t)w->max_packet_size,
        ajplb_cping_timeout(w, !conn->reused));

    if (rv == APR_SUCCESS) {
        return 1;
    }
    res->outcome = AJPLB_OUT_CONNECT_ERROR;
    res->rv = rv;
    res->replayable = 1;
    res->cping_failed = 1;
    ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: CPing on a %s connection "
               "failed (%d), using a new one", w->name,
               conn->reused ? "pooled" : "new", rv);
    ajplb_pool_release(rt->pool, conn, 0);
    return 0;
}

int ajplb_service_check(request_rec *r, ajplb_rt_worker_t *rt)
{
    const ajplb_worker_t *w = rt->def;
    ajplb_conn_t *conn;
    apr_status_t rv;
    char err[120];

    if (rt->pool == NULL) {
        return 0;
    }
    rv = ajplb_pool_acquire(rt->pool, &conn);
    if (APR_STATUS_IS_TIMEUP(rv)) {
        return -1;
    }
    if (rv != APR_SUCCESS) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: check after a failed "
                   "request: cannot connect to %s:%d (%s)", w->name,
                   w->host, w->port, ajplb_strerror(rv, err, sizeof(err)));
        return 0;
    }
    /* The connect budget: the member must answer a CPing as fast as a
     * new connection would have to. */
    rv = ajplb_exchange_cping(conn, (apr_size_t)w->max_packet_size,
                              ajplb_cping_timeout(w, 1));
    ajplb_pool_release(rt->pool, conn, rv == APR_SUCCESS);
    if (rv != APR_SUCCESS) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: check after a failed "
                   "request: no CPong from %s:%d within %" APR_TIME_T_FMT
                   "ms (%s): Tomcat is hung or overloaded", w->name, w->host,
                   w->port, apr_time_as_msec(ajplb_cping_timeout(w, 1)),
                   ajplb_strerror(rv, err, sizeof(err)));
        return 0;
    }
    return 1;
}

int ajplb_service_ajp13(request_rec *r, const ajplb_srv_conf_t *conf,
                        ajplb_rt_worker_t *rt, ajplb_exchange_t *x,
                        ajplb_hctx_t *h, ajplb_exchange_result_t *res)
{
    const ajplb_worker_t *w = rt->def;
    int attempts = w->retries > 0 ? w->retries : 1;
    int idempotent = ajplb_is_idempotent(r);
    int attempt;

    memset(res, 0, sizeof(*res));
    res->outcome = AJPLB_OUT_CONNECT_ERROR;
    if (rt->pool == NULL) {
        char err[120];
        res->rv = rt->pool_rv;
        res->replayable = 1;
        ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: host '%s' could not be "
                   "resolved when this child started (%s): fix host= in "
                   "workers.properties or DNS, then restart httpd", w->name,
                   w->host, ajplb_strerror(rt->pool_rv, err, sizeof(err)));
        return 0;
    }
    for (attempt = 0; attempt < attempts; attempt++) {
        ajplb_conn_t *conn;
        apr_status_t rv;
        int reusable, reused;

        if (attempt > 0 && res->outcome == AJPLB_OUT_CONNECT_ERROR
            && w->retry_interval > 0) {
            apr_sleep(apr_time_from_msec(w->retry_interval));
        }
        rv = ajplb_pool_acquire(rt->pool, &conn);
        if (APR_STATUS_IS_TIMEUP(rv)) {
            ajplb_rlog(r, AJPLB_LOG_ERROR, "worker %s: no free connection "
                       "within connection_acquire_timeout=%dms (all %d in "
                       "use): raise connection_pool_size or look for slow "
                       "requests", w->name, w->connection_acquire_timeout,
                       w->connection_pool_size);
            res->outcome = AJPLB_OUT_CONNECT_ERROR;
            res->rv = rv;
            res->replayable = 1;
            res->cping_failed = 0;
            return 0;
        }
        if (rv != APR_SUCCESS) {
            res->outcome = AJPLB_OUT_CONNECT_ERROR;
            res->rv = rv;
            res->replayable = 1;
            res->cping_failed = 0;
            continue;
        }
        /* A pooled connection about to carry a request that must not run
         * twice is probed first when it sat idle: a connection the
         * backend dropped is then found before the request is sent. */
        if (ajplb_needs_probe(w, conn, idempotent)) {
            if (!ajplb_probe(r, w, rt, conn, res)) {
                continue;
            }
        }
        ajplb_exchange_run(conn, x, &h->io, res);
        ajplb_hctx_check_length(h, w->name, res);
        reusable = res->reusable && !(conf->options & AJPLB_OPT_DISABLEREUSE);
        if (res->outcome == AJPLB_OUT_OK && res->rv == AJPLB_EAFTEREND) {
            ajplb_rlog(r, AJPLB_LOG_WARN, "worker %s: bytes after "
                       "END_RESPONSE; connection closed", w->name);
        }
        if (res->outcome == AJPLB_OUT_OK && !res->reusable
            && res->rv == APR_SUCCESS) {
            ajplb_rlog(r, AJPLB_LOG_DEBUG, "worker %s: Tomcat asked to "
                       "close the connection", w->name);
        }
        /* Tomcat refuses a wrong or missing secret with a 403 (and its
         * error page) and closes the connection, which an application's
         * own 403 does not, and writes nothing in its own logs: without
         * this line the most common set-up mistake leaves no trace. */
        if (res->outcome == AJPLB_OUT_OK && res->status == 403
            && !res->reusable && res->rv == APR_SUCCESS) {
            ajplb_rlog(r, AJPLB_LOG_WARN, "worker %s: %s:%d answered %s "
                       "with 403 and closed the connection, as Tomcat does "
                       "when the secret does not match its AJP connector's: "
                       "check that worker.%s.secret equals the connector's "
                       "secret", w->name, w->host, w->port, r->uri,
                       w->name);
        }
        /* Read before the release: a released slot may be reaped (and
         * freed) or taken by another thread at once. */
        reused = conn->reused;
        ajplb_pool_release(rt->pool, conn, reusable);
        if (res->outcome == AJPLB_OUT_OK) {
            return 1;
        }
        /* A pooled connection that failed before any reply byte was most
         * likely closed by the backend while idle: try a fresh one, but
         * only when the request can be sent again unchanged and either
         * may run twice or not one byte of it was accepted by the
         * connection (T-G1: a write that failed half-way may have
         * delivered the request). */
        if ((res->outcome == AJPLB_OUT_SEND_ERROR
             || res->outcome == AJPLB_OUT_RECV_ERROR)
            && reused && !res->got_reply_bytes && !h->passed
            && !res->headers_seen && res->replayable
            && (idempotent || (res->outcome == AJPLB_OUT_SEND_ERROR
                               && res->sent == 0))) {
            ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: pooled connection "
                       "was closed by the backend; retrying %s on a new "
                       "one", w->name, r->uri);
            continue;
        }
        break;
    }
    ajplb_log_failure(r, w, res, x->reply_timeout);
    return 0;
}

/* "sec.usec" without printf machinery: this runs on every request. */
static const char *ajplb_duration_text(apr_pool_t *p, apr_time_t took)
{
    char *buf = apr_palloc(p, 32), *e = buf + 31;
    apr_int64_t sec = apr_time_sec(took);
    long usec = (long)apr_time_usec(took);
    int i;

    *e = '\0';
    for (i = 0; i < 6; i++, usec /= 10) {
        *--e = (char)('0' + usec % 10);
    }
    *--e = '.';
    do {
        *--e = (char)('0' + sec % 10);
        sec /= 10;
    } while (sec > 0 && e > buf);
    return e;
}

/* The worker named by the mapping, or by JK_WORKER_NAME for
 * "SetHandler jakarta-servlet" (";extensions" after the name ignored). */
static const char *ajplb_worker_name(request_rec *r,
                                     const ajplb_srv_conf_t *conf,
                                     const ajplb_req_conf_t *rc)
{
    const char *name, *semi;

    if (rc != NULL) {
        return rc->worker;
    }
    name = apr_table_get(r->subprocess_env,
                         ajplb_env_name(conf, AJPLB_ENV_WORKER));
    if (name == NULL) {
        name = apr_table_get(r->notes, "JK_WORKER_NAME");
    }
    if (name != NULL && (semi = strchr(name, ';')) != NULL) {
        name = apr_pstrmemdup(r->pool, name, semi - name);
    }
    return name;
}

int ajplb_handler(request_rec *r)
{
    ajplb_srv_conf_t *conf;
    ajplb_req_conf_t *rc;
    const ajplb_worker_t *w;
    const char *name, *v;
    ajplb_rt_worker_t *rt;
    ajplb_ajp_request_t areq;
    ajplb_exchange_t x;
    ajplb_exchange_result_t res;
    ajplb_replay_t replay;
    ajplb_hctx_t h;
    apr_off_t cl;
    apr_time_t start = apr_time_now(), took;
    apr_status_t rv;
    int status, ms;

    if (r->handler == NULL || (strcmp(r->handler, AJPLB_HANDLER) != 0
                               && strcmp(r->handler, AJPLB_MAGIC_TYPE) != 0)) {
        return DECLINED;
    }
    if (apr_table_get(r->subprocess_env, "no-jk") != NULL) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->server->module_config, &ajplb_module);
    rc = ap_get_module_config(r->request_config, &ajplb_module);
    name = ajplb_worker_name(r, conf, rc);
    w = name && ajplb_global.model ? ajplb_model_find(ajplb_global.model,
                                                      name) : NULL;
    if (w == NULL) {
        ajplb_rlog(r, AJPLB_LOG_ERROR, "no worker '%s' for %s: define it in "
                   "workers.properties and worker.list", name ? name : "",
                   r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_table_setn(r->notes, "JK_WORKER_NAME", w->name);
    apr_table_setn(r->notes, "JK_WORKER_TYPE",
                   ajplb_worker_type_name(w->type));

    status = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
    if (status != OK) {
        return status;
    }
    cl = r->read_chunked ? -1 : r->remaining;
    if (cl > 0 && apr_table_get(r->subprocess_env,
                                ajplb_env_name(conf, AJPLB_ENV_IGNORE_CL))) {
        /* The body's real length differs (e.g. mod_deflate inflating it):
         * let Tomcat ask for it packet by packet. */
        cl = -1;
    }
    ajplb_hctx_init(&h, r, conf);
    h.fail_on_status = w->fail_on_status;
    memset(&x, 0, sizeof(x));
    x.reply_timeout = apr_time_from_msec(w->reply_timeout);
    if (rc != NULL && rc->rule != NULL) {
        if (rc->rule->ext.fail_on_status != NULL) {
            h.fail_on_status = rc->rule->ext.fail_on_status;
        }
        if (rc->rule->ext.use_server_errors != AJPLB_UNSET) {
            h.use_server_errors = rc->rule->ext.use_server_errors;
        }
        if (rc->rule->ext.reply_timeout != AJPLB_UNSET) {
            x.reply_timeout = apr_time_from_msec(rc->rule->ext.reply_timeout);
            x.reply_timeout_fixed = 1;
        }
    }
    v = apr_table_get(r->subprocess_env, "JK_REPLY_TIMEOUT");
    if (v != NULL && ajplb_parse_int(v, 0, 86400000, &ms) == APR_SUCCESS) {
        x.reply_timeout = apr_time_from_msec(ms);
        x.reply_timeout_fixed = 1;
    }

    if (w->type == AJPLB_WORKER_STATUS) {
        return ajplb_status_handler(r, conf, w);
    }
    rt = apr_hash_get(ajplb_global.rt, w->name, APR_HASH_KEY_STRING);
    if (rt == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!ajplb_global.watchdog) {
        ajplb_maintain(start);
    }
    ajplb_build_request(r, conf, w, rc ? rc->orig_uri : r->uri, cl, &areq);
    x.req = &areq;
    x.content_length = cl;
    x.max_packet_size = (apr_size_t)w->max_packet_size;
    x.body_window = w->body_window;
    memset(&replay, 0, sizeof(replay));
    if (cl > 0) {
        /* Only a body of known length is kept for a retry (a chunked one
         * is sent as Tomcat asks for it); a GET reserves nothing. */
        replay.data = apr_palloc(r->pool, x.max_packet_size);
    }
    x.replay = &replay;

    if (cl > 0 && (rv = ajplb_exchange_prefetch(&x, &h.io, AJPLB_PREFETCH))
                  != APR_SUCCESS) {
        /* The client did not send the start of its body: its error, and
         * no backend connection or member was involved. */
        char err[120];
        memset(&res, 0, sizeof(res));
        res.outcome = AJPLB_OUT_CLIENT_ERROR;
        res.rv = rv;
        ajplb_rlog(r, AJPLB_LOG_INFO, "worker %s: the client sent no "
                   "complete body start for %s (%s); answering 400, no "
                   "backend involved", w->name, r->uri,
                   ajplb_strerror(rv, err, sizeof(err)));
    }
    else if (w->type == AJPLB_WORKER_LB) {
        ajplb_service_lb(r, conf, rt, rc, &x, &areq, &h, &res);
    }
    else {
        ajplb_shm_ajp_t *slot = rt->slot;

        apr_table_setn(r->notes, "JK_WORKER_ROUTE", w->route);
        if (slot != NULL) {
            ajplb_shm_ajp_begin(slot);
        }
        ajplb_service_ajp13(r, conf, rt, &x, &h, &res);
        if (slot != NULL) {
            ajplb_shm_ajp_end(slot, res.outcome == AJPLB_OUT_OK
                                    ? AJPLB_SHM_AJP_OK
                                    : (res.outcome == AJPLB_OUT_CLIENT_ERROR
                                       || res.outcome == AJPLB_OUT_TOO_BIG)
                                    ? AJPLB_SHM_AJP_CLIENT_ERROR
                                    : AJPLB_SHM_AJP_ERROR,
                              (apr_uint64_t)res.body_to_backend,
                              (apr_uint64_t)res.body_to_client);
        }
    }
    status = ajplb_finish_response(&h, &res);

    took = apr_time_now() - start;
    apr_table_setn(r->notes, "JK_REQUEST_DURATION",
                   ajplb_duration_text(r->pool, took));
    return status;
}
