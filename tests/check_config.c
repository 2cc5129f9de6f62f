/*
 * check_config.c -- unit tests for the worker model: strict parsers,
 * every default, every error and warning with its file:line, lb member
 * resolution, the data files under tests/data/workers, 10,000 workers;
 * and the httpd.conf warnings the module and `ajplb check` share
 * (ajplb_conf_check.c).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "test_util.h"
#include "ajplb_conf_check.h"
#include "ajplb_config.h"

static ajplb_diags_t *ajplb__d;
static ajplb_props_t *ajplb__pr;
static ajplb_model_t *ajplb__m;

static const ajplb_model_defaults_t ajplb__defs = {120, 16};

static apr_status_t ajplb__build(const char *text)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ajplb__m = NULL;
    (void)ajplb_props_read_buffer(ajplb__pr, text, strlen(text),
                                  "t.properties");
    return ajplb_model_build(ajplb_test_pool, ajplb__pr, &ajplb__defs,
                             ajplb__d, &ajplb__m);
}

static apr_status_t ajplb__build_file(const char *path)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ajplb__m = NULL;
    (void)ajplb_props_read_file(ajplb__pr, path);
    return ajplb_model_build(ajplb_test_pool, ajplb__pr, &ajplb__defs,
                             ajplb__d, &ajplb__m);
}

/* Every diagnostic so far, for assertion messages. */
static const char *ajplb__all(void)
{
    return ajplb_test_diags_text(ajplb__d);
}

static int ajplb__has(ajplb_diag_level_e level, const char *file, int line,
                      const char *phrase)
{
    int i;

    for (i = 0; i < ajplb__d->items->nelts; i++) {
        const ajplb_diag_t *dg = &APR_ARRAY_IDX(ajplb__d->items, i,
                                                ajplb_diag_t);
        if (dg->level == level && dg->line == line && dg->file != NULL
            && strcmp(dg->file, file) == 0 && strstr(dg->msg, phrase)) {
            return 1;
        }
    }
    return 0;
}

static ajplb_worker_t *ajplb__w(const char *name)
{
    ajplb_worker_t *w = ajplb_model_find(ajplb__m, name);

    ck_assert_msg(w != NULL, "no worker '%s'", name);
    return w;
}

/* T-G11: a value made of a secret variable is not quoted by the messages
 * about a bad value, while the key and the line still are. */
START_TEST(test_bad_value_from_secret_hidden)
{
    (void)ajplb__build("tcpass=TopSecret9\n"
                       "worker.list=w1\n"
                       "worker.w1.type=ajp13\n"
                       "worker.w1.host=127.0.0.1\n"
                       "worker.w1.port=$(tcpass)\n");
    ck_assert_msg(ajplb__has(AJPLB_DIAG_ERROR, "t.properties", 5, "port"),
                  "%s", ajplb__all());
    ck_assert_msg(strstr(ajplb__all(), "TopSecret9") == NULL,
                  "T-G11: a diagnostic shows the secret:\n%s", ajplb__all());
}
END_TEST

/* Traffic properties on a worker outside every lb would be silently
 * ignored: configtest says so, at the line; on a member it says nothing. */
START_TEST(test_traffic_outside_lb_warns)
{
    (void)ajplb__build("worker.list=w1,lb\n"
                       "worker.w1.type=ajp13\n"
                       "worker.w1.host=127.0.0.1\n"
                       "worker.w1.secret=s\n"
                       "worker.w1.health_check=/h\n"
                       "worker.m1.type=ajp13\n"
                       "worker.m1.host=127.0.0.1\n"
                       "worker.m1.secret=s\n"
                       "worker.m1.slow_start=20\n"
                       "worker.lb.type=lb\n"
                       "worker.lb.balance_workers=m1\n");
    ck_assert_msg(ajplb__has(AJPLB_DIAG_WARN, "t.properties", 5,
                             "health_check of worker 'w1' has no effect"),
                  "%s", ajplb__all());
    ck_assert_msg(strstr(ajplb__all(), "'m1' has no effect") == NULL,
                  "%s", ajplb__all());
}
END_TEST

/* ------------------------------------------------------------ parsers */

typedef struct {
    const char *s;
    int min, max;
    apr_status_t rv;
    int value;
} ajplb__int_case_t;

static const ajplb__int_case_t ajplb__ints[] = {
    {"0", 0, 10, APR_SUCCESS, 0},
    {"10", 0, 10, APR_SUCCESS, 10},
    {"007", 0, 10, APR_SUCCESS, 7},
    {"+5", 0, 10, APR_SUCCESS, 5},
    {"-5", -10, 10, APR_SUCCESS, -5},
    {"11", 0, 10, APR_ERANGE, 0},
    {"-1", 0, 10, APR_ERANGE, 0},
    {"8009abc", 0, 65535, APR_EINVAL, 0},
    {"99999", 0, 65535, APR_ERANGE, 0},
    {"99999999999999999999999999", 0, 65535, APR_ERANGE, 0},
    {"-99999999999999999999999999", -5, 65535, APR_ERANGE, 0},
    {"2147483648", 0, 2147483647, APR_ERANGE, 0},
    {"2147483647", 0, 2147483647, APR_SUCCESS, 2147483647},
    {"", 0, 10, APR_EINVAL, 0},
    {"-", 0, 10, APR_EINVAL, 0},
    {"+", 0, 10, APR_EINVAL, 0},
    {" 1", 0, 10, APR_EINVAL, 0},
    {"1 ", 0, 10, APR_EINVAL, 0},
    {"0x10", 0, 100, APR_EINVAL, 0},
    {"1e9", 0, 100, APR_EINVAL, 0},
    {"10k", 0, 100, APR_EINVAL, 0},
    {"2147483647k", 0, 65536, APR_EINVAL, 0},
    {"1.5", 0, 100, APR_EINVAL, 0},
    {"--1", -10, 100, APR_EINVAL, 0},
};

START_TEST(test_parse_int)
{
    const ajplb__int_case_t *c = &ajplb__ints[_i];
    int v = -12345;

    ck_assert_int_eq(ajplb_parse_int(c->s, c->min, c->max, &v), c->rv);
    if (c->rv == APR_SUCCESS) {
        ck_assert_int_eq(v, c->value);
    }
    else {
        ck_assert_int_eq(v, -12345);
    }
}
END_TEST

typedef struct {
    const char *s;
    int ok;
    int value;
} ajplb__bool_case_t;

static const ajplb__bool_case_t ajplb__bools[] = {
    {"1", 1, 1}, {"0", 1, 0}, {"on", 1, 1}, {"ON", 1, 1}, {"off", 1, 0},
    {"Off", 1, 0}, {"true", 1, 1}, {"True", 1, 1}, {"false", 1, 0},
    {"FALSE", 1, 0}, {"yes", 1, 1}, {"Y", 1, 1}, {"no", 1, 0}, {"N", 1, 0},
    {"t", 1, 1}, {"f", 1, 0}, {"maybe", 0, 0}, {"", 0, 0}, {"2", 0, 0},
    {"10", 0, 0}, {"x", 0, 0}, {"o", 0, 0},
};

START_TEST(test_parse_bool)
{
    const ajplb__bool_case_t *c = &ajplb__bools[_i];
    int v = -1;

    ck_assert_int_eq(ajplb_parse_bool(c->s, &v) == APR_SUCCESS, c->ok);
    if (c->ok) {
        ck_assert_int_eq(v, c->value);
    }
}
END_TEST

