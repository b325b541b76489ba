/*
 * credport — gathering an award's Open Badges 3.0 inputs from the store
 * (node/ob3.c). cp_ob3_build (ob3.h) stays pure; this is where the ledger is
 * read.
 */
#ifndef CREDPORT_OB3_STORE_H
#define CREDPORT_OB3_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "error.h"
#include "ob3.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An award's inputs; strings borrow from the reader (valid until it ends). */
typedef struct cp_ob3_gathered {
  cp_entry genesis, credential, award;
  cp_entry endorse[CP_OB3_ENDORSE_MAX];
  cp_ob3_endorsement endorsements[CP_OB3_ENDORSE_MAX];
  size_t n_left_out;          /* endorsements held beyond CP_OB3_ENDORSE_MAX */
  int revoked;                /* the award is revoked: see revocation */
  cp_entry revocation;        /* the revoke entry, when revoked */
  cp_ob3_input in;            /* points into this struct: do not copy it */
} cp_ob3_gathered;

/* Gathers award award_id: the award, the definition it names, its log's
 * genesis, and every endorsement held (from any log, not withdrawn) of the
 * definition or of the issuer, in index order, at most
 * CP_OB3_ENDORSE_MAX. A revoked award is gathered all the same, with
 * g->revoked set: exporting it is the caller's decision. Errors:
 * CP_ENOTFOUND (no such entry), CP_EINVAL (not an award), the store's. */
int cp_ob3_gather(cp_reader *r, const uint8_t award_id[CP_HASH_BYTES], cp_ob3_gathered *g,
                  cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* Calls fn with the entry ID of every award of log `issuer` to educator,
 * in index order; a non-zero return stops the walk and is returned. */
int cp_ob3_each_award(cp_reader *r, const uint8_t issuer[CP_PK_BYTES],
                      const uint8_t educator[CP_PK_BYTES],
                      int (*fn)(void *ctx, const uint8_t award_id[CP_HASH_BYTES]), void *ctx)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
