/*
 * mod_ajplb_config.c -- ADAPTER: every Jk* directive and the per-server
 * configuration with its merge rules.  Handlers only record what was
 * written and where; check_config validates the whole picture.
 */
#include "httpd.h"
#include "http_config.h"

#include <apr_strings.h>

#include "ajplb_conf_check.h"
#include "mod_ajplb.h"
#include "mod_ajplb_status.h"

/* Default names of the environment variables behind the *Indicator
 * directives (mod_jk's). */
static const char *const ajplb_env_defaults[AJPLB_ENV_COUNT] = {
    "JK_WORKER_NAME", "HTTPS", "SSL_PROTOCOL", "SSL_CLIENT_CERT",
    "SSL_CIPHER", "SSL_SESSION_ID", "SSL_CIPHER_USEKEYSIZE",
    "SSL_CLIENT_CERT_CHAIN_", "UNIQUE_ID", "JK_REMOTE_ADDR",
    "JK_REMOTE_PORT", "JK_REMOTE_HOST", "JK_REMOTE_USER", "JK_AUTH_TYPE",
    "JK_LOCAL_NAME", "JK_LOCAL_ADDR", "JK_LOCAL_PORT", "JK_IGNORE_CL"
};

const char *ajplb_env_name(const ajplb_srv_conf_t *conf, ajplb_env_e which)
{
    return conf->env[which] ? conf->env[which] : ajplb_env_defaults[which];
}

void *ajplb_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    ajplb_srv_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->prop_lines = apr_array_make(p, 4, sizeof(ajplb_prop_line_t));
    conf->mounts = apr_array_make(p, 4, sizeof(ajplb_mount_t));
    conf->envvars = apr_array_make(p, 2, sizeof(ajplb_envvar_t));
    conf->mount_file_reload = AJPLB_UNSET;
    conf->mount_copy = AJPLB_UNSET;
    conf->extract_ssl = AJPLB_UNSET;
    conf->strip_session = AJPLB_UNSET;
    conf->log_level = AJPLB_UNSET;
    conf->watchdog_interval = AJPLB_UNSET;
    conf->options = AJPLB_OPT_DEFAULT;
    return conf;
}

#define AJPLB_MERGE_INT(f) \
    conf->f = add->f != AJPLB_UNSET ? add->f : base->f
#define AJPLB_MERGE_PTR(f) \
    conf->f = add->f != NULL ? add->f : base->f

/* options(vhost) = base's effective options, then the vhost's + and -;
 * a ForwardURI mode given in the vhost replaces the inherited one. */
static int ajplb_merge_options(int base, int plus, int minus)
{
    int opts = base;

    if (plus & AJPLB_OPT_FWDURIMASK) {
        opts &= ~AJPLB_OPT_FWDURIMASK;
    }
    if (plus & AJPLB_OPT_FWDADDRMASK) {
        opts &= ~AJPLB_OPT_FWDADDRMASK;
    }
    return (opts | plus) & ~minus;
}

void *ajplb_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    ajplb_srv_conf_t *base = basev;
    ajplb_srv_conf_t *add = addv;
    ajplb_srv_conf_t *conf = apr_pcalloc(p, sizeof(*conf));
    int i;

    /* Worker definitions are global. */
    conf->workers_file = base->workers_file;
    conf->workers_file_where = base->workers_file_where;
    conf->prop_lines = base->prop_lines;

    /* Mounts are per server; check_config copies the main server's into
     * a virtual host when JkMountCopy says so. */
    conf->mounts = add->mounts;
    conf->mount_file = add->mount_file;
    conf->mount_file_where = add->mount_file_where;
    AJPLB_MERGE_INT(mount_file_reload);
    conf->mount_copy = add->mount_copy != AJPLB_UNSET
                       ? add->mount_copy
                       : (base->mount_copy == 2 ? 1 : AJPLB_UNSET);

    conf->options_plus = add->options_plus;
    conf->options_minus = add->options_minus;
    conf->options = ajplb_merge_options(base->options, add->options_plus,
                                        add->options_minus);
    /* JkEnvVar lists merge: the main server's, then the vhost's. */
    conf->envvars = apr_array_append(p, base->envvars, add->envvars);
    for (i = 0; i < AJPLB_ENV_COUNT; i++) {
        AJPLB_MERGE_PTR(env[i]);
    }
    AJPLB_MERGE_INT(extract_ssl);
    AJPLB_MERGE_INT(strip_session);
    AJPLB_MERGE_PTR(strip_session_name);

    AJPLB_MERGE_PTR(log_file);
    AJPLB_MERGE_INT(log_level);
    AJPLB_MERGE_PTR(log_stamp);
    AJPLB_MERGE_PTR(request_log_format);

    AJPLB_MERGE_PTR(shm_file);
    AJPLB_MERGE_INT(watchdog_interval);
    return conf;
}

