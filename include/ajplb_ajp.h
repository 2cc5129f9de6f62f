/*
 * ajplb_ajp.h -- AJP13 protocol: codes, FORWARD_REQUEST marshalling from a
 * neutral request, body/CPING packets and the incremental reply parser.
 * Core layer: APR only, no httpd types; never logs.  See docs/PROTOCOL.md.
 */
#ifndef AJPLB_AJP_H
#define AJPLB_AJP_H

#include <apr_pools.h>

#include "ajplb_common.h"
#include "ajplb_ajp_msg.h"

/* Message type byte, first byte of a payload. */
enum {
    AJPLB_AJP_TYPE_FORWARD_REQUEST = 0x02,  /* server -> container */
    AJPLB_AJP_TYPE_SEND_BODY_CHUNK = 0x03,  /* container -> server */
    AJPLB_AJP_TYPE_SEND_HEADERS    = 0x04,
    AJPLB_AJP_TYPE_END_RESPONSE    = 0x05,
    AJPLB_AJP_TYPE_GET_BODY_CHUNK  = 0x06,
    AJPLB_AJP_TYPE_SHUTDOWN        = 0x07,  /* never sent, refused */
    AJPLB_AJP_TYPE_PING            = 0x08,  /* never sent, refused */
    AJPLB_AJP_TYPE_CPONG           = 0x09,
    AJPLB_AJP_TYPE_CPING           = 0x0A
};

/* Method codes 1..27 (AJPLB_AJP_METHOD_OPTIONS .. _MKACTIVITY); any other
 * method goes as STORED with its name in attribute STORED_METHOD. */
enum {
    AJPLB_AJP_METHOD_OPTIONS = 1,
    AJPLB_AJP_METHOD_GET = 2,
    AJPLB_AJP_METHOD_HEAD = 3,
    AJPLB_AJP_METHOD_POST = 4,
    AJPLB_AJP_METHOD_PUT = 5,
    AJPLB_AJP_METHOD_DELETE = 6,
    AJPLB_AJP_METHOD_TRACE = 7,
    AJPLB_AJP_METHOD_MKACTIVITY = 27,
    AJPLB_AJP_METHOD_STORED = 0xFF
};

/* Attribute codes in FORWARD_REQUEST. */
enum {
    AJPLB_AJP_ATTR_CONTEXT = 0x01,         /* never sent */
    AJPLB_AJP_ATTR_SERVLET_PATH = 0x02,    /* never sent */
    AJPLB_AJP_ATTR_REMOTE_USER = 0x03,
    AJPLB_AJP_ATTR_AUTH_TYPE = 0x04,
    AJPLB_AJP_ATTR_QUERY_STRING = 0x05,
    AJPLB_AJP_ATTR_ROUTE = 0x06,
    AJPLB_AJP_ATTR_SSL_CERT = 0x07,
    AJPLB_AJP_ATTR_SSL_CIPHER = 0x08,
    AJPLB_AJP_ATTR_SSL_SESSION = 0x09,
    AJPLB_AJP_ATTR_REQ_ATTRIBUTE = 0x0A,   /* string name + string value */
    AJPLB_AJP_ATTR_SSL_KEY_SIZE = 0x0B,    /* int16, not a string */
    AJPLB_AJP_ATTR_SECRET = 0x0C,
    AJPLB_AJP_ATTR_STORED_METHOD = 0x0D,
    AJPLB_AJP_ATTR_ARE_DONE = 0xFF
};

/* Request header codes 0xA001..0xA00E (accept .. user-agent) and response
 * header codes 0xA001..0xA00B (Content-Type .. WWW-Authenticate). */
#define AJPLB_AJP_REQ_HEADER_FIRST 0xA001
#define AJPLB_AJP_REQ_HEADER_LAST  0xA00E
#define AJPLB_AJP_RES_HEADER_FIRST 0xA001
#define AJPLB_AJP_RES_HEADER_LAST  0xA00B

/* Header names must stay below this length: the receiver reads an int16
 * with high byte 0xA0 as a header code, not a string length. */
#define AJPLB_AJP_MAX_HEADER_NAME_LEN 0x9FFF

/* Request body data per packet: packet - 4 header - 2 chunk length. */
#define AJPLB_AJP_BODY_OVERHEAD 6

/** One request header; @a value may hold any byte, NUL included. */
typedef struct {
    const char *name;
    const char *value;
    apr_size_t value_len;
} ajplb_ajp_header_t;

/** One extra 0x0A request attribute (JkEnvVar): name and value strings. */
typedef struct {
    const char *name;
    const char *value;
} ajplb_ajp_attr_t;

/**
 * A request as the adapter hands it to the codec.  Strings are NUL
 * terminated unless a length is given.  Attribute fields that are NULL are
 * not sent.  Only the adapter fills this, from trusted sources: nothing a
 * client sent may reach remote_user, auth_type, the ssl_* fields or attrs.
 */
