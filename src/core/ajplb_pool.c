/*
 * ajplb_pool.c -- per-worker backend connection pool over apr_reslist.
 * Core layer: APR only.  The reslist holds cheap slots; sockets are opened
 * after a slot is taken so the list lock is never held across a connect.
 *
 * Memory and threads: every pool has its own unmanaged APR pool with its
 * own allocator guarded by a mutex (the "home").  Each slot gets a subpool
 * of the home (the slot struct lives there, so a slot that the reslist
 * reaps leaves nothing behind), and each connection a subpool of its slot
 * that is replaced when the socket closes.  Connections are closed and
 * replaced by request threads outside the reslist lock and slots are made
 * by several reslists at once; creating and destroying subpools is
 * thread-safe only through the parent's allocator mutex, which the child
 * process pool of threaded MPMs cannot be relied on to share with us, and
 * plain allocation from one pool by two threads is never safe.  Before,
 * slots were carved out of the child pool under each worker's own reslist
 * lock: two workers making slots at once could be handed the same memory,
 * so one connection was used by two threads (issue #12).
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <apr_atomic.h>
#include <apr_portable.h>
#include <apr_reslist.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "ajplb_pool.h"

struct ajplb_pool_t {
    apr_pool_t *home;           /* unmanaged, own mutex-guarded allocator */
    ajplb_pool_conf_t conf;
    apr_sockaddr_t *addr;       /* resolved once, when the pool is made */
    apr_sockaddr_t *source;     /* local bind address, or NULL */
    apr_reslist_t *slots;       /* lives in home */
    volatile apr_uint32_t open; /* sockets open now */
    volatile apr_uint32_t max_open;
    volatile apr_uint32_t held; /* slots taken (or being taken) now */
    volatile apr_uint32_t gone; /* home destroyed, or must never be */
    volatile apr_uint32_t orphan;   /* parent went while slots were out */
};

/* Runs when a connection's pool goes away: on close, and when its slot is
 * destroyed (this is where the connection learns its socket is gone). */
static apr_status_t ajplb__conn_gone(void *data)
{
    ajplb_conn_t *conn = data;

    if (conn->sock != NULL) {
        conn->sock = NULL;
        apr_atomic_dec32(&conn->owner->open);
    }
    conn->pool = NULL;
    conn->codec = NULL;
    conn->served = 0;
    return APR_SUCCESS;
}

static apr_status_t ajplb__conn_pool_make(ajplb_conn_t *conn)
{
    apr_status_t rv = apr_pool_create(&conn->pool, conn->slot_pool);

    if (rv != APR_SUCCESS) {
        conn->pool = NULL;
        return rv;
    }
    apr_pool_tag(conn->pool, "ajplb_conn");
    apr_pool_cleanup_register(conn->pool, conn, ajplb__conn_gone,
                              apr_pool_cleanup_null);
    return APR_SUCCESS;
}

/* Close the socket and drop everything tied to it (codec buffers) by
 * replacing the connection's pool, so a long-lived slot never grows. */
static apr_status_t ajplb__pool_close(ajplb_conn_t *conn)
{
    if (conn->pool != NULL) {
        apr_pool_destroy(conn->pool);
    }
    return ajplb__conn_pool_make(conn);
}

/* Reslist constructor (called under the list lock): a slot in its own
 * subpool of the home, with an empty connection pool. */
static apr_status_t ajplb__pool_slot_make(void **res, void *params,
                                          apr_pool_t *p)
{
    ajplb_pool_t *pool = params;
    apr_pool_t *sp;
    ajplb_conn_t *conn;
    apr_status_t rv = apr_pool_create(&sp, pool->home);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    conn = apr_pcalloc(sp, sizeof(*conn));
    conn->owner = pool;
    conn->slot_pool = sp;
    rv = ajplb__conn_pool_make(conn);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(sp);
        return rv;
    }
    *res = conn;
    return APR_SUCCESS;
}

/* Reslist destructor: the slot's pool takes the connection with it. */
static apr_status_t ajplb__pool_slot_free(void *res, void *params,
                                          apr_pool_t *p)
{
    ajplb_conn_t *conn = res;

    apr_pool_destroy(conn->slot_pool);
    return APR_SUCCESS;
}

/* Pre-cleanup of the pool the caller gave (the child pool): destroy the
 * reslist and the home while no slot is out.  A slot can still be out
 * only when the process exits from a signal handler in the middle of a
 * request (prefork's SIGHUP/SIGTERM); then everything is left to the
 * exit, because apr_reslist's own cleanup aborts the process when a
 * resource is still taken, and the interrupted request still points into
 * the home. */
static void ajplb__pool_destroy(ajplb_pool_t *pool)
{
    if (apr_atomic_cas32(&pool->gone, 1, 0) == 0) {
        apr_reslist_destroy(pool->slots);
        apr_pool_destroy(pool->home);
    }
}

static apr_status_t ajplb__pool_gone(void *data)
{
    ajplb_pool_t *pool = data;

    if (apr_atomic_read32(&pool->held) != 0) {
        /* Should the last slot come back after all (it does not when the
         * process exits), the pool goes then. */
        apr_atomic_set32(&pool->orphan, 1);
        return APR_SUCCESS;
    }
    ajplb__pool_destroy(pool);
    return APR_SUCCESS;
}

