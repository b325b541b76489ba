/*
 * RFC 9162 Merkle trees: roots, inclusion and consistency proofs, frontier.
 *
 * Known answers: the 8-leaf reference tree of the certificate-transparency
 * implementations (leaves "", 00, 10, 2021, 3031, 40414243,
 * 5051525354555657, 606162636465666768696a6b6c6d6e6f), its roots for sizes
 * 0..8 and its inclusion and consistency paths, as published in the
 * RFC 6962 test data of certificate-transparency and transparency-dev/merkle.
 * Properties: for every size up to 70, every proof the code generates
 * verifies, any flipped bit fails, and proofs cost O(log n) callbacks.
 */
#include "cptest.h"

#include <stdio.h>
#include <string.h>

#include "credport/merkle.h"

#define NMAX 70

static const char *const CT_LEAVES[8] = {
  "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
};

static const char *const CT_ROOTS[9] = {
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

typedef struct {
  uint64_t a, b; /* inclusion: index, size; consistency: old, new */
  size_t n;
  const char *h[3];
} ct_path;

static const ct_path CT_INCLUSION[] = {
  {0, 1, 0, {NULL}},
  {0, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
  {5, 8, 3, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
  {1, 5, 3, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const ct_path CT_CONSISTENCY[] = {
  {1, 1, 0, {NULL}},
  {1, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
  {6, 8, 3, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  {2, 5, 2, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

/* A tree store for tests: leaf hashes, and the RFC's recursive MTH as the
 * reference for complete subtrees. Counts callback calls. */
typedef struct {
  uint8_t leaf[NMAX][CP_HASH_BYTES];
  uint64_t n;
  unsigned calls;
} store;

static void ref_mth(const store *s, uint64_t lo, uint64_t hi, uint8_t out[CP_HASH_BYTES]) {
  uint64_t k = 1;
  uint8_t l[CP_HASH_BYTES], r[CP_HASH_BYTES];
  if (hi - lo == 1) {
    memcpy(out, s->leaf[lo], CP_HASH_BYTES);
    return;
  }
  while (2 * k < hi - lo) k *= 2;
  ref_mth(s, lo, lo + k, l);
  ref_mth(s, lo + k, hi, r);
  cp_merkle_node_hash(l, r, out);
}

static int get_cb(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]) {
  store *s = ctx;
  uint64_t lo, hi;
  s->calls++;
  if (level >= 63) return CP_EINVAL;
  lo = index << level;
  hi = lo + ((uint64_t)1 << level);
  if (hi > s->n) return CP_ENOTFOUND; /* only complete subtrees exist */
  ref_mth(s, lo, hi, out);
  return 0;
}

static void ct_store(store *s) {
  size_t i;
  memset(s, 0, sizeof *s);
  for (i = 0; i < 8; i++) {
    uint8_t raw[16];
    size_t len = strlen(CT_LEAVES[i]) / 2;
    cpt_unhex(CT_LEAVES[i], raw, len);
    cp_merkle_leaf_hash(raw, len, s->leaf[i]);
  }
  s->n = 8;
}

static void ct_roots(void **state) {
  store s;
  uint8_t root[32], want[32];
  uint64_t size;
  cp_merkle_frontier f;
  uint8_t done[63][32];
  unsigned nd;
  (void)state;
  ct_store(&s);
  cp_merkle_frontier_init(&f);
  for (size = 0; size <= 8; size++) {
    cpt_unhex(CT_ROOTS[size], want, 32);
    assert_int_equal(cp_merkle_root(get_cb, &s, size, root), 0);
    assert_memory_equal(root, want, 32);
    cp_merkle_frontier_root(&f, root);
    assert_memory_equal(root, want, 32);
    if (size < 8) cp_merkle_frontier_append(&f, s.leaf[size], done, &nd);
  }
  cp_merkle_empty_root(root);
  cpt_unhex(CT_ROOTS[0], want, 32);
  assert_memory_equal(root, want, 32);
}

static void ct_inclusion_paths(void **state) {
  store s;
  size_t i, j, n;
  uint8_t path[CP_MERKLE_MAX_LEVELS][32], want[3][32], root[32];
  (void)state;
  ct_store(&s);
  for (i = 0; i < sizeof CT_INCLUSION / sizeof CT_INCLUSION[0]; i++) {
    const ct_path *v = &CT_INCLUSION[i];
    assert_int_equal(cp_merkle_inclusion_proof(get_cb, &s, v->a, v->b, path, &n), 0);
    assert_int_equal(n, v->n);
    for (j = 0; j < v->n; j++) {
      cpt_unhex(v->h[j], want[j], 32);
      assert_memory_equal(path[j], want[j], 32);
    }
    cpt_unhex(CT_ROOTS[v->b], root, 32);
    assert_int_equal(cp_merkle_verify_inclusion(s.leaf[v->a], v->a, v->b,
                                                (const uint8_t(*)[32])want, v->n, root), 0);
  }
}

static void ct_consistency_paths(void **state) {
  store s;
  size_t i, j, n;
  uint8_t path[CP_MERKLE_MAX_LEVELS][32], want[3][32], r1[32], r2[32];
  (void)state;
  ct_store(&s);
  for (i = 0; i < sizeof CT_CONSISTENCY / sizeof CT_CONSISTENCY[0]; i++) {
    const ct_path *v = &CT_CONSISTENCY[i];
    assert_int_equal(cp_merkle_consistency_proof(get_cb, &s, v->a, v->b, path, &n), 0);
    assert_int_equal(n, v->n);
    for (j = 0; j < v->n; j++) {
      cpt_unhex(v->h[j], want[j], 32);
      assert_memory_equal(path[j], want[j], 32);
    }
    cpt_unhex(CT_ROOTS[v->a], r1, 32);
    cpt_unhex(CT_ROOTS[v->b], r2, 32);
    assert_int_equal(cp_merkle_verify_consistency(v->a, v->b, r1, r2,
                                                  (const uint8_t(*)[32])want, v->n), 0);
  }
}

static void big_store(store *s) {
  uint64_t i;
  memset(s, 0, sizeof *s);
  for (i = 0; i < NMAX; i++) {
    uint8_t raw[3] = {(uint8_t)i, (uint8_t)(i * 7), 0x5a};
    cp_merkle_leaf_hash(raw, sizeof raw, s->leaf[i]);
  }
  s->n = NMAX;
}

static unsigned log2ceil(uint64_t n) {
  unsigned l = 0;
  while (((uint64_t)1 << l) < n) l++;
  return l;
}

static void property_inclusion(void **state) {
  store s;
  uint64_t n, i;
  uint8_t path[CP_MERKLE_MAX_LEVELS][32], root[32], leaf[32];
  size_t len, j, total = 0;
  unsigned max_calls = 0;
  (void)state;
  big_store(&s);
  for (n = 1; n <= NMAX; n++) {
    ref_mth(&s, 0, n, root);
    for (i = 0; i < n; i++) {
      s.calls = 0;
      assert_int_equal(cp_merkle_inclusion_proof(get_cb, &s, i, n, path, &len), 0);
      if (s.calls > max_calls) max_calls = s.calls;
      assert_true(s.calls <= 2 * log2ceil(n) + 1);
      assert_int_equal(cp_merkle_verify_inclusion(s.leaf[i], i, n, (const uint8_t(*)[32])path,
                                                  len, root), 0);
      for (j = 0; j < len; j++) { /* flip one bit per element */
        path[j][j % 32] ^= (uint8_t)(1u << (j % 8));
        assert_int_not_equal(cp_merkle_verify_inclusion(s.leaf[i], i, n,
                                                        (const uint8_t(*)[32])path, len, root), 0);
        path[j][j % 32] ^= (uint8_t)(1u << (j % 8));
      }
      memcpy(leaf, s.leaf[i], 32);
      leaf[31] ^= 0x80;
      assert_int_not_equal(cp_merkle_verify_inclusion(leaf, i, n, (const uint8_t(*)[32])path,
                                                      len, root), 0);
      root[0] ^= 1;
      assert_int_not_equal(cp_merkle_verify_inclusion(s.leaf[i], i, n,
                                                      (const uint8_t(*)[32])path, len, root), 0);
      root[0] ^= 1;
      if (n > 1) {
        assert_int_not_equal(cp_merkle_verify_inclusion(s.leaf[i], (i + 1) % n, n,
                                                        (const uint8_t(*)[32])path, len, root), 0);
        if (len > 0)
          assert_int_not_equal(cp_merkle_verify_inclusion(s.leaf[i], i, n,
                                                          (const uint8_t(*)[32])path, len - 1,
                                                          root), 0);
      }
      assert_int_equal(cp_merkle_verify_inclusion(s.leaf[i], n, n, (const uint8_t(*)[32])path,
                                                  len, root), CP_EINVAL);
      total++;
    }
  }
  printf("inclusion proofs checked: %zu, most callbacks for one proof: %u\n", total, max_calls);
}

static void property_consistency(void **state) {
  store s;
  uint64_t m, n;
  uint8_t path[CP_MERKLE_MAX_LEVELS][32], r1[32], r2[32];
  size_t len, j, total = 0;
  unsigned max_calls = 0;
  (void)state;
  big_store(&s);
  for (n = 0; n <= NMAX; n++) {
    cp_merkle_root(get_cb, &s, n, r2);
    for (m = 0; m <= n; m++) {
      assert_int_equal(cp_merkle_root(get_cb, &s, m, r1), 0);
      s.calls = 0;
      assert_int_equal(cp_merkle_consistency_proof(get_cb, &s, m, n, path, &len), 0);
      if (s.calls > max_calls) max_calls = s.calls;
      assert_true(s.calls <= 2 * log2ceil(n) + 2);
      assert_int_equal(cp_merkle_verify_consistency(m, n, r1, r2, (const uint8_t(*)[32])path, len),
                       0);
      for (j = 0; j < len; j++) {
        path[j][(j * 5) % 32] ^= (uint8_t)(1u << (j % 8));
        assert_int_not_equal(cp_merkle_verify_consistency(m, n, r1, r2,
                                                          (const uint8_t(*)[32])path, len), 0);
        path[j][(j * 5) % 32] ^= (uint8_t)(1u << (j % 8));
      }
      r1[3] ^= 0x10;
      assert_int_not_equal(cp_merkle_verify_consistency(m, n, r1, r2, (const uint8_t(*)[32])path,
                                                        len), 0);
      r1[3] ^= 0x10;
      if (m != n || m != 0) {
        r2[9] ^= 0x02;
        if (m != 0)
          assert_int_not_equal(cp_merkle_verify_consistency(m, n, r1, r2,
                                                            (const uint8_t(*)[32])path, len), 0);
        r2[9] ^= 0x02;
      }
      if (len > 0)
        assert_int_not_equal(cp_merkle_verify_consistency(m, n, r1, r2,
                                                          (const uint8_t(*)[32])path, len - 1), 0);
      total++;
    }
  }
  assert_int_equal(cp_merkle_verify_consistency(5, 4, r1, r2, (const uint8_t(*)[32])path, 0),
                   CP_EINVAL);
  printf("consistency proofs checked: %zu, most callbacks for one proof: %u\n", total, max_calls);
}

static void frontier_matches_reference(void **state) {
  store s;
  cp_merkle_frontier f;
  uint8_t done[63][32], root[32], want[32];
  unsigned nd, k;
  uint64_t i;
  (void)state;
  big_store(&s);
  cp_merkle_frontier_init(&f);
  for (i = 0; i < NMAX; i++) {
    uint64_t old = f.size;
    cp_merkle_frontier_append(&f, s.leaf[i], done, &nd);
    /* ndone is the number of trailing one bits of the old size, and each
     * done hash is the complete subtree the leaf finished. */
    for (k = 0; (old >> k) & 1; k++) {}
    assert_int_equal(nd, k);
    for (k = 0; k < nd; k++) {
      uint64_t span = (uint64_t)1 << (k + 1);
      ref_mth(&s, (i + 1) - span, i + 1, want);
      assert_memory_equal(done[k], want, 32);
    }
    assert_int_equal(cp_merkle_frontier_count(&f), __builtin_popcountll(i + 1));
    cp_merkle_frontier_root(&f, root);
    ref_mth(&s, 0, i + 1, want);
    assert_memory_equal(root, want, 32);
  }
}

static void range_root_any_range(void **state) {
  store s;
  uint64_t a, b;
  uint8_t got[32], want[32];
  (void)state;
  big_store(&s);
  for (a = 0; a < 20; a++)
    for (b = a + 1; b <= 24; b++) {
      assert_int_equal(cp_merkle_range_root(get_cb, &s, a, b, got), 0);
      ref_mth(&s, a, b, want);
      assert_memory_equal(got, want, 32);
    }
  assert_int_equal(cp_merkle_range_root(get_cb, &s, 3, 3, got), CP_EINVAL);
  /* A callback error is passed up unchanged. */
  assert_int_equal(cp_merkle_root(get_cb, &s, NMAX + 1, got), CP_ENOTFOUND);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(ct_roots),
  cmocka_unit_test(ct_inclusion_paths),
  cmocka_unit_test(ct_consistency_paths),
  cmocka_unit_test(property_inclusion),
  cmocka_unit_test(property_consistency),
  cmocka_unit_test(frontier_matches_reference),
  cmocka_unit_test(range_root_any_range),
};

CP_TEST_MAIN(tests)
