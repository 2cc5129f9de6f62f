/*
 * ajplb_props_ref.c -- worker.X.reference=worker.Y templates: copy the
 * properties of Y that X does not set, following chains up to
 * AJPLB_PROPS_REF_DEPTH and refusing cycles with their path.
 * Core layer: APR only, never logs.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_props.h"
#include "ajplb_config.h"

static apr_status_t ajplb__ref_error(ajplb_props_t *pr,
                                     const ajplb_prop_t *at,
                                     const char *msg)
{
    ajplb_diag_add(pr->diags, AJPLB_DIAG_ERROR, at->file, at->line, "%s",
                   msg);
    pr->errors++;
    return AJPLB_ECONFIG;
}

/* "a -> b -> c" from the names on @a path starting at @a from, then
 * @a last. */
static const char *ajplb__ref_path(apr_pool_t *p,
                                   const apr_array_header_t *path,
                                   int from, const char *last)
{
    const char *s = "";
    int i;

    for (i = from; i < path->nelts; i++) {
        s = apr_pstrcat(p, s, APR_ARRAY_IDX(path, i, const char *), " -> ",
                        NULL);
    }
    return apr_pstrcat(p, s, last, NULL);
}

/* Copy @a from's properties that @a to lacks. */
static void ajplb__ref_copy(ajplb_props_t *pr, ajplb_props_worker_t *to,
                            const ajplb_props_worker_t *from)
{
    int i;

    for (i = 0; i < from->props->nelts; i++) {
        const ajplb_prop_t *src = APR_ARRAY_IDX(from->props, i,
                                                ajplb_prop_t *);
        const char *key = apr_pstrcat(pr->pool, "worker.", to->name, ".",
                                      src->attr, NULL);
        ajplb_prop_t *dst;

        if (apr_hash_get(pr->index, key, APR_HASH_KEY_STRING) != NULL) {
            continue;
        }
        dst = apr_pmemdup(pr->pool, src, sizeof(*dst));
        dst->key = key;
        dst->worker = to->name;
        dst->inherited_from = src->inherited_from ? src->inherited_from
                                                  : from->name;
        apr_hash_set(pr->index, key, APR_HASH_KEY_STRING, dst);
        APR_ARRAY_PUSH(pr->order, ajplb_prop_t *) = dst;
        APR_ARRAY_PUSH(to->props, ajplb_prop_t *) = dst;
    }
}

static apr_status_t ajplb__ref_resolve(ajplb_props_t *pr,
                                       ajplb_props_worker_t *b,
                                       apr_array_header_t *path)
{
    const ajplb_prop_t *ref;
    ajplb_props_worker_t *target;
    const char *tname;
    char *t;
    apr_status_t rv;
    int i;

    if (b->ref_state == 2) {
        return APR_SUCCESS;
    }
    if (b->ref_state == 1) {
        /* b is on the path: the cycle starts where b was pushed. */
        const ajplb_prop_t *at;
        for (i = 0; i < path->nelts; i++) {
            if (strcmp(APR_ARRAY_IDX(path, i, const char *), b->name) == 0) {
                break;
            }
        }
        at = ajplb_props_worker_get(pr, APR_ARRAY_IDX(path, path->nelts - 1,
                                                      const char *),
                                    "reference");
        return ajplb__ref_error(pr, at, apr_psprintf(pr->pool,
            "reference cycle %s; a template must not refer back to a "
            "worker that uses it: remove one of the reference= lines",
            ajplb__ref_path(pr->pool, path, i, b->name)));
    }
    ref = ajplb_props_worker_get(pr, b->name, "reference");
    if (ref == NULL) {
        b->ref_state = 2;
        return APR_SUCCESS;
    }
    if (path->nelts >= AJPLB_PROPS_REF_DEPTH) {
        b->ref_state = 2;
        return ajplb__ref_error(pr, ref, apr_psprintf(pr->pool,
            "reference chain deeper than %d (%s -> ...); flatten the "
            "templates", AJPLB_PROPS_REF_DEPTH,
            ajplb__ref_path(pr->pool, path, 0, b->name)));
    }
    if (strncmp(ref->value, "worker.", 7) != 0) {
        b->ref_state = 2;
        return ajplb__ref_error(pr, ref, apr_psprintf(pr->pool,
            "reference '%s' does not name a worker; write "
            "worker.%s.reference=worker.<template name>", ref->value,
            b->name));
    }
    t = apr_pstrdup(pr->pool, ref->value + 7);
    if (*t != '\0' && t[strlen(t) - 1] == '.') {
        t[strlen(t) - 1] = '\0';
    }
    tname = t;
    target = apr_hash_get(pr->windex, tname, APR_HASH_KEY_STRING);
    if (target == NULL) {
        b->ref_state = 2;
        return ajplb__ref_error(pr, ref, apr_psprintf(pr->pool,
            "reference target '%s' is not defined (no worker.%s.* "
            "property); define the template or fix the name", ref->value,
            tname));
    }
    b->ref_state = 1;
    APR_ARRAY_PUSH(path, const char *) = b->name;
    rv = ajplb__ref_resolve(pr, target, path);
    (void)apr_array_pop(path);
    b->ref_state = 2;
    if (rv == APR_SUCCESS) {
        ajplb__ref_copy(pr, b, target);
    }
    return rv;
}

apr_status_t ajplb_props_resolve(ajplb_props_t *pr)
{
    apr_array_header_t *path;
    apr_status_t status = APR_SUCCESS;
    int i, n;

    if (pr->resolved) {
        ajplb_props_mark_sensitive(pr);
        return APR_SUCCESS;
    }
    pr->resolved = 1;
    path = apr_array_make(pr->pool, AJPLB_PROPS_REF_DEPTH + 1,
                          sizeof(const char *));
    /* Copying adds properties, never workers, so the count is fixed. */
    n = pr->workers->nelts;
    for (i = 0; i < n; i++) {
        ajplb_props_worker_t *b = APR_ARRAY_IDX(pr->workers, i,
                                                ajplb_props_worker_t *);
        if (ajplb__ref_resolve(pr, b, path) != APR_SUCCESS) {
            status = AJPLB_ECONFIG;
        }
    }
    /* Copies share their template's refs, so marking after the copy
     * reaches them too. */
    ajplb_props_mark_sensitive(pr);
    return status;
}
