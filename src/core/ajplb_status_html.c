/*
 * ajplb_status_html.c -- status worker core, part 4: the HTML pages (list,
 * show, version, edit forms).  Links only read; every change is a POST
 * form carrying the page's nonce.  Every value is HTML-escaped.
 * Core layer: APR only.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_lb.h"
#include "ajplb_status.h"

/* Colours carry the state; the words stay so the page reads without. */
static const char ajplb__css[] =
    "body{font-family:sans-serif;font-size:14px;margin:1em 2em;"
    "color:#222}\n"
    "h1{font-size:20px}h2{font-size:17px;margin-top:1.5em}\n"
    "table{border-collapse:collapse;margin:.4em 0}\n"
    "th,td{border:1px solid #bbb;padding:3px 7px;text-align:right}\n"
    "th{background:#e4e8ee}td.l,th.l{text-align:left}\n"
    "tr.bad td{background:#fde2e2}tr.degraded td{background:#fff6d6}\n"
    ".st{font-weight:bold;border-radius:3px;padding:1px 6px}\n"
    ".st-OK{background:#2e9d3e;color:#fff}"
    ".st-OK-IDLE{background:#8fd19e;color:#000}\n"
    ".st-OK-BUSY{background:#f2c744;color:#000}"
    ".st-ERR{background:#d9342b;color:#fff}\n"
    ".st-ERR-REC,.st-ERR-PRB,.st-ERR-FRC{background:#f08a24;color:#fff}\n"
    ".act-ACT{color:#2e7d32}.act-DIS{background:#c9d6e8;color:#123}\n"
    ".act-STP{background:#555;color:#fff}\n"
    "form.in{display:inline;margin:0}form.in button{font-size:11px;"
    "padding:0 4px}\n"
    ".ro{background:#eee;border:1px solid #999;padding:2px 6px}"
    ".res{padding:4px 8px;background:#e6f4ea;border:1px solid #8c8}\n"
    ".nav a{margin-right:.8em}dl.legend dt{font-weight:bold;float:left;"
    "width:4em}dl.legend dd{margin-left:4.5em}\n";

static const char *ajplb__state_class(int state)
{
    switch (state) {
    case AJPLB_STATE_IDLE: return "st-OK-IDLE";
    case AJPLB_STATE_OK: return "st-OK";
    case AJPLB_STATE_RECOVER: return "st-ERR-REC";
    case AJPLB_STATE_FORCE: return "st-ERR-FRC";
    case AJPLB_STATE_BUSY: return "st-OK-BUSY";
    case AJPLB_STATE_PROBE: return "st-ERR-PRB";
    default: return "st-ERR";
    }
}

static const char *ajplb__act(apr_uint32_t a)
{
    return a == AJPLB_ACTIVATION_DISABLED ? "DIS"
           : a == AJPLB_ACTIVATION_STOPPED ? "STP" : "ACT";
}

static void ajplb__td(ajplb_sbuf_t *b, const char *cls, const char *s)
{
    ajplb_sbuf_printf(b, "<td%s%s%s>", cls ? " class=\"" : "",
                      cls ? cls : "", cls ? "\"" : "");
    ajplb_sbuf_xml(b, s);
    ajplb_sbuf_puts(b, "</td>");
}

static void ajplb__tdn(ajplb_sbuf_t *b, apr_uint64_t n)
{
    ajplb_sbuf_printf(b, "<td>%" APR_UINT64_T_FMT "</td>", n);
}

/* A human size: 12345678 -> "11.8M". */
static void ajplb__tdsize(ajplb_sbuf_t *b, apr_uint64_t n)
{
    static const char units[] = " KMGTP";
    double d = (double)n;
    int u = 0;

    while (d >= 1024 && u < 5) {
        d /= 1024;
        u++;
    }
    if (u == 0) {
        ajplb__tdn(b, n);
    }
    else {
        ajplb_sbuf_printf(b, "<td>%.1f%c</td>", d, units[u]);
    }
}

