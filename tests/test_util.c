/*
 * test_util.c -- APR fixture and helpers for the Check unit tests.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "test_util.h"

apr_pool_t *ajplb_test_pool;

void ajplb_test_setup(void)
{
    apr_initialize();
    ck_assert_int_eq(apr_pool_create(&ajplb_test_pool, NULL), APR_SUCCESS);
}

void ajplb_test_teardown(void)
{
    apr_pool_destroy(ajplb_test_pool);
    ajplb_test_pool = NULL;
    apr_terminate();
}

TCase *ajplb_test_tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, ajplb_test_setup, ajplb_test_teardown);
    tcase_set_timeout(tc, 60);
    return tc;
}

static int ajplb__test_nibble(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

unsigned char *ajplb_test_hex(const char *hex, apr_size_t *len)
{
    apr_size_t cap = strlen(hex) / 2 + 1;
    unsigned char *out = apr_palloc(ajplb_test_pool, cap);
    apr_size_t n = 0;
    int hi = -1;

    for (; *hex; hex++) {
        int v;
        if (isspace((unsigned char)*hex)) {
            continue;
        }
        v = ajplb__test_nibble((unsigned char)*hex);
        ck_assert_msg(v >= 0, "bad hex digit '%c'", *hex);
        if (hi < 0) {
            hi = v;
        }
        else {
            out[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    ck_assert_msg(hi < 0, "odd number of hex digits");
    *len = n;
    return out;
}

const char *ajplb_test_diags_text(const ajplb_diags_t *d)
{
    const char *s = "";
    int i;

    for (i = 0; i < d->items->nelts; i++) {
        s = apr_pstrcat(ajplb_test_pool, s, "\n  ",
                        ajplb_diag_format(ajplb_test_pool,
                            &APR_ARRAY_IDX(d->items, i, ajplb_diag_t)),
                        NULL);
    }
    return s;
}

int ajplb_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
