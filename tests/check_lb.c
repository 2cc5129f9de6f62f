/*
 * check_lb.c -- unit tests for the balancer: pick distributions per
 * method and lbfactor vector, stickiness, domains, redirect, distance,
 * activation, busy_limit, outcomes -> states, recovery, maintenance.
 */
#include <stdlib.h>
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

/* Build model + segment + balancer "lb" from workers.properties text. */
static ajplb_lb_t *ajplb__setup(const char *text)
{
    ajplb_diags_t *d = ajplb_diags_make(ajplb_test_pool);
    ajplb_props_t *pr = ajplb_props_make(ajplb_test_pool, d);
    apr_size_t size;
    void *base;
    apr_status_t rv;

    rv = ajplb_props_read_buffer(pr, text, strlen(text), "t.properties");
    ck_assert_int_eq(rv, APR_SUCCESS);
    rv = ajplb_model_build(ajplb_test_pool, pr, &ajplb__defs, d, &ajplb__m);
    ck_assert_msg(rv == APR_SUCCESS, "model: %s",
                  d->items->nelts ? ajplb_diag_format(ajplb_test_pool,
                      &APR_ARRAY_IDX(d->items, 0, ajplb_diag_t)) : "?");
    size = ajplb_shm_size(ajplb__m);
    base = apr_pcalloc(ajplb_test_pool, size);
    rv = ajplb_shm_init(ajplb_test_pool, base, size, ajplb__m, NULL, 0, T0,
                        &ajplb__shm);
    ck_assert_int_eq(rv, APR_SUCCESS);
    rv = ajplb_lb_make(ajplb_test_pool, ajplb__shm,
                       ajplb_model_find(ajplb__m, "lb"), &ajplb__lb);
    ck_assert_int_eq(rv, APR_SUCCESS);
    return ajplb__lb;
}

/* "worker.lb.balance_workers=w1,...,wn" plus per-member extra lines. */
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

static int ajplb__idx(const char *name)
{
    int i = ajplb_lb_find_member(ajplb__lb, name);
    ck_assert_msg(i >= 0, "no member %s", name);
    return i;
}

static int ajplb__state(const char *name)
{
    return (int)ajplb__lb->members[ajplb__idx(name)]->state;
}

static void ajplb__set_state(const char *name, int st)
{
    ajplb__lb->members[ajplb__idx(name)]->state = (apr_uint32_t)st;
    if (st == AJPLB_STATE_ERROR) {
        ajplb__lb->members[ajplb__idx(name)]->error_time = (apr_uint64_t)T0;
    }
}

/* Pick for a request carrying @a cookie (or none); returns the member
 * name, or NULL with *rvp set. */
static const char *ajplb__pick_full(const char *cookie, const char *uri,
                                    const unsigned char *tried,
                                    ajplb_lb_req_t *reqp,
                                    ajplb_lb_choice_t *c, apr_status_t *rvp)
{
    ajplb_lb_req_t req;
    apr_array_header_t *ids;
    apr_status_t rv;

    if (reqp == NULL) {
        memset(&req, 0, sizeof(req));
        reqp = &req;
    }
    reqp->uri = uri;
    reqp->cookies = cookie != NULL ? &cookie : NULL;
    reqp->ncookies = cookie != NULL ? 1 : 0;
    ids = ajplb_lb_session_ids(ajplb__lb, ajplb_test_pool, reqp);
    rv = ajplb_lb_pick(ajplb__lb, reqp, ids, tried, T0, c);
    if (rvp != NULL) {
        *rvp = rv;
    }
    return rv == APR_SUCCESS ? ajplb__lb->members[c->member]->id.name : NULL;
}

static const char *ajplb__pick(const char *cookie)
{
    ajplb_lb_choice_t c;
    return ajplb__pick_full(cookie, NULL, NULL, NULL, &c, NULL);
}

/* A whole request: pick, begin, end with @a outcome. */
static const char *ajplb__request(const char *cookie,
                                  ajplb_lb_outcome_e outcome, apr_time_t now)
{
    ajplb_lb_choice_t c;
    const char *name = ajplb__pick_full(cookie, NULL, NULL, NULL, &c, NULL);

    if (name != NULL) {
        ajplb_lb_begin(ajplb__lb, &c, now);
        ajplb_lb_end(ajplb__lb, c.member, outcome, 100, 900, now);
    }
    return name;
}

/* ------------------------------------------------------ distributions */

/* Tolerance: Request, Session, Next and Traffic are deterministic given
 * the values, so counts match lbfactor shares within 1 % of all picks
 * even with maintenance decaying every 1000 picks; Busyness balances what
 * is in flight, within 1 request per member. */
static const struct {
    const char *method;
    const char *factors;                /* comma-separated lbfactors */
} ajplb__dist_cases[] = {
    {"R", "1,1"}, {"R", "3,1"}, {"R", "1,2,3"},
    {"T", "1,1"}, {"T", "3,1"}, {"T", "1,2,3"},
    {"B", "1,1"}, {"B", "3,1"}, {"B", "1,2,3"},
    {"S", "1,1"}, {"S", "3,1"}, {"S", "1,2,3"},
    {"N", "1,1"}, {"N", "3,1"}, {"N", "1,2,3"},
};

