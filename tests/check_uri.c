/*
 * check_uri.c -- unit tests for the path normaliser (T-U2..T-U20 corpus),
 * ForwardURIProxy re-encoding (T-U10), JkStripSession (T-U31) and the
 * wildcard matcher.  One table row per Check loop iteration.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_uri.h"
#include "test_util.h"

#define TRAV AJPLB_EURITRAVERSAL
#define REL  AJPLB_EURIRELATIVE
#define UNS  AJPLB_EURIUNSAFE
#define RU   AJPLB_URI_REJECT_UNSAFE

typedef struct {
    const char *in;
    int flags;
    apr_status_t rv;
    const char *out;            /* expected on success */
} norm_case_t;

static const norm_case_t norm_cases[] = {
    /* T-U2: path parameters in every segment (CVE-2018-11759) */
    { "/jkstatus;", 0, APR_SUCCESS, "/jkstatus" },
    { "/jkstatus;a=b", 0, APR_SUCCESS, "/jkstatus" },
    { "/jkstatus;x=1", 0, APR_SUCCESS, "/jkstatus" },
    { "/jkstatus/;", 0, APR_SUCCESS, "/jkstatus/" },
    { "/app/..;/admin/", 0, APR_SUCCESS, "/admin/" },
    { "/app;jsessionid=x/../admin", 0, APR_SUCCESS, "/admin" },
    { "/app/.;/admin", 0, APR_SUCCESS, "/app/admin" },
    { "/app/x;/../../admin", 0, APR_SUCCESS, "/admin" },
    { "/app/..;/app/admin/x", 0, APR_SUCCESS, "/app/admin/x" },
    { "/app/x;/../admin/y", 0, APR_SUCCESS, "/app/admin/y" },
    { "/app/.;/admin/y", 0, APR_SUCCESS, "/app/admin/y" },
    { "/..;/x", 0, TRAV, NULL },
    { "/../x", 0, TRAV, NULL },
    { "//jkstatus", 0, APR_SUCCESS, "/jkstatus" },
    { "/./jkstatus", 0, APR_SUCCESS, "/jkstatus" },
    { "/a;b;c/d;e", 0, APR_SUCCESS, "/a/d" },
    { "/;x/b", 0, APR_SUCCESS, "/b" },
    { "/a/;x", 0, APR_SUCCESS, "/a/" },
    { "/a;x/", 0, APR_SUCCESS, "/a/" },
    { "/;", 0, APR_SUCCESS, "/" },
    /* T-U3: slashes (CVE-2014-8111) */
    { "//app", 0, APR_SUCCESS, "/app" },
    { "/app//static", 0, APR_SUCCESS, "/app/static" },
    { "///", 0, APR_SUCCESS, "/" },
    { "/app/", 0, APR_SUCCESS, "/app/" },
    { "/app", 0, APR_SUCCESS, "/app" },
    { "/app//", 0, APR_SUCCESS, "/app/" },
    { "//app/static/x", 0, APR_SUCCESS, "/app/static/x" },
    { "/app//static/x", 0, APR_SUCCESS, "/app/static/x" },
    { "/app///static//x", 0, APR_SUCCESS, "/app/static/x" },
    { "/", 0, APR_SUCCESS, "/" },
    /* T-U4: dot segments */
    { "/app/./static", 0, APR_SUCCESS, "/app/static" },
    { "/app/static/.", 0, APR_SUCCESS, "/app/static/" },
    { "/app/static/..", 0, APR_SUCCESS, "/app/" },
    { "/app/a/../../admin", 0, APR_SUCCESS, "/admin" },
    { "/../app", 0, TRAV, NULL },
    { "/..", 0, TRAV, NULL },
    { "/./..", 0, TRAV, NULL },
    { "/a/../..", 0, TRAV, NULL },
    { "/a/b/../../../c", 0, TRAV, NULL },
    { "/app/...", 0, APR_SUCCESS, "/app/..." },
    { "/app/..../", 0, APR_SUCCESS, "/app/..../" },
    { "/app/.../x", 0, APR_SUCCESS, "/app/.../x" },
    { "/app/.x/..x/x..", 0, APR_SUCCESS, "/app/.x/..x/x.." },
    { "/.", 0, APR_SUCCESS, "/" },
    { "/a/..", 0, APR_SUCCESS, "/" },
    { "/a/b/../", 0, APR_SUCCESS, "/a/" },
    { "/a/./b/./", 0, APR_SUCCESS, "/a/b/" },
    { "/a//..//b", 0, APR_SUCCESS, "/b" },
    /* T-U5/T-U10: what arrives still encoded (NoDecode, double
     * encoding) is a literal name, never a dot segment */
    { "/app/%2e%2e/x", 0, APR_SUCCESS, "/app/%2e%2e/x" },
    { "/app/.%2e/x", 0, APR_SUCCESS, "/app/.%2e/x" },
    { "/app/%2e%2e/x", RU, UNS, NULL },
    { "/someapp/%2e%2e/otherapp/x", 0, APR_SUCCESS,
      "/someapp/%2e%2e/otherapp/x" },
    { "/app/\xc0\xae\xc0\xae/x", 0, APR_SUCCESS, "/app/\xc0\xae\xc0\xae/x" },
    { "/app/%2f/x", RU, UNS, NULL },
    /* T-U12: a backslash separates segments (Tomcat's ALLOW_BACKSLASH
     * view); RejectUnsafeURI refuses it */
    { "/app\\..\\admin", 0, APR_SUCCESS, "/admin" },
    { "/app/x\\..;\\admin/y", 0, APR_SUCCESS, "/app/admin/y" },
    { "/app\\", 0, APR_SUCCESS, "/app/" },
    { "/ap;jsessionid=a\\kstatus;", 0, APR_SUCCESS, "/ap/kstatus" },
    { "/\\..\\x", 0, TRAV, NULL },
    { "/app\\..\\admin", RU, UNS, NULL },
    { "/app/x", RU, APR_SUCCESS, "/app/x" },
    /* T-U13: a decoded '#' or '?' is an ordinary byte */
    { "/app/x#/../admin", 0, APR_SUCCESS, "/app/admin" },
    { "/app/x;a?b/y", 0, APR_SUCCESS, "/app/x/y" },
    /* T-U14: suffix-mount shapes */
    { "/a.jsp;x", 0, APR_SUCCESS, "/a.jsp" },
    { "/a.jsp/", 0, APR_SUCCESS, "/a.jsp/" },
    { "/a.JSP", 0, APR_SUCCESS, "/a.JSP" },
    { "/a.jsp.", 0, APR_SUCCESS, "/a.jsp." },
    { "/a.jsp ", 0, APR_SUCCESS, "/a.jsp " },
    /* T-U15: OPTIONS * and relative forms */
    { "*", 0, APR_SUCCESS, "*" },
    { "*", RU, APR_SUCCESS, "*" },
    { "**", 0, REL, NULL },
    { "", 0, REL, NULL },
    { "app/x", 0, REL, NULL },
    { " /app", 0, REL, NULL },
    { "http://h/app/x", 0, REL, NULL },
    { ".", 0, REL, NULL },
};

