/*
 * ajplb_config_validate.c -- checks across workers once each worker's own
 * properties are parsed: lb members (defined, no lb in an lb, no cycles),
 * routes unique per lb, redirect targets, secrets, which workers are used,
 * timeouts written as 0 ("wait forever").
 * Core layer: APR only, never logs.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_config.h"

typedef struct {
    ajplb_model_t *m;
    ajplb_diags_t *diags;
    apr_pool_t *p;
} ajplb__val_t;

static void ajplb__verr(ajplb__val_t *v, const char *file, int line,
                        const char *msg)
{
    ajplb_diag_add(v->diags, AJPLB_DIAG_ERROR, file, line, "%s", msg);
}

static void ajplb__vwarn(ajplb__val_t *v, const char *file, int line,
                         const char *msg)
{
    ajplb_diag_add(v->diags, AJPLB_DIAG_WARN, file, line, "%s", msg);
}

/*
 * Is there a path from lb @a from to lb @a to through balance_workers?
 * On success *path is "from -> ... -> to".  Depth-first search over the
 * props (members are not resolved for lbs in lbs) with a visited set;
 * the depth is capped so a pathological chain of lbs cannot exhaust the
 * stack (the nesting is an error anyway, only the path is then missing).
 */
#define AJPLB__LB_PATH_MAX 64

static int ajplb__lb_path(ajplb__val_t *v, const char *from, const char *to,
                          apr_hash_t *visited, int depth, const char **path)
{
    const ajplb_prop_t *bw;
    apr_array_header_t *items;
    int i;

    if (strcmp(from, to) == 0) {
        *path = to;
        return 1;
    }
    if (depth > AJPLB__LB_PATH_MAX
        || apr_hash_get(visited, from, APR_HASH_KEY_STRING) != NULL) {
        return 0;
    }
    apr_hash_set(visited, from, APR_HASH_KEY_STRING, "");
    bw = ajplb_props_worker_get(v->m->props, from, "balance_workers");
    if (bw == NULL) {
        return 0;
    }
    items = ajplb_split_list(v->p, bw->value);
    for (i = 0; i < items->nelts; i++) {
        const char *n = APR_ARRAY_IDX(items, i, const char *);
        ajplb_worker_t *w = ajplb_model_find(v->m, n);
        const char *sub;
        if (w == NULL || w->type != AJPLB_WORKER_LB) {
            continue;
        }
        if (ajplb__lb_path(v, n, to, visited, depth + 1, &sub)) {
            *path = apr_pstrcat(v->p, from, " -> ", sub, NULL);
            return 1;
        }
    }
    return 0;
}

