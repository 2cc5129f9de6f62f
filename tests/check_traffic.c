/*
 * check_traffic.c -- unit tests for traffic management: the new
 * workers.properties settings and their inheritance, outlier ejection
 * (runs, window, doubling, max share), health check verdicts (fall/rise)
 * and slow start (weight ramp, share of new requests).
 */
#include <string.h>

#include <apr_strings.h>

#include "test_util.h"
#include "ajplb_lb.h"

static const ajplb_model_defaults_t ajplb__defs = {120, 16};
static ajplb_model_t *ajplb__m;
static ajplb_shm_t *ajplb__shm;
static ajplb_lb_t *ajplb__lb;

#define T0 ((apr_time_t)1700000000 * APR_USEC_PER_SEC)
#define SEC(n) ((apr_time_t)(n) * APR_USEC_PER_SEC)

/* Build model + segment + balancer "lb"; returns the diags. */
static ajplb_diags_t *ajplb__build(const char *text, apr_status_t want)
{
    ajplb_diags_t *d = ajplb_diags_make(ajplb_test_pool);
    ajplb_props_t *pr = ajplb_props_make(ajplb_test_pool, d);
    apr_status_t rv;

    rv = ajplb_props_read_buffer(pr, text, strlen(text), "t.properties");
    ck_assert_int_eq(rv, APR_SUCCESS);
    rv = ajplb_model_build(ajplb_test_pool, pr, &ajplb__defs, d, &ajplb__m);
    ck_assert_msg(rv == want, "model: %s", ajplb_test_diags_text(d));
    return d;
}

static ajplb_lb_t *ajplb__setup(const char *text)
{
    apr_size_t size;
    void *base;

    ajplb__build(text, APR_SUCCESS);
    size = ajplb_shm_size(ajplb__m);
    base = apr_pcalloc(ajplb_test_pool, size);
    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, base, size, ajplb__m,
                                    NULL, 0, T0, &ajplb__shm), APR_SUCCESS);
    ck_assert_int_eq(ajplb_lb_make(ajplb_test_pool, ajplb__shm,
                                   ajplb_model_find(ajplb__m, "lb"),
                                   &ajplb__lb), APR_SUCCESS);
    return ajplb__lb;
}

static const char *ajplb__conf(int n, const char *extra)
{
    const char *s = "worker.list=lb\nworker.lb.type=lb\n"
                    "worker.lb.balance_workers=";
    int i;

    for (i = 1; i <= n; i++) {
        s = apr_psprintf(ajplb_test_pool, "%s%sw%d", s, i > 1 ? "," : "", i);
    }
    s = apr_pstrcat(ajplb_test_pool, s, "\n", NULL);
    for (i = 1; i <= n; i++) {
        s = apr_psprintf(ajplb_test_pool, "%sworker.w%d.type=ajp13\n"
                         "worker.w%d.port=%d\n", s, i, i, 8000 + i);
    }
    return apr_pstrcat(ajplb_test_pool, s, extra, NULL);
}

/* Pick a member for a request (with a cookie or none) and finish it. */
static int ajplb__request(const char *cookie, apr_time_t now)
{
    ajplb_lb_req_t req;
    ajplb_lb_choice_t c;
    apr_array_header_t *ids;

    memset(&req, 0, sizeof(req));
    req.cookies = cookie != NULL ? &cookie : NULL;
    req.ncookies = cookie != NULL ? 1 : 0;
    ids = ajplb_lb_session_ids(ajplb__lb, ajplb_test_pool, &req);
    if (ajplb_lb_pick(ajplb__lb, &req, ids, NULL, now, &c) != APR_SUCCESS) {
        return -1;
    }
    ajplb_lb_begin(ajplb__lb, &c, now);
    ajplb_lb_end(ajplb__lb, c.member, AJPLB_OUTCOME_OK, 0, 100, now);
    return c.member;
}

/* ------------------------------------------------------------- config */

