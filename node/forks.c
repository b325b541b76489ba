/*
 * credport — fork proofs (docs/FORMATS.md, "Fork proofs"): checking a pair
 * of entries that proves equivocation, storing it, and taking one from a
 * partner. Ingest, the sync pipeline and the audit all check a proof with
 * cp__fork_check, so what one node records every other node accepts.
 */
#include <string.h>

#include "credport/codec.h"
#include "store_internal.h"

int cp__log_rotations(cp__tx *tx, const cp__logrec *lr,
                      int (*fn)(void *ctx, uint64_t seq, const uint8_t key[CP_PK_BYTES]),
                      void *ctx) {
  MDB_cursor *c = NULL;
  uint8_t t = CP_T_KEY;
  MDB_val k = {1, &t}, v;
  int stop = 0, rc = mdb_cursor_open(tx->txn, tx->s->by_type, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "by_type");
  for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
    const uint8_t *buf;
    size_t len;
    cp_entry e;
    if (v.mv_size != 8) {
      rc = CP_ECORRUPT;
      break;
    }
    if ((rc = cp__entry_of_rowid(tx, cp__rd64(v.mv_data), &buf, &len)) != 0) break;
    if (len < 42 || memcmp(buf + 2, lr->log, CP_PK_BYTES) != 0) continue;
    if ((rc = cp_entry_decode(buf, len, &e, NULL)) != 0) break;
    if (e.type == CP_T_KEY && e.u.key.action == CP_KEY_ROTATE &&
        (stop = fn(ctx, e.seq, e.u.key.new_key)) != 0)
      break;
  }
  mdb_cursor_close(c);
  if (stop != 0) return stop;
  return rc == MDB_NOTFOUND ? CP_OK : rc > 0 ? cp__err_mdb(rc, NULL, "by_type") : rc;
}

typedef struct {
  uint64_t seq;
  uint8_t *key;
} key_at_ctx;

static int key_at_step(void *ctx, uint64_t seq, const uint8_t key[CP_PK_BYTES]) {
  key_at_ctx *x = ctx;
  if (seq < x->seq) memcpy(x->key, key, CP_PK_BYTES);
  return 0;
}

/* Rows of one log appear in seq order in by_type, since a log only grows at
 * its end. */
int cp__log_key_at(cp__tx *tx, const cp__logrec *lr, uint64_t seq, uint8_t key[CP_PK_BYTES]) {
  key_at_ctx x = {seq, key};
  memcpy(key, lr->log, CP_PK_BYTES);
  return cp__log_rotations(tx, lr, key_at_step, &x);
}

/* Whether buf (entry seq of lr's log) is signed by a key of the log: the
 * key in force at seq by the held chain, the genesis key, the current key,
 * or `extra` (may be NULL). SPEC: R-fork-02 */
static int signed_by_log(cp__tx *tx, const cp__logrec *lr, const uint8_t *buf, size_t len,
                         uint64_t seq, const uint8_t *extra, int *ok) {
  uint8_t k[CP_PK_BYTES];
  int rc = cp__log_key_at(tx, lr, seq, k);
  if (rc != 0) return rc;
  *ok = cp_entry_verify(buf, len, k) == 0 || cp_entry_verify(buf, len, lr->log) == 0 ||
        cp_entry_verify(buf, len, lr->signer) == 0 ||
        (extra != NULL && cp_entry_verify(buf, len, extra) == 0);
  return CP_OK;
}

