/*
 * check_status.c -- unit tests for the status worker core: argument
 * decoding, escaping per format, good/bad rating, the write nonce and
 * same-origin check, updates/reset/recover through the shm, rendering,
 * the dump's mounts, and the check of who may reach a writable one.
 */
#include <string.h>

#include <apr_strings.h>

#include "test_util.h"
#include "ajplb_lb.h"
#include "ajplb_status.h"
#include "ajplb_uri_map.h"

static const ajplb_model_defaults_t ajplb__defs = {60, 16};

static const char *ajplb__conf =
    "worker.list=lb,solo,st\n"
    "worker.lb.type=lb\nworker.lb.balance_workers=w1,w2\n"
    "worker.w1.port=8001\nworker.w1.secret=topsecret\n"
    "worker.w2.port=8002\nworker.w2.secret=topsecret\n"
    "worker.solo.port=8003\nworker.solo.secret=topsecret\n"
    "worker.st.type=status\nworker.st.read_only=false\n";

typedef struct {
    ajplb_model_t *m;
    ajplb_shm_t *shm;
} ajplb__fx_t;

static ajplb__fx_t ajplb__setup_conf(const char *conf)
{
    ajplb_diags_t *d = ajplb_diags_make(ajplb_test_pool);
    ajplb_props_t *pr = ajplb_props_make(ajplb_test_pool, d);
    ajplb__fx_t fx;
    apr_size_t size;

    ck_assert_int_eq(ajplb_props_read_buffer(pr, conf, strlen(conf),
                     "t.properties"), APR_SUCCESS);
    ajplb_model_build(ajplb_test_pool, pr, &ajplb__defs, d, &fx.m);
    ck_assert_ptr_nonnull(fx.m);
    size = ajplb_shm_size(fx.m);
    ck_assert_int_eq(ajplb_shm_init(ajplb_test_pool,
                                    apr_pcalloc(ajplb_test_pool, size), size,
                                    fx.m, NULL, 0, apr_time_now(), &fx.shm),
                     APR_SUCCESS);
    return fx;
}

static ajplb__fx_t ajplb__setup(void)
{
    return ajplb__setup_conf(ajplb__conf);
}

static ajplb_status_req_t ajplb__req(const char *query)
{
    apr_table_t *t = apr_table_make(ajplb_test_pool, 8);
    ajplb_status_req_t r;
    const char *err;

    ck_assert_int_eq(ajplb_status_parse_args(ajplb_test_pool, query, t),
                     APR_SUCCESS);
    ck_assert_int_eq(ajplb_status_req_make(ajplb_test_pool, t, &r, &err),
                     APR_SUCCESS);
    return r;
}

static const char *ajplb__render(ajplb__fx_t *fx, ajplb_status_req_t *r)
{
    ajplb_status_view_t v;
    ajplb_sbuf_t b;

    memset(&v, 0, sizeof(v));
    v.model = fx->m;
    v.status = ajplb_model_find(fx->m, "st");
    v.req = r;
    v.now = apr_time_now();
    v.server_name = "h<x>";
    v.server_port = 80;
    v.server_software = "Apache";
    v.uri = "/jkstatus";
    v.nonce = "N";
    ajplb_sbuf_init(&b, ajplb_test_pool, 64);
    if (r->cmd == AJPLB_STATUS_CMD_DUMP) {
        ajplb_status_render_dump(&b, &v);
        return b.s;
    }
    ck_assert_int_eq(ajplb_status_view_make(ajplb_test_pool, &v, fx->shm,
                                            NULL, NULL), APR_SUCCESS);
    ajplb_status_render(&b, &v);
    return b.s;
}

