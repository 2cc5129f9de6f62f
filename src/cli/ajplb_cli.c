/*
 * ajplb_cli.c -- COMMAND: entry point of the ajplb tool; picks the
 * sub-command and holds the helpers every command shares.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "ajplb_cli.h"

static const char ajplb__usage[] =
"usage: ajplb COMMAND [options]\n"
"  check   [-f httpd.conf] [-m 'JkMount ...'] [-u uriworkermap] "
"[workers.properties] [--json]\n"
"  explain [config options] [--host NAME] [-H 'Cookie: ...'] [--json] URI\n"
"  status  [--json] [--watch SECONDS] [--auth-file FILE] URL...\n"
"  drain|enable|stop [LB/]MEMBER --front URL... [--wait] [--timeout S]\n"
"  diff    [--auth-file FILE] URL...\n"
"See ajplb(1).\n";

void ajplb_cli_err(const char *fmt, ...)
{
    va_list ap;

    fputs("ajplb: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *ajplb_cli_json_str(apr_pool_t *p, const char *s)
{
    apr_size_t n = strlen(s);
    char *out = apr_palloc(p, n * 6 + 3), *o = out;

    *o++ = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *o++ = '\\';
            *o++ = (char)ch;
        }
        else if (ch < 0x20 || ch == 0x7f) {
            o += apr_snprintf(o, 7, "\\u%04x", ch);
        }
        else {
            *o++ = (char)ch;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

int ajplb_cli_conf_args(apr_pool_t *p, int argc, const char *const *argv,
                        ajplb_cli_conf_t **conf, apr_array_header_t *rest,
                        int *json)
{
    ajplb_cli_conf_t *c = ajplb_cli_conf_make(p);
    const char *httpd_conf = NULL, *props = NULL;
    apr_array_header_t *lines = apr_array_make(p, 4, sizeof(const char *));
    int i;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;

        if (strcmp(a, "--json") == 0) {
            *json = 1;
        }
        else if ((strcmp(a, "-f") == 0 || strcmp(a, "-m") == 0
                  || strcmp(a, "-u") == 0 || strcmp(a, "-d") == 0
                  || strcmp(a, "-w") == 0)
                 && !more) {
            ajplb_cli_err("%s needs an argument (see ajplb --help)", a);
            return AJPLB_CLI_FAIL;
        }
        else if (strcmp(a, "-f") == 0) {
            httpd_conf = argv[++i];
        }
        else if (strcmp(a, "-w") == 0) {
            props = argv[++i];
        }
        else if (strcmp(a, "-d") == 0) {
            c->server_root = argv[++i];
        }
        else if (strcmp(a, "-m") == 0) {
            APR_ARRAY_PUSH(lines, const char *) = argv[++i];
        }
        else if (strcmp(a, "-u") == 0) {
            APR_ARRAY_PUSH(lines, const char *) =
                apr_pstrcat(p, "JkMountFile \"", argv[++i], "\"", NULL);
        }
        else if (a[0] == '-' && a[1] != '\0' && rest == NULL) {
            ajplb_cli_err("unknown option '%s' (see ajplb --help)", a);
            return AJPLB_CLI_FAIL;
        }
        else if (rest != NULL && (a[0] == '-' || props != NULL
                                  || strstr(a, ".properties") == NULL)) {
            APR_ARRAY_PUSH(rest, const char *) = a;
        }
        else if (props == NULL) {
            props = a;
        }
        else {
            ajplb_cli_err("more than one workers.properties given ('%s' "
                          "and '%s')", props, a);
            return AJPLB_CLI_FAIL;
        }
    }
    if (httpd_conf == NULL && props == NULL && lines->nelts == 0) {
        ajplb_cli_err("no configuration given: name workers.properties "
                      "and/or -f httpd.conf");
        return AJPLB_CLI_FAIL;
    }
    if (httpd_conf != NULL) {
        ajplb_cli_conf_read_httpd(c, httpd_conf);
    }
    if (props != NULL) {
        if (c->workers_file != NULL) {
            ajplb_cli_err("%s names JkWorkersFile %s; using %s instead",
                          c->workers_file_where, c->workers_file, props);
        }
        c->workers_file = props;
    }
    for (i = 0; i < lines->nelts; i++) {
        ajplb_cli_conf_line(c, APR_ARRAY_IDX(lines, i, const char *), i + 1);
    }
    ajplb_cli_conf_load(c);
    *conf = c;
    return 0;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    const char *cmd;
    int rc;

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS) {
        fprintf(stderr, "ajplb: cannot initialise APR\n");
        return AJPLB_CLI_FAIL;
    }
    atexit(apr_terminate);
    apr_pool_create(&p, NULL);
    if (argc < 2 || strcmp(argv[1], "--help") == 0
        || strcmp(argv[1], "-h") == 0) {
        fputs(ajplb__usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? AJPLB_CLI_FAIL : AJPLB_CLI_OK;
    }
    cmd = argv[1];
    if (strcmp(cmd, "check") == 0) {
        rc = ajplb_cli_check(p, argc - 2, argv + 2);
    }
    else if (strcmp(cmd, "explain") == 0) {
        rc = ajplb_cli_explain(p, argc - 2, argv + 2);
    }
    else if (strcmp(cmd, "status") == 0) {
        rc = ajplb_cli_status(p, argc - 2, argv + 2);
    }
    else if (strcmp(cmd, "drain") == 0 || strcmp(cmd, "enable") == 0
             || strcmp(cmd, "stop") == 0) {
        rc = ajplb_cli_activate(p, cmd, argc - 2, argv + 2);
    }
    else if (strcmp(cmd, "diff") == 0) {
        rc = ajplb_cli_diff(p, argc - 2, argv + 2);
    }
    else {
        ajplb_cli_err("unknown command '%s'; commands: check, explain, "
                      "status, drain, enable, stop, diff", cmd);
        rc = AJPLB_CLI_FAIL;
    }
    apr_pool_destroy(p);
    return rc;
}
