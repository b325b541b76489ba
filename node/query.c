/* credport — index walks and the records kept beside the logs. */
#include <stdio.h>
#include <string.h>
#include <time.h>

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

int cp_reader_withdrawal(cp_reader *r, const uint8_t id[CP_HASH_BYTES], const uint8_t **buf,
                         size_t *len) {
  uint64_t row;
  int rc = cp__withdrawal_row(&r->tx, id, &row);
  return rc != 0 ? rc : cp__entry_of_rowid(&r->tx, row, buf, len);
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

/* The log's verifier under its genesis origin and current signing key. */
static int log_verifier(cp__tx *tx, const cp__logrec *lr, cp_note_verifier *v) {
  cp_entry g;
  int rc = cp__genesis(tx, lr->logno, &g);
  if (rc != 0) return rc;
  memset(v, 0, sizeof *v);
  memcpy(v->name, g.u.authority.origin.p, g.u.authority.origin.len);
  v->alg = CP_NOTE_ALG_ED25519;
  memcpy(v->pk, lr->signer, CP_PK_BYTES);
  v->key_id = cp_note_key_id(v->name, v->alg, v->pk);
  return CP_OK;
}

/* Size of the log's latest stored checkpoint (0 when it has none). */
static int latest_size(cp__tx *tx, uint32_t logno, uint64_t *size) {
  MDB_cursor *c = NULL;
  uint8_t kb[12];
  cp__be32(kb, logno);
  cp__be64(kb + 4, UINT64_MAX);
  MDB_val k = {12, kb}, v;
  int rc = mdb_cursor_open(tx->txn, tx->s->checkpoints, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "checkpoints");
  rc = cp__seek_at_or_before(c, &k, &v);
  mdb_cursor_close(c);
  *size = 0;
  if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 12 || cp__rd32(k.mv_data) != logno)))
    return CP_OK;
  if (rc != 0) return cp__err_mdb(rc, NULL, "checkpoints");
  *size = cp__rd64((const uint8_t *)k.mv_data + 4);
  return CP_OK;
}

static int rotation_step(void *ctx, uint64_t seq, const uint8_t key[CP_PK_BYTES]) {
  (void)key;
  *(uint64_t *)ctx = seq + 1;
  return 0;
}

/* vs[0] = the log's verifier, then the trusted witness keys; *nv counts. */
static int note_verifiers(cp__tx *tx, const cp__logrec *lr, cp_note_verifier *vs, size_t *nv) {
  int rc = log_verifier(tx, lr, &vs[0]);
  *nv = 1;
  if (rc != 0) return rc;
  rc = cp__witnesses(tx, vs + 1, CP_WITNESS_TRUST_MAX, nv);
  (*nv)++;
  return rc;
}

/* Checks a note already opened under vs (res) against the held tree of lr
 * and puts it in tx with its verified cosignatures (node/witness.c).
 * CP_EEXIST: valid, but no newer than the latest held and bringing no
 * cosignature the held note lacks. With recosign, a note at the latest
 * size held is cosigned again (its own line replaced by one at now).
 * OUT: *cosigned, the node cosigned it. */