void ajplb_status_html_link(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                            const char *text, ajplb_status_cmd_e cmd,
                            const char *w, const char *sw, const char *mime)
{
    ajplb_sbuf_puts(b, "<a href=\"");
    ajplb_sbuf_xml(b, v->uri);
    ajplb_sbuf_printf(b, "?cmd=%s", ajplb_status_cmd_name(cmd));
    if (w != NULL) {
        ajplb_sbuf_puts(b, "&amp;w=");
        ajplb_sbuf_url(b, w);
    }
    if (sw != NULL) {
        ajplb_sbuf_puts(b, "&amp;sw=");
        ajplb_sbuf_url(b, sw);
    }
    if (mime != NULL) {
        ajplb_sbuf_printf(b, "&amp;mime=%s", mime);
    }
    else if (v->req->re > 0) {
        ajplb_sbuf_printf(b, "&amp;re=%d", v->req->re);
    }
    if (v->req->opt != 0 && mime == NULL) {
        ajplb_sbuf_printf(b, "&amp;opt=%u", v->req->opt);
    }
    ajplb_sbuf_puts(b, "\">");
    ajplb_sbuf_xml(b, text);
    ajplb_sbuf_puts(b, "</a>");
}

static void ajplb__hidden(ajplb_sbuf_t *b, const char *name, const char *val)
{
    if (val != NULL) {
        ajplb_sbuf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"",
                          name);
        ajplb_sbuf_xml(b, val);
        ajplb_sbuf_puts(b, "\">");
    }
}

static void ajplb__form_open(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                             const char *cls, const char *cmd,
                             const char *w, const char *sw)
{
    ajplb_sbuf_printf(b, "<form method=\"post\" class=\"%s\" action=\"", cls);
    ajplb_sbuf_xml(b, v->uri);
    ajplb_sbuf_puts(b, "\">");
    ajplb__hidden(b, "cmd", cmd);
    ajplb__hidden(b, "w", w);
    ajplb__hidden(b, "sw", sw);
    ajplb__hidden(b, "nonce", v->nonce);
    ajplb__hidden(b, "from", ajplb_status_cmd_name(v->req->cmd));
    if (v->req->re > 0) {
        ajplb_sbuf_printf(b, "<input type=\"hidden\" name=\"re\" "
                          "value=\"%d\">", v->req->re);
    }
}

/* A one-button POST form (reset, recover). */
static void ajplb__button(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                          const char *label, const char *title,
                          const char *cmd, const char *w, const char *sw)
{
    ajplb__form_open(b, v, "in", cmd, w, sw);
    ajplb_sbuf_printf(b, "<button type=\"submit\" title=\"%s\">%s</button>"
                      "</form>", title, label);
}

