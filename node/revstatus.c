/*
 * credport — revocation-status statements of the own log: the revocation
 * set of a log at a size, computed from the revoked index; the statement
 * signed with every checkpoint; reading them back; their audit
 * (docs/FORMATS.md "Revocation status").
 *
 * The revoked index is keyed by award ID, so a walk over it yields IDs in
 * ascending byte order, the leaf order of the revocation tree. Its value
 * is the row of the revoke entry, whose header names the log and the seq:
 * an ID is in the log's set at size N when that revoke entry is of the log
 * and its seq is below N (R-body-03 keeps award and revoke in one log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/revstatus.h"
#include "store_internal.h"

/* Walks the revoked index: for each revocation, its award ID and the log
 * key and seq of the revoke entry. */
static int each_revocation(cp__tx *tx,
                           int (*fn)(void *ctx, const uint8_t id[CP_HASH_BYTES],
                                     const uint8_t *log, uint64_t seq),
                           void *ctx) {
  MDB_cursor *c = NULL;
  MDB_val k, v;
  int rc = mdb_cursor_open(tx->txn, tx->s->revoked, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "revoked");
  int m;
  for (m = mdb_cursor_get(c, &k, &v, MDB_FIRST); m == 0 && rc == 0;
       m = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    const uint8_t *e;
    size_t len;
    if (k.mv_size != CP_HASH_BYTES || v.mv_size != 8) {
      rc = CP_ECORRUPT;
      break;
    }
    rc = cp__entry_of_rowid(tx, cp__rd64(v.mv_data), &e, &len);
    if (rc == 0 && len < 42) rc = CP_ECORRUPT;
    if (rc == 0) rc = fn(ctx, k.mv_data, e + 2, cp__entry_seq(e));
  }
  mdb_cursor_close(c);
  if (rc == 0 && m != MDB_NOTFOUND) rc = cp__err_mdb(m, NULL, "revoked");
  return rc;
}

typedef struct {
  const uint8_t *log;
  uint64_t size;
  uint8_t (*ids)[CP_HASH_BYTES];
  uint64_t *seqs; /* the revoke entry's seq of each ID */
  size_t n, cap;
} collect;

static int collect_one(void *ctx, const uint8_t id[CP_HASH_BYTES], const uint8_t *log,
                       uint64_t seq) {
  collect *c = ctx;
  if (memcmp(log, c->log, CP_PK_BYTES) != 0 || seq >= c->size) return 0;
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    void *p = realloc(c->ids, cap * CP_HASH_BYTES);
    if (p == NULL) return CP_ENOMEM;
    c->ids = p;
    void *q = realloc(c->seqs, cap * sizeof *c->seqs);
    if (q == NULL) return CP_ENOMEM;
    c->seqs = q;
    c->cap = cap;
  }
  memcpy(c->ids[c->n], id, CP_HASH_BYTES);
  c->seqs[c->n] = seq;
  c->n++;
  return 0;
}

static int revset(cp__tx *tx, const uint8_t log[CP_PK_BYTES], uint64_t size, collect *c) {
  memset(c, 0, sizeof *c);
  c->log = log;
  c->size = size;
  int rc = each_revocation(tx, collect_one, c);
  if (rc != 0) {
    free(c->ids);
    free(c->seqs);
    memset(c, 0, sizeof *c);
  }
  return rc;
}

/* ---- signing with each checkpoint ------------------------------------------ */

/* The count and revocation root of the log's latest stored statement below
 * size, when no entry from its size to size is a revoke (so the set is the
 * same): 1 with count and rev_root set, 0 when they must be recomputed.
 * The statement is taken only if it is signed by pk (NULL: the key in
 * force at its size) and bound to the held tree at its size, so a record
 * altered on disk is never carried into a new signature or a check. */
