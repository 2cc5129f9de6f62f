/*
 * ajplb_ajp_reply.c -- incremental parser for container->server AJP13
 * packets: fed any split of the byte stream, emits one event per packet.
 * Core layer: APR only, never logs; one packet buffer, its own (allocated
 * at create time) or the caller's.
 */
#include <string.h>

#include <apr_lib.h>

#include "ajplb_ajp.h"

/* Smallest encoded response header: int16 code + empty string (3). */
#define AJPLB__REPLY_MIN_HEADER 5

struct ajplb_ajp_reply_t {
    ajplb_msg_t *msg;           /* the one packet buffer */
    ajplb_ajp_expect_t expect;
    apr_size_t fill;            /* bytes of the current packet received */
    apr_size_t need;            /* 4 until the header is read, then 4+n */
    int got_headers;
    int done;
    apr_status_t failed;        /* sticky error, APR_SUCCESS if none */
    apr_size_t hdr_pos;         /* next_header() cursor into msg->buf */
    apr_size_t hdr_left;
};

apr_status_t ajplb_ajp_reply_create(apr_pool_t *p, apr_size_t max_size,
                                    ajplb_ajp_reply_t **rp)
{
    ajplb_msg_t *msg;
    apr_status_t rv;

    if ((rv = ajplb_msg_create(p, max_size, &msg)) != APR_SUCCESS) {
        return rv;
    }
    ajplb_ajp_reply_create_on(p, msg, rp);
    return APR_SUCCESS;
}

void ajplb_ajp_reply_create_on(apr_pool_t *p, ajplb_msg_t *msg,
                               ajplb_ajp_reply_t **rp)
{
    ajplb_ajp_reply_t *r = apr_pcalloc(p, sizeof(*r));

    r->msg = msg;
    ajplb_ajp_reply_reset(r, AJPLB_AJP_EXPECT_RESPONSE);
    *rp = r;
}

void ajplb_ajp_reply_reset(ajplb_ajp_reply_t *rp, ajplb_ajp_expect_t expect)
{
    rp->expect = expect;
    rp->fill = 0;
    rp->need = AJPLB_MSG_HEADER_LEN;
    rp->got_headers = 0;
    rp->done = 0;
    rp->failed = APR_SUCCESS;
    rp->hdr_pos = 0;
    rp->hdr_left = 0;
}

int ajplb_ajp_reply_is_done(const ajplb_ajp_reply_t *rp)
{
    return rp->done;
}

static apr_status_t ajplb__reply_fail(ajplb_ajp_reply_t *rp, apr_status_t rv)
{
    rp->failed = rv;
    return rv;
}

/* Any byte once the exchange is over is a desync: the connection must not
 * be reused, whatever the byte is. */
static apr_status_t ajplb__reply_after_end(ajplb_ajp_reply_t *rp)
{
    return ajplb__reply_fail(rp, rp->expect == AJPLB_AJP_EXPECT_CPONG
                                 ? AJPLB_EBADCPONG : AJPLB_EAFTEREND);
}

static int ajplb__reply_name_ok(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        /* NUL first: strchr() would match the set's own terminator. */
        if (c == '\0'
            || (!apr_isalnum(c) && strchr("!#$%&'*+-.^_`|~", c) == NULL)) {
            return 0;
        }
    }
    return 1;
}

/* CR, LF and NUL would split or cut a header line on the client side. */
static int ajplb__reply_value_ok(const char *s, apr_size_t len)
{
    return memchr(s, '\r', len) == NULL && memchr(s, '\n', len) == NULL
           && memchr(s, '\0', len) == NULL;
}

/* Decode one header at msg->pos.  Used to validate the whole packet before
 * the event is given out, then again by next_header(). */
