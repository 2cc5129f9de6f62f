/*
 * ajplb_uri_map.h -- the JkMount / uriworkermap.properties rule map: rules
 * are added at configuration time, built once into an immutable index,
 * then matched by any number of threads.  Core layer: APR only, never logs.
 */
#ifndef AJPLB_URI_MAP_H
#define AJPLB_URI_MAP_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "ajplb_common.h"
#include "ajplb_diag.h"

/* Where a rule came from.  The numeric order is the tie-break order of
 * mod_jk: at equal '/' count and length, a higher source wins. */
typedef enum {
    AJPLB_URI_SRC_WORKERDEF = 1,    /* workers.properties "mount" */
    AJPLB_URI_SRC_JKMOUNT = 2,      /* JkMount / JkUnMount */
    AJPLB_URI_SRC_MOUNTFILE = 3     /* JkMountFile (uriworkermap) */
} ajplb_uri_source_e;

/* Flags for ajplb_uri_map_add(). */
#define AJPLB_URI_RULE_UNMOUNT 0x1  /* JkUnMount: the rule is an exclusion */
#define AJPLB_URI_RULE_LITERAL 0x2  /* <Location> JkMount: the pattern is
                                     * taken verbatim as an exact rule;
                                     * no '!', '-', '|', '*' or '?' */

/* Rule extensions ("worker;reply_timeout=...").  Integers are AJPLB_UNSET,
 * pointers NULL, when the extension was not given, so the worker's own
 * setting applies. */
typedef struct {
    int reply_timeout;              /* milliseconds */
    int sticky_ignore;              /* 0 or 1 */
    int stateless;                  /* 0 or 1 */
    int set_session_cookie;         /* 0 or 1 */
    int use_server_errors;          /* status from which httpd's own error
                                     * page replaces the backend's */
    apr_array_header_t *active;     /* of const char *, lb member names */
    apr_array_header_t *disabled;   /* of const char * */
    apr_array_header_t *stopped;    /* of const char * */
    apr_array_header_t *fail_on_status; /* of int; -N means "-N" (fail
                                         * without marking the member) */
    const char *session_cookie;
    const char *session_path;
    const char *session_cookie_path;
} ajplb_uri_ext_t;

typedef struct {
    const char *pattern;            /* without '!' / '-' prefixes */
    const char *worker;             /* worker name, or "*" on exclusions */
    ajplb_uri_ext_t ext;
    ajplb_uri_source_e source;
    const char *file;               /* where it was written (may be NULL) */
    int line;
    int exclude;                    /* '!' or JkUnMount */
    int disabled;                   /* '-': kept for display, never used */
    int wildcard;                   /* pattern holds '*' or '?' */
    int slashes;                    /* '/' count: first sort key */
    apr_size_t len;                 /* pattern length: second sort key */
    int seq;                        /* order of definition: last tie-break */
} ajplb_uri_rule_t;

typedef struct ajplb_uri_map_t ajplb_uri_map_t;

/**
 * A new, empty map allocated from @a p (normally pconf, or a fresh pool
 * per JkMountFile reload).  Problems found while adding rules go to
 * @a diags with their file and line.
 */
ajplb_uri_map_t *ajplb_uri_map_make(apr_pool_t *p, ajplb_diags_t *diags);

/**
 * Add one rule, as JkMount, JkUnMount, a workers.properties "mount" or one
 * mount-file line would.  @a pattern may carry the '!', '-' and "-!"
 * prefixes and "a|b" (two rules, "a" and "ab") unless
 * AJPLB_URI_RULE_LITERAL is set.  @a target is "worker[;ext=value...]".
 * @a file (not copied; must outlive @a diags) and @a line locate it for
 * diagnostics.  Not thread-safe; configuration time only.
 * @return APR_SUCCESS, AJPLB_ECONFIG when the rule was refused (the
 *         reason is in diags), AJPLB_EMAPBUILT after ajplb_uri_map_build().
 */
apr_status_t ajplb_uri_map_add(ajplb_uri_map_t *m, ajplb_uri_source_e src,
                               const char *pattern, const char *target,
                               int flags, const char *file, int line);

/**
 * Parse uriworkermap.properties text: "pattern=worker[;ext...]" lines,
 * '#' starts a comment anywhere, blank lines and surrounding blanks are
 * ignored, CRLF and a leading UTF-8 BOM are accepted.  Every rule goes in
 * with AJPLB_URI_SRC_MOUNTFILE.
 * @return APR_SUCCESS, or AJPLB_ECONFIG when any line was an error.
 */
