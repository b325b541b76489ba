/*
 * credport — offline revocation status (crypto/sortedset.c,
 * proto/revstatus.c, proto/revstatus_json.c; docs/FORMATS.md "Revocation
 * status").
 *
 * The revocation tree of a log at size N is the RFC 9162 Merkle tree whose
 * leaves are the 32-byte IDs of the awards revoked by entries of seq < N,
 * in ascending byte order (leaf hash SHA-256(0x00 || id), node hash
 * SHA-256(0x01 || l || r)). With each checkpoint the log signs a statement
 * binding (origin, size, root) to the revocation count and root. An absence
 * proof shows that an ID is not a leaf: the two adjacent leaves that
 * bracket it, the first or the last leaf when it lies beyond an end, or
 * nothing for the empty tree.
 */
#ifndef CREDPORT_REVSTATUS_H
#define CREDPORT_REVSTATUS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One leaf of the revocation tree with its inclusion path. */
typedef struct cp_rev_leaf {
  uint64_t index;
  uint8_t id[CP_HASH_BYTES];
  size_t n;                                   /* hashes in path */
  uint8_t path[CP_PROOF_HASHES_MAX][CP_HASH_BYTES];
} cp_rev_leaf;

typedef struct cp_absence_proof {
  uint64_t size;       /* leaves of the revocation tree (the revocation count) */
  unsigned nleaves;    /* 0 (empty tree), 1 (first or last leaf), 2 (adjacent) */
  cp_rev_leaf leaf[2]; /* ascending: leaf[0] below the ID, leaf[1] above */
} cp_absence_proof;

/* Root of the tree over ids[0..n) (n * 32 bytes, strictly ascending: else
 * CP_EINVAL; CP_ENOMEM). The empty set has the empty root. */
int cp_rev_root(const uint8_t (*ids)[CP_HASH_BYTES], size_t n, uint8_t root[CP_HASH_BYTES])
    __attribute__((warn_unused_result));

/* Builds the absence proof for id in the set ids[0..n) (strictly
 * ascending). CP_EEXIST when id is in the set (it is revoked), CP_EINVAL
 * when ids are not strictly ascending or n is above 2^63-1. Reads each ID
 * O(1) times plus O(n) hashing. */
int cp_rev_prove_absent(const uint8_t (*ids)[CP_HASH_BYTES], size_t n,
                        const uint8_t id[CP_HASH_BYTES], cp_absence_proof *out)
    __attribute__((warn_unused_result));

/* The same proofs from a tree built once: cp_rev_tree_new hashes every
 * complete subtree of the set ids[0..n) (strictly ascending, else
 * CP_EINVAL; CP_ENOMEM) in O(n) time and about 2n hashes of memory, after
 * which each proof costs O(log n). ids must outlive the tree. The proofs
 * are exactly cp_rev_prove_absent's. */
typedef struct cp_rev_tree cp_rev_tree;
int cp_rev_tree_new(const uint8_t (*ids)[CP_HASH_BYTES], size_t n, cp_rev_tree **out)
    __attribute__((warn_unused_result));
int cp_rev_tree_prove_absent(const cp_rev_tree *t, const uint8_t id[CP_HASH_BYTES],
                             cp_absence_proof *out) __attribute__((warn_unused_result));
void cp_rev_tree_free(cp_rev_tree *t);

/* 0 if proof shows that id is not a leaf of the revocation tree of `size`
 * leaves whose root is root: size 0 with the empty root and no leaf; one
 * leaf at index 0 above id or at index size-1 below id; or two leaves at
 * indexes i and i+1 that strictly bracket id; each leaf's inclusion path
 * verifies (R-rev-05). CP_EPROOF otherwise (including an id that is a
 * leaf of the proof, and proof->size differing from size). */
int cp_rev_verify_absent(const uint8_t id[CP_HASH_BYTES], uint64_t size,
                         const uint8_t root[CP_HASH_BYTES], const cp_absence_proof *proof)
    __attribute__((warn_unused_result));

/*
 * Binary form (R-rev-03), for bundles:
 *   offset 0  u8  version (1)
 *          1  u64 size (big-endian, at most 2^63-1)
 *          9  u8  nleaves (0..2)
 *          10 per leaf: u64 index | h32 id | u8 n (<= 64) | n x h32 path
 * Nothing may follow. Encoding writes at most CP_ABSENCE_BIN_MAX bytes.
 */
#define CP_ABSENCE_BIN_MAX (10U + 2U * (8U + 32U + 1U + CP_PROOF_HASHES_MAX * 32U))
int cp_absence_encode(const cp_absence_proof *p, uint8_t *out, size_t cap, size_t *len)
    __attribute__((warn_unused_result));
/* CP_ECORRUPT (d names the byte) or CP_ETOOBIG for malformed input. */
int cp_absence_decode(const uint8_t *in, size_t len, cp_absence_proof *p, cp_diag *d)
    __attribute__((warn_unused_result));

/*
 * The signed statement (R-rev-01, R-rev-02): seven lines of text,
 *   credport revocation status v1
 *   origin <origin>
 *   size <checkpoint size, decimal>
 *   root <base64 checkpoint root>
 *   revoked <revocation count, decimal>
 *   revocation-root <base64 revocation tree root>
 *   signature <base64 Ed25519 signature>
 * each ending in LF. The signature is cp_sig_sign(CP_PURPOSE_STATEMENT)
 * over the first six lines. The text is at most CP_REVSTAT_MAX bytes.
 */
