/*
 * check_ajp_reply.c -- unit tests for the incremental AJP13 reply parser:
 * golden replies fed whole, byte by byte, at every split and zero-copy,
 * truncated at every offset, and every malformed form with its own code.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_ajp.h"
#include "test_util.h"

#define NELTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Reply specs: packets separated by '|'.  A packet is its payload in hex;
 * the 'A' 'B' + length header is added.  A segment starting with '!' is
 * taken as raw bytes, header and all, for framing errors. */
static unsigned char *build(const char *spec, apr_size_t *len)
{
    char *copy = apr_pstrdup(ajplb_test_pool, spec);
    unsigned char *out = apr_palloc(ajplb_test_pool, strlen(spec) + 8);
    apr_size_t n = 0;
    char *seg, *last;

    for (seg = apr_strtok(copy, "|", &last); seg != NULL;
         seg = apr_strtok(NULL, "|", &last)) {
        apr_size_t k;
        unsigned char *b;

        while (*seg == ' ') {
            seg++;
        }
        if (*seg == '!') {
            b = ajplb_test_hex(seg + 1, &k);
        }
        else {
            b = ajplb_test_hex(seg, &k);
            out[n++] = 'A';
            out[n++] = 'B';
            out[n++] = (unsigned char)(k >> 8);
            out[n++] = (unsigned char)(k & 0xFF);
        }
        memcpy(out + n, b, k);
        n += k;
    }
    *len = n;
    return out;
}

static ajplb_ajp_reply_t *new_parser(apr_size_t size,
                                     ajplb_ajp_expect_t expect)
{
    ajplb_ajp_reply_t *rp = NULL;

    ck_assert_int_eq(ajplb_ajp_reply_create(ajplb_test_pool, size, &rp),
                     APR_SUCCESS);
    ajplb_ajp_reply_reset(rp, expect);
    return rp;
}

/* One event as text, headers included, so runs can be compared. */
static char *event_text(ajplb_ajp_reply_t *rp, const ajplb_ajp_event_t *ev)
{
    ajplb_ajp_res_header_t h;
    char *t;
    apr_size_t i;

    switch (ev->type) {
    case AJPLB_AJP_EV_SEND_HEADERS:
        t = apr_psprintf(ajplb_test_pool, "H%d:%s:%lu", ev->status,
                         ev->reason ? ev->reason : "(null)",
                         (unsigned long)ev->num_headers);
        i = 0;
        while (ajplb_ajp_reply_next_header(rp, &h) == APR_SUCCESS) {
            ck_assert_uint_eq(strlen(h.name), h.name_len);
            ck_assert_uint_eq(strlen(h.value), h.value_len);
            t = apr_psprintf(ajplb_test_pool, "%s[%x %s=%s]", t, h.code,
                             h.name, h.value);
            i++;
        }
        ck_assert_uint_eq(i, ev->num_headers);
        return apr_pstrcat(ajplb_test_pool, t, ";", NULL);
    case AJPLB_AJP_EV_BODY_CHUNK:
        if (ev->data_len == 0) {
            return "F;";
        }
        t = apr_psprintf(ajplb_test_pool, "B%lu:", (unsigned long)ev->data_len);
        if (ev->data_len <= 16) {
            t = apr_pstrcat(ajplb_test_pool, t,
                            apr_pstrmemdup(ajplb_test_pool,
                                           (const char *)ev->data,
                                           ev->data_len), ";", NULL);
        }
        else {
            unsigned long sum = 0;
            for (i = 0; i < ev->data_len; i++) {
                sum = sum * 31 + ev->data[i];
            }
            t = apr_psprintf(ajplb_test_pool, "%s#%lx;", t, sum);
        }
        return t;
    case AJPLB_AJP_EV_GET_BODY:
        return apr_psprintf(ajplb_test_pool, "G%lu;",
                            (unsigned long)ev->get_len);
    case AJPLB_AJP_EV_END_RESPONSE:
        return apr_psprintf(ajplb_test_pool, "E%d;", ev->reuse);
    case AJPLB_AJP_EV_CPONG:
        return "P;";
    default:
        return "";
    }
}