static void ajplb__resolve_members(ajplb__val_t *v, ajplb_worker_t *lb)
{
    const ajplb_prop_t *bw = ajplb_model_prop(v->m, lb, "balance_workers");
    apr_hash_t *seen = apr_hash_make(v->p);
    int i, j;

    if (bw == NULL) {
        return;
    }
    for (i = 0; i < bw->parts->nelts; i++) {
        const ajplb_prop_part_t *part = &APR_ARRAY_IDX(bw->parts, i,
                                                       ajplb_prop_part_t);
        apr_array_header_t *names = ajplb_split_list(v->p, part->value);

        for (j = 0; j < names->nelts; j++) {
            const char *n = APR_ARRAY_IDX(names, j, const char *);
            ajplb_worker_t *w;
            ajplb_lb_member_t *mem;
            const char *path;

            if (!ajplb_name_is_valid(n)) {
                ajplb__verr(v, part->file, part->line, apr_psprintf(v->p,
                    "invalid member name '%s' in balance_workers of lb "
                    "'%s': use 1 to %d letters, digits, '_' or '-', "
                    "separated by ','", n, lb->name, AJPLB_NAME_MAX));
                continue;
            }
            w = ajplb_model_find(v->m, n);
            if (w == NULL || w->implicit) {
                ajplb__verr(v, part->file, part->line, apr_psprintf(v->p,
                    "member '%s' of lb '%s' is not defined: add "
                    "worker.%s.host=... and worker.%s.port=... or remove "
                    "it from balance_workers", n, lb->name, n, n));
                continue;
            }
            if (w == lb) {
                ajplb__verr(v, part->file, part->line, apr_psprintf(v->p,
                    "lb '%s' lists itself in balance_workers (cycle %s -> "
                    "%s); list its ajp13 workers instead", n, n, n));
                continue;
            }
            if (w->type == AJPLB_WORKER_LB) {
                if (ajplb__lb_path(v, n, lb->name, apr_hash_make(v->p), 0,
                                   &path)) {
                    ajplb__verr(v, part->file, part->line,
                        apr_psprintf(v->p, "lb cycle %s -> %s: an lb "
                        "cannot contain an lb; list ajp13 workers in "
                        "balance_workers", lb->name, path));
                }
                else {
                    ajplb__verr(v, part->file, part->line,
                        apr_psprintf(v->p, "lb '%s' lists lb '%s' as a "
                        "member: an lb cannot contain an lb; list the "
                        "ajp13 members of '%s' in balance_workers of '%s' "
                        "directly", lb->name, n, n, lb->name));
                }
                continue;
            }
            if (w->type != AJPLB_WORKER_AJP13) {
                ajplb__verr(v, part->file, part->line, apr_psprintf(v->p,
                    "lb '%s' lists %s worker '%s' as a member; members "
                    "must be ajp13 workers", lb->name,
                    ajplb_worker_type_name(w->type), n));
                continue;
            }
            if (apr_hash_get(seen, n, APR_HASH_KEY_STRING) != NULL) {
                ajplb__verr(v, part->file, part->line, apr_psprintf(v->p,
                    "member '%s' is listed twice in balance_workers of lb "
                    "'%s'; remove one", n, lb->name));
                continue;
            }
            apr_hash_set(seen, n, APR_HASH_KEY_STRING, w);
            mem = apr_array_push(lb->members);
            mem->worker = w;
            mem->loc.file = part->file;
            mem->loc.line = part->line;
        }
    }
}

/* Where to point for a member's route: its route line, else where the
 * lb lists it. */
static void ajplb__member_at(ajplb__val_t *v, const ajplb_lb_member_t *mem,
                             const char *attr, const char **file, int *line)
{
    const ajplb_prop_t *pp = ajplb_model_prop(v->m, mem->worker, attr);

    *file = pp ? pp->file : mem->loc.file;
    *line = pp ? pp->line : mem->loc.line;
}