static int note_put(cp__tx *tx, cp__logrec *lr, const cp_note_verifier *vs, size_t nv,
                    const cp_note_result *res, const char *note, size_t len, int recosign,
                    uint64_t now, int *cosigned, cp_diag *d) {
  uint8_t root[CP_HASH_BYTES], self[CP_PK_BYTES];
  uint64_t held = 0;
  char out[CP_NOTE_MAX + 1];
  size_t olen = 0;
  int rc, changed = 0;
  *cosigned = 0;
  if (res->cp.size == 0) /* the audit replays checkpoints against trees of one entry or more */
    return cp_diag_set(d, CP_EINVAL, "a checkpoint of the empty tree commits to nothing");
  if (res->cp.size > lr->fr.size)
    return cp_diag_set(d, CP_EINVAL, "checkpoint size %llu is beyond the %llu entries held",
                       (unsigned long long)res->cp.size, (unsigned long long)lr->fr.size);
  if ((rc = cp__root_at(tx, lr, res->cp.size, root)) != 0) return rc;
  if (memcmp(root, res->cp.root, CP_HASH_BYTES) != 0) {
    /* SPEC: R-fork-03 a signed root that the held tree contradicts: with a
     * held checkpoint at that size or later, a fork proof is written in tx
     * (CP_EFORK: the caller commits). */
    uint64_t hsize = 0;
    if (lr->flags & CP_LOG_FORKED)
      return cp_diag_set(d, CP_EFORKED, "checkpoint root at size %llu differs from the held "
                         "tree of a log already forked", (unsigned long long)res->cp.size);
    rc = cp__cpfork_build(tx, lr, note, len, res->cp.size, root, &hsize, d);
    if (rc == 0) {
      lr->flags |= CP_LOG_FORKED;
      return cp_diag_set(d, CP_EFORK, "checkpoint at size %llu contradicts the held checkpoint "
                         "at size %llu, both signed by the log: fork proof recorded",
                         (unsigned long long)res->cp.size, (unsigned long long)hsize);
    }
    if (rc == CP_ENOTFOUND)
      rc = cp_diag_set(d, CP_EPROOF, "checkpoint root at size %llu differs from the held tree "
                       "(no held checkpoint at that size or later to prove a fork with)",
                       (unsigned long long)res->cp.size);
    return rc;
  }
  /* SPEC: checkpoint keys. res verified under the log's current key, which
   * signs only at the sizes it is in force at: above the seq of the rotation
   * that named it. (A root that contradicts the held tree is equivocation
   * by any key of the log, above: R-fork-03.) */
  if (memcmp(lr->log, lr->signer, CP_PK_BYTES) != 0) {
    uint64_t from = 0;
    if ((rc = cp__log_rotations(tx, lr, rotation_step, &from)) != 0) return rc;
    if (res->cp.size < from)
      return cp_diag_set(d, CP_EBADSIG, "checkpoint at size %llu is signed by the log's current "
                         "key, which signs from size %llu on (its key rotation is entry %llu)",
                         (unsigned long long)res->cp.size, (unsigned long long)from,
                         (unsigned long long)(from - 1));
  }
  if ((rc = latest_size(tx, lr->logno, &held)) != 0) return rc;
  if (res->cp.size < held)
    return cp_diag_set(d, CP_EEXIST, "checkpoint size %llu is no newer than the %llu held",
                       (unsigned long long)res->cp.size, (unsigned long long)held);
  const char *hnote = NULL;
  size_t hlen = 0;
  if (res->cp.size == held) {
    uint8_t kb[12];
    cp__be32(kb, lr->logno);
    cp__be64(kb + 4, held);
    MDB_val k = {12, kb}, v;
    if ((rc = mdb_get(tx->txn, tx->s->checkpoints, &k, &v)) != 0)
      return cp__err_mdb(rc, d, "checkpoints");
    hnote = v.mv_data;
    hlen = v.mv_size;
  }
  /* SPEC: L-2 the node cosigns another log's checkpoint once, when it
   * stores it at a new size: its signature and its root against the held
   * tree (hence consistency with every entry held) were checked above. */
  rc = cp__self_log(tx, self);
  if (rc != 0 && rc != CP_ENOTFOUND) return rc;
  int other = rc == CP_ENOTFOUND || memcmp(self, lr->log, CP_PK_BYTES) != 0;
  int cosign = (hnote == NULL || recosign) && other && tx->s->witness != NULL &&
               !(lr->flags & CP_LOG_FORKED);
  rc = cp__witness_note(tx->s, vs, nv, note, len, hnote, hlen, cosign, now, out, &olen, &changed);
  if (rc != 0) return cp_diag_set(d, rc, "cannot cosign the checkpoint: %s", cp_strerror(rc));
  if (!changed)
    return cp_diag_set(d, CP_EEXIST, "checkpoint size %llu is no newer than the %llu held and "
                       "carries no new cosignature", (unsigned long long)res->cp.size,
                       (unsigned long long)held);
  *cosigned = cosign;
  return cp__put_checkpoint(tx, lr->logno, res->cp.size, out, olen, d);
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
    if (log_verifier(&tx, &lr, &v) != 0) continue;
    if (cp_note_open_checkpoint(note, len, &v, 1, v.name, &res, NULL) == 0) found = 1;
  }
  mdb_cursor_close(c);
  if (!found) {
    rc = cp_diag_set(d, CP_EBADSIG, "checkpoint is not signed by any log this node holds");
    goto out;
  }
  cp_note_verifier vs[1 + CP_WITNESS_TRUST_MAX];
  size_t nv = 0;
  int cosigned = 0;
  if ((rc = note_verifiers(&tx, &lr, vs, &nv)) != 0 ||
      (rc = cp_note_open_checkpoint(note, len, vs, nv, vs[0].name, &res, d)) != 0)
    goto out;
  rc = note_put(&tx, &lr, vs, nv, &res, note, len, 0, (uint64_t)time(NULL), &cosigned, d);
  if (rc == CP_EFORK) {
    int crc = cp__tx_commit(&tx, d);
    return crc != 0 ? crc : CP_EFORK;
  }
  if (rc != 0) goto out;
  return cp__tx_commit(&tx, d);
