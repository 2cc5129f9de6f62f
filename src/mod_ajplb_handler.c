/*
 * mod_ajplb_handler.c -- ADAPTER: the content handler.  Resolves the
 * worker, takes a pooled connection, runs the AJP exchange with callbacks
 * that read the client body and stream the reply into brigades, and turns
 * the outcome into an HTTP status and one log line an operator can act on.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include <apr_strings.h>

#include "mod_ajplb.h"
#include "mod_ajplb_request.h"
#include "mod_ajplb_handler.h"

APLOG_USE_MODULE(ajplb);

/* Pass the response on once this much is buffered: small replies then go
 * out in one piece (with a Content-Length httpd computes), big ones stream
 * with bounded memory. */
#define AJPLB_PASS_BYTES (64 * 1024)

static apr_status_t ajplb_pass(ajplb_hctx_t *h, int flush)
{
    apr_status_t rv;

    if (flush) {
        APR_BRIGADE_INSERT_TAIL(h->bb, apr_bucket_flush_create(
                                    h->r->connection->bucket_alloc));
    }
    h->passed = 1;
    h->buffered = 0;
    rv = ap_pass_brigade(h->r->output_filters, h->bb);
    apr_brigade_cleanup(h->bb);
    if (rv != APR_SUCCESS) {
        h->client_failed = 1;
    }
    return rv;
}

static apr_status_t ajplb_cb_read_body(void *baton, char *buf, apr_size_t len,
                                       apr_size_t *got)
{
    ajplb_hctx_t *h = baton;
    long n = ap_get_client_block(h->r, buf, len);

    if (n < 0) {
        h->client_failed = 1;
        *got = 0;
        return APR_EGENERAL;
    }
    *got = (apr_size_t)n;
    return APR_SUCCESS;
}

static int ajplb_status_listed(const apr_array_header_t *list, int status,
                               int *mark)
{
    int i;

    if (list == NULL) {
        return 0;
    }
    for (i = 0; i < list->nelts; i++) {
        int v = APR_ARRAY_IDX(list, i, int);
        if (v == status || v == -status) {
            *mark = v > 0;
            return 1;
        }
    }
    return 0;
}

static apr_status_t ajplb_cb_headers(void *baton, const ajplb_ajp_event_t *ev,
                                     ajplb_ajp_reply_t *rp)
{
    ajplb_hctx_t *h = baton;
    request_rec *r = h->r;
    ajplb_ajp_res_header_t hd;
    const char *p;
    int mark = 0;

    if (ajplb_status_listed(h->fail_on_status, ev->status, &mark)) {
        /* fail_on_status: Tomcat's answer is discarded. */
        h->failed_status = ev->status;
        h->failed_mark = mark;
        h->discard = 1;
        return APR_SUCCESS;
    }
    r->status = ev->status;
    r->status_line = NULL;
    if (ev->reason != NULL && ev->reason_len > 0) {
        for (p = ev->reason; *p >= '0' && *p <= '9'; p++) {
        }
        /* Tomcat sends the number as reason; httpd's own phrase is better
         * then.  A real phrase is kept. */
        if (*p != '\0') {
            r->status_line = apr_psprintf(r->pool, "%03d %s", ev->status,
                                          ev->reason);
        }
    }
    while (ajplb_ajp_reply_next_header(rp, &hd) == APR_SUCCESS) {
        const char *name = apr_pstrmemdup(r->pool, hd.name, hd.name_len);
        const char *value = apr_pstrmemdup(r->pool, hd.value, hd.value_len);

        if (strcasecmp(name, "Content-Type") == 0) {
            ap_set_content_type(r, value);
        }
        else if (strcasecmp(name, "Content-Length") == 0
                 || strcasecmp(name, "Transfer-Encoding") == 0) {
            /* httpd frames the response itself (CVE-2024-24795 class):
             * a backend's length never decides where it ends. */
            continue;
        }
        else {
            apr_table_addn(r->headers_out, name, value);
        }
    }
    h->no_body = r->header_only || ev->status == 204 || ev->status == 304
                 || ev->status < 200;
    if (h->use_server_errors > 0 && ev->status >= h->use_server_errors) {
        h->server_error = ev->status;
        h->discard = 1;
    }
    if (h->flush_header && !h->discard) {
        return ajplb_pass(h, 1);
    }
    return APR_SUCCESS;
}

