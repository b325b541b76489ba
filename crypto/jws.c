/*
 * credport — compact JWS with EdDSA (see jws.h). Hand-written: the JOSE
 * libraries Debian 12 ships (libjwt 1.10, cjose 0.6) have no EdDSA.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jws.h"

#define HDR_ALG "EdDSA"

/* Members a protected header may carry; anything else is refused. */
static const char *const HDR_KNOWN[] = {"alg", "typ", "cty", "kid", "iss", "jwk"};

/* Refuses nesting deeper than max_depth before jansson sees the text, so
 * no parser recursion depends on the input beyond that. Strings are
 * skipped with their escapes; anything malformed is left to jansson. */
static int depth_ok(const char *s, size_t len, unsigned max_depth, size_t *at) {
  size_t i;
  unsigned depth = 0;
  int in_str = 0;
  for (i = 0; i < len; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        *at = i;
        return 0;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return 1;
}

int cp_json_strict_object(const char *what, const char *text, size_t len, unsigned max_depth,
                          json_t **out, cp_diag *d) {
  json_error_t err;
  json_t *v;
  size_t at = 0;
  *out = NULL;
  if (!depth_ok(text, len, max_depth, &at))
    return cp_diag_set(d, CP_ECORRUPT, "%s: nested more than %u deep at byte %zu", what,
                       max_depth, at);
  v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  if (v == NULL)
    return cp_diag_set(d, CP_ECORRUPT, "%s: invalid JSON at byte %d: %s", what, err.position,
                       err.text);
  if (!json_is_object(v)) {
    json_decref(v);
    return cp_diag_set(d, CP_ECORRUPT, "%s: not a JSON object", what);
  }
  *out = v;
  return CP_OK;
}

void cp_jws_free(cp_jws *j) {
  if (j == NULL) return;
  free(j->payload);
  free(j->signing_input);
  memset(j, 0, sizeof *j);
}

/* ---- signing ---------------------------------------------------------------- */

/* NULL, or printable ASCII without '"' and '\\'. */
static int plain(const char *s) {
  for (; s != NULL && *s != 0; s++)
    if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\') return 0;
  return 1;
}

int cp_jws_sign(const cp_key *k, const char *typ, const char *kid, const uint8_t *payload,
                size_t len, char **out, size_t *outlen) {
  json_t *h = NULL;
  char *hs = NULL, *buf = NULL;
  size_t hlen, total, o;
  uint8_t sig[CP_SIG_BYTES];
  int rc = CP_ENOMEM;
  *out = NULL;
  if ((typ != NULL && strlen(typ) > CP_JWS_TYP_MAX) ||
      (kid != NULL && strlen(kid) > CP_JWS_KID_MAX) || (payload == NULL && len > 0))
    return CP_EINVAL;
  if (len > CP_JWS_MAX / 4 * 3) return CP_ETOOBIG;
  if (plain(typ) && plain(kid)) {
    /* Printable ASCII without '"' or '\\' needs no escaping: written
     * directly, as jansson would write it. */
    size_t cap = sizeof "{\"alg\":\"EdDSA\",\"typ\":\"\",\"kid\":\"\"}" + CP_JWS_TYP_MAX +
                 CP_JWS_KID_MAX;
    if ((hs = malloc(cap)) == NULL) goto out;
    snprintf(hs, cap, "{\"alg\":\"" HDR_ALG "\"%s%s%s%s%s%s}", typ ? ",\"typ\":\"" : "",
             typ ? typ : "", typ ? "\"" : "", kid ? ",\"kid\":\"" : "", kid ? kid : "",
             kid ? "\"" : "");
  } else {
    if ((h = json_object()) == NULL || json_object_set_new(h, "alg", json_string(HDR_ALG)) != 0 ||
        (typ != NULL && json_object_set_new(h, "typ", json_string(typ)) != 0) ||
        (kid != NULL && json_object_set_new(h, "kid", json_string(kid)) != 0))
      goto out;
    if ((hs = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) goto out;
  }
  hlen = strlen(hs);
  total = CP_B64URL_LEN(hlen) + 1 + CP_B64URL_LEN(len) + 1 + CP_B64URL_LEN(CP_SIG_BYTES);
  if (total > CP_JWS_MAX) {
    rc = CP_ETOOBIG;
    goto out;
  }
  /* Two spare bytes: callers that write a file add a line break. */
  if ((buf = malloc(total + 3)) == NULL) goto out;
  cp_b64url_encode((const uint8_t *)hs, hlen, buf);
  o = CP_B64URL_LEN(hlen);
  buf[o++] = '.';
  cp_b64url_encode(payload, len, buf + o);
  o += CP_B64URL_LEN(len);
  if ((rc = cp_sig_sign_raw(k, (const uint8_t *)buf, o, sig)) != CP_OK) goto out;
  buf[o++] = '.';
  cp_b64url_encode(sig, sizeof sig, buf + o);
  *out = buf;
  *outlen = total;
  buf = NULL;
  rc = CP_OK;
out:
  free(buf);
  free(hs);
  json_decref(h);
  return rc;
}

int cp_jws_sign_json(const cp_key *k, const char *typ, const char *kid, const json_t *payload,
                     char **out, size_t *outlen) {
  char *p = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
  int rc;
  *out = NULL;
  if (p == NULL) return CP_EINVAL;
  rc = cp_jws_sign(k, typ, kid, (const uint8_t *)p, strlen(p), out, outlen);
  free(p);
  return rc;
}

int cp_jws_end_line(char **text, size_t *len) {
  char *t = realloc(*text, *len + 2);
  if (t == NULL) {
    free(*text);
    *text = NULL;
    return CP_ENOMEM;
  }
  t[(*len)++] = '\n';
  t[*len] = 0;
  *text = t;
  return CP_OK;
}

/* ---- opening ---------------------------------------------------------------- */

static int copy_str(json_t *h, const char *name, char *dst, size_t cap, cp_diag *d) {
  json_t *v = json_object_get(h, name);
  if (v == NULL) return CP_OK;
  if (!json_is_string(v))
    return cp_diag_set(d, CP_ECORRUPT, "JWS header: \"%s\" is not a string", name);
  if (json_string_length(v) >= cap || strlen(json_string_value(v)) != json_string_length(v))
    return cp_diag_set(d, CP_ECORRUPT, "JWS header: \"%s\" is longer than %zu bytes", name,
                       cap - 1);
  memcpy(dst, json_string_value(v), json_string_length(v) + 1);
  return CP_OK;
}

/* An Ed25519 public JWK and nothing else (RFC 8037 section 2). */
static int read_jwk(json_t *jwk, uint8_t x[CP_PK_BYTES], cp_diag *d) {
  const char *key;
  json_t *v;
  const char *kty = json_string_value(json_object_get(jwk, "kty"));
  const char *crv = json_string_value(json_object_get(jwk, "crv"));
  const char *xs = json_string_value(json_object_get(jwk, "x"));
  size_t n = 0;
  if (!json_is_object(jwk)) return cp_diag_set(d, CP_ECORRUPT, "JWS header: jwk is not an object");
  if (kty == NULL || strcmp(kty, "OKP") != 0)
    return cp_diag_set(d, CP_ECORRUPT, "JWS header: jwk kty must be \"OKP\"");
  if (crv == NULL || strcmp(crv, "Ed25519") != 0)
    return cp_diag_set(d, CP_ECORRUPT, "JWS header: jwk crv must be \"Ed25519\", not %s%s%s",
                       crv ? "\"" : "", crv ? crv : "missing", crv ? "\"" : "");
  json_object_foreach(jwk, key, v) {
    if (strcmp(key, "kty") != 0 && strcmp(key, "crv") != 0 && strcmp(key, "x") != 0)
      return cp_diag_set(d, CP_ECORRUPT, "JWS header: jwk member \"%s\" is not allowed "
                         "(a public Ed25519 key has kty, crv and x only)", key);
  }
  if (xs == NULL || cp_b64url_decode(xs, strlen(xs), x, CP_PK_BYTES, &n) != CP_OK ||
      n != CP_PK_BYTES)
    return cp_diag_set(d, CP_ECORRUPT, "JWS header: jwk x is not 32 bytes of base64url");
  return CP_OK;
}

static int check_header(json_t *h, cp_jws *j, cp_diag *d) {
  const char *key;
  json_t *v;
  int rc;
  if (json_object_get(h, "crit") != NULL)
    return cp_diag_set(d, CP_ECORRUPT, "JWS header: \"crit\" names extensions credport "
                       "does not understand");
  json_object_foreach(h, key, v) {
    size_t i, known = 0;
    for (i = 0; i < sizeof HDR_KNOWN / sizeof HDR_KNOWN[0]; i++)
      if (strcmp(key, HDR_KNOWN[i]) == 0) known = 1;
    if (!known)
      return cp_diag_set(d, CP_ECORRUPT, "JWS header: member \"%.64s\" is not allowed", key);
  }
  v = json_object_get(h, "alg");
  if (v == NULL) return cp_diag_set(d, CP_ECORRUPT, "JWS header: no \"alg\"");
  if (!json_is_string(v)) return cp_diag_set(d, CP_ECORRUPT, "JWS header: \"alg\" is not a string");
  if (strcmp(json_string_value(v), HDR_ALG) != 0 || json_string_length(v) != strlen(HDR_ALG))
    return cp_diag_set(d, CP_EINVAL, "JWS header: alg \"%.32s\" refused: only EdDSA (Ed25519) "
                       "is accepted", json_string_value(v));
  if ((rc = copy_str(h, "typ", j->typ, sizeof j->typ, d)) != CP_OK ||
      (rc = copy_str(h, "cty", j->cty, sizeof j->cty, d)) != CP_OK ||
      (rc = copy_str(h, "kid", j->kid, sizeof j->kid, d)) != CP_OK ||
      (rc = copy_str(h, "iss", j->iss, sizeof j->iss, d)) != CP_OK)
    return rc;
  if ((v = json_object_get(h, "jwk")) != NULL) {
    if ((rc = read_jwk(v, j->jwk_x, d)) != CP_OK) return rc;
    j->has_jwk = 1;
  }
  return CP_OK;
}

static int b64part(const char *what, const char *s, size_t len, uint8_t *out, size_t cap,
                   size_t *n, cp_diag *d) {
  size_t i;
  int rc;
  for (i = 0; i < len; i++)
    if (!(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= 'a' && s[i] <= 'z') &&
        !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' && s[i] != '_')
      return cp_diag_set(d, CP_ECORRUPT, "JWS %s: character %zu is not base64url", what, i);
  rc = cp_b64url_decode(s, len, out, cap, n);
  if (rc == CP_ETOOBIG)
    return cp_diag_set(d, CP_ETOOBIG, "JWS %s: longer than %zu bytes", what, cap);
  if (rc != CP_OK)
    return cp_diag_set(d, CP_ECORRUPT, "JWS %s: not unpadded base64url", what);
  return CP_OK;
}

int cp_jws_open(const char *text, size_t len, cp_jws *out, cp_diag *d) {
  const char *dot1, *dot2;
  uint8_t hbuf[CP_JWS_HEADER_MAX];
  json_t *h = NULL;
  size_t hlen = 0, n = 0;
  cp_jws j;
  int rc;
  memset(out, 0, sizeof *out);
  memset(&j, 0, sizeof j);
  if (len > CP_JWS_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "JWS: longer than %u bytes", CP_JWS_MAX);
  dot1 = memchr(text, '.', len);
  dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - text)) : NULL;
  if (dot1 == NULL || dot2 == NULL ||
      memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - text)) != NULL)
    return cp_diag_set(d, CP_ECORRUPT, "JWS: not three dot-separated parts (compact form)");
  if ((rc = b64part("header", text, (size_t)(dot1 - text), hbuf, sizeof hbuf, &hlen, d)) != 0)
    goto out;
  if ((rc = cp_json_strict_object("JWS header", (const char *)hbuf, hlen, CP_JWS_DEPTH_MAX, &h,
                                  d)) != 0)
    goto out;
  if ((rc = check_header(h, &j, d)) != CP_OK) goto out;
  rc = CP_ENOMEM;
  n = (size_t)(dot2 - dot1 - 1);
  if ((j.payload = malloc(n / 4 * 3 + 3)) == NULL) goto out;
  if ((rc = b64part("payload", dot1 + 1, n, j.payload, n / 4 * 3 + 2, &j.payload_len, d)) != 0)
    goto out;
  j.payload[j.payload_len] = 0;
  if ((rc = b64part("signature", dot2 + 1, len - (size_t)(dot2 + 1 - text), j.sig, sizeof j.sig,
                    &n, d)) != 0)
    goto out;
  if (n != CP_SIG_BYTES) {
    rc = cp_diag_set(d, CP_ECORRUPT, "JWS signature: %zu bytes, not 64", n);
    goto out;
  }
  j.signing_len = (size_t)(dot2 - text);
  rc = CP_ENOMEM;
  if ((j.signing_input = malloc(j.signing_len + 1)) == NULL) goto out;
  memcpy(j.signing_input, text, j.signing_len);
  j.signing_input[j.signing_len] = 0;
  *out = j;
  memset(&j, 0, sizeof j);
  rc = CP_OK;
out:
  cp_jws_free(&j);
  json_decref(h);
  return rc;
}

int cp_jws_verify(const cp_jws *j, const uint8_t pk[CP_PK_BYTES], cp_diag *d) {
  if (j->has_jwk && sodium_memcmp(j->jwk_x, pk, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "JWS header: jwk names another key than the signer's");
  if (cp_sig_verify_raw(j->sig, (const uint8_t *)j->signing_input, j->signing_len, pk) != CP_OK)
    return cp_diag_set(d, CP_EBADSIG, "JWS signature does not verify");
  return CP_OK;
}

int cp_jws_payload_json(const cp_jws *j, json_t **out, cp_diag *d) {
  return cp_json_strict_object("JWS payload", (const char *)j->payload, j->payload_len,
                               CP_JWS_DEPTH_MAX, out, d);
}
