/*
 * check_props.c -- unit tests for the workers.properties reader: syntax,
 * $(var), lists, deprecated names, duplicates, references, diagnostics
 * with file:line, the real-world files under tests/data/workers, and
 * secrets: never in a diagnostic, hidden along $(var) references (T-G11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "test_util.h"
#include "ajplb_props.h"

static ajplb_diags_t *ajplb__d;
static ajplb_props_t *ajplb__pr;

static apr_status_t ajplb__load_n(const char *text, apr_size_t len)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    return ajplb_props_read_buffer(ajplb__pr, text, len, "t.properties");
}

static apr_status_t ajplb__load(const char *text)
{
    return ajplb__load_n(text, strlen(text));
}

/* Is there a diagnostic of @a level at t.properties:@a line containing
 * @a phrase?  On failure the collected diagnostics are in the message. */
static int ajplb__has(ajplb_diag_level_e level, int line, const char *phrase)
{
    int i;

    for (i = 0; i < ajplb__d->items->nelts; i++) {
        const ajplb_diag_t *dg = &APR_ARRAY_IDX(ajplb__d->items, i,
                                                ajplb_diag_t);
        if (dg->level == level && dg->line == line
            && strstr(dg->msg, phrase) != NULL) {
            return 1;
        }
    }
    return 0;
}

/* Every diagnostic so far, for assertion messages. */
static const char *ajplb__all(void)
{
    return ajplb_test_diags_text(ajplb__d);
}

/* ------------------------------------------------------------- syntax */

typedef struct {
    const char *input;
    apr_size_t len;             /* 0: strlen(input) */
    const char *key;
    const char *value;          /* NULL: key must be absent */
    int errors;
    int warnings;
} ajplb__syntax_case_t;

