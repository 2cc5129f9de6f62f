/*
 * ajplb_uri_map.c -- JkMount rule map: rule syntax ('!', '-', '|'),
 * conflicts between rules, priority order and the match entry point.
 * Core layer: APR only.  Built once, then read-only (see docs/MAPPING.md
 * for how a reload swaps maps).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "ajplb_uri.h"
#include "ajplb_uri_map.h"

struct ajplb_uri_map_t {
    apr_pool_t *pool;
    ajplb_diags_t *diags;
    apr_array_header_t *rules;      /* of ajplb_uri_rule_t * */
    apr_hash_t *seen;               /* source+kind+pattern -> rule */
    int errors;                     /* errors recorded for this map */
    int seq;
    int built;
    ajplb_uri_index_t *mounts;
    ajplb_uri_index_t *excludes;
};

ajplb_uri_map_t *ajplb_uri_map_make(apr_pool_t *p, ajplb_diags_t *diags)
{
    ajplb_uri_map_t *m = apr_pcalloc(p, sizeof(*m));

    m->pool = p;
    m->diags = diags;
    m->rules = apr_array_make(p, 16, sizeof(ajplb_uri_rule_t *));
    m->seen = apr_hash_make(p);
    return m;
}

void ajplb_uri_map_diag(ajplb_uri_map_t *m, ajplb_diag_level_e level,
                        const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(m->pool, fmt, ap);
    va_end(ap);
    ajplb_diag_add(m->diags, level, file, line, "%s", msg);
    if (level == AJPLB_DIAG_ERROR) {
        m->errors++;
    }
}

const char *ajplb_uri_map_copy_name(ajplb_uri_map_t *m, const char *s)
{
    return apr_pstrdup(m->pool, s);
}

static const char *ajplb__map_source_name(ajplb_uri_source_e src)
{
    switch (src) {
    case AJPLB_URI_SRC_WORKERDEF:
        return "workers.properties mount";
    case AJPLB_URI_SRC_JKMOUNT:
        return "JkMount";
    default:
        return "mount file";
    }
}

/* Store a rule unless it repeats one of the same source (T-C15: one
 * pattern, one worker per source; a repeat with the same worker is only
 * a warning).  Exclusions are keyed with their worker, because excluding
 * one pattern for two workers is meaningful. */
static apr_status_t ajplb__map_insert(ajplb_uri_map_t *m,
                                      ajplb_uri_rule_t *r)
{
    const char *key;
    const ajplb_uri_rule_t *old;

    if (!r->disabled) {
        key = r->exclude
            ? apr_psprintf(m->pool, "%d!%s\n%s", (int)r->source,
                           r->pattern, r->worker)
            : apr_psprintf(m->pool, "%d=%s", (int)r->source, r->pattern);
        old = apr_hash_get(m->seen, key, APR_HASH_KEY_STRING);
        if (old != NULL && strcmp(old->worker, r->worker) != 0) {
            ajplb_diag_add(m->diags, AJPLB_DIAG_ERROR, r->file, r->line,
                           "%s pattern '%s' is mapped to worker '%s' here "
                           "and to '%s' at %s:%d; one pattern can go to "
                           "one worker only (use an lb worker to share)",
                           ajplb__map_source_name(r->source), r->pattern,
                           r->worker, old->worker,
                           old->file ? old->file : "?", old->line);
            return AJPLB_ECONFIG;
        }
        if (old != NULL) {
            ajplb_diag_add(m->diags, AJPLB_DIAG_WARN, r->file, r->line,
                           "%s '%s%s=%s' repeats %s:%d; this one is "
                           "ignored", ajplb__map_source_name(r->source),
                           r->exclude ? "!" : "", r->pattern, r->worker,
                           old->file ? old->file : "?", old->line);
            return APR_SUCCESS;
        }
        apr_hash_set(m->seen, key, APR_HASH_KEY_STRING, r);
    }
    r->seq = m->seq++;
    APR_ARRAY_PUSH(m->rules, ajplb_uri_rule_t *) = r;
    return APR_SUCCESS;
}

/* Text that a normalised path can never contain, so a pattern holding it
 * is dead; warn instead of silently never matching. */
static const char *ajplb__map_dead_text(const char *pat, apr_size_t len)
{
    if (strchr(pat, ';') != NULL) {
        return "';' (path parameters are removed before matching)";
    }
    if (strstr(pat, "//") != NULL) {
        return "'//' (slashes are collapsed before matching)";
    }
    if (strstr(pat, "/./") != NULL || strstr(pat, "/../") != NULL
        || (len >= 2 && strcmp(pat + len - 2, "/.") == 0)
        || (len >= 3 && strcmp(pat + len - 3, "/..") == 0)) {
        return "a '.' or '..' segment (they are resolved before matching)";
    }
    return NULL;
}

/* One pattern (prefixes already removed); "a|b" recurses into "a" and
 * "ab", which itself may hold another '|'. */