static int carried(cp__tx *tx, const cp__logrec *lr, uint64_t size, const uint8_t *pk,
                   const char *origin, uint64_t *count, uint8_t rev_root[CP_HASH_BYTES]) {
  MDB_cursor *c = NULL;
  uint8_t kb[12], root[CP_HASH_BYTES], key[CP_PK_BYTES];
  cp_note_verifier v;
  cp_revstat st;
  if (size == 0) return 0;
  cp__be32(kb, lr->logno);
  cp__be64(kb + 4, size - 1);
  MDB_val k = {12, kb}, val;
  if (mdb_cursor_open(tx->txn, tx->s->revstatus, &c) != 0) return 0;
  int rc = cp__seek_at_or_before(c, &k, &val);
  mdb_cursor_close(c);
  if (rc != 0 || k.mv_size != 12 || cp__rd32(k.mv_data) != lr->logno) return 0;
  uint64_t from = cp__rd64((const uint8_t *)k.mv_data + 4);
  if (pk == NULL) {
    if (cp__log_key_at(tx, lr, from, key) != 0) return 0;
    pk = key;
  }
  memset(&v, 0, sizeof v);
  memcpy(v.name, origin, strlen(origin));
  v.alg = CP_NOTE_ALG_ED25519;
  memcpy(v.pk, pk, CP_PK_BYTES);
  v.key_id = cp_note_key_id(v.name, v.alg, pk);
  if (cp_revstat_open(val.mv_data, val.mv_size, &v, 1, &st, NULL) != 0 || st.size != from ||
      cp__root_at(tx, lr, from, root) != 0 || memcmp(root, st.root, CP_HASH_BYTES) != 0)
    return 0;
  for (uint64_t seq = from; seq < size; seq++) {
    const uint8_t *e;
    size_t len;
    if (cp__entry_at(tx, lr->logno, seq, &e, &len) != 0 || len < 2 || e[1] == CP_T_REVOKE)
      return 0;
  }
  *count = st.count;
  memcpy(rev_root, st.rev_root, CP_HASH_BYTES);
  return 1;
}

int cp__revstat_sign(cp__tx *tx, const cp__logrec *lr, const cp_key *k, const char *origin,
                     const uint8_t root[CP_HASH_BYTES], cp_diag *d) {
  collect c;
  uint8_t rev_root[CP_HASH_BYTES], kb[12], pk[CP_PK_BYTES];
  char text[CP_REVSTAT_MAX];
  size_t len = 0;
  uint64_t count = 0;
  int rc = CP_OK;
  cp_key_public(k, pk);
  /* Most commits revoke nothing: their statement carries the last one's
   * set, and only a commit with a revoke walks the revocations. */
  if (!carried(tx, lr, lr->fr.size, pk, origin, &count, rev_root)) {
    if ((rc = revset(tx, lr->log, lr->fr.size, &c)) != 0)
      return cp_diag_set(d, rc, "cannot read the revocations of the log");
    rc = cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])c.ids, c.n, rev_root);
    count = c.n;
    free(c.ids);
    free(c.seqs);
  }
  if (rc == 0)
    rc = cp_revstat_sign(k, origin, lr->fr.size, root, count, rev_root, text, sizeof text, &len);
  if (rc != 0) return cp_diag_set(d, rc, "cannot sign a revocation statement");
  cp__be32(kb, lr->logno);
  cp__be64(kb + 4, lr->fr.size);
  MDB_val key = {12, kb}, val = {len, text};
  rc = mdb_put(tx->txn, tx->s->revstatus, &key, &val, 0);
  return rc != 0 ? cp__err_mdb(rc, d, "revstatus") : CP_OK;
}

/* ---- reading ----------------------------------------------------------------- */

int cp_reader_revstat(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                      const char **text, size_t *len, uint64_t *at) {
  cp__logrec lr;
  MDB_cursor *c = NULL;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  if (rc != 0) return rc;
  if (r->tx.s->revstatus == 0) return CP_ENOTFOUND;
  uint8_t kb[12];
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, size == 0 ? UINT64_MAX : size);
  MDB_val k = {12, kb}, v;
  if ((rc = mdb_cursor_open(r->tx.txn, r->tx.s->revstatus, &c)) != 0)
    return cp__err_mdb(rc, NULL, "revstatus");
  if (size == 0)
    rc = cp__seek_at_or_before(c, &k, &v);
  else
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
  mdb_cursor_close(c);
  if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != 12 || cp__rd32(k.mv_data) != lr.logno)))
    return CP_ENOTFOUND;
  if (rc != 0) return cp__err_mdb(rc, NULL, "revstatus");
  *text = v.mv_data;
  *len = v.mv_size;
  *at = cp__rd64((const uint8_t *)k.mv_data + 4);
  return CP_OK;
}

int cp_reader_revset(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                     uint8_t (**ids)[CP_HASH_BYTES], size_t *n) {
  collect c;
  int rc = revset(&r->tx, log, size, &c);
  if (rc != 0) return rc;
  free(c.seqs);
  *ids = c.ids;
  *n = c.n;
  return CP_OK;
}

