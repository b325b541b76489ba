/*
 * credport — JSON Web Signature, compact serialisation, EdDSA only
 * (RFC 7515, RFC 8037; crypto/jws.c).
 *
 * Signing writes  BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(sig)
 * with the protected header {"alg":"EdDSA"[,"typ":T][,"kid":K]} in that
 * member order, and sig = Ed25519 over the ASCII of the first two parts.
 *
 * Opening is strict and bounded: the text is at most CP_JWS_MAX bytes with
 * exactly two dots; each part is unpadded base64url with zero unused bits;
 * the header is at most CP_JWS_HEADER_MAX bytes of JSON, an object without
 * duplicate members, nested at most CP_JWS_DEPTH_MAX deep. Its members:
 *   alg   required, exactly "EdDSA" ("none", "HS256", "ES256", ... refused)
 *   typ, cty, kid, iss   optional strings
 *   jwk   optional: an Ed25519 public JWK {"kty":"OKP","crv":"Ed25519",
 *         "x":32 bytes} and nothing else; another kty or crv is refused. It
 *         never selects the key: cp_jws_verify refuses it unless it names
 *         the very key the caller gave.
 *   crit  refused (credport understands no extension), as are b64, jku,
 *         x5u, x5c, x5t, x5t#S256 and every other member.
 * The verification key always comes from the caller, never from the text.
 * Signatures are checked with libsodium's crypto_sign_verify_detached,
 * the same rule as every other credport signature (docs/FORMATS.md).
 */
#ifndef CREDPORT_JWS_H
#define CREDPORT_JWS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "error.h"
#include "limits.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_JWS_TYP_MAX 64U   /* bytes of typ or cty, NUL excluded */
#define CP_JWS_KID_MAX 256U  /* bytes of kid or iss, NUL excluded */

/* A parsed compact JWS. Every pointer is owned by the struct and valid
 * until cp_jws_free; strings are NUL-terminated, "" when absent. */
typedef struct cp_jws {
  char typ[CP_JWS_TYP_MAX + 1];
  char cty[CP_JWS_TYP_MAX + 1];
  char kid[CP_JWS_KID_MAX + 1];
  char iss[CP_JWS_KID_MAX + 1];
  int has_jwk;
  uint8_t jwk_x[CP_PK_BYTES];   /* the header's Ed25519 key, if has_jwk */
  uint8_t *payload;             /* decoded payload bytes (NUL appended) */
  size_t payload_len;
  char *signing_input;          /* header "." payload, as received */
  size_t signing_len;
  uint8_t sig[CP_SIG_BYTES];
} cp_jws;

/* Signs payload[0..len) as above; typ and kid may be NULL (member omitted)
 * and are at most CP_JWS_TYP_MAX / CP_JWS_KID_MAX bytes (else CP_EINVAL).
 * OUT: *out a malloc'd NUL-terminated compact JWS the caller frees,
 * *outlen its length. CP_ETOOBIG beyond CP_JWS_MAX, CP_ENOMEM. */
int cp_jws_sign(const cp_key *k, const char *typ, const char *kid, const uint8_t *payload,
                size_t len, char **out, size_t *outlen)
    __attribute__((warn_unused_result, nonnull(1, 6)));

/* Signs the JSON text of payload (compact, members in their order, UTF-8
 * as is). Errors as cp_jws_sign; CP_EINVAL if payload cannot be dumped. */
int cp_jws_sign_json(const cp_key *k, const char *typ, const char *kid, const json_t *payload,
                     char **out, size_t *outlen)
    __attribute__((warn_unused_result, nonnull(1, 4, 5)));

/* Ends the malloc'd JWS *text of *len bytes with a newline, as a JWS file
 * holds it (*len grows by one, NUL kept). CP_ENOMEM frees *text and leaves
 * it NULL. */
int cp_jws_end_line(char **text, size_t *len) __attribute__((warn_unused_result, nonnull(1, 2)));

/* Parses text[0..len) strictly (see above) without checking the signature.
 * On success *out holds the parts (cp_jws_free releases them); on error
 * *out is left empty, and CP_ECORRUPT / CP_ETOOBIG / CP_EINVAL (alg) come
 * with d naming the part and what is wrong. */
int cp_jws_open(const char *text, size_t len, cp_jws *out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* 0 if j's signature verifies under pk; CP_EBADSIG otherwise, CP_EDENIED
 * when the header's jwk names another key than pk. */
int cp_jws_verify(const cp_jws *j, const uint8_t pk[CP_PK_BYTES], cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The payload parsed as one JSON object: no duplicate members, nested at
 * most CP_JWS_DEPTH_MAX deep. OUT: *out a new reference (json_decref).
 * CP_ECORRUPT with d saying where otherwise. */
int cp_jws_payload_json(const cp_jws *j, json_t **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Parses text[0..len) as one JSON object under the same rules (no
 * duplicates, depth at most max_depth, no NUL). `what` names it in d. */
int cp_json_strict_object(const char *what, const char *text, size_t len, unsigned max_depth,
                          json_t **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 5)));

void cp_jws_free(cp_jws *j);

#ifdef __cplusplus
}
#endif
#endif