static ajplb_srv_conf_t *ajplb_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &ajplb_module);
}

static const char *ajplb_where(cmd_parms *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

static const char *ajplb_global_only(cmd_parms *cmd, const char *what)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err == NULL) {
        return NULL;
    }
    return apr_pstrcat(cmd->pool, err, " (", what, " is global: move it out "
                       "of the <VirtualHost>)", NULL);
}

/* ------------------------------------------------------------ workers --- */

static const char *ajplb_cmd_workers_file(cmd_parms *cmd, void *dummy,
                                          const char *arg)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);
    const char *err = ajplb_global_only(cmd, "worker definition");
    const char *path;

    if (err != NULL) {
        return err;
    }
    if (conf->workers_file != NULL) {
        return apr_psprintf(cmd->pool, "JkWorkersFile given twice (first "
                            "at %s): keep one file and put further "
                            "workers in it or in JkWorkerProperty lines",
                            conf->workers_file_where);
    }
    path = ap_server_root_relative(cmd->pool, arg);
    if (path == NULL) {
        return apr_pstrcat(cmd->pool, "JkWorkersFile: invalid path '",
                           arg, "'", NULL);
    }
    conf->workers_file = path;
    conf->workers_file_where = ajplb_where(cmd);
    return NULL;
}

static const char *ajplb_cmd_worker_property(cmd_parms *cmd, void *dummy,
                                             const char *arg)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);
    const char *err = ajplb_global_only(cmd, "worker definition");
    ajplb_prop_line_t *pl;

    if (err != NULL) {
        return err;
    }
    pl = apr_array_push(conf->prop_lines);
    pl->line = arg;
    pl->file = cmd->directive->filename;
    pl->lineno = cmd->directive->line_num;
    return NULL;
}

/* ------------------------------------------------------------- mounts --- */

static const char *ajplb_add_mount(cmd_parms *cmd, const char *a1,
                                   const char *a2, int flags)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);
    ajplb_mount_t *m;
    const char *name = flags & AJPLB_URI_RULE_UNMOUNT ? "JkUnMount"
                                                      : "JkMount";

    m = apr_array_push(conf->mounts);
    m->file = cmd->directive->filename;
    m->line = cmd->directive->line_num;
    m->flags = flags;
    if (a2 != NULL) {
        m->pattern = a1;
        m->target = a2;
    }
    else if (cmd->path != NULL) {
        /* Inside <Location>: the location path itself, verbatim. */
        m->pattern = cmd->path;
        m->target = a1;
        m->flags |= AJPLB_URI_RULE_LITERAL;
    }
    else {
        return apr_psprintf(cmd->pool, "%s needs a URI pattern and a "
                            "worker, e.g. %s /app/* worker1 (only inside "
                            "<Location> may the URI be left out)", name,
                            name);
    }
    return NULL;
}

static const char *ajplb_cmd_mount(cmd_parms *cmd, void *dummy,
                                   const char *a1, const char *a2)
{
    return ajplb_add_mount(cmd, a1, a2, 0);
}

static const char *ajplb_cmd_unmount(cmd_parms *cmd, void *dummy,
                                     const char *a1, const char *a2)
{
    return ajplb_add_mount(cmd, a1, a2, AJPLB_URI_RULE_UNMOUNT);
}

static const char *ajplb_cmd_mount_file(cmd_parms *cmd, void *dummy,
                                        const char *arg)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);
    const char *path = ap_server_root_relative(cmd->pool, arg);

    if (path == NULL) {
        return apr_pstrcat(cmd->pool, "JkMountFile: invalid path '", arg,
                           "'", NULL);
    }
    if (conf->mount_file != NULL) {
        return apr_psprintf(cmd->pool, "JkMountFile given twice for this "
                            "server (first at %s)", conf->mount_file_where);
    }
    conf->mount_file = path;
    conf->mount_file_where = ajplb_where(cmd);
    return NULL;
}

