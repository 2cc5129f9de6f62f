/*
 * check_uri_map.c -- unit tests for the JkMount rule map: syntax, priority,
 * exclusions, extensions, diagnostics, the T-U mapping corpus, and a
 * randomized differential test against a naive linear matcher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "ajplb_uri.h"
#include "ajplb_uri_map.h"
#include "test_util.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static ajplb_diags_t *diags;

/* A built map from mount-file text; the status of parse+build in *rv. */
static ajplb_uri_map_t *map_from(const char *text, apr_status_t *rv)
{
    ajplb_uri_map_t *m;
    apr_status_t r1, r2;

    diags = ajplb_diags_make(ajplb_test_pool);
    m = ajplb_uri_map_make(ajplb_test_pool, diags);
    r1 = ajplb_uri_map_parse(m, "map.properties", text, strlen(text));
    r2 = ajplb_uri_map_build(m);
    if (rv != NULL) {
        *rv = r1 != APR_SUCCESS ? r1 : r2;
    }
    return m;
}

/* What the adapter would do: normalise, then map.  "400" for a path
 * climbing out, "-" for not forwarded, else the worker name. */
static const char *decide(const ajplb_uri_map_t *m, const char *uri)
{
    const char *norm;
    const ajplb_uri_rule_t *r;
    apr_status_t rv = ajplb_uri_normalize(ajplb_test_pool, uri, 0, &norm);

    if (rv == AJPLB_EURITRAVERSAL) {
        return "400";
    }
    if (rv != APR_SUCCESS) {
        return "err";
    }
    r = ajplb_uri_map_match(m, norm, NULL);
    return r != NULL ? r->worker : "-";
}

typedef struct {
    const char *config;
    const char *uri;
    const char *want;
} decide_case_t;

#define JKSTATUS "/jkstatus=status\n/app/*=w\n!/app/admin/*=w\n"
#define SLASHES  "/app/*=w\n!/app/static/*=w\n"
#define SUFFIX   "/*.jsp=w\n"

static const decide_case_t decide_cases[] = {
    /* T-U2 (CVE-2018-11759): parameters and dot segments */
    { JKSTATUS, "/jkstatus", "status" },
    { JKSTATUS, "/jkstatus;", "status" },
    { JKSTATUS, "/jkstatus;a=b", "status" },
    { JKSTATUS, "/jkstatus/;", "-" },
    { JKSTATUS, "/app/..;/admin/", "-" },
    { JKSTATUS, "/app;jsessionid=x/../admin", "-" },
    { JKSTATUS, "/app/.;/admin", "w" },
    { JKSTATUS, "/app/x;/../../admin", "-" },
    { JKSTATUS, "/app/..;/app/admin/x", "-" },
    { JKSTATUS, "/app/x;/../admin/y", "-" },
    { JKSTATUS, "/app/.;/admin/y", "-" },
    { JKSTATUS, "/app/admin;x/y", "-" },
    { JKSTATUS, "/app/ok/y", "w" },
    { JKSTATUS, "/..;/x", "400" },
    { JKSTATUS, "/../x", "400" },
    { JKSTATUS, "//jkstatus", "status" },
    { JKSTATUS, "/./jkstatus", "status" },
    /* T-U3 (CVE-2014-8111): slashes cannot dodge an unmount */
    { SLASHES, "//app/static/x", "-" },
    { SLASHES, "/app//static/x", "-" },
    { SLASHES, "/app///static//x", "-" },
    { SLASHES, "//app", "-" },
    { SLASHES, "//app/x", "w" },
    { SLASHES, "///", "-" },
    { SLASHES, "/app/", "w" },
    { SLASHES, "/app", "-" },
    /* T-U4 */
    { SLASHES, "/app/./static/x", "-" },
    { SLASHES, "/app/static/.", "-" },
    { SLASHES, "/app/static/..", "w" },
    { SLASHES, "/app/a/../../admin", "-" },
    { SLASHES, "/../app/x", "400" },
    { SLASHES, "/app/...", "w" },
    { SLASHES, "/app/..../", "w" },
    { SLASHES, "/x/../app/static/y", "-" },
    /* T-U12 (a backslash separates segments), T-U13 */
    { SLASHES, "/app\\..\\static\\x", "-" },
    { SLASHES, "/app/x\\..\\..\\static\\y", "-" },
    { SLASHES, "/app/x\\..\\static\\y", "-" },
    { SLASHES, "/app\\y", "w" },
    { SLASHES, "/app/x#/../static/y", "-" },
    /* T-U14: suffix mounts are case-sensitive and exact on the suffix */
    { SUFFIX, "/a.jsp", "w" },
    { SUFFIX, "/a.jsp;x", "w" },
    { SUFFIX, "/a.jsp;jsessionid=1", "w" },
    { SUFFIX, "/a.jsp/", "-" },
    { SUFFIX, "/a.JSP", "-" },
    { SUFFIX, "/a.jsp.", "-" },
    { SUFFIX, "/a.jsp ", "-" },
    { SUFFIX, "/a.js%70", "-" },
    { SUFFIX, "/dir/x/y.jsp", "w" },
    { SUFFIX, "/.jsp", "w" },
    { SUFFIX, "/jsp", "-" },
    /* T-U15: OPTIONS * never maps, even under a catch-all mount */
    { "/*=w\n", "*", "-" },
    { "/*=w\n", "/", "w" },
    /* T-U30 (CVE-2023-41081): no implicit mapping */
    { "", "/", "-" },
    { "", "/nope/", "-" },
    { "/app/*=only\n", "/", "-" },
    { "/app/*=only\n", "/nope/", "-" },
    { "/app/*=only\n", "/app", "-" },
    /* "a|b" is two rules */
    { "/app|/*=w\n", "/app", "w" },
    { "/app|/*=w\n", "/app/", "w" },
    { "/app|/*=w\n", "/app/x/y", "w" },
    { "/app|/*=w\n", "/apple", "-" },
    { "/a|b|c=w\n", "/a", "w" },
    { "/a|b|c=w\n", "/ab", "w" },
    { "/a|b|c=w\n", "/abc", "w" },
    { "/a|b|c=w\n", "/ac", "-" },
    /* '?' is one byte; patterns are case-sensitive */
    { "/a?c=w\n", "/abc", "w" },
    { "/a?c=w\n", "/ac", "-" },
    { "/a?c=w\n", "/a/c", "w" },
    { "/App/*=w\n", "/app/x", "-" },
};

