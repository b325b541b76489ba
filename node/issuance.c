/* credport — the duplicate-award guard of the own-log appender (see issuance.h). */
#include "issuance.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"

void cp__dupset_init(cp__dupset *ds) {
  memset(ds, 0, sizeof *ds);
  randombytes_buf(ds->key, sizeof ds->key);
  ds->first_row = UINT64_MAX;
}

void cp__dupset_free(cp__dupset *ds) {
  free(ds->slot);
  ds->slot = NULL;
  ds->cap = ds->n = 0;
}

static uint64_t award_hash(const cp__dupset *ds, const cp_entry *e) {
  uint8_t in[CP_HASH_BYTES + CP_PK_BYTES + 4], out[crypto_shorthash_BYTES];
  memcpy(in, e->u.award.credential, CP_HASH_BYTES);
  memcpy(in + CP_HASH_BYTES, e->u.award.educator, CP_PK_BYTES);
  uint8_t *t = in + CP_HASH_BYTES + CP_PK_BYTES;
  t[0] = (uint8_t)(e->u.award.earned >> 24);
  t[1] = (uint8_t)(e->u.award.earned >> 16);
  t[2] = (uint8_t)(e->u.award.earned >> 8);
  t[3] = (uint8_t)e->u.award.earned;
  crypto_shorthash(out, in, sizeof in, ds->key);
  uint64_t h = cp__rd64(out);
  return h != 0 ? h : 1;
}

static void put_slot(struct cp__dupslot *slot, size_t cap, uint64_t h, uint64_t seq) {
  size_t i = (size_t)h & (cap - 1);
  while (slot[i].h != 0) i = (i + 1) & (cap - 1);
  slot[i].h = h;
  slot[i].seq = seq;
}

int cp__dupset_add(cp__dupset *ds, cp__tx *tx, const cp_entry *e) {
  if (ds->first_row == UINT64_MAX && tx->rowid_known) ds->first_row = tx->next_rowid - 1;
  if (2 * (ds->n + 1) > ds->cap) {
    size_t cap = ds->cap ? 2 * ds->cap : 1024;
    struct cp__dupslot *v = calloc(cap, sizeof *v);
    if (v == NULL) return CP_ENOMEM;
    for (size_t i = 0; i < ds->cap; i++)
      if (ds->slot[i].h != 0) put_slot(v, cap, ds->slot[i].h, ds->slot[i].seq);
    free(ds->slot);
    ds->slot = v;
    ds->cap = cap;
  }
  put_slot(ds->slot, ds->cap, award_hash(ds, e), e->seq);
  ds->n++;
  return CP_OK;
}

/* 1 if the entry buf is an award of log lr naming e's credential, educator
 * and day that is not revoked (OUT: its seq and ID); 0 if not; < 0 on error. */
static int repeats(cp__tx *tx, const cp__logrec *lr, const cp_entry *e, const uint8_t *buf,
                   size_t len, uint64_t *seq, uint8_t id[CP_HASH_BYTES]) {
  cp_entry o;
  if (len < 42 || buf[1] != CP_T_AWARD || memcmp(buf + 2, lr->log, CP_PK_BYTES) != 0) return 0;
  if (cp_entry_decode(buf, len, &o, NULL) != 0) return CP_ECORRUPT;
  if (o.u.award.earned != e->u.award.earned ||
      memcmp(o.u.award.credential, e->u.award.credential, CP_HASH_BYTES) != 0 ||
      memcmp(o.u.award.educator, e->u.award.educator, CP_PK_BYTES) != 0)
    return 0;
  cp_entry_id(buf, len, id);
  MDB_val k = {CP_HASH_BYTES, id}, v;
  int rc = mdb_get(tx->txn, tx->s->revoked, &k, &v);
  if (rc == 0) return 0; /* a revoked award may be given again */
  if (rc != MDB_NOTFOUND) return cp__err_mdb(rc, NULL, "revoked");
  *seq = o.seq;
  return 1;
}

typedef struct {
  cp__tx *tx;
  const cp__logrec *lr;
  const cp_entry *e;
  uint64_t first_row, seq;
  uint8_t id[CP_HASH_BYTES];
} walk;

/* Rows come in ascending order, and those of this transaction are last:
 * they all go to the recent tier of by_edu (tiers are merged only after a
 * commit, node/store.c), which is walked after the main one. */
