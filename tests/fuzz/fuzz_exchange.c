/*
 * fuzz_exchange.c -- libFuzzer target for the exchange state machine
 * (ajplb_exchange_run) driven by a hostile backend, in process.  The
 * exchange gets one end of a socketpair as its connection; a thread on
 * the other end writes the fuzzed byte stream, then shuts down for writing
 * (so every run ends at the latest on EOF, never on a timeout), while it
 * keeps reading what the exchange sends.  The first 3 bytes choose the
 * request body (none, known length, unknown length, shorter than
 * announced), prefetch, a retry of the same request, the packet size and
 * client callback failures; the rest is the backend's stream.
 * Checked: callback order (no body before headers, at most one headers
 * event, nothing after the end), the body sent to the backend is exactly
 * the client's bytes in order and never more than it had, the result is
 * consistent with what the callbacks saw.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_portable.h>

#include "ajplb_exchange.h"
#include "ajplb_pool.h"

#define AJPLB__FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static const apr_size_t ajplb__fuzz_sizes[] = { 8192, 16384, 65536, 8200 };

/* The backend's end: writes the stream, records what it receives. */
typedef struct {
    int fd;
    const uint8_t *out;
    size_t out_len;
    uint8_t *in;
    size_t in_len, in_cap;
} ajplb__fuzz_peer_t;

static void *ajplb__fuzz_peer(void *arg)
{
    ajplb__fuzz_peer_t *pe = arg;
    size_t off = 0;
    int wr_open = 1;

    for (;;) {
        struct pollfd pfd;
        char buf[16384];
        ssize_t k;

        if (wr_open && off == pe->out_len) {
            shutdown(pe->fd, SHUT_WR);
            wr_open = 0;
        }
        pfd.fd = pe->fd;
        pfd.events = POLLIN | (wr_open ? POLLOUT : 0);
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            abort();
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            k = read(pe->fd, buf, sizeof(buf));
            if (k <= 0) {
                if (k < 0 && errno == EAGAIN) {
                    continue;
                }
                break;      /* the exchange closed its end */
            }
            if (pe->in_len + (size_t)k <= pe->in_cap) {
                memcpy(pe->in + pe->in_len, buf, (size_t)k);
            }
            pe->in_len += (size_t)k;
        }
        if (wr_open && (pfd.revents & POLLOUT)) {
            k = write(pe->fd, pe->out + off, pe->out_len - off);
            if (k > 0) {
                off += (size_t)k;
            }
            else if (k < 0 && errno != EAGAIN) {
                wr_open = 0;
            }
        }
    }
    return NULL;
}

/* The client side as the callbacks see it. */
typedef struct {
    const uint8_t *body;
    apr_size_t body_len;    /* bytes the client really has */
    apr_size_t pos;         /* handed out so far */
    apr_size_t piece;       /* at most this much per read, 0: any */
    int read_fails;         /* read_body fails at this call, 0: never */
    int reads;
    int saw_eof;            /* read_body returned 0 bytes */
    int headers_fail, body_fails;
    int headers, bodies;
    apr_off_t body_bytes;
    int status;
    apr_uint64_t hash;
} ajplb__fuzz_client_t;

static apr_status_t ajplb__fuzz_read_body(void *baton, char *buf,
                                          apr_size_t len, apr_size_t *got)
{
    ajplb__fuzz_client_t *c = baton;
    apr_size_t n = c->body_len - c->pos;

    AJPLB__FUZZ_CHECK(len > 0);
    /* Asked again after it said the body ended: the exchange would
     * block on a real client. */
    AJPLB__FUZZ_CHECK(!c->saw_eof);
    if (++c->reads == c->read_fails) {
        *got = 0;
        return APR_ECONNRESET;
    }
    if (n > len) {
        n = len;
    }
    if (c->piece > 0 && n > c->piece) {
        n = c->piece;
    }
    memcpy(buf, c->body + c->pos, n);
    c->pos += n;
    *got = n;
    if (n == 0) {
        c->saw_eof = 1;
    }
    return APR_SUCCESS;
}

