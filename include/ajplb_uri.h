/*
 * ajplb_uri.h -- request path normalisation (the way Tomcat will see the
 * path), ForwardURIProxy re-encoding and JkStripSession stripping.
 * Core layer: APR only; pure functions, pool-allocated output, never logs.
 */
#ifndef AJPLB_URI_H
#define AJPLB_URI_H

#include <apr_pools.h>

#include "ajplb_common.h"

/* Flags for ajplb_uri_normalize(). */
#define AJPLB_URI_REJECT_UNSAFE 0x1   /* JkOptions +RejectUnsafeURI */

/**
 * Normalise an already %-decoded request path before it is matched, so
 * that the mapper decides on the same path the servlet container serves:
 * every ";param" is cut from every segment (up to the next '/'), empty
 * segments ("//") are collapsed, "." segments are dropped and ".." removes
 * the segment before it.  A backslash separates segments like '/'.  A
 * path ending in "/", "/." or "/.." keeps (or gets) its trailing '/'.
 *
 * @param p     pool for the output
 * @param uri   NUL-terminated decoded path (r->uri in the adapter)
 * @param flags AJPLB_URI_REJECT_UNSAFE or 0
 * @param out   set to the normalised path on success
 * @return APR_SUCCESS; the literal "*" (OPTIONS *) also succeeds, comes out
 *         unchanged and never maps.  AJPLB_EURITRAVERSAL when ".." climbs
 *         above the root (answer 400), AJPLB_EURIRELATIVE when the path does
 *         not start with '/', AJPLB_EURIUNSAFE when the flag is set and the
 *         path holds '%' or '\\'.  *out is left alone on error.
 */
apr_status_t ajplb_uri_normalize(apr_pool_t *p, const char *uri, int flags,
                                 const char **out);

/**
 * Re-encode a decoded path for forwarding (JkOptions ForwardURIProxy):
 * '/', ASCII letters and digits and ~$-_.+!*'(),;:@&= are kept, every
 * other byte (including '%', so nothing is decoded twice) becomes %XX
 * with upper-case hex.  Never fails; allocated from @a p.
 */
const char *ajplb_uri_encode_proxy(apr_pool_t *p, const char *uri);

/**
 * Whether @a dec is what httpd made of the client's path @a enc: decoding
 * every valid %XX of @a enc gives @a dec, where @a dec may also keep an
 * encoded slash exactly as written (AllowEncodedSlashes NoDecode).  Used
 * to check that r->uri still comes from the client's path before the
 * client's encoding is forwarded.  Returns 1 or 0; allocates nothing.
 */
int ajplb_uri_encoding_of(const char *enc, const char *dec);

/**
 * Decode every valid %XX of @a enc (an encoded slash too) except %00,
 * which stays as written.  Allocated from @a p.
 */
const char *ajplb_uri_decode(apr_pool_t *p, const char *enc);

/**
 * The client's encoded path made safe to forward with every one of its
 * escapes kept as written (JkOptions ForwardURIProxy): valid %XX and the
 * bytes ajplb_uri_encode_proxy() keeps are copied, every other byte
 * (a '%' not starting an escape included) becomes %XX.  Returns @a enc
 * itself when nothing needs escaping, otherwise a copy from @a p.
 */
const char *ajplb_uri_encode_keep(apr_pool_t *p, const char *enc);

/**
 * JkStripSession: remove every ";name=value" path parameter (value up to
 * the next ';' or '/') from every segment of @a uri.  @a name is the
 * parameter name with or without its leading ';'; NULL or "" means
 * "jsessionid".  The name is compared case-sensitively, as Tomcat does.
 * Returns @a uri itself when there is nothing to strip, otherwise a copy
 * allocated from @a p.
 */
const char *ajplb_uri_strip_session(apr_pool_t *p, const char *uri,
                                    const char *name);

/**
 * Match @a str against a mount pattern where '*' matches any sequence
 * (including '/') and '?' exactly one byte; every other byte matches
 * itself, case-sensitively.  Time is bounded by O(len(pattern) *
 * len(str)) with no recursion.  Returns 1 on a match, 0 otherwise.
 */
int ajplb_uri_is_wildcard_match(const char *pattern, const char *str);

#endif /* AJPLB_URI_H */
