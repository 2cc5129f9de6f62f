/*
 * ajplb_uri.c -- path normalisation before mapping (CVE-2018-11759,
 * CVE-2014-8111), ForwardURIProxy re-encoding (CVE-2007-1860), session id
 * stripping and the '*'/'?' wildcard matcher.  Core layer: APR only.
 */
#include <string.h>

#include <apr_strings.h>

#include "ajplb_uri.h"

apr_status_t ajplb_uri_normalize(apr_pool_t *p, const char *uri, int flags,
                                 const char **out)
{
    apr_size_t n, len = 0;
    const char *s;
    char *buf;
    int trailing = 0;

    if (uri[0] == '*' && uri[1] == '\0') {
        /* OPTIONS *: valid HTTP, but patterns start with '/', so it can
         * never be mapped; let the caller treat it as "not ours". */
        *out = uri;
        return APR_SUCCESS;
    }
    if (uri[0] != '/') {
        return AJPLB_EURIRELATIVE;
    }
    if ((flags & AJPLB_URI_REJECT_UNSAFE) && strpbrk(uri, "%\\") != NULL) {
        return AJPLB_EURIUNSAFE;
    }

    /* The output is never longer than the input plus a trailing '/'.
     * buf holds "/seg/seg" (no trailing '/'); trailing says whether the
     * last segment seen ended in a directory ("", "." or ".."). */
    n = strlen(uri);
    buf = apr_palloc(p, n + 2);
    s = uri + 1;
    for (;;) {
        /* A backslash separates segments too: Tomcat with ALLOW_BACKSLASH
         * (and Windows back ends) read it so, and a Tomcat that does not
         * refuses the request; mapping on the separated form can only
         * make a rule apply, never dodge one (CVE-2007-0450, T-U12). */
        const char *slash = strpbrk(s, "/\\");
        const char *segend = slash != NULL ? slash : s + strlen(s);
        const char *semi = memchr(s, ';', (apr_size_t)(segend - s));
        apr_size_t nl = (apr_size_t)((semi != NULL ? semi : segend) - s);

        if (nl == 0 || (nl == 1 && s[0] == '.')) {
            trailing = 1;
        }
        else if (nl == 2 && s[0] == '.' && s[1] == '.') {
            if (len == 0) {
                return AJPLB_EURITRAVERSAL;
            }
            while (buf[len - 1] != '/') {
                len--;
            }
            len--;
            trailing = 1;
        }
        else {
            buf[len++] = '/';
            memcpy(buf + len, s, nl);
            len += nl;
            trailing = 0;
        }
        if (slash == NULL) {
            break;
        }
        s = slash + 1;
    }
    if (len == 0 || trailing) {
        buf[len++] = '/';
    }
    buf[len] = '\0';
    *out = buf;
    return APR_SUCCESS;
}

static int ajplb__uri_hexval(char c)
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

/* The byte %XX at s stands for, or -1 when s is not a valid escape. */
static int ajplb__uri_escape_at(const char *s)
{
    int hi, lo;

    if (s[0] != '%' || (hi = ajplb__uri_hexval(s[1])) < 0
        || (lo = ajplb__uri_hexval(s[2])) < 0) {
        return -1;
    }
    return hi * 16 + lo;
}

int ajplb_uri_encoding_of(const char *enc, const char *dec)
{
    while (*enc != '\0') {
        int c = ajplb__uri_escape_at(enc);

        if (c == '/' && dec[0] == '%' && strncmp(dec, enc, 3) == 0) {
            /* AllowEncodedSlashes NoDecode kept the escape as it was. */
            enc += 3;
            dec += 3;
        }
        else if (c > 0) {
            if ((unsigned char)*dec != (unsigned char)c) {
                return 0;
            }
            enc += 3;
            dec++;
        }
        else if (*enc++ != *dec++) {
            return 0;
        }
    }
    return *dec == '\0';
}

const char *ajplb_uri_decode(apr_pool_t *p, const char *enc)
{
    char *buf = apr_palloc(p, strlen(enc) + 1), *d = buf;

    while (*enc != '\0') {
        int c = ajplb__uri_escape_at(enc);

        if (c > 0) {
            *d++ = (char)c;
            enc += 3;
        }
        else {
            *d++ = *enc++;
        }
    }
    *d = '\0';
    return buf;
}

