/*
 * ajplb_uri_map_model.c -- CORE: mount rules from workers.properties and
 * the mount-to-worker check (moved here from the httpd adapter so the
 * ajplb command gives the same diagnostics as configtest).
 */
#include <string.h>

#include "ajplb_uri_map_model.h"

void ajplb_uri_map_add_worker_mounts(ajplb_uri_map_t *map,
                                     const ajplb_model_t *model)
{
    int i, j;

    if (model == NULL) {
        return;
    }
    for (i = 0; i < model->list->nelts; i++) {
        const ajplb_worker_t *w =
            APR_ARRAY_IDX(model->list, i, const ajplb_worker_t *);
        const ajplb_prop_t *pr;

        if (w->mounts == NULL || w->mounts->nelts == 0) {
            continue;
        }
        pr = ajplb_model_prop(model, w, "mount");
        for (j = 0; j < w->mounts->nelts; j++) {
            ajplb_uri_map_add(map, AJPLB_URI_SRC_WORKERDEF,
                              APR_ARRAY_IDX(w->mounts, j, const char *),
                              w->name, 0, pr ? pr->file : NULL,
                              pr ? pr->line : 0);
        }
    }
}

/* mod_jk only logs a mount to an unknown worker and then never forwards;
 * we refuse to start. */
void ajplb_uri_map_check_workers(const ajplb_uri_map_t *map,
                                 const ajplb_model_t *model,
                                 ajplb_diags_t *d)
{
    const apr_array_header_t *rules = ajplb_uri_map_rules(map);
    int i;

    for (i = 0; i < rules->nelts; i++) {
        const ajplb_uri_rule_t *rule =
            APR_ARRAY_IDX(rules, i, const ajplb_uri_rule_t *);
        const ajplb_worker_t *w;

        if (rule->disabled || strcmp(rule->worker, "*") == 0) {
            continue;
        }
        w = model ? ajplb_model_find(model, rule->worker) : NULL;
        if (w == NULL || !w->in_list) {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, rule->file, rule->line,
                           "the mount '%s' names worker '%s', which %s; "
                           "define it in workers.properties and add it to "
                           "worker.list (e.g. worker.list=%s)",
                           rule->pattern, rule->worker,
                           w == NULL ? "is not defined"
                                     : "is not in worker.list",
                           rule->worker);
        }
    }
}
