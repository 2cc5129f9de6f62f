/*
 * ajplb_lb.h -- the sticky-session load balancer: session id and route
 * extraction, member choice (sticky, domain, redirect, distance, method),
 * load accounting, outcome -> member state, and maintenance.
 * Core layer: APR only, never logs; all state lives in ajplb_shm slots.
 */
#ifndef AJPLB_LB_H
#define AJPLB_LB_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "ajplb_common.h"
#include "ajplb_config.h"
#include "ajplb_shm.h"

/* ------------------------------------------------------------ requests */

/* What the balancer needs to know about a request.  The adapter fills it
 * from request_rec and the environment; the core never sees httpd types. */
typedef struct {
    const char *uri;                /* path with ;params, or NULL */
    const char *const *cookies;     /* every Cookie header value, in order */
    int ncookies;
    const char *session_cookie;     /* rule override, NULL = the lb's */
    const char *session_path;       /* rule override, NULL = the lb's */
    const char *forced_route;       /* JK_ROUTE, NULL or "" = none */
    int sticky_ignore;              /* JK_STICKY_IGNORE: balance anyway */
    int stateless;                  /* JK_STATELESS: pure rotation */
} ajplb_lb_req_t;

/**
 * The value of the first non-empty path parameter @a name ("jsessionid"
 * style, @a name includes its ';') in @a uri: the bytes after "name="
 * up to '?', ';', '/' or the end.  @return a copy in @a p, or NULL
 */
const char *ajplb_session_path_param(apr_pool_t *p, const char *uri,
                                     const char *name);

/**
 * Append to @a ids every non-empty value of cookie @a name in one Cookie
 * header value, in order: the name must start the header or follow ';',
 * ',' or a blank, and match exactly (case-sensitive); blanks before and
 * after '=' are skipped; the value ends at ';' or ','; trailing blanks and
 * one surrounding '"' on each side are dropped.  Copies go into @a p.
 */
void ajplb_session_cookie_ids(apr_pool_t *p, const char *header,
                              const char *name, apr_array_header_t *ids);

/**
 * All session ids of a request, in the order they are tried: JK_ROUTE
 * alone (as ".route") when set; else the path parameter first, then every
 * matching cookie of every Cookie header.  Empty ids are never returned.
 * @return array of const char * from @a p (possibly empty, never NULL)
 */
apr_array_header_t *ajplb_session_ids(apr_pool_t *p,
                                      const ajplb_lb_req_t *req,
                                      const char *session_cookie,
                                      const char *session_path);

/**
 * The route of @a id: the text after its FIRST '.', or NULL when there is
 * no '.', or the rest is empty or only dots.  Points into @a id.
 */
const char *ajplb_session_route(const char *id);

/* ------------------------------------------------------------- methods */

/* A balancing method: pure functions over member slots, atomics only, no
 * lock taken or assumed.  One static table per method (ajplb_lb_method.c). */
typedef struct {
    const char *name;               /* "Request", "Traffic", ... */
    ajplb_lb_method_e id;
    /** The value pick() minimises among equally distant members. */
    apr_uint64_t (*value)(const ajplb_shm_member_t *m);
    /** A request was sent to @a m; @a new_session: it had no session. */
    void (*begin)(ajplb_shm_member_t *m, int new_session);
    /** A request on @a m ended having moved @a bytes (in + out). */
    void (*end)(ajplb_shm_member_t *m, apr_uint64_t bytes);
    /** Maintenance: @a shift elapsed intervals over @a n members. */
    void (*decay)(ajplb_shm_member_t *const *ms, int n, int shift);
    /** 1: a recovering member restarts at the current maximum value. */
    int recover_at_max;
} ajplb_lb_method_t;

/** The method for @a id; unknown ids give Request (never NULL). */
const ajplb_lb_method_t *ajplb_lb_method_get(ajplb_lb_method_e id);

/** The method called @a name (case-insensitive), or NULL. */
const ajplb_lb_method_t *ajplb_lb_method_find(const char *name);

/* ------------------------------------------------------------ balancer */

/* One process's handle on an lb: pointers into the shared segment plus
 * the config that cannot change at run time.  Built once per process. */
typedef struct {
    const char *name;
    ajplb_shm_t *shm;
    ajplb_shm_lb_t *slot;
    int n;                          /* members */
    ajplb_shm_member_t **members;   /* in balance_workers order */
    ajplb_shm_ajp_t **ajps;         /* parallel; entries may be NULL */
    const char *session_cookie;
    const char *session_path;
    ajplb_traffic_t *traffic;       /* per member, inheritance resolved */
    int traffic_on;                 /* any member checks, ejects or ramps */
} ajplb_lb_t;