static apr_status_t ajplb__reply_header(ajplb_msg_t *msg,
                                        ajplb_ajp_res_header_t *h)
{
    apr_uint16_t code;
    apr_status_t rv;

    if (ajplb_msg_peek_uint16(msg, &code) != APR_SUCCESS) {
        /* The count promised a header that is not there. */
        return AJPLB_EBADHDRCOUNT;
    }
    if ((code & 0xFF00) == 0xA000) {
        h->name = ajplb_ajp_res_header_name(code);
        if (h->name == NULL) {
            return AJPLB_EBADHDRCODE;
        }
        h->code = code;
        h->name_len = strlen(h->name);
        msg->pos += 2;
    }
    else {
        rv = ajplb_msg_get_string(msg, &h->name, &h->name_len);
        if (rv != APR_SUCCESS || h->name == NULL) {
            return AJPLB_EBADSTR;
        }
        if (!ajplb__reply_name_ok(h->name, h->name_len)) {
            return AJPLB_EBADHDRVAL;
        }
        h->code = 0;
    }
    rv = ajplb_msg_get_string(msg, &h->value, &h->value_len);
    if (rv != APR_SUCCESS || h->value == NULL) {
        return AJPLB_EBADSTR;
    }
    if (!ajplb__reply_value_ok(h->value, h->value_len)) {
        return AJPLB_EBADHDRVAL;
    }
    return APR_SUCCESS;
}

static apr_status_t ajplb__reply_send_headers(ajplb_ajp_reply_t *rp,
                                              ajplb_ajp_event_t *ev)
{
    ajplb_msg_t *msg = rp->msg;
    ajplb_ajp_res_header_t h;
    apr_uint16_t status, count;
    apr_size_t i, start;
    apr_status_t rv;

    if (rp->got_headers) {
        return AJPLB_EHDRTWICE;
    }
    /* A final answer only: AJP has no interim responses, and a 1xx
     * passed on would tell the client's connection to switch protocols
     * or wait for another answer (T-B7). */
    if (ajplb_msg_get_uint16(msg, &status) != APR_SUCCESS
        || status < 200 || status > 599) {
        return AJPLB_EBADSTATUS;
    }
    if (ajplb_msg_get_string(msg, &ev->reason, &ev->reason_len)
        != APR_SUCCESS) {
        return AJPLB_EBADSTR;
    }
    if (ev->reason != NULL
        && !ajplb__reply_value_ok(ev->reason, ev->reason_len)) {
        return AJPLB_EBADHDRVAL;
    }
    if (ajplb_msg_get_uint16(msg, &count) != APR_SUCCESS
        || count > ajplb_msg_remaining(msg) / AJPLB__REPLY_MIN_HEADER) {
        return AJPLB_EBADHDRCOUNT;
    }
    start = msg->pos;
    for (i = 0; i < count; i++) {
        if ((rv = ajplb__reply_header(msg, &h)) != APR_SUCCESS) {
            return rv;
        }
    }
    if (ajplb_msg_remaining(msg) != 0) {
        /* Bytes the count does not cover. */
        return AJPLB_EBADHDRCOUNT;
    }
    rp->got_headers = 1;
    rp->hdr_pos = start;
    rp->hdr_left = count;
    ev->type = AJPLB_AJP_EV_SEND_HEADERS;
    ev->status = status;
    ev->num_headers = count;
    return APR_SUCCESS;
}

static apr_status_t ajplb__reply_body_chunk(ajplb_ajp_reply_t *rp,
                                            ajplb_ajp_event_t *ev)
{
    ajplb_msg_t *msg = rp->msg;
    apr_size_t plen = ajplb_msg_payload_len(msg);
    apr_uint16_t clen;

    if (!rp->got_headers) {
        return AJPLB_EBODYFIRST;
    }
    if (ajplb_msg_get_uint16(msg, &clen) != APR_SUCCESS) {
        return AJPLB_EBADCHUNK;
    }
    /* Tomcat sends type, length, data and one NUL; mod_jk's form has no
     * NUL.  Anything else means the framing is not what we think. */
    if (plen != 3 + (apr_size_t)clen
        && !(plen == 4 + (apr_size_t)clen && msg->buf[msg->len - 1] == 0)) {
        return AJPLB_EBADCHUNK;
    }
    ev->type = AJPLB_AJP_EV_BODY_CHUNK;
    ev->data = msg->buf + msg->pos;
    ev->data_len = clen;
    return APR_SUCCESS;
}

