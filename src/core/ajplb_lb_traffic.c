/*
 * ajplb_lb_traffic.c -- traffic management beyond mod_jk: outlier
 * ejection (failures in a row), active health check verdicts (fall/rise)
 * and slow start (a returning member's weight ramps up).  Every
 * transition is returned as an event so the adapter logs one line.
 * Core layer: APR only, never logs; shared state through atomics.
 */
#include <apr_atomic.h>

#include "ajplb_lb.h"

/* The doubling of the ejection time stops at 2^6 = 64 x. */
#define AJPLB__EJECT_SHIFT_MAX 6

const char *ajplb_lb_hold_name(apr_uint32_t hold)
{
    static const char *const names[] = {"", "outlier", "health",
                                        "outlier,health"};

    return names[hold & 3];
}

/* Set or clear @a bit; 1 when this call changed it. */
static int ajplb__hold_set(ajplb_shm_member_t *m, apr_uint32_t bit, int on)
{
    apr_uint32_t old, v;

    do {
        old = apr_atomic_read32(&m->hold);
        v = on ? (old | bit) : (old & ~bit);
        if (v == old) {
            return 0;
        }
    } while (apr_atomic_cas32(&m->hold, v, old) != old);
    return 1;
}

/* Back in rotation: start at the highest load value, as a recovered
 * member does, so it is not flooded with what it "missed", and ramp up. */
static void ajplb__rejoin(ajplb_lb_t *lb, int i, apr_time_t now)
{
    ajplb_shm_member_t *m = lb->members[i];
    const ajplb_lb_method_t *meth = ajplb_lb_method_get(
        ((volatile ajplb_shm_lb_config_t *)&lb->slot->cfg)->method);
    apr_uint64_t max = 0;
    int k;

    if (apr_atomic_read32(&m->hold) != 0) {
        return;
    }
    if (meth->recover_at_max) {
        for (k = 0; k < lb->n; k++) {
            apr_uint64_t v = apr_atomic_read64(&lb->members[k]->lb_value);
            if (k != i && apr_atomic_read32(&lb->members[k]->hold) == 0
                && v > max) {
                max = v;
            }
        }
        if (max > apr_atomic_read64(&m->lb_value)) {
            apr_atomic_set64(&m->lb_value, max);
        }
    }
    ajplb_lb_ramp(lb, i, now);
}

void ajplb_lb_ramp(ajplb_lb_t *lb, int i, apr_time_t now)
{
    if (lb->traffic != NULL && lb->traffic[i].slow_start > 0) {
        apr_atomic_set64(&lb->members[i]->slow_start_since,
                         (apr_uint64_t)(now > 0 ? now : 1));
    }
}

int ajplb_traffic_weight(int slow_start, apr_uint64_t since, apr_time_t now)
{
    apr_int64_t span, w;

    if (slow_start <= 0 || since == 0) {
        return 1000;
    }
    span = (apr_int64_t)apr_time_from_sec(slow_start);
    if ((apr_int64_t)now - (apr_int64_t)since >= span) {
        return 1000;
    }
    w = (apr_int64_t)now <= (apr_int64_t)since ? 0
        : ((apr_int64_t)now - (apr_int64_t)since) * 1000 / span;
    return (int)(w < AJPLB_SLOW_START_MIN ? AJPLB_SLOW_START_MIN : w);
}

int ajplb_lb_weight_permille(const ajplb_lb_t *lb, int i, apr_time_t now)
{
    if (lb->traffic == NULL) {
        return 1000;
    }
    return ajplb_traffic_weight(lb->traffic[i].slow_start,
                                apr_atomic_read64(
                                    &lb->members[i]->slow_start_since),
                                now);
}

/* ------------------------------------------------------------ outliers */

