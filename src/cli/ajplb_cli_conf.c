/*
 * ajplb_cli_conf.c -- COMMAND: reads the parts of an httpd configuration
 * the module reads (Jk* directives, <VirtualHost>, <Location>, Include,
 * ServerRoot, Timeout, ThreadsPerChild) without an httpd, then builds the
 * worker model and each server's mount map through the same core calls as
 * the module's check_config, so the diagnostics are the same.
 */
#include <ctype.h>
#include <glob.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_file_io.h>
#include <apr_fnmatch.h>
#include <apr_strings.h>

#include "ajplb_cli.h"
#include "ajplb_conf_check.h"
#include "ajplb_props.h"
#include "ajplb_status.h"
#include "ajplb_uri_map_model.h"

#define AJPLB__MAX_DEPTH 16     /* nested Include levels */

/* The reader's position: the server and <Location> path a line is in. */
typedef struct {
    ajplb_cli_conf_t *c;
    ajplb_cli_server_t *srv;
    const char *location;       /* <Location> path, or NULL */
    ajplb_cli_location_t *loc;  /* the open <Location> section, or NULL */
    int depth;
} ajplb__ctx_t;

static ajplb_cli_server_t *ajplb__server_make(apr_pool_t *p, int is_virtual)
{
    ajplb_cli_server_t *s = apr_pcalloc(p, sizeof(*s));

    s->name = is_virtual ? NULL : "(main server)";
    s->aliases = apr_array_make(p, 2, sizeof(const char *));
    s->mounts = apr_array_make(p, 4, sizeof(ajplb_cli_mount_t));
    s->locations = apr_array_make(p, 2, sizeof(ajplb_cli_location_t *));
    s->is_virtual = is_virtual;
    s->mount_copy = AJPLB_UNSET;
    s->reject_unsafe = -1;
    s->allow_encoded_slashes = -1;
    return s;
}

ajplb_cli_conf_t *ajplb_cli_conf_make(apr_pool_t *p)
{
    ajplb_cli_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->pool = p;
    c->server_root = "/etc/apache2";
    c->prop_lines = apr_array_make(p, 4, sizeof(ajplb_cli_prop_line_t));
    c->servers = apr_array_make(p, 4, sizeof(ajplb_cli_server_t *));
    c->options = apr_array_make(p, 4, sizeof(ajplb_cli_option_t));
    APR_ARRAY_PUSH(c->servers, ajplb_cli_server_t *) =
        ajplb__server_make(p, 0);
    c->timeout = 60;
    c->threads = 25;
    c->diags = ajplb_diags_make(p);
    return c;
}

/* ap_server_root_relative(): absolute paths stay, others hang off
 * ServerRoot. */
static const char *ajplb__root_rel(ajplb_cli_conf_t *c, const char *path)
{
    if (path[0] == '/') {
        return path;
    }
    return apr_pstrcat(c->pool, c->server_root, "/", path, NULL);
}

/* One word as ap_getword_conf() takes it: quoted with " or ' (a backslash
 * escapes the quote), else up to white space. */
static const char *ajplb__word(apr_pool_t *p, const char **line)
{
    const char *s = *line, *start;
    char *out, *o;

    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    if (*s == '\0') {
        *line = s;
        return "";
    }
    if (*s == '"' || *s == '\'') {
        char q = *s++;
        out = o = apr_palloc(p, strlen(s) + 1);
        while (*s && *s != q) {
            if (*s == '\\' && (s[1] == q || s[1] == '\\')) {
                s++;
            }
            *o++ = *s++;
        }
        *o = '\0';
        if (*s == q) {
            s++;
        }
        *line = s;
        return out;
    }
    start = s;
    while (*s && !isspace((unsigned char)*s)) {
        s++;
    }
    *line = s;
    return apr_pstrndup(p, start, (apr_size_t)(s - start));
}

