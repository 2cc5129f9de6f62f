/*
 * ajplb_cli_diff.c -- COMMAND: `ajplb diff URL...`: do the fronts run the
 * same worker configuration and the same mounts?  Compares every front's
 * configuration dump (cmd=dump: each workers.properties / JkWorkerProperty
 * value as read, secrets shown hidden so only their presence is compared;
 * and the JkMount, JkMountFile and workers.properties mount rules of each
 * virtual host), and the run-time activation of each lb member, naming
 * every difference.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "ajplb_cli_http.h"

/* One thing compared across the fronts. */
typedef struct {
    const char *key;            /* as printed */
    const char *kind;           /* "property", "activation", "mount" */
} ajplb__item_t;

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *order;  /* of ajplb__item_t, first seen first */
    apr_hash_t *seen;           /* the keys already in order */
    int nmounts;                /* mount items among them */
} ajplb__items_t;

/* Record @a value for @a key in one front's map @a h; a key set twice
 * on one front (a pattern mounted from two sources) keeps both. */
static void ajplb__put(ajplb__items_t *it, apr_hash_t *h, const char *kind,
                       const char *key, const char *value)
{
    const char *old = apr_hash_get(h, key, APR_HASH_KEY_STRING);

    key = apr_pstrdup(it->p, key);
    apr_hash_set(h, key, APR_HASH_KEY_STRING, old == NULL
                 ? apr_pstrdup(it->p, value)
                 : apr_pstrcat(it->p, old, " + ", value, NULL));
    if (apr_hash_get(it->seen, key, APR_HASH_KEY_STRING) == NULL) {
        ajplb__item_t *i = apr_array_push(it->order);
        i->key = key;
        i->kind = kind;
        apr_hash_set(it->seen, key, APR_HASH_KEY_STRING, key);
        it->nmounts += strcmp(kind, "mount") == 0;
    }
}

/* The name a virtual host is compared by: its ServerName, not its
 * addresses and ports, which usually differ between fronts; a second
 * <VirtualHost> with the same name (another port) gets " #2". */
static const char *ajplb__vhost(apr_pool_t *p, apr_hash_t *names,
                                json_t *m)
{
    const char *name = ajplb_cli_jstr(m, "server");
    const char *addr = ajplb_cli_jstr(m, "address");
    const char *id, *label;
    int *n;

    if (!json_is_true(json_object_get(m, "virtual"))) {
        return "main server";
    }
    name = name ? name : "";
    id = apr_pstrcat(p, name, "\n", addr ? addr : "", NULL);
    label = apr_hash_get(names, id, APR_HASH_KEY_STRING);
    if (label != NULL) {
        return label;
    }
    n = apr_hash_get(names, name, APR_HASH_KEY_STRING);
    if (n == NULL) {
        n = apr_pcalloc(p, sizeof(*n));
        apr_hash_set(names, name, APR_HASH_KEY_STRING, n);
    }
    ++*n;
    label = *n == 1 ? apr_pstrcat(p, "virtual host ", name, NULL)
                    : apr_psprintf(p, "virtual host %s #%d", name, *n);
    apr_hash_set(names, id, APR_HASH_KEY_STRING, label);
    return label;
}

/* A rule is known by its virtual host, kind and pattern (an unmount also
 * by its worker: one pattern may be unmounted for several); what it maps
 * to, its extensions and source are its value.  Where it was written is
 * left out: fronts keep their files in different places. */
static void ajplb__mounts(ajplb__items_t *it, apr_hash_t *h, json_t *ms)
{
    apr_hash_t *names = apr_hash_make(it->p);
    int i;

    for (i = 0; i < (int)json_array_size(ms); i++) {
        json_t *m = json_array_get(ms, i);
        const char *type = ajplb_cli_jstr(m, "type");
        const char *pat = ajplb_cli_jstr(m, "pattern");
        const char *worker = ajplb_cli_jstr(m, "worker");
        const char *ext = ajplb_cli_jstr(m, "extensions");
        const char *src = ajplb_cli_jstr(m, "source");
        int unmount = type != NULL && strcmp(type, "unmount") == 0;
        const char *key, *value;

        worker = worker ? worker : "?";
        key = apr_psprintf(it->p, "%s %s%s%s (%s)", unmount ? "unmount"
                           : "mount", pat ? pat : "?", unmount ? " for "
                           : "", unmount ? worker : "",
                           ajplb__vhost(it->p, names, m));
        value = apr_psprintf(it->p, "%s%s%s (%s%s)", worker,
                             ext && *ext ? ";" : "", ext ? ext : "",
                             src ? src : "?",
                             json_is_true(json_object_get(m, "disabled"))
                             ? ", disabled" : "");
        ajplb__put(it, h, "mount", key, value);
    }
}

/* One front's values: dump properties, mounts, member activations. */
static apr_hash_t *ajplb__front(ajplb__items_t *it, json_t *dump,
                                json_t *list, int with_mounts)
{
    apr_hash_t *h = apr_hash_make(it->p);
    json_t *props = json_object_get(dump, "properties");
    json_t *bs = json_object_get(list, "balancers");
    int i, j;

    for (i = 0; i < (int)json_array_size(props); i++) {
        json_t *e = json_array_get(props, i);
        const char *k = ajplb_cli_jstr(e, "key");
        const char *v = ajplb_cli_jstr(e, "value");
        if (k != NULL) {
            ajplb__put(it, h, "property", k, v ? v : "");
        }
    }
    if (with_mounts) {
        ajplb__mounts(it, h, json_object_get(dump, "mounts"));
    }
    for (i = 0; i < (int)json_array_size(bs); i++) {
        json_t *b = json_array_get(bs, i);
        json_t *ms = json_object_get(b, "members");
        for (j = 0; j < (int)json_array_size(ms); j++) {
            json_t *m = json_array_get(ms, j);
            const char *v = ajplb_cli_jstr(m, "activation");
            ajplb__put(it, h, "activation",
                       apr_psprintf(it->p, "(run time) %s/%s activation",
                                    ajplb_cli_jstr(b, "name"),
                                    ajplb_cli_jstr(m, "name")),
                       v ? v : "?");
        }
    }
    return h;
}