typedef struct {
    int which;                  /* 0 activation, 1 method, 2 lock, 3 ping */
    const char *s;
    int ok;
    int value;
} ajplb__enum_case_t;

static const ajplb__enum_case_t ajplb__enums[] = {
    {0, "A", 1, AJPLB_ACTIVATION_ACTIVE},
    {0, "active", 1, AJPLB_ACTIVATION_ACTIVE},
    {0, "D", 1, AJPLB_ACTIVATION_DISABLED},
    {0, "disabled", 1, AJPLB_ACTIVATION_DISABLED},
    {0, "s", 1, AJPLB_ACTIVATION_STOPPED},
    {0, "0", 1, AJPLB_ACTIVATION_ACTIVE},
    {0, "1", 1, AJPLB_ACTIVATION_DISABLED},
    {0, "2", 1, AJPLB_ACTIVATION_STOPPED},
    {0, "3", 0, 0}, {0, "X", 0, 0}, {0, "", 0, 0}, {0, "12", 0, 0},
    {1, "R", 1, AJPLB_LB_METHOD_REQUEST},
    {1, "Request", 1, AJPLB_LB_METHOD_REQUEST},
    {1, "T", 1, AJPLB_LB_METHOD_TRAFFIC},
    {1, "busyness", 1, AJPLB_LB_METHOD_BUSYNESS},
    {1, "S", 1, AJPLB_LB_METHOD_SESSION},
    {1, "Next", 1, AJPLB_LB_METHOD_NEXT},
    {1, "4", 1, AJPLB_LB_METHOD_NEXT},
    {1, "5", 0, 0}, {1, "Z", 0, 0},
    {2, "O", 1, AJPLB_LB_LOCK_OPTIMISTIC},
    {2, "pessimistic", 1, AJPLB_LB_LOCK_PESSIMISTIC},
    {2, "1", 1, AJPLB_LB_LOCK_PESSIMISTIC},
    {2, "2", 0, 0}, {2, "X", 0, 0},
    {3, "", 1, 0},
    {3, "C", 1, AJPLB_PING_CONNECT},
    {3, "P", 1, AJPLB_PING_PREPOST},
    {3, "I", 1, AJPLB_PING_INTERVAL},
    {3, "CI", 1, AJPLB_PING_CONNECT | AJPLB_PING_INTERVAL},
    {3, "A", 1, AJPLB_PING_ALL},
    {3, "cp", 1, AJPLB_PING_CONNECT | AJPLB_PING_PREPOST},
    {3, "CX", 0, 0}, {3, " C", 0, 0},
};

START_TEST(test_parse_enum)
{
    const ajplb__enum_case_t *c = &ajplb__enums[_i];
    apr_status_t rv;
    int v = -1;

    if (c->which == 0) {
        ajplb_activation_e a;
        rv = ajplb_parse_activation(c->s, &a);
        v = (int)a;
    }
    else if (c->which == 1) {
        ajplb_lb_method_e m;
        rv = ajplb_parse_method(c->s, &m);
        v = (int)m;
    }
    else if (c->which == 2) {
        ajplb_lb_lock_e l;
        rv = ajplb_parse_lock(c->s, &l);
        v = (int)l;
    }
    else {
        unsigned int pm;
        rv = ajplb_parse_ping_mode(c->s, &pm);
        v = (int)pm;
    }
    ck_assert_int_eq(rv == APR_SUCCESS, c->ok);
    if (c->ok) {
        ck_assert_int_eq(v, c->value);
    }
}
END_TEST

