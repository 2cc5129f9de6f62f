/*
 * ajplb_cli_status.c -- COMMAND: `ajplb status`: one table of every lb
 * member on every front (activation, state, busy, errors, requests per
 * second since the last poll), from each front's JSON status; --watch
 * refreshes; the exit status says whether a member is in error anywhere.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>

#include "ajplb_cli_http.h"

/* Last poll of one member on one front, for the rate. */
typedef struct {
    long long elected;
    apr_time_t at;
} ajplb__prev_t;

static void ajplb__print_row(int json, int *first, const char *front,
                             const char *lb, json_t *m, double rate,
                             apr_pool_t *p)
{
    const char *state = ajplb_cli_jstr(m, "state");
    const char *act = ajplb_cli_jstr(m, "activation");
    const char *name = ajplb_cli_jstr(m, "name");

    if (json) {
        printf("%s{\"front\":%s,\"lb\":%s,\"member\":%s,\"activation\":%s,"
               "\"state\":%s,\"busy\":%lld,\"errors\":%lld,"
               "\"sessions\":%lld,\"requests\":%lld,", *first ? "" : ",",
               ajplb_cli_json_str(p, front), ajplb_cli_json_str(p, lb),
               ajplb_cli_json_str(p, name ? name : "?"),
               ajplb_cli_json_str(p, act ? act : "?"),
               ajplb_cli_json_str(p, state ? state : "?"),
               ajplb_cli_jint(m, "busy"), ajplb_cli_jint(m, "errors"),
               ajplb_cli_jint(m, "sessions"), ajplb_cli_jint(m, "elected"));
        if (rate >= 0) {
            printf("\"requests_per_second\":%.2f}", rate);
        }
        else {
            printf("\"requests_per_second\":null}");
        }
    }
    else {
        char r[32];
        if (rate >= 0) {
            apr_snprintf(r, sizeof(r), "%.1f", rate);
        }
        else {
            apr_cpystrn(r, "-", sizeof(r));
        }
        printf("%-24s %-32s %-4s %-8s %5lld %7lld %8s\n",
               apr_pstrcat(p, lb, "/", name ? name : "?", NULL), front,
               act ? act : "?", state ? state : "?",
               ajplb_cli_jint(m, "busy"), ajplb_cli_jint(m, "errors"), r);
    }
    *first = 0;
}

/* One poll of every front; @return 0 all fine, 1 a member in ERR,
 * 2 a front failed. */