/* Drive the parser over @a data: step 0 feeds all at once, step k feeds k
 * bytes per call; zc uses the zero-copy pair with at most step bytes per
 * "recv".  The events go to *log; returns the first error, else the
 * finish() result when @a finish is set. */
static apr_status_t drive(ajplb_ajp_reply_t *rp, const unsigned char *data,
                          apr_size_t n, apr_size_t step, int zc, int finish,
                          char **log)
{
    ajplb_ajp_event_t ev;
    apr_size_t off = 0;
    apr_status_t rv = APR_SUCCESS;

    *log = "";
    if (step == 0) {
        step = n ? n : 1;
    }
    while (off < n) {
        if (zc) {
            void *space;
            apr_size_t room, k;

            rv = ajplb_ajp_reply_space(rp, &space, &room);
            if (rv != APR_SUCCESS) {
                return rv;
            }
            ck_assert_uint_gt(room, 0);
            k = AJPLB_MIN(AJPLB_MIN(room, step), n - off);
            memcpy(space, data + off, k);
            off += k;
            rv = ajplb_ajp_reply_commit(rp, k, &ev);
            if (rv != APR_SUCCESS) {
                return rv;
            }
            *log = apr_pstrcat(ajplb_test_pool, *log, event_text(rp, &ev),
                               NULL);
        }
        else {
            apr_size_t chunk = AJPLB_MIN(step, n - off);

            while (chunk > 0) {
                apr_size_t used = 0;

                rv = ajplb_ajp_reply_feed(rp, data + off, chunk, &used, &ev);
                ck_assert_uint_le(used, chunk);
                off += used;
                chunk -= used;
                if (rv != APR_SUCCESS) {
                    return rv;
                }
                ck_assert_msg(used > 0, "feed made no progress");
                *log = apr_pstrcat(ajplb_test_pool, *log,
                                   event_text(rp, &ev), NULL);
            }
        }
    }
    return finish ? ajplb_ajp_reply_finish(rp) : APR_SUCCESS;
}

/* ------------------------------------------------------ valid replies --- */

#define HDR200 "04 00 c8 00 00 00 00 00"     /* 200, reason "", 0 headers */

static const struct {
    const char *spec;
    ajplb_ajp_expect_t expect;
    const char *log;
} valid[] = {
    /* 0: the usual Tomcat response: coded header, chunk with NUL. */
    { "04 00 c8 00 02 4f 4b 00 00 01 a0 01 00 0a 74 65 78 74 2f 70 6c 61"
      " 69 6e 00 | 03 00 05 68 65 6c 6c 6f 00 | 05 01",
      AJPLB_AJP_EXPECT_RESPONSE,
      "H200:OK:1[a001 Content-Type=text/plain];B5:hello;E1;" },
    /* 1: named and coded headers, flush, chunk without NUL, no reuse. */
    { "04 01 f4 00 03 35 30 30 00 00 03 a0 07 00 03 61 3d 62 00"
      " 00 03 58 2d 41 00 00 00 00 a0 0b 00 05 42 61 73 69 63 00"
      " | 03 00 00 00 | 03 00 00 | 03 00 02 68 69 | 05 00",
      AJPLB_AJP_EXPECT_RESPONSE,
      "H500:500:3[a007 Set-Cookie=a=b][0 X-A=][a00b WWW-Authenticate=Basic]"
      ";F;F;B2:hi;E0;" },
    /* 2: GET_BODY_CHUNK before and after the headers. */
    { "06 1f fa | 06 00 10 | " HDR200 " | 06 ff ff | 05 01",
      AJPLB_AJP_EXPECT_RESPONSE,
      "G8186;G16;H200::0;G8186;E1;" },
    /* 3: null reason, status bounds 200 and 599 are fine (T-B7). */
    { "04 00 c8 ff ff 00 00 | 05 01", AJPLB_AJP_EXPECT_RESPONSE,
      "H200:(null):0;E1;" },
    { "04 02 57 00 00 00 00 00 | 05 01", AJPLB_AJP_EXPECT_RESPONSE,
      "H599::0;E1;" },
    /* 5: every response header code, reuse byte 2 does not mean reuse. */
    { "04 01 30 00 00 00 00 0b a0 01 00 00 00 a0 02 00 00 00"
      " a0 03 00 01 30 00 a0 04 00 00 00 a0 05 00 00 00 a0 06 00 01 2f 00"
      " a0 07 00 00 00 a0 08 00 00 00 a0 09 00 00 00 a0 0a 00 00 00"
      " a0 0b 00 00 00 | 05 02",
      AJPLB_AJP_EXPECT_RESPONSE,
      "H304::11[a001 Content-Type=][a002 Content-Language=]"
      "[a003 Content-Length=0][a004 Date=][a005 Last-Modified=]"
      "[a006 Location=/][a007 Set-Cookie=][a008 Set-Cookie2=]"
      "[a009 Servlet-Engine=][a00a Status=][a00b WWW-Authenticate=];E0;" },
    /* 6: tab and high bytes are allowed in values. */
    { "04 00 c8 00 00 00 00 01 00 01 58 00 00 03 61 09 ff 00 | 05 01",
      AJPLB_AJP_EXPECT_RESPONSE, "H200::1[0 X=a\t\xff];E1;" },
    /* 7: a control byte other than CR, LF, NUL in the reason passes the
     * parser: the adapter drops such a phrase (T-B7). */
    { "04 00 c8 00 02 4f 01 00 00 00 | 05 01", AJPLB_AJP_EXPECT_RESPONSE,
      "H200:O\x01:0;E1;" },
    /* 8: CPONG. */
    { "09", AJPLB_AJP_EXPECT_CPONG, "P;" },
};

