/*
 * ajplb_props.h -- workers.properties reader: name=value lines, comments,
 * $(var) substitution, repeatable list properties, deprecated names and
 * worker.X.reference templates.  Every property remembers its file:line.
 * Core layer: APR only, never logs (problems go to an ajplb_diags_t).
 */
#ifndef AJPLB_PROPS_H
#define AJPLB_PROPS_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>

#include "ajplb_common.h"
#include "ajplb_diag.h"

/* mod_jk's LENGTH_OF_LINE: a longer line is an error here (mod_jk splits
 * it and parses the tail as a new property). */
#define AJPLB_PROPS_LINE_MAX 8192

/* mod_jk's JK_MAP_RECURSION: longest chain of reference= templates. */
#define AJPLB_PROPS_REF_DEPTH 20

/* One piece of a list property as written on one line. */
typedef struct {
    const char *value;
    const char *file;
    int line;
} ajplb_prop_part_t;

typedef struct {
    const char *key;            /* "worker.w1.port", "worker.list", "ps" */
    const char *value;          /* substituted, trimmed; lists joined by ',' */
    const char *file;           /* where the value that counts was written */
    int line;
    const char *written_as;     /* the deprecated key used, or NULL */
    const char *worker;         /* "w1" for worker.w1.*, else NULL */
    const char *attr;           /* "port" for worker.w1.port, else NULL */
    const char *inherited_from; /* template worker name, or NULL */
    apr_array_header_t *parts;  /* of ajplb_prop_part_t; lists only */
    apr_array_header_t *refs;   /* of ajplb_prop_t *: the $(var) it used */
    int sensitive;              /* may hold (part of) a secret: never shown */
} ajplb_prop_t;

/* All properties of one worker name (worker.<name>.*). */
typedef struct {
    const char *name;
    const char *file;           /* first line that mentions the worker */
    int line;
    apr_array_header_t *props;  /* of ajplb_prop_t *, first-seen order */
    int ref_state;              /* references: 0 new, 1 busy, 2 done */
} ajplb_props_worker_t;

typedef struct {
    apr_pool_t *pool;
    ajplb_diags_t *diags;
    apr_hash_t *index;          /* key -> ajplb_prop_t * */
    apr_array_header_t *order;  /* of ajplb_prop_t *, first-seen order */
    apr_hash_t *windex;         /* worker name -> ajplb_props_worker_t * */
    apr_array_header_t *workers;    /* of ajplb_props_worker_t * */
    int errors;                 /* errors recorded by the reader */
    int resolved;               /* references already resolved */
} ajplb_props_t;

/**
 * A new, empty property set.  Diagnostics go to @a diags; file names are
 * copied into @a p, which must live at least as long as @a diags is read.
 */
ajplb_props_t *ajplb_props_make(apr_pool_t *p, ajplb_diags_t *diags);

/**
 * Read a workers.properties file.
 * @return APR_SUCCESS; the APR error when the file cannot be read (an
 *         error diagnostic naming the file is recorded too); AJPLB_ECONFIG
 *         when a line was refused (diagnostics say which and why)
 */
apr_status_t ajplb_props_read_file(ajplb_props_t *pr, const char *path);

/**
 * Read @a len bytes of properties text; @a name is used as the file name
 * in diagnostics.  The buffer may hold anything (NUL bytes, no final
 * newline); it is not modified and not kept.
 * @return APR_SUCCESS or AJPLB_ECONFIG
 */
apr_status_t ajplb_props_read_buffer(ajplb_props_t *pr, const char *buf,
                                     apr_size_t len, const char *name);

/**
 * Add one "name=value" line that came from @a file:@a lineno (the
 * JkWorkerProperty directive).  Same rules as a line of a file.
 * @return APR_SUCCESS or AJPLB_ECONFIG
 */
apr_status_t ajplb_props_add_line(ajplb_props_t *pr, const char *line,
                                  const char *file, int lineno);

/**
 * Copy the properties of reference= templates into the workers that name
 * them (only those not set on the worker).  Called by ajplb_model_build();
 * call it after all input has been read.  Cycles and chains deeper than
 * AJPLB_PROPS_REF_DEPTH are errors naming the path.
 * @return APR_SUCCESS or AJPLB_ECONFIG
 */
apr_status_t ajplb_props_resolve(ajplb_props_t *pr);

/**
 * 1 when the name @a key says it holds a secret: the attribute secret or
 * secretkey of a worker, or any other key containing (any case) secret,
 * pass (password, passwd, passphrase), pwd, token, key or credential.
 */
int ajplb_props_key_is_secret(const char *key);

/**
 * Mark every property whose value may hold a secret: those named like one
 * (ajplb_props_key_is_secret), every variable whose value went into one
 * through $(var), and every property that took its value from one.
 * ajplb_props_resolve() calls it; the reader also marks as it goes, so a
 * diagnostic about a later line already knows.
 */
void ajplb_props_mark_sensitive(ajplb_props_t *pr);

/** 1 when @a prop must never be shown (status dump, logs, messages). */
int ajplb_props_is_sensitive(const ajplb_prop_t *prop);

/** The property stored under @a key, or NULL. */
const ajplb_prop_t *ajplb_props_get(const ajplb_props_t *pr,
                                    const char *key);

/** Its value, or NULL. */
const char *ajplb_props_value(const ajplb_props_t *pr, const char *key);

/** Attribute @a attr of worker @a worker, or NULL. */
const ajplb_prop_t *ajplb_props_worker_get(const ajplb_props_t *pr,
                                           const char *worker,
                                           const char *attr);

/** The properties of worker @a name, or NULL when none was written. */
const ajplb_props_worker_t *ajplb_props_find_worker(const ajplb_props_t *pr,
                                                    const char *name);

#endif /* AJPLB_PROPS_H */