START_TEST(test_args)
{
    apr_table_t *t = apr_table_make(ajplb_test_pool, 8);
    ajplb_status_req_t r;
    const char *err;

    ck_assert_int_eq(ajplb_status_parse_args(ajplb_test_pool,
                     "cmd=show&w=lb&sw=w1&re=5&opt=32&x=a+b%3C&&", t),
                     APR_SUCCESS);
    ck_assert_str_eq(apr_table_get(t, "x"), "a b<");
    ck_assert_int_eq(ajplb_status_req_make(ajplb_test_pool, t, &r, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(r.cmd, AJPLB_STATUS_CMD_SHOW);
    ck_assert_str_eq(r.w, "lb");
    ck_assert_str_eq(r.sw, "w1");
    ck_assert_int_eq(r.re, 5);
    ck_assert_uint_eq(r.opt, AJPLB_STATUS_OPT_READ_ONLY);
    ck_assert_int_eq(ajplb_status_parse_args(ajplb_test_pool, "a=%4", t),
                     APR_EINVAL);
    ck_assert_int_eq(ajplb_status_parse_args(ajplb_test_pool, "a=%00", t),
                     APR_EINVAL);
    ck_assert_int_eq(ajplb_status_parse_args(ajplb_test_pool, "a=%zz", t),
                     APR_EINVAL);
    t = apr_table_make(ajplb_test_pool, 2);
    apr_table_set(t, "mime", "prometheus");
    ck_assert_int_eq(ajplb_status_req_make(ajplb_test_pool, t, &r, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(r.mime, AJPLB_STATUS_MIME_PROM);
    apr_table_set(t, "cmd", "<script>");
    ck_assert_int_eq(ajplb_status_req_make(ajplb_test_pool, t, &r, &err),
                     APR_EINVAL);
    ck_assert_ptr_null(strchr(err, '<'));
    apr_table_set(t, "cmd", "list");
    apr_table_set(t, "w", "a<b");
    ck_assert_int_eq(ajplb_status_req_make(ajplb_test_pool, t, &r, &err),
                     APR_EINVAL);
    apr_table_set(t, "w", "lb");
    apr_table_set(t, "re", "-1");
    ck_assert_int_eq(ajplb_status_req_make(ajplb_test_pool, t, &r, &err),
                     APR_EINVAL);
}
END_TEST

/* T-G9: every output format escapes markup, quotes and control bytes. */
START_TEST(test_escaping)
{
    ajplb_sbuf_t b;

    ajplb_sbuf_init(&b, ajplb_test_pool, 4);
    ajplb_sbuf_xml(&b, "<a href=\"x\">&'\x01\xe9");
    ck_assert_str_eq(b.s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&#xE9;");
    ajplb_sbuf_init(&b, ajplb_test_pool, 4);
    ajplb_sbuf_json(&b, "a\"\\\n</script>\xff");
    ck_assert_str_eq(b.s, "\"a\\\"\\\\\\u000a\\u003c/script\\u003e\\u00ff\"");
    ajplb_sbuf_init(&b, ajplb_test_pool, 4);
    ajplb_sbuf_prop(&b, "a\\b\nc\xe9");
    ck_assert_str_eq(b.s, "a\\\\b\\u000ac\\u00e9");
    ajplb_sbuf_init(&b, ajplb_test_pool, 4);
    ajplb_sbuf_prom(&b, "a\"b\\c\nd");
    ck_assert_str_eq(b.s, "a\\\"b\\\\c\\nd");
    ajplb_sbuf_init(&b, ajplb_test_pool, 4);
    ajplb_sbuf_url(&b, "a b&c");
    ck_assert_str_eq(b.s, "a%20b%26c");
    /* Growth past the initial size keeps everything. */
    ajplb_sbuf_init(&b, ajplb_test_pool, 4);
    ajplb_sbuf_printf(&b, "%0600d", 7);
    ck_assert_uint_eq(b.len, 600);
    ck_assert_uint_eq(strlen(b.s), 600);
}
END_TEST

START_TEST(test_rating)
{
    const char *good = "a.o,a.i,a.b,a.r";

    ck_assert_int_eq(ajplb_status_rate(good, "s,e", AJPLB_ACTIVATION_ACTIVE,
                                       AJPLB_STATE_OK), 1);
    ck_assert_int_eq(ajplb_status_rate(good, "s,e", AJPLB_ACTIVATION_ACTIVE,
                                       AJPLB_STATE_ERROR), -1);
    ck_assert_int_eq(ajplb_status_rate(good, "s,e", AJPLB_ACTIVATION_STOPPED,
                                       AJPLB_STATE_OK), -1);
    ck_assert_int_eq(ajplb_status_rate(good, "s,e",
                                       AJPLB_ACTIVATION_DISABLED,
                                       AJPLB_STATE_OK), 0);
    ck_assert_int_eq(ajplb_status_rate(NULL, NULL, AJPLB_ACTIVATION_ACTIVE,
                                       AJPLB_STATE_RECOVER), 1);
    ck_assert_int_eq(ajplb_status_rate("d", "x", AJPLB_ACTIVATION_DISABLED,
                                       AJPLB_STATE_ERROR), 1);
}
END_TEST

START_TEST(test_nonce)
{
    static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
    static const unsigned char salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    apr_time_t now = apr_time_from_sec(1700000000);
    char n[AJPLB_STATUS_NONCE_LEN + 1];
    char bad[AJPLB_STATUS_NONCE_LEN + 1];
    apr_interval_time_t age = apr_time_from_sec(3600);

    ajplb_status_nonce_make(n, key, sizeof(key), "st\n", now, salt);
    ck_assert_uint_eq(strlen(n), AJPLB_STATUS_NONCE_LEN);
    ck_assert(ajplb_status_nonce_check(n, key, sizeof(key), "st\n",
                                       now + apr_time_from_sec(10), age));
    ck_assert(!ajplb_status_nonce_check(n, key, sizeof(key), "st\nbob",
                                        now, age));
    ck_assert(!ajplb_status_nonce_check(n, key, sizeof(key), "st\n",
                                        now + age + apr_time_from_sec(2),
                                        age));
    ck_assert(!ajplb_status_nonce_check(n, key, sizeof(key), "st\n",
                                        now - apr_time_from_sec(60), age));
    /* Another server (another start-up key) cannot forge it. */
    ck_assert(!ajplb_status_nonce_check(n, key + 1, 31, "st\n", now, age));
    memcpy(bad, n, sizeof(bad));
    bad[AJPLB_STATUS_NONCE_LEN - 1] ^= 1;
    ck_assert(!ajplb_status_nonce_check(bad, key, sizeof(key), "st\n", now,
                                        age));
    ck_assert(!ajplb_status_nonce_check("", key, sizeof(key), "st\n", now,
                                        age));
    ck_assert(!ajplb_status_nonce_check(NULL, key, sizeof(key), "st\n", now,
                                        age));
}
END_TEST

static apr_array_header_t *ajplb__names(const char *a, const char *b)
{
    apr_array_header_t *n = apr_array_make(ajplb_test_pool, 2,
                                           sizeof(const char *));

    APR_ARRAY_PUSH(n, const char *) = a;
    if (b != NULL) {
        APR_ARRAY_PUSH(n, const char *) = b;
    }
    return n;
}

/* T-G8: the origin is compared with the server's names and port, never
 * with the request's Host (DNS rebinding sends Host: evil too). */
START_TEST(test_same_origin)
{
    apr_array_header_t *h = ajplb__names("h", "*.example.org");
    apr_array_header_t *v6 = ajplb__names("[::1]", NULL);
    const apr_port_t p8080[] = {8080};
    const apr_port_t p80[] = {80, 8080};
    const apr_port_t p443[] = {443};

    ck_assert(ajplb_status_same_origin("http://h:8080", NULL, h, p8080, 1));
    ck_assert(ajplb_status_same_origin("https://H:8080", NULL, h, p8080, 1));
    ck_assert(ajplb_status_same_origin(NULL, "http://h:8080/jkstatus?x", h,
                                       p8080, 1));
    ck_assert(ajplb_status_same_origin("http://a.example.org:8080", NULL, h,
                                       p8080, 1));
    ck_assert(ajplb_status_same_origin("http://h", NULL, h, p80, 2));
    ck_assert(ajplb_status_same_origin("https://h", NULL, h, p443, 1));
    ck_assert(ajplb_status_same_origin("http://[::1]:8080", NULL, v6, p8080,
                                       1));
    /* DNS rebinding: the attacker's name, whatever Host says. */
    ck_assert(!ajplb_status_same_origin("http://evil.example:8080", NULL, h,
                                        p8080, 1));
    ck_assert(!ajplb_status_same_origin("http://evil", "http://h:8080/", h,
                                        p8080, 1));
    ck_assert(!ajplb_status_same_origin("http://h:8081", NULL, h, p8080, 1));
    ck_assert(!ajplb_status_same_origin("http://h", NULL, h, p8080, 1));
    ck_assert(!ajplb_status_same_origin("https://h", NULL, h, p80, 2));
    ck_assert(!ajplb_status_same_origin("ftp://h:8080", NULL, h, p8080, 1));
    ck_assert(!ajplb_status_same_origin("http://example.org:8080", NULL, h,
                                        p8080, 1));
    ck_assert(!ajplb_status_same_origin("null", "http://h:8080/", h, p8080,
                                        1));
    ck_assert(!ajplb_status_same_origin(NULL, NULL, h, p8080, 1));
    ck_assert(!ajplb_status_same_origin(NULL, "http://h:8080@evil/", h,
                                        p8080, 1));
    ck_assert(!ajplb_status_same_origin(NULL, "http://h:80801/", h, p8080,
                                        1));
    ck_assert(!ajplb_status_same_origin(NULL, "http://h:8080x/", h, p8080,
                                        1));
    ck_assert(!ajplb_status_same_origin("http://[::1]:8080", NULL, h, p8080,
                                        1));
    ck_assert(!ajplb_status_same_origin("http://h:8080", NULL, NULL, p8080,
                                        1));
}
END_TEST

/* T-G8: a nonce allows one change, then it and every nonce handed out
 * before the change are void (the serial lives in the shared segment, so
 * this holds across children). */
START_TEST(test_nonce_single_use)
{
    static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
    static const unsigned char salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const unsigned char salt2[8] = {2, 3, 4, 5, 6, 7, 8, 9};
    ajplb__fx_t fx = ajplb__setup();
    apr_time_t now = apr_time_now();
    apr_interval_time_t age = apr_time_from_sec(3600);
    char n1[AJPLB_STATUS_NONCE_LEN + 1], n2[AJPLB_STATUS_NONCE_LEN + 1];
    char n3[AJPLB_STATUS_NONCE_LEN + 1];
    apr_uint32_t s0 = ajplb_status_serial(fx.shm);

    ajplb_status_nonce_make(n1, key, sizeof(key), ajplb_status_nonce_scope(
        ajplb_test_pool, "st", NULL, s0), now, salt);
    ajplb_status_nonce_make(n2, key, sizeof(key), ajplb_status_nonce_scope(
        ajplb_test_pool, "st", NULL, s0), now, salt2);
    /* Another worker's or user's nonce is no good here. */
    ck_assert(!ajplb_status_nonce_use(fx.shm, n1, key, sizeof(key), "st2",
                                      NULL, now, age, ajplb_test_pool));
    ck_assert(!ajplb_status_nonce_use(fx.shm, n1, key, sizeof(key), "st",
                                      "bob", now, age, ajplb_test_pool));
    ck_assert(ajplb_status_nonce_use(fx.shm, n1, key, sizeof(key), "st",
                                     NULL, now, age, ajplb_test_pool));
    ck_assert_uint_eq(ajplb_status_serial(fx.shm), s0 + 1);
    /* Replayed: refused, and the serial does not move. */
    ck_assert(!ajplb_status_nonce_use(fx.shm, n1, key, sizeof(key), "st",
                                      NULL, now, age, ajplb_test_pool));
    ck_assert(!ajplb_status_nonce_use(fx.shm, n2, key, sizeof(key), "st",
                                      NULL, now, age, ajplb_test_pool));
    ck_assert_uint_eq(ajplb_status_serial(fx.shm), s0 + 1);
    ajplb_status_nonce_make(n3, key, sizeof(key), ajplb_status_nonce_scope(
        ajplb_test_pool, "st", NULL, s0 + 1), now, salt);
    ck_assert(ajplb_status_nonce_use(fx.shm, n3, key, sizeof(key), "st",
                                     NULL, now, age, ajplb_test_pool));
    ck_assert(!ajplb_status_nonce_use(NULL, n3, key, sizeof(key), "st",
                                      NULL, now, age, ajplb_test_pool));
}
END_TEST

/* T-G11: the dump hides a secret also where it was written first: in the
 * variable the secret= line refers to, and in every format. */
START_TEST(test_dump_hides_secret_variables)
{
    static const char *const mimes[] = {
        "html", "xml", "json", "txt", "prop", "prometheus", NULL
    };
    ajplb__fx_t fx = ajplb__setup_conf(
        "tcpass=TopSecret1\n"
        "half=TopSecret2\n"
        "other=$(half)\n"
        "db_password=TopSecret3\n"
        "worker.list=w1,st\n"
        "worker.w1.port=8001\nworker.w1.secret=$(tcpass)\n"
        "worker.w2.port=8002\nworker.w2.secret=x$(other)\n"
        "worker.st.type=status\n");
    int i;

    for (i = 0; mimes[i] != NULL; i++) {
        ajplb_status_req_t r = ajplb__req(apr_pstrcat(ajplb_test_pool,
            "cmd=dump&mime=", mimes[i], NULL));
        const char *out = ajplb__render(&fx, &r);
        ck_assert_msg(strstr(out, "TopSecret") == NULL,
                      "T-G11: mime=%s dump shows a secret:\n%s", mimes[i],
                      out);
        ck_assert_msg(strstr(out, "tcpass") != NULL,
                      "mime=%s: the key is still listed", mimes[i]);
        ck_assert_msg(strstr(out, "8002") != NULL,
                      "mime=%s: other values are still shown", mimes[i]);
    }
}
END_TEST

START_TEST(test_update_member)
{
    ajplb__fx_t fx = ajplb__setup();
    apr_array_header_t *ch = apr_array_make(ajplb_test_pool, 4,
                                            sizeof(ajplb_status_change_t));
    ajplb_status_req_t r = ajplb__req("cmd=update&w=lb&sw=w1&vwa=D&vwf=3"
                                      "&vwn=r1&vwc=dom&vwd=2");
    ajplb_shm_member_config_t c;
    ajplb_status_change_t *c0;
    const char *err;

    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_SUCCESS);
    ajplb_shm_member_config_get(ajplb_shm_find_member(fx.shm, "lb", "w1"),
                                &c);
    ck_assert_uint_eq(c.activation, AJPLB_ACTIVATION_DISABLED);
    ck_assert_uint_eq(c.lbfactor, 3);
    ck_assert_str_eq(c.route, "r1");
    ck_assert_str_eq(c.domain, "dom");
    ck_assert_uint_eq(c.distance, 2);
    ck_assert_int_eq(ch->nelts, 5);
    c0 = &APR_ARRAY_IDX(ch, 0, ajplb_status_change_t);
    ck_assert_str_eq(c0->worker, "lb/w1");
    ck_assert_str_eq(c0->what, "activation");
    ck_assert_str_eq(c0->old_value, "ACT");
    ck_assert_str_eq(c0->new_value, "DIS");

    /* Invalid values change nothing at all. */
    r = ajplb__req("cmd=update&w=lb&sw=w1&vwa=A&vwf=0");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_EINVAL);
    ajplb_shm_member_config_get(ajplb_shm_find_member(fx.shm, "lb", "w1"),
                                &c);
    ck_assert_uint_eq(c.activation, AJPLB_ACTIVATION_DISABLED);
    r = ajplb__req("cmd=update&w=lb&sw=w1&vwn=w2");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "already used"));
    r = ajplb__req("cmd=update&w=lb&sw=w1&vwn=a%3Bb");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_EINVAL);
    r = ajplb__req("cmd=update&w=lb&sw=w1&vwc=a.b");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_EINVAL);
    r = ajplb__req("cmd=update&w=lb&sw=w1&vahst=evil");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "run time"));
    r = ajplb__req("cmd=update&w=lb&sw=nope&vwa=A");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_NOTFOUND);
    r = ajplb__req("cmd=update&w=solo&vwa=A");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         ch, &err), APR_EINVAL);
}
END_TEST

