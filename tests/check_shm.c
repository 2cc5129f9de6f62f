/*
 * check_shm.c -- unit tests for the shared segment: size, layout, lookup,
 * validation, state carried across a graceful restart by name (added,
 * removed, renamed members), seqlocked config, exact atomic counters.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "test_util.h"
#include "ajplb_lb.h"

static const ajplb_model_defaults_t ajplb__defs = {120, 16};

#define T0 ((apr_time_t)1700000000 * APR_USEC_PER_SEC)

static ajplb_model_t *ajplb__model(const char *text)
{
    ajplb_diags_t *d = ajplb_diags_make(ajplb_test_pool);
    ajplb_props_t *pr = ajplb_props_make(ajplb_test_pool, d);
    ajplb_model_t *m = NULL;

    ck_assert_int_eq(ajplb_props_read_buffer(pr, text, strlen(text),
                                             "t.properties"), APR_SUCCESS);
    ck_assert_int_eq(ajplb_model_build(ajplb_test_pool, pr, &ajplb__defs, d,
                                       &m), APR_SUCCESS);
    return m;
}

static ajplb_shm_t *ajplb__init(ajplb_model_t *m, const void *prev,
                                apr_size_t prev_size, apr_status_t want)
{
    apr_size_t size = ajplb_shm_size(m);
    void *base = apr_pcalloc(ajplb_test_pool, size);
    ajplb_shm_t *shm = NULL;

    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, base, size, m, prev,
                                    prev_size, T0, &shm), want);
    ck_assert_ptr_nonnull(shm);
    return shm;
}

static const char *ajplb__two_lbs =
    "worker.list=lb1,lb2,stat\n"
    "worker.lb1.type=lb\nworker.lb1.balance_workers=w1,w2\n"
    "worker.lb2.type=lb\nworker.lb2.balance_workers=w2,w3\n"
    "worker.lb2.method=B\nworker.lb2.sticky_session=0\n"
    "worker.w1.port=8001\nworker.w1.lbfactor=2\n"
    "worker.w1.route=r1\nworker.w1.redirect=w2\n"
    "worker.w2.port=8002\nworker.w2.lbfactor=3\nworker.w2.domain=dom\n"
    "worker.w3.host=h3\nworker.w3.port=8003\nworker.w3.activation=D\n"
    "worker.stat.type=status\n";

START_TEST(test_size_and_layout)
{
    ajplb_model_t *m = ajplb__model(ajplb__two_lbs);
    ajplb_shm_t *shm = ajplb__init(m, NULL, 0, APR_SUCCESS);
    apr_size_t min = sizeof(ajplb_shm_header_t) + 2 * sizeof(ajplb_shm_lb_t)
                     + 4 * sizeof(ajplb_shm_member_t)
                     + 3 * sizeof(ajplb_shm_ajp_t);
    apr_size_t size = ajplb_shm_size(m);

    ck_assert_uint_ge(size, min);
    ck_assert_uint_le(size, min + 4 * 64);
    ck_assert_uint_eq(size % 64, 0);
    ck_assert_uint_eq(shm->hdr->lb_count, 2);
    ck_assert_uint_eq(shm->hdr->member_count, 4);
    ck_assert_uint_eq(shm->hdr->ajp_count, 3);
    ck_assert_uint_eq(shm->hdr->size, size);
    ck_assert_uint_eq(shm->hdr->version, AJPLB_SHM_VERSION);
    ck_assert_uint_eq(shm->hdr->generation, 0);
    ck_assert_uint_eq(shm->hdr->maintain_interval, 60);
    ck_assert_int_eq(memcmp(shm->hdr->magic, AJPLB_SHM_MAGIC, 8), 0);
    /* 64-bit counters must be 8-aligned for the atomics. */
    ck_assert_uint_eq(((apr_uintptr_t)&shm->members[1].lb_value) % 8, 0);
    ck_assert_uint_eq(((apr_uintptr_t)&shm->lbs[1].last_maintain_time) % 8,
                      0);
    ck_assert_uint_eq(((apr_uintptr_t)&shm->ajps[2].requests) % 8, 0);
    ck_assert_uint_eq(sizeof(ajplb_shm_member_t) % 8, 0);
    ck_assert_uint_eq(sizeof(ajplb_shm_lb_t) % 8, 0);
    ck_assert_uint_eq(sizeof(ajplb_shm_ajp_t) % 8, 0);
    /* One more member: a bigger segment. */
    ck_assert_uint_gt(ajplb_shm_size(ajplb__model(apr_pstrcat(
        ajplb_test_pool, ajplb__two_lbs,
        "worker.lb2.balance_workers=w1\n", NULL))), size);
}
END_TEST

