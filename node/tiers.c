/*
 * credport — the two indexes with random keys, kept in two tiers.
 *
 * Entry IDs and educator keys are uniformly random, so inserting them one
 * by one into a large B-tree touches (and copies, and rewrites) a different
 * leaf page for nearly every entry: at a million entries a commit rewrote
 * most of both indexes, and the process mapped most of the file. New records
 * therefore go to a small "recent" tier (ids_new, by_edu_new) whose pages
 * stay few and hot; when it reaches its limit it is merged into the main
 * tier (ids, by_edu) in key order, a bounded chunk per transaction, each
 * leaf of the main tier copied once per merge.
 *
 * Invariants readers rely on:
 *   - a record is in exactly one tier, in every committed state (a chunk
 *     moves records with their deletion from the recent tier);
 *   - for one educator, every row in the main tier precedes every row in
 *     the recent tier (rows are appended in order, and a chunk takes the
 *     lowest keys and, within a key, the lowest rows first), so reading the
 *     main tier, then the recent one, gives ascending rows.
 */
#include <string.h>

#include "store_internal.h"

#define MERGE_CHUNK 8192u /* records moved per transaction */

MDB_dbi cp__index_target(const cp_store *s, MDB_dbi dbi) {
  if (dbi == s->ids) return s->ids_new;
  if (dbi == s->by_edu) return s->edu_new;
  return dbi;
}

MDB_dbi cp__index_recent(const cp_store *s, MDB_dbi dbi) {
  MDB_dbi t = cp__index_target(s, dbi);
  return t == dbi ? 0 : t;
}

int cp__id_row(cp__tx *tx, const uint8_t id[CP_HASH_BYTES], uint64_t *rowid) {
  MDB_val k = {CP_HASH_BYTES, (void *)id}, v;
  int rc = mdb_get(tx->txn, tx->s->ids_new, &k, &v);
  if (rc == MDB_NOTFOUND) rc = mdb_get(tx->txn, tx->s->ids, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "ids");
  if (v.mv_size != 8) return CP_ECORRUPT;
  *rowid = cp__rd64(v.mv_data);
  return CP_OK;
}

/* ---- one educator's rows -------------------------------------------------- */

int cp__edu_open(cp__tx *tx, cp__edu_cursor *ec) {
  ec->c[0] = ec->c[1] = NULL;
  int rc = mdb_cursor_open(tx->txn, tx->s->by_edu, &ec->c[0]);
  if (rc == 0) rc = mdb_cursor_open(tx->txn, tx->s->edu_new, &ec->c[1]);
  if (rc != 0) {
    cp__edu_close(ec);
    return cp__err_mdb(rc, NULL, "by_edu");
  }
  return CP_OK;
}

void cp__edu_close(cp__edu_cursor *ec) {
  for (int i = 0; i < 2; i++)
    if (ec->c[i] != NULL) mdb_cursor_close(ec->c[i]);
  ec->c[0] = ec->c[1] = NULL;
}

int cp__edu_rows(cp__edu_cursor *ec, const uint8_t educator[CP_PK_BYTES],
                 int (*fn)(void *ctx, uint64_t rowid), void *ctx) {
  for (int t = 0; t < 2; t++) {
    MDB_val k = {CP_PK_BYTES, (void *)educator}, v;
    int rc;
    for (rc = mdb_cursor_get(ec->c[t], &k, &v, MDB_SET_KEY); rc == 0;
         rc = mdb_cursor_get(ec->c[t], &k, &v, MDB_NEXT_DUP)) {
      if (v.mv_size != 8) return CP_ECORRUPT;
      int e = fn(ctx, cp__rd64(v.mv_data));
      if (e != 0) return e;
    }
    if (rc != MDB_NOTFOUND) return cp__err_mdb(rc, NULL, "by_edu");
  }
  return CP_OK;
}

/* ---- every educator, once, in key order ------------------------------------ */