START_TEST(test_config_inherit)
{
    ajplb__setup(ajplb__conf(2, "worker.lb.health_check=/app/health\n"
                                "worker.lb.health_check_fall=5\n"
                                "worker.lb.outlier_count=4\n"
                                "worker.lb.outlier_statuses=500-503 404\n"
                                "worker.w2.health_check_fall=2\n"
                                "worker.w2.health_check=\n"
                                "worker.w2.slow_start=20\n"));
    const ajplb_traffic_t *t1 = &ajplb__lb->traffic[0];
    const ajplb_traffic_t *t2 = &ajplb__lb->traffic[1];

    ck_assert(ajplb__lb->traffic_on);
    ck_assert_str_eq(t1->health_check, "/app/health");
    ck_assert_ptr_null(t2->health_check);      /* written empty: off */
    ck_assert_int_eq(t1->health_check_fall, 5);
    ck_assert_int_eq(t2->health_check_fall, 2);
    ck_assert_int_eq(t1->health_check_rise, 2);
    ck_assert_int_eq(t1->health_check_interval, 10);
    ck_assert_int_eq(t1->slow_start, 0);
    ck_assert_int_eq(t2->slow_start, 20);
    ck_assert_int_eq(t2->outlier_count, 4);
    ck_assert_int_eq(t2->outlier_max_share, 50);
    ck_assert(ajplb_status_in_set(t1->outlier_statuses, 502));
    ck_assert(ajplb_status_in_set(t1->outlier_statuses, 404));
    ck_assert(!ajplb_status_in_set(t1->outlier_statuses, 504));
    ck_assert(ajplb_status_in_set(t1->health_check_status, 200));
    ck_assert(ajplb_status_in_set(t1->health_check_status, 302));
    ck_assert(!ajplb_status_in_set(t1->health_check_status, 404));
}
END_TEST

START_TEST(test_config_off_by_default)
{
    ajplb__setup(ajplb__conf(2, ""));
    ck_assert(!ajplb__lb->traffic_on);
    ck_assert_ptr_null(ajplb__lb->traffic[0].health_check);
    ck_assert_int_eq(ajplb__lb->traffic[0].outlier_count, 0);
    ck_assert(ajplb_status_in_set(ajplb__lb->traffic[0].outlier_statuses,
                                  503));
    /* Off: no failure run ever asks for an ejection. */
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 1, T0), 0);
}
END_TEST

static const struct {
    const char *line;
    const char *expect;
} ajplb__bad[] = {
    {"worker.lb.health_check=health", "t.properties:8: error: health_check"},
    {"worker.w1.health_check=/a b", "is not a path"},
    {"worker.lb.health_check_status=200-99", "health_check_status entry"},
    {"worker.lb.outlier_statuses=5xx", "outlier_statuses entry '5xx'"},
    {"worker.lb.outlier_max_share=0", "outlier_max_share=0 is out of range"},
    {"worker.w1.health_check_fall=0", "health_check_fall=0 is out of range"},
    {"worker.lb.slow_start=20s", "slow_start=20s is not a whole number"},
};

START_TEST(test_config_errors)
{
    ajplb_diags_t *d = ajplb__build(
        ajplb__conf(2, apr_pstrcat(ajplb_test_pool, ajplb__bad[_i].line,
                                   "\n", NULL)), AJPLB_ECONFIG);
    const char *text = ajplb_test_diags_text(d);

    ck_assert_msg(strstr(text, ajplb__bad[_i].expect) != NULL,
                  "%s: %s", ajplb__bad[_i].line, text);
    ck_assert_msg(strstr(text, "t.properties:8:") != NULL, "%s", text);
}
END_TEST

START_TEST(test_status_set)
{
    unsigned char set[AJPLB_STATUS_SET_BYTES];
    const char *bad = NULL;

    ck_assert_int_eq(ajplb_parse_status_set(ajplb_test_pool, "200-204, 418",
                                            set, &bad), APR_SUCCESS);
    ck_assert(ajplb_status_in_set(set, 200));
    ck_assert(ajplb_status_in_set(set, 204));
    ck_assert(!ajplb_status_in_set(set, 205));
    ck_assert(ajplb_status_in_set(set, 418));
    ck_assert(!ajplb_status_in_set(set, 0));
    ck_assert(!ajplb_status_in_set(set, 700));
    ck_assert_int_eq(ajplb_parse_status_set(ajplb_test_pool, "", set, &bad),
                     APR_EINVAL);
    ck_assert_int_eq(ajplb_parse_status_set(ajplb_test_pool, "600", set,
                                            &bad), APR_EINVAL);
    ck_assert_str_eq(bad, "600");
    ck_assert_int_eq(ajplb_parse_status_set(ajplb_test_pool, "300-200",
                                            set, &bad), APR_EINVAL);
}
END_TEST