START_TEST(test_lookup)
{
    ajplb_model_t *m = ajplb__model(ajplb__two_lbs);
    ajplb_shm_t *shm = ajplb__init(m, NULL, 0, APR_SUCCESS);
    ajplb_shm_lb_t *lb1 = ajplb_shm_find_lb(shm, "lb1");
    ajplb_shm_lb_t *lb2 = ajplb_shm_find_lb(shm, "lb2");
    ajplb_shm_member_t *a = ajplb_shm_find_member(shm, "lb1", "w2");
    ajplb_shm_member_t *b = ajplb_shm_find_member(shm, "lb2", "w2");
    ajplb_shm_member_t *w1 = ajplb_shm_find_member(shm, "lb1", "w1");
    ajplb_shm_member_t *w3 = ajplb_shm_find_member(shm, "lb2", "w3");
    ajplb_shm_lb_config_t lc;

    ck_assert_ptr_nonnull(lb1);
    ck_assert_ptr_nonnull(lb2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    /* The same ajp13 worker in two lbs: two member slots, one ajp slot. */
    ck_assert_ptr_ne(a, b);
    ck_assert_ptr_eq(ajplb_shm_member_ajp(shm, a),
                     ajplb_shm_member_ajp(shm, b));
    ck_assert_ptr_eq(ajplb_shm_member_ajp(shm, a),
                     ajplb_shm_find_ajp(shm, "w2"));
    ck_assert_ptr_eq(ajplb_shm_lb_member(shm, lb1, 0), w1);
    ck_assert_ptr_eq(ajplb_shm_lb_member(shm, lb1, 1), a);
    ck_assert_ptr_null(ajplb_shm_lb_member(shm, lb1, 2));
    ck_assert_ptr_null(ajplb_shm_lb_member(shm, lb1, -1));
    ck_assert_ptr_null(ajplb_shm_find_member(shm, "lb1", "w3"));
    ck_assert_ptr_null(ajplb_shm_find_member(shm, NULL, "w3"));
    ck_assert_ptr_null(ajplb_shm_find_lb(shm, "w1"));
    ck_assert_ptr_null(ajplb_shm_find_lb(shm, "stat"));
    ck_assert_ptr_null(ajplb_shm_find_ajp(shm, "lb1"));
    ck_assert_ptr_null(ajplb_shm_find_ajp(shm, NULL));
    ck_assert_ptr_null(ajplb_shm_find_ajp(shm, apr_pstrcat(ajplb_test_pool,
        "w1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxx", NULL)));
    /* Config fields come from the model. */
    ck_assert_str_eq(w1->cfg.route, "r1");
    ck_assert_str_eq(w1->cfg.redirect, "w2");
    ck_assert_str_eq(a->cfg.domain, "dom");
    ck_assert_str_eq(a->cfg.route, "w2");
    ck_assert_uint_eq(w3->cfg.activation, AJPLB_ACTIVATION_DISABLED);
    ck_assert_uint_eq(w1->lb_mult, 3);
    ck_assert_uint_eq(a->lb_mult, 2);
    ck_assert_uint_eq(b->lb_mult, 1);
    ck_assert_uint_eq(w3->lb_mult, 3);
    ck_assert_str_eq(ajplb_shm_find_ajp(shm, "w3")->host, "h3");
    ck_assert_uint_eq(ajplb_shm_find_ajp(shm, "w3")->port, 8003);
    ck_assert_int_eq(ajplb_shm_member_route_is(w1, "r1"), 1);
    ck_assert_int_eq(ajplb_shm_member_route_is(w1, "R1"), 0);
    ck_assert_int_eq(ajplb_shm_member_route_is(w1, "r"), 0);
    ck_assert_int_eq(ajplb_shm_member_route_is(w1, ""), 0);
    ck_assert_int_eq(ajplb_shm_member_domain_is(a, "dom.x", 3), 1);
    ck_assert_int_eq(ajplb_shm_member_domain_is(w1, "", 0), 0);
    ajplb_shm_lb_config_get(lb2, &lc);
    ck_assert_uint_eq(lc.method, AJPLB_LB_METHOD_BUSYNESS);
    ck_assert_uint_eq(lc.sticky_session, 0);
    ck_assert_uint_eq(lc.recover_time, 60);
    ck_assert_uint_eq(lc.error_escalation_time, 30);
    ck_assert_str_eq(ajplb_state_name(AJPLB_STATE_PROBE), "ERR/PRB");
    ck_assert_str_eq(ajplb_state_name(AJPLB_STATE_IDLE), "OK/IDLE");
    ck_assert_str_eq(ajplb_state_name(99), "?");
}
END_TEST

START_TEST(test_validation)
{
    ajplb_model_t *m = ajplb__model(ajplb__two_lbs);
    apr_size_t size = ajplb_shm_size(m);
    char *base = apr_pcalloc(ajplb_test_pool, size);
    char *copy = apr_palloc(ajplb_test_pool, size);
    ajplb_shm_t *shm;

    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, base, size - 1, m, NULL,
                                    0, T0, &shm), AJPLB_ESHMSMALL);
    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, base, size, m, NULL, 0,
                                    T0, &shm), APR_SUCCESS);
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, base, size, &shm),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(ajplb_shm_find_member(shm, "lb2", "w3"));
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, base, size - 64,
                                      &shm), AJPLB_ESHMBAD);
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, NULL, size, &shm),
                     AJPLB_ESHMBAD);
    memcpy(copy, base, size);
    copy[0] = 'X';
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, copy, size, &shm),
                     AJPLB_ESHMBAD);
    memcpy(copy, base, size);
    ((ajplb_shm_header_t *)copy)->version = 99;
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, copy, size, &shm),
                     AJPLB_ESHMBAD);
    memcpy(copy, base, size);
    ((ajplb_shm_header_t *)copy)->member_count = 1000;
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, copy, size, &shm),
                     AJPLB_ESHMBAD);
    memcpy(copy, base, size);
    ((ajplb_shm_lb_t *)(copy + ((ajplb_shm_header_t *)copy)->lb_offset))
        ->member_count = 9;
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, copy, size, &shm),
                     AJPLB_ESHMBAD);
    memcpy(copy, base, size);
    memset(((ajplb_shm_member_t *)(copy + ((ajplb_shm_header_t *)copy)
                                   ->member_offset))->id.name, 'a', 64);
    ck_assert_int_eq(ajplb_shm_attach(ajplb_test_pool, copy, size, &shm),
                     AJPLB_ESHMBAD);
    /* A bad previous segment: fresh state, reported, still usable. */
    shm = ajplb__init(m, copy, size, AJPLB_ESHMBAD);
    ck_assert_ptr_nonnull(ajplb_shm_find_lb(shm, "lb1"));
    ck_assert_uint_eq(shm->hdr->generation, 0);
}
END_TEST