void ajplb_status_html_head(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                            const char *title)
{
    const char *css = v->status ? v->status->css : NULL;
    char date[APR_RFC822_DATE_LEN];

    ajplb_sbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                    "<meta charset=\"utf-8\">\n");
    if (v->req->re > 0 && v->req->cmd != AJPLB_STATUS_CMD_EDIT) {
        ajplb_sbuf_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">\n",
                          v->req->re);
    }
    ajplb_sbuf_puts(b, "<title>mod_ajplb status: ");
    ajplb_sbuf_xml(b, title);
    ajplb_sbuf_puts(b, "</title>\n");
    if (css != NULL && *css) {
        ajplb_sbuf_puts(b, "<link rel=\"stylesheet\" href=\"");
        ajplb_sbuf_xml(b, css);
        ajplb_sbuf_puts(b, "\">\n");
    }
    else {
        ajplb_sbuf_printf(b, "<style>\n%s</style>\n", ajplb__css);
    }
    ajplb_sbuf_puts(b, "</head>\n<body>\n<h1>JK Status Manager for ");
    ajplb_sbuf_xml(b, v->server_name);
    ajplb_sbuf_printf(b, ":%d</h1>\n<table><tr><th class=\"l\">Server "
                      "Version</th>", v->server_port);
    ajplb__td(b, "l", v->server_software);
    ajplb_sbuf_printf(b, "<th class=\"l\">Server Time</th>");
    apr_rfc822_date(date, v->now);
    ajplb__td(b, "l", date);
    ajplb_sbuf_printf(b, "</tr>\n<tr><th class=\"l\">JK Version</th>"
                      "<td class=\"l\">%s</td><th class=\"l\">Unix Seconds"
                      "</th><td class=\"l\">%ld</td></tr></table>\n",
                      AJPLB_STATUS_VERSION, (long)apr_time_sec(v->now));
    ajplb_sbuf_puts(b, "<p class=\"nav\">");
    ajplb_status_html_link(b, v, "List", AJPLB_STATUS_CMD_LIST, NULL, NULL,
                           NULL);
    ajplb_status_html_link(b, v, "Configuration", AJPLB_STATUS_CMD_DUMP,
                           NULL, NULL, NULL);
    ajplb_status_html_link(b, v, "Version", AJPLB_STATUS_CMD_VERSION, NULL,
                           NULL, NULL);
    ajplb_sbuf_puts(b, " Formats: ");
    ajplb_status_html_link(b, v, "XML", v->req->cmd, v->req->w, v->req->sw,
                           "xml");
    ajplb_status_html_link(b, v, "Text", v->req->cmd, v->req->w, v->req->sw,
                           "txt");
    ajplb_status_html_link(b, v, "Properties", v->req->cmd, v->req->w,
                           v->req->sw, "prop");
    ajplb_status_html_link(b, v, "JSON", v->req->cmd, v->req->w, v->req->sw,
                           "json");
    ajplb_status_html_link(b, v, "Prometheus", v->req->cmd, v->req->w,
                           v->req->sw, "prometheus");
    if (v->read_only) {
        ajplb_sbuf_puts(b, " <span class=\"ro\">read-only</span>");
    }
    ajplb_sbuf_puts(b, "</p>\n<form method=\"get\" action=\"");
    ajplb_sbuf_xml(b, v->uri);
    ajplb_sbuf_puts(b, "\">");
    ajplb__hidden(b, "cmd", ajplb_status_cmd_name(v->req->cmd));
    ajplb__hidden(b, "w", v->req->w);
    ajplb__hidden(b, "sw", v->req->sw);
    ajplb_sbuf_printf(b, "Auto refresh every <input name=\"re\" size=\"3\" "
                      "value=\"%d\"> seconds (0 = off) <button type=\"submit"
                      "\">Set</button></form>\n", v->req->re > 0
                      ? v->req->re : 10);
    if (v->result_msg != NULL) {
        ajplb_sbuf_puts(b, "<p class=\"res\">");
        ajplb_sbuf_xml(b, v->result_msg);
        ajplb_sbuf_puts(b, "</p>\n");
    }
}

/* Traffic management columns: in rotation or why not (and for how
 * long), the effective load factor while slow start ramps, the health
 * check's verdict and its last status. */
