/*
 * ajplb_config.h -- the worker model built from workers.properties: ajp13,
 * lb and status workers as plain data, the property definition table, and
 * strict value parsers.  Core layer: APR only, no sockets, never logs
 * (problems go to an ajplb_diags_t collector).
 */
#ifndef AJPLB_CONFIG_H
#define AJPLB_CONFIG_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>

#include "ajplb_common.h"
#include "ajplb_diag.h"
#include "ajplb_props.h"

/* Strings that mod_jk keeps in shared memory are limited to 63 bytes
 * (JK_SHM_STR_SIZ 64 with the NUL); we keep the same limit so a config
 * that loads here also fits the status/shm layout. */
#define AJPLB_NAME_MAX 63

/* Largest body_window: bounds the client bytes read and sent before the
 * backend asks (16 packets: 128 KiB at 8192, 1 MiB at 65536).  A send
 * that blocks on a backend that stopped reading ends at socket_timeout. */
#define AJPLB_BODY_WINDOW_MAX 16

typedef enum {
    AJPLB_WORKER_AJP13 = 1,
    AJPLB_WORKER_LB = 2,
    AJPLB_WORKER_STATUS = 4
} ajplb_worker_type_e;

#define AJPLB_WORKER_ANY (AJPLB_WORKER_AJP13 | AJPLB_WORKER_LB \
                          | AJPLB_WORKER_STATUS)

typedef enum {
    AJPLB_ACTIVATION_ACTIVE = 0,
    AJPLB_ACTIVATION_DISABLED = 1,
    AJPLB_ACTIVATION_STOPPED = 2
} ajplb_activation_e;

typedef enum {
    AJPLB_LB_METHOD_REQUEST = 0,
    AJPLB_LB_METHOD_TRAFFIC = 1,
    AJPLB_LB_METHOD_BUSYNESS = 2,
    AJPLB_LB_METHOD_SESSION = 3,
    AJPLB_LB_METHOD_NEXT = 4
} ajplb_lb_method_e;

typedef enum {
    AJPLB_LB_LOCK_OPTIMISTIC = 0,
    AJPLB_LB_LOCK_PESSIMISTIC = 1
} ajplb_lb_lock_e;

/* ping_mode letters as bits. */
#define AJPLB_PING_CONNECT  0x1     /* C: CPing after connect */
#define AJPLB_PING_PREPOST  0x2     /* P: CPing before each request */
#define AJPLB_PING_INTERVAL 0x4     /* I: CPing idle pooled connections */
#define AJPLB_PING_ALL      0x7     /* A */

/* recovery_options bits (mod_jk values). */
#define AJPLB_RECOVER_ABORT_IF_TCGETREQUEST   1
#define AJPLB_RECOVER_ABORT_IF_TCSENDHEADER   2
#define AJPLB_RECOVER_ABORT_IF_CLIENTERROR    4
#define AJPLB_RECOVER_ALWAYS_HTTP_HEAD        8
#define AJPLB_RECOVER_ALWAYS_HTTP_GET        16

typedef struct {
    const char *file;           /* NULL when built-in (a default) */
    int line;
} ajplb_srcloc_t;

typedef struct ajplb_worker_t ajplb_worker_t;

/* One entry of an lb's balance_workers list. */
typedef struct {
    ajplb_worker_t *worker;     /* resolved; always an ajp13 worker */
    ajplb_srcloc_t loc;         /* the balance_workers line naming it */
} ajplb_lb_member_t;

/*
 * A worker.  One flat struct for all three types keeps the property table
 * simple (field offsets); the comment on each group says which type uses
 * it.  Integer fields hold their effective value after the build (defaults
 * applied); units are in the field names' comments.
 */
struct ajplb_worker_t {
    const char *name;
    ajplb_worker_type_e type;
    ajplb_srcloc_t loc;         /* first line that mentions the worker */
    int in_list;                /* named in worker.list */
    int used;                   /* in worker.list, or member of a used lb */
    int implicit;               /* in worker.list, never defined */
    const char *reference;      /* template it copied from, or NULL */

