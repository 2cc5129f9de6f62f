/*
 * check_session.c -- unit tests for session id and route extraction
 * (security-and-faults T-S1..T-S10): path parameter, cookies, quoting,
 * several cookies and headers, forced route, 8 KB ids, control bytes.
 */
#include <string.h>

#include <apr_strings.h>

#include "test_util.h"
#include "ajplb_lb.h"

/* Join ids with '|' so a table row can state the whole expected list. */
static const char *ajplb__join(const apr_array_header_t *ids)
{
    const char *s = NULL;
    int i;

    for (i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        s = s == NULL ? id : apr_pstrcat(ajplb_test_pool, s, "|", id, NULL);
    }
    return s == NULL ? "" : s;
}

/* ------------------------------------------------------- path param */

static const struct {
    const char *uri, *name, *want;      /* want NULL = none */
} ajplb__path_cases[] = {
    {"/app/x.jsp;jsessionid=abc.w1", ";jsessionid", "abc.w1"},
    {"/app/x.jsp;jsessionid=abc.w1?q=1", ";jsessionid", "abc.w1"},
    {"/app;jsessionid=abc.w2/x.jsp", ";jsessionid", "abc.w2"},      /* T-S6 */
    {"/app/x;jsessionid=abc.w1;other=1", ";jsessionid", "abc.w1"},
    {"/app/x;jsessionid=", ";jsessionid", NULL},                    /* T-S4 */
    {"/app/x;jsessionid=;jsessionid=b.w2", ";jsessionid", "b.w2"},
    {"/app/x;jsessionid", ";jsessionid", NULL},
    {"/app/x;jsessionidx=a.w1", ";jsessionid", NULL},
    {"/app/x;JSESSIONID=a.w1", ";jsessionid", NULL},
    {"/app/x", ";jsessionid", NULL},
    {"", ";jsessionid", NULL},
    {"/a;sid=z.w3", ";sid", "z.w3"},
    {"/a;jsessionid=z.w3", ";sid", NULL},
    {"/a;jsessionid=q.w1/b;jsessionid=r.w2", ";jsessionid", "q.w1"},
    {"/a;jsessionid=\x01\x7f.w\x02", ";jsessionid", "\x01\x7f.w\x02"},
    {"/a;jsessionid==.w1", ";jsessionid", "=.w1"},
};

START_TEST(test_path_param)
{
    const char *got = ajplb_session_path_param(ajplb_test_pool,
                                               ajplb__path_cases[_i].uri,
                                               ajplb__path_cases[_i].name);
    if (ajplb__path_cases[_i].want == NULL) {
        ck_assert_ptr_null(got);
    }
    else {
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, ajplb__path_cases[_i].want);
    }
}
END_TEST

/* ----------------------------------------------------------- cookies */

static const struct {
    const char *header, *name, *want;   /* want: ids joined by '|' */
} ajplb__cookie_cases[] = {
    {"JSESSIONID=abc.w1", "JSESSIONID", "abc.w1"},                  /* T-S1 */
    {"JSESSIONID=abc.worker1.worker2", "JSESSIONID",
     "abc.worker1.worker2"},                                        /* T-S2 */
    {"JSESSIONID=", "JSESSIONID", ""},                              /* T-S4 */
    {"JSESSIONID=a.w1; JSESSIONID=b.w2", "JSESSIONID", "a.w1|b.w2"},/* T-S5 */
    {"JSESSIONID=\"a.w1\"", "JSESSIONID", "a.w1"},                  /* T-S7 */
    {"XJSESSIONID=a.w1", "JSESSIONID", ""},
    {"jsessionid=a.w1", "JSESSIONID", ""},
    {"JSESSIONID =a.w1", "JSESSIONID", "a.w1"},
    {"JSESSIONID  \t= a.w1 ", "JSESSIONID", "a.w1"},
    {"foo=1,JSESSIONID=a.w1", "JSESSIONID", "a.w1"},
    {"foo=1;JSESSIONID=a.w1", "JSESSIONID", "a.w1"},
    {"foo=1 JSESSIONID=a.w1", "JSESSIONID", "a.w1"},
    {"foo=1; JSESSIONID=a.w1, bar=2", "JSESSIONID", "a.w1"},
    {"foo=xJSESSIONID=a.w1", "JSESSIONID", ""},
    {"JSESSIONIDX=a.w1; JSESSIONID=b.w2", "JSESSIONID", "b.w2"},
    {"JSESSIONID", "JSESSIONID", ""},
    {"JSESSIONID;", "JSESSIONID", ""},
    {"JSESSIONID=\"\"", "JSESSIONID", ""},
    {"JSESSIONID=\"", "JSESSIONID", ""},
    {"JSESSIONID=\"a.w1", "JSESSIONID", "a.w1"},
    {"JSESSIONID=; JSESSIONID=b.w2", "JSESSIONID", "b.w2"},
    {"a=1; b=2", "JSESSIONID", ""},
    {"", "JSESSIONID", ""},
    {"SID=a.w1; JSESSIONID=b.w2", "SID", "a.w1"},
    {"JSESSIONID=a.w1=x", "JSESSIONID", "a.w1=x"},
    {"JSESSIONID=a.w1,JSESSIONID=b.w2;JSESSIONID=c.w3", "JSESSIONID",
     "a.w1|b.w2|c.w3"},
};

