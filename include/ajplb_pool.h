/*
 * ajplb_pool.h -- per-worker pool of backend connections (one pool per
 * ajp13 worker per child process), on top of apr_reslist.
 * Core layer: APR only, never logs; the balancer knows nothing of sockets
 * and this file knows nothing of balancing.
 */
#ifndef AJPLB_POOL_H
#define AJPLB_POOL_H

#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_time.h>

#include "ajplb_common.h"

/* Settings a pool needs, filled by the adapter from the worker model. */
typedef struct {
    const char *name;                   /* worker name, for messages */
    const char *host;
    apr_port_t port;
    const char *source;                 /* local bind address, or NULL */
    int prefer_ipv6;
    apr_interval_time_t connect_timeout;
    apr_interval_time_t io_timeout;     /* each send/recv; 0 = none */
    int keepalive;                      /* SO_KEEPALIVE */
    int sndrcvbuf;                      /* SO_SNDBUF/RCVBUF; 0 = OS's */
    int size;                           /* most connections at once */
    int min_idle;                       /* idle ones kept past idle_timeout */
    apr_interval_time_t idle_timeout;   /* close after this idle; 0 = never */
    apr_interval_time_t acquire_timeout;/* wait for a free slot */
} ajplb_pool_conf_t;

typedef struct ajplb_pool_t ajplb_pool_t;

/* One backend connection.  It owns a subpool that lives as long as the
 * connection, so buffers allocated once per connection do not grow the
 * child's pool.  Only the thread that acquired it may touch it. */
typedef struct ajplb_conn_t {
    apr_pool_t *pool;           /* lives while the socket is open */
    apr_pool_t *slot_pool;      /* holds this struct and pool */
    apr_socket_t *sock;         /* NULL until connected */
    ajplb_pool_t *owner;
    apr_time_t last_used;       /* when it was last released */
    apr_uint64_t served;        /* requests completed on this socket */
    int reused;                 /* 1 when taken from the idle list */
    void *codec;                /* exchange layer's per-connection state */
    apr_interval_time_t rcvtimeo;   /* the socket's receive timeout now */
} ajplb_conn_t;

/**
 * Create a pool tied to @a p (the child process pool): its connections
 * live in a pool of their own (thread-safe allocator) that is destroyed
 * in a pre-cleanup of @a p when no connection is taken.  Nothing is
 * connected yet: connections are opened on first use, outside the list
 * lock, so a slow connect never blocks threads that could use an idle
 * connection.  Call only while one thread runs (child_init).
 * @return APR_SUCCESS, or the resolver's error for the host.
 */
apr_status_t ajplb_pool_create(apr_pool_t *p, const ajplb_pool_conf_t *conf,
                               ajplb_pool_t **out);

/**
 * Take a connection, connecting it when needed.  An idle connection that
 * the backend closed, or that has unexpected bytes waiting, is destroyed
 * and another is taken (an idle socket must be silent between responses).
 * @return APR_SUCCESS; APR_TIMEUP when every slot stayed busy for
 * acquire_timeout; a connect error (the slot is given back).
 */
apr_status_t ajplb_pool_acquire(ajplb_pool_t *pool, ajplb_conn_t **conn);

/**
 * Give a connection back.  With @a reusable 0 (any error mid-exchange,
 * END_RESPONSE reuse=0, DisableReuse) the socket is closed and the slot
 * freed; a connection is never pooled in an unknown state.  @a conn must
 * not be touched afterwards: another thread may take it at once, and the
 * reaper may free it (it lives in its slot's pool).
 */
void ajplb_pool_release(ajplb_pool_t *pool, ajplb_conn_t *conn,
                        int reusable);

/**
 * Set the receive timeout of @a conn's socket (0 = none), with one
 * setsockopt() only when it differs from the current one.  Sockets are
 * blocking with kernel timeouts (SO_RCVTIMEO/SO_SNDTIMEO): a read that
 * would wait costs one system call instead of APR's read/poll/read.  A
 * timed-out read or write returns an APR_STATUS_IS_EAGAIN() status.
 */
apr_status_t ajplb_conn_recv_timeout(ajplb_conn_t *conn,
                                     apr_interval_time_t t);

/**
 * Never destroy @a pool's connections, not even when the pool it was made
 * in goes: for a process that exits while a thread may still be inside
 * the pool (its lock held), where destroying would deadlock or abort.
 */
void ajplb_pool_abandon(ajplb_pool_t *pool);

/** Close idle connections older than idle_timeout (maintenance). */
apr_status_t ajplb_pool_maintain(ajplb_pool_t *pool);

/** Connections open now and at most, for the status worker. */
void ajplb_pool_counts(ajplb_pool_t *pool, int *open, int *max_open);

/** Settings the pool was made with. */
const ajplb_pool_conf_t *ajplb_pool_conf(const ajplb_pool_t *pool);

/**
 * 1 when @a sock has no bytes waiting and the peer has not closed it,
 * checked without blocking.  Used before reusing an idle connection.
 */
int ajplb_pool_sock_is_idle_clean(apr_socket_t *sock);

#endif /* AJPLB_POOL_H */
