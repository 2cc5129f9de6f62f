/*
 * ajplb_exchange.c -- one AJP13 exchange on a pooled connection.
 * Core layer: APR only, never logs.  The adapter supplies client I/O as
 * callbacks and turns the outcome into an HTTP status and a log line.
 */
#include <apr_strings.h>

#include "ajplb_config.h"
#include "ajplb_exchange.h"

/* Read buffer per connection: several packets per recv() on big replies. */
#define AJPLB__RBUF_SIZE (64 * 1024)

/* Per-connection codec state, allocated once from conn->pool.
 *
 * Memory: every pooled connection keeps these buffers, and at high
 * concurrency there is a connection per busy thread and member, so what
 * counts is the pages a connection touches, not the bytes it reserves
 * (untouched pages of an allocation take no memory).  The buffers are one
 * allocation, and the FORWARD_REQUEST and the reply parser share one
 * packet buffer: the request (or CPing) is written out whole before the
 * first reply byte is read, and nothing writes it again until the next
 * exchange.  A small GET then touches the start of that buffer and of
 * rbuf, and the body packet buffer only when there is a body.  The small
 * structures are allocated first, so they land in the page the
 * connection's pool already touched for itself, and the block last (what
 * is allocated after it would go into the tail of its last page).  Measured
 * with 1,024 clients each holding a connection (docs/BENCHMARKS.md): the
 * separate buffers cost about 11 KiB more per backend connection. */
typedef struct {
    apr_size_t max_packet;
    ajplb_msg_t *req;           /* FORWARD_REQUEST, CPing: &out */
    ajplb_msg_t *body;          /* request body packets: &body_msg */
    ajplb_ajp_reply_t *rp;      /* reads into &in, which shares out's
                                 * buffer */
    ajplb_msg_t out, in, body_msg;
    ajplb_msg_t *ahead[AJPLB_BODY_WINDOW_MAX];  /* body_window packets,
                                                 * created when first used */
    char *rbuf;
    apr_size_t rlen;            /* bytes in rbuf */
    apr_size_t rpos;            /* bytes of rbuf already fed */
} ajplb__xconn_t;

/* State of one run. */
typedef struct {
    ajplb_conn_t *conn;
    ajplb__xconn_t *xc;
    const ajplb_exchange_t *x;
    const ajplb_exchange_io_t *io;
    ajplb_exchange_result_t *res;
    apr_off_t body_left;        /* client body still to read; -1 unknown */
    int body_done;              /* the client body is exhausted */
    int beyond_replay;          /* client bytes sent past the replay data */
    int ahead;                  /* body packets sent that the backend has
                                 * not asked for yet */
    int full_asks;              /* the backend asks for whole packets, so
                                 * packets sent ahead fit what it asks */
    ajplb_msg_t *held;          /* the body's last, short packet: read, but
                                 * sent only when asked for */
    apr_size_t held_len;
} ajplb__run_t;

const char *ajplb_outcome_name(ajplb_outcome_e outcome)
{
    switch (outcome) {
    case AJPLB_OUT_OK:
        return "ok";
    case AJPLB_OUT_CLIENT_ERROR:
        return "client error";
    case AJPLB_OUT_TOO_BIG:
        return "request too large";
    case AJPLB_OUT_CONNECT_ERROR:
        return "connect error";
    case AJPLB_OUT_SEND_ERROR:
        return "send error";
    case AJPLB_OUT_RECV_ERROR:
        return "receive error";
    case AJPLB_OUT_PROTOCOL_ERROR:
        return "protocol error";
    case AJPLB_OUT_TIMEOUT:
        return "reply timeout";
    }
    return "unknown";
}

static apr_status_t ajplb__xconn_get(ajplb_conn_t *conn, apr_size_t max_packet,
                                     ajplb__xconn_t **out)
{
    ajplb__xconn_t *xc = conn->codec;
    char *blk;

    if (xc != NULL && xc->max_packet == max_packet) {
        *out = xc;
        return APR_SUCCESS;
    }
    if (!ajplb_msg_size_is_valid(max_packet)) {
        return AJPLB_EPKTSIZE;
    }
    xc = apr_pcalloc(conn->pool, sizeof(*xc));
    xc->max_packet = max_packet;
    ajplb_ajp_reply_create_on(conn->pool, &xc->in, &xc->rp);
    /* [packet: request, then reply][rbuf][body packet]: see the type. */
    blk = apr_palloc(conn->pool, 2 * max_packet + AJPLB__RBUF_SIZE);
    ajplb_msg_init(&xc->out, blk, max_packet);
    ajplb_msg_init(&xc->in, blk, max_packet);
    ajplb_msg_init(&xc->body_msg, blk + max_packet + AJPLB__RBUF_SIZE,
                   max_packet);
    xc->req = &xc->out;
    xc->body = &xc->body_msg;
    xc->rbuf = blk + max_packet;
    conn->codec = xc;
    *out = xc;
    return APR_SUCCESS;
}

