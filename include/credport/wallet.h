/*
 * credport — exporting an educator's wallet from the store (node/wallet.c;
 * docs/FORMATS.md "Wallets and bundles").
 */
#ifndef CREDPORT_WALLET_H
#define CREDPORT_WALLET_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the export left out or could not show, one call per log and
 * reason: origin (not NUL-terminated, may be empty when the log is not
 * held), the log key, and a sentence. */
typedef void (*cp_wallet_note_fn)(void *ctx, const uint8_t log[CP_PK_BYTES], const char *origin,
                                  size_t origin_len, const char *what);

typedef struct cp_wallet_report {
  size_t awards;        /* awards in the wallet */
  size_t revoked;       /* ... of which revoked as of their checkpoint */
  size_t unknown;       /* ... of which with no statement held (status unknown) */
  size_t left_out;      /* awards not in the wallet (no checkpoint covers them) */
  size_t logs;          /* log records */
} cp_wallet_report;

/*
 * Gathers, through r, every award of educator that a checkpoint the store
 * holds covers (the latest checkpoint of each log), with the logs'
 * genesis and key entries, checkpoints, revocation statements at those
 * checkpoints' sizes (or none, status unknown, when the store has none:
 * a replica that was not sent one), the awards' definitions, the
 * endorsements of those definitions and of the issuers whose endorser log
 * has a checkpoint covering them, absence proofs, and one multiproof per
 * log; encodes the wallet into *out (malloc'd). note (may be NULL) hears
 * about every log left out or shown without status. Errors: CP_ENOTFOUND
 * when no award of the educator is covered (d says why), CP_ETOOBIG past a
 * container limit, CP_ECORRUPT when a stored statement disagrees with the
 * entries held, store errors as they come.
 */
int cp_wallet_export(cp_reader *r, const uint8_t educator[CP_PK_BYTES], cp_wallet_note_fn note,
                     void *ctx, uint8_t **out, size_t *len, cp_wallet_report *rep, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 5, 6, 7)));

#ifdef __cplusplus
}
#endif

#endif