typedef struct {
    const char *method;         /* required, an HTTP token */
    const char *protocol;       /* required, e.g. "HTTP/1.1" */
    const char *uri;            /* required, no query string */
    const char *remote_addr;    /* required */
    const char *remote_host;    /* NULL sends the null string */
    const char *server_name;    /* required */
    apr_uint16_t server_port;
    int is_ssl;
    const ajplb_ajp_header_t *headers;
    apr_size_t num_headers;

    const char *secret;
    const char *remote_user;
    const char *auth_type;
    const char *query_string;
    const char *route;
    const char *ssl_cert;
    const char *ssl_cipher;
    const char *ssl_session;
    int ssl_key_size;           /* <= 0: unknown, not sent */
    const char *ssl_protocol;   /* AJP_SSL_PROTOCOL, NULL: not sent */
    apr_uint16_t remote_port;    /* AJP_REMOTE_PORT, always sent */
    const char *local_addr;     /* AJP_LOCAL_ADDR, always sent */
    const char *lb_activation;  /* JK_LB_ACTIVATION, NULL means "ACT" */
    const ajplb_ajp_attr_t *attrs;
    apr_size_t num_attrs;
} ajplb_ajp_request_t;

/** @return the method code 1..27 for @a method (exact case), or 0. */
int ajplb_ajp_method_code(const char *method);

/** @return 1 when @a method is a non-empty HTTP token, else 0. */
int ajplb_ajp_method_is_token(const char *method);

/**
 * @return the code 0xA001..0xA00E of a request header name (compared
 *         case-insensitively), or 0 when it has none.
 */
int ajplb_ajp_req_header_code(const char *name);

/** @return the canonical name of response header @a code, or NULL. */
const char *ajplb_ajp_res_header_name(apr_uint16_t code);

/**
 * Marshal a FORWARD_REQUEST into @a msg (reset first, header written by
 * ajplb_msg_end(), packet = msg->buf[0..msg->len)).  Field and attribute
 * order are mod_jk's; see docs/PROTOCOL.md.
 * @return APR_SUCCESS;
 *         AJPLB_EBADMETHOD for a method that is not a token;
 *         AJPLB_EBADREQHDR for a header with no name, a name of
 *         AJPLB_AJP_MAX_HEADER_NAME_LEN+1 bytes or more, or NULL value with
 *         a non-zero length;
 *         AJPLB_ETOOBIG when the request does not fit in msg->max_size
 *         (including more than 65535 headers or a value of 0xFFFF bytes or
 *         more: nothing is ever truncated or wrapped);
 *         APR_EINVAL for a missing required field or ssl_key_size > 65535.
 *         On failure @a msg holds no usable packet.
 */
apr_status_t ajplb_ajp_forward_request(ajplb_msg_t *msg,
                                       const ajplb_ajp_request_t *req);

/**
 * Build a request body packet: int16 @a len + the bytes.  @a len 0 builds
 * the end-of-body packet (12 34 00 00) instead.
 * @return AJPLB_ETOOBIG when @a len > max_size - AJPLB_AJP_BODY_OVERHEAD.
 */
apr_status_t ajplb_ajp_body_packet(ajplb_msg_t *msg, const void *data,
                                   apr_size_t len);

/**
 * Zero-copy body packet: *space points into @a msg where up to *room
 * (max_size - 6) body bytes may be written, e.g. straight from the client;
 * then ajplb_ajp_body_commit() with the count written.
 */
void ajplb_ajp_body_space(ajplb_msg_t *msg, apr_byte_t **space,
                          apr_size_t *room);

/**
 * Finish a packet begun with ajplb_ajp_body_space(): @a len 0 gives the
 * end-of-body packet.
 * @return AJPLB_ETOOBIG when @a len exceeds the room that was offered.
 */
apr_status_t ajplb_ajp_body_commit(ajplb_msg_t *msg, apr_size_t len);

/** Build the end-of-body packet 12 34 00 00. */
void ajplb_ajp_end_of_body(ajplb_msg_t *msg);

/** Build the CPING packet 12 34 00 01 0A. */
void ajplb_ajp_cping(ajplb_msg_t *msg);

/* ------------------------------------------------------------ replies --- */

/** What the parser waits for after ajplb_ajp_reply_reset(). */
typedef enum {
    AJPLB_AJP_EXPECT_RESPONSE = 0,  /* SEND_HEADERS .. END_RESPONSE */
    AJPLB_AJP_EXPECT_CPONG          /* exactly one CPONG packet */
} ajplb_ajp_expect_t;

typedef enum {
    AJPLB_AJP_EV_NONE = 0,       /* no packet completed: feed more */
    AJPLB_AJP_EV_SEND_HEADERS,
    AJPLB_AJP_EV_BODY_CHUNK,     /* data_len 0 is a flush request */
    AJPLB_AJP_EV_GET_BODY,
    AJPLB_AJP_EV_END_RESPONSE,
    AJPLB_AJP_EV_CPONG
} ajplb_ajp_event_type_t;