/* T-O6/T-O7: a graceful restart that keeps, removes, renames and adds
 * members, and changes a surviving member's route and host. */
START_TEST(test_restart_carry)
{
    ajplb_model_t *m1 = ajplb__model(
        "worker.list=lb\nworker.lb.type=lb\n"
        "worker.lb.balance_workers=a,b,c\n"
        "worker.a.port=8001\nworker.b.port=8002\nworker.c.port=8003\n");
    ajplb_model_t *m2 = ajplb__model(
        "worker.list=lb\nworker.lb.type=lb\n"
        "worker.lb.balance_workers=d,a,e\n"
        "worker.a.host=newhost\nworker.a.port=9001\nworker.a.route=ra\n"
        "worker.a.lbfactor=2\n"
        "worker.d.port=8003\nworker.e.port=8005\n");
    ajplb_shm_t *s1 = ajplb__init(m1, NULL, 0, APR_SUCCESS);
    ajplb_shm_t *s2;
    ajplb_shm_member_t *a, *b, *c, *d, *e;
    apr_size_t size1 = ajplb_shm_size(m1);

    a = ajplb_shm_find_member(s1, "lb", "a");
    b = ajplb_shm_find_member(s1, "lb", "b");
    c = ajplb_shm_find_member(s1, "lb", "c");
    a->elected = 100; a->lb_value = 40; a->errors = 1; a->busy = 3;
    a->state = AJPLB_STATE_PROBE;
    b->elected = 200; b->lb_value = 90; b->state = AJPLB_STATE_ERROR;
    c->elected = 300; c->lb_value = 70; c->client_errors = 7;
    ajplb_shm_find_ajp(s1, "a")->requests = 555;
    ajplb_shm_find_lb(s1, "lb")->next_offset = 17;

    s2 = ajplb__init(m2, s1->hdr, size1, APR_SUCCESS);
    ck_assert_uint_eq(s2->hdr->generation, 1);
    ck_assert_uint_eq(s2->hdr->member_count, 3);
    a = ajplb_shm_find_member(s2, "lb", "a");
    d = ajplb_shm_find_member(s2, "lb", "d");
    e = ajplb_shm_find_member(s2, "lb", "e");
    ck_assert_ptr_null(ajplb_shm_find_member(s2, "lb", "b"));
    ck_assert_ptr_null(ajplb_shm_find_member(s2, "lb", "c"));
    /* The survivor keeps its counters, not its config. */
    ck_assert_uint_eq(a->elected, 100);
    ck_assert_uint_eq(a->lb_value, 40);
    ck_assert_uint_eq(a->errors, 1);
    ck_assert_uint_eq(a->busy, 0);
    ck_assert_uint_eq(a->state, AJPLB_STATE_RECOVER);
    ck_assert_str_eq(a->cfg.route, "ra");
    ck_assert_uint_eq(a->cfg.lbfactor, 2);
    ck_assert_str_eq(ajplb_shm_find_ajp(s2, "a")->host, "newhost");
    ck_assert_uint_eq(ajplb_shm_find_ajp(s2, "a")->port, 9001);
    ck_assert_uint_eq(ajplb_shm_find_ajp(s2, "a")->requests, 555);
    /* The renamed (c -> d, same port) and the new one start fresh, at
     * the survivors' highest value, and nothing of b or c leaks. */
    ck_assert_uint_eq(d->elected, 0);
    ck_assert_uint_eq(d->client_errors, 0);
    ck_assert_uint_eq(d->state, AJPLB_STATE_IDLE);
    ck_assert_uint_eq(d->lb_value, 40);
    ck_assert_uint_eq(e->elected, 0);
    ck_assert_uint_eq(e->lb_value, 40);
    ck_assert_uint_eq(ajplb_shm_find_ajp(s2, "d")->requests, 0);
    ck_assert_uint_eq(ajplb_shm_find_lb(s2, "lb")->next_offset, 17);

    /* Restart again in place (prev == base), same model: all kept. */
    a->elected = 101;
    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, s2->hdr,
                                    (apr_size_t)s2->hdr->size, m2, s2->hdr,
                                    (apr_size_t)s2->hdr->size, T0, &s2),
                     APR_SUCCESS);
    ck_assert_uint_eq(s2->hdr->generation, 2);
    ck_assert_uint_eq(ajplb_shm_find_member(s2, "lb", "a")->elected, 101);
    ck_assert_uint_eq(ajplb_shm_find_member(s2, "lb", "d")->lb_value, 40);
}
END_TEST

