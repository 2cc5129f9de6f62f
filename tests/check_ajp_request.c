/*
 * check_ajp_request.c -- unit tests for FORWARD_REQUEST marshalling, body
 * and CPING packets: golden bytes, a decoder that reads fields in the order
 * Tomcat's AjpProcessor.prepareRequest does, and every refusal.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_ajp.h"
#include "test_util.h"

#define NELTS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MAXF 64

static ajplb_msg_t *new_msg(apr_size_t size)
{
    ajplb_msg_t *m = NULL;

    ck_assert_int_eq(ajplb_msg_create(ajplb_test_pool, size, &m),
                     APR_SUCCESS);
    return m;
}

static void assert_packet(const ajplb_msg_t *m, const char *hex)
{
    apr_size_t n;
    unsigned char *b = ajplb_test_hex(hex, &n);

    ck_assert_uint_eq(m->len, n);
    ck_assert_mem_eq(m->buf, b, n);
}

/* A plain request every test starts from. */
static void base_req(ajplb_ajp_request_t *r)
{
    memset(r, 0, sizeof(*r));
    r->method = "GET";
    r->protocol = "HTTP/1.1";
    r->uri = "/app/x";
    r->remote_addr = "10.0.0.1";
    r->server_name = "www";
    r->server_port = 80;
    r->remote_port = 54321;
    r->local_addr = "10.0.0.2";
    r->ssl_key_size = -1;
}

/* ---------------------------------------- decoder in Tomcat's order --- */

/* Independent of ajplb_msg_t on purpose: it follows the reading order of
 * AjpProcessor.prepareRequest (method byte, protocol, requestURI,
 * remoteAddr, remoteHost, localName, localPort int, isSSL byte, header
 * count, headers with the 0xA0 peek rule, attributes until 0xFF). */
typedef struct {
    const unsigned char *p;
    apr_size_t n, pos;
} rd_t;

static int rd_u8(rd_t *r)
{
    ck_assert_uint_lt(r->pos, r->n);
    return r->p[r->pos++];
}

static int rd_u16(rd_t *r)
{
    int v;

    ck_assert_uint_le(r->pos + 2, r->n);
    v = (r->p[r->pos] << 8) | r->p[r->pos + 1];
    r->pos += 2;
    return v;
}

static const char *rd_str(rd_t *r, apr_size_t *len)
{
    int n = rd_u16(r);
    const char *s;

    if (n == 0xFFFF) {
        if (len) {
            *len = 0;
        }
        return NULL;
    }
    ck_assert_uint_le(r->pos + n + 1, r->n);
    ck_assert_int_eq(r->p[r->pos + n], 0);
    s = apr_pstrmemdup(ajplb_test_pool, (const char *)r->p + r->pos, n);
    r->pos += n + 1;
    if (len) {
        *len = n;
    }
    return s;
}

/* Tomcat's Constants header table, index = code - 0xA001. */
static const char *const tc_req_headers[] = {
    "accept", "accept-charset", "accept-encoding", "accept-language",
    "authorization", "connection", "content-type", "content-length",
    "cookie", "cookie2", "host", "pragma", "referer", "user-agent"
};

typedef struct {
    int method, port, ssl, nh, nattr, keysize;
    const char *protocol, *uri, *raddr, *rhost, *sname;
    int hcode[MAXF];
    const char *hname[MAXF], *hval[MAXF];
    apr_size_t hlen[MAXF];
    int acode[MAXF];
    const char *aname[MAXF], *aval[MAXF];
} fr_t;