static apr_status_t ajplb_cb_body(void *baton, const void *data,
                                  apr_size_t len)
{
    ajplb_hctx_t *h = baton;
    apr_status_t rv;

    if (h->discard || h->no_body) {
        return APR_SUCCESS;
    }
    if (len == 0) {
        return ajplb_pass(h, 1);
    }
    rv = apr_brigade_write(h->bb, NULL, NULL, data, len);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    h->buffered += len;
    h->body_bytes += len;
    if (h->flush_packets) {
        return ajplb_pass(h, 1);
    }
    if (h->buffered >= AJPLB_PASS_BYTES) {
        return ajplb_pass(h, 0);
    }
    return APR_SUCCESS;
}

/* The response was cut after part of it reached the client: make the
 * client see a broken response, never a complete-looking one. */
static void ajplb_abort_client(ajplb_hctx_t *h)
{
    request_rec *r = h->r;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;

    r->connection->keepalive = AP_CONN_CLOSE;
    apr_brigade_cleanup(h->bb);
    APR_BRIGADE_INSERT_TAIL(h->bb, ap_bucket_error_create(HTTP_BAD_GATEWAY,
                                                          NULL, r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(h->bb, apr_bucket_eos_create(ba));
    ap_pass_brigade(r->output_filters, h->bb);
    apr_brigade_cleanup(h->bb);
}

void ajplb_hctx_init(ajplb_hctx_t *h, request_rec *r,
                     const ajplb_srv_conf_t *conf)
{
    memset(h, 0, sizeof(*h));
    h->r = r;
    h->bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    h->flush_packets = (conf->options & AJPLB_OPT_FLUSHPACKETS) != 0;
    h->flush_header = (conf->options & AJPLB_OPT_FLUSHEADER) != 0;
    h->io.baton = h;
    h->io.read_body = ajplb_cb_read_body;
    h->io.headers = ajplb_cb_headers;
    h->io.body = ajplb_cb_body;
}

/* Drop what the backend put in the response before we answer ourselves. */
static void ajplb_reset_response(request_rec *r)
{
    apr_table_clear(r->headers_out);
    r->content_type = NULL;
    r->status_line = NULL;
    r->status = HTTP_OK;
}

int ajplb_finish_response(ajplb_hctx_t *h, const ajplb_exchange_result_t *res)
{
    request_rec *r = h->r;

    if (res->outcome == AJPLB_OUT_OK) {
        if (h->failed_status) {
            ajplb_reset_response(r);
            return HTTP_SERVICE_UNAVAILABLE;
        }
        if (h->server_error) {
            /* use_server_errors: httpd's error page, Tomcat's headers
             * (WWW-Authenticate for a 401) kept. */
            r->err_headers_out = apr_table_overlay(r->pool, r->err_headers_out,
                                                   r->headers_out);
            return h->server_error;
        }
        if (!h->passed && r->status >= 400 && h->body_bytes == 0
            && !r->header_only) {
            /* An error without a body: let httpd write one (mod_jk does
             * the same), keeping the backend's headers. */
            int status = r->status;
            r->err_headers_out = apr_table_overlay(r->pool, r->err_headers_out,
                                                   r->headers_out);
            ajplb_reset_response(r);
            return status;
        }
        if (!h->passed) {
            /* The whole answer is in this brigade (at most
             * AJPLB_PASS_BYTES): have the core filter write it now, while
             * the handler runs.  Otherwise it waits for httpd's end-of-
             * request bucket, after httpd has looked for a pipelined
             * request -- too early for the client to have sent one, so
             * every keep-alive request paid an EAGAIN read and a trip
             * through the MPM's poll (bench/profile.sh: 2 system calls
             * per request; a static file does not pay them). */
            APR_BRIGADE_INSERT_TAIL(h->bb, apr_bucket_flush_create(
                                        r->connection->bucket_alloc));
        }
        APR_BRIGADE_INSERT_TAIL(h->bb, apr_bucket_eos_create(
                                    r->connection->bucket_alloc));
        ajplb_pass(h, 0);
        return OK;
    }
    if (h->passed) {
        if (res->outcome != AJPLB_OUT_CLIENT_ERROR) {
            ajplb_abort_client(h);
        }
        else {
            r->connection->keepalive = AP_CONN_CLOSE;
        }
        return OK;
    }
    ajplb_reset_response(r);
    switch (res->outcome) {
    case AJPLB_OUT_TOO_BIG:
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    case AJPLB_OUT_CLIENT_ERROR:
        return HTTP_BAD_REQUEST;
    case AJPLB_OUT_CONNECT_ERROR:
    case AJPLB_OUT_SEND_ERROR:
        return HTTP_SERVICE_UNAVAILABLE;
    case AJPLB_OUT_TIMEOUT:
        return HTTP_GATEWAY_TIME_OUT;
    default:
        return HTTP_BAD_GATEWAY;
    }
}
