/*
 * check_pool.c -- unit tests for the backend connection pool against a
 * listening socket on loopback in the same process.
 */
#include <apr_network_io.h>
#include <apr_strings.h>

#include "ajplb_pool.h"
#include "test_util.h"

static apr_socket_t *ajplb__listener;
static apr_port_t ajplb__port;

/* Listen on a free loopback port for this test. */
static void ajplb__listen(void)
{
    apr_sockaddr_t *sa;

    ck_assert_int_eq(apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0,
                                           ajplb_test_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&ajplb__listener, APR_INET,
                                       SOCK_STREAM, APR_PROTO_TCP,
                                       ajplb_test_pool), APR_SUCCESS);
    apr_socket_opt_set(ajplb__listener, APR_SO_REUSEADDR, 1);
    ck_assert_int_eq(apr_socket_bind(ajplb__listener, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_listen(ajplb__listener, 16), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_addr_get(&sa, APR_LOCAL, ajplb__listener),
                     APR_SUCCESS);
    ajplb__port = sa->port;
}

static apr_socket_t *ajplb__accept(void)
{
    apr_socket_t *s;

    ck_assert_int_eq(apr_socket_accept(&s, ajplb__listener, ajplb_test_pool),
                     APR_SUCCESS);
    return s;
}

static ajplb_pool_t *ajplb__pool(int size, apr_interval_time_t acquire)
{
    ajplb_pool_conf_t conf;
    ajplb_pool_t *pool;

    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "127.0.0.1";
    conf.port = ajplb__port;
    conf.connect_timeout = apr_time_from_sec(2);
    conf.io_timeout = apr_time_from_sec(2);
    conf.size = size;
    conf.acquire_timeout = acquire;
    ck_assert_int_eq(ajplb_pool_create(ajplb_test_pool, &conf, &pool),
                     APR_SUCCESS);
    return pool;
}

START_TEST(test_connects_on_first_use)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c;
    int open, max;

    ajplb__listen();
    pool = ajplb__pool(2, 0);
    ajplb_pool_counts(pool, &open, &max);
    ck_assert_int_eq(open, 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    ck_assert_ptr_nonnull(c->sock);
    ck_assert_int_eq(c->reused, 0);
    ajplb__accept();
    ajplb_pool_counts(pool, &open, &max);
    ck_assert_int_eq(open, 1);
    ck_assert_int_eq(max, 1);
    ajplb_pool_release(pool, c, 1);
}
END_TEST

START_TEST(test_reuses_idle_connection)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c1, *c2;
    apr_socket_t *s1;

    ajplb__listen();
    pool = ajplb__pool(2, 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c1), APR_SUCCESS);
    s1 = c1->sock;
    ajplb__accept();
    ajplb_pool_release(pool, c1, 1);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c2), APR_SUCCESS);
    ck_assert_ptr_eq(c2, c1);
    ck_assert_ptr_eq(c2->sock, s1);
    ck_assert_int_eq(c2->reused, 1);
    ck_assert_int_eq((int)c2->served, 1);
    ajplb_pool_release(pool, c2, 1);
}
END_TEST

