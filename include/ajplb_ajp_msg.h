/*
 * ajplb_ajp_msg.h -- AJP13 packet buffer: bounded typed append and get.
 * Core layer: APR only, never logs; every failure is an AJPLB_E* code and
 * leaves the buffer as it was before the call.
 */
#ifndef AJPLB_AJP_MSG_H
#define AJPLB_AJP_MSG_H

#include <apr_pools.h>

#include "ajplb_common.h"

/* Packet sizes: 4-byte header plus payload.  The range is mod_jk's
 * max_packet_size range and must match Tomcat's packetSize. */
#define AJPLB_MSG_HEADER_LEN 4
#define AJPLB_MSG_MIN_SIZE   8192
#define AJPLB_MSG_MAX_SIZE   65536
#define AJPLB_MSG_DEF_SIZE   8192

/* Wire value of a null string's length: no bytes and no NUL follow. */
#define AJPLB_MSG_NULL_STRING 0xFFFF

/**
 * One packet.  buf holds max_size bytes; the first AJPLB_MSG_HEADER_LEN are
 * the header.  Writing appends at len; reading takes from pos up to len.
 * Invariant: AJPLB_MSG_HEADER_LEN <= pos <= len <= max_size.
 */
typedef struct {
    apr_byte_t *buf;
    apr_size_t len;
    apr_size_t pos;
    apr_size_t max_size;
} ajplb_msg_t;

/** @return 1 when @a size is an allowed packet size, else 0. */
int ajplb_msg_size_is_valid(apr_size_t size);

/**
 * Allocate a message and its max_size buffer from @a p (once; the buffer
 * is reused for every packet).  The message starts reset for writing.
 * @return APR_SUCCESS, or AJPLB_EPKTSIZE when @a max_size is outside
 *         AJPLB_MSG_MIN_SIZE..AJPLB_MSG_MAX_SIZE.
 */
apr_status_t ajplb_msg_create(apr_pool_t *p, apr_size_t max_size,
                              ajplb_msg_t **msg);

/**
 * Make @a msg (the caller's) a message over @a buf, max_size bytes the
 * caller owns; as ajplb_msg_create, without allocating.
 * @return as ajplb_msg_create.
 */
apr_status_t ajplb_msg_init(ajplb_msg_t *msg, void *buf, apr_size_t max_size);

/** Empty the message for writing: header space reserved, no payload. */
void ajplb_msg_reset(ajplb_msg_t *msg);

/**
 * Write the server->container header (0x12 0x34 + payload length) in
 * front of what was appended.  The packet is buf[0..len).
 */
void ajplb_msg_end(ajplb_msg_t *msg);

/** Payload bytes appended (or received) after the header. */
apr_size_t ajplb_msg_payload_len(const ajplb_msg_t *msg);

/** Bytes left to read between pos and len. */
apr_size_t ajplb_msg_remaining(const ajplb_msg_t *msg);

/**
 * Start reading the payload from its first byte (pos = header length).
 * Used by tests and by the reply parser after a packet is complete.
 */
void ajplb_msg_rewind(ajplb_msg_t *msg);

/* Appends: each returns AJPLB_EOVERFLOW when the value does not fit in
 * max_size, and then writes nothing at all. */
apr_status_t ajplb_msg_append_uint8(ajplb_msg_t *msg, apr_byte_t v);
apr_status_t ajplb_msg_append_uint16(ajplb_msg_t *msg, apr_uint16_t v);
/** Writes 1 for any non-zero @a v, else 0. */
apr_status_t ajplb_msg_append_bool(ajplb_msg_t *msg, int v);
apr_status_t ajplb_msg_append_bytes(ajplb_msg_t *msg, const void *data,
                                    apr_size_t len);

/**
 * Append an AJP string: int16 length, @a len bytes copied as they are (an
 * embedded NUL is kept), then a NUL.  @a s NULL writes the null string
 * (0xFFFF, nothing else).
 * @return AJPLB_EOVERFLOW when it does not fit, or when @a len >= 0xFFFF
 *         (the length would wrap or read as null; never truncated).
 */
apr_status_t ajplb_msg_append_string(ajplb_msg_t *msg, const char *s,
                                     apr_size_t len);

/** ajplb_msg_append_string() with strlen(@a s); NULL stays null. */
apr_status_t ajplb_msg_append_cstring(ajplb_msg_t *msg, const char *s);

/* Gets: each returns AJPLB_EOVERFLOW when fewer bytes than the value
 * needs remain before len, and then leaves pos unchanged. */
apr_status_t ajplb_msg_get_uint8(ajplb_msg_t *msg, apr_byte_t *v);
apr_status_t ajplb_msg_get_uint16(ajplb_msg_t *msg, apr_uint16_t *v);
/** *v = 1 for any non-zero byte, else 0. */
apr_status_t ajplb_msg_get_bool(ajplb_msg_t *msg, int *v);
apr_status_t ajplb_msg_peek_uint8(const ajplb_msg_t *msg, apr_byte_t *v);
apr_status_t ajplb_msg_peek_uint16(const ajplb_msg_t *msg, apr_uint16_t *v);

/**
 * Take @a len raw bytes; *data points into the message buffer and stays
 * valid until the buffer is written again.
 */
apr_status_t ajplb_msg_get_bytes(ajplb_msg_t *msg, apr_size_t len,
                                 const apr_byte_t **data);

/**
 * Take an AJP string.  *s points into the buffer and is NUL-terminated
 * there; *len is the wire length (an embedded NUL is possible, so use it).
 * A null string gives *s = NULL, *len = 0.
 * @return AJPLB_EOVERFLOW when the length field is missing, AJPLB_EBADSTR
 *         when the bytes run past len or the terminating NUL is missing;
 *         pos is unchanged on failure.
 */
apr_status_t ajplb_msg_get_string(ajplb_msg_t *msg, const char **s,
                                  apr_size_t *len);

/**
 * Check a container->server packet header ('A' 'B' + uint16 length).
 * @param hdr the AJPLB_MSG_HEADER_LEN header bytes
 * @param max_size the packet size the connection uses
 * @param payload_len out: the announced payload length
 * @return AJPLB_EBADMAGIC, AJPLB_EEMPTY (length 0), AJPLB_EBADLEN (payload
 *         larger than max_size - header) or APR_SUCCESS.
 */
apr_status_t ajplb_msg_check_reply_header(const apr_byte_t *hdr,
                                          apr_size_t max_size,
                                          apr_size_t *payload_len);

#endif /* AJPLB_AJP_MSG_H */
