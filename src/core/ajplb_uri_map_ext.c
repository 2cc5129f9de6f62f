/*
 * ajplb_uri_map_ext.c -- "worker;name=value;..." rule targets: the worker
 * name and the per-rule extensions that override the worker's settings.
 * Core layer: APR only; problems go to the diagnostics collector.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_uri_map.h"

static char *ajplb__ext_trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) {
        *--e = '\0';
    }
    return s;
}

/* Strict decimal: an optional '-', digits only, range checked against
 * [min, max]; "12x", "", " 5" and overflow are all refused. */
static int ajplb__ext_int(const char *s, long min, long max, int *out)
{
    char *end;
    long v;

    if (!((s[0] >= '0' && s[0] <= '9')
          || (s[0] == '-' && s[1] >= '0' && s[1] <= '9'))) {
        return 0;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return 0;
    }
    *out = (int)v;
    return 1;
}

/* Split a member or status list on commas and blanks, as mod_jk does. */
static apr_array_header_t *ajplb__ext_list(apr_pool_t *p, const char *v)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    char *copy = apr_pstrdup(p, v), *last, *tok;

    for (tok = apr_strtok(copy, ", \t", &last); tok != NULL;
         tok = apr_strtok(NULL, ", \t", &last)) {
        APR_ARRAY_PUSH(a, const char *) = tok;
    }
    return a;
}

static int ajplb__ext_is_worker_name(const char *w)
{
    if (strcmp(w, "*") == 0) {
        return 1;
    }
    for (; *w; w++) {
        if (!apr_isalnum(*w) && *w != '_' && *w != '-' && *w != '.') {
            return 0;
        }
    }
    return 1;
}

/* One "name=value" item.  Returns 0 after recording an error. */
static int ajplb__ext_item(apr_pool_t *p, ajplb_uri_ext_t *ext,
                           const char *name, const char *value,
                           ajplb_diags_t *d, const char *file, int line)
{
    int *flag = NULL, *num = NULL;
    apr_array_header_t **list = NULL;
    const char **str = NULL;
    long max = 0;
    int seen;

    if (strcmp(name, "reply_timeout") == 0) {
        num = &ext->reply_timeout;
        max = 2147483647L;
    }
    else if (strcmp(name, "use_server_errors") == 0) {
        num = &ext->use_server_errors;
        max = 999;
    }
    else if (strcmp(name, "sticky_ignore") == 0) {
        flag = &ext->sticky_ignore;
    }
    else if (strcmp(name, "stateless") == 0) {
        flag = &ext->stateless;
    }
    else if (strcmp(name, "set_session_cookie") == 0) {
        flag = &ext->set_session_cookie;
    }
    else if (strcmp(name, "active") == 0) {
        list = &ext->active;
    }
    else if (strcmp(name, "disabled") == 0) {
        list = &ext->disabled;
    }
    else if (strcmp(name, "stopped") == 0) {
        list = &ext->stopped;
    }
    else if (strcmp(name, "fail_on_status") == 0) {
        list = &ext->fail_on_status;
    }
    else if (strcmp(name, "session_cookie") == 0) {
        str = &ext->session_cookie;
    }
    else if (strcmp(name, "session_path") == 0) {
        str = &ext->session_path;
    }
    else if (strcmp(name, "session_cookie_path") == 0) {
        str = &ext->session_cookie_path;
    }
    else {
        ajplb_diag_add(d, AJPLB_DIAG_WARN, file, line,
                       "unknown rule extension '%s'; ignored (known: "
                       "reply_timeout, sticky_ignore, stateless, active, "
                       "disabled, stopped, fail_on_status, "
                       "use_server_errors, session_cookie, session_path, "
                       "set_session_cookie, session_cookie_path)", name);
        return 1;
    }

    seen = (num != NULL && *num != AJPLB_UNSET)
        || (flag != NULL && *flag != AJPLB_UNSET)
        || (list != NULL && *list != NULL) || (str != NULL && *str != NULL);
    if (seen) {
        ajplb_diag_add(d, AJPLB_DIAG_WARN, file, line,
                       "rule extension '%s' given twice; the last value "
                       "is used", name);
    }

    if (num != NULL) {
        if (!ajplb__ext_int(value, 0, max, num)) {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, file, line,
                           "%s=%s is not a number from 0 to %ld", name,
                           value, max);
            return 0;
        }
    }
    else if (flag != NULL) {
        if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, file, line,
                           "%s=%s: write %s=0 or %s=1", name, value, name,
                           name);
            return 0;
        }
        *flag = value[0] - '0';
    }
    else if (str != NULL) {
        if (*value == '\0') {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, file, line,
                           "%s needs a value", name);
            return 0;
        }
        *str = apr_pstrdup(p, value);
    }
    else if (list == &ext->fail_on_status) {
        apr_array_header_t *words = ajplb__ext_list(p, value);
        int i;

        *list = apr_array_make(p, words->nelts, sizeof(int));
        for (i = 0; i < words->nelts; i++) {
            const char *w = APR_ARRAY_IDX(words, i, const char *);
            int code;

            if (!ajplb__ext_int(w, -999, 999, &code)
                || (code < 0 ? -code : code) < 100) {
                ajplb_diag_add(d, AJPLB_DIAG_ERROR, file, line,
                               "fail_on_status: '%s' is not an HTTP status "
                               "(100-999, '-' in front to fail without "
                               "marking the member in error)", w);
                return 0;
            }
            APR_ARRAY_PUSH(*list, int) = code;
        }
        if (words->nelts == 0) {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, file, line,
                           "fail_on_status needs at least one status");
            return 0;
        }
    }
    else {
        *list = ajplb__ext_list(p, value);
        if ((*list)->nelts == 0) {
            ajplb_diag_add(d, AJPLB_DIAG_ERROR, file, line,
                           "%s needs a list of member names", name);
            return 0;
        }
    }
    return 1;
}

