/*
 * credport — credentials as vc+jwt (see vcjwt.h).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *v) {
  size_t i;
  *v = 0;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    *v = *v * 10 + (unsigned)(s[i] - '0');
  }
  return 1;
}

int cp_vc_time_parse(const char *s, uint64_t *t) {
  static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned y, mo, d, h, mi, se;
  if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':' || s[19] != 'Z' || !digits(s, 4, &y) ||
      !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
      !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
    return CP_ECORRUPT;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
      se > 59)
    return CP_ECORRUPT;
  if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return CP_ECORRUPT;
  *t = (uint64_t)days_from_civil(y, mo, d) * 86400u + h * 3600u + mi * 60u + se;
  return CP_OK;
}

int cp_vc_didkey_of(const json_t *v, uint8_t pk[CP_PK_BYTES]) {
  if (json_is_object(v)) v = json_object_get(v, "id");
  if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
    return CP_ECORRUPT;
  return cp_didkey_decode(json_string_value(v), pk) == CP_OK ? CP_OK : CP_ECORRUPT;
}

static const char *str_of(const json_t *v) {
  if (json_is_object(v)) v = json_object_get(v, "id");
  return json_string_value(v);
}

int cp_vcjwt_payload(const json_t *vc, json_t **out, cp_diag *d) {
  static const char *const claims[] = {"iss", "jti", "sub", "nbf"};
  uint8_t pk[CP_PK_BYTES];
  const char *id = json_string_value(json_object_get(vc, "id"));
  const char *vf = json_string_value(json_object_get(vc, "validFrom"));
  const char *sub = str_of(json_object_get(vc, "credentialSubject"));
  json_t *p;
  uint64_t nbf;
  size_t i;
  *out = NULL;
  if (json_typeof(vc) != JSON_OBJECT)
    return cp_diag_set(d, CP_EINVAL, "credential: not a JSON object");
  if (cp_vc_didkey_of(json_object_get(vc, "issuer"), pk) != CP_OK)
    return cp_diag_set(d, CP_EINVAL, "credential: issuer is not an Ed25519 did:key");
  if (id == NULL) return cp_diag_set(d, CP_EINVAL, "credential: no id");
  if (vf == NULL || cp_vc_time_parse(vf, &nbf) != CP_OK)
    return cp_diag_set(d, CP_EINVAL, "credential: validFrom is not YYYY-MM-DDTHH:MM:SSZ");
  for (i = 0; i < sizeof claims / sizeof claims[0]; i++)
    if (json_object_get(vc, claims[i]) != NULL)
      return cp_diag_set(d, CP_EINVAL, "credential: already has a \"%s\" member", claims[i]);
  if ((p = json_deep_copy(vc)) == NULL ||
      json_object_set_new(p, "iss", json_string(str_of(json_object_get(vc, "issuer")))) != 0 ||
      json_object_set_new(p, "jti", json_string(id)) != 0 ||
      (sub != NULL && json_object_set_new(p, "sub", json_string(sub)) != 0) ||
      json_object_set_new(p, "nbf", json_integer((json_int_t)nbf)) != 0) {
    json_decref(p);
    return CP_ENOMEM;
  }
  *out = p;
  return CP_OK;
}

int cp_vcjwt_sign(const json_t *vc, const cp_key *k, char **out, size_t *len, cp_diag *d) {
  uint8_t pk[CP_PK_BYTES], kpk[CP_PK_BYTES];
  char vm[CP_VCDI_VM_MAX], *text = NULL;
  json_t *p = NULL;
  int rc;
  *out = NULL;
  if ((rc = cp_vcjwt_payload(vc, &p, d)) != CP_OK) return rc;
  cp_key_public(k, kpk);
  if (cp_vc_didkey_of(json_object_get(vc, "issuer"), pk) != CP_OK ||
      memcmp(pk, kpk, CP_PK_BYTES) != 0) {
    rc = cp_diag_set(d, CP_EDENIED, "credential: the signing key is not the issuer's did:key");
    goto out;
  }
  cp_vcdi_vm(pk, vm);
  /* Reals with 15 significant digits, as the JSON export writes them
   * (hours in hundredths print as "2.5", not "2.5000000000000000"). */
  if ((text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))) ==
      NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  if ((rc = cp_jws_sign(k, CP_VCJWT_TYP, vm, (const uint8_t *)text, strlen(text), out, len)) !=
      CP_OK)
    cp_diag_set(d, rc, "credential: cannot sign the JWT");
