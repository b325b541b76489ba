/*
 * credport — making a bundle from a wallet (cp_bundle_present;
 * include/credport/bundle.h, docs/FORMATS.md "Wallets and bundles").
 *
 * The educator alone runs this, with her wallet and her key: no node. The
 * chosen entries of each log are proved again with a multiproof derived
 * from the wallet's (its single paths, recovered while its root is
 * recomputed), so the bundle carries only the hashes its own entries need;
 * the revocation leaves bracketing the chosen awards are proved again the
 * same way in the revocation tree.
 */
#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"
#include "credport/codec.h"
#include "credport/entry.h"
#include "credport/multiproof.h"

typedef struct pick {
  const cp_bundle *w;
  uint8_t *mark;             /* per wallet entry: chosen */
  uint8_t (*creds)[CP_HASH_BYTES];
  size_t ncreds;
  uint8_t *issuer;           /* per wallet log: an award of it is chosen */
} pick;

static int mark_award(pick *k, size_t i, cp_diag *d) {
  const cp_bundle_entry *en = &k->w->entries[i];
  cp_entry e;
  size_t c;
  char hex[2 * CP_HASH_BYTES + 1];
  cp_hex_encode(en->id, CP_HASH_BYTES, hex);
  if (cp_entry_decode(en->buf, en->len, &e, NULL) != CP_OK) return CP_ECORRUPT;
  if (cp_bundle_find(k->w, e.u.award.credential, &c) != CP_OK ||
      k->w->entries[c].log != en->log || k->w->entries[c].type != CP_T_CREDENTIAL)
    return cp_diag_set(d, CP_ECORRUPT, "the wallet lacks the credential definition of award %s",
                       hex);
  k->mark[i] = k->mark[c] = 1;
  k->issuer[en->log] = 1;
  memcpy(k->creds[k->ncreds++], e.u.award.credential, CP_HASH_BYTES);
  return CP_OK;
}

static int choose(pick *k, const uint8_t (*ids)[CP_HASH_BYTES], size_t n, cp_diag *d) {
  const cp_bundle *w = k->w;
  size_t i, chosen = 0;
  int rc;
  char hex[2 * CP_HASH_BYTES + 1];
  for (size_t a = 0; a < n; a++) {
    cp_hex_encode(ids[a], CP_HASH_BYTES, hex);
    if (cp_bundle_find(w, ids[a], &i) != CP_OK)
      return cp_diag_set(d, CP_ENOTFOUND, "award %s is not in the wallet", hex);
    if (w->entries[i].type != CP_T_AWARD)
      return cp_diag_set(d, CP_ENOTFOUND, "entry %s of the wallet is not an award", hex);
    if (w->entries[i].status == CP_AWARD_REVOKED)
      return cp_diag_set(d, CP_ERULE, "award %s is revoked (as of the wallet's checkpoint)", hex);
    if (w->entries[i].status == CP_AWARD_UNKNOWN)
      return cp_diag_set(d, CP_ERULE, "award %s has no revocation status in the wallet (its "
                         "issuer's statement was not held where the wallet was exported)", hex);
    if (k->mark[i]) continue;
    if ((rc = mark_award(k, i, d)) != CP_OK) return rc;
    chosen++;
  }
  if (n == 0)
    for (i = 0; i < w->nentries; i++)
      if (w->entries[i].type == CP_T_AWARD && w->entries[i].status == CP_AWARD_NOT_REVOKED) {
        if ((rc = mark_award(k, i, d)) != CP_OK) return rc;
        chosen++;
      }
  if (chosen == 0)
    return cp_diag_set(d, CP_EINVAL, "the wallet holds no award that is shown not revoked");
  /* Endorsements of a chosen credential or of a chosen award's issuer. */
  for (i = 0; i < w->nentries; i++) {
    cp_entry e;
    if (w->entries[i].type != CP_T_ENDORSE) continue;
    if (cp_entry_decode(w->entries[i].buf, w->entries[i].len, &e, NULL) != CP_OK)
      return CP_ECORRUPT;
    if (e.u.endorse.kind == CP_SUBJECT_CREDENTIAL) {
      for (size_t c = 0; c < k->ncreds; c++)
        if (memcmp(k->creds[c], e.u.endorse.subject, CP_HASH_BYTES) == 0) k->mark[i] = 1;
    } else {
      for (size_t l = 0; l < w->nlogs; l++)
        if (k->issuer[l] && memcmp(w->logs[l].key, e.u.endorse.subject, CP_PK_BYTES) == 0)
          k->mark[i] = 1;
    }
  }
  /* Every log involved brings its genesis and key entries. */
  for (size_t l = 0; l < w->nlogs; l++) {
    const cp_bundle_log *lg = &w->logs[l];
    int used = 0;
    for (i = lg->first; i < lg->first + lg->n; i++) used |= k->mark[i];
    if (!used) continue;
    for (i = lg->first; i < lg->first + lg->n; i++)
      if (i == lg->first || w->entries[i].type == CP_T_KEY) k->mark[i] = 1;
  }
  return CP_OK;
}

