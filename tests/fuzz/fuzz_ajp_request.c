/*
 * fuzz_ajp_request.c -- libFuzzer target for the FORWARD_REQUEST encoder.
 * The input is cut into fields (method, protocol, URI, addresses, query,
 * attributes, headers) by length prefixes; the encoder must either refuse
 * the request with a documented error or build a packet that fits its
 * buffer exactly and decodes back to the same fields.  The packet buffer
 * is malloc'd at its exact size so ASan sees any write past it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "ajplb_ajp.h"
#include "ajplb_errno.h"

static const apr_size_t ajplb__fuzz_sizes[] = { 8192, 16384, 65536, 8200 };

typedef struct {
    const uint8_t *p;
    size_t n;
} ajplb__fuzz_in_t;

static unsigned ajplb__fuzz_byte(ajplb__fuzz_in_t *in)
{
    unsigned b;

    if (in->n == 0) {
        return 0;
    }
    b = in->p[0];
    in->p++;
    in->n--;
    return b;
}

/* One field: length byte L; L 0xFF: 16-bit length follows; L 0xFE: 16-bit
 * length and a fill byte follow (huge values from small inputs); L 0xFD:
 * NULL.  Bytes are copied and NUL-terminated; *len is the real length. */
static char *ajplb__fuzz_field(apr_pool_t *p, ajplb__fuzz_in_t *in,
                               apr_size_t *len)
{
    unsigned l = ajplb__fuzz_byte(in);
    char *s;

    if (l == 0xFD) {
        *len = 0;
        return NULL;
    }
    if (l == 0xFE || l == 0xFF) {
        unsigned n = ajplb__fuzz_byte(in) << 8;

        n |= ajplb__fuzz_byte(in);
        s = apr_palloc(p, n + 1);
        if (l == 0xFE) {
            memset(s, (int)ajplb__fuzz_byte(in), n);
        }
        else {
            if (n > in->n) {
                n = (unsigned)in->n;
            }
            memcpy(s, in->p, n);
            in->p += n;
            in->n -= n;
        }
        s[n] = '\0';
        *len = n;
        return s;
    }
    if (l > in->n) {
        l = (unsigned)in->n;
    }
    s = apr_pstrmemdup(p, (const char *)in->p, l);
    in->p += l;
    in->n -= l;
    *len = l;
    return s;
}

/* A C-string field: stops at an embedded NUL like any C string would. */
static const char *ajplb__fuzz_cstr(apr_pool_t *p, ajplb__fuzz_in_t *in)
{
    apr_size_t len;

    return ajplb__fuzz_field(p, in, &len);
}

#define AJPLB__FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static apr_size_t ajplb__fuzz_slen(const char *s)
{
    return s == NULL ? 2 : 2 + strlen(s) + 1;
}

/* Expect the string @a s (NULL: the null string) next in @a m. */
static void ajplb__fuzz_get_str(ajplb_msg_t *m, const char *s,
                                apr_size_t slen)
{
    const char *got;
    apr_size_t len;

    AJPLB__FUZZ_CHECK(ajplb_msg_get_string(m, &got, &len) == APR_SUCCESS);
    if (s == NULL) {
        AJPLB__FUZZ_CHECK(got == NULL);
        return;
    }
    AJPLB__FUZZ_CHECK(got != NULL && len == slen);
    AJPLB__FUZZ_CHECK(memcmp(got, s, len) == 0 && got[len] == '\0');
}

static void ajplb__fuzz_get_cstr(ajplb_msg_t *m, const char *s)
{
    ajplb__fuzz_get_str(m, s, s ? strlen(s) : 0);
}

static void ajplb__fuzz_get_u8(ajplb_msg_t *m, unsigned v)
{
    apr_byte_t b;

    AJPLB__FUZZ_CHECK(ajplb_msg_get_uint8(m, &b) == APR_SUCCESS && b == v);
}

static void ajplb__fuzz_get_u16(ajplb_msg_t *m, unsigned v)
{
    apr_uint16_t w;

    AJPLB__FUZZ_CHECK(ajplb_msg_get_uint16(m, &w) == APR_SUCCESS && w == v);
}

static void ajplb__fuzz_get_req_attr(ajplb_msg_t *m, const char *name,
                                     const char *value)
{
    ajplb__fuzz_get_u8(m, AJPLB_AJP_ATTR_REQ_ATTRIBUTE);
    ajplb__fuzz_get_cstr(m, name);
    ajplb__fuzz_get_cstr(m, value);
}

