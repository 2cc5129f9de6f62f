/*
 * ajplb_ajp_request.c -- AJP13 code tables, FORWARD_REQUEST marshalling
 * from the neutral ajplb_ajp_request_t, body and CPING packets.
 * Core layer: APR only, never logs, allocates nothing.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_ajp.h"

/* Index = method code; the names are case-sensitive as in HTTP. */
static const char *const ajplb__ajp_methods[] = {
    NULL, "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
    "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN", "CHECKOUT",
    "UNCHECKOUT", "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
    "BASELINE-CONTROL", "MKACTIVITY"
};
#define AJPLB__AJP_NMETHODS \
    (sizeof(ajplb__ajp_methods) / sizeof(ajplb__ajp_methods[0]))

/* Index i is code 0xA001 + i. */
static const char *const ajplb__ajp_req_headers[] = {
    "accept", "accept-charset", "accept-encoding", "accept-language",
    "authorization", "connection", "content-type", "content-length",
    "cookie", "cookie2", "host", "pragma", "referer", "user-agent"
};
#define AJPLB__AJP_NREQHDRS \
    (sizeof(ajplb__ajp_req_headers) / sizeof(ajplb__ajp_req_headers[0]))

static const char *const ajplb__ajp_res_headers[] = {
    "Content-Type", "Content-Language", "Content-Length", "Date",
    "Last-Modified", "Location", "Set-Cookie", "Set-Cookie2",
    "Servlet-Engine", "Status", "WWW-Authenticate"
};
#define AJPLB__AJP_NRESHDRS \
    (sizeof(ajplb__ajp_res_headers) / sizeof(ajplb__ajp_res_headers[0]))

int ajplb_ajp_method_code(const char *method)
{
    apr_size_t i;

    for (i = 1; i < AJPLB__AJP_NMETHODS; i++) {
        if (strcmp(method, ajplb__ajp_methods[i]) == 0) {
            return (int)i;
        }
    }
    return 0;
}

