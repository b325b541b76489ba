/*
 * credport — W3C Bitstring Status List v1.0 (see statuslist.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "credport/codec.h"
#include "credport/jws.h"
#include "credport/statuslist.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

#define VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"

uint64_t cp_status_list_bits(uint64_t log_size) {
  uint64_t step = CP_STATUS_BITS_MIN;
  if (log_size <= step) return step;
  return (log_size + step - 1) / step * step;
}

int cp_status_bit(const uint8_t *bits, size_t nbytes, uint64_t i) {
  if (i / 8 >= nbytes) return -1;
  return (bits[i / 8] & (0x80u >> (i % 8))) != 0;
}

int cp_status_encode(const uint8_t *bits, size_t nbytes, char **out, size_t *len) {
  z_stream z;
  uint8_t *gz = NULL;
  char *s = NULL;
  uLong cap;
  int rc = CP_ENOMEM;
  *out = NULL;
  if (nbytes > CP_STATUS_BITS_MAX / 8) return CP_ETOOBIG;
  memset(&z, 0, sizeof z);
  /* windowBits 15 + 16: a GZIP member (RFC 1952) rather than zlib. */
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return CP_ENOMEM;
  cap = deflateBound(&z, (uLong)nbytes) + 32;
  if ((gz = malloc(cap)) == NULL) goto out;
  z.next_in = (Bytef *)(uintptr_t)bits;
  z.avail_in = (uInt)nbytes;
  z.next_out = gz;
  z.avail_out = (uInt)cap;
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) goto out;
  if ((s = malloc(1 + CP_B64URL_LEN(z.total_out) + 1)) == NULL) goto out;
  s[0] = 'u';
  cp_b64url_encode(gz, z.total_out, s + 1);
  *len = 1 + CP_B64URL_LEN(z.total_out);
  *out = s;
  s = NULL;
  rc = CP_OK;
out:
  deflateEnd(&z);
  free(gz);
  free(s);
  return rc;
}

int cp_status_decode(const char *enc, size_t len, uint8_t **bits, size_t *nbytes, cp_diag *d) {
  const size_t max = CP_STATUS_BITS_MAX / 8;
  z_stream z;
  uint8_t *gz = NULL, *buf = NULL;
  size_t gzlen = 0, cap = CP_STATUS_BITS_MIN / 8;
  int rc, zr, zinit = 0;
  *bits = NULL;
  *nbytes = 0;
  if (len < 1 || enc[0] != 'u')
    return cp_diag_set(d, CP_ECORRUPT, "encodedList: not multibase base64url (no 'u' prefix)");
  if (len - 1 > CP_JWS_MAX) return cp_diag_set(d, CP_ETOOBIG, "encodedList: too long");
  if ((gz = malloc((len - 1) / 4 * 3 + 3)) == NULL) return CP_ENOMEM;
  if (cp_b64url_decode(enc + 1, len - 1, gz, (len - 1) / 4 * 3 + 3, &gzlen) != CP_OK) {
    rc = cp_diag_set(d, CP_ECORRUPT, "encodedList: not unpadded base64url after the 'u'");
    goto out;
  }
  memset(&z, 0, sizeof z);
  rc = CP_ENOMEM;
  if (inflateInit2(&z, 15 + 16) != Z_OK) goto out; /* GZIP only */
  zinit = 1;
  if ((buf = malloc(cap)) == NULL) goto out;
  z.next_in = gz;
  z.avail_in = (uInt)gzlen;
  for (;;) {
    z.next_out = buf + z.total_out;
    z.avail_out = (uInt)(cap - z.total_out);
    zr = inflate(&z, Z_NO_FLUSH);
    if (zr == Z_STREAM_END) break;
    if (zr == Z_BUF_ERROR && z.avail_out > 0) zr = Z_DATA_ERROR; /* input ended early */
    if (zr != Z_OK && zr != Z_BUF_ERROR) {
      rc = cp_diag_set(d, CP_ECORRUPT, "encodedList: not a valid GZIP stream (%s)",
                       z.msg != NULL ? z.msg : "truncated");
      goto out;
    }
    if (z.avail_out == 0) {
      uint8_t *nb;
      if (cap >= max + 1) {
        rc = cp_diag_set(d, CP_ETOOBIG, "encodedList: inflates to more than %u entries",
                         CP_STATUS_BITS_MAX);
        goto out;
      }
      cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
      if ((nb = realloc(buf, cap)) == NULL) goto out;
      buf = nb;
    }
  }
  if (z.avail_in != 0) {
    rc = cp_diag_set(d, CP_ECORRUPT, "encodedList: %u bytes follow the GZIP member", z.avail_in);
    goto out;
  }
  if (z.total_out > max) {
    rc = cp_diag_set(d, CP_ETOOBIG, "encodedList: inflates to more than %u entries",
                     CP_STATUS_BITS_MAX);
    goto out;
  }
  if (z.total_out < CP_STATUS_BITS_MIN / 8) {
    rc = cp_diag_set(d, CP_ECORRUPT, "encodedList: %lu entries, fewer than the minimum %u",
                     (unsigned long)z.total_out * 8, CP_STATUS_BITS_MIN);
    goto out;
  }
  *nbytes = z.total_out;
  *bits = buf;
  buf = NULL;
  rc = CP_OK;
out:
  if (zinit) inflateEnd(&z);
  free(gz);
  free(buf);
  return rc;
}

