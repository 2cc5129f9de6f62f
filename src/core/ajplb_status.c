/*
 * ajplb_status.c -- status worker core, part 1: request parameters,
 * output buffer and escaping, member rating, the write nonce and the
 * same-origin check.  Core layer: APR only, never logs.
 */
#include <stdarg.h>
#include <string.h>

#include <apr_atomic.h>
#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_sha1.h>
#include <apr_strings.h>

#include "ajplb_status.h"

/* --------------------------------------------------------- arguments */

static int ajplb__hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = apr_tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Decode s[0..n) into a new string; NULL on a bad escape or a NUL. */
static char *ajplb__urldecode(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *out = apr_palloc(p, n + 1);
    apr_size_t i, j = 0;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        }
        else if (c == '%') {
            int h, l;
            if (i + 2 >= n) {
                return NULL;
            }
            h = ajplb__hexval((unsigned char)s[i + 1]);
            l = h < 0 ? -1 : ajplb__hexval((unsigned char)s[i + 2]);
            if (l < 0) {
                return NULL;
            }
            c = h * 16 + l;
            i += 2;
        }
        if (c == 0) {
            return NULL;
        }
        out[j++] = (char)c;
    }
    out[j] = '\0';
    return out;
}

apr_status_t ajplb_status_parse_args(apr_pool_t *p, const char *s,
                                     apr_table_t *args)
{
    int pairs = 0;

    while (s != NULL && *s != '\0') {
        const char *end = strchr(s, '&');
        apr_size_t len = end ? (apr_size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        char *name, *value;

        if (len > 0) {
            if (++pairs > 200) {
                return APR_EINVAL;
            }
            name = ajplb__urldecode(p, s, eq ? (apr_size_t)(eq - s) : len);
            value = eq ? ajplb__urldecode(p, eq + 1,
                                          len - (apr_size_t)(eq - s) - 1)
                       : apr_pstrdup(p, "");
            if (name == NULL || value == NULL) {
                return APR_EINVAL;
            }
            apr_table_set(args, name, value);
        }
        s = end ? end + 1 : NULL;
    }
    return APR_SUCCESS;
}

static const char *const ajplb__cmds[] = {
    "list", "show", "edit", "update", "reset", "recover", "version", "dump"
};
static const char *const ajplb__mimes[] = {
    "html", "xml", "txt", "prop", "json", "prometheus"
};

const char *ajplb_status_cmd_name(ajplb_status_cmd_e cmd)
{
    return (unsigned)cmd < 8 ? ajplb__cmds[cmd] : "list";
}

const char *ajplb_status_mime_name(ajplb_status_mime_e mime)
{
    return (unsigned)mime < 6 ? ajplb__mimes[mime] : "html";
}

const char *ajplb_status_content_type(ajplb_status_mime_e mime)
{
    switch (mime) {
    case AJPLB_STATUS_MIME_XML:
        return "text/xml; charset=UTF-8";
    case AJPLB_STATUS_MIME_TXT:
    case AJPLB_STATUS_MIME_PROP:
        return "text/plain; charset=UTF-8";
    case AJPLB_STATUS_MIME_JSON:
        return "application/json";
    case AJPLB_STATUS_MIME_PROM:
        return "text/plain; version=0.0.4; charset=utf-8";
    default:
        return "text/html; charset=UTF-8";
    }
}

static int ajplb__lookup(const char *s, const char *const *names, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

apr_status_t ajplb_status_req_make(apr_pool_t *p, apr_table_t *args,
                                   ajplb_status_req_t *out,
                                   const char **err)
{
    const char *v;
    int i;

    memset(out, 0, sizeof(*out));
    out->args = args;
    *err = NULL;
    v = apr_table_get(args, "cmd");
    if (v != NULL && *v != '\0') {
        if ((i = ajplb__lookup(v, ajplb__cmds, 8)) < 0) {
            *err = "unknown cmd (list, show, edit, update, reset, recover, "
                   "version, dump)";
            return APR_EINVAL;
        }
        out->cmd = (ajplb_status_cmd_e)i;
    }
    v = apr_table_get(args, "mime");
    if (v != NULL && *v != '\0') {
        i = ajplb__lookup(v, ajplb__mimes, 6);
        if (i < 0 && strcasecmp(v, "prom") == 0) {
            i = AJPLB_STATUS_MIME_PROM;
        }
        if (i < 0) {
            *err = "unknown mime (html, xml, txt, prop, json, prometheus)";
            return APR_EINVAL;
        }
        out->mime = (ajplb_status_mime_e)i;
    }
    v = apr_table_get(args, "w");
    if (v != NULL && *v != '\0') {
        if (!ajplb_name_is_valid(v)) {
            *err = "w is not a worker name";
            return APR_EINVAL;
        }
        out->w = v;
    }
    v = apr_table_get(args, "sw");
    if (v != NULL && *v != '\0') {
        if (!ajplb_name_is_valid(v)) {
            *err = "sw is not a worker name";
            return APR_EINVAL;
        }
        out->sw = v;
    }
    v = apr_table_get(args, "re");
    if (v != NULL && *v != '\0'
        && ajplb_parse_int(v, 0, 86400, &out->re) != APR_SUCCESS) {
        *err = "re must be a number of seconds (0-86400)";
        return APR_EINVAL;
    }
    v = apr_table_get(args, "opt");
    if (v != NULL && *v != '\0') {
        if (ajplb_parse_int(v, 0, 0xFFFF, &i) != APR_SUCCESS) {
            *err = "opt must be a number (0-65535)";
            return APR_EINVAL;
        }
        out->opt = (unsigned int)i;
    }
    v = apr_table_get(args, "att");
    if (v != NULL && *v != '\0') {
        if (strlen(v) > 8 || *v != 'v') {
            *err = "att must name an update parameter (vwa, vwf, ...)";
            return APR_EINVAL;
        }
        out->att = v;
    }
    v = apr_table_get(args, "from");
    if (v != NULL && *v != '\0') {
        i = ajplb__lookup(v, ajplb__cmds, 8);
        out->from = (i == AJPLB_STATUS_CMD_SHOW) ? "show" : "list";
    }
    out->nonce = apr_table_get(args, "nonce");
    (void)p;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------ buffer */

void ajplb_sbuf_init(ajplb_sbuf_t *b, apr_pool_t *p, apr_size_t cap)
{
    b->p = p;
    b->cap = cap > 64 ? cap : 64;
    b->s = apr_palloc(p, b->cap);
    b->len = 0;
    b->s[0] = '\0';
}

static void ajplb__grow(ajplb_sbuf_t *b, apr_size_t need)
{
    char *ns;

    if (b->len + need + 1 <= b->cap) {
        return;
    }
    while (b->len + need + 1 > b->cap) {
        b->cap *= 2;
    }
    ns = apr_palloc(b->p, b->cap);
    memcpy(ns, b->s, b->len + 1);
    b->s = ns;
}

void ajplb_sbuf_put(ajplb_sbuf_t *b, const char *s, apr_size_t n)
{
    ajplb__grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ajplb_sbuf_puts(ajplb_sbuf_t *b, const char *s)
{
    ajplb_sbuf_put(b, s, strlen(s));
}

void ajplb_sbuf_printf(ajplb_sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    int n;

    va_start(ap, fmt);
    n = apr_vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < (int)sizeof(tmp) - 1) {
        ajplb_sbuf_put(b, tmp, (apr_size_t)n);
        return;
    }
    /* Long output: let APR size it. */
    va_start(ap, fmt);
    ajplb_sbuf_puts(b, apr_pvsprintf(b->p, fmt, ap));
    va_end(ap);
}

void ajplb_sbuf_xml(ajplb_sbuf_t *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': ajplb_sbuf_puts(b, "&amp;"); break;
        case '<': ajplb_sbuf_puts(b, "&lt;"); break;
        case '>': ajplb_sbuf_puts(b, "&gt;"); break;
        case '"': ajplb_sbuf_puts(b, "&quot;"); break;
        case '\'': ajplb_sbuf_puts(b, "&#39;"); break;
        default:
            if (c >= 0x80) {
                ajplb_sbuf_printf(b, "&#x%02X;", c);
            }
            else if (c >= 0x20 && c != 0x7f) {
                ajplb_sbuf_put(b, (const char *)&c, 1);
            }
            /* Other control characters are not allowed in XML 1.0. */
        }
    }
}

void ajplb_sbuf_json(ajplb_sbuf_t *b, const char *s)
{
    ajplb_sbuf_put(b, "\"", 1);
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            ajplb_sbuf_put(b, e, 2);
        }
        else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&') {
            /* Bytes >= 0x80 as Latin-1 code points: always valid JSON. */
            ajplb_sbuf_printf(b, "\\u%04x", c);
        }
        else {
            ajplb_sbuf_put(b, (const char *)&c, 1);
        }
    }
    ajplb_sbuf_put(b, "\"", 1);
}

