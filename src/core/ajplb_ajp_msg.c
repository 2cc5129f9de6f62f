/*
 * ajplb_ajp_msg.c -- AJP13 packet buffer: framing and typed append/get.
 * Core layer: APR only, never logs; failures are AJPLB_E* codes and leave
 * the message unchanged.
 */
#include <string.h>

#include "ajplb_ajp_msg.h"

int ajplb_msg_size_is_valid(apr_size_t size)
{
    return size >= AJPLB_MSG_MIN_SIZE && size <= AJPLB_MSG_MAX_SIZE;
}

apr_status_t ajplb_msg_create(apr_pool_t *p, apr_size_t max_size,
                              ajplb_msg_t **msg)
{
    ajplb_msg_t *m;

    if (!ajplb_msg_size_is_valid(max_size)) {
        return AJPLB_EPKTSIZE;
    }
    m = apr_pcalloc(p, sizeof(*m));
    ajplb_msg_init(m, apr_palloc(p, max_size), max_size);
    *msg = m;
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_init(ajplb_msg_t *msg, void *buf, apr_size_t max_size)
{
    if (!ajplb_msg_size_is_valid(max_size)) {
        return AJPLB_EPKTSIZE;
    }
    msg->buf = buf;
    msg->max_size = max_size;
    ajplb_msg_reset(msg);
    return APR_SUCCESS;
}

void ajplb_msg_reset(ajplb_msg_t *msg)
{
    msg->len = AJPLB_MSG_HEADER_LEN;
    msg->pos = AJPLB_MSG_HEADER_LEN;
}

void ajplb_msg_end(ajplb_msg_t *msg)
{
    /* len <= max_size <= 65536, so the payload always fits in 16 bits. */
    apr_size_t plen = msg->len - AJPLB_MSG_HEADER_LEN;

    msg->buf[0] = 0x12;
    msg->buf[1] = 0x34;
    msg->buf[2] = (apr_byte_t)(plen >> 8);
    msg->buf[3] = (apr_byte_t)(plen & 0xFF);
}

apr_size_t ajplb_msg_payload_len(const ajplb_msg_t *msg)
{
    return msg->len - AJPLB_MSG_HEADER_LEN;
}

apr_size_t ajplb_msg_remaining(const ajplb_msg_t *msg)
{
    return msg->len - msg->pos;
}

void ajplb_msg_rewind(ajplb_msg_t *msg)
{
    msg->pos = AJPLB_MSG_HEADER_LEN;
}

/* Free space for appends, written so that it cannot underflow. */
static apr_size_t ajplb__msg_room(const ajplb_msg_t *msg)
{
    return msg->max_size - msg->len;
}

apr_status_t ajplb_msg_append_uint8(ajplb_msg_t *msg, apr_byte_t v)
{
    if (ajplb__msg_room(msg) < 1) {
        return AJPLB_EOVERFLOW;
    }
    msg->buf[msg->len++] = v;
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_append_uint16(ajplb_msg_t *msg, apr_uint16_t v)
{
    if (ajplb__msg_room(msg) < 2) {
        return AJPLB_EOVERFLOW;
    }
    msg->buf[msg->len++] = (apr_byte_t)(v >> 8);
    msg->buf[msg->len++] = (apr_byte_t)(v & 0xFF);
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_append_bool(ajplb_msg_t *msg, int v)
{
    return ajplb_msg_append_uint8(msg, v ? 1 : 0);
}

apr_status_t ajplb_msg_append_bytes(ajplb_msg_t *msg, const void *data,
                                    apr_size_t len)
{
    if (ajplb__msg_room(msg) < len) {
        return AJPLB_EOVERFLOW;
    }
    if (len > 0) {
        memcpy(msg->buf + msg->len, data, len);
        msg->len += len;
    }
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_append_string(ajplb_msg_t *msg, const char *s,
                                     apr_size_t len)
{
    if (s == NULL) {
        return ajplb_msg_append_uint16(msg, AJPLB_MSG_NULL_STRING);
    }
    /* 0xFFFF would read back as null and anything larger would wrap: a
     * length that cannot be encoded is refused, never truncated. */
    if (len >= AJPLB_MSG_NULL_STRING || ajplb__msg_room(msg) < len + 3) {
        return AJPLB_EOVERFLOW;
    }
    msg->buf[msg->len++] = (apr_byte_t)(len >> 8);
    msg->buf[msg->len++] = (apr_byte_t)(len & 0xFF);
    if (len > 0) {
        memcpy(msg->buf + msg->len, s, len);
        msg->len += len;
    }
    msg->buf[msg->len++] = '\0';
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_append_cstring(ajplb_msg_t *msg, const char *s)
{
    return ajplb_msg_append_string(msg, s, s != NULL ? strlen(s) : 0);
}

apr_status_t ajplb_msg_peek_uint8(const ajplb_msg_t *msg, apr_byte_t *v)
{
    if (ajplb_msg_remaining(msg) < 1) {
        return AJPLB_EOVERFLOW;
    }
    *v = msg->buf[msg->pos];
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_peek_uint16(const ajplb_msg_t *msg, apr_uint16_t *v)
{
    if (ajplb_msg_remaining(msg) < 2) {
        return AJPLB_EOVERFLOW;
    }
    *v = (apr_uint16_t)((msg->buf[msg->pos] << 8) | msg->buf[msg->pos + 1]);
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_get_uint8(ajplb_msg_t *msg, apr_byte_t *v)
{
    apr_status_t rv = ajplb_msg_peek_uint8(msg, v);

    if (rv == APR_SUCCESS) {
        msg->pos += 1;
    }
    return rv;
}

apr_status_t ajplb_msg_get_uint16(ajplb_msg_t *msg, apr_uint16_t *v)
{
    apr_status_t rv = ajplb_msg_peek_uint16(msg, v);

    if (rv == APR_SUCCESS) {
        msg->pos += 2;
    }
    return rv;
}

apr_status_t ajplb_msg_get_bool(ajplb_msg_t *msg, int *v)
{
    apr_byte_t b;
    apr_status_t rv = ajplb_msg_get_uint8(msg, &b);

    if (rv == APR_SUCCESS) {
        *v = b != 0;
    }
    return rv;
}

apr_status_t ajplb_msg_get_bytes(ajplb_msg_t *msg, apr_size_t len,
                                 const apr_byte_t **data)
{
    if (ajplb_msg_remaining(msg) < len) {
        return AJPLB_EOVERFLOW;
    }
    *data = msg->buf + msg->pos;
    msg->pos += len;
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_get_string(ajplb_msg_t *msg, const char **s,
                                  apr_size_t *len)
{
    apr_uint16_t n;
    apr_size_t start;

    if (ajplb_msg_peek_uint16(msg, &n) != APR_SUCCESS) {
        return AJPLB_EOVERFLOW;
    }
    if (n == AJPLB_MSG_NULL_STRING) {
        msg->pos += 2;
        *s = NULL;
        *len = 0;
        return APR_SUCCESS;
    }
    /* The bytes and their NUL must lie before len: compare against what
     * remains rather than computing an end pointer that could pass it. */
    if (ajplb_msg_remaining(msg) - 2 < (apr_size_t)n + 1) {
        return AJPLB_EBADSTR;
    }
    start = msg->pos + 2;
    if (msg->buf[start + n] != '\0') {
        return AJPLB_EBADSTR;
    }
    *s = (const char *)msg->buf + start;
    *len = n;
    msg->pos = start + n + 1;
    return APR_SUCCESS;
}

apr_status_t ajplb_msg_check_reply_header(const apr_byte_t *hdr,
                                          apr_size_t max_size,
                                          apr_size_t *payload_len)
{
    apr_size_t n;

    if (hdr[0] != 'A' || hdr[1] != 'B') {
        return AJPLB_EBADMAGIC;
    }
    n = ((apr_size_t)hdr[2] << 8) | hdr[3];
    if (n == 0) {
        return AJPLB_EEMPTY;
    }
    if (max_size < AJPLB_MSG_HEADER_LEN
        || n > max_size - AJPLB_MSG_HEADER_LEN) {
        return AJPLB_EBADLEN;
    }
    *payload_len = n;
    return APR_SUCCESS;
}