static apr_status_t ajplb__reply_get_body(ajplb_ajp_reply_t *rp,
                                          ajplb_ajp_event_t *ev)
{
    ajplb_msg_t *msg = rp->msg;
    apr_uint16_t want;
    apr_size_t max = msg->max_size - AJPLB_AJP_BODY_OVERHEAD;

    if (ajplb_msg_payload_len(msg) != 3
        || ajplb_msg_get_uint16(msg, &want) != APR_SUCCESS) {
        return AJPLB_EBADGETBODY;
    }
    ev->type = AJPLB_AJP_EV_GET_BODY;
    ev->get_len = want < max ? want : max;
    return APR_SUCCESS;
}

static apr_status_t ajplb__reply_end(ajplb_ajp_reply_t *rp,
                                     ajplb_ajp_event_t *ev)
{
    apr_byte_t reuse;

    if (!rp->got_headers) {
        return AJPLB_ENOHEADERS;
    }
    if (ajplb_msg_payload_len(rp->msg) != 2
        || ajplb_msg_get_uint8(rp->msg, &reuse) != APR_SUCCESS) {
        return AJPLB_EBADREUSE;
    }
    ev->type = AJPLB_AJP_EV_END_RESPONSE;
    /* Only an explicit 1 keeps the connection; anything odd closes it. */
    ev->reuse = reuse == 1;
    rp->done = 1;
    return APR_SUCCESS;
}

/* A whole packet is in msg->buf[0..4+n): decode it into @a ev. */
static apr_status_t ajplb__reply_packet(ajplb_ajp_reply_t *rp,
                                        ajplb_ajp_event_t *ev)
{
    apr_byte_t type;

    rp->msg->len = rp->need;
    ajplb_msg_rewind(rp->msg);
    rp->fill = 0;
    rp->need = AJPLB_MSG_HEADER_LEN;
    /* The header check refused length 0, so the type byte is there. */
    (void)ajplb_msg_get_uint8(rp->msg, &type);

    if (rp->expect == AJPLB_AJP_EXPECT_CPONG) {
        if (type != AJPLB_AJP_TYPE_CPONG) {
            return AJPLB_EBADCPONG;
        }
        ev->type = AJPLB_AJP_EV_CPONG;
        rp->done = 1;
        return APR_SUCCESS;
    }
    switch (type) {
    case AJPLB_AJP_TYPE_SEND_HEADERS:
        return ajplb__reply_send_headers(rp, ev);
    case AJPLB_AJP_TYPE_SEND_BODY_CHUNK:
        return ajplb__reply_body_chunk(rp, ev);
    case AJPLB_AJP_TYPE_GET_BODY_CHUNK:
        return ajplb__reply_get_body(rp, ev);
    case AJPLB_AJP_TYPE_END_RESPONSE:
        return ajplb__reply_end(rp, ev);
    default:
        return AJPLB_EBADTYPE;
    }
}

/* @a n more bytes are in the buffer at fill. */
static apr_status_t ajplb__reply_advance(ajplb_ajp_reply_t *rp, apr_size_t n,
                                         ajplb_ajp_event_t *ev)
{
    apr_size_t plen;
    apr_status_t rv;

    rp->fill += n;
    if (rp->fill < rp->need) {
        return APR_SUCCESS;
    }
    if (rp->need == AJPLB_MSG_HEADER_LEN) {
        /* The length is judged before a single payload byte is read. */
        rv = ajplb_msg_check_reply_header(rp->msg->buf, rp->msg->max_size,
                                          &plen);
        if (rv != APR_SUCCESS) {
            return ajplb__reply_fail(rp, rv);
        }
        if (rp->expect == AJPLB_AJP_EXPECT_CPONG && plen != 1) {
            return ajplb__reply_fail(rp, AJPLB_EBADCPONG);
        }
        rp->need = AJPLB_MSG_HEADER_LEN + plen;
        return APR_SUCCESS;
    }
    rv = ajplb__reply_packet(rp, ev);
    if (rv != APR_SUCCESS) {
        memset(ev, 0, sizeof(*ev));
        rp->hdr_left = 0;
        return ajplb__reply_fail(rp, rv);
    }
    return APR_SUCCESS;
}

