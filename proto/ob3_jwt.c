/*
 * credport — Open Badges 3.0 credentials as vc+jwt (see ob3_jwt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jws.h"
#include "credport/ob3_jwt.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

int cp_ob3_export_jwt(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                      void *ctx, char **text, size_t *len, cp_diag *d) {
  uint8_t pk[CP_PK_BYTES];
  char iss[CP_DIDKEY_MAX], sub[CP_DIDKEY_MAX], jti[CP_OB3_URN_MAX], vm[CP_VCDI_VM_MAX];
  char *canon = NULL, *payload = NULL;
  size_t clen = 0, plen;
  int rc, n;
  *text = NULL;
  cp_key_public(k, pk);
  if (in->genesis == NULL || memcmp(pk, in->genesis->log, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "the signing key is not the issuer's log key (did:key)");
  /* The payload is the credential's JCS text with the JWT claims appended
   * before its closing brace: what cp_vcjwt_sign makes of cp_ob3_build's
   * value, without building it (tests/proto/test_ob3_jwt.c checks both agree
   * member by member). */
  if ((rc = cp_ob3_canonical(in, status, ctx, &canon, &clen, d)) != 0) return rc;
  cp_didkey_encode(in->genesis->log, iss);
  cp_didkey_encode(in->award->u.award.educator, sub);
  cp_ob3_urn(in->award_id, jti);
  plen = clen + 3 * CP_DIDKEY_MAX + CP_OB3_URN_MAX + 64;
  if (clen < 2 || canon[clen - 1] != '}' || (payload = malloc(plen)) == NULL) {
    rc = clen < 2 ? CP_EINVAL : CP_ENOMEM;
    goto out;
  }
  memcpy(payload, canon, clen - 1);
  n = snprintf(payload + clen - 1, plen - (clen - 1),
               ",\"iss\":\"%s\",\"jti\":\"%s\",\"sub\":\"%s\",\"nbf\":%llu}", iss, jti, sub,
               (unsigned long long)in->award->u.award.earned * 86400u);
  if (n < 0 || (size_t)n >= plen - (clen - 1)) {
    rc = CP_EINVAL;
    goto out;
  }
  /* The verification method "did:key:z6Mk...#z6Mk...", from iss (one
   * base58 encoding fewer than cp_vcdi_vm). */
  snprintf(vm, sizeof vm, "%s#%s", iss, iss + 8);
  if ((rc = cp_jws_sign(k, CP_VCJWT_TYP, vm, (const uint8_t *)payload, clen - 1 + (size_t)n,
                        text, len)) != 0) {
    cp_diag_set(d, rc, "cannot sign the credential");
    goto out;
  }
  rc = cp_jws_end_line(text, len);
out:
  free(canon);
  free(payload);
  return rc;
}

int cp_ob3_verify_jwt(const char *text, size_t len, cp_ob3_verdict *v, json_t **vc, cp_diag *d) {
  json_t *p = NULL;
  uint8_t iss[CP_PK_BYTES];
  int rc;
  memset(v, 0, sizeof *v);
  if (vc != NULL) *vc = NULL;
  if (len > CP_OB3_JWT_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "a vc+jwt credential is at most %u bytes; this is %zu",
                       (unsigned)CP_OB3_JWT_MAX, len);
  if (len > 0 && text[len - 1] == '\n') len--;
  if (len > 0 && text[len - 1] == '\r') len--;
  if ((rc = cp_vcjwt_open(text, len, &p, v->issuer, d)) != 0) return rc;
  if ((rc = cp_ob3_check_shape(p, iss, d)) != 0) goto out;
  if (memcmp(iss, v->issuer, CP_PK_BYTES) != 0) { /* cannot happen: one issuer member */
    rc = cp_diag_set(d, CP_ECORRUPT, "issuer: read two ways");
    goto out;
  }
  snprintf(v->id, sizeof v->id, "%s", json_string_value(json_object_get(p, "id")));
  if (vc != NULL) {
    *vc = p;
    p = NULL;
  }
out:
  json_decref(p);
  return rc;
}

int cp_ob3_verify_any(const char *text, size_t len, cp_ob3_verdict *v, json_t **vc, int *jwt,
                      cp_diag *d) {
  size_t i = 0;
  int rc;
  if (vc != NULL) *vc = NULL;
  while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
    i++;
  /* A compact JWS starts with a base64url character; anything else is read
   * as JSON (and refused as JSON when it is not). */
  *jwt = i < len && ((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z') ||
                     (text[i] >= '0' && text[i] <= '9') || text[i] == '-' || text[i] == '_');
  if (*jwt) return cp_ob3_verify_jwt(text, len, v, vc, d);
  if ((rc = cp_ob3_verify_json(text, len, v, d)) != 0 || vc == NULL) return rc;
  /* Verified: read again for the caller (the status entry, the subject). */
  if (cp_json_strict_object("credential", text, len, CP_JWS_DEPTH_MAX, vc, d) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "credential: cannot be read again");
  return CP_OK;
}
