/*
 * mod_ajplb_shm.c -- ADAPTER: the shared segment that holds balancer and
 * worker state for every child process (apr_shm), its global mutex
 * (httpd's Mutex machinery), state carried across graceful restarts, and
 * the maintenance cycle (httpd's watchdog thread, or piggybacked on
 * requests).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "mod_watchdog.h"
#include "util_mutex.h"

#include <apr_atomic.h>
#include <apr_mmap.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include <unistd.h>

#include "mod_ajplb.h"

APLOG_USE_MODULE(ajplb);

#define AJPLB_MUTEX_TYPE "ajplb-shm"
#define AJPLB_RETAINED_KEY "mod_ajplb-shm"

/* Survives restarts in the parent, so the next generation can copy the
 * previous one's state slot by slot. */
typedef struct {
    void *base;
    apr_size_t size;
    apr_pool_t *pool;           /* owns the segment; destroyed with it */
    unsigned int generation;
} ajplb_retained_t;

static APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *ajplb_wd_get;
static APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *ajplb_wd_reg;

int ajplb_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    return ap_mutex_register(pconf, AJPLB_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT,
                             0) == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

/* The JkShmFile of one generation, removed when that generation's pconf
 * goes (restart or stop).  The mapping outlives the name: the next
 * generation copies from memory, and children inherit the mapping. */
typedef struct {
    const char *name;
    pid_t creator;
} ajplb_shm_name_t;

static apr_status_t ajplb_shm_unlink(void *data)
{
    ajplb_shm_name_t *n = data;

    /* A child that destroys its copy of the pools at exit must not remove
     * the parent's file. */
    if (n->creator == getpid()) {
        apr_file_remove(n->name, NULL);
    }
    return APR_SUCCESS;
}

/* Make a segment in pool @a p.  Without JkShmFile it is anonymous shared
 * memory (apr_shm with no name): nothing in the file system, inherited by
 * the children.  With JkShmFile it is a file of that name plus ".PID.GEN",
 * created exclusively with mode 0600 and mapped shared (apr_file +
 * apr_mmap).  apr_shm's named segments are not used because on Linux they
 * ignore the path (a hashed name under /dev/shm) and their mode is not
 * ours to set.
 *
 * @a p outlives this module's code: httpd unloads the DSO when pconf is
 * cleared (after the first configuration pass and on every restart) and
 * may load it again at another address.  So only APR's own cleanups go
 * into @a p; the file name's removal is registered on @a pconf, whose
 * cleanups run before the unload (start-up crash, issue #11). */
static apr_status_t ajplb_shm_make(apr_pool_t *p, apr_pool_t *pconf,
                                   server_rec *s, const char *file,
                                   unsigned int gen, apr_size_t size,
                                   void **base)
{
    apr_status_t rv;

    if (file == NULL) {
        apr_shm_t *shm;
        rv = apr_shm_create(&shm, size, NULL, p);
        if (rv == APR_SUCCESS) {
            *base = apr_shm_baseaddr_get(shm);
            return APR_SUCCESS;
        }
        file = "(anonymous)";
    }
    else {
        const char *name = apr_psprintf(p, "%s.%" APR_PID_T_FMT ".%u", file,
                                        getpid(), gen);
        apr_file_t *f;
        apr_mmap_t *mm;

        apr_file_remove(name, p);
        rv = apr_file_open(&f, name, APR_FOPEN_READ | APR_FOPEN_WRITE
                           | APR_FOPEN_CREATE | APR_FOPEN_EXCL,
                           APR_FPROT_UREAD | APR_FPROT_UWRITE, p);
        if (rv == APR_SUCCESS) {
            ajplb_shm_name_t *n = apr_palloc(pconf, sizeof(*n));
            n->name = apr_pstrdup(pconf, name);
            n->creator = getpid();
            apr_pool_cleanup_register(pconf, n, ajplb_shm_unlink,
                                      apr_pool_cleanup_null);
            rv = apr_file_trunc(f, (apr_off_t)size);
        }
        if (rv == APR_SUCCESS) {
            rv = apr_mmap_create(&mm, f, 0, size,
                                 APR_MMAP_READ | APR_MMAP_WRITE, p);
        }
        if (rv == APR_SUCCESS) {
            *base = mm->mm;
            memset(*base, 0, size);
            apr_file_close(f);
            return APR_SUCCESS;
        }
        file = name;
    }
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, rv, s,
                 "mod_ajplb: cannot create the shared memory %s "
                 "(%" APR_SIZE_T_FMT " bytes): check that JkShmFile's "
                 "directory exists, is local (not NFS) and writable by root",
                 file, size);
    return rv;
}

