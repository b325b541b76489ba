/*
 * credport — the sorted-set Merkle tree of revoked IDs and its absence
 * proofs (docs/FORMATS.md "Revocation status", R-rev-04, R-rev-05).
 */
#include <stdlib.h>
#include <string.h>

#include "credport/revstatus.h"

static int ascending(const uint8_t (*ids)[CP_HASH_BYTES], size_t n) {
  for (size_t i = 1; i < n; i++)
    if (memcmp(ids[i - 1], ids[i], CP_HASH_BYTES) >= 0) return 0;
  return 1;
}

int cp_rev_root(const uint8_t (*ids)[CP_HASH_BYTES], size_t n, uint8_t root[CP_HASH_BYTES]) {
  if ((uint64_t)n > INT64_MAX || (n > 0 && ids == NULL) || !ascending(ids, n)) return CP_EINVAL;
  cp_merkle_frontier *f = malloc(sizeof *f);
  uint8_t done[CP_MERKLE_MAX_LEVELS - 1][CP_HASH_BYTES], leaf[CP_HASH_BYTES];
  unsigned nd;
  if (f == NULL) return CP_ENOMEM;
  cp_merkle_frontier_init(f);
  for (size_t i = 0; i < n; i++) {
    cp_merkle_leaf_hash(ids[i], CP_HASH_BYTES, leaf);
    cp_merkle_frontier_append(f, leaf, done, &nd);
  }
  cp_merkle_frontier_root(f, root);
  free(f);
  return CP_OK;
}

/* Complete subtrees of the in-memory set, for crypto/merkle.c's proofs. */
typedef struct {
  const uint8_t (*ids)[CP_HASH_BYTES];
  size_t n;
} setctx;

static int set_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]) {
  const setctx *s = ctx;
  if (level >= 63 || index > (UINT64_MAX >> level) - 1 ||
      ((index + 1) << level) > (uint64_t)s->n)
    return CP_EINVAL;
  if (level == 0) {
    cp_merkle_leaf_hash(s->ids[index], CP_HASH_BYTES, out);
    return CP_OK;
  }
  uint8_t l[CP_HASH_BYTES], r[CP_HASH_BYTES];
  int rc = set_get(ctx, level - 1, index * 2, l);
  if (rc == 0) rc = set_get(ctx, level - 1, index * 2 + 1, r);
  if (rc == 0) cp_merkle_node_hash(l, r, out);
  return rc;
}

static int prove_leaf(cp_merkle_get_fn get, void *ctx, const uint8_t (*ids)[CP_HASH_BYTES],
                      size_t n, uint64_t index, cp_rev_leaf *out) {
  out->index = index;
  memcpy(out->id, ids[index], CP_HASH_BYTES);
  return cp_merkle_inclusion_proof(get, ctx, index, (uint64_t)n, out->path, &out->n);
}

/* R-rev-04: the leaves bracketing id, their paths read through get. */
static int prove_absent(cp_merkle_get_fn get, void *ctx, const uint8_t (*ids)[CP_HASH_BYTES],
                        size_t n, const uint8_t id[CP_HASH_BYTES], cp_absence_proof *out) {
  /* lo: the number of IDs below id. */
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(ids[mid], id, CP_HASH_BYTES);
    if (c == 0) return CP_EEXIST;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  memset(out, 0, sizeof *out);
  out->size = (uint64_t)n;
  int rc = CP_OK;
  if (n == 0) {
    out->nleaves = 0;
  } else if (lo == 0) {
    out->nleaves = 1;
    rc = prove_leaf(get, ctx, ids, n, 0, &out->leaf[0]);
  } else if (lo == n) {
    out->nleaves = 1;
    rc = prove_leaf(get, ctx, ids, n, n - 1, &out->leaf[0]);
  } else {
    out->nleaves = 2;
    rc = prove_leaf(get, ctx, ids, n, lo - 1, &out->leaf[0]);
    if (rc == 0) rc = prove_leaf(get, ctx, ids, n, lo, &out->leaf[1]);
  }
  return rc;
}

int cp_rev_prove_absent(const uint8_t (*ids)[CP_HASH_BYTES], size_t n,
                        const uint8_t id[CP_HASH_BYTES], cp_absence_proof *out) {
  if ((uint64_t)n > INT64_MAX || (n > 0 && ids == NULL) || !ascending(ids, n)) return CP_EINVAL;
  setctx s = {ids, n};
  return prove_absent(set_get, &s, ids, n, id, out);
}