/* A member moved to another lb is a different slot: no state follows. */
START_TEST(test_restart_no_mixing)
{
    ajplb_model_t *m1 = ajplb__model(
        "worker.list=x,y\nworker.x.type=lb\nworker.x.balance_workers=a\n"
        "worker.y.type=lb\nworker.y.balance_workers=b\n"
        "worker.a.port=8001\nworker.b.port=8002\n");
    ajplb_model_t *m2 = ajplb__model(
        "worker.list=x,y\nworker.x.type=lb\nworker.x.balance_workers=b\n"
        "worker.y.type=lb\nworker.y.balance_workers=a\n"
        "worker.a.port=8001\nworker.b.port=8002\n");
    ajplb_shm_t *s1 = ajplb__init(m1, NULL, 0, APR_SUCCESS), *s2;

    ajplb_shm_find_member(s1, "x", "a")->elected = 11;
    ajplb_shm_find_member(s1, "y", "b")->elected = 22;
    s2 = ajplb__init(m2, s1->hdr, ajplb_shm_size(m1), APR_SUCCESS);
    ck_assert_uint_eq(ajplb_shm_find_member(s2, "x", "b")->elected, 0);
    ck_assert_uint_eq(ajplb_shm_find_member(s2, "y", "a")->elected, 0);
}
END_TEST