static int ajplb__poll(apr_pool_t *p, ajplb_cli_net_t *net, apr_hash_t *prev,
                       apr_pool_t *keep)
{
    apr_array_header_t *docs = apr_array_make(p, 4, sizeof(json_t *));
    apr_array_header_t *lbs = apr_array_make(p, 4, sizeof(const char *));
    apr_array_header_t *members = apr_array_make(p, 8, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(p);
    apr_time_t now = apr_time_now();
    int i, j, k, f, rc = 0, first = 1, in_error = 0;

    if (net->json) {
        printf("{\"time\":%lld,\"fronts\":[", (long long)apr_time_sec(now));
    }
    for (f = 0; f < net->fronts->nelts; f++) {
        const ajplb_cli_front_t *fr =
            &APR_ARRAY_IDX(net->fronts, f, ajplb_cli_front_t);
        const char *err = NULL;
        json_t *d = ajplb_cli_get_json(p, fr, "cmd=list&mime=json", NULL,
                                       &err);
        APR_ARRAY_PUSH(docs, json_t *) = d;
        if (d == NULL) {
            ajplb_cli_err("%s", err);
            rc = AJPLB_CLI_FAIL;
        }
        if (net->json) {
            printf("%s{\"url\":%s,\"ok\":%s,\"error\":%s}", f ? "," : "",
                   ajplb_cli_json_str(p, fr->url), d ? "true" : "false",
                   err ? ajplb_cli_json_str(p, err) : "null");
        }
        /* Rows follow the order of lbs and members on the fronts. */
        for (i = 0; d && i < (int)json_array_size(json_object_get(d,
                                                       "balancers")); i++) {
            json_t *b = json_array_get(json_object_get(d, "balancers"), i);
            json_t *ms = json_object_get(b, "members");
            const char *lb = ajplb_cli_jstr(b, "name");
            for (j = 0; lb && j < (int)json_array_size(ms); j++) {
                const char *mn = ajplb_cli_jstr(json_array_get(ms, j),
                                                "name");
                const char *key = apr_pstrcat(p, lb, "/", mn, NULL);
                if (mn && apr_hash_get(seen, key, APR_HASH_KEY_STRING)
                    == NULL) {
                    apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
                    APR_ARRAY_PUSH(lbs, const char *) = lb;
                    APR_ARRAY_PUSH(members, const char *) = mn;
                }
            }
        }
    }
    if (net->json) {
        printf("],\"members\":[");
    }
    else if (members->nelts > 0) {
        printf("%-24s %-32s %-4s %-8s %5s %7s %8s\n", "MEMBER", "FRONT",
               "ACT", "STATE", "BUSY", "ERRORS", "REQ/S");
    }
    for (k = 0; k < members->nelts; k++) {
        const char *lb = APR_ARRAY_IDX(lbs, k, const char *);
        const char *mn = APR_ARRAY_IDX(members, k, const char *);
        for (f = 0; f < net->fronts->nelts; f++) {
            json_t *d = APR_ARRAY_IDX(docs, f, json_t *);
            const char *url = APR_ARRAY_IDX(net->fronts, f,
                                            ajplb_cli_front_t).url;
            json_t *bs = d ? json_object_get(d, "balancers") : NULL;
            json_t *m = NULL;
            const char *key, *state;
            ajplb__prev_t *pv;
            double rate = -1;

            for (i = 0; !m && i < (int)json_array_size(bs); i++) {
                json_t *b = json_array_get(bs, i);
                json_t *ms = json_object_get(b, "members");
                const char *bn = ajplb_cli_jstr(b, "name");
                for (j = 0; bn && strcmp(bn, lb) == 0
                            && j < (int)json_array_size(ms); j++) {
                    const char *n = ajplb_cli_jstr(json_array_get(ms, j),
                                                   "name");
                    if (n && strcmp(n, mn) == 0) {
                        m = json_array_get(ms, j);
                        break;
                    }
                }
            }
            if (m == NULL) {
                continue;
            }
            key = apr_pstrcat(p, url, " ", lb, "/", mn, NULL);
            pv = apr_hash_get(prev, key, APR_HASH_KEY_STRING);
            if (pv != NULL && now > pv->at) {
                rate = (double)(ajplb_cli_jint(m, "elected") - pv->elected)
                       / ((double)(now - pv->at) / APR_USEC_PER_SEC);
            }
            else if (pv == NULL) {
                pv = apr_pcalloc(keep, sizeof(*pv));
                apr_hash_set(prev, apr_pstrdup(keep, key),
                             APR_HASH_KEY_STRING, pv);
            }
            pv->elected = ajplb_cli_jint(m, "elected");
            pv->at = now;
            state = ajplb_cli_jstr(m, "state");
            if (state != NULL && strncmp(state, "ERR", 3) == 0) {
                in_error++;
            }
            ajplb__print_row(net->json, &first, url, lb, m, rate, p);
        }
    }
    if (net->json) {
        printf("],\"members_in_error\":%d}\n", in_error);
    }
    else if (in_error) {
        printf("%d member%s in error\n", in_error, in_error == 1 ? "" : "s");
    }
    fflush(stdout);
    for (f = 0; f < docs->nelts; f++) {
        if (APR_ARRAY_IDX(docs, f, json_t *) != NULL) {
            json_decref(APR_ARRAY_IDX(docs, f, json_t *));
        }
    }
    if (rc == 0 && in_error) {
        rc = AJPLB_CLI_NO;
    }
    return rc;
}

int ajplb_cli_status(apr_pool_t *p, int argc, const char *const *argv)
{
    ajplb_cli_net_t net;
    apr_hash_t *prev = apr_hash_make(p);
    int watch = 0, count = 0, rc, i, n;

    rc = ajplb_cli_net_args(p, argc, argv, 0, &net);
    if (rc != 0) {
        return rc;
    }
    for (i = 0; i < net.rest->nelts; i++) {
        const char *a = APR_ARRAY_IDX(net.rest, i, const char *);
        const char *v = i + 1 < net.rest->nelts
                        ? APR_ARRAY_IDX(net.rest, i + 1, const char *)
                        : NULL;
        if (strcmp(a, "--watch") == 0 && v && atoi(v) > 0) {
            watch = atoi(v);
            i++;
        }
        else if (strcmp(a, "--count") == 0 && v && atoi(v) > 0) {
            count = atoi(v);
            i++;
        }
        else {
            ajplb_cli_err("status: unexpected argument '%s' (options: "
                          "--json, --watch SECONDS, --count N, "
                          "--auth-file FILE)", a);
            return AJPLB_CLI_FAIL;
        }
    }
    for (n = 0;; n++) {
        apr_pool_t *sub;
        apr_pool_create(&sub, p);
        if (watch && !net.json && n > 0) {
            printf("\n");
        }
        rc = ajplb__poll(sub, &net, prev, p);
        apr_pool_destroy(sub);
        if (!watch || (count && n + 1 >= count)) {
            break;
        }
        apr_sleep(apr_time_from_sec(watch));
    }
    return rc;
}