START_TEST(test_distribution)
{
    const char *method = ajplb__dist_cases[_i].method;
    char *f = apr_pstrdup(ajplb_test_pool, ajplb__dist_cases[_i].factors);
    char *tok, *last;
    int factors[8], n = 0, sum = 0, i, k, picks = 6000;
    int counts[8] = {0};
    const char *extra = apr_psprintf(ajplb_test_pool,
                                     "worker.lb.method=%s\n"
                                     "worker.maintain=60\n", method);
    apr_time_t now = T0;

    for (tok = apr_strtok(f, ",", &last); tok != NULL;
         tok = apr_strtok(NULL, ",", &last)) {
        factors[n] = atoi(tok);
        sum += factors[n];
        n++;
        extra = apr_psprintf(ajplb_test_pool, "%sworker.w%d.lbfactor=%s\n",
                             extra, n, tok);
    }
    ajplb__setup(ajplb__conf(n, extra));
    for (k = 0; k < picks; k++) {
        ajplb_lb_choice_t c;
        apr_status_t rv;
        const char *name = ajplb__pick_full(NULL, NULL, NULL, NULL, &c, &rv);

        ck_assert_int_eq(rv, APR_SUCCESS);
        ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
        ck_assert_int_eq(c.new_session, 1);
        counts[c.member]++;
        (void)name;
        ajplb_lb_begin(ajplb__lb, &c, now);
        if (*method != 'B') {
            ajplb_lb_end(ajplb__lb, c.member, AJPLB_OUTCOME_OK, 400, 600,
                         now);
        }
        if (k % 1000 == 999 && *method != 'B') {
            now += SEC(60);
            ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, now), 1);
        }
    }
    for (i = 0; i < n; i++) {
        double want = (double)picks * factors[i] / sum;
        double tol = *method == 'B' ? 1.0 : picks * 0.01;
        if (*method == 'B') {
            ck_assert_uint_eq(ajplb__lb->members[i]->busy,
                              (unsigned)counts[i]);
        }
        ck_assert_msg(counts[i] >= want - tol && counts[i] <= want + tol,
                      "%s %s: member %d got %d, want %.1f +- %.1f", method,
                      ajplb__dist_cases[_i].factors, i, counts[i], want, tol);
        ck_assert_uint_eq(ajplb__lb->members[i]->elected,
                          (unsigned)counts[i]);
        ck_assert_uint_eq(ajplb__lb->members[i]->sessions,
                          (unsigned)counts[i]);
    }
}
END_TEST

/* lb_mult = lcm / lbfactor, and the exact Request order for 3:1. */
START_TEST(test_lb_mult_sequence)
{
    const char *seq = "";
    int k;

    ajplb__setup(ajplb__conf(3, "worker.w1.lbfactor=4\n"
                             "worker.w2.lbfactor=6\n"
                             "worker.w3.lbfactor=3\n"));
    ck_assert_uint_eq(ajplb__lb->members[0]->lb_mult, 3);
    ck_assert_uint_eq(ajplb__lb->members[1]->lb_mult, 2);
    ck_assert_uint_eq(ajplb__lb->members[2]->lb_mult, 4);

    ajplb__setup(ajplb__conf(2, "worker.w1.lbfactor=3\n"));
    for (k = 0; k < 8; k++) {
        seq = apr_pstrcat(ajplb_test_pool, seq,
                          ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), " ",
                          NULL);
    }
    /* Every window of 4 holds w1 three times and w2 once. */
    ck_assert_int_eq(ajplb__lb->members[0]->elected, 6);
    ck_assert_int_eq(ajplb__lb->members[1]->elected, 2);
    ck_assert_ptr_nonnull(strstr(seq, "w2"));
}
END_TEST

/* ---------------------------------------------------------- stickiness */

START_TEST(test_sticky_route)
{
    ajplb_lb_choice_t c;
    int k;

    ajplb__setup(ajplb__conf(3, ""));
    for (k = 0; k < 50; k++) {
        ck_assert_str_eq(ajplb__request("JSESSIONID=abc.w2",
                                        AJPLB_OUTCOME_OK, T0), "w2");
    }
    ck_assert_uint_eq(ajplb__lb->members[1]->elected, 50);
    /* Stickiness does not count new sessions. */
    ck_assert_uint_eq(ajplb__lb->members[1]->sessions, 0);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=abc.w3", NULL, NULL, NULL,
                                      &c, NULL), "w3");
    ck_assert_int_eq(c.how, AJPLB_PICK_STICKY);
    ck_assert_str_eq(c.route, "w3");
    ck_assert_str_eq(c.session_id, "abc.w3");
    ck_assert_int_eq(c.new_session, 0);
    /* T-S10: exact, case-sensitive. */
    ajplb__pick_full("JSESSIONID=abc.W3", NULL, NULL, NULL, &c, NULL);
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    /* T-S3: empty route, only dots: plain balancing. */
    ajplb__pick_full("JSESSIONID=abc.", NULL, NULL, NULL, &c, NULL);
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    ajplb__pick_full("JSESSIONID=abc..", NULL, NULL, NULL, &c, NULL);
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    /* T-S6: the path parameter wins over the cookie. */
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", "/x;jsessionid=b.w3",
                                      NULL, NULL, &c, NULL), "w3");
    /* T-S5: first live route wins. */
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w9; JSESSIONID=b.w1; "
                                      "JSESSIONID=c.w2", NULL, NULL, NULL,
                                      &c, NULL), "w2");
    ck_assert_int_eq(c.how, AJPLB_PICK_STICKY);
}
END_TEST

