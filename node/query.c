/* credport — index walks and the records kept beside the logs. */
#include <string.h>

#include "credport/note.h"
#include "store_internal.h"

static int row_entry(cp__tx *tx, const MDB_val *rowid, const uint8_t **buf, size_t *len) {
  if (rowid->mv_size != 8) return CP_ECORRUPT;
  return cp__entry_of_rowid(tx, cp__rd64(rowid->mv_data), buf, len);
}

/* Walks the duplicate row ids under key in a dupsort database. */
static int walk_dups(cp_reader *r, MDB_dbi dbi, const void *key, size_t klen, cp_entry_fn fn,
                     void *ctx) {
  MDB_cursor *c = NULL;
  MDB_val k = {klen, (void *)key}, v;
  int rc = mdb_cursor_open(r->tx.txn, dbi, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "index");
  for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
    const uint8_t *buf;
    size_t len;
    int e = row_entry(&r->tx, &v, &buf, &len);
    if (e == 0) e = fn(ctx, buf, len);
    if (e != 0) {
      mdb_cursor_close(c);
      return e;
    }
  }
  mdb_cursor_close(c);
  return rc == MDB_NOTFOUND ? CP_OK : cp__err_mdb(rc, NULL, "index");
}

typedef struct {
  cp_reader *r;
  cp_entry_fn fn;
  void *ctx;
} row_walk;

static int walk_row(void *ctx, uint64_t rowid) {
  row_walk *w = ctx;
  const uint8_t *buf;
  size_t len;
  int e = cp__entry_of_rowid(&w->r->tx, rowid, &buf, &len);
  return e != 0 ? e : w->fn(w->ctx, buf, len);
}

int cp_reader_by_educator(cp_reader *r, const uint8_t educator[CP_PK_BYTES], cp_entry_fn fn,
                          void *ctx) {
  cp__edu_cursor ec;
  row_walk w = {r, fn, ctx};
  int rc = cp__edu_open(&r->tx, &ec);
  if (rc != 0) return rc;
  rc = cp__edu_rows(&ec, educator, walk_row, &w);
  cp__edu_close(&ec);
  return rc;
}

int cp_reader_by_credential(cp_reader *r, const uint8_t cred[CP_HASH_BYTES], cp_entry_fn fn,
                            void *ctx) {
  return walk_dups(r, r->tx.s->by_cred, cred, CP_HASH_BYTES, fn, ctx);
}

int cp_reader_by_subject(cp_reader *r, const uint8_t subject[CP_HASH_BYTES], cp_entry_fn fn,
                         void *ctx) {
  return walk_dups(r, r->tx.s->by_subj, subject, CP_HASH_BYTES, fn, ctx);
}

int cp_reader_by_type(cp_reader *r, unsigned type, cp_entry_fn fn, void *ctx) {
  if (type == CP_T_AWARD || type > 255) return CP_EINVAL;
  uint8_t t = (uint8_t)type;
  return walk_dups(r, r->tx.s->by_type, &t, 1, fn, ctx);
}

int cp_reader_each_entry(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t from,
                         cp_entry_fn fn, void *ctx) {
  cp__logrec lr;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  for (uint64_t seq = from; rc == 0 && seq < lr.fr.size; seq++) {
    const uint8_t *buf;
    size_t len;
    rc = cp__entry_at(&r->tx, lr.logno, seq, &buf, &len);
    if (rc == CP_ENOTFOUND) rc = CP_ECORRUPT;
    if (rc == 0) rc = fn(ctx, buf, len);
  }
  return rc;
}

int cp_reader_revocation(cp_reader *r, const uint8_t award[CP_HASH_BYTES], const uint8_t **buf,
                         size_t *len) {
  MDB_val k = {CP_HASH_BYTES, (void *)award}, v;
  int rc = mdb_get(r->tx.txn, r->tx.s->revoked, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "revoked");
  return row_entry(&r->tx, &v, buf, len);
}

int cp_reader_credential(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char *id,
                         const uint8_t **buf, size_t *len) {
  cp__logrec lr;
  size_t n = strlen(id);
  if (n == 0 || n > CP_ID_MAX) return CP_ENOTFOUND;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  if (rc != 0) return rc;
  uint8_t key[4 + CP_ID_MAX];
  cp__be32(key, lr.logno);
  memcpy(key + 4, id, n);
  MDB_val k = {4 + n, key}, v;
  rc = mdb_get(r->tx.txn, r->tx.s->credids, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "credids");
  return row_entry(&r->tx, &v, buf, len);
}

int cp_reader_fork(cp_reader *r, const uint8_t log[CP_PK_BYTES], cp_fork_proof *out) {
  cp__logrec lr;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  if (rc != 0) return rc;
  uint8_t kb[4];
  cp__be32(kb, lr.logno);
  MDB_val k = {4, kb}, v;
  rc = mdb_get(r->tx.txn, r->tx.s->forks, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "forks");
  return cp__fork_parse(v.mv_data, v.mv_size, out);
}

