/*
 * ajplb_errno.h -- project error codes in APR's user range.
 * One X-macro list generates the codes and ajplb_strerror(), so a code and
 * its message cannot drift apart.  Core layer: APR only.
 */
#ifndef AJPLB_ERRNO_H
#define AJPLB_ERRNO_H

#include <apr_errno.h>

/* XX(name, number, message).  Numbers are offsets from APR_OS_START_USERERR
 * and are never reused once released. */
#define AJPLB_ERRNO_MAP(XX)                                                  \
    XX(EOVERFLOW,     1, "AJP packet buffer overflow or read past end")      \
    XX(ETOOBIG,       2, "request does not fit in one AJP packet "           \
                         "(raise max_packet_size here and packetSize "       \
                         "in Tomcat)")                                        \
    XX(EBADMAGIC,     3, "AJP packet has a wrong magic number")              \
    XX(EBADLEN,       4, "AJP packet length exceeds the packet size")        \
    XX(ETRUNC,        5, "AJP packet truncated")                             \
    XX(EBADSTR,       6, "AJP string field malformed")                       \
    XX(EBADHDRCOUNT,  7, "AJP header count larger than the packet holds")    \
    XX(EBADHDRCODE,   8, "AJP header code outside the table")                \
    XX(EBADHDRVAL,    9, "CR, LF or NUL in an AJP header name or value")     \
    XX(EBADSTATUS,   10, "AJP status code outside 200-599")                  \
    XX(EBODYFIRST,   11, "AJP body chunk before headers")                    \
    XX(EHDRTWICE,    12, "AJP headers sent twice")                           \
    XX(EBADCHUNK,    13, "AJP body chunk length does not match the packet")  \
    XX(EBADTYPE,     14, "unknown AJP message type")                         \
    XX(EEMPTY,       15, "empty AJP message")                                \
    XX(EBADREUSE,    16, "AJP END_RESPONSE without its reuse flag")          \
    XX(EBADGETBODY,  17, "AJP GET_BODY_CHUNK malformed")                     \
    XX(EAFTEREND,    18, "bytes after AJP END_RESPONSE")                     \
    XX(EBADCPONG,    19, "reply to CPING is not a CPONG")                    \
    XX(EPKTSIZE,     20, "AJP packet size outside 8192-65536")               \
    XX(EBADMETHOD,   21, "request method has bytes that are not a token")    \
    XX(EBADREQHDR,   22, "request header cannot be encoded in AJP")          \
    XX(ENOHEADERS,   23, "AJP END_RESPONSE before SEND_HEADERS")             \
    XX(EBADBODYLEN,  30, "AJP reply body length differs from its "          \
                         "Content-Length")                                  \
    XX(ECONFIG,      40, "configuration error")                            \
    XX(EURITRAVERSAL, 60, "URI path climbs above the root with '..'")      \
    XX(EURIRELATIVE, 61, "URI path does not start with '/'")               \
    XX(EURIUNSAFE,   62, "URI has '%' or '\\' after decoding "              \
                         "(JkOptions +RejectUnsafeURI)")                    \
    XX(EMAPBUILT,    63, "URI map already built: add rules to a new map") \
    XX(ENOMEMBER,    80, "no usable balancer member left for this request") \
    XX(ESTICKYFORCE, 81, "the session's member is unusable and "            \
                         "sticky_session_force is set")                     \
    XX(ESHMBAD,      82, "shared memory segment has a wrong magic, "        \
                         "version or size")                                 \
    XX(ESHMSMALL,    83, "shared memory segment is too small for the "      \
                         "worker model")

#define AJPLB__ERRNO_DEFINE(name, num, msg) \
    AJPLB_##name = APR_OS_START_USERERR + (num),
enum {
    AJPLB_ERRNO_MAP(AJPLB__ERRNO_DEFINE)
    AJPLB__ERRNO_END
};
#undef AJPLB__ERRNO_DEFINE

/**
 * Message for a project code, or NULL when @a rv is not one of ours
 * (callers then fall back to apr_strerror()).
 */
const char *ajplb_errno_message(apr_status_t rv);

/**
 * Human-readable text for any status: project codes first, then APR's.
 * @param buf scratch space for apr_strerror()
 */
const char *ajplb_strerror(apr_status_t rv, char *buf, apr_size_t bufsize);

#endif /* AJPLB_ERRNO_H */
