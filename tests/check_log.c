/*
 * check_log.c -- unit tests for the mod_jk.log writer: no input can start
 * a line of its own (log forging), escapes as httpd's access log writes
 * them, clean text untouched, escapes never cut in half.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "test_util.h"
#include "ajplb_log.h"

typedef struct {
    const char *in;
    int quote;
    const char *out;
} ajplb__esc_case_t;

static const ajplb__esc_case_t ajplb__esc_cases[] = {
    {"/app/index.jsp?a=1", 1, "/app/index.jsp?a=1"},
    {"/a\n[Wed Dec 02] [error] forged", 0,
     "/a\\n[Wed Dec 02] [error] forged"},
    {"a\rb\tc", 0, "a\\rb\\tc"},
    {"a\x01" "b\x7f" "c\x1b", 0, "a\\x01b\\x7fc\\x1b"},
    {"caf\xc3\xa9", 0, "caf\\xc3\\xa9"},
    {"back\\slash", 0, "back\\\\slash"},
    {"say \"hi\"", 0, "say \"hi\""},
    {"say \"hi\"", 1, "say \\\"hi\\\""},
    {"", 1, ""},
};

/* Log forging: escapes as httpd's access log writes them. */
START_TEST(test_escape)
{
    const ajplb__esc_case_t *c = &ajplb__esc_cases[_i];
    char buf[256];
    apr_size_t n = ajplb_log_escape(buf, sizeof(buf), c->in, strlen(c->in),
                                    c->quote);

    ck_assert_str_eq(buf, c->out);
    ck_assert_uint_eq(n, strlen(c->out));
}
END_TEST

/* A full buffer ends before an escape, never inside one. */
START_TEST(test_escape_room)
{
    char buf[6];
    apr_size_t n;

    n = ajplb_log_escape(buf, sizeof(buf), "abc\ndef", 7, 0);
    ck_assert_str_eq(buf, "abc\\n");
    ck_assert_uint_eq(n, 5);
    n = ajplb_log_escape(buf, sizeof(buf), "abcd\n", 5, 0);
    ck_assert_str_eq(buf, "abcd");
    n = ajplb_log_escape(buf, sizeof(buf), "ab\x01", 3, 0);
    ck_assert_str_eq(buf, "ab");
    ck_assert_uint_eq(n, 2);
    n = ajplb_log_escape(buf, 1, "abc", 3, 0);
    ck_assert_str_eq(buf, "");
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* The whole line through ajplb_log_write: one line, whatever the input. */
START_TEST(test_write_one_line)
{
    char path[] = "/tmp/ajplb_check_log_XXXXXX";
    int fd = mkstemp(path);
    apr_file_t *f;
    ajplb_log_t log;
    char text[8192];
    apr_size_t n = sizeof(text) - 1;
    int lines = 0;
    char *p;

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_WRITE
                                   | APR_FOPEN_APPEND, APR_OS_DEFAULT,
                                   ajplb_test_pool), APR_SUCCESS);
    memset(&log, 0, sizeof(log));
    log.file = f;
    log.level = AJPLB_LOG_TRACE;
    ajplb_log_write(&log, AJPLB_LOG_ERROR, NULL, "uri %s failed",
                    "/x\n[Wed Dec 02 06:00:00.000 2026] [1:2] [info] "
                    "forged\r\n");
    ajplb_log_write(&log, AJPLB_LOG_INFO, "id1", "plain %d", 42);
    apr_file_close(f);
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT,
                                   ajplb_test_pool), APR_SUCCESS);
    apr_file_read_full(f, text, n, &n);
    apr_file_close(f);
    unlink(path);
    text[n] = '\0';
    for (p = text; *p; p++) {
        lines += *p == '\n';
    }
    ck_assert_msg(lines == 2, "two writes, %d lines:\n%s", lines, text);
    ck_assert_msg(strstr(text, "uri /x\\n[Wed Dec 02") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "forged\\r\\n failed\n") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "[info] [id1] plain 42\n") != NULL, "%s",
                  text);
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = ajplb_test_tcase("escape");

    tcase_add_loop_test(tc, test_escape, 0, sizeof(ajplb__esc_cases)
                        / sizeof(ajplb__esc_cases[0]));
    tcase_add_test(tc, test_escape_room);
    tcase_add_test(tc, test_write_one_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