static const ajplb__syntax_case_t ajplb__syntax[] = {
    {"a=1", 0, "a", "1", 0, 0},
    {"  a = 1  ", 0, "a", "1", 0, 0},
    {"\ta\t=\t1\t", 0, "a", "1", 0, 0},
    {"a=1 # comment", 0, "a", "1", 0, 0},
    {"a=1#comment", 0, "a", "1", 0, 0},
    {"# a=1", 0, "a", NULL, 0, 0},
    {"   # a=1", 0, "a", NULL, 0, 0},
    /* T-C18: CRLF, BOM, trailing spaces, '#' */
    {"a=1\r\n", 0, "a", "1", 0, 0},
    {"x=0\r\na=1\r\nb=2\r\n", 0, "a", "1", 0, 0},
    {"\xEF\xBB\xBF" "a=1\n", 0, "a", "1", 0, 0},
    {"a=1", 0, "a", "1", 0, 0},                 /* no final newline */
    {"a=", 0, "a", "", 0, 0},
    {"a=x=y", 0, "a", "x=y", 0, 0},
    {"a=with  inner  spaces", 0, "a", "with  inner  spaces", 0, 0},
    {"\n\n\na=1\n\n", 0, "a", "1", 0, 0},
    {"b=2\na=$(b)x", 0, "a", "2x", 0, 0},
    {"b=2\na=$(b)$(b)", 0, "a", "22", 0, 0},
    {"b=2\na=<$(b)>", 0, "a", "<2>", 0, 0},
    {"b=$(c)\na=1", 0, "b", NULL, 1, 0},
    {"a=$(b)\nb=2", 0, "a", NULL, 1, 0},        /* only earlier lines */
    {"a=$(b", 0, "a", NULL, 1, 0},
    {"a=$()", 0, "a", NULL, 1, 0},
    {"b=$$(x)\n", 0, "b", NULL, 1, 0},
    {"x=$(y)\ny=1\nz=$(x)", 0, "z", NULL, 2, 0},
    {"AJPLB_TEST_ENV=local\na=$(AJPLB_TEST_ENV)", 0, "a", "local", 0, 0},
    {"a=$(AJPLB_TEST_ENV)", 0, "a", "fromenv", 0, 0},
    /* T-C7: a duplicate single value warns, lists concatenate */
    {"a=1\na=2", 0, "a", "2", 0, 1},
    {"worker.w.port=1\nworker.w.port=2", 0, "worker.w.port", "2", 0, 1},
    {"worker.list=a\nworker.list=b", 0, "worker.list", "a,b", 0, 0},
    {"worker.list=a,b\nworker.list=c", 0, "worker.list", "a,b,c", 0, 0},
    {"worker.list=\nworker.list=c", 0, "worker.list", "c", 0, 0},
    {"worker.l.balance_workers=a\nworker.l.balance_workers=b", 0,
     "worker.l.balance_workers", "a,b", 0, 0},
    {"worker.l.balanced_workers=a\nworker.l.balance_workers=b", 0,
     "worker.l.balance_workers", "a,b", 0, 1},
    {"worker.w.mount=/a/*\nworker.w.mount=/b", 0, "worker.w.mount",
     "/a/*,/b", 0, 0},
    {"worker.s.user=a\nworker.s.user=b", 0, "worker.s.user", "a,b", 0, 0},
    {"worker.s.good=a.o\nworker.s.good=a.i", 0, "worker.s.good", "a.o,a.i",
     0, 0},
    {"worker.s.bad=s\nworker.s.bad=e", 0, "worker.s.bad", "s,e", 0, 0},
    {"worker.w.fail_on_status=500\nworker.w.fail_on_status=503", 0,
     "worker.w.fail_on_status", "500,503", 0, 0},
    {"worker.w.jvm_route=r1", 0, "worker.w.route", "r1", 0, 1},
    {"worker.w.jvm_route=r1", 0, "worker.w.jvm_route", NULL, 0, 1},
    {"worker.w.cachesize=5", 0, "worker.w.connection_pool_size", "5", 0, 1},
    {"worker.w.cache_timeout=5", 0, "worker.w.connection_pool_timeout", "5",
     0, 1},
    {"worker.w.recycle_timeout=5", 0, "worker.w.connection_pool_timeout",
     "5", 0, 1},
    {"worker.w.route=a\nworker.w.jvm_route=b", 0, "worker.w.route", "b",
     0, 2},
    {"worker.w.disabled=1", 0, "worker.w.disabled", "1", 0, 1},
    {"worker.w.stopped=1", 0, "worker.w.stopped", "1", 0, 1},
    {"worker.w.local_worker=1", 0, "worker.w.local_worker", "1", 0, 1},
    {"worker.l.local_worker_only=1", 0, "worker.l.local_worker_only", "1",
     0, 1},
    {"worker.w.mx=512", 0, "worker.w.mx", "512", 0, 1},
    {"worker.w.class_path=/x", 0, "worker.w.class_path", "/x", 0, 1},
    {"worker.w.secretkey=k", 0, "worker.w.secretkey", "k", 0, 1},
    {"workers.tomcat_home=/usr/share/tomcat", 0, "workers.tomcat_home",
     "/usr/share/tomcat", 0, 0},
    {"workers.java_home=/usr/lib/jvm", 0, "workers.java_home",
     "/usr/lib/jvm", 0, 0},
    {"ps=/", 0, "ps", "/", 0, 0},
    {"worker.maintain=30", 0, "worker.maintain", "30", 0, 0},
    /* T-C12: unknown attributes are errors */
    {"worker.w.secrte=x", 0, "worker.w.secrte", NULL, 1, 0},
    {"worker.lst=a", 0, "worker.lst", NULL, 1, 0},
    {"worker.w.x.port=1", 0, "worker.w.x.port", NULL, 1, 0},
    {"worker.w.=1", 0, "worker.w.", NULL, 1, 0},
    {"noequals", 0, "noequals", NULL, 1, 0},
    {"=1", 0, "", NULL, 1, 0},
    {"a b=1", 0, "a b", NULL, 1, 0},
    {"a=1\0b", 4, "a", NULL, 1, 0},
    {"a=1\nb=\0\nc=3", 11, "c", "3", 1, 0},
    {"a=1\nb=\0\nc=3", 11, "b", NULL, 1, 0},
};

START_TEST(test_syntax)
{
    const ajplb__syntax_case_t *c = &ajplb__syntax[_i];
    const char *v;
    apr_status_t rv;

    setenv("AJPLB_TEST_ENV", "fromenv", 1);
    rv = ajplb__load_n(c->input, c->len ? c->len : strlen(c->input));
    v = ajplb_props_value(ajplb__pr, c->key);
    if (c->value == NULL) {
        ck_assert_msg(v == NULL, "case %d: '%s' should be absent, is '%s'",
                      _i, c->key, v);
    }
    else {
        ck_assert_msg(v != NULL && strcmp(v, c->value) == 0,
                      "case %d: '%s' is '%s', expected '%s'%s", _i, c->key,
                      v ? v : "(null)", c->value, ajplb__all());
    }
    ck_assert_msg(ajplb__d->errors == c->errors,
                  "case %d: %d errors, expected %d%s", _i, ajplb__d->errors,
                  c->errors, ajplb__all());
    ck_assert_msg(ajplb__d->warnings == c->warnings,
                  "case %d: %d warnings, expected %d%s", _i,
                  ajplb__d->warnings, c->warnings, ajplb__all());
    ck_assert_int_eq(rv, c->errors ? AJPLB_ECONFIG : APR_SUCCESS);
}
END_TEST

