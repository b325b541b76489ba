/*
 * credport — RFC 9162 Merkle trees (crypto/merkle.c).
 *
 * Leaf hash  = SHA-256(0x00 || leaf bytes); node hash = SHA-256(0x01 || l || r).
 * The tree over n leaves is RFC 9162 section 2.1.1's MTH; proofs are its
 * section 2.1.3 (inclusion) and 2.1.4 (consistency) paths, leaf side first.
 *
 * Trees are read through a callback that returns the hash of a *complete*
 * subtree: level L, index I covers leaves [I * 2^L, (I+1) * 2^L). A store
 * that keeps every complete subtree hash answers any proof with O(log n)
 * callback calls; cp_merkle_frontier tells it which ones each append
 * completes.
 */
#ifndef CREDPORT_MERKLE_H
#define CREDPORT_MERKLE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"

#define CP_MERKLE_MAX_LEVELS 64U

void cp_merkle_leaf_hash(const uint8_t *leaf, size_t len, uint8_t out[CP_HASH_BYTES]);
void cp_merkle_node_hash(const uint8_t left[CP_HASH_BYTES], const uint8_t right[CP_HASH_BYTES],
                         uint8_t out[CP_HASH_BYTES]);
/* The root of the empty tree: SHA-256 of the empty string. */
void cp_merkle_empty_root(uint8_t out[CP_HASH_BYTES]);

/* Returns 0 and writes the hash of the complete subtree (level, index), or a
 * negative error that the caller passes up unchanged. */
typedef int (*cp_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                                uint8_t out[CP_HASH_BYTES]);

/* MTH of leaves [begin, end) (end > begin) from complete subtrees. */
int cp_merkle_range_root(cp_merkle_get_fn get, void *ctx, uint64_t begin, uint64_t end,
                         uint8_t out[CP_HASH_BYTES]);
/* Root of the tree of the first `size` leaves (empty root when size = 0). */
int cp_merkle_root(cp_merkle_get_fn get, void *ctx, uint64_t size, uint8_t out[CP_HASH_BYTES]);

/* Inclusion proof for leaf `index` in the tree of `size` leaves.
 * path must hold CP_MERKLE_MAX_LEVELS hashes; *n gets the count. */
int cp_merkle_inclusion_proof(cp_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                              uint8_t path[][CP_HASH_BYTES], size_t *n);
/* Consistency proof from old_size to new_size (0 <= old <= new). */
int cp_merkle_consistency_proof(cp_merkle_get_fn get, void *ctx, uint64_t old_size,
                                uint64_t new_size, uint8_t path[][CP_HASH_BYTES], size_t *n);

/* 0 if the proof holds, CP_EPROOF if it does not, CP_EINVAL on impossible
 * arguments (index >= size, old > new, wrong path length). */
int cp_merkle_verify_inclusion(const uint8_t leaf[CP_HASH_BYTES], uint64_t index, uint64_t size,
                               const uint8_t path[][CP_HASH_BYTES], size_t n,
                               const uint8_t root[CP_HASH_BYTES]) __attribute__((warn_unused_result));
int cp_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                 const uint8_t old_root[CP_HASH_BYTES],
                                 const uint8_t new_root[CP_HASH_BYTES],
                                 const uint8_t path[][CP_HASH_BYTES], size_t n)
    __attribute__((warn_unused_result));

/*
 * The right edge of a growing tree: the roots of the complete subtrees that
 * the first `size` leaves decompose into (one per set bit of size, largest
 * first). Appending is O(1) amortised and needs no reads.
 */
typedef struct cp_merkle_frontier {
  uint64_t size;
  uint8_t h[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES]; /* h[0] is the largest subtree */
} cp_merkle_frontier;

void cp_merkle_frontier_init(cp_merkle_frontier *f);
/* Appends a leaf hash. OUT: done[k] for k = 0..*ndone-1 is the hash of the
 * complete subtree at level k+1 that this leaf completed (ndone =
 * number of trailing one bits of the old size). done holds 63 hashes. */
void cp_merkle_frontier_append(cp_merkle_frontier *f, const uint8_t leaf[CP_HASH_BYTES],
                               uint8_t done[][CP_HASH_BYTES], unsigned *ndone);
void cp_merkle_frontier_root(const cp_merkle_frontier *f, uint8_t root[CP_HASH_BYTES]);
/* Number of hashes in the frontier (popcount of size). */
unsigned cp_merkle_frontier_count(const cp_merkle_frontier *f);

#endif