/* T-S8: a route of another lb's member never selects it. */
START_TEST(test_route_other_lb)
{
    ajplb_lb_choice_t c;
    apr_status_t rv;
    const char *conf = "worker.list=lb,lb2\n"
        "worker.lb.type=lb\nworker.lb.balance_workers=w1,w2\n"
        "worker.lb2.type=lb\nworker.lb2.balance_workers=w3\n"
        "worker.w1.port=8001\nworker.w2.port=8002\nworker.w3.port=8003\n";
    int k;

    ajplb__setup(conf);
    for (k = 0; k < 10; k++) {
        const char *n = ajplb__pick_full("JSESSIONID=a.w3", NULL, NULL, NULL,
                                         &c, &rv);
        ck_assert_int_eq(rv, APR_SUCCESS);
        ck_assert_str_ne(n, "w3");
        ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    }
    ck_assert_int_eq(ajplb_lb_find_route(ajplb__lb, "w3"), -1);
    ajplb__setup(apr_pstrcat(ajplb_test_pool, conf,
                             "worker.lb.sticky_session_force=1\n", NULL));
    ck_assert_ptr_null(ajplb__pick_full("JSESSIONID=a.w3", NULL, NULL, NULL,
                                        &c, &rv));
    ck_assert_int_eq(rv, AJPLB_ESTICKYFORCE);
    ck_assert_int_eq(c.member, -1);
    /* No session at all still balances. */
    ck_assert_ptr_nonnull(ajplb__pick_full(NULL, NULL, NULL, NULL, &c, &rv));
}
END_TEST

START_TEST(test_sticky_force)
{
    ajplb_lb_choice_t c;
    apr_status_t rv;

    ajplb__setup(ajplb__conf(2, "worker.lb.sticky_session_force=true\n"));
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w1");
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ck_assert_ptr_null(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL,
                                        &c, &rv));
    ck_assert_int_eq(rv, AJPLB_ESTICKYFORCE);
    /* An id without a route is no session for routing. */
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=abc", NULL, NULL, NULL,
                                      &c, &rv), "w2");
    /* Forced recovery makes the session's member usable again. */
    ck_assert_int_eq(ajplb_lb_force_recovery(ajplb__lb, T0), 1);
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w1");
}
END_TEST

START_TEST(test_sticky_ignore_stateless_forced)
{
    ajplb_lb_req_t req;
    ajplb_lb_choice_t c;
    int k, n1 = 0;

    ajplb__setup(ajplb__conf(2, "worker.lb.method=S\n"));
    memset(&req, 0, sizeof(req));
    req.sticky_ignore = 1;
    ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, &req, &c, NULL);
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    /* It carried a session, so it is not a new one. */
    ck_assert_int_eq(c.new_session, 0);

    /* JK_ROUTE wins even with sticky_session off. */
    ajplb__setup(ajplb__conf(2, "worker.lb.sticky_session=0\n"));
    ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL, &c, NULL);
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    memset(&req, 0, sizeof(req));
    req.forced_route = "w2";
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, &req,
                                      &c, NULL), "w2");
    ck_assert_int_eq(c.how, AJPLB_PICK_STICKY);

    /* Stateless: rotation, whatever the values. */
    ajplb__setup(ajplb__conf(2, "worker.lb.method=S\n"));
    ajplb__lb->members[0]->lb_value = 1000000;
    memset(&req, 0, sizeof(req));
    req.stateless = 1;
    for (k = 0; k < 100; k++) {
        const char *n = ajplb__pick_full(NULL, NULL, NULL, &req, &c, NULL);
        ck_assert_int_eq(c.new_session, 0);
        ajplb_lb_begin(ajplb__lb, &c, T0);
        ajplb_lb_end(ajplb__lb, c.member, AJPLB_OUTCOME_OK, 0, 0, T0);
        n1 += strcmp(n, "w1") == 0;
    }
    ck_assert_int_eq(n1, 50);
    ck_assert_uint_eq(ajplb__lb->members[0]->sessions, 0);
    ck_assert_uint_eq(ajplb__lb->members[0]->lb_value, 1000000);
}
END_TEST

/* ------------------------------------------------------------ domains */

START_TEST(test_domains)
{
    ajplb_lb_choice_t c;
    const char *n;

    /* Routes "d1.n1" etc.: the part before '.' is the domain (T-S2). */
    ajplb__setup(ajplb__conf(3, "worker.w1.route=d1.n1\n"
                             "worker.w2.route=d1.n2\n"
                             "worker.w3.route=d2.n3\n"));
    ck_assert_str_eq(ajplb__pick("JSESSIONID=x.d1.n2"), "w2");
    n = ajplb__pick_full("JSESSIONID=x.d1.n9", NULL, NULL, NULL, &c, NULL);
    ck_assert_int_eq(c.how, AJPLB_PICK_DOMAIN);
    ck_assert_str_eq(c.route, "d1");
    ck_assert(strcmp(n, "w1") == 0 || strcmp(n, "w2") == 0);
    n = ajplb__pick_full("JSESSIONID=x.d2", NULL, NULL, NULL, &c, NULL);
    ck_assert_str_eq(n, "w3");
    ck_assert_int_eq(c.how, AJPLB_PICK_DOMAIN);
    /* The session member is down: its domain partner takes over. */
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=x.d1.n1", NULL, NULL, NULL,
                                      &c, NULL), "w2");
    ck_assert_int_eq(c.how, AJPLB_PICK_DOMAIN);
    ck_assert_str_eq(c.route, "d1");
    /* The whole domain down: plain balancing, never the other domain's
     * member by domain. */
    ajplb__set_state("w2", AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=x.d1.n1", NULL, NULL, NULL,
                                      &c, NULL), "w3");
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
}
END_TEST

/* --------------------------------------------------- redirect / standby */

START_TEST(test_redirect_hot_standby)
{
    ajplb_lb_choice_t c;
    int k;

    ajplb__setup(ajplb__conf(3, "worker.w1.redirect=w3\n"
                             "worker.w3.activation=D\n"));
    /* A disabled member never gets balanced requests... */
    for (k = 0; k < 30; k++) {
        ck_assert_str_ne(ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), "w3");
    }
    /* ...but keeps its sessions. */
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w3"), "w3");
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL,
                                      &c, NULL), "w3");
    ck_assert_int_eq(c.how, AJPLB_PICK_REDIRECT);
    ck_assert_uint_eq(c.activation, AJPLB_ACTIVATION_DISABLED);
    /* Every active member down: the standby takes new requests too. */
    ajplb__set_state("w2", AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick_full(NULL, NULL, NULL, NULL, &c, NULL),
                     "w3");
    ck_assert_int_eq(c.how, AJPLB_PICK_FAILOVER);
}
END_TEST

