/*
 * check_ajp_msg.c -- unit tests for the AJP13 packet buffer: sizes, typed
 * append/get round trips, overflow at every type, malformed strings, the
 * request header bytes and the reply header check.
 */
#include <string.h>

#include "ajplb_ajp_msg.h"
#include "test_util.h"

static ajplb_msg_t *new_msg(apr_size_t size)
{
    ajplb_msg_t *m = NULL;

    ck_assert_int_eq(ajplb_msg_create(ajplb_test_pool, size, &m),
                     APR_SUCCESS);
    return m;
}

/* Put @a hex as the payload of @a m, ready to read. */
static void set_payload(ajplb_msg_t *m, const char *hex)
{
    apr_size_t n;
    unsigned char *b = ajplb_test_hex(hex, &n);

    ck_assert_uint_le(n + 4, m->max_size);
    memcpy(m->buf + 4, b, n);
    m->len = 4 + n;
    m->pos = 4;
}

/* The whole packet of @a m must equal @a hex. */
static void assert_packet(const ajplb_msg_t *m, const char *hex)
{
    apr_size_t n;
    unsigned char *b = ajplb_test_hex(hex, &n);

    ck_assert_uint_eq(m->len, n);
    ck_assert_mem_eq(m->buf, b, n);
}

/* ------------------------------------------------------------ sizes --- */

static const struct {
    apr_size_t size;
    apr_status_t rv;
} size_cases[] = {
    { 0, AJPLB_EPKTSIZE },
    { 4, AJPLB_EPKTSIZE },
    { 8191, AJPLB_EPKTSIZE },
    { 8192, APR_SUCCESS },
    { 8193, APR_SUCCESS },
    { 16384, APR_SUCCESS },
    { 65535, APR_SUCCESS },
    { 65536, APR_SUCCESS },
    { 65537, AJPLB_EPKTSIZE },
    { 1 << 20, AJPLB_EPKTSIZE },
};

START_TEST(test_create_sizes)
{
    ajplb_msg_t *m = NULL;
    apr_status_t rv = ajplb_msg_create(ajplb_test_pool, size_cases[_i].size,
                                       &m);

    ck_assert_int_eq(rv, size_cases[_i].rv);
    ck_assert_int_eq(ajplb_msg_size_is_valid(size_cases[_i].size),
                     rv == APR_SUCCESS);
    if (rv == APR_SUCCESS) {
        ck_assert_uint_eq(m->max_size, size_cases[_i].size);
        ck_assert_uint_eq(m->len, 4);
        ck_assert_uint_eq(m->pos, 4);
        /* The whole buffer must be writable (ASan checks the bound). */
        memset(m->buf, 0xAB, m->max_size);
    }
}
END_TEST

/* -------------------------------------------------------- appending --- */

START_TEST(test_append_golden)
{
    ajplb_msg_t *m = new_msg(8192);

    ck_assert_int_eq(ajplb_msg_append_uint8(m, 0x02), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_uint16(m, 0x1234), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_bool(m, 5), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_bool(m, 0), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_cstring(m, "abc"), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_cstring(m, NULL), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_cstring(m, ""), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_string(m, "a\0b", 3), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_bytes(m, "xy", 2), APR_SUCCESS);
    ck_assert_int_eq(ajplb_msg_append_bytes(m, NULL, 0), APR_SUCCESS);
    ajplb_msg_end(m);
    assert_packet(m, "12 34 00 18  02  12 34  01  00  00 03 61 62 63 00"
                     "  ff ff  00 00 00  00 03 61 00 62 00  78 79");
    ck_assert_uint_eq(ajplb_msg_payload_len(m), 0x18);
}
END_TEST

START_TEST(test_end_empty_and_full)
{
    ajplb_msg_t *m = new_msg(65536);
    static char big[65532];

    ajplb_msg_end(m);
    assert_packet(m, "12 34 00 00");
    ck_assert_int_eq(ajplb_msg_append_bytes(m, big, sizeof(big)),
                     APR_SUCCESS);
    ajplb_msg_end(m);
    ck_assert_uint_eq(m->len, 65536);
    ck_assert_int_eq(m->buf[2], 0xFF);
    ck_assert_int_eq(m->buf[3], 0xFC);
    ck_assert_int_eq(ajplb_msg_append_uint8(m, 1), AJPLB_EOVERFLOW);
    ajplb_msg_reset(m);
    ck_assert_uint_eq(m->len, 4);
}
END_TEST

