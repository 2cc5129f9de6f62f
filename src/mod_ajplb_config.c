/*
 * mod_ajplb_config.c -- ADAPTER: Jk* directive handlers and the per-server
 * configuration.  Handlers only record what was written and where; the
 * core validates it once the whole configuration has been read.
 */
#include "httpd.h"
#include "http_config.h"

#include <apr_strings.h>

#include "mod_ajplb.h"

void *ajplb_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    ajplb_srv_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->prop_lines = apr_array_make(p, 4, sizeof(ajplb_prop_line_t));
    return conf;
}

void *ajplb_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    ajplb_srv_conf_t *base = basev;
    ajplb_srv_conf_t *add = addv;
    ajplb_srv_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    /* Worker definitions are global; a virtual host sees the main
     * server's. */
    conf->workers_file = base->workers_file;
    conf->workers_file_where = base->workers_file_where;
    conf->prop_lines = base->prop_lines;
    (void)add;
    return conf;
}

static const char *ajplb_where(cmd_parms *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

static const char *ajplb_cmd_workers_file(cmd_parms *cmd, void *dummy,
                                          const char *arg)
{
    ajplb_srv_conf_t *conf =
        ap_get_module_config(cmd->server->module_config, &ajplb_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *path;

    if (err != NULL) {
        return apr_pstrcat(cmd->pool, err, " (worker definitions are "
                           "global: move JkWorkersFile out of the "
                           "<VirtualHost>)", NULL);
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
    ajplb_srv_conf_t *conf =
        ap_get_module_config(cmd->server->module_config, &ajplb_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    ajplb_prop_line_t *pl;

    if (err != NULL) {
        return apr_pstrcat(cmd->pool, err, " (worker definitions are "
                           "global: move JkWorkerProperty out of the "
                           "<VirtualHost>)", NULL);
    }
    pl = apr_array_push(conf->prop_lines);
    pl->line = arg;
    pl->file = cmd->directive->filename;
    pl->lineno = cmd->directive->line_num;
    return NULL;
}

const command_rec ajplb_cmds[] = {
    AP_INIT_TAKE1("JkWorkersFile", ajplb_cmd_workers_file, NULL, RSRC_CONF,
                  "the workers.properties file (worker definitions)"),
    AP_INIT_RAW_ARGS("JkWorkerProperty", ajplb_cmd_worker_property, NULL,
                     RSRC_CONF, "one workers.properties line, e.g. "
                     "JkWorkerProperty worker.list=w1"),
    {NULL}
};