START_TEST(test_decide)
{
    const decide_case_t *c = &decide_cases[_i];
    ajplb_uri_map_t *m = map_from(c->config, NULL);

    ck_assert_msg(strcmp(decide(m, c->uri), c->want) == 0,
                  "config '%s' uri '%s': got %s, want %s", c->config, c->uri,
                  decide(m, c->uri), c->want);
}
END_TEST

/* Priority and exclusion tables.  Rules are "src|pattern|worker" lines,
 * src being F (mount file), J (JkMount), W (workers.properties), U
 * (JkUnMount). */
typedef struct {
    const char *rules;
    const char *uri;
    const char *want;
} prio_case_t;

static const prio_case_t prio_cases[] = {
    /* more specific wins regardless of order */
    { "F|/app/*|w1\nF|/app/static/*|w2", "/app/x", "w1" },
    { "F|/app/*|w1\nF|/app/static/*|w2", "/app/static/x", "w2" },
    { "F|/app/static/*|w2\nF|/app/*|w1", "/app/static/x", "w2" },
    { "F|/*|w1\nF|/app/*|w2", "/app/x", "w2" },
    { "F|/*|w1\nF|/app/*|w2", "/x", "w1" },
    /* more '/' beats a longer pattern */
    { "F|/a/*bbbbbbbbbbbbbbbb|w2\nF|/a/b/*|w1",
      "/a/b/cbbbbbbbbbbbbbbbb", "w1" },
    /* same '/' count: longer wins */
    { "F|/app/*|w1\nF|/app/*.jsp|w2", "/app/x.jsp", "w2" },
    { "F|/app/*|w1\nF|/app/*.jsp|w2", "/app/x.do", "w1" },
    { "F|/app/*|w1\nF|/app/x.jsp|w2", "/app/x.jsp", "w2" },
    { "F|/app/*.jsp|w1\nF|/app/x|w2", "/app/x", "w2" },
    /* same rank: mount file > JkMount > workers.properties */
    { "J|/app/*|w1\nF|/app/*|w2", "/app/x", "w2" },
    { "F|/app/*|w2\nJ|/app/*|w1", "/app/x", "w2" },
    { "W|/app/*|w0\nJ|/app/*|w1", "/app/x", "w1" },
    { "J|/app/*|w1\nW|/app/*|w0", "/app/x", "w1" },
    /* same rank and source: exact before wildcard, then first defined */
    { "F|/a/b*|w2\nF|/a/bc|w1", "/a/bc", "w1" },
    { "F|/a/b*|w2\nF|/a/bc|w1", "/a/bd", "w2" },
    { "F|/a/b?|w1\nF|/a/?c|w2", "/a/bc", "w1" },
    { "F|/a/?c|w2\nF|/a/b?|w1", "/a/bc", "w2" },
    /* exclusions: own worker or '*' only */
    { "F|/app/*|w\nF|!/app/static/*|w", "/app/static/x", "-" },
    { "F|/app/*|w\nF|!/app/static/*|w", "/app/x", "w" },
    { "F|/app/*|w\nF|!/app/static/*|other", "/app/static/x", "w" },
    { "F|/app/*|w\nF|!/app/static/*|*", "/app/static/x", "-" },
    { "F|/app/*|w\nU|/app/static/*|w", "/app/static/x", "-" },
    { "F|/app/*|w\nU|/app/static/*|*", "/app/static/y", "-" },
    /* exclusions apply after all mounts, whatever their priority */
    { "F|/app/static/img/*|w\nF|!/app/*.gif|w", "/app/static/img/a.gif",
      "-" },
    { "F|/app/static/img/*|w\nF|!/*.gif|*", "/app/static/img/a.gif", "-" },
    { "F|/app/static/img/*|w\nF|!/*.gif|*", "/app/static/img/a.png", "w" },
    /* an exclusion vetoes: it does not fall through to the next mount */
    { "F|/*|w1\nF|/app/*|w2\nF|!/app/x|w2", "/app/x", "-" },
    { "F|/*|w1\nF|/app/*|w2\nF|!/app/x|w1", "/app/x", "w2" },
    /* an exclusion from any source applies */
    { "W|/app/*|w\nJ|!/app/a|w\nF|!/app/b|w", "/app/a", "-" },
    { "W|/app/*|w\nJ|!/app/a|w\nF|!/app/b|w", "/app/b", "-" },
    { "W|/app/*|w\nJ|!/app/a|w\nF|!/app/b|w", "/app/c", "w" },
    /* '-' disables, "-!" disables an exclusion */
    { "F|-/app/*|w", "/app/x", "-" },
    { "F|/app/*|w\nF|-!/app/static/*|w", "/app/static/x", "w" },
    { "F|/app/*|w1\nF|-/app/static/*|w2", "/app/static/x", "w1" },
    /* the exact rule must match the whole path */
    { "F|/app|w", "/app/", "-" },
    { "F|/app|w", "/app", "w" },
    { "F|/app/|w", "/app/", "w" },
};

