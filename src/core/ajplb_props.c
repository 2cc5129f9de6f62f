/*
 * ajplb_props.c -- workers.properties reader: splits lines, strips comments
 * and whitespace, substitutes $(var), checks property names against the
 * table in ajplb_config_table.c, concatenates list properties and keeps
 * file:line for each value.  Core layer: APR only, never logs.
 */
#include <string.h>

#include <apr_env.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_props.h"
#include "ajplb_config.h"

/* A value may grow through $(var) substitution; without a cap, a few
 * lines that each repeat the previous variable grow exponentially. */
#define AJPLB__VALUE_MAX 65536

/* Files larger than this are not workers.properties files. */
#define AJPLB__FILE_MAX (64 * 1024 * 1024)

ajplb_props_t *ajplb_props_make(apr_pool_t *p, ajplb_diags_t *diags)
{
    ajplb_props_t *pr = apr_pcalloc(p, sizeof(*pr));

    pr->pool = p;
    pr->diags = diags;
    pr->index = apr_hash_make(p);
    pr->order = apr_array_make(p, 64, sizeof(ajplb_prop_t *));
    pr->windex = apr_hash_make(p);
    pr->workers = apr_array_make(p, 16, sizeof(ajplb_props_worker_t *));
    return pr;
}

static apr_status_t ajplb__error(ajplb_props_t *pr, const char *file,
                                 int line, const char *msg)
{
    ajplb_diag_add(pr->diags, AJPLB_DIAG_ERROR, file, line, "%s", msg);
    pr->errors++;
    return AJPLB_ECONFIG;
}

static int ajplb__is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim in place; returns the new start. */
static char *ajplb__trim(char *s)
{
    char *e;

    while (ajplb__is_space((unsigned char)*s)) {
        s++;
    }
    e = s + strlen(s);
    while (e > s && ajplb__is_space((unsigned char)e[-1])) {
        e--;
    }
    *e = '\0';
    return s;
}

typedef struct {
    const char *ptr;
    apr_size_t len;
} ajplb__seg_t;

static apr_status_t ajplb__too_long(ajplb_props_t *pr, const char *file,
                                    int line)
{
    return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
        "value longer than %d bytes after $(var) substitution; "
        "shorten the variables it uses", AJPLB__VALUE_MAX));
}

/* Does @a s contain @a word, ignoring case? */
static int ajplb__has_word(const char *s, const char *word)
{
    apr_size_t n = strlen(word);

    for (; *s; s++) {
        if (strncasecmp(s, word, n) == 0) {
            return 1;
        }
    }
    return 0;
}

int ajplb_props_key_is_secret(const char *key)
{
    static const char *const words[] = {
        "secret", "pass", "pwd", "token", "key", "credential", NULL
    };
    const char *s;
    int i;

    if (key == NULL) {
        return 0;
    }
    /* Every word starts with one of these: most keys are passed over in
     * one scan (the reader asks for every line). */
    for (s = key; *s && strchr("spPtkcSTKC", *s) == NULL; s++) {
    }
    if (*s == '\0') {
        return 0;
    }
    for (i = 0; words[i] != NULL; i++) {
        if (ajplb__has_word(s, words[i])) {
            return 1;
        }
    }
    return 0;
}

int ajplb_props_is_sensitive(const ajplb_prop_t *prop)
{
    return prop->sensitive
           || ajplb_props_key_is_secret(prop->attr ? prop->attr : prop->key);
}

/* @a prop holds a secret: so does every variable its value was made of.
 * A variable is marked once, so a chain is walked once; the walk keeps
 * its own stack, as a chain may be as long as the file. */
static void ajplb__mark_refs(apr_pool_t *p, ajplb_prop_t *prop)
{
    apr_array_header_t *todo;
    int i;

    prop->sensitive = 1;
    if (prop->refs == NULL) {
        return;
    }
    todo = apr_array_make(p, 8, sizeof(ajplb_prop_t *));
    APR_ARRAY_PUSH(todo, ajplb_prop_t *) = prop;
    while (todo->nelts > 0) {
        ajplb_prop_t *cur = *(ajplb_prop_t **)apr_array_pop(todo);
        for (i = 0; cur->refs != NULL && i < cur->refs->nelts; i++) {
            ajplb_prop_t *r = APR_ARRAY_IDX(cur->refs, i, ajplb_prop_t *);
            if (!r->sensitive) {
                r->sensitive = 1;
                APR_ARRAY_PUSH(todo, ajplb_prop_t *) = r;
            }
        }
    }
}