static void ajplb__traffic_tds(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                               const ajplb_status_lb_t *l,
                               const ajplb_status_member_t *m)
{
    ajplb_traffic_t t;
    apr_uint32_t hold = m->s.hold;
    int w;

    ajplb_traffic_resolve(m->w, l->w, &t);
    w = ajplb_traffic_weight(t.slow_start, m->s.slow_start_since, v->now);
    if (hold == 0) {
        ajplb_sbuf_puts(b, "<td class=\"l\"><span class=\"st st-OK\">IN"
                        "</span></td>");
    }
    else if (hold & AJPLB_HOLD_OUTLIER) {
        long back = (long)apr_time_sec((apr_time_t)m->s.eject_until
                                       - v->now);
        ajplb_sbuf_printf(b, "<td class=\"l\"><span class=\"st st-ERR\">"
                          "OUT</span> outlier #%u, back in %lds%s</td>",
                          m->s.ejections, back < 0 ? 0 : back,
                          (hold & AJPLB_HOLD_HEALTH) ? ", health" : "");
    }
    else {
        ajplb_sbuf_printf(b, "<td class=\"l\"><span class=\"st st-ERR\">"
                          "OUT</span> health, back after %d passes</td>",
                          t.health_check_rise);
    }
    ajplb_sbuf_printf(b, "<td>%u.%03u</td>",
                      (unsigned)(m->cfg.lbfactor * (apr_uint32_t)w / 1000),
                      (unsigned)(m->cfg.lbfactor * (apr_uint32_t)w % 1000));
    if (t.health_check == NULL) {
        ajplb_sbuf_puts(b, "<td class=\"l\">-</td>");
    }
    else {
        ajplb_sbuf_printf(b, "<td class=\"l\">%s %u</td>",
                          (hold & AJPLB_HOLD_HEALTH) ? "down" : "up",
                          m->s.hc_status);
    }
}

static void ajplb__member_row(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                              const ajplb_status_lb_t *l,
                              const ajplb_status_member_t *m)
{
    const char *name = m->w->name;
    const char *st = ajplb_state_name((int)m->s.state);
    const char *act = ajplb__act(m->cfg.activation);
    long lr = m->s.last_reset
              ? (long)apr_time_sec(v->now - (apr_time_t)m->s.last_reset) : 0;

    ajplb_sbuf_printf(b, "<tr class=\"%s\"><td class=\"l\">[",
                      m->rating > 0 ? "good" : m->rating < 0 ? "bad"
                                                             : "degraded");
    ajplb_status_html_link(b, v, "S", AJPLB_STATUS_CMD_SHOW, l->w->name,
                           name, NULL);
    if (!v->read_only) {
        ajplb_sbuf_puts(b, "|");
        ajplb_status_html_link(b, v, "E", AJPLB_STATUS_CMD_EDIT, l->w->name,
                               name, NULL);
        ajplb_sbuf_puts(b, "|");
        ajplb__button(b, v, "R", "reset statistics", "reset", l->w->name,
                      name);
        if (m->s.state == AJPLB_STATE_ERROR) {
            ajplb_sbuf_puts(b, "|");
            ajplb__button(b, v, "T", "try recovery now", "recover",
                          l->w->name, name);
        }
    }
    ajplb_sbuf_puts(b, "]</td>");
    ajplb__td(b, "l", name);
    ajplb__td(b, "l", m->cfg.route);
    ajplb_sbuf_printf(b, "<td><span class=\"st act-%s\">%s</span></td>",
                      act, act);
    ajplb_sbuf_printf(b, "<td><span class=\"st %s\">%s</span></td>",
                      ajplb__state_class((int)m->s.state), st);
    ajplb__tdn(b, m->cfg.distance);
    ajplb__tdn(b, m->cfg.lbfactor);
    ajplb__tdn(b, m->s.lb_mult);
    ajplb__tdn(b, m->s.lb_value);
    ajplb__tdn(b, m->s.elected);
    ajplb__tdn(b, m->s.sessions);
    ajplb__tdn(b, m->s.errors);
    ajplb__tdn(b, m->s.client_errors);
    ajplb__tdn(b, m->s.reply_timeouts);
    ajplb__tdsize(b, m->s.bytes_read);
    ajplb__tdsize(b, m->s.bytes_written);
    ajplb__tdn(b, m->s.busy);
    ajplb__tdn(b, m->s.max_busy);
    ajplb_sbuf_printf(b, "<td>%d</td>", m->ajp.conns);
    ajplb__td(b, "l", m->cfg.redirect);
    ajplb__td(b, "l", m->cfg.domain);
    ajplb_sbuf_printf(b, "<td>%ld</td>", lr);
    ajplb__traffic_tds(b, v, l, m);
    ajplb_sbuf_puts(b, "</tr>\n");
}