static ajplb_uri_map_t *map_from_rules(const char *rules)
{
    char *copy = apr_pstrdup(ajplb_test_pool, rules), *last, *line;
    ajplb_uri_map_t *m;

    diags = ajplb_diags_make(ajplb_test_pool);
    m = ajplb_uri_map_make(ajplb_test_pool, diags);
    for (line = apr_strtok(copy, "\n", &last); line != NULL;
         line = apr_strtok(NULL, "\n", &last)) {
        char *pat = line + 2, *bar = strchr(pat, '|');
        ajplb_uri_source_e src = line[0] == 'F' ? AJPLB_URI_SRC_MOUNTFILE
            : line[0] == 'W' ? AJPLB_URI_SRC_WORKERDEF
            : AJPLB_URI_SRC_JKMOUNT;

        *bar = '\0';
        ck_assert_int_eq(ajplb_uri_map_add(m, src, pat, bar + 1,
                                           line[0] == 'U'
                                           ? AJPLB_URI_RULE_UNMOUNT : 0,
                                           "t.conf", 1), APR_SUCCESS);
    }
    ck_assert_int_eq(ajplb_uri_map_build(m), APR_SUCCESS);
    return m;
}

/* T-U16: the most specific rule wins; exclusions apply after mounts. */
START_TEST(test_priority)
{
    const prio_case_t *c = &prio_cases[_i];
    ajplb_uri_map_t *m = map_from_rules(c->rules);

    ck_assert_msg(strcmp(decide(m, c->uri), c->want) == 0,
                  "rules '%s' uri '%s': got %s, want %s", c->rules, c->uri,
                  decide(m, c->uri), c->want);
}
END_TEST

/* Configuration diagnostics: the text, the level and the line. */
typedef struct {
    const char *config;
    apr_status_t rv;
    int errors;
    int warnings;
    const char *first;          /* ajplb_diag_format() of item 0 */
} diag_case_t;