/* ---- statements of other logs, from partners ------------------------------------ */

/* Checks one received statement of another log against the held log in tx
 * and puts it under (log, size). SPEC: R-rev-07 */
static int put_foreign(cp__tx *tx, cp_store_revstat *in) {
  cp__logrec lr;
  cp_revstat st;
  cp_entry g;
  cp_note_verifier v;
  collect c;
  uint8_t self[CP_PK_BYTES], key[CP_PK_BYTES], root[CP_HASH_BYTES], rev_root[CP_HASH_BYTES];
  uint8_t kb[12];
  char origin[CP_ORIGIN_MAX + 1];
  cp_diag *d = &in->d;
  int rc = cp__logrec_get(tx, in->log, &lr);
  if (rc == CP_ENOTFOUND)
    return cp_diag_set(d, CP_ENOTFOUND, "revocation statement for a log this node does not hold");
  if (rc != 0) return rc;
  rc = cp__self_log(tx, self);
  if (rc != 0 && rc != CP_ENOTFOUND) return rc;
  if (rc == 0 && memcmp(self, in->log, CP_PK_BYTES) == 0)
    return cp_diag_set(d, CP_EEXIST, "revocation statement of this node's own log, which signs "
                       "its own");
  if (lr.flags & CP_LOG_FORKED)
    return cp_diag_set(d, CP_EFORKED, "revocation statement of a forked log");
  if ((rc = cp_revstat_parse(in->text, in->len, &st, d)) != 0) return rc;
  if (st.size == 0)
    return cp_diag_set(d, CP_EINVAL, "a revocation statement at size 0 commits to nothing");
  if (st.size > lr.fr.size)
    return cp_diag_set(d, CP_EINVAL, "revocation statement at size %llu is beyond the %llu "
                       "entries held", (unsigned long long)st.size,
                       (unsigned long long)lr.fr.size);
  /* Only newer than the latest held: one statement per size, never replaced. */
  if (tx->s->revstatus == 0) return CP_ENOTFOUND;
  MDB_cursor *cur = NULL;
  cp__be32(kb, lr.logno);
  cp__be64(kb + 4, UINT64_MAX);
  MDB_val k = {12, kb}, val;
  if ((rc = mdb_cursor_open(tx->txn, tx->s->revstatus, &cur)) != 0)
    return cp__err_mdb(rc, d, "revstatus");
  rc = cp__seek_at_or_before(cur, &k, &val);
  mdb_cursor_close(cur);
  if (rc == 0 && k.mv_size == 12 && cp__rd32(k.mv_data) == lr.logno &&
      cp__rd64((const uint8_t *)k.mv_data + 4) >= st.size)
    return cp_diag_set(d, CP_EEXIST, "revocation statement at size %llu is no newer than the "
                       "%llu held", (unsigned long long)st.size,
                       (unsigned long long)cp__rd64((const uint8_t *)k.mv_data + 4));
  if (rc != 0 && rc != MDB_NOTFOUND) return cp__err_mdb(rc, d, "revstatus");
  /* Signed under the log's genesis origin by the key in force at its size:
   * the log key, or the new key of the last rotation at a seq below it. */
  if ((rc = cp__genesis(tx, lr.logno, &g)) != 0) return rc;
  memcpy(origin, g.u.authority.origin.p, g.u.authority.origin.len);
  origin[g.u.authority.origin.len] = 0;
  if (strcmp(origin, st.origin) != 0)
    return cp_diag_set(d, CP_EBADSIG, "revocation statement names origin \"%s\", the log's is "
                       "\"%s\"", st.origin, origin);
  if ((rc = cp__log_key_at(tx, &lr, st.size, key)) != 0) return rc;
  memset(&v, 0, sizeof v);
  memcpy(v.name, origin, strlen(origin));
  v.alg = CP_NOTE_ALG_ED25519;
  memcpy(v.pk, key, CP_PK_BYTES);
  v.key_id = cp_note_key_id(v.name, v.alg, key);
  if (cp_revstat_open(in->text, in->len, &v, 1, &st, NULL) != 0)
    return cp_diag_set(d, CP_EBADSIG, "revocation statement at size %llu does not verify under "
                       "the key the log signs with at that size", (unsigned long long)st.size);
  if ((rc = cp__root_at(tx, &lr, st.size, root)) != 0) return rc;
  if (memcmp(root, st.root, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_EPROOF, "revocation statement at size %llu names another root "
                       "than the held tree's at that size", (unsigned long long)st.size);
  /* The set of the previous statement held when nothing revoked since;
   * otherwise one walk over the revocations. */
  uint64_t count = 0;
  if (!carried(tx, &lr, st.size, NULL, origin, &count, rev_root)) {
    if ((rc = revset(tx, lr.log, st.size, &c)) != 0) return rc;
    rc = cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])c.ids, c.n, rev_root);
    count = c.n;
    free(c.ids);
    free(c.seqs);
    if (rc != 0) return rc;
  }
  if (st.count != count || memcmp(rev_root, st.rev_root, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_EPROOF, "revocation statement at size %llu says %llu revoked; the "
                       "log holds %llu revocations below that size%s", (unsigned long long)st.size,
                       (unsigned long long)st.count, (unsigned long long)count,
                       st.count == count ? ", under another revocation root" : "");
  cp__be64(kb + 4, st.size);
  MDB_val key12 = {12, kb}, text = {in->len, (void *)in->text};
  rc = mdb_put(tx->txn, tx->s->revstatus, &key12, &text, 0);
  return rc != 0 ? cp__err_mdb(rc, d, "revstatus") : CP_OK;
}