/* -------------------------------------------------------- diagnostics */

typedef struct {
    const char *input;
    ajplb_diag_level_e level;
    int line;
    const char *phrase;
} ajplb__diag_case_t;

static const ajplb__diag_case_t ajplb__diag_cases[] = {
    {"a=1\na=2", AJPLB_DIAG_WARN, 2, "set at t.properties:1"},
    {"a=1\na=2", AJPLB_DIAG_WARN, 2, "last one wins"},
    {"worker.w.route=a\n\nworker.w.jvm_route=b", AJPLB_DIAG_WARN, 3,
     "written as 'worker.w.jvm_route'"},
    {"worker.w.secrte=x", AJPLB_DIAG_ERROR, 1, "did you mean 'secret'?"},
    {"#\nworker.w.sticky_sesion=1", AJPLB_DIAG_ERROR, 2,
     "did you mean 'sticky_session'?"},
    {"worker.w.balance_worker=a", AJPLB_DIAG_ERROR, 1,
     "did you mean 'balance_workers'?"},
    {"worker.w.prot=8009", AJPLB_DIAG_ERROR, 1, "did you mean 'port'?"},
    {"worker.w.hots=x", AJPLB_DIAG_ERROR, 1, "did you mean 'host'?"},
    {"worker.w.lbfacter=1", AJPLB_DIAG_ERROR, 1, "did you mean 'lbfactor'?"},
    {"worker.w.xyzzyplugh=1", AJPLB_DIAG_ERROR, 1, "docs/WORKERS.md"},
    {"worker.lsit=a", AJPLB_DIAG_ERROR, 1, "did you mean 'worker.list'?"},
    {"worker.maintian=1", AJPLB_DIAG_ERROR, 1,
     "did you mean 'worker.maintain'?"},
    {"worker.a.b.port=1", AJPLB_DIAG_ERROR, 1, "invalid worker name 'a.b'"},
    {"worker.a,b.port=1", AJPLB_DIAG_ERROR, 1, "invalid worker name 'a,b'"},
    {"worker.w.cachesize=1", AJPLB_DIAG_WARN, 1,
     "write 'connection_pool_size' instead"},
    {"worker.w.cache_timeout=1", AJPLB_DIAG_WARN, 1,
     "write 'connection_pool_timeout'"},
    {"worker.w.recycle_timeout=1", AJPLB_DIAG_WARN, 1,
     "write 'connection_pool_timeout'"},
    {"worker.w.jvm_route=1", AJPLB_DIAG_WARN, 1, "write 'route'"},
    {"worker.l.balanced_workers=a", AJPLB_DIAG_WARN, 1,
     "write 'balance_workers'"},
    {"worker.w.disabled=1", AJPLB_DIAG_WARN, 1, "activation=D"},
    {"worker.w.stopped=1", AJPLB_DIAG_WARN, 1, "activation=S"},
    {"worker.w.local_worker=1", AJPLB_DIAG_WARN, 1, "ignored"},
    {"worker.w.secretkey=1", AJPLB_DIAG_WARN, 1, "ajp14"},
    {"worker.w.sysprops=1", AJPLB_DIAG_WARN, 1, "JNI-era"},
    {"worker.w.native_lib=1", AJPLB_DIAG_WARN, 1, "JNI-era"},
    /* T-C19: an undefined variable is an error */
    {"\n\na=$(AJPLB_NOPE_UNDEFINED)", AJPLB_DIAG_ERROR, 3,
     "undefined variable '$(AJPLB_NOPE_UNDEFINED)'"},
    {"a=$(x", AJPLB_DIAG_ERROR, 1, "unterminated '$('"},
    {"a=$()", AJPLB_DIAG_ERROR, 1, "empty variable name"},
    {"a=1\nbroken line", AJPLB_DIAG_ERROR, 2, "no '='"},
    {"=1", AJPLB_DIAG_ERROR, 1, "no property name"},
    {"a b=1", AJPLB_DIAG_ERROR, 1, "contains a space"},
};