apr_status_t ajplb_uri_ext_parse(apr_pool_t *p, const char *target,
                                 const char **worker, ajplb_uri_ext_t *ext,
                                 ajplb_diags_t *diags, const char *file,
                                 int line)
{
    char *copy = apr_pstrdup(p, target), *item, *next;
    int ok = 1;

    memset(ext, 0, sizeof(*ext));
    ext->reply_timeout = AJPLB_UNSET;
    ext->sticky_ignore = AJPLB_UNSET;
    ext->stateless = AJPLB_UNSET;
    ext->set_session_cookie = AJPLB_UNSET;
    ext->use_server_errors = AJPLB_UNSET;

    next = strchr(copy, ';');
    if (next != NULL) {
        *next++ = '\0';
    }
    *worker = ajplb__ext_trim(copy);
    if (**worker == '\0') {
        ajplb_diag_add(diags, AJPLB_DIAG_ERROR, file, line,
                       "no worker name in '%s'; write "
                       "'worker[;extension=value...]'", target);
        return AJPLB_ECONFIG;
    }
    if (!ajplb__ext_is_worker_name(*worker)) {
        ajplb_diag_add(diags, AJPLB_DIAG_ERROR, file, line,
                       "'%s' is not a worker name (letters, digits, '_', "
                       "'-' and '.' only; separate extensions with ';')",
                       *worker);
        return AJPLB_ECONFIG;
    }

    while (next != NULL) {
        char *eq, *value;

        item = next;
        next = strchr(item, ';');
        if (next != NULL) {
            *next++ = '\0';
        }
        item = ajplb__ext_trim(item);
        if (*item == '\0') {
            continue;
        }
        eq = strchr(item, '=');
        if (eq == NULL) {
            ajplb_diag_add(diags, AJPLB_DIAG_WARN, file, line,
                           "rule extension '%s' has no '=value'; ignored",
                           item);
            continue;
        }
        *eq = '\0';
        item = ajplb__ext_trim(item);
        value = ajplb__ext_trim(eq + 1);
        if (*value == '\0' && next != NULL
            && strcmp(item, "session_path") == 0) {
            /* "session_path=;jsessionid": the value's own ';' split it;
             * glue it back, keeping the ';' as mod_jk documents. */
            char *rest = next;

            next = strchr(rest, ';');
            if (next != NULL) {
                *next++ = '\0';
            }
            value = apr_pstrcat(p, ";", ajplb__ext_trim(rest), NULL);
        }
        if (!ajplb__ext_item(p, ext, item, value, diags, file, line)) {
            ok = 0;
        }
    }
    return ok ? APR_SUCCESS : AJPLB_ECONFIG;
}

static void ajplb__ext_put(apr_pool_t *p, const char **out, const char *name,
                           const char *value)
{
    *out = apr_pstrcat(p, *out, **out ? ";" : "", name, "=", value, NULL);
}

static void ajplb__ext_put_int(apr_pool_t *p, const char **out,
                               const char *name, int v)
{
    if (v != AJPLB_UNSET) {
        ajplb__ext_put(p, out, name, apr_itoa(p, v));
    }
}

static void ajplb__ext_put_list(apr_pool_t *p, const char **out,
                                const char *name,
                                const apr_array_header_t *a)
{
    if (a != NULL) {
        ajplb__ext_put(p, out, name, apr_array_pstrcat(p, a, ','));
    }
}

const char *ajplb_uri_ext_text(apr_pool_t *p, const ajplb_uri_ext_t *ext)
{
    const char *out = "";
    int i;

    ajplb__ext_put_int(p, &out, "reply_timeout", ext->reply_timeout);
    ajplb__ext_put_int(p, &out, "sticky_ignore", ext->sticky_ignore);
    ajplb__ext_put_int(p, &out, "stateless", ext->stateless);
    ajplb__ext_put_int(p, &out, "set_session_cookie",
                       ext->set_session_cookie);
    ajplb__ext_put_int(p, &out, "use_server_errors", ext->use_server_errors);
    ajplb__ext_put_list(p, &out, "active", ext->active);
    ajplb__ext_put_list(p, &out, "disabled", ext->disabled);
    ajplb__ext_put_list(p, &out, "stopped", ext->stopped);
    if (ext->fail_on_status != NULL) {
        const char *codes = "";
        for (i = 0; i < ext->fail_on_status->nelts; i++) {
            codes = apr_psprintf(p, "%s%s%d", codes, i ? "," : "",
                                 APR_ARRAY_IDX(ext->fail_on_status, i, int));
        }
        ajplb__ext_put(p, &out, "fail_on_status", codes);
    }
    if (ext->session_cookie != NULL) {
        ajplb__ext_put(p, &out, "session_cookie", ext->session_cookie);
    }
    if (ext->session_path != NULL) {
        ajplb__ext_put(p, &out, "session_path", ext->session_path);
    }
    if (ext->session_cookie_path != NULL) {
        ajplb__ext_put(p, &out, "session_cookie_path",
                       ext->session_cookie_path);
    }
    return out;
}
