/* credport — a verifier's trust file and durations (include/credport/trust.h). */
#include <string.h>

#include "credport/trust.h"

static int is_blank(char ch) {
  return ch == ' ' || ch == '\t';
}

/* Adds v to list[0..*n) (cap items), refusing a second listing of its key. */
static int add_key(cp_note_verifier *list, size_t *n, size_t cap, const cp_note_verifier *v,
                   unsigned *lines, unsigned line, const char *what, cp_diag *d) {
  for (size_t i = 0; i < *n; i++)
    if (memcmp(list[i].pk, v->pk, CP_PK_BYTES) == 0)
      return cp_diag_set(d, CP_ECORRUPT, "trust file line %u: the %s key of line %u again", line,
                         what, lines[i]);
  if (*n >= cap)
    return cp_diag_set(d, CP_ETOOBIG, "trust file line %u: more than %zu %s keys", line, cap, what);
  list[*n] = *v;
  lines[*n] = line;
  (*n)++;
  return CP_OK;
}

int cp_trust_parse(const char *text, size_t len, cp_trust *t, cp_diag *d) {
  unsigned line = 0;
  size_t pos = 0;
  memset(t, 0, sizeof *t);
  if (len > CP_TRUST_FILE_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "trust file: %zu bytes, more than %u", len,
                       CP_TRUST_FILE_MAX);
  if (len > 0 && text == NULL) return CP_EINVAL;
  while (pos < len) {
    const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
    size_t n = nl != NULL ? (size_t)(nl - p) : len - pos;
    pos += n + (nl != NULL);
    line++;
    if (n > CP_TRUST_LINE_MAX)
      return cp_diag_set(d, CP_ETOOBIG, "trust file line %u: %zu bytes, more than %u", line, n,
                         CP_TRUST_LINE_MAX);
    if (memchr(p, '\0', n) != NULL)
      return cp_diag_set(d, CP_ECORRUPT, "trust file line %u: a NUL byte", line);
    if (n > 0 && p[n - 1] == '\r') n--;
    while (n > 0 && is_blank(*p)) p++, n--;
    while (n > 0 && is_blank(p[n - 1])) n--;
    if (n == 0 || p[0] == '#') continue;
    int witness = n > 8 && memcmp(p, "witness", 7) == 0 && is_blank(p[7]);
    if (witness) {
      p += 8, n -= 8;
      while (n > 0 && is_blank(*p)) p++, n--;
    }
    cp_note_verifier v;
    cp_diag kd = {{0}};
    if (cp_note_vkey_parse(p, n, &v, &kd) != CP_OK)
      return cp_diag_set(d, CP_ECORRUPT, "trust file line %u: %s", line, kd.msg);
    int rc;
    if (witness) {
      if (v.alg != CP_NOTE_ALG_COSIG_V1)
        return cp_diag_set(d, CP_ECORRUPT,
                           "trust file line %u: \"witness\" needs a witness key (type 0x04, "
                           "whoami's witness_vkey), not an issuer key",
                           line);
      rc = add_key(t->witnesses, &t->n_witnesses, CP_WITNESS_TRUST_MAX, &v, t->witness_line, line,
                   "witness", d);
    } else {
      if (v.alg != CP_NOTE_ALG_ED25519)
        return cp_diag_set(d, CP_ECORRUPT,
                           "trust file line %u: a witness key (type 0x04) must be written "
                           "\"witness KEY\"",
                           line);
      rc = add_key(t->issuers, &t->n_issuers, CP_TRUST_ISSUERS_MAX, &v, t->issuer_line, line,
                   "issuer", d);
    }
    if (rc != CP_OK) return rc;
  }
  return CP_OK;
}

const cp_note_verifier *cp_trust_issuer(const cp_trust *t, const uint8_t pk[CP_PK_BYTES]) {
  for (size_t i = 0; i < t->n_issuers; i++)
    if (memcmp(t->issuers[i].pk, pk, CP_PK_BYTES) == 0) return &t->issuers[i];
  return NULL;
}

int cp_duration_parse(const char *s, uint64_t *secs) {
  uint64_t v = 0, unit;
  size_t i = 0;
  if (s == NULL || s[0] < '1' || s[0] > '9') return CP_EINVAL;
  for (; s[i] >= '0' && s[i] <= '9'; i++) {
    if (i >= 12) return CP_EINVAL;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  switch (s[i]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return CP_EINVAL;
  }
  if (s[i + 1] != '\0' || v > CP_DURATION_MAX_S / unit) return CP_EINVAL;
  *secs = v * unit;
  return CP_OK;
}