START_TEST(test_activation)
{
    ajplb_lb_choice_t c;
    int k;

    ajplb__setup(ajplb__conf(3, "worker.w2.activation=S\n"
                             "worker.w3.activation=D\n"));
    for (k = 0; k < 20; k++) {
        ck_assert_str_eq(ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), "w1");
    }
    /* Stopped: not even its own sessions. */
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w2", NULL, NULL, NULL,
                                      &c, NULL), "w1");
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w3", NULL, NULL, NULL,
                                      &c, NULL), "w3");
    ck_assert_int_eq(c.how, AJPLB_PICK_STICKY);
    ck_assert_int_eq(ajplb_lb_is_usable(AJPLB_STATE_OK,
                                        AJPLB_ACTIVATION_DISABLED), 0);
    ck_assert_int_eq(ajplb_lb_is_usable_sticky(AJPLB_STATE_FORCE,
                                               AJPLB_ACTIVATION_DISABLED), 1);
    ck_assert_int_eq(ajplb_lb_is_usable_sticky(AJPLB_STATE_BUSY,
                                               AJPLB_ACTIVATION_ACTIVE), 0);
    /* port=0 members start stopped. */
    ajplb__setup(ajplb__conf(2, "worker.w2.port=0\n"));
    for (k = 0; k < 5; k++) {
        ck_assert_str_eq(ajplb__pick(NULL), "w1");
    }
}
END_TEST

START_TEST(test_distance)
{
    int k;

    ajplb__setup(ajplb__conf(3, "worker.w1.distance=1\n"));
    for (k = 0; k < 40; k++) {
        ck_assert_str_ne(ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), "w1");
    }
    ajplb__set_state("w2", AJPLB_STATE_ERROR);
    for (k = 0; k < 10; k++) {
        ck_assert_str_eq(ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), "w3");
    }
    ajplb__set_state("w3", AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), "w1");
}
END_TEST

START_TEST(test_busy_limit)
{
    ajplb_lb_choice_t c1, c2, c;

    ajplb__setup(ajplb__conf(2, "worker.w1.busy_limit=2\n"));
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL,
                                      &c1, NULL), "w1");
    ajplb_lb_begin(ajplb__lb, &c1, T0);
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL,
                                      &c2, NULL), "w1");
    ajplb_lb_begin(ajplb__lb, &c2, T0);
    /* Two in flight: the third goes elsewhere, sticky or not. */
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL,
                                      &c, NULL), "w2");
    ck_assert_str_eq(ajplb__pick(NULL), "w2");
    ck_assert_str_eq(ajplb__pick(NULL), "w2");
    ck_assert_uint_eq(ajplb__lb->members[0]->max_busy, 2);
    ajplb_lb_end(ajplb__lb, c1.member, AJPLB_OUTCOME_OK, 0, 0, T0);
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w1");
    ajplb_lb_end(ajplb__lb, c2.member, AJPLB_OUTCOME_OK, 0, 0, T0);
    ck_assert_uint_eq(ajplb__lb->members[0]->busy, 0);
    ck_assert_uint_eq(ajplb__lb->slot->busy, 0);
}
END_TEST

START_TEST(test_tried)
{
    unsigned char *tried;
    ajplb_lb_choice_t c;
    apr_status_t rv;
    int k;

    ajplb__setup(ajplb__conf(3, ""));
    tried = ajplb_lb_tried_make(ajplb_test_pool, ajplb__lb);
    tried[0] = 1;
    for (k = 0; k < 20; k++) {
        ck_assert_str_ne(ajplb__pick_full(NULL, NULL, tried, NULL, &c, &rv),
                         "w1");
    }
    /* The session's member was tried: fail over (not forced). */
    ck_assert_str_ne(ajplb__pick_full("JSESSIONID=a.w1", NULL, tried, NULL,
                                      &c, &rv), "w1");
    ck_assert_int_eq(c.how, AJPLB_PICK_BALANCED);
    tried[1] = tried[2] = 1;
    ck_assert_ptr_null(ajplb__pick_full(NULL, NULL, tried, NULL, &c, &rv));
    ck_assert_int_eq(rv, AJPLB_ENOMEMBER);
}
END_TEST

/* --------------------------------------------------- outcomes -> state */

/* T-O5, T-G7: client-caused failures never put a member in error. */
START_TEST(test_client_errors_never_mark)
{
    ajplb_lb_choice_t c;
    int k;

    ajplb__setup(ajplb__conf(1, "worker.lb.error_escalation_time=0\n"));
    for (k = 0; k < 100; k++) {
        ck_assert_str_eq(ajplb__request(NULL, k % 2 ? AJPLB_OUTCOME_TOO_BIG
                                        : AJPLB_OUTCOME_CLIENT_ERROR, T0),
                         "w1");
        ck_assert_int_eq(ajplb__state("w1"), AJPLB_STATE_IDLE);
    }
    ck_assert_uint_eq(ajplb__lb->members[0]->client_errors, 100);
    ck_assert_uint_eq(ajplb__lb->members[0]->errors, 0);
    ck_assert_uint_eq(ajplb__lb->ajps[0]->client_errors, 100);
    ck_assert_uint_eq(ajplb__lb->ajps[0]->requests, 100);
    ck_assert_uint_eq(ajplb__lb->ajps[0]->bytes_read, 100 * 100);
    ck_assert_uint_eq(ajplb__lb->ajps[0]->bytes_written, 100 * 900);
    ajplb__request(NULL, AJPLB_OUTCOME_OK, T0);
    ck_assert_int_eq(ajplb__state("w1"), AJPLB_STATE_OK);
    ajplb__pick_full(NULL, NULL, NULL, NULL, &c, NULL);
    ck_assert_int_eq(c.member, 0);
}
END_TEST

