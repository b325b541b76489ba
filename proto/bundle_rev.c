/*
 * credport — one log's revocation section of a wallet or bundle, made from
 * the absence proofs of its awards (include/credport/bundle.h;
 * docs/FORMATS.md "Wallets and bundles", W-rev-*).
 */
#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"

typedef struct rleaf {
  const cp_rev_leaf *l;
} rleaf;

static int by_index(const void *a, const void *b) {
  uint64_t x = ((const rleaf *)a)->l->index, y = ((const rleaf *)b)->l->index;
  return x < y ? -1 : x > y;
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

int cp_bundle_rev_section(const cp_absence_proof *p, size_t n, uint64_t size, uint8_t **leaves,
                          size_t *nrev, uint8_t (**hashes)[CP_HASH_BYTES], size_t *nh) {
  rleaf *all = NULL;
  uint64_t *idx = NULL;
  cp_merkle_path *paths = NULL;
  uint8_t *out = NULL, (*hs)[CP_HASH_BYTES] = NULL;
  size_t k = 0, m = 0, count = 0;
  int rc = CP_ENOMEM;
  *leaves = NULL;
  *nrev = 0;
  *hashes = NULL;
  *nh = 0;
  if (n == 0 || size == 0) return CP_OK;
  if ((all = malloc(2 * n * sizeof *all)) == NULL) goto out;
  for (size_t i = 0; i < n; i++) {
    if (p[i].size != size || p[i].nleaves > 2) {
      rc = CP_EINVAL;
      goto out;
    }
    for (unsigned j = 0; j < p[i].nleaves; j++) all[k++].l = &p[i].leaf[j];
  }
  qsort(all, k, sizeof *all, by_index);
  /* Each index once; two proofs naming one index must agree on all of it. */
  for (size_t i = 0; i < k; i++) {
    if (m > 0 && all[m - 1].l->index == all[i].l->index) {
      const cp_rev_leaf *a = all[m - 1].l, *b = all[i].l;
      if (memcmp(a->id, b->id, CP_HASH_BYTES) != 0 || a->n != b->n ||
          memcmp(a->path, b->path, a->n * CP_HASH_BYTES) != 0) {
        rc = CP_EINVAL;
        goto out;
      }
      continue;
    }
    if (m > 0 && memcmp(all[m - 1].l->id, all[i].l->id, CP_HASH_BYTES) >= 0) {
      rc = CP_EINVAL;
      goto out;
    }
    all[m++] = all[i];
  }
  if (m == 0) {
    rc = CP_OK;
    goto out;
  }
  if ((idx = malloc(m * sizeof *idx)) == NULL || (paths = malloc(m * sizeof *paths)) == NULL ||
      (out = malloc(m * CP_BUNDLE_REV_LEAF_BYTES)) == NULL)
    goto out;
  for (size_t i = 0; i < m; i++) {
    const cp_rev_leaf *l = all[i].l;
    if (l->n > CP_MERKLE_MAX_LEVELS) {
      rc = CP_EINVAL;
      goto out;
    }
    idx[i] = l->index;
    paths[i].n = l->n;
    memcpy(paths[i].h, l->path, l->n * CP_HASH_BYTES);
    put64(out + i * CP_BUNDLE_REV_LEAF_BYTES, l->index);
    memcpy(out + i * CP_BUNDLE_REV_LEAF_BYTES + 8, l->id, CP_HASH_BYTES);
  }
  if ((rc = cp_multiproof_count(size, idx, m, &count)) != CP_OK) goto out;
  rc = CP_ENOMEM;
  if (count > 0 && (hs = malloc(count * sizeof *hs)) == NULL) goto out;
  if ((rc = cp_multiproof_from_paths(size, idx, paths, m, hs, count, &count)) != CP_OK) goto out;
  *leaves = out;
  *nrev = m;
  *hashes = hs;
  *nh = count;
  out = NULL;
  hs = NULL;
out:
  free(all);
  free(idx);
  free(paths);
  free(out);
  free(hs);
  return rc;
}
