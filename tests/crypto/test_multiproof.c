/*
 * Multiproofs (crypto/multiproof.c) against single RFC 9162 inclusion
 * proofs from crypto/merkle.c: for many tree sizes and leaf sets the
 * multiproof's hashes are exactly the distinct hashes of the single paths
 * that no proved leaf's subtree covers, the root comes back, the single
 * paths come back, and every miscount or change is refused.
 */
#include "cptest.h"

#include <stdlib.h>
#include <string.h>

#include "credport/merkle.h"
#include "credport/multiproof.h"

#define NMAX 300U

typedef struct tree {
  size_t n;
  uint8_t lv[10][NMAX][32]; /* lv[l][i]: complete subtree (l, i) */
} tree;

static int get(void *ctx, unsigned level, uint64_t index, uint8_t out[32]) {
  tree *t = ctx;
  if (level >= 10 || (index + 1) << level > t->n) return CP_EINVAL;
  memcpy(out, t->lv[level][index], 32);
  return CP_OK;
}

static tree *build(size_t n) {
  tree *t = calloc(1, sizeof *t);
  assert_non_null(t);
  t->n = n;
  for (size_t i = 0; i < n; i++) {
    uint8_t leaf[8] = {(uint8_t)i, (uint8_t)(i >> 8), 7, 7, 7, 7, 7, (uint8_t)n};
    cp_merkle_leaf_hash(leaf, sizeof leaf, t->lv[0][i]);
  }
  for (unsigned l = 1; l < 10; l++)
    for (size_t i = 0; (i + 1) << l <= n; i++)
      cp_merkle_node_hash(t->lv[l - 1][2 * i], t->lv[l - 1][2 * i + 1], t->lv[l][i]);
  return t;
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Proves idx[0..k) of t both ways and checks every property. */
static void check_set(tree *t, const uint64_t *idx, size_t k) {
  cp_merkle_path *single = calloc(k, sizeof *single), *back = calloc(k, sizeof *back);
  uint8_t (*mp)[32] = calloc(k * 64 + 1, 32), (*leaf)[32] = calloc(k, 32);
  uint8_t root[32], got[32];
  size_t n = 0, cnt = 0, total = 0;
  assert_non_null(single);
  assert_non_null(back);
  assert_non_null(mp);
  assert_non_null(leaf);
  assert_int_equal(cp_merkle_root(get, t, t->n, root), CP_OK);
  for (size_t i = 0; i < k; i++) {
    assert_int_equal(cp_merkle_inclusion_proof(get, t, idx[i], t->n, single[i].h, &single[i].n),
                     CP_OK);
    memcpy(leaf[i], t->lv[0][idx[i]], 32);
    total += single[i].n;
  }
  assert_int_equal(cp_multiproof_from_paths(t->n, idx, single, k, mp, k * 64 + 1, &n), CP_OK);
  assert_int_equal(cp_multiproof_count(t->n, idx, k, &cnt), CP_OK);
  assert_int_equal(n, cnt);
  assert_true(n <= total);
  /* Every hash of the multiproof is on some single path. */
  for (size_t h = 0; h < n; h++) {
    int found = 0;
    for (size_t i = 0; i < k && !found; i++)
      for (size_t j = 0; j < single[i].n && !found; j++) found = !memcmp(mp[h], single[i].h[j], 32);
    assert_true(found);
  }
  /* A single leaf: its whole path, no more. */
  if (k == 1) assert_int_equal(n, single[0].n);
  assert_int_equal(cp_multiproof_root(t->n, idx, (const uint8_t(*)[32])leaf, k,
                                      (const uint8_t(*)[32])mp, n, got, back),
                   CP_OK);
  assert_memory_equal(got, root, 32);
  for (size_t i = 0; i < k; i++) {
    assert_int_equal(back[i].n, single[i].n);
    assert_memory_equal(back[i].h, single[i].h, 32 * single[i].n);
    assert_int_equal(cp_merkle_verify_inclusion(leaf[i], idx[i], t->n,
                                                (const uint8_t(*)[32])back[i].h, back[i].n, root),
                     CP_OK);
  }
  /* One hash fewer or one more is refused; a changed hash changes the root. */
  if (n > 0)
    assert_int_equal(cp_multiproof_root(t->n, idx, (const uint8_t(*)[32])leaf, k,
                                        (const uint8_t(*)[32])mp, n - 1, got, NULL),
                     CP_EPROOF);
  assert_int_equal(cp_multiproof_root(t->n, idx, (const uint8_t(*)[32])leaf, k,
                                      (const uint8_t(*)[32])mp, n + 1, got, NULL),
                   CP_EPROOF);
  if (n > 0) {
    size_t h = rnd() % n;
    mp[h][rnd() % 32] ^= 1;
    assert_int_equal(cp_multiproof_root(t->n, idx, (const uint8_t(*)[32])leaf, k,
                                        (const uint8_t(*)[32])mp, n, got, NULL),
                     CP_OK);
    assert_memory_not_equal(got, root, 32);
  }
  free(single);
  free(back);
  free(mp);
  free(leaf);
}

static void single_leaves_all_sizes(void **state) {
  (void)state;
  for (size_t n = 1; n <= 70; n++) {
    tree *t = build(n);
    for (uint64_t i = 0; i < n; i++) check_set(t, &i, 1);
    free(t);
  }
}

static void leaf_sets_many_sizes(void **state) {
  (void)state;
  uint64_t idx[NMAX];
  for (size_t n = 1; n <= NMAX; n += (n < 40 ? 1 : 13)) {
    tree *t = build(n);
    for (int round = 0; round < 12; round++) {
      size_t k = 0;
      unsigned pct = 1 + rnd() % 60;
      for (uint64_t i = 0; i < n; i++)
        if (rnd() % 100 < pct) idx[k++] = i;
      if (k == 0) idx[k++] = rnd() % n;
      check_set(t, idx, k);
    }
    /* Every leaf at once needs no hash at all. */
    for (uint64_t i = 0; i < n; i++) idx[i] = i;
    size_t cnt = 99;
    assert_int_equal(cp_multiproof_count(n, idx, n, &cnt), CP_OK);
    assert_int_equal(cnt, 0);
    check_set(t, idx, n);
    free(t);
  }
}

static void neighbours_share(void **state) {
  (void)state;
  tree *t = build(256);
  uint64_t idx[2] = {100, 101};
  size_t cnt = 0;
  /* Two sibling leaves of a 256-leaf tree: 7 hashes, not 2 x 8. */
  assert_int_equal(cp_multiproof_count(256, idx, 2, &cnt), CP_OK);
  assert_int_equal(cnt, 7);
  check_set(t, idx, 2);
  free(t);
}

static void bad_indexes_refused(void **state) {
  (void)state;
  uint64_t dup[2] = {3, 3}, down[2] = {4, 3}, out[1] = {8};
  size_t cnt;
  uint8_t r[32], leaf[2][32] = {{0}}, h[8][32] = {{0}};
  cp_merkle_path p[2] = {{0}};
  assert_int_equal(cp_multiproof_count(8, dup, 2, &cnt), CP_EINVAL);
  assert_int_equal(cp_multiproof_count(8, down, 2, &cnt), CP_EINVAL);
  assert_int_equal(cp_multiproof_count(8, out, 1, &cnt), CP_EINVAL);
  assert_int_equal(cp_multiproof_count(8, out, 0, &cnt), CP_EINVAL);
  assert_int_equal(cp_multiproof_root(8, dup, (const uint8_t(*)[32])leaf, 2,
                                      (const uint8_t(*)[32])h, 2, r, NULL),
                   CP_EINVAL);
  /* Paths of the wrong length are refused when building. */
  uint64_t one[1] = {5};
  p[0].n = 2;
  assert_int_equal(cp_multiproof_from_paths(8, one, p, 1, h, 8, &cnt), CP_EINVAL);
  p[0].n = 3;
  assert_int_equal(cp_multiproof_from_paths(8, one, p, 1, h, 2, &cnt), CP_ETOOBIG);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(single_leaves_all_sizes), cmocka_unit_test(leaf_sets_many_sizes),
    cmocka_unit_test(neighbours_share),        cmocka_unit_test(bad_indexes_refused),
};

CP_TEST_MAIN(tests)