/**
 * One decoded reply packet.  Pointers go into the parser's packet buffer
 * and stay valid until the next feed, commit, space or reset call.
 * Strings there are NUL-terminated and contain no CR, LF or NUL (the
 * reason phrase may still hold other control bytes: the adapter judges
 * it).
 */
typedef struct {
    ajplb_ajp_event_type_t type;
    int status;                 /* SEND_HEADERS: 200..599 */
    const char *reason;         /* SEND_HEADERS: NULL if sent as null */
    apr_size_t reason_len;
    apr_size_t num_headers;     /* SEND_HEADERS: read them with
                                 * ajplb_ajp_reply_next_header() */
    const apr_byte_t *data;     /* BODY_CHUNK */
    apr_size_t data_len;
    apr_size_t get_len;         /* GET_BODY: requested, clamped to
                                 * max_size - AJPLB_AJP_BODY_OVERHEAD */
    int reuse;                  /* END_RESPONSE: 1 only for a reuse byte
                                 * of exactly 1 */
} ajplb_ajp_event_t;

/** One response header of the last SEND_HEADERS. */
typedef struct {
    apr_uint16_t code;          /* 0xA001..0xA00B, or 0 for a named one */
    const char *name;           /* canonical name for a code */
    apr_size_t name_len;
    const char *value;
    apr_size_t value_len;
} ajplb_ajp_res_header_t;

typedef struct ajplb_ajp_reply_t ajplb_ajp_reply_t;

/**
 * Create a parser with one packet buffer of @a max_size bytes, allocated
 * once from @a p.  It starts as after
 * ajplb_ajp_reply_reset(rp, AJPLB_AJP_EXPECT_RESPONSE).
 * @return AJPLB_EPKTSIZE for a size outside 8192..65536.
 */
apr_status_t ajplb_ajp_reply_create(apr_pool_t *p, apr_size_t max_size,
                                    ajplb_ajp_reply_t **rp);

/**
 * As ajplb_ajp_reply_create, reading packets into @a msg, which the caller
 * owns and sets up (ajplb_msg_init) before the first feed, and keeps
 * alive as long as the parser.  Only the parser is allocated from @a p.
 */
void ajplb_ajp_reply_create_on(apr_pool_t *p, ajplb_msg_t *msg,
                               ajplb_ajp_reply_t **rp);

/**
 * Prepare for the next exchange on the connection.  Required before every
 * response and every CPING: a finished parser refuses further bytes
 * (AJPLB_EAFTEREND, or AJPLB_EBADCPONG after a CPONG), and a failed one
 * keeps returning its error.  Allocates nothing.
 */
void ajplb_ajp_reply_reset(ajplb_ajp_reply_t *rp, ajplb_ajp_expect_t expect);

/**
 * Copying interface: take bytes from @a data until one packet completes or
 * the input ends.  *consumed says how many were used; when a packet
 * completed (ev->type != AJPLB_AJP_EV_NONE) call again with the rest.
 * @return APR_SUCCESS or the AJPLB_E* code of the first malformed form;
 *         after an error the parser stays failed until reset and the
 *         connection must be closed.
 */
apr_status_t ajplb_ajp_reply_feed(ajplb_ajp_reply_t *rp, const void *data,
                                  apr_size_t len, apr_size_t *consumed,
                                  ajplb_ajp_event_t *ev);

/**
 * Zero-copy interface, step 1: *space points into the packet buffer, *room
 * is how many bytes the parser wants next (never more than the rest of the
 * current header or payload, so a recv() into it cannot take bytes of the
 * next packet).  After the response is complete it still offers 1 byte so
 * that a stray byte is reported by the commit.
 * @return APR_SUCCESS, or the stored error of a failed parser.
 */
apr_status_t ajplb_ajp_reply_space(ajplb_ajp_reply_t *rp, void **space,
                                   apr_size_t *room);

/**
 * Zero-copy interface, step 2: @a n bytes were written into the space.
 * @return as ajplb_ajp_reply_feed(); APR_EINVAL if @a n exceeds the room.
 */
apr_status_t ajplb_ajp_reply_commit(ajplb_ajp_reply_t *rp, apr_size_t n,
                                    ajplb_ajp_event_t *ev);

/**
 * The next header of the last SEND_HEADERS event (already validated).
 * @return APR_SUCCESS, or APR_EOF when all have been returned or the last
 *         event was not SEND_HEADERS.
 */
apr_status_t ajplb_ajp_reply_next_header(ajplb_ajp_reply_t *rp,
                                         ajplb_ajp_res_header_t *h);

/**
 * The input ended (peer closed).
 * @return APR_SUCCESS when the expected exchange is complete (END_RESPONSE
 *         or CPONG received) at a packet boundary, AJPLB_ETRUNC otherwise,
 *         or the stored error of a failed parser.
 */
apr_status_t ajplb_ajp_reply_finish(ajplb_ajp_reply_t *rp);

/** @return 1 once END_RESPONSE (or the CPONG) has been received. */
int ajplb_ajp_reply_is_done(const ajplb_ajp_reply_t *rp);

#endif /* AJPLB_AJP_H */
