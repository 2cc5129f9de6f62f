/*
 * mod_ajplb_handler.h -- ADAPTER: per-request response state shared by the
 * handler and the worker services (ajp13, lb).
 */
#ifndef MOD_AJPLB_HANDLER_H
#define MOD_AJPLB_HANDLER_H

#include "mod_ajplb.h"

typedef struct {
    request_rec *r;
    ajplb_exchange_io_t io;
    apr_bucket_brigade *bb;
    apr_size_t buffered;        /* bytes in bb not yet passed */
    apr_off_t body_bytes;       /* response body bytes taken */
    int passed;                 /* something went down the filters */
    int no_body;                /* HEAD, 204, 304 */
    int discard;                /* response replaced by our own */
    int flush_packets;
    int flush_header;
    int client_failed;
    int use_server_errors;      /* rule extension, 0 = off */
    int server_error;           /* status to answer with httpd's page */
    const apr_array_header_t *fail_on_status;
    int failed_status;          /* fail_on_status matched this status */
    int failed_mark;            /* ... and it puts the member in error */
    apr_off_t length;           /* backend Content-Length the body is held
                                 * to, -1 none (or not enforced) */
    int bad_length;             /* the body ran past it */
} ajplb_hctx_t;

void ajplb_hctx_init(ajplb_hctx_t *h, request_rec *r,
                     const ajplb_srv_conf_t *conf);

/**
 * After each exchange: when the body did not match the backend's
 * Content-Length, log it and turn @a res into a protocol error on a
 * connection that is not reused.
 */
void ajplb_hctx_check_length(ajplb_hctx_t *h, const char *worker,
                             ajplb_exchange_result_t *res);

/**
 * Finish the response after the last attempt: pass EOS, or answer with
 * the status that fits the outcome, or break the client connection when
 * part of the reply already went out.  @return the handler's status.
 */
int ajplb_finish_response(ajplb_hctx_t *h, const ajplb_exchange_result_t *res);

#endif /* MOD_AJPLB_HANDLER_H */