START_TEST(test_split_and_names)
{
    apr_array_header_t *a = ajplb_split_list(ajplb_test_pool,
                                             " a, b ,,c\td ");

    ck_assert_int_eq(a->nelts, 4);
    ck_assert_str_eq(APR_ARRAY_IDX(a, 0, const char *), "a");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 3, const char *), "d");
    ck_assert_int_eq(ajplb_split_list(ajplb_test_pool, "")->nelts, 0);
    ck_assert(ajplb_name_is_valid("ajp13_worker-1"));
    ck_assert(!ajplb_name_is_valid(""));
    ck_assert(!ajplb_name_is_valid("a.b"));
    ck_assert(!ajplb_name_is_valid("a b"));
    ck_assert(!ajplb_name_is_valid("a;b"));
    ck_assert(ajplb_name_is_valid(
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"));
    ck_assert(!ajplb_name_is_valid(
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd"));
}
END_TEST

START_TEST(test_table)
{
    const ajplb_propdef_t *d;
    int i, n = 0;

    for (i = 0; (d = ajplb_propdef_at(i)) != NULL; i++) {
        ck_assert_ptr_eq(ajplb_propdef_find(d->name), d);
        if (d->kind == AJPLB_PROP_INT) {
            ck_assert_msg(d->min <= d->max, "%s", d->name);
        }
        if (d->replaced_by == NULL) {
            ck_assert_msg(d->defval != NULL, "%s has no default", d->name);
        }
        n++;
    }
    ck_assert_int_ge(n, 70);
    ck_assert_ptr_null(ajplb_propdef_find("nope"));
    ck_assert_str_eq(ajplb_propdef_suggest("secrte", 0), "secret");
    ck_assert_ptr_null(ajplb_propdef_suggest("zzzzzzzz", 0));
    ck_assert_str_eq(ajplb_worker_type_name(AJPLB_WORKER_LB), "lb");
}
END_TEST

/* ----------------------------------------------------------- defaults */

typedef struct {
    const char *field;
    size_t off;
    int expect;
} ajplb__int_default_t;

#define AJPLB__D(f, v) {#f, offsetof(ajplb_worker_t, f), v}

static const ajplb__int_default_t ajplb__ajp_defaults[] = {
    AJPLB__D(port, 8009), AJPLB__D(prefer_ipv6, 0),
    AJPLB__D(socket_timeout, 120), AJPLB__D(socket_connect_timeout, 3000),
    AJPLB__D(socket_keepalive, 0), AJPLB__D(socket_buffer, 0),
    AJPLB__D(ping_timeout, 10000), AJPLB__D(connect_timeout, 0),
    AJPLB__D(prepost_timeout, 0), AJPLB__D(connection_ping_interval, 0),
    AJPLB__D(connection_pool_size, 16), AJPLB__D(connection_pool_minsize, 8),
    AJPLB__D(connection_pool_timeout, 300),
    AJPLB__D(connection_acquire_timeout, 200),
    AJPLB__D(reply_timeout, 120000), AJPLB__D(recovery_options, 0),
    AJPLB__D(busy_limit, 0), AJPLB__D(body_window, 0), AJPLB__D(lbfactor, 1),
    AJPLB__D(distance, 0),
    AJPLB__D(activation, AJPLB_ACTIVATION_ACTIVE), AJPLB__D(retries, 2),
    AJPLB__D(retry_interval, 100), AJPLB__D(max_packet_size, 8192),
    AJPLB__D(ping_mode, 0), AJPLB__D(secret_inherited, 0),
};

static const ajplb__int_default_t ajplb__lb_defaults[] = {
    AJPLB__D(sticky_session, 1), AJPLB__D(sticky_session_force, 0),
    AJPLB__D(set_session_cookie, 0),
    AJPLB__D(method, AJPLB_LB_METHOD_REQUEST),
    AJPLB__D(lock, AJPLB_LB_LOCK_OPTIMISTIC), AJPLB__D(retries, 2),
    AJPLB__D(lb_retries, 2), AJPLB__D(retry_interval, 100),
    AJPLB__D(recover_time, 60), AJPLB__D(error_escalation_time, 30),
    AJPLB__D(max_reply_timeouts, 1), AJPLB__D(max_packet_size, 8192),
};

static const ajplb__int_default_t ajplb__status_defaults[] = {
    AJPLB__D(read_only, 1), AJPLB__D(user_case_insensitive, 0),
};

/* T-G12: every timeout has a finite default (socket, connect, reply, ping,
 * pool), unlike mod_jk's zeros. */
START_TEST(test_ajp_defaults)
{
    const ajplb__int_default_t *c = &ajplb__ajp_defaults[_i];
    ajplb_worker_t *w;

    ck_assert_int_eq(ajplb__build("worker.list=w\nworker.w.secret=s\n"),
                     APR_SUCCESS);
    w = ajplb__w("w");
    ck_assert_msg(*(int *)((char *)w + c->off) == c->expect,
                  "%s is %d, expected %d", c->field,
                  *(int *)((char *)w + c->off), c->expect);
}
END_TEST

START_TEST(test_lb_defaults)
{
    const ajplb__int_default_t *c = &ajplb__lb_defaults[_i];
    ajplb_worker_t *w;

    ck_assert_int_eq(ajplb__build("worker.list=l\nworker.l.type=lb\n"
                                  "worker.l.balance_workers=a\n"
                                  "worker.l.secret=s\nworker.a.port=1\n"),
                     APR_SUCCESS);
    w = ajplb__w("l");
    ck_assert_msg(*(int *)((char *)w + c->off) == c->expect,
                  "%s is %d, expected %d", c->field,
                  *(int *)((char *)w + c->off), c->expect);
}
END_TEST

START_TEST(test_status_defaults)
{
    const ajplb__int_default_t *c = &ajplb__status_defaults[_i];
    ajplb_worker_t *w;

    ck_assert_int_eq(ajplb__build("worker.list=s\nworker.s.type=status\n"),
                     APR_SUCCESS);
    w = ajplb__w("s");
    ck_assert_int_eq(w->type, AJPLB_WORKER_STATUS);
    ck_assert_int_eq(*(int *)((char *)w + c->off), c->expect);
}
END_TEST

START_TEST(test_string_defaults)
{
    ajplb_worker_t *w;

    ck_assert_int_eq(ajplb__build("worker.list=w,l,s\nworker.w.secret=x\n"
                                  "worker.l.type=lb\nworker.l.secret=x\n"
                                  "worker.l.balance_workers=w\n"
                                  "worker.s.type=status\n"), APR_SUCCESS);
    w = ajplb__w("w");
    ck_assert_int_eq(w->type, AJPLB_WORKER_AJP13);
    ck_assert_str_eq(w->host, "localhost");
    ck_assert_str_eq(w->source, "");
    ck_assert_str_eq(w->route, "w");
    ck_assert_str_eq(w->domain, "");
    ck_assert_str_eq(w->redirect, "");
    ck_assert_str_eq(w->secret, "x");
    ck_assert_int_eq(w->fail_on_status->nelts, 0);
    ck_assert_int_eq(w->mounts->nelts, 0);
    w = ajplb__w("l");
    ck_assert_str_eq(w->session_cookie, "JSESSIONID");
    ck_assert_str_eq(w->session_path, ";jsessionid");
    ck_assert_str_eq(w->session_cookie_path, "/");
    w = ajplb__w("s");
    ck_assert_str_eq(w->css, "");
    ck_assert_str_eq(w->good, "a.o,a.i,a.b,a.r");
    ck_assert_str_eq(w->bad, "s,e");
    ck_assert_str_eq(w->prefix, "worker");
    ck_assert_str_eq(w->ns, "jk:");
    ck_assert_str_eq(w->xmlns, "xmlns:jk=\"http://tomcat.apache.org\"");
    ck_assert_str_eq(w->doctype, "");
    ck_assert_int_eq(w->users->nelts, 0);
    ck_assert_int_eq(ajplb__m->maintain, 60);
}
END_TEST

START_TEST(test_defaults_from_httpd)
{
    ajplb_model_defaults_t none = {0, 0};
    ajplb_worker_t *w;

    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ajplb_props_add_line(ajplb__pr, "worker.list=w", "c", 1);
    ck_assert_int_eq(ajplb_model_build(ajplb_test_pool, ajplb__pr, &none,
                                       ajplb__d, &ajplb__m), APR_SUCCESS);
    w = ajplb__w("w");
    ck_assert_int_eq(w->socket_timeout, 60);
    ck_assert_int_eq(w->reply_timeout, 60000);
    ck_assert_int_eq(w->connection_pool_size, 1);
    ck_assert_int_eq(w->connection_pool_minsize, 1);
    ck_assert_int_eq(ajplb_model_build(ajplb_test_pool, ajplb__pr, NULL,
                                       ajplb__d, &ajplb__m), APR_SUCCESS);
    ck_assert_int_eq(ajplb_model_build(ajplb_test_pool, NULL, NULL,
                                       ajplb__d, &ajplb__m), APR_EINVAL);
}
END_TEST

/* ------------------------------------------------------ valid values */

typedef struct {
    const char *line;           /* property of worker w (ajp13) or l (lb) */
    size_t off;
    int expect;
} ajplb__value_case_t;

#define AJPLB__V(l, f, v) {l, offsetof(ajplb_worker_t, f), v}

static const ajplb__value_case_t ajplb__values[] = {
    AJPLB__V("worker.w.port=8010", port, 8010),
    AJPLB__V("worker.w.port=65535", port, 65535),
    AJPLB__V("worker.w.host=h:8011", port, 8011),
    AJPLB__V("worker.w.host=[::1]:8012", port, 8012),
    AJPLB__V("worker.w.socket_timeout=5", socket_timeout, 5),
    AJPLB__V("worker.w.socket_connect_timeout=750",
             socket_connect_timeout, 750),
    AJPLB__V("worker.w.socket_keepalive=yes", socket_keepalive, 1),
    AJPLB__V("worker.w.socket_buffer=100", socket_buffer, 8192),
    AJPLB__V("worker.w.socket_buffer=65536", socket_buffer, 65536),
    AJPLB__V("worker.w.prefer_ipv6=on", prefer_ipv6, 1),
    AJPLB__V("worker.w.ping_mode=A", ping_mode, AJPLB_PING_ALL),
    AJPLB__V("worker.w.ping_timeout=2000", ping_timeout, 2000),
    AJPLB__V("worker.w.connect_timeout=500", ping_mode, AJPLB_PING_CONNECT),
    AJPLB__V("worker.w.prepost_timeout=500", ping_mode, AJPLB_PING_PREPOST),
    AJPLB__V("worker.w.ping_mode=I", connection_ping_interval, 100),
    AJPLB__V("worker.w.connection_ping_interval=7",
             connection_ping_interval, 7),
    AJPLB__V("worker.w.connection_pool_size=9", connection_pool_minsize, 5),
    AJPLB__V("worker.w.connection_pool_minsize=0", connection_pool_minsize,
             0),
    AJPLB__V("worker.w.connection_pool_timeout=0", connection_pool_timeout,
             0),
    AJPLB__V("worker.w.cachesize=3", connection_pool_size, 3),
    AJPLB__V("worker.w.recycle_timeout=33", connection_pool_timeout, 33),
    AJPLB__V("worker.w.connection_acquire_timeout=1000",
             connection_acquire_timeout, 1000),
    AJPLB__V("worker.w.reply_timeout=45000", reply_timeout, 45000),
    AJPLB__V("worker.w.retries=5", retries, 5),
    AJPLB__V("worker.w.retry_interval=0", retry_interval, 0),
    AJPLB__V("worker.w.recovery_options=31", recovery_options, 31),
    AJPLB__V("worker.w.busy_limit=10", busy_limit, 10),
    AJPLB__V("worker.w.body_window=4", body_window, 4),
    AJPLB__V("worker.w.body_window=16", body_window, 16),
    AJPLB__V("worker.w.max_packet_size=65536", max_packet_size, 65536),
    AJPLB__V("worker.w.max_packet_size=8193", max_packet_size, 9216),
    AJPLB__V("worker.w.max_packet_size=65000", max_packet_size, 65536),
    AJPLB__V("worker.w.lbfactor=100", lbfactor, 100),
    AJPLB__V("worker.w.distance=3", distance, 3),
    AJPLB__V("worker.w.activation=D", activation,
             AJPLB_ACTIVATION_DISABLED),
    AJPLB__V("worker.w.disabled=true", activation,
             AJPLB_ACTIVATION_DISABLED),
    AJPLB__V("worker.w.stopped=1", activation, AJPLB_ACTIVATION_STOPPED),
    AJPLB__V("worker.w.disabled=false", activation,
             AJPLB_ACTIVATION_ACTIVE),
    AJPLB__V("worker.w.port=0", activation, AJPLB_ACTIVATION_STOPPED),
    AJPLB__V("worker.l.sticky_session=0", sticky_session, 0),
    AJPLB__V("worker.l.sticky_session_force=true", sticky_session_force, 1),
    AJPLB__V("worker.l.set_session_cookie=1", set_session_cookie, 1),
    AJPLB__V("worker.l.method=Traffic", method, AJPLB_LB_METHOD_TRAFFIC),
    AJPLB__V("worker.l.method=N", method, AJPLB_LB_METHOD_NEXT),
    AJPLB__V("worker.l.lock=P", lock, AJPLB_LB_LOCK_PESSIMISTIC),
    AJPLB__V("worker.l.retries=4", retries, 4),
    AJPLB__V("worker.l.lb_retries=9", lb_retries, 9),
    AJPLB__V("worker.l.recover_time=10", error_escalation_time, 5),
    AJPLB__V("worker.l.error_escalation_time=0", error_escalation_time, 0),
    AJPLB__V("worker.l.max_reply_timeouts=3", max_reply_timeouts, 3),
    AJPLB__V("worker.w.max_packet_size=16384", secret_inherited, 1),
};

START_TEST(test_values)
{
    const ajplb__value_case_t *c = &ajplb__values[_i];
    const char *text = apr_pstrcat(ajplb_test_pool,
        "worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n"
        "worker.l.balance_workers=w\nworker.w.host=127.0.0.1\n", c->line,
        "\n", NULL);
    ajplb_worker_t *w;

    ck_assert_msg(ajplb__build(text) == APR_SUCCESS, "%s:%s", c->line,
                  ajplb__all());
    w = ajplb__w(strncmp(c->line, "worker.l.", 9) == 0 ? "l" : "w");
    ck_assert_msg(*(int *)((char *)w + c->off) == c->expect,
                  "%s: got %d, expected %d", c->line,
                  *(int *)((char *)w + c->off), c->expect);
}
END_TEST

/* ---------------------------------------------------- errors, warnings */

typedef struct {
    const char *input;
    ajplb_diag_level_e level;
    int line;
    const char *phrase;
} ajplb__diag_case_t;

#define AJPLB__E AJPLB_DIAG_ERROR
#define AJPLB__W AJPLB_DIAG_WARN
#define AJPLB__HDR "worker.list=w\nworker.w.secret=s\n"
#define AJPLB__LB "worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n" \
                  "worker.l.balance_workers=a,b\n"

static const ajplb__diag_case_t ajplb__diags_table[] = {
    /* T-C1: unknown type names the worker and the type */
    {AJPLB__HDR "worker.w.type=ajp15", AJPLB__E, 3,
     "unknown worker type 'ajp15' for worker 'w': write type=ajp13, "
     "type=lb or type=status"},
    {AJPLB__HDR "worker.w.type=AJP13", AJPLB__E, 3, "unknown worker type"},
    {AJPLB__HDR "worker.w.type=ajp12", AJPLB__E, 3, "not supported"},
    {AJPLB__HDR "worker.w.type=jni", AJPLB__E, 3, "unknown worker type"},
    /* T-C8: strict numbers */
    {AJPLB__HDR "worker.w.port=8009abc", AJPLB__E, 3,
     "port=8009abc is not a whole number"},
    {AJPLB__HDR "worker.w.port=99999", AJPLB__E, 3,
     "from 0 to 65535"},
    {AJPLB__HDR "worker.w.port=-1", AJPLB__E, 3, "out of range"},
    {AJPLB__HDR "worker.w.port=", AJPLB__E, 3,
     "empty value for 'port' of worker 'w'"},
    {AJPLB__HDR "worker.w.port= 8009 x", AJPLB__E, 3, "not a whole number"},
    {AJPLB__HDR "worker.w.lbfactor=0", AJPLB__E, 3,
     "lbfactor=0 is out of range"},
    {AJPLB__HDR "worker.w.lbfactor=-5", AJPLB__E, 3, "out of range"},
    {AJPLB__HDR "worker.w.socket_timeout=1e9", AJPLB__E, 3,
     "not a whole number"},
    {AJPLB__HDR "worker.w.socket_timeout=99999999999", AJPLB__E, 3,
     "from 0 to 86400 s"},
    {AJPLB__HDR "worker.w.reply_timeout=10s", AJPLB__E, 3,
     "no units, suffixes or spaces"},
    {AJPLB__HDR "worker.w.ping_timeout=0", AJPLB__E, 3, "out of range"},
    {AJPLB__HDR "worker.w.retries=0", AJPLB__E, 3, "retries=0 is out of"},
    {AJPLB__HDR "worker.w.body_window=17", AJPLB__E, 3,
     "body_window=17 is out of range"},
    {AJPLB__HDR "worker.w.connection_pool_size=0", AJPLB__E, 3,
     "out of range"},
    {AJPLB__HDR "worker.w.distance=-1", AJPLB__E, 3, "out of range"},
    {AJPLB__HDR "worker.w.recovery_options=32", AJPLB__E, 3,
     "from 0 to 31"},
    /* T-C9: max_packet_size range and rounding */
    {AJPLB__HDR "worker.w.max_packet_size=4096", AJPLB__E, 3,
     "outside 8192..65536"},
    {AJPLB__HDR "worker.w.max_packet_size=65537", AJPLB__E, 3,
     "packetSize of Tomcat's AJP connector"},
    {AJPLB__HDR "worker.w.max_packet_size=2147483647k", AJPLB__E, 3,
     "not a whole number"},
    {AJPLB__HDR "worker.w.max_packet_size=", AJPLB__E, 3, "empty value"},
    {AJPLB__HDR "worker.w.max_packet_size=8200", AJPLB__W, 3,
     "not a multiple of 1024; using 9216"},
    {AJPLB__HDR "worker.w.socket_keepalive=maybe", AJPLB__E, 3,
     "is not a boolean: write true or false"},
    {AJPLB__HDR "worker.w.socket_keepalive=", AJPLB__E, 3,
     "is not a boolean"},
    {AJPLB__HDR "worker.w.activation=X", AJPLB__E, 3,
     "write A (active), D (disabled) or S (stopped)"},
    {AJPLB__HDR "worker.w.disabled=maybe", AJPLB__E, 3,
     "write activation=D"},
    {AJPLB__HDR "worker.w.ping_mode=Q", AJPLB__E, 3, "ping_mode 'Q'"},
    {AJPLB__HDR "worker.w.fail_on_status=500\nworker.w.fail_on_status=x",
     AJPLB__E, 4, "fail_on_status entry 'x'"},
    {AJPLB__HDR "worker.w.fail_on_status=99", AJPLB__E, 3,
     "not an HTTP status"},
    {AJPLB__HDR "worker.w.fail_on_status=600", AJPLB__E, 3,
     "not an HTTP status"},
    {AJPLB__HDR "worker.w.connection_pool_size=2\n"
     "worker.w.connection_pool_minsize=3", AJPLB__E, 4,
     "larger than its connection_pool_size 2"},
    {AJPLB__HDR "worker.w.host=", AJPLB__E, 3, "empty host"},
    {AJPLB__HDR "worker.w.host=h:x", AJPLB__E, 3, "port in host"},
    {AJPLB__HDR "worker.w.host=[::1", AJPLB__E, 3, "[IPv6]"},
    /* T-C6 (empty route), T-C11 (bad characters, too long) */
    {AJPLB__HDR "worker.w.route=", AJPLB__E, 3, "empty route"},
    {AJPLB__HDR "worker.w.route=a;b", AJPLB__E, 3, "contains ';'"},
    {AJPLB__HDR "worker.w.route=a b", AJPLB__E, 3, "(a space)"},
    {AJPLB__HDR "worker.w.route=a=b", AJPLB__E, 3, "contains '='"},
    {AJPLB__HDR "worker.w.route="
     "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr",
     AJPLB__E, 3, "too long (64 characters, at most 63)"},
    {AJPLB__HDR "worker.w.domain=a.b", AJPLB__E, 3, "contains '.'"},
    {AJPLB__HDR "worker.w.session_cookie="
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
     AJPLB__W, 3, "no effect on ajp13 worker 'w'"},
    {AJPLB__HDR "worker.w.sticky_session=1", AJPLB__W, 3,
     "'sticky_session' has no effect on ajp13 worker 'w' (it applies to "
     "lb"},
    {AJPLB__HDR "worker.w.read_only=1", AJPLB__W, 3, "applies to status"},
    {"worker.list=s\nworker.s.type=status\nworker.s.port=1", AJPLB__W, 3,
     "no effect on status worker 's'"},
    {AJPLB__HDR "worker.maintain=0", AJPLB__E, 3,
     "worker.maintain=0 is out of range"},
    {AJPLB__HDR "worker.maintain=x", AJPLB__E, 3, "not a whole number"},
    /* T-C11: names; T-C2: an undefined listed worker is localhost:8009 */
    {"worker.list=a,b;c\n", AJPLB__E, 1, "invalid worker name 'b;c'"},
    {"worker.list=w\nworker.list=nope\nworker.w.secret=s\n", AJPLB__W, 2,
     "worker 'nope' in worker.list is not defined: using an ajp13 worker "
     "on localhost:8009"},
    {AJPLB__HDR "worker.list=w\n", AJPLB__W, 3, "listed twice"},
    {"worker.w.port=1\n", AJPLB__W, 0, "worker.list is not set"},
    /* T-C17: no secret, empty secret */
    {"worker.list=w\n\nworker.w.port=8009\n", AJPLB__W, 3,
     "NO SECRET: worker 'w' (localhost:8009) has no secret; Tomcat "
     "9.0.31+"},
    {AJPLB__HDR "worker.w.secret=", AJPLB__W, 3, "empty secret"},
    {AJPLB__HDR "worker.w.port=0", AJPLB__W, 3,
     "port=0: worker 'w' starts stopped"},
    {AJPLB__HDR "worker.w.socket_timeout=0", AJPLB__W, 3,
     "turns the socket timeout off"},
    {AJPLB__HDR "worker.w.reply_timeout=0", AJPLB__W, 3,
     "waits for Tomcat forever"},
    /* "wait forever" zeros the user wrote. */
    {AJPLB__HDR "worker.w.connection_acquire_timeout=0", AJPLB__W, 3,
     "connection_acquire_timeout=0 on worker 'w' means no timeout: a "
     "request waits forever for a free connection of the pool when all "
     "are busy; write a limit in ms, e.g. connection_acquire_timeout=200"},
    {AJPLB__HDR "worker.w.socket_connect_timeout=0", AJPLB__W, 3,
     "socket_connect_timeout=0 on worker 'w' means no timeout"},
    {"worker.t.socket_connect_timeout=0\nworker.t.secret=s\n"
     "worker.list=w\nworker.w.reference=worker.t\n", AJPLB__W, 1,
     "socket_connect_timeout=0 on worker 'w'"},
    {AJPLB__HDR "worker.x.mount=/x/*", AJPLB__W, 3,
     "mount of worker 'x' has no effect"},
    {AJPLB__HDR "worker.w.redirect=y", AJPLB__W, 3,
     "not a member of any lb"},
    /* lb: T-C3 undefined member, T-C4 lb in lb and cycles, T-C6 shared
     * routes, T-C5 redirect names another member */
    {AJPLB__LB "worker.a.port=1\n", AJPLB__E, 4,
     "member 'b' of lb 'l' is not defined"},
    {AJPLB__LB "worker.a.port=1\nworker.b.type=status\n", AJPLB__E, 4,
     "status worker 'b' as a member"},
    {AJPLB__LB "worker.a.port=1\nworker.b.type=lb\n"
     "worker.b.balance_workers=a\n", AJPLB__E, 4,
     "lb 'l' lists lb 'b' as a member"},
    {AJPLB__LB "worker.a.port=1\nworker.b.type=lb\n"
     "worker.b.balance_workers=c\nworker.c.type=lb\n"
     "worker.c.balance_workers=l\n", AJPLB__E, 4,
     "lb cycle l -> b -> c -> l"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n"
     "worker.l.balance_workers=l\n", AJPLB__E, 4, "lists itself"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n"
     "worker.l.balance_workers=a\nworker.l.balance_workers=a\n"
     "worker.a.port=1\n", AJPLB__E, 5, "listed twice"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n"
     "worker.l.balance_workers=a.b\n", AJPLB__E, 4,
     "invalid member name 'a.b'"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n", AJPLB__E, 2,
     "lb 'l' has no members"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.secret=s\n"
     "worker.l.balance_workers=\n", AJPLB__E, 2, "has no members"},
    {AJPLB__LB "worker.a.route=x\nworker.b.route=x\n", AJPLB__E, 6,
     "members 'a' and 'b' of lb 'l' share the route 'x'"},
    {AJPLB__LB "worker.a.port=1\nworker.b.jvm_route=a\n", AJPLB__E, 6,
     "share the route 'a'"},
    {AJPLB__LB "worker.a.port=1\nworker.b.redirect=zz\n", AJPLB__E, 6,
     "redirect 'zz' of worker 'b' names no other member of lb 'l': write "
     "the route of another member (a, b)"},
    {AJPLB__LB "worker.a.port=1\nworker.b.redirect=b\n", AJPLB__E, 6,
     "names no other member"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.balance_workers=a,b\n"
     "worker.a.port=1\nworker.b.secret=x\n", AJPLB__W, 2,
     "NO SECRET: lb 'l' has no secret and members a have none"},
    {"worker.list=l\nworker.l.type=lb\nworker.l.sticky_session=maybe\n"
     "worker.l.balance_workers=a\nworker.l.secret=s\n", AJPLB__E, 3,
     "not a boolean"},
    {AJPLB__LB "worker.l.method=Z\nworker.a.port=1\nworker.b.port=2",
     AJPLB__E, 5, "method 'Z' of lb 'l'"},
    {AJPLB__LB "worker.l.lock=Z\nworker.a.port=1\nworker.b.port=2",
     AJPLB__E, 5, "lock 'Z' of lb 'l'"},
    {AJPLB__LB "worker.l.recover_time=0\nworker.a.port=1\nworker.b.port=2",
     AJPLB__E, 5, "recover_time=0 is out of range"},
    {AJPLB__LB "worker.l.lb_retries=x\nworker.a.port=1\nworker.b.port=2",
     AJPLB__E, 5, "not a whole number"},
    {AJPLB__LB "worker.l.port=1\nworker.a.port=1\nworker.b.port=2",
     AJPLB__W, 5, "'port' has no effect on lb worker 'l'"},
    /* references, seen by the builder */
    {AJPLB__HDR "worker.t.port=x\nworker.w.reference=worker.t\n", AJPLB__E,
     3, "port=x is not a whole number (worker 'w'"},
    {AJPLB__HDR "worker.w.reference=worker.w\n", AJPLB__E, 3,
     "reference cycle w -> w"},
};

START_TEST(test_diags)
{
    const ajplb__diag_case_t *c = &ajplb__diags_table[_i];
    apr_status_t rv = ajplb__build(c->input);

    ck_assert_msg(ajplb__has(c->level, "t.properties", c->line, c->phrase)
                  || (c->line == 0 && ajplb__d->warnings > 0),
                  "case %d: no %s at line %d with '%s'; got:%s", _i,
                  c->level == AJPLB__E ? "error" : "warning", c->line,
                  c->phrase, ajplb__all());
    if (c->level == AJPLB__E) {
        ck_assert_int_eq(rv, AJPLB_ECONFIG);
    }
    else {
        ck_assert_msg(rv == APR_SUCCESS, "case %d:%s", _i, ajplb__all());
    }
    ck_assert_ptr_nonnull(ajplb__m);
}
END_TEST

/* --------------------------------------------------------------- model */

START_TEST(test_seed_lb)
{
    ajplb_worker_t *lb, *w1;

    ck_assert_int_eq(ajplb__build_file(
        "tests/data/workers/good/seed-lb.properties"), APR_SUCCESS);
    ck_assert_int_eq(ajplb__m->list->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(ajplb__m->list, 2, ajplb_worker_t *)
                     ->name, "loadbalancer");
    lb = ajplb__w("loadbalancer");
    ck_assert_int_eq(lb->type, AJPLB_WORKER_LB);
    ck_assert_int_eq(lb->members->nelts, 2);
    w1 = ajplb_lb_member(lb, 0);
    ck_assert_ptr_eq(w1, ajplb__w("worker1"));
    ck_assert_ptr_eq(ajplb_lb_member(lb, 1), ajplb__w("worker2"));
    ck_assert_ptr_null(ajplb_lb_member(lb, 2));
    ck_assert_ptr_null(ajplb_lb_member(w1, 0));
    ck_assert_int_eq(APR_ARRAY_IDX(lb->members, 1, ajplb_lb_member_t)
                     .loc.line, 6);
    ck_assert_str_eq(w1->host, "127.0.0.1");
    ck_assert_int_eq(w1->port, 8010);
    ck_assert_int_eq(ajplb__w("worker2")->port, 9010);
    ck_assert_int_eq(lb->sticky_session, 1);
    ck_assert_int_eq(w1->loc.line, 9);
    ck_assert(w1->used && w1->in_list);
    ck_assert(ajplb__has(AJPLB__W, ajplb__w("worker1")->loc.file, 5,
                         "NO SECRET: lb 'loadbalancer'"));
}
END_TEST

START_TEST(test_seed_secret)
{
    ck_assert_int_eq(ajplb__build_file(
        "tests/data/workers/good/seed-secret.properties"), APR_SUCCESS);
    ck_assert_str_eq(ajplb__w("worker1")->secret, "Xk9-secret-1");
    ck_assert_str_eq(ajplb__w("worker2")->secret, "Xk9-secret-2");
    ck_assert_int_eq(ajplb__w("worker1")->secret_inherited, 0);
    ck_assert_int_eq(ajplb__d->warnings, 1);   /* balanced_workers only */
    ck_assert(ajplb__w("worker2")->used);
    ck_assert(!ajplb__w("worker2")->in_list);
}
END_TEST

START_TEST(test_seed_single_and_debian)
{
    ck_assert_int_eq(ajplb__build_file(
        "tests/data/workers/good/seed-single.properties"), APR_SUCCESS);
    ck_assert_int_eq(ajplb__m->workers->nelts, 1);
    ck_assert_int_eq(ajplb__w("worker1")->port, 8009);
    ck_assert_int_eq(ajplb__build_file(
        "tests/data/workers/good/debian.properties"), APR_SUCCESS);
    ck_assert_int_eq(ajplb__d->errors, 0);
    ck_assert_int_eq(ajplb__m->list->nelts, 1);
    ck_assert_str_eq(ajplb__w("ajp13_worker")->host, "localhost");
    ck_assert_int_eq(ajplb__w("loadbalancer")->members->nelts, 1);
    ck_assert(!ajplb__w("loadbalancer")->used);
    ck_assert(ajplb__w("ajp13_worker")->used);
}
END_TEST

START_TEST(test_every_feature)
{
    ajplb_worker_t *n1, *n2, *n3, *lb, *st;

    ck_assert_msg(ajplb__build_file(
        "tests/data/workers/good/every-feature.properties") == APR_SUCCESS,
        "%s", ajplb__all());
    ck_assert_int_eq(ajplb__m->maintain, 30);
    ck_assert_int_eq(ajplb__m->list->nelts, 3);
    n1 = ajplb__w("node1");
    n2 = ajplb__w("node2");
    n3 = ajplb__w("node3");
    lb = ajplb__w("lb1");
    st = ajplb__w("jkstatus");
    ck_assert_str_eq(n1->host, "127.0.0.1");
    ck_assert_int_eq(n1->port, 8009);
    ck_assert_str_eq(n1->route, "site1.node1");
    ck_assert_str_eq(n1->domain, "site1");
    ck_assert_str_eq(n1->redirect, "node2");
    ck_assert_str_eq(n1->reference, "tmpl2");
    ck_assert_int_eq(n1->ping_mode, AJPLB_PING_ALL);
    ck_assert_int_eq(n1->socket_timeout, 20);
    ck_assert_int_eq(n1->socket_buffer, 16384);
    ck_assert_int_eq(n1->connection_pool_size, 32);
    ck_assert_int_eq(n1->connection_pool_minsize, 4);
    ck_assert_int_eq(n1->fail_on_status->nelts, 3);
    ck_assert_int_eq(APR_ARRAY_IDX(n1->fail_on_status, 1, int), -404);
    ck_assert_int_eq(n1->max_packet_size, 16384);
    ck_assert_str_eq(n1->secret, "s3cr3t-value");
    ck_assert_int_eq(n1->secret_inherited, 1);
    ck_assert_int_eq(n2->activation, AJPLB_ACTIVATION_DISABLED);
    ck_assert_str_eq(n2->domain, "site2");
    ck_assert_int_eq(n2->lbfactor, 3);
    ck_assert_int_eq(n3->port, 8011);
    ck_assert_int_eq(n3->activation, AJPLB_ACTIVATION_STOPPED);
    ck_assert_int_eq(lb->members->nelts, 3);
    ck_assert_int_eq(lb->method, AJPLB_LB_METHOD_BUSYNESS);
    ck_assert_int_eq(lb->max_packet_size, 16384);
    ck_assert_str_eq(lb->session_cookie_path, "/app");
    ck_assert_int_eq(lb->mounts->nelts, 2);
    ck_assert_int_eq(lb->error_escalation_time, 30);
    ck_assert_int_eq(st->users->nelts, 2);
    ck_assert_str_eq(st->good, "a.o,a.i");
    ck_assert_str_eq(st->css, "/status.css");
    ck_assert_int_eq(ajplb__w("legacy")->connection_pool_size, 10);
    ck_assert_str_eq(ajplb__w("legacy")->route, "legacy1");
    ck_assert_int_eq(ajplb__w("legacy")->activation,
                     AJPLB_ACTIVATION_DISABLED);
    ck_assert_ptr_nonnull(ajplb_model_prop(ajplb__m, n1, "host"));
    ck_assert_str_eq(ajplb_model_prop(ajplb__m, n1, "host")->inherited_from,
                     "tmpl");
    ck_assert_ptr_null(ajplb_model_prop(ajplb__m, n1, "css"));
    ck_assert(!ajplb__w("tmpl")->used);
}
END_TEST

START_TEST(test_secret_inherit_and_domain)
{
    ajplb_worker_t *a, *b;

    ck_assert_int_eq(ajplb__build("worker.list=l\nworker.l.type=lb\n"
                                  "worker.l.secret=S\n"
                                  "worker.l.balance_workers=a,b\n"
                                  "worker.a.route=dom.r1\n"
                                  "worker.a.domain=other\n"
                                  "worker.b.secret=own\n"
                                  "worker.b.route=x.y.z\n"), APR_SUCCESS);
    a = ajplb__w("a");
    b = ajplb__w("b");
    ck_assert_str_eq(a->secret, "S");
    ck_assert_int_eq(a->secret_inherited, 1);
    ck_assert_str_eq(b->secret, "own");
    ck_assert_int_eq(b->secret_inherited, 0);
    ck_assert_str_eq(a->domain, "other");
    ck_assert_str_eq(b->domain, "x");
    ck_assert_int_eq(ajplb__d->warnings, 0);
}
END_TEST

START_TEST(test_implicit_worker)
{
    ajplb_worker_t *w;

    ck_assert_int_eq(ajplb__build("worker.list=ghost\n"), APR_SUCCESS);
    w = ajplb__w("ghost");
    ck_assert(w->implicit);
    ck_assert_str_eq(w->host, "localhost");
    ck_assert_int_eq(w->port, 8009);
    ck_assert_int_eq(w->type, AJPLB_WORKER_AJP13);
    ck_assert_int_eq(APR_ARRAY_IDX(ajplb__m->list_locs, 0,
                                   ajplb_srcloc_t).line, 1);
    ck_assert_ptr_null(ajplb_model_find(ajplb__m, "nobody"));
}
END_TEST

/* T-C14: 10 000 workers load. */
START_TEST(test_many_workers)
{
    apr_size_t cap = 10000 * 160, n = 0;
    char *buf = apr_palloc(ajplb_test_pool, cap);
    ajplb_worker_t *lb;
    int i;

    n += (apr_size_t)apr_snprintf(buf + n, cap - n,
        "worker.list=lb\nworker.lb.type=lb\nworker.lb.secret=s\n");
    for (i = 0; i < 10000; i++) {
        n += (apr_size_t)apr_snprintf(buf + n, cap - n,
            "worker.w%d.host=10.0.%d.%d\nworker.w%d.port=%d\n"
            "worker.lb.balance_workers=w%d\n",
            i, i / 250, i % 250, i, 1024 + i, i);
    }
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ck_assert_int_eq(ajplb_props_read_buffer(ajplb__pr, buf, n, "big"),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_model_build(ajplb_test_pool, ajplb__pr,
                                       &ajplb__defs, ajplb__d, &ajplb__m),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb__d->errors, 0);
    ck_assert_int_eq(ajplb__m->workers->nelts, 10001);
    lb = ajplb__w("lb");
    ck_assert_int_eq(lb->members->nelts, 10000);
    ck_assert_ptr_eq(ajplb_lb_member(lb, 9999), ajplb__w("w9999"));
    ck_assert_int_eq(ajplb__w("w9999")->port, 1024 + 9999);
    ck_assert_str_eq(ajplb__w("w9999")->host, "10.0.39.249");
    ck_assert_str_eq(ajplb__w("w4321")->secret, "s");
    ck_assert(ajplb__w("w5000")->used);
}
END_TEST

/* Every bad file: its "# expect: LINE: PHRASE" error is reported. */
START_TEST(test_bad_files)
{
    apr_dir_t *dir;
    apr_finfo_t fi;
    int count = 0;

    ck_assert_int_eq(apr_dir_open(&dir, "tests/data/workers/bad",
                                  ajplb_test_pool), APR_SUCCESS);
    while (apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        const char *path;
        char head[512];
        apr_file_t *f;
        apr_size_t n = sizeof(head) - 1;
        int line;
        char *phrase, *nl;

        if (fi.name[0] == '.') {
            continue;
        }
        path = apr_pstrcat(ajplb_test_pool, "tests/data/workers/bad/",
                           fi.name, NULL);
        ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_READ,
                                       APR_OS_DEFAULT, ajplb_test_pool),
                         APR_SUCCESS);
        apr_file_read(f, head, &n);
        apr_file_close(f);
        head[n] = '\0';
        ck_assert_msg(strncmp(head, "# expect: ", 10) == 0, "%s", path);
        phrase = strstr(head + 10, ": ");
        ck_assert_ptr_nonnull(phrase);
        *phrase = '\0';
        ck_assert_int_eq(ajplb_parse_int(head + 10, 1, 100000, &line),
                         APR_SUCCESS);
        phrase += 2;
        nl = strchr(phrase, '\n');
        *nl = '\0';
        ck_assert_msg(ajplb__build_file(path) == AJPLB_ECONFIG,
                      "%s built without error", path);
        ck_assert_msg(ajplb__has(AJPLB__E, path, line, phrase),
                      "%s: no error at line %d with '%s':%s", path, line,
                      phrase, ajplb__all());
        count++;
    }
    apr_dir_close(dir);
    ck_assert_int_ge(count, 40);
}
END_TEST

static const char *const ajplb__good[] = {
    "seed-single", "seed-lb", "seed-secret", "debian", "every-feature"
};

START_TEST(test_good_files)
{
    const char *path = apr_psprintf(ajplb_test_pool,
                                    "tests/data/workers/good/%s.properties",
                                    ajplb__good[_i]);

    ck_assert_msg(ajplb__build_file(path) == APR_SUCCESS, "%s:%s", path,
                  ajplb__all());
    ck_assert_int_eq(ajplb__d->errors, 0);
    ck_assert_int_ge(ajplb__m->list->nelts, 1);
}
END_TEST

#define AJPLB__N(t) (sizeof(t) / sizeof((t)[0]))

/* A template line used by several workers warns once; defaults and
 * non-zero values never warn. */
START_TEST(test_forever_once)
{
    int i, n = 0;

    ajplb__build("worker.t.connection_acquire_timeout=0\nworker.t.secret=s\n"
                 "worker.list=a,b,c\nworker.a.reference=worker.t\n"
                 "worker.b.reference=worker.t\n"
                 "worker.c.secret=s\nworker.c.socket_connect_timeout=5\n");
    for (i = 0; i < ajplb__d->items->nelts; i++) {
        const ajplb_diag_t *dg = &APR_ARRAY_IDX(ajplb__d->items, i,
                                                ajplb_diag_t);
        n += strstr(dg->msg, "means no timeout") != NULL;
    }
    ck_assert_msg(n == 1, "%d warnings:\n%s", n, ajplb__all());
    ck_assert_msg(ajplb__has(AJPLB_DIAG_WARN, "t.properties", 1,
                             "connection_acquire_timeout=0"), "%s",
                  ajplb__all());
}
END_TEST

/* One JkOptions word: only ForwardURICompat (with or without '+', any
 * case) warns, naming the word as written and its file:line. */
static const struct {
    const char *word;
    int warns;
} ajplb__opt_words[] = {
    {"+ForwardURICompat", 1},
    {"ForwardURICompat", 1},
    {"+forwardURIcompat", 1},
    {"+ForwardURICompatUnparsed", 0},
    {"ForwardURIProxy", 0},
    {"+ForwardURIEscaped", 0},
    {"ForwardURICompat2", 0},
    {"++ForwardURICompat", 0},
    {"", 0},
};

START_TEST(test_conf_check_option)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb_conf_check_option(ajplb__d, ajplb__opt_words[_i].word,
                            "httpd.conf", 7);
    ck_assert_msg(ajplb__d->warnings == ajplb__opt_words[_i].warns
                  && ajplb__d->errors == 0, "'%s': %s",
                  ajplb__opt_words[_i].word, ajplb__all());
    if (ajplb__opt_words[_i].warns) {
        ck_assert_msg(ajplb__has(AJPLB_DIAG_WARN, "httpd.conf", 7,
                                 apr_psprintf(ajplb_test_pool, "JkOptions "
                                              "%s forwards httpd's decoded "
                                              "path as is",
                                              ajplb__opt_words[_i].word)),
                      "%s", ajplb__all());
    }
}
END_TEST

