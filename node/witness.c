/*
 * credport — witnessing: the node's cosignatures on the checkpoints of
 * other logs, and the cosignatures of trusted witnesses carried with them
 * (docs/PROTOCOL.md L-2, C2SP tlog-cosignature/v1).
 *
 * A stored checkpoint note is the checkpoint text, the log's signature line
 * and at most CP_WITNESS_COSIGS_MAX cosignature lines, each by a different
 * witness key: the node's own first, then the freshest of the others.
 * Every line was verified before it was stored: the log's under the log's
 * key, a cosignature under a trusted witness key (or made here).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "credport/codec.h"
#include "store_internal.h"

#define EM_DASH_SP "\xe2\x80\x94 "
#define EM_DASH_SP_LEN 4U
#define COSIG_RAW (4U + 8U + CP_SIG_BYTES)
#define META_WITNESSES "witnesses"

/* One signature line of a note. */
typedef struct sigline {
  const char *p;   /* the line, "\n" included */
  size_t len;
  const char *name;
  size_t nlen;
  uint32_t key_id;
  int cosig;       /* a cosignature/v1 line (key id, time, signature) */
  uint64_t ts;
  int own;         /* by the node's own witness key */
} sigline;

/* Splits a note into its text length and its signature lines (at most
 * cap; more are ignored). The note is assumed well-formed (it was parsed
 * before, or stored). */
static size_t note_lines(const char *s, size_t len, size_t *tlen, sigline *v, size_t cap) {
  size_t i, n = 0;
  *tlen = 0;
  if (len < 2) return 0;
  for (i = len - 1; i-- > 0;)
    if (s[i] == '\n' && s[i + 1] == '\n') break;
  if (i == (size_t)-1) return 0;
  *tlen = i + 1;
  for (const char *p = s + i + 2, *end = s + len; p < end && n < cap;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
    uint8_t raw[COSIG_RAW + 1];
    size_t rawlen = 0;
    if (nl == NULL) break;
    sigline *l = &v[n];
    memset(l, 0, sizeof *l);
    l->p = p;
    l->len = (size_t)(nl - p) + 1;
    p = nl + 1;
    if (l->len < EM_DASH_SP_LEN + 3 || memcmp(l->p, EM_DASH_SP, EM_DASH_SP_LEN) != 0) continue;
    l->name = l->p + EM_DASH_SP_LEN;
    sp = memchr(l->name, ' ', (size_t)(nl - l->name));
    if (sp == NULL) continue;
    l->nlen = (size_t)(sp - l->name);
    if (cp_b64_decode(sp + 1, (size_t)(nl - sp - 1), raw, sizeof raw, &rawlen) != CP_OK ||
        rawlen < 4)
      continue;
    l->key_id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    if (rawlen == COSIG_RAW) {
      l->cosig = 1;
      for (unsigned k = 0; k < 8; k++) l->ts = l->ts << 8 | raw[4 + k];
    }
    n++;
  }
  return n;
}

static int line_by(const sigline *l, const cp_note_verifier *v) {
  return l->key_id == v->key_id && l->nlen == strlen(v->name) &&
         memcmp(l->name, v->name, l->nlen) == 0;
}

static int same_key(const sigline *a, const sigline *b) {
  return a->key_id == b->key_id && a->nlen == b->nlen && memcmp(a->name, b->name, a->nlen) == 0;
}

/* Whether a received cosignature line at ts is worth taking over a held one
 * by the same key at held (held_ok: there is one) at time now: not from
 * the future beyond the clock skew allowed, and, to replace a held line,
 * at least CP_WITNESS_REFRESH_S newer, so that a trusted witness cannot
 * make the node store a note per second it signs. */
static int fresh_enough(const cp_store *s, uint64_t ts, int held_ok, uint64_t held, uint64_t now) {
  uint64_t refresh = s->witness_refresh_s ? s->witness_refresh_s : CP_WITNESS_REFRESH_S;
  if (ts > now + CP_TIME_SKEW_MAX) return 0;
  return !held_ok || (ts > held && ts - held >= refresh);
}

