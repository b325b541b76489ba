/*
 * credport — checkpoint fork proofs (docs/FORMATS.md, "Fork proofs",
 * R-fork-03): two checkpoints signed by one log that are not consistent.
 * Checking one, building one from a contradicting note and the held tree,
 * storing it, and taking one from a partner. The audit checks a stored one
 * with cp__cpfork_check too.
 */
#include <string.h>

#include "credport/note.h"
#include "store_internal.h"

typedef struct {
  const char *origin;
  const uint8_t *note;
  size_t len;
  cp_note_result *res;
  int ok;
} open_ctx;

static void try_key(open_ctx *x, const uint8_t key[CP_PK_BYTES]) {
  cp_note_verifier v;
  memset(&v, 0, sizeof v);
  memcpy(v.name, x->origin, strlen(x->origin));
  v.alg = CP_NOTE_ALG_ED25519;
  memcpy(v.pk, key, CP_PK_BYTES);
  v.key_id = cp_note_key_id(v.name, v.alg, v.pk);
  if (cp_note_open_checkpoint((const char *)x->note, x->len, &v, 1, x->origin, x->res, NULL) == 0)
    x->ok = 1;
}

static int try_rotation(void *ctx, uint64_t seq, const uint8_t key[CP_PK_BYTES]) {
  open_ctx *x = ctx;
  (void)seq;
  try_key(x, key);
  return x->ok;
}

/* Opens a checkpoint note of lr's log under origin, signed by a key of the
 * log: its genesis key, its current key, or the new key of any rotation
 * the held chain records. SPEC: R-fork-03 */
static int open_note(cp__tx *tx, const cp__logrec *lr, const char *origin, const uint8_t *note,
                     size_t len, cp_note_result *res, int *ok) {
  open_ctx x = {origin, note, len, res, 0};
  if (len == 0 || len > CP_NOTE_MAX) {
    *ok = 0;
    return CP_OK;
  }
  try_key(&x, lr->log);
  if (!x.ok) try_key(&x, lr->signer);
  int rc = x.ok ? CP_OK : cp__log_rotations(tx, lr, try_rotation, &x);
  if (rc > 0) rc = CP_OK;
  *ok = x.ok;
  return rc;
}

static int genesis_origin(cp__tx *tx, const cp__logrec *lr, char origin[CP_ORIGIN_MAX + 1]) {
  cp_entry g;
  int rc = cp__genesis(tx, lr->logno, &g);
  if (rc != 0) return rc;
  if (g.u.authority.origin.len > CP_ORIGIN_MAX) return CP_ECORRUPT;
  memcpy(origin, g.u.authority.origin.p, g.u.authority.origin.len);
  origin[g.u.authority.origin.len] = 0;
  return CP_OK;
}

int cp__cpfork_check(cp__tx *tx, const cp__logrec *lr, const cp_fork_proof *p, cp_diag *d) {
  char origin[CP_ORIGIN_MAX + 1];
  cp_note_result ra, rb;
  int ok = 0;
  if (p->kind != CP_FORK_CHECKPOINTS)
    return cp_diag_set(d, CP_EINVAL, "fork proof: not a checkpoint fork proof");
  int rc = genesis_origin(tx, lr, origin);
  if (rc != 0) return rc;
  /* SPEC: R-fork-03 both notes signed by a key of the log. */
  if ((rc = open_note(tx, lr, origin, p->a, p->alen, &ra, &ok)) != 0) return rc;
  if (!ok)
    return cp_diag_set(d, CP_EBADSIG, "fork proof: checkpoint a is not a checkpoint of origin "
                       "\"%s\" signed by a key of the log", origin);
  if ((rc = open_note(tx, lr, origin, p->b, p->blen, &rb, &ok)) != 0) return rc;
  if (!ok)
    return cp_diag_set(d, CP_EBADSIG, "fork proof: checkpoint b is not a checkpoint of origin "
                       "\"%s\" signed by a key of the log", origin);
  uint64_t m = ra.cp.size, n = rb.cp.size;
  if (m == 0 || m > n)
    return cp_diag_set(d, CP_EINVAL, "fork proof: checkpoint sizes %llu and %llu (the first must "
                       "be 1 or more and not above the second)", (unsigned long long)m,
                       (unsigned long long)n);
  if (p->npath > CP_MERKLE_MAX_LEVELS || (p->npath > 0 && p->path == NULL) || p->old_root == NULL)
    return cp_diag_set(d, CP_EINVAL, "fork proof: a consistency path of %zu hashes", p->npath);
  /* SPEC: R-fork-03 the contradiction: b's tree at size m has a root other
   * than a's. The path proves old_root the root of b's first m leaves
   * (for m = n: old_root is b's root and the path is empty). */
  if (memcmp(p->old_root, ra.cp.root, CP_HASH_BYTES) == 0)
    return cp_diag_set(d, CP_EINVAL, "fork proof: checkpoint b's tree at size %llu has "
                       "checkpoint a's root: no contradiction", (unsigned long long)m);
  if (cp_merkle_verify_consistency(m, n, p->old_root, rb.cp.root, p->path, p->npath) != 0)
    return cp_diag_set(d, CP_EPROOF, "fork proof: the consistency path does not prove the old "
                       "root a prefix of checkpoint b's tree (sizes %llu and %llu)",
                       (unsigned long long)m, (unsigned long long)n);
  return CP_OK;
}