/* A property made from a secret variable is secret too. */
static int ajplb__refs_sensitive(const apr_array_header_t *refs)
{
    int i;

    for (i = 0; refs != NULL && i < refs->nelts; i++) {
        if (ajplb_props_is_sensitive(APR_ARRAY_IDX(refs, i,
                                                   ajplb_prop_t *))) {
            return 1;
        }
    }
    return 0;
}

void ajplb_props_mark_sensitive(ajplb_props_t *pr)
{
    int i, changed = 1;

    /* Backward marks variables, forward marks what was made from them;
     * repeat until nothing changes (each round marks at least one). */
    while (changed) {
        changed = 0;
        for (i = 0; i < pr->order->nelts; i++) {
            ajplb_prop_t *prop = APR_ARRAY_IDX(pr->order, i, ajplb_prop_t *);
            /* A marked property has its variables marked already. */
            if (!prop->sensitive && (ajplb_props_is_sensitive(prop)
                                     || ajplb__refs_sensitive(prop->refs))) {
                ajplb__mark_refs(pr->pool, prop);
                changed = 1;
            }
        }
    }
}

/*
 * Replace each $(name) in @a v by the value of an earlier property called
 * name, else the environment variable.  Substituted text is not scanned
 * again, so a value cannot expand itself.  The pieces are collected first
 * and copied once, so many variables on one line cost linear time.  The
 * properties used are pushed on *@a refs (made on first use).  Messages
 * name @a key, never the value: it may be a secret.
 */
static apr_status_t ajplb__subst(ajplb_props_t *pr, const char *key,
                                 const char *v, const char *file, int line,
                                 const char **out,
                                 apr_array_header_t **refs)
{
    const char *start = strstr(v, "$(");
    apr_array_header_t *segs;
    ajplb__seg_t *seg;
    apr_size_t total = 0;
    char *res, *w;
    int i;

    if (start == NULL) {
        *out = apr_pstrdup(pr->pool, v);
        return APR_SUCCESS;
    }
    segs = apr_array_make(pr->pool, 8, sizeof(ajplb__seg_t));
    while (start != NULL) {
        const char *end = strchr(start + 2, ')');
        const ajplb_prop_t *var;
        const char *name, *val = NULL;
        char *env = NULL;

        if (end == NULL) {
            return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
                "unterminated '$(' in the value of '%s' (column %d of the "
                "value); write $(name) to use a variable", key,
                (int)(start - v) + 1));
        }
        name = apr_pstrmemdup(pr->pool, start + 2,
                              (apr_size_t)(end - start - 2));
        if (*name == '\0') {
            return ajplb__error(pr, file, line,
                "empty variable name '$()'; write $(name) with the name "
                "of a property defined on an earlier line");
        }
        var = apr_hash_get(pr->index, name, APR_HASH_KEY_STRING);
        if (var != NULL) {
            val = var->value;
            if (*refs == NULL) {
                *refs = apr_array_make(pr->pool, 2, sizeof(ajplb_prop_t *));
            }
            APR_ARRAY_PUSH(*refs, ajplb_prop_t *) = (ajplb_prop_t *)var;
        }
        else if (apr_env_get(&env, name, pr->pool) == APR_SUCCESS) {
            val = env;
        }
        else {
            return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
                "undefined variable '$(%s)': define '%s=...' on an "
                "earlier line or set %s in httpd's environment",
                name, name, name));
        }
        seg = apr_array_push(segs);
        seg->ptr = v;
        seg->len = (apr_size_t)(start - v);
        seg = apr_array_push(segs);
        seg->ptr = val;
        seg->len = strlen(val);
        total += (apr_size_t)(start - v) + seg->len;
        if (total > AJPLB__VALUE_MAX) {
            return ajplb__too_long(pr, file, line);
        }
        v = end + 1;
        start = strstr(v, "$(");
    }
    seg = apr_array_push(segs);
    seg->ptr = v;
    seg->len = strlen(v);
    total += seg->len;
    if (total > AJPLB__VALUE_MAX) {
        return ajplb__too_long(pr, file, line);
    }
    res = w = apr_palloc(pr->pool, total + 1);
    for (i = 0; i < segs->nelts; i++) {
        seg = &APR_ARRAY_IDX(segs, i, ajplb__seg_t);
        memcpy(w, seg->ptr, seg->len);
        w += seg->len;
    }
    *w = '\0';
    *out = res;
    return APR_SUCCESS;
}

