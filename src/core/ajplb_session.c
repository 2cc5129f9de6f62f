/*
 * ajplb_session.c -- session ids and routes from a neutral request: the
 * ;jsessionid path parameter, then every matching cookie, in order.
 * Core layer: APR only, never logs; no fixed-size buffers (ids of any size).
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_lb.h"

#define AJPLB__BLANK(c) ((c) == ' ' || (c) == '\t')

const char *ajplb_session_path_param(apr_pool_t *p, const char *uri,
                                     const char *name)
{
    apr_size_t nlen;
    const char *s;

    if (uri == NULL || name == NULL || (nlen = strlen(name)) == 0) {
        return NULL;
    }
    for (s = strstr(uri, name); s != NULL; s = strstr(s + 1, name)) {
        const char *v = s + nlen;
        apr_size_t len;

        if (*v != '=') {
            continue;
        }
        v++;
        len = strcspn(v, "?;/");
        /* An empty value is ignored, as mod_jk does after logging it;
         * a later parameter of the same name may still carry one. */
        if (len > 0) {
            return apr_pstrmemdup(p, v, len);
        }
    }
    return NULL;
}

void ajplb_session_cookie_ids(apr_pool_t *p, const char *header,
                              const char *name, apr_array_header_t *ids)
{
    apr_size_t nlen;
    const char *s;

    if (header == NULL || name == NULL || (nlen = strlen(name)) == 0) {
        return;
    }
    for (s = strstr(header, name); s != NULL; s = strstr(s + 1, name)) {
        const char *v = s + nlen;
        apr_size_t len;

        /* Exact names only: "XJSESSIONID" must not match. */
        if (s != header && s[-1] != ';' && s[-1] != ','
            && !AJPLB__BLANK(s[-1])) {
            continue;
        }
        while (AJPLB__BLANK(*v)) {
            v++;
        }
        if (*v != '=') {
            continue;
        }
        v++;
        while (AJPLB__BLANK(*v)) {
            v++;
        }
        len = strcspn(v, ";,");
        while (len > 0 && AJPLB__BLANK(v[len - 1])) {
            len--;
        }
        if (len > 0 && v[0] == '"') {
            v++;
            len--;
        }
        if (len > 0 && v[len - 1] == '"') {
            len--;
        }
        if (len > 0) {
            APR_ARRAY_PUSH(ids, const char *) = apr_pstrmemdup(p, v, len);
        }
    }
}

apr_array_header_t *ajplb_session_ids(apr_pool_t *p,
                                      const ajplb_lb_req_t *req,
                                      const char *session_cookie,
                                      const char *session_path)
{
    apr_array_header_t *ids = apr_array_make(p, 2, sizeof(const char *));
    const char *cookie, *path, *v;
    int i;

    if (req == NULL) {
        return ids;
    }
    if (req->forced_route != NULL && req->forced_route[0] != '\0') {
        /* mod_jk's fake id: its route is the forced route itself. */
        APR_ARRAY_PUSH(ids, const char *) = apr_pstrcat(p, ".",
                                                        req->forced_route,
                                                        NULL);
        return ids;
    }
    cookie = req->session_cookie != NULL ? req->session_cookie
             : session_cookie;
    path = req->session_path != NULL ? req->session_path : session_path;
    v = ajplb_session_path_param(p, req->uri, path);
    if (v != NULL) {
        APR_ARRAY_PUSH(ids, const char *) = v;
    }
    for (i = 0; req->cookies != NULL && i < req->ncookies; i++) {
        ajplb_session_cookie_ids(p, req->cookies[i], cookie, ids);
    }
    return ids;
}

const char *ajplb_session_route(const char *id)
{
    const char *dot = id != NULL ? strchr(id, '.') : NULL;

    if (dot == NULL) {
        return NULL;
    }
    dot++;
    /* "abc." and "abc.." carry no route: never match an empty route. */
    if (dot[strspn(dot, ".")] == '\0') {
        return NULL;
    }
    return dot;
}