/* Size of the packet the request must give, or 0 when it must be refused
 * before anything is measured (*why gets the expected error). */
static apr_size_t ajplb__fuzz_expect(const ajplb_ajp_request_t *r,
                                     apr_status_t *why)
{
    apr_size_t n = 4 + 1 + 1, i;
    int code = ajplb_ajp_method_code(r->method);
    char port[8];
    const char *opt[8];

    *why = APR_SUCCESS;
    if (!ajplb_ajp_method_is_token(r->method)) {
        *why = AJPLB_EBADMETHOD;
        return 0;
    }
    for (i = 0; i < r->num_headers; i++) {
        const ajplb_ajp_header_t *h = &r->headers[i];

        if (h->name[0] == '\0'
            || strlen(h->name) > AJPLB_AJP_MAX_HEADER_NAME_LEN) {
            *why = AJPLB_EBADREQHDR;
            return 0;
        }
    }
    n += ajplb__fuzz_slen(r->protocol) + ajplb__fuzz_slen(r->uri)
         + ajplb__fuzz_slen(r->remote_addr)
         + ajplb__fuzz_slen(r->remote_host)
         + ajplb__fuzz_slen(r->server_name) + 2 + 1 + 2;
    for (i = 0; i < r->num_headers; i++) {
        const ajplb_ajp_header_t *h = &r->headers[i];

        n += ajplb_ajp_req_header_code(h->name) ? 2
                                                : ajplb__fuzz_slen(h->name);
        n += 2 + h->value_len + 1;
        if (h->value_len >= 0xFFFF) {
            *why = AJPLB_ETOOBIG;
        }
    }
    opt[0] = r->secret;
    opt[1] = r->remote_user;
    opt[2] = r->auth_type;
    opt[3] = r->query_string;
    opt[4] = r->route;
    opt[5] = r->ssl_cert;
    opt[6] = r->ssl_cipher;
    opt[7] = r->ssl_session;
    for (i = 0; i < 8; i++) {
        if (opt[i] != NULL) {
            n += 1 + ajplb__fuzz_slen(opt[i]);
        }
    }
    if (r->ssl_key_size > 0) {
        n += 3;
    }
    if (code == 0) {
        n += 1 + ajplb__fuzz_slen(r->method);
    }
    if (r->ssl_protocol != NULL) {
        n += 1 + ajplb__fuzz_slen("AJP_SSL_PROTOCOL")
             + ajplb__fuzz_slen(r->ssl_protocol);
    }
    apr_snprintf(port, sizeof(port), "%u", (unsigned)r->remote_port);
    n += 1 + ajplb__fuzz_slen("AJP_REMOTE_PORT") + ajplb__fuzz_slen(port);
    n += 1 + ajplb__fuzz_slen("AJP_LOCAL_ADDR")
         + ajplb__fuzz_slen(r->local_addr);
    n += 1 + ajplb__fuzz_slen("JK_LB_ACTIVATION")
         + ajplb__fuzz_slen(r->lb_activation ? r->lb_activation : "ACT");
    for (i = 0; i < r->num_attrs; i++) {
        n += 1 + ajplb__fuzz_slen(r->attrs[i].name)
             + ajplb__fuzz_slen(r->attrs[i].value);
    }
    return n + 1;
}

