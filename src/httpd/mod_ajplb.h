/*
 * mod_ajplb.h -- ADAPTER: types shared by the httpd-facing files
 * (src/httpd/mod_ajplb*.c).  Includes httpd headers, so the core never
 * includes it.
 */
#ifndef MOD_AJPLB_H
#define MOD_AJPLB_H

#include "httpd.h"
#include "http_config.h"

#include "ajplb_common.h"
#include "ajplb_diag.h"
#include "ajplb_props.h"
#include "ajplb_config.h"
#include "ajplb_log.h"
#include "ajplb_uri.h"
#include "ajplb_uri_map.h"
#include "ajplb_pool.h"
#include "ajplb_exchange.h"
#include "ajplb_shm.h"
#include "ajplb_lb.h"

#include <apr_global_mutex.h>

extern AJPLB_EXPORT module AP_MODULE_DECLARE_DATA ajplb_module;

#define AJPLB_HANDLER "jakarta-servlet"
#define AJPLB_MAGIC_TYPE "application/x-jakarta-servlet"

/* JkOptions bits, mod_jk's values so logs and docs can be compared. */
#define AJPLB_OPT_FWDURIMASK        0x0007
#define AJPLB_OPT_FWDURICOMPAT      0x0001
#define AJPLB_OPT_FWDURICOMPATUNPARSED 0x0002
#define AJPLB_OPT_FWDURIESCAPED     0x0003
#define AJPLB_OPT_FWDURIPROXY       0x0004
#define AJPLB_OPT_FWDDIRS           0x0008
#define AJPLB_OPT_FWDLOCAL          0x0010
#define AJPLB_OPT_FLUSHPACKETS      0x0020
#define AJPLB_OPT_FLUSHEADER        0x0040
#define AJPLB_OPT_DISABLEREUSE      0x0080
#define AJPLB_OPT_FWDCERTCHAIN      0x0100
#define AJPLB_OPT_FWDKEYSIZE        0x0200
#define AJPLB_OPT_REJECTUNSAFE      0x0400
#define AJPLB_OPT_FWDPHYSICAL       0x0800
#define AJPLB_OPT_FWDADDRMASK       (AJPLB_OPT_FWDLOCAL | AJPLB_OPT_FWDPHYSICAL)
#define AJPLB_OPT_DEFAULT           (AJPLB_OPT_FWDURIPROXY | AJPLB_OPT_FWDKEYSIZE)

/* Names of environment variables the module reads (the *Indicator
 * directives change them).  Index into ajplb_srv_conf_t.env. */
typedef enum {
    AJPLB_ENV_WORKER = 0,       /* JkWorkerIndicator */
    AJPLB_ENV_HTTPS,
    AJPLB_ENV_SSL_PROTOCOL,
    AJPLB_ENV_CERTS,
    AJPLB_ENV_CIPHER,
    AJPLB_ENV_SESSION,
    AJPLB_ENV_KEYSIZE,
    AJPLB_ENV_CERTCHAIN,        /* prefix */
    AJPLB_ENV_REQUEST_ID,
    AJPLB_ENV_REMOTE_ADDR,
    AJPLB_ENV_REMOTE_PORT,
    AJPLB_ENV_REMOTE_HOST,
    AJPLB_ENV_REMOTE_USER,
    AJPLB_ENV_AUTH_TYPE,
    AJPLB_ENV_LOCAL_NAME,
    AJPLB_ENV_LOCAL_ADDR,
    AJPLB_ENV_LOCAL_PORT,
    AJPLB_ENV_IGNORE_CL,
    AJPLB_ENV_COUNT
} ajplb_env_e;

/* One JkWorkerProperty line with where it was written. */
typedef struct {
    const char *line;
    const char *file;
    int lineno;
} ajplb_prop_line_t;

/* One JkMount / JkUnMount as written, replayed into the map at start-up. */
typedef struct {
    const char *pattern;
    const char *target;
    int flags;                  /* AJPLB_URI_RULE_* */
    const char *file;
    int line;
} ajplb_mount_t;

/* JkEnvVar name [default]. */
typedef struct {
    const char *name;
    const char *defval;         /* NULL: only sent when set */
} ajplb_envvar_t;

/* A mount map that JkMountFileReload can replace while requests run. */
typedef struct {
    ajplb_uri_map_t *volatile map;  /* published map; swapped atomically */
    const char *file;               /* JkMountFile, or NULL */
    apr_time_t mtime;               /* of the file the map was built from */
    apr_time_t last_check;
    apr_interval_time_t reload;     /* JkMountFileReload; 0 = never */
} ajplb_mounts_t;

