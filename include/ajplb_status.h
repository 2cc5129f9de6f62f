/*
 * ajplb_status.h -- the status worker's core: request parameters, a
 * snapshot of the model and the shared state, its rendering as HTML, XML,
 * text, Java properties, JSON and Prometheus text (the dump with every
 * server's mounts), runtime updates, the write nonce, and the configtest
 * check of who may reach a writable one.  Core layer: APR only; the
 * adapter does I/O and locks.
 */
#ifndef AJPLB_STATUS_H
#define AJPLB_STATUS_H

#include <apr_hash.h>
#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "ajplb_common.h"
#include "ajplb_config.h"
#include "ajplb_shm.h"
#include "ajplb_uri_map.h"

#define AJPLB_STATUS_VERSION "mod_ajplb/0.4"

typedef enum {
    AJPLB_STATUS_CMD_LIST = 0,
    AJPLB_STATUS_CMD_SHOW,
    AJPLB_STATUS_CMD_EDIT,
    AJPLB_STATUS_CMD_UPDATE,
    AJPLB_STATUS_CMD_RESET,
    AJPLB_STATUS_CMD_RECOVER,
    AJPLB_STATUS_CMD_VERSION,
    AJPLB_STATUS_CMD_DUMP
} ajplb_status_cmd_e;

typedef enum {
    AJPLB_STATUS_MIME_HTML = 0,
    AJPLB_STATUS_MIME_XML,
    AJPLB_STATUS_MIME_TXT,
    AJPLB_STATUS_MIME_PROP,
    AJPLB_STATUS_MIME_JSON,
    AJPLB_STATUS_MIME_PROM
} ajplb_status_mime_e;

/* opt bits, mod_jk's values. */
#define AJPLB_STATUS_OPT_NO_MEMBERS     0x0001
#define AJPLB_STATUS_OPT_NO_MAPS        0x0002
#define AJPLB_STATUS_OPT_NO_LEGEND      0x0004
#define AJPLB_STATUS_OPT_NO_LB          0x0008
#define AJPLB_STATUS_OPT_NO_AJP         0x0010
#define AJPLB_STATUS_OPT_READ_ONLY      0x0020
#define AJPLB_STATUS_OPT_NO_LB_CONF     0x0040
#define AJPLB_STATUS_OPT_NO_LB_SUMMARY  0x0080
#define AJPLB_STATUS_OPT_NO_AJP_CONF    0x0100

/* A parsed status request. */
typedef struct {
    ajplb_status_cmd_e cmd;
    ajplb_status_mime_e mime;
    const char *w;              /* worker, or NULL */
    const char *sw;             /* lb member, or NULL */
    const char *att;            /* "edit one attribute of all members" */
    const char *from;           /* command to return to after a change */
    const char *nonce;
    int re;                     /* auto refresh seconds, 0 = off */
    unsigned int opt;
    apr_table_t *args;          /* every decoded argument */
} ajplb_status_req_t;

/**
 * Decode an application/x-www-form-urlencoded string into @a args
 * (apr_table_set: a later value of a name wins).  '+' is a space; a bad
 * escape, a NUL, or more than 200 pairs is an error.
 * @return APR_SUCCESS or APR_EINVAL
 */
apr_status_t ajplb_status_parse_args(apr_pool_t *p, const char *s,
                                     apr_table_t *args);

/**
 * Read cmd, mime, w, sw, re, opt, att, from and nonce from @a args.
 * Unknown commands or formats, bad numbers and names that cannot be
 * worker names are refused with a reason in @a err.
 */
apr_status_t ajplb_status_req_make(apr_pool_t *p, apr_table_t *args,
                                   ajplb_status_req_t *out,
                                   const char **err);

const char *ajplb_status_cmd_name(ajplb_status_cmd_e cmd);
const char *ajplb_status_mime_name(ajplb_status_mime_e mime);
/** The Content-Type to answer with. */
const char *ajplb_status_content_type(ajplb_status_mime_e mime);

/* ------------------------------------------------------------- output */

/* A growing string in a pool. */
typedef struct {
    apr_pool_t *p;
    char *s;
    apr_size_t len, cap;
} ajplb_sbuf_t;

