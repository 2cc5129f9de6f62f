/*
 * ajplb_log.c -- mod_jk.log-shaped lines: stamp, [pid:tid], [level].
 * Core layer: APR only.  One formatted buffer, one write, per line;
 * control and non-ASCII bytes escaped so no input can forge a line.
 */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <apr_lib.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "ajplb_log.h"

static const char *const ajplb__log_names[] = {
    "trace", "debug", "info", "warn", "error", "emerg"
};

apr_status_t ajplb_log_level_parse(const char *s, ajplb_log_level_e *out)
{
    int i;

    for (i = 0; i <= AJPLB_LOG_EMERG; i++) {
        if (strcasecmp(s, ajplb__log_names[i]) == 0) {
            *out = (ajplb_log_level_e)i;
            return APR_SUCCESS;
        }
    }
    return APR_EINVAL;
}

const char *ajplb_log_level_name(ajplb_log_level_e level)
{
    if ((int)level < 0 || level > AJPLB_LOG_EMERG) {
        return "unknown";
    }
    return ajplb__log_names[level];
}

const char *ajplb_log_stamp_check(const char *fmt)
{
    const char *p;
    int sub = 0;

    if (strlen(fmt) > 63) {
        return "the format is longer than 63 characters";
    }
    for (p = fmt; *p; p++) {
        if (p[0] == '%' && (p[1] == 'Q' || p[1] == 'q')) {
            sub++;
        }
        if (p[0] == '%' && p[1] != '\0') {
            p++;
        }
    }
    if (sub > 1) {
        return "use %Q (milliseconds) or %q (microseconds) at most once";
    }
    return NULL;
}

apr_size_t ajplb_log_stamp(char *buf, apr_size_t size, const char *fmt,
                           apr_time_t t)
{
    char expanded[160];
    apr_size_t o = 0, len = 0;
    apr_time_exp_t tm;
    const char *p;

    /* Replace %Q / %q by the sub-second digits first; strftime does not
     * know them. */
    for (p = fmt; *p && o + 8 < sizeof(expanded); p++) {
        if (p[0] == '%' && p[1] == 'Q') {
            o += apr_snprintf(expanded + o, sizeof(expanded) - o, "%03d",
                              (int)(apr_time_usec(t) / 1000));
            p++;
        }
        else if (p[0] == '%' && p[1] == 'q') {
            o += apr_snprintf(expanded + o, sizeof(expanded) - o, "%06d",
                              (int)apr_time_usec(t));
            p++;
        }
        else if (p[0] == '%' && p[1] != '\0') {
            expanded[o++] = *p++;
            expanded[o++] = *p;
        }
        else {
            expanded[o++] = *p;
        }
    }
    expanded[o] = '\0';
    apr_time_exp_lt(&tm, t);
    if (apr_strftime(buf, &len, size, expanded, &tm) != APR_SUCCESS) {
        len = 0;
    }
    if (len >= size) {
        len = size - 1;
    }
    buf[len] = '\0';
    return len;
}

/* Bytes a log line must not carry as they are. */
static APR_INLINE int ajplb__log_bad(unsigned char c, int quote)
{
    return c < 0x20 || c >= 0x7f || c == '\\' || (quote && c == '"');
}

apr_size_t ajplb_log_escape(char *dst, apr_size_t room, const char *src,
                            apr_size_t len, int quote)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t i, o = 0;

    if (room == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char c;
        char esc[4];
        apr_size_t n = i;

        /* The common case: a run of clean bytes, one scan and one copy. */
        while (n < len && !ajplb__log_bad((unsigned char)src[n], quote)) {
            n++;
        }
        if (n > i) {
            if (n - i > room - 1 - o) {
                n = i + (room - 1 - o);
            }
            memcpy(dst + o, src + i, n - i);
            o += n - i;
            i = n;
            if (i >= len || o + 1 >= room) {
                break;
            }
        }
        c = (unsigned char)src[i];
        esc[0] = '\\';
        switch (c) {
        case '\n': esc[1] = 'n'; n = 2; break;
        case '\r': esc[1] = 'r'; n = 2; break;
        case '\t': esc[1] = 't'; n = 2; break;
        case '\\': esc[1] = '\\'; n = 2; break;
        case '"': esc[1] = '"'; n = 2; break;
        default:
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            n = 4;
        }
        if (o + n >= room) {
            break;
        }
        memcpy(dst + o, esc, n);
        o += n;
    }
    dst[o] = '\0';
    return o;
}

void ajplb_log_vwrite(const ajplb_log_t *log, ajplb_log_level_e level,
                      const char *id, const char *fmt, va_list ap)
{
    char buf[4096];
    apr_size_t n;
    int r;

    if (!ajplb_log_on(log, level)) {
        return;
    }
    n = ajplb_log_stamp(buf, sizeof(buf), log->stamp ? log->stamp
                                          : AJPLB_LOG_DEFAULT_STAMP,
                        apr_time_now());
    n += apr_snprintf(buf + n, sizeof(buf) - n, "[%" APR_PID_T_FMT ":%lu] "
                      "[%s] ", getpid(),
                      (unsigned long)apr_os_thread_current(),
                      ajplb_log_level_name(level));
    if (id != NULL && *id != '\0' && n < sizeof(buf)) {
        n += apr_snprintf(buf + n, sizeof(buf) - n, "[%s] ", id);
    }
    if (n < sizeof(buf) - 1) {
        apr_size_t m = n, i;
        r = apr_vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
        n += r > 0 ? (apr_size_t)r : 0;
        if (n > sizeof(buf) - 2) {
            n = sizeof(buf) - 2;
        }
        /* Most messages need nothing: scan first, escape only then. */
        for (i = m; i < n && !ajplb__log_bad((unsigned char)buf[i], 0);
             i++) {
        }
        if (i < n) {
            char esc[sizeof(buf)];
            n = i + ajplb_log_escape(esc, sizeof(buf) - 1 - i, buf + i,
                                     n - i, 0);
            memcpy(buf + i, esc, n - i);
        }
    }
    if (n > sizeof(buf) - 2) {
        n = sizeof(buf) - 2;
    }
    buf[n++] = '\n';
    apr_file_write_full(log->file, buf, n, NULL);
}

void ajplb_log_write(const ajplb_log_t *log, ajplb_log_level_e level,
                     const char *id, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ajplb_log_vwrite(log, level, id, fmt, ap);
    va_end(ap);
}

void ajplb_log_raw(const ajplb_log_t *log, const char *line, apr_size_t len)
{
    if (log != NULL && log->file != NULL) {
        apr_file_write_full(log->file, line, len, NULL);
    }
}
