/*
 * ajplb_lb.c -- member choice (sticky route, domain, redirect, distance,
 * method value), accounting, outcome -> state, maintenance, recovery.
 * Core layer: APR only, never logs; shared state through atomics only.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>

#include "ajplb_lb.h"

#define AJPLB__STATE(m) ((int)apr_atomic_read32(&(m)->state))
/* Single aligned 32-bit config fields need no seqlock: a reader sees the
 * old or the new value, never a mix. */
#define AJPLB__ACT(m) \
    ((int)((volatile ajplb_shm_member_config_t *)&(m)->cfg)->activation)

int ajplb_lb_is_usable(int state, int activation)
{
    return state >= AJPLB_STATE_IDLE && state <= AJPLB_STATE_FORCE
           && activation == AJPLB_ACTIVATION_ACTIVE;
}

int ajplb_lb_is_usable_sticky(int state, int activation)
{
    return state >= AJPLB_STATE_IDLE && state <= AJPLB_STATE_FORCE
           && activation != AJPLB_ACTIVATION_STOPPED;
}

apr_status_t ajplb_lb_make(apr_pool_t *p, ajplb_shm_t *shm,
                           const ajplb_worker_t *lbw, ajplb_lb_t **out)
{
    ajplb_lb_t *lb;
    int i;

    if (shm == NULL || lbw == NULL || lbw->type != AJPLB_WORKER_LB) {
        return APR_EINVAL;
    }
    lb = apr_pcalloc(p, sizeof(*lb));
    lb->name = lbw->name;
    lb->shm = shm;
    lb->slot = ajplb_shm_find_lb(shm, lbw->name);
    if (lb->slot == NULL) {
        return APR_NOTFOUND;
    }
    lb->n = (int)lb->slot->member_count;
    lb->members = apr_pcalloc(p, sizeof(*lb->members) * (lb->n + 1));
    lb->ajps = apr_pcalloc(p, sizeof(*lb->ajps) * (lb->n + 1));
    lb->traffic = apr_pcalloc(p, sizeof(*lb->traffic) * (lb->n + 1));
    for (i = 0; i < lb->n; i++) {
        const ajplb_worker_t *mw = NULL;
        int k;

        lb->members[i] = ajplb_shm_lb_member(shm, lb->slot, i);
        lb->ajps[i] = ajplb_shm_member_ajp(shm, lb->members[i]);
        for (k = 0; ajplb_lb_member(lbw, k) != NULL; k++) {
            if (strcmp(ajplb_lb_member(lbw, k)->name,
                       lb->members[i]->id.name) == 0) {
                mw = ajplb_lb_member(lbw, k);
                break;
            }
        }
        ajplb_traffic_resolve(mw, lbw, &lb->traffic[i]);
        if (lb->traffic[i].health_check != NULL
            || lb->traffic[i].slow_start > 0
            || lb->traffic[i].outlier_count > 0) {
            lb->traffic_on = 1;
        }
    }
    lb->session_cookie = lbw->session_cookie != NULL ? lbw->session_cookie
                         : "JSESSIONID";
    lb->session_path = lbw->session_path != NULL ? lbw->session_path
                       : ";jsessionid";
    *out = lb;
    return APR_SUCCESS;
}

apr_array_header_t *ajplb_lb_session_ids(const ajplb_lb_t *lb,
                                         apr_pool_t *p,
                                         const ajplb_lb_req_t *req)
{
    return ajplb_session_ids(p, req, lb->session_cookie, lb->session_path);
}

unsigned char *ajplb_lb_tried_make(apr_pool_t *p, const ajplb_lb_t *lb)
{
    return apr_pcalloc(p, (apr_size_t)lb->n + 1);
}

int ajplb_lb_find_route(const ajplb_lb_t *lb, const char *route)
{
    int i;

    for (i = 0; route != NULL && i < lb->n; i++) {
        if (ajplb_shm_member_route_is(lb->members[i], route)) {
            return i;
        }
    }
    return -1;
}