out:
  cp__tx_abort(&tx);
  return rc;
}

/* Whether err is a verdict on the note itself rather than a failure of
 * the store (after which the transaction cannot be used). */
static int note_fault(int err) {
  return err == CP_EINVAL || err == CP_EPROOF || err == CP_EEXIST || err == CP_EBADSIG ||
         err == CP_ECORRUPT || err == CP_ETOOBIG || err == CP_EDENIED || err == CP_ENOTFOUND ||
         err == CP_EFORKED;
}

int cp_store_add_checkpoints(cp_store *s, cp_store_note *v, size_t n, cp_diag *d) {
  cp__tx tx;
  size_t stored = 0;
  for (size_t i = 0; i < n; i++) v[i].rc = 0;
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) goto fail;
  for (size_t i = 0; i < n; i++) {
    cp__logrec lr;
    cp_note_verifier vs[1 + CP_WITNESS_TRUST_MAX];
    size_t nv = 0;
    cp_note_result res;
    v[i].d.msg[0] = 0;
    v[i].cosigned = 0;
    v[i].rc = cp__logrec_get(&tx, v[i].log, &lr);
    if (v[i].rc == CP_ENOTFOUND) {
      v[i].rc = cp_diag_set(&v[i].d, CP_ENOTFOUND, "checkpoint for a log this node does not hold");
      continue;
    }
    if (v[i].rc == 0) v[i].rc = note_verifiers(&tx, &lr, vs, &nv);
    if (v[i].rc == 0)
      v[i].rc = cp_note_open_checkpoint(v[i].note, v[i].len, vs, nv, vs[0].name, &res, &v[i].d);
    if (v[i].rc == 0)
      v[i].rc = note_put(&tx, &lr, vs, nv, &res, v[i].note, v[i].len, 0, (uint64_t)time(NULL),
                         &v[i].cosigned, &v[i].d);
    if (v[i].rc == 0 || v[i].rc == CP_EFORK) {
      stored++;
    } else if (!note_fault(v[i].rc)) {
      rc = v[i].rc;
      if (d != NULL) *d = v[i].d;
      cp__tx_abort(&tx);
      goto fail;
    }
  }
  if (stored == 0) {
    cp__tx_abort(&tx);
    return CP_OK;
  }
  if ((rc = cp__tx_commit(&tx, d)) == 0) return CP_OK;
fail:
  /* Nothing was stored: every note that was not refused on its own fails
   * with the store's error. */
  for (size_t i = 0; i < n; i++)
    if (v[i].rc == 0 || !note_fault(v[i].rc)) {
      v[i].rc = rc;
      snprintf(v[i].d.msg, sizeof v[i].d.msg, "%s", d != NULL && d->msg[0] ? d->msg : cp_strerror(rc));
    }
  return rc;
}

/* One log's re-cosigning: 1 when its latest checkpoint was cosigned anew
 * in tx, 0 when it is not due or not to be witnessed. */
