/*
 * credport — ASCII armour of wallets and bundles (include/credport/bundle.h;
 * docs/FORMATS.md "Armour").
 *
 * Writing is exact (64-character lines, LF). Reading forgives what mail
 * clients and terminals do to text (CR before LF, indentation, trailing
 * blanks, blank lines) and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"
#include "credport/codec.h"

#define DATA_LINE_MAX 76U
#define SUM_BYTES 6U
#define SUM_CHARS 8U /* base64 of 6 bytes */

static const char dashes[] = "-----";

static const char *label_of(unsigned kind) {
  return kind == CP_BUNDLE_KIND_WALLET ? "WALLET" : "BUNDLE";
}

int cp_bundle_armor(const uint8_t *bin, size_t len, char **out, size_t *outlen) {
  uint8_t sum[CP_HASH_BYTES];
  size_t b64 = CP_B64_LEN(len), lines = b64 / CP_BUNDLE_ARMOR_LINE + 1, pos = 0;
  char *t = NULL, *enc = NULL;
  int rc = CP_ENOMEM;
  *out = NULL;
  *outlen = 0;
  if (len < 10 || len > CP_BUNDLE_MAX ||
      memcmp(bin, CP_BUNDLE_MAGIC, CP_BUNDLE_MAGIC_BYTES) != 0 ||
      (bin[9] != CP_BUNDLE_KIND_WALLET && bin[9] != CP_BUNDLE_KIND_BUNDLE))
    return CP_EINVAL;
  const char *label = label_of(bin[9]);
  size_t cap = b64 + lines + 2 * 64 + SUM_CHARS + 8;
  if ((enc = malloc(b64 + 1)) == NULL || (t = malloc(cap)) == NULL) goto out;
  cp_b64_encode(bin, len, enc);
  pos += (size_t)snprintf(t + pos, cap - pos, "%sBEGIN CREDPORT %s%s\n", dashes, label, dashes);
  for (size_t i = 0; i < b64; i += CP_BUNDLE_ARMOR_LINE) {
    size_t n = b64 - i < CP_BUNDLE_ARMOR_LINE ? b64 - i : CP_BUNDLE_ARMOR_LINE;
    memcpy(t + pos, enc + i, n);
    pos += n;
    t[pos++] = '\n';
  }
  cp_sha256_oneshot(bin, len, sum);
  t[pos++] = '=';
  cp_b64_encode(sum, SUM_BYTES, t + pos);
  pos += SUM_CHARS;
  t[pos++] = '\n';
  pos += (size_t)snprintf(t + pos, cap - pos, "%sEND CREDPORT %s%s\n", dashes, label, dashes);
  *out = t;
  *outlen = pos;
  t = NULL;
  rc = CP_OK;
out:
  free(enc);
  free(t);
  return rc;
}

static int is_b64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

/* The line [*s, *e) with spaces, tabs and CRs removed from both ends. */
static void trim(const char **s, const char **e) {
  while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r')) (*s)++;
  while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r')) (*e)--;
}

static int is_line(const char *s, const char *e, const char *what, const char *label) {
  char want[64];
  int n = snprintf(want, sizeof want, "%s%s CREDPORT %s%s", dashes, what, label, dashes);
  return n > 0 && (size_t)(e - s) == (size_t)n && memcmp(s, want, (size_t)n) == 0;
}

enum { S_BEFORE, S_DATA, S_END, S_AFTER };