    /* ajp13 (also lb members) */
    const char *host;           /* default "localhost" */
    int port;                   /* default 8009; 0 = member starts stopped */
    const char *source;         /* local bind address, "" = any */
    int prefer_ipv6;
    int socket_timeout;         /* seconds, default httpd Timeout */
    int socket_connect_timeout; /* ms, default 3000 */
    int socket_keepalive;
    int socket_buffer;          /* bytes, 0 = OS default */
    unsigned int ping_mode;     /* AJPLB_PING_* bits */
    int ping_timeout;           /* ms, default 10000 */
    int connect_timeout;        /* ms, 0 = none (legacy C switch) */
    int prepost_timeout;        /* ms, 0 = none (legacy P switch) */
    int connection_ping_interval;   /* seconds */
    int connection_pool_size;   /* per child, default ThreadsPerChild */
    int connection_pool_minsize;    /* default (size + 1) / 2 */
    int connection_pool_timeout;    /* seconds idle, default 300 */
    int connection_acquire_timeout; /* ms, default 200 */
    int reply_timeout;          /* ms, default httpd Timeout * 1000 */
    int recovery_options;       /* AJPLB_RECOVER_* bits */
    apr_array_header_t *fail_on_status; /* of int; negative = no ERR */
    int busy_limit;             /* 0 = none */
    int body_window;            /* body packets sent before Tomcat asks;
                                 * 0 = only when asked (mod_jk) */
    int lbfactor;               /* default 1 */
    const char *route;          /* default the worker name */
    const char *domain;         /* default "" or route's part before '.' */
    const char *redirect;       /* route of the failover member, or "" */
    int distance;               /* default 0 */
    ajplb_activation_e activation;

    /* ajp13 and lb */
    int retries;                /* default 2 */
    int retry_interval;         /* ms, default 100 */
    int max_packet_size;        /* bytes; lb: max over its members */
    const char *secret;         /* NULL = none */
    int secret_inherited;       /* secret copied from an lb */
    apr_array_header_t *mounts; /* of const char *, JkMount-style rules */

    /* traffic management, ajp13 and lb (docs/BALANCER.md 12-14): a
     * member's own value wins, else its lb's, else the default; left
     * AJPLB_UNSET / NULL here, resolved by ajplb_traffic_resolve() */
    const char *health_check;       /* path of the active check */
    int health_check_interval;      /* s */
    int health_check_timeout;       /* ms */
    int health_check_fall;
    int health_check_rise;
    unsigned char *health_check_status;     /* status set, or NULL */
    int slow_start;                 /* s, 0 = off */
    int outlier_count;              /* 0 = off */
    unsigned char *outlier_statuses;        /* status set, or NULL */
    int outlier_window;             /* s */
    int outlier_eject_time;         /* s */
    int outlier_max_share;          /* percent of the lb's members */

    /* lb */
    apr_array_header_t *members;    /* of ajplb_lb_member_t */
    int sticky_session;         /* default 1 */
    int sticky_session_force;   /* default 0 */
    const char *session_cookie; /* default "JSESSIONID" */
    const char *session_path;   /* default ";jsessionid" */
    int set_session_cookie;     /* default 0 */
    const char *session_cookie_path;    /* default "/" */
    ajplb_lb_method_e method;
    ajplb_lb_lock_e lock;
    int lb_retries;             /* default 2 */
    int recover_time;           /* seconds, default 60 */
    int error_escalation_time;  /* seconds, default recover_time / 2 */
    int max_reply_timeouts;     /* default 0 */

    /* status */
    const char *css;            /* default "" */
    int read_only;              /* default 1 (mod_jk: 0) */
    apr_array_header_t *users;  /* of const char *; empty = anyone */
    int user_case_insensitive;
    const char *good;           /* default "a.o,a.i,a.b,a.r" */
    const char *bad;            /* default "s,e" */
    const char *prefix;         /* default "worker" */
    const char *ns;             /* default "jk:" ("-" = none) */
    const char *xmlns;          /* default xmlns:jk="http://tomcat..." */
    const char *doctype;        /* default "" */
};