START_TEST(test_valid_all_at_once)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, valid[_i].expect);
    apr_size_t n;
    unsigned char *d = build(valid[_i].spec, &n);
    char *log;

    ck_assert_int_eq(drive(rp, d, n, 0, 0, 1, &log), APR_SUCCESS);
    ck_assert_str_eq(log, valid[_i].log);
    ck_assert_int_eq(ajplb_ajp_reply_is_done(rp), 1);
}
END_TEST

START_TEST(test_valid_byte_by_byte)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, valid[_i].expect);
    apr_size_t n;
    unsigned char *d = build(valid[_i].spec, &n);
    char *log;

    ck_assert_int_eq(drive(rp, d, n, 1, 0, 1, &log), APR_SUCCESS);
    ck_assert_str_eq(log, valid[_i].log);
}
END_TEST

START_TEST(test_valid_zero_copy)
{
    static const apr_size_t steps[] = { 1, 2, 3, 7, 65536 };
    apr_size_t n, s;
    unsigned char *d = build(valid[_i].spec, &n);
    char *log;

    for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
        ajplb_ajp_reply_t *rp = new_parser(8192, valid[_i].expect);

        ck_assert_int_eq(drive(rp, d, n, steps[s], 1, 1, &log), APR_SUCCESS);
        ck_assert_str_eq(log, valid[_i].log);
    }
}
END_TEST

/* Two feeds split at every offset give the same events. */
START_TEST(test_valid_every_split)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, valid[_i].expect);
    apr_size_t n, k;
    unsigned char *d = build(valid[_i].spec, &n);
    char *log1, *log2;

    for (k = 0; k <= n; k++) {
        ajplb_ajp_reply_reset(rp, valid[_i].expect);
        ck_assert_int_eq(drive(rp, d, k, 0, 0, 0, &log1), APR_SUCCESS);
        ck_assert_int_eq(drive(rp, d + k, n - k, 0, 0, 1, &log2),
                         APR_SUCCESS);
        ck_assert_str_eq(apr_pstrcat(ajplb_test_pool, log1, log2, NULL),
                         valid[_i].log);
    }
}
END_TEST

/* Cut at every offset: no error while bytes arrive, ETRUNC at the end
 * (T-B3 truncated packets, T-B4 SEND_HEADERS cut at every byte). */
