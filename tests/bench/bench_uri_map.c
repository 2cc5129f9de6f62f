/*
 * bench_uri_map.c -- how the URI map scales: ns per lookup with 10 and
 * with 100,000 rules, build time, and a mod_jk-style linear scan for
 * comparison.  A benchmark, not a test: it asserts nothing about time.
 *
 * Build and run by hand (after make check-unit OUT=out/uri):
 *   gcc -O2 -std=gnu99 -Iinclude $(apr-1-config --cflags --cppflags \
 *       --includes) -o out/uri/bench_uri_map tests/bench/bench_uri_map.c \
 *       out/uri/libajplb_core.a $(apr-1-config --link-ld --libs)
 *   out/uri/bench_uri_map
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "ajplb_uri.h"
#include "ajplb_uri_map.h"

#define AJPLB_BENCH_URIS 4096

static double ajplb__bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A realistic mix per context: one catch-all, a JSP suffix rule, a static
 * exclusion and exact servlet paths; plus a few global suffix rules. */
static char *ajplb__bench_config(apr_pool_t *p, int nrules, int *made)
{
    apr_array_header_t *lines = apr_array_make(p, nrules, sizeof(char *));
    int ctx = 0, n = 0, i;

    for (i = 0; n < nrules && i < 2 + nrules / 5000; i++, n++) {
        APR_ARRAY_PUSH(lines, char *) = apr_psprintf(p, "/*.ext%d=wext", i);
    }
    APR_ARRAY_PUSH(lines, char *) = "/jkstatus=status";
    n++;
    while (n < nrules) {
        APR_ARRAY_PUSH(lines, char *) =
            apr_psprintf(p, "/ctx%d/*=w%d", ctx, ctx % 50);
        APR_ARRAY_PUSH(lines, char *) =
            apr_psprintf(p, "/ctx%d/*.jsp=j%d", ctx, ctx % 50);
        APR_ARRAY_PUSH(lines, char *) =
            apr_psprintf(p, "!/ctx%d/static/*=w%d", ctx, ctx % 50);
        n += 3;
        for (i = 0; i < 7 && n < nrules; i++, n++) {
            APR_ARRAY_PUSH(lines, char *) =
                apr_psprintf(p, "/ctx%d/servlet/s%d=w%d", ctx, i, ctx % 50);
        }
        ctx++;
    }
    *made = lines->nelts;
    return apr_array_pstrcat(p, lines, '\n');
}

static void ajplb__bench_uris(apr_pool_t *p, const char **uris, int nctx)
{
    int i;

    for (i = 0; i < AJPLB_BENCH_URIS; i++) {
        int c = (int)((i * 2654435761u) % (unsigned)(nctx > 0 ? nctx : 1));
        switch (i % 6) {
        case 0:
            uris[i] = apr_psprintf(p, "/ctx%d/servlet/s%d", c, i % 7);
            break;
        case 1:
            uris[i] = apr_psprintf(p, "/ctx%d/some/page/x%d.jsp", c, i);
            break;
        case 2:
            uris[i] = apr_psprintf(p, "/ctx%d/static/img/logo%d.png", c, i);
            break;
        case 3:
            uris[i] = apr_psprintf(p, "/ctx%d/api/v1/items/%d", c, i);
            break;
        case 4:
            uris[i] = apr_psprintf(p, "/unmapped/path/%d/file.html", i);
            break;
        default:
            uris[i] = apr_psprintf(p, "/files/doc%d.ext%d", i, i % 20);
            break;
        }
    }
}

/* mod_jk's way: walk the priority-sorted list until the first match. */
static const ajplb_uri_rule_t *ajplb__bench_linear(const apr_array_header_t
                                                   *rules, const char *uri)
{
    int i;

    for (i = 0; i < rules->nelts; i++) {
        const ajplb_uri_rule_t *r = APR_ARRAY_IDX(rules, i,
                                                  ajplb_uri_rule_t *);
        if (r->disabled || r->exclude) {
            continue;
        }
        if (r->wildcard ? ajplb_uri_is_wildcard_match(r->pattern, uri)
            : strcmp(r->pattern, uri) == 0) {
            return r;
        }
    }
    return NULL;
}

static double ajplb__bench_run(int nrules, int linear)
{
    apr_pool_t *p;
    ajplb_diags_t *d;
    ajplb_uri_map_t *m;
    const char *uris[AJPLB_BENCH_URIS], *text;
    double t0, t1, t2, ns, parse_ms;
    long lookups, i, hits = 0;
    int made;

    apr_pool_create(&p, NULL);
    text = ajplb__bench_config(p, nrules, &made);
    d = ajplb_diags_make(p);
    t0 = ajplb__bench_now();
    m = ajplb_uri_map_make(p, d);
    ajplb_uri_map_parse(m, "bench", text, strlen(text));
    t1 = ajplb__bench_now();
    if (ajplb_uri_map_build(m) != APR_SUCCESS) {
        fprintf(stderr, "bench: map has %d errors\n", d->errors);
        return -1;
    }
    t2 = ajplb__bench_now();
    parse_ms = (t1 - t0) / 1e6;
    ajplb__bench_uris(p, uris, made / 10);

    lookups = nrules <= 100 ? 20000000L : 5000000L;
    t0 = ajplb__bench_now();
    for (i = 0; i < lookups; i++) {
        hits += ajplb_uri_map_match(m, uris[i & (AJPLB_BENCH_URIS - 1)],
                                    NULL) != NULL;
    }
    ns = (ajplb__bench_now() - t0) / (double)lookups;
    printf("%7d rules: parse %8.2f ms, build %8.2f ms, %7.1f ns/lookup "
           "(%ld%% forwarded)\n", made, parse_ms, (t2 - t1) / 1e6, ns,
           hits * 100 / lookups);
    /* The same lookups over 64 paths only: what the map costs when its
     * working set is in cache, which separates index work from memory
     * latency. */
    t0 = ajplb__bench_now();
    for (i = 0; i < lookups; i++) {
        hits += ajplb_uri_map_match(m, uris[i & 63], NULL) != NULL;
    }
    printf("%7d rules: %7.1f ns/lookup over a hot set of 64 paths\n", made,
           (ajplb__bench_now() - t0) / (double)lookups);
    if (linear) {
        const apr_array_header_t *rules = ajplb_uri_map_rules(m);
        long n = nrules <= 100 ? 1000000L : 300;

        t0 = ajplb__bench_now();
        for (i = 0; i < n; i++) {
            hits += ajplb__bench_linear(rules,
                                        uris[i & (AJPLB_BENCH_URIS - 1)])
                != NULL;
        }
        printf("%7d rules: linear scan (mod_jk style) %9.1f ns/lookup\n",
               made, (ajplb__bench_now() - t0) / (double)n);
    }
    apr_pool_destroy(p);
    return ns;
}

int main(void)
{
    double small, large;

    apr_initialize();
    small = ajplb__bench_run(10, 1);
    large = ajplb__bench_run(100000, 1);
    if (small > 0 && large > 0) {
        printf("ratio 100,000 / 10 rules: %.2f\n", large / small);
    }
    apr_terminate();
    return 0;
}
