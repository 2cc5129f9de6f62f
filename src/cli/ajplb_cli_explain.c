/*
 * ajplb_cli_explain.c -- COMMAND: `ajplb explain`: what the module does
 * with one URI.  The path is normalised, matched and balanced by the same
 * core functions the module calls (ajplb_uri_normalize, ajplb_uri_map_match,
 * ajplb_lb_pick on a private copy of the shared segment with every member
 * fresh, as just after a start), so the answer is the module's.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_cli_http.h"
#include "ajplb_lb.h"
#include "ajplb_shm.h"
#include "ajplb_uri.h"

typedef struct {
    apr_pool_t *p;
    int json;
    const char *status;         /* "forward", "local", "400", "404" */
    const char *reason;
    const char *path;           /* normalised path, or NULL */
    const char *decoded;        /* the path as httpd decoded it (r->uri) */
    const ajplb_uri_rule_t *rule;
    const ajplb_uri_rule_t *excluded_by;
    const char *worker;
    const char *type;
    const char *member;
    const char *how;
    const char *session_id;
    const char *route;
    apr_array_header_t *near;   /* of const char *: "almost" lines */
    const ajplb_cli_front_t *front; /* --front: take its live lb state */
    const char *live;           /* what was taken from it, or NULL */
} ajplb__explain_t;

/* --front: copy a running front's lb settings and member states into the
 * private segment (activation, route, domain, redirect, distance,
 * lbfactor, state, load value), so the pick is the one that front would
 * make now (up to its rotation point and the load of the next moment). */
static const char *ajplb__take_live(ajplb__explain_t *e, ajplb_shm_t *shm,
                                    ajplb_lb_t *lb)
{
    const char *err = NULL;
    json_t *doc = ajplb_cli_get_json(e->p, e->front, "cmd=list&mime=json",
                                     NULL, &err);
    json_t *bs, *b = NULL, *ms;
    ajplb_shm_lb_config_t lc;
    int i, j, n = 0;

    if (doc == NULL) {
        return err;
    }
    bs = json_object_get(doc, "balancers");
    for (i = 0; i < (int)json_array_size(bs); i++) {
        const char *bn = ajplb_cli_jstr(json_array_get(bs, i), "name");
        if (bn != NULL && strcmp(bn, lb->name) == 0) {
            b = json_array_get(bs, i);
        }
    }
    if (b == NULL) {
        json_decref(doc);
        return apr_psprintf(e->p, "%s has no lb '%s': does it run this "
                            "configuration? (ajplb diff)", e->front->url,
                            lb->name);
    }
    ajplb_shm_lb_config_get(lb->slot, &lc);
    lc.sticky_session = json_is_true(json_object_get(b, "sticky_session"));
    lc.sticky_session_force =
        json_is_true(json_object_get(b, "sticky_session_force"));
    ajplb_shm_lb_config_set(shm, lb->slot, &lc);
    ms = json_object_get(b, "members");
    for (j = 0; j < (int)json_array_size(ms); j++) {
        json_t *m = json_array_get(ms, j);
        const char *mn = ajplb_cli_jstr(m, "name");
        const char *act = ajplb_cli_jstr(m, "activation");
        const char *st = ajplb_cli_jstr(m, "state");
        int k = mn ? ajplb_lb_find_member(lb, mn) : -1;
        ajplb_shm_member_config_t mc;
        ajplb_shm_member_t *slot;

        if (k < 0) {
            continue;
        }
        slot = lb->members[k];
        ajplb_shm_member_config_get(slot, &mc);
        mc.activation = act && act[0] == 'D' ? AJPLB_ACTIVATION_DISABLED
                        : act && act[0] == 'S' ? AJPLB_ACTIVATION_STOPPED
                        : AJPLB_ACTIVATION_ACTIVE;
        if (ajplb_cli_jint(m, "lbfactor") > 0) {
            mc.lbfactor = (apr_uint32_t)ajplb_cli_jint(m, "lbfactor");
        }
        mc.distance = (apr_uint32_t)ajplb_cli_jint(m, "distance");
        apr_cpystrn(mc.route, ajplb_cli_jstr(m, "route")
                    ? ajplb_cli_jstr(m, "route") : mc.route,
                    sizeof(mc.route));
        apr_cpystrn(mc.domain, ajplb_cli_jstr(m, "domain")
                    ? ajplb_cli_jstr(m, "domain") : mc.domain,
                    sizeof(mc.domain));
        apr_cpystrn(mc.redirect, ajplb_cli_jstr(m, "redirect")
                    ? ajplb_cli_jstr(m, "redirect") : mc.redirect,
                    sizeof(mc.redirect));
        ajplb_shm_member_config_set(shm, lb->slot, slot, &mc);
        for (i = 0; st != NULL && i <= 6; i++) {
            if (strcmp(ajplb_state_name(i), st) == 0) {
                slot->state = (apr_uint32_t)i;
            }
        }
        slot->lb_value = (apr_uint64_t)ajplb_cli_jint(m, "lbvalue");
        e->live = apr_psprintf(e->p, "%s%s%s %s %s", e->live ? e->live : "",
                               e->live ? ", " : "", mn, act ? act : "?",
                               st ? st : "?");
        n++;
    }
    json_decref(doc);
    e->live = apr_psprintf(e->p, "%s: %s", e->front->url,
                           n ? e->live : "no members");
    return NULL;
}