apr_status_t ajplb_shm_setup(apr_pool_t *pconf, server_rec *s,
                             const ajplb_model_t *model)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(s->module_config, &ajplb_module);
    ajplb_retained_t *ret = ap_retained_data_get(AJPLB_RETAINED_KEY);
    apr_size_t size = ajplb_shm_size(model);
    apr_pool_t *sp;
    void *base;
    const void *prev = NULL;
    apr_size_t prev_size = 0;
    apr_status_t rv;

    if (ret == NULL) {
        ret = ap_retained_data_create(AJPLB_RETAINED_KEY, sizeof(*ret));
    }
    /* The segment must outlive pconf (cleared on every restart) until the
     * next generation has copied it: give it its own pool under the
     * process pool. */
    apr_pool_create(&sp, s->process->pool);
    /* The tag is kept by pointer: a copy, not this DSO's string. */
    apr_pool_tag(sp, apr_pstrdup(sp, "ajplb_shm"));
    rv = ajplb_shm_make(sp, pconf, s, conf->shm_file, ret->generation + 1,
                        size, &base);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(sp);
        return rv;
    }
    if (ret->base != NULL) {
        prev = ret->base;
        prev_size = ret->size;
    }
    rv = ajplb_shm_init(pconf, base, size, model, prev,
                        prev_size, apr_time_now(), &ajplb_global.shm);
    if (rv == AJPLB_ESHMBAD) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_WARNING, 0, s,
                     "mod_ajplb: the previous shared state could not be "
                     "read; balancers start fresh");
    }
    else if (rv != APR_SUCCESS) {
        char err[120];
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                     "mod_ajplb: cannot lay out the shared memory: %s",
                     ajplb_strerror(rv, err, sizeof(err)));
        apr_pool_destroy(sp);
        return rv;
    }
    /* The old generation's children keep their own mapping. */
    if (ret->pool != NULL) {
        apr_pool_destroy(ret->pool);
    }
    ret->base = base;
    ret->size = size;
    ret->pool = sp;
    ret->generation++;
    ajplb_global.shm_base = base;
    ajplb_global.shm_size = size;

    rv = ap_global_mutex_create(&ajplb_global.mutex, NULL, AJPLB_MUTEX_TYPE,
                                NULL, s, pconf, 0);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    return APR_SUCCESS;
}

/* 1 while a thread runs the maintenance; taken for good at child exit. */
static volatile apr_uint32_t ajplb_maint_busy;

int ajplb_maint_enter(void)
{
    return apr_atomic_cas32(&ajplb_maint_busy, 1, 0) == 0;
}

void ajplb_maint_leave(void)
{
    apr_atomic_set32(&ajplb_maint_busy, 0);
}

/* Maintenance for this child: idle connections of every pool, and, for
 * the one process per interval that wins the claim, the balancers'
 * global part (decay, recovery, escalation). */
void ajplb_maintain(apr_time_t now)
{
    volatile apr_uint32_t *busy = &ajplb_maint_busy;
    static apr_time_t last;
    apr_interval_time_t interval;
    apr_hash_index_t *hi;
    apr_pool_t *p = NULL;

    if (ajplb_global.model == NULL || ajplb_global.rt == NULL) {
        return;
    }
    interval = apr_time_from_sec(ajplb_global.model->maintain > 0
                                 ? ajplb_global.model->maintain : 60);
    if (now - last < interval || apr_atomic_cas32(busy, 1, 0) != 0) {
        return;
    }
    last = now;
    for (hi = apr_hash_first(p, ajplb_global.rt); hi; hi = apr_hash_next(hi)) {
        ajplb_rt_worker_t *rt = apr_hash_this_val(hi);
        if (rt->pool != NULL) {
            ajplb_pool_maintain(rt->pool);
        }
    }
    if (ajplb_global.shm != NULL
        && ajplb_shm_maintain_claim(ajplb_global.shm, now, interval)) {
        for (hi = apr_hash_first(p, ajplb_global.rt); hi;
             hi = apr_hash_next(hi)) {
            ajplb_rt_worker_t *rt = apr_hash_this_val(hi);
            if (rt->lb != NULL) {
                int n = ajplb_lb_maintain(rt->lb, now);
                if (n > 0) {
                    ajplb_slog(ajplb_global.main_server, AJPLB_LOG_DEBUG,
                               "worker %s: maintenance (%d interval%s)",
                               rt->def->name, n, n == 1 ? "" : "s");
                }
            }
        }
    }
    apr_atomic_set32(busy, 0);
}