static const diag_case_t diag_cases[] = {
    { "/a=w\n# comment\n\n  /b = w  # trailing\n", APR_SUCCESS, 0, 0, NULL },
    { "nopattern\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:1: error: no '=' in 'nopattern'; write "
      "'/pattern=worker'" },
    { "/ok=w\napp/*=w\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:2: error: mount pattern 'app/*' does not begin with "
      "'/'; write '/app/*'" },
    { "*.jsp=w\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:1: error: mount pattern '*.jsp' does not begin with "
      "'/'; write '/*.jsp' (a suffix mount matches in every directory)" },
    { "/a=\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "=w\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:1: error: empty pattern before '='; write "
      "'/pattern=worker'" },
    { "/a=w x\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=*\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "!/a=*\n", APR_SUCCESS, 0, 0, NULL },
    /* T-C15: one pattern, two workers, one source */
    { "/a/*=w1\n\n/a/*=w2\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:3: error: mount file pattern '/a/*' is mapped to "
      "worker 'w2' here and to 'w1' at map.properties:1; one pattern can "
      "go to one worker only (use an lb worker to share)" },
    { "/a|/*=w1\n/a/*=w2\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a/*=w1\n/a/*=w1\n", APR_SUCCESS, 0, 1, NULL },
    { "/a/*=w1\n-/a/*=w2\n", APR_SUCCESS, 0, 0, NULL },
    { "/a/*=w1\n!/a/*=w1\n!/a/*=w2\n", APR_SUCCESS, 0, 1, NULL },
    /* T-C16: an exclusion for a worker no mount uses */
    { "/a/*=w1\n!/a/b=w9\n", APR_SUCCESS, 0, 1,
      "map.properties:2: warning: exclusion '/a/b' names worker 'w9', "
      "which no mount uses, so it never applies; use the mounted worker's "
      "name or '*'" },
    /* dead patterns */
    { "/a;x=w\n", APR_SUCCESS, 0, 1, NULL },
    { "/a//b=w\n", APR_SUCCESS, 0, 1, NULL },
    { "/a/./b=w\n", APR_SUCCESS, 0, 1, NULL },
    { "/a/..=w\n", APR_SUCCESS, 0, 1, NULL },
    /* extensions */
    { "/a=w;reply_timeout=abc\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:1: error: reply_timeout=abc is not a number from 0 "
      "to 2147483647" },
    { "/a=w;reply_timeout=-1\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;reply_timeout=99999999999\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;sticky_ignore=2\n", AJPLB_ECONFIG, 1, 0,
      "map.properties:1: error: sticky_ignore=2: write sticky_ignore=0 or "
      "sticky_ignore=1" },
    { "/a=w;stateless=yes\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;use_server_errors=1000\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;fail_on_status=-404,abc\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;fail_on_status=99\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;fail_on_status=\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;active=\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;session_cookie=\n", AJPLB_ECONFIG, 1, 0, NULL },
    { "/a=w;foo=1\n", APR_SUCCESS, 0, 1, NULL },
    { "/a=w;foo\n", APR_SUCCESS, 0, 1, NULL },
    { "/a=w;stateless=1;stateless=0\n", APR_SUCCESS, 0, 1, NULL },
    { "/a=w;;  ;\n", APR_SUCCESS, 0, 0, NULL },
    /* T-C18: BOM, CRLF, NUL */
    { "\xEF\xBB\xBF/a=w\r\n/b=w\r\n", APR_SUCCESS, 0, 0, NULL },
    { "/a=w\r\n\r\n", APR_SUCCESS, 0, 0, NULL },
};

START_TEST(test_diags)
{
    const diag_case_t *c = &diag_cases[_i];
    apr_status_t rv;

    map_from(c->config, &rv);
    ck_assert_msg(rv == c->rv, "'%s': rv %d", c->config, rv);
    ck_assert_int_eq(diags->errors, c->errors);
    ck_assert_int_eq(diags->warnings, c->warnings);
    if (c->first != NULL) {
        ck_assert_str_eq(ajplb_diag_format(ajplb_test_pool,
                                           &APR_ARRAY_IDX(diags->items, 0,
                                                          ajplb_diag_t)),
                         c->first);
    }
}
END_TEST

START_TEST(test_nul_byte)
{
    static const char text[] = "/a=w\n/b\0x=w\n/c=w\n";
    ajplb_uri_map_t *m;

    diags = ajplb_diags_make(ajplb_test_pool);
    m = ajplb_uri_map_make(ajplb_test_pool, diags);
    ck_assert_int_eq(ajplb_uri_map_parse(m, "f", text, sizeof(text) - 1),
                     AJPLB_ECONFIG);
    ck_assert_int_eq(ajplb_uri_map_build(m), AJPLB_ECONFIG);
    ck_assert_int_eq(APR_ARRAY_IDX(diags->items, 0, ajplb_diag_t).line, 2);
    ck_assert_str_eq(decide(m, "/c"), "w");
    ck_assert_str_eq(decide(m, "/b"), "-");
}
END_TEST

START_TEST(test_extensions)
{
    const ajplb_uri_rule_t *r;
    ajplb_uri_map_t *m = map_from(
        "/app/*=lb;reply_timeout=5000;sticky_ignore=1;stateless=0;"
        "active=a,b c;disabled=d;stopped=e, f;fail_on_status=-404,500 503;"
        "use_server_errors=400;session_cookie=SID;session_path=;sid;"
        "set_session_cookie=1;session_cookie_path=/app\n"
        "/plain/*=w\n", NULL);

    ck_assert_int_eq(diags->errors + diags->warnings, 0);
    r = ajplb_uri_map_match(m, "/app/x", NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->worker, "lb");
    ck_assert_int_eq(r->ext.reply_timeout, 5000);
    ck_assert_int_eq(r->ext.sticky_ignore, 1);
    ck_assert_int_eq(r->ext.stateless, 0);
    ck_assert_int_eq(r->ext.set_session_cookie, 1);
    ck_assert_int_eq(r->ext.use_server_errors, 400);
    ck_assert_int_eq(r->ext.active->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(r->ext.active, 2, const char *), "c");
    ck_assert_int_eq(r->ext.disabled->nelts, 1);
    ck_assert_int_eq(r->ext.stopped->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(r->ext.stopped, 1, const char *), "f");
    ck_assert_int_eq(r->ext.fail_on_status->nelts, 3);
    ck_assert_int_eq(APR_ARRAY_IDX(r->ext.fail_on_status, 0, int), -404);
    ck_assert_int_eq(APR_ARRAY_IDX(r->ext.fail_on_status, 2, int), 503);
    ck_assert_str_eq(r->ext.session_cookie, "SID");
    ck_assert_str_eq(r->ext.session_path, ";sid");
    ck_assert_str_eq(r->ext.session_cookie_path, "/app");
    ck_assert_str_eq(r->file, "map.properties");
    ck_assert_int_eq(r->line, 1);
    ck_assert_int_eq(r->source, AJPLB_URI_SRC_MOUNTFILE);
    /* As the status worker's dump writes them: a fixed order, lists
     * joined by ','. */
    ck_assert_str_eq(ajplb_uri_ext_text(ajplb_test_pool, &r->ext),
                     "reply_timeout=5000;sticky_ignore=1;stateless=0;"
                     "set_session_cookie=1;use_server_errors=400;"
                     "active=a,b,c;disabled=d;stopped=e,f;"
                     "fail_on_status=-404,500,503;session_cookie=SID;"
                     "session_path=;sid;session_cookie_path=/app");

    r = ajplb_uri_map_match(m, "/plain/x", NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(ajplb_uri_ext_text(ajplb_test_pool, &r->ext), "");
    ck_assert_int_eq(r->ext.reply_timeout, AJPLB_UNSET);
    ck_assert_int_eq(r->ext.sticky_ignore, AJPLB_UNSET);
    ck_assert_ptr_null(r->ext.active);
    ck_assert_ptr_null(r->ext.session_path);
}
END_TEST

START_TEST(test_excluded_by)
{
    const ajplb_uri_rule_t *veto = NULL;
    ajplb_uri_map_t *m = map_from("/app/*=w\n!/app/static/*=w\n", NULL);

    ck_assert_ptr_null(ajplb_uri_map_match(m, "/app/static/a", &veto));
    ck_assert_ptr_nonnull(veto);
    ck_assert_str_eq(veto->pattern, "/app/static/*");
    ck_assert_int_eq(veto->line, 2);
    ck_assert_ptr_nonnull(ajplb_uri_map_match(m, "/app/a", &veto));
    ck_assert_ptr_null(veto);
}
END_TEST

START_TEST(test_literal_and_frozen)
{
    ajplb_uri_map_t *m;

    diags = ajplb_diags_make(ajplb_test_pool);
    m = ajplb_uri_map_make(ajplb_test_pool, diags);
    ck_assert_int_eq(ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/a*b|c",
                                       "w", AJPLB_URI_RULE_LITERAL,
                                       "httpd.conf", 7), APR_SUCCESS);
    ck_assert_ptr_null(ajplb_uri_map_match(m, "/a*b|c", NULL));
    ck_assert_int_eq(ajplb_uri_map_build(m), APR_SUCCESS);
    ck_assert_ptr_nonnull(ajplb_uri_map_match(m, "/a*b|c", NULL));
    ck_assert_ptr_null(ajplb_uri_map_match(m, "/aXb|c", NULL));
    ck_assert_ptr_null(ajplb_uri_map_match(m, "/a*b", NULL));
    ck_assert_int_eq(ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/x", "w",
                                       0, "httpd.conf", 8),
                     AJPLB_EMAPBUILT);
    ck_assert_int_eq(ajplb_uri_map_build(m), AJPLB_EMAPBUILT);
    ck_assert_int_eq(ajplb_uri_map_rules(m)->nelts, 1);
}
END_TEST