static apr_uint64_t ajplb__fuzz_mix(apr_uint64_t h, const void *p,
                                    apr_size_t n)
{
    const unsigned char *b = p;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ b[i]) * 1099511628211ULL;
    }
    return h;
}

static apr_status_t ajplb__fuzz_headers(void *baton,
                                        const ajplb_ajp_event_t *ev,
                                        ajplb_ajp_reply_t *rp)
{
    ajplb__fuzz_client_t *c = baton;
    ajplb_ajp_res_header_t hd;
    apr_size_t count = 0;

    AJPLB__FUZZ_CHECK(c->headers == 0 && c->bodies == 0);
    c->headers++;
    AJPLB__FUZZ_CHECK(ev->type == AJPLB_AJP_EV_SEND_HEADERS);
    AJPLB__FUZZ_CHECK(ev->status >= 100 && ev->status <= 999);
    c->status = ev->status;
    if (ev->reason != NULL) {
        c->hash = ajplb__fuzz_mix(c->hash, ev->reason, ev->reason_len + 1);
    }
    while (ajplb_ajp_reply_next_header(rp, &hd) == APR_SUCCESS) {
        c->hash = ajplb__fuzz_mix(c->hash, hd.name, hd.name_len + 1);
        c->hash = ajplb__fuzz_mix(c->hash, hd.value, hd.value_len + 1);
        count++;
    }
    AJPLB__FUZZ_CHECK(count == ev->num_headers);
    return c->headers_fail ? APR_ECONNABORTED : APR_SUCCESS;
}

static apr_status_t ajplb__fuzz_body(void *baton, const void *data,
                                     apr_size_t len)
{
    ajplb__fuzz_client_t *c = baton;

    AJPLB__FUZZ_CHECK(c->headers == 1);
    c->hash = ajplb__fuzz_mix(c->hash, data, len);
    c->body_bytes += (apr_off_t)len;
    if (++c->bodies == c->body_fails) {
        return APR_ECONNABORTED;
    }
    return APR_SUCCESS;
}

/* The exchange waits for more: only ever after the headers; the client
 * write it allows fails when the body callback's failure is due. */
static apr_status_t ajplb__fuzz_drained(void *baton)
{
    ajplb__fuzz_client_t *c = baton;

    AJPLB__FUZZ_CHECK(c->headers == 1);
    if (c->body_fails > 0 && c->bodies + 1 == c->body_fails) {
        c->bodies++;
        return APR_ECONNABORTED;
    }
    return APR_SUCCESS;
}

/* Check what the backend received: one FORWARD_REQUEST, then body
 * packets whose data must be @a want[0..want_len) in order. */
static void ajplb__fuzz_check_sent(const ajplb__fuzz_peer_t *pe,
                                   const ajplb_exchange_result_t *res,
                                   const uint8_t *want, apr_size_t want_len)
{
    apr_size_t off = 0, body = 0;
    int first = 1;

    AJPLB__FUZZ_CHECK(pe->in_len == res->sent);
    if (pe->in_len > pe->in_cap) {
        return;
    }
    while (off + 4 <= pe->in_len) {
        const uint8_t *p = pe->in + off;
        apr_size_t len = (apr_size_t)p[2] << 8 | p[3];

        AJPLB__FUZZ_CHECK(p[0] == 0x12 && p[1] == 0x34);
        if (off + 4 + len > pe->in_len) {
            break;      /* a write cut short by the backend's close */
        }
        if (first) {
            AJPLB__FUZZ_CHECK(len > 0 && p[4] == 0x02);
            first = 0;
        }
        else if (len > 0) {
            apr_size_t dl = (apr_size_t)p[4] << 8 | p[5];

            AJPLB__FUZZ_CHECK(len == dl + 2 && dl > 0);
            AJPLB__FUZZ_CHECK(body + dl <= want_len);
            AJPLB__FUZZ_CHECK(memcmp(p + 6, want + body, dl) == 0);
            body += dl;
        }
        off += 4 + len;
    }
    if (off == pe->in_len) {
        AJPLB__FUZZ_CHECK((apr_off_t)body == res->body_to_backend);
    }
}