static void ajplb__lb(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                      const ajplb_status_lb_t *l)
{
    unsigned int opt = v->req->opt;
    int j;

    ajplb_sbuf_puts(b, "<h2>[");
    ajplb_status_html_link(b, v, "S", AJPLB_STATUS_CMD_SHOW, l->w->name,
                           NULL, NULL);
    if (!v->read_only) {
        ajplb_sbuf_puts(b, "|");
        ajplb_status_html_link(b, v, "E", AJPLB_STATUS_CMD_EDIT, l->w->name,
                               NULL, NULL);
        ajplb_sbuf_puts(b, "|");
        ajplb__button(b, v, "R", "reset statistics of every member", "reset",
                      l->w->name, NULL);
    }
    ajplb_sbuf_puts(b, "] Worker Status for ");
    ajplb_sbuf_xml(b, l->w->name);
    ajplb_sbuf_puts(b, "</h2>\n");
    if (!(opt & AJPLB_STATUS_OPT_NO_LB_CONF)) {
        ajplb_sbuf_printf(b, "<table><tr><th>Type</th><th>Sticky Sessions"
                          "</th><th>Force Sticky Sessions</th><th>Retries"
                          "</th><th>LB Method</th><th>Locking</th><th>"
                          "Recover Wait Time</th><th>Error Escalation Time"
                          "</th><th>Max Reply Timeouts</th></tr>\n<tr><td>lb"
                          "</td><td>%s</td><td>%s</td><td>%u</td><td>%s</td>"
                          "<td>%s</td><td>%u</td><td>%u</td><td>%u</td></tr>"
                          "</table>\n",
                          l->cfg.sticky_session ? "True" : "False",
                          l->cfg.sticky_session_force ? "True" : "False",
                          l->cfg.retries,
                          ajplb_lb_method_get(l->cfg.method)->name,
                          l->cfg.lock ? "Pessimistic" : "Optimistic",
                          l->cfg.recover_time, l->cfg.error_escalation_time,
                          l->cfg.max_reply_timeouts);
    }
    if (!(opt & AJPLB_STATUS_OPT_NO_LB_SUMMARY)) {
        ajplb_sbuf_printf(b, "<table><tr><th>Good</th><th>Degraded</th><th>"
                          "Bad/Stopped</th><th>Busy</th><th>Max Busy</th><th>"
                          "Next Maintenance</th></tr>\n<tr><td>%d</td><td>%d"
                          "</td><td>%d</td><td>%u</td><td>%u</td><td>%d/%d"
                          "</td></tr></table>\n", l->good, l->degraded, l->bad,
                          l->busy, l->max_busy, l->maintain_in,
                          l->maintain_in + v->model->maintain);
    }
    if (opt & AJPLB_STATUS_OPT_NO_MEMBERS) {
        return;
    }
    ajplb_sbuf_puts(b, "<table class=\"members\"><tr><th class=\"l\"></th>"
                    "<th class=\"l\">Name</th><th class=\"l\">Route</th>"
                    "<th>Act</th><th>State</th><th>D</th><th>F</th><th>M</th>"
                    "<th>V</th><th>Acc</th><th>Sess</th><th>Err</th>"
                    "<th>CE</th><th>RE</th><th>Wr</th><th>Rd</th><th>Busy"
                    "</th><th>Max</th><th>Con</th><th class=\"l\">RR</th>"
                    "<th class=\"l\">Cd</th><th>LR</th>"
                    "<th class=\"l\">Traffic</th><th>EF</th>"
                    "<th class=\"l\">HC</th></tr>\n");
    for (j = 0; j < l->n; j++) {
        ajplb__member_row(b, v, l, &l->members[j]);
    }
    ajplb_sbuf_puts(b, "</table>\n");
}