/* What only httpd knows, passed in by the adapter. */
typedef struct {
    int httpd_timeout_sec;      /* httpd's Timeout; <= 0 means 60 */
    int threads_per_child;      /* ThreadsPerChild, 1 for prefork */
} ajplb_model_defaults_t;

typedef struct {
    apr_pool_t *pool;
    ajplb_props_t *props;       /* the source, for file:line lookups */
    apr_hash_t *by_name;        /* name -> ajplb_worker_t * */
    apr_array_header_t *workers;    /* of ajplb_worker_t *, first-seen order */
    apr_array_header_t *list;       /* of ajplb_worker_t *, list order */
    apr_array_header_t *list_locs;  /* of ajplb_srcloc_t, parallel to list */
    int maintain;               /* worker.maintain, seconds, default 60 */
    ajplb_srcloc_t maintain_loc;
    ajplb_model_defaults_t defaults;
} ajplb_model_t;

/* ---------------------------------------------------------------- table */

typedef enum {
    AJPLB_PROP_STR,             /* string, at most AJPLB_NAME_MAX unless 0 */
    AJPLB_PROP_TEXT,            /* string without the length limit */
    AJPLB_PROP_INT,             /* strict decimal in [min, max] */
    AJPLB_PROP_BOOL,
    AJPLB_PROP_LIST,            /* repeatable, concatenated with ',' */
    AJPLB_PROP_SPECIAL,         /* handled by the builder by name */
    AJPLB_PROP_IGNORED          /* accepted for compatibility, no effect */
} ajplb_prop_kind_e;

/* One row per worker property; the single source for the reader (lists,
 * deprecated names), the builder (types, ranges, defaults) and the docs. */
typedef struct {
    const char *name;
    ajplb_prop_kind_e kind;
    unsigned int applies;       /* AJPLB_WORKER_* bits */
    int min, max;               /* AJPLB_PROP_INT only */
    int field;                  /* offsetof(ajplb_worker_t, ...) or -1 */
    const char *unit;           /* "ms", "s", "bytes" or NULL */
    const char *defval;         /* default as text, for docs and tests */
    const char *replaced_by;    /* deprecated: the name to write instead */
    int rename;                 /* deprecated: value moves to replaced_by */
} ajplb_propdef_t;

/** The row for worker attribute @a name, or NULL when unknown. */
const ajplb_propdef_t *ajplb_propdef_find(const char *name);

/** Row @a i of the table (NULL past the end); for docs and tests. */
const ajplb_propdef_t *ajplb_propdef_at(int i);

/**
 * The known name closest to @a name (edit distance), or NULL when nothing
 * is close enough to be a plausible typo.  @a globals adds "list" and
 * "maintain" to the candidates.
 */
const char *ajplb_propdef_suggest(const char *name, int globals);

/** "ajp13", "lb" or "status". */
const char *ajplb_worker_type_name(ajplb_worker_type_e type);

/* --------------------------------------------------------------- parsers */

/**
 * Strict decimal integer: optional sign, digits only, no spaces, no
 * suffix, no overflow, within [min, max].
 * @return APR_SUCCESS, APR_EINVAL (empty or garbage) or APR_ERANGE
 */
apr_status_t ajplb_parse_int(const char *s, int min, int max, int *out);

/**
 * mod_jk booleans: 0/1, on/off, or a first letter t/y (true) f/n (false),
 * case-insensitive.  @return APR_SUCCESS or APR_EINVAL
 */
apr_status_t ajplb_parse_bool(const char *s, int *out);

/** activation: A/D/S (first letter, any case) or 0/1/2. */
apr_status_t ajplb_parse_activation(const char *s, ajplb_activation_e *out);

/** method: R/T/B/S/N (first letter, any case) or 0-4. */
apr_status_t ajplb_parse_method(const char *s, ajplb_lb_method_e *out);

/** lock: O/P (first letter, any case) or 0/1. */
apr_status_t ajplb_parse_lock(const char *s, ajplb_lb_lock_e *out);

/** ping_mode: any combination of C, P, I, A (any case); "" = none. */
apr_status_t ajplb_parse_ping_mode(const char *s, unsigned int *out);