static ajplb_props_worker_t *ajplb__bucket(ajplb_props_t *pr,
                                           const char *name,
                                           const char *file, int line)
{
    ajplb_props_worker_t *b = apr_hash_get(pr->windex, name,
                                           APR_HASH_KEY_STRING);

    if (b == NULL) {
        b = apr_pcalloc(pr->pool, sizeof(*b));
        b->name = apr_pstrdup(pr->pool, name);
        b->file = file;
        b->line = line;
        b->props = apr_array_make(pr->pool, 8, sizeof(ajplb_prop_t *));
        apr_hash_set(pr->windex, b->name, APR_HASH_KEY_STRING, b);
        APR_ARRAY_PUSH(pr->workers, ajplb_props_worker_t *) = b;
    }
    return b;
}

/* Record a warning for a deprecated or ignored attribute name. */
static void ajplb__warn_deprecated(ajplb_props_t *pr,
                                   const ajplb_propdef_t *def,
                                   const char *file, int line)
{
    const char *msg;

    if (def->rename) {
        msg = apr_psprintf(pr->pool, "'%s' is deprecated; write '%s' "
                           "instead (same value)", def->name,
                           def->replaced_by);
    }
    else if (strcmp(def->name, "disabled") == 0) {
        msg = "'disabled' is deprecated; write 'activation=D' instead";
    }
    else if (strcmp(def->name, "stopped") == 0) {
        msg = "'stopped' is deprecated; write 'activation=S' instead";
    }
    else if (strcmp(def->name, "secretkey") == 0) {
        msg = "'secretkey' belongs to the removed ajp14 protocol and is "
              "ignored; write 'secret' (the AJP13 shared secret) instead";
    }
    else if (*def->replaced_by != '\0') {
        msg = apr_psprintf(pr->pool, "'%s' is deprecated and ignored; "
                           "use '%s' instead", def->name,
                           def->replaced_by);
    }
    else {
        msg = apr_psprintf(pr->pool, "'%s' is a JNI-era property and is "
                           "ignored; remove it", def->name);
    }
    ajplb_diag_add(pr->diags, AJPLB_DIAG_WARN, file, line, "%s", msg);
}

/*
 * Check a key and find out where its value goes.  Sets *key_out (maybe
 * renamed from a deprecated name), *worker and *attr for worker.X.Y keys and
 * *is_list.
 */