static apr_status_t ajplb__map_add_pattern(ajplb_uri_map_t *m,
                                           const ajplb_uri_rule_t *tmpl,
                                           const char *pat, int literal)
{
    ajplb_uri_rule_t *r;
    const char *bar = literal ? NULL : strchr(pat, '|'), *dead, *s;
    apr_status_t rv, rv2;

    if (bar != NULL) {
        const char *a = apr_pstrmemdup(m->pool, pat, (apr_size_t)(bar - pat));
        rv = ajplb__map_add_pattern(m, tmpl, a, 0);
        rv2 = ajplb__map_add_pattern(m, tmpl,
                                     apr_pstrcat(m->pool, a, bar + 1, NULL),
                                     0);
        return rv != APR_SUCCESS ? rv : rv2;
    }
    if (pat[0] != '/') {
        ajplb_diag_add(m->diags, AJPLB_DIAG_ERROR, tmpl->file, tmpl->line,
                       "mount pattern '%s' does not begin with '/'; write "
                       "'/%s'%s", pat, pat,
                       pat[0] == '*' ? " (a suffix mount matches in every "
                       "directory)" : "");
        return AJPLB_ECONFIG;
    }
    r = apr_pmemdup(m->pool, tmpl, sizeof(*r));
    r->pattern = apr_pstrdup(m->pool, pat);
    r->len = strlen(pat);
    r->wildcard = !literal && strpbrk(pat, "*?") != NULL;
    r->slashes = 0;
    for (s = pat; *s; s++) {
        r->slashes += *s == '/';
    }
    dead = ajplb__map_dead_text(pat, r->len);
    if (dead != NULL && !r->disabled) {
        ajplb_diag_add(m->diags, AJPLB_DIAG_WARN, r->file, r->line,
                       "mount pattern '%s' can never match: it contains %s",
                       pat, dead);
    }
    return ajplb__map_insert(m, r);
}

apr_status_t ajplb_uri_map_add(ajplb_uri_map_t *m, ajplb_uri_source_e src,
                               const char *pattern, const char *target,
                               int flags, const char *file, int line)
{
    ajplb_uri_rule_t tmpl;
    const char *pat = pattern;
    int before = m->diags->errors;
    apr_status_t rv;

    if (m->built) {
        return AJPLB_EMAPBUILT;
    }
    memset(&tmpl, 0, sizeof(tmpl));
    tmpl.source = src;
    tmpl.file = file;
    tmpl.line = line;
    tmpl.exclude = (flags & AJPLB_URI_RULE_UNMOUNT) != 0;
    if (!(flags & AJPLB_URI_RULE_LITERAL)) {
        if (*pat == '-') {
            tmpl.disabled = 1;
            pat++;
        }
        if (*pat == '!') {
            tmpl.exclude = 1;
            pat++;
        }
    }
    rv = ajplb_uri_ext_parse(m->pool, target, &tmpl.worker, &tmpl.ext,
                             m->diags, file, line);
    if (rv == APR_SUCCESS && !tmpl.exclude && strcmp(tmpl.worker, "*") == 0) {
        ajplb_diag_add(m->diags, AJPLB_DIAG_ERROR, file, line,
                       "mount '%s' needs a worker name: '*' means \"any "
                       "worker\" only in an exclusion ('!' or JkUnMount)",
                       pattern);
        rv = AJPLB_ECONFIG;
    }
    if (rv == APR_SUCCESS) {
        rv = ajplb__map_add_pattern(m, &tmpl, pat,
                                    (flags & AJPLB_URI_RULE_LITERAL) != 0);
    }
    m->errors += m->diags->errors - before;
    return rv;
}

static apr_array_header_t *ajplb__map_dup_list(apr_pool_t *p,
                                               const apr_array_header_t *a,
                                               int strings)
{
    apr_array_header_t *c;
    int i;

    if (a == NULL) {
        return NULL;
    }
    c = apr_array_copy(p, a);
    for (i = 0; strings && i < c->nelts; i++) {
        APR_ARRAY_IDX(c, i, const char *) =
            apr_pstrdup(p, APR_ARRAY_IDX(c, i, const char *));
    }
    return c;
}

apr_status_t ajplb_uri_map_copy_source(ajplb_uri_map_t *m,
                                       const ajplb_uri_map_t *from,
                                       ajplb_uri_source_e src)
{
    apr_pool_t *p = m->pool;
    apr_status_t rv = APR_SUCCESS;
    int i, before = m->diags->errors;

    if (m->built) {
        return AJPLB_EMAPBUILT;
    }
    /* Deep copy: the old map's pool may be destroyed once the new map is
     * published.  File names come from the configuration and outlive
     * both. */
    for (i = 0; i < from->rules->nelts; i++) {
        const ajplb_uri_rule_t *o = APR_ARRAY_IDX(from->rules, i,
                                                  ajplb_uri_rule_t *);
        ajplb_uri_rule_t *r;

        if (o->source != src) {
            continue;
        }
        r = apr_pmemdup(p, o, sizeof(*r));
        r->pattern = apr_pstrdup(p, o->pattern);
        r->worker = apr_pstrdup(p, o->worker);
        r->ext.active = ajplb__map_dup_list(p, o->ext.active, 1);
        r->ext.disabled = ajplb__map_dup_list(p, o->ext.disabled, 1);
        r->ext.stopped = ajplb__map_dup_list(p, o->ext.stopped, 1);
        r->ext.fail_on_status = ajplb__map_dup_list(p, o->ext.fail_on_status,
                                                    0);
        r->ext.session_cookie = apr_pstrdup(p, o->ext.session_cookie);
        r->ext.session_path = apr_pstrdup(p, o->ext.session_path);
        r->ext.session_cookie_path = apr_pstrdup(p,
                                                 o->ext.session_cookie_path);
        if (ajplb__map_insert(m, r) != APR_SUCCESS) {
            rv = AJPLB_ECONFIG;
        }
    }
    m->errors += m->diags->errors - before;
    return rv;
}