static const struct {
    ajplb_lb_outcome_e outcome;
    int state;                          /* after one request, busy 0 */
    int errors, client_errors, reply_timeouts;
} ajplb__outcome_cases[] = {
    {AJPLB_OUTCOME_OK, AJPLB_STATE_OK, 0, 0, 0},
    {AJPLB_OUTCOME_CLIENT_ERROR, AJPLB_STATE_IDLE, 0, 1, 0},
    {AJPLB_OUTCOME_TOO_BIG, AJPLB_STATE_IDLE, 0, 1, 0},
    {AJPLB_OUTCOME_CONNECT_ERROR, AJPLB_STATE_ERROR, 1, 0, 0},
    /* A client can cause these (T-O5b): counted, the member stays until
     * the adapter's check says DOWN, even with nothing else in flight. */
    {AJPLB_OUTCOME_SEND_ERROR, AJPLB_STATE_IDLE, 1, 0, 0},
    {AJPLB_OUTCOME_RECV_ERROR, AJPLB_STATE_IDLE, 1, 0, 0},
    {AJPLB_OUTCOME_PROTOCOL_ERROR, AJPLB_STATE_IDLE, 1, 0, 0},
    /* T-O4b: a slow URL is no reason to take the member out. */
    {AJPLB_OUTCOME_TIMEOUT, AJPLB_STATE_IDLE, 0, 0, 1},
    {AJPLB_OUTCOME_DOWN, AJPLB_STATE_ERROR, 1, 0, 0},
    {AJPLB_OUTCOME_FAIL_ON_STATUS, AJPLB_STATE_IDLE, 0, 0, 0},
    {AJPLB_OUTCOME_FAIL_ON_STATUS_MARK, AJPLB_STATE_ERROR, 1, 0, 0},
    {AJPLB_OUTCOME_BUSY, AJPLB_STATE_BUSY, 0, 0, 0},
};

START_TEST(test_outcome)
{
    ajplb_shm_member_t *m;

    ajplb__setup(ajplb__conf(2, ""));
    m = ajplb__lb->members[0];
    ck_assert_str_eq(ajplb__request("JSESSIONID=a.w1",
                                    ajplb__outcome_cases[_i].outcome,
                                    T0 + SEC(5)), "w1");
    ck_assert_int_eq((int)m->state, ajplb__outcome_cases[_i].state);
    ck_assert_uint_eq(m->errors, (unsigned)ajplb__outcome_cases[_i].errors);
    ck_assert_uint_eq(m->client_errors,
                      (unsigned)ajplb__outcome_cases[_i].client_errors);
    ck_assert_uint_eq(m->reply_timeouts,
                      (unsigned)ajplb__outcome_cases[_i].reply_timeouts);
    ck_assert_uint_eq(m->busy, 0);
    if (ajplb__outcome_cases[_i].state == AJPLB_STATE_ERROR) {
        ck_assert_uint_eq(m->error_time, (apr_uint64_t)(T0 + SEC(5)));
        /* Sticky requests fail over; w1 gets nothing. */
        ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w2");
    }
    ck_assert_str_eq(ajplb_state_name((int)m->state),
                     ajplb_state_name(ajplb__outcome_cases[_i].state));
}
END_TEST

START_TEST(test_escalation)
{
    ajplb_lb_choice_t a;
    ajplb_shm_member_t *m;
    int k;

    /* T-O5b: errors a client can cause never take a member out by
     * themselves, however many and however long (no escalation). */
    memset(&a, 0, sizeof(a));
    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"
                             "worker.lb.error_escalation_time=0\n"));
    m = ajplb__lb->members[0];
    for (k = 0; k < 30; k++) {
        ajplb_lb_begin(ajplb__lb, &a, T0);
        ajplb_lb_end(ajplb__lb, 0, k % 3 == 0 ? AJPLB_OUTCOME_RECV_ERROR
                     : k % 3 == 1 ? AJPLB_OUTCOME_PROTOCOL_ERROR
                     : AJPLB_OUTCOME_SEND_ERROR, 0, 0, T0);
        ck_assert_int_ne((int)m->state, AJPLB_STATE_ERROR);
    }
    ck_assert_uint_eq(m->errors, 30);
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(100));
    ck_assert_int_ne((int)m->state, AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w1");

    /* A failed connect, or the check after a failed request, marks at
     * once, busy or not. */
    ajplb__setup(ajplb__conf(2, ""));
    m = ajplb__lb->members[0];
    ajplb_lb_begin(ajplb__lb, &a, T0);
    ajplb_lb_begin(ajplb__lb, &a, T0);
    ajplb_lb_end(ajplb__lb, 0, AJPLB_OUTCOME_CONNECT_ERROR, 0, 0, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_ERROR);
    ajplb_lb_end(ajplb__lb, 0, AJPLB_OUTCOME_OK, 0, 0, T0 + SEC(31));
    ck_assert_int_eq((int)m->state, AJPLB_STATE_OK);
    ck_assert_uint_eq(m->first_error_time, 0);
    ajplb_lb_begin(ajplb__lb, &a, T0);
    ajplb_lb_begin(ajplb__lb, &a, T0);
    ajplb_lb_end(ajplb__lb, 0, AJPLB_OUTCOME_DOWN, 0, 0, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_ERROR);
    ck_assert_uint_eq(m->errors, 2);
}
END_TEST