/* Each append at a given free space: fits exactly, or overflows by one
 * and then changes nothing. */
enum { AP_U8, AP_U16, AP_BOOL, AP_STR, AP_NULLSTR, AP_EMPTYSTR, AP_BYTES };

static const struct {
    int kind;
    apr_size_t room;
    apr_status_t rv;
} overflow_cases[] = {
    { AP_U8, 0, AJPLB_EOVERFLOW },    { AP_U8, 1, APR_SUCCESS },
    { AP_U16, 1, AJPLB_EOVERFLOW },   { AP_U16, 2, APR_SUCCESS },
    { AP_BOOL, 0, AJPLB_EOVERFLOW },  { AP_BOOL, 1, APR_SUCCESS },
    { AP_STR, 4, AJPLB_EOVERFLOW },   { AP_STR, 5, APR_SUCCESS },
    { AP_STR, 0, AJPLB_EOVERFLOW },
    { AP_NULLSTR, 1, AJPLB_EOVERFLOW }, { AP_NULLSTR, 2, APR_SUCCESS },
    { AP_EMPTYSTR, 2, AJPLB_EOVERFLOW }, { AP_EMPTYSTR, 3, APR_SUCCESS },
    { AP_BYTES, 9, AJPLB_EOVERFLOW }, { AP_BYTES, 10, APR_SUCCESS },
};

START_TEST(test_append_overflow)
{
    ajplb_msg_t *m = new_msg(8192);
    apr_size_t before;
    apr_status_t rv = APR_SUCCESS;

    m->len = m->max_size - overflow_cases[_i].room;
    before = m->len;
    switch (overflow_cases[_i].kind) {
    case AP_U8:
        rv = ajplb_msg_append_uint8(m, 7);
        break;
    case AP_U16:
        rv = ajplb_msg_append_uint16(m, 7);
        break;
    case AP_BOOL:
        rv = ajplb_msg_append_bool(m, 1);
        break;
    case AP_STR:
        rv = ajplb_msg_append_cstring(m, "ab");
        break;
    case AP_NULLSTR:
        rv = ajplb_msg_append_cstring(m, NULL);
        break;
    case AP_EMPTYSTR:
        rv = ajplb_msg_append_cstring(m, "");
        break;
    case AP_BYTES:
        rv = ajplb_msg_append_bytes(m, "0123456789", 10);
        break;
    }
    ck_assert_int_eq(rv, overflow_cases[_i].rv);
    if (rv == APR_SUCCESS) {
        ck_assert_uint_eq(m->len, m->max_size);
    }
    else {
        ck_assert_uint_eq(m->len, before);
    }
}
END_TEST

/* A length that 16 bits cannot hold is refused, never wrapped (T-R2). */
static const apr_size_t wrap_lens[] = { 0xFFFF, 0x10000, 0x10003 };

START_TEST(test_append_string_no_wrap)
{
    ajplb_msg_t *m = new_msg(65536);
    char *big = apr_pcalloc(ajplb_test_pool, 0x10004);

    ck_assert_int_eq(ajplb_msg_append_string(m, big, wrap_lens[_i]),
                     AJPLB_EOVERFLOW);
    ck_assert_uint_eq(m->len, 4);
}
END_TEST

/* ---------------------------------------------------------- getting --- */

