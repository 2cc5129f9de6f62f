/*
 * mod_ajplb_lb.h -- ADAPTER: serving a request with an lb worker.
 */
#ifndef MOD_AJPLB_LB_H
#define MOD_AJPLB_LB_H

#include "mod_ajplb.h"
#include "mod_ajplb_handler.h"

/**
 * Serve the request through balancer @a lrt: pick a member (sticky, else
 * by method), run its ajp13 service, fail over where safe.  @a areq is the
 * request built for the lb; its secret, route and activation are set per
 * member.  @return 1 on success, 0 otherwise (res says why).
 */
int ajplb_service_lb(request_rec *r, const ajplb_srv_conf_t *conf,
                     ajplb_rt_worker_t *lrt, const ajplb_req_conf_t *rc,
                     ajplb_exchange_t *x, ajplb_ajp_request_t *areq,
                     ajplb_hctx_t *h, ajplb_exchange_result_t *res);

/* Traffic management (mod_ajplb_health.c). */

/** One mod_jk.log line for transition @a ev; @a detail: last status. */
void ajplb_traffic_log(server_rec *s, const ajplb_lb_t *lb,
                       const ajplb_lb_event_t *ev, const char *detail);

/** Time-driven transitions, at most once a second over all processes. */
void ajplb_traffic_tick(ajplb_lb_t *lb, apr_time_t now);

/** Outlier detection after an attempt on member @a i ended as @a res. */
void ajplb_traffic_observe(request_rec *r, ajplb_lb_t *lb, int i,
                           const ajplb_exchange_result_t *res);

/** post_config: the singleton watchdog, when any lb uses the features. */
apr_status_t ajplb_health_setup(apr_pool_t *pconf, server_rec *s);

#endif /* MOD_AJPLB_LB_H */