START_TEST(test_update_lb_and_att)
{
    ajplb__fx_t fx = ajplb__setup();
    ajplb_shm_lb_t *l = ajplb_shm_find_lb(fx.shm, "lb");
    ajplb_status_req_t r = ajplb__req("cmd=update&w=lb&vlr=4&vlt=90&vls=0"
                                      "&vlf=1&vlm=T&vll=P&vlx=3&vlee=9");
    ajplb_shm_lb_config_t c;
    ajplb_shm_member_config_t mc;
    const char *err;

    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         NULL, &err), APR_SUCCESS);
    ajplb_shm_lb_config_get(l, &c);
    ck_assert_uint_eq(c.retries, 4);
    ck_assert_uint_eq(c.recover_time, 90);
    ck_assert_uint_eq(c.sticky_session, 0);
    ck_assert_uint_eq(c.sticky_session_force, 1);
    ck_assert_uint_eq(c.method, AJPLB_LB_METHOD_TRAFFIC);
    ck_assert_uint_eq(c.lock, AJPLB_LB_LOCK_PESSIMISTIC);
    ck_assert_uint_eq(c.max_reply_timeouts, 3);
    ck_assert_uint_eq(c.error_escalation_time, 9);
    /* Absent parameters keep their values (mod_jk resets checkboxes). */
    r = ajplb__req("cmd=update&w=lb&vlr=2");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         NULL, &err), APR_SUCCESS);
    ajplb_shm_lb_config_get(l, &c);
    ck_assert_uint_eq(c.sticky_session_force, 1);
    r = ajplb__req("cmd=update&w=lb&vlm=X");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         NULL, &err), APR_EINVAL);

    r = ajplb__req("cmd=update&w=lb&att=vwf&val0=5&val1=2");
    ck_assert_int_eq(ajplb_status_update(ajplb_test_pool, fx.shm, fx.m, &r,
                                         NULL, &err), APR_SUCCESS);
    ajplb_shm_member_config_get(ajplb_shm_find_member(fx.shm, "lb", "w1"),
                                &mc);
    ck_assert_uint_eq(mc.lbfactor, 5);
    ajplb_shm_member_config_get(ajplb_shm_find_member(fx.shm, "lb", "w2"),
                                &mc);
    ck_assert_uint_eq(mc.lbfactor, 2);
}
END_TEST