/* Decode the packet in @a m and compare every field with @a r. */
static void ajplb__fuzz_decode(ajplb_msg_t *m, const ajplb_ajp_request_t *r)
{
    int code = ajplb_ajp_method_code(r->method);
    apr_size_t i;
    char port[8];
    struct { apr_byte_t code; const char *v; } opt[8];

    AJPLB__FUZZ_CHECK(m->buf[0] == 0x12 && m->buf[1] == 0x34);
    AJPLB__FUZZ_CHECK(((apr_size_t)m->buf[2] << 8 | m->buf[3])
                      == m->len - 4);
    ajplb_msg_rewind(m);
    ajplb__fuzz_get_u8(m, AJPLB_AJP_TYPE_FORWARD_REQUEST);
    ajplb__fuzz_get_u8(m, code ? (unsigned)code : AJPLB_AJP_METHOD_STORED);
    ajplb__fuzz_get_cstr(m, r->protocol);
    ajplb__fuzz_get_cstr(m, r->uri);
    ajplb__fuzz_get_cstr(m, r->remote_addr);
    ajplb__fuzz_get_cstr(m, r->remote_host);
    ajplb__fuzz_get_cstr(m, r->server_name);
    ajplb__fuzz_get_u16(m, r->server_port);
    ajplb__fuzz_get_u8(m, r->is_ssl ? 1 : 0);
    ajplb__fuzz_get_u16(m, (unsigned)r->num_headers);
    for (i = 0; i < r->num_headers; i++) {
        const ajplb_ajp_header_t *h = &r->headers[i];
        int hc = ajplb_ajp_req_header_code(h->name);
        apr_uint16_t w;

        AJPLB__FUZZ_CHECK(ajplb_msg_peek_uint16(m, &w) == APR_SUCCESS);
        if (hc) {
            AJPLB__FUZZ_CHECK(w == hc);
            ajplb__fuzz_get_u16(m, w);
        }
        else {
            /* A name must never read as a header code. */
            AJPLB__FUZZ_CHECK(w < 0xA000);
            ajplb__fuzz_get_cstr(m, h->name);
        }
        ajplb__fuzz_get_str(m, h->value ? h->value : "", h->value_len);
    }
    opt[0].code = AJPLB_AJP_ATTR_SECRET;       opt[0].v = r->secret;
    opt[1].code = AJPLB_AJP_ATTR_REMOTE_USER;  opt[1].v = r->remote_user;
    opt[2].code = AJPLB_AJP_ATTR_AUTH_TYPE;    opt[2].v = r->auth_type;
    opt[3].code = AJPLB_AJP_ATTR_QUERY_STRING; opt[3].v = r->query_string;
    opt[4].code = AJPLB_AJP_ATTR_ROUTE;        opt[4].v = r->route;
    opt[5].code = AJPLB_AJP_ATTR_SSL_CERT;     opt[5].v = r->ssl_cert;
    opt[6].code = AJPLB_AJP_ATTR_SSL_CIPHER;   opt[6].v = r->ssl_cipher;
    opt[7].code = AJPLB_AJP_ATTR_SSL_SESSION;  opt[7].v = r->ssl_session;
    for (i = 0; i < 8; i++) {
        if (opt[i].v != NULL) {
            ajplb__fuzz_get_u8(m, opt[i].code);
            ajplb__fuzz_get_cstr(m, opt[i].v);
        }
    }
    if (r->ssl_key_size > 0) {
        ajplb__fuzz_get_u8(m, AJPLB_AJP_ATTR_SSL_KEY_SIZE);
        ajplb__fuzz_get_u16(m, (unsigned)r->ssl_key_size);
    }
    if (code == 0) {
        ajplb__fuzz_get_u8(m, AJPLB_AJP_ATTR_STORED_METHOD);
        ajplb__fuzz_get_cstr(m, r->method);
    }
    if (r->ssl_protocol != NULL) {
        ajplb__fuzz_get_req_attr(m, "AJP_SSL_PROTOCOL", r->ssl_protocol);
    }
    apr_snprintf(port, sizeof(port), "%u", (unsigned)r->remote_port);
    ajplb__fuzz_get_req_attr(m, "AJP_REMOTE_PORT", port);
    ajplb__fuzz_get_req_attr(m, "AJP_LOCAL_ADDR", r->local_addr);
    ajplb__fuzz_get_req_attr(m, "JK_LB_ACTIVATION",
                             r->lb_activation ? r->lb_activation : "ACT");
    for (i = 0; i < r->num_attrs; i++) {
        ajplb__fuzz_get_req_attr(m, r->attrs[i].name, r->attrs[i].value);
    }
    ajplb__fuzz_get_u8(m, AJPLB_AJP_ATTR_ARE_DONE);
    AJPLB__FUZZ_CHECK(ajplb_msg_remaining(m) == 0);
}