static int walk_row(void *ctx, uint64_t rowid) {
  walk *w = ctx;
  const uint8_t *buf;
  size_t len;
  if (rowid >= w->first_row) return 2;
  int rc = cp__entry_of_rowid(w->tx, rowid, &buf, &len);
  if (rc == 0) rc = repeats(w->tx, w->lr, w->e, buf, len, &w->seq, w->id);
  return rc;
}

static int count_key(MDB_cursor *c, const void *key, size_t klen, size_t *n) {
  MDB_val k = {klen, (void *)key}, v;
  int rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
  if (rc == MDB_NOTFOUND) {
    *n = 0;
    return CP_OK;
  }
  if (rc == 0) rc = mdb_cursor_count(c, n);
  return rc == 0 ? CP_OK : cp__err_mdb(rc, NULL, "index count");
}

/* The committed awards: the shorter of the educator's and the credential's
 * index lists. Returns 1 when one repeats e, 0 when none does. */
static int find_committed(walk *w) {
  cp__edu_cursor ec;
  MDB_cursor *cc = NULL;
  size_t ne0 = 0, ne1 = 0, nc = 0;
  int rc = cp__edu_open(w->tx, &ec);
  if (rc != 0) return rc;
  if ((rc = mdb_cursor_open(w->tx->txn, w->tx->s->by_cred, &cc)) != 0) {
    cp__edu_close(&ec);
    return cp__err_mdb(rc, NULL, "by_cred");
  }
  if ((rc = count_key(ec.c[0], w->e->u.award.educator, CP_PK_BYTES, &ne0)) == 0 &&
      (rc = count_key(ec.c[1], w->e->u.award.educator, CP_PK_BYTES, &ne1)) == 0)
    rc = count_key(cc, w->e->u.award.credential, CP_HASH_BYTES, &nc);
  if (rc == 0 && ne0 + ne1 <= nc) {
    rc = cp__edu_rows(&ec, w->e->u.award.educator, walk_row, w);
  } else if (rc == 0) {
    MDB_val k = {CP_HASH_BYTES, (void *)w->e->u.award.credential}, v;
    int mrc;
    for (mrc = mdb_cursor_get(cc, &k, &v, MDB_SET_KEY); mrc == 0;
         mrc = mdb_cursor_get(cc, &k, &v, MDB_NEXT_DUP)) {
      if (v.mv_size != 8) {
        rc = CP_ECORRUPT;
        break;
      }
      if ((rc = walk_row(w, cp__rd64(v.mv_data))) != 0) break;
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND) rc = cp__err_mdb(mrc, NULL, "by_cred");
  }
  mdb_cursor_close(cc);
  cp__edu_close(&ec);
  return rc == 2 ? 0 : rc;
}

/* The awards of this transaction: a hash hit is read back and compared. */
static int find_in_tx(cp__dupset *ds, walk *w) {
  if (ds->cap == 0) return 0;
  uint64_t h = award_hash(ds, w->e);
  for (size_t i = (size_t)h & (ds->cap - 1); ds->slot[i].h != 0; i = (i + 1) & (ds->cap - 1)) {
    if (ds->slot[i].h != h) continue;
    const uint8_t *buf;
    size_t len;
    int rc = cp__entry_at(w->tx, w->lr->logno, ds->slot[i].seq, &buf, &len);
    if (rc == 0) rc = repeats(w->tx, w->lr, w->e, buf, len, &w->seq, w->id);
    if (rc != 0) return rc;
  }
  return 0;
}

int cp__dup_find(cp__dupset *ds, cp__tx *tx, const cp__logrec *lr, const cp_entry *e,
                 uint64_t *seq, uint8_t id[CP_HASH_BYTES], cp_diag *d) {
  walk w = {tx, lr, e, ds->first_row, 0, {0}};
  int rc = find_committed(&w);
  if (rc == 0) rc = find_in_tx(ds, &w);
  if (rc < 0) return rc;
  if (rc == 0) return CP_OK;
  char hex[2 * CP_HASH_BYTES + 1];
  cp_hex_encode(w.id, CP_HASH_BYTES, hex);
  *seq = w.seq;
  memcpy(id, w.id, CP_HASH_BYTES);
  return cp_diag_set(d, CP_EDUPLICATE,
                     "the same credential was already awarded to this educator, earned the "
                     "same day: entry %s (seq %llu)",
                     hex, (unsigned long long)w.seq);
}