/* ------------------------------------------------------------ outliers */

START_TEST(test_outlier_eject_and_return)
{
    ajplb_lb_event_t ev, evs[4];
    int k;

    ajplb__setup(ajplb__conf(2, "worker.lb.outlier_count=3\n"
                                "worker.lb.outlier_eject_time=10\n"));
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 503, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 1);
    ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, 0, T0, &ev), 1);
    ck_assert_int_eq(ev.what, AJPLB_EV_EJECTED);
    ck_assert_int_eq(ev.count, 3);
    ck_assert_int_eq(ev.ejections, 1);
    ck_assert(ev.duration == SEC(10));
    ck_assert_uint_eq(ajplb__lb->members[0]->hold, AJPLB_HOLD_OUTLIER);
    ck_assert_str_eq(ajplb_lb_hold_name(ajplb__lb->members[0]->hold),
                     "outlier");
    /* A second eject of the same member does nothing. */
    ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, 0, T0, &ev), 0);
    /* Out of rotation, also for its own sessions. */
    for (k = 0; k < 50; k++) {
        ck_assert_int_eq(ajplb__request(NULL, T0 + SEC(1)), 1);
    }
    ck_assert_int_eq(ajplb__request("JSESSIONID=abc.w1", T0 + SEC(1)), 1);
    /* Not back before its time, back after. */
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0 + SEC(9), evs, 4), 0);
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0 + SEC(10), evs, 4), 1);
    ck_assert_int_eq(evs[0].what, AJPLB_EV_RETURNED);
    ck_assert_int_eq(evs[0].member, 0);
    ck_assert_uint_eq(ajplb__lb->members[0]->hold, 0);
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0 + SEC(10), evs, 4), 0);
    ck_assert_int_eq(ajplb__request("JSESSIONID=abc.w1", T0 + SEC(11)), 0);
}
END_TEST

START_TEST(test_outlier_run_and_window)
{
    ajplb__setup(ajplb__conf(2, "worker.lb.outlier_count=3\n"
                                "worker.lb.outlier_window=5\n"
                                "worker.lb.outlier_statuses=500\n"));
    /* A good answer ends the run. */
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 200, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    /* A status outside the set ends it too (503 is not listed). */
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 503, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 0);
    /* Failures further apart than the window start a new run. */
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0 + SEC(6)),
                     0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0 + SEC(7)),
                     0);
    /* Reply timeouts count as failures. */
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 0, 1, T0 + SEC(8)), 1);
    ck_assert_uint_eq(ajplb__lb->members[0]->hold, 0);
}
END_TEST

START_TEST(test_outlier_doubling)
{
    ajplb_lb_event_t ev, evs[4];
    apr_time_t now = T0;
    apr_interval_time_t want = SEC(4);
    int round;

    ajplb__setup(ajplb__conf(2, "worker.lb.outlier_count=1\n"
                                "worker.lb.outlier_eject_time=4\n"));
    for (round = 1; round <= 9; round++) {
        ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 1, 500, 0, now), 1);
        ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, 1, now, &ev), 1);
        ck_assert_int_eq(ev.what, AJPLB_EV_EJECTED);
        ck_assert_int_eq(ev.ejections, round);
        ck_assert_msg(ev.duration == want, "round %d: %" APR_TIME_T_FMT,
                      round, ev.duration);
        now += ev.duration;
        ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, now, evs, 4), 1);
        ck_assert_int_eq(evs[0].what, AJPLB_EV_RETURNED);
        /* Doubles on repeat, capped at 64 x. */
        if (want < SEC(4 * 64)) {
            want *= 2;
        }
    }
    /* In rotation for eject_time without an ejection: one step back. */
    ck_assert_uint_eq(ajplb__lb->members[1]->ejections, 9);
    ajplb_lb_tick(ajplb__lb, now + SEC(4), evs, 4);
    ck_assert_uint_eq(ajplb__lb->members[1]->ejections, 8);
    ajplb_lb_tick(ajplb__lb, now + SEC(5), evs, 4);
    ck_assert_uint_eq(ajplb__lb->members[1]->ejections, 8);
    ajplb_lb_tick(ajplb__lb, now + SEC(8), evs, 4);
    ck_assert_uint_eq(ajplb__lb->members[1]->ejections, 7);
}
END_TEST