START_TEST(test_normalize)
{
    const norm_case_t *c = &norm_cases[_i];
    const char *out = "untouched";
    apr_status_t rv;

    rv = ajplb_uri_normalize(ajplb_test_pool, c->in, c->flags, &out);
    ck_assert_msg(rv == c->rv, "'%s': rv %d, want %d", c->in,
                  rv - APR_OS_START_USERERR, c->rv - APR_OS_START_USERERR);
    if (c->rv == APR_SUCCESS) {
        ck_assert_str_eq(out, c->out);
    }
    else {
        ck_assert_str_eq(out, "untouched");
    }
}
END_TEST

/* Normalising twice changes nothing: the mapper and anything that
 * re-normalises agree. */
START_TEST(test_normalize_idempotent)
{
    const norm_case_t *c = &norm_cases[_i];
    const char *once, *twice;

    if (c->rv != APR_SUCCESS) {
        return;
    }
    ck_assert_int_eq(ajplb_uri_normalize(ajplb_test_pool, c->in, 0, &once),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_uri_normalize(ajplb_test_pool, once, 0, &twice),
                     APR_SUCCESS);
    ck_assert_str_eq(once, twice);
}
END_TEST

/* T-U20 (CVE-2007-0774): long paths, no fixed buffers anywhere. */
static const apr_size_t long_sizes[] = { 4095, 4096, 8191, 65536, 1 << 20 };

