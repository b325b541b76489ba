/*
 * Checkpoints received from partners, stored in batches
 * (cp_store_add_checkpoints): one write transaction for many notes, each
 * verified against the log it names, a note no newer than the latest held
 * not written, a refused note not stopping the others. Roots come from the
 * independent RFC 9162 reference in the fixture.
 */
#include "test_store_fixture.h"

#define ORIGIN "credport/test/foreign"

typedef struct cpfx {
  fx_store f;
  fx_log l;
  uint8_t lh[4][32];       /* reference leaf hashes of the foreign log */
} cpfx;

/* A store holding a foreign log of 4 entries (genesis, 3 credentials). */
static void cpfx_setup(cpfx *x) {
  fx_foreign_log4(&x->f, &x->l, ORIGIN, x->lh);
}

static void cpfx_free(cpfx *x) {
  fx_log_free(&x->l);
  fx_free(&x->f);
}

/* A note for the foreign log at size, signed by k, with the reference root
 * (or a wrong one). */
static size_t note_at(cpfx *x, const cp_key *k, uint64_t size, int wrong_root, char *out) {
  uint8_t root[32];
  size_t len;
  ref_mth((const uint8_t(*)[32])x->lh, (size_t)size, root);
  if (wrong_root) root[0] ^= 1;
  assert_int_equal(cp_checkpoint_sign(k, ORIGIN, size, root, out, CP_NOTE_MAX, &len), CP_OK);
  return len;
}

static uint64_t latest(cpfx *x) {
  cp_reader *r = NULL;
  const char *note;
  size_t len;
  uint64_t size = 0;
  assert_int_equal(cp_reader_begin(x->f.s, &r), CP_OK);
  if (cp_reader_checkpoint(r, x->l.log, &note, &len) == 0) {
    const char *nl = memchr(note, '\n', len);
    assert_non_null(nl);
    size = strtoull(nl + 1, NULL, 10);
  }
  cp_reader_end(r);
  return size;
}

static void checkpoints_batch_verdicts(void **state) {
  (void)state;
  cpfx x;
  static char n2[CP_NOTE_MAX], n3[CP_NOTE_MAX], n3bad[CP_NOTE_MAX], n3root[CP_NOTE_MAX],
      n5[CP_NOTE_MAX], n1[CP_NOTE_MAX];
  cp_key *other = fx_key(0x53);
  cp_diag d = {{0}};
  cpfx_setup(&x);
  assert_int_equal(latest(&x), 0);
  cp_store_note v[7];
  memset(v, 0, sizeof v);
  size_t l2 = note_at(&x, x.l.k, 2, 0, n2), l3 = note_at(&x, x.l.k, 3, 0, n3);
  size_t l3bad = note_at(&x, other, 3, 0, n3bad), l3root = note_at(&x, x.l.k, 3, 1, n3root);
  size_t l5 = note_at(&x, x.l.k, 4, 0, n5);
  /* Size 5 of a log of 4: rewrite the size line of a size-4 note. */
  char *nl = memchr(n5, '\n', l5);
  nl[1] = '5';
  size_t l1 = note_at(&x, x.l.k, 1, 0, n1);
  const struct {
    const char *note;
    size_t len;
    int own_log;
  } in[7] = {{n2, l2, 0}, {n3, l3, 0}, {n2, l2, 0}, {n3bad, l3bad, 0},
             {n3root, l3root, 0}, {n5, l5, 0}, {n1, l1, 1}};
  for (int i = 0; i < 7; i++) {
    memcpy(v[i].log, in[i].own_log ? x.f.pk : x.l.log, CP_PK_BYTES);
    v[i].note = in[i].note;
    v[i].len = in[i].len;
    v[i].rc = 12345; /* overwritten */
  }
  assert_int_equal(cp_store_add_checkpoints(x.f.s, v, 7, &d), CP_OK);
  assert_int_equal(v[0].rc, CP_OK);      /* size 2: new */
  assert_int_equal(v[1].rc, CP_OK);      /* size 3: newer still */
  assert_int_equal(v[2].rc, CP_EEXIST);  /* size 2 again: no newer than 3 */
  assert_string_equal(v[2].d.msg, "checkpoint size 2 is no newer than the 3 held");
  assert_int_equal(v[3].rc, CP_EBADSIG); /* signed by another key */
  /* Validly signed, another tree, at the size of the checkpoint stored
   * just before in the same batch: a checkpoint fork proof (R-fork-03). */
  assert_int_equal(v[4].rc, CP_EFORK);
  assert_string_equal(v[4].d.msg, "checkpoint at size 3 contradicts the held checkpoint at size "
                                  "3, both signed by the log: fork proof recorded");
  assert_int_equal(v[5].rc, CP_EBADSIG); /* size changed after signing */
  /* Signed by the foreign log, but named as the node's own log: checked
   * against the log it names only. */
  assert_int_equal(v[6].rc, CP_EBADSIG);
  assert_int_equal(latest(&x), 3);

  /* Another validly signed note of another tree, now that the log is
   * forked: refused, nothing more is kept. */
  memset(v, 0, sizeof v);
  memcpy(v[0].log, x.l.log, CP_PK_BYTES);
  uint8_t root[32];
  size_t lw;
  ref_mth((const uint8_t(*)[32])x.lh, 4, root);
  root[5] ^= 0x80;
  assert_int_equal(cp_checkpoint_sign(x.l.k, ORIGIN, 4, root, n5, sizeof n5, &lw), CP_OK);
  v[0].note = n5;
  v[0].len = lw;
  /* A log this node does not hold. */
  memset(v[1].log, 0x77, CP_PK_BYTES);
  v[1].note = n2;
  v[1].len = l2;
  assert_int_equal(cp_store_add_checkpoints(x.f.s, v, 2, &d), CP_OK);
  assert_int_equal(v[0].rc, CP_EFORKED);
  assert_string_equal(v[0].d.msg, "checkpoint root at size 4 differs from the held tree of a log "
                                  "already forked");
  assert_int_equal(v[1].rc, CP_ENOTFOUND);
  assert_int_equal(latest(&x), 3);
  cp_key_free(other);
  cpfx_free(&x);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(checkpoints_batch_verdicts),
};

CP_TEST_MAIN(tests)
