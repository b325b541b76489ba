/*
 * credport — appending to logs: the own-log appender and the ingest of
 * entries from anywhere. Both end in cp__append, after the same checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/note.h"
#include "store_internal.h"

static int next_rowid(cp__tx *tx, uint64_t *rowid) {
  if (!tx->rowid_known) {
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = mdb_cursor_open(tx->txn, tx->s->entries, &c);
    if (rc != 0) return cp__err_mdb(rc, NULL, "entries");
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND)
      tx->next_rowid = 0;
    else if (rc != 0)
      return cp__err_mdb(rc, NULL, "entries");
    else if (k.mv_size != 8)
      return CP_ECORRUPT;
    else
      tx->next_rowid = cp__rd64(k.mv_data) + 1;
    tx->rowid_known = 1;
  }
  *rowid = tx->next_rowid++;
  return CP_OK;
}

static int put_run(cp__tx *tx, cp__logrec *lr, uint64_t seq, uint64_t rowid) {
  if (lr->run_count > 0 && lr->run_rowid + lr->run_count == rowid &&
      lr->run_first_seq + lr->run_count == seq) {
    lr->run_count++;
  } else {
    lr->run_first_seq = seq;
    lr->run_rowid = rowid;
    lr->run_count = 1;
  }
  uint8_t kb[12], vb[16];
  cp__be32(kb, lr->logno);
  cp__be64(kb + 4, lr->run_first_seq);
  cp__be64(vb, lr->run_rowid);
  cp__be64(vb + 8, lr->run_count);
  MDB_val k = {12, kb}, v = {16, vb};
  int rc = mdb_put(tx->txn, tx->s->runs, &k, &v, 0);
  return rc != 0 ? cp__err_mdb(rc, NULL, "runs") : CP_OK;
}

int cp__append(cp__tx *tx, cp__logrec *lr, const uint8_t *buf, size_t len, const cp_entry *e,
               const uint8_t *known_id, int verified, uint64_t now, cp_diag *d) {
  int rc = cp__check_chain(lr, e, now, d);
  if (rc != 0) return rc;
  /* SPEC: R-entry-04 signed by the log's current signing key. */
  if (!verified && cp_entry_verify(buf, len, lr->signer) != 0)
    return cp_diag_set(d, CP_EBADSIG, "seq %llu: signature does not verify under the log key",
                       (unsigned long long)e->seq);
  if ((rc = cp__check_rules(tx, lr, e, UINT64_MAX, d)) != 0) return rc;

  uint8_t id[CP_HASH_BYTES], done[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES];
  unsigned ndone = 0;
  uint64_t rowid = 0;
  if (known_id != NULL) memcpy(id, known_id, CP_HASH_BYTES);
  else cp_entry_id(buf, len, id);
  if ((rc = next_rowid(tx, &rowid)) != 0) return rc;
  cp_merkle_frontier_append(&lr->fr, id, done, &ndone);

  uint8_t kb[8];
  cp__be64(kb, rowid);
  MDB_val k = {8, kb}, v = {1 + (size_t)ndone * CP_HASH_BYTES + len, NULL};
  rc = mdb_put(tx->txn, tx->s->entries, &k, &v, MDB_APPEND | MDB_RESERVE);
  if (rc != 0) return cp__err_mdb(rc, d, "entries");
  uint8_t *row = v.mv_data;
  row[0] = (uint8_t)ndone;
  memcpy(row + 1, done, (size_t)ndone * CP_HASH_BYTES);
  memcpy(row + 1 + (size_t)ndone * CP_HASH_BYTES, buf, len);
  if ((rc = put_run(tx, lr, e->seq, rowid)) != 0) return rc;

  cp__idxrec recs[4];
  size_t nrec = cp__index_records(tx, lr->logno, e, id, rowid, recs);
  for (size_t i = 0; i < nrec; i++) {
    MDB_val ik = {recs[i].klen, recs[i].key}, iv = {recs[i].vlen, recs[i].val};
    MDB_dbi dbi = cp__index_target(tx->s, recs[i].dbi);
    tx->tiered |= dbi != recs[i].dbi;
    rc = mdb_put(tx->txn, dbi, &ik, &iv, recs[i].dup ? 0 : MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
      return cp_diag_set(d, CP_EEXIST, "seq %llu: %s already holds this key",
                         (unsigned long long)e->seq, recs[i].name);
    if (rc != 0) return cp__err_mdb(rc, d, recs[i].name);
  }
  memcpy(lr->head, id, CP_HASH_BYTES);
  lr->last_time = e->time;
  if (e->type == CP_T_KEY) {
    if (e->u.key.action == CP_KEY_ROTATE)
      memcpy(lr->signer, e->u.key.new_key, CP_PK_BYTES);
    else
      lr->flags |= CP_LOG_RETIRED;
  }
  cp__map_bound(tx->s, 1);
  return CP_OK;
}

