/*
 * fake_ajp_backend.c -- a scriptable fake AJP13 backend (stands in for
 * Tomcat) for mod_ajplb's integration tests and benchmarks.
 *
 * It parses FORWARD_REQUEST strictly, reads the request body the way
 * Tomcat's AjpProcessor does, echoes what it saw as text/plain, and injects
 * the backend faults of security-and-faults.md 2.5/2.6 chosen per request
 * (?fault=NAME or a /fault/NAME path segment).  It links nothing from src/
 * on purpose: an independent reading of the protocol, so a misunderstanding
 * shared with the module cannot hide.  Usage: docs/FAKE_BACKEND.md.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Message codes (container <- server and container -> server). */
#define AJP_FORWARD_REQUEST 0x02
#define AJP_SEND_BODY_CHUNK 0x03
#define AJP_SEND_HEADERS    0x04
#define AJP_END_RESPONSE    0x05
#define AJP_GET_BODY_CHUNK  0x06
#define AJP_CPONG           0x09
#define AJP_CPING           0x0A

#define PAYLOAD_MAX 65535           /* what a 16-bit length field can say */
#define OBUF_SIZE   (256 * 1024)    /* per-connection output buffer */
#define FNV_OFFSET  0xcbf29ce484222325ULL
#define FNV_PRIME   0x100000001b3ULL
#define RECENT_BODIES 16

/* ------------------------------------------------------------------ */
/* Options and global state                                            */

static struct {
    const char *host;
    int port;
    const char *name;
    const char *route;
    const char *secret;
    size_t secret_len;
    const char *port_file;
    const char *stats_file;
    int max_packet;
    int bench;
    int verbose;
    int cping_fault;                /* fault id armed for every CPING */
    int taint_short_body;           /* short or long body taints the conn */
    int reqlog_fd;                  /* --request-log, or -1 */
    const char *status_file;        /* --status-file, or NULL */
    const char *gate_file;          /* --gate-file, or NULL */
} opt;

static int bound_port;
static volatile sig_atomic_t stop_flag;

enum {
    ST_CONN_ACCEPTED, ST_CONN_OPEN, ST_CONN_CLOSED,
    ST_REQ_STARTED, ST_REQ_COMPLETED, ST_REQ_FAULTED, ST_REQ_REJECTED,
    ST_BAD_REQUESTS, ST_PROTOCOL_ERRORS, ST_CPINGS, ST_CPONGS,
    ST_BODIES_RECEIVED, ST_BODIES_INCOMPLETE, ST_BODIES_ABORTED,
    ST_BODY_BYTES, ST_BODY_PACKETS, ST_GETBODY_SENT,
    ST_TAINTED_REQUESTS, ST_TAINTED_CPINGS, ST_MAX_CONN_REQUESTS,
    ST_BYTES_OUT, ST_ASKS_PREQUEUED, ST_COUNT
};

static const char *const stat_names[ST_COUNT] = {
    "connections_accepted", "connections_open", "connections_closed",
    "requests_started", "requests_completed", "requests_faulted",
    "requests_rejected", "bad_requests", "protocol_errors", "cpings",
    "cpongs", "bodies_received", "bodies_incomplete", "bodies_aborted",
    "body_bytes", "body_packets", "getbody_sent", "tainted_requests",
    "tainted_cpings", "max_conn_requests", "bytes_out", "asks_prequeued"
};

static unsigned long long stats[ST_COUNT];

/* Fault ids.  The cpong_* ones act on the next CPING, not on a request. */
enum {
    F_NONE, F_BADMAGIC, F_HTTP, F_RANDOM, F_OVERSIZE, F_TRUNCATED,
    F_ZEROLEN, F_TYPEONLY, F_CUT_HEADERS, F_BADSTRING, F_BADSTRING_HDR,
    F_NONUL, F_NULLREASON, F_NULLSTATUS, F_STATUS0, F_STATUS1000,
    F_HDRCOUNT, F_BADCODE, F_CRLF, F_CRLF_NAME, F_NUL_IN_HEADER,
    F_EMPTYNAME, F_NULLNAME, F_HEADERS_TWICE, F_BODY_FIRST,
    F_CHUNK_TOO_LONG, F_CHUNK_SHORT, F_SILENCE, F_CLOSE_BEFORE_HEADERS,
    F_CLOSE_MID_BODY, F_REUSE0, F_AFTER_END, F_NO_REUSE_BYTE,
    F_UNKNOWN_TYPE, F_GETBODY_NOLEN, F_GETBODY_EXTRA,
    F_CPONG_GARBAGE, F_CPONG_EXTRA, F_CPONG_NONE, F_CPONG_LEFTOVER,
    F_CPONG_LEFTOVER_HEADERS, F_GETBODY_RST, F_EARLY_ANSWER,
    /* Request-side closes (T-G1), before any answer: */
    F_CLOSE_AFTER_REQUEST, F_CLOSE_AFTER_BODY1, F_CLOSE_MID_PACKET,
    F_COUNT
};

static const char *const fault_names[F_COUNT] = {
    "none", "badmagic", "http", "random", "oversize", "truncated",
    "zerolen", "typeonly", "cut_headers", "badstring", "badstring_hdr",
    "nonul", "nullreason", "nullstatus", "status0", "status1000",
    "hdrcount", "badcode", "crlf", "crlf_name", "nul_in_header",
    "emptyname", "nullname", "headers_twice", "body_first",
    "chunk_too_long", "chunk_short", "silence", "close_before_headers",
    "close_mid_body", "reuse0", "after_end", "no_reuse_byte",
    "unknown_type", "getbody_nolen", "getbody_extra",
    "cpong_garbage", "cpong_extra", "cpong_none", "cpong_leftover",
    "cpong_leftover_headers", "getbody_rst", "early_answer",
    "close_after_request", "close_after_body1", "close_mid_packet"
};

static unsigned long long fault_fired[F_COUNT];

static int is_cpong_fault(int f)
{
    return f >= F_CPONG_GARBAGE && f <= F_CPONG_LEFTOVER_HEADERS;
}

/* Everything below the counters (recent bodies, last_*) is guarded. */
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t file_mu = PTHREAD_MUTEX_INITIALIZER;
static char recent_bodies[RECENT_BODIES][64];
static unsigned recent_next;
static char last_error[160];
static char last_uri[160];

static void st_add(int k, long long v)
{
    __atomic_add_fetch(&stats[k], (unsigned long long)v, __ATOMIC_RELAXED);
}

