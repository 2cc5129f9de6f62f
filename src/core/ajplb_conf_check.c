/*
 * ajplb_conf_check.c -- CORE: configtest warnings about httpd.conf's Jk*
 * directives that the module and `ajplb check` both give: JkOptions
 * +ForwardURICompat, and a <VirtualHost> the main server's mounts do not
 * reach.  One text for each, so the two cannot drift apart.
 * Core layer: APR only, never logs.
 */
#include <strings.h>

#include "ajplb_common.h"
#include "ajplb_conf_check.h"

void ajplb_conf_check_option(ajplb_diags_t *d, const char *word,
                             const char *file, int line)
{
    /* httpd's decoded path goes to Tomcat as is, so "/app/..%2f../admin"
     * or "/app;x/../admin" can reach what a prefix mount did not mean to
     * forward (mod_jk's documentation calls it unsafe).  "-" is refused
     * by the directive itself. */
    if (strcasecmp(word + (*word == '+'), "ForwardURICompat") != 0) {
        return;
    }
    ajplb_diag_add(d, AJPLB_DIAG_WARN, file, line, "JkOptions %s forwards "
                   "httpd's decoded path as is, which is unsafe with prefix "
                   "mounts (an encoded '/' or '..' can reach other "
                   "applications of Tomcat); remove it to get the default "
                   "ForwardURIProxy, or write +ForwardURICompatUnparsed if "
                   "Tomcat must see the path as the client sent it", word);
}

void ajplb_conf_check_vhost(ajplb_diags_t *d, const char *file, int line,
                            int rules, int mount_copy, const char *pattern,
                            const char *mfile, int mline)
{
    /* A host with mounts of its own, or an explicit JkMountCopy Off, was
     * configured on purpose; one with neither most likely expected to
     * inherit, which neither mod_jk nor mod_ajplb does. */
    if (rules > 0 || mount_copy != AJPLB_UNSET || pattern == NULL) {
        return;
    }
    ajplb_diag_add(d, AJPLB_DIAG_WARN, file, line, "the main server's "
                   "JkMount rules do not apply inside this <VirtualHost> "
                   "(as in mod_jk, also when it has no Jk* directive), so "
                   "'%s' (%s:%d) is not forwarded here; add 'JkMountCopy "
                   "On' to it, or 'JkMountCopy All' to the main server, if "
                   "they should", pattern, mfile ? mfile : "?", mline);
}