typedef enum {
    AJPLB_PICK_STICKY = 1,          /* the session's own member */
    AJPLB_PICK_DOMAIN,              /* a member of the session's domain */
    AJPLB_PICK_REDIRECT,            /* the session member's redirect */
    AJPLB_PICK_BALANCED,            /* by distance and method value */
    AJPLB_PICK_FAILOVER             /* nothing usable: a redirect target */
} ajplb_lb_how_e;

typedef struct {
    int member;                     /* index into lb->members */
    ajplb_lb_how_e how;
    int new_session;                /* no session id and not stateless */
    const char *session_id;         /* the id that routed it, or NULL */
    apr_uint32_t activation;        /* for JK_LB_ACTIVATION */
    char route[AJPLB_SHM_STR];      /* route for Tomcat: member or domain */
} ajplb_lb_choice_t;

/* How a request on a member ended, as the handler saw it. */
typedef enum {
    AJPLB_OUTCOME_OK = 0,
    AJPLB_OUTCOME_CLIENT_ERROR,     /* client aborted, bad body: no mark */
    AJPLB_OUTCOME_TOO_BIG,          /* request does not fit: client's */
    AJPLB_OUTCOME_CONNECT_ERROR,
    AJPLB_OUTCOME_SEND_ERROR,
    AJPLB_OUTCOME_RECV_ERROR,
    AJPLB_OUTCOME_PROTOCOL_ERROR,
    AJPLB_OUTCOME_TIMEOUT,          /* reply_timeout fired */
    AJPLB_OUTCOME_FAIL_ON_STATUS,   /* negative fail_on_status: no mark */
    AJPLB_OUTCOME_FAIL_ON_STATUS_MARK,  /* positive fail_on_status: ERR */
    AJPLB_OUTCOME_BUSY,             /* no connection slot / busy_limit */
    AJPLB_OUTCOME_DOWN              /* a failed request, then a connect or
                                     * CPing after it failed too: ERR */
} ajplb_lb_outcome_e;

/** USABLE: state up to ERR/FRC and activation ACTIVE. */
int ajplb_lb_is_usable(int state, int activation);

/** USABLE_STICKY: state up to ERR/FRC and not STOPPED. */
int ajplb_lb_is_usable_sticky(int state, int activation);

/**
 * A handle on lb worker @a lbw in @a shm (slots found by name).
 * Locking: none; reads slot identities only.
 * @return APR_SUCCESS, APR_EINVAL (not an lb) or APR_NOTFOUND (no slot:
 *         the segment was not made for this model)
 */
apr_status_t ajplb_lb_make(apr_pool_t *p, ajplb_shm_t *shm,
                           const ajplb_worker_t *lbw, ajplb_lb_t **out);

/** The lb's session ids for @a req (see ajplb_session_ids). */
apr_array_header_t *ajplb_lb_session_ids(const ajplb_lb_t *lb,
                                         apr_pool_t *p,
                                         const ajplb_lb_req_t *req);

/* Per-request member flags (the "tried" array): bit 0 = already tried in
 * this round; the bits from AJPLB_LB_ACT_SHIFT up = activation + 1 set by a
 * rule extension (active=, disabled=, stopped=), 0 = use the shared one. */
#define AJPLB_LB_TRIED      0x1
#define AJPLB_LB_ACT_SHIFT  1

/** Per-request member flags, all clear, from @a p. */
unsigned char *ajplb_lb_tried_make(apr_pool_t *p, const ajplb_lb_t *lb);

/** Clear the "tried" bit of every member, keeping activation overrides. */
void ajplb_lb_tried_clear(const ajplb_lb_t *lb, unsigned char *tried);

/**
 * Override member @a i's activation for this request only (a rule
 * extension): pick() then treats it as @a activation (ajplb_activation_e)
 * instead of the shared value.
 */
void ajplb_lb_set_activation(const ajplb_lb_t *lb, unsigned char *tried,
                             int i, int activation);