int cp_status_url_ok(const char *url) {
  size_t i, n = url != NULL ? strnlen(url, CP_STATUS_URL_MAX + 1) : 0;
  size_t scheme = strncmp(url != NULL ? url : "", "https://", 8) == 0  ? 8
                  : strncmp(url != NULL ? url : "", "http://", 7) == 0 ? 7
                                                                       : 0;
  if (scheme == 0 || n > CP_STATUS_URL_MAX || n <= scheme) return CP_EINVAL;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)url[i];
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '<' || c == '>' || c == '\\')
      return CP_EINVAL;
  }
  return CP_OK;
}

json_t *cp_status_entry(const char *url, uint64_t index) {
  char idx[24], *id;
  size_t n = strlen(url) + sizeof idx + 2;
  json_t *e;
  snprintf(idx, sizeof idx, "%llu", (unsigned long long)index);
  if ((id = malloc(n)) == NULL) return NULL;
  snprintf(id, n, "%s#%s", url, idx);
  e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "type", "BitstringStatusListEntry",
                "statusPurpose", CP_STATUS_PURPOSE, "statusListIndex", idx,
                "statusListCredential", url);
  free(id);
  return e;
}

static void fmt_time(uint64_t t, char out[21]) {
  struct tm tm;
  time_t tt = (time_t)t;
  gmtime_r(&tt, &tm);
  strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cp_status_list_build(const char *url, const uint8_t issuer[CP_PK_BYTES], uint64_t valid_from,
                         const uint8_t *bits, size_t nbytes, json_t **out, cp_diag *d) {
  char did[CP_DIDKEY_MAX], vf[21], *enc = NULL, *sid = NULL;
  size_t elen = 0, n;
  json_t *v;
  int rc;
  *out = NULL;
  if (cp_status_url_ok(url) != CP_OK)
    return cp_diag_set(d, CP_EINVAL, "status list URL \"%.80s\": not an http(s) URL of at most "
                       "%u printable characters without '#'", url, CP_STATUS_URL_MAX);
  if (nbytes * 8 < CP_STATUS_BITS_MIN || nbytes * 8 > CP_STATUS_BITS_MAX)
    return cp_diag_set(d, CP_EINVAL, "status list: %zu entries, outside %u..%u", nbytes * 8,
                       CP_STATUS_BITS_MIN, CP_STATUS_BITS_MAX);
  if ((rc = cp_status_encode(bits, nbytes, &enc, &elen)) != CP_OK)
    return cp_diag_set(d, rc, "status list: cannot compress the bitstring");
  cp_didkey_encode(issuer, did);
  fmt_time(valid_from, vf);
  n = strlen(url) + 6;
  if ((sid = malloc(n)) == NULL) {
    free(enc);
    return CP_ENOMEM;
  }
  snprintf(sid, n, "%s#list", url);
  v = json_pack("{s:[s],s:s,s:[s,s],s:s,s:s,s:{s:s,s:s,s:s,s:s}}", "@context", VC2_CONTEXT, "id",
                url, "type", "VerifiableCredential", "BitstringStatusListCredential", "issuer",
                did, "validFrom", vf, "credentialSubject", "id", sid, "type",
                "BitstringStatusList", "statusPurpose", CP_STATUS_PURPOSE, "encodedList", enc);
  free(enc);
  free(sid);
  if (v == NULL) return CP_ENOMEM;
  *out = v;
  return CP_OK;
}

void cp_status_list_free(cp_status_list *l) {
  if (l == NULL) return;
  free(l->bits);
  memset(l, 0, sizeof *l);
}

static int has_type(const json_t *types, const char *t) {
  size_t i;
  json_t *v;
  if (json_is_string(types)) return strcmp(json_string_value(types), t) == 0;
  json_array_foreach(types, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), t) == 0) return 1;
  }
  return 0;
}