START_TEST(test_config_set)
{
    ajplb_model_t *m = ajplb__model(ajplb__two_lbs);
    ajplb_shm_t *shm = ajplb__init(m, NULL, 0, APR_SUCCESS);
    ajplb_shm_lb_t *lb1 = ajplb_shm_find_lb(shm, "lb1");
    ajplb_shm_member_t *w1 = ajplb_shm_find_member(shm, "lb1", "w1");
    ajplb_shm_member_t *w3 = ajplb_shm_find_member(shm, "lb2", "w3");
    ajplb_shm_member_config_t c;
    ajplb_shm_lb_config_t lc;
    apr_uint32_t seq = w1->seq, hseq = shm->hdr->sequence;

    ajplb_shm_member_config_get(w1, &c);
    c.lbfactor = 5;
    ck_assert_int_eq(ajplb_shm_member_config_set(shm, lb1, w1, &c),
                     APR_SUCCESS);
    ck_assert_uint_eq(w1->seq, seq + 2);
    ck_assert_uint_eq(shm->hdr->sequence, hseq + 1);
    ck_assert_uint_eq(w1->lb_mult, 3);
    ck_assert_uint_eq(ajplb_shm_find_member(shm, "lb1", "w2")->lb_mult, 5);
    c.lbfactor = 0;
    ck_assert_int_eq(ajplb_shm_member_config_set(shm, lb1, w1, &c),
                     APR_EINVAL);
    c.lbfactor = 1;
    c.activation = 7;
    ck_assert_int_eq(ajplb_shm_member_config_set(shm, lb1, w1, &c),
                     APR_EINVAL);
    c.activation = 0;
    c.route[0] = '\0';
    ck_assert_int_eq(ajplb_shm_member_config_set(shm, lb1, w1, &c),
                     APR_EINVAL);
    memset(c.route, 'x', sizeof(c.route));
    ck_assert_int_eq(ajplb_shm_member_config_set(shm, lb1, w1, &c),
                     APR_EINVAL);
    /* A member of another lb is refused. */
    apr_cpystrn(c.route, "ok", sizeof(c.route));
    ck_assert_int_eq(ajplb_shm_member_config_set(shm, lb1, w3, &c),
                     APR_EINVAL);
    ck_assert_uint_eq(w1->seq, seq + 2);
    ajplb_shm_lb_config_get(lb1, &lc);
    lc.method = 9;
    ck_assert_int_eq(ajplb_shm_lb_config_set(shm, lb1, &lc), APR_EINVAL);
    lc.method = AJPLB_LB_METHOD_TRAFFIC;
    ck_assert_int_eq(ajplb_shm_lb_config_set(shm, lb1, &lc), APR_SUCCESS);
    ajplb_shm_lb_config_get(lb1, &lc);
    ck_assert_uint_eq(lc.method, AJPLB_LB_METHOD_TRAFFIC);
}
END_TEST

/* lcm overflow falls back to max * 1000 / factor. */
START_TEST(test_lb_mult_overflow)
{
    const char *t = "worker.list=lb\nworker.lb.type=lb\n"
                    "worker.lb.balance_workers=a,b,c,d\n"
                    "worker.a.lbfactor=9973\nworker.b.lbfactor=9967\n"
                    "worker.c.lbfactor=9949\nworker.d.lbfactor=1\n";
    ajplb_shm_t *shm = ajplb__init(ajplb__model(t), NULL, 0, APR_SUCCESS);

    ck_assert_uint_eq(ajplb_shm_find_member(shm, "lb", "a")->lb_mult, 1000);
    ck_assert_uint_eq(ajplb_shm_find_member(shm, "lb", "d")->lb_mult,
                      9973000);
}
END_TEST

START_TEST(test_maintain_claim)
{
    ajplb_shm_t *shm = ajplb__init(ajplb__model(ajplb__two_lbs), NULL, 0,
                                   APR_SUCCESS);
    apr_interval_time_t iv = apr_time_from_sec(60);

    ck_assert_int_eq(ajplb_shm_maintain_claim(shm, T0 + iv - 1, iv), 0);
    ck_assert_int_eq(ajplb_shm_maintain_claim(shm, T0 + iv, iv), 1);
    ck_assert_int_eq(ajplb_shm_maintain_claim(shm, T0 + iv, iv), 0);
    ck_assert_int_eq(ajplb_shm_maintain_claim(shm, T0 + 2 * iv - 1, iv), 0);
    ck_assert_int_eq(ajplb_shm_maintain_claim(shm, T0 + 2 * iv, iv), 1);
}
END_TEST

/* ------------------------------------------------------------- threads */

#define AJPLB__ITER 20000