/* ---- checkpoints ---------------------------------------------------------- */

int cp__put_checkpoint(cp__tx *tx, uint32_t logno, uint64_t size, const char *note, size_t len,
                       cp_diag *d) {
  uint8_t kb[12];
  cp__be32(kb, logno);
  cp__be64(kb + 4, size);
  MDB_val k = {12, kb}, v = {len, (void *)note};
  int rc = mdb_put(tx->txn, tx->s->checkpoints, &k, &v, 0);
  return rc != 0 ? cp__err_mdb(rc, d, "checkpoints") : CP_OK;
}

int cp__sign_checkpoint(cp__tx *tx, const cp__logrec *lr, const cp_key *k, cp_diag *d) {
  cp_entry g;
  char origin[CP_ORIGIN_MAX + 1], note[CP_NOTE_MAX];
  size_t len;
  uint8_t root[CP_HASH_BYTES];
  int rc = cp__genesis(tx, lr->logno, &g);
  if (rc != 0) return cp_diag_set(d, rc, "cannot read the genesis entry");
  memcpy(origin, g.u.authority.origin.p, g.u.authority.origin.len);
  origin[g.u.authority.origin.len] = 0;
  cp_merkle_frontier_root(&lr->fr, root);
  rc = cp_checkpoint_sign(k, origin, lr->fr.size, root, note, sizeof note, &len);
  if (rc != 0) return cp_diag_set(d, rc, "cannot sign a checkpoint");
  rc = cp__put_checkpoint(tx, lr->logno, lr->fr.size, note, len, NULL);
  return rc != 0 ? rc : cp__revstat_sign(tx, lr, k, origin, root, d);
}

int cp__self_log(cp__tx *tx, uint8_t log[CP_PK_BYTES]) {
  MDB_val k = {4, (void *)"self"}, v;
  int rc = mdb_get(tx->txn, tx->s->meta, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "meta");
  if (v.mv_size != CP_PK_BYTES) return CP_ECORRUPT;
  memcpy(log, v.mv_data, CP_PK_BYTES);
  return CP_OK;
}

int cp_store_checkpoint(cp_store *s, const cp_key *k, cp_diag *d) {
  cp__tx tx;
  cp__logrec lr;
  uint8_t self[CP_PK_BYTES];
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  rc = cp__self_log(&tx, self);
  if (rc == 0) rc = cp__logrec_get(&tx, self, &lr);
  if (rc == 0) {
    uint8_t pk[CP_PK_BYTES];
    cp_key_public(k, pk);
    if (memcmp(pk, lr.signer, CP_PK_BYTES) != 0)
      rc = cp_diag_set(d, CP_EDENIED, "the key given is not this log's signing key");
  }
  if (rc == 0) rc = cp__sign_checkpoint(&tx, &lr, k, d);
  if (rc == 0)
    rc = cp__tx_commit(&tx, d);
  else
    cp__tx_abort(&tx);
  return rc;
}