/* Send every byte of the iovecs, resuming after partial writes.  Every
 * byte the kernel accepted is added to *accepted, also when a later write
 * fails: a request of which one byte left may have reached the backend,
 * and only one of which none left may be sent again unasked. */
static apr_status_t ajplb__send_all(apr_socket_t *sock, struct iovec *iov,
                                    int n, apr_size_t *accepted)
{
    while (n > 0) {
        apr_size_t sent = 0;
        apr_status_t rv = apr_socket_sendv(sock, iov, n, &sent);

        *accepted += sent;
        if (rv != APR_SUCCESS) {
            return rv;
        }
        while (n > 0 && sent >= iov->iov_len) {
            sent -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + sent;
            iov->iov_len -= sent;
        }
    }
    return APR_SUCCESS;
}

/* Read up to @a want client body bytes into @a buf, as many reads as it
 * takes; *got < want only at the end of the body. */
static apr_status_t ajplb__read_client(ajplb__run_t *run, char *buf,
                                       apr_size_t want, apr_size_t *got)
{
    apr_size_t total = 0;

    if (run->body_left >= 0 && (apr_off_t)want > run->body_left) {
        want = (apr_size_t)run->body_left;
    }
    while (total < want && !run->body_done) {
        apr_size_t n = 0;
        apr_status_t rv = run->io->read_body(run->io->baton, buf + total,
                                             want - total, &n);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (n == 0) {
            if (run->body_left > 0) {
                /* Fewer bytes than Content-Length promised. */
                return APR_INCOMPLETE;
            }
            run->body_done = 1;
            break;
        }
        total += n;
        if (run->body_left >= 0) {
            run->body_left -= (apr_off_t)n;
            if (run->body_left == 0) {
                run->body_done = 1;
            }
        }
    }
    *got = total;
    return APR_SUCCESS;
}

static void ajplb__fail(ajplb__run_t *run, ajplb_outcome_e outcome,
                        apr_status_t rv)
{
    run->res->outcome = outcome;
    run->res->rv = rv;
    run->res->reusable = 0;
}

/* Fill the replay buffer with the first body packet's data, from the
 * client the first time and from the buffer on a retry. */
static apr_status_t ajplb__first_body(ajplb__run_t *run)
{
    ajplb_replay_t *rep = run->x->replay;
    apr_size_t room = run->xc->max_packet - AJPLB_AJP_BODY_OVERHEAD;
    apr_status_t rv;

    if (rep->filled) {
        run->body_left -= (apr_off_t)rep->len;
        if (run->body_left <= 0) {
            run->body_done = 1;
        }
        return APR_SUCCESS;
    }
    rv = ajplb__read_client(run, rep->data, room, &rep->len);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rep->filled = 1;
    rep->complete = run->body_done;
    return APR_SUCCESS;
}

apr_status_t ajplb_exchange_prefetch(const ajplb_exchange_t *x,
                                    const ajplb_exchange_io_t *io,
                                    apr_size_t max)
{
    ajplb_replay_t *rep = x->replay;
    ajplb__run_t run;
    apr_status_t rv;

    if (rep == NULL || rep->data == NULL || rep->filled
        || x->content_length <= 0) {
        return APR_SUCCESS;
    }
    if (max > x->max_packet_size - AJPLB_AJP_BODY_OVERHEAD) {
        max = x->max_packet_size - AJPLB_AJP_BODY_OVERHEAD;
    }
    memset(&run, 0, sizeof(run));
    run.x = x;
    run.io = io;
    run.body_left = x->content_length;
    rv = ajplb__read_client(&run, rep->data, max, &rep->len);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rep->filled = 1;
    rep->complete = run.body_done;
    return APR_SUCCESS;
}

/* Send the request, and with a known Content-Length the first body packet
 * in the same write (Tomcat expects it unasked). */