/* ---- a tree kept in memory, for many proofs over one set ------------------ */

struct cp_rev_tree {
  const uint8_t (*ids)[CP_HASH_BYTES];
  size_t n;
  unsigned levels;                        /* lv[0..levels) are filled */
  uint8_t (*lv[CP_MERKLE_MAX_LEVELS])[CP_HASH_BYTES]; /* lv[l][i]: subtree (l, i) */
};

static int tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]) {
  const cp_rev_tree *t = ctx;
  if (level >= t->levels || index >= ((uint64_t)t->n >> level)) return CP_EINVAL;
  memcpy(out, t->lv[level][index], CP_HASH_BYTES);
  return CP_OK;
}

int cp_rev_tree_new(const uint8_t (*ids)[CP_HASH_BYTES], size_t n, cp_rev_tree **out) {
  *out = NULL;
  if ((uint64_t)n > INT64_MAX || (n > 0 && ids == NULL) || !ascending(ids, n)) return CP_EINVAL;
  cp_rev_tree *t = calloc(1, sizeof *t);
  if (t == NULL) return CP_ENOMEM;
  t->ids = ids;
  t->n = n;
  for (size_t w = n; w > 0; w >>= 1, t->levels++) {
    unsigned l = t->levels;
    if ((t->lv[l] = malloc(w * CP_HASH_BYTES)) == NULL) {
      cp_rev_tree_free(t);
      return CP_ENOMEM;
    }
    for (size_t i = 0; i < w; i++) {
      if (l == 0)
        cp_merkle_leaf_hash(ids[i], CP_HASH_BYTES, t->lv[0][i]);
      else
        cp_merkle_node_hash(t->lv[l - 1][2 * i], t->lv[l - 1][2 * i + 1], t->lv[l][i]);
    }
  }
  *out = t;
  return CP_OK;
}

int cp_rev_tree_prove_absent(const cp_rev_tree *t, const uint8_t id[CP_HASH_BYTES],
                             cp_absence_proof *out) {
  return prove_absent(tree_get, (void *)t, t->ids, t->n, id, out);
}

void cp_rev_tree_free(cp_rev_tree *t) {
  if (t == NULL) return;
  for (unsigned l = 0; l < t->levels; l++) free(t->lv[l]);
  free(t);
}

static int leaf_holds(const cp_rev_leaf *l, uint64_t size, const uint8_t root[CP_HASH_BYTES]) {
  uint8_t h[CP_HASH_BYTES];
  if (l->n > CP_PROOF_HASHES_MAX) return 0;
  cp_merkle_leaf_hash(l->id, CP_HASH_BYTES, h);
  return cp_merkle_verify_inclusion(h, l->index, size, (const uint8_t(*)[CP_HASH_BYTES])l->path,
                                    l->n, root) == 0;
}

int cp_rev_verify_absent(const uint8_t id[CP_HASH_BYTES], uint64_t size,
                         const uint8_t root[CP_HASH_BYTES], const cp_absence_proof *p) {
  /* SPEC: R-rev-05 */
  if (p->size != size || size > INT64_MAX) return CP_EPROOF;
  if (size == 0) {
    uint8_t empty[CP_HASH_BYTES];
    cp_merkle_empty_root(empty);
    return p->nleaves == 0 && memcmp(root, empty, CP_HASH_BYTES) == 0 ? CP_OK : CP_EPROOF;
  }
  if (p->nleaves == 1) {
    const cp_rev_leaf *l = &p->leaf[0];
    int c = memcmp(id, l->id, CP_HASH_BYTES);
    int end = (l->index == 0 && c < 0) || (l->index == size - 1 && c > 0);
    return end && leaf_holds(l, size, root) ? CP_OK : CP_EPROOF;
  }
  if (p->nleaves == 2) {
    const cp_rev_leaf *a = &p->leaf[0], *b = &p->leaf[1];
    int adjacent = a->index < size - 1 && b->index == a->index + 1;
    int bracket = memcmp(a->id, id, CP_HASH_BYTES) < 0 && memcmp(id, b->id, CP_HASH_BYTES) < 0;
    return adjacent && bracket && leaf_holds(a, size, root) && leaf_holds(b, size, root)
               ? CP_OK
               : CP_EPROOF;
  }
  return CP_EPROOF;
}
