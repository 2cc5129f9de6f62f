/*
 * ajplb_cli_http.c -- COMMAND: HTTP(S) to the fronts with libcurl and
 * their JSON status with jansson.  Every failure becomes one line naming
 * the front, what went wrong and what to do.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "ajplb_cli_http.h"

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, cap;
    const char *nonce;
    const char *ctype;
} ajplb__resp_t;

#define AJPLB__MAX_BODY (16 * 1024 * 1024)

static size_t ajplb__body(char *d, size_t sz, size_t n, void *ud)
{
    ajplb__resp_t *r = ud;
    apr_size_t add = sz * n;

    if (r->len + add > AJPLB__MAX_BODY) {
        return 0;
    }
    if (r->len + add + 1 > r->cap) {
        apr_size_t cap = (r->cap ? r->cap * 2 : 8192);
        char *nb;
        while (cap < r->len + add + 1) {
            cap *= 2;
        }
        nb = apr_palloc(r->p, cap);
        if (r->len) {
            memcpy(nb, r->buf, r->len);
        }
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, d, add);
    r->len += add;
    r->buf[r->len] = '\0';
    return add;
}

/* The value of one header, trimmed, or NULL. */
static const char *ajplb__hval(apr_pool_t *p, const char *line,
                               size_t len, const char *name)
{
    size_t n = strlen(name);
    const char *v, *e;

    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':') {
        return NULL;
    }
    v = line + n + 1;
    e = line + len;
    while (v < e && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) {
        e--;
    }
    return apr_pstrndup(p, v, (apr_size_t)(e - v));
}

static size_t ajplb__header(char *d, size_t sz, size_t n, void *ud)
{
    ajplb__resp_t *r = ud;
    const char *v;

    if ((v = ajplb__hval(r->p, d, sz * n, "X-AJPLB-Nonce")) != NULL) {
        r->nonce = v;
    }
    else if ((v = ajplb__hval(r->p, d, sz * n, "Content-Type")) != NULL) {
        r->ctype = v;
    }
    return sz * n;
}

/* scheme://host[:port] of @a url, for the Origin header. */
static const char *ajplb__origin(apr_pool_t *p, const char *url)
{
    const char *s = strstr(url, "://");
    const char *e;

    if (s == NULL) {
        return NULL;
    }
    e = strchr(s + 3, '/');
    return e ? apr_pstrndup(p, url, (apr_size_t)(e - url))
             : apr_pstrdup(p, url);
}

