/*
 * credport — Open Badges 3.0 credentials as vc+jwt (see ob3_jwt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/ob3_jwt.h"
#include "credport/vcjwt.h"

int cp_ob3_export_jwt(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                      void *ctx, char **text, size_t *len, cp_diag *d) {
  uint8_t pk[CP_PK_BYTES];
  json_t *vc = NULL;
  char *t;
  int rc;
  *text = NULL;
  cp_key_public(k, pk);
  if (in->genesis == NULL || memcmp(pk, in->genesis->log, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "the signing key is not the issuer's log key (did:key)");
  if ((rc = cp_ob3_build(in, status, ctx, &vc, d)) != 0) return rc;
  if ((rc = cp_vcjwt_sign(vc, k, text, len, d)) != 0) goto out;
  if ((t = realloc(*text, *len + 2)) == NULL) {
    free(*text);
    *text = NULL;
    rc = CP_ENOMEM;
    goto out;
  }
  t[(*len)++] = '\n';
  t[*len] = 0;
  *text = t;
out:
  json_decref(vc);
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
