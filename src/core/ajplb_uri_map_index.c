/*
 * ajplb_uri_map_index.c -- lookup index over mount rules, so a match
 * touches a handful of candidates even with 100,000 rules: exact patterns
 * in a hash, wildcard patterns bucketed by literal prefix or suffix.
 * Core layer: APR only; read-only after construction (thread-safe).
 */
#include <limits.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "ajplb_uri.h"
#include "ajplb_uri_map.h"

/* A rule and its position in priority order (lower is better). */
typedef struct {
    const ajplb_uri_rule_t *rule;
    int rank;
} ajplb__ix_cand_t;

/* One distinct key and its candidates, sorted by rank. */
typedef struct {
    apr_uint64_t hash;
    const char *key;
    apr_size_t klen;
    ajplb__ix_cand_t *cands;
    int ncands;
} ajplb__ix_slot_t;

/* Open-addressing table.  lens[k] != 0 when some key has length k, so the
 * matcher probes only lengths that exist. */
typedef struct {
    ajplb__ix_slot_t *slots;
    apr_size_t mask;
    unsigned char *lens;
    apr_size_t maxlen;
    int exact;              /* keys are whole patterns: a hit is a match */
} ajplb__ix_table_t;

struct ajplb_uri_index_t {
    ajplb__ix_table_t exact;    /* key: the whole pattern */
    ajplb__ix_table_t dir;      /* key: literal prefix up to its last '/'
                                 * ("/ctx/" for "/ctx/a*"), when longer
                                 * than "/": probed only at '/' bytes */
    ajplb__ix_table_t prefix;   /* key: whole literal prefix when its
                                 * directory part is just "/" ("/ab*") */
    ajplb__ix_table_t suffix;   /* key: literal text after the last
                                 * wildcard (prefix was just "/") */
    ajplb__ix_cand_t *generic;  /* bare "/" prefix, no suffix: scanned */
    int ngeneric;
};

/* FNV-1a, 64 bit.  Prefix keys hash forwards and suffix keys backwards, so
 * one running hash over the path yields every probe in O(1) each. */
#define AJPLB__IX_FNV_OFFSET APR_UINT64_C(14695981039346656037)
#define AJPLB__IX_FNV_PRIME  APR_UINT64_C(1099511628211)
#define AJPLB__IX_STEP(h, c) \
    (((h) ^ (unsigned char)(c)) * AJPLB__IX_FNV_PRIME)

/* Build-time grouping of rules by key. */
typedef struct {
    const char *key;
    apr_size_t klen;
    apr_array_header_t *cands;  /* of ajplb__ix_cand_t */
} ajplb__ix_group_t;

static void ajplb__ix_group_add(apr_pool_t *tp, apr_hash_t *groups,
                                const char *key, apr_size_t klen,
                                const ajplb_uri_rule_t *rule, int rank)
{
    ajplb__ix_group_t *g = apr_hash_get(groups, key, (apr_ssize_t)klen);
    ajplb__ix_cand_t *c;

    if (g == NULL) {
        g = apr_palloc(tp, sizeof(*g));
        g->key = key;
        g->klen = klen;
        g->cands = apr_array_make(tp, 1, sizeof(ajplb__ix_cand_t));
        apr_hash_set(groups, key, (apr_ssize_t)klen, g);
    }
    c = apr_array_push(g->cands);
    c->rule = rule;
    c->rank = rank;
}

static apr_uint64_t ajplb__ix_hash(const char *key, apr_size_t klen,
                                   int backwards)
{
    apr_uint64_t h = AJPLB__IX_FNV_OFFSET;
    apr_size_t i;

    for (i = 0; i < klen; i++) {
        h = AJPLB__IX_STEP(h, backwards ? key[klen - 1 - i] : key[i]);
    }
    return h;
}

