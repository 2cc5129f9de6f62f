/*
 * check_pool.c -- unit tests for the backend connection pool against a
 * listening socket on loopback in the same process.
 */
#include <apr_atomic.h>
#include <apr_network_io.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

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

/* --- threads: the child process runs every pool from many threads ---- */

static volatile apr_uint32_t ajplb__stop;
static volatile apr_uint32_t ajplb__twice;  /* one slot in two hands */
static volatile apr_uint32_t ajplb__nosock; /* a taken slot with no socket */
static volatile apr_uint32_t ajplb__ops;
static ajplb_pool_t *ajplb__pools[2];

/* Accept and close at once: every idle connection is then found closed,
 * so each take closes and reopens one (its connection pool is replaced). */
static void *APR_THREAD_FUNC ajplb__acceptor(apr_thread_t *t, void *data)
{
    apr_pool_t *p;

    apr_pool_create(&p, NULL);
    while (!apr_atomic_read32(&ajplb__stop)) {
        apr_socket_t *s;
        if (apr_socket_accept(&s, ajplb__listener, p) == APR_SUCCESS) {
            apr_socket_close(s);
        }
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    return NULL;
}

static void *APR_THREAD_FUNC ajplb__taker(apr_thread_t *t, void *data)
{
    apr_uint32_t n = 0;

    while (!apr_atomic_read32(&ajplb__stop)) {
        ajplb_pool_t *pool = ajplb__pools[(n++ + (apr_uintptr_t)data) % 2];
        ajplb_conn_t *c;

        if (ajplb_pool_acquire(pool, &c) != APR_SUCCESS) {
            continue;
        }
        /* The codec field is free in this test: use it as an owner
         * mark, so a slot handed to two threads at once shows. */
        if (apr_atomic_casptr((volatile void **)&c->codec, t, NULL)
            != NULL) {
            apr_atomic_inc32(&ajplb__twice);
        }
        if (c->sock == NULL) {
            apr_atomic_inc32(&ajplb__nosock);
        }
        apr_thread_yield();
        apr_atomic_casptr((volatile void **)&c->codec, NULL, t);
        ajplb_pool_release(pool, c, (int)(n & 1));
        apr_atomic_inc32(&ajplb__ops);
    }
    return NULL;
}

/* Issue #12: several workers' pools make slots, close and reopen
 * connections from many threads at once, as in a threaded child under
 * load (slots reaped at once: idle timeout 1us).  No slot may be handed
 * to two threads, none may lose its socket while taken, and the pools
 * must go with their parent pool while idle (no abort in apr_reslist's
 * cleanup).  Before the fix, slots were carved from the shared parent
 * pool under each pool's own lock. */
START_TEST(test_threads_share_nothing)
{
    ajplb_pool_conf_t conf;
    apr_pool_t *parent;
    apr_thread_t *acc, *th[6];
    apr_status_t trv;
    int i;

    ajplb__listen();
    apr_socket_opt_set(ajplb__listener, APR_SO_NONBLOCK, 0);
    apr_pool_create(&parent, ajplb_test_pool);
    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "127.0.0.1";
    conf.port = ajplb__port;
    conf.connect_timeout = apr_time_from_sec(2);
    conf.io_timeout = apr_time_from_sec(2);
    conf.size = 8;
    conf.idle_timeout = 1;
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(ajplb_pool_create(parent, &conf, &ajplb__pools[i]),
                         APR_SUCCESS);
    }
    apr_atomic_set32(&ajplb__stop, 0);
    apr_atomic_set32(&ajplb__ops, 0);
    ck_assert_int_eq(apr_thread_create(&acc, NULL, ajplb__acceptor, NULL,
                                       ajplb_test_pool), APR_SUCCESS);
    for (i = 0; i < 6; i++) {
        ck_assert_int_eq(apr_thread_create(&th[i], NULL, ajplb__taker,
                                           (void *)(apr_uintptr_t)i,
                                           ajplb_test_pool), APR_SUCCESS);
    }
    /* Run a fixed number of take/give rounds, not a fixed time, so a slow
     * or loaded machine gives the same test; the 60 s cap only ends a
     * run that makes no progress (a deadlock), which the count shows. */
    for (i = 0; i < 6000 && apr_atomic_read32(&ajplb__ops) < 2000; i++) {
        apr_sleep(apr_time_from_msec(10));
    }
    apr_atomic_set32(&ajplb__stop, 1);
    for (i = 0; i < 6; i++) {
        apr_thread_join(&trv, th[i]);
    }
    {
        /* Wake the acceptor with one last connection. */
        apr_socket_t *s;
        apr_sockaddr_t *sa;
        apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, ajplb__port, 0,
                              ajplb_test_pool);
        apr_socket_create(&s, APR_INET, SOCK_STREAM, APR_PROTO_TCP,
                          ajplb_test_pool);
        apr_socket_connect(s, sa);
        apr_thread_join(&trv, acc);
        apr_socket_close(s);
    }
    ck_assert_uint_ge(apr_atomic_read32(&ajplb__ops), 2000);
    ck_assert_uint_eq(apr_atomic_read32(&ajplb__twice), 0);
    ck_assert_uint_eq(apr_atomic_read32(&ajplb__nosock), 0);
    /* The child pool goes (child exit): the pools' connections with it. */
    apr_pool_destroy(parent);
}
END_TEST

