/*
 * mod_ajplb_request.c -- ADAPTER: turns a request_rec into the codec's
 * neutral ajplb_ajp_request_t.  Only trusted sources fill the attributes:
 * httpd's own authentication for remote_user/auth_type, mod_ssl for the
 * TLS fields, and the configured env vars; never a client header.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_ssl.h"

#include <apr_lib.h>
#include <apr_strings.h>

#include "mod_ajplb.h"
#include "mod_ajplb_request.h"

/* An env var set by the configuration (or mod_ssl's StdEnvVars), else
 * mod_ssl's own variable of that name.  Empty means absent: StdEnvVars
 * sets SSL_CLIENT_CERT to "" without a client certificate, and an empty
 * cert attribute gives the servlet an empty X509Certificate[] instead of
 * null. */
static const char *ajplb_ssl_var(request_rec *r, const char *name)
{
    const char *v = apr_table_get(r->subprocess_env, name);

    if (v == NULL || *v == '\0') {
        v = ap_ssl_var_lookup(r->pool, r->server, r->connection, r, name);
    }
    return v != NULL && *v != '\0' ? v : NULL;
}

static const char *ajplb_env(request_rec *r, const ajplb_srv_conf_t *conf,
                             ajplb_env_e which)
{
    return apr_table_get(r->subprocess_env, ajplb_env_name(conf, which));
}

/* The client certificate, with the chain appended when configured. */
static const char *ajplb_ssl_cert(request_rec *r, const ajplb_srv_conf_t *c)
{
    const char *cert = ajplb_ssl_var(r, ajplb_env_name(c, AJPLB_ENV_CERTS));
    const char *prefix = ajplb_env_name(c, AJPLB_ENV_CERTCHAIN);
    int i;

    if (cert == NULL || !(c->options & AJPLB_OPT_FWDCERTCHAIN)) {
        return cert;
    }
    for (i = 0; i < 16; i++) {
        const char *more = ajplb_ssl_var(r, apr_psprintf(r->pool, "%s%d",
                                                         prefix, i));
        if (more == NULL) {
            break;
        }
        cert = apr_pstrcat(r->pool, cert, more, NULL);
    }
    return cert;
}

static const char *ajplb_forward_uri(request_rec *r, const ajplb_srv_conf_t *c,
                                     const char *orig)
{
    const char *q;

    switch (c->options & AJPLB_OPT_FWDURIMASK) {
    case AJPLB_OPT_FWDURICOMPATUNPARSED:
        q = strchr(r->unparsed_uri, '?');
        return q ? apr_pstrmemdup(r->pool, r->unparsed_uri,
                                  q - r->unparsed_uri)
                 : r->unparsed_uri;
    case AJPLB_OPT_FWDURICOMPAT:
        return orig;
    case AJPLB_OPT_FWDURIESCAPED:
        return ap_escape_uri(r->pool, orig);
    default:
        /* ForwardURIProxy: the client's own escapes, as sent, when httpd's
         * decoded path still comes from them (%3B stays a character, not a
         * path parameter, at Tomcat); otherwise re-encode the decoded path.
         * Either way Tomcat decodes once what httpd decoded once. */
        q = apr_table_get(r->notes, AJPLB_NOTE_ENCODED);
        if (q != NULL && ajplb_uri_encoding_of(q, orig)) {
            return ajplb_uri_encode_keep(r->pool, q);
        }
        return ajplb_uri_encode_proxy(r->pool, orig);
    }
}

/* UseCanonicalName On means the admin's ServerName rules; only then is
 * httpd's default port kept when neither Host nor ServerName has one. */
static int ajplb_canonical_off(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);

    return d->use_canonical_name != USE_CANONICAL_NAME_ON;
}

static int ajplb_header_is(const char *name, const char *want)
{
    return strcasecmp(name, want) == 0;
}

/* Hop-by-hop request headers (RFC 9110 7.6.1): about the client's
 * connection to httpd, not the request, so Tomcat never sees them.  The
 * first letter keeps the usual header from any string compare. */
static int ajplb_req_hop(const char *n)
{
    switch (apr_tolower((unsigned char)n[0])) {
    case 'c':
        return strcasecmp(n, "Connection") == 0;
    case 'h':
        return strcasecmp(n, "HTTP2-Settings") == 0;
    case 'k':
        return strcasecmp(n, "Keep-Alive") == 0;
    case 'p':
        return strcasecmp(n, "Proxy-Connection") == 0;
    case 't':
        return strcasecmp(n, "TE") == 0 || strcasecmp(n, "Trailer") == 0
               || strcasecmp(n, "Transfer-Encoding") == 0;
    case 'u':
        return strcasecmp(n, "Upgrade") == 0;
    default:
        return 0;
    }
}

