/*
 * ajplb_config_num.c -- strict parsers for property values: integers
 * (no trailing garbage, no silent overflow), mod_jk booleans, the letter
 * enums (activation, method, lock, ping_mode), lists and worker names.
 * Core layer: APR only.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ajplb_config.h"

apr_status_t ajplb_parse_int(const char *s, int min, int max, int *out)
{
    const char *p = s;
    int neg = 0;
    apr_int64_t v = 0;

    if (s == NULL || *s == '\0') {
        return APR_EINVAL;
    }
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (*p == '\0') {
        return APR_EINVAL;
    }
    for (; *p; p++) {
        if (*p < '0' || *p > '9') {
            return APR_EINVAL;
        }
        /* Stop accumulating well before apr_int64_t could overflow; the
         * value is out of any int range by then anyway. */
        if (v < ((apr_int64_t)1 << 40)) {
            v = v * 10 + (*p - '0');
        }
    }
    if (neg) {
        v = -v;
    }
    if (v < min || v > max) {
        return APR_ERANGE;
    }
    *out = (int)v;
    return APR_SUCCESS;
}

apr_status_t ajplb_parse_bool(const char *s, int *out)
{
    int c;

    if (s == NULL || *s == '\0') {
        return APR_EINVAL;
    }
    if (strcasecmp(s, "off") == 0 || strcmp(s, "0") == 0) {
        *out = 0;
        return APR_SUCCESS;
    }
    if (strcasecmp(s, "on") == 0 || strcmp(s, "1") == 0) {
        *out = 1;
        return APR_SUCCESS;
    }
    /* mod_jk looks at the first letter only, so "yes", "True" and "nope"
     * are all accepted; configs rely on it. */
    c = apr_tolower((unsigned char)*s);
    if (c == 't' || c == 'y') {
        *out = 1;
        return APR_SUCCESS;
    }
    if (c == 'f' || c == 'n') {
        *out = 0;
        return APR_SUCCESS;
    }
    return APR_EINVAL;
}

/* One letter (first letter of a word, any case) or one digit. */
static apr_status_t ajplb__parse_letter(const char *s, const char *letters,
                                        int *out)
{
    const char *hit;
    int c;

    if (s == NULL || *s == '\0') {
        return APR_EINVAL;
    }
    c = (unsigned char)*s;
    if (c >= '0' && c <= '9') {
        if (s[1] != '\0' || c - '0' >= (int)strlen(letters)) {
            return APR_EINVAL;
        }
        *out = c - '0';
        return APR_SUCCESS;
    }
    c = apr_toupper(c);
    hit = strchr(letters, c);
    if (hit == NULL || c == '\0') {
        return APR_EINVAL;
    }
    *out = (int)(hit - letters);
    return APR_SUCCESS;
}

apr_status_t ajplb_parse_activation(const char *s, ajplb_activation_e *out)
{
    int v;
    apr_status_t rv = ajplb__parse_letter(s, "ADS", &v);

    if (rv == APR_SUCCESS) {
        *out = (ajplb_activation_e)v;
    }
    return rv;
}

apr_status_t ajplb_parse_method(const char *s, ajplb_lb_method_e *out)
{
    int v;
    apr_status_t rv = ajplb__parse_letter(s, "RTBSN", &v);

    if (rv == APR_SUCCESS) {
        *out = (ajplb_lb_method_e)v;
    }
    return rv;
}

apr_status_t ajplb_parse_lock(const char *s, ajplb_lb_lock_e *out)
{
    int v;
    apr_status_t rv = ajplb__parse_letter(s, "OP", &v);

    if (rv == APR_SUCCESS) {
        *out = (ajplb_lb_lock_e)v;
    }
    return rv;
}

apr_status_t ajplb_parse_ping_mode(const char *s, unsigned int *out)
{
    unsigned int mode = 0;

    for (; *s; s++) {
        switch (apr_toupper((unsigned char)*s)) {
        case 'C':
            mode |= AJPLB_PING_CONNECT;
            break;
        case 'P':
            mode |= AJPLB_PING_PREPOST;
            break;
        case 'I':
            mode |= AJPLB_PING_INTERVAL;
            break;
        case 'A':
            mode |= AJPLB_PING_ALL;
            break;
        default:
            return APR_EINVAL;
        }
    }
    *out = mode;
    return APR_SUCCESS;
}

apr_array_header_t *ajplb_split_list(apr_pool_t *p, const char *s)
{
    apr_array_header_t *arr = apr_array_make(p, 4, sizeof(const char *));
    const char *start;

    while (*s) {
        while (*s == ',' || *s == ' ' || *s == '\t') {
            s++;
        }
        start = s;
        while (*s && *s != ',' && *s != ' ' && *s != '\t') {
            s++;
        }
        if (s > start) {
            APR_ARRAY_PUSH(arr, const char *) =
                apr_pstrmemdup(p, start, (apr_size_t)(s - start));
        }
    }
    return arr;
}

int ajplb_name_is_valid(const char *s)
{
    apr_size_t n = 0;

    for (; *s; s++, n++) {
        if (!apr_isalnum((unsigned char)*s) && *s != '_' && *s != '-') {
            return 0;
        }
    }
    return n > 0 && n <= AJPLB_NAME_MAX;
}