static const char *ajplb_set_int(cmd_parms *cmd, const char *arg, int min,
                                 int max, int *out)
{
    if (ajplb_parse_int(arg, min, max, out) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number "
                            "from %d to %d", cmd->cmd->name, arg, min, max);
    }
    return NULL;
}

static const char *ajplb_cmd_mount_reload(cmd_parms *cmd, void *dummy,
                                          const char *arg)
{
    return ajplb_set_int(cmd, arg, 0, 86400, &ajplb_conf(cmd)->mount_file_reload);
}

static const char *ajplb_cmd_mount_copy(cmd_parms *cmd, void *dummy,
                                        const char *arg)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);

    if (strcasecmp(arg, "all") == 0) {
        if (cmd->server->is_virtual) {
            return "JkMountCopy All is only allowed in the main server; "
                   "use JkMountCopy On inside a <VirtualHost>";
        }
        conf->mount_copy = 2;
    }
    else if (strcasecmp(arg, "on") == 0) {
        conf->mount_copy = 1;
    }
    else if (strcasecmp(arg, "off") == 0) {
        conf->mount_copy = 0;
    }
    else {
        return "JkMountCopy takes On, Off or All";
    }
    return NULL;
}

/* ------------------------------------------------------------ options --- */

typedef struct {
    const char *name;
    int bits;
    int uri_mode;       /* a ForwardURI* mode: no '-' form */
} ajplb_option_t;

static const ajplb_option_t ajplb_options[] = {
    {"ForwardURIProxy", AJPLB_OPT_FWDURIPROXY, 1},
    {"ForwardURICompatUnparsed", AJPLB_OPT_FWDURICOMPATUNPARSED, 1},
    {"ForwardURICompat", AJPLB_OPT_FWDURICOMPAT, 1},
    {"ForwardURIEscaped", AJPLB_OPT_FWDURIESCAPED, 1},
    {"ForwardDirectories", AJPLB_OPT_FWDDIRS, 0},
    {"ForwardLocalAddress", AJPLB_OPT_FWDLOCAL, 0},
    {"ForwardPhysicalAddress", AJPLB_OPT_FWDPHYSICAL, 0},
    {"FlushPackets", AJPLB_OPT_FLUSHPACKETS, 0},
    {"FlushHeader", AJPLB_OPT_FLUSHEADER, 0},
    {"DisableReuse", AJPLB_OPT_DISABLEREUSE, 0},
    {"ForwardSSLCertChain", AJPLB_OPT_FWDCERTCHAIN, 0},
    {"ForwardKeySize", AJPLB_OPT_FWDKEYSIZE, 0},
    {"RejectUnsafeURI", AJPLB_OPT_REJECTUNSAFE, 0},
    /* Accepted and ignored since mod_jk 1.2.44: slashes are always
     * collapsed by the normaliser. */
    {"CollapseSlashesAll", 0, 0},
    {"CollapseSlashesNone", 0, 0},
    {"CollapseSlashesUnmount", 0, 0},
    {NULL, 0, 0}
};

static const char *ajplb_cmd_options(cmd_parms *cmd, void *dummy,
                                     const char *arg)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);
    const ajplb_option_t *o;
    char sign = 0;

    if (*arg == '+' || *arg == '-') {
        sign = *arg++;
    }
    for (o = ajplb_options; o->name != NULL; o++) {
        if (strcasecmp(arg, o->name) == 0) {
            break;
        }
    }
    if (o->name == NULL) {
        return apr_psprintf(cmd->pool, "JkOptions: unknown option '%s'; "
                            "valid: ForwardURIProxy, ForwardURICompat, "
                            "ForwardURICompatUnparsed, ForwardURIEscaped, "
                            "ForwardDirectories, ForwardLocalAddress, "
                            "ForwardPhysicalAddress, FlushPackets, "
                            "FlushHeader, DisableReuse, ForwardSSLCertChain, "
                            "ForwardKeySize, RejectUnsafeURI", arg);
    }
    if (o->uri_mode && sign == '-') {
        return apr_psprintf(cmd->pool, "JkOptions: %s cannot be removed "
                            "with '-'; name the ForwardURI mode you want "
                            "instead", o->name);
    }
    if (sign == '-') {
        conf->options_minus |= o->bits;
        conf->options_plus &= ~o->bits;
    }
    else {
        if (o->uri_mode) {
            conf->options_plus &= ~AJPLB_OPT_FWDURIMASK;
        }
        if (o->bits & AJPLB_OPT_FWDADDRMASK) {
            conf->options_plus &= ~AJPLB_OPT_FWDADDRMASK;
        }
        conf->options_plus |= o->bits;
        conf->options_minus &= ~o->bits;
    }
    /* The main server is never merged: keep its effective value here. */
    conf->options = ajplb_merge_options(AJPLB_OPT_DEFAULT, conf->options_plus,
                                        conf->options_minus);
    return NULL;
}

