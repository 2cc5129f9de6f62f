/*
 * fuzz_ajp_reply.c -- libFuzzer target for the AJP13 reply parser.
 * Byte 0 picks the packet size, CPONG mode and the feeding style; the rest
 * is the backend's byte stream.  The same stream is also fed whole and one
 * byte at a time: all runs must give the same events and the same error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "ajplb_ajp.h"

static const apr_size_t ajplb__fuzz_sizes[] = { 8192, 16384, 65536, 8200 };

/* FNV-1a over everything an event exposes, so every byte a pointer claims
 * is read (ASan sees any over-read) and runs can be compared. */
static apr_uint64_t ajplb__fuzz_mix(apr_uint64_t h, const void *p,
                                    apr_size_t n)
{
    const unsigned char *b = p;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ b[i]) * 1099511628211ULL;
    }
    return h;
}

static apr_uint64_t ajplb__fuzz_event(apr_uint64_t h, ajplb_ajp_reply_t *rp,
                                      const ajplb_ajp_event_t *ev)
{
    ajplb_ajp_res_header_t hd;
    apr_size_t count = 0;

    if (ev->type == AJPLB_AJP_EV_NONE) {
        return h;
    }
    h = ajplb__fuzz_mix(h, &ev->type, sizeof(ev->type));
    switch (ev->type) {
    case AJPLB_AJP_EV_SEND_HEADERS:
        h = ajplb__fuzz_mix(h, &ev->status, sizeof(ev->status));
        if (ev->reason != NULL) {
            /* +1: the NUL after the string is part of the packet. */
            h = ajplb__fuzz_mix(h, ev->reason, ev->reason_len + 1);
        }
        while (ajplb_ajp_reply_next_header(rp, &hd) == APR_SUCCESS) {
            h = ajplb__fuzz_mix(h, hd.name, hd.name_len + 1);
            h = ajplb__fuzz_mix(h, hd.value, hd.value_len + 1);
            count++;
        }
        if (count != ev->num_headers) {
            abort();
        }
        break;
    case AJPLB_AJP_EV_BODY_CHUNK:
        h = ajplb__fuzz_mix(h, ev->data, ev->data_len);
        break;
    case AJPLB_AJP_EV_GET_BODY:
        h = ajplb__fuzz_mix(h, &ev->get_len, sizeof(ev->get_len));
        break;
    case AJPLB_AJP_EV_END_RESPONSE:
        h = ajplb__fuzz_mix(h, &ev->reuse, sizeof(ev->reuse));
        break;
    default:
        break;
    }
    return h;
}

/* Feed @a data in pieces of @a step bytes (0: all at once), through the
 * copying or the zero-copy interface; return the final status and put
 * the hash of all events in *hash. */
static apr_status_t ajplb__fuzz_run(apr_pool_t *p, apr_size_t max,
                                    ajplb_ajp_expect_t expect, int zc,
                                    apr_size_t step, const uint8_t *data,
                                    apr_size_t n, apr_uint64_t *hash)
{
    ajplb_ajp_reply_t *rp;
    ajplb_ajp_event_t ev;
    apr_uint64_t h = 14695981039346656037ULL;
    apr_size_t off = 0;
    apr_status_t rv;

    if (ajplb_ajp_reply_create(p, max, &rp) != APR_SUCCESS) {
        abort();
    }
    ajplb_ajp_reply_reset(rp, expect);
    if (step == 0) {
        step = n ? n : 1;
    }
    while (off < n) {
        if (zc) {
            void *space;
            apr_size_t room, k;

            rv = ajplb_ajp_reply_space(rp, &space, &room);
            if (rv != APR_SUCCESS) {
                goto out;
            }
            k = AJPLB_MIN(AJPLB_MIN(room, step), n - off);
            memcpy(space, data + off, k);
            off += k;
            rv = ajplb_ajp_reply_commit(rp, k, &ev);
            if (rv != APR_SUCCESS) {
                goto out;
            }
            h = ajplb__fuzz_event(h, rp, &ev);
        }
        else {
            apr_size_t chunk = AJPLB_MIN(step, n - off), used;

            while (chunk > 0) {
                rv = ajplb_ajp_reply_feed(rp, data + off, chunk, &used, &ev);
                if (used > chunk) {
                    abort();
                }
                off += used;
                chunk -= used;
                if (rv != APR_SUCCESS) {
                    goto out;
                }
                if (used == 0) {
                    abort();
                }
                h = ajplb__fuzz_event(h, rp, &ev);
            }
        }
    }
    rv = ajplb_ajp_reply_finish(rp);
out:
    /* A failed parser must keep its error. */
    if (rv != APR_SUCCESS && ajplb_ajp_reply_finish(rp) != rv) {
        abort();
    }
    *hash = h;
    return rv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;
    apr_size_t max, step;
    ajplb_ajp_expect_t expect;
    apr_uint64_t h1, h2, h3;
    apr_status_t rv1, rv2, rv3;
    int zc;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    if (size < 1) {
        return 0;
    }
    max = ajplb__fuzz_sizes[data[0] & 3];
    expect = (data[0] & 4) ? AJPLB_AJP_EXPECT_CPONG
                           : AJPLB_AJP_EXPECT_RESPONSE;
    zc = (data[0] & 8) != 0;
    step = data[0] >> 4;
    data++;
    size--;

    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }
    rv1 = ajplb__fuzz_run(p, max, expect, zc, step, data, size, &h1);
    rv2 = ajplb__fuzz_run(p, max, expect, 0, 0, data, size, &h2);
    /* Byte by byte is quadratic in nothing but slow on big inputs. */
    if (size <= 70000) {
        rv3 = ajplb__fuzz_run(p, max, expect, !zc, 1, data, size, &h3);
    }
    else {
        rv3 = rv2;
        h3 = h2;
    }
    if (rv1 != rv2 || rv2 != rv3 || h1 != h2 || h2 != h3) {
        abort();
    }
    apr_pool_destroy(p);
    return 0;
}