START_TEST(test_reset_recover)
{
    ajplb__fx_t fx = ajplb__setup();
    ajplb_shm_member_t *m1 = ajplb_shm_find_member(fx.shm, "lb", "w1");
    ajplb_shm_member_t *m2 = ajplb_shm_find_member(fx.shm, "lb", "w2");
    ajplb_status_req_t r = ajplb__req("cmd=reset&w=lb&sw=w1");
    const char *err;

    m1->elected = 10;
    m1->errors = 3;
    m2->elected = 7;
    m2->lb_value = 40;
    ck_assert_int_eq(ajplb_status_reset(ajplb_test_pool, fx.shm, fx.m, &r,
                                        apr_time_now(), &err), APR_SUCCESS);
    ck_assert_uint_eq(m1->elected, 0);
    ck_assert_uint_eq(m1->errors, 0);
    ck_assert_uint_eq(m2->elected, 7);
    r = ajplb__req("cmd=reset&w=lb");
    ck_assert_int_eq(ajplb_status_reset(ajplb_test_pool, fx.shm, fx.m, &r,
                                        apr_time_now(), &err), APR_SUCCESS);
    ck_assert_uint_eq(m2->elected, 0);
    ck_assert_uint_eq(m2->lb_value, 0);

    m2->lb_value = 40;
    r = ajplb__req("cmd=recover&w=lb&sw=w1");
    ck_assert_int_eq(ajplb_status_recover(ajplb_test_pool, fx.shm, fx.m, &r,
                                          &err), APR_EINVAL);
    m1->state = AJPLB_STATE_ERROR;
    ck_assert_int_eq(ajplb_status_recover(ajplb_test_pool, fx.shm, fx.m, &r,
                                          &err), APR_SUCCESS);
    ck_assert_uint_eq(m1->state, AJPLB_STATE_RECOVER);
    ck_assert_uint_eq(m1->lb_value, 40);
}
END_TEST

