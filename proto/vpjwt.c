/*
 * credport — Verifiable Presentations as vp+jwt (see ob3_jwt.h, vcjwt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jws.h"
#include "credport/ob3_jwt.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

#define VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define ENV_PREFIX CP_VC_ENVELOPE_PREFIX

/* The credential's subject must be the holder. */
static int subject_is(const json_t *vc, const char *did, size_t i, cp_diag *d) {
  const json_t *s = json_object_get(vc, "credentialSubject");
  const char *id = json_string_value(json_object_get(s, "id"));
  if (id == NULL || strcmp(id, did) != 0)
    return cp_diag_set(d, CP_EDENIED, "credential %zu: its subject is %.80s, not the presenter "
                       "%s", i + 1, id != NULL ? id : "(none)", did);
  return CP_OK;
}

/* Verifies one credential text (either form) and returns it as the member
 * of verifiableCredential: the envelope for a vc+jwt, the object for JSON. */
static int one_credential(const char *text, size_t len, size_t i, const char *did, json_t **item,
                          cp_ob3_verdict *v, int *jwt, json_t **vc, cp_diag *d) {
  int rc;
  cp_diag d2 = {{0}};
  *item = NULL;
  if ((rc = cp_ob3_verify_any(text, len, v, vc, jwt, &d2)) != 0)
    return cp_diag_set(d, rc, "credential %zu: %s", i + 1, d2.msg);
  if ((rc = subject_is(*vc, did, i, d)) != 0) return rc;
  if (*jwt) {
    size_t n = len, pl = sizeof ENV_PREFIX - 1;
    char *uri;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) n--;
    if ((uri = malloc(pl + n + 1)) == NULL) return CP_ENOMEM;
    memcpy(uri, ENV_PREFIX, pl);
    memcpy(uri + pl, text, n);
    uri[pl + n] = 0;
    *item = json_pack("{s:[s],s:s,s:s}", "@context", VC2_CONTEXT, "id", uri, "type",
                      "EnvelopedVerifiableCredential");
    free(uri);
  } else {
    *item = json_incref(*vc);
  }
  return *item == NULL ? CP_ENOMEM : CP_OK;
}

int cp_vp_sign(const cp_vp_input *in, const cp_key *k, char **text, size_t *len, cp_diag *d) {
  uint8_t pk[CP_PK_BYTES];
  char did[CP_DIDKEY_MAX], vm[CP_VCDI_VM_MAX], *payload = NULL;
  json_t *vp = NULL, *arr = NULL;
  size_t i;
  int rc;
  *text = NULL;
  if (in->n == 0 || in->n > CP_VP_CREDS_MAX)
    return cp_diag_set(d, CP_EINVAL, "a presentation holds 1 to %u credentials, not %zu",
                       CP_VP_CREDS_MAX, in->n);
  if (in->challenge == NULL || in->challenge[0] == 0 || strlen(in->challenge) > CP_STR_MAX ||
      in->audience == NULL || in->audience[0] == 0 || strlen(in->audience) > CP_STR_MAX)
    return cp_diag_set(d, CP_EINVAL, "the challenge and the audience must each be 1 to %u bytes",
                       CP_STR_MAX);
  cp_key_public(k, pk);
  cp_didkey_encode(pk, did);
  cp_vcdi_vm(pk, vm);
  if ((arr = json_array()) == NULL) return CP_ENOMEM;
  for (i = 0; i < in->n; i++) {
    cp_ob3_verdict v;
    json_t *item = NULL, *vc = NULL;
    int jwt = 0;
    rc = one_credential(in->texts[i], in->lens[i], i, did, &item, &v, &jwt, &vc, d);
    json_decref(vc);
    if (rc == 0 && json_array_append_new(arr, item) != 0) rc = CP_ENOMEM;
    if (rc != 0) goto out;
  }
  vp = json_pack("{s:[s],s:[s],s:s,s:O,s:s,s:s,s:s,s:I}", "@context", VC2_CONTEXT, "type",
                 "VerifiablePresentation", "holder", did, "verifiableCredential", arr, "iss", did,
                 "aud", in->audience, "nonce", in->challenge, "iat", (json_int_t)in->now);
  if (vp == NULL) {
    rc = cp_diag_set(d, CP_EINVAL, "the challenge or the audience is not valid UTF-8");
    goto out;
  }
  /* Reals at 17 digits: an embedded JSON credential's proof covers the
   * numbers' values, which must come back exactly. */
  if ((payload = json_dumps(vp, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  if ((rc = cp_jws_sign(k, CP_VPJWT_TYP, vm, (const uint8_t *)payload, strlen(payload), text,
                        len)) != 0) {
    cp_diag_set(d, rc, "cannot sign the presentation");
    goto out;
  }
  rc = cp_jws_end_line(text, len);
out:
  free(payload);
  json_decref(vp);
  json_decref(arr);
  return rc;
}

void cp_vp_result_free(cp_vp_result *r) {
  if (r == NULL) return;
  json_decref(r->vcs);
  memset(r, 0, sizeof *r);
}

static int aud_has(const json_t *aud, const char *want) {
  size_t i;
  json_t *v;
  if (json_is_string(aud)) return strcmp(json_string_value(aud), want) == 0;
  json_array_foreach(aud, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), want) == 0) return 1;
  }
  return 0;
}