static apr_status_t ajplb__classify(ajplb_props_t *pr, const char *key,
                                    const char *file, int line,
                                    const char **key_out,
                                    const char **written_as,
                                    const char **worker, const char **attr,
                                    int *is_list)
{
    const char *rest, *dot, *sugg;
    const ajplb_propdef_t *def;
    char *name;

    *key_out = key;
    *written_as = NULL;
    *worker = NULL;
    *attr = NULL;
    *is_list = 0;
    if (strncmp(key, "worker.", 7) != 0) {
        /* A variable for $(var), or a legacy global such as
         * workers.tomcat_home, workers.java_home or ps: accepted,
         * no effect of its own. */
        return APR_SUCCESS;
    }
    rest = key + 7;
    if (strcmp(rest, "list") == 0) {
        *is_list = 1;
        return APR_SUCCESS;
    }
    if (strcmp(rest, "maintain") == 0) {
        return APR_SUCCESS;
    }
    dot = strrchr(rest, '.');
    if (dot == NULL) {
        sugg = ajplb_propdef_suggest(rest, 1);
        return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
            "unknown global property '%s'%s%s%s; the global properties "
            "are worker.list and worker.maintain, worker properties are "
            "written worker.<name>.<property>", key,
            sugg ? ": did you mean 'worker." : "", sugg ? sugg : "",
            sugg ? "'?" : ""));
    }
    name = apr_pstrmemdup(pr->pool, rest, (apr_size_t)(dot - rest));
    *attr = dot + 1;
    if (!ajplb_name_is_valid(name)) {
        return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
            "invalid worker name '%s' in '%s': use 1 to %d letters, "
            "digits, '_' or '-' (no '.', ',', ';' or spaces)",
            name, key, AJPLB_NAME_MAX));
    }
    def = ajplb_propdef_find(*attr);
    if (def == NULL) {
        sugg = ajplb_propdef_suggest(*attr, 0);
        if (sugg != NULL) {
            return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
                "unknown property '%s' of worker '%s': did you mean "
                "'%s'? (write worker.%s.%s=...)", *attr, name, sugg,
                name, sugg));
        }
        return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
            "unknown property '%s' of worker '%s'; see docs/WORKERS.md "
            "for the valid names", *attr, name));
    }
    if (def->replaced_by != NULL) {
        ajplb__warn_deprecated(pr, def, file, line);
        if (def->rename) {
            *written_as = key;
            *attr = def->replaced_by;
            *key_out = apr_pstrcat(pr->pool, "worker.", name, ".",
                                   def->replaced_by, NULL);
            def = ajplb_propdef_find(def->replaced_by);
        }
    }
    *worker = name;
    *is_list = def != NULL && def->kind == AJPLB_PROP_LIST;
    return APR_SUCCESS;
}

/* Remember which variables went into @a prop (a list or a replaced
 * value keeps those of every line). */
static void ajplb__add_refs(ajplb_props_t *pr, ajplb_prop_t *prop,
                            const apr_array_header_t *refs)
{
    if (refs == NULL) {
        return;
    }
    if (prop->refs == NULL) {
        prop->refs = apr_array_make(pr->pool, refs->nelts,
                                    sizeof(ajplb_prop_t *));
    }
    apr_array_cat(prop->refs, refs);
}

/* Store key=value (value already substituted from @a refs). */
static apr_status_t ajplb__store(ajplb_props_t *pr, const char *key,
                                 const char *value, const char *file,
                                 int line, apr_array_header_t *refs)
{
    const char *k, *written_as, *worker, *attr;
    ajplb_prop_t *prop;
    ajplb_prop_part_t *part;
    int is_list, secret;
    apr_status_t rv;

    rv = ajplb__classify(pr, key, file, line, &k, &written_as, &worker,
                         &attr, &is_list);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    secret = ajplb_props_key_is_secret(attr ? attr : k)
             || ajplb__refs_sensitive(refs);
    prop = apr_hash_get(pr->index, k, APR_HASH_KEY_STRING);
    if (prop != NULL) {
        ajplb__add_refs(pr, prop, refs);
        if (secret || prop->sensitive) {
            /* Also when it was marked before: its new variables too. */
            ajplb__mark_refs(pr->pool, prop);
        }
    }
    if (prop != NULL && is_list) {
        if (*value != '\0') {
            part = apr_array_push(prop->parts);
            part->value = value;
            part->file = file;
            part->line = line;
            prop->value = *prop->value == '\0' ? value
                : apr_pstrcat(pr->pool, prop->value, ",", value, NULL);
        }
        return APR_SUCCESS;
    }
    if (prop != NULL) {
        /* mod_jk: last one wins with a warning; existing configs rely on
         * it (a JkWorkerProperty overriding the file, say).  Values are
         * shown only for worker settings that hold no secret: a variable
         * may become part of a secret on a later line. */
        int show = worker != NULL && !prop->sensitive;
        ajplb_diag_add(pr->diags, AJPLB_DIAG_WARN, file, line,
                       "duplicate '%s'%s%s%s: this value%s%s%s replaces "
                       "%s%s%s set at %s:%d (the last one wins, as in "
                       "mod_jk); remove one of the two lines", k,
                       written_as ? " (written as '" : "",
                       written_as ? written_as : "",
                       written_as ? "')" : "",
                       show ? " '" : "", show ? value : "", show ? "'" : "",
                       show ? "'" : "the value", show ? prop->value : "",
                       show ? "'" : "", prop->file, prop->line);
        prop->value = value;
        prop->file = file;
        prop->line = line;
        prop->written_as = written_as;
        return APR_SUCCESS;
    }
    prop = apr_pcalloc(pr->pool, sizeof(*prop));
    prop->key = apr_pstrdup(pr->pool, k);
    prop->value = value;
    prop->file = file;
    prop->line = line;
    prop->written_as = written_as;
    prop->attr = attr;
    ajplb__add_refs(pr, prop, refs);
    if (secret) {
        ajplb__mark_refs(pr->pool, prop);
    }
    if (is_list) {
        prop->parts = apr_array_make(pr->pool, 2, sizeof(ajplb_prop_part_t));
        if (*value != '\0') {
            part = apr_array_push(prop->parts);
            part->value = value;
            part->file = file;
            part->line = line;
        }
    }
    apr_hash_set(pr->index, prop->key, APR_HASH_KEY_STRING, prop);
    APR_ARRAY_PUSH(pr->order, ajplb_prop_t *) = prop;
    if (worker != NULL) {
        ajplb_props_worker_t *b = ajplb__bucket(pr, worker, file, line);
        prop->worker = b->name;
        APR_ARRAY_PUSH(b->props, ajplb_prop_t *) = prop;
    }
    return APR_SUCCESS;
}

