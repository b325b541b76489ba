/*
 * credport — RFC 9162 section 2.1 Merkle trees (see merkle.h).
 *
 * Proof generation walks the tree top-down with absolute leaf ranges.
 * Every node the walk leaves aside is either a complete, aligned subtree
 * (one callback) or, at most once per proof, the right-hand node [lo+k, hi)
 * of a non-complete tree, which range_root assembles from the O(log n)
 * complete subtrees its size decomposes into.
 */
#include <string.h>

#include "credport/merkle.h"

void cp_merkle_leaf_hash(const uint8_t *leaf, size_t len, uint8_t out[CP_HASH_BYTES]) {
  static const uint8_t prefix = 0x00;
  cp_sha256 h;
  cp_sha256_init(&h);
  cp_sha256_update(&h, &prefix, 1);
  cp_sha256_update(&h, leaf, len);
  cp_sha256_final(&h, out);
}

void cp_merkle_node_hash(const uint8_t left[CP_HASH_BYTES], const uint8_t right[CP_HASH_BYTES],
                         uint8_t out[CP_HASH_BYTES]) {
  static const uint8_t prefix = 0x01;
  cp_sha256 h;
  cp_sha256_init(&h);
  cp_sha256_update(&h, &prefix, 1);
  cp_sha256_update(&h, left, CP_HASH_BYTES);
  cp_sha256_update(&h, right, CP_HASH_BYTES);
  cp_sha256_final(&h, out);
}

void cp_merkle_empty_root(uint8_t out[CP_HASH_BYTES]) {
  cp_sha256_oneshot("", 0, out);
}

/* The largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k <<= 1; /* k < n/2 rounded: stops at largest k with 2k >= n */
  return k;
}

static unsigned level_of(uint64_t pow2) {
  unsigned l = 0;
  while (pow2 > 1) {
    pow2 >>= 1;
    l++;
  }
  return l;
}

/* MTH(D[begin:end]). A complete aligned range costs one callback; an
 * aligned range of any size costs one per set bit of its size. */
static int range_root(cp_merkle_get_fn get, void *ctx, uint64_t begin, uint64_t end,
                      uint8_t out[CP_HASH_BYTES], unsigned depth) {
  uint64_t n = end - begin, k;
  uint8_t l[CP_HASH_BYTES], r[CP_HASH_BYTES];
  int rc;
  if (depth > CP_MERKLE_MAX_LEVELS) return CP_EINVAL;
  if ((n & (n - 1)) == 0 && begin % n == 0) return get(ctx, level_of(n), begin / n, out);
  k = split_point(n);
  if ((rc = range_root(get, ctx, begin, begin + k, l, depth + 1)) != 0) return rc;
  if ((rc = range_root(get, ctx, begin + k, end, r, depth + 1)) != 0) return rc;
  cp_merkle_node_hash(l, r, out);
  return CP_OK;
}

int cp_merkle_range_root(cp_merkle_get_fn get, void *ctx, uint64_t begin, uint64_t end,
                         uint8_t out[CP_HASH_BYTES]) {
  if (end <= begin) return CP_EINVAL;
  return range_root(get, ctx, begin, end, out, 0);
}

int cp_merkle_root(cp_merkle_get_fn get, void *ctx, uint64_t size, uint8_t out[CP_HASH_BYTES]) {
  if (size == 0) {
    cp_merkle_empty_root(out);
    return CP_OK;
  }
  return range_root(get, ctx, 0, size, out, 0);
}

static void reverse(uint8_t path[][CP_HASH_BYTES], size_t n) {
  size_t i;
  uint8_t t[CP_HASH_BYTES];
  for (i = 0; i < n / 2; i++) {
    memcpy(t, path[i], CP_HASH_BYTES);
    memcpy(path[i], path[n - 1 - i], CP_HASH_BYTES);
    memcpy(path[n - 1 - i], t, CP_HASH_BYTES);
  }
}

/* SPEC: RFC 9162 2.1.3.1. Siblings are found top-down, then reversed so the
 * path runs leaf side first. */
int cp_merkle_inclusion_proof(cp_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                              uint8_t path[][CP_HASH_BYTES], size_t *n) {
  uint64_t lo = 0, hi = size;
  size_t cnt = 0;
  int rc;
  *n = 0;
  if (index >= size) return CP_EINVAL;
  while (hi - lo > 1) {
    uint64_t k = split_point(hi - lo);
    if (cnt >= CP_MERKLE_MAX_LEVELS) return CP_EINVAL;
    if (index < lo + k) {
      rc = range_root(get, ctx, lo + k, hi, path[cnt], 0);
      hi = lo + k;
    } else {
      rc = range_root(get, ctx, lo, lo + k, path[cnt], 0);
      lo += k;
    }
    if (rc != 0) return rc;
    cnt++;
  }
  reverse(path, cnt);
  *n = cnt;
  return CP_OK;
}

/* SPEC: RFC 9162 2.1.4.1, SUBPROOF unrolled: the node holding the old tree's
 * right edge is descended into; the flag b of the RFC is `whole`. */
int cp_merkle_consistency_proof(cp_merkle_get_fn get, void *ctx, uint64_t old_size,
                                uint64_t new_size, uint8_t path[][CP_HASH_BYTES], size_t *n) {
  uint64_t lo = 0, hi = new_size;
  size_t cnt = 0;
  int whole = 1, rc;
  *n = 0;
  if (old_size > new_size) return CP_EINVAL;
  if (old_size == 0 || old_size == new_size) return CP_OK;
  while (old_size != hi) {
    uint64_t k = split_point(hi - lo);
    if (cnt >= CP_MERKLE_MAX_LEVELS - 1) return CP_EINVAL;
    if (old_size - lo <= k) {
      rc = range_root(get, ctx, lo + k, hi, path[cnt], 0);
      hi = lo + k;
    } else {
      rc = range_root(get, ctx, lo, lo + k, path[cnt], 0);
      lo += k;
      whole = 0;
    }
    if (rc != 0) return rc;
    cnt++;
  }
  if (!whole) {
    if ((rc = range_root(get, ctx, lo, hi, path[cnt], 0)) != 0) return rc;
    cnt++;
  }
  reverse(path, cnt);
  *n = cnt;
  return CP_OK;
}