static int ajplb__send_request(ajplb__run_t *run)
{
    ajplb__xconn_t *xc = run->xc;
    struct iovec iov[2];
    int n = 1;
    apr_status_t rv;

    rv = ajplb_ajp_forward_request(xc->req, run->x->req);
    if (rv == AJPLB_ETOOBIG) {
        /* Nothing was sent: the connection stays clean. */
        run->res->outcome = AJPLB_OUT_TOO_BIG;
        run->res->rv = rv;
        run->res->reusable = 1;
        return 0;
    }
    if (rv != APR_SUCCESS) {
        run->res->outcome = AJPLB_OUT_CLIENT_ERROR;
        run->res->rv = rv;
        run->res->reusable = 1;
        return 0;
    }
    iov[0].iov_base = xc->req->buf;
    iov[0].iov_len = xc->req->len;
    if (run->x->content_length > 0) {
        rv = ajplb__first_body(run);
        if (rv != APR_SUCCESS) {
            run->res->outcome = AJPLB_OUT_CLIENT_ERROR;
            run->res->rv = rv;
            run->res->reusable = 1;
            return 0;
        }
        rv = ajplb_ajp_body_packet(xc->body, run->x->replay->data,
                                   run->x->replay->len);
        if (rv != APR_SUCCESS) {
            ajplb__fail(run, AJPLB_OUT_TOO_BIG, rv);
            run->res->reusable = 1;
            return 0;
        }
        iov[1].iov_base = xc->body->buf;
        iov[1].iov_len = xc->body->len;
        n = 2;
        run->res->body_to_backend += (apr_off_t)run->x->replay->len;
    }
    rv = ajplb__send_all(run->conn->sock, iov, n, &run->res->sent);
    if (rv != APR_SUCCESS) {
        ajplb__fail(run, AJPLB_OUT_SEND_ERROR, rv);
        return 0;
    }
    return 1;
}

/* Fill @a msg with the next client bytes (up to @a want), or make it the
 * empty packet that ends the body.  *got says how many. */
static int ajplb__body_packet(ajplb__run_t *run, ajplb_msg_t *msg,
                              apr_size_t want, apr_size_t *got)
{
    apr_byte_t *space;
    apr_size_t room;
    apr_status_t rv;

    *got = 0;
    ajplb_ajp_body_space(msg, &space, &room);
    if (want > room) {
        want = room;
    }
    if (!run->body_done && want > 0) {
        rv = ajplb__read_client(run, (char *)space, want, got);
        if (rv != APR_SUCCESS) {
            ajplb__fail(run, AJPLB_OUT_CLIENT_ERROR, rv);
            return 0;
        }
        if (*got > 0) {
            run->beyond_replay = 1;
        }
    }
    rv = ajplb_ajp_body_commit(msg, *got);
    if (rv != APR_SUCCESS) {
        ajplb__fail(run, AJPLB_OUT_PROTOCOL_ERROR, rv);
        return 0;
    }
    return 1;
}

/* Answer GET_BODY_CHUNK (@a asked) with the next client bytes, or an empty
 * packet once the body is exhausted (never block on a client that has
 * nothing more), and with body_window keep that many packets in flight
 * ahead of the backend's asks, written together with the answer.
 * Why: each ask is a round trip with Tomcat idle until the packet comes;
 * Tomcat reads the packets sent ahead as the answers to its next asks.
 * Only once the backend has asked for a whole packet, so no packet sent
 * ahead is larger than an ask; the asks that find their packet already
 * sent are counted off in ajplb__on_event.  Only whole packets go ahead:
 * if the backend answers without reading them, it takes the next one for
 * a new message, and a whole packet's first byte (its length's high
 * byte, 0x1F at 8192, never below 0x1F) is no AJP message type, so
 * Tomcat closes the connection (as we do); a short last packet of
 * 512-767 bytes would start with 0x02, FORWARD_REQUEST, and have the
 * client's bytes parsed as a request.  The last packet waits its ask. */
