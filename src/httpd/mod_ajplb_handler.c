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

/* Hold an answer up to this much: small replies then go out in one piece
 * (with a Content-Length httpd computes) and can be replaced on failover;
 * past it, or with a Content-Length over it, the answer streams packet
 * by packet (ajplb_streams). */
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

/* RFC 9110 reason-phrase: HTAB, SP, VCHAR, obs-text.  CR, LF and NUL
 * never get here (the parser refuses the packet); any other control byte
 * makes the phrase unusable.  A phrase of digits only is Tomcat's default
 * (the code again), where httpd's phrase says more. */
static int ajplb_reason_usable(const char *s, apr_size_t len)
{
    apr_size_t i;
    int digits = 1;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return 0;
        }
        if (c < '0' || c > '9') {
            digits = 0;
        }
    }
    return len > 0 && !digits;
}

/* The status line httpd should send when the backend's phrase is not
 * used.  NULL lets httpd pick its own for a code it knows; for one it does
 * not know (299, 599) httpd would fall back to "500 Internal Server Error"
 * on HTTP/1.x, so the line names the real code. */
static const char *ajplb_std_status_line(request_rec *r, int status)
{
    if (status == HTTP_INTERNAL_SERVER_ERROR
        || ap_index_of_response(status)
           != ap_index_of_response(HTTP_INTERNAL_SERVER_ERROR)) {
        return NULL;
    }
    return ap_get_status_line_ex(r->pool, status);
}

/* What the adapter does with one backend response header. */
typedef enum {
    AJPLB_RH_PASS = 0,      /* to the client as is */
    AJPLB_RH_TYPE,          /* Content-Type: r->content_type */
    AJPLB_RH_LENGTH,        /* Content-Length: checked, then enforced */
    AJPLB_RH_CONNECTION,    /* hop-by-hop, and names more of them */
    AJPLB_RH_HOP            /* hop-by-hop: never reaches the client */
} ajplb_rh_kind_e;

/* Coded headers are never hop-by-hop; a named one is judged by its
 * length first, so the usual header costs no string compare. */
static ajplb_rh_kind_e ajplb_rh_kind(const ajplb_ajp_res_header_t *hd)
{
    const char *n = hd->name;

    if (hd->code != 0) {
        return hd->code == 0xA001 ? AJPLB_RH_TYPE
               : hd->code == 0xA003 ? AJPLB_RH_LENGTH : AJPLB_RH_PASS;
    }
    switch (hd->name_len) {
    case 2:
        return strcasecmp(n, "TE") == 0 ? AJPLB_RH_HOP : AJPLB_RH_PASS;
    case 7:
        return strcasecmp(n, "Upgrade") == 0 || strcasecmp(n, "Trailer") == 0
               ? AJPLB_RH_HOP : AJPLB_RH_PASS;
    case 10:
        return strcasecmp(n, "Connection") == 0 ? AJPLB_RH_CONNECTION
               : strcasecmp(n, "Keep-Alive") == 0 ? AJPLB_RH_HOP
               : AJPLB_RH_PASS;
    case 12:
        return strcasecmp(n, "Content-Type") == 0 ? AJPLB_RH_TYPE
                                                  : AJPLB_RH_PASS;
    case 14:
        return strcasecmp(n, "Content-Length") == 0 ? AJPLB_RH_LENGTH
                                                    : AJPLB_RH_PASS;
    case 16:
        return strcasecmp(n, "Proxy-Connection") == 0 ? AJPLB_RH_HOP
                                                      : AJPLB_RH_PASS;
    case 17:
        return strcasecmp(n, "Transfer-Encoding") == 0 ? AJPLB_RH_HOP
                                                       : AJPLB_RH_PASS;
    default:
        return AJPLB_RH_PASS;
    }
}

/* A Content-Length the client may be given: digits only, at most 18 of
 * them (no overflow).  @return the length, or -1. */
