/*
 * mod_ajplb.c -- ADAPTER: the httpd module struct and hook registration.
 * Directives live in mod_ajplb_config.c, start-up checks in
 * mod_ajplb_init.c.
 */
#include "httpd.h"
#include "http_config.h"

#include "mod_ajplb.h"

static void ajplb_register_hooks(apr_pool_t *p)
{
    /* Last, so the MPM has already settled ThreadsPerChild, which is the
     * default connection_pool_size. */
    ap_hook_check_config(ajplb_check_config, NULL, NULL, APR_HOOK_LAST);
}

AJPLB_EXPORT module AP_MODULE_DECLARE_DATA ajplb_module = {
    STANDARD20_MODULE_STUFF,
    NULL,                       /* per-directory config creator */
    NULL,                       /* per-directory config merger */
    ajplb_create_srv_conf,      /* per-server config creator */
    ajplb_merge_srv_conf,       /* per-server config merger */
    ajplb_cmds,                 /* command table */
    ajplb_register_hooks,
    AP_MODULE_FLAG_NONE
};
