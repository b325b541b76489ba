/* Verifying an Open Badges 3.0 credential file; see include/credport/ob3.h. */
#include "credport/ob3.h"

#include <stdio.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jcs.h"
#include "credport/vcdi.h"

#define OB_CONTEXT_PREFIX "https://purl.imsglobal.org/spec/ob/v3p0/context"

/* Refuses nesting deeper than CP_JCS_DEPTH_MAX before the parser sees it,
 * so a hostile file costs one linear scan. */
static int depth_scan(const char *t, size_t n, cp_diag *d) {
  size_t i, depth = 0;
  int in_str = 0;
  for (i = 0; i < n; i++) {
    char c = t[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == '[' || c == '{') {
      if (++depth > CP_JCS_DEPTH_MAX)
        return cp_diag_set(d, CP_ETOOBIG, "JSON nested deeper than %u levels at byte %zu",
                           CP_JCS_DEPTH_MAX, i);
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return 0;
}

static int has_string(const json_t *arr, const char *s) {
  size_t i;
  for (i = 0; i < json_array_size(arr); i++) {
    const json_t *v = json_array_get(arr, i);
    if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return 1;
  }
  return 0;
}

/* XML Schema dateTimeStamp in the form the VC data model requires. */
static int is_datetime(const char *s) {
  int y, mo, dd, h, mi, sec, n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &dd, &h, &mi, &sec, &n) != 6 || n != 19)
    return 0;
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || h > 23 || mi > 59 || sec > 60) return 0;
  s += 19;
  if (*s == '.') {
    s++;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') s++;
  }
  if (strcmp(s, "Z") == 0) return 1;
  return (s[0] == '+' || s[0] == '-') && strlen(s) == 6 && s[3] == ':';
}

static int check_shape(const json_t *vc, uint8_t issuer[CP_PK_BYTES], cp_diag *d) {
  const json_t *ctx = json_object_get(vc, "@context"), *type = json_object_get(vc, "type");
  const json_t *iss = json_object_get(vc, "issuer"), *sub = json_object_get(vc, "credentialSubject");
  const json_t *from = json_object_get(vc, "validFrom"), *c1;
  if (!json_is_array(ctx) || json_array_size(ctx) < 2 ||
      !json_is_string(json_array_get(ctx, 0)) ||
      strcmp(json_string_value(json_array_get(ctx, 0)), CP_OB3_CONTEXT_VC) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "@context: must start with " CP_OB3_CONTEXT_VC);
  c1 = json_array_get(ctx, 1);
  if (!json_is_string(c1) ||
      strncmp(json_string_value(c1), OB_CONTEXT_PREFIX, sizeof OB_CONTEXT_PREFIX - 1) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "@context[1]: not an Open Badges 3.0 context");
  if (!json_is_array(type) || !has_string(type, "VerifiableCredential") ||
      !(has_string(type, "OpenBadgeCredential") || has_string(type, "AchievementCredential")))
    return cp_diag_set(d, CP_ECORRUPT, "type: must hold VerifiableCredential and "
                                       "OpenBadgeCredential");
  if (!json_is_string(json_object_get(vc, "id")))
    return cp_diag_set(d, CP_ECORRUPT, "id: missing or not a string");
  if (json_is_object(iss)) iss = json_object_get(iss, "id");
  if (!json_is_string(iss) || cp_didkey_decode(json_string_value(iss), issuer) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "issuer.id: not an Ed25519 did:key");
  if (!json_is_object(sub))
    return cp_diag_set(d, CP_ECORRUPT, "credentialSubject: missing or not an object");
  if (!json_is_object(json_object_get(sub, "achievement")))
    return cp_diag_set(d, CP_ECORRUPT, "credentialSubject.achievement: missing or not an "
                                       "object");
  if (!json_is_string(from) || !is_datetime(json_string_value(from)))
    return cp_diag_set(d, CP_ECORRUPT, "validFrom: missing or not a date-time");
  return 0;
}

int cp_ob3_verify_json(const char *text, size_t len, cp_ob3_verdict *v, cp_diag *d) {
  json_error_t err;
  json_t *vc = NULL;
  uint8_t signer[CP_PK_BYTES];
  int rc;
  memset(v, 0, sizeof *v);
  if (len > CP_OB3_TEXT_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "a credential is at most %u bytes; this is %zu",
                       CP_OB3_TEXT_MAX, len);
  if ((rc = depth_scan(text, len, d)) != 0) return rc;
  vc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  if (vc == NULL)
    return cp_diag_set(d, CP_ECORRUPT, "not JSON at line %d column %d: %s", err.line,
                       err.column, err.text);
  if (!json_is_object(vc)) {
    rc = cp_diag_set(d, CP_ECORRUPT, "not a JSON object");
    goto out;
  }
  if ((rc = check_shape(vc, v->issuer, d)) != 0) goto out;
  snprintf(v->id, sizeof v->id, "%s", json_string_value(json_object_get(vc, "id")));
  if ((rc = cp_vcdi_verify(vc, signer, d)) != 0) goto out;
  if (memcmp(signer, v->issuer, CP_PK_BYTES) != 0) {
    char a[CP_DIDKEY_MAX], b[CP_DIDKEY_MAX];
    cp_didkey_encode(signer, a);
    cp_didkey_encode(v->issuer, b);
    rc = cp_diag_set(d, CP_EDENIED, "not the issuer's key: signed by %s, the issuer is %s", a, b);
  }
out:
  json_decref(vc);
  return rc;
}

int cp_ob3_check_shape(const json_t *vc, uint8_t issuer[CP_PK_BYTES], cp_diag *d) {
  return check_shape(vc, issuer, d);
}
