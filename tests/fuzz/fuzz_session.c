/*
 * fuzz_session.c -- libFuzzer target for session id and route extraction.
 * Input: URI, then Cookie header values, separated by '\n'; the first
 * byte's low bits pick the cookie and path names (default or custom).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "ajplb_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ajplb__fuzz_started;

/* Every id is non-empty, holds no separator it must end at, and its
 * route (if any) is a non-empty suffix after the first '.'. */
static void ajplb__fuzz_check(const char *id, int from_path)
{
    const char *r = ajplb_session_route(id);
    const char *dot = strchr(id, '.');

    if (id[0] == '\0' || (from_path && strpbrk(id, "?;/") != NULL)
        || (!from_path && strpbrk(id, ";,") != NULL)) {
        abort();
    }
    if (r != NULL && (dot == NULL || r != dot + 1 || r[0] == '\0'
                      || r[strspn(r, ".")] == '\0')) {
        abort();
    }
    if (r == NULL && dot != NULL && dot[1 + strspn(dot + 1, ".")] != '\0') {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cookies[] = {"JSESSIONID", "SID", "a", "=;"};
    static const char *const paths[] = {";jsessionid", ";sid", ";", "j"};
    apr_pool_t *p;
    ajplb_lb_req_t req;
    apr_array_header_t *ids, *lines;
    char *text, *line, *next;
    const char *pp;
    int i, flags = size > 0 ? data[0] : 0;

    if (!ajplb__fuzz_started) {
        apr_initialize();
        ajplb__fuzz_started = 1;
    }
    apr_pool_create(&p, NULL);
    text = apr_pstrmemdup(p, size > 0 ? (const char *)data + 1 : "",
                          size > 0 ? size - 1 : 0);
    lines = apr_array_make(p, 4, sizeof(const char *));
    /* Split by hand: empty lines matter (an empty Cookie header). */
    for (line = text; line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        APR_ARRAY_PUSH(lines, const char *) = line;
    }
    memset(&req, 0, sizeof(req));
    req.uri = APR_ARRAY_IDX(lines, 0, const char *);
    req.cookies = (const char *const *)lines->elts + 1;
    req.ncookies = lines->nelts - 1;
    req.stateless = flags & 0x40;
    if (flags & 0x80) {
        req.forced_route = req.uri;
    }
    ids = ajplb_session_ids(p, &req, cookies[flags & 3],
                            paths[(flags >> 2) & 3]);
    pp = ajplb_session_path_param(p, req.uri, paths[(flags >> 2) & 3]);
    for (i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        if ((flags & 0x80) && req.uri[0] != '\0') {
            if (ids->nelts != 1 || id[0] != '.'
                || strcmp(id + 1, req.uri) != 0) {
                abort();
            }
            continue;
        }
        ajplb__fuzz_check(id, i == 0 && pp != NULL);
    }
    if (!(flags & 0x80) && pp != NULL
        && (ids->nelts == 0
            || strcmp(APR_ARRAY_IDX(ids, 0, const char *), pp) != 0)) {
        abort();
    }
    apr_pool_destroy(p);
    return 0;
}