/**
 * Split a list value on ',', spaces and tabs, dropping empty items.
 * @return array of const char * allocated from @a p
 */
apr_array_header_t *ajplb_split_list(apr_pool_t *p, const char *s);

/** 1 when @a s is a valid worker name: [A-Za-z0-9_-]{1,63}. */
int ajplb_name_is_valid(const char *s);

/* ----------------------------------------------------------------- model */

/**
 * Build the worker model from @a pr (resolving reference= templates first),
 * apply defaults (finite timeouts from @a defs) and validate it.
 * Every problem is recorded in @a diags with the file:line it comes from
 * and what to write instead; warnings do not fail the build.
 * @param p pool for the model (pconf); must not outlive @a pr
 * @param model set to the model, also when errors were found (so callers
 *        and tests can inspect it); NULL only on a NULL argument
 * @return APR_SUCCESS, or AJPLB_ECONFIG when at least one error was found
 *         (in the reader or the builder)
 */
apr_status_t ajplb_model_build(apr_pool_t *p, ajplb_props_t *pr,
                               const ajplb_model_defaults_t *defs,
                               ajplb_diags_t *diags, ajplb_model_t **model);

/** The worker called @a name, or NULL. */
ajplb_worker_t *ajplb_model_find(const ajplb_model_t *model,
                                 const char *name);

/** Member @a i of lb @a lb (NULL when out of range or not an lb). */
ajplb_worker_t *ajplb_lb_member(const ajplb_worker_t *lb, int i);

/**
 * Where attribute @a attr of worker @a w was written (possibly in a
 * reference= template), or NULL when it was not written (a default).
 */
const ajplb_prop_t *ajplb_model_prop(const ajplb_model_t *model,
                                     const ajplb_worker_t *w,
                                     const char *attr);

/* ------------------------------------------------- traffic management */

/* A set of HTTP statuses 0..599 as a bitmap. */
#define AJPLB_STATUS_SET_BYTES 75

/* The traffic settings of one lb member, inheritance resolved. */
typedef struct {
    const char *health_check;       /* NULL = no active check */
    int health_check_interval;      /* s, default 10 */
    int health_check_timeout;       /* ms, default 2000 */
    int health_check_fall;          /* default 3 */
    int health_check_rise;          /* default 2 */
    unsigned char health_check_status[AJPLB_STATUS_SET_BYTES]; /* 200-399 */
    int slow_start;                 /* s, default 0 = off */
    int outlier_count;              /* default 0 = off */
    unsigned char outlier_statuses[AJPLB_STATUS_SET_BYTES]; /* 500,502-504 */
    int outlier_window;             /* s, default 30 */
    int outlier_eject_time;         /* s, default 30 */
    int outlier_max_share;          /* percent, default 50 */
} ajplb_traffic_t;

/**
 * Parse a status list: codes and ranges from 100 to 599 separated by ','
 * or blanks, e.g. "200-399,404".  @a set is cleared first.
 * @return APR_SUCCESS, or APR_EINVAL with *bad pointing at the bad item
 *         (allocated from @a p)
 */
apr_status_t ajplb_parse_status_set(apr_pool_t *p, const char *s,
                                    unsigned char *set, const char **bad);

/** 1 when @a status is in @a set. */
int ajplb_status_in_set(const unsigned char *set, int status);

/** The settings of member @a m of lb @a lb (either may be NULL). */
void ajplb_traffic_resolve(const ajplb_worker_t *m, const ajplb_worker_t *lb,
                           ajplb_traffic_t *out);

/* Internal to the builder files (ajplb_config*.c): cross-worker checks
 * run after every worker's own properties are parsed. */
void ajplb_config_validate(ajplb_model_t *model, ajplb_diags_t *diags);

/* The builder's part for health_check, health_check_status and
 * outlier_statuses (ajplb_config_traffic.c). */
void ajplb_config_traffic_prop(apr_pool_t *p, ajplb_diags_t *diags,
                               ajplb_worker_t *w, const char *attr,
                               const char *value, const char *file,
                               int line);

#endif /* AJPLB_CONFIG_H */