/* RFC 9110 tchar. */
static int ajplb__ajp_is_tchar(unsigned char c)
{
    return apr_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

int ajplb_ajp_method_is_token(const char *method)
{
    const unsigned char *p = (const unsigned char *)method;

    if (p == NULL || *p == '\0') {
        return 0;
    }
    for (; *p; p++) {
        if (!ajplb__ajp_is_tchar(*p)) {
            return 0;
        }
    }
    return 1;
}

int ajplb_ajp_req_header_code(const char *name)
{
    apr_size_t i;
    int c = apr_tolower((unsigned char)name[0]);

    /* The first letter rules out most of the table without a full
     * strcasecmp (this was the largest libc cost per request). */
    for (i = 0; i < AJPLB__AJP_NREQHDRS; i++) {
        if (ajplb__ajp_req_headers[i][0] == c
            && strcasecmp(name, ajplb__ajp_req_headers[i]) == 0) {
            return AJPLB_AJP_REQ_HEADER_FIRST + (int)i;
        }
    }
    return 0;
}

const char *ajplb_ajp_res_header_name(apr_uint16_t code)
{
    if (code < AJPLB_AJP_RES_HEADER_FIRST
        || code > AJPLB_AJP_RES_HEADER_LAST) {
        return NULL;
    }
    return ajplb__ajp_res_headers[code - AJPLB_AJP_RES_HEADER_FIRST];
}

/* Everything that makes a request unencodable whatever the packet size is
 * found before the first byte is written, so a client error is reported as
 * such even when the request would also be too big. */
static apr_status_t ajplb__ajp_validate(const ajplb_ajp_request_t *req)
{
    apr_size_t i;

    if (req->method == NULL || req->protocol == NULL || req->uri == NULL
        || req->remote_addr == NULL || req->server_name == NULL
        || (req->num_headers > 0 && req->headers == NULL)
        || (req->num_attrs > 0 && req->attrs == NULL)
        || req->ssl_key_size > 0xFFFF) {
        return APR_EINVAL;
    }
    if (!ajplb_ajp_method_is_token(req->method)) {
        return AJPLB_EBADMETHOD;
    }
    for (i = 0; i < req->num_headers; i++) {
        const ajplb_ajp_header_t *h = &req->headers[i];

        if (h->name == NULL || h->name[0] == '\0'
            || strlen(h->name) > AJPLB_AJP_MAX_HEADER_NAME_LEN
            || (h->value == NULL && h->value_len > 0)) {
            return AJPLB_EBADREQHDR;
        }
    }
    for (i = 0; i < req->num_attrs; i++) {
        if (req->attrs[i].name == NULL) {
            return APR_EINVAL;
        }
    }
    /* A count or a value length that would wrap 16 bits could never fit
     * in a packet (the largest payload is 65532 bytes). */
    if (req->num_headers > 0xFFFF) {
        return AJPLB_ETOOBIG;
    }
    for (i = 0; i < req->num_headers; i++) {
        if (req->headers[i].value_len >= AJPLB_MSG_NULL_STRING) {
            return AJPLB_ETOOBIG;
        }
    }
    return APR_SUCCESS;
}

/* An optional attribute: code + string, only when the value is set. */
static apr_status_t ajplb__ajp_attr(ajplb_msg_t *msg, apr_byte_t code,
                                    const char *value)
{
    apr_status_t rv;

    if (value == NULL) {
        return APR_SUCCESS;
    }
    if ((rv = ajplb_msg_append_uint8(msg, code)) != APR_SUCCESS) {
        return rv;
    }
    return ajplb_msg_append_cstring(msg, value);
}

/* A 0x0A req_attribute pair. */
static apr_status_t ajplb__ajp_req_attr(ajplb_msg_t *msg, const char *name,
                                        const char *value)
{
    apr_status_t rv;

    if ((rv = ajplb_msg_append_uint8(msg, AJPLB_AJP_ATTR_REQ_ATTRIBUTE))
        != APR_SUCCESS
        || (rv = ajplb_msg_append_cstring(msg, name)) != APR_SUCCESS) {
        return rv;
    }
    return ajplb_msg_append_cstring(msg, value);
}

static apr_status_t ajplb__ajp_headers(ajplb_msg_t *msg,
                                       const ajplb_ajp_request_t *req)
{
    apr_status_t rv;
    apr_size_t i;

    rv = ajplb_msg_append_uint16(msg, (apr_uint16_t)req->num_headers);
    for (i = 0; rv == APR_SUCCESS && i < req->num_headers; i++) {
        const ajplb_ajp_header_t *h = &req->headers[i];
        int code = ajplb_ajp_req_header_code(h->name);

        if (code != 0) {
            rv = ajplb_msg_append_uint16(msg, (apr_uint16_t)code);
        }
        else {
            rv = ajplb_msg_append_cstring(msg, h->name);
        }
        if (rv == APR_SUCCESS) {
            /* The real length, so an embedded NUL is forwarded as is. */
            rv = ajplb_msg_append_string(msg, h->value ? h->value : "",
                                         h->value_len);
        }
    }
    return rv;
}

/* The attributes in mod_jk's emission order (jk_ajp_common.c). */
static apr_status_t ajplb__ajp_attrs(ajplb_msg_t *msg,
                                     const ajplb_ajp_request_t *req,
                                     int method_code)
{
    apr_status_t rv;
    char port[8];
    apr_size_t i;

    if ((rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_SECRET, req->secret))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_REMOTE_USER,
                                 req->remote_user))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_AUTH_TYPE,
                                 req->auth_type))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_QUERY_STRING,
                                 req->query_string))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_ROUTE, req->route))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_SSL_CERT,
                                 req->ssl_cert))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_SSL_CIPHER,
                                 req->ssl_cipher))
        || (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_SSL_SESSION,
                                 req->ssl_session))) {
        return rv;
    }
    if (req->ssl_key_size > 0) {
        /* Tomcat reads the key size with getInt(), not as a string. */
        if ((rv = ajplb_msg_append_uint8(msg, AJPLB_AJP_ATTR_SSL_KEY_SIZE))
            || (rv = ajplb_msg_append_uint16(
                     msg, (apr_uint16_t)req->ssl_key_size))) {
            return rv;
        }
    }
    if (method_code == 0
        && (rv = ajplb__ajp_attr(msg, AJPLB_AJP_ATTR_STORED_METHOD,
                                 req->method))) {
        return rv;
    }
    if (req->ssl_protocol != NULL
        && (rv = ajplb__ajp_req_attr(msg, "AJP_SSL_PROTOCOL",
                                     req->ssl_protocol))) {
        return rv;
    }
    apr_snprintf(port, sizeof(port), "%u", (unsigned)req->remote_port);
    if ((rv = ajplb__ajp_req_attr(msg, "AJP_REMOTE_PORT", port))
        || (rv = ajplb__ajp_req_attr(msg, "AJP_LOCAL_ADDR", req->local_addr))
        || (rv = ajplb__ajp_req_attr(msg, "JK_LB_ACTIVATION",
                                     req->lb_activation
                                     ? req->lb_activation : "ACT"))) {
        return rv;
    }
    for (i = 0; i < req->num_attrs; i++) {
        if ((rv = ajplb__ajp_req_attr(msg, req->attrs[i].name,
                                      req->attrs[i].value))) {
            return rv;
        }
    }
    return ajplb_msg_append_uint8(msg, AJPLB_AJP_ATTR_ARE_DONE);
}

