/*
 * ajplb_shm.h -- layout of the shared segment that holds the runtime state
 * of every lb, lb member and ajp13 worker for all httpd children: plain
 * structs, no pointers, fixed 64-byte strings.  Core layer: APR only; the
 * adapter creates the memory (apr_shm) and the global mutex.
 */
#ifndef AJPLB_SHM_H
#define AJPLB_SHM_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_time.h>

#include "ajplb_common.h"
#include "ajplb_config.h"

#define AJPLB_SHM_MAGIC     "AJPLBSH1"  /* 8 bytes, no NUL kept */
#define AJPLB_SHM_VERSION   2   /* 2: traffic management fields */
#define AJPLB_SHM_STR       64          /* AJPLB_NAME_MAX + NUL */

typedef enum {
    AJPLB_SHM_SLOT_LB = 1,
    AJPLB_SHM_SLOT_MEMBER = 2,
    AJPLB_SHM_SLOT_AJP = 3
} ajplb_shm_slot_e;

/* Member states, mod_jk's numbering: the order matters, everything up to
 * FORCE counts as usable. */
typedef enum {
    AJPLB_STATE_IDLE = 0,       /* OK/IDLE: unused since last maintenance */
    AJPLB_STATE_OK = 1,
    AJPLB_STATE_RECOVER = 2,    /* ERR/REC: recover_time over, may probe */
    AJPLB_STATE_FORCE = 3,      /* ERR/FRC: everything failed, try anyway */
    AJPLB_STATE_BUSY = 4,       /* OK/BUSY: no free connection */
    AJPLB_STATE_ERROR = 5,      /* ERR */
    AJPLB_STATE_PROBE = 6       /* ERR/PRB: one request is probing it */
} ajplb_state_e;

/* Every slot starts with this: what it is and whose it is. */
typedef struct {
    apr_uint32_t type;                  /* ajplb_shm_slot_e */
    apr_uint32_t index;                 /* position in its slot array */
    char parent[AJPLB_SHM_STR];         /* lb name for members, else "" */
    char name[AJPLB_SHM_STR];
} ajplb_shm_id_t;

/* Runtime-changeable config of an lb member.  Written only under the
 * segment's global mutex, published with the slot's seqlock (seq odd
 * while a write is in progress), so readers in any process never see a
 * half-written route.  Strings are zero-padded: byte 63 is always NUL. */
typedef struct {
    apr_uint32_t activation;            /* ajplb_activation_e */
    apr_uint32_t lbfactor;
    apr_uint32_t distance;
    apr_uint32_t busy_limit;            /* 0 = none */
    char route[AJPLB_SHM_STR];
    char domain[AJPLB_SHM_STR];
    char redirect[AJPLB_SHM_STR];
} ajplb_shm_member_config_t;

typedef struct {
    ajplb_shm_id_t id;
    volatile apr_uint32_t seq;          /* seqlock over cfg */
    apr_uint32_t ajp_index;             /* its ajp13 slot, or ~0 */
    ajplb_shm_member_config_t cfg;
    volatile apr_uint32_t lb_mult;      /* lcm(lbfactors) / lbfactor */
    volatile apr_uint32_t state;        /* ajplb_state_e */
    volatile apr_uint32_t busy;         /* requests in flight */
    volatile apr_uint32_t max_busy;
    volatile apr_uint32_t errors;
    volatile apr_uint32_t client_errors;
    volatile apr_uint32_t reply_timeouts;   /* decayed */
    apr_uint32_t pad0;
    volatile apr_uint64_t lb_value;
    volatile apr_uint64_t elected;
    volatile apr_uint64_t elected_snapshot; /* elected at last maintain */
    volatile apr_uint64_t sessions;     /* requests without a session */
    volatile apr_uint64_t bytes_read;   /* from the client */
    volatile apr_uint64_t bytes_written;    /* to the client */
    volatile apr_uint64_t first_error_time; /* apr_time_t, 0 = none */
    volatile apr_uint64_t last_error_time;
    volatile apr_uint64_t error_time;   /* when it entered ERR */
    volatile apr_uint64_t last_reset;
    /* Traffic management (ajplb_lb_traffic.c), runtime state only; the
     * settings are in each process's ajplb_lb_t. */
    volatile apr_uint32_t hold;         /* AJPLB_HOLD_* bits: out of
                                         * rotation while any is set */
    volatile apr_uint32_t ejections;    /* in a row: doubles the time */
    volatile apr_uint32_t fail_run;     /* outlier failures in a row */
    volatile apr_uint32_t hc_run;       /* checks in a row that disagree
                                         * with the current verdict */
    volatile apr_uint32_t hc_status;    /* last check: HTTP status, 0 =
                                         * no answer */
    volatile apr_uint32_t hc_checks;    /* checks made */
    volatile apr_uint32_t ss_carry;     /* slow start: the fraction of a
                                         * load unit not added yet */
    apr_uint32_t pad1;
    volatile apr_uint64_t hc_next;      /* next check due (apr_time_t) */
    volatile apr_uint64_t fail_run_start;
    volatile apr_uint64_t eject_until;  /* outlier hold ends */
    volatile apr_uint64_t eject_decay;  /* ejections - 1 at this time */
    volatile apr_uint64_t slow_start_since; /* 0 = full weight */
} ajplb_shm_member_t;

