/*
 * ajplb_cli_ctl.c -- COMMAND: `ajplb drain|enable|stop MEMBER --front
 * URL...`: set a member's activation on every front through the status
 * worker's POST + nonce API, all or nothing (a front that refuses makes
 * the others go back), and `drain|stop --wait` until no front has
 * requests in flight (or new sessions) on the member.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>

#include "ajplb_cli_http.h"

/* The member on one front: its lb and its activation before the change. */
typedef struct {
    const char *lb;
    const char *before;         /* "ACT", "DIS", "STP" */
    int changed;
    long long sessions;         /* at the last --wait poll */
    long long elected;          /* requests sent to it, same poll */
} ajplb__target_t;

/* Find @a member (in @a lb when given) in a front's list; NULL + @a err
 * when it is not there or is in several lbs. */
static json_t *ajplb__find(apr_pool_t *p, json_t *doc, const char *url,
                           const char *lb, const char *member,
                           const char **lb_out, const char **err)
{
    json_t *bs = json_object_get(doc, "balancers"), *hit = NULL;
    const char *names = NULL;
    int i, j, n = 0;

    for (i = 0; i < (int)json_array_size(bs); i++) {
        json_t *b = json_array_get(bs, i);
        json_t *ms = json_object_get(b, "members");
        const char *bn = ajplb_cli_jstr(b, "name");
        if (bn == NULL || (lb != NULL && strcmp(bn, lb) != 0)) {
            continue;
        }
        for (j = 0; j < (int)json_array_size(ms); j++) {
            json_t *m = json_array_get(ms, j);
            const char *mn = ajplb_cli_jstr(m, "name");
            names = apr_pstrcat(p, names ? names : "", names ? ", " : "",
                                bn, "/", mn ? mn : "?", NULL);
            if (mn != NULL && strcmp(mn, member) == 0) {
                hit = m;
                *lb_out = bn;
                n++;
            }
        }
    }
    if (n == 1) {
        return hit;
    }
    *err = n == 0
        ? apr_psprintf(p, "%s: no lb member '%s%s%s' on this front "
                       "(members: %s); check the name, or that this front "
                       "runs the same workers.properties (ajplb diff)",
                       url, lb ? lb : "", lb ? "/" : "", member,
                       names ? names : "none")
        : apr_psprintf(p, "%s: '%s' is a member of several lbs; name one "
                       "as LB/%s", url, member, member);
    return NULL;
}

/* One change on one front: fetch a nonce, POST.  NULL or the reason. */
static const char *ajplb__set(apr_pool_t *p, const ajplb_cli_front_t *f,
                              const char *lb, const char *member,
                              char act)
{
    const char *nonce = NULL, *err = NULL;
    json_t *d = ajplb_cli_get_json(p, f, "cmd=version&mime=json", &nonce,
                                   &err);
    json_t *res;

    if (d == NULL) {
        return err;
    }
    json_decref(d);
    if (nonce == NULL) {
        return apr_psprintf(p, "%s: the status worker hands out no nonce, "
                            "so it is read-only; set "
                            "worker.<name>.read_only=false (and protect "
                            "it, docs/STATUS.md)", f->url);
    }
    res = ajplb_cli_post_json(p, f, apr_psprintf(p, "cmd=update&w=%s&sw=%s"
                                                 "&vwa=%c&mime=json&nonce=%s",
                                                 lb, member, act, nonce),
                              &err);
    if (res == NULL) {
        if (err != NULL && strstr(err, "HTTP 403") != NULL) {
            return apr_pstrcat(p, err, " (the front refused the change: "
                               "check that the URL's host is the "
                               "front's ServerName or a ServerAlias, and "
                               "the user= list)", NULL);
        }
        return err;
    }
    json_decref(res);
    return NULL;
}

static char ajplb__letter(const char *act)
{
    return act == NULL ? 'A' : act[0] == 'D' ? 'D' : act[0] == 'S' ? 'S'
                                                                  : 'A';
}

/* --wait: poll until no front has the member busy or new sessions on it
 * (drain), or busy (stop); with @a idle (drain --idle) also until no
 * request at all reached it in the last poll interval: the sticky
 * sessions still using it have ended. */
