/*
 * ajplb_common.h -- project-wide macros: export marker, unset sentinel,
 * and the error model shared by every layer.
 * Core layer: APR only.
 */
#ifndef AJPLB_COMMON_H
#define AJPLB_COMMON_H

#include <apr.h>
#include <apr_errno.h>

/* The module struct is the one symbol the .so exports; everything else is
 * built with -fvisibility=hidden. */
#define AJPLB_EXPORT __attribute__((visibility("default")))

/* "Not configured" marker for integer settings, so defaults can be applied
 * after the whole file has been read (and merges can tell set from unset). */
#define AJPLB_UNSET (-1)

#define AJPLB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define AJPLB_MAX(a, b) ((a) > (b) ? (a) : (b))

#include "ajplb_errno.h"

#endif /* AJPLB_COMMON_H */
