/*
 * credport — RFC 9162 multiproofs (include/credport/multiproof.h;
 * docs/FORMATS.md "Multiproofs").
 *
 * All three functions run the one recursion of the header, walk(lo, hi, L):
 * counting the hashes it takes, emitting them from single paths, or taking
 * them from a list to compute the root. The recursion descends at most 64
 * levels (sizes are below 2^64) and visits O(k log size) ranges.
 */
#include <string.h>

#include "credport/multiproof.h"

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_of(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k <<= 1;
  return k;
}

/* First position in idx[a..b) whose value is >= m. */
static size_t first_at_or_above(const uint64_t *idx, size_t a, size_t b, uint64_t m) {
  while (a < b) {
    size_t mid = a + (b - a) / 2;
    if (idx[mid] < m)
      a = mid + 1;
    else
      b = mid;
  }
  return a;
}

static int check_idx(uint64_t size, const uint64_t *idx, size_t k) {
  if (k == 0 || size == 0) return CP_EINVAL;
  for (size_t i = 0; i < k; i++)
    if (idx[i] >= size || (i > 0 && idx[i] <= idx[i - 1])) return CP_EINVAL;
  return CP_OK;
}

static size_t count_walk(uint64_t lo, uint64_t hi, const uint64_t *idx, size_t a, size_t b) {
  if (a == b) return 1;
  if (hi - lo == 1) return 0;
  uint64_t m = lo + split_of(hi - lo);
  size_t c = first_at_or_above(idx, a, b, m);
  return count_walk(lo, m, idx, a, c) + count_walk(m, hi, idx, c, b);
}

int cp_multiproof_count(uint64_t size, const uint64_t *idx, size_t k, size_t *n) {
  int rc = check_idx(size, idx, k);
  if (rc != CP_OK) return rc;
  *n = count_walk(0, size, idx, 0, k);
  return CP_OK;
}

typedef struct emit_ctx {
  const uint64_t *idx;
  const cp_merkle_path *paths;
  uint8_t (*out)[CP_HASH_BYTES];
  size_t cap, n;
} emit_ctx;

/* `any` is a position in idx of a leaf inside the parent range; a range
 * with no proved leaf at recursion depth `depth` (the root is depth 0) is
 * the sibling at that depth on any such leaf's path, which is element
 * (path length - depth) counted from the leaf side. */
static int emit_walk(emit_ctx *e, uint64_t lo, uint64_t hi, size_t a, size_t b, size_t any,
                     unsigned depth) {
  if (a == b) {
    const cp_merkle_path *p = &e->paths[any];
    if (depth == 0 || p->n < depth || p->n > CP_MERKLE_MAX_LEVELS) return CP_EINVAL;
    if (e->n == e->cap) return CP_ETOOBIG;
    memcpy(e->out[e->n++], p->h[p->n - depth], CP_HASH_BYTES);
    return CP_OK;
  }
  if (hi - lo == 1) return e->paths[a].n == depth ? CP_OK : CP_EINVAL;
  uint64_t m = lo + split_of(hi - lo);
  size_t c = first_at_or_above(e->idx, a, b, m);
  int rc = emit_walk(e, lo, m, a, c, a, depth + 1);
  if (rc == CP_OK) rc = emit_walk(e, m, hi, c, b, a, depth + 1);
  return rc;
}

int cp_multiproof_from_paths(uint64_t size, const uint64_t *idx, const cp_merkle_path *paths,
                             size_t k, uint8_t (*out)[CP_HASH_BYTES], size_t cap, size_t *n) {
  emit_ctx e = {idx, paths, out, cap, 0};
  int rc = check_idx(size, idx, k);
  if (rc != CP_OK) return rc;
  if ((rc = emit_walk(&e, 0, size, 0, k, 0, 0)) != CP_OK) return rc;
  *n = e.n;
  return CP_OK;
}

typedef struct root_ctx {
  const uint64_t *idx;
  const uint8_t (*leaf)[CP_HASH_BYTES];
  const uint8_t (*hashes)[CP_HASH_BYTES];
  size_t nh, used;
  cp_merkle_path *paths;
} root_ctx;

static void push(cp_merkle_path *p, const uint8_t h[CP_HASH_BYTES]) {
  if (p->n < CP_MERKLE_MAX_LEVELS) memcpy(p->h[p->n++], h, CP_HASH_BYTES);
}

static int root_walk(root_ctx *r, uint64_t lo, uint64_t hi, size_t a, size_t b,
                     uint8_t out[CP_HASH_BYTES]) {
  uint8_t left[CP_HASH_BYTES], right[CP_HASH_BYTES];
  if (a == b) {
    if (r->used == r->nh) return CP_EPROOF;
    memcpy(out, r->hashes[r->used++], CP_HASH_BYTES);
    return CP_OK;
  }
  if (hi - lo == 1) {
    memcpy(out, r->leaf[a], CP_HASH_BYTES);
    return CP_OK;
  }
  uint64_t m = lo + split_of(hi - lo);
  size_t c = first_at_or_above(r->idx, a, b, m);
  int rc = root_walk(r, lo, m, a, c, left);
  if (rc == CP_OK) rc = root_walk(r, m, hi, c, b, right);
  if (rc != CP_OK) return rc;
  if (r->paths != NULL) {
    for (size_t i = a; i < c; i++) push(&r->paths[i], right);
    for (size_t i = c; i < b; i++) push(&r->paths[i], left);
  }
  cp_merkle_node_hash(left, right, out);
  return CP_OK;
}

int cp_multiproof_root(uint64_t size, const uint64_t *idx, const uint8_t (*leaf)[CP_HASH_BYTES],
                       size_t k, const uint8_t (*hashes)[CP_HASH_BYTES], size_t nh,
                       uint8_t root[CP_HASH_BYTES], cp_merkle_path *paths) {
  root_ctx r = {idx, leaf, hashes, nh, 0, paths};
  int rc = check_idx(size, idx, k);
  if (rc != CP_OK) return rc;
  if (paths != NULL)
    for (size_t i = 0; i < k; i++) paths[i].n = 0;
  if ((rc = root_walk(&r, 0, size, 0, k, root)) != CP_OK) return rc;
  return r.used == nh ? CP_OK : CP_EPROOF;
}
