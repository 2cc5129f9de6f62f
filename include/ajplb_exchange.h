/*
 * ajplb_exchange.h -- one AJP13 request/response exchange over a pooled
 * connection: send FORWARD_REQUEST (+ first body packet), answer
 * GET_BODY_CHUNK, stream the reply to the caller, classify the outcome.
 * Core layer: APR only, never logs; client I/O goes through callbacks.
 */
#ifndef AJPLB_EXCHANGE_H
#define AJPLB_EXCHANGE_H

#include "ajplb_ajp.h"
#include "ajplb_pool.h"

/* How an exchange ended, from the balancer's point of view. */
typedef enum {
    AJPLB_OUT_OK = 0,
    AJPLB_OUT_CLIENT_ERROR,     /* client body read or response write
                                 * failed: never the backend's fault */
    AJPLB_OUT_TOO_BIG,          /* request does not fit a packet: 413 */
    AJPLB_OUT_CONNECT_ERROR,    /* no connection could be made: 503 */
    AJPLB_OUT_SEND_ERROR,       /* writing to the backend failed: 503 */
    AJPLB_OUT_RECV_ERROR,       /* backend closed or read failed: 502 */
    AJPLB_OUT_PROTOCOL_ERROR,   /* malformed reply: 502 */
    AJPLB_OUT_TIMEOUT           /* no packet within reply_timeout: 504 */
} ajplb_outcome_e;

/* Callbacks into the adapter.  Each returns APR_SUCCESS or an error that
 * the exchange reports as a client error. */
typedef struct {
    void *baton;
    /** Read up to @a len request body bytes; *got 0 means end of body. */
    apr_status_t (*read_body)(void *baton, char *buf, apr_size_t len,
                              apr_size_t *got);
    /** SEND_HEADERS arrived; read the headers with
     *  ajplb_ajp_reply_next_header(@a rp). */
    apr_status_t (*headers)(void *baton, const ajplb_ajp_event_t *ev,
                            ajplb_ajp_reply_t *rp);
    /** Response body bytes; @a len 0 is the backend asking for a flush.
     *  @a data is only valid during the call. */
    apr_status_t (*body)(void *baton, const void *data, apr_size_t len);
    /** Optional.  Every reply byte read so far has been handed to the
     *  callbacks above, and the exchange is about to wait for more: the
     *  adapter may pass what it holds to the client now. */
    apr_status_t (*drained)(void *baton);
} ajplb_exchange_io_t;

/* The first request body packet, kept so a request the backend provably
 * never acted on can be sent again on another connection or member. */
typedef struct {
    char *data;
    apr_size_t len;
    int complete;               /* the whole body is in data */
    int filled;                 /* data has been read from the client */
} ajplb_replay_t;

typedef struct {
    const ajplb_ajp_request_t *req;
    apr_off_t content_length;   /* > 0 known, 0 no body, -1 unknown
                                 * (chunked: Tomcat asks for every packet) */
    apr_interval_time_t reply_timeout;  /* per packet; 0 = io timeout */
    int reply_timeout_fixed;    /* set by the mount rule or JK_REPLY_TIMEOUT:
                                 * wins over each lb member's own */
    apr_size_t max_packet_size;
    int body_window;            /* body packets to send before the backend
                                 * asks for them (0: only when asked) */
    ajplb_replay_t *replay;     /* request-pool buffer, may be reused;
                                 * data may be NULL when content_length
                                 * <= 0 */
} ajplb_exchange_t;

typedef struct {
    ajplb_outcome_e outcome;
    apr_status_t rv;            /* the underlying cause */
    int reusable;               /* the connection may go back to the pool */
    int headers_seen;           /* SEND_HEADERS reached the adapter */
    int replayable;             /* nothing reached the backend that it may
                                 * have acted on beyond the replay buffer:
                                 * safe to try again elsewhere if the
                                 * request is idempotent */
    int got_reply_bytes;        /* any byte came back from the backend */
    int cping_failed;           /* CONNECT_ERROR: the CPing before the
                                 * request failed (set by the adapter) */
    int status;                 /* backend's HTTP status, 0 before headers */
    apr_size_t sent;            /* request bytes (FORWARD_REQUEST and body
                                 * packets) the connection accepted: 0 means
                                 * the backend cannot have seen the request */
    apr_off_t body_to_backend;  /* request body bytes sent */
    apr_off_t body_to_client;   /* response body bytes delivered */
} ajplb_exchange_result_t;

/**
 * Run one exchange on @a conn.  Buffers are allocated once per connection
 * from conn->pool.  The socket timeout is set to the reply timeout while
 * waiting for the backend.
 * @return APR_SUCCESS when the exchange finished (res->outcome says how);
 *         the caller releases @a conn as reusable only if res->reusable.
 */
apr_status_t ajplb_exchange_run(ajplb_conn_t *conn, const ajplb_exchange_t *x,
                                const ajplb_exchange_io_t *io,
                                ajplb_exchange_result_t *res);

/**
 * Read the start of the request body (at most @a max bytes, never more
 * than one body packet of x->max_packet_size) into x->replay before any
 * backend connection is taken, so a client slow to send its body holds
 * no pooled connection while it dawdles (mod_proxy's prefetch).  The
 * exchange then sends these bytes as the first body packet.  Does nothing
 * without a known Content-Length or when the replay is already filled.
 * @return APR_SUCCESS, APR_INCOMPLETE (the client sent less than its
 *         Content-Length) or the client read's error
 */
apr_status_t ajplb_exchange_prefetch(const ajplb_exchange_t *x,
                                    const ajplb_exchange_io_t *io,
                                    apr_size_t max);

/**
 * CPING on @a conn and wait up to @a timeout for exactly one CPONG.
 * @return APR_SUCCESS, APR_TIMEUP, AJPLB_EBADCPONG or a socket error; on
 *         any failure the connection must not be reused.
 */
apr_status_t ajplb_exchange_cping(ajplb_conn_t *conn, apr_size_t max_packet,
                                  apr_interval_time_t timeout);

/** Short name of an outcome for logs ("client error", "timeout"...). */
const char *ajplb_outcome_name(ajplb_outcome_e outcome);

#endif /* AJPLB_EXCHANGE_H */