static const char *ajplb_cmd_envvar(cmd_parms *cmd, void *dummy,
                                    const char *name, const char *defval)
{
    ajplb_envvar_t *ev = apr_array_push(ajplb_conf(cmd)->envvars);

    ev->name = name;
    ev->defval = defval;
    return NULL;
}

static const char *ajplb_cmd_indicator(cmd_parms *cmd, void *dummy,
                                       const char *arg)
{
    ajplb_conf(cmd)->env[(apr_uintptr_t)cmd->info] = arg;
    return NULL;
}

static const char *ajplb_cmd_extract_ssl(cmd_parms *cmd, void *dummy,
                                         int flag)
{
    ajplb_conf(cmd)->extract_ssl = flag;
    return NULL;
}

static const char *ajplb_cmd_strip_session(cmd_parms *cmd, void *dummy,
                                           const char *onoff,
                                           const char *name)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);

    if (strcasecmp(onoff, "on") == 0) {
        conf->strip_session = 1;
    }
    else if (strcasecmp(onoff, "off") == 0) {
        conf->strip_session = 0;
    }
    else {
        return "JkStripSession takes On or Off, and optionally the session "
               "path parameter name (default ;jsessionid)";
    }
    conf->strip_session_name = name;
    return NULL;
}

/* ------------------------------------------------------------ logging --- */

static const char *ajplb_cmd_log_file(cmd_parms *cmd, void *dummy,
                                      const char *arg)
{
    ajplb_srv_conf_t *conf = ajplb_conf(cmd);

    if (*arg == '|') {
        conf->log_file = arg;
    }
    else {
        conf->log_file = ap_server_root_relative(cmd->pool, arg);
        if (conf->log_file == NULL) {
            return apr_pstrcat(cmd->pool, "JkLogFile: invalid path '", arg,
                               "'", NULL);
        }
    }
    return NULL;
}

static const char *ajplb_cmd_log_level(cmd_parms *cmd, void *dummy,
                                       const char *arg)
{
    ajplb_log_level_e level;

    if (ajplb_log_level_parse(arg, &level) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "JkLogLevel: unknown level '%s'; "
                            "use trace, debug, info, warn, error or emerg",
                            arg);
    }
    ajplb_conf(cmd)->log_level = (int)level;
    return NULL;
}

static const char *ajplb_cmd_log_stamp(cmd_parms *cmd, void *dummy,
                                       const char *arg)
{
    const char *why = ajplb_log_stamp_check(arg);

    if (why != NULL) {
        return apr_psprintf(cmd->pool, "JkLogStampFormat: %s", why);
    }
    ajplb_conf(cmd)->log_stamp = arg;
    return NULL;
}

static const char *ajplb_cmd_request_log(cmd_parms *cmd, void *dummy,
                                         const char *arg)
{
    ajplb_conf(cmd)->request_log_format = arg;
    return NULL;
}

/* ------------------------------------------------- later parts' knobs --- */

static const char *ajplb_cmd_shm_file(cmd_parms *cmd, void *dummy,
                                      const char *arg)
{
    const char *err = ajplb_global_only(cmd, "JkShmFile");

    if (err != NULL) {
        return err;
    }
    ajplb_conf(cmd)->shm_file = ap_server_root_relative(cmd->pool, arg);
    return NULL;
}

static const char *ajplb_cmd_shm_size(cmd_parms *cmd, void *dummy,
                                      const char *arg)
{
    int kb;

    /* Sized from the configuration, as in mod_jk since 1.2.27; the value
     * is checked and otherwise ignored. */
    return ajplb_set_int(cmd, arg, 0, 1024 * 1024, &kb);
}