int ajplb_cli_diff(apr_pool_t *p, int argc, const char *const *argv)
{
    ajplb_cli_net_t net;
    ajplb__items_t it;
    json_t **dumps, **lists;
    apr_hash_t **maps;
    int rc, f, i, ndiff = 0, with_mounts = 1;

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
    it.p = p;
    it.order = apr_array_make(p, 64, sizeof(ajplb__item_t));
    it.seen = apr_hash_make(p);
    it.nmounts = 0;
    dumps = apr_pcalloc(p, sizeof(*dumps) * (apr_size_t)net.fronts->nelts);
    lists = apr_pcalloc(p, sizeof(*lists) * (apr_size_t)net.fronts->nelts);
    maps = apr_pcalloc(p, sizeof(*maps) * (apr_size_t)net.fronts->nelts);
    for (f = 0; f < net.fronts->nelts; f++) {
        const ajplb_cli_front_t *fr =
            &APR_ARRAY_IDX(net.fronts, f, ajplb_cli_front_t);
        const char *err = NULL;

        dumps[f] = ajplb_cli_get_json(p, fr, "cmd=dump&mime=json", NULL,
                                      &err);
        lists[f] = dumps[f] ? ajplb_cli_get_json(p, fr, "cmd=list&mime=json",
                                                 NULL, &err) : NULL;
        if (lists[f] == NULL) {
            ajplb_cli_err("%s", err);
            rc = AJPLB_CLI_FAIL;
            break;
        }
        /* A module from before the dump listed its mounts: compare what
         * every front shows rather than call all its rules missing. */
        if (!json_is_array(json_object_get(dumps[f], "mounts"))) {
            ajplb_cli_err("%s: the status worker's dump does not list the "
                          "JkMount rules (an older mod_ajplb); they are not "
                          "compared", fr->url);
            with_mounts = 0;
        }
    }
    for (f = 0; f < net.fronts->nelts && rc == 0; f++) {
        maps[f] = ajplb__front(&it, dumps[f], lists[f], with_mounts);
    }
    for (f = 0; f < net.fronts->nelts; f++) {
        if (dumps[f]) {
            json_decref(dumps[f]);
        }
        if (lists[f]) {
            json_decref(lists[f]);
        }
    }
    if (rc != 0) {
        return rc;
    }
    for (i = 0; i < it.order->nelts; i++) {
        const ajplb__item_t *item = &APR_ARRAY_IDX(it.order, i,
                                                   ajplb__item_t);
        const char *v0 = apr_hash_get(maps[0], item->key,
                                      APR_HASH_KEY_STRING);
        const char *only = NULL;
        int mount = strcmp(item->kind, "mount") == 0;
        int same = 1, missing = 0;

        for (f = 0; f < net.fronts->nelts; f++) {
            const char *v = apr_hash_get(maps[f], item->key,
                                         APR_HASH_KEY_STRING);
            const char *url = APR_ARRAY_IDX(net.fronts, f,
                                            ajplb_cli_front_t).url;
            same = same && ((v == NULL && v0 == NULL)
                            || (v != NULL && v0 != NULL
                                && strcmp(v, v0) == 0));
            missing |= v == NULL;
            if (v != NULL) {
                only = only ? apr_pstrcat(p, only, ", ", url, NULL) : url;
            }
        }
        if (same) {
            continue;
        }
        ndiff++;
        if (net.json) {
            printf("%s{\"kind\":\"%s\",\"key\":%s,\"difference\":%s,"
                   "\"values\":{", ndiff > 1 ? "," : "[", item->kind,
                   ajplb_cli_json_str(p, item->key),
                   ajplb_cli_json_str(p, missing ? apr_pstrcat(p,
                       "only on ", only, NULL) : "differs"));
        }
        else if (mount) {
            printf("%s: %s\n", item->key, missing
                   ? apr_pstrcat(p, "rule only on ", only, NULL)
                   : "rule differs");
        }
        else {
            printf("%s:\n", item->key);
        }
        for (f = 0; f < net.fronts->nelts; f++) {
            const char *v = apr_hash_get(maps[f], item->key,
                                         APR_HASH_KEY_STRING);
            const char *url = APR_ARRAY_IDX(net.fronts, f,
                                            ajplb_cli_front_t).url;
            if (net.json) {
                printf("%s%s:%s", f ? "," : "", ajplb_cli_json_str(p, url),
                       v ? ajplb_cli_json_str(p, v) : "null");
            }
            else {
                printf("    %-40s %s\n", url, v ? v : mount ? "(no rule)"
                                                          : "(not set)");
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
        printf("the %d fronts run the same worker configuration%s (%d "
               "settings%s compared)\n", net.fronts->nelts,
               with_mounts ? " and JkMount rules" : "",
               it.order->nelts - it.nmounts, with_mounts
               ? apr_psprintf(p, " and %d mount rules", it.nmounts)
               : "; JkMount rules not");
    }
    else {
        printf("%d difference%s\n", ndiff, ndiff == 1 ? "" : "s");
    }
    return ndiff ? AJPLB_CLI_NO : AJPLB_CLI_OK;
}