/* Fill a required field: a NULL from the input becomes "". */
static const char *ajplb__fuzz_req(apr_pool_t *p, ajplb__fuzz_in_t *in)
{
    const char *s = ajplb__fuzz_cstr(p, in);

    return s ? s : "";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;
    ajplb__fuzz_in_t in;
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t *hdrs;
    ajplb_ajp_attr_t *attrs;
    ajplb_msg_t m;
    apr_size_t i, want, nh, rep;
    apr_status_t rv, why;
    unsigned f0, f1;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    if (size < 2) {
        return 0;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }
    in.p = data;
    in.n = size;
    f0 = ajplb__fuzz_byte(&in);
    f1 = ajplb__fuzz_byte(&in);
    memset(&r, 0, sizeof(r));
    r.method = ajplb__fuzz_req(p, &in);
    r.protocol = ajplb__fuzz_req(p, &in);
    r.uri = ajplb__fuzz_req(p, &in);
    r.remote_addr = ajplb__fuzz_req(p, &in);
    r.remote_host = ajplb__fuzz_cstr(p, &in);
    r.server_name = ajplb__fuzz_req(p, &in);
    r.server_port = (apr_uint16_t)(ajplb__fuzz_byte(&in) << 8
                                   | ajplb__fuzz_byte(&in));
    r.is_ssl = (f0 & 4) != 0;
    r.query_string = ajplb__fuzz_cstr(p, &in);
    if (f0 & 8) {
        r.secret = ajplb__fuzz_cstr(p, &in);
        r.remote_user = ajplb__fuzz_cstr(p, &in);
        r.auth_type = ajplb__fuzz_cstr(p, &in);
        r.route = ajplb__fuzz_cstr(p, &in);
    }
    if (f0 & 16) {
        r.ssl_cert = ajplb__fuzz_cstr(p, &in);
        r.ssl_cipher = ajplb__fuzz_cstr(p, &in);
        r.ssl_session = ajplb__fuzz_cstr(p, &in);
        r.ssl_protocol = ajplb__fuzz_cstr(p, &in);
        r.ssl_key_size = (int)(ajplb__fuzz_byte(&in) << 8
                               | ajplb__fuzz_byte(&in));
    }
    r.remote_port = (apr_uint16_t)(ajplb__fuzz_byte(&in) << 8
                                   | ajplb__fuzz_byte(&in));
    r.local_addr = ajplb__fuzz_cstr(p, &in);
    r.lb_activation = ajplb__fuzz_cstr(p, &in);
    r.num_attrs = ajplb__fuzz_byte(&in) & 15;
    attrs = apr_pcalloc(p, sizeof(*attrs) * (r.num_attrs + 1));
    for (i = 0; i < r.num_attrs; i++) {
        attrs[i].name = ajplb__fuzz_req(p, &in);
        attrs[i].value = ajplb__fuzz_cstr(p, &in);
    }
    r.attrs = attrs;
    /* Headers: up to 255 read from the input, the last one repeated
     * rep times so header counts near and over 65535 are reachable. */
    nh = ajplb__fuzz_byte(&in);
    rep = (f1 & 1) ? ((apr_size_t)f1 << 8) : 0;
    hdrs = apr_pcalloc(p, sizeof(*hdrs) * (nh + rep + 1));
    for (i = 0; i < nh; i++) {
        apr_size_t vlen;

        hdrs[i].name = ajplb__fuzz_req(p, &in);
        hdrs[i].value = ajplb__fuzz_field(p, &in, &vlen);
        hdrs[i].value_len = hdrs[i].value ? vlen : 0;
    }
    for (i = 0; nh > 0 && i < rep; i++) {
        hdrs[nh + i] = hdrs[nh - 1];
    }
    r.headers = hdrs;
    r.num_headers = nh > 0 ? nh + rep : 0;

    m.max_size = ajplb__fuzz_sizes[f0 & 3];
    m.buf = malloc(m.max_size);
    if (m.buf == NULL) {
        abort();
    }
    ajplb_msg_reset(&m);
    rv = ajplb_ajp_forward_request(&m, &r);
    want = ajplb__fuzz_expect(&r, &why);
    if (why != APR_SUCCESS && why != AJPLB_ETOOBIG) {
        AJPLB__FUZZ_CHECK(rv == why);
    }
    else if (r.num_headers > 0xFFFF || why == AJPLB_ETOOBIG
             || want > m.max_size) {
        AJPLB__FUZZ_CHECK(rv == AJPLB_ETOOBIG);
    }
    else {
        AJPLB__FUZZ_CHECK(rv == APR_SUCCESS);
        AJPLB__FUZZ_CHECK(m.len == want && m.len <= m.max_size);
        ajplb__fuzz_decode(&m, &r);
    }
    if (rv != APR_SUCCESS) {
        /* A refused request leaves no packet behind. */
        AJPLB__FUZZ_CHECK(ajplb_msg_payload_len(&m) == 0);
    }
    free(m.buf);
    apr_pool_destroy(p);
    return 0;
}
