/*
 * credport — revocation-status statements and the binary form of absence
 * proofs (docs/FORMATS.md "Revocation status", R-rev-01..R-rev-03).
 */
#include <stdio.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/revstatus.h"

#define B64_HASH 44U /* base64 of 32 bytes */
#define B64_SIG 88U  /* base64 of 64 bytes */

static const char first_line[] = "credport revocation status v1\n";

/* ---- binary absence proofs (R-rev-03) ----------------------------------- */

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)v;
    v >>= 8;
  }
}

int cp_absence_encode(const cp_absence_proof *p, uint8_t *out, size_t cap, size_t *len) {
  if (p->nleaves > 2 || p->size > INT64_MAX) return CP_EINVAL;
  size_t need = 10;
  for (unsigned i = 0; i < p->nleaves; i++) {
    if (p->leaf[i].n > CP_PROOF_HASHES_MAX) return CP_EINVAL;
    need += 41 + p->leaf[i].n * CP_HASH_BYTES;
  }
  if (need > cap) return CP_ETOOBIG;
  uint8_t *w = out;
  *w++ = 1;
  put64(w, p->size);
  w += 8;
  *w++ = (uint8_t)p->nleaves;
  for (unsigned i = 0; i < p->nleaves; i++) {
    const cp_rev_leaf *l = &p->leaf[i];
    put64(w, l->index);
    w += 8;
    memcpy(w, l->id, CP_HASH_BYTES);
    w += CP_HASH_BYTES;
    *w++ = (uint8_t)l->n;
    for (size_t k = 0; k < l->n; k++, w += CP_HASH_BYTES) memcpy(w, l->path[k], CP_HASH_BYTES);
  }
  *len = need;
  return CP_OK;
}

typedef struct {
  const uint8_t *p, *start, *end;
} rd;

static int rd_need(rd *r, size_t n, cp_diag *d, const char *what) {
  if ((size_t)(r->end - r->p) < n)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof: truncated at byte %zu (%s)",
                       (size_t)(r->p - r->start), what);
  return CP_OK;
}

static uint64_t rd64(rd *r) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | *r->p++;
  return v;
}

int cp_absence_decode(const uint8_t *in, size_t len, cp_absence_proof *p, cp_diag *d) {
  rd r = {in, in, in + len};
  int rc;
  if (len > CP_ABSENCE_BIN_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "absence proof: %zu bytes, at most %u", len,
                       CP_ABSENCE_BIN_MAX);
  memset(p, 0, sizeof *p);
  if ((rc = rd_need(&r, 10, d, "header")) != 0) return rc;
  if (*r.p != 1) return cp_diag_set(d, CP_ECORRUPT, "absence proof: byte 0: version %u, not 1", *r.p);
  r.p++;
  p->size = rd64(&r);
  if (p->size > INT64_MAX)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof: byte 1: size above 2^63-1");
  p->nleaves = *r.p++;
  if (p->nleaves > 2)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof: byte 9: %u leaves, at most 2", p->nleaves);
  for (unsigned i = 0; i < p->nleaves; i++) {
    cp_rev_leaf *l = &p->leaf[i];
    if ((rc = rd_need(&r, 41, d, "leaf")) != 0) return rc;
    l->index = rd64(&r);
    memcpy(l->id, r.p, CP_HASH_BYTES);
    r.p += CP_HASH_BYTES;
    l->n = *r.p;
    if (l->n > CP_PROOF_HASHES_MAX)
      return cp_diag_set(d, CP_ECORRUPT, "absence proof: byte %zu: %zu hashes, at most %u",
                         (size_t)(r.p - r.start), l->n, CP_PROOF_HASHES_MAX);
    r.p++;
    if ((rc = rd_need(&r, l->n * CP_HASH_BYTES, d, "path")) != 0) return rc;
    for (size_t k = 0; k < l->n; k++, r.p += CP_HASH_BYTES) memcpy(l->path[k], r.p, CP_HASH_BYTES);
  }
  if (r.p != r.end)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof: byte %zu: trailing bytes",
                       (size_t)(r.p - r.start));
  return CP_OK;
}

/* ---- statements (R-rev-01, R-rev-02) ------------------------------------ */

static int body(const char *origin, uint64_t size, const uint8_t root[CP_HASH_BYTES],
                uint64_t count, const uint8_t rev_root[CP_HASH_BYTES], char *out, size_t cap,
                size_t *len) {
  char r1[B64_HASH + 1], r2[B64_HASH + 1];
  cp_b64_encode(root, CP_HASH_BYTES, r1);
  cp_b64_encode(rev_root, CP_HASH_BYTES, r2);
  int n = snprintf(out, cap, "%sorigin %s\nsize %llu\nroot %s\nrevoked %llu\nrevocation-root %s\n",
                   first_line, origin, (unsigned long long)size, r1, (unsigned long long)count, r2);
  if (n < 0 || (size_t)n >= cap) return CP_ETOOBIG;
  *len = (size_t)n;
  return CP_OK;
}

