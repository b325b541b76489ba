/*
 * Witnessing (docs/PROTOCOL.md L-2): the store cosigns a verified checkpoint
 * of another log at a new size, never one whose root disagrees with the held
 * tree nor one of a forked log; it merges cosignatures by trusted witness
 * keys only, keeps the freshest per key and at most CP_WITNESS_COSIGS_MAX.
 * Roots come from the independent RFC 9162 reference in the fixture.
 */
#include <time.h>

#include "test_store_fixture.h"
#include "../../node/store_internal.h"

#define ORIGIN "credport/test/foreign"
#define WNAME "credport/test/own/witness"

typedef struct wfx {
  fx_store f;
  fx_log l;
  uint8_t lh[4][32];
  cp_key *w;               /* the node's witness key */
} wfx;

static void wfx_setup(wfx *x) {
  fx_foreign_log4(&x->f, &x->l, ORIGIN, x->lh);
  x->w = fx_key(0x60);
  cp_store_set_witness(x->f.s, x->w, WNAME);
}

static void wfx_free(wfx *x) {
  cp_key_free(x->w);
  fx_log_free(&x->l);
  fx_free(&x->f);
}

static size_t note_at(wfx *x, uint64_t size, int wrong_root, char *out) {
  uint8_t root[32];
  size_t len;
  ref_mth((const uint8_t(*)[32])x->lh, (size_t)size, root);
  if (wrong_root) root[0] ^= 1;
  assert_int_equal(cp_checkpoint_sign(x->l.k, ORIGIN, size, root, out, CP_NOTE_MAX, &len), CP_OK);
  return len;
}

static void verifier(const cp_key *k, const char *name, uint8_t alg, cp_note_verifier *v) {
  char vkey[CP_VKEY_MAX];
  uint8_t pk[CP_PK_BYTES];
  cp_key_public(k, pk);
  assert_int_equal(cp_note_vkey_format(name, alg, pk, vkey), CP_OK);
  assert_int_equal(cp_note_vkey_parse(vkey, strlen(vkey), v, NULL), CP_OK);
}

static void trust(wfx *x, const cp_key *k, const char *name) {
  char vkey[CP_VKEY_MAX];
  uint8_t pk[CP_PK_BYTES];
  cp_diag d = {{0}};
  cp_key_public(k, pk);
  assert_int_equal(cp_note_vkey_format(name, CP_NOTE_ALG_COSIG_V1, pk, vkey), CP_OK);
  assert_int_equal(cp_store_witness_trust(x->f.s, vkey, 1, &d), CP_OK);
}

/* Adds one note; returns its rc. */
static int add(wfx *x, const char *note, size_t len, int *cosigned) {
  cp_store_note v;
  cp_diag d = {{0}};
  memset(&v, 0, sizeof v);
  memcpy(v.log, x->l.log, CP_PK_BYTES);
  v.note = note;
  v.len = len;
  assert_int_equal(cp_store_add_checkpoints(x->f.s, &v, 1, &d), CP_OK);
  if (cosigned != NULL) *cosigned = v.cosigned;
  return v.rc;
}

/* The stored note of the foreign log, copied out. */
static size_t stored(wfx *x, char *out) {
  cp_reader *r = NULL;
  const char *note = NULL;
  size_t len = 0;
  assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
  if (cp_reader_checkpoint(r, x->l.log, &note, &len) == 0) memcpy(out, note, len);
  else len = 0;
  cp_reader_end(r);
  return len;
}

static void witness_cosigns_verified_checkpoint(void **state) {
  (void)state;
  wfx x;
  static char n3[CP_NOTE_MAX], got[CP_NOTE_MAX];
  cp_note_verifier vs[2];
  cp_note_result res;
  cp_cosig_info ci;
  int cosigned = 0;
  wfx_setup(&x);
  size_t l3 = note_at(&x, 3, 0, n3);
  uint64_t t0 = (uint64_t)time(NULL);
  assert_int_equal(add(&x, n3, l3, &cosigned), CP_OK);
  uint64_t t1 = (uint64_t)time(NULL);
  assert_int_equal(cosigned, 1);
  size_t lg = stored(&x, got);
  /* The log's note, byte for byte, then one cosignature line. */
  assert_true(lg > l3);
  assert_memory_equal(got, n3, l3);
  verifier(x.l.k, ORIGIN, CP_NOTE_ALG_ED25519, &vs[0]);
  verifier(x.w, WNAME, CP_NOTE_ALG_COSIG_V1, &vs[1]);
  assert_int_equal(vs[1].alg, CP_NOTE_ALG_COSIG_V1);
  assert_int_equal(cp_note_open_checkpoint(got, lg, vs, 2, ORIGIN, &res, NULL), CP_OK);
  assert_int_equal(res.verified_log, 1);
  assert_int_equal(res.cosigned, 1);
  assert_true(res.cosig_time[0] >= t0 && res.cosig_time[0] <= t1);
  cp_store_cosig_info(got, lg, &ci);
  assert_int_equal(ci.count, 1);
  assert_int_equal(ci.newest, res.cosig_time[0]);
  /* The same note again: nothing new, not re-cosigned. */
  assert_int_equal(add(&x, n3, l3, &cosigned), CP_EEXIST);
  assert_int_equal(cosigned, 0);
  static char again[CP_NOTE_MAX];
  assert_int_equal(stored(&x, again), lg);
  assert_memory_equal(again, got, lg);
  wfx_free(&x);
}