START_TEST(test_normalize_long)
{
    apr_size_t n = long_sizes[_i], i;
    char *in = apr_palloc(ajplb_test_pool, n + 1);
    const char *out;

    for (i = 0; i < n; i++) {
        in[i] = (i % 3 == 0) ? '/' : (i % 7 == 0 ? ';' : 'a');
    }
    in[n] = '\0';
    ck_assert_int_eq(ajplb_uri_normalize(ajplb_test_pool, in, 0, &out),
                     APR_SUCCESS);
    ck_assert_uint_le(strlen(out), n + 1);
    ck_assert_ptr_eq(strstr(out, "//"), NULL);
    ck_assert_ptr_eq(strchr(out, ';'), NULL);
}
END_TEST

/* A deep "..": climbing exactly to the root is fine, one more is not. */
START_TEST(test_normalize_deep_dotdot)
{
    apr_pool_t *p = ajplb_test_pool;
    int depth = 1000 + _i, i;
    char *s = "";
    const char *out;

    for (i = 0; i < depth; i++) {
        s = apr_pstrcat(p, s, "/d", NULL);
    }
    for (i = 0; i < depth; i++) {
        s = apr_pstrcat(p, s, "/..", NULL);
    }
    ck_assert_int_eq(ajplb_uri_normalize(p, s, 0, &out), APR_SUCCESS);
    ck_assert_str_eq(out, "/");
    s = apr_pstrcat(p, s, "/..;x/y", NULL);
    ck_assert_int_eq(ajplb_uri_normalize(p, s, 0, &out), TRAV);
}
END_TEST

typedef struct {
    const char *in;
    const char *out;
} pair_case_t;

static const pair_case_t enc_cases[] = {
    { "/app/x", "/app/x" },
    { "/a b", "/a%20b" },
    { "/%", "/%25" },
    { "/~$-_.+!*'(),;:@&=", "/~$-_.+!*'(),;:@&=" },
    { "/\xc3\xa9", "/%C3%A9" },
    { "/a?b#c", "/a%3Fb%23c" },
    { "/\"<>\\^`{|}", "/%22%3C%3E%5C%5E%60%7B%7C%7D" },
    { "/\x01\x7f\xff", "/%01%7F%FF" },
    /* T-U10 (CVE-2007-1860): a once-decoded "%2e%2e" goes out as
     * "%252e%252e", so Tomcat's single decode yields the mapped text. */
    { "/someapp/%2e%2e/otherapp/x", "/someapp/%252e%252e/otherapp/x" },
    { "/app/%5c", "/app/%255c" },
    { "/jkstatus;x=1", "/jkstatus;x=1" },
    { "", "" },
    { "ABCxyz0189", "ABCxyz0189" },
};

START_TEST(test_encode_proxy)
{
    ck_assert_str_eq(ajplb_uri_encode_proxy(ajplb_test_pool,
                                            enc_cases[_i].in),
                     enc_cases[_i].out);
}
END_TEST

/* Every byte: safe set kept, the rest is %XX that decodes back. */
START_TEST(test_encode_proxy_all_bytes)
{
    char in[3] = { '/', (char)(_i + 1), '\0' };
    const char *out = ajplb_uri_encode_proxy(ajplb_test_pool, in);
    unsigned char c = (unsigned char)(_i + 1);
    int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9') || strchr("/~$-_.+!*'(),;:@&=", c);

    if (safe) {
        ck_assert_str_eq(out, in);
    }
    else {
        char want[5];
        apr_snprintf(want, sizeof(want), "/%%%02X", c);
        ck_assert_str_eq(out, want);
    }
}
END_TEST

/* ajplb_uri_encoding_of(): is DEC what httpd decoded from ENC? */
typedef struct {
    const char *enc;
    const char *dec;
    int want;
} encof_case_t;

static const encof_case_t encof_cases[] = {
    { "/app/x", "/app/x", 1 },
    { "/app/a%3Bb", "/app/a;b", 1 },
    { "/app/a%3bb", "/app/a;b", 1 },
    { "/app/a%25b", "/app/a%b", 1 },
    { "/app/a%252Fb", "/app/a%2Fb", 1 },
    { "/app/a%2Fb", "/app/a/b", 1 },         /* AllowEncodedSlashes On */
    { "/app/a%2Fb", "/app/a%2Fb", 1 },       /* NoDecode kept it */
    { "/app/a%2fb", "/app/a%2fb", 1 },
    { "/app/a%2fb", "/app/a%2Fb", 0 },       /* not as written */
    { "/app/a%3Bb", "/app/a%3Bb", 0 },       /* only slashes stay */
    { "/app/x", "/app/y", 0 },
    { "/app/x", "/app/x/", 0 },
    { "/app/x/", "/app/x", 0 },
    { "/a%C3%A9", "/a\xc3\xa9", 1 },
    { "/a%zz", "/a%zz", 1 },                 /* not an escape */
    { "/a%", "/a%", 1 },
    { "/old/%3B", "/new/;", 0 },             /* rewritten by a module */
};