/* ${NAME} from the environment, as httpd does for its envvars. */
static const char *ajplb__expand(apr_pool_t *p, const char *s)
{
    const char *open = strstr(s, "${");
    const char *close, *val;

    if (open == NULL || (close = strchr(open, '}')) == NULL) {
        return s;
    }
    val = getenv(apr_pstrndup(p, open + 2, (apr_size_t)(close - open - 2)));
    if (val == NULL) {
        return s;
    }
    return ajplb__expand(p, apr_pstrcat(p, apr_pstrndup(p, s,
                                        (apr_size_t)(open - s)), val,
                                        close + 1, NULL));
}

static void ajplb__syntax(ajplb__ctx_t *x, const char *file, int line,
                          const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A directive httpd itself would refuse ("Syntax error on line N"). */
static void ajplb__syntax(ajplb__ctx_t *x, const char *file, int line,
                          const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = apr_pvsprintf(x->c->pool, fmt, ap);
    va_end(ap);
    ajplb_diag_add(x->c->diags, AJPLB_DIAG_ERROR, file, line, "%s", msg);
}

static void ajplb__add_mount(ajplb__ctx_t *x, const char *name,
                             const char *a1, const char *a2, int flags,
                             const char *file, int line)
{
    ajplb_cli_mount_t *m;

    if (*a1 == '\0') {
        ajplb__syntax(x, file, line, "%s takes one or two arguments", name);
        return;
    }
    m = apr_array_push(x->srv->mounts);
    m->file = file;
    m->line = line;
    m->flags = flags;
    if (*a2 != '\0') {
        m->pattern = a1;
        m->target = a2;
    }
    else if (x->location != NULL) {
        m->pattern = x->location;
        m->target = a1;
        m->flags |= AJPLB_URI_RULE_LITERAL;
    }
    else {
        x->srv->mounts->nelts--;
        ajplb__syntax(x, file, line, "%s needs a URI pattern and a worker, "
                      "e.g. %s /app/* worker1 (only inside <Location> may "
                      "the URI be left out)", name, name);
    }
}

static apr_status_t ajplb__read_file(ajplb__ctx_t *x, const char *path);

static void ajplb__include(ajplb__ctx_t *x, const char *arg, int optional,
                           const char *file, int line)
{
    const char *pat = ajplb__root_rel(x->c, arg);
    struct stat st;
    glob_t g;
    size_t i;

    if (x->depth >= AJPLB__MAX_DEPTH) {
        ajplb__syntax(x, file, line, "Include nested too deeply");
        return;
    }
    if (stat(pat, &st) == 0 && S_ISDIR(st.st_mode)) {
        pat = apr_pstrcat(x->c->pool, pat, "/*", NULL);
    }
    if (glob(pat, 0, NULL, &g) != 0) {
        if (!optional && strpbrk(pat, "*?[") == NULL) {
            ajplb__syntax(x, file, line, "Could not open configuration "
                          "file %s: No such file or directory", pat);
        }
        return;
    }
    x->depth++;
    for (i = 0; i < g.gl_pathc; i++) {
        if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) {
            ajplb__read_file(x, apr_pstrdup(x->c->pool, g.gl_pathv[i]));
        }
    }
    x->depth--;
    globfree(&g);
}

/* The option names the module accepts (mod_ajplb_config.c); only
 * RejectUnsafeURI changes what explain answers. */
static const char *const ajplb__option_names[] = {
    "ForwardURIProxy", "ForwardURICompatUnparsed", "ForwardURICompat",
    "ForwardURIEscaped", "ForwardDirectories", "ForwardLocalAddress",
    "ForwardPhysicalAddress", "FlushPackets", "FlushHeader", "DisableReuse",
    "ForwardSSLCertChain", "ForwardKeySize", "RejectUnsafeURI",
    "CollapseSlashesAll", "CollapseSlashesNone", "CollapseSlashesUnmount",
    NULL
};