static apr_off_t ajplb_parse_length(const char *s, apr_size_t len)
{
    apr_off_t v = 0;
    apr_size_t i;

    if (len == 0 || len > 18) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Drop the headers a backend's Connection header names (RFC 9110 7.6.1),
 * as mod_proxy does.  Naming Content-Length drops the length too. */
static void ajplb_drop_listed(request_rec *r, const char *list,
                              apr_off_t *cl)
{
    while (*list != '\0') {
        apr_size_t n;
        const char *name;

        list += strspn(list, ", \t");
        n = strcspn(list, ", \t");
        if (n == 0) {
            break;
        }
        name = apr_pstrmemdup(r->pool, list, n);
        if (strcasecmp(name, "Content-Length") == 0) {
            *cl = -1;
        }
        apr_table_unset(r->headers_out, name);
        list += n;
    }
}

static apr_status_t ajplb_cb_headers(void *baton, const ajplb_ajp_event_t *ev,
                                     ajplb_ajp_reply_t *rp)
{
    ajplb_hctx_t *h = baton;
    request_rec *r = h->r;
    ajplb_ajp_res_header_t hd;
    const char *connection = NULL, *cl_text = NULL;
    apr_off_t cl = -1;
    int mark = 0, lengths = 0;

    h->length = -1;
    h->bad_length = 0;
    if (ajplb_status_listed(h->fail_on_status, ev->status, &mark)) {
        /* fail_on_status: Tomcat's answer is discarded. */
        h->failed_status = ev->status;
        h->failed_mark = mark;
        h->discard = 1;
        return APR_SUCCESS;
    }
    /* Any code 200-599 reaches the client as sent (the parser refused the
     * rest), with the backend's phrase only when it is clean (T-B7). */
    r->status = ev->status;
    if (ev->reason != NULL && ajplb_reason_usable(ev->reason,
                                                  ev->reason_len)) {
        r->status_line = apr_psprintf(r->pool, "%03d %s", ev->status,
                                      ev->reason);
    }
    else {
        r->status_line = ajplb_std_status_line(r, ev->status);
    }
    while (ajplb_ajp_reply_next_header(rp, &hd) == APR_SUCCESS) {
        ajplb_rh_kind_e kind = ajplb_rh_kind(&hd);
        const char *name, *value;

        if (kind == AJPLB_RH_HOP) {
            /* Hop-by-hop: the backend's connection is not the client's;
             * Transfer-Encoding also never frames the answer (T-B9). */
            continue;
        }
        value = apr_pstrmemdup(r->pool, hd.value, hd.value_len);
        switch (kind) {
        case AJPLB_RH_TYPE:
            /* Untrusted: never selects a handler (T-B8b). */
            ap_set_content_type_ex(r, value, 0);
            continue;
        case AJPLB_RH_LENGTH:
            /* Kept when it is one clean number; then enforced. */
            cl = lengths++ == 0 ? ajplb_parse_length(value, hd.value_len)
                                : -1;
            cl_text = value;
            continue;
        case AJPLB_RH_CONNECTION:
            connection = connection == NULL ? value
                         : apr_pstrcat(r->pool, connection, ",", value,
                                       NULL);
            continue;
        default:
            break;
        }
        /* A coded header's name is a static string of the code table. */
        name = hd.code != 0 ? hd.name
               : apr_pstrmemdup(r->pool, hd.name, hd.name_len);
        apr_table_addn(r->headers_out, name, value);
    }
    if (connection != NULL) {
        ajplb_drop_listed(r, connection, &cl);
    }
    h->no_body = r->header_only || ev->status == 204 || ev->status == 304;
    if (h->use_server_errors > 0 && ev->status >= h->use_server_errors) {
        h->server_error = ev->status;
        h->discard = 1;
    }
    if (cl >= 0 && !h->discard && ev->status != 204 && ev->status != 304) {
        /* The application's length goes out (HEAD included), so the
         * client can tell a cut answer from a whole one; the body is held
         * to it (ajplb_hctx_check_length). */
        apr_table_setn(r->headers_out, "Content-Length",
                       cl_text[0] != '0' || cl_text[1] == '\0' ? cl_text
                       : apr_off_t_toa(r->pool, cl));
        r->clength = cl;
        if (!h->no_body) {
            h->length = cl;
        }
    }
    if (h->flush_header && !h->discard) {
        return ajplb_pass(h, 1);
    }
    return APR_SUCCESS;
}

/* An answer that may fit in 64 KiB is held until END_RESPONSE, so that a
 * member failing mid-answer is replaced without the client seeing
 * anything (docs/BALANCER.md section 5).  One that cannot be held whole
 * streams: part of it went out already, or its Content-Length says it
 * cannot fit (holding its first 64 KiB would only move where it can be
 * cut). */
static int ajplb_streams(const ajplb_hctx_t *h)
{
    return h->passed || h->length > AJPLB_PASS_BYTES;
}

/* The exchange read all it has and is about to wait for the backend.  A
 * body whole by its Content-Length goes out now, flushed: the answer is
 * complete whatever comes after.  A streaming answer's tail goes too,
 * unflushed (httpd's core output filter writes what the socket takes
 * without blocking, and keeps a tail under 4 KiB for the next pass, as it
 * does for mod_jk's writes). */
static apr_status_t ajplb_cb_drained(void *baton)
{
    ajplb_hctx_t *h = baton;
    int whole = h->length >= 0 && h->body_bytes == h->length;

    if (h->buffered == 0 || !(whole || ajplb_streams(h))) {
        return APR_SUCCESS;
    }
    return ajplb_pass(h, whole);
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
    if (h->length >= 0 && (apr_off_t)len > h->length - h->body_bytes) {
        /* More than the backend announced: nothing past the length may
         * reach the client (the exchange ends here, the connection is
         * closed, ajplb_hctx_check_length reports it). */
        h->bad_length = 1;
        return AJPLB_EBADBODYLEN;
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
    if (ajplb_streams(h)) {
        /* Each packet as it comes, as mod_jk writes them.  Measured with
         * Tomcat on the other CPU of this VM (docs/BENCHMARKS.md, issue
         * #13): 100 KiB answers 8,131 -> 8,836 req/s and Tomcat's CPU per
         * request -12 % against passing every 64 KiB.  A thread that waits
         * on the backend with nothing to do costs the backend a wake-up;
         * where the other CPU is idle and the guest does not halt-poll,
         * that is an interrupt and a VM exit on the backend's CPU. */
        return ajplb_pass(h, 0);
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
    h->length = -1;
    h->flush_packets = (conf->options & AJPLB_OPT_FLUSHPACKETS) != 0;
    h->flush_header = (conf->options & AJPLB_OPT_FLUSHEADER) != 0;
    h->io.baton = h;
    h->io.read_body = ajplb_cb_read_body;
    h->io.headers = ajplb_cb_headers;
    h->io.body = ajplb_cb_body;
    h->io.drained = ajplb_cb_drained;
}

void ajplb_hctx_check_length(ajplb_hctx_t *h, const char *worker,
                             ajplb_exchange_result_t *res)
{
    if (h->length < 0 || h->discard || h->no_body
        || (!h->bad_length && (res->outcome != AJPLB_OUT_OK
                               || h->body_bytes == h->length))) {
        return;
    }
    /* The backend's own framing is wrong: a backend fault, so the member's
     * connection is closed and the client must not get a complete-looking
     * answer (ajplb_finish_response: 502, or a broken-off connection). */
    ajplb_rlog(h->r, AJPLB_LOG_ERROR, "worker %s: the reply to %s announced "
               "Content-Length %" APR_OFF_T_FMT " but the body %s; client "
               "connection aborted, backend connection closed: fix the "
               "application's Content-Length", worker, h->r->uri, h->length,
               h->bad_length ? "was longer" : apr_psprintf(h->r->pool,
               "ended after %" APR_OFF_T_FMT " bytes", h->body_bytes));
    res->outcome = AJPLB_OUT_PROTOCOL_ERROR;
    res->rv = AJPLB_EBADBODYLEN;
    res->reusable = 0;
}

/* Drop what the backend put in the response before we answer ourselves. */
static void ajplb_reset_response(request_rec *r)
{
    apr_table_clear(r->headers_out);
    r->content_type = NULL;
    r->status_line = NULL;
    r->status = HTTP_OK;
    r->clength = 0;
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
             * (WWW-Authenticate for a 401) kept.  This is also how an
             * admin gets httpd's page for an error Tomcat sent without a
             * body: by default the application's answer goes out as is,
             * empty body included. */
            r->err_headers_out = apr_table_overlay(r->pool, r->err_headers_out,
                                                   r->headers_out);
            r->status_line = ajplb_std_status_line(r, h->server_error);
            return h->server_error;
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