int ajplb_lb_observe(ajplb_lb_t *lb, int i, int status, int timed_out,
                     apr_time_t now)
{
    const ajplb_traffic_t *t;
    ajplb_shm_member_t *m;
    apr_uint64_t start;
    apr_uint32_t run;

    if (i < 0 || i >= lb->n || lb->traffic == NULL) {
        return 0;
    }
    t = &lb->traffic[i];
    m = lb->members[i];
    if (t->outlier_count <= 0) {
        return 0;
    }
    if (!timed_out && !ajplb_status_in_set(t->outlier_statuses, status)) {
        if (apr_atomic_read32(&m->fail_run) != 0) {
            apr_atomic_set32(&m->fail_run, 0);
        }
        return 0;
    }
    start = apr_atomic_read64(&m->fail_run_start);
    if (apr_atomic_read32(&m->fail_run) == 0 || start == 0
        || (apr_int64_t)now - (apr_int64_t)start
           > (apr_int64_t)apr_time_from_sec(t->outlier_window)) {
        /* A new run: failures spread thinner than the window do not
         * add up. */
        apr_atomic_set64(&m->fail_run_start, (apr_uint64_t)now);
        apr_atomic_set32(&m->fail_run, 1);
        run = 1;
    }
    else {
        run = apr_atomic_inc32(&m->fail_run) + 1;
    }
    return run >= (apr_uint32_t)t->outlier_count
           && !(apr_atomic_read32(&m->hold) & AJPLB_HOLD_OUTLIER);
}

int ajplb_lb_eject(ajplb_lb_t *lb, int i, apr_time_t now,
                   ajplb_lb_event_t *ev)
{
    const ajplb_traffic_t *t;
    ajplb_shm_member_t *m;
    int k, out = 0, allowed, shift;
    apr_uint32_t run;
    apr_interval_time_t d;

    if (i < 0 || i >= lb->n || lb->traffic == NULL
        || lb->traffic[i].outlier_count <= 0) {
        return 0;
    }
    t = &lb->traffic[i];
    m = lb->members[i];
    if (apr_atomic_read32(&m->hold) & AJPLB_HOLD_OUTLIER) {
        return 0;
    }
    for (k = 0; k < lb->n; k++) {
        if (apr_atomic_read32(&lb->members[k]->hold) & AJPLB_HOLD_OUTLIER) {
            out++;
        }
    }
    allowed = lb->n * t->outlier_max_share / 100;
    if (allowed < 1) {
        allowed = 1;
    }
    run = apr_atomic_xchg32(&m->fail_run, 0);
    ev->member = i;
    ev->count = (int)run;
    ev->status = 0;
    ev->ejections = (int)apr_atomic_read32(&m->ejections);
    ev->duration = 0;
    if (out >= allowed) {
        /* Too many out already: this one stays, and needs a whole new
         * run before it is considered (and logged) again. */
        ev->what = AJPLB_EV_EJECT_REFUSED;
        return 1;
    }
    shift = (int)apr_atomic_read32(&m->ejections);
    if (shift > AJPLB__EJECT_SHIFT_MAX) {
        shift = AJPLB__EJECT_SHIFT_MAX;
    }
    d = apr_time_from_sec(t->outlier_eject_time) << shift;
    apr_atomic_set64(&m->eject_until, (apr_uint64_t)(now + d));
    apr_atomic_inc32(&m->ejections);
    ajplb__hold_set(m, AJPLB_HOLD_OUTLIER, 1);
    ev->what = AJPLB_EV_EJECTED;
    ev->ejections = (int)apr_atomic_read32(&m->ejections);
    ev->duration = d;
    return 1;
}

/* ---------------------------------------------------------------- tick */

int ajplb_lb_tick_claim(ajplb_lb_t *lb, apr_time_t now)
{
    apr_uint64_t last = apr_atomic_read64(&lb->slot->traffic_tick);

    if (!lb->traffic_on
        || ((apr_int64_t)now - (apr_int64_t)last < apr_time_from_sec(1)
            && (apr_int64_t)now >= (apr_int64_t)last)) {
        return 0;
    }
    return apr_atomic_cas64(&lb->slot->traffic_tick, (apr_uint64_t)now,
                            last) == last;
}

static void ajplb__event(ajplb_lb_event_t *ev, int *n, int max, int i,
                         ajplb_lb_event_e what, int count, int status)
{
    if (*n < max) {
        ev[*n].member = i;
        ev[*n].what = what;
        ev[*n].count = count;
        ev[*n].status = status;
        ev[*n].ejections = 0;
        ev[*n].duration = 0;
        (*n)++;
    }
}