static void ajplb__options(ajplb__ctx_t *x, const char *rest,
                           const char *file, int line)
{
    const char *w;
    int i;

    while (*(w = ajplb__word(x->c->pool, &rest)) != '\0') {
        const char *name = (*w == '+' || *w == '-') ? w + 1 : w;
        ajplb_cli_option_t *o = apr_array_push(x->c->options);

        o->word = w;
        o->file = file;
        o->line = line;
        for (i = 0; ajplb__option_names[i] != NULL; i++) {
            if (strcasecmp(name, ajplb__option_names[i]) == 0) {
                break;
            }
        }
        if (ajplb__option_names[i] == NULL) {
            ajplb__syntax(x, file, line, "JkOptions: unknown option '%s'; "
                          "valid: ForwardURIProxy, ForwardURICompat, "
                          "ForwardURICompatUnparsed, ForwardURIEscaped, "
                          "ForwardDirectories, ForwardLocalAddress, "
                          "ForwardPhysicalAddress, FlushPackets, "
                          "FlushHeader, DisableReuse, ForwardSSLCertChain, "
                          "ForwardKeySize, RejectUnsafeURI", name);
        }
        else if (strcasecmp(name, "RejectUnsafeURI") == 0) {
            x->srv->reject_unsafe = *w != '-';
        }
    }
}

/* One directive; @a rest is the text after its name. */
static void ajplb__directive(ajplb__ctx_t *x, const char *name,
                             const char *rest, const char *file, int line)
{
    apr_pool_t *p = x->c->pool;
    const char *raw = rest;
    const char *a1 = ajplb__word(p, &rest);
    const char *a2 = ajplb__word(p, &rest);
    ajplb_cli_conf_t *c = x->c;

    if (x->loc != NULL && ajplb_status_access_limits(name, raw)) {
        x->loc->limits = 1;
    }
    if (strcasecmp(name, "JkWorkersFile") == 0) {
        if (c->workers_file != NULL) {
            ajplb__syntax(x, file, line, "JkWorkersFile given twice (first "
                          "at %s): keep one file and put further workers "
                          "in it or in JkWorkerProperty lines",
                          c->workers_file_where);
            return;
        }
        c->workers_file = ajplb__root_rel(c, a1);
        c->workers_file_where = apr_psprintf(p, "%s:%d", file, line);
    }
    else if (strcasecmp(name, "JkWorkerProperty") == 0) {
        ajplb_cli_prop_line_t *pl = apr_array_push(c->prop_lines);
        while (*raw && isspace((unsigned char)*raw)) {
            raw++;
        }
        pl->line = raw;
        pl->file = file;
        pl->lineno = line;
    }
    else if (strcasecmp(name, "JkMount") == 0) {
        ajplb__add_mount(x, "JkMount", a1, a2, 0, file, line);
    }
    else if (strcasecmp(name, "JkUnMount") == 0) {
        ajplb__add_mount(x, "JkUnMount", a1, a2, AJPLB_URI_RULE_UNMOUNT,
                         file, line);
    }
    else if (strcasecmp(name, "JkMountFile") == 0) {
        x->srv->mount_file = ajplb__root_rel(c, a1);
    }
    else if (strcasecmp(name, "JkMountCopy") == 0) {
        if (strcasecmp(a1, "all") == 0 && x->srv->is_virtual) {
            ajplb__syntax(x, file, line, "JkMountCopy All is only allowed "
                          "in the main server; use JkMountCopy On inside a "
                          "<VirtualHost>");
        }
        else if (strcasecmp(a1, "all") != 0 && strcasecmp(a1, "on") != 0
                 && strcasecmp(a1, "off") != 0) {
            ajplb__syntax(x, file, line, "JkMountCopy takes On, Off or "
                          "All");
        }
        x->srv->mount_copy = strcasecmp(a1, "all") == 0 ? 2
                             : strcasecmp(a1, "on") == 0 ? 1 : 0;
    }
    else if (strcasecmp(name, "JkOptions") == 0) {
        ajplb__options(x, raw, file, line);
    }
    else if (strcasecmp(name, "AllowEncodedSlashes") == 0) {
        x->srv->allow_encoded_slashes = strcasecmp(a1, "on") == 0 ? 1
                                  : strcasecmp(a1, "nodecode") == 0 ? 2 : 0;
    }
    else if (strcasecmp(name, "ServerName") == 0 && x->srv->is_virtual) {
        x->srv->name = a1;
    }
    else if (strcasecmp(name, "ServerAlias") == 0) {
        rest = raw;
        while (*(a1 = ajplb__word(p, &rest)) != '\0') {
            APR_ARRAY_PUSH(x->srv->aliases, const char *) = a1;
        }
    }
    else if (strcasecmp(name, "ServerRoot") == 0) {
        c->server_root = a1;
    }
    else if (strcasecmp(name, "Timeout") == 0) {
        c->timeout = atoi(a1) > 0 ? atoi(a1) : 60;
    }
    else if (strcasecmp(name, "ThreadsPerChild") == 0) {
        c->threads = atoi(a1) > 0 ? atoi(a1) : 25;
    }
    else if (strcasecmp(name, "LoadModule") == 0
             && strcmp(a1, "jk_module") == 0) {
        c->mod_jk = 1;
    }
    else if (strcasecmp(name, "Include") == 0
             || strcasecmp(name, "IncludeOptional") == 0) {
        ajplb__include(x, a1, strcasecmp(name, "IncludeOptional") == 0,
                       file, line);
    }
}

