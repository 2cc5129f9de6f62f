/*
 * ajplb_lb_method.c -- the balancing methods as a table of pure functions
 * over member slots: Request, Traffic, Busyness, Session, Next.
 * Core layer: APR only; atomics only, no lock taken or assumed.
 */
#include <strings.h>

#include <apr_atomic.h>
#include <apr_strings.h>

#include "ajplb_lb.h"

/* lb_value >>= shift, safe against concurrent atomic adds. */
static void ajplb__method_halve(ajplb_shm_member_t *const *ms, int n,
                                int shift)
{
    int i;

    if (shift > 63) {
        shift = 63;
    }
    for (i = 0; i < n; i++) {
        apr_uint64_t old, v;
        do {
            old = apr_atomic_read64(&ms[i]->lb_value);
            v = old >> shift;
        } while (apr_atomic_cas64(&ms[i]->lb_value, v, old) != old);
    }
}

/* Next: subtract the smallest value of the usable members, so the order
 * of new sessions keeps rotating instead of being reset by halving. */
static void ajplb__method_sub_min(ajplb_shm_member_t *const *ms, int n,
                                  int shift)
{
    apr_uint64_t min = 0;
    int i, found = 0;

    for (i = 0; i < n; i++) {
        apr_uint64_t v = apr_atomic_read64(&ms[i]->lb_value);
        if (ajplb_lb_is_usable((int)apr_atomic_read32(&ms[i]->state),
                               (int)ms[i]->cfg.activation)
            && (!found || v < min)) {
            min = v;
            found = 1;
        }
    }
    if (!found || min == 0) {
        return;
    }
    for (i = 0; i < n; i++) {
        apr_uint64_t old, v;
        do {
            old = apr_atomic_read64(&ms[i]->lb_value);
            v = old > min ? old - min : 0;
        } while (apr_atomic_cas64(&ms[i]->lb_value, v, old) != old);
    }
}

static void ajplb__method_no_decay(ajplb_shm_member_t *const *ms, int n,
                                   int shift)
{
}

static apr_uint64_t ajplb__method_lb_value(const ajplb_shm_member_t *m)
{
    return apr_atomic_read64((volatile apr_uint64_t *)&m->lb_value);
}

/* Busyness compares what is in flight now, weighted; it needs no decay
 * and cannot drift, because busy itself goes back down. */
static apr_uint64_t ajplb__method_busy_value(const ajplb_shm_member_t *m)
{
    ajplb_shm_member_t *w = (ajplb_shm_member_t *)m;

    return (apr_uint64_t)apr_atomic_read32(&w->busy)
           * apr_atomic_read32(&w->lb_mult);
}

static void ajplb__method_count(ajplb_shm_member_t *m, int new_session)
{
    apr_atomic_add64(&m->lb_value, apr_atomic_read32(&m->lb_mult));
}

static void ajplb__method_count_new(ajplb_shm_member_t *m, int new_session)
{
    if (new_session) {
        apr_atomic_add64(&m->lb_value, apr_atomic_read32(&m->lb_mult));
    }
}

static void ajplb__method_nothing(ajplb_shm_member_t *m, int new_session)
{
}

static void ajplb__method_end_none(ajplb_shm_member_t *m,
                                   apr_uint64_t bytes)
{
}

static void ajplb__method_end_bytes(ajplb_shm_member_t *m,
                                    apr_uint64_t bytes)
{
    apr_atomic_add64(&m->lb_value,
                     bytes * apr_atomic_read32(&m->lb_mult));
}

static const ajplb_lb_method_t ajplb__methods[] = {
    {
        .name = "Request", .id = AJPLB_LB_METHOD_REQUEST,
        .value = ajplb__method_lb_value, .begin = ajplb__method_count,
        .end = ajplb__method_end_none, .decay = ajplb__method_halve,
        .recover_at_max = 1
    },
    {
        .name = "Traffic", .id = AJPLB_LB_METHOD_TRAFFIC,
        .value = ajplb__method_lb_value, .begin = ajplb__method_nothing,
        .end = ajplb__method_end_bytes, .decay = ajplb__method_halve,
        .recover_at_max = 1
    },
    {
        .name = "Busyness", .id = AJPLB_LB_METHOD_BUSYNESS,
        .value = ajplb__method_busy_value, .begin = ajplb__method_nothing,
        .end = ajplb__method_end_none, .decay = ajplb__method_no_decay,
        .recover_at_max = 0
    },
    {
        .name = "Session", .id = AJPLB_LB_METHOD_SESSION,
        .value = ajplb__method_lb_value, .begin = ajplb__method_count_new,
        .end = ajplb__method_end_none, .decay = ajplb__method_halve,
        .recover_at_max = 1
    },
    {
        .name = "Next", .id = AJPLB_LB_METHOD_NEXT,
        .value = ajplb__method_lb_value, .begin = ajplb__method_count_new,
        .end = ajplb__method_end_none, .decay = ajplb__method_sub_min,
        .recover_at_max = 1
    }
};

#define AJPLB__NMETHODS \
    ((int)(sizeof(ajplb__methods) / sizeof(ajplb__methods[0])))

const ajplb_lb_method_t *ajplb_lb_method_get(ajplb_lb_method_e id)
{
    return (int)id >= 0 && (int)id < AJPLB__NMETHODS ? &ajplb__methods[id]
           : &ajplb__methods[0];
}

const ajplb_lb_method_t *ajplb_lb_method_find(const char *name)
{
    int i;

    for (i = 0; name != NULL && i < AJPLB__NMETHODS; i++) {
        if (strcasecmp(name, ajplb__methods[i].name) == 0) {
            return &ajplb__methods[i];
        }
    }
    return NULL;
}