/* Whether err is a verdict on the statement rather than a failure of the
 * store (after which the transaction cannot be used). */
static int verdict(int err) {
  return err == CP_EINVAL || err == CP_EPROOF || err == CP_EEXIST || err == CP_EBADSIG ||
         err == CP_ECORRUPT || err == CP_ETOOBIG || err == CP_ENOTFOUND || err == CP_EFORKED;
}

int cp_store_add_revstats(cp_store *s, cp_store_revstat *v, size_t n, cp_diag *d) {
  cp__tx tx;
  size_t stored = 0;
  for (size_t i = 0; i < n; i++) {
    v[i].rc = 0;
    v[i].d.msg[0] = 0;
  }
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) goto fail;
  for (size_t i = 0; i < n; i++) {
    v[i].rc = v[i].len == 0 || v[i].len > CP_REVSTAT_MAX
                  ? cp_diag_set(&v[i].d, CP_ETOOBIG, "revocation statement of %zu bytes (limit "
                                "1..%u)", v[i].len, CP_REVSTAT_MAX)
                  : put_foreign(&tx, &v[i]);
    if (v[i].rc == 0) {
      stored++;
    } else if (!verdict(v[i].rc)) {
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
  for (size_t i = 0; i < n; i++)
    if (v[i].rc == 0 || !verdict(v[i].rc)) {
      v[i].rc = rc;
      snprintf(v[i].d.msg, sizeof v[i].d.msg, "%s",
               d != NULL && d->msg[0] ? d->msg : cp_strerror(rc));
    }
  return rc;
}

/* ---- audit -------------------------------------------------------------------- */

typedef struct {
  cp_note_verifier v[CP_REVSTAT_AUDIT_KEYS];
  size_t nv;
  const char *origin;
} keyring;

static int add_key(void *ctx, uint64_t seq, const uint8_t key[CP_PK_BYTES]) {
  keyring *kr = ctx;
  (void)seq;
  if (kr->nv == CP_REVSTAT_AUDIT_KEYS) return 0;
  cp_note_verifier *v = &kr->v[kr->nv++];
  memset(v, 0, sizeof *v);
  memcpy(v->name, kr->origin, strlen(kr->origin));
  v->alg = CP_NOTE_ALG_ED25519;
  memcpy(v->pk, key, CP_PK_BYTES);
  v->key_id = cp_note_key_id(v->name, v->alg, key);
  return 0;
}

/* The revocation sets of one log, for statements in ascending size: the
 * sets only grow with the size, so two sizes with as many revocations below
 * them have the same set, and its root is computed once. */
typedef struct {
  const collect *all;
  uint64_t *seqs; /* all->seqs, ascending */
  int valid;
  size_t n;
  uint8_t root[CP_HASH_BYTES];
} memo;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The count and root of the set at size; CP_ENOMEM. */
static int set_at(memo *m, uint64_t size, size_t *n, uint8_t root[CP_HASH_BYTES]) {
  size_t lo = 0, hi = m->all->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->seqs[mid] < size)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (!m->valid || m->n != lo) {
    uint8_t (*ids)[CP_HASH_BYTES] = lo ? malloc(lo * CP_HASH_BYTES) : NULL;
    size_t k = 0;
    if (lo && ids == NULL) return CP_ENOMEM;
    for (size_t i = 0; i < m->all->n; i++)
      if (m->all->seqs[i] < size) memcpy(ids[k++], m->all->ids[i], CP_HASH_BYTES);
    int rc = cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])ids, k, m->root);
    free(ids);
    if (rc != 0) return rc;
    m->valid = 1;
    m->n = lo;
  }
  *n = m->n;
  memcpy(root, m->root, CP_HASH_BYTES);
  return CP_OK;
}

