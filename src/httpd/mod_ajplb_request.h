/*
 * mod_ajplb_request.h -- ADAPTER: request_rec -> ajplb_ajp_request_t.
 */
#ifndef MOD_AJPLB_REQUEST_H
#define MOD_AJPLB_REQUEST_H

#include "mod_ajplb.h"

/**
 * Fill @a req from @a r for worker @a w.  @a orig_uri is r->uri as it was
 * before mapping; @a content_length is > 0, 0 (no body) or -1 (unknown).
 * Everything is allocated from r->pool.
 */
apr_status_t ajplb_build_request(request_rec *r, const ajplb_srv_conf_t *conf,
                                 const ajplb_worker_t *w, const char *orig_uri,
                                 apr_off_t content_length,
                                 ajplb_ajp_request_t *req);

#endif /* MOD_AJPLB_REQUEST_H */
