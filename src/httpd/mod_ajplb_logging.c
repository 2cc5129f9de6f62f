/*
 * mod_ajplb_logging.c -- ADAPTER: opens JkLogFile (a file or a |piped
 * program) in the parent, and the per-request/per-server log helpers that
 * write mod_jk.log-shaped lines through the core's ajplb_log.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
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

/* One JkRequestLogFormat line for a request this module served. */
int ajplb_log_request(request_rec *r)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(r->server->module_config, &ajplb_module);
    const char *fmt = conf->request_log_format;
    const char *worker = apr_table_get(r->notes, "JK_WORKER_NAME");
    const char *member, *p;
    char line[4096];
    apr_size_t n;
    apr_time_t took = apr_time_now() - r->request_time;

    if (fmt == NULL || worker == NULL || conf->log == NULL
        || conf->log->file == NULL) {
        return DECLINED;
    }
    member = apr_table_get(r->notes, "JK_WORKER_ROUTE");
    n = ajplb_log_stamp(line, sizeof(line), conf->log->stamp
                        ? conf->log->stamp : AJPLB_LOG_DEFAULT_STAMP,
                        apr_time_now());
    for (p = fmt; *p && n < sizeof(line) - 2; p++) {
        const char *v = NULL;
        char num[64];

        if (*p != '%' || p[1] == '\0') {
            line[n++] = *p;
            continue;
        }
        switch (*++p) {
        case 'b':
            v = r->bytes_sent ? apr_off_t_toa(r->pool, r->bytes_sent) : "-";
            break;
        case 'B':
            v = apr_off_t_toa(r->pool, r->bytes_sent);
            break;
        case 'H':
            v = r->protocol;
            break;
        case 'm':
            v = r->method;
            break;
        case 'p':
            apr_snprintf(num, sizeof(num), "%u", ap_get_server_port(r));
            v = num;
            break;
        case 'q':
            v = r->args ? apr_pstrcat(r->pool, "?", r->args, NULL) : "";
            break;
        case 'r':
            v = r->the_request;
            break;
        case 's':
            apr_snprintf(num, sizeof(num), "%d", r->status);
            v = num;
            break;
        case 'T':
            apr_snprintf(num, sizeof(num), "%" APR_TIME_T_FMT ".%06"
                         APR_TIME_T_FMT, apr_time_sec(took),
                         apr_time_usec(took));
            v = num;
            break;
        case 'U':
            v = r->uri;
            break;
        case 'v':
            v = r->server->server_hostname;
            break;
        case 'V':
            v = ap_get_server_name(r);
            break;
        case 'w':
            v = worker;
            break;
        case 'R':
            v = member ? member : worker;
            break;
        case '%':
            v = "%";
            break;
        default:
            line[n++] = '%';
            line[n++] = *p;
            continue;
        }
        if (v == NULL) {
            v = "-";
        }
        /* Fields come from the client (%r, %U, %q, %V): escaped as in
         * httpd's access log, so a decoded %0a cannot forge a line. */
        n += ajplb_log_escape(line + n, sizeof(line) - n - 1, v, strlen(v),
                              1);
    }
    line[n++] = '\n';
    ajplb_log_raw(conf->log, line, n);
    return OK;
}