START_TEST(test_get_roundtrip)
{
    ajplb_msg_t *m = new_msg(8192);
    apr_byte_t b;
    apr_uint16_t u;
    int flag;
    const char *s;
    apr_size_t n;
    const apr_byte_t *raw;

    set_payload(m, "05 ab cd 01 00 00 03 61 62 63 00 ff ff 00 00 00"
                   " 00 03 61 00 62 00 01 02 03");
    ck_assert_int_eq(ajplb_msg_get_uint8(m, &b), APR_SUCCESS);
    ck_assert_int_eq(b, 5);
    ck_assert_int_eq(ajplb_msg_get_uint16(m, &u), APR_SUCCESS);
    ck_assert_int_eq(u, 0xABCD);
    ck_assert_int_eq(ajplb_msg_get_bool(m, &flag), APR_SUCCESS);
    ck_assert_int_eq(flag, 1);
    ck_assert_int_eq(ajplb_msg_get_bool(m, &flag), APR_SUCCESS);
    ck_assert_int_eq(flag, 0);
    ck_assert_int_eq(ajplb_msg_get_string(m, &s, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(s, "abc");
    ck_assert_int_eq(ajplb_msg_get_string(m, &s, &n), APR_SUCCESS);
    ck_assert_ptr_null(s);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ajplb_msg_get_string(m, &s, &n), APR_SUCCESS);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(ajplb_msg_get_string(m, &s, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(s, "a\0b", 3);
    ck_assert_int_eq(ajplb_msg_get_bytes(m, 3, &raw), APR_SUCCESS);
    ck_assert_mem_eq(raw, "\1\2\3", 3);
    ck_assert_uint_eq(ajplb_msg_remaining(m), 0);
    ck_assert_int_eq(ajplb_msg_get_uint8(m, &b), AJPLB_EOVERFLOW);
}
END_TEST

START_TEST(test_peek_keeps_pos)
{
    ajplb_msg_t *m = new_msg(8192);
    apr_byte_t b;
    apr_uint16_t u;

    set_payload(m, "a0 0b");
    ck_assert_int_eq(ajplb_msg_peek_uint16(m, &u), APR_SUCCESS);
    ck_assert_int_eq(u, 0xA00B);
    ck_assert_int_eq(ajplb_msg_peek_uint8(m, &b), APR_SUCCESS);
    ck_assert_int_eq(b, 0xA0);
    ck_assert_uint_eq(m->pos, 4);
    ajplb_msg_rewind(m);
    ck_assert_uint_eq(ajplb_msg_remaining(m), 2);
}
END_TEST

/* Reads of each type past the end of the payload, and malformed strings;
 * pos must not move on failure. */
enum { GT_U8, GT_U16, GT_BOOL, GT_P8, GT_P16, GT_STR, GT_BYTES4 };

static const struct {
    const char *payload;
    int kind;
    apr_status_t rv;
} get_cases[] = {
    { "", GT_U8, AJPLB_EOVERFLOW },
    { "", GT_BOOL, AJPLB_EOVERFLOW },
    { "", GT_P8, AJPLB_EOVERFLOW },
    { "01", GT_U16, AJPLB_EOVERFLOW },
    { "01", GT_P16, AJPLB_EOVERFLOW },
    { "", GT_STR, AJPLB_EOVERFLOW },
    { "00", GT_STR, AJPLB_EOVERFLOW },
    { "00 05 61 62 63", GT_STR, AJPLB_EBADSTR },         /* past the end */
    { "00 03 61 62 63", GT_STR, AJPLB_EBADSTR },         /* no NUL at all */
    { "00 03 61 62 63 78", GT_STR, AJPLB_EBADSTR },      /* NUL is 'x' */
    { "00 00", GT_STR, AJPLB_EBADSTR },                  /* empty, no NUL */
    { "ff fe 00", GT_STR, AJPLB_EBADSTR },               /* huge length */
    { "01 02 03", GT_BYTES4, AJPLB_EOVERFLOW },
    { "00 03 61 62 63 00", GT_STR, APR_SUCCESS },
    { "01 02 03 04", GT_BYTES4, APR_SUCCESS },
};

/* Every getter refuses a field the message ends short of (T-B4), and
 * strings past the end or without their NUL (T-B5). */
START_TEST(test_get_bounds)
{
    ajplb_msg_t *m = new_msg(8192);
    apr_byte_t b;
    apr_uint16_t u;
    int flag;
    const char *s;
    apr_size_t n;
    const apr_byte_t *raw;
    apr_status_t rv = APR_SUCCESS;

    set_payload(m, get_cases[_i].payload);
    /* Bytes after len must never be looked at: make them plausible. */
    memset(m->buf + m->len, 0, 8);
    switch (get_cases[_i].kind) {
    case GT_U8:
        rv = ajplb_msg_get_uint8(m, &b);
        break;
    case GT_U16:
        rv = ajplb_msg_get_uint16(m, &u);
        break;
    case GT_BOOL:
        rv = ajplb_msg_get_bool(m, &flag);
        break;
    case GT_P8:
        rv = ajplb_msg_peek_uint8(m, &b);
        break;
    case GT_P16:
        rv = ajplb_msg_peek_uint16(m, &u);
        break;
    case GT_STR:
        rv = ajplb_msg_get_string(m, &s, &n);
        break;
    case GT_BYTES4:
        rv = ajplb_msg_get_bytes(m, 4, &raw);
        break;
    }
    ck_assert_int_eq(rv, get_cases[_i].rv);
    if (rv != APR_SUCCESS) {
        ck_assert_uint_eq(m->pos, 4);
    }
    else {
        ck_assert_uint_eq(m->pos, m->len);
    }
}
END_TEST

/* -------------------------------------------------- reply header check --- */

/* Lengths past max_packet_size and bad magic, from the header alone
 * (T-B1, T-B2). */

static const struct {
    const char *hex;
    apr_size_t max;
    apr_status_t rv;
    apr_size_t plen;
} hdr_cases[] = {
    { "41 42 00 01", 8192, APR_SUCCESS, 1 },
    { "41 42 1f fc", 8192, APR_SUCCESS, 8188 },
    { "41 42 1f fd", 8192, AJPLB_EBADLEN, 0 },
    { "41 42 ff ff", 8192, AJPLB_EBADLEN, 0 },
    { "41 42 ff fc", 65536, APR_SUCCESS, 65532 },
    { "41 42 ff fd", 65536, AJPLB_EBADLEN, 0 },
    { "41 42 00 00", 8192, AJPLB_EEMPTY, 0 },
    { "12 34 00 01", 8192, AJPLB_EBADMAGIC, 0 },
    { "42 41 00 01", 8192, AJPLB_EBADMAGIC, 0 },
    { "41 43 00 01", 8192, AJPLB_EBADMAGIC, 0 },
    { "48 54 54 50", 8192, AJPLB_EBADMAGIC, 0 },
    { "00 00 00 00", 8192, AJPLB_EBADMAGIC, 0 },
};

START_TEST(test_reply_header)
{
    apr_size_t n, plen = 12345;
    unsigned char *h = ajplb_test_hex(hdr_cases[_i].hex, &n);
    apr_status_t rv = ajplb_msg_check_reply_header(h, hdr_cases[_i].max,
                                                   &plen);

    ck_assert_int_eq(rv, hdr_cases[_i].rv);
    if (rv == APR_SUCCESS) {
        ck_assert_uint_eq(plen, hdr_cases[_i].plen);
    }
}
END_TEST

#define NELTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
    Suite *s = suite_create("ajp_msg");
    TCase *tc;

    tc = ajplb_test_tcase("sizes");
    tcase_add_loop_test(tc, test_create_sizes, 0, NELTS(size_cases));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("append");
    tcase_add_test(tc, test_append_golden);
    tcase_add_test(tc, test_end_empty_and_full);
    tcase_add_loop_test(tc, test_append_overflow, 0, NELTS(overflow_cases));
    tcase_add_loop_test(tc, test_append_string_no_wrap, 0,
                        NELTS(wrap_lens));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("get");
    tcase_add_test(tc, test_get_roundtrip);
    tcase_add_test(tc, test_peek_keeps_pos);
    tcase_add_loop_test(tc, test_get_bounds, 0, NELTS(get_cases));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("reply_header");
    tcase_add_loop_test(tc, test_reply_header, 0, NELTS(hdr_cases));
    suite_add_tcase(s, tc);

    return ajplb_test_run(s);
}