static void audit_one(cp__tx *tx, const cp__logrec *lr, const keyring *kr, memo *m,
                      uint64_t size, const char *text, size_t len, cp__revstat_problem_fn fn,
                      void *ctx, const char *name) {
  cp_revstat st;
  cp_diag d = {{0}};
  char line[400];
  uint8_t root[CP_HASH_BYTES], rev_root[CP_HASH_BYTES];
  if (cp_revstat_open(text, len, kr->v, kr->nv, &st, &d) != 0) {
    snprintf(line, sizeof line, "log %s: revocation statement at size %llu does not verify: %s",
             name, (unsigned long long)size, d.msg);
    fn(ctx, line);
    return;
  }
  if (st.size != size || size > lr->fr.size || cp__root_at(tx, lr, size, root) != 0 ||
      memcmp(root, st.root, CP_HASH_BYTES) != 0) {
    snprintf(line, sizeof line, "log %s: revocation statement at size %llu names another "
             "checkpoint than the log's at that size", name, (unsigned long long)size);
    fn(ctx, line);
    return;
  }
  size_t n = 0;
  int rc = set_at(m, size, &n, rev_root);
  if (rc != 0) {
    fn(ctx, "revocation statements: out of memory");
    return;
  }
  if (st.count != n || memcmp(rev_root, st.rev_root, CP_HASH_BYTES) != 0) {
    snprintf(line, sizeof line, "log %s: revocation statement at size %llu says %llu revoked, "
             "the log holds %zu (or another revocation root)", name, (unsigned long long)size,
             (unsigned long long)st.count, n);
    fn(ctx, line);
  }
}

int cp__revstat_audit(cp__tx *tx, const cp__logrec *lr, cp__revstat_problem_fn fn, void *ctx,
                      uint64_t *checked) {
  MDB_cursor *c = NULL;
  collect all;
  keyring kr;
  cp_entry g;
  char origin[CP_ORIGIN_MAX + 1], name[20];
  uint8_t kb[12];
  int rc = cp__genesis(tx, lr->logno, &g);
  if (rc != 0) return rc;
  memcpy(origin, g.u.authority.origin.p, g.u.authority.origin.len);
  origin[g.u.authority.origin.len] = 0;
  cp_hex_encode(lr->log, 8, name);
  memset(&kr, 0, sizeof kr);
  kr.origin = origin;
  add_key(&kr, 0, lr->log);
  if ((rc = cp__log_rotations(tx, lr, add_key, &kr)) != 0) return rc;
  if (tx->s->revstatus == 0) return CP_OK;
  if ((rc = revset(tx, lr->log, lr->fr.size, &all)) != 0) return rc;
  memo m = {&all, NULL, 0, 0, {0}};
  if (all.n && (m.seqs = malloc(all.n * sizeof *m.seqs)) == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  if (all.n) {
    memcpy(m.seqs, all.seqs, all.n * sizeof *m.seqs);
    qsort(m.seqs, all.n, sizeof *m.seqs, cmp_u64);
  }
  cp__be32(kb, lr->logno);
  cp__be64(kb + 4, 0);
  MDB_val k = {12, kb}, v;
  if ((rc = mdb_cursor_open(tx->txn, tx->s->revstatus, &c)) != 0) {
    rc = cp__err_mdb(rc, NULL, "revstatus");
    goto out;
  }
  int mr;
  for (mr = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mr == 0;
       mr = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 12 || cp__rd32(k.mv_data) != lr->logno) break;
    audit_one(tx, lr, &kr, &m, cp__rd64((const uint8_t *)k.mv_data + 4), v.mv_data,
              v.mv_size, fn, ctx, name);
    (*checked)++;
  }
  if (mr != 0 && mr != MDB_NOTFOUND) rc = cp__err_mdb(mr, NULL, "revstatus");
  mdb_cursor_close(c);
out:
  free(m.seqs);
  free(all.ids);
  free(all.seqs);
  return rc;
}