/* Proves the chosen entries of wallet log l: hashes (malloc'd) and count. */
static int reprove(const cp_bundle *w, size_t l, const uint8_t *mark,
                   uint8_t (**hashes)[CP_HASH_BYTES], size_t *nh, cp_diag *d) {
  const cp_bundle_log *lg = &w->logs[l];
  uint64_t *idx = malloc(lg->n * sizeof *idx), *sub = malloc(lg->n * sizeof *sub);
  uint8_t (*leaf)[CP_HASH_BYTES] = malloc(lg->n * sizeof *leaf);
  cp_merkle_path *paths = malloc(lg->n * sizeof *paths), *subp = malloc(lg->n * sizeof *subp);
  uint8_t root[CP_HASH_BYTES];
  size_t k = 0, cap;
  int rc = CP_ENOMEM;
  *hashes = NULL;
  if (idx == NULL || sub == NULL || leaf == NULL || paths == NULL || subp == NULL) goto out;
  for (size_t j = 0; j < lg->n; j++) {
    idx[j] = w->entries[lg->first + j].seq;
    memcpy(leaf[j], w->entries[lg->first + j].id, CP_HASH_BYTES);
  }
  rc = cp_multiproof_root(lg->cp.size, idx, (const uint8_t(*)[CP_HASH_BYTES])leaf, lg->n,
                          lg->hashes, lg->nhashes, root, paths);
  if (rc == CP_OK && memcmp(root, lg->cp.root, CP_HASH_BYTES) != 0) rc = CP_EPROOF;
  if (rc != CP_OK) {
    rc = cp_diag_set(d, CP_EPROOF, "the wallet's proof for log %zu (%s) does not lead to its "
                     "checkpoint's root", l, lg->cp.origin);
    goto out;
  }
  for (size_t j = 0; j < lg->n; j++)
    if (mark[lg->first + j]) {
      sub[k] = idx[j];
      subp[k++] = paths[j];
    }
  if ((rc = cp_multiproof_count(lg->cp.size, sub, k, &cap)) != CP_OK) goto out;
  rc = CP_ENOMEM;
  if ((*hashes = malloc((cap ? cap : 1) * sizeof **hashes)) == NULL) goto out;
  rc = cp_multiproof_from_paths(lg->cp.size, sub, subp, k, *hashes, cap, nh);
out:
  free(idx);
  free(sub);
  free(leaf);
  free(paths);
  free(subp);
  return rc;
}

/* The revocation leaves of the chosen awards of wallet log l, each award's
 * absence checked against the statement's revocation root first. */
static int rev_reprove(const cp_bundle *w, size_t l, const uint8_t *mark, uint8_t **leaves,
                       size_t *nrev, uint8_t (**hashes)[CP_HASH_BYTES], size_t *nh, cp_diag *d) {
  const cp_bundle_log *lg = &w->logs[l];
  cp_absence_proof *ps = NULL;
  cp_revstat st;
  size_t k = 0;
  int rc = CP_OK;
  char hex[2 * CP_HASH_BYTES + 1];
  if (lg->statement == NULL) return CP_OK;
  if (cp_revstat_parse(lg->statement, lg->statement_len, &st, NULL) != CP_OK) return CP_ECORRUPT;
  if ((ps = malloc(lg->n * sizeof *ps)) == NULL) return CP_ENOMEM;
  for (size_t i = lg->first; i < lg->first + lg->n; i++) {
    if (!mark[i] || w->entries[i].type != CP_T_AWARD) continue;
    if ((rc = cp_bundle_absence(w, i, &ps[k], d)) != CP_OK) goto out;
    if (cp_rev_verify_absent(w->entries[i].id, st.count, st.rev_root, &ps[k]) != CP_OK) {
      cp_hex_encode(w->entries[i].id, CP_HASH_BYTES, hex);
      rc = cp_diag_set(d, CP_EPROOF, "the wallet does not show award %s absent from the "
                       "revocation tree of log %zu (%s)", hex, l, lg->cp.origin);
      goto out;
    }
    k++;
  }
  rc = cp_bundle_rev_section(ps, k, st.count, leaves, nrev, hashes, nh);
out:
  free(ps);
  return rc;
}