static int has_type(const json_t *t, const char *want) {
  return aud_has(t, want);
}

int cp_vp_verify(const char *text, size_t len, const char *challenge, const char *audience,
                 cp_vp_result *out, cp_diag *d) {
  cp_jws j;
  json_t *p = NULL, *creds, *item;
  uint8_t pk[CP_PK_BYTES], kpk[CP_PK_BYTES];
  char vm[CP_VCDI_VM_MAX], did[CP_DIDKEY_MAX];
  const char *nonce, *iss;
  size_t i;
  int rc;
  memset(out, 0, sizeof *out);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;
  if ((rc = cp_jws_open(text, len, &j, d)) != 0) return rc;
  if (strcmp(j.typ, CP_VPJWT_TYP) != 0) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vp+jwt: header typ is \"%s\", not \"vp+jwt\"", j.typ);
    goto out;
  }
  if ((rc = cp_jws_payload_json(&j, &p, d)) != 0) goto out;
  if (!has_type(json_object_get(p, "type"), "VerifiablePresentation")) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vp+jwt: type is not VerifiablePresentation");
    goto out;
  }
  if (cp_vc_didkey_of(json_object_get(p, "holder"), pk) != CP_OK) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vp+jwt: holder is not an Ed25519 did:key");
    goto out;
  }
  cp_didkey_encode(pk, did);
  cp_vcdi_vm(pk, vm);
  if (j.kid[0] != 0 && strcmp(j.kid, vm) != 0) {
    char *hash = strchr(j.kid, '#');
    if (hash != NULL) *hash = 0;
    if (cp_didkey_decode(j.kid, kpk) == CP_OK && cp_jws_verify(&j, kpk, NULL) == CP_OK)
      rc = cp_diag_set(d, CP_EDENIED, "vp+jwt: signed by %.80s, not by the holder %s", j.kid,
                       did);
    else
      rc = cp_diag_set(d, CP_ECORRUPT, "vp+jwt: header kid is not the holder's verification "
                       "method %s", vm);
    goto out;
  }
  if ((rc = cp_jws_verify(&j, pk, d)) != 0) goto out;
  iss = json_string_value(json_object_get(p, "iss"));
  if (iss == NULL || strcmp(iss, did) != 0) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vp+jwt: claim \"iss\" is not the holder %s", did);
    goto out;
  }
  nonce = json_string_value(json_object_get(p, "nonce"));
  if (nonce == NULL || strcmp(nonce, challenge) != 0) {
    rc = cp_diag_set(d, CP_EDENIED, "vp+jwt: made for another challenge (nonce \"%.80s\")",
                     nonce != NULL ? nonce : "");
    goto out;
  }
  if (!aud_has(json_object_get(p, "aud"), audience)) {
    rc = cp_diag_set(d, CP_EDENIED, "vp+jwt: made for another audience, not \"%.80s\"",
                     audience);
    goto out;
  }
  creds = json_object_get(p, "verifiableCredential");
  if (!json_is_array(creds) || json_array_size(creds) == 0 ||
      json_array_size(creds) > CP_VP_CREDS_MAX) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vp+jwt: verifiableCredential must be an array of 1 to %u",
                     CP_VP_CREDS_MAX);
    goto out;
  }
  if ((out->vcs = json_array()) == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  json_array_foreach(creds, i, item) {
    const char *id = json_string_value(json_object_get(item, "id"));
    json_t *vc = NULL, *dummy = NULL;
    char *s = NULL;
    int jwt = 0;
    if (has_type(json_object_get(item, "type"), "EnvelopedVerifiableCredential")) {
      size_t pl = sizeof ENV_PREFIX - 1;
      if (id == NULL || strncmp(id, ENV_PREFIX, pl) != 0) {
        rc = cp_diag_set(d, CP_ECORRUPT, "credential %zu: an envelope whose id is not "
                         "data:application/vc+jwt,...", i + 1);
        break;
      }
      rc = one_credential(id + pl, strlen(id + pl), i, did, &dummy, &out->cred[i], &jwt, &vc, d);
    } else {
      if ((s = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))) ==
          NULL) {
        rc = CP_ENOMEM;
        break;
      }
      rc = one_credential(s, strlen(s), i, did, &dummy, &out->cred[i], &jwt, &vc, d);
      if (rc == 0 && jwt) rc = cp_diag_set(d, CP_ECORRUPT, "credential %zu: not JSON", i + 1);
    }
    free(s);
    json_decref(dummy);
    if (rc == 0 && json_array_append(out->vcs, vc) != 0) rc = CP_ENOMEM;
    json_decref(vc);
    if (rc != 0) break;
    out->jwt[i] = jwt;
    out->n++;
  }
  if (rc == 0) memcpy(out->holder, pk, CP_PK_BYTES);
out:
  if (rc != 0) cp_vp_result_free(out);
  json_decref(p);
  cp_jws_free(&j);
  return rc;
}