/* Creates the log record of a log whose genesis entry e is being ingested. */
static int new_log(cp__tx *tx, const cp_entry *e, cp__logrec *lr) {
  memset(lr, 0, sizeof *lr);
  int rc = cp__logno_next(tx, &lr->logno);
  if (rc != 0) return rc;
  memcpy(lr->log, e->log, CP_PK_BYTES);
  memcpy(lr->signer, e->log, CP_PK_BYTES);
  cp_merkle_frontier_init(&lr->fr);
  uint8_t nb[4];
  cp__be32(nb, lr->logno);
  MDB_val k = {CP_PK_BYTES, lr->log}, v = {4, nb};
  rc = mdb_put(tx->txn, tx->s->logkeys, &k, &v, MDB_NOOVERWRITE);
  if (rc != 0) return cp__err_mdb(rc, NULL, "logkeys");
  /* Store the record now, not only at the end of the batch: the next new
   * log of the same batch takes its number from the logs database. */
  return cp__logrec_put(tx, lr);
}

int cp_store_init_authority(cp_store *s, const cp_key *k, const char *name,
                            const char *jurisdiction, unsigned role, const char *origin,
                            uint64_t now, cp_diag *d) {
  cp__tx tx;
  cp__logrec lr;
  cp_entry e;
  uint8_t self[CP_PK_BYTES], buf[CP_ENTRY_MAX];
  size_t len;
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  rc = cp__self_log(&tx, self);
  if (rc == 0) {
    rc = cp_diag_set(d, CP_EEXIST, "this node already has an authority");
    goto out;
  }
  if (rc != CP_ENOTFOUND) goto out;
  memset(&e, 0, sizeof e);
  e.version = CP_ENTRY_VERSION;
  e.type = CP_T_AUTHORITY;
  cp_key_public(k, e.log);
  e.time = now;
  e.u.authority.name = (cp_str){name, strlen(name)};
  e.u.authority.jurisdiction = (cp_str){jurisdiction, strlen(jurisdiction)};
  e.u.authority.origin = (cp_str){origin, strlen(origin)};
  e.u.authority.role = (uint8_t)role;
  if ((rc = cp_entry_sign(&e, k, buf, sizeof buf, &len, d)) != 0) goto out;
  if ((rc = new_log(&tx, &e, &lr)) != 0) goto out;
  if ((rc = cp__append(&tx, &lr, buf, len, &e, NULL, 1, now, d)) != 0) goto out;
  MDB_val mk = {4, (void *)"self"}, mv = {CP_PK_BYTES, e.log};
  if ((rc = mdb_put(tx.txn, s->meta, &mk, &mv, 0)) != 0) {
    rc = cp__err_mdb(rc, d, "meta");
    goto out;
  }
  if ((rc = cp__logrec_put(&tx, &lr)) != 0) goto out;
  if ((rc = cp__sign_checkpoint(&tx, &lr, k, d)) != 0) goto out;
  if ((rc = cp__tx_commit(&tx, d)) == 0) cp__ownhead_write(s, lr.fr.size, lr.head);
  return rc;
out:
  cp__tx_abort(&tx);
  return rc;
}

/* ---- ingest --------------------------------------------------------------- */

/* The log records a batch touches, written back once at the end. */
typedef struct {
  cp__logrec *v;
  size_t n, cap;
} logcache;

static cp__logrec *cache_find(logcache *c, const uint8_t log[CP_PK_BYTES]) {
  for (size_t i = c->n; i-- > 0;)
    if (memcmp(c->v[i].log, log, CP_PK_BYTES) == 0) return &c->v[i];
  return NULL;
}

static cp__logrec *cache_add(logcache *c) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 4;
    cp__logrec *v = realloc(c->v, cap * sizeof *v);
    if (v == NULL) return NULL;
    c->v = v;
    c->cap = cap;
  }
  return &c->v[c->n++];
}