START_TEST(test_encoding_of)
{
    ck_assert_int_eq(ajplb_uri_encoding_of(encof_cases[_i].enc,
                                           encof_cases[_i].dec),
                     encof_cases[_i].want);
}
END_TEST

static const pair_case_t decode_cases[] = {
    { "/app/a%3Bb", "/app/a;b" },
    { "/app/a%2Fb%2f", "/app/a/b/" },
    { "/a%252e", "/a%2e" },
    { "/a%00b", "/a%00b" },
    { "/a%zz%4", "/a%zz%4" },
    { "/%C3%A9", "/\xc3\xa9" },
};

START_TEST(test_decode)
{
    ck_assert_str_eq(ajplb_uri_decode(ajplb_test_pool, decode_cases[_i].in),
                     decode_cases[_i].out);
}
END_TEST

/* Part C: the client's escapes go out as written, nothing else changes
 * except bytes that must be escaped. */
static const pair_case_t keep_cases[] = {
    { "/app/a%3Bb/x", "/app/a%3Bb/x" },
    { "/app/a%3bb", "/app/a%3bb" },
    { "/app/a%25b%3F%23%5C%2F", "/app/a%25b%3F%23%5C%2F" },
    { "/app/a;x=%3B/y", "/app/a;x=%3B/y" },
    { "/app/%252e%252e/x", "/app/%252e%252e/x" },
    { "/a b\xc3\xa9", "/a%20b%C3%A9" },
    { "/a%zz", "/a%25zz" },
    { "/a%", "/a%25" },
    { "/a\"%41", "/a%22%41" },
};

START_TEST(test_encode_keep)
{
    const char *in = keep_cases[_i].in;
    const char *out = ajplb_uri_encode_keep(ajplb_test_pool, in);

    ck_assert_str_eq(out, keep_cases[_i].out);
    if (strcmp(in, out) == 0) {
        ck_assert_ptr_eq(out, in);      /* no copy when nothing changes */
    }
    /* Tomcat decodes it to what httpd decoded from the client's form. */
    ck_assert_str_eq(ajplb_uri_decode(ajplb_test_pool, out),
                     ajplb_uri_decode(ajplb_test_pool, in));
}
END_TEST

typedef struct {
    const char *in;
    const char *name;
    const char *out;
} strip_case_t;

static const strip_case_t strip_cases[] = {
    /* T-U31: every segment, not only the last */
    { "/app;jsessionid=ABC/x;jsessionid=DEF", NULL, "/app/x" },
    { "/app/x;jsessionid=1.node1", NULL, "/app/x" },
    { "/app/x;jsessionid=1.node1", ";jsessionid", "/app/x" },
    { "/app/x;jsessionid=1.node1", "jsessionid", "/app/x" },
    { "/app/x;foo=1;jsessionid=2;bar=3", NULL, "/app/x;foo=1;bar=3" },
    { "/app;jsessionidx=1", NULL, "/app;jsessionidx=1" },
    { "/app;JSESSIONID=1", NULL, "/app;JSESSIONID=1" },
    { "/app;JSESSIONID=1", "JSESSIONID", "/app" },
    { "/app;sid=1/y;jsessionid=2", ";sid", "/app/y;jsessionid=2" },
    { "/a;jsessionid=", NULL, "/a" },
    { "/a;jsessionid", NULL, "/a;jsessionid" },
    { "/plain/path", NULL, "/plain/path" },
    { ";jsessionid=1", "", "" },
    { "/a;jsessionid=1;jsessionid=2/b", ";", "/a/b" },
    /* A backslash ends the parameter as it ends the segment for the
     * normaliser (found by fuzz_uri in the hour runs of #12). */
    { "/ap;jsessionid=a\\kstatus;", NULL, "/ap\\kstatus;" },
    { "/ap;jsessionid=a\\b", NULL, "/ap\\b" },
};

