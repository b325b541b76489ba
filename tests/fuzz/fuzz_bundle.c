/*
 * libFuzzer target for the wallet and bundle decoder (bundle.h), binary or
 * armoured (cp_bundle_decode detects which). Invariants on an accepted
 * input: every log's multiproof yields a root (its hash count was checked),
 * every entry lies inside the container and its log's range, every award
 * shown unrevoked (and only those) gets an absence proof from its log's
 * revocation leaves, the armour of the binary decodes to the same view bytes,
 * and a wallet's view encodes back to exactly its binary. A refusal must
 * say why. A broken invariant aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"

static void check(const cp_bundle *b) {
  static cp_absence_proof p;
  uint8_t root[CP_HASH_BYTES];
  size_t n = 0;
  for (size_t i = 0; i < b->nlogs; i++) {
    const cp_bundle_log *lg = &b->logs[i];
    if (lg->first != n || lg->n == 0) abort();
    n += lg->n;
    if (cp_bundle_log_root(b, i, root) != CP_OK) abort();
  }
  if (n != b->nentries) abort();
  for (size_t i = 0; i < b->nentries; i++) {
    const cp_bundle_entry *e = &b->entries[i];
    if (e->buf < b->bytes || e->buf + e->len > b->bytes + b->len) abort();
    if (e->log >= b->nlogs || e->seq >= b->logs[e->log].cp.size) abort();
    int want = e->type == CP_T_AWARD && e->status == CP_AWARD_NOT_REVOKED;
    int rc = cp_bundle_absence(b, i, &p, NULL);
    if (rc != (want ? CP_OK : CP_ENOTFOUND)) abort();
    if (want && (p.nleaves > 2 || p.size != b->logs[e->log].rev_count)) abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cp_bundle b, again;
  cp_diag d = {{0}};
  char *arm = NULL;
  size_t alen = 0;
  if (cp_bundle_decode(data, size, &b, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return 0;
  }
  check(&b);
  if (cp_bundle_armor(b.bytes, b.len, &arm, &alen) != CP_OK) abort();
  if (cp_bundle_decode((const uint8_t *)arm, alen, &again, NULL) != CP_OK) abort();
  if (again.len != b.len || memcmp(again.bytes, b.bytes, b.len) != 0) abort();
  cp_bundle_free(&again);
  free(arm);
  if (b.kind == CP_BUNDLE_KIND_WALLET) {
    uint8_t *out = NULL;
    size_t len = 0;
    if (cp_bundle_encode(&b, NULL, &out, &len, NULL) != CP_OK) abort();
    if (len != b.len || memcmp(out, b.bytes, len) != 0) abort();
    free(out);
  }
  cp_bundle_free(&b);
  return 0;
}