/* Bytes ForwardURIProxy sends as they are, besides letters and digits:
 * RFC 3986 pchar minus '%', plus '/'. */
static int ajplb__uri_is_proxy_safe(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')) {
        return 1;
    }
    return c != '\0' && strchr("/~$-_.+!*'(),;:@&=", c) != NULL;
}

const char *ajplb_uri_encode_proxy(apr_pool_t *p, const char *uri)
{
    static const char ajplb__hex[] = "0123456789ABCDEF";
    const unsigned char *s;
    apr_size_t need = 0;
    char *buf, *d;

    for (s = (const unsigned char *)uri; *s; s++) {
        need += ajplb__uri_is_proxy_safe(*s) ? 1 : 3;
    }
    buf = d = apr_palloc(p, need + 1);
    for (s = (const unsigned char *)uri; *s; s++) {
        if (ajplb__uri_is_proxy_safe(*s)) {
            *d++ = (char)*s;
        }
        else {
            *d++ = '%';
            *d++ = ajplb__hex[*s >> 4];
            *d++ = ajplb__hex[*s & 0x0f];
        }
    }
    *d = '\0';
    return buf;
}

const char *ajplb_uri_encode_keep(apr_pool_t *p, const char *enc)
{
    static const char ajplb__hex[] = "0123456789ABCDEF";
    const unsigned char *s;
    apr_size_t need = 0;
    char *buf, *d;

    /* Only copy when some byte needs escaping: the client's form is
     * usually clean already. */
    for (s = (const unsigned char *)enc; *s; s++) {
        if (!(ajplb__uri_is_proxy_safe(*s)
              || (*s == '%' && ajplb__uri_escape_at((const char *)s) >= 0))) {
            need += 2;
        }
    }
    if (need == 0) {
        return enc;
    }
    need += (apr_size_t)((const char *)s - enc);
    buf = d = apr_palloc(p, need + 1);
    for (s = (const unsigned char *)enc; *s; s++) {
        if (ajplb__uri_is_proxy_safe(*s)
            || (*s == '%' && ajplb__uri_escape_at((const char *)s) >= 0)) {
            *d++ = (char)*s;
        }
        else {
            *d++ = '%';
            *d++ = ajplb__hex[*s >> 4];
            *d++ = ajplb__hex[*s & 0x0f];
        }
    }
    *d = '\0';
    return buf;
}

const char *ajplb_uri_strip_session(apr_pool_t *p, const char *uri,
                                    const char *name)
{
    apr_size_t nlen;
    const char *s;
    char *buf, *d;

    if (name == NULL || *name == '\0' || strcmp(name, ";") == 0) {
        name = "jsessionid";
    }
    else if (*name == ';') {
        name++;
    }
    nlen = strlen(name);

    /* Copy only if some ";name=" exists, so the common case allocates
     * nothing. */
    for (s = strchr(uri, ';'); s != NULL; s = strchr(s + 1, ';')) {
        if (strncmp(s + 1, name, nlen) == 0 && s[1 + nlen] == '=') {
            break;
        }
    }
    if (s == NULL) {
        return uri;
    }
    buf = d = apr_palloc(p, strlen(uri) + 1);
    s = uri;
    while (*s) {
        if (*s == ';' && strncmp(s + 1, name, nlen) == 0
            && s[1 + nlen] == '=') {
            s += 2 + nlen;
            /* The value ends where the normaliser ends the segment,
             * backslash included, or stripping would change the path
             * the mapper saw (T-U31). */
            while (*s && *s != ';' && *s != '/' && *s != '\\') {
                s++;
            }
            continue;
        }
        *d++ = *s++;
    }
    *d = '\0';
    return buf;
}

int ajplb_uri_is_wildcard_match(const char *pattern, const char *str)
{
    const char *pt = pattern, *s = str;
    const char *star = NULL, *resume = NULL;

    /* Greedy scan remembering only the last '*': a later '*' subsumes
     * every earlier choice, so one back-track point is enough and the
     * cost stays O(len(pattern) * len(str)). */
    while (*s) {
        if (*pt == '*') {
            star = pt++;
            resume = s;
        }
        else if (*pt != '\0' && (*pt == '?' || *pt == *s)) {
            pt++;
            s++;
        }
        else if (star != NULL) {
            pt = star + 1;
            s = ++resume;
        }
        else {
            return 0;
        }
    }
    while (*pt == '*') {
        pt++;
    }
    return *pt == '\0';
}
