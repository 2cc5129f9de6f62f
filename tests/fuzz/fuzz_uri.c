/*
 * fuzz_uri.c -- libFuzzer target for the path normaliser, the proxy
 * re-encoder, session stripping, and the mount-file parser + matcher.
 * Input: mount-file text, a 0xFF byte, then paths separated by '\n'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "ajplb_uri.h"
#include "ajplb_uri_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ajplb__fuzz_started;

/* Invariants every normalised path must satisfy. */
static void ajplb__fuzz_check_norm(const char *in, const char *out)
{
    const char *again;
    apr_pool_t *p;

    if (strcmp(in, "*") == 0) {
        return;
    }
    if (out[0] != '/' || strstr(out, "//") != NULL
        || strchr(out, ';') != NULL || strstr(out, "/./") != NULL
        || strstr(out, "/../") != NULL || strlen(out) > strlen(in) + 1) {
        abort();
    }
    apr_pool_create(&p, NULL);
    if (ajplb_uri_normalize(p, out, 0, &again) != APR_SUCCESS
        || strcmp(again, out) != 0) {
        abort();
    }
    apr_pool_destroy(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ajplb_diags_t *d;
    ajplb_uri_map_t *m;
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t flen = sep != NULL ? (size_t)(sep - data) : 0;
    char *paths, *line, *last;

    if (!ajplb__fuzz_started) {
        apr_initialize();
        ajplb__fuzz_started = 1;
    }
    apr_pool_create(&p, NULL);
    d = ajplb_diags_make(p);
    m = ajplb_uri_map_make(p, d);
    ajplb_uri_map_parse(m, "fuzz", (const char *)data, flen);
    ajplb_uri_map_build(m);

    paths = apr_pstrmemdup(p, (const char *)data + flen + (sep != NULL),
                           size - flen - (sep != NULL));
    for (line = apr_strtok(paths, "\n", &last); line != NULL;
         line = apr_strtok(NULL, "\n", &last)) {
        const char *norm, *stripped, *norm2;
        const ajplb_uri_rule_t *r, *veto;
        apr_status_t rv = ajplb_uri_normalize(p, line, 0, &norm);

        ajplb_uri_encode_proxy(p, line);
        stripped = ajplb_uri_strip_session(p, line, NULL);
        /* T-U31: stripping never changes the mapping input.  Only for
         * real paths: stripping ";jsessionid=x" off the front of a
         * relative one could turn it into an absolute one. */
        if (line[0] == '/'
            && ((ajplb_uri_normalize(p, stripped, 0, &norm2) != rv)
                || (rv == APR_SUCCESS && strcmp(norm, norm2) != 0))) {
            abort();
        }
        ajplb_uri_normalize(p, line, AJPLB_URI_REJECT_UNSAFE, &norm2);
        if (rv != APR_SUCCESS) {
            continue;
        }
        ajplb__fuzz_check_norm(line, norm);
        r = ajplb_uri_map_match(m, norm, &veto);
        if (r != NULL && (r->exclude || r->disabled
                          || !ajplb_uri_is_wildcard_match(r->wildcard
                                                          ? r->pattern : "*",
                                                          norm))) {
            abort();
        }
        if (r != NULL && !r->wildcard && strcmp(r->pattern, norm) != 0) {
            abort();
        }
        if (veto != NULL && (!veto->exclude || r != NULL)) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