int ajplb_lb_tick(ajplb_lb_t *lb, apr_time_t now, ajplb_lb_event_t *ev,
                  int max)
{
    int i, n = 0;

    if (lb->traffic == NULL) {
        return 0;
    }
    for (i = 0; i < lb->n; i++) {
        const ajplb_traffic_t *t = &lb->traffic[i];
        ajplb_shm_member_t *m = lb->members[i];
        apr_uint32_t hold = apr_atomic_read32(&m->hold);
        apr_uint64_t since;

        if ((hold & AJPLB_HOLD_OUTLIER)
            && (t->outlier_count <= 0
                || (apr_int64_t)now
                   >= (apr_int64_t)apr_atomic_read64(&m->eject_until))
            && ajplb__hold_set(m, AJPLB_HOLD_OUTLIER, 0)) {
            apr_atomic_set64(&m->eject_decay, (apr_uint64_t)(now
                             + apr_time_from_sec(t->outlier_eject_time)));
            ajplb__rejoin(lb, i, now);
            ajplb__event(ev, &n, max, i, AJPLB_EV_RETURNED,
                         (int)apr_atomic_read32(&m->ejections), 0);
        }
        else if (!(hold & AJPLB_HOLD_OUTLIER)
                 && apr_atomic_read32(&m->ejections) > 0
                 && (apr_int64_t)now
                    >= (apr_int64_t)apr_atomic_read64(&m->eject_decay)) {
            /* A whole outlier_eject_time in rotation without another
             * ejection: the next one is shorter again. */
            apr_atomic_dec32(&m->ejections);
            apr_atomic_set64(&m->eject_decay, (apr_uint64_t)(now
                             + apr_time_from_sec(t->outlier_eject_time)));
        }
        if ((hold & AJPLB_HOLD_HEALTH) && t->health_check == NULL
            && ajplb__hold_set(m, AJPLB_HOLD_HEALTH, 0)) {
            ajplb__rejoin(lb, i, now);
            ajplb__event(ev, &n, max, i, AJPLB_EV_HEALTH_DROPPED, 0, 0);
        }
        since = apr_atomic_read64(&m->slow_start_since);
        if (since != 0 && ajplb_lb_weight_permille(lb, i, now) >= 1000
            && apr_atomic_read32(&m->hold) == 0
            && apr_atomic_cas64(&m->slow_start_since, 0, since) == since
            && t->slow_start > 0) {
            ajplb__event(ev, &n, max, i, AJPLB_EV_FULL_WEIGHT,
                         t->slow_start, 0);
        }
    }
    return n;
}

/* ------------------------------------------------------- health checks */

int ajplb_lb_health_due(ajplb_lb_t *lb, int i, apr_time_t now)
{
    ajplb_shm_member_t *m;
    apr_uint64_t next;

    if (i < 0 || i >= lb->n || lb->traffic == NULL
        || lb->traffic[i].health_check == NULL) {
        return 0;
    }
    m = lb->members[i];
    next = apr_atomic_read64(&m->hc_next);
    if ((apr_int64_t)now < (apr_int64_t)next) {
        return 0;
    }
    return apr_atomic_cas64(&m->hc_next, (apr_uint64_t)(now
                            + apr_time_from_sec(
                                lb->traffic[i].health_check_interval)),
                            next) == next;
}

int ajplb_lb_health_result(ajplb_lb_t *lb, int i, int status,
                           apr_time_t now, ajplb_lb_event_t *ev)
{
    const ajplb_traffic_t *t;
    ajplb_shm_member_t *m;
    int pass, down;
    apr_uint32_t run;

    if (i < 0 || i >= lb->n || lb->traffic == NULL
        || lb->traffic[i].health_check == NULL) {
        return 0;
    }
    t = &lb->traffic[i];
    m = lb->members[i];
    pass = status > 0 && ajplb_status_in_set(t->health_check_status, status);
    down = (apr_atomic_read32(&m->hold) & AJPLB_HOLD_HEALTH) != 0;
    apr_atomic_inc32(&m->hc_checks);
    apr_atomic_set32(&m->hc_status, (apr_uint32_t)status);
    if (pass != down) {
        /* Agrees with the verdict (up and passing, down and failing). */
        apr_atomic_set32(&m->hc_run, 0);
        return 0;
    }
    run = apr_atomic_inc32(&m->hc_run) + 1;
    if (run < (apr_uint32_t)(down ? t->health_check_rise
                                  : t->health_check_fall)) {
        return 0;
    }
    apr_atomic_set32(&m->hc_run, 0);
    ajplb__hold_set(m, AJPLB_HOLD_HEALTH, !down);
    ev->member = i;
    ev->what = down ? AJPLB_EV_HEALTH_UP : AJPLB_EV_HEALTH_DOWN;
    ev->count = (int)run;
    ev->status = status;
    ev->ejections = 0;
    ev->duration = 0;
    if (down) {
        ajplb__rejoin(lb, i, now);
    }
    return 1;
}
