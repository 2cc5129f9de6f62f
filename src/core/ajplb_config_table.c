/*
 * ajplb_config_table.c -- the one table of worker properties (type, range,
 * default, which worker types use it, deprecated names) and the typo
 * suggester.  Core layer: APR only.
 */
#include <stddef.h>
#include <string.h>

#include <apr_strings.h>

#include "ajplb_config.h"

#define AJPLB__F(f) ((int)offsetof(ajplb_worker_t, f))
#define AJPLB__A   AJPLB_WORKER_AJP13
#define AJPLB__L   AJPLB_WORKER_LB
#define AJPLB__S   AJPLB_WORKER_STATUS
#define AJPLB__AL  (AJPLB_WORKER_AJP13 | AJPLB_WORKER_LB)
#define AJPLB__MS  3600000      /* one hour in ms: the cap of ms timeouts */
#define AJPLB__DAY 86400        /* one day in s: the cap of s timeouts */

/* Keep sorted by concern, not by name: docs/WORKERS.md follows this order.
 * Defaults written "httpd ..." are computed from ajplb_model_defaults_t. */
static const ajplb_propdef_t ajplb__propdefs[] = {
    /* name, kind, applies, min, max, field, unit, default, replaced, rename */
    {"type", AJPLB_PROP_SPECIAL, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     "ajp13", NULL, 0},
    {"reference", AJPLB_PROP_SPECIAL, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     "", NULL, 0},
    {"host", AJPLB_PROP_STR, AJPLB__A, 0, 0, AJPLB__F(host), NULL,
     "localhost", NULL, 0},
    {"port", AJPLB_PROP_INT, AJPLB__A, 0, 65535, AJPLB__F(port), NULL,
     "8009", NULL, 0},
    {"source", AJPLB_PROP_STR, AJPLB__A, 0, 0, AJPLB__F(source), NULL,
     "", NULL, 0},
    {"prefer_ipv6", AJPLB_PROP_BOOL, AJPLB__A, 0, 0,
     AJPLB__F(prefer_ipv6), NULL, "false", NULL, 0},
    {"socket_timeout", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__DAY,
     AJPLB__F(socket_timeout), "s", "httpd Timeout", NULL, 0},
    {"socket_connect_timeout", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__MS,
     AJPLB__F(socket_connect_timeout), "ms", "3000", NULL, 0},
    {"socket_keepalive", AJPLB_PROP_BOOL, AJPLB__A, 0, 0,
     AJPLB__F(socket_keepalive), NULL, "false", NULL, 0},
    {"socket_buffer", AJPLB_PROP_INT, AJPLB__A, 0, 16777216,
     AJPLB__F(socket_buffer), "bytes", "0", NULL, 0},
    {"ping_mode", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL,
     "", NULL, 0},
    {"ping_timeout", AJPLB_PROP_INT, AJPLB__A, 1, AJPLB__MS,
     AJPLB__F(ping_timeout), "ms", "10000", NULL, 0},
    {"connect_timeout", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__MS,
     AJPLB__F(connect_timeout), "ms", "0", NULL, 0},
    {"prepost_timeout", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__MS,
     AJPLB__F(prepost_timeout), "ms", "0", NULL, 0},
    {"connection_ping_interval", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__DAY,
     AJPLB__F(connection_ping_interval), "s", "0", NULL, 0},
    {"connection_pool_size", AJPLB_PROP_INT, AJPLB__A, 1, 100000,
     AJPLB__F(connection_pool_size), NULL, "httpd ThreadsPerChild",
     NULL, 0},
    {"connection_pool_minsize", AJPLB_PROP_INT, AJPLB__A, 0, 100000,
     AJPLB__F(connection_pool_minsize), NULL, "(pool size + 1) / 2",
     NULL, 0},
    {"connection_pool_timeout", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__DAY,
     AJPLB__F(connection_pool_timeout), "s", "300", NULL, 0},
    {"connection_acquire_timeout", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB__MS,
     AJPLB__F(connection_acquire_timeout), "ms", "200", NULL, 0},
    {"reply_timeout", AJPLB_PROP_INT, AJPLB__A, 0, 86400000,
     AJPLB__F(reply_timeout), "ms", "httpd Timeout x 1000", NULL, 0},
    {"recovery_options", AJPLB_PROP_INT, AJPLB__A, 0, 31,
     AJPLB__F(recovery_options), NULL, "0", NULL, 0},
    {"fail_on_status", AJPLB_PROP_LIST, AJPLB__A, 0, 0, -1, NULL,
     "", NULL, 0},
    {"busy_limit", AJPLB_PROP_INT, AJPLB__A, 0, 1000000,
     AJPLB__F(busy_limit), NULL, "0", NULL, 0},
    {"body_window", AJPLB_PROP_INT, AJPLB__A, 0, AJPLB_BODY_WINDOW_MAX,
     AJPLB__F(body_window), "packets", "0", NULL, 0},
    {"max_packet_size", AJPLB_PROP_SPECIAL, AJPLB__A, 8192, 65536, -1,
     "bytes", "8192", NULL, 0},
    {"lbfactor", AJPLB_PROP_INT, AJPLB__A, 1, 10000, AJPLB__F(lbfactor),
     NULL, "1", NULL, 0},
    {"route", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL,
     "the worker name", NULL, 0},
    {"domain", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL, "", NULL, 0},
    {"redirect", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL, "", NULL, 0},
    {"distance", AJPLB_PROP_INT, AJPLB__A, 0, 1000, AJPLB__F(distance),
     NULL, "0", NULL, 0},
    {"activation", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL,
     "Active", NULL, 0},
    {"retries", AJPLB_PROP_INT, AJPLB__AL, 1, 100, AJPLB__F(retries),
     NULL, "2", NULL, 0},
    {"retry_interval", AJPLB_PROP_INT, AJPLB__AL, 0, AJPLB__MS,
     AJPLB__F(retry_interval), "ms", "100", NULL, 0},
    {"secret", AJPLB_PROP_SPECIAL, AJPLB__AL, 0, 0, -1, NULL, "(none)",
     NULL, 0},
    {"mount", AJPLB_PROP_LIST, AJPLB_WORKER_ANY, 0, 0, -1, NULL, "",
     NULL, 0},
    /* traffic management: on a member, or on the lb for all its members */
    {"health_check", AJPLB_PROP_SPECIAL, AJPLB__AL, 0, 0, -1, NULL,
     "(none)", NULL, 0},
    {"health_check_interval", AJPLB_PROP_INT, AJPLB__AL, 1, 3600,
     AJPLB__F(health_check_interval), "s", "10", NULL, 0},
    {"health_check_timeout", AJPLB_PROP_INT, AJPLB__AL, 100, 60000,
     AJPLB__F(health_check_timeout), "ms", "2000", NULL, 0},
    {"health_check_status", AJPLB_PROP_SPECIAL, AJPLB__AL, 0, 0, -1, NULL,
     "200-399", NULL, 0},
    {"health_check_fall", AJPLB_PROP_INT, AJPLB__AL, 1, 100,
     AJPLB__F(health_check_fall), NULL, "3", NULL, 0},
    {"health_check_rise", AJPLB_PROP_INT, AJPLB__AL, 1, 100,
     AJPLB__F(health_check_rise), NULL, "2", NULL, 0},
    {"slow_start", AJPLB_PROP_INT, AJPLB__AL, 0, 3600,
     AJPLB__F(slow_start), "s", "0", NULL, 0},
    {"outlier_count", AJPLB_PROP_INT, AJPLB__AL, 0, 1000,
     AJPLB__F(outlier_count), NULL, "0", NULL, 0},
    {"outlier_statuses", AJPLB_PROP_SPECIAL, AJPLB__AL, 0, 0, -1, NULL,
     "500,502,503,504", NULL, 0},
    {"outlier_window", AJPLB_PROP_INT, AJPLB__AL, 1, AJPLB__DAY,
     AJPLB__F(outlier_window), "s", "30", NULL, 0},
    {"outlier_eject_time", AJPLB_PROP_INT, AJPLB__AL, 1, AJPLB__DAY,
     AJPLB__F(outlier_eject_time), "s", "30", NULL, 0},
    {"outlier_max_share", AJPLB_PROP_INT, AJPLB__AL, 1, 100,
     AJPLB__F(outlier_max_share), "%", "50", NULL, 0},
    /* lb */
    {"balance_workers", AJPLB_PROP_LIST, AJPLB__L, 0, 0, -1, NULL,
     "(required)", NULL, 0},
    {"sticky_session", AJPLB_PROP_BOOL, AJPLB__L, 0, 0,
     AJPLB__F(sticky_session), NULL, "true", NULL, 0},
    {"sticky_session_force", AJPLB_PROP_BOOL, AJPLB__L, 0, 0,
     AJPLB__F(sticky_session_force), NULL, "false", NULL, 0},
    {"session_cookie", AJPLB_PROP_STR, AJPLB__L, 0, 0,
     AJPLB__F(session_cookie), NULL, "JSESSIONID", NULL, 0},
    {"session_path", AJPLB_PROP_STR, AJPLB__L, 0, 0,
     AJPLB__F(session_path), NULL, ";jsessionid", NULL, 0},
    {"set_session_cookie", AJPLB_PROP_BOOL, AJPLB__L, 0, 0,
     AJPLB__F(set_session_cookie), NULL, "false", NULL, 0},
    {"session_cookie_path", AJPLB_PROP_TEXT, AJPLB__L, 0, 0,
     AJPLB__F(session_cookie_path), NULL, "/", NULL, 0},
    {"method", AJPLB_PROP_SPECIAL, AJPLB__L, 0, 0, -1, NULL, "Request",
     NULL, 0},
    {"lock", AJPLB_PROP_SPECIAL, AJPLB__L, 0, 0, -1, NULL, "Optimistic",
     NULL, 0},
    {"lb_retries", AJPLB_PROP_INT, AJPLB__L, 1, 100, AJPLB__F(lb_retries),
     NULL, "2", NULL, 0},
    {"recover_time", AJPLB_PROP_INT, AJPLB__L, 1, AJPLB__DAY,
     AJPLB__F(recover_time), "s", "60", NULL, 0},
    {"error_escalation_time", AJPLB_PROP_INT, AJPLB__L, 0, AJPLB__DAY,
     AJPLB__F(error_escalation_time), "s", "recover_time / 2", NULL, 0},
    {"max_reply_timeouts", AJPLB_PROP_INT, AJPLB__L, 0, 1000000,
     AJPLB__F(max_reply_timeouts), NULL, "1", NULL, 0},
    /* status */
    {"css", AJPLB_PROP_TEXT, AJPLB__S, 0, 0, AJPLB__F(css), NULL, "",
     NULL, 0},
    {"read_only", AJPLB_PROP_BOOL, AJPLB__S, 0, 0, AJPLB__F(read_only),
     NULL, "true", NULL, 0},
    {"user", AJPLB_PROP_LIST, AJPLB__S, 0, 0, -1, NULL, "", NULL, 0},
    {"user_case_insensitive", AJPLB_PROP_BOOL, AJPLB__S, 0, 0,
     AJPLB__F(user_case_insensitive), NULL, "false", NULL, 0},
    {"good", AJPLB_PROP_LIST, AJPLB__S, 0, 0, -1, NULL, "a.o,a.i,a.b,a.r",
     NULL, 0},
    {"bad", AJPLB_PROP_LIST, AJPLB__S, 0, 0, -1, NULL, "s,e", NULL, 0},
    {"prefix", AJPLB_PROP_TEXT, AJPLB__S, 0, 0, AJPLB__F(prefix), NULL,
     "worker", NULL, 0},
    {"ns", AJPLB_PROP_TEXT, AJPLB__S, 0, 0, AJPLB__F(ns), NULL, "jk:",
     NULL, 0},
    {"xmlns", AJPLB_PROP_TEXT, AJPLB__S, 0, 0, AJPLB__F(xmlns), NULL,
     "xmlns:jk=\"http://tomcat.apache.org\"", NULL, 0},
    {"doctype", AJPLB_PROP_TEXT, AJPLB__S, 0, 0, AJPLB__F(doctype), NULL,
     "", NULL, 0},
    /* deprecated names mod_jk still accepts */
    {"cachesize", AJPLB_PROP_INT, AJPLB__A, 0, 0, -1, NULL, NULL,
     "connection_pool_size", 1},
    {"cache_timeout", AJPLB_PROP_INT, AJPLB__A, 0, 0, -1, NULL, NULL,
     "connection_pool_timeout", 1},
    {"recycle_timeout", AJPLB_PROP_INT, AJPLB__A, 0, 0, -1, NULL, NULL,
     "connection_pool_timeout", 1},
    {"jvm_route", AJPLB_PROP_STR, AJPLB__A, 0, 0, -1, NULL, NULL,
     "route", 1},
    {"balanced_workers", AJPLB_PROP_LIST, AJPLB__L, 0, 0, -1, NULL, NULL,
     "balance_workers", 1},
    {"disabled", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL, NULL,
     "activation", 0},
    {"stopped", AJPLB_PROP_SPECIAL, AJPLB__A, 0, 0, -1, NULL, NULL,
     "activation", 0},
    {"local_worker", AJPLB_PROP_IGNORED, AJPLB__A, 0, 0, -1, NULL, NULL,
     "distance", 0},
    {"local_worker_only", AJPLB_PROP_IGNORED, AJPLB__L, 0, 0, -1, NULL,
     NULL, "sticky_session_force", 0},
    {"secretkey", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "secret", 0},
    /* JNI-era names: the in-process JVM worker is long gone */
    {"sysprops", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"stderr", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"stdout", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"mx", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL, NULL,
     "", 0},
    {"ms", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL, NULL,
     "", 0},
    {"class_path", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"bridge", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"jvm_lib", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"ld_path", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"cmd_line", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {"native_lib", AJPLB_PROP_IGNORED, AJPLB_WORKER_ANY, 0, 0, -1, NULL,
     NULL, "", 0},
    {NULL, AJPLB_PROP_IGNORED, 0, 0, 0, -1, NULL, NULL, NULL, 0}
};

const ajplb_propdef_t *ajplb_propdef_at(int i)
{
    if (i < 0 || i >= (int)(sizeof(ajplb__propdefs)
                            / sizeof(ajplb__propdefs[0])) - 1) {
        return NULL;
    }
    return &ajplb__propdefs[i];
}

const ajplb_propdef_t *ajplb_propdef_find(const char *name)
{
    const ajplb_propdef_t *d;

    /* About 80 rows and only called while reading: a linear scan is fine
     * (10,000 workers x 5 properties cost a few ms). */
    for (d = ajplb__propdefs; d->name != NULL; d++) {
        if (strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

/* Edit distance counting a swap of two neighbours as one edit (optimal
 * string alignment), since "prot" for "port" is the usual typo.  Names
 * longer than 63 are never close. */
static int ajplb__edit_distance(const char *a, const char *b)
{
    int d[64][64];
    int la = (int)strlen(a), lb = (int)strlen(b);
    int i, j;

    if (la > 63 || lb > 63) {
        return 99;
    }
    for (i = 0; i <= la; i++) {
        d[i][0] = i;
    }
    for (j = 0; j <= lb; j++) {
        d[0][j] = j;
    }
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v) {
                v = d[i - 1][j] + 1;
            }
            if (d[i][j - 1] + 1 < v) {
                v = d[i][j - 1] + 1;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2]
                && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v) {
                v = d[i - 2][j - 2] + 1;
            }
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *ajplb_propdef_suggest(const char *name, int globals)
{
    static const char *const ajplb__globals[] = {"list", "maintain", NULL};
    const ajplb_propdef_t *d;
    const char *best = NULL;
    int best_d = 99, limit, i;

    /* A typo is a couple of edits; for short names one edit only, so
     * "ms" does not suggest "mx". */
    limit = strlen(name) <= 4 ? 1 : (strlen(name) <= 8 ? 2 : 3);
    if (globals) {
        for (i = 0; ajplb__globals[i] != NULL; i++) {
            int dist = ajplb__edit_distance(name, ajplb__globals[i]);
            if (dist < best_d) {
                best_d = dist;
                best = ajplb__globals[i];
            }
        }
    }
    else {
        for (d = ajplb__propdefs; d->name != NULL; d++) {
            int dist;
            if (d->kind == AJPLB_PROP_IGNORED) {
                continue;
            }
            dist = ajplb__edit_distance(name, d->name);
            if (dist < best_d) {
                best_d = dist;
                best = d->name;
            }
        }
    }
    return best_d <= limit ? best : NULL;
}

const char *ajplb_worker_type_name(ajplb_worker_type_e type)
{
    switch (type) {
    case AJPLB_WORKER_AJP13:
        return "ajp13";
    case AJPLB_WORKER_LB:
        return "lb";
    case AJPLB_WORKER_STATUS:
        return "status";
    }
    return "?";
}