START_TEST(test_diag)
{
    const ajplb__diag_case_t *c = &ajplb__diag_cases[_i];

    ajplb__load(c->input);
    ck_assert_msg(ajplb__has(c->level, c->line, c->phrase),
                  "case %d: no %s at line %d with '%s'; got:%s", _i,
                  c->level == AJPLB_DIAG_ERROR ? "error" : "warning",
                  c->line, c->phrase, ajplb__all());
}
END_TEST

START_TEST(test_diag_format)
{
    const ajplb_diag_t *dg;

    ajplb__load("a=1\nworker.w.secrte=x\n");
    dg = ajplb_diags_first_error(ajplb__d);
    ck_assert_ptr_nonnull(dg);
    ck_assert_str_eq(dg->file, "t.properties");
    ck_assert_int_eq(dg->line, 2);
    ck_assert_msg(strncmp(ajplb_diag_format(ajplb_test_pool, dg),
                          "t.properties:2: error: ", 23) == 0,
                  "%s", ajplb_diag_format(ajplb_test_pool, dg));
}
END_TEST

START_TEST(test_nul_column)
{
    ajplb__load_n("a=1\nabcd\0ef=1\nb=2\n", 17);
    ck_assert(ajplb__has(AJPLB_DIAG_ERROR, 2, "NUL byte in column 5"));
    ck_assert_str_eq(ajplb_props_value(ajplb__pr, "b"), "2");
}
END_TEST

/* T-C10: a long line is refused as a whole: its tail must not become a
 * property (mod_jk's fgets would parse it as a second line). */
START_TEST(test_long_line)
{
    char *buf = apr_palloc(ajplb_test_pool, 20000);
    apr_size_t n = 0;
    int i;

    n += (apr_size_t)apr_snprintf(buf, 100, "a=1\nb=2\nc=");
    for (i = 0; i < 8200; i++) {
        buf[n++] = 'x';
    }
    n += (apr_size_t)apr_snprintf(buf + n, 100, "tail=oops\nd=4\n");
    ck_assert_int_eq(ajplb__load_n(buf, n), AJPLB_ECONFIG);
    ck_assert(ajplb__has(AJPLB_DIAG_ERROR, 3, "line too long"));
    ck_assert_ptr_null(ajplb_props_value(ajplb__pr, "c"));
    ck_assert_ptr_null(ajplb_props_value(ajplb__pr, "tail"));
    ck_assert_ptr_null(ajplb_props_value(ajplb__pr, "xtail"));
    ck_assert_str_eq(ajplb_props_value(ajplb__pr, "d"), "4");
    ck_assert_int_eq(ajplb__d->errors, 1);
}
END_TEST

START_TEST(test_line_at_limit)
{
    /* Exactly AJPLB_PROPS_LINE_MAX bytes plus CRLF is accepted. */
    char *buf = apr_palloc(ajplb_test_pool, AJPLB_PROPS_LINE_MAX + 8);
    apr_size_t n;

    memcpy(buf, "k=", 2);
    memset(buf + 2, 'v', AJPLB_PROPS_LINE_MAX - 2);
    n = AJPLB_PROPS_LINE_MAX;
    buf[n++] = '\r';
    buf[n++] = '\n';
    ck_assert_int_eq(ajplb__load_n(buf, n), APR_SUCCESS);
    ck_assert_int_eq((int)strlen(ajplb_props_value(ajplb__pr, "k")),
                     AJPLB_PROPS_LINE_MAX - 2);
    buf[0] = 'k';
    memset(buf + 2, 'v', AJPLB_PROPS_LINE_MAX - 1);
    ck_assert_int_eq(ajplb__load_n(buf, AJPLB_PROPS_LINE_MAX + 1),
                     AJPLB_ECONFIG);
}
END_TEST

/* T-C14: $(var) growth is bounded. */
START_TEST(test_var_growth_capped)
{
    /* Each line quadruples the value: bounded by the value cap. */
    const char *text = "a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        "b=$(a)$(a)$(a)$(a)$(a)$(a)$(a)$(a)\n"
        "c=$(b)$(b)$(b)$(b)$(b)$(b)$(b)$(b)\n"
        "d=$(c)$(c)$(c)$(c)$(c)$(c)$(c)$(c)\n"
        "e=$(d)$(d)$(d)$(d)$(d)$(d)$(d)$(d)\n";

    ajplb__load(text);
    ck_assert_ptr_nonnull(ajplb_props_value(ajplb__pr, "c"));
    ck_assert_ptr_null(ajplb_props_value(ajplb__pr, "e"));
    ck_assert(ajplb__has(AJPLB_DIAG_ERROR, 5, "after $(var) substitution"));
}
END_TEST