static void st_max(int k, unsigned long long v)
{
    unsigned long long cur = __atomic_load_n(&stats[k], __ATOMIC_RELAXED);
    while (v > cur && !__atomic_compare_exchange_n(&stats[k], &cur, v, 0,
               __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* Escape bytes so each value stays on one printable line. */
static size_t esc_into(char *dst, size_t cap, const unsigned char *p,
                       size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0, i;
    if (cap == 0)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = p[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
            if (o + 2 > cap)
                break;
            dst[o++] = (char)ch;
        } else if (ch == '\\') {
            if (o + 3 > cap)
                break;
            dst[o++] = '\\';
            dst[o++] = '\\';
        } else {
            if (o + 5 > cap)
                break;
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hx[ch >> 4];
            dst[o++] = hx[ch & 15];
        }
    }
    dst[o] = '\0';
    return o;
}

static void set_last_error(const char *msg)
{
    pthread_mutex_lock(&stats_mu);
    snprintf(last_error, sizeof(last_error), "%s", msg);
    pthread_mutex_unlock(&stats_mu);
}

/* ------------------------------------------------------------------ */
/* Growable text buffer (echo body, stats text)                        */

struct dbuf {
    char *p;
    size_t n, cap;
};

static void db_put(struct dbuf *d, const void *s, size_t n)
{
    if (d->n + n + 1 > d->cap) {
        size_t nc = d->cap ? d->cap : 1024;
        char *np;
        while (nc < d->n + n + 1)
            nc *= 2;
        np = realloc(d->p, nc);
        if (!np) {
            fprintf(stderr, "fake_ajp_backend: out of memory\n");
            exit(2);
        }
        d->p = np;
        d->cap = nc;
    }
    memcpy(d->p + d->n, s, n);
    d->n += n;
    d->p[d->n] = '\0';
}

static void db_puts(struct dbuf *d, const char *s)
{
    db_put(d, s, strlen(s));
}

static void db_printf(struct dbuf *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void db_printf(struct dbuf *d, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(tmp))
        n = sizeof(tmp) - 1;
    db_put(d, tmp, (size_t)n);
}

static void db_esc(struct dbuf *d, const unsigned char *p, size_t n)
{
    char tmp[1024];
    size_t i = 0;
    /* Chunks of 200 input bytes expand to at most 800 output bytes. */
    while (i < n) {
        size_t take = n - i > 200 ? 200 : n - i;
        size_t o = esc_into(tmp, sizeof(tmp), p + i, take);
        db_put(d, tmp, o);
        i += take;
    }
}

/* ------------------------------------------------------------------ */
/* Stats text and file                                                 */

static void stats_text(struct dbuf *d)
{
    int i;
    unsigned k;
    db_printf(d, "name=%s\n", opt.name);
    db_printf(d, "route=%s\n", opt.route ? opt.route : "");
    db_printf(d, "port=%d\n", bound_port);
    db_printf(d, "pid=%ld\n", (long)getpid());
    db_printf(d, "bench=%d\n", opt.bench);
    for (i = 0; i < ST_COUNT; i++)
        db_printf(d, "%s=%llu\n", stat_names[i],
                  __atomic_load_n(&stats[i], __ATOMIC_RELAXED));
    for (i = 1; i < F_COUNT; i++) {
        unsigned long long v = __atomic_load_n(&fault_fired[i],
                                               __ATOMIC_RELAXED);
        if (v)
            db_printf(d, "fault.%s=%llu\n", fault_names[i], v);
    }
    pthread_mutex_lock(&stats_mu);
    db_puts(d, "recent_bodies=");
    for (k = 0; k < RECENT_BODIES; k++) {
        unsigned idx = (recent_next + k) % RECENT_BODIES;
        if (recent_bodies[idx][0]) {
            db_puts(d, recent_bodies[idx]);
            db_puts(d, " ");
        }
    }
    db_puts(d, "\n");
    if (recent_next) {
        unsigned idx = (recent_next + RECENT_BODIES - 1) % RECENT_BODIES;
        db_printf(d, "last_body=%s\n", recent_bodies[idx]);
    } else {
        db_puts(d, "last_body=\n");
    }
    db_printf(d, "last_uri=%s\n", last_uri);
    db_printf(d, "last_error=%s\n", last_error);
    pthread_mutex_unlock(&stats_mu);
}

static int write_all_fd(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write temp + rename so a reader never sees a half-written file. */
static void write_file_atomic(const char *path, const char *data, size_t n)
{
    char tmp[PATH_MAX];
    int fd;
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (write_all_fd(fd, data, n) < 0) {
        close(fd);
        unlink(tmp);
        return;
    }
    close(fd);
    if (rename(tmp, path) < 0)
        unlink(tmp);
}

static void stats_flush(void)
{
    struct dbuf d = {0};
    if (!opt.stats_file || opt.bench)
        return;
    /* One writer at a time: the temp name is shared. */
    pthread_mutex_lock(&file_mu);
    stats_text(&d);
    write_file_atomic(opt.stats_file, d.p, d.n);
    pthread_mutex_unlock(&file_mu);
    free(d.p);
}

/* ------------------------------------------------------------------ */
/* Connection, I/O                                                     */

struct pkt {
    unsigned char b[PAYLOAD_MAX + 4];
    size_t len;
    int full;                       /* something did not fit */
};

struct conn {
    int fd;
    unsigned long long id;
    unsigned long long nreq;
    int tainted;                    /* the front should have dropped it */
    int armed;                      /* one-shot CPING fault, 0 = none */
    int drip_ms;                    /* > 0: send a byte at a time */
    int dead;                       /* a write failed */
    uint64_t rng;
    unsigned long long bytes_out;   /* body bytes of the current answer */
    unsigned char *reqbuf;          /* FORWARD_REQUEST payload */
    unsigned char *inbuf;           /* any other incoming packet */
    unsigned char *obuf;
    size_t olen;
    struct pkt *pk;
    struct conn *prev, *next;
};

static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
static unsigned long long next_conn_id;

static uint64_t rng_next(struct conn *c)
{
    /* xorshift64*: test data only, nothing secret depends on it. */
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 0x2545F4914F6CDD1DULL;
}

static void msleep(long ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Say "waiting" by creating --gate-file's name + ".waiting", then wait
 * until --gate-file exists: at most 60 s, so a front that holds what it
 * got still gets its answer and the test can report what it saw (a test
 * opens the gate itself long before that). */
static void wait_gate(void)
{
    char mark[4096];
    int i, fd;

    snprintf(mark, sizeof(mark), "%s.waiting", opt.gate_file);
    fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);

    for (i = 0; i < 6000 && !stop_flag; i++) {
        if (access(opt.gate_file, F_OK) == 0)
            return;
        msleep(10);
    }
    set_last_error("gate file never appeared");
}

static int send_all(struct conn *c, const void *p, size_t n)
{
    const unsigned char *s = p;
    if (c->dead)
        return -1;
    while (n) {
        size_t take = n;
        ssize_t w;
        if (c->drip_ms > 0)
            take = 1;
        w = send(c->fd, s, take, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            c->dead = 1;
            return -1;
        }
        s += w;
        n -= (size_t)w;
        if (c->drip_ms > 0 && n)
            msleep(c->drip_ms);
    }
    return 0;
}

static int out_flush(struct conn *c)
{
    int rc = 0;
    if (c->olen)
        rc = send_all(c, c->obuf, c->olen);
    c->olen = 0;
    return rc;
}

static int out_put(struct conn *c, const void *p, size_t n)
{
    if (c->olen + n > OBUF_SIZE && out_flush(c) < 0)
        return -1;
    if (n > OBUF_SIZE)
        return send_all(c, p, n);
    memcpy(c->obuf + c->olen, p, n);
    c->olen += n;
    return c->dead ? -1 : 0;
}

/* Space for n bytes at the end of the output buffer (n <= OBUF_SIZE). */
static unsigned char *out_reserve(struct conn *c, size_t n)
{
    if (c->olen + n > OBUF_SIZE && out_flush(c) < 0)
        return NULL;
    return c->obuf + c->olen;
}

/* Returns n, 0 on EOF before the first byte, -1 on error or a short read. */
static ssize_t read_full(int fd, void *p, size_t n)
{
    unsigned char *d = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, d + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return got ? -1 : 0;
        got += (size_t)r;
    }
    return (ssize_t)n;
}

/*
 * Read one server->container packet into buf.  Returns the payload length,
 * -1 on EOF/error, -2 on a framing violation (bad magic, too long).
 */
static long read_packet(struct conn *c, unsigned char *buf)
{
    unsigned char h[4];
    size_t len;
    ssize_t r = read_full(c->fd, h, 4);
    if (r <= 0)
        return -1;
    if (h[0] != 0x12 || h[1] != 0x34) {
        st_add(ST_PROTOCOL_ERRORS, 1);
        set_last_error("bad magic from front");
        return -2;
    }
    len = ((size_t)h[2] << 8) | h[3];
    if (len + 4 > (size_t)opt.max_packet) {
        st_add(ST_PROTOCOL_ERRORS, 1);
        set_last_error("packet longer than max-packet from front");
        return -2;
    }
    if (len && read_full(c->fd, buf, len) != (ssize_t)len)
        return -1;
    return (long)len;
}

/* Read and throw away until the peer closes: used after "silence". */
static void read_until_eof(struct conn *c)
{
    unsigned char tmp[4096];
    for (;;) {
        ssize_t r = recv(c->fd, tmp, sizeof(tmp), 0);
        if (r == 0)
            return;
        if (r < 0 && errno != EINTR)
            return;
    }
}

/* ------------------------------------------------------------------ */
/* Outgoing packet building                                            */

static void pk_begin(struct pkt *p)
{
    p->len = 4;
    p->full = 0;
}

static void pk_bytes(struct pkt *p, const void *d, size_t n)
{
    if (p->full || n > sizeof(p->b) - p->len) {
        p->full = 1;
        return;
    }
    memcpy(p->b + p->len, d, n);
    p->len += n;
}

static void pk_fill(struct pkt *p, int ch, size_t n)
{
    if (p->full || n > sizeof(p->b) - p->len) {
        p->full = 1;
        return;
    }
    memset(p->b + p->len, ch, n);
    p->len += n;
}

static void pk_u8(struct pkt *p, unsigned v)
{
    unsigned char b = (unsigned char)v;
    pk_bytes(p, &b, 1);
}

static void pk_u16(struct pkt *p, unsigned v)
{
    unsigned char b[2];
    b[0] = (unsigned char)(v >> 8);
    b[1] = (unsigned char)v;
    pk_bytes(p, b, 2);
}

static void pk_str(struct pkt *p, const void *s, size_t n)
{
    pk_u16(p, (unsigned)n);
    pk_bytes(p, s, n);
    pk_u8(p, 0);
}

/* Fill in the 4-byte header; a magic other than 'AB' is a fault. */
static void pk_finish(struct pkt *p, unsigned magic)
{
    size_t len = p->len - 4;
    p->b[0] = (unsigned char)(magic >> 8);
    p->b[1] = (unsigned char)magic;
    p->b[2] = (unsigned char)(len >> 8);
    p->b[3] = (unsigned char)len;
}

static int send_small(struct conn *c, const unsigned char *p, size_t n)
{
    return out_put(c, p, n);
}

static int send_end(struct conn *c, int reuse)
{
    unsigned char e[6] = {'A', 'B', 0, 2, AJP_END_RESPONSE, 0};
    e[5] = (unsigned char)(reuse ? 1 : 0);
    return send_small(c, e, sizeof(e));
}

static int send_flush_pkt(struct conn *c)
{
    /* Tomcat's flush: an empty chunk plus its trailing NUL. */
    static const unsigned char f[8] = {'A', 'B', 0, 4,
                                       AJP_SEND_BODY_CHUNK, 0, 0, 0};
    if (out_put(c, f, sizeof(f)) < 0)
        return -1;
    return out_flush(c);
}

/* Response header names that AJP13 encodes as 0xA0nn. */
static const char *const res_hdr_names[] = {
    NULL, "content-type", "content-language", "content-length", "date",
    "last-modified", "location", "set-cookie", "set-cookie2",
    "servlet-engine", "status", "www-authenticate"
};

enum { V_NORMAL, V_FILL, V_PASTEND, V_NULL };

struct hs {
    const char *name;
    size_t nlen;
    int name_null;                  /* send 0xFFFF as the name */
    int rawcode;                    /* >= 0: send this int16 as the name */
    const char *val;
    size_t vlen;
    int vmode;
};

struct hspec {
    unsigned status;
    const char *reason;
    size_t rlen;
    int rmode;                      /* V_NORMAL, V_NULL, V_PASTEND, V_FILL */
    long numh;                      /* >= 0: lie about num_headers */
    unsigned magic;
};

/* Encoded size of one header, to stop before the packet overflows. */
static size_t hs_size(const struct hs *h)
{
    size_t n = 0;
    if (h->rawcode >= 0 || h->name_null)
        n += 2;
    else
        n += 2 + h->nlen + 1;
    if (h->vmode == V_NULL)
        n += 2;
    else if (h->vmode == V_PASTEND)
        n += 4;
    else
        n += 2 + h->vlen + 1;
    return n;
}

static int res_code_of(const char *name, size_t n)
{
    size_t i;
    for (i = 1; i < sizeof(res_hdr_names) / sizeof(res_hdr_names[0]); i++)
        if (strlen(res_hdr_names[i]) == n
            && strncasecmp(res_hdr_names[i], name, n) == 0)
            return (int)(0xA000 + i);
    return -1;
}

static void build_headers(struct pkt *p, const struct hspec *sp,
                          const struct hs *h, size_t nh)
{
    size_t i, numh_pos, done = 0;
    pk_begin(p);
    pk_u8(p, AJP_SEND_HEADERS);
    pk_u16(p, sp->status);
    switch (sp->rmode) {
    case V_NULL:
        pk_u16(p, 0xFFFF);
        break;
    case V_PASTEND:
        /* A length that runs far past the end of the packet. */
        pk_u16(p, 0x7FFF);
        pk_bytes(p, sp->reason, sp->rlen);
        pk_u8(p, 0);
        break;
    case V_FILL:
        /* "no NUL": right length, but the terminator is an 'X'. */
        pk_u16(p, (unsigned)sp->rlen);
        pk_bytes(p, sp->reason, sp->rlen);
        pk_u8(p, 'X');
        break;
    default:
        pk_str(p, sp->reason, sp->rlen);
    }
    numh_pos = p->len;
    pk_u16(p, 0);
    for (i = 0; i < nh; i++) {
        const struct hs *x = &h[i];
        int code;
        if (p->full || hs_size(x) > sizeof(p->b) - p->len)
            break;
        if (x->name_null) {
            pk_u16(p, 0xFFFF);
        } else if (x->rawcode >= 0) {
            pk_u16(p, (unsigned)x->rawcode);
        } else if ((code = res_code_of(x->name, x->nlen)) >= 0) {
            pk_u16(p, (unsigned)code);
        } else {
            pk_str(p, x->name, x->nlen);
        }
        switch (x->vmode) {
        case V_NULL:
            pk_u16(p, 0xFFFF);
            break;
        case V_PASTEND:
            pk_u16(p, 0x7FFF);
            pk_bytes(p, "x", 1);
            pk_u8(p, 0);
            break;
        case V_FILL:
            pk_u16(p, (unsigned)x->vlen);
            pk_fill(p, 'p', x->vlen);
            pk_u8(p, 0);
            break;
        default:
            pk_str(p, x->val, x->vlen);
        }
        done++;
    }
    {
        size_t nval = sp->numh >= 0 ? (size_t)sp->numh : done;
        p->b[numh_pos] = (unsigned char)(nval >> 8);
        p->b[numh_pos + 1] = (unsigned char)nval;
    }
    pk_finish(p, sp->magic);
}

/* ------------------------------------------------------------------ */
/* Body sources: the echo text, or N generated bytes                   */

struct body_src {
    const unsigned char *mem;
    unsigned long long total;
    int gen;
};

/*
 * Generated content: the 16-byte block at offset o is the 15-digit
 * lowercase hex of o and a newline.  Any slice can be checked on its own
 * and a shifted or repeated block shows up.
 */
static void gen_fill(unsigned char *dst, unsigned long long off, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i = 0;
    while (i < n) {
        unsigned long long o = off + i;
        unsigned long long blk = o & ~15ULL;
        unsigned pos = (unsigned)(o & 15);
        for (; pos < 16 && i < n; pos++, i++) {
            if (pos == 15)
                dst[i] = '\n';
            else
                dst[i] = (unsigned char)hx[(blk >> (4 * (14 - pos))) & 15];
        }
    }
}

static void src_copy(const struct body_src *s, unsigned long long off,
                     unsigned char *dst, size_t n)
{
    if (s->gen)
        gen_fill(dst, off, n);
    else
        memcpy(dst, s->mem + off, n);
}

/* One SEND_BODY_CHUNK carrying bytes [off, off+n), declared length dlen. */
static int send_chunk(struct conn *c, const struct body_src *s,
                      unsigned long long off, size_t n, size_t dlen)
{
    unsigned char *p = out_reserve(c, n + 8);
    size_t plen = n + 4;
    if (!p)
        return -1;
    p[0] = 'A';
    p[1] = 'B';
    p[2] = (unsigned char)(plen >> 8);
    p[3] = (unsigned char)plen;
    p[4] = AJP_SEND_BODY_CHUNK;
    p[5] = (unsigned char)(dlen >> 8);
    p[6] = (unsigned char)dlen;
    src_copy(s, off, p + 7, n);
    p[7 + n] = 0;
    c->olen += n + 8;
    c->bytes_out += n;
    return 0;
}

static int send_body_range(struct conn *c, const struct body_src *s,
                           unsigned long long from, unsigned long long to,
                           size_t cs, int flush)
{
    while (from < to) {
        size_t n = to - from > cs ? cs : (size_t)(to - from);
        if (send_chunk(c, s, from, n, n) < 0)
            return -1;
        if (flush && send_flush_pkt(c) < 0)
            return -1;
        from += n;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* FORWARD_REQUEST parsing                                             */

struct str {
    const unsigned char *p;
    size_t n;
    int set;                        /* present in the request */
    int null;                       /* sent as 0xFFFF */
};

struct rd {
    const unsigned char *p;
    size_t len, pos;
    const char *err;
};

static int rd_u8(struct rd *r, unsigned *v, const char *what)
{
    if (r->pos + 1 > r->len) {
        r->err = what;
        return 0;
    }
    *v = r->p[r->pos++];
    return 1;
}

static int rd_u16(struct rd *r, unsigned *v, const char *what)
{
    if (r->pos + 2 > r->len) {
        r->err = what;
        return 0;
    }
    *v = ((unsigned)r->p[r->pos] << 8) | r->p[r->pos + 1];
    r->pos += 2;
    return 1;
}

static int rd_str(struct rd *r, struct str *s, const char *what)
{
    unsigned n;
    if (!rd_u16(r, &n, what))
        return 0;
    s->set = 1;
    if (n == 0xFFFF) {
        s->null = 1;
        s->p = (const unsigned char *)"";
        s->n = 0;
        return 1;
    }
    if ((size_t)n + 1 > r->len - r->pos) {
        r->err = what;
        return 0;
    }
    if (r->p[r->pos + n] != 0) {
        r->err = what;
        return 0;
    }
    s->null = 0;
    s->p = r->p + r->pos;
    s->n = n;
    r->pos += (size_t)n + 1;
    return 1;
}

static const char *const method_names[] = {
    NULL, "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
    "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN", "CHECKOUT",
    "UNCHECKOUT", "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
    "BASELINE-CONTROL", "MKACTIVITY"
};
#define METHOD_MAX 27

static const char *const req_hdr_names[] = {
    NULL, "accept", "accept-charset", "accept-encoding", "accept-language",
    "authorization", "connection", "content-type", "content-length",
    "cookie", "cookie2", "host", "pragma", "referer", "user-agent"
};
#define REQ_HDR_MAX 14

enum {
    A_CONTEXT = 1, A_SERVLET_PATH, A_REMOTE_USER, A_AUTH_TYPE, A_QUERY,
    A_ROUTE, A_SSL_CERT, A_SSL_CIPHER, A_SSL_SESSION, A_REQ_ATTR,
    A_SSL_KEY_SIZE, A_SECRET, A_STORED_METHOD
};

struct hdr {
    struct str name;
    int code;                       /* 1..14, or 0 for a string name */
    struct str value;
};

struct req {
    unsigned mcode;
    struct str method;
    struct str protocol, uri, raddr, rhost, sname;
    unsigned sport, is_ssl;
    unsigned nh;
    struct hdr *h;
    struct str a[A_STORED_METHOD + 1];
    int key_size_set;
    unsigned key_size;
    unsigned na;
    struct str *an, *av;            /* 0x0A name/value pairs */
    int has_cl, has_te;
    unsigned long long cl;
};

static void req_free(struct req *rq)
{
    free(rq->h);
    free(rq->an);
    free(rq->av);
}

static int str_eq(const struct str *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->set && !s->null && s->n == n && memcmp(s->p, lit, n) == 0;
}

static int str_ieq(const struct str *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->set && !s->null && s->n == n
           && strncasecmp((const char *)s->p, lit, n) == 0;
}

static const char *hdr_name(const struct hdr *h, size_t *n)
{
    if (h->code) {
        *n = strlen(req_hdr_names[h->code]);
        return req_hdr_names[h->code];
    }
    *n = h->name.n;
    return (const char *)h->name.p;
}

static int hdr_is(const struct hdr *h, int code, const char *lname)
{
    if (h->code)
        return h->code == code;
    return str_ieq(&h->name, lname);
}

/* Parse the whole payload; returns NULL or the reason it is malformed. */
static const char *parse_forward(const unsigned char *p, size_t len,
                                 struct req *rq)
{
    struct rd r = {p, len, 1, NULL};
    unsigned i, v;
    size_t cap;
    memset(rq, 0, sizeof(*rq));
    if (!rd_u8(&r, &rq->mcode, "method byte missing"))
        return r.err;
    if (rq->mcode == 0 || (rq->mcode > METHOD_MAX && rq->mcode != 0xFF))
        return "unknown method code";
    if (!rd_str(&r, &rq->protocol, "bad protocol string")
        || !rd_str(&r, &rq->uri, "bad req_uri string")
        || !rd_str(&r, &rq->raddr, "bad remote_addr string")
        || !rd_str(&r, &rq->rhost, "bad remote_host string")
        || !rd_str(&r, &rq->sname, "bad server_name string")
        || !rd_u16(&r, &rq->sport, "server_port missing")
        || !rd_u8(&r, &rq->is_ssl, "is_ssl missing")
        || !rd_u16(&r, &rq->nh, "num_headers missing"))
        return r.err;
    if (rq->protocol.null || rq->uri.null || rq->raddr.null)
        return "null protocol, req_uri or remote_addr";
    if (rq->uri.n == 0 || rq->uri.p[0] != '/')
        return "req_uri does not start with /";
    if (rq->is_ssl > 1)
        return "is_ssl is not a boolean";
    /* Each header needs at least 5 bytes (code + empty value). */
    if ((size_t)rq->nh * 5 > len - r.pos)
        return "num_headers larger than the packet";
    rq->h = calloc(rq->nh ? rq->nh : 1, sizeof(*rq->h));
    if (!rq->h)
        return "out of memory";
    for (i = 0; i < rq->nh; i++) {
        struct hdr *h = &rq->h[i];
        if (r.pos + 2 > len)
            return "header name missing";
        v = ((unsigned)p[r.pos] << 8) | p[r.pos + 1];
        if ((v >> 8) == 0xA0) {
            r.pos += 2;
            if ((v & 0xFF) == 0 || (v & 0xFF) > REQ_HDR_MAX)
                return "unknown request header code";
            h->code = (int)(v & 0xFF);
        } else {
            if (!rd_str(&r, &h->name, "bad header name string"))
                return r.err;
            if (h->name.null || h->name.n == 0)
                return "null or empty header name";
        }
        if (!rd_str(&r, &h->value, "bad header value string"))
            return r.err;
        if (h->value.null)
            return "null header value";
        if (hdr_is(h, 8, "content-length")) {
            unsigned long long cl = 0;
            size_t k;
            if (rq->has_cl)
                return "two content-length headers";
            if (h->value.n == 0 || h->value.n > 19)
                return "bad content-length";
            for (k = 0; k < h->value.n; k++) {
                if (h->value.p[k] < '0' || h->value.p[k] > '9')
                    return "bad content-length";
                cl = cl * 10 + (h->value.p[k] - '0');
            }
            rq->has_cl = 1;
            rq->cl = cl;
        }
        if (!h->code && str_ieq(&h->name, "transfer-encoding"))
            rq->has_te = 1;
    }
    /* Attribute pairs need at least 7 bytes each. */
    cap = (len - r.pos) / 7 + 1;
    rq->an = calloc(cap, sizeof(*rq->an));
    rq->av = calloc(cap, sizeof(*rq->av));
    if (!rq->an || !rq->av)
        return "out of memory";
    for (;;) {
        unsigned code;
        if (!rd_u8(&r, &code, "attribute list not terminated by 0xFF"))
            return r.err;
        if (code == 0xFF)
            break;
        if (code == A_REQ_ATTR) {
            struct str n = {0}, val = {0};
            if (!rd_str(&r, &n, "bad req_attribute name")
                || !rd_str(&r, &val, "bad req_attribute value"))
                return r.err;
            if (n.null || n.n == 0)
                return "null or empty req_attribute name";
            if (rq->na >= cap)
                return "too many attributes";
            rq->an[rq->na] = n;
            rq->av[rq->na] = val;
            rq->na++;
        } else if (code == A_SSL_KEY_SIZE) {
            if (!rd_u16(&r, &rq->key_size, "ssl_key_size missing"))
                return r.err;
            rq->key_size_set = 1;
        } else if (code >= A_CONTEXT && code <= A_STORED_METHOD) {
            if (!rd_str(&r, &rq->a[code], "bad attribute string"))
                return r.err;
        } else {
            return "unknown attribute code";
        }
    }
    if (r.pos != len)
        return "bytes after the 0xFF terminator";
    if (rq->mcode == 0xFF) {
        const struct str *m = &rq->a[A_STORED_METHOD];
        if (!m->set || m->null || m->n == 0)
            return "method 0xFF without a stored method";
        rq->method = *m;
    } else {
        rq->method.p = (const unsigned char *)method_names[rq->mcode];
        rq->method.n = strlen(method_names[rq->mcode]);
        rq->method.set = 1;
    }
    return NULL;
}

static const struct str *req_attr(const struct req *rq, const char *name)
{
    unsigned i;
    for (i = 0; i < rq->na; i++)
        if (str_eq(&rq->an[i], name))
            return &rq->av[i];
    return NULL;
}

/* Constant-time compare: the test tool must not leak the secret either. */
static int secret_ok(const struct req *rq)
{
    const struct str *s = &rq->a[A_SECRET];
    unsigned char diff = 0;
    size_t i;
    if (!opt.secret)
        return 1;
    if (!s->set || s->null || s->n != opt.secret_len)
        return 0;
    for (i = 0; i < s->n; i++)
        diff |= (unsigned char)(s->p[i] ^ (unsigned char)opt.secret[i]);
    return diff == 0;
}

/* ------------------------------------------------------------------ */
/* Per-request control (?fault=NAME&size=N... or /fault/NAME)           */

#define MAX_XHDR 8

struct xhdr {
    char name[128];
    size_t nlen;
    char val[1024];
    size_t vlen;
};

struct ctl {
    int fault;
    int flush, slowdrip, nobody, forcebody, readbody, stats;
    long long gate;                 /* body bytes to send before waiting
                                     * for --gate-file; -1 none, 0 one
                                     * chunk */
    long long size;                 /* -1: send the echo */
    long long status, delay_ms, drip_ms, headers, cut, plen, type, code;
    long long chunk;
    long long early_after;          /* early_answer after this many asks */
    int then;                       /* 0 default, 1 close, 2 keep */
    int arm;                        /* cpong fault for the next CPING */
    int not_me;                     /* only=NAME named another backend */
    char reason[256];
    size_t rlen;
    int has_reason;
    struct xhdr xh[MAX_XHDR];
    int nxh;
    char err[160];
};

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static size_t pct_decode(char *dst, size_t cap, const unsigned char *s,
                         size_t n)
{
    size_t o = 0, i;
    for (i = 0; i < n && o + 1 < cap; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0
            && hexval(s[i + 2]) >= 0) {
            dst[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (s[i] == '+') {
            dst[o++] = ' ';
        } else {
            dst[o++] = (char)s[i];
        }
    }
    dst[o] = '\0';
    return o;
}

static int parse_num(const char *s, long long max, long long *out)
{
    unsigned long long v = 0;
    int base = 10;
    if (!*s)
        return 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!*s)
            return 0;
    }
    for (; *s; s++) {
        int d = base == 16 ? hexval(*s) : (*s >= '0' && *s <= '9'
                                           ? *s - '0' : -1);
        if (d < 0)
            return 0;
        v = v * (unsigned)base + (unsigned)d;
        if (v > (unsigned long long)max)
            return 0;
    }
    *out = (long long)v;
    return 1;
}

static int fault_by_name(const char *s, size_t n)
{
    int i;
    for (i = 0; i < F_COUNT; i++)
        if (strlen(fault_names[i]) == n && memcmp(fault_names[i], s, n) == 0)
            return i;
    return -1;
}

/* Fault names and modifiers may appear as bare words; returns 1 if known. */
static int ctl_word(struct ctl *c, const char *k, size_t n)
{
    int f;
    if (n == 5 && memcmp(k, "flush", 5) == 0) {
        c->flush = 1;
        return 1;
    }
    if (n == 8 && memcmp(k, "slowdrip", 8) == 0) {
        c->slowdrip = 1;
        return 1;
    }
    if (n == 4 && memcmp(k, "gate", 4) == 0) {
        c->gate = 0;
        return 1;
    }
    f = fault_by_name(k, n);
    if (f < 0)
        return 0;
    if (is_cpong_fault(f))
        c->arm = f;
    else
        c->fault = f;
    return 1;
}

static void ctl_param(struct ctl *c, const char *k, const char *v,
                      size_t vlen, int has_val)
{
    const struct {
        const char *key;
        long long max;
        long long *dst;
    } nums[] = {
        {"size", 1LL << 50, &c->size},
        {"status", 65535, &c->status},
        {"delay_ms", 3600000, &c->delay_ms},
        {"drip_ms", 60000, &c->drip_ms},
        {"headers", 65535, &c->headers},
        {"cut_headers", 65539, &c->cut},
        {"plen", 65535, &c->plen},
        {"type", 255, &c->type},
        {"code", 65535, &c->code},
        {"chunk", 65535, &c->chunk},
        {"gate", 1LL << 50, &c->gate},
    };
    size_t i;
    if (!has_val) {
        /* Unknown bare words belong to the application. */
        (void)ctl_word(c, k, strlen(k));
        return;
    }
    for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        if (strcmp(k, nums[i].key) != 0)
            continue;
        if (!parse_num(v, nums[i].max, nums[i].dst)) {
            snprintf(c->err, sizeof(c->err), "bad number for %s", k);
            return;
        }
        if (strcmp(k, "cut_headers") == 0)
            c->fault = F_CUT_HEADERS;
        return;
    }
    if (strcmp(k, "fault") == 0 || strcmp(k, "arm") == 0) {
        if (!ctl_word(c, v, strlen(v)))
            snprintf(c->err, sizeof(c->err), "unknown fault %.100s", v);
    } else if (strcmp(k, "reason") == 0) {
        size_t n = vlen < sizeof(c->reason) ? vlen : sizeof(c->reason) - 1;
        memcpy(c->reason, v, n);
        c->rlen = n;
        c->has_reason = 1;
    } else if (strcmp(k, "hdr") == 0) {
        const char *colon = memchr(v, ':', vlen);
        struct xhdr *x;
        if (!colon || c->nxh >= MAX_XHDR) {
            snprintf(c->err, sizeof(c->err), "bad hdr= (Name:Value, max %d)",
                     MAX_XHDR);
            return;
        }
        x = &c->xh[c->nxh++];
        x->nlen = (size_t)(colon - v);
        if (x->nlen >= sizeof(x->name))
            x->nlen = sizeof(x->name) - 1;
        memcpy(x->name, v, x->nlen);
        x->vlen = vlen - (size_t)(colon - v) - 1;
        if (x->vlen >= sizeof(x->val))
            x->vlen = sizeof(x->val) - 1;
        memcpy(x->val, colon + 1, x->vlen);
    } else if (strcmp(k, "only") == 0) {
        /* only=NAME: the fault is meant for backend NAME; the others
         * answer normally (lets a test break one member of a balancer). */
        c->not_me = strcmp(v, opt.name) != 0;
    } else if (strcmp(k, "then") == 0) {
        if (strcmp(v, "close") == 0)
            c->then = 1;
        else if (strcmp(v, "keep") == 0)
            c->then = 2;
        else
            snprintf(c->err, sizeof(c->err), "then= must be close or keep");
    } else if (strcmp(k, "early_after") == 0) {
        c->early_after = atoll(v);
    } else if (strcmp(k, "nobody") == 0) {
        c->nobody = strcmp(v, "0") != 0;
    } else if (strcmp(k, "forcebody") == 0) {
        c->forcebody = strcmp(v, "0") != 0;
    } else if (strcmp(k, "readbody") == 0) {
        c->readbody = strcmp(v, "0") != 0 ? 1 : 0;
    } else if (strcmp(k, "flush") == 0) {
        c->flush = strcmp(v, "0") != 0;
    } else if (strcmp(k, "slowdrip") == 0) {
        c->slowdrip = strcmp(v, "0") != 0;
    }
    /* Any other key belongs to the application: ignore it. */
}

static void parse_ctl(const struct req *rq, struct ctl *c)
{
    const struct str *q = &rq->a[A_QUERY];
    const unsigned char *u = rq->uri.p;
    const unsigned char *f;
    memset(c, 0, sizeof(*c));
    c->size = -1;
    c->status = -1;
    c->delay_ms = c->drip_ms = c->headers = c->cut = -1;
    c->plen = c->type = c->code = c->chunk = -1;
    c->readbody = -1;
    c->gate = -1;
    if (rq->uri.n >= 8 && memcmp(u + rq->uri.n - 8, "/__stats", 8) == 0)
        c->stats = 1;
    f = memmem(u, rq->uri.n, "/fault/", 7);
    if (f) {
        const unsigned char *s = f + 7, *e = u + rq->uri.n, *t = s;
        while (t < e && *t != '/' && *t != ';')
            t++;
        if (!ctl_word(c, (const char *)s, (size_t)(t - s)))
            snprintf(c->err, sizeof(c->err), "unknown fault in path");
    }
    if (q->set && !q->null) {
        const unsigned char *s = q->p, *e = q->p + q->n;
        while (s < e) {
            const unsigned char *amp = memchr(s, '&', (size_t)(e - s));
            const unsigned char *end = amp ? amp : e;
            const unsigned char *eq = memchr(s, '=', (size_t)(end - s));
            char k[64], v[2048];
            size_t vlen = 0;
            pct_decode(k, sizeof(k), s, (size_t)((eq ? eq : end) - s));
            if (eq)
                vlen = pct_decode(v, sizeof(v), eq + 1,
                                  (size_t)(end - eq - 1));
            else
                v[0] = '\0';
            if (k[0])
                ctl_param(c, k, v, vlen, eq != NULL);
            s = amp ? amp + 1 : e;
        }
    }
    if (c->not_me) {
        c->fault = F_NONE;
        c->cut = -1;
    }
}

/* ------------------------------------------------------------------ */
/* Request body (Tomcat's way)                                         */

struct bodyinfo {
    unsigned long long len;
    uint64_t hash;
    unsigned long long packets;
    unsigned long long asks;        /* GET_BODY_CHUNKs sent */
    int expected;                   /* a body was to be read */
    int complete;
    int overflow;                   /* more than content-length arrived */
    long extra_reply;               /* getbody_extra: reply payload, or -1 */
    int early;                      /* early_answer: stopped reading */
};

static int send_get_body(struct conn *c, int with_len)
{
    unsigned n = (unsigned)opt.max_packet - 6;
    unsigned char g[7] = {'A', 'B', 0, 3, AJP_GET_BODY_CHUNK, 0, 0};
    g[5] = (unsigned char)(n >> 8);
    g[6] = (unsigned char)n;
    if (!with_len)
        g[3] = 1;
    st_add(ST_GETBODY_SENT, 1);
    if (out_put(c, g, with_len ? 7 : 5) < 0)
        return -1;
    return out_flush(c);
}

/*
 * Read the request body.  With a content-length > 0 the first packet comes
 * unasked; afterwards (and from the start when the length is unknown) ask
 * with GET_BODY_CHUNK for max-packet - 6 bytes each time, as Tomcat does,
 * until the length is reached or an empty packet arrives.  Returns 0, or
 * -1 if the connection is unusable.
 */
static int read_body(struct conn *c, const struct req *rq,
                     const struct ctl *ctl, struct bodyinfo *bi)
{
    int unasked;
    memset(bi, 0, sizeof(*bi));
    bi->hash = FNV_OFFSET;
    bi->extra_reply = -1;
    if (rq->has_cl) {
        bi->expected = rq->cl > 0;
    } else if (ctl->readbody >= 0) {
        bi->expected = ctl->readbody;
    } else {
        /* Unknown length: a servlet would read it for these. */
        bi->expected = rq->has_te || str_eq(&rq->method, "POST")
                       || str_eq(&rq->method, "PUT")
                       || str_eq(&rq->method, "PATCH");
    }
    if (!bi->expected) {
        bi->complete = 1;
        if (ctl->fault != F_GETBODY_EXTRA)
            return 0;
        goto extra;             /* the ask comes for no body as well */
    }
    unasked = rq->has_cl;
    for (;;) {
        long n;
        unsigned clen;
        if (rq->has_cl && bi->len >= rq->cl) {
            bi->complete = 1;
            break;
        }
        if (!unasked) {
            if (ctl->fault == F_EARLY_ANSWER
                && (long long)bi->asks >= ctl->early_after) {
                /* Answer now, leaving the rest of the body unasked. */
                bi->early = 1;
                break;
            }
            if (ctl->fault == F_GETBODY_RST) {
                /* Ask for more, then reset: the front's next body write
                 * (or its read) fails mid-body. */
                struct linger lg = {1, 0};
                send_get_body(c, 1);
                setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                __atomic_add_fetch(&fault_fired[F_GETBODY_RST], 1,
                                   __ATOMIC_RELAXED);
                return -1;
            }
            if (ctl->fault == F_GETBODY_NOLEN) {
                /* The broken ask; the front must give up on us. */
                send_get_body(c, 0);
                return -1;
            }
            {
                /* A body packet already waiting before we ask: the front
                 * sent it ahead (body_window). */
                int queued = 0;
                if (ioctl(c->fd, FIONREAD, &queued) == 0 && queued > 0)
                    st_add(ST_ASKS_PREQUEUED, 1);
            }
            if (send_get_body(c, 1) < 0)
                return -1;
            bi->asks++;
        }
        unasked = 0;
        n = read_packet(c, c->inbuf);
        if (n < 0) {
            st_add(ST_BODIES_ABORTED, 1);
            return -1;
        }
        if (n == 0)
            break;
        clen = n >= 2 ? ((unsigned)c->inbuf[0] << 8) | c->inbuf[1] : 0;
        if (n < 2 || (long)clen + 2 != n) {
            st_add(ST_PROTOCOL_ERRORS, 1);
            set_last_error("body packet length disagrees with its chunk");
            return -1;
        }
        if (clen == 0)
            break;
        if (clen > (unsigned)opt.max_packet - 6) {
            st_add(ST_PROTOCOL_ERRORS, 1);
            set_last_error("body chunk larger than asked for");
            return -1;
        }
        {
            size_t k;
            const unsigned char *d = c->inbuf + 2;
            uint64_t h = bi->hash;
            for (k = 0; k < clen; k++) {
                h ^= d[k];
                h *= FNV_PRIME;
            }
            bi->hash = h;
        }
        bi->len += clen;
        bi->packets++;
        st_add(ST_BODY_PACKETS, 1);
        st_add(ST_BODY_BYTES, clen);
        if (rq->has_cl && bi->len > rq->cl)
            bi->overflow = 1;
    }
    /* Unknown length: the empty packet is the end.  Known: only CL bytes. */
    bi->complete = rq->has_cl ? bi->len >= rq->cl : 1;
    if (bi->complete && !bi->overflow) {
        char m[20];
        esc_into(m, sizeof(m), rq->method.p,
                 rq->method.n > 16 ? 16 : rq->method.n);
        st_add(ST_BODIES_RECEIVED, 1);
        pthread_mutex_lock(&stats_mu);
        snprintf(recent_bodies[recent_next % RECENT_BODIES],
                 sizeof(recent_bodies[0]), "%s:%llu:%016llx", m, bi->len,
                 (unsigned long long)bi->hash);
        recent_next++;
        pthread_mutex_unlock(&stats_mu);
    } else {
        st_add(ST_BODIES_INCOMPLETE, 1);
        /* A front must not reuse a connection whose body went wrong. */
        if (opt.taint_short_body && !bi->early)
            c->tainted = 1;
    }
extra:
    if (ctl->fault == F_GETBODY_EXTRA) {
        long n;
        /* Ask again after the end: the front must answer empty (or quit). */
        if (send_get_body(c, 1) < 0)
            return -1;
        bi->asks++;
        n = read_packet(c, c->inbuf);
        if (n < 0)
            return -1;
        bi->extra_reply = n;
    }
    return 0;
}

/* The first unasked body packet, read so closing does not reset. */
static void drain_first(struct conn *c, const struct req *rq)
{
    if (rq->has_cl && rq->cl > 0)
        (void)read_packet(c, c->inbuf);
}

/* ------------------------------------------------------------------ */
/* Echo text                                                           */

static void echo_kv(struct dbuf *d, const char *key, const struct str *s)
{
    db_puts(d, key);
    db_puts(d, ": ");
    if (!s || !s->set)
        db_puts(d, "-");
    else if (s->null)
        db_puts(d, "(null)");
    else
        db_esc(d, s->p, s->n);
    db_puts(d, "\n");
}

/* JSESSIONID from the Cookie header or a ;jsessionid= path parameter. */
static int find_session(const struct req *rq, struct str *out)
{
    unsigned i;
    for (i = 0; i < rq->nh; i++) {
        const struct hdr *h = &rq->h[i];
        const unsigned char *s, *e, *m;
        if (!hdr_is(h, 9, "cookie"))
            continue;
        s = h->value.p;
        e = s + h->value.n;
        while ((m = memmem(s, (size_t)(e - s), "JSESSIONID=", 11))) {
            const unsigned char *v = m + 11, *t = v;
            if (m == h->value.p || m[-1] == ' ' || m[-1] == ';') {
                while (t < e && *t != ';' && *t != ' ')
                    t++;
                out->p = v;
                out->n = (size_t)(t - v);
                out->set = 1;
                return 1;
            }
            s = m + 1;
        }
    }
    {
        const unsigned char *u = rq->uri.p, *e = u + rq->uri.n;
        const unsigned char *m = memmem(u, rq->uri.n, ";jsessionid=", 12);
        if (m) {
            const unsigned char *v = m + 12, *t = v;
            while (t < e && *t != ';' && *t != '/' && *t != '?')
                t++;
            out->p = v;
            out->n = (size_t)(t - v);
            out->set = 1;
            return 1;
        }
    }
    return 0;
}

static void build_echo(struct dbuf *d, struct conn *c, const struct req *rq,
                       const struct bodyinfo *bi, const struct ctl *ctl)
{
    static const char *const known[] = {
        "AJP_REMOTE_PORT", "AJP_LOCAL_ADDR", "AJP_SSL_PROTOCOL",
        "JK_LB_ACTIVATION"
    };
    struct str tmp = {0}, sess = {0};
    unsigned i;
    size_t k;
    db_printf(d, "backend: %s\n", opt.name);
    db_printf(d, "backend_route: %s\n", opt.route ? opt.route : "-");
    db_printf(d, "conn_id: %llu\n", c->id);
    db_printf(d, "conn_requests: %llu\n", c->nreq);
    db_printf(d, "tainted: %d\n", c->tainted);
    echo_kv(d, "method", &rq->method);
    db_printf(d, "method_code: %u\n", rq->mcode);
    echo_kv(d, "uri", &rq->uri);
    echo_kv(d, "query", &rq->a[A_QUERY]);
    echo_kv(d, "protocol", &rq->protocol);
    echo_kv(d, "remote_addr", &rq->raddr);
    echo_kv(d, "remote_host", &rq->rhost);
    echo_kv(d, "remote_port", req_attr(rq, "AJP_REMOTE_PORT"));
    echo_kv(d, "local_addr", req_attr(rq, "AJP_LOCAL_ADDR"));
    echo_kv(d, "server_name", &rq->sname);
    db_printf(d, "server_port: %u\n", rq->sport);
    db_printf(d, "is_ssl: %u\n", rq->is_ssl);
    echo_kv(d, "ssl_cipher", &rq->a[A_SSL_CIPHER]);
    if (rq->key_size_set)
        db_printf(d, "ssl_key_size: %u\n", rq->key_size);
    else
        db_puts(d, "ssl_key_size: -\n");
    echo_kv(d, "ssl_session", &rq->a[A_SSL_SESSION]);
    if (rq->a[A_SSL_CERT].set && !rq->a[A_SSL_CERT].null)
        db_printf(d, "ssl_cert_length: %zu\n", rq->a[A_SSL_CERT].n);
    else
        db_puts(d, "ssl_cert_length: -\n");
    echo_kv(d, "ssl_protocol", req_attr(rq, "AJP_SSL_PROTOCOL"));
    echo_kv(d, "remote_user", &rq->a[A_REMOTE_USER]);
    echo_kv(d, "auth_type", &rq->a[A_AUTH_TYPE]);
    echo_kv(d, "route", &rq->a[A_ROUTE]);
    echo_kv(d, "jk_lb_activation", req_attr(rq, "JK_LB_ACTIVATION"));
    if (rq->a[A_CONTEXT].set)
        echo_kv(d, "context", &rq->a[A_CONTEXT]);
    if (rq->a[A_SERVLET_PATH].set)
        echo_kv(d, "servlet_path", &rq->a[A_SERVLET_PATH]);
    if (rq->a[A_STORED_METHOD].set)
        echo_kv(d, "stored_method", &rq->a[A_STORED_METHOD]);
    /* Never the secret itself (T-G11), only whether it came. */
    db_printf(d, "secret: %s\n",
              rq->a[A_SECRET].set ? "present" : "absent");
    if (find_session(rq, &sess)) {
        const unsigned char *dot = NULL;
        echo_kv(d, "session", &sess);
        for (k = 0; k < sess.n; k++)
            if (sess.p[k] == '.')
                dot = sess.p + k;
        if (dot) {
            tmp.p = dot + 1;
            tmp.n = sess.n - (size_t)(dot + 1 - sess.p);
            tmp.set = 1;
            echo_kv(d, "session_route", &tmp);
        } else {
            db_puts(d, "session_route: -\n");
        }
    } else {
        db_puts(d, "session: -\nsession_route: -\n");
    }
    db_printf(d, "header_count: %u\n", rq->nh);
    for (i = 0; i < rq->nh; i++) {
        size_t nl;
        const char *nm = hdr_name(&rq->h[i], &nl);
        db_puts(d, "header.");
        db_esc(d, (const unsigned char *)nm, nl);
        db_puts(d, ": ");
        db_esc(d, rq->h[i].value.p, rq->h[i].value.n);
        db_puts(d, "\n");
    }
    db_puts(d, "attr_names: ");
    for (i = 0; i < rq->na; i++) {
        if (i)
            db_puts(d, ",");
        db_esc(d, rq->an[i].p, rq->an[i].n);
    }
    db_puts(d, "\n");
    for (i = 0; i < rq->na; i++) {
        int skip = 0;
        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            if (str_eq(&rq->an[i], known[k]))
                skip = 1;
        if (skip)
            continue;
        db_puts(d, "attr.");
        db_esc(d, rq->an[i].p, rq->an[i].n);
        db_puts(d, ": ");
        if (rq->av[i].null)
            db_puts(d, "(null)");
        else
            db_esc(d, rq->av[i].p, rq->av[i].n);
        db_puts(d, "\n");
    }
    db_printf(d, "body_length: %llu\n", bi->len);
    db_printf(d, "body_fnv1a64: %016llx\n", (unsigned long long)bi->hash);
    db_printf(d, "body_complete: %d\n", bi->complete && !bi->overflow);
    db_printf(d, "body_packets: %llu\n", bi->packets);
    db_printf(d, "getbody_requests: %llu\n", bi->asks);
    if (bi->extra_reply >= 0)
        db_printf(d, "getbody_extra_reply: %ld\n", bi->extra_reply);
    db_printf(d, "fault: %s\n", fault_names[ctl->fault]);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

enum { AFTER_KEEP, AFTER_CLOSE, AFTER_SILENT };

/* Account for the request and write the stats file before the last bytes
 * leave, so a client that saw the answer also sees the counters. */
static void account(struct conn *c, const struct req *rq,
                    const struct ctl *ctl, int completed)
{
    if (completed)
        st_add(ST_REQ_COMPLETED, 1);
    if (ctl && ctl->fault != F_NONE) {
        st_add(ST_REQ_FAULTED, 1);
        __atomic_add_fetch(&fault_fired[ctl->fault], 1, __ATOMIC_RELAXED);
    }
    if (rq && rq->uri.set) {
        pthread_mutex_lock(&stats_mu);
        esc_into(last_uri, sizeof(last_uri), rq->uri.p,
                 rq->uri.n > 120 ? 120 : rq->uri.n);
        pthread_mutex_unlock(&stats_mu);
    }
    stats_flush();
    (void)c;
}

static void log_request(struct conn *c, const struct req *rq,
                        const struct ctl *ctl, const struct bodyinfo *bi,
                        unsigned status)
{
    char m[40], u[200];
    if (!opt.verbose)
        return;
    esc_into(m, sizeof(m), rq->method.p, rq->method.n);
    esc_into(u, sizeof(u), rq->uri.p, rq->uri.n);
    fprintf(stderr, "fake_ajp_backend[%s]: conn=%llu req=%llu %s %s "
            "status=%u fault=%s body_in=%llu bytes_out=%llu\n", opt.name,
            c->id, c->nreq, m, u, status,
            ctl ? fault_names[ctl->fault] : "none", bi ? bi->len : 0,
            c->bytes_out);
}

/* A short answer that always closes: 400 for a malformed request. */
static void answer_and_close(struct conn *c, unsigned status,
                             const char *why)
{
    struct hs h[3];
    struct hspec sp;
    char reason[8];
    struct body_src src;
    size_t nh = 0;
    memset(h, 0, sizeof(h));
    snprintf(reason, sizeof(reason), "%u", status);
    sp.status = status;
    sp.reason = reason;
    sp.rlen = strlen(reason);
    sp.rmode = V_NORMAL;
    sp.numh = -1;
    sp.magic = 0x4142;
    h[nh].name = "X-Backend";
    h[nh].nlen = 9;
    h[nh].rawcode = -1;
    h[nh].val = opt.name;
    h[nh].vlen = strlen(opt.name);
    nh++;
    if (why) {
        h[nh].name = "Content-Type";
        h[nh].nlen = 12;
        h[nh].rawcode = -1;
        h[nh].val = "text/plain";
        h[nh].vlen = 10;
        nh++;
    }
    build_headers(c->pk, &sp, h, nh);
    out_put(c, c->pk->b, c->pk->len);
    if (why) {
        char body[256];
        int n = snprintf(body, sizeof(body), "fake_ajp_backend: %s\n", why);
        src.mem = (const unsigned char *)body;
        src.total = (unsigned long long)n;
        src.gen = 0;
        send_body_range(c, &src, 0, src.total, src.total, 0);
    }
    send_end(c, 0);
    stats_flush();
    out_flush(c);
}

static int has_jsessionid_cookie(const struct req *rq)
{
    struct str s = {0};
    return find_session(rq, &s);
}

static int do_answer(struct conn *c, const struct req *rq,
                     const struct ctl *ctl, const struct bodyinfo *bi,
                     const struct dbuf *echo)
{
    int f = ctl->fault;
    unsigned status = ctl->status >= 0 ? (unsigned)ctl->status : 200;
    char reason[16], sessval[64], sesscookie[160];
    struct hspec sp;
    struct hs *h;
    size_t nh = 0, nxh_max, k;
    struct body_src src;
    size_t cs = (size_t)opt.max_packet - 8;
    int after = AFTER_KEEP, send_body = 1, want_session = 0;
    char (*xnames)[24] = NULL, (*xvals)[24] = NULL;

    if (f == F_EARLY_ANSWER && ctl->status < 0)
        status = 413;
    if (f == F_STATUS0)
        status = 0;
    else if (f == F_STATUS1000)
        status = 1000;
    else if (f == F_NULLSTATUS)
        status = 0xFFFF;
    snprintf(reason, sizeof(reason), "%u", status);
    sp.status = status;
    sp.reason = ctl->has_reason ? ctl->reason : reason;
    sp.rlen = ctl->has_reason ? ctl->rlen : strlen(reason);
    sp.rmode = f == F_BADSTRING ? V_PASTEND : f == F_NONUL ? V_FILL
               : f == F_NULLREASON ? V_NULL : V_NORMAL;
    sp.numh = f == F_HDRCOUNT ? 65535 : -1;
    sp.magic = f == F_BADMAGIC ? 0x1234 : 0x4142;

    if (ctl->chunk > 0)
        cs = (size_t)ctl->chunk;
    if (cs > PAYLOAD_MAX - 4)
        cs = PAYLOAD_MAX - 4;

    nxh_max = 16 + (ctl->headers > 0 ? (size_t)ctl->headers : 0);
    h = calloc(nxh_max, sizeof(*h));
    if (ctl->headers > 0) {
        xnames = calloc((size_t)ctl->headers, sizeof(*xnames));
        xvals = calloc((size_t)ctl->headers, sizeof(*xvals));
    }
    if (!h || (ctl->headers > 0 && (!xnames || !xvals))) {
        free(h);
        free(xnames);
        free(xvals);
        return -1;
    }
#define ADD_HDR(n_, v_, vl_) do { \
        h[nh].name = (n_); h[nh].nlen = strlen(n_); h[nh].rawcode = -1; \
        h[nh].val = (v_); h[nh].vlen = (vl_); nh++; } while (0)

    if (f == F_HDRCOUNT) {
        ADD_HDR("Content-Type", "text/plain", 10);
    } else {
        ADD_HDR("Content-Type", "text/plain", 10);
        ADD_HDR("X-Backend", opt.name, strlen(opt.name));
        want_session = !has_jsessionid_cookie(rq)
                       && memmem(rq->uri.p, rq->uri.n, "/session", 8);
        if (want_session) {
            int n;
            snprintf(sessval, sizeof(sessval), "%016llx",
                     (unsigned long long)rng_next(c));
            n = snprintf(sesscookie, sizeof(sesscookie),
                         "JSESSIONID=%s%s%.60s; Path=/", sessval,
                         opt.route ? "." : "", opt.route ? opt.route : "");
            ADD_HDR("Set-Cookie", sesscookie, (size_t)n);
        }
        for (k = 0; k < (size_t)(ctl->headers > 0 ? ctl->headers : 0); k++) {
            int nl = snprintf(xnames[k], sizeof(xnames[0]), "X-Extra-%zu", k);
            int vl = snprintf(xvals[k], sizeof(xvals[0]), "value-%zu", k);
            h[nh].name = xnames[k];
            h[nh].nlen = (size_t)nl;
            h[nh].rawcode = -1;
            h[nh].val = xvals[k];
            h[nh].vlen = (size_t)vl;
            nh++;
        }
        for (k = 0; k < (size_t)ctl->nxh; k++) {
            h[nh].name = ctl->xh[k].name;
            h[nh].nlen = ctl->xh[k].nlen;
            h[nh].rawcode = -1;
            h[nh].val = ctl->xh[k].val;
            h[nh].vlen = ctl->xh[k].vlen;
            nh++;
        }
        switch (f) {
        case F_BADSTRING_HDR:
            ADD_HDR("X-Bad", "", 0);
            h[nh - 1].vmode = V_PASTEND;
            break;
        case F_BADCODE:
            ADD_HDR("X-Code", "x", 1);
            h[nh - 1].rawcode = ctl->code >= 0 ? (int)ctl->code : 0xA0FF;
            break;
        case F_CRLF:
            ADD_HDR("X-Crlf", "a\r\nInjected: yes", 16);
            break;
        case F_CRLF_NAME:
            ADD_HDR("X-Crlf\r\nInjected", "yes", 3);
            break;
        case F_NUL_IN_HEADER:
            ADD_HDR("X-Nul", "ab\0cd", 5);
            break;
        case F_EMPTYNAME:
            ADD_HDR("", "empty-name", 10);
            break;
        case F_NULLNAME:
            ADD_HDR("X-Null-Name", "null-name", 9);
            h[nh - 1].name_null = 1;
            break;
        case F_OVERSIZE:
            ADD_HDR("X-Pad", "", 0);
            h[nh - 1].vmode = V_FILL;
            break;
        default:
            break;
        }
    }
#undef ADD_HDR
    build_headers(c->pk, &sp, h, nh);
    if (f == F_OVERSIZE) {
        /* Pad X-Pad so the payload length field says exactly plen. */
        long want = ctl->plen >= 0 ? ctl->plen
                    : (opt.max_packet + 1 > PAYLOAD_MAX ? PAYLOAD_MAX
                       : opt.max_packet + 1);
        long have = (long)c->pk->len - 4;
        if (want > have) {
            h[nh - 1].vlen = (size_t)(want - have);
            build_headers(c->pk, &sp, h, nh);
        }
    }
    free(h);
    free(xnames);
    free(xvals);

    /* Body source. */
    if (ctl->size >= 0) {
        src.mem = NULL;
        src.total = (unsigned long long)ctl->size;
        src.gen = 1;
    } else {
        src.mem = (const unsigned char *)echo->p;
        src.total = echo->n;
        src.gen = 0;
    }
    if (ctl->nobody || (str_eq(&rq->method, "HEAD") && !ctl->forcebody))
        send_body = 0;
    if (!send_body)
        src.total = 0;

    if (ctl->slowdrip)
        c->drip_ms = ctl->drip_ms >= 0 ? (int)ctl->drip_ms : 100;
    c->bytes_out = 0;

    switch (f) {
    case F_HTTP: {
        static const char t[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain"
                                "\r\nContent-Length: 3\r\n\r\nok\n";
        out_put(c, t, sizeof(t) - 1);
        c->tainted = 1;
        goto done_noend;
    }
    case F_RANDOM: {
        unsigned char r[256];
        for (k = 0; k < sizeof(r); k++)
            r[k] = (unsigned char)(rng_next(c) >> 56);
        if (r[0] == 'A')
            r[0] = 'Z';
        out_put(c, r, sizeof(r));
        c->tainted = 1;
        goto done_noend;
    }
    case F_ZEROLEN: {
        static const unsigned char z[4] = {'A', 'B', 0, 0};
        out_put(c, z, sizeof(z));
        c->tainted = 1;
        goto done_noend;
    }
    case F_TYPEONLY: {
        unsigned char t[5] = {'A', 'B', 0, 1, AJP_SEND_HEADERS};
        if (ctl->type >= 0)
            t[4] = (unsigned char)ctl->type;
        out_put(c, t, sizeof(t));
        c->tainted = 1;
        goto done_noend;
    }
    case F_CUT_HEADERS: {
        size_t n = ctl->cut >= 0 ? (size_t)ctl->cut : c->pk->len / 2;
        if (n > c->pk->len)
            n = c->pk->len;
        out_put(c, c->pk->b, n);
        after = AFTER_CLOSE;
        goto done_noend;
    }
    case F_CLOSE_BEFORE_HEADERS:
        after = AFTER_CLOSE;
        goto done_noend;
    case F_SILENCE:
        after = AFTER_SILENT;
        goto done_noend;
    case F_UNKNOWN_TYPE: {
        unsigned char t[5] = {'A', 'B', 0, 1, 0x07};
        if (ctl->type >= 0)
            t[4] = (unsigned char)ctl->type;
        out_put(c, t, sizeof(t));
        c->tainted = 1;
        break;
    }
    case F_BODY_FIRST: {
        static const unsigned char early[] = "early body\n";
        struct body_src e = {early, sizeof(early) - 1, 0};
        send_body_range(c, &e, 0, e.total, cs, 0);
        c->tainted = 1;
        break;
    }
    default:
        break;
    }

    /* SEND_HEADERS (possibly twice). */
    out_put(c, c->pk->b, c->pk->len);
    if (f == F_HEADERS_TWICE) {
        out_put(c, c->pk->b, c->pk->len);
        c->tainted = 1;
    }
    if (f == F_BADMAGIC) {
        c->tainted = 1;
        goto done_noend;
    }
    if (ctl->flush && send_flush_pkt(c) < 0)
        return -1;

    switch (f) {
    case F_TRUNCATED: {
        /* A chunk whose header promises more than ever arrives. */
        static const unsigned char tb[] = "truncated body chunk\n";
        struct body_src t = {tb, sizeof(tb) - 1, 0};
        size_t whole = (size_t)t.total + 8;
        if (send_chunk(c, &t, 0, (size_t)t.total, (size_t)t.total) < 0)
            return -1;
        /* Keep the packet header and only half of what it announces. */
        c->olen -= whole - whole / 2;
        after = AFTER_CLOSE;
        goto done_noend;
    }
    case F_CLOSE_MID_BODY: {
        unsigned long long half = src.total / 2;
        if (half == 0)
            half = src.total;
        if (send_body_range(c, &src, 0, half, cs, ctl->flush) < 0)
            return -1;
        after = AFTER_CLOSE;
        goto done_noend;
    }
    case F_CHUNK_TOO_LONG:
    case F_CHUNK_SHORT: {
        size_t n = src.total > cs ? cs : (size_t)src.total;
        static const unsigned char fb[] = "chunk length fault\n";
        struct body_src fsrc = {fb, sizeof(fb) - 1, 0};
        const struct body_src *use = n ? &src : &fsrc;
        size_t dl;
        if (!n)
            n = (size_t)fsrc.total;
        dl = f == F_CHUNK_TOO_LONG ? n + 100 : n / 2;
        if (send_chunk(c, use, 0, n, dl) < 0)
            return -1;
        if (use == &src && send_body_range(c, &src, n, src.total, cs,
                                           ctl->flush) < 0)
            return -1;
        c->tainted = 1;
        break;
    }
    default:
        if (ctl->gate >= 0 && opt.gate_file) {
            /* Whole chunks up to the gate go out; the rest (and
             * END_RESPONSE) waits for the test to open the gate. */
            unsigned long long g = ctl->gate ? (unsigned long long)ctl->gate
                                             : cs;
            g = (g + cs - 1) / cs * cs;
            if (g > src.total)
                g = src.total;
            if (send_body_range(c, &src, 0, g, cs, ctl->flush) < 0
                || out_flush(c) < 0)
                return -1;
            wait_gate();
            if (send_body_range(c, &src, g, src.total, cs, ctl->flush) < 0)
                return -1;
            break;
        }
        if (send_body_range(c, &src, 0, src.total, cs, ctl->flush) < 0)
            return -1;
        break;
    }

    switch (f) {
    case F_BADSTRING: case F_BADSTRING_HDR: case F_NONUL:
    case F_NULLREASON: case F_NULLSTATUS: case F_STATUS0:
    case F_STATUS1000: case F_HDRCOUNT: case F_BADCODE:
    case F_EMPTYNAME: case F_NULLNAME:
        c->tainted = 1;
        break;
    case F_OVERSIZE:
        if (c->pk->len > (size_t)opt.max_packet)
            c->tainted = 1;
        break;
    default:
        break;
    }

    account(c, rq, ctl, 1);
    log_request(c, rq, ctl, bi, status);
    if (f == F_NO_REUSE_BYTE) {
        static const unsigned char e[5] = {'A', 'B', 0, 1, AJP_END_RESPONSE};
        out_put(c, e, sizeof(e));
        c->tainted = 1;
    } else {
        send_end(c, f != F_REUSE0);
        if (f == F_REUSE0)
            c->tainted = 1;
    }
    if (f == F_AFTER_END) {
        static const unsigned char st[] = {'A', 'B', 0, 9, AJP_SEND_BODY_CHUNK,
                                           0, 5, 's', 't', 'a', 'l', 'e', 0};
        out_put(c, st, sizeof(st));
        c->tainted = 1;
    }
    st_add(ST_BYTES_OUT, (long long)c->bytes_out);
    if (out_flush(c) < 0)
        return -1;
    c->drip_ms = 0;
    if (ctl->then == 1)
        return -1;
    return 0;

done_noend:
    account(c, rq, ctl, 0);
    log_request(c, rq, ctl, bi, status);
    st_add(ST_BYTES_OUT, (long long)c->bytes_out);
    out_flush(c);
    c->drip_ms = 0;
    if (ctl->then == 1)
        after = AFTER_CLOSE;
    else if (ctl->then == 2 && after == AFTER_CLOSE)
        after = AFTER_KEEP;
    if (after == AFTER_SILENT) {
        read_until_eof(c);
        return -1;
    }
    return after == AFTER_CLOSE ? -1 : 0;
}

/* --bench: parse, read the body, answer with one writev. */
static unsigned char bench_hdr[512];
static size_t bench_hdr_len;
static unsigned char bench_small[1024];
static size_t bench_small_len;
static unsigned char *bench_chunk;  /* one full chunk packet */
static size_t bench_cs;

static void bench_init(void)
{
    struct pkt *p = calloc(1, sizeof(*p));
    struct hs h[2];
    struct hspec sp = {200, "200", 3, V_NORMAL, -1, 0x4142};
    char body[160];
    int n;
    size_t k;
    if (!p) {
        fprintf(stderr, "fake_ajp_backend: out of memory\n");
        exit(2);
    }
    memset(h, 0, sizeof(h));
    h[0].name = "Content-Type";
    h[0].nlen = 12;
    h[0].rawcode = -1;
    h[0].val = "text/plain";
    h[0].vlen = 10;
    h[1].name = "X-Backend";
    h[1].nlen = 9;
    h[1].rawcode = -1;
    h[1].val = opt.name;
    h[1].vlen = strlen(opt.name);
    build_headers(p, &sp, h, 2);
    if (p->len > sizeof(bench_hdr)) {
        fprintf(stderr, "fake_ajp_backend: --name too long for --bench\n");
        exit(2);
    }
    memcpy(bench_hdr, p->b, p->len);
    bench_hdr_len = p->len;
    n = snprintf(body, sizeof(body), "ok %s\n", opt.name);
    memcpy(bench_small, bench_hdr, bench_hdr_len);
    k = bench_hdr_len;
    bench_small[k++] = 'A';
    bench_small[k++] = 'B';
    bench_small[k++] = (unsigned char)((n + 4) >> 8);
    bench_small[k++] = (unsigned char)(n + 4);
    bench_small[k++] = AJP_SEND_BODY_CHUNK;
    bench_small[k++] = (unsigned char)(n >> 8);
    bench_small[k++] = (unsigned char)n;
    memcpy(bench_small + k, body, (size_t)n);
    k += (size_t)n;
    bench_small[k++] = 0;
    memcpy(bench_small + k, "AB\x00\x02\x05\x01", 6);
    bench_small_len = k + 6;
    bench_cs = (size_t)opt.max_packet - 8;
    bench_chunk = malloc(bench_cs + 8);
    if (!bench_chunk) {
        fprintf(stderr, "fake_ajp_backend: out of memory\n");
        exit(2);
    }
    bench_chunk[0] = 'A';
    bench_chunk[1] = 'B';
    bench_chunk[2] = (unsigned char)((bench_cs + 4) >> 8);
    bench_chunk[3] = (unsigned char)(bench_cs + 4);
    bench_chunk[4] = AJP_SEND_BODY_CHUNK;
    bench_chunk[5] = (unsigned char)(bench_cs >> 8);
    bench_chunk[6] = (unsigned char)bench_cs;
    gen_fill(bench_chunk + 7, 0, bench_cs);
    bench_chunk[7 + bench_cs] = 0;
    free(p);
}

static int writev_all(int fd, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        struct msghdr mh;
        ssize_t w;
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)cnt;
        w = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (cnt > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static int bench_answer(struct conn *c, const struct req *rq,
                        const struct ctl *ctl)
{
    static const unsigned char endp[6] = {'A', 'B', 0, 2,
                                          AJP_END_RESPONSE, 1};
    static const unsigned char nul = 0;
    struct iovec iov[64];
    unsigned char tail[7];
    unsigned long long left;
    int n = 0;
    if (ctl->size < 0) {
        iov[0].iov_base = bench_small;
        iov[0].iov_len = bench_small_len;
        return writev_all(c->fd, iov, 1);
    }
    (void)rq;
    /* Full chunks repeat one prebuilt packet; the tail reuses its data. */
    left = (unsigned long long)ctl->size;
    iov[n].iov_base = bench_hdr;
    iov[n++].iov_len = bench_hdr_len;
    while (left >= bench_cs) {
        iov[n].iov_base = bench_chunk;
        iov[n++].iov_len = bench_cs + 8;
        left -= bench_cs;
        if (n == 64) {
            if (writev_all(c->fd, iov, n) < 0)
                return -1;
            n = 0;
        }
    }
    if (n + 4 > 64) {
        if (writev_all(c->fd, iov, n) < 0)
            return -1;
        n = 0;
    }
    if (left) {
        tail[0] = 'A';
        tail[1] = 'B';
        tail[2] = (unsigned char)((left + 4) >> 8);
        tail[3] = (unsigned char)(left + 4);
        tail[4] = AJP_SEND_BODY_CHUNK;
        tail[5] = (unsigned char)(left >> 8);
        tail[6] = (unsigned char)left;
        iov[n].iov_base = tail;
        iov[n++].iov_len = 7;
        iov[n].iov_base = bench_chunk + 7;
        iov[n++].iov_len = (size_t)left;
        iov[n].iov_base = (void *)&nul;
        iov[n++].iov_len = 1;
    }
    iov[n].iov_base = (void *)endp;
    iov[n++].iov_len = sizeof(endp);
    return writev_all(c->fd, iov, n);
}

/* --request-log: one line per request whose body was read, written with
 * a single O_APPEND write so lines from many threads (and from a restarted
 * backend appending to the same file) never interleave.  The chaos suite
 * counts a POST's id here to prove it never ran twice. */
static void reqlog_write(const struct conn *c, const struct req *rq,
                         const struct bodyinfo *bi)
{
    char m[40], u[200], q[200], line[512];
    int n;
    if (opt.reqlog_fd < 0)
        return;
    esc_into(m, sizeof(m), rq->method.p, rq->method.n);
    esc_into(u, sizeof(u), rq->uri.p, rq->uri.n);
    if (rq->a[A_QUERY].set && !rq->a[A_QUERY].null)
        esc_into(q, sizeof(q), rq->a[A_QUERY].p, rq->a[A_QUERY].n);
    else
        strcpy(q, "-");
    n = snprintf(line, sizeof(line), "%s %s %s %s body=%llu complete=%d "
                 "conn=%llu\n", opt.name, m, u, q, bi->len, bi->complete,
                 c->id);
    if (n > 0)
        write_all_fd(opt.reqlog_fd, line,
                     (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* --status-file: the status every request gets while the file holds a
 * number from 100 to 599 (a test switches an "application" between
 * deployed and undeployed, or healthy and failing, without a restart);
 * -1 when the file is absent or holds anything else. */
static int status_from_file(void)
{
    char buf[16];
    ssize_t n;
    long v;
    char *end;
    int fd;

    if (!opt.status_file)
        return -1;
    fd = open(opt.status_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    v = strtol(buf, &end, 10);
    if (end == buf || v < 100 || v > 599)
        return -1;
    return (int)v;
}

/* One FORWARD_REQUEST already in c->reqbuf; 0 keeps the connection. */
static int handle_forward(struct conn *c, size_t len)
{
    struct req rq;
    struct ctl ctl;
    struct bodyinfo bi;
    struct dbuf echo = {0};
    const char *err;
    int rc;

    c->nreq++;
    st_add(ST_REQ_STARTED, 1);
    st_max(ST_MAX_CONN_REQUESTS, c->nreq);
    if (c->tainted)
        st_add(ST_TAINTED_REQUESTS, 1);
    err = parse_forward(c->reqbuf, len, &rq);
    if (err) {
        char msg[160];
        snprintf(msg, sizeof(msg), "bad FORWARD_REQUEST: %s", err);
        st_add(ST_BAD_REQUESTS, 1);
        set_last_error(msg);
        if (opt.verbose)
            fprintf(stderr, "fake_ajp_backend[%s]: %s\n", opt.name, msg);
        answer_and_close(c, 400, msg);
        req_free(&rq);
        return -1;
    }
    if (!secret_ok(&rq)) {
        /* Tomcat: 403, no body, then the connection is closed. */
        st_add(ST_REQ_REJECTED, 1);
        set_last_error("secret missing or wrong");
        drain_first(c, &rq);
        answer_and_close(c, 403, NULL);
        req_free(&rq);
        return -1;
    }
    parse_ctl(&rq, &ctl);
    if (ctl.status < 0 && !ctl.stats)
        ctl.status = status_from_file();
    if (opt.bench && !ctl.stats) {
        ctl.fault = F_NONE;
        if (read_body(c, &rq, &ctl, &bi) < 0) {
            req_free(&rq);
            return -1;
        }
        reqlog_write(c, &rq, &bi);
        st_add(ST_REQ_COMPLETED, 1);
        rc = bench_answer(c, &rq, &ctl);
        req_free(&rq);
        return rc;
    }
    if (ctl.fault >= F_CLOSE_AFTER_REQUEST) {
        /* Close while the front may still be sending the request: after
         * the FORWARD_REQUEST, after the first body packet, or half-way
         * into it.  Unread bytes make the close a reset. */
        unsigned char h4[4];
        if (ctl.fault != F_CLOSE_AFTER_REQUEST && rq.has_cl && rq.cl > 0) {
            if (ctl.fault == F_CLOSE_AFTER_BODY1)
                read_packet(c, c->inbuf);
            else if (read_full(c->fd, h4, 4) == 4)
                read_full(c->fd, c->inbuf,
                          (((size_t)h4[2] << 8) | h4[3]) / 2);
        }
        account(c, &rq, &ctl, 0);
        req_free(&rq);
        return -1;
    }
    if (read_body(c, &rq, &ctl, &bi) < 0) {
        if (ctl.fault == F_GETBODY_NOLEN) {
            account(c, &rq, &ctl, 0);
            read_until_eof(c);
        } else {
            stats_flush();
        }
        req_free(&rq);
        return -1;
    }
    reqlog_write(c, &rq, &bi);
    if (ctl.err[0]) {
        /* A typo in a test must not pass as a normal answer. */
        struct ctl plain;
        memset(&plain, 0, sizeof(plain));
        plain.size = -1;
        plain.status = 400;
        plain.delay_ms = plain.drip_ms = plain.headers = plain.cut = -1;
        plain.plen = plain.type = plain.code = plain.chunk = -1;
        plain.gate = -1;
        set_last_error(ctl.err);
        db_printf(&echo, "fake_ajp_backend: %s\n", ctl.err);
        rc = do_answer(c, &rq, &plain, &bi, &echo);
        free(echo.p);
        req_free(&rq);
        return rc;
    }
    if (ctl.arm)
        c->armed = ctl.arm;
    if (ctl.delay_ms > 0)
        msleep(ctl.delay_ms);
    if (ctl.stats)
        stats_text(&echo);
    else if (ctl.slowdrip && ctl.size < 0)
        db_puts(&echo, "drip\n");
    else
        build_echo(&echo, c, &rq, &bi, &ctl);
    rc = do_answer(c, &rq, &ctl, &bi, &echo);
    free(echo.p);
    req_free(&rq);
    return rc;
}

/* CPING: CPONG unless a cpong_* fault is armed.  0 keeps the connection. */
static int handle_cping(struct conn *c)
{
    static const unsigned char cpong[5] = {'A', 'B', 0, 1, AJP_CPONG};
    int f = c->armed ? c->armed : opt.cping_fault;
    c->armed = 0;
    st_add(ST_CPINGS, 1);
    if (c->tainted)
        st_add(ST_TAINTED_CPINGS, 1);
    if (f)
        __atomic_add_fetch(&fault_fired[f], 1, __ATOMIC_RELAXED);
    switch (f) {
    case F_CPONG_GARBAGE:
        out_put(c, "GARBAGE!", 8);
        c->tainted = 1;
        break;
    case F_CPONG_EXTRA:
        out_put(c, cpong, sizeof(cpong));
        out_put(c, "JUNK", 4);
        c->tainted = 1;
        st_add(ST_CPONGS, 1);
        break;
    case F_CPONG_NONE:
        stats_flush();
        read_until_eof(c);
        return -1;
    case F_CPONG_LEFTOVER: {
        static const unsigned char st[] = {'A', 'B', 0, 9, AJP_SEND_BODY_CHUNK,
                                           0, 5, 's', 't', 'a', 'l', 'e', 0};
        out_put(c, st, sizeof(st));
        out_put(c, cpong, sizeof(cpong));
        c->tainted = 1;
        st_add(ST_CPONGS, 1);
        break;
    }
    case F_CPONG_LEFTOVER_HEADERS: {
        struct hspec sp = {400, "400", 3, V_NORMAL, -1, 0x4142};
        build_headers(c->pk, &sp, NULL, 0);
        out_put(c, c->pk->b, c->pk->len);
        out_put(c, cpong, sizeof(cpong));
        c->tainted = 1;
        st_add(ST_CPONGS, 1);
        break;
    }
    default:
        out_put(c, cpong, sizeof(cpong));
        st_add(ST_CPONGS, 1);
        break;
    }
    if (!opt.bench)
        stats_flush();
    return out_flush(c);
}

static void conn_free(struct conn *c)
{
    pthread_mutex_lock(&conns_mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&conns_mu);
    close(c->fd);
    free(c->reqbuf);
    free(c->inbuf);
    free(c->obuf);
    free(c->pk);
    free(c);
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    for (;;) {
        long n = read_packet(c, c->reqbuf);
        if (n < 0)
            break;
        if (n == 1 && c->reqbuf[0] == AJP_CPING) {
            if (handle_cping(c) < 0)
                break;
            continue;
        }
        if (n >= 1 && c->reqbuf[0] == AJP_FORWARD_REQUEST) {
            if (handle_forward(c, (size_t)n) < 0)
                break;
            continue;
        }
        /* Tomcat closes on anything else between requests. */
        st_add(ST_PROTOCOL_ERRORS, 1);
        set_last_error(n == 0 ? "empty packet between requests"
                              : "unexpected packet type between requests");
        break;
    }
    st_add(ST_CONN_OPEN, -1);
    st_add(ST_CONN_CLOSED, 1);
    conn_free(c);
    if (!opt.bench)
        stats_flush();
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Startup                                                             */

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: fake_ajp_backend --port N [--host 127.0.0.1] [--name NAME]\n"
        "         [--route ROUTE] [--secret S] [--port-file F]\n"
        "         [--stats-file F] [--max-packet 8192] [--cping-fault NAME]\n"
        "         [--bench] [--verbose] [--taint-short-body]\n"
        "         [--request-log F] [--status-file F] [--gate-file F]\n"
        "Per request: ?fault=NAME&size=N&status=N&delay_ms=N&flush&...\n"
        "or a /fault/NAME path segment; see docs/FAKE_BACKEND.md.\n");
}

static int is_loopback(const char *host, struct sockaddr_storage *ss,
                       socklen_t *sl)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof(*ss));
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        *sl = sizeof(*s4);
        return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        *sl = sizeof(*s6);
        return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
    }
    return 0;
}

static long arg_num(const char *s, const char *what, long lo, long hi)
{
    long long v;
    if (!parse_num(s, hi, &v) || v < lo) {
        fprintf(stderr, "fake_ajp_backend: bad %s '%s' (%ld..%ld)\n", what,
                s, lo, hi);
        exit(2);
    }
    return (long)v;
}

int main(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'H'},
        {"name", required_argument, NULL, 'n'},
        {"route", required_argument, NULL, 'r'},
        {"secret", required_argument, NULL, 's'},
        {"port-file", required_argument, NULL, 'P'},
        {"stats-file", required_argument, NULL, 'S'},
        {"max-packet", required_argument, NULL, 'm'},
        {"cping-fault", required_argument, NULL, 'c'},
        {"bench", no_argument, NULL, 'b'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"taint-short-body", no_argument, NULL, 'T'},
        {"request-log", required_argument, NULL, 'L'},
        {"status-file", required_argument, NULL, 'F'},
        {"gate-file", required_argument, NULL, 'G'},
        {NULL, 0, NULL, 0}
    };
    struct sockaddr_storage ss;
    socklen_t sl;
    struct sigaction sa;
    sigset_t block, orig;
    pthread_attr_t attr;
    int ch, lfd, one = 1, have_port = 0;

    opt.host = "127.0.0.1";
    opt.name = "fake";
    opt.max_packet = 8192;
    opt.reqlog_fd = -1;
    while ((ch = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
        switch (ch) {
        case 'p':
            opt.port = (int)arg_num(optarg, "--port", 0, 65535);
            have_port = 1;
            break;
        case 'H':
            opt.host = optarg;
            break;
        case 'n':
            opt.name = optarg;
            break;
        case 'r':
            opt.route = optarg;
            break;
        case 's':
            opt.secret = optarg;
            opt.secret_len = strlen(optarg);
            break;
        case 'P':
            opt.port_file = optarg;
            break;
        case 'S':
            opt.stats_file = optarg;
            break;
        case 'm':
            opt.max_packet = (int)arg_num(optarg, "--max-packet", 1024,
                                          65536);
            break;
        case 'c':
            opt.cping_fault = fault_by_name(optarg, strlen(optarg));
            if (!is_cpong_fault(opt.cping_fault)) {
                fprintf(stderr, "fake_ajp_backend: --cping-fault takes a "
                        "cpong_* fault\n");
                return 2;
            }
            break;
        case 'b':
            opt.bench = 1;
            break;
        case 'v':
            opt.verbose = 1;
            break;
        case 'L':
            opt.reqlog_fd = open(optarg, O_WRONLY | O_CREAT | O_APPEND
                                 | O_CLOEXEC, 0644);
            if (opt.reqlog_fd < 0) {
                fprintf(stderr, "fake_ajp_backend: --request-log %s: %s\n",
                        optarg, strerror(errno));
                return 2;
            }
            break;
        case 'F':
            opt.status_file = optarg;
            break;
        case 'G':
            opt.gate_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'T':
            opt.taint_short_body = 1;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!have_port || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (strlen(opt.name) > 200 || (opt.route && strlen(opt.route) > 60)) {
        fprintf(stderr, "fake_ajp_backend: --name or --route too long\n");
        return 2;
    }
    if (!is_loopback(opt.host, &ss, &sl)) {
        fprintf(stderr, "fake_ajp_backend: --host must be a loopback "
                "address, not '%s'\n", opt.host);
        return 2;
    }
    ((struct sockaddr_in *)&ss)->sin_port = htons((unsigned short)opt.port);
    if (ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&ss)->sin6_port =
            htons((unsigned short)opt.port);

    lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        perror("fake_ajp_backend: socket");
        return 1;
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(lfd, (struct sockaddr *)&ss, sl) < 0
        || listen(lfd, 1024) < 0) {
        fprintf(stderr, "fake_ajp_backend: bind %s:%d: %s\n", opt.host,
                opt.port, strerror(errno));
        return 1;
    }
    sl = sizeof(ss);
    getsockname(lfd, (struct sockaddr *)&ss, &sl);
    bound_port = ntohs(ss.ss_family == AF_INET6
                       ? ((struct sockaddr_in6 *)&ss)->sin6_port
                       : ((struct sockaddr_in *)&ss)->sin_port);
    if (opt.bench)
        bench_init();

    /* Signals reach only the accept loop (ppoll unblocks them there). */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &orig);
    sigdelset(&orig, SIGTERM);
    sigdelset(&orig, SIGINT);

    {
        /* The stats file first: tests wait for the port file. */
        char buf[32];
        int n;
        stats_flush();
        if (opt.port_file) {
            n = snprintf(buf, sizeof(buf), "%d\n", bound_port);
            write_file_atomic(opt.port_file, buf, (size_t)n);
        }
    }
    if (opt.verbose)
        fprintf(stderr, "fake_ajp_backend[%s]: listening on %s:%d%s\n",
                opt.name, opt.host, bound_port, opt.bench ? " (bench)" : "");

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    while (!stop_flag) {
        struct pollfd pfd = {lfd, POLLIN, 0};
        struct conn *c;
        pthread_t t;
        int fd, r = ppoll(&pfd, 1, NULL, &orig);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
                msleep(10);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (c) {
            c->reqbuf = malloc((size_t)opt.max_packet);
            c->inbuf = malloc((size_t)opt.max_packet);
            c->obuf = malloc(OBUF_SIZE);
            c->pk = malloc(sizeof(*c->pk));
        }
        if (!c || !c->reqbuf || !c->inbuf || !c->obuf || !c->pk) {
            if (c) {
                free(c->reqbuf);
                free(c->inbuf);
                free(c->obuf);
                free(c->pk);
                free(c);
            }
            close(fd);
            continue;
        }
        c->fd = fd;
        pthread_mutex_lock(&conns_mu);
        c->id = ++next_conn_id;
        c->next = conns;
        if (conns)
            conns->prev = c;
        conns = c;
        pthread_mutex_unlock(&conns_mu);
        c->rng = ((uint64_t)time(NULL) << 20) ^ ((uint64_t)getpid() << 40)
                 ^ (c->id * 0x9E3779B97F4A7C15ULL) ^ (uint64_t)(uintptr_t)c;
        if (!c->rng)
            c->rng = 1;
        st_add(ST_CONN_ACCEPTED, 1);
        st_add(ST_CONN_OPEN, 1);
        if (!opt.bench)
            stats_flush();
        if (pthread_create(&t, &attr, conn_main, c) != 0) {
            st_add(ST_CONN_OPEN, -1);
            st_add(ST_CONN_CLOSED, 1);
            conn_free(c);
        }
    }
    close(lfd);
    /* Wake the connection threads; the process exit ends them. */
    pthread_mutex_lock(&conns_mu);
    {
        struct conn *c;
        for (c = conns; c; c = c->next)
            shutdown(c->fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&conns_mu);
    {
        /* Let them notice (bounded: a thread may sit in delay_ms). */
        int i;
        for (i = 0; i < 100; i++) {
            int empty;
            pthread_mutex_lock(&conns_mu);
            empty = conns == NULL;
            pthread_mutex_unlock(&conns_mu);
            if (empty)
                break;
            msleep(10);
        }
    }
    stats_flush();
    if (opt.verbose)
        fprintf(stderr, "fake_ajp_backend[%s]: stopped\n", opt.name);
    return 0;
}
