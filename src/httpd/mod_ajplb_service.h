/*
 * mod_ajplb_service.h -- ADAPTER: serving a request with an ajp13 worker.
 */
#ifndef MOD_AJPLB_SERVICE_H
#define MOD_AJPLB_SERVICE_H

#include "mod_ajplb.h"
#include "mod_ajplb_handler.h"

/** 1 for methods that may be repeated (GET, HEAD, PUT, DELETE, OPTIONS,
 *  TRACE). */
int ajplb_is_idempotent(const request_rec *r);

/**
 * Serve the request with ajp13 worker @a rt: up to `retries` attempts,
 * retrying only where it cannot duplicate work.  Logs the final failure.
 * @return 1 on success (res->outcome OK), 0 otherwise.
 */
int ajplb_service_ajp13(request_rec *r, const ajplb_srv_conf_t *conf,
                        ajplb_rt_worker_t *rt, ajplb_exchange_t *x,
                        ajplb_hctx_t *h, ajplb_exchange_result_t *res);

/**
 * How long a CPing on @a w waits for its CPong: connect_timeout after a
 * new connection, prepost_timeout on a pooled one, ping_timeout when the
 * one that applies is 0.
 */
apr_interval_time_t ajplb_cping_timeout(const ajplb_worker_t *w,
                                        int after_connect);

/**
 * Ask member @a rt whether it is alive after a request on it failed in a
 * way a client could have caused (reply timeout, reset, malformed reply):
 * a connection and a CPing within the connect budget.
 * @return 1 alive, 0 down (connect or CPing failed), -1 cannot tell (no
 *         free connection slot)
 */
int ajplb_service_check(request_rec *r, ajplb_rt_worker_t *rt);

#endif /* MOD_AJPLB_SERVICE_H */