static void decode(const ajplb_msg_t *m, fr_t *f)
{
    rd_t r = { m->buf, m->len, 0 };
    int i, code;

    memset(f, 0, sizeof(*f));
    f->keysize = -1;
    ck_assert_int_eq(rd_u16(&r), 0x1234);
    ck_assert_int_eq(rd_u16(&r), (int)m->len - 4);
    ck_assert_int_eq(rd_u8(&r), 2);
    f->method = rd_u8(&r);
    f->protocol = rd_str(&r, NULL);
    f->uri = rd_str(&r, NULL);
    f->raddr = rd_str(&r, NULL);
    f->rhost = rd_str(&r, NULL);
    f->sname = rd_str(&r, NULL);
    f->port = rd_u16(&r);
    f->ssl = rd_u8(&r);
    f->nh = rd_u16(&r);
    ck_assert_int_le(f->nh, MAXF);
    for (i = 0; i < f->nh; i++) {
        int peek;

        ck_assert_uint_le(r.pos + 2, r.n);
        peek = (r.p[r.pos] << 8) | r.p[r.pos + 1];
        if ((peek & 0xFF00) == 0xA000) {
            r.pos += 2;
            ck_assert_int_ge(peek & 0xFF, 1);
            ck_assert_int_le(peek & 0xFF, NELTS(tc_req_headers));
            f->hcode[i] = peek;
            f->hname[i] = tc_req_headers[(peek & 0xFF) - 1];
        }
        else {
            f->hname[i] = rd_str(&r, NULL);
            ck_assert_ptr_nonnull(f->hname[i]);
        }
        f->hval[i] = rd_str(&r, &f->hlen[i]);
    }
    while ((code = rd_u8(&r)) != 0xFF) {
        ck_assert_int_lt(f->nattr, MAXF);
        f->acode[f->nattr] = code;
        switch (code) {
        case 0x0A:
            f->aname[f->nattr] = rd_str(&r, NULL);
            f->aval[f->nattr] = rd_str(&r, NULL);
            break;
        case 0x0B:
            f->keysize = rd_u16(&r);
            break;
        case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08:
        case 0x09: case 0x0C: case 0x0D:
            f->aval[f->nattr] = rd_str(&r, NULL);
            break;
        default:
            ck_abort_msg("attribute code 0x%02x Tomcat does not know", code);
        }
        f->nattr++;
    }
    ck_assert_uint_eq(r.pos, r.n);
}

static const char *attr_val(const fr_t *f, int code, const char *name)
{
    int i;

    for (i = 0; i < f->nattr; i++) {
        if (f->acode[i] == code
            && (name == NULL || strcmp(f->aname[i], name) == 0)) {
            return f->aval[i];
        }
    }
    return NULL;
}

/* ---------------------------------------------------------- goldens --- */

START_TEST(test_golden_minimal)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h[] = {
        { "Host", "www", 3 },
        { "X-A", "b", 1 },
    };

    base_req(&r);
    r.headers = h;
    r.num_headers = 2;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    assert_packet(m,
        "12 34 00 93 02 02 00 08 48 54 54 50 2f 31 2e 31 00 00 06 2f "
        "61 70 70 2f 78 00 00 08 31 30 2e 30 2e 30 2e 31 00 ff ff 00 "
        "03 77 77 77 00 00 50 00 00 02 a0 0b 00 03 77 77 77 00 00 03 "
        "58 2d 41 00 00 01 62 00 0a 00 0f 41 4a 50 5f 52 45 4d 4f 54 "
        "45 5f 50 4f 52 54 00 00 05 35 34 33 32 31 00 0a 00 0e 41 4a "
        "50 5f 4c 4f 43 41 4c 5f 41 44 44 52 00 00 08 31 30 2e 30 2e "
        "30 2e 32 00 0a 00 10 4a 4b 5f 4c 42 5f 41 43 54 49 56 41 54 "
        "49 4f 4e 00 00 03 41 43 54 00 ff");
}
END_TEST

/* Every attribute set: mod_jk's emission order, byte for byte. */
static void full_req(ajplb_ajp_request_t *r, ajplb_ajp_header_t *h,
                     ajplb_ajp_attr_t *a)
{
    base_req(r);
    r->method = "FOO";
    r->protocol = "HTTP/1.0";
    r->uri = "/a";
    r->remote_addr = "::1";
    r->remote_host = "client";
    r->server_name = "srv";
    r->server_port = 443;
    r->is_ssl = 1;
    h->name = "authorization";
    h->value = "Basic x";
    h->value_len = 7;
    r->headers = h;
    r->num_headers = 1;
    r->secret = "sek";
    r->remote_user = "bob";
    r->auth_type = "Basic";
    r->query_string = "q=1";
    r->route = "w1";
    r->ssl_cert = "CERT";
    r->ssl_cipher = "AES";
    r->ssl_session = "SID";
    r->ssl_key_size = 256;
    r->ssl_protocol = "TLSv1.3";
    r->remote_port = 1;
    r->local_addr = "::2";
    r->lb_activation = "DIS";
    a->name = "X_ENV";
    a->value = "v";
    r->attrs = a;
    r->num_attrs = 1;
}