/* SPEC: RFC 9162 2.1.3.2. */
int cp_merkle_verify_inclusion(const uint8_t leaf[CP_HASH_BYTES], uint64_t index, uint64_t size,
                               const uint8_t path[][CP_HASH_BYTES], size_t n,
                               const uint8_t root[CP_HASH_BYTES]) {
  uint64_t fn = index, sn;
  uint8_t r[CP_HASH_BYTES];
  size_t i;
  if (index >= size || n > CP_MERKLE_MAX_LEVELS) return CP_EINVAL;
  sn = size - 1;
  memcpy(r, leaf, CP_HASH_BYTES);
  for (i = 0; i < n; i++) {
    if (sn == 0) return CP_EINVAL; /* path longer than the tree is deep */
    if ((fn & 1) || fn == sn) {
      cp_merkle_node_hash(path[i], r, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      cp_merkle_node_hash(r, path[i], r);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return CP_EINVAL; /* path too short */
  return memcmp(r, root, CP_HASH_BYTES) == 0 ? CP_OK : CP_EPROOF;
}

/* SPEC: RFC 9162 2.1.4.2, with the trivial cases made explicit: from 0 (the
 * old root must be the empty-tree root) and from a size to itself (the roots
 * must match), the proof must be empty. */
int cp_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                 const uint8_t old_root[CP_HASH_BYTES],
                                 const uint8_t new_root[CP_HASH_BYTES],
                                 const uint8_t path[][CP_HASH_BYTES], size_t n) {
  uint64_t fn, sn;
  uint8_t fr[CP_HASH_BYTES], sr[CP_HASH_BYTES], empty[CP_HASH_BYTES];
  size_t i = 0;
  if (old_size > new_size || n > CP_MERKLE_MAX_LEVELS) return CP_EINVAL;
  if (old_size == 0) {
    if (n != 0) return CP_EINVAL;
    cp_merkle_empty_root(empty);
    return memcmp(old_root, empty, CP_HASH_BYTES) == 0 ? CP_OK : CP_EPROOF;
  }
  if (old_size == new_size) {
    if (n != 0) return CP_EINVAL;
    return memcmp(old_root, new_root, CP_HASH_BYTES) == 0 ? CP_OK : CP_EPROOF;
  }
  if (n == 0) return CP_EINVAL;
  fn = old_size - 1;
  sn = new_size - 1;
  /* An exact power of two: the old root itself is the first node. */
  if ((old_size & (old_size - 1)) == 0) {
    memcpy(fr, old_root, CP_HASH_BYTES);
  } else {
    memcpy(fr, path[0], CP_HASH_BYTES);
    i = 1;
  }
  memcpy(sr, fr, CP_HASH_BYTES);
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; i < n; i++) {
    if (sn == 0) return CP_EINVAL;
    if ((fn & 1) || fn == sn) {
      cp_merkle_node_hash(path[i], fr, fr);
      cp_merkle_node_hash(path[i], sr, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      cp_merkle_node_hash(sr, path[i], sr);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return CP_EINVAL;
  if (memcmp(fr, old_root, CP_HASH_BYTES) != 0 || memcmp(sr, new_root, CP_HASH_BYTES) != 0)
    return CP_EPROOF;
  return CP_OK;
}

/* ---- frontier ----------------------------------------------------------- */

static unsigned popcount64(uint64_t x) {
  unsigned c = 0;
  while (x != 0) {
    x &= x - 1;
    c++;
  }
  return c;
}

void cp_merkle_frontier_init(cp_merkle_frontier *f) {
  memset(f, 0, sizeof *f);
}

unsigned cp_merkle_frontier_count(const cp_merkle_frontier *f) {
  return popcount64(f->size);
}

void cp_merkle_frontier_append(cp_merkle_frontier *f, const uint8_t leaf[CP_HASH_BYTES],
                               uint8_t done[][CP_HASH_BYTES], unsigned *ndone) {
  unsigned count = popcount64(f->size), nd = 0;
  uint64_t s = f->size;
  uint8_t c[CP_HASH_BYTES];
  memcpy(c, leaf, CP_HASH_BYTES);
  /* Each trailing one bit of the old size is a subtree the new leaf's
   * subtree merges with, smallest first. */
  while (s & 1) {
    cp_merkle_node_hash(f->h[count - 1], c, c);
    count--;
    memcpy(done[nd++], c, CP_HASH_BYTES);
    s >>= 1;
  }
  memcpy(f->h[count], c, CP_HASH_BYTES);
  f->size++;
  *ndone = nd;
}

void cp_merkle_frontier_root(const cp_merkle_frontier *f, uint8_t root[CP_HASH_BYTES]) {
  unsigned count = popcount64(f->size), i;
  uint8_t r[CP_HASH_BYTES];
  if (count == 0) {
    cp_merkle_empty_root(root);
    return;
  }
  memcpy(r, f->h[count - 1], CP_HASH_BYTES);
  for (i = count - 1; i-- > 0;) cp_merkle_node_hash(f->h[i], r, r);
  memcpy(root, r, CP_HASH_BYTES);
}