/* One physical line, not NUL-terminated, without its line ending. */
static apr_status_t ajplb__line(ajplb_props_t *pr, const char *text,
                                apr_size_t len, const char *file, int line)
{
    char buf[AJPLB_PROPS_LINE_MAX + 1];
    char *s, *eq, *key, *val, *hash;
    const char *value;
    const char *nul = memchr(text, '\0', len);
    apr_array_header_t *refs = NULL;
    apr_status_t rv;

    if (nul != NULL) {
        return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
            "NUL byte in column %d: the file is binary or UTF-16; save "
            "it as plain UTF-8 or ASCII text",
            (int)(nul - text) + 1));
    }
    if (len > AJPLB_PROPS_LINE_MAX) {
        return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
            "line too long (%" APR_SIZE_T_FMT " bytes, the limit is %d); "
            "the whole line is refused (mod_jk would split it into two "
            "properties): shorten it, list properties can be repeated "
            "on several lines", len, AJPLB_PROPS_LINE_MAX));
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* '#' starts a comment anywhere, also after a value, as in mod_jk;
     * a '#' cannot be part of a value (a secret, say). */
    hash = strchr(buf, '#');
    if (hash != NULL) {
        *hash = '\0';
    }
    s = ajplb__trim(buf);
    if (*s == '\0') {
        return APR_SUCCESS;
    }
    eq = strchr(s, '=');
    if (eq == NULL) {
        /* The line is not echoed: it may be a secret pasted on its own
         * line, or "worker.w1.secret TopSecret". */
        return ajplb__error(pr, file, line,
            "no '=' on this line; write name=value, or start the line "
            "with '#' to make it a comment");
    }
    *eq = '\0';
    key = ajplb__trim(s);
    val = ajplb__trim(eq + 1);
    if (*key == '\0') {
        return ajplb__error(pr, file, line,
            "no property name before '='; write name=value");
    }
    for (s = key; *s; s++) {
        if (ajplb__is_space((unsigned char)*s)
            || apr_iscntrl((unsigned char)*s)) {
            /* Only the part before the space: after it may come a
             * secret ("worker.w1.secret Top=Secret"). */
            return ajplb__error(pr, file, line, apr_psprintf(pr->pool,
                "property name '%.*s...' contains a space or control "
                "character; write it as one word, e.g. worker.w1.port",
                (int)(s - key), key));
        }
    }
    rv = ajplb__subst(pr, key, val, file, line, &value, &refs);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    return ajplb__store(pr, apr_pstrdup(pr->pool, key), value, file, line,
                        refs);
}

