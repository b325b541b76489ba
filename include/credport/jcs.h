/*
 * credport — JSON Canonicalization Scheme, RFC 8785 (proto/jcs.c).
 *
 * cp_jcs_encode writes the one canonical text of a jansson value:
 *  - object members sorted by their names as arrays of UTF-16 code units
 *    (RFC 8785 section 3.2.3), no whitespace anywhere;
 *  - strings in UTF-8 with exactly the escapes of section 3.2.2.2: \b \t \n
 *    \f \r \" \\ and \u00xx (lowercase hex) for the other controls below
 *    U+0020; every other character as itself;
 *  - numbers as ECMAScript's Number.prototype.toString gives them for the
 *    IEEE 754 double they denote (section 3.2.2.3): integers up to 2^53 in
 *    magnitude as plain digits, all others by their shortest round-trip
 *    digits in ECMAScript's fixed or exponent form ("1e+30", "0.002",
 *    "333333333.3333333"); -0 as "0". Integers beyond 2^53 are first
 *    rounded to the nearest double, as ECMAScript does.
 * A value nested deeper than CP_JCS_DEPTH_MAX or a text longer than
 * CP_JCS_MAX_BYTES is refused (CP_ETOOBIG) rather than canonicalised;
 * so is a non-finite real (CP_EINVAL; jansson never makes one).
 */
#ifndef CREDPORT_JCS_H
#define CREDPORT_JCS_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OUT: *out a malloc'd NUL-terminated canonical text (the caller frees it),
 * *len its length. Errors: CP_ETOOBIG (depth or size, d says which and
 * where), CP_EINVAL (a non-finite number), CP_ENOMEM. */
int cp_jcs_encode(const json_t *v, char **out, size_t *len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* A growing output buffer for canonical text built piece by piece (a
 * writer that knows its member order, checked against cp_jcs_encode by its
 * tests). Start from {0}; p is malloc'd and NUL-terminated, the caller
 * frees it. The first failure (CP_ENOMEM, or CP_ETOOBIG past
 * CP_JCS_MAX_BYTES) sticks in err and later appends do nothing. */
typedef struct cp_jcs_buf {
  char *p;
  size_t len, cap;
  int err;
} cp_jcs_buf;
/* Appends n bytes as they are. */
void cp_jcs_raw(cp_jcs_buf *b, const char *s, size_t n) __attribute__((nonnull(1)));
/* Appends s[0, n) (valid UTF-8) as an RFC 8785 string, quotes included. */
void cp_jcs_str(cp_jcs_buf *b, const char *s, size_t n) __attribute__((nonnull(1)));
/* Appends JCS(v); returns b->err or cp_jcs_encode's errors. */
int cp_jcs_value(cp_jcs_buf *b, const json_t *v, cp_diag *d) __attribute__((nonnull(1)));

/* ECMAScript Number::toString of x into out (cap >= 32 bytes); returns the
 * length, or CP_EINVAL for NaN and infinities. */
int cp_jcs_number(double x, char *out, size_t cap) __attribute__((nonnull(2)));

#ifdef __cplusplus
}
#endif
#endif