static const char *ajplb__loc(apr_pool_t *p, const ajplb_uri_rule_t *r)
{
    if (r->file == NULL) {
        return "(built in)";
    }
    return apr_psprintf(p, "%s:%d", r->file, r->line);
}

static const char *ajplb__rule_text(apr_pool_t *p, const ajplb_uri_rule_t *r)
{
    const char *src = r->source == AJPLB_URI_SRC_WORKERDEF
                      ? "worker mount"
                      : r->source == AJPLB_URI_SRC_MOUNTFILE
                      ? "JkMountFile" : "JkMount";
    if (r->exclude) {
        src = r->source == AJPLB_URI_SRC_JKMOUNT ? "JkUnMount"
              : apr_pstrcat(p, src, " exclusion", NULL);
    }
    return apr_psprintf(p, "%s %s %s (%s)", src, r->pattern, r->worker,
                        ajplb__loc(p, r));
}

static int ajplb__rule_matches(const ajplb_uri_rule_t *r, const char *path)
{
    return r->wildcard ? ajplb_uri_is_wildcard_match(r->pattern, path)
                       : strcmp(r->pattern, path) == 0;
}

/* Rules that matched but lost, and rules that would have matched the path
 * as typed, or in another case: the usual reasons a URI "does not reach
 * Tomcat". */
static void ajplb__near(ajplb__explain_t *e, const ajplb_uri_map_t *map,
                        const char *raw)
{
    const apr_array_header_t *rules = ajplb_uri_map_rules(map);
    int i;

    for (i = 0; i < rules->nelts; i++) {
        const ajplb_uri_rule_t *r =
            APR_ARRAY_IDX(rules, i, const ajplb_uri_rule_t *);
        const char *why = NULL;

        if (r == e->rule || r == e->excluded_by) {
            continue;
        }
        if (ajplb__rule_matches(r, e->path)) {
            why = r->disabled ? "matches, but is disabled ('-' prefix)"
                  : r->exclude ? "matches, but excludes another worker"
                  : e->excluded_by != NULL
                  ? "matches, but the exclusion removes the request"
                  : "matches, but a rule of higher priority won (more "
                    "'/', then longer pattern)";
        }
        else if (!r->wildcard && strcasecmp(r->pattern, e->path) == 0) {
            why = "would match in another case (matching is "
                  "case-sensitive, as Tomcat's)";
        }
        else if (r->wildcard && apr_fnmatch(r->pattern, e->path,
                                            APR_FNM_CASE_BLIND)
                 == APR_SUCCESS) {
            why = "would match in another case (matching is "
                  "case-sensitive, as Tomcat's)";
        }
        else if (raw != NULL && ajplb__rule_matches(r, raw)) {
            why = "matches the path as sent, not the normalised path "
                  "Tomcat serves";
        }
        if (why != NULL) {
            APR_ARRAY_PUSH(e->near, const char *) =
                apr_psprintf(e->p, "%s: %s", ajplb__rule_text(e->p, r), why);
        }
    }
}