START_TEST(test_reply_timeouts)
{
    ajplb_shm_member_t *m;
    int k;

    /* T-O4b, CVE-2012-4557: reply timeouts are counted (and decay) but
     * never mark the member, whatever max_reply_timeouts says. */
    ajplb__setup(ajplb__conf(2, "worker.lb.max_reply_timeouts=0\n"
                             "worker.maintain=10\n"));
    m = ajplb__lb->members[0];
    for (k = 0; k < 20; k++) {
        ck_assert_str_eq(ajplb__request("JSESSIONID=a.w1",
                                        AJPLB_OUTCOME_TIMEOUT, T0), "w1");
        ck_assert_int_ne((int)m->state, AJPLB_STATE_ERROR);
    }
    ck_assert_uint_eq(m->reply_timeouts, 20);
    ck_assert_uint_eq(m->errors, 0);
    /* Decay halves the count per maintenance interval. */
    ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, T0 + SEC(10)), 1);
    ck_assert_uint_eq(m->reply_timeouts, 10);
    ck_assert_int_ne((int)m->state, AJPLB_STATE_ERROR);
}
END_TEST

START_TEST(test_busy_state)
{
    ajplb_lb_choice_t c;
    ajplb_shm_member_t *m;

    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"));
    m = ajplb__lb->members[0];
    ajplb__request("JSESSIONID=a.w1", AJPLB_OUTCOME_BUSY, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_BUSY);
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w2");
    /* A request that was already on it ends: a connection is free. */
    c.member = 0;
    c.new_session = 0;
    ajplb_lb_begin(ajplb__lb, &c, T0);
    m->state = AJPLB_STATE_BUSY;
    ajplb_lb_end(ajplb__lb, 0, AJPLB_OUTCOME_OK, 0, 0, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_OK);
    /* Or maintenance clears it. */
    m->state = AJPLB_STATE_BUSY;
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(10));
    ck_assert_int_eq((int)m->state, AJPLB_STATE_OK);
}
END_TEST

/* ------------------------------------------------ recovery and probing */

/* T-O3: every member in error: documented forced recovery. */
START_TEST(test_all_error_forced_recovery)
{
    ajplb_lb_choice_t c;
    apr_status_t rv;

    ajplb__setup(ajplb__conf(3, "worker.maintain=10\n"));
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ajplb__set_state("w2", AJPLB_STATE_ERROR);
    ajplb__set_state("w3", AJPLB_STATE_ERROR);
    ck_assert_ptr_null(ajplb__pick_full(NULL, NULL, NULL, NULL, &c, &rv));
    ck_assert_int_eq(rv, AJPLB_ENOMEMBER);
    ck_assert_int_eq(ajplb_lb_force_recovery(ajplb__lb, T0), 3);
    ck_assert_int_eq(ajplb__state("w2"), AJPLB_STATE_FORCE);
    ck_assert_ptr_nonnull(ajplb__pick_full(NULL, NULL, NULL, NULL, &c, &rv));
    /* Forced members are not probed one at a time. */
    ck_assert_int_eq((int)ajplb__lb->members[c.member]->state,
                     AJPLB_STATE_FORCE);
    ajplb_lb_begin(ajplb__lb, &c, T0);
    ajplb_lb_end(ajplb__lb, c.member, AJPLB_OUTCOME_OK, 0, 0, T0);
    ck_assert_int_eq((int)ajplb__lb->members[c.member]->state,
                     AJPLB_STATE_OK);
    ck_assert_int_eq(ajplb_lb_force_recovery(ajplb__lb, T0), 0);

    /* A failing forced try goes straight back to ERR... */
    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"));
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ajplb__set_state("w2", AJPLB_STATE_ERROR);
    ajplb_lb_force_recovery(ajplb__lb, T0);
    ajplb__request(NULL, AJPLB_OUTCOME_CONNECT_ERROR, T0);
    ck_assert_int_eq(ajplb__lb->members[0]->state
                     + ajplb__lb->members[1]->state,
                     AJPLB_STATE_ERROR + AJPLB_STATE_FORCE);
    /* ...and maintenance forces recovery when everything is ERR. */
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ajplb__set_state("w2", AJPLB_STATE_ERROR);
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(10));
    ck_assert_int_eq(ajplb__state("w1"), AJPLB_STATE_FORCE);
    ck_assert_int_eq(ajplb__state("w2"), AJPLB_STATE_FORCE);
}
END_TEST

START_TEST(test_recover_time)
{
    ajplb_shm_member_t *m;
    const char *n;

    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"
                             "worker.lb.recover_time=25\n"));
    m = ajplb__lb->members[0];
    ajplb__request("JSESSIONID=a.w1", AJPLB_OUTCOME_CONNECT_ERROR, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_ERROR);
    ajplb__lb->members[1]->lb_value = 500;
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(10));
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(20));
    ck_assert_int_eq((int)m->state, AJPLB_STATE_ERROR);
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.w1"), "w2");
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(30));
    ck_assert_int_eq((int)m->state, AJPLB_STATE_RECOVER);
    /* Back at the current maximum (500 halved three times), not at 0. */
    ck_assert_uint_eq(m->lb_value, ajplb__lb->members[1]->lb_value);
    ck_assert_uint_eq(m->lb_value, 500 >> 3);
    /* T-O4: the session comes home. */
    n = ajplb__request("JSESSIONID=a.w1", AJPLB_OUTCOME_OK, T0 + SEC(31));
    ck_assert_str_eq(n, "w1");
    ck_assert_int_eq((int)m->state, AJPLB_STATE_OK);
}
END_TEST