/* T-C20-shaped reload: file rules from a new file, JkMount rules copied
 * from the live map, which stays intact when the new file is broken. */
START_TEST(test_reload_copy)
{
    apr_pool_t *p = ajplb_test_pool, *p2;
    ajplb_uri_map_t *live, *next;
    const char *path;
    apr_file_t *f;
    apr_size_t n;
    static const char good[] = "/file/*=wf\n";
    static const char bad[] = "/file/*=wf\nbroken line\n";

    diags = ajplb_diags_make(p);
    live = ajplb_uri_map_make(p, diags);
    ck_assert_int_eq(ajplb_uri_map_add(live, AJPLB_URI_SRC_JKMOUNT,
                                       "/jk/*", "wj;stateless=1", 0,
                                       "httpd.conf", 3), APR_SUCCESS);
    ck_assert_int_eq(ajplb_uri_map_add(live, AJPLB_URI_SRC_MOUNTFILE,
                                       "/old/*", "wo", 0, "m", 1),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_uri_map_build(live), APR_SUCCESS);

    path = apr_psprintf(p, "/tmp/check_uri_map.%ld.properties",
                        (long)getpid());
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_WRITE
                                   | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                                   APR_OS_DEFAULT, p), APR_SUCCESS);
    n = sizeof(good) - 1;
    apr_file_write(f, good, &n);
    apr_file_close(f);

    apr_pool_create(&p2, p);
    next = ajplb_uri_map_make(p2, diags);
    ck_assert_int_eq(ajplb_uri_map_read_file(next, path), APR_SUCCESS);
    ck_assert_int_eq(ajplb_uri_map_copy_source(next, live,
                                               AJPLB_URI_SRC_JKMOUNT),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_uri_map_build(next), APR_SUCCESS);
    ck_assert_str_eq(decide(next, "/file/x"), "wf");
    ck_assert_str_eq(decide(next, "/jk/x"), "wj");
    ck_assert_int_eq(ajplb_uri_map_match(next, "/jk/x", NULL)->ext.stateless,
                     1);
    ck_assert_str_eq(decide(next, "/old/x"), "-");
    ck_assert_str_eq(ajplb_uri_map_match(next, "/file/x", NULL)->file, path);

    /* broken file: the caller keeps "live", which still works */
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_WRITE
                                   | APR_FOPEN_TRUNCATE, APR_OS_DEFAULT, p),
                     APR_SUCCESS);
    n = sizeof(bad) - 1;
    apr_file_write(f, bad, &n);
    apr_file_close(f);
    diags = ajplb_diags_make(p);
    next = ajplb_uri_map_make(p2, diags);
    ck_assert_int_eq(ajplb_uri_map_read_file(next, path), AJPLB_ECONFIG);
    ck_assert_int_eq(ajplb_uri_map_build(next), AJPLB_ECONFIG);
    ck_assert_int_eq(ajplb_diags_first_error(diags)->line, 2);
    apr_pool_destroy(p2);
    ck_assert_str_eq(decide(live, "/old/x"), "wo");
    ck_assert_str_eq(decide(live, "/jk/x"), "wj");

    apr_file_remove(path, p);
    diags = ajplb_diags_make(p);
    next = ajplb_uri_map_make(p, diags);
    ck_assert_int_ne(ajplb_uri_map_read_file(next, path), APR_SUCCESS);
    ck_assert_int_eq(diags->errors, 1);
}
END_TEST