/* Is @a name one of the tokens of the client's Connection header?  Those
 * are hop-by-hop too, except what the request itself is made of or what a
 * proxy in front of httpd vouches for: a client must not be able to strip
 * them on the way (CVE-2022-31813 class, T-R5c). */
static int ajplb_req_listed(const char *list, const char *name)
{
    apr_size_t len = strlen(name);

    while (*list != '\0') {
        apr_size_t n;

        list += strspn(list, ", \t");
        n = strcspn(list, ", \t");
        if (n == len && strncasecmp(list, name, n) == 0) {
            return strcasecmp(name, "Host") != 0
                   && strcasecmp(name, "Cookie") != 0
                   && strcasecmp(name, "Content-Length") != 0
                   && strcasecmp(name, "Content-Type") != 0
                   && strcasecmp(name, "Authorization") != 0
                   && strcasecmp(name, "Forwarded") != 0
                   && strncasecmp(name, "X-Forwarded-", 12) != 0;
        }
        list += n;
    }
    return 0;
}

/* httpd joins repeated request headers with ", ", but cookies must be
 * joined with "; " (RFC 6265 5.4, RFC 9113 8.2.3) or the servlet reads
 * the second one as part of a value.  A comma that starts another
 * name=value pair becomes ';'; a comma inside a value stays. */
static const char *ajplb_join_cookies(apr_pool_t *p, const char *v)
{
    const char *s;
    char *out = NULL;

    for (s = strchr(v, ','); s != NULL; s = strchr(s + 1, ',')) {
        const char *t = s + 1;
        apr_size_t n;

        t += strspn(t, " \t");
        n = strcspn(t, "=;, \t\"");
        if (n > 0 && t[n] == '=') {
            if (out == NULL) {
                out = apr_pstrdup(p, v);
            }
            out[s - v] = ';';
        }
    }
    return out != NULL ? out : v;
}

