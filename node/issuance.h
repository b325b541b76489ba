/*
 * credport — the duplicate-award guard of the own-log appender (issuance.c).
 *
 * An award repeats another when both are awards of the own log naming the
 * same credential entry, the same educator and the same earned day, and the
 * other is not revoked. The guard answers "does e repeat one?" inside the
 * writer's transaction at a bounded cost:
 *   - awards added in this transaction are kept in a hash set (16 bytes
 *     each: a keyed SipHash of the three fields and the seq), and a hash hit
 *     is confirmed by reading that entry back, so the answer is exact;
 *   - awards committed before are found through an index walk of whichever
 *     list is shorter, the educator's (by_edu, both tiers) or the
 *     credential's (by_cred), counted in O(1) with mdb_cursor_count. Any log
 *     may name an educator, but only the own log awards its own credentials,
 *     so what another log holds cannot make the walk longer than the own
 *     log's awards of that credential. The walk stops at the first row of
 *     this transaction.
 */
#ifndef CP_NODE_ISSUANCE_H
#define CP_NODE_ISSUANCE_H

#include "store_internal.h"

typedef struct cp__dupset {
  struct cp__dupslot {
    uint64_t h;    /* 0: empty */
    uint64_t seq;
  } *slot;
  size_t cap, n;   /* cap: a power of two, or 0 before the first insert */
  uint8_t key[16]; /* SipHash key, random per transaction */
  uint64_t first_row; /* the transaction's first row id; UINT64_MAX until known */
} cp__dupset;

void cp__dupset_init(cp__dupset *ds);
void cp__dupset_free(cp__dupset *ds);
/* After award e (own log, seq e->seq) was appended in tx: remembers it, and
 * the transaction's first row id. CP_ENOMEM if the set cannot grow. */
int cp__dupset_add(cp__dupset *ds, cp__tx *tx, const cp_entry *e);
/* CP_OK if award e repeats none; CP_EDUPLICATE with the repeated award's
 * seq and ID (and a message in d) if it does; an LMDB error otherwise. */
int cp__dup_find(cp__dupset *ds, cp__tx *tx, const cp__logrec *lr, const cp_entry *e,
                 uint64_t *seq, uint8_t id[CP_HASH_BYTES], cp_diag *d);

#endif