static void ajplb__ajp(ajplb_sbuf_t *b, const ajplb_status_view_t *v,
                       const ajplb_status_ajp_t *a)
{
    ajplb_sbuf_puts(b, "<h2>[");
    ajplb_status_html_link(b, v, "S", AJPLB_STATUS_CMD_SHOW, a->w->name,
                           NULL, NULL);
    if (!v->read_only) {
        ajplb_sbuf_puts(b, "|");
        ajplb__button(b, v, "R", "reset statistics", "reset", a->w->name,
                      NULL);
    }
    ajplb_sbuf_puts(b, "] Worker Status for ");
    ajplb_sbuf_xml(b, a->w->name);
    ajplb_sbuf_puts(b, "</h2>\n<table><tr><th class=\"l\">Host</th><th>Port"
                    "</th><th>Acc</th><th>Err</th><th>CE</th><th>Wr</th>"
                    "<th>Rd</th><th>Busy</th><th>Max</th><th>Con</th></tr>\n"
                    "<tr>");
    ajplb__td(b, "l", a->s.host);
    ajplb__tdn(b, a->s.port);
    ajplb__tdn(b, a->s.requests);
    ajplb__tdn(b, a->s.errors);
    ajplb__tdn(b, a->s.client_errors);
    ajplb__tdsize(b, a->s.bytes_read);
    ajplb__tdsize(b, a->s.bytes_written);
    ajplb__tdn(b, a->s.busy);
    ajplb__tdn(b, a->s.max_busy);
    ajplb_sbuf_printf(b, "<td>%d</td></tr></table>\n", a->conns);
}

static const char ajplb__legend[] =
    "<h2>Legend</h2>\n<dl class=\"legend\">"
    "<dt>Act</dt><dd>Activation: ACT active, DIS disabled (only its own "
    "sessions), STP stopped</dd>"
    "<dt>State</dt><dd>OK, OK/IDLE (unused since the last maintenance), "
    "OK/BUSY, ERR, ERR/REC (recovering), ERR/PRB (being probed), ERR/FRC "
    "(forced recovery)</dd>"
    "<dt>D</dt><dd>Distance</dd><dt>F</dt><dd>Load factor</dd>"
    "<dt>M</dt><dd>Multiplicity</dd><dt>V</dt><dd>Balancer value</dd>"
    "<dt>Acc</dt><dd>Requests (elected)</dd><dt>Sess</dt><dd>Requests "
    "without a session</dd><dt>Err</dt><dd>Errors</dd><dt>CE</dt><dd>"
    "Client errors</dd><dt>RE</dt><dd>Reply timeouts (decayed)</dd>"
    "<dt>Wr</dt><dd>Bytes from clients</dd><dt>Rd</dt><dd>Bytes to "
    "clients</dd><dt>Busy</dt><dd>Requests in flight</dd><dt>Max</dt><dd>"
    "Most requests in flight</dd><dt>Con</dt><dd>Open backend connections "
    "of the httpd child that drew this page</dd><dt>RR</dt><dd>Redirect "
    "route</dd><dt>Cd</dt><dd>Domain</dd><dt>LR</dt><dd>Seconds since the "
    "last reset</dd><dt>Traffic</dt><dd>IN: in rotation; OUT: ejected as "
    "an outlier (until the time shown) or failing its health check (until "
    "it passes health_check_rise checks)</dd><dt>EF</dt><dd>Effective load "
    "factor: below F while slow start ramps the member up</dd><dt>HC</dt>"
    "<dd>Health check: up or down, and the status of the last check</dd>"
    "</dl>\n";