static void ajplb__check_lb(ajplb__val_t *v, ajplb_worker_t *lb)
{
    apr_hash_t *routes = apr_hash_make(v->p);
    const char *list = "";
    const char *file;
    int i, line, nosecret = 0;
    const char *missing = "";

    if (lb->members->nelts == 0) {
        /* When members were named but refused, those errors say why. */
        const ajplb_prop_t *bw = ajplb_model_prop(v->m, lb,
                                                  "balance_workers");
        if (lb->used && (bw == NULL || bw->parts->nelts == 0)) {
            ajplb__verr(v, lb->loc.file, lb->loc.line, apr_psprintf(v->p,
                "lb '%s' has no members: write worker.%s.balance_workers="
                "<ajp13 workers>", lb->name, lb->name));
        }
        return;
    }
    for (i = 0; i < lb->members->nelts; i++) {
        const ajplb_lb_member_t *mem = &APR_ARRAY_IDX(lb->members, i,
                                                      ajplb_lb_member_t);
        const ajplb_lb_member_t *other = apr_hash_get(routes,
            mem->worker->route, APR_HASH_KEY_STRING);
        if (other != NULL) {
            ajplb__member_at(v, mem, "route", &file, &line);
            ajplb__verr(v, file, line, apr_psprintf(v->p, "members '%s' and "
                "'%s' of lb '%s' share the route '%s'; each Tomcat needs "
                "its own jvmRoute: write worker.%s.route=<its jvmRoute>",
                other->worker->name, mem->worker->name, lb->name,
                mem->worker->route, mem->worker->name));
            continue;
        }
        apr_hash_set(routes, mem->worker->route, APR_HASH_KEY_STRING, mem);
        list = apr_pstrcat(v->p, list, *list ? ", " : "",
                           mem->worker->route, NULL);
        if (mem->worker->max_packet_size > lb->max_packet_size) {
            lb->max_packet_size = mem->worker->max_packet_size;
        }
    }
    for (i = 0; i < lb->members->nelts; i++) {
        const ajplb_lb_member_t *mem = &APR_ARRAY_IDX(lb->members, i,
                                                      ajplb_lb_member_t);
        ajplb_worker_t *w = mem->worker;
        const ajplb_lb_member_t *target;

        if (*w->redirect != '\0') {
            target = apr_hash_get(routes, w->redirect, APR_HASH_KEY_STRING);
            if (target == NULL || target->worker == w) {
                ajplb__member_at(v, mem, "redirect", &file, &line);
                ajplb__verr(v, file, line, apr_psprintf(v->p, "redirect "
                    "'%s' of worker '%s' names no other member of lb '%s':"
                    " write the route of another member (%s)", w->redirect,
                    w->name, lb->name, list));
            }
        }
        /* An lb's secret is inherited by members without their own. */
        if (w->secret == NULL && lb->secret != NULL) {
            w->secret = lb->secret;
            w->secret_inherited = 1;
        }
        if (w->secret == NULL) {
            nosecret++;
            missing = apr_pstrcat(v->p, missing, *missing ? ", " : "",
                                  w->name, NULL);
        }
    }
    if (lb->used && nosecret > 0) {
        ajplb__vwarn(v, lb->loc.file, lb->loc.line, apr_psprintf(v->p,
            "NO SECRET: lb '%s' has no secret and members %s have none "
            "either; Tomcat 9.0.31+ refuses AJP requests without one "
            "(secretRequired) and without it anyone reaching the AJP port "
            "can forge requests: write worker.%s.secret=<the secret of "
            "the Tomcat AJP connectors>", lb->name, missing, lb->name));
    }
}

static void ajplb__mark_used(ajplb_model_t *m)
{
    int i, j;

    for (i = 0; i < m->list->nelts; i++) {
        ajplb_worker_t *w = APR_ARRAY_IDX(m->list, i, ajplb_worker_t *);
        w->used = 1;
        for (j = 0; j < w->members->nelts; j++) {
            APR_ARRAY_IDX(w->members, j, ajplb_lb_member_t).worker->used = 1;
        }
    }
}

/* Zero values that mean "wait forever", warned about where written (a
 * default the user did not write is never 0 here).  socket_timeout=0 and
 * reply_timeout=0 are warned about by ajplb_config.c. */
static const struct {
    const char *name;
    const char *what;
    const char *instead;
} ajplb__forever[] = {
    {"connection_acquire_timeout", "a request waits forever for a free "
     "connection of the pool when all are busy",
     "a limit in ms, e.g. connection_acquire_timeout=200 (the default)"},
    {"socket_connect_timeout", "a connect to a backend that does not "
     "answer waits for the kernel's retries (minutes) holding an httpd "
     "thread", "a limit in ms, e.g. socket_connect_timeout=3000 (the "
     "default)"},
};

static void ajplb__warn_forever(ajplb__val_t *v, const ajplb_worker_t *w,
                                apr_hash_t *seen)
{
    int i;

    for (i = 0; i < (int)(sizeof(ajplb__forever)
                          / sizeof(ajplb__forever[0])); i++) {
        const ajplb_prop_t *pp = ajplb_model_prop(v->m, w,
                                                  ajplb__forever[i].name);
        const char *key;
        int n;

        if (pp == NULL || ajplb_parse_int(pp->value, 0, 0, &n)
                          != APR_SUCCESS) {
            continue;
        }
        /* A template line used by several workers: one warning. */
        key = apr_psprintf(v->p, "%s:%d", pp->file, pp->line);
        if (apr_hash_get(seen, key, APR_HASH_KEY_STRING) != NULL) {
            continue;
        }
        apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
        ajplb__vwarn(v, pp->file, pp->line, apr_psprintf(v->p,
            "%s=0 on worker '%s' means no timeout: %s; write %s, or "
            "remove the line", ajplb__forever[i].name, w->name,
            ajplb__forever[i].what, ajplb__forever[i].instead));
    }
}