/* "<VirtualHost ...>", "</Location>", ...: sections that matter change
 * the context; the others (<IfModule>, <Directory>...) are read through. */
static void ajplb__section(ajplb__ctx_t *x, const char *text,
                           const char *file, int line)
{
    apr_pool_t *p = x->c->pool;
    const char *s = text + 1;
    int close = *s == '/';
    const char *name, *arg;
    char *gt;

    if (close) {
        s++;
    }
    name = ajplb__word(p, &s);
    arg = apr_pstrdup(p, s);
    if ((gt = strrchr((char *)arg, '>')) != NULL) {
        *gt = '\0';
    }
    if ((gt = strchr((char *)name, '>')) != NULL) {
        *gt = '\0';
    }
    if (strcasecmp(name, "VirtualHost") == 0) {
        if (close) {
            x->srv = APR_ARRAY_IDX(x->c->servers, 0, ajplb_cli_server_t *);
            return;
        }
        x->srv = ajplb__server_make(p, 1);
        x->srv->file = file;
        x->srv->line = line;
        x->srv->name = apr_pstrdup(p, ajplb__word(p, &arg));
        APR_ARRAY_PUSH(x->c->servers, ajplb_cli_server_t *) = x->srv;
    }
    else if (strcasecmp(name, "Location") == 0
             || strcasecmp(name, "LocationMatch") == 0) {
        x->location = close ? NULL : ajplb__word(p, &arg);
        x->loc = NULL;
        if (!close) {
            x->loc = apr_pcalloc(p, sizeof(*x->loc));
            x->loc->regex = strcasecmp(name, "LocationMatch") == 0;
            x->loc->arg = x->location;
            if (strcmp(x->loc->arg, "~") == 0) {
                x->loc->regex = 1;
                x->loc->arg = ajplb__word(p, &arg);
            }
            APR_ARRAY_PUSH(x->srv->locations, ajplb_cli_location_t *) =
                x->loc;
        }
    }
}

