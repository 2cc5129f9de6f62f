/*
 * ajplb_conf_check.h -- CORE: configtest warnings about the Jk* directives
 * of httpd.conf (not workers.properties).  The module judges httpd's
 * parsed configuration and `ajplb check` its own reading of httpd.conf;
 * both call these, so they warn in the same cases with the same text.
 */
#ifndef AJPLB_CONF_CHECK_H
#define AJPLB_CONF_CHECK_H

#include "ajplb_diag.h"

/**
 * One word of a JkOptions line, as written (@a file:@a line): warn when it
 * is "ForwardURICompat" or "+ForwardURICompat" (any case), which sends
 * Tomcat httpd's decoded path.
 */
void ajplb_conf_check_option(ajplb_diags_t *d, const char *word,
                             const char *file, int line);

/**
 * A <VirtualHost> (opened at @a file:@a line) whose map has @a rules
 * rules (all sources) and whose JkMountCopy is @a mount_copy after the
 * merge with the main server (AJPLB_UNSET when nothing set it): warn when
 * it has no rule, says nothing about JkMountCopy, and the main server
 * mounts something.  As in mod_jk, the main server's mounts then do not
 * apply there, also for a host without any Jk* directive.  @a pattern,
 * @a mfile and @a mline are the main server's first JkMount (also one
 * inside <Location>; not a JkUnMount), named in the message; NULL
 * @a pattern: the main server has none, no warning.
 */
void ajplb_conf_check_vhost(ajplb_diags_t *d, const char *file, int line,
                            int rules, int mount_copy, const char *pattern,
                            const char *mfile, int mline);

#endif /* AJPLB_CONF_CHECK_H */