START_TEST(test_probe_one_request)
{
    ajplb_lb_choice_t p, c;
    ajplb_shm_member_t *m;
    int k;

    ajplb__setup(ajplb__conf(2, ""));
    m = ajplb__lb->members[0];
    m->state = AJPLB_STATE_RECOVER;
    ck_assert_str_eq(ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL,
                                      &p, NULL), "w1");
    ck_assert_int_eq((int)m->state, AJPLB_STATE_PROBE);
    ajplb_lb_begin(ajplb__lb, &p, T0);
    /* While it probes, nobody else gets w1, sticky or not. */
    for (k = 0; k < 20; k++) {
        ck_assert_str_eq(ajplb__pick_full(k % 2 ? "JSESSIONID=a.w1" : NULL,
                                          NULL, NULL, NULL, &c, NULL), "w2");
    }
    /* A probe that proved nothing lets the next one try. */
    ajplb_lb_end(ajplb__lb, p.member, AJPLB_OUTCOME_CLIENT_ERROR, 0, 0, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_RECOVER);
    /* A probe that failed in a way a client can cause, with the member
     * answering the check: the next one may try. */
    ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL, &p, NULL);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_PROBE);
    ajplb_lb_begin(ajplb__lb, &p, T0);
    ajplb_lb_end(ajplb__lb, 0, AJPLB_OUTCOME_RECV_ERROR, 0, 0, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_RECOVER);
    /* A failed probe: ERR again. */
    ajplb__pick_full("JSESSIONID=a.w1", NULL, NULL, NULL, &p, NULL);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_PROBE);
    ajplb_lb_begin(ajplb__lb, &p, T0);
    ajplb_lb_begin(ajplb__lb, &p, T0);
    ajplb_lb_end(ajplb__lb, 0, AJPLB_OUTCOME_DOWN, 0, 0, T0);
    ck_assert_int_eq((int)m->state, AJPLB_STATE_ERROR);
    /* A successful probe: OK. */
    m->state = AJPLB_STATE_RECOVER;
    ck_assert_str_eq(ajplb__request("JSESSIONID=a.w1", AJPLB_OUTCOME_OK, T0),
                     "w1");
    ck_assert_int_eq((int)m->state, AJPLB_STATE_OK);

    /* Non-sticky: out of many picks, exactly one gets the recovering
     * member while the probe is open. */
    ajplb__setup(ajplb__conf(3, ""));
    ajplb__lb->members[2]->state = AJPLB_STATE_RECOVER;
    for (k = 0, p.member = 0; k < 60; k++) {
        ajplb__pick_full(NULL, NULL, NULL, NULL, &c, NULL);
        ajplb_lb_begin(ajplb__lb, &c, T0);
        p.member += c.member == 2;
    }
    ck_assert_int_eq(p.member, 1);
}
END_TEST

/* --------------------------------------------------------- maintenance */

START_TEST(test_maintain_idle_decay)
{
    ajplb_shm_member_t *m1, *m2;

    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"));
    m1 = ajplb__lb->members[0];
    m2 = ajplb__lb->members[1];
    ajplb__request("JSESSIONID=a.w1", AJPLB_OUTCOME_OK, T0);
    ajplb__request("JSESSIONID=a.w2", AJPLB_OUTCOME_OK, T0);
    ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, T0 + SEC(9)), 0);
    ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, T0 + SEC(10)), 1);
    /* Used since the last run: still OK. */
    ck_assert_int_eq((int)m1->state, AJPLB_STATE_OK);
    ajplb__request("JSESSIONID=a.w2", AJPLB_OUTCOME_OK, T0 + SEC(11));
    ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, T0 + SEC(20)), 1);
    ck_assert_int_eq((int)m1->state, AJPLB_STATE_IDLE);
    ck_assert_int_eq((int)m2->state, AJPLB_STATE_OK);
    /* Same interval again: a no-op. */
    ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, T0 + SEC(25)), 0);
    /* Halving per elapsed interval: 3 intervals = >> 3. */
    m1->lb_value = 800;
    ck_assert_int_eq(ajplb_lb_maintain(ajplb__lb, T0 + SEC(50)), 3);
    ck_assert_uint_eq(m1->lb_value, 100);
    /* Hours of silence: everything decays to 0, no shift overflow. */
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(100000));
    ck_assert_uint_eq(m1->lb_value, 0);
}
END_TEST

START_TEST(test_next_decay_and_busyness)
{
    ajplb_shm_member_t *m1, *m2;

    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"
                             "worker.lb.method=Next\n"));
    m1 = ajplb__lb->members[0];
    m2 = ajplb__lb->members[1];
    m1->lb_value = 7;
    m2->lb_value = 10;
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(10));
    ck_assert_uint_eq(m1->lb_value, 0);
    ck_assert_uint_eq(m2->lb_value, 3);

    ajplb__setup(ajplb__conf(2, "worker.maintain=10\n"
                             "worker.lb.method=B\n"));
    m1 = ajplb__lb->members[0];
    m1->lb_value = 8;
    ajplb_lb_maintain(ajplb__lb, T0 + SEC(10));
    ck_assert_uint_eq(m1->lb_value, 8);
    ck_assert_ptr_eq(ajplb_lb_method_get(AJPLB_LB_METHOD_BUSYNESS)->value(m1)
                     == 0 ? m1 : NULL, m1);
}
END_TEST