static apr_status_t ajplb__read_file(ajplb__ctx_t *x, const char *path)
{
    apr_pool_t *p = x->c->pool;
    apr_file_t *f;
    apr_status_t rv;
    char buf[8192];
    char *acc = NULL;
    int lineno = 0, first = 0;

    rv = apr_file_open(&f, path, APR_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        char err[120];
        ajplb_diag_add(x->c->diags, AJPLB_DIAG_ERROR, path, 0,
                       "cannot read: %s",
                       apr_strerror(rv, err, sizeof(err)));
        return rv;
    }
    while (apr_file_gets(buf, sizeof(buf), f) == APR_SUCCESS) {
        char *l = buf, *e;
        const char *name, *rest;

        lineno++;
        e = l + strlen(l);
        while (e > l && (e[-1] == '\n' || e[-1] == '\r')) {
            *--e = '\0';
        }
        /* A trailing backslash joins the next line (line number of the
         * first, as httpd reports it). */
        if (e > l && e[-1] == '\\') {
            e[-1] = '\0';
            if (acc == NULL) {
                first = lineno;
            }
            acc = apr_pstrcat(p, acc ? acc : "", l, NULL);
            continue;
        }
        if (acc != NULL) {
            l = apr_pstrcat(p, acc, l, NULL);
            acc = NULL;
        }
        else {
            first = lineno;
        }
        while (*l && isspace((unsigned char)*l)) {
            l++;
        }
        if (*l == '\0' || *l == '#') {
            continue;
        }
        l = (char *)ajplb__expand(p, l);
        if (*l == '<') {
            ajplb__section(x, l, path, first);
            continue;
        }
        rest = l;
        name = ajplb__word(p, &rest);
        ajplb__directive(x, name, rest, path, first);
    }
    apr_file_close(f);
    return APR_SUCCESS;
}

apr_status_t ajplb_cli_conf_read_httpd(ajplb_cli_conf_t *c, const char *path)
{
    ajplb__ctx_t x;

    memset(&x, 0, sizeof(x));
    x.c = c;
    x.srv = APR_ARRAY_IDX(c->servers, 0, ajplb_cli_server_t *);
    return ajplb__read_file(&x, path);
}

apr_status_t ajplb_cli_conf_line(ajplb_cli_conf_t *c, const char *line,
                                 int n)
{
    ajplb__ctx_t x;
    const char *rest = line;
    const char *name;

    memset(&x, 0, sizeof(x));
    x.c = c;
    x.srv = APR_ARRAY_IDX(c->servers, 0, ajplb_cli_server_t *);
    name = ajplb__word(c->pool, &rest);
    ajplb__directive(&x, name, rest, "(command line)", n);
    return APR_SUCCESS;
}

/* ------------------------------------------------------------- build --- */

/* As ajplb_build_one() in the module.  A <VirtualHost> without any Jk*
 * directive is merged like any other (the module asks httpd for
 * AP_MODULE_FLAG_ALWAYS_MERGE): no mounts of its own, JkMountCopy from
 * JkMountCopy All only.  @a first is the main server's first JkMount, for
 * the warning. */
static void ajplb__build_map(ajplb_cli_conf_t *c, ajplb_cli_server_t *vs,
                             ajplb_cli_server_t *main_srv,
                             const ajplb_cli_mount_t *first)
{
    ajplb_uri_map_t *map = ajplb_uri_map_make(c->pool, c->diags);
    int copy_mode = !vs->is_virtual ? main_srv->mount_copy
                    : vs->mount_copy != AJPLB_UNSET ? vs->mount_copy
                    : main_srv->mount_copy == 2 ? 1 : AJPLB_UNSET;
    int copy = vs->is_virtual ? copy_mode == 1 : 1;
    const char *file = vs->mount_file;
    int i, j;

    if (copy) {
        ajplb_uri_map_add_worker_mounts(map, c->model);
    }
    for (j = (vs->is_virtual && copy) ? 0 : 1; j < 2; j++) {
        const ajplb_cli_server_t *from = j == 0 ? main_srv : vs;
        for (i = 0; i < from->mounts->nelts; i++) {
            const ajplb_cli_mount_t *m =
                &APR_ARRAY_IDX(from->mounts, i, ajplb_cli_mount_t);
            ajplb_uri_map_add(map, AJPLB_URI_SRC_JKMOUNT, m->pattern,
                              m->target, m->flags, m->file, m->line);
        }
    }
    if (vs->is_virtual && copy && file == NULL) {
        file = main_srv->mount_file;
    }
    if (file != NULL) {
        ajplb_uri_map_read_file(map, file);
    }
    ajplb_uri_map_build(map);
    ajplb_uri_map_check_workers(map, c->model, c->diags);
    vs->map = map;
    if (vs->is_virtual) {
        ajplb_conf_check_vhost(c->diags, vs->file, vs->line,
                               ajplb_uri_map_rules(map)->nelts, copy_mode,
                               first ? first->pattern : NULL,
                               first ? first->file : NULL,
                               first ? first->line : 0);
    }
    if (vs->reject_unsafe < 0) {
        vs->reject_unsafe = vs->is_virtual && main_srv->reject_unsafe > 0;
    }
    if (vs->allow_encoded_slashes < 0) {
        vs->allow_encoded_slashes = vs->is_virtual
            && main_srv->allow_encoded_slashes > 0
            ? main_srv->allow_encoded_slashes : 0;
    }
}