/* Runtime-changeable lb settings (same seqlock rules as members). */
typedef struct {
    apr_uint32_t sticky_session;
    apr_uint32_t sticky_session_force;
    apr_uint32_t method;                /* ajplb_lb_method_e */
    apr_uint32_t lock;                  /* ajplb_lb_lock_e */
    apr_uint32_t retries;
    apr_uint32_t lb_retries;
    apr_uint32_t retry_interval;        /* ms */
    apr_uint32_t recover_time;          /* s */
    apr_uint32_t error_escalation_time; /* s */
    apr_uint32_t max_reply_timeouts;
} ajplb_shm_lb_config_t;

typedef struct {
    ajplb_shm_id_t id;
    volatile apr_uint32_t seq;
    apr_uint32_t first_member;          /* index of its first member slot */
    apr_uint32_t member_count;
    ajplb_shm_lb_config_t cfg;
    volatile apr_uint32_t next_offset;  /* rotation start for ties */
    volatile apr_uint32_t busy;
    volatile apr_uint32_t max_busy;
    apr_uint32_t pad0;
    volatile apr_uint64_t last_maintain_time;
    volatile apr_uint64_t last_reset;
    volatile apr_uint64_t traffic_tick; /* last ajplb_lb_tick_claim() */
} ajplb_shm_lb_t;

typedef struct {
    ajplb_shm_id_t id;
    volatile apr_uint32_t seq;          /* bumped when host/port change */
    apr_uint32_t port;
    char host[AJPLB_SHM_STR];
    volatile apr_uint32_t busy;
    volatile apr_uint32_t max_busy;
    volatile apr_uint32_t errors;
    volatile apr_uint32_t client_errors;
    volatile apr_uint64_t requests;
    volatile apr_uint64_t bytes_read;
    volatile apr_uint64_t bytes_written;
    volatile apr_uint64_t last_reset;
} ajplb_shm_ajp_t;

typedef struct {
    char magic[8];
    apr_uint32_t version;
    apr_uint32_t header_size;           /* sizeof(ajplb_shm_header_t) */
    apr_uint64_t size;                  /* bytes used by the layout */
    apr_uint32_t lb_count, member_count, ajp_count;
    apr_uint32_t maintain_interval;     /* s, worker.maintain */
    apr_uint64_t lb_offset, member_offset, ajp_offset;
    volatile apr_uint32_t generation;   /* restarts survived (copied + 1) */
    volatile apr_uint32_t sequence;     /* bumped by every config change */
    volatile apr_uint64_t maintain_time;    /* last global maintenance */
    volatile apr_uint32_t status_serial;    /* status worker changes: each
                                             * write nonce is signed for one
                                             * value (ajplb_status.c) */
    apr_uint32_t pad0;
} ajplb_shm_header_t;

/* A process's view of a segment: the base plus a name index.  Built per
 * process (the hash holds process-local pointers into the segment). */
typedef struct {
    ajplb_shm_header_t *hdr;
    ajplb_shm_lb_t *lbs;
    ajplb_shm_member_t *members;
    ajplb_shm_ajp_t *ajps;
    apr_hash_t *index;                  /* "type/parent/name" -> slot */
} ajplb_shm_t;

/**
 * Bytes a segment for @a model needs: header plus one slot per lb, per lb
 * member (an ajp13 worker in two lbs has two) and per ajp13 worker.
 */
apr_size_t ajplb_shm_size(const ajplb_model_t *model);

/**
 * Lay out and fill a segment for @a model.  Config fields come from the
 * model.  When @a prev is given (the segment of the previous generation,
 * a graceful restart), runtime state (state, counters, lb_value, error
 * times) is copied slot by slot, matched by (type, lb name, name): a
 * renamed or added member starts fresh, a removed one is dropped, nothing
 * moves between members.  In-flight counts (busy) are never copied: those
 * requests finish against the old segment.  @a prev may be @a base itself
 * (it is snapshotted into @a p first).  A @a prev that fails validation is
 * ignored, and the function reports it with AJPLB_ESHMBAD after filling
 * the segment fresh.
 * Locking: no other process may use @a base yet (called in post_config).
 * @param p scratch and index pool
 * @param out the attached view, allocated from @a p (may be NULL)
 * @return APR_SUCCESS; AJPLB_ESHMSMALL when @a size is too small (nothing
 *         written); AJPLB_ESHMBAD (segment usable, previous state dropped)
 */
apr_status_t ajplb_shm_init(apr_pool_t *p, void *base, apr_size_t size,
                            const ajplb_model_t *model, const void *prev,
                            apr_size_t prev_size, apr_time_t now,
                            ajplb_shm_t **out);

