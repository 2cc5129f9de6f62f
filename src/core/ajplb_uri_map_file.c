/*
 * ajplb_uri_map_file.c -- uriworkermap.properties reader: one
 * "pattern=worker[;ext...]" rule per line, '#' comments.
 * Core layer: APR only; problems go to the diagnostics collector.
 */
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "ajplb_uri_map.h"

static char *ajplb__mapfile_trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f'
           || *s == '\v') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'
                     || e[-1] == '\f' || e[-1] == '\v')) {
        *--e = '\0';
    }
    return s;
}

apr_status_t ajplb_uri_map_parse(ajplb_uri_map_t *m, const char *file,
                                 const char *buf, apr_size_t len)
{
    apr_pool_t *tp;
    apr_size_t pos = 0;
    apr_status_t rv = APR_SUCCESS;
    int lineno = 0;

    /* Every rule is added through ajplb_uri_map_add(), which copies what
     * it keeps; the line copies only need a scratch pool. */
    if (apr_pool_create(&tp, NULL) != APR_SUCCESS) {
        return APR_ENOMEM;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        pos = 3;
    }
    while (pos < len) {
        const char *start = buf + pos;
        const char *nl = memchr(start, '\n', len - pos);
        apr_size_t n = nl != NULL ? (apr_size_t)(nl - start) : len - pos;
        char *line, *hash, *eq, *pattern, *target;

        pos += n + (nl != NULL);
        lineno++;
        if (memchr(start, '\0', n) != NULL) {
            ajplb_uri_map_diag(m, AJPLB_DIAG_ERROR, file,
                           lineno, "NUL byte in the line; remove it");
            rv = AJPLB_ECONFIG;
            continue;
        }
        line = apr_pstrmemdup(tp, start, n);
        hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        line = ajplb__mapfile_trim(line);
        if (*line == '\0') {
            continue;
        }
        eq = strchr(line, '=');
        if (eq == NULL) {
            ajplb_uri_map_diag(m, AJPLB_DIAG_ERROR, file,
                           lineno, "no '=' in '%s'; write "
                           "'/pattern=worker'", line);
            rv = AJPLB_ECONFIG;
            continue;
        }
        *eq = '\0';
        pattern = ajplb__mapfile_trim(line);
        target = ajplb__mapfile_trim(eq + 1);
        if (*pattern == '\0') {
            ajplb_uri_map_diag(m, AJPLB_DIAG_ERROR, file,
                           lineno, "empty pattern before '='; write "
                           "'/pattern=worker'");
            rv = AJPLB_ECONFIG;
            continue;
        }
        if (ajplb_uri_map_add(m, AJPLB_URI_SRC_MOUNTFILE, pattern, target,
                              0, file, lineno) != APR_SUCCESS) {
            rv = AJPLB_ECONFIG;
        }
    }
    apr_pool_destroy(tp);
    return rv;
}

apr_status_t ajplb_uri_map_read_file(ajplb_uri_map_t *m, const char *path)
{
    apr_pool_t *tp;
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t got = 0;
    apr_status_t rv;
    char *buf, err[120];
    /* Diagnostics and rules keep the name: copy it out of the caller's
     * hands into the map's own pool. */
    const char *name = ajplb_uri_map_copy_name(m, path);

    if (apr_pool_create(&tp, NULL) != APR_SUCCESS) {
        return APR_ENOMEM;
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                       APR_OS_DEFAULT, tp);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    }
    if (rv == APR_SUCCESS) {
        buf = apr_palloc(tp, (apr_size_t)fi.size + 1);
        if (fi.size > 0) {
            rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, &got);
        }
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        ajplb_uri_map_diag(m, AJPLB_DIAG_ERROR, name, 0,
                           "cannot read the mount file: %s",
                           apr_strerror(rv, err, sizeof(err)));
        apr_pool_destroy(tp);
        return rv;
    }
    rv = ajplb_uri_map_parse(m, name, buf, got);
    apr_pool_destroy(tp);
    return rv;
}