apr_status_t ajplb_ajp_forward_request(ajplb_msg_t *msg,
                                       const ajplb_ajp_request_t *req)
{
    apr_status_t rv;
    int code;

    ajplb_msg_reset(msg);
    if ((rv = ajplb__ajp_validate(req)) != APR_SUCCESS) {
        return rv;
    }
    code = ajplb_ajp_method_code(req->method);
    if ((rv = ajplb_msg_append_uint8(msg, AJPLB_AJP_TYPE_FORWARD_REQUEST))
        || (rv = ajplb_msg_append_uint8(
                 msg, (apr_byte_t)(code ? code : AJPLB_AJP_METHOD_STORED)))
        || (rv = ajplb_msg_append_cstring(msg, req->protocol))
        || (rv = ajplb_msg_append_cstring(msg, req->uri))
        || (rv = ajplb_msg_append_cstring(msg, req->remote_addr))
        || (rv = ajplb_msg_append_cstring(msg, req->remote_host))
        || (rv = ajplb_msg_append_cstring(msg, req->server_name))
        || (rv = ajplb_msg_append_uint16(msg, req->server_port))
        || (rv = ajplb_msg_append_bool(msg, req->is_ssl))
        || (rv = ajplb__ajp_headers(msg, req))
        || (rv = ajplb__ajp_attrs(msg, req, code))) {
        ajplb_msg_reset(msg);
        /* Every append failure here means "does not fit": a 413. */
        return rv == AJPLB_EOVERFLOW ? AJPLB_ETOOBIG : rv;
    }
    ajplb_msg_end(msg);
    return APR_SUCCESS;
}

void ajplb_ajp_end_of_body(ajplb_msg_t *msg)
{
    ajplb_msg_reset(msg);
    ajplb_msg_end(msg);
}

void ajplb_ajp_cping(ajplb_msg_t *msg)
{
    ajplb_msg_reset(msg);
    /* One byte always fits in a buffer of at least AJPLB_MSG_MIN_SIZE. */
    (void)ajplb_msg_append_uint8(msg, AJPLB_AJP_TYPE_CPING);
    ajplb_msg_end(msg);
}

void ajplb_ajp_body_space(ajplb_msg_t *msg, apr_byte_t **space,
                          apr_size_t *room)
{
    ajplb_msg_reset(msg);
    *space = msg->buf + AJPLB_AJP_BODY_OVERHEAD;
    *room = msg->max_size - AJPLB_AJP_BODY_OVERHEAD;
}

apr_status_t ajplb_ajp_body_commit(ajplb_msg_t *msg, apr_size_t len)
{
    if (len == 0) {
        ajplb_ajp_end_of_body(msg);
        return APR_SUCCESS;
    }
    if (len > msg->max_size - AJPLB_AJP_BODY_OVERHEAD) {
        ajplb_msg_reset(msg);
        return AJPLB_ETOOBIG;
    }
    msg->buf[4] = (apr_byte_t)(len >> 8);
    msg->buf[5] = (apr_byte_t)(len & 0xFF);
    msg->len = AJPLB_AJP_BODY_OVERHEAD + len;
    ajplb_msg_end(msg);
    return APR_SUCCESS;
}

apr_status_t ajplb_ajp_body_packet(ajplb_msg_t *msg, const void *data,
                                   apr_size_t len)
{
    apr_byte_t *space;
    apr_size_t room;

    ajplb_ajp_body_space(msg, &space, &room);
    if (len > room) {
        return AJPLB_ETOOBIG;
    }
    if (len > 0) {
        memcpy(space, data, len);
    }
    return ajplb_ajp_body_commit(msg, len);
}