apr_status_t ajplb_props_read_buffer(ajplb_props_t *pr, const char *buf,
                                     apr_size_t len, const char *name)
{
    const char *file = apr_pstrdup(pr->pool, name ? name : "(buffer)");
    const char *p = buf, *end = buf + len;
    int line = 0, bad = 0;

    /* A UTF-8 byte order mark, as Windows editors write it. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (apr_size_t)(end - p));
        const char *eol = nl ? nl : end;
        apr_size_t n = (apr_size_t)(eol - p);

        line++;
        if (n > 0 && p[n - 1] == '\r') {
            n--;
        }
        if (ajplb__line(pr, p, n, file, line) != APR_SUCCESS) {
            bad = 1;
        }
        p = nl ? nl + 1 : end;
    }
    return bad ? AJPLB_ECONFIG : APR_SUCCESS;
}

apr_status_t ajplb_props_read_file(ajplb_props_t *pr, const char *path)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t n;
    char *buf;
    apr_status_t rv;
    char err[120];
    const char *file = apr_pstrdup(pr->pool, path);

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                       APR_OS_DEFAULT, pr->pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
        if (rv == APR_SUCCESS && fi.filetype != APR_REG) {
            apr_file_close(f);
            ajplb_diag_add(pr->diags, AJPLB_DIAG_ERROR, file, 0,
                           "not a regular file; JkWorkersFile must name a "
                           "workers.properties file");
            pr->errors++;
            return AJPLB_ECONFIG;
        }
    }
    if (rv == APR_SUCCESS && fi.size > AJPLB__FILE_MAX) {
        apr_file_close(f);
        ajplb_diag_add(pr->diags, AJPLB_DIAG_ERROR, file, 0,
                       "file larger than %d MB; is this really a "
                       "workers.properties file?", AJPLB__FILE_MAX >> 20);
        pr->errors++;
        return AJPLB_ECONFIG;
    }
    if (rv == APR_SUCCESS) {
        n = (apr_size_t)fi.size;
        buf = apr_palloc(pr->pool, n + 1);
        rv = n ? apr_file_read_full(f, buf, n, &n) : APR_SUCCESS;
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        ajplb_diag_add(pr->diags, AJPLB_DIAG_ERROR, file, 0,
                       "cannot read the workers file: %s; check the "
                       "JkWorkersFile path and its permissions",
                       apr_strerror(rv, err, sizeof(err)));
        pr->errors++;
        return rv;
    }
    return ajplb_props_read_buffer(pr, buf, n, path);
}

apr_status_t ajplb_props_add_line(ajplb_props_t *pr, const char *line,
                                  const char *file, int lineno)
{
    const char *f = apr_pstrdup(pr->pool, file ? file : "(directive)");

    return ajplb__line(pr, line, strlen(line), f, lineno);
}

const ajplb_prop_t *ajplb_props_get(const ajplb_props_t *pr,
                                    const char *key)
{
    return apr_hash_get(pr->index, key, APR_HASH_KEY_STRING);
}

const char *ajplb_props_value(const ajplb_props_t *pr, const char *key)
{
    const ajplb_prop_t *prop = ajplb_props_get(pr, key);

    return prop ? prop->value : NULL;
}

const ajplb_prop_t *ajplb_props_worker_get(const ajplb_props_t *pr,
                                           const char *worker,
                                           const char *attr)
{
    char key[AJPLB_NAME_MAX + 64];

    if (strlen(worker) > AJPLB_NAME_MAX || strlen(attr) > 40) {
        return NULL;
    }
    apr_snprintf(key, sizeof(key), "worker.%s.%s", worker, attr);
    return apr_hash_get(pr->index, key, APR_HASH_KEY_STRING);
}

const ajplb_props_worker_t *ajplb_props_find_worker(const ajplb_props_t *pr,
                                                    const char *name)
{
    return apr_hash_get(pr->windex, name, APR_HASH_KEY_STRING);
}