apr_status_t ajplb_uri_map_parse(ajplb_uri_map_t *m, const char *file,
                                 const char *buf, apr_size_t len);

/**
 * Read and parse a mount file (see ajplb_uri_map_parse()).
 * @return APR_SUCCESS, AJPLB_ECONFIG, or the APR error opening or reading
 *         @a path (also recorded in diags).
 */
apr_status_t ajplb_uri_map_read_file(ajplb_uri_map_t *m, const char *path);

/**
 * Copy every rule of source @a src from @a from into @a m, with its file
 * and line.  A JkMountFile reload builds a new map from the file, copies
 * the JkMount and workers.properties rules of the live map, builds it,
 * and only then publishes it.
 */
apr_status_t ajplb_uri_map_copy_source(ajplb_uri_map_t *m,
                                       const ajplb_uri_map_t *from,
                                       ajplb_uri_source_e src);

/**
 * Freeze the map: sort the rules by priority and build the lookup index.
 * Also warns about exclusions whose worker no mount uses.  After this the
 * map is read-only and ajplb_uri_map_match() may run in any number of
 * threads without locking.
 * @return APR_SUCCESS, or AJPLB_ECONFIG when any error was recorded for
 *         this map (the map is then still matchable, but should not be
 *         published: on reload the caller keeps the old one).
 */
apr_status_t ajplb_uri_map_build(ajplb_uri_map_t *m);

/**
 * Map a normalised path (ajplb_uri_normalize()).  The winner is the first
 * matching enabled mount in priority order (more '/', then longer
 * pattern, then source, then exact before wildcard, then order of
 * definition); it is then dropped if any exclusion for its worker (or for
 * "*") matches.  Allocates nothing; read-only on a built map.
 * @param excluded_by if not NULL, set to the exclusion that vetoed a
 *        match, else NULL
 * @return the winning rule, or NULL when the path is not to be forwarded
 *         (no match, excluded, map not built, or path not starting '/').
 */
const ajplb_uri_rule_t *ajplb_uri_map_match(const ajplb_uri_map_t *m,
                                            const char *uri,
                                            const ajplb_uri_rule_t
                                            **excluded_by);

/**
 * Every rule of the map (of const ajplb_uri_rule_t *), disabled ones too;
 * in priority order once built.  For the status worker and tests.
 */
const apr_array_header_t *ajplb_uri_map_rules(const ajplb_uri_map_t *m);

/**
 * Parse "worker[;name=value...]" into @a worker and @a ext (pool @a p).
 * Unknown extensions and repeated ones are warnings; bad numbers, bad
 * 0/1 flags and an empty worker are errors.
 * @return APR_SUCCESS or AJPLB_ECONFIG (details in @a diags).
 */
apr_status_t ajplb_uri_ext_parse(apr_pool_t *p, const char *target,
                                 const char **worker, ajplb_uri_ext_t *ext,
                                 ajplb_diags_t *diags, const char *file,
                                 int line);

/**
 * The extensions set in @a ext as a rule target writes them, in a fixed
 * order ("reply_timeout=5000;sticky_ignore=1", lists joined by ','; ""
 * when none), so two rules compare by their text.  For the status
 * worker's dump.
 */
const char *ajplb_uri_ext_text(apr_pool_t *p, const ajplb_uri_ext_t *ext);

/* ---- internal to src/core/ajplb_uri_map*.c ----------------------------------
 * The lookup index of one rule kind (mounts or exclusions).  Exposed only
 * so the map and its index can live in separate files. */
typedef struct ajplb_uri_index_t ajplb_uri_index_t;

/** Record a diagnostic through the map's collector, counted among the
 *  map's own errors for ajplb_uri_map_build(). */
void ajplb_uri_map_diag(ajplb_uri_map_t *m, ajplb_diag_level_e level,
                        const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** A copy of @a s in the map's pool (file names that rules keep). */
const char *ajplb_uri_map_copy_name(ajplb_uri_map_t *m, const char *s);

/** Build an index over @a rules (of ajplb_uri_rule_t *, already in
 *  priority order) in pool @a p. */
ajplb_uri_index_t *ajplb_uri_index_make(apr_pool_t *p,
                                        const apr_array_header_t *rules);

/**
 * The best-ranked rule of the index that matches @a uri and, when
 * @a worker is not NULL, whose worker is @a worker or "*".  Rules are
 * ranked by their position in the array given to ajplb_uri_index_make().
 */
const ajplb_uri_rule_t *ajplb_uri_index_find(const ajplb_uri_index_t *ix,
                                             const char *uri,
                                             const char *worker);

#endif /* AJPLB_URI_MAP_H */