START_TEST(test_file_line_kept)
{
    const ajplb_prop_t *p;

    ajplb__load("# c\nworker.list=a\n\nworker.list=b\nworker.a.port=1\n");
    p = ajplb_props_get(ajplb__pr, "worker.a.port");
    ck_assert_str_eq(p->file, "t.properties");
    ck_assert_int_eq(p->line, 5);
    ck_assert_str_eq(p->worker, "a");
    ck_assert_str_eq(p->attr, "port");
    p = ajplb_props_get(ajplb__pr, "worker.list");
    ck_assert_int_eq(p->parts->nelts, 2);
    ck_assert_int_eq(APR_ARRAY_IDX(p->parts, 0, ajplb_prop_part_t).line, 2);
    ck_assert_int_eq(APR_ARRAY_IDX(p->parts, 1, ajplb_prop_part_t).line, 4);
    ck_assert_ptr_null(p->worker);
}
END_TEST

START_TEST(test_add_line)
{
    const ajplb_prop_t *p;

    ajplb__load("worker.w.port=8009\n");
    ck_assert_int_eq(ajplb_props_add_line(ajplb__pr, "worker.w.port=8010",
                                          "/etc/apache2/httpd.conf", 42),
                     APR_SUCCESS);
    p = ajplb_props_get(ajplb__pr, "worker.w.port");
    ck_assert_str_eq(p->value, "8010");
    ck_assert_str_eq(p->file, "/etc/apache2/httpd.conf");
    ck_assert_int_eq(p->line, 42);
    ck_assert_int_eq(ajplb__d->warnings, 1);
    ck_assert(strstr(APR_ARRAY_IDX(ajplb__d->items, 0, ajplb_diag_t).msg,
                     "t.properties:1") != NULL);
    ck_assert_int_eq(ajplb_props_add_line(ajplb__pr, "worker.w.prot=1",
                                          "h.conf", 7), AJPLB_ECONFIG);
    ck_assert_str_eq(ajplb_diags_first_error(ajplb__d)->file, "h.conf");
    ck_assert_int_eq(ajplb_diags_first_error(ajplb__d)->line, 7);
    ck_assert_int_eq(ajplb_props_add_line(ajplb__pr, "  # comment only",
                                          "h.conf", 8), APR_SUCCESS);
}
END_TEST

START_TEST(test_read_missing_file)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ck_assert_int_ne(ajplb_props_read_file(ajplb__pr,
                                           "tests/data/nope.properties"),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb__d->errors, 1);
    ck_assert(strstr(ajplb_diags_first_error(ajplb__d)->msg, "cannot read")
              != NULL);
    ck_assert_int_ne(ajplb_props_read_file(ajplb__pr, "tests/data"),
                     APR_SUCCESS);
}
END_TEST

static const char *const ajplb__good_files[] = {
    "seed-single", "seed-lb", "seed-secret", "debian", "every-feature"
};

START_TEST(test_good_files_read)
{
    const char *path = apr_psprintf(ajplb_test_pool,
                                    "tests/data/workers/good/%s.properties",
                                    ajplb__good_files[_i]);

    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ck_assert_int_eq(ajplb_props_read_file(ajplb__pr, path), APR_SUCCESS);
    ck_assert_msg(ajplb__d->errors == 0, "%s:%s", path, ajplb__all());
    ck_assert_ptr_nonnull(ajplb_props_get(ajplb__pr, "worker.list"));
}
END_TEST

START_TEST(test_debian_file)
{
    const ajplb_prop_t *p;

    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ck_assert_int_eq(ajplb_props_read_file(ajplb__pr,
                     "tests/data/workers/good/debian.properties"),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb__d->errors, 0);
    ck_assert_int_eq(ajplb__d->warnings, 0);
    ck_assert_str_eq(ajplb_props_value(ajplb__pr, "workers.tomcat_home"),
                     "/usr/share/tomcat8");
    ck_assert_str_eq(ajplb_props_value(ajplb__pr, "ps"), "/");
    p = ajplb_props_get(ajplb__pr, "worker.loadbalancer.balance_workers");
    ck_assert_str_eq(p->value, "ajp13_worker");
    ck_assert_str_eq(ajplb_props_value(ajplb__pr, "worker.ajp13_worker.port"),
                     "8009");
    ck_assert_ptr_null(ajplb_props_get(ajplb__pr,
                                       "worker.ajp13_worker.cachesize"));
    ck_assert_int_eq(ajplb__pr->workers->nelts, 2);
}
END_TEST

