/*
 * fuzz_status_args.c -- libFuzzer target for the status worker's request
 * parsing: the query-string / form decoder (ajplb_status_parse_args), the
 * command reader (ajplb_status_req_make) and the escapers that put the
 * decoded values back into pages.  The decoder is compared with a plain
 * reference decoder written here; every value must round-trip through
 * ajplb_sbuf_url, and escaped output must hold no byte its format forbids.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "ajplb_config.h"
#include "ajplb_status.h"

#define AJPLB__FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static int ajplb__fuzz_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Reference decoding of s[0..n): NULL on a bad escape or a NUL. */
static char *ajplb__fuzz_dec(apr_pool_t *p, const char *s, size_t n)
{
    char *o = apr_palloc(p, n + 1);
    size_t i, j = 0;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];

        if (c == '%') {
            int h, l;

            if (n - i < 3) {
                return NULL;
            }
            h = ajplb__fuzz_hex((unsigned char)s[i + 1]);
            l = ajplb__fuzz_hex((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) {
                return NULL;
            }
            c = h * 16 + l;
            i += 2;
        }
        else if (c == '+') {
            c = ' ';
        }
        if (c == 0) {
            return NULL;
        }
        o[j++] = (char)c;
    }
    o[j] = '\0';
    return o;
}

/* The reference parser: NULL for input the real one must refuse. */
static apr_table_t *ajplb__fuzz_ref(apr_pool_t *p, const char *s)
{
    apr_table_t *t = apr_table_make(p, 8);
    int pairs = 0;

    while (*s) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);

        if (len > 0) {
            const char *eq = memchr(s, '=', len);
            char *n, *v;

            if (++pairs > 200) {
                return NULL;
            }
            n = ajplb__fuzz_dec(p, s, eq ? (size_t)(eq - s) : len);
            v = eq ? ajplb__fuzz_dec(p, eq + 1, len - (size_t)(eq - s) - 1)
                   : "";
            if (n == NULL || v == NULL) {
                return NULL;
            }
            apr_table_set(t, n, v);
        }
        if (amp == NULL) {
            break;
        }
        s = amp + 1;
    }
    return t;
}

static void ajplb__fuzz_same(const apr_table_t *a, const apr_table_t *b)
{
    const apr_array_header_t *ea = apr_table_elts(a);
    const apr_array_header_t *eb = apr_table_elts(b);
    const apr_table_entry_t *x = (const apr_table_entry_t *)ea->elts;
    const apr_table_entry_t *y = (const apr_table_entry_t *)eb->elts;
    int i;

    AJPLB__FUZZ_CHECK(ea->nelts == eb->nelts);
    for (i = 0; i < ea->nelts; i++) {
        AJPLB__FUZZ_CHECK(strcmp(x[i].key, y[i].key) == 0);
        AJPLB__FUZZ_CHECK(strcmp(x[i].val, y[i].val) == 0);
    }
}