START_TEST(test_rules_sorted)
{
    ajplb_uri_map_t *m = map_from("/*=a\n-/x/y/*=b\n/x/*=c\n/x/yy=d\n",
                                  NULL);
    const apr_array_header_t *r = ajplb_uri_map_rules(m);

    ck_assert_int_eq(r->nelts, 4);
    ck_assert_str_eq(APR_ARRAY_IDX(r, 0, ajplb_uri_rule_t *)->pattern,
                     "/x/y/*");
    ck_assert_int_eq(APR_ARRAY_IDX(r, 0, ajplb_uri_rule_t *)->disabled, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(r, 1, ajplb_uri_rule_t *)->pattern,
                     "/x/yy");
    ck_assert_str_eq(APR_ARRAY_IDX(r, 2, ajplb_uri_rule_t *)->pattern,
                     "/x/*");
    ck_assert_str_eq(APR_ARRAY_IDX(r, 3, ajplb_uri_rule_t *)->pattern, "/*");
    ck_assert_ptr_null(ajplb_uri_map_match(m, "relative", NULL));
    ck_assert_ptr_null(ajplb_uri_map_match(m, "", NULL));
}
END_TEST

/* ---- randomized differential test against a naive linear matcher ---- */

typedef struct {
    const char *pattern;
    const char *worker;
    int exclude, disabled, source, seq, slashes;
    apr_size_t len;
    int wildcard;
} ref_rule_t;

