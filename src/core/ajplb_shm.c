/*
 * ajplb_shm.c -- the shared segment: size, layout, init (with state carried
 * over from the previous generation by name), name index, seqlocked config.
 * Core layer: APR only, never logs; counters elsewhere use apr_atomic.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>

#include "ajplb_shm.h"

/* Arrays start on a cache line so two lbs' hot counters never share one. */
#define AJPLB__SHM_ALIGN 64
#define AJPLB__ALIGN(n) (((n) + AJPLB__SHM_ALIGN - 1) \
                         & ~(apr_size_t)(AJPLB__SHM_ALIGN - 1))
#define AJPLB__NO_AJP 0xFFFFFFFFu

typedef struct {
    int nlb, nmember, najp;
} ajplb__shm_counts_t;

/* ------------------------------------------------------------- seqlock */

apr_uint32_t ajplb_shm_read_begin(const volatile apr_uint32_t *seq)
{
    apr_uint32_t s;

    for (;;) {
        s = apr_atomic_read32((volatile apr_uint32_t *)seq);
        if ((s & 1) == 0) {
            break;
        }
    }
    /* Acquire: the data loads below cannot move above the seq load
     * (a compiler barrier only on x86, a real fence elsewhere). */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return s;
}

int ajplb_shm_read_retry(const volatile apr_uint32_t *seq, apr_uint32_t s)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return apr_atomic_read32((volatile apr_uint32_t *)seq) != s;
}

void ajplb_shm_write_begin(volatile apr_uint32_t *seq)
{
    apr_atomic_inc32(seq);
    __sync_synchronize();
}

void ajplb_shm_write_end(volatile apr_uint32_t *seq)
{
    __sync_synchronize();
    apr_atomic_inc32(seq);
}

/* ------------------------------------------------------------- layout */

static ajplb__shm_counts_t ajplb__shm_count(const ajplb_model_t *model)
{
    ajplb__shm_counts_t c = {0, 0, 0};
    int i;

    for (i = 0; i < model->workers->nelts; i++) {
        const ajplb_worker_t *w = APR_ARRAY_IDX(model->workers, i,
                                                ajplb_worker_t *);
        if (w->type == AJPLB_WORKER_LB) {
            c.nlb++;
            c.nmember += w->members != NULL ? w->members->nelts : 0;
        }
        else if (w->type == AJPLB_WORKER_AJP13) {
            c.najp++;
        }
    }
    return c;
}

static apr_size_t ajplb__shm_layout(int nlb, int nmember, int najp,
                                    apr_size_t *lb_off, apr_size_t *m_off,
                                    apr_size_t *ajp_off)
{
    apr_size_t off = AJPLB__ALIGN(sizeof(ajplb_shm_header_t));

    *lb_off = off;
    off = AJPLB__ALIGN(off + (apr_size_t)nlb * sizeof(ajplb_shm_lb_t));
    *m_off = off;
    off = AJPLB__ALIGN(off + (apr_size_t)nmember
                       * sizeof(ajplb_shm_member_t));
    *ajp_off = off;
    return AJPLB__ALIGN(off + (apr_size_t)najp * sizeof(ajplb_shm_ajp_t));
}

apr_size_t ajplb_shm_size(const ajplb_model_t *model)
{
    ajplb__shm_counts_t c = ajplb__shm_count(model);
    apr_size_t a, b, d;

    return ajplb__shm_layout(c.nlb, c.nmember, c.najp, &a, &b, &d);
}

/* Zero-padded copy, so byte 63 is always NUL and slots compare bytewise. */
static void ajplb__shm_str(char *dst, const char *src)
{
    memset(dst, 0, AJPLB_SHM_STR);
    if (src != NULL) {
        apr_cpystrn(dst, src, AJPLB_SHM_STR);
    }
}

static void ajplb__shm_id(ajplb_shm_id_t *id, ajplb_shm_slot_e type,
                          int index, const char *parent, const char *name)
{
    id->type = type;
    id->index = (apr_uint32_t)index;
    ajplb__shm_str(id->parent, parent);
    ajplb__shm_str(id->name, name);
}

static const char *ajplb__shm_key(apr_pool_t *p, int type,
                                  const char *parent, const char *name)
{
    return apr_psprintf(p, "%d/%.*s/%.*s", type, AJPLB_SHM_STR, parent,
                        AJPLB_SHM_STR, name);
}

