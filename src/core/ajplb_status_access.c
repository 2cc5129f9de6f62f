/*
 * ajplb_status_access.c -- status worker core, part 6: the configtest
 * warning for a writable status worker that nothing protects (T-G8).
 * The module reads httpd's directive tree and `ajplb check` its own
 * reading of httpd.conf; both judge the <Location> sections and the
 * mounts here, so they warn in the same cases with the same text.
 * Core layer: APR only, never logs.
 */
#include <string.h>

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_status.h"

int ajplb_status_access_limits(const char *name, const char *args)
{
    const char *a = args ? args : "";
    apr_size_t n;

    while (apr_isspace(*a)) {
        a++;
    }
    /* httpd strips the blanks at the end of a line; a reader that does
     * not must not see "Allow from all " as a limit. */
    n = strlen(a);
    while (n > 0 && apr_isspace(a[n - 1])) {
        n--;
    }
    if (strcasecmp(name, "Require") == 0) {
        return strncasecmp(a, "all", 3) != 0
               || strncasecmp(a + 3 + strspn(a + 3, " \t"), "granted", 7)
                  != 0;
    }
    if (strcasecmp(name, "Deny") == 0) {
        return 1;
    }
    return strcasecmp(name, "Allow") == 0
           && (n != 8 || strncasecmp(a, "from all", 8) != 0);
}

int ajplb_status_access_covers(const char *arg, int regex, const char *path,
                               ajplb_status_regex_fn *re, void *ctx)
{
    apr_size_t len;

    if (arg == NULL || *arg == '\0') {
        return 0;
    }
    if (regex) {
        return re != NULL && re(ctx, arg, path);
    }
    if (strpbrk(arg, "*?[") != NULL) {
        return apr_fnmatch(arg, path, APR_FNM_PATHNAME) == APR_SUCCESS;
    }
    len = strlen(arg);
    return strncmp(arg, path, len) == 0
           && (len <= 1 || arg[len - 1] == '/' || path[len] == '/'
               || path[len] == '\0');
}

void ajplb_status_access_check(apr_pool_t *p, const ajplb_model_t *model,
                               const apr_array_header_t *rules,
                               ajplb_status_protected_fn *prot, void *ctx,
                               apr_hash_t *seen, ajplb_diags_t *d)
{
    int i;

    for (i = 0; model != NULL && rules != NULL && i < rules->nelts; i++) {
        const ajplb_uri_rule_t *rule =
            APR_ARRAY_IDX(rules, i, const ajplb_uri_rule_t *);
        const ajplb_worker_t *w;
        const char *path, *key;

        if (rule->disabled || rule->exclude
            || (w = ajplb_model_find(model, rule->worker)) == NULL
            || w->type != AJPLB_WORKER_STATUS || w->read_only
            || (w->users != NULL && w->users->nelts > 0)) {
            continue;
        }
        /* The part before the first wildcard: what a <Location> must
         * cover for every URI the mount takes. */
        path = apr_pstrndup(p, rule->pattern, strcspn(rule->pattern, "*?"));
        key = apr_psprintf(p, "%s:%d:%s", rule->file ? rule->file : "",
                           rule->line, path);
        if (apr_hash_get(seen, key, APR_HASH_KEY_STRING) != NULL
            || prot(ctx, path)) {
            continue;
        }
        apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
        ajplb_diag_add(d, AJPLB_DIAG_WARN, rule->file, rule->line,
            "status worker '%s' at '%s' may change the balancer "
            "(read_only=false) but nothing limits who reaches it: "
            "anyone who can send a request here can stop members; add "
            "<Location \"%s\"> with 'Require ip 127.0.0.1' (or "
            "authentication and 'Require valid-user'), or "
            "worker.%s.user=<names> with authentication, or set "
            "worker.%s.read_only=true", w->name, rule->pattern,
            *path ? path : "/", w->name, w->name);
    }
}