void ajplb_sbuf_prop(ajplb_sbuf_t *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\') {
            ajplb_sbuf_puts(b, "\\\\");
        }
        else if (c < 0x20 || c >= 0x7f) {
            ajplb_sbuf_printf(b, "\\u%04x", c);
        }
        else {
            ajplb_sbuf_put(b, (const char *)&c, 1);
        }
    }
}

void ajplb_sbuf_prom(ajplb_sbuf_t *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        if (*s == '\\' || *s == '"') {
            char e[2] = {'\\', *s};
            ajplb_sbuf_put(b, e, 2);
        }
        else if (*s == '\n') {
            ajplb_sbuf_puts(b, "\\n");
        }
        else {
            ajplb_sbuf_put(b, s, 1);
        }
    }
}

void ajplb_sbuf_url(ajplb_sbuf_t *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (apr_isalnum(c) || c == '-' || c == '_' || c == '.') {
            ajplb_sbuf_put(b, (const char *)&c, 1);
        }
        else {
            ajplb_sbuf_printf(b, "%%%02X", c);
        }
    }
}

/* ------------------------------------------------------------ rating */

/* Letter of a state for the good/bad lists. */
static int ajplb__state_letter_is(int c, int state)
{
    switch (c) {
    case 'i': case 'n': return state == AJPLB_STATE_IDLE;
    case 'o': return state == AJPLB_STATE_OK;
    case 'r': return state == AJPLB_STATE_RECOVER;
    case 'f': return state == AJPLB_STATE_FORCE;
    case 'b': return state == AJPLB_STATE_BUSY;
    case 'e': return state == AJPLB_STATE_ERROR;
    case 'p': return state == AJPLB_STATE_PROBE;
    default: return -1;
    }
}