/**
 * Attach to an initialised segment (a child, or a test): validate the
 * header and build the name index in @a p.
 * Locking: none; the header is read-only after init.
 * @return APR_SUCCESS or AJPLB_ESHMBAD
 */
apr_status_t ajplb_shm_attach(apr_pool_t *p, void *base, apr_size_t size,
                              ajplb_shm_t **out);

/** The slot of lb @a name, or NULL. */
ajplb_shm_lb_t *ajplb_shm_find_lb(const ajplb_shm_t *shm, const char *name);

/** The slot of member @a name of lb @a lb, or NULL. */
ajplb_shm_member_t *ajplb_shm_find_member(const ajplb_shm_t *shm,
                                          const char *lb, const char *name);

/** The slot of ajp13 worker @a name, or NULL. */
ajplb_shm_ajp_t *ajplb_shm_find_ajp(const ajplb_shm_t *shm,
                                    const char *name);

/** Member slot @a i of @a lb (0-based), or NULL when out of range. */
ajplb_shm_member_t *ajplb_shm_lb_member(const ajplb_shm_t *shm,
                                        const ajplb_shm_lb_t *lb, int i);

/** The ajp13 slot a member slot counts into, or NULL. */
ajplb_shm_ajp_t *ajplb_shm_member_ajp(const ajplb_shm_t *shm,
                                      const ajplb_shm_member_t *m);

/**
 * Consistent copy of a member's config (seqlock read; retries while a
 * writer is active).  Locking: none, any process, any thread.
 */
void ajplb_shm_member_config_get(const ajplb_shm_member_t *m,
                                 ajplb_shm_member_config_t *out);

/**
 * Publish new member config (the status worker) and recompute lb_mult of
 * every member of @a lb, since one lbfactor changes them all.  Strings
 * longer than 63 bytes, lbfactor < 1 or an unknown activation are refused.
 * Locking: the caller holds the segment's global mutex (writers must be
 * serialised); readers need no lock.
 * @return APR_SUCCESS or APR_EINVAL (nothing changed)
 */
apr_status_t ajplb_shm_member_config_set(ajplb_shm_t *shm,
                                         ajplb_shm_lb_t *lb,
                                         ajplb_shm_member_t *m,
                                         const ajplb_shm_member_config_t *in);

/** Consistent copy of an lb's settings (seqlock read, no lock). */
void ajplb_shm_lb_config_get(const ajplb_shm_lb_t *lb,
                             ajplb_shm_lb_config_t *out);

/**
 * Publish new lb settings.  Locking: the caller holds the global mutex.
 * @return APR_SUCCESS or APR_EINVAL (unknown method/lock, nothing changed)
 */
apr_status_t ajplb_shm_lb_config_set(ajplb_shm_t *shm, ajplb_shm_lb_t *lb,
                                     const ajplb_shm_lb_config_t *in);

/**
 * 1 when the member's route equals @a route exactly (case-sensitive,
 * bounded), read consistently under the seqlock.  Locking: none.
 */
int ajplb_shm_member_route_is(const ajplb_shm_member_t *m,
                              const char *route);

/** Same for the member's domain (an empty domain never matches). */
int ajplb_shm_member_domain_is(const ajplb_shm_member_t *m,
                               const char *domain, apr_size_t len);

/**
 * Grant the global maintenance to one process per @a interval: 1 when the
 * caller won (and the header's maintain_time is now @a now), else 0.
 * Locking: none (compare-and-swap on the header).
 */
int ajplb_shm_maintain_claim(ajplb_shm_t *shm, apr_time_t now,
                             apr_interval_time_t interval);

/* Seqlock primitives, exported for the status worker's own slots. */
apr_uint32_t ajplb_shm_read_begin(const volatile apr_uint32_t *seq);
int ajplb_shm_read_retry(const volatile apr_uint32_t *seq, apr_uint32_t s);
void ajplb_shm_write_begin(volatile apr_uint32_t *seq);
void ajplb_shm_write_end(volatile apr_uint32_t *seq);

/** "OK/IDLE", "OK", "ERR/REC", "ERR/FRC", "OK/BUSY", "ERR", "ERR/PRB". */
const char *ajplb_state_name(int state);

/* Results for ajplb_shm_ajp_end(). */
#define AJPLB_SHM_AJP_OK            0
#define AJPLB_SHM_AJP_CLIENT_ERROR  1
#define AJPLB_SHM_AJP_ERROR         2

/**
 * Count a request on a plain ajp13 worker (one not reached through an lb,
 * which counts its members itself): busy, max busy, requests.
 * Locking: atomics only.
 */
void ajplb_shm_ajp_begin(ajplb_shm_ajp_t *a);

/**
 * The end of that request: busy back down, bytes read from the client
 * and written to it, and an error or client error count by @a result.
 * Locking: atomics only.
 */
void ajplb_shm_ajp_end(ajplb_shm_ajp_t *a, int result,
                       apr_uint64_t bytes_read, apr_uint64_t bytes_written);

#endif /* AJPLB_SHM_H */
