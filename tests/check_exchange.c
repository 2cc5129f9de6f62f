/*
 * check_exchange.c -- unit tests for what one exchange reports about the
 * request it sent (T-G1: a request of which one byte was accepted may
 * have reached the backend and must not be sent again unasked) and for
 * the body prefetch, against a loopback peer in the same process.
 */
#include <signal.h>
#include <sys/socket.h>

#include <apr_network_io.h>
#include <apr_portable.h>
#include <apr_strings.h>

#include "ajplb_exchange.h"
#include "ajplb_pool.h"
#include "test_util.h"

static apr_socket_t *ajplb__listener;
static apr_port_t ajplb__port;

/* Listen on a free loopback port; @a rcvbuf > 0 makes the accepted
 * sockets' receive buffers (and so the window) small. */
static void ajplb__listen(int rcvbuf)
{
    apr_sockaddr_t *sa;

    ck_assert_int_eq(apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0,
                                           ajplb_test_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&ajplb__listener, APR_INET,
                                       SOCK_STREAM, APR_PROTO_TCP,
                                       ajplb_test_pool), APR_SUCCESS);
    apr_socket_opt_set(ajplb__listener, APR_SO_REUSEADDR, 1);
    if (rcvbuf > 0) {
        apr_socket_opt_set(ajplb__listener, APR_SO_RCVBUF, rcvbuf);
    }
    ck_assert_int_eq(apr_socket_bind(ajplb__listener, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_listen(ajplb__listener, 4), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_addr_get(&sa, APR_LOCAL, ajplb__listener),
                     APR_SUCCESS);
    ajplb__port = sa->port;
}

static ajplb_pool_t *ajplb__pool(int sndbuf)
{
    ajplb_pool_conf_t conf;
    ajplb_pool_t *pool;

    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "127.0.0.1";
    conf.port = ajplb__port;
    conf.connect_timeout = apr_time_from_sec(2);
    conf.io_timeout = apr_time_from_msec(300);
    conf.sndrcvbuf = sndbuf;
    conf.size = 1;
    ck_assert_int_eq(ajplb_pool_create(ajplb_test_pool, &conf, &pool),
                     APR_SUCCESS);
    return pool;
}

/* The client body: a fixed buffer, handed out in pieces. */
typedef struct {
    const char *data;
    apr_size_t len, pos, piece;
} ajplb__body_t;

static apr_status_t ajplb__read_body(void *baton, char *buf, apr_size_t len,
                                     apr_size_t *got)
{
    ajplb__body_t *b = baton;
    apr_size_t n = b->len - b->pos;

    if (n > len) {
        n = len;
    }
    if (b->piece > 0 && n > b->piece) {
        n = b->piece;
    }
    memcpy(buf, b->data + b->pos, n);
    b->pos += n;
    *got = n;
    return APR_SUCCESS;
}

static apr_status_t ajplb__headers(void *baton, const ajplb_ajp_event_t *ev,
                                   ajplb_ajp_reply_t *rp)
{
    return APR_SUCCESS;
}

static apr_status_t ajplb__body(void *baton, const void *data,
                                apr_size_t len)
{
    return APR_SUCCESS;
}

static ajplb_ajp_request_t ajplb__req;
static ajplb__body_t ajplb__cbody;
static ajplb_exchange_io_t ajplb__io;

static void ajplb__exchange(ajplb_exchange_t *x, apr_size_t max_packet,
                            apr_size_t body_len)
{
    char *data = apr_palloc(ajplb_test_pool, body_len + 1);

    memset(data, 'b', body_len);
    memset(&ajplb__req, 0, sizeof(ajplb__req));
    ajplb__req.method = "POST";
    ajplb__req.protocol = "HTTP/1.1";
    ajplb__req.uri = "/upload";
    ajplb__req.remote_addr = "127.0.0.1";
    ajplb__req.server_name = "localhost";
    ajplb__req.server_port = 80;
    ajplb__req.local_addr = "127.0.0.1";
    memset(&ajplb__cbody, 0, sizeof(ajplb__cbody));
    ajplb__cbody.data = data;
    ajplb__cbody.len = body_len;
    memset(&ajplb__io, 0, sizeof(ajplb__io));
    ajplb__io.baton = &ajplb__cbody;
    ajplb__io.read_body = ajplb__read_body;
    ajplb__io.headers = ajplb__headers;
    ajplb__io.body = ajplb__body;
    memset(x, 0, sizeof(*x));
    x->req = &ajplb__req;
    x->content_length = (apr_off_t)body_len;
    x->reply_timeout = apr_time_from_msec(300);
    x->max_packet_size = max_packet;
    x->replay = apr_pcalloc(ajplb_test_pool, sizeof(*x->replay));
    x->replay->data = apr_palloc(ajplb_test_pool, max_packet);
}