START_TEST(test_golden_all_attributes)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h;
    ajplb_ajp_attr_t a;

    full_req(&r, &h, &a);
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    assert_packet(m,
        "12 34 00 f1 02 ff 00 08 48 54 54 50 2f 31 2e 30 00 00 02 2f "
        "61 00 00 03 3a 3a 31 00 00 06 63 6c 69 65 6e 74 00 00 03 73 "
        "72 76 00 01 bb 01 00 01 a0 05 00 07 42 61 73 69 63 20 78 00 "
        "0c 00 03 73 65 6b 00 03 00 03 62 6f 62 00 04 00 05 42 61 73 "
        "69 63 00 05 00 03 71 3d 31 00 06 00 02 77 31 00 07 00 04 43 "
        "45 52 54 00 08 00 03 41 45 53 00 09 00 03 53 49 44 00 0b 01 "
        "00 0d 00 03 46 4f 4f 00 0a 00 10 41 4a 50 5f 53 53 4c 5f 50 "
        "52 4f 54 4f 43 4f 4c 00 00 07 54 4c 53 76 31 2e 33 00 0a 00 "
        "0f 41 4a 50 5f 52 45 4d 4f 54 45 5f 50 4f 52 54 00 00 01 31 "
        "00 0a 00 0e 41 4a 50 5f 4c 4f 43 41 4c 5f 41 44 44 52 00 00 "
        "03 3a 3a 32 00 0a 00 10 4a 4b 5f 4c 42 5f 41 43 54 49 56 41 "
        "54 49 4f 4e 00 00 03 44 49 53 00 0a 00 05 58 5f 45 4e 56 00 "
        "00 01 76 00 ff");
}
END_TEST

START_TEST(test_decode_all_attributes)
{
    static const int order[] = {
        0x0C, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0D,
        0x0A, 0x0A, 0x0A, 0x0A, 0x0A
    };
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h;
    ajplb_ajp_attr_t a;
    fr_t f;
    int i;

    full_req(&r, &h, &a);
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    decode(m, &f);
    ck_assert_int_eq(f.method, 0xFF);
    ck_assert_str_eq(f.protocol, "HTTP/1.0");
    ck_assert_str_eq(f.uri, "/a");
    ck_assert_str_eq(f.raddr, "::1");
    ck_assert_str_eq(f.rhost, "client");
    ck_assert_str_eq(f.sname, "srv");
    ck_assert_int_eq(f.port, 443);
    ck_assert_int_eq(f.ssl, 1);
    ck_assert_int_eq(f.nh, 1);
    ck_assert_int_eq(f.hcode[0], 0xA005);
    ck_assert_str_eq(f.hval[0], "Basic x");
    ck_assert_int_eq(f.nattr, NELTS(order));
    for (i = 0; i < NELTS(order); i++) {
        ck_assert_int_eq(f.acode[i], order[i]);
    }
    ck_assert_int_eq(f.keysize, 256);
    ck_assert_str_eq(attr_val(&f, 0x0C, NULL), "sek");
    ck_assert_str_eq(attr_val(&f, 0x0D, NULL), "FOO");
    ck_assert_str_eq(attr_val(&f, 0x0A, "AJP_SSL_PROTOCOL"), "TLSv1.3");
    ck_assert_str_eq(attr_val(&f, 0x0A, "AJP_REMOTE_PORT"), "1");
    ck_assert_str_eq(attr_val(&f, 0x0A, "AJP_LOCAL_ADDR"), "::2");
    ck_assert_str_eq(attr_val(&f, 0x0A, "JK_LB_ACTIVATION"), "DIS");
    ck_assert_str_eq(attr_val(&f, 0x0A, "X_ENV"), "v");
    ck_assert_str_eq(f.aname[NELTS(order) - 1], "X_ENV");
}
END_TEST

/* Optional attributes absent: only the three always-sent ones remain, and
 * a key size of 0 (unknown) is not sent. */
