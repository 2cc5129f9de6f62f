/*
 * mod_ajplb.c -- ADAPTER: the httpd module struct, hooks and directives.
 * The only layer (with the other src/mod_ajplb*.c files) that includes
 * httpd headers.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "ajplb_common.h"

AJPLB_EXPORT module AP_MODULE_DECLARE_DATA ajplb_module;

static void ajplb_register_hooks(apr_pool_t *p)
{
}

AJPLB_EXPORT module AP_MODULE_DECLARE_DATA ajplb_module = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    ajplb_register_hooks,
    AP_MODULE_FLAG_NONE
};