/* T-G1: the backend stops reading while the request is being written:
 * the write times out part-way, and the result says bytes were accepted
 * (a POST must then not be sent again). */
START_TEST(test_partial_write_is_reported)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *conn;
    apr_socket_t *peer;
    ajplb_exchange_t x;
    ajplb_exchange_result_t res;

    ajplb__listen(4096);
    pool = ajplb__pool(4096);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &conn), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_accept(&peer, ajplb__listener,
                                       ajplb_test_pool), APR_SUCCESS);
    /* One body packet of almost 64 KiB: far more than the small buffers
     * on both sides hold while the peer reads nothing. */
    ajplb__exchange(&x, 65536, 65000);
    ck_assert_int_eq(ajplb_exchange_run(conn, &x, &ajplb__io, &res),
                     APR_SUCCESS);
    ck_assert_int_eq(res.outcome, AJPLB_OUT_SEND_ERROR);
    ck_assert_uint_gt(res.sent, 0);
    ck_assert_uint_lt(res.sent, 65000);
    ck_assert_int_eq(res.reusable, 0);
    ajplb_pool_release(pool, conn, 0);
    apr_socket_close(peer);
}
END_TEST

/* The backend reset the connection before the request: not one byte was
 * accepted, so the request may be sent again anywhere. */
START_TEST(test_refused_write_sent_nothing)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *conn;
    apr_socket_t *peer;
    apr_os_sock_t fd;
    ajplb_exchange_t x;
    ajplb_exchange_result_t res;
    struct linger lg = {1, 0};

    ajplb__listen(0);
    pool = ajplb__pool(0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &conn), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_accept(&peer, ajplb__listener,
                                       ajplb_test_pool), APR_SUCCESS);
    /* Close with a reset, and let it arrive. */
    apr_os_sock_get(&fd, peer);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    apr_socket_close(peer);
    apr_sleep(apr_time_from_msec(50));
    ajplb__exchange(&x, 8192, 100);
    ck_assert_int_eq(ajplb_exchange_run(conn, &x, &ajplb__io, &res),
                     APR_SUCCESS);
    ck_assert_int_eq(res.outcome, AJPLB_OUT_SEND_ERROR);
    ck_assert_uint_eq(res.sent, 0);
    ajplb_pool_release(pool, conn, 0);
}
END_TEST

/* #10 item 7: the body start is read before any connection, and the
 * exchange sends it from the replay buffer. */
START_TEST(test_prefetch)
{
    ajplb_exchange_t x;

    ajplb__exchange(&x, 8192, 20000);
    ajplb__cbody.piece = 1000;
    ck_assert_int_eq(ajplb_exchange_prefetch(&x, &ajplb__io, 8186),
                     APR_SUCCESS);
    ck_assert_int_eq(x.replay->filled, 1);
    ck_assert_uint_eq(x.replay->len, 8186);
    ck_assert_int_eq(x.replay->complete, 0);
    ck_assert_uint_eq(ajplb__cbody.pos, 8186);
    /* Already filled: nothing more is read. */
    ck_assert_int_eq(ajplb_exchange_prefetch(&x, &ajplb__io, 8186),
                     APR_SUCCESS);
    ck_assert_uint_eq(ajplb__cbody.pos, 8186);

    ajplb__exchange(&x, 65536, 100);
    ck_assert_int_eq(ajplb_exchange_prefetch(&x, &ajplb__io, 8186),
                     APR_SUCCESS);
    ck_assert_uint_eq(x.replay->len, 100);
    ck_assert_int_eq(x.replay->complete, 1);

    /* T-O5a: fewer bytes than the Content-Length: the client's error. */
    ajplb__exchange(&x, 8192, 100);
    ajplb__cbody.len = 40;
    ck_assert_int_eq(ajplb_exchange_prefetch(&x, &ajplb__io, 8186),
                     APR_INCOMPLETE);
    ck_assert_int_eq(x.replay->filled, 0);

    /* No body: nothing to do. */
    ajplb__exchange(&x, 8192, 0);
    ck_assert_int_eq(ajplb_exchange_prefetch(&x, &ajplb__io, 8186),
                     APR_SUCCESS);
    ck_assert_int_eq(x.replay->filled, 0);
}
END_TEST

