/*
 * ajplb_cli_diff.c -- COMMAND: `ajplb diff URL...`: do the fronts run the
 * same worker configuration?  Compares every front's configuration dump
 * (cmd=dump: each workers.properties / JkWorkerProperty value as read;
 * secrets are shown hidden, so only their presence is compared) and the
 * run-time activation of each lb member, naming every difference.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "ajplb_cli_http.h"

/* key -> value of one front's dump; lb/member -> activation from list. */
static apr_hash_t *ajplb__props(apr_pool_t *p, json_t *dump, json_t *list,
                                apr_array_header_t *order,
                                apr_hash_t *seen)
{
    apr_hash_t *h = apr_hash_make(p);
    json_t *props = json_object_get(dump, "properties");
    json_t *bs = json_object_get(list, "balancers");
    int i, j;

    for (i = 0; i < (int)json_array_size(props); i++) {
        json_t *e = json_array_get(props, i);
        const char *k = ajplb_cli_jstr(e, "key");
        const char *v = ajplb_cli_jstr(e, "value");
        if (k == NULL) {
            continue;
        }
        k = apr_pstrdup(p, k);
        apr_hash_set(h, k, APR_HASH_KEY_STRING,
                     apr_pstrdup(p, v ? v : ""));
        if (apr_hash_get(seen, k, APR_HASH_KEY_STRING) == NULL) {
            apr_hash_set(seen, k, APR_HASH_KEY_STRING, k);
            APR_ARRAY_PUSH(order, const char *) = k;
        }
    }
    for (i = 0; i < (int)json_array_size(bs); i++) {
        json_t *b = json_array_get(bs, i);
        json_t *ms = json_object_get(b, "members");
        for (j = 0; j < (int)json_array_size(ms); j++) {
            json_t *m = json_array_get(ms, j);
            const char *k = apr_psprintf(p, "(run time) %s/%s activation",
                                         ajplb_cli_jstr(b, "name"),
                                         ajplb_cli_jstr(m, "name"));
            const char *v = ajplb_cli_jstr(m, "activation");
            apr_hash_set(h, k, APR_HASH_KEY_STRING,
                         apr_pstrdup(p, v ? v : "?"));
            if (apr_hash_get(seen, k, APR_HASH_KEY_STRING) == NULL) {
                apr_hash_set(seen, k, APR_HASH_KEY_STRING, k);
                APR_ARRAY_PUSH(order, const char *) = k;
            }
        }
    }
    return h;
}

int ajplb_cli_diff(apr_pool_t *p, int argc, const char *const *argv)
{
    ajplb_cli_net_t net;
    apr_array_header_t *order = apr_array_make(p, 64, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(p);
    apr_hash_t **maps;
    int rc, f, i, ndiff = 0;

    rc = ajplb_cli_net_args(p, argc, argv, 0, &net);
    if (rc != 0) {
        return rc;
    }
    if (net.rest->nelts > 0) {
        ajplb_cli_err("diff: unexpected argument '%s'",
                      APR_ARRAY_IDX(net.rest, 0, const char *));
        return AJPLB_CLI_FAIL;
    }
    if (net.fronts->nelts < 2) {
        ajplb_cli_err("diff needs two or more fronts to compare");
        return AJPLB_CLI_FAIL;
    }
    maps = apr_pcalloc(p, sizeof(*maps) * (apr_size_t)net.fronts->nelts);
    for (f = 0; f < net.fronts->nelts; f++) {
        const ajplb_cli_front_t *fr =
            &APR_ARRAY_IDX(net.fronts, f, ajplb_cli_front_t);
        const char *err = NULL;
        json_t *dump = ajplb_cli_get_json(p, fr, "cmd=dump&mime=json", NULL,
                                          &err);
        json_t *list = dump ? ajplb_cli_get_json(p, fr, "cmd=list&mime=json",
                                                 NULL, &err) : NULL;
        if (list == NULL) {
            ajplb_cli_err("%s", err);
            if (dump) {
                json_decref(dump);
            }
            return AJPLB_CLI_FAIL;
        }
        maps[f] = ajplb__props(p, dump, list, order, seen);
        json_decref(dump);
        json_decref(list);
    }
    for (i = 0; i < order->nelts; i++) {
        const char *k = APR_ARRAY_IDX(order, i, const char *);
        const char *v0 = apr_hash_get(maps[0], k, APR_HASH_KEY_STRING);
        int same = 1;

        for (f = 1; f < net.fronts->nelts && same; f++) {
            const char *v = apr_hash_get(maps[f], k, APR_HASH_KEY_STRING);
            same = (v == NULL && v0 == NULL)
                   || (v != NULL && v0 != NULL && strcmp(v, v0) == 0);
        }
        if (same) {
            continue;
        }
        ndiff++;
        if (net.json) {
            printf("%s{\"key\":%s,\"values\":{", ndiff > 1 ? "," : "[",
                   ajplb_cli_json_str(p, k));
        }
        else {
            printf("%s:\n", k);
        }
        for (f = 0; f < net.fronts->nelts; f++) {
            const char *v = apr_hash_get(maps[f], k, APR_HASH_KEY_STRING);
            const char *url = APR_ARRAY_IDX(net.fronts, f,
                                            ajplb_cli_front_t).url;
            if (net.json) {
                printf("%s%s:%s", f ? "," : "", ajplb_cli_json_str(p, url),
                       v ? ajplb_cli_json_str(p, v) : "null");
            }
            else {
                printf("    %-40s %s\n", url, v ? v : "(not set)");
            }
        }
        if (net.json) {
            printf("}}");
        }
    }
    if (net.json) {
        printf("%s\n", ndiff ? "]" : "[]");
    }
    else if (ndiff == 0) {
        printf("the %d fronts run the same worker configuration (%d "
               "settings compared)\n", net.fronts->nelts, order->nelts);
    }
    else {
        printf("%d difference%s\n", ndiff, ndiff == 1 ? "" : "s");
    }
    return ndiff ? AJPLB_CLI_NO : AJPLB_CLI_OK;
}