int cp__cpfork_put(cp__tx *tx, cp__logrec *lr, const cp_fork_proof *p, cp_diag *d) {
  if (lr->flags & CP_LOG_FORKED) return CP_EEXIST;
  if (p->alen > CP_NOTE_MAX || p->blen > CP_NOTE_MAX || p->npath > CP_MERKLE_MAX_LEVELS)
    return cp_diag_set(d, CP_ETOOBIG, "fork proof: too large to store");
  size_t n = 13 + p->alen + p->blen + CP_HASH_BYTES + 1 + p->npath * CP_HASH_BYTES;
  uint8_t kb[4];
  cp__be32(kb, lr->logno);
  MDB_val k = {4, kb}, v = {n, NULL};
  int rc = mdb_put(tx->txn, tx->s->forks, &k, &v, MDB_RESERVE);
  if (rc != 0) return cp__err_mdb(rc, d, "forks");
  uint8_t *o = v.mv_data;
  cp__be32(o, 0);
  o[4] = 2;
  cp__be32(o + 5, (uint32_t)p->alen);
  memcpy(o + 9, p->a, p->alen);
  o += 9 + p->alen;
  cp__be32(o, (uint32_t)p->blen);
  memcpy(o + 4, p->b, p->blen);
  o += 4 + p->blen;
  o[0] = (uint8_t)p->npath;
  memcpy(o + 1, p->old_root, CP_HASH_BYTES);
  if (p->npath) memcpy(o + 1 + CP_HASH_BYTES, p->path, p->npath * CP_HASH_BYTES);
  lr->flags |= CP_LOG_FORKED;
  return cp__logrec_put(tx, lr);
}

int cp__cpfork_build(cp__tx *tx, cp__logrec *lr, const char *note, size_t len, uint64_t size,
                     const uint8_t root[CP_HASH_BYTES], uint64_t *held_size, cp_diag *d) {
  uint8_t held[CP_NOTE_MAX], path[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES];
  uint8_t kb[12];
  size_t np = 0;
  MDB_cursor *c = NULL;
  cp__be32(kb, lr->logno);
  cp__be64(kb + 4, size);
  MDB_val k = {12, kb}, v;
  int rc = mdb_cursor_open(tx->txn, tx->s->checkpoints, &c);
  if (rc != 0) return cp__err_mdb(rc, d, "checkpoints");
  rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
  mdb_cursor_close(c);
  if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 12 || cp__rd32(k.mv_data) != lr->logno)))
    return CP_ENOTFOUND;
  if (rc != 0) return cp__err_mdb(rc, d, "checkpoints");
  uint64_t hsize = cp__rd64((const uint8_t *)k.mv_data + 4);
  size_t hlen = v.mv_size;
  if (hlen == 0 || hlen > sizeof held || hsize > lr->fr.size) return CP_ENOTFOUND;
  /* Copied: the record is written in this transaction, which may move the
   * page the held note lies in. */
  memcpy(held, v.mv_data, hlen);
  cp__mctx m = {tx, lr->logno};
  if ((rc = cp_merkle_consistency_proof(cp__merkle_get, &m, size, hsize, path, &np)) != 0)
    return rc;
  cp_fork_proof p = {CP_FORK_CHECKPOINTS, (const uint8_t *)note, held, len, hlen, root,
                     (const uint8_t(*)[CP_HASH_BYTES])path, np};
  /* What the node keeps, every other node must accept. */
  if ((rc = cp__cpfork_check(tx, lr, &p, NULL)) != 0) return CP_ENOTFOUND;
  if ((rc = cp__cpfork_put(tx, lr, &p, d)) != 0) return rc;
  *held_size = hsize;
  return CP_OK;
}

int cp_store_add_checkpoint_fork(cp_store *s, const uint8_t log[CP_PK_BYTES],
                                 const cp_fork_proof *p, cp_diag *d) {
  cp__tx tx;
  cp__logrec lr;
  /* Checked in a read transaction, so that the signature checks of a
   * proof that proves nothing never hold the writer; the write transaction
   * then only stores it (a rotation committed in between cannot make a
   * valid proof invalid: it only adds keys of the log). */
  int rc = cp__tx_begin(s, 0, &tx, d);
  if (rc != 0) return rc;
  rc = cp__logrec_get(&tx, log, &lr);
  if (rc == CP_ENOTFOUND) rc = cp_diag_set(d, rc, "fork proof for a log this node does not hold");
  else if (rc == 0 && (lr.flags & CP_LOG_FORKED)) rc = CP_EEXIST;
  else if (rc == 0) rc = cp__cpfork_check(&tx, &lr, p, d);
  cp__tx_abort(&tx);
  if (rc != 0) return rc;
  if ((rc = cp__tx_begin(s, 1, &tx, d)) != 0) return rc;
  rc = cp__logrec_get(&tx, log, &lr);
  if (rc == 0) rc = cp__cpfork_put(&tx, &lr, p, d);
  if (rc == 0) return cp__tx_commit(&tx, d);
  cp__tx_abort(&tx);
  return rc;
}