START_TEST(test_outlier_max_share)
{
    ajplb_lb_event_t ev, evs[4];
    int k, out = 0;

    /* 3 members, 50 %: one may be out at a time. */
    ajplb__setup(ajplb__conf(3, "worker.lb.outlier_count=2\n"));
    for (k = 0; k < 3; k++) {
        ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, k, 502, 0, T0), 0);
        ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, k, 502, 0, T0), 1);
        ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, k, T0, &ev), 1);
        ck_assert_int_eq(ev.what, k == 0 ? AJPLB_EV_EJECTED
                                         : AJPLB_EV_EJECT_REFUSED);
        /* A refused member needs a whole new run. */
        ck_assert_uint_eq(ajplb__lb->members[k]->fail_run, 0);
    }
    for (k = 0; k < 3; k++) {
        out += ajplb__lb->members[k]->hold != 0;
    }
    ck_assert_int_eq(out, 1);
    /* When the first is back, another may go. */
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0 + SEC(30), evs, 4), 1);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 2, 502, 0, T0 + SEC(30)),
                     0);
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 2, 502, 0, T0 + SEC(30)),
                     1);
    ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, 2, T0 + SEC(30), &ev), 1);
    ck_assert_int_eq(ev.what, AJPLB_EV_EJECTED);

    /* 100 % of 2: both may go. */
    ajplb__setup(ajplb__conf(2, "worker.lb.outlier_count=1\n"
                                "worker.lb.outlier_max_share=100\n"));
    for (k = 0; k < 2; k++) {
        ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, k, 500, 0, T0), 1);
        ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, k, T0, &ev), 1);
        ck_assert_int_eq(ev.what, AJPLB_EV_EJECTED);
    }
}
END_TEST

/* ------------------------------------------------------- health checks */

START_TEST(test_health_fall_rise)
{
    ajplb_lb_event_t ev;
    apr_time_t now = T0;
    int k;

    ajplb__setup(ajplb__conf(2, "worker.lb.health_check=/health\n"
                                "worker.lb.health_check_interval=5\n"
                                "worker.lb.health_check_fall=3\n"
                                "worker.lb.health_check_rise=2\n"));
    /* Due at once, then every interval, once per claim. */
    ck_assert_int_eq(ajplb_lb_health_due(ajplb__lb, 0, now), 1);
    ck_assert_int_eq(ajplb_lb_health_due(ajplb__lb, 0, now), 0);
    ck_assert_int_eq(ajplb_lb_health_due(ajplb__lb, 0, now + SEC(4)), 0);
    ck_assert_int_eq(ajplb_lb_health_due(ajplb__lb, 0, now + SEC(5)), 1);

    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 404, now, &ev), 0);
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 404, now, &ev), 0);
    /* A pass in between resets the run. */
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 200, now, &ev), 0);
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 404, now, &ev), 0);
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 0, now, &ev), 0);
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 404, now, &ev), 1);
    ck_assert_int_eq(ev.what, AJPLB_EV_HEALTH_DOWN);
    ck_assert_int_eq(ev.count, 3);
    ck_assert_int_eq(ev.status, 404);
    ck_assert_uint_eq(ajplb__lb->members[0]->hold, AJPLB_HOLD_HEALTH);
    ck_assert_uint_eq(ajplb__lb->members[0]->hc_checks, 6);
    for (k = 0; k < 20; k++) {
        ck_assert_int_eq(ajplb__request(NULL, now), 1);
    }
    ck_assert_int_eq(ajplb__request("JSESSIONID=x.w1", now), 1);
    /* Failing more changes nothing; rise passes bring it back. */
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 404, now, &ev), 0);
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 200, now, &ev), 0);
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 0, 302, now, &ev), 1);
    ck_assert_int_eq(ev.what, AJPLB_EV_HEALTH_UP);
    ck_assert_int_eq(ev.count, 2);
    ck_assert_uint_eq(ajplb__lb->members[0]->hold, 0);
    ck_assert_int_eq(ajplb__request("JSESSIONID=x.w1", now), 0);
    /* No check configured on w... all inherit; a member without one is
     * never due. */
    ajplb__setup(ajplb__conf(2, "worker.w2.health_check=/h\n"));
    ck_assert_int_eq(ajplb_lb_health_due(ajplb__lb, 0, now), 0);
    ck_assert_int_eq(ajplb_lb_health_due(ajplb__lb, 1, now), 1);
}
END_TEST