/* Start of every feed/commit/space: the previous event's pointers die. */
static void ajplb__reply_begin(ajplb_ajp_reply_t *rp, ajplb_ajp_event_t *ev)
{
    if (ev != NULL) {
        memset(ev, 0, sizeof(*ev));
    }
    rp->hdr_left = 0;
}

apr_status_t ajplb_ajp_reply_feed(ajplb_ajp_reply_t *rp, const void *data,
                                  apr_size_t len, apr_size_t *consumed,
                                  ajplb_ajp_event_t *ev)
{
    const apr_byte_t *in = data;
    apr_size_t used = 0;
    apr_status_t rv = rp->failed;

    ajplb__reply_begin(rp, ev);
    while (rv == APR_SUCCESS && used < len
           && ev->type == AJPLB_AJP_EV_NONE) {
        apr_size_t n;

        if (rp->done) {
            rv = ajplb__reply_after_end(rp);
            break;
        }
        n = AJPLB_MIN(rp->need - rp->fill, len - used);
        memcpy(rp->msg->buf + rp->fill, in + used, n);
        used += n;
        rv = ajplb__reply_advance(rp, n, ev);
    }
    *consumed = used;
    return rv;
}

apr_status_t ajplb_ajp_reply_space(ajplb_ajp_reply_t *rp, void **space,
                                   apr_size_t *room)
{
    ajplb__reply_begin(rp, NULL);
    if (rp->failed != APR_SUCCESS) {
        return rp->failed;
    }
    if (rp->done) {
        *space = rp->msg->buf;
        *room = 1;
        return APR_SUCCESS;
    }
    *space = rp->msg->buf + rp->fill;
    *room = rp->need - rp->fill;
    return APR_SUCCESS;
}

apr_status_t ajplb_ajp_reply_commit(ajplb_ajp_reply_t *rp, apr_size_t n,
                                    ajplb_ajp_event_t *ev)
{
    ajplb__reply_begin(rp, ev);
    if (rp->failed != APR_SUCCESS) {
        return rp->failed;
    }
    if (n == 0) {
        return APR_SUCCESS;
    }
    if (rp->done) {
        return ajplb__reply_after_end(rp);
    }
    if (n > rp->need - rp->fill) {
        return ajplb__reply_fail(rp, APR_EINVAL);
    }
    return ajplb__reply_advance(rp, n, ev);
}

apr_status_t ajplb_ajp_reply_next_header(ajplb_ajp_reply_t *rp,
                                         ajplb_ajp_res_header_t *h)
{
    if (rp->hdr_left == 0) {
        return APR_EOF;
    }
    rp->msg->pos = rp->hdr_pos;
    if (ajplb__reply_header(rp->msg, h) != APR_SUCCESS) {
        /* Validated when the packet arrived; cannot happen. */
        rp->hdr_left = 0;
        return APR_EOF;
    }
    rp->hdr_pos = rp->msg->pos;
    rp->hdr_left--;
    return APR_SUCCESS;
}

apr_status_t ajplb_ajp_reply_finish(ajplb_ajp_reply_t *rp)
{
    if (rp->failed != APR_SUCCESS) {
        return rp->failed;
    }
    if (rp->fill != 0 || !rp->done) {
        return ajplb__reply_fail(rp, AJPLB_ETRUNC);
    }
    return APR_SUCCESS;
}