/* Keeps l in the set v[0..*n): one line per key, the freshest. */
static void keep(const cp_store *s, sigline *v, size_t *n, const sigline *l, uint64_t now) {
  for (size_t i = 0; i < *n; i++)
    if (same_key(&v[i], l)) {
      if (fresh_enough(s, l->ts, 1, v[i].ts, now)) v[i] = *l;
      return;
    }
  if (fresh_enough(s, l->ts, 0, 0, now)) v[(*n)++] = *l;
}

/* The store's own witness verifier (0: it has no witness key). */
static int own_verifier(const cp_store *s, cp_note_verifier *own) {
  memset(own, 0, sizeof *own);
  if (s->witness == NULL) return 0;
  snprintf(own->name, sizeof own->name, "%s", s->witness_name);
  own->alg = CP_NOTE_ALG_COSIG_V1;
  cp_key_public(s->witness, own->pk);
  own->key_id = cp_note_key_id(own->name, own->alg, own->pk);
  return 1;
}

int cp__own_cosig_time(const cp_store *s, const char *note, size_t len, uint64_t *ts) {
  sigline v[CP_NOTE_SIGS_MAX];
  cp_note_verifier own;
  size_t tlen = 0, n;
  if (!own_verifier(s, &own)) return 0;
  n = note_lines(note, len, &tlen, v, CP_NOTE_SIGS_MAX);
  for (size_t i = 0; i < n; i++)
    if (v[i].cosig && line_by(&v[i], &own)) {
      *ts = v[i].ts;
      return 1;
    }
  return 0;
}

void cp_store_set_witness_refresh(cp_store *s, uint64_t secs) { s->witness_refresh_s = secs; }

/* Order of the kept lines: the node's own first, then newest first. */
static int before(const sigline *a, const sigline *b) {
  if (a->own != b->own) return a->own;
  return a->ts > b->ts;
}

int cp__witness_note(const cp_store *s, const cp_note_verifier *vs, size_t nv, const char *note,
                     size_t len, const char *held, size_t hlen, int cosign, uint64_t now,
                     char *out, size_t *olen, int *changed) {
  sigline in[CP_NOTE_SIGS_MAX], old[CP_NOTE_SIGS_MAX], set[2 * CP_NOTE_SIGS_MAX];
  size_t tlen = 0, htlen = 0, nin, nold = 0, nset = 0, pos, i, j;
  const sigline *logline = NULL;
  cp_note_verifier own;
  int have_own = 0, rc;
  memset(&own, 0, sizeof own);
  if (s->witness != NULL) {
    snprintf(own.name, sizeof own.name, "%s", s->witness_name);
    own.alg = CP_NOTE_ALG_COSIG_V1;
    cp_key_public(s->witness, own.pk);
    own.key_id = cp_note_key_id(own.name, own.alg, own.pk);
    have_own = 1;
  }
  nin = note_lines(note, len, &tlen, in, CP_NOTE_SIGS_MAX);
  if (held != NULL) nold = note_lines(held, hlen, &htlen, old, CP_NOTE_SIGS_MAX);
  /* The held note's cosignatures were verified when it was stored. */
  for (i = 0; i < nold; i++)
    if (old[i].cosig) {
      old[i].own = have_own && line_by(&old[i], &own);
      if (!(cosign && old[i].own)) set[nset++] = old[i];
    }
  /* The new note's lines by a given key were verified by
   * cp_note_open_checkpoint: the first line per key (Go's note.Open). */
  for (i = 0; i < nin; i++) {
    int first = 1;
    for (j = 0; j < i; j++)
      if (same_key(&in[j], &in[i])) first = 0;
    if (!first) continue;
    if (line_by(&in[i], &vs[0]) && !in[i].cosig) {
      if (logline == NULL) logline = &in[i];
      continue;
    }
    if (!in[i].cosig || (have_own && line_by(&in[i], &own))) continue;
    for (j = 1; j < nv; j++)
      if (vs[j].alg == CP_NOTE_ALG_COSIG_V1 && line_by(&in[i], &vs[j])) break;
    if (j < nv) keep(s, set, &nset, &in[i], now);
  }
  if (logline == NULL) return CP_EBADSIG;
  /* Insertion sort: own first, then newest. */
  for (i = 1; i < nset; i++)
    for (j = i; j > 0 && before(&set[j], &set[j - 1]); j--) {
      sigline t = set[j];
      set[j] = set[j - 1];
      set[j - 1] = t;
    }
  size_t room = CP_WITNESS_COSIGS_MAX - (cosign && have_own ? 1 : 0);
  if (nset > room) nset = room;
  /* Text, blank line, the log's line, the node's new cosignature (made over
   * this text by cp_note_cosign, which appends), then the kept lines. */
  if (tlen + 1 + logline->len > CP_NOTE_MAX) return CP_ETOOBIG;
  memcpy(out, note, tlen + 1);
  pos = tlen + 1;
  memcpy(out + pos, logline->p, logline->len);
  pos += logline->len;
  out[pos] = '\0';
  if (cosign && have_own) {
    rc = cp_note_cosign(s->witness, s->witness_name, now, out, pos, out, CP_NOTE_MAX, &pos);
    if (rc != CP_OK) return rc;
  }
  for (i = 0; i < nset; i++) {
    if (pos + set[i].len > CP_NOTE_MAX) break;
    memcpy(out + pos, set[i].p, set[i].len);
    pos += set[i].len;
  }
  *olen = pos;
  /* Changed: a line kept that the held note does not have, byte for byte. */
  *changed = held == NULL || (cosign && have_own);
  for (i = 0; i < nset && !*changed; i++) {
    for (j = 0; j < nold; j++)
      if (old[j].len == set[i].len && memcmp(old[j].p, set[i].p, set[i].len) == 0) break;
    if (j == nold) *changed = 1;
  }
  return CP_OK;
}