START_TEST(test_valid_truncated)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, valid[_i].expect);
    apr_size_t n, k;
    unsigned char *d = build(valid[_i].spec, &n);
    char *log;

    for (k = 0; k < n; k++) {
        ajplb_ajp_reply_reset(rp, valid[_i].expect);
        ck_assert_int_eq(drive(rp, d, k, 1, 0, 0, &log), APR_SUCCESS);
        ck_assert_int_eq(ajplb_ajp_reply_is_done(rp), 0);
        ck_assert_int_eq(ajplb_ajp_reply_finish(rp), AJPLB_ETRUNC);
        /* The error sticks. */
        ck_assert_int_eq(ajplb_ajp_reply_finish(rp), AJPLB_ETRUNC);
    }
    ajplb_ajp_reply_reset(rp, valid[_i].expect);
    ck_assert_int_eq(drive(rp, d, n, 1, 0, 1, &log), APR_SUCCESS);
}
END_TEST

/* Any byte after the exchange is refused, and reset allows the next. */
START_TEST(test_valid_then_stray_byte)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, valid[_i].expect);
    apr_size_t n;
    unsigned char *d = build(valid[_i].spec, &n);
    unsigned char *more = apr_palloc(ajplb_test_pool, n + 1);
    char *log;
    apr_status_t want = valid[_i].expect == AJPLB_AJP_EXPECT_CPONG
                        ? AJPLB_EBADCPONG : AJPLB_EAFTEREND;

    memcpy(more, d, n);
    more[n] = 'A';
    ck_assert_int_eq(drive(rp, more, n + 1, 0, 0, 0, &log), want);
    ck_assert_str_eq(log, valid[_i].log);
    ajplb_ajp_reply_reset(rp, valid[_i].expect);
    ck_assert_int_eq(drive(rp, more, n + 1, 1, 1, 0, &log), want);
    ajplb_ajp_reply_reset(rp, valid[_i].expect);
    ck_assert_int_eq(drive(rp, d, n, 0, 0, 1, &log), APR_SUCCESS);
    ck_assert_str_eq(log, valid[_i].log);
}
END_TEST

/* --------------------------------------------------------- malformed --- */

