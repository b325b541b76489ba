/*
 * credport — W3C Verifiable Credentials and Presentations secured as JWTs
 * (VC-JOSE-COSE, compact JWS with EdDSA; proto/vcjwt.c, crypto/jws.c).
 *
 * A credential is signed as a JWS with protected header
 *   {"alg":"EdDSA","typ":"vc+jwt","kid":"did:key:z6Mk...#z6Mk..."}
 * (kid the issuer's did:key verification method) whose payload is the
 * credential itself (no "vc" wrapper), followed by the JWT claims Open
 * Badges 3.0 names, each equal to the credential's own field:
 *   iss  the issuer's id (issuer, or issuer.id)
 *   jti  the credential's id
 *   sub  credentialSubject.id (left out when there is none)
 *   nbf  validFrom as seconds since 1970 (NumericDate)
 * A presentation is signed the same way with typ "vp+jwt", kid the
 * holder's verification method, and the claims iss (the holder), nonce
 * (the verifier's challenge) and aud (the verifier's name); it holds
 * credentials in JWT form as EnvelopedVerifiableCredential
 * ("data:application/vc+jwt,<jws>") and in JSON form as they are.
 *
 * Verifying takes the key from the issuer's did:key in the payload, never
 * from the header; a header kid naming another did:key whose key made the
 * signature is reported as "not the issuer's" (CP_EDENIED).
 */
#ifndef CREDPORT_VCJWT_H
#define CREDPORT_VCJWT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "jws.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_VCJWT_TYP "vc+jwt"
#define CP_VPJWT_TYP "vp+jwt"
#define CP_VC_ENVELOPE_PREFIX "data:application/vc+jwt,"

/* "YYYY-MM-DDTHH:MM:SSZ" (exactly; years 1970..9999) to seconds since
 * 1970; CP_ECORRUPT otherwise. */
int cp_vc_time_parse(const char *s, uint64_t *t) __attribute__((warn_unused_result));

/* The payload of vc as a JWT: a copy with iss, jti, sub and nbf added as
 * above. CP_EINVAL (d names the field) when vc lacks an issuer did:key, an
 * id or a valid validFrom, or already has one of the claims. OUT: *out, a
 * new reference. */
int cp_vcjwt_payload(const json_t *vc, json_t **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Signs vc as a vc+jwt under k, which must be the key of vc's issuer
 * did:key (CP_EDENIED otherwise). OUT: *out malloc'd compact JWS, *len. */
int cp_vcjwt_sign(const json_t *vc, const cp_key *k, char **out, size_t *len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* Opens and verifies a vc+jwt: cp_jws_open's rules, typ "vc+jwt", a payload
 * object with an issuer did:key, the signature by that key, kid (when
 * given) that key's verification method, iss/jti/sub/nbf present and equal
 * to the credential's fields. OUT: *vc the payload (a new reference; the
 * claims stay in it), issuer the issuer's key. Errors: CP_ECORRUPT /
 * CP_ETOOBIG / CP_EINVAL (malformed, d says where), CP_EBADSIG, CP_EDENIED
 * (signed by another did:key than the issuer's). */
int cp_vcjwt_open(const char *text, size_t len, json_t **vc, uint8_t issuer[CP_PK_BYTES],
                  cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/* The Ed25519 key of a did:key given as a string, or of an object's "id"
 * (issuer as a Profile). CP_ECORRUPT when it is neither. */
int cp_vc_didkey_of(const json_t *v, uint8_t pk[CP_PK_BYTES]) __attribute__((warn_unused_result));

#ifdef __cplusplus
}
#endif
#endif