START_TEST(test_seed_lb_deprecated)
{
    ajplb__d = ajplb_diags_make(ajplb_test_pool);
    ajplb__pr = ajplb_props_make(ajplb_test_pool, ajplb__d);
    ck_assert_int_eq(ajplb_props_read_file(ajplb__pr,
                     "tests/data/workers/good/seed-lb.properties"),
                     APR_SUCCESS);
    ck_assert_str_eq(ajplb_props_value(ajplb__pr,
                     "worker.loadbalancer.balance_workers"),
                     "worker1,worker2");
    ck_assert(ajplb__has(AJPLB_DIAG_WARN, 6, "balance_workers"));
    ck_assert_str_eq(ajplb_props_get(ajplb__pr,
                     "worker.loadbalancer.balance_workers")->written_as,
                     "worker.loadbalancer.balanced_workers");
}
END_TEST

/* ---------------------------------------------------------- references */

START_TEST(test_reference_copy)
{
    const ajplb_prop_t *p;

    ajplb__load("worker.t.host=h\nworker.t.port=1\nworker.t.lbfactor=5\n"
                "worker.a.reference=worker.t\nworker.a.port=2\n");
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
    p = ajplb_props_worker_get(ajplb__pr, "a", "host");
    ck_assert_str_eq(p->value, "h");
    ck_assert_str_eq(p->inherited_from, "t");
    ck_assert_int_eq(p->line, 1);
    p = ajplb_props_worker_get(ajplb__pr, "a", "port");
    ck_assert_str_eq(p->value, "2");
    ck_assert_ptr_null(p->inherited_from);
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "a", "lbfactor")
                     ->value, "5");
    /* The template itself is untouched. */
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "t", "port")->value,
                     "1");
    /* Idempotent. */
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
}
END_TEST

START_TEST(test_reference_chain)
{
    ajplb__load("worker.a.reference=worker.b\n"
                "worker.b.reference=worker.c.\n"
                "worker.c.host=deep\nworker.b.port=7\n");
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "a", "host")->value,
                     "deep");
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "a", "host")
                     ->inherited_from, "c");
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "a", "port")->value,
                     "7");
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "a", "reference")
                     ->value, "worker.b");
}
END_TEST

START_TEST(test_reference_list_copied)
{
    ajplb__load("worker.t.fail_on_status=500\nworker.t.fail_on_status=503\n"
                "worker.a.reference=worker.t\n");
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "a",
                                            "fail_on_status")->value,
                     "500,503");
    ck_assert_int_eq(ajplb_props_worker_get(ajplb__pr, "a",
                                            "fail_on_status")->parts->nelts,
                     2);
}
END_TEST

/* Chain of @a n references: w0 -> w1 -> ... -> wn (wn has a host). */
static const char *ajplb__chain(int n)
{
    const char *s = "";
    int i;

    for (i = 0; i < n; i++) {
        s = apr_psprintf(ajplb_test_pool,
                         "%sworker.w%d.reference=worker.w%d\n", s, i, i + 1);
    }
    return apr_psprintf(ajplb_test_pool, "%sworker.w%d.host=end\n", s, n);
}

/* T-C13: reference chains are depth-limited, cycles refused. */
START_TEST(test_reference_depth)
{
    ajplb__load(ajplb__chain(AJPLB_PROPS_REF_DEPTH));
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "w0", "host")->value,
                     "end");
    ajplb__load(ajplb__chain(AJPLB_PROPS_REF_DEPTH + 1));
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), AJPLB_ECONFIG);
    ck_assert_msg(ajplb__has(AJPLB_DIAG_ERROR, 21, "deeper than 20"),
                  "%s", ajplb__all());
}
END_TEST

typedef struct {
    const char *input;
    int line;
    const char *phrase;
} ajplb__ref_case_t;

static const ajplb__ref_case_t ajplb__ref_cases[] = {
    {"worker.a.reference=worker.b\nworker.b.reference=worker.a\n", 2,
     "reference cycle a -> b -> a"},
    {"worker.a.reference=worker.a\n", 1, "reference cycle a -> a"},
    {"worker.x.reference=worker.a\nworker.a.reference=worker.b\n"
     "worker.b.reference=worker.c\nworker.c.reference=worker.a\n", 4,
     "reference cycle a -> b -> c -> a"},
    {"worker.a.reference=worker.none\n", 1,
     "reference target 'worker.none' is not defined"},
    {"worker.a.reference=b\nworker.b.port=1\n", 1, "does not name a worker"},
    {"worker.a.reference=\n", 1, "does not name a worker"},
};