static void witness_never_cosigns_disagreeing_root(void **state) {
  (void)state;
  wfx x;
  static char bad[CP_NOTE_MAX], n3[CP_NOTE_MAX], n4[CP_NOTE_MAX], got[CP_NOTE_MAX];
  int cosigned = 0;
  cp_cosig_info ci;
  wfx_setup(&x);
  /* Another root at size 3, nothing held to prove a fork with: refused. */
  size_t lb = note_at(&x, 3, 1, bad);
  assert_int_equal(add(&x, bad, lb, &cosigned), CP_EPROOF);
  assert_int_equal(cosigned, 0);
  assert_int_equal(stored(&x, got), 0);
  /* Once the log is forked, a note that agrees with the held tree is not
   * cosigned either. */
  size_t l3 = note_at(&x, 3, 0, n3);
  assert_int_equal(add(&x, n3, l3, &cosigned), CP_OK);
  assert_int_equal(add(&x, bad, lb, &cosigned), CP_EFORK);
  size_t l4 = note_at(&x, 4, 0, n4);
  int rc = add(&x, n4, l4, &cosigned);
  assert_int_equal(cosigned, 0);
  if (rc == CP_OK) {
    size_t lg = stored(&x, got);
    cp_store_cosig_info(got, lg, &ci);
    assert_int_equal(ci.count, 0);
  }
  wfx_free(&x);
}

/* n3 plus a cosignature by k (name) at ts. */
static size_t cosigned_by(const char *n3, size_t l3, const cp_key *k, const char *name, uint64_t ts,
                          char *out) {
  size_t len = 0;
  assert_int_equal(cp_note_cosign(k, name, ts, n3, l3, out, CP_NOTE_MAX, &len), CP_OK);
  return len;
}