static unsigned long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng_state >> 33) % n);
}

/* Plain recursive matcher: obviously right, exponential in bad cases,
 * fine for the short patterns generated here. */
static int ref_match(const char *p, const char *s)
{
    if (*p == '\0') {
        return *s == '\0';
    }
    if (*p == '*') {
        return ref_match(p + 1, s) || (*s != '\0' && ref_match(p, s + 1));
    }
    if (*s == '\0') {
        return 0;
    }
    return (*p == '?' || *p == *s) && ref_match(p + 1, s + 1);
}

static int ref_better(const ref_rule_t *x, const ref_rule_t *y)
{
    if (x->slashes != y->slashes) {
        return x->slashes > y->slashes;
    }
    if (x->len != y->len) {
        return x->len > y->len;
    }
    if (x->source != y->source) {
        return x->source > y->source;
    }
    if (x->wildcard != y->wildcard) {
        return !x->wildcard;
    }
    return x->seq < y->seq;
}

static const ref_rule_t *ref_decide(const ref_rule_t *rules, int n,
                                    const char *uri)
{
    const ref_rule_t *best = NULL;
    int i;

    for (i = 0; i < n; i++) {
        const ref_rule_t *r = &rules[i];
        if (!r->disabled && !r->exclude && ref_match(r->pattern, uri)
            && (best == NULL || ref_better(r, best))) {
            best = r;
        }
    }
    if (best == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const ref_rule_t *r = &rules[i];
        if (!r->disabled && r->exclude
            && (strcmp(r->worker, "*") == 0
                || strcmp(r->worker, best->worker) == 0)
            && ref_match(r->pattern, uri)) {
            return NULL;
        }
    }
    return best;
}

static char *rand_text(apr_pool_t *p, int wild)
{
    static const char lit[] = "/ab.j";
    int n = 1 + (int)rnd(7), i;
    char *s = apr_palloc(p, (apr_size_t)n + 2);

    s[0] = '/';
    for (i = 1; i <= n; i++) {
        unsigned k = rnd(wild ? 8 : 5);
        s[i] = k < 5 ? lit[k] : (k < 7 ? '*' : '?');
    }
    s[n + 1] = '\0';
    return s;
}

/* A path that some rule probably matches: fill in its wildcards. */
static char *instantiate(apr_pool_t *p, const char *pat)
{
    char *out = apr_palloc(p, strlen(pat) * 4 + 1), *d = out;

    for (; *pat; pat++) {
        if (*pat == '*') {
            int k = (int)rnd(4);
            while (k--) {
                *d++ = "/ab.j"[rnd(5)];
            }
        }
        else if (*pat == '?') {
            *d++ = "/ab.j"[rnd(5)];
        }
        else {
            *d++ = *pat;
        }
    }
    *d = '\0';
    return out;
}