/* A virtual host that does not take the main server's mounts (no
 * JkMountCopy On, as in mod_jk, also when it has no Jk* directive): the
 * main server's rule that would have taken the path is the likely
 * surprise, so it is named. */
static void ajplb__near_main(ajplb__explain_t *e, const ajplb_cli_conf_t *c,
                             const ajplb_cli_server_t *srv)
{
    const ajplb_cli_server_t *main_srv =
        APR_ARRAY_IDX(c->servers, 0, const ajplb_cli_server_t *);
    const ajplb_uri_rule_t *r, *ex = NULL;
    const apr_array_header_t *rules;
    int i;

    if (!srv->is_virtual || main_srv->map == NULL || e->rule != NULL
        || e->excluded_by != NULL
        || (r = ajplb_uri_map_match(main_srv->map, e->path, &ex)) == NULL) {
        return;
    }
    /* Copied in after all (JkMountCopy On), but something else won. */
    rules = srv->map ? ajplb_uri_map_rules(srv->map) : NULL;
    for (i = 0; rules != NULL && i < rules->nelts; i++) {
        const ajplb_uri_rule_t *v =
            APR_ARRAY_IDX(rules, i, const ajplb_uri_rule_t *);
        if (v->line == r->line && v->file != NULL && r->file != NULL
            && strcmp(v->file, r->file) == 0) {
            return;
        }
    }
    APR_ARRAY_PUSH(e->near, const char *) =
        apr_psprintf(e->p, "%s: matches in the main server, whose mounts "
                     "do not apply in this <VirtualHost> (%s:%d); add "
                     "'JkMountCopy On' to it, or 'JkMountCopy All' to the "
                     "main server", ajplb__rule_text(e->p, r),
                     srv->file ? srv->file : "?", srv->line);
}

static const char *ajplb__how(ajplb_lb_how_e how)
{
    switch (how) {
    case AJPLB_PICK_STICKY:
        return "sticky: the session's route names this member";
    case AJPLB_PICK_DOMAIN:
        return "domain: the session's member is unusable, this member "
               "shares its domain";
    case AJPLB_PICK_REDIRECT:
        return "redirect: the session's member is unusable and names this "
               "member as its redirect";
    case AJPLB_PICK_BALANCED:
        return "balanced: no usable session route; lowest distance, then "
               "lowest load value";
    case AJPLB_PICK_FAILOVER:
        return "failover: nothing usable, a redirect target";
    }
    return "?";
}

/* The balancer's choice on a private, fresh segment built from the model;
 * the rule's active=/disabled=/stopped= extensions apply as in the module. */
