/* placeholder */
#include "ajplb_cli.h"
int ajplb_cli_status(apr_pool_t *p, int argc, const char *const *argv) { return 2; }
int ajplb_cli_activate(apr_pool_t *p, const char *cmd, int argc, const char *const *argv) { return 2; }
int ajplb_cli_diff(apr_pool_t *p, int argc, const char *const *argv) { return 2; }