int cp__each_educator(cp__tx *tx, int (*fn)(void *ctx, const uint8_t educator[CP_PK_BYTES]),
                      void *ctx) {
  cp__edu_cursor ec;
  MDB_val k[2], v;
  int rc[2], e = cp__edu_open(tx, &ec);
  if (e != 0) return e;
  for (int t = 0; t < 2; t++) rc[t] = mdb_cursor_get(ec.c[t], &k[t], &v, MDB_FIRST);
  while (e == 0 && (rc[0] == 0 || rc[1] == 0)) {
    if ((rc[0] == 0 && k[0].mv_size != CP_PK_BYTES) || (rc[1] == 0 && k[1].mv_size != CP_PK_BYTES)) {
      e = CP_ECORRUPT;
      break;
    }
    /* The smaller key of the two (both, when equal) is next. */
    int cmp = rc[0] != 0 ? 1 : rc[1] != 0 ? -1 : memcmp(k[0].mv_data, k[1].mv_data, CP_PK_BYTES);
    uint8_t key[CP_PK_BYTES];
    memcpy(key, (cmp <= 0 ? k[0] : k[1]).mv_data, CP_PK_BYTES);
    e = fn(ctx, key);
    if (cmp <= 0) rc[0] = mdb_cursor_get(ec.c[0], &k[0], &v, MDB_NEXT_NODUP);
    if (cmp >= 0) rc[1] = mdb_cursor_get(ec.c[1], &k[1], &v, MDB_NEXT_NODUP);
  }
  for (int t = 0; e == 0 && t < 2; t++)
    if (rc[t] != 0 && rc[t] != MDB_NOTFOUND) e = cp__err_mdb(rc[t], NULL, "by_edu");
  cp__edu_close(&ec);
  return e;
}

/* ---- merging the recent tier into the main one ----------------------------- */

/* Moves up to MERGE_CHUNK records, lowest keys first, from `from` to `to` in
 * one transaction. *left is set to what the recent tier still holds. */
static int merge_chunk(cp_store *s, MDB_dbi from, MDB_dbi to, int dup, size_t *left) {
  cp__tx tx;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  int rc = cp__tx_begin(s, 1, &tx, NULL);
  if (rc != 0) return rc;
  int mrc = mdb_cursor_open(tx.txn, from, &c);
  unsigned moved = 0;
  for (; mrc == 0 && moved < MERGE_CHUNK; moved++) {
    if ((mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) != 0) break;
    MDB_val want = v;
    mrc = mdb_put(tx.txn, to, &k, &v, dup ? MDB_NODUPDATA : MDB_NOOVERWRITE);
    /* Already in the main tier as it is here: only this copy goes. Another
     * row under one entry ID stops the merge (a damaged store, which the
     * audit reports); both tiers stay readable. */
    if (mrc == MDB_KEYEXIST &&
        (dup || (v.mv_size == want.mv_size && memcmp(v.mv_data, want.mv_data, v.mv_size) == 0)))
      mrc = 0;
    if (mrc == 0) mrc = mdb_cursor_del(c, 0);
  }
  if (mrc == MDB_NOTFOUND) mrc = 0;
  MDB_stat st;
  if (mrc == 0) mrc = mdb_stat(tx.txn, from, &st);
  if (c != NULL) mdb_cursor_close(c);
  if (mrc != 0) {
    cp__tx_abort(&tx);
    return cp__err_mdb(mrc, NULL, "merging an index");
  }
  *left = st.ms_entries;
  cp__map_bound(s, moved); /* inside the write transaction, like every other caller */
  return cp__tx_commit(&tx, NULL);
}

int cp__tiers_settle(cp_store *s) {
  const struct { MDB_dbi from, to; int dup; } pairs[] = {{s->ids_new, s->ids, 0},
                                                         {s->edu_new, s->by_edu, 1}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    size_t left = 1;
    while (left > 0) {
      int rc = merge_chunk(s, pairs[i].from, pairs[i].to, pairs[i].dup, &left);
      if (rc != 0) return rc; /* the tiers stay as they are, both readable */
    }
  }
  return CP_OK;
}

int cp__tiers_full(cp__tx *tx) {
  MDB_stat a, b;
  if (mdb_stat(tx->txn, tx->s->ids_new, &a) != 0 || mdb_stat(tx->txn, tx->s->edu_new, &b) != 0)
    return 0;
  return a.ms_entries >= tx->s->recent_max || b.ms_entries >= tx->s->recent_max;
}
