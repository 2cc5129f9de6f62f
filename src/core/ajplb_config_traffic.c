/*
 * ajplb_config_traffic.c -- the traffic management properties (active
 * health checks, slow start, outlier ejection): status sets, the check
 * path, and the member -> lb -> default inheritance.
 * Core layer: APR only, never logs (problems go to the diags).
 */
#include <stddef.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_config.h"

static void ajplb__set_add(unsigned char *set, int status)
{
    set[status / 8] |= (unsigned char)(1u << (status % 8));
}

int ajplb_status_in_set(const unsigned char *set, int status)
{
    if (set == NULL || status < 0 || status >= AJPLB_STATUS_SET_BYTES * 8) {
        return 0;
    }
    return (set[status / 8] >> (status % 8)) & 1;
}

apr_status_t ajplb_parse_status_set(apr_pool_t *p, const char *s,
                                    unsigned char *set, const char **bad)
{
    apr_array_header_t *items = ajplb_split_list(p, s);
    int i;

    memset(set, 0, AJPLB_STATUS_SET_BYTES);
    if (items->nelts == 0) {
        *bad = "";
        return APR_EINVAL;
    }
    for (i = 0; i < items->nelts; i++) {
        const char *it = APR_ARRAY_IDX(items, i, const char *);
        const char *dash = strchr(it, '-');
        int lo, hi, k;

        if (dash != NULL && dash != it) {
            char *first = apr_pstrmemdup(p, it, (apr_size_t)(dash - it));
            if (ajplb_parse_int(first, 100, 599, &lo) != APR_SUCCESS
                || ajplb_parse_int(dash + 1, 100, 599, &hi) != APR_SUCCESS
                || hi < lo) {
                *bad = it;
                return APR_EINVAL;
            }
        }
        else if (ajplb_parse_int(it, 100, 599, &lo) == APR_SUCCESS) {
            hi = lo;
        }
        else {
            *bad = it;
            return APR_EINVAL;
        }
        for (k = lo; k <= hi; k++) {
            ajplb__set_add(set, k);
        }
    }
    return APR_SUCCESS;
}

/* The check is an AJP request line: a path with no blanks or controls,
 * and an optional query. */
static int ajplb__path_ok(const char *v)
{
    if (*v != '/' || strlen(v) > 255) {
        return 0;
    }
    for (; *v; v++) {
        if (!apr_isgraph(*v) || *v == '#') {
            return 0;
        }
    }
    return 1;
}

void ajplb_config_traffic_prop(apr_pool_t *p, ajplb_diags_t *diags,
                               ajplb_worker_t *w, const char *attr,
                               const char *value, const char *file,
                               int line)
{
    unsigned char **slot;
    const char *bad;

    if (strcmp(attr, "health_check") == 0) {
        if (*value == '\0') {
            w->health_check = "";   /* written empty: off, not inherited */
        }
        else if (!ajplb__path_ok(value)) {
            ajplb_diag_add(diags, AJPLB_DIAG_ERROR, file, line,
                           "health_check '%s' of worker '%s' is not a "
                           "path: write the URL path of a page the "
                           "application answers when it is deployed, "
                           "starting with '/', without blanks, e.g. "
                           "health_check=/myapp/health", value, w->name);
        }
        else {
            w->health_check = value;
        }
        return;
    }
    slot = strcmp(attr, "health_check_status") == 0
           ? &w->health_check_status : &w->outlier_statuses;
    *slot = apr_palloc(p, AJPLB_STATUS_SET_BYTES);
    if (ajplb_parse_status_set(p, value, *slot, &bad) != APR_SUCCESS) {
        ajplb_diag_add(diags, AJPLB_DIAG_ERROR, file, line,
                       "%s entry '%s' of worker '%s' is not an HTTP status "
                       "or range: write codes from 100 to 599 and ranges "
                       "separated by commas, e.g. %s=%s", attr, bad,
                       w->name, attr, *attr == 'h' ? "200-399"
                       : "500,502-504");
        *slot = NULL;
    }
}

/* The member's value, else the lb's, else @a dflt. */
static int ajplb__pick(const ajplb_worker_t *m, const ajplb_worker_t *lb,
                       apr_size_t off, int dflt)
{
    if (m != NULL && *(const int *)((const char *)m + off) != AJPLB_UNSET) {
        return *(const int *)((const char *)m + off);
    }
    if (lb != NULL
        && *(const int *)((const char *)lb + off) != AJPLB_UNSET) {
        return *(const int *)((const char *)lb + off);
    }
    return dflt;
}

#define AJPLB__PICK(f, d) \
    ajplb__pick(m, lb, offsetof(ajplb_worker_t, f), d)

void ajplb_traffic_resolve(const ajplb_worker_t *m, const ajplb_worker_t *lb,
                           ajplb_traffic_t *out)
{
    const unsigned char *hs = NULL, *os = NULL;
    int k;

    memset(out, 0, sizeof(*out));
    out->health_check = m != NULL && m->health_check != NULL
                        ? m->health_check
                        : lb != NULL ? lb->health_check : NULL;
    if (out->health_check != NULL && *out->health_check == '\0') {
        out->health_check = NULL;
    }
    out->health_check_interval = AJPLB__PICK(health_check_interval, 10);
    out->health_check_timeout = AJPLB__PICK(health_check_timeout, 2000);
    out->health_check_fall = AJPLB__PICK(health_check_fall, 3);
    out->health_check_rise = AJPLB__PICK(health_check_rise, 2);
    out->slow_start = AJPLB__PICK(slow_start, 0);
    out->outlier_count = AJPLB__PICK(outlier_count, 0);
    out->outlier_window = AJPLB__PICK(outlier_window, 30);
    out->outlier_eject_time = AJPLB__PICK(outlier_eject_time, 30);
    out->outlier_max_share = AJPLB__PICK(outlier_max_share, 50);

    hs = m != NULL && m->health_check_status != NULL
         ? m->health_check_status
         : lb != NULL ? lb->health_check_status : NULL;
    if (hs != NULL) {
        memcpy(out->health_check_status, hs, AJPLB_STATUS_SET_BYTES);
    }
    else {
        for (k = 200; k <= 399; k++) {
            ajplb__set_add(out->health_check_status, k);
        }
    }
    os = m != NULL && m->outlier_statuses != NULL ? m->outlier_statuses
         : lb != NULL ? lb->outlier_statuses : NULL;
    if (os != NULL) {
        memcpy(out->outlier_statuses, os, AJPLB_STATUS_SET_BYTES);
    }
    else {
        ajplb__set_add(out->outlier_statuses, 500);
        for (k = 502; k <= 504; k++) {
            ajplb__set_add(out->outlier_statuses, k);
        }
    }
}