START_TEST(test_decode_defaults)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    fr_t f;

    base_req(&r);
    r.ssl_key_size = 0;
    r.server_port = 65535;
    r.local_addr = NULL;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    decode(m, &f);
    ck_assert_int_eq(f.method, 2);
    ck_assert_ptr_null(f.rhost);
    ck_assert_int_eq(f.port, 65535);
    ck_assert_int_eq(f.ssl, 0);
    ck_assert_int_eq(f.nh, 0);
    ck_assert_int_eq(f.nattr, 3);
    ck_assert_int_eq(f.keysize, -1);
    ck_assert_str_eq(f.aname[0], "AJP_REMOTE_PORT");
    ck_assert_str_eq(f.aval[0], "54321");
    ck_assert_str_eq(f.aname[1], "AJP_LOCAL_ADDR");
    ck_assert_ptr_null(f.aval[1]);
    ck_assert_str_eq(f.aname[2], "JK_LB_ACTIVATION");
    ck_assert_str_eq(f.aval[2], "ACT");
}
END_TEST

/* ---------------------------------------------------------- methods --- */

static const char *const methods[] = {
    NULL, "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
    "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN", "CHECKOUT",
    "UNCHECKOUT", "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
    "BASELINE-CONTROL", "MKACTIVITY"
};

START_TEST(test_method_codes)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    fr_t f;
    int code = _i + 1;

    base_req(&r);
    r.method = methods[code];
    ck_assert_int_eq(ajplb_ajp_method_code(r.method), code);
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    ck_assert_int_eq(m->buf[5], code);
    decode(m, &f);
    ck_assert_ptr_null(attr_val(&f, 0x0D, NULL));
}
END_TEST

static const char *const stored_methods[] = {
    "get", "Post", "PATCH", "FOO", "M-SEARCH", "X!#$%&'*+.^_`|~1"
};

/* T-R8: extension methods go out as SC_M_JK_STORED. */
START_TEST(test_method_stored)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    fr_t f;

    base_req(&r);
    r.method = stored_methods[_i];
    ck_assert_int_eq(ajplb_ajp_method_code(r.method), 0);
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    decode(m, &f);
    ck_assert_int_eq(f.method, 0xFF);
    ck_assert_str_eq(attr_val(&f, 0x0D, NULL), stored_methods[_i]);
    /* stored_method comes right before the req_attributes. */
    ck_assert_int_eq(f.acode[0], 0x0D);
}
END_TEST

static const char *const bad_methods[] = {
    "", "GE T", "GET\r\n", "G(T", "G\x7fT", "G\xc3\xa9T", "A:B", "G/T",
    "G\"T", "G\tT", "[GET]", "G,T"
};

/* T-R8: a method with non-token bytes is refused before encoding. */
START_TEST(test_method_bad)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;

    base_req(&r);
    r.method = bad_methods[_i];
    ck_assert_int_eq(ajplb_ajp_method_is_token(r.method), 0);
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), AJPLB_EBADMETHOD);
    ck_assert_uint_eq(m->len, 4);
}
END_TEST

/* ---------------------------------------------------------- headers --- */

static const struct {
    const char *name;
    int code;
} hdr_codes[] = {
    { "accept", 0xA001 }, { "accept-charset", 0xA002 },
    { "accept-encoding", 0xA003 }, { "accept-language", 0xA004 },
    { "authorization", 0xA005 }, { "connection", 0xA006 },
    { "content-type", 0xA007 }, { "content-length", 0xA008 },
    { "cookie", 0xA009 }, { "cookie2", 0xA00A }, { "host", 0xA00B },
    { "pragma", 0xA00C }, { "referer", 0xA00D }, { "user-agent", 0xA00E },
    { "ACCEPT", 0xA001 }, { "Content-Length", 0xA008 },
    { "USER-agent", 0xA00E }, { "CoOkIe2", 0xA00A }, { "Host", 0xA00B },
    { "accepts", 0 }, { "x-cookie", 0 }, { "cookie3", 0 },
    { "content-type2", 0 }, { "Accept-Ranges", 0 }, { "hos", 0 },
    { "X-Forwarded-For", 0 },
};

START_TEST(test_header_codes)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h = { hdr_codes[_i].name, "v", 1 };
    fr_t f;

    ck_assert_int_eq(ajplb_ajp_req_header_code(h.name), hdr_codes[_i].code);
    base_req(&r);
    r.headers = &h;
    r.num_headers = 1;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    decode(m, &f);
    ck_assert_int_eq(f.hcode[0], hdr_codes[_i].code);
    if (hdr_codes[_i].code == 0) {
        /* An unknown name is sent as a string, spelled as given. */
        ck_assert_str_eq(f.hname[0], hdr_codes[_i].name);
    }
    else {
        ck_assert_int_eq(strcasecmp(f.hname[0], hdr_codes[_i].name), 0);
    }
    ck_assert_str_eq(f.hval[0], "v");
}
END_TEST

