/*
 * ajplb_diag.h -- configuration diagnostics: errors and warnings that name
 * the file and line they came from, collected by the core and printed by the
 * adapter.  Core layer: APR only, never logs.
 */
#ifndef AJPLB_DIAG_H
#define AJPLB_DIAG_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef enum {
    AJPLB_DIAG_WARN,
    AJPLB_DIAG_ERROR
} ajplb_diag_level_e;

typedef struct {
    ajplb_diag_level_e level;
    const char *file;           /* NULL when not tied to a file */
    int line;                   /* 0 when not tied to a line */
    const char *msg;            /* cause, then what to write instead */
} ajplb_diag_t;

typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *items;  /* of ajplb_diag_t */
    int errors;
    int warnings;
} ajplb_diags_t;

/** A new, empty collector allocated from @a p. */
ajplb_diags_t *ajplb_diags_make(apr_pool_t *p);

/**
 * Record one diagnostic.  The message is formatted into the collector's
 * pool; @a file must outlive the collector (it is not copied).
 */
void ajplb_diag_add(ajplb_diags_t *d, ajplb_diag_level_e level,
                    const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/**
 * "file:line: error: msg" (or "warning:"), allocated from @a p.  This is
 * the one place the text shape is decided, so httpd's output, the unit
 * tests and the docs agree.
 */
const char *ajplb_diag_format(apr_pool_t *p, const ajplb_diag_t *diag);

/** The first error, or NULL when there is none. */
const ajplb_diag_t *ajplb_diags_first_error(const ajplb_diags_t *d);

#endif /* AJPLB_DIAG_H */