int cp_bundle_unarmor(const char *text, size_t len, uint8_t **bin, size_t *binlen, cp_diag *d) {
  const char *p = text, *end = text + len, *label = NULL;
  char *data = NULL;
  uint8_t *out = NULL, sum[SUM_BYTES + 2], want[CP_HASH_BYTES];
  size_t nd = 0, line = 0, sumlen = 0, olen = 0;
  int state = S_BEFORE, rc = CP_OK;
  *bin = NULL;
  *binlen = 0;
  if (len > CP_BUNDLE_ARMOR_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "armour: %zu bytes, at most %u", len, CP_BUNDLE_ARMOR_MAX);
  if ((data = malloc(len + 1)) == NULL) return CP_ENOMEM;
  while (p < end && rc == CP_OK) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *s = p, *e = nl != NULL ? nl : end;
    p = nl != NULL ? nl + 1 : end;
    line++;
    trim(&s, &e);
    if (s == e) continue;
    switch (state) {
    case S_BEFORE:
      if (is_line(s, e, "BEGIN", "BUNDLE"))
        label = "BUNDLE";
      else if (is_line(s, e, "BEGIN", "WALLET"))
        label = "WALLET";
      else
        rc = cp_diag_set(d, CP_ECORRUPT, "armour line %zu: expected \"-----BEGIN CREDPORT "
                         "BUNDLE-----\" (or WALLET)", line);
      state = S_DATA;
      break;
    case S_DATA:
      if (*s == '=') {
        if ((size_t)(e - s) != 1 + SUM_CHARS ||
            cp_b64_decode(s + 1, SUM_CHARS, sum, sizeof sum, &sumlen) != CP_OK ||
            sumlen != SUM_BYTES)
          rc = cp_diag_set(d, CP_ECORRUPT, "armour line %zu: the checksum line must be \"=\" "
                           "and 8 base64 characters", line);
        state = S_END;
        break;
      }
      if ((size_t)(e - s) > DATA_LINE_MAX) {
        rc = cp_diag_set(d, CP_ECORRUPT, "armour line %zu: %zu characters, at most %u", line,
                         (size_t)(e - s), DATA_LINE_MAX);
        break;
      }
      for (const char *c = s; c < e; c++)
        if (!is_b64(*c)) {
          rc = cp_diag_set(d, CP_ECORRUPT, "armour line %zu byte %zu: not a base64 character",
                           line, (size_t)(c - s) + 1);
          break;
        }
      memcpy(data + nd, s, (size_t)(e - s));
      nd += (size_t)(e - s);
      break;
    case S_END:
      if (!is_line(s, e, "END", label))
        rc = cp_diag_set(d, CP_ECORRUPT, "armour line %zu: expected \"-----END CREDPORT "
                         "%s-----\"", line, label);
      state = S_AFTER;
      break;
    default:
      rc = cp_diag_set(d, CP_ECORRUPT, "armour line %zu: text after the END line", line);
      break;
    }
  }
  if (rc == CP_OK && state != S_AFTER)
    rc = cp_diag_set(d, CP_ECORRUPT, "armour: %s", state == S_BEFORE ? "no BEGIN line"
                     : state == S_DATA ? "no checksum line" : "no END line");
  if (rc == CP_OK && nd / 4 * 3 > CP_BUNDLE_MAX + 2)
    rc = cp_diag_set(d, CP_ETOOBIG, "armour: more than %u bytes of data", CP_BUNDLE_MAX);
  if (rc == CP_OK && (out = malloc(nd / 4 * 3 + 1)) == NULL) rc = CP_ENOMEM;
  if (rc == CP_OK && (nd == 0 || cp_b64_decode(data, nd, out, nd / 4 * 3 + 1, &olen) != CP_OK))
    rc = cp_diag_set(d, CP_ECORRUPT, "armour: the data lines are not canonical base64");
  if (rc == CP_OK) {
    cp_sha256_oneshot(out, olen, want);
    if (memcmp(want, sum, SUM_BYTES) != 0)
      rc = cp_diag_set(d, CP_ECORRUPT, "armour: checksum mismatch (the text was changed)");
  }
  if (rc == CP_OK && olen >= 10 && strcmp(label, label_of(out[9])) != 0)
    rc = cp_diag_set(d, CP_ECORRUPT, "armour: labelled %s but the container is a %s", label,
                     out[9] == CP_BUNDLE_KIND_WALLET ? "wallet" : "bundle");
  free(data);
  if (rc != CP_OK) {
    free(out);
    return rc;
  }
  *bin = out;
  *binlen = olen;
  return CP_OK;
}
