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

#endif /* MOD_AJPLB_SERVICE_H */