/* A slot is back (or was never handed out). */
static void ajplb__pool_put(ajplb_pool_t *pool)
{
    if (apr_atomic_dec32(&pool->held) == 0
        && apr_atomic_read32(&pool->orphan)) {
        ajplb__pool_destroy(pool);
    }
}

/* An unmanaged pool with an allocator of its own guarded by a mutex, so
 * its subpools can be made and destroyed from any thread. */
static apr_status_t ajplb__home_make(apr_pool_t **home)
{
    apr_allocator_t *alloc;
    apr_thread_mutex_t *mutex;
    apr_status_t rv = apr_allocator_create(&alloc);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = apr_pool_create_unmanaged_ex(home, NULL, alloc);
    if (rv != APR_SUCCESS) {
        apr_allocator_destroy(alloc);
        return rv;
    }
    apr_allocator_owner_set(alloc, *home);
    rv = apr_thread_mutex_create(&mutex, APR_THREAD_MUTEX_DEFAULT, *home);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(*home);
        return rv;
    }
    apr_allocator_mutex_set(alloc, mutex);
    apr_pool_tag(*home, "ajplb_pool");
    return APR_SUCCESS;
}

apr_status_t ajplb_pool_create(apr_pool_t *p, const ajplb_pool_conf_t *conf,
                               ajplb_pool_t **out)
{
    ajplb_pool_t *pool = apr_pcalloc(p, sizeof(*pool));
    apr_int32_t family = APR_UNSPEC;
    apr_status_t rv;
    int size = conf->size > 0 ? conf->size : 1;
    int smax;

    pool->conf = *conf;
    pool->conf.size = size;
    pool->conf.name = apr_pstrdup(p, conf->name);
    pool->conf.host = apr_pstrdup(p, conf->host);
    if (conf->prefer_ipv6) {
        family = APR_INET6;
    }
    rv = apr_sockaddr_info_get(&pool->addr, pool->conf.host, family,
                               conf->port, 0, p);
    if (rv != APR_SUCCESS && family != APR_UNSPEC) {
        rv = apr_sockaddr_info_get(&pool->addr, pool->conf.host, APR_UNSPEC,
                                   conf->port, 0, p);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (conf->source != NULL && *conf->source != '\0') {
        pool->conf.source = apr_pstrdup(p, conf->source);
        rv = apr_sockaddr_info_get(&pool->source, pool->conf.source,
                                   pool->addr->family, 0, 0, p);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    /* min 0: slots are made on demand.  Idle connections above smax that
     * are older than the ttl are closed by apr_reslist's maintenance; with
     * no idle timeout smax must equal hmax, as a ttl of 0 would close every
     * idle connection above smax at once. */
    smax = size;
    if (conf->idle_timeout > 0) {
        smax = conf->min_idle < 0 ? 0 : AJPLB_MIN(conf->min_idle, size);
    }
    rv = ajplb__home_make(&pool->home);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = apr_reslist_create(&pool->slots, 0, smax, size, conf->idle_timeout,
                            ajplb__pool_slot_make, ajplb__pool_slot_free,
                            pool, pool->home);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(pool->home);
        return rv;
    }
    /* A pre-cleanup, so it runs before the subpools of @a p (the request
     * pools of a dying prefork child, for one) are gone. */
    apr_pool_pre_cleanup_register(p, pool, ajplb__pool_gone);
    if (conf->acquire_timeout > 0) {
        apr_reslist_timeout_set(pool->slots, conf->acquire_timeout);
    }
    *out = pool;
    return APR_SUCCESS;
}

int ajplb_pool_sock_is_idle_clean(apr_socket_t *sock)
{
    apr_os_sock_t fd;
    char c;
    ssize_t n;

    if (apr_os_sock_get(&fd, sock) != APR_SUCCESS) {
        return 0;
    }
    /* One non-blocking peek: 0 means the peer closed, >0 means stray bytes
     * (a late packet of an old response); both make the socket unusable. */
    do {
        n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static apr_status_t ajplb__sock_timeo(apr_socket_t *sock, int opt,
                                      apr_interval_time_t t)
{
    apr_os_sock_t fd;
    struct timeval tv;

    if (apr_os_sock_get(&fd, sock) != APR_SUCCESS) {
        return APR_EBADF;
    }
    if (t < 0) {
        t = 0;
    }
    tv.tv_sec = (time_t)apr_time_sec(t);
    tv.tv_usec = (suseconds_t)apr_time_usec(t);
    if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)) != 0) {
        return APR_FROM_OS_ERROR(errno);
    }
    return APR_SUCCESS;
}

apr_status_t ajplb_conn_recv_timeout(ajplb_conn_t *conn,
                                     apr_interval_time_t t)
{
    apr_status_t rv;

    if (t == conn->rcvtimeo || conn->sock == NULL) {
        return APR_SUCCESS;
    }
    rv = ajplb__sock_timeo(conn->sock, SO_RCVTIMEO, t);
    if (rv == APR_SUCCESS) {
        conn->rcvtimeo = t;
    }
    return rv;
}