/* The drained test: the adapter's side of a reply the backend stops in
 * the middle of until the adapter is told the exchange will wait. */
typedef struct {
    apr_socket_t *peer;         /* the backend's end */
    int chunks, drains;
    int chunks_at_drain;
} ajplb__drain_t;

static apr_status_t ajplb__count_body(void *baton, const void *data,
                                      apr_size_t len)
{
    ((ajplb__drain_t *)baton)->chunks++;
    return APR_SUCCESS;
}

/* When told, the "backend" sends END_RESPONSE: the exchange can only end
 * well if io->drained came while it waited. */
static apr_status_t ajplb__drained(void *baton)
{
    static const char end[] = {'A', 'B', 0, 2, 5, 1};
    ajplb__drain_t *f = baton;
    apr_size_t n = sizeof(end);

    if (f->drains++ == 0) {
        f->chunks_at_drain = f->chunks;
        ck_assert_int_eq(apr_socket_send(f->peer, end, &n), APR_SUCCESS);
    }
    return APR_SUCCESS;
}

static void ajplb__run_drain(int with, ajplb__drain_t *f,
                             ajplb_exchange_result_t *res)
{
    /* SEND_HEADERS 200 "OK" with no headers, one 3-byte BODY_CHUNK. */
    static const char reply[] = {
        'A', 'B', 0, 10, 4, 0, (char)200, 0, 2, 'O', 'K', 0, 0, 0,
        'A', 'B', 0, 7, 3, 0, 3, 'a', 'b', 'c', 0
    };
    ajplb_pool_t *pool;
    ajplb_conn_t *conn;
    ajplb_exchange_t x;
    apr_size_t n = sizeof(reply);

    ajplb__listen(0);
    pool = ajplb__pool(0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &conn), APR_SUCCESS);
    memset(f, 0, sizeof(*f));
    ck_assert_int_eq(apr_socket_accept(&f->peer, ajplb__listener,
                                       ajplb_test_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_send(f->peer, reply, &n), APR_SUCCESS);
    ajplb__exchange(&x, 8192, 0);
    ajplb__io.baton = f;
    ajplb__io.body = ajplb__count_body;
    ajplb__io.drained = with ? ajplb__drained : NULL;
    ck_assert_int_eq(ajplb_exchange_run(conn, &x, &ajplb__io, res),
                     APR_SUCCESS);
    ajplb_pool_release(pool, conn, 0);
    apr_socket_close(f->peer);
    apr_socket_close(ajplb__listener);
}

/* Issue #13: once all it read is handed over, the exchange tells the
 * adapter before it waits for the backend (the adapter may write to the
 * client meanwhile); here the backend waits for that to send the end. */
START_TEST(test_drained_before_waiting)
{
    ajplb__drain_t f;
    ajplb_exchange_result_t res;

    ajplb__run_drain(1, &f, &res);
    ck_assert_str_eq(ajplb_outcome_name(res.outcome), "ok");
    ck_assert_int_eq(f.drains, 1);
    ck_assert_int_eq(f.chunks_at_drain, 1);
    ck_assert_int_eq(res.reusable, 1);

    /* Without the callback the exchange just waits: the reply times out. */
    ajplb__run_drain(0, &f, &res);
    ck_assert_str_eq(ajplb_outcome_name(res.outcome), "reply timeout");
    ck_assert_int_eq(f.drains, 0);
    ck_assert_int_eq(f.chunks, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exchange");
    TCase *tc = ajplb_test_tcase("exchange");

    /* httpd ignores SIGPIPE; a write to a reset socket must return. */
    signal(SIGPIPE, SIG_IGN);
    tcase_add_test(tc, test_partial_write_is_reported);
    tcase_add_test(tc, test_refused_write_sent_nothing);
    tcase_add_test(tc, test_prefetch);
    tcase_add_test(tc, test_drained_before_waiting);
    suite_add_tcase(s, tc);
    return ajplb_test_run(s);
}
