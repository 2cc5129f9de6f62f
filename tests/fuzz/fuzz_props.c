/*
 * fuzz_props.c -- libFuzzer target for the workers.properties reader and
 * the worker model builder: any bytes must give diagnostics, never a
 * crash, a leak past the pool or unbounded memory.
 */
#include <stdint.h>
#include <stdlib.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "ajplb_config.h"

static int ajplb__fuzz_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ajplb_diags_t *diags;
    ajplb_props_t *pr;
    ajplb_model_t *model = NULL;
    ajplb_model_defaults_t defs = {300, 25};
    int i;

    if (!ajplb__fuzz_ready) {
        apr_initialize();
        atexit(apr_terminate);
        ajplb__fuzz_ready = 1;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return 0;
    }
    diags = ajplb_diags_make(p);
    pr = ajplb_props_make(p, diags);
    (void)ajplb_props_read_buffer(pr, (const char *)data, size, "fuzz");
    (void)ajplb_model_build(p, pr, &defs, diags, &model);
    /* Render every message: format strings and file:line must hold. */
    for (i = 0; i < diags->items->nelts; i++) {
        (void)ajplb_diag_format(p, &APR_ARRAY_IDX(diags->items, i,
                                                  ajplb_diag_t));
    }
    /* Walk the model the way the adapter will. */
    if (model != NULL) {
        for (i = 0; i < model->workers->nelts; i++) {
            ajplb_worker_t *w = APR_ARRAY_IDX(model->workers, i,
                                              ajplb_worker_t *);
            int j;
            for (j = 0; ajplb_lb_member(w, j) != NULL; j++) {
                (void)ajplb_lb_member(w, j)->route;
            }
        }
    }
    apr_pool_destroy(p);
    return 0;
}
