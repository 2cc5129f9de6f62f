/*
 * ajplb_status_mounts.c -- status worker core, part 5: the URI mounts of
 * every server in the configuration dump (cmd=dump), one row per rule
 * with its virtual host, pattern, worker, kind, source and extensions,
 * in each format, so `ajplb diff` can compare the JkMount rules of
 * several fronts.  Core layer: APR only.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_status.h"

#define AJPLB__MOUNT_FIELDS 12

/* One rule as key/value pairs, the same in every format. */
typedef struct {
    const char *key[AJPLB__MOUNT_FIELDS];
    const char *val[AJPLB__MOUNT_FIELDS];
    char kind[AJPLB__MOUNT_FIELDS];     /* 's' string, 'n' number, 'b' 0/1 */
} ajplb__mount_row_t;

/* mod_jk's names for where a rule came from (its status worker's
 * "source" column), so scripts written for it read ours. */
static const char *ajplb__mount_source(ajplb_uri_source_e src)
{
    switch (src) {
    case AJPLB_URI_SRC_WORKERDEF:
        return "worker definition";
    case AJPLB_URI_SRC_MOUNTFILE:
        return "uriworkermap";
    default:
        return "JkMount";
    }
}

static void ajplb__mount_row(apr_pool_t *p, const ajplb_status_vhost_t *vh,
                             const ajplb_uri_rule_t *r,
                             ajplb__mount_row_t *row)
{
    static const char *const keys[AJPLB__MOUNT_FIELDS] = {
        "server", "virtual", "address", "pattern", "worker", "type",
        "match", "disabled", "source", "extensions", "file", "line"
    };
    static const char kinds[AJPLB__MOUNT_FIELDS] = {
        's', 'b', 's', 's', 's', 's', 's', 'b', 's', 's', 's', 'n'
    };

    memcpy(row->key, keys, sizeof(keys));
    memcpy(row->kind, kinds, sizeof(kinds));
    row->val[0] = vh->server ? vh->server : "";
    row->val[1] = vh->is_virtual ? "1" : "0";
    row->val[2] = vh->address ? vh->address : "";
    row->val[3] = r->pattern;
    row->val[4] = r->worker;
    row->val[5] = r->exclude ? "unmount" : "mount";
    row->val[6] = r->wildcard ? "wildcard" : "exact";
    row->val[7] = r->disabled ? "1" : "0";
    row->val[8] = ajplb__mount_source(r->source);
    row->val[9] = ajplb_uri_ext_text(p, &r->ext);
    row->val[10] = r->file ? r->file : "";
    row->val[11] = apr_itoa(p, r->line);
}

/* A text value in double quotes that shlex and the eye read back: '"'
 * and '\' escaped, control characters as '?'. */
static void ajplb__mount_txt(ajplb_sbuf_t *b, const char *s)
{
    ajplb_sbuf_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            ajplb_sbuf_put(b, "\\", 1);
        }
        ajplb_sbuf_put(b, (c < 0x20 || c == 0x7f) ? "?" : s, 1);
    }
    ajplb_sbuf_put(b, "\"", 1);
}