static int recosign_one(cp__tx *tx, const uint8_t log[CP_PK_BYTES], const uint8_t *self,
                        uint64_t now, uint64_t min_age, cp_diag *d) {
  cp__logrec lr;
  cp_note_verifier vs[1 + CP_WITNESS_TRUST_MAX];
  cp_note_result res;
  size_t nv = 0;
  uint64_t size = 0, ts = 0;
  uint8_t kb[12];
  char note[CP_NOTE_MAX];
  int cosigned = 0, rc = cp__logrec_get(tx, log, &lr);
  if (rc != 0) return rc;
  if ((self != NULL && memcmp(self, log, CP_PK_BYTES) == 0) || (lr.flags & CP_LOG_FORKED))
    return 0;
  if ((rc = latest_size(tx, lr.logno, &size)) != 0 || size == 0) return rc;
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, size);
  MDB_val k = {12, kb}, v;
  if ((rc = mdb_get(tx->txn, tx->s->checkpoints, &k, &v)) != 0)
    return cp__err_mdb(rc, d, "checkpoints");
  if (v.mv_size > CP_NOTE_MAX) return CP_ECORRUPT;
  if (cp__own_cosig_time(tx->s, v.mv_data, v.mv_size, &ts) && ts <= now && now - ts < min_age)
    return 0;
  /* A copy: the held note's pages may be rewritten by the put below. */
  memcpy(note, v.mv_data, v.mv_size);
  size_t len = v.mv_size;
  /* SPEC: L-2 the same checks as a first cosignature: the log's signature
   * under its current key at that size, and the root against the held
   * tree. A held note that no longer passes them is left as it is. */
  if (note_verifiers(tx, &lr, vs, &nv) != 0 ||
      cp_note_open_checkpoint(note, len, vs, nv, vs[0].name, &res, NULL) != 0)
    return 0;
  rc = note_put(tx, &lr, vs, nv, &res, note, len, 1, now, &cosigned, d);
  if (rc == CP_EEXIST || rc == CP_EBADSIG || rc == CP_EINVAL || rc == CP_EPROOF) return 0;
  return rc != 0 ? rc : cosigned;
}

int cp_store_recosign(cp_store *s, uint64_t now, uint64_t min_age, uint8_t (*out)[CP_PK_BYTES],
                      size_t cap, size_t *n, cp_diag *d) {
  cp__tx tx;
  MDB_cursor *c = NULL;
  MDB_val k, val;
  uint8_t self[CP_PK_BYTES];
  int rc, have_self;
  *n = 0;
  if (s->witness == NULL) return CP_OK;
  if ((rc = cp__tx_begin(s, 1, &tx, d)) != 0) return rc;
  rc = cp__self_log(&tx, self);
  if (rc != 0 && rc != CP_ENOTFOUND) goto fail;
  have_self = rc == 0;
  if ((rc = mdb_cursor_open(tx.txn, s->logkeys, &c)) != 0) {
    rc = cp__err_mdb(rc, d, "logkeys");
    goto fail;
  }
  int m;
  uint8_t key[CP_PK_BYTES];
  for (m = mdb_cursor_get(c, &k, &val, MDB_FIRST); m == 0 && *n < cap;
       m = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
    if (k.mv_size != CP_PK_BYTES) continue;
    memcpy(key, k.mv_data, CP_PK_BYTES);
    rc = recosign_one(&tx, key, have_self ? self : NULL, now, min_age, d);
    if (rc < 0) break;
    if (rc == 1) memcpy(out[(*n)++], key, CP_PK_BYTES);
    rc = 0;
  }
  mdb_cursor_close(c);
  if (rc != 0) goto fail;
  if (m != 0 && m != MDB_NOTFOUND) {
    rc = cp__err_mdb(m, d, "logkeys");
    goto fail;
  }
  if (*n == 0) {
    cp__tx_abort(&tx);
    return CP_OK;
  }
  if ((rc = cp__tx_commit(&tx, d)) == 0) return CP_OK;
  *n = 0;
  return rc;
fail:
  *n = 0;
  cp__tx_abort(&tx);
  return rc;
}