int cp_bundle_present(const cp_bundle *wallet, const uint8_t (*award_ids)[CP_HASH_BYTES],
                      size_t n, const cp_key *educator, const char *challenge,
                      size_t challenge_len, const char *audience, size_t audience_len,
                      uint8_t **out, size_t *len, cp_diag *d) {
  pick k = {wallet, NULL, NULL, 0, NULL};
  cp_bundle b;
  uint8_t pk[CP_PK_BYTES];
  uint8_t (**hashes)[CP_HASH_BYTES] = NULL, (**rhashes)[CP_HASH_BYTES] = NULL;
  uint8_t **rleaves = NULL;
  int rc = CP_ENOMEM;
  memset(&b, 0, sizeof b);
  *out = NULL;
  *len = 0;
  if (wallet->kind != CP_BUNDLE_KIND_WALLET)
    return cp_diag_set(d, CP_EINVAL, "the input is a bundle, not a wallet");
  cp_key_public(educator, pk);
  if (memcmp(pk, wallet->educator, CP_PK_BYTES) != 0)
    return cp_diag_set(d, CP_EDENIED, "the key is not the educator of the wallet's awards");
  if (challenge_len == 0 || challenge_len > CP_BUNDLE_CHALLENGE_MAX)
    return cp_diag_set(d, CP_EINVAL, "the challenge must be 1 to %u bytes",
                       CP_BUNDLE_CHALLENGE_MAX);
  if (audience_len == 0 || audience_len > CP_BUNDLE_AUDIENCE_MAX)
    return cp_diag_set(d, CP_EINVAL, "the audience must be 1 to %u bytes", CP_BUNDLE_AUDIENCE_MAX);
  k.mark = calloc(wallet->nentries, 1);
  k.creds = malloc(wallet->nentries * sizeof *k.creds);
  k.issuer = calloc(wallet->nlogs, 1);
  b.logs = calloc(wallet->nlogs, sizeof *b.logs);
  b.entries = calloc(wallet->nentries, sizeof *b.entries);
  hashes = calloc(wallet->nlogs, sizeof *hashes);
  rhashes = calloc(wallet->nlogs, sizeof *rhashes);
  rleaves = calloc(wallet->nlogs, sizeof *rleaves);
  if (k.mark == NULL || k.creds == NULL || k.issuer == NULL || b.logs == NULL ||
      b.entries == NULL || hashes == NULL || rhashes == NULL || rleaves == NULL)
    goto out;
  if ((rc = choose(&k, award_ids, n, d)) != CP_OK) goto out;
  b.kind = CP_BUNDLE_KIND_BUNDLE;
  memcpy(b.educator, wallet->educator, CP_PK_BYTES);
  b.challenge = challenge;
  b.challenge_len = challenge_len;
  b.audience = audience;
  b.audience_len = audience_len;
  for (size_t l = 0; l < wallet->nlogs; l++) {
    const cp_bundle_log *lg = &wallet->logs[l];
    cp_bundle_log *o = &b.logs[b.nlogs];
    size_t first = b.nentries;
    for (size_t i = lg->first; i < lg->first + lg->n; i++)
      if (k.mark[i]) b.entries[b.nentries++] = wallet->entries[i];
    if (b.nentries == first) continue;
    *o = *lg;
    o->first = first;
    o->n = b.nentries - first;
    if ((rc = reprove(wallet, l, k.mark, &hashes[l], &o->nhashes, d)) != CP_OK) goto out;
    o->hashes = (const uint8_t(*)[CP_HASH_BYTES])hashes[l];
    if ((rc = rev_reprove(wallet, l, k.mark, &rleaves[l], &o->nrev, &rhashes[l],
                          &o->nrev_hashes, d)) != CP_OK)
      goto out;
    o->rev_leaves = rleaves[l];
    o->rev_hashes = (const uint8_t(*)[CP_HASH_BYTES])rhashes[l];
    b.nlogs++;
  }
  rc = cp_bundle_encode(&b, educator, out, len, d);
out:
  if (hashes != NULL)
    for (size_t l = 0; l < wallet->nlogs; l++) free(hashes[l]);
  if (rhashes != NULL)
    for (size_t l = 0; l < wallet->nlogs; l++) free(rhashes[l]);
  if (rleaves != NULL)
    for (size_t l = 0; l < wallet->nlogs; l++) free(rleaves[l]);
  free(hashes);
  free(rhashes);
  free(rleaves);
  free(k.mark);
  free(k.creds);
  free(k.issuer);
  free(b.logs);
  free(b.entries);
  return rc;
}