static int ajplb__wait(apr_pool_t *p, ajplb_cli_net_t *net,
                       ajplb__target_t *t, const char *cmd,
                       const char *member, int timeout, int idle)
{
    apr_time_t end = apr_time_now() + apr_time_from_sec(timeout);
    int round, f;

    for (round = 0;; round++) {
        apr_pool_t *sub;
        const char *line = "";
        long long busy = 0, fresh = 0, reqs = 0;
        int failed = 0;

        apr_pool_create(&sub, p);
        for (f = 0; f < net->fronts->nelts; f++) {
            const ajplb_cli_front_t *fr =
                &APR_ARRAY_IDX(net->fronts, f, ajplb_cli_front_t);
            const char *err = NULL, *lb;
            json_t *d = ajplb_cli_get_json(sub, fr, "cmd=list&mime=json",
                                           NULL, &err);
            json_t *m = d ? ajplb__find(sub, d, fr->url, t[f].lb, member,
                                        &lb, &err) : NULL;
            long long b, s, e, nnew, nreq;

            if (m == NULL) {
                ajplb_cli_err("%s", err);
                failed = 1;
                if (d) {
                    json_decref(d);
                }
                continue;
            }
            b = ajplb_cli_jint(m, "busy");
            s = ajplb_cli_jint(m, "sessions");
            e = ajplb_cli_jint(m, "elected");
            nnew = round ? s - t[f].sessions : 0;
            nreq = round ? e - t[f].elected : 0;
            t[f].sessions = s;
            t[f].elected = e;
            busy += b;
            fresh += nnew;
            reqs += nreq;
            line = apr_psprintf(sub, "%s  %s busy=%" APR_INT64_T_FMT
                                " requests=%" APR_INT64_T_FMT
                                " new_sessions=%" APR_INT64_T_FMT, line,
                                fr->url, (apr_int64_t)b, (apr_int64_t)nreq,
                                (apr_int64_t)nnew);
            json_decref(d);
        }
        printf("%s %s:%s\n", cmd, member, line);
        fflush(stdout);
        apr_pool_destroy(sub);
        if (!failed && round > 0 && busy == 0 && fresh == 0
            && (reqs == 0 || !idle)) {
            if (reqs == 0) {
                printf("%s %s: no requests in flight, none and no new "
                       "sessions in the last second, on any front\n",
                       cmd[0] == 'd' ? "drained" : "stopped", member);
            }
            else {
                printf("drained %s: no requests in flight and no new "
                       "sessions on any front; %" APR_INT64_T_FMT
                       " requests of existing sessions still reached it "
                       "in the last second (ajplb stop moves them; "
                       "--idle waits for them to end)\n", member,
                       (apr_int64_t)reqs);
            }
            return AJPLB_CLI_OK;
        }
        if (apr_time_now() >= end) {
            ajplb_cli_err("timed out after %d s waiting for %s to %s "
                          "(busy=%lld, requests=%lld, new sessions=%lld "
                          "at the last poll); it stays %s: wait longer "
                          "(--timeout)%s", timeout, member,
                          cmd[0] == 'd' ? "drain" : "go idle", busy, reqs,
                          fresh, cmd[0] == 'd' ? "disabled" : "stopped",
                          cmd[0] == 'd' ? " or stop it" : "");
            return AJPLB_CLI_NO;
        }
        apr_sleep(apr_time_from_sec(1));
    }
}

