/*
 * mod_ajplb_status.h -- ADAPTER: the status worker's request handler
 * (authorisation, nonce, POST parsing, locking and logging of changes).
 */
#ifndef MOD_AJPLB_STATUS_H
#define MOD_AJPLB_STATUS_H

#include "mod_ajplb.h"

/**
 * Serve request @a r with status worker @a w: read-only views by GET or
 * POST; changes (update, reset, recover) only by POST with the page's
 * nonce, from the same origin, on a worker with read_only=false.
 * The caller has run ap_setup_client_block().
 * @return OK or an HTTP status for httpd to answer with
 */
int ajplb_status_handler(request_rec *r, const ajplb_srv_conf_t *conf,
                         const ajplb_worker_t *w);

/**
 * Configtest warning (T-G8): a status worker with read_only=false and no
 * user= list whose mount no <Location>/<LocationMatch> with a Require
 * (or Allow/Deny) covers lets anyone who reaches the server change the
 * balancer.  Reads ap_conftree; one warning per mount line.  Call after
 * ajplb_build_maps().
 */
void ajplb_status_check_config(apr_pool_t *p, server_rec *s,
                               ajplb_diags_t *d);

#endif /* MOD_AJPLB_STATUS_H */