/* Values go out with their real length: an embedded NUL is kept (T-R4). */
START_TEST(test_header_value_exact)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h[] = {
        { "X-N", "a\0b\r", 4 },
        { "X-E", NULL, 0 },
        { "X-T", "abcdef", 2 },
    };
    fr_t f;

    base_req(&r);
    r.headers = h;
    r.num_headers = 3;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    decode(m, &f);
    ck_assert_uint_eq(f.hlen[0], 4);
    ck_assert_mem_eq(f.hval[0], "a\0b\r", 4);
    ck_assert_uint_eq(f.hlen[1], 0);
    ck_assert_str_eq(f.hval[1], "");
    ck_assert_uint_eq(f.hlen[2], 2);
    ck_assert_str_eq(f.hval[2], "ab");
}
END_TEST

/* Header name/value sizes at and past every limit: nothing wraps at 16
 * bits (T-R2), too big for the packet is a 413 (T-R1). */
static const struct {
    apr_size_t name_len, value_len, packet;
    apr_status_t rv;
} hdr_limits[] = {
    { 0x9FFF, 1, 65536, APR_SUCCESS },        /* longest name there is */
    { 0xA000, 1, 65536, AJPLB_EBADREQHDR },   /* would read as a code */
    { 0xA0FF, 1, 65536, AJPLB_EBADREQHDR },
    { 0x10001, 1, 65536, AJPLB_EBADREQHDR },
    { 3, 0xFFFF, 65536, AJPLB_ETOOBIG },      /* would read as null */
    { 3, 0x10005, 65536, AJPLB_ETOOBIG },     /* would wrap to 5 */
    { 3, 60000, 65536, APR_SUCCESS },
    { 3, 8100, 8192, AJPLB_ETOOBIG },
    { 3, 8100, 16384, APR_SUCCESS },
    { 9000, 1, 8192, AJPLB_ETOOBIG },
};

START_TEST(test_header_limits)
{
    ajplb_msg_t *m = new_msg(hdr_limits[_i].packet);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h;
    char *name = apr_palloc(ajplb_test_pool, hdr_limits[_i].name_len + 1);
    char *value = apr_palloc(ajplb_test_pool, hdr_limits[_i].value_len);
    fr_t f;

    memset(name, 'n', hdr_limits[_i].name_len);
    name[hdr_limits[_i].name_len] = '\0';
    memset(value, 'v', hdr_limits[_i].value_len);
    h.name = name;
    h.value = value;
    h.value_len = hdr_limits[_i].value_len;
    base_req(&r);
    r.headers = &h;
    r.num_headers = 1;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), hdr_limits[_i].rv);
    if (hdr_limits[_i].rv == APR_SUCCESS) {
        ck_assert_uint_le(m->len, hdr_limits[_i].packet);
        /* Name string and value string lengths as sent. */
        ck_assert_int_eq(ajplb_ajp_req_header_code(name), 0);
        decode(m, &f);
        ck_assert_uint_eq(strlen(f.hname[0]), hdr_limits[_i].name_len);
        ck_assert_uint_eq(f.hlen[0], hdr_limits[_i].value_len);
    }
    else {
        ck_assert_uint_eq(m->len, 4);
    }
}
END_TEST

static const ajplb_ajp_header_t bad_headers[] = {
    { NULL, "v", 1 },
    { "", "v", 1 },
    { "X", NULL, 3 },
};

/* The module never sends an empty or null header name (T-B8c). */
START_TEST(test_header_bad)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h[2] = { { "Host", "a", 1 }, bad_headers[_i] };

    base_req(&r);
    r.headers = h;
    r.num_headers = 2;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), AJPLB_EBADREQHDR);
}
END_TEST

/* T-R3: a count that 16 bits cannot hold is refused, not wrapped to 0..; and a
 * count that just does not fit the packet is a 413 as well. */
