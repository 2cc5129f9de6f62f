/*
 * ajplb_cli_check.c -- COMMAND: `ajplb check`: the module's start-up
 * validation without an httpd.  Every diagnostic is printed as configtest
 * prints it (mod_ajplb: FILE:LINE: error|warning: cause; fix).
 */
#include <string.h>

#include "ajplb_cli.h"

int ajplb_cli_check(apr_pool_t *p, int argc, const char *const *argv)
{
    ajplb_cli_conf_t *c;
    int json = 0, rc, i;

    rc = ajplb_cli_conf_args(p, argc, argv, &c, NULL, &json);
    if (rc != 0) {
        return rc;
    }
    if (json) {
        printf("{\"ok\":%s,\"errors\":%d,\"warnings\":%d,\"diagnostics\":[",
               c->diags->errors ? "false" : "true", c->diags->errors,
               c->diags->warnings);
    }
    for (i = 0; i < c->diags->items->nelts; i++) {
        const ajplb_diag_t *d =
            &APR_ARRAY_IDX(c->diags->items, i, ajplb_diag_t);
        if (json) {
            printf("%s{\"level\":\"%s\",\"file\":%s,\"line\":%d,"
                   "\"message\":%s}", i ? "," : "",
                   d->level == AJPLB_DIAG_ERROR ? "error" : "warning",
                   d->file ? ajplb_cli_json_str(p, d->file) : "null",
                   d->line, ajplb_cli_json_str(p, d->msg));
        }
        else {
            printf("mod_ajplb: %s\n", ajplb_diag_format(p, d));
        }
    }
    if (json) {
        printf("]}\n");
    }
    else if (c->diags->errors == 0) {
        printf("Syntax OK (%d warning%s)\n", c->diags->warnings,
               c->diags->warnings == 1 ? "" : "s");
    }
    else {
        printf("%d error%s, %d warning%s\n", c->diags->errors,
               c->diags->errors == 1 ? "" : "s", c->diags->warnings,
               c->diags->warnings == 1 ? "" : "s");
    }
    return c->diags->errors ? AJPLB_CLI_NO : AJPLB_CLI_OK;
}
