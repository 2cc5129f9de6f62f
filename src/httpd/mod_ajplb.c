/*
 * mod_ajplb.c -- ADAPTER: the httpd module struct and hook registration.
 * Directives live in mod_ajplb_config.c, start-up checks in
 * mod_ajplb_init.c.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_ajplb.h"

static void ajplb_register_hooks(apr_pool_t *p)
{
    /* Last, so the MPM has already settled ThreadsPerChild, which is the
     * default connection_pool_size. */
    /* Before mod_watchdog, which starts the threads of the instances made
     * in post_config (mod_proxy_hcheck does the same). */
    static const char *const before_watchdog[] = {"mod_watchdog.c", NULL};

    ap_hook_pre_config(ajplb_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(ajplb_check_config, NULL, NULL, APR_HOOK_LAST);
    ap_hook_post_config(ajplb_post_config, NULL, before_watchdog,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(ajplb_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* Copy the client's %-encoded path before httpd decodes it. */
    ap_hook_pre_translate_name(ajplb_pre_translate, NULL, NULL,
                               APR_HOOK_REALLY_FIRST);
    /* Last, once SetHandler applied: access rules for the normalised path. */
    ap_hook_fixups(ajplb_fixups, NULL, NULL, APR_HOOK_LAST);
    /* Before mod_alias and mod_rewrite would map the URI to a file. */
    ap_hook_translate_name(ajplb_translate, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(ajplb_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(ajplb_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(ajplb_log_request, NULL, NULL, APR_HOOK_MIDDLE);
}

/* AP_MODULE_FLAG_ALWAYS_MERGE: a <VirtualHost> without any Jk* directive
 * gets a configuration of its own, merged from the main server's, instead
 * of sharing the main server's structure.  Its mounts are then its own
 * (none, unless JkMountCopy All), as in mod_jk, which does the same by
 * hand in its post_config; and building its map cannot overwrite the main
 * server's. */
AJPLB_EXPORT module AP_MODULE_DECLARE_DATA ajplb_module = {
    STANDARD20_MODULE_STUFF,
    NULL,                       /* per-directory config creator */
    NULL,                       /* per-directory config merger */
    ajplb_create_srv_conf,      /* per-server config creator */
    ajplb_merge_srv_conf,       /* per-server config merger */
    ajplb_cmds,                 /* command table */
    ajplb_register_hooks,
    AP_MODULE_FLAG_ALWAYS_MERGE
};
