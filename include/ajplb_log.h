/*
 * ajplb_log.h -- the mod_jk.log-shaped log: levels, the JkLogStampFormat
 * time stamp (with mod_jk's %Q milliseconds and %q microseconds), and one
 * write per line.  Core layer: APR only; the adapter opens the file or pipe.
 */
#ifndef AJPLB_LOG_H
#define AJPLB_LOG_H

#include <apr_file_io.h>
#include <apr_pools.h>
#include <apr_time.h>

#include "ajplb_common.h"

typedef enum {
    AJPLB_LOG_TRACE = 0,
    AJPLB_LOG_DEBUG,
    AJPLB_LOG_INFO,
    AJPLB_LOG_WARN,
    AJPLB_LOG_ERROR,
    AJPLB_LOG_EMERG
} ajplb_log_level_e;

#define AJPLB_LOG_DEFAULT_STAMP "[%a %b %d %H:%M:%S.%Q %Y] "

typedef struct {
    apr_file_t *file;           /* NULL: logging off */
    ajplb_log_level_e level;
    const char *stamp;          /* strftime format with %Q / %q */
} ajplb_log_t;

/**
 * Parse a JkLogLevel word (trace, debug, info, warn, error, emerg; any
 * case).  @return APR_SUCCESS or APR_EINVAL.
 */
apr_status_t ajplb_log_level_parse(const char *s, ajplb_log_level_e *out);

/** "trace" .. "emerg". */
const char *ajplb_log_level_name(ajplb_log_level_e level);

/**
 * Check a JkLogStampFormat: at most 63 characters, and at most one of
 * %Q / %q.  @return NULL when valid, else why not (static text).
 */
const char *ajplb_log_stamp_check(const char *fmt);

/**
 * Format the stamp for @a t into @a buf (always NUL-terminated).
 * @return the length written.
 */
apr_size_t ajplb_log_stamp(char *buf, apr_size_t size, const char *fmt,
                           apr_time_t t);

/** 1 when a message at @a level would be written: test before formatting. */
#define ajplb_log_on(log, lvl) \
    ((log) != NULL && (log)->file != NULL && (lvl) >= (log)->level)

/**
 * Write one line: "<stamp>[pid:tid] [level] [id] message\n".  @a id is the
 * request id (mod_unique_id) or NULL.  Formats into a stack buffer and
 * writes it with one call, so lines from several processes do not mix
 * (O_APPEND files and pipes under PIPE_BUF).  Long messages are cut.
 * The message is escaped as ajplb_log_escape() does (quotes kept): a
 * decoded URI with %0a in it cannot write a line of its own.
 */
void ajplb_log_write(const ajplb_log_t *log, ajplb_log_level_e level,
                     const char *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Same with a va_list. */
void ajplb_log_vwrite(const ajplb_log_t *log, ajplb_log_level_e level,
                      const char *id, const char *fmt, va_list ap);

/**
 * Copy @a len bytes of @a src into @a dst (@a room bytes, NUL-terminated)
 * escaped the way httpd's access log escapes a field, so no input can
 * start a new line or forge one: \\n \\r \\t \\\\, other control
 * characters and bytes >= 0x7f as \\xNN, and with @a quote also \\".
 * Text that needs no escape is copied as is.  An escape is never cut in
 * half when @a room runs out.  @return the bytes written (without NUL)
 */
apr_size_t ajplb_log_escape(char *dst, apr_size_t room, const char *src,
                            apr_size_t len, int quote);

/** Write @a line (no newline added) as is: JkRequestLogFormat lines. */
void ajplb_log_raw(const ajplb_log_t *log, const char *line, apr_size_t len);

#endif /* AJPLB_LOG_H */