static int ajplb__send_body(ajplb__run_t *run, int asked, apr_size_t want)
{
    ajplb__xconn_t *xc = run->xc;
    struct iovec iov[1 + AJPLB_BODY_WINDOW_MAX];
    apr_size_t got, room = xc->max_packet - AJPLB_AJP_BODY_OVERHEAD;
    apr_off_t bytes = 0;
    int n = 0, extra = 0;
    apr_status_t rv;

    if (asked && run->held != NULL) {
        iov[n].iov_base = run->held->buf;
        iov[n++].iov_len = run->held->len;
        bytes += (apr_off_t)run->held_len;
        run->held = NULL;
    }
    else if (asked) {
        if (!ajplb__body_packet(run, xc->body, want, &got)) {
            return 0;
        }
        iov[n].iov_base = xc->body->buf;
        iov[n++].iov_len = xc->body->len;
        bytes += (apr_off_t)got;
    }
    while (run->full_asks && !run->body_done
           && run->ahead + extra < run->x->body_window) {
        /* Sent packets are in the kernel: the slots are free again. */
        ajplb_msg_t **m = &xc->ahead[extra];

        if (*m == NULL && (rv = ajplb_msg_create(run->conn->pool,
                                                 xc->max_packet, m))
                          != APR_SUCCESS) {
            ajplb__fail(run, AJPLB_OUT_CLIENT_ERROR, rv);
            return 0;
        }
        if (!ajplb__body_packet(run, *m, room, &got)) {
            return 0;
        }
        if (got == 0) {
            /* The body ended on a packet boundary: the backend's next
             * ask gets the empty packet. */
            break;
        }
        if (got < room) {
            run->held = *m;
            run->held_len = got;
            break;
        }
        iov[n].iov_base = (*m)->buf;
        iov[n++].iov_len = (*m)->len;
        bytes += (apr_off_t)got;
        extra++;
    }
    if (n == 0) {
        return 1;
    }
    rv = ajplb__send_all(run->conn->sock, iov, n, &run->res->sent);
    if (rv != APR_SUCCESS) {
        ajplb__fail(run, AJPLB_OUT_SEND_ERROR, rv);
        return 0;
    }
    run->ahead += extra;
    run->res->body_to_backend += bytes;
    return 1;
}

/* Handle one decoded packet.  Returns 1 to go on, 0 when the exchange
 * ended (successfully or not: see run->res). */
static int ajplb__on_event(ajplb__run_t *run, const ajplb_ajp_event_t *ev)
{
    ajplb_exchange_result_t *res = run->res;
    apr_status_t rv;

    switch (ev->type) {
    case AJPLB_AJP_EV_SEND_HEADERS:
        res->status = ev->status;
        res->headers_seen = 1;
        rv = run->io->headers(run->io->baton, ev, run->xc->rp);
        if (rv != APR_SUCCESS) {
            ajplb__fail(run, AJPLB_OUT_CLIENT_ERROR, rv);
            return 0;
        }
        return 1;
    case AJPLB_AJP_EV_BODY_CHUNK:
        rv = run->io->body(run->io->baton, ev->data, ev->data_len);
        if (rv != APR_SUCCESS) {
            ajplb__fail(run, AJPLB_OUT_CLIENT_ERROR, rv);
            return 0;
        }
        res->body_to_client += (apr_off_t)ev->data_len;
        return 1;
    case AJPLB_AJP_EV_GET_BODY:
        if (ev->get_len >= run->xc->max_packet - AJPLB_AJP_BODY_OVERHEAD) {
            run->full_asks = 1;
        }
        if (run->ahead > 0) {
            /* Its packet is already on the way; refill the window in
             * batches of half of it, so one write carries several. */
            run->ahead--;
            if (run->ahead > run->x->body_window / 2) {
                return 1;
            }
            return ajplb__send_body(run, 0, 0);
        }
        return ajplb__send_body(run, 1, ev->get_len);
    case AJPLB_AJP_EV_END_RESPONSE:
        res->outcome = AJPLB_OUT_OK;
        res->rv = APR_SUCCESS;
        res->reusable = ev->reuse;
        if (run->ahead > 0) {
            /* The backend answered without asking for packets sent
             * ahead: they wait unread in its socket and would be taken
             * for the next request there.  Close. */
            res->reusable = 0;
        }
        if (run->xc->rpos < run->xc->rlen) {
            /* Bytes after END_RESPONSE belong to no request. */
            res->rv = AJPLB_EAFTEREND;
            res->reusable = 0;
        }
        return 0;
    default:
        ajplb__fail(run, AJPLB_OUT_PROTOCOL_ERROR, AJPLB_EBADTYPE);
        return 0;
    }
}