int cp_revstat_sign(const cp_key *k, const char *origin, uint64_t size,
                    const uint8_t root[CP_HASH_BYTES], uint64_t count,
                    const uint8_t rev_root[CP_HASH_BYTES], char *out, size_t cap, size_t *len) {
  size_t n;
  uint8_t sig[CP_SIG_BYTES];
  char s64[B64_SIG + 1];
  if (!cp_note_name_valid(origin, strlen(origin)) || size > INT64_MAX || count > size)
    return CP_EINVAL;
  int rc = body(origin, size, root, count, rev_root, out, cap, &n);
  if (rc != 0) return rc;
  /* SPEC: R-rev-02 */
  if ((rc = cp_sig_sign(k, CP_PURPOSE_STATEMENT, (const uint8_t *)out, n, sig)) != 0) return rc;
  cp_b64_encode(sig, CP_SIG_BYTES, s64);
  int m = snprintf(out + n, cap - n, "signature %s\n", s64);
  if (m < 0 || (size_t)m >= cap - n) return CP_ETOOBIG;
  *len = n + (size_t)m;
  return CP_OK;
}

/* Reads the line "<key> <value>\n" at *pos: value bounds in *v, *vlen. */
static int field(const char *t, size_t len, size_t *pos, const char *key, unsigned lineno,
                 const char **v, size_t *vlen, cp_diag *d) {
  size_t kl = strlen(key), p = *pos;
  if (len - p < kl + 1 || memcmp(t + p, key, kl) != 0 || t[p + kl] != ' ')
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line %u: expected \"%s \"", lineno,
                       key);
  p += kl + 1;
  const char *nl = memchr(t + p, '\n', len - p);
  if (nl == NULL)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line %u: no line end", lineno);
  *v = t + p;
  *vlen = (size_t)(nl - (t + p));
  *pos = (size_t)(nl - t) + 1;
  return CP_OK;
}

static int dec_u64(const char *v, size_t n, uint64_t *out) {
  uint64_t x = 0;
  if (n == 0 || n > 19 || (n > 1 && v[0] == '0')) return CP_ECORRUPT;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9') return CP_ECORRUPT;
    x = x * 10 + (uint64_t)(v[i] - '0');
  }
  if (x > INT64_MAX) return CP_ECORRUPT;
  *out = x;
  return CP_OK;
}

static int dec_b64(const char *v, size_t n, uint8_t *out, size_t want) {
  size_t got;
  if (cp_b64_decode(v, n, out, want, &got) != 0 || got != want) return CP_ECORRUPT;
  return CP_OK;
}

int cp_revstat_parse(const char *t, size_t len, cp_revstat *st, cp_diag *d) {
  size_t pos = sizeof first_line - 1, n;
  const char *v;
  int rc;
  uint8_t empty[CP_HASH_BYTES];
  memset(st, 0, sizeof *st);
  if (len > CP_REVSTAT_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "revocation statement: %zu bytes, at most %u", len,
                       CP_REVSTAT_MAX);
  if (len < pos || memcmp(t, first_line, pos) != 0)
    return cp_diag_set(d, CP_ECORRUPT,
                       "revocation statement line 1: not \"credport revocation status v1\"");
  if ((rc = field(t, len, &pos, "origin", 2, &v, &n, d)) != 0) return rc;
  if (!cp_note_name_valid(v, n))
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line 2: invalid origin");
  memcpy(st->origin, v, n);
  st->origin[n] = 0;
  if ((rc = field(t, len, &pos, "size", 3, &v, &n, d)) != 0) return rc;
  if (dec_u64(v, n, &st->size) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line 3: invalid size");
  if ((rc = field(t, len, &pos, "root", 4, &v, &n, d)) != 0) return rc;
  if (dec_b64(v, n, st->root, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line 4: invalid root");
  if ((rc = field(t, len, &pos, "revoked", 5, &v, &n, d)) != 0) return rc;
  if (dec_u64(v, n, &st->count) != 0 || st->count > st->size)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line 5: invalid count");
  if ((rc = field(t, len, &pos, "revocation-root", 6, &v, &n, d)) != 0) return rc;
  if (dec_b64(v, n, st->rev_root, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line 6: invalid revocation root");
  st->signed_len = pos;
  if ((rc = field(t, len, &pos, "signature", 7, &v, &n, d)) != 0) return rc;
  if (dec_b64(v, n, st->sig, CP_SIG_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement line 7: invalid signature");
  if (pos != len)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement: bytes after line 7");
  cp_merkle_empty_root(empty);
  if (st->size == 0 && memcmp(st->root, empty, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "revocation statement: size 0 needs the empty root");
  if (st->count == 0 && memcmp(st->rev_root, empty, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT,
                       "revocation statement: no revocations needs the empty revocation root");
  return CP_OK;
}

int cp_revstat_open(const char *text, size_t len, const cp_note_verifier *vs, size_t nv,
                    cp_revstat *st, cp_diag *d) {
  int rc = cp_revstat_parse(text, len, st, d);
  if (rc != 0) return rc;
  for (size_t i = 0; i < nv; i++) {
    if (vs[i].alg != CP_NOTE_ALG_ED25519 || strcmp(vs[i].name, st->origin) != 0) continue;
    /* SPEC: R-rev-02 */
    if (cp_sig_verify(CP_PURPOSE_STATEMENT, st->sig, (const uint8_t *)text, st->signed_len,
                      vs[i].pk) == 0)
      return CP_OK;
  }
  return cp_diag_set(d, CP_EBADSIG,
                     "revocation statement: no signature by a given key of origin %s verifies",
                     st->origin);
}