static apr_uint64_t ajplb__gcd(apr_uint64_t a, apr_uint64_t b)
{
    while (b != 0) {
        apr_uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* lb_mult = lcm(lbfactors) / lbfactor.  If the lcm does not fit in 32
 * bits (many distinct large factors), fall back to max * 1000 / factor:
 * ratios then carry an error below 0.1 %, far under decay noise. */
static void ajplb__shm_lb_mult(ajplb_shm_t *shm, ajplb_shm_lb_t *lb)
{
    apr_uint64_t lcm = 1, maxf = 1;
    apr_uint32_t i;
    int exact = 1;

    for (i = 0; i < lb->member_count; i++) {
        apr_uint64_t f = shm->members[lb->first_member + i].cfg.lbfactor;
        if (f < 1) {
            f = 1;
        }
        maxf = AJPLB_MAX(maxf, f);
        if (exact) {
            lcm = lcm / ajplb__gcd(lcm, f) * f;
            if (lcm > 0xFFFFFFFFu) {
                exact = 0;
            }
        }
    }
    if (!exact) {
        lcm = maxf * 1000;
    }
    for (i = 0; i < lb->member_count; i++) {
        ajplb_shm_member_t *m = &shm->members[lb->first_member + i];
        apr_uint64_t f = m->cfg.lbfactor < 1 ? 1 : m->cfg.lbfactor;
        apr_uint64_t mult = lcm / f;
        apr_atomic_set32(&m->lb_mult, mult < 1 ? 1 : (apr_uint32_t)mult);
    }
}

static void ajplb__shm_fill_member(ajplb_shm_member_t *m,
                                   const ajplb_worker_t *w)
{
    m->cfg.activation = (apr_uint32_t)w->activation;
    m->cfg.lbfactor = (apr_uint32_t)(w->lbfactor < 1 ? 1 : w->lbfactor);
    m->cfg.distance = (apr_uint32_t)(w->distance < 0 ? 0 : w->distance);
    m->cfg.busy_limit = (apr_uint32_t)(w->busy_limit < 0 ? 0
                                       : w->busy_limit);
    ajplb__shm_str(m->cfg.route, w->route != NULL ? w->route : w->name);
    ajplb__shm_str(m->cfg.domain, w->domain);
    ajplb__shm_str(m->cfg.redirect, w->redirect);
    m->state = AJPLB_STATE_IDLE;
}

static void ajplb__shm_fill_lb(ajplb_shm_lb_t *lb, const ajplb_worker_t *w)
{
    ajplb_shm_lb_config_t *c = &lb->cfg;

    c->sticky_session = (apr_uint32_t)(w->sticky_session != 0);
    c->sticky_session_force = (apr_uint32_t)(w->sticky_session_force != 0);
    c->method = (apr_uint32_t)w->method;
    c->lock = (apr_uint32_t)w->lock;
    c->retries = (apr_uint32_t)AJPLB_MAX(w->retries, 1);
    c->lb_retries = (apr_uint32_t)AJPLB_MAX(w->lb_retries, 1);
    c->retry_interval = (apr_uint32_t)AJPLB_MAX(w->retry_interval, 0);
    c->recover_time = (apr_uint32_t)AJPLB_MAX(w->recover_time, 1);
    c->error_escalation_time = (apr_uint32_t)
        AJPLB_MAX(w->error_escalation_time, 0);
    c->max_reply_timeouts = (apr_uint32_t)AJPLB_MAX(w->max_reply_timeouts,
                                                    0);
}

/* ---------------------------------------------------------- validation */

static int ajplb__shm_id_ok(const ajplb_shm_id_t *id, int type,
                            apr_uint32_t index)
{
    return id->type == (apr_uint32_t)type && id->index == index
           && id->parent[AJPLB_SHM_STR - 1] == '\0'
           && id->name[AJPLB_SHM_STR - 1] == '\0';
}

/* Everything a foreign or stale segment could get wrong is checked here,
 * so the index and the copy code can trust offsets and counts.  With
 * @a used non-NULL it receives the size that was checked: the segment may
 * be live shared memory that another process still writes, so a caller
 * must use this value and never read the header's size again. */
static apr_status_t ajplb__shm_validate_size(const void *base,
                                            apr_size_t size,
                                            apr_size_t *used)
{
    const ajplb_shm_header_t *h = base;
    const ajplb_shm_lb_t *lbs;
    const ajplb_shm_member_t *ms;
    const ajplb_shm_ajp_t *as;
    apr_size_t lo, mo, ao, need;
    apr_uint32_t i;

    if (base == NULL || size < sizeof(*h)
        || memcmp(h->magic, AJPLB_SHM_MAGIC, 8) != 0
        || h->version != AJPLB_SHM_VERSION
        || h->header_size != sizeof(*h)
        || h->lb_count > 1000000 || h->member_count > 1000000
        || h->ajp_count > 1000000) {
        return AJPLB_ESHMBAD;
    }
    need = ajplb__shm_layout((int)h->lb_count, (int)h->member_count,
                             (int)h->ajp_count, &lo, &mo, &ao);
    if (need > size || h->size != need || h->lb_offset != lo
        || h->member_offset != mo || h->ajp_offset != ao) {
        return AJPLB_ESHMBAD;
    }
    lbs = (const void *)((const char *)base + lo);
    ms = (const void *)((const char *)base + mo);
    as = (const void *)((const char *)base + ao);
    for (i = 0; i < h->lb_count; i++) {
        if (!ajplb__shm_id_ok(&lbs[i].id, AJPLB_SHM_SLOT_LB, i)
            || lbs[i].first_member > h->member_count
            || lbs[i].member_count > h->member_count
                                     - lbs[i].first_member) {
            return AJPLB_ESHMBAD;
        }
    }
    for (i = 0; i < h->member_count; i++) {
        if (!ajplb__shm_id_ok(&ms[i].id, AJPLB_SHM_SLOT_MEMBER, i)
            || (ms[i].ajp_index != AJPLB__NO_AJP
                && ms[i].ajp_index >= h->ajp_count)) {
            return AJPLB_ESHMBAD;
        }
    }
    for (i = 0; i < h->ajp_count; i++) {
        if (!ajplb__shm_id_ok(&as[i].id, AJPLB_SHM_SLOT_AJP, i)) {
            return AJPLB_ESHMBAD;
        }
    }
    if (used != NULL) {
        *used = need;
    }
    return APR_SUCCESS;
}

static apr_status_t ajplb__shm_validate(const void *base, apr_size_t size)
{
    return ajplb__shm_validate_size(base, size, NULL);
}

apr_status_t ajplb_shm_attach(apr_pool_t *p, void *base, apr_size_t size,
                              ajplb_shm_t **out)
{
    ajplb_shm_t *shm;
    apr_uint32_t i;
    apr_status_t rv = ajplb__shm_validate(base, size);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    shm = apr_pcalloc(p, sizeof(*shm));
    shm->hdr = base;
    shm->lbs = (void *)((char *)base + shm->hdr->lb_offset);
    shm->members = (void *)((char *)base + shm->hdr->member_offset);
    shm->ajps = (void *)((char *)base + shm->hdr->ajp_offset);
    shm->index = apr_hash_make(p);
    for (i = 0; i < shm->hdr->lb_count; i++) {
        apr_hash_set(shm->index, ajplb__shm_key(p, AJPLB_SHM_SLOT_LB, "",
                                                shm->lbs[i].id.name),
                     APR_HASH_KEY_STRING, &shm->lbs[i]);
    }
    for (i = 0; i < shm->hdr->member_count; i++) {
        ajplb_shm_member_t *m = &shm->members[i];
        apr_hash_set(shm->index, ajplb__shm_key(p, AJPLB_SHM_SLOT_MEMBER,
                                                m->id.parent, m->id.name),
                     APR_HASH_KEY_STRING, m);
    }
    for (i = 0; i < shm->hdr->ajp_count; i++) {
        apr_hash_set(shm->index, ajplb__shm_key(p, AJPLB_SHM_SLOT_AJP, "",
                                                shm->ajps[i].id.name),
                     APR_HASH_KEY_STRING, &shm->ajps[i]);
    }
    *out = shm;
    return APR_SUCCESS;
}

/* --------------------------------------------------------------- lookup */

static void *ajplb__shm_find(const ajplb_shm_t *shm, int type,
                             const char *parent, const char *name)
{
    char key[3 * AJPLB_SHM_STR];

    if (shm == NULL || name == NULL || strlen(name) >= AJPLB_SHM_STR
        || strlen(parent) >= AJPLB_SHM_STR) {
        return NULL;
    }
    apr_snprintf(key, sizeof(key), "%d/%s/%s", type, parent, name);
    return apr_hash_get(shm->index, key, APR_HASH_KEY_STRING);
}

ajplb_shm_lb_t *ajplb_shm_find_lb(const ajplb_shm_t *shm, const char *name)
{
    return ajplb__shm_find(shm, AJPLB_SHM_SLOT_LB, "", name);
}

ajplb_shm_member_t *ajplb_shm_find_member(const ajplb_shm_t *shm,
                                          const char *lb, const char *name)
{
    return lb == NULL ? NULL
           : ajplb__shm_find(shm, AJPLB_SHM_SLOT_MEMBER, lb, name);
}

ajplb_shm_ajp_t *ajplb_shm_find_ajp(const ajplb_shm_t *shm,
                                    const char *name)
{
    return ajplb__shm_find(shm, AJPLB_SHM_SLOT_AJP, "", name);
}

ajplb_shm_member_t *ajplb_shm_lb_member(const ajplb_shm_t *shm,
                                        const ajplb_shm_lb_t *lb, int i)
{
    if (lb == NULL || i < 0 || (apr_uint32_t)i >= lb->member_count) {
        return NULL;
    }
    return &shm->members[lb->first_member + (apr_uint32_t)i];
}

ajplb_shm_ajp_t *ajplb_shm_member_ajp(const ajplb_shm_t *shm,
                                      const ajplb_shm_member_t *m)
{
    return m->ajp_index == AJPLB__NO_AJP ? NULL : &shm->ajps[m->ajp_index];
}

/* ----------------------------------------------------------------- init */

static void ajplb__shm_copy_member(ajplb_shm_member_t *d,
                                   ajplb_shm_member_t *s)
{
    apr_uint32_t st = s->state;

    /* A probe or a full pool belongs to the old generation's requests:
     * let the new one probe again, and forget BUSY. */
    if (st == AJPLB_STATE_PROBE) {
        st = AJPLB_STATE_RECOVER;
    }
    else if (st == AJPLB_STATE_BUSY || st > AJPLB_STATE_PROBE) {
        st = AJPLB_STATE_OK;
    }
    d->state = st;
    d->max_busy = s->max_busy;
    d->errors = s->errors;
    d->client_errors = s->client_errors;
    d->reply_timeouts = s->reply_timeouts;
    d->lb_value = s->lb_value;
    d->elected = s->elected;
    d->elected_snapshot = s->elected_snapshot;
    d->sessions = s->sessions;
    d->bytes_read = s->bytes_read;
    d->bytes_written = s->bytes_written;
    d->first_error_time = s->first_error_time;
    d->last_error_time = s->last_error_time;
    d->error_time = s->error_time;
    d->last_reset = s->last_reset;
    d->hold = s->hold;
    d->ejections = s->ejections;
    d->hc_run = s->hc_run;
    d->hc_status = s->hc_status;
    d->hc_checks = s->hc_checks;
    d->eject_until = s->eject_until;
    d->eject_decay = s->eject_decay;
    d->slow_start_since = s->slow_start_since;
}

/* Copy runtime state from a validated previous segment, slot by slot. */
static void ajplb__shm_carry(ajplb_shm_t *shm, const ajplb_shm_t *old,
                             apr_time_t now)
{
    apr_uint32_t i, j;

    shm->hdr->generation = old->hdr->generation + 1;
    shm->hdr->maintain_time = old->hdr->maintain_time;
    for (i = 0; i < shm->hdr->lb_count; i++) {
        ajplb_shm_lb_t *d = &shm->lbs[i];
        ajplb_shm_lb_t *s = ajplb_shm_find_lb(old, d->id.name);
        apr_uint64_t maxv = 0;
        int survivors = 0;

        if (s != NULL) {
            d->next_offset = s->next_offset;
            d->max_busy = s->max_busy;
            d->last_maintain_time = s->last_maintain_time;
            d->last_reset = s->last_reset;
        }
        for (j = 0; j < d->member_count; j++) {
            ajplb_shm_member_t *dm = &shm->members[d->first_member + j];
            ajplb_shm_member_t *sm = ajplb_shm_find_member(old, d->id.name,
                                                           dm->id.name);
            if (sm != NULL) {
                ajplb__shm_copy_member(dm, sm);
                maxv = AJPLB_MAX(maxv, dm->lb_value);
                survivors++;
            }
        }
        /* A member added by the restart would otherwise start at 0 and
         * take every new request until it caught up with the others. */
        for (j = 0; survivors > 0 && j < d->member_count; j++) {
            ajplb_shm_member_t *dm = &shm->members[d->first_member + j];
            if (ajplb_shm_find_member(old, d->id.name, dm->id.name)
                == NULL) {
                dm->lb_value = maxv;
                /* It rejoins: slow start ramps it up when configured. */
                dm->slow_start_since = (apr_uint64_t)now;
            }
        }
    }
    for (i = 0; i < shm->hdr->ajp_count; i++) {
        ajplb_shm_ajp_t *d = &shm->ajps[i];
        ajplb_shm_ajp_t *s = ajplb_shm_find_ajp(old, d->id.name);
        if (s != NULL) {
            d->max_busy = s->max_busy;
            d->errors = s->errors;
            d->client_errors = s->client_errors;
            d->requests = s->requests;
            d->bytes_read = s->bytes_read;
            d->bytes_written = s->bytes_written;
            d->last_reset = s->last_reset;
        }
    }
}

apr_status_t ajplb_shm_init(apr_pool_t *p, void *base, apr_size_t size,
                            const ajplb_model_t *model, const void *prev,
                            apr_size_t prev_size, apr_time_t now,
                            ajplb_shm_t **out)
{
    ajplb__shm_counts_t c = ajplb__shm_count(model);
    ajplb_shm_header_t *h = base;
    apr_size_t lo, mo, ao, need;
    apr_hash_t *ajp_idx = apr_hash_make(p);
    ajplb_shm_t *shm, *old = NULL;
    void *snap = NULL;
    apr_status_t prv = APR_SUCCESS, rv;
    int i, j, li = 0, mi = 0, ai = 0;

    need = ajplb__shm_layout(c.nlb, c.nmember, c.najp, &lo, &mo, &ao);
    if (base == NULL || size < need) {
        return AJPLB_ESHMSMALL;
    }
    if (prev != NULL) {
        /* Snapshot first: prev may be this very segment.  The snapshot
         * takes the size that was validated (at most prev_size), not the
         * header's, which an old child could change meanwhile; the copy
         * is validated again by the attach. */
        apr_size_t psz = 0;

        prv = ajplb__shm_validate_size(prev, prev_size, &psz);
        if (prv == APR_SUCCESS) {
            snap = apr_pmemdup(p, prev, psz);
            prv = ajplb_shm_attach(p, snap, psz, &old);
        }
    }
    memset(base, 0, need);
    memcpy(h->magic, AJPLB_SHM_MAGIC, 8);
    h->version = AJPLB_SHM_VERSION;
    h->header_size = sizeof(*h);
    h->size = need;
    h->lb_count = (apr_uint32_t)c.nlb;
    h->member_count = (apr_uint32_t)c.nmember;
    h->ajp_count = (apr_uint32_t)c.najp;
    h->maintain_interval = (apr_uint32_t)(model->maintain > 0
                                          ? model->maintain : 60);
    h->lb_offset = lo;
    h->member_offset = mo;
    h->ajp_offset = ao;
    h->maintain_time = (apr_uint64_t)now;

    /* ajp13 slots first, so members can point at theirs. */
    for (i = 0; i < model->workers->nelts; i++) {
        const ajplb_worker_t *w = APR_ARRAY_IDX(model->workers, i,
                                                ajplb_worker_t *);
        ajplb_shm_ajp_t *a;
        if (w->type != AJPLB_WORKER_AJP13) {
            continue;
        }
        a = (void *)((char *)base + ao + (apr_size_t)ai * sizeof(*a));
        ajplb__shm_id(&a->id, AJPLB_SHM_SLOT_AJP, ai, "", w->name);
        ajplb__shm_str(a->host, w->host);
        a->port = (apr_uint32_t)(w->port < 0 ? 0 : w->port);
        a->last_reset = (apr_uint64_t)now;
        apr_hash_set(ajp_idx, w->name, APR_HASH_KEY_STRING, a);
        ai++;
    }
    for (i = 0; i < model->workers->nelts; i++) {
        const ajplb_worker_t *w = APR_ARRAY_IDX(model->workers, i,
                                                ajplb_worker_t *);
        ajplb_shm_lb_t *lb;
        int n;
        if (w->type != AJPLB_WORKER_LB) {
            continue;
        }
        n = w->members != NULL ? w->members->nelts : 0;
        lb = (void *)((char *)base + lo + (apr_size_t)li * sizeof(*lb));
        ajplb__shm_id(&lb->id, AJPLB_SHM_SLOT_LB, li, "", w->name);
        ajplb__shm_fill_lb(lb, w);
        lb->first_member = (apr_uint32_t)mi;
        lb->member_count = (apr_uint32_t)n;
        lb->last_maintain_time = (apr_uint64_t)now;
        lb->last_reset = (apr_uint64_t)now;
        for (j = 0; j < n; j++) {
            const ajplb_worker_t *mw = APR_ARRAY_IDX(w->members, j,
                                                     ajplb_lb_member_t)
                                           .worker;
            ajplb_shm_member_t *m = (void *)((char *)base + mo
                                             + (apr_size_t)mi * sizeof(*m));
            ajplb_shm_ajp_t *a = apr_hash_get(ajp_idx, mw->name,
                                              APR_HASH_KEY_STRING);
            ajplb__shm_id(&m->id, AJPLB_SHM_SLOT_MEMBER, mi, w->name,
                          mw->name);
            ajplb__shm_fill_member(m, mw);
            m->ajp_index = a != NULL ? a->id.index : AJPLB__NO_AJP;
            m->last_reset = (apr_uint64_t)now;
            mi++;
        }
        li++;
    }
    rv = ajplb_shm_attach(p, base, size, &shm);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    for (i = 0; i < c.nlb; i++) {
        ajplb__shm_lb_mult(shm, &shm->lbs[i]);
    }
    if (old != NULL) {
        ajplb__shm_carry(shm, old, now);
    }
    if (out != NULL) {
        *out = shm;
    }
    return prv;
}

/* --------------------------------------------------------------- config */

void ajplb_shm_member_config_get(const ajplb_shm_member_t *m,
                                 ajplb_shm_member_config_t *out)
{
    apr_uint32_t s;

    do {
        s = ajplb_shm_read_begin(&m->seq);
        memcpy(out, (const void *)&m->cfg, sizeof(*out));
    } while (ajplb_shm_read_retry(&m->seq, s));
}

apr_status_t ajplb_shm_member_config_set(ajplb_shm_t *shm,
                                         ajplb_shm_lb_t *lb,
                                         ajplb_shm_member_t *m,
                                         const ajplb_shm_member_config_t *in)
{
    if (in->lbfactor < 1 || in->activation > AJPLB_ACTIVATION_STOPPED
        || memchr(in->route, '\0', AJPLB_SHM_STR) == NULL
        || in->route[0] == '\0'
        || memchr(in->domain, '\0', AJPLB_SHM_STR) == NULL
        || memchr(in->redirect, '\0', AJPLB_SHM_STR) == NULL
        || m->id.index < lb->first_member
        || m->id.index >= lb->first_member + lb->member_count) {
        return APR_EINVAL;
    }
    if (in->activation == AJPLB_ACTIVATION_ACTIVE
        && m->cfg.activation != AJPLB_ACTIVATION_ACTIVE) {
        /* Enabled again: slow start ramps it up when configured. */
        apr_atomic_set64(&m->slow_start_since, (apr_uint64_t)apr_time_now());
    }
    ajplb_shm_write_begin(&m->seq);
    m->cfg.activation = in->activation;
    m->cfg.lbfactor = in->lbfactor;
    m->cfg.distance = in->distance;
    m->cfg.busy_limit = in->busy_limit;
    ajplb__shm_str(m->cfg.route, in->route);
    ajplb__shm_str(m->cfg.domain, in->domain);
    ajplb__shm_str(m->cfg.redirect, in->redirect);
    ajplb_shm_write_end(&m->seq);
    ajplb__shm_lb_mult(shm, lb);
    apr_atomic_inc32(&shm->hdr->sequence);
    return APR_SUCCESS;
}

void ajplb_shm_lb_config_get(const ajplb_shm_lb_t *lb,
                             ajplb_shm_lb_config_t *out)
{
    apr_uint32_t s;

    do {
        s = ajplb_shm_read_begin(&lb->seq);
        memcpy(out, (const void *)&lb->cfg, sizeof(*out));
    } while (ajplb_shm_read_retry(&lb->seq, s));
}

apr_status_t ajplb_shm_lb_config_set(ajplb_shm_t *shm, ajplb_shm_lb_t *lb,
                                     const ajplb_shm_lb_config_t *in)
{
    if (in->method > AJPLB_LB_METHOD_NEXT
        || in->lock > AJPLB_LB_LOCK_PESSIMISTIC || in->recover_time < 1) {
        return APR_EINVAL;
    }
    ajplb_shm_write_begin(&lb->seq);
    memcpy(&lb->cfg, in, sizeof(*in));
    ajplb_shm_write_end(&lb->seq);
    apr_atomic_inc32(&shm->hdr->sequence);
    return APR_SUCCESS;
}

static int ajplb__shm_str_is(const volatile apr_uint32_t *seq,
                             const char *field, const char *s,
                             apr_size_t len)
{
    apr_uint32_t q;
    int eq;

    do {
        q = ajplb_shm_read_begin(seq);
        eq = len < AJPLB_SHM_STR && field[0] != '\0'
             && memcmp(field, s, len) == 0 && field[len] == '\0';
    } while (ajplb_shm_read_retry(seq, q));
    return eq;
}

int ajplb_shm_member_route_is(const ajplb_shm_member_t *m,
                              const char *route)
{
    apr_size_t len = strnlen(route, AJPLB_SHM_STR);

    return ajplb__shm_str_is(&m->seq, m->cfg.route, route, len);
}

int ajplb_shm_member_domain_is(const ajplb_shm_member_t *m,
                               const char *domain, apr_size_t len)
{
    return len > 0 && memchr(domain, '\0', len) == NULL
           && ajplb__shm_str_is(&m->seq, m->cfg.domain, domain, len);
}

/* ---------------------------------------------------------- maintenance */

int ajplb_shm_maintain_claim(ajplb_shm_t *shm, apr_time_t now,
                             apr_interval_time_t interval)
{
    apr_uint64_t last = apr_atomic_read64(&shm->hdr->maintain_time);

    if ((apr_int64_t)now - (apr_int64_t)last < interval) {
        return 0;
    }
    return apr_atomic_cas64(&shm->hdr->maintain_time, (apr_uint64_t)now,
                            last) == last;
}

const char *ajplb_state_name(int state)
{
    static const char *const names[] = {
        "OK/IDLE", "OK", "ERR/REC", "ERR/FRC", "OK/BUSY", "ERR", "ERR/PRB"
    };

    return state >= 0 && state <= AJPLB_STATE_PROBE ? names[state] : "?";
}

void ajplb_shm_ajp_begin(ajplb_shm_ajp_t *a)
{
    apr_uint32_t busy = apr_atomic_inc32(&a->busy) + 1;
    apr_uint32_t max = apr_atomic_read32(&a->max_busy);

    while (busy > max
           && apr_atomic_cas32(&a->max_busy, busy, max) != max) {
        max = apr_atomic_read32(&a->max_busy);
    }
    apr_atomic_inc64(&a->requests);
}

void ajplb_shm_ajp_end(ajplb_shm_ajp_t *a, int result,
                       apr_uint64_t bytes_read, apr_uint64_t bytes_written)
{
    apr_uint32_t busy = apr_atomic_read32(&a->busy);

    /* Never below zero, even if a restart lost a begin. */
    while (busy > 0 && apr_atomic_cas32(&a->busy, busy - 1, busy) != busy) {
        busy = apr_atomic_read32(&a->busy);
    }
    apr_atomic_add64(&a->bytes_read, bytes_read);
    apr_atomic_add64(&a->bytes_written, bytes_written);
    if (result == AJPLB_SHM_AJP_CLIENT_ERROR) {
        apr_atomic_inc32(&a->client_errors);
    }
    else if (result == AJPLB_SHM_AJP_ERROR) {
        apr_atomic_inc32(&a->errors);
    }
}