/* T-B15: a connection released as not reusable is closed, not pooled. */
START_TEST(test_not_reusable_closes)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c;
    int open, max;

    ajplb__listen();
    pool = ajplb__pool(2, 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    ajplb__accept();
    ajplb_pool_release(pool, c, 0);
    ajplb_pool_counts(pool, &open, &max);
    ck_assert_int_eq(open, 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    ck_assert_int_eq(c->reused, 0);
    ajplb__accept();
    ajplb_pool_release(pool, c, 1);
}
END_TEST

/* The backend closed an idle connection (Tomcat keepAliveTimeout or a
 * firewall): the pool must notice and open a new one, not hand it out. */
START_TEST(test_peer_closed_idle_is_replaced)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c;
    apr_socket_t *srv;

    ajplb__listen();
    pool = ajplb__pool(1, 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    srv = ajplb__accept();
    ajplb_pool_release(pool, c, 1);
    apr_socket_close(srv);
    apr_sleep(apr_time_from_msec(50));
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    ck_assert_int_eq(c->reused, 0);
    ck_assert_ptr_nonnull(c->sock);
    ajplb__accept();
    ajplb_pool_release(pool, c, 1);
}
END_TEST

/* Bytes waiting on an idle connection belong to no request: discard it
 * (T-B15). */
START_TEST(test_stray_bytes_discard)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c;
    apr_socket_t *srv;
    apr_size_t n = 5;

    ajplb__listen();
    pool = ajplb__pool(1, 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    srv = ajplb__accept();
    ajplb_pool_release(pool, c, 1);
    ck_assert_int_eq(apr_socket_send(srv, "AB\0\1\5", &n), APR_SUCCESS);
    apr_sleep(apr_time_from_msec(50));
    ck_assert_int_eq(ajplb_pool_sock_is_idle_clean(c->sock), 0);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    ck_assert_int_eq(c->reused, 0);
    ajplb__accept();
    ck_assert_int_eq(ajplb_pool_sock_is_idle_clean(c->sock), 1);
    ajplb_pool_release(pool, c, 1);
}
END_TEST

/* T-G12: the pool is capped; a request waits a bounded time for a slot. */
START_TEST(test_full_pool_times_out)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c1, *c2;

    ajplb__listen();
    pool = ajplb__pool(1, apr_time_from_msec(100));
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c1), APR_SUCCESS);
    ajplb__accept();
    ck_assert_int_eq(APR_STATUS_IS_TIMEUP(ajplb_pool_acquire(pool, &c2)), 1);
    ajplb_pool_release(pool, c1, 1);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c2), APR_SUCCESS);
    ck_assert_ptr_eq(c2, c1);
    ajplb_pool_release(pool, c2, 1);
}
END_TEST

/* T-O10: a refused connection is an error, not a hang or a loop. */
START_TEST(test_connect_refused)
{
    ajplb_pool_t *pool;
    ajplb_conn_t *c;
    apr_status_t rv;
    int open, max;

    ajplb__listen();
    apr_socket_close(ajplb__listener);
    pool = ajplb__pool(1, apr_time_from_msec(100));
    rv = ajplb_pool_acquire(pool, &c);
    ck_assert_int_eq(APR_STATUS_IS_ECONNREFUSED(rv), 1);
    ajplb_pool_counts(pool, &open, &max);
    ck_assert_int_eq(open, 0);
    /* The slot was handed back: a second try fails the same way instead
     * of waiting for a slot. */
    rv = ajplb_pool_acquire(pool, &c);
    ck_assert_int_eq(APR_STATUS_IS_ECONNREFUSED(rv), 1);
}
END_TEST

/* T-O11: a host that does not resolve is an error, never a crash. */
START_TEST(test_unresolvable_host)
{
    ajplb_pool_conf_t conf;
    ajplb_pool_t *pool;

    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "no-such-host.invalid";
    conf.port = 8009;
    conf.size = 1;
    ck_assert_int_ne(ajplb_pool_create(ajplb_test_pool, &conf, &pool),
                     APR_SUCCESS);
}
END_TEST

START_TEST(test_idle_timeout_closes)
{
    ajplb_pool_conf_t conf;
    ajplb_pool_t *pool;
    ajplb_conn_t *c;
    int open, max;

    ajplb__listen();
    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "127.0.0.1";
    conf.port = ajplb__port;
    conf.size = 2;
    conf.idle_timeout = apr_time_from_msec(20);
    ck_assert_int_eq(ajplb_pool_create(ajplb_test_pool, &conf, &pool),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_pool_acquire(pool, &c), APR_SUCCESS);
    ajplb__accept();
    ajplb_pool_release(pool, c, 1);
    apr_sleep(apr_time_from_msec(60));
    ajplb_pool_maintain(pool);
    ajplb_pool_counts(pool, &open, &max);
    ck_assert_int_eq(open, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = ajplb_test_tcase("pool");

    tcase_add_test(tc, test_connects_on_first_use);
    tcase_add_test(tc, test_reuses_idle_connection);
    tcase_add_test(tc, test_not_reusable_closes);
    tcase_add_test(tc, test_peer_closed_idle_is_replaced);
    tcase_add_test(tc, test_stray_bytes_discard);
    tcase_add_test(tc, test_full_pool_times_out);
    tcase_add_test(tc, test_connect_refused);
    tcase_add_test(tc, test_unresolvable_host);
    tcase_add_test(tc, test_idle_timeout_closes);
    suite_add_tcase(s, tc);
    return ajplb_test_run(s);
}