/* Pre-cleanup of the child pool, registered after the connection pools'
 * own, so it runs before them: from here on no maintenance starts, and
 * one that runs (mod_watchdog's thread is stopped only by a later
 * cleanup) is waited for, so the pools are not destroyed under it.  A
 * maintenance interrupted for good (prefork exits from a signal handler)
 * is waited for only briefly; the pools then stay, as its slots may be
 * in use. */
static apr_status_t ajplb_maintain_stop(void *data)
{
    apr_hash_index_t *hi;
    apr_pool_t *p = NULL;
    int i;

    for (i = 0; i < 100; i++) {
        if (apr_atomic_cas32(&ajplb_maint_busy, 1, 0) == 0) {
            return APR_SUCCESS;
        }
        apr_sleep(apr_time_from_msec(2));
    }
    for (hi = apr_hash_first(p, ajplb_global.rt); hi; hi = apr_hash_next(hi)) {
        ajplb_rt_worker_t *rt = apr_hash_this_val(hi);
        if (rt->pool != NULL) {
            ajplb_pool_abandon(rt->pool);
        }
    }
    return APR_SUCCESS;
}

void ajplb_maintain_child_exit(apr_pool_t *pchild)
{
    apr_pool_pre_cleanup_register(pchild, NULL, ajplb_maintain_stop);
}

static apr_status_t ajplb_watchdog(int state, void *data, apr_pool_t *pool)
{
    if (state == AP_WATCHDOG_STATE_RUNNING) {
        ajplb_maintain(apr_time_now());
    }
    return APR_SUCCESS;
}

/* JkWatchdogInterval > 0: a watchdog thread in every child runs the
 * maintenance; otherwise requests run it when it is due. */
apr_status_t ajplb_watchdog_setup(apr_pool_t *pconf, server_rec *s)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(s->module_config, &ajplb_module);
    ap_watchdog_t *wd;
    apr_status_t rv;

    ajplb_global.watchdog = 0;
    if (conf->watchdog_interval <= 0) {
        return APR_SUCCESS;
    }
    ajplb_wd_get = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    ajplb_wd_reg = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (ajplb_wd_get == NULL || ajplb_wd_reg == NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_WARNING, 0, s,
                     "mod_ajplb: JkWatchdogInterval needs mod_watchdog; "
                     "maintenance runs on requests instead");
        return APR_SUCCESS;
    }
    rv = ajplb_wd_get(&wd, "ajplb", 0, 0, pconf);
    if (rv == APR_SUCCESS) {
        rv = ajplb_wd_reg(wd, apr_time_from_sec(conf->watchdog_interval),
                          NULL, ajplb_watchdog);
    }
    if (rv == APR_SUCCESS) {
        ajplb_global.watchdog = 1;
    }
    return rv;
}

void ajplb_shm_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (ajplb_global.shm_base == NULL) {
        return;
    }
    /* The mapping is inherited from the parent; the index of slot names
     * holds process-local pointers, so each child builds its own. */
    rv = ajplb_shm_attach(pchild, ajplb_global.shm_base,
                          ajplb_global.shm_size, &ajplb_global.shm);
    if (rv != APR_SUCCESS) {
        ajplb_global.shm = NULL;
        ajplb_slog(s, AJPLB_LOG_ERROR, "cannot attach the shared memory "
                   "(%d); balancers will not work in this child", rv);
        return;
    }
    if (ajplb_global.mutex != NULL) {
        apr_global_mutex_child_init(&ajplb_global.mutex,
            apr_global_mutex_lockfile(ajplb_global.mutex), pchild);
    }
}