/* A virtual host the main server's mounts do not reach: warned only with
 * no rule of its own, nothing said about JkMountCopy and a main-server
 * JkMount to name. */
static const struct {
    int rules;
    int mount_copy;
    const char *pattern;
    int warns;
} ajplb__vhosts[] = {
    {0, AJPLB_UNSET, "/app/*", 1},
    {0, AJPLB_UNSET, "/app", 1},        /* JkMount inside <Location> */
    {0, AJPLB_UNSET, NULL, 0},          /* main server mounts nothing */
    {1, AJPLB_UNSET, "/app/*", 0},      /* mounts of its own */
    {0, 0, "/app/*", 0},                /* JkMountCopy Off on purpose */
    {0, 1, "/app/*", 0},                /* JkMountCopy On (or All) */
};

START_TEST(test_conf_check_vhost)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb_conf_check_vhost(ajplb__d, "site.conf", 3, ajplb__vhosts[_i].rules,
                           ajplb__vhosts[_i].mount_copy,
                           ajplb__vhosts[_i].pattern, "httpd.conf", 12);
    ck_assert_msg(ajplb__d->warnings == ajplb__vhosts[_i].warns
                  && ajplb__d->errors == 0, "%s", ajplb__all());
    if (ajplb__vhosts[_i].warns) {
        ck_assert_msg(ajplb__has(AJPLB_DIAG_WARN, "site.conf", 3,
                                 apr_psprintf(ajplb_test_pool, "do not "
                                              "apply inside this "
                                              "<VirtualHost> (as in mod_jk, "
                                              "also when it has no Jk* "
                                              "directive), so '%s' "
                                              "(httpd.conf:12) is not "
                                              "forwarded here; add "
                                              "'JkMountCopy On'",
                                              ajplb__vhosts[_i].pattern)),
                      "%s", ajplb__all());
    }
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc;

    tc = ajplb_test_tcase("parsers");
    tcase_add_test(tc, test_bad_value_from_secret_hidden);
    tcase_add_test(tc, test_traffic_outside_lb_warns);
    tcase_add_loop_test(tc, test_parse_int, 0, AJPLB__N(ajplb__ints));
    tcase_add_loop_test(tc, test_parse_bool, 0, AJPLB__N(ajplb__bools));
    tcase_add_loop_test(tc, test_parse_enum, 0, AJPLB__N(ajplb__enums));
    tcase_add_test(tc, test_split_and_names);
    tcase_add_test(tc, test_table);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("defaults");
    tcase_add_loop_test(tc, test_ajp_defaults, 0,
                        AJPLB__N(ajplb__ajp_defaults));
    tcase_add_loop_test(tc, test_lb_defaults, 0,
                        AJPLB__N(ajplb__lb_defaults));
    tcase_add_loop_test(tc, test_status_defaults, 0,
                        AJPLB__N(ajplb__status_defaults));
    tcase_add_test(tc, test_string_defaults);
    tcase_add_test(tc, test_defaults_from_httpd);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("values");
    tcase_add_loop_test(tc, test_values, 0, AJPLB__N(ajplb__values));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("diagnostics");
    tcase_add_loop_test(tc, test_diags, 0, AJPLB__N(ajplb__diags_table));
    tcase_add_test(tc, test_forever_once);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("model");
    tcase_add_test(tc, test_seed_lb);
    tcase_add_test(tc, test_seed_secret);
    tcase_add_test(tc, test_seed_single_and_debian);
    tcase_add_test(tc, test_every_feature);
    tcase_add_test(tc, test_secret_inherit_and_domain);
    tcase_add_test(tc, test_implicit_worker);
    tcase_add_test(tc, test_many_workers);
    tcase_add_test(tc, test_bad_files);
    tcase_add_loop_test(tc, test_good_files, 0, AJPLB__N(ajplb__good));
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("httpd.conf");
    tcase_add_loop_test(tc, test_conf_check_option, 0,
                        AJPLB__N(ajplb__opt_words));
    tcase_add_loop_test(tc, test_conf_check_vhost, 0,
                        AJPLB__N(ajplb__vhosts));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