/* Health checks, slow start and outlier ejection act on lb members only:
 * on a worker mounted directly they would be silently ignored. */
static void ajplb__warn_traffic(ajplb__val_t *v, const ajplb_worker_t *w)
{
    static const char *const names[] = {
        "health_check", "health_check_interval", "health_check_timeout",
        "health_check_status", "health_check_fall", "health_check_rise",
        "slow_start", "outlier_count", "outlier_statuses",
        "outlier_window", "outlier_eject_time", "outlier_max_share"
    };
    const ajplb_prop_t *pp;
    apr_size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        pp = ajplb_model_prop(v->m, w, names[i]);
        if (pp != NULL) {
            ajplb__vwarn(v, pp->file, pp->line, apr_psprintf(v->p,
                "%s of worker '%s' has no effect: it is not a member of any "
                "lb, and health checks, slow start and outlier ejection act "
                "on lb members; list it in an lb's balance_workers or "
                "remove the line", names[i], w->name));
            return;
        }
    }
}

void ajplb_config_validate(ajplb_model_t *m, ajplb_diags_t *diags)
{
    ajplb__val_t v;
    apr_hash_t *in_lb, *forever;
    int i, j;

    v.m = m;
    v.diags = diags;
    v.p = m->pool;
    in_lb = apr_hash_make(m->pool);
    forever = apr_hash_make(m->pool);
    for (i = 0; i < m->workers->nelts; i++) {
        ajplb_worker_t *w = APR_ARRAY_IDX(m->workers, i, ajplb_worker_t *);
        if (w->type == AJPLB_WORKER_LB) {
            ajplb__resolve_members(&v, w);
        }
    }
    ajplb__mark_used(m);
    for (i = 0; i < m->workers->nelts; i++) {
        ajplb_worker_t *w = APR_ARRAY_IDX(m->workers, i, ajplb_worker_t *);
        if (w->type != AJPLB_WORKER_LB) {
            continue;
        }
        ajplb__check_lb(&v, w);
        for (j = 0; j < w->members->nelts; j++) {
            apr_hash_set(in_lb, APR_ARRAY_IDX(w->members, j,
                                              ajplb_lb_member_t).worker->name,
                         APR_HASH_KEY_STRING, w);
        }
    }
    for (i = 0; i < m->workers->nelts; i++) {
        ajplb_worker_t *w = APR_ARRAY_IDX(m->workers, i, ajplb_worker_t *);
        const ajplb_prop_t *pp;

        if (w->mounts->nelts > 0 && !w->in_list) {
            pp = ajplb_model_prop(m, w, "mount");
            ajplb__vwarn(&v, pp->file, pp->line, apr_psprintf(v.p,
                "mount of worker '%s' has no effect because '%s' is not in "
                "worker.list; add it to worker.list", w->name, w->name));
        }
        if (w->type != AJPLB_WORKER_AJP13) {
            continue;
        }
        if (w->used) {
            ajplb__warn_forever(&v, w, forever);
        }
        if (*w->redirect != '\0'
            && apr_hash_get(in_lb, w->name, APR_HASH_KEY_STRING) == NULL) {
            pp = ajplb_model_prop(m, w, "redirect");
            ajplb__vwarn(&v, pp->file, pp->line, apr_psprintf(v.p,
                "redirect of worker '%s' has no effect: it is not a member "
                "of any lb", w->name));
        }
        if (w->in_list
            && apr_hash_get(in_lb, w->name, APR_HASH_KEY_STRING) == NULL) {
            ajplb__warn_traffic(&v, w);
        }
        if (w->in_list && w->secret == NULL) {
            ajplb__vwarn(&v, w->loc.file, w->loc.line, apr_psprintf(v.p,
                "NO SECRET: worker '%s' (%s:%d) has no secret; Tomcat "
                "9.0.31+ refuses AJP requests without one (secretRequired)"
                " and without it anyone reaching the AJP port can forge "
                "requests: write worker.%s.secret=<the secret of Tomcat's "
                "AJP connector>", w->name, w->host, w->port, w->name));
        }
    }
}