/* Read and dispatch reply packets until END_RESPONSE or an error. */
static void ajplb__read_reply(ajplb__run_t *run)
{
    ajplb__xconn_t *xc = run->xc;
    ajplb_exchange_result_t *res = run->res;
    apr_interval_time_t t = run->x->reply_timeout;

    if (t <= 0) {
        t = run->conn->owner ? ajplb_pool_conf(run->conn->owner)->io_timeout
                             : 0;
    }
    ajplb_conn_recv_timeout(run->conn, t);
    xc->rlen = xc->rpos = 0;
    ajplb_ajp_reply_reset(xc->rp, AJPLB_AJP_EXPECT_RESPONSE);
    for (;;) {
        apr_status_t rv;

        while (xc->rpos < xc->rlen) {
            ajplb_ajp_event_t ev;
            apr_size_t used = 0;

            rv = ajplb_ajp_reply_feed(xc->rp, xc->rbuf + xc->rpos,
                                      xc->rlen - xc->rpos, &used, &ev);
            xc->rpos += used;
            if (rv != APR_SUCCESS) {
                ajplb__fail(run, AJPLB_OUT_PROTOCOL_ERROR, rv);
                return;
            }
            if (ev.type != AJPLB_AJP_EV_NONE && !ajplb__on_event(run, &ev)) {
                return;
            }
        }
        xc->rpos = 0;
        if (run->io->drained != NULL && res->headers_seen) {
            /* Before waiting: the adapter may write to the client while
             * the backend produces its next packets (io->drained). */
            rv = run->io->drained(run->io->baton);
            if (rv != APR_SUCCESS) {
                ajplb__fail(run, AJPLB_OUT_CLIENT_ERROR, rv);
                return;
            }
        }
        xc->rlen = AJPLB__RBUF_SIZE;
        rv = apr_socket_recv(run->conn->sock, xc->rbuf, &xc->rlen);
        if (xc->rlen > 0) {
            res->got_reply_bytes = 1;
            continue;
        }
        if (APR_STATUS_IS_TIMEUP(rv) || APR_STATUS_IS_EAGAIN(rv)) {
            /* A kernel receive timeout shows as EAGAIN on a blocking
             * socket. */
            ajplb__fail(run, AJPLB_OUT_TIMEOUT, APR_TIMEUP);
        }
        else if (rv == APR_EOF) {
            rv = ajplb_ajp_reply_finish(xc->rp);
            ajplb__fail(run, AJPLB_OUT_RECV_ERROR,
                        rv == APR_SUCCESS ? APR_EOF : rv);
        }
        else {
            ajplb__fail(run, AJPLB_OUT_RECV_ERROR, rv);
        }
        return;
    }
}

apr_status_t ajplb_exchange_run(ajplb_conn_t *conn, const ajplb_exchange_t *x,
                                const ajplb_exchange_io_t *io,
                                ajplb_exchange_result_t *res)
{
    ajplb__run_t run;
    apr_status_t rv;

    memset(res, 0, sizeof(*res));
    memset(&run, 0, sizeof(run));
    run.conn = conn;
    run.x = x;
    run.io = io;
    run.res = res;
    run.body_left = x->content_length;
    run.body_done = x->content_length == 0;
    rv = ajplb__xconn_get(conn, x->max_packet_size, &run.xc);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (x->content_length > 0 && x->replay->data == NULL) {
        return APR_EINVAL;
    }
    if (ajplb__send_request(&run)) {
        ajplb__read_reply(&run);
    }
    res->replayable = !run.beyond_replay;
    return APR_SUCCESS;
}

apr_status_t ajplb_exchange_cping(ajplb_conn_t *conn, apr_size_t max_packet,
                                  apr_interval_time_t timeout)
{
    ajplb__xconn_t *xc;
    struct iovec iov;
    apr_size_t sent = 0;
    apr_status_t rv = ajplb__xconn_get(conn, max_packet, &xc);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    ajplb_ajp_cping(xc->req);
    iov.iov_base = xc->req->buf;
    iov.iov_len = xc->req->len;
    if ((rv = ajplb__send_all(conn->sock, &iov, 1, &sent)) != APR_SUCCESS) {
        return rv;
    }
    if ((rv = ajplb_conn_recv_timeout(conn, timeout)) != APR_SUCCESS) {
        return rv;
    }
    ajplb_ajp_reply_reset(xc->rp, AJPLB_AJP_EXPECT_CPONG);
    while (!ajplb_ajp_reply_is_done(xc->rp)) {
        ajplb_ajp_event_t ev;
        apr_size_t used = 0;

        xc->rlen = AJPLB__RBUF_SIZE;
        rv = apr_socket_recv(conn->sock, xc->rbuf, &xc->rlen);
        if (xc->rlen == 0) {
            if (APR_STATUS_IS_EAGAIN(rv)) {
                return APR_TIMEUP;
            }
            return rv == APR_SUCCESS ? APR_EOF : rv;
        }
        /* A CPONG is exactly 5 bytes; anything more (a stale packet, or
         * bytes after the CPONG) makes the connection untrustworthy. */
        rv = ajplb_ajp_reply_feed(xc->rp, xc->rbuf, xc->rlen, &used, &ev);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (used < xc->rlen) {
            return AJPLB_EBADCPONG;
        }
    }
    return APR_SUCCESS;
}