int cp_reader_each_checkpoint(cp_reader *r, const uint8_t log[CP_PK_BYTES],
                              int (*fn)(void *ctx, uint64_t size, const char *note, size_t len),
                              void *ctx) {
  cp__logrec lr;
  MDB_cursor *c = NULL;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  if (rc != 0) return rc;
  uint8_t kb[12];
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, 0);
  MDB_val k = {12, kb}, v;
  if ((rc = mdb_cursor_open(r->tx.txn, r->tx.s->checkpoints, &c)) != 0)
    return cp__err_mdb(rc, NULL, "checkpoints");
  for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 12 || cp__rd32(k.mv_data) != lr.logno) break;
    int e = fn(ctx, cp__rd64((const uint8_t *)k.mv_data + 4), v.mv_data, v.mv_size);
    if (e != 0) {
      mdb_cursor_close(c);
      return e;
    }
  }
  mdb_cursor_close(c);
  return rc == 0 || rc == MDB_NOTFOUND ? CP_OK : cp__err_mdb(rc, NULL, "checkpoints");
}

int cp_reader_checkpoint(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char **note,
                         size_t *len) {
  /* The latest is the last key of the log's range: one seek, not a walk
   * over every checkpoint the log ever had. */
  cp__logrec lr;
  MDB_cursor *c = NULL;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  if (rc != 0) return rc;
  uint8_t kb[12];
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, UINT64_MAX);
  MDB_val k = {12, kb}, v;
  if ((rc = mdb_cursor_open(r->tx.txn, r->tx.s->checkpoints, &c)) != 0)
    return cp__err_mdb(rc, NULL, "checkpoints");
  rc = cp__seek_at_or_before(c, &k, &v);
  mdb_cursor_close(c);
  if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 12 || cp__rd32(k.mv_data) != lr.logno)))
    return CP_ENOTFOUND;
  if (rc != 0) return cp__err_mdb(rc, NULL, "checkpoints");
  *note = v.mv_data;
  *len = v.mv_size;
  return CP_OK;
}

int cp_store_add_checkpoint(cp_store *s, const char *note, size_t len, cp_diag *d) {
  cp__tx tx;
  cp_note_result res;
  cp_note_verifier v;
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  /* The origin names the log only through the genesis entry: find the log
   * whose genesis origin matches and whose key signed the note. */
  MDB_cursor *c = NULL;
  MDB_val k, val;
  int found = 0;
  cp__logrec lr;
  if ((rc = mdb_cursor_open(tx.txn, s->logkeys, &c)) != 0) {
    rc = cp__err_mdb(rc, d, "logkeys");
    goto out;
  }
  for (int m = mdb_cursor_get(c, &k, &val, MDB_FIRST); m == 0 && !found;
       m = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
    if (k.mv_size != CP_PK_BYTES || cp__logrec_get(&tx, k.mv_data, &lr) != 0) continue;
    cp_entry g;
    if (cp__genesis(&tx, lr.logno, &g) != 0) continue;
    memset(&v, 0, sizeof v);
    memcpy(v.name, g.u.authority.origin.p, g.u.authority.origin.len);
    v.alg = CP_NOTE_ALG_ED25519;
    memcpy(v.pk, lr.signer, CP_PK_BYTES);
    v.key_id = cp_note_key_id(v.name, v.alg, v.pk);
    if (cp_note_open_checkpoint(note, len, &v, 1, v.name, &res, NULL) == 0) found = 1;
  }
  mdb_cursor_close(c);
  if (!found) {
    rc = cp_diag_set(d, CP_EBADSIG, "checkpoint is not signed by any log this node holds");
    goto out;
  }
  if (res.cp.size == 0) {
    /* The audit replays checkpoints against trees of one entry or more. */
    rc = cp_diag_set(d, CP_EINVAL, "a checkpoint of the empty tree commits to nothing");
    goto out;
  }
  if (res.cp.size > lr.fr.size) {
    rc = cp_diag_set(d, CP_EINVAL, "checkpoint size %llu is beyond the %llu entries held",
                     (unsigned long long)res.cp.size, (unsigned long long)lr.fr.size);
    goto out;
  }
  uint8_t root[CP_HASH_BYTES];
  if ((rc = cp__root_at(&tx, &lr, res.cp.size, root)) != 0) goto out;
  if (memcmp(root, res.cp.root, CP_HASH_BYTES) != 0) {
    /* SPEC: R-fork-03 a signed root that the held tree contradicts. */
    uint64_t hsize = 0;
    if (lr.flags & CP_LOG_FORKED) {
      rc = cp_diag_set(d, CP_EFORKED, "checkpoint root at size %llu differs from the held tree "
                       "of a log already forked", (unsigned long long)res.cp.size);
      goto out;
    }
    rc = cp__cpfork_build(&tx, &lr, note, len, res.cp.size, root, &hsize, d);
    if (rc == 0 && (rc = cp__tx_commit(&tx, d)) == 0)
      return cp_diag_set(d, CP_EFORK, "checkpoint at size %llu contradicts the held checkpoint "
                         "at size %llu, both signed by the log: fork proof recorded",
                         (unsigned long long)res.cp.size, (unsigned long long)hsize);
    if (rc == CP_ENOTFOUND)
      rc = cp_diag_set(d, CP_EPROOF, "checkpoint root at size %llu differs from the held tree "
                       "(no held checkpoint at that size or later to prove a fork with)",
                       (unsigned long long)res.cp.size);
    goto out;
  }
  if ((rc = cp__put_checkpoint(&tx, lr.logno, res.cp.size, note, len, d)) != 0) goto out;
  return cp__tx_commit(&tx, d);
out:
  cp__tx_abort(&tx);
  return rc;
}