static json_t *ajplb__request(apr_pool_t *p, const ajplb_cli_front_t *f,
                              const char *query, const char *form,
                              const char **nonce, const char **err)
{
    static int inited;
    ajplb__resp_t r;
    CURL *h;
    CURLcode cc;
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    long code = 0;
    const char *url;
    json_t *doc;
    json_error_t je;

    if (!inited) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = 1;
    }
    memset(&r, 0, sizeof(r));
    r.p = p;
    url = query ? apr_pstrcat(p, f->url, strchr(f->url, '?') ? "&" : "?",
                              query, NULL) : f->url;
    h = curl_easy_init();
    if (h == NULL) {
        *err = apr_psprintf(p, "%s: cannot start libcurl", f->url);
        return NULL;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ajplb__body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, ajplb__header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (f->userpwd != NULL) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERPWD, f->userpwd);
    }
    if (f->cacert != NULL) {
        curl_easy_setopt(h, CURLOPT_CAINFO, f->cacert);
    }
    if (f->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (form != NULL) {
        const char *origin = ajplb__origin(p, f->url);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
        if (origin != NULL) {
            hdrs = curl_slist_append(hdrs, apr_pstrcat(p, "Origin: ",
                                                       origin, NULL));
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    }
    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    if (cc != CURLE_OK) {
        *err = apr_psprintf(p, "%s: cannot reach the front: %s; check the "
                            "URL and that httpd runs there", f->url,
                            *errbuf ? errbuf : curl_easy_strerror(cc));
        return NULL;
    }
    if (code == 401) {
        *err = apr_psprintf(p, "%s: 401, the front wants credentials or "
                            "refused them; put user:password in a file "
                            "given with --auth-file, or in AJPLB_AUTH",
                            f->url);
        return NULL;
    }
    if (code == 404 && (r.ctype == NULL
                        || strstr(r.ctype, "json") == NULL)) {
        *err = apr_psprintf(p, "%s: 404, no status worker there; give the "
                            "URL of a JkMount of a worker with "
                            "type=status", f->url);
        return NULL;
    }
    if (r.buf == NULL) {
        *err = apr_psprintf(p, "%s: empty answer (HTTP %ld)", f->url, code);
        return NULL;
    }
    doc = json_loadb(r.buf, r.len, 0, &je);
    if (doc == NULL || !json_is_object(doc)) {
        /* mod_jk knows no mime=json: it answers in its properties
         * format ("worker.result.type=ERROR") or with its HTML page. */
        int jk = strncmp(r.buf, "worker.result.", 14) == 0
                 || strstr(r.buf, "JK Status Manager") != NULL
                 || strstr(r.buf, "mod_jk") != NULL
                 || strstr(r.buf, "jk_version") != NULL;
        if (doc != NULL) {
            json_decref(doc);
        }
        *err = jk ? apr_psprintf(p, "%s: this front runs mod_jk's status "
                                 "worker, which has no JSON; ajplb needs "
                                 "mod_ajplb (install it in place of "
                                 "mod_jk: same directives)", f->url)
                  : apr_psprintf(p, "%s: the answer (HTTP %ld) is not the "
                                 "status worker's JSON (%s at line %d); is "
                                 "this the URL of a mod_ajplb status "
                                 "worker?", f->url, code, je.text,
                                 je.line);
        return NULL;
    }
    if (code != 200) {
        json_t *res = json_object_get(doc, "result");
        *err = apr_psprintf(p, "%s: HTTP %ld: %s", f->url, code,
                            ajplb_cli_jstr(res, "message")
                            ? ajplb_cli_jstr(res, "message")
                            : "refused");
        json_decref(doc);
        return NULL;
    }
    if (nonce != NULL) {
        *nonce = r.nonce;
    }
    return doc;
}

json_t *ajplb_cli_get_json(apr_pool_t *p, const ajplb_cli_front_t *f,
                           const char *query, const char **nonce,
                           const char **err)
{
    return ajplb__request(p, f, query, NULL, nonce, err);
}

json_t *ajplb_cli_post_json(apr_pool_t *p, const ajplb_cli_front_t *f,
                            const char *form, const char **err)
{
    return ajplb__request(p, f, NULL, form, NULL, err);
}

const char *ajplb_cli_jstr(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return v && json_is_string(v) ? json_string_value(v) : NULL;
}

long long ajplb_cli_jint(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return v && json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* user:password from a file (first line) -- never from argv, where every
 * user of the machine can read it in ps. */
static const char *ajplb__read_auth(apr_pool_t *p, const char *path)
{
    apr_file_t *f;
    char line[1024];
    char *e;

    if (apr_file_open(&f, path, APR_READ, APR_OS_DEFAULT, p)
        != APR_SUCCESS) {
        return NULL;
    }
    if (apr_file_gets(line, sizeof(line), f) != APR_SUCCESS) {
        line[0] = '\0';
    }
    apr_file_close(f);
    e = line + strlen(line);
    while (e > line && (e[-1] == '\n' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return strchr(line, ':') ? apr_pstrdup(p, line) : NULL;
}

int ajplb_cli_net_args(apr_pool_t *p, int argc, const char *const *argv,
                       int fronts_need_flag, ajplb_cli_net_t *net)
{
    const char *auth = getenv("AJPLB_AUTH");
    const char *cacert = NULL;
    int insecure = 0, i;
    apr_array_header_t *urls = apr_array_make(p, 4, sizeof(const char *));

    net->fronts = apr_array_make(p, 4, sizeof(ajplb_cli_front_t));
    net->rest = apr_array_make(p, 4, sizeof(const char *));
    net->json = 0;
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;

        if (strcmp(a, "--json") == 0) {
            net->json = 1;
        }
        else if (strcmp(a, "--insecure") == 0) {
            insecure = 1;
        }
        else if ((strcmp(a, "--auth-file") == 0 || strcmp(a, "--front") == 0
                  || strcmp(a, "--cacert") == 0) && !more) {
            ajplb_cli_err("%s needs an argument", a);
            return AJPLB_CLI_FAIL;
        }
        else if (strcmp(a, "--auth-file") == 0) {
            auth = ajplb__read_auth(p, argv[++i]);
            if (auth == NULL) {
                ajplb_cli_err("%s: cannot read user:password from it; "
                              "write one line 'user:password'", argv[i]);
                return AJPLB_CLI_FAIL;
            }
        }
        else if (strcmp(a, "--cacert") == 0) {
            cacert = argv[++i];
        }
        else if (strcmp(a, "--front") == 0) {
            APR_ARRAY_PUSH(urls, const char *) = argv[++i];
            /* --front A B C: the URLs that follow belong to it too. */
            while (i + 1 < argc && strstr(argv[i + 1], "://") != NULL) {
                APR_ARRAY_PUSH(urls, const char *) = argv[++i];
            }
        }
        else if (strstr(a, "://") != NULL && !fronts_need_flag) {
            APR_ARRAY_PUSH(urls, const char *) = a;
        }
        else if (strstr(a, "://") != NULL) {
            ajplb_cli_err("'%s': give fronts with --front URL", a);
            return AJPLB_CLI_FAIL;
        }
        else {
            APR_ARRAY_PUSH(net->rest, const char *) = a;
        }
    }
    if (urls->nelts == 0) {
        ajplb_cli_err("no front given: name the URL of each front's status "
                      "worker, e.g. %shttp://web1/jkmanager",
                      fronts_need_flag ? "--front " : "");
        return AJPLB_CLI_FAIL;
    }
    for (i = 0; i < urls->nelts; i++) {
        ajplb_cli_front_t *f = apr_array_push(net->fronts);
        const char *u = APR_ARRAY_IDX(urls, i, const char *);
        if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) {
            ajplb_cli_err("%s: only http:// and https:// URLs", u);
            return AJPLB_CLI_FAIL;
        }
        if (strchr(u + 8, '@') != NULL) {
            ajplb_cli_err("%s: no credentials in the URL (the command line "
                          "is visible to every user); use --auth-file or "
                          "AJPLB_AUTH", u);
            return AJPLB_CLI_FAIL;
        }
        f->url = u;
        f->userpwd = auth;
        f->cacert = cacert;
        f->insecure = insecure;
    }
    return 0;
}
