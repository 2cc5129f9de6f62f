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

#endif /* MOD_AJPLB_STATUS_H */