typedef struct {
    ajplb_lb_t *lb;
    int id;
} ajplb__targ_t;

static void *APR_THREAD_FUNC ajplb__worker(apr_thread_t *t, void *arg)
{
    ajplb__targ_t *a = arg;
    ajplb_lb_choice_t c;
    int k;

    memset(&c, 0, sizeof(c));
    c.new_session = 1;
    for (k = 0; k < AJPLB__ITER; k++) {
        c.member = (a->id + k) % a->lb->n;
        ajplb_lb_begin(a->lb, &c, T0);
        ajplb_lb_end(a->lb, c.member, AJPLB_OUTCOME_OK, 3, 5, T0);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* T-O8: counters updated concurrently (as by many children) stay exact. */
START_TEST(test_atomic_counters)
{
    ajplb_model_t *m = ajplb__model(ajplb__two_lbs);
    ajplb_shm_t *shm = ajplb__init(m, NULL, 0, APR_SUCCESS);
    ajplb_lb_t *lb;
    apr_thread_t *th[8];
    ajplb__targ_t args[8];
    apr_uint64_t total = 0, lbv = 0;
    int i;

    ck_assert_int_eq(ajplb_lb_make(ajplb_test_pool, shm,
                                   ajplb_model_find(m, "lb1"), &lb),
                     APR_SUCCESS);
    for (i = 0; i < 8; i++) {
        args[i].lb = lb;
        args[i].id = i;
        ck_assert_int_eq(apr_thread_create(&th[i], NULL, ajplb__worker,
                                           &args[i], ajplb_test_pool),
                         APR_SUCCESS);
    }
    for (i = 0; i < 8; i++) {
        apr_status_t trv;
        apr_thread_join(&trv, th[i]);
    }
    for (i = 0; i < lb->n; i++) {
        ajplb_shm_member_t *mm = lb->members[i];
        ck_assert_uint_eq(mm->busy, 0);
        ck_assert_uint_le(mm->max_busy, 8);
        ck_assert_uint_ge(mm->max_busy, 1);
        total += mm->elected;
        lbv += mm->lb_value / mm->lb_mult;
        ck_assert_uint_eq(mm->bytes_read * 5, mm->bytes_written * 3);
        ck_assert_uint_eq(mm->sessions, mm->elected);
        ck_assert_uint_eq(mm->elected, 8 * AJPLB__ITER / 2);
    }
    ck_assert_uint_eq(total, 8 * AJPLB__ITER);
    ck_assert_uint_eq(lbv, 8 * AJPLB__ITER);
    ck_assert_uint_eq(lb->slot->busy, 0);
    ck_assert_uint_eq(ajplb_shm_find_ajp(shm, "w1")->requests,
                      8 * AJPLB__ITER / 2);
    ck_assert_uint_eq(ajplb_shm_find_ajp(shm, "w2")->bytes_read,
                      3ULL * 8 * AJPLB__ITER / 2);
}
END_TEST

/* A writer flips the route between two full-length values while readers
 * check they never see a mix (the seqlock). */
typedef struct {
    ajplb_shm_t *shm;
    ajplb_shm_lb_t *lb;
    ajplb_shm_member_t *m;
    volatile int stop;
    int torn;
} ajplb__seq_t;

static void *APR_THREAD_FUNC ajplb__seq_writer(apr_thread_t *t, void *arg)
{
    ajplb__seq_t *s = arg;
    ajplb_shm_member_config_t c;
    int k;

    ajplb_shm_member_config_get(s->m, &c);
    for (k = 0; k < 20000; k++) {
        memset(c.route, k % 2 ? 'a' : 'b', 63);
        c.route[63] = '\0';
        c.lbfactor = k % 2 ? 1 : 2;
        ajplb_shm_member_config_set(s->shm, s->lb, s->m, &c);
    }
    s->stop = 1;
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void *APR_THREAD_FUNC ajplb__seq_reader(apr_thread_t *t, void *arg)
{
    ajplb__seq_t *s = arg;
    ajplb_shm_member_config_t c;

    while (!s->stop) {
        ajplb_shm_member_config_get(s->m, &c);
        if (strspn(c.route, c.route[0] == 'a' ? "a" : "b") != 63
            || (c.route[0] == 'a') != (c.lbfactor == 1)) {
            s->torn++;
        }
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

START_TEST(test_seqlock)
{
    ajplb_shm_t *shm = ajplb__init(ajplb__model(ajplb__two_lbs), NULL, 0,
                                   APR_SUCCESS);
    ajplb__seq_t s;
    apr_thread_t *w, *r1, *r2;
    apr_status_t trv;

    memset(&s, 0, sizeof(s));
    s.shm = shm;
    s.lb = ajplb_shm_find_lb(shm, "lb1");
    s.m = ajplb_shm_find_member(shm, "lb1", "w1");
    {
        ajplb_shm_member_config_t c;
        ajplb_shm_member_config_get(s.m, &c);
        memset(c.route, 'b', 63);
        c.lbfactor = 2;
        ajplb_shm_member_config_set(shm, s.lb, s.m, &c);
    }
    apr_thread_create(&r1, NULL, ajplb__seq_reader, &s, ajplb_test_pool);
    apr_thread_create(&r2, NULL, ajplb__seq_reader, &s, ajplb_test_pool);
    apr_thread_create(&w, NULL, ajplb__seq_writer, &s, ajplb_test_pool);
    apr_thread_join(&trv, w);
    apr_thread_join(&trv, r1);
    apr_thread_join(&trv, r2);
    ck_assert_int_eq(s.torn, 0);
    ck_assert_uint_eq(s.m->seq % 2, 0);
}
END_TEST

/* The previous generation's segment is live shared memory: a child of
 * that generation (buggy or hostile) may rewrite its header while the new
 * generation copies it.  The copy must use the size that was validated,
 * never read it again (issue #12, TOCTOU).  Here a thread flips the size
 * field between the right value and one that reaches past the mapping,
 * which ends in a guard page: a second read makes the copy fault. */
static volatile apr_uint32_t ajplb__flip_stop;

static void *APR_THREAD_FUNC ajplb__flipper(apr_thread_t *t, void *data)
{
    volatile apr_uint32_t *size = data;
    apr_uint32_t good = *size;

    while (!ajplb__flip_stop) {
        *size = good + 4096 * 4;
        *size = good;
    }
    return NULL;
}

START_TEST(test_prev_size_read_once)
{
    ajplb_model_t *m = ajplb__model(ajplb__two_lbs);
    apr_size_t size = ajplb_shm_size(m);
    long page = sysconf(_SC_PAGESIZE);
    apr_size_t span = (size + (apr_size_t)page - 1) & ~((apr_size_t)page - 1);
    char *map, *prev, *base = apr_pcalloc(ajplb_test_pool, size);
    apr_thread_t *th;
    apr_status_t trv;
    ajplb_shm_t *shm;
    int i, ok = 0;

    /* prev ends exactly where the guard page starts. */
    map = mmap(NULL, span + (apr_size_t)page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(map, MAP_FAILED);
    ck_assert_int_eq(mprotect(map + span, (size_t)page, PROT_NONE), 0);
    prev = map + span - size;
    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool, prev, size, m, NULL, 0,
                                    T0, &shm), APR_SUCCESS);
    ajplb__flip_stop = 0;
    ck_assert_int_eq(apr_thread_create(&th, NULL, ajplb__flipper,
                                       (void *)&((ajplb_shm_header_t *)prev)
                                           ->size, ajplb_test_pool),
                     APR_SUCCESS);
    for (i = 0; i < 20000; i++) {
        apr_pool_t *p;
        apr_pool_create(&p, ajplb_test_pool);
        if (ajplb_shm_init(p, base, size, m, prev, size, T0, &shm)
            == APR_SUCCESS) {
            ok++;
        }
        apr_pool_destroy(p);
    }
    ajplb__flip_stop = 1;
    apr_thread_join(&trv, th);
    /* Some copies saw the right size, and none read past it. */
    ck_assert_int_gt(ok, 0);
    munmap(map, span + (apr_size_t)page);
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("shm");
    TCase *tc;

    tc = ajplb_test_tcase("layout");
    tcase_add_test(tc, test_size_and_layout);
    tcase_add_test(tc, test_lookup);
    tcase_add_test(tc, test_validation);
    tcase_add_test(tc, test_lb_mult_overflow);
    tcase_add_test(tc, test_maintain_claim);
    tcase_add_test(tc, test_prev_size_read_once);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("restart");
    tcase_add_test(tc, test_restart_carry);
    tcase_add_test(tc, test_restart_no_mixing);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("concurrency");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_config_set);
    tcase_add_test(tc, test_atomic_counters);
    tcase_add_test(tc, test_seqlock);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