static void witness_merges_trusted_cosignatures_only(void **state) {
  (void)state;
  wfx x;
  static char n3[CP_NOTE_MAX], in[CP_NOTE_MAX], got[CP_NOTE_MAX], before[CP_NOTE_MAX];
  cp_key *t1 = fx_key(0x61), *u = fx_key(0x62);
  cp_note_verifier vs[3];
  cp_note_result res;
  cp_reader *r = NULL;
  int cosigned = 0;
  wfx_setup(&x);
  trust(&x, t1, "t1/witness");
  size_t l3 = note_at(&x, 3, 0, n3);
  assert_int_equal(add(&x, n3, l3, NULL), CP_OK);
  size_t lb = stored(&x, before);

  /* An unknown key's line: nothing new (the loop thread drops it too). */
  size_t li = cosigned_by(n3, l3, u, "u/witness", 1000, in);
  assert_int_equal(cp_reader_begin(x.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_cosig_news(r, x.l.log, in, li), 0);
  cp_reader_end(r);
  assert_int_equal(add(&x, in, li, &cosigned), CP_EEXIST);
  assert_int_equal(stored(&x, got), lb);
  assert_memory_equal(got, before, lb);

  /* A trusted key's line with a broken signature: refused whole. */
  li = cosigned_by(n3, l3, t1, "t1/witness", 2000, in);
  in[li - 6] = in[li - 6] == 'A' ? 'B' : 'A';
  assert_int_equal(cp_reader_begin(x.f.s, &r), CP_OK);
  assert_int_equal(cp_reader_cosig_news(r, x.l.log, in, li), 1); /* the writer decides */
  cp_reader_end(r);
  assert_int_equal(add(&x, in, li, &cosigned), CP_EBADSIG);
  assert_int_equal(stored(&x, got), lb);
  assert_memory_equal(got, before, lb);

  /* A valid one: merged, the node's own kept, no new own cosignature. */
  li = cosigned_by(n3, l3, t1, "t1/witness", 2000, in);
  assert_int_equal(add(&x, in, li, &cosigned), CP_OK);
  assert_int_equal(cosigned, 0);
  size_t lg = stored(&x, got);
  verifier(x.l.k, ORIGIN, CP_NOTE_ALG_ED25519, &vs[0]);
  verifier(x.w, WNAME, CP_NOTE_ALG_COSIG_V1, &vs[1]);
  verifier(t1, "t1/witness", CP_NOTE_ALG_COSIG_V1, &vs[2]);
  assert_int_equal(cp_note_open_checkpoint(got, lg, vs, 3, ORIGIN, &res, NULL), CP_OK);
  assert_int_equal(res.cosigned, 2);
  assert_int_equal(res.unknown, 0);
  assert_memory_equal(got, before, lb); /* appended after the held lines */

  /* Older than the held line by that key: nothing new. Newer: replaces it. */
  li = cosigned_by(n3, l3, t1, "t1/witness", 1500, in);
  assert_int_equal(add(&x, in, li, &cosigned), CP_EEXIST);
  li = cosigned_by(n3, l3, t1, "t1/witness", 3000, in);
  assert_int_equal(add(&x, in, li, &cosigned), CP_OK);
  lg = stored(&x, got);
  assert_int_equal(cp_note_open_checkpoint(got, lg, vs, 3, ORIGIN, &res, NULL), CP_OK);
  assert_int_equal(res.cosigned, 2);
  assert_int_equal(res.cosig_time[0] == 3000 || res.cosig_time[1] == 3000, 1);
  assert_int_equal(res.cosig_time[0] == 2000 || res.cosig_time[1] == 2000, 0);
  static char held[CP_NOTE_MAX];
  size_t lh = stored(&x, held);

  /* Newer by less than CP_WITNESS_REFRESH_S, or from beyond the allowed
   * clock skew: nothing new, dropped before any job as well. */
  uint64_t late[2] = {3000 + CP_WITNESS_REFRESH_S - 1,
                      (uint64_t)time(NULL) + CP_TIME_SKEW_MAX + 3600};
  for (int i = 0; i < 2; i++) {
    li = cosigned_by(n3, l3, t1, "t1/witness", late[i], in);
    assert_int_equal(cp_reader_begin(x.f.s, &r), CP_OK);
    assert_int_equal(cp_reader_cosig_news(r, x.l.log, in, li), 0);
    cp_reader_end(r);
    assert_int_equal(add(&x, in, li, &cosigned), CP_EEXIST);
    assert_int_equal(stored(&x, got), lh);
    assert_memory_equal(got, held, lh);
  }

  /* A witness key of another type is refused by trust. */
  char vkey[CP_VKEY_MAX];
  cp_diag d = {{0}};
  assert_int_equal(cp_note_vkey_format(ORIGIN, CP_NOTE_ALG_ED25519, x.l.log, vkey), CP_OK);
  assert_int_equal(cp_store_witness_trust(x.f.s, vkey, 1, &d), CP_EINVAL);
  cp_key_free(t1);
  cp_key_free(u);
  wfx_free(&x);
}

static void witness_keeps_the_freshest_when_full(void **state) {
  (void)state;
  enum { NW = CP_WITNESS_COSIGS_MAX + 4 };
  wfx x;
  static char n3[CP_NOTE_MAX], in[CP_NOTE_MAX], got[CP_NOTE_MAX];
  cp_key *t[NW];
  cp_note_verifier vs[2 + NW];
  cp_note_result res;
  char names[NW][32];
  wfx_setup(&x);
  size_t l3 = note_at(&x, 3, 0, n3);
  assert_int_equal(add(&x, n3, l3, NULL), CP_OK);
  memcpy(in, n3, l3);
  size_t li = l3;
  verifier(x.l.k, ORIGIN, CP_NOTE_ALG_ED25519, &vs[0]);
  verifier(x.w, WNAME, CP_NOTE_ALG_COSIG_V1, &vs[1]);
  for (int i = 0; i < NW; i++) {
    t[i] = fx_key((uint8_t)(0x70 + i));
    snprintf(names[i], sizeof names[i], "t%d/witness", i);
    trust(&x, t[i], names[i]);
    verifier(t[i], names[i], CP_NOTE_ALG_COSIG_V1, &vs[2 + i]);
    li = cosigned_by(in, li, t[i], names[i], 100 + (uint64_t)i, in);
  }
  assert_int_equal(add(&x, in, li, NULL), CP_OK);
  size_t lg = stored(&x, got);
  assert_int_equal(cp_note_open_checkpoint(got, lg, vs, 2 + NW, ORIGIN, &res, NULL), CP_OK);
  /* The node's own and the freshest of the others, CP_WITNESS_COSIGS_MAX in all. */
  assert_int_equal(res.cosigned, CP_WITNESS_COSIGS_MAX);
  uint64_t min = UINT64_MAX;
  for (unsigned i = 1; i < res.cosigned; i++)
    if (res.cosig_time[i] < min) min = res.cosig_time[i];
  assert_int_equal(min, 100 + NW - (CP_WITNESS_COSIGS_MAX - 1));
  assert_true(res.cosig_time[0] > 1000000000u); /* the node's own, first, at the current time */
  for (int i = 0; i < NW; i++) cp_key_free(t[i]);
  wfx_free(&x);
}

/* SPEC: L-2a the witness cosigns the latest checkpoint of a log again once
 * its own cosignature is min_age old, with the checks of a first one, and
 * relays it once; not before, not its own log, not without a witness key. */
static void witness_recosigns_when_due(void **state) {
  (void)state;
  wfx x;
  static char n3[CP_NOTE_MAX], got[CP_NOTE_MAX], again[CP_NOTE_MAX];
  cp_note_verifier vs[2];
  cp_note_result res;
  cp_cosig_info ci;
  uint8_t logs[4][CP_PK_BYTES];
  size_t n = 9;
  cp_diag d = {{0}};
  wfx_setup(&x);
  size_t l3 = note_at(&x, 3, 0, n3);
  assert_int_equal(add(&x, n3, l3, NULL), CP_OK);
  size_t lg = stored(&x, got);
  verifier(x.l.k, ORIGIN, CP_NOTE_ALG_ED25519, &vs[0]);
  verifier(x.w, WNAME, CP_NOTE_ALG_COSIG_V1, &vs[1]);
  assert_int_equal(cp_note_open_checkpoint(got, lg, vs, 2, ORIGIN, &res, NULL), CP_OK);
  uint64_t t0 = res.cosig_time[0];
  /* Not due yet: nothing changes. */
  assert_int_equal(cp_store_recosign(x.f.s, t0 + 59, 60, logs, 4, &n, &d), CP_OK);
  assert_int_equal(n, 0);
  assert_int_equal(stored(&x, again), lg);
  assert_memory_equal(again, got, lg);
  /* Due: one new line by the witness key at the given time replaces the
   * old one; only the foreign log (not the own) is named. */
  assert_int_equal(cp_store_recosign(x.f.s, t0 + 60, 60, logs, 4, &n, &d), CP_OK);
  assert_int_equal(n, 1);
  assert_memory_equal(logs[0], x.l.log, CP_PK_BYTES);
  size_t la = stored(&x, again);
  assert_memory_equal(again, n3, l3);
  assert_int_equal(cp_note_open_checkpoint(again, la, vs, 2, ORIGIN, &res, NULL), CP_OK);
  assert_int_equal(res.cosigned, 1);
  assert_int_equal(res.cosig_time[0], t0 + 60);
  cp_store_cosig_info(again, la, &ci);
  assert_int_equal(ci.count, 1);
  assert_int_equal(ci.newest, t0 + 60);
  /* Done for this interval: the next pass at once changes nothing. */
  assert_int_equal(cp_store_recosign(x.f.s, t0 + 61, 60, logs, 4, &n, &d), CP_OK);
  assert_int_equal(n, 0);
  /* A note whose root no longer matches the held tree is left alone:
   * written over on disk with a note of another root, it is not cosigned. */
  static char bad[CP_NOTE_MAX];
  size_t lb = note_at(&x, 3, 1, bad);
  {
    cp__tx tx;
    cp__logrec lr;
    uint8_t kb[12];
    assert_int_equal(cp__tx_begin(x.f.s, 1, &tx, NULL), CP_OK);
    assert_int_equal(cp__logrec_get(&tx, x.l.log, &lr), CP_OK);
    cp__be32(kb, lr.logno);
    cp__be64(kb + 4, 3);
    MDB_val k = {12, kb}, v = {lb, bad};
    assert_int_equal(mdb_put(tx.txn, x.f.s->checkpoints, &k, &v, 0), 0);
    assert_int_equal(cp__tx_commit(&tx, NULL), CP_OK);
  }
  assert_int_equal(cp_store_recosign(x.f.s, t0 + 1000, 60, logs, 4, &n, &d), CP_OK);
  assert_int_equal(n, 0);
  /* Without a witness key nothing is cosigned. */
  cp_store_set_witness(x.f.s, NULL, NULL);
  assert_int_equal(cp_store_recosign(x.f.s, t0 + 2000, 60, logs, 4, &n, &d), CP_OK);
  assert_int_equal(n, 0);
  wfx_free(&x);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(witness_recosigns_when_due),
    cmocka_unit_test(witness_cosigns_verified_checkpoint),
    cmocka_unit_test(witness_never_cosigns_disagreeing_root),
    cmocka_unit_test(witness_merges_trusted_cosignatures_only),
    cmocka_unit_test(witness_keeps_the_freshest_when_full),
};

CP_TEST_MAIN(tests)