/* Per-server configuration (main server and each <VirtualHost>). */
typedef struct {
    /* Global only: worker definitions. */
    const char *workers_file;
    const char *workers_file_where;
    apr_array_header_t *prop_lines;     /* of ajplb_prop_line_t */

    /* Mapping. */
    apr_array_header_t *mounts;         /* of ajplb_mount_t */
    const char *mount_file;
    const char *mount_file_where;
    int mount_file_reload;              /* seconds; -1 unset */
    int mount_copy;                     /* -1 unset, 0 off, 1 on, 2 all */
    ajplb_mounts_t *map;                /* built in check_config */

    /* Forwarding. */
    int options;                        /* effective JkOptions */
    int options_plus, options_minus;
    apr_array_header_t *envvars;        /* of ajplb_envvar_t */
    const char *env[AJPLB_ENV_COUNT];   /* indicator names, NULL = default */
    int extract_ssl;                    /* -1 unset */
    int strip_session;                  /* -1 unset */
    const char *strip_session_name;

    /* Logging. */
    const char *log_file;               /* JkLogFile (path or |pipe) */
    int log_level;                      /* -1 unset */
    const char *log_stamp;
    const char *request_log_format;
    ajplb_log_t *log;                   /* opened in post_config */

    /* Accepted for compatibility (used by later parts). */
    const char *shm_file;
    int watchdog_interval;              /* -1 unset */
} ajplb_srv_conf_t;

/* Per-child runtime state of a worker: a connection pool for an ajp13
 * worker, a balancer handle for an lb. */
typedef struct {
    const ajplb_worker_t *def;
    ajplb_pool_t *pool;                 /* NULL when the host did not
                                         * resolve (then always 503) */
    apr_status_t pool_rv;
    ajplb_lb_t *lb;                     /* lb workers only */
    ajplb_shm_ajp_t *slot;              /* ajp13: its shared counters */
} ajplb_rt_worker_t;

/* Per-generation global state, rebuilt on every configuration read. */
typedef struct {
    ajplb_model_t *model;               /* NULL when no workers exist */
    apr_hash_t *rt;                     /* name -> ajplb_rt_worker_t */
    server_rec *main_server;
    ajplb_shm_t *shm;                   /* this process's view */
    void *shm_base;
    apr_size_t shm_size;
    apr_global_mutex_t *mutex;          /* Pessimistic lb lock, writers */
    int watchdog;                       /* maintenance in a thread */
} ajplb_global_t;

extern ajplb_global_t ajplb_global;

/* What translate_name decided, for the handler (request config). */
typedef struct {
    const char *worker;                 /* worker name */
    const ajplb_uri_rule_t *rule;       /* the matching rule, or NULL */
    const char *clean_uri;              /* normalised path that matched */
    const char *orig_uri;               /* r->uri before any change */
} ajplb_req_conf_t;

/* mod_ajplb_config.c */
void *ajplb_create_srv_conf(apr_pool_t *p, server_rec *s);
void *ajplb_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);
extern const command_rec ajplb_cmds[];
const char *ajplb_env_name(const ajplb_srv_conf_t *conf, ajplb_env_e which);
/* Configtest warnings read from the directive tree (JkOptions, status
 * worker access); call after ajplb_build_maps(). */
void ajplb_config_warnings(apr_pool_t *p, server_rec *s,
                           ajplb_diags_t *diags);

/* mod_ajplb_init.c */
int ajplb_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s);
int ajplb_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                      apr_pool_t *ptemp, server_rec *s);
void ajplb_child_init(apr_pool_t *pchild, server_rec *s);

/* mod_ajplb_map.c */
#define AJPLB_NOTE_ENCODED "ajplb-encoded-path" /* the client's %-form */
int ajplb_pre_translate(request_rec *r);
int ajplb_fixups(request_rec *r);
int ajplb_translate(request_rec *r);
int ajplb_map_to_storage(request_rec *r);
int ajplb_build_maps(apr_pool_t *pconf, server_rec *s, ajplb_diags_t *d);
/* The published mount map of @a conf (NULL: none), held until @a r ends
 * so a JkMountFile reload cannot free it while it is read. */
const ajplb_uri_map_t *ajplb_map_hold(request_rec *r,
                                      const ajplb_srv_conf_t *conf);

/* mod_ajplb_service.c */
int ajplb_handler(request_rec *r);

/* mod_ajplb_shm.c */
int ajplb_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
apr_status_t ajplb_shm_setup(apr_pool_t *pconf, server_rec *s,
                             const ajplb_model_t *model);
apr_status_t ajplb_watchdog_setup(apr_pool_t *pconf, server_rec *s);
void ajplb_shm_child_init(apr_pool_t *pchild, server_rec *s);
void ajplb_maintain(apr_time_t now);
/* The maintenance flag, also taken by the health checks: 1 when taken
 * (then call ajplb_maint_leave), 0 when busy or the child is exiting. */
int ajplb_maint_enter(void);
void ajplb_maint_leave(void);
void ajplb_maintain_child_exit(apr_pool_t *pchild);

/* mod_ajplb_logging.c */
void ajplb_rlog(request_rec *r, ajplb_log_level_e level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ajplb_slog(server_rec *s, ajplb_log_level_e level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
apr_status_t ajplb_open_logs(apr_pool_t *pconf, server_rec *s);
int ajplb_log_request(request_rec *r);

#endif /* MOD_AJPLB_H */