START_TEST(test_health_dropped)
{
    ajplb_lb_event_t evs[4];

    ajplb__setup(ajplb__conf(2, ""));
    /* State carried over from a configuration that had a check. */
    ajplb__lb->members[1]->hold = AJPLB_HOLD_HEALTH;
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0, evs, 4), 1);
    ck_assert_int_eq(evs[0].what, AJPLB_EV_HEALTH_DROPPED);
    ck_assert_uint_eq(ajplb__lb->members[1]->hold, 0);
}
END_TEST

START_TEST(test_tick_claim)
{
    ajplb__setup(ajplb__conf(2, "worker.w1.outlier_count=2\n"));
    ck_assert_int_eq(ajplb_lb_tick_claim(ajplb__lb, T0), 1);
    ck_assert_int_eq(ajplb_lb_tick_claim(ajplb__lb, T0 + SEC(1) / 2), 0);
    ck_assert_int_eq(ajplb_lb_tick_claim(ajplb__lb, T0 + SEC(1)), 1);
    ajplb__setup(ajplb__conf(2, ""));
    ck_assert_int_eq(ajplb_lb_tick_claim(ajplb__lb, T0), 0);
}
END_TEST

/* A graceful restart keeps holds, ejection counts and check results; a
 * member added by it ramps up. */
START_TEST(test_restart_carry)
{
    ajplb_lb_event_t ev;
    const char *conf = ajplb__conf(2, "worker.lb.outlier_count=1\n"
                                      "worker.lb.slow_start=10\n");
    ajplb_shm_t *old;
    apr_size_t size;
    void *base;
    int k;

    ajplb__setup(conf);
    old = ajplb__shm;
    ck_assert_int_eq(ajplb_lb_observe(ajplb__lb, 0, 500, 0, T0), 1);
    ck_assert_int_eq(ajplb_lb_eject(ajplb__lb, 0, T0, &ev), 1);
    ajplb__lb->members[1]->hc_checks = 5;
    /* The next generation: w1, w2 and a new w3. */
    ajplb__build(apr_pstrcat(ajplb_test_pool, conf,
                             "worker.lb.balance_workers=w3\n"
                             "worker.w3.port=8003\n", NULL), APR_SUCCESS);
    size = ajplb_shm_size(ajplb__m);
    base = apr_pcalloc(ajplb_test_pool, size);
    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, base, size, ajplb__m,
                                    old->hdr, (apr_size_t)old->hdr->size,
                                    T0 + SEC(1), &ajplb__shm), APR_SUCCESS);
    ck_assert_int_eq(ajplb_lb_make(ajplb_test_pool, ajplb__shm,
                                   ajplb_model_find(ajplb__m, "lb"),
                                   &ajplb__lb), APR_SUCCESS);
    ck_assert_int_eq(ajplb__lb->n, 3);
    ck_assert_uint_eq(ajplb__lb->members[0]->hold, AJPLB_HOLD_OUTLIER);
    ck_assert_uint_eq(ajplb__lb->members[0]->ejections, 1);
    ck_assert_uint_eq(ajplb__lb->members[1]->hc_checks, 5);
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 2, T0 + SEC(6)),
                     500);
    for (k = 0; k < 20; k++) {
        ck_assert_int_ne(ajplb__request(NULL, T0 + SEC(2)), 0);
    }
}
END_TEST

/* ---------------------------------------------------------- slow start */