/* mod_jk's order: more '/' first, then the longer pattern, then the
 * higher source; then (where mod_jk's qsort leaves it undefined) exact
 * before wildcard and the earlier definition first, so the order is
 * total and the same on every start. */
static int ajplb__map_rule_cmp(const void *a, const void *b)
{
    const ajplb_uri_rule_t *x = *(const ajplb_uri_rule_t *const *)a;
    const ajplb_uri_rule_t *y = *(const ajplb_uri_rule_t *const *)b;

    if (x->slashes != y->slashes) {
        return x->slashes > y->slashes ? -1 : 1;
    }
    if (x->len != y->len) {
        return x->len > y->len ? -1 : 1;
    }
    if (x->source != y->source) {
        return x->source > y->source ? -1 : 1;
    }
    if (x->wildcard != y->wildcard) {
        return x->wildcard ? 1 : -1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

apr_status_t ajplb_uri_map_build(ajplb_uri_map_t *m)
{
    apr_array_header_t *mounts, *excludes;
    apr_hash_t *workers;
    int i;

    if (m->built) {
        return AJPLB_EMAPBUILT;
    }
    qsort(m->rules->elts, (size_t)m->rules->nelts,
          sizeof(ajplb_uri_rule_t *), ajplb__map_rule_cmp);

    mounts = apr_array_make(m->pool, m->rules->nelts + 1,
                            sizeof(ajplb_uri_rule_t *));
    excludes = apr_array_make(m->pool, 4, sizeof(ajplb_uri_rule_t *));
    workers = apr_hash_make(m->pool);
    for (i = 0; i < m->rules->nelts; i++) {
        ajplb_uri_rule_t *r = APR_ARRAY_IDX(m->rules, i, ajplb_uri_rule_t *);

        if (r->disabled) {
            continue;
        }
        if (r->exclude) {
            APR_ARRAY_PUSH(excludes, ajplb_uri_rule_t *) = r;
        }
        else {
            APR_ARRAY_PUSH(mounts, ajplb_uri_rule_t *) = r;
            apr_hash_set(workers, r->worker, APR_HASH_KEY_STRING, r);
        }
    }
    /* T-C16: an exclusion only vetoes a match of its own worker, so one
     * naming a worker no mount uses is almost surely a typo. */
    for (i = 0; i < excludes->nelts; i++) {
        ajplb_uri_rule_t *r = APR_ARRAY_IDX(excludes, i, ajplb_uri_rule_t *);

        if (strcmp(r->worker, "*") != 0
            && apr_hash_get(workers, r->worker, APR_HASH_KEY_STRING) == NULL) {
            ajplb_diag_add(m->diags, AJPLB_DIAG_WARN, r->file, r->line,
                           "exclusion '%s' names worker '%s', which no "
                           "mount uses, so it never applies; use the "
                           "mounted worker's name or '*'", r->pattern,
                           r->worker);
        }
    }
    m->mounts = ajplb_uri_index_make(m->pool, mounts);
    m->excludes = ajplb_uri_index_make(m->pool, excludes);
    m->built = 1;
    return m->errors > 0 ? AJPLB_ECONFIG : APR_SUCCESS;
}

const ajplb_uri_rule_t *ajplb_uri_map_match(const ajplb_uri_map_t *m,
                                            const char *uri,
                                            const ajplb_uri_rule_t
                                            **excluded_by)
{
    const ajplb_uri_rule_t *win, *veto;

    if (excluded_by != NULL) {
        *excluded_by = NULL;
    }
    if (m == NULL || !m->built || uri == NULL || uri[0] != '/') {
        return NULL;
    }
    win = ajplb_uri_index_find(m->mounts, uri, NULL);
    if (win == NULL) {
        return NULL;
    }
    veto = ajplb_uri_index_find(m->excludes, uri, win->worker);
    if (veto != NULL) {
        if (excluded_by != NULL) {
            *excluded_by = veto;
        }
        return NULL;
    }
    return win;
}

const apr_array_header_t *ajplb_uri_map_rules(const ajplb_uri_map_t *m)
{
    return m->rules;
}