/* Copies the proof pair (a, b) into f and reports CP_EFORK. */
static int keep_fork(cp__fork *f, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                     uint64_t seq, const char *what, cp_diag *d) {
  f->found = 1;
  f->a = malloc(alen);
  f->b = malloc(blen);
  if (f->a == NULL || f->b == NULL) return CP_ENOMEM;
  memcpy(f->a, a, alen);
  f->alen = alen;
  memcpy(f->b, b, blen);
  f->blen = blen;
  return cp_diag_set(d, CP_EFORK, "seq %llu: equivocation, %s", (unsigned long long)seq, what);
}

/* An entry at a seq the log already holds: a duplicate (returns 1), or a
 * validly signed different entry — equivocation, copied into f. */
static int held_seq(cp__tx *tx, const cp__logrec *lr, const uint8_t *buf, size_t len,
                    const cp_entry *e, cp__fork *f, cp_diag *d) {
  const uint8_t *held;
  size_t hlen;
  int rc = cp__entry_at(tx, lr->logno, e->seq, &held, &hlen);
  if (rc != 0) return rc == CP_ENOTFOUND ? CP_ECORRUPT : rc;
  if (hlen == len && memcmp(held, buf, len) == 0) return 1;
  /* Equivocation needs a valid signature by a key this log has used. */
  if ((rc = cp__fork_check(tx, lr, held, hlen, buf, len, NULL)) == CP_EBADSIG)
    return cp_diag_set(d, CP_EBADSIG, "seq %llu: differs from the held entry and is not "
                       "validly signed", (unsigned long long)e->seq);
  if (rc != 0) return rc;
  return keep_fork(f, held, hlen, buf, len, e->seq, "a second validly signed entry", d);
}

/* SPEC: R-entry-06. Whether a clock entry of log follows entry i in the
 * batch: then entry i is not held to the future bound (the clock entry's own
 * rules, R-body-08, bound what it corrects). */
static int clock_follows(const uint8_t *const *bufs, const size_t *lens, size_t n, size_t i,
                         const uint8_t log[CP_PK_BYTES]) {
  for (size_t j = i + 1; j < n; j++)
    if (lens[j] >= CP_ENTRY_MIN_BYTES && bufs[j][1] == CP_T_CLOCK &&
        memcmp(bufs[j] + 2, log, CP_PK_BYTES) == 0)
      return 1;
  return 0;
}

/* The next entry of a log whose prev is not the ID of the last entry held:
 * if it is validly signed by the key in force, the log's key has signed two
 * branches (whatever their lengths), and (entry seq-1, this entry) is the
 * proof. Returns 0 when the entry is not such a proof (the chain rule then
 * refuses it as it refuses any broken link). SPEC: R-fork-01 */
static int contradicts_prev(cp__tx *tx, const cp__logrec *lr, const uint8_t *buf, size_t len,
                            const cp_entry *e, cp__fork *f, cp_diag *d) {
  const uint8_t *held;
  size_t hlen;
  if (e->seq == 0 || e->seq != lr->fr.size || memcmp(e->prev, lr->head, CP_HASH_BYTES) == 0 ||
      (lr->flags & (CP_LOG_FORKED | CP_LOG_RETIRED)) != 0)
    return 0;
  if (cp_entry_verify(buf, len, lr->signer) != 0) return 0;
  int rc = cp__entry_at(tx, lr->logno, e->seq - 1, &held, &hlen);
  if (rc != 0) return rc == CP_ENOTFOUND ? CP_ECORRUPT : rc;
  if ((rc = cp__fork_check(tx, lr, held, hlen, buf, len, NULL)) != 0) return rc;
  return keep_fork(f, held, hlen, buf, len, e->seq,
                   "its prev contradicts the held entry before it (two branches)", d);
}