void ajplb_status_render_html(ajplb_sbuf_t *b, const ajplb_status_view_t *v)
{
    unsigned int opt = v->req->opt;
    int i;

    ajplb_status_html_head(b, v, v->req->w ? v->req->w : "all workers");
    if (v->req->cmd != AJPLB_STATUS_CMD_VERSION) {
        for (i = 0; i < v->lbs->nelts && !(opt & AJPLB_STATUS_OPT_NO_LB);
             i++) {
            ajplb__lb(b, v, APR_ARRAY_IDX(v->lbs, i, ajplb_status_lb_t *));
        }
        for (i = 0; i < v->ajps->nelts && !(opt & AJPLB_STATUS_OPT_NO_AJP);
             i++) {
            ajplb__ajp(b, v, APR_ARRAY_IDX(v->ajps, i, ajplb_status_ajp_t *));
        }
        if (!(opt & AJPLB_STATUS_OPT_NO_LEGEND)) {
            ajplb_sbuf_puts(b, ajplb__legend);
        }
    }
    ajplb_sbuf_puts(b, "</body>\n</html>\n");
}

/* ---------------------------------------------------------------- edit */

static void ajplb__input(ajplb_sbuf_t *b, const char *label,
                         const char *name, const char *val)
{
    ajplb_sbuf_printf(b, "<tr><th class=\"l\">%s</th><td class=\"l\">"
                      "<input name=\"%s\" value=\"", label, name);
    ajplb_sbuf_xml(b, val);
    ajplb_sbuf_puts(b, "\"></td></tr>\n");
}

static void ajplb__select(ajplb_sbuf_t *b, const char *label,
                          const char *name, const char *const *opts,
                          int n, int cur)
{
    int i;

    ajplb_sbuf_printf(b, "<tr><th class=\"l\">%s</th><td class=\"l\">"
                      "<select name=\"%s\">", label, name);
    for (i = 0; i < n; i++) {
        ajplb_sbuf_printf(b, "<option value=\"%c\"%s>%s</option>",
                          opts[i][0], i == cur ? " selected" : "", opts[i]);
    }
    ajplb_sbuf_puts(b, "</select></td></tr>\n");
}

#define AJPLB__NUM(x) apr_psprintf(b->p, "%u", (unsigned int)(x))