out:
  free(text);
  json_decref(p);
  return rc;
}

/* The claim name must hold exactly want (a string), or be absent when want
 * is NULL. */
static int claim_str(const json_t *vc, const char *name, const char *want, cp_diag *d) {
  const char *got = json_string_value(json_object_get(vc, name));
  if (want == NULL && json_object_get(vc, name) == NULL) return CP_OK;
  if (got == NULL || want == NULL || strcmp(got, want) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "vc+jwt: claim \"%s\" %s the credential's %s", name,
                       got == NULL ? "is missing or not a string, unlike" : "differs from",
                       strcmp(name, "iss") == 0   ? "issuer"
                       : strcmp(name, "jti") == 0 ? "id"
                                                  : "credentialSubject.id");
  return CP_OK;
}

int cp_vcjwt_open(const char *text, size_t len, json_t **vc, uint8_t issuer[CP_PK_BYTES],
                  cp_diag *d) {
  cp_jws j;
  json_t *p = NULL, *nbf;
  uint8_t pk[CP_PK_BYTES], kpk[CP_PK_BYTES];
  char vm[CP_VCDI_VM_MAX];
  const char *vf;
  uint64_t t;
  int rc;
  *vc = NULL;
  if ((rc = cp_jws_open(text, len, &j, d)) != CP_OK) return rc;
  if (strcmp(j.typ, CP_VCJWT_TYP) != 0) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vc+jwt: header typ is \"%s\", not \"vc+jwt\"", j.typ);
    goto out;
  }
  if ((rc = cp_jws_payload_json(&j, &p, d)) != CP_OK) goto out;
  if (cp_vc_didkey_of(json_object_get(p, "issuer"), pk) != CP_OK) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vc+jwt: issuer is not an Ed25519 did:key");
    goto out;
  }
  cp_vcdi_vm(pk, vm);
  if (j.kid[0] != 0 && strcmp(j.kid, vm) != 0) {
    /* Another key's verification method: if that key made the signature,
     * the credential was re-signed by someone who is not its issuer. */
    char *hash = strchr(j.kid, '#');
    if (hash != NULL) *hash = 0;
    if (cp_didkey_decode(j.kid, kpk) == CP_OK && cp_jws_verify(&j, kpk, NULL) == CP_OK)
      rc = cp_diag_set(d, CP_EDENIED, "vc+jwt: signed by %.80s, not by the issuer %s", j.kid,
                       str_of(json_object_get(p, "issuer")));
    else
      rc = cp_diag_set(d, CP_ECORRUPT, "vc+jwt: header kid is not the issuer's verification "
                       "method %s", vm);
    goto out;
  }
  if ((rc = cp_jws_verify(&j, pk, d)) != CP_OK) goto out;
  if ((rc = claim_str(p, "iss", str_of(json_object_get(p, "issuer")), d)) != CP_OK ||
      (rc = claim_str(p, "jti", json_string_value(json_object_get(p, "id")), d)) != CP_OK ||
      (rc = claim_str(p, "sub", str_of(json_object_get(p, "credentialSubject")), d)) != CP_OK)
    goto out;
  vf = json_string_value(json_object_get(p, "validFrom"));
  nbf = json_object_get(p, "nbf");
  if (vf == NULL || cp_vc_time_parse(vf, &t) != CP_OK) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vc+jwt: validFrom is not YYYY-MM-DDTHH:MM:SSZ");
    goto out;
  }
  if (!json_is_integer(nbf) || json_integer_value(nbf) != (json_int_t)t) {
    rc = cp_diag_set(d, CP_ECORRUPT, "vc+jwt: claim \"nbf\" differs from the credential's "
                     "validFrom");
    goto out;
  }
  memcpy(issuer, pk, CP_PK_BYTES);
  *vc = p;
  p = NULL;
out:
  json_decref(p);
  cp_jws_free(&j);
  return rc;
}