START_TEST(test_render_formats)
{
    ajplb__fx_t fx = ajplb__setup();
    ajplb_status_req_t r;
    const char *s;

    ajplb_shm_find_member(fx.shm, "lb", "w1")->elected = 42;
    r = ajplb__req("mime=prop");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "worker.lb.balance_workers=w1\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.elected=42\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.activation=ACT\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.lb.sticky_session=True\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.list=lb,solo\n"));
    r = ajplb__req("mime=xml");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "<jk:status xmlns:jk="
                                    "\"http://tomcat.apache.org\">"));
    ck_assert_ptr_nonnull(strstr(s, "<jk:server name=\"h&lt;x&gt;\""));
    ck_assert_ptr_nonnull(strstr(s, "elected=\"42\""));
    r = ajplb__req("mime=json");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "\"elected\":42"));
    ck_assert_ptr_nonnull(strstr(s, "\"sticky_session\":true"));
    ck_assert_ptr_nonnull(strstr(s, "\"name\":\"h\\u003cx\\u003e\""));
    r = ajplb__req("mime=txt");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "Member: name=w1 type=ajp13"));
    r = ajplb__req("mime=prometheus");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "ajplb_member_requests_total{lb=\"lb\","
                                    "member=\"w1\",route=\"w1\"} 42\n"));
    ck_assert_ptr_nonnull(strstr(s, "ajplb_member_state{lb=\"lb\",member="
                                    "\"w1\",state=\"OK/IDLE\"} 1\n"));
    r = ajplb__req("");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "<title>mod_ajplb status"));
    ck_assert_ptr_null(strstr(s, "h<x>"));
    ck_assert_ptr_nonnull(strstr(s, "name=\"nonce\" value=\"N\""));
    r = ajplb__req("cmd=dump&mime=txt");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.port=8001\n"));
    ck_assert_ptr_nonnull(strstr(s, "# t.properties:"));
    ck_assert_ptr_null(strstr(s, "topsecret"));
}
END_TEST