apr_status_t ajplb_status_render_edit(ajplb_sbuf_t *b,
                                      const ajplb_status_view_t *v)
{
    static const char *const acts[] = {"Active", "Disabled", "Stopped"};
    static const char *const bools[] = {"False", "True"};
    static const char *const methods[] = {
        "Requests", "Traffic", "Busyness", "Sessions", "Next"
    };
    static const char *const locks[] = {"Optimistic", "Pessimistic"};
    const ajplb_status_lb_t *l;
    int i;

    if (v->nonce == NULL || v->lbs->nelts != 1) {
        return APR_EACCES;
    }
    l = APR_ARRAY_IDX(v->lbs, 0, ajplb_status_lb_t *);
    ajplb_status_html_head(b, v, "edit");
    ajplb_sbuf_puts(b, "<h2>Edit ");
    ajplb_sbuf_xml(b, v->req->sw ? "member " : "load balancer ");
    ajplb_sbuf_xml(b, v->req->sw ? v->req->sw : l->w->name);
    ajplb_sbuf_puts(b, v->req->sw ? " of " : "");
    ajplb_sbuf_xml(b, v->req->sw ? l->w->name : "");
    ajplb_sbuf_puts(b, "</h2>\n");
    ajplb__form_open(b, v, "edit", "update", l->w->name, v->req->sw);
    ajplb__hidden(b, "att", v->req->att);
    ajplb_sbuf_puts(b, "<table>\n");
    if (v->req->att != NULL) {
        for (i = 0; i < l->n; i++) {
            const ajplb_status_member_t *m = &l->members[i];
            const char *cur = !strcmp(v->req->att, "vwa")
                ? ajplb__act(m->cfg.activation)
                : !strcmp(v->req->att, "vwf") ? AJPLB__NUM(m->cfg.lbfactor)
                : !strcmp(v->req->att, "vwn") ? m->cfg.route
                : !strcmp(v->req->att, "vwr") ? m->cfg.redirect
                : !strcmp(v->req->att, "vwc") ? m->cfg.domain
                : !strcmp(v->req->att, "vwd") ? AJPLB__NUM(m->cfg.distance)
                : NULL;
            if (cur == NULL) {
                return APR_EINVAL;
            }
            ajplb_sbuf_puts(b, "<tr><th class=\"l\">");
            ajplb_sbuf_xml(b, m->w->name);
            ajplb_sbuf_printf(b, "</th><td class=\"l\"><input name=\"val%d\" "
                              "value=\"", i);
            ajplb_sbuf_xml(b, cur);
            ajplb_sbuf_puts(b, "\"></td></tr>\n");
        }
    }
    else if (v->req->sw != NULL) {
        const ajplb_status_member_t *m = &l->members[0];
        ajplb__select(b, "Activation", "vwa", acts, 3,
                      (int)m->cfg.activation);
        ajplb__input(b, "LB Factor", "vwf", AJPLB__NUM(m->cfg.lbfactor));
        ajplb__input(b, "Route", "vwn", m->cfg.route);
        ajplb__input(b, "Redirect Route", "vwr", m->cfg.redirect);
        ajplb__input(b, "Cluster Domain", "vwc", m->cfg.domain);
        ajplb__input(b, "Distance", "vwd", AJPLB__NUM(m->cfg.distance));
        ajplb__input(b, "Busy Limit", "vabl", AJPLB__NUM(m->cfg.busy_limit));
    }
    else {
        ajplb__input(b, "Retries", "vlr", AJPLB__NUM(l->cfg.retries));
        ajplb__input(b, "Retry Interval (ms)", "vlri",
                     AJPLB__NUM(l->cfg.retry_interval));
        ajplb__input(b, "Recover Wait Time (s)", "vlt",
                     AJPLB__NUM(l->cfg.recover_time));
        ajplb__input(b, "Error Escalation Time (s)", "vlee",
                     AJPLB__NUM(l->cfg.error_escalation_time));
        ajplb__input(b, "Max Reply Timeouts", "vlx",
                     AJPLB__NUM(l->cfg.max_reply_timeouts));
        ajplb__select(b, "Sticky Sessions", "vls", bools, 2,
                      l->cfg.sticky_session ? 1 : 0);
        ajplb__select(b, "Force Sticky Sessions", "vlf", bools, 2,
                      l->cfg.sticky_session_force ? 1 : 0);
        ajplb__select(b, "LB Method", "vlm", methods, 5, (int)l->cfg.method);
        ajplb__select(b, "Locking", "vll", locks, 2, (int)l->cfg.lock);
    }
    ajplb_sbuf_puts(b, "</table>\n<button type=\"submit\">Update</button>"
                    "</form>\n<p>Changes apply to every httpd child at once "
                    "and last until httpd restarts.</p>\n");
    if (v->req->sw == NULL && v->req->att == NULL) {
        static const char *const atts[][2] = {
            {"vwa", "Activation"}, {"vwf", "LB Factor"}, {"vwn", "Route"},
            {"vwr", "Redirect Route"}, {"vwc", "Cluster Domain"},
            {"vwd", "Distance"}
        };
        ajplb_sbuf_puts(b, "<p>Edit one attribute of every member: ");
        for (i = 0; i < 6; i++) {
            ajplb_sbuf_puts(b, "<a href=\"");
            ajplb_sbuf_xml(b, v->uri);
            ajplb_sbuf_puts(b, "?cmd=edit&amp;w=");
            ajplb_sbuf_url(b, l->w->name);
            ajplb_sbuf_printf(b, "&amp;att=%s\">%s</a> ", atts[i][0],
                              atts[i][1]);
        }
        ajplb_sbuf_puts(b, "</p>\n");
    }
    ajplb_sbuf_puts(b, "</body>\n</html>\n");
    return APR_SUCCESS;
}