/* Slots made and reaped as fast as the threads can: the port is closed,
 * so every take makes a slot, fails to connect, gives the slot back and
 * the reaper (idle timeout 1us) destroys it.  Eight pools on one parent,
 * as eight workers in one child. */
static void *APR_THREAD_FUNC ajplb__maker(apr_thread_t *t, void *data)
{
    ajplb_pool_t **pools = data;
    apr_uint32_t n = 0;

    while (!apr_atomic_read32(&ajplb__stop)) {
        ajplb_conn_t *c;

        if (ajplb_pool_acquire(pools[n++ % 8], &c) == APR_SUCCESS) {
            apr_atomic_inc32(&ajplb__twice);
        }
        apr_atomic_inc32(&ajplb__ops);
    }
    return NULL;
}

START_TEST(test_threads_make_slots_at_once)
{
    ajplb_pool_conf_t conf;
    ajplb_pool_t *pools[8];
    apr_pool_t *parent;
    apr_thread_t *th[6];
    apr_status_t trv;
    int i;

    ajplb__listen();
    apr_socket_close(ajplb__listener);
    apr_pool_create(&parent, ajplb_test_pool);
    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "127.0.0.1";
    conf.port = ajplb__port;
    conf.size = 4;
    conf.idle_timeout = 1;
    for (i = 0; i < 8; i++) {
        ck_assert_int_eq(ajplb_pool_create(parent, &conf, &pools[i]),
                         APR_SUCCESS);
    }
    apr_atomic_set32(&ajplb__stop, 0);
    apr_atomic_set32(&ajplb__ops, 0);
    apr_atomic_set32(&ajplb__twice, 0);
    for (i = 0; i < 6; i++) {
        ck_assert_int_eq(apr_thread_create(&th[i], NULL, ajplb__maker,
                                           pools, ajplb_test_pool),
                         APR_SUCCESS);
    }
    apr_sleep(apr_time_from_msec(2500));
    apr_atomic_set32(&ajplb__stop, 1);
    for (i = 0; i < 6; i++) {
        apr_thread_join(&trv, th[i]);
    }
    ck_assert_uint_eq(apr_atomic_read32(&ajplb__twice), 0);
    apr_pool_destroy(parent);
}
END_TEST

/* A prefork child dies from its SIGHUP/SIGTERM handler in the middle of a
 * request: the child pool is destroyed while that request holds a slot.
 * apr_reslist's cleanup asserts that no resource is out, which aborted
 * the child ("reslist_cleanup: Assertion `rl->ntotal == 0'", issue #12);
 * the pool must be left alone instead.  Idle pools still go. */
START_TEST(test_parent_goes_while_taken)
{
    ajplb_pool_conf_t conf;
    ajplb_pool_t *busy, *idle;
    ajplb_conn_t *c, *held;
    apr_pool_t *parent;

    ajplb__listen();
    apr_pool_create(&parent, ajplb_test_pool);
    memset(&conf, 0, sizeof(conf));
    conf.name = "w1";
    conf.host = "127.0.0.1";
    conf.port = ajplb__port;
    conf.size = 2;
    ck_assert_int_eq(ajplb_pool_create(parent, &conf, &busy), APR_SUCCESS);
    ck_assert_int_eq(ajplb_pool_create(parent, &conf, &idle), APR_SUCCESS);
    ck_assert_int_eq(ajplb_pool_acquire(busy, &held), APR_SUCCESS);
    ajplb__accept();
    ck_assert_int_eq(ajplb_pool_acquire(idle, &c), APR_SUCCESS);
    ajplb__accept();
    ajplb_pool_release(idle, c, 1);
    apr_pool_destroy(parent);
    /* Should the request come back after all, the pool goes with it. */
    ajplb_pool_release(busy, held, 1);
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
    tcase_add_test(tc, test_parent_goes_while_taken);
    tcase_add_test(tc, test_threads_share_nothing);
    tcase_add_test(tc, test_threads_make_slots_at_once);
    suite_add_tcase(s, tc);
    return ajplb_test_run(s);
}