START_TEST(test_strip_session)
{
    const strip_case_t *c = &strip_cases[_i];

    ck_assert_str_eq(ajplb_uri_strip_session(ajplb_test_pool, c->in,
                                             c->name), c->out);
}
END_TEST

/* T-U31: stripping never changes what the mapper sees. */
START_TEST(test_strip_keeps_normal_form)
{
    const norm_case_t *c = &norm_cases[_i];
    const char *a, *b, *stripped;
    apr_status_t ra, rb;

    stripped = ajplb_uri_strip_session(ajplb_test_pool, c->in, NULL);
    ra = ajplb_uri_normalize(ajplb_test_pool, c->in, 0, &a);
    rb = ajplb_uri_normalize(ajplb_test_pool, stripped, 0, &b);
    ck_assert_int_eq(ra, rb);
    if (ra == APR_SUCCESS) {
        ck_assert_str_eq(a, b);
    }
}
END_TEST

START_TEST(test_strip_no_copy)
{
    const char *in = "/nothing/here;x=1";

    ck_assert_ptr_eq(ajplb_uri_strip_session(ajplb_test_pool, in, NULL), in);
}
END_TEST

typedef struct {
    const char *pattern;
    const char *str;
    int match;
} wild_case_t;

static const wild_case_t wild_cases[] = {
    { "/a/*", "/a/b", 1 },
    { "/a/*", "/a/", 1 },
    { "/a/*", "/a", 0 },
    { "/a/*", "/a/b/c/d", 1 },
    { "*", "", 1 },
    { "?", "", 0 },
    { "?", "x", 1 },
    { "/*.jsp", "/x/y.jsp", 1 },
    { "/*.jsp", "/x/y.jsp/", 0 },
    { "/*.jsp", "/x/y.JSP", 0 },
    { "/*.jsp", "/a.jsp.", 0 },
    { "/*.jsp", "/.jsp", 1 },
    { "/a*b*c", "/aXbYc", 1 },
    { "/a*b*c", "/aXbY", 0 },
    { "/a*b*c", "/abcbc", 1 },
    { "/a?c", "/abc", 1 },
    { "/a?c", "/ac", 0 },
    { "/a??", "/abc", 1 },
    { "/a**", "/a", 1 },
    { "/exact", "/exact", 1 },
    { "/exact", "/exactly", 0 },
    { "/Exact", "/exact", 0 },
    { "", "", 1 },
    { "", "/", 0 },
    { "*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
    { "*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 1 },
    { "/*/WEB-INF/*", "/app/WEB-INF/web.xml", 1 },
    { "/*/WEB-INF/*", "/app/web-inf/web.xml", 0 },
};

START_TEST(test_wildcard)
{
    const wild_case_t *c = &wild_cases[_i];

    ck_assert_msg(ajplb_uri_is_wildcard_match(c->pattern, c->str)
                  == c->match, "'%s' vs '%s'", c->pattern, c->str);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
    Suite *s = suite_create("uri");
    TCase *tc;

    tc = ajplb_test_tcase("normalize");
    tcase_add_loop_test(tc, test_normalize, 0, N(norm_cases));
    tcase_add_loop_test(tc, test_normalize_idempotent, 0, N(norm_cases));
    tcase_add_loop_test(tc, test_normalize_long, 0, N(long_sizes));
    tcase_add_loop_test(tc, test_normalize_deep_dotdot, 0, 2);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("encode");
    tcase_add_loop_test(tc, test_encode_proxy, 0, N(enc_cases));
    tcase_add_loop_test(tc, test_encode_proxy_all_bytes, 0, 255);
    tcase_add_loop_test(tc, test_encoding_of, 0, N(encof_cases));
    tcase_add_loop_test(tc, test_decode, 0, N(decode_cases));
    tcase_add_loop_test(tc, test_encode_keep, 0, N(keep_cases));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("strip");
    tcase_add_loop_test(tc, test_strip_session, 0, N(strip_cases));
    tcase_add_loop_test(tc, test_strip_keeps_normal_form, 0, N(norm_cases));
    tcase_add_test(tc, test_strip_no_copy);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("wildcard");
    tcase_add_loop_test(tc, test_wildcard, 0, N(wild_cases));
    suite_add_tcase(s, tc);

    return ajplb_test_run(s);
}