#define CP_REVSTAT_MAX 1024U
typedef struct cp_revstat {
  char origin[CP_ORIGIN_MAX + 1];
  uint64_t size;
  uint8_t root[CP_HASH_BYTES];
  uint64_t count;
  uint8_t rev_root[CP_HASH_BYTES];
  uint8_t sig[CP_SIG_BYTES];
  size_t signed_len; /* bytes of the text the signature covers */
} cp_revstat;

/* Writes the signed statement (NUL-terminated; *len excludes the NUL).
 * CP_EINVAL for an invalid origin or a size or count above 2^63-1,
 * CP_ETOOBIG if cap is too small. */
int cp_revstat_sign(const cp_key *k, const char *origin, uint64_t size,
                    const uint8_t root[CP_HASH_BYTES], uint64_t count,
                    const uint8_t rev_root[CP_HASH_BYTES], char *out, size_t cap, size_t *len)
    __attribute__((warn_unused_result));
/* Parses a statement strictly (no other spelling of any line is
 * accepted; size 0 needs the empty root, count 0 the empty revocation
 * root, count at most size). CP_ECORRUPT / CP_ETOOBIG with d naming the
 * line. Does not check the signature. */
int cp_revstat_parse(const char *text, size_t len, cp_revstat *st, cp_diag *d)
    __attribute__((warn_unused_result));
/* Parses and checks the signature under one of the Ed25519 (0x01)
 * verifier keys vs[0..nv) whose name is the statement's origin.
 * CP_EBADSIG if none verifies. */
int cp_revstat_open(const char *text, size_t len, const cp_note_verifier *vs, size_t nv,
                    cp_revstat *st, cp_diag *d) __attribute__((warn_unused_result));

/*
 * JSON form of an absence proof document (the CLI's):
 *   {"award":hex,"statement":text,"revocations":n,
 *    "leaves":[{"index":n,"id":hex,"hashes":[base64,...]},...]}
 * "statement" is optional on parse; any other member, a duplicate, a
 * wrong type, more than two leaves, or more than 64 hashes is CP_ECORRUPT
 * (d names it); a text over 64 KiB is CP_ETOOBIG.
 */
typedef struct cp_absence_doc {
  uint8_t award[CP_HASH_BYTES];
  int has_statement;
  char statement[CP_REVSTAT_MAX + 1];
  size_t statement_len;
  cp_absence_proof proof;
} cp_absence_doc;
int cp_absence_parse_json(const char *text, size_t len, cp_absence_doc *doc, cp_diag *d)
    __attribute__((warn_unused_result));
/* malloc'd NUL-terminated JSON (no trailing newline), or NULL. */
char *cp_absence_to_json(const cp_absence_doc *doc);

/* ---- the node's statements (node/revstatus.c) ---------------------------- */

/* The stored statement of log at size (0: the latest); *text and *len
 * point into the store, valid until the reader ends; *at gets its size.
 * CP_ENOTFOUND if there is none. */
int cp_reader_revstat(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                      const char **text, size_t *len, uint64_t *at)
    __attribute__((warn_unused_result));
/* The revocation set of log at size: the IDs of awards revoked by entries of
 * seq < size, ascending. *ids is malloc'd (the caller frees it; NULL when
 * *n is 0). One walk over the revoked index. */
int cp_reader_revset(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                     uint8_t (**ids)[CP_HASH_BYTES], size_t *n) __attribute__((warn_unused_result));

/* One revocation statement of another log, received from a partner, for
 * cp_store_add_revstats. */
typedef struct cp_store_revstat {
  uint8_t log[CP_PK_BYTES];
  const char *text;            /* borrowed for the call */
  size_t len;
  int rc;                      /* OUT: 0 stored; CP_EEXIST no newer than the latest held
                                  (or of the own log); else why refused */
  cp_diag d;                   /* OUT: the reason */
} cp_store_revstat;

/* Stores n statements of other logs in one write transaction, each under
 * (log, size) once it holds (docs/FORMATS.md R-rev-07): the log is held
 * and not forked, the statement parses, its size is 1 to the log's size
 * and above the latest statement held for the log, its origin is the
 * log's genesis origin, its signature verifies under the key the log signs
 * with at that size, its root is the held tree's at that size, and its
 * count and revocation root are those of the revocations the held log has
 * below that size. A refusal is a verdict in v[i].rc (CP_ENOTFOUND,
 * CP_EEXIST, CP_EFORKED, CP_EINVAL, CP_ECORRUPT, CP_ETOOBIG, CP_EBADSIG,
 * CP_EPROOF for a root, count or revocation root that the held log
 * contradicts). A store error aborts the transaction: nothing is stored,
 * the error is returned and given to every statement not refused. A
 * statement costs a read of the entries since the previous statement held
 * of the log when none of them is a revoke (its set carries over), else
 * one walk over the revoked index. */
int cp_store_add_revstats(cp_store *s, cp_store_revstat *v, size_t n, cp_diag *d)
    __attribute__((warn_unused_result));

#ifdef __cplusplus
}
#endif

#endif