/* Traffic management fields are additions: every format shows an ejected
 * member's hold, its return time and the effective lbfactor of a ramping
 * one, and the mod_jk keys are still there. */
START_TEST(test_render_traffic)
{
    ajplb__fx_t fx = ajplb__setup_conf(apr_pstrcat(ajplb_test_pool,
        ajplb__conf, "worker.lb.outlier_count=3\n"
        "worker.lb.slow_start=100\nworker.w2.health_check=/h\n", NULL));
    ajplb_shm_member_t *w1 = ajplb_shm_find_member(fx.shm, "lb", "w1");
    ajplb_shm_member_t *w2 = ajplb_shm_find_member(fx.shm, "lb", "w2");
    ajplb_status_req_t r;
    const char *s;

    w1->hold = AJPLB_HOLD_OUTLIER;
    w1->ejections = 2;
    w1->eject_until = (apr_uint64_t)(apr_time_now() + apr_time_from_sec(50));
    w2->slow_start_since = (apr_uint64_t)(apr_time_now()
                                          - apr_time_from_sec(25));
    w2->hc_checks = 7;
    w2->hc_status = 200;
    r = ajplb__req("mime=prop");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.in_rotation=False\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.hold=outlier\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.ejections=2\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.hold_returns_in=4"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w2.in_rotation=True\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w2.health=up\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w2.health_checks=7\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w2.effective_lbfactor=0.2"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.health=off\n"));
    ck_assert_ptr_nonnull(strstr(s, "worker.w1.state=OK/IDLE\n"));
    r = ajplb__req("mime=json");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "\"hold\":\"outlier\""));
    ck_assert_ptr_nonnull(strstr(s, "\"in_rotation\":false"));
    ck_assert_ptr_nonnull(strstr(s, "\"health_last_status\":200"));
    ck_assert_ptr_nonnull(strstr(s, "\"elected\":0"));
    r = ajplb__req("mime=xml");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "hold=\"outlier\""));
    r = ajplb__req("mime=prometheus");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "ajplb_member_in_rotation{lb=\"lb\","
                                    "member=\"w1\",route=\"w1\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(s, "ajplb_member_health_checks_total{lb="
                                    "\"lb\",member=\"w2\",route=\"w2\"} 7\n"));
    r = ajplb__req("");
    s = ajplb__render(&fx, &r);
    ck_assert_ptr_nonnull(strstr(s, "<th class=\"l\">Traffic</th>"));
    ck_assert_ptr_nonnull(strstr(s, "OUT</span> outlier #2, back in 4"));
    ck_assert_ptr_nonnull(strstr(s, "<td class=\"l\">up 200</td>"));
}
END_TEST

/* Two servers' rules for the dump: the main server (its name needs
 * escaping) and a virtual host, each with a JkMount with an extension, an
 * exclusion, a mount-file rule and a disabled one. */