int cp_status_list_open(const char *text, size_t len, cp_status_list *out, cp_diag *d) {
  json_t *doc = NULL, *cs;
  uint8_t pk[CP_PK_BYTES];
  const char *id, *enc;
  size_t i = 0;
  int rc;
  memset(out, 0, sizeof *out);
  if (len > CP_JWS_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "status list: longer than %u bytes", CP_JWS_MAX);
  while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
    i++;
  if (i < len && text[i] == '{') {
    uint8_t vpk[CP_PK_BYTES];
    if ((rc = cp_json_strict_object("status list", text, len, CP_JWS_DEPTH_MAX, &doc, d)) != 0)
      return rc;
    if (cp_vc_didkey_of(json_object_get(doc, "issuer"), pk) != CP_OK) {
      rc = cp_diag_set(d, CP_ECORRUPT, "status list: issuer is not an Ed25519 did:key");
      goto out;
    }
    if ((rc = cp_vcdi_verify(doc, vpk, d)) != CP_OK) goto out;
    if (memcmp(vpk, pk, CP_PK_BYTES) != 0) {
      rc = cp_diag_set(d, CP_EDENIED, "status list: the proof is not by its issuer's key");
      goto out;
    }
  } else {
    /* A JWT file may end in one line break. */
    size_t n = len;
    while (n > i && (text[n - 1] == '\n' || text[n - 1] == '\r')) n--;
    if ((rc = cp_vcjwt_open(text + i, n - i, &doc, pk, d)) != CP_OK) goto out;
    out->jwt = 1;
  }
  id = json_string_value(json_object_get(doc, "id"));
  cs = json_object_get(doc, "credentialSubject");
  enc = json_string_value(json_object_get(cs, "encodedList"));
  if (!has_type(json_object_get(doc, "type"), "VerifiableCredential") ||
      !has_type(json_object_get(doc, "type"), "BitstringStatusListCredential")) {
    rc = cp_diag_set(d, CP_ECORRUPT, "status list: type is not BitstringStatusListCredential");
    goto out;
  }
  if (id == NULL || cp_status_url_ok(id) != CP_OK) {
    rc = cp_diag_set(d, CP_ECORRUPT, "status list: id is not an http(s) URL");
    goto out;
  }
  if (!json_is_object(cs) || !has_type(json_object_get(cs, "type"), "BitstringStatusList")) {
    rc = cp_diag_set(d, CP_ECORRUPT, "status list: credentialSubject is not a BitstringStatusList");
    goto out;
  }
  if (!json_is_string(json_object_get(cs, "statusPurpose")) ||
      strcmp(json_string_value(json_object_get(cs, "statusPurpose")), CP_STATUS_PURPOSE) != 0) {
    rc = cp_diag_set(d, CP_ECORRUPT, "status list: statusPurpose is not \"revocation\"");
    goto out;
  }
  if (enc == NULL) {
    rc = cp_diag_set(d, CP_ECORRUPT, "status list: no encodedList string");
    goto out;
  }
  if ((rc = cp_status_decode(enc, strlen(enc), &out->bits, &out->nbytes, d)) != CP_OK) goto out;
  memcpy(out->issuer, pk, CP_PK_BYTES);
  memcpy(out->url, id, strlen(id) + 1);
out:
  json_decref(doc);
  return rc;
}

/* Strict decimal: digits only, no leading zero but "0", below 2^63. */
static int parse_index(const char *s, uint64_t *v) {
  size_t i, n = strlen(s);
  if (n == 0 || n > 18 || (n > 1 && s[0] == '0')) return CP_ECORRUPT;
  *v = 0;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return CP_ECORRUPT;
    *v = *v * 10 + (uint64_t)(s[i] - '0');
  }
  return CP_OK;
}

int cp_status_check(const cp_status_list *l, const json_t *status,
                    const uint8_t issuer[CP_PK_BYTES], int *revoked, cp_diag *d) {
  const json_t *e = NULL, *v;
  const char *idx, *url;
  uint64_t i;
  size_t k;
  int bit;
  if (json_is_array(status)) {
    json_array_foreach(status, k, v) {
      const char *p = json_string_value(json_object_get(v, "statusPurpose"));
      if (p != NULL && strcmp(p, CP_STATUS_PURPOSE) == 0) {
        if (e != NULL)
          return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: two revocation entries");
        e = v;
      }
    }
  } else {
    e = status;
  }
  if (!json_is_object(e))
    return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: no revocation status entry");
  v = json_object_get(e, "type");
  if (!json_is_string(v) || strcmp(json_string_value(v), "BitstringStatusListEntry") != 0)
    return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: type is not BitstringStatusListEntry");
  v = json_object_get(e, "statusPurpose");
  if (!json_is_string(v) || strcmp(json_string_value(v), CP_STATUS_PURPOSE) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: statusPurpose is not \"revocation\"");
  idx = json_string_value(json_object_get(e, "statusListIndex"));
  url = json_string_value(json_object_get(e, "statusListCredential"));
  if (idx == NULL || parse_index(idx, &i) != CP_OK)
    return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: statusListIndex is not a decimal "
                       "string");
  if (url == NULL)
    return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: no statusListCredential");
  if (memcmp(l->issuer, issuer, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "the status list is another issuer's");
  if (strcmp(url, l->url) != 0)
    return cp_diag_set(d, CP_EDENIED, "the status list is %.200s, the credential names %.200s",
                       l->url, url);
  if ((bit = cp_status_bit(l->bits, l->nbytes, i)) < 0)
    return cp_diag_set(d, CP_ECORRUPT, "credentialStatus: statusListIndex %llu beyond the "
                       "list's %zu entries", (unsigned long long)i, l->nbytes * 8);
  *revoked = bit;
  return CP_OK;
}