START_TEST(test_methods_table)
{
    ck_assert_str_eq(ajplb_lb_method_get(AJPLB_LB_METHOD_REQUEST)->name,
                     "Request");
    ck_assert_str_eq(ajplb_lb_method_get(AJPLB_LB_METHOD_NEXT)->name,
                     "Next");
    ck_assert_str_eq(ajplb_lb_method_get((ajplb_lb_method_e)99)->name,
                     "Request");
    ck_assert_int_eq(ajplb_lb_method_find("busyness")->id,
                     AJPLB_LB_METHOD_BUSYNESS);
    ck_assert_int_eq(ajplb_lb_method_find("Traffic")->id,
                     AJPLB_LB_METHOD_TRAFFIC);
    ck_assert_ptr_null(ajplb_lb_method_find("RoundRobin"));
    ck_assert_ptr_null(ajplb_lb_method_find(NULL));
}
END_TEST

/* The status worker changes config in shm; every process sees it. */
START_TEST(test_runtime_config)
{
    ajplb_shm_member_config_t cfg;
    ajplb_shm_lb_config_t lc;
    int k, n1 = 0;

    ajplb__setup(ajplb__conf(2, ""));
    ajplb_shm_member_config_get(ajplb__lb->members[0], &cfg);
    cfg.lbfactor = 3;
    ck_assert_int_eq(ajplb_shm_member_config_set(ajplb__shm, ajplb__lb->slot,
                                                 ajplb__lb->members[0], &cfg),
                     APR_SUCCESS);
    ck_assert_uint_eq(ajplb__lb->members[0]->lb_mult, 1);
    ck_assert_uint_eq(ajplb__lb->members[1]->lb_mult, 3);
    for (k = 0; k < 400; k++) {
        n1 += strcmp(ajplb__request(NULL, AJPLB_OUTCOME_OK, T0), "w1") == 0;
    }
    ck_assert_int_eq(n1, 300);
    cfg.activation = AJPLB_ACTIVATION_DISABLED;
    ajplb_shm_member_config_set(ajplb__shm, ajplb__lb->slot,
                                ajplb__lb->members[0], &cfg);
    for (k = 0; k < 10; k++) {
        ck_assert_str_eq(ajplb__pick(NULL), "w2");
    }
    /* A new route takes effect for stickiness at once. */
    apr_cpystrn(cfg.route, "node1", sizeof(cfg.route));
    cfg.activation = AJPLB_ACTIVATION_ACTIVE;
    ajplb_shm_member_config_set(ajplb__shm, ajplb__lb->slot,
                                ajplb__lb->members[0], &cfg);
    ck_assert_str_eq(ajplb__pick("JSESSIONID=a.node1"), "w1");
    ajplb_shm_lb_config_get(ajplb__lb->slot, &lc);
    lc.sticky_session_force = 1;
    ck_assert_int_eq(ajplb_shm_lb_config_set(ajplb__shm, ajplb__lb->slot,
                                             &lc), APR_SUCCESS);
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ck_assert_ptr_null(ajplb__pick("JSESSIONID=a.node1"));
}
END_TEST

START_TEST(test_single_member)
{
    ajplb_lb_choice_t c;
    apr_status_t rv;

    ajplb__setup(ajplb__conf(1, ""));
    ck_assert_str_eq(ajplb__request("JSESSIONID=x.zzz", AJPLB_OUTCOME_OK, T0),
                     "w1");
    ajplb__set_state("w1", AJPLB_STATE_ERROR);
    ck_assert_ptr_null(ajplb__pick_full(NULL, NULL, NULL, NULL, &c, &rv));
    ck_assert_int_eq(rv, AJPLB_ENOMEMBER);
    /* Calls with bad indexes are ignored. */
    ajplb_lb_end(ajplb__lb, -1, AJPLB_OUTCOME_OK, 0, 0, T0);
    ajplb_lb_end(ajplb__lb, 5, AJPLB_OUTCOME_OK, 0, 0, T0);
    ajplb_lb_begin(ajplb__lb, NULL, T0);
    ck_assert_int_eq(ajplb_lb_make(ajplb_test_pool, ajplb__shm,
                                   ajplb_model_find(ajplb__m, "w1"),
                                   &ajplb__lb), APR_EINVAL);
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("lb");
    TCase *tc;

    tc = ajplb_test_tcase("distribution");
    tcase_add_loop_test(tc, test_distribution, 0,
                        sizeof(ajplb__dist_cases)
                        / sizeof(ajplb__dist_cases[0]));
    tcase_add_test(tc, test_lb_mult_sequence);
    tcase_add_test(tc, test_methods_table);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("sticky");
    tcase_add_test(tc, test_sticky_route);
    tcase_add_test(tc, test_route_other_lb);
    tcase_add_test(tc, test_sticky_force);
    tcase_add_test(tc, test_sticky_ignore_stateless_forced);
    tcase_add_test(tc, test_domains);
    tcase_add_test(tc, test_redirect_hot_standby);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("choice");
    tcase_add_test(tc, test_activation);
    tcase_add_test(tc, test_distance);
    tcase_add_test(tc, test_busy_limit);
    tcase_add_test(tc, test_tried);
    tcase_add_test(tc, test_single_member);
    tcase_add_test(tc, test_runtime_config);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("outcome");
    tcase_add_loop_test(tc, test_outcome, 0,
                        sizeof(ajplb__outcome_cases)
                        / sizeof(ajplb__outcome_cases[0]));
    tcase_add_test(tc, test_client_errors_never_mark);
    tcase_add_test(tc, test_escalation);
    tcase_add_test(tc, test_reply_timeouts);
    tcase_add_test(tc, test_busy_state);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("recovery");
    tcase_add_test(tc, test_all_error_forced_recovery);
    tcase_add_test(tc, test_recover_time);
    tcase_add_test(tc, test_probe_one_request);
    tcase_add_test(tc, test_maintain_idle_decay);
    tcase_add_test(tc, test_next_decay_and_busyness);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