static void ajplb__pick(ajplb__explain_t *e, const ajplb_model_t *model,
                        const ajplb_worker_t *w,
                        const apr_array_header_t *cookies)
{
    const ajplb_uri_ext_t *ext = e->rule ? &e->rule->ext : NULL;
    apr_size_t size = ajplb_shm_size(model);
    void *base = NULL;
    ajplb_shm_t *shm;
    ajplb_lb_t *lb;
    ajplb_lb_req_t req;
    ajplb_lb_choice_t ch;
    ajplb_shm_lb_config_t lcfg;
    const apr_array_header_t *ids = NULL;
    unsigned char *tried;
    apr_status_t rv;
    int k;

    if (posix_memalign(&base, 64, size) != 0) {
        e->how = "cannot allocate a segment";
        return;
    }
    memset(base, 0, size);
    if (ajplb_shm_init(e->p, base, size, model, NULL, 0, apr_time_now(),
                       &shm) != APR_SUCCESS
        || ajplb_lb_make(e->p, shm, w, &lb) != APR_SUCCESS) {
        e->how = "cannot build the balancer";
        free(base);
        return;
    }
    if (e->front != NULL) {
        const char *err = ajplb__take_live(e, shm, lb);
        if (err != NULL) {
            e->how = apr_pstrcat(e->p, "cannot read the front: ", err,
                                 NULL);
            free(base);
            return;
        }
    }
    memset(&req, 0, sizeof(req));
    req.uri = e->decoded;
    req.cookies = (const char *const *)cookies->elts;
    req.ncookies = cookies->nelts;
    req.session_cookie = ext ? ext->session_cookie : NULL;
    req.session_path = ext ? ext->session_path : NULL;
    req.sticky_ignore = ext && ext->sticky_ignore == 1;
    req.stateless = ext && ext->stateless == 1;
    ajplb_shm_lb_config_get(lb->slot, &lcfg);
    if (lcfg.sticky_session && !req.sticky_ignore) {
        ids = ajplb_lb_session_ids(lb, e->p, &req);
    }
    tried = ajplb_lb_tried_make(e->p, lb);
    for (k = 0; ext != NULL && k < 3; k++) {
        const apr_array_header_t *names = k == 0 ? ext->active
                                          : k == 1 ? ext->disabled
                                          : ext->stopped;
        int i;
        for (i = 0; names != NULL && i < names->nelts; i++) {
            int m = ajplb_lb_find_member(lb, APR_ARRAY_IDX(names, i,
                                                           const char *));
            if (m >= 0) {
                ajplb_lb_set_activation(lb, tried, m, k);
            }
        }
    }
    if (e->front == NULL) {
        e->live = "a fresh start (every member as configured, OK and "
                  "idle); --front URL uses a running front's";
    }
    rv = ajplb_lb_pick(lb, &req, ids, tried, apr_time_now(), &ch);
    if (rv == APR_SUCCESS) {
        e->member = ajplb_lb_member(w, ch.member)->name;
        e->how = ajplb__how(ch.how);
        e->session_id = ch.session_id ? apr_pstrdup(e->p, ch.session_id)
                                      : NULL;
        e->route = apr_pstrdup(e->p, ch.route);
    }
    else if (rv == AJPLB_ESTICKYFORCE) {
        e->status = "503";
        e->how = "the session's member is unusable and "
                 "sticky_session_force is set: 503";
    }
    else {
        e->status = "503";
        e->how = "no member is usable (every one stopped or disabled "
                 "here): 503";
    }
    free(base);
}

static void ajplb__print(const ajplb__explain_t *e)
{
    apr_pool_t *p = e->p;
    int i;

    if (e->json) {
        printf("{\"result\":%s,\"reason\":%s,\"path\":%s,\"rule\":%s,"
               "\"rule_at\":%s,\"excluded_by\":%s,\"worker\":%s,"
               "\"type\":%s,\"member\":%s,\"how\":%s,\"session_id\":%s,"
               "\"route\":%s,\"live\":%s,\"almost\":[",
               ajplb_cli_json_str(p, e->status),
               e->reason ? ajplb_cli_json_str(p, e->reason) : "null",
               e->path ? ajplb_cli_json_str(p, e->path) : "null",
               e->rule ? ajplb_cli_json_str(p, e->rule->pattern) : "null",
               e->rule ? ajplb_cli_json_str(p, ajplb__loc(p, e->rule))
                       : "null",
               e->excluded_by
               ? ajplb_cli_json_str(p, ajplb__rule_text(p, e->excluded_by))
               : "null",
               e->worker ? ajplb_cli_json_str(p, e->worker) : "null",
               e->type ? ajplb_cli_json_str(p, e->type) : "null",
               e->member ? ajplb_cli_json_str(p, e->member) : "null",
               e->how ? ajplb_cli_json_str(p, e->how) : "null",
               e->session_id ? ajplb_cli_json_str(p, e->session_id) : "null",
               e->route ? ajplb_cli_json_str(p, e->route) : "null",
               e->live ? ajplb_cli_json_str(p, e->live) : "null");
        for (i = 0; i < e->near->nelts; i++) {
            printf("%s%s", i ? "," : "", ajplb_cli_json_str(p,
                   APR_ARRAY_IDX(e->near, i, const char *)));
        }
        printf("]}\n");
        return;
    }
    printf("result:   %s%s%s\n", e->status, e->reason ? " - " : "",
           e->reason ? e->reason : "");
    if (e->path) {
        printf("path:     %s\n", e->path);
    }
    if (e->rule) {
        printf("rule:     %s\n", ajplb__rule_text(p, e->rule));
    }
    if (e->excluded_by) {
        printf("excluded: %s\n", ajplb__rule_text(p, e->excluded_by));
    }
    if (e->worker) {
        printf("worker:   %s (%s)\n", e->worker, e->type);
    }
    if (e->member) {
        printf("member:   %s (route %s)\n", e->member, e->route);
    }
    if (e->session_id) {
        printf("session:  %s\n", e->session_id);
    }
    if (e->how) {
        printf("why:      %s\n", e->how);
    }
    if (e->live) {
        printf("state of: %s\n", e->live);
    }
    for (i = 0; i < e->near->nelts; i++) {
        printf("almost:   %s\n", APR_ARRAY_IDX(e->near, i, const char *));
    }
}

