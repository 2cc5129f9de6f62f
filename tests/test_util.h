/*
 * test_util.h -- shared fixtures for the Check unit tests: APR start-up,
 * one fresh pool per test, and hex helpers for golden packets.
 */
#ifndef AJPLB_TEST_UTIL_H
#define AJPLB_TEST_UTIL_H

#include <check.h>
#include <apr_pools.h>

#include "ajplb_diag.h"

/* The pool for the running test; created by setup, destroyed by teardown. */
extern apr_pool_t *ajplb_test_pool;

void ajplb_test_setup(void);
void ajplb_test_teardown(void);

/** A TCase with the pool fixture attached. */
TCase *ajplb_test_tcase(const char *name);

/**
 * Decode "12 34 00 02 0a ff" style hex (spaces ignored) into pool memory.
 * Aborts the test on malformed hex.
 */
unsigned char *ajplb_test_hex(const char *hex, apr_size_t *len);

/** Every diagnostic of @a d, one per line, for assertion messages. */
const char *ajplb_test_diags_text(const ajplb_diags_t *d);

/** Run @a s, print the summary, return the process exit status. */
int ajplb_test_run(Suite *s);

#endif /* AJPLB_TEST_UTIL_H */