/* Turn the groups into an open-addressing table at most half full. */
static void ajplb__ix_table_fill(apr_pool_t *p, ajplb__ix_table_t *t,
                                 apr_hash_t *groups, int backwards)
{
    apr_size_t n = apr_hash_count(groups), size = 8;
    apr_hash_index_t *hi;

    if (n == 0) {
        return;
    }
    while (size < n * 2) {
        size <<= 1;
    }
    t->slots = apr_pcalloc(p, size * sizeof(*t->slots));
    t->mask = size - 1;
    for (hi = apr_hash_first(NULL, groups); hi; hi = apr_hash_next(hi)) {
        ajplb__ix_group_t *g = apr_hash_this_val(hi);
        apr_uint64_t h = ajplb__ix_hash(g->key, g->klen, backwards);
        apr_size_t i = (apr_size_t)h & t->mask;
        ajplb__ix_slot_t *s;

        while (t->slots[i].key != NULL) {
            i = (i + 1) & t->mask;
        }
        s = &t->slots[i];
        s->hash = h;
        s->key = g->key;
        s->klen = g->klen;
        s->ncands = g->cands->nelts;
        s->cands = apr_pmemdup(p, g->cands->elts,
                               g->cands->nelts * sizeof(ajplb__ix_cand_t));
        if (g->klen > t->maxlen) {
            t->maxlen = g->klen;
        }
    }
    t->lens = apr_pcalloc(p, t->maxlen + 1);
    for (hi = apr_hash_first(NULL, groups); hi; hi = apr_hash_next(hi)) {
        ajplb__ix_group_t *g = apr_hash_this_val(hi);
        t->lens[g->klen] = 1;
    }
}

ajplb_uri_index_t *ajplb_uri_index_make(apr_pool_t *p,
                                        const apr_array_header_t *rules)
{
    ajplb_uri_index_t *ix = apr_pcalloc(p, sizeof(*ix));
    apr_hash_t *exact, *dir, *prefix, *suffix;
    apr_array_header_t *generic;
    apr_pool_t *tp;
    int i;

    /* Grouping scratch lives in a sub-pool: only the tables stay. */
    apr_pool_create(&tp, p);
    exact = apr_hash_make(tp);
    dir = apr_hash_make(tp);
    prefix = apr_hash_make(tp);
    suffix = apr_hash_make(tp);
    generic = apr_array_make(tp, 4, sizeof(ajplb__ix_cand_t));

    for (i = 0; i < rules->nelts; i++) {
        const ajplb_uri_rule_t *r = APR_ARRAY_IDX(rules, i,
                                                  const ajplb_uri_rule_t *);
        apr_size_t plen, dlen, slen;

        if (!r->wildcard) {
            ajplb__ix_group_add(tp, exact, r->pattern, r->len, r, i);
            continue;
        }
        plen = strcspn(r->pattern, "*?");
        dlen = plen;
        while (dlen > 0 && r->pattern[dlen - 1] != '/') {
            dlen--;
        }
        slen = 0;
        while (slen < r->len && r->pattern[r->len - 1 - slen] != '*'
               && r->pattern[r->len - 1 - slen] != '?') {
            slen++;
        }
        if (dlen >= 2) {
            ajplb__ix_group_add(tp, dir, r->pattern, dlen, r, i);
        }
        else if (plen >= 2) {
            ajplb__ix_group_add(tp, prefix, r->pattern, plen, r, i);
        }
        else if (slen >= 1) {
            ajplb__ix_group_add(tp, suffix, r->pattern + r->len - slen,
                                slen, r, i);
        }
        else {
            ajplb__ix_cand_t *c = apr_array_push(generic);
            c->rule = r;
            c->rank = i;
        }
    }
    ix->exact.exact = 1;
    ajplb__ix_table_fill(p, &ix->exact, exact, 0);
    ajplb__ix_table_fill(p, &ix->dir, dir, 0);
    ajplb__ix_table_fill(p, &ix->prefix, prefix, 0);
    ajplb__ix_table_fill(p, &ix->suffix, suffix, 1);
    ix->ngeneric = generic->nelts;
    ix->generic = apr_pmemdup(p, generic->elts,
                              generic->nelts * sizeof(ajplb__ix_cand_t));
    apr_pool_destroy(tp);
    return ix;
}