int cp__witnesses(cp__tx *tx, cp_note_verifier *v, size_t cap, size_t *n) {
  MDB_val k = {sizeof META_WITNESSES - 1, (void *)META_WITNESSES}, val;
  *n = 0;
  int rc = mdb_get(tx->txn, tx->s->meta, &k, &val);
  if (rc == MDB_NOTFOUND) return CP_OK;
  if (rc != 0) return cp__err_mdb(rc, NULL, "witnesses");
  const char *p = val.mv_data, *end = p + val.mv_size;
  while (p < end && *n < cap) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL) return CP_ECORRUPT;
    if (cp_note_vkey_parse(p, (size_t)(nl - p), &v[*n], NULL) != CP_OK) return CP_ECORRUPT;
    (*n)++;
    p = nl + 1;
  }
  return CP_OK;
}

int cp_reader_witnesses(cp_reader *r, cp_note_verifier *v, size_t cap, size_t *n) {
  return cp__witnesses(&r->tx, v, cap, n);
}

int cp_store_witness_trust(cp_store *s, const char *vkey, int add, cp_diag *d) {
  cp_note_verifier v, cur[CP_WITNESS_TRUST_MAX];
  char buf[CP_WITNESS_TRUST_MAX * CP_VKEY_MAX];
  size_t n = 0, pos = 0, at;
  cp__tx tx;
  int rc = cp_note_vkey_parse(vkey, strlen(vkey), &v, d);
  if (rc != CP_OK) return rc;
  if (v.alg != CP_NOTE_ALG_COSIG_V1)
    return cp_diag_set(d, CP_EINVAL, "witness key \"%s\" is not a cosignature/v1 key (type 0x04)",
                       v.name);
  if ((rc = cp__tx_begin(s, 1, &tx, d)) != 0) return rc;
  if ((rc = cp__witnesses(&tx, cur, CP_WITNESS_TRUST_MAX, &n)) != 0) {
    rc = cp_diag_set(d, rc, "the trusted witness keys are unreadable");
    goto out;
  }
  for (at = 0; at < n; at++)
    if (cur[at].key_id == v.key_id && strcmp(cur[at].name, v.name) == 0 &&
        memcmp(cur[at].pk, v.pk, CP_PK_BYTES) == 0)
      break;
  if (add && at < n) {
    rc = cp_diag_set(d, CP_EEXIST, "witness key %s is already trusted", v.name);
    goto out;
  }
  if (!add && at == n) {
    rc = cp_diag_set(d, CP_ENOTFOUND, "witness key %s is not trusted", v.name);
    goto out;
  }
  if (add && n >= CP_WITNESS_TRUST_MAX) {
    rc = cp_diag_set(d, CP_ETOOBIG, "already %u trusted witness keys", CP_WITNESS_TRUST_MAX);
    goto out;
  }
  if (add) cur[n++] = v;
  for (size_t i = 0; i < n; i++) {
    char line[CP_VKEY_MAX];
    if (!add && i == at) continue;
    if ((rc = cp_note_vkey_format(cur[i].name, cur[i].alg, cur[i].pk, line)) != 0) goto out;
    pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "%s\n", line);
  }
  MDB_val k = {sizeof META_WITNESSES - 1, (void *)META_WITNESSES}, val = {pos, buf};
  rc = pos == 0 ? mdb_del(tx.txn, s->meta, &k, NULL) : mdb_put(tx.txn, s->meta, &k, &val, 0);
  if (rc != 0) {
    rc = cp__err_mdb(rc, d, "witnesses");
    goto out;
  }
  return cp__tx_commit(&tx, d);