START_TEST(test_slow_start_weight)
{
    ajplb_lb_event_t evs[4];

    ajplb__setup(ajplb__conf(2, "worker.lb.slow_start=20\n"));
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 0, T0), 1000);
    ajplb_lb_ramp(ajplb__lb, 0, T0);
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 0, T0),
                     AJPLB_SLOW_START_MIN);
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 0, T0 + SEC(5)),
                     250);
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 0, T0 + SEC(10)),
                     500);
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 0, T0 + SEC(20)),
                     1000);
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0 + SEC(19), evs, 4), 0);
    ck_assert_int_eq(ajplb_lb_tick(ajplb__lb, T0 + SEC(20), evs, 4), 1);
    ck_assert_int_eq(evs[0].what, AJPLB_EV_FULL_WEIGHT);
    ck_assert_uint_eq(ajplb__lb->members[0]->slow_start_since, 0);

    /* Off: ramp does nothing. */
    ajplb__setup(ajplb__conf(2, ""));
    ajplb_lb_ramp(ajplb__lb, 0, T0);
    ck_assert_int_eq(ajplb_lb_weight_permille(ajplb__lb, 0, T0), 1000);
}
END_TEST

/* The share of new requests of a member coming back from its health
 * check rises from near 0 to its lbfactor share over slow_start. */
START_TEST(test_slow_start_share)
{
    static const char *const methods[] = {"R", "S", "N"};
    ajplb_lb_event_t ev;
    int win, k, share[10];

    ajplb__setup(ajplb__conf(2, apr_psprintf(ajplb_test_pool,
                             "worker.lb.method=%s\n"
                             "worker.lb.slow_start=20\n"
                             "worker.lb.health_check=/h\n"
                             "worker.lb.health_check_fall=1\n"
                             "worker.lb.health_check_rise=1\n",
                             methods[_i])));
    /* Both serve for a while, then w2 fails its check and comes back. */
    for (k = 0; k < 200; k++) {
        ajplb__request(NULL, T0);
    }
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 1, 500, T0, &ev), 1);
    for (k = 0; k < 200; k++) {
        ck_assert_int_eq(ajplb__request(NULL, T0 + SEC(1)), 0);
    }
    ck_assert_int_eq(ajplb_lb_health_result(ajplb__lb, 1, 200, T0 + SEC(2),
                                            &ev), 1);
    /* Ten 2-second windows of 100 new requests each. */
    for (win = 0; win < 10; win++) {
        share[win] = 0;
        for (k = 0; k < 100; k++) {
            apr_time_t now = T0 + SEC(2) + SEC(2 * win)
                             + SEC(2) * k / 100;
            share[win] += ajplb__request(NULL, now) == 1;
        }
    }
    ck_assert_msg(share[0] <= 10, "first window %d%%", share[0]);
    /* Window 4 (8-10 s): weight about 0.45, share w / (1 + w) ~ 31 %. */
    ck_assert_msg(share[4] >= 22 && share[4] <= 40, "window 4: %d%%",
                  share[4]);
    ck_assert_msg(share[9] >= 40 && share[9] <= 55, "last window %d%%",
                  share[9]);
    for (win = 1; win < 10; win++) {
        /* Monotonic within noise: never 5 points below an earlier one. */
        ck_assert_msg(share[win] + 5 >= share[win - 1],
                      "window %d: %d%% after %d%%", win, share[win],
                      share[win - 1]);
    }
    /* Full weight afterwards: half of the requests. */
    for (k = 0, share[0] = 0; k < 200; k++) {
        share[0] += ajplb__request(NULL, T0 + SEC(30)) == 1;
    }
    ck_assert_int_eq(share[0], 100);
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("traffic");
    TCase *tc;

    tc = ajplb_test_tcase("config");
    tcase_add_test(tc, test_config_inherit);
    tcase_add_test(tc, test_config_off_by_default);
    tcase_add_loop_test(tc, test_config_errors, 0,
                        sizeof(ajplb__bad) / sizeof(ajplb__bad[0]));
    tcase_add_test(tc, test_status_set);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("outlier");
    tcase_add_test(tc, test_outlier_eject_and_return);
    tcase_add_test(tc, test_outlier_run_and_window);
    tcase_add_test(tc, test_outlier_doubling);
    tcase_add_test(tc, test_outlier_max_share);
    tcase_add_test(tc, test_restart_carry);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("health");
    tcase_add_test(tc, test_health_fall_rise);
    tcase_add_test(tc, test_health_dropped);
    tcase_add_test(tc, test_tick_claim);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("slow_start");
    tcase_add_test(tc, test_slow_start_weight);
    tcase_add_loop_test(tc, test_slow_start_share, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