static int ajplb__act_letter_is(int c, int activation)
{
    switch (c) {
    case 'a': return activation == AJPLB_ACTIVATION_ACTIVE;
    case 'd': return activation == AJPLB_ACTIVATION_DISABLED;
    case 's': return activation == AJPLB_ACTIVATION_STOPPED;
    default: return -1;
    }
}

static int ajplb__matches(const char *list, int activation, int state)
{
    const char *s = list;

    while (s != NULL && *s != '\0') {
        const char *end = strchr(s, ',');
        apr_size_t n = end ? (apr_size_t)(end - s) : strlen(s);
        int a = apr_tolower((unsigned char)s[0]);

        if (n == 1) {
            /* A lone letter is an activation when it names one. */
            int m = ajplb__act_letter_is(a, activation);
            if (m < 0) {
                m = ajplb__state_letter_is(a, state);
            }
            if (m > 0) {
                return 1;
            }
        }
        else if (n == 3 && s[1] == '.') {
            int st = apr_tolower((unsigned char)s[2]);
            if (ajplb__act_letter_is(a, activation) > 0
                && ajplb__state_letter_is(st, state) > 0) {
                return 1;
            }
        }
        s = end ? end + 1 : NULL;
    }
    return 0;
}

int ajplb_status_rate(const char *good, const char *bad, int activation,
                      int state)
{
    if (ajplb__matches(bad ? bad : "s,e", activation, state)) {
        return -1;
    }
    if (ajplb__matches(good ? good : "a.o,a.i,a.b,a.r", activation, state)) {
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- nonce */

static void ajplb__hmac_sha1(const unsigned char *key, apr_size_t keylen,
                             const char *msg, apr_size_t len,
                             unsigned char out[APR_SHA1_DIGESTSIZE])
{
    unsigned char k[64], pad[64], inner[APR_SHA1_DIGESTSIZE];
    apr_sha1_ctx_t ctx;
    int i;

    memset(k, 0, sizeof(k));
    if (keylen > sizeof(k)) {
        apr_sha1_init(&ctx);
        apr_sha1_update_binary(&ctx, key, (unsigned int)keylen);
        apr_sha1_final(k, &ctx);
    }
    else {
        memcpy(k, key, keylen);
    }
    for (i = 0; i < 64; i++) {
        pad[i] = k[i] ^ 0x36;
    }
    apr_sha1_init(&ctx);
    apr_sha1_update_binary(&ctx, pad, 64);
    apr_sha1_update_binary(&ctx, (const unsigned char *)msg,
                           (unsigned int)len);
    apr_sha1_final(inner, &ctx);
    for (i = 0; i < 64; i++) {
        pad[i] = k[i] ^ 0x5c;
    }
    apr_sha1_init(&ctx);
    apr_sha1_update_binary(&ctx, pad, 64);
    apr_sha1_update_binary(&ctx, inner, sizeof(inner));
    apr_sha1_final(out, &ctx);
}

static void ajplb__hex(char *out, const unsigned char *in, apr_size_t n)
{
    static const char digits[] = "0123456789abcdef";
    apr_size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* mac over "time-salt\nscope", hex into out[41]. */
static void ajplb__nonce_mac(char *out, const unsigned char *key,
                             apr_size_t keylen, const char *head,
                             const char *scope)
{
    unsigned char mac[APR_SHA1_DIGESTSIZE];
    char msg[512];
    int n = apr_snprintf(msg, sizeof(msg), "%s\n%s", head,
                         scope ? scope : "");

    ajplb__hmac_sha1(key, keylen, msg, (apr_size_t)n, mac);
    ajplb__hex(out, mac, sizeof(mac));
}

void ajplb_status_nonce_make(char *out, const unsigned char *key,
                             apr_size_t keylen, const char *scope,
                             apr_time_t now, const unsigned char salt[8])
{
    char head[34];
    char mac[41];

    apr_snprintf(head, 18, "%016" APR_UINT64_T_HEX_FMT "-",
                 (apr_uint64_t)apr_time_sec(now));
    ajplb__hex(head + 17, salt, 8);
    ajplb__nonce_mac(mac, key, keylen, head, scope);
    apr_snprintf(out, AJPLB_STATUS_NONCE_LEN + 1, "%s-%s", head, mac);
}

int ajplb_status_nonce_check(const char *nonce, const unsigned char *key,
                             apr_size_t keylen, const char *scope,
                             apr_time_t now, apr_interval_time_t max_age)
{
    char head[34];
    char mac[41];
    apr_uint64_t t = 0;
    unsigned char diff = 0;
    int i;

    if (nonce == NULL || strlen(nonce) != AJPLB_STATUS_NONCE_LEN
        || nonce[16] != '-' || nonce[33] != '-') {
        return 0;
    }
    for (i = 0; i < 16; i++) {
        int h = ajplb__hexval((unsigned char)nonce[i]);
        if (h < 0) {
            return 0;
        }
        t = t * 16 + (apr_uint64_t)h;
    }
    if ((apr_int64_t)t > apr_time_sec(now) + 5
        || apr_time_sec(now) - (apr_int64_t)t > apr_time_sec(max_age)) {
        return 0;
    }
    memcpy(head, nonce, 33);
    head[33] = '\0';
    ajplb__nonce_mac(mac, key, keylen, head, scope);
    for (i = 0; i < 40; i++) {
        diff |= (unsigned char)(mac[i] ^ nonce[34 + i]);
    }
    return diff == 0;
}

/* Scheme, host and port of an absolute http(s) URL.  The host is a
 * pool-free span; brackets of an IPv6 literal stay on it (as ServerName
 * writes it). */
static int ajplb__origin_parse(const char *url, const char **host,
                               apr_size_t *hlen, apr_port_t *port)
{
    const char *s, *e, *colon = NULL, *q;
    unsigned long n = 0;

    if (strncasecmp(url, "http://", 7) == 0) {
        s = url + 7;
        *port = 80;
    }
    else if (strncasecmp(url, "https://", 8) == 0) {
        s = url + 8;
        *port = 443;
    }
    else {
        return 0;
    }
    e = s + strcspn(s, "/?#");
    if (e == s || memchr(s, '@', (apr_size_t)(e - s)) != NULL) {
        return 0;               /* userinfo: not what a browser sends */
    }
    if (*s == '[') {
        const char *rb = memchr(s, ']', (apr_size_t)(e - s));
        if (rb == NULL) {
            return 0;
        }
        if (rb + 1 < e) {
            if (rb[1] != ':') {
                return 0;
            }
            colon = rb + 1;
        }
    }
    else {
        colon = memchr(s, ':', (apr_size_t)(e - s));
    }
    if (colon != NULL) {
        if (colon + 1 == e || e - colon > 6) {
            return 0;
        }
        for (q = colon + 1; q < e; q++) {
            if (*q < '0' || *q > '9') {
                return 0;
            }
            n = n * 10 + (unsigned long)(*q - '0');
        }
        if (n == 0 || n > 65535) {
            return 0;
        }
        *port = (apr_port_t)n;
        e = colon;
    }
    *host = s;
    *hlen = (apr_size_t)(e - s);
    return *hlen > 0;
}

int ajplb_status_same_origin(const char *origin, const char *referer,
                             const apr_array_header_t *names,
                             const apr_port_t *ports, int nports)
{
    const char *url = (origin != NULL && *origin) ? origin : referer;
    const char *h;
    char host[256];
    apr_size_t n;
    apr_port_t port;
    int i, port_ok = 0;

    if (origin != NULL && strcmp(origin, "null") == 0) {
        return 0;
    }
    if (url == NULL || names == NULL
        || !ajplb__origin_parse(url, &h, &n, &port) || n >= sizeof(host)) {
        return 0;
    }
    for (i = 0; i < nports; i++) {
        port_ok |= ports[i] == port;
    }
    if (!port_ok) {
        return 0;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        if (name == NULL || *name == '\0') {
            continue;
        }
        if (strpbrk(name, "*?") != NULL
            ? apr_fnmatch(name, host, APR_FNM_CASE_BLIND) == APR_SUCCESS
            : strcasecmp(name, host) == 0) {
            return 1;
        }
    }
    return 0;
}

const char *ajplb_status_nonce_scope(apr_pool_t *p, const char *worker,
                                     const char *user, apr_uint32_t serial)
{
    return apr_psprintf(p, "%s\n%s\n%u", worker, user ? user : "",
                        (unsigned int)serial);
}

apr_uint32_t ajplb_status_serial(ajplb_shm_t *shm)
{
    return shm != NULL ? apr_atomic_read32(&shm->hdr->status_serial) : 0;
}

int ajplb_status_nonce_use(ajplb_shm_t *shm, const char *nonce,
                           const unsigned char *key, apr_size_t keylen,
                           const char *worker, const char *user,
                           apr_time_t now, apr_interval_time_t max_age,
                           apr_pool_t *p)
{
    apr_uint32_t serial;

    if (shm == NULL) {
        return 0;
    }
    serial = apr_atomic_read32(&shm->hdr->status_serial);
    if (!ajplb_status_nonce_check(nonce, key, keylen,
                                  ajplb_status_nonce_scope(p, worker, user,
                                                           serial),
                                  now, max_age)) {
        return 0;
    }
    /* Two children holding the same nonce: only one moves the serial. */
    return apr_atomic_cas32(&shm->hdr->status_serial, serial + 1, serial)
           == serial;
}