/* Escape @a v every way a page does and check each output. */
static void ajplb__fuzz_escapes(apr_pool_t *p, const char *v)
{
    ajplb_sbuf_t b;
    apr_table_t *t;
    const char *s;
    apr_size_t i;

    ajplb_sbuf_init(&b, p, 16);
    ajplb_sbuf_xml(&b, v);
    AJPLB__FUZZ_CHECK(strlen(b.s) == b.len);
    for (i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.s[i];
        AJPLB__FUZZ_CHECK(c >= 0x20 && c < 0x7f && c != '<' && c != '>'
                          && c != '"' && c != '\'');
    }
    ajplb_sbuf_init(&b, p, 16);
    ajplb_sbuf_json(&b, v);
    AJPLB__FUZZ_CHECK(strlen(b.s) == b.len && b.len >= 2);
    AJPLB__FUZZ_CHECK(b.s[0] == '"' && b.s[b.len - 1] == '"');
    for (i = 1; i + 1 < b.len; i++) {
        unsigned char c = (unsigned char)b.s[i];
        AJPLB__FUZZ_CHECK(c >= 0x20 && c < 0x7f && c != '<');
        if (c == '\\') {
            i++;    /* the escaped byte */
            AJPLB__FUZZ_CHECK(i + 1 < b.len);
        }
        else {
            AJPLB__FUZZ_CHECK(c != '"');
        }
    }
    ajplb_sbuf_init(&b, p, 16);
    ajplb_sbuf_prop(&b, v);
    for (i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.s[i];
        AJPLB__FUZZ_CHECK(c >= 0x20 && c < 0x7f);
    }
    ajplb_sbuf_init(&b, p, 16);
    ajplb_sbuf_prom(&b, v);
    AJPLB__FUZZ_CHECK(strchr(b.s, '\n') == NULL && strlen(b.s) == b.len);
    /* A link built with the URL escaper must give the value back. */
    ajplb_sbuf_init(&b, p, 16);
    ajplb_sbuf_puts(&b, "x=");
    ajplb_sbuf_url(&b, v);
    AJPLB__FUZZ_CHECK(strpbrk(b.s + 2, "&=+#? ") == NULL);
    t = apr_table_make(p, 1);
    AJPLB__FUZZ_CHECK(ajplb_status_parse_args(p, b.s, t) == APR_SUCCESS);
    s = apr_table_get(t, "x");
    AJPLB__FUZZ_CHECK(s != NULL && strcmp(s, v) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;
    apr_table_t *args, *ref;
    ajplb_status_req_t req;
    const char *err;
    char *s;
    apr_status_t rv;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }
    /* Exactly the input: a heap copy of its size + NUL, so a read past
     * the end of the string is seen by ASan. */
    s = malloc(size + 1);
    if (s == NULL) {
        abort();
    }
    memcpy(s, data, size);
    s[size] = '\0';
    args = apr_table_make(p, 8);
    rv = ajplb_status_parse_args(p, s, args);
    ref = ajplb__fuzz_ref(p, s);
    if (ref == NULL) {
        AJPLB__FUZZ_CHECK(rv == APR_EINVAL);
    }
    else {
        const apr_array_header_t *e = apr_table_elts(args);
        const apr_table_entry_t *te = (const apr_table_entry_t *)e->elts;
        int i;

        AJPLB__FUZZ_CHECK(rv == APR_SUCCESS);
        ajplb__fuzz_same(args, ref);
        for (i = 0; i < e->nelts; i++) {
            ajplb__fuzz_escapes(p, te[i].key);
            ajplb__fuzz_escapes(p, te[i].val);
        }
        rv = ajplb_status_req_make(p, args, &req, &err);
        if (rv != APR_SUCCESS) {
            AJPLB__FUZZ_CHECK(err != NULL && *err != '\0');
        }
        else {
            int x;

            AJPLB__FUZZ_CHECK(err == NULL);
            AJPLB__FUZZ_CHECK((unsigned)req.cmd <= AJPLB_STATUS_CMD_DUMP);
            AJPLB__FUZZ_CHECK((unsigned)req.mime <= AJPLB_STATUS_MIME_PROM);
            AJPLB__FUZZ_CHECK(req.w == NULL || ajplb_name_is_valid(req.w));
            AJPLB__FUZZ_CHECK(req.sw == NULL
                              || ajplb_name_is_valid(req.sw));
            AJPLB__FUZZ_CHECK(req.re >= 0 && req.re <= 86400);
            AJPLB__FUZZ_CHECK(req.opt <= 0xFFFF);
            AJPLB__FUZZ_CHECK(req.att == NULL
                              || (req.att[0] == 'v' && strlen(req.att) <= 8));
            AJPLB__FUZZ_CHECK(req.from == NULL
                              || strcmp(req.from, "show") == 0
                              || strcmp(req.from, "list") == 0);
            AJPLB__FUZZ_CHECK(strlen(ajplb_status_cmd_name(req.cmd)) > 0);
            AJPLB__FUZZ_CHECK(
                strlen(ajplb_status_content_type(req.mime)) > 0);
            /* The numbers read are the ones given. */
            if (apr_table_get(args, "re") && *apr_table_get(args, "re")) {
                AJPLB__FUZZ_CHECK(ajplb_parse_int(apr_table_get(args, "re"),
                                                  0, 86400, &x)
                                  == APR_SUCCESS && x == req.re);
            }
        }
    }
    free(s);
    apr_pool_destroy(p);
    return 0;
}