int ajplb_cli_activate(apr_pool_t *p, const char *cmd, int argc,
                       const char *const *argv)
{
    ajplb_cli_net_t net;
    ajplb__target_t *t;
    const char *member = NULL, *lb = NULL, *fail = NULL;
    char act = cmd[0] == 'd' ? 'D' : cmd[0] == 's' ? 'S' : 'A';
    int wait = 0, idle = 0, timeout = 300, rc, i, f;

    rc = ajplb_cli_net_args(p, argc, argv, 1, &net);
    if (rc != 0) {
        return rc;
    }
    for (i = 0; i < net.rest->nelts; i++) {
        const char *a = APR_ARRAY_IDX(net.rest, i, const char *);
        const char *v = i + 1 < net.rest->nelts
                        ? APR_ARRAY_IDX(net.rest, i + 1, const char *)
                        : NULL;
        if (strcmp(a, "--wait") == 0 && act != 'A') {
            wait = 1;
        }
        else if (strcmp(a, "--idle") == 0 && act == 'D') {
            wait = idle = 1;
        }
        else if (strcmp(a, "--timeout") == 0 && v && atoi(v) > 0) {
            timeout = atoi(v);
            i++;
        }
        else if (a[0] != '-' && member == NULL) {
            const char *slash = strchr(a, '/');
            member = slash ? slash + 1 : a;
            lb = slash ? apr_pstrndup(p, a, (apr_size_t)(slash - a)) : NULL;
        }
        else {
            ajplb_cli_err("%s: unexpected argument '%s' (usage: ajplb %s "
                          "[LB/]MEMBER --front URL...%s)", cmd, a, cmd,
                          act == 'D' ? " [--wait [--idle]] [--timeout S]"
                          : act == 'S' ? " [--wait] [--timeout S]" : "");
            return AJPLB_CLI_FAIL;
        }
    }
    if (member == NULL || *member == '\0') {
        ajplb_cli_err("%s: name the member, e.g. ajplb %s node1 --front "
                      "http://web1/jkmanager", cmd, cmd);
        return AJPLB_CLI_FAIL;
    }
    t = apr_pcalloc(p, sizeof(*t) * (apr_size_t)net.fronts->nelts);
    /* Look first: every front must know the member before any changes. */
    for (f = 0; f < net.fronts->nelts; f++) {
        const ajplb_cli_front_t *fr =
            &APR_ARRAY_IDX(net.fronts, f, ajplb_cli_front_t);
        const char *err = NULL;
        json_t *d = ajplb_cli_get_json(p, fr, "cmd=list&mime=json", NULL,
                                       &err);
        json_t *m = d ? ajplb__find(p, d, fr->url, lb, member, &t[f].lb,
                                    &err) : NULL;
        if (m == NULL) {
            ajplb_cli_err("%s; nothing was changed", err);
            if (d) {
                json_decref(d);
            }
            return AJPLB_CLI_FAIL;
        }
        t[f].lb = apr_pstrdup(p, t[f].lb);
        t[f].before = apr_pstrdup(p, ajplb_cli_jstr(m, "activation"));
        t[f].sessions = ajplb_cli_jint(m, "sessions");
        t[f].elected = ajplb_cli_jint(m, "elected");
        json_decref(d);
    }
    for (f = 0; f < net.fronts->nelts && fail == NULL; f++) {
        const ajplb_cli_front_t *fr =
            &APR_ARRAY_IDX(net.fronts, f, ajplb_cli_front_t);
        fail = ajplb__set(p, fr, t[f].lb, member, act);
        if (fail == NULL) {
            t[f].changed = 1;
            printf("%s: %s/%s %s -> %s\n", fr->url, t[f].lb, member,
                   t[f].before, act == 'D' ? "DIS" : act == 'S' ? "STP"
                                                                : "ACT");
        }
    }
    if (fail != NULL) {
        /* All or nothing: put the fronts already changed back. */
        for (f = 0; f < net.fronts->nelts; f++) {
            const ajplb_cli_front_t *fr =
                &APR_ARRAY_IDX(net.fronts, f, ajplb_cli_front_t);
            const char *why;
            if (!t[f].changed) {
                continue;
            }
            why = ajplb__set(p, fr, t[f].lb, member,
                             ajplb__letter(t[f].before));
            if (why == NULL) {
                printf("%s: %s/%s put back to %s\n", fr->url, t[f].lb,
                       member, t[f].before);
            }
            else {
                ajplb_cli_err("%s; could not put it back to %s: set it by "
                              "hand", why, t[f].before);
            }
        }
        ajplb_cli_err("%s; the other fronts were put back", fail);
        return AJPLB_CLI_NO;
    }
    if (wait) {
        return ajplb__wait(p, &net, t, cmd, member, timeout, idle);
    }
    return AJPLB_CLI_OK;
}