START_TEST(test_reference_errors)
{
    const ajplb__ref_case_t *c = &ajplb__ref_cases[_i];

    ajplb__load(c->input);
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), AJPLB_ECONFIG);
    ck_assert_msg(ajplb__has(AJPLB_DIAG_ERROR, c->line, c->phrase),
                  "case %d:%s", _i, ajplb__all());
    ck_assert_int_eq(ajplb__d->errors, 1);
}
END_TEST

START_TEST(test_many_workers)
{
    apr_size_t cap = 10000 * 64, n = 0;
    char *buf = apr_palloc(ajplb_test_pool, cap);
    int i;

    for (i = 0; i < 10000; i++) {
        n += (apr_size_t)apr_snprintf(buf + n, cap - n,
                                      "worker.w%d.port=%d\n", i, 1 + i);
    }
    ck_assert_int_eq(ajplb__load_n(buf, n), APR_SUCCESS);
    ck_assert_int_eq(ajplb__pr->workers->nelts, 10000);
    ck_assert_str_eq(ajplb_props_worker_get(ajplb__pr, "w9999", "port")
                     ->value, "10000");
    ck_assert_int_eq(ajplb_props_worker_get(ajplb__pr, "w9999", "port")
                     ->line, 10000);
}
END_TEST

/* ------------------------------------------------------------ secrets */

/* T-G11: no diagnostic repeats a value that may be a secret; each names
 * the key and the line instead. */
typedef struct {
    const char *input;
    int line;                   /* where the diagnostic must be */
    const char *phrase;         /* what it must say */
} ajplb__secret_case_t;

static const ajplb__secret_case_t ajplb__secret_cases[] = {
    {"worker.w1.secret=TopSecret1\nworker.w1.secret=TopSecret1b\n", 2,
     "duplicate 'worker.w1.secret'"},
    {"tcpass=TopSecret1\ntcpass=TopSecret1b\n", 2, "duplicate 'tcpass'"},
    {"tcpass=TopSecret1\nworker.w1.secret=$(tcpass)\n"
     "worker.w1.secret=$(tcpass)x\n", 3, "duplicate 'worker.w1.secret'"},
    {"worker.w1.secret=TopSecret1$(x\n", 1,
     "unterminated '$(' in the value of 'worker.w1.secret'"},
    {"worker.w1.secret TopSecret1\n", 1, "no '=' on this line"},
    {"TopSecret1\n", 1, "no '=' on this line"},
    {" =TopSecret1\n", 1, "no property name before '='"},
    {"worker.w1.secret TopSecret1=x\n", 1,
     "property name 'worker.w1.secret...'"},
};

START_TEST(test_secret_not_in_diags)
{
    const ajplb__secret_case_t *c = &ajplb__secret_cases[_i];
    int i;

    ajplb__load(c->input);
    ck_assert_msg(ajplb__has(AJPLB_DIAG_ERROR, c->line, c->phrase)
                  || ajplb__has(AJPLB_DIAG_WARN, c->line, c->phrase),
                  "T-G11 case %d: no diagnostic '%s' at line %d:\n%s", _i,
                  c->phrase, c->line, ajplb__all());
    for (i = 0; i < ajplb__d->items->nelts; i++) {
        const ajplb_diag_t *dg = &APR_ARRAY_IDX(ajplb__d->items, i,
                                                ajplb_diag_t);
        ck_assert_msg(strstr(dg->msg, "TopSecret") == NULL,
                      "T-G11 case %d: a diagnostic shows the secret: %s",
                      _i, dg->msg);
    }
}
END_TEST

/* Values that cannot be secrets are still shown: they help. */
START_TEST(test_duplicate_shows_plain_values)
{
    ajplb__load("worker.w1.port=8009\nworker.w1.port=8010\n");
    ck_assert_msg(ajplb__has(AJPLB_DIAG_WARN, 2, "'8010' replaces '8009'"),
                  "%s", ajplb__all());
}
END_TEST

static int ajplb__sens(const char *key)
{
    const ajplb_prop_t *pp = ajplb_props_get(ajplb__pr, key);

    ck_assert_msg(pp != NULL, "no property %s", key);
    return ajplb_props_is_sensitive(pp);
}