static const char *ajplb_cmd_watchdog(cmd_parms *cmd, void *dummy,
                                      const char *arg)
{
    const char *err = ajplb_global_only(cmd, "JkWatchdogInterval");

    if (err != NULL) {
        return err;
    }
    return ajplb_set_int(cmd, arg, 0, 86400,
                         &ajplb_conf(cmd)->watchdog_interval);
}

static const char *ajplb_cmd_auto_alias(cmd_parms *cmd, void *dummy,
                                        const char *arg)
{
    return "JkAutoAlias is not supported by mod_ajplb: serve the static "
           "files with an explicit Alias and <Directory> block, and JkUnMount "
           "their URIs";
}

#define AJPLB_INDICATOR(name, idx, help) \
    AP_INIT_TAKE1(name, ajplb_cmd_indicator, (void *)(apr_uintptr_t)(idx), \
                  RSRC_CONF, help)

const command_rec ajplb_cmds[] = {
    AP_INIT_TAKE1("JkWorkersFile", ajplb_cmd_workers_file, NULL, RSRC_CONF,
                  "the workers.properties file (worker definitions)"),
    AP_INIT_RAW_ARGS("JkWorkerProperty", ajplb_cmd_worker_property, NULL,
                     RSRC_CONF, "one workers.properties line, e.g. "
                     "JkWorkerProperty worker.list=w1"),
    AP_INIT_TAKE12("JkMount", ajplb_cmd_mount, NULL, RSRC_CONF | ACCESS_CONF,
                   "[URI] worker[;extension=value...]: forward matching "
                   "requests to the worker"),
    AP_INIT_TAKE12("JkUnMount", ajplb_cmd_unmount, NULL,
                   RSRC_CONF | ACCESS_CONF,
                   "[URI] worker: never forward matching requests to the "
                   "worker ('*' = any worker)"),
    AP_INIT_TAKE1("JkMountFile", ajplb_cmd_mount_file, NULL, RSRC_CONF,
                  "uriworkermap.properties file with pattern=worker lines"),
    AP_INIT_TAKE1("JkMountFileReload", ajplb_cmd_mount_reload, NULL,
                  RSRC_CONF, "seconds between checks of JkMountFile for "
                  "changes (0 = never; default 60)"),
    AP_INIT_TAKE1("JkMountCopy", ajplb_cmd_mount_copy, NULL, RSRC_CONF,
                  "On/Off: copy the main server's mounts into this virtual "
                  "host; All (main server): for every virtual host"),
    AP_INIT_TAKE1("JkAutoAlias", ajplb_cmd_auto_alias, NULL, RSRC_CONF,
                  "not supported"),
    AP_INIT_ITERATE("JkOptions", ajplb_cmd_options, NULL, RSRC_CONF,
                    "[+|-]option ...: forwarding options"),
    AP_INIT_TAKE12("JkEnvVar", ajplb_cmd_envvar, NULL, RSRC_CONF,
                   "name [default]: forward an environment variable as a "
                   "request attribute"),
    AP_INIT_FLAG("JkExtractSSL", ajplb_cmd_extract_ssl, NULL, RSRC_CONF,
                 "On/Off: forward what mod_ssl learned (default On)"),
    AP_INIT_TAKE12("JkStripSession", ajplb_cmd_strip_session, NULL,
                   RSRC_CONF, "On/Off [name]: strip ;jsessionid from URLs "
                   "that are not forwarded"),
    AP_INIT_TAKE1("JkLogFile", ajplb_cmd_log_file, NULL, RSRC_CONF,
                  "the module's log file, or |program for a piped log"),
    AP_INIT_TAKE1("JkLogLevel", ajplb_cmd_log_level, NULL, RSRC_CONF,
                  "trace, debug, info (default), warn, error or emerg"),
    AP_INIT_TAKE1("JkLogStampFormat", ajplb_cmd_log_stamp, NULL, RSRC_CONF,
                  "strftime format of the log time stamp; %Q ms, %q us"),
    AP_INIT_TAKE1("JkRequestLogFormat", ajplb_cmd_request_log, NULL,
                  RSRC_CONF, "format of one log line per forwarded request"),
    AP_INIT_TAKE1("JkShmFile", ajplb_cmd_shm_file, NULL, RSRC_CONF,
                  "file backing the shared memory of the balancers"),
    AP_INIT_TAKE1("JkShmSize", ajplb_cmd_shm_size, NULL, RSRC_CONF,
                  "ignored: the size is computed from the configuration"),
    AP_INIT_TAKE1("JkWatchdogInterval", ajplb_cmd_watchdog, NULL, RSRC_CONF,
                  "seconds between maintenance runs in a watchdog thread "
                  "(0: maintenance piggybacks on requests)"),
    AJPLB_INDICATOR("JkWorkerIndicator", AJPLB_ENV_WORKER,
                    "env var naming the worker for SetHandler "
                    "jakarta-servlet"),
    AJPLB_INDICATOR("JkHTTPSIndicator", AJPLB_ENV_HTTPS,
                    "env var that says the request came over TLS"),
    AJPLB_INDICATOR("JkSSLPROTOCOLIndicator", AJPLB_ENV_SSL_PROTOCOL,
                    "env var with the TLS protocol"),
    AJPLB_INDICATOR("JkCERTSIndicator", AJPLB_ENV_CERTS,
                    "env var with the client certificate (PEM)"),
    AJPLB_INDICATOR("JkCIPHERIndicator", AJPLB_ENV_CIPHER,
                    "env var with the cipher"),
    AJPLB_INDICATOR("JkSESSIONIndicator", AJPLB_ENV_SESSION,
                    "env var with the TLS session id"),
    AJPLB_INDICATOR("JkKEYSIZEIndicator", AJPLB_ENV_KEYSIZE,
                    "env var with the cipher key size"),
    AJPLB_INDICATOR("JkCERTCHAINPrefix", AJPLB_ENV_CERTCHAIN,
                    "prefix of the env vars with the certificate chain"),
    AJPLB_INDICATOR("JkRequestIdIndicator", AJPLB_ENV_REQUEST_ID,
                    "env var with a request id for log lines"),
    AJPLB_INDICATOR("JkRemoteAddrIndicator", AJPLB_ENV_REMOTE_ADDR,
                    "env var overriding the forwarded client address"),
    AJPLB_INDICATOR("JkRemotePortIndicator", AJPLB_ENV_REMOTE_PORT,
                    "env var overriding the forwarded client port"),
    AJPLB_INDICATOR("JkRemoteHostIndicator", AJPLB_ENV_REMOTE_HOST,
                    "env var overriding the forwarded client host"),
    AJPLB_INDICATOR("JkRemoteUserIndicator", AJPLB_ENV_REMOTE_USER,
                    "env var overriding the forwarded remote user"),
    AJPLB_INDICATOR("JkAuthTypeIndicator", AJPLB_ENV_AUTH_TYPE,
                    "env var overriding the forwarded auth type"),
    AJPLB_INDICATOR("JkLocalNameIndicator", AJPLB_ENV_LOCAL_NAME,
                    "env var overriding the forwarded server name"),
    AJPLB_INDICATOR("JkLocalAddrIndicator", AJPLB_ENV_LOCAL_ADDR,
                    "env var overriding the forwarded local address"),
    AJPLB_INDICATOR("JkLocalPortIndicator", AJPLB_ENV_LOCAL_PORT,
                    "env var overriding the forwarded server port"),
    AJPLB_INDICATOR("JkIgnoreCLIndicator", AJPLB_ENV_IGNORE_CL,
                    "env var that makes the request body length unknown"),
    {NULL}
};

/* ------------------------------------------------- configtest warnings */

/* Every JkOptions word anywhere in the tree (main server and virtual
 * hosts) goes to the core's check, which `ajplb check` calls too. */
static void ajplb_check_options(apr_pool_t *p, const ap_directive_t *d,
                                ajplb_diags_t *diags)
{
    for (; d != NULL; d = d->next) {
        if (strcasecmp(d->directive, "JkOptions") == 0 && d->args != NULL) {
            const char *cur = d->args;
            const char *w;
            while (*(w = ap_getword_conf(p, &cur)) != '\0') {
                ajplb_conf_check_option(diags, w, d->filename, d->line_num);
            }
        }
        if (d->first_child != NULL) {
            ajplb_check_options(p, d->first_child, diags);
        }
    }
}

void ajplb_config_warnings(apr_pool_t *p, server_rec *s,
                           ajplb_diags_t *diags)
{
    ajplb_check_options(p, ap_conftree, diags);
    ajplb_status_check_config(p, s, diags);
}