static void ajplb__build_maps(ajplb_cli_conf_t *c)
{
    ajplb_cli_server_t *main_srv =
        APR_ARRAY_IDX(c->servers, 0, ajplb_cli_server_t *);
    const ajplb_cli_mount_t *first = NULL;
    int i;

    for (i = 0; first == NULL && i < main_srv->mounts->nelts; i++) {
        const ajplb_cli_mount_t *m =
            &APR_ARRAY_IDX(main_srv->mounts, i, ajplb_cli_mount_t);
        if (!(m->flags & AJPLB_URI_RULE_UNMOUNT)) {
            first = m;
        }
    }
    for (i = 0; i < c->servers->nelts; i++) {
        ajplb__build_map(c, APR_ARRAY_IDX(c->servers, i,
                                          ajplb_cli_server_t *), main_srv,
                         first);
    }
}

/* The module's JkOptions warnings (ajplb_config_warnings): every word of
 * every JkOptions line, main server and virtual hosts. */
static void ajplb__check_options(ajplb_cli_conf_t *c)
{
    int i;

    for (i = 0; i < c->options->nelts; i++) {
        const ajplb_cli_option_t *o =
            &APR_ARRAY_IDX(c->options, i, ajplb_cli_option_t);
        ajplb_conf_check_option(c->diags, o->word, o->file, o->line);
    }
}

/* <LocationMatch> and "~" patterns: POSIX extended expressions, which
 * agree with httpd's PCRE on the patterns such sections use. */
static int ajplb__regex(void *ctx, const char *re, const char *s)
{
    regex_t rx;
    int rc;

    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
        return 0;
    }
    rc = regexec(&rx, s, 0, NULL, 0);
    regfree(&rx);
    return rc == 0;
}

/* As the module's walk of httpd's tree: a <Location> of the main server
 * applies to every server, one inside a <VirtualHost> to that one. */
static int ajplb__protected(void *ctx, const char *path)
{
    ajplb_cli_server_t *const *srv = ctx;
    int i, j;

    for (j = 0; j < 2; j++) {
        for (i = 0; srv[j] != NULL && i < srv[j]->locations->nelts; i++) {
            const ajplb_cli_location_t *l =
                APR_ARRAY_IDX(srv[j]->locations, i, ajplb_cli_location_t *);
            if (l->limits && ajplb_status_access_covers(l->arg, l->regex,
                                                        path, ajplb__regex,
                                                        NULL)) {
                return 1;
            }
        }
    }
    return 0;
}

/* The module's configtest warning for writable status workers that
 * nothing protects (ajplb_config_warnings). */
