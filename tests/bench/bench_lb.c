/*
 * bench_lb.c -- cost of one balancer round trip (pick + begin + end) for
 * 2, 16 and 64 members, single-threaded and with 2 and 8 threads on one
 * balancer in one segment.  A benchmark, not a test: it asserts nothing.
 *
 * Build and run by hand (after make check-unit OUT=out/lb):
 *   gcc -O2 -std=gnu99 -Iinclude $(apr-1-config --cflags --cppflags \
 *       --includes) -o out/lb/bench_lb tests/bench/bench_lb.c \
 *       out/lb/libajplb_core.a $(apu-1-config --link-ld --libs) \
 *       $(apr-1-config --link-ld --libs) -lpthread
 *   out/lb/bench_lb
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "ajplb_lb.h"

#define AJPLB_BENCH_ITER 400000

typedef struct {
    ajplb_lb_t *lb;
    int sticky;
    long iter;
} ajplb__bench_arg_t;

static double ajplb__bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static ajplb_lb_t *ajplb__bench_lb(apr_pool_t *p, int n, const char *method)
{
    const char *text = apr_psprintf(p, "worker.list=lb\nworker.lb.type=lb\n"
                                    "worker.lb.method=%s\n", method);
    ajplb_diags_t *d = ajplb_diags_make(p);
    ajplb_props_t *pr = ajplb_props_make(p, d);
    ajplb_model_defaults_t defs = {60, 64};
    ajplb_model_t *m;
    ajplb_shm_t *shm;
    ajplb_lb_t *lb;
    apr_size_t size;
    int i;

    for (i = 1; i <= n; i++) {
        text = apr_psprintf(p, "%sworker.lb.balance_workers=w%d\n"
                            "worker.w%d.port=%d\nworker.w%d.lbfactor=%d\n",
                            text, i, i, 8000 + i, i, 1 + i % 3);
    }
    ajplb_props_read_buffer(pr, text, strlen(text), "bench");
    if (ajplb_model_build(p, pr, &defs, d, &m) != APR_SUCCESS) {
        fprintf(stderr, "model build failed\n");
        return NULL;
    }
    size = ajplb_shm_size(m);
    ajplb_shm_init(p, apr_pcalloc(p, size), size, m, NULL, 0,
                   apr_time_now(), &shm);
    ajplb_lb_make(p, shm, ajplb_model_find(m, "lb"), &lb);
    return lb;
}

/* The request path as the handler runs it, minus the network. */
static void ajplb__bench_loop(ajplb_lb_t *lb, int sticky, long iter)
{
    const char *cookie = "JSESSIONID=0123456789ABCDEF.w2";
    ajplb_lb_req_t req;
    apr_array_header_t *ids;
    apr_pool_t *p;
    long k;

    apr_pool_create(&p, NULL);
    memset(&req, 0, sizeof(req));
    req.cookies = &cookie;
    req.ncookies = 1;
    ids = sticky ? ajplb_lb_session_ids(lb, p, &req) : NULL;
    for (k = 0; k < iter; k++) {
        ajplb_lb_choice_t c;
        if (ajplb_lb_pick(lb, &req, ids, NULL, 0, &c) == APR_SUCCESS) {
            ajplb_lb_begin(lb, &c, 0);
            ajplb_lb_end(lb, c.member, AJPLB_OUTCOME_OK, 100, 1000, 0);
        }
    }
    apr_pool_destroy(p);
}

static void *APR_THREAD_FUNC ajplb__bench_thread(apr_thread_t *t, void *a)
{
    ajplb__bench_arg_t *arg = a;

    ajplb__bench_loop(arg->lb, arg->sticky, arg->iter);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static double ajplb__bench_run(apr_pool_t *p, ajplb_lb_t *lb, int threads,
                               int sticky)
{
    apr_thread_t *th[8];
    ajplb__bench_arg_t arg = {lb, sticky, AJPLB_BENCH_ITER / threads};
    double t0 = ajplb__bench_now();
    apr_status_t rv;
    int i;

    for (i = 0; i < threads; i++) {
        apr_thread_create(&th[i], NULL, ajplb__bench_thread, &arg, p);
    }
    for (i = 0; i < threads; i++) {
        apr_thread_join(&rv, th[i]);
    }
    /* Wall time per round trip over all threads together (throughput). */
    return (ajplb__bench_now() - t0) / (double)(arg.iter * threads);
}

int main(void)
{
    static const int sizes[] = {2, 16, 64};
    static const int threads[] = {1, 2, 8};
    apr_pool_t *p;
    int s, t;

    apr_initialize();
    apr_pool_create(&p, NULL);
    printf("ns per pick+begin+end (wall time / round trips, %d round "
           "trips per cell)\n", AJPLB_BENCH_ITER);
    printf("%-8s %-9s %10s %10s %10s\n", "members", "request", "1 thread",
           "2 threads", "8 threads");
    for (s = 0; s < 3; s++) {
        int sticky;
        for (sticky = 0; sticky < 2; sticky++) {
            ajplb_lb_t *lb = ajplb__bench_lb(p, sizes[s], "R");
            if (lb == NULL) {
                return 1;
            }
            printf("%-8d %-9s", sizes[s], sticky ? "sticky" : "balanced");
            for (t = 0; t < 3; t++) {
                printf(" %10.1f", ajplb__bench_run(p, lb, threads[t],
                                                   sticky));
            }
            printf("\n");
        }
    }
    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