START_TEST(test_cookie)
{
    apr_array_header_t *ids = apr_array_make(ajplb_test_pool, 1,
                                             sizeof(const char *));
    ajplb_session_cookie_ids(ajplb_test_pool,
                             ajplb__cookie_cases[_i].header,
                             ajplb__cookie_cases[_i].name, ids);
    ck_assert_str_eq(ajplb__join(ids), ajplb__cookie_cases[_i].want);
}
END_TEST

/* ------------------------------------------------------------- route */

static const struct {
    const char *id, *route;             /* route NULL = none */
} ajplb__route_cases[] = {
    {"abc.w1", "w1"},
    {"abc.worker1.worker2", "worker1.worker2"},                     /* T-S2 */
    {"abc.", NULL},                                                 /* T-S3 */
    {"abc..", NULL},
    {"abc...", NULL},
    {"abc", NULL},
    {"", NULL},
    {".w1", "w1"},
    {"..w1", ".w1"},
    {"a.b.", "b."},
    {"abc.W1", "W1"},
    {"abc.\x01\x02", "\x01\x02"},
};

START_TEST(test_route)
{
    const char *r = ajplb_session_route(ajplb__route_cases[_i].id);
    if (ajplb__route_cases[_i].route == NULL) {
        ck_assert_ptr_null(r);
    }
    else {
        ck_assert_ptr_nonnull(r);
        ck_assert_str_eq(r, ajplb__route_cases[_i].route);
    }
}
END_TEST

START_TEST(test_route_null)
{
    ck_assert_ptr_null(ajplb_session_route(NULL));
    ck_assert_ptr_null(ajplb_session_path_param(ajplb_test_pool, NULL,
                                                ";jsessionid"));
    ck_assert_ptr_null(ajplb_session_path_param(ajplb_test_pool, "/a",
                                                ""));
}
END_TEST

/* ------------------------------------------------------ whole request */

START_TEST(test_ids_order)
{
    const char *cookies[] = {"JSESSIONID=c1.w1; x=1", "y=2, JSESSIONID=c2.w2"};
    ajplb_lb_req_t req;
    apr_array_header_t *ids;

    memset(&req, 0, sizeof(req));
    req.uri = "/app;jsessionid=p.w3/x";
    req.cookies = cookies;
    req.ncookies = 2;
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID",
                            ";jsessionid");
    /* T-S6: the path parameter first, then the cookies in order (T-S5). */
    ck_assert_str_eq(ajplb__join(ids), "p.w3|c1.w1|c2.w2");

    req.uri = "/app/x";
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID",
                            ";jsessionid");
    ck_assert_str_eq(ajplb__join(ids), "c1.w1|c2.w2");
}
END_TEST