static const struct {
    const char *spec;
    ajplb_ajp_expect_t expect;
    apr_status_t rv;
} bad[] = {
    /* framing (T-B1 bad magic, T-B2 too long, T-B4 zero length) */
    { "!12 34 00 01 09", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADMAGIC },
    { "!48 54 54 50 2f 31 2e 31 20 32 30 30", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADMAGIC },
    { HDR200 " | !41 43 00 02 05 01", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADMAGIC },
    { "!41 42 1f fd", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADLEN },
    { "!41 42 ff ff", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADLEN },
    { "!41 42 00 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EEMPTY },
    { HDR200 " | !41 42 00 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EEMPTY },
    /* status */
    { "04", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADSTATUS },
    { "04 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADSTATUS },
    { "04 00 00 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 00 63 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    /* T-B7: no interim (1xx) answer and nothing above 599. */
    { "04 00 64 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 00 65 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 00 c7 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 02 58 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 03 e7 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 03 e8 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    { "04 ff ff 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTATUS },
    /* reason (T-B5 strings past the end or without NUL, T-B8 CR LF NUL) */
    { "04 00 c8", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADSTR },
    { "04 00 c8 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADSTR },
    { "04 00 c8 00 05 41", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADSTR },
    { "04 00 c8 00 02 4f 4b 58 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    { "04 00 c8 00 02 4f 0d 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRVAL },
    { "04 00 c8 00 02 4f 0a 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRVAL },
    { "04 00 c8 00 02 00 4b 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRVAL },
    /* header count (T-B6) */
    { "04 00 c8 00 00 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRCOUNT },
    { "04 00 c8 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRCOUNT },
    { "04 00 c8 00 00 00 ff ff a0 01 00 01 61 00 a0 01 00 01 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRCOUNT },
    { "04 00 c8 00 00 00 00 02 a0 01 00 01 61 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRCOUNT },
    { "04 00 c8 00 00 00 00 02 a0 01 00 01 61 00 00 00 00 00 61",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 a0 01 00 01 61 00 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRCOUNT },
    { "04 00 c8 00 00 00 00 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRCOUNT },
    /* header codes (T-B6) */
    { "04 00 c8 00 00 00 00 01 a0 00 00 01 61 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRCODE },
    { "04 00 c8 00 00 00 00 01 a0 0c 00 01 61 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRCODE },
    { "04 00 c8 00 00 00 00 01 a0 ff 00 01 61 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADHDRCODE },
    /* header strings (T-B5) */
    { "04 00 c8 00 00 00 00 01 ff ff 00 01 61 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    { "04 00 c8 00 00 00 00 01 a0 01 ff ff 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    { "04 00 c8 00 00 00 00 01 a0 01 00 09 61 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    { "04 00 c8 00 00 00 00 01 00 01 58 01 00 01 61", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    { "04 00 c8 00 00 00 00 01 00 09 58 00 00 01 61", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    { "04 00 c8 00 00 00 00 01 a0 01 00 02 61 62 63", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADSTR },
    /* CR, LF, NUL, empty and non-token names (T-B8, T-B8c) */
    { "04 00 c8 00 00 00 00 01 a0 01 00 02 61 0a 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 a0 01 00 02 0d 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 a0 01 00 02 61 00 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 00 02 58 0d 00 00 01 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 00 02 58 00 00 00 01 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 00 00 00 00 01 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 00 02 58 3a 00 00 01 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    { "04 00 c8 00 00 00 00 01 00 02 58 20 00 00 01 61 00",
      AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADHDRVAL },
    /* order (T-B11 body first, T-B10 headers twice) */
    { "03 00 00 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBODYFIRST },
    { "03 00 01 61 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBODYFIRST },
    { "06 1f fa | 03 00 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBODYFIRST },
    { HDR200 " | " HDR200, AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EHDRTWICE },
    { HDR200 " | 03 00 00 | " HDR200, AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EHDRTWICE },
    { "05 01", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_ENOHEADERS },
    /* body chunks (T-B4b 1-3 byte chunks, T-B12 lengths off) */
    { HDR200 " | 03", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADCHUNK },
    { HDR200 " | 03 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADCHUNK },
    { HDR200 " | 03 00 05 61 62", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADCHUNK },
    { HDR200 " | 03 00 01 61 62 63", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADCHUNK },
    { HDR200 " | 03 00 01 61 62", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADCHUNK },
    { HDR200 " | 03 00 01 61 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADCHUNK },
    { HDR200 " | 03 ff ff 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADCHUNK },
    /* END_RESPONSE and GET_BODY_CHUNK (T-B15 no reuse byte, T-B14) */
    { HDR200 " | 05", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADREUSE },
    { HDR200 " | 05 01 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADREUSE },
    { "06", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADGETBODY },
    { "06 1f", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADGETBODY },
    { HDR200 " | 06 1f fa 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EBADGETBODY },
    /* after the end (T-B15) */
    { HDR200 " | 05 01 | 03 00 00", AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EAFTEREND },
    { HDR200 " | 05 01 | !00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EAFTEREND },
    { HDR200 " | 05 00 | " HDR200, AJPLB_AJP_EXPECT_RESPONSE,
      AJPLB_EAFTEREND },
    /* types (T-B17) */
    { "07", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "08", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "ff", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "01 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "02 02 00", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "09", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { "0a", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    { HDR200 " | 07", AJPLB_AJP_EXPECT_RESPONSE, AJPLB_EBADTYPE },
    /* CPING/CPONG (T-B16: garbage, stale packets, extra bytes) */
    { HDR200, AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "03", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "05", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "0a", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "09 00", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "09 | 09", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "09 | !41", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "03 00 00 | 09", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADCPONG },
    { "!48 54 54 50", AJPLB_AJP_EXPECT_CPONG, AJPLB_EBADMAGIC },
    { "!41 42 00 00", AJPLB_AJP_EXPECT_CPONG, AJPLB_EEMPTY },
};

START_TEST(test_bad_all_at_once)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, bad[_i].expect);
    apr_size_t n;
    unsigned char *d = build(bad[_i].spec, &n);
    char *log;

    ck_assert_int_eq(drive(rp, d, n, 0, 0, 1, &log), bad[_i].rv);
    /* The parser stays failed: more input and finish repeat the error. */
    ck_assert_int_eq(ajplb_ajp_reply_finish(rp), bad[_i].rv);
    ck_assert_int_eq(drive(rp, (const unsigned char *)"AB", 2, 0, 0, 0,
                           &log), bad[_i].rv);
}
END_TEST

START_TEST(test_bad_byte_by_byte)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, bad[_i].expect);
    apr_size_t n;
    unsigned char *d = build(bad[_i].spec, &n);
    char *log;

    ck_assert_int_eq(drive(rp, d, n, 1, 0, 1, &log), bad[_i].rv);
}
END_TEST

START_TEST(test_bad_zero_copy)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, bad[_i].expect);
    apr_size_t n;
    unsigned char *d = build(bad[_i].spec, &n);
    char *log;

    ck_assert_int_eq(drive(rp, d, n, 3, 1, 1, &log), bad[_i].rv);
    ajplb_ajp_reply_reset(rp, bad[_i].expect);
    ck_assert_int_eq(drive(rp, d, n, 1, 1, 1, &log), bad[_i].rv);
}
END_TEST

/* ----------------------------------------------------------- details --- */

/* EBADLEN comes from the 4 header bytes alone: no payload is read
 * (T-B2). */
static const apr_size_t badlen_sizes[] = { 8192, 16384, 65536 };

START_TEST(test_badlen_before_payload)
{
    apr_size_t max = badlen_sizes[_i];
    ajplb_ajp_reply_t *rp = new_parser(max, AJPLB_AJP_EXPECT_RESPONSE);
    unsigned char hdr[4];
    ajplb_ajp_event_t ev;
    apr_size_t used;
    void *space;
    apr_size_t room;

    hdr[0] = 'A';
    hdr[1] = 'B';
    hdr[2] = (unsigned char)((max - 3) >> 8);
    hdr[3] = (unsigned char)((max - 3) & 0xFF);
    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, hdr, 4, &used, &ev),
                     AJPLB_EBADLEN);
    ck_assert_uint_eq(used, 4);
    ck_assert_int_eq(ajplb_ajp_reply_space(rp, &space, &room),
                     AJPLB_EBADLEN);
    /* One less is the largest payload, and is accepted. */
    ajplb_ajp_reply_reset(rp, AJPLB_AJP_EXPECT_RESPONSE);
    hdr[3] = (unsigned char)((max - 4) & 0xFF);
    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, hdr, 4, &used, &ev),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_ajp_reply_space(rp, &space, &room), APR_SUCCESS);
    ck_assert_uint_eq(room, max - 4);
}
END_TEST

/* The largest body chunk Tomcat sends for a packet size, and one that is
 * too large for it. */
START_TEST(test_max_body_chunk)
{
    apr_size_t max = badlen_sizes[_i];
    ajplb_ajp_reply_t *rp = new_parser(max, AJPLB_AJP_EXPECT_RESPONSE);
    apr_size_t clen = max - 8, n, plen = clen + 4, k;
    unsigned char *d = apr_palloc(ajplb_test_pool, max + 64);
    unsigned char *h = build(HDR200, &n);
    ajplb_ajp_event_t ev;
    apr_size_t used;

    memcpy(d, h, n);
    d[n] = 'A';
    d[n + 1] = 'B';
    d[n + 2] = (unsigned char)(plen >> 8);
    d[n + 3] = (unsigned char)(plen & 0xFF);
    d[n + 4] = 3;
    d[n + 5] = (unsigned char)(clen >> 8);
    d[n + 6] = (unsigned char)(clen & 0xFF);
    for (k = 0; k < clen; k++) {
        d[n + 7 + k] = (unsigned char)k;
    }
    d[n + 7 + clen] = 0;
    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, d, n + 8 + clen, &used, &ev),
                     APR_SUCCESS);
    ck_assert_int_eq(ev.type, AJPLB_AJP_EV_SEND_HEADERS);
    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, d + used, n + 8 + clen - used,
                                          &used, &ev), APR_SUCCESS);
    ck_assert_int_eq(ev.type, AJPLB_AJP_EV_BODY_CHUNK);
    ck_assert_uint_eq(ev.data_len, clen);
    ck_assert_int_eq(ev.data[clen - 1], (unsigned char)(clen - 1));
    ck_assert_int_eq(ajplb_ajp_reply_finish(rp), AJPLB_ETRUNC);
}
END_TEST

/* The same reply on one connection, twice, with a reset between; and a
 * CPING exchange before it. */
START_TEST(test_reset_between_responses)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, AJPLB_AJP_EXPECT_CPONG);
    apr_size_t n, pn;
    unsigned char *d = build(valid[0].spec, &n);
    unsigned char *p = build("09", &pn);
    char *log;

    ck_assert_int_eq(drive(rp, p, pn, 0, 0, 1, &log), APR_SUCCESS);
    ck_assert_str_eq(log, "P;");
    ajplb_ajp_reply_reset(rp, AJPLB_AJP_EXPECT_RESPONSE);
    ck_assert_int_eq(drive(rp, d, n, 0, 0, 1, &log), APR_SUCCESS);
    ck_assert_str_eq(log, valid[0].log);
    /* Without a reset the next response is refused. */
    ck_assert_int_eq(drive(rp, d, n, 0, 0, 0, &log), AJPLB_EAFTEREND);
    ajplb_ajp_reply_reset(rp, AJPLB_AJP_EXPECT_RESPONSE);
    ck_assert_int_eq(drive(rp, d, n, 5, 1, 1, &log), APR_SUCCESS);
    ck_assert_str_eq(log, valid[0].log);
}
END_TEST

/* The zero-copy room never reaches into the next packet. */
START_TEST(test_space_is_bounded)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, AJPLB_AJP_EXPECT_RESPONSE);
    ajplb_ajp_event_t ev;
    void *space;
    apr_size_t room;

    ck_assert_int_eq(ajplb_ajp_reply_space(rp, &space, &room), APR_SUCCESS);
    ck_assert_uint_eq(room, 4);
    memcpy(space, "AB\0", 3);
    ck_assert_int_eq(ajplb_ajp_reply_commit(rp, 3, &ev), APR_SUCCESS);
    ck_assert_int_eq(ajplb_ajp_reply_space(rp, &space, &room), APR_SUCCESS);
    ck_assert_uint_eq(room, 1);
    memcpy(space, "\x02", 1);
    ck_assert_int_eq(ajplb_ajp_reply_commit(rp, 1, &ev), APR_SUCCESS);
    ck_assert_int_eq(ev.type, AJPLB_AJP_EV_NONE);
    ck_assert_int_eq(ajplb_ajp_reply_space(rp, &space, &room), APR_SUCCESS);
    ck_assert_uint_eq(room, 2);
    ck_assert_int_eq(ajplb_ajp_reply_commit(rp, 0, &ev), APR_SUCCESS);
    ck_assert_int_eq(ajplb_ajp_reply_commit(rp, 3, &ev), APR_EINVAL);
}
END_TEST

/* Header values point into the packet and are valid C strings; a second
 * next_header() pass is not possible and later feeds end the iteration. */
START_TEST(test_header_iteration)
{
    ajplb_ajp_reply_t *rp = new_parser(8192, AJPLB_AJP_EXPECT_RESPONSE);
    apr_size_t n, used;
    unsigned char *d = build(valid[1].spec, &n);
    ajplb_ajp_event_t ev;
    ajplb_ajp_res_header_t h;

    ck_assert_int_eq(ajplb_ajp_reply_next_header(rp, &h), APR_EOF);
    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, d, n, &used, &ev),
                     APR_SUCCESS);
    ck_assert_int_eq(ev.type, AJPLB_AJP_EV_SEND_HEADERS);
    ck_assert_int_eq(ev.status, 500);
    ck_assert_str_eq(ev.reason, "500");
    ck_assert_uint_eq(ev.reason_len, 3);
    ck_assert_int_eq(ajplb_ajp_reply_next_header(rp, &h), APR_SUCCESS);
    ck_assert_int_eq(h.code, 0xA007);
    ck_assert_str_eq(h.name, "Set-Cookie");
    ck_assert_str_eq(h.value, "a=b");
    ck_assert_int_eq(ajplb_ajp_reply_next_header(rp, &h), APR_SUCCESS);
    ck_assert_int_eq(h.code, 0);
    ck_assert_str_eq(h.name, "X-A");
    ck_assert_uint_eq(h.value_len, 0);
    ck_assert_int_eq(ajplb_ajp_reply_next_header(rp, &h), APR_SUCCESS);
    ck_assert_str_eq(h.name, "WWW-Authenticate");
    ck_assert_int_eq(ajplb_ajp_reply_next_header(rp, &h), APR_EOF);
    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, d + used, n - used, &used,
                                          &ev), APR_SUCCESS);
    ck_assert_int_eq(ev.type, AJPLB_AJP_EV_BODY_CHUNK);
    ck_assert_int_eq(ajplb_ajp_reply_next_header(rp, &h), APR_EOF);
}
END_TEST

/* GET_BODY_CHUNK lengths are clamped to what one body packet can carry. */
static const struct {
    apr_size_t max;
    const char *spec;
    apr_size_t want;
} get_cases[] = {
    { 8192, "06 00 00", 0 },
    { 8192, "06 1f fa", 8186 },
    { 8192, "06 1f fb", 8186 },
    { 8192, "06 ff ff", 8186 },
    { 65536, "06 ff fa", 65530 },
    { 65536, "06 ff ff", 65530 },
    { 16384, "06 10 00", 4096 },
};

START_TEST(test_get_body_clamp)
{
    ajplb_ajp_reply_t *rp = new_parser(get_cases[_i].max,
                                       AJPLB_AJP_EXPECT_RESPONSE);
    apr_size_t n, used;
    unsigned char *d = build(get_cases[_i].spec, &n);
    ajplb_ajp_event_t ev;

    ck_assert_int_eq(ajplb_ajp_reply_feed(rp, d, n, &used, &ev),
                     APR_SUCCESS);
    ck_assert_int_eq(ev.type, AJPLB_AJP_EV_GET_BODY);
    ck_assert_uint_eq(ev.get_len, get_cases[_i].want);
}
END_TEST

START_TEST(test_create_sizes)
{
    ajplb_ajp_reply_t *rp = NULL;

    ck_assert_int_eq(ajplb_ajp_reply_create(ajplb_test_pool, 4096, &rp),
                     AJPLB_EPKTSIZE);
    ck_assert_int_eq(ajplb_ajp_reply_create(ajplb_test_pool, 65537, &rp),
                     AJPLB_EPKTSIZE);
    ck_assert_int_eq(ajplb_ajp_reply_create(ajplb_test_pool, 8192, &rp),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_ajp_reply_finish(rp), AJPLB_ETRUNC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ajp_reply");
    TCase *tc;

    tc = ajplb_test_tcase("valid");
    tcase_add_loop_test(tc, test_valid_all_at_once, 0, NELTS(valid));
    tcase_add_loop_test(tc, test_valid_byte_by_byte, 0, NELTS(valid));
    tcase_add_loop_test(tc, test_valid_zero_copy, 0, NELTS(valid));
    tcase_add_loop_test(tc, test_valid_every_split, 0, NELTS(valid));
    tcase_add_loop_test(tc, test_valid_truncated, 0, NELTS(valid));
    tcase_add_loop_test(tc, test_valid_then_stray_byte, 0, NELTS(valid));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("malformed");
    tcase_add_loop_test(tc, test_bad_all_at_once, 0, NELTS(bad));
    tcase_add_loop_test(tc, test_bad_byte_by_byte, 0, NELTS(bad));
    tcase_add_loop_test(tc, test_bad_zero_copy, 0, NELTS(bad));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("details");
    tcase_add_loop_test(tc, test_badlen_before_payload, 0,
                        NELTS(badlen_sizes));
    tcase_add_loop_test(tc, test_max_body_chunk, 0, NELTS(badlen_sizes));
    tcase_add_test(tc, test_reset_between_responses);
    tcase_add_test(tc, test_space_is_bounded);
    tcase_add_test(tc, test_header_iteration);
    tcase_add_loop_test(tc, test_get_body_clamp, 0, NELTS(get_cases));
    tcase_add_test(tc, test_create_sizes);
    suite_add_tcase(s, tc);

    return ajplb_test_run(s);
}