out:
  cp__tx_abort(&tx);
  return rc;
}

void cp_store_set_witness(cp_store *s, const cp_key *k, const char *name) {
  s->witness = k;
  s->witness_name = name;
}

int cp_store_witness_name(const char *origin, const uint8_t self[CP_PK_BYTES],
                          char out[CP_ORIGIN_MAX + 1]) {
  char hex[33];
  if (strlen(origin) + sizeof "/witness" - 1 <= CP_ORIGIN_MAX) {
    snprintf(out, CP_ORIGIN_MAX + 1, "%s/witness", origin);
  } else {
    cp_hex_encode(self, 16, hex);
    snprintf(out, CP_ORIGIN_MAX + 1, "witness/%s", hex);
  }
  return cp_note_name_valid(out, strlen(out)) ? CP_OK : CP_EINVAL;
}

void cp_store_cosig_info(const char *note, size_t len, cp_cosig_info *out) {
  sigline v[CP_NOTE_SIGS_MAX];
  size_t tlen = 0, n = note_lines(note, len, &tlen, v, CP_NOTE_SIGS_MAX);
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    if (v[i].cosig) {
      out->count++;
      if (v[i].ts > out->newest) out->newest = v[i].ts;
    }
}

int cp_reader_cosig_news(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char *note,
                         size_t len) {
  static const cp_note_verifier none;
  cp_note_verifier w[CP_WITNESS_TRUST_MAX], own = none;
  sigline in[CP_NOTE_SIGS_MAX], old[CP_NOTE_SIGS_MAX];
  size_t nw = 0, tlen = 0, htlen = 0, nin, nold, hlen = 0, i, j, k;
  const char *held = NULL;
  const cp_store *s = r->tx.s;
  if (cp_reader_checkpoint(r, log, &held, &hlen) != 0) return 0;
  if (cp__witnesses(&r->tx, w, CP_WITNESS_TRUST_MAX, &nw) != 0 || nw == 0) return 0;
  if (s->witness != NULL) {
    snprintf(own.name, sizeof own.name, "%s", s->witness_name);
    own.alg = CP_NOTE_ALG_COSIG_V1;
    cp_key_public(s->witness, own.pk);
    own.key_id = cp_note_key_id(own.name, own.alg, own.pk);
  }
  nin = note_lines(note, len, &tlen, in, CP_NOTE_SIGS_MAX);
  nold = note_lines(held, hlen, &htlen, old, CP_NOTE_SIGS_MAX);
  for (i = 0; i < nin; i++) {
    if (!in[i].cosig || (s->witness != NULL && line_by(&in[i], &own))) continue;
    for (k = 0; k < nw; k++)
      if (w[k].alg == CP_NOTE_ALG_COSIG_V1 && line_by(&in[i], &w[k])) break;
    if (k == nw) continue;
    for (j = 0; j < nold; j++)
      if (old[j].cosig && same_key(&old[j], &in[i])) break;
    if (fresh_enough(s, in[i].ts, j < nold, j < nold ? old[j].ts : 0, (uint64_t)time(NULL)))
      return 1;
  }
  return 0;
}
