/*
 * ajplb_errno.c -- messages for the project's error codes.
 * Core layer: generated from AJPLB_ERRNO_MAP so codes and text agree.
 */
#include "ajplb_common.h"

const char *ajplb_errno_message(apr_status_t rv)
{
    switch (rv) {
#define AJPLB__ERRNO_CASE(name, num, msg) \
    case AJPLB_##name:                    \
        return msg;
    AJPLB_ERRNO_MAP(AJPLB__ERRNO_CASE)
#undef AJPLB__ERRNO_CASE
    default:
        return NULL;
    }
}

const char *ajplb_strerror(apr_status_t rv, char *buf, apr_size_t bufsize)
{
    const char *msg = ajplb_errno_message(rv);

    if (msg != NULL) {
        return msg;
    }
    return apr_strerror(rv, buf, bufsize);
}
