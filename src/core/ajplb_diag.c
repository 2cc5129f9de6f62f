/*
 * ajplb_diag.c -- configuration diagnostics collector.
 * Core layer: APR only; the adapter decides where the text goes.
 */
#include <stdarg.h>

#include <apr_strings.h>

#include "ajplb_diag.h"

ajplb_diags_t *ajplb_diags_make(apr_pool_t *p)
{
    ajplb_diags_t *d = apr_pcalloc(p, sizeof(*d));

    d->pool = p;
    d->items = apr_array_make(p, 8, sizeof(ajplb_diag_t));
    return d;
}

void ajplb_diag_add(ajplb_diags_t *d, ajplb_diag_level_e level,
                    const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    ajplb_diag_t *diag = apr_array_push(d->items);

    va_start(ap, fmt);
    diag->msg = apr_pvsprintf(d->pool, fmt, ap);
    va_end(ap);
    diag->level = level;
    diag->file = file;
    diag->line = line;
    if (level == AJPLB_DIAG_ERROR) {
        d->errors++;
    }
    else {
        d->warnings++;
    }
}

const char *ajplb_diag_format(apr_pool_t *p, const ajplb_diag_t *diag)
{
    const char *kind = diag->level == AJPLB_DIAG_ERROR ? "error" : "warning";

    if (diag->file != NULL && diag->line > 0) {
        return apr_psprintf(p, "%s:%d: %s: %s", diag->file, diag->line,
                            kind, diag->msg);
    }
    if (diag->file != NULL) {
        return apr_psprintf(p, "%s: %s: %s", diag->file, kind, diag->msg);
    }
    return apr_psprintf(p, "%s: %s", kind, diag->msg);
}

const ajplb_diag_t *ajplb_diags_first_error(const ajplb_diags_t *d)
{
    int i;

    for (i = 0; i < d->items->nelts; i++) {
        const ajplb_diag_t *diag = &APR_ARRAY_IDX(d->items, i, ajplb_diag_t);
        if (diag->level == AJPLB_DIAG_ERROR) {
            return diag;
        }
    }
    return NULL;
}