/* One exchange over a fresh socketpair; the peer sends @a stream.
 * @return whether the balancer could send the request again after this
 * result: replayable, nothing passed to the client, and a backend
 * failure (a client error never moves: mod_ajplb_lb.c). */
static int ajplb__fuzz_one(apr_pool_t *p, const ajplb_exchange_t *x,
                            const ajplb_exchange_io_t *io,
                            const uint8_t *stream, size_t n)
{
    ajplb__fuzz_client_t *c = io->baton;
    ajplb__fuzz_peer_t pe;
    ajplb_exchange_result_t res;
    ajplb_conn_t conn;
    apr_pool_t *cp;
    apr_os_sock_t fd;
    apr_socket_t *sock = NULL;      /* apr_os_sock_put reuses one */
    pthread_t th;
    int sv[2], filled = x->replay->filled;
    apr_size_t rl = x->replay->len, p0 = c->pos;
    apr_status_t rv;
    uint8_t *want;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        abort();
    }
    memset(&pe, 0, sizeof(pe));
    pe.fd = sv[1];
    /* Non-blocking: a write must never wait while the exchange waits
     * for this thread to read. */
    if (fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0) {
        abort();
    }
    pe.out = stream;
    pe.out_len = n;
    pe.in_cap = 1 << 20;
    pe.in = malloc(pe.in_cap);
    if (pe.in == NULL || apr_pool_create(&cp, p) != APR_SUCCESS) {
        abort();
    }
    fd = sv[0];
    if (apr_os_sock_put(&sock, &fd, cp) != APR_SUCCESS) {
        abort();
    }
    apr_socket_timeout_set(sock, -1);
    memset(&conn, 0, sizeof(conn));
    conn.pool = cp;
    conn.slot_pool = cp;
    conn.sock = sock;
    if (pthread_create(&th, NULL, ajplb__fuzz_peer, &pe) != 0) {
        abort();
    }
    c->headers = c->bodies = 0;
    c->body_bytes = 0;
    rv = ajplb_exchange_run(&conn, x, io, &res);
    close(sv[0]);
    pthread_join(th, NULL);
    close(sv[1]);

    AJPLB__FUZZ_CHECK(rv == APR_SUCCESS);
    AJPLB__FUZZ_CHECK((unsigned)res.outcome <= AJPLB_OUT_TIMEOUT);
    /* Every run ends on EOF at the latest: a timeout is a hang. */
    AJPLB__FUZZ_CHECK(res.outcome != AJPLB_OUT_TIMEOUT);
    AJPLB__FUZZ_CHECK(res.headers_seen == (c->headers == 1));
    AJPLB__FUZZ_CHECK(res.status == (c->headers ? c->status : 0));
    AJPLB__FUZZ_CHECK(res.body_to_client == c->body_bytes
                      || (c->body_fails && c->bodies == c->body_fails));
    if (res.outcome == AJPLB_OUT_OK) {
        AJPLB__FUZZ_CHECK(c->headers == 1);
    }
    else {
        AJPLB__FUZZ_CHECK(!res.reusable || res.sent == 0);
    }
    AJPLB__FUZZ_CHECK(res.got_reply_bytes || c->headers == 0);
    /* Never more body to the backend than the client had. */
    AJPLB__FUZZ_CHECK(res.body_to_backend >= 0
                      && (apr_size_t)res.body_to_backend <= c->body_len);
    want = malloc(c->body_len + 1);
    if (want == NULL) {
        abort();
    }
    if (filled) {
        /* A retry resends the replay, then reads on from the client. */
        memcpy(want, c->body, rl);
        memcpy(want + rl, c->body + p0, c->pos - p0);
        ajplb__fuzz_check_sent(&pe, &res, want, rl + (c->pos - p0));
    }
    else {
        ajplb__fuzz_check_sent(&pe, &res, c->body, c->pos);
    }
    free(want);
    free(pe.in);
    apr_pool_destroy(cp);
    return res.replayable && !res.headers_seen
           && (res.outcome == AJPLB_OUT_SEND_ERROR
               || res.outcome == AJPLB_OUT_RECV_ERROR
               || res.outcome == AJPLB_OUT_PROTOCOL_ERROR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    static uint8_t body[16384];
    apr_pool_t *p;
    ajplb_ajp_request_t req;
    ajplb_exchange_t x;
    ajplb_exchange_io_t io;
    ajplb__fuzz_client_t c;
    ajplb_ajp_header_t hdr;
    unsigned f0, f1, f2;
    apr_size_t i;

    if (!initialized) {
        apr_initialize();
        signal(SIGPIPE, SIG_IGN);
        for (i = 0; i < sizeof(body); i++) {
            body[i] = (uint8_t)(i * 7 + 3);
        }
        initialized = 1;
    }
    if (size < 3 || size > 200000) {
        return 0;
    }
    f0 = data[0];
    f1 = data[1];
    f2 = data[2];
    data += 3;
    size -= 3;
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }
    memset(&c, 0, sizeof(c));
    c.body = body;
    /* f0 bits 0-1: no body, known length, unknown length, fewer bytes
     * than announced; bits 2-3 packet size; 4 prefetch; 5 retry;
     * 6-7 body_window 0, 1, 4 or 16;
     * f1: body length / 64; f2: callback failures and read pieces. */
    c.body_len = (f0 & 3) ? ((apr_size_t)f1 * 64) % (sizeof(body) + 1) : 0;
    c.piece = (f2 >> 6) == 0 ? 0 : (apr_size_t)1 << (3 * (f2 >> 6));
    c.body_fails = f2 & 7;
    c.headers_fail = (f2 & 8) != 0;
    c.read_fails = (f2 & 0x30) == 0x30 ? 2 : 0;

    memset(&req, 0, sizeof(req));
    req.method = (f0 & 3) ? "POST" : "GET";
    req.protocol = "HTTP/1.1";
    req.uri = "/fuzz";
    req.remote_addr = "127.0.0.1";
    req.server_name = "localhost";
    req.server_port = 80;
    req.local_addr = "127.0.0.1";
    hdr.name = "Host";
    hdr.value = "localhost";
    hdr.value_len = 9;
    req.headers = &hdr;
    req.num_headers = 1;

    memset(&io, 0, sizeof(io));
    io.baton = &c;
    io.read_body = ajplb__fuzz_read_body;
    io.headers = ajplb__fuzz_headers;
    io.body = ajplb__fuzz_body;
    io.drained = ajplb__fuzz_drained;
    memset(&x, 0, sizeof(x));
    x.req = &req;
    switch (f0 & 3) {
    case 0: x.content_length = 0; break;
    case 1: x.content_length = (apr_off_t)c.body_len; break;
    case 2: x.content_length = -1; break;
    default: x.content_length = (apr_off_t)c.body_len + 100; break;
    }
    /* Only a safety net: the stream always ends with EOF. */
    x.reply_timeout = apr_time_from_sec(5);
    x.max_packet_size = ajplb__fuzz_sizes[(f0 >> 2) & 3];
    x.body_window = (int[]){0, 1, 4, 16}[f0 >> 6];
    x.replay = apr_pcalloc(p, sizeof(*x.replay));
    x.replay->data = apr_palloc(p, x.max_packet_size);

    if (f0 & 16) {
        apr_status_t rv = ajplb_exchange_prefetch(&x, &io, 1 + f1 * 37);

        if (rv != APR_SUCCESS) {
            apr_pool_destroy(p);
            return 0;
        }
        AJPLB__FUZZ_CHECK(x.replay->len <= c.pos);
    }
    if (ajplb__fuzz_one(p, &x, &io, data, size) && (f0 & 32)
        && x.replay->filled) {
        /* The same request again on another connection, as the
         * balancer does after a failure the backend never acted on. */
        ajplb__fuzz_one(p, &x, &io, data, size);
    }
    apr_pool_destroy(p);
    return 0;
}