void ajplb_sbuf_init(ajplb_sbuf_t *b, apr_pool_t *p, apr_size_t cap);
void ajplb_sbuf_put(ajplb_sbuf_t *b, const char *s, apr_size_t n);
void ajplb_sbuf_puts(ajplb_sbuf_t *b, const char *s);
void ajplb_sbuf_printf(ajplb_sbuf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** HTML and XML: & < > " ' as entities, bytes >= 0x80 as &#xNN;, other
 * control characters dropped. */
void ajplb_sbuf_xml(ajplb_sbuf_t *b, const char *s);
/** A JSON string with its quotes; < > & and non-ASCII as \\uXXXX. */
void ajplb_sbuf_json(ajplb_sbuf_t *b, const char *s);
/** A Java properties value: \\ and controls escaped, non-ASCII \\uXXXX. */
void ajplb_sbuf_prop(ajplb_sbuf_t *b, const char *s);
/** A Prometheus label value: \\ " and newline escaped. */
void ajplb_sbuf_prom(ajplb_sbuf_t *b, const char *s);
/** Percent-encode for a URL query value. */
void ajplb_sbuf_url(ajplb_sbuf_t *b, const char *s);

/* -------------------------------------------------------------- view */

/* Copies, taken once per request, of what the status worker shows. */
typedef struct {
    const ajplb_worker_t *w;
    ajplb_shm_ajp_t s;          /* zeroed when there is no slot */
    int conns, max_conns;       /* this child's pool, -1 = unknown */
} ajplb_status_ajp_t;

typedef struct {
    const ajplb_worker_t *w;    /* the member's ajp13 worker */
    ajplb_shm_member_t s;
    ajplb_shm_member_config_t cfg;
    ajplb_status_ajp_t ajp;
    int rating;                 /* 1 good, 0 degraded, -1 bad */
} ajplb_status_member_t;

typedef struct {
    const ajplb_worker_t *w;
    ajplb_shm_lb_t s;
    ajplb_shm_lb_config_t cfg;
    int n;
    ajplb_status_member_t *members;
    int good, degraded, bad;
    apr_uint32_t busy, max_busy;
    int maintain_in;            /* seconds to next maintenance, >= 0 */
} ajplb_status_lb_t;

/* One server's mount map, for cmd=dump: the main server or a
 * <VirtualHost>, with the rules its requests are mapped by. */
typedef struct {
    const char *server;         /* ServerName */
    int is_virtual;             /* 0: the main server */
    const char *address;        /* <VirtualHost> addresses; "" for main */
    const apr_array_header_t *rules;    /* of const ajplb_uri_rule_t *,
                                         * in priority order */
} ajplb_status_vhost_t;

/** Connections of @a worker's pool in this child; -1 when unknown. */
typedef void ajplb_status_conns_fn(void *ctx, const char *worker,
                                   int *open, int *max_open);

typedef struct {
    const ajplb_model_t *model;
    const ajplb_worker_t *status;   /* the status worker's settings */
    const ajplb_status_req_t *req;
    apr_time_t now;
    const char *server_name;
    int server_port;
    const char *server_software;
    const char *uri;            /* the status worker's own path */
    const char *nonce;          /* for forms; NULL when read-only */
    int read_only;
    const char *result_type;    /* "OK" or "NOT OK" */
    const char *result_msg;
    apr_array_header_t *lbs;    /* of ajplb_status_lb_t * */
    apr_array_header_t *ajps;   /* of ajplb_status_ajp_t * */
    apr_array_header_t *vhosts; /* of ajplb_status_vhost_t: the mounts
                                 * cmd=dump lists; NULL when none */
} ajplb_status_view_t;

/**
 * Rating of a member from the status worker's good/bad lists: items are
 * an activation letter (a, d, s), a state letter (i idle, n, o ok,
 * b busy, r recovering, f forced, p probing, e error) or "act.state";
 * bad is checked first.  @return 1 good, -1 bad, 0 degraded
 */
int ajplb_status_rate(const char *good, const char *bad, int activation,
                      int state);

/**
 * Snapshot @a model and @a shm.  With req->w set only that worker (and
 * with req->sw only that member) is taken; lbs and ajp13 workers of
 * worker.list otherwise.  @a shm may be NULL (counters read as 0).
 * Locking: none; member and lb config are read under their seqlocks.
 * @return APR_SUCCESS or APR_NOTFOUND (no such worker / member)
 */
apr_status_t ajplb_status_view_make(apr_pool_t *p, ajplb_status_view_t *v,
                                    ajplb_shm_t *shm,
                                    ajplb_status_conns_fn *conns,
                                    void *ctx);

/** Render cmd list/show/version (and a change's result) in req->mime. */
void ajplb_status_render(ajplb_sbuf_t *b, const ajplb_status_view_t *v);

/** Render the HTML page (list, show, version); ajplb_status_render calls
 * it for mime html. */
void ajplb_status_render_html(ajplb_sbuf_t *b, const ajplb_status_view_t *v);

/** The edit form for req->w (and req->sw, or req->att), HTML only. */
apr_status_t ajplb_status_render_edit(ajplb_sbuf_t *b,
                                      const ajplb_status_view_t *v);

/** cmd=dump: every property as read, with file:line (secrets hidden),
 * then v->vhosts' mount rules unless opt hides maps. */
void ajplb_status_render_dump(ajplb_sbuf_t *b, const ajplb_status_view_t *v);

/** The mounts part of the dump in req->mime; @a ns is the XML element
 * prefix.  ajplb_status_render_dump calls it. */
void ajplb_status_render_mounts(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                                const char *ns);

/** An error page/document in @a mime (HTML-escaped where needed). */
void ajplb_status_render_error(ajplb_sbuf_t *b, ajplb_status_mime_e mime,
                               const char *msg);

/* HTML pieces shared by the two HTML files. */
void ajplb_status_html_head(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                            const char *title);
void ajplb_status_html_link(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                            const char *text, ajplb_status_cmd_e cmd,
                            const char *w, const char *sw, const char *mime);

/* ----------------------------------------------------------- changes */

/* One applied change, for the log. */
typedef struct {
    const char *worker;         /* "lb" or "lb/member" */
    const char *what;           /* property name */
    const char *old_value;
    const char *new_value;
} ajplb_status_change_t;

/**
 * cmd=update: validate every v* argument of @a req against the worker it
 * names, then publish them through the shm setters (all or nothing per
 * slot).  Host, port and the ajp13 timeouts cannot change at run time and
 * are refused.  Appends ajplb_status_change_t to @a changes.
 * Locking: the caller holds the global mutex.
 * @return APR_SUCCESS, APR_NOTFOUND (no such worker/member) or APR_EINVAL
 *         with the reason in @a err (nothing changed)
 */
apr_status_t ajplb_status_update(apr_pool_t *p, ajplb_shm_t *shm,
                                 const ajplb_model_t *model,
                                 const ajplb_status_req_t *req,
                                 apr_array_header_t *changes,
                                 const char **err);

/**
 * cmd=reset: zero the counters of lb req->w (all members, or member
 * req->sw) or of ajp13 worker req->w.  Locking: the global mutex.
 */
apr_status_t ajplb_status_reset(apr_pool_t *p, ajplb_shm_t *shm,
                                const ajplb_model_t *model,
                                const ajplb_status_req_t *req,
                                apr_time_t now, const char **err);

/**
 * cmd=recover: member req->sw of lb req->w in ERR goes to ERR/REC now
 * (at the lb's highest value, so it is not flooded).
 * @return APR_SUCCESS, APR_NOTFOUND or APR_EINVAL (not in error)
 */
apr_status_t ajplb_status_recover(apr_pool_t *p, ajplb_shm_t *shm,
                                  const ajplb_model_t *model,
                                  const ajplb_status_req_t *req,
                                  const char **err);

/* ------------------------------------------------ who may reach it */

/**
 * Does directive @a name with arguments @a args limit who may come in?
 * Any Require but "Require all granted", any Deny, any Allow but "Allow
 * from all".  The caller walks the containers (<RequireAny>, <Limit>).
 */
int ajplb_status_access_limits(const char *name, const char *args);

/** 1 when @a s matches regular expression @a re as httpd would match
 *  it; 0 otherwise, also when @a re does not compile. */
typedef int ajplb_status_regex_fn(void *ctx, const char *re, const char *s);

/**
 * Does a <Location> section with argument @a arg (a regex when @a regex:
 * <LocationMatch> or "~") cover @a path, the literal start of a mount
 * pattern?  As httpd's location walk: a plain path matches whole
 * segments, a wildcard as fnmatch with '/' matched only by '/', a regex
 * through @a re.
 */
int ajplb_status_access_covers(const char *arg, int regex, const char *path,
                               ajplb_status_regex_fn *re, void *ctx);

/** 1 when a <Location> that applies to the server being checked covers
 *  @a path and limits who may come in (see the two functions above). */
typedef int ajplb_status_protected_fn(void *ctx, const char *path);

/**
 * Configtest warning (T-G8) for one server's mount @a rules: a status
 * worker of @a model with read_only=false and no user= list, mounted
 * where @a prot finds no <Location> limiting access, lets anyone who
 * reaches the server change the balancer.  One warning per mount line
 * and path: @a seen ("file:line:path") is shared by the calls for every
 * server, so a rule copied into several virtual hosts is named once.
 * Used by the module's configtest and by `ajplb check`.
 */
void ajplb_status_access_check(apr_pool_t *p, const ajplb_model_t *model,
                               const apr_array_header_t *rules,
                               ajplb_status_protected_fn *prot, void *ctx,
                               apr_hash_t *seen, ajplb_diags_t *d);

/* ------------------------------------------------------------- nonce */

#define AJPLB_STATUS_NONCE_LEN 74   /* 16 + 1 + 16 + 1 + 40 */

/**
 * A write nonce: issue time, 8 random bytes, and HMAC-SHA1 over both and
 * @a scope under @a key (the server's start-up secret).  @a out holds
 * AJPLB_STATUS_NONCE_LEN + 1 bytes.
 */
void ajplb_status_nonce_make(char *out, const unsigned char *key,
                             apr_size_t keylen, const char *scope,
                             apr_time_t now, const unsigned char salt[8]);

/**
 * 1 when @a nonce was made with @a key and @a scope at most @a max_age
 * ago (and not in the future); compared in constant time.
 */
int ajplb_status_nonce_check(const char *nonce, const unsigned char *key,
                             apr_size_t keylen, const char *scope,
                             apr_time_t now, apr_interval_time_t max_age);

/**
 * Same-origin check for a write (T-G8).  The origin is @a origin or,
 * without one, @a referer: an absolute http or https URL.  Its host must
 * be one of @a names (of const char *: ServerName and every ServerAlias;
 * '*' and '?' match as in ServerAlias), compared without case, and its
 * port (80 or 443 when not written) one of the @a nports @a ports.  The
 * request's own Host header is not trusted: under DNS rebinding it names
 * the attacker's site as well.  Neither header, Origin "null", userinfo
 * or another scheme: refused.  @return 1 when allowed
 */
int ajplb_status_same_origin(const char *origin, const char *referer,
                             const apr_array_header_t *names,
                             const apr_port_t *ports, int nports);

/**
 * The scope a nonce is signed for: the status worker, the user, and the
 * serial number of the status worker's changes (ajplb_status_serial), so
 * a nonce is good for the one change that comes next and for nothing
 * after it.
 */
const char *ajplb_status_nonce_scope(apr_pool_t *p, const char *worker,
                                     const char *user, apr_uint32_t serial);

/** The current change serial of @a shm (0 without a segment). */
apr_uint32_t ajplb_status_serial(ajplb_shm_t *shm);

/**
 * Spend a nonce (T-G8): it must check against the current serial (see
 * ajplb_status_nonce_check) and the serial must still be that value when
 * it is bumped (compare-and-swap in the shared segment), so each nonce
 * allows one change, in whichever child it arrives, and every nonce handed
 * out before a change is void after it.  @a shm NULL: always refused.
 * @return 1 when the change may go ahead
 */
int ajplb_status_nonce_use(ajplb_shm_t *shm, const char *nonce,
                           const unsigned char *key, apr_size_t keylen,
                           const char *worker, const char *user,
                           apr_time_t now, apr_interval_time_t max_age,
                           apr_pool_t *p);

#endif /* AJPLB_STATUS_H */
