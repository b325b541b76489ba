/*
 * credport — Open Badges 3.0 credentials as vc+jwt, and Verifiable
 * Presentations as vp+jwt (proto/ob3_jwt.c, proto/vpjwt.c; the JOSE rules
 * are vcjwt.h's and jws.h's).
 */
#ifndef CREDPORT_OB3_JWT_H
#define CREDPORT_OB3_JWT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "limits.h"
#include "ob3.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A vc+jwt credential file: the JSON bound in base64url, plus the header
 * and signature. */
#define CP_OB3_JWT_MAX (CP_OB3_TEXT_MAX / 3 * 4 + 8192)

/* Builds the credential of in (cp_ob3_build, status hook included) and
 * signs it as a vc+jwt under k, the issuer's log key (CP_EDENIED
 * otherwise). OUT: *text malloc'd compact JWS with a final newline, *len. */
int cp_ob3_export_jwt(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                      void *ctx, char **text, size_t *len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 5, 6)));

/* Verifies a vc+jwt credential file's text (one trailing line break
 * allowed, at most CP_OB3_JWT_MAX bytes): cp_vcjwt_open, then the members cp_ob3_verify_json checks.
 * OUT: *v; *vc (when vc is not NULL) the credential, a new reference.
 * Errors as cp_ob3_verify_json's. */
int cp_ob3_verify_jwt(const char *text, size_t len, cp_ob3_verdict *v, json_t **vc, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* Either form: vc+jwt when the text starts with a base64url character
 * after white space, else JSON. OUT: *jwt which form it was. */
int cp_ob3_verify_any(const char *text, size_t len, cp_ob3_verdict *v, json_t **vc, int *jwt,
                      cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 3, 5)));

/* ---- presentations (proto/vpjwt.c) ---------------------------------------- */

/* A presentation to sign: the holder's credentials as files' texts, each a
 * vc+jwt (enveloped as "data:application/vc+jwt,<jws>") or JSON with its
 * proof (embedded as it is). */
typedef struct cp_vp_input {
  const char *const *texts;
  const size_t *lens;
  size_t n;                 /* 1 .. CP_VP_CREDS_MAX */
  const char *challenge;    /* nonce claim, 1 .. CP_STR_MAX bytes */
  const char *audience;     /* aud claim, 1 .. CP_STR_MAX bytes */
  uint64_t now;             /* iat claim */
} cp_vp_input;

/* Signs the presentation as a vp+jwt under the holder's key k:
 * {"@context":[VC 2.0],"type":["VerifiablePresentation"],"holder":DID,
 *  "verifiableCredential":[...],"iss":DID,"aud":A,"nonce":N,"iat":T}
 * with header typ vp+jwt and kid the holder's verification method. Every
 * credential must verify and name the holder as its credentialSubject.id
 * (CP_EDENIED otherwise, d naming it by position). OUT: *text with a final
 * newline. */
int cp_vp_sign(const cp_vp_input *in, const cp_key *k, char **text, size_t *len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* What cp_vp_verify found. */
typedef struct cp_vp_result {
  uint8_t holder[CP_PK_BYTES];
  size_t n;                            /* credentials */
  cp_ob3_verdict cred[CP_VP_CREDS_MAX];
  int jwt[CP_VP_CREDS_MAX];            /* 1: enveloped vc+jwt, 0: embedded JSON */
  json_t *vcs;                         /* the credentials (array); json_decref */
} cp_vp_result;

/* Verifies a vp+jwt (one trailing line break allowed): cp_jws_open's rules,
 * typ vp+jwt, holder an Ed25519 did:key whose key made the signature (a kid
 * naming another key: CP_EDENIED), iss the holder, nonce exactly
 * challenge and aud (a string, or an array holding it) audience
 * (CP_EDENIED otherwise: replayed to another verifier), 1 ..
 * CP_VP_CREDS_MAX credentials, each verifying in its form and naming the
 * holder as its subject (CP_EDENIED: presented by someone else). Errors
 * otherwise as cp_ob3_verify_json's, d naming the credential. */
int cp_vp_verify(const char *text, size_t len, const char *challenge, const char *audience,
                 cp_vp_result *out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3, 4, 5)));
void cp_vp_result_free(cp_vp_result *r);

#ifdef __cplusplus
}
#endif
#endif