static int ingest(cp_store *s, const uint8_t *const *bufs, const size_t *lens,
                  const uint8_t *const *keys, size_t n, unsigned flags, uint64_t now,
                  cp_ingest_report *rep, cp_diag *d) {
  cp__tx tx;
  logcache cache = {NULL, 0, 0};
  cp__fork fork = {0, NULL, NULL, 0, 0};
  cp_entry e;
  cp_diag ed;
  size_t i = 0;
  char hex[17];
  memset(rep, 0, sizeof *rep);
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  for (i = 0; i < n; i++) {
    ed.msg[0] = 0;
    if ((rc = cp_entry_decode(bufs[i], lens[i], &e, &ed)) != 0) break;
    cp__logrec *lr = cache_find(&cache, e.log);
    if (lr == NULL) {
      cp__logrec tmp;
      rc = cp__logrec_get(&tx, e.log, &tmp);
      if (rc == CP_ENOTFOUND && e.seq == 0) rc = new_log(&tx, &e, &tmp);
      else if (rc == CP_ENOTFOUND)
        rc = cp_diag_set(&ed, CP_ECHAIN, "seq %llu of a log this node does not hold "
                         "(its entries from seq 0 must come first)", (unsigned long long)e.seq);
      if (rc != 0) break;
      if ((lr = cache_add(&cache)) == NULL) {
        rc = CP_ENOMEM;
        break;
      }
      *lr = tmp;
    }
    if (e.seq < lr->fr.size && !(lr->flags & CP_LOG_FORKED)) {
      rc = held_seq(&tx, lr, bufs[i], lens[i], &e, &fork, &ed);
      if (rc == 1) {
        rep->duplicates++;
        rc = 0; /* a duplicate is not a failure, even as the batch's last entry */
        continue;
      }
      break;
    }
    if ((rc = contradicts_prev(&tx, lr, bufs[i], lens[i], &e, &fork, &ed)) != 0) break;
    /* SPEC: R-entry-04. A worker's check counts only if it used the key in
     * force here: an earlier entry of this batch or of an earlier commit may
     * have rotated it since the worker's snapshot. */
    int verified = (flags & CP_INGEST_VERIFIED) != 0 ||
                   (keys != NULL && keys[i] != NULL &&
                    memcmp(keys[i], lr->signer, CP_PK_BYTES) == 0);
    uint64_t bound = now;
    if (now != 0 && e.time > now + CP_TIME_SKEW_MAX && clock_follows(bufs, lens, n, i, e.log))
      bound = 0;
    rc = cp__append(&tx, lr, bufs[i], lens[i], &e, NULL, verified, bound, &ed);
    if (rc != 0) break;
    rep->added++;
  }
  for (size_t j = 0; rc == 0 && j < cache.n; j++) rc = cp__logrec_put(&tx, &cache.v[j]);
  if (rc == 0) {
    rc = cp__tx_commit(&tx, d);
  } else {
    cp__tx_abort(&tx);
    rep->failed_at = i;
    rep->added = 0;
    rep->duplicates = 0;
    if (i < n && lens[i] >= 34) cp_hex_encode(bufs[i] + 2, 8, hex);
    else snprintf(hex, sizeof hex, "?");
    cp_diag_set(d, rc, "entry %zu of the batch (log %s…): %s", i, hex,
                ed.msg[0] ? ed.msg : cp_strerror(rc));
    if (fork.found) {
      int frc = cp__fork_record(s, &fork, NULL);
      if (frc == 0) rep->forked = 1;
    }
  }
  free(fork.a);
  free(fork.b);
  free(cache.v);
  return rc;
}

int cp_store_ingest(cp_store *s, const uint8_t *const *bufs, const size_t *lens, size_t n,
                    unsigned flags, uint64_t now, cp_ingest_report *rep, cp_diag *d) {
  return ingest(s, bufs, lens, NULL, n, flags, now, rep, d);
}

int cp_store_ingest_checked(cp_store *s, const uint8_t *const *bufs, const size_t *lens,
                            const uint8_t *const *keys, size_t n, uint64_t now,
                            cp_ingest_report *rep, cp_diag *d) {
  return ingest(s, bufs, lens, keys, n, 0, now, rep, d);
}