int cp__fork_check(cp__tx *tx, const cp__logrec *lr, const uint8_t *a, size_t alen,
                   const uint8_t *b, size_t blen, cp_diag *d) {
  cp_entry ea, eb;
  cp_diag ed;
  int ok = 0, rc;
  if (cp_entry_decode(a, alen, &ea, &ed) != 0 || cp_entry_decode(b, blen, &eb, &ed) != 0)
    return cp_diag_set(d, CP_EINVAL, "fork proof: an entry does not decode: %s", ed.msg);
  if (memcmp(ea.log, lr->log, CP_PK_BYTES) != 0 || memcmp(eb.log, lr->log, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EINVAL, "fork proof: the entries are not both of this log");
  /* SPEC: R-fork-01 two different entries at one seq, or entry k and an
   * entry k+1 whose prev is not the ID of entry k. */
  if (ea.seq == eb.seq) {
    if (alen == blen && memcmp(a, b, alen) == 0)
      return cp_diag_set(d, CP_EINVAL, "fork proof: the two entries are identical");
  } else if (ea.seq != UINT64_MAX && eb.seq == ea.seq + 1) {
    uint8_t ida[CP_HASH_BYTES];
    cp_entry_id(a, alen, ida);
    if (memcmp(eb.prev, ida, CP_HASH_BYTES) == 0)
      return cp_diag_set(d, CP_EINVAL, "fork proof: entry %llu follows entry %llu: no "
                         "contradiction", (unsigned long long)eb.seq, (unsigned long long)ea.seq);
  } else {
    return cp_diag_set(d, CP_EINVAL, "fork proof: seqs %llu and %llu are neither equal nor "
                       "consecutive", (unsigned long long)ea.seq, (unsigned long long)eb.seq);
  }
  if ((rc = signed_by_log(tx, lr, a, alen, ea.seq, NULL, &ok)) != 0) return rc;
  if (!ok)
    return cp_diag_set(d, CP_EBADSIG, "fork proof: entry at seq %llu is not validly signed by "
                       "the log", (unsigned long long)ea.seq);
  const uint8_t *extra =
      ea.seq != eb.seq && ea.type == CP_T_KEY && ea.u.key.action == CP_KEY_ROTATE
          ? ea.u.key.new_key : NULL;
  if ((rc = signed_by_log(tx, lr, b, blen, eb.seq, extra, &ok)) != 0) return rc;
  if (!ok)
    return cp_diag_set(d, CP_EBADSIG, "fork proof: entry at seq %llu is not validly signed by "
                       "the log", (unsigned long long)eb.seq);
  return CP_OK;
}

int cp__fork_record(cp_store *s, const cp__fork *f, cp_diag *d) {
  cp__tx tx;
  cp__logrec lr;
  uint8_t log[CP_PK_BYTES];
  memcpy(log, f->a + 2, CP_PK_BYTES);
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  rc = cp__logrec_get(&tx, log, &lr);
  if (rc == 0 && (lr.flags & CP_LOG_FORKED)) rc = CP_EEXIST;
  if (rc == 0) {
    size_t n = 8 + f->alen + f->blen;
    uint8_t kb[4];
    cp__be32(kb, lr.logno);
    MDB_val k = {4, kb}, v = {n, NULL};
    rc = mdb_put(tx.txn, s->forks, &k, &v, MDB_RESERVE);
    if (rc == 0) {
      uint8_t *p = v.mv_data;
      cp__be32(p, (uint32_t)f->alen);
      memcpy(p + 4, f->a, f->alen);
      cp__be32(p + 4 + f->alen, (uint32_t)f->blen);
      memcpy(p + 8 + f->alen, f->b, f->blen);
      lr.flags |= CP_LOG_FORKED;
      rc = cp__logrec_put(&tx, &lr);
    } else {
      rc = cp__err_mdb(rc, d, "forks");
    }
  }
  if (rc == 0) return cp__tx_commit(&tx, d);
  cp__tx_abort(&tx);
  return rc;
}

int cp_store_add_fork(cp_store *s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                      cp_diag *d) {
  cp__tx tx;
  cp__logrec lr;
  if (alen < 42 || blen < 42)
    return cp_diag_set(d, CP_EINVAL, "fork proof: an entry of %zu bytes is too short",
                       alen < blen ? alen : blen);
  /* The lower seq first, as stored. */
  if (cp__entry_seq(b) < cp__entry_seq(a)) {
    const uint8_t *t = a;
    size_t tl = alen;
    a = b, alen = blen, b = t, blen = tl;
  }
  if (memcmp(a + 2, b + 2, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EINVAL, "fork proof: the entries are of different logs");
  int rc = cp__tx_begin(s, 0, &tx, d);
  if (rc != 0) return rc;
  rc = cp__logrec_get(&tx, a + 2, &lr);
  if (rc == CP_ENOTFOUND) rc = cp_diag_set(d, rc, "fork proof for a log this node does not hold");
  else if (rc == 0 && (lr.flags & CP_LOG_FORKED)) rc = CP_EEXIST;
  else if (rc == 0) rc = cp__fork_check(&tx, &lr, a, alen, b, blen, d);
  cp__tx_abort(&tx);
  if (rc != 0) return rc;
  cp__fork f = {1, (uint8_t *)a, (uint8_t *)b, alen, blen};
  return cp__fork_record(s, &f, d);
}

int cp__fork_parse(const uint8_t *p, size_t n, cp_fork_proof *out) {
  memset(out, 0, sizeof *out);
  if (n < 8) return CP_ECORRUPT;
  uint32_t la = cp__rd32(p);
  if (la == 0) {
    /* Version 2: u32 0 | u8 2 | u32 len | note a | u32 len | note b |
     * u8 k | 32 old root | k x 32 path (as the CPFORK message). */
    if (n < 9 || p[4] != 2) return CP_ECORRUPT;
    la = cp__rd32(p + 5);
    if (la > n - 9 || n - 9 - la < 4) return CP_ECORRUPT;
    uint32_t lb = cp__rd32(p + 9 + la);
    size_t off = 13 + (size_t)la;
    if (lb > n - off || n - off - lb < CP_HASH_BYTES + 1) return CP_ECORRUPT;
    size_t k = p[off + lb];
    if (k > CP_MERKLE_MAX_LEVELS || n - off - lb - 1 - CP_HASH_BYTES != k * CP_HASH_BYTES)
      return CP_ECORRUPT;
    out->kind = CP_FORK_CHECKPOINTS;
    out->a = p + 9;
    out->alen = la;
    out->b = p + off;
    out->blen = lb;
    out->old_root = p + off + lb + 1;
    out->path = (const uint8_t(*)[CP_HASH_BYTES])(p + off + lb + 1 + CP_HASH_BYTES);
    out->npath = k;
    return CP_OK;
  }
  if (la > n - 8) return CP_ECORRUPT;
  uint32_t lb = cp__rd32(p + 4 + la);
  if ((size_t)la + lb + 8 != n) return CP_ECORRUPT;
  out->kind = CP_FORK_ENTRIES;
  out->a = p + 4;
  out->alen = la;
  out->b = p + 8 + la;
  out->blen = lb;
  return CP_OK;
}