static apr_array_header_t *ajplb__vhosts(void)
{
    apr_array_header_t *a = apr_array_make(ajplb_test_pool, 2,
                                           sizeof(ajplb_status_vhost_t));
    ajplb_diags_t *d = ajplb_diags_make(ajplb_test_pool);
    ajplb_uri_map_t *m = ajplb_uri_map_make(ajplb_test_pool, d);
    ajplb_status_vhost_t *vh;

    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/app/*",
                      "lb;reply_timeout=5000;fail_on_status=500,-503", 0,
                      "h.conf", 3);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/app/static/*", "*",
                      AJPLB_URI_RULE_UNMOUNT, "h.conf", 4);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "-/off", "solo", 0,
                      "h.conf", 5);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_MOUNTFILE, "/a\"b<", "solo", 0,
                      "u.properties", 1);
    ck_assert_int_eq(ajplb_uri_map_build(m), APR_SUCCESS);
    vh = apr_array_push(a);
    vh->server = "h<x>";
    vh->is_virtual = 0;
    vh->address = "";
    vh->rules = ajplb_uri_map_rules(m);
    vh = apr_array_push(a);
    vh->server = "v.example";
    vh->is_virtual = 1;
    vh->address = "127.0.0.1:80";
    vh->rules = ajplb_uri_map_rules(m);
    return a;
}

static const char *ajplb__dump(ajplb__fx_t *fx, const char *query)
{
    ajplb_status_req_t r = ajplb__req(query);
    ajplb_status_view_t v;
    ajplb_sbuf_t b;

    memset(&v, 0, sizeof(v));
    v.model = fx->m;
    v.status = ajplb_model_find(fx->m, "st");
    v.req = &r;
    v.now = apr_time_now();
    v.server_name = "h";
    v.server_software = "Apache";
    v.vhosts = ajplb__vhosts();
    ajplb_sbuf_init(&b, ajplb_test_pool, 64);
    ajplb_status_render_dump(&b, &v);
    return b.s;
}

/* cmd=dump lists every server's mount rules in every format, escaped for
 * it; opt=2 (mod_jk's "no maps") leaves them out. */
START_TEST(test_dump_mounts)
{
    static const struct {
        const char *query;
        const char *want[4];
    } cases[] = {
        {"cmd=dump&mime=json", {
            "],\"mounts\":[{\"server\":\"h\\u003cx\\u003e\",\"virtual\":"
            "false,\"address\":\"\",\"pattern\":\"/app/static/*\",\"worker\":"
            "\"*\",\"type\":\"unmount\",\"match\":\"wildcard\",\"disabled\":"
            "false,\"source\":\"JkMount\",\"extensions\":\"\",\"file\":"
            "\"h.conf\",\"line\":4}",
            "\"pattern\":\"/app/*\",\"worker\":\"lb\",\"type\":\"mount\","
            "\"match\":\"wildcard\",\"disabled\":false,\"source\":\"JkMount\","
            "\"extensions\":\"reply_timeout=5000;fail_on_status=500,-503\"",
            "{\"server\":\"v.example\",\"virtual\":true,\"address\":"
            "\"127.0.0.1:80\",\"pattern\":\"/off\",\"worker\":\"solo\","
            "\"type\":\"mount\",\"match\":\"exact\",\"disabled\":true",
            "\"source\":\"JkMount\",\"extensions\":\"\",\"file\":"
            "\"h.conf\",\"line\":5}]}\n"}},
        {"cmd=dump&mime=xml", {
            "</jk:properties>\n  <jk:mounts count=\"8\">\n",
            "<jk:mount server=\"h&lt;x&gt;\" virtual=\"False\" address=\"\" "
            "pattern=\"/a&quot;b&lt;\" worker=\"solo\" type=\"mount\" "
            "match=\"exact\" disabled=\"False\" source=\"uriworkermap\" "
            "extensions=\"\" file=\"u.properties\" line=\"1\"/>",
            "server=\"v.example\" virtual=\"True\" address=\"127.0.0.1:80\"",
            "  </jk:mounts>\n</jk:status>\n"}},
        {"cmd=dump&mime=txt", {
            "# URI mounts (8): ",
            "# Mount: server=\"h<x>\" virtual=False address=\"\" "
            "pattern=\"/app/*\" worker=\"lb\" type=\"mount\" "
            "match=\"wildcard\" disabled=False source=\"JkMount\" "
            "extensions=\"reply_timeout=5000;fail_on_status=500,-503\" "
            "file=\"h.conf\" line=3\n",
            "pattern=\"/a\\\"b<\"",
            "server=\"v.example\" virtual=True address=\"127.0.0.1:80\""}},
        {"cmd=dump&mime=prop", {"# Mount: server=\"v.example\"", "", "",
                                ""}},
        {"cmd=dump&mime=prometheus", {"# Mount: server=\"v.example\"", "",
                                      "", ""}},
        {"cmd=dump", {
            "<h2>URI mounts (8)</h2>",
            "<tr><td>(main server)</td><td>/off</td><td>solo</td><td>mount"
            "</td><td>exact</td><td>yes</td><td>JkMount</td><td></td><td>"
            "h.conf:5</td></tr>",
            "<tr><td>v.example [127.0.0.1:80]</td><td>/a&quot;b&lt;</td>",
            "</table>\n</body>\n</html>\n"}},
    };
    ajplb__fx_t fx = ajplb__setup();
    const char *out;
    size_t i, j;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        out = ajplb__dump(&fx, cases[i].query);
        for (j = 0; j < 4; j++) {
            ck_assert_msg(strstr(out, cases[i].want[j]) != NULL,
                          "%s: no '%s' in:\n%s", cases[i].query,
                          cases[i].want[j], out);
        }
        ck_assert_msg(strstr(out, "worker.w1.port") != NULL,
                      "%s: the properties are still there", cases[i].query);
    }
    out = ajplb__dump(&fx, "cmd=dump&mime=json&opt=2");
    ck_assert_ptr_null(strstr(out, "mounts"));
    ck_assert_ptr_nonnull(strstr(out, "\"key\":\"worker.w1.port\""));
    ck_assert_ptr_nonnull(strstr(out, "]}\n"));
}
END_TEST

/* Which access lines limit who may come in, and which <Location>
 * arguments cover a mount's path, as httpd's location walk decides. */
static int ajplb__fake_regex(void *ctx, const char *re, const char *s)
{
    /* Enough for the table: "^" + a prefix. */
    return re[0] == '^' && strncmp(re + 1, s, strlen(re + 1)) == 0;
}