/**
 * Choose a member for a request.  Sticky first (route, then domain, then
 * the member's redirect), else the lowest distance, then the lowest
 * method value, ties broken by a rotating start; members set in @a tried
 * are skipped.  A chosen ERR/REC member moves to ERR/PRB atomically, so
 * exactly one request probes it.
 * Locking: with lock=Pessimistic the caller holds the lb's (global) lock
 * around pick + begin; with Optimistic no lock -- the arithmetic is the
 * same, only ties between concurrent picks become approximate.
 * @param ids from ajplb_lb_session_ids (NULL = no session)
 * @param tried n flags, or NULL
 * @return APR_SUCCESS; AJPLB_ESTICKYFORCE (the session's member is not
 *         usable and sticky_session_force is set: answer 503);
 *         AJPLB_ENOMEMBER (nothing usable: try ajplb_lb_force_recovery()
 *         once, then 503)
 */
apr_status_t ajplb_lb_pick(ajplb_lb_t *lb, const ajplb_lb_req_t *req,
                           const apr_array_header_t *ids,
                           const unsigned char *tried, apr_time_t now,
                           ajplb_lb_choice_t *out);

/**
 * Account a request sent to the chosen member: busy++, elected++,
 * sessions++ (new session), lb_value per method.
 * Locking: atomics only; see pick() for the Pessimistic contract.
 */
void ajplb_lb_begin(ajplb_lb_t *lb, const ajplb_lb_choice_t *c,
                    apr_time_t now);

/**
 * Account the end of a request on member @a i and move its state:
 *   OK               -> OK, error times cleared
 *   CLIENT_ERROR, TOO_BIG -> client_errors++, state kept (never marked)
 *   CONNECT_ERROR, DOWN -> errors++, ERR: nothing listens, or the
 *       member did not answer a CPing (the adapter checks after a failed
 *       request)
 *   SEND/RECV/PROTOCOL_ERROR -> errors++, state kept: a client can cause
 *       these (a request that crashes one servlet), so only the check
 *       decides (T-O5b); the caller excludes the member for this request
 *   TIMEOUT          -> reply_timeouts++, state kept: one slow URL must
 *       not take a member out (T-O4b, CVE-2012-4557); only the check
 *       after it decides
 *   FAIL_ON_STATUS   -> no mark;  FAIL_ON_STATUS_MARK -> ERR
 *   BUSY             -> OK/BUSY until a request on it ends or maintenance
 * A probe that did not fail puts ERR/PRB back to ERR/REC.
 * Locking: atomics only, never the lb lock.
 */
void ajplb_lb_end(ajplb_lb_t *lb, int i, ajplb_lb_outcome_e outcome,
                  apr_uint64_t bytes_read, apr_uint64_t bytes_written,
                  apr_time_t now);

/**
 * The lb's share of the global maintenance, due every worker.maintain
 * seconds: decay values and reply_timeouts by the elapsed intervals,
 * ERR older than recover_time -> ERR/REC (at the current maximum value),
 * local errors older than error_escalation_time -> ERR, unused OK ->
 * OK/IDLE, OK/BUSY -> OK, and forced recovery when every member is ERR.
 * Locking: atomics only; call from the process that won
 * ajplb_shm_maintain_claim() (a second caller in the same interval is a
 * no-op for the decay, the state moves are idempotent).
 * @return the number of intervals applied (0 = too early)
 */
int ajplb_lb_maintain(ajplb_lb_t *lb, apr_time_t now);

/**
 * Forced recovery: every ERR member that is not stopped -> ERR/FRC, which
 * counts as usable.  @return how many members moved
 * Locking: atomics only (compare-and-swap per member).
 */
int ajplb_lb_force_recovery(ajplb_lb_t *lb, apr_time_t now);

/** Index of the member with route @a route (exact), or -1. */
int ajplb_lb_find_route(const ajplb_lb_t *lb, const char *route);

/** Index of the member called @a name, or -1. */
int ajplb_lb_find_member(const ajplb_lb_t *lb, const char *name);

/* ------------------------------------------------- traffic management */

/* Why a member is out of rotation (ajplb_shm_member_t.hold bits).  A held
 * member is not usable, also not for its sticky sessions, which fail over
 * as for ERR. */
#define AJPLB_HOLD_OUTLIER  0x1     /* ejected until eject_until */
#define AJPLB_HOLD_HEALTH   0x2     /* failed health_check_fall checks */

/* Slow start never starts below this share of the full weight. */
#define AJPLB_SLOW_START_MIN 10     /* per mille */