/* T-G11: what is hidden follows the value into and out of $(var). */
START_TEST(test_secret_flow)
{
    ck_assert_int_eq(ajplb__load(
        "tcpass=TopSecret1\n"
        "a=Top\n"
        "b=$(a)Secret\n"
        "copy=$(b)\n"
        "port=8009\n"
        "plain=x$(port)\n"
        "worker.tpl.secret=$(b)$(tcpass)\n"
        "worker.tpl.port=$(port)\n"
        "worker.w1.reference=worker.tpl\n"
        "db_password=hunter2\n"
        "apiToken=t\n"
        "worker.w2.secretkey=k\n"), APR_SUCCESS);
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
    ck_assert(ajplb__sens("tcpass"));
    ck_assert(ajplb__sens("a"));        /* went into b, then the secret */
    ck_assert(ajplb__sens("b"));
    ck_assert(ajplb__sens("copy"));     /* made from a secret variable */
    ck_assert(ajplb__sens("worker.tpl.secret"));
    ck_assert(ajplb__sens("worker.w1.secret"));     /* inherited */
    ck_assert(ajplb__sens("db_password"));
    ck_assert(ajplb__sens("apiToken"));
    ck_assert(ajplb__sens("worker.w2.secretkey"));
    ck_assert(!ajplb__sens("port"));
    ck_assert(!ajplb__sens("plain"));
    ck_assert(!ajplb__sens("worker.tpl.port"));
    ck_assert(!ajplb__sens("worker.w1.port"));
    ck_assert(!ajplb__sens("worker.w1.reference"));
    ck_assert(ajplb_props_key_is_secret("worker.x.secret"));
    ck_assert(ajplb_props_key_is_secret("MY_PASSWD"));
    ck_assert(!ajplb_props_key_is_secret("worker.x.host"));
}
END_TEST

/* A chain as long as the file is walked without deep recursion; a
 * variable reassigned after it was marked passes the mark on. */
START_TEST(test_secret_long_chain)
{
    int i, n = 100000;
    char *text = apr_palloc(ajplb_test_pool, (apr_size_t)n * 32 + 64);
    char *w = text;

    w += sprintf(w, "v0=TopSecret1\n");
    for (i = 1; i < n; i++) {
        w += sprintf(w, "v%d=$(v%d)\n", i, i - 1);
    }
    w += sprintf(w, "worker.w1.secret=$(v%d)\nlate=L\nv5=$(late)\n",
                 n - 1);
    ck_assert_int_eq(ajplb__load(text), APR_SUCCESS);
    ck_assert_int_eq(ajplb_props_resolve(ajplb__pr), APR_SUCCESS);
    ck_assert(ajplb__sens("v0"));
    ck_assert(ajplb__sens("v50000"));
    ck_assert(ajplb__sens("late"));
}
END_TEST

static Suite *ajplb__suite(void)
{
    Suite *s = suite_create("props");
    TCase *tc;

    tc = ajplb_test_tcase("syntax");
    tcase_add_loop_test(tc, test_syntax, 0,
                        sizeof(ajplb__syntax) / sizeof(ajplb__syntax[0]));
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_line_at_limit);
    tcase_add_test(tc, test_var_growth_capped);
    tcase_add_test(tc, test_file_line_kept);
    tcase_add_test(tc, test_nul_column);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("diagnostics");
    tcase_add_loop_test(tc, test_diag, 0, sizeof(ajplb__diag_cases)
                        / sizeof(ajplb__diag_cases[0]));
    tcase_add_test(tc, test_diag_format);
    tcase_add_test(tc, test_add_line);
    tcase_add_test(tc, test_read_missing_file);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("files");
    tcase_add_loop_test(tc, test_good_files_read, 0,
                        sizeof(ajplb__good_files)
                        / sizeof(ajplb__good_files[0]));
    tcase_add_test(tc, test_debian_file);
    tcase_add_test(tc, test_seed_lb_deprecated);
    tcase_add_test(tc, test_many_workers);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("secrets");
    tcase_add_loop_test(tc, test_secret_not_in_diags, 0,
                        sizeof(ajplb__secret_cases)
                        / sizeof(ajplb__secret_cases[0]));
    tcase_add_test(tc, test_duplicate_shows_plain_values);
    tcase_add_test(tc, test_secret_flow);
    tcase_add_test(tc, test_secret_long_chain);
    suite_add_tcase(s, tc);

    tc = ajplb_test_tcase("references");
    tcase_add_test(tc, test_reference_copy);
    tcase_add_test(tc, test_reference_chain);
    tcase_add_test(tc, test_reference_list_copied);
    tcase_add_test(tc, test_reference_depth);
    tcase_add_loop_test(tc, test_reference_errors, 0,
                        sizeof(ajplb__ref_cases)
                        / sizeof(ajplb__ref_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ajplb_test_run(ajplb__suite());
}