apr_status_t ajplb_build_request(request_rec *r, const ajplb_srv_conf_t *conf,
                                 const ajplb_worker_t *w, const char *orig_uri,
                                 apr_off_t content_length,
                                 ajplb_ajp_request_t *req)
{
    conn_rec *c = r->connection;
    const apr_array_header_t *in = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)in->elts;
    ajplb_ajp_header_t *hdrs;
    ajplb_ajp_attr_t *attrs;
    apr_size_t nh = 0, na = 0;
    const char *v, *connection;
    int i, have_cl = 0;

    memset(req, 0, sizeof(*req));
    req->method = r->method;
    req->protocol = r->protocol;
    req->uri = ajplb_forward_uri(r, conf, orig_uri);
    req->query_string = r->args;

    /* Client address: mod_remoteip's view unless told otherwise. */
    if (conf->options & AJPLB_OPT_FWDLOCAL) {
        req->remote_addr = c->local_ip;
        req->remote_port = 0;
    }
    else if (conf->options & AJPLB_OPT_FWDPHYSICAL) {
        req->remote_addr = c->client_ip;
        req->remote_port = c->client_addr ? c->client_addr->port : 0;
    }
    else {
        req->remote_addr = r->useragent_ip;
        req->remote_port = r->useragent_addr ? r->useragent_addr->port
                           : (c->client_addr ? c->client_addr->port : 0);
    }
    if ((v = ajplb_env(r, conf, AJPLB_ENV_REMOTE_ADDR)) != NULL) {
        req->remote_addr = v;
    }
    if ((v = ajplb_env(r, conf, AJPLB_ENV_REMOTE_PORT)) != NULL) {
        int port;
        if (ajplb_parse_int(v, 0, 65535, &port) == APR_SUCCESS) {
            req->remote_port = (apr_uint16_t)port;
        }
    }
    req->remote_host = ajplb_env(r, conf, AJPLB_ENV_REMOTE_HOST);
    if (req->remote_host == NULL) {
        /* NULL with HostnameLookups Off: Tomcat then uses the address. */
        req->remote_host = ap_get_remote_host(c, r->per_dir_config,
                                              REMOTE_HOST, NULL);
    }
    req->server_name = ajplb_env(r, conf, AJPLB_ENV_LOCAL_NAME);
    if (req->server_name == NULL) {
        req->server_name = ap_get_server_name(r);
    }
    req->server_port = (apr_uint16_t)ap_get_server_port(r);
    if (r->parsed_uri.port_str == NULL && r->server->port == 0
        && c->local_addr != NULL && ajplb_canonical_off(r)) {
        /* No port in Host nor in ServerName: httpd would name the
         * scheme's default (80 even over TLS on 8443); the servlet gets
         * the port this connection really came in on. */
        req->server_port = c->local_addr->port;
    }
    if ((v = ajplb_env(r, conf, AJPLB_ENV_LOCAL_PORT)) != NULL) {
        int port;
        if (ajplb_parse_int(v, 0, 65535, &port) == APR_SUCCESS) {
            req->server_port = (apr_uint16_t)port;
        }
    }
    req->local_addr = ajplb_env(r, conf, AJPLB_ENV_LOCAL_ADDR);
    if (req->local_addr == NULL) {
        req->local_addr = c->local_ip;
    }

    /* Authentication only as httpd established it. */
    req->remote_user = ajplb_env(r, conf, AJPLB_ENV_REMOTE_USER);
    if (req->remote_user == NULL) {
        req->remote_user = r->user;
    }
    req->auth_type = ajplb_env(r, conf, AJPLB_ENV_AUTH_TYPE);
    if (req->auth_type == NULL) {
        req->auth_type = r->ap_auth_type;
    }

    /* TLS facts from mod_ssl. */
    if (conf->extract_ssl != 0) {
        v = ajplb_ssl_var(r, ajplb_env_name(conf, AJPLB_ENV_HTTPS));
        req->is_ssl = v != NULL ? strcasecmp(v, "on") == 0
                                : ap_ssl_conn_is_ssl(c);
    }
    if (req->is_ssl) {
        req->ssl_cert = ajplb_ssl_cert(r, conf);
        req->ssl_cipher = ajplb_ssl_var(r, ajplb_env_name(conf,
                                                          AJPLB_ENV_CIPHER));
        req->ssl_session = ajplb_ssl_var(r, ajplb_env_name(conf,
                                                     AJPLB_ENV_SESSION));
        req->ssl_protocol = ajplb_ssl_var(r, ajplb_env_name(conf,
                                                  AJPLB_ENV_SSL_PROTOCOL));
        if (conf->options & AJPLB_OPT_FWDKEYSIZE) {
            v = ajplb_ssl_var(r, ajplb_env_name(conf, AJPLB_ENV_KEYSIZE));
            if (v == NULL || ajplb_parse_int(v, 0, 65535, &req->ssl_key_size)
                             != APR_SUCCESS) {
                req->ssl_key_size = 0;
            }
        }
    }
    req->secret = w->secret;

    /* Headers.  Hop-by-hop ones stay here.  The body goes over AJP
     * de-chunked, so Transfer-Encoding is not forwarded either; with an
     * unknown length Content-Length is dropped too (Tomcat then asks for
     * every body packet), and a request without a body gets
     * "Content-Length: 0" because AJP reads a missing one as "unknown,
     * not empty". */
    hdrs = apr_palloc(r->pool, (in->nelts + 1) * sizeof(*hdrs));
    connection = apr_table_get(r->headers_in, "Connection");
    for (i = 0; i < in->nelts; i++) {
        const char *val = e[i].val;

        if (e[i].key == NULL || val == NULL || ajplb_req_hop(e[i].key)
            || (connection != NULL
                && ajplb_req_listed(connection, e[i].key))) {
            continue;
        }
        if (ajplb_header_is(e[i].key, "Content-Length")) {
            if (content_length < 0) {
                continue;
            }
            have_cl = 1;
        }
        else if (ajplb_header_is(e[i].key, "Cookie")
                 && strchr(val, ',') != NULL) {
            val = ajplb_join_cookies(r->pool, val);
        }
        hdrs[nh].name = e[i].key;
        hdrs[nh].value = val;
        hdrs[nh].value_len = strlen(val);
        nh++;
    }
    if (!have_cl && content_length >= 0) {
        hdrs[nh].name = "Content-Length";
        hdrs[nh].value = apr_off_t_toa(r->pool, content_length);
        hdrs[nh].value_len = strlen(hdrs[nh].value);
        nh++;
    }
    req->headers = hdrs;
    req->num_headers = nh;

    /* JkEnvVar: configured names only. */
    attrs = apr_palloc(r->pool, (conf->envvars->nelts + 1) * sizeof(*attrs));
    for (i = 0; i < conf->envvars->nelts; i++) {
        const ajplb_envvar_t *ev =
            &APR_ARRAY_IDX(conf->envvars, i, ajplb_envvar_t);
        v = apr_table_get(r->subprocess_env, ev->name);
        if (v == NULL) {
            v = ev->defval;
        }
        if (v != NULL) {
            attrs[na].name = ev->name;
            attrs[na].value = v;
            na++;
        }
    }
    req->attrs = attrs;
    req->num_attrs = na;
    req->lb_activation = "ACT";
    return APR_SUCCESS;
}