static const struct {
    apr_size_t count, packet;
    apr_status_t rv;
} hdr_counts[] = {
    { 65536, 65536, AJPLB_ETOOBIG },
    { 65537, 65536, AJPLB_ETOOBIG },
    { 2000, 8192, AJPLB_ETOOBIG },
    { 1000, 65536, APR_SUCCESS },
};

START_TEST(test_header_count)
{
    ajplb_msg_t *m = new_msg(hdr_counts[_i].packet);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t *h;
    apr_size_t i;

    h = apr_palloc(ajplb_test_pool, hdr_counts[_i].count * sizeof(*h));
    for (i = 0; i < hdr_counts[_i].count; i++) {
        h[i].name = "X-H";
        h[i].value = "v";
        h[i].value_len = 1;
    }
    base_req(&r);
    r.headers = h;
    r.num_headers = hdr_counts[_i].count;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), hdr_counts[_i].rv);
    if (hdr_counts[_i].rv == APR_SUCCESS) {
        /* Count offset in the base request: header 4, type and method 2,
         * protocol 11, uri 9, remote_addr 11, null host 2, server_name 6,
         * port 2, is_ssl 1. */
        ck_assert_int_eq((m->buf[48] << 8) | m->buf[49],
                         (int)hdr_counts[_i].count);
    }
}
END_TEST

/* The packet may be filled to the last byte, and one more is a 413 (T-R1). */
static const apr_size_t fit_sizes[] = { 8192, 12345, 65536 };

START_TEST(test_exact_fit)
{
    apr_size_t size = fit_sizes[_i];
    ajplb_msg_t *m = new_msg(size);
    ajplb_ajp_request_t r;
    ajplb_ajp_header_t h = { "X-Fill", NULL, 0 };
    char *value = apr_pcalloc(ajplb_test_pool, size);
    apr_size_t base;

    memset(value, 'f', size - 1);
    h.value = value;
    base_req(&r);
    r.headers = &h;
    r.num_headers = 1;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    base = m->len;
    h.value_len = size - base;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    ck_assert_uint_eq(m->len, size);
    ck_assert_int_eq((m->buf[2] << 8) | m->buf[3], (int)size - 4);
    h.value_len++;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), AJPLB_ETOOBIG);
    ck_assert_uint_eq(m->len, 4);
}
END_TEST

/* Any long field (not only headers) that does not fit is a 413. */
START_TEST(test_long_fields_too_big)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    char *big = apr_pcalloc(ajplb_test_pool, 9000);
    const char **fields[] = {
        &r.uri, &r.query_string, &r.ssl_cert, &r.secret, &r.route
    };

    memset(big, 'u', 8999);
    base_req(&r);
    *fields[_i] = big;
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), AJPLB_ETOOBIG);
}
END_TEST

/* Required fields and impossible values are caller bugs. */
START_TEST(test_invalid_request)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;

    base_req(&r);
    switch (_i) {
    case 0: r.method = NULL; break;
    case 1: r.protocol = NULL; break;
    case 2: r.uri = NULL; break;
    case 3: r.remote_addr = NULL; break;
    case 4: r.server_name = NULL; break;
    case 5: r.ssl_key_size = 65536; break;
    case 6: r.num_headers = 1; break;
    case 7: r.num_attrs = 1; break;
    }
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_EINVAL);
}
END_TEST

START_TEST(test_key_size_int16)
{
    ajplb_msg_t *m = new_msg(8192);
    ajplb_ajp_request_t r;
    fr_t f;
    static const int sizes[] = { 1, 128, 255, 256, 65535 };

    base_req(&r);
    r.ssl_key_size = sizes[_i];
    ck_assert_int_eq(ajplb_ajp_forward_request(m, &r), APR_SUCCESS);
    decode(m, &f);
    ck_assert_int_eq(f.acode[0], 0x0B);
    ck_assert_int_eq(f.keysize, sizes[_i]);
}
END_TEST

/* ------------------------------------------------------ body, cping --- */