static apr_status_t ajplb__pool_connect(ajplb_pool_t *pool,
                                        ajplb_conn_t *conn)
{
    const ajplb_pool_conf_t *conf = &pool->conf;
    apr_socket_t *sock;
    apr_status_t rv;
    apr_uint32_t open, max;

    rv = apr_socket_create(&sock, pool->addr->family, SOCK_STREAM,
                           APR_PROTO_TCP, conn->pool);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (pool->source != NULL
        && (rv = apr_socket_bind(sock, pool->source)) != APR_SUCCESS) {
        apr_socket_close(sock);
        return rv;
    }
    /* AJP packets are small and request/response shaped: Nagle would
     * only add latency. */
    apr_socket_opt_set(sock, APR_TCP_NODELAY, 1);
    if (conf->keepalive) {
        apr_socket_opt_set(sock, APR_SO_KEEPALIVE, 1);
    }
    if (conf->sndrcvbuf > 0) {
        apr_socket_opt_set(sock, APR_SO_SNDBUF, conf->sndrcvbuf);
        apr_socket_opt_set(sock, APR_SO_RCVBUF, conf->sndrcvbuf);
    }
    apr_socket_timeout_set(sock, conf->connect_timeout > 0
                                 ? conf->connect_timeout : -1);
    rv = apr_socket_connect(sock, pool->addr);
    if (rv != APR_SUCCESS) {
        apr_socket_close(sock);
        /* APR_TIMEUP is reserved for "no free slot" (busy, not down). */
        return APR_STATUS_IS_TIMEUP(rv) ? APR_FROM_OS_ERROR(ETIMEDOUT) : rv;
    }
    /* Blocking from here on, with kernel timeouts: see
     * ajplb_conn_recv_timeout(). */
    apr_socket_timeout_set(sock, -1);
    conn->sock = sock;
    conn->rcvtimeo = -1;
    if ((rv = ajplb__sock_timeo(sock, SO_SNDTIMEO, conf->io_timeout))
            != APR_SUCCESS
        || (rv = ajplb_conn_recv_timeout(conn, conf->io_timeout))
            != APR_SUCCESS) {
        conn->sock = NULL;
        apr_socket_close(sock);
        return rv;
    }
    conn->served = 0;
    open = apr_atomic_inc32(&pool->open) + 1;
    max = apr_atomic_read32(&pool->max_open);
    while (open > max
           && apr_atomic_cas32(&pool->max_open, open, max) != max) {
        max = apr_atomic_read32(&pool->max_open);
    }
    return APR_SUCCESS;
}

apr_status_t ajplb_pool_acquire(ajplb_pool_t *pool, ajplb_conn_t **out)
{
    ajplb_conn_t *conn;
    void *res;
    apr_status_t rv;

    /* Counted before the reslist hands a slot out, so a pool that sees
     * held == 0 knows none is out. */
    apr_atomic_inc32(&pool->held);
    rv = apr_reslist_acquire(pool->slots, &res);
    if (rv != APR_SUCCESS) {
        ajplb__pool_put(pool);
        return rv;
    }
    conn = res;
    conn->reused = 0;
    if (conn->sock != NULL) {
        if (ajplb_pool_sock_is_idle_clean(conn->sock)) {
            conn->reused = 1;
            *out = conn;
            return APR_SUCCESS;
        }
        rv = ajplb__pool_close(conn);
        if (rv != APR_SUCCESS) {
            apr_reslist_invalidate(pool->slots, conn);
            ajplb__pool_put(pool);
            return rv;
        }
    }
    rv = ajplb__pool_connect(pool, conn);
    if (rv != APR_SUCCESS) {
        /* The slot is empty but sound: hand it back for the next try. */
        apr_reslist_release(pool->slots, conn);
        ajplb__pool_put(pool);
        return rv;
    }
    *out = conn;
    return APR_SUCCESS;
}

void ajplb_pool_release(ajplb_pool_t *pool, ajplb_conn_t *conn, int reusable)
{
    if (!reusable && ajplb__pool_close(conn) != APR_SUCCESS) {
        apr_reslist_invalidate(pool->slots, conn);
        ajplb__pool_put(pool);
        return;
    }
    else {
        conn->served++;
    }
    conn->last_used = apr_time_now();
    apr_reslist_release(pool->slots, conn);
    ajplb__pool_put(pool);
}

void ajplb_pool_abandon(ajplb_pool_t *pool)
{
    apr_atomic_set32(&pool->gone, 1);
}

apr_status_t ajplb_pool_maintain(ajplb_pool_t *pool)
{
    if (apr_atomic_read32(&pool->gone)) {
        return APR_SUCCESS;
    }
    return apr_reslist_maintain(pool->slots);
}

void ajplb_pool_counts(ajplb_pool_t *pool, int *open, int *max_open)
{
    *open = (int)apr_atomic_read32(&pool->open);
    *max_open = (int)apr_atomic_read32(&pool->max_open);
}

const ajplb_pool_conf_t *ajplb_pool_conf(const ajplb_pool_t *pool)
{
    return &pool->conf;
}