START_TEST(test_access_rules)
{
    static const struct {
        const char *name, *args;
        int limits;
    } lines[] = {
        {"Require", "ip 127.0.0.1", 1},
        {"Require", "valid-user", 1},
        {"Require", "all denied", 1},
        {"Require", "all granted", 0},
        {"require", "  ALL   Granted ", 0},
        {"Require", "not ip 10.0.0.1", 1},
        {"Deny", "from all", 1},
        {"Allow", "from all", 0},
        {"Allow", "from all  ", 0},
        {"Allow", "from 127.0.0.1", 1},
        {"Order", "deny,allow", 0},
        {"AuthType", "Basic", 0},
    };
    static const struct {
        const char *arg;
        int regex;
        const char *path;
        int covers;
    } locs[] = {
        {"/jkm", 0, "/jkm", 1},
        {"/jkm", 0, "/jkm/", 1},
        {"/jkm", 0, "/jkmanager", 0},
        {"/jk", 0, "/jkm", 0},
        {"/jkm/", 0, "/jkm/x", 1},
        {"/", 0, "/anything", 1},
        {"/jk*", 0, "/jkm", 1},
        {"/jk*", 0, "/jkm/x", 0},
        {"/a/*/c", 0, "/a/b/c", 1},
        {"^/jk", 1, "/jkm", 1},
        {"^/jk", 1, "/x/jkm", 0},
        {"", 0, "/jkm", 0},
    };
    size_t i;

    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        ck_assert_msg(ajplb_status_access_limits(lines[i].name,
                                                 lines[i].args)
                      == lines[i].limits, "%s %s: want %d", lines[i].name,
                      lines[i].args, lines[i].limits);
    }
    for (i = 0; i < sizeof(locs) / sizeof(locs[0]); i++) {
        ck_assert_msg(ajplb_status_access_covers(locs[i].arg, locs[i].regex,
                                                 locs[i].path,
                                                 ajplb__fake_regex, NULL)
                      == locs[i].covers, "<Location %s> %s: want %d",
                      locs[i].arg, locs[i].path, locs[i].covers);
    }
    ck_assert(!ajplb_status_access_covers("^/jk", 1, "/jkm", NULL, NULL));
}
END_TEST

static int ajplb__prot_jkm(void *ctx, const char *path)
{
    ++*(int *)ctx;
    return strcmp(path, "/jkm") == 0;
}

/* The configtest warning: writable status workers without a user= list
 * whose path nothing protects, once per mount line and path; read-only
 * ones, excluded and disabled rules are left alone. */
START_TEST(test_access_check)
{
    ajplb__fx_t fx = ajplb__setup_conf(
        "worker.list=w1,st,ro,users\n"
        "worker.w1.port=8001\nworker.w1.secret=s\n"
        "worker.st.type=status\nworker.st.read_only=false\n"
        "worker.ro.type=status\n"
        "worker.users.type=status\nworker.users.read_only=false\n"
        "worker.users.user=ops\n");
    ajplb_diags_t *d = ajplb_diags_make(ajplb_test_pool);
    ajplb_uri_map_t *m = ajplb_uri_map_make(ajplb_test_pool, d);
    apr_hash_t *seen = apr_hash_make(ajplb_test_pool);
    const ajplb_diag_t *w;
    int asked = 0;

    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/jkm", "st", 0, "h", 1);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/open/*", "st", 0, "h", 2);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/ro", "ro", 0, "h", 3);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/users", "users", 0, "h", 4);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "-/off", "st", 0, "h", 5);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/open/x", "st",
                      AJPLB_URI_RULE_UNMOUNT, "h", 6);
    ajplb_uri_map_add(m, AJPLB_URI_SRC_JKMOUNT, "/app", "w1", 0, "h", 7);
    ck_assert_int_eq(ajplb_uri_map_build(m), APR_SUCCESS);
    /* Twice, as for two virtual hosts sharing the rules: one warning. */
    ajplb_status_access_check(ajplb_test_pool, fx.m, ajplb_uri_map_rules(m),
                              ajplb__prot_jkm, &asked, seen, d);
    ajplb_status_access_check(ajplb_test_pool, fx.m, ajplb_uri_map_rules(m),
                              ajplb__prot_jkm, &asked, seen, d);
    ck_assert_msg(d->warnings == 1, "%s", ajplb_test_diags_text(d));
    w = &APR_ARRAY_IDX(d->items, 0, ajplb_diag_t);
    ck_assert_int_eq(w->line, 2);
    ck_assert_ptr_nonnull(strstr(w->msg, "status worker 'st' at '/open/*' "
                                 "may change the balancer"));
    ck_assert_ptr_nonnull(strstr(w->msg, "<Location \"/open/\">"));
    ck_assert_int_eq(asked, 3);     /* /jkm twice, /open/ once */
    ajplb_status_access_check(ajplb_test_pool, NULL, ajplb_uri_map_rules(m),
                              ajplb__prot_jkm, &asked, seen, d);
    ck_assert_int_eq(d->warnings, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("status");
    TCase *tc = ajplb_test_tcase("status");

    tcase_add_test(tc, test_args);
    tcase_add_test(tc, test_escaping);
    tcase_add_test(tc, test_rating);
    tcase_add_test(tc, test_nonce);
    tcase_add_test(tc, test_same_origin);
    tcase_add_test(tc, test_nonce_single_use);
    tcase_add_test(tc, test_dump_hides_secret_variables);
    tcase_add_test(tc, test_update_member);
    tcase_add_test(tc, test_update_lb_and_att);
    tcase_add_test(tc, test_reset_recover);
    tcase_add_test(tc, test_render_formats);
    tcase_add_test(tc, test_render_traffic);
    tcase_add_test(tc, test_dump_mounts);
    tcase_add_test(tc, test_access_rules);
    tcase_add_test(tc, test_access_check);
    suite_add_tcase(s, tc);
    return ajplb_test_run(s);
}
