/*
 * credport — RFC 9162 multiproofs (crypto/multiproof.c; docs/FORMATS.md
 * "Wallets and bundles", "Multiproofs").
 *
 * A multiproof proves k leaves of one tree together with one list of the
 * distinct hashes their inclusion paths need. It is defined by one
 * recursion over the RFC 9162 tree (MTH splits n leaves at the largest
 * power of two k < n):
 *
 *   walk(lo, hi, L):  L = the proved leaf indexes inside [lo, hi)
 *     L empty        -> one hash: MTH of leaves [lo, hi), taken from the list
 *     hi - lo == 1   -> the leaf's own hash (nothing taken)
 *     otherwise      -> node(walk(lo, lo+k, L_left), walk(lo+k, hi, L_right))
 *
 * started at walk(0, size, all leaves). The list holds the hashes in the
 * order the recursion takes them (depth first, left before right), which
 * is the left-to-right order of the subtrees they stand for; its length is
 * fixed by (size, leaf indexes), and a verifier requires exactly that
 * many. For one leaf the list holds its RFC 9162 inclusion path, ordered
 * so.
 */
#ifndef CREDPORT_MULTIPROOF_H
#define CREDPORT_MULTIPROOF_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "merkle.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One RFC 9162 inclusion path, leaf side first. */
typedef struct cp_merkle_path {
  size_t n;
  uint8_t h[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES];
} cp_merkle_path;

/* *n gets the number of hashes in the multiproof of leaves idx[0..k)
 * (k >= 1, strictly ascending, each < size). CP_EINVAL otherwise. */
int cp_multiproof_count(uint64_t size, const uint64_t *idx, size_t k, size_t *n)
    __attribute__((warn_unused_result));

/* Builds the multiproof of leaves idx[0..k) from their single inclusion
 * paths (paths[i] for idx[i], as cp_merkle_inclusion_proof gives them) into
 * out[0..cap); *n gets the count. CP_EINVAL for bad indexes or a path of
 * the wrong length, CP_ETOOBIG when cap is too small. The paths are not
 * checked against each other: cp_multiproof_root does that. */
int cp_multiproof_from_paths(uint64_t size, const uint64_t *idx, const cp_merkle_path *paths,
                             size_t k, uint8_t (*out)[CP_HASH_BYTES], size_t cap, size_t *n)
    __attribute__((warn_unused_result));

/* Recomputes the root of the tree of `size` leaves from the leaf hashes
 * leaf[0..k) at indexes idx[0..k) and the multiproof hashes[0..nh). The
 * caller compares root with the checkpoint's. If paths is not NULL,
 * paths[i] gets the single inclusion path of leaf i implied by the
 * multiproof (so a subset can be proved again with
 * cp_multiproof_from_paths). CP_EINVAL for bad indexes, CP_EPROOF when nh
 * is not the count the leaves need. */
int cp_multiproof_root(uint64_t size, const uint64_t *idx, const uint8_t (*leaf)[CP_HASH_BYTES],
                       size_t k, const uint8_t (*hashes)[CP_HASH_BYTES], size_t nh,
                       uint8_t root[CP_HASH_BYTES], cp_merkle_path *paths)
    __attribute__((warn_unused_result));

#ifdef __cplusplus
}
#endif

#endif