static void ajplb__check_access(ajplb_cli_conf_t *c)
{
    apr_hash_t *seen = apr_hash_make(c->pool);
    ajplb_cli_server_t *srv[2];
    int i;

    srv[0] = APR_ARRAY_IDX(c->servers, 0, ajplb_cli_server_t *);
    for (i = 0; i < c->servers->nelts; i++) {
        ajplb_cli_server_t *s =
            APR_ARRAY_IDX(c->servers, i, ajplb_cli_server_t *);
        srv[1] = s->is_virtual ? s : NULL;
        ajplb_status_access_check(c->pool, c->model,
                                  s->map ? ajplb_uri_map_rules(s->map) : NULL,
                                  ajplb__protected, srv, seen, c->diags);
    }
}

void ajplb_cli_conf_load(ajplb_cli_conf_t *c)
{
    ajplb_model_defaults_t defs;
    ajplb_props_t *props;
    apr_status_t rv = APR_SUCCESS;
    int i;

    if (c->mod_jk) {
        ajplb_diag_add(c->diags, AJPLB_DIAG_ERROR, NULL, 0,
                       "mod_jk is loaded too; both modules own the Jk* "
                       "directives, so they cannot run in one server. "
                       "Remove the 'LoadModule jk_module ...' line (on "
                       "Debian: a2dismod jk) and keep mod_ajplb");
        return;
    }
    if (c->workers_file == NULL && c->prop_lines->nelts == 0) {
        ajplb__build_maps(c);
        return;
    }
    props = ajplb_props_make(c->pool, c->diags);
    if (c->workers_file != NULL) {
        rv = ajplb_props_read_file(props, c->workers_file);
    }
    for (i = 0; i < c->prop_lines->nelts; i++) {
        const ajplb_cli_prop_line_t *pl =
            &APR_ARRAY_IDX(c->prop_lines, i, ajplb_cli_prop_line_t);
        apr_status_t lrv = ajplb_props_add_line(props, pl->line, pl->file,
                                                pl->lineno);
        if (rv == APR_SUCCESS) {
            rv = lrv;
        }
    }
    defs.httpd_timeout_sec = c->timeout;
    defs.threads_per_child = c->threads;
    if (rv == APR_SUCCESS) {
        rv = ajplb_model_build(c->pool, props, &defs, c->diags, &c->model);
    }
    if (rv == APR_SUCCESS || c->diags->errors > 0) {
        ajplb__build_maps(c);
        ajplb__check_options(c);
        ajplb__check_access(c);
    }
    if (rv != APR_SUCCESS && c->diags->errors == 0) {
        char buf[120];
        ajplb_diag_add(c->diags, AJPLB_DIAG_ERROR, NULL, 0,
                       "cannot load the worker configuration from %s: %s",
                       c->workers_file ? c->workers_file
                                       : "JkWorkerProperty",
                       apr_strerror(rv, buf, sizeof(buf)));
    }
    c->load_rv = rv;
    if (rv != APR_SUCCESS) {
        c->model = NULL;
    }
}

/* ServerName or a ServerAlias (with '*' and '?' wildcards), no case. */
ajplb_cli_server_t *ajplb_cli_conf_server(ajplb_cli_conf_t *c,
                                          const char *host)
{
    int i, j;

    for (i = 1; host != NULL && i < c->servers->nelts; i++) {
        ajplb_cli_server_t *s =
            APR_ARRAY_IDX(c->servers, i, ajplb_cli_server_t *);
        if (s->name != NULL && strcasecmp(s->name, host) == 0) {
            return s;
        }
        for (j = 0; j < s->aliases->nelts; j++) {
            const char *a = APR_ARRAY_IDX(s->aliases, j, const char *);
            if (apr_fnmatch(a, host, APR_FNM_CASE_BLIND) == APR_SUCCESS) {
                return s;
            }
        }
    }
    /* Name-based virtual hosts: a name nobody claims goes to the first
     * one (all are taken to share one address, the common case). */
    return APR_ARRAY_IDX(c->servers, c->servers->nelts > 1 ? 1 : 0,
                         ajplb_cli_server_t *);
}