START_TEST(test_body_golden)
{
    ajplb_msg_t *m = new_msg(8192);

    ck_assert_int_eq(ajplb_ajp_body_packet(m, "abc", 3), APR_SUCCESS);
    assert_packet(m, "12 34 00 05 00 03 61 62 63");
    ck_assert_int_eq(ajplb_ajp_body_packet(m, "\0\1", 2), APR_SUCCESS);
    assert_packet(m, "12 34 00 04 00 02 00 01");
    ck_assert_int_eq(ajplb_ajp_body_packet(m, NULL, 0), APR_SUCCESS);
    assert_packet(m, "12 34 00 00");
    ajplb_ajp_end_of_body(m);
    assert_packet(m, "12 34 00 00");
    ajplb_ajp_cping(m);
    assert_packet(m, "12 34 00 01 0a");
}
END_TEST

static const struct {
    apr_size_t packet, len;
    apr_status_t rv;
} body_limits[] = {
    { 8192, 8186, APR_SUCCESS },
    { 8192, 8187, AJPLB_ETOOBIG },
    { 65536, 65530, APR_SUCCESS },
    { 65536, 65531, AJPLB_ETOOBIG },
    { 16384, 16378, APR_SUCCESS },
};

START_TEST(test_body_limits)
{
    ajplb_msg_t *m = new_msg(body_limits[_i].packet);
    apr_size_t len = body_limits[_i].len;
    char *data = apr_palloc(ajplb_test_pool, len);

    memset(data, 'b', len);
    ck_assert_int_eq(ajplb_ajp_body_packet(m, data, len),
                     body_limits[_i].rv);
    if (body_limits[_i].rv == APR_SUCCESS) {
        ck_assert_uint_eq(m->len, len + 6);
        ck_assert_int_eq((m->buf[2] << 8) | m->buf[3], (int)len + 2);
        ck_assert_int_eq((m->buf[4] << 8) | m->buf[5], (int)len);
        ck_assert_mem_eq(m->buf + 6, data, len);
    }
}
END_TEST

START_TEST(test_body_zero_copy)
{
    ajplb_msg_t *m = new_msg(8192);
    apr_byte_t *space;
    apr_size_t room;

    ajplb_ajp_body_space(m, &space, &room);
    ck_assert_uint_eq(room, 8186);
    ck_assert_ptr_eq(space, m->buf + 6);
    memcpy(space, "hello", 5);
    ck_assert_int_eq(ajplb_ajp_body_commit(m, 5), APR_SUCCESS);
    assert_packet(m, "12 34 00 07 00 05 68 65 6c 6c 6f");
    ajplb_ajp_body_space(m, &space, &room);
    ck_assert_int_eq(ajplb_ajp_body_commit(m, room + 1), AJPLB_ETOOBIG);
    ajplb_ajp_body_space(m, &space, &room);
    ck_assert_int_eq(ajplb_ajp_body_commit(m, 0), APR_SUCCESS);
    assert_packet(m, "12 34 00 00");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ajp_request");
    TCase *tc;

    tc = ajplb_test_tcase("golden");
    tcase_add_test(tc, test_golden_minimal);
    tcase_add_test(tc, test_golden_all_attributes);
    tcase_add_test(tc, test_decode_all_attributes);
    tcase_add_test(tc, test_decode_defaults);
    tcase_add_loop_test(tc, test_key_size_int16, 0, 5);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("methods");
    tcase_add_loop_test(tc, test_method_codes, 0, NELTS(methods) - 1);
    tcase_add_loop_test(tc, test_method_stored, 0, NELTS(stored_methods));
    tcase_add_loop_test(tc, test_method_bad, 0, NELTS(bad_methods));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("headers");
    tcase_add_loop_test(tc, test_header_codes, 0, NELTS(hdr_codes));
    tcase_add_test(tc, test_header_value_exact);
    tcase_add_loop_test(tc, test_header_limits, 0, NELTS(hdr_limits));
    tcase_add_loop_test(tc, test_header_bad, 0, NELTS(bad_headers));
    tcase_add_loop_test(tc, test_header_count, 0, NELTS(hdr_counts));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("limits");
    tcase_add_loop_test(tc, test_exact_fit, 0, NELTS(fit_sizes));
    tcase_add_loop_test(tc, test_long_fields_too_big, 0, 5);
    tcase_add_loop_test(tc, test_invalid_request, 0, 8);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("body");
    tcase_add_test(tc, test_body_golden);
    tcase_add_loop_test(tc, test_body_limits, 0, NELTS(body_limits));
    tcase_add_test(tc, test_body_zero_copy);
    suite_add_tcase(s, tc);

    return ajplb_test_run(s);
}