static void ajplb__mount_emit(ajplb_sbuf_t *b, ajplb_status_mime_e mime,
                              const char *ns, const ajplb__mount_row_t *row,
                              int first)
{
    int i;

    switch (mime) {
    case AJPLB_STATUS_MIME_HTML:
        ajplb_sbuf_puts(b, "<tr><td>");
        ajplb_sbuf_xml(b, row->val[1][0] == '1' ? row->val[0]
                                                 : "(main server)");
        if (row->val[1][0] == '1') {
            ajplb_sbuf_puts(b, " [");
            ajplb_sbuf_xml(b, row->val[2]);
            ajplb_sbuf_puts(b, "]");
        }
        for (i = 3; i < 10; i++) {
            ajplb_sbuf_puts(b, "</td><td>");
            ajplb_sbuf_xml(b, i == 7 ? (row->val[7][0] == '1' ? "yes" : "")
                                     : row->val[i]);
        }
        ajplb_sbuf_puts(b, "</td><td>");
        ajplb_sbuf_xml(b, row->val[10]);
        ajplb_sbuf_printf(b, ":%s</td></tr>\n", row->val[11]);
        break;
    case AJPLB_STATUS_MIME_XML:
        ajplb_sbuf_printf(b, "    <%smount", ns);
        for (i = 0; i < AJPLB__MOUNT_FIELDS; i++) {
            ajplb_sbuf_printf(b, " %s=\"", row->key[i]);
            ajplb_sbuf_xml(b, row->kind[i] != 'b' ? row->val[i]
                           : row->val[i][0] == '1' ? "True" : "False");
            ajplb_sbuf_puts(b, "\"");
        }
        ajplb_sbuf_puts(b, "/>\n");
        break;
    case AJPLB_STATUS_MIME_JSON:
        ajplb_sbuf_puts(b, first ? "{" : ",{");
        for (i = 0; i < AJPLB__MOUNT_FIELDS; i++) {
            ajplb_sbuf_printf(b, "%s\"%s\":", i ? "," : "", row->key[i]);
            if (row->kind[i] == 'n') {
                ajplb_sbuf_puts(b, row->val[i]);
            }
            else if (row->kind[i] == 'b') {
                ajplb_sbuf_puts(b, row->val[i][0] == '1' ? "true" : "false");
            }
            else {
                ajplb_sbuf_json(b, row->val[i]);
            }
        }
        ajplb_sbuf_puts(b, "}");
        break;
    default:
        /* A comment line, so the dump still reads back as properties. */
        ajplb_sbuf_puts(b, "# Mount:");
        for (i = 0; i < AJPLB__MOUNT_FIELDS; i++) {
            ajplb_sbuf_printf(b, " %s=", row->key[i]);
            if (row->kind[i] == 's') {
                ajplb__mount_txt(b, row->val[i]);
            }
            else {
                ajplb_sbuf_puts(b, row->kind[i] == 'n' ? row->val[i]
                                : row->val[i][0] == '1' ? "True" : "False");
            }
        }
        ajplb_sbuf_puts(b, "\n");
    }
}

void ajplb_status_render_mounts(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                                const char *ns)
{
    ajplb_status_mime_e mime = v->req->mime;
    int i, j, n = 0;

    for (i = 0; v->vhosts != NULL && i < v->vhosts->nelts; i++) {
        n += APR_ARRAY_IDX(v->vhosts, i, ajplb_status_vhost_t).rules->nelts;
    }
    switch (mime) {
    case AJPLB_STATUS_MIME_HTML:
        ajplb_sbuf_printf(b, "<h2>URI mounts (%d)</h2>\n<table class=\"dump\">"
                          "<tr><th>Virtual host</th><th>Pattern</th>"
                          "<th>Worker</th><th>Type</th><th>Match</th>"
                          "<th>Disabled</th><th>Source</th>"
                          "<th>Extensions</th><th>Where</th></tr>\n", n);
        break;
    case AJPLB_STATUS_MIME_XML:
        ajplb_sbuf_printf(b, "  <%smounts count=\"%d\">\n", ns, n);
        break;
    case AJPLB_STATUS_MIME_JSON:
        ajplb_sbuf_puts(b, ",\"mounts\":[");
        break;
    default:
        ajplb_sbuf_printf(b, "# URI mounts (%d): JkMount, JkMountFile and "
                          "workers.properties mount rules of each server, "
                          "in priority order\n", n);
    }
    n = 0;
    for (i = 0; v->vhosts != NULL && i < v->vhosts->nelts; i++) {
        const ajplb_status_vhost_t *vh =
            &APR_ARRAY_IDX(v->vhosts, i, ajplb_status_vhost_t);
        for (j = 0; j < vh->rules->nelts; j++) {
            ajplb__mount_row_t row;
            ajplb__mount_row(b->p, vh, APR_ARRAY_IDX(vh->rules, j,
                             const ajplb_uri_rule_t *), &row);
            ajplb__mount_emit(b, mime, ns, &row, n++ == 0);
        }
    }
    switch (mime) {
    case AJPLB_STATUS_MIME_HTML:
        ajplb_sbuf_puts(b, "</table>\n");
        break;
    case AJPLB_STATUS_MIME_XML:
        ajplb_sbuf_printf(b, "  </%smounts>\n", ns);
        break;
    case AJPLB_STATUS_MIME_JSON:
        ajplb_sbuf_puts(b, "]");
        break;
    default:
        break;
    }
}
