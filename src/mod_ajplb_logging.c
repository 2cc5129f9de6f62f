/*
 * mod_ajplb_logging.c -- ADAPTER: opens JkLogFile (a file or a |piped
 * program) in the parent, and the per-request/per-server log helpers that
 * write mod_jk.log-shaped lines through the core's ajplb_log.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include <apr_hash.h>
#include <apr_strings.h>

#include "mod_ajplb.h"

APLOG_USE_MODULE(ajplb);

/* Open every distinct JkLogFile once (virtual hosts with the same path
 * share one descriptor), before httpd drops root. */
apr_status_t ajplb_open_logs(apr_pool_t *pconf, server_rec *s)
{
    apr_hash_t *open = apr_hash_make(pconf);
    server_rec *vs;

    for (vs = s; vs != NULL; vs = vs->next) {
        ajplb_srv_conf_t *conf =
            ap_get_module_config(vs->module_config, &ajplb_module);
        const char *path = conf->log_file;
        apr_file_t *f;
        ajplb_log_t *log;

        if (path == NULL) {
            path = ap_server_root_relative(pconf, "logs/mod_jk.log");
        }
        f = apr_hash_get(open, path, APR_HASH_KEY_STRING);
        if (f == NULL) {
            apr_status_t rv;

            if (path[0] == '|') {
                piped_log *pl = ap_open_piped_log(pconf, path + 1);
                if (pl == NULL) {
                    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                                 "mod_ajplb: cannot start the JkLogFile "
                                 "program '%s'", path + 1);
                    return APR_EGENERAL;
                }
                f = ap_piped_log_write_fd(pl);
            }
            else {
                rv = apr_file_open(&f, path, APR_FOPEN_WRITE
                                   | APR_FOPEN_CREATE | APR_FOPEN_APPEND,
                                   APR_FPROT_OS_DEFAULT, pconf);
                if (rv != APR_SUCCESS) {
                    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, rv, s,
                                 "mod_ajplb: cannot open JkLogFile '%s': "
                                 "check the directory exists and is "
                                 "writable", path);
                    return rv;
                }
            }
            apr_hash_set(open, path, APR_HASH_KEY_STRING, f);
        }
        log = apr_pcalloc(pconf, sizeof(*log));
        log->file = f;
        log->level = conf->log_level == AJPLB_UNSET
                     ? AJPLB_LOG_INFO : (ajplb_log_level_e)conf->log_level;
        log->stamp = conf->log_stamp;
        conf->log = log;
    }
    return APR_SUCCESS;
}

static void ajplb_vlog(server_rec *s, request_rec *r, ajplb_log_level_e level,
                       const char *fmt, va_list ap)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(s->module_config, &ajplb_module);
    const char *id = NULL;

    if (conf->log == NULL || conf->log->file == NULL) {
        /* Before post_config (or when the log could not be opened):
         * httpd's error log still gets errors. */
        if (level >= AJPLB_LOG_WARN) {
            char buf[1024];
            apr_vsnprintf(buf, sizeof(buf), fmt, ap);
            ap_log_error(APLOG_MARK, level >= AJPLB_LOG_ERROR ? APLOG_ERR
                         : APLOG_WARNING, 0, s, "mod_ajplb: %s", buf);
        }
        return;
    }
    if (!ajplb_log_on(conf->log, level)) {
        return;
    }
    if (r != NULL) {
        id = apr_table_get(r->subprocess_env,
                           ajplb_env_name(conf, AJPLB_ENV_REQUEST_ID));
    }
    ajplb_log_vwrite(conf->log, level, id, fmt, ap);
}

void ajplb_rlog(request_rec *r, ajplb_log_level_e level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ajplb_vlog(r->server, r, level, fmt, ap);
    va_end(ap);
}

void ajplb_slog(server_rec *s, ajplb_log_level_e level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ajplb_vlog(s, NULL, level, fmt, ap);
    va_end(ap);
}