typedef enum {
    AJPLB_EV_NONE = 0,
    AJPLB_EV_EJECTED,               /* outlier: out for .duration */
    AJPLB_EV_EJECT_REFUSED,         /* outlier_max_share reached */
    AJPLB_EV_RETURNED,              /* the ejection time is over */
    AJPLB_EV_HEALTH_DOWN,           /* health_check_fall checks failed */
    AJPLB_EV_HEALTH_UP,             /* health_check_rise checks passed */
    AJPLB_EV_HEALTH_DROPPED,        /* no check configured any more */
    AJPLB_EV_FULL_WEIGHT            /* slow start is over */
} ajplb_lb_event_e;

/* One state transition, for the adapter's mod_jk.log line. */
typedef struct {
    int member;
    ajplb_lb_event_e what;
    int count;                      /* failures or checks behind it */
    int status;                     /* last status seen, 0 = none */
    int ejections;                  /* EJECTED: the how-manieth in a row */
    apr_interval_time_t duration;   /* EJECTED: how long it stays out */
} ajplb_lb_event_t;

/** Short text of a hold bit set: "", "outlier", "health", "outlier,health". */
const char *ajplb_lb_hold_name(apr_uint32_t hold);

/**
 * Outlier detection: the request on member @a i ended with HTTP status
 * @a status (0 when no status came) or a reply timeout (@a timed_out).
 * A status in outlier_statuses or a timeout extends the member's run of
 * failures (a run older than outlier_window starts again), anything else
 * ends it.  Locking: atomics only.
 * @return 1 when the run reached outlier_count: call ajplb_lb_eject()
 *         under the global mutex; else 0
 */
int ajplb_lb_observe(ajplb_lb_t *lb, int i, int status, int timed_out,
                     apr_time_t now);

/**
 * Eject member @a i for outlier_eject_time x 2^(ejections in a row), at
 * most 64 x, unless that would put more than outlier_max_share percent
 * of the lb's members (at least one) out at once.
 * Locking: the caller holds the global mutex, so two processes cannot
 * both take the last allowed place.
 * @return 1 with @a ev filled (EJECTED or EJECT_REFUSED), 0 when nothing
 *         happened (already ejected, or outlier detection is off)
 */
int ajplb_lb_eject(ajplb_lb_t *lb, int i, apr_time_t now,
                   ajplb_lb_event_t *ev);

/**
 * Claim the traffic tick for this second: 1 for one caller of all
 * processes per second, else 0.  Locking: compare-and-swap.
 */
int ajplb_lb_tick_claim(ajplb_lb_t *lb, apr_time_t now);

/**
 * Time-driven transitions: ejections that are over, the ejection count
 * falling by one per outlier_eject_time in rotation, health holds whose
 * check was removed, slow starts that reached full weight.
 * Locking: atomics only (each transition is a compare-and-swap, so two
 * concurrent callers report it once).
 * @return the number of events written to @a ev (at most @a max)
 */
int ajplb_lb_tick(ajplb_lb_t *lb, apr_time_t now, ajplb_lb_event_t *ev,
                  int max);

/**
 * Claim the health check of member @a i if it is due: 1 for one caller
 * (the next one is then due health_check_interval later), else 0.
 */
int ajplb_lb_health_due(ajplb_lb_t *lb, int i, apr_time_t now);

/**
 * Record a health check of member @a i that ended with HTTP status
 * @a status (0: no connection or no answer).  It passes when the status
 * is in health_check_status.  health_check_fall failures in a row take
 * the member out, health_check_rise passes in a row bring it back (a
 * member starts in, so a restart never takes everything out).
 * Locking: atomics only; checks come from one process (the singleton
 * watchdog).
 * @return 1 with @a ev filled on a transition, else 0
 */
int ajplb_lb_health_result(ajplb_lb_t *lb, int i, int status,
                           apr_time_t now, ajplb_lb_event_t *ev);

/**
 * Member @a i's current share of its full lbfactor, per mille
 * (AJPLB_SLOW_START_MIN..1000): below 1000 while slow start ramps it up.
 */
int ajplb_lb_weight_permille(const ajplb_lb_t *lb, int i, apr_time_t now);

/**
 * The slow start weight, per mille, of a member with slow_start
 * @a slow_start seconds whose ramp began at @a since (0: none).
 */
int ajplb_traffic_weight(int slow_start, apr_uint64_t since, apr_time_t now);

/** Start member @a i's slow start now (no-op when slow_start is 0). */
void ajplb_lb_ramp(ajplb_lb_t *lb, int i, apr_time_t now);

#endif /* AJPLB_LB_H */