/* httpd's own decoding of the path (ap_unescape_url): a bad escape is a
 * 400, an encoded NUL or '/' a 404 (the '/' unless AllowEncodedSlashes). */
static const char *ajplb__httpd_decode(ajplb__explain_t *e,
                                       const ajplb_cli_server_t *srv,
                                       const char *path)
{
    const char *s;

    for (s = path; (s = strchr(s, '%')) != NULL; s++) {
        if (!apr_isxdigit(s[1]) || !apr_isxdigit(s[2])) {
            e->status = "400";
            e->reason = "httpd refuses a '%' not followed by two hex "
                        "digits";
            return NULL;
        }
        if (s[1] == '0' && s[2] == '0') {
            e->status = "404";
            e->reason = "httpd answers 404 for an encoded NUL (%00)";
            return NULL;
        }
        if (s[1] == '2' && (s[2] == 'f' || s[2] == 'F')
            && srv->allow_encoded_slashes == 0) {
            e->status = "404";
            e->reason = "httpd answers 404 for an encoded '/' (%2F) with "
                        "AllowEncodedSlashes Off";
            return NULL;
        }
    }
    return strchr(path, '%') ? ajplb_uri_decode(e->p, path) : path;
}

int ajplb_cli_explain(apr_pool_t *p, int argc, const char *const *argv)
{
    apr_array_header_t *rest = apr_array_make(p, 4, sizeof(const char *));
    apr_array_header_t *cookies = apr_array_make(p, 2, sizeof(const char *));
    apr_array_header_t *netargs = apr_array_make(p, 4, sizeof(const char *));
    ajplb_cli_net_t net;
    ajplb__explain_t e;
    ajplb_cli_conf_t *c;
    ajplb_cli_server_t *srv;
    const char *uri = NULL, *host = NULL, *path, *dec, *q;
    const ajplb_worker_t *w;
    apr_status_t rv;
    int json = 0, rc, i;

    rc = ajplb_cli_conf_args(p, argc, argv, &c, rest, &json);
    if (rc != 0) {
        return rc;
    }
    for (i = 0; i < rest->nelts; i++) {
        const char *a = APR_ARRAY_IDX(rest, i, const char *);
        const char *next = i + 1 < rest->nelts
                           ? APR_ARRAY_IDX(rest, i + 1, const char *) : NULL;
        if ((strcmp(a, "-H") == 0 || strcmp(a, "--host") == 0)
            && next == NULL) {
            ajplb_cli_err("%s needs an argument", a);
            return AJPLB_CLI_FAIL;
        }
        if (strcmp(a, "-H") == 0) {
            i++;
            if (strncasecmp(next, "Cookie:", 7) == 0) {
                next += 7;
                while (*next == ' ') {
                    next++;
                }
                APR_ARRAY_PUSH(cookies, const char *) = next;
            }
            else if (strncasecmp(next, "Host:", 5) == 0) {
                host = apr_pstrdup(p, next + 5);
                while (*host == ' ') {
                    host++;
                }
            }
        }
        else if (strcmp(a, "--host") == 0) {
            host = APR_ARRAY_IDX(rest, ++i, const char *);
        }
        else if ((strcmp(a, "--front") == 0 || strcmp(a, "--auth-file") == 0
                  || strcmp(a, "--cacert") == 0) && next != NULL) {
            APR_ARRAY_PUSH(netargs, const char *) = a;
            APR_ARRAY_PUSH(netargs, const char *) = next;
            i++;
        }
        else if (strcmp(a, "--insecure") == 0) {
            APR_ARRAY_PUSH(netargs, const char *) = a;
        }
        else if (a[0] == '/' && uri == NULL) {
            uri = a;
        }
        else {
            ajplb_cli_err("unexpected argument '%s': explain takes one URI "
                          "starting with '/'", a);
            return AJPLB_CLI_FAIL;
        }
    }
    if (uri == NULL) {
        ajplb_cli_err("explain needs a URI, e.g. ajplb explain -f "
                      "/etc/apache2/apache2.conf /app/index.jsp");
        return AJPLB_CLI_FAIL;
    }
    if (c->diags->errors > 0) {
        ajplb_cli_err("the configuration has %d error(s); the module would "
                      "not start: run ajplb check for them",
                      c->diags->errors);
        return AJPLB_CLI_NO;
    }
    memset(&e, 0, sizeof(e));
    e.p = p;
    e.json = json;
    if (netargs->nelts > 0) {
        rc = ajplb_cli_net_args(p, netargs->nelts,
                                (const char *const *)netargs->elts, 1, &net);
        if (rc != 0) {
            return rc;
        }
        if (net.fronts->nelts != 1) {
            ajplb_cli_err("explain takes one --front (the front whose "
                          "live balancer state to use)");
            return AJPLB_CLI_FAIL;
        }
        e.front = &APR_ARRAY_IDX(net.fronts, 0, ajplb_cli_front_t);
    }
    e.near = apr_array_make(p, 4, sizeof(const char *));
    srv = ajplb_cli_conf_server(c, host);
    q = strchr(uri, '?');
    path = q ? apr_pstrndup(p, uri, (apr_size_t)(q - uri)) : uri;
    dec = ajplb__httpd_decode(&e, srv, path);
    e.decoded = dec;
    if (dec != NULL) {
        rv = ajplb_uri_normalize(p, dec, srv->reject_unsafe
                                         ? AJPLB_URI_REJECT_UNSAFE : 0,
                                 &e.path);
        if (rv == AJPLB_EURITRAVERSAL) {
            e.status = "400";
            e.reason = "the path climbs above the root after path "
                       "parameters are removed";
        }
        else if (rv == AJPLB_EURIUNSAFE) {
            e.status = "400";
            e.reason = "'%' or '\\' after decoding and JkOptions "
                       "+RejectUnsafeURI is on";
        }
        else if (rv != APR_SUCCESS) {
            e.status = "400";
            e.reason = "the path cannot be normalised";
        }
    }
    if (e.status == NULL && e.path != NULL) {
        e.rule = srv->map ? ajplb_uri_map_match(srv->map, e.path,
                                                &e.excluded_by) : NULL;
        if (srv->map) {
            ajplb__near(&e, srv->map, strcmp(dec, e.path) ? dec : NULL);
        }
        ajplb__near_main(&e, c, srv);
        if (e.rule == NULL) {
            e.status = "local";
            e.reason = e.excluded_by
                       ? "a mount matched but an exclusion removes it; "
                         "httpd serves the request itself"
                       : "no mount matches; httpd serves the request "
                         "itself";
        }
        else {
            e.status = "forward";
            e.worker = e.rule->worker;
            w = c->model ? ajplb_model_find(c->model, e.worker) : NULL;
            e.type = w ? ajplb_worker_type_name(w->type) : "?";
            if (w != NULL && w->type == AJPLB_WORKER_LB) {
                ajplb__pick(&e, c->model, w, cookies);
            }
        }
    }
    if (e.status == NULL) {
        e.status = "400";
    }
    ajplb__print(&e);
    return AJPLB_CLI_OK;
}