static void differential(int seed, int nrules, int nuris)
{
    apr_pool_t *p = ajplb_test_pool;
    ref_rule_t *rules = apr_pcalloc(p, sizeof(*rules) * (apr_size_t)nrules);
    apr_hash_t *used = apr_hash_make(p);
    ajplb_uri_map_t *m;
    int n = 0, i, hits = 0;

    rng_state = (unsigned long)seed * 7919UL + 1;
    diags = ajplb_diags_make(p);
    m = ajplb_uri_map_make(p, diags);
    for (i = 0; i < nrules; i++) {
        ref_rule_t *r = &rules[n];
        const char *key, *s;
        char wname[8];

        r->exclude = rnd(100) < 10;
        /* Exclusions a little more specific: a catch-all exclusion would
         * veto nearly every path and leave only misses to compare. */
        r->pattern = r->exclude
            ? apr_pstrcat(p, "/b", rand_text(p, 1), NULL)
            : rand_text(p, 1);
        r->disabled = rnd(100) < 5;
        r->source = 1 + (int)rnd(3);
        apr_snprintf(wname, sizeof(wname), "w%u", rnd(4));
        r->worker = apr_pstrdup(p, r->exclude && rnd(4) == 0 ? "*" : wname);
        /* Keep one worker per (source, pattern); the map refuses the
         * rest (tested above), so the reference must not see them. */
        key = apr_psprintf(p, "%d%c%s%s", r->source, r->exclude ? '!' : '=',
                           r->pattern, r->exclude ? r->worker : "");
        if (!r->disabled && apr_hash_get(used, key, APR_HASH_KEY_STRING)) {
            continue;
        }
        if (!r->disabled) {
            apr_hash_set(used, key, APR_HASH_KEY_STRING, r);
        }
        r->seq = n;
        r->len = strlen(r->pattern);
        r->wildcard = strpbrk(r->pattern, "*?") != NULL;
        for (s = r->pattern; *s; s++) {
            r->slashes += *s == '/';
        }
        ck_assert_int_eq(ajplb_uri_map_add(m, (ajplb_uri_source_e)r->source,
                                           apr_pstrcat(p, r->disabled ? "-"
                                                       : "", r->exclude
                                                       ? "!" : "",
                                                       r->pattern, NULL),
                                           r->worker, 0, "rand", n + 1),
                         APR_SUCCESS);
        n++;
    }
    ck_assert_int_eq(diags->errors, 0);
    ck_assert_int_eq(ajplb_uri_map_build(m), APR_SUCCESS);

    for (i = 0; i < nuris; i++) {
        const char *uri = rnd(2) ? rand_text(p, 0)
            : instantiate(p, rules[rnd((unsigned)n)].pattern);
        const ref_rule_t *want = ref_decide(rules, n, uri);
        const ajplb_uri_rule_t *got = ajplb_uri_map_match(m, uri, NULL);

        if (want == NULL) {
            ck_assert_msg(got == NULL, "seed %d uri '%s': got %s=%s, want "
                          "none", seed, uri, got->pattern, got->worker);
        }
        else {
            hits++;
            ck_assert_msg(got != NULL, "seed %d uri '%s': got none, want "
                          "%s=%s", seed, uri, want->pattern, want->worker);
            ck_assert_msg(got->line == want->seq + 1,
                          "seed %d uri '%s': got %s=%s, want %s=%s", seed,
                          uri, got->pattern, got->worker, want->pattern,
                          want->worker);
        }
    }
    ck_assert_int_gt(hits, nuris / 20);
}

START_TEST(test_differential_small)
{
    differential(_i, 40, 2000);
}
END_TEST

START_TEST(test_differential_large)
{
    differential(1000 + _i, 3000, 3000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("uri_map");
    TCase *tc;

    tc = ajplb_test_tcase("decide");
    tcase_add_loop_test(tc, test_decide, 0, N(decide_cases));
    tcase_add_loop_test(tc, test_priority, 0, N(prio_cases));
    tcase_add_test(tc, test_excluded_by);
    tcase_add_test(tc, test_rules_sorted);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("config");
    tcase_add_loop_test(tc, test_diags, 0, N(diag_cases));
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_extensions);
    tcase_add_test(tc, test_literal_and_frozen);
    tcase_add_test(tc, test_reload_copy);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("differential");
    tcase_add_loop_test(tc, test_differential_small, 0, 40);
    tcase_add_loop_test(tc, test_differential_large, 0, 6);
    suite_add_tcase(s, tc);

    return ajplb_test_run(s);
}