int ajplb_lb_find_member(const ajplb_lb_t *lb, const char *name)
{
    int i;

    for (i = 0; name != NULL && i < lb->n; i++) {
        if (strcmp(lb->members[i]->id.name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* ------------------------------------------------------------- choice */

static int ajplb__busy_full(const ajplb_shm_member_t *m)
{
    ajplb_shm_member_t *w = (ajplb_shm_member_t *)m;
    apr_uint32_t limit = ((volatile ajplb_shm_member_config_t *)&w->cfg)
                             ->busy_limit;

    return limit > 0 && apr_atomic_read32(&w->busy) >= limit;
}

/* Member @a i's activation for this request: a rule extension's
 * override (active=/disabled=/stopped=) from the per-request flags, else
 * the shared one. */
static int ajplb__act(const ajplb_lb_t *lb, const unsigned char *tried,
                      int i)
{
    if (tried != NULL && (tried[i] >> AJPLB_LB_ACT_SHIFT) != 0) {
        return (tried[i] >> AJPLB_LB_ACT_SHIFT) - 1;
    }
    return AJPLB__ACT(lb->members[i]);
}

void ajplb_lb_set_activation(const ajplb_lb_t *lb, unsigned char *tried,
                             int i, int activation)
{
    if (i >= 0 && i < lb->n) {
        tried[i] = (unsigned char)((tried[i] & AJPLB_LB_TRIED)
                                   | ((activation + 1) << AJPLB_LB_ACT_SHIFT));
    }
}

void ajplb_lb_tried_clear(const ajplb_lb_t *lb, unsigned char *tried)
{
    int i;

    for (i = 0; i < lb->n; i++) {
        tried[i] &= (unsigned char)~AJPLB_LB_TRIED;
    }
}

static int ajplb__usable(const ajplb_lb_t *lb, const unsigned char *tried,
                         int i, int sticky)
{
    ajplb_shm_member_t *m = lb->members[i];
    int st = AJPLB__STATE(m), act = ajplb__act(lb, tried, i);

    if (tried != NULL && (tried[i] & AJPLB_LB_TRIED)) {
        return 0;
    }
    if (apr_atomic_read32(&m->hold) != 0) {
        /* Ejected or failing its health check: out, as for ERR. */
        return 0;
    }
    if (!(sticky ? ajplb_lb_is_usable_sticky(st, act)
          : ajplb_lb_is_usable(st, act))) {
        return 0;
    }
    return !ajplb__busy_full(m);
}

/* Best member of domain [dom, dom+len): usable for sticky requests (the
 * whole domain shares the sessions), active before disabled, then lowest
 * distance, then lowest value.  -1 when none. */
static int ajplb__best_by_domain(const ajplb_lb_t *lb,
                                 const ajplb_lb_method_t *meth,
                                 const unsigned char *tried,
                                 const char *dom, apr_size_t len)
{
    int i, best = -1, best_act = 0;
    apr_uint32_t best_dist = 0;
    apr_uint64_t best_val = 0;

    for (i = 0; i < lb->n; i++) {
        ajplb_shm_member_t *m = lb->members[i];
        int act;
        apr_uint32_t dist;
        apr_uint64_t val;

        if (!ajplb_shm_member_domain_is(m, dom, len)
            || !ajplb__usable(lb, tried, i, 1)) {
            continue;
        }
        act = ajplb__act(lb, tried, i) == AJPLB_ACTIVATION_ACTIVE ? 0 : 1;
        dist = ((volatile ajplb_shm_member_config_t *)&m->cfg)->distance;
        val = meth->value(m);
        if (best < 0 || act < best_act
            || (act == best_act && (dist < best_dist
                                    || (dist == best_dist
                                        && val < best_val)))) {
            best = i;
            best_act = act;
            best_dist = dist;
            best_val = val;
        }
    }
    return best;
}

/* Non-sticky choice: lowest distance, then lowest value (not when
 * stateless), scanning from a rotating start so ties take turns. */
static int ajplb__best_by_value(const ajplb_lb_t *lb,
                                const ajplb_lb_method_t *meth,
                                const unsigned char *tried, int stateless)
{
    int k, best = -1;
    apr_uint32_t start, best_dist = 0;
    apr_uint64_t best_val = 0;

    if (lb->n == 0) {
        return -1;
    }
    start = apr_atomic_inc32(&lb->slot->next_offset) % (apr_uint32_t)lb->n;
    for (k = 0; k < lb->n; k++) {
        int i = (int)((start + (apr_uint32_t)k) % (apr_uint32_t)lb->n);
        ajplb_shm_member_t *m = lb->members[i];
        apr_uint32_t dist;
        apr_uint64_t val;

        if (!ajplb__usable(lb, tried, i, 0)) {
            continue;
        }
        dist = ((volatile ajplb_shm_member_config_t *)&m->cfg)->distance;
        val = stateless ? 0 : meth->value(m);
        if (best < 0 || dist < best_dist
            || (dist == best_dist && val < best_val)) {
            best = i;
            best_dist = dist;
            best_val = val;
        }
    }
    return best;
}

static void ajplb__choose(const ajplb_lb_t *lb, ajplb_lb_choice_t *out,
                          int i, ajplb_lb_how_e how, const char *route,
                          apr_size_t route_len)
{
    ajplb_shm_member_config_t cfg;

    out->member = i;
    out->how = how;
    ajplb_shm_member_config_get(lb->members[i], &cfg);
    out->activation = cfg.activation;
    if (route != NULL) {
        apr_cpystrn(out->route, route,
                    AJPLB_MIN(route_len + 1, sizeof(out->route)));
    }
    else {
        apr_cpystrn(out->route, cfg.route, sizeof(out->route));
    }
}

/* The session's member is unusable: its redirect, else its domain. */
static int ajplb__sticky_fallback(const ajplb_lb_t *lb,
                                  const ajplb_lb_method_t *meth,
                                  const unsigned char *tried, int i,
                                  ajplb_lb_choice_t *out)
{
    ajplb_shm_member_config_t cfg;
    int t;

    ajplb_shm_member_config_get(lb->members[i], &cfg);
    if (cfg.redirect[0] != '\0') {
        t = ajplb_lb_find_route(lb, cfg.redirect);
        if (t >= 0 && ajplb__usable(lb, tried, t, 1)) {
            ajplb__choose(lb, out, t, AJPLB_PICK_REDIRECT, NULL, 0);
            return 1;
        }
    }
    if (cfg.domain[0] != '\0') {
        t = ajplb__best_by_domain(lb, meth, tried, cfg.domain,
                                  strlen(cfg.domain));
        if (t >= 0) {
            ajplb__choose(lb, out, t, AJPLB_PICK_DOMAIN, cfg.domain,
                          strlen(cfg.domain));
            return 1;
        }
    }
    return 0;
}

/* One election, without the recovering -> probing step. */
static apr_status_t ajplb__elect(ajplb_lb_t *lb, const ajplb_lb_req_t *req,
                                 const apr_array_header_t *ids,
                                 const unsigned char *tried,
                                 const ajplb_shm_lb_config_t *cfg,
                                 ajplb_lb_choice_t *out)
{
    const ajplb_lb_method_t *meth = ajplb_lb_method_get(cfg->method);
    int forced = req != NULL && req->forced_route != NULL
                 && req->forced_route[0] != '\0';
    int k, i, routed = 0;

    if (ids != NULL && ids->nelts > 0 && (cfg->sticky_session || forced)
        && (req == NULL || !req->sticky_ignore)) {
        for (k = 0; k < ids->nelts; k++) {
            const char *id = APR_ARRAY_IDX(ids, k, const char *);
            const char *route = ajplb_session_route(id);

            if (route == NULL) {
                continue;
            }
            routed = 1;
            out->session_id = id;
            i = ajplb_lb_find_route(lb, route);
            if (i < 0) {
                /* No member has this route: it may name a domain
                 * ("dom.node" routes, or a domain as jvmRoute). */
                apr_size_t dl = strcspn(route, ".");
                i = ajplb__best_by_domain(lb, meth, tried, route, dl);
                if (i >= 0) {
                    ajplb__choose(lb, out, i, AJPLB_PICK_DOMAIN, route, dl);
                    return APR_SUCCESS;
                }
                continue;
            }
            if (ajplb__usable(lb, tried, i, 1)) {
                ajplb__choose(lb, out, i, AJPLB_PICK_STICKY, NULL, 0);
                return APR_SUCCESS;
            }
            if (cfg->sticky_session_force) {
                return AJPLB_ESTICKYFORCE;
            }
            if (ajplb__sticky_fallback(lb, meth, tried, i, out)) {
                return APR_SUCCESS;
            }
        }
        if (routed && cfg->sticky_session_force) {
            return AJPLB_ESTICKYFORCE;
        }
    }
    out->session_id = NULL;
    i = ajplb__best_by_value(lb, meth, tried,
                             req != NULL && req->stateless);
    if (i >= 0) {
        ajplb__choose(lb, out, i, AJPLB_PICK_BALANCED, NULL, 0);
        return APR_SUCCESS;
    }
    /* Nothing active is usable: a member's redirect target may still be
     * (a disabled hot standby). */
    for (i = 0; i < lb->n; i++) {
        ajplb_shm_member_config_t mc;
        int t;

        ajplb_shm_member_config_get(lb->members[i], &mc);
        if (mc.redirect[0] == '\0') {
            continue;
        }
        t = ajplb_lb_find_route(lb, mc.redirect);
        if (t >= 0 && ajplb__usable(lb, tried, t, 1)) {
            ajplb__choose(lb, out, t, AJPLB_PICK_FAILOVER, NULL, 0);
            return APR_SUCCESS;
        }
    }
    return AJPLB_ENOMEMBER;
}

apr_status_t ajplb_lb_pick(ajplb_lb_t *lb, const ajplb_lb_req_t *req,
                           const apr_array_header_t *ids,
                           const unsigned char *tried, apr_time_t now,
                           ajplb_lb_choice_t *out)
{
    ajplb_shm_lb_config_t cfg;
    int attempt;

    memset(out, 0, sizeof(*out));
    out->member = -1;
    out->new_session = (ids == NULL || ids->nelts == 0)
                       && (req == NULL || !req->stateless);
    ajplb_shm_lb_config_get(lb->slot, &cfg);
    /* Each lost probe race changes one member's state for good, so n + 1
     * rounds always suffice. */
    for (attempt = 0; attempt <= lb->n; attempt++) {
        ajplb_shm_member_t *m;
        apr_status_t rv = ajplb__elect(lb, req, ids, tried, &cfg, out);

        if (rv != APR_SUCCESS) {
            out->member = -1;
            return rv;
        }
        m = lb->members[out->member];
        out->activation = (apr_uint32_t)ajplb__act(lb, tried, out->member);
        if (apr_atomic_read32(&m->state) != AJPLB_STATE_RECOVER
            || apr_atomic_cas32(&m->state, AJPLB_STATE_PROBE,
                                AJPLB_STATE_RECOVER)
               == AJPLB_STATE_RECOVER) {
            return APR_SUCCESS;
        }
    }
    out->member = -1;
    return AJPLB_ENOMEMBER;
}

/* --------------------------------------------------------- accounting */

static void ajplb__max32(volatile apr_uint32_t *max, apr_uint32_t v)
{
    apr_uint32_t old;

    while ((old = apr_atomic_read32(max)) < v
           && apr_atomic_cas32(max, v, old) != old) {
    }
}

/* Add (1000 / w - 1) x lb_mult x @a units to the member's load value:
 * what makes a request on a ramping member weigh more.  The remainder of
 * the integer division is carried in the slot, so the weight is exact on
 * average even with lb_mult 1 (equal lbfactors). */
static void ajplb__slow_start_add(ajplb_shm_member_t *m, int weight,
                                  apr_uint64_t units)
{
    apr_uint64_t w = (apr_uint64_t)(weight > 0 ? weight : 1);
    apr_uint64_t num = (apr_uint64_t)apr_atomic_read32(&m->lb_mult)
                       * units * (1000 - w);
    apr_uint64_t extra = num / w;
    apr_uint32_t rem = (apr_uint32_t)(num % w);

    if (weight >= 1000) {
        return;
    }
    if (rem > 0 && apr_atomic_add32(&m->ss_carry, rem) + rem >= w) {
        apr_atomic_sub32(&m->ss_carry, (apr_uint32_t)w);
        extra++;
    }
    if (extra > 0) {
        apr_atomic_add64(&m->lb_value, extra);
    }
}

void ajplb_lb_begin(ajplb_lb_t *lb, const ajplb_lb_choice_t *c,
                    apr_time_t now)
{
    ajplb_shm_member_t *m;
    ajplb_shm_ajp_t *a;
    const ajplb_lb_method_t *meth;

    if (c == NULL || c->member < 0 || c->member >= lb->n) {
        return;
    }
    m = lb->members[c->member];
    a = lb->ajps[c->member];
    meth = ajplb_lb_method_get(
        ((volatile ajplb_shm_lb_config_t *)&lb->slot->cfg)->method);
    ajplb__max32(&m->max_busy, apr_atomic_inc32(&m->busy) + 1);
    ajplb__max32(&lb->slot->max_busy, apr_atomic_inc32(&lb->slot->busy)
                                      + 1);
    if (a != NULL) {
        ajplb__max32(&a->max_busy, apr_atomic_inc32(&a->busy) + 1);
        apr_atomic_inc64(&a->requests);
    }
    apr_atomic_inc64(&m->elected);
    if (c->new_session) {
        apr_atomic_inc64(&m->sessions);
    }
    meth->begin(m, c->new_session);
    if (lb->traffic != NULL && lb->traffic[c->member].slow_start > 0
        && apr_atomic_read64(&m->slow_start_since) != 0
        && (meth->id == AJPLB_LB_METHOD_REQUEST
            || (c->new_session && (meth->id == AJPLB_LB_METHOD_SESSION
                                   || meth->id == AJPLB_LB_METHOD_NEXT)))) {
        /* Slow start: each request weighs 1000/w times as much, so the
         * member gets w per mille of its lbfactor share. */
        ajplb__slow_start_add(m, ajplb_lb_weight_permille(lb, c->member,
                                                          now), 1);
    }
}

/* Never below zero: an end() for a begin() counted in the previous
 * generation's segment must not wrap the counter. */
static apr_uint32_t ajplb__dec32(volatile apr_uint32_t *v)
{
    apr_uint32_t old;

    do {
        old = apr_atomic_read32(v);
        if (old == 0) {
            return 0;
        }
    } while (apr_atomic_cas32(v, old - 1, old) != old);
    return old - 1;
}

static void ajplb__mark_error(ajplb_shm_member_t *m, apr_time_t now)
{
    apr_atomic_set64(&m->error_time, (apr_uint64_t)now);
    apr_atomic_set32(&m->state, AJPLB_STATE_ERROR);
}

/* The member is down for sure: ERR now. */
static void ajplb__backend_down(ajplb_shm_member_t *m, apr_time_t now)
{
    apr_atomic_inc32(&m->errors);
    apr_atomic_set64(&m->last_error_time, (apr_uint64_t)now);
    apr_atomic_cas64(&m->first_error_time, (apr_uint64_t)now, 0);
    ajplb__mark_error(m, now);
}

void ajplb_lb_end(ajplb_lb_t *lb, int i, ajplb_lb_outcome_e outcome,
                  apr_uint64_t bytes_read, apr_uint64_t bytes_written,
                  apr_time_t now)
{
    ajplb_shm_member_t *m;
    ajplb_shm_ajp_t *a;
    const ajplb_lb_method_t *meth;
    int st;

    if (i < 0 || i >= lb->n) {
        return;
    }
    m = lb->members[i];
    a = lb->ajps[i];
    meth = ajplb_lb_method_get(
        ((volatile ajplb_shm_lb_config_t *)&lb->slot->cfg)->method);
    ajplb__dec32(&m->busy);
    ajplb__dec32(&lb->slot->busy);
    apr_atomic_add64(&m->bytes_read, bytes_read);
    apr_atomic_add64(&m->bytes_written, bytes_written);
    if (a != NULL) {
        ajplb__dec32(&a->busy);
        apr_atomic_add64(&a->bytes_read, bytes_read);
        apr_atomic_add64(&a->bytes_written, bytes_written);
    }
    meth->end(m, bytes_read + bytes_written);
    if (meth->id == AJPLB_LB_METHOD_TRAFFIC && lb->traffic != NULL
        && lb->traffic[i].slow_start > 0
        && apr_atomic_read64(&m->slow_start_since) != 0) {
        ajplb__slow_start_add(m, ajplb_lb_weight_permille(lb, i, now),
                              bytes_read + bytes_written);
    }
    st = AJPLB__STATE(m);

    switch (outcome) {
    case AJPLB_OUTCOME_OK:
        if (st >= AJPLB_STATE_RECOVER && st != AJPLB_STATE_BUSY) {
            /* Recovered from an error: slow start, when configured. */
            ajplb_lb_ramp(lb, i, now);
        }
        apr_atomic_set64(&m->first_error_time, 0);
        apr_atomic_set64(&m->last_error_time, 0);
        apr_atomic_set32(&m->state, AJPLB_STATE_OK);
        return;
    case AJPLB_OUTCOME_CLIENT_ERROR:
    case AJPLB_OUTCOME_TOO_BIG:
        /* The client's fault says nothing about the backend. */
        apr_atomic_inc32(&m->client_errors);
        if (a != NULL) {
            apr_atomic_inc32(&a->client_errors);
        }
        break;
    case AJPLB_OUTCOME_CONNECT_ERROR:
    case AJPLB_OUTCOME_DOWN:
        if (a != NULL) {
            apr_atomic_inc32(&a->errors);
        }
        ajplb__backend_down(m, now);
        return;
    case AJPLB_OUTCOME_SEND_ERROR:
    case AJPLB_OUTCOME_RECV_ERROR:
    case AJPLB_OUTCOME_PROTOCOL_ERROR:
        /* Counted, never marked here: the adapter's check (connect and
         * CPing) says DOWN when the member itself is gone. */
        if (a != NULL) {
            apr_atomic_inc32(&a->errors);
        }
        apr_atomic_inc32(&m->errors);
        apr_atomic_set64(&m->last_error_time, (apr_uint64_t)now);
        break;
    case AJPLB_OUTCOME_TIMEOUT:
        apr_atomic_inc32(&m->reply_timeouts);
        break;
    case AJPLB_OUTCOME_FAIL_ON_STATUS_MARK:
        apr_atomic_inc32(&m->errors);
        apr_atomic_set64(&m->last_error_time, (apr_uint64_t)now);
        apr_atomic_cas64(&m->first_error_time, (apr_uint64_t)now, 0);
        ajplb__mark_error(m, now);
        return;
    case AJPLB_OUTCOME_FAIL_ON_STATUS:
        /* It answered, so it is alive; the caller only skips it. */
        if (st == AJPLB_STATE_PROBE) {
            apr_atomic_cas32(&m->state, AJPLB_STATE_OK, AJPLB_STATE_PROBE);
        }
        break;
    case AJPLB_OUTCOME_BUSY:
        if (st == AJPLB_STATE_PROBE) {
            apr_atomic_cas32(&m->state, AJPLB_STATE_RECOVER,
                             AJPLB_STATE_PROBE);
        }
        else if (st <= AJPLB_STATE_OK) {
            apr_atomic_cas32(&m->state, AJPLB_STATE_BUSY, (apr_uint32_t)st);
        }
        return;
    }
    /* Not marked: a probe that proved nothing lets another one try, and
     * a finished request frees a connection on a BUSY member. */
    if (st == AJPLB_STATE_PROBE) {
        apr_atomic_cas32(&m->state, AJPLB_STATE_RECOVER, AJPLB_STATE_PROBE);
    }
    else if (st == AJPLB_STATE_BUSY) {
        apr_atomic_cas32(&m->state, AJPLB_STATE_OK, AJPLB_STATE_BUSY);
    }
}

/* -------------------------------------------------------- maintenance */

int ajplb_lb_force_recovery(ajplb_lb_t *lb, apr_time_t now)
{
    int i, moved = 0;

    for (i = 0; i < lb->n; i++) {
        ajplb_shm_member_t *m = lb->members[i];
        if (AJPLB__ACT(m) != AJPLB_ACTIVATION_STOPPED
            && apr_atomic_cas32(&m->state, AJPLB_STATE_FORCE,
                                AJPLB_STATE_ERROR) == AJPLB_STATE_ERROR) {
            moved++;
        }
    }
    return moved;
}

static apr_uint64_t ajplb__max_value(const ajplb_lb_t *lb)
{
    apr_uint64_t max = 0;
    int i;

    for (i = 0; i < lb->n; i++) {
        max = AJPLB_MAX(max, apr_atomic_read64(&lb->members[i]->lb_value));
    }
    return max;
}

int ajplb_lb_maintain(ajplb_lb_t *lb, apr_time_t now)
{
    ajplb_shm_lb_config_t cfg;
    const ajplb_lb_method_t *meth;
    apr_interval_time_t ival = apr_time_from_sec(
        lb->shm->hdr->maintain_interval > 0
        ? lb->shm->hdr->maintain_interval : 60);
    apr_uint64_t last = apr_atomic_read64(&lb->slot->last_maintain_time);
    apr_int64_t elapsed = (apr_int64_t)now - (apr_int64_t)last;
    int i, n, shift, in_error = 0, eligible = 0;

    if (elapsed < ival) {
        return 0;
    }
    n = elapsed / ival > 1000 ? 1000 : (int)(elapsed / ival);
    /* The CAS makes the interval ours: a concurrent caller decays nothing
     * twice. */
    if (apr_atomic_cas64(&lb->slot->last_maintain_time,
                         last + (apr_uint64_t)n * (apr_uint64_t)ival, last)
        != last) {
        return 0;
    }
    ajplb_shm_lb_config_get(lb->slot, &cfg);
    meth = ajplb_lb_method_get(cfg.method);
    shift = n > 63 ? 63 : n;
    meth->decay(lb->members, lb->n, shift);

    for (i = 0; i < lb->n; i++) {
        ajplb_shm_member_t *m = lb->members[i];
        apr_uint32_t old;
        apr_uint64_t el, first;
        int st;

        do {
            old = apr_atomic_read32(&m->reply_timeouts);
        } while (apr_atomic_cas32(&m->reply_timeouts,
                                  shift >= 32 ? 0 : old >> shift, old)
                 != old);

        st = AJPLB__STATE(m);
        first = apr_atomic_read64(&m->first_error_time);
        if (st == AJPLB_STATE_ERROR
            && (apr_int64_t)now - (apr_int64_t)apr_atomic_read64(
                   &m->error_time)
               >= (apr_int64_t)apr_time_from_sec(cfg.recover_time)) {
            /* Back at the current maximum, so the recovered member is
             * not flooded with everything it "missed". */
            if (meth->recover_at_max) {
                apr_atomic_set64(&m->lb_value, ajplb__max_value(lb));
            }
            apr_atomic_cas32(&m->state, AJPLB_STATE_RECOVER,
                             AJPLB_STATE_ERROR);
        }
        else if (st < AJPLB_STATE_ERROR && st != AJPLB_STATE_RECOVER
                 && st != AJPLB_STATE_FORCE && first != 0
                 && (apr_int64_t)now - (apr_int64_t)first
                    >= (apr_int64_t)apr_time_from_sec(
                           cfg.error_escalation_time)) {
            /* Local errors and no success since: it is really down. */
            ajplb__mark_error(m, now);
        }

        el = apr_atomic_read64(&m->elected);
        if (el == apr_atomic_read64(&m->elected_snapshot)) {
            apr_atomic_cas32(&m->state, AJPLB_STATE_IDLE, AJPLB_STATE_OK);
        }
        apr_atomic_set64(&m->elected_snapshot, el);
        apr_atomic_cas32(&m->state, AJPLB_STATE_OK, AJPLB_STATE_BUSY);

        if (AJPLB__ACT(m) != AJPLB_ACTIVATION_STOPPED) {
            eligible++;
            if (AJPLB__STATE(m) == AJPLB_STATE_ERROR) {
                in_error++;
            }
        }
    }
    if (eligible > 0 && in_error == eligible) {
        ajplb_lb_force_recovery(lb, now);
    }
    return n;
}