START_TEST(test_ids_overrides)
{
    const char *cookies[] = {"JSESSIONID=c1.w1; SID=s.w2"};
    ajplb_lb_req_t req;
    apr_array_header_t *ids;

    memset(&req, 0, sizeof(req));
    req.uri = "/a;sid=p.w3;jsessionid=q.w4";
    req.cookies = cookies;
    req.ncookies = 1;
    req.session_cookie = "SID";
    req.session_path = ";sid";
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID",
                            ";jsessionid");
    ck_assert_str_eq(ajplb__join(ids), "p.w3|s.w2");

    /* JK_ROUTE replaces every session id by ".route". */
    req.forced_route = "w9";
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID",
                            ";jsessionid");
    ck_assert_str_eq(ajplb__join(ids), ".w9");
    ck_assert_str_eq(ajplb_session_route(
        APR_ARRAY_IDX(ids, 0, const char *)), "w9");
    req.forced_route = "";
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID",
                            ";jsessionid");
    ck_assert_int_eq(ids->nelts, 2);
    ck_assert_int_eq(ajplb_session_ids(ajplb_test_pool, NULL, "J",
                                       ";j")->nelts, 0);
}
END_TEST

START_TEST(test_ids_none)
{
    ajplb_lb_req_t req;
    apr_array_header_t *ids;

    memset(&req, 0, sizeof(req));
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID",
                            ";jsessionid");
    ck_assert_ptr_nonnull(ids);
    ck_assert_int_eq(ids->nelts, 0);
}
END_TEST

/* T-S10: an 8 KB id in a cookie and in the path: no fixed buffers, the
 * route is exact. */
START_TEST(test_big_ids)
{
    apr_size_t n = 8192;
    char *big = apr_palloc(ajplb_test_pool, n + 1);
    const char *hdr, *uri, *got;
    apr_array_header_t *ids = apr_array_make(ajplb_test_pool, 1,
                                             sizeof(const char *));

    memset(big, 'A', n);
    big[n] = '\0';
    big[n - 3] = '.';
    big[n - 2] = 'w';
    big[n - 1] = '1';
    hdr = apr_pstrcat(ajplb_test_pool, "JSESSIONID=", big, NULL);
    ajplb_session_cookie_ids(ajplb_test_pool, hdr, "JSESSIONID", ids);
    ck_assert_int_eq(ids->nelts, 1);
    ck_assert_uint_eq(strlen(APR_ARRAY_IDX(ids, 0, const char *)), n);
    ck_assert_str_eq(ajplb_session_route(APR_ARRAY_IDX(ids, 0,
                                                       const char *)), "w1");
    uri = apr_pstrcat(ajplb_test_pool, "/x;jsessionid=", big, "?a", NULL);
    got = ajplb_session_path_param(ajplb_test_pool, uri, ";jsessionid");
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, big);

    /* A route of 8 KB is kept whole (matching is bounded elsewhere). */
    big[1] = '.';
    ck_assert_uint_eq(strlen(ajplb_session_route(big)), n - 2);
}
END_TEST

/* Many cookies across many headers: each found once, in order. */
START_TEST(test_many_cookies)
{
    const char *hdrs[50];
    ajplb_lb_req_t req;
    apr_array_header_t *ids;
    int i;

    for (i = 0; i < 50; i++) {
        hdrs[i] = apr_psprintf(ajplb_test_pool, "a=%d; JSESSIONID=s%d.w%d",
                               i, i, i % 3);
    }
    memset(&req, 0, sizeof(req));
    req.cookies = hdrs;
    req.ncookies = 50;
    ids = ajplb_session_ids(ajplb_test_pool, &req, "JSESSIONID", NULL);
    ck_assert_int_eq(ids->nelts, 50);
    for (i = 0; i < 50; i++) {
        ck_assert_str_eq(APR_ARRAY_IDX(ids, i, const char *),
                         apr_psprintf(ajplb_test_pool, "s%d.w%d", i, i % 3));
    }
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc;

    tc = ajplb_test_tcase("path_param");
    tcase_add_loop_test(tc, test_path_param, 0,
                        sizeof(ajplb__path_cases)
                        / sizeof(ajplb__path_cases[0]));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("cookie");
    tcase_add_loop_test(tc, test_cookie, 0,
                        sizeof(ajplb__cookie_cases)
                        / sizeof(ajplb__cookie_cases[0]));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("route");
    tcase_add_loop_test(tc, test_route, 0,
                        sizeof(ajplb__route_cases)
                        / sizeof(ajplb__route_cases[0]));
    tcase_add_test(tc, test_route_null);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("request");
    tcase_add_test(tc, test_ids_order);
    tcase_add_test(tc, test_ids_overrides);
    tcase_add_test(tc, test_ids_none);
    tcase_add_test(tc, test_big_ids);
    tcase_add_test(tc, test_many_cookies);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