/* Best candidate of one list that beats *best_rank and matches. */
static void ajplb__ix_scan(const ajplb__ix_cand_t *c, int n, int is_exact,
                           const char *uri, const char *worker,
                           const ajplb_uri_rule_t **best, int *best_rank)
{
    int i;

    for (i = 0; i < n && c[i].rank < *best_rank; i++) {
        const ajplb_uri_rule_t *r = c[i].rule;

        if (worker != NULL && strcmp(r->worker, "*") != 0
            && strcmp(r->worker, worker) != 0) {
            continue;
        }
        if (is_exact || ajplb_uri_is_wildcard_match(r->pattern, uri)) {
            *best = r;
            *best_rank = c[i].rank;
            return;
        }
    }
}

static void ajplb__ix_probe(const ajplb__ix_table_t *t, apr_uint64_t h,
                            const char *key, apr_size_t klen,
                            const char *uri, const char *worker,
                            const ajplb_uri_rule_t **best, int *best_rank)
{
    apr_size_t i = (apr_size_t)h & t->mask;

    for (;;) {
        const ajplb__ix_slot_t *s = &t->slots[i];

        if (s->key == NULL) {
            return;
        }
        if (s->hash == h && s->klen == klen
            && memcmp(s->key, key, klen) == 0) {
            ajplb__ix_scan(s->cands, s->ncands, t->exact, uri, worker,
                           best, best_rank);
            return;
        }
        i = (i + 1) & t->mask;
    }
}

const ajplb_uri_rule_t *ajplb_uri_index_find(const ajplb_uri_index_t *ix,
                                             const char *uri,
                                             const char *worker)
{
    const ajplb_uri_rule_t *best = NULL;
    int best_rank = INT_MAX;
    apr_size_t len = strlen(uri), k, stop;
    apr_uint64_t h = AJPLB__IX_FNV_OFFSET;

    /* One forward pass: probe the directory table after each '/' and the
     * prefix table at every length some key has (both only where a key
     * of that length exists, which keeps cache misses few), then the
     * exact table with the hash of the whole path. */
    stop = ix->exact.slots != NULL ? len
        : AJPLB_MIN(len, AJPLB_MAX(ix->dir.maxlen, ix->prefix.maxlen));
    for (k = 1; k <= stop; k++) {
        h = AJPLB__IX_STEP(h, uri[k - 1]);
        if (uri[k - 1] == '/' && k <= ix->dir.maxlen && ix->dir.lens[k]) {
            ajplb__ix_probe(&ix->dir, h, uri, k, uri, worker,
                            &best, &best_rank);
        }
        if (ix->prefix.slots != NULL && k <= ix->prefix.maxlen
            && ix->prefix.lens[k]) {
            ajplb__ix_probe(&ix->prefix, h, uri, k, uri, worker,
                            &best, &best_rank);
        }
    }
    if (ix->exact.slots != NULL) {
        ajplb__ix_probe(&ix->exact, h, uri, len, uri, worker,
                        &best, &best_rank);
    }

    /* One backward pass for the suffix table. */
    if (ix->suffix.slots != NULL) {
        h = AJPLB__IX_FNV_OFFSET;
        stop = AJPLB_MIN(len, ix->suffix.maxlen);
        for (k = 1; k <= stop; k++) {
            h = AJPLB__IX_STEP(h, uri[len - k]);
            if (ix->suffix.lens[k]) {
                ajplb__ix_probe(&ix->suffix, h, uri + len - k, k, uri,
                                worker, &best, &best_rank);
            }
        }
    }
    ajplb__ix_scan(ix->generic, ix->ngeneric, 0, uri, worker, &best,
                   &best_rank);
    return best;
}
